"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov
momentum and weight decay, as ``torch.optim.SGD``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import Tensor, Variable
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as
    ``torch.optim.SGD``; each group is updated by one fused libtorch call."""

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not 0.0 <= lr:
            self._fail(f"invalid learning rate: {lr}")
        if not 0.0 <= momentum:
            self._fail(f"invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            self._fail(f"invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            self._fail("Nesterov momentum requires a momentum and zero dampening")
        if differentiable:
            self._fail("differentiable=True is not supported")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One SGD update of every parameter with a gradient; returns the
        closure's loss (None without a closure)."""
        loss = self._eval_closure(closure)
        state = self.state
        kernel = _flodl._optim_sgd
        for group in self.param_groups:
            params, grads = self._with_grads(group["params"])
            if not params:
                continue
            momentum = group["momentum"]
            options = {
                "lr": group["lr"],
                "momentum": momentum,
                "dampening": group["dampening"],
                "nesterov": group["nesterov"],
                "weight_decay": group["weight_decay"],
                "maximize": group["maximize"],
            }
            if momentum == 0:
                kernel(params, grads, [], is_first_step=False, **options)
                continue
            buffers: list[Tensor] = []
            new = None  # indices of the parameters whose buffer starts now
            for i, p in enumerate(params):
                s = state[p]
                buf = s.get("momentum_buffer")
                if buf is None:
                    buf = s["momentum_buffer"] = Tensor.zeros_like(p.data)
                    if new is None:
                        new = []
                    new.append(i)
                buffers.append(buf)
            if new is None:
                kernel(params, grads, buffers, is_first_step=False, **options)
            elif len(new) == len(params):
                kernel(params, grads, buffers, is_first_step=True, **options)
            else:
                # Some buffers start this step, others go on: one call each.
                fresh = set(new)
                for first in (False, True):
                    pick = [i for i in range(len(params)) if (i in fresh) == first]
                    kernel(
                        [params[i] for i in pick],
                        [grads[i] for i in pick],
                        [buffers[i] for i in pick],
                        is_first_step=first,
                        **options,
                    )
        return loss
