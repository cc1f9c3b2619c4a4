"""``flodl.serialization``: ``save`` and ``load`` and the ``weights_only``
allow-list (``add_safe_globals``, ``safe_globals``), at
``torch.serialization``'s path."""

from __future__ import annotations

from ._io import *  # this module is _io's names at torch's path
from ._io import __all__  # noqa: F401
