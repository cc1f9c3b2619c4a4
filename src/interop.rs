//! Sharing memory with other libraries in the process: DLPack managed
//! tensors both ways (numpy, JAX, CuPy, torch), and, for the Python module,
//! PyTorch's own tensors (the same at::Tensor behind both objects, so memory
//! and autograd graph are shared). The Python module wraps these in
//! capsules and torch objects; it does not reach libtorch itself.

use std::ffi::c_void;

use crate::error::{Error, Result};
use crate::ops::{FromTch, Operand};
use crate::Tensor;

/// A raw tensor from another library as a flodl value (an Argument error
/// for a dtype flodl does not have, such as a complex one).
pub(crate) fn adopt<T: FromTch<tch::Tensor>>(op: &str, raw: tch::Tensor) -> Result<T> {
    T::from_tch(raw).map_err(|f| Error::from_failure(op, "", f))
}

/// A DLPack managed tensor (`DLManagedTensor`, or `DLManagedTensorVersioned`
/// for DLPack 1.x) sharing a Tensor's memory and keeping it alive. Dropped,
/// it frees itself; [`DlpackTensor::into_raw`] hands it to a consumer, which
/// calls its deleter.
pub struct DlpackTensor {
    managed: *mut c_void,
    versioned: bool,
}

impl DlpackTensor {
    /// The managed tensor, now the caller's to hand on (or to take back with
    /// [`DlpackTensor::from_raw`]).
    pub fn into_raw(self) -> *mut c_void {
        let managed = self.managed;
        std::mem::forget(self);
        managed
    }

    /// Takes back a managed tensor from [`DlpackTensor::into_raw`] (or any
    /// unconsumed one), to free it on drop.
    ///
    /// # Safety
    /// `managed` must be an unconsumed managed tensor of that version (or
    /// null) that nobody else will free or use.
    pub unsafe fn from_raw(managed: *mut c_void, versioned: bool) -> Self {
        DlpackTensor { managed, versioned }
    }
}

impl Drop for DlpackTensor {
    fn drop(&mut self) {
        // SAFETY: this value owns the unconsumed managed tensor.
        unsafe { crate::ffi::dlpack_delete(self.managed, self.versioned) }
    }
}

impl Tensor {
    /// A DLPack managed tensor sharing this tensor's memory (`versioned`:
    /// DLPack 1.x, which can say the memory is writable).
    pub fn to_dlpack(&self, versioned: bool) -> Result<DlpackTensor> {
        // The memory of a lazy conjugate or negative view holds the values
        // before it (PyTorch refuses these too).
        if self.is_conj() || self.is_neg() {
            crate::error::bail!(
                Argument,
                "to_dlpack: a conj() view shares memory that holds the unconjugated values: call resolve_conj() first"
            );
        }
        let managed = crate::ffi::to_dlpack(self.raw(), versioned)
            .map_err(|f| Error::from_failure("to_dlpack", "", f))?;
        Ok(DlpackTensor { managed, versioned })
    }

    /// A tensor on a DLPack managed tensor's memory, taking ownership of it
    /// (memory its producer marks read-only is copied). When libtorch
    /// refuses it (an error from [`take_dlpack`]'s step), `managed` is still
    /// the caller's; once taken, a dtype flodl lacks is an error and the
    /// memory is let go here.
    ///
    /// # Safety
    /// `managed` must be a live managed tensor of that version that nobody
    /// else will free or use.
    pub unsafe fn from_dlpack(managed: *mut c_void, versioned: bool) -> Result<Tensor> {
        // SAFETY: the caller's contract.
        let raw = unsafe { take_dlpack(managed, versioned) }?;
        adopt("from_dlpack", raw)
    }
}

/// The first step of [`Tensor::from_dlpack`]: libtorch's tensor on the
/// managed tensor, which owns it from here (an error: libtorch refused it,
/// and it is still the caller's). A capsule's consumer marks the capsule
/// used between this step and [`adopt`], whose error drops the tensor.
///
/// # Safety
/// As [`Tensor::from_dlpack`].
pub(crate) unsafe fn take_dlpack(managed: *mut c_void, versioned: bool) -> Result<tch::Tensor> {
    // SAFETY: the caller's contract.
    unsafe { crate::ffi::from_dlpack(managed, versioned) }
        .map_err(|f| Error::from_failure("from_dlpack", "", f))
}

/// `t` as a torch.Tensor (a new reference to a Python object sharing memory
/// and autograd graph), or null with a Python exception set. Needs the GIL
/// and torch imported.
#[cfg(feature = "python")]
pub(crate) fn to_torch(t: &tch::Tensor) -> Result<*mut c_void> {
    crate::ffi::to_torch(t).map_err(|f| Error::from_failure("to_torch", "", f))
}

/// A new handle on the tensor whose TensorImpl is at `impl_`.
///
/// # Safety
/// `impl_` must be the TensorImpl of a tensor alive for the call (what a
/// live torch.Tensor's `_cdata` gives).
#[cfg(feature = "python")]
pub(crate) unsafe fn from_tensor_impl(impl_: usize) -> Result<tch::Tensor> {
    // SAFETY: the caller's contract.
    unsafe { crate::ffi::from_tensor_impl(impl_) }
        .map_err(|f| Error::from_failure("from_torch", "", f))
}
