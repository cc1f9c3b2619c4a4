//! Multi-head attention, as `torch.nn.MultiheadAttention` and
//! `F.multi_head_attention_forward`: the layer's forward is
//! [`multi_head_attention_forward`] on its parameters, the one function
//! Rust's layer and Python's class both call.

use std::cell::Cell;

use super::{init, with_prefix, Linear, Module, Parameter};
use crate::error::{bail, ensure, Result};
use crate::{Tensor, TensorOptions, Variable};

/// The parameters attention runs on, as `F.multi_head_attention_forward`
/// takes them: the input projections packed (`in_proj_weight`, `[3E, E]`)
/// or separate (`separate_proj`, for keys and values of other widths).
#[derive(Debug, Clone, Copy)]
pub struct AttentionParams<'a> {
    pub embed_dim: i64,
    pub num_heads: i64,
    pub in_proj_weight: Option<&'a Variable>,
    pub in_proj_bias: Option<&'a Variable>,
    /// `q_proj_weight`, `k_proj_weight`, `v_proj_weight`.
    pub separate_proj: Option<[&'a Variable; 3]>,
    /// Learnt key and value rows appended to every sequence (`[1, 1, E]`).
    pub bias_k: Option<&'a Variable>,
    pub bias_v: Option<&'a Variable>,
    /// A row of zeros appended to the keys and values.
    pub add_zero_attn: bool,
    pub dropout_p: f64,
    pub out_proj_weight: &'a Variable,
    pub out_proj_bias: Option<&'a Variable>,
    pub training: bool,
}

/// What one attention call takes besides the inputs, with PyTorch's
/// defaults (`need_weights` and `average_attn_weights` true). Boolean masks
/// are true where attention is not allowed; float masks are added to the
/// scores.
#[derive(Debug, Clone, Copy)]
pub struct AttentionArgs<'a> {
    /// `[N, S]` (`[S]` unbatched): keys to ignore.
    pub key_padding_mask: Option<&'a Tensor>,
    /// Return the attention weights too.
    pub need_weights: bool,
    /// `[L, S]` or `[N * num_heads, L, S]`.
    pub attn_mask: Option<&'a Tensor>,
    /// The weights averaged over heads (else per head).
    pub average_attn_weights: bool,
    /// A hint that `attn_mask` is the causal mask.
    pub is_causal: bool,
    /// Keys and values already projected and split into heads
    /// (`[N * num_heads, S, head_dim]`).
    pub static_k: Option<&'a Variable>,
    pub static_v: Option<&'a Variable>,
}

impl Default for AttentionArgs<'_> {
    fn default() -> Self {
        AttentionArgs {
            key_padding_mask: None,
            need_weights: true,
            attn_mask: None,
            average_attn_weights: true,
            is_causal: false,
            static_k: None,
            static_v: None,
        }
    }
}

const OP: &str = "multi_head_attention_forward";

/// A boolean mask as an additive one (`-inf` where true) in `dtype`; a
/// float mask as it is (in `dtype`, else a DType error).
fn additive_mask(mask: &Tensor, name: &str, dtype: crate::DType) -> Result<Tensor> {
    if mask.dtype() == crate::DType::Bool {
        let opts = TensorOptions {
            dtype,
            device: mask.device(),
        };
        return Tensor::zeros(&mask.shape(), opts)?.masked_fill(mask, f64::NEG_INFINITY);
    }
    ensure!(
        mask.dtype() == dtype,
        DType,
        "{OP}: {name} must be bool or {dtype:?} like the query, got {:?}",
        mask.dtype()
    );
    Ok(mask.clone())
}

fn same(a: &Variable, b: &Variable) -> bool {
    crate::ffi::impl_id(crate::ops::Operand::raw(a))
        == crate::ffi::impl_id(crate::ops::Operand::raw(b))
}

/// Rows `[start, start + len)` of a packed projection (weight or bias).
fn rows(packed: &Variable, start: i64, len: i64) -> Result<Variable> {
    packed.narrow(0, start, len)
}

/// Queries, keys and values projected by the packed or separate weights,
/// each `[len, N, E]`.
fn project(
    p: &AttentionParams<'_>,
    query: &Variable,
    key: &Variable,
    value: &Variable,
) -> Result<(Variable, Variable, Variable)> {
    let e = p.embed_dim;
    let bias = |i: i64| p.in_proj_bias.map(|b| rows(b, i * e, e)).transpose();
    if let Some([wq, wk, wv]) = p.separate_proj {
        let q = crate::linear(query, wq, bias(0)?.as_ref())?;
        let k = crate::linear(key, wk, bias(1)?.as_ref())?;
        let v = crate::linear(value, wv, bias(2)?.as_ref())?;
        return Ok((q, k, v));
    }
    let Some(w) = p.in_proj_weight else {
        bail!(
            Argument,
            "{OP}: needs in_proj_weight, or q_proj_weight, k_proj_weight and v_proj_weight"
        );
    };
    ensure!(
        w.shape() == [3 * e, e],
        Shape,
        "{OP}: in_proj_weight must be [{}, {e}], got {:?}",
        3 * e,
        w.shape()
    );
    // One matmul for what is the same input, as PyTorch packs it.
    if same(key, value) {
        if same(query, key) {
            let qkv = crate::linear(query, w, p.in_proj_bias)?.chunk(3, -1)?;
            return Ok((qkv[0].clone(), qkv[1].clone(), qkv[2].clone()));
        }
        let q = crate::linear(query, &rows(w, 0, e)?, bias(0)?.as_ref())?;
        let kv_bias = p.in_proj_bias.map(|b| rows(b, e, 2 * e)).transpose()?;
        let kv = crate::linear(key, &rows(w, e, 2 * e)?, kv_bias.as_ref())?.chunk(2, -1)?;
        return Ok((q, kv[0].clone(), kv[1].clone()));
    }
    let q = crate::linear(query, &rows(w, 0, e)?, bias(0)?.as_ref())?;
    let k = crate::linear(key, &rows(w, e, e)?, bias(1)?.as_ref())?;
    let v = crate::linear(value, &rows(w, 2 * e, e)?, bias(2)?.as_ref())?;
    Ok((q, k, v))
}

/// `[len, N, E]` as `[N, H, len, head_dim]`: a view of the projection
/// (splitting E never copies), the layout the fused kernel takes; or the
/// already split `fixed` (`[N * H, S, head_dim]`, checked).
fn heads(x: &Variable, fixed: Option<&Variable>, n: i64, h: i64, name: &str) -> Result<Variable> {
    let head_dim = x.shape()[2] / h;
    match fixed {
        Some(f) => {
            let shape = f.shape();
            ensure!(
                shape.len() == 3 && shape[0] == n * h && shape[2] == head_dim,
                Shape,
                "{OP}: expected {name} [{}, S, {head_dim}], got {shape:?}",
                n * h
            );
            f.reshape(&[n, h, shape[1], head_dim])
        }
        None => x
            .reshape(&[x.shape()[0], n, h, head_dim])?
            .permute(&[1, 2, 0, 3]),
    }
}

/// Multi-head attention of `query` (`[L, N, E]`, or unbatched `[L, E]`)
/// over `key` and `value` (`[S, N, kdim]` and `[S, N, vdim]`), as PyTorch's
/// `F.multi_head_attention_forward`: the output `[L, N, E]` and, with
/// `need_weights`, the attention weights (`[N, L, S]` averaged over heads,
/// else `[N, H, L, S]`).
pub fn multi_head_attention_forward(
    query: &Variable,
    key: &Variable,
    value: &Variable,
    p: &AttentionParams<'_>,
    args: &AttentionArgs<'_>,
) -> Result<(Variable, Option<Variable>)> {
    let (e, h) = (p.embed_dim, p.num_heads);
    ensure!(
        e > 0 && h > 0 && e % h == 0,
        Argument,
        "{OP}: embed_dim {e} must be positive and divisible by num_heads {h}"
    );
    let batched = check_ranks(query, key, value, args, h)?;
    let unbatch = |x: &Variable| {
        if batched {
            Ok(x.clone())
        } else {
            x.unsqueeze(1)
        }
    };
    let (q_in, k_in, v_in) = (unbatch(query)?, unbatch(key)?, unbatch(value)?);
    // Unbatching keeps identity for the packed projection's test.
    let (k_in, v_in) = match (same(query, key), same(key, value)) {
        (true, true) => (q_in.clone(), q_in.clone()),
        (false, true) => (k_in.clone(), k_in),
        _ => (k_in, v_in),
    };
    let (tgt_len, n) = (q_in.shape()[0], q_in.shape()[1]);
    ensure!(
        q_in.shape()[2] == e,
        Shape,
        "{OP}: expected query [L, N, {e}] or [L, {e}], got {:?}",
        query.shape()
    );
    let kv_ok = if p.separate_proj.is_some() {
        k_in.shape()[..2] == v_in.shape()[..2]
    } else {
        k_in.shape() == v_in.shape()
    };
    ensure!(
        kv_ok && k_in.shape()[1] == n,
        Shape,
        "{OP}: key {:?} and value {:?} must have the same length and the batch of query {:?}",
        key.shape(),
        value.shape(),
        query.shape()
    );
    let dtype = q_in.dtype();
    let mut key_padding_mask = match args.key_padding_mask {
        Some(m) => Some(if batched { m.clone() } else { m.unsqueeze(0)? }),
        None => None,
    }
    .map(|m| additive_mask(&m, "key_padding_mask", dtype))
    .transpose()?;
    ensure!(
        !args.is_causal || args.attn_mask.is_some(),
        Argument,
        "{OP}: is_causal is a hint and needs attn_mask (the causal mask)"
    );
    // With nothing else to merge, the fused kernel applies the causal mask.
    let causal_only = args.is_causal && key_padding_mask.is_none() && !args.need_weights;
    let mut attn_mask = match args.attn_mask {
        Some(m) if !causal_only => Some(additive_mask(m, "attn_mask", dtype)?),
        _ => None,
    };
    let is_causal = causal_only;
    let (q, mut k, mut v) = project(p, &q_in, &k_in, &v_in)?;
    let src_len = k.shape()[0];
    if let Some(mask) = attn_mask.take() {
        attn_mask = Some(match mask.shape().len() {
            2 => {
                ensure!(
                    mask.shape() == [tgt_len, src_len],
                    Shape,
                    "{OP}: expected attn_mask [{tgt_len}, {src_len}], got {:?}",
                    mask.shape()
                );
                mask.unsqueeze(0)?
            }
            _ => {
                ensure!(
                    mask.shape() == [n * h, tgt_len, src_len],
                    Shape,
                    "{OP}: expected attn_mask [{tgt_len}, {src_len}] or [{}, {tgt_len}, {src_len}], got {:?}",
                    n * h,
                    mask.shape()
                );
                mask
            }
        });
    }
    // One more key (and value) per sequence: a learnt one, then zeros.
    let widen_masks = |attn: &mut Option<Tensor>, pad: &mut Option<Tensor>| -> Result<()> {
        if let Some(m) = attn.take() {
            *attn = Some(m.pad(&[0, 1], crate::PadMode::Constant, None)?);
        }
        if let Some(m) = pad.take() {
            *pad = Some(m.pad(&[0, 1], crate::PadMode::Constant, None)?);
        }
        Ok(())
    };
    match (p.bias_k, p.bias_v) {
        (Some(bk), Some(bv)) => {
            ensure!(
                args.static_k.is_none() && args.static_v.is_none(),
                Argument,
                "{OP}: bias_k and bias_v cannot be added to static_k and static_v"
            );
            k = k.cat(&bk.repeat(&[1, n, 1])?, 0)?;
            v = v.cat(&bv.repeat(&[1, n, 1])?, 0)?;
            widen_masks(&mut attn_mask, &mut key_padding_mask)?;
        }
        (None, None) => {}
        _ => bail!(Argument, "{OP}: bias_k and bias_v go together"),
    }
    let head_dim = e / h;
    let q = heads(&q, None, n, h, "query")?;
    let mut k = heads(&k, args.static_k, n, h, "static_k")?;
    let mut v = heads(&v, args.static_v, n, h, "static_v")?;
    if p.add_zero_attn {
        let opts = TensorOptions {
            dtype,
            device: k.device(),
        };
        let zeros = Variable::new(Tensor::zeros(&[n, h, 1, head_dim], opts)?, false)?;
        k = k.cat(&zeros, 2)?;
        v = v.cat(&zeros, 2)?;
        widen_masks(&mut attn_mask, &mut key_padding_mask)?;
    }
    let src_len = k.shape()[2];
    if let Some(pad) = key_padding_mask {
        ensure!(
            pad.shape() == [n, src_len],
            Shape,
            "{OP}: expected key_padding_mask [{n}, {src_len}], got {:?}",
            pad.shape()
        );
        let pad = pad
            .reshape(&[n, 1, 1, src_len])?
            .expand(&[n, h, 1, src_len])?
            .reshape(&[n * h, 1, src_len])?;
        attn_mask = Some(match attn_mask {
            Some(m) => m.add(&pad)?,
            None => pad,
        });
    }
    let dropout_p = if p.training { p.dropout_p } else { 0.0 };
    let out_proj = |attended: Variable| -> Result<Variable> {
        let out = crate::linear(&attended, p.out_proj_weight, p.out_proj_bias)?;
        let out = out.reshape(&[tgt_len, n, e])?;
        if batched {
            Ok(out)
        } else {
            out.squeeze(1)
        }
    };
    // [1 or N * H, L or 1, S] as [1 or N, 1 or H, L or 1, S], to broadcast
    // over the [N, H, L, S] scores.
    let mask = match attn_mask {
        Some(m) if m.shape()[0] == 1 => Some(m.unsqueeze(0)?),
        Some(m) => Some(m.reshape(&[n, h, -1, src_len])?),
        None => None,
    };
    // [N, H, L, hd] back to [L * N, E], heads side by side.
    let merged = |x: Variable| x.permute(&[2, 0, 1, 3])?.reshape(&[tgt_len * n, e]);
    if args.need_weights {
        let scaled = q.mul_scalar((1.0 / head_dim as f64).sqrt())?;
        let mut scores = scaled.matmul(&k.transpose(-2, -1)?)?;
        if let Some(mask) = &mask {
            scores = Variable::new(mask.clone(), false)?.add(&scores)?;
        }
        let weights = scores.softmax(-1)?;
        let weights = if dropout_p > 0.0 {
            crate::dropout(&weights, dropout_p, true, false)?
        } else {
            weights
        };
        let out = out_proj(merged(weights.matmul(&v)?)?)?;
        let mut weights = weights;
        if args.average_attn_weights {
            weights = weights.mean_dim(1, false)?;
        }
        if !batched {
            weights = weights.squeeze(0)?;
        }
        return Ok((out, Some(weights)));
    }
    let attended = crate::scaled_dot_product_attention(
        &q,
        &k,
        &v,
        mask.as_ref(),
        dropout_p,
        is_causal,
        None,
        false,
    )?;
    out_proj(merged(attended)?).map(|out| (out, None))
}

/// Whether the call is batched, after checking the ranks PyTorch accepts.
fn check_ranks(
    query: &Variable,
    key: &Variable,
    value: &Variable,
    args: &AttentionArgs<'_>,
    heads: i64,
) -> Result<bool> {
    let rank = query.shape().len();
    ensure!(
        rank == 2 || rank == 3,
        Shape,
        "{OP}: query should be unbatched 2-d or batched 3-d, got shape {:?}",
        query.shape()
    );
    let kind = if rank == 3 {
        "batched 3-d"
    } else {
        "unbatched 2-d"
    };
    ensure!(
        key.shape().len() == rank && value.shape().len() == rank,
        Shape,
        "{OP}: for {kind} query, expected key and value {rank}-d, got shapes {:?} and {:?}",
        key.shape(),
        value.shape()
    );
    if let Some(m) = args.key_padding_mask {
        ensure!(
            m.shape().len() == rank - 1,
            Shape,
            "{OP}: for {kind} query, expected key_padding_mask {}-d, got shape {:?}",
            rank - 1,
            m.shape()
        );
    }
    if let Some(m) = args.attn_mask {
        let ok =
            m.shape().len() == 2 || (m.shape().len() == 3 && (rank == 3 || m.shape()[0] == heads));
        ensure!(
            ok,
            Shape,
            "{OP}: for {kind} query, expected attn_mask 2-d or 3-d, got shape {:?}",
            m.shape()
        );
    }
    Ok(rank == 3)
}

/// The options of [`MultiheadAttention`], with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultiheadAttentionOptions {
    pub dropout: f64,
    pub bias: bool,
    pub add_bias_kv: bool,
    pub add_zero_attn: bool,
    /// Key and value widths (`embed_dim` when `None`).
    pub kdim: Option<i64>,
    pub vdim: Option<i64>,
    /// `[batch, seq, feature]` inputs and outputs.
    pub batch_first: bool,
}

impl Default for MultiheadAttentionOptions {
    fn default() -> Self {
        MultiheadAttentionOptions {
            dropout: 0.0,
            bias: true,
            add_bias_kv: false,
            add_zero_attn: false,
            kdim: None,
            vdim: None,
            batch_first: false,
        }
    }
}

/// Multi-head attention, as `torch.nn.MultiheadAttention`: the same
/// parameters, names, initialisation (in the same draw order) and options.
#[derive(Debug)]
pub struct MultiheadAttention {
    pub embed_dim: i64,
    pub num_heads: i64,
    pub in_proj_weight: Option<Parameter>,
    /// `q_proj_weight`, `k_proj_weight`, `v_proj_weight`, when `kdim` or
    /// `vdim` differ from `embed_dim`.
    pub separate_proj: Option<[Parameter; 3]>,
    pub in_proj_bias: Option<Parameter>,
    pub bias_k: Option<Parameter>,
    pub bias_v: Option<Parameter>,
    pub out_proj: Linear,
    pub options: MultiheadAttentionOptions,
    training: Cell<bool>,
}

impl MultiheadAttention {
    /// `embed_dim` split over `num_heads` heads, initialised as PyTorch's.
    pub fn new(embed_dim: i64, num_heads: i64, options: MultiheadAttentionOptions) -> Result<Self> {
        let o = options;
        ensure!(
            embed_dim > 0 && num_heads > 0,
            Argument,
            "MultiheadAttention: embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and num_heads={num_heads}"
        );
        ensure!(
            embed_dim % num_heads == 0,
            Argument,
            "MultiheadAttention: embed_dim must be divisible by num_heads"
        );
        crate::ops::nn::check_probability("MultiheadAttention", o.dropout)?;
        let (kdim, vdim) = (o.kdim.unwrap_or(embed_dim), o.vdim.unwrap_or(embed_dim));
        let empty = super::empty_parameter;
        // Created in PyTorch's order, then filled in its order.
        let (in_proj_weight, separate_proj) = if kdim == embed_dim && vdim == embed_dim {
            (Some(empty(&[3 * embed_dim, embed_dim])?), None)
        } else {
            let q = empty(&[embed_dim, embed_dim])?;
            let k = empty(&[embed_dim, kdim])?;
            let v = empty(&[embed_dim, vdim])?;
            (None, Some([q, k, v]))
        };
        let in_proj_bias = o.bias.then(|| empty(&[3 * embed_dim])).transpose()?;
        let out_proj = Linear::new(embed_dim, embed_dim, o.bias)?;
        let (bias_k, bias_v) = if o.add_bias_kv {
            (
                Some(empty(&[1, 1, embed_dim])?),
                Some(empty(&[1, 1, embed_dim])?),
            )
        } else {
            (None, None)
        };
        let projections: Vec<&Parameter> = in_proj_weight
            .iter()
            .chain(separate_proj.iter().flatten())
            .collect();
        let bias_kv: Vec<&Parameter> = bias_k.iter().chain(&bias_v).collect();
        init::attention_default_(
            &projections,
            in_proj_bias.as_ref(),
            out_proj.bias.as_ref(),
            &bias_kv,
        )?;
        Ok(MultiheadAttention {
            embed_dim,
            num_heads,
            in_proj_weight,
            separate_proj,
            in_proj_bias,
            bias_k,
            bias_v,
            out_proj,
            options,
            training: Cell::new(true),
        })
    }

    /// The parameters as [`multi_head_attention_forward`] takes them.
    pub fn params(&self) -> AttentionParams<'_> {
        AttentionParams {
            embed_dim: self.embed_dim,
            num_heads: self.num_heads,
            in_proj_weight: self.in_proj_weight.as_ref(),
            in_proj_bias: self.in_proj_bias.as_ref(),
            separate_proj: self.separate_proj.as_ref().map(|[q, k, v]| [q, k, v]),
            bias_k: self.bias_k.as_ref(),
            bias_v: self.bias_v.as_ref(),
            add_zero_attn: self.options.add_zero_attn,
            dropout_p: self.options.dropout,
            out_proj_weight: &self.out_proj.weight,
            out_proj_bias: self.out_proj.bias.as_ref(),
            training: self.training.get(),
        }
    }

    /// Attention of `query` over `key` and `value` (`[L, N, E]`, `[N, L,
    /// E]` with `batch_first`, or unbatched `[L, E]`): the output and, with
    /// `args.need_weights`, the weights, as PyTorch's `forward`.
    pub fn attend(
        &self,
        query: &Variable,
        key: &Variable,
        value: &Variable,
        args: &AttentionArgs<'_>,
    ) -> Result<(Variable, Option<Variable>)> {
        // Errors name the layer, as Python's MultiheadAttention's do.
        self.attend_unnamed(query, key, value, args).map_err(|e| {
            let layer = format!(
                "MultiheadAttention(embed_dim={}, num_heads={})",
                self.embed_dim, self.num_heads
            );
            crate::Error::new(e.kind(), e.message().replacen(OP, &layer, 1))
        })
    }

    fn attend_unnamed(
        &self,
        query: &Variable,
        key: &Variable,
        value: &Variable,
        args: &AttentionArgs<'_>,
    ) -> Result<(Variable, Option<Variable>)> {
        let flip = self.options.batch_first && query.shape().len() == 3;
        if !flip {
            return multi_head_attention_forward(query, key, value, &self.params(), args);
        }
        // Transposed once per distinct input, so self-attention stays packed.
        let q = query.transpose(0, 1)?;
        let k = if same(key, query) {
            q.clone()
        } else {
            key.transpose(0, 1)?
        };
        let v = if same(value, key) {
            k.clone()
        } else {
            value.transpose(0, 1)?
        };
        let (out, weights) = multi_head_attention_forward(&q, &k, &v, &self.params(), args)?;
        Ok((out.transpose(0, 1)?, weights))
    }
}

impl Module for MultiheadAttention {
    /// Self-attention of `input`, without the weights.
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let args = AttentionArgs {
            need_weights: false,
            ..Default::default()
        };
        Ok(self.attend(input, input, input, &args)?.0)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let mut named: Vec<(String, Parameter)> = Vec::new();
        let mut push = |name: &str, p: Option<&Parameter>| {
            if let Some(p) = p {
                named.push((name.to_string(), p.clone()));
            }
        };
        push("in_proj_weight", self.in_proj_weight.as_ref());
        let separate = self.separate_proj.as_ref();
        push("q_proj_weight", separate.map(|s| &s[0]));
        push("k_proj_weight", separate.map(|s| &s[1]));
        push("v_proj_weight", separate.map(|s| &s[2]));
        push("in_proj_bias", self.in_proj_bias.as_ref());
        push("bias_k", self.bias_k.as_ref());
        push("bias_v", self.bias_v.as_ref());
        named.extend(with_prefix("out_proj", self.out_proj.named_parameters()));
        named
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        vec![("out_proj".to_string(), &self.out_proj)]
    }
    /// PyTorch's output projection is a Linear under another class name.
    fn repr(&self) -> String {
        let out_proj = self.out_proj.extra_repr();
        let line = format!("(out_proj): NonDynamicallyQuantizableLinear({out_proj})");
        super::nested_repr("MultiheadAttention", "", vec![line])
    }
}
