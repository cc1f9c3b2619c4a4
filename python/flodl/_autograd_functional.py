"""``flodl.autograd.functional``: ``torch.autograd.functional``'s
signatures on ``flodl.func``'s transforms (``flodl::func``, in Rust).

``inputs`` is one tensor or a tuple of them; the results follow that form,
as PyTorch's. ``jacobian`` and ``hessian`` take ``create_graph=True`` (the
results keep their graph, so a penalty on them trains what ``func`` uses);
the others, and ``strict``, are accepted when False (the results are plain
tensors); ``vectorize`` and the strategies choose how PyTorch computes the
same numbers, and are accepted as they are."""

from __future__ import annotations

from typing import Any, Callable

from . import func as _func
from ._flodl import ArgumentError, Tensor, Variable

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _plain(name: str, create_graph: bool, strict: bool, graph_ok: bool = False) -> None:
    for option, value in (("create_graph", create_graph), ("strict", strict)):
        if not isinstance(value, bool):
            raise TypeError(f"{name}: {option} must be a bool, got {type(value).__name__}")
        if value and not (graph_ok and option == "create_graph"):
            raise ArgumentError(
                f"{name}: {option}=True is not supported (results carry no graph); "
                "use flodl.autograd.grad(..., create_graph=True) for gradients of gradients"
            )


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``, as
    ``torch.autograd.functional.jacobian``."""
    _plain("jacobian", create_graph, strict, graph_ok=True)
    return _func.jacobian(func, inputs, create_graph=create_graph)


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a single-element ``func`` at ``inputs``, as
    ``torch.autograd.functional.hessian``."""
    _plain("hessian", create_graph, strict, graph_ok=True)
    return _func._hessian_at(func, inputs, create_graph=create_graph)


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), H @ v)`` for a single-element ``func``, as
    ``torch.autograd.functional.hvp``."""
    return _second_order("hvp", func, inputs, v, create_graph, strict)


def _second_order(
    name: str, func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool, strict: bool
) -> tuple[Any, Any]:
    """``hvp`` and ``vhp``: one computation, the gradient of ``grad(func) .
    v`` (Hessians are symmetric)."""
    _plain(name, create_graph, strict)
    if v is None:
        raise ArgumentError(f"{name}: give v, one tensor per input")
    return _func.hvp(func, inputs, v)


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v @ H)`` for a single-element ``func``, as
    ``torch.autograd.functional.vhp``: the gradient of ``grad(func) . v``,
    the very computation ``hvp`` makes here (Hessians are symmetric)."""
    return _second_order("vhp", func, inputs, v, create_graph, strict)


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v @ J)``, one product per input, as
    ``torch.autograd.functional.vjp`` (``v`` may be left out for a
    single-element output); with ``create_graph``, both stay differentiable
    with respect to the inputs that require grad."""
    _plain("vjp", create_graph, strict, graph_ok=True)
    output, vjp_fn = _func.vjp(func, *_tuple(inputs))
    if v is None:
        if not isinstance(output, (Tensor, Variable)) or output.numel() != 1:
            raise ArgumentError(
                "vjp: v can be left out only when func returns a single-element tensor"
            )
        v = Tensor.ones(list(output.shape), dtype=output.dtype)
    products = vjp_fn(v)
    result = output, (tuple(products) if isinstance(inputs, (tuple, list)) else products[0])
    return result if create_graph else _func._detached(result)


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), J @ v)``, as ``torch.autograd.functional.jvp``
    (``v`` may be left out for a single-element input); with
    ``create_graph``, both stay differentiable with respect to the inputs
    that require grad."""
    _plain("jvp", create_graph, strict, graph_ok=True)
    primals = _tuple(inputs)
    if v is None:
        if len(primals) != 1 or primals[0].numel() != 1:
            raise ArgumentError("jvp: v can be left out only for one single-element input")
        v = Tensor.ones(list(primals[0].shape), dtype=primals[0].dtype)
    result = _func.jvp(func, primals, _tuple(v))
    return result if create_graph else _func._detached(result)
