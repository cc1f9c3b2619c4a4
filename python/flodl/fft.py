"""``flodl.fft``, as ``torch.fft``: the discrete Fourier transforms, each
one op of the catalogue (``fft.rfft(x)`` is ``x.fft_rfft()``) under
torch.fft's name and signature. ``norm`` is ``"backward"`` (None: no
scaling forward, ``1/n`` back), ``"ortho"`` or ``"forward"``. A Variable
in gives a Variable out that records the op; a real input to a complex
transform is taken as complex."""

from __future__ import annotations

import builtins
from typing import Any

from . import _flodl
from ._creation import _leaf
from ._flodl import Tensor
from ._namespace import _tensor

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
]


def _one_dim(name: str, what: str) -> Any:
    method = f"fft_{name}"

    def transform(
        input: Tensor,
        n: builtins.int | None = None,
        dim: builtins.int = -1,
        norm: str | None = None,
    ) -> Tensor:
        return getattr(_tensor(f"fft.{name}", input), method)(n, dim, norm)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = f"{what}, as ``torch.fft.{name}``."
    return transform


def _two_dim(name: str, what: str) -> Any:
    method = f"fft_{name}"

    def transform(
        input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None
    ) -> Tensor:
        return getattr(_tensor(f"fft.{name}", input), method)(s, dim, norm)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = f"{what}, as ``torch.fft.{name}``."
    return transform


def _n_dim(name: str, what: str) -> Any:
    method = f"fft_{name}"

    def transform(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
        if isinstance(dim, builtins.int):
            dim = [dim]
        return getattr(_tensor(f"fft.{name}", input), method)(s, dim, norm)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = f"{what}, as ``torch.fft.{name}``."
    return transform


fft = _one_dim("fft", "The 1-d discrete Fourier transform along ``dim`` (cut or padded to ``n``)")
ifft = _one_dim("ifft", "The inverse of ``fft``")
rfft = _one_dim("rfft", "The transform of a real signal: the ``n // 2 + 1`` frequencies from 0 up")
irfft = _one_dim("irfft", "The inverse of ``rfft``: a real signal of ``n`` values")
hfft = _one_dim("hfft", "The transform of a Hermitian signal given by its first half (real)")
ihfft = _one_dim("ihfft", "The inverse of ``hfft``")
fft2 = _two_dim("fft2", "The 2-d transform over ``dim``")
ifft2 = _two_dim("ifft2", "The inverse of ``fft2``")
rfft2 = _two_dim("rfft2", "The 2-d transform of a real signal")
irfft2 = _two_dim("irfft2", "The inverse of ``rfft2``")
hfft2 = _two_dim("hfft2", "The 2-d ``hfft``")
ihfft2 = _two_dim("ihfft2", "The inverse of ``hfft2``")
fftn = _n_dim("fftn", "The transform over ``dim`` (every dim, or the last ``len(s)``)")
ifftn = _n_dim("ifftn", "The inverse of ``fftn``")
rfftn = _n_dim("rfftn", "The n-d transform of a real signal")
irfftn = _n_dim("irfftn", "The inverse of ``rfftn``")
hfftn = _n_dim("hfftn", "The n-d ``hfft``")
ihfftn = _n_dim("ihfftn", "The inverse of ``hfftn``")


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The zero frequency moved to the middle of ``dim`` (every dim by
    default), as ``torch.fft.fftshift``."""
    if isinstance(dim, builtins.int):
        dim = [dim]
    return _tensor("fft.fftshift", input).fft_fftshift(dim)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The inverse of ``fftshift``, as ``torch.fft.ifftshift``."""
    if isinstance(dim, builtins.int):
        dim = [dim]
    return _tensor("fft.ifftshift", input).fft_ifftshift(dim)


def fftfreq(
    n: builtins.int,
    d: builtins.float = 1.0,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: builtins.bool = False,
) -> Tensor:
    """The frequencies of the ``n`` bins of an ``fft`` of samples ``d``
    apart (``[0, 1, ..., -1] / (d * n)``), as ``torch.fft.fftfreq``."""
    return _leaf(_flodl._fftfreq(n, d, False, dtype, device), requires_grad)


def rfftfreq(
    n: builtins.int,
    d: builtins.float = 1.0,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: builtins.bool = False,
) -> Tensor:
    """The frequencies of the ``n // 2 + 1`` bins of an ``rfft``, as
    ``torch.fft.rfftfreq``."""
    return _leaf(_flodl._fftfreq(n, d, True, dtype, device), requires_grad)
