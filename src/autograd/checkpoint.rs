//! Gradient checkpointing: run a piece of a model without keeping its
//! intermediate values, and run it again during backward to get them.

use std::sync::Mutex;

use super::function::{attach, ReleaseSaved};
use super::functions::{grad, GradOptions};
use crate::error::{bail, Result};
use crate::ops::Operand;
use crate::{get_rng_state, set_rng_state, Device, Tensor, Variable};

/// `f(inputs)`, keeping only the inputs for backward: backward runs `f`
/// again (with the random generators as they were, so dropout and other
/// random ops replay the same numbers) and differentiates that. The
/// gradients are the same as without checkpointing; the memory of `f`'s
/// intermediates is held only during its own backward.
pub fn checkpoint<F>(f: F, inputs: &[&Variable]) -> Result<Vec<Variable>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>> + Send + Sync + 'static,
{
    let mut devices = vec![Device::CPU];
    for v in inputs {
        if !devices.contains(&v.device()) {
            devices.push(v.device());
        }
    }
    let states = devices
        .iter()
        .map(|&d| Ok((d, get_rng_state(d)?)))
        .collect::<Result<Vec<(Device, Tensor)>>>()?;
    let kept: Vec<Variable> = inputs.iter().map(|v| (*v).clone()).collect();
    let outputs = crate::no_grad(|| f(&kept))?;
    let values: Vec<Tensor> = outputs.iter().map(|o| o.data()).collect();
    let values: Vec<&Tensor> = values.iter().collect();
    let differentiable: Vec<bool> = outputs
        .iter()
        .map(|o| o.dtype().is_floating_point())
        .collect();
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
        let gradients = recompute(&f, &inputs, grads);
        for (d, state) in &now {
            set_rng_state(state, *d)?;
        }
        gradients
    };
    let free = move || drop(freed.lock().unwrap_or_else(|p| p.into_inner()).take());
    attach(
        "checkpoint",
        inputs,
        &values,
        &differentiable,
        backward,
        ReleaseSaved(Some(Box::new(free))),
    )
}

/// Runs `f` again on fresh leaves holding the inputs' values and returns
/// the gradients of its outputs (weighted by `grads`) for each input.
fn recompute<F>(f: &F, inputs: &[Variable], grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>>
where
    F: Fn(&[Variable]) -> Result<Vec<Variable>>,
{
    let leaves = inputs
        .iter()
        .map(|v| Variable::new(v.data(), v.requires_grad()))
        .collect::<Result<Vec<Variable>>>()?;
    let outputs = crate::enable_grad(|| f(&leaves))?;
    if outputs.len() != grads.len() {
        bail!(
            Autograd,
            "checkpoint: f returned {} outputs when run again, {} the first time",
            outputs.len(),
            grads.len()
        );
    }
    let mut reached = Vec::new();
    let mut weights = Vec::new();
    for (out, g) in outputs.iter().zip(grads) {
        if let (Some(g), true) = (g, out.requires_grad()) {
            reached.push(out);
            weights.push(Variable::from_raw(g.raw().shallow_clone()));
        }
    }
    let wanted: Vec<&Variable> = leaves.iter().filter(|l| l.requires_grad()).collect();
    if reached.is_empty() || wanted.is_empty() {
        return Ok(vec![None; inputs.len()]);
    }
    let weights: Vec<&Variable> = weights.iter().collect();
    let options = GradOptions {
        grad_outputs: Some(&weights),
        allow_unused: true,
        ..Default::default()
    };
    let mut found = grad(&reached, &wanted, options)?.into_iter();
    Ok(leaves
        .iter()
        .map(|l| {
            if l.requires_grad() {
                found.next().flatten().map(|g| g.data())
            } else {
                None
            }
        })
        .collect())
}
