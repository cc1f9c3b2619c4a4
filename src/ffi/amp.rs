//! csrc/amp.cpp: autocast's per-thread state and GradScaler's kernels.

use std::ffi::{c_char, c_int, c_void};

use super::{abi, check, count, ptr};
use crate::error::Failure;

/// One device type's autocast state (`FlodlAutocastState`); `dtype` is a
/// c10::ScalarType code (`DType::scalar_type_code`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AutocastState {
    pub enabled: i32,
    pub dtype: i32,
    pub cache_enabled: i32,
}

const _: () = assert!(std::mem::size_of::<AutocastState>() == 12);

/// The device types autocast knows (`FlodlDeviceType`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AutocastDevice {
    Cpu = abi::FLODL_DEVICE_CPU,
    Cuda = abi::FLODL_DEVICE_CUDA,
}

extern "C" {
    fn flodl_autocast_state(device_type: c_int, out: *mut AutocastState) -> *mut c_char;
    fn flodl_autocast_enter(
        device_type: c_int,
        state: *const AutocastState,
        previous: *mut AutocastState,
    ) -> *mut c_char;
    fn flodl_autocast_exit(device_type: c_int, previous: *const AutocastState) -> *mut c_char;
    fn flodl_amp_unscale(
        grads: *const *mut c_void,
        n: c_int,
        found_inf: *mut c_void,
        inv_scale: *mut c_void,
    ) -> *mut c_char;
    fn flodl_amp_update_scale(
        scale: *mut c_void,
        growth_tracker: *mut c_void,
        found_inf: *mut c_void,
        growth_factor: f64,
        backoff_factor: f64,
        growth_interval: i64,
    ) -> *mut c_char;
}

pub(crate) fn autocast_state(device: AutocastDevice) -> Result<AutocastState, Failure> {
    let mut out = AutocastState::default();
    // SAFETY: `out` is a valid struct the shim writes; it catches every C++ exception.
    check(unsafe { flodl_autocast_state(device as c_int, &mut out) })?;
    Ok(out)
}

/// Enters an autocast region with `state`; returns the state to restore.
pub(crate) fn autocast_enter(
    device: AutocastDevice,
    state: AutocastState,
) -> Result<AutocastState, Failure> {
    let mut previous = AutocastState::default();
    // SAFETY: both structs are valid for the call.
    check(unsafe { flodl_autocast_enter(device as c_int, &state, &mut previous) })?;
    Ok(previous)
}

/// Leaves an autocast region, restoring `previous`.
pub(crate) fn autocast_exit(
    device: AutocastDevice,
    previous: AutocastState,
) -> Result<(), Failure> {
    // SAFETY: a valid struct, read during the call.
    check(unsafe { flodl_autocast_exit(device as c_int, &previous) })
}

/// Multiplies `grads` (one device) by `inv_scale` in place and sets
/// `found_inf` to 1 if any of them holds an inf or a NaN.
pub(crate) fn amp_unscale(
    grads: &[&tch::Tensor],
    found_inf: &tch::Tensor,
    inv_scale: &tch::Tensor,
) -> Result<(), Failure> {
    let pointers: Vec<*mut c_void> = grads.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    // SAFETY: live tensors for the call; the shim catches every C++ exception.
    check(unsafe { flodl_amp_unscale(pointers.as_ptr(), n, ptr(found_inf), ptr(inv_scale)) })
}

/// Grows or backs off `scale` in place after a step (libtorch's rule).
pub(crate) fn amp_update_scale(
    scale: &tch::Tensor,
    growth_tracker: &tch::Tensor,
    found_inf: &tch::Tensor,
    growth_factor: f64,
    backoff_factor: f64,
    growth_interval: i64,
) -> Result<(), Failure> {
    // SAFETY: live tensors for the call; the shim catches every C++ exception.
    check(unsafe {
        flodl_amp_update_scale(
            ptr(scale),
            ptr(growth_tracker),
            ptr(found_inf),
            growth_factor,
            backoff_factor,
            growth_interval,
        )
    })
}
