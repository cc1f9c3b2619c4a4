//! Normalization layers: `LayerNorm`, `GroupNorm`, `BatchNorm1d`/`2d`,
//! `InstanceNorm1d`/`2d`, `RMSNorm`.

use std::cell::Cell;

use super::{in_layer, named, ones_and_zeros, size, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{DType, Tensor, TensorOptions, Variable};

/// Layer normalization over the trailing dims `normalized_shape`, as
/// `torch.nn.LayerNorm`: a weight of ones and a bias of zeros of that shape
/// (each optional).
#[derive(Debug)]
pub struct LayerNorm {
    pub normalized_shape: Vec<i64>,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub eps: f64,
}

impl LayerNorm {
    /// Over the last dim, of `normalized_size`, with a weight and a bias.
    pub fn new(normalized_size: i64) -> Result<Self> {
        Self::with_shape(&[normalized_size], 1e-5, true, true)
    }

    /// Over the trailing dims `normalized_shape`; `elementwise_affine`
    /// gives the weight, and with it `bias` the bias (PyTorch's options).
    pub fn with_shape(
        normalized_shape: &[i64],
        eps: f64,
        elementwise_affine: bool,
        bias: bool,
    ) -> Result<Self> {
        let opts = TensorOptions::default();
        let (weight, bias) = if elementwise_affine {
            let weight = Variable::new(Tensor::ones(normalized_shape, opts)?, true)?;
            let bias = if bias {
                Some(Variable::new(Tensor::zeros(normalized_shape, opts)?, true)?)
            } else {
                None
            };
            (Some(weight), bias)
        } else {
            (None, None)
        };
        Ok(LayerNorm {
            normalized_shape: normalized_shape.to_vec(),
            weight,
            bias,
            eps,
        })
    }
}

impl Module for LayerNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let shape = &self.normalized_shape;
        in_layer(
            || {
                let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
                format!(
                    "LayerNorm({shape:?}, eps={:e}): expected input [..., {}], got {:?}",
                    self.eps,
                    dims.join(", "),
                    input.shape()
                )
            },
            crate::layer_norm(
                input,
                shape,
                self.weight.as_ref(),
                self.bias.as_ref(),
                self.eps,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[
            ("weight", self.weight.as_ref()),
            ("bias", self.bias.as_ref()),
        ])
    }
}

/// Normalization over groups of channels, as `torch.nn.GroupNorm`.
#[derive(Debug)]
pub struct GroupNorm {
    pub num_groups: i64,
    pub weight: Parameter,
    pub bias: Parameter,
    pub eps: f64,
}

impl GroupNorm {
    /// Weight ones, bias zeros, as PyTorch's.
    pub fn new(num_groups: i64, num_channels: i64) -> Result<Self> {
        let (weight, bias) = ones_and_zeros(num_channels)?;
        Ok(GroupNorm {
            num_groups,
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl Module for GroupNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::group_norm(
            input,
            self.num_groups,
            Some(&self.weight),
            Some(&self.bias),
            self.eps,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
    }
}

/// Batch normalization over dim 1, as `torch.nn.BatchNorm1d` (`[N, C]` or
/// `[N, C, L]`, `DIMS` 1) and `BatchNorm2d` (`[N, C, H, W]`, `DIMS` 2):
/// batch statistics while training (updating the running ones), the
/// running ones in evaluation. Another rank is a Shape error, as in PyTorch.
#[derive(Debug)]
pub struct BatchNorm<const DIMS: usize> {
    pub weight: Parameter,
    pub bias: Parameter,
    pub running_mean: Variable,
    pub running_var: Variable,
    pub num_batches_tracked: Variable,
    pub momentum: f64,
    pub eps: f64,
    training: Cell<bool>,
}

/// [`BatchNorm`] of `[N, C]` or `[N, C, L]` inputs.
pub type BatchNorm1d = BatchNorm<1>;
/// [`BatchNorm`] of `[N, C, H, W]` inputs.
pub type BatchNorm2d = BatchNorm<2>;

impl<const DIMS: usize> BatchNorm<DIMS> {
    /// Weight ones, bias zeros, running mean 0 and variance 1, as PyTorch's.
    pub fn new(num_features: i64) -> Result<Self> {
        let opts = TensorOptions::default();
        let (weight, bias) = ones_and_zeros(num_features)?;
        let long = TensorOptions {
            dtype: DType::Int64,
            ..opts
        };
        Ok(BatchNorm {
            weight,
            bias,
            running_mean: Variable::new(Tensor::zeros(&[num_features], opts)?, false)?,
            running_var: Variable::new(Tensor::ones(&[num_features], opts)?, false)?,
            num_batches_tracked: Variable::new(Tensor::zeros(&[], long)?, false)?,
            momentum: 0.1,
            eps: 1e-5,
            training: Cell::new(true),
        })
    }
}

impl<const DIMS: usize> Module for BatchNorm<DIMS> {
    fn name(&self) -> String {
        format!("BatchNorm{DIMS}d")
    }
    fn forward(&self, input: &Variable) -> Result<Variable> {
        // PyTorch's ranks per name (its messages too).
        let (ranks, wanted): (&[usize], &str) = match DIMS {
            1 => (&[2, 3], "2D or 3D"),
            _ => (&[4], "4D"),
        };
        let rank = input.ndim();
        ensure!(
            ranks.contains(&rank),
            Shape,
            "BatchNorm{DIMS}d: expected {wanted} input (got {rank}D input)"
        );
        let training = self.training.get();
        if training {
            crate::no_grad(|| self.num_batches_tracked.data().add_scalar_(1))?;
        }
        let (mean, var) = (self.running_mean.data(), self.running_var.data());
        in_layer(
            || {
                let n = size(&self.weight, 0);
                format!(
                    "BatchNorm({n}, eps={:e}, momentum={}): expected input [N, {n}, ...], got {:?}",
                    self.eps,
                    self.momentum,
                    input.shape()
                )
            },
            crate::batch_norm(
                input,
                Some(&mean),
                Some(&var),
                Some(&self.weight),
                Some(&self.bias),
                training,
                self.momentum,
                self.eps,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        named(&[
            ("running_mean", Some(&self.running_mean)),
            ("running_var", Some(&self.running_var)),
            ("num_batches_tracked", Some(&self.num_batches_tracked)),
        ])
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}

/// Instance normalization: each sample's channels normalized over their
/// own positions, as `torch.nn.InstanceNorm1d` (`[N, C, L]`) and
/// `InstanceNorm2d` (`[N, C, H, W]`); PyTorch's defaults: no affine
/// parameters, no running statistics.
#[derive(Debug)]
pub struct InstanceNorm<const DIMS: usize> {
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub eps: f64,
}

/// [`InstanceNorm`] of `[N, C, L]` inputs.
pub type InstanceNorm1d = InstanceNorm<1>;
/// [`InstanceNorm`] of `[N, C, H, W]` inputs.
pub type InstanceNorm2d = InstanceNorm<2>;

impl<const DIMS: usize> InstanceNorm<DIMS> {
    /// `affine`: a weight of ones and a bias of zeros per channel.
    pub fn new(num_features: i64, affine: bool) -> Result<Self> {
        let (weight, bias) = if affine {
            let (w, b) = ones_and_zeros(num_features)?;
            (Some(w), Some(b))
        } else {
            (None, None)
        };
        Ok(InstanceNorm {
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl<const DIMS: usize> Module for InstanceNorm<DIMS> {
    fn name(&self) -> String {
        format!("InstanceNorm{DIMS}d")
    }
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let rank = input.shape().len();
        ensure!(
            rank == DIMS + 2,
            Shape,
            "InstanceNorm{DIMS}d: expected {}D input (got {rank}D input)",
            DIMS + 2
        );
        crate::instance_norm(
            input,
            None,
            None,
            self.weight.as_ref(),
            self.bias.as_ref(),
            true,
            0.1,
            self.eps,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[
            ("weight", self.weight.as_ref()),
            ("bias", self.bias.as_ref()),
        ])
    }
}

/// Root-mean-square normalization over the last dim, as
/// `torch.nn.RMSNorm(size)`: `x / sqrt(mean(x^2) + eps) * weight`, `eps`
/// None being the input dtype's machine epsilon (PyTorch's default).
#[derive(Debug)]
pub struct RMSNorm {
    pub weight: Option<Parameter>,
    pub eps: Option<f64>,
}

impl RMSNorm {
    /// With `elementwise_affine`, a weight of ones.
    pub fn new(normalized_size: i64, eps: Option<f64>, elementwise_affine: bool) -> Result<Self> {
        let weight = if elementwise_affine {
            Some(ones_and_zeros(normalized_size)?.0)
        } else {
            None
        };
        Ok(RMSNorm { weight, eps })
    }
}

impl Module for RMSNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let eps = match self.eps {
            Some(eps) => eps,
            None => match input.dtype() {
                DType::Float64 => f64::EPSILON,
                DType::Float16 => 0.000_976_562_5,
                DType::BFloat16 => 0.007_812_5,
                _ => f64::from(f32::EPSILON),
            },
        };
        let mean_square = input.pow_scalar(2)?.mean_dim(-1, true)?;
        let normalized = input.div(&mean_square.add_scalar(eps)?.sqrt()?)?;
        match &self.weight {
            Some(weight) => normalized.mul(weight),
            None => Ok(normalized),
        }
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", self.weight.as_ref())])
    }
}
