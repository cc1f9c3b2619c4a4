"""``flodl.amp``: mixed precision, as ``torch.amp``.

``autocast`` runs each op in the dtype libtorch's autocast policy gives it
(float16/bfloat16 for matmul, conv and linear; float32 for softmax, losses
and norms); ``GradScaler`` scales the loss so float16 gradients do not
underflow and skips steps whose gradients hold inf or NaN. Both are
``flodl::amp`` in Rust, the same code Rust programs run.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from . import _flodl
from ._flodl import GradScaler

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class autocast:
    """A region where ops run in lower precision, as ``torch.autocast``.

    ``device_type`` is ``"cuda"`` or ``"cpu"``; ``dtype`` defaults to that
    device type's autocast dtype (float16 on CUDA, bfloat16 on the CPU).
    ``enabled=False`` turns autocast off inside an enabled region. The
    state is per thread; regions nest. Use it as a context manager or as a
    decorator::

        with flodl.autocast("cpu", dtype=flodl.bfloat16):
            y = model(x)          # linear layers run in bfloat16
        loss = loss_fn(y.float(), target)
    """

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise TypeError(
                f"autocast: device_type must be a str ('cuda' or 'cpu'), "
                f"got {type(device_type).__name__}"
            )
        self.device = device_type
        # As torch's: the device type's autocast dtype when it was made.
        self.fast_dtype = dtype if dtype is not None else _flodl.get_autocast_dtype(device_type)
        self._enabled = enabled
        self._cache_enabled = cache_enabled
        self._regions: list[Any] = []

    def __enter__(self) -> None:
        self._regions.append(
            _flodl._autocast_enter(self.device, self.fast_dtype, self._enabled, self._cache_enabled)
        )

    def __exit__(self, *exc: object) -> None:
        _flodl._autocast_exit(self._regions.pop())

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)

        return decorated  # type: ignore[return-value]


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` on this thread."""
    return _flodl.is_autocast_enabled(device_type)


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast casts to on ``device_type``."""
    return _flodl.get_autocast_dtype(device_type)
