"""The named results of the ops that give values and their indices, as
``torch.return_types``: ``x.max(dim)``, ``x.min(dim)``, ``x.sort()``,
``x.topk(k)``, ``x.kthvalue(k)``, ``x.median(dim)``, ``x.mode()``,
``x.cummax(dim)``, ``x.cummin(dim)`` return tuples that also have
``.values`` and ``.indices``; ``x.aminmax()`` one with ``.min`` and ``.max``,
and the factorisations theirs (``x.svd()``: ``.U``, ``.S``, ``.V``;
``flodl.linalg.eigh(x)``: ``.eigenvalues``, ``.eigenvectors``; ...)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

__all__ = [
    "aminmax",
    "cummax",
    "cummin",
    "frexp",
    "histogram",
    "kthvalue",
    "linalg_cholesky_ex",
    "linalg_eig",
    "linalg_eigh",
    "linalg_inv_ex",
    "linalg_lstsq",
    "linalg_lu",
    "linalg_lu_factor",
    "linalg_qr",
    "linalg_slogdet",
    "linalg_solve_ex",
    "linalg_svd",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "qr",
    "slogdet",
    "sort",
    "svd",
    "topk",
]


def _return_type(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    base = namedtuple(name, fields)

    def __repr__(self: Any) -> str:
        shown = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"flodl.return_types.{name}(\n{shown})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = __name__
    return cls


max = _return_type("max")
min = _return_type("min")
sort = _return_type("sort")
topk = _return_type("topk")
kthvalue = _return_type("kthvalue")
median = _return_type("median")
mode = _return_type("mode")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
aminmax = _return_type("aminmax", ("min", "max"))
slogdet = _return_type("slogdet", ("sign", "logabsdet"))
qr = _return_type("qr", ("Q", "R"))
svd = _return_type("svd", ("U", "S", "V"))
linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
linalg_qr = _return_type("linalg_qr", ("Q", "R"))
linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
linalg_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
histogram = _return_type("histogram", ("hist", "bin_edges"))
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
linalg_lu = _return_type("linalg_lu", ("P", "L", "U"))
linalg_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
nanmedian = _return_type("nanmedian")
frexp = _return_type("frexp", ("mantissa", "exponent"))
