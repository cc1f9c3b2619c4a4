//! The math of `torch.distributions`' Normal, Categorical and Bernoulli
//! (log-probabilities, entropies, cdf, icdf, KL divergences), composed from
//! libtorch ops in PyTorch's order, so that the values round as PyTorch's do
//! and libtorch's autograd differentiates them. The op table (`nn_ops`)
//! declares them; `flodl.distributions` holds the Python classes.

use crate::error::{Error, ErrorKind, Failure};
use crate::Scalar;

type Raw = std::result::Result<tch::Tensor, Failure>;

/// `ln(sqrt(2 pi))`, as PyTorch writes it (`math.log(math.sqrt(2 * math.pi))`).
fn log_sqrt_2pi() -> f64 {
    (2.0 * std::f64::consts::PI).sqrt().ln()
}

/// `logits - logits.logsumexp(-1, keepdim=True)`: log-probabilities over
/// the last dim, as `Categorical` normalizes logits it is given. Logits of
/// given probabilities (`from_probs`: their clamped logs) are PyTorch's as
/// they are, not normalized again.
fn normalized(op: &str, logits: &tch::Tensor, from_probs: bool) -> Raw {
    if logits.dim() == 0 {
        return Err(Error::new(
            ErrorKind::Shape,
            format!("{op}: logits must have at least one dim (the classes)"),
        )
        .into());
    }
    if from_probs {
        return Ok(logits.shallow_clone());
    }
    Ok(logits.f_sub(&logits.f_logsumexp([-1i64].as_slice(), true)?)?)
}

/// `value`, every element `fill` where `mask` holds (broadcast), as
/// PyTorch's `t[mask] = fill` (the gradient stops there too).
fn filled_where(value: &tch::Tensor, mask: &tch::Tensor, fill: f64) -> Raw {
    let fill = crate::ops::scalar_tensor(Scalar::Float(fill), value.f_kind()?, value.device())?;
    Ok(fill.f_where_self(mask, value)?)
}

/// `Normal(loc, scale).log_prob(value)`.
pub(crate) fn normal_log_prob(value: &tch::Tensor, loc: &tch::Tensor, scale: &tch::Tensor) -> Raw {
    let var = scale.f_pow_tensor_scalar(2)?;
    let log_scale = scale.f_log()?;
    let squared = value.f_sub(loc)?.f_pow_tensor_scalar(2)?;
    Ok(squared
        .f_neg()?
        .f_div(&var.f_mul_scalar(2)?)?
        .f_sub(&log_scale)?
        .f_sub_scalar(log_sqrt_2pi())?)
}

/// `Normal(loc, scale).entropy()`.
pub(crate) fn normal_entropy(scale: &tch::Tensor) -> Raw {
    let constant = 0.5 + 0.5 * (2.0 * std::f64::consts::PI).ln();
    Ok(scale.f_log()?.f_add_scalar(constant)?)
}

/// `Normal(loc, scale).cdf(value)`.
pub(crate) fn normal_cdf(value: &tch::Tensor, loc: &tch::Tensor, scale: &tch::Tensor) -> Raw {
    let standard = value
        .f_sub(loc)?
        .f_mul(&scale.f_reciprocal()?)?
        .f_div_scalar(std::f64::consts::SQRT_2)?;
    Ok(standard.f_erf()?.f_add_scalar(1)?.f_mul_scalar(0.5)?)
}

/// `Normal(loc, scale).icdf(value)`: the value whose cdf is `value`.
pub(crate) fn normal_icdf(value: &tch::Tensor, loc: &tch::Tensor, scale: &tch::Tensor) -> Raw {
    let inverse = value.f_mul_scalar(2)?.f_sub_scalar(1)?.f_erfinv()?;
    Ok(loc.f_add(
        &scale
            .f_mul(&inverse)?
            .f_mul_scalar(std::f64::consts::SQRT_2)?,
    )?)
}

/// `kl_divergence(Normal(p_loc, p_scale), Normal(q_loc, q_scale))`.
pub(crate) fn normal_kl(
    p_loc: &tch::Tensor,
    p_scale: &tch::Tensor,
    q_loc: &tch::Tensor,
    q_scale: &tch::Tensor,
) -> Raw {
    let var_ratio = p_scale.f_div(q_scale)?.f_pow_tensor_scalar(2)?;
    let t1 = p_loc.f_sub(q_loc)?.f_div(q_scale)?.f_pow_tensor_scalar(2)?;
    Ok(var_ratio
        .f_add(&t1)?
        .f_sub_scalar(1)?
        .f_sub(&var_ratio.f_log()?)?
        .f_mul_scalar(0.5)?)
}

/// `Categorical(logits=logits).log_prob(value)`: the normalized logits'
/// entries at the class indices `value` (truncated to integers, as
/// PyTorch's `value.long()`), broadcast against the batch dims. An index
/// outside the classes is an Argument error. `probs` marks logits made from
/// probabilities (see [`normalized`]).
pub(crate) fn categorical_log_prob(
    logits: &tch::Tensor,
    value: &tch::Tensor,
    probs: Option<&tch::Tensor>,
) -> Raw {
    const OP: &str = "categorical_log_prob";
    let log_pmf = normalized(OP, logits, probs.is_some())?;
    let classes = logits.size().last().copied().unwrap_or(0);
    let index = value.f_to_kind(tch::Kind::Int64)?;
    let outside = index.f_lt(0)?.f_logical_or(&index.f_ge(classes)?)?;
    if outside.f_any()?.f_int64_value(&[])? != 0 {
        return Err(Error::new(
            ErrorKind::Argument,
            format!("{OP}: value must be a class index in [0, {classes}), got one outside"),
        )
        .into());
    }
    let index = index.f_unsqueeze(-1)?;
    let both = tch::Tensor::f_broadcast_tensors(&[&index, &log_pmf])?;
    let (index, log_pmf) = (&both[0], &both[1]);
    let index = index.f_narrow(-1, 0, 1)?;
    Ok(log_pmf.f_gather(-1, &index, false)?.f_squeeze_dim(-1)?)
}

/// The probabilities of normalized `logits`, or those given (a
/// distribution made from probabilities keeps them, exact zeros included).
fn probs_of(logits: &tch::Tensor, given: Option<&tch::Tensor>) -> Raw {
    match given {
        Some(probs) => Ok(probs.shallow_clone()),
        None => Ok(logits.f_softmax(-1, None::<tch::Kind>)?),
    }
}

/// `Categorical(logits=logits).entropy()` (`probs`: those of a
/// distribution made from probabilities).
pub(crate) fn categorical_entropy(logits: &tch::Tensor, probs: Option<&tch::Tensor>) -> Raw {
    let logits = normalized("categorical_entropy", logits, probs.is_some())?;
    let probs = probs_of(&logits, probs)?;
    let min_real = crate::DType::from_kind(logits.f_kind()?)?.finfo()?.min;
    let p_log_p = logits.f_clamp_min(min_real)?.f_mul(&probs)?;
    Ok(p_log_p
        .f_sum_dim_intlist(-1, false, None::<tch::Kind>)?
        .f_neg()?)
}

/// `kl_divergence(Categorical(logits=p), Categorical(logits=q))`: infinite
/// where `q` gives no weight to a class `p` has, and a class `p` gives no
/// weight adds nothing.
pub(crate) fn categorical_kl(
    p_logits: &tch::Tensor,
    q_logits: &tch::Tensor,
    p_probs: Option<&tch::Tensor>,
    q_probs: Option<&tch::Tensor>,
) -> Raw {
    const OP: &str = "categorical_kl";
    let p_logits = &normalized(OP, p_logits, p_probs.is_some())?;
    let q_logits = &normalized(OP, q_logits, q_probs.is_some())?;
    let p_probs = probs_of(p_logits, p_probs)?;
    let q_probs = probs_of(q_logits, q_probs)?;
    let t = p_probs.f_mul(&p_logits.f_sub(q_logits)?)?;
    let t = filled_where(&t, &q_probs.f_eq(0)?, f64::INFINITY)?;
    let t = filled_where(&t, &p_probs.f_eq(0)?, 0.0)?;
    Ok(t.f_sum_dim_intlist(-1, false, None::<tch::Kind>)?)
}

/// `Bernoulli(logits=logits).log_prob(value)`.
pub(crate) fn bernoulli_log_prob(logits: &tch::Tensor, value: &tch::Tensor) -> Raw {
    let both = tch::Tensor::f_broadcast_tensors(&[logits, value])?;
    let none = crate::Reduction::None.aten();
    Ok(both[0]
        .f_binary_cross_entropy_with_logits(
            &both[1],
            None::<tch::Tensor>,
            None::<tch::Tensor>,
            none,
        )?
        .f_neg()?)
}

/// The probability of 1 of `logits`, or that given.
fn binary_probs_of(logits: &tch::Tensor, given: Option<&tch::Tensor>) -> Raw {
    match given {
        Some(probs) => Ok(probs.shallow_clone()),
        None => Ok(logits.f_sigmoid()?),
    }
}

/// `Bernoulli(logits=logits).entropy()` (`probs`: those of a distribution
/// made from probabilities).
pub(crate) fn bernoulli_entropy(logits: &tch::Tensor, probs: Option<&tch::Tensor>) -> Raw {
    let probs = binary_probs_of(logits, probs)?;
    let none = crate::Reduction::None.aten();
    Ok(logits.f_binary_cross_entropy_with_logits(
        &probs,
        None::<tch::Tensor>,
        None::<tch::Tensor>,
        none,
    )?)
}

/// `kl_divergence(Bernoulli(logits=p), Bernoulli(logits=q))`.
pub(crate) fn bernoulli_kl(
    p_logits: &tch::Tensor,
    q_logits: &tch::Tensor,
    p_probs: Option<&tch::Tensor>,
    q_probs: Option<&tch::Tensor>,
) -> Raw {
    let p_probs = binary_probs_of(p_logits, p_probs)?;
    let q_probs = binary_probs_of(q_logits, q_probs)?;
    let softplus = |x: &tch::Tensor| x.f_softplus();
    let t1 =
        p_probs.f_mul(&softplus(&q_logits.f_neg()?)?.f_sub(&softplus(&p_logits.f_neg()?)?)?)?;
    let t1 = filled_where(&t1, &q_probs.f_eq(0)?, f64::INFINITY)?;
    let t1 = filled_where(&t1, &p_probs.f_eq(0)?, 0.0)?;
    let t2 = p_probs
        .f_neg()?
        .f_add_scalar(1)?
        .f_mul(&softplus(q_logits)?.f_sub(&softplus(p_logits)?)?)?;
    let t2 = filled_where(&t2, &q_probs.f_eq(1)?, f64::INFINITY)?;
    let t2 = filled_where(&t2, &p_probs.f_eq(1)?, 0.0)?;
    Ok(t1.f_add(&t2)?)
}
