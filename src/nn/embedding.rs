//! Lookup tables: `Embedding`, `EmbeddingBag`.

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
        crate::embedding(
            &input.data(),
            &self.weight,
            self.padding_idx,
            None,
            2.0,
            false,
            false,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight))])
    }
    fn extra_repr(&self) -> String {
        let rows = super::size(&self.weight, 0);
        let mut s = format!("{rows}, {}", super::size(&self.weight, 1));
        if let Some(row) = self.padding_idx {
            // PyTorch keeps a negative padding_idx counted from the start.
            s += &format!(", padding_idx={}", if row < 0 { row + rows } else { row });
        }
        s
    }
}

/// Sums, means or maxima of bags of embedding rows, as
/// `torch.nn.EmbeddingBag` (mode "mean" by default): a `[B, L]` input is `B`
/// bags of `L` indices; [`forward_bags`](EmbeddingBag::forward_bags) takes
/// 1-d indices and the offsets where bags start.
#[derive(Debug)]
pub struct EmbeddingBag {
    pub weight: Parameter,
    pub mode: crate::EmbeddingBagMode,
}

impl EmbeddingBag {
    /// Rows drawn from N(0, 1), as PyTorch's.
    pub fn new(
        num_embeddings: i64,
        embedding_dim: i64,
        mode: crate::EmbeddingBagMode,
    ) -> Result<Self> {
        let data = Tensor::empty(&[num_embeddings, embedding_dim], TensorOptions::default())?;
        data.normal_(0.0, 1.0)?;
        Ok(EmbeddingBag {
            weight: Variable::new(data, true)?,
            mode,
        })
    }

    /// The bags of `indices` (1-d) starting at `offsets`.
    pub fn forward_bags(&self, indices: &Tensor, offsets: &Tensor) -> Result<Variable> {
        crate::embedding_bag(&self.weight, indices, offsets, self.mode)
    }
}

impl Module for EmbeddingBag {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let shape = input.shape();
        ensure!(
            shape.len() == 2,
            Shape,
            "EmbeddingBag: a 1-d input needs offsets, got shape {shape:?}"
        );
        let (bags, length) = (shape[0], shape[1]);
        let starts: Vec<i64> = (0..bags).map(|b| b * length).collect();
        let offsets = Tensor::from_i64(&starts, &[bags], input.device())?;
        self.forward_bags(&input.data().reshape(&[-1])?, &offsets)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight))])
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, {}, mode='{}'",
            super::size(&self.weight, 0),
            super::size(&self.weight, 1),
            crate::ops::nn::Mode::name(self.mode)
        )
    }
}
