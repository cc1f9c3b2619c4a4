//! Where warnings go: libtorch's (a deprecated overload, a resized
//! non-empty output) and flodl's own. By default each is a `log` record
//! (target `flodl`); [`set_warning_handler`] sends them elsewhere (the
//! Python module sends them to Python's `warnings`).

use std::sync::RwLock;

/// Receives each warning: its message, and whether it is a deprecation.
pub type WarningHandler = fn(message: &str, deprecation: bool);

static HANDLER: RwLock<Option<WarningHandler>> = RwLock::new(None);

/// Sends every later warning, from any thread, to `handler`.
pub fn set_warning_handler(handler: WarningHandler) {
    // A poisoned lock only means a handler panicked; the slot is still valid.
    let mut slot = HANDLER.write().unwrap_or_else(|p| p.into_inner());
    *slot = Some(handler);
}

/// Hands one warning to the handler, or to `log` when none was set.
pub(crate) fn deliver(message: &str, deprecation: bool) {
    let handler = *HANDLER.read().unwrap_or_else(|p| p.into_inner());
    match handler {
        Some(handler) => handler(message, deprecation),
        None => {
            let kind = if deprecation { "deprecated: " } else { "" };
            log::warn!(target: "flodl", "{kind}{message}");
        }
    }
}

/// Issues a warning of flodl's own, through the same route as libtorch's.
pub(crate) fn warn(message: &str) {
    // Should libtorch fail to take it, the warning still reaches the handler.
    if crate::ffi::warn(message).is_err() {
        deliver(message, false);
    }
}
