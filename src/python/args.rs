//! Python arguments of the op catalogue, by the rules of SPEC §3: each type
//! here is extracted by PyO3 and then lent to the core as the Rust type of
//! the signature (`CoreArg::core`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::tensor::PyTensor;
use super::variable::PyVariable;
use crate::{Error, Tensor, Variable};

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
copy_args!(f64, i64, i32, bool);

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

impl<T: Copy + 'static> CoreArg for Vec<T> {
    type Core<'a> = &'a [T];
    fn core(&self, _: &str, _: &str) -> PyResult<&[T]> {
        Ok(self)
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A Tensor operand (of a Tensor op, or an index or mask of any op).
pub(crate) struct TensorArg<'py>(pub(crate) Bound<'py, PyTensor>);

impl TensorArg<'_> {
    pub(crate) fn get(&self) -> &Tensor {
        &self.0.get().inner
    }
}

impl<'py> FromPyObject<'_, 'py> for TensorArg<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        tensor_operand(&obj)?.ok_or_else(|| {
            PyTypeError::new_err(format!("expected a Tensor, got {}", type_name(&obj)))
        })
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

/// The operand of a Variable op: a Variable, or a Tensor taken as a
/// constant (a leaf that needs no grad).
pub(crate) enum VariableArg<'py> {
    Tracked(Bound<'py, PyVariable>),
    Constant(Variable),
}

impl VariableArg<'_> {
    pub(crate) fn get(&self) -> &Variable {
        match self {
            VariableArg::Tracked(v) => &v.get().inner,
            VariableArg::Constant(v) => v,
        }
    }
}

/// A Variable, a Tensor as a constant Variable, or None for anything else.
pub(crate) fn variable_operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<VariableArg<'py>>> {
    if let Ok(v) = obj.cast::<PyVariable>() {
        return Ok(Some(VariableArg::Tracked(v.clone())));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let constant = Variable::new(t.get().inner.clone(), false)?;
        return Ok(Some(VariableArg::Constant(constant)));
    }
    Ok(None)
}

/// A Tensor, or None for anything else.
pub(crate) fn tensor_operand<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<TensorArg<'py>>> {
    Ok(obj.cast::<PyTensor>().ok().map(|t| TensorArg(t.clone())))
}

impl<'py> FromPyObject<'_, 'py> for VariableArg<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        variable_operand(&obj)?.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "expected a Variable or a Tensor, got {}",
                type_name(&obj)
            ))
        })
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

/// What was wrong with an argument PyO3 extracted, kept until the op can
/// raise it with its own name and the argument's.
pub(crate) enum Problem {
    Type(String),
    Value(String),
}

impl Problem {
    fn raise(&self, op: &str, name: &str) -> PyErr {
        match self {
            Problem::Type(m) => PyTypeError::new_err(format!("{op}: {name} {m}")),
            Problem::Value(m) => Error::new(ErrorKind::Argument, format!("{op}: {name} {m}")).into(),
        }
    }
}

/// `[i64; N]`: N ints, or one int standing for all N (SPEC §3).
pub(crate) struct Ints<const N: usize>(Result<[i64; N], Problem>);

impl<const N: usize> Ints<N> {
    pub(crate) const fn splat(v: i64) -> Self {
        Ints(Ok([v; N]))
    }
}

impl<const N: usize> FromPyObject<'_, '_> for Ints<N> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(Ints::splat(v));
        }
        let Ok(values) = obj.extract::<Vec<i64>>() else {
            let got = type_name(&obj);
            let problem = format!("expects an int or a sequence of {N} ints, got {got}");
            return Ok(Ints(Err(Problem::Type(problem))));
        };
        Ok(Ints(<[i64; N]>::try_from(values.as_slice()).map_err(
            |_| {
                Problem::Value(format!(
                    "expects {N} ints, got {} ({values:?})",
                    values.len()
                ))
            },
        )))
    }
}

impl<const N: usize> CoreArg for Ints<N> {
    type Core<'a> = [i64; N];
    fn core(&self, op: &str, name: &str) -> PyResult<[i64; N]> {
        self.0.as_ref().map(|v| *v).map_err(|p| p.raise(op, name))
    }
}

/// A string argument standing for an integer code of the core, as in
/// `grid_sample(mode="bilinear")`: the code is its index in `$names`.
macro_rules! choice_arg {
    ($(#[$doc:meta])* $name:ident: $code:ty, $names:expr) => {
        $(#[$doc])*
        pub(crate) struct $name(pub Result<$code, Problem>);

        impl FromPyObject<'_, '_> for $name {
            type Error = PyErr;
            fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
                Ok($name(choice(&obj, $names).map(|i| i as $code)))
            }
        }

        impl CoreArg for $name {
            type Core<'a> = $code;
            fn core(&self, op: &str, name: &str) -> PyResult<$code> {
                self.0.as_ref().map(|c| *c).map_err(|p| p.raise(op, name))
            }
        }
    };
}

fn choice(obj: &Bound<'_, PyAny>, names: &[&str]) -> Result<usize, Problem> {
    let Ok(text) = obj.cast::<PyString>() else {
        return Err(Problem::Type(format!(
            "must be a string, got {}",
            type_name(obj)
        )));
    };
    let text = text.to_cow().map_err(|e| Problem::Value(e.to_string()))?;
    names
        .iter()
        .position(|n| *n == text)
        .ok_or_else(|| Problem::Value(format!("must be one of {names:?}, got {text:?}")))
}

choice_arg!(/// `grid_sample`'s `mode`.
    GridSampleMode: i32, crate::GRID_SAMPLE_MODES);
choice_arg!(/// `grid_sample`'s `padding_mode`.
    GridSamplePadding: i32, crate::GRID_SAMPLE_PADDING_MODES);
choice_arg!(/// `embedding_bag`'s `mode`.
    EmbeddingBagMode: i64, crate::EMBEDDING_BAG_MODES);

// Results: core values become their Python classes.

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
        Bound::new(py, PyVariable::from(self))
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

/// Runs `f` with the GIL released, for work long enough that other Python
/// threads should run meanwhile (backward, the nn functions). `f` may borrow
/// tensors owned by Python objects of the caller's frame.
pub(crate) fn without_gil<T: Send>(py: Python<'_>, f: impl FnOnce() -> T) -> T {
    struct AssertSend<F>(F);
    // SAFETY: this thread blocks inside `detach` until `f` returns, so its
    // borrows outlive the call. Other Python threads may reach the same
    // tensors meanwhile, exactly as with PyTorch, which releases the GIL in
    // every op; libtorch guards its own shared state (refcounts, autograd).
    unsafe impl<F> Send for AssertSend<F> {}
    impl<F> AssertSend<F> {
        fn call<T>(self) -> T
        where
            F: FnOnce() -> T,
        {
            (self.0)()
        }
    }
    let f = AssertSend(f);
    py.detach(move || f.call())
}
