//! Python's operators on Tensor and Variable: `+ - * / @ **` (and reflected
//! forms), unary `-`. A Tensor or Variable operand means the op of the same
//! name; a Python or numpy number means the `_scalar` op; a numpy array
//! follows PyTorch, which hands it to numpy (see [`Op`]); anything else is
//! `NotImplemented`, so Python raises its usual TypeError.

use pyo3::prelude::*;

use super::args::{
    is_numpy_array, scalar, tensor_operand, variable_operand, PyOperand, TensorArg, VariableArg,
};
use super::gil::matmul_gil;
use super::results::new_object;
use crate::{DType, Result, Scalar, Tensor, Variable};

/// A core class as the operators see it: how to find an operand of it in
/// a Python object.
pub(crate) trait Class:
    Sized + Send + Clone + for<'py> IntoPyObject<'py, Error = PyErr>
{
    type Arg<'py>: PyOperand<Self>;
    /// Whether an in-place op given a value that records a graph makes this
    /// class's object join it (a Tensor), rather than record anyway.
    const JOINS_GRAPHS: bool = false;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Self::Arg<'py>>>;
    /// An operand whose values an in-place op of this class takes: for a
    /// Tensor also a Variable's, unless its gradient would be lost
    /// ([`values_for_tensor`](super::args::values_for_tensor)).
    fn values_operand<'py>(_op: &str, obj: &Bound<'py, PyAny>) -> PyResult<Option<Self::Arg<'py>>> {
        Self::operand(obj)
    }
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
    fn dtype(&self) -> DType;
    fn to_dtype(&self, dtype: DType) -> Result<Self>;
    fn reciprocal(&self) -> Result<Self>;
    fn mul(&self, other: &Self) -> Result<Self>;
    /// `copy.copy`: a new handle on the same memory (a Variable's is a new
    /// leaf with the same requires_grad, as PyTorch's).
    fn shallow_copy(&self) -> Result<Self>;
}

impl Class for Tensor {
    type Arg<'py> = TensorArg<'py>;
    const JOINS_GRAPHS: bool = true;
    fn operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<TensorArg<'py>>> {
        tensor_operand(obj)
    }
    fn values_operand<'py>(op: &str, obj: &Bound<'py, PyAny>) -> PyResult<Option<TensorArg<'py>>> {
        if let Some(v) = crate::python::args::as_variable(obj) {
            super::args::values_for_tensor(op, &v.get().inner)?;
            return Ok(Some(obj.extract()?));
        }
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
    fn dtype(&self) -> DType {
        Tensor::dtype(self)
    }
    fn to_dtype(&self, dtype: DType) -> Result<Self> {
        Tensor::to_dtype(self, dtype)
    }
    fn reciprocal(&self) -> Result<Self> {
        Tensor::reciprocal(self)
    }
    fn mul(&self, other: &Self) -> Result<Self> {
        Tensor::mul(self, other)
    }
    fn shallow_copy(&self) -> Result<Self> {
        Ok(self.clone())
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
    fn dtype(&self) -> DType {
        Variable::dtype(self)
    }
    fn to_dtype(&self, dtype: DType) -> Result<Self> {
        Variable::to_dtype(self, dtype)
    }
    fn reciprocal(&self) -> Result<Self> {
        Variable::reciprocal(self)
    }
    fn mul(&self, other: &Self) -> Result<Self> {
        Variable::mul(self, other)
    }
    fn shallow_copy(&self) -> Result<Self> {
        Variable::new(self.data(), self.requires_grad())
    }
}

/// Which operator a binary call is, for a numpy array operand: its numpy
/// ufunc, and whether the flodl value is on the right (`other op a`).
///
/// PyTorch does not take an array as a tensor here: its operator gives up
/// and numpy's runs on the tensor's values, then wraps numpy's result as a
/// tensor. So, as PyTorch, with the array on the right the result has
/// numpy's dtype (an int64 tensor over an int64 array is float64; a bool
/// result becomes uint8, as PyTorch's wrapping makes it); `==` and `!=`
/// compare elementwise; `< <= > >=` are a TypeError; with the array on the
/// left only `/` works (PyTorch's `reciprocal(x) * array`) and `==`/`!=`.
/// flodl computes in numpy's dtype with libtorch, so a Variable keeps its
/// graph.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    ufunc: &'static str,
    reflected: bool,
}

impl Op {
    pub(crate) const fn new(ufunc: &'static str) -> Op {
        Op {
            ufunc,
            reflected: false,
        }
    }
    pub(crate) const fn reflected(ufunc: &'static str) -> Op {
        Op {
            ufunc,
            reflected: true,
        }
    }
    /// `==` or `!=`: computed elementwise by PyTorch itself (a bool result
    /// stays bool), and on either side.
    fn is_equality(self) -> bool {
        matches!(self.ufunc, "equal" | "not_equal")
    }
}

/// A binary operator of `a` and `other`: `with_operand(a, operand)` for a
/// Tensor or Variable (or a numpy array, as [`Op`] says), `with_scalar(a,
/// number)` for a Python or numpy number, and `NotImplemented` otherwise.
pub(crate) fn binary<C: Class, R>(
    a: &C,
    other: &Bound<'_, PyAny>,
    op: Op,
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
    if is_numpy_array(other) {
        return with_array(a, other, op, with_operand);
    }
    not_implemented(other)
}

/// `NotImplemented`, so Python tries the other operand's method and then
/// raises its TypeError; but a torch tensor is named, with the conversion
/// (its own reflected operator would fail with a message about layouts).
fn not_implemented(other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if super::args::is_torch_tensor(other) {
        return Err(super::args::not_a_tensor(other, "a flodl tensor"));
    }
    Ok(other.py().NotImplemented())
}

/// [`binary`] with a numpy array operand, as [`Op`] describes.
fn with_array<C: Class, R>(
    a: &C,
    array: &Bound<'_, PyAny>,
    op: Op,
    with_operand: impl FnOnce(&C, &C) -> Result<R>,
) -> PyResult<Py<PyAny>>
where
    R: for<'py> IntoPyObject<'py, Error = PyErr>,
{
    let py = array.py();
    if op.reflected && !op.is_equality() {
        if op.ufunc != "true_divide" {
            return Ok(py.NotImplemented());
        }
        let inverse = a.reciprocal()?;
        let (x, y) = array_operands(&inverse, array, Op::new("multiply"))?;
        return wrapped(new_object(py, x.mul(&y)?)?.into_bound(py), op);
    }
    if matches!(
        op.ufunc,
        "less" | "less_equal" | "greater" | "greater_equal"
    ) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{}: a flodl tensor is not ordered against a numpy array (as in PyTorch); \
             make the array a tensor first (flodl.tensor(array))",
            op.ufunc
        )));
    }
    let (x, y) = array_operands(a, array, op)?;
    if op.ufunc == "matmul" && x.dtype() == DType::Bool {
        // numpy's logical product (any of the ands), which libtorch lacks:
        // the int product is nonzero where it is true.
        let (xi, yi) = (x.to_dtype(DType::Int64)?, y.to_dtype(DType::Int64)?);
        let product = new_object(py, with_operand(&xi, &yi)?)?.into_bound(py);
        return wrapped(product.call_method1("__ne__", (0,))?, op);
    }
    if op.ufunc == "power" && !x.dtype().is_differentiable() {
        // numpy refuses what libtorch would compute as 0 (2 ** -1).
        let negative = array.call_method1("__lt__", (0,))?.call_method0("any")?;
        crate::error::ensure!(
            !negative.is_truthy()?,
            Argument,
            "pow: integers to negative integer powers are not allowed (as numpy, whose rule an array operand follows)"
        );
    }
    let integral_division = matches!(op.ufunc, "floor_divide" | "remainder")
        && !x.dtype().is_differentiable()
        && x.dtype() != DType::Bool;
    if integral_division {
        // numpy gives 0 for an integer divided by 0 (with a warning) where
        // libtorch refuses: divide by 1 there, then put numpy's 0.
        let numpy = py.import("numpy")?;
        let zeros = numpy.call_method1("asarray", (array.call_method1("__eq__", (0,))?,))?;
        if zeros.call_method0("any")?.is_truthy()? {
            let safe = numpy.call_method1("where", (&zeros, 1, array))?;
            let (x, y) = array_operands(a, &safe, op)?;
            let result = new_object(py, with_operand(&x, &y)?)?.into_bound(py);
            let mask = super::numpy::from_numpy_array(&zeros, None)?;
            let filled = result.call_method1("masked_fill", (mask, 0))?;
            return wrapped(filled, op);
        }
    }
    wrapped(new_object(py, with_operand(&x, &y)?)?.into_bound(py), op)
}

/// numpy's result as PyTorch wraps it: a bool array becomes uint8 (but
/// for `==` and `!=`, which PyTorch computes itself).
fn wrapped(result: Bound<'_, PyAny>, op: Op) -> PyResult<Py<PyAny>> {
    let is_bool = result.getattr("dtype")?.extract::<DType>()? == DType::Bool;
    if is_bool && !op.is_equality() {
        return Ok(result.call_method1("to_dtype", (DType::UInt8,))?.unbind());
    }
    Ok(result.unbind())
}

/// `a` and `array` in the dtype numpy gives `op` of them.
fn array_operands<C: Class>(a: &C, array: &Bound<'_, PyAny>, op: Op) -> PyResult<(C, C)> {
    let dtype = numpy_result_dtype(array.py(), op, a.dtype(), array)?;
    let b = C::constant(super::numpy::from_numpy_array(array, None)?.to_dtype(dtype)?)?;
    Ok((a.to_dtype(dtype)?, b))
}

/// The dtype numpy gives `op` of a `dtype` array and `array` (a TypeError
/// where numpy has no such ufunc loop, as for floats with `&`).
fn numpy_result_dtype(
    py: Python<'_>,
    op: Op,
    dtype: DType,
    array: &Bound<'_, PyAny>,
) -> PyResult<DType> {
    let numpy = py.import("numpy")?;
    let name = dtype.to_string();
    if dtype == DType::BFloat16 {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "operator: numpy has no bfloat16, so a bfloat16 tensor cannot meet a numpy array \
             (as in PyTorch); make the array a tensor first (flodl.tensor(array))",
        ));
    }
    let mine = numpy.call_method1("empty", ((0,), name.as_str()))?;
    let theirs = numpy.call_method1("empty", ((0,), array.getattr("dtype")?))?;
    let result = if op.is_equality() {
        numpy.call_method1("result_type", (mine, theirs))?
    } else {
        let out = numpy.getattr(op.ufunc)?.call1((mine, theirs))?;
        out.getattr("dtype")?
    };
    let result = super::args::dtype_arg(op.ufunc, &result).map_err(|_| {
        crate::Error::new(
            crate::ErrorKind::DType,
            format!(
                "{}: numpy gives {} for {name} and {}, a dtype flodl does not have",
                op.ufunc,
                result.str().map(|s| s.to_string()).unwrap_or_default(),
                array
                    .getattr("dtype")
                    .and_then(|d| d.str())
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            ),
        )
    })?;
    Ok(result)
}

/// `a op= other` in place, as PyTorch's `+=` (`symbol`). A Tensor takes a
/// Variable's values unless their gradient would be lost (a Tensor records
/// no graph).
pub(crate) fn in_place<C: Class>(
    slf: &Bound<'_, PyAny>,
    a: &C,
    other: &Bound<'_, PyAny>,
    (symbol, dunder): (&str, &str),
    with_operand: impl FnOnce(&C, &C) -> Result<()>,
    with_scalar: impl FnOnce(&C, Scalar) -> Result<()>,
) -> PyResult<()> {
    // A Tensor given a value that records a graph joins it (`acc += h`).
    if super::tensor::joined_in_place::<C, _>(slf, symbol, dunder, &[other], (other,))? {
        return Ok(());
    }
    if let Some(operand) = C::values_operand(symbol, other)? {
        return Ok(with_operand(a, operand.get())?);
    }
    if let Some(number) = scalar(other) {
        return Ok(with_scalar(
            a,
            number.map_err(|p| p.raise("operator", "operand"))?,
        )?);
    }
    if is_numpy_array(other) {
        let array = super::numpy::from_numpy_array(other, None)?;
        return Ok(with_operand(a, &C::constant(array)?)?);
    }
    let got = other.get_type().name()?;
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{symbol}: cannot apply a {got} in place to this value"
    )))
}

/// `a @ other` (or `other @ a` when `reflected`); no number operand.
/// Large products run with the GIL released.
pub(crate) fn matmul<C: Class>(
    a: &C,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = other.py();
    let b = match C::operand(other)? {
        Some(operand) => operand.get().clone(),
        None if is_numpy_array(other) => {
            let op = if reflected {
                Op::reflected("matmul")
            } else {
                Op::new("matmul")
            };
            return with_array(a, other, op, |x, y| x.matmul(y));
        }
        None => return not_implemented(other),
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
    binary(a, exponent, Op::new("power"), C::pow, C::pow_scalar)
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
    super::numpy::to_list(py, &values.reshape(&[])?)
}

/// Binds the operators to a class (`PyClass`, `Core`).
macro_rules! operators {
    ($Py:ident, $Core:ident) => {
        crate::python::guard::guarded! {
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
            fn __iadd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("+=", "__iadd__"), $Core::add_, |a, s| {
                    a.add_scalar_(s)
                })
            }
            fn __isub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("-=", "__isub__"), $Core::sub_, |a, s| {
                    a.sub_scalar_(s)
                })
            }
            fn __imul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("*=", "__imul__"), $Core::mul_, |a, s| {
                    a.mul_scalar_(s)
                })
            }
            fn __ifloordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("//=", "__ifloordiv__"), $Core::floor_divide_, |a, s| {
                    a.floor_divide_scalar_(s)
                })
            }
            fn __imod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("%=", "__imod__"), $Core::remainder_, |a, s| {
                    a.remainder_scalar_(s)
                })
            }
            fn __ipow__(
                slf: &Bound<'_, Self>,
                other: &Bound<'_, PyAny>,
                _modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("**=", "__ipow__"), $Core::pow_, |a, s| {
                    a.pow_scalar_(s)
                })
            }
            fn __itruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("/=", "__itruediv__"), $Core::div_, |a, s| {
                    a.div_scalar_(s)
                })
            }

            /// `element in self`: whether any value equals `element` (a
            /// tensor or a number), as PyTorch's.
            fn __contains__(slf: &Bound<'_, Self>, element: &Bound<'_, PyAny>) -> PyResult<bool> {
                if !element.is_instance_of::<crate::python::classes::PyTensor>() && crate::python::args::scalar(element).is_none() {
                    let got = element.get_type().name()?;
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "in: a tensor holds tensors or numbers, got {got}"
                    )));
                }
                let equal = slf.as_any().rich_compare(element, pyo3::basic::CompareOp::Eq)?;
                equal.call_method0("any")?.call_method0("item")?.is_truthy()
            }

            /// `reversed(self)`: the rows last to first (`flip(0)`), as
            /// PyTorch's; a 0-d tensor is itself.
            fn __reversed__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                if slf.get().inner.ndim() == 0 {
                    return Ok(slf.clone().into_any().unbind());
                }
                Ok(slf.call_method1("flip", (0,))?.unbind())
            }

            fn __iand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("&=", "__iand__"), $Core::bitwise_and_, $Core::bitwise_and_scalar_)
            }
            fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("|=", "__ior__"), $Core::bitwise_or_, $Core::bitwise_or_scalar_)
            }
            fn __ixor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("^=", "__ixor__"), $Core::bitwise_xor_, $Core::bitwise_xor_scalar_)
            }
            fn __ilshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, ("<<=", "__ilshift__"), $Core::bitwise_left_shift_, $Core::bitwise_left_shift_scalar_)
            }
            fn __irshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                operators::in_place(slf.as_any(), &slf.get().inner, other, (">>=", "__irshift__"), $Core::bitwise_right_shift_, $Core::bitwise_right_shift_scalar_)
            }

            fn __add__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("add"),
                    $Core::add,
                    $Core::add_scalar,
                )
            }
            fn __radd__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("add"),
                    |a, o| o.add(a),
                    $Core::add_scalar,
                )
            }
            fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("subtract"),
                    $Core::sub,
                    $Core::sub_scalar,
                )
            }
            fn __rsub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("subtract"),
                    |a, o| o.sub(a),
                    $Core::rsub_scalar,
                )
            }
            fn __mul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("multiply"),
                    $Core::mul,
                    $Core::mul_scalar,
                )
            }
            fn __rmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("multiply"),
                    |a, o| o.mul(a),
                    $Core::mul_scalar,
                )
            }
            fn __truediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("true_divide"),
                    $Core::div,
                    $Core::div_scalar,
                )
            }
            /// As PyTorch does: `s / x` is `reciprocal(x) * s`.
            fn __rtruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let reflected = |a: &$Core, s| a.reciprocal()?.mul_scalar(s);
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("true_divide"),
                    |a, o| o.div(a),
                    reflected,
                )
            }
            fn __floordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::floor_divide_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("floor_divide"),
                    $Core::floor_divide,
                    scalar,
                )
            }
            fn __rfloordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::rfloor_divide_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("floor_divide"),
                    |a, o| o.floor_divide(a),
                    scalar,
                )
            }
            fn __mod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("remainder"),
                    $Core::remainder,
                    $Core::remainder_scalar,
                )
            }
            fn __rmod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::rremainder_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::reflected("remainder"),
                    |a, o| o.remainder(a),
                    scalar,
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
                // A bool base is its int: libtorch's backward cannot take a
                // bool scalar (an internal assert), and the values agree.
                let rpow = |a: &$Core, s: $crate::Scalar| match s {
                    $crate::Scalar::Bool(b) if a.dtype().is_differentiable() => {
                        a.rpow_scalar($crate::Scalar::Int(i64::from(b)))
                    }
                    s => a.rpow_scalar(s),
                };
                let op = operators::Op::reflected("power");
                operators::binary(&self.inner, base, op, |a, o| o.pow(a), rpow)
            }
            fn __and__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_and_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("bitwise_and"),
                    $Core::bitwise_and,
                    scalar,
                )
            }
            fn __rand__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = operators::Op::reflected("bitwise_and");
                let scalar = $Core::bitwise_and_scalar;
                operators::binary(&self.inner, other, op, |a, o| o.bitwise_and(a), scalar)
            }
            fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_or_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("bitwise_or"),
                    $Core::bitwise_or,
                    scalar,
                )
            }
            fn __ror__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = operators::Op::reflected("bitwise_or");
                let scalar = $Core::bitwise_or_scalar;
                operators::binary(&self.inner, other, op, |a, o| o.bitwise_or(a), scalar)
            }
            fn __xor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let scalar = $Core::bitwise_xor_scalar;
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("bitwise_xor"),
                    $Core::bitwise_xor,
                    scalar,
                )
            }
            fn __rxor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = operators::Op::reflected("bitwise_xor");
                let scalar = $Core::bitwise_xor_scalar;
                operators::binary(&self.inner, other, op, |a, o| o.bitwise_xor(a), scalar)
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
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("equal"),
                    $Core::eq,
                    $Core::eq_scalar,
                )
            }
            fn __ne__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("not_equal"),
                    $Core::ne,
                    $Core::ne_scalar,
                )
            }
            fn __lt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("less"),
                    $Core::lt,
                    $Core::lt_scalar,
                )
            }
            fn __le__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("less_equal"),
                    $Core::le,
                    $Core::le_scalar,
                )
            }
            fn __gt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("greater"),
                    $Core::gt,
                    $Core::gt_scalar,
                )
            }
            fn __ge__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                operators::binary(
                    &self.inner,
                    other,
                    operators::Op::new("greater_equal"),
                    $Core::ge,
                    $Core::ge_scalar,
                )
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
            fn __complex__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let value = operators::single_value(py, &self.inner, "complex")?;
                py.get_type::<pyo3::types::PyComplex>().call1((value,))
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
        }
    };
}

pub(crate) use operators;
