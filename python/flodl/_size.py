"""``flodl.Size``: what ``x.shape`` and ``x.size()`` return."""

from __future__ import annotations

import math


class Size(tuple):
    """The shape of a tensor: a tuple of ints (index it, unpack it, hash it)
    that also compares equal to a list of the same ints, as ``torch.Size``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return tuple(self) == tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return f"flodl.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)
