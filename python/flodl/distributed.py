"""Data-parallel training on ``torch.distributed``.

A thin front end: process groups, rendezvous and the collectives themselves
are torch.distributed's, run directly on the memory of flodl tensors (through
``to_torch()``, which shares it), so every collective changes its flodl
argument in place. ``DistributedDataParallel`` averages gradients across
processes in buckets whose all-reduce starts while backward is still running;
``DistributedSampler`` hands each process its share of a dataset's indices, in
the same order as ``torch.utils.data.DistributedSampler``.

This module imports torch; ``import flodl`` does not import it (nor this
module): ``import flodl.distributed`` when it is needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence, Sized
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Union

import torch
import torch.distributed as dist

from . import nn
from ._flodl import ArgumentError, FlodlError, Tensor, Variable

__all__ = [
    "DDP",
    "DistributedDataParallel",
    "DistributedSampler",
    "ReduceOp",
    "all_gather",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "reduce_scatter",
]

ReduceOp = dist.ReduceOp
TensorLike = Union[Tensor, Variable, torch.Tensor]  # a runtime alias: Python 3.9 has no `|`


def _as_torch(tensor: TensorLike) -> torch.Tensor:
    """The torch.Tensor on the memory of ``tensor`` (a Variable's ``.data``): no copy."""
    if isinstance(tensor, Variable):
        return tensor.data.to_torch()
    if isinstance(tensor, Tensor):
        return tensor.to_torch()
    if isinstance(tensor, torch.Tensor):
        return tensor
    raise TypeError(
        f"expected a flodl Tensor or Variable (or a torch.Tensor), got '{type(tensor).__name__}'"
    )


# ----- process groups -----


def is_available() -> bool:
    """Whether torch was built with torch.distributed."""
    return dist.is_available()


def is_initialized() -> bool:
    """Whether the default process group exists."""
    return dist.is_initialized()


def init_process_group(
    backend: str | None = "gloo",
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    **kwargs: Any,
) -> None:
    """Creates the default process group, as ``torch.distributed.init_process_group``
    (``env://`` by default: ``MASTER_ADDR``, ``MASTER_PORT``, ``RANK``, ``WORLD_SIZE``,
    which torchrun sets). A group that already exists is adopted as it is."""
    if dist.is_initialized():
        return
    if timeout is not None:
        kwargs["timeout"] = timeout
    dist.init_process_group(
        backend=backend, init_method=init_method, world_size=world_size, rank=rank, **kwargs
    )


def destroy_process_group(group: Any = None) -> None:
    """Destroys ``group`` (the default group and all others when None)."""
    if dist.is_initialized():
        dist.destroy_process_group(group)


def get_rank(group: Any = None) -> int:
    """This process's rank in ``group``; 0 without a process group."""
    return dist.get_rank(group) if dist.is_initialized() else 0


def get_world_size(group: Any = None) -> int:
    """The number of processes in ``group``; 1 without a process group."""
    return dist.get_world_size(group) if dist.is_initialized() else 1


def get_backend(group: Any = None) -> str:
    """The backend of ``group``, such as ``"gloo"`` or ``"nccl"``."""
    return str(dist.get_backend(group))


def barrier(group: Any = None) -> None:
    """Waits until every process of ``group`` has reached it."""
    dist.barrier(group)


# ----- collectives, in place on flodl tensors -----


def all_reduce(
    tensor: TensorLike, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Any:
    """Reduces ``tensor`` across all processes, in place, so that every process holds the
    result. With ``async_op`` returns a work handle to ``wait()`` on."""
    return dist.all_reduce(_as_torch(tensor), op=op, group=group, async_op=async_op)


def broadcast(tensor: TensorLike, src: int, group: Any = None, async_op: bool = False) -> Any:
    """Copies rank ``src``'s ``tensor`` into every other process's ``tensor``, in place."""
    return dist.broadcast(_as_torch(tensor), src, group=group, async_op=async_op)


def all_gather(
    tensor_list: Sequence[TensorLike],
    tensor: TensorLike,
    group: Any = None,
    async_op: bool = False,
) -> Any:
    """Fills ``tensor_list[r]`` (one tensor per process, in place) with rank r's ``tensor``."""
    outputs = [_as_torch(t) for t in tensor_list]
    return dist.all_gather(outputs, _as_torch(tensor), group=group, async_op=async_op)


def reduce_scatter(
    output: TensorLike,
    input_list: Sequence[TensorLike],
    op: Any = ReduceOp.SUM,
    group: Any = None,
) -> None:
    """Reduces ``input_list[r]`` across processes into rank r's ``output``, in place.

    Gloo has no reduce-scatter: there every ``input_list`` is concatenated into one
    buffer, all-reduced, and this rank's slice copied into ``output`` (world-size times
    the traffic of a real reduce-scatter, and one temporary buffer)."""
    out = _as_torch(output)
    inputs = [_as_torch(t) for t in input_list]
    world = get_world_size(group)
    if len(inputs) != world:
        raise ArgumentError(
            f"reduce_scatter: input_list has {len(inputs)} tensors, expected one per "
            f"process ({world})"
        )
    if get_backend(group) != "gloo":
        dist.reduce_scatter(out, inputs, op=op, group=group)
        return
    flat = torch.cat([t.reshape(-1) for t in inputs])
    dist.all_reduce(flat, op=op, group=group)
    rank = get_rank(group)
    start = sum(t.numel() for t in inputs[:rank])
    out.copy_(flat[start : start + inputs[rank].numel()].view_as(out))


# ----- DistributedDataParallel -----


class _Bucket:
    """Gradients of a few parameters, all-reduced as one flat buffer."""

    def __init__(self, index: int, params: list[tuple[str, nn.Parameter]]) -> None:
        self.index = index
        self.params = params
        self.numel = sum(p.numel() for _, p in params)
        self.pending = len(params)  # parameters whose grad has not yet arrived
        self.flat: torch.Tensor | None = None
        self.work: Any = None

    def reset(self) -> None:
        self.pending = len(self.params)
        self.flat = None
        self.work = None


class DistributedDataParallel(nn.Module):
    """Wraps ``module`` for data-parallel training: one process per replica, each on its
    own share of the batch; after ``backward()`` every replica holds the gradients
    averaged over all processes, so identical optimizers keep identical parameters.

    At wrap, every process checks that all hold the same parameter names and shapes
    (an ArgumentError naming the first difference, on every rank), then rank 0's
    parameters and buffers are broadcast. Gradients are all-reduced in buckets of at
    most ``bucket_cap_mb`` megabytes, in reverse registration order (about the order in
    which backward produces them): a post-accumulate-grad hook on each parameter starts
    a bucket's all-reduce (asynchronously) as soon as all its gradients exist, while
    backward goes on. A callback queued on the autograd engine at the first hook waits
    for every bucket when backward ends, then writes the averages back into ``.grad``:
    when ``loss.backward()`` returns, the gradients are synchronised.

    ``find_unused_parameters``: parameters that get no gradient in a backward count as
    zeros (their ``.grad`` is then set to the average of the others'); without it such
    a parameter is an error after the collectives complete. ``broadcast_buffers``:
    rank 0's buffers (BatchNorm's running statistics) are broadcast at every forward.
    ``state_dict()`` has the wrapped module's keys under ``module.``, as torch's DDP.
    """

    def __init__(
        self,
        module: nn.Module,
        bucket_cap_mb: float = 25,
        find_unused_parameters: bool = False,
        broadcast_buffers: bool = True,
        process_group: Any = None,
    ) -> None:
        super().__init__()
        if not dist.is_initialized():
            raise FlodlError(
                "DistributedDataParallel needs a process group: call "
                "flodl.distributed.init_process_group() first"
            )
        if bucket_cap_mb <= 0:
            raise ArgumentError(f"bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        set_ = object.__setattr__
        set_(self, "process_group", process_group)
        set_(self, "world_size", dist.get_world_size(process_group))
        set_(self, "find_unused_parameters", find_unused_parameters)
        set_(self, "broadcast_buffers", broadcast_buffers)
        set_(self, "require_backward_grad_sync", True)
        set_(self, "_sync_backward", True)  # captured at forward, as torch
        set_(self, "_callback_queued", False)
        set_(self, "_next_bucket", 0)
        set_(self, "launched_during_backward", 0)  # buckets started by hooks, last backward

        self._check_same_parameters()
        with torch.no_grad():
            for t in self._state_tensors():
                dist.broadcast(t, 0, group=process_group)

        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        buckets: list[_Bucket] = []
        cap = bucket_cap_mb * 1024 * 1024
        current: list[tuple[str, nn.Parameter]] = []
        size = 0
        for name, p in reversed(named):
            nbytes = p.numel() * p.data.to_torch().element_size()
            if current and (
                size + nbytes > cap
                or p.dtype != current[0][1].dtype
                or p.device != current[0][1].device
            ):
                buckets.append(_Bucket(len(buckets), current))
                current, size = [], 0
            current.append((name, p))
            size += nbytes
        if current:
            buckets.append(_Bucket(len(buckets), current))
        set_(self, "_buckets", buckets)
        bucket_of: dict[int, _Bucket] = {}
        for b in buckets:
            for _, p in b.params:
                bucket_of[id(p)] = b
        set_(self, "_bucket_of", bucket_of)
        set_(self, "_arrived", set())  # ids of params whose grad arrived this backward
        set_(
            self,
            "_hook_handles",
            [p.register_post_accumulate_grad_hook(self._hook_for(p)) for _, p in named],
        )

    # ----- set-up -----

    def _state_tensors(self) -> list[torch.Tensor]:
        """The parameters' and buffers' memory as torch tensors, in a fixed order."""
        tensors = [p.data.to_torch() for _, p in self.module.named_parameters()]
        tensors += [b.to_torch() for _, b in self.module.named_buffers()]
        return tensors

    def _check_same_parameters(self) -> None:
        """Raises the same ArgumentError on every rank unless all ranks hold the same
        parameter and buffer names, shapes and dtypes."""
        mine = [
            ("parameter", n, list(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()
        ]
        mine += [("buffer", n, list(b.shape), str(b.dtype)) for n, b in self.module.named_buffers()]
        everyone: list[Any] = [None] * self.world_size
        dist.all_gather_object(everyone, mine, group=self.process_group)
        reference = everyone[0]
        for rank, theirs in enumerate(everyone[1:], 1):
            if theirs == reference:
                continue
            ref_names = {(k, n): (s, d) for k, n, s, d in reference}
            their_names = {(k, n): (s, d) for k, n, s, d in theirs}
            for key in [(k, n) for k, n, _, _ in reference + theirs]:
                kind, name = key
                if key not in their_names:
                    problem = f"{kind} '{name}' exists on rank 0 but not on rank {rank}"
                elif key not in ref_names:
                    problem = f"{kind} '{name}' exists on rank {rank} but not on rank 0"
                elif ref_names[key] != their_names[key]:
                    (s0, d0), (s1, d1) = ref_names[key], their_names[key]
                    problem = f"{kind} '{name}' is {d0} {s0} on rank 0 but {d1} {s1} on rank {rank}"
                else:
                    continue
                break
            else:
                problem = f"the parameters are registered in a different order on rank {rank}"
            raise ArgumentError(
                f"DistributedDataParallel: the replicas differ: {problem}; every process "
                "must build the same model"
            )

    # ----- forward -----

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The wrapped module's forward (after broadcasting rank 0's buffers)."""
        if self._callback_queued:  # the last backward failed before its end: start clean
            self._reset_after_failed_backward()
        object.__setattr__(self, "_sync_backward", self.require_backward_grad_sync)
        if self.broadcast_buffers and self.world_size > 1:
            with torch.no_grad():
                for _, b in self.module.named_buffers():
                    dist.broadcast(b.to_torch(), 0, group=self.process_group)
        return self.module(*args, **kwargs)

    def _reset_after_failed_backward(self) -> None:
        for b in self._buckets:
            if b.work is not None:
                try:
                    b.work.wait()
                except RuntimeError:
                    pass
            b.reset()
        self._arrived.clear()
        object.__setattr__(self, "_next_bucket", 0)
        object.__setattr__(self, "_callback_queued", False)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside only accumulate into ``.grad`` locally;
        the first backward after leaving it all-reduces the accumulated sum."""
        before = self.require_backward_grad_sync
        object.__setattr__(self, "require_backward_grad_sync", False)
        try:
            yield
        finally:
            object.__setattr__(self, "require_backward_grad_sync", before)

    # ----- the gradient all-reduce -----

    def _hook_for(self, param: nn.Parameter) -> Callable[[Variable], None]:
        # The hook gets a new Python object on the same leaf: key on the Parameter.
        key = id(param)
        return lambda _: self._grad_ready(key)

    def _grad_ready(self, key: int) -> None:
        """Post-accumulate-grad hook: counts a parameter in; starts every bucket now complete."""
        if not self._sync_backward or self.world_size == 1:
            return
        if not self._callback_queued:
            object.__setattr__(self, "_callback_queued", True)
            object.__setattr__(self, "launched_during_backward", 0)
            torch.autograd.Variable._execution_engine.queue_callback(self._finish)
        if key in self._arrived:  # the same leaf reached twice: already counted
            return
        self._arrived.add(key)
        self._bucket_of[key].pending -= 1
        self._launch_ready(during_backward=True)

    def _launch_ready(self, during_backward: bool) -> None:
        """Starts the complete buckets, in bucket order, so every rank issues the same
        collectives in the same order."""
        while self._next_bucket < len(self._buckets):
            bucket = self._buckets[self._next_bucket]
            if bucket.pending > 0:
                return
            self._launch(bucket)
            object.__setattr__(self, "_next_bucket", self._next_bucket + 1)
            if during_backward:
                object.__setattr__(
                    self, "launched_during_backward", self.launched_during_backward + 1
                )

    def _launch(self, bucket: _Bucket) -> None:
        parts = []
        for _, p in bucket.params:
            g = p.grad
            if g is None:
                parts.append(
                    torch.zeros(
                        p.numel(), dtype=p.data.to_torch().dtype, device=p.data.to_torch().device
                    )
                )
            else:
                parts.append(g.to_torch().reshape(-1))
        flat = torch.cat(parts)
        flat.div_(self.world_size)
        bucket.flat = flat
        bucket.work = dist.all_reduce(flat, group=self.process_group, async_op=True)

    def _finish(self) -> None:
        """Engine callback at the end of backward: completes and waits every bucket,
        then writes the averaged gradients back into ``.grad``."""
        unused = [n for b in self._buckets for n, p in b.params if id(p) not in self._arrived]
        try:
            for b in self._buckets:
                b.pending = 0  # unused parameters count as zeros, on every rank alike
            self._launch_ready(during_backward=False)
            for b in self._buckets:
                try:
                    b.work.wait()
                except RuntimeError as e:
                    raise FlodlError(
                        f"DistributedDataParallel: the gradient all-reduce of bucket "
                        f"{b.index} failed on rank {dist.get_rank(self.process_group)}; "
                        f"another process probably failed or stopped training: {e}"
                    ) from e
                offset = 0
                for _, p in b.params:
                    n = p.numel()
                    avg = b.flat[offset : offset + n].view(tuple(p.shape))
                    offset += n
                    if p.grad is None:
                        p.grad = Tensor.from_torch(avg.clone())
                    else:
                        p.grad.to_torch().copy_(avg)
        finally:
            for b in self._buckets:
                b.reset()
            self._arrived.clear()
            object.__setattr__(self, "_next_bucket", 0)
            object.__setattr__(self, "_callback_queued", False)
        if unused and not self.find_unused_parameters:
            raise FlodlError(
                "DistributedDataParallel: these parameters got no gradient in this backward: "
                f"{', '.join(unused)}; pass find_unused_parameters=True to treat them as "
                "zeros (the gradients were still averaged, with zeros for them)"
            )


DDP = DistributedDataParallel


# ----- DistributedSampler -----


class DistributedSampler:
    """The indices of this process's share of a dataset, as
    ``torch.utils.data.DistributedSampler``: the same shuffled order (a permutation seeded
    with ``seed + epoch``), padded by repetition to a multiple of ``num_replicas`` (or cut,
    with ``drop_last``), then every ``num_replicas``-th index from ``rank``. Call
    ``set_epoch(epoch)`` before each epoch for a new order."""

    def __init__(
        self,
        dataset: int | Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        self.dataset_len = dataset if isinstance(dataset, int) else len(dataset)
        self.num_replicas = get_world_size() if num_replicas is None else num_replicas
        self.rank = get_rank() if rank is None else rank
        if self.num_replicas < 1:
            raise ArgumentError(f"num_replicas must be at least 1, got {self.num_replicas}")
        if not 0 <= self.rank < self.num_replicas:
            raise ArgumentError(
                f"rank {self.rank} is out of range for {self.num_replicas} replicas"
            )
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        n, r = self.dataset_len, self.num_replicas
        if drop_last and n % r != 0:
            self.num_samples = math.ceil((n - r) / r)
        else:
            self.num_samples = math.ceil(n / r)
        self.total_size = self.num_samples * r

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose shuffled order ``__iter__`` gives next."""
        self.epoch = epoch

    def indices(self) -> list[int]:
        """This rank's indices for the current epoch."""
        n = self.dataset_len
        if self.shuffle:
            g = torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            order: list[int] = torch.randperm(n, generator=g).tolist()
        else:
            order = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(order)
            if padding <= len(order):
                order += order[:padding]
            elif order:
                order += (order * math.ceil(padding / len(order)))[:padding]
        else:
            order = order[: self.total_size]
        return order[self.rank : self.total_size : self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices())

    def __len__(self) -> int:
        return self.num_samples
