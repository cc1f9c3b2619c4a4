"""``LBFGS``, as ``torch.optim.LBFGS``. The step is Rust's
``flodl::optim::lbfgs_step`` (the same code Rust programs run); this module
declares torch's signature and keeps the state dict."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import Variable
from .optimizer import Optimizer

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """L-BFGS (one param group), as ``torch.optim.LBFGS``: ``step(closure)``
    runs up to ``max_iter`` iterations, re-evaluating the loss through the
    closure, with a strong-Wolfe line search if ``line_search_fn`` is
    ``"strong_wolfe"``."""

    _name = "LBFGS"

    def __init__(
        self,
        params: Iterable[Variable] | Iterable[dict[str, Any]],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, self._defaults_of(locals()))

    @property
    def _params(self) -> list[Variable]:
        """The parameters (torch's attribute, which programs read)."""
        return self.param_groups[0]["params"]  # type: ignore[no-any-return]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            self._fail("doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to ``max_iter`` iterations; ``closure`` clears the gradients,
        computes the loss, calls ``backward()`` and returns the loss. Returns
        the first loss."""
        if closure is None:
            self._fail("step needs a closure that re-evaluates the loss")
        group = self.param_groups[0]
        state = self.state[group["params"][0]]
        return _flodl._lbfgs_step(group, state, lambda: self._eval_closure(closure))

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Loads a ``state_dict()`` (this optimizer's, Rust's or torch's)."""
        try:
            (saved_group,) = state_dict["param_groups"]
            saved_state = state_dict["state"]
        except (KeyError, TypeError, ValueError):
            self._fail("load_state_dict: expected a dict with 'state' and one param group")
        group = {k: copy.deepcopy(v) for k, v in saved_group.items() if k != "params"}
        group["params"] = self.param_groups[0]["params"]
        _flodl._optim_check(self._name, group)
        state: defaultdict[Variable, dict[str, Any]] = defaultdict(dict)
        for values in list(saved_state.values())[:1]:
            state[group["params"][0]] = _flodl._lbfgs_state(values)
        self.param_groups = [group]
        self.state = state
