//! The other weight layers: 3-d and transposed convolutions, and the
//! bilinear map, initialised as PyTorch's (same draws in the same order).

use super::{bias_bound, default_weight, in_layer, named, size, uniform, Module, Parameter};
use crate::error::{bail, Result};
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

/// `x1 @ W @ x2 + b` per output feature, as `torch.nn.Bilinear`; it takes
/// two inputs, so it runs through [`forward_pair`](Bilinear::forward_pair).
#[derive(Debug)]
pub struct Bilinear {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

impl Bilinear {
    /// A `[out, in1, in2]` weight and a bias, both uniform in
    /// `+-1/sqrt(in1)` as PyTorch's.
    pub fn new(
        in1_features: i64,
        in2_features: i64,
        out_features: i64,
        bias: bool,
    ) -> Result<Self> {
        let bound = bias_bound(in1_features);
        let weight = uniform(&[out_features, in1_features, in2_features], bound)?;
        let bias = if bias {
            Some(uniform(&[out_features], bound)?)
        } else {
            None
        };
        Ok(Bilinear { weight, bias })
    }

    /// The layer on its two inputs.
    pub fn forward_pair(&self, input1: &Variable, input2: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Bilinear(in1_features={}, in2_features={}, out_features={}): expected inputs [..., {}] and [..., {}], got {:?} and {:?}",
                    w(1), w(2), w(0), w(1), w(2), input1.shape(), input2.shape()
                )
            },
            crate::bilinear(input1, input2, &self.weight, self.bias.as_ref()),
        )
    }
}

impl Module for Bilinear {
    /// A Bilinear layer needs two inputs: an Argument error (use
    /// [`forward_pair`](Bilinear::forward_pair)).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "Bilinear: takes two inputs; call forward_pair(input1, input2)"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}
