//! The regions a distribution's parameters and values live in, as
//! `torch.distributions.constraints`: [`Constraint::check`] is a Bool
//! tensor with one element per event, computed as PyTorch computes it, and
//! `Display` is PyTorch's repr for float bounds (Rust's float formatting;
//! an integer bound shows as a float, a tensor bound by its shape). The
//! distributions check their parameters with these; Python's `constraints`
//! objects call the same checks (and keep PyTorch's reprs themselves).

use std::fmt;

use crate::error::Result;
use crate::Tensor;

/// A constraint's bound: a number, or a tensor broadcast against the value
/// (a distribution's parameter, as `interval(low, high)` of a Uniform).
#[derive(Clone, Debug)]
pub enum Bound {
    Number(f64),
    Tensor(Tensor),
}

impl From<f64> for Bound {
    fn from(value: f64) -> Self {
        Bound::Number(value)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Number(x) => write!(f, "{x:?}"),
            Bound::Tensor(t) => write!(f, "tensor{:?}", t.shape()),
        }
    }
}

/// PyTorch's constraints (those with a fixed formula; `independent`
/// reinterprets the last dims of another as one event).
#[derive(Clone, Debug)]
pub enum Constraint {
    Real,
    Boolean,
    OneHot,
    Simplex,
    LowerCholesky,
    PositiveDefinite,
    GreaterThan(Bound),
    GreaterThanEq(Bound),
    LessThan(Bound),
    Interval(Bound, Bound),
    HalfOpenInterval(Bound, Bound),
    IntegerInterval(Bound, Bound),
    IntegerGreaterThan(Bound),
    /// Non-negative counts along the last dim summing to at most the bound.
    Multinomial(Bound),
    /// The base constraint holding over the last `ndims` dims together.
    Independent(Box<Constraint>, usize),
}

impl Constraint {
    /// This constraint over the last `ndims` dims as one event.
    pub fn independent(self, ndims: usize) -> Constraint {
        Constraint::Independent(Box::new(self), ndims)
    }

    /// Whether each event of `value` lies in the region: Bool, of `value`'s
    /// shape less the event's dims.
    pub fn check(&self, value: &Tensor) -> Result<Tensor> {
        use Constraint::*;
        match self {
            Real => value.isnan()?.logical_not(),
            Boolean => value.eq_scalar(0.0)?.logical_or(&value.eq_scalar(1.0)?),
            OneHot => {
                let boolean = Boolean.check(value)?.all_dim(-1, false)?;
                boolean.logical_and(&value.sum_dim(-1, false)?.eq_scalar(1.0)?)
            }
            Simplex => {
                let nonnegative = value.ge_scalar(0.0)?.all_dim(-1, false)?;
                let total = value.sum_dim(-1, false)?.sub_scalar(1.0)?.abs()?;
                nonnegative.logical_and(&total.lt_scalar(1e-6)?)
            }
            LowerCholesky => {
                let lower = value.tril(0)?.eq(value)?.all_dim(-1, false)?;
                let lower = lower.all_dim(-1, false)?;
                let diagonal = value.diagonal(0, -2, -1)?.gt_scalar(0.0)?;
                lower.logical_and(&diagonal.all_dim(-1, false)?)
            }
            PositiveDefinite => positive_definite(value),
            GreaterThan(b) => compare(value, b, Tensor::gt_scalar, Tensor::gt),
            GreaterThanEq(b) => compare(value, b, Tensor::ge_scalar, Tensor::ge),
            LessThan(b) => compare(value, b, Tensor::lt_scalar, Tensor::lt),
            Interval(low, high) => GreaterThanEq(low.clone())
                .check(value)?
                .logical_and(&compare(value, high, Tensor::le_scalar, Tensor::le)?),
            HalfOpenInterval(low, high) => GreaterThanEq(low.clone())
                .check(value)?
                .logical_and(&LessThan(high.clone()).check(value)?),
            IntegerInterval(low, high) => {
                integral(value)?.logical_and(&Interval(low.clone(), high.clone()).check(value)?)
            }
            IntegerGreaterThan(low) => {
                integral(value)?.logical_and(&GreaterThanEq(low.clone()).check(value)?)
            }
            Multinomial(upper) => {
                let nonnegative = value.ge_scalar(0.0)?.all_dim(-1, false)?;
                let total = value.sum_dim(-1, false)?;
                let within = compare(&total, upper, Tensor::le_scalar, Tensor::le)?;
                nonnegative.logical_and(&within)
            }
            Independent(base, ndims) => {
                let mut ok = base.check(value)?;
                for _ in 0..*ndims {
                    ok = ok.all_dim(-1, false)?;
                }
                Ok(ok)
            }
        }
    }

    /// How many of the value's last dims make one event.
    pub fn event_dim(&self) -> usize {
        use Constraint::*;
        match self {
            OneHot | Simplex | Multinomial(_) => 1,
            LowerCholesky | PositiveDefinite => 2,
            Independent(base, ndims) => base.event_dim() + ndims,
            _ => 0,
        }
    }

    /// Whether the region holds only whole values.
    pub fn is_discrete(&self) -> bool {
        use Constraint::*;
        match self {
            Boolean | OneHot | IntegerInterval(..) | IntegerGreaterThan(_) | Multinomial(_) => true,
            Independent(base, _) => base.is_discrete(),
            _ => false,
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Constraint::*;
        match self {
            Real => write!(f, "Real()"),
            Boolean => write!(f, "Boolean()"),
            OneHot => write!(f, "OneHot()"),
            Simplex => write!(f, "Simplex()"),
            LowerCholesky => write!(f, "LowerCholesky()"),
            PositiveDefinite => write!(f, "PositiveDefinite()"),
            GreaterThan(b) => write!(f, "GreaterThan(lower_bound={b})"),
            GreaterThanEq(b) => write!(f, "GreaterThanEq(lower_bound={b})"),
            LessThan(b) => write!(f, "LessThan(upper_bound={b})"),
            Interval(l, h) => write!(f, "Interval(lower_bound={l}, upper_bound={h})"),
            HalfOpenInterval(l, h) => {
                write!(f, "HalfOpenInterval(lower_bound={l}, upper_bound={h})")
            }
            IntegerInterval(l, h) => {
                write!(f, "IntegerInterval(lower_bound={l}, upper_bound={h})")
            }
            IntegerGreaterThan(b) => write!(f, "IntegerGreaterThan(lower_bound={b})"),
            Multinomial(_) => write!(f, "Multinomial()"), // PyTorch's shows no bound
            Independent(base, ndims) => write!(f, "IndependentConstraint({base}, {ndims})"),
        }
    }
}

/// `value` against `bound`: a number by `by_number`, a tensor (broadcast)
/// by `by_tensor`.
fn compare(
    value: &Tensor,
    bound: &Bound,
    by_number: fn(&Tensor, f64) -> Result<Tensor>,
    by_tensor: fn(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    match bound {
        Bound::Number(x) => by_number(value, *x),
        Bound::Tensor(t) => by_tensor(value, t),
    }
}

/// Whether each value is a whole number (`value % 1 == 0`).
fn integral(value: &Tensor) -> Result<Tensor> {
    value.remainder_scalar(1.0)?.eq_scalar(0.0)
}

/// PyTorch's check: square, then symmetric (within `atol` 1e-6), then a
/// Cholesky factor exists; the first that fails anywhere is the answer.
fn positive_definite(value: &Tensor) -> Result<Tensor> {
    let shape = value.shape();
    let n = shape.len();
    let batch = &shape[..n.saturating_sub(2)];
    if n < 2 || shape[n - 1] != shape[n - 2] {
        let options = crate::TensorOptions {
            dtype: crate::DType::Bool,
            device: value.device(),
        };
        return Tensor::zeros(batch, options);
    }
    let transposed = value.transpose(-2, -1)?;
    let symmetric = value.isclose(&transposed, 1e-5, 1e-6, false)?;
    let symmetric = symmetric.all_dim(-1, false)?.all_dim(-1, false)?;
    if symmetric.all()?.item()? == 0.0 {
        return Ok(symmetric);
    }
    let (_, info) = value.linalg_cholesky_ex(false, false)?;
    info.eq_scalar(0.0)
}
