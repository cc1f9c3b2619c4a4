"""``flodl.backends.cuda``: ``matmul.allow_tf32`` (float32 matmuls on CUDA
may run in TF32), set in libtorch, and ``is_built()``."""

from __future__ import annotations

from .. import _flodl

__all__ = ["is_built", "matmul"]


def is_built() -> bool:
    """Whether the libtorch flodl runs on was built with CUDA (and a GPU is here)."""
    return _flodl.cuda_available()


class _Matmul:
    """``torch.backends.cuda.matmul``: its switches, in libtorch."""

    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self) -> bool:
        return _flodl._switches()["tf32_matmul"]

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _flodl._switches(tf32_matmul=bool(value))


matmul = _Matmul()
