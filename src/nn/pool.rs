//! Pooling layers: `MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d`,
//! `AdaptiveAvgPool2d`, `AdaptiveMaxPool2d`, with PyTorch's options.

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Declares a pooling layer: its options, PyTorch's defaults (the stride
/// is the kernel's) and the op it runs.
macro_rules! pool {
    ($(#[$doc:meta])* $name:ident<$window:ty> {
        $($(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr,)*
    } |$s:ident, $x:ident| $forward:expr) => {
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
                $forward
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
        }
    };
}

pool! {
    /// 1-d max pooling, as `torch.nn.MaxPool1d`.
    MaxPool1d<i64> { padding: i64 = 0, dilation: i64 = 1, ceil_mode: bool = false, }
    |s, x| crate::max_pool1d(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode)
}

pool! {
    /// 2-d max pooling, as `torch.nn.MaxPool2d`.
    MaxPool2d<[i64; 2]> {
        padding: [i64; 2] = [0, 0],
        dilation: [i64; 2] = [1, 1],
        ceil_mode: bool = false,
    }
    |s, x| crate::max_pool2d(x, s.kernel_size, s.stride, s.padding, s.dilation, s.ceil_mode)
}

pool! {
    /// 1-d average pooling, as `torch.nn.AvgPool1d`.
    AvgPool1d<i64> { padding: i64 = 0, ceil_mode: bool = false, count_include_pad: bool = true, }
    |s, x| crate::avg_pool1d(x, s.kernel_size, s.stride, s.padding, s.ceil_mode, s.count_include_pad)
}

pool! {
    /// 2-d average pooling, as `torch.nn.AvgPool2d`.
    AvgPool2d<[i64; 2]> {
        padding: [i64; 2] = [0, 0],
        ceil_mode: bool = false,
        count_include_pad: bool = true,
    }
    |s, x| crate::avg_pool2d(x, s.kernel_size, s.stride, s.padding, s.ceil_mode, s.count_include_pad)
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveAvgPool2d {
    pub output_size: [i64; 2],
}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::adaptive_avg_pool2d(input, self.output_size)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// Max pooling to a fixed output size, as `torch.nn.AdaptiveMaxPool2d`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveMaxPool2d {
    pub output_size: [i64; 2],
}

impl Module for AdaptiveMaxPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::adaptive_max_pool2d(input, self.output_size)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}
