//! Recurrent layers: `LSTM` and `GRU` (multi-layer, bidirectional), and
//! the cells `RNNCell`, `LSTMCell`, `GRUCell`.

use std::cell::Cell;

use super::{uniform, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{Tensor, TensorOptions, Variable};

/// Which cell a recurrent stack runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecurrentCell {
    Lstm,
    Gru,
}

/// What [`LSTM`] and [`GRU`] share: a multi-layer stack on libtorch's
/// fused kernels.
#[derive(Debug)]
struct Recurrent {
    cell: RecurrentCell,
    /// `(name, parameter)` in PyTorch's order: per layer and direction
    /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
    params: Vec<(String, Parameter)>,
    hidden_size: i64,
    num_layers: i64,
    bidirectional: bool,
    batch_first: bool,
    dropout: f64,
    training: Cell<bool>,
}

/// The shape of a recurrent stack, with PyTorch's defaults (one layer,
/// biases, `[seq, batch, feature]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecurrentOptions {
    pub num_layers: i64,
    pub bias: bool,
    pub batch_first: bool,
    pub dropout: f64,
    pub bidirectional: bool,
}

impl Default for RecurrentOptions {
    fn default() -> Self {
        RecurrentOptions {
            num_layers: 1,
            bias: true,
            batch_first: false,
            dropout: 0.0,
            bidirectional: false,
        }
    }
}

impl Recurrent {
    fn new(
        cell: RecurrentCell,
        input_size: i64,
        hidden_size: i64,
        o: RecurrentOptions,
    ) -> Result<Self> {
        ensure!(
            o.num_layers >= 1 && hidden_size >= 1,
            Argument,
            "{cell:?}: num_layers and hidden_size must be positive"
        );
        crate::ops::nn::check_probability(&format!("{cell:?}"), o.dropout)?;
        let gates = match cell {
            RecurrentCell::Lstm => 4,
            RecurrentCell::Gru => 3,
        };
        // Every weight and bias uniform in +-1/sqrt(hidden_size), drawn in
        // registration order as PyTorch's reset_parameters does.
        let bound = 1.0 / (hidden_size as f64).sqrt();
        let directions = if o.bidirectional { 2 } else { 1 };
        let mut params = Vec::new();
        for layer in 0..o.num_layers {
            for direction in 0..directions {
                let suffix = if direction == 1 { "_reverse" } else { "" };
                let inputs = if layer == 0 {
                    input_size
                } else {
                    hidden_size * directions
                };
                let mut shapes = vec![
                    ("weight_ih", vec![gates * hidden_size, inputs]),
                    ("weight_hh", vec![gates * hidden_size, hidden_size]),
                ];
                if o.bias {
                    shapes.push(("bias_ih", vec![gates * hidden_size]));
                    shapes.push(("bias_hh", vec![gates * hidden_size]));
                }
                for (name, shape) in shapes {
                    params.push((format!("{name}_l{layer}{suffix}"), uniform(&shape, bound)?));
                }
            }
        }
        Ok(Recurrent {
            cell,
            params,
            hidden_size,
            num_layers: o.num_layers,
            bidirectional: o.bidirectional,
            batch_first: o.batch_first,
            dropout: o.dropout,
            training: Cell::new(true),
        })
    }

    /// The output sequence and the final `(h, c)` (`c` is `None` for a GRU)
    /// from the initial `state` (zeros when `None`).
    fn run(
        &self,
        input: &Variable,
        state: Option<(&Variable, Option<&Variable>)>,
    ) -> Result<(Variable, (Variable, Option<Variable>))> {
        let shape = input.shape();
        ensure!(
            shape.len() == 3,
            Shape,
            "{:?}: expected a 3-d input, got shape {shape:?}",
            self.cell
        );
        let batch = if self.batch_first { shape[0] } else { shape[1] };
        let directions = if self.bidirectional { 2 } else { 1 };
        let zeros = || -> Result<Variable> {
            let opts = TensorOptions {
                dtype: input.dtype(),
                device: input.device(),
            };
            Variable::new(
                Tensor::zeros(
                    &[self.num_layers * directions, batch, self.hidden_size],
                    opts,
                )?,
                false,
            )
        };
        let h0 = match state {
            Some((h, _)) => h.clone(),
            None => zeros()?,
        };
        let weights: Vec<Variable> = self.params.iter().map(|(_, p)| p.clone()).collect();
        let options = crate::RnnOptions {
            has_biases: weights.len() as i64 > 2 * self.num_layers * directions,
            num_layers: self.num_layers,
            dropout: self.dropout,
            train: self.training.get(),
            bidirectional: self.bidirectional,
            batch_first: self.batch_first,
        };
        match self.cell {
            RecurrentCell::Lstm => {
                let c0 = match state.and_then(|(_, c)| c) {
                    Some(c) => c.clone(),
                    None => zeros()?,
                };
                let (out, h, c) = crate::lstm(input, &h0, &c0, &weights, options)?;
                Ok((out, (h, Some(c))))
            }
            RecurrentCell::Gru => {
                let (out, h) = crate::gru(input, &h0, &weights, options)?;
                Ok((out, (h, None)))
            }
        }
    }
}

/// A multi-layer LSTM, as `torch.nn.LSTM`: `[seq, batch, feature]` in and
/// out (`[batch, seq, feature]` with `batch_first`). `forward` starts from
/// zero states and returns the output sequence.
#[derive(Debug)]
pub struct LSTM(Recurrent);

impl LSTM {
    /// `num_layers` layers from `input_size` to `hidden_size` features,
    /// initialised as PyTorch's.
    pub fn new(input_size: i64, hidden_size: i64, options: RecurrentOptions) -> Result<Self> {
        Ok(LSTM(Recurrent::new(
            RecurrentCell::Lstm,
            input_size,
            hidden_size,
            options,
        )?))
    }

    /// The output sequence and the final `(h, c)`, from `(h0, c0)` (zeros
    /// when `None`), each `[layers * directions, batch, hidden]`.
    pub fn forward_with_state(
        &self,
        input: &Variable,
        state: Option<(&Variable, &Variable)>,
    ) -> Result<(Variable, (Variable, Variable))> {
        let (out, (h, c)) = self.0.run(input, state.map(|(h, c)| (h, Some(c))))?;
        // An LSTM run always returns its cell state.
        let c =
            c.ok_or_else(|| crate::Error::new(crate::ErrorKind::Torch, "LSTM: no cell state"))?;
        Ok((out, (h, c)))
    }
}

/// A multi-layer GRU, as `torch.nn.GRU`; shapes as [`LSTM`]'s.
#[derive(Debug)]
pub struct GRU(Recurrent);

impl GRU {
    /// `num_layers` layers from `input_size` to `hidden_size` features,
    /// initialised as PyTorch's.
    pub fn new(input_size: i64, hidden_size: i64, options: RecurrentOptions) -> Result<Self> {
        Ok(GRU(Recurrent::new(
            RecurrentCell::Gru,
            input_size,
            hidden_size,
            options,
        )?))
    }

    /// The output sequence and the final `h`, from `h0` (zeros when `None`).
    pub fn forward_with_state(
        &self,
        input: &Variable,
        h0: Option<&Variable>,
    ) -> Result<(Variable, Variable)> {
        let (out, (h, _)) = self.0.run(input, h0.map(|h| (h, None)))?;
        Ok((out, h))
    }
}

/// LSTM and GRU are modules through their stack.
macro_rules! recurrent_module {
    ($($name:ident),*) => {$(
        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                Ok(self.0.run(input, None)?.0)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                self.0.params.clone()
            }
            fn set_training(&self, training: bool) {
                self.0.training.set(training)
            }
        }
    )*};
}

recurrent_module!(LSTM, GRU);

/// Which step a recurrent cell takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// `tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)` (RNNCell's default).
    RnnTanh,
    /// The same with ReLU.
    RnnRelu,
    Lstm,
    Gru,
}

impl CellKind {
    fn gates(self) -> i64 {
        match self {
            CellKind::RnnTanh | CellKind::RnnRelu => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CellKind::RnnTanh | CellKind::RnnRelu => "RNNCell",
            CellKind::Lstm => "LSTMCell",
            CellKind::Gru => "GRUCell",
        }
    }
}

/// One step of a recurrent cell, as `torch.nn.RNNCell`, `LSTMCell` and
/// `GRUCell`: `forward` starts from a zero state and gives the new hidden
/// state; [`step`](RecurrentCellLayer::step) takes and gives the state
/// (`h`, and `c` for an LSTM).
#[derive(Debug)]
pub struct RecurrentCellLayer {
    pub kind: CellKind,
    pub weight_ih: Parameter,
    pub weight_hh: Parameter,
    pub bias_ih: Option<Parameter>,
    pub bias_hh: Option<Parameter>,
    pub hidden_size: i64,
}

/// `torch.nn.RNNCell`.
pub type RNNCell = RecurrentCellLayer;
/// `torch.nn.LSTMCell`.
pub type LSTMCell = RecurrentCellLayer;
/// `torch.nn.GRUCell`.
pub type GRUCell = RecurrentCellLayer;

impl RecurrentCellLayer {
    /// Weights `[gates * hidden, input]` and `[gates * hidden, hidden]`
    /// (and biases), all drawn from `U(-1/sqrt(hidden), 1/sqrt(hidden))` in
    /// PyTorch's order.
    pub fn new(kind: CellKind, input_size: i64, hidden_size: i64, bias: bool) -> Result<Self> {
        ensure!(
            hidden_size > 0,
            Argument,
            "{}: hidden_size must be positive, got {hidden_size}",
            kind.name()
        );
        let bound = 1.0 / (hidden_size as f64).sqrt();
        let rows = kind.gates() * hidden_size;
        let weight_ih = uniform(&[rows, input_size], bound)?;
        let weight_hh = uniform(&[rows, hidden_size], bound)?;
        let (bias_ih, bias_hh) = if bias {
            (
                Some(uniform(&[rows], bound)?),
                Some(uniform(&[rows], bound)?),
            )
        } else {
            (None, None)
        };
        Ok(RecurrentCellLayer {
            kind,
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
            hidden_size,
        })
    }

    /// One step from `state` (zeros when None): the new `(h, c)` (`c` only
    /// for an LSTM).
    pub fn step(
        &self,
        input: &Variable,
        state: Option<(&Variable, Option<&Variable>)>,
    ) -> Result<(Variable, Option<Variable>)> {
        let shape = input.shape();
        ensure!(
            shape.len() == 2,
            Shape,
            "{}: expected input [batch, input_size], got {shape:?}",
            self.kind.name()
        );
        let zeros = || -> Result<Variable> {
            let opts = TensorOptions {
                dtype: input.dtype(),
                device: input.device(),
            };
            Variable::new(Tensor::zeros(&[shape[0], self.hidden_size], opts)?, false)
        };
        let h = match state {
            Some((h, _)) => h.clone(),
            None => zeros()?,
        };
        let (b_ih, b_hh) = (self.bias_ih.as_ref(), self.bias_hh.as_ref());
        Ok(match self.kind {
            CellKind::Lstm => {
                let c = match state.and_then(|(_, c)| c) {
                    Some(c) => c.clone(),
                    None => zeros()?,
                };
                let (h, c) =
                    crate::lstm_cell(input, &h, &c, &self.weight_ih, &self.weight_hh, b_ih, b_hh)?;
                (h, Some(c))
            }
            CellKind::Gru => (
                crate::gru_cell(input, &h, &self.weight_ih, &self.weight_hh, b_ih, b_hh)?,
                None,
            ),
            CellKind::RnnTanh | CellKind::RnnRelu => {
                let pre = crate::linear(input, &self.weight_ih, b_ih)?.add(&crate::linear(
                    &h,
                    &self.weight_hh,
                    b_hh,
                )?)?;
                let h = if self.kind == CellKind::RnnTanh {
                    pre.tanh()?
                } else {
                    pre.relu()?
                };
                (h, None)
            }
        })
    }
}

impl Module for RecurrentCellLayer {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        Ok(self.step(input, None)?.0)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        super::named(&[
            ("weight_ih", Some(&self.weight_ih)),
            ("weight_hh", Some(&self.weight_hh)),
            ("bias_ih", self.bias_ih.as_ref()),
            ("bias_hh", self.bias_hh.as_ref()),
        ])
    }
    fn name(&self) -> String {
        self.kind.name().to_string()
    }
}
