//! Python arguments to Rust values. Each op argument kind of the catalogue
//! has a type here that PyO3 extracts and then lends to the core as the
//! Rust type of the signature (`CoreArg::core`); devices, dtypes and
//! options are extracted by the functions at the end.

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PySlice, PyString, PyTuple};

use super::classes::PyTensor;
use super::classes::PyVariable;
use super::classes::{PyDevice, PyTensorOptions};
use crate::ops::nn::Mode;
use crate::{
    DType, Device, Error, ErrorKind, Scalar, Tensor, TensorIndex, TensorOptions, Variable,
};

/// What an argument type accepts, as the stubs annotate it: each type that
/// parses a kind of the op tables says it here, so `make stubs` keeps no
/// map of its own.
pub(crate) trait Annotated {
    fn annotation() -> String;
}

/// Declares the annotation of argument types.
macro_rules! annotated {
    ($($t:ty => $text:literal),* $(,)?) => {$(
        impl Annotated for $t {
            fn annotation() -> String {
                $text.to_string()
            }
        }
    )*};
}
annotated!(
    bool => "bool",
    Bool => "bool",
    Float => "float",
    Text => "str",
    Int => "int",
    IntList => "int | Sequence[int]",
    ScalarArg => "Number",
    TensorArg<'_> => "Tensor",
    NnOperand<'_> => "VariableLike",
);

impl<A: Annotated> Annotated for Option<A> {
    fn annotation() -> String {
        format!("{} | None", A::annotation())
    }
}

impl<const N: usize> Annotated for Ints<N> {
    /// The stubs' `Ints2`, `Ints3`: one int or `N` of them.
    fn annotation() -> String {
        format!("Ints{N}")
    }
}

impl<M: Mode> Annotated for Choice<M> {
    /// The mode's own name, which the stubs declare as a `Literal` of its
    /// names (`_modes()`).
    fn annotation() -> String {
        M::KIND.to_string()
    }
}

/// A Python argument as the core takes it.
pub(crate) trait CoreArg {
    type Core<'a>
    where
        Self: 'a;
    /// The core value; `op` and `name` (the call and this argument) go into
    /// the error when the value PyO3 extracted does not fit.
    fn core(&self, op: &str, name: &str) -> PyResult<Self::Core<'_>>;
    /// Whether this argument is a Variable (the nn functions return a
    /// Variable then, and a Tensor when every operand is a Tensor).
    fn tracked(&self) -> bool {
        false
    }
    /// Whether this operand of a Tensor method is a Variable, so that the
    /// call must run as the Variable method (and record a graph).
    fn needs_variable(&self) -> bool {
        false
    }
    /// Whether this operand of a Tensor method writing in place records a
    /// graph (a Variable that requires grad, recording on): the Tensor then
    /// joins the graph ([`join_graph`](super::tensor::join_graph)).
    fn records_into(&self) -> bool {
        false
    }
}

macro_rules! copy_args {
    ($($t:ty),*) => {$(
        impl CoreArg for $t {
            type Core<'a> = $t;
            fn core(&self, _: &str, _: &str) -> PyResult<$t> {
                Ok(*self)
            }
        }
    )*};
}
copy_args!(f64, bool);

/// PyTorch's numpy names for two arguments, which it takes as aliases:
/// `axis` for `dim` and `keepdims` for `keepdim` (`x.sum(axis=0)`).
const NUMPY_NAMES: [(&str, &str); 2] = [("dim", "axis"), ("keepdim", "keepdims")];

/// `value`, or what `aliases` (the keywords a binding's signature did not
/// name) gives under `alias`, its argument's numpy name.
pub(crate) fn aliased<'py, T>(
    value: T,
    aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
    alias: &str,
) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    match aliases.map(|a| a.get_item(alias)).transpose()?.flatten() {
        Some(given) => given.extract::<T>().map_err(Into::into),
        None => Ok(value),
    }
}

/// An op's `dim`, or its numpy name `axis` from `aliases` (refusing any
/// other keyword there).
pub(crate) fn dim_aliased<'py, D>(
    op: &str,
    dim: D,
    aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
) -> PyResult<D>
where
    D: for<'a> FromPyObject<'a, 'py>,
{
    only_aliases(op, aliases, &["dim"])?;
    aliased(dim, aliases, "axis")
}

/// A reduction's `dim` and `keepdim` (as the core takes it), either one
/// under its numpy name from `aliases` (refusing any other keyword there).
pub(crate) fn dim_keepdim<'py, D>(
    op: &str,
    dim: D,
    keepdim: Bool,
    aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
) -> PyResult<(D, bool)>
where
    D: for<'a> FromPyObject<'a, 'py>,
{
    only_aliases(op, aliases, &["dim", "keepdim"])?;
    let dim = aliased(dim, aliases, "axis")?;
    let keepdim = aliased(keepdim, aliases, "keepdims")?.core(op, "keepdim")?;
    Ok((dim, keepdim))
}

/// A required `dim` that `aliases` may give as `axis`: PyTorch's
/// TypeError when neither is there.
pub(crate) fn required_dim(
    op: &str,
    dim: Option<Int>,
    aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
) -> PyResult<Int> {
    dim_aliased(op, dim, aliases)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{op}() missing 1 required positional argument: 'dim'"
        ))
    })
}

/// The TypeError of a keyword in `aliases` that is not the numpy name of
/// one of `args` (the op's arguments), as for any unknown keyword.
pub(crate) fn only_aliases(
    op: &str,
    aliases: Option<&Bound<'_, pyo3::types::PyDict>>,
    args: &[&str],
) -> PyResult<()> {
    let Some(aliases) = aliases else {
        return Ok(());
    };
    for key in aliases.keys() {
        let key = key.str()?.to_string();
        let known = NUMPY_NAMES
            .iter()
            .any(|(name, alias)| *alias == key && args.contains(name));
        if !known {
            return Err(PyTypeError::new_err(format!(
                "{op}() got an unexpected keyword argument '{key}'"
            )));
        }
    }
    Ok(())
}

/// Argument types holding a value or the Problem raised when the core asks
/// for it: made from their value (a table default), lent as it is.
macro_rules! deferred_args {
    ($($t:ident => $value:ty),*) => {$(
        impl From<$value> for $t {
            fn from(v: $value) -> Self {
                $t(Ok(v))
            }
        }

        impl CoreArg for $t {
            type Core<'a> = $value;
            fn core(&self, op: &str, name: &str) -> PyResult<$value> {
                self.0.as_ref().map(|v| *v).map_err(|p| p.raise(op, name))
            }
        }
    )*};
}
deferred_args!(Int => i64, Float => f64, Bool => bool, DTypeArg => DType, DeviceArg => Device);

/// An `f64` argument: a Python or numpy number (`__float__` of anything
/// else, a torch tensor say, is not called: its errors are not flodl's).
/// Anything else is the op's TypeError naming the argument.
pub(crate) struct Float(Result<f64, Problem>);

impl FromPyObject<'_, '_> for Float {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(f) = obj.cast::<PyFloat>() {
            return Ok(Float(Ok(f.value())));
        }
        Ok(Float(match scalar(&obj) {
            Some(Ok(number)) if number.is_complex() => Err(wrong_type("a real number", &obj)),
            Some(Ok(number)) => Ok(number.to_f64()),
            // An int beyond 64 bits is still a float, if a large one.
            Some(Err(_)) => Ok(obj.extract::<f64>()?),
            None => Err(wrong_type("a number", &obj)),
        }))
    }
}

/// A `bool` argument: a Python or numpy bool; anything else is the op's
/// TypeError naming the argument (PyTorch takes no int for a bool).
pub(crate) struct Bool(Result<bool, Problem>);

impl FromPyObject<'_, '_> for Bool {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(Bool(match obj.extract::<bool>() {
            Ok(b) => Ok(b),
            Err(_) => Err(wrong_type("a bool", &obj)),
        }))
    }
}

/// The Problem of an argument that is not `expected` (`"an int"`), which
/// its op raises as a TypeError naming itself and the argument.
fn wrong_type(expected: &str, obj: &Bound<'_, PyAny>) -> Problem {
    Problem::Type(format!("must be {expected}, got {}", type_name(obj)))
}

impl<A: CoreArg> CoreArg for Option<A> {
    type Core<'a>
        = Option<A::Core<'a>>
    where
        A: 'a;
    fn core(&self, op: &str, name: &str) -> PyResult<Self::Core<'_>> {
        self.as_ref().map(|a| a.core(op, name)).transpose()
    }
    fn tracked(&self) -> bool {
        self.as_ref().is_some_and(A::tracked)
    }
}

/// Whether `err` is Python's OverflowError: an int too large for 64 bits,
/// which is the op's ArgumentError, not a wrong type.
fn overflowed(obj: &Bound<'_, PyAny>, err: &PyErr) -> Option<Problem> {
    err.is_instance_of::<PyOverflowError>(obj.py()).then(|| {
        let text = obj.str().map(|s| s.to_string()).unwrap_or_default();
        Problem::Value(format!("{text} does not fit in a 64-bit integer"))
    })
}

/// A `str` argument (an equation, a mode's name): anything else is the
/// op's TypeError naming the argument.
pub(crate) struct Text(Result<String, Problem>);

impl From<&str> for Text {
    /// A default of the signature.
    fn from(text: &str) -> Self {
        Text(Ok(text.to_string()))
    }
}

impl FromPyObject<'_, '_> for Text {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(Text(match obj.cast::<PyString>() {
            Ok(text) => Ok(text.to_cow()?.into_owned()),
            Err(_) => Err(wrong_type("a string", &obj)),
        }))
    }
}

impl CoreArg for Text {
    type Core<'a> = &'a str;
    fn core(&self, op: &str, name: &str) -> PyResult<&str> {
        self.0.as_deref().map_err(|p| p.raise(op, name))
    }
}

/// An `i64` (a dim, an index, a size): a Python int; one too large for 64
/// bits is an ArgumentError naming the op and the argument.
pub(crate) struct Int(Result<i64, Problem>);

impl FromPyObject<'_, '_> for Int {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        // A bool is an int to Python, never a dim or a size to PyTorch
        // (`x.sum(True)` is a TypeError there, not dim 1).
        if obj.is_instance_of::<PyBool>() {
            return Ok(Int(Err(wrong_type("an int", &obj))));
        }
        Ok(Int(match obj.extract::<i64>() {
            Ok(v) => Ok(v),
            Err(err) => Err(overflowed(&obj, &err).unwrap_or_else(|| wrong_type("an int", &obj))),
        }))
    }
}

/// A reduction's `dim`: one dim, or (a list or tuple) several at once.
pub(crate) enum DimArg {
    One(Int),
    Many(IntList),
}

impl FromPyObject<'_, '_> for DimArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<pyo3::types::PyList>()
            || obj.is_instance_of::<pyo3::types::PyTuple>()
        {
            return Ok(DimArg::Many(obj.extract()?));
        }
        Ok(DimArg::One(obj.extract()?))
    }
}

/// A reduction's dims: None (all of them), one, or several.
pub(crate) enum Dims<'a> {
    All,
    One(i64),
    Many(&'a [i64]),
}

impl Dims<'_> {
    /// The dims as a list, empty for all of them (as `amax` takes them).
    pub(crate) fn as_slice(&self) -> &[i64] {
        match self {
            Dims::All => &[],
            Dims::One(d) => std::slice::from_ref(d),
            Dims::Many(dims) => dims,
        }
    }
}

/// The dims a reduction `op` was given, as the core takes them.
pub(crate) fn reduction_dims<'a>(dim: &'a Option<DimArg>, op: &str) -> PyResult<Dims<'a>> {
    match dim {
        None => Ok(Dims::All),
        Some(DimArg::One(d)) => Ok(Dims::One(d.core(op, "dim")?)),
        Some(DimArg::Many(list)) => Ok(Dims::Many(list.core(op, "dim")?)),
    }
}

/// An optional dim of `op` (None: all of them), as the core takes it.
pub(crate) fn optional_dim(dim: Option<Int>, op: &str) -> PyResult<Option<i64>> {
    dim.map(|d| d.core(op, "dim")).transpose()
}

/// `&[i64]` (a shape, dims): a list or tuple of ints, each fitting 64 bits.
pub(crate) struct IntList(Result<Vec<i64>, Problem>);

impl FromPyObject<'_, '_> for IntList {
    type Error = PyErr;
    /// A sequence of ints, or one int standing for a list of one (as
    /// PyTorch's `x.flip(0)`, `x.amax(dim=1)`).
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if !obj.is_instance_of::<pyo3::types::PyBool>() {
            match obj.extract::<i64>() {
                Ok(v) => return Ok(IntList(Ok(vec![v]))),
                Err(err) => {
                    if let Some(problem) = overflowed(&obj, &err) {
                        return Ok(IntList(Err(problem)));
                    }
                }
            }
        }
        match obj.extract::<Vec<i64>>() {
            Ok(v) => Ok(IntList(Ok(v))),
            Err(_) => {
                let problem = obj.try_iter().ok().and_then(|items| {
                    items.flatten().find_map(|item| {
                        let err = item.extract::<i64>().err()?;
                        overflowed(&item, &err)
                    })
                });
                let problem = problem.unwrap_or_else(|| not_ints(&obj));
                Ok(IntList(Err(problem)))
            }
        }
    }
}

/// The Problem of an argument that is neither an int nor a sequence of
/// them: what it is, or the first item that is not an int.
fn not_ints(obj: &Bound<'_, PyAny>) -> Problem {
    let sequence = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    let item = match sequence {
        true => obj.try_iter().ok().and_then(|items| {
            items
                .flatten()
                .enumerate()
                .find(|(_, item)| item.is_instance_of::<PyBool>() || item.extract::<i64>().is_err())
        }),
        false => None,
    };
    match item {
        Some((i, item)) => Problem::Type(format!(
            "must be a sequence of ints, got {} at position {i}",
            type_name(&item)
        )),
        None => wrong_type("an int or a sequence of ints", obj),
    }
}

/// A table's default pair of dims (`dims: Ints = (0, 1)`, a Python tuple).
impl From<(i64, i64)> for IntList {
    fn from((a, b): (i64, i64)) -> Self {
        IntList(Ok(vec![a, b]))
    }
}

impl CoreArg for IntList {
    type Core<'a> = &'a [i64];
    fn core(&self, op: &str, name: &str) -> PyResult<&[i64]> {
        self.0.as_deref().map_err(|p| p.raise(op, name))
    }
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A number argument (`Scalar` in the tables): a Python bool, int or float,
/// or a numpy scalar, keeping its kind so that type promotion is PyTorch's.
pub(crate) struct ScalarArg(Result<Scalar, Problem>);

/// A Python or numpy number as a [`Scalar`]; None for anything else. An int
/// too large for 64 bits is a Problem for the op to raise.
pub(crate) fn scalar(obj: &Bound<'_, PyAny>) -> Option<Result<Scalar, Problem>> {
    if obj.is_instance_of::<PyBool>() {
        return obj.extract::<bool>().ok().map(|b| Ok(Scalar::Bool(b)));
    }
    if obj.is_instance_of::<PyInt>() {
        return Some(match obj.extract::<i64>() {
            Ok(i) => Ok(Scalar::Int(i)),
            Err(err) => Err(overflowed(obj, &err)?),
        });
    }
    if obj.is_instance_of::<PyFloat>() {
        return obj.extract::<f64>().ok().map(|f| Ok(Scalar::Float(f)));
    }
    if let Ok(z) = obj.cast::<PyComplex>() {
        return Some(Ok(Scalar::Complex(z.real(), z.imag())));
    }
    // A numpy scalar (np.float32(2.0), np.int64(3), np.bool_(True)): its
    // dtype's kind says which number it is. A 0-d array is an array, not a
    // number (PyTorch hands it to numpy's rules).
    if super::args::is_numpy_array(obj) {
        return None;
    }
    let kind: String = obj
        .getattr("dtype")
        .ok()?
        .getattr("kind")
        .ok()?
        .extract()
        .ok()?;
    if obj.getattr("ndim").ok()?.extract::<usize>().ok()? != 0 {
        return None;
    }
    match kind.as_str() {
        // PyTorch takes numpy's bool as a float (1.0 or 0.0), not a bool.
        "b" => obj
            .extract::<bool>()
            .ok()
            .map(|b| Ok(Scalar::Float(f64::from(u8::from(b))))),
        "i" | "u" => obj.extract::<i64>().ok().map(|i| Ok(Scalar::Int(i))),
        "f" => obj.extract::<f64>().ok().map(|f| Ok(Scalar::Float(f))),
        "c" => {
            let z = obj.call_method0("__complex__").ok()?;
            let z = z.cast::<PyComplex>().ok()?;
            Some(Ok(Scalar::Complex(z.real(), z.imag())))
        }
        _ => None,
    }
}

impl FromPyObject<'_, '_> for ScalarArg {
    type Error = PyErr;
    /// A number, or a 0-d Tensor standing for its value where only a number
    /// goes (`x.fill_(t.max())`), as PyTorch takes one.
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Some(number) = scalar(&obj) {
            return Ok(ScalarArg(number));
        }
        if let Some(number) = zero_dim_value(&obj) {
            return Ok(ScalarArg(Ok(number)));
        }
        if let Some(v) = as_variable(&obj) {
            let inner = &v.get().inner;
            if inner.ndim() == 0 {
                // Its value, unless a gradient would be lost.
                if inner.requires_grad() && crate::is_grad_enabled() {
                    let message = "a 0-d Variable that requires grad stands for a number here, \
                                   which would lose its gradient: pass its .item() or .detach()";
                    return Err(
                        crate::Error::new(crate::ErrorKind::Autograd, message.to_string()).into(),
                    );
                }
                if let Some(number) = tensor_value(&inner.data()) {
                    return Ok(ScalarArg(Ok(number)));
                }
            }
        }
        let shape = plain_tensor(&obj)
            .map(|t| t.get().inner.shape())
            .or_else(|| as_variable(&obj).map(|v| v.get().inner.shape()));
        Ok(ScalarArg(Err(match shape {
            Some(shape) => Problem::Type(format!(
                "must be a number or a 0-d tensor, got shape {shape:?}"
            )),
            None => wrong_type("a number", &obj),
        })))
    }
}

/// The value of a 0-d Tensor (not a Variable: its graph would be lost) as
/// the number of its dtype's kind; None for anything else.
fn zero_dim_value(obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    let tensor = &plain_tensor(obj)?.get().inner;
    if tensor.ndim() != 0 {
        return None;
    }
    tensor_value(tensor)
}

/// The value of a 0-d tensor as the number of its dtype's kind.
fn tensor_value(tensor: &Tensor) -> Option<Scalar> {
    let raw = crate::Operand::raw(tensor);
    Some(match tensor.dtype() {
        crate::DType::Bool => Scalar::Bool(raw.f_int64_value(&[]).ok()? != 0),
        d if d.is_floating_point() => Scalar::Float(raw.f_double_value(&[]).ok()?),
        d if d.is_complex() => {
            // (A lazy conj() view has no real view of its own.)
            let parts = raw.f_resolve_conj().ok()?.f_view_as_real().ok()?;
            Scalar::Complex(
                parts.f_double_value(&[0]).ok()?,
                parts.f_double_value(&[1]).ok()?,
            )
        }
        _ => Scalar::Int(raw.f_int64_value(&[]).ok()?),
    })
}

impl From<i64> for ScalarArg {
    fn from(value: i64) -> Self {
        ScalarArg(Ok(Scalar::Int(value)))
    }
}

impl CoreArg for ScalarArg {
    type Core<'a> = Scalar;
    fn core(&self, op: &str, name: &str) -> PyResult<Scalar> {
        self.0.as_ref().map(|s| *s).map_err(|p| p.raise(op, name))
    }
}

// ----- tensor operands -----

/// A Tensor operand (of a Tensor op, or an index or mask of any op).
pub(crate) struct TensorArg<'py>(Bound<'py, PyTensor>);

/// A Variable operand: a Variable, or a Tensor taken as a constant (a leaf
/// that needs no grad).
pub(crate) enum VariableArg<'py> {
    Tracked(Bound<'py, PyVariable>),
    Constant(Variable),
}

/// The operand of a Tensor method: a Tensor, or a Variable, which makes the
/// call run as the Variable method (`Tensor.add(variable)` is a Variable, as
/// `tensor + variable` is).
pub(crate) enum SameTensorArg<'py> {
    Tensor(Bound<'py, PyTensor>),
    Variable(Bound<'py, PyVariable>, Tensor),
}

impl<'py> SameTensorArg<'py> {
    /// This operand for the Variable method: a Tensor as a constant.
    pub(crate) fn into_variable(self) -> PyResult<VariableArg<'py>> {
        match self {
            SameTensorArg::Tensor(t) => Ok(VariableArg::Constant(Variable::new(
                t.get().inner.clone(),
                false,
            )?)),
            SameTensorArg::Variable(v, _) => Ok(VariableArg::Tracked(v)),
        }
    }
}

impl<'py> FromPyObject<'_, 'py> for SameTensorArg<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Some(t) = plain_tensor(&obj) {
            return Ok(SameTensorArg::Tensor(t.clone()));
        }
        if let Some(v) = as_variable(&obj) {
            let data = v.get().inner.data();
            return Ok(SameTensorArg::Variable(v.to_owned(), data));
        }
        Err(not_a_tensor(&obj, "a Tensor or a Variable"))
    }
}

/// Whether `obj` is a numpy array (0-d included: numpy's own scalars are
/// numbers, arrays are not).
pub(crate) fn is_numpy_array(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type().name().is_ok_and(|n| n == "ndarray")
        && obj.get_type().module().is_ok_and(|m| m == "numpy")
}

/// Whether `obj` is a torch tensor (of torch's package, with a dtype),
/// without importing torch; `flodl._is_torch_tensor` for the Python layer.
#[pyfunction(name = "_is_torch_tensor")]
pub(crate) fn is_torch_tensor(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type()
        .module()
        .is_ok_and(|m| m.to_string().split('.').next() == Some("torch"))
        && obj.hasattr("dtype").unwrap_or(false)
}

/// The TypeError for `obj` where a tensor goes: a torch tensor is named as
/// one, with the conversion; a number gets the forms that take numbers.
pub(crate) fn not_a_tensor(obj: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    let got = type_name(obj);
    let hint = if is_torch_tensor(obj) {
        " from torch: convert it with flodl.Tensor.from_torch(t) (or Variable.from_torch)"
    } else if scalar(obj).is_some() {
        " (a number: use an operator, x + 2.0, or the method's _scalar form, add_scalar(2.0))"
    } else {
        ""
    };
    PyTypeError::new_err(format!("expected {expected}, got {got}{hint}"))
}

impl CoreArg for SameTensorArg<'_> {
    type Core<'a>
        = &'a Tensor
    where
        Self: 'a;
    fn core(&self, _: &str, _: &str) -> PyResult<&Tensor> {
        Ok(match self {
            SameTensorArg::Tensor(t) => &t.get().inner,
            SameTensorArg::Variable(_, data) => data,
        })
    }
    fn needs_variable(&self) -> bool {
        matches!(self, SameTensorArg::Variable(..))
    }
    fn records_into(&self) -> bool {
        match self {
            SameTensorArg::Variable(v, _) => records(&v.get().inner),
            SameTensorArg::Tensor(_) => false,
        }
    }
}

/// Whether writing `v`'s values somewhere records a graph: it requires
/// grad and recording is on.
pub(crate) fn records(v: &Variable) -> bool {
    v.requires_grad() && crate::is_grad_enabled()
}

/// Whether a Tensor (which records no graph) may take the values of
/// Variable `v` in place in `op`: yes, unless `v` requires grad while
/// recording is on, when its gradient would be lost without a word (as
/// PyTorch's target would join the graph). An Autograd error then.
pub(crate) fn values_for_tensor(op: &str, v: &Variable) -> PyResult<()> {
    if records(v) {
        let message = format!(
            "{op}: a Tensor records no graph, and its operand is a Variable that requires grad: \
             make the target a Variable (flodl.Variable(t) or zeros_like of a Variable), or pass \
             the operand's .detach()"
        );
        return Err(crate::Error::new(crate::ErrorKind::Autograd, message).into());
    }
    Ok(())
}

/// An operand of a class's ops, lent to the core as `&C`.
pub(crate) trait PyOperand<C> {
    fn get(&self) -> &C;
}

impl PyOperand<Tensor> for TensorArg<'_> {
    fn get(&self) -> &Tensor {
        &self.0.get().inner
    }
}

impl PyOperand<Variable> for VariableArg<'_> {
    fn get(&self) -> &Variable {
        match self {
            VariableArg::Tracked(v) => &v.get().inner,
            VariableArg::Constant(v) => v,
        }
    }
}

/// The values of a Tensor or Variable argument (a Variable's data, shared);
/// a TypeError naming `op` for anything else.
pub(crate) fn tensor_values(op: &str, obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if let Some(v) = as_variable(obj) {
        return Ok(v.get().inner.data());
    }
    match plain_tensor(obj) {
        Some(t) => Ok(t.get().inner.clone()),
        None => Err(PyTypeError::new_err(format!(
            "{op}: {}",
            not_a_tensor(obj, "a Tensor or a Variable").value(obj.py())
        ))),
    }
}

/// `obj` as a Tensor that is not a Variable. A Variable is a Tensor to
/// Python, but its values are read through its own class (its Tensor part
/// is an alias for inherited queries): every argument reads it that way.
/// So is a Tensor that `requires_grad_()` made a leaf ([`as_variable`]).
pub(crate) fn plain_tensor<'a, 'py>(
    obj: &'a Bound<'py, PyAny>,
) -> Option<&'a Bound<'py, PyTensor>> {
    if obj.is_instance_of::<PyVariable>() {
        return None;
    }
    obj.cast::<PyTensor>()
        .ok()
        .filter(|t| !t.get().inner.requires_grad())
}

/// `obj` as a Variable: a Variable, or a Tensor whose values require grad.
/// Only `requires_grad_()` (or `requires_grad = True`) makes such a Tensor,
/// turning it into a leaf in place as PyTorch does (its class becomes
/// `flodl._leaf.LeafTensor`, whose methods are a Variable's); every
/// argument takes it as a Variable handle on the same tensor, so the graph
/// and the gradient reach it.
pub(crate) fn as_variable<'py>(obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyVariable>> {
    if let Ok(v) = obj.cast::<PyVariable>() {
        return Some(v.clone());
    }
    let t = obj.cast::<PyTensor>().ok()?;
    if !t.get().inner.requires_grad() {
        return None;
    }
    let view = Variable::view_of(&t.get().inner);
    Bound::new(obj.py(), view).ok()
}

/// Whether `obj` is a Variable to an argument ([`as_variable`]).
pub(crate) fn is_variable(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyVariable>()
        || obj
            .cast::<PyTensor>()
            .is_ok_and(|t| t.get().inner.requires_grad())
}

/// A Variable argument as PyO3 extracts one: a Variable, or a Tensor that
/// `requires_grad_()` made a leaf ([`as_variable`]).
pub(crate) struct VariableRef<'py>(pub(crate) Bound<'py, PyVariable>);

impl<'py> FromPyObject<'_, 'py> for VariableRef<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        match as_variable(&obj) {
            Some(v) => Ok(VariableRef(v)),
            None => Err(PyTypeError::new_err(format!(
                "expected a Variable, got {}",
                type_name(&obj)
            ))),
        }
    }
}

impl std::ops::Deref for VariableRef<'_> {
    type Target = PyVariable;
    fn deref(&self) -> &PyVariable {
        self.0.get()
    }
}

/// A Tensor, or None for anything else.
pub(crate) fn tensor_operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<TensorArg<'py>>> {
    Ok(plain_tensor(obj).map(|t| TensorArg(t.clone())))
}

/// A Variable, a Tensor as a constant Variable, or None for anything else.
pub(crate) fn variable_operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<VariableArg<'py>>> {
    if let Some(v) = as_variable(obj) {
        return Ok(Some(VariableArg::Tracked(v.clone())));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let constant = Variable::new(t.get().inner.clone(), false)?;
        return Ok(Some(VariableArg::Constant(constant)));
    }
    Ok(None)
}

impl<'py> FromPyObject<'_, 'py> for TensorArg<'py> {
    type Error = PyErr;
    /// A Tensor, or a Variable that requires no grad (as PyTorch takes any
    /// tensor for an index, a mask or a target): its data, shared. One that
    /// requires grad is refused, since its gradient would be lost.
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Some(t) = tensor_operand(&obj)? {
            return Ok(t);
        }
        if let Some(v) = as_variable(&obj) {
            let inner = &v.get().inner;
            if inner.requires_grad() && crate::is_grad_enabled() {
                return Err(PyTypeError::new_err(
                    "expected a Tensor, got a Variable that requires grad (no gradient flows \
                     through this argument: pass its .data or .detach())",
                ));
            }
            return Ok(TensorArg(Bound::new(
                obj.py(),
                PyTensor::from(inner.data()),
            )?));
        }
        Err(not_a_tensor(&obj, "a Tensor"))
    }
}

impl<'py> FromPyObject<'_, 'py> for VariableArg<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        variable_operand(&obj)?.ok_or_else(|| not_a_tensor(&obj, "a Variable or a Tensor"))
    }
}

impl CoreArg for TensorArg<'_> {
    type Core<'a>
        = &'a Tensor
    where
        Self: 'a;
    fn core(&self, _: &str, _: &str) -> PyResult<&Tensor> {
        Ok(self.get())
    }
}

impl CoreArg for VariableArg<'_> {
    type Core<'a>
        = &'a Variable
    where
        Self: 'a;
    fn core(&self, _: &str, _: &str) -> PyResult<&Variable> {
        Ok(self.get())
    }
    fn tracked(&self) -> bool {
        matches!(self, VariableArg::Tracked(_))
    }
}

/// An nn function's operand: a Variable or a Tensor, or what was passed
/// instead, kept so that the function raises the TypeError naming itself
/// and the argument (SPEC section 4), not PyO3's anonymous one.
pub(crate) struct NnOperand<'py>(Result<VariableArg<'py>, Bound<'py, PyAny>>);

impl<'py> FromPyObject<'_, 'py> for NnOperand<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(NnOperand(
            variable_operand(&obj)?.ok_or_else(|| obj.to_owned()),
        ))
    }
}

impl CoreArg for NnOperand<'_> {
    type Core<'a>
        = &'a Variable
    where
        Self: 'a;
    fn core(&self, op: &str, name: &str) -> PyResult<&Variable> {
        match &self.0 {
            Ok(v) => Ok(v.get()),
            Err(obj) if is_torch_tensor(obj) => Err(PyTypeError::new_err(format!(
                "{op}: {name} is a torch tensor, not a flodl Tensor; convert it with \
                 flodl.Tensor.from_torch(t)"
            ))),
            Err(obj) => Err(PyTypeError::new_err(format!(
                "{op}: {name} must be a Tensor or Variable, got {}",
                type_name(obj)
            ))),
        }
    }
    fn tracked(&self) -> bool {
        matches!(&self.0, Ok(VariableArg::Tracked(_)))
    }
}

// ----- windows and modes: checked when the op runs, to name op and argument -----

/// What was wrong with an argument PyO3 extracted, kept until the op can
/// raise it with its own name and the argument's.
pub(crate) enum Problem {
    /// A TypeError.
    Type(String),
    /// An ArgumentError.
    Value(String),
    /// Another kind of error (a device flodl lacks is a DeviceError).
    Of(ErrorKind, String),
}

impl Problem {
    pub(crate) fn raise(&self, op: &str, name: &str) -> PyErr {
        match self {
            Problem::Type(m) => PyTypeError::new_err(format!("{op}: {name} {m}")),
            Problem::Value(m) => {
                Error::new(ErrorKind::Argument, format!("{op}: {name} {m}")).into()
            }
            Problem::Of(kind, m) => Error::new(*kind, format!("{op}: {name} {m}")).into(),
        }
    }
}

/// `[i64; N]`: N ints, or one int standing for all N.
pub(crate) struct Ints<const N: usize>(Result<[i64; N], Problem>);

impl<const N: usize> From<i64> for Ints<N> {
    fn from(v: i64) -> Self {
        Ints(Ok([v; N]))
    }
}

impl<const N: usize> FromPyObject<'_, '_> for Ints<N> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match obj.extract::<i64>() {
            Ok(v) => return Ok(Ints::from(v)),
            Err(err) => {
                if let Some(problem) = overflowed(&obj, &err) {
                    return Ok(Ints(Err(problem)));
                }
            }
        }
        let values = match IntList::extract(obj)? {
            IntList(Ok(values)) => values,
            IntList(Err(Problem::Type(_))) => {
                let expected = format!("an int or a sequence of {N} ints");
                return Ok(Ints(Err(wrong_type(&expected, &obj))));
            }
            IntList(Err(problem)) => return Ok(Ints(Err(problem))),
        };
        let fixed = <[i64; N]>::try_from(values.as_slice()).map_err(|_| {
            let count = values.len();
            Problem::Value(format!("expects {N} ints, got {count} ({values:?})"))
        });
        Ok(Ints(fixed))
    }
}

impl<const N: usize> CoreArg for Ints<N> {
    type Core<'a> = [i64; N];
    fn core(&self, op: &str, name: &str) -> PyResult<[i64; N]> {
        self.0.as_ref().map(|v| *v).map_err(|p| p.raise(op, name))
    }
}

/// A mode enum, given in Python by its name (`grid_sample(mode="bilinear")`).
pub(crate) struct Choice<M>(Result<M, Problem>);

impl<M: Mode> From<&str> for Choice<M> {
    /// A default of the table (always one of the names).
    fn from(name: &str) -> Self {
        Choice(choose(name))
    }
}

fn choose<M: Mode>(text: &str) -> Result<M, Problem> {
    M::ALL
        .iter()
        .copied()
        .find(|m| m.name() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = M::ALL.iter().map(|m| m.name()).collect();
            Problem::Value(format!("must be one of {names:?}, got {text:?}"))
        })
}

impl<M: Mode> FromPyObject<'_, '_> for Choice<M> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let Ok(text) = obj.cast::<PyString>() else {
            let got = type_name(&obj);
            return Ok(Choice(Err(Problem::Type(format!(
                "must be a string, got {got}"
            )))));
        };
        Ok(Choice(choose(&text.to_cow()?)))
    }
}

impl<M: Mode> CoreArg for Choice<M> {
    type Core<'a> = M;
    fn core(&self, op: &str, name: &str) -> PyResult<M> {
        self.0.as_ref().map(|m| *m).map_err(|p| p.raise(op, name))
    }
}

/// A `memory_format=` argument as the core takes it (None: left out).
pub(crate) fn memory_format(
    op: &str,
    format: Option<Choice<crate::MemoryFormat>>,
) -> PyResult<Option<crate::MemoryFormat>> {
    format.map(|f| f.core(op, "memory_format")).transpose()
}

// ----- indexing -----

/// `x[key]`'s key as index items: ints, slices, None, `...`, Tensors,
/// lists of ints or bools, numpy arrays; a tuple of them.
pub(crate) fn index_items(key: &Bound<'_, PyAny>) -> PyResult<Vec<TensorIndex>> {
    if let Ok(items) = key.cast::<PyTuple>() {
        return items.iter().map(|item| index_item(&item)).collect();
    }
    match key.cast::<PyList>() {
        Ok(items) if list_is_a_tuple(items)? => {
            // A UserWarning, as PyTorch gives (which plans to stop doing this).
            crate::warnings::deliver(
                "index: a list holding a sequence, a Tensor, a slice or None is read as a tuple \
                 of indices, as PyTorch still reads it; write x[tuple(seq)] to say so",
                false,
            );
            items.iter().map(|item| index_item(&item)).collect()
        }
        _ => Ok(vec![index_item(key)?]),
    }
}

/// PyTorch's rule (numpy's old one) for a list key: shorter than 32 and
/// holding a sequence, a Tensor, a slice, None or `...`, it is a tuple of
/// indices (`x[[[0, 1], [1, 2]]]` is `x[[0, 1], [1, 2]]`); otherwise one
/// index array.
fn list_is_a_tuple(items: &Bound<'_, PyList>) -> PyResult<bool> {
    if items.len() >= 32 {
        return Ok(false);
    }
    let py = items.py();
    for item in items.iter() {
        let sequence = item.is_instance_of::<PyList>()
            || item.is_instance_of::<PyTuple>()
            || item.is_instance_of::<pyo3::types::PyRange>()
            || item.is_instance_of::<PyString>()
            || super::args::is_numpy_array(&item);
        if sequence
            || item.is_instance_of::<PyTensor>()
            || item.is_instance_of::<PySlice>()
            || item.is_none()
            || item.is(py.Ellipsis())
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn index_item(item: &Bound<'_, PyAny>) -> PyResult<TensorIndex> {
    let py = item.py();
    if item.is_none() {
        return Ok(TensorIndex::NewAxis);
    }
    if item.is(py.Ellipsis()) {
        return Ok(TensorIndex::Ellipsis);
    }
    if let Ok(slice) = item.cast::<PySlice>() {
        let bound = |name: &str| -> PyResult<Option<i64>> {
            let value = slice.getattr(name)?;
            if value.is_none() {
                Ok(None)
            } else {
                Int::extract(value.as_borrowed())?
                    .core("index", "slice")
                    .map(Some)
            }
        };
        let step = bound("step")?.unwrap_or(1);
        return Ok(TensorIndex::Slice {
            start: bound("start")?,
            end: bound("stop")?,
            step,
        });
    }
    let tensor = match (as_variable(item), plain_tensor(item)) {
        (Some(v), _) => Some(v.get().inner.data()),
        (_, Some(t)) => Some(t.get().inner.clone()),
        _ => None,
    };
    if let Some(tensor) = tensor {
        // A 0-d mask adds a dim, as `True` does (libtorch's index takes none).
        if tensor.dtype() == DType::Bool && tensor.ndim() == 0 {
            return Ok(TensorIndex::Bool(tensor.item()? != 0.0));
        }
        return Ok(TensorIndex::Tensor(tensor));
    }
    // Python's bools and numpy's before ints: a bool is an int to Python.
    if item.is_instance_of::<PyBool>() || item.get_type().name()? == "bool" {
        return Ok(TensorIndex::Bool(item.is_truthy()?));
    }
    if item.is_instance_of::<PyInt>() || is_numpy_integer(item) {
        return Ok(TensorIndex::Int(
            Int::extract(item.as_borrowed())?.core("index", "index")?,
        ));
    }
    // A tuple inside the key's tuple and a range are sequences, as in PyTorch
    // (`x[range(n), target]`, `x[(0, 1), :]`).
    let is_sequence = item.is_instance_of::<PyList>()
        || item.is_instance_of::<PyTuple>()
        || item.is_instance_of::<pyo3::types::PyRange>()
        || item.get_type().name()? == "ndarray";
    if is_sequence {
        // An empty list indexes nothing, in int64 (not float32's default).
        // A 0-d numpy array has no len: it is one index.
        let dtype = if item.len().is_ok_and(|n| n == 0) {
            Some("int64")
        } else {
            None
        };
        let tensor = py
            .import("flodl")?
            .getattr("tensor")?
            .call1((item, dtype))?;
        return Ok(TensorIndex::Tensor(
            tensor.cast::<PyTensor>()?.get().inner.clone(),
        ));
    }
    let got = type_name(item);
    Err(PyTypeError::new_err(format!(
        "index: an index is an int, a slice, None, ..., a Tensor or a list (tuple, range) of ints or bools, got {got}"
    )))
}

/// A numpy integer scalar (np.int64(1)), an index as a Python int is.
fn is_numpy_integer(item: &Bound<'_, PyAny>) -> bool {
    item.get_type().module().is_ok_and(|m| m == "numpy")
        && !super::args::is_numpy_array(item)
        && item
            .getattr("dtype")
            .and_then(|d| d.getattr("kind"))
            .and_then(|k| k.extract::<String>())
            .is_ok_and(|k| k == "i" || k == "u")
}

// ----- devices, dtypes, options -----

/// A device argument: `Device.CPU`, `Device.CUDA(i)`, `"cpu"`, `"cuda:0"`;
/// anything else is the op's error naming the argument.
pub(crate) struct DeviceArg(Result<Device, Problem>);

impl DeviceArg {
    pub(crate) fn of(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(d) = obj.cast::<PyDevice>() {
            return Ok(DeviceArg(Ok(d.get().0)));
        }
        let Ok(text) = obj.cast::<PyString>() else {
            let expected = "a Device or a string like \"cpu\" or \"cuda:0\"";
            return Ok(DeviceArg(Err(wrong_type(expected, obj))));
        };
        let text = text.to_cow()?;
        Ok(DeviceArg(text.parse::<Device>().map_err(|err| {
            if err.kind() == ErrorKind::Device {
                let why = format!("{text:?} is not one flodl has (it has cpu and cuda)");
                return Problem::Of(ErrorKind::Device, why);
            }
            Problem::Value(format!(
                "must be \"cpu\", \"cuda\" or \"cuda:N\", got {text:?}"
            ))
        })))
    }
}

impl FromPyObject<'_, '_> for DeviceArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        DeviceArg::of(&obj)
    }
}

/// `op`'s `device=`: as [`DeviceArg`] reads it; `None` is the CPU.
pub(crate) fn device_arg(op: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    match obj.filter(|o| !o.is_none()) {
        Some(obj) => DeviceArg::of(obj)?.core(op, "device"),
        None => Ok(Device::CPU),
    }
}

/// A dtype argument: `DType.Float32`, `"float32"`, `numpy.float32`,
/// `numpy.dtype("float32")`; anything else is the op's error naming the
/// argument.
pub(crate) struct DTypeArg(Result<DType, Problem>);

impl DTypeArg {
    pub(crate) fn of(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(d) = obj.extract::<DType>() {
            return Ok(DTypeArg(Ok(d)));
        }
        let name = match obj.cast::<PyString>() {
            Ok(text) => text.to_cow()?.into_owned(),
            // Anything numpy understands as a dtype.
            Err(_) => match obj.py().import("numpy")?.call_method1("dtype", (obj,)) {
                Ok(dt) => dt.getattr("name")?.extract::<String>()?,
                Err(_) => {
                    let expected = "a DType, a dtype name or a numpy dtype";
                    return Ok(DTypeArg(Err(wrong_type(expected, obj))));
                }
            },
        };
        Ok(DTypeArg(name.parse::<DType>().map_err(|_| {
            Problem::Value(format!(
                "must name a dtype (\"float32\", \"int64\", ...), got {name:?}"
            ))
        })))
    }
}

impl FromPyObject<'_, '_> for DTypeArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        DTypeArg::of(&obj)
    }
}

/// `op`'s `dtype=`, as [`DTypeArg`] reads it.
pub(crate) fn dtype_arg(op: &str, obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    DTypeArg::of(obj)?.core(op, "dtype")
}

/// Whether a creation function was given a dtype (by `options=` or
/// `dtype=`), or should choose PyTorch's default for its values.
pub(crate) fn dtype_given(
    options: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> bool {
    options.is_some_and(|o| !o.is_none()) || dtype.is_some_and(|d| !d.is_none())
}

/// The `dtype=` and `device=` of a creation function whose dtype is
/// `default` unless given (PyTorch's int64 indices, default-float windows).
pub(crate) fn options_or(
    op: &str,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    default: DType,
) -> PyResult<TensorOptions> {
    let mut opts = options_arg(op, None, dtype, device)?;
    if !dtype_given(None, dtype) {
        opts.dtype = default;
    }
    Ok(opts)
}

/// The `options=`, `dtype=` and `device=` arguments of creation functions:
/// a keyword may repeat what the options say, not contradict it.
pub(crate) fn options_arg(
    op: &str,
    options: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<TensorOptions> {
    let mut opts = match options.filter(|o| !o.is_none()) {
        Some(o) => {
            o.cast::<PyTensorOptions>()
                .map_err(|_| {
                    let got = type_name(o);
                    PyTypeError::new_err(format!(
                        "{op}: options must be a TensorOptions, got {got}"
                    ))
                })?
                .get()
                .0
        }
        None => TensorOptions::default(),
    };
    let given = options.is_some_and(|o| !o.is_none());
    if let Some(dtype) = dtype.filter(|o| !o.is_none()) {
        let dtype = dtype_arg(op, dtype)?;
        if given && dtype != opts.dtype {
            let message = format!(
                "{op}: options say dtype {}, the dtype= keyword {dtype}",
                opts.dtype
            );
            return Err(Error::new(ErrorKind::Argument, message).into());
        }
        opts.dtype = dtype;
    }
    if let Some(device) = device.filter(|o| !o.is_none()) {
        let device = device_arg(op, Some(device))?;
        if given && device != opts.device {
            let message = format!(
                "{op}: options say device {}, the device= keyword {device}",
                opts.device
            );
            return Err(Error::new(ErrorKind::Argument, message).into());
        }
        opts.device = device;
    }
    Ok(opts)
}

/// The value of `x[key] = value` as an operand of x's class: a number
/// (filled in x's dtype and device), a Tensor, or (for a Variable) a
/// Variable.
pub(crate) fn setitem_value<C: SetItemTarget>(x: &C, value: &Bound<'_, PyAny>) -> PyResult<C> {
    if let Some(number) = scalar(value) {
        let number = number.map_err(|p| p.raise("__setitem__", "value"))?;
        let options = crate::TensorOptions {
            dtype: x.dtype(),
            device: x.device(),
        };
        let filled = Tensor::full(&[], number, options)?;
        return C::from_tensor(filled);
    }
    if let Some(t) = plain_tensor(value) {
        return C::from_tensor(t.get().inner.clone());
    }
    if let Some(v) = as_variable(value) {
        return C::from_variable(&v.get().inner);
    }
    let got = type_name(value);
    Err(PyTypeError::new_err(format!(
        "__setitem__: the value is a number, a Tensor or a Variable, got {got}"
    )))
}

/// `index_put`'s `indices`: a tuple (or list) of Int64 or Bool tensors, None
/// standing for a whole dim, as the items of an index.
pub(crate) fn put_indices(
    op: &str,
    indices: &Bound<'_, PyAny>,
) -> PyResult<Vec<crate::TensorIndex>> {
    let not_a_tuple = || {
        PyTypeError::new_err(format!(
            "{op}: indices must be a tuple of tensors (None for a whole dim), got {}",
            type_name(indices)
        ))
    };
    if !(indices.is_instance_of::<pyo3::types::PyTuple>()
        || indices.is_instance_of::<pyo3::types::PyList>())
    {
        return Err(not_a_tuple());
    }
    let mut items = Vec::new();
    for item in indices.try_iter()? {
        let item = item?;
        if item.is_none() {
            items.push(crate::TensorIndex::Slice {
                start: None,
                end: None,
                step: 1,
            });
        } else if let Some(t) = plain_tensor(&item) {
            items.push(crate::TensorIndex::Tensor(t.get().inner.clone()));
        } else if let Some(v) = as_variable(&item) {
            items.push(crate::TensorIndex::Tensor(v.get().inner.data()));
        } else {
            return Err(not_a_tuple());
        }
    }
    Ok(items)
}

/// A class that `x[key] = value` can write into.
pub(crate) trait SetItemTarget: Sized {
    fn dtype(&self) -> crate::DType;
    fn device(&self) -> crate::Device;
    fn from_tensor(t: Tensor) -> PyResult<Self>;
    fn from_variable(v: &Variable) -> PyResult<Self>;
}

impl SetItemTarget for Tensor {
    fn dtype(&self) -> crate::DType {
        Tensor::dtype(self)
    }
    fn device(&self) -> crate::Device {
        Tensor::device(self)
    }
    fn from_tensor(t: Tensor) -> PyResult<Self> {
        Ok(t)
    }
    fn from_variable(v: &Variable) -> PyResult<Self> {
        values_for_tensor("__setitem__", v)?;
        Ok(v.data())
    }
}

impl SetItemTarget for Variable {
    fn dtype(&self) -> crate::DType {
        Variable::dtype(self)
    }
    fn device(&self) -> crate::Device {
        Variable::device(self)
    }
    fn from_tensor(t: Tensor) -> PyResult<Self> {
        Ok(Variable::new(t, false)?)
    }
    fn from_variable(v: &Variable) -> PyResult<Self> {
        Ok(v.clone())
    }
}
