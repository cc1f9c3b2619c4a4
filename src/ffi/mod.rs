//! The C++ shim of `csrc/`: libtorch calls that tch does not wrap. Its C
//! ABI is csrc/flodl.h; each submodule here wraps one of its sources:
//! [`ops`] (ops.cpp, gru.cpp), [`autograd`], [`optim`], [`amp`], [`cuda`], [`interop`] and
//! [`runtime`] (messages, warnings, random state). Callers use
//! `crate::ffi::name`: the submodules' items are re-exported here.
//!
//! One error convention crosses the boundary (csrc/flodl.h): a fallible
//! shim function returns null on success, else a failure that [`check`]
//! reads, the only place one is decoded.

use std::ffi::{c_char, c_int, c_void, CStr};

use crate::error::{ErrorKind, Failure};

mod amp;
mod autograd;
mod cuda;
mod interop;
mod ops;
mod optim;
mod runtime;

pub(crate) use amp::*;
pub(crate) use autograd::*;
pub(crate) use cuda::*;
pub(crate) use interop::*;
pub(crate) use ops::*;
pub(crate) use optim::*;
pub(crate) use runtime::*;

/// The codes of csrc/flodl.h's enums (`FLODL_ERROR_SHAPE`, ...), which
/// build.rs reads from the header: each is written once, there.
#[allow(dead_code)] // a code may serve the C++ side alone
pub(crate) mod abi {
    include!(concat!(env!("OUT_DIR"), "/flodl_abi.rs"));
}

extern "C" {
    fn flodl_free_message(message: *mut c_char);
}

/// The result of a fallible shim call: null is success; else the failure
/// (csrc/flodl.h: '0' + a FlodlErrorKind, then the message), read and
/// freed here.
fn check(message: *mut c_char) -> Result<(), Failure> {
    if message.is_null() {
        return Ok(());
    }
    // SAFETY: a non-null result is a NUL-terminated string the shim
    // allocated, read once and freed here.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    unsafe { flodl_free_message(message) };
    Err(Failure::from_shim(&text))
}

/// A string the shim allocated (null: none), copied and freed.
fn take_string(text: *mut c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string the shim allocated, read once, freed.
    let copy = unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned();
    unsafe { flodl_free_message(text) };
    Some(copy)
}

/// A tensor handle the shim made (`new at::Tensor`), owned from here on;
/// None for null (an undefined tensor).
fn take_tensor(handle: *mut c_void) -> Option<tch::Tensor> {
    // SAFETY: a non-null handle is a `new at::Tensor` the shim handed over,
    // exactly what a tch::Tensor owns (and deletes on drop).
    (!handle.is_null()).then(|| unsafe { tch::Tensor::from_ptr(handle.cast()) })
}

/// Calls a shim function that makes a tensor: `call(out)` returns null and
/// fills `out`, or returns the failure.
fn make_tensor(call: impl FnOnce(*mut *mut c_void) -> *mut c_char) -> Result<tch::Tensor, Failure> {
    let mut out: *mut c_void = std::ptr::null_mut();
    check(call(&mut out))?;
    take_tensor(out).ok_or_else(|| Failure::Typed(None, "the shim returned no tensor".into()))
}

fn ptr(t: &tch::Tensor) -> *mut c_void {
    t.as_ptr() as *mut c_void
}

fn pointers(tensors: &[Option<&tch::Tensor>]) -> Vec<*mut c_void> {
    tensors
        .iter()
        .map(|t| t.map_or(std::ptr::null_mut(), ptr))
        .collect()
}

fn count(n: usize) -> Result<c_int, Failure> {
    c_int::try_from(n)
        .map_err(|_| Failure::Typed(Some(ErrorKind::Argument), format!("too many tensors ({n})")))
}

/// `text` as a C string (a NUL inside becomes a space).
fn c_string(text: &str) -> std::ffi::CString {
    std::ffi::CString::new(text.replace('\0', " ")).unwrap_or_default()
}

/// A callback's failure for C++, which frees it (csrc/flodl.h): a malloc'd
/// copy of `text`, never null (null would read as success).
fn message_for_cpp(text: &str) -> *mut c_char {
    let text = c_string(text);
    // SAFETY: strdup copies a valid C string into malloc'd memory.
    let copy = unsafe { libc_strdup(text.as_ptr()) };
    if copy.is_null() {
        // As Rust's own allocations do when memory runs out.
        std::alloc::handle_alloc_error(std::alloc::Layout::for_value(text.as_bytes_with_nul()));
    }
    copy
}

extern "C" {
    #[link_name = "strdup"]
    fn libc_strdup(s: *const c_char) -> *mut c_char;
}
