//! [`Variable`]: a tensor whose operations are recorded for backward.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use crate::error::{bail, Error, Result};
use crate::ops::catalogue::method_ops;
use crate::ops::{core_methods, run, Operand};
use crate::tensor::{core_joins, tensor_like_methods};
use crate::Tensor;

/// A tensor tracked by autograd. Made by the user it is a leaf; made by an
/// op it carries the graph back to the leaves it came from.
pub struct Variable {
    raw: tch::Tensor,
    _live: crate::live::LiveHandle,
    /// How this Variable came to be (an [`Origin`]), for `explain_grad`.
    origin: AtomicU8,
    /// The count of backward passes when it was made or last zeroed.
    since: AtomicU64,
}

/// How a Variable came to be: what `explain_grad` tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Origin {
    /// `Variable::new` (the user).
    User = 0,
    /// An op, with grad mode on.
    Op = 1,
    /// An op, with grad mode off.
    NoGrad = 2,
    /// `detach()`.
    Detached = 3,
    /// An output whose graph a backward freed.
    Freed = 4,
}

/// Backward passes run in this process (`backward`, `backward_with`).
pub(crate) static BACKWARD_PASSES: AtomicU64 = AtomicU64::new(0);

impl Variable {
    pub(crate) fn with_origin(raw: tch::Tensor, origin: Origin) -> Self {
        Variable {
            raw,
            _live: crate::live::LiveHandle::new(),
            origin: AtomicU8::new(origin as u8),
            since: AtomicU64::new(BACKWARD_PASSES.load(Ordering::Relaxed)),
        }
    }

    pub(crate) fn origin(&self) -> Origin {
        match self.origin.load(Ordering::Relaxed) {
            0 => Origin::User,
            1 => Origin::Op,
            2 => Origin::NoGrad,
            3 => Origin::Detached,
            _ => Origin::Freed,
        }
    }

    fn set_origin(&self, origin: Origin) {
        self.origin.store(origin as u8, Ordering::Relaxed);
    }

    /// Backward passes since this Variable was made or last zeroed.
    pub(crate) fn passes_since(&self) -> u64 {
        BACKWARD_PASSES.load(Ordering::Relaxed) - self.since.load(Ordering::Relaxed)
    }

    pub(crate) fn count_backward_pass() {
        BACKWARD_PASSES.fetch_add(1, Ordering::Relaxed);
    }

    /// Why this output has no graph to run backward through, the likeliest
    /// reason first (the message of backward and autograd.grad).
    pub(crate) fn why_no_graph(&self) -> String {
        let what = crate::ops::describe(&self.raw);
        match self.origin() {
            Origin::Freed => format!(
                "this output ({what}) went through backward once already, which freed its graph; \
                 pass retain_graph=True to the first backward to run through it again"
            ),
            _ => format!(
                "this output ({what}) does not require grad: no input requires grad, it was \
                 computed under no_grad, or an earlier backward already freed its graph"
            ),
        }
    }

    pub(crate) fn mark_freed(&self) {
        self.set_origin(Origin::Freed);
    }
}

impl Operand for Variable {
    fn raw(&self) -> &tch::Tensor {
        &self.raw
    }
    fn from_raw(raw: tch::Tensor) -> Self {
        let origin = if crate::is_grad_enabled() {
            Origin::Op
        } else {
            Origin::NoGrad
        };
        Variable::with_origin(raw, origin)
    }
}

impl Clone for Variable {
    /// A new handle on the same node: gradients reach the same leaf.
    fn clone(&self) -> Self {
        let copy = Variable::with_origin(self.raw.shallow_clone(), self.origin());
        copy.since
            .store(self.since.load(Ordering::Relaxed), Ordering::Relaxed);
        copy
    }
}

method_ops!(core_methods(Variable));
tensor_like_methods!(Variable);

impl crate::ops::sealed::Sealed for Variable {}

impl Variable {
    /// A leaf holding `data` (shared, not copied). With `requires_grad`,
    /// backward fills its gradient; only floating-point and complex data
    /// can have one.
    pub fn new(data: Tensor, requires_grad: bool) -> Result<Variable> {
        if requires_grad && !data.dtype().is_differentiable() {
            bail!(
                DType,
                "Variable::new: only floating-point and complex tensors can require grad, got {} {:?}",
                data.dtype(),
                data.shape()
            );
        }
        // A fresh handle, so the user's Tensor stays untracked.
        let raw = data.detach()?.into_raw();
        if requires_grad {
            let leaf: Variable = run("Variable::new", &[&raw], || raw.f_set_requires_grad(true))?;
            leaf.set_origin(Origin::User);
            Ok(leaf)
        } else {
            Ok(Variable::with_origin(raw, Origin::User))
        }
    }

    /// A Variable handle on `t` itself (not a copy, not detached): for a
    /// Tensor that the Python bindings' `requires_grad_()` turned into a
    /// leaf in place, so that ops record through it and its gradient is
    /// the one `t` shows.
    #[cfg(feature = "python")]
    pub(crate) fn view_of(t: &Tensor) -> Variable {
        Variable::with_origin(t.raw().shallow_clone(), Origin::User)
    }

    /// The values, as an untracked Tensor sharing this Variable's memory.
    pub fn data(&self) -> Tensor {
        // detach of a defined tensor cannot fail.
        Tensor::from_raw(self.raw.detach())
    }

    /// The accumulated gradient, or `None` before any backward reached this
    /// Variable (and after `zero_grad`).
    pub fn grad(&self) -> Option<Tensor> {
        // retains_grad of a defined tensor cannot fail (false if it could).
        if !self.is_leaf() && !self.raw.f_retains_grad().unwrap_or(false) {
            crate::warnings::warn(&format!(
                "grad: this Variable ({}) was made by an op, not by you: backward keeps the gradients of leaves only, so its grad is None (call retain_grad() on it before backward to keep its gradient; explain_grad() tells why a grad is None)",
                crate::ops::describe(&self.raw)
            ));
            return None;
        }
        // Reading .grad of a defined tensor cannot fail; it is undefined
        // when there is no gradient.
        let grad = self.raw.grad();
        if !grad.defined() {
            return None;
        }
        // A ZeroTensor (storage-less zeros from autograd) is read as zeros.
        if grad.f_internal_is_zerotensor().unwrap_or(false) {
            if let Ok(zeros) = tch::Tensor::f_zeros(grad.size(), (grad.kind(), grad.device())) {
                return Some(Tensor::from_raw(zeros));
            }
        }
        Some(Tensor::from_raw(grad))
    }

    /// Whether the user made this Variable (true) or an op did (false).
    pub fn is_leaf(&self) -> bool {
        self.raw.is_leaf()
    }

    /// Resets the gradient to `None`.
    pub fn zero_grad(&self) {
        // The shim only fails on an undefined tensor, which a Variable never holds.
        let _cleared = crate::ffi::clear_grad(&self.raw);
        self.since
            .store(BACKWARD_PASSES.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    /// The same as [`zero_grad`](Self::zero_grad): flodl always resets to `None`.
    pub fn zero_grad_set_to_none(&self) {
        self.zero_grad()
    }

    /// Sets the gradient (`None` clears it). It must have this Variable's
    /// shape, dtype and device.
    pub fn set_grad(&self, grad: Option<&Tensor>) -> Result<()> {
        let raws: Vec<&tch::Tensor> = std::iter::once(&self.raw)
            .chain(grad.map(Operand::raw))
            .collect();
        run("set_grad", &raws, || {
            crate::ffi::set_grad(&self.raw, grad.map(Operand::raw))
        })
    }

    /// Makes a leaf require grad, or not. A result of an op (not a leaf) is
    /// an Autograd error, as is an integer Variable asked to require grad.
    pub fn set_requires_grad(&self, requires_grad: bool) -> Result<()> {
        let op = "set_requires_grad";
        let described = crate::ops::describe(&self.raw);
        if !self.is_leaf() {
            bail!(Autograd, "{op}: you can only change requires_grad flags of leaf variables; this Variable ({described}) was made by an op (use detach() for a new leaf)");
        }
        if requires_grad && !self.dtype().is_differentiable() {
            bail!(
                DType,
                "{op}: only floating-point and complex tensors can require grad, got {described}"
            );
        }
        run(op, &[&self.raw], || {
            crate::ffi::set_requires_grad(&self.raw, requires_grad)
        })
    }

    /// Replaces the values behind this Variable (the same leaf, the same
    /// graph position) with `data`'s, as PyTorch's `v.data = t`.
    pub fn set_data(&self, data: &Tensor) -> Result<()> {
        run("set_data", &[&self.raw, data.raw()], || {
            crate::ffi::set_data(&self.raw, data.raw())
        })
    }

    /// Cuts this Variable from its graph in place, as PyTorch's `detach_`:
    /// it becomes a leaf that requires no grad. (A view is detached too,
    /// where PyTorch refuses: this handle then stops being a view.)
    pub fn detach_(&self) -> Result<()> {
        if crate::ffi::detach_in_place(&self.raw).is_err() {
            bail!(
                Autograd,
                "detach_: libtorch could not detach {} in place",
                crate::ops::describe(&self.raw)
            );
        }
        self.set_origin(Origin::Detached);
        Ok(())
    }

    /// A new leaf sharing the data, with no tracking.
    pub fn detach(&self) -> Variable {
        // detach of a defined tensor cannot fail.
        Variable::with_origin(self.raw.detach(), Origin::Detached)
    }

    /// Computes the gradient of this single-element output with respect to
    /// every leaf that requires grad and contributed to it, adding it to
    /// their `grad()`. Then cuts this output's graph, freeing its memory: a
    /// second backward on it is an Autograd error.
    pub fn backward(&self) -> Result<()> {
        if self.numel() != 1 {
            bail!(Autograd, "backward: needs a single-element output, got shape {:?} ({} elements); reduce it first, e.g. with sum() or mean()",
                self.shape(),
                self.numel());
        }
        if !self.requires_grad() {
            bail!(Autograd, "backward: {}", self.why_no_graph());
        }
        Variable::count_backward_pass();
        self.raw
            .f_backward()
            .map_err(|e| Error::from_torch("backward", &crate::ops::describe(&self.raw), e))?;
        // Free the graph now rather than when the last handle goes. A leaf
        // has no graph and must keep requiring grad.
        if !self.is_leaf() {
            if crate::ffi::detach_in_place(&self.raw).is_err() {
                bail!(
                    Autograd,
                    "backward: the gradients are filled, but libtorch could not free the graph of {}",
                    crate::ops::describe(&self.raw)
                );
            }
            self.mark_freed();
        }
        Ok(())
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.data();
        write!(
            f,
            "Variable({}, shape={:?}, dtype={}, device={}, requires_grad={})",
            data.values_string(),
            data.shape(),
            data.dtype(),
            data.device(),
            // As Bool values print: the same word in Rust and Python.
            if self.requires_grad() {
                "True"
            } else {
                "False"
            }
        )
    }
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
