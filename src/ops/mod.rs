//! The differentiable op catalogue (SPEC §5), written once and expanded for
//! both [`Tensor`](crate::Tensor) (no graph) and
//! [`Variable`](crate::Variable) (graph recorded by libtorch's autograd).
//!
//! Here: the machinery (`op!`, `run`, result conversion, shared checks).
//! `catalogue.rs` holds the method table (`impl_ops!`, one `op!` line per
//! op), `nn.rs` the free functions. Adding an op means one line there; the
//! Python bindings and the op-info tests each have one matching table.

use crate::error::{Error, ErrorKind, Result};

/// What the op table and the nn functions are written for: [`Tensor`](crate::Tensor)
/// (no graph) and [`Variable`](crate::Variable) (graph recorded). Each is a
/// handle on one libtorch tensor; the trait is implemented by those two only.
pub trait Operand: Sized {
    #[doc(hidden)]
    fn raw(&self) -> &tch::Tensor;
    #[doc(hidden)]
    fn from_raw(raw: tch::Tensor) -> Self;
}

/// How a libtorch result becomes a flodl result: one tensor, a pair of
/// (values, indices), a list.
pub(crate) trait FromTch<Raw> {
    fn from_tch(raw: Raw) -> Self;
}

impl<T: Operand> FromTch<tch::Tensor> for T {
    fn from_tch(raw: tch::Tensor) -> Self {
        T::from_raw(raw)
    }
}

impl<A: Operand, B: Operand> FromTch<(tch::Tensor, tch::Tensor)> for (A, B) {
    fn from_tch((a, b): (tch::Tensor, tch::Tensor)) -> Self {
        (A::from_raw(a), B::from_raw(b))
    }
}

impl<T: Operand> FromTch<Vec<tch::Tensor>> for Vec<T> {
    fn from_tch(raw: Vec<tch::Tensor>) -> Self {
        raw.into_iter().map(T::from_raw).collect()
    }
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
pub(crate) fn run<R: FromTch<Raw>, Raw>(
    op: &str,
    operands: &[&tch::Tensor],
    f: impl FnOnce() -> std::result::Result<Raw, tch::TchError>,
) -> Result<R> {
    f().map(R::from_tch)
        .map_err(|err| failure(op, operands.iter().copied(), err))
}

/// [`run`] for operands some of which are optional (a bias, a mask).
pub(crate) fn run_opt<R: FromTch<Raw>, Raw>(
    op: &str,
    operands: &[Option<&tch::Tensor>],
    f: impl FnOnce() -> std::result::Result<Raw, tch::TchError>,
) -> Result<R> {
    f().map(R::from_tch)
        .map_err(|err| failure(op, operands.iter().flatten().copied(), err))
}

fn failure<'a>(
    op: &str,
    operands: impl Iterator<Item = &'a tch::Tensor>,
    err: tch::TchError,
) -> Error {
    let context = operands.map(describe).collect::<Vec<_>>();
    Error::from_torch(op, &context.join(" and "), err)
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

/// Checks that a mask is Bool (libtorch would reject it less clearly).
pub(crate) fn check_mask(op: &str, mask: &tch::Tensor) -> Result<()> {
    if mask.kind() == tch::Kind::Bool {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::DType,
            format!("{op}: the mask must be bool, got {}", describe(mask)),
        ))
    }
}

/// Inserts size-1 dims at `dims`, positions in the result (negative ones
/// count from its end), in ascending order.
pub(crate) fn unsqueeze_many(
    x: &tch::Tensor,
    dims: &[i32],
) -> std::result::Result<tch::Tensor, tch::TchError> {
    let rank = (x.dim() + dims.len()) as i64;
    let mut positions = Vec::with_capacity(dims.len());
    for &d in dims {
        let d = i64::from(d);
        let position = if d < 0 { d + rank } else { d };
        if !(0..rank).contains(&position) {
            return Err(tch::TchError::Torch(format!(
                "Dimension out of range (expected to be in range of [{}, {}], but got {d})",
                -rank,
                rank - 1
            )));
        }
        positions.push(position);
    }
    positions.sort_unstable();
    if positions.windows(2).any(|w| w[0] == w[1]) {
        return Err(tch::TchError::Torch(format!(
            "dims {dims:?} must be distinct positions in a result of {rank} dims"
        )));
    }
    positions
        .into_iter()
        .try_fold(x.shallow_clone(), |acc, p| acc.f_unsqueeze(p))
}

/// Shared body of `cat_many` and `stack`: `f` gets the raw tensors.
pub(crate) fn join<T: Operand, B: std::borrow::Borrow<T>>(
    op: &str,
    tensors: &[B],
    f: impl FnOnce(&[&tch::Tensor]) -> std::result::Result<tch::Tensor, tch::TchError>,
) -> Result<T> {
    let raws: Vec<&tch::Tensor> = tensors.iter().map(|t| t.borrow().raw()).collect();
    if raws.is_empty() {
        return Err(Error::new(
            ErrorKind::Argument,
            format!("{op}: needs at least one tensor"),
        ));
    }
    run(op, &raws, || f(&raws))
}

/// One method of the op table: `name(args) -> Ret [other operands] |x| body`,
/// where `x` is `self`'s libtorch tensor and `body` a fallible tch call.
/// `-> Ret` may be left out for `-> Self`.
macro_rules! op {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) [$($other:expr),*] $(check $check:expr;)? |$x:ident| $body:expr) => {
        $crate::ops::op!($(#[$doc])* $name($($arg: $ty),*) -> Self [$($other),*] $(check $check;)? |$x| $body);
    };
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty [$($other:expr),*] $(check $check:expr;)? |$x:ident| $body:expr) => {
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) -> $crate::Result<$ret> {
            use $crate::ops::Operand as _;
            let $x = self.raw();
            $($check?;)?
            $crate::ops::run(stringify!($name), &[$x $(, $other.raw())*], || $body)
        }
    };
}

mod catalogue;
pub(crate) mod nn;

pub(crate) use catalogue::impl_ops;

pub(crate) use op;
