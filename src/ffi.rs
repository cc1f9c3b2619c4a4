//! The C++ shim of `csrc/shim.cpp`: libtorch calls that tch does not wrap.

use std::ffi::{c_int, c_void};

extern "C" {
    fn flodl_clear_grad(tensor: *mut c_void) -> c_int;
    fn flodl_detach_in_place(tensor: *mut c_void) -> c_int;
    fn flodl_is_grad_enabled() -> c_int;
    fn flodl_set_grad_enabled(enabled: c_int) -> c_int;
}

/// Resets `t.grad` to undefined. Returns false if libtorch refused.
pub(crate) fn clear_grad(t: &tch::Tensor) -> bool {
    // SAFETY: the pointer is tch's `at::Tensor*`, valid while `t` lives; the
    // shim catches every C++ exception.
    unsafe { flodl_clear_grad(t.as_ptr() as *mut c_void) == 0 }
}

/// Cuts `t` from its graph in place (views included). False if libtorch refused.
pub(crate) fn detach_in_place(t: &tch::Tensor) -> bool {
    // SAFETY: as for clear_grad. The shim may re-point the C++ handle, which
    // tch owns through a pointer, so `&` suffices on the Rust side.
    unsafe { flodl_detach_in_place(t.as_ptr() as *mut c_void) == 0 }
}

pub(crate) fn is_grad_enabled() -> bool {
    // SAFETY: reads a thread-local flag; cannot fail.
    unsafe { flodl_is_grad_enabled() != 0 }
}

pub(crate) fn set_grad_enabled(enabled: bool) -> bool {
    // SAFETY: writes a thread-local flag; cannot fail.
    unsafe { flodl_set_grad_enabled(c_int::from(enabled)) != 0 }
}
