"""``flodl.distributions``: ``Normal``, ``Categorical``, ``Bernoulli``,
``Independent`` and ``kl_divergence``, as ``torch.distributions``.

The classes keep PyTorch's object model (``batch_shape``, ``event_shape``,
``sample``/``rsample``, ``log_prob``, ``entropy``, ``mean``, ``stddev``, ...,
``validate_args``, the KL registry); each built-in one holds a
``flodl::distributions`` distribution, which does every computation (the
op table's formulas in PyTorch's order, the parameter and value checks, the
draws from libtorch's generator), so log-probabilities and their gradients
are PyTorch's and the same seed gives the same samples. The submodules of
``torch.distributions`` (``categorical``, ``normal``, ``bernoulli``,
``independent``, ``kl``, ``distribution``) name the same classes.
"""

from __future__ import annotations

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


def _as_tensors(name: str, *values: Any) -> list[Tensor]:
    """The parameters as tensors, as PyTorch's ``broadcast_all`` makes them:
    a number takes the first tensor's dtype and device (float32 when all
    are numbers); Rust broadcasts them."""
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise TypeError(
                f"{name}: the parameters must be tensors or numbers, got {type(v).__name__}"
            )
    like = next((v for v in values if isinstance(v, Tensor)), None)
    return [v if isinstance(v, Tensor) else _number_like(v, like) for v in values]


def _number_like(value: Any, like: Tensor | None) -> Tensor:
    from .. import _creation

    if like is None:
        return _creation.tensor(float(value))
    return _creation.tensor(float(value), dtype=like.dtype, device=like.device)


class Distribution:
    """The base class, as ``torch.distributions.Distribution``: shapes,
    ``validate_args`` (on by default, as in PyTorch), and the methods a
    distribution defines. The built-in subclasses hold a Rust distribution
    (``_impl``) that computes them; a subclass of one's own defines its own."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: ClassVar[dict[str, str]] = {}
    _validate_default = True
    _impl: Any = None
    _shown: tuple[str, ...] = ("loc", "scale")  # the parameters repr shows

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

    @staticmethod
    def _validating(validate_args: bool | None) -> bool:
        return Distribution._validate_default if validate_args is None else bool(validate_args)

    def _held(self, impl: Any, validate_args: bool | None) -> None:
        """Holds the Rust distribution ``impl``, and takes its shapes."""
        self._impl = impl
        Distribution.__init__(self, impl.batch_shape, impl.event_shape, validate_args)

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size((*Size(sample_shape), *self._batch_shape, *self._event_shape))

    def _value(self, value: Any) -> Tensor:
        """A value for ``log_prob``/``cdf``: a tensor; a number only without
        validation, where torch's arithmetic takes one."""
        if isinstance(value, Tensor):
            return value
        if self._validate_args or not isinstance(value, Number):
            raise ArgumentError(f"{type(self).__name__}: the value argument must be a Tensor")
        return _number_like(value, self._impl.mean())

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of ``sample_shape + batch_shape + event_shape``, outside the graph."""
        if self._impl is not None:
            return self._impl.sample(list(Size(sample_shape)))
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        if self._impl is not None and self.has_rsample:
            return self._impl.rsample(list(Size(sample_shape)))
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample")

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._impl is None:
            raise NotImplementedError
        return self._impl.log_prob(self._value(value))

    def entropy(self) -> Tensor:
        if self._impl is None:
            raise NotImplementedError
        return self._impl.entropy()

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        if self._impl is None:
            raise NotImplementedError
        return self._impl.mean()

    @property
    def mode(self) -> Tensor:
        if self._impl is None:
            raise NotImplementedError
        return self._impl.mode()

    @property
    def variance(self) -> Tensor:
        if self._impl is None:
            raise NotImplementedError
        return self._impl.variance()

    @property
    def stddev(self) -> Tensor:
        if self._impl is None:
            return self.variance.sqrt()
        return self._impl.stddev()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        if self._impl is None or not self.has_enumerate_support:
            raise NotImplementedError
        return self._impl.enumerate_support(expand)

    def __repr__(self) -> str:
        parts = []
        for name in self.arg_constraints:
            value = getattr(self, name, None) if name in self._shown else None
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
        loc, scale = _as_tensors("Normal", loc, scale)
        impl = _flodl._Distribution.normal(loc, scale, self._validating(validate_args))
        self._held(impl, validate_args)
        self.loc, self.scale = impl.param("loc"), impl.param("scale")

    def cdf(self, value: Tensor) -> Tensor:
        return self._impl.cdf(self._value(value))

    def icdf(self, value: Tensor) -> Tensor:
        return self._impl.icdf(self._value(value))


class _ProbsOrLogits(Distribution):
    """A distribution made from ``probs`` or ``logits`` (one of them)."""

    @property
    def probs(self) -> Tensor:
        return self._impl.param("probs")

    @property
    def logits(self) -> Tensor:
        return self._impl.param("logits")

    @property
    def param_shape(self) -> Size:
        return self.probs.shape


class Categorical(_ProbsOrLogits):
    """A distribution over the class indices ``0..K`` of the last dim of
    ``probs`` (non-negative, normalized) or ``logits`` (normalized to
    log-probabilities), as ``torch.distributions.Categorical``."""

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
        validate = self._validating(validate_args)
        self._held(_flodl._Distribution.categorical(probs, logits, validate), validate_args)
        self._shown = ("probs",) if probs is not None else ("logits",)


class Bernoulli(_ProbsOrLogits):
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
        if probs is not None:
            (probs,) = _as_tensors("Bernoulli", probs)
        if logits is not None:
            (logits,) = _as_tensors("Bernoulli", logits)
        validate = self._validating(validate_args)
        self._held(_flodl._Distribution.bernoulli(probs, logits, validate), validate_args)
        self._shown = ("probs",) if probs is not None else ("logits",)


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
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        # Rust's Independent over a built-in one as it is (a subclass may
        # override its methods: its own results are summed instead).
        if type(base_distribution) in _BUILT_IN:
            impl = _flodl._Distribution.independent(
                base_distribution._impl, reinterpreted_batch_ndims
            )
            self._held(impl, validate_args)
            return
        # A base of one's own (Python): its results summed over the event dims.
        batch = tuple(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > len(batch):
            raise ArgumentError(
                "Independent: expected reinterpreted_batch_ndims <= "
                f"len(base_distribution.batch_shape), actual {reinterpreted_batch_ndims} vs "
                f"{len(batch)}"
            )
        split = len(batch) - reinterpreted_batch_ndims
        event = (*batch[split:], *base_distribution.event_shape)
        super().__init__(batch[:split], event, validate_args)

    def _summed(self, value: Tensor) -> Tensor:
        n = self.reinterpreted_batch_ndims
        return value.sum(list(range(-n, 0))) if n else value

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._impl is not None:
            return super().log_prob(value)
        return self._summed(self.base_dist.log_prob(value))

    def entropy(self) -> Tensor:
        if self._impl is not None:
            return super().entropy()
        return self._summed(self.base_dist.entropy())

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

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


_BUILT_IN = (Normal, Categorical, Bernoulli, Independent)


def _kl_of_impls(p: Distribution, q: Distribution) -> Tensor:
    return p._impl.kl(q._impl)


for _pair in [(Normal, Normal), (Categorical, Categorical), (Bernoulli, Bernoulli)]:
    register_kl(*_pair)(_kl_of_impls)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence: Independent distributions of different reinterpreted_batch_ndims"
        )
    if type(p.base_dist) in _BUILT_IN and type(q.base_dist) in _BUILT_IN:
        return p._impl.kl(q._impl)
    return p._summed(kl_divergence(p.base_dist, q.base_dist))
