//! Gradient hooks and retained gradients: `retain_grad()` makes a non-leaf
//! keep its gradient; `register_hook(f)` calls `f(grad)` when the gradient
//! with respect to a Variable is computed, and may replace it.

use crate::error::{bail, Result};
use crate::ops::{describe, run, Operand};
use crate::{Tensor, Variable};

/// Removes a hook registered by [`Variable::register_hook`] or
/// [`Variable::register_post_accumulate_grad_hook`].
#[derive(Debug)]
pub struct HookHandle {
    tensor: tch::Tensor,
    handle: u32,
    post_accumulate: bool,
}

impl HookHandle {
    /// Unregisters the hook; later backward passes do not call it.
    pub fn remove(self) -> Result<()> {
        run::<(), _, _>("remove_hook", &[&self.tensor], || {
            if self.post_accumulate {
                crate::ffi::remove_post_accumulate_grad_hook(&self.tensor, self.handle)
            } else {
                crate::ffi::remove_hook(&self.tensor, self.handle)
            }
        })
    }
}

impl Variable {
    /// Makes this non-leaf keep its gradient in `grad()` after backward
    /// (a leaf keeps it anyway).
    pub fn retain_grad(&self) -> Result<()> {
        if !self.requires_grad() {
            bail!(
                Autograd,
                "retain_grad: this Variable ({}) does not require grad",
                describe(self.raw())
            );
        }
        run::<(), _, _>("retain_grad", &[self.raw()], || {
            crate::ffi::retain_grad(self.raw())
        })
    }

    /// Whether this Variable keeps its gradient though it is not a leaf.
    pub fn retains_grad(&self) -> bool {
        // Reading the flag of a defined tensor cannot fail (false if it could).
        self.raw().f_retains_grad().unwrap_or(false)
    }

    /// Calls `hook(grad)` each time the gradient with respect to this
    /// Variable is computed; a returned Tensor replaces the gradient, `None`
    /// keeps it, an error fails the backward with it.
    pub fn register_hook<F>(&self, hook: F) -> Result<HookHandle>
    where
        F: Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        if !self.requires_grad() {
            bail!(Autograd, "register_hook: this Variable ({}) does not require grad, so no gradient reaches it", describe(self.raw()));
        }
        let call = move |grad: tch::Tensor| -> std::result::Result<Option<tch::Tensor>, String> {
            let grad = Tensor::from_raw(grad);
            match hook(&grad) {
                // libtorch would refuse another shape, dtype or device too,
                // but names the hook by its index ("hook '0'").
                Ok(Some(t)) if !same_layout(&t, &grad) => Err(crate::Error::new(
                    crate::ErrorKind::Autograd,
                    format!(
                        "register_hook: a hook returned a gradient of {} for a value of {} (a hook keeps the gradient's shape, dtype and device)",
                        describe(t.raw()),
                        describe(grad.raw())
                    ),
                )
                .to_carried()),
                Ok(replacement) => Ok(replacement.map(|t| t.raw().shallow_clone())),
                Err(e) => Err(e.to_carried()),
            }
        };
        let handle: Handle = run("register_hook", &[self.raw()], || {
            crate::ffi::register_hook(self.raw(), Box::new(call)).map(Handle)
        })?;
        Ok(HookHandle {
            tensor: self.raw().shallow_clone(),
            handle: handle.0,
            post_accumulate: false,
        })
    }

    /// Calls `hook(leaf)` after each backward has added into this leaf's
    /// `grad()` (an optimizer can step this parameter at once; data-parallel
    /// training can start reducing it). An error fails the backward.
    pub fn register_post_accumulate_grad_hook<F>(&self, hook: F) -> Result<HookHandle>
    where
        F: Fn(&Variable) -> Result<()> + Send + Sync + 'static,
    {
        let op = "register_post_accumulate_grad_hook";
        if !self.is_leaf() || !self.requires_grad() {
            bail!(Autograd, "{op}: this Variable ({}) is not a leaf that requires grad; only those accumulate gradients", describe(self.raw()));
        }
        let call = move |leaf: tch::Tensor| -> std::result::Result<(), String> {
            hook(&Variable::from_raw(leaf)).map_err(|e| e.to_carried())
        };
        let handle: Handle = run(op, &[self.raw()], || {
            crate::ffi::register_post_accumulate_grad_hook(self.raw(), Box::new(call)).map(Handle)
        })?;
        Ok(HookHandle {
            tensor: self.raw().shallow_clone(),
            handle: handle.0,
            post_accumulate: true,
        })
    }
}

/// A hook's id, passed through `run`.
struct Handle(u32);

impl crate::ops::FromTch<Handle> for Handle {
    fn from_tch(raw: Handle) -> std::result::Result<Self, crate::error::Failure> {
        Ok(raw)
    }
}

/// Whether a hook's replacement can stand for `grad`.
fn same_layout(replacement: &Tensor, grad: &Tensor) -> bool {
    replacement.shape() == grad.shape()
        && replacement.dtype() == grad.dtype()
        && replacement.device() == grad.device()
}
