//! The convolutions' forward and weight shape, which `flodl.nn.Conv*d` and
//! `ConvTranspose*d` call: `flodl::nn::conv_forward` on the layer's spec.

use pyo3::prelude::*;
use pyo3::types::PyString;

use super::args::{CoreArg as _, PyOperand as _, VariableArg};
use super::gil::without_gil;
use super::layers::{named_by, unnamed};
use super::results::NnResult as _;
use crate::nn::{ConvPadding, ConvSpec};
use crate::PadMode;

/// The spec of a convolution layer, from its PyTorch attributes
/// (`in_channels`, `out_channels`, `kernel_size`, `stride`, `padding`,
/// `dilation`, `transposed`, `output_padding`, `groups`, `padding_mode`,
/// and `bias` once it is there).
fn spec_of(layer: &Bound<'_, PyAny>) -> PyResult<ConvSpec> {
    let ints = |name: &str| -> PyResult<Vec<i64>> { layer.getattr(name)?.extract() };
    let int = |name: &str| -> PyResult<i64> { layer.getattr(name)?.extract() };
    let padding = layer.getattr("padding")?;
    let padding = match padding.cast::<PyString>() {
        Ok(text) => match &*text.to_cow()? {
            "same" => ConvPadding::Same,
            "valid" => ConvPadding::Valid,
            other => {
                return Err(argument(format!(
                    "Invalid padding string '{other}', should be one of ['valid', 'same']"
                )))
            }
        },
        Err(_) => ConvPadding::Explicit(padding.extract()?),
    };
    let mode: String = layer.getattr("padding_mode")?.extract()?;
    let padding_mode = match mode.as_str() {
        "zeros" => PadMode::Constant,
        "reflect" => PadMode::Reflect,
        "replicate" => PadMode::Replicate,
        "circular" => PadMode::Circular,
        other => {
            return Err(argument(format!(
                "padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{other}'"
            )))
        }
    };
    // Before the parameters are made, `bias` is not there yet: the weight's
    // shape does not depend on it.
    let bias = layer.getattr("bias").map_or(true, |b| !b.is_none());
    Ok(ConvSpec {
        in_channels: int("in_channels")?,
        out_channels: int("out_channels")?,
        kernel_size: ints("kernel_size")?,
        stride: ints("stride")?,
        padding,
        dilation: ints("dilation")?,
        transposed: layer.getattr("transposed")?.is_truthy()?,
        output_padding: ints("output_padding")?,
        groups: int("groups")?,
        bias,
        padding_mode,
    })
}

fn argument(message: String) -> PyErr {
    crate::Error::new(crate::ErrorKind::Argument, message).into()
}

/// _conv_weight_shape(layer)
/// --
///
/// The weight shape of the convolution `layer` describes, after checking
/// its options.
#[pyfunction(name = "_conv_weight_shape")]
pub(crate) fn conv_weight_shape(layer: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    crate::python::guard::run("conv", move || Ok(spec_of(layer)?.weight_shape()?))
}

/// _conv_layer(layer, input, output_size=None)
/// --
///
/// The convolution `layer` (its spec, `weight` and `bias`) on `input`;
/// `output_size` picks a transposed convolution's output size.
#[pyfunction(name = "_conv_layer")]
#[pyo3(signature = (layer, input, output_size = None))]
pub(crate) fn conv_layer<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    input: VariableArg<'py>,
    output_size: Option<Vec<i64>>,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("conv", move || {
        let spec = spec_of(layer)?;
        let weight: VariableArg<'py> = layer.getattr("weight")?.extract()?;
        let bias: Option<VariableArg<'py>> = layer.getattr("bias")?.extract()?;
        let tracked =
            input.tracked() || weight.tracked() || bias.as_ref().is_some_and(|b| b.tracked());
        let (input, weight, bias) = (input.get(), weight.get(), bias.as_ref().map(|b| b.get()));
        let out = without_gil(py, || {
            crate::nn::conv_forward(&unnamed, &spec, input, weight, bias, output_size.as_deref())
        });
        named_by(layer, out)?.into_python(py, tracked)
    })
}
