"""``RMSprop``, as ``torch.optim.RMSprop`` (momentum, centered, maximize)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import Tensor, Variable
from .optimizer import Optimizer, _new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``; each group is updated by one fused
    libtorch call."""

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            self._fail(f"invalid learning rate: {lr}")
        if not 0.0 <= eps:
            self._fail(f"invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            self._fail(f"invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            self._fail(f"invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            self._fail(f"invalid alpha value: {alpha}")
        if differentiable:
            self._fail("differentiable=True is not supported")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One RMSprop update of every parameter with a gradient; returns the
        closure's loss (None without a closure)."""
        loss = self._eval_closure(closure)
        state = self.state
        kernel = _flodl._optim_rmsprop
        zeros_like = Tensor.zeros_like
        for group in self.param_groups:
            params, grads = self._with_grads(group["params"])
            if not params:
                continue
            momentum = group["momentum"]
            centered = group["centered"]
            square_avgs: list[Tensor] = []
            grad_avgs: list[Tensor] = []
            momentum_buffers: list[Tensor] = []
            steps: list[Tensor] = []
            for p in params:
                s = state[p]
                if not s:
                    s["step"] = _new_step(p)
                    s["square_avg"] = zeros_like(p.data)
                    if momentum > 0:
                        s["momentum_buffer"] = zeros_like(p.data)
                    if centered:
                        s["grad_avg"] = zeros_like(p.data)
                square_avgs.append(s["square_avg"])
                steps.append(s["step"])
                if momentum > 0:
                    buf = s.get("momentum_buffer")
                    if buf is None:  # momentum switched on later (e.g. by OneCycleLR)
                        buf = s["momentum_buffer"] = zeros_like(p.data)
                    momentum_buffers.append(buf)
                if centered:
                    avg = s.get("grad_avg")
                    if avg is None:
                        avg = s["grad_avg"] = zeros_like(p.data)
                    grad_avgs.append(avg)
            kernel(
                params,
                grads,
                square_avgs,
                grad_avgs,
                momentum_buffers,
                steps,
                lr=group["lr"],
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum=momentum,
                centered=centered,
                maximize=group["maximize"],
            )
        return loss
