//! Function transforms, as `torch.func` and `torch.autograd.functional`:
//! the vector-Jacobian product ([`vjp`]), the Jacobian-vector product in
//! true forward mode through libtorch's dual tensors ([`jvp`]), and from them
//! [`grad`], [`grad_and_value`], [`jacobian`] (and [`jacfwd`] in forward
//! mode), [`hessian`] and [`hvp`]; [`vmap`] maps a function over a batch
//! dim. Python's `flodl.func` calls these functions; only the shaping of
//! its arguments and results (`argnums`, pytrees) is written in Python.
//!
//! `f` is a closure over Variables returning one Variable or a
//! `Vec<Variable>` ([`Outputs`]); results come back in the same form. The
//! primals become fresh leaves (their values are shared, their graphs are
//! not), so a transform does not reach back into the graph the primals came
//! from; the `*_with_graph` forms take Variables and keep their results on
//! that graph, as `torch.func` does under an outer graph. An output that does not depend on the inputs (one that requires no
//! grad, or an integer one) has zero derivatives, as in PyTorch.

use crate::autograd::{grad as autograd_grad, GradOptions};
use crate::error::{bail, Result};
use crate::ops::{run, Operand};
use crate::{Tensor, Variable};

/// What `f` returns: one Variable, or several in a `Vec`. Each transform
/// gives one result per output in the same form ([`Outputs::Each`]).
pub trait Outputs: Sized {
    /// One `T` per output: `T` itself for one Variable, `Vec<T>` for a `Vec`.
    type Each<T>;
    /// The outputs, in order.
    fn into_vec(self) -> Vec<Variable>;
    /// One result per output (as many as [`Outputs::into_vec`] gave), in
    /// this form; an Argument error for any other count.
    fn each<T>(items: Vec<T>) -> Result<Self::Each<T>>;
}

impl Outputs for Variable {
    type Each<T> = T;
    fn into_vec(self) -> Vec<Variable> {
        vec![self]
    }
    fn each<T>(items: Vec<T>) -> Result<T> {
        let count = items.len();
        match <[T; 1]>::try_from(items) {
            Ok([item]) => Ok(item),
            Err(_) => bail!(Argument, "func: one output has one result, got {count}"),
        }
    }
}

impl Outputs for Vec<Variable> {
    type Each<T> = Vec<T>;
    fn into_vec(self) -> Vec<Variable> {
        self
    }
    fn each<T>(items: Vec<T>) -> Result<Vec<T>> {
        Ok(items)
    }
}

/// Fresh leaves holding the primals' values, that require grad.
fn leaves(primals: &[&Tensor]) -> Result<Vec<Variable>> {
    primals
        .iter()
        .map(|p| Variable::new((*p).clone(), true))
        .collect()
}

/// `x`'s dtype and device, for tensors made to go with it.
fn options_of(x: &Tensor) -> crate::TensorOptions {
    crate::TensorOptions {
        dtype: x.dtype(),
        device: x.device(),
    }
}

/// Zeros shaped like `x`: the derivative of a constant.
fn zeros(x: &Tensor) -> Result<Variable> {
    Variable::new(Tensor::zeros_like(x)?, false)
}

/// The gradients of `outputs` (weighted by `cotangents`, one per output, or
/// none for single-element outputs) with respect to `inputs`. Outputs that
/// require no grad are constants of the inputs and contribute nothing; an
/// input reached by none has a zero gradient. With `create_graph` the
/// gradients carry a graph (those that depend on the inputs).
fn gradients(
    outputs: &[Variable],
    cotangents: Option<&[Variable]>,
    inputs: &[Variable],
    create_graph: bool,
) -> Result<Vec<Variable>> {
    let mut reached: Vec<&Variable> = Vec::new();
    let mut weights: Vec<&Variable> = Vec::new();
    for (i, o) in outputs.iter().enumerate() {
        if o.requires_grad() {
            reached.push(o);
            if let Some(c) = cotangents {
                weights.push(&c[i]);
            }
        }
    }
    let grads = if reached.is_empty() {
        vec![None; inputs.len()]
    } else {
        let refs: Vec<&Variable> = inputs.iter().collect();
        let options = GradOptions {
            grad_outputs: cotangents.map(|_| weights.as_slice()),
            retain_graph: Some(true),
            create_graph,
            allow_unused: true,
        };
        autograd_grad(&reached, &refs, options)?
    };
    grads
        .into_iter()
        .zip(inputs)
        .map(|(g, x)| match g {
            Some(g) => Ok(g),
            None => zeros(&x.data()),
        })
        .collect()
}

/// The values of gradients, without their graphs.
fn values(vars: Vec<Variable>) -> Vec<Tensor> {
    vars.iter().map(Variable::data).collect()
}

/// The vector-Jacobian products of one evaluation of `f`: what [`vjp`]
/// (or [`vjp_with_graph`]) returns next to the value.
pub struct Vjp {
    outputs: Vec<Variable>,
    inputs: Vec<Variable>,
    /// Made by [`vjp_with_graph`]: the products keep their graph.
    keep_graph: bool,
}

impl Vjp {
    /// One vector-Jacobian product per primal, for `cotangents` (one per
    /// output of `f`, each shaped like its output). It can be called again
    /// with other cotangents.
    pub fn apply(&self, cotangents: &[&Tensor]) -> Result<Vec<Tensor>> {
        let cotangents: Vec<Variable> = cotangents
            .iter()
            .map(|c| Variable::new((*c).clone(), false))
            .collect::<Result<_>>()?;
        Ok(values(self.apply_variables(&cotangents)?))
    }

    /// [`Vjp::apply`] on Variables: from [`vjp_with_graph`], the products
    /// are differentiable with respect to the inputs and the cotangents
    /// that require grad.
    pub fn apply_variables(&self, cotangents: &[Variable]) -> Result<Vec<Variable>> {
        if cotangents.len() != self.outputs.len() {
            bail!(
                Argument,
                "vjp: got {} cotangents for {} outputs of f",
                cotangents.len(),
                self.outputs.len()
            );
        }
        gradients(
            &self.outputs,
            Some(cotangents),
            &self.inputs,
            self.keep_graph,
        )
    }
}

/// `f(primals)` and its vector-Jacobian products ([`Vjp::apply`]), as
/// `torch.func.vjp`.
pub fn vjp<F, O>(f: F, primals: &[&Tensor]) -> Result<(O::Each<Tensor>, Vjp)>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let inputs = leaves(primals)?;
    let outputs = f(&inputs)?.into_vec();
    let value = O::each(outputs.iter().map(Variable::data).collect())?;
    let products = Vjp {
        outputs,
        inputs,
        keep_graph: false,
    };
    Ok((value, products))
}

/// [`vjp`] on Variables, as `torch.func.vjp` under an outer graph: the
/// value and the products ([`Vjp::apply_variables`]) stay differentiable
/// with respect to the inputs that require grad.
pub fn vjp_with_graph<F, O>(f: F, inputs: &[&Variable]) -> Result<(O::Each<Variable>, Vjp)>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let inputs = graph_inputs(inputs)?;
    let outputs = f(&inputs)?.into_vec();
    let value = O::each(outputs.clone())?;
    let products = Vjp {
        outputs,
        inputs,
        keep_graph: true,
    };
    Ok((value, products))
}

/// libtorch keeps one forward-AD level for the whole process: `jvp`s on
/// several threads take turns.
static DUAL_LEVEL: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// Whether this thread is inside a `jvp` (whose `f` may call another).
    static IN_JVP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A forward-AD level held by this thread: entered with the process's turn,
/// exited (and the turn given back) however the transform ends.
struct DualLevel {
    level: u64,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl DualLevel {
    fn enter(op: &str) -> Result<DualLevel> {
        if IN_JVP.with(|inside| inside.replace(true)) {
            bail!(
                Autograd,
                "{op}: nested forward mode (a jvp inside jvp's f) is not supported"
            );
        }
        // A poisoned lock only means another jvp panicked; the level is free.
        let turn = DUAL_LEVEL.lock().unwrap_or_else(|p| p.into_inner());
        let level = run::<Level, _, _>(op, &[], || crate::ffi::enter_dual_level().map(Level));
        match level {
            Ok(Level(level)) => Ok(DualLevel { level, _turn: turn }),
            Err(err) => {
                IN_JVP.with(|inside| inside.set(false));
                Err(err)
            }
        }
    }
}

impl Drop for DualLevel {
    fn drop(&mut self) {
        // Exiting the innermost level cannot fail; if libtorch refused, the
        // level's tangents would only stay alive longer.
        let _exited = crate::ffi::exit_dual_level(self.level);
        IN_JVP.with(|inside| inside.set(false));
    }
}

/// `f(primals)` and its Jacobian-vector product with `tangents` (one per
/// primal, shaped like it), computed in forward mode (libtorch's dual
/// tensors), as `torch.func.jvp`: one value and one tangent per output.
pub fn jvp<F, O>(
    f: F,
    primals: &[&Tensor],
    tangents: &[&Tensor],
) -> Result<(O::Each<Tensor>, O::Each<Tensor>)>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let xs = constants(primals)?;
    let (outputs, tangents) = jvp_at(
        "jvp",
        &|xs: &[Variable]| Ok(f(xs)?.into_vec()),
        &xs,
        tangents,
        false,
    )?;
    Ok((O::each(values(outputs))?, O::each(values(tangents))?))
}

/// [`jvp`] on Variables, as `torch.func.jvp` under an outer graph: the
/// values and tangents stay differentiable (reverse over forward) with
/// respect to the primals that require grad.
pub fn jvp_with_graph<F, O>(
    f: F,
    primals: &[&Variable],
    tangents: &[&Tensor],
) -> Result<(O::Each<Variable>, O::Each<Variable>)>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let xs: Vec<Variable> = primals.iter().map(|&p| p.clone()).collect();
    let (values, tangents) = jvp_at(
        "jvp",
        &|xs: &[Variable]| Ok(f(xs)?.into_vec()),
        &xs,
        tangents,
        true,
    )?;
    Ok((O::each(values)?, O::each(tangents)?))
}

/// The primals as Variables that require no grad (their values shared).
fn constants(primals: &[&Tensor]) -> Result<Vec<Variable>> {
    primals
        .iter()
        .map(|p| Variable::new((*p).clone(), false))
        .collect()
}

/// One forward-mode evaluation of `f` at `primals` carrying `tangents`:
/// each output's value (a view without the tangent) and tangent (zeros
/// where it carries none). With `keep_graph` both stay on the backward
/// graph of the primals; without, they are plain values.
fn jvp_at<F>(
    op: &str,
    f: &F,
    primals: &[Variable],
    tangents: &[&Tensor],
    keep_graph: bool,
) -> Result<(Vec<Variable>, Vec<Variable>)>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>>,
{
    if primals.len() != tangents.len() {
        bail!(
            Argument,
            "{op}: {} primals and {} tangents",
            primals.len(),
            tangents.len()
        );
    }
    for (i, (p, t)) in primals.iter().zip(tangents).enumerate() {
        crate::autograd::forward_ad::check_dual(op, Some(i), (&p.shape(), p.dtype()), t)?;
    }
    let level = DualLevel::enter(op)?;
    let duals: Vec<Variable> = primals
        .iter()
        .zip(tangents)
        .map(|(p, t)| {
            run(op, &[p.raw(), t.raw()], || {
                crate::ffi::make_dual(p.raw(), t.raw(), level.level)
            })
        })
        .collect::<Result<_>>()?;
    let outputs = f(&duals)?;
    let mut values = Vec::with_capacity(outputs.len());
    let mut out_tangents = Vec::with_capacity(outputs.len());
    for output in outputs {
        // An integer output carries no tangent: it is constant along the
        // tangents, as one that requires no grad is.
        let (value, tangent) = match output.dtype().is_differentiable() {
            true => crate::autograd::forward_ad::unpack_dual_at(&output, level.level)?,
            false => (output, None),
        };
        let tangent = match tangent {
            Some(t) => t,
            None => zeros(&value.data())?,
        };
        let (value, tangent) = match keep_graph {
            true => (value, tangent),
            false => (
                Variable::new(value.data(), false)?,
                Variable::new(tangent.data(), false)?,
            ),
        };
        values.push(value);
        out_tangents.push(tangent);
    }
    drop(level);
    Ok((values, out_tangents))
}

/// `f`'s single-element output, or the Autograd error naming `op`.
fn single_element(op: &str, output: Variable) -> Result<Variable> {
    if output.numel() != 1 {
        bail!(
            Autograd,
            "{op}: f must return a single-element tensor, got shape {:?}",
            output.shape()
        );
    }
    Ok(output)
}

/// The gradient of a single-element `f` with respect to each primal, and
/// the value, as `torch.func.grad_and_value`.
pub fn grad_and_value<F>(f: F, primals: &[&Tensor]) -> Result<(Vec<Tensor>, Tensor)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let inputs = leaves(primals)?;
    let output = single_element("grad", f(&inputs)?)?;
    let grads = gradients(std::slice::from_ref(&output), None, &inputs, false)?;
    Ok((values(grads), output.data()))
}

/// [`grad_and_value`] on Variables whose gradients keep their graph back
/// to the inputs that require grad, as `torch.func.grad`'s results stay on
/// the outer graph: a meta-learning step differentiates through them.
pub fn grad_and_value_with_graph<F>(f: F, inputs: &[&Variable]) -> Result<(Vec<Variable>, Variable)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let xs = graph_inputs(inputs)?;
    let output = single_element("grad", f(&xs)?)?;
    let grads = gradients(std::slice::from_ref(&output), None, &xs, true)?;
    Ok((grads, output))
}

/// The gradient of a single-element `f` with respect to each primal, as
/// `torch.func.grad`.
pub fn grad<F>(f: F, primals: &[&Tensor]) -> Result<Vec<Tensor>>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    Ok(grad_and_value(f, primals)?.0)
}

/// The Jacobian of one output with respect to each leaf, shaped
/// `output.shape ++ leaf.shape` (one vector-Jacobian product per output
/// element); with `create_graph` each carries its graph.
fn jacobian_of(
    output: &Variable,
    leaves: &[Variable],
    create_graph: bool,
) -> Result<Vec<Variable>> {
    let out_shape = output.shape();
    let n = output.numel() as i64;
    let shapes: Vec<Vec<i64>> = leaves
        .iter()
        .map(|x| [out_shape.clone(), x.shape()].concat())
        .collect();
    if n == 0 || !output.requires_grad() {
        // An empty output, or one that does not depend on the leaves.
        return leaves
            .iter()
            .zip(&shapes)
            .map(|(x, s)| Variable::new(Tensor::zeros(s, options_of(&x.data()))?, false))
            .collect();
    }
    let eye = Tensor::eye(n, options_of(&output.data()))?;
    let mut rows: Vec<Vec<Variable>> = vec![Vec::new(); leaves.len()];
    let one = std::slice::from_ref(output);
    for i in 0..n {
        let cotangent = Variable::new(eye.select(0, i)?.reshape(&out_shape)?, false)?;
        let cotangent = std::slice::from_ref(&cotangent);
        let grads = gradients(one, Some(cotangent), leaves, create_graph)?;
        for (row, g) in rows.iter_mut().zip(grads) {
            row.push(g);
        }
    }
    rows.into_iter()
        .zip(&shapes)
        .map(|(row, s)| Variable::stack(&row, 0)?.reshape(s))
        .collect()
}

/// Inputs to differentiate with a graph, as PyTorch's `create_graph=True`
/// takes them: one that requires grad as a view of itself (the graph goes
/// on to it), any other as a fresh leaf of its values.
fn graph_inputs(inputs: &[&Variable]) -> Result<Vec<Variable>> {
    inputs
        .iter()
        .map(|x| match x.requires_grad() {
            true => x.view_as(x),
            false => Variable::new(x.data(), true),
        })
        .collect()
}

/// [`jacobian`] keeping the graph, as
/// `torch.autograd.functional.jacobian(create_graph=True)`: the Jacobians
/// are differentiable with respect to the inputs that require grad and to
/// whatever `f` uses (a penalty on them trains the parameters).
pub fn jacobian_with_graph<F, O>(f: F, inputs: &[&Variable]) -> Result<O::Each<Vec<Variable>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    O::each(jacobians_at(&f, &graph_inputs(inputs)?, true)?)
}

/// The Jacobians of each output of `f` at `xs` with respect to each of
/// them ([`jacobian_of`] per output).
fn jacobians_at<F, O>(f: &F, xs: &[Variable], create_graph: bool) -> Result<Vec<Vec<Variable>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let outputs = f(xs)?.into_vec();
    outputs
        .iter()
        .map(|o| jacobian_of(o, xs, create_graph))
        .collect()
}

/// [`hessian`] keeping the graph, as
/// `torch.autograd.functional.hessian(create_graph=True)`.
pub fn hessian_with_graph<F>(f: F, inputs: &[&Variable]) -> Result<Vec<Vec<Variable>>>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    jacobian_with_graph(
        |xs: &[Variable]| Ok(first_gradients("hessian", &f, xs)?.1),
        inputs,
    )
}

/// The Jacobian of `f` with respect to each input, shaped
/// `output.shape ++ input.shape`, per output as `f` returns them, as
/// `torch.autograd.functional.jacobian`.
pub fn jacobian<F, O>(f: F, inputs: &[&Tensor]) -> Result<O::Each<Vec<Tensor>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let per_output = jacobians_at(&f, &leaves(inputs)?, false)?;
    O::each(per_output.into_iter().map(values).collect())
}

/// A tangent of `x`'s shape that is 1 at flat position `element`, 0
/// elsewhere: one column of the identity.
fn unit_tangent(x: &Tensor, element: i64) -> Result<Tensor> {
    let flat = Tensor::zeros(&[x.numel() as i64], options_of(x))?;
    flat.narrow(0, element, 1)?.fill_(1.0)?;
    flat.reshape(&x.shape())
}

/// [`jacobian`] computed in forward mode, as `torch.func.jacfwd`: one
/// [`jvp`] per element of the inputs (the Jacobian's columns). Inputs are
/// floating point; an op without a forward formula is an Autograd error.
pub fn jacfwd<F, O>(f: F, inputs: &[&Tensor]) -> Result<O::Each<Vec<Tensor>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let per_output = jacfwd_at(&f, &constants(inputs)?, false)?;
    O::each(per_output.into_iter().map(values).collect())
}

/// [`jacfwd`] on Variables, as `torch.func.jacfwd` under an outer graph:
/// the Jacobians stay differentiable with respect to the inputs that
/// require grad (reverse over forward).
pub fn jacfwd_with_graph<F, O>(f: F, inputs: &[&Variable]) -> Result<O::Each<Vec<Variable>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let xs: Vec<Variable> = inputs.iter().map(|&x| x.clone()).collect();
    O::each(jacfwd_at(&f, &xs, true)?)
}

/// The forward-mode Jacobians of each output of `f` at `xs` with respect
/// to each of them, one [`jvp_at`] per element of `xs`.
fn jacfwd_at<F, O>(f: &F, xs: &[Variable], keep_graph: bool) -> Result<Vec<Vec<Variable>>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let flat = |xs: &[Variable]| Ok(f(xs)?.into_vec());
    let zero_tangents: Vec<Tensor> = xs
        .iter()
        .map(|x| Tensor::zeros_like(&x.data()))
        .collect::<Result<_>>()?;
    // columns[k][e][i]: the tangent of output i along element e of input k.
    let mut columns: Vec<Vec<Vec<Variable>>> = Vec::with_capacity(xs.len());
    let mut evaluated: Option<Vec<Variable>> = None;
    for (k, x) in xs.iter().enumerate() {
        let mut per_element = Vec::new();
        for element in 0..x.numel() as i64 {
            let mut tangents: Vec<&Tensor> = zero_tangents.iter().collect();
            let unit = unit_tangent(&x.data(), element)?;
            tangents[k] = &unit;
            let (value, tangent) = jvp_at("jacfwd", &flat, xs, &tangents, keep_graph)?;
            if let Some(first) = &evaluated {
                if first.len() != value.len() {
                    bail!(
                        Argument,
                        "jacfwd: f returned {} outputs, then {}",
                        first.len(),
                        value.len()
                    );
                }
            }
            evaluated = Some(value);
            per_element.push(tangent);
        }
        columns.push(per_element);
    }
    let outputs = match evaluated {
        Some(outputs) => outputs,
        // No elements at all: f runs once, for the shapes of its outputs.
        None => flat(xs)?,
    };
    outputs
        .iter()
        .enumerate()
        .map(|(i, out)| {
            xs.iter()
                .zip(&columns)
                .map(|(x, per_element)| {
                    let shape = [out.shape(), x.shape()].concat();
                    if per_element.is_empty() {
                        return Variable::new(
                            Tensor::zeros(&shape, options_of(&out.data()))?,
                            false,
                        );
                    }
                    let column: Vec<Variable> = per_element.iter().map(|c| c[i].clone()).collect();
                    Variable::stack(&column, -1)?.reshape(&shape)
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect()
}

/// How [`vmap`] treats random numbers drawn by its `f` (from the CPU
/// generator), as `torch.func.vmap`'s `randomness`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Randomness {
    /// An `f` that draws random numbers is an Argument error.
    Error,
    /// Every sample gets the same draws.
    Same,
    /// Each sample draws in turn (not torch's batched draws: other numbers).
    Different,
}

impl std::str::FromStr for Randomness {
    type Err = crate::Error;

    /// `"error"`, `"same"` or `"different"`, as torch spells them.
    fn from_str(name: &str) -> Result<Randomness> {
        match name {
            "error" => Ok(Randomness::Error),
            "same" => Ok(Randomness::Same),
            "different" => Ok(Randomness::Different),
            _ => bail!(
                Argument,
                "vmap: randomness must be 'error', 'different' or 'same', got {name:?}"
            ),
        }
    }
}

/// The size of the dims `in_dims` maps (one per input, `None` for an input
/// every sample shares), checked as `torch.func.vmap` checks them.
fn batch_size(inputs: &[Variable], in_dims: &[Option<i64>]) -> Result<i64> {
    if in_dims.len() != inputs.len() {
        bail!(
            Argument,
            "vmap: {} in_dims for {} inputs",
            in_dims.len(),
            inputs.len()
        );
    }
    let mut batch = None;
    for (x, dim) in inputs.iter().zip(in_dims) {
        let Some(d) = *dim else { continue };
        let rank = x.shape().len() as i64;
        if rank == 0 || !(-rank..rank).contains(&d) {
            bail!(
                Argument,
                "vmap: in_dim {d} is out of range for an argument of shape {:?}",
                x.shape()
            );
        }
        let size = x.shape()[d.rem_euclid(rank) as usize];
        match batch {
            Some(b) if b != size => bail!(
                Argument,
                "vmap: the mapped dims have different sizes ({b} and {size})"
            ),
            _ => batch = Some(size),
        }
    }
    match batch {
        None => bail!(
            Argument,
            "vmap: at least one argument must be mapped (an in_dim not None)"
        ),
        Some(0) => bail!(
            Argument,
            "vmap: the mapped dim has size 0 (flodl calls f once per sample)"
        ),
        Some(b) => Ok(b),
    }
}

/// `f` mapped over the dims `in_dims` of `inputs` (one per input, `None`
/// for an input every sample shares), its outputs stacked along `out_dims`
/// (one per output, or one for all; `None` for an output that is the same
/// for every sample), as `torch.func.vmap`. `f` runs once per sample, so
/// the values are torch's and gradients flow back to `inputs`.
pub fn vmap<F, O>(
    f: F,
    inputs: &[Variable],
    in_dims: &[Option<i64>],
    out_dims: &[Option<i64>],
    randomness: Randomness,
) -> Result<O::Each<Variable>>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let batch = batch_size(inputs, in_dims)?;
    let cpu = crate::Device::CPU;
    let state = match randomness {
        Randomness::Different => None,
        _ => Some(crate::get_rng_state(cpu)?),
    };
    let mut per_sample: Vec<Vec<Variable>> = Vec::with_capacity(batch as usize);
    for b in 0..batch {
        let sample: Vec<Variable> = inputs
            .iter()
            .zip(in_dims)
            .map(|(x, d)| match d {
                Some(d) => x.select(*d, b),
                None => Ok(x.clone()),
            })
            .collect::<Result<_>>()?;
        if let (Randomness::Same, Some(state)) = (randomness, &state) {
            crate::set_rng_state(state, cpu)?;
        }
        let outputs = f(&sample)?.into_vec();
        if let Some(first) = per_sample.first() {
            if first.len() != outputs.len() {
                bail!(
                    Argument,
                    "vmap: f returned {} outputs for sample 0 and {} for sample {b}",
                    first.len(),
                    outputs.len()
                );
            }
        }
        per_sample.push(outputs);
        if let (Randomness::Error, Some(state)) = (randomness, &state) {
            if !crate::get_rng_state(cpu)?.equal(state)? {
                bail!(
                    Argument,
                    "vmap: f draws random numbers; pass randomness='different' or 'same'"
                );
            }
        }
    }
    let outputs = per_sample[0].len();
    if out_dims.len() != 1 && out_dims.len() != outputs {
        bail!(
            Argument,
            "vmap: {} out_dims for {outputs} outputs of f",
            out_dims.len()
        );
    }
    let stacked = (0..outputs)
        .map(|i| {
            let items: Vec<&Variable> = per_sample.iter().map(|s| &s[i]).collect();
            match out_dims[if out_dims.len() == 1 { 0 } else { i }] {
                Some(d) => Variable::stack(&items, d),
                None => {
                    for item in &items[1..] {
                        if !item.equal(items[0])? {
                            bail!(
                                Argument,
                                "vmap: out_dims is None for an output that differs from sample to sample"
                            );
                        }
                    }
                    Ok(items[0].clone())
                }
            }
        })
        .collect::<Result<Vec<_>>>()?;
    O::each(stacked)
}

/// `f(xs)` (single-element) and its gradients with a graph, for the second
/// derivatives; a gradient that does not depend on `xs` is a constant.
fn first_gradients<F>(op: &str, f: &F, xs: &[Variable]) -> Result<(Variable, Vec<Variable>)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let output = single_element(op, f(xs)?)?;
    let grads = gradients(std::slice::from_ref(&output), None, xs, true)?;
    Ok((output, grads))
}

/// The Hessian of a single-element `f`: `h[i][j]` is shaped
/// `inputs[i].shape ++ inputs[j].shape`, as
/// `torch.autograd.functional.hessian`.
pub fn hessian<F>(f: F, inputs: &[&Tensor]) -> Result<Vec<Vec<Tensor>>>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    jacobian(
        |xs: &[Variable]| Ok(first_gradients("hessian", &f, xs)?.1),
        inputs,
    )
}

/// `f(inputs)` (single-element) and the Hessian-vector products with `v`
/// (one per input, shaped like it), as `torch.autograd.functional.hvp`
/// (reverse over reverse).
pub fn hvp<F>(f: F, inputs: &[&Tensor], v: &[&Tensor]) -> Result<(Tensor, Vec<Tensor>)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let op = "hvp";
    if v.len() != inputs.len() {
        bail!(
            Argument,
            "{op}: got {} vectors v for {} inputs",
            v.len(),
            inputs.len()
        );
    }
    for (x, u) in inputs.iter().zip(v) {
        if x.shape() != u.shape() {
            bail!(
                Shape,
                "{op}: v has shape {:?}, its input {:?}",
                u.shape(),
                x.shape()
            );
        }
    }
    let leaves = leaves(inputs)?;
    let (output, grads) = first_gradients(op, &f, &leaves)?;
    let v: Vec<Variable> = v
        .iter()
        .map(|u| Variable::new((*u).clone(), false))
        .collect::<Result<_>>()?;
    let products = gradients(&grads, Some(&v), &leaves, false)?;
    Ok((output.data(), values(products)))
}

/// Passes a level through `run`.
pub(crate) struct Level(pub(crate) u64);

impl crate::ops::FromTch<Level> for Level {
    fn from_tch(raw: Level) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}

/// Passes an optional tangent through `run`.
pub(crate) struct Maybe(pub(crate) Option<tch::Tensor>);

impl crate::ops::FromTch<Maybe> for Maybe {
    fn from_tch(raw: Maybe) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}
