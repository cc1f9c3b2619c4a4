"""``flodl.Size``: what ``x.shape`` and ``x.size()`` return."""

from __future__ import annotations

import math
from typing import Any


class Size(tuple):
    """The shape of a tensor: a tuple of ints (index it, unpack it, hash it),
    equal to a tuple of the same ints and, as ``torch.Size``, to no list
    (``x.shape == [2, 3]`` is False: compare with ``(2, 3)``)."""

    __slots__ = ()

    # Slices, sums and repeats of a Size are Sizes, as torch.Size's.
    def __getitem__(self, index: Any) -> Any:
        got = tuple.__getitem__(self, index)
        return Size(got) if isinstance(index, slice) else got

    def __add__(self, other: Any) -> Any:
        got = tuple.__add__(self, other)
        return got if got is NotImplemented else Size(got)

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times: Any) -> Any:
        got = tuple.__mul__(self, times)
        return got if got is NotImplemented else Size(got)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"flodl.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)
