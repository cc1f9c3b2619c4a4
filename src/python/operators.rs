//! Python's operators on Tensor and Variable: `+ - * / @ **` (and reflected
//! forms), unary `-`. A Tensor or Variable operand means the op of the same
//! name; a Python or numpy number means the `_scalar` op; anything else is
//! `NotImplemented`, so Python raises its usual TypeError.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use super::args::{tensor_operand, variable_operand, Operand, TensorArg, VariableArg};
use super::gil::matmul_gil;
use super::results::new_object;
use crate::{Result, Tensor, Variable};

/// A core class as the operators see it: how to find an operand of it in
/// a Python object.
pub(crate) trait Class: Sized + Send + for<'py> IntoPyObject<'py, Error = PyErr> {
    type Arg<'py>: Operand<Self>;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Self::Arg<'py>>>;
    fn numel(&self) -> usize;
    fn matmul(&self, other: &Self) -> Result<Self>;
    /// The values, as an untracked Tensor sharing memory.
    fn values(&self) -> Tensor;
    fn ndim(&self) -> usize;
    fn reshape(&self, shape: &[i64]) -> Result<Self>;
    fn pow(&self, exponent: &Self) -> Result<Self>;
    fn pow_scalar(&self, exponent: f64) -> Result<Self>;
}

impl Class for Tensor {
    type Arg<'py> = TensorArg<'py>;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<TensorArg<'py>>> {
        tensor_operand(obj)
    }
    fn numel(&self) -> usize {
        Tensor::numel(self)
    }
    fn matmul(&self, other: &Self) -> Result<Self> {
        Tensor::matmul(self, other)
    }
    fn values(&self) -> Tensor {
        self.clone()
    }
    fn ndim(&self) -> usize {
        Tensor::ndim(self)
    }
    fn reshape(&self, shape: &[i64]) -> Result<Self> {
        Tensor::reshape(self, shape)
    }
    fn pow(&self, exponent: &Self) -> Result<Self> {
        Tensor::pow(self, exponent)
    }
    fn pow_scalar(&self, exponent: f64) -> Result<Self> {
        Tensor::pow_scalar(self, exponent)
    }
}

impl Class for Variable {
    type Arg<'py> = VariableArg<'py>;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<VariableArg<'py>>> {
        variable_operand(obj)
    }
    fn numel(&self) -> usize {
        Variable::numel(self)
    }
    fn matmul(&self, other: &Self) -> Result<Self> {
        Variable::matmul(self, other)
    }
    fn values(&self) -> Tensor {
        self.data()
    }
    fn ndim(&self) -> usize {
        Variable::ndim(self)
    }
    fn reshape(&self, shape: &[i64]) -> Result<Self> {
        Variable::reshape(self, shape)
    }
    fn pow(&self, exponent: &Self) -> Result<Self> {
        Variable::pow(self, exponent)
    }
    fn pow_scalar(&self, exponent: f64) -> Result<Self> {
        Variable::pow_scalar(self, exponent)
    }
}

/// A Python number as f64 (bool, int, float and numpy scalars), else None.
pub(crate) fn scalar(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if obj.is_instance_of::<PyFloat>()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyBool>()
    {
        return obj.extract::<f64>().ok();
    }
    // numpy scalars (np.float32(2.0), np.int64(3)) carry `dtype` and convert with float().
    let zero_dim = obj.getattr("ndim").and_then(|n| n.extract::<usize>()).ok() == Some(0);
    if obj.hasattr("dtype").unwrap_or(false) && zero_dim {
        return obj.extract::<f64>().ok();
    }
    None
}

/// A binary operator of `a` and `other`: `with_operand(a, operand)` or
/// `with_scalar(a, number)`.
pub(crate) fn binary<C: Class>(
    a: &C,
    other: &Bound<'_, PyAny>,
    with_operand: impl FnOnce(&C, &C) -> Result<C>,
    with_scalar: impl FnOnce(&C, f64) -> Result<C>,
) -> PyResult<Py<PyAny>> {
    let py = other.py();
    if let Some(operand) = C::operand(other)? {
        return new_object(py, with_operand(a, operand.get())?);
    }
    match scalar(other) {
        Some(s) => new_object(py, with_scalar(a, s)?),
        None => Ok(py.NotImplemented()),
    }
}

/// `a @ other` (or `other @ a` when `reflected`); no number operand.
/// Large products run with the GIL released.
pub(crate) fn matmul<C: Class>(
    a: &C,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = other.py();
    let Some(operand) = C::operand(other)? else {
        return Ok(py.NotImplemented());
    };
    let b = operand.get();
    let (left, right) = if reflected { (b, a) } else { (a, b) };
    new_object(
        py,
        matmul_gil(py, a.numel() + b.numel(), || left.matmul(right))?,
    )
}

/// `a ** exponent` for a number or tensor exponent; three-argument `pow` is
/// not supported.
pub(crate) fn power<C: Class>(
    a: &C,
    exponent: &Bound<'_, PyAny>,
    modulo: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    if modulo.is_some_and(|m| !m.is_none()) {
        return Ok(exponent.py().NotImplemented());
    }
    binary(a, exponent, C::pow, C::pow_scalar)
}

/// Binds the operators to a class (`PyClass`, `Core`).
macro_rules! operators {
    ($Py:ident, $Core:ident) => {
        #[pyo3::pymethods]
        impl $Py {
            fn __add__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::add, $Core::add_scalar)
            }
            fn __radd__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, |a, o| o.add(a), $Core::add_scalar)
            }
            fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::sub, |a, s| a.add_scalar(-s))
            }
            fn __rsub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    |a, o| o.sub(a),
                    |a, s| a.neg()?.add_scalar(s),
                )
            }
            fn __mul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::mul, $Core::mul_scalar)
            }
            fn __rmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, |a, o| o.mul(a), $Core::mul_scalar)
            }
            fn __truediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::div, $Core::div_scalar)
            }
            /// As PyTorch does: `s / x` is `reciprocal(x) * s`.
            fn __rtruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    |a, o| o.div(a),
                    |a, s| a.reciprocal()?.mul_scalar(s),
                )
            }
            fn __matmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::matmul(&self.inner, other, false)
            }
            fn __rmatmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::matmul(&self.inner, other, true)
            }
            fn __pow__(
                &self,
                exponent: &Bound<'_, PyAny>,
                modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                operators::power(&self.inner, exponent, modulo)
            }
            fn __rpow__(
                &self,
                base: &Bound<'_, PyAny>,
                modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                if modulo.is_some_and(|m| !m.is_none()) {
                    return Ok(base.py().NotImplemented());
                }
                operators::binary(&self.inner, base, |a, o| o.pow(a), $Core::rpow_scalar)
            }
            fn __neg__(&self) -> PyResult<$Core> {
                Ok(self.inner.neg()?)
            }
        }
    };
}

pub(crate) use operators;
