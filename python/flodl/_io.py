"""``flodl.save`` / ``flodl.load``: a state dict (names to Tensors) in the
safetensors format, the format ``safetensors.torch`` reads and writes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Union

from . import _flodl
from ._flodl import Tensor, Variable, _is_torch_tensor

__all__ = ["load", "save"]

PathLike = Union[str, "os.PathLike[str]"]


def save(state_dict: Mapping[str, Tensor | Variable], path: PathLike) -> None:
    """Writes ``state_dict`` (names to Tensors or Variables, whose values
    are saved) to ``path`` as a safetensors file. The file appears whole or
    not at all."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: {_what_instead(state_dict)}")
    pairs = []
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: the names are str, got {type(name).__name__}")
        if isinstance(value, Variable):
            value = value.data
        if not isinstance(value, Tensor):
            if _is_torch_tensor(value):
                raise TypeError(
                    f"save: {name!r} is a torch tensor, not a flodl Tensor; "
                    "convert it with flodl.Tensor.from_torch(t)"
                )
            raise TypeError(f"save: {name!r} is a {type(value).__name__}, not a Tensor or Variable")
        pairs.append((name, value))
    _flodl._save(pairs, os.fspath(path))


def _what_instead(obj: object) -> str:
    """Why ``obj`` is not a state dict, and what to pass instead."""
    kind = type(obj).__name__
    takes = "takes a state dict (names to tensors)"
    if callable(getattr(obj, "state_dict", None)) and hasattr(obj, "named_parameters"):
        # A module: its tensors are in its state dict.
        return f"{takes}, got a {kind}; save model.state_dict() instead"
    if _is_torch_tensor(obj):
        return f"{takes}, got a torch tensor; save {{'name': flodl.Tensor.from_torch(t)}} instead"
    if isinstance(obj, (Tensor, Variable)):
        return f"{takes}, got a {kind}; save {{'name': tensor}} instead"
    return f"{takes}, got a {kind}"


def load(path: PathLike) -> dict[str, Tensor]:
    """The tensors of the safetensors file at ``path``, by name, in the
    file's order, on the CPU. A missing, truncated or malformed file is an
    ArgumentError, and nothing is returned."""
    return dict(_flodl._load(os.fspath(path)))
