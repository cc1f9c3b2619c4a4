"""``flodl.backends.cudnn``: ``benchmark`` (cuDNN times its algorithms per
input shape and keeps the fastest), ``deterministic`` (cuDNN's
deterministic algorithms only) and ``allow_tf32`` (TF32 convolutions), each
set in libtorch. Assigning the attributes works as in PyTorch."""

from __future__ import annotations

import sys
import types

from .. import _flodl


def is_available() -> bool:
    """Whether cuDNN can be used."""
    return _flodl._cudnn_available()


class _CudnnModule(types.ModuleType):
    """The module's class, so that assigning the switches reaches libtorch."""

    enabled = True
    _benchmark = False

    @property
    def benchmark(self) -> bool:
        return self._benchmark

    @benchmark.setter
    def benchmark(self, value: bool) -> None:
        _flodl._cudnn_set_benchmark(bool(value))
        self._benchmark = bool(value)

    @property
    def deterministic(self) -> bool:
        return _flodl._switches()["cudnn_deterministic"]

    @deterministic.setter
    def deterministic(self, value: bool) -> None:
        _flodl._switches(cudnn_deterministic=bool(value))

    @property
    def allow_tf32(self) -> bool:
        return _flodl._switches()["tf32_cudnn"]

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _flodl._switches(tf32_cudnn=bool(value))


sys.modules[__name__].__class__ = _CudnnModule
