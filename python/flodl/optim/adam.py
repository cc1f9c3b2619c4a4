"""``Adam`` and ``AdamW``, as ``torch.optim.Adam`` / ``torch.optim.AdamW``
(amsgrad, maximize, L2 or decoupled weight decay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import Tensor, Variable
from .optimizer import Optimizer, _new_step

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``; ``decoupled_weight_decay=True`` is AdamW.
    Each group is updated by one fused libtorch call."""

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            self._fail(f"invalid learning rate: {lr}")
        if not 0.0 <= eps:
            self._fail(f"invalid epsilon value: {eps}")
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            self._fail(f"betas must be a pair of floats, got {betas!r}")
        if not 0.0 <= beta1 < 1.0:
            self._fail(f"invalid beta parameter at index 0: {beta1} (must be in [0, 1))")
        if not 0.0 <= beta2 < 1.0:
            self._fail(f"invalid beta parameter at index 1: {beta2} (must be in [0, 1))")
        if not 0.0 <= weight_decay:
            self._fail(f"invalid weight_decay value: {weight_decay}")
        if differentiable:
            self._fail("differentiable=True is not supported")
        defaults = {
            "lr": lr,
            "betas": (beta1, beta2),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam update of every parameter with a gradient; returns the
        closure's loss (None without a closure)."""
        loss = self._eval_closure(closure)
        state = self.state
        kernel = _flodl._optim_adam
        zeros_like = Tensor.zeros_like
        for group in self.param_groups:
            params, grads = self._with_grads(group["params"])
            if not params:
                continue
            amsgrad = group["amsgrad"]
            exp_avgs: list[Tensor] = []
            exp_avg_sqs: list[Tensor] = []
            max_exp_avg_sqs: list[Tensor] = []
            steps: list[Tensor] = []
            for p in params:
                s = state[p]
                if not s:
                    data = p.data
                    s["step"] = _new_step(p)
                    s["exp_avg"] = zeros_like(data)
                    s["exp_avg_sq"] = zeros_like(data)
                    if amsgrad:
                        s["max_exp_avg_sq"] = zeros_like(data)
                exp_avgs.append(s["exp_avg"])
                exp_avg_sqs.append(s["exp_avg_sq"])
                steps.append(s["step"])
                if amsgrad:
                    m = s.get("max_exp_avg_sq")
                    if m is None:  # amsgrad switched on after the first step
                        m = s["max_exp_avg_sq"] = zeros_like(p.data)
                    max_exp_avg_sqs.append(m)
            beta1, beta2 = group["betas"]
            kernel(
                params,
                grads,
                exp_avgs,
                exp_avg_sqs,
                max_exp_avg_sqs,
                steps,
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                amsgrad=amsgrad,
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (0.01 by default), as ``torch.optim.AdamW``."""

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
