//! Grad mode: whether ops record a graph. It is libtorch's thread-local
//! flag, so each thread has its own.

use crate::ffi;

/// Whether ops on this thread record a graph.
pub fn is_grad_enabled() -> bool {
    ffi::is_grad_enabled()
}

/// Turns recording on or off for this thread; returns the previous state.
pub fn set_grad_enabled(enabled: bool) -> bool {
    ffi::set_grad_enabled(enabled)
}

/// Runs `f` with recording off and returns what it returns. The previous
/// state comes back afterwards, even if `f` panics.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = NoGradGuard::new();
    f()
}

/// Turns recording off until dropped, then restores the previous state.
/// Bind it to a name (`let _guard = ...`): `let _ = ...` drops it at once.
#[must_use = "the guard turns grad mode back on when dropped"]
pub struct NoGradGuard {
    previous: bool,
}

impl NoGradGuard {
    pub fn new() -> Self {
        NoGradGuard {
            previous: set_grad_enabled(false),
        }
    }
}

impl Default for NoGradGuard {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `f` with recording on (inside a `no_grad`, say) and returns what it
/// returns; the previous state comes back afterwards.
pub fn enable_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = EnableGradGuard::new();
    f()
}

/// Turns recording on until dropped, then restores the previous state.
#[must_use = "the guard restores grad mode when dropped"]
pub struct EnableGradGuard {
    previous: bool,
}

impl EnableGradGuard {
    pub fn new() -> Self {
        EnableGradGuard {
            previous: set_grad_enabled(true),
        }
    }
}

impl Default for EnableGradGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for EnableGradGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}

/// Runs `f` in libtorch's inference mode: no graph, and the tensors made
/// inside are inference tensors (faster; they cannot enter a graph later).
pub fn inference_mode<R>(f: impl FnOnce() -> R) -> crate::Result<R> {
    let _guard = InferenceModeGuard::new(true)?;
    Ok(f())
}

/// Inference mode (or, with `false`, out of it) until dropped. It must be
/// dropped on the thread that made it, innermost first (it is not `Send`).
#[must_use = "the guard leaves inference mode when dropped"]
pub struct InferenceModeGuard {
    guard: *mut std::ffi::c_void,
}

impl InferenceModeGuard {
    pub fn new(enabled: bool) -> crate::Result<Self> {
        let guard = ffi::inference_mode_enter(enabled)
            .map_err(|f| crate::Error::from_failure("inference_mode", "", f))?;
        Ok(InferenceModeGuard { guard })
    }
}

impl Drop for InferenceModeGuard {
    fn drop(&mut self) {
        ffi::inference_mode_exit(self.guard);
    }
}

/// Whether this thread is in inference mode.
pub fn is_inference_mode_enabled() -> bool {
    ffi::is_inference_mode_enabled()
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}
