//! Shape layers: `Flatten`.

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Flattens every dim after the first, as `torch.nn.Flatten()`.
#[derive(Debug, Clone, Copy)]
pub struct Flatten;

impl Module for Flatten {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        input.flatten(1, -1)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}
