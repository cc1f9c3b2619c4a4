//! `flodl.lstm` and `flodl.gru`, libtorch's fused recurrent ops (their
//! weights are a list, so they are bound by hand rather than from the nn
//! table), and `flodl::nn`'s recurrent stacks, which `flodl.nn.RNN`,
//! `LSTM` and `GRU` call.

use pyo3::prelude::*;

use super::args::{CoreArg as _, PyOperand as _, VariableArg};
use super::classes::PyTensor;
use super::gil::without_gil;
use super::results::NnResult as _;
use crate::{RnnOptions, Variable};

/// `variables` as a Python list (of Variables when `tracked`, else of Tensors).
fn variables_out(py: Python<'_>, variables: Vec<Variable>, tracked: bool) -> PyResult<Py<PyAny>> {
    let out = variables
        .into_iter()
        .map(|s| s.into_python(py, tracked))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// Whether any operand is a Variable (the results are then Variables), and
/// the operands as Variables.
fn variables(params: &[VariableArg<'_>]) -> (bool, Vec<Variable>) {
    let tracked = params.iter().any(|p| p.tracked());
    (tracked, params.iter().map(|p| p.get().clone()).collect())
}

/// lstm(input, hx, cx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
/// --
///
/// A multi-layer LSTM over a sequence: `(output, h_n, c_n)`. `params` are
/// the weights in `torch.nn.LSTM`'s order (per layer and direction `w_ih,
/// w_hh` and, with biases, `b_ih, b_hh`).
#[pyfunction]
#[allow(clippy::too_many_arguments)] // libtorch's signature
pub(crate) fn lstm(
    py: Python<'_>,
    input: VariableArg<'_>,
    hx: VariableArg<'_>,
    cx: VariableArg<'_>,
    params: Vec<VariableArg<'_>>,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("lstm", move || {
        let (any_weight, params) = variables(&params);
        let tracked = any_weight || input.tracked() || hx.tracked() || cx.tracked();
        let options = options(
            "lstm",
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?;
        let (input, hx, cx) = (input.get(), hx.get(), cx.get());
        let (output, h, c) = without_gil(py, || crate::lstm(input, hx, cx, &params, options))?;
        let triple = (
            output.into_python(py, tracked)?,
            h.into_python(py, tracked)?,
            c.into_python(py, tracked)?,
        );
        Ok(triple.into_pyobject(py)?.into_any().unbind())
    })
}

/// gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
/// --
///
/// A multi-layer GRU over a sequence: `(output, h_n)`; `params` as for
/// `lstm`.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // libtorch's signature
pub(crate) fn gru(
    py: Python<'_>,
    input: VariableArg<'_>,
    hx: VariableArg<'_>,
    params: Vec<VariableArg<'_>>,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("gru", move || {
        let (any_weight, params) = variables(&params);
        let tracked = any_weight || input.tracked() || hx.tracked();
        let options = options(
            "gru",
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?;
        let (input, hx) = (input.get(), hx.get());
        let pair = without_gil(py, || crate::gru(input, hx, &params, options))?;
        pair.into_python(py, tracked)
    })
}

/// The options both layers take, as the core takes them.
fn options(
    op: &str,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<RnnOptions> {
    use crate::python::args::CoreArg as _;
    Ok(RnnOptions {
        has_biases,
        num_layers: num_layers.core(op, "num_layers")?,
        dropout: dropout.core(op, "dropout")?,
        train,
        bidirectional,
        batch_first,
    })
}

/// The spec of a `flodl.nn.RNN`, `LSTM` or `GRU`, read from its attributes
/// (PyTorch's: `mode`, `input_size`, `hidden_size`, `num_layers`, `bias`,
/// `batch_first`, `dropout`, `bidirectional`, `proj_size`).
fn spec_of(layer: &Bound<'_, PyAny>) -> PyResult<crate::nn::RecurrentSpec> {
    let mode: String = layer.getattr("mode")?.extract()?;
    let cell = cell_kind(&mode)?;
    let int = |name: &str| -> PyResult<i64> { layer.getattr(name)?.extract() };
    let flag = |name: &str| -> PyResult<bool> { layer.getattr(name)?.is_truthy() };
    Ok(crate::nn::RecurrentSpec {
        cell,
        input_size: int("input_size")?,
        hidden_size: int("hidden_size")?,
        options: crate::nn::RecurrentOptions {
            num_layers: int("num_layers")?,
            bias: flag("bias")?,
            batch_first: flag("batch_first")?,
            dropout: layer.getattr("dropout")?.extract()?,
            bidirectional: flag("bidirectional")?,
            proj_size: int("proj_size")?,
        },
    })
}

/// _recurrent_weights(layer)
/// --
///
/// The `(name, shape)` of each weight of the stack `layer` describes, in
/// PyTorch's order, after checking its options.
#[pyfunction(name = "_recurrent_weights")]
pub(crate) fn recurrent_weights(layer: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Vec<i64>)>> {
    crate::python::guard::run("recurrent", move || Ok(spec_of(layer)?.weight_shapes()?))
}

/// A Python recurrent layer's call, as the core takes it.
struct LayerCall {
    spec: crate::nn::RecurrentSpec,
    training: bool,
    hx: Vec<Variable>,
    weights: Vec<Variable>,
    /// Whether any operand is a Variable: the results are then Variables.
    tracked: bool,
}

impl LayerCall {
    fn of(
        layer: &Bound<'_, PyAny>,
        input: &VariableArg<'_>,
        hx: &Bound<'_, PyAny>,
        weights: &[VariableArg<'_>],
    ) -> PyResult<Self> {
        let states = states_of(hx)?;
        let (any_weight, weights) = variables(weights);
        Ok(LayerCall {
            spec: spec_of(layer)?,
            training: layer.getattr("training")?.is_truthy()?,
            hx: states.iter().map(|s| s.get().clone()).collect(),
            weights,
            tracked: any_weight || input.tracked() || states.iter().any(|s| s.tracked()),
        })
    }

    /// `(output, [final states])` as Python objects.
    fn results(
        &self,
        py: Python<'_>,
        output: Variable,
        finals: Vec<Variable>,
    ) -> PyResult<Py<PyAny>> {
        let finals = variables_out(py, finals, self.tracked)?;
        let pair = (output.into_python(py, self.tracked)?, finals);
        Ok(pair.into_pyobject(py)?.into_any().unbind())
    }
}

/// _recurrent(layer, input, hx, weights)
/// --
///
/// The stack `layer` describes, with `weights`, over `input` from `hx`
/// (None, `h`, or `(h, c)`): `(output, [final states])`.
#[pyfunction(name = "_recurrent")]
pub(crate) fn recurrent<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    input: VariableArg<'py>,
    hx: &Bound<'py, PyAny>,
    weights: Vec<VariableArg<'py>>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("recurrent", move || {
        let stack = LayerCall::of(layer, &input, hx, &weights)?;
        let (output, finals) = without_gil(py, || {
            crate::nn::recurrent_forward(
                &stack.spec,
                input.get(),
                &stack.hx,
                &stack.weights,
                stack.training,
            )
        })?;
        stack.results(py, output, finals)
    })
}

/// _recurrent_cell(mode, input, hx, weight_ih, weight_hh, bias_ih, bias_hh)
/// --
///
/// One step of the cell `mode` (`"RNN_TANH"`, `"RNN_RELU"`, `"LSTM"`,
/// `"GRU"`) from `hx` (None, `h`, or `(h, c)`): the new states, a list.
#[pyfunction(name = "_recurrent_cell")]
#[allow(clippy::too_many_arguments)] // the cell's weights, as PyTorch's
pub(crate) fn recurrent_cell<'py>(
    py: Python<'py>,
    mode: &str,
    input: VariableArg<'py>,
    hx: &Bound<'py, PyAny>,
    weight_ih: VariableArg<'py>,
    weight_hh: VariableArg<'py>,
    bias_ih: Option<VariableArg<'py>>,
    bias_hh: Option<VariableArg<'py>>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("recurrent_cell", move || {
        let kind = cell_kind(mode)?;
        let states = states_of(hx)?;
        let operands = [
            Some(&input),
            Some(&weight_ih),
            Some(&weight_hh),
            bias_ih.as_ref(),
            bias_hh.as_ref(),
        ];
        let tracked =
            operands.iter().flatten().any(|a| a.tracked()) || states.iter().any(|s| s.tracked());
        let hx: Vec<Variable> = states.iter().map(|s| s.get().clone()).collect();
        let weights = crate::nn::CellWeights {
            weight_ih: weight_ih.get(),
            weight_hh: weight_hh.get(),
            bias_ih: bias_ih.as_ref().map(|b| b.get()),
            bias_hh: bias_hh.as_ref().map(|b| b.get()),
        };
        let input = input.get();
        let next = without_gil(py, || crate::nn::cell_forward(kind, input, &hx, &weights))?;
        let next = next
            .into_iter()
            .map(|s| s.into_python(py, tracked))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(next.into_pyobject(py)?.into_any().unbind())
    })
}

/// `hx` as the states: None (none), one tensor, or a tuple or list of them.
fn states_of<'py>(hx: &Bound<'py, PyAny>) -> PyResult<Vec<VariableArg<'py>>> {
    if hx.is_none() {
        Ok(Vec::new())
    } else if let Ok(single) = hx.extract::<VariableArg<'py>>() {
        Ok(vec![single])
    } else {
        hx.extract()
    }
}

/// A cell's kind from PyTorch's `mode` names.
fn cell_kind(mode: &str) -> PyResult<crate::nn::CellKind> {
    use crate::nn::CellKind;
    Ok(match mode {
        "RNN_TANH" => CellKind::RnnTanh,
        "RNN_RELU" => CellKind::RnnRelu,
        "LSTM" => CellKind::Lstm,
        "GRU" => CellKind::Gru,
        other => {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("recurrent: unknown mode {other:?} (RNN_TANH, RNN_RELU, LSTM or GRU)"),
            )
            .into())
        }
    })
}

/// A packed batch from its parts, as Python's `PackedSequence` holds them.
fn packed_of(
    data: &VariableArg<'_>,
    batch_sizes: &PyTensor,
    sorted_indices: Option<PyRef<'_, PyTensor>>,
    unsorted_indices: Option<PyRef<'_, PyTensor>>,
) -> crate::PackedSequence<Variable> {
    crate::PackedSequence {
        data: data.get().clone(),
        batch_sizes: batch_sizes.inner.clone(),
        sorted_indices: sorted_indices.map(|t| t.inner.clone()),
        unsorted_indices: unsorted_indices.map(|t| t.inner.clone()),
    }
}

/// _pack_padded_sequence(input, lengths, batch_first, enforce_sorted)
/// --
///
/// `(data, batch_sizes, sorted_indices, unsorted_indices)`, as
/// `torch.nn.utils.rnn.pack_padded_sequence` packs them (the indices are
/// None when the batch was sorted).
#[pyfunction(name = "_pack_padded_sequence")]
pub(crate) fn pack_padded_sequence(
    py: Python<'_>,
    input: VariableArg<'_>,
    lengths: Vec<i64>,
    batch_first: bool,
    enforce_sorted: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("pack_padded_sequence", move || {
        let packed =
            crate::pack_padded_sequence(input.get(), &lengths, batch_first, enforce_sorted)?;
        packed_parts(py, packed, input.tracked())
    })
}

/// `(data, batch_sizes, sorted_indices, unsorted_indices)`, as Python's
/// `PackedSequence` takes them; the data a Variable when `tracked`.
fn packed_parts(
    py: Python<'_>,
    packed: crate::PackedSequence<Variable>,
    tracked: bool,
) -> PyResult<Py<PyAny>> {
    let parts = (
        packed.data.into_python(py, tracked)?,
        packed.batch_sizes,
        packed.sorted_indices,
        packed.unsorted_indices,
    );
    Ok(parts.into_pyobject(py)?.into_any().unbind())
}

/// _pack_sequence(sequences, enforce_sorted)
/// --
///
/// The parts of the packed `sequences`, as `torch.nn.utils.rnn.pack_sequence`.
#[pyfunction(name = "_pack_sequence")]
pub(crate) fn pack_sequence(
    py: Python<'_>,
    sequences: Vec<VariableArg<'_>>,
    enforce_sorted: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("pack_sequence", move || {
        let (tracked, parts) = variables(&sequences);
        let parts: Vec<&Variable> = parts.iter().collect();
        let packed = crate::pack_sequence(&parts, enforce_sorted)?;
        packed_parts(py, packed, tracked)
    })
}

/// _unpad_sequence(padded, lengths, batch_first)
/// --
///
/// The sequences of a padded batch, as `torch.nn.utils.rnn.unpad_sequence`.
#[pyfunction(name = "_unpad_sequence")]
pub(crate) fn unpad_sequence(
    py: Python<'_>,
    padded: VariableArg<'_>,
    lengths: Vec<i64>,
    batch_first: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("unpad_sequence", move || {
        let sequences = crate::unpad_sequence(padded.get(), &lengths, batch_first)?;
        variables_out(py, sequences, padded.tracked())
    })
}

/// _unpack_sequence(data, batch_sizes, sorted_indices, unsorted_indices)
/// --
///
/// The sequences of a packed batch, as `torch.nn.utils.rnn.unpack_sequence`.
#[pyfunction(name = "_unpack_sequence")]
pub(crate) fn unpack_sequence(
    py: Python<'_>,
    data: VariableArg<'_>,
    batch_sizes: PyRef<'_, PyTensor>,
    sorted_indices: Option<PyRef<'_, PyTensor>>,
    unsorted_indices: Option<PyRef<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("unpack_sequence", move || {
        let packed = packed_of(&data, &batch_sizes, sorted_indices, unsorted_indices);
        let sequences = crate::unpack_sequence(&packed)?;
        variables_out(py, sequences, data.tracked())
    })
}

/// _pad_packed_sequence(data, batch_sizes, sorted_indices, unsorted_indices, batch_first, padding_value, total_length)
/// --
///
/// `(padded, lengths)`, as `torch.nn.utils.rnn.pad_packed_sequence`.
#[pyfunction(name = "_pad_packed_sequence")]
#[allow(clippy::too_many_arguments)] // a PackedSequence's parts and torch's arguments
pub(crate) fn pad_packed_sequence(
    py: Python<'_>,
    data: VariableArg<'_>,
    batch_sizes: PyRef<'_, PyTensor>,
    sorted_indices: Option<PyRef<'_, PyTensor>>,
    unsorted_indices: Option<PyRef<'_, PyTensor>>,
    batch_first: bool,
    padding_value: crate::python::args::Float,
    total_length: Option<crate::python::args::Int>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("pad_packed_sequence", move || {
        let packed = packed_of(&data, &batch_sizes, sorted_indices, unsorted_indices);
        let total = total_length
            .map(|n| n.core("pad_packed_sequence", "total_length"))
            .transpose()?;
        let (padded, lengths) = crate::pad_packed_sequence(
            &packed,
            batch_first,
            padding_value.core("pad_packed_sequence", "padding_value")?,
            total,
        )?;
        let pair = (padded.into_python(py, data.tracked())?, lengths);
        Ok(pair.into_pyobject(py)?.into_any().unbind())
    })
}

/// _recurrent_packed(layer, data, batch_sizes, sorted_indices, unsorted_indices, hx, weights)
/// --
///
/// [`recurrent`] over a packed batch: `(output data, [final states])`.
#[pyfunction(name = "_recurrent_packed")]
#[allow(clippy::too_many_arguments)] // a PackedSequence's parts and the stack's
pub(crate) fn recurrent_packed<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    data: VariableArg<'py>,
    batch_sizes: PyRef<'py, PyTensor>,
    sorted_indices: Option<PyRef<'py, PyTensor>>,
    unsorted_indices: Option<PyRef<'py, PyTensor>>,
    hx: &Bound<'py, PyAny>,
    weights: Vec<VariableArg<'py>>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("recurrent", move || {
        let stack = LayerCall::of(layer, &data, hx, &weights)?;
        let packed = packed_of(&data, &batch_sizes, sorted_indices, unsorted_indices);
        let (output, finals) = without_gil(py, || {
            crate::nn::recurrent_forward_packed(
                &stack.spec,
                &packed,
                &stack.hx,
                &stack.weights,
                stack.training,
            )
        })?;
        stack.results(py, output.data, finals)
    })
}

/// _invert_permutation(order)
/// --
///
/// The permutation that undoes `order`: a packed batch's
/// `unsorted_indices` from its `sorted_indices`.
#[pyfunction(name = "_invert_permutation")]
pub(crate) fn invert_permutation(order: PyRef<'_, PyTensor>) -> PyResult<crate::Tensor> {
    crate::python::guard::run("invert_permutation", move || {
        Ok(crate::invert_permutation(&order.inner)?)
    })
}
