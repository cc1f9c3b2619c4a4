//! Python's operators on Tensor and Variable: `+ - * / @ **` (and reflected
//! forms), unary `-`. A Tensor or Variable operand means the op of the same
//! name; a Python or numpy number means the `_scalar` op; anything else is
//! `NotImplemented`, so Python raises its usual TypeError.

use pyo3::prelude::*;

use super::args::{scalar, tensor_operand, variable_operand, Operand, TensorArg, VariableArg};
use super::gil::matmul_gil;
use super::results::new_object;
use crate::{Result, Scalar, Tensor, Variable};

/// A core class as the operators see it: how to find an operand of it in
/// a Python object.
pub(crate) trait Class:
    Sized + Send + Clone + for<'py> IntoPyObject<'py, Error = PyErr>
{
    type Arg<'py>: Operand<Self>;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Self::Arg<'py>>>;
    fn numel(&self) -> usize;
    fn matmul(&self, other: &Self) -> Result<Self>;
    /// The values, as an untracked Tensor sharing memory.
    fn values(&self) -> Tensor;
    fn ndim(&self) -> usize;
    fn reshape(&self, shape: &[i64]) -> Result<Self>;
    fn pow(&self, exponent: &Self) -> Result<Self>;
    fn pow_scalar(&self, exponent: Scalar) -> Result<Self>;
    /// A Tensor as an operand of this class (a constant for a Variable).
    fn constant(t: Tensor) -> Result<Self>;
    /// This value as a Variable (a Tensor as a constant).
    fn to_variable(&self) -> Result<Variable>;
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
    fn pow_scalar(&self, exponent: Scalar) -> Result<Self> {
        Tensor::pow_scalar(self, exponent)
    }
    fn constant(t: Tensor) -> Result<Self> {
        Ok(t)
    }
    fn to_variable(&self) -> Result<Variable> {
        Variable::new(self.clone(), false)
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
    fn pow_scalar(&self, exponent: Scalar) -> Result<Self> {
        Variable::pow_scalar(self, exponent)
    }
    fn constant(t: Tensor) -> Result<Self> {
        Variable::new(t, false)
    }
    fn to_variable(&self) -> Result<Variable> {
        Ok(self.clone())
    }
}

/// A binary operator of `a` and `other`: `with_operand(a, operand)` for a
/// Tensor, Variable or numpy array, `with_scalar(a, number)` for a Python
/// or numpy number, and `NotImplemented` otherwise.
pub(crate) fn binary<C: Class, R>(
    a: &C,
    other: &Bound<'_, PyAny>,
    with_operand: impl FnOnce(&C, &C) -> Result<R>,
    with_scalar: impl FnOnce(&C, Scalar) -> Result<R>,
) -> PyResult<Py<PyAny>>
where
    R: for<'py> IntoPyObject<'py, Error = PyErr>,
{
    let py = other.py();
    if let Some(operand) = C::operand(other)? {
        return new_object(py, with_operand(a, operand.get())?);
    }
    if let Some(number) = scalar(other) {
        let number = number.map_err(|p| p.raise("operator", "operand"))?;
        return new_object(py, with_scalar(a, number)?);
    }
    if let Some(array) = numpy_array(other)? {
        return new_object(py, with_operand(a, &C::constant(array)?)?);
    }
    Ok(py.NotImplemented())
}

/// `a op= other` in place, as PyTorch's `+=` (`symbol`). A Variable into
/// a Tensor is a TypeError: a Tensor records no graph.
pub(crate) fn in_place<C: Class>(
    a: &C,
    other: &Bound<'_, PyAny>,
    symbol: &str,
    with_operand: impl FnOnce(&C, &C) -> Result<()>,
    with_scalar: impl FnOnce(&C, Scalar) -> Result<()>,
) -> PyResult<()> {
    if let Some(operand) = C::operand(other)? {
        return Ok(with_operand(a, operand.get())?);
    }
    if let Some(number) = scalar(other) {
        return Ok(with_scalar(
            a,
            number.map_err(|p| p.raise("operator", "operand"))?,
        )?);
    }
    if let Some(array) = numpy_array(other)? {
        return Ok(with_operand(a, &C::constant(array)?)?);
    }
    let got = other.get_type().name()?;
    let hint = if got == "Variable" {
        " (use its .data, or x = x op v)"
    } else {
        ""
    };
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{symbol}: cannot apply a {got} in place to this value{hint}"
    )))
}

/// A numpy array as a Tensor (a copy), or None for anything else.
fn numpy_array(obj: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    let is_array = obj.get_type().name().is_ok_and(|n| n == "ndarray")
        && obj.get_type().module().is_ok_and(|m| m == "numpy");
    if !is_array {
        return Ok(None);
    }
    Ok(Some(super::tensor::from_numpy_array(obj, None)?))
}

/// `a @ other` (or `other @ a` when `reflected`); no number operand.
/// Large products run with the GIL released.
pub(crate) fn matmul<C: Class>(
    a: &C,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = other.py();
    let b = match (C::operand(other)?, numpy_array(other)?) {
        (Some(operand), _) => operand.get().clone(),
        (None, Some(array)) => C::constant(array)?,
        (None, None) => return Ok(py.NotImplemented()),
    };
    let (left, right) = if reflected { (&b, a) } else { (a, &b) };
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

/// The single value of `a` for `bool()`, `int()`, `float()` and
/// `operator.index()`; a ShapeError unless `a` has one element.
pub(crate) fn single_value<'py, C: Class>(
    py: Python<'py>,
    a: &C,
    op: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let values = a.values();
    crate::error::ensure!(
        values.numel() == 1,
        Shape,
        "{op}: needs a single-element tensor, got shape {:?}",
        values.shape()
    );
    super::tensor::to_list(py, &values.reshape(&[])?)
}

/// Binds the operators to a class (`PyClass`, `Core`).
macro_rules! operators {
    ($Py:ident, $Core:ident) => {
        #[pyo3::pymethods]
        impl $Py {
            // numpy defers to these operators rather than converting a
            // flodl operand into an array (which would drop the graph).
            #[classattr]
            fn __array_ufunc__() -> Option<()> {
                None
            }

            // In place, as PyTorch: `x += y` changes x (an Autograd error on
            // a leaf that requires grad, outside no_grad).
            fn __iadd__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "+=", $Core::add_, |a, s| {
                    a.add_scalar_(s)
                })
            }
            fn __isub__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "-=", $Core::sub_, |a, s| {
                    a.sub_scalar_(s)
                })
            }
            fn __imul__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "*=", $Core::mul_, |a, s| {
                    a.mul_scalar_(s)
                })
            }
            fn __ifloordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "//=", $Core::floor_divide_, |a, s| {
                    a.floor_divide_scalar_(s)
                })
            }
            fn __imod__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "%=", $Core::remainder_, |a, s| {
                    a.remainder_scalar_(s)
                })
            }
            fn __ipow__(
                &self,
                other: &Bound<'_, PyAny>,
                _modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                operators::in_place(&self.inner, other, "**=", $Core::pow_, |a, s| {
                    a.pow_scalar_(s)
                })
            }
            fn __itruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(&self.inner, other, "/=", $Core::div_, |a, s| {
                    a.div_scalar_(s)
                })
            }

            fn __add__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::add, $Core::add_scalar)
            }
            fn __radd__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, |a, o| o.add(a), $Core::add_scalar)
            }
            fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::sub, $Core::sub_scalar)
            }
            fn __rsub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, |a, o| o.sub(a), $Core::rsub_scalar)
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
                let reflected = |a: &$Core, s| a.reciprocal()?.mul_scalar(s);
                operators::binary(&self.inner, other, |a, o| o.div(a), reflected)
            }
            fn __floordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::floor_divide_scalar;
                operators::binary(&self.inner, other, $Core::floor_divide, scalar)
            }
            fn __rfloordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::rfloor_divide_scalar;
                operators::binary(&self.inner, other, |a, o| o.floor_divide(a), scalar)
            }
            fn __mod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    $Core::remainder,
                    $Core::remainder_scalar,
                )
            }
            fn __rmod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::rremainder_scalar;
                operators::binary(&self.inner, other, |a, o| o.remainder(a), scalar)
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
            fn __and__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_and_scalar;
                operators::binary(&self.inner, other, $Core::bitwise_and, scalar)
            }
            fn __rand__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                self.__and__(other)
            }
            fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_or_scalar;
                operators::binary(&self.inner, other, $Core::bitwise_or, scalar)
            }
            fn __ror__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                self.__or__(other)
            }
            fn __xor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_xor_scalar;
                operators::binary(&self.inner, other, $Core::bitwise_xor, scalar)
            }
            fn __rxor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                self.__xor__(other)
            }
            fn __invert__(&self) -> PyResult<$Core> {
                Ok(self.inner.bitwise_not()?)
            }
            fn __neg__(&self) -> PyResult<$Core> {
                Ok(self.inner.neg()?)
            }
            fn __abs__(&self) -> PyResult<$Core> {
                Ok(self.inner.abs()?)
            }

            // Comparisons are elementwise and give Bool Tensors, as PyTorch's.
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::eq, $Core::eq_scalar)
            }
            fn __ne__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::ne, $Core::ne_scalar)
            }
            fn __lt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::lt, $Core::lt_scalar)
            }
            fn __le__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::le, $Core::le_scalar)
            }
            fn __gt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::gt, $Core::gt_scalar)
            }
            fn __ge__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(&self.inner, other, $Core::ge, $Core::ge_scalar)
            }
            /// By identity, as every PyTorch tensor: `==` compares values.
            fn __hash__(slf: &Bound<'_, Self>) -> isize {
                (slf.as_ptr() as usize >> 4) as isize
            }

            // A single element as a Python number.
            fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
                operators::single_value(py, &self.inner, "bool")?.is_truthy()
            }
            fn __int__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let value = operators::single_value(py, &self.inner, "int")?;
                py.get_type::<pyo3::types::PyInt>().call1((value,))
            }
            fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
                operators::single_value(py, &self.inner, "float")?.extract()
            }
            fn __index__(&self, py: Python<'_>) -> PyResult<i64> {
                let value = operators::single_value(py, &self.inner, "index")?;
                if !value.is_instance_of::<pyo3::types::PyInt>()
                    || value.is_instance_of::<pyo3::types::PyBool>()
                {
                    let dtype = self.inner.dtype();
                    let message =
                        format!("index: only an integer tensor can be an index, got {dtype}");
                    return Err(pyo3::exceptions::PyTypeError::new_err(message));
                }
                value.extract()
            }
        }
    };
}

pub(crate) use operators;
