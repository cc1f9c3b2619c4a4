"""``Optimizer``: the base class of flodl's optimizers, with torch.optim's
parameter groups, per-parameter state and ``state_dict`` layout.

The arithmetic is Rust's ``flodl::optim``, the same code Rust programs run:
a step, the checks of the options, the state a parameter starts with and
the checks of a loaded state dict are each one call into it. A subclass
only names its optimizer and declares torch's signature.
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Callable

from .. import _flodl
from .._flodl import ArgumentError, Tensor, Variable
from .._grad_mode import enable_grad
from ..nn.module import _HookHandle

__all__ = [
    "Optimizer",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
    "required",
]


def _placed(param: Variable, value: Any, step: bool) -> Any:
    """A loaded state value for ``param``, as torch's generic load makes it:
    its tensors placed by Rust, containers (dicts, lists, tuples, deques,
    ...) item by item, anything else as it is."""
    if isinstance(value, Tensor):
        return _flodl._optim_place(param, value, step)
    if isinstance(value, dict):
        return {k: _placed(param, v, step) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return type(value)(_placed(param, v, step) for v in value)
    return value


class _Required:
    """The default of a hyperparameter that every group must set itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()


# Step hooks of every optimizer (torch's globals), by handle id.
_global_step_pre_hooks: dict[int, Callable[..., Any]] = {}
_global_step_post_hooks: dict[int, Callable[..., Any]] = {}


def _add_hook(table: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> _HookHandle:
    handle = _HookHandle(table)
    table[handle.id] = hook
    return handle


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> _HookHandle:
    """``hook(optimizer, args, kwargs)`` before every optimizer's step; it
    may return ``(new_args, new_kwargs)``. Returns a removable handle."""
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> _HookHandle:
    """``hook(optimizer, args, kwargs)`` after every optimizer's step."""
    return _add_hook(_global_step_post_hooks, hook)


def _with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` running the step hooks around it, as torch's: the global
    pre-hooks, then the optimizer's own; after the step its own post-hooks,
    then the global ones. A step that calls ``super().step()`` runs them once."""

    @functools.wraps(step)
    def hooked(*args: Any, **kwargs: Any) -> Any:
        # As torch's, the hooks see the step's arguments with the optimizer first.
        self = args[0]
        if self.__dict__.get("_in_step_hooks"):
            return step(*args, **kwargs)
        own_pre = self.__dict__.get("_optimizer_step_pre_hooks", {})
        for hook in (*_global_step_pre_hooks.values(), *own_pre.values()):
            result = hook(self, args, kwargs)
            if result is None:
                continue
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(
                    f"{hook} must return None or a tuple of (new_args, new_kwargs), got {result}"
                )
            args, kwargs = result
        self.__dict__["_in_step_hooks"] = True
        self.__dict__["_opt_called"] = True  # read by the schedulers' order check
        try:
            out = step(*args, **kwargs)
        finally:
            self.__dict__["_in_step_hooks"] = False
        own_post = self.__dict__.get("_optimizer_step_post_hooks", {})
        for hook in (*own_post.values(), *_global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    return hooked


class Optimizer:
    """Base class of the optimizers: ``param_groups`` (dicts of ``'params'``
    and hyperparameters), ``state`` (per parameter, keyed by the Variable),
    ``step``, ``zero_grad``, ``state_dict`` / ``load_state_dict``, as
    ``torch.optim.Optimizer``. A subclass sets ``_name``, the name of its
    Rust optimizer; a subclass of one's own that sets none (a Lion, a SAM,
    as written for torch) writes its ``step`` in Python, on the groups and
    state this class keeps."""

    _name: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # a step of its own runs the hooks too
            cls.step = _with_step_hooks(cls.__dict__["step"])  # type: ignore[method-assign]

    #: torch's order of the ``defaults`` entries (names split by spaces),
    #: where it is not the order of the subclass's signature (torch prints
    #: and saves groups in it).
    _order: str = ""

    def __init__(
        self, params: Iterable[Variable] | Iterable[dict[str, Any]], defaults: dict[str, Any]
    ):
        if defaults.get("differentiable"):
            self._fail("differentiable=True is not supported")
        if self._name:
            _flodl._optim_check(self._name, defaults)
        self.defaults = defaults
        self.state: defaultdict[Variable, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._optimizer_step_pre_hooks: dict[int, Callable[..., Any]] = {}
        self._optimizer_step_post_hooks: dict[int, Callable[..., Any]] = {}
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

    @classmethod
    def _defaults_of(cls, arguments: dict[str, Any]) -> dict[str, Any]:
        """The ``defaults`` dict of a subclass's ``__init__`` arguments (its
        ``locals()``): every argument but ``params``, in torch's order. The
        signature is the one declaration of the options' torch defaults
        (a test checks them against Rust's)."""
        options = {
            name: value
            for name, value in arguments.items()
            if name not in ("self", "params", "__class__")
        }
        return {name: options[name] for name in cls._order.split()} if cls._order else options

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
        if self._name:
            _flodl._optim_check(self._name, group)
        self.param_groups.append(group)
        if self._name:
            _flodl._optim_init_state(self._name, [group], self.state)

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

    @property
    def _step_supports_amp_scaling(self) -> bool:
        """Whether the step runs a fused kernel, which takes GradScaler's
        ``grad_scale`` and ``found_inf`` (set as attributes for one step)."""
        return bool(self._name) and _flodl._optim_folds_scaling(self._name)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure``,
        when given, is evaluated first (with grad enabled) and its loss returned."""
        if not self._name:
            raise NotImplementedError(
                f"{type(self).__name__}: an Optimizer subclass of one's own defines step()"
            )
        loss = self._eval_closure(closure)
        _flodl._optim_step(
            self._name,
            self.param_groups,
            self.state,
            getattr(self, "grad_scale", None),
            getattr(self, "found_inf", None),
        )
        return loss

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(optimizer, args, kwargs)`` before each step of this
        optimizer; it may return ``(new_args, new_kwargs)``."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(optimizer, args, kwargs)`` after each step of this optimizer."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    @staticmethod
    def _eval_closure(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

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
        """Loads a ``state_dict()`` (of this optimizer, another of the same
        shape, or Rust's ``flodl::optim`` through ``flodl.load``): the
        hyperparameters and the state, each state tensor checked against its
        parameter and copied onto its device and dtype. Every problem is in
        one ArgumentError, and then nothing changes."""
        if not isinstance(state_dict, dict):
            self._fail(
                "load_state_dict: expected a dict with 'state' and 'param_groups', "
                f"got {type(state_dict).__name__}"
            )
        if not self._name:  # torch's generic load, for a subclass of one's own
            states = self._generic_states(state_dict)
            options = [{} for _ in self.param_groups]
        else:
            options, states = _flodl._optim_read_state_dict(
                self._name, self.param_groups, state_dict
            )
        new_groups = []
        for group, saved, checked in zip(self.param_groups, state_dict["param_groups"], options):
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new_group.update(checked)
            # An older checkpoint may lack a newer option (as torch's
            # __setstate__, the default fills it).
            for name, default in self.defaults.items():
                if name not in new_group and default is not required:
                    new_group[name] = default
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            new_groups.append(new_group)
        state: defaultdict[Variable, dict[str, Any]] = defaultdict(dict)
        for g, i, values in states:
            state[self.param_groups[g]["params"][i]] = values
        self.state = state
        self.param_groups = new_groups

    def _generic_states(self, state_dict: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
        """The saved state of a subclass of one's own, as torch's generic
        load takes it: Rust checks the groups and places each state tensor
        on its parameter; containers are copied item by item, any other
        value (a number, an object of one's own) is kept as it is."""
        groups, state = state_dict.get("param_groups"), state_dict.get("state")
        skeleton = {
            "param_groups": [
                {"params": list(g.get("params", ()))} if isinstance(g, dict) else g for g in groups
            ]
            if isinstance(groups, list)
            else groups,
            "state": {k: {} for k in state} if isinstance(state, dict) else state,
        }
        places = _flodl._optim_generic_places(type(self).__name__, self.param_groups, skeleton)
        states = []
        for key, g, i in places:
            if key not in state:
                continue
            values = state[key]
            if not isinstance(values, dict):
                self._fail(f"load_state_dict: the state of parameter {key} is not a dict")
            param = self.param_groups[g]["params"][i]
            placed = {name: _placed(param, v, name == "step") for name, v in values.items()}
            states.append((g, i, placed))
        return states

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        # torch's layout: a blank line between groups.
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return text + ")"


Optimizer.step = _with_step_hooks(Optimizer.step)  # type: ignore[method-assign]
