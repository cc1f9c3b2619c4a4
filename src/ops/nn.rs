//! The nn group of the op catalogue: free functions generic over
//! [`Operand`](crate::Operand), so `flodl::conv2d(&x, &w, ...)` takes
//! Variables (and records a graph) or Tensors (and does not). 1-d ops take
//! `i64` windows, 2-d ops `[i64; 2]`, 3-d ops `[i64; 3]`; a pooling `stride`
//! of `None` is the kernel size. Modes are enums here, strings in Python.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// A mode argument: a Rust enum that Python writes as a string.
pub trait Mode: Copy + Sized + 'static {
    /// The kind's own name (`"Reduction"`), as the stubs call it.
    const KIND: &'static str;
    /// Every mode, in ATen's order (the index is ATen's code).
    const ALL: &'static [Self];
    /// The name Python and PyTorch use.
    fn name(self) -> &'static str;
}

/// The `norm` tch's Fourier transforms take: the mode's name, PyTorch's
/// `"backward"` for None.
pub(crate) fn fft_norm(norm: Option<FftNorm>) -> &'static str {
    norm.map_or("backward", Mode::name)
}

/// Declares a [`Mode`] enum: `Name { Variant = "python name", ... }`.
macro_rules! mode_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),*
        }

        impl Mode for $name {
            const KIND: &'static str = stringify!($name);
            const ALL: &'static [Self] = &[$($name::$variant),*];
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl $name {
            /// ATen's integer code for this mode (not every mode is one).
            #[allow(dead_code)]
            pub(crate) fn code(self) -> i64 {
                self as i64
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                Self::ALL.iter().copied().find(|m| m.name() == text).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|m| m.name()).collect();
                    Error::new(
                        ErrorKind::Argument,
                        format!("{} must be one of {names:?}, got {text:?}", stringify!($name)),
                    )
                })
            }
        }
    };
}

mode_enum!(/// How `grid_sample` interpolates.
    GridSampleMode { Bilinear = "bilinear", Nearest = "nearest", Bicubic = "bicubic" });
mode_enum!(/// What `grid_sample` reads outside the input.
    PaddingMode { Zeros = "zeros", Border = "border", Reflection = "reflection" });
mode_enum!(/// What `pad` puts outside the input: a constant, the input mirrored
    /// (without the edge), the edge repeated, or the other end (wrapped).
    PadMode { Constant = "constant", Reflect = "reflect", Replicate = "replicate", Circular = "circular" });
mode_enum!(/// How `interpolate` computes the new values.
    InterpolateMode { Nearest = "nearest", Linear = "linear", Bilinear = "bilinear", Bicubic = "bicubic", Trilinear = "trilinear", Area = "area", NearestExact = "nearest-exact" });
mode_enum!(/// A convolution's padding by name: none, or the output the input's size.
    ConvPaddingMode { Valid = "valid", Same = "same" });
mode_enum!(/// How `quantile` takes a quantile that falls between two values: the
    /// line between them, the lower, the higher, the nearest, or their mean.
    QuantileInterpolation { Linear = "linear", Lower = "lower", Higher = "higher", Nearest = "nearest", Midpoint = "midpoint" });
mode_enum!(/// Which end of a run of equal values `searchsorted` gives.
    SearchSide { Left = "left", Right = "right" });
mode_enum!(/// How `embedding_bag` reduces a bag.
    EmbeddingBagMode { Sum = "sum", Mean = "mean", Max = "max" });
mode_enum!(/// How a loss reduces its per-element values.
    Reduction { None = "none", Mean = "mean", Sum = "sum" });
mode_enum!(/// How `kl_div` reduces: as [`Reduction`], or `"batchmean"` (the sum
    /// divided by the batch size, the mathematically right mean).
    KlDivReduction { None = "none", Mean = "mean", Sum = "sum", BatchMean = "batchmean" });
mode_enum!(/// What `linalg_qr` computes: the reduced or complete `Q` and `R`, or `R` alone.
    QrMode { Reduced = "reduced", Complete = "complete", R = "r" });
mode_enum!(/// The LAPACK routine `linalg_lstsq` solves with (on the CPU; CUDA has
    /// `gels` only, which it uses whatever is asked).
    LstsqDriver { Gelsy = "gelsy", Gels = "gels", Gelsd = "gelsd", Gelss = "gelss" });
mode_enum!(/// Which triangle of a symmetric matrix `linalg_eigh` reads.
    Uplo { L = "L", U = "U" });
mode_enum!(/// The matrix norms named by a string: Frobenius and nuclear.
    MatrixNormOrd { Fro = "fro", Nuc = "nuc" });
mode_enum!(/// How a discrete Fourier transform is scaled: not forward and by
    /// `1/n` backward (`"backward"`, the default), by `1/sqrt(n)` both ways,
    /// or by `1/n` forward and not backward.
    FftNorm { Backward = "backward", Ortho = "ortho", Forward = "forward" });
mode_enum!(/// How `scatter_reduce` combines the values that meet at one place.
    ScatterReduceMode { Sum = "sum", Prod = "prod", Mean = "mean", Amax = "amax", Amin = "amin" });
mode_enum!(/// How `scatter_with` combines a value with the one already there
    /// (`torch.scatter`'s older `reduce=`).
    ScatterMode { Add = "add", Multiply = "multiply" });
mode_enum!(/// How a tensor's elements lie in memory, as `torch.memory_format`
    /// (in c10::MemoryFormat's order): row-major; as the source is (for a
    /// copy); channels last for 4-d (`NHWC`) and 5-d (`NDHWC`) tensors.
    MemoryFormat { Contiguous = "contiguous_format", Preserve = "preserve_format", ChannelsLast = "channels_last", ChannelsLast3d = "channels_last_3d" });
mode_enum!(/// How `cdist` computes Euclidean distances: through a matrix product
    /// when there are more than 25 rows (faster, less exact), always, or
    /// never (in ATen's order).
    CdistComputeMode { UseMmIfNecessary = "use_mm_for_euclid_dist_if_necessary", UseMm = "use_mm_for_euclid_dist", DoNotUseMm = "donot_use_mm_for_euclid_dist" });
mode_enum!(/// How `index_reduce` combines the values that meet at one index.
    IndexReduceMode { Prod = "prod", Mean = "mean", Amax = "amax", Amin = "amin" });

impl Reduction {
    /// tch's form of the same reduction.
    pub(crate) fn aten(self) -> tch::Reduction {
        match self {
            Reduction::None => tch::Reduction::None,
            Reduction::Mean => tch::Reduction::Mean,
            Reduction::Sum => tch::Reduction::Sum,
        }
    }
}

/// `kl_div` in libtorch's terms; `"batchmean"` is a sum divided afterwards.
pub(crate) fn kl_div_reduced(
    input: &tch::Tensor,
    target: &tch::Tensor,
    reduction: KlDivReduction,
    log_target: bool,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    let aten = match reduction {
        KlDivReduction::None => tch::Reduction::None,
        KlDivReduction::Mean => tch::Reduction::Mean,
        KlDivReduction::Sum | KlDivReduction::BatchMean => tch::Reduction::Sum,
    };
    let loss = input.f_kl_div(target, aten, log_target)?;
    match (reduction, input.size().first()) {
        (KlDivReduction::BatchMean, Some(&batch)) => Ok(loss.f_div_scalar(batch)?),
        _ => Ok(loss),
    }
}

/// `F.gaussian_nll_loss`: PyTorch composes it from ops, so it is composed
/// here in the same order (the same rounding).
pub(crate) fn gaussian_nll(
    input: &tch::Tensor,
    target: &tch::Tensor,
    var: &tch::Tensor,
    full: bool,
    eps: f64,
    reduction: Reduction,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    const OP: &str = "gaussian_nll_loss";
    let (shape, var_shape) = (input.size(), var.size());
    // A var with one dim fewer, or a trailing 1, is one variance per sample.
    let var = if var_shape == shape {
        var.shallow_clone()
    } else if shape[..shape.len().saturating_sub(1)] == var_shape[..] {
        var.f_unsqueeze(-1)?
    } else if shape.len() == var_shape.len()
        && shape[..shape.len() - 1] == var_shape[..var_shape.len() - 1]
        && var_shape.last() == Some(&1)
    {
        var.shallow_clone()
    } else {
        return Err(Error::new(
            ErrorKind::Shape,
            format!("{OP}: var of shape {var_shape:?} fits no input of shape {shape:?}"),
        )
        .into());
    };
    // Before the clamp below: tch's clamp_min_ panics where libtorch refuses
    // (a bool var cannot hold eps).
    if !matches!(
        var.f_kind()?,
        tch::Kind::Float | tch::Kind::Double | tch::Kind::Half | tch::Kind::BFloat16
    ) {
        return Err(Error::new(
            ErrorKind::DType,
            format!(
                "{OP}: var must be a float tensor, got {}",
                crate::ops::describe(&var)
            ),
        )
        .into());
    }
    if var.f_lt(0.0)?.f_any()?.f_int64_value(&[])? != 0 {
        return Err(Error::new(
            ErrorKind::Argument,
            format!("{OP}: var has negative entries"),
        )
        .into());
    }
    // Clamped in place on a copy without recording, as PyTorch does, so
    // the gradient reaches `var` unchanged.
    let clamped = var.f_to_dtype(var.f_kind()?, false, true)?;
    tch::no_grad(|| clamped.shallow_clone().f_clamp_min_(eps).map(drop))?;
    let diff = input.f_sub(target)?;
    let mut loss = clamped
        .f_log()?
        .f_add(&diff.f_pow_tensor_scalar(2)?.f_div(&clamped)?)?
        .f_mul_scalar(0.5)?;
    if full {
        loss = loss.f_add_scalar(0.5 * (2.0 * std::f64::consts::PI).ln())?;
    }
    Ok(reduced(loss, reduction)?)
}

/// The per-sample losses reduced as `reduction` says.
fn reduced(loss: tch::Tensor, reduction: Reduction) -> Result<tch::Tensor, tch::TchError> {
    match reduction {
        Reduction::Mean => loss.f_mean(None::<tch::Kind>),
        Reduction::Sum => loss.f_sum(None::<tch::Kind>),
        Reduction::None => Ok(loss),
    }
}

/// The triplet loss from its distances, as PyTorch composes
/// `F.triplet_margin_with_distance_loss` after the distance function:
/// `max(margin + d(a, p) - d(a, n), 0)`, `d(a, n)` first lowered to `d(p, n)`
/// where that is smaller (`swap`), reduced.
pub(crate) fn triplet_loss_of_distances(
    positive: &tch::Tensor,
    negative: &tch::Tensor,
    swap: Option<&tch::Tensor>,
    margin: f64,
    reduction: Reduction,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    if margin <= 0.0 {
        return Err(crate::ops::invalid(
            ErrorKind::Argument,
            format!("expected margin to be greater than 0, got {margin} instead"),
        ));
    }
    let negative = match swap {
        Some(swapped) => negative.f_minimum(swapped)?,
        None => negative.shallow_clone(),
    };
    let loss = crate::ffi::add_scalar(positive, margin)?.f_sub(&negative)?;
    Ok(reduced(crate::ffi::clamp_min(&loss, 0)?, reduction)?)
}

/// `F.multilabel_soft_margin_loss`: PyTorch composes it from ops, so it is
/// composed here in the same order (the same rounding).
pub(crate) fn multilabel_soft_margin(
    input: &tch::Tensor,
    target: &tch::Tensor,
    weight: Option<&tch::Tensor>,
    reduction: Reduction,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    if input.dim() == 0 {
        return Err(Error::new(
            ErrorKind::Shape,
            "multilabel_soft_margin_loss: input must have a class dim, got a 0-d tensor",
        )
        .into());
    }
    let positive = target.f_mul(&input.f_log_sigmoid()?)?;
    let negative = crate::ffi::rsub_scalar(target, 1.0)?.f_mul(&input.f_neg()?.f_log_sigmoid()?)?;
    let mut loss = positive.f_add(&negative)?.f_neg()?;
    if let Some(w) = weight {
        loss = loss.f_mul(w)?;
    }
    let classes = input.size()[input.dim() - 1];
    let per_sample = crate::ffi::div_scalar(
        &loss.f_sum_dim_intlist(-1, false, None::<tch::Kind>)?,
        classes as f64,
    )?;
    Ok(reduced(per_sample, reduction)?)
}

/// `F.multi_margin_loss` on libtorch's kernel, `p` (1 or 2) checked first.
pub(crate) fn multi_margin(
    input: &tch::Tensor,
    target: &tch::Tensor,
    p: i64,
    margin: f64,
    weight: Option<&tch::Tensor>,
    reduction: Reduction,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    if p != 1 && p != 2 {
        return Err(Error::new(
            ErrorKind::Argument,
            format!("multi_margin_loss: p must be 1 or 2, got {p}"),
        )
        .into());
    }
    crate::ffi::multi_margin_loss(input, target, p, margin, weight, reduction.aten().to_int())
}

/// `F.max_unpool1d/2d/3d`: the values of `input` placed at `indices` (a
/// max pool's) in zeros of `output_size` (default: what the pool with
/// `kernel`, `stride`, `padding` was given), as PyTorch sizes it.
pub(crate) fn max_unpool(
    op: &str,
    input: &tch::Tensor,
    indices: &tch::Tensor,
    kernel: &[i64],
    stride: &[i64],
    padding: &[i64],
    output_size: Option<&[i64]>,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    let dims = kernel.len();
    let shape = input.size();
    if shape.len() != dims + 1 && shape.len() != dims + 2 {
        return Err(Error::new(
            ErrorKind::Shape,
            format!(
                "{op}: takes an input of {} or {} dims, got shape {shape:?}",
                dims + 1,
                dims + 2
            ),
        )
        .into());
    }
    let spatial = &shape[shape.len() - dims..];
    let default: Vec<i64> = (0..dims)
        .map(|d| (spatial[d] - 1) * stride[d] - 2 * padding[d] + kernel[d])
        .collect();
    let size = match output_size {
        None => default,
        Some(size) => {
            for d in 0..dims {
                let (low, high) = (default[d] - stride[d], default[d] + stride[d]);
                if size[d] <= low || size[d] >= high {
                    return Err(Error::new(
                        ErrorKind::Argument,
                        format!(
                            "{op}: invalid output_size {size:?} (each dim must be between {:?} and {:?})",
                            default.iter().zip(stride).map(|(s, t)| s - t + 1).collect::<Vec<_>>(),
                            default.iter().zip(stride).map(|(s, t)| s + t - 1).collect::<Vec<_>>()
                        ),
                    )
                    .into());
                }
            }
            size.to_vec()
        }
    };
    Ok(match dims {
        // 1-d as 2-d with a trailing dim of one, as PyTorch does.
        1 => input
            .f_unsqueeze(-1)?
            .f_max_unpool2d(&indices.f_unsqueeze(-1)?, [size[0], 1])?
            .f_squeeze_dim(-1)?,
        2 => input.f_max_unpool2d(indices, size.as_slice())?,
        _ => input.f_max_unpool3d(indices, size.as_slice(), stride, padding)?,
    })
}

/// `F.embedding`'s `max_norm`: the rows at `indices` scaled in place, not
/// recorded, to a `norm_type`-norm of at most `max_norm` (PyTorch's
/// `embedding_renorm_`).
pub(crate) fn renorm_rows(
    weight: &tch::Tensor,
    indices: &tch::Tensor,
    max_norm: Option<f64>,
    norm_type: f64,
) -> std::result::Result<(), crate::error::Failure> {
    if let Some(max_norm) = max_norm {
        let flat = indices.f_contiguous()?.f_view([-1])?;
        tch::no_grad(|| {
            weight
                .shallow_clone()
                .f_embedding_renorm_(&flat, max_norm, norm_type)
                .map(drop)
        })?;
    }
    Ok(())
}

/// `F.embedding_bag`'s options besides its tensors.
pub(crate) struct EmbeddingBagArgs {
    pub(crate) max_norm: Option<f64>,
    pub(crate) norm_type: f64,
    pub(crate) scale_grad_by_freq: bool,
    pub(crate) mode: EmbeddingBagMode,
    pub(crate) sparse: bool,
    pub(crate) include_last_offset: bool,
    pub(crate) padding_idx: Option<i64>,
}

impl EmbeddingBagArgs {
    /// The bags of `input` (PyTorch's checks, then `embedding_bag` with its
    /// padding index): a 2-d input becomes flat indices with an offset per
    /// row.
    pub(crate) fn run(
        &self,
        input: &tch::Tensor,
        weight: &tch::Tensor,
        offsets: Option<&tch::Tensor>,
        per_sample_weights: Option<&tch::Tensor>,
    ) -> std::result::Result<tch::Tensor, crate::error::Failure> {
        // Failures without the op's name, which `run` adds; the message is
        // written only on failure.
        fn check(
            ok: bool,
            kind: ErrorKind,
            message: impl FnOnce() -> String,
        ) -> std::result::Result<(), crate::error::Failure> {
            match ok {
                true => Ok(()),
                false => Err(super::invalid(kind, message())),
            }
        }
        use ErrorKind::{Argument, Shape};
        check(!self.sparse, Argument, || {
            "sparse gradients are not supported".into()
        })?;
        let scaled_max = self.mode == EmbeddingBagMode::Max && self.scale_grad_by_freq;
        check(!scaled_max, Argument, || {
            "max mode does not support scaling the gradient by the frequency".into()
        })?;
        if let Some(w) = per_sample_weights {
            let (got, want) = (w.size(), input.size());
            check(got == want, Shape, || {
                format!("per_sample_weights ({got:?}) must have the input's shape ({want:?})")
            })?;
            check(self.mode == EmbeddingBagMode::Sum, Argument, || {
                let mode = self.mode.name();
                format!("per_sample_weights is only supported for mode 'sum', got mode '{mode}'")
            })?;
        }
        let (indices, offsets, weights) = match (input.dim(), offsets) {
            (2, None) => {
                let size = input.size();
                let (bags, length) = (size[0], size[1]);
                check(length > 0, Shape, || {
                    format!("a 2-d input needs bags of at least one index, got {size:?}")
                })?;
                let starts = tch::Tensor::f_arange_start_step(
                    0,
                    bags * length,
                    length,
                    (tch::Kind::Int64, input.device()),
                )?;
                let flat = |t: &tch::Tensor| t.f_reshape([-1]);
                (
                    flat(input)?,
                    starts,
                    per_sample_weights.map(flat).transpose()?,
                )
            }
            (2, Some(_)) => {
                return Err(super::invalid(
                    ErrorKind::Argument,
                    "a 2-d input is one bag per row: offsets must be None",
                ))
            }
            (1, None) => {
                return Err(super::invalid(
                    ErrorKind::Argument,
                    "a 1-d input needs offsets (where each bag starts)",
                ))
            }
            (1, Some(offsets)) => {
                let dims = offsets.dim();
                check(dims == 1, Shape, || {
                    format!("offsets must be 1-d, got {dims} dims")
                })?;
                let weights = per_sample_weights.map(tch::Tensor::shallow_clone);
                (input.shallow_clone(), offsets.shallow_clone(), weights)
            }
            (dims, _) => {
                return Err(super::invalid(
                    ErrorKind::Shape,
                    format!("input must be 1-d or 2-d, got {dims} dims"),
                ))
            }
        };
        let rows = weight.size().first().copied().unwrap_or(0);
        // libtorch counts a negative padding index from the end: no padding
        // row is None here (not -1, as in the Python-level call).
        let padding_row = match self.padding_idx {
            Some(_) => Some(super::padding_row(self.padding_idx, rows)?),
            None => None,
        };
        renorm_rows(weight, &indices, self.max_norm, self.norm_type)?;
        let (bags, _, _, _) = tch::Tensor::f_embedding_bag_padding_idx(
            weight,
            &indices,
            &offsets,
            self.scale_grad_by_freq,
            self.mode.code(),
            false,
            weights.as_ref(),
            self.include_last_offset,
            padding_row,
        )?;
        Ok(bags)
    }
}

/// `F.dropout1d/2d/3d` (`op`, of `spatial` dims): whole channels zeroed by
/// `feature_dropout`, an unbatched input (1-d: `[C, L]`; 3-d: anything but
/// 5 dims, as PyTorch reads it) given a batch dim first.
pub(crate) fn channel_dropout(
    op: &str,
    spatial: usize,
    input: &tch::Tensor,
    p: f64,
    training: bool,
    inplace: bool,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    check_probability(op, p)?;
    let dims = input.dim();
    let batched = match spatial {
        1 => {
            if !(2..=3).contains(&dims) {
                return Err(super::invalid(
                    ErrorKind::Shape,
                    format!("expected a 2-d [C, L] or 3-d [N, C, L] input, got {dims}-d"),
                ));
            }
            dims == 3
        }
        3 => dims == 5,
        _ => true,
    };
    let x = match batched {
        true => input.shallow_clone(),
        false => input.f_unsqueeze(0)?,
    };
    let out = match inplace {
        true => x.shallow_clone().f_feature_dropout_(p, training)?,
        false => x.f_feature_dropout(p, training)?,
    };
    Ok(match batched {
        true => out,
        false => out.f_squeeze_dim(0)?,
    })
}

/// A `value` only pads in constant mode (PyTorch's rule).
pub(crate) fn check_pad(op: &str, mode: PadMode, value: Option<f64>) -> crate::Result<()> {
    if mode != PadMode::Constant && value.is_some() {
        return Err(Error::new(
            ErrorKind::Argument,
            format!(
                "{op}: padding mode {mode:?} takes no value",
                mode = mode.name()
            ),
        ));
    }
    Ok(())
}

/// Checks a probability argument (`p` of dropout) is in `[0, 1]`.
pub(crate) fn check_probability(op: &str, p: f64) -> crate::Result<()> {
    crate::error::ensure!(
        (0.0..=1.0).contains(&p),
        Argument,
        "{op}: p must be in [0, 1], got {p}"
    );
    Ok(())
}

/// Checks that a training batch norm has more than one value per channel
/// to take statistics over, as PyTorch does.
pub(crate) fn check_batch_stats(
    input: &tch::Tensor,
    training: bool,
    eps: f64,
) -> crate::Result<()> {
    // PyTorch's rule: eps divides a variance that may be 0 in training.
    crate::error::ensure!(
        eps > 0.0 || (!training && eps >= 0.0),
        Argument,
        "batch_norm: eps must be {}, got {eps}",
        if training {
            "positive when training"
        } else {
            "non-negative"
        }
    );
    let size = input.size();
    let per_channel: i64 = size
        .iter()
        .enumerate()
        .filter(|&(d, _)| d != 1)
        .map(|(_, n)| n)
        .product();
    crate::error::ensure!(
        !training || per_channel != 1,
        Argument,
        "batch_norm: expected more than 1 value per channel when training, got input of shape {size:?}"
    );
    Ok(())
}

/// A pointwise loss's operands as PyTorch's functional form makes them: a
/// target shaped unlike the input is warned of, since it broadcasts and
/// that is rarely meant ([N, 1] against [N] gives an [N, N] loss), and both
/// are expanded to one shape, so a mean and its gradient count every
/// broadcast element.
pub(crate) fn loss_operands(
    input: &tch::Tensor,
    target: &tch::Tensor,
) -> Result<(tch::Tensor, tch::Tensor), crate::error::Failure> {
    let (input_size, target_size) = (input.size(), target.size());
    if input_size == target_size {
        return Ok((input.shallow_clone(), target.shallow_clone()));
    }
    crate::warnings::warn(&format!(
        "Using a target size ({}) that is different to the input size ({}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
        // As Python prints a shape (flodl.Size).
        format_args!("flodl.Size({target_size:?})"),
        format_args!("flodl.Size({input_size:?})"),
    ));
    let mut both = tch::Tensor::f_broadcast_tensors(&[input, target])?.into_iter();
    match (both.next(), both.next()) {
        (Some(input), Some(target)) => Ok((input, target)),
        _ => Err(crate::error::Failure::Own(crate::Error::new(
            crate::ErrorKind::Shape,
            "broadcast_tensors returned fewer tensors than given",
        ))),
    }
}

/// A window argument that PyTorch lets default to the kernel size.
pub(crate) fn or_kernel<K>(stride: Option<K>, kernel_size: K) -> K {
    stride.unwrap_or(kernel_size)
}

/// 1-d max pooling's sizes within an int, as the other poolings' kernels
/// convert them: its own kernel loops on them unchecked (a kernel or stride
/// of 2**33 hangs it).
pub(crate) fn check_pool1d_sizes(
    op: &str,
    kernel_size: i64,
    stride: i64,
    padding: i64,
    dilation: i64,
) -> crate::error::Result<()> {
    let sizes = [
        ("kernel_size", kernel_size),
        ("stride", stride),
        ("padding", padding),
        ("dilation", dilation),
    ];
    for (name, size) in sizes {
        crate::error::ensure!(
            i32::try_from(size).is_ok(),
            Argument,
            "{op}: {name} {size} is out of range (it must fit in an int: at most {})",
            i32::MAX
        );
    }
    Ok(())
}

/// `F.gumbel_softmax` (see the nn table): PyTorch's steps, so that the
/// same seed gives the same sample.
pub(crate) fn gumbel_sample(
    logits: &tch::Tensor,
    tau: f64,
    hard: bool,
    dim: i64,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    let gumbels = logits
        .f_empty_like()?
        .f_exponential_(1.0)?
        .f_log()?
        .f_neg()?;
    let soft =
        crate::ffi::div_scalar(&logits.f_add(&gumbels)?, tau)?.f_softmax(dim, None::<tch::Kind>)?;
    if !hard {
        return Ok(soft);
    }
    let index = soft.f_argmax(dim, true)?;
    let ones = index.f_ones_like()?.f_to_kind(soft.f_kind()?)?;
    let one_hot = logits.f_zeros_like()?.f_scatter(dim, &index, &ones)?;
    // Straight through: the one-hot values, the soft sample's gradient.
    Ok(one_hot.f_sub(&soft.f_detach()?)?.f_add(&soft)?)
}

/// `F.rrelu`: libtorch's randomized leaky ReLU (slopes below 0 drawn from
/// `U(lower, upper)` when `training`, their mean otherwise), in place with
/// `inplace`; `lower` may not exceed `upper`.
pub(crate) fn randomized_leaky_relu(
    input: &tch::Tensor,
    lower: f64,
    upper: f64,
    training: bool,
    inplace: bool,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    check_rrelu_bounds("rrelu", lower, upper)?;
    Ok(match (inplace, training) {
        (false, false) => crate::ffi::rrelu_eval(input, lower, upper)?,
        (false, true) => crate::ffi::rrelu_training(input, lower, upper)?,
        (true, false) => crate::ffi::rrelu_eval_(input, lower, upper)?,
        (true, true) => crate::ffi::rrelu_training_(input, lower, upper)?,
    })
}

/// Checks rrelu's slopes bound a range: `lower` at most `upper` (neither NaN).
pub(crate) fn check_rrelu_bounds(op: &str, lower: f64, upper: f64) -> crate::Result<()> {
    use std::cmp::Ordering::{Equal, Less};
    crate::error::ensure!(
        matches!(lower.partial_cmp(&upper), Some(Less | Equal)),
        Argument,
        "{op}: lower must not exceed upper, got lower={lower}, upper={upper}"
    );
    Ok(())
}

/// `F.lp_pool1d/2d/3d`: each window's `norm_type`-norm, in PyTorch's steps
/// (an average pool of `input ** p` times the window's size, to the power
/// `1/p`; the max pool of `|input|` for an infinite `p`), so values and
/// gradients are PyTorch's.
pub(crate) fn lp_pool(
    input: &tch::Tensor,
    norm_type: f64,
    kernel: &[i64],
    stride: Option<&[i64]>,
    ceil_mode: bool,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    let dims = kernel.len();
    crate::error::ensure!(
        input.dim() == dims + 1 || input.dim() == dims + 2,
        Shape,
        "lp_pool{dims}d: expected an input of {} or {} dims ([C, ...] or [N, C, ...]), got shape {:?}",
        dims + 1,
        dims + 2,
        input.size()
    );
    let stride = stride.unwrap_or(kernel);
    let zeros = vec![0; kernel.len()];
    let ones = vec![1; kernel.len()];
    let max_pool = |x: &tch::Tensor| match kernel.len() {
        1 => x.f_max_pool1d(kernel, stride, &zeros, &ones, ceil_mode),
        2 => x.f_max_pool2d(kernel, stride, &zeros, &ones, ceil_mode),
        _ => x.f_max_pool3d(kernel, stride, &zeros, &ones, ceil_mode),
    };
    if norm_type == f64::INFINITY {
        return Ok(max_pool(&input.f_abs()?)?);
    }
    if norm_type == f64::NEG_INFINITY {
        return Ok(max_pool(&input.f_abs()?.f_neg()?)?.f_neg()?);
    }
    let powered = crate::ffi::pow_scalar(input, norm_type)?;
    let mean = match kernel.len() {
        1 => powered.f_avg_pool1d(kernel, stride, &zeros, ceil_mode, true)?,
        2 => powered.f_avg_pool2d(kernel, stride, &zeros, ceil_mode, true, None)?,
        _ => powered.f_avg_pool3d(kernel, stride, &zeros, ceil_mode, true, None)?,
    };
    // A negative mean (an odd p) becomes 0, as PyTorch's sign * relu(abs).
    let kept = mean.f_sign()?.f_mul(&mean.f_abs()?.f_relu()?)?;
    let window: i64 = kernel.iter().product();
    crate::ffi::pow_scalar(&crate::ffi::mul_scalar(&kept, window)?, 1.0 / norm_type)
}

/// `F.local_response_norm`: each value divided by `(k + alpha * mean of
/// the squares of the `size` channels around it) ** beta`, in PyTorch's
/// steps (zero-padded channel windows averaged by a pool).
pub(crate) fn response_norm(
    input: &tch::Tensor,
    size: i64,
    alpha: f64,
    beta: f64,
    k: f64,
) -> std::result::Result<tch::Tensor, crate::error::Failure> {
    let dims = input.dim();
    crate::error::ensure!(
        dims >= 3,
        Shape,
        "local_response_norm: expected an input of 3 or more dims, got shape {:?}",
        input.size()
    );
    crate::error::ensure!(
        size > 0,
        Argument,
        "local_response_norm: size must be positive, got {size}"
    );
    if input.numel() == 0 {
        return Ok(input.shallow_clone());
    }
    let squares = input.f_mul(input)?;
    let (before, after) = (size / 2, (size - 1) / 2);
    let mean = if dims == 3 {
        squares
            .f_unsqueeze(1)?
            .f_constant_pad_nd([0, 0, before, after])?
            .f_avg_pool2d([size, 1], [1, 1], [0, 0], false, true, None)?
            .f_squeeze_dim(1)?
    } else {
        let shape = input.size();
        squares
            .f_view([shape[0], 1, shape[1], shape[2], -1])?
            .f_constant_pad_nd([0, 0, 0, 0, before, after])?
            .f_avg_pool3d([size, 1, 1], [1, 1, 1], [0, 0, 0], false, true, None)?
            .f_squeeze_dim(1)?
            .f_view(shape.as_slice())?
    };
    let scale = crate::ffi::add_scalar(&crate::ffi::mul_scalar(&mean, alpha)?, k)?;
    Ok(input.f_div(&crate::ffi::pow_scalar(&scale, beta)?)?)
}

/// Checks that a per-sample normalization has more than one spatial element
/// to take statistics over (`[N, C, ...]`), as PyTorch does; libtorch would
/// return zeros for a `[N, C]` input.
pub(crate) fn check_spatial(
    op: &str,
    input: &tch::Tensor,
    use_input_stats: bool,
) -> crate::Result<()> {
    let size = input.size();
    let spatial: i64 = size.iter().skip(2).product();
    crate::error::ensure!(
        !use_input_stats || (size.len() > 2 && spatial > 1),
        Shape,
        "{op}: needs more than one spatial element per channel, got input of shape {size:?}"
    );
    Ok(())
}

/// Calls `$expand! { $ctx declarations... }` with every nn op (the grammar is
/// in `expand.rs`; no `|x|`: the arguments are named directly).
macro_rules! nn_ops {
    ($expand:ident $ctx:tt) => {
        $expand! { $ctx
            // --- convolution ---
            /// 1-d convolution over `[N, C, L]`, as `F.conv1d`.
            conv1d(input: Same, weight: Same, bias: Option<Same> = None, stride: i64 = 1, padding: i64 = 0, dilation: i64 = 1, groups: i64 = 1)
                => input.raw().f_conv1d(weight.raw(), bias.map(|b| b.raw()), stride, padding, dilation, groups);
            /// 2-d convolution over `[N, C, H, W]`, as `F.conv2d`.
            conv2d(input: Same, weight: Same, bias: Option<Same> = None, stride: I2 = 1, padding: I2 = 0, dilation: I2 = 1, groups: i64 = 1)
                => input.raw().f_conv2d(weight.raw(), bias.map(|b| b.raw()), stride, padding, dilation, groups);
            /// 3-d convolution over `[N, C, D, H, W]`, as `F.conv3d`.
            conv3d(input: Same, weight: Same, bias: Option<Same> = None, stride: I3 = 1, padding: I3 = 0, dilation: I3 = 1, groups: i64 = 1)
                => input.raw().f_conv3d(weight.raw(), bias.map(|b| b.raw()), stride, padding, dilation, groups);
            /// 1-d transposed convolution, as `F.conv_transpose1d`.
            conv_transpose1d(input: Same, weight: Same, bias: Option<Same> = None, stride: i64 = 1, padding: i64 = 0, output_padding: i64 = 0, groups: i64 = 1, dilation: i64 = 1)
                => input.raw().f_conv_transpose1d(weight.raw(), bias.map(|b| b.raw()), stride, padding, output_padding, groups, dilation);
            /// 2-d transposed convolution, as `F.conv_transpose2d`.
            conv_transpose2d(input: Same, weight: Same, bias: Option<Same> = None, stride: I2 = 1, padding: I2 = 0, output_padding: I2 = 0, groups: i64 = 1, dilation: I2 = 1)
                => input.raw().f_conv_transpose2d(weight.raw(), bias.map(|b| b.raw()), stride, padding, output_padding, groups, dilation);
            /// 3-d transposed convolution, as `F.conv_transpose3d`.
            conv_transpose3d(input: Same, weight: Same, bias: Option<Same> = None, stride: I3 = 1, padding: I3 = 0, output_padding: I3 = 0, groups: i64 = 1, dilation: I3 = 1)
                => input.raw().f_conv_transpose3d(weight.raw(), bias.map(|b| b.raw()), stride, padding, output_padding, groups, dilation);

            /// 1-d convolution padded by name ("valid": none, "same": the
            /// output the input's length), as `F.conv1d(..., padding="same")`.
            conv1d_padding(input: Same, weight: Same, bias: Option<Same> = None, stride: i64 = 1, padding: ConvPaddingMode = "valid", dilation: i64 = 1, groups: i64 = 1)
                => input.raw().f_conv1d_padding(weight.raw(), bias.map(|b| b.raw()), [stride], $crate::ops::nn::Mode::name(padding), [dilation], groups);
            /// 2-d convolution padded by name, as `F.conv2d(..., padding="same")`.
            conv2d_padding(input: Same, weight: Same, bias: Option<Same> = None, stride: I2 = 1, padding: ConvPaddingMode = "valid", dilation: I2 = 1, groups: i64 = 1)
                => input.raw().f_conv2d_padding(weight.raw(), bias.map(|b| b.raw()), stride, $crate::ops::nn::Mode::name(padding), dilation, groups);
            /// 3-d convolution padded by name, as `F.conv3d(..., padding="same")`.
            conv3d_padding(input: Same, weight: Same, bias: Option<Same> = None, stride: I3 = 1, padding: ConvPaddingMode = "valid", dilation: I3 = 1, groups: i64 = 1)
                => input.raw().f_conv3d_padding(weight.raw(), bias.map(|b| b.raw()), stride, $crate::ops::nn::Mode::name(padding), dilation, groups);

            // --- pooling ---
            /// 1-d max pooling, as `F.max_pool1d`; `stride=None` is the kernel size.
            max_pool1d(input: Same, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, dilation: i64 = 1, ceil_mode: bool = false) => {
                let stride = $crate::ops::nn::or_kernel(stride, kernel_size);
                $crate::ops::nn::check_pool1d_sizes("max_pool1d", kernel_size, stride, padding, dilation)?;
                Ok::<_, $crate::error::Failure>(input.raw().f_max_pool1d(kernel_size, stride, padding, dilation, ceil_mode)?)
            };
            /// 2-d max pooling, as `F.max_pool2d`; `stride=None` is the kernel size.
            max_pool2d(input: Same, kernel_size: I2, stride: Option<I2> = None, padding: I2 = 0, dilation: I2 = 1, ceil_mode: bool = false)
                => input.raw().f_max_pool2d(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, dilation, ceil_mode);
            /// [`max_pool1d`] and where each maximum is (Int64 positions in
            /// the input's last dim), as `F.max_pool1d(..., return_indices=True)`.
            max_pool1d_with_indices(input: Same, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, dilation: i64 = 1, ceil_mode: bool = false) -> (Same, Tensor)
                => input.raw().f_max_pool1d_with_indices(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, dilation, ceil_mode);
            /// [`max_pool2d`] and where each maximum is (Int64 positions in
            /// each flattened `H * W` plane), as `F.max_pool2d(..., return_indices=True)`.
            max_pool2d_with_indices(input: Same, kernel_size: I2, stride: Option<I2> = None, padding: I2 = 0, dilation: I2 = 1, ceil_mode: bool = false) -> (Same, Tensor)
                => input.raw().f_max_pool2d_with_indices(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, dilation, ceil_mode);
            /// 1-d average pooling, as `F.avg_pool1d`; `stride=None` is the kernel size.
            avg_pool1d(input: Same, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, ceil_mode: bool = false, count_include_pad: bool = true)
                => input.raw().f_avg_pool1d(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, ceil_mode, count_include_pad);
            /// 2-d average pooling, as `F.avg_pool2d`; `stride=None` is the kernel size.
            /// `divisor_override` divides every window's sum instead of its size.
            avg_pool2d(input: Same, kernel_size: I2, stride: Option<I2> = None, padding: I2 = 0, ceil_mode: bool = false, count_include_pad: bool = true, divisor_override: Option<i64> = None) => {
                input.raw().f_avg_pool2d(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, ceil_mode, count_include_pad, divisor_override)
            };
            /// 3-d max pooling, as `F.max_pool3d`; `stride=None` is the kernel size.
            max_pool3d(input: Same, kernel_size: I3, stride: Option<I3> = None, padding: I3 = 0, dilation: I3 = 1, ceil_mode: bool = false)
                => input.raw().f_max_pool3d(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, dilation, ceil_mode);
            /// [`max_pool3d`] and where each maximum is (Int64 positions in
            /// each flattened `D * H * W` volume), as `F.max_pool3d(..., return_indices=True)`.
            max_pool3d_with_indices(input: Same, kernel_size: I3, stride: Option<I3> = None, padding: I3 = 0, dilation: I3 = 1, ceil_mode: bool = false) -> (Same, Tensor)
                => input.raw().f_max_pool3d_with_indices(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, dilation, ceil_mode);
            /// 3-d average pooling, as `F.avg_pool3d`; `stride=None` is the kernel size.
            /// `divisor_override` divides every window's sum instead of its size.
            avg_pool3d(input: Same, kernel_size: I3, stride: Option<I3> = None, padding: I3 = 0, ceil_mode: bool = false, count_include_pad: bool = true, divisor_override: Option<i64> = None) => {
                input.raw().f_avg_pool3d(kernel_size, $crate::ops::nn::or_kernel(stride, kernel_size), padding, ceil_mode, count_include_pad, divisor_override)
            };
            /// The `norm_type`-norm of each window of `[N, C, L]`, as `F.lp_pool1d`.
            lp_pool1d(input: Same, norm_type: f64, kernel_size: i64, stride: Option<i64> = None, ceil_mode: bool = false)
                => $crate::ops::nn::lp_pool(input.raw(), norm_type, &[kernel_size], stride.as_ref().map(std::slice::from_ref), ceil_mode);
            /// The `norm_type`-norm of each window of `[N, C, H, W]`, as `F.lp_pool2d`.
            lp_pool2d(input: Same, norm_type: f64, kernel_size: I2, stride: Option<I2> = None, ceil_mode: bool = false)
                => $crate::ops::nn::lp_pool(input.raw(), norm_type, &kernel_size, stride.as_ref().map(|s| s.as_slice()), ceil_mode);
            /// The `norm_type`-norm of each window of `[N, C, D, H, W]`, as `F.lp_pool3d`.
            lp_pool3d(input: Same, norm_type: f64, kernel_size: I3, stride: Option<I3> = None, ceil_mode: bool = false)
                => $crate::ops::nn::lp_pool(input.raw(), norm_type, &kernel_size, stride.as_ref().map(|s| s.as_slice()), ceil_mode);
            /// Average pooling of `[N, C, L]` to `output_size`, as `F.adaptive_avg_pool1d`.
            adaptive_avg_pool1d(input: Same, output_size: i64)
                => input.raw().f_adaptive_avg_pool1d([output_size]);
            /// Max pooling of `[N, C, L]` to `output_size` (values only), as `F.adaptive_max_pool1d`.
            adaptive_max_pool1d(input: Same, output_size: i64)
                => input.raw().f_adaptive_max_pool1d([output_size]).map(|(values, _)| values);
            /// [`adaptive_max_pool1d`] and where each maximum is, as
            /// `F.adaptive_max_pool1d(..., return_indices=True)`.
            adaptive_max_pool1d_with_indices(input: Same, output_size: i64) -> (Same, Tensor)
                => input.raw().f_adaptive_max_pool1d([output_size]);
            /// Average pooling to `output_size`, as `F.adaptive_avg_pool2d`.
            adaptive_avg_pool2d(input: Same, output_size: I2)
                => input.raw().f_adaptive_avg_pool2d(output_size);
            /// Max pooling to `output_size` (values only), as `F.adaptive_max_pool2d`.
            adaptive_max_pool2d(input: Same, output_size: I2)
                => input.raw().f_adaptive_max_pool2d(output_size).map(|(values, _)| values);
            /// [`adaptive_max_pool2d`] and where each maximum is, as
            /// `F.adaptive_max_pool2d(..., return_indices=True)`.
            adaptive_max_pool2d_with_indices(input: Same, output_size: I2) -> (Same, Tensor)
                => input.raw().f_adaptive_max_pool2d(output_size);
            /// The inverse of `max_pool1d`: `input`'s values at the Int64
            /// positions `indices` (of `max_pool1d_with_indices`), zeros
            /// elsewhere, as `F.max_unpool1d`; `output_size` (the pool's
            /// input length) defaults to what the pool's options give.
            max_unpool1d(input: Same, indices: Tensor, kernel_size: i64, stride: Option<i64> = None, padding: i64 = 0, output_size: Option<i64> = None)
                => $crate::ops::nn::max_unpool("max_unpool1d", input.raw(), indices.raw(), &[kernel_size], &[$crate::ops::nn::or_kernel(stride, kernel_size)], &[padding], output_size.as_ref().map(std::slice::from_ref));
            /// The inverse of `max_pool2d`, as `F.max_unpool2d` (see
            /// [`max_unpool1d`]; `output_size` is the last two dims).
            max_unpool2d(input: Same, indices: Tensor, kernel_size: I2, stride: Option<I2> = None, padding: I2 = 0, output_size: Option<I2> = None)
                => $crate::ops::nn::max_unpool("max_unpool2d", input.raw(), indices.raw(), &kernel_size, &$crate::ops::nn::or_kernel(stride, kernel_size), &padding, output_size.as_ref().map(|s| s.as_slice()));
            /// The inverse of `max_pool3d`, as `F.max_unpool3d` (see
            /// [`max_unpool1d`]; `output_size` is the last three dims).
            max_unpool3d(input: Same, indices: Tensor, kernel_size: I3, stride: Option<I3> = None, padding: I3 = 0, output_size: Option<I3> = None)
                => $crate::ops::nn::max_unpool("max_unpool3d", input.raw(), indices.raw(), &kernel_size, &$crate::ops::nn::or_kernel(stride, kernel_size), &padding, output_size.as_ref().map(|s| s.as_slice()));
            /// Average pooling of `[N, C, D, H, W]` to `output_size`, as `F.adaptive_avg_pool3d`.
            adaptive_avg_pool3d(input: Same, output_size: I3)
                => input.raw().f_adaptive_avg_pool3d(output_size);
            /// Max pooling of `[N, C, D, H, W]` to `output_size` (values only), as `F.adaptive_max_pool3d`.
            adaptive_max_pool3d(input: Same, output_size: I3)
                => input.raw().f_adaptive_max_pool3d(output_size).map(|(values, _)| values);
            /// [`adaptive_max_pool3d`] and where each maximum is, as
            /// `F.adaptive_max_pool3d(..., return_indices=True)`.
            adaptive_max_pool3d_with_indices(input: Same, output_size: I3) -> (Same, Tensor)
                => input.raw().f_adaptive_max_pool3d(output_size);

            // --- normalization ---
            /// Each value over `(k + alpha * the mean square of the `size`
            /// channels around it) ** beta` (`[N, C, ...]`), as
            /// `F.local_response_norm`.
            local_response_norm(input: Same, size: i64, alpha: f64 = 1e-4, beta: f64 = 0.75, k: f64 = 1.0)
                => $crate::ops::nn::response_norm(input.raw(), size, alpha, beta, k);
            /// Per-sample, per-channel normalization, as `F.instance_norm`.
            /// With `use_input_stats`, given running statistics are updated
            /// in place.
            instance_norm(input: Same, running_mean: Option<Tensor> = None, running_var: Option<Tensor> = None, weight: Option<Same> = None, bias: Option<Same> = None, use_input_stats: bool = true, momentum: f64 = 0.1, eps: f64 = 1e-5)
                => {
                    $crate::ops::nn::check_spatial("instance_norm", input.raw(), use_input_stats)?;
                    Ok::<_, $crate::error::Failure>(input.raw().f_instance_norm(weight.map(|w| w.raw()), bias.map(|b| b.raw()), running_mean.map(|m| m.raw()), running_var.map(|v| v.raw()), use_input_stats, momentum, eps, true)?)
                };
            /// Division by the root mean square over the trailing dims
            /// `normalized_shape` (plus `eps`, by default the dtype's
            /// epsilon), then `weight`, as `F.rms_norm`.
            rms_norm(input: Same, normalized_shape: Ints, weight: Option<Same> = None, eps: Option<f64> = None)
                => input.raw().f_rms_norm(normalized_shape, weight.map(|w| w.raw()), eps);
            /// Normalization over groups of channels, as `F.group_norm`.
            group_norm(input: Same, num_groups: i64, weight: Option<Same> = None, bias: Option<Same> = None, eps: f64 = 1e-5)
                => input.raw().f_group_norm(num_groups, weight.map(|w| w.raw()), bias.map(|b| b.raw()), eps, true);
            /// Normalization over the trailing dims `normalized_shape` (one int
            /// or several), as `F.layer_norm`.
            layer_norm(input: Same, normalized_shape: Ints, weight: Option<Same> = None, bias: Option<Same> = None, eps: f64 = 1e-5)
                => input.raw().f_layer_norm(normalized_shape, weight.map(|w| w.raw()), bias.map(|b| b.raw()), eps, true);

            // --- sampling and rearranging ---
            /// Samples `input` at the `grid` locations, as `F.grid_sample`.
            grid_sample(input: Same, grid: Same, mode: GridSampleMode = "bilinear", padding_mode: PaddingMode = "zeros", align_corners: bool = false)
                => input.raw().f_grid_sampler(grid.raw(), mode.code(), padding_mode.code(), align_corners);
            /// The sampling grid of the affine maps `theta` (`[N, 2, 3]` or
            /// `[N, 3, 4]`) for an output of `size` (`[N, C, H, W]` or
            /// `[N, C, D, H, W]`), as `F.affine_grid` (`grid_sample` reads it).
            affine_grid(theta: Same, size: Ints, align_corners: bool = false) => {
                if size.len() != 4 && size.len() != 5 {
                    let message = format!("size must be [N, C, H, W] or [N, C, D, H, W], got {size:?}");
                    return Err($crate::ops::invalid($crate::ErrorKind::Argument, message));
                }
                Ok(tch::Tensor::f_affine_grid_generator(theta.raw(), size, align_corners)?)
            };
            /// `[N, C*r*r, H, W]` to `[N, C, H*r, W*r]`, as `F.pixel_shuffle`.
            pixel_shuffle(input: Same, upscale_factor: i64)
                => input.raw().f_pixel_shuffle(upscale_factor);
            /// The channels split into `groups` and interleaved (`[N, g*k, *]`
            /// as `[N, k, g, *]` transposed), as `F.channel_shuffle`.
            channel_shuffle(input: Same, groups: i64)
                => input.raw().f_channel_shuffle(groups);
            /// `[N, C, H*r, W*r]` to `[N, C*r*r, H, W]`, as `F.pixel_unshuffle`.
            pixel_unshuffle(input: Same, downscale_factor: i64)
                => input.raw().f_pixel_unshuffle(downscale_factor);
            /// `input1 @ weight @ input2 + bias` per output feature, as `F.bilinear`.
            bilinear(input1: Same, input2: Same, weight: Same, bias: Option<Same> = None)
                => tch::Tensor::f_bilinear(input1.raw(), input2.raw(), weight.raw(), bias.map(|b| b.raw()));
            /// Sliding `kernel_size` blocks as columns, as `F.unfold`.
            im2col(input: Same, kernel_size: I2, dilation: I2 = 1, padding: I2 = 0, stride: I2 = 1)
                => input.raw().f_im2col(kernel_size, dilation, padding, stride);
            /// Columns summed back into an image of `output_size`, as `F.fold`.
            col2im(input: Same, output_size: I2, kernel_size: I2, dilation: I2 = 1, padding: I2 = 0, stride: I2 = 1)
                => input.raw().f_col2im(output_size, kernel_size, dilation, padding, stride);

            // --- linear maps and lookups ---
            /// `input @ weight.T + bias`, as `F.linear`.
            linear(input: Same, weight: Same, bias: Option<Same> = None)
                => input.raw().f_linear(weight.raw(), bias.map(|b| b.raw()));
            /// Rows of `weight` at the Int64 indices `input`, as
            /// `F.embedding`: row `padding_idx` (negative counts from the
            /// end; None: no row) gets no gradient; with `max_norm`, the
            /// rows looked up are first renormalized in place (without
            /// recording) to a `norm_type`-norm of at most `max_norm`;
            /// `scale_grad_by_freq` divides each row's gradient by its count.
            embedding(input: Tensor, weight: Same, padding_idx: Option<i64> = None, max_norm: Option<f64> = None, norm_type: f64 = 2.0, scale_grad_by_freq: bool = false, sparse: bool = false) => {
                let rows = weight.raw().size().first().copied().unwrap_or(0);
                let padding_row = $crate::ops::padding_row(padding_idx, rows)?;
                $crate::error::ensure!(!sparse, Argument, "embedding: sparse gradients are not supported");
                $crate::ops::nn::renorm_rows(weight.raw(), input.raw(), max_norm, norm_type)?;
                Ok::<_, $crate::error::Failure>(tch::Tensor::f_embedding(weight.raw(), input.raw(), padding_row, scale_grad_by_freq, false)?)
            };
            /// Bags of rows of `weight` at the Int64 indices `input`,
            /// reduced by `mode`, as `F.embedding_bag`: a 2-d `input` is one
            /// bag per row; a 1-d one is split at `offsets` (with
            /// `include_last_offset`, the last offset ends the last bag).
            /// `per_sample_weights` (mode "sum" only) scales each row;
            /// rows at `padding_idx` are left out of their bags; `max_norm`,
            /// `norm_type` and `scale_grad_by_freq` as for `embedding`.
            embedding_bag(input: Tensor, weight: Same, offsets: Option<Tensor> = None, max_norm: Option<f64> = None, norm_type: f64 = 2.0, scale_grad_by_freq: bool = false, mode: EmbeddingBagMode = "mean", sparse: bool = false, per_sample_weights: Option<Same> = None, include_last_offset: bool = false, padding_idx: Option<i64> = None) => {
                let bags = $crate::ops::nn::EmbeddingBagArgs { max_norm, norm_type, scale_grad_by_freq, mode, sparse, include_last_offset, padding_idx };
                bags.run(input.raw(), weight.raw(), offsets.map(|o| o.raw()), per_sample_weights.map(|w| w.raw()))
            };
            /// `softmax(q @ k.T * scale + mask) @ v`, as
            /// `F.scaled_dot_product_attention`; `scale` defaults to
            /// `1/sqrt(q.shape[-1])`; with `enable_gqa`, key and value
            /// may have fewer heads (dim -3), each shared by a group of
            /// the query's.
            scaled_dot_product_attention(query: Same, key: Same, value: Same, attn_mask: Option<Tensor> = None, dropout_p: f64 = 0.0, is_causal: bool = false, scale: Option<f64> = None, enable_gqa: bool = false)
                => tch::Tensor::f_scaled_dot_product_attention(query.raw(), key.raw(), value.raw(), attn_mask.map(|m| m.raw()), dropout_p, is_causal, scale, enable_gqa);

            // --- activations PyTorch has only as functions ---
            /// `input` clamped into `[min_val, max_val]`, as `F.hardtanh`: a
            /// value exactly at a bound passes no gradient (PyTorch's rule,
            /// unlike `clamp`'s).
            hardtanh(input: Same, min_val: f64 = (-1.0), max_val: f64 = 1.0, inplace: bool = false) => {
                if min_val > max_val {
                    let message = format!("min_val cannot be greater than max_val, got {min_val} and {max_val}");
                    return Err($crate::ops::invalid($crate::ErrorKind::Argument, message));
                }
                match inplace {
                    true => $crate::ffi::hardtanh_(input.raw(), min_val, max_val),
                    false => $crate::ffi::hardtanh(input.raw(), min_val, max_val),
                }
            };
            /// `min(max(input, 0), 6)`, as `F.relu6` (hardtanh from 0 to 6).
            relu6(input: Same, inplace: bool = false) => match inplace {
                true => $crate::ffi::hardtanh_(input.raw(), 0.0, 6.0),
                false => $crate::ffi::hardtanh(input.raw(), 0.0, 6.0),
            };
            /// `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`, as `F.celu`.
            celu(input: Same, alpha: f64 = 1.0, inplace: bool = false) => match inplace {
                true => $crate::ffi::celu_(input.raw(), alpha),
                false => $crate::ffi::celu(input.raw(), alpha),
            };
            /// `input` where greater than `threshold`, `value` elsewhere, as `F.threshold`.
            threshold(input: Same, threshold: f64, value: f64, inplace: bool = false) => match inplace {
                true => $crate::ffi::threshold_(input.raw(), threshold, value),
                false => $crate::ffi::threshold(input.raw(), threshold, value),
            };
            /// `input` where positive, and times a slope elsewhere: drawn from
            /// `U(lower, upper)` per element when `training`, their mean
            /// otherwise, as `F.rrelu`.
            rrelu(input: Same, lower: f64 = 0.125, upper: f64 = 0.3333333333333333, training: bool = false, inplace: bool = false)
                => $crate::ops::nn::randomized_leaky_relu(input.raw(), lower, upper, training, inplace);
            /// `input` where `|input| > lambd`, 0 elsewhere, as `F.hardshrink`.
            hardshrink(input: Same, lambd: f64 = 0.5) => $crate::ffi::hardshrink(input.raw(), lambd);
            /// `input` moved `lambd` (at least 0) towards 0, and 0 within
            /// `lambd` of it, as `F.softshrink`.
            softshrink(input: Same, lambd: f64 = 0.5) => {
                if lambd.is_nan() || lambd < 0.0 {
                    let message = format!("lambd must be at least 0, got {lambd}");
                    return Err($crate::ops::invalid($crate::ErrorKind::Argument, message));
                }
                $crate::ffi::softshrink(input.raw(), lambd)
            };
            /// `a * sigmoid(b)` for the halves `a`, `b` of `input` along `dim`, as `F.glu`.
            glu(input: Same, dim: i64 = (-1)) => input.raw().f_glu(dim);
            /// `log(sigmoid(input))`, computed stably, as `F.logsigmoid`.
            logsigmoid(input: Same) => input.raw().f_log_sigmoid();
            /// `input / (1 + |input|)`, as `F.softsign`.
            softsign(input: Same) => {
                let x = input.raw();
                Ok::<_, $crate::error::Failure>(x.f_div(&$crate::ffi::add_scalar(&x.f_abs()?, 1.0)?)?)
            };
            /// `input - tanh(input)`, as `F.tanhshrink`.
            tanhshrink(input: Same) => input.raw().f_sub(&input.raw().f_tanh()?);

            /// The `p`-norm distance between the rows of `x1` and `x2`
            /// (broadcast), with `eps` added to the differences, as
            /// `F.pairwise_distance`.
            pairwise_distance(x1: Same, x2: Same, p: f64 = 2.0, eps: f64 = 1e-6, keepdim: bool = false)
                => tch::Tensor::f_pairwise_distance(x1.raw(), x2.raw(), p, eps, keepdim);
            /// A softmax of `(logits + Gumbel noise) / tau` along `dim` (a
            /// differentiable sample of a categorical), one-hot in the
            /// forward pass with `hard` (the soft gradient passes), as
            /// `F.gumbel_softmax`; the noise is drawn from libtorch's
            /// generator as PyTorch's.
            gumbel_softmax(logits: Same, tau: f64 = 1.0, hard: bool = false, dim: i64 = (-1))
                => $crate::ops::nn::gumbel_sample(logits.raw(), tau, hard, dim);

            // --- regularization ---
            /// Zeroes each element with probability `p` and scales the rest by
            /// `1/(1-p)` when `training`, as `F.dropout` (`inplace`: in the
            /// input's own memory, as the other dropouts below).
            dropout(input: Same, p: f64 = 0.5, training: bool = true, inplace: bool = false) => {
                $crate::ops::nn::check_probability("dropout", p)?;
                Ok::<_, $crate::error::Failure>(match inplace {
                    true => input.raw().shallow_clone().f_dropout_(p, training)?,
                    false => input.raw().f_dropout(p, training)?,
                })
            };
            /// Zeroes whole channels (dim 1 of `[N, C, ...]`) with probability
            /// `p` and scales the rest by `1/(1-p)` when `training`, as
            /// `F.dropout1d`, `F.dropout2d` and `F.dropout3d`.
            feature_dropout(input: Same, p: f64 = 0.5, training: bool = true, inplace: bool = false) => {
                $crate::ops::nn::check_probability("feature_dropout", p)?;
                Ok::<_, $crate::error::Failure>(match inplace {
                    true => input.raw().shallow_clone().f_feature_dropout_(p, training)?,
                    false => input.raw().f_feature_dropout(p, training)?,
                })
            };
            /// [`feature_dropout`] of `[N, C, L]` or unbatched `[C, L]`, as `F.dropout1d`.
            dropout1d(input: Same, p: f64 = 0.5, training: bool = true, inplace: bool = false)
                => $crate::ops::nn::channel_dropout("dropout1d", 1, input.raw(), p, training, inplace);
            /// [`feature_dropout`] of `[N, C, H, W]`, as `F.dropout2d` (a 3-d
            /// input is `[N, C, L]`, as PyTorch still reads it).
            dropout2d(input: Same, p: f64 = 0.5, training: bool = true, inplace: bool = false)
                => $crate::ops::nn::channel_dropout("dropout2d", 2, input.raw(), p, training, inplace);
            /// [`feature_dropout`] of `[N, C, D, H, W]` or unbatched `[C, D, H, W]`,
            /// as `F.dropout3d`.
            dropout3d(input: Same, p: f64 = 0.5, training: bool = true, inplace: bool = false)
                => $crate::ops::nn::channel_dropout("dropout3d", 3, input.raw(), p, training, inplace);
            /// Dropout that keeps SELU's mean and variance, as
            /// `F.alpha_dropout` (off unless `training`).
            alpha_dropout(input: Same, p: f64 = 0.5, training: bool = false, inplace: bool = false) => {
                $crate::ops::nn::check_probability("alpha_dropout", p)?;
                Ok::<_, $crate::error::Failure>(match inplace {
                    true => input.raw().shallow_clone().f_alpha_dropout_(p, training)?,
                    false => input.raw().f_alpha_dropout(p, training)?,
                })
            };
            /// [`alpha_dropout`] of whole channels, as `F.feature_alpha_dropout`.
            feature_alpha_dropout(input: Same, p: f64 = 0.5, training: bool = false, inplace: bool = false) => {
                $crate::ops::nn::check_probability("feature_alpha_dropout", p)?;
                Ok::<_, $crate::error::Failure>(match inplace {
                    true => input.raw().shallow_clone().f_feature_alpha_dropout_(p, training)?,
                    false => input.raw().f_feature_alpha_dropout(p, training)?,
                })
            };
            /// Normalization over the batch, per channel (dim 1), as
            /// `F.batch_norm`: batch statistics when `training` (updating
            /// the given running statistics in place), else the running ones.
            batch_norm(input: Same, running_mean: Option<Tensor>, running_var: Option<Tensor>, weight: Option<Same> = None, bias: Option<Same> = None, training: bool = false, momentum: f64 = 0.1, eps: f64 = 1e-5)
                => {
                    $crate::ops::nn::check_batch_stats(input.raw(), training, eps)?;
                    Ok::<_, $crate::error::Failure>(input.raw().f_batch_norm(weight.map(|w| w.raw()), bias.map(|b| b.raw()), running_mean.map(|m| m.raw()), running_var.map(|v| v.raw()), training, momentum, eps, true)?)
                };

            // --- losses ---
            /// Mean squared error, as `F.mse_loss`.
            mse_loss(input: Same, target: Same, reduction: Reduction = "mean") => {
                let (input, target) = $crate::ops::nn::loss_operands(input.raw(), target.raw())?;
                Ok::<_, $crate::error::Failure>(input.f_mse_loss(&target, reduction.aten())?)
            };
            /// Mean absolute error, as `F.l1_loss`.
            l1_loss(input: Same, target: Same, reduction: Reduction = "mean") => {
                let (input, target) = $crate::ops::nn::loss_operands(input.raw(), target.raw())?;
                Ok::<_, $crate::error::Failure>(input.f_l1_loss(&target, reduction.aten())?)
            };
            /// Squared error below `beta`, absolute error above (the two
            /// joined smoothly), as `F.smooth_l1_loss`.
            smooth_l1_loss(input: Same, target: Same, reduction: Reduction = "mean", beta: f64 = 1.0) => {
                let (input, target) = $crate::ops::nn::loss_operands(input.raw(), target.raw())?;
                Ok::<_, $crate::error::Failure>(input.f_smooth_l1_loss(&target, reduction.aten(), beta)?)
            };
            /// Squared error below `delta`, linear above, as `F.huber_loss`.
            huber_loss(input: Same, target: Same, reduction: Reduction = "mean", delta: f64 = 1.0) => {
                let (input, target) = $crate::ops::nn::loss_operands(input.raw(), target.raw())?;
                Ok::<_, $crate::error::Failure>(input.f_huber_loss(&target, reduction.aten(), delta)?)
            };
            /// Cross-entropy of the logits `input` (`[N, C, ...]`) against
            /// class indices (Int64) or class probabilities, as
            /// `F.cross_entropy`: per-class `weight`, `ignore_index` targets
            /// skipped, `label_smoothing` mixed with the uniform distribution.
            cross_entropy(input: Same, target: Tensor, weight: Option<Tensor> = None, ignore_index: i64 = (-100), reduction: Reduction = "mean", label_smoothing: f64 = 0.0)
                => input.raw().f_cross_entropy_loss(target.raw(), weight.map(|w| w.raw()), reduction.aten(), ignore_index, label_smoothing);
            /// Cross-entropy of the logits `input` against class
            /// probabilities `target` of its shape, differentiable in both (a
            /// teacher's softmax not detached, in distillation): what
            /// `F.cross_entropy` computes for a target that requires grad.
            soft_cross_entropy(input: Same, target: Same, weight: Option<Tensor> = None, reduction: Reduction = "mean", label_smoothing: f64 = 0.0) => {
                let (x, t) = (input.raw(), target.raw());
                $crate::error::ensure!(
                    x.size() == t.size(),
                    Shape,
                    "soft_cross_entropy: the target's shape {:?} differs from the input's {:?}",
                    t.size(),
                    x.size()
                );
                Ok::<_, $crate::error::Failure>(x.f_cross_entropy_loss(t, weight.map(|w| w.raw()), reduction.aten(), -100, label_smoothing)?)
            };
            /// Negative log-likelihood of log-probabilities `input` at the
            /// Int64 class indices `target`, as `F.nll_loss`.
            nll_loss(input: Same, target: Tensor, weight: Option<Tensor> = None, ignore_index: i64 = (-100), reduction: Reduction = "mean")
                => input.raw().f_nll_loss_nd(target.raw(), weight.map(|w| w.raw()), reduction.aten(), ignore_index);
            /// Binary cross-entropy of probabilities `input` against
            /// `target` in `[0, 1]`, as `F.binary_cross_entropy`.
            binary_cross_entropy(input: Same, target: Same, weight: Option<Tensor> = None, reduction: Reduction = "mean") => {
                let (x, t) = (input.raw(), target.raw());
                $crate::error::ensure!(
                    x.size() == t.size(),
                    Shape,
                    "binary_cross_entropy: the target's shape {:?} differs from the input's {:?}",
                    t.size(),
                    x.size()
                );
                Ok::<_, $crate::error::Failure>(x.f_binary_cross_entropy(t, weight.map(|w| w.raw()), reduction.aten())?)
            };
            /// Binary cross-entropy of the logits `input` (sigmoid applied
            /// stably inside), as `F.binary_cross_entropy_with_logits`;
            /// `pos_weight` weighs the positive term per class.
            binary_cross_entropy_with_logits(input: Same, target: Same, weight: Option<Tensor> = None, reduction: Reduction = "mean", pos_weight: Option<Tensor> = None)
                => input.raw().f_binary_cross_entropy_with_logits(target.raw(), weight.map(|w| w.raw()), pos_weight.map(|w| w.raw()), reduction.aten());
            /// Kullback-Leibler divergence of the log-probabilities `input`
            /// from `target` (probabilities, or log-probabilities with
            /// `log_target`), as `F.kl_div`.
            kl_div(input: Same, target: Same, reduction: KlDivReduction = "mean", log_target: bool = false)
                => $crate::ops::nn::kl_div_reduced(input.raw(), target.raw(), reduction, log_target);

            // --- distributions (PyTorch's formulas, in ops/distributions.rs) ---
            /// `Normal(loc, scale).log_prob(value)`, broadcasting.
            normal_log_prob(value: Same, loc: Same, scale: Same)
                => $crate::ops::distributions::normal_log_prob(value.raw(), loc.raw(), scale.raw());
            /// `Normal(loc, scale).entropy()`: `0.5 + 0.5 ln(2 pi) + ln(scale)`.
            normal_entropy(scale: Same) => $crate::ops::distributions::normal_entropy(scale.raw());
            /// `Normal(loc, scale).cdf(value)`.
            normal_cdf(value: Same, loc: Same, scale: Same)
                => $crate::ops::distributions::normal_cdf(value.raw(), loc.raw(), scale.raw());
            /// `Normal(loc, scale).icdf(value)`, the inverse of the cdf.
            normal_icdf(value: Same, loc: Same, scale: Same)
                => $crate::ops::distributions::normal_icdf(value.raw(), loc.raw(), scale.raw());
            /// `kl_divergence(Normal(p_loc, p_scale), Normal(q_loc, q_scale))`.
            normal_kl(p_loc: Same, p_scale: Same, q_loc: Same, q_scale: Same)
                => $crate::ops::distributions::normal_kl(p_loc.raw(), p_scale.raw(), q_loc.raw(), q_scale.raw());
            /// `Categorical(logits=logits).log_prob(value)`: the normalized
            /// logits at the class indices `value`, broadcast against the
            /// batch dims (an index outside the classes is an Argument
            /// error). With `probs` (a distribution made from
            /// probabilities), `logits` are their clamped logs, used as they
            /// are, as PyTorch's; likewise for the entropy and KL.
            categorical_log_prob(logits: Same, value: Tensor, probs: Option<Same> = None)
                => $crate::ops::distributions::categorical_log_prob(logits.raw(), value.raw(), probs.map(|p| p.raw()));
            /// `Categorical(logits=logits).entropy()`; `probs`: those a
            /// distribution made from probabilities keeps (else the softmax).
            categorical_entropy(logits: Same, probs: Option<Same> = None)
                => $crate::ops::distributions::categorical_entropy(logits.raw(), probs.map(|p| p.raw()));
            /// `kl_divergence(Categorical(logits=p_logits), Categorical(logits=q_logits))`
            /// (`p_probs`, `q_probs`: probabilities kept, as for the entropy).
            categorical_kl(p_logits: Same, q_logits: Same, p_probs: Option<Same> = None, q_probs: Option<Same> = None)
                => $crate::ops::distributions::categorical_kl(p_logits.raw(), q_logits.raw(), p_probs.map(|p| p.raw()), q_probs.map(|q| q.raw()));
            /// `Bernoulli(logits=logits).log_prob(value)`, broadcasting.
            bernoulli_log_prob(logits: Same, value: Same)
                => $crate::ops::distributions::bernoulli_log_prob(logits.raw(), value.raw());
            /// `Bernoulli(logits=logits).entropy()`; `probs`: those a
            /// distribution made from probabilities keeps (else the sigmoid).
            bernoulli_entropy(logits: Same, probs: Option<Same> = None)
                => $crate::ops::distributions::bernoulli_entropy(logits.raw(), probs.map(|p| p.raw()));
            /// `kl_divergence(Bernoulli(logits=p_logits), Bernoulli(logits=q_logits))`
            /// (`p_probs`, `q_probs`: probabilities kept, as for the entropy).
            bernoulli_kl(p_logits: Same, q_logits: Same, p_probs: Option<Same> = None, q_probs: Option<Same> = None)
                => $crate::ops::distributions::bernoulli_kl(p_logits.raw(), q_logits.raw(), p_probs.map(|p| p.raw()), q_probs.map(|q| q.raw()));

            /// `1 - cos(x1, x2)` where `target` is 1, `max(0, cos(x1, x2) -
            /// margin)` where it is -1, as `F.cosine_embedding_loss`.
            cosine_embedding_loss(input1: Same, input2: Same, target: Tensor, margin: f64 = 0.0, reduction: Reduction = "mean")
                => tch::Tensor::f_cosine_embedding_loss(input1.raw(), input2.raw(), target.raw(), margin, reduction.aten());
            /// `max(0, -target * (x1 - x2) + margin)`, as `F.margin_ranking_loss`.
            margin_ranking_loss(input1: Same, input2: Same, target: Same, margin: f64 = 0.0, reduction: Reduction = "mean")
                => tch::Tensor::f_margin_ranking_loss(input1.raw(), input2.raw(), target.raw(), margin, reduction.aten());
            /// `x` where `target` is 1, `max(0, margin - x)` where it is -1,
            /// as `F.hinge_embedding_loss`.
            hinge_embedding_loss(input: Same, target: Tensor, margin: f64 = 1.0, reduction: Reduction = "mean")
                => input.raw().f_hinge_embedding_loss(target.raw(), margin, reduction.aten());
            /// `max(d(a, p) - d(a, n) + margin, 0)` with the `p`-norm
            /// distance (`swap`: the smaller of `d(a, n)` and `d(p, n)`), as
            /// `F.triplet_margin_loss`.
            triplet_margin_loss(anchor: Same, positive: Same, negative: Same, margin: f64 = 1.0, p: f64 = 2.0, eps: f64 = 1e-6, swap: bool = false, reduction: Reduction = "mean")
                => tch::Tensor::f_triplet_margin_loss(anchor.raw(), positive.raw(), negative.raw(), margin, p, eps, swap, reduction.aten());
            /// `max(margin + positive_distance - negative_distance, 0)` from
            /// the distances of each anchor to its positive and negative
            /// (with `swap_distance`, the positive's to the negative, the
            /// smaller of the two negative ones counts), reduced: what
            /// `F.triplet_margin_with_distance_loss` computes after its
            /// distance function.
            triplet_margin_distance_loss(positive_distance: Same, negative_distance: Same, swap_distance: Option<Same> = None, margin: f64 = 1.0, reduction: Reduction = "mean")
                => $crate::ops::nn::triplet_loss_of_distances(positive_distance.raw(), negative_distance.raw(), swap_distance.map(|s| s.raw()), margin, reduction);
            /// Negative log-likelihood of a Poisson `target` with rate
            /// `exp(input)` (`input` itself without `log_input`), as
            /// `F.poisson_nll_loss`; `full` adds Stirling's term.
            poisson_nll_loss(input: Same, target: Same, log_input: bool = true, full: bool = false, eps: f64 = 1e-8, reduction: Reduction = "mean")
                => input.raw().f_poisson_nll_loss(target.raw(), log_input, full, eps, reduction.aten());
            /// Negative log-likelihood of `target` under a Gaussian of mean
            /// `input` and variance `var` (clamped to `eps`, without changing
            /// its gradient), as `F.gaussian_nll_loss`.
            gaussian_nll_loss(input: Same, target: Same, var: Same, full: bool = false, eps: f64 = 1e-6, reduction: Reduction = "mean")
                => $crate::ops::nn::gaussian_nll(input.raw(), target.raw(), var.raw(), full, eps, reduction);
            /// `sum_{j != y} max(0, margin - x[y] + x[j])^p / C` per sample
            /// (scaled by `weight[y]`), with the Int64 classes `target`, as
            /// `F.multi_margin_loss`; `p` is 1 or 2.
            multi_margin_loss(input: Same, target: Tensor, p: i64 = 1, margin: f64 = 1.0, weight: Option<Tensor> = None, reduction: Reduction = "mean")
                => $crate::ops::nn::multi_margin(input.raw(), target.raw(), p, margin, weight.map(|w| w.raw()), reduction);
            /// The hinge loss of each sample's classes (Int64 `target`, shaped
            /// like `input`, its class indices ended by -1) against the
            /// others, as `F.multilabel_margin_loss`.
            multilabel_margin_loss(input: Same, target: Tensor, reduction: Reduction = "mean")
                => input.raw().f_multilabel_margin_loss(target.raw(), reduction.aten());
            /// The binary cross-entropy of logits against 0/1 `target`,
            /// averaged over the classes (scaled by `weight`), as
            /// `F.multilabel_soft_margin_loss`.
            multilabel_soft_margin_loss(input: Same, target: Tensor, weight: Option<Tensor> = None, reduction: Reduction = "mean")
                => $crate::ops::nn::multilabel_soft_margin(input.raw(), target.raw(), weight.map(|w| w.raw()), reduction);
            /// `log(1 + exp(-target * input))`, as `F.soft_margin_loss`.
            soft_margin_loss(input: Same, target: Tensor, reduction: Reduction = "mean")
                => input.raw().f_soft_margin_loss(target.raw(), reduction.aten());
            /// Connectionist temporal classification loss of `log_probs`
            /// (`[T, N, C]`) against `targets`, as `F.ctc_loss`.
            ctc_loss(log_probs: Same, targets: Tensor, input_lengths: Tensor, target_lengths: Tensor, blank: i64 = 0, reduction: Reduction = "mean", zero_infinity: bool = false)
                => tch::Tensor::f_ctc_loss_tensor(log_probs.raw(), targets.raw(), input_lengths.raw(), target_lengths.raw(), blank, reduction.aten(), zero_infinity);

            // --- recurrent cells ---
            /// One GRU step: the next hidden state, as `torch.gru_cell`.
            gru_cell(input: Same, hx: Same, w_ih: Same, w_hh: Same, b_ih: Option<Same> = None, b_hh: Option<Same> = None)
                => input.raw().f_gru_cell(hx.raw(), w_ih.raw(), w_hh.raw(), b_ih.map(|b| b.raw()), b_hh.map(|b| b.raw()));
            /// One LSTM step from `(hx, cx)`: the next `(h, c)`, as
            /// `torch.lstm_cell(input, (hx, cx), ...)`.
            lstm_cell(input: Same, hx: Same, cx: Same, w_ih: Same, w_hh: Same, b_ih: Option<Same> = None, b_hh: Option<Same> = None) -> (Same, Same)
                => input.raw().f_lstm_cell(&[hx.raw(), cx.raw()], w_ih.raw(), w_hh.raw(), b_ih.map(|b| b.raw()), b_hh.map(|b| b.raw()));

            // --- randomized low-rank decompositions ---
            /// `(U, S, V)` of rank `q` with `a - m ≈ U diag(S) Vᵀ` (`m`
            /// broadcast to `a`, default zero), from a randomized range
            /// finder with `niter` subspace iterations: torch's draws and
            /// numbers from one seed, as `torch.svd_lowrank`.
            svd_lowrank(a: Same, q: i64 = 6, niter: i64 = 2, m: Option<Same> = None) -> (Same, Same, Same)
                => $crate::ops::lowrank::svd_lowrank(a.raw(), q, niter, m.map(|m| m.raw()));
            /// The principal components of the rows of `a` (centred unless
            /// `center` is false) as `(U, S, V)` of rank `q` (default
            /// `min(6, rows, columns)`), as `torch.pca_lowrank`.
            pca_lowrank(a: Same, q: Option<i64> = None, center: bool = true, niter: i64 = 2) -> (Same, Same, Same)
                => $crate::ops::lowrank::pca_lowrank(a.raw(), q, center, niter);
        }
    };
}

pub(crate) use nn_ops;
