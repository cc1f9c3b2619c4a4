"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``: each reads and
writes only its optimizer's ``param_groups`` dicts, and gives the same
sequence of rates as torch's (the same recursive formulas). The formulas are
Rust's ``flodl::optim::lr_scheduler`` (the same code Rust programs run): a
class keeps torch's attributes, which are its ``state_dict``, and names the
ones its formula reads in ``_args``."""

from __future__ import annotations

import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Callable

from .. import _flodl
from .._flodl import ArgumentError
from .optimizer import Optimizer

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "_LRScheduler",
]


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """``value`` for each param group: a list of one per group, or one for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ArgumentError(
                f"{name} must have one value per param group: got {len(value)} for {n} groups"
            )
        return list(value)
    return [value] * n


class LRScheduler:
    """Base class: sets each group's ``initial_lr`` (when ``last_epoch`` is -1)
    and takes the first step at construction; ``step()`` advances
    ``last_epoch`` and writes ``get_lr()`` into the groups' ``'lr'``. A
    subclass of its own overrides ``get_lr``."""

    # The Rust schedule this class runs, and the attributes it reads.
    _name = ""
    _args: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ArgumentError(
                f"{type(self).__name__}: expected a flodl Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming a scheduler with last_epoch >= 0"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Counts steps from zero and takes the first."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The rates for the current ``last_epoch`` (computed from the groups'
        present rates where the schedule is recursive)."""
        if not self._name:
            raise NotImplementedError(f"{type(self).__name__} must define get_lr()")
        return self._schedule(closed=False)

    def _closed_form_lr(self) -> list[float]:
        """The rates at ``last_epoch`` by the closed form (where the schedule
        has one), for ``step(epoch)``."""
        return self._schedule(closed=True) if self._name else self.get_lr()

    def _schedule_args(self) -> dict[str, Any]:
        """What the Rust schedule reads: the attributes ``_args`` names."""
        return {name: getattr(self, name) for name in self._args}

    def _schedule(self, closed: bool, functions: Any = None) -> list[float]:
        """The Rust schedule's rates (and momenta, set here) for this step."""
        lrs, momenta = _flodl._lr_schedule(
            self._name,
            self._schedule_args(),
            list(self.base_lrs),
            self._current_lrs(),
            self.last_epoch,
            self._step_count,
            self._is_initial,
            closed,
            functions,
        )
        if momenta is not None:
            for group, momentum in zip(self.optimizer.param_groups, momenta):
                self._set_momentum(group, momentum)
        return lrs

    def _start_momentum_cycle(
        self, refusal: str, base_momentum: Any, max_momentum: Any, last_epoch: int
    ) -> tuple[list[float], list[float]]:
        """For a schedule that cycles the momentum (or Adam's beta1): checks
        the optimizer has one (else ArgumentError ``refusal``) and, at the
        start, sets each group's to its maximum and keeps both ends in the
        group, as torch does. The per-group (lows, highs)."""
        optimizer = self.optimizer
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ArgumentError(refusal)
        self.use_beta1 = "betas" in optimizer.defaults
        lows = _per_group("base_momentum", optimizer, base_momentum)
        highs = _per_group("max_momentum", optimizer, max_momentum)
        if last_epoch == -1:
            for group, high, low in zip(optimizer.param_groups, highs, lows):
                self._set_momentum(group, high)
                group["max_momentum"] = high
                group["base_momentum"] = low
        return lows, highs

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if "betas" in group:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_last_lr(self) -> list[float]:
        """The rates the last ``step()`` set."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advances one epoch (or jumps to ``epoch``, with the closed form
        where the scheduler has one) and sets the groups' rates."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            # torch's warning for the order it changed in 1.1.
            warnings.warn(
                "lr_scheduler.step() was called before optimizer.step(): call optimizer.step() "
                "first, or the schedule's first learning rate is skipped",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        # torch's flag, which a get_lr of one's own may read (and which its
        # state_dict carries): set while step computes the rates.
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._closed_form_lr()
        finally:
            self._get_lr_called_within_step = False
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _current_lrs(self) -> list[float]:
        return [float(group["lr"]) for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer, as torch's."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores the attributes of a ``state_dict()``."""
        self.__dict__.update(state_dict)


class _LRScheduler(LRScheduler):
    """torch's older name of ``LRScheduler``, which many schedulers of
    one's own still subclass."""


class LambdaLR(LRScheduler):
    """``initial_lr * lr_lambda(epoch)``, one function for all groups or one
    each (the factor is the user's function, the formula Rust's)."""

    _name = "LambdaLR"

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(type(self).__name__, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def _schedule(self, closed: bool, functions: Any = None) -> list[float]:
        return super()._schedule(closed, self.lr_lambdas)

    def state_dict(self) -> dict[str, Any]:
        """As the base's, with the lambdas' attributes (None for plain functions)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else dict(f.__dict__) for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", None) or []
        self.__dict__.update(state)
        for f, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                f.__dict__.update(attrs)


def _lambdas(name: str, optimizer: Optimizer, lr_lambda: Any) -> list[Any]:
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n:
            raise ArgumentError(f"{name}: expected {n} lr_lambdas, got {len(lr_lambda)}")
        return list(lr_lambda)
    return [lr_lambda] * n


class MultiplicativeLR(LambdaLR):
    """Multiplies the rate by ``lr_lambda(epoch)`` every epoch after the first."""

    _name = "MultiplicativeLR"


class StepLR(LRScheduler):
    """Multiplies the rate by ``gamma`` every ``step_size`` epochs."""

    _name = "StepLR"
    _args = ("step_size", "gamma")

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)


class MultiStepLR(LRScheduler):
    """Multiplies the rate by ``gamma`` at each milestone epoch (repeated
    milestones multiply again)."""

    _name = "MultiStepLR"
    _args = ("milestones", "gamma")

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)


class ConstantLR(LRScheduler):
    """Multiplies the rate by ``factor`` until epoch ``total_iters``."""

    _name = "ConstantLR"
    _args = ("factor", "total_iters")

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if factor > 1.0 or factor < 0:
            raise ArgumentError("ConstantLR: factor must be in [0, 1]")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)


class LinearLR(LRScheduler):
    """Scales the rate linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs."""

    _name = "LinearLR"
    _args = ("start_factor", "end_factor", "total_iters")

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ArgumentError("LinearLR: start_factor must be in (0, 1]")
        if end_factor > 1.0 or end_factor < 0:
            raise ArgumentError("LinearLR: end_factor must be in [0, 1]")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)


class ExponentialLR(LRScheduler):
    """Multiplies the rate by ``gamma`` every epoch."""

    _name = "ExponentialLR"
    _args = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)


class PolynomialLR(LRScheduler):
    """Decays the rate to zero over ``total_iters`` epochs as
    ``(1 - epoch / total_iters) ** power``."""

    _name = "PolynomialLR"
    _args = ("total_iters", "power")

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial rate to ``eta_min`` over ``T_max``
    epochs (and back up, periodically), by torch's recursive formula."""

    _name = "CosineAnnealingLR"
    _args = ("T_max", "eta_min")

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every ``T_0`` epochs, each period
    ``T_mult`` times the last; ``step(epoch)`` takes fractional epochs."""

    _args = ("T_0", "T_mult", "eta_min", "T_cur", "T_i", "last_epoch")

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(T_0, int) or isinstance(T_0, bool) or T_0 <= 0:
            raise ArgumentError(
                f"CosineAnnealingWarmRestarts: expected a positive integer T_0, got {T_0}"
            )
        if not isinstance(T_mult, int) or isinstance(T_mult, bool) or T_mult < 1:
            raise ArgumentError(
                f"CosineAnnealingWarmRestarts: expected an integer T_mult >= 1, got {T_mult}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def step(self, epoch: float | None = None) -> None:
        """The next epoch, or the (fractional) ``epoch`` given. As torch's,
        it counts no ``_step_count``, and ``T_cur`` stays an int while the
        epochs are ints (a jump past ``T_0`` with ``T_mult > 1`` divides)."""
        args = {name: getattr(self, name) for name in self._args}
        self._get_lr_called_within_step = True
        try:
            self.T_cur, self.T_i, self.last_epoch, lrs = _flodl._warm_restarts_step(
                args, list(self.base_lrs), epoch
            )
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_lr(self) -> list[float]:
        return self._current_lrs()


class OneCycleLR(LRScheduler):
    """The 1cycle policy: the rate rises from ``max_lr / div_factor`` to
    ``max_lr`` and anneals to ``initial_lr / final_div_factor`` over
    ``total_steps`` (or ``epochs * steps_per_epoch``) steps; the momentum (or
    Adam's beta1) moves the other way when ``cycle_momentum``."""

    _name = "OneCycleLR"

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ArgumentError(
                f"OneCycleLR: expected a flodl Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ArgumentError(
                    f"OneCycleLR: total_steps must be a positive int, got {total_steps}"
                )
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ArgumentError(f"OneCycleLR: epochs must be a positive int, got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ArgumentError(
                    f"OneCycleLR: steps_per_epoch must be a positive int, got {steps_per_epoch}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ArgumentError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ArgumentError(f"OneCycleLR: pct_start must be a float in [0, 1], got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ArgumentError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self._anneal_func_type = anneal_strategy
        self._pct_start = pct_start
        self._div_factor = div_factor
        self._final_div_factor = final_div_factor
        self._three_phase = three_phase
        # torch's description of the phases, kept for its state_dict layout
        # (the formula reads the options above).
        self._schedule_phases = _phases(self.total_steps, pct_start, three_phase)
        groups = optimizer.param_groups
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._start_momentum_cycle(
                "OneCycleLR: cycle_momentum needs an optimizer with momentum or betas",
                base_momentum,
                max_momentum,
                last_epoch,
            )
        super().__init__(optimizer, last_epoch)

    def _schedule(self, closed: bool, functions: Any = None) -> list[float]:
        if self.last_epoch > self.total_steps:
            raise ArgumentError(
                f"OneCycleLR: stepped {self.last_epoch} times, but total_steps is {self.total_steps}"
            )
        return super()._schedule(closed)

    def _schedule_args(self) -> dict[str, Any]:
        groups = self.optimizer.param_groups
        # The per-group values live in the groups, as torch keeps them.
        return {
            "max_lr": [g["max_lr"] for g in groups],
            "total_steps": self.total_steps,
            "pct_start": self._pct_start,
            "anneal_strategy": self._anneal_func_type,
            "cycle_momentum": self.cycle_momentum,
            "base_momentum": [g.get("base_momentum", 0.0) for g in groups],
            "max_momentum": [g.get("max_momentum", 0.0) for g in groups],
            "div_factor": self._div_factor,
            "final_div_factor": self._final_div_factor,
            "three_phase": self._three_phase,
        }


class CyclicLR(LRScheduler):
    """The cyclical policy: each group's rate goes between ``base_lr`` and
    ``max_lr`` (up over ``step_size_up`` steps, down over
    ``step_size_down``), the amplitude scaled by ``mode`` ("triangular",
    "triangular2", "exp_range") or ``scale_fn``; the momentum moves the
    other way when ``cycle_momentum``. Step it after every batch."""

    _name = "CyclicLR"
    _args = (
        "max_lrs",
        "total_size",
        "step_ratio",
        "mode",
        "gamma",
        "scale_mode",
        "cycle_momentum",
    )

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ArgumentError(
                f"CyclicLR: expected a flodl Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ArgumentError(f"CyclicLR: mode {mode!r} is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        # The built-in modes fix what their scale reads.
        if scale_fn is None:
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.scale_mode = scale_mode
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = self._start_momentum_cycle(
                "CyclicLR: optimizer must support momentum or beta1 with `cycle_momentum` "
                "option enabled",
                base_momentum,
                max_momentum,
                last_epoch,
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _schedule_args(self) -> dict[str, Any]:
        args = super()._schedule_args()
        args["base_lrs"] = list(self.base_lrs)
        args["base_momentums"] = getattr(self, "base_momentums", [0.0])
        args["max_momentums"] = getattr(self, "max_momentums", [0.0])
        return args

    def _schedule(self, closed: bool, functions: Any = None) -> list[float]:
        return super()._schedule(closed, self._scale_fn_custom)

    def state_dict(self) -> dict[str, Any]:
        """As the base's; a custom ``scale_fn`` is saved as its attributes
        (None for a plain function), as torch's."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom", None)
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        self.__dict__.update(state)
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)


class ReduceLROnPlateau(LRScheduler):
    """Reduces the rates by ``factor`` when a metric has not improved for
    ``patience`` epochs: ``step(metric)`` after each validation."""

    _args = (
        "mode",
        "factor",
        "patience",
        "threshold",
        "threshold_mode",
        "cooldown",
        "min_lrs",
        "eps",
        "best",
        "num_bad_epochs",
        "cooldown_counter",
        "last_epoch",
    )

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ArgumentError(
                f"ReduceLROnPlateau: expected a flodl Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ArgumentError(
                    f"ReduceLROnPlateau: expected {len(optimizer.param_groups)} min_lrs, "
                    f"got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.mode_worse = None  # set below; here for torch's state_dict order
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.best = 0.0
        self.cooldown_counter = 0  # before num_bad_epochs, as torch's state_dict
        self.num_bad_epochs = 0
        # Checks the options, and gives where `best` starts.
        self.mode_worse = _flodl._plateau_worst(self._arg_values())
        self.best = self.mode_worse

    def _arg_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._args}

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """One epoch with its validation ``metrics`` (a number)."""
        current = float(metrics)
        if self.default_min_lr is not None and len(self.min_lrs) != len(
            self.optimizer.param_groups
        ):
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        args = self._arg_values()
        if epoch is not None:
            args["last_epoch"] = epoch - 1
        counters, lrs = _flodl._plateau_step(args, current, self._current_lrs())
        self.best, self.num_bad_epochs, self.cooldown_counter, self.last_epoch = counters
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0


class SequentialLR(LRScheduler):
    """Runs ``schedulers`` one after the other, switching at each milestone
    (the next one starts from its epoch 0)."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        if len(schedulers) < 1:
            raise ArgumentError("SequentialLR: expects at least one scheduler")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ArgumentError(
                    f"SequentialLR: scheduler {i} is a ReduceLROnPlateau, which needs a metric"
                )
            if scheduler.optimizer is not optimizer:
                raise ArgumentError(f"SequentialLR: scheduler {i} belongs to another optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ArgumentError(
                f"SequentialLR: expects {len(schedulers) - 1} milestones for "
                f"{len(schedulers)} schedulers, got {len(milestones)}"
            )
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # The schedulers' own first steps are undone: the rates go back to
        # the initial ones and only the first scheduler's first step counts.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            scheduler.last_epoch -= 1
        self._schedulers[0]._initial_step()
        self._last_lr = self._schedulers[0].get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """As the base's, with each scheduler's state dict."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, s in zip(self._schedulers, saved):
            scheduler.load_state_dict(s)


class ChainedScheduler(SequentialLR):
    """Steps every scheduler of ``schedulers`` at each step, in order (their
    factors multiply)."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if len(schedulers) < 1:
            raise ArgumentError("ChainedScheduler: expects at least one scheduler")
        optimizer = optimizer or schedulers[0].optimizer
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ArgumentError(
                    f"ChainedScheduler: scheduler {i} is a ReduceLROnPlateau, which needs a metric"
                )
            if scheduler.optimizer is not optimizer:
                raise ArgumentError(f"ChainedScheduler: scheduler {i} belongs to another optimizer")
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()


def _phases(total_steps: int, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
    def phase(
        end_step: float, start_lr: str, end_lr: str, start_m: str, end_m: str
    ) -> dict[str, Any]:
        return {
            "end_step": end_step,
            "start_lr": start_lr,
            "end_lr": end_lr,
            "start_momentum": start_m,
            "end_momentum": end_m,
        }

    warm_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [
            phase(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            phase(
                float(2 * pct_start * total_steps) - 2,
                "max_lr",
                "initial_lr",
                "base_momentum",
                "max_momentum",
            ),
            phase(total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
    return [
        phase(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        phase(total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
    ]
