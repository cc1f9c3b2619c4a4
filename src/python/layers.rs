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
