//! libtorch's fused multi-layer LSTM and GRU over whole sequences, as
//! `torch.nn.LSTM` and `torch.nn.GRU` call them. Their weights are a list,
//! which the op tables have no kind for, so they are written out here.

use super::{run_opt, Operand};
use crate::Result;

/// The shape of a recurrent stack, as the fields of `torch.nn.LSTM`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RnnOptions {
    /// Whether `params` holds the biases (`b_ih`, `b_hh` after each layer's
    /// weights).
    pub has_biases: bool,
    pub num_layers: i64,
    /// Dropout between layers while training.
    pub dropout: f64,
    pub train: bool,
    pub bidirectional: bool,
    /// `[batch, seq, feature]` input and output instead of `[seq, batch, feature]`.
    pub batch_first: bool,
}

/// A multi-layer LSTM over a sequence from `(hx, cx)`: `(output, h_n, c_n)`.
/// `params` are the weights in PyTorch's order: per layer (and direction)
/// `w_ih, w_hh` and, with biases, `b_ih, b_hh`.
pub fn lstm<T: Operand>(
    input: &T,
    hx: &T,
    cx: &T,
    params: &[T],
    options: RnnOptions,
) -> Result<(T, T, T)> {
    let RnnOptions {
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    } = options;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(input.raw()), Some(hx.raw()), Some(cx.raw())];
    run_opt("lstm", &operands, || {
        crate::ops::nn::check_probability("lstm", dropout)?;
        Ok::<_, crate::error::Failure>(input.raw().f_lstm(
            &[hx.raw(), cx.raw()],
            &weights,
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?)
    })
}

/// A multi-layer GRU over a sequence from `hx`: `(output, h_n)`; `params` as
/// for [`lstm`].
pub fn gru<T: Operand>(input: &T, hx: &T, params: &[T], options: RnnOptions) -> Result<(T, T)> {
    let RnnOptions {
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
    } = options;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(input.raw()), Some(hx.raw())];
    run_opt("gru", &operands, || {
        crate::ops::nn::check_probability("gru", dropout)?;
        Ok::<_, crate::error::Failure>(input.raw().f_gru(
            hx.raw(),
            &weights,
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?)
    })
}
