"""``flodl.backends.cudnn``: ``benchmark`` (set in libtorch: cuDNN times
its algorithms per input shape and keeps the fastest) and ``deterministic``
(recorded; turning it on with CUDA is refused, as flodl cannot pass it to
libtorch yet). Assigning the attributes works as in PyTorch."""

from __future__ import annotations

import sys
import types

from .. import _flodl
from .._flodl import ArgumentError


def is_available() -> bool:
    """Whether cuDNN can be used."""
    return _flodl._cudnn_available()


class _CudnnModule(types.ModuleType):
    """The module's class, so that assigning ``benchmark`` reaches libtorch."""

    enabled = True
    allow_tf32 = True
    _benchmark = False
    _deterministic = False

    @property
    def benchmark(self) -> bool:
        return self._benchmark

    @benchmark.setter
    def benchmark(self, value: bool) -> None:
        _flodl._cudnn_set_benchmark(bool(value))
        self._benchmark = bool(value)

    @property
    def deterministic(self) -> bool:
        return self._deterministic

    @deterministic.setter
    def deterministic(self, value: bool) -> None:
        if value and _flodl.cuda_available():
            raise ArgumentError(
                "backends.cudnn.deterministic: not supported with CUDA in flodl yet; "
                "seed with manual_seed and keep benchmark False"
            )
        self._deterministic = bool(value)


sys.modules[__name__].__class__ = _CudnnModule
