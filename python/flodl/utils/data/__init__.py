"""``flodl.utils.data``: PyTorch's data API on flodl tensors.

It is ``torch.utils.data`` itself (torch is installed beside flodl: it
provides libtorch), not a second loader: the datasets, samplers,
``random_split`` and the ``DataLoader`` are torch's, and only collation
changes, so that a loader yields flodl tensors. torch's samplers draw from
libtorch's default generator, the one ``flodl.manual_seed`` seeds, so
shuffling from a seed gives PyTorch's order. Importing this module imports
torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    Dataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
    random_split,
)
from torch.utils.data import DataLoader as _TorchDataLoader
from torch.utils.data._utils.collate import collate, default_collate_fn_map

from ..._flodl import Tensor, Variable

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]


def _stack(batch: Sequence[Tensor], *, collate_fn_map: Any = None) -> Tensor:
    """Samples that are flodl tensors, stacked along a new first dim (a
    Variable when any sample is one)."""
    joined = Variable if any(isinstance(t, Variable) for t in batch) else Tensor
    return joined.stack(list(batch), 0)


_COLLATE = {Tensor: _stack, **default_collate_fn_map}


def _to_flodl(value: Any) -> Any:
    """torch tensors made by torch's collation, as flodl Tensors (shared, no copy)."""
    if isinstance(value, torch.Tensor):
        return Tensor.from_torch(value)
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Mapping):
        try:
            return type(value)({k: _to_flodl(v) for k, v in value.items()})
        except TypeError:  # a mapping that cannot be made from a dict
            return {k: _to_flodl(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*(_to_flodl(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_to_flodl(v) for v in value)
    return value


def default_collate(batch: Any) -> Any:
    """A list of samples as one batch, as ``torch.utils.data.default_collate``:
    flodl tensors are stacked, numpy arrays and numbers become flodl Tensors
    (Python floats float64, ints int64, as PyTorch's), and tuples, lists,
    dicts and namedtuples of them are collated field by field."""
    return _to_flodl(collate(batch, collate_fn_map=_COLLATE))


def default_convert(data: Any) -> Any:
    """One sample's numpy arrays as flodl Tensors (the loader's conversion
    when ``batch_size=None``)."""
    from torch.utils.data import default_convert as torch_convert

    return _to_flodl(torch_convert(data))


class DataLoader(_TorchDataLoader):
    """``torch.utils.data.DataLoader`` whose batches are flodl tensors: the
    same arguments, samplers, workers and order; only the default
    ``collate_fn`` is flodl's ``default_collate``."""

    def __init__(self, dataset: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("collate_fn") is None and len(args) < 6:
            batched = kwargs.get("batch_size", args[0] if args else 1) is not None
            kwargs["collate_fn"] = default_collate if batched else default_convert
        super().__init__(dataset, *args, **kwargs)


def __getattr__(name: str) -> object:
    # Submodules (``torch.utils.data.<name>``) on first use.
    from ..._submodules import submodule

    module = submodule(__name__, name)
    if module is not None:
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
