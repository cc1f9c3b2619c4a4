//! `flodl.nn.functional.interpolate`: `flodl::interpolate` with PyTorch's
//! signature (a size or a factor, each one value or one per spatial dim).

use pyo3::prelude::*;

use super::args::{Choice, CoreArg as _, Float, Int, PyOperand as _, VariableArg};
use super::gil::without_gil;
use super::results::NnResult as _;
use crate::InterpolateMode;

/// `value` (None, one number or a sequence) as a list of `T`.
fn one_or_many<'py, T: for<'a> FromPyObject<'a, 'py>>(
    value: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<Vec<T>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if value.is_instance_of::<pyo3::types::PyList>()
        || value.is_instance_of::<pyo3::types::PyTuple>()
    {
        return Ok(Some(value.extract()?));
    }
    Ok(Some(vec![value.extract::<T>().map_err(Into::into)?]))
}

/// `input` (`[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]`) resized to
/// `size` or by `scale_factor` (one value, or one per spatial dim), as
/// `torch.nn.functional.interpolate`; `mode` is "nearest", "linear",
/// "bilinear", "bicubic", "trilinear", "area" or "nearest-exact".
#[pyfunction]
#[allow(clippy::too_many_arguments)] // PyTorch's signature
#[pyo3(signature = (input, size = None, scale_factor = None, mode = Choice::from("nearest"), align_corners = None, recompute_scale_factor = None, antialias = false), text_signature = "(input, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None, antialias=False)")]
pub(crate) fn interpolate<'py>(
    py: Python<'py>,
    input: VariableArg<'py>,
    size: Option<&Bound<'py, PyAny>>,
    scale_factor: Option<&Bound<'py, PyAny>>,
    mode: Choice<InterpolateMode>,
    align_corners: Option<bool>,
    recompute_scale_factor: Option<bool>,
    antialias: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("interpolate", move || {
        // `Int` and `Float`: an int beyond 64 bits is an ArgumentError, and
        // no object's own `__float__` runs.
        let size: Option<Vec<i64>> = one_or_many::<Int>(size)?
            .map(|v| v.iter().map(|i| i.core("interpolate", "size")).collect())
            .transpose()?;
        let scale_factor: Option<Vec<f64>> = one_or_many::<Float>(scale_factor)?
            .map(|v| {
                v.iter()
                    .map(|f| f.core("interpolate", "scale_factor"))
                    .collect()
            })
            .transpose()?;
        let mode = mode.core("interpolate", "mode")?;
        let tracked = input.tracked();
        let x = input.get();
        let out = without_gil(py, || {
            crate::interpolate(
                x,
                size.as_deref(),
                scale_factor.as_deref(),
                mode,
                align_corners,
                recompute_scale_factor,
                antialias,
            )
        })?;
        out.into_python(py, tracked)
    })
}
