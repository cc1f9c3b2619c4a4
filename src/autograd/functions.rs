//! Autograd beyond `backward()`: an upstream gradient, a retained graph,
//! gradients restricted to some inputs ([`Variable::backward_with`]),
//! several outputs in one pass ([`backward`]), and
//! gradients returned instead of accumulated, with their own graph for
//! higher orders ([`grad`]).

use crate::error::{bail, Result};
use crate::ops::{describe, run, Operand};
use crate::{Tensor, Variable};

/// The options of [`Variable::backward_with`]; `Default` is plain
/// `backward()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackwardOptions<'a> {
    /// The gradient of the output (shaped like it); `None` for a
    /// single-element output, whose gradient is 1.
    pub gradient: Option<&'a Tensor>,
    /// Keep the graph for another backward (else it is freed at once).
    pub retain_graph: bool,
    /// Fill the gradients of these leaves only (`None`: every leaf; an
    /// empty list is an Argument error, as in PyTorch).
    pub inputs: Option<&'a [&'a Variable]>,
    /// Record the gradients' own graph, so the filled gradients can be
    /// differentiated again. It keeps the graph too (PyTorch's
    /// `retain_graph=None` follows `create_graph`).
    pub create_graph: bool,
}

/// The options of [`grad`]; `Default` gives PyTorch's defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct GradOptions<'a> {
    /// The gradients of the outputs (each shaped like its output); `None`
    /// for single-element outputs. Variables, so that with `create_graph`
    /// the result can be differentiated through them too.
    pub grad_outputs: Option<&'a [&'a Variable]>,
    /// Keep the graph afterwards; `None` means as `create_graph`.
    pub retain_graph: Option<bool>,
    /// Record the gradients' own graph, for gradients of gradients.
    pub create_graph: bool,
    /// An input that did not contribute gets `None` instead of an error.
    pub allow_unused: bool,
}

impl Variable {
    /// `backward()` with options: an upstream `gradient` for a non-scalar
    /// output, `retain_graph` to keep the graph, `inputs` to fill only some
    /// leaves' gradients. Without `retain_graph`, the output's graph is cut
    /// afterwards, as plain `backward()` does.
    pub fn backward_with(&self, options: BackwardOptions<'_>) -> Result<()> {
        let gradient = [options.gradient];
        let options = BackwardOptions {
            gradient: None,
            ..options
        };
        backward(&[self], &gradient, options)
    }
}

/// Fills the leaves' gradients from several outputs in one backward pass,
/// as `torch.autograd.backward`: output `i`'s upstream gradient is
/// `gradients[i]` (`None` for a single-element output: 1), and each leaf
/// gets the sum over the outputs. `options` as for
/// [`Variable::backward_with`], whose `gradient` goes in `gradients`
/// instead (giving it here is an Argument error). Every output is checked
/// before anything runs.
pub fn backward(
    outputs: &[&Variable],
    gradients: &[Option<&Tensor>],
    options: BackwardOptions<'_>,
) -> Result<()> {
    let op = "backward";
    if outputs.is_empty() {
        bail!(Argument, "{op}: no outputs to differentiate");
    }
    if gradients.len() != outputs.len() {
        bail!(
            Argument,
            "{op}: got {} gradients for {} outputs",
            gradients.len(),
            outputs.len()
        );
    }
    if options.gradient.is_some() {
        bail!(
            Argument,
            "{op}: with several outputs, give each its gradient in gradients, not options.gradient"
        );
    }
    let one = outputs.len() == 1;
    for (i, (output, gradient)) in outputs.iter().zip(gradients).enumerate() {
        let which = match one {
            true => "the output".to_string(),
            false => format!("output {i}"),
        };
        match gradient {
            Some(g) if g.shape() != output.shape() => bail!(
                Shape,
                "{op}: the gradient of {which} has shape {:?}, the output {:?}",
                g.shape(),
                output.shape()
            ),
            None if output.numel() != 1 => bail!(
                Autograd,
                "{op}: {which} has shape {:?} ({} elements) and needs a gradient of its shape (or reduce it first, e.g. with sum())",
                output.shape(),
                output.numel()
            ),
            _ => {}
        }
        if !output.requires_grad() {
            let why = output.why_no_graph().replacen("this output", &which, 1);
            bail!(Autograd, "{op}: {why}");
        }
    }
    if options.inputs.is_some_and(|inputs| inputs.is_empty()) {
        bail!(
            Argument,
            "{op}: inputs is empty; leave it out (None) to fill every leaf's gradient"
        );
    }
    let retain_graph = options.retain_graph || options.create_graph;
    let inputs: Vec<Option<&tch::Tensor>> = options
        .inputs
        .unwrap_or(&[])
        .iter()
        .map(|v| Some(v.raw()))
        .collect();
    let raws: Vec<&tch::Tensor> = outputs.iter().map(|o| o.raw()).collect();
    let roots: Vec<Option<&tch::Tensor>> = raws.iter().map(|r| Some(*r)).collect();
    let grads: Vec<Option<&tch::Tensor>> = gradients.iter().map(|g| g.map(Operand::raw)).collect();
    Variable::count_backward_pass();
    run::<(), _, _>(op, &raws, || {
        crate::ffi::backward(&roots, &grads, retain_graph, options.create_graph, &inputs)
    })?;
    if !retain_graph {
        for output in outputs.iter().filter(|o| !o.is_leaf()) {
            if crate::ffi::detach_in_place(output.raw()).is_err() {
                bail!(
                    Autograd,
                    "{op}: the gradients are filled, but libtorch could not free the graph of {}",
                    describe(output.raw())
                );
            }
            output.mark_freed();
        }
    }
    Ok(())
}

/// The gradients of `outputs` with respect to `inputs`, returned rather
/// than added to `.grad`, as `torch.autograd.grad`. With
/// `create_graph`, each gradient carries a graph, so gradients of gradients
/// (penalties, Hessian-vector products, any order) follow. An input that
/// did not contribute is an Autograd error naming it, or `None` with
/// `allow_unused`.
pub fn grad(
    outputs: &[&Variable],
    inputs: &[&Variable],
    options: GradOptions<'_>,
) -> Result<Vec<Option<Variable>>> {
    let op = "grad";
    if outputs.is_empty() || inputs.is_empty() {
        bail!(Argument, "{op}: needs at least one output and one input");
    }
    if let Some(grads) = options.grad_outputs {
        if grads.len() != outputs.len() {
            bail!(
                Argument,
                "{op}: {} grad_outputs for {} outputs",
                grads.len(),
                outputs.len()
            );
        }
    }
    for (i, out) in outputs.iter().enumerate() {
        let given = options.grad_outputs.map(|g| g[i]);
        match given {
            Some(g) if g.shape() != out.shape() => bail!(
                Shape,
                "{op}: grad_outputs[{i}] has shape {:?}, output {i} has {:?}",
                g.shape(),
                out.shape()
            ),
            None if out.numel() != 1 => bail!(
                Autograd,
                "{op}: output {i} has shape {:?}: a non-scalar output needs a grad_outputs entry",
                out.shape()
            ),
            _ => {}
        }
        if !out.requires_grad() {
            bail!(
                Autograd,
                "{op}: output {i} ({}) does not require grad",
                describe(out.raw())
            );
        }
    }
    for (i, input) in inputs.iter().enumerate() {
        if !input.requires_grad() {
            bail!(
                Autograd,
                "{op}: input {i} ({}) does not require grad",
                describe(input.raw())
            );
        }
    }
    let outs: Vec<Option<&tch::Tensor>> = outputs.iter().map(|v| Some(v.raw())).collect();
    let ins: Vec<Option<&tch::Tensor>> = inputs.iter().map(|v| Some(v.raw())).collect();
    let grad_outs: Vec<Option<&tch::Tensor>> = match options.grad_outputs {
        Some(g) => g.iter().map(|v| Some(v.raw())).collect(),
        None => vec![None; outputs.len()],
    };
    let operands: Vec<&tch::Tensor> = outs.iter().chain(&ins).flatten().copied().collect();
    let grads: Vec<Option<tch::Tensor>> = run(op, &operands, || {
        crate::ffi::grad(
            &outs,
            &grad_outs,
            &ins,
            options.retain_graph,
            options.create_graph,
            true,
        )
        .map(Raw)
    })
    .map(|Raw(g)| g)?;
    let mut results = Vec::with_capacity(grads.len());
    for (i, g) in grads.into_iter().enumerate() {
        match g {
            Some(g) => results.push(Some(Variable::from_raw(g))),
            None if options.allow_unused => results.push(None),
            None => bail!(
                Autograd,
                "{op}: input {i} ({}) was not used to compute the outputs; pass allow_unused to get None for it",
                describe(inputs[i].raw())
            ),
        }
    }
    Ok(results)
}

/// [`grad`] for each row of a batch of `grad_outputs` (each shaped
/// `[batch, *output's shape]`), the gradients stacked along a new first
/// dim, as PyTorch's `is_grads_batched=True`: one backward per row (PyTorch
/// vectorizes it; the numbers are the same). An input unused by every row
/// is `None` with `allow_unused`.
pub fn grad_batched(
    outputs: &[&Variable],
    inputs: &[&Variable],
    options: GradOptions<'_>,
) -> Result<Vec<Option<Variable>>> {
    let op = "grad";
    let Some(batched) = options.grad_outputs else {
        bail!(
            Argument,
            "{op}: is_grads_batched needs grad_outputs, one batch per output"
        );
    };
    let sizes: Vec<i64> = batched
        .iter()
        .map(|g| g.shape().first().copied().unwrap_or(0))
        .collect();
    let rows = sizes.first().copied().unwrap_or(0);
    if rows == 0 || sizes.iter().any(|&s| s != rows) || batched.iter().any(|g| g.shape().is_empty())
    {
        bail!(
            Shape,
            "{op}: with is_grads_batched every grad_outputs entry needs one leading batch dim of a \
             common, non-zero size, got sizes {sizes:?}"
        );
    }
    let keep = options.retain_graph.unwrap_or(options.create_graph);
    let mut rows_of: Vec<Vec<Variable>> = vec![Vec::with_capacity(rows as usize); inputs.len()];
    for row in 0..rows {
        let picked: Vec<Variable> = batched
            .iter()
            .map(|g| g.select(0, row))
            .collect::<Result<_>>()?;
        let picked: Vec<&Variable> = picked.iter().collect();
        let grads = grad(
            outputs,
            inputs,
            GradOptions {
                grad_outputs: Some(&picked),
                retain_graph: Some(keep || row + 1 < rows),
                ..options
            },
        )?;
        for (i, g) in grads.into_iter().enumerate() {
            match g {
                Some(g) => rows_of[i].push(g),
                // Unused by this row: by every row (the graph is the same).
                None => rows_of[i].clear(),
            }
        }
    }
    rows_of
        .into_iter()
        .map(|parts| match parts.is_empty() {
            true => Ok(None),
            false => Ok(Some(Variable::stack(&parts, 0)?)),
        })
        .collect()
}

/// Raw gradients, passed through `run` untouched (their dtypes are the
/// inputs', which are flodl's).
struct Raw(Vec<Option<tch::Tensor>>);

impl crate::ops::FromTch<Raw> for Raw {
    fn from_tch(raw: Raw) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}
