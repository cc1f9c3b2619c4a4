"""``flodl.random``, as ``torch.random``: the seeding functions of the
``flodl`` namespace, and ``fork_rng``, which puts back the random streams
a block changed when it ends (libtorch's generators, shared with torch in
one process)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from . import _namespace
from ._flodl import ArgumentError, get_rng_state, set_rng_state
from ._namespace import initial_seed, manual_seed, seed

__all__ = [
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


@contextlib.contextmanager
def fork_rng(
    devices: Iterable[Any] | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cuda",
) -> Iterator[None]:
    """Within the block, draws use the random streams as they were and
    leave them as they were: the CPU's, and those of the CUDA ``devices``
    (their indices; every CUDA device when None), as
    ``torch.random.fork_rng``. ``enabled=False`` forks nothing."""
    if not enabled:
        yield
        return
    if device_type != "cuda":
        raise ArgumentError(f"{_caller}: device_type must be 'cuda', got {device_type!r}")
    from . import cuda

    if devices is None:
        devices = range(cuda.device_count()) if cuda.is_available() else ()
    names = [f"cuda:{int(d.index if hasattr(d, 'index') else d)}" for d in devices]
    cpu_state = get_rng_state()
    device_states = [get_rng_state(name) for name in names]
    seed_before = _namespace._seed
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        _namespace._seed = seed_before
        for name, state in zip(names, device_states):
            set_rng_state(state, name)
