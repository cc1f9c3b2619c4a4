"""Layers with PyTorch's names, arguments, parameter order and initialisation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Union

from .. import _flodl
from .._flodl import ArgumentError, OutOfRangeError, ShapeError, Tensor, Variable
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

TensorLike = Union[Tensor, Variable]

__all__ = [
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "Bilinear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "Identity",
    "LayerNorm",
    "Linear",
    "MaxPool1d",
    "MaxPool2d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Unflatten",
]


def _empty(shape: Sequence[int], device: Any, dtype: Any) -> Parameter:
    """A Parameter of uninitialised values (each layer fills it, as PyTorch)."""
    options: dict[str, Any] = {}
    if device is not None:
        options["device"] = device
    if dtype is not None:
        options["dtype"] = dtype
    return Parameter(Tensor.empty(list(shape), **options))


def _filled(shape: Sequence[int], value: float, device: Any, dtype: Any) -> Tensor:
    options: dict[str, Any] = {}
    if device is not None:
        options["device"] = device
    if dtype is not None:
        options["dtype"] = dtype
    return Tensor.full(list(shape), value, **options)


def _shape_error(module: Module, expected: str, input: Any) -> ShapeError:
    shape = list(input.shape) if hasattr(input, "shape") else type(input).__name__
    return ShapeError(f"{module._layer_name()}: expected input {expected}, got {shape}")


def _ntuple(value: Any, n: int) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ArgumentError(f"expected {n} values, got {len(value)}: {value}")
        return tuple(value)
    return (value,) * n


def _dims(names: str) -> str:
    return ", ".join(names)


class Identity(Module):
    """Returns its input; takes and ignores any arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``; ``weight`` ``[out_features, in_features]``,
    both from U(-1/sqrt(in_features), 1/sqrt(in_features))."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty((out_features, in_features), device, dtype)
        if bias:
            self.bias = _empty((out_features,), device, dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_default_(self.weight, self.bias)

    def forward(self, input: TensorLike) -> TensorLike:
        try:
            return _flodl.linear(input, self.weight, self.bias)
        except ShapeError as e:
            raise _shape_error(self, f"[..., {self.in_features}]", input) from e

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under another name: MultiheadAttention's ``out_proj``, as in PyTorch."""


class Bilinear(Module):
    """``y = x1 @ weight[k] @ x2 + bias[k]`` for each output feature ``k``."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = _empty((out_features, in1_features, in2_features), device, dtype)
        if bias:
            self.bias = _empty((out_features,), device, dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_recipe("bilinear_default_", [self.weight], bias=self.bias)

    def forward(self, input1: TensorLike, input2: TensorLike) -> TensorLike:
        try:
            return _flodl.bilinear(input1, input2, self.weight, self.bias)
        except ShapeError as e:
            got = f"{list(input1.shape)} and {list(input2.shape)}"
            raise ShapeError(
                f"{self._layer_name()}: expected inputs [..., {self.in1_features}] and "
                f"[..., {self.in2_features}], got {got}"
            ) from e

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


# ----- convolutions -----


class _ConvNd(Module):
    """What the convolutions share: PyTorch's attributes, and the forward,
    flodl::nn's ``conv_forward`` on them (which also checks the options)."""

    _n = 0

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        transposed: bool,
        output_padding: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        n = self._n
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        shape = _flodl._conv_weight_shape(self)  # checks the options
        self.weight = _empty(tuple(shape), device, dtype)
        if bias:
            self.bias = _empty((out_channels,), device, dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_default_(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        n = self._n
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            False,
            0,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: TensorLike) -> TensorLike:
        return _flodl._conv_layer(self, input)  # type: ignore[no-any-return]


class Conv1d(_Conv):
    """1-d convolution over ``[N, C_in, L]`` (or unbatched ``[C_in, L]``)."""

    _n = 1


class Conv2d(_Conv):
    """2-d convolution over ``[N, C_in, H, W]`` (or unbatched ``[C_in, H, W]``)."""

    _n = 2


class Conv3d(_Conv):
    """3-d convolution over ``[N, C_in, D, H, W]`` (or unbatched)."""

    _n = 3


class _ConvTranspose(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            True,
            output_padding,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: TensorLike, output_size: Sequence[int] | None = None) -> TensorLike:
        size = None if output_size is None else [int(s) for s in output_size]
        return _flodl._conv_layer(self, input, size)  # type: ignore[no-any-return]


class ConvTranspose1d(_ConvTranspose):
    """1-d transposed convolution over ``[N, C_in, L]`` (or unbatched)."""

    _n = 1


class ConvTranspose2d(_ConvTranspose):
    """2-d transposed convolution over ``[N, C_in, H, W]`` (or unbatched)."""

    _n = 2


class ConvTranspose3d(_ConvTranspose):
    """3-d transposed convolution over ``[N, C_in, D, H, W]`` (or unbatched)."""

    _n = 3


# ----- pooling -----


class _Pool(Module):
    _expected = ""

    def _run(self, op: Any, input: TensorLike, *args: Any) -> TensorLike:
        try:
            return op(input, *args)
        except (ShapeError, OutOfRangeError) as e:  # too few dims: an index error of the op
            raise _shape_error(self, self._expected, input) from e


class MaxPool1d(_Pool):
    """1-d max pooling over ``[N, C, L]`` or ``[C, L]``; ``stride`` defaults to ``kernel_size``."""

    _expected = "[N, C, L] or [C, L]"
    # The op, and the one that also gives the maxima's positions (return_indices).
    _ops = (_flodl.max_pool1d, _flodl.max_pool1d_with_indices)

    def __init__(
        self,
        kernel_size: int,
        stride: int | None = None,
        padding: int = 0,
        dilation: int = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: TensorLike) -> Any:
        return self._run(
            self._ops[bool(self.return_indices)],
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(MaxPool1d):
    """2-d max pooling over ``[N, C, H, W]`` or ``[C, H, W]``; ``stride`` defaults to
    ``kernel_size``."""

    _expected = "[N, C, H, W] or [C, H, W]"
    _ops = (_flodl.max_pool2d, _flodl.max_pool2d_with_indices)


class AvgPool2d(_Pool):
    """2-d average pooling over ``[N, C, H, W]`` or ``[C, H, W]``; ``stride`` defaults to
    ``kernel_size``."""

    _expected = "[N, C, H, W] or [C, H, W]"

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: TensorLike) -> TensorLike:
        return self._run(
            _flodl.avg_pool2d,
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(AvgPool2d):
    """1-d average pooling over ``[N, C, L]`` or ``[C, L]``; ``stride`` defaults to
    ``kernel_size``."""

    _expected = "[N, C, L] or [C, L]"

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        # One-element tuples, as PyTorch keeps them.
        super().__init__(
            _ntuple(kernel_size, 1),
            None if stride is None else _ntuple(stride, 1),
            _ntuple(padding, 1),
            ceil_mode,
            count_include_pad,
        )
        del self.divisor_override

    def forward(self, input: TensorLike) -> TensorLike:
        return self._run(
            _flodl.avg_pool1d,
            input,
            self.kernel_size[0],
            self.stride[0],
            self.padding[0],
            self.ceil_mode,
            self.count_include_pad,
        )


class AdaptiveAvgPool2d(_Pool):
    """Average pooling of ``[N, C, H, W]`` or ``[C, H, W]`` to ``output_size``
    (None in it keeps the input's size)."""

    _expected = "[N, C, H, W] or [C, H, W]"
    _op = staticmethod(_flodl.adaptive_avg_pool2d)
    _dims = 2

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: TensorLike) -> TensorLike:
        size = self.output_size
        if isinstance(size, (tuple, list)) and None in size:
            shape = list(input.shape)[-self._dims :]
            size = [shape[i] if s is None else s for i, s in enumerate(size)]
        return self._run(self._op, input, size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    """Max pooling of ``[N, C, H, W]`` or ``[C, H, W]`` to ``output_size`` (and
    the maxima's positions with ``return_indices``)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    @property
    def _op(self) -> Any:  # type: ignore[override]
        if self.return_indices:
            return _flodl.adaptive_max_pool2d_with_indices
        return _flodl.adaptive_max_pool2d


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Average pooling of ``[N, C, D, H, W]`` or ``[C, D, H, W]`` to
    ``output_size`` (None in it keeps the input's size)."""

    _expected = "[N, C, D, H, W] or [C, D, H, W]"
    _op = staticmethod(_flodl.adaptive_avg_pool3d)
    _dims = 3


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Max pooling of ``[N, C, D, H, W]`` or ``[C, D, H, W]`` to ``output_size``
    (and the maxima's positions with ``return_indices``)."""

    _expected = "[N, C, D, H, W] or [C, D, H, W]"
    _dims = 3

    @property
    def _op(self) -> Any:  # type: ignore[override]
        if self.return_indices:
            return _flodl.adaptive_max_pool3d_with_indices
        return _flodl.adaptive_max_pool3d


class _MaxUnpool(Module):
    """The inverse of a max pool: ``forward(input, indices, output_size=None)``
    puts ``input``'s values at the pool's ``indices``, zeros elsewhere."""

    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, self._dims)
        self.stride = _ntuple(stride if stride is not None else kernel_size, self._dims)
        self.padding = _ntuple(padding, self._dims)

    def forward(self, input: TensorLike, indices: Tensor, output_size: Any = None) -> TensorLike:
        unpool = (F.max_unpool1d, F.max_unpool2d, F.max_unpool3d)[self._dims - 1]
        one = self._dims == 1
        return unpool(
            input,
            indices,
            self.kernel_size[0] if one else self.kernel_size,
            self.stride[0] if one else self.stride,
            self.padding[0] if one else self.padding,
            output_size,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool):
    """The inverse of ``MaxPool1d`` over ``[N, C, L]`` or ``[C, L]``."""

    _dims = 1


class MaxUnpool2d(_MaxUnpool):
    """The inverse of ``MaxPool2d`` over ``[N, C, H, W]`` or ``[C, H, W]``."""

    _dims = 2


class MaxUnpool3d(_MaxUnpool):
    """The inverse of ``MaxPool3d`` over ``[N, C, D, H, W]`` or ``[C, D, H, W]``."""

    _dims = 3


# ----- normalization -----


class _BatchNorm(Module):
    """What the batch norms share; the forward is flodl::nn's
    ``batch_norm_forward`` on the parameters and buffers."""

    _dims = 0  # spatial dims

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = _empty((num_features,), device, dtype)
            if bias:
                self.bias = _empty((num_features,), device, dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _filled((num_features,), 0.0, device, dtype))
            self.register_buffer("running_var", _filled((num_features,), 1.0, device, dtype))
            self.register_buffer("num_batches_tracked", _filled((), 0, device, "int64"))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    _version = 2  # version 2 added num_batches_tracked

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        *args: Any,
    ) -> None:
        """An older state dict (no version, or 1) has no
        ``num_batches_tracked``: it keeps the module's, as torch's does."""
        version = local_metadata.get("version")
        key = prefix + "num_batches_tracked"
        older = version is None or version < 2
        if older and self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked.clone()
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: TensorLike) -> TensorLike:
        return _flodl._batch_norm_layer(self, input, self._dims)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of ``[N, C]`` or ``[N, C, L]`` over the batch (and length)."""

    _dims = 1


class BatchNorm2d(_BatchNorm):
    """Batch normalization of ``[N, C, H, W]`` per channel."""

    _dims = 2


class BatchNorm3d(_BatchNorm):
    """Batch normalization of ``[N, C, D, H, W]`` per channel."""

    _dims = 3


class LayerNorm(Module):
    """Normalization over the trailing dims ``normalized_shape`` (an int or a
    tuple), with elementwise ``weight`` (ones) and ``bias`` (zeros)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = _empty(self.normalized_shape, device, dtype)
            if bias:
                self.bias = _empty(self.normalized_shape, device, dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self._size = math.prod(self.normalized_shape)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _error(self, input: Any) -> ShapeError:
        return _shape_error(self, f"[..., {_dims(map(str, self.normalized_shape))}]", input)

    def forward(self, input: TensorLike) -> TensorLike:
        try:
            return _flodl.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)
        except ShapeError as e:
            raise self._error(input) from e

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalization of ``[N, C, *]`` over groups of ``C / num_groups`` channels."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ArgumentError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = _empty((num_channels,), device, dtype)
            if bias:
                self.bias = _empty((num_channels,), device, dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: TensorLike) -> TensorLike:
        try:
            return _flodl.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)
        except ShapeError as e:
            raise _shape_error(self, f"[N, {self.num_channels}, *]", input) from e

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


# ----- embedding, dropout, reshaping -----


class Embedding(Module):
    """A lookup table of ``num_embeddings`` rows of size ``embedding_dim``,
    from N(0, 1); row ``padding_idx`` starts at zero and gets no gradient."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: TensorLike | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise ArgumentError("Embedding: sparse gradients are not supported")
        padding_idx = _padding_index("Embedding", padding_idx, num_embeddings)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = _empty((num_embeddings, embedding_dim), device, dtype)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise ShapeError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        _lookup_table_reset(self)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: TensorLike,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding ``embeddings`` (shared), trainable unless ``freeze``."""
        if len(embeddings.shape) != 2:
            raise ShapeError(
                "Embedding.from_pretrained: embeddings must be 2-dimensional "
                f"([num_embeddings, embedding_dim]), got shape {list(embeddings.shape)}"
            )
        rows, cols = list(embeddings.shape)
        return cls(
            rows,
            cols,
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            embeddings,
            freeze,
        )

    def forward(self, input: Tensor) -> TensorLike:
        return _flodl.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s + _lookup_settings(self)


def _padding_index(layer: str, padding_idx: int | None, num_embeddings: int) -> int | None:
    """An embedding layer's ``padding_idx`` counted from the start, as
    PyTorch keeps it; out of range is an ArgumentError, worded as Rust's."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ArgumentError(
            f"{layer}: padding_idx must be within num_embeddings, "
            f"got {padding_idx} for {num_embeddings} rows"
        )
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _lookup_settings(layer: Any) -> str:
    """The settings both embedding layers show when off their defaults, as
    PyTorch writes them (``, max_norm=1.0, norm_type=1.0``)."""
    s = ""
    if layer.max_norm is not None:
        s += f", max_norm={layer.max_norm}"
    if layer.norm_type != 2:
        s += f", norm_type={layer.norm_type}"
    if layer.scale_grad_by_freq is not False:
        s += f", scale_grad_by_freq={layer.scale_grad_by_freq}"
    return s


def _lookup_table_reset(layer: Module) -> None:
    """An embedding layer's start: N(0, 1) rows, the padding row zeroed."""
    init._layer_recipe("embedding_default_", [layer.weight], padding_idx=layer.padding_idx)


class Dropout(Module):
    """Zeroes elements with probability ``p`` in training (scaling the rest
    by ``1 / (1 - p)``); the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ArgumentError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: TensorLike) -> TensorLike:
        if not self.training:
            return input
        return _flodl.dropout(input, self.p, True, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Merges dims ``start_dim..=end_dim`` into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: TensorLike) -> TensorLike:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: TensorLike) -> TensorLike:
        return input.unflatten(self.dim, list(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
