//! Gradient clipping, as `torch.nn.utils`: one libtorch foreach pass over
//! all the gradients.

use crate::error::Result;
use crate::{Operand, Tensor, Variable};

/// Scales the gradients of `params` in place so that their joint
/// `norm_type`-norm (`f64::INFINITY`: the largest magnitude) is at most
/// `max_norm`, as `torch.nn.utils.clip_grad_norm_`; returns the norm before
/// scaling. A non-finite norm is an Argument error with `error_if_nonfinite`.
pub fn clip_grad_norm_(
    params: &[Variable],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let grads: Vec<Tensor> = params.iter().filter_map(Variable::grad).collect();
    clip_grads_norm_(&grads, max_norm, norm_type, error_if_nonfinite)
}

/// [`clip_grad_norm_`] on the gradients themselves (a zero norm for none).
pub fn clip_grads_norm_(
    grads: &[Tensor],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let raws: Vec<&tch::Tensor> = grads.iter().map(Operand::raw).collect();
    crate::ops::run_opt("clip_grad_norm_", &[], || {
        crate::ffi::clip_grad_norm(&raws, max_norm, norm_type, error_if_nonfinite)
    })
}

/// Clamps every gradient of `params` into `[-clip_value, clip_value]`, in
/// place, as `torch.nn.utils.clip_grad_value_`.
pub fn clip_grad_value_(params: &[Variable], clip_value: f64) -> Result<()> {
    for grad in params.iter().filter_map(Variable::grad) {
        grad.clamp_(-clip_value, clip_value)?;
    }
    Ok(())
}
