"""The named results of the ops that give values and their indices, as
``torch.return_types``: ``x.max(dim)``, ``x.min(dim)``, ``x.sort()``,
``x.topk(k)``, ``x.kthvalue(k)``, ``x.median(dim)``, ``x.mode()`` return
tuples that also have ``.values`` and ``.indices``."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

__all__ = ["kthvalue", "max", "median", "min", "mode", "sort", "topk"]


def _return_type(name: str) -> type:
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self: Any) -> str:
        return f"flodl.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = __name__
    return cls


max = _return_type("max")
min = _return_type("min")
sort = _return_type("sort")
topk = _return_type("topk")
kthvalue = _return_type("kthvalue")
median = _return_type("median")
mode = _return_type("mode")
