"""The older spellings of mixed precision, ``torch.cuda.amp`` and
``torch.cpu.amp``, as ``flodl.cuda.amp`` and ``flodl.cpu.amp``: an
``autocast`` and a ``GradScaler`` for one device type, which warn (as
PyTorch's do) and are ``flodl.amp``'s. ``import flodl.cuda.amp`` and
``from flodl.cpu.amp import autocast`` work, as programs written for the
older API import them."""

from __future__ import annotations

import sys
import warnings
from types import ModuleType
from typing import Any

from . import amp


def _deprecated(device: str, name: str) -> None:
    warnings.warn(
        f"flodl.{device}.amp.{name}(args...) is deprecated (as torch.{device}.amp.{name}): "
        f"use flodl.amp.{name}('{device}', args...)",
        FutureWarning,
        stacklevel=3,
    )


def _namespace(device: str) -> ModuleType:
    """The module ``flodl.<device>.amp``."""

    class autocast(amp.autocast):
        __doc__ = f"``flodl.amp.autocast('{device}', ...)`` under its older name."

        def __init__(
            self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True
        ) -> None:
            _deprecated(device, "autocast")
            super().__init__(device, dtype, enabled, cache_enabled)

    class GradScaler(amp.GradScaler):
        __doc__ = f"``flodl.amp.GradScaler('{device}', ...)`` under its older name."

        def __new__(
            cls,
            init_scale: float = 65536.0,
            growth_factor: float = 2.0,
            backoff_factor: float = 0.5,
            growth_interval: int = 2000,
            enabled: bool = True,
        ) -> amp.GradScaler:
            _deprecated(device, "GradScaler")
            return super().__new__(
                cls, device, init_scale, growth_factor, backoff_factor, growth_interval, enabled
            )

    module = ModuleType(f"flodl.{device}.amp", __doc__)
    for named in (autocast, GradScaler):
        named.__module__, named.__qualname__ = module.__name__, named.__name__
    module.autocast = autocast  # type: ignore[attr-defined]
    module.GradScaler = GradScaler  # type: ignore[attr-defined]
    module.__all__ = ["GradScaler", "autocast"]  # type: ignore[attr-defined]
    # Registered so that the import statement finds it.
    sys.modules[module.__name__] = module
    return module


cuda_amp = _namespace("cuda")
cpu_amp = _namespace("cpu")

cpu = ModuleType("flodl.cpu", "``torch.cpu``'s mixed precision, under its older name (``amp``).")
cpu.amp = cpu_amp  # type: ignore[attr-defined]
sys.modules[cpu.__name__] = cpu


def _older_query(name: str, query: Any, device: str) -> Any:
    """``torch.<name>()``: ``flodl.amp``'s ``query(device)`` under its
    older, deprecated name (warning as PyTorch's does)."""

    def older() -> Any:
        warnings.warn(
            f"flodl.{name}() is deprecated (as torch.{name}): "
            f"use flodl.{query.__name__}('{device}')",
            DeprecationWarning,
            stacklevel=2,
        )
        return query(device)

    older.__name__ = older.__qualname__ = name
    older.__doc__ = f"``flodl.{query.__name__}('{device}')`` under its older name."
    return older


get_autocast_cpu_dtype = _older_query("get_autocast_cpu_dtype", amp.get_autocast_dtype, "cpu")
get_autocast_gpu_dtype = _older_query("get_autocast_gpu_dtype", amp.get_autocast_dtype, "cuda")
is_autocast_cpu_enabled = _older_query("is_autocast_cpu_enabled", amp.is_autocast_enabled, "cpu")
