"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and
``inference_mode``, each a
context manager and a decorator (of functions and of generator functions),
as PyTorch's. Grad mode is per thread; leaving a block, by an exception
too, restores the state it found."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from typing import Any, Callable, TypeVar

from . import _flodl

T = TypeVar("T")


class _GradMode:
    """A context manager and decorator that sets grad mode to ``enabled``."""

    enabled: bool

    def __init__(self) -> None:
        # One stack of saved states per thread, so that one instance can be
        # entered re-entrantly and from several threads.
        self._saved = threading.local()

    def __enter__(self) -> None:
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(_flodl.set_grad_enabled(self.enabled))

    def __exit__(self, *exc_info: object) -> None:
        _flodl.set_grad_enabled(self._saved.stack.pop())

    def __call__(self, fn: Callable[..., T]) -> Callable[..., T]:
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(self, fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def _generator_in_mode(mode: _GradMode, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a generator function so that its body runs in `mode` each time
    it resumes, while the caller's code between resumptions keeps its own."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        generator = fn(*args, **kwargs)
        try:
            with mode:
                response = generator.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with mode:
                        generator.close()
                    raise
                except BaseException:  # noqa: BLE001 - passed on into the generator
                    with mode:
                        response = generator.throw(*sys.exc_info())
                else:
                    with mode:
                        response = generator.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


def _check_bool(name: str, what: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: {what} must be a bool, got {type(value).__name__}")


def _takes_parameters(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` has any parameter (``self``, ``*args`` or one with a
    default included): only a function of none is the closure form."""
    try:
        return bool(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def _check_callable(name: str, fn: Any) -> None:
    if not callable(fn):
        raise TypeError(
            f"{name}: takes no argument or a function, got {type(fn).__name__}; "
            f"use `with {name}():`"
        )


class no_grad(_GradMode):
    """Turns graph recording off on this thread.

    - ``with no_grad(): ...`` records nothing inside the block;
    - ``@no_grad()`` does the same for every call of a function (or every
      step of a generator);
    - ``no_grad(fn)`` of a function without parameters (``lambda: ...``)
      calls ``fn()`` at once with recording off and returns its result,
      like the Rust ``no_grad(|| ...)``;
    - ``@no_grad`` without parentheses on a function with parameters (a
      method, ``*args``, defaults included) decorates it, as PyTorch's bare
      decorator. A function without parameters would be called at once:
      decorate it with ``@no_grad()``.
    """

    enabled = False

    def __new__(cls, fn: Callable[[], T] | None = None) -> Any:
        if fn is not None:
            _check_callable("no_grad", fn)
            if _takes_parameters(fn) or inspect.isgeneratorfunction(fn):
                return cls()(fn)
            with cls():
                return fn()
        return super().__new__(cls)

    def __init__(self, fn: Callable[[], Any] | None = None) -> None:
        super().__init__()


class enable_grad(_GradMode):
    """Turns graph recording on on this thread (inside ``no_grad``, say).
    ``enable_grad(fn)`` is ``enable_grad()(fn)``, as in PyTorch."""

    enabled = True

    def __new__(cls, fn: Callable[..., T] | None = None) -> Any:
        if fn is not None:
            _check_callable("enable_grad", fn)
            return cls()(fn)
        return super().__new__(cls)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        super().__init__()


class set_grad_enabled(_GradMode):
    """Sets grad mode on this thread to ``mode`` at once; as a context
    manager, restores the previous mode on exit, as ``torch.set_grad_enabled``."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        # As PyTorch: a non-bool ("no", 0, None) is rejected, not read as truthy.
        _check_bool("set_grad_enabled", "mode", mode)
        self.enabled = mode
        self._previous: bool | None = _flodl.set_grad_enabled(self.enabled)

    def __enter__(self) -> None:
        if self._previous is None:
            super().__enter__()
            return
        # Entered right after construction: the mode is set already, and the
        # state to restore is the one before it.
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(self._previous)
        self._previous = None

    def __call__(self, fn: Callable[..., T]) -> Callable[..., T]:
        # As a decorator it sets the mode for each call only.
        if self._previous is not None:
            _flodl.set_grad_enabled(self._previous)
            self._previous = None
        return super().__call__(fn)


class inference_mode:
    """libtorch's inference mode on this thread, as ``torch.inference_mode``:
    no graph, and the tensors made inside are inference tensors (faster;
    they cannot enter a graph later). ``inference_mode(False)`` leaves it
    inside an outer block. A context manager and a decorator (generator
    functions too)."""

    def __new__(cls, mode: Any = True) -> Any:
        # ``@inference_mode`` without parentheses decorates, as in PyTorch.
        if not isinstance(mode, bool) and callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        _check_bool("inference_mode", "mode", mode)
        self.mode = mode
        self._guards = threading.local()

    def __enter__(self) -> None:
        stack = self._guards.__dict__.setdefault("stack", [])
        stack.append(_flodl._InferenceMode(self.mode))

    def __exit__(self, *exc_info: object) -> None:
        self._guards.stack.pop().exit()

    def __call__(self, fn: Callable[..., T]) -> Callable[..., T]:
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(self, fn)  # type: ignore[arg-type]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with self:
                return fn(*args, **kwargs)

        return wrapper
