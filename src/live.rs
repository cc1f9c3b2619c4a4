//! The count of live tensor handles (`live_tensor_count`), as floDl keeps
//! it: every Tensor and Variable adds one while it exists, so a training
//! loop whose count climbs is holding on to tensors (or graphs).

use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Held by each Tensor and Variable: counts one handle while it lives
/// (unless it is an uncounted alias).
pub(crate) struct LiveHandle {
    counted: bool,
}

impl LiveHandle {
    pub(crate) fn new() -> LiveHandle {
        // Relaxed: the count is a statistic; nothing is ordered by it.
        LIVE.fetch_add(1, Ordering::Relaxed);
        LiveHandle { counted: true }
    }

    /// For a second handle that is part of one already counted (the Tensor
    /// part of a Python Variable).
    #[cfg(feature = "python")]
    pub(crate) fn uncounted() -> LiveHandle {
        LiveHandle { counted: false }
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        if self.counted {
            LIVE.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// How many Tensor and Variable handles exist right now, in this process.
/// Flat across training steps when every graph and temporary is freed.
pub fn live_tensor_count() -> usize {
    LIVE.load(Ordering::Relaxed)
}
