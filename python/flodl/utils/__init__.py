"""``flodl.utils``: ``data``, PyTorch's data loading on flodl tensors
(imported on first use: it imports torch)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["data"]


def __getattr__(name: str) -> Any:
    if name == "data":
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'flodl.utils' has no attribute {name!r}")
