//! `explain_grad`: why a Variable's `grad` is what it is, above all why it
//! is `None`, in one paragraph.

use super::variable::Origin;
use crate::ops::{describe, Operand};
use crate::Variable;

/// Why `v.grad()` is what it is: one paragraph naming the cause.
pub fn explain_grad(v: &Variable) -> String {
    v.explain_grad()
}

impl Variable {
    /// Why `grad()` is what it is, above all why it is `None`: the Variable
    /// does not require grad (made so, by `detach()`, under `no_grad`, by an
    /// op whose inputs did not, or an integer dtype), it is not a leaf and
    /// did not `retain_grad()`, no backward reached it since it was made or
    /// last zeroed (and whether backward passes ran that did not depend on
    /// it), or its graph was freed.
    pub fn explain_grad(&self) -> String {
        let what = describe(self.raw());
        let passes = self.passes_since();
        let ran = match passes {
            0 => "no backward has run".to_string(),
            1 => "1 backward pass ran".to_string(),
            n => format!("{n} backward passes ran"),
        };
        // .grad is read only where libtorch keeps it (it warns otherwise).
        let keeps_grad = self.is_leaf() || self.retains_grad();
        let has_grad = keeps_grad && self.raw().f_grad().is_ok_and(|g| g.defined());
        if has_grad {
            return format!(
                "This Variable ({what}) has a gradient: the sum of what the backward passes that reached it added since it was made or last zeroed ({ran} since then); zero_grad() resets it to None."
            );
        }
        if !self.dtype().is_differentiable() {
            return format!(
                "grad is None: this Variable ({what}) has an integer or bool dtype, and only floating-point and complex Variables can have gradients."
            );
        }
        if !self.requires_grad() {
            let why = match self.origin() {
                Origin::User => "it was made with requires_grad=False (the default of Variable(data)); set requires_grad = True on it, or make it with requires_grad=True, to track it",
                Origin::Detached => "it was made by detach(), which shares the values but leaves the graph behind",
                Origin::NoGrad => "it was computed with grad mode off (inside no_grad or inference_mode), so no graph was recorded",
                Origin::Freed => "it is the output a backward ran from, and that backward freed its graph (backward frees the graph at once unless retain_graph=True)",
                Origin::Op => "none of the inputs of the op that made it required grad",
            };
            return format!("grad is None: this Variable ({what}) does not require grad: {why}.");
        }
        if !self.is_leaf() && !self.retains_grad() {
            let node = crate::ffi::grad_fn_name(self.raw())
                .ok()
                .flatten()
                .unwrap_or_else(|| "an op".to_string());
            return format!(
                "grad is None: this Variable ({what}) was made by an op ({node}), not by you, and backward keeps the gradients of leaves only; call retain_grad() on it before backward to keep its gradient."
            );
        }
        if passes == 0 {
            return format!(
                "grad is None: no backward has run since this Variable ({what}) was made or last zeroed."
            );
        }
        format!(
            "grad is None: {ran} since this Variable ({what}) was made or last zeroed, and none reached it: the outputs they started from did not depend on it (or backward's inputs= left it out)."
        )
    }
}
