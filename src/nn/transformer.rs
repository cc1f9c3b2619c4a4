//! Attention layers, as `torch.nn.MultiheadAttention` and
//! `torch.nn.TransformerEncoderLayer`: the same parameters, names,
//! initialisation (in the same draw order) and arithmetic.

use std::cell::Cell;

use super::{with_prefix, Dropout, LayerNorm, Linear, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{Tensor, TensorOptions, Variable};

/// Multi-head self-attention over `[seq, batch, embed]` (`[batch, seq,
/// embed]` with `batch_first`): the input projected to queries, keys and
/// values by one `in_proj` matrix, attention per head, then `out_proj`.
#[derive(Debug)]
pub struct MultiheadAttention {
    pub in_proj_weight: Parameter,
    pub in_proj_bias: Parameter,
    pub out_proj: Linear,
    pub num_heads: i64,
    pub dropout: f64,
    pub batch_first: bool,
    training: Cell<bool>,
}

impl MultiheadAttention {
    /// `embed_dim` split over `num_heads` heads, initialised as PyTorch's
    /// (`out_proj` as a Linear, then `in_proj_weight` Xavier-uniform, the
    /// biases zero).
    pub fn new(embed_dim: i64, num_heads: i64, dropout: f64, batch_first: bool) -> Result<Self> {
        ensure!(
            num_heads > 0 && embed_dim % num_heads == 0,
            Argument,
            "MultiheadAttention: embed_dim {embed_dim} must divide into num_heads {num_heads}"
        );
        let out_proj = Linear::new(embed_dim, embed_dim, true)?;
        let in_proj = Tensor::empty(&[3 * embed_dim, embed_dim], TensorOptions::default())?;
        // xavier_uniform_: gain 1, fan_in embed_dim, fan_out 3 * embed_dim.
        let std = (2.0 / (embed_dim + 3 * embed_dim) as f64).sqrt();
        let bound = 3f64.sqrt() * std;
        in_proj.uniform_(-bound, bound)?;
        let zeros = |n| -> Result<Parameter> {
            Variable::new(Tensor::zeros(&[n], TensorOptions::default())?, true)
        };
        let out_proj = Linear {
            weight: out_proj.weight,
            bias: Some(zeros(embed_dim)?),
        };
        Ok(MultiheadAttention {
            in_proj_weight: Variable::new(in_proj, true)?,
            in_proj_bias: zeros(3 * embed_dim)?,
            out_proj,
            num_heads,
            dropout,
            batch_first,
            training: Cell::new(true),
        })
    }

    /// Self-attention of `x` with an optional `attn_mask` (`[seq, seq]`):
    /// a float mask is added to the scores; a boolean one is true where
    /// attention is allowed, as `scaled_dot_product_attention` takes it
    /// (the opposite of `torch.nn.MultiheadAttention`'s boolean masks).
    pub fn attend(
        &self,
        x: &Variable,
        attn_mask: Option<&Tensor>,
        is_causal: bool,
    ) -> Result<Variable> {
        let shape = x.shape();
        ensure!(
            shape.len() == 3,
            Shape,
            "MultiheadAttention: expected a 3-d input, got shape {shape:?}"
        );
        // To [batch, seq, embed], as the attention op wants.
        let x = if self.batch_first {
            x.clone()
        } else {
            x.transpose(0, 1)?
        };
        let (batch, seq, embed) = (x.shape()[0], x.shape()[1], x.shape()[2]);
        let head = embed / self.num_heads;
        let qkv =
            crate::linear(&x, &self.in_proj_weight, Some(&self.in_proj_bias))?.chunk(3, -1)?;
        let heads = |t: &Variable| {
            t.reshape(&[batch, seq, self.num_heads, head])?
                .transpose(1, 2)
        };
        let (q, k, v) = (heads(&qkv[0])?, heads(&qkv[1])?, heads(&qkv[2])?);
        let dropout = if self.training.get() {
            self.dropout
        } else {
            0.0
        };
        let attended =
            crate::scaled_dot_product_attention(&q, &k, &v, attn_mask, dropout, is_causal, None)?;
        let merged = attended.transpose(1, 2)?.reshape(&[batch, seq, embed])?;
        let out = self.out_proj.forward(&merged)?;
        if self.batch_first {
            Ok(out)
        } else {
            out.transpose(0, 1)
        }
    }
}

impl Module for MultiheadAttention {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.attend(input, None, false)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let mut named = vec![
            ("in_proj_weight".to_string(), self.in_proj_weight.clone()),
            ("in_proj_bias".to_string(), self.in_proj_bias.clone()),
        ];
        named.extend(with_prefix("out_proj", self.out_proj.named_parameters()));
        named
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}

/// The feed-forward activation of a [`TransformerEncoderLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Gelu,
}

/// The options of [`TransformerEncoderLayer`], with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformerOptions {
    pub dim_feedforward: i64,
    pub dropout: f64,
    pub activation: Activation,
    pub layer_norm_eps: f64,
    pub batch_first: bool,
    /// Layer norm before each block instead of after.
    pub norm_first: bool,
}

impl Default for TransformerOptions {
    fn default() -> Self {
        TransformerOptions {
            dim_feedforward: 2048,
            dropout: 0.1,
            activation: Activation::Relu,
            layer_norm_eps: 1e-5,
            batch_first: false,
            norm_first: false,
        }
    }
}

/// Self-attention then a feed-forward block, each with a residual
/// connection and a layer norm, as `torch.nn.TransformerEncoderLayer`.
#[derive(Debug)]
pub struct TransformerEncoderLayer {
    pub self_attn: MultiheadAttention,
    pub linear1: Linear,
    pub dropout: Dropout,
    pub linear2: Linear,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub dropout1: Dropout,
    pub dropout2: Dropout,
    pub options: TransformerOptions,
}

impl TransformerEncoderLayer {
    /// Built in PyTorch's order, so that the same seed gives the same
    /// parameters.
    pub fn new(d_model: i64, nhead: i64, options: TransformerOptions) -> Result<Self> {
        let o = options;
        let self_attn = MultiheadAttention::new(d_model, nhead, o.dropout, o.batch_first)?;
        let linear1 = Linear::new(d_model, o.dim_feedforward, true)?;
        let dropout = Dropout::new(o.dropout)?;
        let linear2 = Linear::new(o.dim_feedforward, d_model, true)?;
        let mut norm1 = LayerNorm::new(d_model)?;
        let mut norm2 = LayerNorm::new(d_model)?;
        norm1.eps = o.layer_norm_eps;
        norm2.eps = o.layer_norm_eps;
        Ok(TransformerEncoderLayer {
            self_attn,
            linear1,
            dropout,
            linear2,
            norm1,
            norm2,
            dropout1: Dropout::new(o.dropout)?,
            dropout2: Dropout::new(o.dropout)?,
            options,
        })
    }

    /// The layer on `src` with an optional attention mask (as
    /// [`MultiheadAttention::attend`]'s).
    pub fn encode(
        &self,
        src: &Variable,
        mask: Option<&Tensor>,
        is_causal: bool,
    ) -> Result<Variable> {
        let attention = |x: &Variable| {
            self.dropout1
                .forward(&self.self_attn.attend(x, mask, is_causal)?)
        };
        let feed_forward = |x: &Variable| -> Result<Variable> {
            let hidden = self.linear1.forward(x)?;
            let hidden = match self.options.activation {
                Activation::Relu => hidden.relu()?,
                Activation::Gelu => hidden.gelu()?,
            };
            self.dropout2
                .forward(&self.linear2.forward(&self.dropout.forward(&hidden)?)?)
        };
        if self.options.norm_first {
            let x = src.add(&attention(&self.norm1.forward(src)?)?)?;
            x.add(&feed_forward(&self.norm2.forward(&x)?)?)
        } else {
            let x = self.norm1.forward(&src.add(&attention(src)?)?)?;
            self.norm2.forward(&x.add(&feed_forward(&x)?)?)
        }
    }
}

impl Module for TransformerEncoderLayer {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.encode(input, None, false)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let mut named = with_prefix("self_attn", self.self_attn.named_parameters());
        named.extend(with_prefix("linear1", self.linear1.named_parameters()));
        named.extend(with_prefix("linear2", self.linear2.named_parameters()));
        named.extend(with_prefix("norm1", self.norm1.named_parameters()));
        named.extend(with_prefix("norm2", self.norm2.named_parameters()));
        named
    }
    fn set_training(&self, training: bool) {
        self.self_attn.set_training(training);
        for dropout in [&self.dropout, &self.dropout1, &self.dropout2] {
            dropout.set_training(training);
        }
    }
}
