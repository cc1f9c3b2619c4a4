"""Parameter initialisation, as ``torch.nn.init``: the same formulas and the
same draws from libtorch's generator, so that a seeded flodl layer equals
the seeded torch layer (``generator=`` draws from that generator, as
torch's). Each function fills its argument in place (without
recording a graph) and returns it. The formulas are Rust's
``flodl::nn::init``, which Rust's layers use too."""

from __future__ import annotations

import warnings
from typing import Any, Callable, TypeVar, Union

from .. import _flodl
from .._flodl import Tensor, Variable

_T = TypeVar("_T", bound=Union[Tensor, Variable])

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for ``nonlinearity``: 1 for linear, conv and
    sigmoid; 5/3 for tanh; sqrt(2) for relu; sqrt(2 / (1 + slope**2)) for
    leaky_relu (slope ``param``, default 0.01); 3/4 for selu."""
    return _flodl._nn_init_gain(nonlinearity, param)


def _calculate_fan_in_and_fan_out(tensor: Tensor | Variable) -> tuple[int, int]:
    return _flodl._nn_init_fans(tensor)


def _fill(name: str, tensor: _T, generator: Any = None, **kwargs: Any) -> _T:
    """``tensor`` filled by the Rust initialiser ``name``; with a
    ``generator`` (a ``flodl.Generator``, torch's on the same libtorch), its
    draws come from that generator as torch's: flodl's own fill runs first
    for its checks and typed errors, its draws undone (the default stream
    is left as it was), then torch's ``nn.init`` fills the same memory from
    the generator."""
    if generator is None:
        _flodl._nn_init(name, tensor, **kwargs)
        return tensor
    import torch

    from ..random import fork_rng

    with fork_rng():
        _flodl._nn_init(name, tensor, **kwargs)
    with torch.no_grad():
        getattr(torch.nn.init, name)(tensor.detach().to_torch(), **kwargs, generator=generator)
    return tensor


def _layer_default_(weight: Any, bias: Any) -> None:
    """How linear and convolution layers start (PyTorch's
    ``reset_parameters``): flodl::nn::init::layer_default_, which Rust's
    layers start from too."""
    _flodl._nn_init("layer_default_", weight, bias=bias)


def _layer_recipe(name: str, parameters: list[Any], **kwargs: Any) -> None:
    """How another layer starts (``bilinear_default_``,
    ``recurrent_default_``, ``embedding_default_``, ``attention_default_``,
    ``xavier_matrices_``): the recipe of flodl::nn::init that Rust's layers
    start from too."""
    _flodl._nn_layer_init(name, parameters, **kwargs)


def uniform_(tensor: _T, a: float = 0.0, b: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` from U(a, b)."""
    return _fill("uniform_", tensor, generator, a=a, b=b)


def normal_(tensor: _T, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` from N(mean, std**2)."""
    return _fill("normal_", tensor, generator, mean=mean, std=std)


def trunc_normal_(
    tensor: _T,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> _T:
    """Fills ``tensor`` from N(mean, std**2) truncated to [a, b]."""
    return _fill("trunc_normal_", tensor, generator, mean=mean, std=std, a=a, b=b)


def constant_(tensor: _T, val: float) -> _T:
    """Fills ``tensor`` with ``val``."""
    return _fill("constant_", tensor, val=val)


def ones_(tensor: _T) -> _T:
    """Fills ``tensor`` with ones."""
    return _fill("ones_", tensor)


def zeros_(tensor: _T) -> _T:
    """Fills ``tensor`` with zeros."""
    return _fill("zeros_", tensor)


def eye_(tensor: _T) -> _T:
    """Fills a 2-d ``tensor`` with the identity matrix."""
    return _fill("eye_", tensor)


def dirac_(tensor: _T, groups: int = 1) -> _T:
    """Fills a 3-, 4- or 5-d convolution weight with the Dirac delta (each
    group's input channels pass through)."""
    return _fill("dirac_", tensor, groups=groups)


def xavier_uniform_(tensor: _T, gain: float = 1.0, generator: Any = None) -> _T:
    """Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    return _fill("xavier_uniform_", tensor, generator, gain=gain)


def xavier_normal_(tensor: _T, gain: float = 1.0, generator: Any = None) -> _T:
    """Glorot normal: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    return _fill("xavier_normal_", tensor, generator, gain=gain)


def kaiming_uniform_(
    tensor: _T,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> _T:
    """He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan)."""
    return _fill("kaiming_uniform_", tensor, generator, a=a, mode=mode, nonlinearity=nonlinearity)


def kaiming_normal_(
    tensor: _T,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> _T:
    """He normal: N(0, std**2), std = gain / sqrt(fan)."""
    return _fill("kaiming_normal_", tensor, generator, a=a, mode=mode, nonlinearity=nonlinearity)


def orthogonal_(tensor: _T, gain: float = 1.0, generator: Any = None) -> _T:
    """A (semi-)orthogonal matrix times ``gain`` (dims after the first flattened)."""
    return _fill("orthogonal_", tensor, generator, gain=gain)


def sparse_(tensor: _T, sparsity: float, std: float = 0.01, generator: Any = None) -> _T:
    """A 2-d matrix of N(0, std**2) values with a fraction ``sparsity`` of
    each column zero."""
    return _fill("sparse_", tensor, generator, sparsity=sparsity, std=std)


def _deprecated(new: Callable[..., Any]) -> Callable[..., Any]:
    """PyTorch's old name (``xavier_uniform``) of ``new``: the same, with its
    FutureWarning."""
    old_name = new.__name__[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"Deprecated: ``{new.__name__}``."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
