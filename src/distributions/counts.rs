//! Distributions over counts and one-hot vectors: [`Geometric`],
//! [`Binomial`], [`NegativeBinomial`], [`Multinomial`] and
//! [`OneHotCategorical`], as `torch.distributions`'.

use std::any::Any;

use super::constraints::{Bound, Constraint};
use super::{
    both, broadcast_pair, check_parameter, checked, constant, enumerate_support, eps_of,
    options_of, unsupported, Categorical, Distribution, Gamma,
};
use super::{require, UNIT_INTERVAL};
use crate::error::{bail, Result};
use crate::{Reduction, Tensor, Variable};

/// The log-odds of probabilities, clamped away from 0 and 1 (PyTorch's
/// `probs_to_logits(probs, is_binary=True)`).
fn binary_logits(probs: &Variable) -> Result<Variable> {
    let eps = eps_of(probs)?;
    let clamped = probs.clamp(eps, 1.0 - eps)?;
    clamped.log()?.sub(&clamped.neg()?.log1p()?)
}

/// Either parameter of a binary distribution, with the other computed.
pub(super) fn probs_and_logits(
    name: &str,
    param: &Variable,
    from_probs: bool,
    validate: bool,
) -> Result<(Variable, Variable)> {
    if validate {
        let values = param.data();
        match from_probs {
            true => require(name, "probs", &values, &UNIT_INTERVAL)?,
            false => require(name, "logits", &values, &Constraint::Real)?,
        }
    }
    match from_probs {
        true => Ok((param.clone(), binary_logits(param)?)),
        false => Ok((param.sigmoid()?, param.clone())),
    }
}

/// Whole non-negative values.
fn nonnegative_integer(v: &Tensor) -> Result<Tensor> {
    Constraint::IntegerGreaterThan(0.0.into()).check(v)
}

/// The number of failures before the first success of probability
/// `probs`, as `torch.distributions.Geometric`.
#[derive(Clone, Debug)]
pub struct Geometric {
    probs: Variable,
    logits: Variable,
    validate: bool,
}

impl Geometric {
    /// From the success probabilities (in `(0, 1]` with `validate`) or
    /// their log-odds (`from_probs` false).
    pub fn new(param: &Variable, from_probs: bool, validate: bool) -> Result<Geometric> {
        let (probs, logits) = probs_and_logits("Geometric", param, from_probs, validate)?;
        if validate && from_probs {
            check_parameter(
                "Geometric",
                "probs",
                &probs.data().gt_scalar(0.0)?,
                "positive",
            )?;
        }
        Ok(Geometric {
            probs,
            logits,
            validate,
        })
    }
}

impl Distribution for Geometric {
    bookkeeping!("Geometric");
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
        Ok(Box::new(Geometric {
            probs: self.probs.expand(batch_shape)?,
            logits: self.logits.expand(batch_shape)?,
            validate: self.validate,
        }))
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let probs = self.probs.data();
        let tiny = probs.dtype().finfo()?.tiny;
        let u = Tensor::empty(&self.extended_shape(sample_shape), options_of(&self.probs))?;
        u.uniform_(tiny, 1.0)?;
        u.log()?.div(&probs.neg()?.log1p()?)?.floor()
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative_integer)?;
        // As PyTorch: a certain success (probs 1) gives 0 failures with
        // probability 1, not 0 * log(0).
        let (value_b, probs_b) = broadcast_pair("Geometric", value, &self.probs)?;
        let certain = probs_b
            .data()
            .eq_scalar(1.0)?
            .logical_and(&value_b.data().eq_scalar(0.0)?)?;
        let probs_b = probs_b.masked_fill(&certain, 0.0)?;
        value_b
            .mul(&probs_b.neg()?.log1p()?)?
            .add(&self.probs.log()?)
    }
    fn entropy(&self) -> Result<Variable> {
        crate::binary_cross_entropy_with_logits(
            &self.logits,
            &self.probs,
            None,
            Reduction::None,
            None,
        )?
        .div(&self.probs)
    }
    fn mean(&self) -> Result<Variable> {
        self.probs.reciprocal()?.sub_scalar(1.0)
    }
    fn mode(&self) -> Result<Variable> {
        constant(Tensor::zeros_like(&self.probs.data())?)
    }
    fn variance(&self) -> Result<Variable> {
        self.probs.reciprocal()?.sub_scalar(1.0)?.div(&self.probs)
    }
}

/// The number of successes of `total_count` trials of probability
/// `probs`, as `torch.distributions.Binomial`.
#[derive(Clone, Debug)]
pub struct Binomial {
    total_count: Variable,
    probs: Variable,
    logits: Variable,
    validate: bool,
}

impl Binomial {
    /// `total_count` (whole, non-negative with `validate`) broadcast with
    /// the success probabilities or their log-odds (`from_probs` false).
    pub fn new(
        total_count: &Variable,
        param: &Variable,
        from_probs: bool,
        validate: bool,
    ) -> Result<Binomial> {
        let (total_count, param) = broadcast_pair("Binomial", total_count, param)?;
        let total_count = total_count.to_dtype(param.dtype())?;
        if validate {
            let nonnegative = Constraint::IntegerGreaterThan(0.0.into());
            require("Binomial", "total_count", &total_count.data(), &nonnegative)?;
        }
        let (probs, logits) = probs_and_logits("Binomial", &param, from_probs, validate)?;
        Ok(Binomial {
            total_count,
            probs,
            logits,
            validate,
        })
    }

    /// The one total count of every distribution of the batch, or the
    /// Argument error of `what` for a batch of several.
    fn homogeneous_count(&self, what: &str) -> Result<i64> {
        let counts = self.total_count.data();
        let (max, min) = (counts.max()?.item()?, counts.min()?.item()?);
        if max != min {
            bail!(
                Argument,
                "Binomial: {what} needs one total_count for the whole batch, got {min} to {max}"
            );
        }
        Ok(max as i64)
    }
}

impl Distribution for Binomial {
    bookkeeping!("Binomial");
    fn batch_shape(&self) -> Vec<i64> {
        self.probs.shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![
            ("total_count", self.total_count.clone()),
            ("probs", self.probs.clone()),
            ("logits", self.logits.clone()),
        ]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Binomial {
            total_count: self.total_count.expand(batch_shape)?,
            probs: self.probs.expand(batch_shape)?,
            logits: self.logits.expand(batch_shape)?,
            validate: self.validate,
        }))
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let shape = self.extended_shape(sample_shape);
        let counts = self.total_count.data().expand(&shape)?;
        counts.binomial(&self.probs.data().expand(&shape)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            let counts = self.total_count.data().to_dtype(crate::DType::Float64)?;
            let support = Constraint::IntegerInterval(0.0.into(), Bound::Tensor(counts));
            checked(self, true, value, |v| support.check(v))?;
        }
        let n = &self.total_count;
        let logits = &self.logits;
        let log_factorial_n = n.add_scalar(1)?.lgamma()?;
        let log_factorial_k = value.add_scalar(1)?.lgamma()?;
        let log_factorial_nmk = n.sub(value)?.add_scalar(1)?.lgamma()?;
        // PyTorch's _clamp_by_zero: max(logits, 0) with half the gradient at 0.
        let clamped = logits
            .clamp_min(0)?
            .add(logits)?
            .sub(&logits.clamp_max(0)?)?
            .div_scalar(2)?;
        let normalize = n
            .mul(&clamped)?
            .add(&n.mul(&logits.abs()?.neg()?.exp()?.log1p()?)?)?
            .sub(&log_factorial_n)?;
        value
            .mul(logits)?
            .sub(&log_factorial_k)?
            .sub(&log_factorial_nmk)?
            .sub(&normalize)
    }
    fn entropy(&self) -> Result<Variable> {
        self.homogeneous_count("entropy")?;
        let values = constant(self.enumerate_support(false)?)?;
        let log_prob = self.log_prob(&values)?;
        log_prob.exp()?.mul(&log_prob)?.sum_dim(0, false)?.neg()
    }
    fn mean(&self) -> Result<Variable> {
        self.total_count.mul(&self.probs)
    }
    fn mode(&self) -> Result<Variable> {
        let mode = self.total_count.add_scalar(1)?.mul(&self.probs)?.floor()?;
        mode.clamp_max_tensor(&self.total_count)
    }
    fn variance(&self) -> Result<Variable> {
        self.total_count
            .mul(&self.probs)?
            .mul(&self.probs.rsub_scalar(1)?)
    }
    fn enumerate_support(&self, expand: bool) -> Result<Tensor> {
        let count = self.homogeneous_count("enumerate_support")?;
        let options = options_of(&self.probs);
        enumerate_support(self, 0..count + 1, options, expand)
    }
}

/// A Categorical's draws as one-hot vectors (the event dim is the
/// classes), as `torch.distributions.OneHotCategorical`; made by
/// [`straight_through`](Self::straight_through), it is
/// `OneHotCategoricalStraightThrough`, whose `rsample` passes the gradient
/// to the probabilities as if the draw were them.
#[derive(Clone, Debug)]
pub struct OneHotCategorical {
    categorical: Categorical,
    validate: bool,
    straight_through: bool,
}

impl OneHotCategorical {
    /// Over `categorical`'s classes.
    pub fn new(categorical: Categorical, validate: bool) -> OneHotCategorical {
        OneHotCategorical {
            categorical,
            validate,
            straight_through: false,
        }
    }

    /// PyTorch's `OneHotCategoricalStraightThrough`: `rsample` is the
    /// one-hot draw plus `probs - probs.detach()` (the draw's values, the
    /// probabilities' gradient).
    pub fn straight_through(categorical: Categorical, validate: bool) -> OneHotCategorical {
        OneHotCategorical {
            straight_through: true,
            ..OneHotCategorical::new(categorical, validate)
        }
    }

    fn probs(&self) -> &Variable {
        self.categorical.probs()
    }

    /// Class indices as one-hot rows of the probabilities' dtype.
    fn one_hot(&self, indices: &Tensor) -> Result<Tensor> {
        indices
            .one_hot(self.categorical.num_events())?
            .to_dtype(self.probs().dtype())
    }
}

impl Distribution for OneHotCategorical {
    fn name(&self) -> &'static str {
        match self.straight_through {
            true => "OneHotCategoricalStraightThrough",
            false => "OneHotCategorical",
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn boxed(&self) -> Box<dyn Distribution> {
        Box::new(self.clone())
    }
    fn has_rsample(&self) -> bool {
        self.straight_through
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        if !self.straight_through {
            return unsupported(self.name(), "rsample (a reparameterized sample)");
        }
        let draws = constant(self.sample(sample_shape)?)?;
        let probs = self.probs();
        draws.add(&probs.sub(&probs.detach())?)
    }
    fn batch_shape(&self) -> Vec<i64> {
        self.categorical.batch_shape()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.categorical.num_events()]
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        self.categorical.params()
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(OneHotCategorical {
            categorical: self.categorical.expanded(batch_shape)?,
            ..self.clone()
        }))
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        self.one_hot(&self.categorical.sample(sample_shape)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            checked(self, true, value, |v| {
                let binary = v
                    .eq_scalar(0.0)?
                    .logical_or(&v.eq_scalar(1.0)?)?
                    .all_dim(-1, false)?;
                binary.logical_and(&v.sum_dim(-1, false)?.eq_scalar(1.0)?)
            })?;
        }
        let indices = value.data().argmax_dim(-1, false)?;
        self.categorical.log_prob(&constant(indices)?)
    }
    fn entropy(&self) -> Result<Variable> {
        self.categorical.entropy()
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.probs().clone())
    }
    fn mode(&self) -> Result<Variable> {
        constant(self.one_hot(&self.probs().data().argmax_dim(-1, false)?)?)
    }
    fn variance(&self) -> Result<Variable> {
        self.probs().mul(&self.probs().rsub_scalar(1)?)
    }
    fn enumerate_support(&self, expand: bool) -> Result<Tensor> {
        let n = self.categorical.num_events();
        let options = options_of(self.probs());
        let batch = self.batch_shape();
        let shape = [vec![n], vec![1; batch.len()], vec![n]].concat();
        let values = Tensor::eye(n, options)?.reshape(&shape)?;
        match expand {
            true => values.expand(&[vec![n], batch, vec![n]].concat()),
            false => Ok(values),
        }
    }
}

/// The number of successes before `total_count` failures, each trial a
/// success with probability `probs`, as `torch.distributions.NegativeBinomial`
/// (`total_count` may be fractional: a Gamma-Poisson mixture).
#[derive(Clone, Debug)]
pub struct NegativeBinomial {
    total_count: Variable,
    probs: Variable,
    logits: Variable,
    validate: bool,
}

impl NegativeBinomial {
    /// `total_count` (non-negative with `validate`) broadcast with the
    /// success probabilities (in `[0, 1)`) or their log-odds (`from_probs`
    /// false).
    pub fn new(
        total_count: &Variable,
        param: &Variable,
        from_probs: bool,
        validate: bool,
    ) -> Result<NegativeBinomial> {
        let name = "NegativeBinomial";
        let (total_count, param) = broadcast_pair(name, total_count, param)?;
        let total_count = total_count.to_dtype(param.dtype())?;
        if validate {
            let nonnegative = Constraint::GreaterThanEq(0.0.into());
            require(name, "total_count", &total_count.data(), &nonnegative)?;
            if from_probs {
                let half_open = Constraint::HalfOpenInterval(0.0.into(), 1.0.into());
                require(name, "probs", &param.data(), &half_open)?;
            }
        }
        let (probs, logits) = probs_and_logits(name, &param, from_probs, validate && !from_probs)?;
        Ok(NegativeBinomial {
            total_count,
            probs,
            logits,
            validate,
        })
    }
}

impl Distribution for NegativeBinomial {
    elementwise!(NegativeBinomial {
        total_count,
        probs,
        logits
    });
    /// PyTorch's Gamma-Poisson draw: a Poisson of a Gamma's draw.
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        crate::no_grad(|| {
            let rate = self.logits.neg()?.exp()?;
            let gamma = Gamma::new(&self.total_count, &rate, false)?;
            gamma.sample(sample_shape)?.poisson()
        })
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative_integer)?;
        let n = &self.total_count;
        let unnormalized = n
            .mul(&crate::logsigmoid(&self.logits.neg()?)?)?
            .add(&value.mul(&crate::logsigmoid(&self.logits)?)?)?;
        let normalization = n
            .add(value)?
            .lgamma()?
            .neg()?
            .add(&value.add_scalar(1.0)?.lgamma()?)?
            .add(&n.lgamma()?)?;
        // No trials and no successes: probability 1, whatever the lgammas say.
        let none = n.add(value)?.data().eq_scalar(0.0)?;
        unnormalized.sub(&normalization.masked_fill(&none, 0.0)?)
    }
    fn entropy(&self) -> Result<Variable> {
        super::unsupported(self.name(), "entropy")
    }
    fn mean(&self) -> Result<Variable> {
        self.total_count.mul(&self.logits.exp()?)
    }
    fn mode(&self) -> Result<Variable> {
        let mode = self.total_count.sub_scalar(1)?.mul(&self.logits.exp()?)?;
        mode.floor()?.clamp_min(0.0)
    }
    fn variance(&self) -> Result<Variable> {
        self.mean()?.div(&self.logits.neg()?.sigmoid()?)
    }
}

/// The counts of each class in `total_count` draws from a Categorical (the
/// event dim is the classes), as `torch.distributions.Multinomial`.
#[derive(Clone, Debug)]
pub struct Multinomial {
    total_count: i64,
    categorical: Categorical,
    validate: bool,
}

impl Multinomial {
    /// `total_count` draws (not negative) from `categorical`'s classes.
    pub fn new(total_count: i64, categorical: Categorical, validate: bool) -> Result<Multinomial> {
        if total_count < 0 {
            bail!(
                Argument,
                "Multinomial: total_count must be non-negative, got {total_count}"
            );
        }
        Ok(Multinomial {
            total_count,
            categorical,
            validate,
        })
    }

    /// The number of draws.
    pub fn total_count(&self) -> i64 {
        self.total_count
    }

    fn probs(&self) -> &Variable {
        self.categorical.probs()
    }

    /// The number of draws as PyTorch's `torch.tensor(total_count)` (int64),
    /// so that what it meets promotes as there.
    fn count_tensor(&self) -> Result<Variable> {
        let device = self.probs().device();
        constant(Tensor::from_i64(&[self.total_count], &[], device)?)
    }
}

impl Distribution for Multinomial {
    bookkeeping!("Multinomial");
    fn batch_shape(&self) -> Vec<i64> {
        self.categorical.batch_shape()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.categorical.num_events()]
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        self.categorical.params()
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Multinomial {
            total_count: self.total_count,
            categorical: self.categorical.expanded(batch_shape)?,
            validate: self.validate,
        }))
    }
    /// As PyTorch's: `total_count` class draws per sample, counted.
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let drawn = self
            .categorical
            .sample(&[&[self.total_count], sample_shape].concat())?;
        // The draws' dim last, to count along it.
        let dims: Vec<i64> = (1..drawn.shape().len() as i64).chain([0]).collect();
        let drawn = drawn.permute(&dims)?;
        let shape = self.extended_shape(sample_shape);
        let options = crate::TensorOptions {
            dtype: drawn.dtype(),
            device: drawn.device(),
        };
        let counts = Tensor::zeros(&shape, options)?;
        counts.scatter_add_(-1, &drawn, &Tensor::ones_like(&drawn)?)?;
        counts.type_as(&self.probs().data())
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            let total = self.total_count as f64;
            checked(self, true, value, |v| {
                let counts = v.ge_scalar(0.0)?.all_dim(-1, false)?;
                counts.logical_and(&v.sum_dim(-1, false)?.le_scalar(total)?)
            })?;
        }
        let shape = super::broadcast_shape(
            self.name(),
            &[self.categorical.logits().shape(), value.shape()],
        )?;
        let logits = super::expanded(self.categorical.logits(), &shape)?;
        let value = super::expanded(value, &shape)?;
        let log_factorial_n = value.sum_dim(-1, false)?.add_scalar(1)?.lgamma()?;
        let log_factorial_xs = value.add_scalar(1)?.lgamma()?.sum_dim(-1, false)?;
        // 0 * log(0) counts as 0: a class never drawn that cannot be.
        let never = value
            .data()
            .eq_scalar(0.0)?
            .logical_and(&logits.data().isneginf()?)?;
        let log_powers = logits
            .masked_fill(&never, 0.0)?
            .mul(&value)?
            .sum_dim(-1, false)?;
        log_factorial_n.sub(&log_factorial_xs)?.add(&log_powers)
    }
    /// PyTorch's sum over the binomial marginals of each class.
    fn entropy(&self) -> Result<Variable> {
        let n = self.count_tensor()?;
        let term1 = n
            .mul(&self.categorical.entropy()?)?
            .sub(&n.add_scalar(1)?.lgamma()?)?;
        let binomial = Binomial::new(&n, self.probs(), true, false)?;
        let support = binomial.enumerate_support(false)?;
        let support = constant(support.narrow(0, 1, self.total_count)?)?;
        let binomial_probs = binomial.log_prob(&support)?.exp()?;
        let weights = support.add_scalar(1)?.lgamma()?;
        term1.add(&binomial_probs.mul(&weights)?.sum_dims(&[0, -1], false)?)
    }
    fn mean(&self) -> Result<Variable> {
        self.probs().mul_scalar(self.total_count as f64)
    }
    fn mode(&self) -> Result<Variable> {
        super::unsupported(self.name(), "mode")
    }
    fn variance(&self) -> Result<Variable> {
        let n = self.total_count as f64;
        self.probs()
            .mul_scalar(n)?
            .mul(&self.probs().rsub_scalar(1)?)
    }
}

/// PyTorch's registered `KL(p || q)` when `p` and `q` are two of one of
/// this module's kinds; `None` otherwise.
pub(super) fn kl_divergence(
    p: &dyn Distribution,
    q: &dyn Distribution,
) -> Option<Result<Variable>> {
    if let Some((p, q)) = both::<Geometric>(p, q) {
        return Some((|| {
            let t = q.probs.neg()?.log1p()?.div(&p.probs)?;
            p.entropy()?.neg()?.sub(&t)?.sub(&q.logits)
        })());
    }
    if let Some((p, q)) = both::<Binomial>(p, q) {
        return Some(kl_binomial(p, q));
    }
    if let Some((p, q)) = both::<OneHotCategorical>(p, q) {
        return Some(super::kl_divergence(&p.categorical, &q.categorical));
    }
    None
}

/// Infinite where `p` has more trials than `q`; `q` with more trials than
/// `p` has no closed form (an Argument error, PyTorch's NotImplementedError).
fn kl_binomial(p: &Binomial, q: &Binomial) -> Result<Variable> {
    let (p_count, q_count) = (p.total_count.data(), q.total_count.data());
    if p_count.lt(&q_count)?.any()?.item()? != 0.0 {
        bail!(
            Argument,
            "kl_divergence: KL between Binomials where q.total_count > p.total_count is not implemented"
        );
    }
    let t = p
        .probs
        .mul(&p.logits.sub(&q.logits)?)?
        .add(&p.probs.neg()?.log1p()?)?
        .sub(&q.probs.neg()?.log1p()?)?;
    let kl = p.total_count.mul(&t)?;
    kl.masked_fill(&p_count.gt(&q_count)?, f64::INFINITY)
}
