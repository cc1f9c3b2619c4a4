//! How a declaration of the op catalogue becomes Rust: a method of
//! [`Tensor`](crate::Tensor) and [`Variable`](crate::Variable)
//! (`core_methods!`), or a free function generic over
//! [`Operand`](super::Operand) (`core_function!`). The Python bindings expand
//! the same declarations in `src/python/catalogue.rs`.
//!
//! A declaration reads
//!
//! ```text
//! /// Doc, one or more lines.
//! name(arg: Kind = default, ...) -> Ret [overloaded] => |x| libtorch_call;
//! ```
//!
//! - `Kind` is one of `Same` (an operand of the op's own class: `&Tensor` on
//!   Tensor, `&Variable` on Variable, `&T` in a generic nn function),
//!   `Tensor` (always a Tensor: an index, a mask), `Ints` (`&[i64]`), `I2`
//!   and `I3` (`[i64; 2]`, `[i64; 3]`), `Scalar` (`impl Into<Scalar>`: a
//!   number typed as Python's, for PyTorch's type promotion), `f64`, `i64`
//!   (also every dim), `bool`, a mode enum, or `Option<Kind>`.
//! - `= default` is the Python default (Rust has none), as one token:
//!   `0.01`, `false`, `None`, `"bilinear"`, `(-1)`.
//! - `-> Ret` is left out for `Same`, or is `Tensor`, `(Same, Tensor)` (values
//!   and indices), `(Same, Same)`, `(Same, Same, Same)`, `(Same, Same, Tensor, Tensor)` (a
//!   least-squares solution), `[Same]` (a list) or `()` (an in-place
//!   op: Rust returns nothing, Python returns `self`).
//! - `[overloaded]`: Python binds this name by hand, as an overload that
//!   also covers other Rust ops (`gelu(approximate=...)`); Rust is unchanged.
//! - `|x|` names `self`'s libtorch tensor (methods only); the call returns
//!   a `Result` whose error is tch's or the shim's. Each argument that is a
//!   tensor is named, with its shape, dtype and device, in the op's errors.

/// The Rust type of an argument kind; `$T` is the op's operand type.
macro_rules! core_arg {
    ($T:ty; Same) => { &$T };
    ($T:ty; Tensor) => { &$crate::Tensor };
    ($T:ty; Ints) => { &[i64] };
    ($T:ty; I2) => { [i64; 2] };
    ($T:ty; I3) => { [i64; 3] };
    ($T:ty; Scalar) => { impl Into<$crate::Scalar> };
    ($T:ty; Option<$k:ident>) => { Option<$crate::ops::core_arg!($T; $k)> };
    ($T:ty; $k:ident) => { $crate::ops::catalogue::kinds::$k };
}

/// How the docs write an argument kind's Rust type (what `core_arg!` makes
/// of it, `$same` standing for the operand type: `Self` or `T`).
#[cfg(feature = "python")] // for the op tables of docs/ops.md
macro_rules! core_arg_text {
    ($same:literal; Same) => { concat!("&", $same) };
    ($same:literal; Tensor) => { "&Tensor" };
    ($same:literal; Ints) => { "&[i64]" };
    ($same:literal; I2) => { "[i64; 2]" };
    ($same:literal; I3) => { "[i64; 3]" };
    ($same:literal; Scalar) => { "impl Into<Scalar>" };
    ($same:literal; Option<$k:ident>) => { concat!("Option<", $crate::ops::core_arg_text!($same; $k), ">") };
    ($same:literal; $k:ident) => { stringify!($k) };
}

/// What an argument adds to an op's error message: its libtorch tensor if
/// it is a tensor, so the message names its shape, dtype and device.
macro_rules! operand_of {
    ($arg:ident; Same) => {
        Some($crate::ops::Operand::raw($arg))
    };
    ($arg:ident; Tensor) => {
        Some($crate::ops::Operand::raw($arg))
    };
    ($arg:ident; Option<Same>) => {
        $arg.map($crate::ops::Operand::raw)
    };
    ($arg:ident; Option<Tensor>) => {
        $arg.map($crate::ops::Operand::raw)
    };
    ($arg:ident; $($other:tt)*) => {
        None
    };
}

/// The Rust type of a result kind.
macro_rules! core_ret {
    ($T:ty;) => { $T };
    ($T:ty; Tensor) => { $crate::Tensor };
    ($T:ty; [Same]) => { Vec<$T> };
    ($T:ty; (Same, Tensor)) => { ($T, $crate::Tensor) };
    ($T:ty; (Same, Same)) => { ($T, $T) };
    ($T:ty; (Same, Same, Same)) => { ($T, $T, $T) };
    ($T:ty; (Same, Same, Tensor, Tensor)) => { ($T, $T, $crate::Tensor, $crate::Tensor) };
    ($T:ty; ()) => { () };
}

/// How the docs write a result kind's Rust type (what `core_ret!` makes of it).
#[cfg(feature = "python")] // for the op tables of docs/ops.md
macro_rules! core_ret_text {
    ($same:literal;) => {
        $same
    };
    ($same:literal; Tensor) => {
        "Tensor"
    };
    ($same:literal; [Same]) => {
        concat!("Vec<", $same, ">")
    };
    ($same:literal; (Same, Tensor)) => {
        concat!("(", $same, ", Tensor)")
    };
    ($same:literal; (Same, Same)) => {
        concat!("(", $same, ", ", $same, ")")
    };
    ($same:literal; (Same, Same, Same)) => {
        concat!("(", $same, ", ", $same, ", ", $same, ")")
    };
    ($same:literal; (Same, Same, Tensor, Tensor)) => {
        concat!("(", $same, ", ", $same, ", Tensor, Tensor)")
    };
    ($same:literal; ()) => {
        "()"
    };
}

/// Expands a method table (`(Type) declarations...`) as methods of `Type`.
macro_rules! core_methods {
    (($T:ty) $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => |$x:ident| $body:expr;
    )*) => {
        impl $T {
            $($crate::ops::core_method! {
                $T; $(#[doc = $doc])* $name($($arg: $kind $(<$inner>)?),*) -> [$($ret)?] |$x| $body
            })*
        }
    };
}

/// One method of [`core_methods!`].
macro_rules! core_method {
    ($T:ty; $(#[doc = $doc:literal])* $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)?),*)
     -> [$($ret:tt)?] |$x:ident| $body:expr) => {
        $(#[doc = $doc])*
        #[allow(clippy::too_many_arguments)] // PyTorch's signature, argument for argument
        pub fn $name(&self $(, $arg: $crate::ops::core_arg!($T; $kind $(<$inner>)?))*)
            -> $crate::Result<$crate::ops::core_ret!($T; $($ret)?)>
        {
            #[allow(unused_imports)]
            use $crate::ops::Operand as _;
            let $x = self.raw();
            let operands = [Some($x) $(, $crate::ops::operand_of!($arg; $kind $(<$inner>)?))*];
            $crate::ops::run_opt(stringify!($name), &operands, || $body)
        }
    };
}

/// Expands an nn table (declarations without `|x|`) as free functions
/// generic over [`Operand`](crate::Operand).
macro_rules! core_function {
    (() $(
        $(#[doc = $doc:literal])*
        $name:ident($($arg:ident: $kind:ident $(<$inner:ident>)? $(= $default:tt)?),*)
        $(-> $ret:tt)? $([$mode:ident])? => $body:expr;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[allow(clippy::too_many_arguments)] // PyTorch's signature, argument for argument
            pub fn $name<T: $crate::Operand>(
                $($arg: $crate::ops::core_arg!(T; $kind $(<$inner>)?)),*
            )
                -> $crate::Result<$crate::ops::core_ret!(T; $($ret)?)>
            {
                #[allow(unused_imports)]
                use $crate::ops::Operand as _;
                let operands = [$($crate::ops::operand_of!($arg; $kind $(<$inner>)?)),*];
                $crate::ops::run_opt(stringify!($name), &operands, || $body)
            }
        )*
    };
}

pub(crate) use {core_arg, core_function, core_method, core_methods, core_ret, operand_of};
#[cfg(feature = "python")]
pub(crate) use {core_arg_text, core_ret_text};
