//! Sharing memory with other libraries: torch tensors (the same at::Tensor
//! behind both objects, so memory and autograd graph are shared), DLPack
//! capsules both ways, and through DLPack numpy arrays.

use std::ffi::CStr;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;

pub(crate) use crate::interop::adopt;
use crate::interop::DlpackTensor;
use crate::{Error, ErrorKind, Tensor};

// ----- torch -----

/// `t` as a torch.Tensor on the same at::Tensor (memory and autograd graph
/// shared); imports torch if it is not yet.
pub(crate) fn to_torch(py: Python<'_>, t: &tch::Tensor) -> PyResult<Py<PyAny>> {
    py.import("torch")?; // loads torch's Python library, whose wrapper this uses
    let object = crate::interop::to_torch(t)?;
    if object.is_null() {
        return Err(PyErr::take(py)
            .unwrap_or_else(|| PyRuntimeError::new_err("to_torch: torch returned no tensor")));
    }
    // SAFETY: the shim returned a new reference to a Python object.
    Ok(unsafe { Bound::from_owned_ptr(py, object.cast()) }.unbind())
}

/// The at::Tensor behind a torch.Tensor (a new handle on it).
pub(crate) fn from_torch(obj: &Bound<'_, PyAny>) -> PyResult<tch::Tensor> {
    let py = obj.py();
    let got = || {
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    // torch is imported if `obj` is one of its tensors; nothing imports it here.
    let torch = py.import("sys")?.getattr("modules")?.get_item("torch").ok();
    let tensor_class = match torch {
        Some(torch) => torch.getattr("Tensor")?,
        None => {
            return Err(PyTypeError::new_err(format!(
                "from_torch: expected a torch.Tensor, got {}",
                got()
            )))
        }
    };
    if !obj.is_instance(&tensor_class)? {
        return Err(PyTypeError::new_err(format!(
            "from_torch: expected a torch.Tensor, got {}",
            got()
        )));
    }
    check_holdable(obj)?;
    let impl_: usize = obj.getattr("_cdata")?.extract()?;
    // SAFETY: `_cdata` is the TensorImpl of `obj`, which the caller holds
    // for the call.
    Ok(unsafe { crate::interop::from_tensor_impl(impl_) }?)
}

/// Whether flodl can hold the torch tensor `obj`: a dense (strided, not
/// nested) tensor of one of flodl's dtypes on the CPU or CUDA. Anything
/// else is refused before it is adopted, since its sizes, data or device
/// could not be read afterwards.
fn check_holdable(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let op = "from_torch";
    let device: String = obj.getattr("device")?.getattr("type")?.extract()?;
    if device != "cpu" && device != "cuda" {
        let message =
            format!("{op}: a tensor on {device}; flodl holds tensors on cpu and cuda only");
        return Err(Error::new(ErrorKind::Device, message).into());
    }
    if obj.getattr("is_nested")?.is_truthy()? {
        let message = format!("{op}: a nested tensor; flodl holds dense tensors only");
        return Err(Error::new(ErrorKind::Argument, message).into());
    }
    let layout = obj.getattr("layout")?.str()?.to_string();
    if layout != "torch.strided" {
        let layout = layout.trim_start_matches("torch.");
        let message = format!(
            "{op}: a {layout} tensor; flodl holds dense (strided) tensors only: convert it with .to_dense() first"
        );
        return Err(Error::new(ErrorKind::Argument, message).into());
    }
    let dtype = obj.getattr("dtype")?.str()?.to_string();
    let dtype = dtype.trim_start_matches("torch.");
    if dtype.parse::<crate::DType>().is_err() {
        let message = format!("{op}: flodl has no dtype {dtype}");
        return Err(Error::new(ErrorKind::DType, message).into());
    }
    Ok(())
}

// ----- DLPack -----

/// The two capsule kinds: DLPack 0.x (`DLManagedTensor`) and 1.x
/// (`DLManagedTensorVersioned`, which can say the memory is writable).
#[derive(Clone, Copy)]
struct CapsuleKind {
    name: &'static CStr,
    used: &'static CStr,
    versioned: bool,
}

const LEGACY: CapsuleKind = CapsuleKind {
    name: c"dltensor",
    used: c"used_dltensor",
    versioned: false,
};
const VERSIONED: CapsuleKind = CapsuleKind {
    name: c"dltensor_versioned",
    used: c"used_dltensor_versioned",
    versioned: true,
};

/// Frees the tensor of a capsule nobody consumed (a consumer renames it
/// "used_..." and owns the tensor).
unsafe fn drop_capsule(capsule: *mut ffi::PyObject, kind: CapsuleKind) {
    // SAFETY: Python calls this with the capsule being destroyed.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, kind.name.as_ptr()) == 1 {
            let managed = ffi::PyCapsule_GetPointer(capsule, kind.name.as_ptr());
            drop(DlpackTensor::from_raw(managed, kind.versioned));
        }
    }
}

unsafe extern "C" fn drop_legacy(capsule: *mut ffi::PyObject) {
    // SAFETY: as drop_capsule.
    unsafe { drop_capsule(capsule, LEGACY) }
}

unsafe extern "C" fn drop_versioned(capsule: *mut ffi::PyObject) {
    // SAFETY: as drop_capsule.
    unsafe { drop_capsule(capsule, VERSIONED) }
}

/// `t` as a DLPack capsule sharing its memory: DLPack 1.x when the consumer
/// asks for it (`max_version` 1 or more: numpy then keeps the array
/// writable), else 0.x.
pub(crate) fn to_dlpack<'py>(
    py: Python<'py>,
    t: &Tensor,
    max_version: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let major: Option<i64> = match max_version {
        Some(v) if !v.is_none() => Some(v.get_item(0).and_then(|m| m.extract()).map_err(|_| {
            PyTypeError::new_err("__dlpack__: max_version must be a (major, minor) tuple of ints")
        })?),
        _ => None,
    };
    let (kind, destructor): (CapsuleKind, unsafe extern "C" fn(*mut ffi::PyObject)) =
        if major.is_some_and(|m| m >= 1) {
            (VERSIONED, drop_versioned)
        } else {
            (LEGACY, drop_legacy)
        };
    let managed = t.to_dlpack(kind.versioned)?.into_raw();
    // SAFETY: `managed` is ours; the capsule owns it from here (its
    // destructor frees it unless a consumer takes it).
    unsafe {
        let capsule = ffi::PyCapsule_New(managed, kind.name.as_ptr(), Some(destructor));
        if capsule.is_null() {
            drop(DlpackTensor::from_raw(managed, kind.versioned));
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, capsule))
    }
}

/// `flodl.from_dlpack(obj)`: a Tensor sharing the memory of `obj` (anything
/// with `__dlpack__`: numpy arrays, torch tensors, JAX and CuPy arrays; or
/// an unconsumed DLPack capsule), of a dtype flodl has. Memory the producer
/// marks read-only is copied.
#[pyfunction]
pub(crate) fn from_dlpack(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    crate::python::guard::run("from_dlpack", move || {
        let py = obj.py();
        let capsule = if obj.hasattr("__dlpack__")? {
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("max_version", (1, 0))?;
            match obj.call_method("__dlpack__", (), Some(&kwargs)) {
                Ok(capsule) => capsule,
                // A producer of DLPack 0.x only.
                Err(e) if e.is_instance_of::<PyTypeError>(py) => obj.call_method0("__dlpack__")?,
                // numpy: "DLPack only supports ... dtypes" (object, strings).
                Err(e) if e.is_instance_of::<pyo3::exceptions::PyBufferError>(py) => {
                    let message = format!("from_dlpack: {}", e.value(py));
                    return Err(crate::Error::new(ErrorKind::DType, message).into());
                }
                Err(e) => return Err(e),
            }
        } else {
            obj.clone()
        };
        let ptr = capsule.as_ptr();
        // SAFETY: `capsule` is alive; IsValid accepts any object.
        let kind = [VERSIONED, LEGACY]
            .into_iter()
            .find(|k| unsafe { ffi::PyCapsule_IsValid(ptr, k.name.as_ptr()) } == 1);
        let Some(kind) = kind else {
            let got = obj.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
            "from_dlpack: expected an object with __dlpack__ or an unconsumed DLPack capsule, got {got}"
        )));
        };
        // SAFETY: a valid capsule of this kind holds a managed tensor nobody
        // consumed; the new tensor owns it, and the capsule is renamed at once
        // so that its destructor leaves it alone (the DLPack protocol). On a
        // failure the capsule keeps it and frees it.
        let raw = unsafe {
            let managed = ffi::PyCapsule_GetPointer(ptr, kind.name.as_ptr());
            let raw = crate::interop::take_dlpack(managed, kind.versioned)?;
            ffi::PyCapsule_SetName(ptr, kind.used.as_ptr());
            raw
        };
        // After the rename: a refused dtype drops the tensor, which frees
        // the memory once (the capsule no longer would).
        Ok(adopt("from_dlpack", raw)?)
    })
}

/// An error for `np.asarray(t, copy=False)` when `t` cannot share.
pub(crate) fn cannot_share(why: &str) -> PyErr {
    Error::new(
        ErrorKind::Argument,
        format!("__array__: copy=False, but {why}"),
    )
    .into()
}
