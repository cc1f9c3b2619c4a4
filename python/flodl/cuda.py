"""``flodl.cuda``: what ``torch.cuda`` programs ask of the CUDA devices:
CUDA graphs (``CUDAGraph``, ``graph``, ``graph_pool_handle``), a whole
training step as one graph replay (``graphed_step``), the caching
allocator's statistics and the devices' properties. Each is
``flodl::cuda`` in Rust.

flodl has no current-device state: ``"cuda"`` is device 0, other devices
are named (``"cuda:1"``), so ``set_device`` takes only the device in use."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from . import _flodl
from ._flodl import (
    ArgumentError,
    CUDAGraph,
    DeviceError,
    Event,
    GraphedCallable,
    GraphedStep,
    OutOfMemoryError,
    Stream,
    current_stream,
    graph_pool_handle,
    graphed_step,
    set_stream,
)
from ._legacy_amp import cuda_amp as amp

__all__ = [
    "CUDAGraph",
    "Event",
    "GraphedCallable",
    "GraphedStep",
    "OutOfMemoryError",
    "Stream",
    "StreamContext",
    "amp",
    "current_device",
    "current_stream",
    "device_count",
    "empty_cache",
    "get_device_name",
    "get_device_properties",
    "graph",
    "graph_pool_handle",
    "graphed_step",
    "is_available",
    "is_bf16_supported",
    "make_graphed_callables",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "reset_peak_memory_stats",
    "set_device",
    "set_stream",
    "stream",
    "synchronize",
]


def is_available() -> bool:
    """Whether a CUDA device can be used."""
    return _flodl.cuda_available()


def device_count() -> int:
    """How many CUDA devices this process sees."""
    return _flodl.cuda_device_count()


_index = _flodl._cuda_index


def current_device() -> int:
    """The index of the CUDA device ``"cuda"`` means: 0."""
    if not is_available():
        raise DeviceError("cuda.current_device: no CUDA device is available")
    return 0


def set_device(device: Any) -> None:
    """Accepts device 0 only: flodl keeps no current device (name others,
    ``"cuda:1"``, where tensors and modules go)."""
    if _index(device) != 0:
        raise ArgumentError(
            f"cuda.set_device: flodl keeps no current device; name it where tensors go "
            f"(device='cuda:{_index(device)}') instead of setting {device}"
        )


def synchronize(device: Any = None) -> None:
    """Waits for every kernel queued on ``device`` (default: device 0)."""
    _flodl._cuda_synchronize(_index(device))


def manual_seed(seed: int) -> None:
    """Seeds every device's random stream (flodl seeds them together)."""
    from ._namespace import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed


def is_bf16_supported() -> bool:
    """Whether bfloat16 kernels can run: on any available CUDA device here."""
    return is_available()


class graph:
    """Captures the work queued inside the ``with`` block into ``cuda_graph``
    (on a side stream, after synchronizing and emptying the cache), as
    ``torch.cuda.graph``; ``pool`` shares another graph's memory pool
    (``g.pool()`` or ``graph_pool_handle()``)."""

    def __init__(
        self,
        cuda_graph: CUDAGraph,
        pool: tuple[int, int] | None = None,
        stream: Any = None,
        capture_error_mode: str = "global",
    ) -> None:
        if stream is not None:
            raise ArgumentError(
                "cuda.graph: flodl captures on a side stream of its own; leave stream=None"
            )
        self.cuda_graph = cuda_graph
        self.pool = pool
        self.capture_error_mode = capture_error_mode

    def __enter__(self) -> None:
        self.cuda_graph.capture_begin(self.pool, self.capture_error_mode)

    def __exit__(self, *exc: object) -> None:
        self.cuda_graph.capture_end()


class StreamContext:
    """Makes ``stream`` current on its device inside the ``with`` block, then
    restores the stream that was current (``None``: nothing changes)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream
        self._previous: list[Stream] = []

    def __enter__(self) -> None:
        if self.stream is None:
            return
        self._previous.append(current_stream(self.stream.device))
        set_stream(self.stream)

    def __exit__(self, *exc: object) -> None:
        if self.stream is None:
            return
        set_stream(self._previous.pop())


def stream(stream: Stream | None) -> StreamContext:
    """``with flodl.cuda.stream(s):`` queues the block's kernels on ``s``."""
    return StreamContext(stream)


def make_graphed_callables(
    callables: Any,
    sample_args: Any,
    num_warmup_iters: int = 3,
    allow_unused_input: bool = False,
    pool: Any = None,
) -> Any:
    """Each callable (a function or a Module) with its forward and its
    backward captured as one CUDA graph each, as
    ``torch.cuda.make_graphed_callables``: ``sample_args`` (a tuple of
    Tensors per callable) fixes the shapes, ``num_warmup_iters`` forward and
    backward runs of each come first, on a side stream. The graphs share
    one memory pool (``pool``, from ``graph_pool_handle()`` or another
    graph's ``pool()``, or a new one), so call several callables in the
    order given and run their backwards in reverse order, as the stages of
    one model. A Module comes back with its ``forward`` replaced while it
    is training (in eval mode it runs as before); a function comes back as
    a ``GraphedCallable``. The outputs are the graphs' static tensors: the
    next call overwrites them."""
    from .nn import Module

    just_one = not isinstance(callables, tuple)
    if just_one:
        callables, sample_args = (callables,), (sample_args,)
    if not isinstance(sample_args, tuple) or len(sample_args) != len(callables):
        raise ArgumentError(
            "make_graphed_callables: sample_args needs one tuple of Tensors per callable"
        )
    for args in sample_args:
        if not isinstance(args, tuple):
            raise TypeError(
                "make_graphed_callables: each callable's sample_args must be a tuple of "
                f"Tensors, got {type(args).__name__}"
            )
    specs = [
        (c, args, list(c.parameters()) if isinstance(c, Module) else [])
        for c, args in zip(callables, sample_args)
    ]
    graphed_all = _flodl._make_graphed_callables(specs, num_warmup_iters, allow_unused_input, pool)
    results = []
    for c, graphed in zip(callables, graphed_all):
        if isinstance(c, Module):
            original = c.forward

            def forward(
                *a: Any, _graphed: Any = graphed, _original: Any = original, _m: Any = c
            ) -> Any:
                return _graphed(*a) if _m.training else _original(*a)

            c.forward = forward
            results.append(c)
        else:
            results.append(graphed)
    return results[0] if just_one else tuple(results)


def _memory_stat(device: Any, which: int) -> int:
    # Without CUDA nothing is held: 0, as torch's (so that memory logging
    # runs unchanged on a CPU machine).
    if not is_available():
        return 0
    return _flodl._cuda_memory_stats(_index(device))[which]


def memory_allocated(device: Any = None) -> int:
    """Bytes held by tensors on ``device`` (default: device 0); 0 without CUDA."""
    return _memory_stat(device, 0)


def max_memory_allocated(device: Any = None) -> int:
    """The peak of ``memory_allocated`` since the start or the last reset."""
    return _memory_stat(device, 1)


def memory_reserved(device: Any = None) -> int:
    """Bytes the caching allocator holds from CUDA on ``device``."""
    return _memory_stat(device, 2)


def max_memory_reserved(device: Any = None) -> int:
    """The peak of ``memory_reserved``."""
    return _memory_stat(device, 3)


def reset_peak_memory_stats(device: Any = None) -> None:
    """Starts the peaks over from the current counts."""
    _flodl._cuda_reset_peak_memory_stats(_index(device))


def empty_cache() -> None:
    """Gives the cached, unused blocks back to CUDA (nothing without CUDA)."""
    _flodl._cuda_empty_cache()


def get_device_properties(device: Any = None) -> Any:
    """``name``, ``total_memory``, ``major``, ``minor`` and
    ``multi_processor_count`` of a CUDA device, as attributes."""
    return SimpleNamespace(**_flodl._cuda_device_properties(_index(device)))


def get_device_name(device: Any = None) -> str:
    """The device's name (``"NVIDIA H100 80GB HBM3"``)."""
    return get_device_properties(device).name


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"flodl.cuda has no {name!r}: flodl does not offer torch.cuda.{name} "
        "(hand tensors to torch with .to_torch() where you need it)"
    )
