"""``flodl.func``: function transforms, as ``torch.func`` and
``torch.autograd.functional``.

``vjp``, ``jvp`` (true forward mode, through libtorch's dual tensors),
``grad``, ``grad_and_value`` and ``jacrev`` as ``torch.func``; ``jacobian``,
``hessian`` and ``hvp`` as ``torch.autograd.functional``. ``f`` takes and
returns Variables; primals and tangents may be Tensors or Variables (their
values are used: a transform does not reach into the graph they came from).
Results are Tensors. An output that does not depend on the inputs (a
constant, an integer tensor) has zero derivatives, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Union

from . import _flodl, autograd
from ._flodl import ArgumentError, AutogradError, Tensor, Variable

__all__ = ["grad", "grad_and_value", "hessian", "hvp", "jacobian", "jacrev", "jvp", "vjp"]

TensorLike = Union[Tensor, Variable]


def _values(x: TensorLike) -> Tensor:
    return x.data if isinstance(x, Variable) else x


def _tensor(name: str, what: str, x: Any) -> TensorLike:
    """``x`` if it is a Tensor or Variable; a TypeError naming ``name`` otherwise."""
    if not isinstance(x, (Tensor, Variable)):
        kind = type(x).__name__
        if _flodl._is_torch_tensor(x):
            kind = "a torch tensor (convert it with flodl.Tensor.from_torch(t))"
        raise TypeError(f"{name}: {what} must be Tensors or Variables, got {kind}")
    return x


def _leaf(x: TensorLike, name: str = "func") -> Variable:
    return Variable(_values(_tensor(name, "the inputs", x)), requires_grad=True)


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(name: str, output: Any) -> tuple[TensorLike, ...]:
    """``f``'s outputs as a tuple, each checked to be a Tensor or Variable."""
    return tuple(_tensor(name, "f's outputs", o) for o in _tuple(output))


def _like(output: Any, values: Sequence[Any]) -> Any:
    """``values`` in the container ``output`` came in: one value, a tuple or a list."""
    if isinstance(output, list):
        return list(values)
    if isinstance(output, tuple):
        return tuple(values)
    return values[0]


def _differentiable(o: TensorLike) -> bool:
    """Whether a gradient can flow back from ``o`` (a plain Tensor, or a
    Variable made without the inputs, is a constant of ``f``)."""
    return isinstance(o, Variable) and o.requires_grad


def _zeros_like(x: TensorLike) -> Tensor:
    return Tensor.zeros(list(x.shape), dtype=x.dtype, device=x.device)


def vjp(f: Callable[..., Any], *primals: TensorLike):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(*cotangents)`` (one per output of
    ``f``, or one tuple of them, as ``torch.func``) gives one
    vector-Jacobian product per primal."""
    inputs = [_leaf(p, "vjp") for p in primals]
    output = f(*inputs)
    outputs = _outputs("vjp", output)

    def vjp_fn(*cotangents: TensorLike) -> tuple[Tensor, ...]:
        if len(cotangents) == 1 and isinstance(cotangents[0], (tuple, list)):
            cotangents = tuple(cotangents[0])
        if len(cotangents) != len(outputs):
            raise ArgumentError(
                f"vjp: got {len(cotangents)} cotangents for {len(outputs)} outputs of f"
            )
        # Outputs that are constants of the inputs contribute nothing.
        reached = [(o, _values(c)) for o, c in zip(outputs, cotangents) if _differentiable(o)]
        grads: Sequence[Any] = [None] * len(inputs)
        if reached:
            grads = autograd.grad(
                [o for o, _ in reached],
                inputs,
                grad_outputs=[c for _, c in reached],
                retain_graph=True,
                allow_unused=True,
            )
        return tuple(_zeros_like(x) if g is None else g.data for g, x in zip(grads, inputs))

    return _like(output, [_values(o) for o in outputs]), vjp_fn


def jvp(f: Callable[..., Any], primals: Sequence[TensorLike], tangents: Sequence[TensorLike]):
    """``(f(*primals), J @ tangents)``, in forward mode."""
    primals, tangents = _tuple(primals), _tuple(tangents)
    if len(primals) != len(tangents):
        raise ArgumentError(f"jvp: {len(primals)} primals and {len(tangents)} tangents")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        _tensor("jvp", "primals", p)
        _tensor("jvp", "tangents", t)
        if list(p.shape) != list(t.shape):
            raise _flodl.ShapeError(
                f"jvp: tangent {i} has shape {list(t.shape)}, its primal {list(p.shape)}"
            )
        # As torch.func: forward mode runs on floating values only.
        for what, x in (("primal", p), ("tangent", t)):
            if not x.dtype.is_floating_point:
                raise _flodl.DTypeError(
                    f"jvp: {what} {i} is {x.dtype.name}; forward mode needs floating point"
                )
    level = _flodl._enter_dual_level()
    try:
        duals = [
            _flodl._make_dual(_values(p), _values(t), level) for p, t in zip(primals, tangents)
        ]
        output = f(*duals)
        outputs = _outputs("jvp", output)
        out_tangents = []
        for o in outputs:
            # A plain Tensor or an integer one carries no tangent: it is
            # constant along the tangents, as in torch.func.jvp.
            tangent = None
            if isinstance(o, Variable) and o.dtype.is_floating_point:
                tangent = _flodl._unpack_dual(o, level)
            out_tangents.append(_zeros_like(o) if tangent is None else tangent)
        values = [_values(o).clone() for o in outputs]
    finally:
        _flodl._exit_dual_level(level)
    return _like(output, values), _like(output, out_tangents)


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


def _single_element(name: str, output: Any) -> TensorLike:
    output = _tensor(name, "f's output", output)
    if output.numel() != 1:
        raise AutogradError(
            f"{name}: f must return a single-element tensor, got shape {list(output.shape)}"
        )
    return output


def grad_and_value(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning ``(gradient, value)`` of a single-element ``f``
    with respect to the arguments ``argnums``."""
    wanted_argnums, single = _argnums("grad", argnums)

    def wrapper(*args: TensorLike):
        positions = _positions("grad", wanted_argnums, len(args))
        inputs = list(args)
        for i in positions:
            inputs[i] = _leaf(args[i], "grad")
        output = _single_element("grad", f(*inputs))
        wanted = [inputs[i] for i in positions]
        grads: Sequence[Any] = [None] * len(wanted)
        if _differentiable(output):
            grads = autograd.grad(output, wanted, allow_unused=True)
        grads = tuple(_zeros_like(x) if g is None else g.data for g, x in zip(grads, wanted))
        return (grads[0] if single else grads), _values(output)

    return wrapper


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the gradient of a single-element ``f`` with
    respect to the arguments ``argnums``, as ``torch.func.grad``."""
    with_value = grad_and_value(f, argnums)
    return lambda *args: with_value(*args)[0]


def _jacobian_of(
    output: TensorLike, leaves: Sequence[Variable], create_graph: bool
) -> list[Tensor]:
    """The Jacobian of one output with respect to each leaf, shaped
    ``output.shape + leaf.shape``."""
    shapes = [[*output.shape, *x.shape] for x in leaves]
    n = output.numel()
    if n == 0 or not _differentiable(output):
        # An empty output, or one that does not depend on the leaves.
        return [Tensor.zeros(s, dtype=x.dtype, device=x.device) for s, x in zip(shapes, leaves)]
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
    return [Tensor.stack(rows, 0).reshape(s) for rows, s in zip(per_input, shapes)]


def _jacobian(
    name: str, f: Callable[..., Any], inputs: Sequence[TensorLike], tuple_inputs: bool
) -> Any:
    """The Jacobians of ``f`` at ``inputs``, nested as PyTorch nests them:
    per output (when ``f`` returns a tuple or list), then per input (when
    ``tuple_inputs``)."""
    leaves = [_leaf(x, name) for x in inputs]
    output = f(*leaves)
    rows = []
    for o in _outputs(name, output):
        per_input = _jacobian_of(o, leaves, False)
        rows.append(tuple(per_input) if tuple_inputs else per_input[0])
    return _like(output, rows)


def jacobian(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike]):
    """The Jacobian of ``f`` at ``inputs``, shaped ``output.shape +
    input.shape``, as ``torch.autograd.functional.jacobian``: a tuple over
    the outputs when ``f`` returns a tuple, of tuples over the inputs when
    ``inputs`` is a tuple."""
    tuple_inputs = isinstance(inputs, (tuple, list))
    return _jacobian("jacobian", f, _tuple(inputs), tuple_inputs)


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the Jacobian of ``f`` with respect to the
    arguments ``argnums``, as ``torch.func.jacrev`` (nested per output,
    then per argument when ``argnums`` is a tuple)."""
    wanted_argnums, single = _argnums("jacrev", argnums)

    def wrapper(*args: TensorLike):
        positions = _positions("jacrev", wanted_argnums, len(args))

        def of_wanted(*wanted):
            full = list(args)
            for i, w in zip(positions, wanted):
                full[i] = w
            return f(*full)

        return _jacobian("jacrev", of_wanted, [args[i] for i in positions], not single)

    return wrapper


def _first_gradients(
    name: str, f: Callable[..., Any], leaves: Sequence[Variable]
) -> tuple[TensorLike, tuple[TensorLike, ...]]:
    """``f(*leaves)`` (single-element) and its gradients with a graph; a
    gradient that does not depend on the leaves is a plain Tensor (a constant)."""
    output = _single_element(name, f(*leaves))
    if not _differentiable(output):
        return output, tuple(_zeros_like(x) for x in leaves)
    grads = autograd.grad(output, list(leaves), create_graph=True, allow_unused=True)
    return output, tuple(_zeros_like(x) if g is None else g for g, x in zip(grads, leaves))


def hessian(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike]):
    """The Hessian of a single-element ``f`` at ``inputs``, shaped
    ``input.shape + input.shape`` (a tuple of tuples for a tuple of inputs),
    as ``torch.autograd.functional.hessian``."""
    tuple_inputs = isinstance(inputs, (tuple, list))

    def gradient(*xs: Variable) -> tuple[TensorLike, ...]:
        return _first_gradients("hessian", f, xs)[1]

    result = _jacobian("hessian", gradient, _tuple(inputs), tuple_inputs)
    return result if tuple_inputs else result[0]


def hvp(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike], v: Any):
    """``(f(inputs), H @ v)`` for a single-element ``f`` (``v`` a tuple for a
    tuple of inputs), as ``torch.autograd.functional.hvp``."""
    tuple_inputs = isinstance(inputs, (tuple, list))
    leaves = [_leaf(x, "hvp") for x in _tuple(inputs)]
    vs = _tuple(v)
    if len(vs) != len(leaves):
        raise ArgumentError(f"hvp: got {len(vs)} vectors v for {len(leaves)} inputs")
    for x, u in zip(leaves, vs):
        if list(_tensor("hvp", "v", u).shape) != list(x.shape):
            raise _flodl.ShapeError(f"hvp: v has shape {list(u.shape)}, its input {list(x.shape)}")
    output, grads = _first_gradients("hvp", f, leaves)
    # A constant gradient (f at most linear in the inputs) has a zero Hessian.
    reached = [(g, _values(u)) for g, u in zip(grads, vs) if _differentiable(g)]
    products: Sequence[Any] = [None] * len(leaves)
    if reached:
        products = autograd.grad(
            [g for g, _ in reached], leaves, grad_outputs=[u for _, u in reached], allow_unused=True
        )
    result = tuple(_zeros_like(x) if p is None else p.data for p, x in zip(products, leaves))
    return _values(output), (result if tuple_inputs else result[0])
