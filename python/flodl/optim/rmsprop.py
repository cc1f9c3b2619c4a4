"""``RMSprop``, as ``torch.optim.RMSprop``. The update is Rust's ``flodl::optim`` (see
``optimizer.py``); this module declares torch's signature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._flodl import Variable
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (centered, momentum), as ``torch.optim.RMSprop``."""

    _name = "RMSprop"
    _order = (
        "lr momentum alpha eps centered weight_decay capturable foreach maximize differentiable"
    )

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-08,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, self._defaults_of(locals()))
