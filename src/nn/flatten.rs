//! Shape layers: `Flatten`, `Unflatten`, `PixelShuffle`, `PixelUnshuffle`.

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
}
