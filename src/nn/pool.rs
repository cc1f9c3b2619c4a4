//! Pooling layers: `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`.

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// 2-d max pooling with a square window, as `torch.nn.MaxPool2d(k)`.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d {
    pub kernel_size: i64,
}

impl Module for MaxPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::max_pool2d(input, [self.kernel_size; 2], None, [0, 0], [1, 1], false)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// 2-d average pooling with a square window, as `torch.nn.AvgPool2d(k)`.
#[derive(Debug, Clone, Copy)]
pub struct AvgPool2d {
    pub kernel_size: i64,
}

impl Module for AvgPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::avg_pool2d(input, [self.kernel_size; 2], None, [0, 0], false, true)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
#[derive(Debug, Clone, Copy)]
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
