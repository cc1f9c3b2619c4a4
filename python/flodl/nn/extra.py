"""More layers, as torch.nn's, each on a flodl op or a flodl::nn layer
computation: the 3-d and 1-d pools, the channel and alpha dropouts, the
instance norms, ``RMSNorm``, ``EmbeddingBag``, the padding layers,
``Upsample`` and the pixel shuffles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

from .. import _flodl
from .._flodl import ArgumentError, ShapeError, Tensor, Variable
from . import functional as F
from . import init
from .layers import (
    AvgPool2d,
    Dropout,
    MaxPool1d,
    _BatchNorm,
    _empty,
    _lookup_settings,
    _lookup_table_reset,
    _ntuple,
    _padding_index,
    _Pool,
)
from .module import Module

TensorLike = Union[Tensor, Variable]

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "AlphaDropout",
    "AvgPool3d",
    "ChannelShuffle",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "CosineSimilarity",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "EmbeddingBag",
    "FeatureAlphaDropout",
    "Fold",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "LocalResponseNorm",
    "MaxPool3d",
    "PairwiseDistance",
    "PixelShuffle",
    "PixelUnshuffle",
    "RMSNorm",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "Unfold",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


# ----- pooling -----


class MaxPool3d(MaxPool1d):
    """3-d max pooling over ``[N, C, D, H, W]`` or ``[C, D, H, W]``; ``stride`` defaults to
    ``kernel_size``."""

    _expected = "[N, C, D, H, W] or [C, D, H, W]"
    _ops = (_flodl.max_pool3d, _flodl.max_pool3d_with_indices)


class AvgPool3d(AvgPool2d):
    """3-d average pooling over ``[N, C, D, H, W]`` or ``[C, D, H, W]``; ``stride`` defaults
    to ``kernel_size``."""

    _expected = "[N, C, D, H, W] or [C, D, H, W]"

    def forward(self, input: TensorLike) -> TensorLike:
        return self._run(
            _flodl.avg_pool3d,
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AdaptiveAvgPool1d(_Pool):
    """Average pooling of ``[N, C, L]`` or ``[C, L]`` to length ``output_size``."""

    _expected = "[N, C, L] or [C, L]"
    _op = staticmethod(_flodl.adaptive_avg_pool1d)

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: TensorLike) -> TensorLike:
        size = self.output_size
        return self._run(self._op, input, size[0] if isinstance(size, (tuple, list)) else size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveAvgPool1d):
    """Max pooling of ``[N, C, L]`` or ``[C, L]`` to length ``output_size`` (and
    the maxima's positions with ``return_indices``)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    @property
    def _op(self) -> Any:  # type: ignore[override]
        if self.return_indices:
            return _flodl.adaptive_max_pool1d_with_indices
        return _flodl.adaptive_max_pool1d


# ----- dropout -----


class Dropout1d(Dropout):
    """Zeroes whole channels of ``[N, C, L]`` (or ``[C, L]``) with probability ``p`` in
    training, scaling the rest; the identity in eval mode."""

    def forward(self, input: TensorLike) -> TensorLike:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Zeroes whole channels of ``[N, C, H, W]`` in training."""

    def forward(self, input: TensorLike) -> TensorLike:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Zeroes whole channels of ``[N, C, D, H, W]`` (or ``[C, D, H, W]``) in training."""

    def forward(self, input: TensorLike) -> TensorLike:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Dropout that keeps the mean and variance of SELU's outputs, in training."""

    def forward(self, input: TensorLike) -> TensorLike:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(Dropout):
    """``AlphaDropout`` of whole channels, in training."""

    def forward(self, input: TensorLike) -> TensorLike:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)


# ----- normalization -----


class _InstanceNorm(_BatchNorm):
    """What the instance norms share: a batch norm's parameters and buffers
    (PyTorch's defaults here: no affine parameters, no running statistics);
    the forward is flodl::nn's ``instance_norm_forward`` on them."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input: TensorLike) -> TensorLike:
        return _flodl._instance_norm_layer(self, input, self._dims)  # type: ignore[no-any-return]


class InstanceNorm1d(_InstanceNorm):
    """Each sample's channels of ``[N, C, L]`` (or ``[C, L]``) normalized over their length."""

    _dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Each sample's channels of ``[N, C, H, W]`` normalized over their positions."""

    _dims = 2


class InstanceNorm3d(_InstanceNorm):
    """Each sample's channels of ``[N, C, D, H, W]`` normalized over their positions."""

    _dims = 3


class RMSNorm(Module):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims
    ``normalized_shape``; ``eps`` None is the input dtype's epsilon."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
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
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: TensorLike) -> TensorLike:
        return F.rms_norm(x, list(self.normalized_shape), self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


# ----- embedding bags -----


class EmbeddingBag(Module):
    """Bags of embedding rows reduced by ``mode`` ("sum", "mean", "max"):
    ``forward(input, offsets=None)`` with a 2-d ``input`` (one bag per row) or
    a 1-d one split at ``offsets``."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: TensorLike | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise ArgumentError("EmbeddingBag: sparse gradients are not supported")
        padding_idx = _padding_index("EmbeddingBag", padding_idx, num_embeddings)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = _empty((num_embeddings, embedding_dim), device, dtype)
            self.reset_parameters()
        else:
            self.weight = _empty(tuple(_weight.shape), device, dtype)
            self.weight.data.copy_(_weight.data if isinstance(_weight, Variable) else _weight)

    def reset_parameters(self) -> None:
        _lookup_table_reset(self)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: TensorLike,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag holding ``embeddings`` (a 2-d table, its values
        taken), trainable unless ``freeze``."""
        if embeddings.ndim != 2:
            raise ShapeError("EmbeddingBag.from_pretrained: embeddings must be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(
            rows,
            cols,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            embeddings,
            include_last_offset,
            padding_idx,
            dtype=embeddings.dtype,
            device=embeddings.device,
        )
        bag.weight.requires_grad = not freeze
        return bag

    def forward(
        self, input: Tensor, offsets: Tensor | None = None, per_sample_weights: Any = None
    ) -> TensorLike:
        return F.embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}" + _lookup_settings(self)
        s += f", mode='{self.mode}'"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s


# ----- padding -----


class _Pad(Module):
    """``F.pad`` of the last ``_dims`` dims with ``_mode``."""

    _dims = 0
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input: TensorLike) -> TensorLike:
        return F.pad(input, list(self.padding), self._mode, self._value())

    def _value(self) -> float | None:
        return None

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def _value(self) -> float | None:
        return float(self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPad(_ConstantPad):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _padding_class(name: str, base: type, dims: int, mode: str, what: str) -> type:
    doc = f"{what} around the last {dims} dim{'s' if dims > 1 else ''}, as torch.nn.{name}."
    return type(name, (base,), {"_dims": dims, "_mode": mode, "__doc__": doc})


ZeroPad1d = _padding_class("ZeroPad1d", _ZeroPad, 1, "constant", "Zeros")
ZeroPad2d = _padding_class("ZeroPad2d", _ZeroPad, 2, "constant", "Zeros")
ZeroPad3d = _padding_class("ZeroPad3d", _ZeroPad, 3, "constant", "Zeros")
ConstantPad1d = _padding_class("ConstantPad1d", _ConstantPad, 1, "constant", "``value``")
ConstantPad2d = _padding_class("ConstantPad2d", _ConstantPad, 2, "constant", "``value``")
ConstantPad3d = _padding_class("ConstantPad3d", _ConstantPad, 3, "constant", "``value``")
ReflectionPad1d = _padding_class("ReflectionPad1d", _Pad, 1, "reflect", "The input mirrored")
ReflectionPad2d = _padding_class("ReflectionPad2d", _Pad, 2, "reflect", "The input mirrored")
ReflectionPad3d = _padding_class("ReflectionPad3d", _Pad, 3, "reflect", "The input mirrored")
ReplicationPad1d = _padding_class("ReplicationPad1d", _Pad, 1, "replicate", "The edge repeated")
ReplicationPad2d = _padding_class("ReplicationPad2d", _Pad, 2, "replicate", "The edge repeated")
ReplicationPad3d = _padding_class("ReplicationPad3d", _Pad, 3, "replicate", "The edge repeated")
CircularPad1d = _padding_class("CircularPad1d", _Pad, 1, "circular", "The other end wrapped")
CircularPad2d = _padding_class("CircularPad2d", _Pad, 2, "circular", "The other end wrapped")
CircularPad3d = _padding_class("CircularPad3d", _Pad, 3, "circular", "The other end wrapped")


# ----- resampling and rearranging -----


class Upsample(Module):
    """``F.interpolate`` to ``size`` or by ``scale_factor`` with ``mode``."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: TensorLike) -> TensorLike:
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample`` with ``mode="nearest"`` on ``[N, C, H, W]``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample`` with ``mode="bilinear"`` and ``align_corners=True`` on ``[N, C, H, W]``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class ChannelShuffle(Module):
    """The channels split into ``groups`` and interleaved (ShuffleNet's)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: TensorLike) -> TensorLike:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class Unfold(Module):
    """Sliding blocks of ``[N, C, H, W]`` as the columns of ``[N, C k_h k_w, L]``."""

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: TensorLike) -> TensorLike:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(Unfold):
    """The columns of ``[N, C k_h k_w, L]`` summed back into ``[N, C, *output_size]``."""

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input: TensorLike) -> TensorLike:
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, " + super().extra_repr()


class LocalResponseNorm(Module):
    """Each value over ``(k + alpha * the mean square of the size channels
    around it) ** beta``, over ``[N, C, ...]``."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: TensorLike) -> TensorLike:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LPPool1d(_Pool):
    """The ``norm_type``-norm of each window of ``[N, C, L]`` or ``[C, L]``
    (infinite: the largest magnitude); ``stride`` defaults to ``kernel_size``."""

    _expected = "[N, C, L] or [C, L]"
    _op = staticmethod(_flodl.lp_pool1d)

    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: TensorLike) -> TensorLike:
        return self._run(
            self._op, input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode
        )

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool2d(LPPool1d):
    """The ``norm_type``-norm of each window of ``[N, C, H, W]`` or ``[C, H, W]``."""

    _expected = "[N, C, H, W] or [C, H, W]"
    _op = staticmethod(_flodl.lp_pool2d)


class LPPool3d(LPPool1d):
    """The ``norm_type``-norm of each window of ``[N, C, D, H, W]`` or ``[C, D, H, W]``."""

    _expected = "[N, C, D, H, W] or [C, D, H, W]"
    _op = staticmethod(_flodl.lp_pool3d)


class CosineSimilarity(Module):
    """The cosine similarity of two inputs along ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: TensorLike, x2: TensorLike) -> TensorLike:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance between the rows of two inputs."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: TensorLike, x2: TensorLike) -> TensorLike:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class PixelShuffle(Module):
    """``[N, C r^2, H, W]`` to ``[N, C, H r, W r]``."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: TensorLike) -> TensorLike:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``[N, C, H r, W r]`` to ``[N, C r^2, H, W]``."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: TensorLike) -> TensorLike:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
