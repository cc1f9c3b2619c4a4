"""Module backward hooks, as PyTorch's ``register_full_backward_hook`` and
``register_full_backward_pre_hook``: a call's tensor inputs and outputs pass
through identity Functions whose backwards see the gradients, so that the
hooks run in the backward pass with the gradients of the call's inputs and
outputs (and may replace them)."""

from __future__ import annotations

from typing import Any

from .._flodl import Tensor, Variable
from .._function import Function


def _tracked(x: Any) -> bool:
    return isinstance(x, Variable) and x.requires_grad


class _Call:
    """One forward call's part in the backward: the module, how many tensor
    inputs it had, and the gradients of its outputs once they arrive."""

    def __init__(self, module: Any, tensor_inputs: int, inputs_tracked: bool) -> None:
        self.module = module
        self.tensor_inputs = tensor_inputs
        self.inputs_tracked = inputs_tracked
        self.grad_output: tuple = ()

    def output_grads(self, grads: tuple) -> tuple:
        """The pre hooks on the output gradients; with no input to wait for,
        the hooks too (their ``grad_input`` all None, as PyTorch's)."""
        for hook in list(self.module._backward_pre_hooks.values()):
            replaced = hook(self.module, grads)
            if replaced is not None:
                grads = tuple(replaced) if isinstance(replaced, (tuple, list)) else (replaced,)
        self.grad_output = grads
        if not self.inputs_tracked:
            self.input_grads((None,) * self.tensor_inputs)
        return grads

    def input_grads(self, grads: tuple) -> tuple:
        """The hooks on the input gradients, which they may replace."""
        for hook in list(self.module._backward_hooks.values()):
            replaced = hook(self.module, grads, self.grad_output)
            if replaced is not None:
                grads = tuple(replaced) if isinstance(replaced, (tuple, list)) else (replaced,)
        return grads


class _SeeOutputGrads(Function):
    @staticmethod
    def forward(ctx: Any, call: _Call, *outputs: Any) -> Any:
        ctx.call = call
        views = tuple(o.view_as(o) for o in outputs)
        return views if len(views) > 1 else views[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, *ctx.call.output_grads(grads))


class _SeeInputGrads(Function):
    @staticmethod
    def forward(ctx: Any, call: _Call, positions: tuple, *inputs: Any) -> Any:
        ctx.call, ctx.positions = call, positions
        views = tuple(i.view_as(i) for i in inputs)
        return views if len(views) > 1 else views[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        call, positions = ctx.call, ctx.positions
        full = [None] * call.tensor_inputs
        for position, grad in zip(positions, grads):
            full[position] = grad
        full = call.input_grads(tuple(full))
        return (None, None, *(full[p] for p in positions))


# Both identities show as PyTorch's hook node does: BackwardHookFunctionBackward.
_SeeOutputGrads.__name__ = _SeeInputGrads.__name__ = "BackwardHookFunction"


def watch_inputs(module: Any, args: tuple) -> tuple[_Call, tuple]:
    """``args`` with their tracked tensors passed through the input
    identity, and the call's record."""
    tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    tracked = [k for k, i in enumerate(tensor_at) if _tracked(args[i])]
    call = _Call(module, len(tensor_at), bool(tracked))
    if not tracked:
        return call, args
    views = _SeeInputGrads.apply(call, tuple(tracked), *(args[tensor_at[k]] for k in tracked))
    views = views if isinstance(views, tuple) else (views,)
    args = list(args)
    for k, view in zip(tracked, views):
        args[tensor_at[k]] = view
    return call, tuple(args)


def watch_outputs(call: _Call, output: Any) -> Any:
    """``output`` (a tensor or a tuple of them) through the output identity."""
    outputs = output if isinstance(output, tuple) else (output,)
    tracked = [i for i, o in enumerate(outputs) if _tracked(o)]
    if not tracked:
        return output
    views = _SeeOutputGrads.apply(call, *(outputs[i] for i in tracked))
    views = views if isinstance(views, tuple) else (views,)
    result = list(outputs)
    for i, view in zip(tracked, views):
        result[i] = view
    return tuple(result) if isinstance(output, tuple) else result[0]
