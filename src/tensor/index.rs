//! Indexing: `x[i]`, `x[a:b:c]`, `x[..., None]`, `x[mask]`, `x[idx]` and
//! their combinations, with numpy's and PyTorch's rules. Basic indices
//! (ints, slices, new axes, an ellipsis) become views (`select`, `slice`,
//! `unsqueeze`); tensor indices (int64 positions, Bool masks) are then
//! applied together by libtorch's advanced `index`. All of it is
//! differentiable on a Variable.

use crate::error::{bail, Result};
use crate::ops::{run, Operand};
use crate::Tensor;

/// One item of an index, as Python writes `x[item, item, ...]`.
#[derive(Debug, Clone)]
pub enum TensorIndex {
    /// One entry of a dim, which is removed (`x[2]`, `x[-1]`).
    Int(i64),
    /// A range of a dim (`x[1:5:2]`); `None` ends are the dim's ends. The
    /// step must be positive.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    },
    /// A new dim of size 1 (`x[None]`).
    NewAxis,
    /// As many full dims as the other items leave (`x[..., 0]`).
    Ellipsis,
    /// Int64 positions, or a Bool mask over as many dims as it has.
    Tensor(Tensor),
    /// `x[True]` (a new dim of size 1) or `x[False]` (a new dim of size
    /// 0), as a 0-d mask indexes in PyTorch.
    Bool(bool),
}

impl TensorIndex {
    /// How many dims of the indexed tensor this item consumes.
    fn consumes(&self) -> usize {
        match self {
            TensorIndex::Int(_) | TensorIndex::Slice { .. } => 1,
            TensorIndex::Tensor(t) if t.dtype() == crate::DType::Bool => t.ndim(),
            TensorIndex::Tensor(_) => 1,
            TensorIndex::NewAxis | TensorIndex::Ellipsis | TensorIndex::Bool(_) => 0,
        }
    }
}

/// `x[items]` for either operand type. As PyTorch indexes with a tuple, a
/// slice over a whole dim (`:`, `0:n`, `0:big`) is no op, and an index that
/// changes nothing (`x[:, :]`, `x[...]`) gives an alias of `x`: a graph
/// records only what the index does (`x[:, -1, :]` is one select).
pub(crate) fn index<T: Operand>(x: &T, items: &[TensorIndex]) -> Result<T> {
    index_with(x, items, true)
}

/// [`index`], where `whole_slices` says whether a slice over a whole dim is
/// skipped (PyTorch slices even then for a key that is one bare slice,
/// `x[0:n]`, so Python passes false for it).
pub(crate) fn index_with<T: Operand>(
    x: &T,
    items: &[TensorIndex],
    skip_whole_slices: bool,
) -> Result<T> {
    let op = "index";
    let consumed = check(op, x, items)?;
    let raw = x.raw();
    run(op, &[raw], || {
        let (view, entries, changed) =
            basic_view(raw, x.ndim(), consumed, items, skip_whole_slices)?;
        match (entries.is_empty(), changed) {
            (false, _) => Ok(view.f_index(&entries)?),
            (true, true) => Ok(view),
            (true, false) => Ok::<_, crate::error::Failure>(raw.f_alias()?),
        }
    })
}

/// `x[items] = value`, in place: `value` (broadcast, cast to x's dtype)
/// replaces the indexed entries, or is added to them with `accumulate`
/// (an entry indexed twice then takes both); on a Variable it is recorded
/// (not on a leaf that requires grad, outside no_grad).
pub(crate) fn index_put<T: Operand>(
    x: &T,
    items: &[TensorIndex],
    value: &T,
    accumulate: bool,
) -> Result<()> {
    let op = "index_put_";
    let consumed = check(op, x, items)?;
    let raw = x.raw();
    run::<(), _, _>(op, &[raw, value.raw()], || {
        let (mut view, entries, _) = basic_view(raw, x.ndim(), consumed, items, false)?;
        match (entries.is_empty(), accumulate) {
            (true, false) => drop(view.f_copy_(value.raw())?),
            (true, true) => drop(view.f_add_(value.raw())?),
            (false, _) => drop(view.f_index_put_(&entries, value.raw(), accumulate)?),
        }
        Ok::<_, crate::error::Failure>(())
    })
}

/// Checks `items` against x's rank; returns how many dims they consume.
fn check<T: Operand>(op: &str, x: &T, items: &[TensorIndex]) -> Result<usize> {
    let rank = x.ndim();
    let consumed: usize = items.iter().map(TensorIndex::consumes).sum();
    let ellipses = items
        .iter()
        .filter(|i| matches!(i, TensorIndex::Ellipsis))
        .count();
    if ellipses > 1 {
        bail!(Argument, "{op}: an index can have only one ellipsis (...)");
    }
    if consumed > rank {
        bail!(
            Index,
            "{op}: too many indices for a tensor of {rank} dims ({consumed} given, shape {:?})",
            x.shape()
        );
    }
    Ok(consumed)
}

/// The view the basic items make (`select`, `slice`, `unsqueeze`), and the
/// entries of the advanced ones, one per dim of the view as libtorch's
/// `index` takes them (a Bool mask stands for as many dims as it has; empty
/// when there is none).
/// `skip_whole_slices` leaves out a slice over a whole dim; the flag
/// returned says whether any view was taken.
fn basic_view<'a>(
    raw: &tch::Tensor,
    rank: usize,
    consumed: usize,
    items: &'a [TensorIndex],
    skip_whole_slices: bool,
) -> std::result::Result<(tch::Tensor, Vec<Option<&'a tch::Tensor>>, bool), crate::error::Failure> {
    let mut result = raw.shallow_clone();
    let mut changed = false;
    let mut dim = 0i64; // the dim of `result` the next item applies to
                        // (the view's dim it starts at, the tensor, how many dims it covers)
    let mut advanced: Vec<(i64, &Tensor, i64)> = Vec::new();
    for item in items {
        match item {
            TensorIndex::Int(i) => {
                result = result.f_select(dim, *i)?;
                changed = true;
            }
            TensorIndex::Slice { start, end, step } => {
                if *step <= 0 {
                    return Err(crate::ops::invalid(
                        crate::ErrorKind::Argument,
                        format!("slice step must be positive, got {step}"),
                    ));
                }
                // PyTorch's test: start 0, step 1, and the end at or past
                // the dim's size (a negative end or start is not read).
                let size = result.size().get(dim as usize).copied().unwrap_or(0);
                let whole = start.unwrap_or(0) == 0 && *step == 1 && end.is_none_or(|e| e >= size);
                if !(whole && skip_whole_slices) {
                    result = result.f_slice(dim, *start, *end, *step)?;
                    changed = true;
                }
                dim += 1;
            }
            TensorIndex::NewAxis => {
                result = result.f_unsqueeze(dim)?;
                changed = true;
                dim += 1;
            }
            TensorIndex::Bool(keep) => {
                result = result.f_unsqueeze(dim)?;
                changed = true;
                if !keep {
                    result = result.f_slice(dim, 0, 0, 1)?;
                }
                dim += 1;
            }
            TensorIndex::Ellipsis => dim += (rank - consumed) as i64,
            TensorIndex::Tensor(t) => {
                let covers = item.consumes() as i64;
                advanced.push((dim, t, covers));
                dim += covers;
            }
        }
    }
    let mut entries: Vec<Option<&tch::Tensor>> = Vec::new();
    let mut covered = 0i64;
    for (position, t, covers) in advanced {
        while covered < position {
            entries.push(None);
            covered += 1;
        }
        entries.push(Some(t.raw()));
        covered += covers;
    }
    Ok((result, entries, changed))
}
