//! Parameter initialisation, as `torch.nn.init`: PyTorch's formulas and the
//! same draws from libtorch's generator, so that after one `manual_seed` a
//! flodl layer and a PyTorch layer start from the same numbers. Each
//! function fills a Tensor or Variable in place (without recording a
//! graph). Python's `flodl.nn.init` calls these.

use crate::error::{bail, ensure, Error, Result};
use crate::Operand;

fn torch_err(op: &'static str) -> impl Fn(tch::TchError) -> Error {
    move |e| Error::from_torch(op, "", e)
}

/// The tensor to fill, as libtorch sees it, outside any graph.
fn target<T: Operand>(t: &T) -> (tch::Tensor, crate::NoGradGuard) {
    (t.raw().shallow_clone(), crate::NoGradGuard::new())
}

/// The nonlinearities whose gain is exactly 1 (PyTorch returns the int 1
/// for them, which Python's binding does too).
pub(crate) const UNIT_GAIN: &[&str] = &[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
];

/// The recommended gain for `nonlinearity` (PyTorch's names): 1 for linear,
/// conv and sigmoid; 5/3 for tanh; sqrt(2) for relu; sqrt(2 / (1 +
/// slope^2)) for leaky_relu (slope `param`, default 0.01); 3/4 for selu.
pub fn calculate_gain(nonlinearity: &str, param: Option<f64>) -> Result<f64> {
    Ok(match nonlinearity {
        unit if UNIT_GAIN.contains(&unit) => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => {
            let slope = param.unwrap_or(0.01);
            (2.0 / (1.0 + slope.powi(2))).sqrt()
        }
        "selu" => 3.0 / 4.0,
        other => bail!(
            Argument,
            "calculate_gain: unsupported nonlinearity {other:?}"
        ),
    })
}

/// `(fan_in, fan_out)` of a weight: `size(1)` and `size(0)` times the
/// receptive field (the product of the dims after the first two).
pub fn fan_in_and_fan_out(shape: &[i64]) -> Result<(i64, i64)> {
    ensure!(
        shape.len() >= 2,
        Argument,
        "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions \
         (got shape {shape:?})"
    );
    let receptive_field: i64 = shape[2..].iter().product();
    Ok((shape[1] * receptive_field, shape[0] * receptive_field))
}

/// The fan `mode` picks: "fan_in" (the default, preserving the forward
/// pass's variance) or "fan_out" (the backward's).
pub fn correct_fan(shape: &[i64], mode: &str) -> Result<i64> {
    let (fan_in, fan_out) = fan_in_and_fan_out(shape)?;
    match mode.to_lowercase().as_str() {
        "fan_in" => Ok(fan_in),
        "fan_out" => Ok(fan_out),
        _ => bail!(
            Argument,
            "Mode {mode} not supported, please use one of fan_in, fan_out"
        ),
    }
}

/// Uniform values in `[a, b)`.
pub fn uniform_<T: Operand>(t: &T, a: f64, b: f64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let _ = raw.f_uniform_(a, b).map_err(torch_err("uniform_"))?;
    Ok(())
}

/// Normal values of mean `mean` and standard deviation `std`.
pub fn normal_<T: Operand>(t: &T, mean: f64, std: f64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let _ = raw.f_normal_(mean, std).map_err(torch_err("normal_"))?;
    Ok(())
}

/// `val` everywhere.
pub fn constant_<T: Operand>(t: &T, val: f64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let _ = raw.f_fill_(val).map_err(torch_err("constant_"))?;
    Ok(())
}

/// Ones.
pub fn ones_<T: Operand>(t: &T) -> Result<()> {
    constant_(t, 1.0)
}

/// Zeros.
pub fn zeros_<T: Operand>(t: &T) -> Result<()> {
    constant_(t, 0.0)
}

/// The identity matrix (a 2-d tensor).
pub fn eye_<T: Operand>(t: &T) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let shape = raw.size();
    ensure!(
        shape.len() == 2,
        Argument,
        "eye_: only 2-dimensional tensors are supported, got shape {shape:?}"
    );
    let eye = tch::Tensor::f_eye_m(shape[0], shape[1], (raw.kind(), raw.device()))
        .map_err(torch_err("eye_"))?;
    raw.f_copy_(&eye).map_err(torch_err("eye_"))?;
    Ok(())
}

/// The Dirac delta of a 3-, 4- or 5-d convolution weight: each of the
/// `groups` groups passes its input channels through unchanged.
pub fn dirac_<T: Operand>(t: &T, groups: i64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let shape = raw.size();
    ensure!(
        (3..=5).contains(&shape.len()),
        Argument,
        "dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape {shape:?}"
    );
    ensure!(
        groups > 0 && shape[0] % groups == 0,
        Argument,
        "dirac_: dim 0 must be divisible by groups (got {} and {groups})",
        shape[0]
    );
    let out_per_group = shape[0] / groups;
    let min_dim = out_per_group.min(shape[1]);
    let _ = raw.f_zero_().map_err(torch_err("dirac_"))?;
    for g in 0..groups {
        for d in 0..min_dim {
            let mut index = vec![g * out_per_group + d, d];
            index.extend(shape[2..].iter().map(|s| s / 2));
            let mut element = raw.shallow_clone();
            for i in index {
                element = element.f_select(0, i).map_err(torch_err("dirac_"))?;
            }
            let _ = element.f_fill_(1.0).map_err(torch_err("dirac_"))?;
        }
    }
    Ok(())
}

/// Glorot/Xavier uniform: `U(-a, a)` with `a = gain * sqrt(6 / (fan_in + fan_out))`.
pub fn xavier_uniform_<T: Operand>(t: &T, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = fan_in_and_fan_out(&t.raw().size())?;
    let std = gain * (2.0 / (fan_in + fan_out) as f64).sqrt();
    let a = 3f64.sqrt() * std;
    uniform_(t, -a, a)
}

/// Glorot/Xavier normal: `N(0, std^2)` with `std = gain * sqrt(2 / (fan_in + fan_out))`.
pub fn xavier_normal_<T: Operand>(t: &T, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = fan_in_and_fan_out(&t.raw().size())?;
    let std = gain * (2.0 / (fan_in + fan_out) as f64).sqrt();
    normal_(t, 0.0, std)
}

fn kaiming_std(shape: &[i64], a: f64, mode: &str, nonlinearity: &str) -> Result<f64> {
    let fan = correct_fan(shape, mode)?;
    let gain = calculate_gain(nonlinearity, Some(a))?;
    Ok(gain / (fan as f64).sqrt())
}

/// He/Kaiming uniform: `U(-bound, bound)` with `bound = gain * sqrt(3 /
/// fan)`; `a` is the negative slope of a leaky_relu `nonlinearity`.
pub fn kaiming_uniform_<T: Operand>(t: &T, a: f64, mode: &str, nonlinearity: &str) -> Result<()> {
    if t.raw().numel() == 0 {
        return Ok(()); // nothing to fill (and no fan to divide by), as PyTorch
    }
    let bound = 3f64.sqrt() * kaiming_std(&t.raw().size(), a, mode, nonlinearity)?;
    uniform_(t, -bound, bound)
}

/// He/Kaiming normal: `N(0, std^2)` with `std = gain / sqrt(fan)`.
pub fn kaiming_normal_<T: Operand>(t: &T, a: f64, mode: &str, nonlinearity: &str) -> Result<()> {
    if t.raw().numel() == 0 {
        return Ok(()); // as kaiming_uniform_
    }
    let std = kaiming_std(&t.raw().size(), a, mode, nonlinearity)?;
    normal_(t, 0.0, std)
}

/// Whether `trunc_normal_`'s mean lies more than 2 standard deviations
/// outside `[a, b]` (where PyTorch warns that the values may be off).
fn trunc_normal_mean_is_far(mean: f64, std: f64, a: f64, b: f64) -> bool {
    mean < a - 2.0 * std || mean > b + 2.0 * std
}

/// A normal distribution `N(mean, std^2)` truncated to `[a, b]`, by
/// rejection (PyTorch's method since 2.13, the same draws): resampling the
/// values outside `[a, b]` when they are rare, else uniform candidates in
/// `[a, b]` accepted by the density.
pub fn trunc_normal_<T: Operand>(t: &T, mean: f64, std: f64, a: f64, b: f64) -> Result<()> {
    if trunc_normal_mean_is_far(mean, std, a, b) {
        crate::warnings::warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. \
             The distribution of values may be incorrect.",
        );
    }
    let norm_cdf = |x: f64| -> Result<f64> { Ok((1.0 + erf(x / 2f64.sqrt())?) / 2.0) };
    let p = norm_cdf((b - mean) / std)? - norm_cdf((a - mean) / std)?;
    let (mut raw, _guard) = target(t);
    let fail = torch_err("trunc_normal_");
    let any = |m: &tch::Tensor| -> Result<bool> {
        Ok(m.f_any()
            .and_then(|x| x.f_int64_value(&[]))
            .map_err(&fail)?
            != 0)
    };
    if p > 0.3 {
        // The bounds as the tensor's dtype holds them, so that the mask
        // agrees with its values.
        let bound = |x: f64| -> Result<f64> {
            (tch::Tensor::f_full([] as [i64; 0], x, (raw.kind(), tch::Device::Cpu)))
                .and_then(|v| v.f_double_value(&[]))
                .map_err(&fail)
        };
        let (lo, hi) = (bound(a)?, bound(b)?);
        let _ = raw.f_normal_(mean, std).map_err(&fail)?;
        let mut result = raw.shallow_clone();
        loop {
            let mask = (result.f_lt(lo).and_then(|l| Ok((l, result.f_gt(hi)?))))
                .and_then(|(l, g)| l.f_logical_or(&g))
                .map_err(&fail)?;
            if !any(&mask)? {
                break;
            }
            let mut fresh = result.f_empty_like().map_err(&fail)?;
            let _ = fresh.f_normal_(mean, std).map_err(&fail)?;
            result = fresh.f_where_self(&mask, &result).map_err(&fail)?;
        }
        raw.f_copy_(&result).map_err(&fail)?;
    } else {
        let mode = a.max(mean.min(b));
        let log_peak = -0.5 * ((mode - mean) / std).powi(2);
        let mut candidates = raw.f_empty_like().map_err(&fail)?;
        let mut accept = raw.f_empty_like().map_err(&fail)?;
        // log(pdf(x) / pdf(mode)) of the candidates, in place.
        let log_ratio = |c: &mut tch::Tensor| -> Result<()> {
            let _ = (c.f_sub_scalar_(mean))
                .and_then(|mut c| c.f_div_scalar_(std))
                .and_then(|mut c| c.f_pow_(2))
                .and_then(|mut c| c.f_mul_scalar_(-0.5))
                .and_then(|mut c| c.f_sub_scalar_(log_peak))
                .map_err(&fail)?;
            Ok(())
        };
        let _ = raw.f_uniform_(a, b).map_err(&fail)?;
        candidates.f_copy_(&raw).map_err(&fail)?;
        log_ratio(&mut candidates)?;
        let draw_rejections = |accept: &mut tch::Tensor, c: &tch::Tensor| -> Result<tch::Tensor> {
            (accept.f_uniform_(0.0, 1.0))
                .and_then(|mut u| u.f_log_())
                .and_then(|u| u.f_gt_tensor(c))
                .map_err(&fail)
        };
        let mut pending = draw_rejections(&mut accept, &candidates)?;
        if any(&pending)? {
            let mut result = raw.shallow_clone();
            loop {
                let _ = candidates.f_uniform_(a, b).map_err(&fail)?;
                result = candidates.f_where_self(&pending, &result).map_err(&fail)?;
                log_ratio(&mut candidates)?;
                let rejected = draw_rejections(&mut accept, &candidates)?;
                pending = rejected.f_where_self(&pending, &pending).map_err(&fail)?;
                if !any(&pending)? {
                    break;
                }
            }
            raw.f_copy_(&result).map_err(&fail)?;
        }
    }
    Ok(())
}

/// The error function (libtorch's, which is the C library's, as Python's
/// `math.erf`).
fn erf(x: f64) -> Result<f64> {
    (tch::Tensor::from(x).f_erf())
        .and_then(|e| e.f_double_value(&[]))
        .map_err(torch_err("trunc_normal_"))
}

/// A (semi-)orthogonal matrix times `gain`, from the QR decomposition of
/// normal draws (dims after the first are flattened).
pub fn orthogonal_<T: Operand>(t: &T, gain: f64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let shape = raw.size();
    ensure!(
        shape.len() >= 2,
        Argument,
        "orthogonal_: only tensors with 2 or more dimensions are supported, got shape {shape:?}"
    );
    if raw.numel() == 0 {
        return Ok(());
    }
    let fail = torch_err("orthogonal_");
    let rows = shape[0];
    let cols = raw.numel() as i64 / rows;
    let mut flat = tch::Tensor::f_empty([rows, cols], (raw.kind(), raw.device())).map_err(&fail)?;
    let _ = flat.f_normal_(0.0, 1.0).map_err(&fail)?;
    if rows < cols {
        flat = flat.f_tr().map_err(&fail)?;
    }
    let (mut q, r) = tch::Tensor::f_linalg_qr(&flat, "reduced").map_err(&fail)?;
    let signs = r.f_diag(0).and_then(|d| d.f_sign()).map_err(&fail)?;
    q = q.f_mul(&signs).map_err(&fail)?;
    if rows < cols {
        q = q.f_tr().map_err(&fail)?;
    }
    raw.f_view_as(&q)
        .and_then(|mut v| v.f_copy_(&q))
        .map_err(&fail)?;
    let _ = raw.f_mul_scalar_(gain).map_err(&fail)?;
    Ok(())
}

/// How PyTorch starts a linear or convolution layer (its
/// `reset_parameters`), the one place both languages' layers take it from:
/// the weight Kaiming-uniform with `a = sqrt(5)` (a bound of
/// `1/sqrt(fan_in)`), then the bias uniform in `+-1/sqrt(fan_in)`.
pub fn layer_default_<T: Operand>(weight: &T, bias: Option<&T>) -> Result<()> {
    kaiming_uniform_(weight, 5f64.sqrt(), "fan_in", "leaky_relu")?;
    if let Some(bias) = bias {
        let (fan_in, _) = fan_in_and_fan_out(&weight.shape())?;
        // Without inputs the bias is drawn from [0, 0], as PyTorch's Linear
        // does (zeros, and the generator moves on as PyTorch's).
        let bound = if fan_in > 0 {
            1.0 / (fan_in as f64).sqrt()
        } else {
            0.0
        };
        uniform_(bias, -bound, bound)?;
    }
    Ok(())
}

/// How PyTorch starts a bilinear layer: the weight `[out, in1, in2]` and
/// the bias uniform in `+-1/sqrt(in1)`.
pub fn bilinear_default_<T: Operand>(weight: &T, bias: Option<&T>) -> Result<()> {
    let shape = weight.shape();
    ensure!(
        shape.len() == 3,
        Shape,
        "bilinear_default_: the weight is [out, in1, in2], got {shape:?}"
    );
    let bound = 1.0 / (shape[1] as f64).sqrt();
    uniform_(weight, -bound, bound)?;
    if let Some(bias) = bias {
        uniform_(bias, -bound, bound)?;
    }
    Ok(())
}

/// How PyTorch starts a recurrent layer or cell: every parameter, in
/// order, uniform in `+-1/sqrt(hidden_size)` (zeros without hidden units).
pub fn recurrent_default_<T: Operand>(parameters: &[&T], hidden_size: i64) -> Result<()> {
    let bound = if hidden_size > 0 {
        1.0 / (hidden_size as f64).sqrt()
    } else {
        0.0
    };
    parameters
        .iter()
        .try_for_each(|p| uniform_(*p, -bound, bound))
}

/// How PyTorch starts an embedding table: N(0, 1), the row `padding_idx`
/// (counted from the start) zeroed.
pub fn embedding_default_<T: Operand>(weight: &T, padding_idx: Option<i64>) -> Result<()> {
    normal_(weight, 0.0, 1.0)?;
    if let Some(row) = padding_idx {
        let (raw, _guard) = target(weight);
        let rows = raw.size().first().copied().unwrap_or(0);
        ensure!(
            (0..rows).contains(&row),
            Index,
            "embedding_default_: padding_idx {row} is out of range for {rows} rows"
        );
        let mut padding = raw
            .f_select(0, row)
            .map_err(torch_err("embedding_default_"))?;
        let _ = padding.f_zero_().map_err(torch_err("embedding_default_"))?;
    }
    Ok(())
}

/// How PyTorch starts multi-head attention: the input projections
/// (`in_proj_weight`, or the separate q, k, v weights) Xavier-uniform, the
/// input and output projection biases zero (only with an input bias, as
/// PyTorch's), and the key and value biases (`add_bias_kv`) Xavier-normal.
pub fn attention_default_<T: Operand>(
    projections: &[&T],
    in_proj_bias: Option<&T>,
    out_proj_bias: Option<&T>,
    bias_kv: &[&T],
) -> Result<()> {
    for w in projections {
        xavier_uniform_(*w, 1.0)?;
    }
    if let Some(b) = in_proj_bias {
        constant_(b, 0.0)?;
        if let Some(out_bias) = out_proj_bias {
            constant_(out_bias, 0.0)?;
        }
    }
    bias_kv.iter().try_for_each(|b| xavier_normal_(*b, 1.0))
}

/// How PyTorch starts a whole Transformer: every parameter of more than one
/// dim Xavier-uniform, in order; vectors (biases, norms) as they are.
pub fn xavier_matrices_<T: Operand>(parameters: &[&T]) -> Result<()> {
    parameters
        .iter()
        .filter(|p| p.shape().len() > 1)
        .try_for_each(|p| xavier_uniform_(*p, 1.0))
}

/// A sparse 2-d matrix: normal values of deviation `std`, with a fraction
/// `sparsity` of each column set to zero (rows picked by `randperm`).
pub fn sparse_<T: Operand>(t: &T, sparsity: f64, std: f64) -> Result<()> {
    let (mut raw, _guard) = target(t);
    let shape = raw.size();
    ensure!(
        shape.len() == 2,
        Argument,
        "sparse_: only tensors with 2 dimensions are supported, got shape {shape:?}"
    );
    let fail = torch_err("sparse_");
    let (rows, cols) = (shape[0], shape[1]);
    let num_zeros = (sparsity * rows as f64).ceil() as i64;
    let _ = raw.f_normal_(0.0, std).map_err(&fail)?;
    for col in 0..cols {
        // Drawn on the CPU, as PyTorch's `randperm(rows)`.
        let order = tch::Tensor::f_randperm(rows, (tch::Kind::Int64, tch::Device::Cpu))
            .and_then(|o| o.f_to_device(raw.device()))
            .map_err(&fail)?;
        let zero_rows = order.f_narrow(0, 0, num_zeros.min(rows)).map_err(&fail)?;
        let mut column = raw.f_select(1, col).map_err(&fail)?;
        let _ = column.f_index_fill_(0, &zero_rows, 0.0).map_err(&fail)?;
    }
    Ok(())
}
