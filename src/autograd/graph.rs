//! The graph behind a Variable, as PyTorch's `grad_fn` objects: each node's
//! name, and the edges on to the nodes that made its inputs, down to the
//! `AccumulateGrad` nodes of the leaves. The nodes are libtorch's own; a
//! [`Node`] keeps its node alive, not the graph's saved values.

use super::variable::Origin;
use crate::error::{Error, Result};
use crate::ffi::NodeHandle;
use crate::ops::Operand;
use crate::Variable;

/// A node of the autograd graph (`MulBackward0`, `AccumulateGrad`, a custom
/// function's node): what `Variable::grad_fn` gives.
pub struct Node(NodeHandle);

fn failed(op: &str, failure: crate::error::Failure) -> Error {
    Error::from_failure(op, "", failure)
}

impl Node {
    /// The node's name, as PyTorch's (`"MulBackward0"`, `"AccumulateGrad"`).
    pub fn name(&self) -> Result<String> {
        self.0.name().map_err(|f| failed("grad_fn.name", f))
    }

    /// The edges on from this node, one per input of the op that made it:
    /// the node that made that input (None for an input that needs no
    /// gradient) and which of that node's inputs the edge feeds, as
    /// PyTorch's `next_functions`.
    pub fn next_functions(&self) -> Result<Vec<(Option<Node>, usize)>> {
        let edges = self
            .0
            .next()
            .map_err(|f| failed("grad_fn.next_functions", f))?;
        Ok(edges
            .into_iter()
            .map(|(next, input_nr)| (next.map(Node), input_nr.max(0) as usize))
            .collect())
    }

    /// The leaf an `AccumulateGrad` node writes its gradient into (None for
    /// other nodes), as PyTorch's `AccumulateGrad.variable`.
    pub fn variable(&self) -> Result<Option<Variable>> {
        let raw = self
            .0
            .variable()
            .map_err(|f| failed("grad_fn.variable", f))?;
        Ok(raw.map(|raw| Variable::with_origin(raw, Origin::User)))
    }

    /// The node's identity: equal for two `Node`s of one node.
    pub fn id(&self) -> usize {
        self.0.id()
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Node {}

impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state)
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.name().unwrap_or_else(|_| "Node".to_string());
        write!(f, "<{name}>")
    }
}

impl Variable {
    /// The node that made this Variable, as PyTorch's `grad_fn`: None for a
    /// leaf, or for a Variable made without recording (under `no_grad`,
    /// from inputs that need no gradient).
    pub fn grad_fn(&self) -> Result<Option<Node>> {
        let node = crate::ffi::grad_fn(self.raw()).map_err(|f| failed("grad_fn", f))?;
        Ok(node.map(Node))
    }
}
