"""``flodl.types``: the type aliases ``torch.types`` gives annotations
(``Number``, ``Device``, ``_size``, ...), naming flodl's classes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Union

from ._flodl import Device as _Device
from ._flodl import DType, Tensor
from ._size import Size

__all__ = ["Device", "FileLike", "Number", "Tensor"]

_int = int
_float = float
_bool = bool
_complex = complex
_str = str
_bytes = bytes
_device = _Device
_dtype = DType
_size = Union[Size, list[int], tuple[int, ...]]
_symsize = _size
_TensorOrTensors = Union[Tensor, Sequence[Tensor]]
_TensorOrOptionalTensors = Union[Tensor, Sequence[Union[Tensor, None]]]
IntLikeType = int
FloatLikeType = float
BoolLikeType = bool
_Number = (int, float, bool)
Number = Union[int, float, bool]
Device = Union[_Device, str, int, None]
FileLike = Union[str, os.PathLike, IO[bytes]]
