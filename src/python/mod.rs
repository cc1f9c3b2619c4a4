//! The Python extension module `flodl._flodl`: a thin layer over the core.
//! Each Rust name keeps its name in Python.

mod amp; // flodl.amp: autocast regions and GradScaler
mod args; // Python arguments to Rust values
mod attention; // flodl.nn.MultiheadAttention on flodl::nn's attention
mod catalogue; // the op tables' bindings
mod classes; // the classes' structs (a leaf: no binding module imports another in a cycle)
mod conv; // flodl.nn's convolutions on flodl::nn's
mod cuda; // flodl.cuda's graphs, graphed step and statistics
mod device; // Device, TensorOptions
mod distributions; // flodl.distributions on flodl::distributions
mod errors; // the exception classes, and Error -> PyErr
mod extension; // values crossing into a user's own extension module
mod func; // flodl.func's transforms on flodl::func
mod function; // custom functions (flodl.autograd.Function)
mod gil; // when the GIL is released
mod graph; // grad_fn: the autograd graph's nodes
mod guard; // a Rust panic becomes a FlodlError, never a PanicException
mod hooks; // Python gradient hooks
mod init; // flodl.nn.init on flodl::nn::init
mod interop; // torch tensors, DLPack and numpy sharing memory
mod interpolate; // F.interpolate on flodl::interpolate
mod layers; // what the layer computations' bindings share
mod norm; // flodl.nn's batch norms on flodl::nn's
mod numpy; // numpy arrays to Tensors and back
mod operators; // + - * / @ ** on both classes
mod optim; // flodl.optim's optimizers on flodl::optim
mod overloads; // PyTorch's Python forms that stand for several Rust ops
mod results; // Rust values to Python objects
mod rnn; // the fused LSTM and GRU
mod schedule; // flodl.optim.lr_scheduler's classes on flodl::optim::lr_scheduler
mod shared; // methods Tensor and Variable share outside the table
mod tensor; // the Tensor class
mod value; // nested Python containers to core Values and back
mod variable; // the Variable class

/// For a Python extension module of your own that takes and returns flodl
/// values (see docs/extending.md).
pub use extension::{FlodlTensor, FlodlVariable};

use pyo3::prelude::*;

/// Whether ops on this thread record a graph.
#[pyfunction]
fn is_grad_enabled() -> bool {
    crate::is_grad_enabled()
}

/// Turns recording on or off for this thread; returns the previous state.
/// `flodl.no_grad` is built on it.
#[pyfunction]
fn set_grad_enabled(enabled: bool) -> bool {
    crate::set_grad_enabled(enabled)
}

/// Seeds every random generator libtorch uses. A negative seed counts
/// from 2**64, as in PyTorch.
#[pyfunction]
fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<()> {
    let seed = match (seed.extract::<u64>(), seed.extract::<i64>()) {
        (Ok(seed), _) => seed,
        (_, Ok(negative)) => negative as u64, // two's complement, as PyTorch wraps it
        _ if seed.is_instance_of::<pyo3::types::PyInt>() => {
            let message = format!("manual_seed: the seed {seed} is outside [-2**63, 2**64)");
            return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
        }
        _ => {
            let message = format!(
                "manual_seed: expected an int, got {}",
                args::type_name(seed)
            );
            return Err(pyo3::exceptions::PyTypeError::new_err(message));
        }
    };
    crate::manual_seed(seed);
    Ok(())
}

/// The threads of libtorch's inter-op pool, as `torch.get_num_interop_threads`.
#[pyfunction]
fn get_num_interop_threads() -> usize {
    crate::get_num_interop_threads()
}

/// Sizes libtorch's inter-op pool (shared with torch in one process), as
/// `torch.set_num_interop_threads`: once, before the pool has started.
#[pyfunction]
fn set_num_interop_threads(threads: args::Int) -> PyResult<()> {
    let threads = thread_count("set_num_interop_threads", threads)?;
    Ok(crate::set_num_interop_threads(threads)?)
}

/// A `set_num_*threads` count: a positive int.
fn thread_count(op: &str, threads: args::Int) -> PyResult<usize> {
    use args::CoreArg as _;
    let threads = threads.core(op, "threads")?;
    crate::error::ensure!(
        threads > 0,
        Argument,
        "{op}: expects a positive number of threads, got {threads}"
    );
    // Positive and at most i64::MAX, so it fits a usize on 64-bit targets.
    Ok(usize::try_from(threads).unwrap_or(usize::MAX))
}

/// The number of threads libtorch's CPU ops use, as `torch.get_num_threads`.
#[pyfunction]
fn get_num_threads() -> usize {
    crate::get_num_threads()
}

/// Sets the number of threads libtorch's CPU ops use (shared with torch in
/// one process), as `torch.set_num_threads`.
#[pyfunction]
fn set_num_threads(threads: args::Int) -> PyResult<()> {
    crate::set_num_threads(thread_count("set_num_threads", threads)?);
    Ok(())
}

/// The state of the default random generator of `device` (the CPU when
/// None), as `torch.get_rng_state`.
#[pyfunction]
#[pyo3(signature = (device = None))]
fn get_rng_state(device: Option<&Bound<'_, PyAny>>) -> PyResult<crate::Tensor> {
    crate::python::guard::run("get_rng_state", move || {
        Ok(crate::get_rng_state(args::device_arg(
            "get_rng_state",
            device,
        )?)?)
    })
}

/// Restores the generator of `device` (the CPU when None) to a state from
/// `get_rng_state`, as `torch.set_rng_state`.
#[pyfunction]
#[pyo3(signature = (state, device = None))]
fn set_rng_state(
    state: PyRef<'_, classes::PyTensor>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    crate::python::guard::run("set_rng_state", move || {
        Ok(crate::set_rng_state(
            &state.inner,
            args::device_arg("set_rng_state", device)?,
        )?)
    })
}

/// `flodl.save`'s core: a tensor, a state dict or nested containers of
/// them (see `flodl::io::save_value`) to a safetensors file.
#[pyfunction(name = "_save")]
fn save(py: Python<'_>, obj: &Bound<'_, PyAny>, path: std::path::PathBuf) -> PyResult<()> {
    crate::python::guard::run("save", move || {
        let value = value::saved_from_py(obj, "save", "the object")?;
        Ok(gil::without_gil(py, || {
            crate::io::save_value(&value, &path)
        })?)
    })
}

/// `flodl.load`'s core: what `_save` wrote (a dict of tensors for a plain
/// safetensors file).
#[pyfunction(name = "_load")]
fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Bound<'_, PyAny>> {
    crate::python::guard::run("load", move || {
        let value = gil::without_gil(py, || crate::io::load_value(&path))?;
        value::to_py(py, value)
    })
}

/// How many Tensor and Variable handles exist now (Python objects and the
/// core's own). Flat across training steps when nothing is kept alive.
#[pyfunction]
fn live_tensor_count() -> usize {
    crate::live_tensor_count()
}

/// `flodl.autograd.grad`'s core: the gradients of `outputs` with respect to
/// `inputs` (Variables), returned, not accumulated.
#[pyfunction(name = "_autograd_grad")]
#[pyo3(signature = (outputs, inputs, grad_outputs = None, retain_graph = None, create_graph = false, allow_unused = false, is_grads_batched = false))]
#[allow(clippy::too_many_arguments)] // torch.autograd.grad's own
fn autograd_grad(
    py: Python<'_>,
    outputs: Vec<args::VariableRef<'_>>,
    inputs: Vec<args::VariableRef<'_>>,
    grad_outputs: Option<Vec<args::VariableArg<'_>>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
    is_grads_batched: bool,
) -> PyResult<Vec<Option<crate::Variable>>> {
    crate::python::guard::run("autograd_grad", move || {
        use args::PyOperand as _;
        let outputs: Vec<&crate::Variable> = outputs.iter().map(|v| &v.inner).collect();
        let inputs: Vec<&crate::Variable> = inputs.iter().map(|v| &v.inner).collect();
        let grad_outputs: Option<Vec<&crate::Variable>> = grad_outputs
            .as_ref()
            .map(|g| g.iter().map(|a| a.get()).collect());
        let options = crate::autograd::GradOptions {
            grad_outputs: grad_outputs.as_deref(),
            retain_graph,
            create_graph,
            allow_unused,
        };
        let grad = match is_grads_batched {
            true => crate::autograd::grad_batched,
            false => crate::autograd::grad,
        };
        gil::without_gil(py, || grad(&outputs, &inputs, options)).map_err(hooks::restore)
    })
}

/// `flodl.autograd.backward`'s core: the leaves' gradients from several
/// outputs in one pass (`grad_tensors` one per output, None for a
/// single-element one), as `torch.autograd.backward`.
#[pyfunction(name = "_autograd_backward")]
#[pyo3(signature = (tensors, grad_tensors, retain_graph = None, create_graph = false, inputs = None))]
fn autograd_backward(
    py: Python<'_>,
    tensors: Vec<Bound<'_, PyAny>>,
    grad_tensors: Vec<Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<Vec<args::VariableRef<'_>>>,
) -> PyResult<()> {
    crate::python::guard::run("autograd_backward", move || {
        let mut outputs = Vec::with_capacity(tensors.len());
        for (i, t) in tensors.iter().enumerate() {
            outputs.push(match args::as_variable(t) {
                Some(v) => v.get().inner.clone(),
                // A Tensor requires no grad: Rust's check says so.
                None => crate::Variable::new(args::tensor_values("backward", t)?, false).map_err(
                    |_| {
                        pyo3::exceptions::PyTypeError::new_err(format!(
                            "backward: tensors[{i}] must be a Variable, got {}",
                            args::type_name(t)
                        ))
                    },
                )?,
            });
        }
        let mut gradients = Vec::with_capacity(grad_tensors.len());
        for (i, g) in grad_tensors.iter().enumerate() {
            gradients.push(match g.is_none() {
                true => None,
                false => Some(
                    args::plain_tensor(g)
                        .map(|t| t.get().inner.clone())
                        .or_else(|| {
                            // The Variable itself (its graph too), so that
                            // create_graph differentiates through it.
                            args::as_variable(g).map(|v| {
                                let raw = crate::Operand::raw(&v.get().inner);
                                <crate::Tensor as crate::Operand>::from_raw(raw.shallow_clone())
                            })
                        })
                        .ok_or_else(|| {
                            pyo3::exceptions::PyTypeError::new_err(format!(
                                "backward: grad_tensors[{i}] must be a Tensor or None, got {}",
                                args::type_name(g)
                            ))
                        })?,
                ),
            });
        }
        let outputs: Vec<&crate::Variable> = outputs.iter().collect();
        let gradients: Vec<Option<&crate::Tensor>> = gradients.iter().map(Option::as_ref).collect();
        let inputs: Option<Vec<&crate::Variable>> = inputs
            .as_ref()
            .map(|v| v.iter().map(|p| &p.inner).collect());
        let options = crate::autograd::BackwardOptions {
            gradient: None,
            retain_graph: retain_graph.unwrap_or(create_graph),
            inputs: inputs.as_deref(),
            create_graph,
        };
        gil::without_gil(py, || {
            crate::autograd::backward(&outputs, &gradients, options)
        })
        .map_err(hooks::restore)
    })
}

/// Inference mode entered by `flodl.inference_mode`: left by `exit()` (or
/// when collected), on the thread that entered it.
#[pyclass(name = "_InferenceMode", module = "flodl", unsendable)]
struct InferenceMode(Option<crate::InferenceModeGuard>);

#[pymethods]
impl InferenceMode {
    #[new]
    fn new(enabled: bool) -> PyResult<Self> {
        Ok(InferenceMode(Some(crate::InferenceModeGuard::new(
            enabled,
        )?)))
    }

    fn exit(&mut self) {
        self.0 = None;
    }
}

/// Anomaly detection entered by `flodl.autograd.detect_anomaly`, until
/// `exit()`.
#[pyclass(name = "_DetectAnomaly", module = "flodl")]
struct DetectAnomaly(std::sync::Mutex<Option<crate::autograd::AnomalyGuard>>);

#[pymethods]
impl DetectAnomaly {
    #[new]
    fn new() -> Self {
        DetectAnomaly(std::sync::Mutex::new(Some(
            crate::autograd::AnomalyGuard::new(),
        )))
    }

    fn exit(&self) {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = None;
    }
}

/// The file and line of the innermost Python frame outside flodl's own
/// package: where the user called the op (for detect_anomaly's messages).
fn python_location() -> Option<String> {
    Python::attach(|py| {
        let mut frame = py
            .import("sys")
            .ok()?
            .call_method1("_getframe", (0,))
            .ok()?;
        loop {
            let file: String = frame
                .getattr("f_code")
                .ok()?
                .getattr("co_filename")
                .ok()?
                .extract()
                .ok()?;
            let inside_flodl = file.contains("/flodl/") && !file.contains("/tests/");
            if !inside_flodl {
                let line: i64 = frame.getattr("f_lineno").ok()?.extract().ok()?;
                return Some(format!("{file}:{line}"));
            }
            frame = frame.getattr("f_back").ok()?;
            if frame.is_none() {
                return None;
            }
        }
    })
}

/// Whether this thread is in inference mode.
#[pyfunction]
fn is_inference_mode_enabled() -> bool {
    crate::autograd::is_inference_mode_enabled()
}

/// Whether anomaly detection is on (`torch.is_anomaly_enabled`).
#[pyfunction(name = "_is_anomaly_enabled")]
fn is_anomaly_enabled() -> bool {
    crate::autograd::is_anomaly_enabled()
}

#[pyfunction]
fn cuda_available() -> bool {
    crate::cuda_available()
}

#[pyfunction]
fn cuda_device_count() -> usize {
    crate::cuda_device_count()
}

/// How tensors print, as `torch.set_printoptions`: `precision` digits,
/// summarise above `threshold` elements keeping `edgeitems` at each end,
/// wrap at `linewidth`; `profile` is "default", "short" or "full";
/// `sci_mode` forces scientific notation on or off (None: chosen).
#[pyfunction]
#[pyo3(signature = (precision = None, threshold = None, edgeitems = None, linewidth = None, profile = None, sci_mode = None))]
fn set_printoptions(
    precision: Option<args::Int>,
    threshold: Option<args::Float>,
    edgeitems: Option<args::Int>,
    linewidth: Option<args::Int>,
    profile: Option<&str>,
    sci_mode: Option<bool>,
) -> PyResult<()> {
    use crate::PrintOptions;
    use args::CoreArg as _;
    // An int too large for 64 bits is an ArgumentError too (`Int`).
    let count = |name: &str, value: args::Int| -> PyResult<usize> {
        let value = value.core("set_printoptions", name)?;
        usize::try_from(value).map_err(|_| {
            crate::Error::new(
                crate::ErrorKind::Argument,
                format!("set_printoptions: {name} must be >= 0, got {value}"),
            )
            .into()
        })
    };
    let mut options = match profile {
        None => crate::print_options(),
        Some("default") => PrintOptions::DEFAULT,
        Some("short") => PrintOptions::SHORT,
        Some("full") => PrintOptions::FULL,
        Some(other) => {
            let message = format!(
                "set_printoptions: profile is \"default\", \"short\" or \"full\", got {other:?}"
            );
            return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
        }
    };
    if let Some(p) = precision {
        options.precision = count("precision", p)?;
    }
    if let Some(t) = threshold
        .map(|t| t.core("set_printoptions", "threshold"))
        .transpose()?
    {
        if t.is_nan() {
            let message = "set_printoptions: threshold must be a number, got nan";
            return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
        }
        options.threshold = t;
    }
    if let Some(e) = edgeitems {
        options.edgeitems = count("edgeitems", e)?;
    }
    if let Some(w) = linewidth {
        options.linewidth = count("linewidth", w)?;
    }
    // As PyTorch: sci_mode is always set, None included.
    options.sci_mode = sci_mode;
    crate::set_print_options(options);
    Ok(())
}

/// The print options in force, as a dict of `set_printoptions`' arguments.
#[pyfunction]
fn get_printoptions(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let options = crate::print_options();
    let dict = pyo3::types::PyDict::new(py);
    dict.set_item("precision", options.precision)?;
    dict.set_item("threshold", options.threshold)?;
    dict.set_item("edgeitems", options.edgeitems)?;
    dict.set_item("linewidth", options.linewidth)?;
    dict.set_item("sci_mode", options.sci_mode)?;
    Ok(dict)
}

#[pyfunction(name = "_cuda_synchronize")]
fn cuda_synchronize(index: u8) -> PyResult<()> {
    Ok(crate::cuda_synchronize(index)?)
}

#[pyfunction(name = "_cudnn_available")]
fn cudnn_available() -> bool {
    crate::cudnn_available()
}

#[pyfunction(name = "_cudnn_set_benchmark")]
fn cudnn_set_benchmark(benchmark: bool) {
    crate::cudnn_set_benchmark(benchmark)
}

/// _set_switches(deterministic=None, warn_only=None, cudnn_deterministic=None,
///     tf32_matmul=None, tf32_cudnn=None, matmul_precision=None, sdp_math=None,
///     sdp_flash=None, sdp_mem_efficient=None, sdp_cudnn=None)
/// --
///
/// Sets the libtorch switches given (None keeps one), and returns them all
/// as a dict (with no argument: reads them).
#[pyfunction(name = "_switches")]
#[pyo3(signature = (deterministic = None, warn_only = None, cudnn_deterministic = None, tf32_matmul = None, tf32_cudnn = None, matmul_precision = None, sdp_math = None, sdp_flash = None, sdp_mem_efficient = None, sdp_cudnn = None))]
#[allow(clippy::too_many_arguments)] // one keyword per switch, as Python passes them
fn switches<'py>(
    py: Python<'py>,
    deterministic: Option<bool>,
    warn_only: Option<bool>,
    cudnn_deterministic: Option<bool>,
    tf32_matmul: Option<bool>,
    tf32_cudnn: Option<bool>,
    matmul_precision: Option<&str>,
    sdp_math: Option<bool>,
    sdp_flash: Option<bool>,
    sdp_mem_efficient: Option<bool>,
    sdp_cudnn: Option<bool>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    if deterministic.is_some() || warn_only.is_some() {
        let on = deterministic.unwrap_or_else(crate::are_deterministic_algorithms_enabled);
        let warn = warn_only.unwrap_or_else(crate::is_deterministic_algorithms_warn_only_enabled);
        crate::use_deterministic_algorithms(on, warn)?;
    }
    if let Some(on) = cudnn_deterministic {
        crate::cudnn_set_deterministic(on)?;
    }
    if tf32_matmul.is_some() || tf32_cudnn.is_some() {
        crate::set_allow_tf32(tf32_matmul, tf32_cudnn)?;
    }
    if let Some(precision) = matmul_precision {
        crate::set_float32_matmul_precision(precision)?;
    }
    let sdp = [sdp_math, sdp_flash, sdp_mem_efficient, sdp_cudnn];
    for (backend, on) in SDP_BACKENDS.iter().zip(sdp) {
        if let Some(on) = on {
            crate::set_sdp_backend_enabled(backend.1, on)?;
        }
    }
    let now = pyo3::types::PyDict::new(py);
    let (matmul, cudnn) = crate::allow_tf32();
    now.set_item(
        "deterministic",
        crate::are_deterministic_algorithms_enabled(),
    )?;
    now.set_item(
        "warn_only",
        crate::is_deterministic_algorithms_warn_only_enabled(),
    )?;
    now.set_item("cudnn_deterministic", crate::cudnn_is_deterministic())?;
    now.set_item("tf32_matmul", matmul)?;
    now.set_item("tf32_cudnn", cudnn)?;
    now.set_item("matmul_precision", crate::float32_matmul_precision())?;
    for (name, backend) in SDP_BACKENDS {
        now.set_item(name, crate::sdp_backend_enabled(backend))?;
    }
    Ok(now)
}

/// Allows exactly the kernels of `codes` (torch's SDPBackend values; None
/// for what is not one) and returns the codes of those allowed before
/// (`sdpa_kernel`'s block).
#[pyfunction(name = "_set_sdp_backends")]
#[pyo3(signature = (codes, set_priority = false))]
fn set_sdp_backends(codes: Vec<Option<i64>>, set_priority: bool) -> PyResult<Vec<i64>> {
    if set_priority {
        crate::error::bail!(
            Argument,
            "sdpa_kernel: set_priority=True (an order of preference) is not in flodl; \
             name the kernels allowed"
        );
    }
    let allowed = codes
        .iter()
        .map(|code| match code {
            Some(code) => crate::SdpBackend::from_code(*code),
            None => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                "sdpa_kernel: backends must be SDPBackend.MATH, FLASH_ATTENTION, \
                 EFFICIENT_ATTENTION or CUDNN_ATTENTION, got a value that is not an SDPBackend"
                    .to_string(),
            )),
        })
        .collect::<crate::Result<Vec<_>>>()?;
    let before = crate::set_sdp_backends(&allowed)?;
    Ok(before.into_iter().map(crate::SdpBackend::code).collect())
}

/// The switches of scaled_dot_product_attention's kernels, by the names
/// `_switches` takes and gives, in its argument order.
const SDP_BACKENDS: [(&str, crate::SdpBackend); 4] = [
    ("sdp_math", crate::SdpBackend::Math),
    ("sdp_flash", crate::SdpBackend::FlashAttention),
    ("sdp_mem_efficient", crate::SdpBackend::EfficientAttention),
    ("sdp_cudnn", crate::SdpBackend::CudnnAttention),
];

/// _default_dtype(dtype=None)
/// --
///
/// Makes `dtype` (a float dtype) the default float dtype when given, and
/// returns the default float dtype.
#[pyfunction(name = "_default_dtype")]
#[pyo3(signature = (dtype = None))]
fn default_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<crate::DType> {
    if let Some(dtype) = dtype {
        crate::set_default_dtype(args::dtype_arg("set_default_dtype", dtype)?)?;
    }
    Ok(crate::get_default_dtype())
}

/// libtorch's warnings as Python warnings (UserWarning, DeprecationWarning),
/// raised where the Python code called flodl.
/// libtorch's warnings become Python warnings (in `flodl._flodl`, and in a
/// user's extension module with its own copy of flodl, whose handler may be
/// the one libtorch calls on a thread).
pub(crate) fn route_warnings_to_python() {
    crate::warnings::set_warning_handler(python_warning);
}

/// The `stacklevel` of a warning that points at the user's line: the first
/// Python frame outside flodl's package (an `nn.MSELoss` calls flodl's own
/// Python before the op that warns).
fn user_stacklevel(py: Python<'_>) -> i32 {
    let package = py
        .import("flodl")
        .and_then(|m| m.getattr("__file__"))
        .and_then(|f| f.extract::<String>())
        .ok()
        .and_then(|file| Some(std::path::Path::new(&file).parent()?.to_path_buf()));
    let (Some(package), Ok(mut frame)) = (
        package,
        py.import("sys")
            .and_then(|sys| sys.call_method1("_getframe", (0,))),
    ) else {
        return 1;
    };
    for level in 1..64 {
        let file = frame
            .getattr("f_code")
            .and_then(|code| code.getattr("co_filename"))
            .and_then(|name| name.extract::<String>())
            .unwrap_or_default();
        if !std::path::Path::new(&file).starts_with(&package) {
            return level;
        }
        match frame.getattr("f_back") {
            Ok(back) if !back.is_none() => frame = back,
            _ => return 1,
        }
    }
    1
}

fn python_warning(message: &str, deprecation: bool) {
    let text = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
    Python::attach(|py| {
        let category = if deprecation {
            py.get_type::<pyo3::exceptions::PyDeprecationWarning>()
        } else {
            py.get_type::<pyo3::exceptions::PyUserWarning>()
        };
        // A warning turned into an error by a filter cannot cross libtorch;
        // it is reported as unraisable instead.
        if let Err(err) = PyErr::warn(py, &category, &text, user_stacklevel(py)) {
            err.write_unraisable(py, None);
        }
    });
}

#[pymodule]
fn _flodl(m: &Bound<'_, PyModule>) -> PyResult<()> {
    route_warnings_to_python();
    guard::install_quiet_hook();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    amp::register(m)?;
    cuda::register(m)?;
    catalogue::nn_functions::register(m)?;
    m.add_function(wrap_pyfunction!(rnn::lstm, m)?)?;
    m.add_function(wrap_pyfunction!(
        attention::multi_head_attention_forward,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(attention::square_subsequent_mask, m)?)?;
    m.add_function(wrap_pyfunction!(attention::nested_padding, m)?)?;
    m.add_function(wrap_pyfunction!(attention::nested_tensor_warning, m)?)?;
    m.add_function(wrap_pyfunction!(func::gradcheck, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::gru, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::recurrent, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::recurrent_packed, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::pack_padded_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::pad_packed_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::invert_permutation, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::pack_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::unpad_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::unpack_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::triangle_indices, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::unravel_index, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::window, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::fftfreq, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::normal, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::result_type, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::broadcast_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::promote_types, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::can_cast, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::recurrent_weights, m)?)?;
    m.add_function(wrap_pyfunction!(rnn::recurrent_cell, m)?)?;
    m.add_function(wrap_pyfunction!(layers::softmax_dim, m)?)?;
    m.add_function(wrap_pyfunction!(layers::spectral_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(layers::spectral_power_iteration, m)?)?;
    m.add_function(wrap_pyfunction!(layers::spectral_normalized, m)?)?;
    m.add_function(wrap_pyfunction!(layers::orthogonal, m)?)?;
    m.add_function(wrap_pyfunction!(layers::fuse_bn_weights, m)?)?;
    m.add_function(wrap_pyfunction!(layers::orthogonal_right_inverse, m)?)?;
    m.add_function(wrap_pyfunction!(layers::state_dict_error, m)?)?;
    m.add_function(wrap_pyfunction!(norm::batch_norm_layer, m)?)?;
    m.add_function(wrap_pyfunction!(norm::instance_norm_layer, m)?)?;
    m.add_function(wrap_pyfunction!(conv::conv_layer, m)?)?;
    m.add_function(wrap_pyfunction!(interpolate::interpolate, m)?)?;
    m.add_function(wrap_pyfunction!(conv::conv_weight_shape, m)?)?;
    m.add_function(wrap_pyfunction!(interop::from_dlpack, m)?)?;
    m.add_function(wrap_pyfunction!(optim::check, m)?)?;
    m.add_function(wrap_pyfunction!(optim::defaults, m)?)?;
    m.add_function(wrap_pyfunction!(optim::step, m)?)?;
    m.add_function(wrap_pyfunction!(optim::folds_scaling, m)?)?;
    m.add_function(wrap_pyfunction!(optim::init, m)?)?;
    m.add_function(wrap_pyfunction!(init::nn_init, m)?)?;
    m.add_function(wrap_pyfunction!(init::nn_layer_init, m)?)?;
    m.add_function(wrap_pyfunction!(init::gain, m)?)?;
    m.add_function(wrap_pyfunction!(init::fans, m)?)?;
    m.add_function(wrap_pyfunction!(optim::lbfgs_step, m)?)?;
    m.add_function(wrap_pyfunction!(optim::lbfgs_state, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::lr_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::warm_restarts_step, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::plateau_step, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::plateau_worst, m)?)?;
    m.add_function(wrap_pyfunction!(optim::read_state, m)?)?;
    m.add_function(wrap_pyfunction!(optim::generic_places, m)?)?;
    m.add_function(wrap_pyfunction!(optim::place, m)?)?;
    m.add_function(wrap_pyfunction!(optim::clip_grad_norm, m)?)?;
    m.add_function(wrap_pyfunction!(optim::total_norm, m)?)?;
    m.add_function(wrap_pyfunction!(optim::clip_grads_with_norm, m)?)?;
    m.add_function(wrap_pyfunction!(optim::clip_grads_value, m)?)?;
    m.add_function(wrap_pyfunction!(optim::parameters_to_vector, m)?)?;
    m.add_function(wrap_pyfunction!(optim::vector_to_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(optim::prune_mask, m)?)?;
    m.add_function(wrap_pyfunction!(optim::prune_combined, m)?)?;
    m.add_function(wrap_pyfunction!(optim::prune_global, m)?)?;
    m.add_function(wrap_pyfunction!(optim::swa_averaged, m)?)?;
    m.add_function(wrap_pyfunction!(optim::ema_averaged, m)?)?;
    m.add_function(wrap_pyfunction!(optim::update_average_, m)?)?;
    m.add_function(wrap_pyfunction!(optim::ema_average_, m)?)?;
    m.add_function(wrap_pyfunction!(optim::swa_lerp_, m)?)?;
    m.add_function(wrap_pyfunction!(optim::check_decay, m)?)?;
    m.add_class::<classes::PyTensor>()?;
    m.add_class::<classes::PyVariable>()?;
    m.add_class::<classes::PyDevice>()?;
    m.add_class::<distributions::PyDistribution>()?;
    m.add_class::<distributions::PyTransform>()?;
    m.add_function(wrap_pyfunction!(distributions::constraint_check, m)?)?;
    m.add_class::<hooks::PyHookHandle>()?;
    m.add_class::<classes::PyTensorOptions>()?;
    m.add_class::<crate::DType>()?;
    m.add_class::<crate::dtype::FloatInfo>()?;
    m.add_class::<crate::dtype::IntInfo>()?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_interop_threads, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_interop_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(save, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(set_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_available, m)?)?;
    m.add_function(wrap_pyfunction!(live_tensor_count, m)?)?;
    m.add_function(wrap_pyfunction!(args::is_torch_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(function::function_apply, m)?)?;
    m.add_function(wrap_pyfunction!(function::checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(extension::to_capsule, m)?)?;
    m.add_function(wrap_pyfunction!(extension::from_capsule, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_device_count, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(set_printoptions, m)?)?;
    m.add_function(wrap_pyfunction!(get_printoptions, m)?)?;
    m.add_function(wrap_pyfunction!(cudnn_available, m)?)?;
    m.add_function(wrap_pyfunction!(cudnn_set_benchmark, m)?)?;
    m.add_function(wrap_pyfunction!(switches, m)?)?;
    m.add_function(wrap_pyfunction!(set_sdp_backends, m)?)?;
    m.add_function(wrap_pyfunction!(default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(tensor::variable_view, m)?)?;
    m.add_function(wrap_pyfunction!(catalogue::catalogue, m)?)?;
    m.add_function(wrap_pyfunction!(autograd_grad, m)?)?;
    m.add_function(wrap_pyfunction!(autograd_backward, m)?)?;
    m.add_class::<InferenceMode>()?;
    m.add_class::<DetectAnomaly>()?;
    crate::ops::anomaly::set_location_source(python_location);
    m.add_function(wrap_pyfunction!(is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(func::vjp, m)?)?;
    m.add_function(wrap_pyfunction!(func::jvp, m)?)?;
    m.add_function(wrap_pyfunction!(func::enter_dual_level, m)?)?;
    m.add_function(wrap_pyfunction!(func::exit_dual_level, m)?)?;
    m.add_function(wrap_pyfunction!(func::make_dual, m)?)?;
    m.add_function(wrap_pyfunction!(func::unpack_dual, m)?)?;
    m.add_function(wrap_pyfunction!(func::vmap, m)?)?;
    m.add_function(wrap_pyfunction!(func::grad_and_value, m)?)?;
    m.add_function(wrap_pyfunction!(func::jacobian, m)?)?;
    m.add_function(wrap_pyfunction!(func::hessian, m)?)?;
    m.add_function(wrap_pyfunction!(func::hvp, m)?)?;
    m.add_class::<func::VjpFn>()?;
    m.add_class::<graph::PyNode>()?;
    m.add_function(wrap_pyfunction!(catalogue::modes, m)?)?;
    Ok(())
}
