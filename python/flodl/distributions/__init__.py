"""``flodl.distributions``: ``Normal``, ``Categorical``, ``Bernoulli``,
``Independent`` and ``kl_divergence``, as ``torch.distributions``.

The classes keep PyTorch's object model (``batch_shape``, ``event_shape``,
``sample``/``rsample``, ``log_prob``, ``entropy``, ``mean``, ``stddev``, ...,
``validate_args``); the math is the op table's (``normal_log_prob``,
``categorical_entropy``, ``bernoulli_kl``, ...: Rust, PyTorch's formulas in
its order), so log-probabilities and their gradients are PyTorch's, and the
draws come from libtorch's generator as PyTorch's do (the same seed gives the
same samples). A distribution made from ``probs`` passes them to the ops
with the logits PyTorch derives from them, so both kinds agree with
PyTorch exactly. The submodules of
``torch.distributions`` (``categorical``, ``normal``, ``bernoulli``,
``independent``, ``kl``, ``distribution``) name the same classes.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any, Callable, ClassVar

from .. import _flodl
from .._flodl import ArgumentError, Tensor
from .._grad_mode import no_grad
from .._size import Size

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Independent",
    "Normal",
    "kl_divergence",
    "register_kl",
]


def _broadcast_all(name: str, *values: Any) -> list[Tensor]:
    """The parameters as tensors of one shape, as PyTorch's ``broadcast_all``:
    a number takes the first tensor's dtype and device (float32 when all are
    numbers)."""
    import numpy as np

    tensors = [v for v in values if isinstance(v, Tensor)]
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise TypeError(
                f"{name}: the parameters must be tensors or numbers, got {type(v).__name__}"
            )
    like = tensors[0] if tensors else None
    made = [
        v
        if isinstance(v, Tensor)
        else _flodl_tensor(float(v), like.dtype if like is not None else None, like)
        for v in values
    ]
    try:
        shape = tuple(np.broadcast_shapes(*(tuple(t.shape) for t in made)))
    except ValueError:
        shapes = ", ".join(str(list(t.shape)) for t in made)
        raise _flodl.ShapeError(
            f"{name}: the parameters' shapes {shapes} do not broadcast"
        ) from None
    return [t if tuple(t.shape) == shape else t.expand(list(shape)) for t in made]


def _flodl_tensor(value: float, dtype: Any, like: Tensor | None) -> Tensor:
    from .. import _creation

    return _creation.tensor(value, dtype=dtype, device=None if like is None else like.device)


def _sum_rightmost(value: Tensor, dims: int) -> Tensor:
    """``value`` summed over its last ``dims`` dims."""
    if dims == 0:
        return value
    return value.reshape([*value.shape[: value.dim() - dims], -1]).sum(-1)


def _fail(dist: Distribution, message: str) -> ArgumentError:
    return ArgumentError(f"{type(dist).__name__}: {message}")


class Distribution:
    """The base class, as ``torch.distributions.Distribution``: shapes,
    ``validate_args`` (on by default, as in PyTorch), and the methods a
    distribution defines."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: ClassVar[dict[str, str]] = {}
    _validate_default = True

    def __init__(
        self,
        batch_shape: Any = (),
        event_shape: Any = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = (
            Distribution._validate_default if validate_args is None else bool(validate_args)
        )

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions check their parameters and values by default."""
        if value not in (True, False):
            raise ArgumentError("set_default_validate_args: expected a bool")
        Distribution._validate_default = value

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size((*Size(sample_shape), *self._batch_shape, *self._event_shape))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of ``sample_shape + batch_shape + event_shape``, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample")

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def _check_value(self, value: Any, support: Callable[[Tensor], Tensor] | None) -> None:
        """PyTorch's checks of a value, when ``validate_args``: a tensor,
        whose shape broadcasts with the batch and event shapes, and (when a
        support is given) inside the support."""
        if not self._validate_args:
            return
        import numpy as np

        if not isinstance(value, Tensor):
            raise _fail(self, "the value argument must be a Tensor")
        event = len(self._event_shape)
        if event and tuple(value.shape[value.dim() - event :]) != tuple(self._event_shape):
            raise _fail(self, f"the value's event shape must be {list(self._event_shape)}")
        try:
            np.broadcast_shapes(tuple(value.shape), tuple(self._extended_shape()))
        except ValueError:
            raise _fail(
                self,
                f"the value of shape {list(value.shape)} is not compatible with the batch "
                f"shape {list(self._batch_shape)}",
            ) from None
        if support is not None and not bool(support(value.detach().double()).all()):
            raise _fail(self, "the value is outside the support of the distribution")

    def _check_parameter(self, name: str, ok: Tensor, constraint: str) -> None:
        if self._validate_args and not bool(ok.all()):
            raise _fail(
                self,
                f"expected parameter {name} to satisfy the constraint {constraint}, "
                "but found invalid values",
            )

    def __repr__(self) -> str:
        parts = []
        for name in self.arg_constraints:
            value = self.__dict__.get(name, self.__dict__.get(f"_{name}"))
            if isinstance(value, Tensor):
                parts.append(f"{name}: {value if value.numel() == 1 else value.shape}")
        return f"{type(self).__name__}({', '.join(parts)})"


class Normal(Distribution):
    """The normal distribution ``N(loc, scale**2)``, as ``torch.distributions.Normal``."""

    arg_constraints: ClassVar[dict[str, str]] = {
        "loc": "Real()",
        "scale": "GreaterThan(lower_bound=0.0)",
    }
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = _broadcast_all("Normal", loc, scale)
        numbers = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(Size() if numbers else self.loc.shape, validate_args=validate_args)
        self._check_parameter("loc", ~self.loc.isnan(), "Real()")
        self._check_parameter("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        with no_grad():
            return _flodl._normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        eps = Tensor.empty(shape, dtype=self.loc.dtype, device=self.loc.device)
        eps.normal_()
        return self.loc + eps * self.scale

    def _value(self, value: Any) -> Tensor:
        # A number goes where torch's arithmetic takes one (without validation).
        if isinstance(value, Number) and not self._validate_args:
            return _flodl_tensor(float(value), self.loc.dtype, self.loc)
        return value

    def log_prob(self, value: Tensor) -> Tensor:
        self._check_value(value, lambda v: ~v.isnan())
        return _flodl.normal_log_prob(self._value(value), self.loc, self.scale)

    def cdf(self, value: Tensor) -> Tensor:
        self._check_value(value, lambda v: ~v.isnan())
        return _flodl.normal_cdf(self._value(value), self.loc, self.scale)

    def icdf(self, value: Tensor) -> Tensor:
        return _flodl.normal_icdf(self._value(value), self.loc, self.scale)

    def entropy(self) -> Tensor:
        return _flodl.normal_entropy(self.scale)


class Categorical(Distribution):
    """A distribution over the class indices ``0..K`` of the last dim of
    ``probs`` (non-negative, normalized here) or ``logits`` (normalized to
    log-probabilities here), as ``torch.distributions.Categorical``."""

    arg_constraints: ClassVar[dict[str, str]] = {
        "probs": "Simplex()",
        "logits": "IndependentConstraint(Real(), 1)",
    }
    has_enumerate_support = True

    def __init__(
        self,
        probs: Tensor | None = None,
        logits: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ArgumentError(
                "Categorical: either `probs` or `logits` must be specified, but not both."
            )
        if probs is not None:
            if not isinstance(probs, Tensor) or probs.dim() < 1:
                raise ArgumentError("Categorical: `probs` must be a tensor of at least one dim.")
            self._probs: Tensor | None = probs / probs.sum(-1, keepdim=True)
            self._logits: Tensor | None = None
            self._given_logits = None
            param = self._probs
        else:
            if not isinstance(logits, Tensor) or logits.dim() < 1:
                raise ArgumentError("Categorical: `logits` must be a tensor of at least one dim.")
            self._given_logits = logits
            self._logits = logits - logits.logsumexp(-1, keepdim=True)
            self._probs = None
            param = self._logits
        self._param = param
        self._num_events = param.shape[-1]
        batch = param.shape[:-1] if param.dim() > 1 else ()
        super().__init__(batch, validate_args=validate_args)
        if probs is not None:
            total = self._probs.detach().sum(-1)
            self._check_parameter(
                "probs", (self._probs >= 0).all() & ((total - 1).abs() < 1e-6), "Simplex()"
            )
        else:
            self._check_parameter("logits", ~self._logits.isnan(), "Real()")

    @property
    def logits(self) -> Tensor:
        """Normalized log-probabilities (from ``probs``: their clamped logs)."""
        if self._logits is None:
            eps = _flodl.finfo(self._probs.dtype).eps
            self._logits = self._probs.clamp(min=eps, max=1 - eps).log()
        return self._logits

    @property
    def probs(self) -> Tensor:
        if self._probs is None:
            self._probs = self._logits.softmax(-1)
        return self._probs

    @property
    def param_shape(self) -> Size:
        return self._param.shape

    @property
    def _op_logits(self) -> Tensor:
        # The ops normalize their logits as this class does, so the logits
        # given are theirs (the same numbers as torch's normalized ones).
        return self._given_logits if self._given_logits is not None else self.logits

    @property
    def _kept_probs(self) -> Tensor | None:
        """The probabilities this distribution was made from (exact zeros
        and all), for the ops; None when it was made from logits."""
        return None if self._given_logits is not None else self.probs

    @property
    def mean(self) -> Tensor:
        return Tensor.full(
            list(self._extended_shape()),
            math.nan,
            dtype=self._param.dtype,
            device=self._param.device,
        )

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        return self.mean

    def sample(self, sample_shape: Any = ()) -> Tensor:
        sample_shape = Size(sample_shape)
        count = math.prod(sample_shape)
        with no_grad():
            probs_2d = self.probs.detach().reshape([-1, self._num_events])
            samples_2d = probs_2d.multinomial(count, True).t()
            return samples_2d.reshape(list(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        self._check_value(value, lambda v: (v == v.floor()) & (v >= 0) & (v < self._num_events))
        return _flodl.categorical_log_prob(self._op_logits, value, self._kept_probs)

    def entropy(self) -> Tensor:
        return _flodl.categorical_entropy(self._op_logits, self._kept_probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = Tensor.arange(0, self._num_events, 1, dtype="int64", device=self._param.device)
        values = values.reshape([-1] + [1] * len(self._batch_shape))
        return values.expand([-1, *self._batch_shape]) if expand else values


class Bernoulli(Distribution):
    """A distribution over 0 and 1 with ``probs`` (or ``logits``) of 1, as
    ``torch.distributions.Bernoulli``."""

    arg_constraints: ClassVar[dict[str, str]] = {
        "probs": "Interval(lower_bound=0.0, upper_bound=1.0)",
        "logits": "Real()",
    }
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ArgumentError(
                "Bernoulli: either `probs` or `logits` must be specified, but not both."
            )
        given = probs if probs is not None else logits
        (param,) = _broadcast_all("Bernoulli", given)
        if probs is not None:
            self._probs: Tensor | None = param
            self._logits: Tensor | None = None
        else:
            self._logits, self._probs = param, None
        self._given_probs = self._probs
        self._param = param
        super().__init__(
            Size() if isinstance(given, Number) else param.shape, validate_args=validate_args
        )
        if probs is not None:
            self._check_parameter(
                "probs", (param >= 0) & (param <= 1), "Interval(lower_bound=0.0, upper_bound=1.0)"
            )
        else:
            self._check_parameter("logits", ~param.isnan(), "Real()")

    @property
    def logits(self) -> Tensor:
        if self._logits is None:
            eps = _flodl.finfo(self._probs.dtype).eps
            clamped = self._probs.clamp(min=eps, max=1 - eps)
            self._logits = clamped.log() - (-clamped).log1p()
        return self._logits

    @property
    def probs(self) -> Tensor:
        if self._probs is None:
            self._probs = self._logits.sigmoid()
        return self._probs

    @property
    def param_shape(self) -> Size:
        return self._param.shape

    @property
    def _kept_probs(self) -> Tensor | None:
        """The probabilities this distribution was made from; None for logits."""
        return None if self._logits is not None and self._probs is None else self._given_probs

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.detach().masked_fill((self.probs == 0.5).detach(), math.nan)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        with no_grad():
            return self.probs.detach().expand(shape).bernoulli()

    def log_prob(self, value: Tensor) -> Tensor:
        self._check_value(value, lambda v: (v == 0) | (v == 1))
        return _flodl.bernoulli_log_prob(self.logits, value)

    def entropy(self) -> Tensor:
        return _flodl.bernoulli_entropy(self.logits, self._kept_probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = Tensor.arange(0.0, 2.0, 1.0, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape([-1] + [1] * len(self._batch_shape))
        return values.expand([-1, *self._batch_shape]) if expand else values


class Independent(Distribution):
    """``base_distribution`` with its rightmost ``reinterpreted_batch_ndims``
    batch dims taken as event dims (log-probabilities and entropies summed
    over them), as ``torch.distributions.Independent``."""

    def __init__(
        self,
        base_distribution: Distribution,
        reinterpreted_batch_ndims: int,
        validate_args: bool | None = None,
    ) -> None:
        if reinterpreted_batch_ndims > len(base_distribution.batch_shape):
            raise ArgumentError(
                "Independent: expected reinterpreted_batch_ndims <= "
                f"len(base_distribution.batch_shape), actual {reinterpreted_batch_ndims} vs "
                f"{len(base_distribution.batch_shape)}"
            )
        shape = (*base_distribution.batch_shape, *base_distribution.event_shape)
        event_dims = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__(
            shape[: len(shape) - event_dims], shape[len(shape) - event_dims :], validate_args
        )

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError("Enumeration over cartesian product is not implemented")

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable:
    """A decorator registering ``kl(p, q)`` for a pair of distribution classes."""

    if not (isinstance(type_p, type) and isinstance(type_q, type)):
        raise TypeError("register_kl: expected two distribution classes")

    def register(fn: Callable[[Any, Any], Tensor]) -> Callable[[Any, Any], Tensor]:
        _KL[(type_p, type_q)] = fn
        return fn

    return register


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """``KL(p || q)``, batched, for a registered pair of classes (the most
    specific registration that both classes match)."""
    matches = [(tp, tq) for tp, tq in _KL if isinstance(p, tp) and isinstance(q, tq)]
    if not matches:
        raise NotImplementedError(
            f"kl_divergence: no KL(p || q) is implemented for p {type(p).__name__} "
            f"and q {type(q).__name__}"
        )

    def depth(pair: tuple[type, type]) -> tuple[int, int]:
        return (type(p).__mro__.index(pair[0]), type(q).__mro__.index(pair[1]))

    return _KL[min(matches, key=depth)](p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    return _flodl.normal_kl(p.loc, p.scale, q.loc, q.scale)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    return _flodl.categorical_kl(p._op_logits, q._op_logits, p._kept_probs, q._kept_probs)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    return _flodl.bernoulli_kl(p.logits, q.logits, p._kept_probs, q._kept_probs)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence: Independent distributions of different reinterpreted_batch_ndims"
        )
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
