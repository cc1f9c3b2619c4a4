"""``flodl.serialization``: ``save`` and ``load`` and the ``weights_only``
allow-list (``add_safe_globals``, ``safe_globals``), at
``torch.serialization``'s path."""

from __future__ import annotations

from ._io import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    load,
    safe_globals,
    save,
)

__all__ = [
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]
