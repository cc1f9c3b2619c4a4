"""``torch.utils.data.dataloader``'s names, as PyTorch programs import them:
flodl's ``DataLoader`` (which yields flodl tensors)."""

from . import DataLoader, default_collate, default_convert, get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
