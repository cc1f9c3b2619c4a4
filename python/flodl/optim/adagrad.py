"""``Adagrad``, as ``torch.optim.Adagrad`` (lr_decay, weight decay,
initial accumulator, maximize)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import Tensor, Variable
from .optimizer import Optimizer, _new_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``; its state starts at construction
    (as torch's), and each group is updated by one fused libtorch call."""

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not 0.0 <= lr:
            self._fail(f"invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            self._fail(f"invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            self._fail(f"invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            self._fail(f"invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            self._fail(f"invalid epsilon value: {eps}")
        if differentiable:
            self._fail("differentiable=True is not supported")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Variable, group: dict[str, Any]) -> dict[str, Any]:
        s = self.state[p]
        s["step"] = _new_step(p)
        s["sum"] = Tensor.zeros_like(p.data).fill_(group["initial_accumulator_value"])
        return s

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adagrad update of every parameter with a gradient; returns the
        closure's loss (None without a closure)."""
        loss = self._eval_closure(closure)
        state = self.state
        kernel = _flodl._optim_adagrad
        for group in self.param_groups:
            params, grads = self._with_grads(group["params"])
            if not params:
                continue
            sums: list[Tensor] = []
            steps: list[Tensor] = []
            for p in params:
                s = state[p]
                if not s:  # a parameter of a group added later
                    s = self._init_state(p, group)
                sums.append(s["sum"])
                steps.append(s["step"])
            kernel(
                params,
                grads,
                sums,
                steps,
                lr=group["lr"],
                lr_decay=group["lr_decay"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )
        return loss
