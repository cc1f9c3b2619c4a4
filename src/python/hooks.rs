//! Python gradient hooks: a Python callable as a Rust hook, the handle that
//! removes it, and the way an exception raised in a hook comes back out of
//! `backward()` unchanged (libtorch's engine only carries messages, so the
//! exception waits here under a number its message names).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;

use crate::autograd::HookHandle;
use crate::{Error, ErrorKind, Tensor};

const MARKER: &str = "a Python callback raised an exception (#";

static PENDING: Mutex<Option<HashMap<u64, PyErr>>> = Mutex::new(None);
static NEXT: AtomicU64 = AtomicU64::new(0);

/// The Rust error standing for a Python exception raised inside libtorch's
/// engine; [`restore`] gives the exception back.
pub(crate) fn carried(err: PyErr) -> Error {
    Error::new(ErrorKind::Autograd, format!("{MARKER}{})", stash(err)))
}

fn stash(err: PyErr) -> u64 {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut pending = PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pending.get_or_insert_with(HashMap::new).insert(id, err);
    id
}

/// The error of a call that ran hooks: the hook's own exception if one
/// raised, else the flodl error.
pub(crate) fn restore(err: Error) -> PyErr {
    let id = err
        .message()
        .split(MARKER)
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse::<u64>().ok());
    let stashed = id.and_then(|id| {
        let mut pending = PENDING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pending.as_mut().and_then(|p| p.remove(&id))
    });
    stashed.unwrap_or_else(|| err.into())
}

/// `callable(grad)` as a Rust hook: None keeps the gradient, a Tensor (or a
/// Variable's data) replaces it. It runs on the thread running backward,
/// which released the GIL: it takes the GIL for the call.
pub(crate) fn python_hook(
    callable: Py<PyAny>,
) -> impl Fn(&Tensor) -> crate::Result<Option<Tensor>> + Send + Sync + 'static {
    move |grad: &Tensor| {
        Python::attach(|py| match callable.call1(py, (grad.clone(),)) {
            Ok(result) if result.is_none(py) => Ok(None),
            Ok(result) => {
                let result = result.bind(py);
                if let Some(t) = super::args::plain_tensor(result) {
                    return Ok(Some(t.get().inner.clone()));
                }
                if let Some(v) = crate::python::args::as_variable(result) {
                    return Ok(Some(v.get().inner.data()));
                }
                let got = super::args::type_name(result);
                Err(Error::new(
                    ErrorKind::Autograd,
                    format!("register_hook: a hook returns a Tensor or None, got {got}"),
                ))
            }
            Err(err) => Err(carried(err)),
        })
    }
}

/// `callable(leaf)` as a Rust post-accumulate-grad hook (its result is
/// ignored, as in PyTorch); it takes the GIL for the call.
/// `owner` is a weak reference to the Python object the hook was registered
/// on: the hook gets that very object while it lives (as PyTorch passes the
/// parameter itself), without keeping it alive (the tensor holds the hook).
pub(crate) fn python_post_accumulate_hook(
    callable: Py<PyAny>,
    owner: Py<pyo3::types::PyWeakrefReference>,
) -> impl Fn(&crate::Variable) -> crate::Result<()> + Send + Sync + 'static {
    use pyo3::types::PyWeakrefMethods as _;
    move |leaf: &crate::Variable| {
        Python::attach(|py| {
            let called = match owner.bind(py).upgrade() {
                Some(object) => callable.call1(py, (object,)),
                None => callable.call1(py, (leaf.clone(),)),
            };
            called.map(drop).map_err(carried)
        })
    }
}

/// What `register_hook` returns: `remove()` unregisters the hook.
#[pyclass(name = "RemovableHandle", module = "flodl", frozen)]
pub struct PyHookHandle {
    handle: Mutex<Option<HookHandle>>,
}

impl From<HookHandle> for PyHookHandle {
    fn from(handle: HookHandle) -> Self {
        PyHookHandle {
            handle: Mutex::new(Some(handle)),
        }
    }
}

crate::python::guard::guarded! {

#[pymethods]
impl PyHookHandle {
    /// Unregisters the hook (a second call does nothing).
    fn remove(&self) -> PyResult<()> {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(handle) = handle {
            handle.remove()?;
        }
        Ok(())
    }
}

}
