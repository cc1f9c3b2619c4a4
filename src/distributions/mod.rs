//! Probability distributions, as `torch.distributions`: [`Normal`],
//! [`Categorical`], [`Bernoulli`], [`Uniform`], [`Exponential`],
//! [`Laplace`], [`Gamma`], [`Beta`], [`Dirichlet`], [`Poisson`],
//! [`Cauchy`], [`Gumbel`], [`HalfNormal`], [`HalfCauchy`], [`LogNormal`], [`StudentT`],
//! [`VonMises`], [`Geometric`], [`Binomial`], [`NegativeBinomial`], [`Multinomial`],
//! [`OneHotCategorical`], [`LogitRelaxedBernoulli`], [`ExpRelaxedCategorical`],
//! [`MultivariateNormal`], [`LowRankMultivariateNormal`], [`Independent`] and [`MixtureSameFamily`], behind one trait
//! ([`Distribution`]), and [`kl_divergence`] between two of a kind. The
//! parameters are Variables, so log-probabilities, entropies, KL
//! divergences and reparameterized samples carry gradients to them; the
//! formulas are the op table's (`normal_log_prob`, `categorical_entropy`,
//! ...), in PyTorch's order, and the draws come from libtorch's generator as
//! PyTorch's do. Python's `flodl.distributions` classes hold one of these
//! and keep only PyTorch's object model.
//!
//! As PyTorch's, a distribution checks its parameters when made with
//! `validate` (PyTorch's `validate_args`, on by default there), and each
//! value given to `log_prob` and `cdf`: an Argument error naming the
//! constraint.

use std::any::Any;

use crate::error::{bail, Result};
use crate::{Tensor, TensorOptions, Variable};
use constraints::{Bound, Constraint};

/// `[0, 1]`, where probabilities live.
pub(crate) const UNIT_INTERVAL: Constraint =
    Constraint::Interval(Bound::Number(0.0), Bound::Number(1.0));

/// The trait's methods that read a distribution's elementwise parameters
/// (the first one's shape is the batch shape): name, shapes, `params`,
/// `expand`, and the bookkeeping.
macro_rules! elementwise {
    ($name:ident { $first:ident $(, $rest:ident)* }) => {
        bookkeeping!(stringify!($name));
        fn batch_shape(&self) -> Vec<i64> {
            self.$first.shape()
        }
        fn params(&self) -> Vec<(&'static str, Variable)> {
            vec![
                (stringify!($first), self.$first.clone()),
                $((stringify!($rest), self.$rest.clone()),)*
            ]
        }
        fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
            Ok(Box::new($name {
                $first: self.$first.expand(batch_shape)?,
                $($rest: self.$rest.expand(batch_shape)?,)*
                validate: self.validate,
            }))
        }
    };
}

/// The trait's methods of a distribution that draws through `rsample`:
/// `has_rsample`, and `sample` as those draws outside the graph.
macro_rules! reparameterized {
    () => {
        fn has_rsample(&self) -> bool {
            true
        }
        fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
            drawn(self, sample_shape)
        }
    };
}

/// The trait's methods these distributions lack (as PyTorch's): entropy
/// and the moments, an Argument error each.
macro_rules! no_moments {
    () => {
        fn entropy(&self) -> Result<Variable> {
            unsupported(self.name(), "entropy")
        }
        fn mean(&self) -> Result<Variable> {
            unsupported(self.name(), "mean")
        }
        fn mode(&self) -> Result<Variable> {
            unsupported(self.name(), "mode")
        }
        fn variance(&self) -> Result<Variable> {
            unsupported(self.name(), "variance")
        }
    };
}

/// Implements the trait's bookkeeping (name, `as_any`, `boxed`).
macro_rules! bookkeeping {
    ($name:expr) => {
        fn name(&self) -> &'static str {
            $name
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn boxed(&self) -> Box<dyn Distribution> {
            Box::new(self.clone())
        }
    };
}

pub mod constraints;
mod continuous;
mod continuous_bernoulli;
mod counts;
mod cross_kl;
mod mixture;
mod multivariate_normal;
mod relaxed;
mod transforms;
mod univariate;

pub use continuous::{Beta, Dirichlet, Exponential, Gamma, Laplace, Poisson, Uniform};
pub use continuous_bernoulli::ContinuousBernoulli;
pub use counts::{Binomial, Geometric, Multinomial, NegativeBinomial, OneHotCategorical};
pub use cross_kl::PAIRS as KL_CROSS_PAIRS;
pub use mixture::MixtureSameFamily;
pub use multivariate_normal::{CovarianceForm, LowRankMultivariateNormal, MultivariateNormal};
pub use relaxed::{ExpRelaxedCategorical, LogitRelaxedBernoulli};
pub use transforms::{
    AbsTransform, AffineTransform, CachedTransform, ComposeTransform, ExpTransform,
    IndependentTransform, InverseTransform, Param, PowerTransform, SigmoidTransform, Sign,
    SoftmaxTransform, SoftplusTransform, StickBreakingTransform, TanhTransform, Transform,
    TransformedDistribution,
};
pub use univariate::{
    Cauchy, FisherSnedecor, Gumbel, Half, HalfBase, HalfCauchy, HalfNormal, InverseGamma,
    Kumaraswamy, LogNormal, LogisticNormal, Pareto, StudentT, VonMises, Weibull,
};

/// What every distribution offers, as `torch.distributions.Distribution`.
/// A method a distribution does not define is an Argument error.
pub trait Distribution: Send + Any {
    /// The class name, for errors (`"Normal"`).
    fn name(&self) -> &'static str;
    /// The shape of a batch of independent distributions.
    fn batch_shape(&self) -> Vec<i64>;
    /// The shape of one draw.
    fn event_shape(&self) -> Vec<i64> {
        Vec::new()
    }
    /// Whether [`rsample`](Distribution::rsample) is defined.
    fn has_rsample(&self) -> bool {
        false
    }
    /// Draws shaped `sample_shape ++ batch_shape ++ event_shape`, outside
    /// the graph.
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor>;
    /// Reparameterized draws, through which gradients reach the parameters.
    fn rsample(&self, _sample_shape: &[i64]) -> Result<Variable> {
        unsupported(self.name(), "rsample (a reparameterized sample)")
    }
    /// The log of the density (or mass) at `value`.
    fn log_prob(&self, value: &Variable) -> Result<Variable>;
    /// The entropy of each distribution of the batch.
    fn entropy(&self) -> Result<Variable>;
    /// The cumulative distribution function at `value`.
    fn cdf(&self, _value: &Variable) -> Result<Variable> {
        unsupported(self.name(), "cdf")
    }
    /// The inverse of the cdf.
    fn icdf(&self, _value: &Variable) -> Result<Variable> {
        unsupported(self.name(), "icdf")
    }
    /// The mean.
    fn mean(&self) -> Result<Variable>;
    /// The most likely value.
    fn mode(&self) -> Result<Variable>;
    /// The variance.
    fn variance(&self) -> Result<Variable>;
    /// The standard deviation.
    fn stddev(&self) -> Result<Variable> {
        self.variance()?.sqrt()
    }
    /// The values of a discrete distribution, along a new first dim
    /// (expanded over the batch with `expand`).
    fn enumerate_support(&self, _expand: bool) -> Result<Tensor> {
        unsupported(self.name(), "enumerate_support")
    }
    /// `sample_shape ++ batch_shape ++ event_shape`.
    fn extended_shape(&self, sample_shape: &[i64]) -> Vec<i64> {
        [sample_shape, &self.batch_shape(), &self.event_shape()].concat()
    }
    /// The parameters by name (`loc`, `probs`, ...), as kept: broadcast
    /// together, normalized.
    fn params(&self) -> Vec<(&'static str, Variable)>;
    /// The same distribution over the batch `batch_shape` (its batch dims
    /// expanded, as `Tensor::expand` does), as PyTorch's
    /// `Distribution.expand`; the parameters are not checked again.
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>>;
    /// This distribution as `Any`, for [`kl_divergence`].
    fn as_any(&self) -> &dyn Any;
    /// A copy (sharing the parameters), for [`Independent`] over it.
    fn boxed(&self) -> Box<dyn Distribution>;
}

pub(crate) fn unsupported<T>(name: &str, what: &str) -> Result<T> {
    bail!(Argument, "{name}: {what} is not implemented for it")
}

/// The shape `shapes` broadcast to, or the Shape error of `name`.
pub(crate) fn broadcast_shape(name: &str, shapes: &[Vec<i64>]) -> Result<Vec<i64>> {
    crate::tensor::broadcast_shapes_of(name, shapes)
}

/// `x` expanded to `shape` (itself when it has it).
pub(crate) fn expanded(x: &Variable, shape: &[i64]) -> Result<Variable> {
    match x.shape() == shape {
        true => Ok(x.clone()),
        false => x.expand(shape),
    }
}

/// PyTorch's parameter check: every element of `ok` holds, or the
/// Argument error naming `parameter` and its `constraint`.
pub(crate) fn check_parameter(
    name: &str,
    parameter: &str,
    ok: &Tensor,
    constraint: &str,
) -> Result<()> {
    match ok.all()?.item()? == 0.0 {
        true => Err(invalid_parameter(name, parameter, constraint)),
        false => Ok(()),
    }
}

/// PyTorch's parameter check by a [`Constraint`]: it holds at every event
/// of `x`, or the Argument error naming `parameter` and the constraint.
pub(crate) fn require(
    name: &str,
    parameter: &str,
    x: &Tensor,
    constraint: &Constraint,
) -> Result<()> {
    check_parameter(
        name,
        parameter,
        &constraint.check(x)?,
        &constraint.to_string(),
    )
}

/// The Argument error of a parameter outside its constraint.
pub(crate) fn invalid_parameter(name: &str, parameter: &str, constraint: &str) -> crate::Error {
    crate::Error::new(
        crate::ErrorKind::Argument,
        format!(
            "{name}: expected parameter {parameter} to satisfy the constraint {constraint}, \
             but found invalid values"
        ),
    )
}

/// PyTorch's check of a value given to `log_prob` or `cdf`: its shape
/// broadcasts with the distribution's, and `support` (given the values as
/// float64, outside the graph) holds at every element.
pub(crate) fn check_value(
    d: &dyn Distribution,
    value: &Variable,
    support: impl Fn(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    let name = d.name();
    let shape = value.shape();
    let event = d.event_shape();
    if !event.is_empty()
        && (shape.len() < event.len() || shape[shape.len() - event.len()..] != event[..])
    {
        bail!(
            Argument,
            "{name}: the value's event shape must be {event:?}"
        );
    }
    if broadcast_shape(name, &[shape.clone(), d.extended_shape(&[])]).is_err() {
        bail!(
            Argument,
            "{name}: the value of shape {shape:?} is not compatible with the batch shape {:?}",
            d.batch_shape()
        );
    }
    let values = value.data().to_dtype(crate::DType::Float64)?;
    if support(&values)?.all()?.item()? == 0.0 {
        bail!(
            Argument,
            "{name}: the value is outside the support of the distribution"
        );
    }
    Ok(())
}

/// Two parameters broadcast together (their shape is the batch shape).
pub(crate) fn broadcast_pair(
    name: &str,
    a: &Variable,
    b: &Variable,
) -> Result<(Variable, Variable)> {
    let shape = broadcast_shape(name, &[a.shape(), b.shape()])?;
    Ok((expanded(a, &shape)?, expanded(b, &shape)?))
}

pub(crate) fn check_positive(name: &str, parameter: &str, x: &Variable) -> Result<()> {
    require(
        name,
        parameter,
        &x.data(),
        &Constraint::GreaterThan(0.0.into()),
    )
}

/// A location and a scale broadcast together; with `validate`, the
/// location not NaN and the scale positive (Normal, Laplace, Cauchy, ...).
pub(crate) fn loc_scale(
    name: &str,
    loc: &Variable,
    scale: &Variable,
    validate: bool,
) -> Result<(Variable, Variable)> {
    let (loc, scale) = broadcast_pair(name, loc, scale)?;
    if validate {
        check_real(name, "loc", &loc)?;
        check_positive(name, "scale", &scale)?;
    }
    Ok((loc, scale))
}

pub(crate) fn check_real(name: &str, parameter: &str, x: &Variable) -> Result<()> {
    require(name, parameter, &x.data(), &Constraint::Real)
}

/// PyTorch's `Distribution.sample` of a distribution that defines only
/// `rsample`: the same draws, outside the graph.
pub(crate) fn drawn(d: &dyn Distribution, sample_shape: &[i64]) -> Result<Tensor> {
    Ok(crate::no_grad(|| d.rsample(sample_shape))?.data())
}

/// [`check_value`] when `validate` says so.
pub(crate) fn checked(
    d: &dyn Distribution,
    validate: bool,
    value: &Variable,
    support: impl Fn(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    match validate {
        true => check_value(d, value, support),
        false => Ok(()),
    }
}

/// The support of the real line: every value but NaN.
pub(crate) fn real(v: &Tensor) -> Result<Tensor> {
    Constraint::Real.check(v)
}

/// The eps of `x`'s floating dtype, for clamping probabilities.
pub(crate) fn eps_of(x: &Variable) -> Result<f64> {
    Ok(x.dtype().finfo()?.eps)
}

/// A constant shaped like `x`, every value `value`.
pub(crate) fn full_like(x: &Variable, value: f64) -> Result<Variable> {
    constant(Tensor::full(&x.shape(), value, options_of(x))?)
}

pub(crate) fn options_of(x: &Variable) -> TensorOptions {
    TensorOptions {
        dtype: x.dtype(),
        device: x.device(),
    }
}

pub(crate) fn constant(t: Tensor) -> Result<Variable> {
    Variable::new(t, false)
}

/// The normal distribution `N(loc, scale**2)`, as
/// `torch.distributions.Normal`.
#[derive(Clone, Debug)]
pub struct Normal {
    loc: Variable,
    scale: Variable,
    validate: bool,
}

impl Normal {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<Normal> {
        let (loc, scale) = loc_scale("Normal", loc, scale, validate)?;
        Ok(Normal {
            loc,
            scale,
            validate,
        })
    }

    /// The mean (broadcast with `scale`).
    pub fn loc(&self) -> &Variable {
        &self.loc
    }

    /// The standard deviation (broadcast with `loc`).
    pub fn scale(&self) -> &Variable {
        &self.scale
    }

    fn checked(&self, value: &Variable) -> Result<()> {
        checked(self, self.validate, value, real)
    }
}

impl Distribution for Normal {
    fn name(&self) -> &'static str {
        "Normal"
    }
    fn batch_shape(&self) -> Vec<i64> {
        self.loc.shape()
    }
    fn has_rsample(&self) -> bool {
        true
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let shape = self.extended_shape(sample_shape);
        Tensor::normal(
            &self.loc.data().expand(&shape)?,
            &self.scale.data().expand(&shape)?,
        )
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let eps = Tensor::normal_sized(0.0, 1.0, &shape, options_of(&self.loc))?;
        self.loc.add(&constant(eps)?.mul(&self.scale)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        crate::normal_log_prob(value, &self.loc, &self.scale)
    }
    fn entropy(&self) -> Result<Variable> {
        crate::normal_entropy(&self.scale)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        crate::normal_cdf(value, &self.loc, &self.scale)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        crate::normal_icdf(value, &self.loc, &self.scale)
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        self.scale.pow_scalar(2)
    }
    fn stddev(&self) -> Result<Variable> {
        Ok(self.scale.clone())
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("loc", self.loc.clone()), ("scale", self.scale.clone())]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Normal {
            loc: self.loc.expand(batch_shape)?,
            scale: self.scale.expand(batch_shape)?,
            validate: self.validate,
        }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn boxed(&self) -> Box<dyn Distribution> {
        Box::new(self.clone())
    }
}

/// A distribution over the class indices `0..K` of the last dim of its
/// parameters, as `torch.distributions.Categorical`.
#[derive(Clone, Debug)]
pub struct Categorical {
    /// Normalized log-probabilities (of given probabilities: their clamped
    /// logs).
    logits: Variable,
    /// Normalized probabilities.
    probs: Variable,
    /// The logits it was made from (the ops normalize them as PyTorch
    /// does), or None when made from probabilities.
    given_logits: Option<Variable>,
    validate: bool,
}

impl Categorical {
    /// From non-negative `probs` (normalized here over the last dim); with
    /// `validate`, they must be non-negative and sum to 1 after normalizing.
    pub fn from_probs(probs: &Variable, validate: bool) -> Result<Categorical> {
        if probs.shape().is_empty() {
            bail!(
                Argument,
                "Categorical: `probs` must be a tensor of at least one dim."
            );
        }
        let probs = probs.div(&probs.sum_dim(-1, true)?)?;
        if validate {
            require("Categorical", "probs", &probs.data(), &Constraint::Simplex)?;
        }
        let eps = eps_of(&probs)?;
        let logits = probs.clamp(eps, 1.0 - eps)?.log()?;
        Ok(Categorical {
            logits,
            probs,
            given_logits: None,
            validate,
        })
    }

    /// This Categorical over the batch `batch_shape`, as a Categorical (what
    /// the distributions built on one expand).
    pub(crate) fn expanded(&self, batch_shape: &[i64]) -> Result<Categorical> {
        let expanded = self.expand(batch_shape)?;
        match expanded.as_any().downcast_ref::<Categorical>() {
            Some(categorical) => Ok(categorical.clone()),
            None => bail!(
                Torch,
                "Categorical.expand: the expanded distribution is another kind"
            ),
        }
    }

    /// From unnormalized `logits` (normalized here over the last dim); with
    /// `validate`, none may be NaN.
    pub fn from_logits(logits: &Variable, validate: bool) -> Result<Categorical> {
        if logits.shape().is_empty() {
            bail!(
                Argument,
                "Categorical: `logits` must be a tensor of at least one dim."
            );
        }
        let normalized = logits.sub(&logits.logsumexp(-1, true)?)?;
        if validate {
            require(
                "Categorical",
                "logits",
                &normalized.data(),
                &Constraint::Real,
            )?;
        }
        Ok(Categorical {
            probs: normalized.softmax(-1)?,
            logits: normalized,
            given_logits: Some(logits.clone()),
            validate,
        })
    }

    /// The normalized probabilities.
    pub fn probs(&self) -> &Variable {
        &self.probs
    }

    /// The normalized log-probabilities.
    pub fn logits(&self) -> &Variable {
        &self.logits
    }

    /// The number of classes `K`.
    pub fn num_events(&self) -> i64 {
        self.probs.shape().last().copied().unwrap_or(0)
    }

    /// The logits the ops take (they normalize given logits as this does).
    fn op_logits(&self) -> &Variable {
        self.given_logits.as_ref().unwrap_or(&self.logits)
    }

    /// The probabilities it was made from (exact zeros and all), for the ops.
    fn kept_probs(&self) -> Option<&Variable> {
        match self.given_logits {
            Some(_) => None,
            None => Some(&self.probs),
        }
    }
}

impl Distribution for Categorical {
    fn name(&self) -> &'static str {
        "Categorical"
    }
    fn batch_shape(&self) -> Vec<i64> {
        let shape = self.probs.shape();
        shape[..shape.len() - 1].to_vec()
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let count: i64 = sample_shape.iter().product();
        let rows = self.probs.data().reshape(&[-1, self.num_events()])?;
        let drawn = rows.multinomial(count, true)?.t()?;
        drawn.reshape(&self.extended_shape(sample_shape))
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            let classes = self.num_events() as f64;
            check_value(self, value, |v| {
                let whole = v.eq(&v.floor()?)?;
                let inside = v.ge_scalar(0.0)?.logical_and(&v.lt_scalar(classes)?)?;
                whole.logical_and(&inside)
            })?;
        }
        crate::categorical_log_prob(self.op_logits(), &value.data(), self.kept_probs())
    }
    fn entropy(&self) -> Result<Variable> {
        crate::categorical_entropy(self.op_logits(), self.kept_probs())
    }
    fn mean(&self) -> Result<Variable> {
        let shape = self.extended_shape(&[]);
        constant(Tensor::full(&shape, f64::NAN, options_of(&self.probs))?)
    }
    fn mode(&self) -> Result<Variable> {
        constant(self.probs.data().argmax_dim(-1, false)?)
    }
    fn variance(&self) -> Result<Variable> {
        self.mean()
    }
    fn enumerate_support(&self, expand: bool) -> Result<Tensor> {
        let options = TensorOptions {
            dtype: crate::DType::Int64,
            device: self.probs.device(),
        };
        enumerate_support(self, 0..self.num_events(), options, expand)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![
            ("probs", self.probs.clone()),
            ("logits", self.logits.clone()),
        ]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let shape = [batch_shape, &[self.num_events()]].concat();
        Ok(Box::new(Categorical {
            logits: self.logits.expand(&shape)?,
            probs: self.probs.expand(&shape)?,
            given_logits: match &self.given_logits {
                Some(given) => Some(given.expand(&shape)?),
                None => None,
            },
            validate: self.validate,
        }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn boxed(&self) -> Box<dyn Distribution> {
        Box::new(self.clone())
    }
}

/// The values `range` (of `options`' dtype and device) along a new first
/// dim, expanded over the batch with `expand`.
pub(crate) fn enumerate_support(
    d: &dyn Distribution,
    range: std::ops::Range<i64>,
    options: TensorOptions,
    expand: bool,
) -> Result<Tensor> {
    let values: Vec<f64> = range.map(|v| v as f64).collect();
    let batch = d.batch_shape();
    let column = [vec![-1], vec![1; batch.len()]].concat();
    let values = Tensor::from_f64(&values, &[values.len() as i64], options.device)?
        .to_dtype(options.dtype)?
        .reshape(&column)?;
    match expand {
        true => values.expand(&[vec![-1], batch].concat()),
        false => Ok(values),
    }
}

/// A distribution over 0 and 1, as `torch.distributions.Bernoulli`.
#[derive(Clone, Debug)]
pub struct Bernoulli {
    logits: Variable,
    probs: Variable,
    /// Whether it was made from probabilities (kept for the ops).
    from_probs: bool,
    validate: bool,
}

impl Bernoulli {
    /// From the probabilities of 1; with `validate`, in `[0, 1]`.
    pub fn from_probs(probs: &Variable, validate: bool) -> Result<Bernoulli> {
        if validate {
            require("Bernoulli", "probs", &probs.data(), &UNIT_INTERVAL)?;
        }
        let eps = eps_of(probs)?;
        let clamped = probs.clamp(eps, 1.0 - eps)?;
        Ok(Bernoulli {
            logits: clamped.log()?.sub(&clamped.neg()?.log1p()?)?,
            probs: probs.clone(),
            from_probs: true,
            validate,
        })
    }

    /// From the log-odds of 1; with `validate`, none may be NaN.
    pub fn from_logits(logits: &Variable, validate: bool) -> Result<Bernoulli> {
        if validate {
            require("Bernoulli", "logits", &logits.data(), &Constraint::Real)?;
        }
        Ok(Bernoulli {
            probs: logits.sigmoid()?,
            logits: logits.clone(),
            from_probs: false,
            validate,
        })
    }

    /// The probabilities of 1.
    pub fn probs(&self) -> &Variable {
        &self.probs
    }

    /// The log-odds of 1.
    pub fn logits(&self) -> &Variable {
        &self.logits
    }

    fn kept_probs(&self) -> Option<&Variable> {
        self.from_probs.then_some(&self.probs)
    }
}

impl Distribution for Bernoulli {
    fn name(&self) -> &'static str {
        "Bernoulli"
    }
    fn batch_shape(&self) -> Vec<i64> {
        self.probs.shape()
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let shape = self.extended_shape(sample_shape);
        self.probs.data().expand(&shape)?.bernoulli()
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            check_value(self, value, |v| {
                v.eq_scalar(0.0)?.logical_or(&v.eq_scalar(1.0)?)
            })?;
        }
        crate::bernoulli_log_prob(&self.logits, value)
    }
    fn entropy(&self) -> Result<Variable> {
        crate::bernoulli_entropy(&self.logits, self.kept_probs())
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.probs.clone())
    }
    fn mode(&self) -> Result<Variable> {
        let probs = self.probs.data();
        let mode = probs.ge_scalar(0.5)?.to_dtype(probs.dtype())?;
        constant(mode.masked_fill(&probs.eq_scalar(0.5)?, f64::NAN)?)
    }
    fn variance(&self) -> Result<Variable> {
        self.probs.mul(&self.probs.rsub_scalar(1.0)?)
    }
    fn enumerate_support(&self, expand: bool) -> Result<Tensor> {
        enumerate_support(self, 0..2, options_of(&self.probs), expand)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![
            ("probs", self.probs.clone()),
            ("logits", self.logits.clone()),
        ]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Bernoulli {
            logits: self.logits.expand(batch_shape)?,
            probs: self.probs.expand(batch_shape)?,
            from_probs: self.from_probs,
            validate: self.validate,
        }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn boxed(&self) -> Box<dyn Distribution> {
        Box::new(self.clone())
    }
}

/// `base` with its rightmost `reinterpreted_batch_ndims` batch dims taken
/// as event dims: log-probabilities and entropies summed over them, as
/// `torch.distributions.Independent`.
pub struct Independent {
    base: Box<dyn Distribution>,
    reinterpreted_batch_ndims: usize,
}

impl std::fmt::Debug for Independent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Independent")
            .field("base", &self.base.name())
            .field("reinterpreted_batch_ndims", &self.reinterpreted_batch_ndims)
            .finish()
    }
}

impl Clone for Independent {
    fn clone(&self) -> Self {
        Independent {
            base: self.base.boxed(),
            reinterpreted_batch_ndims: self.reinterpreted_batch_ndims,
        }
    }
}

impl Independent {
    /// `reinterpreted_batch_ndims` at most the base's batch dims.
    pub fn new(base: Box<dyn Distribution>, reinterpreted_batch_ndims: usize) -> Result<Self> {
        let batch = base.batch_shape().len();
        if reinterpreted_batch_ndims > batch {
            bail!(
                Argument,
                "Independent: expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), \
                 actual {reinterpreted_batch_ndims} vs {batch}"
            );
        }
        Ok(Independent {
            base,
            reinterpreted_batch_ndims,
        })
    }

    /// The distribution whose batch dims it reinterprets.
    pub fn base(&self) -> &dyn Distribution {
        self.base.as_ref()
    }

    /// How many batch dims are event dims.
    pub fn reinterpreted_batch_ndims(&self) -> usize {
        self.reinterpreted_batch_ndims
    }

    fn summed(&self, value: Variable) -> Result<Variable> {
        sum_rightmost(&value, self.reinterpreted_batch_ndims)
    }
}

/// `value` summed over its last `dims` dims.
pub(crate) fn sum_rightmost(value: &Variable, dims: usize) -> Result<Variable> {
    if dims == 0 {
        return Ok(value.clone());
    }
    let shape = value.shape();
    let kept = &shape[..shape.len().saturating_sub(dims)];
    value.reshape(&[kept, &[-1]].concat())?.sum_dim(-1, false)
}

impl Distribution for Independent {
    fn name(&self) -> &'static str {
        "Independent"
    }
    fn batch_shape(&self) -> Vec<i64> {
        let batch = self.base.batch_shape();
        batch[..batch.len() - self.reinterpreted_batch_ndims].to_vec()
    }
    fn event_shape(&self) -> Vec<i64> {
        let batch = self.base.batch_shape();
        let moved = &batch[batch.len() - self.reinterpreted_batch_ndims..];
        [moved, &self.base.event_shape()].concat()
    }
    fn has_rsample(&self) -> bool {
        self.base.has_rsample()
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        self.base.sample(sample_shape)
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        self.base.rsample(sample_shape)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.summed(self.base.log_prob(value)?)
    }
    fn entropy(&self) -> Result<Variable> {
        self.summed(self.base.entropy()?)
    }
    fn mean(&self) -> Result<Variable> {
        self.base.mean()
    }
    fn mode(&self) -> Result<Variable> {
        self.base.mode()
    }
    fn variance(&self) -> Result<Variable> {
        self.base.variance()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        self.base.params()
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let event = self.event_shape();
        let moved = &event[..self.reinterpreted_batch_ndims];
        Ok(Box::new(Independent {
            base: self.base.expand(&[batch_shape, moved].concat())?,
            reinterpreted_batch_ndims: self.reinterpreted_batch_ndims,
        }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn boxed(&self) -> Box<dyn Distribution> {
        Box::new(self.clone())
    }
}

/// `p` and `q` as two distributions of type `D`, if both are.
pub(crate) fn both<'a, D: 'static>(
    p: &'a dyn Distribution,
    q: &'a dyn Distribution,
) -> Option<(&'a D, &'a D)> {
    Some((
        p.as_any().downcast_ref::<D>()?,
        q.as_any().downcast_ref::<D>()?,
    ))
}

/// `KL(p || q)`, batched, for two distributions of one kind (any of this
/// module's), or Independent ones of the same
/// `reinterpreted_batch_ndims` over such; another pair is an Argument
/// error. The formulas are PyTorch's registered ones, in its order.
pub fn kl_divergence(p: &dyn Distribution, q: &dyn Distribution) -> Result<Variable> {
    if let Some((p, q)) = both::<Normal>(p, q) {
        return crate::normal_kl(&p.loc, &p.scale, &q.loc, &q.scale);
    }
    if let Some((p, q)) = both::<Categorical>(p, q) {
        return crate::categorical_kl(p.op_logits(), q.op_logits(), p.kept_probs(), q.kept_probs());
    }
    if let Some((p, q)) = both::<Bernoulli>(p, q) {
        return crate::bernoulli_kl(&p.logits, &q.logits, p.kept_probs(), q.kept_probs());
    }
    if let Some((p, q)) = both::<ContinuousBernoulli>(p, q) {
        return continuous_bernoulli::kl(p, q);
    }
    if let Some((p, q)) = both::<Independent>(p, q) {
        if p.reinterpreted_batch_ndims == q.reinterpreted_batch_ndims {
            return p.summed(kl_divergence(p.base(), q.base())?);
        }
    }
    if let Some(kl) = continuous::kl_divergence(p, q) {
        return kl;
    }
    if let Some(kl) = univariate::kl_divergence(p, q) {
        return kl;
    }
    if let Some(kl) = counts::kl_divergence(p, q) {
        return kl;
    }
    if let Some((p, q)) = both::<MultivariateNormal>(p, q) {
        return multivariate_normal::kl_divergence(p, q);
    }
    if let Some(kl) = cross_kl::kl_between(p, q) {
        return kl;
    }
    bail!(
        Argument,
        "kl_divergence: no KL(p || q) is implemented for p {} and q {}",
        p.name(),
        q.name()
    )
}
