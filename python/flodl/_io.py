"""``flodl.save`` / ``flodl.load``: a state dict (names to Tensors) in the
safetensors format, the format ``safetensors.torch`` reads and writes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Union

from . import _flodl

__all__ = ["load", "save"]

PathLike = Union[str, "os.PathLike[str]"]


def save(obj: Any, path: PathLike) -> None:
    """Writes ``obj`` to ``path`` as a safetensors file: a state dict (names
    to Tensors or Variables, whose values are saved), or nested dicts, lists
    and tuples of tensors, numbers, strings and None (an optimizer's
    ``state_dict()``, a ``{"model": ..., "optim": ..., "epoch": 3}``
    checkpoint), the structure kept in the file's metadata. The file appears
    whole or not at all."""
    if callable(getattr(obj, "state_dict", None)) and hasattr(obj, "named_parameters"):
        raise TypeError(
            f"save: takes tensors and containers of them, got a {type(obj).__name__}; "
            "save model.state_dict() instead"
        )
    if isinstance(obj, Mapping) and not isinstance(obj, dict):
        obj = dict(obj)
    _flodl._save(obj, os.fspath(path))


def load(path: PathLike) -> Any:
    """What ``save`` wrote to ``path`` (a state dict, or the nested
    containers), tensors on the CPU; a plain safetensors file gives its
    tensors by name, in the file's order. A missing, truncated or malformed
    file is an ArgumentError, and nothing is returned."""
    return _flodl._load(os.fspath(path))
