//! Python arguments to Rust values (SPEC §3): devices and dtypes from their
//! classes, strings or numpy dtypes; options from keywords.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::device::PyDevice;
use crate::{DType, Device, TensorOptions};

/// `Device.CPU`, `Device.CUDA(i)`, `"cpu"`, `"cuda:0"`; `None` is the CPU.
pub(crate) fn device_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Device::CPU);
    };
    if let Ok(d) = obj.cast::<PyDevice>() {
        return Ok(d.get().0);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.parse::<Device>()?);
    }
    Err(PyTypeError::new_err(format!(
        "expected a Device or a string like \"cpu\" or \"cuda:0\", got {}",
        obj.get_type().name()?
    )))
}

/// `DType.Float32`, `"float32"`, `numpy.float32`, `numpy.dtype("float32")`.
pub(crate) fn dtype_arg(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.extract::<DType>() {
        return Ok(d);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.parse::<DType>()?);
    }
    // Anything numpy understands as a dtype.
    let numpy = obj.py().import("numpy")?;
    match numpy.call_method1("dtype", (obj,)) {
        Ok(dt) => Ok(dt.getattr("name")?.extract::<String>()?.parse::<DType>()?),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected a DType, a dtype name or a numpy dtype, got {}",
            obj.get_type().name()?
        ))),
    }
}

/// The `options=`, `dtype=` and `device=` arguments of creation functions;
/// the keywords override the options.
pub(crate) fn options_arg(
    options: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<TensorOptions> {
    let mut opts = match options.filter(|o| !o.is_none()) {
        Some(o) => {
            o.cast::<super::device::PyTensorOptions>()
                .map_err(|_| PyTypeError::new_err("options must be a TensorOptions"))?
                .get()
                .0
        }
        None => TensorOptions::default(),
    };
    if let Some(dtype) = dtype.filter(|o| !o.is_none()) {
        opts.dtype = dtype_arg(dtype)?;
    }
    if let Some(device) = device.filter(|o| !o.is_none()) {
        opts.device = device_arg(Some(device))?;
    }
    Ok(opts)
}
