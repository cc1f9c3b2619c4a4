//! numpy arrays to Tensors and back: copies through bytes, sharing
//! through DLPack where numpy allows it, and `tolist`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyTuple};

use super::args::{device_arg, dtype_arg};
use crate::{DType, Error, ErrorKind, Tensor};

/// Flat values of `data` (a flat list/tuple of numbers, a nested sequence or
/// a numpy array) as raw bytes of `dtype`, and how many there are.
pub(crate) fn values_as_bytes(
    op: &str,
    data: &Bound<'_, PyAny>,
    dtype: DType,
) -> PyResult<(Vec<u8>, usize)> {
    let py = data.py();
    let numpy = py.import("numpy")?;
    let not_numbers = || {
        let got = super::args::type_name(data);
        PyTypeError::new_err(format!(
            "{op}: data must be a sequence of numbers or a numpy array, got {got}"
        ))
    };
    // Numbers only: numpy would also read None as nan and "1.5" as 1.5.
    let values = numpy
        .call_method1("asarray", (data,))
        .map_err(|_| not_numbers())?;
    let kind: String = values.getattr("dtype")?.getattr("kind")?.extract()?;
    let allowed = match op {
        "from_numpy" => "biufc",
        // A real target would drop the imaginary parts.
        _ if dtype.is_complex() => "iufc",
        _ => "iuf",
    };
    if !allowed.contains(kind.as_str()) {
        return Err(not_numbers());
    }
    let array = numpy
        .call_method1("ascontiguousarray", (values, dtype.name()))
        .map_err(|_| not_numbers())?;
    let count: usize = array.getattr("size")?.extract()?;
    let bytes = array.call_method0("tobytes")?;
    Ok((bytes.cast::<PyBytes>()?.as_bytes().to_vec(), count))
}

/// `__array__`'s dtype: something numpy takes as a dtype (a TypeError
/// otherwise, not numpy's ValueError about the object).
pub(crate) fn check_numpy_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let Some(dtype) = dtype.filter(|d| !d.is_none()) else {
        return Ok(());
    };
    let numpy = dtype.py().import("numpy")?;
    numpy
        .call_method1("dtype", (dtype,))
        .map(drop)
        .map_err(|_| {
            let got = super::args::type_name(dtype);
            PyTypeError::new_err(format!("__array__: dtype must be a numpy dtype, got {got}"))
        })
}

/// A Tensor holding a copy of a numpy array, with its dtype and shape.
pub(crate) fn from_numpy_array(
    array: &Bound<'_, PyAny>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<Tensor> {
    let py = array.py();
    let numpy = py.import("numpy")?;
    if !array.is_instance(&numpy.getattr("ndarray")?)? {
        let got = array.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "from_numpy: expected a numpy.ndarray, got {got}"
        )));
    }
    let numpy_dtype = array.getattr("dtype")?;
    let dtype = dtype_arg("from_numpy", &numpy_dtype).map_err(|_| {
        Error::new(
            ErrorKind::DType,
            format!("from_numpy: numpy dtype {numpy_dtype} has no flodl DType"),
        )
    })?;
    let shape: Vec<i64> = array.getattr("shape")?.extract()?;
    let (bytes, _) = values_as_bytes("from_numpy", array, dtype)?;
    Ok(Tensor::from_bytes(
        &bytes,
        &shape,
        dtype,
        device_arg("from_numpy", device)?,
    )?)
}

/// `t`'s DLPack device: `(1, 0)` for the CPU, `(2, index)` for CUDA.
pub(crate) fn dlpack_device(t: &Tensor) -> (i32, i64) {
    match t.device() {
        crate::Device::CUDA(index) => (2, i64::from(index)),
        _ => (1, 0),
    }
}

/// A Tensor sharing `array`'s memory when it can (a writable, aligned,
/// native-order numpy array staying on the CPU, of a flodl dtype, without
/// negative strides, as `torch.from_numpy` shares); None otherwise (the
/// caller copies).
pub(crate) fn share_numpy(
    array: &Bound<'_, PyAny>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Tensor>> {
    if device_arg("from_numpy", device)? != crate::Device::CPU || !array.hasattr("__dlpack__")? {
        return Ok(None);
    }
    let flags = array.getattr("flags")?;
    let strides: Vec<i64> = array.getattr("strides")?.extract()?;
    let shareable = flags.getattr("writeable")?.extract::<bool>()?
        && flags.getattr("aligned")?.extract::<bool>()?
        && strides.iter().all(|&s| s >= 0)
        && array
            .getattr("dtype")?
            .getattr("isnative")?
            .extract::<bool>()?
        && dtype_arg("from_numpy", &array.getattr("dtype")?).is_ok();
    if !shareable {
        return Ok(None);
    }
    match super::interop::from_dlpack(array) {
        Ok(t) => Ok(Some(t)),
        // A layout numpy does not export: copy it.
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyBufferError>(array.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `numpy.ndarray` holding a copy of `t`'s values.
pub(crate) fn to_numpy<'py>(
    py: Python<'py>,
    t: &Tensor,
    dtype: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    if t.dtype() == DType::BFloat16 {
        return Err(Error::new(ErrorKind::DType, format!(
            "numpy: numpy has no bfloat16; convert first with to_dtype(DType.Float32) (tensor {:?} bfloat16)",
            t.shape()
        ))
        .into());
    }
    let numpy = py.import("numpy")?;
    let buffer = PyByteArray::new(py, &t.to_bytes()?);
    let array = numpy
        .call_method1("frombuffer", (buffer, t.dtype().name()))?
        .call_method1("reshape", (PyTuple::new(py, t.shape())?,))?;
    match dtype.filter(|d| !d.is_none()) {
        Some(d) => array.call_method1("astype", (d,)).map_err(|_| {
            let got = super::args::type_name(d);
            PyTypeError::new_err(format!("numpy: dtype must be a numpy dtype, got {got}"))
        }),
        None => Ok(array),
    }
}

/// `t`'s values as nested Python lists of ints, floats or bools (a single
/// number for a 0-dim tensor), as `torch.Tensor.tolist`.
pub(crate) fn to_list<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let t = if t.dtype() == DType::BFloat16 {
        t.to_dtype(DType::Float32)?
    } else {
        t.clone()
    };
    to_numpy(py, &t, None)?.call_method0("tolist")
}

/// `np.asarray(t, dtype, copy=copy)`: shares a CPU tensor's memory through
/// DLPack (as PyTorch's `numpy()`); copies a CUDA or bfloat16 tensor, a
/// lazy `conj()` view (its memory holds other values) or one asked for in
/// another dtype, and refuses to with `copy=False`.
pub(crate) fn as_array<'py>(
    py: Python<'py>,
    t: &Tensor,
    dtype: Option<&Bound<'py, PyAny>>,
    copy: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    check_numpy_dtype(dtype)?;
    if copy == Some(true) {
        return to_numpy(py, t, dtype);
    }
    let why = if t.device() != crate::Device::CPU {
        Some("the tensor is not on the CPU")
    } else if t.dtype() == DType::BFloat16 {
        Some("numpy has no bfloat16")
    } else if t.is_conj() || t.is_neg() {
        Some("the tensor is a lazy conj() view (resolve_conj() gives its values)")
    } else {
        None
    };
    if let Some(why) = why {
        if copy == Some(false) {
            return Err(super::interop::cannot_share(why));
        }
        return to_numpy(py, t, dtype);
    }
    let numpy = py.import("numpy")?;
    let shared = numpy.call_method1("from_dlpack", (t.clone().into_pyobject(py)?,))?;
    match dtype {
        Some(dtype)
            if !shared
                .getattr("dtype")?
                .eq(numpy.call_method1("dtype", (dtype,))?)? =>
        {
            if copy == Some(false) {
                return Err(super::interop::cannot_share("the dtype differs"));
            }
            shared.call_method1("astype", (dtype,))
        }
        _ => Ok(shared),
    }
}
