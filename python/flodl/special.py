"""``flodl.special``, as ``torch.special``: each function is one op of the
catalogue under torch.special's name (``special.expit`` is ``x.sigmoid()``,
``special.ndtr`` is ``x.special_ndtr()``). A Variable in gives a Variable
out that records the op where libtorch has a derivative (``zeta``, the
Bessel functions and the incomplete gamma functions have none)."""

from __future__ import annotations

import builtins
from typing import Any

from ._flodl import Tensor
from ._namespace import _as_operand, _tensor

__all__ = [
    "bessel_j0",
    "bessel_j1",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
    "zeta",
]


def _unary(name: str, method: str, what: str) -> Any:
    def function(input: Tensor) -> Tensor:
        return getattr(_tensor(f"special.{name}", input), method)()

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{what}, as ``torch.special.{name}``."
    return function


def _binary(name: str, method: str, what: str) -> Any:
    def function(input: Any, other: Any) -> Tensor:
        # A number on either side, as torch takes one: a 0-d tensor of its
        # partner's dtype where that holds it (else the default float).
        if not isinstance(input, Tensor):
            input = _as_operand(input, _tensor(f"special.{name}", other))
        elif not isinstance(other, Tensor):
            other = _as_operand(other, input)
        return getattr(input, method)(other)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{what}, as ``torch.special.{name}``."
    return function


bessel_j0 = _unary(
    "bessel_j0", "special_bessel_j0", "The Bessel function of the first kind of order 0"
)
bessel_j1 = _unary(
    "bessel_j1", "special_bessel_j1", "The Bessel function of the first kind of order 1"
)
digamma = _unary("digamma", "digamma", "The log-derivative of the gamma function")
psi = _unary("psi", "digamma", "The log-derivative of the gamma function (``digamma``)")
entr = _unary("entr", "special_entr", "``-x log x`` elementwise (0 at 0, -inf below)")
erf = _unary("erf", "erf", "The error function")
erfc = _unary("erfc", "erfc", "The complementary error function")
erfcx = _unary("erfcx", "special_erfcx", "The scaled complementary error function")
erfinv = _unary("erfinv", "erfinv", "The inverse error function")
exp2 = _unary("exp2", "exp2", "``2 ** x``")
expit = _unary("expit", "sigmoid", "The logistic sigmoid")
expm1 = _unary("expm1", "expm1", "``exp(x) - 1``, accurate near 0")
gammaln = _unary("gammaln", "lgamma", "The log of the gamma function's absolute value")
i0 = _unary("i0", "i0", "The modified Bessel function of the first kind of order 0")
i0e = _unary("i0e", "special_i0e", "``i0``, exponentially scaled")
i1 = _unary("i1", "special_i1", "The modified Bessel function of the first kind of order 1")
i1e = _unary("i1e", "special_i1e", "``i1``, exponentially scaled")
log1p = _unary("log1p", "log1p", "``log(1 + x)``, accurate near 0")
log_ndtr = _unary("log_ndtr", "special_log_ndtr", "The log of the standard normal CDF")
ndtr = _unary("ndtr", "special_ndtr", "The standard normal CDF")
ndtri = _unary("ndtri", "special_ndtri", "The standard normal quantile function")
sinc = _unary("sinc", "sinc", "The normalized sinc function")
gammainc = _binary("gammainc", "igamma", "The regularized lower incomplete gamma function")
gammaincc = _binary("gammaincc", "igammac", "The regularized upper incomplete gamma function")
xlogy = _binary("xlogy", "xlogy", "``x * log(y)``, 0 where ``x`` is 0")
xlog1py = _binary("xlog1py", "special_xlog1py", "``x * log1p(y)``, 0 where ``x`` is 0")
zeta = _binary("zeta", "special_zeta", "The Hurwitz zeta function")


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, inputs clamped to ``[eps, 1 - eps]`` when
    given, as ``torch.special.logit``."""
    return _tensor("special.logit", input).logit(eps)


def round(input: Tensor, decimals: builtins.int = 0) -> Tensor:
    """Rounded halves to even (to ``decimals`` places), as ``torch.special.round``."""
    return _tensor("special.round", input).round(decimals=decimals)


def polygamma(n: builtins.int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of digamma, as ``torch.special.polygamma``."""
    return _tensor("special.polygamma", input).polygamma(n)


def multigammaln(input: Tensor, p: builtins.int) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``, as
    ``torch.special.multigammaln``."""
    return _tensor("special.multigammaln", input).mvlgamma(p)


def softmax(input: Tensor, dim: builtins.int, *, dtype: Any = None) -> Tensor:
    """``softmax`` along ``dim`` (computed in ``dtype`` when given), as
    ``torch.special.softmax``."""
    return _tensor("special.softmax", input).softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: builtins.int, *, dtype: Any = None) -> Tensor:
    """``log_softmax`` along ``dim``, as ``torch.special.log_softmax``."""
    return _tensor("special.log_softmax", input).log_softmax(dim, dtype=dtype)


def logsumexp(input: Tensor, dim: Any, keepdim: builtins.bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably, as ``torch.special.logsumexp``."""
    return _tensor("special.logsumexp", input).logsumexp(dim, keepdim)
