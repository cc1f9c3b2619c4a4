"""``flodl.distributions``: ``Normal``, ``Categorical``, ``Bernoulli``,
``Uniform``, ``Exponential``, ``Laplace``, ``Gamma``, ``Chi2``, ``Beta``,
``Dirichlet``, ``Poisson``, ``Cauchy``, ``Gumbel``, ``HalfNormal``, ``HalfCauchy``,
``LogNormal``, ``Weibull``, ``Pareto``, ``StudentT``, ``VonMises``, ``Geometric``, ``Binomial``,
``OneHotCategorical``, ``MultivariateNormal``, ``LowRankMultivariateNormal``, ``Independent``,
``MixtureSameFamily``, ``constraints`` and ``kl_divergence``, as
``torch.distributions``.

The classes keep PyTorch's object model (``batch_shape``, ``event_shape``,
``sample``/``rsample``, ``log_prob``, ``entropy``, ``mean``, ``stddev``, ...,
``validate_args``, the KL registry); each built-in one holds a
``flodl::distributions`` distribution, which does every computation (the
op table's formulas in PyTorch's order, the parameter and value checks, the
draws from libtorch's generator), so log-probabilities and their gradients
are PyTorch's and the same seed gives the same samples. The submodules of
``torch.distributions`` (``categorical``, ``normal``, ``uniform``, ...,
``kl``, ``distribution``) name the same classes.
"""

from __future__ import annotations

from numbers import Number
from typing import Any, Callable, ClassVar

from .. import _flodl
from .._flodl import ArgumentError, Tensor
from .._grad_mode import no_grad
from .._size import Size
from . import constraints, transforms
from . import utils as utils
from .constraint_registry import biject_to, transform_to
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    PowerTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Cauchy",
    "Chi2",
    "ComposeTransform",
    "ContinuousBernoulli",
    "Dirichlet",
    "Distribution",
    "ExpTransform",
    "Exponential",
    "FisherSnedecor",
    "Gamma",
    "Geometric",
    "Gumbel",
    "HalfCauchy",
    "HalfNormal",
    "Independent",
    "IndependentTransform",
    "InverseGamma",
    "Kumaraswamy",
    "Laplace",
    "LogNormal",
    "LogisticNormal",
    "LowRankMultivariateNormal",
    "MixtureSameFamily",
    "Multinomial",
    "MultivariateNormal",
    "NegativeBinomial",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Pareto",
    "Poisson",
    "PowerTransform",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StickBreakingTransform",
    "StudentT",
    "TanhTransform",
    "Transform",
    "TransformedDistribution",
    "Uniform",
    "VonMises",
    "Weibull",
    "biject_to",
    "constraints",
    "identity_transform",
    "kl_divergence",
    "register_kl",
    "transform_to",
    "transforms",
]

# torch.distributions' names flodl lacks, for the AttributeError's way out.
_ABSENT = frozenset(
    [
        "ExponentialFamily",
        "GeneralizedPareto",
        "LKJCholesky",
        "Wishart",
        "CatTransform",
        "CorrCholeskyTransform",
        "CumulativeDistributionTransform",
        "LowerCholeskyTransform",
        "PositiveDefiniteTransform",
        "ReshapeTransform",
        "StackTransform",
    ]
)


def __getattr__(name: str) -> object:
    from .._submodules import submodule

    module = submodule(__name__, name)
    if module is not None:
        return module
    message = f"module 'flodl.distributions' has no attribute {name!r}"
    if name in _ABSENT:
        message += (
            f"; torch.distributions.{name} is not in flodl: build it as a "
            "TransformedDistribution of one that is, or compute on .to_torch() values with "
            "torch.distributions and come back with Variable.from_torch (which keeps the graph)"
        )
    raise AttributeError(message)


def _as_tensors(name: str, *values: Any) -> list[Tensor]:
    """The parameters as tensors, as PyTorch's ``broadcast_all`` makes them:
    a number takes the first tensor's dtype and device (the default float dtype when all
    are numbers); Rust broadcasts them."""
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise TypeError(
                f"{name}: the parameters must be tensors or numbers, got {type(v).__name__}"
            )
    like = next((v for v in values if isinstance(v, Tensor)), None)
    return [v if isinstance(v, Tensor) else _number_like(v, like) for v in values]


def _same_tensor(given: Any, value: Tensor) -> bool:
    """Whether ``value`` is ``given``'s tensor as it came: same memory,
    shape, strides and dtype."""
    return (
        isinstance(given, Tensor)
        and given.data_ptr() == value.data_ptr()
        and given.shape == value.shape
        and given.stride() == value.stride()
        and given.dtype == value.dtype
        and given.requires_grad == value.requires_grad
    )


def _number_like(value: Any, like: Tensor | None) -> Tensor:
    from .. import _creation

    if like is None:
        return _creation.tensor(float(value))
    return _creation.tensor(float(value), dtype=like.dtype, device=like.device)


def _lacking(name: str) -> Any:
    """The property ``name`` (a moment) of a distribution that lacks it: a
    NotImplementedError, as torch's."""

    def lacks(self: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement {name}")

    return property(lacks)


def _computed(name: str) -> Any:
    """The property ``name``: the Rust distribution's parameter of that name
    (a matrix it computes from the ones given)."""
    return property(lambda self: self._impl.param(name))


class Distribution:
    """The base class, as ``torch.distributions.Distribution``: shapes,
    ``validate_args`` (on by default, as in PyTorch), and the methods a
    distribution defines. The built-in subclasses hold a Rust distribution
    (``_impl``) that computes them; a subclass of one's own defines its own."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: ClassVar[dict[str, Any]] = {}
    support: Any = None  # a Constraint (flodl.distributions.constraints)
    _validate_default = True
    _impl: Any = None
    _params: tuple[str, ...] = ()  # the parameters kept as attributes
    _shown: tuple[str, ...] = ("loc", "scale")  # the parameters repr shows
    # The methods with a closed form here (the others raise NotImplementedError).
    _defines: frozenset[str] = frozenset({"entropy"})

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

    def _held(self, impl: Any, validate_args: bool | None, given: Any = ()) -> None:
        """Holds the Rust distribution ``impl``, and takes its shapes and
        parameters: a parameter that is one of the tensors ``given`` as it
        came (no broadcast, no conversion) is that very object, as
        PyTorch's ``broadcast_all`` keeps it (``d.loc is loc``, a
        Parameter stays one)."""
        self._impl = impl
        Distribution.__init__(self, impl.batch_shape, impl.event_shape, validate_args)
        for name in self._params:
            value = impl.param(name)
            setattr(self, name, next((g for g in given if _same_tensor(g, value)), value))

    def _made(self, params: list[Tensor], validate_args: bool | None) -> None:
        """Holds the Rust distribution of this class's name made from ``params``."""
        impl = _flodl._Distribution.of(type(self)._kind, params, self._validating(validate_args))
        self._held(impl, validate_args, params)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution over the batch ``batch_shape`` (the
        parameters expanded, not copied; not checked again)."""
        if self._impl is None:
            raise NotImplementedError
        new = _instance if _instance is not None else type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._held(self._impl.expand(list(Size(batch_shape))), self._validate_args)
        return new

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

    def _closed_form(self, method: str) -> Any:
        if self._impl is None or method not in self._defines:
            raise NotImplementedError(f"{type(self).__name__} does not implement {method}")
        return getattr(self._impl, method)

    def entropy(self) -> Tensor:
        return self._closed_form("entropy")()

    def cdf(self, value: Tensor) -> Tensor:
        return self._closed_form("cdf")(self._value(value))

    def icdf(self, value: Tensor) -> Tensor:
        return self._closed_form("icdf")(self._value(value))

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


_ALL = frozenset({"entropy", "cdf", "icdf"})


class Normal(Distribution):
    """The normal distribution ``N(loc, scale**2)``, as ``torch.distributions.Normal``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True
    _params = ("loc", "scale")
    _defines = _ALL

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        loc, scale = _as_tensors("Normal", loc, scale)
        impl = _flodl._Distribution.normal(loc, scale, self._validating(validate_args))
        self._held(impl, validate_args, (loc, scale))

    # The parameters themselves, as torch's (a Parameter prints as one).
    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)
    stddev = property(lambda self: self.scale)


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

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    has_enumerate_support = True

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        return constraints.integer_interval(0, self._impl.param("probs").shape[-1] - 1)

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

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if probs is not None:
            (probs,) = _as_tensors("Bernoulli", probs)
        if logits is not None:
            (logits,) = _as_tensors("Bernoulli", logits)
        validate = self._validating(validate_args)
        impl = _flodl._Distribution.bernoulli(probs, logits, validate)
        self._held(impl, validate_args, (probs, logits))
        self._shown = ("probs",) if probs is not None else ("logits",)


class ContinuousBernoulli(_ProbsOrLogits):
    """The continuous Bernoulli distribution on ``[0, 1]`` of shape
    ``probs`` (or ``logits``), as ``torch.distributions.ContinuousBernoulli``:
    density proportional to ``probs**x * (1 - probs)**(1 - x)``, with
    Taylor expansions where ``probs`` is within ``lims`` of 1/2."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.unit_interval
    has_rsample = True
    _defines = _ALL

    def __init__(
        self,
        probs: Any = None,
        logits: Any = None,
        lims: tuple[float, float] = (0.499, 0.501),
        validate_args: bool | None = None,
    ) -> None:
        if probs is not None:
            (probs,) = _as_tensors("ContinuousBernoulli", probs)
        if logits is not None:
            (logits,) = _as_tensors("ContinuousBernoulli", logits)
        validate = self._validating(validate_args)
        lims = (float(lims[0]), float(lims[1]))
        impl = _flodl._Distribution.continuous_bernoulli(probs, logits, lims, validate)
        self._held(impl, validate_args, (probs, logits))
        self._lims = lims
        self._shown = ("probs",) if probs is not None else ("logits",)

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError("ContinuousBernoulli does not implement mode")


class Uniform(Distribution):
    """The uniform distribution on ``[low, high)``, as ``torch.distributions.Uniform``."""

    _kind = "Uniform"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "low": constraints.dependent(is_discrete=False, event_dim=0),
        "high": constraints.dependent(is_discrete=False, event_dim=0),
    }
    has_rsample = True

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Any:
        return constraints.interval(self.low, self.high)

    _params = _shown = ("low", "high")
    _defines = _ALL

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Uniform", low, high), validate_args)


class Exponential(Distribution):
    """The exponential distribution of ``rate``, as ``torch.distributions.Exponential``."""

    _kind = "Exponential"
    arg_constraints: ClassVar[dict[str, Any]] = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _params = _shown = ("rate",)
    _defines = _ALL

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Exponential", rate), validate_args)


class Laplace(Distribution):
    """The Laplace distribution of location ``loc`` and scale ``scale``, as
    ``torch.distributions.Laplace``."""

    _kind = "Laplace"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True
    _params = _shown = ("loc", "scale")
    _defines = _ALL

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Laplace", loc, scale), validate_args)


class Gamma(Distribution):
    """The gamma distribution of shape ``concentration`` and rate ``rate``,
    as ``torch.distributions.Gamma``."""

    _kind = "Gamma"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration": constraints.positive,
        "rate": constraints.positive,
    }
    support = constraints.nonnegative
    has_rsample = True
    _defines = frozenset({"entropy", "cdf"})
    _params = _shown = ("concentration", "rate")

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Gamma", concentration, rate), validate_args)


class Beta(Distribution):
    """The beta distribution on ``[0, 1]`` with weights ``concentration1``
    (of 1) and ``concentration0`` (of 0), as ``torch.distributions.Beta``."""

    _kind = "Beta"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True
    _params = ("concentration1", "concentration0")
    _shown = ()  # as torch's repr, which shows none of them

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        self._made(_as_tensors("Beta", concentration1, concentration0), validate_args)


class Dirichlet(Distribution):
    """The Dirichlet distribution over the simplex of the last dim of
    ``concentration``, as ``torch.distributions.Dirichlet``."""

    _kind = "Dirichlet"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration": constraints.independent(constraints.positive, 1)
    }
    support = constraints.simplex
    has_rsample = True
    _params = _shown = ("concentration",)

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Dirichlet", concentration), validate_args)


class Poisson(Distribution):
    """The Poisson distribution of ``rate``, as ``torch.distributions.Poisson``
    (its ``entropy`` is not here)."""

    _kind = "Poisson"
    arg_constraints: ClassVar[dict[str, Any]] = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer
    _params = _shown = ("rate",)
    _defines = frozenset()

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Poisson", rate), validate_args)


class MultivariateNormal(Distribution):
    """The normal distribution over the last dim of ``loc`` with one of
    ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (its lower
    Cholesky factor), as ``torch.distributions.MultivariateNormal``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.independent(constraints.real, 1),
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True
    _params = ("loc",)

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        impl = _flodl._Distribution.multivariate_normal(
            loc, covariance_matrix, precision_matrix, scale_tril, self._validating(validate_args)
        )
        self._held(impl, validate_args)
        given = "covariance_matrix" if covariance_matrix is not None else None
        given = given or ("precision_matrix" if precision_matrix is not None else "scale_tril")
        self._shown = ("loc", given)

    scale_tril = _computed("scale_tril")
    covariance_matrix = _computed("covariance_matrix")
    precision_matrix = _computed("precision_matrix")


class LowRankMultivariateNormal(Distribution):
    """The normal distribution over the last dim of ``loc`` whose covariance
    is ``cov_factor @ cov_factor.mT + diag(cov_diag)`` (a low rank plus a
    diagonal), as ``torch.distributions.LowRankMultivariateNormal``."""

    _kind = "LowRankMultivariateNormal"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True
    _params = ("loc", "cov_factor", "cov_diag")
    _shown = ("loc", "cov_factor", "cov_diag")

    def __init__(
        self,
        loc: Tensor,
        cov_factor: Tensor,
        cov_diag: Tensor,
        validate_args: bool | None = None,
    ) -> None:
        self._made([loc, cov_factor, cov_diag], validate_args)

    scale_tril = _computed("scale_tril")
    covariance_matrix = _computed("covariance_matrix")
    precision_matrix = _computed("precision_matrix")


class Cauchy(Distribution):
    """The Cauchy distribution of median ``loc`` and half width ``scale``,
    as ``torch.distributions.Cauchy``."""

    _kind = "Cauchy"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True
    _params = _shown = ("loc", "scale")
    _defines = _ALL

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Cauchy", loc, scale), validate_args)


class Gumbel(Distribution):
    """The Gumbel distribution of location ``loc`` and scale ``scale``, as
    ``torch.distributions.Gumbel`` (its ``cdf`` is not here)."""

    _kind = "Gumbel"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True
    _params = _shown = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("Gumbel", loc, scale), validate_args)


class _Half(Distribution):
    """``|x|`` of ``x`` drawn from a distribution symmetric about 0 with a
    ``scale``: what HalfNormal and HalfCauchy share."""

    arg_constraints: ClassVar[dict[str, Any]] = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _params = ("scale",)
    _shown = ()  # as torch's repr, which shows none of them
    _defines = _ALL

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors(self._kind, scale), validate_args)


class HalfNormal(_Half):
    """``|x|`` of ``x ~ N(0, scale**2)``, as ``torch.distributions.HalfNormal``."""

    _kind = "HalfNormal"


class HalfCauchy(_Half):
    """``|x|`` of ``x ~ Cauchy(0, scale)``, as ``torch.distributions.HalfCauchy``."""

    _kind = "HalfCauchy"


class LogNormal(Distribution):
    """``exp(x)`` of ``x ~ N(loc, scale**2)``, as ``torch.distributions.LogNormal``."""

    _kind = "LogNormal"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.positive
    has_rsample = True
    _params = ("loc", "scale")
    _shown = ()  # as torch's repr
    _defines = _ALL

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("LogNormal", loc, scale), validate_args)


class StudentT(Distribution):
    """Student's t distribution of ``df`` degrees of freedom, location
    ``loc`` and scale ``scale``, as ``torch.distributions.StudentT``."""

    _kind = "StudentT"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "df": constraints.positive,
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True
    _params = _shown = ("df", "loc", "scale")

    def __init__(
        self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        self._made(_as_tensors("StudentT", df, loc, scale), validate_args)


class VonMises(Distribution):
    """The circular von Mises distribution of mean angle ``loc`` and
    ``concentration``, as ``torch.distributions.VonMises``: values and
    ``loc`` are angles in radians (draws in ``[-pi, pi)``); ``mean`` and
    ``variance`` are the circular ones. It has no entropy, as torch's."""

    _kind = "VonMises"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "concentration": constraints.positive,
    }
    support = constraints.real
    _params = _shown = ("loc", "concentration")
    _defines = frozenset()

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("VonMises", loc, concentration), validate_args)


class Chi2(Gamma):
    """The chi-squared distribution of ``df`` degrees of freedom
    (``Gamma(df / 2, 1 / 2)``), as ``torch.distributions.Chi2``."""

    arg_constraints: ClassVar[dict[str, Any]] = {"df": constraints.positive}
    _shown = ()  # as torch's repr

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = _as_tensors("Chi2", df)
        super().__init__(df * 0.5, 0.5, validate_args)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


class _Counts(_ProbsOrLogits):
    """A distribution of counts or one-hot vectors made from ``probs`` or
    ``logits`` (one of them)."""

    _shown_given = True  # repr shows the parameter given, as torch's when made

    def _of(self, probs: Any, logits: Any, validate_args: Any, total_count: Any = None) -> None:
        kind = type(self)._kind
        if probs is not None:
            (probs,) = _as_tensors(kind, probs)
        if logits is not None:
            (logits,) = _as_tensors(kind, logits)
        if total_count is not None:
            (total_count,) = _as_tensors(kind, total_count)
        validate = self._validating(validate_args)
        impl = _flodl._Distribution.of_probs(kind, probs, logits, validate, total_count)
        self._held(impl, validate_args)
        if type(self)._shown_given:
            self._shown = (*self._shown, "probs" if probs is not None else "logits")


class Geometric(_Counts):
    """The number of failures before the first success of probability
    ``probs`` (or log-odds ``logits``), as ``torch.distributions.Geometric``."""

    _kind = "Geometric"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer
    _shown = ()

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._of(probs, logits, validate_args)


class Binomial(_Counts):
    """The number of successes of ``total_count`` trials of probability
    ``probs`` (or log-odds ``logits``), as ``torch.distributions.Binomial``."""

    _kind = "Binomial"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True
    _params = ("total_count",)
    _shown = ("total_count",)

    def __init__(
        self,
        total_count: Any = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        self._of(probs, logits, validate_args, total_count)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        return constraints.integer_interval(0, self.total_count)


class NegativeBinomial(_Counts):
    """The number of successes before ``total_count`` failures, each trial
    a success of probability ``probs`` (or log-odds ``logits``), as
    ``torch.distributions.NegativeBinomial``."""

    _kind = "NegativeBinomial"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer
    _params = ("total_count",)
    _shown = ("total_count",)
    _defines = frozenset()  # no entropy, as torch's

    def __init__(
        self,
        total_count: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        self._of(probs, logits, validate_args, total_count)


class Multinomial(_Counts):
    """The counts of each class (the last dim of ``probs`` or ``logits``)
    in ``total_count`` draws, as ``torch.distributions.Multinomial``."""

    _kind = "Multinomial"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    _shown = ()
    _shown_given = False  # torch's repr shows none

    def __init__(
        self,
        total_count: int = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._of(probs, logits, validate_args, total_count)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Any:
        return constraints.multinomial(self.total_count)

    mode = _lacking("mode")


class OneHotCategorical(_Counts):
    """A Categorical's draws as one-hot vectors over the last dim of
    ``probs`` (or ``logits``), as ``torch.distributions.OneHotCategorical``."""

    _kind = "OneHotCategorical"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    support = constraints.one_hot
    has_enumerate_support = True
    _shown = ()
    _shown_given = False  # torch's repr shows none

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._of(probs, logits, validate_args)


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A OneHotCategorical whose ``rsample`` is the one-hot draw with the
    probabilities' gradient (``draw + probs - probs.detach()``), as
    ``torch.distributions.OneHotCategoricalStraightThrough``."""

    _kind = "OneHotCategoricalStraightThrough"
    has_rsample = True


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

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        # A new Independent over the expanded base (its Rust one too, for a
        # built-in base), so base_dist is the expanded one.
        new = _instance if _instance is not None else type(self).__new__(type(self))
        moved = tuple(self.event_shape)[: self.reinterpreted_batch_ndims]
        base = self.base_dist.expand((*Size(batch_shape), *moved))
        Independent.__init__(new, base, self.reinterpreted_batch_ndims, self._validate_args)
        return new

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

    @property
    def support(self) -> Any:  # type: ignore[override]
        base = self.base_dist.support
        if self.reinterpreted_batch_ndims == 0:
            return base
        return constraints.independent(base, self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError("Enumeration over cartesian product is not implemented")

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamily(Distribution):
    """A batch of components of one family (the last batch dim of
    ``component_distribution``) mixed by the Categorical
    ``mixture_distribution``, as ``torch.distributions.MixtureSameFamily``
    (the components are one of flodl's distributions)."""

    arg_constraints: ClassVar[dict[str, Any]] = {}
    has_rsample = False
    _defines = frozenset({"cdf"})

    def __init__(
        self,
        mixture_distribution: Categorical,
        component_distribution: Distribution,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ArgumentError(
                "MixtureSameFamily: the mixture distribution must be a Categorical, got "
                f"{type(mixture_distribution).__name__}"
            )
        if not isinstance(component_distribution, Distribution):
            raise ArgumentError(
                "MixtureSameFamily: the component distribution must be a Distribution, got "
                f"{type(component_distribution).__name__}"
            )
        if component_distribution._impl is None:
            raise ArgumentError(
                "MixtureSameFamily: the component distribution must be one of flodl's "
                f"distributions, got {type(component_distribution).__name__}"
            )
        self.mixture_distribution = mixture_distribution
        self.component_distribution = component_distribution
        # torch reads the mixture's logits here, which puts them in its repr.
        mixture_distribution._shown = ("probs", "logits")
        impl = _flodl._Distribution.mixture_same_family(
            mixture_distribution._impl,
            component_distribution._impl,
            self._validating(validate_args),
        )
        self._held(impl, validate_args)

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints._MixtureSameFamilyConstraint(self.component_distribution.support)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        new = _instance if _instance is not None else type(self).__new__(type(self))
        batch = tuple(Size(batch_shape))
        mixture = self.mixture_distribution.expand(batch)
        components = self.component_distribution.expand(
            (*batch, self.component_distribution.batch_shape[-1])
        )
        MixtureSameFamily.__init__(new, mixture, components, self._validate_args)
        return new

    def __repr__(self) -> str:
        return (
            f"MixtureSameFamily(\n  {self.mixture_distribution!r},\n  "
            f"{self.component_distribution!r})"
        )


class TransformedDistribution(Distribution):
    """``base_distribution`` pushed through ``transforms`` (one
    ``Transform`` or a list, applied in order), as
    ``torch.distributions.TransformedDistribution``: draws are the base's
    transformed, ``log_prob`` the base's at the inverse less each
    transform's log-Jacobian; ``cdf``/``icdf`` through monotone transforms.
    The base is one of flodl's distributions; the transforms may be one's
    own ``Transform`` subclasses."""

    arg_constraints: ClassVar[dict[str, Any]] = {}
    _defines = frozenset({"cdf", "icdf"})

    def __init__(
        self,
        base_distribution: Distribution,
        transforms: Transform | list[Transform],
        validate_args: bool | None = None,
    ) -> None:
        if isinstance(transforms, Transform):
            self.transforms = [transforms]
        elif isinstance(transforms, list):
            if not all(isinstance(t, Transform) for t in transforms):
                raise ArgumentError("transforms must be a Transform or a list of Transforms")
            self.transforms = transforms
        else:
            raise ArgumentError(
                f"transforms must be a Transform or a list, but was {type(transforms).__name__}"
            )
        if not isinstance(base_distribution, Distribution) or base_distribution._impl is None:
            raise ArgumentError(
                "TransformedDistribution: the base distribution must be one of flodl's "
                f"distributions, got {type(base_distribution).__name__}"
            )
        self.base_dist = base_distribution
        impl = _flodl._Distribution.transformed(
            base_distribution._impl,
            [t._rust() for t in self.transforms],
            self._validating(validate_args),
        )
        self._held(impl, validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def support(self) -> Any:  # type: ignore[override]
        if not self.transforms:
            return self.base_dist.support
        support = self.transforms[-1].codomain
        if len(self.event_shape) > support.event_dim:
            support = constraints.independent(support, len(self.event_shape) - support.event_dim)
        return support

    mean = _lacking("mean")
    mode = _lacking("mode")
    variance = _lacking("variance")


class _Pushed(TransformedDistribution):
    """A built-in distribution that PyTorch defines as a
    TransformedDistribution: its Rust distribution computes everything, and
    ``base_dist``/``transforms`` are PyTorch's, made when asked for (for
    inspection, and the KL of two transformed ones)."""

    has_rsample = True  # type: ignore[assignment]
    _defines = _ALL
    mean = Distribution.mean
    mode = Distribution.mode
    variance = Distribution.variance

    def __init__(self, *params: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors(self._kind, *params), validate_args)

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        raise NotImplementedError

    @property
    def base_dist(self) -> Distribution:  # type: ignore[override]
        return self._parts()[0]

    @property
    def transforms(self) -> list[Transform]:  # type: ignore[override]
        return self._parts()[1]


class Weibull(_Pushed):
    """The Weibull distribution of scale ``scale`` and shape
    ``concentration``, as ``torch.distributions.Weibull``: ``scale * x **
    (1 / concentration)`` of ``x ~ Exponential(1)``."""

    _kind = "Weibull"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "scale": constraints.positive,
        "concentration": constraints.positive,
    }
    support = constraints.positive
    _params = _shown = ("scale", "concentration")

    def __init__(self, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        super().__init__(scale, concentration, validate_args=validate_args)

    @property
    def concentration_reciprocal(self) -> Tensor:
        return self.concentration.reciprocal()

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        base = Exponential(self.scale.new_ones(self.scale.shape), self._validate_args)
        power = PowerTransform(exponent=self.concentration_reciprocal)
        return base, [power, AffineTransform(loc=0, scale=self.scale)]


class Pareto(_Pushed):
    """The Pareto (type I) distribution of scale ``scale`` and shape
    ``alpha``, as ``torch.distributions.Pareto``: ``scale * exp(x)`` of
    ``x ~ Exponential(alpha)``; its support starts at ``scale``."""

    _kind = "Pareto"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "alpha": constraints.positive,
        "scale": constraints.positive,
    }
    _params = _shown = ("scale", "alpha")

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        super().__init__(scale, alpha, validate_args=validate_args)

    @property
    def support(self) -> Any:  # type: ignore[override]
        return constraints.greater_than_eq(self.scale)

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        base = Exponential(self.alpha, self._validate_args)
        return base, [ExpTransform(), AffineTransform(loc=0, scale=self.scale)]


class InverseGamma(_Pushed):
    """The inverse gamma distribution of shape ``concentration`` and rate
    ``rate``, as ``torch.distributions.InverseGamma``: ``1 / x`` of ``x ~
    Gamma(concentration, rate)``."""

    _kind = "InverseGamma"
    _defines = frozenset({"entropy", "cdf"})  # no icdf: Gamma has none
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration": constraints.positive,
        "rate": constraints.positive,
    }
    support = constraints.positive
    _params = ("concentration", "rate")
    _shown = ()  # as torch's repr, which shows none of them

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        super().__init__(concentration, rate, validate_args=validate_args)

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        base = Gamma(self.concentration, self.rate, self._validate_args)
        return base, [PowerTransform(exponent=-self.rate.new_ones(()))]


class FisherSnedecor(Distribution):
    """Fisher-Snedecor's F distribution of ``df1`` and ``df2`` degrees of
    freedom, as ``torch.distributions.FisherSnedecor``."""

    _kind = "FisherSnedecor"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "df1": constraints.positive,
        "df2": constraints.positive,
    }
    support = constraints.positive
    has_rsample = True
    _defines = frozenset()  # no entropy, cdf or icdf, as torch's
    _params = _shown = ("df1", "df2")

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self._made(_as_tensors("FisherSnedecor", df1, df2), validate_args)


class Kumaraswamy(_Pushed):
    """Kumaraswamy's distribution on ``[0, 1]`` of ``concentration1`` and
    ``concentration0``, as ``torch.distributions.Kumaraswamy``: ``(1 - u **
    (1 / concentration0)) ** (1 / concentration1)`` of ``u ~ Uniform(0,
    1)``."""

    _kind = "Kumaraswamy"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    _params = _shown = ("concentration1", "concentration0")

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        super().__init__(concentration1, concentration0, validate_args=validate_args)

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        c0 = self.concentration0
        base = Uniform(c0.new_zeros(c0.shape), c0.new_ones(c0.shape), self._validate_args)
        return base, [
            PowerTransform(exponent=c0.reciprocal()),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=self.concentration1.reciprocal()),
        ]


class LogisticNormal(_Pushed):
    """The logistic normal distribution on the simplex, as
    ``torch.distributions.LogisticNormal``: ``Normal(loc, scale)`` over the
    last dim through the stick-breaking transform (events one longer than
    ``loc``'s last dim); no moments or entropy in closed form, as torch's."""

    _kind = "LogisticNormal"
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.simplex
    _params = ("loc", "scale")
    _shown = ()  # as torch's repr, which shows neither
    _defines = frozenset()

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(loc, scale, validate_args=validate_args)

    def _parts(self) -> tuple[Distribution, list[Transform]]:
        normal = Normal(self.loc, self.scale, self._validate_args)
        if not normal.batch_shape:
            normal = normal.expand((1,))
        return Independent(normal, 1), [StickBreakingTransform()]

    def _absent(self) -> Tensor:
        raise NotImplementedError("LogisticNormal has no mean, mode or variance in closed form")

    mean = mode = variance = stddev = property(_absent)  # type: ignore[assignment]


class _Relaxed(_ProbsOrLogits):
    """A relaxed base (``LogitRelaxedBernoulli``, ``ExpRelaxedCategorical``)
    at ``temperature``, from ``probs`` or ``logits``: draws and
    ``log_prob`` only, as torch's."""

    has_rsample = True
    _params = ("temperature",)
    _defines = frozenset()

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        kind = type(self).__name__
        probs = None if probs is None else _as_tensors(kind, probs)[0]
        logits = None if logits is None else _as_tensors(kind, logits)[0]
        (temperature,) = _as_tensors(kind, temperature)
        validate = self._validating(validate_args)
        impl = _flodl._Distribution.relaxed(kind, temperature, probs, logits, validate)
        self._held(impl, validate_args, (temperature,))
        self._shown = ("probs" if probs is not None else "logits",)

    mean = _lacking("mean")
    mode = _lacking("mode")
    variance = _lacking("variance")


class LogitRelaxedBernoulli(_Relaxed):
    """The logit of a ``RelaxedBernoulli`` draw, as
    ``torch.distributions.relaxed_bernoulli.LogitRelaxedBernoulli``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.real


class ExpRelaxedCategorical(_Relaxed):
    """The log of a ``RelaxedOneHotCategorical`` draw, as
    ``torch.distributions.relaxed_categorical.ExpRelaxedCategorical``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.simplex,
        "logits": constraints.real_vector,
    }
    support = constraints.real_vector


class _RelaxedOf(TransformedDistribution):
    """A relaxed distribution: its base (``_base``) through ``_transform``,
    with the base's ``temperature``, ``probs`` and ``logits``."""

    has_rsample = True
    _shown = ()

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = type(self)._base(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, type(self)._transform(), validate_args=validate_args)

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits


class RelaxedBernoulli(_RelaxedOf):
    """A draw in ``(0, 1)`` that tends to a Bernoulli's as ``temperature``
    goes to 0, differentiable in ``probs`` (or ``logits``): a
    ``LogitRelaxedBernoulli`` through a sigmoid, as
    ``torch.distributions.RelaxedBernoulli``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.unit_interval
    _base = LogitRelaxedBernoulli
    _transform = transforms.SigmoidTransform


class RelaxedOneHotCategorical(_RelaxedOf):
    """A point of the simplex that tends to a one-hot draw as
    ``temperature`` goes to 0 (Gumbel-softmax), differentiable in ``probs``
    (or ``logits``): an ``ExpRelaxedCategorical`` through exp, as
    ``torch.distributions.RelaxedOneHotCategorical``."""

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": constraints.simplex,
        "logits": constraints.real_vector,
    }
    support = constraints.simplex
    _base = ExpRelaxedCategorical
    _transform = transforms.ExpTransform


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


_BUILT_IN = (
    Normal,
    Categorical,
    Bernoulli,
    Uniform,
    Exponential,
    Laplace,
    Gamma,
    Beta,
    Dirichlet,
    Poisson,
    MultivariateNormal,
    LowRankMultivariateNormal,
    Cauchy,
    Gumbel,
    HalfNormal,
    HalfCauchy,
    LogNormal,
    Weibull,
    Pareto,
    StudentT,
    VonMises,
    Chi2,
    InverseGamma,
    Kumaraswamy,
    LogisticNormal,
    FisherSnedecor,
    ContinuousBernoulli,
    Geometric,
    Binomial,
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
    MixtureSameFamily,
    TransformedDistribution,
    Independent,
)


def _kl_of_impls(p: Distribution, q: Distribution) -> Tensor:
    return p._impl.kl(q._impl)


# The pairs of one kind with a KL in Rust (PyTorch's registrations).
for _class in (
    Normal,
    Categorical,
    Bernoulli,
    Uniform,
    Exponential,
    Laplace,
    Gamma,
    Beta,
    Dirichlet,
    Poisson,
    MultivariateNormal,
    Cauchy,
    Gumbel,
    HalfNormal,
    HalfCauchy,
    LogNormal,
    Pareto,
    Geometric,
    Binomial,
    OneHotCategorical,
    ContinuousBernoulli,
):
    register_kl(_class, _class)(_kl_of_impls)
# The pairs of two kinds with a KL in Rust (PyTorch's registrations).
for _p, _q in _flodl._Distribution.kl_cross_pairs():
    register_kl(globals()[_p], globals()[_q])(_kl_of_impls)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p: TransformedDistribution, q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms:
        raise NotImplementedError("kl_divergence: TransformedDistributions of other transforms")
    if p.event_shape != q.event_shape:
        raise NotImplementedError("kl_divergence: TransformedDistributions of other event shapes")
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence: Independent distributions of different reinterpreted_batch_ndims"
        )
    if type(p.base_dist) in _BUILT_IN and type(q.base_dist) in _BUILT_IN:
        return p._impl.kl(q._impl)
    return p._summed(kl_divergence(p.base_dist, q.base_dist))
