"""``no_grad``: a context manager, a decorator, and a direct call."""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

from ._flodl import set_grad_enabled

T = TypeVar("T")


class no_grad:
    """Turns graph recording off on this thread.

    - ``with no_grad(): ...`` records nothing inside the block;
    - ``@no_grad()`` does the same for every call of a function;
    - ``no_grad(fn)`` calls ``fn()`` at once with recording off and returns
      its result, like the Rust ``no_grad(|| ...)``.

    The previous state comes back on exit, exceptions included; blocks nest.
    """

    def __new__(cls, fn: Callable[[], T] | None = None) -> Any:
        if fn is not None:
            with cls():
                return fn()
        return super().__new__(cls)

    def __init__(self, fn: Callable[[], Any] | None = None) -> None:
        # One stack of saved states per thread, so that one instance can be
        # entered re-entrantly and from several threads.
        self._saved = threading.local()

    def __enter__(self) -> None:
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(set_grad_enabled(False))

    def __exit__(self, *exc_info: object) -> None:
        set_grad_enabled(self._saved.stack.pop())

    def __call__(self, fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with self:
                return fn(*args, **kwargs)

        return wrapper
