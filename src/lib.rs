//! flodl: a floDl-style autograd core on libtorch.
//!
//! - [`Tensor`]: n-dimensional arrays, no graph.
//! - [`Variable`]: tensors whose ops are recorded; [`Variable::backward`]
//!   fills the leaves' gradients and frees the graph at once.
//! - [`Error`]: one error type (a kind and a message); every fallible call
//!   returns [`Result`].
//!
//! The op catalogue is declared once, in `ops`, and expanded as methods of
//! both types, as free functions (the nn group) and as Python bindings.

pub mod amp;
pub mod autograd;
pub mod cuda;
pub mod distributions;
mod dtype;
mod error;
mod ffi;
pub mod func;
mod functional;
mod interop;
pub mod io;
mod live;
pub mod nn;
mod ops;
pub mod optim;
mod scalar;
mod tensor;
mod value;
pub mod warnings;

#[cfg(feature = "python")]
pub mod python;

pub use autograd::{
    enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled, EnableGradGuard,
    InferenceModeGuard, NoGradGuard, Variable,
};
pub use dtype::{FloatInfo, IntInfo};
pub use error::{Error, ErrorKind, Result};
pub use functional::*;
pub use interop::DlpackTensor;
pub use live::live_tensor_count;
pub use ops::interpolate::interpolate;
pub use ops::nn::*;
pub use ops::rnn::{
    gru, invert_permutation, lstm, lstm_packed, pack_padded_sequence, pack_sequence,
    pad_packed_sequence, recurrent_packed, rnn, unpack_sequence, unpad_sequence, PackedSequence,
    RnnOptions,
};
pub use ops::Operand;
pub use tensor::index::TensorIndex;
pub use tensor::{
    allow_tf32, are_deterministic_algorithms_enabled, broadcast_shapes, cuda_available,
    cuda_device_count, cuda_synchronize, cudnn_available, cudnn_is_deterministic,
    cudnn_set_benchmark, cudnn_set_deterministic, float32_matmul_precision, get_default_dtype,
    get_num_interop_threads, get_num_threads, get_rng_state,
    is_deterministic_algorithms_warn_only_enabled, manual_seed, print_options, result_type,
    sdp_backend_enabled, sdpa_kernel, set_allow_tf32, set_default_dtype,
    set_float32_matmul_precision, set_num_interop_threads, set_num_threads, set_print_options,
    set_rng_state, set_sdp_backend_enabled, set_sdp_backends, torch_repr,
    use_deterministic_algorithms, DType, Device, PrintOptions, Promoted, Scalar, SdpBackend,
    Tensor, TensorOptions, Window,
};
pub use value::{Key, Value};
