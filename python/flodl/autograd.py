"""``flodl.autograd``: gradients beyond ``backward()``, as ``torch.autograd``.

- ``grad(outputs, inputs, ...)`` returns gradients instead of adding them to
  ``.grad``; with ``create_graph=True`` they carry a graph, so gradients of
  gradients (penalties, Hessian-vector products, any order) follow.
- ``gradcheck`` and ``gradgradcheck``: float64 finite differences against
  backward and double backward.
- ``Function``: a custom differentiable function with a hand-written
  backward, whose node sits in libtorch's graph.
- ``checkpoint``: recompute a block in backward instead of keeping its
  intermediate values.
- The grad modes ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
  ``inference_mode``.
- ``detect_anomaly`` and ``set_detect_anomaly``; ``functional``
  (``torch.autograd.functional``'s ``jacobian``, ``hessian``, ``vjp``,
  ``jvp``, ``hvp``).
"""

from __future__ import annotations

import sys
import types
import warnings
from collections.abc import Sequence
from typing import Union

from . import _autograd_functional as functional
from . import _flodl
from . import _forward_ad as forward_ad
from . import _grad_mode as grad_mode  # torch.autograd.grad_mode's path
from ._flodl import Tensor, Variable
from ._function import Function, FunctionCtx, checkpoint, once_differentiable
from ._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = [
    "Function",
    "FunctionCtx",
    "backward",
    "checkpoint",
    "detect_anomaly",
    "enable_grad",
    "explain_grad",
    "forward_ad",
    "function",
    "functional",
    "grad",
    "grad_mode",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]

# `import flodl.autograd.functional` (and `.forward_ad`) works, as torch's;
# so does `from flodl.autograd.function import Function, once_differentiable`.
sys.modules[f"{__name__}.functional"] = functional
sys.modules[f"{__name__}.forward_ad"] = forward_ad
function = types.ModuleType(f"{__name__}.function", "Custom Functions, as torch.autograd.function.")
function.Function, function.FunctionCtx = Function, FunctionCtx
function.once_differentiable = once_differentiable
sys.modules[function.__name__] = function
# `from torch.autograd.variable import Variable`, an old spelling still met.
variable = types.ModuleType(f"{__name__}.variable", "Variable, as torch.autograd.variable.")
variable.Variable = Variable
sys.modules[variable.__name__] = variable

_Variables = Union[Variable, Sequence[Variable]]


def grad(
    outputs: _Variables,
    inputs: _Variables,
    grad_outputs: Variable | Tensor | Sequence[Variable | Tensor] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Variable | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, one per input,
    as ``torch.autograd.grad``. ``grad_outputs`` gives each output's upstream
    gradient (needed for a non-scalar output); ``retain_graph`` defaults to
    ``create_graph``. An input that did not contribute is an AutogradError
    naming it, or ``None`` with ``allow_unused=True`` (zeros with
    ``materialize_grads=True``). With ``is_grads_batched=True`` each
    ``grad_outputs`` entry has a leading batch dim: the gradients of each
    row, stacked (a Jacobian's rows from the rows of an identity).
    ``only_inputs`` is ignored, as torch's (deprecated; False warns)."""
    if not only_inputs:
        warnings.warn(
            "only_inputs argument is deprecated and is ignored now (defaults to True); "
            "to accumulate gradients into other leaves, use flodl.autograd.backward",
            FutureWarning,
            stacklevel=2,
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise _flodl.ArgumentError(
            "grad: materialize_grads=True with allow_unused=False: unused inputs get zeros, "
            "so allow_unused must not be False"
        )
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    # A Tensor that records nothing, as torch's RuntimeError says it.
    for i, output in enumerate(outputs):
        if isinstance(output, Tensor) and not output.requires_grad:
            raise _flodl.AutogradError(
                f"grad: element {i} of tensors does not require grad and does not have a grad_fn"
            )
    for input in inputs:
        if isinstance(input, Tensor) and not input.requires_grad:
            raise _flodl.AutogradError(
                "grad: One of the differentiated Tensors does not require grad"
            )
    if grad_outputs is not None and isinstance(grad_outputs, (Variable, Tensor)):
        grad_outputs = [grad_outputs]
    grads = _flodl._autograd_grad(
        outputs,
        inputs,
        None if grad_outputs is None else list(grad_outputs),
        retain_graph,
        create_graph,
        allow_unused,
        is_grads_batched,
    )
    if materialize_grads:
        # As torch's: zeros, a leaf that requires grad under create_graph.
        grads = [
            Variable(Tensor.zeros(list(x.shape), dtype=x.dtype, device=x.device), create_graph)
            if g is None
            else g
            for g, x in zip(grads, inputs)
        ]
    return tuple(grads)


def backward(
    tensors: _Variables,
    grad_tensors: Variable | Tensor | Sequence[Variable | Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: _Variables | None = None,
) -> None:
    """Fills the leaves' gradients from several outputs at once, as
    ``torch.autograd.backward``: each output's gradient is its entry of
    ``grad_tensors`` (None for a single-element output, whose gradient is 1),
    and the leaves get the sum over the outputs, in one backward pass."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None:
        grads: list = [None] * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grads = [grad_tensors]
    else:
        grads = list(grad_tensors)
    if isinstance(inputs, Variable):
        inputs = [inputs]
    _flodl._autograd_backward(
        tensors, grads, retain_graph, create_graph, None if inputs is None else list(inputs)
    )


class detect_anomaly:
    """Anomaly detection, as ``torch.autograd.detect_anomaly``: while it is
    on, a backward that produces NaN or inf raises AutogradError naming the
    forward op that made the bad gradient, its operands, and the file and
    line where it was called. A context manager and a decorator; costs a
    check per backward node, so it is for debugging."""

    def __init__(self) -> None:
        self._guards: list = []

    def __enter__(self) -> None:
        self._guards.append(_flodl._DetectAnomaly())

    def __exit__(self, *exc_info: object) -> None:
        self._guards.pop().exit()

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


# The anomaly detection set_detect_anomaly(True) keeps on.
_set_on: list = []


def _set_anomaly(mode: bool) -> None:
    if mode and not _set_on:
        _set_on.append(_flodl._DetectAnomaly())
    while not mode and _set_on:
        _set_on.pop().exit()


class set_detect_anomaly:
    """Anomaly detection on or off from this call, as
    ``torch.autograd.set_detect_anomaly(mode)``: a call at the top of a
    script, or a context manager that restores what was set before.
    ``check_nan`` is accepted (flodl always checks)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly: mode must be a bool, got {type(mode).__name__}")
        self._before = bool(_set_on)
        _set_anomaly(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        _set_anomaly(self._before)


def explain_grad(v: Variable) -> str:
    """Why ``v.grad`` is what it is, above all why it is None: ``v`` does not
    require grad (made so, by ``detach()``, under ``no_grad``, an integer
    dtype), is not a leaf and did not ``retain_grad()``, no backward reached
    it since it was made or last zeroed, or its graph was freed."""
    if isinstance(v, Variable):
        return v.explain_grad()
    if isinstance(v, Tensor):
        return (
            "this is a Tensor, not a Variable: it records no operations and has no grad; "
            "make it Variable(t, requires_grad=True) to get one"
        )
    raise TypeError(f"explain_grad: takes a Variable, got {type(v).__name__}")


def gradcheck(
    f,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    *,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
) -> bool:
    """Checks ``f``'s gradients (backward) against float64 central finite
    differences, as ``torch.autograd.gradcheck``, for the inputs that are
    tensors (others are passed to ``f`` as they are). Returns True, or
    raises AutogradError naming the input and its worst element (returns
    False with ``raise_exception=False``). ``fast_mode`` runs the full
    check (its answer is the fast one's); ``nondet_tol`` is taken (one
    backward is compared)."""
    return _checked(f, inputs, eps, atol, rtol, raise_exception, second_order=False)


def _checked(f, inputs, eps, atol, rtol, raise_exception: bool, second_order: bool) -> bool:
    try:
        return _flodl._gradcheck(f, inputs, eps, atol, rtol, second_order)
    except _flodl.AutogradError:
        if raise_exception:
            raise
        return False


def gradgradcheck(
    f,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    *,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
) -> bool:
    """Checks ``f``'s second derivatives (double backward) against finite
    differences of its gradients, as ``torch.autograd.gradgradcheck``: the
    gradients, for fixed random output weights, are checked by
    ``gradcheck``. The weights are PyTorch's: uniform in [-1, 1), drawn from
    libtorch's generator, so a seeded program draws the same numbers after
    it as under torch."""
    return _checked(f, inputs, eps, atol, rtol, raise_exception, second_order=True)
