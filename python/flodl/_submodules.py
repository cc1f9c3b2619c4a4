"""Submodules imported on first attribute access: ``flodl.distributed`` or
``flodl.utils.data.sampler`` after only ``import flodl``, as torch's are
after ``import torch`` (flodl defers the ones that import torch or
torch.distributed, so that ``import flodl`` stays light)."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType


def submodule(package: str, name: str) -> ModuleType | None:
    """``package``'s submodule ``name``, imported now; None when there is none."""
    if not name.isidentifier() or name.startswith("__"):
        return None
    if importlib.util.find_spec(f"{package}.{name}") is None:
        return None
    return importlib.import_module(f"{package}.{name}")
