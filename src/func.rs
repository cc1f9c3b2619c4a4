//! Function transforms, as `torch.func` and `torch.autograd.functional`:
//! the vector-Jacobian product ([`vjp`]), the Jacobian-vector product in
//! true forward mode through libtorch's dual tensors ([`jvp`]), and from them
//! [`grad`], [`jacobian`], [`hessian`] and [`hvp`].
//!
//! `f` is a closure over Variables with one Variable result. The primals
//! become fresh leaves (their values are shared, their graphs are not), so
//! a transform does not reach back into the graph the primals came from.

use crate::autograd::{grad as autograd_grad, GradOptions};
use crate::error::{bail, Result};
use crate::ops::{run, Operand};
use crate::{Tensor, Variable};

/// Fresh leaves holding the primals' values, that require grad.
fn leaves(primals: &[&Tensor]) -> Result<Vec<Variable>> {
    primals
        .iter()
        .map(|p| Variable::new((*p).clone(), true))
        .collect()
}

/// The vector-Jacobian products of one evaluation of `f`: what [`vjp`]
/// returns next to the value.
pub struct Vjp {
    output: Variable,
    inputs: Vec<Variable>,
}

impl Vjp {
    /// One vector-Jacobian product per primal, for `cotangent` (shaped like
    /// the output). It can be called again with another cotangent.
    pub fn apply(&self, cotangent: &Tensor) -> Result<Vec<Tensor>> {
        let cotangent = Variable::new(cotangent.clone(), false)?;
        let refs: Vec<&Variable> = self.inputs.iter().collect();
        let options = GradOptions {
            grad_outputs: Some(&[&cotangent]),
            retain_graph: Some(true),
            allow_unused: true,
            ..Default::default()
        };
        let grads = autograd_grad(&[&self.output], &refs, options)?;
        grads
            .into_iter()
            .zip(&self.inputs)
            .map(|(g, x)| match g {
                Some(g) => Ok(g.data()),
                None => Tensor::zeros_like(&x.data()),
            })
            .collect()
    }
}

/// `f(primals)` and its vector-Jacobian products ([`Vjp::apply`]), as
/// `torch.func.vjp`.
pub fn vjp<F>(f: F, primals: &[&Tensor]) -> Result<(Tensor, Vjp)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let inputs = leaves(primals)?;
    let output = f(&inputs)?;
    let value = output.data();
    Ok((value, Vjp { output, inputs }))
}

/// Exits a forward-AD level however the transform ends.
struct DualLevel(u64);

impl Drop for DualLevel {
    fn drop(&mut self) {
        // Exiting the innermost level cannot fail; if libtorch refused, the
        // level's tangents would only stay alive longer.
        let _exited = crate::ffi::exit_dual_level(self.0);
    }
}

/// `f(primals)` and its Jacobian-vector product with `tangents`, computed
/// in forward mode (libtorch's dual tensors), as `torch.func.jvp`.
pub fn jvp<F>(f: F, primals: &[&Tensor], tangents: &[&Tensor]) -> Result<(Tensor, Tensor)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let op = "jvp";
    if primals.len() != tangents.len() {
        bail!(
            Argument,
            "{op}: {} primals and {} tangents",
            primals.len(),
            tangents.len()
        );
    }
    for (i, (p, t)) in primals.iter().zip(tangents).enumerate() {
        if p.shape() != t.shape() {
            bail!(
                Shape,
                "{op}: tangent {i} has shape {:?}, its primal {:?}",
                t.shape(),
                p.shape()
            );
        }
    }
    let level =
        DualLevel(run::<Level, _, _>(op, &[], || crate::ffi::enter_dual_level().map(Level))?.0);
    let duals: Vec<Variable> = primals
        .iter()
        .zip(tangents)
        .map(|(p, t)| {
            run(op, &[p.raw(), t.raw()], || {
                crate::ffi::make_dual(p.raw(), t.raw(), level.0)
            })
        })
        .collect::<Result<_>>()?;
    let output = f(&duals)?;
    let tangent: Option<Tensor> = run::<Maybe, _, _>(op, &[output.raw()], || {
        crate::ffi::unpack_dual(output.raw(), level.0).map(Maybe)
    })?
    .0
    .map(Tensor::from_raw);
    let value = output.data().copy()?; // plain values, without the level's tangent
    drop(level);
    let tangent = match tangent {
        Some(t) => t,
        None => Tensor::zeros_like(&value)?,
    };
    Ok((value, tangent))
}

/// The gradient of a single-element `f` with respect to each primal, and
/// the value, as `torch.func.grad_and_value`.
pub fn grad_and_value<F>(f: F, primals: &[&Tensor]) -> Result<(Vec<Tensor>, Tensor)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let inputs = leaves(primals)?;
    let output = f(&inputs)?;
    if output.numel() != 1 {
        bail!(
            Shape,
            "grad: f must return a single-element Variable, got shape {:?}",
            output.shape()
        );
    }
    let refs: Vec<&Variable> = inputs.iter().collect();
    let options = GradOptions {
        allow_unused: true,
        ..Default::default()
    };
    let grads = autograd_grad(&[&output], &refs, options)?;
    let grads = grads
        .into_iter()
        .zip(&inputs)
        .map(|(g, x)| match g {
            Some(g) => Ok(g.data()),
            None => Tensor::zeros_like(&x.data()),
        })
        .collect::<Result<_>>()?;
    Ok((grads, output.data()))
}

/// The gradient of a single-element `f` with respect to each primal, as
/// `torch.func.grad`.
pub fn grad<F>(f: F, primals: &[&Tensor]) -> Result<Vec<Tensor>>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    Ok(grad_and_value(f, primals)?.0)
}

/// The Jacobian of `f` with respect to each input, shaped
/// `output.shape ++ input.shape`, as `torch.autograd.functional.jacobian`
/// (one vector-Jacobian product per output element).
pub fn jacobian<F>(f: F, inputs: &[&Tensor]) -> Result<Vec<Tensor>>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let (output, products) = vjp(f, inputs)?;
    let out_shape = output.shape();
    let n = output.numel() as i64;
    let eye = Tensor::eye(
        n,
        crate::TensorOptions {
            dtype: output.dtype(),
            device: output.device(),
        },
    )?;
    let mut rows: Vec<Vec<Tensor>> = vec![Vec::new(); inputs.len()];
    for i in 0..n {
        let cotangent = eye.select(0, i)?.reshape(&out_shape)?;
        for (k, g) in products.apply(&cotangent)?.into_iter().enumerate() {
            rows[k].push(g);
        }
    }
    rows.into_iter()
        .zip(inputs)
        .map(|(row, x)| {
            let mut shape = out_shape.clone();
            shape.extend(x.shape());
            Tensor::stack(&row, 0)?.reshape(&shape)
        })
        .collect()
}

/// The Hessian of a single-element `f` with respect to one input, shaped
/// `input.shape ++ input.shape`, as `torch.autograd.functional.hessian`.
pub fn hessian<F>(f: F, input: &Tensor) -> Result<Tensor>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let gradient = |xs: &[Variable]| -> Result<Variable> {
        let output = f(xs)?;
        let options = GradOptions {
            create_graph: true,
            ..Default::default()
        };
        autograd_grad(&[&output], &[&xs[0]], options)?
            .remove(0)
            .ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorKind::Autograd,
                    "hessian: f does not depend on its input",
                )
            })
    };
    Ok(jacobian(gradient, &[input])?.remove(0))
}

/// `f(inputs)` and the Hessian-vector product with `v`, as
/// `torch.autograd.functional.hvp` (reverse over reverse).
pub fn hvp<F>(f: F, input: &Tensor, v: &Tensor) -> Result<(Tensor, Tensor)>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let x = Variable::new(input.clone(), true)?;
    let output = f(std::slice::from_ref(&x))?;
    let create = GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let g = autograd_grad(&[&output], &[&x], create)?
        .remove(0)
        .ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::Autograd,
                "hvp: f does not depend on its input",
            )
        })?;
    let v = Variable::new(v.clone(), false)?;
    let options = GradOptions {
        grad_outputs: Some(&[&v]),
        allow_unused: true,
        ..Default::default()
    };
    let product = match autograd_grad(&[&g], &[&x], options)?.remove(0) {
        Some(p) => p.data(),
        None => Tensor::zeros_like(input)?,
    };
    Ok((output.data(), product))
}

/// Passes a level through `run`.
struct Level(u64);

impl crate::ops::FromTch<Level> for Level {
    fn from_tch(raw: Level) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}

/// Passes an optional tangent through `run`.
struct Maybe(Option<tch::Tensor>);

impl crate::ops::FromTch<Maybe> for Maybe {
    fn from_tch(raw: Maybe) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}
