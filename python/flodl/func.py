"""``flodl.func``: function transforms, as ``torch.func`` and
``torch.autograd.functional``.

``vjp``, ``jvp`` (true forward mode, through libtorch's dual tensors),
``grad``, ``grad_and_value`` and ``jacrev`` as ``torch.func``; ``jacobian``,
``hessian`` and ``hvp`` as ``torch.autograd.functional``. ``f`` takes and
returns Variables; primals and tangents may be Tensors or Variables (their
values are used: a transform does not reach into the graph they came from).
Results are Tensors, in the container ``f`` returned its outputs in. An
output that does not depend on the inputs (a constant, an integer tensor) has
zero derivatives, as in PyTorch.

The transforms are ``flodl::func``'s, in Rust; this module only shapes the
arguments as PyTorch does (``argnums``, a tuple of inputs or one input).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Union

from . import _flodl
from ._flodl import ArgumentError, Tensor, Variable

__all__ = ["grad", "grad_and_value", "hessian", "hvp", "jacobian", "jacrev", "jvp", "vjp"]

TensorLike = Union[Tensor, Variable]


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def vjp(f: Callable[..., Any], *primals: TensorLike):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(*cotangents)`` (one per output of
    ``f``, or one tuple of them, as ``torch.func``) gives one
    vector-Jacobian product per primal."""
    return _flodl._func_vjp(f, primals)


def jvp(f: Callable[..., Any], primals: Sequence[TensorLike], tangents: Sequence[TensorLike]):
    """``(f(*primals), J @ tangents)``, in forward mode."""
    return _flodl._func_jvp(f, _tuple(primals), _tuple(tangents))


def _argnums(name: str, argnums: Any) -> tuple[tuple[int, ...], bool]:
    """The positions ``argnums`` asks for, and whether it is one int."""
    single = isinstance(argnums, int)
    positions = (argnums,) if single else argnums
    if not isinstance(positions, (tuple, list)) or not all(isinstance(a, int) for a in positions):
        raise TypeError(
            f"{name}: argnums must be an int or a tuple of ints, got {type(argnums).__name__}"
        )
    if not positions:
        raise ArgumentError(f"{name}: argnums must not be empty")
    return tuple(positions), single


def _positions(name: str, argnums: tuple[int, ...], n: int) -> list[int]:
    """``argnums`` as positions among ``n`` arguments (negative ones count from the end)."""
    positions = []
    for a in argnums:
        if not -n <= a < n:
            raise ArgumentError(
                f"{name}: argnums {a} is out of range for {n} positional argument"
                + ("" if n == 1 else "s")
            )
        positions.append(a % n)
    if len(set(positions)) != len(positions):
        raise ArgumentError(f"{name}: argnums must be unique, got {argnums}")
    return positions


def _of_wanted(f: Callable[..., Any], args: tuple, positions: list[int]) -> Callable[..., Any]:
    """``f`` as a function of the arguments at ``positions`` only, the
    others fixed to ``args``."""

    def of_wanted(*wanted: Any) -> Any:
        full = list(args)
        for i, w in zip(positions, wanted):
            full[i] = w
        return f(*full)

    return of_wanted


def grad_and_value(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning ``(gradient, value)`` of a single-element ``f``
    with respect to the arguments ``argnums``."""
    wanted_argnums, single = _argnums("grad", argnums)

    def wrapper(*args: TensorLike):
        positions = _positions("grad", wanted_argnums, len(args))
        of_wanted = _of_wanted(f, args, positions)
        grads, value = _flodl._func_grad_and_value(of_wanted, [args[i] for i in positions])
        return (grads[0] if single else tuple(grads)), value

    return wrapper


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the gradient of a single-element ``f`` with
    respect to the arguments ``argnums``, as ``torch.func.grad``."""
    with_value = grad_and_value(f, argnums)
    return lambda *args: with_value(*args)[0]


def jacobian(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike]):
    """The Jacobian of ``f`` at ``inputs``, shaped ``output.shape +
    input.shape``, as ``torch.autograd.functional.jacobian``: a tuple over
    the outputs when ``f`` returns a tuple, of tuples over the inputs when
    ``inputs`` is a tuple."""
    per_input = isinstance(inputs, (tuple, list))
    return _flodl._func_jacobian("jacobian", f, _tuple(inputs), per_input)


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the Jacobian of ``f`` with respect to the
    arguments ``argnums``, as ``torch.func.jacrev`` (nested per output,
    then per argument when ``argnums`` is a tuple)."""
    wanted_argnums, single = _argnums("jacrev", argnums)

    def wrapper(*args: TensorLike):
        positions = _positions("jacrev", wanted_argnums, len(args))
        of_wanted = _of_wanted(f, args, positions)
        return _flodl._func_jacobian("jacrev", of_wanted, [args[i] for i in positions], not single)

    return wrapper


def hessian(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike]):
    """The Hessian of a single-element ``f`` at ``inputs``, shaped
    ``input.shape + input.shape`` (a tuple of tuples for a tuple of inputs),
    as ``torch.autograd.functional.hessian``."""
    rows = _flodl._func_hessian(f, _tuple(inputs))
    return tuple(rows) if isinstance(inputs, (tuple, list)) else rows[0][0]


def hvp(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike], v: Any):
    """``(f(inputs), H @ v)`` for a single-element ``f`` (``v`` a tuple for a
    tuple of inputs), as ``torch.autograd.functional.hvp``."""
    value, products = _flodl._func_hvp(f, _tuple(inputs), _tuple(v))
    return value, (tuple(products) if isinstance(inputs, (tuple, list)) else products[0])
