//! PyTorch's registered KL divergences between distributions of two
//! different kinds (`torch.distributions.kl`'s cross pairs): the closed
//! forms in PyTorch's order of operations, and an infinite KL where `q`
//! gives no density to part of `p`'s support. [`PAIRS`] is the one table:
//! [`kl_between`] looks a pair up in it, and Python registers its pairs
//! from it.

use std::f64::consts::PI;

use super::{constant, options_of, Distribution};
use crate::error::{bail, Result};
use crate::{Tensor, Variable};

/// The Euler-Mascheroni constant (PyTorch's `_euler_gamma`).
const EULER: f64 = 0.577_215_664_901_532_9;

type KlFn = fn(&dyn Distribution, &dyn Distribution) -> Result<Variable>;

/// Each cross pair PyTorch registers among flodl's distributions: `p`'s
/// class name, `q`'s, and the formula.
pub const PAIRS: &[(&str, &str, KlFn)] = &[
    ("Bernoulli", "Poisson", bernoulli_poisson),
    ("Beta", "Exponential", beta_exponential),
    ("Beta", "Gamma", beta_gamma),
    ("Beta", "Normal", beta_normal),
    ("Beta", "Pareto", |p, _| infinite(p, "concentration1")),
    ("Beta", "Uniform", beta_uniform),
    ("Exponential", "Beta", |p, _| infinite(p, "rate")),
    ("Exponential", "Gamma", exponential_gamma),
    ("Exponential", "Gumbel", exponential_gumbel),
    ("Exponential", "Normal", exponential_normal),
    ("Exponential", "Pareto", |p, _| infinite(p, "rate")),
    ("Exponential", "Uniform", |p, _| infinite(p, "rate")),
    ("Gamma", "Beta", |p, _| infinite(p, "concentration")),
    ("Gamma", "Exponential", gamma_exponential),
    ("Gamma", "Gumbel", gamma_gumbel),
    ("Gamma", "Normal", gamma_normal),
    ("Gamma", "Pareto", |p, _| infinite(p, "concentration")),
    ("Gamma", "Uniform", |p, _| infinite(p, "concentration")),
    ("Gumbel", "Beta", |p, _| infinite(p, "loc")),
    ("Gumbel", "Exponential", |p, _| infinite(p, "loc")),
    ("Gumbel", "Gamma", |p, _| infinite(p, "loc")),
    ("Gumbel", "Normal", gumbel_normal),
    ("Gumbel", "Pareto", |p, _| infinite(p, "loc")),
    ("Gumbel", "Uniform", |p, _| infinite(p, "loc")),
    ("Laplace", "Beta", |p, _| infinite(p, "loc")),
    ("Laplace", "Exponential", |p, _| infinite(p, "loc")),
    ("Laplace", "Gamma", |p, _| infinite(p, "loc")),
    ("Laplace", "Normal", laplace_normal),
    ("Laplace", "Pareto", |p, _| infinite(p, "loc")),
    ("Laplace", "Uniform", |p, _| infinite(p, "loc")),
    ("Normal", "Beta", |p, _| infinite(p, "loc")),
    ("Normal", "Exponential", |p, _| infinite(p, "loc")),
    ("Normal", "Gamma", |p, _| infinite(p, "loc")),
    ("Normal", "Gumbel", normal_gumbel),
    ("Normal", "Laplace", normal_laplace),
    ("Normal", "Pareto", |p, _| infinite(p, "loc")),
    ("Normal", "Uniform", |p, _| infinite(p, "loc")),
    ("Pareto", "Beta", |p, _| infinite(p, "scale")),
    ("Pareto", "Exponential", pareto_exponential),
    ("Pareto", "Gamma", pareto_gamma),
    ("Pareto", "Normal", pareto_normal),
    ("Pareto", "Uniform", |p, _| infinite(p, "scale")),
    ("Poisson", "Bernoulli", |p, _| infinite(p, "rate")),
    ("Poisson", "Binomial", |p, _| infinite(p, "rate")),
    ("Uniform", "Beta", uniform_beta),
    ("Uniform", "Exponential", uniform_exponential),
    ("Uniform", "Gamma", uniform_gamma),
    ("Uniform", "Gumbel", uniform_gumbel),
    ("Uniform", "Normal", uniform_normal),
    ("Uniform", "Pareto", uniform_pareto),
];

/// PyTorch's `KL(p || q)` for a cross pair of [`PAIRS`]; `None` for
/// another pair.
pub(super) fn kl_between(p: &dyn Distribution, q: &dyn Distribution) -> Option<Result<Variable>> {
    PAIRS
        .iter()
        .find(|(pn, qn, _)| *pn == p.name() && *qn == q.name())
        .map(|(_, _, kl)| kl(p, q))
}

/// The parameter `name` of `d` (as kept: broadcast, normalized).
fn param(d: &dyn Distribution, name: &str) -> Result<Variable> {
    match d.params().into_iter().find(|(n, _)| *n == name) {
        Some((_, v)) => Ok(v),
        None => bail!(
            Argument,
            "kl_divergence: {} has no parameter {name}",
            d.name()
        ),
    }
}

/// An infinite KL shaped like `p`'s parameter `name` (PyTorch's
/// `_infinite_like`): `q` gives no density to part of `p`'s support.
fn infinite(p: &dyn Distribution, name: &str) -> Result<Variable> {
    let like = param(p, name)?;
    constant(Tensor::full(
        &like.shape(),
        f64::INFINITY,
        options_of(&like),
    )?)
}

/// `x * log(x)`, PyTorch's `_x_log_x`.
fn x_log_x(x: &Variable) -> Result<Variable> {
    x.mul(&x.log()?)
}

/// The mean of a Beta, `c1 / (c1 + c0)`, and `c1 + c0`.
fn beta_mean(p: &dyn Distribution) -> Result<(Variable, Variable, Variable)> {
    let (c1, c0) = (param(p, "concentration1")?, param(p, "concentration0")?);
    let total = c1.add(&c0)?;
    Ok((c1.div(&total)?, c1, total))
}

fn bernoulli_poisson(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let rate = param(q, "rate")?;
    let t = param(p, "probs")?.mul(&rate.log()?)?.sub(&rate)?;
    p.entropy()?.neg()?.sub(&t)
}

fn beta_exponential(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let rate = param(q, "rate")?;
    let (mean, _, _) = beta_mean(p)?;
    p.entropy()?
        .neg()?
        .sub(&rate.log()?)?
        .add(&rate.mul(&mean)?)
}

fn beta_gamma(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (alpha, rate) = (param(q, "concentration")?, param(q, "rate")?);
    let (_, c1, total) = beta_mean(p)?;
    let t1 = p.entropy()?.neg()?;
    let t2 = alpha.lgamma()?.sub(&alpha.mul(&rate.log()?)?)?;
    let t3 = alpha
        .sub_scalar(1.0)?
        .mul(&c1.digamma()?.sub(&total.digamma()?)?)?;
    let t4 = rate.mul(&c1)?.div(&total)?;
    t1.add(&t2)?.sub(&t3)?.add(&t4)
}

fn beta_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let (mean, _, total) = beta_mean(p)?;
    let var_normal = scale.pow_scalar(2)?;
    let t1 = p.entropy()?.neg()?;
    let t2 = var_normal.mul_scalar(2.0 * PI)?.log()?.mul_scalar(0.5)?;
    let t3 = mean
        .mul(&mean.rsub_scalar(1.0)?)?
        .div(&total.add_scalar(1.0)?)?
        .add(&mean.pow_scalar(2)?)?
        .mul_scalar(0.5)?;
    let t4 = loc.mul(&mean)?;
    let t5 = loc.pow_scalar(2)?.mul_scalar(0.5)?;
    t1.add(&t2)?.add(&t3.sub(&t4)?.add(&t5)?.div(&var_normal)?)
}

fn beta_uniform(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(q, "low")?, param(q, "high")?);
    let result = p.entropy()?.neg()?.add(&high.sub(&low)?.log()?)?;
    // Beta's support is [0, 1].
    let uncovered = low
        .data()
        .gt_scalar(0.0)?
        .logical_or(&high.data().lt_scalar(1.0)?)?;
    result.masked_fill(&uncovered, f64::INFINITY)
}

fn exponential_gamma(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (alpha, rate) = (param(q, "concentration")?, param(q, "rate")?);
    let ratio = rate.div(&param(p, "rate")?)?;
    let t1 = alpha.neg()?.mul(&ratio.log()?)?;
    t1.add(&ratio)?
        .add(&alpha.lgamma()?)?
        .add(&alpha.mul_scalar(EULER)?)?
        .sub_scalar(1.0 + EULER)
}

fn exponential_gumbel(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let scale_rate_prod = param(p, "rate")?.mul(&scale)?;
    let loc_scale_ratio = loc.div(&scale)?;
    let t1 = scale_rate_prod.log()?.sub_scalar(1.0)?;
    let t2 = loc_scale_ratio
        .exp()?
        .mul(&scale_rate_prod)?
        .div(&scale_rate_prod.add_scalar(1.0)?)?;
    let t3 = scale_rate_prod.reciprocal()?;
    t1.sub(&loc_scale_ratio)?.add(&t2)?.add(&t3)
}

fn exponential_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let rate = param(p, "rate")?;
    let var_normal = scale.pow_scalar(2)?;
    let rate_sqr = rate.pow_scalar(2)?;
    let t1 = rate_sqr
        .mul(&var_normal)?
        .mul_scalar(2.0)?
        .mul_scalar(PI)?
        .log()?
        .mul_scalar(0.5)?;
    let t2 = rate_sqr.reciprocal()?;
    let t3 = loc.div(&rate)?;
    let t4 = loc.pow_scalar(2)?.mul_scalar(0.5)?;
    t1.sub_scalar(1.0)?
        .add(&t2.sub(&t3)?.add(&t4)?.div(&var_normal)?)
}

fn gamma_exponential(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let rate = param(q, "rate")?;
    let (alpha, beta) = (param(p, "concentration")?, param(p, "rate")?);
    p.entropy()?
        .neg()?
        .sub(&rate.log()?)?
        .add(&rate.mul(&alpha)?.div(&beta)?)
}

fn gamma_gumbel(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let (alpha, beta) = (param(p, "concentration")?, param(p, "rate")?);
    let beta_scale_prod = beta.mul(&scale)?;
    let loc_scale_ratio = loc.div(&scale)?;
    let t1 = alpha
        .sub_scalar(1.0)?
        .mul(&alpha.digamma()?)?
        .sub(&alpha.lgamma()?)?
        .sub(&alpha)?;
    let t2 = beta_scale_prod.log()?.add(&alpha.div(&beta_scale_prod)?)?;
    let t3 = loc_scale_ratio
        .exp()?
        .mul(
            &beta_scale_prod
                .reciprocal()?
                .add_scalar(1.0)?
                .pow(&alpha.neg()?)?,
        )?
        .sub(&loc_scale_ratio)?;
    t1.add(&t2)?.add(&t3)
}

fn gamma_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let (alpha, beta) = (param(p, "concentration")?, param(p, "rate")?);
    let var_normal = scale.pow_scalar(2)?;
    let beta_sqr = beta.pow_scalar(2)?;
    let t1 = beta_sqr
        .mul(&var_normal)?
        .mul_scalar(2.0)?
        .mul_scalar(PI)?
        .log()?
        .mul_scalar(0.5)?
        .sub(&alpha)?
        .sub(&alpha.lgamma()?)?;
    let t2 = alpha
        .pow_scalar(2)?
        .add(&alpha)?
        .mul_scalar(0.5)?
        .div(&beta_sqr)?;
    let t3 = loc.mul(&alpha)?.div(&beta)?;
    let t4 = loc.pow_scalar(2)?.mul_scalar(0.5)?;
    t1.add(&alpha.sub_scalar(1.0)?.mul(&alpha.digamma()?)?)?
        .add(&t2.sub(&t3)?.add(&t4)?.div(&var_normal)?)
}

fn gumbel_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (q_loc, q_scale) = (param(q, "loc")?, param(q, "scale")?);
    let (p_loc, p_scale) = (param(p, "loc")?, param(p, "scale")?);
    let param_ratio = p_scale.div(&q_scale)?;
    let t1 = param_ratio.div_scalar((2.0 * PI).sqrt())?.log()?;
    let t2 = param_ratio
        .mul_scalar(PI)?
        .mul_scalar(0.5)?
        .pow_scalar(2)?
        .div_scalar(3.0)?;
    let t3 = p_loc
        .add(&p_scale.mul_scalar(EULER)?)?
        .sub(&q_loc)?
        .div(&q_scale)?
        .pow_scalar(2)?
        .mul_scalar(0.5)?;
    t1.neg()?.add(&t2)?.add(&t3)?.sub_scalar(EULER + 1.0)
}

fn laplace_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (q_loc, q_scale) = (param(q, "loc")?, param(q, "scale")?);
    let (p_loc, p_scale) = (param(p, "loc")?, param(p, "scale")?);
    let var_normal = q_scale.pow_scalar(2)?;
    let scale_sqr_var_ratio = p_scale.pow_scalar(2)?.div(&var_normal)?;
    let t1 = scale_sqr_var_ratio
        .mul_scalar(2.0)?
        .div_scalar(PI)?
        .log()?
        .mul_scalar(0.5)?;
    let t2 = p_loc.pow_scalar(2)?.mul_scalar(0.5)?;
    let t3 = p_loc.mul(&q_loc)?;
    let t4 = q_loc.pow_scalar(2)?.mul_scalar(0.5)?;
    t1.neg()?
        .add(&scale_sqr_var_ratio)?
        .add(&t2.sub(&t3)?.add(&t4)?.div(&var_normal)?)?
        .sub_scalar(1.0)
}

fn normal_gumbel(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (q_loc, q_scale) = (param(q, "loc")?, param(q, "scale")?);
    let (p_loc, p_scale) = (param(p, "loc")?, param(p, "scale")?);
    let mean_scale_ratio = p_loc.div(&q_scale)?;
    let var_scale_sqr_ratio = p_scale.div(&q_scale)?.pow_scalar(2)?;
    let loc_scale_ratio = q_loc.div(&q_scale)?;
    let t1 = var_scale_sqr_ratio.log()?.mul_scalar(0.5)?;
    let t2 = mean_scale_ratio.sub(&loc_scale_ratio)?;
    let t3 = mean_scale_ratio
        .neg()?
        .add(&var_scale_sqr_ratio.mul_scalar(0.5)?)?
        .add(&loc_scale_ratio)?
        .exp()?;
    t1.neg()?
        .add(&t2)?
        .add(&t3)?
        .sub_scalar(0.5 * (1.0 + (2.0 * PI).ln()))
}

fn normal_laplace(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (q_loc, q_scale) = (param(q, "loc")?, param(q, "scale")?);
    let (p_loc, p_scale) = (param(p, "loc")?, param(p, "scale")?);
    let loc_diff = p_loc.sub(&q_loc)?;
    let scale_ratio = p_scale.div(&q_scale)?;
    let loc_diff_scale_ratio = loc_diff.div(&p_scale)?;
    let t1 = scale_ratio.log()?;
    let t2 = p_scale.mul_scalar((2.0 / PI).sqrt())?.mul(
        &loc_diff_scale_ratio
            .pow_scalar(2)?
            .mul_scalar(-0.5)?
            .exp()?,
    )?;
    let t3 = loc_diff.mul(&loc_diff_scale_ratio.mul_scalar(0.5f64.sqrt())?.erf()?)?;
    t1.neg()?
        .add(&t2.add(&t3)?.div(&q_scale)?)?
        .sub_scalar(0.5 * (1.0 + (0.5 * PI).ln()))
}

fn pareto_exponential(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (scale, alpha) = (param(p, "scale")?, param(p, "alpha")?);
    let scale_rate_prod = scale.mul(&param(q, "rate")?)?;
    let t1 = alpha.div(&scale_rate_prod)?.log()?;
    let t2 = alpha.reciprocal()?;
    let t3 = alpha.mul(&scale_rate_prod)?.div(&alpha.sub_scalar(1.0)?)?;
    let result = t1.sub(&t2)?.add(&t3)?.sub_scalar(1.0)?;
    result.masked_fill(&alpha.data().le_scalar(1.0)?, f64::INFINITY)
}

fn pareto_gamma(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (scale, alpha) = (param(p, "scale")?, param(p, "alpha")?);
    let (concentration, rate) = (param(q, "concentration")?, param(q, "rate")?);
    let common_term = scale.log()?.add(&alpha.reciprocal()?)?;
    let t1 = alpha.log()?.sub(&common_term)?;
    let t2 = concentration
        .lgamma()?
        .sub(&concentration.mul(&rate.log()?)?)?;
    let t3 = concentration.rsub_scalar(1.0)?.mul(&common_term)?;
    let t4 = rate
        .mul(&alpha)?
        .mul(&scale)?
        .div(&alpha.sub_scalar(1.0)?)?;
    let result = t1.add(&t2)?.add(&t3)?.add(&t4)?.sub_scalar(1.0)?;
    result.masked_fill(&alpha.data().le_scalar(1.0)?, f64::INFINITY)
}

fn pareto_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (scale, alpha) = (param(p, "scale")?, param(p, "alpha")?);
    let (loc, q_scale) = (param(q, "loc")?, param(q, "scale")?);
    let var_normal = q_scale.pow_scalar(2)?.mul_scalar(2.0)?;
    let common_term = scale.div(&alpha.sub_scalar(1.0)?)?;
    let t1 = q_scale
        .mul_scalar((2.0 * PI).sqrt())?
        .mul(&alpha)?
        .div(&scale)?
        .log()?;
    let t2 = alpha.reciprocal()?;
    let t3 = alpha
        .mul(&common_term.pow_scalar(2)?)?
        .div(&alpha.sub_scalar(2.0)?)?;
    let t4 = alpha.mul(&common_term)?.sub(&loc)?.pow_scalar(2)?;
    let result = t1
        .sub(&t2)?
        .add(&t3.add(&t4)?.div(&var_normal)?)?
        .sub_scalar(1.0)?;
    result.masked_fill(&alpha.data().le_scalar(2.0)?, f64::INFINITY)
}

fn uniform_beta(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let (c1, c0) = (param(q, "concentration1")?, param(q, "concentration0")?);
    let common_term = high.sub(&low)?;
    let t1 = common_term.log()?;
    let t2 = c1
        .sub_scalar(1.0)?
        .mul(&x_log_x(&high)?.sub(&x_log_x(&low)?)?.sub(&common_term)?)?
        .div(&common_term)?;
    let one_minus = |x: &Variable| x.rsub_scalar(1.0);
    let t3 = c0
        .sub_scalar(1.0)?
        .mul(
            &x_log_x(&one_minus(&high)?)?
                .sub(&x_log_x(&one_minus(&low)?)?)?
                .add(&common_term)?,
        )?
        .div(&common_term)?;
    let t4 = c1
        .lgamma()?
        .add(&c0.lgamma()?)?
        .sub(&c1.add(&c0)?.lgamma()?)?;
    let result = t3.add(&t4)?.sub(&t1)?.sub(&t2)?;
    // Beta's support is [0, 1].
    let uncovered = high
        .data()
        .gt_scalar(1.0)?
        .logical_or(&low.data().lt_scalar(0.0)?)?;
    result.masked_fill(&uncovered, f64::INFINITY)
}

fn uniform_exponential(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let rate = param(q, "rate")?;
    let result = rate
        .mul(&high.add(&low)?)?
        .div_scalar(2.0)?
        .sub(&high.sub(&low)?.mul(&rate)?.log()?)?;
    result.masked_fill(&low.data().lt_scalar(0.0)?, f64::INFINITY)
}

fn uniform_gamma(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let (concentration, rate) = (param(q, "concentration")?, param(q, "rate")?);
    let common_term = high.sub(&low)?;
    let t1 = common_term.log()?;
    let t2 = concentration
        .lgamma()?
        .sub(&concentration.mul(&rate.log()?)?)?;
    let t3 = concentration
        .rsub_scalar(1.0)?
        .mul(&x_log_x(&high)?.sub(&x_log_x(&low)?)?.sub(&common_term)?)?
        .div(&common_term)?;
    let t4 = rate.mul(&high.add(&low)?)?.div_scalar(2.0)?;
    let result = t1.neg()?.add(&t2)?.add(&t3)?.add(&t4)?;
    result.masked_fill(&low.data().lt_scalar(0.0)?, f64::INFINITY)
}

fn uniform_gumbel(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let common_term = scale.div(&high.sub(&low)?)?;
    let high_loc_diff = high.sub(&loc)?.div(&scale)?;
    let low_loc_diff = low.sub(&loc)?.div(&scale)?;
    let t1 = common_term
        .log()?
        .add(&high_loc_diff.add(&low_loc_diff)?.mul_scalar(0.5)?)?;
    let t2 = common_term.mul(
        &high_loc_diff
            .neg()?
            .exp()?
            .sub(&low_loc_diff.neg()?.exp()?)?,
    )?;
    t1.sub(&t2)
}

fn uniform_normal(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let (loc, scale) = (param(q, "loc")?, param(q, "scale")?);
    let common_term = high.sub(&low)?;
    let t1 = scale
        .mul_scalar((PI * 2.0).sqrt())?
        .div(&common_term)?
        .log()?;
    let t2 = common_term.pow_scalar(2)?.div_scalar(12.0)?;
    let t3 = high
        .add(&low)?
        .sub(&loc.mul_scalar(2.0)?)?
        .div_scalar(2.0)?
        .pow_scalar(2)?;
    t1.add(&t2.add(&t3)?.mul_scalar(0.5)?.div(&scale.pow_scalar(2)?)?)
}

fn uniform_pareto(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    let (low, high) = (param(p, "low")?, param(p, "high")?);
    let (scale, alpha) = (param(q, "scale")?, param(q, "alpha")?);
    let support_uniform = high.sub(&low)?;
    let t1 = alpha
        .mul(&scale.pow(&alpha)?)?
        .mul(&support_uniform)?
        .log()?;
    let t2 = x_log_x(&high)?
        .sub(&x_log_x(&low)?)?
        .sub(&support_uniform)?
        .div(&support_uniform)?;
    let result = t2.mul(&alpha.add_scalar(1.0)?)?.sub(&t1)?;
    // Pareto's support starts at its scale.
    result.masked_fill(&low.data().lt(&scale.data())?, f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::{Normal, Uniform};
    use crate::Device;

    fn var(values: &[f64]) -> Result<Variable> {
        Variable::new(
            Tensor::from_f64(values, &[values.len() as i64], Device::CPU)?,
            false,
        )
    }

    /// The registered pair's KL, or an Argument error when there is none.
    fn kl(p: &dyn Distribution, q: &dyn Distribution) -> Result<Vec<f64>> {
        match kl_between(p, q) {
            Some(kl) => kl?.data().to_f64_vec(),
            None => bail!(Argument, "no pair {} || {}", p.name(), q.name()),
        }
    }

    #[test]
    fn uniform_against_normal_and_back() -> Result<()> {
        // KL(U(-1, 1) || N(0, 1)) = log(sqrt(2 pi) / 2) + 1/6.
        let p = Uniform::new(&var(&[-1.0])?, &var(&[1.0])?, true)?;
        let q = Normal::new(&var(&[0.0])?, &var(&[1.0])?, true)?;
        let want = ((2.0 * PI).sqrt() / 2.0).ln() + 1.0 / 6.0;
        let got = kl(&p, &q)?;
        assert!(
            got.len() == 1 && (got[0] - want).abs() < 1e-12,
            "{got:?} vs {want}"
        );
        assert_eq!(kl(&q, &p)?, vec![f64::INFINITY]);
        assert!(kl_between(&p, &p).is_none());
        Ok(())
    }
}
