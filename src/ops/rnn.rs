//! libtorch's fused multi-layer LSTM and GRU over whole sequences, as
//! `torch.nn.LSTM` and `torch.nn.GRU` call them. Their weights are a list,
//! which the op tables have no kind for, so they are written out here.

use super::{run_opt, Operand};
use crate::error::{bail, ensure};
use crate::Result;

/// Checks every shape libtorch's fused kernels trust (a wrong one would be
/// read out of bounds): the input, the states and each weight, for a cell
/// of `gates` gates. An LSTM whose `hx` is narrower than its `cx` has
/// projections (`w_hr` after each cell's weights), as libtorch reads it.
fn check_shapes<T: Operand>(
    op: &str,
    gates: i64,
    input: &T,
    hx: &T,
    cx: Option<&T>,
    params: &[T],
    o: &RnnOptions,
) -> Result<()> {
    let shape = input.shape();
    ensure!(
        shape.len() == 3,
        Shape,
        "{op}: expected a 3-d input, got shape {shape:?}"
    );
    ensure!(
        o.num_layers >= 1,
        Argument,
        "{op}: num_layers must be positive, got {}",
        o.num_layers
    );
    let batch = if o.batch_first { shape[0] } else { shape[1] };
    let directions = if o.bidirectional { 2 } else { 1 };
    let rows = o.num_layers * directions;
    // `out`: what each step emits (the projection's size if there is one).
    let out = hx.shape().get(2).copied().unwrap_or(0);
    let hidden = cx.map_or(out, |c| c.shape().get(2).copied().unwrap_or(0));
    let projected = out != hidden;
    for (state, size) in [(Some(hx), out), (cx, hidden)] {
        let Some(state) = state else { continue };
        let want = vec![rows, batch, size];
        ensure!(
            state.shape() == want && size > 0,
            Shape,
            "{op}: expected states of shape {want:?} (layers x directions, batch, hidden), got {:?}",
            state.shape()
        );
    }
    ensure!(
        !projected || out < hidden,
        Shape,
        "{op}: a projected hx ({out}) must be narrower than cx ({hidden})"
    );
    let biases = if o.has_biases { 2 } else { 0 };
    let per_cell = 2 + biases + i64::from(projected);
    let expected = (rows * per_cell) as usize;
    ensure!(
        params.len() == expected,
        Argument,
        "{op}: expected {expected} weights, got {}",
        params.len()
    );
    for (k, p) in params.iter().enumerate() {
        let layer = k as i64 / (directions * per_cell);
        let inputs = if layer == 0 {
            shape[2]
        } else {
            out * directions
        };
        let want = match k as i64 % per_cell {
            0 => vec![gates * hidden, inputs],
            1 => vec![gates * hidden, out],
            j if j < 2 + biases => vec![gates * hidden],
            _ => vec![out, hidden],
        };
        if p.shape() != want {
            bail!(
                Shape,
                "{op}: weight {k} (layer {layer}) has shape {:?}, expected {want:?}",
                p.shape()
            );
        }
        ensure!(
            p.dtype() == input.dtype() && p.device() == input.device(),
            DType,
            "{op}: weight {k} is {:?} on {:?}, the input {:?} on {:?}",
            p.dtype(),
            p.device(),
            input.dtype(),
            input.device()
        );
    }
    Ok(())
}

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
/// `w_ih, w_hh`, with biases `b_ih, b_hh`, and with projections (an `hx`
/// narrower than `cx`) `w_hr`.
pub fn lstm<T: Operand>(
    input: &T,
    hx: &T,
    cx: &T,
    params: &[T],
    options: RnnOptions,
) -> Result<(T, T, T)> {
    check_shapes("lstm", 4, input, hx, Some(cx), params, &options)?;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(input.raw()), Some(hx.raw()), Some(cx.raw())];
    run_opt("lstm", &operands, || {
        let o = options;
        Ok::<_, crate::error::Failure>(input.raw().f_lstm(
            &[hx.raw(), cx.raw()],
            &weights,
            o.has_biases,
            o.num_layers,
            o.dropout,
            o.train,
            o.bidirectional,
            o.batch_first,
        )?)
    })
}

/// A multi-layer GRU over a sequence from `hx`: `(output, h_n)`; `params` as
/// for [`lstm`].
pub fn gru<T: Operand>(input: &T, hx: &T, params: &[T], options: RnnOptions) -> Result<(T, T)> {
    check_shapes("gru", 3, input, hx, None, params, &options)?;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(input.raw()), Some(hx.raw())];
    run_opt("gru", &operands, || {
        // On the CPU, one autograd node per layer (csrc/gru.cpp): libtorch
        // composes its CPU GRU from hundreds of small recorded ops.
        let fused_dtype = matches!(input.dtype(), crate::DType::Float32 | crate::DType::Float64);
        if input.device() == crate::Device::CPU && fused_dtype {
            return crate::ffi::gru(input.raw(), hx.raw(), &weights, &options);
        }
        let o = options;
        Ok::<_, crate::error::Failure>(input.raw().f_gru(
            hx.raw(),
            &weights,
            o.has_biases,
            o.num_layers,
            o.dropout,
            o.train,
            o.bidirectional,
            o.batch_first,
        )?)
    })
}

/// A multi-layer Elman RNN over a sequence from `hx`, with `tanh` (or ReLU
/// when `relu`) between steps: `(output, h_n)`; `params` as for [`gru`].
pub fn rnn<T: Operand>(
    input: &T,
    hx: &T,
    params: &[T],
    options: RnnOptions,
    relu: bool,
) -> Result<(T, T)> {
    let op = if relu { "rnn_relu" } else { "rnn_tanh" };
    check_shapes(op, 1, input, hx, None, params, &options)?;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(input.raw()), Some(hx.raw())];
    run_opt(op, &operands, || {
        let o = options;
        let run = if relu {
            tch::Tensor::f_rnn_relu
        } else {
            tch::Tensor::f_rnn_tanh
        };
        Ok::<_, crate::error::Failure>(run(
            input.raw(),
            hx.raw(),
            &weights,
            o.has_biases,
            o.num_layers,
            o.dropout,
            o.train,
            o.bidirectional,
            o.batch_first,
        )?)
    })
}
