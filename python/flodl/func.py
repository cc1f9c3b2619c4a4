"""``flodl.func``: function transforms, as ``torch.func``.

``vjp``, ``jvp`` (true forward mode, through libtorch's dual tensors),
``grad``, ``grad_and_value``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap``
and ``functional_call`` as ``torch.func``; ``jacobian`` and ``hvp`` as
``torch.autograd.functional``. ``f`` takes and returns Variables; primals
and tangents may be Tensors or Variables (their values are used: a
transform does not reach into the graph they came from). An argument that
``argnums`` picks may be a tensor or a dict, list or tuple of them (a
``{name: tensor}`` of parameters), and its gradient comes back in that shape.
Results are Tensors, in the container ``f`` returned its outputs in. An
output that does not depend on the inputs (a constant, an integer tensor) has
zero derivatives, as in PyTorch.

The transforms are ``flodl::func``'s, in Rust; this module only shapes the
arguments as PyTorch does (``argnums``, a tuple of inputs or one input, the
containers). ``vmap`` runs ``func`` once per sample and stacks the results:
torch's numbers, without its batching rules (``B`` calls for a batch of
``B``).
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable, Union

from . import _flodl
from ._flodl import ArgumentError, AutogradError, Tensor, Variable

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "stack_module_state",
    "vjp",
    "vmap",
]

TensorLike = Union[Tensor, Variable]


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


_running = threading.local()


@contextlib.contextmanager
def _transform(name: str) -> Iterator[None]:
    """Marks a differentiating transform as running on this thread: one
    started inside another is an AutogradError (the inner one would take its
    inputs as constants, and the outer one would see zeros)."""
    outer = getattr(_running, "name", None)
    if outer is not None:
        raise AutogradError(
            f"{name}: flodl.func transforms do not nest ({name} inside {outer}); use "
            "hessian for second derivatives, or flodl.autograd.grad with create_graph=True"
        )
    _running.name = name
    try:
        yield
    finally:
        _running.name = None


def vjp(f: Callable[..., Any], *primals: TensorLike):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(*cotangents)`` (one per output of
    ``f``, or one tuple of them, as ``torch.func``) gives one
    vector-Jacobian product per primal."""
    with _transform("vjp"):
        return _flodl._func_vjp(f, primals)


def jvp(f: Callable[..., Any], primals: Sequence[TensorLike], tangents: Sequence[TensorLike]):
    """``(f(*primals), J @ tangents)``, in forward mode."""
    with _transform("jvp"):
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


def _flatten(tree: Any) -> tuple[list[Any], Callable[[Sequence[Any]], Any]]:
    """The leaves of a dict, list or tuple (nested) of leaves, in order,
    and the function that rebuilds that container from new leaves."""
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]
    elif isinstance(tree, (list, tuple)):
        keys = None
        parts = [_flatten(item) for item in tree]
    else:
        return [tree], lambda leaves: leaves[0]
    counts = [len(leaves) for leaves, _ in parts]

    def rebuild(leaves: Sequence[Any]) -> Any:
        items, start = [], 0
        for (_, again), n in zip(parts, counts):
            items.append(again(leaves[start : start + n]))
            start += n
        if keys is None:
            # A namedtuple takes its fields one by one.
            return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
        if isinstance(tree, defaultdict):
            return defaultdict(tree.default_factory, zip(keys, items))
        return type(tree)(zip(keys, items))

    return [leaf for leaves, _ in parts for leaf in leaves], rebuild


class _Picked:
    """The arguments ``argnums`` picks, flattened into one list of leaves
    (each argument may be a container of tensors), with ``f`` as a function
    of those leaves (the other arguments and the keywords fixed) and the way
    back to one result per argument."""

    def __init__(
        self,
        name: str,
        f: Callable[..., Any],
        args: tuple,
        argnums: tuple[int, ...],
        kwargs: dict[str, Any],
    ):
        self.positions = _positions(name, argnums, len(args))
        self.leaves: list[Any] = []
        self.spans: list[tuple[int, int, Callable[[Sequence[Any]], Any]]] = []
        for i in self.positions:
            leaves, rebuild = _flatten(args[i])
            self.spans.append((len(self.leaves), len(leaves), rebuild))
            self.leaves.extend(leaves)
        self.f, self.args, self.kwargs = f, args, kwargs

    def of_leaves(self, *leaves: Any) -> Any:
        full = list(self.args)
        for i, (start, n, rebuild) in zip(self.positions, self.spans):
            full[i] = rebuild(leaves[start : start + n])
        return self.f(*full, **self.kwargs)

    def per_argument(self, per_leaf: Sequence[Any]) -> list[Any]:
        return [rebuild(per_leaf[start : start + n]) for start, n, rebuild in self.spans]


def _without_aux(
    name: str, f: Callable[..., Any], has_aux: bool
) -> tuple[Callable[..., Any], list]:
    """``f`` returning its output only, and where the aux it returned with
    it (``has_aux``) is kept."""
    if not has_aux:
        return f, []
    kept: list[Any] = []

    def output_only(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        if not isinstance(result, tuple) or len(result) != 2:
            raise ArgumentError(f"{name}: with has_aux=True, f must return (output, aux)")
        kept[:] = [result[1]]
        return result[0]

    return output_only, kept


def _detached(tree: Any) -> Any:
    leaves, rebuild = _flatten(tree)
    return rebuild([x.detach() if isinstance(x, Variable) else x for x in leaves])


def grad_and_value(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False):
    """A function returning ``(gradient, value)`` of a single-element ``f``
    with respect to the arguments ``argnums`` (``(gradient, (value, aux))``
    when ``f`` returns ``(output, aux)`` and ``has_aux=True``); keywords go
    to ``f``."""
    wanted_argnums, single = _argnums("grad", argnums)

    def wrapper(*args: Any, **kwargs: Any):
        g, aux = _without_aux("grad", f, has_aux)
        picked = _Picked("grad", g, args, wanted_argnums, kwargs)
        with _transform("grad"):
            grads, value = _flodl._func_grad_and_value(picked.of_leaves, picked.leaves)
        per_arg = picked.per_argument(grads)
        gradient = per_arg[0] if single else tuple(per_arg)
        return (gradient, (value, _detached(aux[0]))) if has_aux else (gradient, value)

    return wrapper


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False):
    """A function returning the gradient of a single-element ``f`` with
    respect to the arguments ``argnums``, as ``torch.func.grad``
    (``(gradient, aux)`` with ``has_aux=True``)."""
    with_value = grad_and_value(f, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any):
        gradient, value = with_value(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


def jacobian(
    f: Callable[..., Any],
    inputs: TensorLike | Sequence[TensorLike],
    create_graph: bool = False,
):
    """The Jacobian of ``f`` at ``inputs``, shaped ``output.shape +
    input.shape``, as ``torch.autograd.functional.jacobian``: a tuple over
    the outputs when ``f`` returns a tuple, of tuples over the inputs when
    ``inputs`` is a tuple; with ``create_graph``, Variables that keep their
    graph."""
    per_input = isinstance(inputs, (tuple, list))
    with _transform("jacobian"):
        return _flodl._func_jacobian("jacobian", f, _tuple(inputs), per_input, create_graph)


def _jacobians(name: str, f: Callable[..., Any], args: tuple, kwargs: dict, argnums: Any) -> Any:
    """The Jacobians of ``f`` at ``args`` with respect to ``argnums``,
    nested as ``torch.func.jacrev`` nests them: in the container of ``f``'s
    outputs (a tuple, list or dict of them), then per argument when
    ``argnums`` is a tuple, each in its argument's container."""
    wanted_argnums, single = _argnums(name, argnums)
    outputs: list[Callable[[Sequence[Any]], Any]] = []  # rebuilds f's container, if any

    def flat_outputs(*args: Any, **kwargs: Any) -> Any:
        out = f(*args, **kwargs)
        if not isinstance(out, (tuple, list, dict)):
            outputs.clear()
            return out
        leaves, rebuild = _flatten(out)
        outputs[:] = [rebuild]
        return tuple(leaves)

    picked = _Picked(name, flat_outputs, args, wanted_argnums, kwargs)
    with _transform(name):
        rows = _flodl._func_jacobian(name, picked.of_leaves, picked.leaves, True)

    def arranged(per_leaf: Sequence[Any]) -> Any:
        per_arg = picked.per_argument(list(per_leaf))
        return per_arg[0] if single else tuple(per_arg)

    if not outputs:
        return arranged(rows)
    return outputs[0]([arranged(row) for row in rows])


def _jacobian_transform(
    name: str, f: Callable[..., Any], argnums: Any, has_aux: bool
) -> Callable[..., Any]:
    _argnums(name, argnums)  # checked when the transform is made, as torch's

    def wrapper(*args: Any, **kwargs: Any):
        g, aux = _without_aux(name, f, has_aux)
        jac = _jacobians(name, g, args, kwargs, argnums)
        return (jac, _detached(aux[0])) if has_aux else jac

    return wrapper


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False):
    """A function returning the Jacobian of ``f`` with respect to the
    arguments ``argnums``, as ``torch.func.jacrev`` (nested per output,
    then per argument when ``argnums`` is a tuple; ``(jacobian, aux)`` with
    ``has_aux=True``)."""
    return _jacobian_transform("jacrev", f, argnums, has_aux)


def jacfwd(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False):
    """``jacrev``'s Jacobian in forward mode, as ``torch.func.jacfwd``: one
    ``jvp`` per element of the arguments (an op without a forward formula
    is an AutogradError, as in PyTorch)."""
    return _jacobian_transform("jacfwd", f, argnums, has_aux)


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0):
    """A function returning the Hessian of a single-element ``f`` with
    respect to the arguments ``argnums`` (tensors), shaped ``input.shape +
    input.shape`` (a tuple of tuples for a tuple of argnums), as
    ``torch.func.hessian``; keywords go to ``f``."""
    wanted_argnums, single = _argnums("hessian", argnums)

    def wrapper(*args: Any, **kwargs: Any):
        picked = _Picked("hessian", f, args, wanted_argnums, kwargs)
        if any(isinstance(args[i], (dict, list, tuple)) for i in picked.positions):
            raise TypeError("hessian: the arguments argnums picks must be tensors")
        with _transform("hessian"):
            rows = _flodl._func_hessian(picked.of_leaves, picked.leaves)
        return rows[0][0] if single else tuple(rows)

    return wrapper


def _hessian_at(
    f: Callable[..., Any],
    inputs: TensorLike | Sequence[TensorLike],
    create_graph: bool = False,
):
    """The Hessian of a single-element ``f`` at ``inputs``, as
    ``torch.autograd.functional.hessian`` (with ``create_graph``, keeping
    its graph)."""
    with _transform("hessian"):
        rows = _flodl._func_hessian(f, _tuple(inputs), create_graph)
    return tuple(rows) if isinstance(inputs, (tuple, list)) else rows[0][0]


def hvp(f: Callable[..., Any], inputs: TensorLike | Sequence[TensorLike], v: Any):
    """``(f(inputs), H @ v)`` for a single-element ``f`` (``v`` a tuple for a
    tuple of inputs), as ``torch.autograd.functional.hvp``."""
    with _transform("hvp"):
        value, products = _flodl._func_hvp(f, _tuple(inputs), _tuple(v))
    return value, (tuple(products) if isinstance(inputs, (tuple, list)) else products[0])


# Marks an argument's leaf that vmap maps (None is an argument's own value).
_MAPPED = object()


def _mapped_leaves(
    args: tuple, in_dims: Any
) -> tuple[list, list, Callable[[Sequence[Any]], tuple]]:
    """The mapped leaves of ``args`` (tensors), their dims, and a function
    rebuilding ``args`` from them: ``in_dims``'s structure is checked here,
    its values by ``flodl::func::vmap``."""
    dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
    if len(dims) != len(args):
        raise ArgumentError(
            f"vmap: in_dims has {len(dims)} entries for {len(args)} positional arguments"
        )
    mapped, mapped_dims = [], []
    spans = []  # per argument: its leaves (_MAPPED where mapped), rebuild
    for arg, dim in zip(args, dims):
        leaves, rebuild = _flatten(arg)
        nested = isinstance(dim, (dict, list, tuple))
        leaf_dims = _flatten(dim)[0] if nested else [dim] * len(leaves)
        if len(leaf_dims) != len(leaves):
            raise ArgumentError("vmap: an in_dims entry does not match its argument's structure")
        kept = []
        for leaf, d in zip(leaves, leaf_dims):
            if d is None:
                kept.append(leaf)
                continue
            if not isinstance(d, int) or isinstance(d, bool):
                raise TypeError(f"vmap: an in_dim is an int or None, got {type(d).__name__}")
            if not isinstance(leaf, Tensor):
                raise TypeError(
                    f"vmap: a mapped argument must be a tensor, got {type(leaf).__name__}"
                )
            kept.append(_MAPPED)
            mapped.append(leaf)
            mapped_dims.append(d)
        spans.append((kept, rebuild))

    def rebuild_args(samples: Sequence[Any]) -> tuple:
        given = iter(samples)
        return tuple(
            rebuild([next(given) if x is _MAPPED else x for x in kept]) for kept, rebuild in spans
        )

    return mapped, mapped_dims, rebuild_args


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
):
    """``func`` mapped over a dim of its arguments, as ``torch.func.vmap``:
    ``in_dims`` (an int, None for an argument that is not mapped, or a tuple
    of them, one per argument) says which dim of each argument is the
    batch; the results are stacked along ``out_dims`` (None for a result the
    same for every sample). Runs ``func`` once per sample: torch's values,
    and gradients flow through. ``randomness`` (of the CPU generator):
    ``"error"`` refuses a ``func`` that draws random numbers, ``"same"``
    gives every sample the same draws, ``"different"`` draws for each in
    turn (not torch's batched draws)."""
    if randomness not in ("error", "different", "same"):
        raise ArgumentError(
            f"vmap: randomness must be 'error', 'different' or 'same', got {randomness!r}"
        )
    nested_out = isinstance(out_dims, (dict, list, tuple))
    out_dim_list = _flatten(out_dims)[0] if nested_out else [out_dims]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mapped, mapped_dims, rebuild_args = _mapped_leaves(args, in_dims)
        rebuild_out: list[Callable[[Sequence[Any]], Any]] = []

        def flat_func(*samples: Any) -> tuple:
            leaves, rebuild = _flatten(func(*rebuild_args(samples), **kwargs))
            if nested_out and len(out_dim_list) != len(leaves):
                raise ArgumentError("vmap: out_dims does not match the structure func returns")
            rebuild_out[:] = [rebuild]
            return tuple(leaves)

        stacked = _flodl._func_vmap(flat_func, mapped, mapped_dims, out_dim_list, randomness)
        return rebuild_out[0](list(stacked))

    return wrapper


# What an attribute functional_call set was before it: nothing.
_ABSENT = object()


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with its parameters and buffers replaced
    by the tensors of ``parameter_and_buffer_dicts`` (``{name: tensor}`` by
    ``named_parameters()``'s names, or a tuple of such dicts) for this call
    only, as ``torch.func.functional_call``. A tied parameter (one tensor
    under two names) is replaced under both (``tie_weights``); ``strict``
    asks for every parameter and buffer and no other name; without it,
    another name sets that attribute of its module for the call."""
    if not callable(getattr(module, "named_parameters", None)):
        raise TypeError(f"functional_call: module must be a Module, got {type(module).__name__}")
    if isinstance(parameter_and_buffer_dicts, Mapping):
        given = dict(parameter_and_buffer_dicts)
    else:
        dicts = parameter_and_buffer_dicts
        if not isinstance(dicts, (list, tuple)) or not all(isinstance(d, Mapping) for d in dicts):
            raise TypeError(
                "functional_call: parameter_and_buffer_dicts must be a dict of tensors or a "
                f"tuple of them, got {type(dicts).__name__}"
            )
        given = {}
        for d in dicts:
            overlap = given.keys() & d.keys()
            if overlap:
                raise ArgumentError(
                    f"functional_call: {sorted(overlap)} given in more than one dict"
                )
            given.update(d)
    modules = dict(module.named_modules(remove_duplicate=False))
    slots: dict[str, tuple[Any, str, str]] = {}  # name -> (owner, table, attribute)
    for prefix, owner in modules.items():
        for table in ("_parameters", "_buffers"):
            for attribute in getattr(owner, table, {}):
                slots[f"{prefix}.{attribute}" if prefix else attribute] = (owner, table, attribute)
    unknown = sorted(set(given) - set(slots))
    missing = sorted(set(slots) - set(given))
    if strict and (unknown or missing):
        raise ArgumentError(
            f"functional_call: strict=True, and missing keys {missing}, unexpected keys {unknown}"
        )
    for name in unknown:
        owner = modules.get(name.rpartition(".")[0])
        if owner is None:
            raise ArgumentError(f"functional_call: the module has no submodule for {name!r}")
        slots[name] = (owner, "", name.rpartition(".")[2])
    replaced = {name: given[name] for name in slots if name in given}
    if tie_weights:
        # Every name of one tensor (a tied weight) takes its new value; two
        # values for it are refused, as torch does.
        tied: dict[int, str] = {}
        for name, (owner, table, attribute) in slots.items():
            original = getattr(owner, table)[attribute] if table else None
            if original is None:
                continue
            first = tied.setdefault(id(original), name)
            if first != name and given.get(name, given.get(first)) is not given.get(
                first, given.get(name)
            ):
                raise ArgumentError(
                    f"functional_call: {first} and {name} are tied, and got two values "
                    "(pass one, or tie_weights=False)"
                )
            if first != name:
                value = given.get(first, given.get(name))
                if value is not None:
                    replaced[first] = replaced[name] = value
    saved = []
    try:
        for name, value in replaced.items():
            owner, table, attribute = slots[name]
            if not table:  # a name the module does not have: an attribute for the call
                saved.append((owner, attribute, getattr(owner, attribute, _ABSENT)))
                object.__setattr__(owner, attribute, value)
                continue
            entries = getattr(owner, table)
            saved.append((entries, attribute, entries[attribute]))
            entries[attribute] = value
        call_args = args if isinstance(args, tuple) else (() if args is None else (args,))
        return module(*call_args, **(kwargs or {}))
    finally:
        for holder, attribute, original in reversed(saved):
            if isinstance(holder, dict):
                holder[attribute] = original
            elif original is _ABSENT:
                object.__delattr__(holder, attribute)
            else:
                object.__setattr__(holder, attribute, original)


def stack_module_state(models: Sequence[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parameters and buffers of ``models`` (of one class and mode),
    each name's stacked along a new first dim, as
    ``torch.func.stack_module_state``: for ``vmap`` over an ensemble with
    ``functional_call``. Stacked parameters are new leaves that require grad."""
    from ._namespace import stack
    from .nn import Module, ModuleList

    if not isinstance(models, (list, tuple, ModuleList)):
        raise TypeError(
            f"stack_module_state: expected a list of modules, got {type(models).__name__}"
        )
    models = list(models)
    for model in models:
        if not isinstance(model, Module):
            raise TypeError(f"stack_module_state: expected modules, got {type(model).__name__}")
    if not models:
        raise _flodl.ArgumentError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) != 1:
        raise _flodl.ArgumentError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if len({type(m) for m in models}) != 1:
        raise _flodl.ArgumentError(
            "stack_module_state: Expected all models to be of the same class."
        )

    def stacked(tensors: tuple[Any, ...], name: str) -> Any:
        flags = {bool(t.requires_grad) for t in tensors}
        if len(flags) != 1:
            raise _flodl.ArgumentError(
                f"stack_module_state: Expected {name} from each model to have the same "
                ".requires_grad"
            )
        result = stack(list(tensors))
        return Variable(result.detach(), True) if flags == {True} else result

    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return (
        {k: stacked(tuple(p[k] for p in params), k) for k in params[0]},
        {k: stacked(tuple(b[k] for b in buffers), k) for k in buffers[0]},
    )
