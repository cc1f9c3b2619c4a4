"""``flodl.autograd``: gradients beyond ``backward()``, as ``torch.autograd``.

- ``grad(outputs, inputs, ...)`` returns gradients instead of adding them to
  ``.grad``; with ``create_graph=True`` they carry a graph, so gradients of
  gradients (penalties, Hessian-vector products, any order) follow.
- The grad modes ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
  ``inference_mode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from . import _flodl
from ._flodl import Tensor, Variable
from ._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["enable_grad", "grad", "inference_mode", "no_grad", "set_grad_enabled"]

_Variables = Union[Variable, Sequence[Variable]]


def grad(
    outputs: _Variables,
    inputs: _Variables,
    grad_outputs: Variable | Tensor | Sequence[Variable | Tensor] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Variable | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, one per input,
    as ``torch.autograd.grad``. ``grad_outputs`` gives each output's upstream
    gradient (needed for a non-scalar output); ``retain_graph`` defaults to
    ``create_graph``. An input that did not contribute is an AutogradError
    naming it, or ``None`` with ``allow_unused=True``."""
    outputs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Variable) else list(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, (Variable, Tensor)):
        grad_outputs = [grad_outputs]
    grads = _flodl._autograd_grad(
        outputs,
        inputs,
        None if grad_outputs is None else list(grad_outputs),
        retain_graph,
        create_graph,
        allow_unused,
    )
    return tuple(grads)
