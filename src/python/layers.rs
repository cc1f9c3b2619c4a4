//! What the bindings of `flodl::nn`'s layer computations share: the
//! layer's Python repr in their error messages, made only on failure.

use pyo3::prelude::*;

use super::args::{CoreArg as _, PyOperand as _, TensorArg, VariableArg};
use super::results::NnResult as _;

/// Stands for the layer's name in an error from `flodl::nn` until
/// [`named_by`] puts the repr in (the computation runs without the GIL).
const UNNAMED: &str = "\u{1}layer\u{1}";

/// The name a binding gives `flodl::nn`'s computation.
pub(crate) fn unnamed() -> String {
    UNNAMED.to_string()
}

/// `result` with the layer's `_layer_name()` (its repr on one line) in
/// place of [`unnamed`]'s marker.
pub(crate) fn named_by<T>(layer: &Bound<'_, PyAny>, result: crate::Result<T>) -> PyResult<T> {
    result.map_err(|error| {
        if !error.message().contains(UNNAMED) {
            return error.into();
        }
        let name = layer
            .call_method0("_layer_name")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "layer".to_string());
        crate::Error::new(error.kind(), error.message().replace(UNNAMED, &name)).into()
    })
}

/// `_softmax_dim(ndim)`: the dim `F.softmax` and friends run along when
/// given none (Rust's `nn::implicit_softmax_dim`).
#[pyfunction(name = "_softmax_dim")]
pub(crate) fn softmax_dim(ndim: usize) -> i64 {
    crate::nn::implicit_softmax_dim(ndim)
}

/// _spectral_vectors(weight, dim, eps)
/// --
///
/// Spectral normalization's starting `(u, v)` for `weight` as a matrix of
/// `dim`: N(0, 1) draws, normalized (`flodl::nn::utils::spectral_vectors`).
#[pyfunction(name = "_spectral_vectors")]
pub(crate) fn spectral_vectors(
    weight: VariableArg<'_>,
    dim: i64,
    eps: f64,
) -> PyResult<(crate::Tensor, crate::Tensor)> {
    crate::python::guard::run("spectral_norm", move || {
        Ok(crate::nn::utils::spectral_vectors(weight.get(), dim, eps)?)
    })
}

/// _spectral_power_iteration(weight, u, v, dim, iterations, eps, u_first)
/// --
///
/// `iterations` rounds of the power iteration, in place on the buffers `u`
/// and `v` (`u_first`: parametrizations' order, else `nn.utils.spectral_norm`'s).
#[pyfunction(name = "_spectral_power_iteration")]
pub(crate) fn spectral_power_iteration(
    weight: VariableArg<'_>,
    u: TensorArg<'_>,
    v: TensorArg<'_>,
    dim: i64,
    iterations: i64,
    eps: f64,
    u_first: bool,
) -> PyResult<()> {
    use crate::nn::utils::PowerIterationOrder;
    let order = match u_first {
        true => PowerIterationOrder::UFirst,
        false => PowerIterationOrder::VFirst,
    };
    crate::python::guard::run("spectral_norm", move || {
        let (u, v) = (u.get(), v.get());
        Ok(crate::nn::utils::spectral_power_iteration(
            weight.get(),
            u,
            v,
            dim,
            iterations,
            eps,
            order,
        )?)
    })
}

/// _spectral_normalized(weight, u, v, dim)
/// --
///
/// `weight` over its largest singular value as `u` and `v` estimate it
/// (a Variable when `weight` is one).
#[pyfunction(name = "_spectral_normalized")]
pub(crate) fn spectral_normalized(
    py: Python<'_>,
    weight: VariableArg<'_>,
    u: TensorArg<'_>,
    v: TensorArg<'_>,
    dim: i64,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("spectral_norm", move || {
        let tracked = weight.tracked();
        let out = crate::nn::utils::spectral_normalized(weight.get(), u.get(), v.get(), dim)?;
        out.into_python(py, tracked)
    })
}

/// PyTorch's name of an orthogonal map as `flodl::nn::utils`'.
fn orthogonal_map(name: &str) -> PyResult<crate::nn::utils::OrthogonalMap> {
    use crate::nn::utils::OrthogonalMap;
    match name {
        "matrix_exp" => Ok(OrthogonalMap::MatrixExp),
        "cayley" => Ok(OrthogonalMap::Cayley),
        "householder" => Ok(OrthogonalMap::Householder),
        _ => Err(crate::Error::new(
            crate::ErrorKind::Argument,
            format!(
                "orthogonal: orthogonal_map has to be one of \"matrix_exp\", \"cayley\", \
                 \"householder\". Got: {name}"
            ),
        )
        .into()),
    }
}

/// _orthogonal(x, orthogonal_map, base=None)
/// --
///
/// The orthogonal matrix `x` parametrizes by `orthogonal_map`, times
/// `base` when given (a Variable when `x` is one).
#[pyfunction(name = "_orthogonal", signature = (x, orthogonal_map, base = None))]
pub(crate) fn orthogonal(
    py: Python<'_>,
    x: VariableArg<'_>,
    orthogonal_map: &str,
    base: Option<TensorArg<'_>>,
) -> PyResult<Py<PyAny>> {
    let map = self::orthogonal_map(orthogonal_map)?;
    crate::python::guard::run("orthogonal", move || {
        let tracked = x.tracked();
        let base = base.as_ref().map(|b| b.get());
        let out = crate::nn::utils::orthogonal_from(x.get(), map, base)?;
        out.into_python(py, tracked)
    })
}

/// _orthogonal_right_inverse(q, orthogonal_map, use_trivialization)
/// --
///
/// `(original, base)` that give `q` back (base None without
/// `use_trivialization`).
#[pyfunction(name = "_orthogonal_right_inverse")]
pub(crate) fn orthogonal_right_inverse(
    q: TensorArg<'_>,
    orthogonal_map: &str,
    use_trivialization: bool,
) -> PyResult<(crate::Tensor, Option<crate::Tensor>)> {
    let map = self::orthogonal_map(orthogonal_map)?;
    Ok(crate::nn::utils::orthogonal_right_inverse(
        q.get(),
        map,
        use_trivialization,
    )?)
}

/// _fuse_bn_weights(layer, weight, bias, running_mean, running_var, eps, bn_weight, bn_bias, transpose=False)
/// --
///
/// The weight and bias of `layer` (`"conv"` or `"linear"`) with an
/// evaluation-mode batch norm folded in (`nn.utils.fuse_*_bn_weights`).
#[pyfunction(name = "_fuse_bn_weights", signature = (
    layer, weight, bias, running_mean, running_var, eps, bn_weight, bn_bias, transpose = false
))]
#[allow(clippy::too_many_arguments)] // PyTorch's arguments, in its order
pub(crate) fn fuse_bn_weights(
    layer: &str,
    weight: TensorArg<'_>,
    bias: Option<TensorArg<'_>>,
    running_mean: TensorArg<'_>,
    running_var: TensorArg<'_>,
    eps: f64,
    bn_weight: Option<TensorArg<'_>>,
    bn_bias: Option<TensorArg<'_>>,
    transpose: bool,
) -> PyResult<(crate::Tensor, crate::Tensor)> {
    let (bias, bn_weight, bn_bias) = (
        bias.as_ref().map(|b| b.get()),
        bn_weight.as_ref().map(|w| w.get()),
        bn_bias.as_ref().map(|b| b.get()),
    );
    let (mean, var) = (running_mean.get(), running_var.get());
    Ok(match layer {
        "linear" => crate::nn::utils::fuse_linear_bn_weights(
            weight.get(),
            bias,
            mean,
            var,
            eps,
            bn_weight,
            bn_bias,
        )?,
        _ => crate::nn::utils::fuse_conv_bn_weights(
            weight.get(),
            bias,
            mean,
            var,
            eps,
            bn_weight,
            bn_bias,
            transpose,
        )?,
    })
}

/// _state_dict_error(module, missing, unexpected, misshaped, not_tensors, others)
/// --
///
/// The error of `Module.load_state_dict` for the module named `module`
/// (`flodl::nn::StateDictProblems`: PyTorch's phrases), or None when
/// nothing is wrong; `misshaped` holds `(name, loaded shape, own shape)`.
#[pyfunction(name = "_state_dict_error")]
pub(crate) fn state_dict_error(
    py: Python<'_>,
    module: &str,
    missing: Vec<String>,
    unexpected: Vec<String>,
    misshaped: Vec<(String, Vec<i64>, Vec<i64>)>,
    not_tensors: Vec<(String, String)>,
    others: Vec<String>,
) -> Option<Py<PyAny>> {
    let problems = crate::nn::StateDictProblems {
        missing,
        unexpected,
        misshaped,
        not_tensors,
        others,
    };
    let error = problems.error(module)?;
    Some(PyErr::from(error).into_value(py).into_any())
}
