"""``torch.nn.parallel``'s names: ``DistributedDataParallel`` (flodl's, from
``flodl.distributed``, which imports torch for its collectives). There is
no single-process ``DataParallel``: run one process per device with
``DistributedDataParallel``, as PyTorch itself recommends."""

from __future__ import annotations

from ..distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]


def __getattr__(name: str) -> object:
    message = f"module 'flodl.nn.parallel' has no attribute {name!r}"
    if name == "DataParallel":
        message += (
            "; torch.nn.DataParallel is not in flodl: run one process per device with "
            "flodl.nn.parallel.DistributedDataParallel"
        )
    raise AttributeError(message)
