//! The differentiable op catalogue, declared once and expanded for both
//! [`Tensor`](crate::Tensor) (no graph) and [`Variable`](crate::Variable)
//! (graph recorded by libtorch's autograd).
//!
//! - `catalogue.rs`: the method ops, one declaration each (name, arguments
//!   with their Python defaults, doc, libtorch call), and the Tensor-only
//!   helpers.
//! - `nn.rs`: the nn ops as free functions, and their mode enums.
//! - `expand.rs`: how a declaration becomes a Rust method or function. The
//!   Python bindings expand the same declarations (`src/python/catalogue.rs`).
//! - `anomaly.rs`: detect_anomaly's check of every op's results.
//! - `rnn.rs`, `interpolate.rs`: the ops that take more than one call.
//! - here: what every op shares: running a libtorch call, turning its result
//!   into flodl values and its failure into an [`Error`].

use crate::error::{bail, Error, Failure, Result};
use crate::Scalar;

pub(crate) mod anomaly;
pub(crate) mod catalogue;
pub(crate) mod distributions;
mod expand;
pub(crate) mod interpolate;
pub(crate) mod lowrank;
pub(crate) mod nn;
pub(crate) mod rnn;
pub(crate) mod spectral;

pub(crate) use expand::{core_arg, core_function, core_method, core_methods, core_ret, operand_of};
#[cfg(feature = "python")]
pub(crate) use expand::{core_arg_text, core_ret_text};

/// Keeps [`Operand`] to the two handle types, which implement `Sealed`
/// where they are declared.
pub(crate) mod sealed {
    pub trait Sealed {}
}

/// What the op catalogue is written for: [`Tensor`](crate::Tensor) (no
/// graph) and [`Variable`](crate::Variable) (graph recorded), each a handle
/// on one libtorch tensor. Sealed: only those two implement it. Generic code
/// (`fn f<T: Operand>(x: &T)`) can inspect either through it.
pub trait Operand: Sized + sealed::Sealed {
    #[doc(hidden)]
    fn raw(&self) -> &tch::Tensor;
    #[doc(hidden)]
    fn from_raw(raw: tch::Tensor) -> Self;

    /// The size of each dim.
    fn shape(&self) -> Vec<i64> {
        self.raw().size()
    }
    /// The number of dims.
    fn ndim(&self) -> usize {
        self.raw().dim()
    }
    /// The number of elements.
    fn numel(&self) -> usize {
        self.raw().numel()
    }
    fn dtype(&self) -> crate::DType {
        crate::dtype::dtype_of(self.raw())
    }
    fn device(&self) -> crate::Device {
        crate::dtype::device_of(self.raw())
    }
    /// Whether autograd tracks this handle (always false for a Tensor the
    /// user made; `Variable::data()` returns untracked handles too).
    fn requires_grad(&self) -> bool {
        self.raw().requires_grad()
    }
}

/// How a libtorch result becomes a flodl result: one tensor, a pair of
/// (values, indices), a list. Fails for a dtype flodl does not have (a
/// complex result), so that every Tensor and Variable has a [`DType`](crate::DType).
pub(crate) trait FromTch<Raw>: Sized {
    fn from_tch(raw: Raw) -> std::result::Result<Self, Failure>;
    /// The tensors of a raw result (for detect_anomaly).
    fn tensors(_raw: &Raw) -> Vec<&tch::Tensor> {
        Vec::new()
    }
}

fn supported(raw: tch::Tensor) -> std::result::Result<tch::Tensor, Failure> {
    match raw.f_kind().ok().map(crate::DType::from_kind) {
        Some(Ok(_)) => Ok(raw),
        _ => Err(Failure::Typed(
            Some(crate::ErrorKind::DType),
            format!(
                "the result's dtype ({}) is not one of flodl's",
                crate::dtype::raw_dtype_name(&raw)
            ),
        )),
    }
}

impl<T: Operand> FromTch<tch::Tensor> for T {
    fn from_tch(raw: tch::Tensor) -> std::result::Result<Self, Failure> {
        supported(raw).map(T::from_raw)
    }
    fn tensors(raw: &tch::Tensor) -> Vec<&tch::Tensor> {
        vec![raw]
    }
}

impl<A: Operand, B: Operand> FromTch<(tch::Tensor, tch::Tensor)> for (A, B) {
    fn from_tch((a, b): (tch::Tensor, tch::Tensor)) -> std::result::Result<Self, Failure> {
        Ok((A::from_tch(a)?, B::from_tch(b)?))
    }
    fn tensors(raw: &(tch::Tensor, tch::Tensor)) -> Vec<&tch::Tensor> {
        vec![&raw.0, &raw.1]
    }
}

impl<A: Operand, B: Operand, C: Operand> FromTch<(tch::Tensor, tch::Tensor, tch::Tensor)>
    for (A, B, C)
{
    fn from_tch(
        (a, b, c): (tch::Tensor, tch::Tensor, tch::Tensor),
    ) -> std::result::Result<Self, Failure> {
        Ok((A::from_tch(a)?, B::from_tch(b)?, C::from_tch(c)?))
    }
    fn tensors(raw: &(tch::Tensor, tch::Tensor, tch::Tensor)) -> Vec<&tch::Tensor> {
        vec![&raw.0, &raw.1, &raw.2]
    }
}

impl<A: Operand, B: Operand, C: Operand, D: Operand>
    FromTch<(tch::Tensor, tch::Tensor, tch::Tensor, tch::Tensor)> for (A, B, C, D)
{
    fn from_tch(
        (a, b, c, d): (tch::Tensor, tch::Tensor, tch::Tensor, tch::Tensor),
    ) -> std::result::Result<Self, Failure> {
        Ok((
            A::from_tch(a)?,
            B::from_tch(b)?,
            C::from_tch(c)?,
            D::from_tch(d)?,
        ))
    }
    fn tensors(raw: &(tch::Tensor, tch::Tensor, tch::Tensor, tch::Tensor)) -> Vec<&tch::Tensor> {
        vec![&raw.0, &raw.1, &raw.2, &raw.3]
    }
}

/// An in-place change (of a gradient, of the data) returns nothing.
impl FromTch<()> for () {
    fn from_tch((): ()) -> std::result::Result<Self, Failure> {
        Ok(())
    }
}

impl<T: Operand> FromTch<Vec<tch::Tensor>> for Vec<T> {
    fn from_tch(raw: Vec<tch::Tensor>) -> std::result::Result<Self, Failure> {
        raw.into_iter().map(T::from_tch).collect()
    }
    fn tensors(raw: &Vec<tch::Tensor>) -> Vec<&tch::Tensor> {
        raw.iter().collect()
    }
}

/// `[2, 3] float32 cpu`: what an error message says of one operand.
pub(crate) fn describe(t: &tch::Tensor) -> String {
    let dtype = crate::dtype::raw_dtype_name(t);
    let device = crate::dtype::raw_device_name(t.device());
    format!("{:?} {dtype} {device}", t.size())
}

/// Runs `f`, turning a libtorch failure into an [`Error`] that names `op`
/// and its operands.
pub(crate) fn run<R: FromTch<Raw>, Raw, E: Into<Failure>>(
    op: &str,
    operands: &[&tch::Tensor],
    f: impl FnOnce() -> std::result::Result<Raw, E>,
) -> Result<R> {
    crate::ffi::use_warning_handler();
    let raw = f().map_err(|e| failed(op, operands.iter().copied(), e.into()))?;
    if anomaly::is_anomaly_enabled() {
        watch_results::<R, Raw>(op, operands.iter().copied(), &raw);
    }
    R::from_tch(raw).map_err(|failure| failed(op, operands.iter().copied(), failure))
}

/// detect_anomaly's check on each tensor of a result.
fn watch_results<'a, R: FromTch<Raw>, Raw>(
    op: &str,
    operands: impl Iterator<Item = &'a tch::Tensor>,
    raw: &Raw,
) {
    let context = operands.map(describe).collect::<Vec<_>>().join(" and ");
    for t in R::tensors(raw) {
        anomaly::watch(op, &context, t);
    }
}

/// [`run`] for operands some of which are absent (a bias, a mask, or an
/// argument that is not a tensor).
pub(crate) fn run_opt<R: FromTch<Raw>, Raw, E: Into<Failure>>(
    op: &str,
    operands: &[Option<&tch::Tensor>],
    f: impl FnOnce() -> std::result::Result<Raw, E>,
) -> Result<R> {
    crate::ffi::use_warning_handler();
    let raw = f().map_err(|e| failed(op, operands.iter().flatten().copied(), e.into()))?;
    if anomaly::is_anomaly_enabled() {
        watch_results::<R, Raw>(op, operands.iter().flatten().copied(), &raw);
    }
    R::from_tch(raw).map_err(|failure| failed(op, operands.iter().flatten().copied(), failure))
}

pub(crate) fn failed<'a>(
    op: &str,
    operands: impl Iterator<Item = &'a tch::Tensor>,
    failure: Failure,
) -> Error {
    let context = operands.map(describe).collect::<Vec<_>>();
    Error::from_failure(op, &context.join(" and "), failure)
}

/// A failure of kind `kind` found by flodl's own check of an op's arguments;
/// `run` adds the op's name and operands.
pub(crate) fn invalid(kind: crate::ErrorKind, message: impl Into<String>) -> Failure {
    Failure::Typed(Some(kind), message.into())
}

/// Checks that `x` holds Int64 class indices.
pub(crate) fn check_indices(op: &str, x: &tch::Tensor) -> Result<()> {
    let dtype = crate::dtype::dtype_of(x);
    if dtype != crate::DType::Int64 {
        bail!(
            DType,
            "{op}: expects an Int64 tensor of class indices, got {}",
            describe(x)
        );
    }
    Ok(())
}

/// Checks that `matmul` can multiply `a` by `b`, with shapes in the message.
pub(crate) fn check_matmul(a: &tch::Tensor, b: &tch::Tensor) -> Result<()> {
    let (sa, sb) = (a.size(), b.size());
    if sa.is_empty() || sb.is_empty() {
        bail!(
            Shape,
            "matmul: both operands need at least one dimension, got {sa:?} and {sb:?}"
        );
    }
    let inner_a = sa[sa.len() - 1];
    let inner_b = if sb.len() == 1 {
        sb[0]
    } else {
        sb[sb.len() - 2]
    };
    if inner_a != inner_b {
        bail!(
            Shape,
            "matmul: cannot multiply {sa:?} by {sb:?} ({inner_a} != {inner_b})"
        );
    }
    Ok(())
}

/// `(spread, mean)` for `std_mean`/`var_mean`: the spread computed, then the
/// mean of `x` over the same `dims` (all when None).
pub(crate) fn with_mean(
    x: &tch::Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    spread: std::result::Result<tch::Tensor, Failure>,
) -> std::result::Result<(tch::Tensor, tch::Tensor), Failure> {
    let spread = spread?;
    Ok((spread, x.f_mean_dim(dims, keepdim, None::<tch::Kind>)?))
}

/// The first dim of `x` of size `size` (what `torch.cross` takes when no
/// dim is given); a Shape error when there is none.
pub(crate) fn first_dim_of_size(op: &str, x: &tch::Tensor, size: i64) -> Result<i64> {
    match x.size().iter().position(|&d| d == size) {
        Some(dim) => Ok(dim as i64),
        None => bail!(Shape, "{op}: no dim of size {size} in {:?}", x.size()),
    }
}

/// Checks `weight_norm_from`'s norm `g` against its direction `v`: the
/// fused kernel reads one norm per slice of `dim` without checking.
pub(crate) fn check_weight_norm(v: &tch::Tensor, g: &tch::Tensor, dim: i64) -> Result<()> {
    let shape = v.size();
    let want: Option<Vec<i64>> = match dim {
        -1 => None,
        d if (0..shape.len() as i64).contains(&d) => Some(
            (0..shape.len())
                .map(|i| if i as i64 == d { shape[i] } else { 1 })
                .collect(),
        ),
        _ => bail!(
            Index,
            "weight_norm_from: dim {dim} is out of range for {} dims (0 to {}, or -1 for all)",
            shape.len(),
            shape.len().saturating_sub(1)
        ),
    };
    let fits = match &want {
        None => g.numel() == 1,
        Some(want) => &g.size() == want,
    };
    if !fits {
        let expected = want.map_or("one element".to_string(), |w| format!("{w:?}"));
        bail!(
            Shape,
            "weight_norm_from: g has shape {:?}, expected {expected} (the norm of each slice of dim {dim} of {:?})",
            g.size(),
            shape
        );
    }
    Ok(())
}

/// Checks that a mask is Bool (libtorch would reject it less clearly).
pub(crate) fn check_mask(op: &str, mask: &tch::Tensor) -> Result<()> {
    if mask.f_kind().ok() != Some(tch::Kind::Bool) {
        bail!(DType, "{op}: the mask must be bool, got {}", describe(mask));
    }
    Ok(())
}

/// `x.view(shape)`: libtorch's refusal (strides that allow no view, or a
/// shape of another size) as the Shape error it is.
pub(crate) fn view(x: &tch::Tensor, shape: &[i64]) -> std::result::Result<tch::Tensor, Failure> {
    // libtorch's words, as a Shape error (the caller names the op and the
    // operand).
    x.f_view(shape).map_err(|e| {
        let text = crate::error::first_lines(&e);
        invalid(crate::ErrorKind::Shape, text.trim().to_string())
    })
}

/// At most `max` dims (`t`, `diag`).
pub(crate) fn check_rank(op: &str, x: &tch::Tensor, max: usize) -> Result<()> {
    if x.dim() > max {
        bail!(
            Shape,
            "{op}: expected at most {max} dims, got {}",
            describe(x)
        );
    }
    Ok(())
}

/// Both operands of exactly `rank` dims (`mm`, `bmm`, `outer`).
pub(crate) fn check_matrices(
    op: &str,
    a: &tch::Tensor,
    b: &tch::Tensor,
    rank: usize,
) -> Result<()> {
    if a.dim() != rank || b.dim() != rank {
        bail!(
            Shape,
            "{op}: expected two {rank}-d tensors, got {} and {}",
            describe(a),
            describe(b)
        );
    }
    Ok(())
}

/// Checks `unflatten`'s arguments (libtorch's own failures are untyped): a
/// dim of the input, and sizes (one may be -1) whose product is its size.
pub(crate) fn check_unflatten(x: &tch::Tensor, dim: i64, sizes: &[i64]) -> Result<()> {
    let shape = x.size();
    let rank = shape.len() as i64;
    let d = if dim < 0 { dim + rank } else { dim };
    if !(0..rank).contains(&d) {
        bail!(
            Index,
            "unflatten: dim {dim} out of range for a {rank}-d input ({})",
            describe(x)
        );
    }
    let size = shape[d as usize];
    let known: i64 = sizes.iter().filter(|&&s| s != -1).product();
    let inferred = sizes.iter().filter(|&&s| s == -1).count();
    let fits = match inferred {
        0 => known == size,
        1 => known > 0 && size % known == 0,
        _ => false,
    };
    if !fits || sizes.iter().any(|&s| s < -1) {
        bail!(
            Shape,
            "unflatten: sizes {sizes:?} do not multiply up to the size of dim {dim} ({size}) ({})",
            describe(x)
        );
    }
    Ok(())
}

/// Inserts size-1 dims at `dims`, positions in the result (negative ones
/// count from its end), in ascending order.
pub(crate) fn unsqueeze_many(
    x: &tch::Tensor,
    dims: &[i64],
) -> std::result::Result<tch::Tensor, Failure> {
    let rank = (x.dim() + dims.len()) as i64;
    let mut positions = Vec::with_capacity(dims.len());
    for &d in dims {
        let position = if d < 0 { d + rank } else { d };
        if !(0..rank).contains(&position) {
            return Err(invalid(
                crate::ErrorKind::Index,
                format!(
                    "Dimension out of range (expected to be in range of [{}, {}], but got {d})",
                    -rank,
                    rank - 1
                ),
            ));
        }
        positions.push(position);
    }
    positions.sort_unstable();
    if positions.windows(2).any(|w| w[0] == w[1]) {
        return Err(invalid(
            crate::ErrorKind::Argument,
            format!("dims {dims:?} must be distinct positions in a result of {rank} dims"),
        ));
    }
    Ok(positions
        .into_iter()
        .try_fold(x.shallow_clone(), |acc, p| acc.f_unsqueeze(p))?)
}

/// Shared body of `cat_many` and `stack`: `f` gets the raw tensors.
pub(crate) fn join<T: Operand, B: std::borrow::Borrow<T>, R: FromTch<Raw>, Raw>(
    op: &str,
    tensors: &[B],
    f: impl FnOnce(&[&tch::Tensor]) -> std::result::Result<Raw, tch::TchError>,
) -> Result<R> {
    let raws: Vec<&tch::Tensor> = tensors.iter().map(|t| t.borrow().raw()).collect();
    if raws.is_empty() {
        bail!(Argument, "{op}: needs at least one tensor");
    }
    run(op, &raws, || f(&raws))
}

/// The row `padding_idx` names in a table of `rows` rows, as ATen takes it
/// (-1 for none): PyTorch's rule, negative counting from the end.
pub(crate) fn padding_row(
    padding_idx: Option<i64>,
    rows: i64,
) -> std::result::Result<i64, Failure> {
    match padding_idx {
        None => Ok(-1),
        Some(p) if (0..rows).contains(&p) => Ok(p),
        Some(p) if (-rows..0).contains(&p) => Ok(p + rows),
        Some(p) => Err(invalid(
            crate::ErrorKind::Index,
            format!("padding_idx {p} is out of range for {rows} rows"),
        )),
    }
}

/// A 0-d tensor of `value` in `kind` on `device` (through the shim's
/// `fill_`: tch's Scalar arguments panic on libtorch errors).
pub(crate) fn scalar_tensor(
    value: Scalar,
    kind: tch::Kind,
    device: tch::Device,
) -> std::result::Result<tch::Tensor, Failure> {
    let empty = tch::Tensor::f_empty([0i64; 0], (kind, device))?;
    crate::ffi::fill_(&empty, value)
}

/// `value` in `x`'s dtype and device, shaped as `index` (without copies):
/// the source `scatter` writes for a number.
pub(crate) fn filled_like(
    x: &tch::Tensor,
    index: &tch::Tensor,
    value: Scalar,
) -> std::result::Result<tch::Tensor, Failure> {
    let value = scalar_tensor(value, x.f_kind()?, x.device())?;
    Ok(value.f_expand(index.size(), false)?)
}

/// `alpha * source` (`source` itself, shared, for 1: `index_add`'s common
/// case copies nothing).
pub(crate) fn scaled(
    source: &tch::Tensor,
    alpha: Scalar,
) -> std::result::Result<tch::Tensor, Failure> {
    match alpha {
        Scalar::Int(1) => Ok(source.shallow_clone()),
        alpha => crate::ffi::mul_scalar(source, alpha),
    }
}

/// A number as an operand of `x`'s op, of the dtype that makes the op's
/// result PyTorch's (a Python number is a "wrapped" scalar there, which
/// never widens a tensor of its own category: `int8 << 2` is int8, `int8 <<
/// 2.0` float32).
pub(crate) fn scalar_operand(
    x: &tch::Tensor,
    value: Scalar,
) -> std::result::Result<tch::Tensor, Failure> {
    use tch::Kind;
    let own = x.f_kind()?;
    let floating = is_float_kind(own);
    let kind = match value {
        Scalar::Bool(_) => own,
        Scalar::Int(_) if own == Kind::Bool => Kind::Int64,
        // Of x's own category: a 0-d x takes x's dtype (two 0-d operands
        // would promote); a dimensioned x wins over an int64 0-d operand.
        Scalar::Int(_) if x.dim() == 0 => own,
        Scalar::Int(_) => Kind::Int64,
        Scalar::Float(_) if !floating => Kind::Float,
        Scalar::Float(_) if x.dim() == 0 => own,
        Scalar::Float(_) => Kind::Double,
        // A complex number with a real x: complex64, which libtorch widens
        // to complex128 against a float64 x, as torch's default complex
        // dtype does.
        Scalar::Complex(..) if !crate::dtype::is_complex_kind(own) => Kind::ComplexFloat,
        Scalar::Complex(..) if x.dim() == 0 => own,
        Scalar::Complex(..) => Kind::ComplexDouble,
    };
    scalar_tensor(value, kind, x.device())
}

fn is_float_kind(kind: tch::Kind) -> bool {
    crate::DType::from_kind(kind).is_ok_and(crate::DType::is_floating_point)
}

/// addcdiv refuses integer `t1` and `t2` (PyTorch's rule, whose message
/// reads as a deprecation): a DType error.
pub(crate) fn check_addcdiv(
    t1: &tch::Tensor,
    t2: &tch::Tensor,
) -> std::result::Result<(), Failure> {
    if is_float_kind(t1.f_kind()?) || is_float_kind(t2.f_kind()?) {
        return Ok(());
    }
    Err(invalid(
        crate::ErrorKind::DType,
        "integer division is not supported (as in PyTorch): make the operands floats",
    ))
}

/// `torch.unique(x, sorted, return_inverse, return_counts, dim)`: the
/// distinct values (or slices along `dim`), each element's index in them,
/// and their counts (those two empty unless asked for).
pub(crate) fn unique(
    x: &tch::Tensor,
    sorted: bool,
    return_inverse: bool,
    return_counts: bool,
    dim: Option<i64>,
) -> std::result::Result<Vec<tch::Tensor>, Failure> {
    let (values, inverse, counts) = match dim {
        None => x.f_internal_unique2(sorted, return_inverse, return_counts)?,
        Some(dim) => x.f_unique_dim(dim, sorted, return_inverse, return_counts)?,
    };
    Ok(vec![values, inverse, counts])
}

/// `torch.searchsorted(sorted, values)`: `side` (when given) says which end
/// of a run of equal values, and may not contradict `right`, as PyTorch.
pub(crate) fn searchsorted(
    sorted: &tch::Tensor,
    values: &tch::Tensor,
    out_int32: bool,
    right: bool,
    side: Option<crate::ops::nn::SearchSide>,
    sorter: Option<&tch::Tensor>,
) -> std::result::Result<tch::Tensor, Failure> {
    use crate::ops::nn::SearchSide;
    let right =
        match side {
            None => right,
            Some(SearchSide::Right) => true,
            Some(SearchSide::Left) if right => return Err(invalid(
                crate::ErrorKind::Argument,
                "side and right can't be set to opposites, got side of left while right was True"
                    .to_string(),
            )),
            Some(SearchSide::Left) => false,
        };
    let side = if right { "right" } else { "left" };
    Ok(tch::Tensor::f_searchsorted(
        values, sorted, out_int32, right, side, sorter,
    )?)
}

/// Checks `roll`'s shifts and dims: one shift per dim, or one shift and no
/// dims (the flattened tensor rolled).
pub(crate) fn check_roll(shifts: &[i64], dims: &[i64]) -> std::result::Result<(), Failure> {
    let fits = if dims.is_empty() {
        shifts.len() == 1
    } else {
        shifts.len() == dims.len()
    };
    if fits {
        return Ok(());
    }
    Err(invalid(
        crate::ErrorKind::Argument,
        format!(
            "shifts {shifts:?} and dims {dims:?} must have one shift per dim (or one shift and no dims)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Tensor};

    #[test]
    fn a_result_of_a_dtype_flodl_lacks_is_an_error_not_a_tensor() {
        let complex_half = || tch::Tensor::f_zeros([2], (tch::Kind::ComplexHalf, tch::Device::Cpu));
        let result: Result<Tensor> = run("op", &[], complex_half);
        assert_eq!(result.err().map(|e| e.kind()), Some(ErrorKind::DType));
    }
}
