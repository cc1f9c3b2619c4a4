"""``flodl.distributions.transforms``, as ``torch.distributions.transforms``:
maps of random variables with the log-determinants of their Jacobians.
The built-in ones (``ExpTransform``, ``PowerTransform``,
``SigmoidTransform``, ``SoftplusTransform``, ``TanhTransform``,
``AbsTransform``, ``AffineTransform``, ``ComposeTransform``, their ``inv``)
hold a Rust transform that computes them; a ``Transform`` subclass of
one's own defines ``_call``, ``_inverse`` and ``log_abs_det_jacobian``,
and ``TransformedDistribution`` calls those. ``cache_size=1`` keeps the
last ``(x, y)`` pair, so the inverse of a value the transform gave is the
value it came from, as PyTorch's."""

from __future__ import annotations

from numbers import Number
from typing import Any

from .. import _flodl
from .._flodl import ArgumentError, Tensor
from . import constraints

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "ComposeTransform",
    "ExpTransform",
    "IndependentTransform",
    "PowerTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StickBreakingTransform",
    "TanhTransform",
    "Transform",
    "identity_transform",
]


class Transform:
    """An invertible map of values, as ``torch.distributions.transforms.Transform``."""

    bijective = False
    domain: Any = constraints.real
    codomain: Any = constraints.real
    _impl: Any = None  # the Rust transform of a built-in one

    def __init__(self, cache_size: int = 0) -> None:
        if cache_size not in (0, 1):
            raise ArgumentError("Transform: cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._cached_x_y: tuple[Any, Any] = (None, None)

    def _made(self, impl: Any) -> None:
        """Holds the Rust transform ``impl`` (kept, with ``cache_size=1``)."""
        self._impl = impl.cached() if self._cache_size == 1 else impl

    @property
    def event_dim(self) -> int:
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ArgumentError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self) -> Transform:
        """The inverse transform."""
        return _InverseTransform(self)

    @property
    def sign(self) -> Any:
        """+1 or -1 for a monotone transform (a tensor per element where it varies)."""
        if self._impl is not None:
            return self._impl.sign()
        raise NotImplementedError

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self)}.with_cache is not implemented")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x: Any) -> Any:
        if self._impl is not None:
            return self._impl.forward(x)
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached_x_y
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached_x_y = x, y
        return y

    def _inv_call(self, y: Any) -> Any:
        if self._impl is not None:
            return self._impl.inverse(y)
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached_x_y
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached_x_y = x, y
        return x

    def _call(self, x: Any) -> Any:
        raise NotImplementedError

    def _inverse(self, y: Any) -> Any:
        raise NotImplementedError

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        if self._impl is not None:
            return self._impl.log_abs_det_jacobian(x, y)
        raise NotImplementedError

    def forward_shape(self, shape: Any) -> Any:
        if self._impl is not None:
            return type(shape)(self._impl.forward_shape(list(shape)))
        return shape

    def inverse_shape(self, shape: Any) -> Any:
        if self._impl is not None:
            return type(shape)(self._impl.inverse_shape(list(shape)))
        return shape

    def _rust(self) -> Any:
        """The Rust transform: a built-in one's own, or one that calls this
        object's methods."""
        if self._impl is not None:
            return self._impl
        return _flodl._Transform.python(self, self.domain.event_dim, self.codomain.event_dim)

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """``transform.inv``: ``transform`` run backwards."""

    def __init__(self, transform: Transform) -> None:
        super().__init__(cache_size=transform._cache_size)
        self._inv_of = transform
        if transform._impl is not None:
            self._impl = transform._impl.inv()

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return self._inv_of.codomain

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return self._inv_of.domain

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self._inv_of.bijective

    @property
    def sign(self) -> Any:
        return self._inv_of.sign

    @property
    def inv(self) -> Transform:
        return self._inv_of

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self._inv_of.with_cache(cache_size).inv

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _InverseTransform) and self._inv_of == other._inv_of

    __hash__ = object.__hash__

    def __call__(self, x: Any) -> Any:
        if self._impl is not None:
            return self._impl.forward(x)
        return self._inv_of._inv_call(x)

    def _inv_call(self, y: Any) -> Any:
        if self._impl is not None:
            return self._impl.inverse(y)
        return self._inv_of(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        if self._impl is not None:
            return self._impl.log_abs_det_jacobian(x, y)
        return -self._inv_of.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape: Any) -> Any:
        return self._inv_of.inverse_shape(shape)

    def inverse_shape(self, shape: Any) -> Any:
        return self._inv_of.forward_shape(shape)

    def __repr__(self) -> str:
        return f"_InverseTransform({self._inv_of!r})"


class _Plain(Transform):
    """A parameterless built-in transform (its Rust one made by ``_maker``)."""

    bijective = True
    _maker = ""

    def __init__(self, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self._made(getattr(_flodl._Transform, self._maker)())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self))

    __hash__ = object.__hash__

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return type(self)(cache_size=cache_size)


class ExpTransform(_Plain):
    """``y = exp(x)``."""

    domain = constraints.real
    codomain = constraints.positive
    _maker = "exp"


class SigmoidTransform(_Plain):
    """``y = sigmoid(x)``, kept inside ``[tiny, 1 - eps]``; ``x = logit(y)``."""

    domain = constraints.real
    codomain = constraints.unit_interval
    _maker = "sigmoid"


class SoftplusTransform(_Plain):
    """``y = log(1 + exp(x))`` (linear above 20)."""

    domain = constraints.real
    codomain = constraints.positive
    _maker = "softplus"


class TanhTransform(_Plain):
    """``y = tanh(x)``; its inverse ``atanh`` is not clamped (use
    ``cache_size=1`` to invert the values it gave exactly)."""

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    _maker = "tanh"


class AbsTransform(_Plain):
    """``y = |x|`` (not one-to-one, so without a sign)."""

    bijective = False
    domain = constraints.real
    codomain = constraints.positive
    _maker = "abs"

    @property
    def sign(self) -> Any:
        raise NotImplementedError("AbsTransform has no sign: it is not monotone")

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        raise NotImplementedError("AbsTransform has no log-determinant: it is not one-to-one")


class SoftmaxTransform(_Plain):
    """``y = softmax(x)`` over the last dim; not one-to-one: its inverse is
    ``log y`` (one preimage) and it has no log-determinant."""

    bijective = False
    domain = constraints.real_vector
    codomain = constraints.simplex
    _maker = "softmax"

    @property
    def sign(self) -> Any:
        raise NotImplementedError("SoftmaxTransform has no sign: it is not monotone")

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        raise NotImplementedError("SoftmaxTransform has no log-determinant: it is not one-to-one")


class StickBreakingTransform(_Plain):
    """The stick-breaking bijection of ``K - 1`` reals onto the ``K``-simplex
    (``biject_to(constraints.simplex)``): each coordinate takes a sigmoid's
    share of what is left."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    _maker = "stick_breaking"

    @property
    def sign(self) -> Any:
        raise NotImplementedError("StickBreakingTransform has no sign: it maps vectors")


class PowerTransform(Transform):
    """``y = x ** exponent`` on positive values."""

    bijective = True
    domain = constraints.positive
    codomain = constraints.positive

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        if not isinstance(exponent, Tensor):
            from .._creation import tensor

            exponent = tensor(float(exponent))
        self.exponent = exponent
        self._made(_flodl._Transform.power(exponent))

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PowerTransform):
            return False
        return bool(self.exponent.eq(other.exponent).all().item())

    __hash__ = object.__hash__


class AffineTransform(Transform):
    """``y = loc + scale * x`` (numbers or tensors), over events of
    ``event_dim`` dims."""

    bijective = True

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim
        self._made(_flodl._Transform.affine(loc, scale, event_dim))

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @property
    def domain(self) -> Any:  # type: ignore[override]
        if self._event_dim == 0:
            return constraints.real
        return constraints.independent(constraints.real, self._event_dim)

    codomain = domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self._event_dim, cache_size=cache_size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AffineTransform):
            return False
        for mine, theirs in ((self.loc, other.loc), (self.scale, other.scale)):
            if isinstance(mine, Number) and isinstance(theirs, Number):
                if mine != theirs:
                    return False
            elif not bool((mine == theirs).all().item()):
                return False
        return True

    __hash__ = object.__hash__


class IndependentTransform(Transform):
    """``base_transform`` with the rightmost ``reinterpreted_batch_ndims``
    dims of its values taken as one event: the same map, its
    log-determinant summed over those dims."""

    def __init__(
        self, base_transform: Transform, reinterpreted_batch_ndims: int, cache_size: int = 0
    ) -> None:
        super().__init__(cache_size)
        if not isinstance(base_transform, Transform):
            raise TypeError(
                "IndependentTransform: base_transform must be a Transform, "
                f"got {type(base_transform).__name__}"
            )
        if type(reinterpreted_batch_ndims) is not int or reinterpreted_batch_ndims < 0:
            raise ArgumentError(
                "IndependentTransform: reinterpreted_batch_ndims must be an int >= 0, "
                f"got {reinterpreted_batch_ndims!r}"
            )
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        rust = _flodl._Transform.independent(self.base_transform._rust(), reinterpreted_batch_ndims)
        self._made(rust)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> Any:
        return self.base_transform.sign

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ComposeTransform(Transform):
    """``parts`` applied in order; none: the identity."""

    def __init__(self, parts: list[Transform], cache_size: int = 0) -> None:
        if cache_size:
            parts = [part.with_cache(cache_size) for part in parts]
        super().__init__(cache_size)
        for part in parts:
            if not isinstance(part, Transform):
                raise TypeError(
                    f"ComposeTransform: parts must be Transforms, got {type(part).__name__}"
                )
        self.parts = list(parts)
        self._made(_flodl._Transform.compose([part._rust() for part in self.parts]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @property
    def domain(self) -> Any:  # type: ignore[override]
        if not self.parts:
            return constraints.real
        domain = self.parts[0].domain
        extra = self._impl.domain_event_dim - domain.event_dim
        return constraints.independent(domain, extra) if extra > 0 else domain

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        if not self.parts:
            return constraints.real
        codomain = self.parts[-1].codomain
        extra = self._impl.codomain_event_dim - codomain.event_dim
        return constraints.independent(codomain, extra) if extra > 0 else codomain

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(p.bijective for p in self.parts)

    @property
    def inv(self) -> Transform:
        return ComposeTransform([p.inv for p in reversed(self.parts)])

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(p) for p in self.parts)
        return f"{type(self).__name__}(\n    {inner}\n)"


identity_transform = ComposeTransform([])
