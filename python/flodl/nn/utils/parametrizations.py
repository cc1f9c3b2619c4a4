"""``torch.nn.utils.parametrizations``: ``spectral_norm`` and
``weight_norm`` and ``orthogonal`` as parametrizations (``parametrize``),
with PyTorch's state dict keys (``parametrizations.weight.original``,
``...0._u``, ``...0.base``). What they compute is Rust's
(``flodl::nn::utils::spectral_*``, ``orthogonal_from``, ``weight_norm_from``)."""

from __future__ import annotations

from typing import Any

from ... import _flodl
from ..._flodl import ArgumentError, OutOfRangeError, Tensor
from .. import functional as F
from ..module import Module
from . import parametrize
from ._spectral_norm import _transposed

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _SpectralNorm(Module):
    """A weight over its largest singular value (a 1-d weight over its
    norm); the power iteration's vectors are the buffers ``_u`` and ``_v``,
    refined once per training forward."""

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < ndim:
            raise OutOfRangeError(
                f"spectral_norm: dim {dim} is out of range for a weight of {ndim} dims"
            )
        if n_power_iterations <= 0:
            raise ArgumentError(
                f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}"
            )
        self.dim = dim % ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            u, v = _flodl._spectral_vectors(weight, self.dim, eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            # PyTorch's start: 15 rounds, so the first forward is already close.
            _flodl._spectral_power_iteration(weight, u, v, self.dim, 15, eps, True)

    def forward(self, weight: Any) -> Any:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        if self.training:
            _flodl._spectral_power_iteration(
                weight, self._u, self._v, self.dim, self.n_power_iterations, self.eps, True
            )
        return _flodl._spectral_normalized(weight, self._u, self._v, self.dim)

    def right_inverse(self, value: Any) -> Any:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Parametrizes ``module.<name>`` as itself over its largest singular
    value; ``dim`` is the output dim (1 for transposed convolutions, else 0).
    Returns ``module``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ArgumentError(
            f"spectral_norm: {module._get_name()} has no parameter or buffer {name!r}"
        )
    if dim is None:
        dim = 1 if _transposed(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module


class _WeightNorm(Module):
    """A weight as its norm ``original0`` (per slice of ``dim``) times its
    direction ``original1``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Any, weight_v: Any) -> Any:
        return weight_v.weight_norm_from(weight_g, self.dim)

    def right_inverse(self, weight: Any) -> tuple[Any, Any]:
        return weight.norm_except_dim(2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Parametrizes ``module.<name>`` by its norm over every dim but ``dim``
    (``original0``) and its direction (``original1``). Returns ``module``."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _Orthogonal(Module):
    """An orthogonal matrix (or one with orthonormal rows or columns) from
    a free one by ``orthogonal_map``; with the trivialization, the buffer
    ``base`` is the orthogonal matrix the map starts from."""

    def __init__(self, weight: Any, orthogonal_map: str, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Any) -> Any:
        return _flodl._orthogonal(X, self.orthogonal_map, getattr(self, "base", None))

    def right_inverse(self, Q: Any) -> Any:
        if Q.shape != self.shape:
            raise ArgumentError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {Q.shape}."
            )
        trivialization = hasattr(self, "base")
        if not trivialization and self.orthogonal_map != "householder":
            # torch's: registering keeps the original; assigning fails.
            raise NotImplementedError(
                "It is not possible to assign to the matrix exponential or the Cayley "
                "parametrizations when use_trivialization=False."
            )
        original, base = _flodl._orthogonal_right_inverse(Q, self.orthogonal_map, trivialization)
        if base is not None:
            self.base = base
        return original


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Parametrizes the matrix ``module.<name>`` (or batch of them) to stay
    orthogonal: ``"matrix_exp"`` (square weights' default), ``"cayley"`` or
    ``"householder"`` (the others' default) maps a free matrix to it, as
    torch's; with ``use_trivialization`` the buffer ``base`` keeps the
    orthogonal matrix the map starts from (assigning to the weight sets
    it). Returns ``module``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ArgumentError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ArgumentError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ArgumentError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
