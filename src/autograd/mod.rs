//! Reverse-mode automatic differentiation: [`Variable`] and grad mode.
//!
//! The graph is libtorch's own autograd graph, so gradients are PyTorch's to
//! the bit; flodl adds floDl's rules on top: backward frees the
//! graph at once, errors are explicit, `zero_grad` resets to `None`.

mod check;
mod checkpoint;
mod explain;
pub mod forward_ad;
pub(crate) mod function;
mod functions;
mod grad_mode;
mod graph;
mod hooks;
mod variable;

pub use crate::ops::anomaly::{detect_anomaly, is_anomaly_enabled, AnomalyGuard};
#[cfg(feature = "python")]
pub(crate) use check::{check_first_order, check_second_order};
pub use check::{gradcheck, gradgradcheck, GradcheckOptions};
#[cfg(feature = "python")]
pub(crate) use checkpoint::checkpoint_then;
pub use checkpoint::{checkpoint, checkpoint_with};
pub use explain::explain_grad;
pub(crate) use function::attach;
pub use function::{apply, Function, FunctionCtx};
pub use functions::{backward, grad, grad_batched, BackwardOptions, GradOptions};
pub use grad_mode::{
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled, EnableGradGuard, InferenceModeGuard, NoGradGuard,
};
pub use graph::Node;
pub use hooks::HookHandle;
pub use variable::Variable;
