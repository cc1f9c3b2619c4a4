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
    _order = (
        "lr betas eps weight_decay "
        "maximize foreach capturable decoupled_weight_decay differentiable"
    )

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, self._defaults_of(locals()))
