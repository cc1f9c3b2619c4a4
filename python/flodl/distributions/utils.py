"""``flodl.distributions.utils``, as ``torch.distributions.utils``: the helpers
that distributions (built-in ones and one's own) use on their parameters.

``broadcast_all`` turns numbers into tensors and broadcasts them with the
tensors given; ``probs_to_logits``, ``logits_to_probs`` and ``clamp_probs``
move between probabilities and logits (binary ones, or the categorical
ones of the last dimension); ``lazy_property`` computes an attribute on
first use and keeps it on the instance; ``tril_matrix_to_vec`` and
``vec_to_tril_matrix`` pack and unpack the lower triangle of (batched)
square matrices. All of them compute with flodl's ops, so the values and
their gradients are the ones PyTorch's helpers give.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Final

from .._creation import arange, tensor
from .._flodl import Tensor, finfo
from .._functions import log, log1p, sigmoid, softmax
from .._grad_mode import enable_grad
from .._namespace import broadcast_tensors, get_default_dtype

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant: Final[float] = 0.57721566490153286060  # the Euler-Mascheroni constant

# The Python numbers broadcast_all takes (torch.types._Number).
_NUMBER_TYPES = (bool, int, float)


def broadcast_all(*values: Tensor | float) -> tuple[Tensor, ...]:
    """The ``values`` (tensors and numbers) as tensors of one broadcast shape.

    A number becomes a tensor of the first tensor's dtype and device, or of
    the default float dtype when every value is a number; the tensors then
    broadcast together as ``flodl.broadcast_tensors`` broadcasts them.

    Raises:
        ValueError: a value is neither a tensor nor a Python number
            (``bool``, ``int``, ``float``), as torch's.
    """
    if not all(isinstance(v, (Tensor, *_NUMBER_TYPES)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "flodl.Tensor or objects implementing __torch_function__."
        )
    if not values:
        return ()
    like = next((v for v in values if isinstance(v, Tensor)), None)
    if like is None:
        options: dict[str, Any] = {"dtype": get_default_dtype()}
    else:
        options = {"dtype": like.dtype, "device": like.device}
    tensors = [v if isinstance(v, Tensor) else tensor(v, **options) for v in values]
    return tuple(broadcast_tensors(*tensors))


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: ``sigmoid(logits)`` when ``is_binary`` (each
    value a log-odds), else the softmax over the last dimension (each row
    unnormalized log-probabilities of the events)."""
    if is_binary:
        return sigmoid(logits)
    return softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped into ``[eps, 1 - eps]``, ``eps`` the machine epsilon
    of their (floating-point) dtype, so logs of them and of ``1 - probs``
    stay finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (clamped first by ``clamp_probs``): the
    log-odds ``log(p) - log1p(-p)`` when ``is_binary`` (``p`` the probability
    of the event 1), else ``log(p)`` (each row the events' probabilities)."""
    clamped = clamp_probs(probs)
    if is_binary:
        return log(clamped) - log1p(-clamped)
    return log(clamped)


class lazy_property:
    """A decorator for a method computed on first access and then kept: the
    value (computed with gradients enabled) replaces the descriptor on the
    instance, under the method's name, so later reads are plain attribute
    reads. Read on the class, it is a ``property`` too (for documentation
    tools and ``Distribution``'s argument checks)."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a ``lazy_property`` is when read on its class: both a
    ``lazy_property`` and a ``property`` of the same method."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        property.__init__(self, wrapped)
        self.wrapped = wrapped


def _tril_mask(n: int, diag: int, device: Any) -> Tensor:
    """The ``n x n`` boolean mask of the elements on or below diagonal ``diag``."""
    index = arange(n, device=device)
    return index < index.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The elements of ``mat`` (``D x D``, or a batch of them) on or below
    diagonal ``diag``, in row order, as a (batched) vector.

    Raises:
        ValueError: ``diag`` is outside ``[-D, D - 1]``.
    """
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The (batched) ``D x D`` matrix, zero above diagonal ``diag``, whose
    elements on and below it are those of ``vec``, in row order: the inverse
    of ``tril_matrix_to_vec``.

    Raises:
        ValueError: the last dimension of ``vec`` is not the size of such a
            triangle for any ``D``.
    """
    # D is the positive root of D**2 + (1 + 2*diag)*D - |diag|*(diag + 1) - 2*len = 0.
    b = 1 + 2 * diag
    n = (-b + (b**2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > finfo(vec.dtype).eps:
        raise ValueError(
            f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
            "the lower triangular part of a square D x D matrix."
        )
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
