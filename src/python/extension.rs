//! Tensors and Variables crossing into a Python extension module of the
//! user's own (a crate depending on flodl with its `python` feature).
//!
//! That module holds its own compiled copy of flodl, whose Python classes
//! are not `flodl.Tensor` and `flodl.Variable`; so values cross as capsules
//! holding an `at::Tensor` handle (both copies share one libtorch) through
//! `flodl._flodl._to_capsule` / `_from_capsule`. [`FlodlTensor`] and
//! [`FlodlVariable`] do it for a `#[pyfunction]`'s arguments and results.

use std::ffi::CStr;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use super::classes::PyTensor;
use crate::ops::Operand;
use crate::{Tensor, Variable};

const TENSOR: &CStr = c"flodl.Tensor";
const VARIABLE: &CStr = c"flodl.Variable";

/// A `flodl.Tensor` argument or result of an extension's function.
pub struct FlodlTensor(pub Tensor);

/// A `flodl.Variable` argument or result of an extension's function (a
/// `flodl.Tensor` argument becomes a Variable that needs no grad). The
/// Variable keeps its graph, so gradients flow through the extension.
pub struct FlodlVariable(pub Variable);

unsafe extern "C" fn free_capsule(capsule: *mut ffi::PyObject) {
    // SAFETY: Python calls this once, for a capsule made by `capsule_of`,
    // whose pointer is an at::Tensor handle that the capsule owns.
    unsafe {
        let name = ffi::PyCapsule_GetName(capsule);
        let handle = ffi::PyCapsule_GetPointer(capsule, name);
        if !handle.is_null() {
            drop(tch::Tensor::from_ptr(handle.cast()));
        }
    }
}

/// A capsule named `name` owning a new handle on `t`.
fn capsule_of<'py>(
    py: Python<'py>,
    t: &tch::Tensor,
    name: &'static CStr,
) -> PyResult<Bound<'py, PyAny>> {
    let mut handle = t.shallow_clone();
    let raw = handle.as_mut_ptr();
    std::mem::forget(handle);
    // SAFETY: `raw` is a live handle the capsule takes over; `name` is static.
    let capsule = unsafe { ffi::PyCapsule_New(raw.cast(), name.as_ptr(), Some(free_capsule)) };
    if capsule.is_null() {
        // SAFETY: the capsule was not made, so the handle is still ours.
        drop(unsafe { tch::Tensor::from_ptr(raw) });
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference, owned from here on.
    Ok(unsafe { Bound::from_owned_ptr(py, capsule) })
}

/// A new handle on the tensor in `capsule`, if it is a capsule named `name`.
fn tensor_in(capsule: &Bound<'_, PyAny>, name: &CStr) -> Option<tch::Tensor> {
    // SAFETY: IsValid checks the object is a capsule of that name (and
    // clears no error); the pointer of such a capsule is a live handle.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule.as_ptr(), name.as_ptr()) == 0 {
            return None;
        }
        let handle = ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr());
        (!handle.is_null()).then(|| tch::Tensor::clone_from_ptr(handle.cast()))
    }
}

/// `flodl._flodl._to_capsule(x)`: a flodl Tensor or Variable as a capsule.
#[pyfunction(name = "_to_capsule")]
pub(crate) fn to_capsule<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    crate::python::guard::run("to_capsule", move || {
        if let Some(v) = crate::python::args::as_variable(obj) {
            return capsule_of(obj.py(), v.get().inner.raw(), VARIABLE);
        }
        if let Ok(t) = obj.cast::<PyTensor>() {
            return capsule_of(obj.py(), t.get().inner.raw(), TENSOR);
        }
        let got = super::args::type_name(obj);
        Err(PyTypeError::new_err(format!(
            "expected a flodl Tensor or Variable, got {got}"
        )))
    })
}

/// `flodl._flodl._from_capsule(c)`: the Tensor or Variable a capsule holds.
#[pyfunction(name = "_from_capsule")]
pub(crate) fn from_capsule(py: Python<'_>, capsule: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("from_capsule", move || {
        if let Some(t) = tensor_in(capsule, VARIABLE) {
            return Ok(Variable::from_raw(t).into_pyobject(py)?.into_any().unbind());
        }
        if let Some(t) = tensor_in(capsule, TENSOR) {
            return Ok(Tensor::from_raw(t).into_pyobject(py)?.into_any().unbind());
        }
        Err(PyTypeError::new_err(
            "_from_capsule: not a flodl tensor capsule",
        ))
    })
}

/// `flodl._flodl`'s `name` function, looked up once per process and copy.
fn flodl_function<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let f = cell.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        super::route_warnings_to_python();
        Ok(py.import("flodl._flodl")?.getattr(name)?.unbind())
    })?;
    Ok(f.bind(py).clone())
}

static TO_CAPSULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static FROM_CAPSULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn handle_of(obj: &Bound<'_, PyAny>) -> PyResult<(tch::Tensor, bool)> {
    let capsule = flodl_function(obj.py(), &TO_CAPSULE, "_to_capsule")?.call1((obj,))?;
    if let Some(t) = tensor_in(&capsule, VARIABLE) {
        return Ok((t, true));
    }
    match tensor_in(&capsule, TENSOR) {
        Some(t) => Ok((t, false)),
        None => Err(PyTypeError::new_err(
            "flodl._flodl._to_capsule returned no tensor",
        )),
    }
}

impl<'py> FromPyObject<'_, 'py> for FlodlVariable {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let (t, _) = handle_of(&obj)?;
        Ok(FlodlVariable(Variable::from_raw(t)))
    }
}

impl<'py> FromPyObject<'_, 'py> for FlodlTensor {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        match handle_of(&obj)? {
            (t, false) => Ok(FlodlTensor(Tensor::from_raw(t))),
            (_, true) => Err(PyTypeError::new_err(
                "expected a flodl Tensor, got a Variable (pass .data for its values)",
            )),
        }
    }
}

fn into_flodl<'py>(
    py: Python<'py>,
    t: &tch::Tensor,
    name: &'static CStr,
) -> PyResult<Bound<'py, PyAny>> {
    let capsule = capsule_of(py, t, name)?;
    flodl_function(py, &FROM_CAPSULE, "_from_capsule")?.call1((capsule,))
}

impl<'py> IntoPyObject<'py> for FlodlVariable {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        into_flodl(py, self.0.raw(), VARIABLE)
    }
}

impl<'py> IntoPyObject<'py> for FlodlTensor {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        into_flodl(py, self.0.raw(), TENSOR)
    }
}
