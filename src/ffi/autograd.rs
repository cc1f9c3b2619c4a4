//! csrc/autograd.cpp: gradients and hooks, grad and inference modes,
//! backward and grad, detect_anomaly's check, forward-mode AD, and custom
//! functions.

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::{
    c_string, check, count, make_tensor, message_for_cpp, pointers, ptr, take_string, take_tensor,
};
use crate::error::Failure;

/// A gradient hook as the shim calls it (`flodl_hook_fn`).
type HookCall = extern "C" fn(*mut c_void, *mut c_void, *mut *mut c_void) -> *mut c_char;
/// A post-accumulate-grad hook as the shim calls it (`flodl_post_hook_fn`).
type PostHookCall = extern "C" fn(*mut c_void, *mut c_void) -> *mut c_char;
/// `flodl_drop_fn`.
type HookDrop = extern "C" fn(*mut c_void);
/// A custom function's backward (`flodl_node_fn`).
type NodeCall =
    extern "C" fn(*mut c_void, *const *mut c_void, usize, *mut *mut c_void, usize) -> *mut c_char;
/// `flodl_release_fn`.
type NodeRelease = extern "C" fn(*mut c_void);

extern "C" {
    fn flodl_set_grad(t: *mut c_void, grad: *mut c_void) -> *mut c_char;
    fn flodl_clear_grad(t: *mut c_void) -> *mut c_char;
    fn flodl_retain_grad(t: *mut c_void) -> *mut c_char;
    fn flodl_set_data(t: *mut c_void, data: *mut c_void) -> *mut c_char;
    fn flodl_set_requires_grad(t: *mut c_void, requires_grad: c_int) -> *mut c_char;
    fn flodl_detach_in_place(t: *mut c_void) -> *mut c_char;
    fn flodl_grad_fn_name(t: *mut c_void, name: *mut *mut c_char) -> *mut c_char;
    #[cfg(feature = "python")]
    fn flodl_is_view(t: *mut c_void, view: *mut std::os::raw::c_int) -> *mut c_char;
    fn flodl_grad_fn(t: *mut c_void, node: *mut *mut c_void) -> *mut c_char;
    fn flodl_node_free(node: *mut c_void);
    fn flodl_node_name(node: *const c_void, name: *mut *mut c_char) -> *mut c_char;
    fn flodl_node_num_next(node: *const c_void, count: *mut i64) -> *mut c_char;
    fn flodl_node_next(
        node: *const c_void,
        i: i64,
        next: *mut *mut c_void,
        input_nr: *mut i64,
    ) -> *mut c_char;
    fn flodl_node_variable(node: *const c_void, variable: *mut *mut c_void) -> *mut c_char;
    fn flodl_node_id(node: *const c_void) -> usize;
    fn flodl_register_hook(
        t: *mut c_void,
        ctx: *mut c_void,
        call: HookCall,
        drop: HookDrop,
        handle: *mut c_uint,
    ) -> *mut c_char;
    fn flodl_remove_hook(t: *mut c_void, handle: c_uint) -> *mut c_char;
    fn flodl_register_post_accumulate_grad_hook(
        t: *mut c_void,
        ctx: *mut c_void,
        call: PostHookCall,
        drop: HookDrop,
        handle: *mut c_uint,
    ) -> *mut c_char;
    fn flodl_remove_post_accumulate_grad_hook(t: *mut c_void, handle: c_uint) -> *mut c_char;
    fn flodl_is_grad_enabled() -> c_int;
    fn flodl_set_grad_enabled(enabled: c_int) -> c_int;
    fn flodl_inference_mode_enter(enabled: c_int, guard: *mut *mut c_void) -> *mut c_char;
    fn flodl_inference_mode_exit(guard: *mut c_void);
    fn flodl_is_inference_mode_enabled() -> c_int;
    fn flodl_backward(
        outputs: *const *mut c_void,
        grads: *const *mut c_void,
        n: c_int,
        retain_graph: c_int,
        create_graph: c_int,
        inputs: *const *mut c_void,
        n_inputs: c_int,
    ) -> *mut c_char;
    fn flodl_grad(
        outputs: *const *mut c_void,
        grad_outputs: *const *mut c_void,
        n: c_int,
        inputs: *const *mut c_void,
        n_inputs: c_int,
        retain_graph: c_int,
        create_graph: c_int,
        allow_unused: c_int,
        results: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_watch_anomaly(result: *mut c_void, place: *const c_char) -> *mut c_char;
    fn flodl_enter_dual_level(level: *mut u64) -> *mut c_char;
    fn flodl_exit_dual_level(level: u64) -> *mut c_char;
    fn flodl_make_dual(
        primal: *mut c_void,
        tangent: *mut c_void,
        level: u64,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_unpack_dual(t: *mut c_void, level: u64, tangent: *mut *mut c_void) -> *mut c_char;
    fn flodl_function_apply(
        inputs: *const *mut c_void,
        n_in: c_int,
        outputs: *const *mut c_void,
        n_out: c_int,
        differentiable: *const u8,
        name: *const c_char,
        materialize: c_int,
        ctx: *mut c_void,
        call: NodeCall,
        release: NodeRelease,
        drop: HookDrop,
        results: *mut *mut c_void,
    ) -> *mut c_char;
}

/// `t.grad = grad` (None: no gradient).
pub(crate) fn set_grad(t: &tch::Tensor, grad: Option<&tch::Tensor>) -> Result<(), Failure> {
    let grad = grad.map_or(std::ptr::null_mut(), ptr);
    // SAFETY: both pointers are live tch tensors (or null); the shim
    // catches every C++ exception and changes `t`'s grad in place.
    check(unsafe { flodl_set_grad(ptr(t), grad) })
}

/// Resets `t.grad` to undefined.
pub(crate) fn clear_grad(t: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_clear_grad(ptr(t)) })
}

/// `t.retain_grad()`.
pub(crate) fn retain_grad(t: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_retain_grad(ptr(t)) })
}

/// `t.data = data`: the same autograd node with new values.
pub(crate) fn set_data(t: &tch::Tensor, data: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_set_data(ptr(t), ptr(data)) })
}

/// `t.requires_grad = requires_grad`.
pub(crate) fn set_requires_grad(t: &tch::Tensor, requires_grad: bool) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_set_requires_grad(ptr(t), c_int::from(requires_grad)) })
}

/// Cuts `t` from its graph in place (views included).
pub(crate) fn detach_in_place(t: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad. The shim may re-point the C++ handle, which
    // tch owns through a pointer, so `&` suffices on the Rust side.
    check(unsafe { flodl_detach_in_place(ptr(t)) })
}

/// The name of the autograd node that made `t` (`"MulBackward0"`); None for
/// a leaf.
pub(crate) fn grad_fn_name(t: &tch::Tensor) -> Result<Option<String>, Failure> {
    let mut name: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live tensor; the shim stores a malloc'd string or null.
    check(unsafe { flodl_grad_fn_name(ptr(t), &mut name) })?;
    // PyTorch prints the class name: `CopySlices`, not
    // `torch::autograd::CopySlices` as libtorch names a few nodes.
    Ok(take_string(name).map(|n| n.rsplit("::").next().unwrap_or(&n).to_string()))
}

/// Whether `t` is a view of another tensor's memory, as autograd sees it.
#[cfg(feature = "python")]
pub(crate) fn is_view(t: &tch::Tensor) -> Result<bool, Failure> {
    let mut view: std::os::raw::c_int = 0;
    // SAFETY: a live tensor; the shim writes one int.
    check(unsafe { flodl_is_view(ptr(t), &mut view) })?;
    Ok(view != 0)
}

/// An owned reference to a node of the autograd graph (a shim handle).
pub(crate) struct NodeHandle(*mut c_void);

// SAFETY: the handle is a `std::shared_ptr<Node>`, whose count is atomic;
// the node's fields read here (name, edges, AccumulateGrad's variable) are
// not changed once the graph is built.
unsafe impl Send for NodeHandle {}
unsafe impl Sync for NodeHandle {}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        // SAFETY: this value owns the handle, freed once.
        unsafe { flodl_node_free(self.0) }
    }
}

/// The node that made `t`; None for a leaf or a tensor that records nothing.
pub(crate) fn grad_fn(t: &tch::Tensor) -> Result<Option<NodeHandle>, Failure> {
    let mut node: *mut c_void = std::ptr::null_mut();
    // SAFETY: a live tensor; the shim stores a new handle or null.
    check(unsafe { flodl_grad_fn(ptr(t), &mut node) })?;
    Ok((!node.is_null()).then_some(NodeHandle(node)))
}

impl NodeHandle {
    /// The node's name (`"MulBackward0"`).
    pub(crate) fn name(&self) -> Result<String, Failure> {
        let mut name: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live handle; the shim stores a malloc'd string.
        check(unsafe { flodl_node_name(self.0, &mut name) })?;
        Ok(take_string(name).unwrap_or_default())
    }

    /// The edges on from the node: the next node (None for an input that
    /// needs no gradient) and which of its inputs the edge feeds.
    pub(crate) fn next(&self) -> Result<Vec<(Option<NodeHandle>, i64)>, Failure> {
        let mut count = 0i64;
        // SAFETY: a live handle and an out-parameter.
        check(unsafe { flodl_node_num_next(self.0, &mut count) })?;
        (0..count)
            .map(|i| {
                let (mut next, mut input_nr) = (std::ptr::null_mut(), 0i64);
                // SAFETY: `i` is in range; the shim stores a new handle or null.
                check(unsafe { flodl_node_next(self.0, i, &mut next, &mut input_nr) })?;
                Ok(((!next.is_null()).then_some(NodeHandle(next)), input_nr))
            })
            .collect()
    }

    /// The leaf an AccumulateGrad node writes into.
    pub(crate) fn variable(&self) -> Result<Option<tch::Tensor>, Failure> {
        let mut variable: *mut c_void = std::ptr::null_mut();
        // SAFETY: a live handle; the shim stores a new tensor handle or null.
        check(unsafe { flodl_node_variable(self.0, &mut variable) })?;
        Ok(take_tensor(variable))
    }

    /// The node's identity (equal for handles on one node).
    pub(crate) fn id(&self) -> usize {
        // SAFETY: a live handle; the call reads a pointer and cannot fail.
        unsafe { flodl_node_id(self.0) }
    }
}

/// A gradient hook on the Rust side: given the gradient, a replacement or
/// `None` to keep it.
pub(crate) type HookFn = dyn Fn(tch::Tensor) -> Result<Option<tch::Tensor>, String> + Send + Sync;

extern "C" fn call_hook(
    ctx: *mut c_void,
    grad: *mut c_void,
    replacement: *mut *mut c_void,
) -> *mut c_char {
    // SAFETY: `ctx` is the Box<Box<HookFn>> registered below, alive until
    // drop_hook; `grad` is a new at::Tensor the shim hands over.
    let hook = unsafe { &*(ctx as *const Box<HookFn>) };
    let grad = unsafe { tch::Tensor::from_ptr(grad.cast()) };
    // A panic must not unwind into C++.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(grad))) {
        Ok(Ok(Some(new_grad))) => {
            // The shim takes the handle over and deletes it: tch must not.
            let handle = new_grad.as_ptr() as *mut c_void;
            std::mem::forget(new_grad);
            // SAFETY: `replacement` is the shim's out slot.
            unsafe { *replacement = handle };
            std::ptr::null_mut()
        }
        Ok(Ok(None)) => std::ptr::null_mut(),
        Ok(Err(message)) => message_for_cpp(&message),
        Err(_) => message_for_cpp("a gradient hook panicked"),
    }
}

extern "C" fn drop_hook(ctx: *mut c_void) {
    // SAFETY: called once by the shim, when libtorch forgets the hook.
    let hook = unsafe { Box::from_raw(ctx as *mut Box<HookFn>) };
    // A panic must not unwind into C++ (a destructor).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(hook)));
}

/// Registers `hook` on `t`; returns libtorch's handle for `remove_hook`.
pub(crate) fn register_hook(t: &tch::Tensor, hook: Box<HookFn>) -> Result<u32, Failure> {
    let ctx = Box::into_raw(Box::new(hook)) as *mut c_void;
    let mut handle: c_uint = 0;
    // SAFETY: the shim owns `ctx` from here on and calls drop_hook exactly
    // once (also when registration fails).
    check(unsafe { flodl_register_hook(ptr(t), ctx, call_hook, drop_hook, &mut handle) })?;
    Ok(handle)
}

/// Removes the hook `handle` from `t`.
pub(crate) fn remove_hook(t: &tch::Tensor, handle: u32) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_remove_hook(ptr(t), handle) })
}

/// A post-accumulate-grad hook on the Rust side: given the leaf.
pub(crate) type PostHookFn = dyn Fn(tch::Tensor) -> Result<(), String> + Send + Sync;

extern "C" fn call_post_hook(ctx: *mut c_void, leaf: *mut c_void) -> *mut c_char {
    // SAFETY: `ctx` is the Box<Box<PostHookFn>> registered below, alive until
    // drop_post_hook; `leaf` is a new at::Tensor the shim hands over.
    let hook = unsafe { &*(ctx as *const Box<PostHookFn>) };
    let leaf = unsafe { tch::Tensor::from_ptr(leaf.cast()) };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(leaf))) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(message)) => message_for_cpp(&message),
        Err(_) => message_for_cpp("a post-accumulate-grad hook panicked"),
    }
}

extern "C" fn drop_post_hook(ctx: *mut c_void) {
    // SAFETY: called once by the shim, when the hook is forgotten.
    let hook = unsafe { Box::from_raw(ctx as *mut Box<PostHookFn>) };
    // A panic must not unwind into C++ (a destructor).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(hook)));
}

/// Registers a post-accumulate-grad `hook` on the leaf `t`.
pub(crate) fn register_post_accumulate_grad_hook(
    t: &tch::Tensor,
    hook: Box<PostHookFn>,
) -> Result<u32, Failure> {
    let ctx = Box::into_raw(Box::new(hook)) as *mut c_void;
    let mut handle: c_uint = 0;
    // SAFETY: the shim owns `ctx` from here on and calls drop_post_hook once.
    check(unsafe {
        flodl_register_post_accumulate_grad_hook(
            ptr(t),
            ctx,
            call_post_hook,
            drop_post_hook,
            &mut handle,
        )
    })?;
    Ok(handle)
}

/// Removes the post-accumulate-grad hook `handle` from `t`.
pub(crate) fn remove_post_accumulate_grad_hook(
    t: &tch::Tensor,
    handle: u32,
) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    check(unsafe { flodl_remove_post_accumulate_grad_hook(ptr(t), handle) })
}

/// Whether autograd records on this thread. Reads a thread-local flag, so
/// it cannot fail.
pub(crate) fn is_grad_enabled() -> bool {
    // SAFETY: reads a thread-local flag.
    unsafe { flodl_is_grad_enabled() != 0 }
}

/// Turns recording on or off for this thread; returns the previous state.
/// Writes a thread-local flag, so it cannot fail.
pub(crate) fn set_grad_enabled(enabled: bool) -> bool {
    // SAFETY: writes a thread-local flag.
    unsafe { flodl_set_grad_enabled(c_int::from(enabled)) != 0 }
}

/// Enters libtorch's inference mode (or leaves it, with `false`) until the
/// returned guard is passed to [`inference_mode_exit`].
pub(crate) fn inference_mode_enter(enabled: bool) -> Result<*mut c_void, Failure> {
    let mut guard: *mut c_void = std::ptr::null_mut();
    // SAFETY: allocates a c10::InferenceMode into `guard`; catches every
    // C++ exception.
    check(unsafe { flodl_inference_mode_enter(c_int::from(enabled), &mut guard) })?;
    Ok(guard)
}

/// Leaves the inference mode `guard` entered (on the same thread). A
/// destructor: it cannot fail.
pub(crate) fn inference_mode_exit(guard: *mut c_void) {
    // SAFETY: `guard` came from inference_mode_enter on this thread and is
    // deleted once.
    unsafe { flodl_inference_mode_exit(guard) }
}

/// Whether this thread is in inference mode (a thread-local flag: cannot
/// fail).
pub(crate) fn is_inference_mode_enabled() -> bool {
    // SAFETY: reads a thread-local flag.
    unsafe { flodl_is_inference_mode_enabled() != 0 }
}

/// `torch::autograd::backward(outputs, grads, retain_graph, inputs)`; a
/// `None` gradient is ones (a single-element output); no inputs: every leaf.
pub(crate) fn backward(
    outputs: &[Option<&tch::Tensor>],
    grads: &[Option<&tch::Tensor>],
    retain_graph: bool,
    create_graph: bool,
    inputs: &[Option<&tch::Tensor>],
) -> Result<(), Failure> {
    let (outs, gs, ins) = (pointers(outputs), pointers(grads), pointers(inputs));
    let (n, n_inputs) = (count(outs.len())?, count(ins.len())?);
    // SAFETY: the arrays hold live tch tensors (or null) for the call; the
    // shim catches every C++ exception.
    check(unsafe {
        flodl_backward(
            outs.as_ptr(),
            gs.as_ptr(),
            n,
            c_int::from(retain_graph),
            c_int::from(create_graph),
            ins.as_ptr(),
            n_inputs,
        )
    })
}

/// `torch::autograd::grad(...)`: one gradient per input, `None` where it is
/// undefined (an input that did not contribute, with `allow_unused`).
pub(crate) fn grad(
    outputs: &[Option<&tch::Tensor>],
    grad_outputs: &[Option<&tch::Tensor>],
    inputs: &[Option<&tch::Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<tch::Tensor>>, Failure> {
    let (outs, gos, ins) = (pointers(outputs), pointers(grad_outputs), pointers(inputs));
    let (n, n_inputs) = (count(outs.len())?, count(ins.len())?);
    let retain = retain_graph.map_or(-1, c_int::from);
    let mut results: Vec<*mut c_void> = vec![std::ptr::null_mut(); ins.len()];
    // SAFETY: as for backward; `results` has one slot per input, which the
    // shim fills with `new at::Tensor` or null.
    check(unsafe {
        flodl_grad(
            outs.as_ptr(),
            gos.as_ptr(),
            n,
            ins.as_ptr(),
            n_inputs,
            retain,
            c_int::from(create_graph),
            c_int::from(allow_unused),
            results.as_mut_ptr(),
        )
    })?;
    Ok(results.into_iter().map(take_tensor).collect())
}

/// Makes the backward of the node that made `result` check its gradients
/// for NaN and inf (detect_anomaly); `place` names the op and where.
pub(crate) fn watch_anomaly(result: &tch::Tensor, place: &str) -> Result<(), Failure> {
    let place = c_string(place);
    // SAFETY: a live tensor and a C string valid for the call; the shim
    // copies the string and catches every C++ exception.
    check(unsafe { flodl_watch_anomaly(ptr(result), place.as_ptr()) })
}

/// Enters a new forward-AD level.
pub(crate) fn enter_dual_level() -> Result<u64, Failure> {
    let mut level = 0u64;
    // SAFETY: writes the level into `level`; catches every C++ exception.
    check(unsafe { flodl_enter_dual_level(&mut level) })?;
    Ok(level)
}

/// Exits forward-AD level `level` (the innermost).
pub(crate) fn exit_dual_level(level: u64) -> Result<(), Failure> {
    // SAFETY: as above.
    check(unsafe { flodl_exit_dual_level(level) })
}

/// `primal` carrying `tangent` at `level`.
pub(crate) fn make_dual(
    primal: &tch::Tensor,
    tangent: &tch::Tensor,
    level: u64,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: live tensors; the shim stores a new handle in `out`.
    make_tensor(|out| unsafe { flodl_make_dual(ptr(primal), ptr(tangent), level, out) })
}

/// The tangent `t` carries at `level`, if any.
pub(crate) fn unpack_dual(t: &tch::Tensor, level: u64) -> Result<Option<tch::Tensor>, Failure> {
    let mut tangent: *mut c_void = std::ptr::null_mut();
    // SAFETY: the shim stores a `new at::Tensor` or null in `tangent`.
    check(unsafe { flodl_unpack_dual(ptr(t), level, &mut tangent) })?;
    Ok(take_tensor(tangent))
}

/// The backward of a custom function's node, as flodl runs it: the
/// gradients of the outputs in, the gradients of the inputs out.
pub(crate) trait NodeBackward: Send + Sync {
    fn backward(&self, grads: Vec<Option<tch::Tensor>>)
        -> Result<Vec<Option<tch::Tensor>>, String>;
    /// A backward without retain_graph is done with the node's saved values.
    fn release(&self);
}

extern "C" fn call_node(
    ctx: *mut c_void,
    grads: *const *mut c_void,
    n: usize,
    results: *mut *mut c_void,
    m: usize,
) -> *mut c_char {
    // SAFETY: `ctx` is the Box<Box<dyn NodeBackward>> of function_apply,
    // alive until drop_node; `grads` holds `n` new handles (or nulls) that
    // this call owns; `results` has `m` slots the shim reads back.
    let node = unsafe { &*(ctx as *const Box<dyn NodeBackward>) };
    let grads: Vec<Option<tch::Tensor>> = (0..n)
        .map(|i| take_tensor(unsafe { *grads.add(i) }))
        .collect();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| node.backward(grads))) {
        Ok(Ok(gradients)) => {
            for (i, g) in gradients.into_iter().take(m).enumerate() {
                if let Some(g) = g {
                    // The shim takes the handle over and deletes it.
                    let handle = g.as_ptr() as *mut c_void;
                    std::mem::forget(g);
                    // SAFETY: i < m, a slot of `results`.
                    unsafe { *results.add(i) = handle };
                }
            }
            std::ptr::null_mut()
        }
        Ok(Err(message)) => message_for_cpp(&message),
        Err(_) => message_for_cpp("a custom function's backward panicked"),
    }
}

extern "C" fn release_node(ctx: *mut c_void) {
    // SAFETY: as in call_node.
    let node = unsafe { &*(ctx as *const Box<dyn NodeBackward>) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| node.release()));
}

extern "C" fn drop_node(ctx: *mut c_void) {
    // SAFETY: called once by the shim, when the node is destroyed.
    let node = unsafe { Box::from_raw(ctx as *mut Box<dyn NodeBackward>) };
    // A panic must not unwind into C++ (a destructor).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(node)));
}

/// The outputs of a custom forward, attached to a new node whose backward
/// is `node` and whose next edges are `inputs` (see flodl_function_apply).
pub(crate) fn function_apply(
    name: &str,
    inputs: &[&tch::Tensor],
    outputs: &[&tch::Tensor],
    kinds: &[crate::autograd::function::OutputKind],
    materialize: bool,
    node: Box<dyn NodeBackward>,
) -> Result<Vec<tch::Tensor>, Failure> {
    let ins: Vec<*mut c_void> = inputs.iter().map(|t| ptr(t)).collect();
    let outs: Vec<*mut c_void> = outputs.iter().map(|t| ptr(t)).collect();
    let flags: Vec<u8> = kinds.iter().map(|&k| k as u8).collect();
    let (n_in, n_out) = (count(ins.len())?, count(outs.len())?);
    let name = c_string(name);
    let ctx = Box::into_raw(Box::new(node)) as *mut c_void;
    let mut results: Vec<*mut c_void> = vec![std::ptr::null_mut(); outs.len()];
    // SAFETY: live tensors and arrays valid for the call; the shim owns `ctx`
    // from here on and calls drop_node once (also when it fails); on success
    // every slot of `results` is a `new at::Tensor`.
    check(unsafe {
        flodl_function_apply(
            ins.as_ptr(),
            n_in,
            outs.as_ptr(),
            n_out,
            flags.as_ptr(),
            name.as_ptr(),
            c_int::from(materialize),
            ctx,
            call_node,
            release_node,
            drop_node,
            results.as_mut_ptr(),
        )
    })?;
    results
        .into_iter()
        .map(|p| {
            take_tensor(p).ok_or_else(|| Failure::Typed(None, "the shim returned no tensor".into()))
        })
        .collect()
}
