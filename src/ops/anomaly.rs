//! `detect_anomaly`: while it is on, every op that records a graph also
//! makes its backward check the gradients it produces; a NaN or inf fails
//! the backward with an Autograd error naming the forward op, its operands
//! and (from Python) the file and line that called it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// How many `detect_anomaly` blocks are open (process-wide, as PyTorch's).
static DEPTH: AtomicUsize = AtomicUsize::new(0);

/// Where the current op was called from, if the caller knows (the Python
/// layer gives the file and line of the user's code).
static LOCATION: OnceLock<fn() -> Option<String>> = OnceLock::new();

/// Lets the Python layer say where ops are called from.
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) fn set_location_source(source: fn() -> Option<String>) {
    let _first_wins = LOCATION.set(source);
}

/// Whether anomaly detection is on.
pub fn is_anomaly_enabled() -> bool {
    DEPTH.load(Ordering::Relaxed) > 0
}

/// Runs `f` with anomaly detection on and returns what it returns.
pub fn detect_anomaly<R>(f: impl FnOnce() -> R) -> R {
    let _guard = AnomalyGuard::new();
    f()
}

/// Anomaly detection on until dropped.
#[must_use = "anomaly detection ends when the guard is dropped"]
pub struct AnomalyGuard(());

impl AnomalyGuard {
    pub fn new() -> Self {
        DEPTH.fetch_add(1, Ordering::Relaxed);
        AnomalyGuard(())
    }
}

impl Default for AnomalyGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for AnomalyGuard {
    fn drop(&mut self) {
        DEPTH.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Makes the backward of `result`'s node check its gradients (called for
/// every op result while anomaly detection is on).
pub(crate) fn watch(op: &str, context: &str, result: &tch::Tensor) {
    if !result.requires_grad() {
        return;
    }
    let mut place = if context.is_empty() {
        op.to_string()
    } else {
        format!("{op} ({context})")
    };
    if let Some(location) = LOCATION.get().and_then(|source| source()) {
        place.push_str(&format!(" (called at {location})"));
    }
    // A failure to attach the check only loses the check.
    let _watched = crate::ffi::watch_anomaly(result, &place);
}
