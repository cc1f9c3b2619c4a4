"""``flodl.autograd.forward_ad``, as ``torch.autograd.forward_ad``: inside
``with dual_level():``, a tensor made by ``make_dual(x, v)`` carries the
tangent ``v`` through every op, and ``unpack_dual(y).tangent`` is the
Jacobian-vector product ``J v``, in one forward pass (libtorch's dual
tensors; Rust ``flodl::autograd::forward_ad``). One level at a time, as in
PyTorch; ``flodl.func.jvp`` is the one-call form."""

from __future__ import annotations

from typing import NamedTuple

from . import _flodl
from ._flodl import AutogradError, Tensor

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

# The levels open, innermost last (libtorch holds one at a time).
_levels: list[int] = []


class UnpackedDualTensor(NamedTuple):
    """``unpack_dual``'s result: the primal, and the tangent (None when the
    tensor carries none)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    """Opens a forward-AD level and returns its index (``dual_level`` is
    the ``with`` form)."""
    level = _flodl._enter_dual_level()
    _levels.append(level)
    return level


def exit_dual_level(*, level: int | None = None) -> None:
    """Closes ``level`` (the innermost by default); its tangents go with it."""
    if level is None:
        if not _levels:
            raise AutogradError("exit_dual_level: no dual level is open")
        level = _levels[-1]
    _flodl._exit_dual_level(level)
    if level in _levels:
        _levels.remove(level)


class dual_level:
    """``with dual_level():`` opens a forward-AD level for the block."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """``tensor`` carrying ``tangent`` (its shape; floating point) at
    ``level`` (the innermost open one by default): its ops carry the
    tangent along, and backward goes through it as through ``tensor``."""
    if level is None:
        if not _levels:
            raise AutogradError(
                "make_dual: to create a dual tensor, enter a dual level first "
                "(with forward_ad.dual_level(): ...)"
            )
        level = _levels[-1]
    return _flodl._make_dual(tensor, tangent, level)


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor`` at ``level`` (the innermost open
    one by default); outside any level, ``(tensor, None)``."""
    if level is None:
        if not _levels:
            return UnpackedDualTensor(tensor, None)
        level = _levels[-1]
    primal, tangent = _flodl._unpack_dual(tensor, level)
    return UnpackedDualTensor(primal, tangent)
