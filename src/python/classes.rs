//! The Python classes' structs, in a leaf module: every binding module may
//! name them without importing the modules that bind their methods
//! (`tensor.rs`, `variable.rs`, `device.rs`), so the binding modules form no
//! import cycle.

use pyo3::prelude::*;

use crate::{Device, Tensor, TensorOptions, Variable};

/// An n-dimensional array on a device. A plain Tensor records no graph; its
/// subclass Variable does.
// Subclassable: a Python Variable is a Tensor, as every torch.Tensor is.
// Weak-referenceable, as torch's (caches keyed by tensors; a Variable
// inherits the slot).
#[pyclass(name = "Tensor", module = "flodl", frozen, subclass, weakref)]
pub struct PyTensor {
    pub(crate) inner: Tensor,
}

// SAFETY: pyo3 wants Sync. Every method reads through `&self`; libtorch
// tensor handles are safe to read from several threads (atomic refcounts),
// and the one in-place method, detach_, changes autograd metadata exactly as
// PyTorch's own Tensor.detach_ does from any Python thread.
unsafe impl Sync for PyTensor {}

impl From<Tensor> for PyTensor {
    fn from(inner: Tensor) -> Self {
        PyTensor { inner }
    }
}

/// A tensor whose operations are recorded, so that `backward()` can fill
/// the gradients of the leaves it came from.
// Subclassable: `flodl.nn.Parameter` is a Variable. A Tensor to Python
// (isinstance), so that PyTorch programs may pass it wherever a tensor goes;
// its Tensor part is an alias that only inherited read-only queries use
// (`tests/python/test_variable_is_tensor.py` keeps that list).
#[pyclass(name = "Variable", module = "flodl", frozen, subclass, extends = PyTensor)]
pub struct PyVariable {
    pub(crate) inner: Variable,
    /// The gradient object `grad` handed out last, weakly: while it lives
    /// and the gradient is still that tensor (backward accumulates in
    /// place), `p.grad` is that object, as PyTorch's `p.grad is g`.
    pub(crate) grad_object: std::sync::Mutex<Option<Py<pyo3::types::PyWeakrefReference>>>,
}

// SAFETY: as for PyTensor: all access is through `&self`; zero_grad and
// backward change autograd state the way PyTorch does from any thread.
unsafe impl Sync for PyVariable {}

impl From<Variable> for PyClassInitializer<PyVariable> {
    fn from(inner: Variable) -> Self {
        PyClassInitializer::from(PyTensor::from(crate::Tensor::alias_of(&inner))).add_subclass(
            PyVariable {
                inner,
                grad_object: std::sync::Mutex::new(None),
            },
        )
    }
}

/// Where a tensor lives: `Device.CPU` or `Device.CUDA(index)`.
#[pyclass(name = "Device", module = "flodl", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDevice(pub Device);

/// The dtype and device of a new tensor; Float32 on the CPU by default.
#[pyclass(name = "TensorOptions", module = "flodl", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyTensorOptions(pub TensorOptions);
