//! csrc/optim.cpp: optimizer updates on libtorch's fused and foreach
//! kernels, and gradient clipping.

use std::ffi::{c_char, c_int, c_void};

use super::{abi, check, count, make_tensor, ptr};
use crate::error::Failure;

extern "C" {
    fn flodl_optim_step(
        method: c_int,
        lists: *const OptimLists,
        hyper: *const OptimHyper,
        grad_scale: *mut c_void,
        found_inf: *mut c_void,
    ) -> *mut c_char;
    fn flodl_clip_grad_norm(
        grads: *const *mut c_void,
        n: c_int,
        max_norm: f64,
        norm_type: f64,
        error_if_nonfinite: c_int,
        total: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_total_norm(
        tensors: *const *mut c_void,
        n: c_int,
        norm_type: f64,
        error_if_nonfinite: c_int,
        total: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_clip_grads_with_norm(
        grads: *const *mut c_void,
        n: c_int,
        max_norm: f64,
        total: *mut c_void,
    ) -> *mut c_char;
}

/// The update rules of `flodl_optim_step` (`FlodlOptimMethod` in
/// csrc/flodl.h, whose codes these are).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptimMethod {
    Sgd = abi::FLODL_OPTIM_SGD,
    Adam = abi::FLODL_OPTIM_ADAM,
    Adagrad = abi::FLODL_OPTIM_ADAGRAD,
    Rmsprop = abi::FLODL_OPTIM_RMSPROP,
    Adadelta = abi::FLODL_OPTIM_ADADELTA,
    Adamax = abi::FLODL_OPTIM_ADAMAX,
    Radam = abi::FLODL_OPTIM_RADAM,
    Nadam = abi::FLODL_OPTIM_NADAM,
    Rprop = abi::FLODL_OPTIM_RPROP,
    Asgd = abi::FLODL_OPTIM_ASGD,
}

/// GradScaler's part in a fused step: the scale the kernel divides the
/// gradients by, and the flag (nonzero: inf or NaN found) that makes it
/// skip the update; (None, None) for a plain step.
pub(crate) type Scaling<'a> = (Option<&'a tch::Tensor>, Option<&'a tch::Tensor>);

impl OptimMethod {
    /// Whether libtorch's fused kernel runs this method, which takes
    /// GradScaler's scale and flag.
    pub(crate) fn is_fused(self) -> bool {
        matches!(
            self,
            OptimMethod::Sgd | OptimMethod::Adam | OptimMethod::Adagrad
        )
    }
}

/// The hyperparameters of one update (`FlodlOptimHyper` in csrc/flodl.h);
/// each method reads its own.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OptimHyper {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub alpha: f64,
    pub lr_decay: f64,
    pub rho: f64,
    pub momentum_decay: f64,
    pub etaminus: f64,
    pub etaplus: f64,
    pub step_size_min: f64,
    pub step_size_max: f64,
    pub lambd: f64,
    pub t0: f64,
    pub nesterov: i32,
    pub maximize: i32,
    pub amsgrad: i32,
    pub decoupled: i32,
    pub centered: i32,
    pub is_first_step: i32,
    /// SGD, Adam, Adagrad: 1 fused kernel, -1 torch's single-tensor rule,
    /// 0 (the default, PyTorch's `fused=None`) fused on CUDA only.
    pub fused: i32,
}

/// The tensor lists of one update (`FlodlOptimLists` in csrc/flodl.h).
#[repr(C)]
struct OptimLists {
    items: [*const *mut c_void; 6],
    n: [c_int; 6],
}

// csrc/flodl.h asserts the same layouts for its `FlodlOptimHyper` and
// `FlodlOptimLists`.
const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(size_of::<OptimHyper>() == 17 * 8 + 8 * 4); // padded to 8 bytes
    assert!(offset_of!(OptimHyper, t0) == 16 * 8);
    assert!(offset_of!(OptimHyper, nesterov) == 17 * 8);
    assert!(offset_of!(OptimHyper, is_first_step) == 17 * 8 + 5 * 4);
    assert!(offset_of!(OptimHyper, fused) == 17 * 8 + 6 * 4);
    assert!(size_of::<OptimLists>() == 6 * size_of::<*const ()>() + 6 * size_of::<c_int>());
    assert!(offset_of!(OptimLists, n) == 6 * size_of::<*const ()>());
};

/// One optimizer update of a parameter group, in place: `lists` are the
/// params, their grads and the method's state lists (see csrc/optim.cpp).
/// `scaling` (GradScaler's scale and inf flag, fused methods only) folds
/// the unscaling and the skip on inf into the kernel.
pub(crate) fn optim_step(
    method: OptimMethod,
    lists: [&[&tch::Tensor]; 6],
    hyper: &OptimHyper,
    scaling: Scaling<'_>,
) -> Result<(), Failure> {
    // PyTorch's rule for complex parameters: each update runs on the real
    // view (real and imaginary parts side by side, sharing memory), so a
    // squared gradient or a maximum is the parts', not a complex product.
    let real_views: Vec<Vec<Option<tch::Tensor>>> = lists
        .iter()
        .map(|list| {
            list.iter()
                .map(|t| match crate::dtype::is_complex_kind(t.f_kind()?) {
                    true => Ok(Some(t.f_view_as_real()?)),
                    false => Ok(None),
                })
                .collect::<Result<_, Failure>>()
        })
        .collect::<Result<_, Failure>>()?;
    let pointers: Vec<Vec<*mut c_void>> = lists
        .iter()
        .zip(&real_views)
        .map(|(list, views)| {
            list.iter()
                .zip(views)
                .map(|(t, view)| ptr(view.as_ref().unwrap_or(t)))
                .collect()
        })
        .collect();
    let mut n = [0; 6];
    for (count_of, list) in n.iter_mut().zip(&pointers) {
        *count_of = count(list.len())?;
    }
    let items = std::array::from_fn(|i| pointers[i].as_ptr());
    let lists = OptimLists { items, n };
    // SAFETY: every pointer is a live tch tensor for the call; the shim
    // reads `n[i]` entries of `items[i]` and catches every C++ exception.
    let or_null = |t: Option<&tch::Tensor>| t.map_or(std::ptr::null_mut(), ptr);
    let (grad_scale, found_inf) = (or_null(scaling.0), or_null(scaling.1));
    check(unsafe { flodl_optim_step(method as c_int, &lists, hyper, grad_scale, found_inf) })
}

/// Scales `grads` in place so that their joint `norm_type`-norm is at most
/// `max_norm`; returns the norm before scaling.
pub(crate) fn clip_grad_norm(
    grads: &[&tch::Tensor],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<tch::Tensor, Failure> {
    let pointers: Vec<*mut c_void> = grads.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    // SAFETY: as for optim_step; the shim stores a new tensor in `out`.
    make_tensor(|out| unsafe {
        flodl_clip_grad_norm(
            pointers.as_ptr(),
            n,
            max_norm,
            norm_type,
            c_int::from(error_if_nonfinite),
            out,
        )
    })
}

/// The joint `norm_type`-norm of `tensors` (a zero for none).
pub(crate) fn total_norm(
    tensors: &[&tch::Tensor],
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<tch::Tensor, Failure> {
    let pointers: Vec<*mut c_void> = tensors.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    // SAFETY: as for clip_grad_norm.
    make_tensor(|out| unsafe {
        flodl_total_norm(
            pointers.as_ptr(),
            n,
            norm_type,
            c_int::from(error_if_nonfinite),
            out,
        )
    })
}

/// Scales `grads` in place so that `total` (their joint norm) becomes at
/// most `max_norm`.
pub(crate) fn clip_grads_with_norm(
    grads: &[&tch::Tensor],
    max_norm: f64,
    total: &tch::Tensor,
) -> Result<(), Failure> {
    let pointers: Vec<*mut c_void> = grads.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    // SAFETY: as for clip_grad_norm; `total` is live for the call.
    check(unsafe { flodl_clip_grads_with_norm(pointers.as_ptr(), n, max_norm, ptr(total)) })
}
