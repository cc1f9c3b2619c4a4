//! The masks of `torch.nn.utils.prune`'s methods: which entries of a
//! tensor, or which channels (slices along a dim), to prune, computed as
//! PyTorch computes them, so that one seed gives PyTorch's masks. Ones
//! keep, zeros prune. [`PruningMethod::mask`] is one method on its own;
//! [`combined_mask`] prunes a pruned tensor again as PyTorch's
//! `PruningContainer` does (the amount counts what the earlier masks kept),
//! and [`global_masks`] prunes several tensors as one
//! (`prune.global_unstructured`). Python's `flodl.nn.utils.prune` keeps the
//! module's side (`<name>_orig`, `<name>_mask`, the forward pre-hook) and
//! calls these.

use crate::error::{bail, Failure, Result};
use crate::ops::run;
use crate::{Operand, Tensor};

/// How much to prune: a fraction of the entries (or channels), or a count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruneAmount {
    Fraction(f64),
    Count(i64),
}

impl PruneAmount {
    /// The entries (or channels) of `size` to prune: the count, or the
    /// fraction of `size` rounded half to even (Python's `round`). A
    /// fraction outside [0, 1], a negative count or more than `size` is an
    /// Argument error.
    pub fn of(self, op: &str, size: i64) -> Result<i64> {
        let count = match self {
            PruneAmount::Count(n) if n >= 0 => n,
            PruneAmount::Fraction(f) if (0.0..=1.0).contains(&f) => {
                (f * size as f64).round_ties_even() as i64
            }
            _ => bail!(
                Argument,
                "{op}: amount={} should either be a float in the range [0, 1] or a non-negative integer",
                self.shown()
            ),
        };
        if count > size {
            bail!(
                Argument,
                "{op}: amount={} should be smaller than the number of parameters to prune={size}",
                self.shown()
            );
        }
        Ok(count)
    }

    fn shown(self) -> String {
        match self {
            PruneAmount::Count(n) => n.to_string(),
            PruneAmount::Fraction(f) => format!("{f:?}"),
        }
    }
}

/// One of `torch.nn.utils.prune`'s methods with its options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruningMethod {
    /// The `amount` entries of smallest magnitude (`L1Unstructured`).
    L1Unstructured { amount: PruneAmount },
    /// `amount` entries drawn at random (`RandomUnstructured`).
    RandomUnstructured { amount: PruneAmount },
    /// The `amount` channels along `dim` of smallest `n`-norm (`LnStructured`).
    LnStructured {
        amount: PruneAmount,
        n: f64,
        dim: i64,
    },
    /// `amount` channels along `dim` drawn at random (`RandomStructured`).
    RandomStructured { amount: PruneAmount, dim: i64 },
}

impl PruningMethod {
    /// The mask of this method alone for the scores `t`, starting from
    /// `default_mask` (PyTorch's `compute_mask`: the amount counts all of
    /// `t`'s entries or channels).
    pub fn mask(&self, t: &Tensor, default_mask: &Tensor) -> Result<Tensor> {
        match *self {
            PruningMethod::L1Unstructured { amount } => {
                l1_unstructured_mask(t, amount, default_mask)
            }
            PruningMethod::RandomUnstructured { amount } => {
                random_unstructured_mask(t, amount, default_mask)
            }
            PruningMethod::LnStructured { amount, n, dim } => {
                ln_structured_mask(t, amount, n, dim, default_mask)
            }
            PruningMethod::RandomStructured { amount, dim } => {
                random_structured_mask(t, amount, dim, default_mask)
            }
        }
    }

    /// How this method's mask combines with an earlier one.
    pub fn pruning_type(&self) -> PruningType {
        match *self {
            PruningMethod::L1Unstructured { .. } | PruningMethod::RandomUnstructured { .. } => {
                PruningType::Unstructured
            }
            PruningMethod::LnStructured { dim, .. }
            | PruningMethod::RandomStructured { dim, .. } => PruningType::Structured { dim },
        }
    }

    /// The mask after pruning a tensor already pruned by `default_mask`
    /// with this method too, as PyTorch does when a pruned parameter is
    /// pruned again: see [`combined_mask`].
    pub fn combined_mask(&self, t: &Tensor, default_mask: &Tensor) -> Result<Tensor> {
        combined_mask(t, default_mask, self.pruning_type(), |t, m| self.mask(t, m))
    }
}

/// How a method's mask combines with an earlier one (PyTorch's
/// `PRUNING_TYPE`): on the entries still kept, on the channels along `dim`
/// with any entry kept, or on everything.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruningType {
    Unstructured,
    Structured { dim: i64 },
    Global,
}

/// PyTorch's `PruningContainer` rule: `compute(scores, mask)` on the part
/// of `t` that `default_mask` keeps (its kept entries, flattened, for
/// [`PruningType::Unstructured`]; its channels along `dim` with an entry
/// kept for `Structured`; all of it for `Global`), written into a copy of
/// `default_mask` in `t`'s dtype. So an amount counts what is left, not
/// what was pruned before.
pub fn combined_mask(
    t: &Tensor,
    default_mask: &Tensor,
    how: PruningType,
    compute: impl FnOnce(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    const OP: &str = "PruningContainer.compute_mask";
    if t.shape() != default_mask.shape() {
        bail!(
            Shape,
            "{OP}: the mask has shape {:?}, the tensor {:?}",
            default_mask.shape(),
            t.shape()
        );
    }
    let mask = default_mask.to_dtype(t.dtype())?;
    match how {
        PruningType::Global => {
            let partial = compute(t, default_mask)?;
            partial.to_dtype(mask.dtype())
        }
        PruningType::Unstructured => {
            let kept: Tensor = run(OP, &[default_mask.raw()], || default_mask.raw().f_eq(1))?;
            let partial = compute(
                &t.masked_select(&kept)?,
                &default_mask.masked_select(&kept)?,
            )?;
            mask.masked_scatter(&kept, &partial.to_dtype(mask.dtype())?.reshape(&[-1])?)
        }
        PruningType::Structured { dim } => {
            let ndim = t.ndim() as i64;
            if dim >= ndim || dim < -ndim {
                bail!(
                    Index,
                    "{OP}: dim {dim} is out of bounds for a tensor of {ndim} dims"
                );
            }
            let dim = dim.rem_euclid(ndim);
            let others: Vec<i64> = (0..ndim).filter(|&d| d != dim).collect();
            let channels: Tensor = run(OP, &[default_mask.raw()], || {
                let any = default_mask.raw().f_sum_dim_intlist(
                    others.as_slice(),
                    false,
                    None::<tch::Kind>,
                )?;
                any.f_ne(0)?.f_nonzero()?.f_reshape([-1])
            })?;
            let partial = compute(
                &t.index_select(dim, &channels)?,
                &default_mask.index_select(dim, &channels)?,
            )?;
            mask.index_copy(dim, &channels, &partial.to_dtype(mask.dtype())?)
        }
    }
}

/// `prune.global_unstructured`'s masks: `tensors` (the scores of each) as
/// one flat tensor, pruned again by `compute` (an unstructured method) on
/// what their `default_masks` keep, and split back into one mask each,
/// shaped as its default mask.
pub fn global_masks(
    tensors: &[&Tensor],
    default_masks: &[&Tensor],
    compute: impl FnOnce(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Vec<Tensor>> {
    const OP: &str = "global_unstructured";
    if tensors.len() != default_masks.len() {
        bail!(
            Argument,
            "{OP}: {} tensors but {} masks",
            tensors.len(),
            default_masks.len()
        );
    }
    let flat = |items: &[&Tensor]| -> Result<Tensor> {
        let items = items
            .iter()
            .map(|t| t.reshape(&[-1]))
            .collect::<Result<Vec<Tensor>>>()?;
        Tensor::cat_many(&items, 0)
    };
    let mask = combined_mask(
        &flat(tensors)?,
        &flat(default_masks)?,
        PruningType::Unstructured,
        compute,
    )?;
    // Split by the masks, which have the parameters' shapes (a score may
    // be any tensor of as many entries).
    let mut start = 0;
    default_masks
        .iter()
        .map(|m| {
            let size = m.numel() as i64;
            let part = mask.narrow(0, start, size)?.reshape(&m.shape())?;
            start += size;
            Ok(part)
        })
        .collect()
}

/// `default_mask` with the `amount` entries of `t` of smallest magnitude
/// also pruned (`prune.l1_unstructured`).
pub fn l1_unstructured_mask(
    t: &Tensor,
    amount: PruneAmount,
    default_mask: &Tensor,
) -> Result<Tensor> {
    unstructured("l1_unstructured", t, amount, default_mask, |raw, count| {
        Ok(raw
            .f_abs()?
            .f_reshape([-1])?
            .f_topk(count, -1, false, true)?
            .1)
    })
}

/// `default_mask` with `amount` entries of `t` drawn at random also pruned
/// (`prune.random_unstructured`: the largest of one uniform draw each).
pub fn random_unstructured_mask(
    t: &Tensor,
    amount: PruneAmount,
    default_mask: &Tensor,
) -> Result<Tensor> {
    unstructured(
        "random_unstructured",
        t,
        amount,
        default_mask,
        |raw, count| {
            Ok(raw
                .f_rand_like()?
                .f_reshape([-1])?
                .f_topk(count, -1, true, true)?
                .1)
        },
    )
}

/// The channels along `dim` of `t` kept, all but the `amount` of smallest
/// `n`-norm (over the other dims), times `default_mask` (`prune.ln_structured`).
pub fn ln_structured_mask(
    t: &Tensor,
    amount: PruneAmount,
    n: f64,
    dim: i64,
    default_mask: &Tensor,
) -> Result<Tensor> {
    structured(
        "ln_structured",
        t,
        amount,
        dim,
        default_mask,
        |raw, dim, channels, count| {
            let others: Vec<i64> = (0..raw.dim() as i64).filter(|&d| d != dim).collect();
            let norms = crate::ffi::vector_norm(raw, n, Some(&others), false)?;
            Ok(norms.f_topk(channels - count, -1, true, true)?.1)
        },
    )
}

/// The channels along `dim` of `t` kept, all but `amount` drawn at random,
/// times `default_mask` (`prune.random_structured`: one uniform draw per
/// channel, those above the `amount`-th smallest kept).
pub fn random_structured_mask(
    t: &Tensor,
    amount: PruneAmount,
    dim: i64,
    default_mask: &Tensor,
) -> Result<Tensor> {
    structured(
        "random_structured",
        t,
        amount,
        dim,
        default_mask,
        |_, _, channels, count| {
            let options = (crate::get_default_dtype().to_kind(), tch::Device::Cpu);
            let drawn = tch::Tensor::f_rand([channels], options)?;
            let threshold = drawn.f_kthvalue(count, -1, false)?.0;
            Ok(drawn.f_gt_tensor(&threshold)?)
        },
    )
}

/// A copy of `default_mask` with the flat indices `pruned(t, count)` picks zeroed.
fn unstructured(
    op: &str,
    t: &Tensor,
    amount: PruneAmount,
    default_mask: &Tensor,
    pruned: impl FnOnce(&tch::Tensor, i64) -> std::result::Result<tch::Tensor, Failure>,
) -> Result<Tensor> {
    let count = amount.of(op, t.numel() as i64)?;
    run(op, &[t.raw(), default_mask.raw()], || {
        let given = default_mask.raw();
        let mut mask = given.f_empty_like()?;
        mask.f_copy_(given)?;
        if count > 0 {
            let zero = tch::Tensor::f_zeros([], (mask.kind(), mask.device()))?;
            let indices = pruned(t.raw(), count)?;
            // In place through the flat view; the returned handle is not needed.
            let _zeroed = mask
                .f_view([-1])?
                .f_index_put_(&[Some(indices)], &zero, false)?;
        }
        Ok::<_, Failure>(mask)
    })
}

/// Ones on the channels along `dim` that `kept(t, dim, channels, count)`
/// picks (indices, or a bool per channel), times `default_mask`;
/// `default_mask` itself when nothing is pruned.
fn structured(
    op: &str,
    t: &Tensor,
    amount: PruneAmount,
    dim: i64,
    default_mask: &Tensor,
    kept: impl FnOnce(&tch::Tensor, i64, i64, i64) -> std::result::Result<tch::Tensor, Failure>,
) -> Result<Tensor> {
    let ndim = t.ndim() as i64;
    if ndim <= 1 {
        bail!(
            Argument,
            "{op}: Structured pruning can only be applied to multidimensional tensors. \
             Found tensor of shape {:?} with {ndim} dims",
            t.shape()
        );
    }
    if dim >= ndim || dim < -ndim {
        bail!(
            Index,
            "{op}: Invalid index {dim} for tensor of size {:?}",
            t.shape()
        );
    }
    let dim = dim.rem_euclid(ndim);
    let channels = t.shape()[dim as usize];
    let count = amount.of(op, channels)?;
    if count == 0 {
        return Ok(default_mask.clone());
    }
    run(op, &[t.raw(), default_mask.raw()], || {
        let mut mask = t.raw().f_zeros_like()?;
        let mut index: Vec<Option<tch::Tensor>> = (0..ndim).map(|_| None).collect();
        index[dim as usize] = Some(kept(t.raw(), dim, channels, count)?);
        let one = tch::Tensor::f_ones([], (mask.kind(), mask.device()))?;
        let _kept = mask.f_index_put_(&index, &one, false)?;
        Ok::<_, Failure>(mask.f_mul(&default_mask.raw().f_to_kind(mask.kind())?)?)
    })
}
