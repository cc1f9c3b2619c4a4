//! The nn group as module functions: `flodl.conv2d(input, weight, ...)`.
//! Operands may be Variables or Tensors; the result is a Variable when any
//! operand is one, else a Tensor (no graph), as with the methods. They run
//! with the GIL released: they are the heavy ops.

use pyo3::prelude::*;

use super::args::{
    without_gil, CoreArg, EmbeddingBagMode, GridSampleMode, GridSamplePadding, Ints, NnResult,
    TensorArg, VariableArg,
};
use crate::Variable;

type V<'py> = VariableArg<'py>;
type T<'py> = TensorArg<'py>;

/// One entry per function: `name(arg: PyType = default, ...): "doc"`, in the
/// core's argument order with PyTorch's defaults.
macro_rules! py_nn {
    ($($name:ident($($arg:ident: $ty:ty $(= $default:expr)?),*): $doc:literal),* $(,)?) => {
        $(
            #[doc = $doc]
            #[pyfunction]
            #[pyo3(signature = ($($arg $(= $default)?),*))]
            #[allow(clippy::too_many_arguments)] // PyTorch's signature
            fn $name(py: Python<'_>, $($arg: $ty),*) -> PyResult<Py<PyAny>> {
                let tracked = false $(|| $arg.tracked())*;
                $(let $arg = $arg.core(stringify!($name), stringify!($arg))?;)*
                let result = without_gil(py, || crate::$name::<Variable>($($arg),*));
                result?.into_python(py, tracked)
            }
        )*

        /// Adds every nn function to the module.
        pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
            Ok(())
        }
    };
}

py_nn![
    conv1d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: i64 = 1, padding: i64 = 0, dilation: i64 = 1, groups: i64 = 1):
        "1-d convolution over `[N, C, L]`, as `F.conv1d`.",
    conv2d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: Ints<2> = Ints::splat(1), padding: Ints<2> = Ints::splat(0), dilation: Ints<2> = Ints::splat(1), groups: i64 = 1):
        "2-d convolution over `[N, C, H, W]`, as `F.conv2d`.",
    conv3d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: Ints<3> = Ints::splat(1), padding: Ints<3> = Ints::splat(0), dilation: Ints<3> = Ints::splat(1), groups: i64 = 1):
        "3-d convolution over `[N, C, D, H, W]`, as `F.conv3d`.",
    conv_transpose1d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: i64 = 1, padding: i64 = 0, output_padding: i64 = 0, dilation: i64 = 1, groups: i64 = 1):
        "1-d transposed convolution, as `F.conv_transpose1d` (dilation before groups).",
    conv_transpose2d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: Ints<2> = Ints::splat(1), padding: Ints<2> = Ints::splat(0), output_padding: Ints<2> = Ints::splat(0), dilation: Ints<2> = Ints::splat(1), groups: i64 = 1):
        "2-d transposed convolution, as `F.conv_transpose2d` (dilation before groups).",
    conv_transpose3d(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None, stride: Ints<3> = Ints::splat(1), padding: Ints<3> = Ints::splat(0), output_padding: Ints<3> = Ints::splat(0), dilation: Ints<3> = Ints::splat(1), groups: i64 = 1):
        "3-d transposed convolution, as `F.conv_transpose3d` (dilation before groups).",
    max_pool1d(input: V<'_>, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, dilation: i64 = 1, ceil_mode: bool = false):
        "1-d max pooling, as `F.max_pool1d`; `stride=None` is the kernel size.",
    max_pool2d(input: V<'_>, kernel_size: Ints<2>, stride: Option<Ints<2>> = None, padding: Ints<2> = Ints::splat(0), dilation: Ints<2> = Ints::splat(1), ceil_mode: bool = false):
        "2-d max pooling, as `F.max_pool2d`; `stride=None` is the kernel size.",
    avg_pool1d(input: V<'_>, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, ceil_mode: bool = false, count_include_pad: bool = true):
        "1-d average pooling, as `F.avg_pool1d`; `stride=None` is the kernel size.",
    avg_pool2d(input: V<'_>, kernel_size: Ints<2>, stride: Option<Ints<2>> = None, padding: Ints<2> = Ints::splat(0), ceil_mode: bool = false, count_include_pad: bool = true):
        "2-d average pooling, as `F.avg_pool2d`; `stride=None` is the kernel size.",
    adaptive_avg_pool2d(input: V<'_>, output_size: Ints<2>):
        "Average pooling to `output_size`, as `F.adaptive_avg_pool2d`.",
    adaptive_max_pool2d(input: V<'_>, output_size: Ints<2>):
        "Max pooling to `output_size` (values only), as `F.adaptive_max_pool2d`.",
    instance_norm(input: V<'_>, weight: Option<V<'_>> = None, bias: Option<V<'_>> = None, running_mean: Option<T<'_>> = None, running_var: Option<T<'_>> = None, use_input_stats: bool = true, momentum: f64 = 0.1, eps: f64 = 1e-5):
        "Per-sample, per-channel normalization, as `F.instance_norm`.",
    group_norm(input: V<'_>, num_groups: i64, weight: Option<V<'_>> = None, bias: Option<V<'_>> = None, eps: f64 = 1e-5):
        "Normalization over groups of channels, as `F.group_norm`.",
    layer_norm(input: V<'_>, weight: Option<V<'_>>, bias: Option<V<'_>>, normalized_size: i64, eps: f64 = 1e-5):
        "Normalization over the last dim (of size `normalized_size`), as `F.layer_norm`.",
    grid_sample(input: V<'_>, grid: V<'_>, mode: GridSampleMode = GridSampleMode(Ok(0)), padding_mode: GridSamplePadding = GridSamplePadding(Ok(0)), align_corners: bool = false):
        "Samples `input` at `grid`, as `F.grid_sample`; mode 'bilinear', 'nearest' or 'bicubic', padding_mode 'zeros', 'border' or 'reflection'.",
    pixel_shuffle(input: V<'_>, upscale_factor: i64):
        "`[N, C*r*r, H, W]` to `[N, C, H*r, W*r]`, as `F.pixel_shuffle`.",
    pixel_unshuffle(input: V<'_>, downscale_factor: i64):
        "`[N, C, H*r, W*r]` to `[N, C*r*r, H, W]`, as `F.pixel_unshuffle`.",
    bilinear(input1: V<'_>, input2: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None):
        "`input1 @ weight @ input2 + bias` per output feature, as `F.bilinear`.",
    embedding_bag(weight: V<'_>, indices: T<'_>, offsets: T<'_>, mode: EmbeddingBagMode = EmbeddingBagMode(Ok(1))):
        "Bags of embedding rows reduced by mode 'sum', 'mean' or 'max', as `F.embedding_bag(indices, weight, offsets)`.",
    im2col(input: V<'_>, kernel_size: Ints<2>, dilation: Ints<2> = Ints::splat(1), padding: Ints<2> = Ints::splat(0), stride: Ints<2> = Ints::splat(1)):
        "Sliding blocks as columns, as `F.unfold`.",
    col2im(input: V<'_>, output_size: Ints<2>, kernel_size: Ints<2>, dilation: Ints<2> = Ints::splat(1), padding: Ints<2> = Ints::splat(0), stride: Ints<2> = Ints::splat(1)):
        "Columns summed back into an image, as `F.fold`.",
    linear(input: V<'_>, weight: V<'_>, bias: Option<V<'_>> = None):
        "`input @ weight.T + bias`, as `F.linear`.",
    embedding(weight: V<'_>, indices: T<'_>, padding_idx: i64 = -1):
        "Rows of `weight` at `indices`; row `padding_idx` (-1: none) gets no gradient. As `F.embedding(indices, weight)`.",
    scaled_dot_product_attention(query: V<'_>, key: V<'_>, value: V<'_>, attn_mask: Option<T<'_>> = None, dropout_p: f64 = 0.0, is_causal: bool = false, scale: Option<f64> = None):
        "Attention, as `F.scaled_dot_product_attention`.",
    gru_cell(input: V<'_>, hx: V<'_>, w_ih: V<'_>, w_hh: V<'_>, b_ih: Option<V<'_>> = None, b_hh: Option<V<'_>> = None):
        "One GRU step: the next hidden state, as `torch.gru_cell`.",
    lstm_cell(input: V<'_>, hx: V<'_>, cx: V<'_>, w_ih: V<'_>, w_hh: V<'_>, b_ih: Option<V<'_>> = None, b_hh: Option<V<'_>> = None):
        "One LSTM step from `(hx, cx)`: the next `(h, c)`, as `torch.lstm_cell(input, (hx, cx), ...)`.",
];
