//! Core values to Python objects: a Tensor becomes a `flodl.Tensor`, a
//! Variable a `flodl.Variable`; tuples and lists of them follow.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use pyo3::BoundObject;

use super::classes::PyTensor;
use super::classes::PyVariable;
use crate::{Tensor, Variable};

impl<'py> IntoPyObject<'py> for Tensor {
    type Target = PyTensor;
    type Output = Bound<'py, PyTensor>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Bound::new(py, PyTensor::from(self))
    }
}

impl<'py> IntoPyObject<'py> for Variable {
    type Target = PyVariable;
    type Output = Bound<'py, PyVariable>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Bound::new(py, self)
    }
}

/// An nn function's result as a Python object: Variables when any operand
/// was one, else their data as Tensors.
pub(crate) trait NnResult {
    fn into_python(self, py: Python<'_>, tracked: bool) -> PyResult<Py<PyAny>>;
}

impl NnResult for Variable {
    fn into_python(self, py: Python<'_>, tracked: bool) -> PyResult<Py<PyAny>> {
        if tracked {
            Ok(self.into_pyobject(py)?.into_any().unbind())
        } else {
            Ok(self.data().into_pyobject(py)?.into_any().unbind())
        }
    }
}

impl NnResult for (Variable, Variable) {
    fn into_python(self, py: Python<'_>, tracked: bool) -> PyResult<Py<PyAny>> {
        let pair = (
            self.0.into_python(py, tracked)?,
            self.1.into_python(py, tracked)?,
        );
        Ok(pair.into_pyobject(py)?.into_any().unbind())
    }
}

impl NnResult for (Variable, Variable, Variable) {
    fn into_python(self, py: Python<'_>, tracked: bool) -> PyResult<Py<PyAny>> {
        let triple = (
            self.0.into_python(py, tracked)?,
            self.1.into_python(py, tracked)?,
            self.2.into_python(py, tracked)?,
        );
        Ok(triple.into_pyobject(py)?.into_any().unbind())
    }
}

/// Values and their Int64 positions (the max pools' `return_indices`): the
/// positions are a Tensor either way, as PyTorch's carry no gradient.
impl NnResult for (Variable, crate::Tensor) {
    fn into_python(self, py: Python<'_>, tracked: bool) -> PyResult<Py<PyAny>> {
        let values = self.0.into_python(py, tracked)?;
        let indices = self.1.into_pyobject(py)?.into_any().unbind();
        Ok((values, indices).into_pyobject(py)?.into_any().unbind())
    }
}

/// A `(values, indices)` result as the named tuple of `flodl.return_types`
/// for the ops that have one (`sort`, `topk`, `kthvalue`, `mode`, and
/// `max`/`min`/`median` along a dim);
/// any other result as it is.
pub(crate) fn named(py: Python<'_>, op: &str, result: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let name = match op {
        "sort" | "topk" | "kthvalue" | "max" | "min" | "median" | "mode" | "cummax" | "cummin"
        | "aminmax" | "slogdet" | "qr" | "svd" | "linalg_qr" | "linalg_svd" | "linalg_eigh"
        | "linalg_lstsq" | "nanmedian" | "frexp" | "linalg_cholesky_ex" | "linalg_inv_ex"
        | "linalg_solve_ex" | "histogram" => op,
        "max_with_indices" => "max",
        "min_with_indices" => "min",
        "median_dim" => "median",
        "nanmedian_dim" => "nanmedian",
        // Pieces of one tensor (split, chunk, unbind, meshgrid, ...) are a
        // tuple, as PyTorch's.
        _ => return Ok(list_as_tuple(py, result)),
    };
    // Imported once: a fresh import per call cost more than the op on a
    // small tensor.
    static RETURN_TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = RETURN_TYPES.get_or_try_init(py, || {
        PyResult::Ok(py.import("flodl.return_types")?.unbind())
    })?;
    let class = module.bind(py).getattr(name)?;
    Ok(class.call_method1("_make", (result,))?.unbind())
}

/// `shape` as a `flodl.Size` (a tuple that also equals a list).
pub(crate) fn size<'py>(py: Python<'py>, shape: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    static SIZE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let class = SIZE.import(py, "flodl._size", "Size")?;
    class.call1((PyTuple::new(py, shape)?,))
}

/// A new Python object holding `value`, as `Py<PyAny>` (what an operator
/// returns, since it may also return `NotImplemented`).
pub(crate) fn new_object<T>(py: Python<'_>, value: T) -> PyResult<Py<PyAny>>
where
    T: for<'py> IntoPyObject<'py, Error = PyErr>,
{
    Ok(value.into_pyobject(py)?.into_any().unbind())
}

/// A Variable result of a computation over `plain` inputs (Tensors only):
/// a Tensor where it records no graph, as an op on Tensors gives it; else
/// the Variable.
pub(crate) fn plain_unless_tracked(
    py: Python<'_>,
    v: Variable,
    plain: bool,
) -> PyResult<Bound<'_, PyAny>> {
    match plain && !v.requires_grad() {
        true => Ok(v.data().into_pyobject(py)?.into_any()),
        false => Ok(v.into_pyobject(py)?.into_any()),
    }
}

/// A list as a tuple (anything else as it is).
fn list_as_tuple(py: Python<'_>, result: Py<PyAny>) -> Py<PyAny> {
    match result.cast_bound::<pyo3::types::PyList>(py) {
        Ok(list) => list.to_tuple().into_any().unbind(),
        Err(_) => result,
    }
}

/// Pieces of one tensor as PyTorch returns them: a tuple.
pub(crate) fn pieces<T>(py: Python<'_>, pieces: Vec<T>) -> PyResult<Py<PyAny>>
where
    T: for<'py> IntoPyObject<'py, Error = PyErr>,
{
    Ok(PyTuple::new(py, pieces)?.into_any().unbind())
}
