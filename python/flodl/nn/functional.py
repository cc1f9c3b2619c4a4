"""The functional forms of layers, activations and losses, as ``torch.nn.functional``.

Every nn function of flodl (``flodl.NN_FUNCTIONS``) is here: the imports
and ``__all__`` between the ``generated`` markers are written by
``tools/generate.py`` from the op tables, so a new nn op appears here by
itself; the functions defined below are PyTorch's forms the tables do not
declare (the activations' ``inplace``, ...).
Inputs are Tensors or Variables; a Variable in gives a Variable out.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import operator
import warnings
from collections.abc import Sequence
from typing import Any, Union

from .. import _flodl

# generated:imports
from .._flodl import (
    Tensor,
    Variable,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    affine_grid,
    alpha_dropout,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    batch_norm,
    bilinear,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    celu,
    channel_shuffle,
    col2im,
    conv1d_padding,
    conv2d_padding,
    conv3d_padding,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    cosine_embedding_loss,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    embedding,
    embedding_bag,
    feature_alpha_dropout,
    feature_dropout,
    gaussian_nll_loss,
    glu,
    grid_sample,
    group_norm,
    gru_cell,
    gumbel_softmax,
    hardshrink,
    hardtanh,
    hinge_embedding_loss,
    huber_loss,
    im2col,
    instance_norm,
    interpolate,
    kl_div,
    l1_loss,
    layer_norm,
    linear,
    local_response_norm,
    logsigmoid,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    lstm_cell,
    margin_ranking_loss,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    mse_loss,
    multi_head_attention_forward,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    pairwise_distance,
    pixel_shuffle,
    pixel_unshuffle,
    poisson_nll_loss,
    relu6,
    rms_norm,
    rrelu,
    scaled_dot_product_attention,
    smooth_l1_loss,
    soft_cross_entropy,
    soft_margin_loss,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    triplet_margin_loss,
)

# /generated:imports

TensorLike = Union[Tensor, Variable]
Ints = Union[int, Sequence[int]]

# generated:all
__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "col2im",
    "conv1d",
    "conv1d_padding",
    "conv2d",
    "conv2d_padding",
    "conv3d",
    "conv3d_padding",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "feature_alpha_dropout",
    "feature_dropout",
    "fold",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gru_cell",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "huber_loss",
    "im2col",
    "instance_norm",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "lstm_cell",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_cross_entropy",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]
# /generated:all

unfold = im2col
fold = col2im


# ----- argument checks -----


def _input(name: str, value: Any, what: str = "input") -> Any:
    """``value`` if it is a Tensor or Variable; a TypeError naming ``name`` otherwise."""
    if isinstance(value, (Tensor, Variable)):
        return value
    if _flodl._is_torch_tensor(value):
        raise TypeError(
            f"{name}: {what} is a torch tensor, not a flodl one; "
            "convert it with flodl.Tensor.from_torch(t)"
        )
    raise TypeError(f"{name}: {what} must be a Tensor or Variable, got {type(value).__name__}")


def _number(name: str, what: str, value: Any, kind: type = float) -> Any:
    """``value`` as an int (``kind=int``) or a float; a TypeError naming
    ``name`` for anything else (a tensor's own ``__float__`` is not called)."""
    expected = numbers.Integral if kind is int else numbers.Real
    if isinstance(value, bool) or not isinstance(value, expected):
        wanted = "an int" if kind is int else "a number"
        raise TypeError(f"{name}: {what} must be {wanted}, got {type(value).__name__}")
    return kind(value)


# ----- nn functions in PyTorch's argument order -----


@functools.cache
def _arguments_after_input(op: Any) -> int:
    """How many arguments ``op`` takes after its input (read on first use,
    not at import)."""
    return len(inspect.signature(op).parameters) - 1


def _with_indices(name: str) -> Any:
    """PyTorch's ``F.<name>``: ``return_indices=True`` calls
    ``<name>_with_indices``, which also gives where each maximum is."""
    values_only = getattr(_flodl, name)
    with_indices = getattr(_flodl, f"{name}_with_indices")

    def pool(input: TensorLike, *args: Any, return_indices: bool = False, **kwargs: Any) -> Any:
        # PyTorch's return_indices comes after the op's own arguments.
        count = _arguments_after_input(values_only)
        if len(args) > count + 1:
            raise TypeError(f"{name}() takes at most {count + 2} positional arguments")
        if len(args) > count:
            args, return_indices = args[:count], args[count]
        if not isinstance(return_indices, (bool, int)):
            raise TypeError(
                f"{name}: return_indices must be a bool, got {type(return_indices).__name__}"
            )
        return (with_indices if return_indices else values_only)(input, *args, **kwargs)

    pool.__name__ = pool.__qualname__ = name
    pool.__doc__ = (values_only.__doc__ or "").split("--\n", 1)[-1]
    return pool


max_pool1d = _with_indices("max_pool1d")
max_pool2d = _with_indices("max_pool2d")
max_pool3d = _with_indices("max_pool3d")
adaptive_max_pool1d = _with_indices("adaptive_max_pool1d")
adaptive_max_pool2d = _with_indices("adaptive_max_pool2d")
adaptive_max_pool3d = _with_indices("adaptive_max_pool3d")


def _padded_by_name(name: str) -> Any:
    """PyTorch's ``F.<name>``: ``padding`` a number or sizes, or a name
    ("valid", "same"), which calls ``<name>_padding``."""
    numeric = getattr(_flodl, name)
    named = getattr(_flodl, f"{name}_padding")

    def conv(
        input: TensorLike,
        weight: TensorLike,
        bias: TensorLike | None = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Any:
        op = named if isinstance(padding, str) else numeric
        return op(input, weight, bias, stride, padding, dilation, groups)

    conv.__name__ = conv.__qualname__ = name
    conv.__doc__ = (numeric.__doc__ or "").split("--\n", 1)[-1] + (
        ' ``padding`` may also be "valid" or "same".'
    )
    return conv


conv1d = _padded_by_name("conv1d")
conv2d = _padded_by_name("conv2d")
conv3d = _padded_by_name("conv3d")


def _unpool(name: str, dims: int) -> Any:
    """``F.<name>``: the op, with ``output_size`` as PyTorch takes it (the
    spatial sizes, or a full size whose first two are the batch and
    channels)."""
    op = getattr(_flodl, name)

    def unpool(
        input: TensorLike,
        indices: Tensor,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        output_size: Any = None,
    ) -> TensorLike:
        if output_size is not None:
            sizes = list(output_size)
            if len(sizes) == dims + 2:
                sizes = sizes[2:]
            if len(sizes) != dims:
                raise _flodl.ArgumentError(
                    f"{name}: output_size must have {dims} or {dims + 2} elements, got {len(sizes)}"
                )
            output_size = sizes[0] if dims == 1 else sizes
        return op(input, indices, kernel_size, stride, padding, output_size)

    unpool.__name__ = unpool.__qualname__ = name
    unpool.__doc__ = op.__doc__
    return unpool


max_unpool1d = _unpool("max_unpool1d", 1)
max_unpool2d = _unpool("max_unpool2d", 2)
max_unpool3d = _unpool("max_unpool3d", 3)


def upsample(
    input: TensorLike,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> TensorLike:
    """``interpolate`` under its older name."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: TensorLike, size: Any = None, scale_factor: Any = None) -> TensorLike:
    """``interpolate(mode="nearest")`` under its deprecated name (it warns, as PyTorch's)."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: TensorLike, size: Any = None, scale_factor: Any = None) -> TensorLike:
    """``interpolate(mode="bilinear", align_corners=True)`` under its deprecated
    name (it warns, as PyTorch's)."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> TensorLike:
    """Cross-entropy of the logits ``input`` against class indices or class
    probabilities, as ``F.cross_entropy``; a probability target that
    requires grad gets its gradient too (``soft_cross_entropy``)."""
    if getattr(target, "requires_grad", False):
        return soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    return _flodl.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def ctc_loss(
    log_probs: TensorLike,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> TensorLike:
    """The connectionist temporal classification loss of ``log_probs``
    (``[T, N, C]``) against ``targets``, as ``F.ctc_loss``; the lengths are
    int64 tensors or sequences of ints, as PyTorch takes them."""

    def lengths(name: str, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            return value
        try:
            ints = [operator.index(v) for v in value]
        except TypeError:
            raise TypeError(
                f"ctc_loss: {name} must be a tensor or a sequence of ints, got {value!r}"
            ) from None
        import numpy as np

        return Tensor.from_numpy(np.array(ints, dtype=np.int64))

    return _flodl.ctc_loss(
        log_probs,
        targets,
        lengths("input_lengths", input_lengths),
        lengths("target_lengths", target_lengths),
        blank,
        reduction,
        zero_infinity,
    )


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Int64 ``[..., num_classes]`` one-hot rows of an Int64 ``tensor``
    (``num_classes=-1``: the largest value + 1)."""
    tensor = _input("one_hot", tensor)
    if isinstance(tensor, Variable):
        tensor = tensor.data  # class indices: no gradient either way
    return tensor.one_hot(num_classes)  # type: ignore[attr-defined]


# ----- activations -----


def relu(input: TensorLike, inplace: bool = False) -> TensorLike:
    """``max(input, 0)`` (with ``inplace``, in ``input``'s own memory, returned)."""
    input = _input("relu", input)
    return input.relu_() if inplace else input.relu()


def leaky_relu(
    input: TensorLike, negative_slope: float = 0.01, inplace: bool = False
) -> TensorLike:
    """``input`` where positive, ``negative_slope * input`` elsewhere."""
    input = _input("leaky_relu", input)
    if inplace:
        return input.leaky_relu_(negative_slope)
    return input.leaky_relu(negative_slope)


def elu(input: TensorLike, alpha: float = 1.0, inplace: bool = False) -> TensorLike:
    """``input`` where positive, ``alpha * (exp(input) - 1)`` elsewhere."""
    input = _input("elu", input)
    return input.elu_(alpha) if inplace else input.elu(alpha)


def selu(input: TensorLike, inplace: bool = False) -> TensorLike:
    """Scaled ELU with the self-normalizing constants."""
    input = _input("selu", input)
    return input.selu_() if inplace else input.selu()


def relu_(input: TensorLike) -> TensorLike:
    """``relu`` in place; returns ``input``."""
    return relu(input, inplace=True)


def selu_(input: TensorLike) -> TensorLike:
    """``selu`` in place; returns ``input``."""
    return selu(input, inplace=True)


def leaky_relu_(input: TensorLike, negative_slope: float = 0.01) -> TensorLike:
    """``leaky_relu`` in place; returns ``input``."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input: TensorLike, alpha: float = 1.0) -> TensorLike:
    """``elu`` in place; returns ``input``."""
    return elu(input, alpha, inplace=True)


def rrelu_(
    input: TensorLike,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
) -> TensorLike:
    """``rrelu`` in place; returns ``input``."""
    return rrelu(input, lower, upper, training, inplace=True)


def celu_(input: TensorLike, alpha: float = 1.0) -> TensorLike:
    """``celu`` in place; returns ``input``."""
    celu(input, alpha, inplace=True)
    return input


def threshold_(input: TensorLike, threshold: float, value: float) -> TensorLike:
    """``threshold`` in place; returns ``input``."""
    _flodl.threshold(input, threshold, value, True)
    return input


def hardtanh_(input: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> TensorLike:
    """``hardtanh`` in place; returns ``input``."""
    hardtanh(input, min_val, max_val, inplace=True)
    return input


def gelu(input: TensorLike, approximate: str = "none") -> TensorLike:
    """GELU, exact (``"none"``) or the tanh approximation (``"tanh"``)."""
    input = _input("gelu", input)
    return input.gelu(approximate)  # type: ignore[arg-type]


def silu(input: TensorLike, inplace: bool = False) -> TensorLike:
    """``input * sigmoid(input)``."""
    input = _input("silu", input)
    return input.silu_() if inplace else input.silu()


def mish(input: TensorLike, inplace: bool = False) -> TensorLike:
    """``input * tanh(softplus(input))``."""
    input = _input("mish", input)
    return input.mish_() if inplace else input.mish()


def sigmoid(input: TensorLike) -> TensorLike:
    """``1 / (1 + exp(-input))``."""
    input = _input("sigmoid", input)
    return input.sigmoid()


def tanh(input: TensorLike) -> TensorLike:
    """Hyperbolic tangent."""
    input = _input("tanh", input)
    return input.tanh()


def softplus(input: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> TensorLike:
    """``log(1 + exp(beta * input)) / beta``, linear above ``threshold``."""
    input = _input("softplus", input)
    return input.softplus(beta, threshold)


def hardsigmoid(input: TensorLike, inplace: bool = False) -> TensorLike:
    """``clamp(input / 6 + 1/2, 0, 1)``."""
    input = _input("hardsigmoid", input)
    return input.hardsigmoid_() if inplace else input.hardsigmoid()


def hardswish(input: TensorLike, inplace: bool = False) -> TensorLike:
    """``input * hardsigmoid(input)``."""
    input = _input("hardswish", input)
    return input.hardswish_() if inplace else input.hardswish()


def softmax(input: TensorLike, dim: int | None = None, *, dtype: Any = None) -> TensorLike:
    """Softmax along ``dim``."""
    input = _input("softmax", input)
    if dtype is not None:
        input = input.to_dtype(dtype)
    return input.softmax(_flodl._softmax_dim(input.ndim) if dim is None else dim)


def log_softmax(input: TensorLike, dim: int | None = None, *, dtype: Any = None) -> TensorLike:
    """Log of the softmax along ``dim``, computed stably."""
    input = _input("log_softmax", input)
    if dtype is not None:
        input = input.to_dtype(dtype)
    return input.log_softmax(_flodl._softmax_dim(input.ndim) if dim is None else dim)


def softmin(input: TensorLike, dim: int | None = None, *, dtype: Any = None) -> TensorLike:
    """Softmax of ``-input`` along ``dim``."""
    input = _input("softmin", input)
    if dtype is not None:
        input = input.to_dtype(dtype)
    return input.neg().softmax(_flodl._softmax_dim(input.ndim) if dim is None else dim)


def prelu(input: TensorLike, weight: TensorLike) -> TensorLike:
    """``input`` where positive, ``weight * input`` elsewhere (one weight, or one per channel)."""
    input = _input("prelu", input)
    return input.prelu(weight)  # type: ignore[arg-type]


def normalize(input: TensorLike, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> TensorLike:
    """``input`` over its ``p``-norm along ``dim`` (at least ``eps``)."""
    input = _input("normalize", input)
    p, eps = _number("normalize", "p", p), _number("normalize", "eps", eps)
    if eps == 1e-12:
        return input.normalize(p, dim)
    norm = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input.div(norm)  # type: ignore[arg-type]


def cosine_similarity(
    x1: TensorLike, x2: TensorLike, dim: int = 1, eps: float = 1e-8
) -> TensorLike:
    """Cosine similarity along ``dim``."""
    x1 = _input("cosine_similarity", x1)
    x2 = _input("cosine_similarity", x2, "x2")
    return x1.cosine_similarity(x2, dim, eps)  # type: ignore[arg-type]


def pdist(input: TensorLike, p: float = 2.0) -> TensorLike:
    """The ``p``-norm distances between every pair of rows of the 2-d
    ``input`` (the upper triangle, row by row), as ``F.pdist``."""
    return _input("pdist", input).pdist(_number("pdist", "p", p))  # type: ignore[arg-type]


def pad(
    input: TensorLike, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> TensorLike:
    """Pads by ``(left, right)`` pairs from the last dim backwards: with ``value`` (0 by
    default) in ``"constant"`` mode, or the input ``"reflect"``-ed, ``"replicate"``-d or
    wrapped (``"circular"``)."""
    return _input("pad", input).pad(list(pad), mode, value)


def triplet_margin_with_distance_loss(
    anchor: TensorLike,
    positive: TensorLike,
    negative: TensorLike,
    *,
    distance_function: Any = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> TensorLike:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the distance
    ``distance_function`` (any callable of two tensors; the 2-norm
    ``pairwise_distance`` by default) and ``swap`` (the smaller of ``d(a,
    n)`` and ``d(p, n)``), as ``F.triplet_margin_with_distance_loss``. The
    distances are the callable's; the loss from them is one op
    (``flodl.triplet_margin_distance_loss``)."""
    dims = [
        _input("triplet_margin_with_distance_loss", t).dim() for t in (anchor, positive, negative)
    ]
    if len(set(dims)) != 1:
        raise _flodl.ShapeError(
            "triplet_margin_with_distance_loss: The anchor, positive, and negative tensors are "
            f"expected to have the same number of dimensions, but got: anchor {dims[0]}D, "
            f"positive {dims[1]}D, and negative {dims[2]}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    # In PyTorch's order (the order backward sums the gradients in).
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    swapped = distance(positive, negative) if swap else None
    return _flodl.triplet_margin_distance_loss(to_positive, to_negative, swapped, margin, reduction)
