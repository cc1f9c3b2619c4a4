"""``flodl.linalg``, as ``torch.linalg``: each function is one op of the
catalogue (``A.inverse()``, ``A.linalg_svd()``, ...) under torch.linalg's
name and signature. The matrices are the last two dims; leading dims are a
batch. A Variable in gives a Variable out that records the op.

Singular or not positive-definite inputs, and routines that do not
converge, raise ``LinAlgError`` (a ``FlodlError`` and ``RuntimeError``, as
torch's)."""

from __future__ import annotations

import builtins
from typing import Any

from . import return_types
from ._flodl import ArgumentError, LinAlgError, Tensor
from ._namespace import _class_of, _sequence, _tensor

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vander",
    "vecdot",
    "vector_norm",
]


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix, as ``torch.linalg.det``."""
    return _tensor("linalg.det", A).det()


def slogdet(A: Tensor) -> Any:
    """``(sign, logabsdet)`` of the determinant, as ``torch.linalg.slogdet``."""
    return return_types.linalg_slogdet(*_tensor("linalg.slogdet", A).slogdet())


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix, as ``torch.linalg.inv``."""
    return _tensor("linalg.inv", A).inverse()


def pinv(
    A: Tensor,
    *,
    atol: float | None = None,
    rtol: float | None = None,
    hermitian: bool = False,
) -> Tensor:
    """The pseudo-inverse, as ``torch.linalg.pinv``."""
    return _tensor("linalg.pinv", A).linalg_pinv(atol=atol, rtol=rtol, hermitian=hermitian)


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential, as ``torch.linalg.matrix_exp``."""
    return _tensor("linalg.matrix_exp", A).matrix_exp()


def matrix_power(A: Tensor, n: builtins.int) -> Tensor:
    """``A`` to the integer power ``n``, as ``torch.linalg.matrix_power``."""
    return _tensor("linalg.matrix_power", A).matrix_power(n)


def matrix_rank(
    A: Tensor,
    *,
    atol: float | None = None,
    rtol: float | None = None,
    hermitian: bool = False,
) -> Tensor:
    """The rank (an Int64 tensor), as ``torch.linalg.matrix_rank``."""
    return _tensor("linalg.matrix_rank", A).linalg_matrix_rank(
        atol=atol, rtol=rtol, hermitian=hermitian
    )


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor, as ``torch.linalg.cholesky``."""
    return _tensor("linalg.cholesky", A).cholesky(upper)


def qr(A: Tensor, mode: str = "reduced") -> Any:
    """``(Q, R)``, as ``torch.linalg.qr`` (``mode``: ``"reduced"``,
    ``"complete"`` or ``"r"``)."""
    return _tensor("linalg.qr", A).linalg_qr(mode)


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> Any:
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, as ``torch.linalg.svd``
    (``driver`` is CUDA's choice of solver: only None is taken)."""
    _no_driver("linalg.svd", driver)
    return _tensor("linalg.svd", A).linalg_svd(full_matrices)


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """The singular values, descending, as ``torch.linalg.svdvals``."""
    _no_driver("linalg.svdvals", driver)
    return _tensor("linalg.svdvals", A).linalg_svdvals()


def eigh(A: Tensor, UPLO: str = "L") -> Any:
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix, as
    ``torch.linalg.eigh``."""
    return _tensor("linalg.eigh", A).linalg_eigh(UPLO)


def eig(A: Tensor) -> Any:
    """``(eigenvalues, eigenvectors)`` of each square matrix, complex, as
    ``torch.linalg.eig``."""
    return return_types.linalg_eig(*_tensor("linalg.eig", A).linalg_eig())


def eigvals(A: Tensor) -> Tensor:
    """The complex eigenvalues of each square matrix, as ``torch.linalg.eigvals``."""
    return _tensor("linalg.eigvals", A).linalg_eigvals()


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of each symmetric matrix, ascending, as ``torch.linalg.eigvalsh``."""
    return _tensor("linalg.eigvalsh", A).linalg_eigvalsh(UPLO)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """``X`` with ``A X = B`` (``X A = B`` when ``left`` is false), as
    ``torch.linalg.solve``."""
    return _tensor("linalg.solve", A).linalg_solve(B, left)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """``(solution, residuals, rank, singular_values)`` of the least-squares
    problem ``A X = B``, as ``torch.linalg.lstsq`` (``driver``: LAPACK's
    ``"gelsy"``, the default, ``"gels"``, ``"gelsd"`` or ``"gelss"``; CUDA
    uses ``"gels"``)."""
    return _tensor("linalg.lstsq", A).linalg_lstsq(B, rcond, driver or "gelsy")


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """The solution of a triangular system, as ``torch.linalg.solve_triangular``."""
    return _tensor("linalg.solve_triangular", A).linalg_solve_triangular(
        B, upper, left, unitriangular
    )


def vecdot(x: Tensor, y: Tensor, *, dim: builtins.int = -1) -> Tensor:
    """The sums of products along ``dim``, as ``torch.linalg.vecdot``."""
    return _tensor("linalg.vecdot", x).linalg_vecdot(y, dim)


def cross(input: Tensor, other: Tensor, *, dim: builtins.int = -1) -> Tensor:
    """The 3-d cross product along ``dim``, as ``torch.linalg.cross``."""
    return _tensor("linalg.cross", input).cross(other, dim)


def diagonal(
    A: Tensor, *, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1
) -> Tensor:
    """The diagonal of each matrix, as ``torch.linalg.diagonal``."""
    return _tensor("linalg.diagonal", A).diagonal(offset, dim1, dim2)


def multi_dot(tensors: Any) -> Tensor:
    """The product of the matrices ``tensors`` in the cheapest order, as
    ``torch.linalg.multi_dot``."""
    tensors = _sequence("linalg.multi_dot", tensors)
    return _class_of(tensors).multi_dot(tensors)


def vector_norm(
    x: Tensor,
    ord: float = 2,
    dim: Any = None,
    keepdim: bool = False,
) -> Tensor:
    """The ``ord``-norm of the values (of all, or over ``dim``), as
    ``torch.linalg.vector_norm``."""
    if isinstance(ord, str):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return _tensor("linalg.vector_norm", x).norm(ord, dim, keepdim)


def matrix_norm(
    A: Tensor,
    ord: Any = "fro",
    dim: tuple[builtins.int, builtins.int] = (-2, -1),
    keepdim: bool = False,
) -> Tensor:
    """The matrix norm (``"fro"``, ``"nuc"``, 1, -1, 2, -2, inf or -inf)
    over the two dims ``dim``, as ``torch.linalg.matrix_norm``."""
    A = _tensor("linalg.matrix_norm", A)
    if isinstance(ord, str):
        return A.linalg_matrix_norm_str(ord, dim, keepdim)
    return A.linalg_matrix_norm(ord, dim, keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:
    """As ``torch.linalg.norm``: a matrix norm when ``dim`` names two dims
    (or is None for a 2-d ``A`` and ``ord`` is given), else a vector norm
    (the 2-norm of all values when both are None)."""
    A = _tensor("linalg.norm", A)
    if isinstance(dim, (tuple, list)) and len(dim) not in (1, 2):
        raise ArgumentError(f"linalg.norm: dim must be an int or of length 1 or 2, got {dim}")
    if dim is None and ord is not None and A.dim() not in (1, 2):
        raise ArgumentError(
            f"linalg.norm: with ord and no dim, the input must be 1-d or 2-d, got {A.dim()}-d"
        )
    two_dims = isinstance(dim, (tuple, list)) and len(dim) == 2
    if two_dims or (dim is None and ord is not None and A.dim() == 2):
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim or (-2, -1)), keepdim)
    if isinstance(ord, str):
        raise ArgumentError(f"linalg.norm: ord {ord!r} needs a matrix (two dims)")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim)


def _no_driver(op: str, driver: str | None) -> None:
    if driver is not None:
        raise ArgumentError(f"{op}: driver= is only taken on CUDA by torch; flodl takes None")


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number of each matrix in the norm ``p`` (None or 2:
    the ratio of the extreme singular values; -2, 1, -1, inf, -inf,
    ``"fro"``, ``"nuc"``), as ``torch.linalg.cond``."""
    A = _tensor("linalg.cond", A)
    if isinstance(p, str):
        return A.linalg_cond_str(p)
    return A.linalg_cond(2.0 if p is None else p)


def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:
    """``(LU, pivots)``: the LU factorization with partial pivoting in one
    matrix, and the int32 row swaps (1-based), as ``torch.linalg.lu_factor``."""
    return return_types.linalg_lu_factor(*_tensor("linalg.lu_factor", A).linalg_lu_factor(pivot))


def lu(A: Tensor, *, pivot: bool = True) -> Any:
    """``(P, L, U)`` with ``A = P @ L @ U``, as ``torch.linalg.lu``."""
    return return_types.linalg_lu(*_tensor("linalg.lu", A).linalg_lu(pivot))


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The product of the Householder reflections whose vectors are the
    columns of ``A`` and whose scales are ``tau``, as
    ``torch.linalg.householder_product``."""
    return _tensor("linalg.householder_product", A).linalg_householder_product(tau)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``(L, info)``: the Cholesky factor, and per matrix 0 or the order of
    the first leading minor that is not positive-definite (no error unless
    ``check_errors``), as ``torch.linalg.cholesky_ex``."""
    return _tensor("linalg.cholesky_ex", A).linalg_cholesky_ex(upper, check_errors)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:
    """``(inverse, info)``: the inverse, and per matrix 0 or where it is
    singular (no error unless ``check_errors``), as ``torch.linalg.inv_ex``."""
    return _tensor("linalg.inv_ex", A).linalg_inv_ex(check_errors)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:
    """``(result, info)``: the solution of ``A X = B`` (``X A = B`` with
    ``left=False``) without raising, as ``torch.linalg.solve_ex``."""
    return _tensor("linalg.solve_ex", A).linalg_solve_ex(B, left, check_errors)


def lu_solve(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False
) -> Tensor:
    """The solution of ``A X = B`` from ``lu_factor(A)``'s ``LU`` and
    ``pivots``, as ``torch.linalg.lu_solve``."""
    return _tensor("linalg.lu_solve", LU).linalg_lu_solve(pivots, B, left, adjoint)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``input @ other``, as ``torch.linalg.matmul``."""
    return _tensor("linalg.matmul", input).matmul(other)


def vander(x: Tensor, *, N: builtins.int | None = None) -> Tensor:
    """The Vandermonde matrix of the 1-d ``x`` in increasing powers ``x**0``
    to ``x**(N-1)``, as ``torch.linalg.vander``."""
    return _tensor("linalg.vander", x).vander(N, True)
