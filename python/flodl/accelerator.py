"""``flodl.accelerator``: the device programs pick when one is there (CUDA)."""

from __future__ import annotations

from . import _flodl
from ._flodl import Device


def is_available() -> bool:
    """Whether an accelerator (a CUDA device) can be used."""
    return _flodl.cuda_available()


def device_count() -> int:
    """How many accelerator devices this process sees."""
    return _flodl.cuda_device_count()


def current_accelerator(check_available: bool = False) -> Device | None:
    """``Device("cuda")`` where CUDA is built in, else None. With
    ``check_available=True``, None unless a device can be used."""
    if check_available and not is_available():
        return None
    return Device("cuda") if is_available() else None
