//! PyTorch's Python overloads: one Python method standing for several Rust
//! ops (`x.sum()` / `x.sum(dim)` are Rust's `sum` / `sum_dim`; `x.max(other)`
//! is `maximum`). The op table marks these names `[overloaded]`, and they
//! are bound here for both classes; the Rust names stay available.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::BoundObject;

use super::args::{type_name, IntList, PyOperand as _};
use super::operators::Class;
use crate::{DType, Error, ErrorKind, Result, Scalar};

/// Whether `gelu(approximate=...)` means the tanh form.
pub(crate) fn gelu_is_tanh(approximate: &str) -> Result<bool> {
    match approximate {
        "none" => Ok(false),
        "tanh" => Ok(true),
        other => Err(Error::new(
            ErrorKind::Argument,
            format!("gelu: approximate must be one of ['none', 'tanh'], got {other:?}"),
        )),
    }
}

/// The correction `var`/`std` ask for: None for the unbiased default
/// (Rust's `var`/`var_dim`), else the number; both forms at once is an
/// ArgumentError.
pub(crate) fn correction(
    op: &str,
    unbiased: Option<bool>,
    correction: Option<f64>,
) -> Result<Option<f64>> {
    match (unbiased, correction) {
        (Some(_), Some(_)) => Err(Error::new(
            ErrorKind::Argument,
            format!("{op}: give unbiased= or correction=, not both"),
        )),
        (None, None) | (Some(true), None) => Ok(None),
        (Some(false), None) => Ok(Some(0.0)),
        (None, Some(1.0)) => Ok(None),
        (None, Some(c)) => Ok(Some(c)),
    }
}

/// A reduction: of all elements when `dim` is None (keeping every dim as
/// size 1 with `keepdim`, as PyTorch), else along `dim`.
/// The Rust methods behind Python's `var` or `std`: of all elements, along
/// one dim, with a correction, over several dims.
pub(crate) struct Spread<C> {
    pub(crate) all: fn(&C) -> Result<C>,
    pub(crate) along: fn(&C, i64, bool) -> Result<C>,
    pub(crate) corrected: fn(&C, Option<i64>, f64, bool) -> Result<C>,
    pub(crate) over: fn(&C, &[i64], f64, bool) -> Result<C>,
}

impl<C: Class> Spread<C> {
    /// Python's `x.var(dim, unbiased, keepdim, correction=)` (or `std`, the
    /// op `op`) through these methods.
    pub(crate) fn call(
        &self,
        op: &str,
        x: &C,
        dim: &Option<super::args::DimArg>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<f64>,
    ) -> PyResult<C> {
        use super::args::Dims;
        let correction = self::correction(op, unbiased, correction)?;
        let dim = match super::args::reduction_dims(dim, op)? {
            Dims::Many(dims) => {
                return Ok((self.over)(x, dims, correction.unwrap_or(1.0), keepdim)?)
            }
            Dims::One(d) => Some(d),
            Dims::All => None,
        };
        Ok(match correction {
            None => reduce(x, dim, keepdim, self.all, self.along)?,
            Some(c) => (self.corrected)(x, dim, c, keepdim)?,
        })
    }
}

/// The dims (None: all) and the correction of `var_mean`/`std_mean` from
/// Python's `dim`, `unbiased=` and `correction=`.
pub(crate) fn spread_with_mean(
    op: &str,
    dim: &Option<super::args::DimArg>,
    unbiased: Option<bool>,
    correction: Option<super::args::Float>,
) -> PyResult<(Option<Vec<i64>>, f64)> {
    use super::args::Dims;
    let correction = super::args::CoreArg::core(&correction, op, "correction")?;
    let correction = self::correction(op, unbiased, correction)?.unwrap_or(1.0);
    let dims = match super::args::reduction_dims(dim, op)? {
        Dims::All => None,
        dims => Some(dims.as_slice().to_vec()),
    };
    Ok((dims, correction))
}

pub(crate) fn reduce<C: Class>(
    x: &C,
    dim: Option<i64>,
    keepdim: bool,
    all: impl FnOnce(&C) -> Result<C>,
    along: impl FnOnce(&C, i64, bool) -> Result<C>,
) -> Result<C> {
    match dim {
        Some(dim) => along(x, dim, keepdim),
        None if keepdim => all(x)?.reshape(&vec![1; x.ndim()]),
        None => all(x),
    }
}

/// A reduction over the dims PyTorch's `dim` argument names: all of them
/// (`all`), one (`along`) or several (`over`), each keeping `keepdim`.
pub(crate) fn reduce_dims<C: Class>(
    x: &C,
    dims: super::args::Dims<'_>,
    keepdim: bool,
    all: impl FnOnce(&C) -> Result<C>,
    along: impl FnOnce(&C, i64, bool) -> Result<C>,
    over: impl FnOnce(&C, &[i64], bool) -> Result<C>,
) -> Result<C> {
    use super::args::Dims;
    match dims {
        Dims::Many(dims) => over(x, dims, keepdim),
        Dims::One(dim) => reduce(x, Some(dim), keepdim, all, along),
        Dims::All => reduce(x, None, keepdim, all, along),
    }
}

/// `x.max()` / `x.max(dim, keepdim)` / `x.max(other)`, and the same for min:
/// all elements, (values, indices) along a dim, or the elementwise op.
pub(crate) fn extreme<'py, C: Class>(
    py: Python<'py>,
    x: &C,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    ops: &Extreme<C>,
) -> PyResult<Bound<'py, PyAny>> {
    let Some(dim) = dim.filter(|d| !d.is_none()) else {
        return new_in(py, reduce(x, None, keepdim, ops.all, ops.values)?);
    };
    if let Some(other) = C::operand(dim)? {
        return new_in(py, (ops.elementwise)(x, other.get())?);
    }
    let dim: i64 = dim.extract().map_err(|_| {
        let (name, got) = (ops.name, type_name(dim));
        PyTypeError::new_err(format!(
            "{name}: expected an int dim or a tensor, got {got}"
        ))
    })?;
    let pair = new_in(py, (ops.with_indices)(x, dim, keepdim)?)?;
    super::results::named(py, ops.name, pair.unbind()).map(|r| r.into_bound(py))
}

/// The Rust ops behind `max` or `min`.
pub(crate) struct Extreme<C> {
    pub name: &'static str,
    pub all: fn(&C) -> Result<C>,
    pub values: fn(&C, i64, bool) -> Result<C>,
    pub with_indices: fn(&C, i64, bool) -> Result<(C, crate::Tensor)>,
    pub elementwise: fn(&C, &C) -> Result<C>,
}

pub(crate) fn new_in<'py, T>(py: Python<'py>, value: T) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPyObject<'py, Error = PyErr>,
{
    Ok(value.into_pyobject(py)?.into_any().into_bound())
}

/// `argmax(dim=None, keepdim=False)`: the index of the largest value of all
/// elements (of the flattened tensor) or along `dim`, an int64 Tensor.
pub(crate) fn arg_extreme<C: Class>(
    x: &C,
    dim: Option<i64>,
    keepdim: bool,
    along: fn(&C, i64, bool) -> Result<crate::Tensor>,
) -> Result<crate::Tensor> {
    match dim {
        Some(dim) => along(x, dim, keepdim),
        None => {
            let flat = along(&x.reshape(&[-1])?, 0, false)?;
            if keepdim {
                flat.reshape(&vec![1; x.ndim()])
            } else {
                Ok(flat)
            }
        }
    }
}

/// The ints of a shape-like argument written PyTorch's ways: `f(2, 3)`,
/// `f((2, 3))`, `f([2, 3])` or `f(name=(2, 3))`.
pub(crate) fn int_args(
    op: &str,
    name: &str,
    args: &Bound<'_, PyTuple>,
    keyword: Option<super::args::IntList>,
) -> PyResult<Vec<i64>> {
    use super::args::CoreArg as _;
    // As torch's: True is not a size or a dim.
    if args
        .iter()
        .any(|a| a.is_instance_of::<pyo3::types::PyBool>())
    {
        return Err(PyTypeError::new_err(format!(
            "{op}: {name} must be ints, got a bool"
        )));
    }
    let list = match (args.len(), keyword) {
        (0, Some(list)) => list,
        (_, Some(_)) => {
            let message = format!("{op}: {name} given both as positional and keyword arguments");
            return Err(PyTypeError::new_err(message));
        }
        (1, None) if !args.get_item(0)?.is_instance_of::<pyo3::types::PyInt>() => {
            args.get_item(0)?.extract::<IntList>()?
        }
        (_, None) => args.extract::<IntList>()?,
    };
    Ok(list.core(op, name)?.to_vec())
}

/// An op whose `other` is a tensor or a number (`fmod`,
/// `div(rounding_mode="trunc")`): `number` for a number, `tensor` for an
/// operand of `x`'s class; a Tensor given a Variable runs `again` on itself
/// as a Variable, so the result records.
#[allow(clippy::too_many_arguments)] // the op's name, operands and its three forms
pub(crate) fn tensor_or_number<'py, C: Class>(
    op: &str,
    slf: &Bound<'py, PyAny>,
    x: &C,
    other: &Bound<'py, PyAny>,
    tensor: impl FnOnce(&C, &C) -> Result<C>,
    number: impl FnOnce(&C, crate::Scalar) -> Result<C>,
    again: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    use super::args::PyOperand as _;
    if let Some(variable) = as_variable(slf, &[other])? {
        return Ok(again(&variable)?.unbind());
    }
    let result = match number_of(op, "other", other)? {
        Some(n) => number(x, n)?,
        None => tensor(x, operand_of::<C>(op, "other", other)?.get())?,
    };
    super::results::new_object(slf.py(), result)
}

/// A bound of `clamp` given with a tensor bound (`which`: "min" or "max"):
/// an operand of `x`'s class, a number becoming one of the dtype it takes
/// with `x`; None when left out.
/// `torch.hsplit`'s argument: a number of equal sections, or a list of
/// indices to split at.
pub(crate) fn sections_or_indices<T>(
    op: &str,
    given: &Bound<'_, PyAny>,
    sections: impl FnOnce(i64) -> crate::Result<Vec<T>>,
    indices: impl FnOnce(&[i64]) -> crate::Result<Vec<T>>,
) -> PyResult<Vec<T>> {
    use crate::python::args::CoreArg as _;
    if given.is_instance_of::<pyo3::types::PyList>()
        || given.is_instance_of::<pyo3::types::PyTuple>()
    {
        let list: crate::python::args::IntList = given.extract()?;
        return Ok(indices(list.core(op, "indices")?)?);
    }
    let count: crate::python::args::Int = given.extract()?;
    Ok(sections(count.core(op, "sections")?)?)
}

pub(crate) fn clamp_bound<C: Class + crate::Operand>(
    op: &str,
    which: &str,
    x: &C,
    bound: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<C>> {
    use super::args::PyOperand as _;
    let Some(bound) = bound else { return Ok(None) };
    if let Some(number) = number_of(op, which, bound)? {
        return Ok(Some(number_operand(op, x, number)?));
    }
    Ok(Some(operand_of::<C>(op, which, bound)?.get().clone()))
}

/// `op(x, dim)` computed in `dtype` when given: `x` converted first, as
/// PyTorch accumulates in it (`cumsum(dim, dtype=...)`, `softmax`).
pub(crate) fn in_dtype<C: Class>(
    x: &C,
    op: &str,
    dim: super::args::Int,
    dtype: Option<super::args::DTypeArg>,
    apply: fn(&C, i64) -> Result<C>,
) -> PyResult<C> {
    use super::args::CoreArg as _;
    let dim = dim.core(op, "dim")?;
    let dtype = dtype.core(op, "dtype")?;
    Ok(match dtype {
        Some(dtype) => in_given_dtype(apply(&x.to_dtype(dtype)?, dim)?, Some(dtype))?,
        None => apply(x, dim)?,
    })
}

/// A reduction's result in the `dtype` asked for: libtorch sums integers
/// (and bools) into Int64, where PyTorch's `dtype=` keeps the one given.
pub(crate) fn in_given_dtype<C: Class>(result: C, dtype: Option<crate::DType>) -> Result<C> {
    match dtype {
        Some(dtype) if result.dtype() != dtype => result.to_dtype(dtype),
        _ => Ok(result),
    }
}

/// `tensordot`'s `dims` as the two lists of dims: an int `n` (2 when None)
/// is the last `n` of `self` (of `rank` dims) and the first `n` of
/// `other` (of `other_rank`); a pair of lists (or of ints) is taken as it is.
pub(crate) fn tensordot_dims(
    dims: Option<&Bound<'_, PyAny>>,
    rank: usize,
    other_rank: usize,
) -> PyResult<(Vec<i64>, Vec<i64>)> {
    let count = match dims {
        None => Some(2),
        Some(d) if d.is_instance_of::<pyo3::types::PyInt>() => Some(d.extract::<i64>()?),
        Some(_) => None,
    };
    if let Some(n) = count {
        if n < 0 || n as usize > rank.min(other_rank) {
            let message = format!(
                "tensordot: dims {n} must be in [0, {}] for operands of {rank} and {other_rank} dims",
                rank.min(other_rank)
            );
            return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
        }
        let start = rank as i64 - n;
        return Ok(((start..rank as i64).collect(), (0..n).collect()));
    }
    let pair = dims.and_then(|d| d.extract::<Vec<Bound<'_, PyAny>>>().ok());
    let Some([mine, theirs]) = pair.as_deref() else {
        return Err(PyTypeError::new_err(
            "tensordot: dims must be an int or a pair of lists of dims",
        ));
    };
    Ok((
        int_or_ints("tensordot", "dims", mine)?,
        int_or_ints("tensordot", "dims", theirs)?,
    ))
}

/// `norm`'s `p`: a number (2 when left out), or `"fro"`, the 2-norm;
/// None for `"nuc"`, the nuclear norm (a matrix norm).
pub(crate) fn norm_order(p: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    let Some(p) = p else { return Ok(Some(2.0)) };
    if let Ok(name) = p.extract::<String>() {
        return match name.as_str() {
            "fro" => Ok(Some(2.0)),
            "nuc" => Ok(None),
            _ => {
                let message = format!("norm: p must be a number, \"fro\" or \"nuc\", got {name:?}");
                Err(crate::Error::new(crate::ErrorKind::Argument, message).into())
            }
        };
    }
    use super::args::CoreArg as _;
    let p: super::args::Float = p.extract()?;
    Ok(Some(p.core("norm", "p")?))
}

/// `x.add(other, alpha=...)` and its kin: PyTorch's arithmetic and
/// comparison methods take a tensor or a number, as the operators do, so
/// they run as the operator (`apply`), with `other` scaled by `alpha` first.
pub(crate) fn as_operator<'py>(
    op: &str,
    x: &Bound<'py, PyAny>,
    other: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
    apply: impl FnOnce(&Bound<'py, PyAny>, &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let other = operand(op, x, other, alpha)?;
    Ok(apply(x, &other)?.unbind())
}

/// The in-place form of [`as_operator`]: Python's in-place operator
/// `dunder` (`"__iadd__"`), returning `x`.
pub(crate) fn as_in_place_operator<'py>(
    op: &str,
    x: &Bound<'py, PyAny>,
    other: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
    dunder: &str,
) -> PyResult<Py<PyAny>> {
    // A Tensor given a value that records a graph joins it, in `dunder`.
    let other = operand(op, x, other, alpha)?;
    x.call_method1(dunder, (other,))?;
    Ok(x.clone().unbind())
}

/// `other` (a flodl tensor or a number) times `alpha` when given, as
/// PyTorch scales it: in the operands' kind (a bool `alpha` for bools, no
/// float `alpha` for integers).
fn operand<'py>(
    op: &str,
    x: &Bound<'py, PyAny>,
    other: &Bound<'py, PyAny>,
    alpha: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let is_tensor = other.is_instance_of::<super::classes::PyTensor>();
    if super::args::is_torch_tensor(other) {
        let err = super::args::not_a_tensor(other, "a flodl tensor or a number");
        return Err(PyTypeError::new_err(format!(
            "{op}: {}",
            err.value(other.py())
        )));
    }
    if !is_tensor && super::args::scalar(other).is_none() {
        let got = type_name(other);
        return Err(PyTypeError::new_err(format!(
            "{op}: other must be a tensor or a number, got {got}"
        )));
    }
    match alpha {
        None => Ok(other.clone()),
        Some(alpha) if super::args::scalar(alpha).is_none() => Err(PyTypeError::new_err(format!(
            "{op}: alpha must be a number, got {}",
            type_name(alpha)
        ))),
        Some(alpha) => {
            // The operands' kinds: a tensor's dtype, or a number's.
            let kind = |obj: &Bound<'py, PyAny>| match super::args::scalar(obj) {
                Some(Ok(Scalar::Bool(_))) => Some(DType::Bool),
                Some(Ok(Scalar::Int(_))) => Some(DType::Int64),
                Some(Ok(Scalar::Complex(..))) => Some(DType::Complex64),
                Some(_) => Some(DType::Float32),
                None => obj.getattr("dtype").ok()?.extract::<DType>().ok(),
            };
            let (x_kind, other_kind) = (kind(x), kind(other));
            let all =
                |test: fn(DType) -> bool| [x_kind, other_kind].iter().all(|k| k.is_some_and(test));
            match super::args::scalar(alpha) {
                Some(Ok(Scalar::Complex(re, im))) if all(|k| !k.is_complex()) => {
                    Err(crate::Error::new(
                        crate::ErrorKind::DType,
                        format!("{op}: alpha ({re}{im:+}j) is complex, but the operands are real (give a real alpha)"),
                    )
                    .into())
                }
                Some(Ok(Scalar::Float(a))) if all(|k| !k.is_floating_point() && !k.is_complex()) => {
                    Err(crate::Error::new(
                        crate::ErrorKind::DType,
                        format!("{op}: alpha {a} is a float, but the operands are integers (give an int alpha)"),
                    )
                    .into())
                }
                Some(Ok(_)) if all(|k| k == DType::Bool) => match super::args::scalar(other).is_none() {
                    true => other.mul(alpha.is_truthy()?),
                    // Python's True * False is the int 0: stay a bool.
                    false => {
                        let both = other.is_truthy()? && alpha.is_truthy()?;
                        Ok(pyo3::types::PyBool::new(other.py(), both).to_owned().into_any())
                    }
                },
                _ => other.mul(alpha),
            }
        }
    }
}

/// A reduction to a Tensor (`any`, `all`): of all elements when `dim` is
/// None (keeping every dim as size 1 with `keepdim`), else along `dim`.
pub(crate) fn reduce_to_tensor<C: Class>(
    x: &C,
    dim: Option<i64>,
    keepdim: bool,
    all: fn(&C) -> Result<crate::Tensor>,
    along: fn(&C, i64, bool) -> Result<crate::Tensor>,
) -> Result<crate::Tensor> {
    match dim {
        Some(dim) => along(x, dim, keepdim),
        None if keepdim => all(x)?.reshape(&vec![1; x.ndim()]),
        None => all(x),
    }
}

/// `x.median()` / `x.median(dim, keepdim)`: the median of all elements, or
/// the named `(values, indices)` along `dim` (Rust `median`, `median_dim`);
/// `op` is `"median"` or `"nanmedian"`.
pub(crate) fn median<'py, C: Class>(
    py: Python<'py>,
    op: &str,
    x: &C,
    dim: Option<i64>,
    keepdim: bool,
    all: fn(&C) -> Result<C>,
    along: fn(&C, i64, bool) -> Result<(C, crate::Tensor)>,
) -> PyResult<Bound<'py, PyAny>> {
    let Some(dim) = dim else {
        if keepdim {
            let message =
                format!("{op}: keepdim needs a dim (as in PyTorch: {op}() or {op}(dim, keepdim))");
            return Err(PyTypeError::new_err(message));
        }
        return new_in(py, all(x)?);
    };
    let pair = new_in(py, along(x, dim, keepdim)?)?;
    super::results::named(py, op, pair.unbind()).map(|r| r.into_bound(py))
}

/// The ints of an argument that PyTorch takes as one int or a sequence of
/// them (`roll`'s shifts and dims).
pub(crate) fn int_or_ints(op: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    use super::args::CoreArg as _;
    if obj.is_instance_of::<pyo3::types::PyInt>() {
        let one: super::args::Int = obj.extract()?;
        return Ok(vec![one.core(op, name)?]);
    }
    let list: IntList = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{op}: {name} must be an int or a sequence of ints, got {}",
            type_name(obj)
        ))
    })?;
    Ok(list.core(op, name)?.to_vec())
}

/// `x` as a Variable when `x` is a plain Tensor and one of `operands` is a
/// Variable: the call then runs as the Variable method, and records (as
/// `tensor + variable` does); None otherwise.
pub(crate) fn as_variable<'py>(
    x: &Bound<'py, PyAny>,
    operands: &[&Bound<'py, PyAny>],
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let promote = !crate::python::args::is_variable(x)
        && operands.iter().any(|o| crate::python::args::is_variable(o));
    if !promote {
        return Ok(None);
    }
    let variable = crate::Variable::new(super::args::tensor_values("", x)?, false)?;
    Ok(Some(variable.into_pyobject(x.py())?.into_any()))
}

/// Operand `name` of the in-place `op` of a tensor of class `C`: a Tensor
/// takes a Variable's values unless their gradient would be lost; a
/// TypeError naming both for anything else.
pub(crate) fn values_operand_of<'py, C: Class>(
    op: &str,
    name: &str,
    obj: &Bound<'py, PyAny>,
) -> PyResult<C::Arg<'py>> {
    C::values_operand(op, obj)?.ok_or_else(|| {
        let err = super::args::not_a_tensor(obj, "a tensor");
        PyTypeError::new_err(format!("{op}: {name}: {}", err.value(obj.py())))
    })
}

/// Argument `name` of `op` as an operand of class `C`; a TypeError naming
/// both for anything else.
pub(crate) fn operand_of<'py, C: Class>(
    op: &str,
    name: &str,
    obj: &Bound<'py, PyAny>,
) -> PyResult<C::Arg<'py>> {
    C::operand(obj)?.ok_or_else(|| {
        let err = super::args::not_a_tensor(obj, "a tensor");
        PyTypeError::new_err(format!("{op}: {name}: {}", err.value(obj.py())))
    })
}

/// What `scatter` writes: `src` (a tensor or a number) or `value` (a
/// number), exactly one of them.
pub(crate) fn scatter_source<'a, 'py>(
    op: &str,
    src: Option<&'a Bound<'py, PyAny>>,
    value: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<&'a Bound<'py, PyAny>> {
    match (src, value) {
        (Some(s), None) => Ok(s),
        (None, Some(v)) => Ok(v),
        _ => Err(PyTypeError::new_err(format!(
            "{op}: give src (a tensor or a number) or value (a number), one of them"
        ))),
    }
}

/// `scatter`'s older `reduce=` ("add" or "multiply"), None when not given.
pub(crate) fn scatter_mode(
    op: &str,
    reduce: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<crate::ScatterMode>> {
    match reduce {
        None => Ok(None),
        Some(r) if r.is_none() => Ok(None),
        Some(r) => {
            let name: String = r.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{op}: reduce must be a string, got {}",
                    super::args::type_name(r)
                ))
            })?;
            Ok(Some(name.parse().map_err(|_| {
                crate::Error::new(
                    crate::ErrorKind::Argument,
                    format!("{op}: reduce must be 'add' or 'multiply', got '{name}'"),
                )
            })?))
        }
    }
}

/// A number argument of `op` (`lerp`'s weight), or None for a tensor.
pub(crate) fn number_of(
    op: &str,
    name: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Option<crate::Scalar>> {
    super::args::scalar(obj)
        .map(|n| n.map_err(|p| p.raise(op, name)))
        .transpose()
}

/// `number` as an operand of `x`'s class, of the dtype a Python number
/// takes in PyTorch's promotion with `x` (for `2 << x`).
pub(crate) fn number_operand<C: Class + crate::Operand>(
    op: &str,
    x: &C,
    number: crate::Scalar,
) -> Result<C> {
    let raw = crate::Operand::raw(x);
    let operand: crate::Tensor =
        crate::ops::run(op, &[raw], || crate::ops::scalar_operand(raw, number))?;
    C::constant(operand)
}

/// `x.nonzero(as_tuple=...)`: the indices as rows of one int64 tensor, or
/// one 1-d index tensor per dim (a 0-d tensor counts as 1-d, as PyTorch's).
pub(crate) fn nonzero<'py>(
    py: Python<'py>,
    values: &crate::Tensor,
    as_tuple: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if !as_tuple {
        return new_in(py, values.nonzero()?);
    }
    let values = if values.ndim() == 0 {
        values.reshape(&[1])?
    } else {
        values.clone()
    };
    let rows = values.nonzero()?;
    let columns = rows.unbind(1)?;
    Ok(PyTuple::new(py, columns)?.into_any())
}

/// `torch.unique`'s (and `unique_consecutive`'s) result from the three
/// parts `op` gave: the values alone, or a tuple with the inverse indices
/// and the counts asked for.
pub(crate) fn unique_parts<'py>(
    py: Python<'py>,
    op: &str,
    parts: Vec<crate::Tensor>,
    (return_inverse, return_counts): (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let mut parts = parts.into_iter();
    let (Some(unique), Some(inverse), Some(counts)) = (parts.next(), parts.next(), parts.next())
    else {
        let message = format!("{op}: libtorch gave no three results");
        return Err(crate::Error::new(ErrorKind::Torch, message).into());
    };
    if !return_inverse && !return_counts {
        return new_in(py, unique);
    }
    let mut out = vec![unique];
    if return_inverse {
        out.push(inverse);
    }
    if return_counts {
        out.push(counts);
    }
    Ok(PyTuple::new(py, out)?.into_any())
}

/// `quantile`'s (or `nanquantile`'s) `q` as torch takes it: a tensor of
/// quantiles (`of_tensor`), or a number (`of_number`).
#[allow(clippy::too_many_arguments)] // the op's own arguments and its two forms
pub(crate) fn quantile_of<C>(
    x: &C,
    op: &str,
    q: &Bound<'_, PyAny>,
    dim: Option<crate::python::args::Int>,
    keepdim: bool,
    interpolation: crate::python::args::Choice<crate::ops::nn::QuantileInterpolation>,
    of_number: impl Fn(&C, f64, Option<i64>, bool, crate::ops::nn::QuantileInterpolation) -> Result<C>,
    of_tensor: impl Fn(
        &C,
        &crate::Tensor,
        Option<i64>,
        bool,
        crate::ops::nn::QuantileInterpolation,
    ) -> Result<C>,
) -> PyResult<C> {
    use crate::python::args::CoreArg as _;
    use crate::python::args::PyOperand as _;
    let dim = dim.map(|d| d.core(op, "dim")).transpose()?;
    let interpolation = interpolation.core(op, "interpolation")?;
    if let Ok(qs) = q.extract::<crate::python::args::TensorArg<'_>>() {
        return Ok(of_tensor(x, qs.get(), dim, keepdim, interpolation)?);
    }
    let number: crate::python::args::Float = q.extract()?;
    Ok(of_number(
        x,
        number.core(op, "q")?,
        dim,
        keepdim,
        interpolation,
    )?)
}

/// `x.new_tensor(data, dtype=None, device=None, requires_grad=False)`: a
/// copy of `data` (as `flodl.tensor` takes it), of x's dtype and device
/// unless given.
pub(crate) fn new_tensor<'py>(
    x: &Bound<'py, PyAny>,
    data: &Bound<'py, PyAny>,
    dtype: Option<&Bound<'py, PyAny>>,
    device: Option<&Bound<'py, PyAny>>,
    requires_grad: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let dtype = match dtype.filter(|d| !d.is_none()) {
        Some(d) => d.clone(),
        None => x.getattr("dtype")?,
    };
    let device = match device.filter(|d| !d.is_none()) {
        Some(d) => d.clone(),
        None => x.getattr("device")?,
    };
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("dtype", dtype)?;
    kwargs.set_item("device", device)?;
    kwargs.set_item("requires_grad", requires_grad)?;
    let tensor = py.import("flodl._creation")?.getattr("tensor")?;
    tensor.call((data,), Some(&kwargs))
}

/// Binds the overloads to a class (`PyClass`, `Core`).
macro_rules! overloads {
    ($Py:ident, $Core:ident) => {
        crate::python::guard::guarded! {
        #[pyo3::pymethods]
        impl $Py {
            /// `self + alpha * other`, as `torch.add`: other a tensor or a number.
            #[pyo3(signature = (other, *, alpha = None))]
            fn add(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("add", slf.as_any(), other, alpha, |a, b| a.add(b))
            }

            /// `self - alpha * other`, as `torch.sub`: other a tensor or a number.
            #[pyo3(signature = (other, *, alpha = None))]
            fn sub(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("sub", slf.as_any(), other, alpha, |a, b| a.sub(b))
            }

            /// `self * other` elementwise: other a tensor or a number.
            fn mul(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("mul", slf.as_any(), other, None, |a, b| a.mul(b))
            }

            /// `self / other` (true division), as `torch.div`; `rounding_mode="floor"`
            /// is `floor_divide`.
            #[pyo3(signature = (other, *, rounding_mode = None))]
            fn div(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>) -> PyResult<Py<PyAny>> {
                match rounding_mode {
                    None => $crate::python::overloads::as_operator("div", slf.as_any(), other, None, |a, b| a.div(b)),
                    Some("floor") => $crate::python::overloads::as_operator("div", slf.as_any(), other, None, |a, b| a.floor_div(b)),
                    Some("trunc") => $crate::python::overloads::tensor_or_number(
                        "div", slf.as_any(), &slf.get().inner, other,
                        $Core::div_trunc, |x, n| x.div_trunc_scalar(n),
                        |v| {
                            let kwargs = pyo3::types::PyDict::new(v.py());
                            kwargs.set_item("rounding_mode", "trunc")?;
                            v.call_method("div", (other,), Some(&kwargs))
                        },
                    ),
                    Some(mode) => Err($crate::Error::new(
                        $crate::ErrorKind::Argument,
                        format!("div: rounding_mode must be None, \"trunc\" or \"floor\", got {mode:?}"),
                    ).into()),
                }
            }

            /// `self // other` (rounding down): other a tensor or a number.
            fn floor_divide(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("floor_divide", slf.as_any(), other, None, |a, b| a.floor_div(b))
            }

            /// `self % other` (the sign of other, as Python's): a tensor or a number.
            fn remainder(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("remainder", slf.as_any(), other, None, |a, b| a.rem(b))
            }

            /// `self > other` elementwise (a bool Tensor): other a tensor or a number.
            fn gt(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("gt", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Gt))
            }

            /// `self < other` elementwise (a bool Tensor): other a tensor or a number.
            fn lt(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("lt", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Lt))
            }

            /// `self >= other` elementwise (a bool Tensor): other a tensor or a number.
            fn ge(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("ge", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Ge))
            }

            /// `self <= other` elementwise (a bool Tensor): other a tensor or a number.
            fn le(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("le", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Le))
            }

            /// `self == other` elementwise (a bool Tensor): other a tensor or a number.
            fn eq(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("eq", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Eq))
            }

            /// `self != other` elementwise (a bool Tensor): other a tensor or a number.
            fn ne(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("ne", slf.as_any(), other, None, |a, b| a.rich_compare(b, pyo3::basic::CompareOp::Ne))
            }

            /// `self & other` on bool or integer tensors: other a tensor or a number.
            fn bitwise_and(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("bitwise_and", slf.as_any(), other, None, |a, b| a.bitand(b))
            }

            /// `self | other` on bool or integer tensors: other a tensor or a number.
            fn bitwise_or(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("bitwise_or", slf.as_any(), other, None, |a, b| a.bitor(b))
            }

            /// `self ^ other` on bool or integer tensors: other a tensor or a number.
            fn bitwise_xor(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("bitwise_xor", slf.as_any(), other, None, |a, b| a.bitxor(b))
            }

            /// `self += alpha * other` in place; returns self.
            #[pyo3(signature = (other, *, alpha = None))]
            fn add_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("add_", slf.as_any(), other, alpha, "__iadd__")
            }

            /// `self -= alpha * other` in place; returns self.
            #[pyo3(signature = (other, *, alpha = None))]
            fn sub_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("sub_", slf.as_any(), other, alpha, "__isub__")
            }

            /// `self *= other` in place; returns self.
            fn mul_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("mul_", slf.as_any(), other, None, "__imul__")
            }

            /// `self /= other` in place; returns self.
            fn div_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("div_", slf.as_any(), other, None, "__itruediv__")
            }

            /// `self //= other` in place; returns self.
            fn floor_divide_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("floor_divide_", slf.as_any(), other, None, "__ifloordiv__")
            }

            /// `self **= exponent` in place (a tensor or a number); returns self.
            fn pow_(slf: &Bound<'_, Self>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("pow_", slf.as_any(), exponent, None, "__ipow__")
            }

            /// `self %= other` in place; returns self.
            fn remainder_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("remainder_", slf.as_any(), other, None, "__imod__")
            }

            /// 1 where self is equal other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn eq_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("eq_", "eq_"), $Core::eq_, $Core::eq_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// 1 where self is not equal other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn ne_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("ne_", "ne_"), $Core::ne_, $Core::ne_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// 1 where self is less than other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn lt_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("lt_", "lt_"), $Core::lt_, $Core::lt_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// 1 where self is at most other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn le_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("le_", "le_"), $Core::le_, $Core::le_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// 1 where self is greater than other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn gt_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("gt_", "gt_"), $Core::gt_, $Core::gt_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// 1 where self is at least other, else 0, in self's dtype, in
            /// place (other a tensor or a number); returns self.
            fn ge_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("ge_", "ge_"), $Core::ge_, $Core::ge_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// `fmod` in place (other a tensor or a number); returns self.
            fn fmod_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, other, ("fmod_", "fmod_"), $Core::fmod_, $Core::fmod_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// `float_power` in place (a float64 or complex128 self; the
            /// exponent a tensor or a number); returns self.
            fn float_power_(slf: &Bound<'_, Self>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::operators::in_place(slf.as_any(), &slf.get().inner, exponent, ("float_power_", "float_power_"), $Core::float_power_, $Core::float_power_scalar_)?;
                Ok(slf.clone().into_any().unbind())
            }

            /// `self &= other` in place (a tensor or a number); returns self.
            fn bitwise_and_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("bitwise_and_", slf.as_any(), other, None, "__iand__")
            }

            /// `self |= other` in place (a tensor or a number); returns self.
            fn bitwise_or_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("bitwise_or_", slf.as_any(), other, None, "__ior__")
            }

            /// `self ^= other` in place (a tensor or a number); returns self.
            fn bitwise_xor_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("bitwise_xor_", slf.as_any(), other, None, "__ixor__")
            }

            /// `self <<= other` in place (a tensor or a number); returns self.
            fn bitwise_left_shift_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("bitwise_left_shift_", slf.as_any(), other, None, "__ilshift__")
            }

            /// `self >>= other` in place (a tensor or a number); returns self.
            fn bitwise_right_shift_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_in_place_operator("bitwise_right_shift_", slf.as_any(), other, None, "__irshift__")
            }

            /// Without `dim`, every dim of size 1 removed (Rust `squeeze_all`);
            /// with it, that dim if its size is 1 (Rust `squeeze`), or each
            /// of a tuple of dims (`squeeze_dims`).
            #[pyo3(signature = (dim = None, **aliases), text_signature = "($self, dim=None)")]
            fn squeeze(&self, dim: Option<$crate::python::args::DimArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let dim = $crate::python::args::dim_aliased("squeeze", dim, aliases)?;
                use $crate::python::args::{CoreArg as _, DimArg};
                Ok(match dim {
                    None => self.inner.squeeze_all()?,
                    Some(DimArg::One(dim)) => self.inner.squeeze(dim.core("squeeze", "dim")?)?,
                    Some(DimArg::Many(dims)) => self.inner.squeeze_dims(dims.core("squeeze", "dim")?)?,
                })
            }

            /// Pieces along `dim`, as `torch.split`: of `split_size` each
            /// (an int; Rust `split`) or of the sizes listed
            /// (`split_with_sizes`).
            #[pyo3(signature = (split_size, dim = $crate::python::args::Int::from(0)), text_signature = "($self, split_size, dim=0)")]
            fn split(slf: &Bound<'_, Self>, split_size: $crate::python::args::DimArg, dim: $crate::python::args::Int) -> PyResult<Py<PyAny>> {
                use $crate::python::args::{CoreArg as _, DimArg};
                let dim = dim.core("split", "dim")?;
                let x = &slf.get().inner;
                let pieces = match split_size {
                    DimArg::One(size) => x.split(size.core("split", "split_size")?, dim)?,
                    DimArg::Many(sizes) => x.split_with_sizes(sizes.core("split", "split_size")?, dim)?,
                };
                $crate::python::results::pieces(slf.py(), pieces)
            }

            /// Rounded to the nearest integer, halves to even, or to
            /// `decimals` places (Rust `round`, `round_decimals`).
            #[pyo3(signature = (decimals = $crate::python::args::Int::from(0)), text_signature = "($self, decimals=0)")]
            fn round(&self, decimals: $crate::python::args::Int) -> PyResult<$Core> {
                use $crate::python::args::CoreArg as _;
                Ok(match decimals.core("round", "decimals")? {
                    0 => self.inner.round()?,
                    d => self.inner.round_decimals(d)?,
                })
            }

            /// Matrix product, as `torch.matmul`. Large products run with the
            /// GIL released.
            fn matmul(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let result = $crate::python::operators::matmul(&slf.get().inner, other, false)?;
                if result.is(&other.py().NotImplemented())
                    && $crate::python::args::is_variable(&other)
                {
                    // A Tensor times a Variable: the Variable's product, with a graph.
                    return Ok(other.call_method1("__rmatmul__", (slf,))?.unbind());
                }
                if result.is(&other.py().NotImplemented()) {
                    let got = $crate::python::args::type_name(other);
                    let message = format!("matmul: expected a Tensor or Variable, got {got}");
                    return Err(pyo3::exceptions::PyTypeError::new_err(message));
                }
                Ok(result)
            }

            /// `self ** exponent`, as `torch.pow`: a number or a tensor.
            fn pow(slf: &Bound<'_, Self>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let result = $crate::python::operators::power(&slf.get().inner, exponent, None)?;
                if result.is(&exponent.py().NotImplemented())
                    && $crate::python::args::is_variable(&exponent)
                {
                    return Ok(exponent.call_method1("__rpow__", (slf,))?.unbind());
                }
                if result.is(&exponent.py().NotImplemented()) {
                    let got = $crate::python::args::type_name(exponent);
                    let message = format!("pow: expected a number or a tensor, got {got}");
                    return Err(pyo3::exceptions::PyTypeError::new_err(message));
                }
                Ok(result)
            }

            /// Values clamped into `[min, max]`, as `torch.clamp(x, min=None,
            /// max=None)`: a missing bound is `clamp_max` or `clamp_min`;
            /// tensor bounds are `clamp_tensor` (`clamp_min_tensor`, ...).
            #[pyo3(signature = (min = None, max = None))]
            fn clamp(
                slf: &Bound<'_, Self>,
                min: Option<&Bound<'_, PyAny>>,
                max: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                use $crate::python::args::CoreArg as _;
                let bounds: Vec<&Bound<'_, PyAny>> = min.into_iter().chain(max).collect();
                if bounds.is_empty() {
                    let message = "clamp: give min, max or both";
                    return Err($crate::Error::new($crate::ErrorKind::Argument, message).into());
                }
                if let Some(variable) = $crate::python::overloads::as_variable(slf.as_any(), &bounds)? {
                    return Ok(variable.call_method1("clamp", (min, max))?.unbind());
                }
                let this = slf.get();
                let is_tensor = |b: &Option<&Bound<'_, PyAny>>| b.is_some_and(|b| b.is_instance_of::<$crate::python::classes::PyTensor>());
                if is_tensor(&min) || is_tensor(&max) {
                    use $crate::python::overloads::clamp_bound;
                    let x = &this.inner;
                    let result = match (clamp_bound("clamp", "min", x, min)?, clamp_bound("clamp", "max", x, max)?) {
                        (Some(min), Some(max)) => x.clamp_tensor(&min, &max)?,
                        (Some(min), None) => x.clamp_min_tensor(&min)?,
                        (None, Some(max)) => x.clamp_max_tensor(&max)?,
                        (None, None) => unreachable!("a bound was given (checked above)"),
                    };
                    return $crate::python::results::new_object(slf.py(), result);
                }
                let scalar = |b: Option<&Bound<'_, PyAny>>| b.map(|b| b.extract::<$crate::python::args::ScalarArg>()).transpose();
                let (min, max) = (scalar(min)?, scalar(max)?);
                let min = min.map(|m| m.core("clamp", "min")).transpose()?;
                let max = max.map(|m| m.core("clamp", "max")).transpose()?;
                let result = match (min, max) {
                    (Some(min), Some(max)) => this.inner.clamp(min, max)?,
                    (Some(min), None) => this.inner.clamp_min(min)?,
                    (None, Some(max)) => this.inner.clamp_max(max)?,
                    (None, None) => unreachable!("a bound was given (checked above)"),
                };
                $crate::python::results::new_object(slf.py(), result)
            }

            /// Values clamped into `[min, max]` in place, as
            /// `Tensor.clamp_(min=None, max=None)`; returns self.
            #[pyo3(signature = (min = None, max = None))]
            fn clamp_<'py>(
                slf: &Bound<'py, Self>,
                min: Option<$crate::python::args::ScalarArg>,
                max: Option<$crate::python::args::ScalarArg>,
            ) -> PyResult<Bound<'py, Self>> {
                use $crate::python::args::CoreArg as _;
                let min = min.map(|m| m.core("clamp_", "min")).transpose()?;
                let max = max.map(|m| m.core("clamp_", "max")).transpose()?;
                let x = &slf.get().inner;
                match (min, max) {
                    (Some(min), Some(max)) => x.clamp_(min, max)?,
                    (Some(min), None) => x.clamp_min_(min)?,
                    (None, Some(max)) => x.clamp_max_(max)?,
                    (None, None) => {
                        let message = "clamp_: give min, max or both";
                        return Err($crate::Error::new($crate::ErrorKind::Argument, message).into());
                    }
                };
                Ok(slf.clone())
            }

            /// The real parts, a view (Rust `real`), as the property
            /// `Tensor.real`; assigning writes them.
            #[getter(real)]
            fn py_real(&self) -> PyResult<$Core> {
                Ok(self.inner.real()?)
            }
            #[setter(real)]
            fn set_real(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
                // A number fills every part, as torch's `z.real = 0.0`.
                if let Some(number) = $crate::python::args::scalar(value) {
                    let number = number.map_err(|p| p.raise("real", "value"))?;
                    return Ok(self.inner.real()?.fill_(number)?);
                }
                let value = $crate::python::overloads::operand_of::<$Core>("real", "value", value)?;
                Ok(self.inner.real()?.copy_(value.get())?)
            }

            /// The imaginary parts of a complex tensor, a view (Rust
            /// `imag`), as the property `Tensor.imag`; assigning writes them.
            #[getter(imag)]
            fn py_imag(&self) -> PyResult<$Core> {
                Ok(self.inner.imag()?)
            }
            #[setter(imag)]
            fn set_imag(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
                // A number fills every part, as torch's `z.imag = 0.0`.
                if let Some(number) = $crate::python::args::scalar(value) {
                    let number = number.map_err(|p| p.raise("imag", "value"))?;
                    return Ok(self.inner.imag()?.fill_(number)?);
                }
                let value = $crate::python::overloads::operand_of::<$Core>("imag", "value", value)?;
                Ok(self.inner.imag()?.copy_(value.get())?)
            }

            /// GELU, as `F.gelu(x, approximate)`: `'none'` is the exact erf
            /// form (Rust `gelu`), `'tanh'` the tanh approximation (Rust
            /// `gelu_tanh`).
            #[pyo3(signature = (approximate = $crate::python::args::Text::from("none")), text_signature = "($self, approximate='none')")]
            fn gelu(&self, approximate: $crate::python::args::Text) -> PyResult<$Core> {
                use $crate::python::args::CoreArg as _;
                if $crate::python::overloads::gelu_is_tanh(approximate.core("gelu", "approximate")?)? {
                    Ok(self.inner.gelu_tanh()?)
                } else {
                    Ok(self.inner.gelu()?)
                }
            }

            /// The `p`-norm, as `torch.linalg.vector_norm(x, p, dim, keepdim)`:
            /// of all elements when `dim` is None (Rust `norm`), else along
            /// `dim` (Rust `norm_dim`; several dims: `norm_dims`). `p="fro"`
            /// is the 2-norm, as PyTorch's; `p="nuc"` the nuclear norm over
            /// the two dims `dim` (all dims when None), as
            /// `torch.linalg.matrix_norm(x, "nuc")`.
            #[pyo3(signature = (p = None, dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, p=2.0, dim=None, keepdim=False)")]
            fn norm(&self, p: Option<&Bound<'_, PyAny>>, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("norm", dim, keepdim, aliases)?;
                let dims = $crate::python::args::reduction_dims(&dim, "norm")?;
                let Some(p) = $crate::python::overloads::norm_order(p)? else {
                    let all: Vec<i64> = (0..self.inner.ndim() as i64).collect();
                    let over = match dims {
                        $crate::python::args::Dims::All => &all[..],
                        ref some => some.as_slice(),
                    };
                    return Ok(self.inner.linalg_matrix_norm_str($crate::MatrixNormOrd::Nuc, over, keepdim)?);
                };
                let all = |x: &$Core| x.norm(p);
                let along = |x: &$Core, d, k| x.norm_dim(p, d, k);
                let over = |x: &$Core, d: &[i64], k| x.norm_dims(p, d, k);
                Ok($crate::python::overloads::reduce_dims(&self.inner, dims, keepdim, all, along, over)?)
            }

            /// The sum of all elements, or along `dim` (one dim or several;
            /// Rust `sum`, `sum_dim`, `sum_dims`), in `dtype` when given.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), *, dtype = None, **aliases), text_signature = "($self, dim=None, keepdim=False, *, dtype=None)")]
            fn sum(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("sum", dim, keepdim, aliases)?;
                let dtype = $crate::python::args::CoreArg::core(&dtype, "sum", "dtype")?;
                // `dtype`: the values converted first, as PyTorch accumulates in it.
                let converted = dtype.map(|d| self.inner.to_dtype(d)).transpose()?;
                let x = converted.as_ref().unwrap_or(&self.inner);
                let dims = $crate::python::args::reduction_dims(&dim, "sum")?;
                let sum = $crate::python::overloads::reduce_dims(x, dims, keepdim, $Core::sum, $Core::sum_dim, $Core::sum_dims)?;
                Ok($crate::python::overloads::in_given_dtype(sum, dtype)?)
            }

            /// Softmax along `dim`, in `dtype` when given (the values
            /// converted first, as PyTorch's).
            #[pyo3(signature = (dim = None, *, dtype = None, **aliases), text_signature = "($self, dim, *, dtype=None)")]
            fn softmax(&self, dim: Option<$crate::python::args::Int>, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let dim = $crate::python::args::required_dim("softmax", dim, aliases)?;
                $crate::python::overloads::in_dtype(&self.inner, "softmax", dim, dtype, $Core::softmax)
            }

            /// Log-softmax along `dim`, in `dtype` when given.
            #[pyo3(signature = (dim = None, *, dtype = None, **aliases), text_signature = "($self, dim, *, dtype=None)")]
            fn log_softmax(&self, dim: Option<$crate::python::args::Int>, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let dim = $crate::python::args::required_dim("log_softmax", dim, aliases)?;
                $crate::python::overloads::in_dtype(&self.inner, "log_softmax", dim, dtype, $Core::log_softmax)
            }

            /// Running sums along `dim`, in `dtype` when given.
            #[pyo3(signature = (dim = None, *, dtype = None, **aliases), text_signature = "($self, dim, *, dtype=None)")]
            fn cumsum(&self, dim: Option<$crate::python::args::Int>, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let dim = $crate::python::args::required_dim("cumsum", dim, aliases)?;
                $crate::python::overloads::in_dtype(&self.inner, "cumsum", dim, dtype, $Core::cumsum)
            }

            /// Running products along `dim`, in `dtype` when given.
            #[pyo3(signature = (dim = None, *, dtype = None, **aliases), text_signature = "($self, dim, *, dtype=None)")]
            fn cumprod(&self, dim: Option<$crate::python::args::Int>, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let dim = $crate::python::args::required_dim("cumprod", dim, aliases)?;
                $crate::python::overloads::in_dtype(&self.inner, "cumprod", dim, dtype, $Core::cumprod)
            }

            /// The mean of all elements, or along `dim` (one dim or several;
            /// Rust `mean`, `mean_dim`, `mean_dims`), in `dtype` when given.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), *, dtype = None, **aliases), text_signature = "($self, dim=None, keepdim=False, *, dtype=None)")]
            fn mean(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("mean", dim, keepdim, aliases)?;
                let dtype = $crate::python::args::CoreArg::core(&dtype, "mean", "dtype")?;
                // `dtype`: the values converted first, as PyTorch accumulates in it.
                let converted = dtype.map(|d| self.inner.to_dtype(d)).transpose()?;
                let x = converted.as_ref().unwrap_or(&self.inner);
                let dims = $crate::python::args::reduction_dims(&dim, "mean")?;
                Ok($crate::python::overloads::reduce_dims(x, dims, keepdim, $Core::mean, $Core::mean_dim, $Core::mean_dims)?)
            }

            /// The largest values over `dim` (one dim or several; every dim
            /// when left out), as `torch.amax` (Rust `amax(dims, keepdim)`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn amax(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("amax", dim, keepdim, aliases)?;
                let dims = $crate::python::args::reduction_dims(&dim, "amax")?;
                Ok(self.inner.amax(dims.as_slice(), keepdim)?)
            }

            /// The smallest values over `dim`, as `amax` (Rust `amin`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn amin(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("amin", dim, keepdim, aliases)?;
                let dims = $crate::python::args::reduction_dims(&dim, "amin")?;
                Ok(self.inner.amin(dims.as_slice(), keepdim)?)
            }

            /// The product of all elements, or along `dim` (Rust `prod`,
            /// `prod_dim`), in `dtype` when given.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), *, dtype = None, **aliases), text_signature = "($self, dim=None, keepdim=False, *, dtype=None)")]
            fn prod(&self, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, dtype: Option<$crate::python::args::DTypeArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("prod", dim, keepdim, aliases)?;
                let dim = $crate::python::args::optional_dim(dim, "prod")?;
                let dtype = $crate::python::args::CoreArg::core(&dtype, "prod", "dtype")?;
                // `dtype`: the values converted first, as PyTorch multiplies in it.
                let converted = dtype.map(|d| self.inner.to_dtype(d)).transpose()?;
                let x = converted.as_ref().unwrap_or(&self.inner);
                let prod = $crate::python::overloads::reduce(x, dim, keepdim, $Core::prod, $Core::prod_dim)?;
                Ok($crate::python::overloads::in_given_dtype(prod, dtype)?)
            }

            /// The variance of all elements, or along `dim` (one dim or
            /// several): unbiased by default, `unbiased=False` or
            /// `correction=0` for the population's (Rust `var`, `var_dim`,
            /// `var_correction`, `var_dims`).
            #[pyo3(signature = (dim = None, unbiased = None, keepdim = $crate::python::args::Bool::from(false), *, correction = None, **aliases), text_signature = "($self, dim=None, unbiased=None, keepdim=False, *, correction=None)")]
            fn var(
                &self,
                dim: Option<$crate::python::args::DimArg>,
                unbiased: Option<bool>,
                keepdim: $crate::python::args::Bool,
                correction: Option<$crate::python::args::Float>,
                aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
            ) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("var", dim, keepdim, aliases)?;
                let methods = $crate::python::overloads::Spread {
                    all: $Core::var,
                    along: $Core::var_dim,
                    corrected: $Core::var_correction,
                    over: $Core::var_dims,
                };
                methods.call("var", &self.inner, &dim, unbiased, keepdim, $crate::python::args::CoreArg::core(&correction, "var", "correction")?)
            }

            /// The standard deviation, as `var`.
            #[pyo3(signature = (dim = None, unbiased = None, keepdim = $crate::python::args::Bool::from(false), *, correction = None, **aliases), text_signature = "($self, dim=None, unbiased=None, keepdim=False, *, correction=None)")]
            fn std(
                &self,
                dim: Option<$crate::python::args::DimArg>,
                unbiased: Option<bool>,
                keepdim: $crate::python::args::Bool,
                correction: Option<$crate::python::args::Float>,
                aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
            ) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("std", dim, keepdim, aliases)?;
                let methods = $crate::python::overloads::Spread {
                    all: $Core::std,
                    along: $Core::std_dim,
                    corrected: $Core::std_correction,
                    over: $Core::std_dims,
                };
                methods.call("std", &self.inner, &dim, unbiased, keepdim, $crate::python::args::CoreArg::core(&correction, "std", "correction")?)
            }

            /// The variance and the mean, of all elements or over `dim` (one
            /// dim or several), with `var`'s `unbiased=` or `correction=` (Rust
            /// `var_mean`).
            #[pyo3(signature = (dim = None, unbiased = None, keepdim = $crate::python::args::Bool::from(false), *, correction = None, **aliases), text_signature = "($self, dim=None, unbiased=None, keepdim=False, *, correction=None)")]
            fn var_mean(
                &self,
                dim: Option<$crate::python::args::DimArg>,
                unbiased: Option<bool>,
                keepdim: $crate::python::args::Bool,
                correction: Option<$crate::python::args::Float>,
                aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
            ) -> PyResult<($Core, $Core)> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("var_mean", dim, keepdim, aliases)?;
                let (dims, correction) = $crate::python::overloads::spread_with_mean("var_mean", &dim, unbiased, correction)?;
                Ok(self.inner.var_mean(dims.as_deref(), correction, keepdim)?)
            }

            /// The standard deviation and the mean, as `var_mean` (Rust
            /// `std_mean`).
            #[pyo3(signature = (dim = None, unbiased = None, keepdim = $crate::python::args::Bool::from(false), *, correction = None, **aliases), text_signature = "($self, dim=None, unbiased=None, keepdim=False, *, correction=None)")]
            fn std_mean(
                &self,
                dim: Option<$crate::python::args::DimArg>,
                unbiased: Option<bool>,
                keepdim: $crate::python::args::Bool,
                correction: Option<$crate::python::args::Float>,
                aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
            ) -> PyResult<($Core, $Core)> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("std_mean", dim, keepdim, aliases)?;
                let (dims, correction) = $crate::python::overloads::spread_with_mean("std_mean", &dim, unbiased, correction)?;
                Ok(self.inner.std_mean(dims.as_deref(), correction, keepdim)?)
            }

            /// `log(sum(exp(self)))` of all elements, or along `dim` (one dim
            /// or several), computed stably (Rust `logsumexp(dim, keepdim)`,
            /// `logsumexp_dims`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn logsumexp(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("logsumexp", dim, keepdim, aliases)?;
                let all = |x: &$Core| x.reshape(&[-1])?.logsumexp(0, false);
                let dims = $crate::python::args::reduction_dims(&dim, "logsumexp")?;
                Ok($crate::python::overloads::reduce_dims(&self.inner, dims, keepdim, all, $Core::logsumexp, $Core::logsumexp_dims)?)
            }

            /// The count of non-zero elements, of all of them or over `dim`
            /// (one dim or several), as `torch.count_nonzero` (Rust
            /// `count_nonzero`, `count_nonzero_dims`).
            #[pyo3(signature = (dim = None, **aliases), text_signature = "($self, dim=None)")]
            fn count_nonzero(&self, dim: Option<$crate::python::args::DimArg>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$crate::Tensor> {
                let dim = $crate::python::args::dim_aliased("count_nonzero", dim, aliases)?;
                Ok(match $crate::python::args::reduction_dims(&dim, "count_nonzero")? {
                    $crate::python::args::Dims::All => self.inner.count_nonzero()?,
                    dims => self.inner.count_nonzero_dims(dims.as_slice())?,
                })
            }

            /// Each element (or slice of `dim`) repeated `repeats` times: an
            /// int, or a tensor of counts, as `torch.repeat_interleave`
            /// (Rust `repeat_interleave`, `repeat_interleave_tensor`).
            #[pyo3(signature = (repeats, dim = None, *, output_size = None), text_signature = "($self, repeats, dim=None, *, output_size=None)")]
            fn repeat_interleave(&self, repeats: &Bound<'_, PyAny>, dim: Option<$crate::python::args::Int>, output_size: Option<$crate::python::args::Int>) -> PyResult<$Core> {
                use $crate::python::args::CoreArg as _;
                use $crate::python::args::PyOperand as _;
                let dim = dim.map(|d| d.core("repeat_interleave", "dim")).transpose()?;
                let result = match repeats.extract::<$crate::python::args::TensorArg<'_>>() {
                    Ok(counts) => self.inner.repeat_interleave_tensor(counts.get(), dim)?,
                    Err(_) => {
                        let count: $crate::python::args::Int = repeats.extract()?;
                        self.inner.repeat_interleave(count.core("repeat_interleave", "repeats")?, dim)?
                    }
                };
                // torch's check of the length one promised (a hint for its kernel).
                if let Some(promised) = output_size {
                    let promised = promised.core("repeat_interleave", "output_size")?;
                    let shape = result.shape();
                    let along = usize::try_from(dim.unwrap_or(0).rem_euclid(shape.len().max(1) as i64)).unwrap_or(0);
                    let got = shape.get(along).copied().unwrap_or(0);
                    if got != promised {
                        let message = format!("repeat_interleave: invalid output_size, expected {got} but got {promised}");
                        return Err($crate::Error::new($crate::ErrorKind::Argument, message).into());
                    }
                }
                Ok(result)
            }

            /// The `q`-th quantile (a number, or a tensor of them: one result
            /// per entry) of all elements or along `dim`, as `torch.quantile`
            /// (Rust `quantile`, `quantile_tensor`).
            #[pyo3(signature = (q, dim = None, keepdim = $crate::python::args::Bool::from(false), interpolation = $crate::python::args::Choice::from("linear"), **aliases), text_signature = "($self, q, dim=None, keepdim=False, *, interpolation='linear')")]
            fn quantile(&self, q: &Bound<'_, PyAny>, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, interpolation: $crate::python::args::Choice<$crate::ops::nn::QuantileInterpolation>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("quantile", dim, keepdim, aliases)?;
                                $crate::python::overloads::quantile_of(&self.inner, "quantile", q, dim, keepdim, interpolation, $Core::quantile, $Core::quantile_tensor)
            }

            /// `quantile` ignoring NaN, as `torch.nanquantile` (Rust
            /// `nanquantile`, `nanquantile_tensor`).
            #[pyo3(signature = (q, dim = None, keepdim = $crate::python::args::Bool::from(false), interpolation = $crate::python::args::Choice::from("linear"), **aliases), text_signature = "($self, q, dim=None, keepdim=False, *, interpolation='linear')")]
            fn nanquantile(&self, q: &Bound<'_, PyAny>, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, interpolation: $crate::python::args::Choice<$crate::ops::nn::QuantileInterpolation>, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$Core> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("nanquantile", dim, keepdim, aliases)?;
                                $crate::python::overloads::quantile_of(&self.inner, "nanquantile", q, dim, keepdim, interpolation, $Core::nanquantile, $Core::nanquantile_tensor)
            }

            /// `sections` nearly equal pieces along `dim` (an int), or the
            /// pieces between `indices` (a list), as `torch.tensor_split`
            /// (Rust `tensor_split`, `tensor_split_indices`).
            #[pyo3(signature = (indices_or_sections, dim = $crate::python::args::Int::from(0)), text_signature = "($self, indices_or_sections, dim=0)")]
            fn tensor_split(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>, dim: $crate::python::args::Int) -> PyResult<Py<PyAny>> {
                use $crate::python::args::CoreArg as _;
                let dim = dim.core("tensor_split", "dim")?;
                let x = &self.inner;
                let pieces = $crate::python::overloads::sections_or_indices("tensor_split", indices_or_sections, |n| x.tensor_split(n, dim), |i| x.tensor_split_indices(i, dim))?;
                $crate::python::results::pieces(py, pieces)
            }

            /// `sections` equal pieces along dim 1 (dim 0 of a 1-d tensor),
            /// or the pieces between `indices` (a list), as `torch.hsplit`
            /// (Rust `hsplit`, `hsplit_indices`).
            #[pyo3(text_signature = "($self, indices_or_sections)")]
            fn hsplit(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let x = &self.inner;
                let pieces = $crate::python::overloads::sections_or_indices("hsplit", indices_or_sections, |n| x.hsplit(n), |i| x.hsplit_indices(i))?;
                $crate::python::results::pieces(py, pieces)
            }

            /// `sections` equal pieces along dim 0, or the pieces between
            /// `indices`, as `torch.vsplit` (Rust `vsplit`, `vsplit_indices`).
            #[pyo3(text_signature = "($self, indices_or_sections)")]
            fn vsplit(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let x = &self.inner;
                let pieces = $crate::python::overloads::sections_or_indices("vsplit", indices_or_sections, |n| x.vsplit(n), |i| x.vsplit_indices(i))?;
                $crate::python::results::pieces(py, pieces)
            }

            /// `sections` equal pieces along dim 2, or the pieces between
            /// `indices`, as `torch.dsplit` (Rust `dsplit`, `dsplit_indices`).
            #[pyo3(text_signature = "($self, indices_or_sections)")]
            fn dsplit(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let x = &self.inner;
                let pieces = $crate::python::overloads::sections_or_indices("dsplit", indices_or_sections, |n| x.dsplit(n), |i| x.dsplit_indices(i))?;
                $crate::python::results::pieces(py, pieces)
            }

            /// Integers drawn uniformly from `[from, to)`, in place, as
            /// `Tensor.random_`: `random_(to)` draws from `[0, to)`,
            /// `random_()` from `[0, 2^mantissa]` of the dtype.
            #[pyo3(signature = (*args, to = None))]
            fn random_<'py>(
                slf: &Bound<'py, Self>,
                args: &Bound<'py, pyo3::types::PyTuple>,
                to: Option<$crate::python::args::Int>,
            ) -> PyResult<Bound<'py, Self>> {
                use $crate::python::args::CoreArg as _;
                let ints = args
                    .iter()
                    .map(|a| a.extract::<$crate::python::args::Int>()?.core("random_", "from"))
                    .collect::<PyResult<Vec<i64>>>()?;
                let to = to.map(|t| t.core("random_", "to")).transpose()?;
                let (from, to) = match (ints.as_slice(), to) {
                    ([], to) => (0, to),
                    ([to], None) => (0, Some(*to)),
                    ([from], to) => (*from, to),
                    ([from, to], None) => (*from, Some(*to)),
                    _ => {
                        return Err(pyo3::exceptions::PyTypeError::new_err(
                            "random_: takes from and to, at most two numbers",
                        ))
                    }
                };
                slf.get().inner.random_(from, to)?;
                Ok(slf.clone())
            }

            /// The sums of products over `dims` of both operands, as
            /// `torch.tensordot(self, other, dims)`: an int (`self`'s last
            /// `dims` dims with `other`'s first), or two lists of dims.
            #[pyo3(signature = (other, dims = None), text_signature = "($self, other, dims=2)")]
            fn tensordot(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                use $crate::python::args::PyOperand as _;
                if let Some(variable) = $crate::python::overloads::as_variable(slf.as_any(), &[other])? {
                    return Ok(variable.call_method1("tensordot", (other, dims))?.unbind());
                }
                let x = &slf.get().inner;
                let other = $crate::python::overloads::operand_of::<$Core>("tensordot", "other", other)?;
                let other = other.get();
                let (mine, theirs) = $crate::python::overloads::tensordot_dims(dims, x.ndim(), other.ndim())?;
                $crate::python::results::new_object(slf.py(), x.tensordot(other, &mine, &theirs)?)
            }

            /// `self - trunc(self / other) * other` (the sign of self), as
            /// `torch.fmod`: other a tensor or a number (Rust `fmod`, `fmod_scalar`).
            fn fmod(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::tensor_or_number(
                    "fmod", slf.as_any(), &slf.get().inner, other,
                    $Core::fmod, |x, n| x.fmod_scalar(n),
                    |v| v.call_method1("fmod", (other,)),
                )
            }

            /// `self`'s magnitude with `other`'s sign, as `torch.copysign`:
            /// other a tensor or a number (Rust `copysign`, `copysign_scalar`).
            fn copysign(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::tensor_or_number(
                    "copysign", slf.as_any(), &slf.get().inner, other,
                    $Core::copysign, |x, n| x.copysign_scalar(n),
                    |v| v.call_method1("copysign", (other,)),
                )
            }

            /// `self * log(other)`, 0 where `self` is 0, as `torch.xlogy`:
            /// other a tensor or a number (Rust `xlogy`, `xlogy_scalar`).
            fn xlogy(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::tensor_or_number(
                    "xlogy", slf.as_any(), &slf.get().inner, other,
                    $Core::xlogy, |x, n| x.xlogy_scalar(n),
                    |v| v.call_method1("xlogy", (other,)),
                )
            }

            /// `self ** exponent` in double precision, as `torch.float_power`:
            /// exponent a tensor or a number (Rust `float_power`,
            /// `float_power_scalar`).
            fn float_power(slf: &Bound<'_, Self>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::tensor_or_number(
                    "float_power", slf.as_any(), &slf.get().inner, exponent,
                    $Core::float_power, |x, n| x.float_power_scalar(n),
                    |v| v.call_method1("float_power", (exponent,)),
                )
            }

            /// The largest element; `(values, indices)` along `dim`; or the
            /// elementwise maximum with a tensor (Rust `max`, `max_with_indices`,
            /// `maximum`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn max<'py>(
                &self,
                py: Python<'py>,
                dim: Option<Bound<'py, PyAny>>,
                keepdim: $crate::python::args::Bool,
                aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("max", dim, keepdim, aliases)?;
                let ops = $crate::python::overloads::Extreme {
                    name: "max",
                    all: $Core::max,
                    values: $Core::max_dim,
                    with_indices: $Core::max_with_indices,
                    elementwise: $Core::maximum,
                };
                $crate::python::overloads::extreme(py, &self.inner, dim.as_ref(), keepdim, &ops)
            }

            /// The smallest element; `(values, indices)` along `dim`; or the
            /// elementwise minimum with a tensor (Rust `min`, `min_with_indices`,
            /// `minimum`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn min<'py>(
                &self,
                py: Python<'py>,
                dim: Option<Bound<'py, PyAny>>,
                keepdim: $crate::python::args::Bool,
                aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("min", dim, keepdim, aliases)?;
                let ops = $crate::python::overloads::Extreme {
                    name: "min",
                    all: $Core::min,
                    values: $Core::min_dim,
                    with_indices: $Core::min_with_indices,
                    elementwise: $Core::minimum,
                };
                $crate::python::overloads::extreme(py, &self.inner, dim.as_ref(), keepdim, &ops)
            }

            /// Int64 index of the largest value of the flattened tensor, or
            /// along `dim` (Rust `argmax_dim`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn argmax(&self, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$crate::Tensor> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("argmax", dim, keepdim, aliases)?;
                let dim = $crate::python::args::optional_dim(dim, "argmax")?;
                Ok($crate::python::overloads::arg_extreme(
                    &self.inner,
                    dim,
                    keepdim,
                    $Core::argmax_dim,
                )?)
            }

            /// Int64 index of the smallest value of the flattened tensor, or
            /// along `dim` (Rust `argmin_dim`).
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn argmin(&self, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$crate::Tensor> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("argmin", dim, keepdim, aliases)?;
                let dim = $crate::python::args::optional_dim(dim, "argmin")?;
                Ok($crate::python::overloads::arg_extreme(
                    &self.inner,
                    dim,
                    keepdim,
                    $Core::argmin_dim,
                )?)
            }

            /// Reorders the dims: `x.permute(1, 0)` or `x.permute([1, 0])`.
            #[pyo3(signature = (*args, dims = None))]
            fn permute(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                dims: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                let dims = $crate::python::overloads::int_args("permute", "dims", args, dims)?;
                Ok(self.inner.permute(&dims)?)
            }

            /// The same values in `shape` (one size may be -1):
            /// `x.reshape(2, 3)` or `x.reshape((2, 3))`.
            #[pyo3(signature = (*args, shape = None))]
            fn reshape(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                shape: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                let shape = $crate::python::overloads::int_args("reshape", "shape", args, shape)?;
                Ok(self.inner.reshape(&shape)?)
            }

            /// The same values in `shape` without copying (one size may be
            /// -1): `x.view(2, 3)` or `x.view((2, 3))`; `x.view(dtype)`
            /// reads the same memory as another dtype (Rust `view_dtype`).
            #[pyo3(signature = (*args, shape = None, size = None, dtype = None))]
            fn view(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                shape: Option<$crate::python::args::IntList>,
                size: Option<$crate::python::args::IntList>,
                dtype: Option<$crate::DType>,
            ) -> PyResult<$Core> {
                let positional = match args.len() {
                    1 => args.get_item(0)?.extract::<$crate::DType>().ok(),
                    _ => None,
                };
                if let Some(dtype) = dtype.or(positional) {
                    if shape.is_some() || size.is_some() || args.len() > usize::from(positional.is_some()) {
                        return Err(pyo3::exceptions::PyTypeError::new_err("view: give a shape or a dtype, not both"));
                    }
                    return Ok(self.inner.view_dtype(dtype)?);
                }
                let shape = $crate::python::overloads::int_args("view", "shape", args, shape.or(size))?;
                Ok(self.inner.view(&shape)?)
            }

            /// Broadcasts to `shape` (-1 keeps a size) without copying:
            /// `x.expand(4, -1)` or `x.expand([4, -1])` (or `size=`).
            #[pyo3(signature = (*args, shape = None, size = None))]
            fn expand(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                shape: Option<$crate::python::args::IntList>,
                size: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                let shape = $crate::python::overloads::int_args("expand", "shape", args, shape.or(size))?;
                Ok(self.inner.expand(&shape)?)
            }

            /// The values reversed along each of `dims`: `x.flip(0, 2)` or
            /// `x.flip([0, 2])`.
            #[pyo3(signature = (*args, dims = None))]
            fn flip(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                dims: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                if args.is_empty() && dims.is_none() {
                    return Err(pyo3::exceptions::PyTypeError::new_err("flip() missing 1 required argument: 'dims'"));
                }
                let dims = $crate::python::overloads::int_args("flip", "dims", args, dims)?;
                Ok(self.inner.flip(&dims)?)
            }

            /// The values tiled `dims[i]` times along each dim (leading dims
            /// of size 1 added): `x.tile(1, 2)` or `x.tile((1, 2))`.
            #[pyo3(signature = (*args, dims = None))]
            fn tile(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                dims: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                if args.is_empty() && dims.is_none() {
                    return Err(pyo3::exceptions::PyTypeError::new_err("tile() missing 1 required argument: 'dims'"));
                }
                let dims = $crate::python::overloads::int_args("tile", "dims", args, dims)?;
                Ok(self.inner.tile(&dims)?)
            }

            /// Tiles the values `repeats[i]` times along each dim:
            /// `x.repeat(2, 1)` or `x.repeat([2, 1])`.
            #[pyo3(signature = (*args, repeats = None))]
            fn repeat(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                repeats: Option<$crate::python::args::IntList>,
            ) -> PyResult<$Core> {
                let repeats =
                    $crate::python::overloads::int_args("repeat", "repeats", args, repeats)?;
                Ok(self.inner.repeat(&repeats)?)
            }
        }
        }
        crate::python::guard::guarded! {
        #[pyo3::pymethods]
        impl $Py {
            /// Whether any element is true (non-zero): of all elements (Rust
            /// `any`) or along `dim` (`any_dim`), as `torch.any`.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn any(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$crate::Tensor> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("any", dim, keepdim, aliases)?;
                use $crate::python::args::Dims;
                Ok(match $crate::python::args::reduction_dims(&dim, "any")? {
                    Dims::Many(dims) => self.inner.any_dims(dims, keepdim)?,
                    Dims::One(d) => $crate::python::overloads::reduce_to_tensor(&self.inner, Some(d), keepdim, $Core::any, $Core::any_dim)?,
                    Dims::All => $crate::python::overloads::reduce_to_tensor(&self.inner, None, keepdim, $Core::any, $Core::any_dim)?,
                })
            }

            /// Whether every element is true (non-zero): of all elements
            /// (Rust `all`) or along `dim` (`all_dim`), as `torch.all`.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn all(&self, dim: Option<$crate::python::args::DimArg>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$crate::Tensor> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("all", dim, keepdim, aliases)?;
                use $crate::python::args::Dims;
                Ok(match $crate::python::args::reduction_dims(&dim, "all")? {
                    Dims::Many(dims) => self.inner.all_dims(dims, keepdim)?,
                    Dims::One(d) => $crate::python::overloads::reduce_to_tensor(&self.inner, Some(d), keepdim, $Core::all, $Core::all_dim)?,
                    Dims::All => $crate::python::overloads::reduce_to_tensor(&self.inner, None, keepdim, $Core::all, $Core::all_dim)?,
                })
            }

            /// The median of all elements (Rust `median`), or the named
            /// `(values, indices)` along `dim` (`median_dim`), as `torch.median`.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn median<'py>(&self, py: Python<'py>, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'py, pyo3::types::PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("median", dim, keepdim, aliases)?;
                let dim = $crate::python::args::optional_dim(dim, "median")?;
                $crate::python::overloads::median(py, "median", &self.inner, dim, keepdim, $Core::median, $Core::median_dim)
            }

            /// `median` ignoring NaN (Rust `nanmedian`, `nanmedian_dim`), as
            /// `torch.nanmedian`.
            #[pyo3(signature = (dim = None, keepdim = $crate::python::args::Bool::from(false), **aliases), text_signature = "($self, dim=None, keepdim=False)")]
            fn nanmedian<'py>(&self, py: Python<'py>, dim: Option<$crate::python::args::Int>, keepdim: $crate::python::args::Bool, aliases: Option<&Bound<'py, pyo3::types::PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                let (dim, keepdim) = $crate::python::args::dim_keepdim("nanmedian", dim, keepdim, aliases)?;
                let dim = $crate::python::args::optional_dim(dim, "nanmedian")?;
                $crate::python::overloads::median(py, "nanmedian", &self.inner, dim, keepdim, $Core::nanmedian, $Core::nanmedian_dim)
            }

            /// The values shifted along `dims`, wrapping around, as
            /// `torch.roll`: each an int or a sequence; no dims rolls the
            /// flattened values.
            #[pyo3(signature = (shifts, dims = None))]
            fn roll(&self, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<$Core> {
                let shifts = $crate::python::overloads::int_or_ints("roll", "shifts", shifts)?;
                let dims = match dims.filter(|d| !d.is_none()) {
                    Some(d) => $crate::python::overloads::int_or_ints("roll", "dims", d)?,
                    None => Vec::new(),
                };
                Ok(self.inner.roll(&shifts, &dims)?)
            }

            /// `self + weight * (end - self)`, as `torch.lerp`: weight a
            /// number (Rust `lerp_scalar`) or a tensor (`lerp`).
            fn lerp(slf: &Bound<'_, Self>, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                use $crate::python::args::PyOperand as _;
                use $crate::python::overloads::{as_variable, number_of, operand_of};
                if let Some(variable) = as_variable(slf.as_any(), &[end, weight])? {
                    return Ok(variable.call_method1("lerp", (end, weight))?.unbind());
                }
                let x = &slf.get().inner;
                let end = operand_of::<$Core>("lerp", "end", end)?;
                let result = match number_of("lerp", "weight", weight)? {
                    Some(w) => x.lerp_scalar(end.get(), w)?,
                    None => x.lerp(end.get(), operand_of::<$Core>("lerp", "weight", weight)?.get())?,
                };
                $crate::python::results::new_object(slf.py(), result)
            }

            /// `self += weight * (end - self)` in place, weight a number or a
            /// tensor; returns self.
            fn lerp_<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                use $crate::python::args::PyOperand as _;
                use $crate::python::overloads::{number_of, values_operand_of};
                use $crate::python::tensor::joined_in_place;
                if joined_in_place::<$Core, _>(slf.as_any(), "lerp_", "lerp_", &[end, weight], (end, weight))? {
                    return Ok(slf.clone());
                }
                let x = &slf.get().inner;
                let end = values_operand_of::<$Core>("lerp_", "end", end)?;
                match number_of("lerp_", "weight", weight)? {
                    Some(w) => x.lerp_scalar_(end.get(), w)?,
                    None => x.lerp_(end.get(), values_operand_of::<$Core>("lerp_", "weight", weight)?.get())?,
                }
                Ok(slf.clone())
            }

            /// `self` with `src` written at the Int64 `index` along `dim`, as
            /// `torch.scatter(dim, index, src)`: `src` a tensor (Rust
            /// `scatter`) or a number, also as `value=` (`scatter_value`).
            /// With `reduce` ("add" or "multiply"), the values combine with
            /// the ones there (`scatter_with`).
            #[pyo3(signature = (dim, index, src = None, value = None, *, reduce = None))]
            fn scatter(
                slf: &Bound<'_, Self>,
                dim: &Bound<'_, PyAny>,
                index: &Bound<'_, PyAny>,
                src: Option<&Bound<'_, PyAny>>,
                value: Option<&Bound<'_, PyAny>>,
                reduce: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                use $crate::python::args::{CoreArg as _, PyOperand as _};
                use $crate::python::overloads::{as_variable, number_of, operand_of, scatter_mode, scatter_source};
                let source = scatter_source("scatter", src, value)?;
                if let Some(variable) = as_variable(slf.as_any(), &[source])? {
                    let kwargs = pyo3::types::PyDict::new(slf.py());
                    kwargs.set_item("reduce", reduce)?;
                    return Ok(variable.call_method("scatter", (dim, index, source), Some(&kwargs))?.unbind());
                }
                let dim: $crate::python::args::Int = dim.extract()?;
                let index: $crate::python::args::TensorArg<'_> = index.extract()?;
                let (dim, index) = (dim.core("scatter", "dim")?, index.core("scatter", "index")?);
                let mode = scatter_mode("scatter", reduce)?;
                let x = &slf.get().inner;
                let result = match (number_of("scatter", "value", source)?, mode) {
                    (Some(v), None) => x.scatter_value(dim, index, v)?,
                    (Some(v), Some(mode)) => x.scatter_value_with(dim, index, v, mode)?,
                    (None, mode) => {
                        let src = operand_of::<$Core>("scatter", "src", source)?;
                        match mode {
                            None => x.scatter(dim, index, src.get())?,
                            Some(mode) => x.scatter_with(dim, index, src.get(), mode)?,
                        }
                    }
                };
                $crate::python::results::new_object(slf.py(), result)
            }

            /// `src` (a tensor, or a number: `value=`) written at the Int64
            /// `index` along `dim`, in place; returns self.
            /// With `reduce` ("add" or "multiply"), the values combine with
            /// the ones there (`scatter_with_`).
            #[pyo3(signature = (dim, index, src = None, value = None, *, reduce = None))]
            fn scatter_<'py>(
                slf: &Bound<'py, Self>,
                dim: &Bound<'py, PyAny>,
                index: &Bound<'py, PyAny>,
                src: Option<&Bound<'py, PyAny>>,
                value: Option<&Bound<'py, PyAny>>,
                reduce: Option<&Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, Self>> {
                use $crate::python::args::{CoreArg as _, PyOperand as _};
                use $crate::python::overloads::{number_of, scatter_mode, scatter_source, values_operand_of};
                use $crate::python::tensor::joined_in_place;
                let source = scatter_source("scatter_", src, value)?;
                let mode = scatter_mode("scatter_", reduce)?;
                if mode.is_none() && joined_in_place::<$Core, _>(slf.as_any(), "scatter_", "scatter_", &[source], (dim, index, source))? {
                    return Ok(slf.clone());
                }
                let dim: $crate::python::args::Int = dim.extract()?;
                let index: $crate::python::args::TensorArg<'_> = index.extract()?;
                let (dim, index) = (dim.core("scatter_", "dim")?, index.core("scatter_", "index")?);
                let x = &slf.get().inner;
                match (number_of("scatter_", "value", source)?, mode) {
                    (Some(v), None) => x.scatter_value_(dim, index, v)?,
                    (Some(v), Some(mode)) => x.scatter_value_with_(dim, index, v, mode)?,
                    (None, mode) => {
                        let src = values_operand_of::<$Core>("scatter_", "src", source)?;
                        match mode {
                            None => x.scatter_(dim, index, src.get())?,
                            Some(mode) => x.scatter_with_(dim, index, src.get(), mode)?,
                        }
                    }
                }
                Ok(slf.clone())
            }

            /// `self` where the bool `condition` holds, `other` (a tensor or
            /// a number) elsewhere, as `Tensor.where(condition, other)`:
            /// `flodl.where(condition, self, other)`.
            #[pyo3(name = "where")]
            fn where_method(
                slf: &Bound<'_, Self>,
                condition: &Bound<'_, PyAny>,
                other: &Bound<'_, PyAny>,
            ) -> PyResult<Py<PyAny>> {
                let module = slf.py().import("flodl")?;
                Ok(module.getattr("where")?.call1((condition, slf, other))?.unbind())
            }

            /// `self << other` on integer tensors: other a tensor or a number.
            fn bitwise_left_shift(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("bitwise_left_shift", slf.as_any(), other, None, |a, b| a.lshift(b))
            }

            /// `self >> other` on integer tensors: other a tensor or a number.
            fn bitwise_right_shift(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::python::overloads::as_operator("bitwise_right_shift", slf.as_any(), other, None, |a, b| a.rshift(b))
            }

            fn __lshift__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = $crate::python::operators::Op::new("left_shift");
                $crate::python::operators::binary(&self.inner, other, op, $Core::bitwise_left_shift, $Core::bitwise_left_shift_scalar)
            }

            fn __rlshift__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = $crate::python::operators::Op::reflected("left_shift");
                let number = |a: &$Core, s| $crate::python::overloads::number_operand("bitwise_left_shift", a, s)?.bitwise_left_shift(a);
                $crate::python::operators::binary(&self.inner, other, op, |a, o| o.bitwise_left_shift(a), number)
            }

            fn __rshift__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = $crate::python::operators::Op::new("right_shift");
                $crate::python::operators::binary(&self.inner, other, op, $Core::bitwise_right_shift, $Core::bitwise_right_shift_scalar)
            }

            fn __rrshift__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let op = $crate::python::operators::Op::reflected("right_shift");
                let number = |a: &$Core, s| $crate::python::overloads::number_operand("bitwise_right_shift", a, s)?.bitwise_right_shift(a);
                $crate::python::operators::binary(&self.inner, other, op, |a, o| o.bitwise_right_shift(a), number)
            }

            /// The int64 indices of the non-zero entries: one row per entry,
            /// or with `as_tuple=True` one 1-d tensor per dim, as
            /// `torch.nonzero`.
            #[pyo3(signature = (*, as_tuple = false))]
            fn nonzero<'py>(&self, py: Python<'py>, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
                let values = $crate::python::operators::Class::values(&self.inner);
                $crate::python::overloads::nonzero(py, &values, as_tuple)
            }

            /// The distinct values (or slices along `dim`), as
            /// `torch.unique`: a tensor, or a tuple with the inverse indices
            /// and the counts asked for (Rust `unique`). Not differentiable.
            #[pyo3(signature = (sorted = true, return_inverse = false, return_counts = false, dim = None))]
            fn unique<'py>(
                &self,
                py: Python<'py>,
                sorted: bool,
                return_inverse: bool,
                return_counts: bool,
                dim: Option<$crate::python::args::Int>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let dim = $crate::python::args::optional_dim(dim, "unique")?;
                let values = $crate::python::operators::Class::values(&self.inner);
                let parts = values.unique(sorted, return_inverse, return_counts, dim)?;
                $crate::python::overloads::unique_parts(py, "unique", parts, (return_inverse, return_counts))
            }

            /// Each run of equal consecutive values (or slices along `dim`)
            /// collapsed to one, as `torch.unique_consecutive`: a tensor, or
            /// a tuple with the inverse indices and the run lengths asked for
            /// (Rust `unique_consecutive`). Not differentiable.
            #[pyo3(signature = (return_inverse = false, return_counts = false, dim = None))]
            fn unique_consecutive<'py>(
                &self,
                py: Python<'py>,
                return_inverse: bool,
                return_counts: bool,
                dim: Option<$crate::python::args::Int>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let dim = $crate::python::args::optional_dim(dim, "unique_consecutive")?;
                let values = $crate::python::operators::Class::values(&self.inner);
                let parts = values.unique_consecutive(return_inverse, return_counts, dim)?;
                $crate::python::overloads::unique_parts(py, "unique_consecutive", parts, (return_inverse, return_counts))
            }

            /// A new Tensor holding a copy of `data`, of this one's dtype and
            /// device unless given, as `Tensor.new_tensor`.
            #[pyo3(signature = (data, *, dtype = None, device = None, requires_grad = false))]
            fn new_tensor<'py>(
                slf: &Bound<'py, Self>,
                data: &Bound<'py, PyAny>,
                dtype: Option<&Bound<'py, PyAny>>,
                device: Option<&Bound<'py, PyAny>>,
                requires_grad: bool,
            ) -> PyResult<Bound<'py, PyAny>> {
                $crate::python::overloads::new_tensor(slf.as_any(), data, dtype, device, requires_grad)
            }
        }
        }
    };
}

pub(crate) use overloads;
