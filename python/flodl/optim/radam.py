"""``RAdam``, as ``torch.optim.RAdam``. The update is Rust's ``flodl::optim`` (see
``optimizer.py``); this module declares torch's signature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._flodl import Variable
from .optimizer import Optimizer

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (rectified Adam), as ``torch.optim.RAdam``."""

    _name = "RAdam"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)
