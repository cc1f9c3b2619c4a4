//! csrc/interop.cpp: torch.Tensor objects and DLPack managed tensors
//! sharing memory with flodl's tensors, and where a tensor's memory is.

use std::ffi::{c_char, c_int, c_void};

use super::{check, make_tensor, ptr};
use crate::error::Failure;

extern "C" {
    #[cfg(feature = "python")]
    fn flodl_to_torch(t: *mut c_void, object: *mut *mut c_void) -> *mut c_char;
    #[cfg(feature = "python")]
    fn flodl_from_tensor_impl(impl_: usize, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_to_dlpack(t: *mut c_void, versioned: c_int, managed: *mut *mut c_void) -> *mut c_char;
    fn flodl_from_dlpack(
        managed: *mut c_void,
        versioned: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_dlpack_delete(managed: *mut c_void, versioned: c_int);
    fn flodl_impl_id(t: *mut c_void) -> usize;
    #[cfg(feature = "python")] // copy.deepcopy's only
    fn flodl_storage_info(
        t: *mut c_void,
        storage: *mut usize,
        numel: *mut i64,
        offset: *mut i64,
    ) -> *mut c_char;
}

#[cfg(feature = "python")] // used by the Python bindings only
/// `t` as a torch.Tensor (a new reference to a Python object, sharing memory
/// and autograd graph), or null with a Python exception set. Needs the GIL
/// and torch imported.
pub(crate) fn to_torch(t: &tch::Tensor) -> Result<*mut c_void, Failure> {
    let mut object: *mut c_void = std::ptr::null_mut();
    // SAFETY: `t` is a live tch tensor; the shim catches C++ exceptions.
    check(unsafe { flodl_to_torch(ptr(t), &mut object) })?;
    Ok(object)
}

#[cfg(feature = "python")] // used by the Python bindings only
/// A new handle on the tensor whose TensorImpl is at `impl_`.
///
/// # Safety
/// `impl_` must be the TensorImpl of a tensor alive for the call (what a
/// live torch.Tensor's `_cdata` gives).
pub(crate) unsafe fn from_tensor_impl(impl_: usize) -> Result<tch::Tensor, Failure> {
    // SAFETY: the caller's contract; the shim takes a new reference.
    make_tensor(|out| unsafe { flodl_from_tensor_impl(impl_, out) })
}

/// A DLPack managed tensor sharing `t`'s memory (versioned: DLPack 1.x);
/// the caller owns it (it goes into a capsule, whose consumer or destructor
/// frees it).
pub(crate) fn to_dlpack(t: &tch::Tensor, versioned: bool) -> Result<*mut c_void, Failure> {
    let mut managed: *mut c_void = std::ptr::null_mut();
    // SAFETY: `t` is a live tch tensor.
    check(unsafe { flodl_to_dlpack(ptr(t), c_int::from(versioned), &mut managed) })?;
    Ok(managed)
}

/// A tensor on a DLPack managed tensor's memory, taking ownership of it
/// (read-only memory is copied).
///
/// # Safety
/// `managed` must be a managed tensor of that version nobody else will free
/// or use.
pub(crate) unsafe fn from_dlpack(
    managed: *mut c_void,
    versioned: bool,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: the caller's contract.
    make_tensor(|out| unsafe { flodl_from_dlpack(managed, c_int::from(versioned), out) })
}

/// Frees a DLPack managed tensor nobody consumed. Its producer's deleter
/// reports nothing, so this cannot fail.
///
/// # Safety
/// `managed` must be an unconsumed managed tensor of that version (or null).
pub(crate) unsafe fn dlpack_delete(managed: *mut c_void, versioned: bool) {
    // SAFETY: the caller's contract.
    unsafe { flodl_dlpack_delete(managed, c_int::from(versioned)) }
}

/// The identity of the tensor behind a handle: equal for handles (clones)
/// of one tensor, different for distinct tensors alive at the same time. A
/// pointer read: it cannot fail.
pub(crate) fn impl_id(t: &tch::Tensor) -> usize {
    // SAFETY: `t` is a live tch tensor; the shim reads its impl pointer.
    unsafe { flodl_impl_id(ptr(t)) }
}

/// `(storage address, storage size in t's elements, t's offset in it)`:
/// views of one memory share the address.
#[cfg(feature = "python")] // copy.deepcopy's only
pub(crate) fn storage_info(t: &tch::Tensor) -> Result<(usize, i64, i64), Failure> {
    let (mut storage, mut numel, mut offset) = (0usize, 0i64, 0i64);
    // SAFETY: a live tensor and three out-pointers valid for the call; the
    // shim catches every C++ exception.
    check(unsafe { flodl_storage_info(ptr(t), &mut storage, &mut numel, &mut offset) })?;
    Ok((storage, numel, offset))
}
