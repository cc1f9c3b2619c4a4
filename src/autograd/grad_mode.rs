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
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        NoGradGuard {
            previous: set_grad_enabled(false),
        }
    }
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}
