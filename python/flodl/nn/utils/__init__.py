"""Gradient clipping, parameter flattening and weight normalisation, as
``torch.nn.utils``: ``clip_grad_norm_`` (and its halves ``get_total_norm``,
``clip_grads_with_norm_``), ``clip_grad_value_``,
``parameters_to_vector``, ``vector_to_parameters``, ``weight_norm``,
``remove_weight_norm``, ``spectral_norm``, ``remove_spectral_norm``;
``parametrize``, ``parametrizations`` and ``prune``; padded and packed sequences in
``flodl.nn.utils.rnn``; ``stateless.functional_call``; ``fusion``'s
``fuse_conv_bn_eval`` and the others; ``skip_init``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Union

from ... import _flodl
from ..._flodl import ArgumentError, Tensor, Variable
from ..module import Module as _Module
from . import fusion, parametrizations, parametrize, prune, rnn, stateless
from ._spectral_norm import remove_spectral_norm, spectral_norm
from ._weight_norm import remove_weight_norm, weight_norm
from .fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "fusion",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "prune",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "skip_init",
    "spectral_norm",
    "stateless",
    "vector_to_parameters",
    "weight_norm",
]

Parameters = Union[Variable, Iterable[Variable]]


def _as_list(parameters: Parameters, caller: str) -> list[Variable]:
    if isinstance(parameters, Variable):
        return [parameters]
    if isinstance(parameters, Tensor):
        raise ArgumentError(f"{caller}: expected Variables (parameters), got a Tensor")
    try:
        params = list(parameters)
    except TypeError:
        raise ArgumentError(
            f"{caller}: expected a Variable or an iterable of Variables, "
            f"got {type(parameters).__name__}"
        ) from None
    for p in params:
        if not isinstance(p, Variable):
            raise ArgumentError(f"{caller}: expected Variables, got a {type(p).__name__}")
    return params


def _grads(parameters: Parameters, caller: str) -> list[Tensor]:
    grads = []
    for p in _as_list(parameters, caller):
        g = p.grad
        if g is not None:
            grads.append(g)
    return grads


def clip_grad_norm_(
    parameters: Parameters,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scales the gradients in place so that their total ``norm_type``-norm
    (over all of them, as one vector) is at most ``max_norm``; returns that
    total norm before clipping, as ``torch.nn.utils.clip_grad_norm_``.
    ``error_if_nonfinite`` raises when the norm is nan or inf. ``foreach`` is
    accepted for compatibility: the kernel always works on the whole list."""
    grads = _grads(parameters, "clip_grad_norm_")
    return _flodl._clip_grad_norm(grads, float(max_norm), float(norm_type), error_if_nonfinite)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type``-norm of ``tensors`` taken as one vector (0 for
    none), as ``torch.nn.utils.get_total_norm``; ``error_if_nonfinite``
    raises when it is nan or inf."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    values = [t.data if isinstance(t, Variable) else t for t in tensors]
    return _flodl._total_norm(values, float(norm_type), error_if_nonfinite)


def clip_grads_with_norm_(
    parameters: Parameters, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Scales the gradients in place by ``min(1, max_norm / (total_norm +
    1e-6))``, as ``torch.nn.utils.clip_grads_with_norm_`` (with
    ``get_total_norm`` of the gradients, ``clip_grad_norm_`` in two steps)."""
    grads = _grads(parameters, "clip_grads_with_norm_")
    _flodl._clip_grads_with_norm(grads, float(max_norm), total_norm)


def clip_grad_value_(
    parameters: Parameters, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamps each gradient into ``[-clip_value, clip_value]`` in place, as
    ``torch.nn.utils.clip_grad_value_``."""
    _flodl._clip_grads_value(_grads(parameters, "clip_grad_value_"), float(clip_value))


def parameters_to_vector(parameters: Parameters) -> Variable:
    """The parameters flattened and joined into one vector (differentiable), as
    ``torch.nn.utils.parameters_to_vector``; Tensors (their gradients, as
    ``p.grad for p in model.parameters()``) give a Tensor."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return _flodl._parameters_to_vector(list(parameters))


def vector_to_parameters(vec: Tensor | Variable, parameters: Parameters) -> None:
    """Copies consecutive slices of the vector ``vec`` into the parameters'
    values (their ``data``), as ``torch.nn.utils.vector_to_parameters``."""
    _flodl._vector_to_parameters(vec, _as_list(parameters, "vector_to_parameters"))


def skip_init(module_cls: Any, *args: Any, **kwargs: Any) -> Any:
    """``module_cls(*args, **kwargs)`` whose parameters the caller will
    overwrite, as ``torch.nn.utils.skip_init`` (the class must take a
    ``device`` argument, as torch asks). flodl makes the module as usual:
    its starting values are defined, where torch's are left uninitialized."""
    import inspect

    if not isinstance(module_cls, type) or not issubclass(module_cls, _Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")  # noqa: TRY004 (torch's)
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)


def __getattr__(name: str) -> object:
    # Submodules (``torch.nn.utils.<name>``) on first use.
    from ..._submodules import submodule

    module = submodule(__name__, name)
    if module is not None:
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
