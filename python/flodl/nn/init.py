"""Parameter initialisation, as ``torch.nn.init``: the same formulas and the
same draws from libtorch's generator, so that a seeded flodl layer equals
the seeded torch layer. Each function fills its argument in place (under
``no_grad``) and returns it."""

from __future__ import annotations

import math
import warnings
from typing import Any, TypeVar, Union

from .._flodl import ArgumentError, Tensor, Variable
from .._grad_mode import no_grad

_T = TypeVar("_T", bound=Union[Tensor, Variable])

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for ``nonlinearity``: 1 for linear, conv and
    sigmoid; 5/3 for tanh; sqrt(2) for relu; sqrt(2 / (1 + slope**2)) for
    leaky_relu (slope ``param``, default 0.01); 3/4 for selu."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ArgumentError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ArgumentError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor | Variable) -> tuple[int, int]:
    shape = list(tensor.shape)
    if len(shape) < 2:
        raise ArgumentError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor | Variable, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ArgumentError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: _T, a: float = 0.0, b: float = 1.0) -> _T:
    """Fills ``tensor`` from U(a, b)."""
    with no_grad():
        tensor.uniform_(a, b)  # type: ignore[union-attr]
    return tensor


def normal_(tensor: _T, mean: float = 0.0, std: float = 1.0) -> _T:
    """Fills ``tensor`` from N(mean, std**2)."""
    with no_grad():
        tensor.normal_(mean, std)  # type: ignore[union-attr]
    return tensor


def constant_(tensor: _T, val: float) -> _T:
    """Fills ``tensor`` with ``val``."""
    with no_grad():
        tensor.fill_(val)
    return tensor


def ones_(tensor: _T) -> _T:
    """Fills ``tensor`` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: _T) -> _T:
    """Fills ``tensor`` with zeros."""
    with no_grad():
        tensor.zero_()
    return tensor


def xavier_uniform_(tensor: _T, gain: float = 1.0) -> _T:
    """Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: _T, gain: float = 1.0) -> _T:
    """Glorot normal: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std)


def _kaiming_std(tensor: Tensor | Variable, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_uniform_(
    tensor: _T, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> _T:
    """He uniform: U(-b, b), b = gain * sqrt(3 / fan), fan by ``mode``."""
    if 0 in list(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: _T, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> _T:
    """He normal: N(0, std**2), std = gain / sqrt(fan), fan by ``mode``."""
    if 0 in list(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))
