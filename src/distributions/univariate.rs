//! More distributions of elementwise parameters: [`Cauchy`], [`Gumbel`],
//! [`HalfNormal`], [`HalfCauchy`], [`LogNormal`], [`Weibull`], [`Pareto`],
//! [`InverseGamma`], [`FisherSnedecor`], [`Kumaraswamy`], [`LogisticNormal`],
//! [`StudentT`] and [`VonMises`], as
//! `torch.distributions`' (the formulas in PyTorch's order, the draws from
//! libtorch's generator as PyTorch makes them), and the KL divergences
//! PyTorch registers between two of a kind.

use std::any::Any;
use std::f64::consts::PI;

use super::constraints::{Bound, Constraint};
use super::{
    both, broadcast_pair, broadcast_shape, check_positive, check_real, checked, constant, drawn,
    expanded, full_like, loc_scale, options_of, real, unsupported, Distribution, Gamma, Normal,
    Uniform, UNIT_INTERVAL,
};
use super::{
    AffineTransform, ExpTransform, Exponential, Param, PowerTransform, StickBreakingTransform,
    Transform, TransformedDistribution,
};
use crate::error::Result;
use crate::{Tensor, Variable};

/// The Euler-Mascheroni constant (PyTorch's `euler_constant`).
const EULER: f64 = 0.577_215_664_901_532_9;

/// The Cauchy distribution of median `loc` and half width `scale`, as
/// `torch.distributions.Cauchy`.
#[derive(Clone, Debug)]
pub struct Cauchy {
    loc: Variable,
    scale: Variable,
    validate: bool,
}

impl Cauchy {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<Cauchy> {
        let (loc, scale) = loc_scale("Cauchy", loc, scale, validate)?;
        Ok(Cauchy {
            loc,
            scale,
            validate,
        })
    }
}

impl Distribution for Cauchy {
    elementwise!(Cauchy { loc, scale });
    reparameterized!();
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let eps = Tensor::empty(&self.extended_shape(sample_shape), options_of(&self.loc))?;
        eps.cauchy_(0.0, 1.0)?;
        self.loc.add(&constant(eps)?.mul(&self.scale)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let z = value.sub(&self.loc)?.div(&self.scale)?;
        self.scale
            .log()?
            .rsub_scalar(-PI.ln())?
            .sub(&z.pow_scalar(2)?.log1p()?)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let z = value.sub(&self.loc)?.div(&self.scale)?;
        z.atan()?.div_scalar(PI)?.add_scalar(0.5)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        let angle = value.sub_scalar(0.5)?.mul_scalar(PI)?;
        angle.tan()?.mul(&self.scale)?.add(&self.loc)
    }
    fn entropy(&self) -> Result<Variable> {
        self.scale.log()?.add_scalar((4.0 * PI).ln())
    }
    fn mean(&self) -> Result<Variable> {
        full_like(&self.loc, f64::NAN)
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        full_like(&self.loc, f64::INFINITY)
    }
}

/// The circular von Mises distribution of mean angle `loc` and
/// `concentration`, as `torch.distributions.VonMises`: its density is
/// `exp(concentration * cos(x - loc)) / (2 pi I0(concentration))`, values
/// and `loc` angles in radians (draws in `[-pi, pi)`).
#[derive(Clone, Debug)]
pub struct VonMises {
    loc: Variable,
    concentration: Variable,
    validate: bool,
}

impl VonMises {
    /// `loc` and `concentration` broadcast together; with `validate`, `loc`
    /// must not be NaN and `concentration` must be positive.
    pub fn new(loc: &Variable, concentration: &Variable, validate: bool) -> Result<VonMises> {
        let (loc, concentration) = broadcast_pair("VonMises", loc, concentration)?;
        if validate {
            check_real("VonMises", "loc", &loc)?;
            check_positive("VonMises", "concentration", &concentration)?;
        }
        Ok(VonMises {
            loc,
            concentration,
            validate,
        })
    }

    /// The envelope's parameter of Best and Fisher's rejection sampler, as
    /// PyTorch computes it (its Taylor form for a tiny concentration).
    fn proposal_r(kappa: &Tensor) -> Result<Tensor> {
        let tau = kappa
            .pow_scalar(2)?
            .mul_scalar(4.0)?
            .add_scalar(1.0)?
            .sqrt()?
            .add_scalar(1.0)?;
        let rho = tau
            .sub(&tau.mul_scalar(2.0)?.sqrt()?)?
            .div(&kappa.mul_scalar(2.0)?)?;
        let r = rho
            .pow_scalar(2)?
            .add_scalar(1.0)?
            .div(&rho.mul_scalar(2.0)?)?;
        let taylor = kappa.reciprocal()?.add(kappa)?;
        Tensor::where_cond(&kappa.lt_scalar(1e-5)?, &taylor, &r)
    }
}

/// Abramowitz and Stegun's polynomial (9.8.1-9.8.4) at `y`, its
/// coefficients from the constant term up, evaluated as PyTorch's
/// `_eval_poly` (Horner's rule from the last).
fn polynomial(y: &Variable, coefficients: &[f64]) -> Result<Variable> {
    let [rest @ .., next, last] = coefficients else {
        crate::error::bail!(Argument, "polynomial: fewer than two coefficients");
    };
    let mut result = y.mul_scalar(*last)?.add_scalar(*next)?;
    for c in rest.iter().rev() {
        result = y.mul(&result)?.add_scalar(*c)?;
    }
    Ok(result)
}

/// `log(I_order(x))` for `x > 0` (order 0 or 1), PyTorch's approximation
/// of the modified Bessel function of the first kind: a polynomial in
/// `(x / 3.75)**2` below 3.75, the asymptotic form above.
fn log_modified_bessel(x: &Variable, order: usize) -> Result<Variable> {
    const SMALL: [[f64; 7]; 2] = [
        [
            1.0,
            3.5156229,
            3.0899424,
            1.2067492,
            0.2659732,
            0.360768e-1,
            0.45813e-2,
        ],
        [
            0.5,
            0.87890594,
            0.51498869,
            0.15084934,
            0.2658733e-1,
            0.301532e-2,
            0.32411e-3,
        ],
    ];
    const LARGE: [[f64; 9]; 2] = [
        [
            0.39894228,
            0.1328592e-1,
            0.225319e-2,
            -0.157565e-2,
            0.916281e-2,
            -0.2057706e-1,
            0.2635537e-1,
            -0.1647633e-1,
            0.392377e-2,
        ],
        [
            0.39894228,
            -0.3988024e-1,
            -0.362018e-2,
            0.163801e-2,
            -0.1031555e-1,
            0.2282967e-1,
            -0.2895312e-1,
            0.1787654e-1,
            -0.420059e-2,
        ],
    ];
    let y = x.div_scalar(3.75)?;
    let mut small = polynomial(&y.mul(&y)?, &SMALL[order])?;
    if order == 1 {
        small = x.abs()?.mul(&small)?;
    }
    let small = small.log()?;
    let y = x.reciprocal()?.mul_scalar(3.75)?;
    let large = x
        .sub(&x.log()?.mul_scalar(0.5)?)?
        .add(&polynomial(&y, &LARGE[order])?.log()?)?;
    Variable::where_cond(&x.data().lt_scalar(3.75)?, &small, &large)
}

impl Distribution for VonMises {
    elementwise!(VonMises { loc, concentration });
    /// Best and Fisher's rejection sampler, in float64 as PyTorch's (single
    /// precision hangs for a tiny concentration), three uniforms a round
    /// for every element until each has accepted once.
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let double = crate::DType::Float64;
        let loc = self.loc.data().to_dtype(double)?;
        let kappa = self.concentration.data().to_dtype(double)?;
        let r = Self::proposal_r(&kappa)?;
        let shape = self.extended_shape(sample_shape);
        let options = crate::TensorOptions {
            dtype: double,
            device: loc.device(),
        };
        let mut x = Tensor::zeros(&shape, options)?;
        let mut done = Tensor::zeros(&shape, options)?.to_dtype(crate::DType::Bool)?;
        let mut rounds = 0;
        while done.all()?.item()? == 0.0 {
            rounds += 1;
            if rounds > 100_000 {
                crate::error::bail!(
                    Argument,
                    "VonMises.sample: the sampler accepted nothing in {rounds} rounds \
                     (is the concentration NaN?)"
                );
            }
            let u = Tensor::rand(&[&[3], &shape[..]].concat(), options)?.unbind(0)?;
            let [u1, u2, u3] = &u[..] else {
                crate::error::bail!(Argument, "VonMises.sample: three uniforms expected");
            };
            let z = u1.mul_scalar(PI)?.cos()?;
            let f = r.mul(&z)?.add_scalar(1.0)?.div(&r.add(&z)?)?;
            let c = kappa.mul(&r.sub(&f)?)?;
            let first = c.mul(&c.rsub_scalar(2.0)?)?.sub(u2)?.gt_scalar(0.0)?;
            let second = c.div(u2)?.log()?.add_scalar(1.0)?.sub(&c)?.ge_scalar(0.0)?;
            let accept = first.logical_or(&second)?;
            if accept.any()?.item()? != 0.0 {
                let angle = u3.sub_scalar(0.5)?.sign()?.mul(&f.acos()?)?;
                x = Tensor::where_cond(&accept, &angle, &x)?;
                done = done.logical_or(&accept)?;
            }
        }
        let wrapped = x.add_scalar(PI)?.add(&loc)?.remainder_scalar(2.0 * PI)?;
        wrapped.sub_scalar(PI)?.to_dtype(self.loc.dtype())
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let aligned = self.concentration.mul(&value.sub(&self.loc)?.cos()?)?;
        aligned
            .sub_scalar((2.0 * PI).ln())?
            .sub(&log_modified_bessel(&self.concentration, 0)?)
    }
    fn entropy(&self) -> Result<Variable> {
        unsupported(self.name(), "entropy")
    }
    /// The circular mean.
    fn mean(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    /// The circular variance, `1 - I1(concentration) / I0(concentration)`.
    fn variance(&self) -> Result<Variable> {
        let ratio = log_modified_bessel(&self.concentration, 1)?
            .sub(&log_modified_bessel(&self.concentration, 0)?)?
            .exp()?;
        ratio.rsub_scalar(1.0)
    }
}

/// The Gumbel distribution of location `loc` and scale `scale`, as
/// `torch.distributions.Gumbel`.
#[derive(Clone, Debug)]
pub struct Gumbel {
    loc: Variable,
    scale: Variable,
    validate: bool,
}

impl Gumbel {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<Gumbel> {
        let (loc, scale) = loc_scale("Gumbel", loc, scale, validate)?;
        Ok(Gumbel {
            loc,
            scale,
            validate,
        })
    }
}

impl Distribution for Gumbel {
    elementwise!(Gumbel { loc, scale });
    reparameterized!();
    /// As PyTorch's chain: `u` uniform on `[tiny, 1 - eps)`, then
    /// `loc - scale * log(-log(u))`, step by step in its order.
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let options = options_of(&self.loc);
        let finfo = self.loc.dtype().finfo()?;
        let low = Tensor::full(&self.loc.shape(), finfo.tiny, options)?;
        let high = Tensor::full(&self.loc.shape(), 1.0 - finfo.eps, options)?;
        let rand = Tensor::rand(&self.extended_shape(sample_shape), options)?;
        let u = low.add(&rand.mul(&high.sub(&low)?)?)?;
        let inner = constant(u.log()?.neg()?.log()?)?;
        self.loc.add(&self.scale.neg()?.mul(&inner)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let y = self.loc.sub(value)?.div(&self.scale)?;
        y.sub(&y.exp()?)?.sub(&self.scale.log()?)
    }
    fn entropy(&self) -> Result<Variable> {
        self.scale.log()?.add_scalar(1.0 + EULER)
    }
    fn mean(&self) -> Result<Variable> {
        self.loc.add(&self.scale.mul_scalar(EULER)?)
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn stddev(&self) -> Result<Variable> {
        self.scale.mul_scalar(PI / 6f64.sqrt())
    }
    fn variance(&self) -> Result<Variable> {
        self.stddev()?.pow_scalar(2)
    }
}

/// A distribution symmetric about 0 with a scale, folded at 0 by [`Half`]:
/// what the half distributions differ in.
pub trait HalfBase: Distribution + Clone + std::fmt::Debug + 'static {
    /// The half distribution's name.
    const HALF_NAME: &'static str;
    /// The base centred at 0 with `scale` (not checked again).
    fn centred(scale: &Variable) -> Result<Self>;
    /// Its scale.
    fn half_scale(&self) -> &Variable;
    /// The half distribution's mean.
    fn half_mean(&self) -> Result<Variable>;
    /// The half distribution's variance.
    fn half_variance(&self) -> Result<Variable>;
}

impl HalfBase for Normal {
    const HALF_NAME: &'static str = "HalfNormal";
    fn centred(scale: &Variable) -> Result<Self> {
        let zero = constant(Tensor::zeros(&[], options_of(scale))?)?;
        Normal::new(&zero, scale, false)
    }
    fn half_scale(&self) -> &Variable {
        self.scale()
    }
    fn half_mean(&self) -> Result<Variable> {
        self.scale().mul_scalar((2.0 / PI).sqrt())
    }
    fn half_variance(&self) -> Result<Variable> {
        self.scale().pow_scalar(2)?.mul_scalar(1.0 - 2.0 / PI)
    }
}

impl HalfBase for Cauchy {
    const HALF_NAME: &'static str = "HalfCauchy";
    fn centred(scale: &Variable) -> Result<Self> {
        let zero = constant(Tensor::zeros(&[], options_of(scale))?)?;
        Cauchy::new(&zero, scale, false)
    }
    fn half_scale(&self) -> &Variable {
        &self.scale
    }
    fn half_mean(&self) -> Result<Variable> {
        // Infinite, as PyTorch's (the base's mean is undefined).
        let inf = Tensor::full(&self.scale.shape(), f64::INFINITY, options_of(&self.scale))?;
        constant(inf)
    }
    fn half_variance(&self) -> Result<Variable> {
        self.variance()
    }
}

/// `|x|` of `x` drawn from `B` centred at 0, as PyTorch's half
/// distributions (`TransformedDistribution(base, AbsTransform())`):
/// [`HalfNormal`] and [`HalfCauchy`].
#[derive(Clone, Debug)]
pub struct Half<B> {
    base: B,
    validate: bool,
}

/// `|x|` of `x ~ N(0, scale²)`, as `torch.distributions.HalfNormal`.
pub type HalfNormal = Half<Normal>;
/// `|x|` of `x ~ Cauchy(0, scale)`, as `torch.distributions.HalfCauchy`.
pub type HalfCauchy = Half<Cauchy>;

impl<B: HalfBase> Half<B> {
    /// With `validate`, `scale` must be positive.
    pub fn new(scale: &Variable, validate: bool) -> Result<Half<B>> {
        if validate {
            check_positive(B::HALF_NAME, "scale", scale)?;
        }
        Ok(Half {
            base: B::centred(scale)?,
            validate,
        })
    }

    fn scale(&self) -> &Variable {
        self.base.half_scale()
    }

    fn checked(&self, value: &Variable) -> Result<()> {
        checked(self, self.validate, value, |v| v.ge_scalar(0.0))
    }
}

impl<B: HalfBase> Distribution for Half<B> {
    bookkeeping!(B::HALF_NAME);
    fn batch_shape(&self) -> Vec<i64> {
        self.base.batch_shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("scale", self.scale().clone())]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(Half {
            base: B::centred(&self.scale().expand(batch_shape)?)?,
            validate: self.validate,
        }))
    }
    fn has_rsample(&self) -> bool {
        true
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        self.base.sample(sample_shape)?.abs()
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        self.base.rsample(sample_shape)?.abs()
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        let log_prob = self.base.log_prob(value)?.add_scalar(2f64.ln())?;
        // Not `value < 0`: a NaN value is outside too, as PyTorch's where.
        let outside = value.data().ge_scalar(0.0)?.logical_not()?;
        log_prob.masked_fill(&outside, f64::NEG_INFINITY)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        self.checked(value)?;
        self.base.cdf(value)?.mul_scalar(2)?.sub_scalar(1)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        self.base.icdf(&value.add_scalar(1)?.div_scalar(2)?)
    }
    fn entropy(&self) -> Result<Variable> {
        self.base.entropy()?.sub_scalar(2f64.ln())
    }
    fn mean(&self) -> Result<Variable> {
        self.base.half_mean()
    }
    fn mode(&self) -> Result<Variable> {
        constant(Tensor::zeros_like(&self.scale().data())?)
    }
    fn variance(&self) -> Result<Variable> {
        self.base.half_variance()
    }
}

/// `exp(x)` of `x ~ N(loc, scale²)`, as `torch.distributions.LogNormal`.
#[derive(Clone, Debug)]
pub struct LogNormal {
    base: Normal,
    validate: bool,
}

impl LogNormal {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<LogNormal> {
        let (loc, scale) = loc_scale("LogNormal", loc, scale, validate)?;
        Ok(LogNormal {
            base: Normal::new(&loc, &scale, false)?,
            validate,
        })
    }

    fn loc(&self) -> &Variable {
        self.base.loc()
    }

    fn scale(&self) -> &Variable {
        self.base.scale()
    }
}

impl Distribution for LogNormal {
    bookkeeping!("LogNormal");
    fn batch_shape(&self) -> Vec<i64> {
        self.base.batch_shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("loc", self.loc().clone()), ("scale", self.scale().clone())]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(LogNormal {
            base: Normal::new(
                &self.loc().expand(batch_shape)?,
                &self.scale().expand(batch_shape)?,
                false,
            )?,
            validate: self.validate,
        }))
    }
    fn has_rsample(&self) -> bool {
        true
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        self.base.sample(sample_shape)?.exp()
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        self.base.rsample(sample_shape)?.exp()
    }
    /// PyTorch's transformed log-density: `-log|d exp/dx| + base(x)` at
    /// `x = log(value)`.
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| v.gt_scalar(0.0))?;
        let x = value.log()?;
        x.neg()?.add(&self.base.log_prob(&x)?)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| v.gt_scalar(0.0))?;
        self.base.cdf(&value.log()?)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        self.base.icdf(value)?.exp()
    }
    fn entropy(&self) -> Result<Variable> {
        self.base.entropy()?.add(self.loc())
    }
    fn mean(&self) -> Result<Variable> {
        self.loc()
            .add(&self.scale().pow_scalar(2)?.div_scalar(2)?)?
            .exp()
    }
    fn mode(&self) -> Result<Variable> {
        self.loc().sub(&self.scale().square()?)?.exp()
    }
    fn variance(&self) -> Result<Variable> {
        let scale_sq = self.scale().pow_scalar(2)?;
        scale_sq
            .expm1()?
            .mul(&self.loc().mul_scalar(2)?.add(&scale_sq)?.exp()?)
    }
}

/// The trait's methods of a distribution kept as its `transformed`
/// (PyTorch's TransformedDistribution subclasses): the draws, reparameterized,
/// and `cdf`/`icdf`, through it.
macro_rules! through_transformed {
    () => {
        fn has_rsample(&self) -> bool {
            true
        }
        fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
            self.transformed.sample(sample_shape)
        }
        fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
            self.transformed.rsample(sample_shape)
        }
        fn cdf(&self, value: &Variable) -> Result<Variable> {
            self.transformed.cdf(value)
        }
        fn icdf(&self, value: &Variable) -> Result<Variable> {
            self.transformed.icdf(value)
        }
    };
}

/// The trait's bookkeeping, batch shape, parameters, `expand` (through
/// `made(first, second, validate)`) and draws of a distribution of two
/// elementwise parameters pushed through transforms.
macro_rules! pushed_pair {
    ($name:ident { $first:ident, $second:ident }) => {
        bookkeeping!(stringify!($name));
        fn batch_shape(&self) -> Vec<i64> {
            self.$first.shape()
        }
        fn params(&self) -> Vec<(&'static str, Variable)> {
            vec![
                (stringify!($first), self.$first.clone()),
                (stringify!($second), self.$second.clone()),
            ]
        }
        fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
            let $first = self.$first.expand(batch_shape)?;
            let $second = self.$second.expand(batch_shape)?;
            Ok(Box::new($name::made($first, $second, self.validate)?))
        }
        through_transformed!();
    };
}

/// `y = scale * x`, PyTorch's `AffineTransform(0, scale)`.
fn scaled_by(scale: &Variable) -> Box<dyn Transform> {
    Box::new(AffineTransform::new(
        Param::Number(0.0.into()),
        Param::Tensor(scale.clone()),
        0,
    ))
}

/// The Weibull distribution of scale `scale` and shape `concentration`, as
/// `torch.distributions.Weibull`: `scale * x ** (1 / concentration)` of
/// `x ~ Exponential(1)`, drawn and evaluated through those transforms.
#[derive(Clone, Debug)]
pub struct Weibull {
    scale: Variable,
    concentration: Variable,
    transformed: TransformedDistribution,
    validate: bool,
}

impl Weibull {
    /// `scale` and `concentration` broadcast together; with `validate`,
    /// both must be positive.
    pub fn new(scale: &Variable, concentration: &Variable, validate: bool) -> Result<Weibull> {
        let (scale, concentration) = broadcast_pair("Weibull", scale, concentration)?;
        if validate {
            check_positive("Weibull", "scale", &scale)?;
            check_positive("Weibull", "concentration", &concentration)?;
        }
        Self::made(scale, concentration, validate)
    }

    fn made(scale: Variable, concentration: Variable, validate: bool) -> Result<Weibull> {
        let ones = constant(Tensor::ones_like(&scale.data())?)?;
        let power = PowerTransform::new(&concentration.reciprocal()?);
        let transforms = vec![Box::new(power) as Box<dyn Transform>, scaled_by(&scale)];
        let base = Box::new(Exponential::new(&ones, validate)?);
        let transformed = TransformedDistribution::new(base, transforms, validate)?;
        Ok(Weibull {
            scale,
            concentration,
            transformed,
            validate,
        })
    }
}

impl Distribution for Weibull {
    pushed_pair!(Weibull {
        scale,
        concentration
    });
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| v.gt_scalar(0.0))?;
        self.transformed.log_prob(value)
    }
    fn entropy(&self) -> Result<Variable> {
        let reciprocal = self.concentration.reciprocal()?;
        let t1 = reciprocal.rsub_scalar(1.0)?.mul_scalar(EULER)?;
        let t2 = self.scale.mul(&reciprocal)?.log()?;
        t1.add(&t2)?.add_scalar(1.0)
    }
    fn mean(&self) -> Result<Variable> {
        let reciprocal = self.concentration.reciprocal()?;
        self.scale
            .mul(&reciprocal.add_scalar(1.0)?.lgamma()?.exp()?)
    }
    fn mode(&self) -> Result<Variable> {
        let k = &self.concentration;
        let base = k.sub_scalar(1.0)?.div(k)?;
        self.scale.mul(&base.pow(&k.reciprocal()?)?)
    }
    fn variance(&self) -> Result<Variable> {
        let reciprocal = self.concentration.reciprocal()?;
        let second = reciprocal
            .mul_scalar(2.0)?
            .add_scalar(1.0)?
            .lgamma()?
            .exp()?;
        let first = reciprocal
            .add_scalar(1.0)?
            .lgamma()?
            .mul_scalar(2.0)?
            .exp()?;
        self.scale.pow_scalar(2)?.mul(&second.sub(&first)?)
    }
}

/// The Pareto (type I) distribution of scale `scale` and shape `alpha`, as
/// `torch.distributions.Pareto`: `scale * exp(x)` of `x ~
/// Exponential(alpha)`, drawn and evaluated through those transforms.
#[derive(Clone, Debug)]
pub struct Pareto {
    scale: Variable,
    alpha: Variable,
    transformed: TransformedDistribution,
    validate: bool,
}

impl Pareto {
    /// `scale` and `alpha` broadcast together; with `validate`, both must
    /// be positive.
    pub fn new(scale: &Variable, alpha: &Variable, validate: bool) -> Result<Pareto> {
        let (scale, alpha) = broadcast_pair("Pareto", scale, alpha)?;
        if validate {
            check_positive("Pareto", "alpha", &alpha)?;
            check_positive("Pareto", "scale", &scale)?;
        }
        Self::made(scale, alpha, validate)
    }

    fn made(scale: Variable, alpha: Variable, validate: bool) -> Result<Pareto> {
        let transforms = vec![
            Box::new(ExpTransform) as Box<dyn Transform>,
            scaled_by(&scale),
        ];
        let base = Box::new(Exponential::new(&alpha, false)?);
        let transformed = TransformedDistribution::new(base, transforms, validate)?;
        Ok(Pareto {
            scale,
            alpha,
            transformed,
            validate,
        })
    }
}

impl Distribution for Pareto {
    pushed_pair!(Pareto { scale, alpha });
    /// Values from `scale` up, as PyTorch's dependent support.
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        let support = Constraint::GreaterThanEq(Bound::Tensor(self.scale.data()));
        checked(self, self.validate, value, |v| support.check(v))?;
        self.transformed.log_prob(value)
    }
    fn entropy(&self) -> Result<Variable> {
        let t1 = self.scale.div(&self.alpha)?.log()?;
        t1.add(&self.alpha.reciprocal()?.add_scalar(1.0)?)
    }
    /// Infinite where `alpha <= 1`, as PyTorch's (through `alpha` clamped).
    fn mean(&self) -> Result<Variable> {
        let a = self.alpha.clamp_min(1.0)?;
        a.mul(&self.scale)?.div(&a.sub_scalar(1.0)?)
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.scale.clone())
    }
    /// Infinite where `alpha <= 2`, as PyTorch's.
    fn variance(&self) -> Result<Variable> {
        let a = self.alpha.clamp_min(2.0)?;
        let denominator = a.sub_scalar(1.0)?.pow_scalar(2)?.mul(&a.sub_scalar(2.0)?)?;
        self.scale.pow_scalar(2)?.mul(&a)?.div(&denominator)
    }
}

/// The inverse gamma distribution of shape `concentration` and rate `rate`,
/// as `torch.distributions.InverseGamma`: `1 / x` of `x ~
/// Gamma(concentration, rate)`, drawn and evaluated through that transform.
#[derive(Clone, Debug)]
pub struct InverseGamma {
    concentration: Variable,
    rate: Variable,
    transformed: TransformedDistribution,
    validate: bool,
}

impl InverseGamma {
    /// `concentration` and `rate` broadcast together; with `validate`, both
    /// must be positive.
    pub fn new(concentration: &Variable, rate: &Variable, validate: bool) -> Result<InverseGamma> {
        let (concentration, rate) = broadcast_pair("InverseGamma", concentration, rate)?;
        if validate {
            check_positive("InverseGamma", "concentration", &concentration)?;
            check_positive("InverseGamma", "rate", &rate)?;
        }
        Self::made(concentration, rate, validate)
    }

    fn made(concentration: Variable, rate: Variable, validate: bool) -> Result<InverseGamma> {
        // PyTorch's exponent: a 0-dim -1 of the rate's dtype and device.
        let minus_one = constant(Tensor::full(&[], -1.0, options_of(&rate))?)?;
        let transforms = vec![Box::new(PowerTransform::new(&minus_one)) as Box<dyn Transform>];
        let base = Box::new(Gamma::new(&concentration, &rate, false)?);
        let transformed = TransformedDistribution::new(base, transforms, validate)?;
        Ok(InverseGamma {
            concentration,
            rate,
            transformed,
            validate,
        })
    }
}

impl Distribution for InverseGamma {
    pushed_pair!(InverseGamma {
        concentration,
        rate
    });
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| v.gt_scalar(0.0))?;
        self.transformed.log_prob(value)
    }
    fn entropy(&self) -> Result<Variable> {
        let a = &self.concentration;
        a.add(&self.rate.log()?)?
            .add(&a.lgamma()?)?
            .sub(&a.add_scalar(1.0)?.mul(&a.digamma()?)?)
    }
    /// Infinite where `concentration <= 1`, as PyTorch's.
    fn mean(&self) -> Result<Variable> {
        let a = &self.concentration;
        let finite = self.rate.div(&a.sub_scalar(1.0)?)?;
        infinite_unless(&a.data().gt_scalar(1.0)?, &finite)
    }
    fn mode(&self) -> Result<Variable> {
        self.rate.div(&self.concentration.add_scalar(1.0)?)
    }
    /// Infinite where `concentration <= 2`, as PyTorch's.
    fn variance(&self) -> Result<Variable> {
        let a = &self.concentration;
        let denominator = a.sub_scalar(1.0)?.square()?.mul(&a.sub_scalar(2.0)?)?;
        let finite = self.rate.square()?.div(&denominator)?;
        infinite_unless(&a.data().gt_scalar(2.0)?, &finite)
    }
}

/// `finite` where `mask`, infinity elsewhere (PyTorch's `torch.where(mask,
/// x, inf)`: the gradient flows where `mask` holds).
fn infinite_unless(mask: &Tensor, finite: &Variable) -> Result<Variable> {
    Variable::where_cond(mask, finite, &full_like(finite, f64::INFINITY)?)
}

/// Fisher-Snedecor's F distribution of `df1` and `df2` degrees of freedom,
/// as `torch.distributions.FisherSnedecor`: drawn as the ratio of two gamma
/// draws (`Gamma(df / 2, df)`, first `df1`'s, then `df2`'s).
#[derive(Clone, Debug)]
pub struct FisherSnedecor {
    df1: Variable,
    df2: Variable,
    gamma1: Gamma,
    gamma2: Gamma,
    validate: bool,
}

impl FisherSnedecor {
    /// `df1` and `df2` broadcast together; with `validate`, both must be
    /// positive.
    pub fn new(df1: &Variable, df2: &Variable, validate: bool) -> Result<FisherSnedecor> {
        let (df1, df2) = broadcast_pair("FisherSnedecor", df1, df2)?;
        if validate {
            check_positive("FisherSnedecor", "df1", &df1)?;
            check_positive("FisherSnedecor", "df2", &df2)?;
        }
        Self::made(df1, df2, validate)
    }

    fn made(df1: Variable, df2: Variable, validate: bool) -> Result<FisherSnedecor> {
        let gamma1 = Gamma::new(&df1.mul_scalar(0.5)?, &df1, false)?;
        let gamma2 = Gamma::new(&df2.mul_scalar(0.5)?, &df2, false)?;
        Ok(FisherSnedecor {
            df1,
            df2,
            gamma1,
            gamma2,
            validate,
        })
    }
}

impl Distribution for FisherSnedecor {
    bookkeeping!("FisherSnedecor");
    reparameterized!();
    fn batch_shape(&self) -> Vec<i64> {
        self.df1.shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("df1", self.df1.clone()), ("df2", self.df2.clone())]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let df1 = self.df1.expand(batch_shape)?;
        let df2 = self.df2.expand(batch_shape)?;
        Ok(Box::new(FisherSnedecor::made(df1, df2, self.validate)?))
    }
    /// As PyTorch: the denominator's draws, then the ratio, are kept from
    /// the smallest normal number up (clamped in the graph).
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let x1 = self.gamma1.rsample(sample_shape)?;
        let x2 = self.gamma2.rsample(sample_shape)?;
        let tiny = x2.dtype().finfo()?.tiny;
        x1.div(&x2.clamp_min(tiny)?)?.clamp_min(tiny)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| v.gt_scalar(0.0))?;
        let half1 = self.df1.mul_scalar(0.5)?;
        let half2 = self.df2.mul_scalar(0.5)?;
        let ratio = self.df1.div(&self.df2)?;
        let both = half1.add(&half2)?;
        let t1 = both
            .lgamma()?
            .sub(&half1.lgamma()?)?
            .sub(&half2.lgamma()?)?;
        let t2 = half1
            .mul(&ratio.log()?)?
            .add(&half1.sub_scalar(1.0)?.mul(&value.log()?)?)?;
        let t3 = both.mul(&ratio.mul(value)?.log1p()?)?;
        t1.add(&t2)?.sub(&t3)
    }
    fn entropy(&self) -> Result<Variable> {
        unsupported(self.name(), "entropy")
    }
    /// NaN where `df2 <= 2`, as PyTorch's.
    fn mean(&self) -> Result<Variable> {
        let df2 = nan_where(&self.df2.data().le_scalar(2.0)?, &self.df2)?;
        df2.div(&df2.sub_scalar(2.0)?)
    }
    /// NaN where `df1 <= 2`, as PyTorch's.
    fn mode(&self) -> Result<Variable> {
        let (df1, df2) = (&self.df1, &self.df2);
        let mode = df1
            .sub_scalar(2.0)?
            .div(df1)?
            .mul(df2)?
            .div(&df2.add_scalar(2.0)?)?;
        nan_where(&df1.data().le_scalar(2.0)?, &mode)
    }
    /// NaN where `df2 <= 4`, as PyTorch's.
    fn variance(&self) -> Result<Variable> {
        let df1 = &self.df1;
        let df2 = nan_where(&self.df2.data().le_scalar(4.0)?, &self.df2)?;
        let numerator = df2
            .pow_scalar(2)?
            .mul_scalar(2.0)?
            .mul(&df1.add(&df2)?.sub_scalar(2.0)?)?;
        let denominator = df1
            .mul(&df2.sub_scalar(2.0)?.pow_scalar(2)?)?
            .mul(&df2.sub_scalar(4.0)?)?;
        numerator.div(&denominator)
    }
}

/// `x` with NaN where `mask` (PyTorch's `x[mask] = nan`: no gradient
/// reaches `x` there).
fn nan_where(mask: &Tensor, x: &Variable) -> Result<Variable> {
    Variable::where_cond(mask, &full_like(x, f64::NAN)?, x)
}

/// Kumaraswamy's distribution on `[0, 1]` of `concentration1` and
/// `concentration0`, as `torch.distributions.Kumaraswamy`: `(1 - u ** (1 /
/// concentration0)) ** (1 / concentration1)` of `u ~ Uniform(0, 1)`, drawn
/// and evaluated through those transforms.
#[derive(Clone, Debug)]
pub struct Kumaraswamy {
    concentration1: Variable,
    concentration0: Variable,
    transformed: TransformedDistribution,
    validate: bool,
}

impl Kumaraswamy {
    /// The two broadcast together; with `validate`, both must be positive.
    pub fn new(
        concentration1: &Variable,
        concentration0: &Variable,
        validate: bool,
    ) -> Result<Kumaraswamy> {
        let (c1, c0) = broadcast_pair("Kumaraswamy", concentration1, concentration0)?;
        if validate {
            check_positive("Kumaraswamy", "concentration1", &c1)?;
            check_positive("Kumaraswamy", "concentration0", &c0)?;
        }
        Self::made(c1, c0, validate)
    }

    fn made(c1: Variable, c0: Variable, validate: bool) -> Result<Kumaraswamy> {
        let zeros = constant(Tensor::zeros_like(&c0.data())?)?;
        let ones = constant(Tensor::ones_like(&c0.data())?)?;
        let base = Box::new(Uniform::new(&zeros, &ones, validate)?);
        let flip = AffineTransform::new(Param::Number(1.0.into()), Param::Number((-1.0).into()), 0);
        let transforms = vec![
            Box::new(PowerTransform::new(&c0.reciprocal()?)) as Box<dyn Transform>,
            Box::new(flip),
            Box::new(PowerTransform::new(&c1.reciprocal()?)),
        ];
        let transformed = TransformedDistribution::new(base, transforms, validate)?;
        Ok(Kumaraswamy {
            concentration1: c1,
            concentration0: c0,
            transformed,
            validate,
        })
    }

    /// The `n`th moment, `b * B(1 + n / a, b)` (PyTorch's `_moments`).
    fn moment(&self, n: f64) -> Result<Variable> {
        let (a, b) = (&self.concentration1, &self.concentration0);
        let arg = a.reciprocal()?.mul_scalar(n)?.add_scalar(1.0)?;
        let log_value = arg
            .lgamma()?
            .add(&b.lgamma()?)?
            .sub(&arg.add(b)?.lgamma()?)?;
        b.mul(&log_value.exp()?)
    }
}

impl Distribution for Kumaraswamy {
    pushed_pair!(Kumaraswamy {
        concentration1,
        concentration0
    });
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| UNIT_INTERVAL.check(v))?;
        self.transformed.log_prob(value)
    }
    fn entropy(&self) -> Result<Variable> {
        let (c1, c0) = (&self.concentration1, &self.concentration0);
        let t1 = c1.reciprocal()?.rsub_scalar(1.0)?;
        let t0 = c0.reciprocal()?.rsub_scalar(1.0)?;
        let h0 = c0.add_scalar(1.0)?.digamma()?.add_scalar(EULER)?;
        t0.add(&t1.mul(&h0)?)?.sub(&c1.log()?)?.sub(&c0.log()?)
    }
    fn mean(&self) -> Result<Variable> {
        self.moment(1.0)
    }
    /// NaN where either concentration is below 1, as PyTorch's.
    fn mode(&self) -> Result<Variable> {
        let (c1, c0) = (&self.concentration1, &self.concentration0);
        let log_mode = c0
            .reciprocal()?
            .mul(&c0.neg()?.log1p()?)?
            .sub(&c0.neg()?.mul(c1)?.log1p()?)?;
        let below = c0
            .data()
            .lt_scalar(1.0)?
            .logical_or(&c1.data().lt_scalar(1.0)?)?;
        nan_where(&below, &log_mode)?.exp()
    }
    fn variance(&self) -> Result<Variable> {
        self.moment(2.0)?.sub(&self.mean()?.pow_scalar(2)?)
    }
}

/// The logistic normal distribution on the simplex, as
/// `torch.distributions.LogisticNormal`: a `Normal(loc, scale)` over the
/// last dim (one more than a 0-dim `loc` has) through the stick-breaking
/// transform, so its events are one longer than `loc`'s last dim.
#[derive(Clone, Debug)]
pub struct LogisticNormal {
    loc: Variable,
    scale: Variable,
    transformed: TransformedDistribution,
    validate: bool,
}

impl LogisticNormal {
    /// `loc` and `scale` broadcast together; with `validate`, `loc` must not
    /// be NaN and `scale` must be positive.
    pub fn new(loc: &Variable, scale: &Variable, validate: bool) -> Result<LogisticNormal> {
        let (loc, scale) = loc_scale("LogisticNormal", loc, scale, validate)?;
        Self::made(loc, scale, validate)
    }

    fn made(loc: Variable, scale: Variable, validate: bool) -> Result<LogisticNormal> {
        let normal = Normal::new(&loc, &scale, false)?;
        let base: Box<dyn Distribution> = match loc.shape().is_empty() {
            true => normal.expand(&[1])?,
            false => Box::new(normal),
        };
        let transforms = vec![Box::new(StickBreakingTransform) as Box<dyn Transform>];
        let transformed = TransformedDistribution::new(base, transforms, validate)?;
        Ok(LogisticNormal {
            loc,
            scale,
            transformed,
            validate,
        })
    }
}

impl Distribution for LogisticNormal {
    bookkeeping!("LogisticNormal");
    fn batch_shape(&self) -> Vec<i64> {
        self.transformed.batch_shape()
    }
    fn event_shape(&self) -> Vec<i64> {
        self.transformed.event_shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![("loc", self.loc.clone()), ("scale", self.scale.clone())]
    }
    /// `loc` and `scale` expanded to `batch_shape` and their last dim.
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let last = *self.loc.shape().last().unwrap_or(&1);
        let shape = [batch_shape, &[last]].concat();
        let loc = self.loc.expand(&shape)?;
        let scale = self.scale.expand(&shape)?;
        Ok(Box::new(LogisticNormal::made(loc, scale, self.validate)?))
    }
    through_transformed!();
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, |v| Constraint::Simplex.check(v))?;
        self.transformed.log_prob(value)
    }
    no_moments!();
}

/// Student's t distribution of `df` degrees of freedom, location `loc` and
/// scale `scale`, as `torch.distributions.StudentT`.
#[derive(Clone, Debug)]
pub struct StudentT {
    df: Variable,
    loc: Variable,
    scale: Variable,
    validate: bool,
}

impl StudentT {
    /// The three broadcast together; with `validate`, `df` and `scale` must
    /// be positive and `loc` not NaN.
    pub fn new(
        df: &Variable,
        loc: &Variable,
        scale: &Variable,
        validate: bool,
    ) -> Result<StudentT> {
        let shape = broadcast_shape("StudentT", &[df.shape(), loc.shape(), scale.shape()])?;
        let (df, loc, scale) = (
            expanded(df, &shape)?,
            expanded(loc, &shape)?,
            expanded(scale, &shape)?,
        );
        if validate {
            check_positive("StudentT", "df", &df)?;
            check_real("StudentT", "loc", &loc)?;
            check_positive("StudentT", "scale", &scale)?;
        }
        Ok(StudentT {
            df,
            loc,
            scale,
            validate,
        })
    }

    /// `Chi2(df)`, PyTorch's `Gamma(df / 2, 1 / 2)`.
    fn chi2(&self) -> Result<Gamma> {
        let half = constant(Tensor::full(&self.df.shape(), 0.5, options_of(&self.df))?)?;
        Gamma::new(&self.df.mul_scalar(0.5)?, &half, self.validate)
    }

    /// `value` where `df > bound`, `otherwise` elsewhere.
    fn where_df_above(&self, bound: f64, value: &Variable, otherwise: f64) -> Result<Variable> {
        value.masked_fill(&self.df.data().le_scalar(bound)?, otherwise)
    }
}

impl Distribution for StudentT {
    elementwise!(StudentT { df, loc, scale });
    reparameterized!();
    /// `loc + scale * X / sqrt(Z / df)` with `X ~ N(0, 1)` drawn first and
    /// `Z ~ Chi2(df)`, as PyTorch.
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let x = Tensor::empty(&self.extended_shape(sample_shape), options_of(&self.df))?;
        x.normal_(0.0, 1.0)?;
        let z = self.chi2()?.rsample(sample_shape)?;
        let y = constant(x)?.mul(&z.div(&self.df)?.rsqrt()?)?;
        self.loc.add(&self.scale.mul(&y)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let df = &self.df;
        let y = value.sub(&self.loc)?.div(&self.scale)?;
        let z = self
            .scale
            .log()?
            .add(&df.log()?.mul_scalar(0.5)?)?
            .add_scalar(0.5 * PI.ln())?
            .add(&df.mul_scalar(0.5)?.lgamma()?)?
            .sub(&df.add_scalar(1.0)?.mul_scalar(0.5)?.lgamma()?)?;
        let tail = y.pow_scalar(2.0)?.div(df)?.log1p()?;
        df.add_scalar(1.0)?.mul_scalar(-0.5)?.mul(&tail)?.sub(&z)
    }
    fn entropy(&self) -> Result<Variable> {
        let df = &self.df;
        let half_df = df.mul_scalar(0.5)?;
        let half_next = df.add_scalar(1)?.mul_scalar(0.5)?;
        // lgamma(1/2) = log(sqrt(pi))
        let lbeta = half_df
            .lgamma()?
            .add_scalar(0.5 * PI.ln())?
            .sub(&half_next.lgamma()?)?;
        let spread = half_next.digamma()?.sub(&half_df.digamma()?)?;
        self.scale
            .log()?
            .add(&df.add_scalar(1)?.mul_scalar(0.5)?.mul(&spread)?)?
            .add(&df.log()?.mul_scalar(0.5)?)?
            .add(&lbeta)
    }
    fn mean(&self) -> Result<Variable> {
        self.where_df_above(1.0, &self.loc, f64::NAN)
    }
    fn mode(&self) -> Result<Variable> {
        Ok(self.loc.clone())
    }
    fn variance(&self) -> Result<Variable> {
        let df = &self.df;
        let finite = self.scale.pow_scalar(2)?.mul(df)?.div(&df.sub_scalar(2)?)?;
        let above_one = self.where_df_above(2.0, &finite, f64::INFINITY)?;
        self.where_df_above(1.0, &above_one, f64::NAN)
    }
}

/// PyTorch's registered `KL(p || q)` when `p` and `q` are two of one of
/// this module's kinds; `None` otherwise.
pub(super) fn kl_divergence(
    p: &dyn Distribution,
    q: &dyn Distribution,
) -> Option<Result<Variable>> {
    if let Some((p, q)) = both::<Cauchy>(p, q) {
        return Some(kl_cauchy(p, q));
    }
    if let Some((p, q)) = both::<Gumbel>(p, q) {
        return Some(kl_gumbel(p, q));
    }
    if let Some((p, q)) = both::<HalfNormal>(p, q) {
        return Some(super::kl_divergence(&p.base, &q.base));
    }
    if let Some((p, q)) = both::<HalfCauchy>(p, q) {
        return Some(super::kl_divergence(&p.base, &q.base));
    }
    if let Some((p, q)) = both::<LogNormal>(p, q) {
        return Some(super::kl_divergence(&p.base, &q.base));
    }
    if let Some((p, q)) = both::<Pareto>(p, q) {
        return Some(kl_pareto(p, q));
    }
    None
}

fn kl_cauchy(p: &Cauchy, q: &Cauchy) -> Result<Variable> {
    let t1 = p
        .scale
        .add(&q.scale)?
        .pow_scalar(2)?
        .add(&p.loc.sub(&q.loc)?.pow_scalar(2)?)?
        .log()?;
    let t2 = p.scale.mul_scalar(4)?.mul(&q.scale)?.log()?;
    t1.sub(&t2)
}

fn kl_gumbel(p: &Gumbel, q: &Gumbel) -> Result<Variable> {
    let ct1 = p.scale.div(&q.scale)?;
    let ct2 = q.loc.div(&q.scale)?;
    let ct3 = p.loc.div(&q.scale)?;
    let t1 = ct1.log()?.neg()?.sub(&ct2)?.add(&ct3)?;
    let t2 = ct1.mul_scalar(EULER)?;
    let t3 = ct2.add(&ct1.add_scalar(1)?.lgamma()?)?.sub(&ct3)?.exp()?;
    t1.add(&t2)?.add(&t3)?.sub_scalar(1.0 + EULER)
}

/// Infinite where `q`'s support starts above `p`'s.
fn kl_pareto(p: &Pareto, q: &Pareto) -> Result<Variable> {
    let scale_ratio = p.scale.div(&q.scale)?;
    let alpha_ratio = q.alpha.div(&p.alpha)?;
    let t1 = q.alpha.mul(&scale_ratio.log()?)?;
    let t2 = alpha_ratio.log()?.neg()?;
    let result = t1.add(&t2)?.add(&alpha_ratio)?.sub_scalar(1.0)?;
    let uncovered = p.scale.data().lt(&q.scale.data())?;
    result.masked_fill(&uncovered, f64::INFINITY)
}
