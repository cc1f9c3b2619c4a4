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
    _order = "lr rho eps weight_decay maximize capturable foreach differentiable"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-06,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, self._defaults_of(locals()))
