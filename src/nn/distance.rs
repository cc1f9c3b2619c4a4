//! Distances between two inputs as modules, as `torch.nn`'s
//! `CosineSimilarity` and `PairwiseDistance`: each takes two Variables
//! ([`CosineSimilarity::forward_pair`]); [`Module::forward`] is an
//! Argument error.

use super::{Module, Parameter};
use crate::error::{bail, Result};
use crate::Variable;

/// The cosine similarity of `x1` and `x2` along `dim`, as
/// `torch.nn.CosineSimilarity`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineSimilarity {
    /// The dim of the vectors (default 1).
    pub dim: i64,
    /// The smallest norm divided by (default 1e-8).
    pub eps: f64,
}

impl Default for CosineSimilarity {
    /// PyTorch's defaults.
    fn default() -> Self {
        CosineSimilarity { dim: 1, eps: 1e-8 }
    }
}

impl CosineSimilarity {
    /// The similarity of `x1` and `x2` (broadcast).
    pub fn forward_pair(&self, x1: &Variable, x2: &Variable) -> Result<Variable> {
        x1.cosine_similarity(x2, self.dim, self.eps)
    }
}

/// The `p`-norm distance between the rows of `x1` and `x2`, as
/// `torch.nn.PairwiseDistance`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairwiseDistance {
    /// The norm (default 2).
    pub p: f64,
    /// Added to the differences (default 1e-6).
    pub eps: f64,
    /// Keep the reduced dim (default false).
    pub keepdim: bool,
}

impl Default for PairwiseDistance {
    /// PyTorch's defaults.
    fn default() -> Self {
        PairwiseDistance {
            p: 2.0,
            eps: 1e-6,
            keepdim: false,
        }
    }
}

impl PairwiseDistance {
    /// The distances between the rows of `x1` and `x2` (broadcast).
    pub fn forward_pair(&self, x1: &Variable, x2: &Variable) -> Result<Variable> {
        crate::pairwise_distance(x1, x2, self.p, self.eps, self.keepdim)
    }
}

macro_rules! pair_module {
    ($($name:ident),*) => {$(
        impl Module for $name {
            /// Takes two inputs: an Argument error naming `forward_pair`.
            fn forward(&self, _input: &Variable) -> Result<Variable> {
                bail!(
                    Argument,
                    "{}: takes two inputs; call forward_pair(x1, x2)",
                    stringify!($name)
                )
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
        }
    )*};
}

pair_module!(CosineSimilarity, PairwiseDistance);
