//! No Rust panic reaches Python as PyO3's `PanicException` (a
//! `BaseException`, which `except Exception` does not catch): every binding
//! runs its body through [`run`], which turns a panic into a FlodlError
//! naming the binding. [`guarded!`] wraps each function of a `#[pymethods]`
//! block, so the methods read as usual; a `#[pyfunction]` calls [`run`].
//!
//! A panic the guard catches prints nothing (the panic hook stays quiet on
//! a guarded thread): its message goes into the error instead.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::PyResult;

use crate::{Error, ErrorKind};

thread_local! {
    /// Guarded calls running on this thread (nested when Python calls back
    /// into flodl from a hook).
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// What a guarded body returns: a `PyResult` takes the panic as its error;
/// plain values (getters that cannot fail) let it through unchanged.
pub(crate) trait Guarded: Sized {
    fn from_panic(op: &str, payload: Box<dyn std::any::Any + Send>) -> Self;
}

impl<T> Guarded for PyResult<T> {
    fn from_panic(op: &str, payload: Box<dyn std::any::Any + Send>) -> Self {
        Err(panic_error(op, payload).into())
    }
}

macro_rules! unguarded {
    ($($t:ty),*) => {$(
        impl Guarded for $t {
            fn from_panic(_: &str, payload: Box<dyn std::any::Any + Send>) -> Self {
                std::panic::resume_unwind(payload)
            }
        }
    )*};
}
unguarded!(bool, isize, String, Option<()>);

/// The error a caught panic becomes: the [`Error`] itself when flodl
/// panicked with one (`std::panic::panic_any`, where a value must be
/// returned that cannot be), else a FlodlError with the panic's message.
fn panic_error(op: &str, payload: Box<dyn std::any::Any + Send>) -> Error {
    let payload = match payload.downcast::<Error>() {
        Ok(err) => return *err,
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("an unexpected failure");
    Error::new(
        ErrorKind::Torch,
        format!("{op}: internal error: {message} (please report it)"),
    )
}

/// Runs `body`; a panic inside becomes the error of `op`.
pub(crate) fn run<R: Guarded>(op: &str, body: impl FnOnce() -> R) -> R {
    GUARDED.with(|g| g.set(g.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(body));
    GUARDED.with(|g| g.set(g.get() - 1));
    outcome.unwrap_or_else(|payload| R::from_panic(op, payload))
}

/// Installs (once) a panic hook that stays quiet while a guarded call runs
/// on the panicking thread and defers to the previous hook otherwise.
pub(crate) fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(|g| g.get()) == 0 {
                previous(info);
            }
        }));
    });
}

/// Wraps the body of every function in `impl T { ... }` (with its
/// attributes, e.g. `#[pymethods]`) in [`run`], named after the function.
/// A `#[pyfunction]` calls [`run`] itself.
macro_rules! guarded {
    (
        $(#[$im:meta])* impl $T:ident {
            $(
                $(#[$m:meta])*
                $vis:vis fn $name:ident $(<$($lt:lifetime),*>)? ($($params:tt)*) $(-> $ret:ty)? $body:block
            )*
        }
    ) => {
        $(#[$im])* impl $T {
            $(
                $(#[$m])*
                $vis fn $name $(<$($lt),*>)? ($($params)*) $(-> $ret)? {
                    $crate::python::guard::run(stringify!($name), move || $body)
                }
            )*
        }
    };
}

pub(crate) use guarded;
