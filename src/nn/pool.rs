//! Pooling layers: `MaxPool1d/2d/3d`, `AvgPool1d/2d/3d`,
//! `AdaptiveAvgPool1d/2d/3d`, `AdaptiveMaxPool1d/2d/3d`, `LPPool1d/2d/3d`,
//! with PyTorch's options.

use super::{Module, Parameter};
use crate::error::Result;
use crate::{Tensor, Variable};

/// A pooling op's shape error (or index error, on too few dims) as the
/// layer's, in the words of Python's pooling layers.
fn pooled<T>(name: &str, layout: &str, input: &Variable, result: Result<T>) -> Result<T> {
    super::in_layer(
        || format!("{name}: expected input {layout}, got {:?}", input.shape()),
        result,
    )
}

/// The inputs the 1-d, 2-d and 3-d pools take, as their errors show them.
const LAYOUT_1D: &str = "[N, C, L] or [C, L]";
const LAYOUT_2D: &str = "[N, C, H, W] or [C, H, W]";
const LAYOUT_3D: &str = "[N, C, D, H, W] or [C, D, H, W]";

/// A pooling window's sizes (one number for the 1-d layers).
trait Window: Copy {
    fn sizes(&self) -> Vec<i64>;

    /// The sizes as PyTorch's repr shows them: one number when they are all
    /// equal (how they are usually given), else a tuple.
    fn repr(&self) -> String {
        let v = self.sizes();
        match v.first() {
            Some(&first) if v.iter().all(|&x| x == first) => first.to_string(),
            _ => super::py_tuple(&v),
        }
    }
}

impl Window for i64 {
    fn sizes(&self) -> Vec<i64> {
        vec![*self]
    }
}

impl<const N: usize> Window for [i64; N] {
    fn sizes(&self) -> Vec<i64> {
        self.to_vec()
    }
}

/// Declares a pooling layer: its options, PyTorch's defaults (the stride
/// is the kernel's) and the op it runs.
macro_rules! pool {
    ($(#[$doc:meta])* $name:ident<$window:ty> [$layout:expr] {
        $($(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr,)*
    } |$s:ident, $x:ident| $forward:expr; repr $repr:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            pub kernel_size: $window,
            /// None: the kernel size.
            pub stride: Option<$window>,
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl $name {
            /// A window of `kernel_size`, the other options PyTorch's defaults.
            pub fn new(kernel_size: $window) -> Self {
                $name {
                    kernel_size,
                    stride: None,
                    $($field: $default,)*
                }
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let ($s, $x) = (self, input);
                pooled(stringify!($name), $layout, input, $forward)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                let $s = self;
                $repr
            }
        }

        impl $name {
            /// The stride, the kernel size when none was given.
            fn stride_or_kernel(&self) -> $window {
                self.stride.unwrap_or(self.kernel_size)
            }
        }
    };
}

pool! {
    /// 1-d max pooling, as `torch.nn.MaxPool1d`.
    MaxPool1d<i64> [LAYOUT_1D] { padding: i64 = 0, dilation: i64 = 1, ceil_mode: bool = false, }
    |s, x| crate::max_pool1d(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    repr max_pool_repr(s.kernel_size, s.stride_or_kernel(), s.padding, s.dilation, s.ceil_mode)
}

pool! {
    /// 2-d max pooling, as `torch.nn.MaxPool2d`.
    MaxPool2d<[i64; 2]> [LAYOUT_2D] {
        padding: [i64; 2] = [0, 0],
        dilation: [i64; 2] = [1, 1],
        ceil_mode: bool = false,
    }
    |s, x| crate::max_pool2d(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    repr max_pool_repr(s.kernel_size, s.stride_or_kernel(), s.padding, s.dilation, s.ceil_mode)
}

pool! {
    /// 1-d average pooling, as `torch.nn.AvgPool1d`.
    AvgPool1d<i64> [LAYOUT_1D] { padding: i64 = 0, ceil_mode: bool = false, count_include_pad: bool = true, }
    |s, x| crate::avg_pool1d(x, s.kernel_size, s.stride, s.padding, s.ceil_mode, s.count_include_pad);
    // PyTorch's AvgPool1d keeps its sizes as 1-tuples.
    repr format!(
        "kernel_size=({},), stride=({},), padding=({},)",
        s.kernel_size,
        s.stride_or_kernel(),
        s.padding
    )
}

pool! {
    /// 2-d average pooling, as `torch.nn.AvgPool2d`.
    AvgPool2d<[i64; 2]> [LAYOUT_2D] {
        padding: [i64; 2] = [0, 0],
        ceil_mode: bool = false,
        count_include_pad: bool = true,
        /// Divides every window's sum instead of its size.
        divisor_override: Option<i64> = None,
    }
    |s, x| crate::avg_pool2d(x, s.kernel_size, s.stride, s.padding, s.ceil_mode, s.count_include_pad, s.divisor_override);
    repr avg_pool_repr(s.kernel_size, s.stride_or_kernel(), s.padding)
}

pool! {
    /// 3-d max pooling, as `torch.nn.MaxPool3d`.
    MaxPool3d<[i64; 3]> [LAYOUT_3D] {
        padding: [i64; 3] = [0, 0, 0],
        dilation: [i64; 3] = [1, 1, 1],
        ceil_mode: bool = false,
    }
    |s, x| crate::max_pool3d(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    repr max_pool_repr(s.kernel_size, s.stride_or_kernel(), s.padding, s.dilation, s.ceil_mode)
}

pool! {
    /// 3-d average pooling, as `torch.nn.AvgPool3d`.
    AvgPool3d<[i64; 3]> [LAYOUT_3D] {
        padding: [i64; 3] = [0, 0, 0],
        ceil_mode: bool = false,
        count_include_pad: bool = true,
        /// Divides every window's sum instead of its size.
        divisor_override: Option<i64> = None,
    }
    |s, x| crate::avg_pool3d(x, s.kernel_size, s.stride, s.padding, s.ceil_mode, s.count_include_pad, s.divisor_override);
    repr avg_pool_repr(s.kernel_size, s.stride_or_kernel(), s.padding)
}

/// Declares `forward_with_indices` of max pools: the maxima and where they
/// are, PyTorch's `return_indices=True`.
macro_rules! with_indices {
    ($($name:ident [$layout:expr] => |$s:ident, $x:ident| $call:expr;)*) => {$(
        impl $name {
            /// The pooled values and the Int64 position of each maximum in
            /// its input plane, as PyTorch's layer with `return_indices=True`.
            pub fn forward_with_indices(&self, input: &Variable) -> Result<(Variable, Tensor)> {
                let ($s, $x) = (self, input);
                pooled(stringify!($name), $layout, input, $call)
            }
        }
    )*};
}

with_indices! {
    MaxPool1d [LAYOUT_1D] => |s, x| crate::max_pool1d_with_indices(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    MaxPool2d [LAYOUT_2D] => |s, x| crate::max_pool2d_with_indices(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    MaxPool3d [LAYOUT_3D] => |s, x| crate::max_pool3d_with_indices(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode);
    AdaptiveMaxPool1d [LAYOUT_1D] => |s, x| crate::adaptive_max_pool1d_with_indices(x, s.output_size);
    AdaptiveMaxPool2d [LAYOUT_2D] => |s, x| crate::adaptive_max_pool2d_with_indices(x, s.output_size);
    AdaptiveMaxPool3d [LAYOUT_3D] => |s, x| crate::adaptive_max_pool3d_with_indices(x, s.output_size);
}

/// MaxPool's settings, as PyTorch's `extra_repr` writes them.
fn max_pool_repr<W: Window>(kernel: W, stride: W, padding: W, dilation: W, ceil: bool) -> String {
    format!(
        "kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
        kernel.repr(),
        stride.repr(),
        padding.repr(),
        dilation.repr(),
        super::py_bool(ceil)
    )
}

/// AvgPool2d's and AvgPool3d's settings, as PyTorch's `extra_repr` writes them.
fn avg_pool_repr<W: Window>(kernel: W, stride: W, padding: W) -> String {
    format!(
        "kernel_size={}, stride={}, padding={}",
        kernel.repr(),
        stride.repr(),
        padding.repr()
    )
}

/// Average pooling of `[N, C, L]` to a fixed length, as `torch.nn.AdaptiveAvgPool1d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveAvgPool1d {
    pub output_size: i64,
}

impl Module for AdaptiveAvgPool1d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveAvgPool1d",
            LAYOUT_1D,
            input,
            crate::adaptive_avg_pool1d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Max pooling of `[N, C, L]` to a fixed length, as `torch.nn.AdaptiveMaxPool1d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveMaxPool1d {
    pub output_size: i64,
}

impl Module for AdaptiveMaxPool1d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveMaxPool1d",
            LAYOUT_1D,
            input,
            crate::adaptive_max_pool1d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveAvgPool2d {
    pub output_size: [i64; 2],
}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveAvgPool2d",
            LAYOUT_2D,
            input,
            crate::adaptive_avg_pool2d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Max pooling to a fixed output size, as `torch.nn.AdaptiveMaxPool2d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveMaxPool2d {
    pub output_size: [i64; 2],
}

impl Module for AdaptiveMaxPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveMaxPool2d",
            LAYOUT_2D,
            input,
            crate::adaptive_max_pool2d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Average pooling of `[N, C, D, H, W]` to a fixed output size, as
/// `torch.nn.AdaptiveAvgPool3d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveAvgPool3d {
    pub output_size: [i64; 3],
}

impl Module for AdaptiveAvgPool3d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveAvgPool3d",
            LAYOUT_3D,
            input,
            crate::adaptive_avg_pool3d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Max pooling of `[N, C, D, H, W]` to a fixed output size, as
/// `torch.nn.AdaptiveMaxPool3d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveMaxPool3d {
    pub output_size: [i64; 3],
}

impl Module for AdaptiveMaxPool3d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        pooled(
            "AdaptiveMaxPool3d",
            LAYOUT_3D,
            input,
            crate::adaptive_max_pool3d(input, self.output_size),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("output_size={}", self.output_size.repr())
    }
}

/// Declares the max unpools: a window, a stride (None: the window) and a
/// padding, as the pool they invert was given.
macro_rules! max_unpool {
    ($($(#[$doc:meta])* $name:ident<$window:ty> => $op:path;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            pub kernel_size: $window,
            /// None: the kernel size.
            pub stride: Option<$window>,
            /// Default 0.
            pub padding: $window,
        }

        impl $name {
            /// The pool's window, the other options PyTorch's defaults.
            pub fn new(kernel_size: $window) -> Self {
                $name { kernel_size, stride: None, padding: Default::default() }
            }

            /// `input`'s values at the Int64 positions `indices` (the max
            /// pool's `forward_with_indices`), zeros elsewhere, in
            /// `output_size` (the pool's input size; None: what these
            /// options give).
            pub fn unpool(
                &self,
                input: &Variable,
                indices: &Tensor,
                output_size: Option<$window>,
            ) -> Result<Variable> {
                $op(input, indices, self.kernel_size, self.stride, self.padding, output_size)
            }
        }

        impl Module for $name {
            /// Takes the pool's indices too: an Argument error naming
            /// [`unpool`](Self::unpool).
            fn forward(&self, _input: &Variable) -> Result<Variable> {
                crate::error::bail!(
                    Argument,
                    "{}: takes the input and the pool's indices; call unpool(input, indices, output_size)",
                    stringify!($name)
                )
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                let stride = self.stride.unwrap_or(self.kernel_size);
                format!(
                    "kernel_size={}, stride={}, padding={}",
                    super::py_tuple(&self.kernel_size.sizes()),
                    super::py_tuple(&stride.sizes()),
                    super::py_tuple(&self.padding.sizes())
                )
            }
        }
    )*};
}

max_unpool! {
    /// The inverse of [`MaxPool1d`], as `torch.nn.MaxUnpool1d`.
    MaxUnpool1d<i64> => crate::max_unpool1d;
    /// The inverse of [`MaxPool2d`], as `torch.nn.MaxUnpool2d`.
    MaxUnpool2d<[i64; 2]> => crate::max_unpool2d;
    /// The inverse of [`MaxPool3d`], as `torch.nn.MaxUnpool3d`.
    MaxUnpool3d<[i64; 3]> => crate::max_unpool3d;
}

/// Declares a power-average pool: the `norm_type`-norm of each window, as
/// `torch.nn.LPPool1d/2d/3d` (an infinite `norm_type`: the largest
/// magnitude).
macro_rules! lp_pool {
    ($($(#[$doc:meta])* $name:ident<$window:ty> [$layout:expr] => $op:path;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            pub norm_type: f64,
            pub kernel_size: $window,
            /// None: the kernel size.
            pub stride: Option<$window>,
            pub ceil_mode: bool,
        }

        impl $name {
            /// A `norm_type` pool over windows of `kernel_size`, stepping
            /// by the kernel size, `ceil_mode` off (PyTorch's defaults).
            pub fn new(norm_type: f64, kernel_size: $window) -> Self {
                $name { norm_type, kernel_size, stride: None, ceil_mode: false }
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let pooled_input = $op(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode);
                pooled(stringify!($name), $layout, input, pooled_input)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                format!(
                    "norm_type={}, kernel_size={}, stride={}, ceil_mode={}",
                    super::py_float(self.norm_type),
                    self.kernel_size.repr(),
                    self.stride.map_or_else(|| "None".to_string(), |s| s.repr()),
                    super::py_bool(self.ceil_mode)
                )
            }
        }
    )*};
}

lp_pool! {
    /// The `norm_type`-norm of each window of `[N, C, L]`, as `torch.nn.LPPool1d`.
    LPPool1d<i64> [LAYOUT_1D] => crate::lp_pool1d;
    /// The `norm_type`-norm of each window of `[N, C, H, W]`, as `torch.nn.LPPool2d`.
    LPPool2d<[i64; 2]> [LAYOUT_2D] => crate::lp_pool2d;
    /// The `norm_type`-norm of each window of `[N, C, D, H, W]`, as `torch.nn.LPPool3d`.
    LPPool3d<[i64; 3]> [LAYOUT_3D] => crate::lp_pool3d;
}
