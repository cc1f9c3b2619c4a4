"""``Adam`` and ``AdamW``, as ``torch.optim.Adam`` / ``torch.optim.AdamW``. The update is Rust's ``flodl::optim`` (see
``optimizer.py``); this module declares torch's signature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._flodl import Variable
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad, maximize; ``decoupled_weight_decay=True`` is AdamW)."""

    _name = "Adam"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(params, self._defaults_of(locals()))


class AdamW(Adam):
    """Adam with decoupled weight decay (0.01 by default), as ``torch.optim.AdamW``."""

    _name = "AdamW"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        # AdamW is Adam with decoupled weight decay on (torch's last entry).
        options = self._defaults_of(locals()) | {"decoupled_weight_decay": True}
        Optimizer.__init__(self, params, options)
