//! The batch and instance norms' forward, which `flodl.nn.BatchNorm*d` and
//! `InstanceNorm*d` call: `flodl::nn::batch_norm_forward` and
//! `instance_norm_forward` on the layer's parameters and buffers.

use pyo3::prelude::*;

use super::args::{CoreArg as _, PyOperand as _, VariableArg};
use super::gil::without_gil;
use super::layers::{named_by, unnamed};
use super::results::NnResult as _;
use crate::nn::{BatchNormOptions, RunningStats};

/// A norm layer's parts, read from PyTorch's attributes (`weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked`,
/// `eps`, `momentum`, `track_running_stats`, `training`).
struct NormParts<'py> {
    weight: Option<VariableArg<'py>>,
    bias: Option<VariableArg<'py>>,
    mean: Option<VariableArg<'py>>,
    var: Option<VariableArg<'py>>,
    count: Option<VariableArg<'py>>,
    options: BatchNormOptions,
    training: bool,
}

impl<'py> NormParts<'py> {
    fn of(layer: &Bound<'py, PyAny>) -> PyResult<Self> {
        let part =
            |name: &str| -> PyResult<Option<VariableArg<'py>>> { layer.getattr(name)?.extract() };
        let (weight, bias) = (part("weight")?, part("bias")?);
        let options = BatchNormOptions {
            eps: layer.getattr("eps")?.extract()?,
            momentum: layer.getattr("momentum")?.extract()?,
            affine: weight.is_some(),
            track_running_stats: layer.getattr("track_running_stats")?.is_truthy()?,
            bias: bias.is_some(),
        };
        Ok(NormParts {
            weight,
            bias,
            mean: part("running_mean")?,
            var: part("running_var")?,
            count: part("num_batches_tracked")?,
            options,
            training: layer.getattr("training")?.is_truthy()?,
        })
    }

    fn running(&self) -> Option<RunningStats<'_>> {
        match (&self.mean, &self.var) {
            (Some(mean), Some(var)) => Some(RunningStats {
                mean: mean.get(),
                var: var.get(),
                num_batches_tracked: self.count.as_ref().map(|c| c.get()),
            }),
            _ => None,
        }
    }

    fn tracked(&self, input: &VariableArg<'_>) -> bool {
        input.tracked()
            || [&self.weight, &self.bias]
                .iter()
                .any(|p| p.as_ref().is_some_and(|p| p.tracked()))
    }
}

/// _batch_norm_layer(layer, input, dims)
/// --
///
/// The batch norm `layer` of `dims` spatial dims on `input`.
#[pyfunction(name = "_batch_norm_layer")]
pub(crate) fn batch_norm_layer<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    input: VariableArg<'py>,
    dims: usize,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("batch_norm", move || {
        let parts = NormParts::of(layer)?;
        let tracked = parts.tracked(&input);
        let (weight, bias) = (
            parts.weight.as_ref().map(|w| w.get()),
            parts.bias.as_ref().map(|b| b.get()),
        );
        let (running, x) = (parts.running(), input.get());
        let (options, training) = (&parts.options, parts.training);
        let out = without_gil(py, || {
            crate::nn::batch_norm_forward(
                &unnamed, dims, x, weight, bias, running, options, training,
            )
        });
        named_by(layer, out)?.into_python(py, tracked)
    })
}

/// _instance_norm_layer(layer, input, dims)
/// --
///
/// The instance norm `layer` (also `num_features`) of `dims` spatial dims
/// on `input`.
#[pyfunction(name = "_instance_norm_layer")]
pub(crate) fn instance_norm_layer<'py>(
    py: Python<'py>,
    layer: &Bound<'py, PyAny>,
    input: VariableArg<'py>,
    dims: usize,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("instance_norm", move || {
        let parts = NormParts::of(layer)?;
        let num_features: i64 = layer.getattr("num_features")?.extract()?;
        let tracked = parts.tracked(&input);
        let (weight, bias) = (
            parts.weight.as_ref().map(|w| w.get()),
            parts.bias.as_ref().map(|b| b.get()),
        );
        let (running, x) = (parts.running(), input.get());
        let (options, training) = (&parts.options, parts.training);
        let out = without_gil(py, || {
            crate::nn::instance_norm_forward(
                &unnamed,
                dims,
                num_features,
                x,
                weight,
                bias,
                running,
                options,
                training,
            )
        });
        named_by(layer, out)?.into_python(py, tracked)
    })
}
