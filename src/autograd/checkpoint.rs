//! Gradient checkpointing: run a piece of a model without keeping its
//! intermediate values, and run it again during backward to get them.

use std::sync::Mutex;

use super::function::attach;
use crate::error::{bail, Result};
use crate::{get_rng_state, set_rng_state, Device, Tensor, Variable};

/// `f(inputs)`, keeping only the inputs for backward: backward runs `f`
/// again (with the random generators as they were, so dropout and other
/// random ops replay the same numbers) and runs backward through that, so
/// the inputs and the parameters `f` uses get the same gradients as without
/// checkpointing, while `f`'s intermediates are held only during its own
/// backward.
pub fn checkpoint<F>(f: F, inputs: &[&Variable]) -> Result<Vec<Variable>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>> + Send + 'static,
{
    checkpoint_with(f, inputs, true)
}

/// [`checkpoint`], with PyTorch's `preserve_rng_state`: false leaves the
/// random generators alone in backward (random ops then draw new numbers
/// when run again).
pub fn checkpoint_with<F>(
    f: F,
    inputs: &[&Variable],
    preserve_rng_state: bool,
) -> Result<Vec<Variable>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>> + Send + 'static,
{
    checkpoint_then(f, inputs, preserve_rng_state, || ())
}

/// [`checkpoint_with`], running `done` after forward's call of `f` and
/// after each recomputation and its backward (the Python binding lets go
/// there of what `f`'s outputs kept alive).
pub(crate) fn checkpoint_then<F, R>(
    f: F,
    inputs: &[&Variable],
    preserve_rng_state: bool,
    done: R,
) -> Result<Vec<Variable>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>> + Send + 'static,
    R: Fn() + Send + 'static,
{
    if !crate::is_grad_enabled() {
        // Nothing is recorded, so nothing is recomputed: the call itself, as
        // PyTorch's checkpoint under no_grad (an `f` that turns grad on
        // inside records its graph as it would without checkpointing).
        let kept: Vec<Variable> = inputs.iter().map(|v| (*v).clone()).collect();
        let outputs = f(&kept);
        done();
        return outputs;
    }
    let mut devices = vec![Device::CPU];
    for v in inputs {
        if !devices.contains(&v.device()) {
            devices.push(v.device());
        }
    }
    if !preserve_rng_state {
        devices.clear();
    }
    let states = devices
        .iter()
        .map(|&d| Ok((d, get_rng_state(d)?)))
        .collect::<Result<Vec<(Device, Tensor)>>>()?;
    // Recomputed in the forward's autocast state, not backward's.
    let autocast = crate::amp::AutocastSnapshot::now()?;
    let kept: Vec<Variable> = inputs.iter().map(|v| (*v).clone()).collect();
    let outputs = crate::no_grad(|| f(&kept));
    done();
    let outputs = outputs?;
    let shapes: Vec<Vec<i64>> = outputs.iter().map(|o| o.shape()).collect();
    let values: Vec<Tensor> = outputs.iter().map(|o| o.data()).collect();
    let values: Vec<&Tensor> = values.iter().collect();
    let differentiable: Vec<bool> = outputs
        .iter()
        .map(|o| o.dtype().is_differentiable())
        .collect();
    // A leaf that requires grad, so that the node is recorded even when no
    // input requires grad (the parameters `f` uses may).
    let anchor = Variable::new(Tensor::zeros(&[], Default::default())?, true)?;
    let mut with_anchor: Vec<&Variable> = inputs.to_vec();
    with_anchor.push(&anchor);
    let saved = std::sync::Arc::new(Mutex::new(Some(kept)));
    let freed = std::sync::Arc::clone(&saved);
    let backward = move |grads: &[Option<Tensor>]| {
        let inputs = match &*saved.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(inputs) => inputs.clone(),
            None => bail!(Autograd, "checkpoint: its inputs were freed by an earlier backward; pass retain_graph to the first one"),
        };
        let now = states
            .iter()
            .map(|(d, _)| Ok((*d, get_rng_state(*d)?)))
            .collect::<Result<Vec<(Device, Tensor)>>>()?;
        for (d, state) in &states {
            set_rng_state(state, *d)?;
        }
        let gradients = recompute(&f, &inputs, &autocast, &shapes, grads).map(|mut g| {
            g.push(None); // the anchor's
            g
        });
        done();
        for (d, state) in &now {
            set_rng_state(state, *d)?;
        }
        gradients
    };
    let free = move || drop(freed.lock().unwrap_or_else(|p| p.into_inner()).take());
    attach(
        "checkpoint",
        &with_anchor,
        &values,
        &crate::autograd::function::OutputKind::all(&differentiable),
        false,
        backward,
        Box::new(free),
    )
}

/// Runs `f` again on fresh leaves holding the inputs' values (in the
/// forward's autocast state) and runs backward through it with the outputs'
/// gradients: the parameters `f` uses get their gradients as without
/// checkpointing, and the leaves' are returned (one per input).
fn recompute<F>(
    f: &F,
    inputs: &[Variable],
    autocast: &crate::amp::AutocastSnapshot,
    shapes: &[Vec<i64>],
    grads: &[Option<Tensor>],
) -> Result<Vec<Option<Tensor>>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>>,
{
    let leaves = inputs
        .iter()
        .map(|v| Variable::new(v.data(), v.requires_grad()))
        .collect::<Result<Vec<Variable>>>()?;
    // libtorch runs a node's backward with grad mode off.
    crate::enable_grad(|| -> Result<()> {
        let outputs = autocast.replay(|| f(&leaves))??;
        let again: Vec<Vec<i64>> = outputs.iter().map(|o| o.shape()).collect();
        if again != shapes {
            bail!(
                Autograd,
                "checkpoint: f returned outputs of shapes {again:?} when run again, {shapes:?} \
                 the first time; it must compute the same outputs both times"
            );
        }
        let mut total: Option<Variable> = None;
        for (out, g) in outputs.iter().zip(grads) {
            if let (Some(g), true) = (g, out.requires_grad()) {
                let weight = Variable::new(g.clone(), false)?;
                let term = out.mul(&weight)?.sum()?;
                total = Some(match total {
                    Some(t) => t.add(&term)?,
                    None => term,
                });
            }
        }
        match total {
            Some(total) => total.backward(),
            None => Ok(()),
        }
    })?;
    Ok(leaves
        .iter()
        .map(|l| if l.requires_grad() { l.grad() } else { None })
        .collect())
}
