//! Lookup tables: `Embedding`.

use super::{named, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{Tensor, TensorOptions, Variable};

/// A lookup table of `num_embeddings` rows, as `torch.nn.Embedding`: the
/// input holds Int64 indices (a Variable that needs no grad).
#[derive(Debug)]
pub struct Embedding {
    pub weight: Parameter,
    pub padding_idx: Option<i64>,
}

impl Embedding {
    /// Rows drawn from N(0, 1), the padding row zeroed, as PyTorch's.
    pub fn new(num_embeddings: i64, embedding_dim: i64, padding_idx: Option<i64>) -> Result<Self> {
        let data = Tensor::empty(&[num_embeddings, embedding_dim], TensorOptions::default())?;
        data.normal_(0.0, 1.0)?;
        if let Some(row) = padding_idx {
            let row = if row < 0 { row + num_embeddings } else { row };
            ensure!(
                (0..num_embeddings).contains(&row),
                Index,
                "Embedding: padding_idx {row} is out of range for {num_embeddings} rows"
            );
            data.select(0, row)?.zero_()?;
        }
        Ok(Embedding {
            weight: Variable::new(data, true)?,
            padding_idx,
        })
    }
}

impl Module for Embedding {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::embedding(&self.weight, &input.data(), self.padding_idx)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight))])
    }
}
