//! The distributions of a few elementwise parameters: [`Uniform`],
//! [`Exponential`], [`Laplace`], [`Gamma`], [`Beta`], [`Dirichlet`] and
//! [`Poisson`], as `torch.distributions`' (the formulas in PyTorch's order,
//! the draws from libtorch's generator as PyTorch makes them), and the KL
//! divergences PyTorch registers between two of a kind.

use std::any::Any;

use super::constraints::{Bound, Constraint};
use super::{
    both, broadcast_pair, check_positive, checked, constant, drawn, loc_scale, options_of, real,
    Distribution,
};
use super::{require, UNIT_INTERVAL};
use crate::autograd::{apply, Function, FunctionCtx};
use crate::error::{bail, Result};
use crate::ops::Operand;
use crate::{DType, Tensor, Variable};

/// An uninitialized tensor shaped `shape` like `like`, for an in-place draw
/// (PyTorch's `param.new(shape).exponential_()`).
fn empty_like_shaped(like: &Variable, shape: &[i64]) -> Result<Tensor> {
    Tensor::empty(shape, options_of(like))
}

fn nonnegative(v: &Tensor) -> Result<Tensor> {
    v.ge_scalar(0.0)
}

/// The uniform distribution on `[low, high)`, as
/// `torch.distributions.Uniform`.
#[derive(Clone, Debug)]
pub struct Uniform {
    low: Variable,
    high: Variable,
    validate: bool,
}

impl Uniform {
    /// `low` and `high` broadcast together; with `validate`, `low < high`.
    pub fn new(low: &Variable, high: &Variable, validate: bool) -> Result<Uniform> {
        let (low, high) = broadcast_pair("Uniform", low, high)?;
        if validate {
            let below_high = Constraint::LessThan(Bound::Tensor(high.data()));
            require("Uniform", "low", &low.data(), &below_high)?;
        }
        Ok(Uniform {
            low,
            high,
            validate,
        })
    }

    fn width(&self) -> Result<Variable> {
        self.high.sub(&self.low)
    }

    fn checked(&self, value: &Variable) -> Result<()> {
        let low = self.low.data().to_dtype(DType::Float64)?;
        let high = self.high.data().to_dtype(DType::Float64)?;
        checked(self, self.validate, value, |v| {
            v.ge(&low)?.logical_and(&v.le(&high)?)
        })
    }
}

impl Distribution for Uniform {
    elementwise!(Uniform { low, high });
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let rand = constant(Tensor::rand(&shape, options_of(&self.low))?)?;
        self.low.add(&rand.mul(&self.width()?)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        let low = self.low.data();
        let inside_low = low.le(&value.data())?.type_as(&low)?;
        let inside_high = self.high.data().gt(&value.data())?.type_as(&low)?;
        constant(inside_low.mul(&inside_high)?)?
            .log()?
            .sub(&self.width()?.log()?)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        value.sub(&self.low)?.div(&self.width()?)?.clamp(0, 1)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        value.mul(&self.width()?)?.add(&self.low)
    }
    fn entropy(&self) -> Result<Variable> {
        self.width()?.log()
    }
    fn mean(&self) -> Result<Variable> {
        self.high.add(&self.low)?.div_scalar(2)
    }
    fn mode(&self) -> Result<Variable> {
        self.high.mul_scalar(f64::NAN)
    }
    fn variance(&self) -> Result<Variable> {
        self.width()?.pow_scalar(2)?.div_scalar(12)
    }
    fn stddev(&self) -> Result<Variable> {
        self.width()?.div_scalar(12f64.powf(0.5))
    }
}

/// The exponential distribution of rate `rate`, as
/// `torch.distributions.Exponential`.
#[derive(Clone, Debug)]
pub struct Exponential {
    rate: Variable,
    validate: bool,
}

impl Exponential {
    /// With `validate`, `rate` must be positive.
    pub fn new(rate: &Variable, validate: bool) -> Result<Exponential> {
        if validate {
            check_positive("Exponential", "rate", rate)?;
        }
        Ok(Exponential {
            rate: rate.clone(),
            validate,
        })
    }
}

impl Distribution for Exponential {
    elementwise!(Exponential { rate });
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let draws = empty_like_shaped(&self.rate, &self.extended_shape(sample_shape))?;
        draws.exponential_(1.0)?;
        constant(draws)?.div(&self.rate)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative)?;
        self.rate.log()?.sub(&self.rate.mul(value)?)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative)?;
        self.rate.neg()?.mul(value)?.exp()?.rsub_scalar(1)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        value.neg()?.log1p()?.neg()?.div(&self.rate)
    }
    fn entropy(&self) -> Result<Variable> {
        self.rate.log()?.rsub_scalar(1.0)
    }
    fn mean(&self) -> Result<Variable> {
        self.rate.reciprocal()
    }
    fn mode(&self) -> Result<Variable> {
        constant(Tensor::zeros_like(&self.rate.data())?)
    }
    fn variance(&self) -> Result<Variable> {
        self.rate.pow_scalar(-2)
    }
    fn stddev(&self) -> Result<Variable> {
        self.rate.reciprocal()
    }
}

/// The Laplace distribution of location `loc` and scale `scale`, as
/// `torch.distributions.Laplace`.
#[derive(Clone, Debug)]
pub struct Laplace {
    loc: Variable,
    scale: Variable,
    validate: bool,
}

impl Laplace {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<Laplace> {
        let (loc, scale) = loc_scale("Laplace", loc, scale, validate)?;
        Ok(Laplace {
            loc,
            scale,
            validate,
        })
    }

    fn checked(&self, value: &Variable) -> Result<()> {
        checked(self, self.validate, value, real)
    }
}

impl Distribution for Laplace {
    elementwise!(Laplace { loc, scale });
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let eps = self.loc.dtype().finfo()?.eps;
        let u = empty_like_shaped(&self.loc, &self.extended_shape(sample_shape))?;
        u.uniform_(eps - 1.0, 1.0)?;
        let u = constant(u)?;
        let spread = u.abs()?.neg()?.log1p()?;
        self.loc.sub(&self.scale.mul(&u.sign()?)?.mul(&spread)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        let distance = value.sub(&self.loc)?.abs()?.div(&self.scale)?;
        self.scale.mul_scalar(2)?.log()?.neg()?.sub(&distance)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        let d = value.sub(&self.loc)?;
        let tail = d.abs()?.neg()?.div(&self.scale)?.expm1()?;
        d.sign()?.mul_scalar(0.5)?.mul(&tail)?.rsub_scalar(0.5)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        let term = value.sub_scalar(0.5)?;
        let spread = term.abs()?.mul_scalar(-2)?.log1p()?;
        self.loc.sub(&self.scale.mul(&term.sign()?)?.mul(&spread)?)
    }
    fn entropy(&self) -> Result<Variable> {
        self.scale.mul_scalar(2)?.log()?.add_scalar(1)
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        self.scale.pow_scalar(2)?.mul_scalar(2)
    }
    fn stddev(&self) -> Result<Variable> {
        self.scale.mul_scalar(2f64.powf(0.5))
    }
}

/// The gamma distribution of shape `concentration` and rate `rate`, as
/// `torch.distributions.Gamma`.
#[derive(Clone, Debug)]
pub struct Gamma {
    concentration: Variable,
    rate: Variable,
    validate: bool,
}

impl Gamma {
    /// `concentration` and `rate` broadcast together; with `validate`, both
    /// must be positive.
    pub fn new(concentration: &Variable, rate: &Variable, validate: bool) -> Result<Gamma> {
        let (concentration, rate) = broadcast_pair("Gamma", concentration, rate)?;
        if validate {
            check_positive("Gamma", "concentration", &concentration)?;
            check_positive("Gamma", "rate", &rate)?;
        }
        Ok(Gamma {
            concentration,
            rate,
            validate,
        })
    }
}

impl Distribution for Gamma {
    elementwise!(Gamma {
        concentration,
        rate
    });
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let standard = self.concentration.expand(&shape)?.standard_gamma()?;
        let value = standard.div(&self.rate.expand(&shape)?)?;
        // As PyTorch: draws that underflow to 0 become the smallest normal
        // number, in place and outside the graph.
        let tiny = value.dtype().finfo()?.tiny;
        value.data().clamp_min_(tiny)?;
        Ok(value)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative)?;
        let (alpha, rate) = (&self.concentration, &self.rate);
        alpha
            .xlogy(rate)?
            .add(&alpha.sub_scalar(1)?.xlogy(value)?)?
            .sub(&rate.mul(value)?)?
            .sub(&alpha.lgamma()?)
    }
    /// The regularized lower incomplete gamma function of `concentration`
    /// at `rate * value`, as PyTorch's (differentiable in `value` and
    /// `rate`, not in `concentration`, as libtorch's).
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, nonnegative)?;
        self.concentration.igamma(&self.rate.mul(value)?)
    }
    fn entropy(&self) -> Result<Variable> {
        let alpha = &self.concentration;
        alpha
            .sub(&self.rate.log()?)?
            .add(&alpha.lgamma()?)?
            .add(&alpha.rsub_scalar(1.0)?.mul(&alpha.digamma()?)?)
    }
    fn mean(&self) -> Result<Variable> {
        self.concentration.div(&self.rate)
    }
    fn mode(&self) -> Result<Variable> {
        self.concentration
            .sub_scalar(1)?
            .div(&self.rate)?
            .clamp_min(0)
    }
    fn variance(&self) -> Result<Variable> {
        self.concentration.div(&self.rate.pow_scalar(2)?)
    }
}

/// libtorch's Dirichlet draws with PyTorch's reparameterized gradient
/// (`torch.distributions.dirichlet._Dirichlet`): libtorch's
/// `_sample_dirichlet` has none of its own.
struct DirichletDraw;

impl Function for DirichletDraw {
    fn name() -> &'static str {
        "_Dirichlet"
    }
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let alpha = &inputs[0];
        let x: Tensor = crate::ops::run("Dirichlet.rsample", &[alpha.raw()], || {
            alpha.raw().f_internal_sample_dirichlet()
        })?;
        ctx.save_for_backward(&[&x, alpha]);
        Ok(vec![x])
    }
    fn backward(ctx: &FunctionCtx, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let (Some(grad), [x, alpha]) = (&grads[0], ctx.saved_tensors()?) else {
            return Ok(vec![None]);
        };
        let total = alpha.sum_dim(-1, true)?.expand_as(alpha)?;
        let raws = [x.raw(), alpha.raw(), total.raw()];
        let slope: Tensor = crate::ops::run("Dirichlet.rsample backward", &raws, || {
            tch::Tensor::f_internal_dirichlet_grad(x.raw(), alpha.raw(), total.raw())
        })?;
        let centred = grad.sub(&x.mul(grad)?.sum_dim(-1, true)?)?;
        Ok(vec![Some(slope.mul(&centred)?)])
    }
}

/// The Dirichlet distribution over the simplex of the last dim of
/// `concentration`, as `torch.distributions.Dirichlet`.
#[derive(Clone, Debug)]
pub struct Dirichlet {
    concentration: Variable,
    validate: bool,
}

impl Dirichlet {
    /// `concentration` of at least one dim (the event dim); with
    /// `validate`, positive.
    pub fn new(concentration: &Variable, validate: bool) -> Result<Dirichlet> {
        if concentration.shape().is_empty() {
            bail!(
                Argument,
                "Dirichlet: `concentration` parameter must be at least one-dimensional."
            );
        }
        if validate {
            let constraint = Constraint::GreaterThan(0.0.into()).independent(1);
            require(
                "Dirichlet",
                "concentration",
                &concentration.data(),
                &constraint,
            )?;
        }
        Ok(Dirichlet {
            concentration: concentration.clone(),
            validate,
        })
    }

    fn classes(&self) -> i64 {
        self.concentration.shape().last().copied().unwrap_or(0)
    }
}

impl Distribution for Dirichlet {
    bookkeeping!("Dirichlet");
    fn batch_shape(&self) -> Vec<i64> {
        let shape = self.concentration.shape();
        shape[..shape.len() - 1].to_vec()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.classes()]
    }
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let alpha = self
            .concentration
            .expand(&self.extended_shape(sample_shape))?;
        Ok(apply::<DirichletDraw>(&[&alpha])?.remove(0))
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| Constraint::Simplex.check(v))?;
        let alpha = &self.concentration;
        alpha
            .sub_scalar(1.0)?
            .xlogy(value)?
            .sum_dim(-1, false)?
            .add(&alpha.sum_dim(-1, false)?.lgamma()?)?
            .sub(&alpha.lgamma()?.sum_dim(-1, false)?)
    }
    fn entropy(&self) -> Result<Variable> {
        let alpha = &self.concentration;
        let a0 = alpha.sum_dim(-1, false)?;
        let spread = alpha.sub_scalar(1.0)?.mul(&alpha.digamma()?)?;
        alpha
            .lgamma()?
            .sum_dim(-1, false)?
            .sub(&a0.lgamma()?)?
            .sub(&a0.rsub_scalar(self.classes())?.mul(&a0.digamma()?)?)?
            .sub(&spread.sum_dim(-1, false)?)
    }
    fn mean(&self) -> Result<Variable> {
        let alpha = &self.concentration;
        alpha.div(&alpha.sum_dim(-1, true)?)
    }
    fn mode(&self) -> Result<Variable> {
        let alpha = &self.concentration;
        let above_one = alpha.sub_scalar(1)?.clamp_min(0.0)?;
        let mode = above_one.div(&above_one.sum_dim(-1, true)?)?;
        // Where every concentration is below 1 the density peaks at a
        // vertex: PyTorch's one-hot of the (NaN) row's argmax there.
        let corner = alpha.data().lt_scalar(1.0)?.all_dim(-1, true)?;
        let vertex = (mode.data().argmax_dim(-1, false)?)
            .one_hot(self.classes())?
            .to_dtype(mode.dtype())?
            .mul(&corner.to_dtype(mode.dtype())?)?;
        mode.masked_fill(&corner, 0.0)?.add(&constant(vertex)?)
    }
    fn variance(&self) -> Result<Variable> {
        let alpha = &self.concentration;
        let a0 = alpha.sum_dim(-1, true)?;
        alpha
            .mul(&a0.sub(alpha)?)?
            .div(&a0.pow_scalar(2)?.mul(&a0.add_scalar(1)?)?)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("concentration", self.concentration.clone())]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(self.expanded(batch_shape)?))
    }
}

impl Dirichlet {
    fn expanded(&self, batch_shape: &[i64]) -> Result<Dirichlet> {
        let shape = [batch_shape, &[self.classes()]].concat();
        Ok(Dirichlet {
            concentration: self.concentration.expand(&shape)?,
            validate: self.validate,
        })
    }
}

/// The beta distribution on `[0, 1]`, as `torch.distributions.Beta`: a
/// Dirichlet over two classes, as PyTorch builds it.
#[derive(Clone, Debug)]
pub struct Beta {
    dirichlet: Dirichlet,
    validate: bool,
}

impl Beta {
    /// `concentration1` (alpha) and `concentration0` (beta) broadcast
    /// together; with `validate`, positive (checked as the Dirichlet's
    /// concentration, as PyTorch does).
    pub fn new(
        concentration1: &Variable,
        concentration0: &Variable,
        validate: bool,
    ) -> Result<Beta> {
        let (c1, c0) = broadcast_pair("Beta", concentration1, concentration0)?;
        let both = Variable::stack(&[c1, c0], -1)?;
        Ok(Beta {
            dirichlet: Dirichlet::new(&both, validate)?,
            validate,
        })
    }

    /// `alpha`, the weight of 1.
    pub fn concentration1(&self) -> Result<Variable> {
        self.dirichlet.concentration.select(-1, 0)
    }

    /// `beta`, the weight of 0.
    pub fn concentration0(&self) -> Result<Variable> {
        self.dirichlet.concentration.select(-1, 1)
    }
}

impl Distribution for Beta {
    bookkeeping!("Beta");
    fn batch_shape(&self) -> Vec<i64> {
        self.dirichlet.batch_shape()
    }
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        self.dirichlet.rsample(sample_shape)?.select(-1, 0)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| UNIT_INTERVAL.check(v))?;
        let heads_tails = Variable::stack(&[value.clone(), value.rsub_scalar(1.0)?], -1)?;
        self.dirichlet.log_prob(&heads_tails)
    }
    fn entropy(&self) -> Result<Variable> {
        self.dirichlet.entropy()
    }
    fn mean(&self) -> Result<Variable> {
        let c1 = self.concentration1()?;
        c1.div(&c1.add(&self.concentration0()?)?)
    }
    fn mode(&self) -> Result<Variable> {
        self.dirichlet.mode()?.select(-1, 0)
    }
    fn variance(&self) -> Result<Variable> {
        let (c1, c0) = (self.concentration1()?, self.concentration0()?);
        let total = c1.add(&c0)?;
        c1.mul(&c0)?
            .div(&total.pow_scalar(2)?.mul(&total.add_scalar(1)?)?)
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        let mut params = self.dirichlet.params();
        if let (Ok(c1), Ok(c0)) = (self.concentration1(), self.concentration0()) {
            params.extend([("concentration1", c1), ("concentration0", c0)]);
        }
        params
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Beta {
            dirichlet: self.dirichlet.expanded(batch_shape)?,
            validate: self.validate,
        }))
    }
}

/// The Poisson distribution of rate `rate`, as
/// `torch.distributions.Poisson`.
#[derive(Clone, Debug)]
pub struct Poisson {
    rate: Variable,
    validate: bool,
}

impl Poisson {
    /// With `validate`, `rate` must be non-negative.
    pub fn new(rate: &Variable, validate: bool) -> Result<Poisson> {
        if validate {
            let nonnegative = Constraint::GreaterThanEq(0.0.into());
            require("Poisson", "rate", &rate.data(), &nonnegative)?;
        }
        Ok(Poisson {
            rate: rate.clone(),
            validate,
        })
    }
}

impl Distribution for Poisson {
    elementwise!(Poisson { rate });
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let shape = self.extended_shape(sample_shape);
        self.rate.data().expand(&shape)?.poisson()
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| {
            v.eq(&v.floor()?)?.logical_and(&v.ge_scalar(0.0)?)
        })?;
        value
            .xlogy(&self.rate)?
            .sub(&self.rate)?
            .sub(&value.add_scalar(1)?.lgamma()?)
    }
    fn entropy(&self) -> Result<Variable> {
        super::unsupported("Poisson", "entropy")
    }
    fn mean(&self) -> Result<Variable> {
        Ok(self.rate.clone())
    }
    fn mode(&self) -> Result<Variable> {
        self.rate.floor()
    }
    fn variance(&self) -> Result<Variable> {
        Ok(self.rate.clone())
    }
}

/// PyTorch's registered `KL(p || q)` when `p` and `q` are two of one of
/// this module's kinds; `None` otherwise.
pub(super) fn kl_divergence(
    p: &dyn Distribution,
    q: &dyn Distribution,
) -> Option<Result<Variable>> {
    if let Some((p, q)) = both::<Uniform>(p, q) {
        return Some(kl_uniform(p, q));
    }
    if let Some((p, q)) = both::<Exponential>(p, q) {
        return Some(kl_exponential(p, q));
    }
    if let Some((p, q)) = both::<Laplace>(p, q) {
        return Some(kl_laplace(p, q));
    }
    if let Some((p, q)) = both::<Gamma>(p, q) {
        return Some(kl_gamma(p, q));
    }
    if let Some((p, q)) = both::<Beta>(p, q) {
        return Some(kl_beta(p, q));
    }
    if let Some((p, q)) = both::<Dirichlet>(p, q) {
        return Some(kl_dirichlet(p, q));
    }
    if let Some((p, q)) = both::<Poisson>(p, q) {
        return Some(kl_poisson(p, q));
    }
    None
}

/// Infinite where `q`'s interval does not cover `p`'s.
fn kl_uniform(p: &Uniform, q: &Uniform) -> Result<Variable> {
    let ratio = q.width()?.div(&p.width()?)?.log()?;
    let uncovered =
        (q.low.data().gt(&p.low.data())?).logical_or(&q.high.data().lt(&p.high.data())?)?;
    ratio.masked_fill(&uncovered, f64::INFINITY)
}

fn kl_exponential(p: &Exponential, q: &Exponential) -> Result<Variable> {
    let rate_ratio = q.rate.div(&p.rate)?;
    rate_ratio.log()?.neg()?.add(&rate_ratio)?.sub_scalar(1)
}

fn kl_laplace(p: &Laplace, q: &Laplace) -> Result<Variable> {
    let scale_ratio = p.scale.div(&q.scale)?;
    let loc_abs_diff = p.loc.sub(&q.loc)?.abs()?;
    let t1 = scale_ratio.log()?.neg()?;
    let t2 = loc_abs_diff.div(&q.scale)?;
    let t3 = scale_ratio.mul(&loc_abs_diff.neg()?.div(&p.scale)?.exp()?)?;
    t1.add(&t2)?.add(&t3)?.sub_scalar(1)
}

fn kl_gamma(p: &Gamma, q: &Gamma) -> Result<Variable> {
    let (pa, qa) = (&p.concentration, &q.concentration);
    let t1 = qa.mul(&p.rate.div(&q.rate)?.log()?)?;
    let t2 = qa.lgamma()?.sub(&pa.lgamma()?)?;
    let t3 = pa.sub(qa)?.mul(&pa.digamma()?)?;
    let t4 = q.rate.sub(&p.rate)?.mul(&pa.div(&p.rate)?)?;
    t1.add(&t2)?.add(&t3)?.add(&t4)
}

fn kl_beta(p: &Beta, q: &Beta) -> Result<Variable> {
    let (p1, p0) = (p.concentration1()?, p.concentration0()?);
    let (q1, q0) = (q.concentration1()?, q.concentration0()?);
    let sum_p = p1.add(&p0)?;
    let sum_q = q1.add(&q0)?;
    let t1 = q1.lgamma()?.add(&q0.lgamma()?)?.add(&sum_p.lgamma()?)?;
    let t2 = p1.lgamma()?.add(&p0.lgamma()?)?.add(&sum_q.lgamma()?)?;
    let t3 = p1.sub(&q1)?.mul(&p1.digamma()?)?;
    let t4 = p0.sub(&q0)?.mul(&p0.digamma()?)?;
    let t5 = sum_q.sub(&sum_p)?.mul(&sum_p.digamma()?)?;
    t1.sub(&t2)?.add(&t3)?.add(&t4)?.add(&t5)
}

fn kl_dirichlet(p: &Dirichlet, q: &Dirichlet) -> Result<Variable> {
    let (pa, qa) = (&p.concentration, &q.concentration);
    let sum_p = pa.sum_dim(-1, false)?;
    let sum_q = qa.sum_dim(-1, false)?;
    let t1 = sum_p.lgamma()?.sub(&sum_q.lgamma()?)?;
    let t2 = pa.lgamma()?.sub(&qa.lgamma()?)?.sum_dim(-1, false)?;
    let t3 = pa.sub(qa)?;
    let t4 = pa.digamma()?.sub(&sum_p.digamma()?.unsqueeze(-1)?)?;
    t1.sub(&t2)?.add(&t3.mul(&t4)?.sum_dim(-1, false)?)
}

fn kl_poisson(p: &Poisson, q: &Poisson) -> Result<Variable> {
    let log_ratio = p.rate.log()?.sub(&q.rate.log()?)?;
    p.rate.mul(&log_ratio)?.sub(&p.rate.sub(&q.rate)?)
}
