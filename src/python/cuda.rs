//! `flodl.cuda`'s graphs, graphed step and device statistics on
//! `flodl::cuda`.

use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::args::{plain_tensor, type_name};
use super::hooks;
use crate::cuda::{self, CudaGraph, Event, GraphedCallable, GraphedStep, MemPool, Stream};
use crate::{Device, Error, ErrorKind, Tensor};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a panic (turned into an error) mid-call.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A memory pool id as Python sees it: a pair of ints, as torch's.
fn pool_arg(pool: Option<(u64, u64)>) -> Option<MemPool> {
    pool.map(MemPool::from_ids)
}

/// `torch.cuda.CUDAGraph` on device 0 (flodl keeps no current device).
#[pyclass(name = "CUDAGraph", module = "flodl.cuda", subclass)]
pub(crate) struct PyCudaGraph(Mutex<CudaGraph>);

#[pymethods]
impl PyCudaGraph {
    #[new]
    #[pyo3(signature = (keep_graph = false))]
    fn new(keep_graph: bool) -> PyResult<Self> {
        let _ = keep_graph; // flodl instantiates at capture_end, as the default
        Ok(PyCudaGraph(Mutex::new(CudaGraph::new(Device::CUDA(0))?)))
    }

    #[pyo3(signature = (pool = None, capture_error_mode = "global"))]
    fn capture_begin(&self, pool: Option<(u64, u64)>, capture_error_mode: &str) -> PyResult<()> {
        if capture_error_mode != "global" {
            return Err(Error::new(
                ErrorKind::Argument,
                format!("CUDAGraph.capture_begin: flodl captures in 'global' mode, got {capture_error_mode:?}"),
            )
            .into());
        }
        Ok(lock(&self.0).capture_begin(pool_arg(pool))?)
    }

    fn capture_end(&self) -> PyResult<()> {
        Ok(lock(&self.0).capture_end()?)
    }

    fn replay(&self) -> PyResult<()> {
        Ok(lock(&self.0).replay()?)
    }

    fn reset(&self) -> PyResult<()> {
        Ok(lock(&self.0).reset()?)
    }

    fn pool(&self) -> PyResult<(u64, u64)> {
        Ok(lock(&self.0).pool()?.ids())
    }
}

#[pyfunction]
fn graph_pool_handle() -> PyResult<(u64, u64)> {
    Ok(cuda::graph_pool_handle()?.ids())
}

/// A batch's tensors: Tensors, or Variables' values.
fn batch_of(op: &str, items: &Bound<'_, PyTuple>) -> PyResult<Vec<Tensor>> {
    items
        .iter()
        .map(|o| {
            if let Some(v) = crate::python::args::as_variable(&o) {
                return Ok(v.get().inner.data());
            }
            if let Some(t) = plain_tensor(&o) {
                return Ok(t.get().inner.clone());
            }
            Err(PyTypeError::new_err(format!(
                "{op}: the batch must be Tensors, got {}",
                type_name(&o)
            )))
        })
        .collect()
}

type StepFn = Box<dyn FnMut(&[Tensor]) -> crate::Result<Tensor> + Send>;

/// A Python `step_fn(*batch) -> loss` as the graphed step's closure.
fn python_step(step_fn: Py<PyAny>) -> StepFn {
    Box::new(move |batch: &[Tensor]| {
        Python::attach(|py| -> PyResult<Tensor> {
            let args = PyTuple::new(py, batch.iter().cloned())?;
            let loss = step_fn.bind(py).call1(args)?;
            if let Some(v) = crate::python::args::as_variable(&loss) {
                return Ok(v.get().inner.data());
            }
            if let Some(t) = plain_tensor(&loss) {
                return Ok(t.get().inner.clone());
            }
            Err(PyTypeError::new_err(format!(
                "graphed_step: step_fn must return the loss (a Tensor), got {}",
                type_name(&loss)
            )))
        })
        .map_err(hooks::carried)
    })
}

/// What `flodl.cuda.graphed_step` returns: `step(*batch)` replays the
/// captured training step on the batch and returns the loss.
#[pyclass(name = "GraphedStep", module = "flodl.cuda")]
pub(crate) struct PyGraphedStep(Mutex<GraphedStep<StepFn>>);

#[pymethods]
impl PyGraphedStep {
    #[pyo3(signature = (*batch))]
    fn __call__(&self, batch: &Bound<'_, PyTuple>) -> PyResult<Tensor> {
        let batch = batch_of("graphed_step", batch)?;
        // It may run Python (a recapture calls step_fn): a second thread
        // waiting for the lock with the GIL would deadlock, so it is refused.
        let mut graphed = match self.0.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(Error::new(
                    ErrorKind::Argument,
                    "graphed_step: this step is running on another thread",
                )
                .into())
            }
        };
        graphed.step(&batch).map_err(hooks::restore)
    }
}

/// Captures `step_fn` (a whole training step on `*example_batch`,
/// returning the loss) into one CUDA graph after `warmup` steps on a side
/// stream.
#[pyfunction]
#[pyo3(
    signature = (step_fn, *example_batch, warmup = None, recapture = false),
    text_signature = "(step_fn, *example_batch, warmup=3, recapture=False)"
)]
fn graphed_step(
    step_fn: &Bound<'_, PyAny>,
    example_batch: &Bound<'_, PyTuple>,
    warmup: Option<&Bound<'_, PyAny>>,
    recapture: bool,
) -> PyResult<PyGraphedStep> {
    let three = 3i64.into_pyobject(step_fn.py())?.into_any();
    let warmup = warmup.unwrap_or(&three);
    if !step_fn.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "graphed_step: step_fn must be callable, got {}",
            type_name(step_fn)
        )));
    }
    let warmup = match warmup.extract::<i64>() {
        Ok(n) if n >= 1 && !warmup.is_instance_of::<pyo3::types::PyBool>() => n as usize,
        Ok(n) => {
            return Err(Error::new(
                ErrorKind::Argument,
                format!("graphed_step: warmup must be a count of steps (at least 1), got {n}"),
            )
            .into())
        }
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "graphed_step: warmup must be an int, got {}",
                type_name(warmup)
            )))
        }
    };
    let batch = batch_of("graphed_step", example_batch)?;
    let step = python_step(step_fn.clone().unbind());
    let mut graphed = GraphedStep::new(step, &batch, warmup).map_err(hooks::restore)?;
    graphed.set_recapture(recapture);
    Ok(PyGraphedStep(Mutex::new(graphed)))
}

/// Arguments as Variables: Variables as they are, Tensors as constants.
fn variables_of(op: &str, items: &Bound<'_, PyTuple>) -> PyResult<Vec<crate::Variable>> {
    items
        .iter()
        .map(|o| {
            if let Some(v) = crate::python::args::as_variable(&o) {
                return Ok(v.get().inner.clone());
            }
            if let Some(t) = plain_tensor(&o) {
                return Ok(crate::Variable::new(t.get().inner.clone(), false)?);
            }
            Err(PyTypeError::new_err(format!(
                "{op}: the arguments must be Tensors, got {}",
                type_name(&o)
            )))
        })
        .collect()
}

/// A callable's outputs as Variables, and whether it returned a tuple.
fn outputs_of(op: &str, out: &Bound<'_, PyAny>) -> PyResult<(Vec<crate::Variable>, bool)> {
    if let Ok(t) = out.cast::<PyTuple>() {
        return Ok((variables_of(op, t)?, true));
    }
    let one = PyTuple::new(out.py(), [out])?;
    Ok((variables_of(op, &one)?, false))
}

/// `make_graphed_callables`' result for one callable: call it as the
/// callable (its outputs are the graphs' static tensors).
#[pyclass(name = "GraphedCallable", module = "flodl.cuda")]
pub(crate) struct PyGraphedCallable {
    inner: Mutex<GraphedCallable>,
    returns_tuple: bool,
}

#[pymethods]
impl PyGraphedCallable {
    #[pyo3(signature = (*args))]
    fn __call__<'py>(&self, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let py = args.py();
        let args = variables_of("GraphedCallable", args)?;
        let outputs = lock(&self.inner).call(&args)?;
        if !self.returns_tuple && outputs.len() == 1 {
            return Ok(outputs[0].clone().into_pyobject(py)?.into_any());
        }
        Ok(PyTuple::new(py, outputs)?.into_any())
    }
}

/// One callable's `(f, sample_args, params)` from Python.
type StageArgs<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyTuple>,
    Vec<super::args::VariableRef<'py>>,
);

/// Captures each `(f, sample_args, params)` into a forward and a backward
/// CUDA graph, all in one memory pool (`pool`, or a new one).
#[pyfunction]
#[pyo3(name = "_make_graphed_callables")]
fn make_graphed_callables(
    callables: Vec<StageArgs<'_>>,
    warmup: usize,
    allow_unused_input: bool,
    pool: Option<(u64, u64)>,
) -> PyResult<Vec<PyGraphedCallable>> {
    let op = "make_graphed_callables";
    // Whether each callable returned a tuple (known once it has run).
    let returns_tuple: Vec<std::cell::Cell<bool>> = callables
        .iter()
        .map(|_| std::cell::Cell::new(false))
        .collect();
    let mut specs = Vec::with_capacity(callables.len());
    for ((f, sample_args, params), tuple) in callables.iter().zip(&returns_tuple) {
        if !f.is_callable() {
            return Err(PyTypeError::new_err(format!(
                "{op}: expected callables, got {}",
                type_name(f)
            )));
        }
        let callable = f.clone().unbind();
        let run = move |args: &[crate::Variable]| -> crate::Result<Vec<crate::Variable>> {
            Python::attach(|py| -> PyResult<Vec<crate::Variable>> {
                let out = callable
                    .bind(py)
                    .call1(PyTuple::new(py, args.iter().cloned())?)?;
                let (outputs, is_tuple) = outputs_of(op, &out)?;
                tuple.set(is_tuple);
                Ok(outputs)
            })
            .map_err(hooks::carried)
        };
        specs.push(cuda::GraphedSpec {
            f: Box::new(run),
            sample_args: variables_of(op, sample_args)?,
            params: params.iter().map(|p| p.inner.clone()).collect(),
        });
    }
    let graphed = cuda::make_graphed_callables(specs, warmup, allow_unused_input, pool_arg(pool))
        .map_err(hooks::restore)?;
    Ok((graphed.into_iter().zip(&returns_tuple))
        .map(|(inner, tuple)| PyGraphedCallable {
            inner: Mutex::new(inner),
            returns_tuple: tuple.get(),
        })
        .collect())
}

/// `torch.cuda.Stream`: a CUDA stream of libtorch's pool.
#[pyclass(name = "Stream", module = "flodl.cuda", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PyStream(pub(crate) Stream);

#[pymethods]
impl PyStream {
    #[new]
    #[pyo3(signature = (device = None, priority = 0))]
    fn new(device: Option<&Bound<'_, PyAny>>, priority: i32) -> PyResult<Self> {
        Ok(PyStream(Stream::new(
            cuda_device_arg("Stream", device)?,
            priority,
        )?))
    }

    #[getter]
    fn device(&self) -> super::classes::PyDevice {
        super::classes::PyDevice(self.0.device())
    }

    #[getter]
    fn stream_id(&self) -> i64 {
        self.0.id()
    }

    fn synchronize(&self, py: Python<'_>) -> PyResult<()> {
        let stream = self.0;
        Ok(super::gil::without_gil(py, || stream.synchronize())?)
    }

    fn query(&self) -> PyResult<bool> {
        Ok(self.0.query()?)
    }

    fn wait_stream(&self, stream: &PyStream) -> PyResult<()> {
        Ok(self.0.wait_stream(&stream.0)?)
    }

    fn wait_event(&self, event: &PyEvent) -> PyResult<()> {
        Ok(lock(&event.0).wait(&self.0)?)
    }

    /// Records `event` (a new one when None) on this stream and returns it.
    #[pyo3(signature = (event = None))]
    fn record_event(&self, py: Python<'_>, event: Option<Py<PyEvent>>) -> PyResult<Py<PyEvent>> {
        let event = match event {
            Some(e) => e,
            None => Py::new(py, PyEvent(Mutex::new(Event::new(false)?)))?,
        };
        lock(&event.get().0).record(&self.0)?;
        Ok(event)
    }

    fn __repr__(&self) -> String {
        format!(
            "<flodl.cuda.Stream device={} stream_id={}>",
            self.0.device(),
            self.0.id()
        )
    }
}

/// `torch.cuda.Event`: a mark in a stream, with timing when asked.
#[pyclass(name = "Event", module = "flodl.cuda", frozen)]
pub(crate) struct PyEvent(Mutex<Event>);

#[pymethods]
impl PyEvent {
    #[new]
    #[pyo3(signature = (enable_timing = false, blocking = false, interprocess = false))]
    fn new(enable_timing: bool, blocking: bool, interprocess: bool) -> PyResult<Self> {
        if blocking || interprocess {
            return Err(Error::new(
                ErrorKind::Argument,
                "Event: flodl's events are neither blocking nor interprocess",
            )
            .into());
        }
        Ok(PyEvent(Mutex::new(Event::new(enable_timing)?)))
    }

    /// Marks the work queued so far on `stream` (default: the current one).
    #[pyo3(signature = (stream = None))]
    fn record(&self, stream: Option<&PyStream>) -> PyResult<()> {
        let stream = stream_or_current(stream)?;
        Ok(lock(&self.0).record(&stream)?)
    }

    /// Makes `stream`'s later work (default: the current stream's) wait.
    #[pyo3(signature = (stream = None))]
    fn wait(&self, stream: Option<&PyStream>) -> PyResult<()> {
        let stream = stream_or_current(stream)?;
        Ok(lock(&self.0).wait(&stream)?)
    }

    fn synchronize(&self, py: Python<'_>) -> PyResult<()> {
        // The lock is taken and let go without the GIL: a thread waiting
        // for it never holds the GIL this one needs back.
        Ok(super::gil::without_gil(py, || lock(&self.0).synchronize())?)
    }

    fn query(&self) -> PyResult<bool> {
        Ok(lock(&self.0).query()?)
    }

    /// Milliseconds from this event to `end_event`.
    fn elapsed_time(&self, end_event: &PyEvent) -> PyResult<f64> {
        if std::ptr::eq(self, end_event) {
            let event = lock(&self.0); // one lock: the same event twice
            return Ok(event.elapsed_time(&event)?);
        }
        Ok(lock(&self.0).elapsed_time(&lock(&end_event.0))?)
    }
}

/// A device argument for CUDA calls: None (device 0), an index, or a device.
fn cuda_device_arg(op: &str, device: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    let Some(device) = device.filter(|d| !d.is_none()) else {
        return Ok(Device::CUDA(0));
    };
    if let Ok(index) = device.extract::<u8>() {
        return Ok(Device::CUDA(index));
    }
    super::args::device_arg(op, Some(device))
}

/// The index of the CUDA device a `device` argument names (None: 0): what
/// `flodl.cuda`'s functions taking a device use.
#[pyfunction]
#[pyo3(name = "_cuda_index", signature = (device = None))]
fn cuda_index(device: Option<&Bound<'_, PyAny>>) -> PyResult<u8> {
    match cuda_device_arg("cuda", device)? {
        Device::CUDA(index) => Ok(index),
        Device::CPU => Err(Error::new(ErrorKind::Device, "cuda: cpu is not a CUDA device").into()),
    }
}

fn stream_or_current(stream: Option<&PyStream>) -> PyResult<Stream> {
    match stream {
        Some(s) => Ok(s.0),
        None => Ok(Stream::current(Device::CUDA(0))?),
    }
}

/// The stream this thread queues `device`'s kernels on.
#[pyfunction]
#[pyo3(signature = (device = None))]
fn current_stream(device: Option<&Bound<'_, PyAny>>) -> PyResult<PyStream> {
    Ok(PyStream(Stream::current(cuda_device_arg(
        "current_stream",
        device,
    )?)?))
}

/// Makes `stream` current on its device for this thread.
#[pyfunction]
fn set_stream(stream: &PyStream) -> PyResult<()> {
    Ok(cuda::set_stream(&stream.0)?)
}

/// Allocated (current, peak) and reserved (current, peak) bytes of cuda:index.
#[pyfunction]
#[pyo3(name = "_cuda_memory_stats")]
fn memory_stats(index: u8) -> PyResult<(i64, i64, i64, i64)> {
    let d = Device::CUDA(index);
    Ok((
        cuda::memory_allocated(d)?,
        cuda::max_memory_allocated(d)?,
        cuda::memory_reserved(d)?,
        cuda::max_memory_reserved(d)?,
    ))
}

#[pyfunction]
#[pyo3(name = "_cuda_reset_peak_memory_stats")]
fn reset_peak_memory_stats(index: u8) -> PyResult<()> {
    Ok(cuda::reset_peak_memory_stats(Device::CUDA(index))?)
}

#[pyfunction]
#[pyo3(name = "_cuda_empty_cache")]
fn empty_cache() -> PyResult<()> {
    Ok(cuda::empty_cache()?)
}

#[pyfunction]
#[pyo3(name = "_cuda_device_properties")]
fn device_properties(py: Python<'_>, index: u8) -> PyResult<Bound<'_, PyDict>> {
    let p = cuda::get_device_properties(Device::CUDA(index))?;
    let dict = PyDict::new(py);
    dict.set_item("name", p.name)?;
    dict.set_item("total_memory", p.total_memory)?;
    dict.set_item("major", p.major)?;
    dict.set_item("minor", p.minor)?;
    dict.set_item("multi_processor_count", p.multi_processor_count)?;
    Ok(dict)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCudaGraph>()?;
    m.add_class::<PyGraphedStep>()?;
    m.add_class::<PyStream>()?;
    m.add_class::<PyGraphedCallable>()?;
    m.add_function(wrap_pyfunction!(make_graphed_callables, m)?)?;
    m.add_class::<PyEvent>()?;
    m.add_function(wrap_pyfunction!(current_stream, m)?)?;
    m.add_function(wrap_pyfunction!(set_stream, m)?)?;
    m.add_function(wrap_pyfunction!(graph_pool_handle, m)?)?;
    m.add_function(wrap_pyfunction!(graphed_step, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_index, m)?)?;
    m.add_function(wrap_pyfunction!(memory_stats, m)?)?;
    m.add_function(wrap_pyfunction!(reset_peak_memory_stats, m)?)?;
    m.add_function(wrap_pyfunction!(empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(device_properties, m)?)?;
    Ok(())
}
