//! [`ContinuousBernoulli`], as `torch.distributions.ContinuousBernoulli`:
//! the formulas in PyTorch's order, with its Taylor expansions near a
//! probability of 1/2 (inside `lims`), where the closed forms divide by
//! nearly zero.

use std::any::Any;

use super::constraints::Constraint;
use super::{checked, constant, drawn, full_like, options_of, require, unsupported, Distribution};
use super::{eps_of, UNIT_INTERVAL};
use crate::error::Result;
use crate::{Tensor, Variable};

/// The continuous Bernoulli distribution on `[0, 1]` of shape `probs` (or
/// `logits`), as `torch.distributions.ContinuousBernoulli` (Loaiza-Ganem and
/// Cunningham, 2019): density proportional to `probs^x (1 - probs)^(1 - x)`.
#[derive(Clone, Debug)]
pub struct ContinuousBernoulli {
    /// Kept in `[eps, 1 - eps]`, as PyTorch's.
    probs: Variable,
    logits: Variable,
    /// Where the closed forms give way to their Taylor expansions.
    lims: (f64, f64),
    validate: bool,
}

impl ContinuousBernoulli {
    /// From `probs` (with `validate`, in `[0, 1]`), clamped to `[eps, 1 -
    /// eps]` as PyTorch's; PyTorch's `lims` is `(0.499, 0.501)`.
    pub fn from_probs(
        probs: &Variable,
        lims: (f64, f64),
        validate: bool,
    ) -> Result<ContinuousBernoulli> {
        if validate {
            require(
                "ContinuousBernoulli",
                "probs",
                &probs.data(),
                &UNIT_INTERVAL,
            )?;
        }
        let probs = clamp_probs(probs)?;
        let clamped = clamp_probs(&probs)?;
        let logits = clamped.log()?.sub(&clamped.neg()?.log1p()?)?;
        Ok(ContinuousBernoulli {
            probs,
            logits,
            lims,
            validate,
        })
    }

    /// From `logits` (with `validate`, none NaN).
    pub fn from_logits(
        logits: &Variable,
        lims: (f64, f64),
        validate: bool,
    ) -> Result<ContinuousBernoulli> {
        if validate {
            require(
                "ContinuousBernoulli",
                "logits",
                &logits.data(),
                &Constraint::Real,
            )?;
        }
        Ok(ContinuousBernoulli {
            probs: clamp_probs(&logits.sigmoid()?)?,
            logits: logits.clone(),
            lims,
            validate,
        })
    }

    /// The probabilities (clamped).
    pub fn probs(&self) -> &Variable {
        &self.probs
    }

    /// The log-odds.
    pub fn logits(&self) -> &Variable {
        &self.logits
    }

    /// Where `probs` is outside `lims` (the closed forms hold).
    fn outside(&self) -> Result<Tensor> {
        let p = self.probs.data();
        p.le_scalar(self.lims.0)?
            .logical_or(&p.gt_scalar(self.lims.1)?)
    }

    /// `probs` outside `lims`, `lims.0` inside (the closed forms' argument,
    /// kept finite where the Taylor expansion is used).
    fn cut_probs(&self) -> Result<Variable> {
        let low = full_like(&self.probs, self.lims.0)?;
        Variable::where_cond(&self.outside()?, &self.probs, &low)
    }

    /// The log of the normalizing constant.
    fn log_norm(&self) -> Result<Variable> {
        let cut = self.cut_probs()?;
        let cut_data = cut.data();
        let (below, above) = (cut_data.le_scalar(0.5)?, cut_data.ge_scalar(0.5)?);
        let below_half = Variable::where_cond(&below, &cut, &full_like(&cut, 0.0)?)?;
        let above_half = Variable::where_cond(&above, &cut, &full_like(&cut, 1.0)?)?;
        let log_ratio = cut.neg()?.log1p()?.sub(&cut.log()?)?;
        let side = Variable::where_cond(
            &below,
            &below_half.mul_scalar(-2.0)?.log1p()?,
            &above_half.mul_scalar(2.0)?.sub_scalar(1.0)?.log()?,
        )?;
        let log_norm = log_ratio.abs()?.log()?.sub(&side)?;
        let x = self.probs.sub_scalar(0.5)?.pow_scalar(2)?;
        let taylor = x
            .mul_scalar(104.0 / 45.0)?
            .add_scalar(4.0 / 3.0)?
            .mul(&x)?
            .add_scalar(2f64.ln())?;
        Variable::where_cond(&self.outside()?, &log_norm, &taylor)
    }
}

/// `probs` clamped to `[eps, 1 - eps]` of its dtype (PyTorch's
/// `clamp_probs`).
fn clamp_probs(probs: &Variable) -> Result<Variable> {
    let eps = eps_of(probs)?;
    probs.clamp(eps, 1.0 - eps)
}

impl Distribution for ContinuousBernoulli {
    bookkeeping!("ContinuousBernoulli");
    fn batch_shape(&self) -> Vec<i64> {
        self.probs.shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![
            ("probs", self.probs.clone()),
            ("logits", self.logits.clone()),
        ]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(ContinuousBernoulli {
            probs: self.probs.expand(batch_shape)?,
            logits: self.logits.expand(batch_shape)?,
            ..self.clone()
        }))
    }
    fn has_rsample(&self) -> bool {
        true
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        drawn(self, sample_shape)
    }
    /// `icdf` of uniform draws.
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let u = constant(Tensor::rand(&shape, options_of(&self.probs))?)?;
        self.icdf(&u)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| UNIT_INTERVAL.check(v))?;
        crate::bernoulli_log_prob(&self.logits, value)?.add(&self.log_norm()?)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| UNIT_INTERVAL.check(v))?;
        let cut = self.cut_probs()?;
        let numerator = cut
            .pow(value)?
            .mul(&cut.rsub_scalar(1.0)?.pow(&value.rsub_scalar(1.0)?)?)?
            .add(&cut)?
            .sub_scalar(1.0)?;
        let cdfs = numerator.div(&cut.mul_scalar(2.0)?.sub_scalar(1.0)?)?;
        let unbounded = Variable::where_cond(&self.outside()?, &cdfs, value)?;
        let v = value.data();
        let upper = Variable::where_cond(&v.ge_scalar(1.0)?, &full_like(value, 1.0)?, &unbounded)?;
        Variable::where_cond(&v.le_scalar(0.0)?, &full_like(value, 0.0)?, &upper)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        let cut = self.cut_probs()?;
        let log1p_minus_cut = cut.neg()?.log1p()?;
        let spread = value.mul(&cut.mul_scalar(2.0)?.sub_scalar(1.0)?)?;
        let inverse = cut
            .neg()?
            .add(&spread)?
            .log1p()?
            .sub(&log1p_minus_cut)?
            .div(&cut.log()?.sub(&log1p_minus_cut)?)?;
        Variable::where_cond(&self.outside()?, &inverse, value)
    }
    fn entropy(&self) -> Result<Variable> {
        let log_probs0 = self.probs.neg()?.log1p()?;
        let log_probs1 = self.probs.log()?;
        self.mean()?
            .mul(&log_probs0.sub(&log_probs1)?)?
            .sub(&self.log_norm()?)?
            .sub(&log_probs0)
    }
    fn mean(&self) -> Result<Variable> {
        let cut = self.cut_probs()?;
        let log_ratio = cut.neg()?.log1p()?.sub(&cut.log()?)?;
        let mus = cut
            .div(&cut.mul_scalar(2.0)?.sub_scalar(1.0)?)?
            .add(&log_ratio.reciprocal()?)?;
        let x = self.probs.sub_scalar(0.5)?;
        let taylor = x
            .pow_scalar(2)?
            .mul_scalar(16.0 / 45.0)?
            .add_scalar(1.0 / 3.0)?
            .mul(&x)?
            .add_scalar(0.5)?;
        Variable::where_cond(&self.outside()?, &mus, &taylor)
    }
    /// None in closed form, as PyTorch's.
    fn mode(&self) -> Result<Variable> {
        unsupported(self.name(), "mode")
    }
    fn variance(&self) -> Result<Variable> {
        let cut = self.cut_probs()?;
        let log_ratio = cut.neg()?.log1p()?.sub(&cut.log()?)?;
        let spread = cut.mul_scalar(2.0)?.rsub_scalar(1.0)?.pow_scalar(2)?;
        let vars = cut
            .mul(&cut.sub_scalar(1.0)?)?
            .div(&spread)?
            .add(&log_ratio.pow_scalar(2)?.reciprocal()?)?;
        let x = self.probs.sub_scalar(0.5)?.pow_scalar(2)?;
        let taylor = x
            .mul_scalar(128.0 / 945.0)?
            .rsub_scalar(1.0 / 15.0)?
            .mul(&x)?
            .rsub_scalar(1.0 / 12.0)?;
        Variable::where_cond(&self.outside()?, &vars, &taylor)
    }
}

/// PyTorch's KL(p || q) of two continuous Bernoullis.
pub(super) fn kl(p: &ContinuousBernoulli, q: &ContinuousBernoulli) -> Result<Variable> {
    let t1 = p.mean()?.mul(&p.logits.sub(&q.logits)?)?;
    let t2 = p.log_norm()?.add(&p.probs.neg()?.log1p()?)?;
    let t3 = q.log_norm()?.neg()?.sub(&q.probs.neg()?.log1p()?)?;
    t1.add(&t2)?.add(&t3)
}
