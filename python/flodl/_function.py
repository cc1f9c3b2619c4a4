"""``flodl.autograd.Function``: a differentiable function with a hand-written
backward, as ``torch.autograd.Function``. Its node is a node of libtorch's
graph (made by the Rust core), not a Python-side tape, so it mixes with
built-in ops, hooks, ``retain_graph``, ``autograd.grad`` and
``create_graph``."""

from __future__ import annotations

import functools
import inspect
import weakref
from typing import Any, Callable

from . import _flodl
from ._flodl import AutogradError, Tensor, Variable
from ._grad_mode import no_grad

__all__ = ["Function", "FunctionCtx", "checkpoint", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` leaves for ``backward`` (the ``ctx`` argument)."""

    def __init__(self, name: str, needs_input_grad: tuple[bool, ...]) -> None:
        self._name = name
        self._saved: tuple[Any, ...] = ()
        # Each saved tensor's version when forward returned (None for None):
        # backward refuses one changed in place since, as PyTorch does.
        self._versions: tuple[int | None, ...] = ()
        # Saved tensors that are outputs of forward, by position: weak
        # references to the outputs apply returns, whose graph runs through
        # this node (a strong one would keep node and output alive forever).
        self._saved_outputs: dict[int, weakref.ref[Variable]] = {}
        self._released = False
        self._non_differentiable: list[Any] = []
        self._dirty: list[Any] = []
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keeps ``tensors`` (Variables, Tensors or None) for backward."""
        for t in tensors:
            if t is not None and not isinstance(t, (Tensor, Variable)):
                raise TypeError(
                    f"{self._name}: save_for_backward takes Tensors, Variables or None, "
                    f"got {type(t).__name__}"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept. An output of ``forward`` comes back
        as the output ``apply`` returned, with its graph (through this
        Function), so that a double backward differentiates through it."""
        if self._released:
            raise AutogradError(
                f"{self._name}: its saved tensors were freed by an earlier backward; "
                "pass retain_graph=True to the first one"
            )
        for i, (t, version) in enumerate(zip(self._saved, self._versions)):
            if version is not None and t._version != version:
                raise AutogradError(
                    f"{self._name}: saved_tensors[{i}] (shape {list(t.shape)}) was modified by "
                    f"an in-place operation after forward saved it: it is at version "
                    f"{t._version}, expected {version}; save a clone, or change a copy"
                )
        if not self._saved_outputs:
            return self._saved
        saved = list(self._saved)
        for i, output in self._saved_outputs.items():
            alive = output()
            if alive is not None:
                saved[i] = alive
            elif _flodl.is_grad_enabled():
                raise AutogradError(
                    f"{self._name}: a double backward through a saved output of forward needs "
                    "that output still referenced (keep the result of apply in a variable); "
                    "flodl cannot rebuild its graph once it is gone"
                )
        return tuple(saved)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """These outputs of forward get no gradient (indices, masks)."""
        self._non_differentiable.extend(outputs)

    def mark_dirty(self, *tensors: Any) -> None:
        """These inputs were changed in place by forward (and are returned
        as outputs): each takes this Function as its history, as PyTorch's."""
        self._dirty.extend(tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None for an output that did not reach
        the loss instead of zeros."""
        self.materialize_grads = value

    def _release(self) -> None:
        self._saved = ()
        self._released = True


class Function:
    """Subclass with static ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)``; call ``MyFunction.apply(*args)``. Or,
    as PyTorch 2 writes it, ``forward(*args)`` without ctx and
    ``setup_context(ctx, inputs, output)`` saving what backward needs.

    ``forward`` runs without recording a graph and may take any arguments;
    ``backward`` gets one gradient per output of ``forward`` and returns one
    per argument of ``forward`` (None for an argument that is not a Variable
    or needs no gradient)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines backward(ctx, ...)")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        """Overridden (PyTorch 2's style): ``forward(*args)`` takes no ctx,
        and this fills ctx from the arguments and the output."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        name = cls.__name__
        separate = cls.setup_context is not Function.setup_context
        given = len(args) + len(kwargs)  # gradients backward may return
        if separate:
            # setup_context sees every argument of forward, defaults too,
            # as PyTorch binds them; from here on they are positional.
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, {}
        inputs = [i for i, a in enumerate(args) if isinstance(a, Variable)]
        needs = [False] * len(args)
        for i in inputs:
            needs[i] = args[i].requires_grad
        ctx = FunctionCtx(name, tuple(needs))
        previous = _flodl.set_grad_enabled(False)
        try:
            if separate:  # forward(*args), then setup_context(ctx, args, output)
                result = cls.forward(*args)
                cls.setup_context(ctx, args, result)
            else:
                result = cls.forward(ctx, *args, **kwargs)
        finally:
            _flodl.set_grad_enabled(previous)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        slots = [i for i, o in enumerate(outputs) if isinstance(o, (Tensor, Variable))]
        if not slots:
            return result
        made = [outputs[i] for i in slots]
        if ctx._non_differentiable:
            marked = {id(o) for o in ctx._non_differentiable}
            differentiable = [id(o) not in marked for o in made]
        else:
            differentiable = [True] * len(made)
        dirty = [False] * len(made)
        if ctx._dirty:
            returned = {id(o): k for k, o in enumerate(made)}
            for t in ctx._dirty:
                if not isinstance(t, Variable):
                    raise AutogradError(
                        f"{name}: mark_dirty takes Variables (a Tensor records no history)"
                    )
                if id(t) not in returned or not any(t is a for a in args):
                    raise AutogradError(
                        f"{name}: mark_dirty takes inputs that forward changed in place "
                        "and returns as outputs"
                    )
                dirty[returned[id(t)]] = True
        # The node keeps what backward needs, not the outputs or arguments
        # themselves (their memory goes when the user drops them).
        n_args, n_outputs = len(args), len(outputs)
        # Every argument a Variable that requires grad: the gradients go
        # through as returned.
        direct = len(inputs) == n_args and all(needs)
        kinds = [type(a).__name__ for a in args]
        tensors = {i for i, a in enumerate(args) if isinstance(a, (Tensor, Variable))}
        backward_of = cls.backward

        def backward(grads: list[Variable | None]) -> list[Any]:
            if n_outputs == 1:
                got = backward_of(ctx, grads[0])
            else:
                full: list[Any] = [None] * n_outputs
                for i, g in zip(slots, grads):
                    full[i] = g
                got = backward_of(ctx, *full)
            got = got if isinstance(got, tuple) else (got,)
            if len(got) != n_args:
                # As PyTorch: extra trailing Nones are allowed.
                while len(got) > n_args and got[-1] is None:
                    got = got[:-1]
                if given <= len(got) < n_args:  # none for defaults not passed
                    got = got + (None,) * (n_args - len(got))
                if len(got) != n_args:
                    raise AutogradError(
                        f"{name}: backward returned {len(got)} gradients, expected {n_args} "
                        "(one per argument of forward)"
                    )
            if direct:
                return got
            for i, g in enumerate(got):
                if g is None:
                    continue
                if not isinstance(g, (Tensor, Variable)):
                    raise AutogradError(
                        f"{name}: backward returned a {type(g).__name__} for argument {i}, "
                        "where a gradient (a Tensor, Variable or None) goes"
                    )
                if i not in tensors:
                    raise AutogradError(
                        f"{name}: backward returned a gradient for argument {i}, "
                        f"which is a {kinds[i]}, not a tensor"
                    )
            # As PyTorch: a gradient for a tensor that needs none (a plain
            # Tensor, a Variable without requires_grad) is ignored.
            return [got[i] if needs[i] else None for i in inputs]

        wrapped = _flodl._function_apply(
            name,
            [args[i] for i in inputs],
            made,
            [2 if changed else int(d) for d, changed in zip(differentiable, dirty)],
            ctx.materialize_grads,
            backward,
            ctx._release,
        )
        # A dirty output is its input itself, now with this node's history.
        wrapped = [o if changed else w for o, w, changed in zip(made, wrapped, dirty)]
        ctx._versions = tuple(
            t._version if isinstance(t, (Tensor, Variable)) else None for t in ctx._saved
        )
        if ctx._saved:
            position = {id(o): k for k, o in enumerate(made)}
            ctx._saved_outputs = {
                i: weakref.ref(wrapped[position[id(s)]])
                for i, s in enumerate(ctx._saved)
                if id(s) in position and isinstance(wrapped[position[id(s)]], Variable)
            }
        if single:
            return wrapped[0]
        results = list(outputs)
        for i, w in zip(slots, wrapped):
            results[i] = w
        return tuple(results)


def _layout(result: Any) -> tuple[bool, tuple[Any, ...]]:
    """A function's result as checkpoint compares forward and recomputation:
    tuple or not, and each output's shape (a type name for a non-tensor)."""
    outputs = result if isinstance(result, tuple) else (result,)
    return isinstance(result, tuple), tuple(
        list(o.shape) if isinstance(o, (Tensor, Variable)) else type(o).__name__ for o in outputs
    )


def _describe(layout: tuple[bool, tuple[Any, ...]]) -> str:
    is_tuple, outputs = layout
    items = ", ".join(str(o) for o in outputs)
    if not is_tuple:
        return f"one output {items}"
    return f"a tuple of {len(outputs)} output{'' if len(outputs) == 1 else 's'} ({items})"


def checkpoint(function: Any, *args: Any, preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` without keeping its intermediate values:
    backward runs it again (with the CPU random generator as it was, so
    dropout and other random ops replay the same numbers) and runs backward
    through it, so its inputs and the parameters it uses get the same
    gradients as without checkpointing, with less memory."""
    if not isinstance(preserve_rng_state, bool):
        raise TypeError(
            f"checkpoint: preserve_rng_state is a bool, got {type(preserve_rng_state).__name__}"
        )
    # Tensor keyword arguments go with the positional ones, so that they
    # are the node's inputs (and get gradients); the call gets them back by
    # name.
    tensor_keys = tuple(k for k, v in kwargs.items() if isinstance(v, (Tensor, Variable)))
    constant_kwargs = {k: v for k, v in kwargs.items() if k not in tensor_keys}
    items = [*args, *(kwargs[k] for k in tensor_keys)]
    slots = [i for i, a in enumerate(items) if isinstance(a, (Tensor, Variable))]
    # A plain Tensor goes through the Rust core as a Variable that needs no
    # grad and reaches the function as a Tensor again.
    plain_inputs = {i for i in slots if not isinstance(items[i], Variable)}
    inputs = [Variable(items[i]) if i in plain_inputs else items[i] for i in slots]
    # What `run` keeps: the constants, not the tensors (the Rust node holds
    # those, and frees them after backward).
    template = [
        None if i in plain_inputs or isinstance(a, Variable) else a for i, a in enumerate(items)
    ]
    del items
    first: dict[str, Any] = {}

    def run(variables: list[Variable]) -> list[Variable]:
        call = list(template)
        for i, v in zip(slots, variables):
            call[i] = v.data if i in plain_inputs else v
        n = len(tensor_keys)
        positional = call[: len(call) - n]
        keywords = {**constant_kwargs, **dict(zip(tensor_keys, call[len(call) - n :]))}
        result = function(*positional, **keywords)
        layout = _layout(result)
        if not first:
            first.update(result=result, layout=layout)
        elif layout != first["layout"]:
            raise AutogradError(
                "checkpoint: the function returned "
                f"{_describe(layout)} when recomputed in backward, but "
                f"{_describe(first['layout'])} in forward; it must compute the same outputs "
                "both times"
            )
        outputs = result if isinstance(result, tuple) else (result,)
        return [o for o in outputs if isinstance(o, Variable)]

    made = iter(_flodl._checkpoint(run, inputs, preserve_rng_state))
    result = first.pop("result")
    # The node's outputs take the Variables' places; a plain Tensor (no
    # function of anything that needs grad) and any other value stay as the
    # function returned them, so a backward through a Tensor fails as in
    # PyTorch instead of leaving the gradients None.
    outputs = result if isinstance(result, tuple) else (result,)
    placed = tuple(next(made) if isinstance(o, Variable) else o for o in outputs)
    return placed if isinstance(result, tuple) else placed[0]


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """A custom Function's ``backward`` that is differentiated once, as
    ``torch.autograd.function.once_differentiable``: it runs without
    recording, so its results are the gradients and nothing more. (A second
    derivative through it, which torch refuses, sees them as constants.)"""

    @functools.wraps(backward)
    def run_once(ctx: Any, *grad_outputs: Any) -> Any:
        with no_grad():
            return backward(ctx, *grad_outputs)

    return run_once
