//! Dropout layers.

use std::cell::Cell;

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Zeroes elements with probability `p` while training, as `torch.nn.Dropout`.
#[derive(Debug)]
pub struct Dropout {
    pub p: f64,
    training: Cell<bool>,
}

impl Dropout {
    pub fn new(p: f64) -> Result<Self> {
        crate::ops::nn::check_probability("Dropout", p)?;
        Ok(Dropout {
            p,
            training: Cell::new(true),
        })
    }
}

impl Module for Dropout {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::dropout(input, self.p, self.training.get())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}
