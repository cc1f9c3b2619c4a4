//! `flodl.nn.init` on Rust's `flodl::nn::init`: each initialiser is one
//! call here, on a Tensor or a Variable (filled in place).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use super::args::{type_name, CoreArg as _, Text};
use crate::nn::init;

/// The values of a Tensor or Variable argument (sharing its memory).
fn values(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<crate::Tensor> {
    if let Some(t) = super::args::plain_tensor(obj) {
        return Ok(t.get().inner.clone());
    }
    if let Some(v) = crate::python::args::as_variable(obj) {
        return Ok(v.get().inner.data());
    }
    Err(PyTypeError::new_err(format!(
        "{name}: expected a Tensor or a Variable, got {}",
        type_name(obj)
    )))
}

/// Fills `tensor` in place by the initialiser `name` (torch.nn.init's
/// name), reading the arguments it takes.
#[pyfunction]
#[pyo3(name = "_nn_init", signature = (
    name, tensor, *, a = 0.0, b = 1.0, mean = 0.0, std = 1.0, val = 0.0, gain = 1.0,
    mode = Text::from("fan_in"), nonlinearity = Text::from("leaky_relu"), groups = 1, sparsity = 0.0, bias = None
), text_signature = "(name, tensor, *, a=0.0, b=1.0, mean=0.0, std=1.0, val=0.0, gain=1.0, mode='fan_in', nonlinearity='leaky_relu', groups=1, sparsity=0.0, bias=None)")]
#[allow(clippy::too_many_arguments)] // every initialiser's arguments, by name
pub(crate) fn nn_init(
    name: &str,
    tensor: &Bound<'_, PyAny>,
    a: f64,
    b: f64,
    mean: f64,
    std: f64,
    val: f64,
    gain: f64,
    mode: Text,
    nonlinearity: Text,
    groups: i64,
    sparsity: f64,
    bias: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    crate::python::guard::run("nn_init", move || {
        let t = values(name, tensor)?;
        let mode = mode.core(name, "mode")?;
        let nonlinearity = nonlinearity.core(name, "nonlinearity")?;
        match name {
            "uniform_" => init::uniform_(&t, a, b),
            "normal_" => init::normal_(&t, mean, std),
            "constant_" => init::constant_(&t, val),
            "ones_" => init::ones_(&t),
            "zeros_" => init::zeros_(&t),
            "eye_" => init::eye_(&t),
            "dirac_" => init::dirac_(&t, groups),
            "xavier_uniform_" => init::xavier_uniform_(&t, gain),
            "xavier_normal_" => init::xavier_normal_(&t, gain),
            "kaiming_uniform_" => init::kaiming_uniform_(&t, a, mode, nonlinearity),
            "kaiming_normal_" => init::kaiming_normal_(&t, a, mode, nonlinearity),
            "trunc_normal_" => init::trunc_normal_(&t, mean, std, a, b),
            "orthogonal_" => init::orthogonal_(&t, gain),
            "sparse_" => init::sparse_(&t, sparsity, std),
            "layer_default_" => {
                let bias = bias
                    .filter(|b| !b.is_none())
                    .map(|b| values(name, b))
                    .transpose()?;
                init::layer_default_(&t, bias.as_ref())
            }
            other => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("flodl.nn.init has no {other}"),
            )),
        }?;
        Ok(())
    })
}

/// Starts a layer's parameters in place by `flodl::nn::init`'s recipe
/// `name`, the one Rust's layers start from: `bilinear_default_` (weight,
/// `bias`), `recurrent_default_` (all, `hidden_size`), `embedding_default_`
/// (weight, `padding_idx`), `attention_default_` (the input projections,
/// `bias` the input bias, `out_bias`, `extra` the key and value biases) and
/// `xavier_matrices_` (all). None among them is skipped.
#[pyfunction]
#[pyo3(name = "_nn_layer_init", signature = (
    name, parameters, *, bias = None, out_bias = None, extra = None, hidden_size = 0,
    padding_idx = None
))]
#[allow(clippy::too_many_arguments)] // every recipe's arguments, by name
pub(crate) fn nn_layer_init(
    name: &str,
    parameters: Vec<Bound<'_, PyAny>>,
    bias: Option<Bound<'_, PyAny>>,
    out_bias: Option<Bound<'_, PyAny>>,
    extra: Option<Vec<Bound<'_, PyAny>>>,
    hidden_size: i64,
    padding_idx: Option<i64>,
) -> PyResult<()> {
    let all = |items: &[Bound<'_, PyAny>]| -> PyResult<Vec<crate::Tensor>> {
        items
            .iter()
            .filter(|p| !p.is_none())
            .map(|p| values(name, p))
            .collect()
    };
    let one = |item: Option<Bound<'_, PyAny>>| -> PyResult<Option<crate::Tensor>> {
        item.filter(|b| !b.is_none())
            .map(|b| values(name, &b))
            .transpose()
    };
    let (tensors, bias, out_bias, extra) = (
        all(&parameters)?,
        one(bias)?,
        one(out_bias)?,
        all(&extra.unwrap_or_default())?,
    );
    fn refs(ts: &[crate::Tensor]) -> Vec<&crate::Tensor> {
        ts.iter().collect()
    }
    crate::python::guard::run("nn_layer_init", move || {
        match (name, tensors.as_slice()) {
            ("bilinear_default_", [weight]) => init::bilinear_default_(weight, bias.as_ref()),
            ("embedding_default_", [weight]) => init::embedding_default_(weight, padding_idx),
            ("recurrent_default_", _) => init::recurrent_default_(&refs(&tensors), hidden_size),
            ("attention_default_", _) => init::attention_default_(
                &refs(&tensors),
                bias.as_ref(),
                out_bias.as_ref(),
                &refs(&extra),
            ),
            ("xavier_matrices_", _) => init::xavier_matrices_(&refs(&tensors)),
            _ => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!(
                    "flodl.nn.init has no layer recipe {name} of {} tensors",
                    tensors.len()
                ),
            )),
        }?;
        Ok(())
    })
}

/// The recommended gain for `nonlinearity` (`param`: leaky_relu's slope):
/// the int 1 where PyTorch returns it, else a float.
#[pyfunction]
#[pyo3(name = "_nn_init_gain", signature = (nonlinearity, param = None))]
pub(crate) fn gain<'py>(
    py: Python<'py>,
    nonlinearity: Text,
    param: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::python::guard::run("nn_init_gain", move || {
        let nonlinearity = nonlinearity.core("calculate_gain", "nonlinearity")?;
        let param = match param {
            None => None,
            Some(p) if p.is_none() => None,
            Some(p)
                if !p.is_instance_of::<PyBool>()
                    && (p.is_instance_of::<PyInt>() || p.is_instance_of::<PyFloat>()) =>
            {
                Some(p.extract::<f64>()?)
            }
            Some(p) => {
                return Err(crate::Error::new(
                    crate::ErrorKind::Argument,
                    format!("calculate_gain: negative_slope {p} not a valid number"),
                )
                .into())
            }
        };
        let gain = init::calculate_gain(nonlinearity, param)?;
        if init::UNIT_GAIN.contains(&nonlinearity) {
            return Ok(1i64.into_pyobject(py)?.into_any());
        }
        Ok(gain.into_pyobject(py)?.into_any())
    })
}

/// `(fan_in, fan_out)` of a weight.
#[pyfunction]
#[pyo3(name = "_nn_init_fans")]
pub(crate) fn fans(tensor: &Bound<'_, PyAny>) -> PyResult<(i64, i64)> {
    crate::python::guard::run("nn_init_fans", move || {
        let t = values("fan_in_and_fan_out", tensor)?;
        Ok(init::fan_in_and_fan_out(&t.shape())?)
    })
}
