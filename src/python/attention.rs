//! `flodl.nn.functional.multi_head_attention_forward`, which
//! `flodl.nn.MultiheadAttention` calls: `flodl::nn`'s attention, with
//! PyTorch's signature.

use pyo3::prelude::*;

use super::args::{CoreArg as _, Float, Int, PyOperand as _, VariableArg};
use super::gil::without_gil;
use super::results::NnResult as _;
use crate::nn::{AttentionArgs, AttentionParams};
use crate::{Tensor, Variable};

/// multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True, is_causal=False)
/// --
///
/// Multi-head attention of `query` (`[L, N, E]` or unbatched `[L, E]`) over
/// `key` and `value`, as `torch.nn.functional.multi_head_attention_forward`:
/// `(output, weights)`, the weights None unless `need_weights`. Boolean
/// masks are True where attention is not allowed; float masks are added to
/// the scores.
#[pyfunction]
#[pyo3(signature = (
    query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
    bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
    training = true, key_padding_mask = None, need_weights = true, attn_mask = None,
    use_separate_proj_weight = false, q_proj_weight = None, k_proj_weight = None,
    v_proj_weight = None, static_k = None, static_v = None,
    average_attn_weights = true, is_causal = false
))]
#[allow(clippy::too_many_arguments)] // PyTorch's signature
pub(crate) fn multi_head_attention_forward<'py>(
    py: Python<'py>,
    query: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    embed_dim_to_check: Int,
    num_heads: Int,
    in_proj_weight: Option<VariableArg<'py>>,
    in_proj_bias: Option<VariableArg<'py>>,
    bias_k: Option<VariableArg<'py>>,
    bias_v: Option<VariableArg<'py>>,
    add_zero_attn: bool,
    dropout_p: Float,
    out_proj_weight: VariableArg<'py>,
    out_proj_bias: Option<VariableArg<'py>>,
    training: bool,
    key_padding_mask: Option<VariableArg<'py>>,
    need_weights: bool,
    attn_mask: Option<VariableArg<'py>>,
    use_separate_proj_weight: bool,
    q_proj_weight: Option<VariableArg<'py>>,
    k_proj_weight: Option<VariableArg<'py>>,
    v_proj_weight: Option<VariableArg<'py>>,
    static_k: Option<VariableArg<'py>>,
    static_v: Option<VariableArg<'py>>,
    average_attn_weights: bool,
    is_causal: bool,
) -> PyResult<Py<PyAny>> {
    const OP: &str = "multi_head_attention_forward";
    crate::python::guard::run(OP, move || {
        // One operand per distinct Python object, so that self-attention
        // (query is key is value) projects once, as PyTorch's does.
        let q: VariableArg<'py> = query.extract()?;
        let k: Option<VariableArg<'py>> = (!key.is(query)).then(|| key.extract()).transpose()?;
        let v: Option<VariableArg<'py>> = (!value.is(key)).then(|| value.extract()).transpose()?;
        let q_var = q.get();
        let k_var = k.as_ref().map_or(q_var, |k| k.get());
        let v_var = v.as_ref().map_or(k_var, |v| v.get());
        let separate = match (&q_proj_weight, &k_proj_weight, &v_proj_weight) {
            (Some(wq), Some(wk), Some(wv)) if use_separate_proj_weight => {
                Some([wq.get(), wk.get(), wv.get()])
            }
            _ if use_separate_proj_weight => {
                return Err(crate::Error::new(
                    crate::ErrorKind::Argument,
                    format!("{OP}: use_separate_proj_weight needs q_proj_weight, k_proj_weight and v_proj_weight"),
                )
                .into())
            }
            _ => None,
        };
        fn optional<'a>(a: &'a Option<VariableArg<'_>>) -> Option<&'a Variable> {
            a.as_ref().map(|a| a.get())
        }
        let params = AttentionParams {
            embed_dim: embed_dim_to_check.core(OP, "embed_dim_to_check")?,
            num_heads: num_heads.core(OP, "num_heads")?,
            in_proj_weight: optional(&in_proj_weight),
            in_proj_bias: optional(&in_proj_bias),
            separate_proj: separate,
            bias_k: optional(&bias_k),
            bias_v: optional(&bias_v),
            add_zero_attn,
            dropout_p: dropout_p.core(OP, "dropout_p")?,
            out_proj_weight: out_proj_weight.get(),
            out_proj_bias: optional(&out_proj_bias),
            training,
        };
        // Masks are data, not trained: their values only.
        let data = |a: &Option<VariableArg<'py>>| a.as_ref().map(|a| a.get().data());
        let (padding, mask): (Option<Tensor>, Option<Tensor>) =
            (data(&key_padding_mask), data(&attn_mask));
        let args = AttentionArgs {
            key_padding_mask: padding.as_ref(),
            need_weights,
            attn_mask: mask.as_ref(),
            average_attn_weights,
            is_causal,
            static_k: optional(&static_k),
            static_v: optional(&static_v),
        };
        let operands = [
            Some(&q),
            k.as_ref(),
            v.as_ref(),
            in_proj_weight.as_ref(),
            in_proj_bias.as_ref(),
            bias_k.as_ref(),
            bias_v.as_ref(),
            Some(&out_proj_weight),
            out_proj_bias.as_ref(),
            q_proj_weight.as_ref(),
            k_proj_weight.as_ref(),
            v_proj_weight.as_ref(),
            static_k.as_ref(),
            static_v.as_ref(),
        ];
        let tracked = operands.iter().flatten().any(|a| a.tracked());
        let (out, weights): (Variable, Option<Variable>) = without_gil(py, || {
            crate::nn::multi_head_attention_forward(q_var, k_var, v_var, &params, &args)
        })?;
        let weights = match weights {
            Some(w) => w.into_python(py, tracked)?,
            None => py.None(),
        };
        let pair = (out.into_python(py, tracked)?, weights);
        Ok(pair.into_pyobject(py)?.into_any().unbind())
    })
}

/// The padded positions of `key_padding_mask` where PyTorch's encoder
/// takes its nested-tensor path (`flodl::nn::nested_padding`), or None.
#[pyfunction(name = "_nested_padding")]
pub(crate) fn nested_padding(
    key_padding_mask: &Bound<'_, PyAny>,
    mask_check: bool,
) -> PyResult<Option<Tensor>> {
    const OP: &str = "TransformerEncoder";
    let mask = super::args::tensor_values(OP, key_padding_mask)?;
    crate::python::guard::run(OP, move || {
        Ok(crate::nn::nested_padding(&mask, mask_check)?)
    })
}

/// _nested_tensor_warning(encoder_layer, norm_first, batch_first, qkv_same_embed_dim, bias, activation_relu_or_gelu, eps1, eps2, num_heads)
/// --
///
/// The warning `TransformerEncoder(enable_nested_tensor=True)` gives for a
/// layer with these attributes, or None when nested tensors apply
/// (`flodl::nn::NestedTensorConditions`).
#[pyfunction(name = "_nested_tensor_warning")]
#[allow(clippy::too_many_arguments)] // the attributes PyTorch checks, one each
pub(crate) fn nested_tensor_warning(
    encoder_layer: bool,
    norm_first: bool,
    batch_first: bool,
    qkv_same_embed_dim: bool,
    bias: bool,
    activation_relu_or_gelu: bool,
    eps1: f64,
    eps2: f64,
    num_heads: i64,
) -> Option<String> {
    let conditions = crate::nn::NestedTensorConditions {
        encoder_layer,
        norm_first,
        batch_first,
        qkv_same_embed_dim,
        bias,
        activation_relu_or_gelu,
        norm_eps: (eps1, eps2),
        num_heads,
    };
    let why = conditions.obstacle()?;
    Some(crate::nn::nested_tensor_warning(&why))
}

/// _square_subsequent_mask(sz, device=None, dtype=None)
/// --
///
/// `Transformer.generate_square_subsequent_mask`: `-inf` above the
/// diagonal, zeros elsewhere.
#[pyfunction(name = "_square_subsequent_mask")]
#[pyo3(signature = (sz, device = None, dtype = None))]
pub(crate) fn square_subsequent_mask(
    sz: Int,
    device: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Tensor> {
    const OP: &str = "generate_square_subsequent_mask";
    crate::python::guard::run(OP, move || {
        let options = super::args::options_arg(OP, None, dtype, device)?;
        Ok(crate::nn::square_subsequent_mask(
            sz.core(OP, "sz")?,
            options,
        )?)
    })
}
