"""``flodl.func``: function transforms, as ``torch.func`` and
``torch.autograd.functional``.

``vjp``, ``jvp`` (true forward mode, through libtorch's dual tensors),
``grad``, ``grad_and_value`` and ``jacrev`` as ``torch.func``; ``jacobian``,
``hessian`` and ``hvp`` as ``torch.autograd.functional``. ``f`` takes and
returns Variables; primals and tangents may be Tensors or Variables (their
values are used: a transform does not reach into the graph they came from).
Results are Tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Union

from . import _flodl, autograd
from ._flodl import Tensor, Variable

__all__ = ["grad", "grad_and_value", "hessian", "hvp", "jacobian", "jacrev", "jvp", "vjp"]

TensorLike = Union[Tensor, Variable]


def _values(x: TensorLike) -> Tensor:
    return x.data if isinstance(x, Variable) else x


def _leaf(x: TensorLike) -> Variable:
    return Variable(_values(x), requires_grad=True)


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _zeros_like(x: Variable) -> Tensor:
    return Tensor.zeros(list(x.shape), dtype=x.dtype, device=x.device)


def vjp(f: Callable[..., Any], *primals: TensorLike):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(*cotangents)`` gives one
    vector-Jacobian product per primal."""
    inputs = [_leaf(p) for p in primals]
    output = f(*inputs)
    outputs = _tuple(output)

    def vjp_fn(*cotangents: TensorLike) -> tuple[Tensor, ...]:
        grads = autograd.grad(
            list(outputs),
            inputs,
            grad_outputs=[_values(c) for c in cotangents],
            retain_graph=True,
            allow_unused=True,
        )
        return tuple(_zeros_like(x) if g is None else g.data for g, x in zip(grads, inputs))

    values = tuple(o.data for o in outputs)
    return (values if isinstance(output, (tuple, list)) else values[0]), vjp_fn


def jvp(f: Callable[..., Any], primals: Sequence[TensorLike], tangents: Sequence[TensorLike]):
    """``(f(*primals), J @ tangents)``, in forward mode."""
    primals, tangents = _tuple(primals), _tuple(tangents)
    if len(primals) != len(tangents):
        raise flodl_argument_error(f"jvp: {len(primals)} primals and {len(tangents)} tangents")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if list(p.shape) != list(t.shape):
            raise _flodl.ShapeError(
                f"jvp: tangent {i} has shape {list(t.shape)}, its primal {list(p.shape)}"
            )
    level = _flodl._enter_dual_level()
    try:
        duals = [
            _flodl._make_dual(_values(p), _values(t), level) for p, t in zip(primals, tangents)
        ]
        output = f(*duals)
        outputs = _tuple(output)
        out_tangents = []
        for o in outputs:
            tangent = _flodl._unpack_dual(o, level) if isinstance(o, Variable) else None
            out_tangents.append(_zeros_like(o) if tangent is None else tangent)
        values = [o.data.clone() for o in outputs]
    finally:
        _flodl._exit_dual_level(level)
    if isinstance(output, (tuple, list)):
        return tuple(values), tuple(out_tangents)
    return values[0], out_tangents[0]


def flodl_argument_error(message: str) -> Exception:
    return _flodl.ArgumentError(message)


def _argnums(argnums: int | Sequence[int]) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, int):
        return (argnums,), True
    return tuple(argnums), False


def grad_and_value(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning ``(gradient, value)`` of a single-element ``f``
    with respect to the arguments ``argnums``."""
    positions, single = _argnums(argnums)

    def wrapper(*args: TensorLike):
        inputs = [_leaf(a) if i in positions else a for i, a in enumerate(args)]
        output = f(*inputs)
        wanted = [inputs[i] for i in positions]
        grads = autograd.grad(output, wanted, allow_unused=True)
        grads = tuple(_zeros_like(x) if g is None else g.data for g, x in zip(grads, wanted))
        return (grads[0] if single else grads), output.data

    return wrapper


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the gradient of a single-element ``f`` with
    respect to the arguments ``argnums``, as ``torch.func.grad``."""
    with_value = grad_and_value(f, argnums)
    return lambda *args: with_value(*args)[0]


def _jacobian_rows(f: Callable[..., Any], inputs: Sequence[TensorLike], create_graph: bool):
    leaves = [_leaf(x) for x in inputs]
    output = f(*leaves)
    n = output.numel()
    eye = Tensor.eye(n, dtype=output.dtype, device=output.device)
    per_input: list[list[Tensor]] = [[] for _ in leaves]
    for i in range(n):
        cotangent = eye[i].reshape(list(output.shape))
        grads = autograd.grad(
            output,
            leaves,
            grad_outputs=cotangent,
            retain_graph=True,
            allow_unused=True,
            create_graph=create_graph,
        )
        for k, (g, x) in enumerate(zip(grads, leaves)):
            per_input[k].append(_zeros_like(x) if g is None else g.data)
    return [
        Tensor.stack(rows, 0).reshape([*output.shape, *x.shape])
        for rows, x in zip(per_input, leaves)
    ]


def jacobian(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike]):
    """The Jacobian of ``f`` at ``inputs``, shaped ``output.shape +
    input.shape`` (a tuple for a tuple of inputs), as
    ``torch.autograd.functional.jacobian``."""
    single = not isinstance(inputs, (tuple, list))
    result = _jacobian_rows(f, _tuple(inputs), False)
    return result[0] if single else tuple(result)


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the Jacobian of ``f`` with respect to the
    arguments ``argnums``, as ``torch.func.jacrev``."""
    positions, single = _argnums(argnums)

    def wrapper(*args: TensorLike):
        def of_wanted(*wanted):
            full = list(args)
            for i, w in zip(positions, wanted):
                full[i] = w
            return f(*full)

        result = _jacobian_rows(of_wanted, [args[i] for i in positions], False)
        return result[0] if single else tuple(result)

    return wrapper


def hessian(f: Callable[..., Any], inputs: TensorLike):
    """The Hessian of a single-element ``f`` at ``inputs``, shaped
    ``input.shape + input.shape``, as ``torch.autograd.functional.hessian``."""

    def gradient(x: Variable) -> Variable:
        (g,) = autograd.grad(f(x), x, create_graph=True)
        return g

    return _jacobian_rows(gradient, [inputs], False)[0]


def hvp(f: Callable[..., Any], inputs: TensorLike, v: TensorLike):
    """``(f(inputs), H @ v)`` for a single-element ``f``, as
    ``torch.autograd.functional.hvp``."""
    x = _leaf(inputs)
    output = f(x)
    (g,) = autograd.grad(output, x, create_graph=True)
    (product,) = autograd.grad(g, x, grad_outputs=_values(v), allow_unused=True)
    return output.data, (_zeros_like(x) if product is None else product.data)
