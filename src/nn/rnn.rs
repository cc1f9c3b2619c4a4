//! Recurrent layers: `RNN`, `LSTM` (with projections) and `GRU`
//! (multi-layer, bidirectional), and the cells `RNNCell`, `LSTMCell`,
//! `GRUCell`. A stack's forward is [`recurrent_forward`] on its weights,
//! which Python's classes call too.

use std::cell::Cell;

use super::{empty_parameter, init, py_bool, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{Tensor, TensorOptions, Variable};

/// The shape of a recurrent stack, with PyTorch's defaults (one layer,
/// biases, `[seq, batch, feature]`, no projection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecurrentOptions {
    pub num_layers: i64,
    pub bias: bool,
    pub batch_first: bool,
    /// Dropout on each layer's output but the last, while training.
    pub dropout: f64,
    pub bidirectional: bool,
    /// An LSTM's hidden state projected to this size (0: none).
    pub proj_size: i64,
}

impl Default for RecurrentOptions {
    fn default() -> Self {
        RecurrentOptions {
            num_layers: 1,
            bias: true,
            batch_first: false,
            dropout: 0.0,
            bidirectional: false,
            proj_size: 0,
        }
    }
}

/// What a stack is, besides its weights: the cell, the sizes and the
/// options (PyTorch's `RNN`, `LSTM` and `GRU` attributes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecurrentSpec {
    pub cell: CellKind,
    pub input_size: i64,
    pub hidden_size: i64,
    pub options: RecurrentOptions,
}

impl RecurrentSpec {
    /// The layer's name, as PyTorch's class.
    pub fn name(&self) -> &'static str {
        match self.cell {
            CellKind::RnnTanh | CellKind::RnnRelu => "RNN",
            CellKind::Lstm => "LSTM",
            CellKind::Gru => "GRU",
        }
    }

    /// The layer as PyTorch prints it (`LSTM(3, 4, num_layers=2)`), which
    /// its error messages start with.
    pub fn describe(&self) -> String {
        format!("{}({})", self.name(), self.extra_repr())
    }

    /// The settings PyTorch's `extra_repr` shows (those off their default).
    pub fn extra_repr(&self) -> String {
        let o = &self.options;
        let mut s = format!("{}, {}", self.input_size, self.hidden_size);
        if o.proj_size != 0 {
            s += &format!(", proj_size={}", o.proj_size);
        }
        if o.num_layers != 1 {
            s += &format!(", num_layers={}", o.num_layers);
        }
        if !o.bias {
            s += ", bias=False";
        }
        if o.batch_first {
            s += ", batch_first=True";
        }
        if o.dropout != 0.0 {
            s += &format!(", dropout={}", super::py_float(o.dropout));
        }
        if o.bidirectional {
            s += &format!(", bidirectional={}", py_bool(o.bidirectional));
        }
        s
    }

    /// The options PyTorch accepts (an Argument error naming the layer
    /// otherwise).
    pub fn check(&self) -> Result<()> {
        let (name, o) = (self.name(), &self.options);
        crate::ops::nn::check_probability(name, o.dropout)?;
        ensure!(
            self.hidden_size > 0,
            Argument,
            "{name}: hidden_size must be an integer greater than zero"
        );
        ensure!(
            o.num_layers > 0,
            Argument,
            "{name}: num_layers must be an integer greater than zero"
        );
        ensure!(
            o.proj_size >= 0,
            Argument,
            "{name}: proj_size should be a positive integer or zero to disable projections"
        );
        ensure!(
            o.proj_size < self.hidden_size,
            Argument,
            "{name}: proj_size has to be smaller than hidden_size"
        );
        ensure!(
            o.proj_size == 0 || self.cell == CellKind::Lstm,
            Argument,
            "{name}: proj_size argument is only supported for LSTM, not RNN or GRU"
        );
        Ok(())
    }

    /// The size each step emits: the projection's, else the hidden size.
    fn out_size(&self) -> i64 {
        match self.options.proj_size {
            0 => self.hidden_size,
            p => p,
        }
    }

    fn directions(&self) -> i64 {
        if self.options.bidirectional {
            2
        } else {
            1
        }
    }

    /// Each weight's name and shape, in PyTorch's order: per layer and
    /// direction `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` and
    /// `weight_hr` (with projections).
    pub fn weight_shapes(&self) -> Result<Vec<(String, Vec<i64>)>> {
        self.check()?;
        let o = &self.options;
        let (gates, hidden, out) = (
            self.cell.gates() * self.hidden_size,
            self.hidden_size,
            self.out_size(),
        );
        let mut shapes = Vec::new();
        for layer in 0..o.num_layers {
            for direction in 0..self.directions() {
                let suffix = if direction == 1 { "_reverse" } else { "" };
                let inputs = if layer == 0 {
                    self.input_size
                } else {
                    out * self.directions()
                };
                let mut cell = vec![
                    ("weight_ih", vec![gates, inputs]),
                    ("weight_hh", vec![gates, out]),
                ];
                if o.bias {
                    cell.push(("bias_ih", vec![gates]));
                    cell.push(("bias_hh", vec![gates]));
                }
                if o.proj_size > 0 {
                    cell.push(("weight_hr", vec![out, hidden]));
                }
                for (name, shape) in cell {
                    shapes.push((format!("{name}_l{layer}{suffix}"), shape));
                }
            }
        }
        Ok(shapes)
    }
}

/// The stack `spec` with `weights` (in [`RecurrentSpec::weight_shapes`]'s
/// order) over `input` (`[L, N, input_size]`, `[N, L, input_size]` with
/// `batch_first`, or unbatched `[L, input_size]`), from the initial states
/// `hx` (`h`, and `c` for an LSTM; zeros when empty): the output sequence
/// and the final states, as PyTorch's `forward`.
pub fn recurrent_forward(
    spec: &RecurrentSpec,
    input: &Variable,
    hx: &[Variable],
    weights: &[Variable],
    training: bool,
) -> Result<(Variable, Vec<Variable>)> {
    let o = &spec.options;
    let shape = input.shape();
    let order = if o.batch_first { "[N, L, " } else { "[L, N, " };
    ensure!(
        matches!(shape.len(), 2 | 3) && shape.last() == Some(&spec.input_size),
        Shape,
        "{}: expected input {order}{}] or [L, {}], got {shape:?}",
        spec.describe(),
        spec.input_size,
        spec.input_size
    );
    let batched = shape.len() == 3;
    let batch_dim = if o.batch_first { 0 } else { 1 };
    let input = if batched {
        input.clone()
    } else {
        input.unsqueeze(batch_dim)?
    };
    let batch = input.shape()[batch_dim as usize];
    let states = start_states(spec, hx, &input, batched, batch)?;
    let options = kernel_options(spec, training);
    let (output, finals) = match spec.cell {
        CellKind::Lstm => {
            let (out, h, c) = crate::lstm(&input, &states[0], &states[1], weights, options)?;
            (out, vec![h, c])
        }
        CellKind::Gru => {
            let (out, h) = crate::gru(&input, &states[0], weights, options)?;
            (out, vec![h])
        }
        relu_or_tanh => {
            let relu = relu_or_tanh == CellKind::RnnRelu;
            let (out, h) = crate::rnn(&input, &states[0], weights, options, relu)?;
            (out, vec![h])
        }
    };
    if batched {
        return Ok((output, finals));
    }
    let finals = finals
        .iter()
        .map(|s| s.squeeze(1))
        .collect::<Result<Vec<_>>>()?;
    Ok((output.squeeze(batch_dim)?, finals))
}

/// [`recurrent_forward`] over a packed batch, as PyTorch's `forward` given a
/// `PackedSequence`: the output is packed as the input (same batch sizes
/// and indices); `hx` and the final states are in the batch's order before
/// packing (permuted by the packing's sorted indices and back).
pub fn recurrent_forward_packed(
    spec: &RecurrentSpec,
    input: &crate::PackedSequence<Variable>,
    hx: &[Variable],
    weights: &[Variable],
    training: bool,
) -> Result<(crate::PackedSequence<Variable>, Vec<Variable>)> {
    // (Not empty: checked.)
    let batch = crate::ops::rnn::check_packed(spec.name(), input)?[0];
    let data_shape = input.data.shape();
    ensure!(
        data_shape.len() == 2 && data_shape[1] == spec.input_size,
        Shape,
        "{}: expected packed data [steps, {}], got {data_shape:?}",
        spec.describe(),
        spec.input_size
    );
    let permuted = |state: &Variable, order: &Option<Tensor>| match order {
        Some(order) => state.index_select(1, order),
        None => Ok(state.clone()),
    };
    let mut states = start_states(spec, hx, &input.data, true, batch)?;
    if !hx.is_empty() {
        // The given states follow the batch's order; the kernel's, the packing's.
        states = states
            .iter()
            .map(|state| permuted(state, &input.sorted_indices))
            .collect::<Result<Vec<_>>>()?;
    }
    let options = kernel_options(spec, training);
    let (data, sizes) = (&input.data, &input.batch_sizes);
    let (output, finals) = match spec.cell {
        CellKind::Lstm => {
            let (out, h, c) =
                crate::lstm_packed(data, sizes, &states[0], &states[1], weights, options)?;
            (out, vec![h, c])
        }
        cell => {
            let relu = match cell {
                CellKind::Gru => None,
                other => Some(other == CellKind::RnnRelu),
            };
            let (out, h) =
                crate::recurrent_packed(data, sizes, &states[0], weights, options, relu)?;
            (out, vec![h])
        }
    };
    let finals = finals
        .iter()
        .map(|state| permuted(state, &input.unsorted_indices))
        .collect::<Result<Vec<_>>>()?;
    let packed = crate::PackedSequence {
        data: output,
        batch_sizes: input.batch_sizes.clone(),
        sorted_indices: input.sorted_indices.clone(),
        unsorted_indices: input.unsorted_indices.clone(),
    };
    Ok((packed, finals))
}

/// The states the stack starts from: `hx` checked and batched, or zeros
/// (`h`, and `c` for an LSTM) of `like`'s dtype and device.
fn start_states(
    spec: &RecurrentSpec,
    hx: &[Variable],
    like: &Variable,
    batched: bool,
    batch: i64,
) -> Result<Vec<Variable>> {
    let rows = spec.options.num_layers * spec.directions();
    let sizes: &[i64] = if spec.cell == CellKind::Lstm {
        &[spec.out_size(), spec.hidden_size]
    } else {
        &[spec.hidden_size]
    };
    if !hx.is_empty() {
        return initial_states(spec, hx, sizes, batched, rows, batch);
    }
    let opts = TensorOptions {
        dtype: like.dtype(),
        device: like.device(),
    };
    sizes
        .iter()
        .map(|&size| Variable::new(Tensor::zeros(&[rows, batch, size], opts)?, false))
        .collect()
}

/// The fused kernels' options for the stack `spec`.
fn kernel_options(spec: &RecurrentSpec, training: bool) -> crate::RnnOptions {
    let o = &spec.options;
    crate::RnnOptions {
        has_biases: o.bias,
        num_layers: o.num_layers,
        dropout: o.dropout,
        train: training,
        bidirectional: o.bidirectional,
        batch_first: o.batch_first,
    }
}

/// `hx` checked against the stack and batched like the input.
fn initial_states(
    spec: &RecurrentSpec,
    hx: &[Variable],
    sizes: &[i64],
    batched: bool,
    rows: i64,
    batch: i64,
) -> Result<Vec<Variable>> {
    ensure!(
        hx.len() == sizes.len(),
        Argument,
        "{}: expected {} initial states, got {}",
        spec.name(),
        sizes.len(),
        hx.len()
    );
    let (rank, kind) = if batched {
        (3, "batched 3-D")
    } else {
        (2, "unbatched 2-D")
    };
    let mut states = Vec::new();
    for (i, (state, &size)) in hx.iter().zip(sizes).enumerate() {
        let name = if sizes.len() == 1 {
            "hx".to_string()
        } else {
            format!("hx[{i}]")
        };
        ensure!(
            state.shape().len() == rank,
            Shape,
            "{}: for {kind} input, {name} should also be {rank}-D but got {:?}",
            spec.describe(),
            state.shape()
        );
        let want = if batched {
            vec![rows, batch, size]
        } else {
            vec![rows, size]
        };
        ensure!(
            state.shape() == want,
            Shape,
            "{}: expected hidden state {want:?}, got {:?}",
            spec.describe(),
            state.shape()
        );
        states.push(if batched {
            state.clone()
        } else {
            state.unsqueeze(1)?
        });
    }
    Ok(states)
}

/// What [`RNN`], [`LSTM`] and [`GRU`] share: a stack's spec and weights.
#[derive(Debug)]
struct Recurrent {
    spec: RecurrentSpec,
    /// `(name, parameter)` in PyTorch's order.
    params: Vec<(String, Parameter)>,
    training: Cell<bool>,
}

impl Recurrent {
    fn new(
        cell: CellKind,
        input_size: i64,
        hidden_size: i64,
        options: RecurrentOptions,
    ) -> Result<Self> {
        let spec = RecurrentSpec {
            cell,
            input_size,
            hidden_size,
            options,
        };
        let params = spec
            .weight_shapes()?
            .into_iter()
            .map(|(name, shape)| Ok((name, empty_parameter(&shape)?)))
            .collect::<Result<Vec<_>>>()?;
        // Drawn in registration order, as PyTorch's reset_parameters.
        let all: Vec<&Parameter> = params.iter().map(|(_, p)| p).collect();
        init::recurrent_default_(&all, hidden_size)?;
        Ok(Recurrent {
            spec,
            params,
            training: Cell::new(true),
        })
    }

    /// An RNN's or a GRU's run: the output and the one final state.
    fn run_one_state(
        &self,
        input: &Variable,
        h0: Option<&Variable>,
    ) -> Result<(Variable, Variable)> {
        let (out, finals) = self.run(input, &h0.into_iter().cloned().collect::<Vec<_>>())?;
        let h = finals.into_iter().next().ok_or_else(|| {
            crate::Error::new(crate::ErrorKind::Torch, "recurrent: no final state")
        })?;
        Ok((out, h))
    }

    fn run(&self, input: &Variable, hx: &[Variable]) -> Result<(Variable, Vec<Variable>)> {
        let weights: Vec<Variable> = self.params.iter().map(|(_, p)| p.clone()).collect();
        recurrent_forward(&self.spec, input, hx, &weights, self.training.get())
    }
}

/// A multi-layer Elman RNN (`tanh`, or ReLU with [`CellKind::RnnRelu`]),
/// as `torch.nn.RNN`: shapes as [`LSTM`]'s.
#[derive(Debug)]
pub struct RNN(Recurrent);

impl RNN {
    /// `num_layers` layers from `input_size` to `hidden_size` features with
    /// `nonlinearity` ([`CellKind::RnnTanh`] or [`CellKind::RnnRelu`]),
    /// initialised as PyTorch's.
    pub fn new(
        input_size: i64,
        hidden_size: i64,
        nonlinearity: CellKind,
        options: RecurrentOptions,
    ) -> Result<Self> {
        ensure!(
            matches!(nonlinearity, CellKind::RnnTanh | CellKind::RnnRelu),
            Argument,
            "RNN: the nonlinearity is tanh or relu, got {nonlinearity:?}"
        );
        Ok(RNN(Recurrent::new(
            nonlinearity,
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
        self.0.run_one_state(input, h0)
    }
}

/// A multi-layer LSTM, as `torch.nn.LSTM`: `[seq, batch, feature]` in and
/// out (`[batch, seq, feature]` with `batch_first`, or unbatched `[seq,
/// feature]`). `forward` starts from zero states and returns the output
/// sequence.
#[derive(Debug)]
pub struct LSTM(Recurrent);

impl LSTM {
    /// `num_layers` layers from `input_size` to `hidden_size` features,
    /// initialised as PyTorch's.
    pub fn new(input_size: i64, hidden_size: i64, options: RecurrentOptions) -> Result<Self> {
        Ok(LSTM(Recurrent::new(
            CellKind::Lstm,
            input_size,
            hidden_size,
            options,
        )?))
    }

    /// The output sequence and the final `(h, c)`, from `(h0, c0)` (zeros
    /// when `None`), each `[layers * directions, batch, hidden]` (`h` of
    /// `proj_size` with projections).
    pub fn forward_with_state(
        &self,
        input: &Variable,
        state: Option<(&Variable, &Variable)>,
    ) -> Result<(Variable, (Variable, Variable))> {
        let hx: Vec<Variable> = state.map_or(Vec::new(), |(h, c)| vec![h.clone(), c.clone()]);
        let (out, finals) = self.0.run(input, &hx)?;
        match <[Variable; 2]>::try_from(finals) {
            Ok([h, c]) => Ok((out, (h, c))),
            Err(_) => Err(crate::Error::new(
                crate::ErrorKind::Torch,
                "LSTM: no cell state",
            )),
        }
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
            CellKind::Gru,
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
        self.0.run_one_state(input, h0)
    }
}

/// The stacks are modules through their [`Recurrent`].
macro_rules! recurrent_module {
    ($($name:ident),*) => {$(
        impl $name {
            /// The stack over a packed batch (see
            /// [`pack_padded_sequence`](crate::pack_padded_sequence)), from
            /// the initial states `hx` (none: zeros; `[h, c]` for an LSTM),
            /// in the batch's order before packing: the packed output and
            /// the final states, as PyTorch's `forward` given a
            /// `PackedSequence`.
            pub fn forward_packed(
                &self,
                input: &crate::PackedSequence<Variable>,
                hx: &[Variable],
            ) -> Result<(crate::PackedSequence<Variable>, Vec<Variable>)> {
                let weights: Vec<Variable> = self.0.params.iter().map(|(_, p)| p.clone()).collect();
                recurrent_forward_packed(&self.0.spec, input, hx, &weights, self.0.training.get())
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                Ok(self.0.run(input, &[])?.0)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                self.0.params.clone()
            }
            fn name(&self) -> String {
                self.0.spec.name().to_string()
            }
            fn extra_repr(&self) -> String {
                self.0.spec.extra_repr()
            }
            fn set_training(&self, training: bool) {
                self.0.training.set(training)
            }
        }
    )*};
}

recurrent_module!(RNN, LSTM, GRU);

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
        let rows = kind.gates() * hidden_size;
        let weight_ih = empty_parameter(&[rows, input_size])?;
        let weight_hh = empty_parameter(&[rows, hidden_size])?;
        let (bias_ih, bias_hh) = if bias {
            (
                Some(empty_parameter(&[rows])?),
                Some(empty_parameter(&[rows])?),
            )
        } else {
            (None, None)
        };
        let mut all = vec![&weight_ih, &weight_hh];
        all.extend(bias_ih.iter().chain(&bias_hh));
        init::recurrent_default_(&all, hidden_size)?;
        Ok(RecurrentCellLayer {
            kind,
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
            hidden_size,
        })
    }

    /// The cell's weights, as [`cell_forward`] takes them.
    fn weights(&self) -> CellWeights<'_> {
        CellWeights {
            weight_ih: &self.weight_ih,
            weight_hh: &self.weight_hh,
            bias_ih: self.bias_ih.as_ref(),
            bias_hh: self.bias_hh.as_ref(),
        }
    }

    /// One step from `state` (zeros when None): the new `(h, c)` (`c` only
    /// for an LSTM).
    pub fn step(
        &self,
        input: &Variable,
        state: Option<(&Variable, Option<&Variable>)>,
    ) -> Result<(Variable, Option<Variable>)> {
        let hx: Vec<Variable> = match state {
            Some((h, c)) => std::iter::once(h).chain(c).cloned().collect(),
            None => Vec::new(),
        };
        let mut states = cell_forward(self.kind, input, &hx, &self.weights())?.into_iter();
        let h = states
            .next()
            .ok_or_else(|| crate::Error::new(crate::ErrorKind::Torch, "cell: no state"))?;
        Ok((h, states.next()))
    }
}

/// The weights of one recurrent cell, as [`cell_forward`] takes them.
#[derive(Debug, Clone, Copy)]
pub struct CellWeights<'a> {
    pub weight_ih: &'a Variable,
    pub weight_hh: &'a Variable,
    pub bias_ih: Option<&'a Variable>,
    pub bias_hh: Option<&'a Variable>,
}

/// The cell as PyTorch prints it (`LSTMCell(3, 4, bias=False)`), from its
/// weights.
fn describe_cell(kind: CellKind, w: &CellWeights<'_>) -> String {
    format!("{}({})", kind.name(), cell_extra_repr(kind, w))
}

/// The cell's settings as PyTorch's `extra_repr` shows them.
fn cell_extra_repr(kind: CellKind, w: &CellWeights<'_>) -> String {
    let dim = |v: &Variable, d: usize| v.shape().get(d).copied().unwrap_or(0);
    let mut s = format!("{}, {}", dim(w.weight_ih, 1), dim(w.weight_hh, 1));
    if w.bias_ih.is_none() {
        s += ", bias=False";
    }
    if kind == CellKind::RnnRelu {
        s += ", nonlinearity=relu";
    }
    s
}

/// One step of the cell `kind` with `weights` on `input` (`[N, input]`, or
/// unbatched `[input]`) from `hx` (`h`, and `c` for an LSTM; zeros when
/// empty): the new states, as PyTorch's cells' `forward`.
pub fn cell_forward(
    kind: CellKind,
    input: &Variable,
    hx: &[Variable],
    weights: &CellWeights<'_>,
) -> Result<Vec<Variable>> {
    let w = weights;
    let inputs = w.weight_ih.shape().get(1).copied().unwrap_or(0);
    let hidden = w.weight_hh.shape().get(1).copied().unwrap_or(0);
    let shape = input.shape();
    ensure!(
        matches!(shape.len(), 1 | 2) && shape.last() == Some(&inputs),
        Shape,
        "{}: expected input [N, {inputs}] or [{inputs}], got {shape:?}",
        describe_cell(kind, w)
    );
    let batched = shape.len() == 2;
    let input = if batched {
        input.clone()
    } else {
        input.unsqueeze(0)?
    };
    let batch = input.shape()[0];
    let n_states = if kind == CellKind::Lstm { 2 } else { 1 };
    let states: Vec<Variable> = if hx.is_empty() {
        let opts = TensorOptions {
            dtype: input.dtype(),
            device: input.device(),
        };
        let zeros = Variable::new(Tensor::zeros(&[batch, hidden], opts)?, false)?;
        vec![zeros; n_states]
    } else {
        ensure!(
            hx.len() == n_states,
            Argument,
            "{}: expected {n_states} states, got {}",
            kind.name(),
            hx.len()
        );
        let want = if batched {
            vec![batch, hidden]
        } else {
            vec![hidden]
        };
        hx.iter()
            .map(|state| {
                ensure!(
                    state.shape() == want,
                    Shape,
                    "{}: expected hidden state {want:?}, got {:?}",
                    describe_cell(kind, w),
                    state.shape()
                );
                if batched {
                    Ok(state.clone())
                } else {
                    state.unsqueeze(0)
                }
            })
            .collect::<Result<_>>()?
    };
    let (b_ih, b_hh) = (w.bias_ih, w.bias_hh);
    let h = &states[0];
    let next = match kind {
        CellKind::Lstm => {
            let (h, c) =
                crate::lstm_cell(&input, h, &states[1], w.weight_ih, w.weight_hh, b_ih, b_hh)?;
            vec![h, c]
        }
        CellKind::Gru => vec![crate::gru_cell(
            &input,
            h,
            w.weight_ih,
            w.weight_hh,
            b_ih,
            b_hh,
        )?],
        CellKind::RnnTanh | CellKind::RnnRelu => {
            let pre = crate::linear(&input, w.weight_ih, b_ih)?.add(&crate::linear(
                h,
                w.weight_hh,
                b_hh,
            )?)?;
            vec![if kind == CellKind::RnnTanh {
                pre.tanh()?
            } else {
                pre.relu()?
            }]
        }
    };
    if batched {
        return Ok(next);
    }
    next.iter().map(|s| s.squeeze(0)).collect()
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
    fn extra_repr(&self) -> String {
        cell_extra_repr(self.kind, &self.weights())
    }
}
