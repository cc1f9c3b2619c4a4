//! Transforms of random variables ([`Transform`]: exp, power, sigmoid,
//! softplus, tanh, abs, affine, their inverses and compositions, each with
//! the log-determinant of its Jacobian) and [`TransformedDistribution`], a
//! base distribution pushed through them, as `torch.distributions`'
//! (formulas, shapes and the order of operations PyTorch's).

use std::any::Any;
use std::f64::consts::LN_2;
use std::sync::Mutex;

use super::constraints::Constraint;
use super::{check_value, real, Distribution, Independent, UNIT_INTERVAL};
use crate::error::{bail, Result};
use crate::{Tensor, Variable};

/// A number or a tensor parameter (PyTorch keeps a Python number as a
/// number, which takes the other operand's dtype: ints keep an integer
/// tensor integer).
#[derive(Clone, Debug)]
pub enum Param {
    Number(crate::Scalar),
    Tensor(Variable),
}

impl Param {
    fn shape(&self) -> Vec<i64> {
        match self {
            Param::Number(_) => Vec::new(),
            Param::Tensor(t) => t.shape(),
        }
    }
}

/// The direction of a monotone transform: `+1`/`-1`, or per element.
#[derive(Clone, Debug)]
pub enum Sign {
    Number(f64),
    Tensor(Variable),
}

impl Sign {
    fn times(self, other: Sign) -> Result<Sign> {
        Ok(match (self, other) {
            (Sign::Number(a), Sign::Number(b)) => Sign::Number(a * b),
            (Sign::Number(a), Sign::Tensor(t)) | (Sign::Tensor(t), Sign::Number(a)) => {
                Sign::Tensor(t.mul_scalar(a)?)
            }
            (Sign::Tensor(a), Sign::Tensor(b)) => Sign::Tensor(a.mul(&b)?),
        })
    }
}

/// An invertible (or, for `abs`, a many-to-one) map of values, as
/// `torch.distributions.transforms.Transform`.
pub trait Transform: Send {
    /// The class name, for errors (`"ExpTransform"`).
    fn name(&self) -> String;
    /// `y = f(x)`.
    fn forward(&self, x: &Variable) -> Result<Variable>;
    /// `x = f⁻¹(y)`.
    fn inverse(&self, y: &Variable) -> Result<Variable>;
    /// `log |det df/dx|` at `x` (with `y = f(x)`), per event of the domain.
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable>;
    /// The event dims of the values it takes.
    fn domain_event_dim(&self) -> usize {
        0
    }
    /// The event dims of the values it gives.
    fn codomain_event_dim(&self) -> usize {
        0
    }
    /// Whether it is one-to-one.
    fn bijective(&self) -> bool {
        true
    }
    /// Its direction (for cdfs); an Argument error where it has none.
    fn sign(&self) -> Result<Sign> {
        Ok(Sign::Number(1.0))
    }
    /// Where the values it gives may lie, per element (float64 values).
    fn codomain_check(&self, _values: &Tensor) -> Result<Tensor> {
        bail!(Argument, "{}: no codomain check", self.name())
    }
    /// Where the values it takes may lie, per element: the real line
    /// unless it says otherwise.
    fn domain_check(&self, values: &Tensor) -> Result<Tensor> {
        real(values)
    }
    /// The shape of `f(x)` for `x` of `shape`.
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        Ok(shape.to_vec())
    }
    /// The shape of `f⁻¹(y)` for `y` of `shape`.
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        Ok(shape.to_vec())
    }
    /// A copy (sharing the parameters and the cache).
    fn boxed(&self) -> Box<dyn Transform>;
    /// This transform as `Any`, for comparing two of a kind.
    fn as_any(&self) -> &dyn Any;
}

macro_rules! transform_bookkeeping {
    ($name:literal) => {
        fn name(&self) -> String {
            $name.to_string()
        }
        fn boxed(&self) -> Box<dyn Transform> {
            Box::new(self.clone())
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    };
}

/// `y = exp(x)`.
#[derive(Clone, Debug, Default)]
pub struct ExpTransform;

impl Transform for ExpTransform {
    transform_bookkeeping!("ExpTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        x.exp()
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        y.log()
    }
    fn log_abs_det_jacobian(&self, x: &Variable, _y: &Variable) -> Result<Variable> {
        Ok(x.clone())
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        v.gt_scalar(0.0)
    }
}

/// `y = x ** exponent` on positive values.
#[derive(Clone, Debug)]
pub struct PowerTransform {
    exponent: Variable,
}

impl PowerTransform {
    pub fn new(exponent: &Variable) -> PowerTransform {
        PowerTransform {
            exponent: exponent.clone(),
        }
    }
}

impl Transform for PowerTransform {
    transform_bookkeeping!("PowerTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        x.pow(&self.exponent)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        y.pow(&self.exponent.reciprocal()?)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        self.exponent.mul(y)?.div(x)?.abs()?.log()
    }
    fn sign(&self) -> Result<Sign> {
        Ok(Sign::Tensor(self.exponent.sign()?))
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        v.gt_scalar(0.0)
    }
    fn domain_check(&self, v: &Tensor) -> Result<Tensor> {
        v.gt_scalar(0.0)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        super::broadcast_shape("PowerTransform", &[shape.to_vec(), self.exponent.shape()])
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.forward_shape(shape)
    }
}

/// `y = sigmoid(x)`, kept inside `[tiny, 1 - eps]`.
#[derive(Clone, Debug, Default)]
pub struct SigmoidTransform;

impl Transform for SigmoidTransform {
    transform_bookkeeping!("SigmoidTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        let finfo = x.dtype().finfo()?;
        x.sigmoid()?.clamp(finfo.tiny, 1.0 - finfo.eps)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        let finfo = y.dtype().finfo()?;
        let y = y.clamp(finfo.tiny, 1.0 - finfo.eps)?;
        y.log()?.sub(&y.neg()?.log1p()?)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, _y: &Variable) -> Result<Variable> {
        let below = x.neg()?.softplus(1.0, 20.0)?;
        below.neg()?.sub(&x.softplus(1.0, 20.0)?)
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        UNIT_INTERVAL.check(v)
    }
}

/// `y = softplus(x)` (linear above 20).
#[derive(Clone, Debug, Default)]
pub struct SoftplusTransform;

impl Transform for SoftplusTransform {
    transform_bookkeeping!("SoftplusTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        x.softplus(1.0, 20.0)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        y.neg()?.expm1()?.neg()?.log()?.add(y)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, _y: &Variable) -> Result<Variable> {
        x.neg()?.softplus(1.0, 20.0)?.neg()
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        v.gt_scalar(0.0)
    }
}

/// `y = tanh(x)`; its inverse is not clamped (PyTorch's advice: cache it).
#[derive(Clone, Debug, Default)]
pub struct TanhTransform;

impl Transform for TanhTransform {
    transform_bookkeeping!("TanhTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        x.tanh()
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        y.atanh()
    }
    /// `2 (log 2 - x - softplus(-2x))`, stable for large `|x|`.
    fn log_abs_det_jacobian(&self, x: &Variable, _y: &Variable) -> Result<Variable> {
        let tail = x.mul_scalar(-2.0)?.softplus(1.0, 20.0)?;
        x.rsub_scalar(LN_2)?.sub(&tail)?.mul_scalar(2.0)
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        Constraint::Interval((-1.0).into(), 1.0.into()).check(v)
    }
}

/// `y = |x|` (not one-to-one: its "inverse" is `y` itself).
#[derive(Clone, Debug, Default)]
pub struct AbsTransform;

impl Transform for AbsTransform {
    transform_bookkeeping!("AbsTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        x.abs()
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        Ok(y.clone())
    }
    fn log_abs_det_jacobian(&self, _x: &Variable, _y: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "AbsTransform: log_abs_det_jacobian is not implemented for it"
        )
    }
    fn bijective(&self) -> bool {
        false
    }
    fn sign(&self) -> Result<Sign> {
        bail!(Argument, "AbsTransform: sign is not implemented for it")
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        v.gt_scalar(0.0)
    }
}

/// `y = loc + scale * x`, over events of `event_dim` dims.
#[derive(Clone, Debug)]
pub struct AffineTransform {
    loc: Param,
    scale: Param,
    event_dim: usize,
}

impl AffineTransform {
    pub fn new(loc: Param, scale: Param, event_dim: usize) -> AffineTransform {
        AffineTransform {
            loc,
            scale,
            event_dim,
        }
    }
}

impl Transform for AffineTransform {
    transform_bookkeeping!("AffineTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        let scaled = match &self.scale {
            Param::Number(s) => x.mul_scalar(*s)?,
            Param::Tensor(s) => s.mul(x)?,
        };
        match &self.loc {
            Param::Number(l) => scaled.add_scalar(*l),
            Param::Tensor(l) => l.add(&scaled),
        }
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        let centred = match &self.loc {
            Param::Number(l) => y.sub_scalar(*l)?,
            Param::Tensor(l) => y.sub(l)?,
        };
        match &self.scale {
            Param::Number(s) => centred.div_scalar(*s),
            Param::Tensor(s) => centred.div(s),
        }
    }
    fn log_abs_det_jacobian(&self, x: &Variable, _y: &Variable) -> Result<Variable> {
        let mut shape = x.shape();
        let mut result = match &self.scale {
            Param::Number(s) => {
                let options = super::options_of(x);
                super::constant(Tensor::full(&shape, s.to_f64().abs().ln(), options)?)?
            }
            Param::Tensor(s) => s.abs()?.log()?,
        };
        if self.event_dim > 0 {
            let size = result.shape();
            let kept = size.len().saturating_sub(self.event_dim);
            let flat = [&size[..kept], &[-1]].concat();
            result = result.reshape(&flat)?.sum_dim(-1, false)?;
            shape.truncate(shape.len().saturating_sub(self.event_dim));
        }
        result.expand(&shape)
    }
    fn domain_event_dim(&self) -> usize {
        self.event_dim
    }
    fn codomain_event_dim(&self) -> usize {
        self.event_dim
    }
    fn sign(&self) -> Result<Sign> {
        Ok(match &self.scale {
            Param::Number(s) => Sign::Number(match s.to_f64() {
                s if s > 0.0 => 1.0,
                s if s < 0.0 => -1.0,
                _ => 0.0,
            }),
            Param::Tensor(s) => Sign::Tensor(s.sign()?),
        })
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        real(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        let shapes = [shape.to_vec(), self.loc.shape(), self.scale.shape()];
        super::broadcast_shape("AffineTransform", &shapes)
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.forward_shape(shape)
    }
}

/// `ones(n).cumsum()` of `like`'s dtype and device: `1, 2, ..., n`, as
/// PyTorch's transforms count the places of an event.
fn places(like: &Variable, n: i64) -> Result<Variable> {
    super::constant(Tensor::ones(&[n], super::options_of(like))?.cumsum(0)?)
}

/// The last dim's size, or the Shape error of `name` for a 0-dim value.
fn last_dim(name: &str, shape: &[i64]) -> Result<i64> {
    match shape.last() {
        Some(&n) => Ok(n),
        None => bail!(Shape, "{name}: needs at least one dim, got shape {shape:?}"),
    }
}

/// `y = softmax(x)` over the last dim, as PyTorch's `SoftmaxTransform`
/// (not one-to-one: `inverse` is `log y`, one of the preimages; no
/// log-determinant).
#[derive(Clone, Debug, Default)]
pub struct SoftmaxTransform;

impl Transform for SoftmaxTransform {
    transform_bookkeeping!("SoftmaxTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        last_dim("SoftmaxTransform", &x.shape())?;
        let probs = x.sub(&x.max_dim(-1, true)?)?.exp()?;
        probs.div(&probs.sum_dim(-1, true)?)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        y.log()
    }
    fn log_abs_det_jacobian(&self, _x: &Variable, _y: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "SoftmaxTransform: it is not one-to-one: no log-determinant"
        )
    }
    fn domain_event_dim(&self) -> usize {
        1
    }
    fn codomain_event_dim(&self) -> usize {
        1
    }
    fn bijective(&self) -> bool {
        false
    }
    fn sign(&self) -> Result<Sign> {
        bail!(Argument, "SoftmaxTransform: it is not monotone: no sign")
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        Constraint::Simplex.check(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        last_dim("SoftmaxTransform", shape)?;
        Ok(shape.to_vec())
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.forward_shape(shape)
    }
}

/// The stick-breaking map of `K - 1` reals onto the `K`-simplex, as
/// PyTorch's `StickBreakingTransform` (the bijection `biject_to(simplex)`
/// gives): each coordinate takes a sigmoid's share of what is left.
#[derive(Clone, Debug, Default)]
pub struct StickBreakingTransform;

impl StickBreakingTransform {
    /// `log(n + 1 - [1, ..., n])` for `n` reals: the shift that maps 0 to
    /// the simplex's centre.
    fn log_offset(x: &Variable) -> Result<Variable> {
        let n = last_dim("StickBreakingTransform", &x.shape())?;
        places(x, n)?.rsub_scalar(n + 1)?.log()
    }
}

impl Transform for StickBreakingTransform {
    transform_bookkeeping!("StickBreakingTransform");
    fn forward(&self, x: &Variable) -> Result<Variable> {
        let info = x.dtype().finfo()?;
        let z = x
            .sub(&Self::log_offset(x)?)?
            .sigmoid()?
            .clamp(info.tiny, 1.0 - info.eps)?;
        let left = z.rsub_scalar(1)?.cumprod(-1)?;
        let share = z.pad(&[0, 1], crate::PadMode::Constant, Some(1.0))?;
        share.mul(&left.pad(&[1, 0], crate::PadMode::Constant, Some(1.0))?)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        let n = last_dim("StickBreakingTransform", &y.shape())?;
        let crop = y.narrow(-1, 0, n - 1)?;
        let offset = places(y, n - 1)?.rsub_scalar(n)?;
        // Kept positive where y's last share is about 0 (as PyTorch's).
        let left = crop
            .cumsum(-1)?
            .rsub_scalar(1)?
            .clamp_min(y.dtype().finfo()?.tiny)?;
        crop.log()?.sub(&left.log()?)?.add(&offset.log()?)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        let shifted = x.sub(&Self::log_offset(x)?)?;
        let n = last_dim("StickBreakingTransform", &y.shape())?;
        shifted
            .neg()?
            .add(&crate::logsigmoid(&shifted)?)?
            .add(&y.narrow(-1, 0, n - 1)?.log()?)?
            .sum_dim(-1, false)
    }
    fn domain_event_dim(&self) -> usize {
        1
    }
    fn codomain_event_dim(&self) -> usize {
        1
    }
    fn sign(&self) -> Result<Sign> {
        bail!(Argument, "StickBreakingTransform: it maps vectors: no sign")
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        Constraint::Simplex.check(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        let n = last_dim("StickBreakingTransform", shape)?;
        Ok([&shape[..shape.len() - 1], &[n + 1]].concat())
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        let n = last_dim("StickBreakingTransform", shape)?;
        Ok([&shape[..shape.len() - 1], &[n - 1]].concat())
    }
}

/// The inverse of a bijective transform (PyTorch's `transform.inv`).
pub struct InverseTransform(Box<dyn Transform>);

impl InverseTransform {
    pub fn new(of: Box<dyn Transform>) -> InverseTransform {
        InverseTransform(of)
    }
}

impl Transform for InverseTransform {
    fn name(&self) -> String {
        format!("_InverseTransform({})", self.0.name())
    }
    fn forward(&self, x: &Variable) -> Result<Variable> {
        self.0.inverse(x)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        self.0.forward(y)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        self.0.log_abs_det_jacobian(y, x)?.neg()
    }
    fn domain_event_dim(&self) -> usize {
        self.0.codomain_event_dim()
    }
    fn codomain_event_dim(&self) -> usize {
        self.0.domain_event_dim()
    }
    fn bijective(&self) -> bool {
        self.0.bijective()
    }
    fn sign(&self) -> Result<Sign> {
        self.0.sign()
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.0.domain_check(v)
    }
    fn domain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.0.codomain_check(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.0.inverse_shape(shape)
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.0.forward_shape(shape)
    }
    fn boxed(&self) -> Box<dyn Transform> {
        Box::new(InverseTransform(self.0.boxed()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `base` with the rightmost `reinterpreted_batch_ndims` dims of its values
/// taken as one event, as PyTorch's `IndependentTransform`: the same map,
/// its log-determinant summed over those dims.
pub struct IndependentTransform {
    base: Box<dyn Transform>,
    reinterpreted_batch_ndims: usize,
}

impl IndependentTransform {
    pub fn new(base: Box<dyn Transform>, reinterpreted_batch_ndims: usize) -> IndependentTransform {
        IndependentTransform {
            base,
            reinterpreted_batch_ndims,
        }
    }
}

impl Transform for IndependentTransform {
    fn name(&self) -> String {
        "IndependentTransform".to_string()
    }
    fn forward(&self, x: &Variable) -> Result<Variable> {
        self.base.forward(x)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        self.base.inverse(y)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        let per_base_event = self.base.log_abs_det_jacobian(x, y)?;
        super::sum_rightmost(&per_base_event, self.reinterpreted_batch_ndims)
    }
    fn domain_event_dim(&self) -> usize {
        self.base.domain_event_dim() + self.reinterpreted_batch_ndims
    }
    fn codomain_event_dim(&self) -> usize {
        self.base.codomain_event_dim() + self.reinterpreted_batch_ndims
    }
    fn bijective(&self) -> bool {
        self.base.bijective()
    }
    fn sign(&self) -> Result<Sign> {
        self.base.sign()
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.base.codomain_check(v)
    }
    fn domain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.base.domain_check(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.base.forward_shape(shape)
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.base.inverse_shape(shape)
    }
    fn boxed(&self) -> Box<dyn Transform> {
        Box::new(IndependentTransform::new(
            self.base.boxed(),
            self.reinterpreted_batch_ndims,
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `parts` applied in order (PyTorch's `ComposeTransform`); none: the
/// identity.
pub struct ComposeTransform(Vec<Box<dyn Transform>>);

impl ComposeTransform {
    pub fn new(parts: Vec<Box<dyn Transform>>) -> ComposeTransform {
        ComposeTransform(parts)
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Box<dyn Transform>] {
        &self.0
    }
}

impl Transform for ComposeTransform {
    fn name(&self) -> String {
        "ComposeTransform".to_string()
    }
    fn forward(&self, x: &Variable) -> Result<Variable> {
        self.0
            .iter()
            .try_fold(x.clone(), |x, part| part.forward(&x))
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        self.0
            .iter()
            .rev()
            .try_fold(y.clone(), |y, part| part.inverse(&y))
    }
    /// PyTorch's sum over the parts, each summed over the event dims it
    /// does not see.
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        if self.0.is_empty() {
            return super::constant(Tensor::zeros_like(&x.data())?);
        }
        let mut xs = vec![x.clone()];
        for part in &self.0[..self.0.len() - 1] {
            let next = part.forward(xs.last().unwrap_or(x))?;
            xs.push(next);
        }
        xs.push(y.clone());
        let mut event_dim = self.domain_event_dim();
        let mut total: Option<Variable> = None;
        for (i, part) in self.0.iter().enumerate() {
            let term = part.log_abs_det_jacobian(&xs[i], &xs[i + 1])?;
            let term = super::sum_rightmost(&term, event_dim - part.domain_event_dim())?;
            total = Some(match total {
                None => term,
                Some(t) => t.add(&term)?,
            });
            event_dim = event_dim + part.codomain_event_dim() - part.domain_event_dim();
        }
        total.ok_or_else(|| {
            crate::Error::new(crate::ErrorKind::Torch, "compose: no parts".to_string())
        })
    }
    /// PyTorch's: the most event dims any part needs, traced back from
    /// the last part's codomain.
    fn domain_event_dim(&self) -> usize {
        let Some(last) = self.0.last() else {
            return 0;
        };
        let mut dim = last.codomain_event_dim() as i64;
        for part in self.0.iter().rev() {
            dim += part.domain_event_dim() as i64 - part.codomain_event_dim() as i64;
            dim = dim.max(part.domain_event_dim() as i64);
        }
        dim as usize
    }
    fn codomain_event_dim(&self) -> usize {
        let Some(first) = self.0.first() else {
            return 0;
        };
        let mut dim = first.domain_event_dim() as i64;
        for part in &self.0 {
            dim += part.codomain_event_dim() as i64 - part.domain_event_dim() as i64;
            dim = dim.max(part.codomain_event_dim() as i64);
        }
        dim as usize
    }
    fn bijective(&self) -> bool {
        self.0.iter().all(|p| p.bijective())
    }
    fn sign(&self) -> Result<Sign> {
        self.0
            .iter()
            .try_fold(Sign::Number(1.0), |sign, part| sign.times(part.sign()?))
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        match self.0.last() {
            Some(last) => last.codomain_check(v),
            None => real(v),
        }
    }
    fn domain_check(&self, v: &Tensor) -> Result<Tensor> {
        match self.0.first() {
            Some(first) => first.domain_check(v),
            None => real(v),
        }
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.0
            .iter()
            .try_fold(shape.to_vec(), |s, part| part.forward_shape(&s))
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.0
            .iter()
            .rev()
            .try_fold(shape.to_vec(), |s, part| part.inverse_shape(&s))
    }
    fn boxed(&self) -> Box<dyn Transform> {
        Box::new(ComposeTransform(self.0.iter().map(|p| p.boxed()).collect()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Whether two Variables are one tensor, as PyTorch's cache compares
/// tensor objects (a detached copy of the same memory is another).
fn same_values(a: &Variable, b: &Variable) -> bool {
    crate::ffi::is_same(crate::Operand::raw(a), crate::Operand::raw(b))
}

/// A transform that keeps its last `(x, y)` pair (PyTorch's
/// `cache_size=1`): the inverse of the `y` it gave is that `x` itself, so
/// `log_prob(rsample())` through tanh needs no `atanh` of a saturated value.
pub struct CachedTransform {
    inner: Box<dyn Transform>,
    last: std::sync::Arc<Mutex<Option<(Variable, Variable)>>>,
}

impl CachedTransform {
    pub fn new(inner: Box<dyn Transform>) -> CachedTransform {
        CachedTransform {
            inner,
            last: Default::default(),
        }
    }

    fn remember(&self, x: &Variable, y: &Variable) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some((x.clone(), y.clone()));
    }

    fn recalled(&self, given: &Variable, forward: bool) -> Option<Variable> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let (x, y) = last.as_ref()?;
        match forward {
            true => same_values(x, given).then(|| y.clone()),
            false => same_values(y, given).then(|| x.clone()),
        }
    }
}

impl Transform for CachedTransform {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn forward(&self, x: &Variable) -> Result<Variable> {
        if let Some(y) = self.recalled(x, true) {
            return Ok(y);
        }
        let y = self.inner.forward(x)?;
        self.remember(x, &y);
        Ok(y)
    }
    fn inverse(&self, y: &Variable) -> Result<Variable> {
        if let Some(x) = self.recalled(y, false) {
            return Ok(x);
        }
        let x = self.inner.inverse(y)?;
        self.remember(&x, y);
        Ok(x)
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> Result<Variable> {
        self.inner.log_abs_det_jacobian(x, y)
    }
    fn domain_event_dim(&self) -> usize {
        self.inner.domain_event_dim()
    }
    fn codomain_event_dim(&self) -> usize {
        self.inner.codomain_event_dim()
    }
    fn bijective(&self) -> bool {
        self.inner.bijective()
    }
    fn sign(&self) -> Result<Sign> {
        self.inner.sign()
    }
    fn codomain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.inner.codomain_check(v)
    }
    fn domain_check(&self, v: &Tensor) -> Result<Tensor> {
        self.inner.domain_check(v)
    }
    fn forward_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.inner.forward_shape(shape)
    }
    fn inverse_shape(&self, shape: &[i64]) -> Result<Vec<i64>> {
        self.inner.inverse_shape(shape)
    }
    fn boxed(&self) -> Box<dyn Transform> {
        Box::new(CachedTransform {
            inner: self.inner.boxed(),
            last: self.last.clone(),
        })
    }
    fn as_any(&self) -> &dyn Any {
        self.inner.as_any()
    }
}

/// A base distribution pushed through `transforms`, as
/// `torch.distributions.TransformedDistribution`: draws are the base's
/// transformed; `log_prob` is the base's at the inverse, less each
/// transform's log-Jacobian.
pub struct TransformedDistribution {
    base: Box<dyn Distribution>,
    transforms: Vec<Box<dyn Transform>>,
    batch_shape: Vec<i64>,
    event_shape: Vec<i64>,
    validate: bool,
}

impl std::fmt::Debug for TransformedDistribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.transforms.iter().map(|t| t.name()).collect();
        f.debug_struct("TransformedDistribution")
            .field("base", &self.base.name())
            .field("transforms", &names)
            .finish()
    }
}

impl Clone for TransformedDistribution {
    fn clone(&self) -> Self {
        TransformedDistribution {
            base: self.base.boxed(),
            transforms: self.transforms.iter().map(|t| t.boxed()).collect(),
            batch_shape: self.batch_shape.clone(),
            event_shape: self.event_shape.clone(),
            validate: self.validate,
        }
    }
}

impl TransformedDistribution {
    /// `base` through `transforms` in order: the base expanded where the
    /// transforms broadcast it, and its batch dims that a transform takes
    /// as event dims reinterpreted (as PyTorch).
    pub fn new(
        base: Box<dyn Distribution>,
        transforms: Vec<Box<dyn Transform>>,
        validate: bool,
    ) -> Result<TransformedDistribution> {
        let composed = ComposeTransform::new(transforms.iter().map(|t| t.boxed()).collect());
        let base_shape = [base.batch_shape(), base.event_shape()].concat();
        let base_event_dim = base.event_shape().len();
        let domain_event_dim = composed.domain_event_dim();
        if base_shape.len() < domain_event_dim {
            bail!(
                Argument,
                "TransformedDistribution: base_distribution needs at least {domain_event_dim} dims \
                 but got {base_shape:?}"
            );
        }
        let forward_shape = composed.forward_shape(&base_shape)?;
        let expanded_base_shape = composed.inverse_shape(&forward_shape)?;
        let mut base = base;
        if base_shape != expanded_base_shape {
            let Some(cut) = expanded_base_shape.len().checked_sub(base_event_dim) else {
                bail!(
                    Argument,
                    "TransformedDistribution: the transforms' inverse shape {expanded_base_shape:?} \
                     has fewer dims than the base's event ({base_event_dim})"
                );
            };
            base = base.expand(&expanded_base_shape[..cut])?;
        }
        if domain_event_dim > base_event_dim {
            base = Box::new(Independent::new(base, domain_event_dim - base_event_dim)?);
        }
        let codomain_event_dim = composed.codomain_event_dim();
        let change = codomain_event_dim as i64 - domain_event_dim as i64;
        let event_dim = (codomain_event_dim as i64).max(base_event_dim as i64 + change) as usize;
        if forward_shape.len() < event_dim {
            bail!(
                Argument,
                "TransformedDistribution: the transformed shape {forward_shape:?} has fewer than \
                 {event_dim} event dims"
            );
        }
        let cut = forward_shape.len() - event_dim;
        Ok(TransformedDistribution {
            base,
            transforms,
            batch_shape: forward_shape[..cut].to_vec(),
            event_shape: forward_shape[cut..].to_vec(),
            validate,
        })
    }

    /// The base distribution (expanded or made Independent as needed).
    pub fn base(&self) -> &dyn Distribution {
        self.base.as_ref()
    }

    /// The transforms, in order.
    pub fn transforms(&self) -> &[Box<dyn Transform>] {
        &self.transforms
    }

    fn through(&self, x: Variable) -> Result<Variable> {
        self.transforms.iter().try_fold(x, |x, t| t.forward(&x))
    }

    /// The cdf of the base at the inverse, turned for decreasing maps
    /// (PyTorch's `_monotonize_cdf`).
    fn monotonized(&self, value: Variable) -> Result<Variable> {
        let mut sign = Sign::Number(1.0);
        for t in &self.transforms {
            sign = sign.times(t.sign()?)?;
        }
        match sign {
            Sign::Number(1.0) => Ok(value),
            Sign::Number(s) => value.sub_scalar(0.5)?.mul_scalar(s)?.add_scalar(0.5),
            Sign::Tensor(s) => s.mul(&value.sub_scalar(0.5)?)?.add_scalar(0.5),
        }
    }

    /// PyTorch's check of a value: in the last transform's codomain.
    fn check_support(&self, value: &Variable) -> Result<()> {
        if !self.validate {
            return Ok(());
        }
        match self.transforms.last() {
            Some(last) => check_value(self, value, |v| last.codomain_check(v)),
            None => check_value(self, value, real),
        }
    }
}

impl Distribution for TransformedDistribution {
    fn name(&self) -> &'static str {
        "TransformedDistribution"
    }
    fn batch_shape(&self) -> Vec<i64> {
        self.batch_shape.clone()
    }
    fn event_shape(&self) -> Vec<i64> {
        self.event_shape.clone()
    }
    fn has_rsample(&self) -> bool {
        self.base.has_rsample()
    }
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        crate::no_grad(|| {
            let x = super::constant(self.base.sample(sample_shape)?)?;
            Ok(self.through(x)?.data())
        })
    }
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        self.through(self.base.rsample(sample_shape)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        self.check_support(value)?;
        let mut event_dim = self.event_shape.len() as i64;
        let mut total: Option<Variable> = None;
        let mut y = value.clone();
        for t in self.transforms.iter().rev() {
            let x = t.inverse(&y)?;
            event_dim += t.domain_event_dim() as i64 - t.codomain_event_dim() as i64;
            let dims = (event_dim - t.domain_event_dim() as i64).max(0) as usize;
            let term = super::sum_rightmost(&t.log_abs_det_jacobian(&x, &y)?, dims)?;
            // PyTorch starts from the number 0: 0 - term is -term.
            total = Some(match total {
                None => term.neg()?,
                Some(so_far) => so_far.sub(&term)?,
            });
            y = x;
        }
        let base_dims = (event_dim - self.base.event_shape().len() as i64).max(0) as usize;
        let base = super::sum_rightmost(&self.base.log_prob(&y)?, base_dims)?;
        match total {
            None => Ok(base),
            Some(total) => total.add(&base),
        }
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        let x = self
            .transforms
            .iter()
            .rev()
            .try_fold(value.clone(), |v, t| t.inverse(&v))?;
        self.monotonized(self.base.cdf(&x)?)
    }
    fn icdf(&self, value: &Variable) -> Result<Variable> {
        let x = self.base.icdf(&self.monotonized(value.clone())?)?;
        self.through(x)
    }
    fn entropy(&self) -> Result<Variable> {
        super::unsupported("TransformedDistribution", "entropy")
    }
    fn mean(&self) -> Result<Variable> {
        super::unsupported("TransformedDistribution", "mean")
    }
    fn mode(&self) -> Result<Variable> {
        super::unsupported("TransformedDistribution", "mode")
    }
    fn variance(&self) -> Result<Variable> {
        super::unsupported("TransformedDistribution", "variance")
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        Vec::new()
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let mut shape = [batch_shape, &self.event_shape].concat();
        for t in self.transforms.iter().rev() {
            shape = t.inverse_shape(&shape)?;
        }
        let cut = shape.len() - self.base.event_shape().len().min(shape.len());
        Ok(Box::new(TransformedDistribution {
            base: self.base.expand(&shape[..cut])?,
            transforms: self.transforms.iter().map(|t| t.boxed()).collect(),
            batch_shape: batch_shape.to_vec(),
            event_shape: self.event_shape.clone(),
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
