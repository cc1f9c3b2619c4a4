//! Lookup tables: `Embedding`, `EmbeddingBag`.

use super::{named, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{Tensor, Variable};

/// A lookup table of `num_embeddings` rows, as `torch.nn.Embedding`: the
/// input holds Int64 indices (a Variable that needs no grad).
#[derive(Debug)]
pub struct Embedding {
    /// The table, `[num_embeddings, embedding_dim]`.
    pub weight: Parameter,
    /// A row that gets no gradient (counted from the start, as PyTorch keeps it).
    pub padding_idx: Option<i64>,
    /// Rows looked up are first scaled to a `norm_type`-norm of at most this.
    pub max_norm: Option<f64>,
    /// The norm `max_norm` bounds (default 2).
    pub norm_type: f64,
    /// Each row's gradient divided by its count in the batch.
    pub scale_grad_by_freq: bool,
}

impl Embedding {
    /// Rows drawn from N(0, 1), the padding row zeroed, as PyTorch's.
    pub fn new(num_embeddings: i64, embedding_dim: i64, padding_idx: Option<i64>) -> Result<Self> {
        let padding_idx = padding_index("Embedding", padding_idx, num_embeddings)?;
        let weight = lookup_table(num_embeddings, embedding_dim, padding_idx)?;
        Ok(Embedding {
            weight,
            padding_idx,
            max_norm: None,
            norm_type: 2.0,
            scale_grad_by_freq: false,
        })
    }
}

/// A `[rows, dim]` table drawn from N(0, 1), the padding row zeroed, as
/// PyTorch's embedding layers start.
fn lookup_table(rows: i64, dim: i64, padding_idx: Option<i64>) -> Result<Parameter> {
    let weight = super::empty_parameter(&[rows, dim])?;
    super::init::embedding_default_(&weight, padding_idx)?;
    Ok(weight)
}

/// `padding_idx` counted from the start, as PyTorch keeps it; out of
/// `-rows..rows` an Argument error naming `layer` (Python's layers word it
/// the same).
fn padding_index(layer: &str, padding_idx: Option<i64>, rows: i64) -> Result<Option<i64>> {
    let Some(row) = padding_idx else {
        return Ok(None);
    };
    ensure!(
        (-rows..rows).contains(&row),
        Argument,
        "{layer}: padding_idx must be within num_embeddings, got {row} for {rows} rows"
    );
    Ok(Some(if row < 0 { row + rows } else { row }))
}

impl Module for Embedding {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::embedding(
            &input.data(),
            &self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
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
            s += &format!(", padding_idx={row}");
        }
        s + &lookup_settings(self.max_norm, self.norm_type, self.scale_grad_by_freq)
    }
}

/// The settings both embedding layers show when off their defaults, as
/// PyTorch writes them (`, max_norm=1.0, norm_type=1.0`).
fn lookup_settings(max_norm: Option<f64>, norm_type: f64, scale_grad_by_freq: bool) -> String {
    let mut s = String::new();
    if let Some(max_norm) = max_norm {
        s += &format!(", max_norm={}", super::py_float(max_norm));
    }
    if norm_type != 2.0 {
        s += &format!(", norm_type={}", super::py_float(norm_type));
    }
    if scale_grad_by_freq {
        s += ", scale_grad_by_freq=True";
    }
    s
}

/// `torch.nn.EmbeddingBag`'s options besides its sizes, PyTorch's defaults
/// by `Default` (mode "mean").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmbeddingBagOptions {
    /// Rows looked up are first scaled to a `norm_type`-norm of at most this.
    pub max_norm: Option<f64>,
    /// The norm `max_norm` bounds (default 2).
    pub norm_type: f64,
    /// Each row's gradient divided by its count in the batch.
    pub scale_grad_by_freq: bool,
    /// How a bag reduces its rows (default mean).
    pub mode: crate::EmbeddingBagMode,
    /// The last offset ends the last bag (offsets has one entry per bag + 1).
    pub include_last_offset: bool,
    /// A row left out of its bags (and zeroed at the start).
    pub padding_idx: Option<i64>,
}

impl Default for EmbeddingBagOptions {
    fn default() -> Self {
        EmbeddingBagOptions {
            max_norm: None,
            norm_type: 2.0,
            scale_grad_by_freq: false,
            mode: crate::EmbeddingBagMode::Mean,
            include_last_offset: false,
            padding_idx: None,
        }
    }
}

/// Sums, means or maxima of bags of embedding rows, as
/// `torch.nn.EmbeddingBag`: a `[B, L]` input is `B` bags of `L` indices;
/// [`forward_with`](EmbeddingBag::forward_with) also takes 1-d indices with
/// the offsets where bags start, and per-sample weights.
#[derive(Debug)]
pub struct EmbeddingBag {
    /// The table, `[num_embeddings, embedding_dim]`.
    pub weight: Parameter,
    /// Everything but the sizes.
    pub options: EmbeddingBagOptions,
}

impl EmbeddingBag {
    /// Rows drawn from N(0, 1), reduced by `mode`, as PyTorch's.
    pub fn new(
        num_embeddings: i64,
        embedding_dim: i64,
        mode: crate::EmbeddingBagMode,
    ) -> Result<Self> {
        let options = EmbeddingBagOptions {
            mode,
            ..Default::default()
        };
        Self::with_options(num_embeddings, embedding_dim, options)
    }

    /// With `options`; the padding row (if any) starts at zero, as PyTorch's.
    pub fn with_options(
        num_embeddings: i64,
        embedding_dim: i64,
        options: EmbeddingBagOptions,
    ) -> Result<Self> {
        let padding_idx = padding_index("EmbeddingBag", options.padding_idx, num_embeddings)?;
        let weight = lookup_table(num_embeddings, embedding_dim, padding_idx)?;
        let options = EmbeddingBagOptions {
            padding_idx,
            ..options
        };
        Ok(EmbeddingBag { weight, options })
    }

    /// The bags of `indices` (1-d) starting at `offsets`.
    pub fn forward_bags(&self, indices: &Tensor, offsets: &Tensor) -> Result<Variable> {
        self.forward_with(indices, Some(offsets), None)
    }

    /// PyTorch's `forward(input, offsets=None, per_sample_weights=None)`.
    pub fn forward_with(
        &self,
        input: &Tensor,
        offsets: Option<&Tensor>,
        per_sample_weights: Option<&Variable>,
    ) -> Result<Variable> {
        let o = &self.options;
        crate::embedding_bag(
            input,
            &self.weight,
            offsets,
            o.max_norm,
            o.norm_type,
            o.scale_grad_by_freq,
            o.mode,
            false,
            per_sample_weights,
            o.include_last_offset,
            o.padding_idx,
        )
    }
}

impl Module for EmbeddingBag {
    /// The bags of a `[B, L]` input, one per row.
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.forward_with(&input.data(), None, None)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight))])
    }
    fn extra_repr(&self) -> String {
        let o = &self.options;
        let rows = super::size(&self.weight, 0);
        let mut s = format!("{rows}, {}", super::size(&self.weight, 1));
        s += &lookup_settings(o.max_norm, o.norm_type, o.scale_grad_by_freq);
        s += &format!(", mode='{}'", crate::ops::nn::Mode::name(o.mode));
        if let Some(row) = o.padding_idx {
            s += &format!(", padding_idx={row}");
        }
        s
    }
}
