"""``torch.utils.data.distributed``'s ``DistributedSampler``."""

from torch.utils.data.distributed import DistributedSampler

__all__ = ["DistributedSampler"]
