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
from typing import Any, Union

from . import _autograd_functional as functional
from . import _flodl
from . import _forward_ad as forward_ad
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


def _float64_leaves(inputs, name: str = "gradcheck") -> list[Any]:
    """The inputs ``f`` gets: each tensor as a float64 leaf that requires
    grad (the ones checked), anything else (a number, a flag) as it is, as
    torch passes it. At least one input must be a tensor."""
    if not any(isinstance(x, Tensor) for x in inputs):
        kinds = ", ".join(type(x).__name__ for x in inputs) or "nothing"
        raise TypeError(f"{name}: input 0 must be a Tensor or Variable, got {kinds}")
    leaves: list[Any] = []
    for k, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            leaves.append(x)
            continue
        values = x.data if isinstance(x, Variable) else x
        if values.dtype.name != "float64":
            raise _flodl.ArgumentError(
                f"{name}: input {k} is {values.dtype.name}; finite differences need float64"
            )
        leaves.append(Variable(values.clone(), requires_grad=True))
    return leaves


def _check_function(name: str, f) -> None:
    if not callable(f):
        raise TypeError(f"{name}: f must be callable, got {type(f).__name__}")


def _outputs(result) -> list[Variable]:
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    for output in outputs:
        if not isinstance(output, (Tensor, Variable)):
            raise TypeError(
                f"gradcheck: f must return a tensor or a tuple of them, got {type(output).__name__}"
            )
    return outputs


def _jacobians(f, leaves: list[Any], eps: float):
    """Analytical (backward) and numerical (central differences) Jacobians,
    as numpy arrays [output][input] of shape (output elements, input
    elements), for the inputs that are tensors (an input of another kind
    gets an empty array)."""
    import numpy as np

    checked = [k for k, x in enumerate(leaves) if isinstance(x, Variable)]
    sizes = [x.numel() if k in checked else 0 for k, x in enumerate(leaves)]
    outputs = _outputs(f(*leaves))
    analytical = []
    for out in outputs:
        rows = [[np.zeros(n) for n in sizes] for _ in range(out.numel())]
        flat = out.reshape(-1)
        for j in range(out.numel()):
            grads = grad(
                flat[j], [leaves[k] for k in checked], retain_graph=True, allow_unused=True
            )
            for k, g in zip(checked, grads):
                rows[j][k] = np.zeros(sizes[k]) if g is None else g.numpy().reshape(-1)
        analytical.append(
            [np.stack([rows[j][k] for j in range(out.numel())]) for k in range(len(leaves))]
        )
    # The perturbed inputs require grad too: `f` may take gradients itself
    # (gradgradcheck's does).
    numerical = [[np.zeros((o.numel(), n)) for n in sizes] for o in outputs]
    for k in checked:
        x = leaves[k]
        shape = x.data.numpy().shape
        base = x.data.numpy().reshape(-1)
        for e in range(base.size):
            results = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[e] += step
                args = list(leaves)
                args[k] = Variable(Tensor.from_numpy(moved.reshape(shape)), requires_grad=True)
                results.append([o.data.numpy().reshape(-1) for o in _outputs(f(*args))])
            for i, (plus, minus) in enumerate(zip(*results)):
                numerical[i][k][:, e] = (plus - minus) / (2 * eps)
    return analytical, numerical


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
    try:
        return _gradcheck(f, inputs, eps, atol, rtol)
    except _flodl.AutogradError:
        if raise_exception:
            raise
        return False


def _gradcheck(f, inputs, eps: float, atol: float, rtol: float) -> bool:
    import numpy as np

    _check_function("gradcheck", f)
    leaves = _float64_leaves(inputs if isinstance(inputs, (tuple, list)) else (inputs,))
    analytical, numerical = _jacobians(f, leaves, eps)
    for i, (a_rows, n_rows) in enumerate(zip(analytical, numerical)):
        for k, (a, n) in enumerate(zip(a_rows, n_rows)):
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
            if excess.size and excess.max() > 0:
                j, e = np.unravel_index(int(excess.argmax()), excess.shape)
                raise _flodl.AutogradError(
                    f"gradcheck: input {k}, element {e}: backward gives {a[j, e]:.6g}, "
                    f"finite differences {n[j, e]:.6g} (output {i}, element {j})"
                )
    return True


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
    _check_function("gradgradcheck", f)
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    leaves = _float64_leaves(inputs, "gradgradcheck")
    weights = [
        Tensor.empty(
            list(o.shape), dtype=o.dtype if o.dtype.is_floating_point else "float64"
        ).uniform_(-1.0, 1.0)
        for o in _outputs(f(*leaves))
    ]

    def first_derivatives(*xs):
        outs = _outputs(f(*xs))
        tensors = [x for x in xs if isinstance(x, Variable)]
        grads = grad(outs, tensors, grad_outputs=weights, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else (x * 0.0) for g, x in zip(grads, tensors))

    return gradcheck(first_derivatives, leaves, eps, atol, rtol, raise_exception=raise_exception)
