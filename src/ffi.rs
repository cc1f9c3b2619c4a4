//! The C++ shim of `csrc/shim.cpp`: libtorch calls that tch does not wrap.

use std::ffi::{c_char, c_int, c_void, CStr};

extern "C" {
    fn flodl_clear_grad(tensor: *mut c_void) -> c_int;
    fn flodl_detach_in_place(tensor: *mut c_void) -> c_int;
    fn flodl_is_grad_enabled() -> c_int;
    fn flodl_set_grad_enabled(enabled: c_int) -> c_int;
    fn flodl_free_message(message: *mut c_char);
    fn flodl_leaky_relu(x: *mut c_void, negative_slope: f64, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_elu(x: *mut c_void, alpha: f64, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_softplus(
        x: *mut c_void,
        beta: f64,
        threshold: f64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
}

/// Calls a shim function that makes a tensor: `call(out)` returns null and
/// fills `out`, or returns libtorch's message.
fn make_tensor(
    call: impl FnOnce(*mut *mut c_void) -> *mut c_char,
) -> Result<tch::Tensor, tch::TchError> {
    let mut out: *mut c_void = std::ptr::null_mut();
    let message = call(&mut out);
    if message.is_null() {
        // SAFETY: on success the shim stored a `new at::Tensor`, which is
        // exactly what a tch::Tensor owns (and deletes on drop).
        Ok(unsafe { tch::Tensor::from_ptr(out.cast()) })
    } else {
        // SAFETY: a non-null message is a NUL-terminated malloc'd string,
        // read once and freed here.
        let text = unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        unsafe { flodl_free_message(message) };
        Err(tch::TchError::Torch(text))
    }
}

fn ptr(t: &tch::Tensor) -> *mut c_void {
    t.as_ptr() as *mut c_void
}

/// `F.leaky_relu(x, negative_slope)`.
pub(crate) fn leaky_relu(
    x: &tch::Tensor,
    negative_slope: f64,
) -> Result<tch::Tensor, tch::TchError> {
    // SAFETY: `x` is a live tch tensor; the shim catches every C++ exception.
    make_tensor(|out| unsafe { flodl_leaky_relu(ptr(x), negative_slope, out) })
}

/// `F.elu(x, alpha)`.
pub(crate) fn elu(x: &tch::Tensor, alpha: f64) -> Result<tch::Tensor, tch::TchError> {
    // SAFETY: as for leaky_relu.
    make_tensor(|out| unsafe { flodl_elu(ptr(x), alpha, out) })
}

/// `F.softplus(x, beta, threshold)`.
pub(crate) fn softplus(
    x: &tch::Tensor,
    beta: f64,
    threshold: f64,
) -> Result<tch::Tensor, tch::TchError> {
    // SAFETY: as for leaky_relu.
    make_tensor(|out| unsafe { flodl_softplus(ptr(x), beta, threshold, out) })
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
