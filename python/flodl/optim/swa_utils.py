"""``flodl.optim.swa_utils``, as ``torch.optim.swa_utils``: ``AveragedModel``
(stochastic weight averaging, or an exponential moving average with
``get_ema_multi_avg_fn``), the ``SWALR`` schedule and ``update_bn``. The
averaging rules and the schedule are Rust's (``flodl::optim::swa``, whose
``WeightAverage`` is the same average for a Rust loop,
``flodl::optim::lr_scheduler::SWALR``); these classes keep PyTorch's
object model."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from .. import _flodl
from .._flodl import ArgumentError, Tensor
from .._grad_mode import no_grad
from ..nn.module import Module
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]


def _values(tensors: Iterable[Tensor]) -> list[Tensor]:
    """The tensors' values (``data``: the same storage, outside any graph)."""
    return [t.data for t in tensors]


def _count(num_averaged: Any) -> int:
    return int(num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged)


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[..., None]:
    """An in-place update of lists of tensors to their exponential moving
    average: ``ema = decay * ema + (1 - decay) * current``."""
    _flodl._check_decay(decay)

    def ema_update(ema_param_list: list, current_param_list: list, _: Any) -> None:
        _flodl._ema_average_(_values(ema_param_list), _values(current_param_list), decay)

    return ema_update


def get_swa_multi_avg_fn() -> Callable[..., None]:
    """An in-place update of lists of tensors to the running mean of the
    ``num_averaged`` models they average and the current one."""

    def swa_update(averaged_param_list: list, current_param_list: list, num_averaged: Any) -> None:
        _flodl._swa_lerp_(
            _values(averaged_param_list), _values(current_param_list), _count(num_averaged)
        )

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[..., Tensor]:
    """The exponential moving average of one tensor after one more model."""
    _flodl._check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return _flodl._ema_averaged(*_values((ema_param, current_param)), decay)

    return ema_update


def get_swa_avg_fn() -> Callable[..., Tensor]:
    """The running mean of one tensor after one more model."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return _flodl._swa_averaged(*_values((averaged_param, current_param)), _count(num_averaged))

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and buffers, with
    ``use_buffers``) average the models given to ``update_parameters``:
    their running mean by default, or what ``avg_fn`` (one tensor) or
    ``multi_avg_fn`` (lists) computes, as ``torch.optim.swa_utils``'s.
    ``n_averaged`` counts them."""

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: Callable[..., Tensor] | None = None,
        multi_avg_fn: Callable[..., None] | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ArgumentError(
                "AveragedModel: only one of avg_fn and multi_avg_fn should be provided"
            )
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor.zeros([], dtype="int64", device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model: Module) -> None:
        """Averages ``model``'s parameters (and buffers, with ``use_buffers``)
        into this copy's; the first call copies them."""
        mine = self._averaged(self.module) if self.use_buffers else list(self.parameters())
        theirs = self._averaged(model) if self.use_buffers else list(model.parameters())
        mine = _values(mine)
        theirs = [t.to(m.device) for m, t in zip(mine, _values(theirs), strict=False)]
        count = int(self.n_averaged.item())
        if count > 0 and self.multi_avg_fn is not None:
            self.multi_avg_fn(mine, theirs, self.n_averaged)
        elif count > 0 and self.avg_fn is not None:
            for m, t in zip(mine, theirs):
                m.copy_(self.avg_fn(m, t, self.n_averaged).data)
        else:  # the first model copied, or the running mean: Rust's
            _flodl._update_average_(mine, theirs, count)
        if not self.use_buffers:
            for b_mine, b_theirs in zip(self.module.buffers(), model.buffers(), strict=True):
                b_mine.data.copy_(b_theirs.data.to(b_mine.device))
        self.n_averaged.add_(1)

    @staticmethod
    def _averaged(model: Module) -> list[Tensor]:
        return list(itertools.chain(model.parameters(), model.buffers()))


@no_grad()
def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recomputes the batch-norm layers' running statistics of ``model`` as
    the plain average over one pass of ``loader`` (each batch, or the first
    item of each batch, fed to ``model``), as torch's."""
    from ..nn.layers import _BatchNorm

    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's rate to its ``swa_lr`` over ``anneal_epochs``
    steps (``"cos"`` or ``"linear"``), then holds it, as
    ``torch.optim.swa_utils.SWALR``."""

    _name = "SWALR"
    _args = ("anneal_epochs", "anneal_strategy")

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if (
            not isinstance(anneal_epochs, int)
            or isinstance(anneal_epochs, bool)
            or anneal_epochs < 0
        ):
            raise ArgumentError(
                f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}"
            )
        self.anneal_epochs = anneal_epochs
        self.anneal_strategy = anneal_strategy
        super().__init__(optimizer, last_epoch)

    def _schedule_args(self) -> dict[str, Any]:
        # Each group's swa_lr as it is now (one may change it), as torch reads it.
        args = super()._schedule_args()
        args["swa_lrs"] = [group["swa_lr"] for group in self.optimizer.param_groups]
        return args
