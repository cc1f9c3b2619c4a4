//! The methods Tensor and Variable share outside the op table: attributes,
//! actions, conversion, the joins, sequences, pickle and copy. (The
//! overloads are in `overloads.rs`.)

use crate::dtype::LEGACY_TYPES;
use pyo3::prelude::*;

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
macro_rules! py_shared_methods {
    ($Py:ident, $Core:ident, $Arg:ty) => {
        impl $Py {
            /// `mT`, `mH` and `adjoint`: the last two dims swapped, for `op`.
            fn last_two_swapped(&self, op: &str) -> PyResult<$Core> {
                crate::error::ensure!(
                    self.inner.ndim() >= 2,
                    Shape,
                    "{op}: needs at least 2 dims, got shape {:?}",
                    self.inner.shape()
                );
                Ok(self.inner.transpose(-2, -1)?)
            }
        }

        crate::python::guard::guarded! {
        #[pyo3::pymethods]
        impl $Py {
            // ----- joins -----

            /// `tensors` joined along `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = $crate::python::args::Int::from(0)), text_signature = "(tensors, dim=0)")]
            fn cat_many(tensors: &Bound<'_, PyAny>, dim: $crate::python::args::Int) -> PyResult<$Core> {
                use $crate::python::args::CoreArg as _;
                let tensors: Vec<$Arg> = super::shared::tensor_sequence("cat_many", tensors)?;
                let dim = dim.core("cat_many", "dim")?;
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::cat_many(&parts, dim)?)
            }

            /// The sums of products `equation` names over the sequence
            /// `operands` (`flodl.einsum(equation, *operands)` is the form to
            /// call; this order is the joins').
            #[staticmethod]
            fn einsum(operands: &Bound<'_, PyAny>, equation: $crate::python::args::Text) -> PyResult<$Core> {
                let equation = $crate::python::args::CoreArg::core(&equation, "einsum", "equation")?;
                let operands: Vec<$Arg> = super::shared::tensor_sequence("einsum", operands)?;
                let parts: Vec<&$Core> = operands.iter().map(|t| t.get()).collect();
                Ok($Core::einsum(equation, &parts)?)
            }

            /// `a` where the bool `mask` is true, `b` elsewhere (broadcasting),
            /// as `torch.where(mask, a, b)`.
            #[staticmethod]
            fn where_cond(
                mask: $crate::python::args::TensorArg<'_>,
                a: $Arg,
                b: $Arg,
            ) -> PyResult<$Core> {
                use $crate::python::args::PyOperand as _;
                Ok($Core::where_cond(mask.get(), a.get(), b.get())?)
            }

            /// `tensors` (all of one shape) stacked along a new dim `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = $crate::python::args::Int::from(0)), text_signature = "(tensors, dim=0)")]
            fn stack(tensors: &Bound<'_, PyAny>, dim: $crate::python::args::Int) -> PyResult<$Core> {
                use $crate::python::args::CoreArg as _;
                let tensors: Vec<$Arg> = super::shared::tensor_sequence("stack", tensors)?;
                let dim = dim.core("stack", "dim")?;
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::stack(&parts, dim)?)
            }

            /// The `sequences` padded to the longest and stacked, as
            /// `torch.nn.utils.rnn.pad_sequence` (`flodl.nn.utils.rnn.pad_sequence`
            /// is the form to call).
            #[staticmethod]
            #[pyo3(signature = (sequences, batch_first = false, padding_value = $crate::python::args::Float::from(0.0), padding_side = $crate::python::args::Text::from("right")), text_signature = "(sequences, batch_first=False, padding_value=0.0, padding_side='right')")]
            fn pad_sequence(
                sequences: &Bound<'_, PyAny>,
                batch_first: bool,
                padding_value: $crate::python::args::Float,
                padding_side: $crate::python::args::Text,
            ) -> PyResult<$Core> {
                let padding_side = $crate::python::args::CoreArg::core(&padding_side, "pad_sequence", "padding_side")?;
                let sequences: Vec<$Arg> = super::shared::tensor_sequence("pad_sequence", sequences)?;
                let parts: Vec<&$Core> = sequences.iter().map(|t| t.get()).collect();
                Ok($Core::pad_sequence(&parts, batch_first, $crate::python::args::CoreArg::core(&padding_value, "pad_sequence", "padding_value")?, padding_side)?)
            }

            /// The grids of the 1-d `tensors` (a sequence), as
            /// `torch.meshgrid(*tensors, indexing=...)` (`flodl.meshgrid`
            /// is the form to call).
            #[staticmethod]
            #[pyo3(signature = (tensors, indexing = $crate::python::args::Text::from("ij")), text_signature = "(tensors, indexing='ij')")]
            fn meshgrid(tensors: &Bound<'_, PyAny>, indexing: $crate::python::args::Text) -> PyResult<Py<PyAny>> {
                let indexing = $crate::python::args::CoreArg::core(&indexing, "meshgrid", "indexing")?;
                let py = tensors.py();
                let tensors: Vec<$Arg> = super::shared::tensor_sequence("meshgrid", tensors)?;
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                super::results::pieces(py, $Core::meshgrid(&parts, indexing)?)
            }

            /// The `tensors` (a sequence) expanded to their broadcast shape,
            /// as `torch.broadcast_tensors(*tensors)` (`flodl.broadcast_tensors`
            /// is the form to call).
            #[staticmethod]
            fn broadcast_tensors(tensors: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let py = tensors.py();
                let tensors: Vec<$Arg> = super::shared::tensor_sequence("broadcast_tensors", tensors)?;
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                super::results::pieces(py, $Core::broadcast_tensors(&parts)?)
            }

            // ----- attributes, as PyTorch's -----

            /// The size of each dim, as a `flodl.Size`.
            #[getter]
            fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                super::results::size(py, self.inner.shape())
            }

            /// The number of dims.
            #[getter]
            fn ndim(&self) -> PyResult<usize> {
                Ok(self.inner.ndim())
            }

            #[getter]
            fn dtype(&self) -> PyResult<$crate::DType> {
                Ok(self.inner.dtype())
            }

            // (Named apart from `device` so that PyO3's wrapper of this
            // getter does not clash with the method `get_device`.)
            #[getter(device)]
            fn device_getter(&self) -> PyResult<super::classes::PyDevice> {
                Ok(super::classes::PyDevice(self.inner.device()))
            }

            /// The CUDA device's index, or -1 on the CPU, as `Tensor.get_device`.
            fn get_device(&self) -> PyResult<i64> {
                Ok(match self.inner.device() {
                    $crate::Device::CUDA(index) => i64::from(index),
                    $crate::Device::CPU => -1,
                })
            }

            /// Whether autograd tracks this (always False for a Tensor).
            #[getter]
            fn requires_grad(&self) -> PyResult<bool> {
                Ok(self.inner.requires_grad())
            }

            // ----- actions -----

            /// The number of elements.
            fn numel(&self) -> PyResult<usize> {
                Ok(self.inner.numel())
            }

            /// The number of elements (PyTorch's other name for `numel`).
            fn nelement(&self) -> PyResult<usize> {
                Ok(self.inner.numel())
            }

            /// Whether the elements lie in memory in row-major order, without
            /// gaps, or as `memory_format` says (Rust `is_contiguous`,
            /// `is_contiguous_in`).
            #[pyo3(signature = (memory_format = None), text_signature = "($self, memory_format=None)")]
            fn is_contiguous(&self, memory_format: Option<$crate::python::args::Choice<$crate::MemoryFormat>>) -> PyResult<bool> {
                match $crate::python::args::memory_format("is_contiguous", memory_format)? {
                    None => Ok(self.inner.is_contiguous()),
                    Some(format) => Ok(self.inner.is_contiguous_in(format)?),
                }
            }

            /// Self laid out in row-major order, or as `memory_format` says
            /// (`flodl.channels_last` for a 4-d tensor): a copy unless it
            /// already is (Rust `contiguous`, `contiguous_in`).
            #[pyo3(signature = (memory_format = None), text_signature = "($self, memory_format=None)")]
            fn contiguous(&self, memory_format: Option<$crate::python::args::Choice<$crate::MemoryFormat>>) -> PyResult<$Core> {
                match $crate::python::args::memory_format("contiguous", memory_format)? {
                    None => Ok(self.inner.contiguous()?),
                    Some(format) => Ok(self.inner.contiguous_in(format).map_err(|e| e.called_as("contiguous_in", "contiguous"))?),
                }
            }

            /// Where this tensor starts in its storage, in elements.
            fn storage_offset(&self) -> PyResult<i64> {
                Ok(self.inner.storage_offset()?)
            }

            /// The step in memory, in elements, between neighbours along each
            /// dim (a tuple), or along `dim`.
            #[pyo3(signature = (dim = None))]
            fn stride<'py>(&self, py: Python<'py>, dim: Option<$crate::python::args::Int>) -> PyResult<Bound<'py, PyAny>> {
                use $crate::python::args::CoreArg as _;
                let strides = self.inner.stride();
                let Some(dim) = dim else {
                    return Ok(pyo3::types::PyTuple::new(py, strides)?.into_any());
                };
                let dim = dim.core("stride", "dim")?;
                let rank = strides.len() as i64;
                let at = if dim < 0 { dim + rank } else { dim };
                match usize::try_from(at).ok().and_then(|i| strides.get(i)) {
                    Some(s) => Ok(s.into_pyobject(py)?.into_any()),
                    None => Err($crate::Error::new(
                        $crate::ErrorKind::Index,
                        format!("stride: dim {dim} is out of range for {rank} dims"),
                    )
                    .into()),
                }
            }

            /// The address of the first element.
            fn data_ptr(&self) -> PyResult<usize> {
                Ok(self.inner.data_ptr())
            }

            /// The size of one element in bytes, as `torch.Tensor.element_size()`.
            fn element_size(&self) -> PyResult<usize> {
                Ok(self.inner.dtype().element_size())
            }

            /// The size of one element in bytes, as `torch.Tensor.itemsize`.
            #[getter]
            fn itemsize(&self) -> PyResult<usize> {
                Ok(self.inner.dtype().element_size())
            }

            /// The bytes of the elements, as `torch.Tensor.nbytes`
            /// (`numel() * itemsize`).
            #[getter]
            fn nbytes(&self) -> PyResult<usize> {
                Ok(self.inner.numel() * self.inner.dtype().element_size())
            }

            /// The number of dims (as `ndim`).
            fn dim(&self) -> PyResult<usize> {
                Ok(self.inner.ndim())
            }

            /// The shape as a `flodl.Size`, or the size of one dim (negative
            /// counts from the end).
            #[pyo3(signature = (dim = None))]
            fn size<'py>(&self, py: Python<'py>, dim: Option<$crate::python::args::Int>) -> PyResult<Bound<'py, PyAny>> {
                let dim = $crate::python::args::optional_dim(dim, "size")?;
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
                super::numpy::to_list(py, &operators::Class::values(&self.inner))
            }

            /// The value of a single-element tensor, as a Python int, float
            /// or bool by its dtype.
            fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                // A ShapeError unless there is one element.
                $crate::error::ensure!(
                    self.inner.numel() == 1,
                    Shape,
                    "item: needs a single-element tensor, got shape {:?}",
                    self.inner.shape()
                );
                let values = operators::Class::values(&self.inner).reshape(&[])?;
                super::numpy::to_list(py, &values)
            }

            /// As PyTorch prints it (`flodl.set_printoptions` sets how).
            fn __repr__(&self) -> PyResult<String> {
                Ok(self.inner.torch_string()?)
            }

            /// `f"{t:.4f}"`: a single-element tensor formats as its number,
            /// and so does a 0-d one with an empty spec (`f"loss {loss}"`
            /// prints `loss 0.25`, as PyTorch); otherwise an empty spec
            /// prints the tensor.
            fn __format__(slf: &Bound<'_, Self>, spec: &str) -> PyResult<String> {
                if spec.is_empty() && !slf.get().inner.shape().is_empty() {
                    return Ok(slf.get().inner.torch_string()?);
                }
                if slf.get().inner.numel() != 1 {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "unsupported format string {spec:?} passed to {}.__format__ (only a single-element tensor formats as a number)",
                        slf.get_type().name()?
                    )));
                }
                slf.call_method0("item")?.call_method1("__format__", (spec,))?.extract()
            }

            // ----- conversion -----

            /// A copy on `device` (differentiable on a Variable).
            fn to_device(&self, device: &Bound<'_, PyAny>) -> PyResult<$Core> {
                let device = super::args::device_arg("to_device", Some(device))?;
                Ok(self.inner.to_device(device)?)
            }

            /// A copy converted to `dtype` (differentiable on a Variable
            /// between float dtypes).
            fn to_dtype(&self, dtype: &Bound<'_, PyAny>) -> PyResult<$Core> {
                Ok(self.inner.to_dtype(super::args::dtype_arg("to_dtype", dtype)?)?)
            }

            /// Whether every element is close to `other`'s, as `torch.allclose`.
            /// (Values only: either may be a Tensor or a Variable.)
            #[pyo3(
                signature = (other, rtol = $crate::python::args::Float::from(1e-05), atol = $crate::python::args::Float::from(1e-08), equal_nan = false),
                text_signature = "($self, other, rtol=1e-05, atol=1e-08, equal_nan=False)"
            )]
            fn allclose(&self, other: &Bound<'_, PyAny>, rtol: $crate::python::args::Float, atol: $crate::python::args::Float, equal_nan: bool) -> PyResult<bool> {
                let other = super::args::tensor_values("allclose", other)?;
                let values = operators::Class::values(&self.inner);
                Ok(values.allclose(&other, $crate::python::args::CoreArg::core(&rtol, "allclose", "rtol")?, $crate::python::args::CoreArg::core(&atol, "allclose", "atol")?, equal_nan)?)
            }

            /// Whether `other` has this shape and these values, as `torch.equal`.
            fn equal(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                let other = super::args::tensor_values("equal", other)?;
                Ok(operators::Class::values(&self.inner).equal(&other)?)
            }

            /// `x.type(dtype)`: converted to `dtype` (also PyTorch's legacy
            /// names, `"torch.FloatTensor"`); `x.type()`: the legacy name of
            /// this tensor's type, as PyTorch's (`"torch.FloatTensor"`).
            #[pyo3(signature = (dtype = None))]
            fn r#type(&self, py: Python<'_>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let Some(dtype) = dtype else {
                    let name = $crate::dtype::legacy_type_name(self.inner.dtype(), self.inner.device());
                    return Ok(name.into_pyobject(py)?.into_any().unbind());
                };
                let dtype = match dtype.extract::<String>() {
                    Ok(name) if name.starts_with("torch.") => super::shared::legacy_dtype(&name)?,
                    Ok(_) => super::args::dtype_arg("type", dtype)?,
                    // A legacy constructor itself: `x.type(torch.DoubleTensor)`
                    // (`torch.cuda.FloatTensor` is refused as its name is).
                    Err(_) => match dtype.getattr("__name__").and_then(|n| n.extract::<String>()) {
                        Ok(name) if name.ends_with("Tensor") => {
                            let module: String = dtype
                                .getattr("__module__")
                                .and_then(|m| m.extract())
                                .unwrap_or_default();
                            let cuda = if module.ends_with("cuda") { "cuda." } else { "" };
                            super::shared::legacy_dtype(&format!("torch.{cuda}{name}"))?
                        }
                        _ => super::args::dtype_arg("type", dtype)?,
                    },
                };
                $crate::python::results::new_object(py, self.inner.to_dtype(dtype)?)
            }

            /// A new Tensor of zeros of `size` (sizes as arguments or one
            /// sequence), of this one's dtype and device unless given, as
            /// `Tensor.new_zeros`; likewise `new_ones`, `new_empty`.
            #[pyo3(signature = (*args, size = None, dtype = None, device = None))]
            fn new_zeros(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                size: Option<$crate::python::args::IntList>,
                dtype: Option<&Bound<'_, PyAny>>,
                device: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::Tensor> {
                let (shape, options) = super::shared::new_like("new_zeros", (self.inner.dtype(), self.inner.device()), args, size, (dtype, device))?;
                Ok($crate::Tensor::zeros(&shape, options)?)
            }
            #[pyo3(signature = (*args, size = None, dtype = None, device = None))]
            fn new_ones(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                size: Option<$crate::python::args::IntList>,
                dtype: Option<&Bound<'_, PyAny>>,
                device: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::Tensor> {
                let (shape, options) = super::shared::new_like("new_ones", (self.inner.dtype(), self.inner.device()), args, size, (dtype, device))?;
                Ok($crate::Tensor::ones(&shape, options)?)
            }
            #[pyo3(signature = (*args, size = None, dtype = None, device = None))]
            fn new_empty(
                &self,
                args: &Bound<'_, pyo3::types::PyTuple>,
                size: Option<$crate::python::args::IntList>,
                dtype: Option<&Bound<'_, PyAny>>,
                device: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::Tensor> {
                let (shape, options) = super::shared::new_like("new_empty", (self.inner.dtype(), self.inner.device()), args, size, (dtype, device))?;
                Ok($crate::Tensor::empty(&shape, options)?)
            }

            /// A new Tensor of `size` filled with `fill_value`, of this
            /// one's dtype and device unless given, as `Tensor.new_full`.
            #[pyo3(signature = (size, fill_value, *, dtype = None, device = None))]
            fn new_full(
                &self,
                size: $crate::python::args::IntList,
                fill_value: $crate::python::args::ScalarArg,
                dtype: Option<&Bound<'_, PyAny>>,
                device: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<$crate::Tensor> {
                use $crate::python::args::CoreArg as _;
                let shape = size.core("new_full", "size")?;
                let options = super::shared::options_like("new_full", self.inner.dtype(), self.inner.device(), dtype, device)?;
                let value = fill_value.core("new_full", "fill_value")?;
                Ok($crate::Tensor::full(&shape, value, options)?)
            }

            /// Whether the dtype is a complex one, as `Tensor.is_complex`.
            fn is_complex(&self) -> bool {
                self.inner.dtype().is_complex()
            }

            /// Whether the dtype is a floating-point one, as `Tensor.is_floating_point`.
            fn is_floating_point(&self) -> bool {
                self.inner.dtype().is_floating_point()
            }

            /// `+x`: `x` itself, as PyTorch's `positive`.
            fn __pos__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                Ok(slf.clone().into_any().unbind())
            }

            /// How many in-place changes the values have had (shared with
            /// views), as PyTorch's `Tensor._version`.
            #[getter(_version)]
            fn py_version(&self) -> PyResult<i64> {
                Ok(self.inner.version()?)
            }

            /// Whether the dtype holds negative values (not Bool or UInt8),
            /// as `Tensor.is_signed`.
            fn is_signed(&self) -> bool {
                !matches!(self.inner.dtype(), $crate::DType::Bool | $crate::DType::UInt8)
            }

            /// Whether the values are on the CPU.
            #[getter]
            fn is_cpu(&self) -> bool {
                self.inner.device() == $crate::Device::CPU
            }

            /// False: flodl's tensors are dense, strided and unquantized
            /// (`is_sparse`, `is_meta`, `is_quantized`, `is_nested`,
            /// `is_mkldnn` as PyTorch's).
            #[getter]
            fn is_sparse(&self) -> bool {
                false
            }
            #[getter]
            fn is_meta(&self) -> bool {
                false
            }
            #[getter]
            fn is_quantized(&self) -> bool {
                false
            }
            #[getter]
            fn is_nested(&self) -> bool {
                false
            }
            #[getter]
            fn is_mkldnn(&self) -> bool {
                false
            }

            /// Whether the single value is not zero, as `Tensor.is_nonzero`
            /// (an ArgumentError unless there is exactly one value).
            fn is_nonzero(&self) -> PyResult<bool> {
                let x = &self.inner;
                if x.numel() != 1 {
                    return Err($crate::Error::new(
                        $crate::ErrorKind::Argument,
                        format!("is_nonzero: needs exactly one value, got shape {:?}", x.shape()),
                    ).into());
                }
                // libtorch's own test, which reads every dtype (complex too).
                let raw = $crate::Operand::raw(x);
                raw.f_is_nonzero().map_err(|e| {
                    $crate::Error::from_torch("is_nonzero", &$crate::ops::describe(raw), e).into()
                })
            }

            /// Whether `other` has the same shape, as `Tensor.is_same_size`.
            fn is_same_size(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                let other = $crate::python::overloads::operand_of::<$crate::Variable>("is_same_size", "other", other)?;
                Ok(self.inner.shape() == other.get().shape())
            }

            /// The tensor itself, as `Tensor.positive` of a non-Bool tensor.
            fn positive(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                if slf.get().inner.dtype() == $crate::DType::Bool {
                    return Err($crate::Error::new(
                        $crate::ErrorKind::DType,
                        "positive: not defined for Bool tensors".to_string(),
                    ).into());
                }
                Ok(slf.clone().into_any().unbind())
            }

            /// Whether this is a lazy `conj()` view, as `Tensor.is_conj`.
            fn is_conj(&self) -> bool {
                self.inner.is_conj()
            }
            /// Whether this is a lazy negative view (the `imag` of a
            /// `conj()`), as `Tensor.is_neg`.
            fn is_neg(&self) -> bool {
                self.inner.is_neg()
            }

            /// Whether the tensor was made under `inference_mode`, as
            /// `Tensor.is_inference`.
            fn is_inference(&self) -> bool {
                $crate::Operand::raw(&self.inner).is_inference()
            }

            /// Called only when an attribute is not found: the AttributeError
            /// says where flodl lists what it lacks of `torch.Tensor`.
            fn __getattr__(slf: &Bound<'_, Self>, name: &str) -> PyResult<Py<PyAny>> {
                let class = slf.get_type().name()?;
                let hint = if name.starts_with('_') {
                    String::new()
                } else {
                    format!("; torch.Tensor.{name} is not in flodl (docs/pytorch.md lists what differs and what is absent)")
                };
                Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                    "'{class}' object has no attribute '{name}'{hint}"
                )))
            }

            /// A copy of the values (differentiable), as `Tensor.clone`; laid
            /// out as `memory_format` says when given (Rust `copy`, `copy_in`).
            #[pyo3(signature = (*, memory_format = None), text_signature = "($self, *, memory_format=None)")]
            fn clone(&self, memory_format: Option<$crate::python::args::Choice<$crate::MemoryFormat>>) -> PyResult<$Core> {
                match $crate::python::args::memory_format("clone", memory_format)? {
                    None => Ok(self.inner.copy()?),
                    Some(format) => Ok(self.inner.copy_in(format).map_err(|e| e.called_as("copy_in", "clone"))?),
                }
            }

            /// `x.to(dtype)`, `x.to(device)`, `x.to(device, dtype)`,
            /// `x.to(other)` (its dtype and device), or keywords;
            /// `non_blocking` and `copy` as PyTorch's; `memory_format` lays
            /// the result out as it says. Without a change (and without
            /// `copy`) it returns `x` itself, as PyTorch.
            #[pyo3(signature = (*args, dtype = None, device = None, non_blocking = false, copy = false, memory_format = None))]
            fn to(
                slf: &Bound<'_, Self>,
                args: &Bound<'_, pyo3::types::PyTuple>,
                dtype: Option<&Bound<'_, PyAny>>,
                device: Option<&Bound<'_, PyAny>>,
                non_blocking: bool,
                copy: bool,
                memory_format: Option<$crate::python::args::Choice<$crate::MemoryFormat>>,
            ) -> PyResult<Py<PyAny>> {
                let inner = &slf.get().inner;
                let (dtype, device) = super::shared::to_arguments(args, dtype, device)?;
                let format = $crate::python::args::memory_format("to", memory_format)?
                    .filter(|f| *f != $crate::MemoryFormat::Preserve);
                // PyTorch's rule: a layout the strides already suggest (a
                // tensor with one channel is row-major, not channels last).
                let laid_out = match format {
                    Some(format) => inner.suggest_memory_format()? == format,
                    None => true,
                };
                let unchanged = dtype.is_none_or(|d| d == inner.dtype())
                    && device.is_none_or(|d| d == inner.device())
                    && laid_out;
                if unchanged && !copy {
                    return Ok(slf.clone().into_any().unbind());
                }
                let py = slf.py();
                let mut result = if non_blocking || copy {
                    let device = device.unwrap_or_else(|| inner.device());
                    let dtype = dtype.unwrap_or_else(|| inner.dtype());
                    inner.to_with(device, dtype, non_blocking, copy)?
                } else {
                    let mut result = inner.clone();
                    if let Some(device) = device {
                        result = result.to_device(device)?;
                    }
                    if let Some(dtype) = dtype {
                        result = result.to_dtype(dtype)?;
                    }
                    result
                };
                if let Some(format) = format {
                    // A fresh layout, as PyTorch's copy: `contiguous_in` keeps
                    // the strides of a tensor that is already so by its rule.
                    result = result.copy_in(format).map_err(|e| e.called_as("copy_in", "to"))?;
                }
                $crate::python::results::new_object(py, result)
            }

            /// A copy in pinned host memory (needs a CUDA device).
            fn pin_memory(&self) -> PyResult<$Core> {
                Ok(self.inner.pin_memory()?)
            }

            fn is_pinned(&self) -> bool {
                self.inner.is_pinned()
            }

            /// The same as `to_dtype(DType.Float32)`; likewise `double`,
            /// `half`, `bfloat16`, `long`, `int`, `bool`.
            fn float(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Float32)?)
            }
            fn double(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Float64)?)
            }
            fn half(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Float16)?)
            }
            fn bfloat16(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::BFloat16)?)
            }
            fn long(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Int64)?)
            }
            fn int(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Int32)?)
            }
            fn bool(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Bool)?)
            }
            fn byte(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::UInt8)?)
            }
            fn char(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Int8)?)
            }
            fn cfloat(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Complex64)?)
            }
            fn cdouble(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Complex128)?)
            }
            fn short(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_dtype($crate::DType::Int16)?)
            }

            /// Whether the values are on a CUDA device.
            #[getter]
            fn is_cuda(&self) -> bool {
                matches!(self.inner.device(), $crate::Device::CUDA(_))
            }

            /// The number of dims (`ndim`), as `Tensor.ndimension`.
            fn ndimension(&self) -> PyResult<usize> {
                Ok(self.inner.ndim())
            }

            /// A copy on the CPU (this tensor if it is there).
            fn cpu(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_device($crate::Device::CPU)?)
            }

            /// A copy on CUDA device `device` (an index or a Device; 0 by default).
            #[pyo3(signature = (device = None))]
            fn cuda(slf: &Bound<'_, Self>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let device = match device {
                    None => $crate::Device::CUDA(0),
                    Some(d) => match d.extract::<u8>() {
                        Ok(index) => $crate::Device::CUDA(index),
                        Err(_) => super::args::device_arg("cuda", Some(d))?,
                    },
                };
                let own = &slf.get().inner;
                super::shared::itself_or(slf.as_any(), own, own.to_device(device)?)
            }

            // ----- sequences -----

            /// The size of dim 0; a 0-dim tensor has no length.
            fn __len__(&self) -> PyResult<usize> {
                match self.inner.shape().first() {
                    Some(&n) => Ok(n as usize),
                    None => Err(pyo3::exceptions::PyTypeError::new_err(
                        "len() of a 0-d tensor",
                    )),
                }
            }

            /// The entries along dim 0 (`select(0, i)` each).
            fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let this = &slf.get().inner;
                let rows = this.shape().first().copied().ok_or_else(|| {
                    pyo3::exceptions::PyTypeError::new_err("iteration over a 0-d tensor")
                })?;
                let items = (0..rows)
                    .map(|i| this.select(0, i))
                    .collect::<$crate::Result<Vec<_>>>()?;
                pyo3::types::PyList::new(slf.py(), items)?
                    .try_iter()
                    .map(|it| it.into_any())
            }

            /// `x[key]`: ints, slices, None, `...`, int64 or Bool Tensors,
            /// lists; basic and advanced indexing as numpy's and PyTorch's,
            /// differentiable on a Variable.
            fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<$Core> {
                let items = super::args::index_items(key)?;
                // A bare slice key slices even over a whole dim, as PyTorch's.
                let bare_slice = key.is_instance_of::<pyo3::types::PySlice>();
                Ok($crate::tensor::index::index_with(&self.inner, &items, !bare_slice)?)
            }

            /// `x[key] = value`, in place: `value` (a number, or a tensor
            /// of this class broadcast to the indexed entries) is cast to
            /// x's dtype. On a Variable the change is recorded.
            fn __setitem__(
                slf: &Bound<'_, Self>,
                key: &Bound<'_, PyAny>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                use super::tensor::joined_in_place;
                if joined_in_place::<$Core, _>(slf.as_any(), "__setitem__", "__setitem__", &[value], (key, value))? {
                    return Ok(());
                }
                let items = super::args::index_items(key)?;
                let x = &slf.get().inner;
                let value = super::args::setitem_value::<$Core>(x, value)?;
                Ok(x.index_put_(&items, &value, false)?)
            }

            /// `self[indices] = values` (added with `accumulate`), in place,
            /// as `Tensor.index_put_`: `indices` a tuple of Int64 or Bool
            /// tensors, one per leading dim (None: that whole dim).
            #[pyo3(signature = (indices, values, accumulate = false))]
            fn index_put_<'py>(
                slf: &Bound<'py, Self>,
                indices: &Bound<'py, PyAny>,
                values: &Bound<'py, PyAny>,
                accumulate: bool,
            ) -> PyResult<Bound<'py, Self>> {
                use super::tensor::joined_in_place;
                if joined_in_place::<$Core, _>(slf.as_any(), "index_put_", "index_put_", &[values], (indices, values, accumulate))? {
                    return Ok(slf.clone());
                }
                let x = &slf.get().inner;
                let items = super::args::put_indices("index_put_", indices)?;
                let values = super::args::setitem_value::<$Core>(x, values)?;
                x.index_put_(&items, &values, accumulate)?;
                Ok(slf.clone())
            }

            /// [`index_put_`] on a copy, as `Tensor.index_put`.
            #[pyo3(signature = (indices, values, accumulate = false))]
            fn index_put(
                &self,
                indices: &Bound<'_, PyAny>,
                values: &Bound<'_, PyAny>,
                accumulate: bool,
            ) -> PyResult<$Core> {
                let items = super::args::put_indices("index_put", indices)?;
                let values = super::args::setitem_value::<$Core>(&self.inner, values)?;
                Ok(self.inner.index_put(&items, &values, accumulate)?)
            }

            /// `del x[key]`: a tensor's entries cannot be deleted (its shape
            /// is fixed), a TypeError as in PyTorch.
            fn __delitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
                let _ = key;
                Err(pyo3::exceptions::PyTypeError::new_err(
                    "del x[...]: a tensor's entries cannot be deleted; build a new tensor (index_select, or a mask)",
                ))
            }

            /// The dims reversed (the transpose of a matrix), as PyTorch's `T`.
            #[getter(T)]
            fn transposed(&self) -> PyResult<$Core> {
                let dims: Vec<i64> = (0..self.inner.ndim() as i64).rev().collect();
                Ok(self.inner.permute(&dims)?)
            }

            /// The last two dims swapped (a batch of matrices transposed).
            #[getter(mT)]
            fn matrix_transposed(&self) -> PyResult<$Core> {
                self.last_two_swapped("mT")
            }

            /// The conjugate of `mT`, as PyTorch's `mH`: `mT` itself, the
            /// values being real.
            #[getter(mH)]
            fn matrix_adjoint(&self) -> PyResult<$Core> {
                self.last_two_swapped("mH")
            }

            /// `mH`, as `Tensor.adjoint()`.
            fn adjoint(&self) -> PyResult<$Core> {
                self.last_two_swapped("adjoint")
            }

            /// The conjugate transpose of a matrix, as PyTorch's `H`: its
            /// transpose (real values).
            #[getter(H)]
            fn conjugate_transposed(&self) -> PyResult<$Core> {
                let n = self.inner.ndim();
                crate::error::ensure!(
                    n == 2,
                    Shape,
                    "H: only a matrix (2 dims) has one, got {n} dims; a batch of matrices has mH"
                );
                Ok(self.inner.transpose(0, 1)?)
            }

            // ----- pickle and copy (values, dtype, device, requires_grad; not the graph) -----

            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                super::shared::reduce(
                    py,
                    &operators::Class::values(&self.inner),
                    self.inner.requires_grad(),
                    stringify!($Core),
                )
            }

            /// `copy.copy`: a new handle on the same memory, as in PyTorch (a
            /// Variable's copy is a new leaf, without the graph or grad).
            fn __copy__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let class = slf.get_type();
                if class.is(&slf.py().get_type::<Self>()) {
                    let copy = operators::Class::shallow_copy(&slf.get().inner)?;
                    return $crate::python::results::new_object(slf.py(), copy)
                        .map(|o| o.into_bound(slf.py()));
                }
                super::shared::py_copy(slf) // a subclass rebuilds itself by pickle's route
            }

            /// `copy.deepcopy`: new memory, with views of one memory still
            /// sharing theirs, and a Variable's grad copied too, as in
            /// PyTorch (`flodl._creation._deepcopy`).
            #[pyo3(signature = (memo = None))]
            fn __deepcopy__<'py>(
                slf: &Bound<'py, Self>,
                memo: Option<&Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let creation = slf.py().import("flodl._creation")?;
                creation.getattr("_deepcopy")?.call1((slf, memo))
            }

            /// `(storage address, storage size in elements, offset, strides)`:
            /// where the values live, for `copy.deepcopy`.
            fn _storage_info(&self) -> PyResult<(usize, i64, i64, Vec<i64>)> {
                let values = operators::Class::values(&self.inner);
                let raw = $crate::ops::Operand::raw(&values);
                let (storage, numel, offset) = values.storage_info("deepcopy")?;
                Ok((storage, numel, offset, raw.stride()))
            }

            /// A copy of the whole memory this tensor views, as a 1-d Tensor.
            fn _storage_copy(&self) -> PyResult<$crate::Tensor> {
                let values = operators::Class::values(&self.inner);
                let (_, numel, _, _) = self._storage_info()?;
                let raw = $crate::ops::Operand::raw(&values);
                let whole = $crate::ops::run("deepcopy", &[raw], || {
                    raw.f_as_strided([numel], [1], 0)?.f_detach_copy()
                })?;
                Ok(whole)
            }
        }
        }
    };
}

/// Pickle's route, for a subclass of Tensor or Variable.
pub(crate) fn py_copy<'py>(obj: &Bound<'py, impl pyo3::PyClass>) -> PyResult<Bound<'py, PyAny>> {
    let reduced = obj.as_any().call_method1("__reduce_ex__", (4,))?;
    let (rebuild, args): (Bound<'py, PyAny>, Bound<'py, pyo3::types::PyTuple>) =
        reduced.extract()?;
    rebuild.call1(args)
}

/// `__reduce__`: a rebuild function of `flodl._creation` and its arguments
/// (the values as a numpy array, dtype name, device, and for a Variable
/// requires_grad).
pub(crate) fn reduce<'py>(
    py: Python<'py>,
    values: &crate::Tensor,
    requires_grad: bool,
    class: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let dtype = values.dtype();
    let host = if dtype == crate::DType::BFloat16 {
        values.to_dtype(crate::DType::Float32)?
    } else {
        values.clone()
    };
    let array = super::numpy::to_numpy(py, &host, None)?;
    let device = values.device().to_string();
    let creation = py.import("flodl._creation")?;
    if class == "Variable" {
        let rebuild = creation.getattr("_rebuild_variable")?;
        (rebuild, (array, dtype.name(), device, requires_grad))
            .into_pyobject(py)
            .map(|t| t.into_any())
    } else {
        let rebuild = creation.getattr("_rebuild_tensor")?;
        (rebuild, (array, dtype.name(), device))
            .into_pyobject(py)
            .map(|t| t.into_any())
    }
}

/// `dtype` and `device` where given, else `like_dtype` and `like_device`
/// (the `new_*` methods: PyTorch's "like this one unless told").
pub(crate) fn options_like(
    op: &str,
    like_dtype: crate::DType,
    like_device: crate::Device,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<crate::TensorOptions> {
    let dtype = match dtype.filter(|d| !d.is_none()) {
        Some(d) => super::args::dtype_arg(op, d)?,
        None => like_dtype,
    };
    let device = match device.filter(|d| !d.is_none()) {
        Some(d) => super::args::device_arg(op, Some(d))?,
        None => like_device,
    };
    Ok(crate::TensorOptions { dtype, device })
}

/// The size (as arguments or one sequence) and options of `x.new_zeros(...)`
/// and its kin, `like` being `x`'s dtype and device.
pub(crate) fn new_like(
    op: &str,
    like: (crate::DType, crate::Device),
    args: &Bound<'_, pyo3::types::PyTuple>,
    size: Option<super::args::IntList>,
    (dtype, device): (Option<&Bound<'_, PyAny>>, Option<&Bound<'_, PyAny>>),
) -> PyResult<(Vec<i64>, crate::TensorOptions)> {
    let shape = super::overloads::int_args(op, "size", args, size)?;
    Ok((shape, options_like(op, like.0, like.1, dtype, device)?))
}

/// The dtype and device `x.to(...)` asks for.
pub(crate) fn to_arguments(
    args: &Bound<'_, pyo3::types::PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<crate::DType>, Option<crate::Device>)> {
    use super::args::{device_arg, dtype_arg};
    let mut wanted = (
        dtype
            .filter(|d| !d.is_none())
            .map(|d| dtype_arg("to", d))
            .transpose()?,
        device
            .filter(|d| !d.is_none())
            .map(|d| device_arg("to", Some(d)))
            .transpose()?,
    );
    for arg in args.iter() {
        if let Ok(t) = arg.cast::<super::classes::PyTensor>() {
            wanted = (Some(t.get().inner.dtype()), Some(t.get().inner.device()));
        } else if let Some(v) = crate::python::args::as_variable(&arg) {
            wanted = (Some(v.get().inner.dtype()), Some(v.get().inner.device()));
        } else if let Ok(name) = arg.cast::<pyo3::types::PyString>() {
            let name = name.to_cow()?;
            match (name.parse::<crate::Device>(), name.parse::<crate::DType>()) {
                (Ok(device), _) => wanted.1 = Some(device),
                (_, Ok(dtype)) => wanted.0 = Some(dtype),
                (Err(err), _) if err.kind() == crate::ErrorKind::Device => {
                    let message = format!("to: {err}");
                    return Err(crate::Error::new(crate::ErrorKind::Device, message).into());
                }
                _ => {
                    let message = format!(
                        "to: {name:?} is neither a device (\"cpu\", \"cuda\", \"cuda:N\") nor a dtype (\"float32\", ...)"
                    );
                    return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
                }
            }
        } else if arg.is_instance_of::<super::classes::PyDevice>() {
            wanted.1 = Some(device_arg("to", Some(&arg))?);
        } else {
            wanted.0 = Some(dtype_arg("to", &arg)?);
        }
    }
    Ok(wanted)
}

/// The dtype of a legacy type name (the device part is not a dtype: a CUDA
/// name on a CPU tensor is an ArgumentError, not a move).
pub(crate) fn legacy_dtype(name: &str) -> PyResult<crate::DType> {
    let short = name.trim_start_matches("torch.");
    LEGACY_TYPES
        .iter()
        .find(|(_, legacy)| *legacy == short)
        .map(|(dtype, _)| *dtype)
        .ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::Argument,
                format!("type: {name:?} is not a tensor type flodl converts to (\"torch.FloatTensor\", ..., or a dtype; move devices with .to(device))"),
            )
            .into()
        })
}

/// `slf` itself where `made` is its own tensor (a conversion that changed
/// nothing: `float()` of a float32 tensor), as PyTorch returns the tensor
/// itself; else `made`, a new object. So a Tensor later made a leaf in
/// place is one object, not two handles of which one would record unseen.
pub(crate) fn itself_or<C>(slf: &Bound<'_, PyAny>, own: &C, made: C) -> PyResult<Py<PyAny>>
where
    C: crate::Operand + for<'py> IntoPyObject<'py, Error = PyErr>,
{
    if crate::ffi::is_same(own.raw(), made.raw()) {
        return Ok(slf.clone().unbind());
    }
    super::results::new_object(slf.py(), made)
}

/// The tensors of `cat_many`/`stack`: a sequence of them, not one tensor
/// (which is a sequence of its rows, and PyTorch refuses it).
/// The tensors of the sequence `tensors`, each extracted as `A`: a wrong
/// element is the op's TypeError naming its position.
pub(crate) fn tensor_sequence<'py, A>(op: &str, tensors: &Bound<'py, PyAny>) -> PyResult<Vec<A>>
where
    A: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    check_sequence(op, tensors)?;
    let items = tensors.try_iter().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{op}: expected a sequence of tensors, got {}",
            super::args::type_name(tensors)
        ))
    })?;
    items
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.extract::<A>().map_err(|err| {
                let py = tensors.py();
                PyErr::from_type(
                    err.get_type(py),
                    format!("{op}: element {i}: {}", err.value(py)),
                )
            })
        })
        .collect()
}

fn check_sequence(op: &str, tensors: &Bound<'_, PyAny>) -> PyResult<()> {
    let one_tensor = tensors.is_instance_of::<super::classes::PyTensor>()
        || crate::python::args::is_variable(tensors);
    if one_tensor || tensors.is_instance_of::<pyo3::types::PyString>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{op}: expected a sequence of tensors, got one {}",
            super::args::type_name(tensors)
        )));
    }
    Ok(())
}

/// Binds [`sequence_joins!`](crate::ops::catalogue::sequence_joins) as
/// static methods of a class (`PyClass, Core, operand type`), each taking
/// a sequence of tensors (`flodl.<name>(tensors)` calls them).
macro_rules! py_joins {
    (($Py:ident, $Core:ident, $Arg:ty) $($(#[doc = $doc:literal])* $name:ident => $f:ident;)*) => {
        crate::python::guard::guarded! {
        #[pyo3::pymethods]
        impl $Py {
            $(
                $(#[doc = $doc])*
                #[staticmethod]
                fn $name(tensors: &Bound<'_, PyAny>) -> PyResult<$Core> {
                    use $crate::python::args::PyOperand as _;
                    let tensors: Vec<$Arg> = super::shared::tensor_sequence(stringify!($name), tensors)?;
                    let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                    Ok($Core::$name(&parts)?)
                }
            )*
        }
        }
    };
}

pub(crate) use {py_joins, py_shared_methods};
