"""``torch.nn.utils.fusion``: a convolution or linear layer and the
evaluation-mode batch norm after it folded into one layer (the same
outputs, one op fewer at inference). The arithmetic is Rust's
(``flodl::nn::utils::fuse_conv_bn_weights``, ``fuse_linear_bn_weights``)."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from ... import _flodl
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]

_M = TypeVar("_M", bound=Module)


def _values(*tensors: Any) -> list[Any]:
    """The values the folding reads (the new Parameters are leaves)."""
    return [None if t is None else t.detach() for t in tensors]


def _folded(weight: Any, bias: Any, fused: tuple[Any, Any]) -> tuple[Parameter, Parameter]:
    """The fused values as Parameters that require grad as the originals."""
    # A missing bias starts as zeros that need no grad, as torch's.
    bias_grad = False if bias is None else bias.requires_grad
    return Parameter(fused[0], weight.requires_grad), Parameter(fused[1], bias_grad)


def fuse_conv_bn_weights(
    conv_w: Any,
    conv_b: Any,
    bn_rm: Any,
    bn_rv: Any,
    bn_eps: float,
    bn_w: Any,
    bn_b: Any,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The convolution's weight and bias with the batch norm (its running
    statistics, ``eps``, weight and bias) folded in, as Parameters."""
    w, b, rm, rv, bn_weight, bn_bias = _values(conv_w, conv_b, bn_rm, bn_rv, bn_w, bn_b)
    fused = _flodl._fuse_bn_weights("conv", w, b, rm, rv, bn_eps, bn_weight, bn_bias, transpose)
    return _folded(conv_w, conv_b, fused)


def fuse_linear_bn_weights(
    linear_w: Any, linear_b: Any, bn_rm: Any, bn_rv: Any, bn_eps: float, bn_w: Any, bn_b: Any
) -> tuple[Parameter, Parameter]:
    """The linear layer's weight and bias with the batch norm folded in."""
    w, b, rm, rv, bn_weight, bn_bias = _values(linear_w, linear_b, bn_rm, bn_rv, bn_w, bn_b)
    fused = _flodl._fuse_bn_weights("linear", w, b, rm, rv, bn_eps, bn_weight, bn_bias)
    return _folded(linear_w, linear_b, fused)


def _check_eval(layer: Module, bn: Module) -> None:
    # torch asserts these; an AssertionError as its.
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("the batch norm must track running statistics")


def fuse_conv_bn_eval(conv: _M, bn: Module, transpose: bool = False) -> _M:
    """A copy of ``conv`` (in evaluation mode) computing ``bn(conv(x))``
    (``bn`` in evaluation mode, with running statistics)."""
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight,
        fused.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
        transpose,
    )
    return fused


def fuse_linear_bn_eval(linear: _M, bn: Module) -> _M:
    """A copy of ``linear`` (in evaluation mode) computing ``bn(linear(x))``;
    the batch norm has ``linear.out_features`` features or one."""
    _check_eval(linear, bn)
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1"
        )
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    return fused
