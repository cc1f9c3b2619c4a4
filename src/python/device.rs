//! `Device` and `TensorOptions` as Python classes (`DType` is the core enum).

use pyo3::prelude::*;

use super::args::{device_arg, options_arg};
use super::classes::{PyDevice, PyTensorOptions};
use crate::{DType, Device};

#[pymethods]
impl PyDevice {
    /// `Device("cpu")`, `Device("cuda:1")` or `Device("cuda", 1)` (any form
    /// a device argument takes), as `torch.device`.
    #[new]
    #[pyo3(signature = (r#type, index = None))]
    fn new(r#type: &Bound<'_, PyAny>, index: Option<&Bound<'_, PyAny>>) -> PyResult<PyDevice> {
        let device = device_arg("Device", Some(r#type))?;
        let Some(index) = index.filter(|i| !i.is_none()) else {
            return Ok(PyDevice(device));
        };
        let with_index = r#type.extract::<String>().is_ok_and(|s| s.contains(':'));
        match device {
            Device::CUDA(_) if !with_index => Self::CUDA(Some(index)),
            Device::CPU if !with_index => Ok(PyDevice(Device::CPU)),
            _ => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("Device: the index is given twice ({type} and {index})"),
            )
            .into()),
        }
    }

    #[classattr]
    #[allow(non_snake_case)]
    fn CPU() -> PyDevice {
        PyDevice(Device::CPU)
    }

    /// The CUDA device with the given index.
    #[staticmethod]
    #[allow(non_snake_case)]
    #[pyo3(signature = (index = None))]
    fn CUDA(index: Option<&Bound<'_, PyAny>>) -> PyResult<PyDevice> {
        let Some(index) = index else {
            return Ok(PyDevice(Device::CUDA(0)));
        };
        let index: i64 = index.extract().or_else(|err: PyErr| {
            if err.is_instance_of::<pyo3::exceptions::PyOverflowError>(index.py()) {
                Ok(-1) // beyond 64 bits: out of range below
            } else {
                Err(err)
            }
        })?;
        let index = u8::try_from(index).map_err(|_| {
            crate::Error::new(
                crate::ErrorKind::Argument,
                format!("Device.CUDA: the device index must be in [0, 255], got {index}"),
            )
        })?;
        Ok(PyDevice(Device::CUDA(index)))
    }

    /// Parses `"cpu"`, `"cuda"` or `"cuda:N"`.
    #[staticmethod]
    fn parse(name: &Bound<'_, PyAny>) -> PyResult<PyDevice> {
        device_arg("Device.parse", Some(name)).map(PyDevice)
    }

    /// `"cpu"` or `"cuda"`.
    #[getter]
    fn r#type(&self) -> &'static str {
        match self.0 {
            Device::CPU => "cpu",
            Device::CUDA(_) => "cuda",
        }
    }

    /// The CUDA index, or None for the CPU.
    #[getter]
    fn index(&self) -> Option<u8> {
        match self.0 {
            Device::CPU => None,
            Device::CUDA(i) => Some(i),
        }
    }

    /// PyTorch's repr (what a list or a dict of devices prints).
    fn __repr__(&self) -> String {
        match self.0 {
            Device::CPU => "device(type='cpu')".to_string(),
            Device::CUDA(i) => format!("device(type='cuda', index={i})"),
        }
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }
}

#[pymethods]
impl DType {
    /// The name PyTorch and numpy use (`"float32"`).
    #[getter(name)]
    fn py_name(&self) -> &'static str {
        DType::name(*self)
    }

    #[getter(is_floating_point)]
    fn py_is_floating_point(&self) -> bool {
        DType::is_floating_point(*self)
    }

    /// Bytes per element, as `torch.dtype.itemsize`.
    #[getter(itemsize)]
    fn py_itemsize(&self) -> usize {
        DType::element_size(*self)
    }

    /// Whether the dtype holds signed values, as `torch.dtype.is_signed`.
    #[getter(is_signed)]
    fn py_is_signed(&self) -> bool {
        !matches!(*self, DType::Bool | DType::UInt8)
    }

    #[getter(is_complex)]
    fn py_is_complex(&self) -> bool {
        DType::is_complex(*self)
    }

    /// The dtype of a complex dtype's parts (`complex64.to_real()` is
    /// float32); any other dtype is its own.
    #[pyo3(name = "to_real")]
    fn py_to_real(&self) -> DType {
        DType::to_real(*self)
    }

    /// The complex dtype of float32 and float64 (and of a complex dtype,
    /// itself); a DTypeError for the others.
    #[pyo3(name = "to_complex")]
    fn py_to_complex(&self) -> PyResult<DType> {
        Ok(DType::to_complex(*self)?)
    }

    /// `flodl.float32`, as PyTorch prints `torch.float32` (the names
    /// `flodl.float32` and `DType.Float32` are one value).
    fn __str__(&self) -> String {
        format!("flodl.{}", DType::name(*self))
    }

    fn __repr__(&self) -> String {
        self.__str__()
    }
}

#[pymethods]
impl crate::dtype::FloatInfo {
    #[new]
    #[pyo3(signature = (r#type = None))]
    fn py_new(r#type: Option<DType>) -> PyResult<Self> {
        Ok(r#type.unwrap_or(DType::Float32).finfo()?)
    }

    /// `tiny` by its newer name.
    #[getter]
    fn smallest_normal(&self) -> f64 {
        self.tiny
    }

    /// PyTorch's repr, its numbers in Python's `g` format.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let g = |v: f64| -> PyResult<String> {
            pyo3::types::PyFloat::new(py, v)
                .call_method1("__format__", ("g",))?
                .extract()
        };
        Ok(format!(
            "finfo(resolution={}, min={}, max={}, eps={}, smallest_normal={}, tiny={}, dtype={})",
            g(self.resolution)?,
            g(self.min)?,
            g(self.max)?,
            g(self.eps)?,
            g(self.tiny)?,
            g(self.tiny)?,
            self.dtype.name()
        ))
    }
}

#[pymethods]
impl crate::dtype::IntInfo {
    #[new]
    fn py_new(r#type: DType) -> PyResult<Self> {
        Ok(r#type.iinfo()?)
    }

    fn __repr__(&self) -> String {
        format!(
            "iinfo(min={}, max={}, dtype={})",
            self.min,
            self.max,
            self.dtype.name()
        )
    }
}

#[pymethods]
impl PyTensorOptions {
    #[new]
    #[pyo3(signature = (dtype = None, device = None))]
    fn new(dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        options_arg("TensorOptions", None, dtype, device).map(PyTensorOptions)
    }

    #[getter]
    fn dtype(&self) -> DType {
        self.0.dtype
    }

    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice(self.0.device)
    }

    fn __repr__(&self) -> String {
        format!(
            "TensorOptions(dtype=DType.{:?}, device={})",
            self.0.dtype,
            PyDevice(self.0.device).__repr__()
        )
    }
}
