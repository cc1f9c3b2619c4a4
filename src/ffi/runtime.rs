//! csrc/runtime.cpp: libtorch's warnings, flodl's own, and the random
//! generators' state.

use std::ffi::{c_char, c_int, c_void, CStr};

use super::{c_string, check, make_tensor, ptr};
use crate::error::Failure;

/// What receives libtorch's warnings (`flodl_warning_fn`): the message and
/// whether it is a deprecation.
type WarningCallback = extern "C" fn(message: *const c_char, deprecation: c_int);

extern "C" {
    fn flodl_set_warning_callback(callback: WarningCallback);
    fn flodl_use_warning_handler();
    fn flodl_warn(message: *const c_char) -> *mut c_char;
    fn flodl_context_flags(out: *mut ContextFlags);
    fn flodl_set_context_flags(flags: *const ContextFlags, precision: *const c_char)
        -> *mut c_char;
    fn flodl_default_dtype() -> c_int;
    fn flodl_set_default_dtype(code: c_int) -> *mut c_char;
    fn flodl_set_num_interop_threads(threads: c_int) -> *mut c_char;
    fn flodl_get_num_interop_threads() -> c_int;
    fn flodl_get_rng_state(cuda_index: c_int, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_set_rng_state(cuda_index: c_int, state: *mut c_void) -> *mut c_char;
}

/// The one callback the shim calls: it hands the warning to
/// [`crate::warnings`].
extern "C" fn deliver_warning(message: *const c_char, deprecation: c_int) {
    // SAFETY: the shim passes a valid NUL-terminated message.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    crate::warnings::deliver(&text, deprecation != 0);
}

/// Installs flodl's warning handler on this thread, once (c10 keeps one per
/// thread). Called before every op; after the first call, a thread-local
/// read. Stores of a pointer, which cannot fail.
pub(crate) fn use_warning_handler() {
    thread_local!(static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    static CALLBACK: std::sync::Once = std::sync::Once::new();
    INSTALLED.with(|installed| {
        if !installed.get() {
            // SAFETY: stores a function pointer; the shim calls it with a
            // valid NUL-terminated message.
            CALLBACK.call_once(|| unsafe { flodl_set_warning_callback(deliver_warning) });
            // SAFETY: sets c10's thread-local handler to the shim's static one.
            unsafe { flodl_use_warning_handler() };
            installed.set(true);
        }
    });
}

/// Issues a warning of flodl's own (see [`crate::warnings::warn`]).
pub(crate) fn warn(message: &str) -> Result<(), Failure> {
    use_warning_handler();
    let text = c_string(message);
    // SAFETY: a valid NUL-terminated string, read during the call; the shim
    // catches every C++ exception.
    check(unsafe { flodl_warn(text.as_ptr()) })
}

/// The state of the default generator of the CPU (`None`) or a CUDA device.
pub(crate) fn get_rng_state(cuda_index: Option<u8>) -> Result<tch::Tensor, Failure> {
    let index = cuda_index.map_or(-1, c_int::from);
    // SAFETY: the shim stores a new handle in `out` or returns a failure.
    make_tensor(|out| unsafe { flodl_get_rng_state(index, out) })
}

/// Restores a state from [`get_rng_state`].
pub(crate) fn set_rng_state(cuda_index: Option<u8>, state: &tch::Tensor) -> Result<(), Failure> {
    let index = cuda_index.map_or(-1, c_int::from);
    // SAFETY: a live tensor for the duration of the call.
    check(unsafe { flodl_set_rng_state(index, ptr(state)) })
}

/// libtorch's global switches, as `FlodlContextFlags` in csrc/flodl.h.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct ContextFlags {
    pub deterministic_algorithms: c_int,
    pub deterministic_warn_only: c_int,
    pub deterministic_cudnn: c_int,
    pub allow_tf32_cublas: c_int,
    pub allow_tf32_cudnn: c_int,
    /// 0 highest, 1 high, 2 medium.
    pub float32_matmul_precision: c_int,
    pub sdp_math: c_int,
    pub sdp_flash: c_int,
    pub sdp_mem_efficient: c_int,
    pub sdp_cudnn: c_int,
}

/// The switches as libtorch has them now.
pub(crate) fn context_flags() -> ContextFlags {
    let mut flags = ContextFlags::default();
    // SAFETY: the shim fills the struct it is given, and throws nothing.
    unsafe { flodl_context_flags(&mut flags) };
    flags
}

/// libtorch's default float dtype, as a c10::ScalarType code.
pub(crate) fn default_dtype() -> c_int {
    // SAFETY: reads one global; throws nothing.
    unsafe { flodl_default_dtype() }
}

/// Sets libtorch's default float dtype (a float's c10::ScalarType code:
/// the caller checks).
pub(crate) fn set_default_dtype(code: c_int) -> Result<(), Failure> {
    // SAFETY: a plain integer; the shim catches every exception.
    check(unsafe { flodl_set_default_dtype(code) })
}

/// Sizes libtorch's inter-op thread pool (before it has started).
pub(crate) fn set_num_interop_threads(threads: c_int) -> Result<(), Failure> {
    // SAFETY: a plain integer; the shim catches every exception.
    check(unsafe { flodl_set_num_interop_threads(threads) })
}

/// The threads of libtorch's inter-op pool.
pub(crate) fn get_num_interop_threads() -> c_int {
    // SAFETY: reads libtorch's setting; nothing can throw.
    unsafe { flodl_get_num_interop_threads() }
}

/// Sets every switch of `flags` and, when given, the float32 matmul
/// precision by name.
pub(crate) fn set_context_flags(
    flags: ContextFlags,
    precision: Option<&str>,
) -> Result<(), Failure> {
    let name = precision
        .map(std::ffi::CString::new)
        .transpose()
        .map_err(|_| {
            Failure::Typed(
                None,
                "set_float32_matmul_precision: a NUL in the name".into(),
            )
        })?;
    let name_ptr = name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr());
    // SAFETY: a live struct and (when given) a NUL-terminated name that
    // outlives the call.
    check(unsafe { flodl_set_context_flags(&flags, name_ptr) })
}
