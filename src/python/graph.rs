//! `Variable.grad_fn`: the node of the autograd graph that made a Variable,
//! with PyTorch's `name()`, `next_functions` and (for a leaf's
//! `AccumulateGrad`) `variable`, on `flodl::autograd::Node`.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::autograd::Node;

/// A node of the autograd graph (`MulBackward0`, `AccumulateGrad`, a custom
/// function's node), as PyTorch's `grad_fn` objects.
#[pyclass(name = "Node", module = "flodl.autograd.graph", frozen)]
pub(crate) struct PyNode(pub(crate) Node);

crate::python::guard::guarded! {

#[pymethods]
impl PyNode {
    /// The node's name, as PyTorch's (`"MulBackward0"`).
    fn name(&self) -> PyResult<String> {
        Ok(self.0.name()?)
    }

    /// One `(node, input_nr)` pair per input of the op that made this node:
    /// the node that made the input (None for an input that needs no
    /// gradient) and which of its inputs the edge feeds.
    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let edges = self.0.next_functions()?;
        let pairs = edges
            .into_iter()
            .map(|(node, input_nr)| {
                let node = node.map(PyNode);
                PyTuple::new(py, [node.into_pyobject(py)?.into_any(), input_nr.into_pyobject(py)?.into_any()])
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, pairs)
    }

    /// The leaf an `AccumulateGrad` node writes its gradient into (None for
    /// other nodes).
    #[getter]
    fn variable(&self) -> PyResult<Option<crate::Variable>> {
        Ok(self.0.variable()?)
    }

    /// `<MulBackward0 object at 0x...>`: the name without its C++
    /// namespace, as PyTorch's class names (`AccumulateGrad`).
    fn __repr__(&self) -> PyResult<String> {
        let name = self.0.name()?;
        let short = name.rsplit("::").next().unwrap_or(&name);
        Ok(format!("<{short} object at {:#x}>", self.0.id()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyNode>().is_ok_and(|o| o.get().0 == self.0)
    }

    fn __hash__(&self) -> isize {
        self.0.id() as isize
    }
}

}
