//! The CUDA device beyond its kernels (SPEC §13): CUDA graphs on libtorch's
//! `at::cuda::CUDAGraph`, a whole training step as one graph replay
//! ([`GraphedStep`]), the caching allocator's statistics and the devices'
//! properties. Without a CUDA device each call is a Device error.

use crate::error::{bail, ensure, Error};
use crate::ffi::{self, EventHandle, GraphHandle, PackedStream};
use crate::ops::Operand;
use crate::{DType, Device, ErrorKind, Result, Tensor};

fn cuda_index(op: &str, device: Device) -> Result<u8> {
    match device {
        Device::CUDA(i) => Ok(i),
        Device::CPU => bail!(Device, "{op}: needs a CUDA device, got cpu"),
    }
}

/// A copy of `t`'s values in memory of its own, without its graph: a
/// static buffer that writing into never touches the caller's tensor.
fn own_copy(op: &str, t: &tch::Tensor) -> Result<tch::Tensor> {
    let mut out = t.f_empty_like().map_err(|e| Error::from_torch(op, "", e))?;
    crate::no_grad(|| out.f_copy_(t)).map_err(|e| Error::from_torch(op, "", e))?;
    Ok(out)
}

fn failed(op: &str) -> impl Fn(crate::error::Failure) -> Error + '_ {
    move |f| Error::from_failure(op, "", f)
}

/// A memory pool graphs can share (`torch.cuda.graph_pool_handle()`): graphs
/// captured into one pool must be replayed in the order of their capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemPool {
    id: (u64, u64),
}

impl MemPool {
    /// The pool libtorch knows by this pair of ids (what Python's
    /// `graph_pool_handle()` gives).
    pub fn from_ids(ids: (u64, u64)) -> Self {
        MemPool { id: ids }
    }

    pub fn ids(self) -> (u64, u64) {
        self.id
    }
}

/// A fresh memory pool for graphs to share.
pub fn graph_pool_handle() -> Result<MemPool> {
    let id = ffi::cuda_graph_pool_handle().map_err(failed("graph_pool_handle"))?;
    Ok(MemPool { id })
}

/// A CUDA graph: the kernels queued between [`capture_begin`] and
/// [`capture_end`] (on a side stream, as `torch.cuda.graph`), replayed with
/// one launch. Tensors made during capture live in the graph's pool and are
/// rewritten by each replay.
///
/// [`capture_begin`]: CudaGraph::capture_begin
/// [`capture_end`]: CudaGraph::capture_end
#[derive(Debug)]
pub struct CudaGraph {
    handle: GraphHandle,
    device: u8,
}

impl CudaGraph {
    /// An empty graph on `device` (a CUDA device).
    pub fn new(device: Device) -> Result<Self> {
        let op = "CUDAGraph";
        let index = cuda_index(op, device)?;
        let handle = ffi::cuda_graph_new(index).map_err(failed(op))?;
        Ok(CudaGraph {
            handle,
            device: index,
        })
    }

    pub fn device(&self) -> Device {
        Device::CUDA(self.device)
    }

    /// Starts capturing the work queued on this thread (into `pool`, or the
    /// graph's own).
    pub fn capture_begin(&mut self, pool: Option<MemPool>) -> Result<()> {
        let id = pool.map_or((0, 0), |p| p.id);
        (self.handle.capture_begin(id)).map_err(failed("CUDAGraph.capture_begin"))
    }

    pub fn capture_end(&mut self) -> Result<()> {
        (self.handle.capture_end()).map_err(failed("CUDAGraph.capture_end"))
    }

    /// Captures what `f` queues: the capture ends also when `f` fails, whose
    /// error is returned.
    pub fn capture<T>(
        &mut self,
        pool: Option<MemPool>,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.capture_begin(pool)?;
        // Ended also when `f` panics: an open capture breaks every later
        // CUDA call of the process.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let ended = self.capture_end();
        let value = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        ended?;
        Ok(value)
    }

    pub fn replay(&mut self) -> Result<()> {
        (self.handle.replay()).map_err(failed("CUDAGraph.replay"))
    }

    /// Frees the captured graph and its pool's memory (when no other graph
    /// shares it).
    pub fn reset(&mut self) -> Result<()> {
        (self.handle.reset()).map_err(failed("CUDAGraph.reset"))
    }

    /// The graph's memory pool, for other graphs to share.
    pub fn pool(&self) -> Result<MemPool> {
        let id = (self.handle.pool()).map_err(failed("CUDAGraph.pool"))?;
        Ok(MemPool { id })
    }
}

/// Runs `f` with a fresh side stream of `device` current, ordered after the
/// work queued so far and before the work queued after it: the warm-up
/// PyTorch asks for before a capture.
pub fn on_side_stream<T>(device: Device, f: impl FnOnce() -> T) -> Result<T> {
    let op = "on_side_stream";
    let region = ffi::side_stream_enter(cuda_index(op, device)?).map_err(failed(op))?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let left = ffi::side_stream_exit(region).map_err(failed(op));
    let value = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    left?;
    Ok(value)
}

/// A CUDA stream: a queue of kernels that runs in order, beside other
/// streams. Plain data (copy it freely); libtorch keeps the streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stream {
    packed: PackedStream,
}

impl Stream {
    /// A stream from libtorch's pool on `device` (`priority` < 0: higher).
    pub fn new(device: Device, priority: i32) -> Result<Stream> {
        let op = "Stream";
        let packed = ffi::cuda_stream_new(cuda_index(op, device)?, priority).map_err(failed(op))?;
        Ok(Stream { packed })
    }

    /// The stream this thread queues `device`'s kernels on.
    pub fn current(device: Device) -> Result<Stream> {
        let op = "current_stream";
        let packed = ffi::cuda_current_stream(cuda_index(op, device)?).map_err(failed(op))?;
        Ok(Stream { packed })
    }

    pub fn device(&self) -> Device {
        // Stream indices come from a u8 device index.
        Device::CUDA(u8::try_from(self.packed.device_index).unwrap_or(0))
    }

    /// libtorch's id of the stream (0: the default stream).
    pub fn id(&self) -> i64 {
        self.packed.id
    }

    /// Waits until every kernel queued on the stream is done.
    pub fn synchronize(&self) -> Result<()> {
        ffi::cuda_stream_synchronize(self.packed).map_err(failed("Stream.synchronize"))
    }

    /// Whether every kernel queued on the stream is done.
    pub fn query(&self) -> Result<bool> {
        ffi::cuda_stream_query(self.packed).map_err(failed("Stream.query"))
    }

    /// Makes this stream's later work wait for the work queued on `other`
    /// so far.
    pub fn wait_stream(&self, other: &Stream) -> Result<()> {
        let mut event = Event::new(false)?;
        event.record(other)?;
        event.wait(self)
    }
}

/// Makes `stream` the current stream of its device on this thread.
pub fn set_stream(stream: &Stream) -> Result<()> {
    ffi::cuda_set_current_stream(stream.packed).map_err(failed("set_stream"))
}

/// Runs `f` with `stream` current on its device, then restores the stream
/// that was current.
pub fn with_stream<T>(stream: &Stream, f: impl FnOnce() -> T) -> Result<T> {
    let previous = Stream::current(stream.device())?;
    set_stream(stream)?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let restored = set_stream(&previous);
    let value = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    restored?;
    Ok(value)
}

/// A CUDA event: a mark in a stream's queue that other streams or the host
/// can wait for, and (made with timing) time between.
#[derive(Debug)]
pub struct Event {
    handle: EventHandle,
}

impl Event {
    pub fn new(enable_timing: bool) -> Result<Event> {
        let handle = ffi::cuda_event_new(enable_timing).map_err(failed("Event"))?;
        Ok(Event { handle })
    }

    /// Marks the work queued on `stream` so far.
    pub fn record(&mut self, stream: &Stream) -> Result<()> {
        (self.handle.record(stream.packed)).map_err(failed("Event.record"))
    }

    /// Makes `stream`'s later work wait for the marked work.
    pub fn wait(&self, stream: &Stream) -> Result<()> {
        (self.handle.block(stream.packed)).map_err(failed("Event.wait"))
    }

    /// Waits on the host until the marked work is done.
    pub fn synchronize(&self) -> Result<()> {
        (self.handle.synchronize()).map_err(failed("Event.synchronize"))
    }

    pub fn query(&self) -> Result<bool> {
        (self.handle.query()).map_err(failed("Event.query"))
    }

    /// Milliseconds from this event to `end` (both recorded and done, both
    /// made with timing).
    pub fn elapsed_time(&self, end: &Event) -> Result<f64> {
        (self.handle.elapsed_time(&end.handle)).map_err(failed("Event.elapsed_time"))
    }
}

/// Bytes held by tensors on `device` (the caching allocator's count).
pub fn memory_allocated(device: Device) -> Result<i64> {
    Ok(memory_stats("memory_allocated", device)?[0])
}

/// The peak of [`memory_allocated`] since the start or the last reset.
pub fn max_memory_allocated(device: Device) -> Result<i64> {
    Ok(memory_stats("max_memory_allocated", device)?[1])
}

/// Bytes the caching allocator holds from CUDA on `device`.
pub fn memory_reserved(device: Device) -> Result<i64> {
    Ok(memory_stats("memory_reserved", device)?[2])
}

/// The peak of [`memory_reserved`].
pub fn max_memory_reserved(device: Device) -> Result<i64> {
    Ok(memory_stats("max_memory_reserved", device)?[3])
}

fn memory_stats(op: &str, device: Device) -> Result<[i64; 4]> {
    ffi::cuda_memory_stats(cuda_index(op, device)?).map_err(failed(op))
}

pub fn reset_peak_memory_stats(device: Device) -> Result<()> {
    let op = "reset_peak_memory_stats";
    ffi::cuda_reset_peak_memory_stats(cuda_index(op, device)?).map_err(failed(op))
}

/// Gives the cached, unused blocks back to CUDA (nothing without CUDA).
pub fn empty_cache() -> Result<()> {
    ffi::cuda_empty_cache().map_err(failed("empty_cache"))
}

/// What [`get_device_properties`] tells of a CUDA device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceProperties {
    pub name: String,
    pub total_memory: i64,
    pub major: i32,
    pub minor: i32,
    pub multi_processor_count: i32,
}

pub fn get_device_properties(device: Device) -> Result<DeviceProperties> {
    let op = "get_device_properties";
    let (p, name) = ffi::cuda_device_properties(cuda_index(op, device)?).map_err(failed(op))?;
    Ok(DeviceProperties {
        name,
        total_memory: p.total_memory,
        major: p.major,
        minor: p.minor,
        multi_processor_count: p.multi_processor_count,
    })
}

pub fn get_device_name(device: Device) -> Result<String> {
    Ok(get_device_properties(device)?.name)
}

/// What a batch tensor must be for a captured graph to take it.
#[derive(Debug, Clone, PartialEq)]
struct Signature {
    shapes: Vec<Vec<i64>>,
    dtypes: Vec<DType>,
    devices: Vec<Device>,
}

impl Signature {
    fn of(batch: &[Tensor]) -> Self {
        Signature {
            shapes: batch.iter().map(Tensor::shape).collect(),
            dtypes: batch.iter().map(Tensor::dtype).collect(),
            devices: batch.iter().map(Tensor::device).collect(),
        }
    }

    /// Why `other` does not fit, in words (None: it fits).
    fn mismatch(&self, other: &Signature) -> Option<String> {
        if self.shapes.len() != other.shapes.len() {
            return Some(format!(
                "got {} batch tensors, the captured graph takes {}",
                other.shapes.len(),
                self.shapes.len()
            ));
        }
        for i in 0..self.shapes.len() {
            if self.shapes[i] != other.shapes[i] {
                return Some(format!(
                    "batch tensor {i} has shape {:?}, the captured graph {:?}",
                    other.shapes[i], self.shapes[i]
                ));
            }
            if self.dtypes[i] != other.dtypes[i] {
                return Some(format!(
                    "batch tensor {i} is {}, the captured graph {}",
                    other.dtypes[i].name(),
                    self.dtypes[i].name()
                ));
            }
            if self.devices[i] != other.devices[i] {
                return Some(format!(
                    "batch tensor {i} is on {}, the captured graph on {}",
                    other.devices[i], self.devices[i]
                ));
            }
        }
        None
    }
}

/// One captured step: its graph, its static input buffers and its loss.
#[derive(Debug)]
struct Captured {
    signature: Signature,
    graph: CudaGraph,
    inputs: Vec<Tensor>,
    loss: Tensor,
}

/// At most this many graphs are kept with recapture (the oldest goes).
const RECAPTURE_CACHE: usize = 8;

/// A whole training step (forward, loss, `zero_grad`, backward, optimizer
/// step, GradScaler calls) captured once into one CUDA graph and replayed
/// per batch: `step` copies the batch into static buffers, replays, and
/// returns the static loss. Parameters, gradients and optimizer state stay
/// the model's own tensors. The learning rate and anything else the step
/// reads from the host are fixed at capture; optimizers that read values
/// back (NAdam, RAdam, Adamax, LBFGS) cannot be captured.
///
/// ```no_run
/// use flodl::cuda::GraphedStep;
/// use flodl::{Device, Tensor};
/// # fn main() -> flodl::Result<()> {
/// let x = Tensor::randn(&[64, 32], Default::default())?.to_device(Device::CUDA(0))?;
/// let mut graphed = GraphedStep::new(
///     |batch: &[Tensor]| -> flodl::Result<Tensor> {
///         // forward, loss, zero_grad, backward, optimizer step; returns the loss
///         batch[0].sum()
///     },
///     &[x.clone()],
///     3,
/// )?;
/// let loss = graphed.step(&[x])?;
/// # Ok(())
/// # }
/// ```
pub struct GraphedStep<F> {
    step: F,
    warmup: usize,
    recapture: bool,
    /// The most recently used graph first, each in a memory pool of its
    /// own: they replay in any order, which a shared pool would not allow.
    graphs: Vec<Captured>,
}

impl<F> std::fmt::Debug for GraphedStep<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphedStep")
            .field("warmup", &self.warmup)
            .field("recapture", &self.recapture)
            .field("graphs", &self.graphs.len())
            .finish()
    }
}

impl<F: FnMut(&[Tensor]) -> Result<Tensor>> GraphedStep<F> {
    /// Warms `step` up `warmup` (at least 1) times on a side stream (the
    /// optimizer's state and first step happen then; these are real
    /// training steps), then captures it once on `example` (tensors on one
    /// CUDA device), whose copies become the static input buffers.
    pub fn new(step: F, example: &[Tensor], warmup: usize) -> Result<Self> {
        let op = "graphed_step";
        ensure!(
            !example.is_empty(),
            Argument,
            "{op}: needs at least one batch tensor to capture the step with"
        );
        ensure!(
            warmup >= 1,
            Argument,
            "{op}: warmup must be at least 1 (the optimizer's state and first step must run before the capture)"
        );
        let device = example[0].device();
        for (i, t) in example.iter().enumerate() {
            let d = t.device();
            ensure!(
                matches!(d, Device::CUDA(_)),
                Device,
                "{op}: batch tensor {i} is on {d}; a graphed step runs on a CUDA device"
            );
            ensure!(
                d == device,
                Device,
                "{op}: batch tensor {i} is on {d}, batch tensor 0 on {device}"
            );
        }
        let mut graphed = GraphedStep {
            step,
            warmup,
            recapture: false,
            graphs: Vec::new(),
        };
        graphed.capture(example, warmup)?;
        Ok(graphed)
    }

    /// With `on`, a batch of another shape, dtype or device gets a graph of
    /// its own instead of an Argument error: its first use runs the step
    /// eagerly once on it (its training step, and the new shape's warm-up)
    /// and captures; later batches of that signature replay. The 8 most
    /// recently used graphs are kept, each in its own memory pool. Zero the
    /// gradients with `set_to_none = false` in a step captured several
    /// times: with `None`, each graph's backward makes gradient tensors of
    /// its own and `param.grad` shows the last-captured graph's, whatever
    /// graph replayed last.
    pub fn set_recapture(&mut self, on: bool) {
        self.recapture = on;
    }

    /// Runs `warmup` (at least 1) eager steps on `example` on a side
    /// stream, then captures the step; returns the last eager step's loss.
    fn capture(&mut self, example: &[Tensor], warmup: usize) -> Result<Tensor> {
        let device = example[0].device();
        let inputs = example
            .iter()
            .map(|t| own_copy("graphed_step", t.raw()).map(Tensor::from_raw))
            .collect::<Result<Vec<Tensor>>>()?;
        let step = &mut self.step;
        let eager_loss = on_side_stream(device, || -> Result<Tensor> {
            let mut loss = step(&inputs)?;
            for _ in 1..warmup {
                loss = step(&inputs)?;
            }
            Ok(loss)
        })??;
        let mut graph = CudaGraph::new(device)?;
        let loss = graph.capture(None, || step(&inputs))?;
        self.graphs.insert(
            0,
            Captured {
                signature: Signature::of(example),
                graph,
                inputs,
                loss,
            },
        );
        self.graphs.truncate(RECAPTURE_CACHE);
        Ok(eager_loss)
    }

    /// One training step on `batch`: copied into the static buffers, the
    /// graph replayed; returns the loss (the same static tensor each time).
    pub fn step(&mut self, batch: &[Tensor]) -> Result<Tensor> {
        let op = "graphed_step";
        let signature = Signature::of(batch);
        let found = self
            .graphs
            .iter()
            .position(|c| c.signature.mismatch(&signature).is_none());
        let index = match found {
            Some(i) => i,
            None if self.recapture => {
                if let Some(d) = signature
                    .devices
                    .iter()
                    .find(|d| !matches!(d, Device::CUDA(_)))
                {
                    bail!(
                        Device,
                        "{op}: a batch tensor is on {d}; a graphed step runs on a CUDA device"
                    );
                }
                // One eager step (the warm-up a new shape needs) is this
                // batch's training step; the new graph serves the next ones.
                return self.capture(batch, 1);
            }
            None => {
                let why = (self.graphs.first())
                    .and_then(|c| c.signature.mismatch(&signature))
                    .unwrap_or_default();
                return Err(Error::new(
                    ErrorKind::Argument,
                    format!("{op}: {why} (recapture=True captures a graph per shape)"),
                ));
            }
        };
        let captured = &mut self.graphs[index];
        for (buffer, value) in captured.inputs.iter().zip(batch) {
            let mut target = buffer.raw().shallow_clone();
            target
                .f_copy_(value.raw())
                .map_err(|e| Error::from_torch(op, "", e))?;
        }
        captured.graph.replay()?;
        let loss = captured.loss.clone();
        if index != 0 {
            let used = self.graphs.remove(index);
            self.graphs.insert(0, used);
        }
        Ok(loss)
    }
}

/// What a [`GraphedCallable`]'s backward node replays: the backward graph,
/// its static gradient buffers, and where each input's gradient is.
struct GraphedBackward {
    graph: CudaGraph,
    /// One per differentiable output: where the incoming gradient goes.
    grad_outputs: Vec<Tensor>,
    /// Per input of the node (the call's arguments, then the parameters):
    /// the static gradient the graph writes, None where there is none.
    grad_inputs: Vec<Option<Tensor>>,
}

/// A function whose forward and backward are each one CUDA graph, as
/// PyTorch's `make_graphed_callables` makes them: calling it copies the
/// arguments into static buffers and replays the forward graph; its
/// backward node replays the backward graph. Outputs and gradients are the
/// graphs' static tensors (the next replay overwrites them).
pub struct GraphedCallable {
    forward: CudaGraph,
    signature: Signature,
    /// Whether each argument required grad at capture (the backward graph
    /// differentiates by those).
    requires_grad: Vec<bool>,
    inputs: Vec<Tensor>,
    outputs: Vec<Tensor>,
    differentiable: Vec<bool>,
    params: Vec<crate::Variable>,
    backward: std::sync::Arc<std::sync::Mutex<GraphedBackward>>,
}

impl std::fmt::Debug for GraphedCallable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphedCallable")
            .field("inputs", &self.signature.shapes)
            .field("outputs", &self.outputs.len())
            .finish()
    }
}

/// A callable [`make_graphed_callables`] captures: arguments to outputs.
pub type StageFn<'a> = Box<dyn FnMut(&[crate::Variable]) -> Result<Vec<crate::Variable>> + 'a>;

/// One callable for [`make_graphed_callables`]: the function, the sample
/// arguments that fix its shapes (and which of them require grad), and the
/// parameters it reads.
pub struct GraphedSpec<'a> {
    pub f: StageFn<'a>,
    pub sample_args: Vec<crate::Variable>,
    pub params: Vec<crate::Variable>,
}

impl std::fmt::Debug for GraphedSpec<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphedSpec")
            .field("sample_args", &self.sample_args.len())
            .field("params", &self.params.len())
            .finish()
    }
}

/// The gradients by `targets` of `outputs`' differentiable ones, with
/// `grads` as their gradients (ones when None, as the warm-up runs it).
fn grads_by(
    targets: &[&crate::Variable],
    outputs: &[crate::Variable],
    grads: Option<&[&crate::Variable]>,
) -> Result<Vec<Option<crate::Variable>>> {
    use crate::Variable;
    let diff: Vec<&Variable> = outputs.iter().filter(|o| o.requires_grad()).collect();
    if diff.is_empty() || targets.is_empty() {
        return Ok(vec![None; targets.len()]);
    }
    let ones = match grads {
        Some(_) => Vec::new(),
        None => (diff.iter())
            .map(|o| Variable::new(Tensor::ones_like(&o.data())?, false))
            .collect::<Result<Vec<Variable>>>()?,
    };
    let ones: Vec<&Variable> = ones.iter().collect();
    let options = crate::autograd::GradOptions {
        grad_outputs: Some(grads.unwrap_or(&ones)),
        allow_unused: true,
        ..Default::default()
    };
    crate::autograd::grad(&diff, targets, options)
}

/// A callable between its warm-up and its backward capture.
struct Capturing<'a> {
    spec: GraphedSpec<'a>,
    /// The static copies of the sample arguments the graphs read.
    statics: Vec<crate::Variable>,
}

impl Capturing<'_> {
    /// The backward node's inputs: the arguments, then the parameters.
    fn node_inputs(&self) -> Vec<&crate::Variable> {
        self.statics.iter().chain(&self.spec.params).collect()
    }

    /// What the backward graph differentiates by: the node's inputs that
    /// require grad.
    fn targets(&self) -> Vec<&crate::Variable> {
        let inputs = self.node_inputs();
        inputs.into_iter().filter(|v| v.requires_grad()).collect()
    }
}

/// Captures each callable's forward and backward into CUDA graphs, as
/// PyTorch's `make_graphed_callables`: `warmup` forward and backward runs
/// of each on a side stream, then the forwards captured in order and the
/// backwards in reverse order, all into one memory pool (`pool`, or a new
/// one). Graphs sharing a pool must replay in the order they were
/// captured, so call the callables in the order given and run their
/// backwards in reverse order (as a model split into stages does).
pub fn make_graphed_callables(
    callables: Vec<GraphedSpec<'_>>,
    warmup: usize,
    allow_unused_input: bool,
    pool: Option<MemPool>,
) -> Result<Vec<GraphedCallable>> {
    use crate::Variable;
    let op = "make_graphed_callables";
    ensure!(
        !callables.is_empty(),
        Argument,
        "{op}: needs at least one callable"
    );
    ensure!(
        warmup >= 1,
        Argument,
        "{op}: num_warmup_iters must be at least 1"
    );
    ensure!(
        !(crate::amp::is_autocast_enabled(Device::CUDA(0))
            && crate::amp::is_autocast_cache_enabled()),
        Argument,
        "{op}: autocast's weight cache cannot be captured; use autocast(..., cache_enabled=False)"
    );
    let several = callables.len() > 1;
    let which = |c: usize| {
        if several {
            format!("callable {c}'s ")
        } else {
            String::new()
        }
    };
    let device = match callables[0].sample_args.first() {
        Some(v) => v.device(),
        None => Device::CPU, // refused just below
    };
    for (c, spec) in callables.iter().enumerate() {
        ensure!(
            !spec.sample_args.is_empty(),
            Argument,
            "{op}: {}needs at least one sample argument",
            which(c)
        );
    }
    for (c, spec) in callables.iter().enumerate() {
        for (i, v) in spec.sample_args.iter().chain(&spec.params).enumerate() {
            let d = v.device();
            ensure!(
                matches!(d, Device::CUDA(_)) && d == device,
                Device,
                "{op}: every sample argument and parameter must be on one CUDA device; {}tensor {i} is on {d}",
                which(c)
            );
        }
    }
    let mut capturing = callables
        .into_iter()
        .map(|spec| {
            let statics = (spec.sample_args.iter())
                .map(|v| {
                    let copy = own_copy(op, v.raw())?;
                    Variable::new(Tensor::from_raw(copy), v.requires_grad())
                })
                .collect::<Result<Vec<Variable>>>()?;
            Ok(Capturing { spec, statics })
        })
        .collect::<Result<Vec<Capturing>>>()?;
    on_side_stream(device, || -> Result<()> {
        for (c, callable) in capturing.iter_mut().enumerate() {
            for _ in 0..warmup {
                let outputs = (callable.spec.f)(&callable.statics)?;
                let grads = grads_by(&callable.targets(), &outputs, None)?;
                if !allow_unused_input {
                    if let Some(i) = grads.iter().position(Option::is_none) {
                        bail!(
                            Argument,
                            "{op}: {}differentiated input {i} (arguments, then parameters, that require grad) does not reach the outputs; pass allow_unused_input=True",
                            which(c)
                        );
                    }
                }
            }
        }
        Ok(())
    })??;
    let pool = match pool {
        Some(p) => p,
        None => graph_pool_handle()?,
    };
    let mut forwards = Vec::with_capacity(capturing.len());
    for callable in &mut capturing {
        let mut graph = CudaGraph::new(device)?;
        let outputs = graph.capture(Some(pool), || (callable.spec.f)(&callable.statics))?;
        forwards.push((graph, outputs));
    }
    let mut backwards = Vec::with_capacity(capturing.len());
    for (callable, (_, outputs)) in capturing.iter().zip(&forwards).rev() {
        let grad_buffers = (outputs.iter().filter(|o| o.requires_grad()))
            .map(|o| Tensor::zeros_like(&o.data()))
            .collect::<Result<Vec<Tensor>>>()?;
        let grad_vars = (grad_buffers.iter())
            .map(|t| Variable::new(t.clone(), false))
            .collect::<Result<Vec<Variable>>>()?;
        let grad_refs: Vec<&Variable> = grad_vars.iter().collect();
        let mut graph = CudaGraph::new(device)?;
        let grads = graph.capture(Some(pool), || {
            grads_by(&callable.targets(), outputs, Some(&grad_refs))
        })?;
        // Back to the node's input order: None for those that need no gradient.
        let mut grads = grads.into_iter();
        let grad_inputs = (callable.node_inputs().iter())
            .map(|v| {
                if v.requires_grad() {
                    grads.next().flatten().map(|g| g.data())
                } else {
                    None
                }
            })
            .collect();
        backwards.push(GraphedBackward {
            graph,
            grad_outputs: grad_buffers,
            grad_inputs,
        });
    }
    backwards.reverse();
    let made = (capturing.into_iter().zip(forwards).zip(backwards))
        .map(|((callable, (forward, outputs)), backward)| {
            let sample_values: Vec<Tensor> = (callable.spec.sample_args.iter())
                .map(Variable::data)
                .collect();
            GraphedCallable {
                forward,
                signature: Signature::of(&sample_values),
                requires_grad: (callable.spec.sample_args.iter())
                    .map(Variable::requires_grad)
                    .collect(),
                inputs: callable.statics.iter().map(Variable::data).collect(),
                differentiable: outputs.iter().map(Variable::requires_grad).collect(),
                outputs: outputs.iter().map(Variable::data).collect(),
                params: callable.spec.params,
                backward: std::sync::Arc::new(std::sync::Mutex::new(backward)),
            }
        })
        .collect();
    Ok(made)
}

/// [`make_graphed_callables`] for one callable `f` (on `sample_args`, with
/// `params` the parameters it reads), in a memory pool of its own.
pub fn make_graphed_callable<F>(
    f: F,
    sample_args: &[crate::Variable],
    params: &[crate::Variable],
    warmup: usize,
    allow_unused_input: bool,
) -> Result<GraphedCallable>
where
    F: FnMut(&[crate::Variable]) -> Result<Vec<crate::Variable>>,
{
    let spec = GraphedSpec {
        f: Box::new(f),
        sample_args: sample_args.to_vec(),
        params: params.to_vec(),
    };
    let made = make_graphed_callables(vec![spec], warmup, allow_unused_input, None)?;
    // One spec makes exactly one callable.
    made.into_iter().next().ok_or_else(|| {
        Error::new(
            ErrorKind::Argument,
            "make_graphed_callables: no graph was made",
        )
    })
}

impl GraphedCallable {
    /// Replays the forward graph on `args` (shaped as the sample
    /// arguments) and returns its outputs, whose backward replays the
    /// backward graph.
    pub fn call(&mut self, args: &[crate::Variable]) -> Result<Vec<crate::Variable>> {
        let op = "GraphedCallable";
        let values: Vec<Tensor> = args.iter().map(crate::Variable::data).collect();
        if let Some(why) = self.signature.mismatch(&Signature::of(&values)) {
            bail!(Argument, "{op}: {why}");
        }
        for (i, (arg, captured)) in args.iter().zip(&self.requires_grad).enumerate() {
            ensure!(
                arg.requires_grad() == *captured,
                Argument,
                "{op}: argument {i} {} grad, the sample argument it was captured with {}",
                if arg.requires_grad() {
                    "requires"
                } else {
                    "does not require"
                },
                if *captured { "did" } else { "did not" }
            );
        }
        for (buffer, value) in self.inputs.iter().zip(&values) {
            if buffer.raw().data_ptr() != value.raw().data_ptr() {
                let mut target = buffer.raw().shallow_clone();
                target
                    .f_copy_(value.raw())
                    .map_err(|e| Error::from_torch(op, "", e))?;
            }
        }
        self.forward.replay()?;
        let node_inputs: Vec<&crate::Variable> = args.iter().chain(&self.params).collect();
        let shared = std::sync::Arc::clone(&self.backward);
        let differentiable = self.differentiable.clone();
        let backward = move |grads: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
            // A poisoned lock only means a panic (an error) in a backward.
            let mut parts = shared.lock().unwrap_or_else(|p| p.into_inner());
            // One gradient per output (materialized); the differentiable
            // ones feed the graph.
            let incoming = (grads.iter().zip(&differentiable)).filter(|(_, d)| **d);
            for (buffer, (grad, _)) in parts.grad_outputs.iter().zip(incoming) {
                let Some(grad) = grad else { continue };
                let mut target = buffer.raw().shallow_clone();
                target
                    .f_copy_(grad.raw())
                    .map_err(|e| Error::from_torch("GraphedCallable.backward", "", e))?;
            }
            parts.graph.replay()?;
            Ok(parts.grad_inputs.clone())
        };
        let outputs: Vec<&Tensor> = self.outputs.iter().collect();
        crate::autograd::attach(
            op,
            &node_inputs,
            &outputs,
            &crate::autograd::function::OutputKind::all(&self.differentiable),
            true,
            backward,
            Box::new(|| {}),
        )
    }
}
