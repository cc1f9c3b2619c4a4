//! Convolutions: `Conv1d`, `Conv2d`, `Conv3d`, `ConvTranspose1d`,
//! `ConvTranspose2d`, initialised as PyTorch's (same draws in the same order).

use super::{bias_bound, default_weight, in_layer, named, size, uniform, Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// 3-d convolution over `[N, C, D, H, W]`, as `torch.nn.Conv3d` (cubic
/// kernel, zero padding).
#[derive(Debug)]
pub struct Conv3d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
}

impl Conv3d {
    /// `[out_channels, in_channels, k, k, k]` weights and a bias.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let k = kernel_size;
        let fan_in = in_channels * k * k * k;
        let weight = default_weight(&[out_channels, in_channels, k, k, k])?;
        let bias = Some(uniform(&[out_channels], bias_bound(fan_in))?);
        Ok(Conv3d {
            weight,
            bias,
            stride,
            padding,
        })
    }
}

impl Module for Conv3d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Conv3d({}, {}, kernel_size=({k}, {k}, {k})): expected input [N, {}, D, H, W], got {:?}",
                    w(1), w(0), w(1), input.shape(), k = w(2)
                )
            },
            crate::conv3d(
                input,
                &self.weight,
                self.bias.as_ref(),
                [self.stride; 3],
                [self.padding; 3],
                [1; 3],
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
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
                [1, 1],
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// 2-d convolution, as `torch.nn.Conv2d` (square kernel, zero padding).
#[derive(Debug)]
pub struct Conv2d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
}

impl Conv2d {
    /// `[out_channels, in_channels, k, k]` weights, initialised as PyTorch's.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let fan_in = in_channels * kernel_size * kernel_size;
        let weight = default_weight(&[out_channels, in_channels, kernel_size, kernel_size])?;
        let bias = Some(uniform(&[out_channels], bias_bound(fan_in))?);
        Ok(Conv2d {
            weight,
            bias,
            stride,
            padding,
        })
    }
}

impl Module for Conv2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Conv2d({}, {}, kernel_size=({}, {}), stride=({s}, {s})): expected input [N, {}, H, W], got {:?}",
                    w(1), w(0), w(2), w(3), w(1), input.shape(), s = self.stride
                )
            },
            crate::conv2d(
                input,
                &self.weight,
                self.bias.as_ref(),
                [self.stride; 2],
                [self.padding; 2],
                [1, 1],
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// 1-d convolution, as `torch.nn.Conv1d` (zero padding).
#[derive(Debug)]
pub struct Conv1d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
}

impl Conv1d {
    /// `[out_channels, in_channels, k]` weights, initialised as PyTorch's.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let fan_in = in_channels * kernel_size;
        let weight = default_weight(&[out_channels, in_channels, kernel_size])?;
        let bias = Some(uniform(&[out_channels], bias_bound(fan_in))?);
        Ok(Conv1d {
            weight,
            bias,
            stride,
            padding,
        })
    }
}

impl Module for Conv1d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Conv1d({}, {}, kernel_size=({},), stride=({},)): expected input [N, {}, L], got {:?}",
                    w(1), w(0), w(2), self.stride, w(1), input.shape()
                )
            },
            crate::conv1d(
                input,
                &self.weight,
                self.bias.as_ref(),
                self.stride,
                self.padding,
                1,
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}
