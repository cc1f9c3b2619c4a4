//! Gradient clipping, as `torch.nn.utils` (one libtorch foreach pass over
//! all the gradients), and spectral normalization's computation, which
//! Python's `nn.utils.spectral_norm` and
//! `nn.utils.parametrizations.spectral_norm` call.

use crate::error::{Failure, Result};
use crate::{Operand, Tensor, Variable};

/// Scales the gradients of `params` in place so that their joint
/// `norm_type`-norm (`f64::INFINITY`: the largest magnitude) is at most
/// `max_norm`, as `torch.nn.utils.clip_grad_norm_`; returns the norm before
/// scaling. A non-finite norm is an Argument error with `error_if_nonfinite`.
pub fn clip_grad_norm_(
    params: &[Variable],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let grads: Vec<Tensor> = params.iter().filter_map(Variable::grad).collect();
    clip_grads_norm_(&grads, max_norm, norm_type, error_if_nonfinite)
}

/// [`clip_grad_norm_`] on the gradients themselves (a zero norm for none).
pub fn clip_grads_norm_(
    grads: &[Tensor],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let raws: Vec<&tch::Tensor> = grads.iter().map(Operand::raw).collect();
    crate::ops::run_opt("clip_grad_norm_", &[], || {
        crate::ffi::clip_grad_norm(&raws, max_norm, norm_type, error_if_nonfinite)
    })
}

/// The joint `norm_type`-norm of `tensors` (as one vector; a zero for
/// none), as `torch.nn.utils.get_total_norm`. A non-finite norm is an
/// Argument error with `error_if_nonfinite`.
pub fn get_total_norm(
    tensors: &[Tensor],
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let raws: Vec<&tch::Tensor> = tensors.iter().map(Operand::raw).collect();
    crate::ops::run_opt("get_total_norm", &[], || {
        crate::ffi::total_norm(&raws, norm_type, error_if_nonfinite)
    })
}

/// Scales `grads` in place so that `total_norm` (their joint norm, from
/// [`get_total_norm`]) becomes at most `max_norm`, as
/// `torch.nn.utils.clip_grads_with_norm_` of their parameters.
pub fn clip_grads_with_norm_(grads: &[Tensor], max_norm: f64, total_norm: &Tensor) -> Result<()> {
    let raws: Vec<&tch::Tensor> = grads.iter().map(Operand::raw).collect();
    crate::ops::run_opt("clip_grads_with_norm_", &[], || {
        crate::ffi::clip_grads_with_norm(&raws, max_norm, total_norm.raw())
    })
}

/// Clamps every gradient of `params` into `[-clip_value, clip_value]`, in
/// place, as `torch.nn.utils.clip_grad_value_`.
pub fn clip_grad_value_(params: &[Variable], clip_value: f64) -> Result<()> {
    let grads: Vec<Tensor> = params.iter().filter_map(Variable::grad).collect();
    clip_grads_value_(&grads, clip_value)
}

/// [`clip_grad_value_`] on the gradients themselves.
pub fn clip_grads_value_(grads: &[Tensor], clip_value: f64) -> Result<()> {
    for grad in grads {
        grad.clamp_(-clip_value, clip_value)?;
    }
    Ok(())
}

/// The tensors flattened and joined into one vector, as
/// `torch.nn.utils.parameters_to_vector`: differentiable in the parameters.
pub fn parameters_to_vector(params: &[Variable]) -> Result<Variable> {
    crate::error::ensure!(
        !params.is_empty(),
        Argument,
        "parameters_to_vector: got no parameters"
    );
    let flat: Vec<Variable> = params
        .iter()
        .map(|p| p.reshape(&[-1]))
        .collect::<Result<_>>()?;
    Variable::cat_many(&flat, 0)
}

/// Gives each parameter the next slice of the 1-D `vec` as its values (its
/// `data`, sharing `vec`'s memory), as `torch.nn.utils.vector_to_parameters`.
/// Checks everything first: on an error no parameter has changed.
pub fn vector_to_parameters(vec: &Tensor, params: &[Variable]) -> Result<()> {
    let op = "vector_to_parameters";
    crate::error::ensure!(
        vec.ndim() == 1,
        Argument,
        "{op}: expected a 1-d vector, got shape {:?}",
        vec.shape()
    );
    let total: usize = params.iter().map(Operand::numel).sum();
    crate::error::ensure!(
        vec.numel() == total,
        Argument,
        "{op}: the vector has {} elements, the parameters {total}",
        vec.numel()
    );
    let mut slices = Vec::with_capacity(params.len());
    let mut offset = 0;
    for p in params {
        let n = p.numel() as i64;
        slices.push(vec.narrow(0, offset, n)?.reshape(&p.shape())?);
        offset += n;
    }
    for (p, values) in params.iter().zip(&slices) {
        p.set_data(values)?;
    }
    Ok(())
}

/// Which vector spectral normalization's power iteration updates first:
/// `torch.nn.utils.spectral_norm` updates `v`, then `u`;
/// `torch.nn.utils.parametrizations.spectral_norm` `u`, then `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerIterationOrder {
    VFirst,
    UFirst,
}

/// `weight` as the matrix whose largest singular value spectral
/// normalization divides by: `dim` first, the other dims flattened after it.
fn spectral_matrix(weight: &tch::Tensor, dim: i64) -> std::result::Result<tch::Tensor, Failure> {
    let ndim = weight.dim() as i64;
    crate::error::ensure!(
        ndim >= 1 && (-ndim..ndim).contains(&dim),
        Index,
        "spectral_norm: dim {dim} is out of range for a weight of shape {:?}",
        weight.size()
    );
    let dim = dim.rem_euclid(ndim);
    let mut order = vec![dim];
    order.extend((0..ndim).filter(|&d| d != dim));
    let moved = weight.f_permute(&order)?;
    let height = moved.size()[0];
    Ok(moved.f_reshape([height, -1])?)
}

/// `x` over its 2-norm, at least `eps`, as `F.normalize(x, dim=0, eps=eps)`.
fn unit(x: &tch::Tensor, eps: f64) -> std::result::Result<tch::Tensor, Failure> {
    let norm = crate::ffi::vector_norm(x, 2.0, Some(&[0]), true)?;
    Ok(x.f_div(&crate::ffi::clamp_min(&norm, eps)?)?)
}

/// Spectral normalization's starting vectors for `weight` (as a matrix of
/// `dim`, `[h, w]`): `u` of `h` and `v` of `w` values, each drawn from the
/// standard normal (u's first, as PyTorch, so a seed gives PyTorch's
/// vectors) and normalized with `eps`.
pub fn spectral_vectors<T: Operand>(weight: &T, dim: i64, eps: f64) -> Result<(Tensor, Tensor)> {
    crate::no_grad(|| {
        let raw = weight.raw();
        let drawn = |size: i64| -> std::result::Result<tch::Tensor, Failure> {
            let values = tch::Tensor::f_empty([size], (raw.f_kind()?, raw.device()))?;
            unit(&values.shallow_clone().f_normal_(0.0, 1.0)?, eps)
        };
        let (u, v) = crate::ops::run("spectral_norm", &[raw], || {
            let matrix = spectral_matrix(raw, dim)?;
            let (h, w) = (matrix.size()[0], matrix.size()[1]);
            let u = drawn(h)?;
            Ok::<_, Failure>((u, drawn(w)?))
        })?;
        Ok((u, v))
    })
}

/// `iterations` rounds of the power iteration that estimates `weight`'s
/// largest singular vectors, in place on `u` and `v` and with no graph:
/// `v = normalize(Wᵀ u)` and `u = normalize(W v)`, in `order` (`W` is
/// `weight` as a matrix of `dim`, each normalization at least `eps`).
pub fn spectral_power_iteration<T: Operand>(
    weight: &T,
    u: &Tensor,
    v: &Tensor,
    dim: i64,
    iterations: i64,
    eps: f64,
    order: PowerIterationOrder,
) -> Result<()> {
    crate::no_grad(|| {
        let (raw, u_raw, v_raw) = (weight.raw(), u.raw(), v.raw());
        crate::ops::run::<(), _, _>("spectral_norm", &[raw, u_raw, v_raw], || {
            let matrix = spectral_matrix(raw, dim)?;
            let transposed = matrix.f_tr()?;
            let update_u = || -> std::result::Result<(), Failure> {
                u_raw
                    .shallow_clone()
                    .f_copy_(&unit(&matrix.f_mv(v_raw)?, eps)?)?;
                Ok(())
            };
            let update_v = || -> std::result::Result<(), Failure> {
                v_raw
                    .shallow_clone()
                    .f_copy_(&unit(&transposed.f_mv(u_raw)?, eps)?)?;
                Ok(())
            };
            for _ in 0..iterations {
                match order {
                    PowerIterationOrder::VFirst => {
                        update_v()?;
                        update_u()?;
                    }
                    PowerIterationOrder::UFirst => {
                        update_u()?;
                        update_v()?;
                    }
                }
            }
            Ok::<_, Failure>(())
        })
    })
}

/// `weight` over `σ = u · (W v)`, its largest singular value as `u` and
/// `v` estimate it (`W`: `weight` as a matrix of `dim`). The graph runs
/// through `weight` and holds copies of `u` and `v`, so the next power
/// iteration (in place) leaves it intact.
pub fn spectral_normalized<T: Operand>(weight: &T, u: &Tensor, v: &Tensor, dim: i64) -> Result<T> {
    let (raw, u_raw, v_raw) = (weight.raw(), u.raw(), v.raw());
    crate::ops::run("spectral_norm", &[raw, u_raw, v_raw], || {
        let matrix = spectral_matrix(raw, dim)?;
        let sigma = u_raw
            .f_detach_copy()?
            .f_dot(&matrix.f_mv(&v_raw.f_detach_copy()?)?)?;
        Ok::<_, Failure>(raw.f_div(&sigma)?)
    })
}

/// How `parametrizations.orthogonal` maps its free parameter to an
/// orthogonal matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrthogonalMap {
    /// The exponential of a skew-symmetric matrix (square weights' default).
    MatrixExp,
    /// The Cayley transform `(I + A/2)(I - A/2)^-1` of one.
    Cayley,
    /// A product of Householder reflections (other shapes' default).
    Householder,
}

impl OrthogonalMap {
    /// PyTorch's name of the map.
    pub fn name(self) -> &'static str {
        match self {
            OrthogonalMap::MatrixExp => "matrix_exp",
            OrthogonalMap::Cayley => "cayley",
            OrthogonalMap::Householder => "householder",
        }
    }
}

/// The last two dims of `shape`, and whether the matrix is wide (then
/// PyTorch works on its transpose).
fn matrix_dims(op: &str, shape: &[i64]) -> Result<(i64, i64, bool)> {
    let n = shape.len();
    crate::error::ensure!(
        n >= 2,
        Argument,
        "{op}: expected a matrix or batch of matrices, got a tensor of {n} dimensions"
    );
    let (rows, cols) = (shape[n - 2], shape[n - 1]);
    Ok(match rows < cols {
        true => (cols, rows, true),
        false => (rows, cols, false),
    })
}

/// The orthogonal matrix (or batch, each with orthonormal columns or rows)
/// that `x` parametrizes by `map`, times `base` when given (PyTorch's
/// trivialization), as `parametrizations.orthogonal`'s forward: the
/// graph goes back to `x`.
pub fn orthogonal_from(
    x: &Variable,
    map: OrthogonalMap,
    base: Option<&Tensor>,
) -> Result<Variable> {
    let (n, k, transposed) = matrix_dims("orthogonal", &x.shape())?;
    let x = match transposed {
        true => x.transpose(-2, -1)?,
        false => x.clone(),
    };
    let options = crate::TensorOptions {
        dtype: x.dtype(),
        device: x.device(),
    };
    let mut q = match map {
        OrthogonalMap::MatrixExp | OrthogonalMap::Cayley => {
            let mut lower = x.tril(0)?;
            if n != k {
                // Embedded in a square matrix.
                let mut shape = x.shape();
                let last = shape.len() - 1;
                shape[last] = n - k;
                let zeros = Variable::new(Tensor::zeros(&shape, options)?, false)?;
                lower = Variable::cat_many(&[lower, zeros], -1)?;
            }
            let a = lower.sub(&lower.transpose(-2, -1)?)?;
            let q = match map {
                OrthogonalMap::MatrixExp => a.matrix_exp()?,
                _ => {
                    let id = Variable::new(Tensor::eye(n, options)?, false)?;
                    let half = a.mul_scalar(0.5)?;
                    id.sub(&half)?.linalg_solve(&id.add(&half)?, true)?
                }
            };
            match n != k {
                true => q.narrow(-1, 0, k)?,
                false => q,
            }
        }
        OrthogonalMap::Householder => {
            let a = x.tril(-1)?;
            let norms = a.mul(&a)?.sum_dim(-2, false)?;
            let tau = norms.add_scalar(1.0)?.reciprocal()?.mul_scalar(2.0)?;
            let q = a.linalg_householder_product(&tau)?;
            // The diagonal's signs (1 or -1), as integers: not differentiated.
            let signs = x
                .data()
                .diagonal(0, -2, -1)?
                .to_dtype(crate::DType::Int32)?;
            let signs = signs.to_dtype(x.dtype())?.unsqueeze(-2)?;
            q.mul(&Variable::new(signs, false)?)?
        }
    };
    if let Some(base) = base {
        q = Variable::new(base.clone(), false)?.matmul(&q)?;
    }
    match transposed {
        true => q.transpose(-2, -1),
        false => Ok(q),
    }
}

/// `a` made orthogonal as PyTorch's parametrization does: the Q of its QR
/// factorization, its columns' signs those of R's diagonal.
fn make_orthogonal(a: &Tensor) -> Result<Tensor> {
    crate::ops::run("orthogonal", &[a.raw()], || {
        let (x, tau) = a.raw().f_geqrf()?;
        let q = x.f_linalg_householder_product(&tau)?;
        let signs = x.f_diagonal(0, -2, -1)?.f_sgn()?.f_unsqueeze(-2)?;
        q.f_mul(&signs)
    })
}

/// What [`orthogonal_from`] needs to give `q` (PyTorch's `right_inverse`):
/// with `use_trivialization`, minus the identity and the base (`q` made
/// orthogonal, completed by random columns when it is not square);
/// without, the Householder map's own parameters (the other maps cannot
/// be assigned to then: an Argument error).
pub fn orthogonal_right_inverse(
    q: &Tensor,
    map: OrthogonalMap,
    use_trivialization: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    const OP: &str = "orthogonal.right_inverse";
    let (n, k, transposed) = matrix_dims(OP, &q.shape())?;
    let tall = match transposed {
        true => q.transpose(-2, -1)?,
        false => q.clone(),
    };
    if !use_trivialization {
        crate::error::ensure!(
            map == OrthogonalMap::Householder,
            Argument,
            "{OP}: it is not possible to assign to the matrix exponential or the Cayley \
             parametrizations when use_trivialization=False"
        );
        let original: Tensor = crate::ops::run(OP, &[tall.raw()], || {
            let (a, tau) = tall.raw().f_geqrf()?;
            let mut diagonal = a.f_diagonal(0, -2, -1)?;
            let _ = diagonal.f_sign_()?;
            // Where a reflection is the identity, its sign flips.
            let flat = tau
                .f_eq(0.0)?
                .f_to_kind(a.kind())?
                .f_mul_scalar(-2.0)?
                .f_add_scalar(1.0)?;
            let _ = diagonal.f_mul_(&flat)?;
            Ok::<_, Failure>(a)
        })?;
        let original = match transposed {
            true => original.transpose(-2, -1)?,
            false => original,
        };
        return Ok((original, None));
    }
    let base = if n == k {
        let eps = 10.0 * n as f64 * q.dtype().finfo()?.eps;
        let gram = tall.transpose(-2, -1)?.matmul(&tall)?;
        let id = Tensor::eye(
            k,
            crate::TensorOptions {
                dtype: q.dtype(),
                device: q.device(),
            },
        )?;
        match gram.allclose(&id, 1e-5, eps, false)? {
            true => tall.copy()?,
            false => make_orthogonal(&tall)?,
        }
    } else {
        let mut shape = tall.shape();
        let last = shape.len() - 1;
        shape[last] = n - k;
        let options = crate::TensorOptions {
            dtype: q.dtype(),
            device: q.device(),
        };
        let completion = Tensor::randn(&shape, options)?;
        make_orthogonal(&Tensor::cat_many(&[tall, completion], -1)?)?
    };
    let minus_identity = Tensor::zeros_like(q)?;
    minus_identity.diagonal(0, -2, -1)?.fill_(-1.0)?;
    Ok((minus_identity, Some(base)))
}

/// `1 / sqrt(running_var + eps)`, and the batch norm's weight (ones when
/// absent).
fn batch_norm_rsqrt(
    running_var: &Tensor,
    eps: f64,
    weight: Option<&Tensor>,
) -> Result<(Tensor, Tensor)> {
    let rsqrt = running_var.add_scalar(eps)?.rsqrt()?;
    let weight = match weight {
        Some(w) => w.clone(),
        None => Tensor::ones_like(running_var)?,
    };
    Ok((rsqrt, weight))
}

/// `(bias - running_mean) * scale + bn_bias` in PyTorch's order, a missing
/// bias zeros, in `dtype`.
fn shifted_bias(
    bias: Option<&Tensor>,
    running_mean: &Tensor,
    scale: impl FnOnce(&Tensor) -> Result<Tensor>,
    bn_bias: Option<&Tensor>,
    dtype: crate::DType,
) -> Result<Tensor> {
    // Zeros for what is missing, as PyTorch's (so signed zeros agree too).
    let zeros = Tensor::zeros_like(running_mean)?;
    let centred = bias.unwrap_or(&zeros).sub(running_mean)?;
    scale(&centred)?
        .add(bn_bias.unwrap_or(&zeros))?
        .to_dtype(dtype)
}

/// The weight and bias of a convolution followed by an evaluation-mode
/// batch norm, folded into one convolution, as
/// `torch.nn.utils.fuse_conv_bn_weights` (in its order of operations):
/// the weight scaled per output channel (dim 1 for a transposed
/// convolution, `transpose`), the bias (zeros when absent) shifted; each
/// keeps its own dtype.
#[allow(clippy::too_many_arguments)] // PyTorch's arguments, in its order
pub fn fuse_conv_bn_weights(
    conv_weight: &Tensor,
    conv_bias: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    eps: f64,
    bn_weight: Option<&Tensor>,
    bn_bias: Option<&Tensor>,
    transpose: bool,
) -> Result<(Tensor, Tensor)> {
    let ndim = conv_weight.ndim();
    crate::error::ensure!(
        ndim >= 2,
        Argument,
        "fuse_conv_bn_weights: a convolution's weight has at least 2 dims, got {ndim}"
    );
    let (rsqrt, bn_w) = batch_norm_rsqrt(running_var, eps, bn_weight)?;
    let mut shape = vec![1i64; ndim];
    shape[usize::from(transpose)] = -1;
    let weight = conv_weight
        .mul(&bn_w.mul(&rsqrt)?.reshape(&shape)?)?
        .to_dtype(conv_weight.dtype())?;
    let dtype = conv_bias.map_or(conv_weight.dtype(), |b| b.dtype());
    let scale = |c: &Tensor| c.mul(&rsqrt)?.mul(&bn_w);
    let bias = shifted_bias(conv_bias, running_mean, scale, bn_bias, dtype)?;
    Ok((weight, bias))
}

/// [`fuse_conv_bn_weights`] for a linear layer, as
/// `torch.nn.utils.fuse_linear_bn_weights`: the weight's rows scaled.
pub fn fuse_linear_bn_weights(
    linear_weight: &Tensor,
    linear_bias: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    eps: f64,
    bn_weight: Option<&Tensor>,
    bn_bias: Option<&Tensor>,
) -> Result<(Tensor, Tensor)> {
    let (rsqrt, bn_w) = batch_norm_rsqrt(running_var, eps, bn_weight)?;
    let scale = bn_w.mul(&rsqrt)?;
    let weight = linear_weight.mul(&scale.unsqueeze(-1)?.to_dtype(linear_weight.dtype())?)?;
    let dtype = linear_bias.map_or(linear_weight.dtype(), |b| b.dtype());
    let bias = shifted_bias(linear_bias, running_mean, |c| c.mul(&scale), bn_bias, dtype)?;
    Ok((weight, bias))
}
