//! Custom differentiable functions: a forward computed without a graph and
//! a hand-written backward, joined into libtorch's graph as one node (a
//! `FlodlNode` of the shim), so they mix with built-in ops, hooks,
//! `retain_graph`, `autograd::grad` and `create_graph`.

use std::sync::{Arc, Mutex};

use crate::error::{bail, Error, ErrorKind, Result};
use crate::ffi::NodeBackward;
use crate::ops::{run, Operand};
use crate::{DType, Device, Tensor, Variable};

/// What a custom function keeps between its forward and its backward.
#[derive(Default)]
pub struct FunctionCtx {
    saved: Vec<Tensor>,
    released: bool,
    needs_input_grad: Vec<bool>,
    non_differentiable: Vec<usize>,
    dirty: Vec<usize>,
    name: &'static str,
}

impl FunctionCtx {
    /// Keeps `tensors` for backward ([`FunctionCtx::saved_tensors`]).
    pub fn save_for_backward(&mut self, tensors: &[&Tensor]) {
        self.saved = tensors.iter().map(|t| (*t).clone()).collect();
    }

    /// What forward saved; an error after a backward without
    /// `retain_graph` freed them.
    pub fn saved_tensors(&self) -> Result<&[Tensor]> {
        if self.released {
            bail!(
                Autograd,
                "{}: its saved tensors were freed by an earlier backward; pass retain_graph to backward twice",
                self.name
            );
        }
        Ok(&self.saved)
    }

    /// Whether input `i` needs a gradient (backward may return `None` for it
    /// otherwise).
    pub fn needs_input_grad(&self, i: usize) -> bool {
        self.needs_input_grad.get(i).copied().unwrap_or(false)
    }

    /// Output `i` gets no gradient (an index, a mask, a count).
    pub fn mark_non_differentiable(&mut self, output: usize) {
        self.non_differentiable.push(output);
    }

    /// Output `i` is an input forward changed in place (and returned):
    /// that input takes the function's node as its history, as PyTorch's
    /// `ctx.mark_dirty` (an input that is a leaf requiring grad is an
    /// Autograd error).
    pub fn mark_dirty(&mut self, output: usize) {
        self.dirty.push(output);
    }
}

/// A differentiable function with a hand-written backward, applied with
/// [`apply`]. `forward` sees the inputs' values (no graph is recorded);
/// `backward` gets one gradient per output (`None`: the output did not reach
/// the loss) and returns one per input (`None`: no gradient).
pub trait Function: 'static {
    /// The name in errors (default: the type's name); `grad_fn` shows the
    /// node as `<name>Backward`, as PyTorch names a Function's.
    fn name() -> &'static str {
        let full = std::any::type_name::<Self>();
        full.rsplit("::").next().unwrap_or(full)
    }
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>>;
    fn backward(ctx: &FunctionCtx, grad_outputs: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>>;
}

/// Runs `F::forward` on the inputs' values and returns its outputs as
/// Variables whose backward is `F::backward`.
pub fn apply<F: Function>(inputs: &[&Variable]) -> Result<Vec<Variable>> {
    let name = F::name();
    // The inputs themselves (not detached copies): forward runs without a
    // graph, and what it saves keeps its history, so a backward made of
    // differentiable ops can be differentiated again (create_graph).
    let values: Vec<Tensor> = inputs
        .iter()
        .map(|v| Tensor::from_raw(v.raw().shallow_clone()))
        .collect();
    let mut ctx = FunctionCtx {
        needs_input_grad: inputs.iter().map(|v| v.requires_grad()).collect(),
        name,
        ..Default::default()
    };
    let forward = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::no_grad(|| F::forward(&mut ctx, &values))
    }));
    let outputs = match forward {
        Ok(outputs) => outputs?,
        // A panic in a user's forward becomes an error (it may be called
        // from Python, where it must not unwind).
        Err(panic) => bail!(
            Autograd,
            "{name}: its forward panicked: {}",
            panic_text(&*panic)
        ),
    };
    if let Some(&i) = ctx.dirty.iter().find(|&&i| i >= outputs.len()) {
        bail!(
            Autograd,
            "{name}: mark_dirty({i}), but forward returned {} outputs",
            outputs.len()
        );
    }
    let kinds: Vec<OutputKind> = (0..outputs.len())
        .map(
            |i| match (ctx.dirty.contains(&i), ctx.non_differentiable.contains(&i)) {
                (true, _) => OutputKind::Dirty,
                (false, true) => OutputKind::Constant,
                (false, false) => OutputKind::Differentiable,
            },
        )
        .collect();
    let ctx = Arc::new(Mutex::new(ctx));
    let kept = Arc::clone(&ctx);
    let backward = move |grads: &[Option<Tensor>]| F::backward(&lock(&kept), grads);
    let free = move || {
        let mut ctx = lock(&ctx);
        ctx.saved.clear();
        ctx.released = true;
    };
    let outputs: Vec<&Tensor> = outputs.iter().collect();
    attach(
        name,
        inputs,
        &outputs,
        &kinds,
        false,
        backward,
        Box::new(free),
    )
}

fn lock(ctx: &Mutex<FunctionCtx>) -> std::sync::MutexGuard<'_, FunctionCtx> {
    ctx.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How an output of a custom forward joins the graph (the shim's flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum OutputKind {
    /// No gradient (an index, a mask).
    Constant = 0,
    /// An output of the node.
    Differentiable = 1,
    /// An input forward changed in place (PyTorch's `mark_dirty`): the
    /// input itself becomes the node's output.
    Dirty = 2,
}

impl OutputKind {
    /// Differentiable or constant, for outputs none of which is dirty.
    pub(crate) fn all(differentiable: &[bool]) -> Vec<OutputKind> {
        (differentiable.iter())
            .map(|&d| match d {
                true => OutputKind::Differentiable,
                false => OutputKind::Constant,
            })
            .collect()
    }
}

/// Frees what a node saved, when a backward without retain_graph is done
/// with it.
pub(crate) type Release = Box<dyn Fn() + Send + Sync>;

/// Joins `outputs` (computed without a graph) to the graph of `inputs` by one
/// node named `name` whose backward is `backward` (given zeros for an
/// output without a gradient when `materialize`, else None); the gradients
/// it returns are checked against the inputs (count, shape, device; a floating dtype is
/// cast). Shared by Rust's [`apply`] and Python's `Function.apply`.
pub(crate) fn attach<B>(
    name: &str,
    inputs: &[&Variable],
    outputs: &[&Tensor],
    kinds: &[OutputKind],
    materialize: bool,
    backward: B,
    release: Release,
) -> Result<Vec<Variable>>
where
    B: Fn(&[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + 'static,
{
    let node = Node {
        name: name.to_string(),
        inputs: inputs
            .iter()
            .map(|v| (v.shape(), v.dtype(), v.device(), v.requires_grad()))
            .collect(),
        backward: Mutex::new(Box::new(backward)),
        release,
    };
    let raw_inputs: Vec<&tch::Tensor> = inputs.iter().map(|v| v.raw()).collect();
    let raw_outputs: Vec<&tch::Tensor> = outputs.iter().map(|t| t.raw()).collect();
    // The node is `<name>Backward` in grad_fn, as PyTorch names a Function's.
    let label = format!("{name}Backward");
    run(name, &raw_inputs, || {
        crate::ffi::function_apply(
            &label,
            &raw_inputs,
            &raw_outputs,
            kinds,
            materialize,
            Box::new(node),
        )
    })
}

type Backward = dyn Fn(&[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send;

struct Node {
    name: String,
    /// Each input's shape, dtype, device, and whether it needs a gradient.
    inputs: Vec<(Vec<i64>, DType, Device, bool)>,
    // A Mutex so that the node is Sync whatever the closure holds; libtorch
    // runs one node's backward at a time anyway.
    backward: Mutex<Box<Backward>>,
    release: Release,
}

impl Node {
    fn check(&self, gradients: Vec<Option<Tensor>>) -> Result<Vec<Option<tch::Tensor>>> {
        let name = &self.name;
        if gradients.len() != self.inputs.len() {
            bail!(
                Autograd,
                "{name}: backward returned {} gradients, expected {} (one per input)",
                gradients.len(),
                self.inputs.len()
            );
        }
        let mut checked = Vec::with_capacity(gradients.len());
        for (i, (g, (shape, dtype, device, needed))) in
            gradients.into_iter().zip(&self.inputs).enumerate()
        {
            // A gradient for an input that needs none is ignored, as
            // PyTorch does (whatever its shape): nothing receives it.
            let Some(g) = g.filter(|_| *needed) else {
                checked.push(None);
                continue;
            };
            if g.shape() != *shape {
                bail!(
                    Autograd,
                    "{name}: backward returned a gradient of shape {:?} for input {i}, which has shape {shape:?}",
                    g.shape()
                );
            }
            if g.device() != *device {
                bail!(
                    Autograd,
                    "{name}: backward returned a gradient on {} for input {i}, which is on {device}",
                    g.device()
                );
            }
            let g = if g.dtype() == *dtype {
                g
            } else if g.dtype().is_floating_point() && dtype.is_floating_point() {
                g.to_dtype(*dtype)?
            } else {
                bail!(
                    Autograd,
                    "{name}: backward returned a {} gradient for input {i}, which is {}",
                    g.dtype(),
                    dtype
                );
            };
            checked.push(Some(g.into_raw()));
        }
        Ok(checked)
    }
}

impl NodeBackward for Node {
    fn backward(
        &self,
        grads: Vec<Option<tch::Tensor>>,
    ) -> std::result::Result<Vec<Option<tch::Tensor>>, String> {
        let grads: Vec<Option<Tensor>> =
            grads.into_iter().map(|g| g.map(Tensor::from_raw)).collect();
        // A second backward after the values were freed fails only if
        // backward reads them (`saved_tensors`), as in PyTorch.
        let backward = self
            .backward
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A panic in a user's backward must not unwind into libtorch.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backward(&grads)));
        let outcome = match run {
            Ok(gradients) => gradients.and_then(|g| self.check(g)),
            Err(panic) => Err(Error::new(
                ErrorKind::Autograd,
                format!(
                    "{}: its backward panicked: {}",
                    self.name,
                    panic_text(&*panic)
                ),
            )),
        };
        outcome.map_err(|e| e.to_carried())
    }

    fn release(&self) {
        (self.release)();
    }
}

/// The message of a panic payload (a `&str` or a `String`).
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}
