//! Convolutions: `Conv1d`, `Conv2d`, `Conv3d`, `ConvTranspose1d`,
//! `ConvTranspose2d`, initialised as PyTorch's (same draws in the same order).

use super::{bias_bound, default_weight, in_layer, named, size, uniform, Module, Parameter};
use crate::error::{ensure, Result};
use crate::Variable;

/// A convolution's options, with PyTorch's defaults (stride 1, no padding,
/// no dilation, one group, a bias). Padding is zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvOptions<const N: usize> {
    pub stride: [i64; N],
    pub padding: [i64; N],
    pub dilation: [i64; N],
    pub groups: i64,
    pub bias: bool,
}

impl<const N: usize> Default for ConvOptions<N> {
    fn default() -> Self {
        ConvOptions {
            stride: [1; N],
            padding: [0; N],
            dilation: [1; N],
            groups: 1,
            bias: true,
        }
    }
}

/// An `N`-d convolution, as `torch.nn.Conv1d`, `Conv2d` and `Conv3d`:
/// weights `[out_channels, in_channels / groups, kernel...]`, initialised
/// as PyTorch's.
#[derive(Debug)]
pub struct Conv<const N: usize> {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: [i64; N],
    pub padding: [i64; N],
    pub dilation: [i64; N],
    pub groups: i64,
}

/// 1-d convolution over `[N, C, L]`.
pub type Conv1d = Conv<1>;
/// 2-d convolution over `[N, C, H, W]`.
pub type Conv2d = Conv<2>;
/// 3-d convolution over `[N, C, D, H, W]`.
pub type Conv3d = Conv<3>;

impl<const N: usize> Conv<N> {
    /// A kernel of `kernel_size` with `options`.
    pub fn with_options(
        in_channels: i64,
        out_channels: i64,
        kernel_size: [i64; N],
        options: ConvOptions<N>,
    ) -> Result<Self> {
        let ConvOptions {
            stride,
            padding,
            dilation,
            groups,
            bias,
        } = options;
        ensure!(
            groups > 0,
            Argument,
            "Conv{N}d: groups must be a positive integer, got {groups}"
        );
        ensure!(
            in_channels % groups == 0,
            Argument,
            "Conv{N}d: in_channels must be divisible by groups ({in_channels} and {groups})"
        );
        ensure!(
            out_channels % groups == 0,
            Argument,
            "Conv{N}d: out_channels must be divisible by groups ({out_channels} and {groups})"
        );
        let mut shape = vec![out_channels, in_channels / groups];
        shape.extend(kernel_size);
        let weight = default_weight(&shape)?;
        let fan_in: i64 = shape[1..].iter().product();
        let bias = if bias {
            Some(uniform(&[out_channels], bias_bound(fan_in))?)
        } else {
            None
        };
        Ok(Conv {
            weight,
            bias,
            stride,
            padding,
            dilation,
            groups,
        })
    }

    /// A square (cubic) kernel of `kernel_size` with one `stride` and
    /// `padding` for every dim, and a bias.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let options = ConvOptions {
            stride: [stride; N],
            padding: [padding; N],
            ..Default::default()
        };
        Self::with_options(in_channels, out_channels, [kernel_size; N], options)
    }
}

/// `values` as an array of `M` (the caller's `N`, equal to `M`).
fn array<const M: usize>(values: &[i64]) -> [i64; M] {
    std::array::from_fn(|i| values.get(i).copied().unwrap_or(1))
}

/// `v` as PyTorch prints a tuple: `(3, 3)`, `(3,)`.
fn tuple(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}

impl<const N: usize> Module for Conv<N> {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let (w, b) = (&self.weight, self.bias.as_ref());
        let (s, p, d, g) = (&self.stride, &self.padding, &self.dilation, self.groups);
        let result = match N {
            1 => crate::conv1d(input, w, b, s[0], p[0], d[0], g),
            2 => crate::conv2d(input, w, b, array(s), array(p), array(d), g),
            _ => crate::conv3d(input, w, b, array(s), array(p), array(d), g),
        };
        in_layer(
            || {
                let channels = size(w, 1) * g;
                let kernel: Vec<i64> = (2..2 + N).map(|i| size(w, i)).collect();
                let dims = ["L", "H, W", "D, H, W"][N.clamp(1, 3) - 1];
                format!(
                    "Conv{N}d({channels}, {}, kernel_size={}, stride={}): expected input [N, {channels}, {dims}], got {:?}",
                    size(w, 0),
                    tuple(&kernel),
                    tuple(s),
                    input.shape()
                )
            },
            result,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
    fn name(&self) -> String {
        format!("Conv{N}d")
    }
}

/// A transposed convolution's parameters: the weight is `[in, out, k...]`
/// and PyTorch takes its fan-in from dim 1 (`out * k...`).
fn transposed(
    in_channels: i64,
    out_channels: i64,
    kernel: &[i64],
) -> Result<(Parameter, Parameter)> {
    let fan_in = out_channels * kernel.iter().product::<i64>();
    let mut shape = vec![in_channels, out_channels];
    shape.extend_from_slice(kernel);
    let weight = default_weight(&shape)?;
    let bias = uniform(&[out_channels], bias_bound(fan_in))?;
    Ok((weight, bias))
}

/// 1-d transposed convolution, as `torch.nn.ConvTranspose1d`.
#[derive(Debug)]
pub struct ConvTranspose1d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
    pub output_padding: i64,
}

impl ConvTranspose1d {
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let (weight, bias) = transposed(in_channels, out_channels, &[kernel_size])?;
        Ok(ConvTranspose1d {
            weight,
            bias: Some(bias),
            stride,
            padding,
            output_padding: 0,
        })
    }
}

impl Module for ConvTranspose1d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                format!(
                    "ConvTranspose1d: expected input [N, {}, L], got {:?}",
                    size(&self.weight, 0),
                    input.shape()
                )
            },
            crate::conv_transpose1d(
                input,
                &self.weight,
                self.bias.as_ref(),
                self.stride,
                self.padding,
                self.output_padding,
                1,
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// 2-d transposed convolution, as `torch.nn.ConvTranspose2d` (square kernel).
#[derive(Debug)]
pub struct ConvTranspose2d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
    pub output_padding: i64,
}

impl ConvTranspose2d {
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let (weight, bias) = transposed(in_channels, out_channels, &[kernel_size, kernel_size])?;
        Ok(ConvTranspose2d {
            weight,
            bias: Some(bias),
            stride,
            padding,
            output_padding: 0,
        })
    }
}

impl Module for ConvTranspose2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                format!(
                    "ConvTranspose2d: expected input [N, {}, H, W], got {:?}",
                    size(&self.weight, 0),
                    input.shape()
                )
            },
            crate::conv_transpose2d(
                input,
                &self.weight,
                self.bias.as_ref(),
                [self.stride; 2],
                [self.padding; 2],
                [self.output_padding; 2],
                1,
                [1, 1],
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}
