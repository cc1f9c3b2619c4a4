//! The methods Tensor and Variable share outside the op table: inspection,
//! conversion, the joins, and the overloads (Python forms that cover more
//! than one Rust op, so the table does not bind them).

use crate::{Error, ErrorKind};

/// Whether `gelu(approximate=...)` means the tanh form.
pub(crate) fn gelu_is_tanh(approximate: &str) -> crate::Result<bool> {
    match approximate {
        "none" => Ok(false),
        "tanh" => Ok(true),
        other => Err(Error::new(
            ErrorKind::Argument,
            format!("gelu: approximate must be one of ['none', 'tanh'], got {other:?}"),
        )),
    }
}

/// Binds the shared methods to a class (`PyClass`, `Core`, operand type).
macro_rules! shared_methods {
    ($Py:ident, $Core:ident, $Arg:ty) => {
        #[pyo3::pymethods]
        impl $Py {
            // ----- overloads -----

            /// Matrix product, as `torch.matmul`. Large products run with the
            /// GIL released.
            fn matmul(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let result = operators::matmul(&self.inner, other, false)?;
                if result.is(&other.py().NotImplemented()) {
                    let got = super::args::type_name(other);
                    let message = format!("matmul: expected a Tensor or Variable, got {got}");
                    return Err(pyo3::exceptions::PyTypeError::new_err(message));
                }
                Ok(result)
            }

            /// GELU, as `F.gelu(x, approximate)`: `'none'` is the exact erf
            /// form (Rust `gelu`), `'tanh'` the tanh approximation (Rust
            /// `gelu_tanh`).
            #[pyo3(signature = (approximate = "none"))]
            fn gelu(&self, approximate: &str) -> PyResult<$Core> {
                if super::shared::gelu_is_tanh(approximate)? {
                    Ok(self.inner.gelu_tanh()?)
                } else {
                    Ok(self.inner.gelu()?)
                }
            }

            /// The `p`-norm, as `torch.linalg.vector_norm(x, p, dim, keepdim)`:
            /// of all elements when `dim` is None (Rust `norm`), else along
            /// `dim` (Rust `norm_dim`).
            #[pyo3(signature = (p = 2.0, dim = None, keepdim = false))]
            fn norm(&self, p: f64, dim: Option<i64>, keepdim: bool) -> PyResult<$Core> {
                match (dim, keepdim) {
                    (Some(dim), _) => Ok(self.inner.norm_dim(p, dim, keepdim)?),
                    (None, false) => Ok(self.inner.norm(p)?),
                    (None, true) => {
                        let ones = vec![1; self.inner.ndim()];
                        Ok(self.inner.norm(p)?.reshape(&ones)?)
                    }
                }
            }

            // ----- joins -----

            /// `tensors` joined along `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = 0))]
            fn cat_many(tensors: Vec<$Arg>, dim: i64) -> PyResult<$Core> {
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::cat_many(&parts, dim)?)
            }

            /// `tensors` (all of one shape) stacked along a new dim `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = 0))]
            fn stack(tensors: Vec<$Arg>, dim: i64) -> PyResult<$Core> {
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::stack(&parts, dim)?)
            }

            // ----- inspection -----

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

            fn device(&self) -> super::device::PyDevice {
                super::device::PyDevice(self.inner.device())
            }

            fn requires_grad(&self) -> bool {
                self.inner.requires_grad()
            }

            /// The value of a single-element tensor.
            fn item(&self) -> PyResult<f64> {
                Ok(self.inner.item()?)
            }

            fn __float__(&self) -> PyResult<f64> {
                Ok(self.inner.item()?)
            }

            fn __repr__(&self) -> String {
                self.inner.to_string()
            }

            // ----- conversion -----

            /// A copy on `device` (differentiable on a Variable).
            fn to_device(&self, device: &Bound<'_, PyAny>) -> PyResult<$Core> {
                let device = super::args::device_arg(Some(device))?;
                Ok(self.inner.to_device(device)?)
            }

            /// A copy converted to `dtype` (differentiable on a Variable
            /// between float dtypes).
            fn to_dtype(&self, dtype: &Bound<'_, PyAny>) -> PyResult<$Core> {
                Ok(self.inner.to_dtype(super::args::dtype_arg(dtype)?)?)
            }
        }
    };
}

pub(crate) use shared_methods;
