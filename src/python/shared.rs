//! The methods Tensor and Variable share outside the op table: attributes,
//! actions, conversion and the joins. (The overloads are in `overloads.rs`.)

/// The size of dim `dim` of `shape` (negative counts from the end).
pub(crate) fn dim_size(op: &str, shape: &[i64], dim: i64) -> crate::Result<i64> {
    let rank = shape.len() as i64;
    let index = if dim < 0 { dim + rank } else { dim };
    crate::error::ensure!(
        (0..rank).contains(&index),
        Index,
        "{op}: dim {dim} is out of range for a tensor of {rank} dims"
    );
    Ok(shape[index as usize])
}

/// Binds the shared methods to a class (`PyClass`, `Core`, operand type).
macro_rules! shared_methods {
    ($Py:ident, $Core:ident, $Arg:ty) => {
        #[pyo3::pymethods]
        impl $Py {
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

            // ----- attributes, as PyTorch's -----

            /// The size of each dim, as a `flodl.Size`.
            #[getter]
            fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                super::results::size(py, self.inner.shape())
            }

            /// The number of dims.
            #[getter]
            fn ndim(&self) -> usize {
                self.inner.ndim()
            }

            #[getter]
            fn dtype(&self) -> $crate::DType {
                self.inner.dtype()
            }

            #[getter]
            fn device(&self) -> super::device::PyDevice {
                super::device::PyDevice(self.inner.device())
            }

            /// Whether autograd tracks this (always False for a Tensor).
            #[getter]
            fn requires_grad(&self) -> bool {
                self.inner.requires_grad()
            }

            // ----- actions -----

            /// The number of elements.
            fn numel(&self) -> usize {
                self.inner.numel()
            }

            /// The number of dims (as `ndim`).
            fn dim(&self) -> usize {
                self.inner.ndim()
            }

            /// The shape as a `flodl.Size`, or the size of one dim (negative
            /// counts from the end).
            #[pyo3(signature = (dim = None))]
            fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
                let shape = self.inner.shape();
                match dim {
                    None => super::results::size(py, shape),
                    Some(dim) => Ok(super::shared::dim_size("size", &shape, dim)?
                        .into_pyobject(py)?
                        .into_any()),
                }
            }

            /// The values as nested Python lists (a number for a 0-dim tensor).
            fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                super::tensor::to_list(py, &operators::Class::values(&self.inner))
            }

            /// The value of a single-element tensor, as a Python int, float
            /// or bool by its dtype.
            fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.inner.item()?; // a ShapeError unless there is one element
                let values = operators::Class::values(&self.inner).reshape(&[])?;
                super::tensor::to_list(py, &values)
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
