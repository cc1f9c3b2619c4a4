"""``flodl.utils.dlpack``: DLPack exchange at ``torch.utils.dlpack``'s path.
``from_dlpack`` shares the memory of any DLPack producer (a torch tensor,
a numpy array, a capsule); ``to_dlpack`` gives a flodl tensor's capsule,
which torch's ``from_dlpack`` (or any consumer) shares."""

from __future__ import annotations

import enum
from typing import Any

from .._flodl import Tensor, from_dlpack

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """DLPack's device type codes (``Tensor.__dlpack_device__``'s first
    number)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


def to_dlpack(tensor: Any) -> Any:
    """A DLPack capsule sharing ``tensor``'s memory (used once, by one
    consumer), as ``torch.utils.dlpack.to_dlpack``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack: expected a flodl Tensor, got {type(tensor).__name__}")
    return tensor.__dlpack__()
