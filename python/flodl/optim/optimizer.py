"""``Optimizer``: the base class of flodl's optimizers, with torch.optim's
parameter groups, per-parameter state and ``state_dict`` layout.

Subclasses gather, per group, the parameters that have a gradient and hand
them to one fused libtorch kernel of the compiled core; nothing here loops
over elements.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import ArgumentError, Tensor, Variable, _is_torch_tensor
from .._grad_mode import enable_grad

__all__ = ["Optimizer", "required"]


class _Required:
    """The default of a hyperparameter that every group must set itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()

# The float32 0-d step counters of Adam, Adagrad and RMSprop, as torch keeps them.
_FLOAT32 = _flodl.DType.Float32


def _new_step(param: Any) -> Tensor:
    """A float32 0-d step counter at zero on ``param``'s device (the fused
    kernels read it there and count it up)."""
    return Tensor.zeros([], dtype=_FLOAT32, device=param.device)


class Optimizer:
    """Base class of the optimizers: ``param_groups`` (dicts of ``'params'``
    and hyperparameters), ``state`` (per parameter, keyed by the Variable),
    ``step``, ``zero_grad``, ``state_dict`` / ``load_state_dict``, as
    ``torch.optim.Optimizer``."""

    def __init__(
        self, params: Iterable[Variable] | Iterable[dict[str, Any]], defaults: dict[str, Any]
    ):
        self.defaults = defaults
        self.state: defaultdict[Variable, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, (Variable, Tensor)):
            self._fail(
                "params must be an iterable of Variables or of dicts, "
                f"got a single {type(params).__name__}"
            )
        if isinstance(params, dict):
            self._fail("params must be an iterable of Variables or of dicts, got one dict")
        try:
            groups = list(params)
        except TypeError:
            self._fail(
                f"params must be an iterable of Variables or of dicts, got {type(params).__name__}"
            )
        if not groups:
            self._fail("got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- errors

    def _fail(self, message: str) -> Any:
        """Raises ArgumentError with ``message``, naming this optimizer."""
        raise ArgumentError(f"{type(self).__name__}: {message}")

    # ------------------------------------------------------------ the groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters, with its own hyperparameters; those it
        does not set take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            self._fail(f"a param group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            self._fail("a param group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Variable):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            self._fail("parameters must be an ordered collection (a list), not a set")
        else:
            try:
                params = list(params)
            except TypeError:
                self._fail(
                    f"a group's 'params' must be an iterable of Variables, got "
                    f"{type(params).__name__}"
                )
        if not params:
            self._fail("got an empty parameter list")
        names = None
        if isinstance(params[0], tuple):
            # (name, parameter) pairs, as named_parameters() gives.
            if not all(isinstance(p, tuple) and len(p) == 2 for p in params):
                self._fail("all params of a group must be named (name, Variable) pairs, or none")
            names = [name for name, _ in params]
            params = [p for _, p in params]
        seen: set[int] = set()
        for p in params:
            if not isinstance(p, Variable):
                self._fail(
                    f"can only optimize Variables, but one of the params is a {type(p).__name__}"
                )
            if not p.is_leaf:
                self._fail("can't optimize a non-leaf Variable")
            if id(p) in seen:
                self._fail("a parameter appears twice in one parameter group")
            seen.add(id(p))
        for group in self.param_groups:
            if ("param_names" in group) != (names is not None):
                self._fail("all param groups must be with names, or all without")
            if any(id(p) in seen for p in group["params"]):
                self._fail("some parameters appear in more than one parameter group")
        group = dict(param_group)
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        for name, default in self.defaults.items():
            if name not in group:
                if default is required:
                    self._fail(f"a parameter group didn't specify the required value of {name!r}")
                group[name] = default
        self.param_groups.append(group)

    # ----------------------------------------------------------------- steps

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets the gradients: to None (by default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g is not None:
                        g.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure``,
        when given, is evaluated first (with grad enabled) and its loss returned."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    @staticmethod
    def _with_grads(params: list[Variable]) -> tuple[list[Variable], list[Tensor]]:
        """The parameters that have a gradient, and those gradients."""
        with_grad: list[Variable] = []
        grads: list[Tensor] = []
        for p in params:
            g = p.grad
            if g is not None:
                with_grad.append(p)
                grads.append(g)
        return with_grad, grads

    # ------------------------------------------------------------ state dicts

    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``,
        the parameters numbered in group order, as torch's. The state's
        tensors are this optimizer's own (as torch's: save or copy them)."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                ids.append(index.setdefault(id(p), len(index)))
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            key = index.get(id(p))
            state[p if key is None else key] = dict(values)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Loads a ``state_dict()`` (of this or another optimizer of the same
        shape): hyperparameters and state are copied, state tensors cast to
        their parameter's dtype and device (the step counters kept as they are)."""
        try:
            saved_groups = state_dict["param_groups"]
            saved_state = state_dict["state"]
        except (KeyError, TypeError):
            self._fail("load_state_dict: expected a dict with 'state' and 'param_groups'")
        if len(saved_groups) != len(self.param_groups):
            self._fail(
                f"load_state_dict: the state dict has {len(saved_groups)} parameter groups, "
                f"the optimizer {len(self.param_groups)}"
            )
        by_index: dict[Any, Variable] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                self._fail(
                    f"load_state_dict: parameter group {i} has {len(saved['params'])} "
                    f"parameters in the state dict, {len(group['params'])} in the optimizer"
                )
            by_index.update(zip(saved["params"], group["params"]))

        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, values in saved_state.items():
            param = by_index.get(key)
            if not isinstance(values, dict):
                self._fail(
                    f"load_state_dict: the state of parameter {key} must be a dict, "
                    f"got {type(values).__name__}"
                )
            if param is None:
                state[key] = copy.deepcopy(values)
            else:
                self._check_state_values(key, param, values)
                state[param] = {k: _cast_state(param, k, v) for k, v in values.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            # An older checkpoint may lack a newer option (as torch's
            # __setstate__, the default fills it).
            for name, default in self.defaults.items():
                if name not in new_group and default is not required:
                    new_group[name] = default
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            new_groups.append(new_group)
        self.state = state
        self.param_groups = new_groups

    def _check_state_values(self, key: Any, param: Variable, values: dict[str, Any]) -> None:
        """The kernels trust the state's shapes: a loaded buffer must be shaped
        like its parameter, and a step counter one number."""
        shape = list(param.shape)
        for name, value in values.items():
            if _is_torch_tensor(value):
                raise TypeError(
                    f"{type(self).__name__}: load_state_dict: state {name!r} of parameter "
                    f"{key} is a torch tensor, not a flodl Tensor; convert it with "
                    "flodl.Tensor.from_torch(t)"
                )
            if name == "step":
                if isinstance(value, bool) or not isinstance(value, (int, float, Tensor)):
                    raise TypeError(
                        f"{type(self).__name__}: load_state_dict: state 'step' of parameter "
                        f"{key} must be a number or a Tensor, got {type(value).__name__}"
                    )
                if isinstance(value, Tensor) and value.numel() != 1:
                    self._fail(
                        f"load_state_dict: state 'step' of parameter {key} has shape "
                        f"{list(value.shape)}, not one number"
                    )
            elif isinstance(value, Tensor) and list(value.shape) != shape:
                self._fail(
                    f"load_state_dict: state {name!r} of parameter {key} has shape "
                    f"{list(value.shape)}, the parameter {shape}"
                )

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        lines.append(")")
        return "\n".join(lines)


def _cast_state(param: Variable, key: str, value: Any) -> Any:
    """A copy of a loaded state value: tensors copied onto the parameter's
    device (and dtype, if a float parameter), except the step counter's dtype."""
    if key == "step":
        # Kept as flodl keeps it (a float32 0-d tensor on the parameter's
        # device): an old checkpoint's int, or a float64 tensor, loads too.
        if isinstance(value, Tensor):
            return value.to(device=param.device, dtype=_FLOAT32).reshape([]).copy()
        return Tensor.full([], float(value), dtype=_FLOAT32, device=param.device)
    if isinstance(value, Tensor):
        if param.dtype.is_floating_point:
            return value.to(device=param.device, dtype=param.dtype).copy()
        return value.to(device=param.device).copy()
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    return copy.deepcopy(value)
