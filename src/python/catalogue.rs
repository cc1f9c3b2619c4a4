//! The op catalogue's Python bindings, expanded from the same declarations
//! as the Rust methods (`src/ops/catalogue.rs`, `src/ops/nn.rs`): each
//! method op becomes a method of `Tensor` and `Variable`, each nn op a
//! function of the module, with the table's defaults, its doc and a real
//! `__text_signature__` (so `help()` and `inspect.signature` show the
//! defaults). Ops marked `[overloaded]` are bound by hand (`overloads.rs`).
//! `catalogue()` exposes the declarations, from which `make stubs` writes
//! the stubs and the op table of the docs.

use pyo3::prelude::*;

use super::args::{Annotated, SameTensorArg, VariableArg};
use super::classes::PyTensor;
use super::classes::PyVariable;
use crate::ops::catalogue::{method_ops, tensor_ops};
use crate::ops::nn::nn_ops;

/// The Python type that extracts an argument kind; `$Arg` is the class's
/// operand type.
macro_rules! py_arg {
    ($Arg:ty; Same) => { $Arg };
    ($Arg:ty; Tensor) => { $crate::python::args::TensorArg<'_> };
    ($Arg:ty; Ints) => { $crate::python::args::IntList };
    ($Arg:ty; I2) => { $crate::python::args::Ints<2> };
    ($Arg:ty; I3) => { $crate::python::args::Ints<3> };
    ($Arg:ty; Option<$k:ident>) => { Option<$crate::python::catalogue::py_arg!($Arg; $k)> };
    ($Arg:ty; Scalar) => { $crate::python::args::ScalarArg };
    ($Arg:ty; f64) => { $crate::python::args::Float };
    ($Arg:ty; i64) => { $crate::python::args::Int };
    ($Arg:ty; bool) => { $crate::python::args::Bool };
    ($Arg:ty; $mode:ident) => {
        $crate::python::args::Choice<$crate::ops::catalogue::kinds::$mode>
    };
}

/// A table default as the Rust value PyO3 passes when the argument is left out.
macro_rules! py_default {
    (None) => {
        None
    };
    ($value:tt) => {
        ::core::convert::From::from($value)
    };
}

/// A table default as Python writes it, for `__text_signature__`.
macro_rules! py_text {
    (true) => {
        "True"
    };
    (false) => {
        "False"
    };
    ($value:tt) => {
        stringify!($value)
    };
}

/// `__text_signature__` of a binding, in the form CPython reads from the
/// doc: `name($self, a, b=1)\n--\n` (PyO3 adds one more newline).
macro_rules! text_signature {
    ($name:ident($($first:literal)?) $($arg:ident $(= $default:tt)?),*) => {
        concat!(
            stringify!($name), "(", $($first,)?
            $crate::python::catalogue::text_signature!(@args [$($first)?] $($arg $(= $default)?),*),
            ")\n--\n"
        )
    };
    (@args [] $first:ident $(= $d0:tt)? $(, $arg:ident $(= $default:tt)?)*) => {
        concat!(stringify!($first), $("=", $crate::python::catalogue::py_text!($d0),)?
                $(", ", stringify!($arg), $("=", $crate::python::catalogue::py_text!($default),)?)*)
    };
    (@args [] ) => { "" };
    (@args [$first:literal] $($arg:ident $(= $default:tt)?),*) => {
        concat!($(", ", stringify!($arg), $("=", $crate::python::catalogue::py_text!($default),)?)*)
    };
}

/// Expands a method table as methods of a class: `(PyClass, Core, Arg)`.
macro_rules! py_methods {
    (($Py:ident, $Core:ident, $Arg:ty, $operands:ident) $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => |$x:ident| $body:expr;
    )*) => {
        $($crate::python::catalogue::py_method! {
            [$($mode)?] $operands $Py, $Core, $Arg;
            $(#[doc = $doc])* $name($($arg: $kind $(<$inner>)? $(= $default)?),*) -> [$($ret)?]
        })*
    };
}

/// One method of [`py_methods!`], in its own `#[pymethods]` block. With
/// `mixed` operands (Tensor's methods), a Variable operand makes the call
/// run as the Variable method; `single` classes take their own operands.
macro_rules! py_method {
    ([overloaded] $($hand_written:tt)*) => {};
    // In place: the operands are of self's own class (a Tensor's values
    // cannot take a graph), and the result is self.
    ([] $operands:ident $Py:ident, $Core:ident, $Arg:ty;
     $(#[doc = $doc:literal])*
     $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
     -> [()]) => {
        py_method!(@bind $Py; [$(#[doc = $doc])*] $name($($arg $(= $default)?),*);
            #[allow(clippy::too_many_arguments)] // PyTorch's signature, and the aliases
            fn $name<'py>(
                slf: PyRef<'py, Self>
                $(, $arg: py_arg!($Arg; $kind $(<$inner>)?))*,
                aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
            ) -> PyResult<PyRef<'py, Self>>
            {
                #[allow(unused_imports)]
                use $crate::python::args::CoreArg as _;
                $crate::python::args::only_aliases(stringify!($name), aliases, &[$(stringify!($arg)),*])?;
                $(let $arg = $crate::python::catalogue::numpy_alias!($arg, $arg, aliases);)*
                py_method!(@join $operands slf, $name($($arg: $kind),*));
                slf.inner.$name($($arg.core(stringify!($name), stringify!($arg))?),*)?;
                Ok(slf)
            }
        );
    };
    ([] $operands:ident $Py:ident, $Core:ident, $Arg:ty;
     $(#[doc = $doc:literal])*
     $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
     -> [$($ret:tt)?]) => {
        py_method!(@bind $Py; [$(#[doc = $doc])*] $name($($arg $(= $default)?),*);
            #[allow(clippy::too_many_arguments)] // PyTorch's signature, and the aliases
            fn $name<'py>(
                &self,
                py: Python<'py>
                $(, $arg: py_arg!($Arg; $kind $(<$inner>)?))*,
                aliases: Option<&Bound<'py, pyo3::types::PyDict>>,
            ) -> PyResult<Py<PyAny>>
            {
                #[allow(unused_imports)]
                use $crate::python::args::CoreArg as _;
                $crate::python::args::only_aliases(stringify!($name), aliases, &[$(stringify!($arg)),*])?;
                $(let $arg = $crate::python::catalogue::numpy_alias!($arg, $arg, aliases);)*
                py_method!(@promote $operands self, py, $name($($arg: $kind),*));
                let result = self.inner.$name($($arg.core(stringify!($name), stringify!($arg))?),*)?;
                let result = $crate::python::results::new_object(py, result)?;
                $crate::python::results::named(py, stringify!($name), result)
            }
        );
    };
    // A method in its own `#[pymethods]` block, with its text signature and
    // Python defaults.
    (@bind $Py:ident; [$($doc:tt)*] $name:ident($($arg:ident $(= $default:tt)?),*); $($method:tt)*) => {
        crate::python::guard::guarded! {
        #[pyo3::pymethods]
        impl $Py {
            #[doc = text_signature!($name("$self") $($arg $(= $default)?),*)]
            $($doc)*
            #[pyo3(
                signature = ($($arg $(= py_default!($default))?,)* **aliases),
                text_signature = None
            )]
            $($method)*
        }
        }
    };
    // A Tensor written in place from an operand that records a graph joins
    // it (as PyTorch's `agg.index_add_(0, i, h)`): the op runs on a Variable
    // handle on the Tensor's own values.
    (@join single $($unused:tt)*) => {};
    (@join mixed $slf:ident, $name:ident($($arg:ident: $kind:ident),*)) => {
        if false $(|| py_method!(@records $arg: $kind))* {
            let op = stringify!($name);
            return $crate::python::tensor::join_graph(op, $slf, |view| {
                $(let $arg = variable_form!($arg; $kind);)*
                Ok(view.$name($($arg.core(op, stringify!($arg))?),*)?)
            });
        }
    };
    (@records $arg:ident: Same) => { $arg.records_into() };
    (@records $arg:ident: $kind:ident) => { false };
    (@promote single $($unused:tt)*) => {};
    (@promote mixed $this:ident, $py:ident, $name:ident($($arg:ident: $kind:ident),*)) => {
        if false $(|| $arg.needs_variable())* {
            let variable = $crate::python::operators::Class::to_variable(&$this.inner)?;
            $(let $arg = variable_form!($arg; $kind);)*
            let result = variable.$name($($arg.core(stringify!($name), stringify!($arg))?),*)?;
            return $crate::python::results::new_object($py, result);
        }
    };
}

/// An argument under its numpy name when a binding's `aliases` (its
/// unnamed keywords) hold it: `axis` for `dim`, `keepdims` for `keepdim`.
macro_rules! numpy_alias {
    (dim, $value:ident, $aliases:ident) => {
        $crate::python::args::aliased($value, $aliases, "axis")?
    };
    (keepdim, $value:ident, $aliases:ident) => {
        $crate::python::args::aliased($value, $aliases, "keepdims")?
    };
    ($other:ident, $value:ident, $aliases:ident) => {
        $value
    };
}

/// An argument of a Tensor method as the Variable method takes it.
macro_rules! variable_form {
    ($arg:ident; Same) => {
        $arg.into_variable()?
    };
    ($arg:ident; $($other:tt)*) => {
        $arg
    };
}

/// Expands the nn table as module functions, and `register` adding them.
/// Operands may be Variables or Tensors; the result is a Variable when any
/// operand is one, else a Tensor. They run with the GIL released.
macro_rules! py_functions {
    (() $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => $body:expr;
    )*) => {
        /// The nn functions, one `#[pyfunction]` each.
        pub(crate) mod nn_functions {
            use pyo3::prelude::*;

            use crate::python::args::{CoreArg as _, NnOperand};
            use crate::python::gil::without_gil;
            use crate::python::results::NnResult as _;
            use crate::Variable;
            $(
                #[doc = text_signature!($name() $($arg $(= $default)?),*)]
                $(#[doc = $doc])*
                #[pyfunction]
                #[pyo3(
                    signature = ($($arg $(= py_default!($default))?),*),
                    text_signature = None
                )]
                #[allow(clippy::too_many_arguments)] // PyTorch's signature
                pub(crate) fn $name(
                    py: Python<'_>
                    $(, $arg: py_arg!(NnOperand<'_>; $kind $(<$inner>)?))*
                ) -> PyResult<Py<PyAny>> {
                    crate::python::guard::run(stringify!($name), move || {
                        let tracked = false $(|| $arg.tracked())*;
                        $(let $arg = $arg.core(stringify!($name), stringify!($arg))?;)*
                        let result = without_gil(py, || crate::$name::<Variable>($($arg),*));
                        result?.into_python(py, tracked)
                    })
                }
            )*

            /// Adds every nn function to the module.
            pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
                $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
                Ok(())
            }
        }
    };
}

/// What `make stubs` needs of a declaration.
struct Row {
    /// "method", "tensor" or "nn".
    table: &'static str,
    name: &'static str,
    args: &'static [Arg],
    /// The result's annotation in the stubs.
    result: &'static str,
    /// The result's type in the Rust signature of docs/ops.md.
    rust_result: &'static str,
    /// Bound by hand as an overload.
    overloaded: bool,
    doc: &'static str,
}

/// An argument of a declaration: its name, its annotation in the stubs (from
/// the type that parses it) and its type in Rust's signature.
struct Arg {
    name: &'static str,
    annotation: fn() -> String,
    rust: &'static str,
}

/// A [`Row`] as Python receives it.
type CatalogueRow = (
    &'static str,
    &'static str,
    Vec<(&'static str, String, &'static str)>,
    &'static str,
    &'static str,
    bool,
    &'static str,
);

/// The operand of the methods in the stubs: their generic class
/// `_Ops[_Self, _Operand]` stands for Tensor and Variable (whose bindings
/// parse it with different types).
struct MethodOperand;

impl Annotated for MethodOperand {
    fn annotation() -> String {
        "_Operand".to_string()
    }
}

/// A result kind as the stubs annotate it; `$same` is the table's own
/// result (`_Self` for the methods of both classes).
macro_rules! py_result {
    ($same:literal;) => {
        $same
    };
    ($same:literal; Tensor) => {
        "Tensor"
    };
    ($same:literal; [Same]) => {
        concat!("tuple[", $same, ", ...]")
    };
    ($same:literal; (Same, Tensor)) => {
        concat!("tuple[", $same, ", Tensor]")
    };
    ($same:literal; (Same, Same)) => {
        concat!("tuple[", $same, ", ", $same, "]")
    };
    ($same:literal; (Same, Same, Same)) => {
        concat!("tuple[", $same, ", ", $same, ", ", $same, "]")
    };
    ($same:literal; (Same, Same, Tensor, Tensor)) => {
        concat!("tuple[", $same, ", ", $same, ", Tensor, Tensor]")
    };
    ($same:literal; ()) => {
        "_Self"
    };
}

/// Expands a table as rows of [`catalogue`] (method tables first: their
/// bodies start with `|x|`; then the nn table). `$Same` stands for the
/// table's operand, `$same_ret` and `$rust_same` name its result in the
/// stubs and in the docs' Rust signatures.
macro_rules! py_rows {
    (($table:literal, $Same:ty, $same_ret:literal, $rust_same:literal) $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => |$x:ident| $body:expr;
    )*) => {
        &[$(py_rows!(@row ($table, $Same, $same_ret, $rust_same), $name,
                      [$($arg: $kind $(<$inner>)?),*], [$($ret)?], [$($mode)?], [$($doc)*])),*]
    };
    (($table:literal, $Same:ty, $same_ret:literal, $rust_same:literal) $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => $body:expr;
    )*) => {
        &[$(py_rows!(@row ($table, $Same, $same_ret, $rust_same), $name,
                      [$($arg: $kind $(<$inner>)?),*], [$($ret)?], [$($mode)?], [$($doc)*])),*]
    };
    (@row ($table:literal, $Same:ty, $same_ret:literal, $rust_same:literal), $name:ident,
     [$($arg:ident: $kind:ident $(<$inner:ident>)?),*],
     [$($ret:tt)?], [$($mode:ident)?], [$($doc:literal)*]) => {
        Row {
            table: $table,
            name: stringify!($name),
            args: &[$(Arg {
                name: stringify!($arg),
                annotation: <py_arg!($Same; $kind $(<$inner>)?) as Annotated>::annotation,
                rust: $crate::ops::core_arg_text!($rust_same; $kind $(<$inner>)?),
            }),*],
            result: py_result!($same_ret; $($ret)?),
            rust_result: $crate::ops::core_ret_text!($rust_same; $($ret)?),
            overloaded: py_rows!(@overloaded $($mode)?),
            doc: concat!($($doc, "\n"),*),
        }
    };
    (@overloaded overloaded) => { true };
    (@overloaded) => { false };
}

const METHOD_ROWS: &[Row] = method_ops!(py_rows("method", MethodOperand, "_Self", "Self"));
const TENSOR_ROWS: &[Row] =
    tensor_ops!(py_rows("tensor", super::args::TensorArg<'static>, "Tensor", "Self"));
const NN_ROWS: &[Row] = nn_ops!(py_rows("nn", super::args::NnOperand<'static>, "NnResult", "T"));

/// The op declarations as `(table, name, [(argument, annotation, Rust
/// type)], result annotation, Rust result, overloaded, doc)` tuples: the
/// input of `make stubs`, which writes them as they are.
#[pyfunction(name = "_catalogue")]
pub(crate) fn catalogue() -> Vec<CatalogueRow> {
    let rows = [METHOD_ROWS, TENSOR_ROWS, NN_ROWS].into_iter().flatten();
    rows.map(|r| {
        let args = r.args.iter();
        let args = args.map(|a| (a.name, (a.annotation)(), a.rust)).collect();
        (
            r.table,
            r.name,
            args,
            r.result,
            r.rust_result,
            r.overloaded,
            r.doc,
        )
    })
    .collect()
}

/// Each mode kind of the tables and its names, for the stubs.
#[pyfunction(name = "_modes")]
pub(crate) fn modes() -> Vec<(&'static str, Vec<&'static str>)> {
    use crate::ops::nn::Mode;
    fn names<M: Mode>() -> Vec<&'static str> {
        M::ALL.iter().map(|m| m.name()).collect()
    }
    macro_rules! listed {
        ($($mode:ident),*) => {
            vec![$((stringify!($mode), names::<crate::ops::catalogue::kinds::$mode>())),*]
        };
    }
    crate::ops::catalogue::mode_kinds!(listed)
}

method_ops!(py_methods(PyTensor, Tensor, SameTensorArg<'_>, mixed));
method_ops!(py_methods(PyVariable, Variable, VariableArg<'_>, single));
// The Tensor-only ops take no operand of their own class.
tensor_ops!(py_methods(PyTensor, Tensor, SameTensorArg<'_>, single));
nn_ops!(py_functions());

pub(crate) use {numpy_alias, py_arg, py_method, py_text, text_signature};
