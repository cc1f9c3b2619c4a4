"""``flodl.nn.attention``: ``sdpa_kernel`` and ``SDPBackend``, choosing which
of libtorch's kernels ``scaled_dot_product_attention`` (and the attention
layers built on it) may run, as ``torch.nn.attention``'s."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .. import _flodl

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """The kernels of ``scaled_dot_product_attention`` (torch's codes)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


# Each backend's switch, as `_flodl._switches` names it.
_SWITCHES = {
    SDPBackend.MATH: "sdp_math",
    SDPBackend.FLASH_ATTENTION: "sdp_flash",
    SDPBackend.EFFICIENT_ATTENTION: "sdp_mem_efficient",
    SDPBackend.CUDNN_ATTENTION: "sdp_cudnn",
}


@contextmanager
def sdpa_kernel(
    backends: SDPBackend | Iterable[SDPBackend], set_priority: bool = False
) -> Iterator[None]:
    """Within the block, ``scaled_dot_product_attention`` may run only the
    kernels of ``backends`` (one or a list; the switches are libtorch's,
    global, and are restored after). With no kernel left that fits the
    inputs the op raises, as torch's does."""
    if set_priority:
        raise _flodl.ArgumentError(
            "sdpa_kernel: set_priority=True (an order of preference) is not in flodl; "
            "name the kernels allowed"
        )
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    for backend in chosen:
        if not isinstance(backend, SDPBackend) or backend not in _SWITCHES:
            raise _flodl.ArgumentError(
                f"sdpa_kernel: backends must be SDPBackend.MATH, FLASH_ATTENTION, "
                f"EFFICIENT_ATTENTION or CUDNN_ATTENTION, got {backend!r}"
            )
    before = _flodl._switches()
    _flodl._switches(**{name: backend in chosen for backend, name in _SWITCHES.items()})
    try:
        yield
    finally:
        _flodl._switches(**{name: before[name] for name in _SWITCHES.values()})
