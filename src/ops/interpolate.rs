//! `interpolate`, as `F.interpolate`: resizing `[N, C, ...]` by a size or a
//! scale factor per spatial dim. Its sizes and factors are "one, or one per
//! dim", which the op tables have no kind for, so it is written out here.

use super::nn::InterpolateMode;
use super::{run, Operand};
use crate::error::{bail, ensure};
use crate::Result;

const OP: &str = "interpolate";

/// `values` for every one of `dims` spatial dims (one value stands for all).
fn per_dim<V: Copy + std::fmt::Debug>(
    values: &[V],
    dims: usize,
    spatial: &[i64],
    what: &str,
) -> Result<Vec<V>> {
    match values.len() {
        1 => Ok(vec![values[0]; dims]),
        n if n == dims => Ok(values.to_vec()),
        _ => bail!(
            Shape,
            "{OP}: the input has spatial dims {spatial:?}, but {what} is {values:?}: give one value or one per spatial dim"
        ),
    }
}

/// `input` (`[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]`) resized to
/// `size` or by `scale_factor` (exactly one of them), as PyTorch's
/// `F.interpolate`: `align_corners` only for the interpolating modes
/// (false when `None`), `recompute_scale_factor` computes from the output
/// size instead of the factor, `antialias` for bilinear and bicubic.
pub fn interpolate<T: Operand>(
    input: &T,
    size: Option<&[i64]>,
    scale_factor: Option<&[f64]>,
    mode: InterpolateMode,
    align_corners: Option<bool>,
    recompute_scale_factor: Option<bool>,
    antialias: bool,
) -> Result<T> {
    use InterpolateMode::*;
    let shape = input.shape();
    ensure!(
        (3..=5).contains(&shape.len()),
        Shape,
        "{OP}: expected a 3-d, 4-d or 5-d input [N, C, ...], got shape {shape:?}"
    );
    let dims = shape.len() - 2;
    let spatial = &shape[2..];
    let recompute = recompute_scale_factor == Some(true);
    let (output, scales): (Vec<i64>, Vec<Option<f64>>) = match (size, scale_factor) {
        (Some(_), Some(_)) => bail!(
            Argument,
            "{OP}: only one of size or scale_factor should be defined"
        ),
        (None, None) => bail!(
            Argument,
            "{OP}: either size or scale_factor should be defined"
        ),
        (Some(size), None) => {
            ensure!(
                !recompute,
                Argument,
                "{OP}: recompute_scale_factor is not meaningful with an explicit size"
            );
            let output = per_dim(size, dims, spatial, "size")?;
            ensure!(
                output.iter().all(|&s| s > 0),
                Argument,
                "{OP}: the output size must be positive, got {output:?}"
            );
            (output, vec![None; dims])
        }
        (None, Some(factors)) => {
            let factors = per_dim(factors, dims, spatial, "scale_factor")?;
            ensure!(
                factors.iter().all(|&f| f > 0.0 && f.is_finite()),
                Argument,
                "{OP}: scale_factor must be positive, got {factors:?}"
            );
            // libtorch's rule: the size truncated, the factor kept for the
            // coordinates unless it is to be recomputed from the size.
            let output: Vec<i64> = spatial
                .iter()
                .zip(&factors)
                .map(|(&s, &f)| (s as f64 * f).floor() as i64)
                .collect();
            let scales = if recompute {
                vec![None; dims]
            } else {
                factors.into_iter().map(Some).collect()
            };
            (output, scales)
        }
    };
    let interpolating = matches!(mode, Linear | Bilinear | Bicubic | Trilinear);
    ensure!(
        interpolating || align_corners.is_none(),
        Argument,
        "{OP}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
    );
    let align = align_corners.unwrap_or(false);
    ensure!(
        !antialias || (matches!(mode, Bilinear | Bicubic) && dims == 2),
        Argument,
        "{OP}: anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input"
    );
    let wanted = match mode {
        Linear => Some(1),
        Bilinear | Bicubic => Some(2),
        Trilinear => Some(3),
        _ => None,
    };
    if let Some(wanted) = wanted.filter(|&w| w != dims) {
        bail!(
            Argument,
            "{OP}: got {}D input, but {} mode needs {}D input",
            dims + 2,
            super::nn::Mode::name(mode),
            wanted + 2
        );
    }
    let x = input.raw();
    let o = output.as_slice();
    let s = |i: usize| scales.get(i).copied().flatten();
    run(OP, &[x], || match (mode, dims) {
        (Nearest, 1) => x.f_upsample_nearest1d(o, s(0)),
        (Nearest, 2) => x.f_upsample_nearest2d(o, s(0), s(1)),
        (Nearest, _) => x.f_upsample_nearest3d(o, s(0), s(1), s(2)),
        (NearestExact, 1) => x.f_internal_upsample_nearest_exact1d(o, s(0)),
        (NearestExact, 2) => x.f_internal_upsample_nearest_exact2d(o, s(0), s(1)),
        (NearestExact, _) => x.f_internal_upsample_nearest_exact3d(o, s(0), s(1), s(2)),
        (Area, 1) => x.f_adaptive_avg_pool1d(o),
        (Area, 2) => x.f_adaptive_avg_pool2d(o),
        (Area, _) => x.f_adaptive_avg_pool3d(o),
        (Linear, _) => x.f_upsample_linear1d(o, align, s(0)),
        (Bilinear, _) if antialias => x.f_internal_upsample_bilinear2d_aa(o, align, s(0), s(1)),
        (Bilinear, _) => x.f_upsample_bilinear2d(o, align, s(0), s(1)),
        (Bicubic, _) if antialias => x.f_internal_upsample_bicubic2d_aa(o, align, s(0), s(1)),
        (Bicubic, _) => x.f_upsample_bicubic2d(o, align, s(0), s(1)),
        (Trilinear, _) => x.f_upsample_trilinear3d(o, align, s(0), s(1), s(2)),
    })
}
