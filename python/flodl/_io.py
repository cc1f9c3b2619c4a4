"""``flodl.save`` / ``flodl.load``: a state dict (names to Tensors) in the
safetensors format, the format ``safetensors.torch`` reads and writes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Union

from . import _flodl
from ._flodl import Tensor, Variable

__all__ = ["load", "save"]

PathLike = Union[str, "os.PathLike[str]"]


def save(state_dict: Mapping[str, Tensor | Variable], path: PathLike) -> None:
    """Writes ``state_dict`` (names to Tensors or Variables, whose values
    are saved) to ``path`` as a safetensors file. The file appears whole or
    not at all."""
    pairs = []
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: the names are str, got {type(name).__name__}")
        if isinstance(value, Variable):
            value = value.data
        if not isinstance(value, Tensor):
            raise TypeError(f"save: {name!r} is a {type(value).__name__}, not a Tensor or Variable")
        pairs.append((name, value))
    _flodl._save(pairs, os.fspath(path))


def load(path: PathLike) -> dict[str, Tensor]:
    """The tensors of the safetensors file at ``path``, by name, in the
    file's order, on the CPU. A missing, truncated or malformed file is an
    ArgumentError, and nothing is returned."""
    return dict(_flodl._load(os.fspath(path)))
