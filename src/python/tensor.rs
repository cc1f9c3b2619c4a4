//! `flodl.Tensor`: the class, its constructors and its Tensor-only methods.
//! The op table's methods are bound in `catalogue.rs`, the operators in
//! `operators.rs`, what it shares with Variable in `shared.rs`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyTuple};

use super::args::Choice;
use super::args::{
    device_arg, dtype_given, options_arg, tensor_values, CoreArg as _, DTypeArg, Float, Int,
    IntList, PyOperand as _, ScalarArg, TensorArg,
};
use super::classes::PyTensor;
use super::numpy::{as_array, dlpack_device, from_numpy_array, share_numpy, values_as_bytes};
use super::operators::{self, operators};
use super::overloads::overloads;
use super::shared::options_like;
use super::shared::{py_joins, py_shared_methods};
use crate::error::bail;
use crate::{DType, Error, ErrorKind, MemoryFormat, Scalar, Tensor, TensorOptions};

operators!(PyTensor, Tensor);
py_shared_methods!(PyTensor, Tensor, TensorArg<'_>);
crate::ops::catalogue::sequence_joins!(py_joins(PyTensor, Tensor, TensorArg<'_>));
overloads!(PyTensor, Tensor);

/// The options of an integer-valued creation (randint, randperm): Int64
/// unless a dtype is given, as PyTorch's.
fn integer_options(
    op: &str,
    options: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<crate::TensorOptions> {
    let mut opts = options_arg(op, options, dtype, device)?;
    if options.is_none() && dtype.is_none() {
        opts.dtype = DType::Int64;
    }
    Ok(opts)
}

/// Shared body of `from_f32` / `from_f64` / `from_i64`: a fast path for flat
/// lists and tuples, numpy for everything else.
fn from_values(
    op: &str,
    data: &Bound<'_, PyAny>,
    shape: Vec<i64>,
    device: Option<&Bound<'_, PyAny>>,
    dtype: DType,
) -> PyResult<PyTensor> {
    let device = device_arg(op, device)?;
    let is_sequence = data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>();
    if is_sequence
        && data
            .try_iter()?
            .flatten()
            .any(|item| item.is_instance_of::<PyBool>())
    {
        let message = format!("{op}: data must be numbers, not bools (use Tensor.from_numpy)");
        return Err(PyTypeError::new_err(message));
    }
    if is_sequence {
        let flat = match dtype {
            DType::Float32 => data
                .extract::<Vec<f32>>()
                .ok()
                .map(|v| Tensor::from_f32(&v, &shape, device)),
            DType::Float64 => data
                .extract::<Vec<f64>>()
                .ok()
                .map(|v| Tensor::from_f64(&v, &shape, device)),
            _ => data
                .extract::<Vec<i64>>()
                .ok()
                .map(|v| Tensor::from_i64(&v, &shape, device)),
        };
        if let Some(t) = flat {
            return Ok(t?.into());
        }
    }
    let (bytes, count) = values_as_bytes(op, data, dtype)?;
    let numel: i64 = shape.iter().product();
    if shape.iter().all(|&d| d >= 0) && count as i64 != numel {
        bail!(
            Shape,
            "{op}: {count} values cannot fill shape {shape:?} ({numel} elements)"
        );
    }
    Ok(Tensor::from_bytes(&bytes, &shape, dtype, device)?.into())
}

/// Constructors that take only a shape (and options), each the core
/// function of the same name.
macro_rules! shape_constructors {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {
        crate::python::guard::guarded! {
        #[pymethods]
        impl PyTensor {
            $(
                $(#[doc = $doc])*
                #[staticmethod]
                #[pyo3(signature = (shape, options = None, *, dtype = None, device = None))]
                fn $name(
                    shape: IntList,
                    options: Option<&Bound<'_, PyAny>>,
                    dtype: Option<&Bound<'_, PyAny>>,
                    device: Option<&Bound<'_, PyAny>>,
                ) -> PyResult<Self> {
                    let shape = shape.core(stringify!($name), "shape")?;
                    Ok(Tensor::$name(shape, options_arg(stringify!($name), options, dtype, device)?)?.into())
                }
            )*
        }
        }
    };
}

shape_constructors! {
    /// Every element 0.
    zeros;
    /// Every element 1.
    ones;
    /// Uniform samples in [0, 1).
    rand;
    /// Standard normal samples.
    randn;
}

/// The `*_like` constructors that take only `other` (and options), each
/// the core `*_like_with`: shaped like `other`, of its dtype and device
/// unless given, laid out as `other` unless `memory_format` says otherwise.
macro_rules! like_constructors {
    ($($(#[doc = $doc:literal])* $like:ident => $with:ident;)*) => {
        crate::python::guard::guarded! {
        #[pymethods]
        impl PyTensor {
            $(
                $(#[doc = $doc])*
                #[staticmethod]
                #[pyo3(signature = (other, *, dtype = None, device = None, memory_format = None))]
                fn $like(
                    other: PyRef<'_, PyTensor>,
                    dtype: Option<&Bound<'_, PyAny>>,
                    device: Option<&Bound<'_, PyAny>>,
                    memory_format: Option<Choice<MemoryFormat>>,
                ) -> PyResult<Self> {
                    let (opts, format) =
                        like_options(stringify!($like), &other, dtype, device, memory_format)?;
                    Ok(Tensor::$with(&other.inner, opts, format)?.into())
                }
            )*
        }
        }
    };
}

like_constructors! {
    /// Uninitialised memory shaped like `other` (`torch.empty_like`).
    empty_like => empty_like_with;
    /// Zeros shaped like `other`.
    zeros_like => zeros_like_with;
    /// Ones shaped like `other`.
    ones_like => ones_like_with;
    /// Uniform samples in [0, 1) shaped like `other`, drawn in its memory
    /// order (torch's stream).
    rand_like => rand_like_with;
    /// Standard normal samples shaped like `other`, drawn in its memory order.
    randn_like => randn_like_with;
}

/// A `*_like` constructor's options: `other`'s dtype and device unless
/// given, and its memory format (`preserve_format` unless given).
fn like_options(
    op: &str,
    other: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    memory_format: Option<Choice<MemoryFormat>>,
) -> PyResult<(TensorOptions, MemoryFormat)> {
    let format = super::args::memory_format(op, memory_format)?;
    let opts = options_like(op, other.inner.dtype(), other.inner.device(), dtype, device)?;
    Ok((opts, format.unwrap_or(MemoryFormat::Preserve)))
}

crate::python::guard::guarded! {

#[pymethods]
impl PyTensor {
    /// Uninitialised memory.
    #[staticmethod]
    #[pyo3(signature = (shape, options = None, *, dtype = None, device = None))]
    fn empty(
        shape: IntList,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let shape = shape.core("empty", "shape")?;
        Ok(Tensor::empty(shape, options_arg("empty", options, dtype, device)?)?.into())
    }

    // ----- creation -----

    /// A Float32 tensor of `shape` from a sequence of numbers or an array.
    #[staticmethod]
    #[pyo3(signature = (data, shape, device = None))]
    fn from_f32(
        data: &Bound<'_, PyAny>,
        shape: IntList,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let shape = shape.core("from_f32", "shape")?.to_vec();
        from_values("from_f32", data, shape, device, DType::Float32)
    }

    /// A Float64 tensor of `shape` from a sequence of numbers or an array.
    #[staticmethod]
    #[pyo3(signature = (data, shape, device = None))]
    fn from_f64(
        data: &Bound<'_, PyAny>,
        shape: IntList,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let shape = shape.core("from_f64", "shape")?.to_vec();
        from_values("from_f64", data, shape, device, DType::Float64)
    }

    /// An Int64 tensor of `shape` from a sequence of integers or an array.
    #[staticmethod]
    #[pyo3(signature = (data, shape, device = None))]
    fn from_i64(
        data: &Bound<'_, PyAny>,
        shape: IntList,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let shape = shape.core("from_i64", "shape")?.to_vec();
        from_values("from_i64", data, shape, device, DType::Int64)
    }

    /// A Tensor sharing a numpy array's memory (as `torch.from_numpy`) when
    /// the array is writable, aligned and in native byte order and stays on
    /// the CPU; otherwise a copy. Keeps its dtype and shape.
    #[staticmethod]
    #[pyo3(signature = (array, device = None))]
    fn from_numpy(array: &Bound<'_, PyAny>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        if !super::args::is_numpy_array(array) {
            return Err(super::args::not_a_tensor(array, "a numpy.ndarray"));
        }
        if let Some(shared) = share_numpy(array, device)? {
            return Ok(shared.into());
        }
        Ok(from_numpy_array(array, device)?.into())
    }

    /// A Tensor sharing a torch.Tensor's memory (no copy, any device; the
    /// Tensor records nothing, whatever the torch tensor's requires_grad).
    #[staticmethod]
    fn from_torch(tensor: &Bound<'_, PyAny>) -> PyResult<Self> {
        let raw = super::interop::from_torch(tensor)?;
        let detached = raw
            .f_detach()
            .map_err(|e| Error::from_torch("from_torch", "", e))?;
        Ok(super::interop::adopt::<Tensor>("from_torch", detached)?.into())
    }

    /// A torch.Tensor sharing this Tensor's memory (no copy; imports torch).
    /// Its own handle: torch's `requires_grad_()` on it leaves this Tensor
    /// untracked.
    fn to_torch(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let alias = crate::Operand::raw(&self.inner)
            .f_detach()
            .map_err(|e| Error::from_torch("to_torch", "", e))?;
        super::interop::to_torch(py, &alias)
    }

    /// A DLPack capsule sharing this Tensor's memory (the DLPack protocol;
    /// `copy=True` exports a copy).
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__<'py>(
        &self,
        py: Python<'py>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<&Bound<'py, PyAny>>,
        dl_device: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // flodl's ops run on libtorch's current stream, which the consumer
        // syncs with; DLPack 1.x when `max_version` asks for it, else 0.x.
        let _ = (stream, dl_device);
        if copy == Some(true) {
            return super::interop::to_dlpack(py, &self.inner.copy()?, max_version);
        }
        super::interop::to_dlpack(py, &self.inner, max_version)
    }

    /// `(device type, index)` in DLPack's codes: `(1, 0)` for the CPU,
    /// `(2, i)` for CUDA device i.
    fn __dlpack_device__(&self) -> PyResult<(i32, i64)> {
        Ok(dlpack_device(&self.inner))
    }

    /// A tensor of `shape` filled with `value`. Without a dtype, the
    /// value's kind chooses it, as in PyTorch: bool, int64 or float32.
    #[staticmethod]
    #[pyo3(signature = (shape, value, options = None, *, dtype = None, device = None))]
    fn full(
        shape: IntList,
        value: ScalarArg,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let value = value.core("full", "value")?;
        let shape = shape.core("full", "shape")?;
        let mut opts = options_arg("full", options, dtype, device)?;
        if !dtype_given(options, dtype) {
            opts.dtype = match value {
                Scalar::Bool(_) => DType::Bool,
                Scalar::Int(_) => DType::Int64,
                Scalar::Float(_) => crate::get_default_dtype(),
                Scalar::Complex(..) => crate::get_default_dtype().to_complex()?,
            };
        }
        Ok(Tensor::full(shape, value, opts)?.into())
    }

    /// `start, start + step, ...` below `end`; `arange(n)` counts from 0.
    /// Without a dtype, int64 when every bound is an int (as PyTorch),
    /// float32 otherwise.
    #[staticmethod]
    #[pyo3(
        signature = (start, end = None, step = ScalarArg::from(1), options = None, *, dtype = None, device = None),
        text_signature = "(start, end=None, step=1, options=None, *, dtype=None, device=None)"
    )]
    fn arange(
        start: ScalarArg,
        end: Option<ScalarArg>,
        step: ScalarArg,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let start = start.core("arange", "start")?;
        let (start, end) = match end {
            Some(end) => (start, end.core("arange", "end")?),
            None => (Scalar::Int(0), start),
        };
        let step = step.core("arange", "step")?;
        let mut opts = options_arg("arange", options, dtype, device)?;
        if !dtype_given(options, dtype) {
            let all_ints = [start, end, step]
                .iter()
                .all(|s| matches!(s, Scalar::Int(_) | Scalar::Bool(_)));
            opts.dtype = if all_ints {
                DType::Int64
            } else {
                crate::get_default_dtype()
            };
        }
        Ok(Tensor::arange(start, end, step, opts)?.into())
    }

    /// `steps` evenly spaced values from `start` to `end`, both included.
    #[staticmethod]
    #[pyo3(signature = (start, end, steps, options = None, *, dtype = None, device = None))]
    fn linspace(
        start: Float,
        end: Float,
        steps: Int,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let (start, end, steps) = (start.core("linspace", "start")?, end.core("linspace", "end")?, steps.core("linspace", "steps")?);
        Ok(Tensor::linspace(start, end, steps, options_arg("linspace", options, dtype, device)?)?.into())
    }

    /// The `n` x `n` identity matrix, or `n` x `m` (ones on the diagonal).
    #[staticmethod]
    #[pyo3(signature = (n, m = None, options = None, *, dtype = None, device = None))]
    fn eye(
        n: Int,
        m: Option<Int>,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let n = n.core("eye", "n")?;
        let opts = options_arg("eye", options, dtype, device)?;
        Ok(match m {
            None => Tensor::eye(n, opts)?,
            Some(m) => Tensor::eye_m(n, m.core("eye", "m")?, opts)?,
        }
        .into())
    }

    /// `other`'s shape filled with `value`, of `other`'s dtype and device
    /// unless given, laid out as `other` unless `memory_format` says.
    #[staticmethod]
    #[pyo3(signature = (other, value, *, dtype = None, device = None, memory_format = None))]
    fn full_like(
        other: PyRef<'_, PyTensor>,
        value: ScalarArg,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        memory_format: Option<Choice<MemoryFormat>>,
    ) -> PyResult<Self> {
        let value = value.core("full_like", "value")?;
        let (opts, format) = like_options("full_like", &other, dtype, device, memory_format)?;
        Ok(Tensor::full_like_with(&other.inner, value, opts, format)?.into())
    }

    /// Integers drawn uniformly from `[low, high)` in `other`'s shape and
    /// memory order, of its dtype and device unless given.
    #[staticmethod]
    #[pyo3(signature = (other, low, high, *, dtype = None, device = None, memory_format = None))]
    fn randint_like(
        other: PyRef<'_, PyTensor>,
        low: Int,
        high: Int,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        memory_format: Option<Choice<MemoryFormat>>,
    ) -> PyResult<Self> {
        let (low, high) = (low.core("randint_like", "low")?, high.core("randint_like", "high")?);
        let (opts, format) = like_options("randint_like", &other, dtype, device, memory_format)?;
        Ok(Tensor::randint_like_with(&other.inner, low, high, opts, format)?.into())
    }

    /// Integers drawn uniformly from `[low, high)`; Int64 unless `dtype=`.
    #[staticmethod]
    #[pyo3(signature = (low, high, shape, options = None, *, dtype = None, device = None))]
    fn randint(
        low: Int,
        high: Int,
        shape: IntList,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let (low, high) = (low.core("randint", "low")?, high.core("randint", "high")?);
        let opts = integer_options("randint", options, dtype, device)?;
        Ok(Tensor::randint_with(low, high, shape.core("randint", "shape")?, opts)?.into())
    }

    /// A random permutation of `0..n`; Int64 unless `dtype=`.
    #[staticmethod]
    #[pyo3(signature = (n, options = None, *, dtype = None, device = None))]
    fn randperm(
        n: Int,
        options: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let opts = integer_options("randperm", options, dtype, device)?;
        Ok(Tensor::randperm_with(n.core("randperm", "n")?, opts)?.into())
    }

    /// A view of `base`'s memory (`torch.as_strided`), for `copy.deepcopy`
    /// rebuilding a view of copied memory.
    #[staticmethod]
    fn _view_of(base: PyRef<'_, PyTensor>, shape: IntList, strides: IntList, offset: Int) -> PyResult<Self> {
        let (shape, strides) = (shape.core("deepcopy", "shape")?, strides.core("deepcopy", "strides")?);
        let offset = offset.core("deepcopy", "offset")?;
        let raw = crate::ops::Operand::raw(&base.inner);
        let view: Tensor = crate::ops::run("deepcopy", &[raw], || raw.f_as_strided(shape, strides, offset))?;
        Ok(view.into())
    }

    /// A Tensor records no graph, so it has no backward: make the values
    /// you want gradients of a Variable first (an AutogradError saying so,
    /// where a missing method would give an AttributeError).
    #[pyo3(signature = (*args, **kwargs))]
    fn backward(
        &self,
        args: &Bound<'_, pyo3::types::PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<()> {
        let _whatever_was_passed = (args, kwargs);
        Err(Error::new(
            ErrorKind::Autograd,
            "backward: a Tensor records no graph; make the leaves a Variable \
             (flodl.Variable(t, requires_grad=True)) and compute from them",
        )
        .into())
    }

    // ----- inspection -----

    fn to_f32_vec(&self) -> PyResult<Vec<f32>> {
        Ok(self.inner.to_f32_vec()?)
    }

    fn to_f64_vec(&self) -> PyResult<Vec<f64>> {
        Ok(self.inner.to_f64_vec()?)
    }

    fn to_i64_vec(&self) -> PyResult<Vec<i64>> {
        Ok(self.inner.to_i64_vec()?)
    }

    /// A numpy array sharing this CPU tensor's memory (as PyTorch's
    /// `numpy()`); a copy of a CUDA tensor or a lazy `conj()` view (what
    /// PyTorch's `force=True` asks for; it is accepted); a DTypeError for
    /// bfloat16 (numpy has none).
    #[pyo3(signature = (*, force = false))]
    fn numpy<'py>(&self, py: Python<'py>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = force; // what force does (a CPU copy) is what flodl does
        self.__array__(py, None, None)
    }

    /// `np.asarray(t)`: shares a CPU tensor's memory; `copy=True` copies,
    /// `copy=False` refuses what cannot be shared (a CUDA or bfloat16
    /// tensor, another dtype), as numpy's protocol says.
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        as_array(py, &self.inner, dtype, copy)
    }

    // ----- conversion -----

    fn detach(&self) -> PyResult<Self> {
        Ok(self.inner.detach()?.into())
    }

    /// None: a Tensor is made by no node of a graph (PyTorch's `grad_fn` of
    /// a tensor that records nothing).
    #[getter]
    fn grad_fn(&self) -> Option<()> {
        None
    }

    /// PyTorch's legacy constructor, `flodl.Tensor(data)` (float32) or
    /// `flodl.Tensor(2, 3)` (uninitialized): `flodl.tensor` and
    /// `flodl.empty` are the forms to write.
    #[new]
    #[pyo3(signature = (*args, device = None))]
    fn py_new(args: &Bound<'_, PyTuple>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let py = args.py();
        let mut call = vec![crate::DType::Float32.into_pyobject(py)?.into_any()];
        call.extend(args.iter());
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("device", device)?;
        let made = py
            .import("flodl._creation")?
            .getattr("_legacy_tensor")?
            .call(PyTuple::new(py, call)?, Some(&kwargs))?;
        Ok(made.cast::<PyTensor>()?.get().inner.clone().into())
    }

    /// PyTorch's legacy constructor (a Tensor's; `Variable.new` is
    /// `Variable(data)`): `x.new(2, 3)` (sizes, or one `Size`) is
    /// `new_empty`, `x.new([1, 2])` (data) `new_tensor`, `x.new()` an empty
    /// tensor, `x.new(t)` t's values; this one's dtype, its device unless
    /// given.
    #[pyo3(name = "new", signature = (*args, device = None))]
    fn legacy_new<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, pyo3::types::PyTuple>,
        device: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = pyo3::types::PyDict::new(slf.py());
        if let Some(device) = device {
            kwargs.set_item("device", device)?;
        }
        if args.len() == 1 {
            let arg = args.get_item(0)?;
            let is_size = arg.get_type().name()? == "Size";
            if arg.is_instance_of::<PyTensor>() {
                return arg.call_method0("detach");
            }
            if !arg.is_instance_of::<pyo3::types::PyInt>() && !is_size {
                return slf.call_method("new_tensor", (arg,), Some(&kwargs));
            }
        }
        let sizes = match args.len() {
            0 => pyo3::types::PyTuple::new(slf.py(), [0])?,
            _ => args.clone(),
        };
        slf.call_method("new_empty", sizes, Some(&kwargs))
    }

    /// Makes this Tensor a leaf that requires grad, in place, as PyTorch's
    /// `requires_grad_()`: from then on ops record through it and
    /// `backward()` fills its `.grad` (its class becomes
    /// `flodl._leaf.LeafTensor`, a Tensor whose methods are a Variable's).
    /// Only a float Tensor can (a DTypeError otherwise).
    /// `requires_grad_(False)` returns the Tensor as it is.
    #[pyo3(signature = (requires_grad = true))]
    fn requires_grad_(slf: Bound<'_, Self>, requires_grad: bool) -> PyResult<Bound<'_, Self>> {
        if requires_grad {
            make_leaf("requires_grad_", &slf)?;
        }
        Ok(slf)
    }

    /// A Tensor has no gradient to hook or keep: the AutogradError PyTorch
    /// gives a tensor that does not require grad, with the way out.
    #[pyo3(signature = (*args, **kwargs))]
    fn register_hook(
        &self,
        args: &Bound<'_, pyo3::types::PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<()> {
        let _ = (args, kwargs); // whatever the hook, there is nothing to hook
        refuse_recording("register_hook", true)
    }

    /// See `register_hook`.
    fn retain_grad(&self) -> PyResult<()> {
        refuse_recording("retain_grad", true)
    }

    /// `x.requires_grad = True` is `requires_grad_()`; False is a no-op.
    #[setter(requires_grad)]
    fn set_requires_grad(slf: &Bound<'_, Self>, requires_grad: bool) -> PyResult<()> {
        if requires_grad {
            make_leaf("requires_grad", slf)?;
        }
        Ok(())
    }

    /// The values themselves, as a new handle (PyTorch's `.data`: what
    /// `p.grad.data` and the like read), detached with a version counter
    /// of its own: making it require grad leaves this Tensor as it is.
    #[getter]
    fn data(&self) -> PyResult<Self> {
        Ok(self.inner.data_unversioned()?.into())
    }

    /// None: a Tensor has no gradient (PyTorch's `.grad` of a tensor that
    /// does not require grad).
    #[getter]
    fn grad(&self) -> Option<()> {
        None
    }

    /// `flodl.strided`: flodl's tensors are dense (PyTorch's `layout`).
    #[getter]
    fn layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("flodl._namespace")?.getattr("strided")
    }

    /// True: a Tensor is a leaf of no graph, as PyTorch's tensors that do
    /// not require grad.
    #[getter]
    fn is_leaf(&self) -> bool {
        true
    }

    /// `(hist, bin_edges)` of `bins` equal bins over `range` (a pair;
    /// None: the values' range), or over the bins whose edges are the
    /// tensor `bins`, as `torch.histogram` (Rust `histogram`,
    /// `histogram_edges`). Not differentiable; a Variable's values are taken.
    #[pyo3(signature = (bins = None, *, range = None, weight = None, density = false), text_signature = "($self, bins=100, *, range=None, weight=None, density=False)")]
    fn histogram(
        &self,
        py: Python<'_>,
        bins: Option<&Bound<'_, PyAny>>,
        range: Option<(f64, f64)>,
        weight: Option<TensorArg<'_>>,
        density: bool,
    ) -> PyResult<Py<PyAny>> {
        use super::args::{CoreArg as _, PyOperand as _};
        let weight = weight.as_ref().map(|w| w.get());
        let edges = match bins {
            Some(b) if super::args::as_variable(b).is_some() || super::args::plain_tensor(b).is_some() => {
                Some(super::args::tensor_values("histogram", b)?)
            }
            _ => None,
        };
        let (hist, edges) = match (edges, bins) {
            (Some(edges), _) => {
                if range.is_some() {
                    let message = "histogram: range goes with a number of bins, not with bin edges";
                    return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
                }
                self.inner.histogram_edges(&edges, weight, density)?
            }
            (None, bins) => {
                let bins: Int = match bins {
                    Some(b) => b.extract()?,
                    None => Int::from(100),
                };
                let bins = bins.core("histogram", "bins")?;
                let (low, high) = range.map_or((None, None), |(l, h)| (Some(l), Some(h)));
                self.inner.histogram(bins, low, high, weight, density)?
            }
        };
        let pair = (hist, edges).into_pyobject(py)?.into_any().unbind();
        super::results::named(py, "histogram", pair)
    }

    /// Cuts this tensor from its autograd graph, in place; returns it.
    fn detach_(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.inner.detach_()?;
        Ok(slf)
    }
}

}

/// A Tensor cannot start recording: `requires_grad` True is an
/// AutogradError with the way (a Variable of it, or `requires_grad=True` at
/// creation); False is fine.
/// Turns Tensor `t` into a leaf that requires grad, in place: its values
/// require grad (so every argument takes it as a Variable, `args::as_variable`)
/// and its class becomes `flodl._leaf.LeafTensor` (so its methods are a
/// Variable's). Both or neither: the flag first (libtorch may refuse it, an
/// inference tensor), then the class, the flag undone if the class cannot
/// change (a subclass of Tensor with another layout).
fn make_leaf(op: &str, t: &Bound<'_, PyTensor>) -> PyResult<()> {
    let inner = &t.get().inner;
    if !inner.dtype().is_differentiable() {
        let message = format!(
            "{op}: only floating-point and complex tensors can require grad, got {} {:?}",
            inner.dtype(),
            inner.shape()
        );
        return Err(Error::new(ErrorKind::DType, message).into());
    }
    let leaf_class = t.py().import("flodl._leaf")?.getattr("LeafTensor")?;
    let handle = crate::Variable::view_of(inner);
    handle.set_requires_grad(true).map_err(|e| {
        let why = e.message().trim_start_matches("set_requires_grad: ");
        PyErr::from(Error::new(e.kind(), format!("{op}: {why}")))
    })?;
    if let Err(e) = t.setattr("__class__", leaf_class) {
        handle.set_requires_grad(false)?;
        let message = format!(
            "{op}: this {} cannot start recording in place ({}); make it a Variable \
             (x = flodl.Variable(x, requires_grad=True))",
            super::args::type_name(t.as_any()),
            e.value(t.py())
        );
        return Err(Error::new(ErrorKind::Autograd, message).into());
    }
    Ok(())
}

/// Writes into Tensor `t` in place through a Variable handle on its own
/// values, when what is written records a graph (PyTorch's `out[i] = h`,
/// `agg.index_add_(0, i, h)`): the tensor joins the graph where it stands,
/// its class becoming `flodl._leaf.LeafTensor` (a Tensor whose methods are
/// a Variable's), as `requires_grad_()` makes it. Both or neither: the class
/// first, put back if the write fails.
pub(crate) fn join_graph<'py>(
    op: &str,
    t: PyRef<'py, PyTensor>,
    write: impl FnOnce(&crate::Variable) -> PyResult<()>,
) -> PyResult<PyRef<'py, PyTensor>> {
    let py = t.py();
    // A view's base would take the graph too, and its Python object (if
    // any) cannot change class from here: the old refusal, with the way.
    let raw = crate::Operand::raw(&t.inner);
    if crate::ffi::is_view(raw).map_err(|f| Error::from_failure(op, "", f))? {
        let message = format!(
            "{op}: this Tensor is a view of another, which cannot join a graph with it; \
             write through the tensor itself (buf[index] = h) or into a Variable \
             (flodl.zeros_like of a Variable)"
        );
        return Err(Error::new(ErrorKind::Autograd, message).into());
    }
    let bound = t.into_pyobject(py)?;
    let class = bound.get_type();
    let leaf_class = py.import("flodl._leaf")?.getattr("LeafTensor")?;
    if let Err(e) = bound.setattr("__class__", leaf_class) {
        let message = format!(
            "{op}: this {} cannot join a graph in place ({}); write into a Variable \
             (flodl.zeros_like of a Variable, or flodl.Variable(t))",
            super::args::type_name(bound.as_any()),
            e.value(py)
        );
        return Err(Error::new(ErrorKind::Autograd, message).into());
    }
    // LeafTensor's own __setattr__ forwards to the Variable: object's sets.
    let restore = || -> PyResult<()> {
        let object = py.import("builtins")?.getattr("object")?;
        object.call_method1("__setattr__", (&bound, "__class__", &class))?;
        Ok(())
    };
    if let Err(e) = write(&crate::Variable::view_of(&bound.get().inner)) {
        restore()?;
        return Err(e);
    }
    // An integer tensor takes the values but no gradient: still a Tensor.
    if !bound.get().inner.requires_grad() {
        restore()?;
    }
    Ok(bound.borrow())
}

/// Tensor `slf`'s in-place Python `method` with `args`, when one of
/// `operands` records a graph: the Variable's method run on a handle on the
/// Tensor's values, the Tensor joining the graph ([`join_graph`]; `op`
/// names the call in its errors). False, and nothing done, otherwise or for
/// a Variable, which records anyway; `args` is built only to join.
pub(crate) fn joined_in_place<'py, C: super::operators::Class, A: pyo3::call::PyCallArgs<'py>>(
    slf: &Bound<'py, PyAny>,
    op: &str,
    method: &str,
    operands: &[&Bound<'py, PyAny>],
    args: A,
) -> PyResult<bool> {
    let records = |a: &&Bound<'py, PyAny>| {
        super::args::as_variable(a).is_some_and(|v| super::args::records(&v.get().inner))
    };
    if !C::JOINS_GRAPHS || !operands.iter().any(records) {
        return Ok(false);
    }
    join_graph(op, slf.cast::<PyTensor>()?.borrow(), |view| {
        Bound::new(slf.py(), view.clone())?.call_method1(method, args)?;
        Ok(())
    })?;
    Ok(true)
}

/// _variable_view(t)
/// --
///
/// A Variable handle on Tensor `t` itself (the methods of a
/// `flodl._leaf.LeafTensor`); a Variable is its own.
#[pyfunction(name = "_variable_view")]
pub(crate) fn variable_view<'py>(
    t: &Bound<'py, PyTensor>,
) -> PyResult<Bound<'py, super::classes::PyVariable>> {
    if let Ok(v) = t.cast::<super::classes::PyVariable>() {
        return Ok(v.clone());
    }
    Bound::new(t.py(), crate::Variable::view_of(&t.get().inner))
}

fn refuse_recording(op: &str, requires_grad: bool) -> PyResult<()> {
    if !requires_grad {
        return Ok(());
    }
    Err(crate::Error::new(
        ErrorKind::Autograd,
        format!(
            "{op}: a Tensor does not record operations; make it a Variable \
             (x = flodl.Variable(x, requires_grad=True)) or create it with requires_grad=True"
        ),
    )
    .into())
}

/// _window(name, window_length, periodic, alpha, beta, dtype, device)
/// --
///
/// `torch.hann_window` and the other window functions, by their name
/// (`alpha` and `beta` as Hamming's, `beta` as Kaiser's); the default
/// float dtype unless `dtype` says otherwise.
#[pyfunction(name = "_window")]
#[allow(clippy::too_many_arguments)] // torch's window parameters, in one binding
pub(crate) fn window(
    name: &str,
    window_length: Int,
    periodic: bool,
    alpha: Float,
    beta: Float,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let beta = beta.core(name, "beta")?;
    let window = match name {
        "hann_window" => crate::Window::Hann,
        "hamming_window" => crate::Window::Hamming {
            alpha: alpha.core(name, "alpha")?,
            beta,
        },
        "bartlett_window" => crate::Window::Bartlett,
        "blackman_window" => crate::Window::Blackman,
        "kaiser_window" => crate::Window::Kaiser { beta },
        _ => {
            return Err(
                Error::new(ErrorKind::Argument, format!("_window: no window {name:?}")).into(),
            )
        }
    };
    let opts = super::args::options_or(name, dtype, device, crate::get_default_dtype())?;
    let length = window_length.core(name, "window_length")?;
    Ok(Tensor::window(window, length, periodic, opts)?.into())
}

/// _fftfreq(n, d, onesided, dtype, device)
/// --
///
/// `torch.fft.fftfreq` (`rfftfreq` when `onesided`): the default float
/// dtype unless `dtype` says otherwise.
#[pyfunction(name = "_fftfreq")]
pub(crate) fn fftfreq(
    n: Int,
    d: Float,
    onesided: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let op = if onesided { "rfftfreq" } else { "fftfreq" };
    let opts = super::args::options_or(op, dtype, device, crate::get_default_dtype())?;
    let (n, d) = (n.core(op, "n")?, d.core(op, "d")?);
    Ok(Tensor::fftfreq(n, d, onesided, opts)?.into())
}

/// _unravel_index(indices, shape)
/// --
///
/// `torch.unravel_index`: the coordinates in an array of `shape` of the
/// flat `indices`, one Int64 tensor per dim.
#[pyfunction(name = "_unravel_index")]
pub(crate) fn unravel_index(
    indices: &Bound<'_, PyAny>,
    shape: Vec<i64>,
) -> PyResult<Vec<PyTensor>> {
    let indices = super::args::tensor_values("unravel_index", indices)?;
    let coordinates = Tensor::unravel_index(&indices, &shape)?;
    Ok(coordinates.into_iter().map(PyTensor::from).collect())
}

/// _triangle_indices(upper, row, col, offset, dtype, device)
/// --
///
/// `torch.tril_indices` (`triu_indices` with `upper`): the `[2, N]` indices
/// of a `row` x `col` matrix's entries below (above) diagonal `offset`;
/// Int64 unless `dtype` says otherwise.
#[pyfunction(name = "_triangle_indices")]
pub(crate) fn triangle_indices(
    upper: bool,
    row: Int,
    col: Int,
    offset: Int,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let op = if upper {
        "triu_indices"
    } else {
        "tril_indices"
    };
    let opts = super::args::options_or(op, dtype, device, crate::DType::Int64)?;
    let (row, col, offset) = (
        row.core(op, "row")?,
        col.core(op, "col")?,
        offset.core(op, "offset")?,
    );
    let make = if upper {
        Tensor::triu_indices
    } else {
        Tensor::tril_indices
    };
    Ok(make(row, col, offset, opts)?.into())
}

/// A mean, a std or an operand of `result_type`: a Tensor or Variable (its
/// values) or a number.
fn tensor_or_number(op: &str, obj: &Bound<'_, PyAny>) -> PyResult<Result<Tensor, Scalar>> {
    if let Some(number) = super::args::scalar(obj) {
        return number.map(Err).map_err(|p| p.raise(op, "operand"));
    }
    tensor_values(op, obj).map(Ok)
}

/// A Tensor or a number as an operand of `result_type` or `normal`.
fn promoted(x: &Result<Tensor, Scalar>) -> crate::Promoted<'_> {
    match x {
        Ok(t) => crate::Promoted::Tensor(t),
        Err(s) => crate::Promoted::Number(*s),
    }
}

/// _normal(mean, std, size=None, dtype=None, device=None)
/// --
///
/// `torch.normal(mean, std)` with a tensor mean, std or both; with two
/// numbers, `size` of them in `dtype` on `device`.
#[pyfunction(name = "_normal")]
#[pyo3(signature = (mean, std, size = None, dtype = None, device = None))]
pub(crate) fn normal(
    mean: &Bound<'_, PyAny>,
    std: &Bound<'_, PyAny>,
    size: Option<IntList>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let (mean, std) = (
        tensor_or_number("normal", mean)?,
        tensor_or_number("normal", std)?,
    );
    if let (Err(mean), Err(std), Some(size)) = (&mean, &std, size) {
        let shape = size.core("normal", "size")?;
        let opts = options_arg("normal", None, dtype, device)?;
        if mean.is_complex() || std.is_complex() {
            let message = format!("normal: mean and std must be real, got {mean} and {std}");
            return Err(Error::new(ErrorKind::DType, message).into());
        }
        return Ok(Tensor::normal_sized(mean.to_f64(), std.to_f64(), shape, opts)?.into());
    }
    Ok(Tensor::normal(promoted(&mean), promoted(&std))?.into())
}

/// The shape the `shapes` broadcast to, as `torch.broadcast_shapes`.
#[pyfunction]
pub(crate) fn broadcast_shapes(shapes: Vec<Vec<i64>>) -> PyResult<Vec<i64>> {
    Ok(crate::broadcast_shapes(&shapes)?)
}

/// result_type(tensor1, tensor2)
/// --
///
/// The dtype an op of the two operands (tensors or numbers) computes in,
/// as `torch.result_type`.
#[pyfunction]
pub(crate) fn result_type(
    tensor1: &Bound<'_, PyAny>,
    tensor2: &Bound<'_, PyAny>,
) -> PyResult<DType> {
    let (a, b) = (
        tensor_or_number("result_type", tensor1)?,
        tensor_or_number("result_type", tensor2)?,
    );
    Ok(crate::result_type(promoted(&a), promoted(&b))?)
}

/// promote_types(type1, type2)
/// --
///
/// The smallest dtype both dtypes convert to without losing their kind, as
/// `torch.promote_types`.
#[pyfunction]
pub(crate) fn promote_types(type1: &Bound<'_, PyAny>, type2: &Bound<'_, PyAny>) -> PyResult<DType> {
    Ok(DTypeArg::of(type1)?
        .core("promote_types", "type1")?
        .promote_types(DTypeArg::of(type2)?.core("promote_types", "type2")?)?)
}

/// can_cast(from_, to)
/// --
///
/// Whether an op's `from_` result may be written into a `to` tensor, as
/// `torch.can_cast`.
#[pyfunction]
pub(crate) fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(DTypeArg::of(from_)?
        .core("can_cast", "from_")?
        .can_cast(DTypeArg::of(to)?.core("can_cast", "to")?)?)
}
