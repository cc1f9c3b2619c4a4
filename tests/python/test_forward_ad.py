"""``flodl.autograd.forward_ad`` against ``torch.autograd.forward_ad``; the
tutorial's walk-through is tests/dropin/forward_ad_tutorial.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as torch_fwad

import flodl
import flodl.autograd.forward_ad as fwad

X = np.random.default_rng(0).standard_normal((3, 4))
V = np.random.default_rng(1).standard_normal((3, 4))


def f(lib, x):
    return (x.sin() * x).matmul(lib.ones(4, 2, dtype=lib.float64)).tanh()


def test_the_tangent_is_torch_s_jvp_and_reverse_over_forward_works() -> None:
    results = []
    for lib, ad in ((flodl, fwad), (torch, torch_fwad)):
        x = lib.from_numpy(X.copy()).requires_grad_()
        with ad.dual_level():
            dual = ad.make_dual(x, lib.from_numpy(V.copy()))
            out = ad.unpack_dual(f(lib, dual))
            assert ad.unpack_dual(lib.ones(2)).tangent is None
        out.tangent.sum().backward()
        results.append((out.primal.detach().numpy(), out.tangent.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_levels_open_and_close_as_torch_s() -> None:
    outside = fwad.unpack_dual(flodl.ones(2))
    assert outside.tangent is None and outside.primal.tolist() == [1.0, 1.0]
    with pytest.raises(flodl.AutogradError, match="enter a dual level first"):
        fwad.make_dual(flodl.ones(2), flodl.ones(2))
    level = fwad.enter_dual_level()
    try:
        with pytest.raises(flodl.AutogradError):
            fwad.enter_dual_level()  # libtorch nests no levels
        with pytest.raises(flodl.ShapeError, match="make_dual: the tangent has shape"):
            fwad.make_dual(flodl.ones(2), flodl.ones(3))
        with pytest.raises(flodl.DTypeError, match="forward mode needs floating point"):
            fwad.make_dual(flodl.arange(2), flodl.ones(2))
    finally:
        fwad.exit_dual_level(level=level)
    # Closed: func.jvp can open its own.
    _, tangent = flodl.func.jvp(lambda x: x * 3, (flodl.ones(2),), (flodl.ones(2),))
    assert tangent.tolist() == [3.0, 3.0]
