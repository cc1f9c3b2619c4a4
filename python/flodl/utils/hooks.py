"""``flodl.utils.hooks``: ``RemovableHandle`` at ``torch.utils.hooks``'s
path: the class of what every ``register_*_hook`` returns (a tensor's hook
handle and a module's alike), each with ``remove()`` and a ``with`` form."""

from __future__ import annotations

import abc

from .. import _flodl
from ..nn.module import _HookHandle

__all__ = ["RemovableHandle"]


class RemovableHandle(abc.ABC):
    """What a ``register_*_hook`` returns: ``isinstance(handle,
    RemovableHandle)`` holds for a tensor's hook handle and a module's."""


RemovableHandle.register(_flodl.RemovableHandle)
RemovableHandle.register(_HookHandle)
