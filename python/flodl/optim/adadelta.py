"""``Adadelta``, as ``torch.optim.Adadelta``. The update is Rust's ``flodl::optim`` (see
``optimizer.py``); this module declares torch's signature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._flodl import Variable
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``."""

    _name = "Adadelta"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-06,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)
