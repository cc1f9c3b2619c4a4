//! The C++ shim of `csrc/shim.cpp`: libtorch calls that tch does not wrap.

use std::ffi::{c_char, c_int, c_void, CStr};

use crate::error::{ErrorKind, Failure};
use crate::Scalar;

extern "C" {
    fn flodl_optim_step(
        method: c_int,
        lists: *const OptimLists,
        hyper: *const OptimHyper,
    ) -> *mut c_char;
    fn flodl_clip_grad_norm(
        grads: *const *mut c_void,
        n: c_int,
        max_norm: f64,
        norm_type: f64,
        error_if_nonfinite: c_int,
        total: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_impl_id(t: *mut c_void) -> usize;
    #[cfg(feature = "python")]
    fn flodl_to_torch(t: *mut c_void, object: *mut *mut c_void) -> *mut c_char;
    #[cfg(feature = "python")]
    fn flodl_from_tensor_impl(impl_: usize, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_to_dlpack(t: *mut c_void, versioned: c_int, managed: *mut *mut c_void) -> *mut c_char;
    fn flodl_from_dlpack(
        managed: *mut c_void,
        versioned: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_dlpack_delete(managed: *mut c_void, versioned: c_int);
    fn flodl_gru(
        input: *mut c_void,
        hx: *mut c_void,
        params: *const *mut c_void,
        n_params: c_int,
        has_biases: c_int,
        num_layers: i64,
        dropout: f64,
        train: c_int,
        bidirectional: c_int,
        batch_first: c_int,
        output: *mut *mut c_void,
        h_n: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_clear_grad(tensor: *mut c_void) -> c_int;
    fn flodl_detach_in_place(tensor: *mut c_void) -> c_int;
    #[cfg(feature = "python")] // copy.deepcopy's only
    fn flodl_storage_info(
        tensor: *mut c_void,
        storage: *mut usize,
        numel: *mut i64,
        offset: *mut i64,
    ) -> c_int;
    fn flodl_is_grad_enabled() -> c_int;
    fn flodl_grad_fn_name(t: *mut c_void) -> *mut c_char;
    fn flodl_inference_mode_enter(enabled: c_int) -> *mut c_void;
    fn flodl_inference_mode_exit(guard: *mut c_void);
    fn flodl_is_inference_mode_enabled() -> c_int;
    fn flodl_set_grad_enabled(enabled: c_int) -> c_int;
    fn flodl_free_message(message: *mut c_char);
    fn flodl_set_warning_callback(callback: WarningCallback);
    fn flodl_use_warning_handler();
    fn flodl_warn(message: *const c_char);
    fn flodl_set_grad(t: *mut c_void, grad: *mut c_void) -> *mut c_char;
    fn flodl_retain_grad(t: *mut c_void) -> *mut c_char;
    fn flodl_register_hook(
        t: *mut c_void,
        ctx: *mut c_void,
        call: HookCall,
        drop: HookDrop,
        handle: *mut std::ffi::c_uint,
    ) -> *mut c_char;
    fn flodl_remove_hook(t: *mut c_void, handle: std::ffi::c_uint) -> *mut c_char;
    fn flodl_register_post_accumulate_grad_hook(
        t: *mut c_void,
        ctx: *mut c_void,
        call: PostHookCall,
        drop: HookDrop,
        handle: *mut std::ffi::c_uint,
    ) -> *mut c_char;
    fn flodl_remove_post_accumulate_grad_hook(
        t: *mut c_void,
        handle: std::ffi::c_uint,
    ) -> *mut c_char;
    fn flodl_set_data(t: *mut c_void, data: *mut c_void) -> *mut c_char;
    fn flodl_set_requires_grad(t: *mut c_void, requires_grad: c_int) -> *mut c_char;
    fn flodl_masked_fill(
        x: *mut c_void,
        mask: *mut c_void,
        value: FlodlScalar,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_arange(
        start: f64,
        end: f64,
        step: f64,
        like: *mut c_void,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_linspace(
        start: f64,
        end: f64,
        steps: i64,
        like: *mut c_void,
        out: *mut *mut c_void,
    ) -> *mut c_char;
    fn flodl_var_std(
        x: *mut c_void,
        correction: f64,
        dim: i64,
        has_dim: c_int,
        keepdim: c_int,
        std: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
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
    fn flodl_vector_norm(
        x: *mut c_void,
        p: f64,
        dim: i64,
        has_dim: c_int,
        keepdim: c_int,
        out: *mut *mut c_void,
    ) -> *mut c_char;
}

/// Calls a shim function that makes a tensor: `call(out)` returns null and
/// fills `out`, or returns the failure (see `failure` in the shim).
fn make_tensor(call: impl FnOnce(*mut *mut c_void) -> *mut c_char) -> Result<tch::Tensor, Failure> {
    let mut out: *mut c_void = std::ptr::null_mut();
    let message = call(&mut out);
    if !out.is_null() {
        // SAFETY: on success the shim stored a `new at::Tensor`, which is
        // exactly what a tch::Tensor owns (and deletes on drop).
        return Ok(unsafe { tch::Tensor::from_ptr(out.cast()) });
    }
    Err(read_failure(message))
}

/// The result of a shim call that changes a tensor in place: null on success.
fn failure_of(message: *mut c_char) -> Result<(), Failure> {
    if message.is_null() {
        Ok(())
    } else {
        Err(read_failure(message))
    }
}

/// The failure a shim call returned: one letter for the C++ exception's
/// type, then the message. Null means the shim could not even allocate it.
fn read_failure(message: *mut c_char) -> Failure {
    if message.is_null() {
        return Failure::Typed(Some(ErrorKind::OutOfMemory), "out of memory".into());
    }
    // SAFETY: a non-null message is a NUL-terminated malloc'd string, read
    // once and freed here.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    unsafe { flodl_free_message(message) };
    let mut chars = text.chars();
    let kind = match chars.next() {
        Some('I') => Some(ErrorKind::Index),
        Some('V') => Some(ErrorKind::Argument),
        Some('T' | 'N') => Some(ErrorKind::DType),
        Some('M') => Some(ErrorKind::OutOfMemory),
        _ => None,
    };
    Failure::Typed(kind, chars.as_str().to_string())
}

fn ptr(t: &tch::Tensor) -> *mut c_void {
    t.as_ptr() as *mut c_void
}

/// A [`Scalar`] as the shim takes it (`FlodlScalar` in shim.cpp).
#[repr(C)]
#[derive(Clone, Copy)]
struct FlodlScalar {
    tag: i32,
    i: i64,
    d: f64,
}

impl From<Scalar> for FlodlScalar {
    fn from(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => FlodlScalar {
                tag: 0,
                i: i64::from(b),
                d: 0.0,
            },
            Scalar::Int(i) => FlodlScalar { tag: 1, i, d: 0.0 },
            Scalar::Float(d) => FlodlScalar { tag: 2, i: 0, d },
        }
    }
}

/// Safe wrappers of the shim's `(x, a)` and `(x, a, b)` ops: `name => c_name`
/// (invoked by the file build.rs writes from csrc/scalar_ops.def).
macro_rules! scalar_ops {
    (one: $($name:ident => $c:ident),*; two: $($name2:ident => $c2:ident),*) => {
        extern "C" {
            $(fn $c(x: *mut c_void, a: FlodlScalar, out: *mut *mut c_void) -> *mut c_char;)*
            $(fn $c2(x: *mut c_void, a: FlodlScalar, b: FlodlScalar, out: *mut *mut c_void) -> *mut c_char;)*
        }
        $(
            pub(crate) fn $name(x: &tch::Tensor, a: impl Into<Scalar>) -> Result<tch::Tensor, Failure> {
                let a = FlodlScalar::from(a.into());
                // SAFETY: `x` is a live tch tensor; the shim catches every C++ exception.
                make_tensor(|out| unsafe { $c(ptr(x), a, out) })
            }
        )*
        $(
            pub(crate) fn $name2(
                x: &tch::Tensor,
                a: impl Into<Scalar>,
                b: impl Into<Scalar>,
            ) -> Result<tch::Tensor, Failure> {
                let (a, b) = (FlodlScalar::from(a.into()), FlodlScalar::from(b.into()));
                // SAFETY: as above.
                make_tensor(|out| unsafe { $c2(ptr(x), a, b, out) })
            }
        )*
    };
}

// One safe function per line of csrc/scalar_ops.def (written by build.rs).
include!(concat!(env!("OUT_DIR"), "/scalar_ops.rs"));

/// `x.masked_fill(mask, value)`.
pub(crate) fn masked_fill(
    x: &tch::Tensor,
    mask: &tch::Tensor,
    value: impl Into<Scalar>,
) -> Result<tch::Tensor, Failure> {
    let value = FlodlScalar::from(value.into());
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_masked_fill(ptr(x), ptr(mask), value, out) })
}

/// `torch.arange(start, end, step)` with `like`'s dtype and device.
pub(crate) fn arange(
    start: f64,
    end: f64,
    step: f64,
    like: &tch::Tensor,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_arange(start, end, step, ptr(like), out) })
}

/// `torch.linspace(start, end, steps)` with `like`'s dtype and device.
pub(crate) fn linspace(
    start: f64,
    end: f64,
    steps: i64,
    like: &tch::Tensor,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_linspace(start, end, steps, ptr(like), out) })
}

fn pointers(tensors: &[Option<&tch::Tensor>]) -> Vec<*mut c_void> {
    tensors
        .iter()
        .map(|t| t.map_or(std::ptr::null_mut(), ptr))
        .collect()
}

fn count(n: usize) -> Result<c_int, Failure> {
    c_int::try_from(n)
        .map_err(|_| Failure::Typed(Some(ErrorKind::Argument), format!("too many tensors ({n})")))
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
    failure_of(unsafe {
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
    failure_of(unsafe {
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
    Ok(results
        .into_iter()
        .map(|p| {
            // SAFETY: a non-null result is a `new at::Tensor` that tch now owns.
            (!p.is_null()).then(|| unsafe { tch::Tensor::from_ptr(p.cast()) })
        })
        .collect())
}

/// Makes the backward of the node that made `result` check its gradients
/// for NaN and inf (detect_anomaly); `place` names the op and where.
pub(crate) fn watch_anomaly(result: &tch::Tensor, place: &str) -> Result<(), Failure> {
    let place = std::ffi::CString::new(place.replace('\0', " ")).unwrap_or_default();
    // SAFETY: a live tensor and a C string valid for the call; the shim
    // copies the string and catches every C++ exception.
    failure_of(unsafe { flodl_watch_anomaly(ptr(result), place.as_ptr()) })
}

/// Enters a new forward-AD level.
pub(crate) fn enter_dual_level() -> Result<u64, Failure> {
    let mut level = 0u64;
    // SAFETY: writes the level into `level`; catches every C++ exception.
    failure_of(unsafe { flodl_enter_dual_level(&mut level) })?;
    Ok(level)
}

/// Exits forward-AD level `level` (the innermost).
pub(crate) fn exit_dual_level(level: u64) -> Result<(), Failure> {
    // SAFETY: as above.
    failure_of(unsafe { flodl_exit_dual_level(level) })
}

/// `primal` carrying `tangent` at `level`.
pub(crate) fn make_dual(
    primal: &tch::Tensor,
    tangent: &tch::Tensor,
    level: u64,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_make_dual(ptr(primal), ptr(tangent), level, out) })
}

/// The tangent `t` carries at `level`, if any.
pub(crate) fn unpack_dual(t: &tch::Tensor, level: u64) -> Result<Option<tch::Tensor>, Failure> {
    let mut tangent: *mut c_void = std::ptr::null_mut();
    // SAFETY: the shim stores a `new at::Tensor` or null in `tangent`.
    failure_of(unsafe { flodl_unpack_dual(ptr(t), level, &mut tangent) })?;
    // SAFETY: a non-null result is a `new at::Tensor` that tch now owns.
    Ok((!tangent.is_null()).then(|| unsafe { tch::Tensor::from_ptr(tangent.cast()) }))
}

/// `torch.var` (or `torch.std` with `std`) with `correction`; `dim` None:
/// all elements.
pub(crate) fn var_std(
    x: &tch::Tensor,
    correction: f64,
    dim: Option<i64>,
    keepdim: bool,
    std: bool,
) -> Result<tch::Tensor, Failure> {
    let (dim, has_dim) = (dim.unwrap_or(0), c_int::from(dim.is_some()));
    let (keepdim, std) = (c_int::from(keepdim), c_int::from(std));
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe { flodl_var_std(ptr(x), correction, dim, has_dim, keepdim, std, out) })
}

/// `torch.linalg.vector_norm(x, p, dim, keepdim)`; `dim` None: all elements.
pub(crate) fn vector_norm(
    x: &tch::Tensor,
    p: f64,
    dim: Option<i64>,
    keepdim: bool,
) -> Result<tch::Tensor, Failure> {
    let (dim, has_dim) = (dim.unwrap_or(0), c_int::from(dim.is_some()));
    // SAFETY: as for the scalar ops.
    make_tensor(|out| unsafe {
        flodl_vector_norm(ptr(x), p, dim, has_dim, c_int::from(keepdim), out)
    })
}

/// `t.retain_grad()`.
pub(crate) fn retain_grad(t: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    failure_of(unsafe { flodl_retain_grad(ptr(t)) })
}

/// A gradient hook as the shim calls it (see `flodl_register_hook`).
type HookCall = extern "C" fn(*mut c_void, *mut c_void, *mut *mut c_void) -> *mut c_char;
type HookDrop = extern "C" fn(*mut c_void);

/// What a hook is on the Rust side: given the gradient, a replacement or
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

/// A malloc'd copy of `text`, which C++ frees.
fn message_for_cpp(text: &str) -> *mut c_char {
    let text = std::ffi::CString::new(text.replace('\0', " ")).unwrap_or_default();
    // SAFETY: strdup copies a valid C string into malloc'd memory.
    unsafe { libc_strdup(text.as_ptr()) }
}

extern "C" {
    #[link_name = "strdup"]
    fn libc_strdup(s: *const c_char) -> *mut c_char;
}

/// Registers `hook` on `t`; returns libtorch's handle for `remove_hook`.
pub(crate) fn register_hook(t: &tch::Tensor, hook: Box<HookFn>) -> Result<u32, Failure> {
    let ctx = Box::into_raw(Box::new(hook)) as *mut c_void;
    let mut handle: std::ffi::c_uint = 0;
    // SAFETY: the shim owns `ctx` from here on and calls drop_hook exactly
    // once (also when registration fails).
    failure_of(unsafe { flodl_register_hook(ptr(t), ctx, call_hook, drop_hook, &mut handle) })?;
    Ok(handle)
}

/// A post-accumulate-grad hook as the shim calls it.
type PostHookCall = extern "C" fn(*mut c_void, *mut c_void) -> *mut c_char;

/// What a post-accumulate-grad hook is on the Rust side: given the leaf.
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
    drop(unsafe { Box::from_raw(ctx as *mut Box<PostHookFn>) });
}

/// Registers a post-accumulate-grad `hook` on the leaf `t`.
pub(crate) fn register_post_accumulate_grad_hook(
    t: &tch::Tensor,
    hook: Box<PostHookFn>,
) -> Result<u32, Failure> {
    let ctx = Box::into_raw(Box::new(hook)) as *mut c_void;
    let mut handle: std::ffi::c_uint = 0;
    // SAFETY: the shim owns `ctx` from here on and calls drop_post_hook once.
    failure_of(unsafe {
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
    failure_of(unsafe { flodl_remove_post_accumulate_grad_hook(ptr(t), handle) })
}

/// Removes the hook `handle` from `t`.
pub(crate) fn remove_hook(t: &tch::Tensor, handle: u32) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    failure_of(unsafe { flodl_remove_hook(ptr(t), handle) })
}

/// `t.grad = grad` (None: no gradient).
pub(crate) fn set_grad(t: &tch::Tensor, grad: Option<&tch::Tensor>) -> Result<(), Failure> {
    let grad = grad.map_or(std::ptr::null_mut(), ptr);
    // SAFETY: both pointers are live tch tensors (or null); the shim
    // catches every C++ exception and changes `t`'s grad in place.
    failure_of(unsafe { flodl_set_grad(ptr(t), grad) })
}

/// `t.data = data`: the same autograd node with new values.
pub(crate) fn set_data(t: &tch::Tensor, data: &tch::Tensor) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    failure_of(unsafe { flodl_set_data(ptr(t), ptr(data)) })
}

/// `t.requires_grad = requires_grad`.
pub(crate) fn set_requires_grad(t: &tch::Tensor, requires_grad: bool) -> Result<(), Failure> {
    // SAFETY: as for set_grad.
    failure_of(unsafe { flodl_set_requires_grad(ptr(t), c_int::from(requires_grad)) })
}

/// What receives libtorch's warnings: the message and whether it is a
/// deprecation.
type WarningCallback = extern "C" fn(message: *const c_char, deprecation: c_int);

/// The one callback the shim calls: it hands the warning to
/// [`crate::warnings`].
extern "C" fn deliver_warning(message: *const c_char, deprecation: c_int) {
    // SAFETY: the shim passes a valid NUL-terminated message.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    crate::warnings::deliver(&text, deprecation != 0);
}

/// Installs flodl's warning handler on this thread, once (c10 keeps one per
/// thread). Called before every op; after the first call, a thread-local read.
pub(crate) fn use_warning_handler() {
    thread_local!(static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    static CALLBACK: std::sync::Once = std::sync::Once::new();
    INSTALLED.with(|installed| {
        if !installed.get() {
            // SAFETY: stores a function pointer; the shim calls it with a
            // valid NUL-terminated message.
            CALLBACK.call_once(|| unsafe { flodl_set_warning_callback(deliver_warning) });
            // SAFETY: sets c10's thread-local handler to the shim's static one.
            unsafe { flodl_use_warning_handler() };
            installed.set(true);
        }
    });
}

/// Issues a warning of flodl's own (see [`crate::warnings::warn`]).
pub(crate) fn warn(message: &str) {
    use_warning_handler();
    let text = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: a valid NUL-terminated string, read during the call.
    unsafe { flodl_warn(text.as_ptr()) }
}

/// Resets `t.grad` to undefined. Returns false if libtorch refused.
pub(crate) fn clear_grad(t: &tch::Tensor) -> bool {
    // SAFETY: the pointer is tch's `at::Tensor*`, valid while `t` lives; the
    // shim catches every C++ exception.
    unsafe { flodl_clear_grad(ptr(t)) == 0 }
}

/// `(storage address, storage size in t's elements, t's offset in it)`:
/// views of one memory share the address. None if libtorch refused.
#[cfg(feature = "python")] // copy.deepcopy's only
pub(crate) fn storage_info(t: &tch::Tensor) -> Option<(usize, i64, i64)> {
    let (mut storage, mut numel, mut offset) = (0usize, 0i64, 0i64);
    // SAFETY: a live tensor and three out-pointers valid for the call; the
    // shim catches every C++ exception.
    let status = unsafe { flodl_storage_info(ptr(t), &mut storage, &mut numel, &mut offset) };
    (status == 0).then_some((storage, numel, offset))
}

/// Cuts `t` from its graph in place (views included). False if libtorch refused.
pub(crate) fn detach_in_place(t: &tch::Tensor) -> bool {
    // SAFETY: as for clear_grad. The shim may re-point the C++ handle, which
    // tch owns through a pointer, so `&` suffices on the Rust side.
    unsafe { flodl_detach_in_place(ptr(t)) == 0 }
}

/// Enters libtorch's inference mode (or leaves it, with `false`) until the
/// returned guard is passed to [`inference_mode_exit`]; null if refused.
pub(crate) fn inference_mode_enter(enabled: bool) -> *mut c_void {
    // SAFETY: allocates a c10::InferenceMode; catches every C++ exception.
    unsafe { flodl_inference_mode_enter(c_int::from(enabled)) }
}

/// Leaves the inference mode `guard` entered (on the same thread).
pub(crate) fn inference_mode_exit(guard: *mut c_void) {
    // SAFETY: `guard` came from inference_mode_enter on this thread and is
    // deleted once.
    unsafe { flodl_inference_mode_exit(guard) }
}

/// The name of the autograd node that made `t` (`"MulBackward0"`); None for
/// a leaf.
pub(crate) fn grad_fn_name(t: &tch::Tensor) -> Option<String> {
    // SAFETY: the shim returns a malloc'd string or null; read once, freed.
    let name = unsafe { flodl_grad_fn_name(ptr(t)) };
    if name.is_null() {
        return None;
    }
    let text = unsafe { CStr::from_ptr(name) }
        .to_string_lossy()
        .into_owned();
    unsafe { flodl_free_message(name) };
    Some(text)
}

pub(crate) fn is_inference_mode_enabled() -> bool {
    // SAFETY: reads a thread-local flag; cannot fail.
    unsafe { flodl_is_inference_mode_enabled() != 0 }
}

pub(crate) fn is_grad_enabled() -> bool {
    // SAFETY: reads a thread-local flag; cannot fail.
    unsafe { flodl_is_grad_enabled() != 0 }
}

pub(crate) fn set_grad_enabled(enabled: bool) -> bool {
    // SAFETY: writes a thread-local flag; cannot fail.
    unsafe { flodl_set_grad_enabled(c_int::from(enabled)) != 0 }
}

/// The backward of a custom function's node, as flodl runs it: the
/// gradients of the outputs in, the gradients of the inputs out.
pub(crate) trait NodeBackward: Send + Sync {
    fn backward(&self, grads: Vec<Option<tch::Tensor>>)
        -> Result<Vec<Option<tch::Tensor>>, String>;
    /// A backward without retain_graph is done with the node's saved values.
    fn release(&self);
}

type NodeCall =
    extern "C" fn(*mut c_void, *const *mut c_void, usize, *mut *mut c_void, usize) -> *mut c_char;
type NodeRelease = extern "C" fn(*mut c_void);

extern "C" {
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
        .map(|i| {
            let p = unsafe { *grads.add(i) };
            (!p.is_null()).then(|| unsafe { tch::Tensor::from_ptr(p.cast()) })
        })
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
    differentiable: &[bool],
    materialize: bool,
    node: Box<dyn NodeBackward>,
) -> Result<Vec<tch::Tensor>, Failure> {
    let ins: Vec<*mut c_void> = inputs.iter().map(|t| ptr(t)).collect();
    let outs: Vec<*mut c_void> = outputs.iter().map(|t| ptr(t)).collect();
    let flags: Vec<u8> = differentiable.iter().map(|&d| u8::from(d)).collect();
    let (n_in, n_out) = (count(ins.len())?, count(outs.len())?);
    let name = std::ffi::CString::new(name.replace('\0', " ")).unwrap_or_default();
    let ctx = Box::into_raw(Box::new(node)) as *mut c_void;
    let mut results: Vec<*mut c_void> = vec![std::ptr::null_mut(); outs.len()];
    // SAFETY: live tensors and arrays valid for the call; the shim owns `ctx`
    // from here on and calls drop_node once (also when it fails); on success
    // every slot of `results` is a `new at::Tensor`.
    failure_of(unsafe {
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
    // SAFETY: each result is a new handle that tch now owns.
    Ok(results
        .into_iter()
        .map(|p| unsafe { tch::Tensor::from_ptr(p.cast()) })
        .collect())
}

extern "C" {
    fn flodl_get_rng_state(cuda_index: c_int, out: *mut *mut c_void) -> *mut c_char;
    fn flodl_set_rng_state(cuda_index: c_int, state: *mut c_void) -> *mut c_char;
}

/// The state of the default generator of the CPU (`None`) or a CUDA device.
pub(crate) fn get_rng_state(cuda_index: Option<u8>) -> Result<tch::Tensor, Failure> {
    let index = cuda_index.map_or(-1, c_int::from);
    // SAFETY: the shim stores a new handle in `out` or returns a failure.
    make_tensor(|out| unsafe { flodl_get_rng_state(index, out) })
}

/// Restores a state from [`get_rng_state`].
pub(crate) fn set_rng_state(cuda_index: Option<u8>, state: &tch::Tensor) -> Result<(), Failure> {
    let index = cuda_index.map_or(-1, c_int::from);
    // SAFETY: a live tensor for the duration of the call.
    failure_of(unsafe { flodl_set_rng_state(index, ptr(state)) })
}

/// The update rules of `flodl_optim_step` (`FlodlOptimMethod` in shim.cpp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptimMethod {
    Sgd = 0,
    Adam = 1,
    Adagrad = 2,
    Rmsprop = 3,
    Adadelta = 4,
    Adamax = 5,
    Radam = 6,
    Nadam = 7,
}

/// The hyperparameters of one update (`FlodlOptimHyper` in shim.cpp); each
/// method reads its own.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OptimHyper {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub alpha: f64,
    pub lr_decay: f64,
    pub rho: f64,
    pub momentum_decay: f64,
    pub nesterov: i32,
    pub maximize: i32,
    pub amsgrad: i32,
    pub decoupled: i32,
    pub centered: i32,
    pub is_first_step: i32,
}

// shim.cpp asserts the same size for its `FlodlOptimHyper`.
const _: () = assert!(std::mem::size_of::<OptimHyper>() == 11 * 8 + 6 * 4);

#[repr(C)]
struct OptimLists {
    items: [*const *mut c_void; 6],
    n: [c_int; 6],
}

/// One optimizer update of a parameter group, in place: `lists` are the
/// params, their grads and the method's state lists (see shim.cpp).
pub(crate) fn optim_step(
    method: OptimMethod,
    lists: [&[&tch::Tensor]; 6],
    hyper: &OptimHyper,
) -> Result<(), Failure> {
    let pointers: Vec<Vec<*mut c_void>> = lists
        .iter()
        .map(|list| list.iter().map(|t| ptr(t)).collect())
        .collect();
    let mut n = [0; 6];
    for (count_of, list) in n.iter_mut().zip(&pointers) {
        *count_of = count(list.len())?;
    }
    let items = std::array::from_fn(|i| pointers[i].as_ptr());
    let lists = OptimLists { items, n };
    // SAFETY: every pointer is a live tch tensor for the call; the shim
    // reads `n[i]` entries of `items[i]` and catches every C++ exception.
    failure_of(unsafe { flodl_optim_step(method as c_int, &lists, hyper) })
}

/// Scales `grads` in place so that their joint `norm_type`-norm is at most
/// `max_norm`; returns the norm before scaling.
pub(crate) fn clip_grad_norm(
    grads: &[&tch::Tensor],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<tch::Tensor, Failure> {
    let pointers: Vec<*mut c_void> = grads.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    // SAFETY: as for optim_step; the shim stores a new tensor in `out`.
    make_tensor(|out| unsafe {
        flodl_clip_grad_norm(
            pointers.as_ptr(),
            n,
            max_norm,
            norm_type,
            c_int::from(error_if_nonfinite),
            out,
        )
    })
}

/// The identity of the tensor behind a handle: equal for handles (clones)
/// of one tensor, different for distinct tensors alive at the same time.
pub(crate) fn impl_id(t: &tch::Tensor) -> usize {
    // SAFETY: `t` is a live tch tensor; the shim reads its impl pointer.
    unsafe { flodl_impl_id(ptr(t)) }
}

/// A multi-layer GRU on the CPU with one autograd node per layer and
/// direction (csrc/gru.cpp): `(output, h_n)`, the numbers of `at::gru`.
pub(crate) fn gru(
    input: &tch::Tensor,
    hx: &tch::Tensor,
    params: &[&tch::Tensor],
    options: &crate::RnnOptions,
) -> Result<(tch::Tensor, tch::Tensor), Failure> {
    let pointers: Vec<*mut c_void> = params.iter().map(|t| ptr(t)).collect();
    let n = count(pointers.len())?;
    let mut h_n: *mut c_void = std::ptr::null_mut();
    // SAFETY: as for optim_step; on success the shim stores a `new
    // at::Tensor` in each out-pointer (and none on failure).
    let output = make_tensor(|out| unsafe {
        flodl_gru(
            ptr(input),
            ptr(hx),
            pointers.as_ptr(),
            n,
            c_int::from(options.has_biases),
            options.num_layers,
            options.dropout,
            c_int::from(options.train),
            c_int::from(options.bidirectional),
            c_int::from(options.batch_first),
            out,
            &mut h_n,
        )
    })?;
    if h_n.is_null() {
        return Err(Failure::Typed(None, "gru: the shim returned no h_n".into()));
    }
    // SAFETY: the call succeeded, so `h_n` is a `new at::Tensor` we own.
    let h_n = unsafe { tch::Tensor::from_ptr(h_n.cast()) };
    Ok((output, h_n))
}

#[cfg(feature = "python")] // used by the Python bindings only
/// `t` as a torch.Tensor (a new reference to a Python object, sharing memory
/// and autograd graph), or null with a Python exception set. Needs the GIL
/// and torch imported.
pub(crate) fn to_torch(t: &tch::Tensor) -> Result<*mut c_void, Failure> {
    let mut object: *mut c_void = std::ptr::null_mut();
    // SAFETY: `t` is a live tch tensor; the shim catches C++ exceptions.
    failure_of(unsafe { flodl_to_torch(ptr(t), &mut object) })?;
    Ok(object)
}

#[cfg(feature = "python")] // used by the Python bindings only
/// A new handle on the tensor whose TensorImpl is at `impl_`.
///
/// # Safety
/// `impl_` must be the TensorImpl of a tensor alive for the call (what a
/// live torch.Tensor's `_cdata` gives).
pub(crate) unsafe fn from_tensor_impl(impl_: usize) -> Result<tch::Tensor, Failure> {
    // SAFETY: the caller's contract; the shim takes a new reference.
    make_tensor(|out| unsafe { flodl_from_tensor_impl(impl_, out) })
}

/// A DLPack managed tensor sharing `t`'s memory (versioned: DLPack 1.x);
/// the caller owns it (it goes into a capsule, whose consumer or destructor
/// frees it).
pub(crate) fn to_dlpack(t: &tch::Tensor, versioned: bool) -> Result<*mut c_void, Failure> {
    let mut managed: *mut c_void = std::ptr::null_mut();
    // SAFETY: `t` is a live tch tensor.
    failure_of(unsafe { flodl_to_dlpack(ptr(t), c_int::from(versioned), &mut managed) })?;
    Ok(managed)
}

/// A tensor on a DLPack managed tensor's memory, taking ownership of it
/// (read-only memory is copied).
///
/// # Safety
/// `managed` must be a managed tensor of that version nobody else will free
/// or use.
pub(crate) unsafe fn from_dlpack(
    managed: *mut c_void,
    versioned: bool,
) -> Result<tch::Tensor, Failure> {
    // SAFETY: the caller's contract.
    make_tensor(|out| unsafe { flodl_from_dlpack(managed, c_int::from(versioned), out) })
}

/// Frees a DLPack managed tensor nobody consumed.
///
/// # Safety
/// `managed` must be an unconsumed managed tensor of that version (or null).
pub(crate) unsafe fn dlpack_delete(managed: *mut c_void, versioned: bool) {
    // SAFETY: the caller's contract.
    unsafe { flodl_dlpack_delete(managed, c_int::from(versioned)) }
}
