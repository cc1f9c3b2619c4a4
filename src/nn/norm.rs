//! Normalization layers: `LayerNorm`, `GroupNorm`, `BatchNorm1d`/`2d`.

use std::cell::Cell;

use super::{in_layer, named, ones_and_zeros, size, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{DType, Tensor, TensorOptions, Variable};

/// Layer normalization over the last dim, as `torch.nn.LayerNorm(size)`.
#[derive(Debug)]
pub struct LayerNorm {
    pub weight: Parameter,
    pub bias: Parameter,
    pub eps: f64,
}

impl LayerNorm {
    /// Weight ones, bias zeros, as PyTorch's.
    pub fn new(normalized_size: i64) -> Result<Self> {
        let (weight, bias) = ones_and_zeros(normalized_size)?;
        Ok(LayerNorm {
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl Module for LayerNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let n = size(&self.weight, 0);
        in_layer(
            || {
                format!(
                    "LayerNorm(({n},), eps={:e}): expected input [..., {n}], got {:?}",
                    self.eps,
                    input.shape()
                )
            },
            crate::layer_norm(input, Some(&self.weight), Some(&self.bias), n, self.eps),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
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
