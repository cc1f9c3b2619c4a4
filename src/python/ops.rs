//! The Python side of the op table: one macro expands every op of
//! `crate::ops` and the arithmetic operators for `Tensor` and `Variable`.
//! An op added to the Rust table gets one entry here.

/// `py_ops!(PyClass, Core, Arg, operand_fn)`: the op catalogue as methods of
/// `PyClass` (wrapping `Core`); `Arg` is the Python operand type and
/// `operand_fn` its lenient form for operators (None for a non-operand).
///
/// An entry is `name(arg: PyType = default, ...) -> Ret: "doc"`, with the
/// core's argument order and PyTorch's defaults; `-> Ret` defaults to `Core`.
macro_rules! py_ops {
    ($Py:ident, $Core:ident, $Arg:ty, $operand:path) => {
        $crate::python::ops::py_methods!($Py, $Core, [
            // --- arithmetic ---
            add(other: $Arg): "Elementwise `self + other`, broadcasting.",
            sub(other: $Arg): "Elementwise `self - other`, broadcasting.",
            mul(other: $Arg): "Elementwise `self * other`, broadcasting.",
            div(other: $Arg): "Elementwise `self / other` (true division), broadcasting.",
            mul_scalar(scalar: f64): "`self * scalar`.",
            add_scalar(scalar: f64): "`self + scalar`.",
            div_scalar(scalar: f64): "`self / scalar`.",
            neg(): "`-self`.",
            // --- activation ---
            relu(): "`max(self, 0)`, elementwise.",
            sigmoid(): "`1 / (1 + exp(-self))`, elementwise.",
            tanh(): "Hyperbolic tangent, elementwise.",
            gelu(): "GELU, exact (erf) form, as `F.gelu`.",
            silu(): "`self * sigmoid(self)`, as `F.silu`.",
            mish(): "`self * tanh(softplus(self))`, as `F.mish`.",
            selu(): "Scaled ELU, as `F.selu`.",
            hardswish(): "As `F.hardswish`.",
            hardsigmoid(): "As `F.hardsigmoid`.",
            leaky_relu(negative_slope: f64 = 0.01): "`self` where positive, `negative_slope * self` elsewhere.",
            elu(alpha: f64 = 1.0): "`self` where positive, `alpha * (exp(self) - 1)` elsewhere.",
            softplus(beta: f64 = 1.0, threshold: f64 = 20.0): "`log(1 + exp(beta * self)) / beta`, linear above `threshold`.",
            prelu(weight: $Arg): "`self` where positive, `weight * self` elsewhere (one weight, or one per channel of dim 1).",
            softmax(dim: i32): "Softmax along `dim`.",
            log_softmax(dim: i32): "Log-softmax along `dim`.",
            // --- math ---
            exp(): "`e ** self`, elementwise.",
            log(): "Natural logarithm, elementwise.",
            sqrt(): "Square root, elementwise.",
            abs(): "Absolute value, elementwise.",
            sin(): "Sine, elementwise.",
            cos(): "Cosine, elementwise.",
            sign(): "-1, 0 or 1 by sign (gradient zero).",
            floor(): "Round down (gradient zero).",
            ceil(): "Round up (gradient zero).",
            round(): "Round half to even (gradient zero).",
            reciprocal(): "`1 / self`, elementwise.",
            log1p(): "`log(1 + self)`, accurate near 0.",
            expm1(): "`exp(self) - 1`, accurate near 0.",
            log2(): "Base-2 logarithm, elementwise.",
            log10(): "Base-10 logarithm, elementwise.",
            pow_scalar(exponent: f64): "`self ** exponent`, elementwise.",
            clamp(min: f64, max: f64): "Each element limited to `[min, max]`.",
            clamp_min(min: f64): "Each element raised to at least `min`.",
            clamp_max(max: f64): "Each element lowered to at most `max`.",
            atan2(other: $Arg): "`atan2(self, other)`, elementwise, broadcasting.",
            maximum(other: $Arg): "Elementwise maximum, broadcasting.",
            minimum(other: $Arg): "Elementwise minimum, broadcasting.",
            masked_fill(mask: $crate::python::args::TensorArg<'_>, value: f64): "`value` where the bool Tensor `mask` is true, `self` elsewhere.",
            normalize(p: f64 = 2.0, dim: i32 = 1): "`self` over its `p`-norm along `dim` (at least 1e-12), as `F.normalize`.",
            cosine_similarity(other: $Arg, dim: i64 = 1, eps: f64 = 1e-8): "Cosine similarity along `dim`, as `F.cosine_similarity`.",
            triu(diagonal: i64 = 0): "Upper triangle from `diagonal` up; the rest zero.",
            tril(diagonal: i64 = 0): "Lower triangle from `diagonal` down; the rest zero.",
            // --- reduction ---
            sum(): "Sum of all elements (0-dimensional).",
            mean(): "Mean of all elements (0-dimensional).",
            min(): "Smallest element (0-dimensional).",
            max(): "Largest element (0-dimensional).",
            var(): "Unbiased variance of all elements (0-dimensional).",
            std(): "Unbiased standard deviation of all elements (0-dimensional).",
            prod(): "Product of all elements (0-dimensional).",
            sum_dim(dim: i32, keepdim: bool = false): "Sum along `dim`.",
            mean_dim(dim: i32, keepdim: bool = false): "Mean along `dim`.",
            min_dim(dim: i32, keepdim: bool = false): "Smallest values along `dim` (values only).",
            max_dim(dim: i32, keepdim: bool = false): "Largest values along `dim` (values only).",
            var_dim(dim: i32, keepdim: bool = false): "Unbiased variance along `dim`.",
            std_dim(dim: i32, keepdim: bool = false): "Unbiased standard deviation along `dim`.",
            prod_dim(dim: i32, keepdim: bool = false): "Product along `dim`.",
            cumsum(dim: i32): "Running sum along `dim`.",
            logsumexp(dim: i32, keepdim: bool = false): "`log(sum(exp(self)))` along `dim`, computed stably.",
            // --- shape ---
            transpose(dim0: i32, dim1: i32): "Swaps two dims.",
            permute(dims: Vec<i64>): "Reorders the dims.",
            reshape(shape: Vec<i64>): "The same values in `shape` (one size may be -1).",
            flatten(start_dim: i32 = 0, end_dim: i32 = -1): "Merges dims `start_dim..=end_dim`.",
            squeeze(dim: i32): "Removes `dim` if its size is 1.",
            unsqueeze(dim: i32): "Inserts a dim of size 1 at `dim`.",
            unsqueeze_many(dims: Vec<i32>): "Inserts size-1 dims at `dims` (positions in the result), in ascending order.",
            expand(shape: Vec<i64>): "Broadcasts to `shape` (-1 keeps a size) without copying.",
            narrow(dim: i32, start: i64, length: i64): "`length` entries of `dim` from `start`.",
            select(dim: i32, index: i64): "Entry `index` of `dim`, which is removed.",
            cat(other: $Arg, dim: i32 = 0): "`self` and `other` joined along `dim`.",
            chunk(chunks: i32, dim: i32 = 0) -> Vec<$Core>: "`chunks` nearly equal pieces along `dim`, as a list.",
            repeat(repeats: Vec<i64>): "Tiles the values `repeats[i]` times along each dim, as `Tensor.repeat`.",
            pad(padding: Vec<i64>, value: f64 = 0.0): "Pads with `value`: (left, right) pairs from the last dim backwards, as `F.pad`.",
            index_select(dim: i32, index: $crate::python::args::TensorArg<'_>): "The entries of `dim` at the int64 `index`.",
            gather(dim: i32, index: $crate::python::args::TensorArg<'_>): "Values along `dim` at the int64 `index`, as `torch.gather`.",
            topk(k: i64, dim: i32 = -1, largest: bool = true, sorted: bool = true) -> ($Core, $crate::Tensor): "The `k` largest (or smallest) values along `dim`, and their indices.",
            sort(dim: i32 = -1, descending: bool = false) -> ($Core, $crate::Tensor): "The values sorted along `dim`, and the indices they came from."
        ]);
        $crate::python::ops::py_ops!(@shared $Py, $Core, $Arg, $operand);
    };
    (@shared $Py:ident, $Core:ident, $Arg:ty, $operand:path) => {
        impl $Py {
            /// `a.matmul(b)`, with the GIL released for large operands.
            fn matmul_of(py: pyo3::Python<'_>, a: &$Core, b: &$Core) -> $crate::Result<$Core> {
                $crate::python::ops::release_if_large(py, a.numel() + b.numel(), || a.matmul(b))
            }
        }

        #[pyo3::pymethods]
        impl $Py {
            /// Matrix product, as `torch.matmul`. Large products run with the
            /// GIL released.
            fn matmul(&self, py: pyo3::Python<'_>, other: $Arg) -> pyo3::PyResult<$Core> {
                Ok(Self::matmul_of(py, &self.inner, other.get())?)
            }

            /// `tensors` joined along `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = 0))]
            fn cat_many(tensors: Vec<$Arg>, dim: i32) -> pyo3::PyResult<$Core> {
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::cat_many(&parts, dim)?)
            }

            /// `tensors` (all of one shape) stacked along a new dim `dim`.
            #[staticmethod]
            #[pyo3(signature = (tensors, dim = 0))]
            fn stack(tensors: Vec<$Arg>, dim: i32) -> pyo3::PyResult<$Core> {
                let parts: Vec<&$Core> = tensors.iter().map(|t| t.get()).collect();
                Ok($Core::stack(&parts, dim)?)
            }

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
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| Self::matmul_of(py, &self.inner, o.get()), |_| None)
            }

            fn __rmatmul__(&self, py: pyo3::Python<'_>, other: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                $crate::python::ops::operator::<_, _, Self>(py, $operand(other)?, other, |o| Self::matmul_of(py, o.get(), &self.inner), |_| None)
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

/// `py_methods!(PyClass, Core, [entries])`: one Python method per entry
/// (see `py_ops!`), calling the core method of the same name.
macro_rules! py_methods {
    ($Py:ident, $Core:ident, [$(
        $name:ident($($arg:ident: $ty:ty $(= $default:expr)?),*) $(-> $ret:ty)?: $doc:literal
    ),* $(,)?]) => {
        #[pyo3::pymethods]
        impl $Py {
            $(
                #[doc = $doc]
                #[pyo3(signature = ($($arg $(= $default)?),*))]
                fn $name(&self, $($arg: $ty),*) -> pyo3::PyResult<$crate::python::ops::py_methods!(@ret $Core $(; $ret)?)> {
                    #[allow(unused_imports)]
                    use $crate::python::args::CoreArg as _;
                    Ok(self.inner.$name($($arg.core(stringify!($name), stringify!($arg))?),*)?)
                }
            )*
        }
    };
    (@ret $Core:ident) => { $Core };
    (@ret $Core:ident; $ret:ty) => { $ret };
}

pub(crate) use py_methods;
pub(crate) use py_ops;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

/// Operand elements from which a matmul releases the GIL: about where the
/// kernel (tens of µs) dwarfs the release (a fraction of a µs).
const LARGE_MATMUL: usize = 1 << 16;

/// Runs `f` (an op over `elements` operand elements) with the GIL released
/// when the operands are large, under it otherwise.
pub(crate) fn release_if_large<T: Send>(
    py: Python<'_>,
    elements: usize,
    f: impl FnOnce() -> T,
) -> T {
    if elements >= LARGE_MATMUL {
        super::args::without_gil(py, f)
    } else {
        f()
    }
}

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
