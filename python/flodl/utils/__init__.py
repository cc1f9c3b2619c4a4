"""``flodl.utils``: ``data``, PyTorch's data loading on flodl tensors
(imported on first use: it imports torch), ``checkpoint``, ``hooks`` and
``dlpack``."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["checkpoint", "data", "dlpack", "hooks"]


def __getattr__(name: str) -> Any:
    if name in __all__ or name == "_pytree":
        return importlib.import_module(f".{name}", __name__)
    from .._submodules import submodule

    module = submodule(__name__, name)
    if module is not None:
        return module
    raise AttributeError(f"module 'flodl.utils' has no attribute {name!r}")
