"""The classes of ``grad_fn`` objects: one subclass of ``Node`` per node
name, so that ``type(y.grad_fn).__name__`` is ``"MulBackward0"`` as in
PyTorch. Each node object is made a ``Node`` and takes its class here (the
same layout, ``__slots__ = ()``: a ``__class__`` assignment);
``isinstance(y.grad_fn, flodl.autograd.graph.Node)`` holds."""

from __future__ import annotations

from ._flodl import Node

_classes: dict[str, type] = {}


def _node_class(name: str) -> type:
    """The class of nodes named ``name`` (made once)."""
    found = _classes.get(name)
    if found is None:
        # `builtins`, so that the class prints as `<class 'MulBackward0'>`,
        # as PyTorch's C++ node classes do.
        found = type(name, (Node,), {"__slots__": (), "__module__": "builtins"})
        _classes[name] = found
    return found
