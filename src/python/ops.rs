//! The Python side of the op table: one macro expands every op of
//! `crate::ops` and the arithmetic operators for `Tensor` and `Variable`.
//! An op added to the Rust table gets one entry here.

/// `py_ops!(PyClass, operand_fn)`: `operand_fn(&Bound<PyAny>)` returns
/// `PyResult<Option<arg>>`, `arg.get()` giving the core value.
macro_rules! py_ops {
    ($Py:ident, $operand:path) => {
        $crate::python::ops::py_ops!(@emit $Py, $operand,
            binary [
                add: "Elementwise `self + other`, broadcasting.",
                sub: "Elementwise `self - other`, broadcasting.",
                mul: "Elementwise `self * other`, broadcasting.",
                div: "Elementwise `self / other` (true division), broadcasting.",
                matmul: "Matrix product, as `torch.matmul`."
            ],
            unary [
                neg: "`-self`.",
                relu: "`max(self, 0)`, elementwise.",
                sigmoid: "`1 / (1 + exp(-self))`, elementwise.",
                tanh: "Hyperbolic tangent, elementwise.",
                exp: "`e ** self`, elementwise.",
                log: "Natural logarithm, elementwise.",
                reciprocal: "`1 / self`, elementwise.",
                sum: "Sum of all elements (0-dimensional).",
                mean: "Mean of all elements (0-dimensional)."
            ],
            scalar [
                mul_scalar(scalar): "`self * scalar`.",
                add_scalar(scalar): "`self + scalar`.",
                div_scalar(scalar): "`self / scalar`.",
                pow_scalar(exponent): "`self ** exponent`, elementwise."
            ]
        );
    };
    (@emit $Py:ident, $operand:path,
        binary [$($b:ident: $bdoc:literal),*],
        unary [$($u:ident: $udoc:literal),*],
        scalar [$($s:ident($sarg:ident): $sdoc:literal),*]
    ) => {
        #[pyo3::pymethods]
        impl $Py {
            $(
                #[doc = $bdoc]
                fn $b(&self, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
                    let other = $crate::python::ops::required($operand(other)?, other, stringify!($b))?;
                    Ok(Self::from(self.inner.$b(other.get())?))
                }
            )*
            $(
                #[doc = $udoc]
                fn $u(&self) -> pyo3::PyResult<Self> {
                    Ok(Self::from(self.inner.$u()?))
                }
            )*
            $(
                #[doc = $sdoc]
                fn $s(&self, $sarg: f64) -> pyo3::PyResult<Self> {
                    Ok(Self::from(self.inner.$s($sarg)?))
                }
            )*

            // ----- inspection, the same on Tensor and Variable -----

            fn shape(&self) -> Vec<i64> {
                self.inner.shape()
            }

            fn ndim(&self) -> usize {
                self.inner.ndim()
            }

            fn numel(&self) -> usize {
                self.inner.numel()
            }

            fn dtype(&self) -> $crate::DType {
                self.inner.dtype()
            }

            fn device(&self) -> $crate::python::device::PyDevice {
                $crate::python::device::PyDevice(self.inner.device())
            }

            fn requires_grad(&self) -> bool {
                self.inner.requires_grad()
            }

            /// The value of a single-element tensor.
            fn item(&self) -> pyo3::PyResult<f64> {
                Ok(self.inner.item()?)
            }

            fn __float__(&self) -> pyo3::PyResult<f64> {
                Ok(self.inner.item()?)
            }

            /// A copy on `device` (differentiable on a Variable).
            fn to_device(&self, device: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
                let device = $crate::python::convert::device_arg(Some(device))?;
                Ok(Self::from(self.inner.to_device(device)?))
            }

            // ----- operators: a Python number on either side means the _scalar op -----

            fn __add__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| self.inner.add(o.get()), |s| Some(self.inner.add_scalar(s)))
            }

            fn __radd__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| o.get().add(&self.inner), |s| Some(self.inner.add_scalar(s)))
            }

            fn __sub__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| self.inner.sub(o.get()), |s| Some(self.inner.add_scalar(-s)))
            }

            fn __rsub__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| o.get().sub(&self.inner), |s| Some(self.inner.neg().and_then(|n| n.add_scalar(s))))
            }

            fn __mul__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| self.inner.mul(o.get()), |s| Some(self.inner.mul_scalar(s)))
            }

            fn __rmul__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| o.get().mul(&self.inner), |s| Some(self.inner.mul_scalar(s)))
            }

            fn __truediv__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| self.inner.div(o.get()), |s| Some(self.inner.div_scalar(s)))
            }

            /// As PyTorch does: `s / x` is `reciprocal(x) * s`.
            fn __rtruediv__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| o.get().div(&self.inner), |s| Some(self.inner.reciprocal().and_then(|r| r.mul_scalar(s))))
            }

            fn __matmul__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| self.inner.matmul(o.get()), |_| None)
            }

            fn __rmatmul__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| o.get().matmul(&self.inner), |_| None)
            }

            fn __pow__(&self, py: pyo3::Python<'_>, exponent: &pyo3::Bound<'_, pyo3::PyAny>, modulo: Option<&pyo3::Bound<'_, pyo3::PyAny>>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                match ($crate::python::ops::scalar(exponent), modulo) {
                    (Some(e), None) => $crate::python::ops::new_object(py, Self::from(self.inner.pow_scalar(e)?)),
                    _ => Ok(py.NotImplemented()),
                }
            }

            fn __neg__(&self) -> pyo3::PyResult<Self> {
                Ok(Self::from(self.inner.neg()?))
            }
        }
    };
}

pub(crate) use py_ops;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

/// A Python number as f64 (bool, int, float and numpy scalars), else None.
pub(crate) fn scalar(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if obj.is_instance_of::<PyFloat>()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyBool>()
    {
        return obj.extract::<f64>().ok();
    }
    // numpy scalars (np.float32(2.0), np.int64(3)) carry `dtype` and convert with float().
    if obj.hasattr("dtype").unwrap_or(false)
        && obj.getattr("ndim").and_then(|n| n.extract::<usize>()).ok() == Some(0)
    {
        return obj.extract::<f64>().ok();
    }
    None
}

/// An operand that must be there: a TypeError naming the op otherwise.
pub(crate) fn required<T>(arg: Option<T>, obj: &Bound<'_, PyAny>, op: &str) -> PyResult<T> {
    arg.ok_or_else(|| {
        let got = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("{op}: expected a Tensor or Variable, got {got}"))
    })
}

/// A binary operator: `with_operand` for a Tensor/Variable operand,
/// `with_scalar` for a Python number; `NotImplemented` otherwise, so Python
/// raises its usual TypeError.
pub(crate) fn operator<A, C, P>(
    py: Python<'_>,
    operand: Option<A>,
    other: &Bound<'_, PyAny>,
    with_operand: impl FnOnce(A) -> crate::Result<C>,
    with_scalar: impl FnOnce(f64) -> Option<crate::Result<C>>,
) -> PyResult<Py<PyAny>>
where
    P: pyo3::PyClass + From<C> + Into<pyo3::PyClassInitializer<P>>,
{
    let result = match operand {
        Some(a) => with_operand(a),
        None => match scalar(other).and_then(with_scalar) {
            Some(r) => r,
            None => return Ok(py.NotImplemented()),
        },
    };
    new_object(py, P::from(result?))
}

pub(crate) fn new_object<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
    py: Python<'_>,
    value: T,
) -> PyResult<Py<PyAny>> {
    Ok(Bound::new(py, value)?.into_any().unbind())
}
