//! Shape and resampling layers: `Flatten`, `Unflatten`, `PixelShuffle`,
//! `PixelUnshuffle`, `Upsample`, `UpsamplingNearest2d`, `UpsamplingBilinear2d`.

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Flattens dims `start_dim..=end_dim` into one, as `torch.nn.Flatten`
/// (by default every dim after the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flatten {
    pub start_dim: i64,
    pub end_dim: i64,
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten {
            start_dim: 1,
            end_dim: -1,
        }
    }
}

impl Module for Flatten {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        input.flatten(self.start_dim, self.end_dim)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("start_dim={}, end_dim={}", self.start_dim, self.end_dim)
    }
}

/// Splits dim `dim` into `sizes`, as `torch.nn.Unflatten` (one size may be -1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unflatten {
    pub dim: i64,
    pub sizes: Vec<i64>,
}

impl Module for Unflatten {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        input.unflatten(self.dim, &self.sizes)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!(
            "dim={}, unflattened_size={}",
            self.dim,
            super::py_tuple(&self.sizes)
        )
    }
}

/// Rearranges `[N, C r^2, H, W]` to `[N, C, H r, W r]`, as `torch.nn.PixelShuffle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelShuffle {
    pub upscale_factor: i64,
}

impl Module for PixelShuffle {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::pixel_shuffle(input, self.upscale_factor)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("upscale_factor={}", self.upscale_factor)
    }
}

/// The inverse of [`PixelShuffle`], as `torch.nn.PixelUnshuffle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelUnshuffle {
    pub downscale_factor: i64,
}

impl Module for PixelUnshuffle {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::pixel_unshuffle(input, self.downscale_factor)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("downscale_factor={}", self.downscale_factor)
    }
}

/// The channels split into `groups` and interleaved, as
/// `torch.nn.ChannelShuffle` (ShuffleNet's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelShuffle {
    pub groups: i64,
}

impl Module for ChannelShuffle {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::channel_shuffle(input, self.groups)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!("groups={}", self.groups)
    }
}

/// Sliding blocks of `[N, C, H, W]` as the columns of `[N, C k_h k_w, L]`,
/// as `torch.nn.Unfold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfold {
    pub kernel_size: [i64; 2],
    /// Default 1.
    pub dilation: [i64; 2],
    /// Default 0.
    pub padding: [i64; 2],
    /// Default 1.
    pub stride: [i64; 2],
}

impl Unfold {
    /// PyTorch's defaults but `kernel_size`.
    pub fn new(kernel_size: [i64; 2]) -> Unfold {
        Unfold {
            kernel_size,
            dilation: [1, 1],
            padding: [0, 0],
            stride: [1, 1],
        }
    }
}

/// `kernel_size=(2, 2), dilation=(1, 1), ...`, as PyTorch prints a fold.
fn fold_repr(
    kernel_size: [i64; 2],
    dilation: [i64; 2],
    padding: [i64; 2],
    stride: [i64; 2],
) -> String {
    let pair = |p: [i64; 2]| format!("({}, {})", p[0], p[1]);
    format!(
        "kernel_size={}, dilation={}, padding={}, stride={}",
        pair(kernel_size),
        pair(dilation),
        pair(padding),
        pair(stride)
    )
}

impl Module for Unfold {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::im2col(
            input,
            self.kernel_size,
            self.dilation,
            self.padding,
            self.stride,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        fold_repr(self.kernel_size, self.dilation, self.padding, self.stride)
    }
}

/// The columns of `[N, C k_h k_w, L]` summed back into `[N, C,
/// output_size]`, the inverse layout of [`Unfold`], as `torch.nn.Fold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub output_size: [i64; 2],
    pub kernel_size: [i64; 2],
    /// Default 1.
    pub dilation: [i64; 2],
    /// Default 0.
    pub padding: [i64; 2],
    /// Default 1.
    pub stride: [i64; 2],
}

impl Fold {
    /// PyTorch's defaults but `output_size` and `kernel_size`.
    pub fn new(output_size: [i64; 2], kernel_size: [i64; 2]) -> Fold {
        Fold {
            output_size,
            kernel_size,
            dilation: [1, 1],
            padding: [0, 0],
            stride: [1, 1],
        }
    }
}

impl Module for Fold {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let (k, d, p, s) = (self.kernel_size, self.dilation, self.padding, self.stride);
        crate::col2im(input, self.output_size, k, d, p, s)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        let (o, rest) = (
            self.output_size,
            fold_repr(self.kernel_size, self.dilation, self.padding, self.stride),
        );
        format!("output_size=({}, {}), {rest}", o[0], o[1])
    }
}

/// Resizing by `interpolate`, as `torch.nn.Upsample`: to `size` or by
/// `scale_factor` (one value or one per spatial dim).
#[derive(Debug, Clone, PartialEq)]
pub struct Upsample {
    pub size: Option<Vec<i64>>,
    pub scale_factor: Option<Vec<f64>>,
    pub mode: crate::InterpolateMode,
    pub align_corners: Option<bool>,
    pub recompute_scale_factor: Option<bool>,
}

impl Upsample {
    /// By `scale_factor` in every spatial dim with `mode`.
    pub fn scale(scale_factor: f64, mode: crate::InterpolateMode) -> Self {
        Upsample {
            size: None,
            scale_factor: Some(vec![scale_factor]),
            mode,
            align_corners: None,
            recompute_scale_factor: None,
        }
    }

    /// To `size` (one value or one per spatial dim) with `mode`.
    pub fn to_size(size: &[i64], mode: crate::InterpolateMode) -> Self {
        Upsample {
            size: Some(size.to_vec()),
            scale_factor: None,
            mode,
            align_corners: None,
            recompute_scale_factor: None,
        }
    }
}

impl Module for Upsample {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::interpolate(
            input,
            self.size.as_deref(),
            self.scale_factor.as_deref(),
            self.mode,
            self.align_corners,
            self.recompute_scale_factor,
            false,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        // PyTorch shows the one setting it was given, size or scale_factor.
        let setting = match (&self.size, &self.scale_factor) {
            (Some(size), _) if size.len() == 1 => format!("size={}", size[0]),
            (Some(size), _) => format!("size={}", super::py_tuple(size)),
            (None, Some(scale)) if scale.len() == 1 => {
                format!("scale_factor={}", super::py_float(scale[0]))
            }
            (None, Some(scale)) => {
                let items: Vec<String> = scale.iter().map(|&x| super::py_float(x)).collect();
                format!("scale_factor=({})", items.join(", "))
            }
            (None, None) => "size=None".to_string(),
        };
        format!(
            "{setting}, mode='{}'",
            crate::ops::nn::Mode::name(self.mode)
        )
    }
}

/// Declares an [`Upsample`] of 2-d inputs in one mode under PyTorch's
/// older class name.
macro_rules! upsampling_2d {
    ($(#[$doc:meta])* $name:ident, $mode:ident, $align_corners:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(pub Upsample);

        impl $name {
            /// By `scale_factor` in both spatial dims.
            pub fn scale(scale_factor: f64) -> Self {
                $name(Upsample {
                    align_corners: $align_corners,
                    ..Upsample::scale(scale_factor, crate::InterpolateMode::$mode)
                })
            }

            /// To `size` (`[H, W]`).
            pub fn to_size(size: [i64; 2]) -> Self {
                $name(Upsample {
                    align_corners: $align_corners,
                    ..Upsample::to_size(&size, crate::InterpolateMode::$mode)
                })
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                self.0.forward(input)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                self.0.extra_repr()
            }
        }
    };
}

upsampling_2d!(
    /// Nearest-neighbour upsampling of `[N, C, H, W]`, as `torch.nn.UpsamplingNearest2d`.
    UpsamplingNearest2d, Nearest, None
);
upsampling_2d!(
    /// Bilinear upsampling of `[N, C, H, W]` with the corners aligned, as
    /// `torch.nn.UpsamplingBilinear2d`.
    UpsamplingBilinear2d, Bilinear, Some(true)
);
