//! The batch norms' forward, which `flodl.nn.BatchNorm1d/2d/3d` call:
//! `flodl::nn::batch_norm_forward` on the layer's parameters and buffers.

use pyo3::prelude::*;

use super::args::{CoreArg as _, Operand as _, VariableArg};
use super::gil::without_gil;
use super::results::NnResult as _;
use crate::nn::{BatchNormOptions, RunningStats};

/// _batch_norm_layer(layer, input, dims)
/// --
///
/// The batch norm `layer` (PyTorch's attributes: `eps`, `momentum`,
/// `track_running_stats`, `weight`, `bias`, the running statistics,
/// `training`) of `dims` spatial dims on `input`.
#[pyfunction(name = "_batch_norm_layer")]
pub(crate) fn batch_norm_layer<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    input: VariableArg<'py>,
    dims: usize,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("batch_norm", move || {
        let part = |name: &str| -> PyResult<Option<VariableArg<'py>>> {
            Ok(layer.getattr(name)?.extract()?)
        };
        let (weight, bias) = (part("weight")?, part("bias")?);
        let (mean, var, count) = (
            part("running_mean")?,
            part("running_var")?,
            part("num_batches_tracked")?,
        );
        let options = BatchNormOptions {
            eps: layer.getattr("eps")?.extract()?,
            momentum: layer.getattr("momentum")?.extract()?,
            affine: weight.is_some(),
            track_running_stats: layer.getattr("track_running_stats")?.is_truthy()?,
            bias: bias.is_some(),
        };
        let training = layer.getattr("training")?.is_truthy()?;
        let tracked = [Some(&input), weight.as_ref(), bias.as_ref()]
            .iter()
            .flatten()
            .any(|a| a.tracked());
        let running = match (&mean, &var) {
            (Some(mean), Some(var)) => Some(RunningStats {
                mean: mean.get(),
                var: var.get(),
                num_batches_tracked: count.as_ref().map(|c| c.get()),
            }),
            _ => None,
        };
        let (weight, bias) = (
            weight.as_ref().map(|w| w.get()),
            bias.as_ref().map(|b| b.get()),
        );
        let input = input.get();
        let out = without_gil(py, || {
            crate::nn::batch_norm_forward(
                &super::layers::unnamed,
                dims,
                input,
                weight,
                bias,
                running,
                &options,
                training,
            )
        });
        super::layers::named_by(layer, out)?.into_python(py, tracked)
    })
}
