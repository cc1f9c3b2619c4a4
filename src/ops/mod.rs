//! The differentiable op catalogue (SPEC §5), written once and expanded for
//! both [`Tensor`](crate::Tensor) (no graph) and
//! [`Variable`](crate::Variable) (graph recorded by libtorch's autograd).
//!
//! Adding an op means adding one `op!` entry to [`impl_ops`]; the Python
//! bindings and the op-info tests each have one matching table.

use crate::error::{Error, ErrorKind, Result};

/// A type the op table is expanded for: a handle on one libtorch tensor.
pub(crate) trait Operand: Sized {
    fn raw(&self) -> &tch::Tensor;
    fn from_raw(raw: tch::Tensor) -> Self;
}

/// `[2, 3] float32 cpu`: what an error message says of one operand.
pub(crate) fn describe(t: &tch::Tensor) -> String {
    let dtype = crate::DType::from_kind(t.kind())
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| format!("{:?}", t.kind()));
    let device = match crate::Device::from_tch(t.device()) {
        Ok(d) => d.to_string(),
        Err(_) => format!("{:?}", t.device()),
    };
    format!("{:?} {dtype} {device}", t.size())
}

/// Runs `f`, turning a libtorch failure into an [`Error`] that names `op`
/// and its operands.
pub(crate) fn run<T: Operand>(
    op: &str,
    operands: &[&tch::Tensor],
    f: impl FnOnce() -> std::result::Result<tch::Tensor, tch::TchError>,
) -> Result<T> {
    f().map(T::from_raw).map_err(|err| {
        let context = operands.iter().map(|t| describe(t)).collect::<Vec<_>>();
        Error::from_torch(op, &context.join(" and "), err)
    })
}

/// Checks that `matmul` can multiply `a` by `b`, with the message of SPEC §4.
pub(crate) fn check_matmul(a: &tch::Tensor, b: &tch::Tensor) -> Result<()> {
    let (sa, sb) = (a.size(), b.size());
    if sa.is_empty() || sb.is_empty() {
        return Err(Error::new(
            ErrorKind::Shape,
            format!("matmul: both operands need at least one dimension, got {sa:?} and {sb:?}"),
        ));
    }
    let inner_a = sa[sa.len() - 1];
    let inner_b = if sb.len() == 1 {
        sb[0]
    } else {
        sb[sb.len() - 2]
    };
    if inner_a != inner_b {
        return Err(Error::new(
            ErrorKind::Shape,
            format!("matmul: cannot multiply {sa:?} by {sb:?} ({inner_a} != {inner_b})"),
        ));
    }
    Ok(())
}

/// One method of the op table: `name(args) [other operands] |x| body`, where
/// `x` is `self`'s libtorch tensor and `body` a fallible tch call.
macro_rules! op {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) [$($other:expr),*] $(check $check:expr;)? |$x:ident| $body:expr) => {
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) -> $crate::Result<Self> {
            use $crate::ops::Operand as _;
            let $x = self.raw();
            $($check?;)?
            $crate::ops::run(stringify!($name), &[$x $(, $other.raw())*], || $body)
        }
    };
}

/// Expands the op table as methods of `$T` (an [`Operand`]).
macro_rules! impl_ops {
    ($T:ident) => {
        impl $T {
            // --- arithmetic ---
            $crate::ops::op!(/// `self + other`, broadcasting.
                add(other: &$T) [other] |x| x.f_add(other.raw()));
            $crate::ops::op!(/// `self - other`, broadcasting.
                sub(other: &$T) [other] |x| x.f_sub(other.raw()));
            $crate::ops::op!(/// `self * other` elementwise, broadcasting.
                mul(other: &$T) [other] |x| x.f_mul(other.raw()));
            $crate::ops::op!(/// `self / other` elementwise, broadcasting (true division).
                div(other: &$T) [other] |x| x.f_div(other.raw()));
            $crate::ops::op!(/// Matrix product with `torch.matmul`'s batching and broadcasting.
                matmul(other: &$T) [other]
                check $crate::ops::check_matmul(x, other.raw());
                |x| x.f_matmul(other.raw()));
            $crate::ops::op!(/// `self * scalar`.
                mul_scalar(scalar: f64) [] |x| x.f_mul_scalar(scalar));
            $crate::ops::op!(/// `self + scalar`.
                add_scalar(scalar: f64) [] |x| x.f_add_scalar(scalar));
            $crate::ops::op!(/// `self / scalar`.
                div_scalar(scalar: f64) [] |x| x.f_div_scalar(scalar));
            $crate::ops::op!(/// `-self`.
                neg() [] |x| x.f_neg());
            // --- activation ---
            $crate::ops::op!(/// `max(self, 0)` elementwise.
                relu() [] |x| x.f_relu());
            $crate::ops::op!(/// `1 / (1 + exp(-self))` elementwise.
                sigmoid() [] |x| x.f_sigmoid());
            $crate::ops::op!(/// Hyperbolic tangent, elementwise.
                tanh() [] |x| x.f_tanh());
            // --- math ---
            $crate::ops::op!(/// `e ** self`, elementwise.
                exp() [] |x| x.f_exp());
            $crate::ops::op!(/// Natural logarithm, elementwise.
                log() [] |x| x.f_log());
            $crate::ops::op!(/// `1 / self`, elementwise.
                reciprocal() [] |x| x.f_reciprocal());
            $crate::ops::op!(/// `self ** exponent`, elementwise.
                pow_scalar(exponent: f64) [] |x| x.f_pow_tensor_scalar(exponent));
            // --- reduction ---
            $crate::ops::op!(/// Sum of all elements, as a 0-dimensional result.
                sum() [] |x| x.f_sum(None::<tch::Kind>));
            $crate::ops::op!(/// Mean of all elements, as a 0-dimensional result.
                mean() [] |x| x.f_mean(None::<tch::Kind>));
        }
    };
}

pub(crate) use impl_ops;
pub(crate) use op;
