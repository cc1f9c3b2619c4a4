//! flodl: a floDl-style autograd core on libtorch.
//!
//! - [`Tensor`]: n-dimensional arrays, no graph.
//! - [`Variable`]: tensors whose ops are recorded; [`Variable::backward`]
//!   fills the leaves' gradients and frees the graph at once.
//! - [`Error`]: one error enum; every fallible call returns [`Result`].
//!
//! The op catalogue (SPEC §5) is one table in `ops`, expanded for both types.

mod autograd;
mod error;
mod ffi;
mod live;
mod ops;
mod tensor;

#[cfg(feature = "python")]
mod python;

pub use autograd::{is_grad_enabled, no_grad, set_grad_enabled, NoGradGuard, Variable};
pub use error::{Error, ErrorKind, Result};
pub use live::live_tensor_count;
pub use ops::nn::*;
pub use ops::Operand;
pub use tensor::{
    cuda_available, cuda_device_count, manual_seed, DType, Device, Tensor, TensorOptions,
};
