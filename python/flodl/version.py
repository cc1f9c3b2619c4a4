"""``flodl.version``: flodl's ``__version__``, and (as ``torch.version``)
the ``cuda``, ``hip``, ``git_version`` and ``debug`` of the libtorch flodl
runs on, read from its torch package when first asked for."""

from __future__ import annotations

from ._flodl import __version__

__all__ = ["__version__"]  # and, read when asked for, cuda, hip, git_version, debug


def __getattr__(name: str) -> object:
    if name in ("cuda", "hip", "git_version", "debug"):
        import torch.version

        return getattr(torch.version, name)
    raise AttributeError(f"module 'flodl.version' has no attribute {name!r}")
