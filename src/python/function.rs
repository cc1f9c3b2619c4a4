//! `flodl.autograd.Function`'s core: the outputs of a Python forward joined
//! to libtorch's graph by one node whose backward calls back into Python
//! (taking the GIL on whichever thread libtorch's engine runs it).

use pyo3::prelude::*;

use super::args::{PyOperand as _, VariableArg};
use crate::autograd::attach;
use crate::autograd::function::OutputKind;
use crate::ops::Operand as _;
use crate::{Error, ErrorKind, Tensor, Variable};

/// Joins `outputs` (made under no_grad) to the graph of `inputs` by a node
/// named `name`: `backward(grads)` gets one Variable or None per output and
/// returns one Tensor, Variable or None per input (with `materialize`,
/// zeros stand for an output that got no gradient); `release()` runs when a
/// backward without retain_graph is done with the node. `kinds`, one per
/// output: 0 no gradient, 1 differentiable, 2 an input forward changed in
/// place, which takes the node as its history (PyTorch's `mark_dirty`).
#[pyfunction(name = "_function_apply")]
pub(crate) fn function_apply(
    name: &str,
    inputs: Vec<super::args::VariableRef<'_>>,
    outputs: Vec<VariableArg<'_>>,
    kinds: Vec<u8>,
    materialize: bool,
    backward: Py<PyAny>,
    release: Py<PyAny>,
) -> PyResult<Vec<Variable>> {
    crate::python::guard::run("function_apply", move || {
        let kinds: Vec<OutputKind> = (kinds.iter())
            .map(|k| match k {
                0 => Ok(OutputKind::Constant),
                1 => Ok(OutputKind::Differentiable),
                2 => Ok(OutputKind::Dirty),
                _ => Err(Error::new(
                    ErrorKind::Argument,
                    format!("{name}: an output kind is 0, 1 or 2, got {k}"),
                )),
            })
            .collect::<crate::Result<_>>()?;
        if kinds.len() != outputs.len() {
            return Err(
                Error::new(ErrorKind::Argument, format!("{name}: one kind per output")).into(),
            );
        }
        let inputs: Vec<&Variable> = inputs.iter().map(|v| &v.inner).collect();
        let values: Vec<Tensor> = outputs.iter().map(|o| o.get().data()).collect();
        let values: Vec<&Tensor> = values.iter().collect();
        let label = name.to_string();
        let (backward, release) = (Callback(backward), Callback(release));
        let call = move |grads: &[Option<Tensor>]| {
            let backward = backward.get();
            Python::attach(|py| {
                // Variables with their history, so a backward under
                // create_graph is recorded.
                let grads: Vec<Option<Variable>> = grads
                    .iter()
                    .map(|g| {
                        g.as_ref()
                            .map(|g| Variable::from_raw(g.raw().shallow_clone()))
                    })
                    .collect();
                let result = backward
                    .call1(py, (grads,))
                    .map_err(super::hooks::carried)?;
                let items: Vec<Bound<'_, PyAny>> = result.bind(py).extract().map_err(|_| {
                    Error::new(
                        ErrorKind::Autograd,
                        format!("{label}: backward returns a sequence of gradients"),
                    )
                })?;
                items.iter().map(|item| gradient_of(&label, item)).collect()
            })
        };
        // libtorch may free the node's values while an exception is being
        // raised (a failed backward, then the output's dealloc): the call must
        // leave that exception in place.
        let free = move || {
            Python::attach(|py| {
                keeping_raised_exception(py, || {
                    if let Err(err) = release.get().call0(py) {
                        err.write_unraisable(py, None);
                    }
                })
            })
        };
        Ok(attach(
            name,
            &inputs,
            &values,
            &kinds,
            materialize,
            call,
            Box::new(free),
        )?)
    })
}

/// One gradient returned by a Python backward: None, a Tensor, or a Variable
/// (kept with its history).
fn gradient_of(name: &str, item: &Bound<'_, PyAny>) -> crate::Result<Option<Tensor>> {
    if item.is_none() {
        return Ok(None);
    }
    if let Some(t) = super::args::plain_tensor(item) {
        return Ok(Some(t.get().inner.clone()));
    }
    if let Some(v) = crate::python::args::as_variable(item) {
        return Ok(Some(Tensor::from_raw(v.get().inner.raw().shallow_clone())));
    }
    Err(Error::new(
        ErrorKind::Autograd,
        format!(
            "{name}: backward returned a {} where a gradient (a Tensor, Variable or None) goes",
            super::args::type_name(item)
        ),
    ))
}

/// A Python callable held by a node. The node may be freed while an
/// exception is being raised (a failed backward frees the graph of a
/// temporary output), and freeing the callable's objects then must leave
/// that exception in place.
struct Callback(Py<PyAny>);

impl Callback {
    fn get(&self) -> &Py<PyAny> {
        &self.0
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        // The same: freeing the callable's objects must not disturb an
        // exception being raised. (None takes its place; dropping that
        // touches nothing else.)
        Python::attach(|py| {
            keeping_raised_exception(py, || drop(std::mem::replace(&mut self.0, py.None())))
        });
    }
}

/// Runs `f` with the exception being raised (if any) set aside and put back
/// after, untouched. Raw C calls: PyO3's `PyErr::take` would resume a
/// pending panic here, inside a callback from C++, and abort.
fn keeping_raised_exception(_py: Python<'_>, f: impl FnOnce()) {
    let (mut kind, mut value, mut traceback) = (
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        std::ptr::null_mut(),
    );
    // SAFETY: the thread is attached (`_py`); Fetch moves the error
    // indicator's three references into the locals and Restore moves them
    // back (nulls for none).
    unsafe { pyo3::ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback) };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    // SAFETY: as above.
    unsafe { pyo3::ffi::PyErr_Restore(kind, value, traceback) };
    if outcome.is_err() {
        // Nothing to report to: the callback runs inside libtorch's
        // destructor. The values were freed or leaked; going on is safe.
        log::warn!("flodl: a custom function's callback panicked while being freed");
    }
}

/// `flodl.utils.checkpoint.checkpoint` on `flodl::autograd::checkpoint_with`:
/// `run(variables)` calls the user's function with `variables` in its
/// tensor arguments' places and returns the list of the Variables among its
/// outputs (the Python side keeps PyTorch's argument and output packing).
/// The node's outputs come back, one per Variable `run` returned.
#[pyfunction(name = "_checkpoint")]
pub(crate) fn checkpoint(
    py: Python<'_>,
    run: Py<PyAny>,
    inputs: Vec<super::args::VariableRef<'_>>,
    preserve_rng_state: bool,
) -> PyResult<Vec<Variable>> {
    let inputs: Vec<Variable> = inputs.iter().map(|v| v.inner.clone()).collect();
    let run = Callback(run);
    // What `run` last returned, alive until its next call: a custom
    // Function's saved output keeps its graph only while its Python object
    // lives, and the recomputation's backward runs after `run` returned.
    // Let go of after forward's call and after each recomputation's backward.
    let kept: std::sync::Arc<std::sync::Mutex<Option<Callback>>> = Default::default();
    let released = std::sync::Arc::clone(&kept);
    let f = move |xs: &[Variable]| -> crate::Result<Vec<Variable>> {
        Python::attach(|py| {
            let result = run
                .get()
                .call1(py, (xs.to_vec(),))
                .map_err(super::hooks::carried)?;
            let outputs: Vec<super::args::VariableRef<'_>> = result
                .bind(py)
                .extract()
                .map_err(|e: PyErr| Error::new(ErrorKind::Autograd, format!("checkpoint: {e}")))?;
            let outputs = outputs.iter().map(|o| o.inner.clone()).collect();
            let previous = kept
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .replace(Callback(result));
            drop(previous);
            Ok(outputs)
        })
    };
    let refs: Vec<&Variable> = inputs.iter().collect();
    let done = move || {
        let kept = released.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(kept); // Callback's drop takes the GIL
    };
    super::gil::without_gil(py, || {
        crate::autograd::checkpoint_then(f, &refs, preserve_rng_state, done)
    })
    .map_err(super::hooks::restore)
}
