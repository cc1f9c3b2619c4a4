//! `Variable.grad_fn`: the node of the autograd graph that made a Variable,
//! with PyTorch's `name()`, `next_functions` and (for a leaf's
//! `AccumulateGrad`) `variable`, on `flodl::autograd::Node`.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::autograd::Node;

/// A node of the autograd graph (`MulBackward0`, `AccumulateGrad`, a custom
/// function's node), as PyTorch's `grad_fn` objects.
// Subclassable: each object takes the class of its name (`flodl._nodes`).
#[pyclass(name = "Node", module = "flodl.autograd.graph", frozen, subclass)]
pub(crate) struct PyNode(pub(crate) Node);

/// `node` as Python sees it: a `Node` whose class is named after it
/// (`type(y.grad_fn).__name__ == "MulBackward0"`, as PyTorch's).
pub(crate) fn node_object(py: Python<'_>, node: Node) -> PyResult<Bound<'_, PyAny>> {
    let name = node.name();
    let object = Bound::new(py, PyNode(node))?;
    // A node whose name cannot be read stays a plain Node (its `name()`
    // raises why).
    let Ok(name) = name else {
        return Ok(object.into_any());
    };
    let short = name.rsplit("::").next().unwrap_or(&name).to_string();
    let class = py
        .import("flodl._nodes")?
        .getattr("_node_class")?
        .call1((short,))?;
    object.setattr("__class__", class)?;
    Ok(object.into_any())
}

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
                let node = match node {
                    Some(node) => node_object(py, node)?,
                    None => py.None().into_bound(py),
                };
                PyTuple::new(py, [node, input_nr.into_pyobject(py)?.into_any()])
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
