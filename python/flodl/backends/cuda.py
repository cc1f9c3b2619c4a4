"""``flodl.backends.cuda``: ``matmul.allow_tf32`` (float32 matmuls on CUDA
may run in TF32), the switches of ``scaled_dot_product_attention``'s
kernels (``enable_flash_sdp``, ``flash_sdp_enabled``, ...), set in libtorch,
and ``is_built()``."""

from __future__ import annotations

from .. import _flodl

__all__ = [
    "cudnn_sdp_enabled",
    "enable_cudnn_sdp",
    "enable_flash_sdp",
    "enable_math_sdp",
    "enable_mem_efficient_sdp",
    "flash_sdp_enabled",
    "is_built",
    "math_sdp_enabled",
    "matmul",
    "mem_efficient_sdp_enabled",
]


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


def _sdp_switch(name: str, kernel: str) -> tuple[object, object]:
    def enabled() -> bool:
        return _flodl._switches()[name]

    def enable(enabled: bool) -> None:
        _flodl._switches(**{name: bool(enabled)})

    enabled.__doc__ = f"Whether scaled_dot_product_attention may run the {kernel} kernel."
    enable.__doc__ = f"Allows or forbids scaled_dot_product_attention's {kernel} kernel."
    return enabled, enable


flash_sdp_enabled, enable_flash_sdp = _sdp_switch("sdp_flash", "flash attention")
mem_efficient_sdp_enabled, enable_mem_efficient_sdp = _sdp_switch(
    "sdp_mem_efficient", "memory-efficient"
)
math_sdp_enabled, enable_math_sdp = _sdp_switch("sdp_math", "math")
cudnn_sdp_enabled, enable_cudnn_sdp = _sdp_switch("sdp_cudnn", "cuDNN")
