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


@contextmanager
def sdpa_kernel(
    backends: SDPBackend | Iterable[SDPBackend], set_priority: bool = False
) -> Iterator[None]:
    """Within the block, ``scaled_dot_product_attention`` may run only the
    kernels of ``backends`` (one or a list; the switches are libtorch's,
    global, and are restored after). With no kernel left that fits the
    inputs the op raises, as torch's does."""
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    # Rust checks the choice (None: not an SDPBackend) and keeps the rule.
    codes = [int(b) if isinstance(b, SDPBackend) else None for b in chosen]
    before = _flodl._set_sdp_backends(codes, set_priority)
    try:
        yield
    finally:
        _flodl._set_sdp_backends(before)
