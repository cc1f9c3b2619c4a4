//! `flodl.amp` on `flodl::amp`: autocast regions (entered and left by
//! `flodl.autocast`'s `__enter__`/`__exit__`) and `GradScaler`, which steps
//! Python optimizer objects.

use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::args::{dtype_arg, plain_tensor, type_name, CoreArg as _, Text};
use super::classes::PyTensor;
use super::hooks;
use crate::amp::{self, GradScaler, GradScalerOptions, ScaledOptimizer};
use crate::{DType, Device, Error, ErrorKind, Tensor, Variable};

/// The device a `device_type` string names for autocast: "cpu" or "cuda".
fn device_type(op: &str, name: &str, device_type: &Text) -> PyResult<Device> {
    match device_type.core(op, name)? {
        "cpu" => Ok(Device::CPU),
        "cuda" => Ok(Device::CUDA(0)),
        other => Err(Error::new(
            ErrorKind::Argument,
            format!("{op}: {name} must be 'cpu' or 'cuda', got {other:?}"),
        )
        .into()),
    }
}

/// An entered autocast region, left once by `_autocast_exit`.
#[pyclass(name = "_AutocastRegion", module = "flodl._flodl", frozen)]
pub(crate) struct AutocastRegion(Mutex<Option<amp::Region>>);

/// Enters an autocast region on this thread (torch.autocast's `__enter__`).
#[pyfunction]
#[pyo3(name = "_autocast_enter")]
fn autocast_enter(
    device: Text,
    dtype: Option<&Bound<'_, PyAny>>,
    enabled: bool,
    cache_enabled: Option<bool>,
) -> PyResult<AutocastRegion> {
    let device = device_type("autocast", "device_type", &device)?;
    // None: the flag as it is (torch.is_autocast_cache_enabled()).
    let cache_enabled = cache_enabled.unwrap_or_else(amp::is_autocast_cache_enabled);
    let dtype = dtype
        .filter(|d| !d.is_none())
        .map(|d| dtype_arg("autocast", d))
        .transpose()?;
    let guard = amp::AutocastGuard::with_options(device, dtype, enabled, cache_enabled)?;
    Ok(AutocastRegion(Mutex::new(Some(guard.into_region()))))
}

/// Leaves a region (its `__exit__`); a second call does nothing.
#[pyfunction]
#[pyo3(name = "_autocast_exit")]
fn autocast_exit(region: &Bound<'_, AutocastRegion>) -> PyResult<()> {
    let taken = region
        .get()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(r) = taken {
        amp::leave(r)?;
    }
    Ok(())
}

/// Whether autocast is on for `device_type` on this thread.
#[pyfunction]
#[pyo3(signature = (device_type = Text::from("cuda")), text_signature = "(device_type='cuda')")]
fn is_autocast_enabled(device_type: Text) -> PyResult<bool> {
    Ok(amp::is_autocast_enabled(self::device_type(
        "is_autocast_enabled",
        "device_type",
        &device_type,
    )?))
}

/// The dtype autocast casts to on `device_type`.
#[pyfunction]
fn get_autocast_dtype(device_type: Text) -> PyResult<DType> {
    Ok(amp::autocast_dtype(self::device_type(
        "get_autocast_dtype",
        "device_type",
        &device_type,
    )?))
}

/// A Python optimizer object as the scaler steps it: its `param_groups`'
/// gradients, its `step(*args, **kwargs)`, and (when its class says
/// `_step_supports_amp_scaling`) the `grad_scale`/`found_inf` attributes
/// PyTorch's fused optimizers read.
struct PyOptimizer<'py> {
    obj: Bound<'py, PyAny>,
    args: Bound<'py, PyTuple>,
    kwargs: Option<Bound<'py, PyDict>>,
    returned: Option<Py<PyAny>>,
}

impl PyOptimizer<'_> {
    fn gradients_py(&self) -> PyResult<Vec<Tensor>> {
        let mut grads = Vec::new();
        for group in self.obj.getattr("param_groups")?.try_iter()? {
            for p in group?.get_item("params")?.try_iter()? {
                let grad = p?.getattr("grad")?;
                if grad.is_none() {
                    continue;
                }
                if let Some(v) = crate::python::args::as_variable(&grad) {
                    grads.push(v.get().inner.data());
                } else if let Some(t) = plain_tensor(&grad) {
                    grads.push(t.get().inner.clone());
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "GradScaler: a gradient must be a Tensor, got {}",
                        type_name(&grad)
                    )));
                }
            }
        }
        Ok(grads)
    }

    fn step_py(&mut self, grad_scale: Option<&Tensor>, found_inf: Option<&Tensor>) -> PyResult<()> {
        let py = self.obj.py();
        let folded = found_inf.is_some();
        if folded {
            let as_py = |t: Option<&Tensor>| -> PyResult<Py<PyAny>> {
                match t {
                    Some(t) => Ok(Py::new(py, PyTensor { inner: t.clone() })?.into_any()),
                    None => Ok(py.None()),
                }
            };
            self.obj.setattr("grad_scale", as_py(grad_scale)?)?;
            self.obj.setattr("found_inf", as_py(found_inf)?)?;
        }
        let outcome = self
            .obj
            .call_method("step", self.args.clone(), self.kwargs.as_ref());
        if folded {
            // As PyTorch: the attributes last for this one step.
            let _ = self.obj.delattr("grad_scale");
            let _ = self.obj.delattr("found_inf");
        }
        self.returned = Some(outcome?.unbind());
        Ok(())
    }
}

impl ScaledOptimizer for PyOptimizer<'_> {
    fn gradients(&self) -> crate::Result<Vec<Tensor>> {
        self.gradients_py().map_err(hooks::carried)
    }

    fn folds_scaling(&self) -> bool {
        self.obj
            .getattr("_step_supports_amp_scaling")
            .and_then(|v| v.is_truthy())
            .unwrap_or(false)
    }

    fn scaled_step(
        &mut self,
        grad_scale: Option<&Tensor>,
        found_inf: Option<&Tensor>,
    ) -> crate::Result<()> {
        self.step_py(grad_scale, found_inf).map_err(hooks::carried)
    }

    /// The Python object's identity, as PyTorch keys its records by id().
    fn identity(&self) -> usize {
        self.obj.as_ptr() as usize
    }
}

/// `torch.amp.GradScaler`: the scaling of `flodl::amp::GradScaler`.
#[pyclass(name = "GradScaler", module = "flodl.amp", subclass)]
pub(crate) struct PyGradScaler {
    inner: GradScaler,
}

// SAFETY: pyo3 wants Sync. `&mut self` methods get exclusive access from
// pyo3's borrow flag; `&self` ones only read numbers or a 0-d tensor, which
// libtorch allows from several threads.
unsafe impl Sync for PyGradScaler {}

impl PyGradScaler {
    /// `outputs` scaled: a Tensor, or lists and tuples of them (nested),
    /// returned in the same containers.
    fn scale_any<'py>(&mut self, outputs: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = outputs.py();
        if let Some(v) = crate::python::args::as_variable(outputs) {
            let scaled = self.inner.scale(&v.get().inner)?;
            return Ok(scaled.into_pyobject(py)?.into_any());
        }
        if let Some(t) = plain_tensor(outputs) {
            let scaled = self
                .inner
                .scale(&Variable::new(t.get().inner.clone(), false)?)?;
            return Ok(scaled.data().into_pyobject(py)?.into_any());
        }
        if let Ok(list) = outputs.cast::<PyList>() {
            let items = (list.iter().map(|o| self.scale_any(&o))).collect::<PyResult<Vec<_>>>()?;
            return Ok(PyList::new(py, items)?.into_any());
        }
        if let Ok(tuple) = outputs.cast::<PyTuple>() {
            let items = (tuple.iter().map(|o| self.scale_any(&o))).collect::<PyResult<Vec<_>>>()?;
            return Ok(PyTuple::new(py, items)?.into_any());
        }
        Err(PyTypeError::new_err(format!(
            "GradScaler.scale: outputs must be a Tensor or a list or tuple of Tensors, got {}",
            type_name(outputs)
        )))
    }
}

#[pymethods]
impl PyGradScaler {
    #[new]
    #[pyo3(signature = (device = Text::from("cuda"), init_scale = 65536.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 2000, enabled = true), text_signature = "(device='cuda', init_scale=65536.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000, enabled=True)")]
    fn new(
        device: Text,
        init_scale: f64,
        growth_factor: f64,
        backoff_factor: f64,
        growth_interval: i64,
        enabled: bool,
    ) -> PyResult<Self> {
        let device = device_type("GradScaler", "device", &device)?;
        let options = GradScalerOptions {
            init_scale,
            growth_factor,
            backoff_factor,
            growth_interval,
            enabled,
        };
        Ok(PyGradScaler {
            inner: GradScaler::new(device, options)?,
        })
    }

    /// `outputs` (a loss, or lists/tuples of outputs) times the scale.
    fn scale<'py>(&mut self, outputs: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if !self.inner.is_enabled() {
            return Ok(outputs.clone()); // the same objects, as PyTorch
        }
        crate::python::guard::run("GradScaler.scale", || self.scale_any(outputs))
    }

    /// Divides `optimizer`'s gradients by the scale in place (to clip them
    /// before `step`); once per optimizer between updates.
    fn unscale_(&mut self, optimizer: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut target = PyOptimizer {
            obj: optimizer.clone(),
            args: PyTuple::empty(optimizer.py()),
            kwargs: None,
            returned: None,
        };
        self.inner.unscale_(&mut target).map_err(hooks::restore)
    }

    /// `optimizer.step(*args, **kwargs)` unless a gradient holds inf or
    /// NaN; returns what the step returned (None when skipped).
    #[pyo3(signature = (optimizer, *args, **kwargs))]
    fn step(
        &mut self,
        optimizer: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = optimizer.py();
        if self.inner.is_enabled() {
            if let Some(kw) = kwargs {
                if kw.contains("closure")? {
                    return Err(Error::new(
                        ErrorKind::Argument,
                        "GradScaler.step: a closure is not supported while the scaler is enabled",
                    )
                    .into());
                }
            }
        }
        let mut target = PyOptimizer {
            obj: optimizer.clone(),
            args: args.clone(),
            kwargs: kwargs.cloned(),
            returned: None,
        };
        self.inner.step(&mut target).map_err(hooks::restore)?;
        Ok(target.returned.unwrap_or_else(|| py.None()))
    }

    /// Adapts the scale (or sets it to `new_scale`, a float or a
    /// one-element Tensor).
    #[pyo3(signature = (new_scale = None))]
    fn update(&mut self, new_scale: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        match new_scale.filter(|s| !s.is_none()) {
            None => Ok(self.inner.update()?),
            Some(s) => {
                if let Some(t) = plain_tensor(s) {
                    return Ok(self.inner.update_to_tensor(&t.get().inner)?);
                }
                if crate::python::args::is_variable(s) {
                    return Err(Error::new(
                        ErrorKind::Argument,
                        "GradScaler.update: new_scale must not require grad",
                    )
                    .into());
                }
                match s.extract::<f64>() {
                    Ok(x) if !s.is_instance_of::<pyo3::types::PyBool>() => {
                        Ok(self.inner.update_to(x)?)
                    }
                    _ => Err(PyTypeError::new_err(format!(
                        "GradScaler.update: new_scale must be a float or a one-element Tensor, got {}",
                        type_name(s)
                    ))),
                }
            }
        }
    }

    fn get_scale(&self) -> PyResult<f64> {
        Ok(self.inner.get_scale()?)
    }

    fn get_growth_factor(&self) -> f64 {
        self.inner.get_growth_factor()
    }

    fn set_growth_factor(&mut self, new_factor: f64) {
        self.inner.set_growth_factor(new_factor)
    }

    fn get_backoff_factor(&self) -> f64 {
        self.inner.get_backoff_factor()
    }

    fn set_backoff_factor(&mut self, new_factor: f64) {
        self.inner.set_backoff_factor(new_factor)
    }

    fn get_growth_interval(&self) -> i64 {
        self.inner.get_growth_interval()
    }

    fn set_growth_interval(&mut self, new_interval: i64) {
        self.inner.set_growth_interval(new_interval)
    }

    fn is_enabled(&self) -> bool {
        self.inner.is_enabled()
    }

    /// `{"scale", "growth_factor", "backoff_factor", "growth_interval",
    /// "_growth_tracker"}` (empty when disabled), as PyTorch's.
    fn state_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        super::value::to_py(py, self.inner.state_dict()?)
    }

    fn load_state_dict(&mut self, state_dict: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = super::value::from_py(state_dict, "GradScaler.load_state_dict", "state_dict")?;
        Ok(self.inner.load_state_dict(&value)?)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AutocastRegion>()?;
    m.add_class::<PyGradScaler>()?;
    m.add_function(wrap_pyfunction!(autocast_enter, m)?)?;
    m.add_function(wrap_pyfunction!(autocast_exit, m)?)?;
    m.add_function(wrap_pyfunction!(is_autocast_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(get_autocast_dtype, m)?)?;
    Ok(())
}
