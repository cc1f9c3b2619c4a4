"""``flodl.backends``: the switches PyTorch programs set (``cudnn``,
``cuda.matmul``) and query (``mps``)."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
