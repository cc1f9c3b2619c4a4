//! The nn group of the op catalogue (SPEC §5): free functions generic over
//! [`Operand`], so `flodl::conv2d(&x, &w, ...)` takes Variables (and records
//! a graph) or Tensors (and does not). 1-d ops take `i64` windows, 2-d ops
//! `[i64; 2]`, 3-d ops `[i64; 3]`.

use super::{run_opt, Operand};
use crate::error::{Error, ErrorKind, Result};
use crate::Tensor;

/// One nn function: `name(args) -> Ret [required operands; optional ones]
/// check ...; => body`, `body` a fallible tch call.
macro_rules! nn_fn {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty
     [$($req:ident),*; $($opt:ident),*] $(check $check:expr;)? => $body:expr) => {
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)] // the PyTorch signature, argument for argument
        pub fn $name<T: Operand>($($arg: $ty),*) -> Result<$ret> {
            $($check?;)?
            run_opt(
                stringify!($name),
                &[$(Some($req.raw())),* $(, $opt.map(Operand::raw))*],
                || $body,
            )
        }
    };
}

/// A window argument that PyTorch lets default to the kernel size.
fn or_kernel<K>(stride: Option<K>, kernel_size: K) -> K {
    stride.unwrap_or(kernel_size)
}

/// Checks an integer code that stands for one of `names` (Python passes the names).
fn check_code(op: &str, what: &str, code: i64, names: &[&str]) -> Result<()> {
    if (0..names.len() as i64).contains(&code) {
        return Ok(());
    }
    let choices: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{i} ({n})"))
        .collect();
    Err(Error::new(
        ErrorKind::Argument,
        format!(
            "{op}: {what} must be one of {}, got {code}",
            choices.join(", ")
        ),
    ))
}

/// `grid_sample`'s `mode` codes, in ATen's order.
pub const GRID_SAMPLE_MODES: &[&str] = &["bilinear", "nearest", "bicubic"];
/// `grid_sample`'s `padding_mode` codes, in ATen's order.
pub const GRID_SAMPLE_PADDING_MODES: &[&str] = &["zeros", "border", "reflection"];
/// `embedding_bag`'s `mode` codes, in ATen's order.
pub const EMBEDDING_BAG_MODES: &[&str] = &["sum", "mean", "max"];

// --- convolution ---
nn_fn!(/// 1-d convolution over `[N, C, L]` (`F.conv1d`).
    conv1d(input: &T, weight: &T, bias: Option<&T>, stride: i64, padding: i64, dilation: i64, groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv1d(weight.raw(), bias.map(Operand::raw), stride, padding, dilation, groups));
nn_fn!(/// 2-d convolution over `[N, C, H, W]` (`F.conv2d`).
    conv2d(input: &T, weight: &T, bias: Option<&T>, stride: [i64; 2], padding: [i64; 2], dilation: [i64; 2], groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv2d(weight.raw(), bias.map(Operand::raw), stride, padding, dilation, groups));
nn_fn!(/// 3-d convolution over `[N, C, D, H, W]` (`F.conv3d`).
    conv3d(input: &T, weight: &T, bias: Option<&T>, stride: [i64; 3], padding: [i64; 3], dilation: [i64; 3], groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv3d(weight.raw(), bias.map(Operand::raw), stride, padding, dilation, groups));
nn_fn!(/// 1-d transposed convolution (`F.conv_transpose1d`).
    conv_transpose1d(input: &T, weight: &T, bias: Option<&T>, stride: i64, padding: i64, output_padding: i64, dilation: i64, groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv_transpose1d(weight.raw(), bias.map(Operand::raw), stride, padding, output_padding, groups, dilation));
nn_fn!(/// 2-d transposed convolution (`F.conv_transpose2d`).
    conv_transpose2d(input: &T, weight: &T, bias: Option<&T>, stride: [i64; 2], padding: [i64; 2], output_padding: [i64; 2], dilation: [i64; 2], groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv_transpose2d(weight.raw(), bias.map(Operand::raw), stride, padding, output_padding, groups, dilation));
nn_fn!(/// 3-d transposed convolution (`F.conv_transpose3d`).
    conv_transpose3d(input: &T, weight: &T, bias: Option<&T>, stride: [i64; 3], padding: [i64; 3], output_padding: [i64; 3], dilation: [i64; 3], groups: i64) -> T
    [input, weight; bias] => input.raw().f_conv_transpose3d(weight.raw(), bias.map(Operand::raw), stride, padding, output_padding, groups, dilation));

// --- pooling (a `None` stride is the kernel size, as in PyTorch) ---
nn_fn!(/// 1-d max pooling (`F.max_pool1d`).
    max_pool1d(input: &T, kernel_size: i64, stride: Option<i64>, padding: i64, dilation: i64, ceil_mode: bool) -> T
    [input;] => input.raw().f_max_pool1d(kernel_size, or_kernel(stride, kernel_size), padding, dilation, ceil_mode));
nn_fn!(/// 2-d max pooling (`F.max_pool2d`).
    max_pool2d(input: &T, kernel_size: [i64; 2], stride: Option<[i64; 2]>, padding: [i64; 2], dilation: [i64; 2], ceil_mode: bool) -> T
    [input;] => input.raw().f_max_pool2d(kernel_size, or_kernel(stride, kernel_size), padding, dilation, ceil_mode));
nn_fn!(/// 1-d average pooling (`F.avg_pool1d`).
    avg_pool1d(input: &T, kernel_size: i64, stride: Option<i64>, padding: i64, ceil_mode: bool, count_include_pad: bool) -> T
    [input;] => input.raw().f_avg_pool1d(kernel_size, or_kernel(stride, kernel_size), padding, ceil_mode, count_include_pad));
nn_fn!(/// 2-d average pooling (`F.avg_pool2d`).
    avg_pool2d(input: &T, kernel_size: [i64; 2], stride: Option<[i64; 2]>, padding: [i64; 2], ceil_mode: bool, count_include_pad: bool) -> T
    [input;] => input.raw().f_avg_pool2d(kernel_size, or_kernel(stride, kernel_size), padding, ceil_mode, count_include_pad, None::<i64>));
nn_fn!(/// Average pooling to a fixed `output_size` (`F.adaptive_avg_pool2d`).
    adaptive_avg_pool2d(input: &T, output_size: [i64; 2]) -> T
    [input;] => input.raw().f_adaptive_avg_pool2d(output_size));
nn_fn!(/// Max pooling to a fixed `output_size`, values only (`F.adaptive_max_pool2d`).
    adaptive_max_pool2d(input: &T, output_size: [i64; 2]) -> T
    [input;] => input.raw().f_adaptive_max_pool2d(output_size).map(|(values, _)| values));

// --- normalization ---
nn_fn!(/// Per-sample, per-channel normalization (`F.instance_norm`). With
    /// `use_input_stats`, given running statistics are updated in place.
    instance_norm(input: &T, weight: Option<&T>, bias: Option<&T>, running_mean: Option<&Tensor>, running_var: Option<&Tensor>, use_input_stats: bool, momentum: f64, eps: f64) -> T
    [input; weight, bias, running_mean, running_var]
    => input.raw().f_instance_norm(weight.map(Operand::raw), bias.map(Operand::raw), running_mean.map(Operand::raw), running_var.map(Operand::raw), use_input_stats, momentum, eps, true));
nn_fn!(/// Normalization over groups of channels (`F.group_norm`).
    group_norm(input: &T, num_groups: i64, weight: Option<&T>, bias: Option<&T>, eps: f64) -> T
    [input; weight, bias] => input.raw().f_group_norm(num_groups, weight.map(Operand::raw), bias.map(Operand::raw), eps, true));
nn_fn!(/// Normalization over the last dim, of size `normalized_size` (`F.layer_norm`).
    layer_norm(input: &T, weight: Option<&T>, bias: Option<&T>, normalized_size: i64, eps: f64) -> T
    [input; weight, bias] => input.raw().f_layer_norm([normalized_size], weight.map(Operand::raw), bias.map(Operand::raw), eps, true));

// --- sampling and rearranging ---
nn_fn!(/// Samples `input` at the `grid` locations (`F.grid_sample`). `mode`
    /// indexes [`GRID_SAMPLE_MODES`], `padding_mode` [`GRID_SAMPLE_PADDING_MODES`].
    grid_sample(input: &T, grid: &T, mode: i32, padding_mode: i32, align_corners: bool) -> T
    [input, grid;]
    check check_code("grid_sample", "mode", i64::from(mode), GRID_SAMPLE_MODES)
        .and_then(|()| check_code("grid_sample", "padding_mode", i64::from(padding_mode), GRID_SAMPLE_PADDING_MODES));
    => input.raw().f_grid_sampler(grid.raw(), i64::from(mode), i64::from(padding_mode), align_corners));
nn_fn!(/// `[N, C*r*r, H, W]` to `[N, C, H*r, W*r]` (`F.pixel_shuffle`).
    pixel_shuffle(input: &T, upscale_factor: i64) -> T
    [input;] => input.raw().f_pixel_shuffle(upscale_factor));
nn_fn!(/// `[N, C, H*r, W*r]` to `[N, C*r*r, H, W]` (`F.pixel_unshuffle`).
    pixel_unshuffle(input: &T, downscale_factor: i64) -> T
    [input;] => input.raw().f_pixel_unshuffle(downscale_factor));
nn_fn!(/// Sliding `kernel_size` blocks as columns (`F.unfold`).
    im2col(input: &T, kernel_size: [i64; 2], dilation: [i64; 2], padding: [i64; 2], stride: [i64; 2]) -> T
    [input;] => input.raw().f_im2col(kernel_size, dilation, padding, stride));
nn_fn!(/// Columns summed back into an image of `output_size` (`F.fold`).
    col2im(input: &T, output_size: [i64; 2], kernel_size: [i64; 2], dilation: [i64; 2], padding: [i64; 2], stride: [i64; 2]) -> T
    [input;] => input.raw().f_col2im(output_size, kernel_size, dilation, padding, stride));

// --- linear maps and lookups ---
nn_fn!(/// `input @ weight.T + bias` (`F.linear`).
    linear(input: &T, weight: &T, bias: Option<&T>) -> T
    [input, weight; bias] => input.raw().f_linear(weight.raw(), bias.map(Operand::raw)));
nn_fn!(/// `input1 @ weight @ input2 + bias`, per output feature (`F.bilinear`).
    bilinear(input1: &T, input2: &T, weight: &T, bias: Option<&T>) -> T
    [input1, input2, weight; bias] => tch::Tensor::f_bilinear(input1.raw(), input2.raw(), weight.raw(), bias.map(Operand::raw)));
nn_fn!(/// Rows of `weight` at the Int64 `indices`; `padding_idx` (-1: none)
    /// gets no gradient (`F.embedding`).
    embedding(weight: &T, indices: &Tensor, padding_idx: i64) -> T
    [weight, indices;] => tch::Tensor::f_embedding(weight.raw(), indices.raw(), padding_idx, false, false));
nn_fn!(/// Bags of embedding rows reduced by `mode` (an index of
    /// [`EMBEDDING_BAG_MODES`]); `offsets` start each bag in the flat `indices` (`F.embedding_bag`).
    embedding_bag(weight: &T, indices: &Tensor, offsets: &Tensor, mode: i64) -> T
    [weight, indices, offsets;]
    check check_code("embedding_bag", "mode", mode, EMBEDDING_BAG_MODES);
    => tch::Tensor::f_embedding_bag(weight.raw(), indices.raw(), offsets.raw(), false, mode, false, None::<&tch::Tensor>, false)
        .map(|(bags, _, _, _)| bags));
nn_fn!(/// `softmax(q @ k.T * scale + mask) @ v` (`F.scaled_dot_product_attention`);
    /// `scale` defaults to `1/sqrt(q.shape[-1])`.
    scaled_dot_product_attention(query: &T, key: &T, value: &T, attn_mask: Option<&Tensor>, dropout_p: f64, is_causal: bool, scale: Option<f64>) -> T
    [query, key, value; attn_mask]
    => tch::Tensor::f_scaled_dot_product_attention(query.raw(), key.raw(), value.raw(), attn_mask.map(Operand::raw), dropout_p, is_causal, scale, false));

// --- recurrent cells ---
nn_fn!(/// One GRU step: the next hidden state (`torch.gru_cell`).
    gru_cell(input: &T, hx: &T, w_ih: &T, w_hh: &T, b_ih: Option<&T>, b_hh: Option<&T>) -> T
    [input, hx, w_ih, w_hh; b_ih, b_hh]
    => input.raw().f_gru_cell(hx.raw(), w_ih.raw(), w_hh.raw(), b_ih.map(Operand::raw), b_hh.map(Operand::raw)));
nn_fn!(/// One LSTM step from `(hx, cx)`: the next `(h, c)` (`torch.lstm_cell`).
    lstm_cell(input: &T, hx: &T, cx: &T, w_ih: &T, w_hh: &T, b_ih: Option<&T>, b_hh: Option<&T>) -> (T, T)
    [input, hx, cx, w_ih, w_hh; b_ih, b_hh]
    => input.raw().f_lstm_cell(&[hx.raw(), cx.raw()], w_ih.raw(), w_hh.raw(), b_ih.map(Operand::raw), b_hh.map(Operand::raw)));
