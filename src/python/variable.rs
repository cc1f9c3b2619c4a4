//! `flodl.Variable`: the class and its autograd methods. The op table's
//! methods are bound in `catalogue.rs`, the operators in `operators.rs`,
//! what it shares with Tensor in `shared.rs`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::args::{PyOperand as _, TensorArg, VariableArg};
use super::classes::{PyTensor, PyVariable};
use super::gil::without_gil;
use super::numpy::as_array;
use super::operators::{self, operators};
use super::overloads::overloads;
use super::shared::{py_joins, py_shared_methods};
use crate::{Error, ErrorKind, Variable};

operators!(PyVariable, Variable);
py_shared_methods!(PyVariable, Variable, VariableArg<'_>);
crate::ops::catalogue::sequence_joins!(py_joins(PyVariable, Variable, VariableArg<'_>));
overloads!(PyVariable, Variable);

/// A leaf from a Tensor or a Variable (sharing its data) or from anything
/// `flodl.tensor` takes (nested lists of numbers, numpy arrays; copied).
fn make(data: &Bound<'_, PyAny>, requires_grad: bool) -> PyResult<Variable> {
    if let Some(t) = super::args::plain_tensor(data) {
        return Ok(Variable::new(t.get().inner.clone(), requires_grad)?);
    }
    // A Variable's values, cut from its graph (a new leaf, sharing them),
    // as PyTorch's `torch.autograd.Variable(v)`.
    if let Some(v) = crate::python::args::as_variable(data) {
        return Ok(Variable::new(v.get().inner.data(), requires_grad)?);
    }
    let tensor = data
        .py()
        .import("flodl")?
        .getattr("tensor")?
        .call1((data,))?;
    let t = tensor.cast::<PyTensor>()?;
    Ok(Variable::new(t.get().inner.clone(), requires_grad)?)
}

crate::python::guard::guarded! {

#[pymethods]
impl PyVariable {
    /// A leaf holding `data`: a Tensor (shared, not copied), or anything
    /// `flodl.tensor` takes (copied).
    #[new]
    #[pyo3(signature = (data, requires_grad = false))]
    fn py_new(data: &Bound<'_, PyAny>, requires_grad: bool) -> PyResult<PyClassInitializer<Self>> {
        make(data, requires_grad).map(Into::into)
    }

    /// The same as `Variable(data, requires_grad)`.
    #[staticmethod]
    #[pyo3(name = "new", signature = (data, requires_grad = false))]
    fn new_leaf(data: &Bound<'_, PyAny>, requires_grad: bool) -> PyResult<Variable> {
        make(data, requires_grad)
    }

    /// The values, as an untracked Tensor sharing this Variable's memory
    /// with a version counter of its own, as PyTorch's `.data` (in-place
    /// writes through it are not checked against saved values). Setting it
    /// replaces the values (the same leaf, the same graph).
    #[getter]
    fn data(&self) -> PyResult<PyTensor> {
        Ok(self.inner.data_unversioned()?.into())
    }

    #[setter]
    fn set_data(slf: PyRef<'_, Self>, data: Option<TensorArg<'_>>) -> PyResult<()> {
        let data =
            data.ok_or_else(|| PyTypeError::new_err("data: cannot delete or set to None"))?;
        slf.inner.set_data(data.get())?;
        // The Tensor part follows (it shares the values, not the handle).
        Ok(slf.as_super().inner.set_data_of_alias(data.get())?)
    }

    /// The accumulated gradient, or None. Setting it (a Tensor of this
    /// shape, dtype and device, or None) replaces it.
    /// After `backward(create_graph=True)` the gradient has a graph of its
    /// own, so it is a Variable (PyTorch's has a grad_fn).
    #[getter]
    fn grad(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let Some(grad) = self.inner.grad() else {
            return Ok(None);
        };
        let raw = crate::ops::Operand::raw(&grad);
        if let Some(object) = self.handed_out_grad(py, raw) {
            return Ok(Some(object));
        }
        // requires_grad of a defined tensor (a gradient) cannot fail.
        let object = if raw.requires_grad() {
            let tracked = <Variable as crate::ops::Operand>::from_raw(raw.shallow_clone());
            super::results::new_object(py, tracked)?
        } else {
            super::results::new_object(py, grad)?
        };
        let weak = pyo3::types::PyWeakrefReference::new(object.bind(py))?.unbind();
        *self.grad_object.lock().unwrap_or_else(|e| e.into_inner()) = Some(weak);
        Ok(Some(object))
    }

    #[setter]
    fn set_grad(&self, grad: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(object) = grad else {
            return Ok(self.inner.set_grad(None)?);
        };
        match object.cast::<PyVariable>() {
            // The Variable's own tensor becomes the gradient (not an alias
            // of it), so that `p.grad is v` afterwards, as torch's.
            Ok(v) => {
                let own = crate::ops::Operand::raw(&v.get().inner).shallow_clone();
                let own = <crate::Tensor as crate::ops::Operand>::from_raw(own);
                self.inner.set_grad(Some(&own))?;
            }
            Err(_) => {
                let tensor: TensorArg<'_> = object.extract()?;
                self.inner.set_grad(Some(tensor.get()))?;
            }
        }
        // `p.grad = g` then `p.grad is g`, where g itself became the gradient.
        let weak = pyo3::types::PyWeakrefReference::new(object)?.unbind();
        *self.grad_object.lock().unwrap_or_else(|e| e.into_inner()) = Some(weak);
        Ok(())
    }

    /// `del v.grad` resets the gradient to None, as in PyTorch.
    #[deleter]
    fn delete_grad(&self) -> PyResult<()> {
        Ok(self.inner.set_grad(None)?)
    }

    /// Whether backward fills this Variable's gradient. Settable on leaves.
    #[setter]
    fn set_requires_grad(&self, requires_grad: bool) -> PyResult<()> {
        Ok(self.inner.set_requires_grad(requires_grad)?)
    }

    /// Sets `requires_grad` (leaves only) and returns this Variable. On an
    /// op's result, which requires grad already, `requires_grad_()` is no
    /// change, as PyTorch's (gradient-penalty code calls it so); the
    /// `requires_grad` setter stays for leaves.
    #[pyo3(signature = (requires_grad = true))]
    fn requires_grad_(slf: PyRef<'_, Self>, requires_grad: bool) -> PyResult<PyRef<'_, Self>> {
        if !requires_grad || slf.inner.is_leaf() {
            slf.inner.set_requires_grad(requires_grad)?;
        }
        Ok(slf)
    }

    /// Whether the user made this Variable (an op's result is not a leaf).
    #[getter]
    fn is_leaf(&self) -> bool {
        self.inner.is_leaf()
    }

    /// The node of the graph that made this Variable, as PyTorch's
    /// `grad_fn`: None for a leaf, or one made without recording.
    #[getter]
    fn grad_fn<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        (self.inner.grad_fn()?)
            .map(|node| super::graph::node_object(py, node))
            .transpose()
    }

    /// Resets the gradient to None.
    fn zero_grad(&self) -> PyResult<()> {
        self.inner.zero_grad();
        Ok(())
    }

    /// Cuts this Variable from its graph in place: it becomes a leaf that
    /// requires no grad (a view too, where PyTorch refuses). Returns it.
    fn detach_(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.inner.detach_()?;
        Ok(slf)
    }

    /// A new leaf sharing the data, with no tracking.
    fn detach(&self) -> PyResult<Variable> {
        Ok(self.inner.detach())
    }

    /// Fills the gradients of the leaves behind this single-element output,
    /// then frees its graph (a second backward raises AutogradError).
    ///
    /// The GIL is released meanwhile: the autograd engine may run hooks on
    /// other threads, and refuses to start under the GIL once torch is loaded.
    ///
    /// `gradient` (a Tensor shaped like this output) makes a non-scalar
    /// output's backward; `retain_graph=True` keeps the graph for another
    /// pass (None: as `create_graph`); `create_graph=True` records the
    /// gradients' own graph; `inputs` (a Variable or a sequence of them)
    /// limits which leaves get gradients.
    #[pyo3(signature = (gradient = None, retain_graph = None, create_graph = false, inputs = None))]
    fn backward(
        &self,
        py: Python<'_>,
        gradient: Option<TensorArg<'_>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let retain_graph = retain_graph.unwrap_or(create_graph);
        if gradient.is_none() && !retain_graph && !create_graph && inputs.is_none() {
            return without_gil(py, || self.inner.backward()).map_err(super::hooks::restore);
        }
        // One Variable counts as `[v]` (it is a sequence too: its rows).
        let inputs: Option<Vec<super::args::VariableRef<'_>>> = match inputs {
            None => None,
            Some(one) if crate::python::args::is_variable(&one) => Some(vec![one.extract()?]),
            Some(many) => Some(many.extract().map_err(|_| {
                // Name what is wrong: the container, or the item in it.
                let bad_item = (many.try_iter().ok())
                    .and_then(|items| items.flatten().enumerate().find(|(_, item)| !crate::python::args::is_variable(item)));
                let got = match bad_item {
                    Some((i, item)) => format!("item {i} is a {}", super::args::type_name(&item)),
                    None => format!("got {}", super::args::type_name(&many)),
                };
                PyTypeError::new_err(format!(
                    "backward: inputs must be a Variable or a sequence of Variables; {got}"
                ))
            })?),
        };
        let inputs: Option<Vec<&Variable>> = inputs
            .as_ref()
            .map(|v| v.iter().map(|p| &p.inner).collect());
        let options = crate::autograd::BackwardOptions {
            gradient: gradient.as_ref().map(|g| g.get()),
            retain_graph,
            inputs: inputs.as_deref(),
            create_graph,
        };
        without_gil(py, || self.inner.backward_with(options)).map_err(super::hooks::restore)
    }

    /// Why `grad` is what it is, above all why it is None, in a paragraph.
    fn explain_grad(&self) -> String {
        self.inner.explain_grad()
    }

    /// Makes this non-leaf keep its gradient in `grad` after backward.
    fn retain_grad(&self) -> PyResult<()> {
        Ok(self.inner.retain_grad()?)
    }

    /// Whether this non-leaf keeps its gradient (after `retain_grad()`).
    #[getter]
    fn retains_grad(&self) -> bool {
        self.inner.retains_grad()
    }

    /// Calls `hook(grad)` (a Tensor) each time the gradient with respect to
    /// this Variable is computed; a returned Tensor replaces the gradient,
    /// None keeps it. An exception in the hook comes out of `backward()`.
    /// Returns a handle whose `remove()` unregisters the hook.
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<super::hooks::PyHookHandle> {
        let handle = self.inner.register_hook(super::hooks::python_hook(hook))?;
        Ok(handle.into())
    }

    /// Calls `hook(self)` after each backward has added into this leaf's
    /// `grad` (step an optimizer on it, start reducing it, ...). An
    /// exception in the hook comes out of `backward()`. Returns a handle
    /// whose `remove()` unregisters the hook.
    fn register_post_accumulate_grad_hook(
        slf: &Bound<'_, Self>,
        hook: Py<PyAny>,
    ) -> PyResult<super::hooks::PyHookHandle> {
        let owner = pyo3::types::PyWeakrefReference::new(slf.as_any())?.unbind();
        let hook = super::hooks::python_post_accumulate_hook(hook, owner);
        Ok(slf
            .get()
            .inner
            .register_post_accumulate_grad_hook(hook)?
            .into())
    }

    /// A Variable on a torch.Tensor's at::Tensor: memory and autograd graph
    /// shared, so a backward from either library reaches the leaves of both.
    #[staticmethod]
    fn from_torch(tensor: &Bound<'_, PyAny>) -> PyResult<Variable> {
        let raw = super::interop::from_torch(tensor)?;
        Ok(super::interop::adopt::<Variable>("from_torch", raw)?)
    }

    /// A torch.Tensor on this Variable's at::Tensor: memory and autograd
    /// graph shared (imports torch).
    fn to_torch(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        super::interop::to_torch(py, crate::Operand::raw(&self.inner))
    }

    /// A DLPack capsule sharing the values. As PyTorch, not for a Variable
    /// that requires grad (DLPack carries no graph): export `.data`.
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__<'py>(
        &self,
        py: Python<'py>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<&Bound<'py, PyAny>>,
        dl_device: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = (stream, dl_device);
        if self.inner.requires_grad() {
            return Err(crate::Error::new(
                crate::ErrorKind::Autograd,
                "__dlpack__: cannot export a Variable that requires grad (DLPack carries no graph; export its .data)",
            )
            .into());
        }
        let data = self.inner.data();
        let data = if copy == Some(true) {
            data.copy()?
        } else {
            data
        };
        super::interop::to_dlpack(py, &data, max_version)
    }

    /// `(device type, index)` in DLPack's codes.
    fn __dlpack_device__(&self) -> PyResult<(i32, i64)> {
        Ok(super::numpy::dlpack_device(&self.inner.data()))
    }

    /// A numpy array sharing the values' memory, as PyTorch's `numpy()`; a
    /// Variable that requires grad is refused (numpy writes and reads would
    /// bypass autograd) unless `force=True`, which detaches.
    #[pyo3(signature = (*, force = false))]
    fn numpy<'py>(&self, py: Python<'py>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        self.refuse_numpy_with_grad("numpy", force)?;
        as_array(py, &self.inner.data(), None, None)
    }

    /// `np.asarray(v)`: as [`numpy`](Self::numpy), with numpy's `dtype` and
    /// `copy`.
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.refuse_numpy_with_grad("__array__", false)?;
        as_array(py, &self.inner.data(), dtype, copy)
    }
}

}

impl PyVariable {
    /// The gradient object handed out last, if it is still alive and still
    /// holds `raw` itself (not a new tensor a later backward or assignment
    /// put in its place).
    fn handed_out_grad(&self, py: Python<'_>, raw: &tch::Tensor) -> Option<Py<PyAny>> {
        let cached = self.grad_object.lock().unwrap_or_else(|e| e.into_inner());
        let object = cached.as_ref()?.bind(py).upgrade()?;
        // A Variable given to `p.grad = v` hands over its Tensor part's
        // handle; one handed out by the getter is its own: either counts.
        let own = object
            .cast::<PyVariable>()
            .ok()
            .is_some_and(|v| crate::ffi::is_same(crate::ops::Operand::raw(&v.get().inner), raw));
        let part = object
            .cast::<PyTensor>()
            .ok()
            .is_some_and(|t| crate::ffi::is_same(crate::ops::Operand::raw(&t.get().inner), raw));
        (own || part).then(|| object.unbind())
    }

    /// PyTorch's rule for numpy views: a Variable that requires grad is
    /// refused (what numpy writes or reads bypasses autograd) unless the
    /// caller forces a detached view.
    fn refuse_numpy_with_grad(&self, op: &str, force: bool) -> PyResult<()> {
        if self.inner.requires_grad() && !force {
            return Err(Error::new(
                ErrorKind::Autograd,
                format!(
                    "{op}: can't call numpy() on a Variable that requires grad; \
                     use .detach().numpy() (or numpy(force=True))"
                ),
            )
            .into());
        }
        Ok(())
    }
}
