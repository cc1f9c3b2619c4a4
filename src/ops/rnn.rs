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
    let batch = if o.batch_first { shape[0] } else { shape[1] };
    let stack = Stack {
        features: shape[2],
        batch,
    };
    check_stack(op, gates, input, stack, hx, cx, params, o)
}

/// What the states and weights of a stack must fit: the input's feature
/// size and the batch size.
#[derive(Clone, Copy)]
struct Stack {
    features: i64,
    batch: i64,
}

/// [`check_shapes`] past the input's own shape (a packed input is 2-d).
#[allow(clippy::too_many_arguments)] // the stack's operands and options
fn check_stack<T: Operand>(
    op: &str,
    gates: i64,
    input: &T,
    Stack { features, batch }: Stack,
    hx: &T,
    cx: Option<&T>,
    params: &[T],
    o: &RnnOptions,
) -> Result<()> {
    ensure!(
        o.num_layers >= 1,
        Argument,
        "{op}: num_layers must be positive, got {}",
        o.num_layers
    );
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
            features
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

/// A batch of sequences of different lengths, packed step by step: `data`
/// holds the first step of every sequence, then the second step of those
/// that have one, ...; `batch_sizes` (Int64, on the CPU) how many sequences
/// each step has. As `torch.nn.utils.rnn.PackedSequence`: when the batch was
/// not sorted by length, `sorted_indices` is the order the sequences were
/// packed in and `unsorted_indices` its inverse.
#[derive(Debug, Clone)]
pub struct PackedSequence<T> {
    pub data: T,
    pub batch_sizes: crate::Tensor,
    pub sorted_indices: Option<crate::Tensor>,
    pub unsorted_indices: Option<crate::Tensor>,
}

/// `input`'s sequences (`[L, B, *]`, or `[B, L, *]` with `batch_first`)
/// packed, the `b`-th `lengths[b]` steps long, as
/// `torch.nn.utils.rnn.pack_padded_sequence`. With `enforce_sorted`, the
/// lengths must be in decreasing order; without, the batch is sorted first
/// (and the indices kept).
pub fn pack_padded_sequence<T: Operand>(
    input: &T,
    lengths: &[i64],
    batch_first: bool,
    enforce_sorted: bool,
) -> Result<PackedSequence<T>> {
    const OP: &str = "pack_padded_sequence";
    let shape = input.shape();
    ensure!(
        shape.iter().all(|&n| n > 0),
        Shape,
        "{OP}: expected a non-empty input, got shape {shape:?}"
    );
    let batch_dim = check_lengths(OP, &shape, lengths, batch_first, 1)?;
    let lengths_tensor =
        crate::Tensor::from_i64(lengths, &[lengths.len() as i64], crate::Device::CPU)?;
    let (lengths_tensor, sorted_indices) = if enforce_sorted {
        ensure!(
            lengths.windows(2).all(|w| w[0] >= w[1]),
            Argument,
            "{OP}: `lengths` must be sorted in decreasing order when enforce_sorted is true \
             (pass enforce_sorted=false to pack an unsorted batch), got {lengths:?}"
        );
        (lengths_tensor, None)
    } else {
        let (sorted, order): (crate::Tensor, crate::Tensor) =
            run_opt(OP, &[Some(lengths_tensor.raw())], || {
                lengths_tensor.raw().f_sort(0, true)
            })?;
        (sorted, Some(order))
    };
    let input = match &sorted_indices {
        Some(order) => run_opt(OP, &[Some(input.raw())], || {
            let order = order.raw().f_to_device(input.raw().device())?;
            input.raw().f_index_select(batch_dim, &order)
        })?,
        None => T::from_raw(input.raw().shallow_clone()),
    };
    let (data, batch_sizes): (T, crate::Tensor) = run_opt(OP, &[Some(input.raw())], || {
        input
            .raw()
            .f_internal_pack_padded_sequence(lengths_tensor.raw(), batch_first)
    })?;
    let device = input.raw().device();
    let sorted_indices = sorted_indices
        .map(|order| run_opt::<crate::Tensor, _, _>(OP, &[], || order.raw().f_to_device(device)))
        .transpose()?;
    let unsorted_indices = sorted_indices
        .as_ref()
        .map(invert_permutation)
        .transpose()?;
    Ok(PackedSequence {
        data,
        batch_sizes,
        sorted_indices,
        unsorted_indices,
    })
}

/// Whether `order` is a 1-d Int64 tensor holding each of `0..n` once.
fn is_permutation(order: &crate::Tensor, n: i64) -> bool {
    if order.ndim() != 1 || order.dtype() != crate::DType::Int64 {
        return false;
    }
    let Ok(mut values) = order.to_i64_vec() else {
        return false;
    };
    values.sort_unstable();
    values == (0..n).collect::<Vec<_>>()
}

/// The permutation that undoes `order` (`inverse[order[i]] = i`): a
/// packed batch's `unsorted_indices` from its `sorted_indices`.
pub fn invert_permutation(order: &crate::Tensor) -> Result<crate::Tensor> {
    let n = order.shape().first().copied().unwrap_or(0);
    ensure!(
        is_permutation(order, n),
        Argument,
        "invert_permutation: expected a 1-d Int64 permutation of 0..{n}, got shape {:?}",
        order.shape()
    );
    run_opt("invert_permutation", &[Some(order.raw())], || {
        // (`size()[0]` exists: `order` is 1-d, checked above.)
        let positions = tch::Tensor::f_arange(
            order.raw().size()[0],
            (tch::Kind::Int64, order.raw().device()),
        )?;
        order
            .raw()
            .f_empty_like()?
            .f_scatter(0, order.raw(), &positions)
    })
}

/// The sequences of `packed` padded with `padding_value` to `total_length`
/// steps (the longest sequence's length when None), in the batch's order
/// before packing, and their lengths, as
/// `torch.nn.utils.rnn.pad_packed_sequence`.
pub fn pad_packed_sequence<T: Operand>(
    packed: &PackedSequence<T>,
    batch_first: bool,
    padding_value: f64,
    total_length: Option<i64>,
) -> Result<(T, crate::Tensor)> {
    const OP: &str = "pad_packed_sequence";
    let batch_sizes = check_packed(OP, packed)?;
    let longest = batch_sizes.len() as i64;
    let steps = match total_length {
        Some(total) => {
            ensure!(
                total >= longest,
                Argument,
                "{OP}: total_length ({total}) must be at least the length of the longest \
                 sequence ({longest})"
            );
            total
        }
        None => longest,
    };
    // Sequence `b` has a step wherever more than `b` sequences do.
    let batch = batch_sizes.first().copied().unwrap_or(0);
    let lengths: Vec<i64> = (0..batch)
        .map(|b| batch_sizes.iter().filter(|&&n| n > b).count() as i64)
        .collect();
    let lengths = crate::Tensor::from_i64(&lengths, &[batch], crate::Device::CPU)?;
    let operands = [Some(packed.data.raw()), Some(packed.batch_sizes.raw())];
    let padded: T = run_opt(OP, &operands, || {
        crate::ffi::pad_packed_sequence(
            packed.data.raw(),
            packed.batch_sizes.raw(),
            batch_first,
            padding_value,
            steps,
        )
    })?;
    let Some(unsorted) = &packed.unsorted_indices else {
        return Ok((padded, lengths));
    };
    let batch_dim = i64::from(!batch_first);
    let padded = run_opt(OP, &operands, || {
        padded.raw().f_index_select(batch_dim, unsorted.raw())
    })?;
    let lengths = run_opt(OP, &operands, || {
        lengths
            .raw()
            .f_index_select(0, &unsorted.raw().f_to_device(tch::Device::Cpu)?)
    })?;
    Ok((padded, lengths))
}

/// Checks `lengths` against a padded batch of `shape` (steps and batch in
/// its first two dims; batch first with `batch_first`): one length per
/// sequence, each in `[shortest, steps]`. Returns the batch dim.
fn check_lengths(
    op: &str,
    shape: &[i64],
    lengths: &[i64],
    batch_first: bool,
    shortest: i64,
) -> Result<i64> {
    ensure!(
        shape.len() >= 2,
        Shape,
        "{op}: expected a padded batch of at least 2 dims (steps and batch), got {shape:?}"
    );
    let batch_dim = i64::from(!batch_first);
    let (steps, batch) = (shape[1 - batch_dim as usize], shape[batch_dim as usize]);
    ensure!(
        lengths.len() as i64 == batch,
        Shape,
        "{op}: {} lengths for a batch of {batch} sequences",
        lengths.len()
    );
    ensure!(
        lengths.iter().all(|&n| (shortest..=steps).contains(&n)),
        Argument,
        "{op}: every length must be in [{shortest}, {steps}] (the padded steps), got {lengths:?}"
    );
    Ok(batch_dim)
}

/// The `sequences` (each `[L_i, *]`) padded and packed, as
/// `torch.nn.utils.rnn.pack_sequence`.
pub fn pack_sequence<T: Operand>(
    sequences: &[&T],
    enforce_sorted: bool,
) -> Result<PackedSequence<T>> {
    const OP: &str = "pack_sequence";
    let mut lengths = Vec::with_capacity(sequences.len());
    for sequence in sequences {
        let shape = sequence.shape();
        ensure!(
            !shape.is_empty(),
            Shape,
            "{OP}: each sequence needs a dim of steps, got a 0-d tensor"
        );
        lengths.push(shape[0]);
    }
    let padded: T = super::join::<T, _, _, _>(OP, sequences, |raws| {
        tch::Tensor::f_pad_sequence(raws, false, 0.0, "right")
    })?;
    pack_padded_sequence(&padded, &lengths, false, enforce_sorted)
}

/// The sequences of a padded batch (`[L, B, *]`, or `[B, L, *]` with
/// `batch_first`), each cut to its length, as
/// `torch.nn.utils.rnn.unpad_sequence`.
pub fn unpad_sequence<T: Operand>(
    padded: &T,
    lengths: &[i64],
    batch_first: bool,
) -> Result<Vec<T>> {
    const OP: &str = "unpad_sequence";
    let batch_dim = check_lengths(OP, &padded.shape(), lengths, batch_first, 0)?;
    let batch = lengths.len() as i64;
    run_opt(OP, &[Some(padded.raw())], || {
        (0..batch)
            .zip(lengths)
            .map(|(b, &n)| padded.raw().f_select(batch_dim, b)?.f_narrow(0, 0, n))
            .collect::<std::result::Result<Vec<_>, tch::TchError>>()
    })
}

/// The sequences of `packed`, each `[L_i, *]`, in their order before
/// packing, as `torch.nn.utils.rnn.unpack_sequence`.
pub fn unpack_sequence<T: Operand>(packed: &PackedSequence<T>) -> Result<Vec<T>> {
    let (padded, lengths) = pad_packed_sequence(packed, true, 0.0, None)?;
    unpad_sequence(&padded, &lengths.to_i64_vec()?, true)
}

/// Checks what the packed kernels trust: `batch_sizes` a non-empty 1-d
/// Int64 tensor on the CPU of positive, non-increasing counts that add up
/// to the data's steps; the indices (when given) permutations of the batch
/// on the data's device. Returns the batch sizes (the first is the batch size).
fn check_batch_sizes<T: Operand>(
    op: &str,
    data: &T,
    batch_sizes: &crate::Tensor,
    indices: [Option<&crate::Tensor>; 2],
) -> Result<Vec<i64>> {
    let shape = data.shape();
    ensure!(
        !shape.is_empty(),
        Shape,
        "{op}: packed data must have a dim of steps, got a 0-d tensor"
    );
    ensure!(
        batch_sizes.device() == crate::Device::CPU,
        Device,
        "{op}: batch_sizes must be on the CPU, got {:?}",
        batch_sizes.device()
    );
    ensure!(
        batch_sizes.dtype() == crate::DType::Int64,
        DType,
        "{op}: batch_sizes must be Int64, got {:?}",
        batch_sizes.dtype()
    );
    ensure!(
        batch_sizes.ndim() == 1,
        Shape,
        "{op}: batch_sizes must be 1-d, got shape {:?}",
        batch_sizes.shape()
    );
    let sizes = batch_sizes.to_i64_vec()?;
    ensure!(
        !sizes.is_empty()
            && sizes.iter().all(|&n| n > 0)
            && sizes.windows(2).all(|w| w[0] >= w[1])
            && sizes.iter().sum::<i64>() == shape[0],
        Shape,
        "{op}: batch_sizes {sizes:?} are not the positive, non-increasing counts of {} packed steps",
        shape[0]
    );
    // (Not empty: checked above.)
    let batch = sizes[0];
    for order in indices.into_iter().flatten() {
        ensure!(
            order.device() == data.device(),
            Device,
            "{op}: the packing's indices are on {:?}, the data on {:?}",
            order.device(),
            data.device()
        );
        ensure!(
            is_permutation(order, batch),
            Argument,
            "{op}: sorted_indices and unsorted_indices must be Int64 permutations of the \
             batch's {batch} sequences"
        );
    }
    Ok(sizes)
}

/// [`check_batch_sizes`] of a whole packed batch: its batch sizes.
pub(crate) fn check_packed<T: Operand>(op: &str, packed: &PackedSequence<T>) -> Result<Vec<i64>> {
    let indices = [
        packed.sorted_indices.as_ref(),
        packed.unsorted_indices.as_ref(),
    ];
    check_batch_sizes(op, &packed.data, &packed.batch_sizes, indices)
}

/// The packed input's shape checked: 2-d data and sound batch sizes; the
/// stack's input features and batch size.
fn packed_batch<T: Operand>(op: &str, data: &T, batch_sizes: &crate::Tensor) -> Result<Stack> {
    let shape = data.shape();
    ensure!(
        shape.len() == 2,
        Shape,
        "{op}: expected packed data of 2 dims (steps of all sequences, features), got {shape:?}"
    );
    // (Not empty: checked.)
    let batch = check_batch_sizes(op, data, batch_sizes, [None, None])?[0];
    Ok(Stack {
        features: shape[1],
        batch,
    })
}

/// [`lstm`] over a packed batch (`data` and `batch_sizes` of a
/// [`PackedSequence`], in its sorted order): `(output data, h_n, c_n)`;
/// `options.batch_first` does not apply.
pub fn lstm_packed<T: Operand>(
    data: &T,
    batch_sizes: &crate::Tensor,
    hx: &T,
    cx: &T,
    params: &[T],
    options: RnnOptions,
) -> Result<(T, T, T)> {
    let stack = packed_batch("lstm", data, batch_sizes)?;
    check_stack("lstm", 4, data, stack, hx, Some(cx), params, &options)?;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(data.raw()), Some(hx.raw()), Some(cx.raw())];
    run_opt("lstm", &operands, || {
        let o = options;
        tch::Tensor::f_lstm_data(
            data.raw(),
            batch_sizes.raw(),
            &[hx.raw(), cx.raw()],
            &weights,
            o.has_biases,
            o.num_layers,
            o.dropout,
            o.train,
            o.bidirectional,
        )
    })
}

/// [`gru`] (with `relu`: None) or [`rnn`] (`relu`: whether ReLU is the
/// nonlinearity) over a packed batch: `(output data, h_n)`.
pub fn recurrent_packed<T: Operand>(
    data: &T,
    batch_sizes: &crate::Tensor,
    hx: &T,
    params: &[T],
    options: RnnOptions,
    relu: Option<bool>,
) -> Result<(T, T)> {
    let op = match relu {
        None => "gru",
        Some(true) => "rnn_relu",
        Some(false) => "rnn_tanh",
    };
    let gates = if relu.is_none() { 3 } else { 1 };
    let stack = packed_batch(op, data, batch_sizes)?;
    check_stack(op, gates, data, stack, hx, None, params, &options)?;
    let weights: Vec<&tch::Tensor> = params.iter().map(Operand::raw).collect();
    let operands = [Some(data.raw()), Some(hx.raw())];
    run_opt(op, &operands, || {
        let o = options;
        let run = match relu {
            None => tch::Tensor::f_gru_data,
            Some(true) => tch::Tensor::f_rnn_relu_data,
            Some(false) => tch::Tensor::f_rnn_tanh_data,
        };
        run(
            data.raw(),
            batch_sizes.raw(),
            hx.raw(),
            &weights,
            o.has_biases,
            o.num_layers,
            o.dropout,
            o.train,
            o.bidirectional,
        )
    })
}
