"""``flodl.backends``: the switches PyTorch programs set (``cudnn``) and
query (``mps``)."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
