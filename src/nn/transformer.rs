//! Transformer layers, as `torch.nn`'s: `TransformerEncoderLayer`,
//! `TransformerDecoderLayer`, the stacks `TransformerEncoder` and
//! `TransformerDecoder`, and `Transformer`: the same parameters, names,
//! initialisation (in the same draw order) and arithmetic. Attention is
//! [`super::attention`]'s.

use super::attention::{AttentionArgs, MultiheadAttention, MultiheadAttentionOptions};
use super::{
    indent, init, list_repr, nested_repr, with_prefix, Dropout, LayerNorm, Linear, Module,
    Parameter,
};
use crate::error::{ensure, Result};
use crate::{Device, Tensor, Variable};

/// The feed-forward activation of the transformer layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Gelu,
}

/// The options of the transformer layers, with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformerOptions {
    pub dim_feedforward: i64,
    pub dropout: f64,
    pub activation: Activation,
    pub layer_norm_eps: f64,
    pub batch_first: bool,
    /// Layer norm before each block instead of after.
    pub norm_first: bool,
    /// Biases in the linear layers, the attention and the layer norms.
    pub bias: bool,
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
            bias: true,
        }
    }
}

impl TransformerOptions {
    fn attention(&self, d_model: i64, nhead: i64) -> Result<MultiheadAttention> {
        let options = MultiheadAttentionOptions {
            dropout: self.dropout,
            bias: self.bias,
            batch_first: self.batch_first,
            ..Default::default()
        };
        MultiheadAttention::new(d_model, nhead, options)
    }

    fn norm(&self, d_model: i64) -> Result<LayerNorm> {
        LayerNorm::with_shape(&[d_model], self.layer_norm_eps, true, self.bias)
    }
}

/// The masks of one attention block (PyTorch's meaning: boolean true where
/// attention is not allowed, float added to the scores).
#[derive(Debug, Clone, Copy, Default)]
pub struct Masks<'a> {
    pub attn_mask: Option<&'a Tensor>,
    pub key_padding_mask: Option<&'a Tensor>,
    /// A hint that `attn_mask` is the causal mask.
    pub is_causal: bool,
}

impl Masks<'_> {
    fn args(&self) -> AttentionArgs<'_> {
        AttentionArgs {
            attn_mask: self.attn_mask,
            key_padding_mask: self.key_padding_mask,
            is_causal: self.is_causal,
            need_weights: false,
            ..Default::default()
        }
    }
}

/// `linear2(dropout(activation(linear1(x))))`, then `dropout_out`.
fn feed_forward(
    x: &Variable,
    linear1: &Linear,
    dropout: &Dropout,
    linear2: &Linear,
    dropout_out: &Dropout,
    activation: Activation,
) -> Result<Variable> {
    let hidden = linear1.forward(x)?;
    let hidden = match activation {
        Activation::Relu => hidden.relu()?,
        Activation::Gelu => hidden.gelu()?,
    };
    dropout_out.forward(&linear2.forward(&dropout.forward(&hidden)?)?)
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
        Ok(TransformerEncoderLayer {
            self_attn: o.attention(d_model, nhead)?,
            linear1: Linear::new(d_model, o.dim_feedforward, o.bias)?,
            dropout: Dropout::new(o.dropout)?,
            linear2: Linear::new(o.dim_feedforward, d_model, o.bias)?,
            norm1: o.norm(d_model)?,
            norm2: o.norm(d_model)?,
            dropout1: Dropout::new(o.dropout)?,
            dropout2: Dropout::new(o.dropout)?,
            options,
        })
    }

    /// The layer on `src` with the masks of its self-attention.
    pub fn encode(&self, src: &Variable, masks: &Masks<'_>) -> Result<Variable> {
        let attention = |x: &Variable| {
            let out = self.self_attn.attend(x, x, x, &masks.args())?.0;
            self.dropout1.forward(&out)
        };
        let ff = |x: &Variable| {
            let (l1, l2) = (&self.linear1, &self.linear2);
            feed_forward(
                x,
                l1,
                &self.dropout,
                l2,
                &self.dropout2,
                self.options.activation,
            )
        };
        if self.options.norm_first {
            let x = src.add(&attention(&self.norm1.forward(src)?)?)?;
            x.add(&ff(&self.norm2.forward(&x)?)?)
        } else {
            let x = self.norm1.forward(&src.add(&attention(src)?)?)?;
            self.norm2.forward(&x.add(&ff(&x)?)?)
        }
    }
}

impl Module for TransformerEncoderLayer {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.encode(input, &Masks::default())
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
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        children(&[
            ("self_attn", &self.self_attn),
            ("linear1", &self.linear1),
            ("dropout", &self.dropout),
            ("linear2", &self.linear2),
            ("norm1", &self.norm1),
            ("norm2", &self.norm2),
            ("dropout1", &self.dropout1),
            ("dropout2", &self.dropout2),
        ])
    }
}

/// `(name, module)` pairs as `named_children` returns them.
fn children<'a>(pairs: &[(&str, &'a dyn Module)]) -> Vec<(String, &'a dyn Module)> {
    pairs.iter().map(|&(n, m)| (n.to_string(), m)).collect()
}

/// A stack's repr: its layers as a `ModuleList` (PyTorch's `layers`), then
/// its norm.
fn stack_repr<L: Module>(name: &str, layers: &[L], norm: Option<&LayerNorm>) -> String {
    let reprs: Vec<String> = layers.iter().map(|l| l.repr()).collect();
    let mut lines = vec![format!("(layers): {}", indent(&list_repr(&reprs)))];
    if let Some(norm) = norm {
        lines.push(format!("(norm): {}", norm.repr()));
    }
    nested_repr(name, "", lines)
}

/// Self-attention, attention over the encoder's output (`memory`) and a
/// feed-forward block, each with a residual connection and a layer norm, as
/// `torch.nn.TransformerDecoderLayer`.
#[derive(Debug)]
pub struct TransformerDecoderLayer {
    pub self_attn: MultiheadAttention,
    pub multihead_attn: MultiheadAttention,
    pub linear1: Linear,
    pub dropout: Dropout,
    pub linear2: Linear,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub norm3: LayerNorm,
    pub dropout1: Dropout,
    pub dropout2: Dropout,
    pub dropout3: Dropout,
    pub options: TransformerOptions,
}

impl TransformerDecoderLayer {
    /// Built in PyTorch's order, so that the same seed gives the same
    /// parameters.
    pub fn new(d_model: i64, nhead: i64, options: TransformerOptions) -> Result<Self> {
        let o = options;
        Ok(TransformerDecoderLayer {
            self_attn: o.attention(d_model, nhead)?,
            multihead_attn: o.attention(d_model, nhead)?,
            linear1: Linear::new(d_model, o.dim_feedforward, o.bias)?,
            dropout: Dropout::new(o.dropout)?,
            linear2: Linear::new(o.dim_feedforward, d_model, o.bias)?,
            norm1: o.norm(d_model)?,
            norm2: o.norm(d_model)?,
            norm3: o.norm(d_model)?,
            dropout1: Dropout::new(o.dropout)?,
            dropout2: Dropout::new(o.dropout)?,
            dropout3: Dropout::new(o.dropout)?,
            options,
        })
    }

    /// The layer on `tgt` attending to `memory`, with the masks of its
    /// self-attention (`tgt_masks`) and of its attention over the memory.
    pub fn decode(
        &self,
        tgt: &Variable,
        memory: &Variable,
        tgt_masks: &Masks<'_>,
        memory_masks: &Masks<'_>,
    ) -> Result<Variable> {
        let self_block = |x: &Variable| {
            let out = self.self_attn.attend(x, x, x, &tgt_masks.args())?.0;
            self.dropout1.forward(&out)
        };
        let memory_block = |x: &Variable| {
            let args = memory_masks.args();
            let out = self.multihead_attn.attend(x, memory, memory, &args)?.0;
            self.dropout2.forward(&out)
        };
        let ff = |x: &Variable| {
            let (l1, l2) = (&self.linear1, &self.linear2);
            feed_forward(
                x,
                l1,
                &self.dropout,
                l2,
                &self.dropout3,
                self.options.activation,
            )
        };
        if self.options.norm_first {
            let x = tgt.add(&self_block(&self.norm1.forward(tgt)?)?)?;
            let x = x.add(&memory_block(&self.norm2.forward(&x)?)?)?;
            x.add(&ff(&self.norm3.forward(&x)?)?)
        } else {
            let x = self.norm1.forward(&tgt.add(&self_block(tgt)?)?)?;
            let x = self.norm2.forward(&x.add(&memory_block(&x)?)?)?;
            self.norm3.forward(&x.add(&ff(&x)?)?)
        }
    }
}

impl Module for TransformerDecoderLayer {
    /// The layer on `input` attending to itself as the memory.
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.decode(input, input, &Masks::default(), &Masks::default())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let mut named = with_prefix("self_attn", self.self_attn.named_parameters());
        named.extend(with_prefix(
            "multihead_attn",
            self.multihead_attn.named_parameters(),
        ));
        named.extend(with_prefix("linear1", self.linear1.named_parameters()));
        named.extend(with_prefix("linear2", self.linear2.named_parameters()));
        named.extend(with_prefix("norm1", self.norm1.named_parameters()));
        named.extend(with_prefix("norm2", self.norm2.named_parameters()));
        named.extend(with_prefix("norm3", self.norm3.named_parameters()));
        named
    }
    fn set_training(&self, training: bool) {
        self.self_attn.set_training(training);
        self.multihead_attn.set_training(training);
        for dropout in [
            &self.dropout,
            &self.dropout1,
            &self.dropout2,
            &self.dropout3,
        ] {
            dropout.set_training(training);
        }
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        children(&[
            ("self_attn", &self.self_attn),
            ("multihead_attn", &self.multihead_attn),
            ("linear1", &self.linear1),
            ("dropout", &self.dropout),
            ("linear2", &self.linear2),
            ("norm1", &self.norm1),
            ("norm2", &self.norm2),
            ("norm3", &self.norm3),
            ("dropout1", &self.dropout1),
            ("dropout2", &self.dropout2),
            ("dropout3", &self.dropout3),
        ])
    }
}

/// `num_layers` copies of `prototype`, as PyTorch's stacks deep-copy their
/// layer: the copies are built with the random generator put back after,
/// so that they draw nothing, then given the prototype's values.
fn copies<M: Module>(
    prototype: M,
    num_layers: i64,
    build: impl Fn() -> Result<M>,
) -> Result<Vec<M>> {
    ensure!(
        num_layers >= 1,
        Argument,
        "{}: num_layers must be positive, got {num_layers}",
        prototype.name()
    );
    let state = crate::get_rng_state(Device::CPU)?;
    let built: Result<Vec<M>> = (1..num_layers).map(|_| build()).collect();
    crate::set_rng_state(&state, Device::CPU)?;
    let values = prototype.state_dict();
    let mut layers = vec![prototype];
    for layer in built? {
        layer.load_state_dict(&values, true)?;
        layers.push(layer);
    }
    Ok(layers)
}

/// Parameters of a stack: each layer's under `layers.i`, then the norm's.
fn stack_parameters<M: Module>(layers: &[M], norm: Option<&LayerNorm>) -> Vec<(String, Parameter)> {
    let mut named = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        named.extend(with_prefix(
            &format!("layers.{i}"),
            layer.named_parameters(),
        ));
    }
    if let Some(norm) = norm {
        named.extend(with_prefix("norm", norm.named_parameters()));
    }
    named
}

/// The positions PyTorch's encoder leaves out when it evaluates a padded
/// batch on nested tensors (and then pads its output with zeros there):
/// `key_padding_mask` (`[N, S]`, boolean true or float nonzero at padding)
/// as a boolean mask. None when `mask_check` finds a row whose padding
/// comes before a token: PyTorch's dense path runs then.
pub fn nested_padding(key_padding_mask: &Tensor, mask_check: bool) -> Result<Option<Tensor>> {
    let padded = match key_padding_mask.dtype() {
        crate::DType::Bool => key_padding_mask.clone(),
        _ => key_padding_mask.ne_scalar(0.0)?,
    };
    if mask_check && padded.ndim() == 2 {
        // Left-aligned: along each row, no token after a padded position.
        let seq = padded.shape()[1];
        let keep = padded.logical_not()?;
        let later = keep.narrow(1, 1, seq - 1)?;
        let earlier = keep.narrow(1, 0, seq - 1)?;
        if seq > 1 && later.gt(&earlier)?.any()?.item()? != 0.0 {
            return Ok(None);
        }
    }
    Ok(Some(padded))
}

/// What PyTorch's encoder checks of its layer before it runs on nested
/// tensors: [`NestedTensorConditions::obstacle`] says why it would not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NestedTensorConditions {
    /// The layer is a `TransformerEncoderLayer` (always, in Rust).
    pub encoder_layer: bool,
    pub norm_first: bool,
    pub batch_first: bool,
    pub qkv_same_embed_dim: bool,
    /// The attention's input projection has a bias.
    pub bias: bool,
    pub activation_relu_or_gelu: bool,
    pub norm_eps: (f64, f64),
    pub num_heads: i64,
}

impl NestedTensorConditions {
    /// Why an encoder over copies of this layer would not use nested
    /// tensors, in PyTorch's words; None when it would.
    pub fn obstacle(&self) -> Option<String> {
        let name = "encoder_layer";
        let why = if !self.encoder_layer {
            format!("{name} was not TransformerEncoderLayer")
        } else if self.norm_first {
            format!("{name}.norm_first was True")
        } else if !self.batch_first {
            format!(
                "{name}.self_attn.batch_first was not True\
                 (use batch_first for better inference performance)"
            )
        } else if !self.qkv_same_embed_dim {
            format!("{name}.self_attn._qkv_same_embed_dim was not True")
        } else if !self.bias {
            format!("{name}.self_attn was passed bias=False")
        } else if !self.activation_relu_or_gelu {
            format!("{name}.activation_relu_or_gelu was not True")
        } else if self.norm_eps.0 != self.norm_eps.1 {
            format!("{name}.norm1.eps was not equal to {name}.norm2.eps")
        } else if self.num_heads % 2 == 1 {
            format!("{name}.self_attn.num_heads is odd")
        } else {
            return None;
        };
        Some(why)
    }
}

impl TransformerEncoderLayer {
    /// The layer as PyTorch's encoder checks it for nested tensors.
    pub fn nested_tensor_conditions(&self) -> NestedTensorConditions {
        let o = &self.options;
        NestedTensorConditions {
            encoder_layer: true,
            norm_first: o.norm_first,
            batch_first: o.batch_first,
            qkv_same_embed_dim: true,
            bias: o.bias,
            // Both of this crate's activations are.
            activation_relu_or_gelu: true,
            norm_eps: (self.norm1.eps, self.norm2.eps),
            num_heads: self.self_attn.num_heads,
        }
    }

    /// Whether any of the layer's parameters records gradients.
    fn any_parameter_requires_grad(&self) -> bool {
        self.named_parameters()
            .iter()
            .any(|(_, p)| p.requires_grad())
    }
}

/// A stack of encoder layers, then an optional layer norm, as
/// `torch.nn.TransformerEncoder`.
///
/// Like PyTorch's, in evaluation with nothing to record (no gradient
/// mode, or no tensor that requires one), no autocast, no `attn_mask`, and
/// a `key_padding_mask` whose padding ends each row, it returns zeros at
/// the padded positions (PyTorch runs that case on nested tensors, which
/// hold only the tokens); the tokens' values are the same either way.
#[derive(Debug)]
pub struct TransformerEncoder {
    pub layers: Vec<TransformerEncoderLayer>,
    pub norm: Option<LayerNorm>,
    /// PyTorch's `use_nested_tensor`: `enable_nested_tensor`, unless the
    /// layer rules it out.
    pub use_nested_tensor: bool,
    /// Checks that each row's padding comes after its tokens before taking
    /// the nested-tensor path.
    pub mask_check: bool,
}

impl TransformerEncoder {
    /// `num_layers` copies of `layer` (the same starting values, as
    /// PyTorch's deep copies), with PyTorch's defaults
    /// `enable_nested_tensor=true`, `mask_check=true`.
    pub fn new(
        layer: TransformerEncoderLayer,
        num_layers: i64,
        norm: Option<LayerNorm>,
    ) -> Result<Self> {
        Self::with_options(layer, num_layers, norm, true, true)
    }

    /// As [`TransformerEncoder::new`], with PyTorch's
    /// `enable_nested_tensor` and `mask_check`; warns, as PyTorch does,
    /// when nested tensors are enabled but the layer rules them out.
    pub fn with_options(
        layer: TransformerEncoderLayer,
        num_layers: i64,
        norm: Option<LayerNorm>,
        enable_nested_tensor: bool,
        mask_check: bool,
    ) -> Result<Self> {
        let (d_model, nhead, o) = (
            layer.self_attn.embed_dim,
            layer.self_attn.num_heads,
            layer.options,
        );
        let obstacle = layer.nested_tensor_conditions().obstacle();
        let layers = copies(layer, num_layers, || {
            TransformerEncoderLayer::new(d_model, nhead, o)
        })?;
        if let (true, Some(why)) = (enable_nested_tensor, &obstacle) {
            crate::warnings::warn(&nested_tensor_warning(why));
        }
        Ok(TransformerEncoder {
            layers,
            norm,
            use_nested_tensor: enable_nested_tensor && obstacle.is_none(),
            mask_check,
        })
    }

    /// Every layer on `src` in turn, with the same masks.
    pub fn encode(&self, src: &Variable, masks: &Masks<'_>) -> Result<Variable> {
        let padded = self.nested_padding(src, masks)?;
        let mut x = src.clone();
        for layer in &self.layers {
            x = layer.encode(&x, masks)?;
        }
        if let Some(padded) = padded {
            x = x.masked_fill(&padded.unsqueeze(-1)?, 0.0)?;
        }
        match &self.norm {
            Some(norm) => norm.forward(&x),
            None => Ok(x),
        }
    }

    /// The padded positions where PyTorch's encoder would take its
    /// nested-tensor path on `src` (see the type's documentation).
    fn nested_padding(&self, src: &Variable, masks: &Masks<'_>) -> Result<Option<Tensor>> {
        let (Some(padding), Some(first)) = (masks.key_padding_mask, self.layers.first()) else {
            return Ok(None);
        };
        let records = crate::autograd::is_grad_enabled()
            && (src.requires_grad() || first.any_parameter_requires_grad());
        if !self.use_nested_tensor
            || first.dropout.is_training()
            || src.ndim() != 3
            || masks.attn_mask.is_some()
            || crate::amp::is_autocast_enabled(src.device())
            || records
        {
            return Ok(None);
        }
        nested_padding(padding, self.mask_check)
    }
}

/// PyTorch's warning when an encoder's nested tensors are enabled but its
/// layer rules them out (`why`: [`NestedTensorConditions::obstacle`]).
pub fn nested_tensor_warning(why: &str) -> String {
    format!("enable_nested_tensor is True, but self.use_nested_tensor is False because {why}")
}

impl Module for TransformerEncoder {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.encode(input, &Masks::default())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        stack_parameters(&self.layers, self.norm.as_ref())
    }
    fn set_training(&self, training: bool) {
        self.layers.iter().for_each(|l| l.set_training(training));
    }
    fn repr(&self) -> String {
        stack_repr("TransformerEncoder", &self.layers, self.norm.as_ref())
    }
}

/// A stack of decoder layers, then an optional layer norm, as
/// `torch.nn.TransformerDecoder`.
#[derive(Debug)]
pub struct TransformerDecoder {
    pub layers: Vec<TransformerDecoderLayer>,
    pub norm: Option<LayerNorm>,
}

impl TransformerDecoder {
    /// `num_layers` copies of `layer`, as [`TransformerEncoder::new`].
    pub fn new(
        layer: TransformerDecoderLayer,
        num_layers: i64,
        norm: Option<LayerNorm>,
    ) -> Result<Self> {
        let (d_model, nhead, o) = (
            layer.self_attn.embed_dim,
            layer.self_attn.num_heads,
            layer.options,
        );
        let layers = copies(layer, num_layers, || {
            TransformerDecoderLayer::new(d_model, nhead, o)
        })?;
        Ok(TransformerDecoder { layers, norm })
    }

    /// Every layer on `tgt` in turn, each attending to `memory`.
    pub fn decode(
        &self,
        tgt: &Variable,
        memory: &Variable,
        tgt_masks: &Masks<'_>,
        memory_masks: &Masks<'_>,
    ) -> Result<Variable> {
        let mut x = tgt.clone();
        for layer in &self.layers {
            x = layer.decode(&x, memory, tgt_masks, memory_masks)?;
        }
        match &self.norm {
            Some(norm) => norm.forward(&x),
            None => Ok(x),
        }
    }
}

impl Module for TransformerDecoder {
    /// The stack on `input` attending to itself as the memory.
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.decode(input, input, &Masks::default(), &Masks::default())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        stack_parameters(&self.layers, self.norm.as_ref())
    }
    fn set_training(&self, training: bool) {
        self.layers.iter().for_each(|l| l.set_training(training));
    }
    fn repr(&self) -> String {
        stack_repr("TransformerDecoder", &self.layers, self.norm.as_ref())
    }
}

/// An encoder and a decoder stack, as `torch.nn.Transformer`: the same
/// layers, then every matrix re-drawn Xavier-uniform, as PyTorch does.
#[derive(Debug)]
pub struct Transformer {
    pub encoder: TransformerEncoder,
    pub decoder: TransformerDecoder,
    pub d_model: i64,
    pub nhead: i64,
    pub batch_first: bool,
}

impl Transformer {
    /// `num_encoder_layers` and `num_decoder_layers` layers of `d_model`
    /// features over `nhead` heads, each stack ending with a layer norm.
    pub fn new(
        d_model: i64,
        nhead: i64,
        num_encoder_layers: i64,
        num_decoder_layers: i64,
        options: TransformerOptions,
    ) -> Result<Self> {
        let encoder_layer = TransformerEncoderLayer::new(d_model, nhead, options)?;
        let encoder_norm = options.norm(d_model)?;
        let encoder =
            TransformerEncoder::new(encoder_layer, num_encoder_layers, Some(encoder_norm))?;
        let decoder_layer = TransformerDecoderLayer::new(d_model, nhead, options)?;
        let decoder_norm = options.norm(d_model)?;
        let decoder =
            TransformerDecoder::new(decoder_layer, num_decoder_layers, Some(decoder_norm))?;
        let transformer = Transformer {
            encoder,
            decoder,
            d_model,
            nhead,
            batch_first: options.batch_first,
        };
        let parameters = transformer.parameters();
        init::xavier_matrices_(&parameters.iter().collect::<Vec<_>>())?;
        Ok(transformer)
    }

    /// The decoder on `tgt` attending to the encoder's output on `src`.
    pub fn transform(
        &self,
        src: &Variable,
        tgt: &Variable,
        src_masks: &Masks<'_>,
        tgt_masks: &Masks<'_>,
        memory_masks: &Masks<'_>,
    ) -> Result<Variable> {
        let (s, t) = (src.shape(), tgt.shape());
        let batch_dim = usize::from(!self.batch_first);
        ensure!(
            s.len() == t.len() && (s.len() == 2 || s.get(batch_dim) == t.get(batch_dim)),
            Shape,
            "Transformer: the batch number of src and tgt must be equal, got src {s:?} and tgt {t:?}"
        );
        ensure!(
            s.last() == Some(&self.d_model) && t.last() == Some(&self.d_model),
            Shape,
            "Transformer: the feature number of src and tgt must be equal to d_model {}, got src {s:?} and tgt {t:?}",
            self.d_model
        );
        let memory = self.encoder.encode(src, src_masks)?;
        self.decoder.decode(tgt, &memory, tgt_masks, memory_masks)
    }
}

impl Module for Transformer {
    /// The transformer with `input` as both source and target.
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let none = Masks::default();
        self.transform(input, input, &none, &none, &none)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let mut named = with_prefix("encoder", self.encoder.named_parameters());
        named.extend(with_prefix("decoder", self.decoder.named_parameters()));
        named
    }
    fn set_training(&self, training: bool) {
        self.encoder.set_training(training);
        self.decoder.set_training(training);
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        children(&[("encoder", &self.encoder), ("decoder", &self.decoder)])
    }
}

/// A `[size, size]` float mask with `-inf` above the diagonal and zeros
/// elsewhere, as `Transformer.generate_square_subsequent_mask`.
pub fn square_subsequent_mask(size: i64, options: crate::TensorOptions) -> Result<Tensor> {
    let index = crate::TensorOptions {
        dtype: crate::DType::Int64,
        device: options.device,
    };
    let steps = Tensor::arange(0.0, size as f64, 1.0, index)?;
    let future = steps.unsqueeze(0)?.gt(&steps.unsqueeze(1)?)?;
    Tensor::zeros(&[size, size], options)?.masked_fill(&future, f64::NEG_INFINITY)
}
