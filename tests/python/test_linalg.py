"""flodl.linalg against torch.linalg: the module functions' names,
signatures, named results and error kinds (each op's values and gradients
are op-info entries, checked by test_ops.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable
from flodl import linalg as L

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 3)) + 4 * np.eye(3)
B = RNG.standard_normal((3, 2))
SPD = A @ A.T


def ours(a: np.ndarray) -> Tensor:
    return Tensor.from_numpy(a.copy())


def theirs(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.copy())


def same(got, expected) -> None:
    if isinstance(expected, tuple):
        assert type(got).__name__ == type(expected).__name__
        assert got.__match_args__ == expected.__match_args__
        for g, e in zip(got, expected):
            same(g, e)
        return
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "name,args,kwargs",
    [
        ("det", (A,), {}),
        ("slogdet", (A,), {}),
        ("inv", (A,), {}),
        ("pinv", (B,), {}),
        ("pinv", (SPD,), {"hermitian": True, "rtol": 1e-6}),
        ("matrix_exp", (A / 4,), {}),
        ("matrix_power", (A, -2), {}),
        ("matrix_rank", (B @ B.T,), {}),
        ("cholesky", (SPD,), {"upper": True}),
        ("qr", (B,), {}),
        ("qr", (B,), {"mode": "complete"}),
        ("qr", (B,), {"mode": "r"}),
        ("svd", (B,), {}),
        ("svd", (B,), {"full_matrices": False}),
        ("svdvals", (B,), {}),
        ("eigh", (SPD,), {}),
        ("eigh", (SPD,), {"UPLO": "U"}),
        ("eigvalsh", (SPD,), {}),
        ("solve", (A, B), {}),
        ("solve", (A, B.T), {"left": False}),
        ("solve_triangular", (np.triu(A), B), {"upper": True}),
        ("vecdot", (B, B), {"dim": 0}),
        ("cross", (B.T, B.T), {}),
        ("diagonal", (A,), {"offset": 1}),
        ("vector_norm", (A,), {}),
        ("vector_norm", (A,), {"ord": math.inf, "dim": 1, "keepdim": True}),
        ("matrix_norm", (A,), {}),
        ("matrix_norm", (A,), {"ord": "nuc"}),
        ("matrix_norm", (A,), {"ord": -2}),
        ("matrix_norm", (RNG.standard_normal((2, 3, 4)),), {"ord": 1, "dim": (0, 2)}),
        ("norm", (A,), {}),
        ("norm", (A,), {"ord": math.inf}),
        ("norm", (A,), {"ord": "fro"}),
        ("norm", (A[0],), {"ord": 1}),
        ("norm", (RNG.standard_normal((2, 3, 4)),), {"dim": (1, 2), "ord": 2}),
        ("norm", (RNG.standard_normal((2, 3, 4)),), {"dim": 2, "ord": 3}),
        ("cond", (A,), {}),
        ("cond", (B,), {}),
        *[("cond", (A,), {"p": p}) for p in (2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc")],
        ("lu_factor", (A,), {}),
        ("lu_factor", (RNG.standard_normal((2, 4, 4)),), {}),
        ("lu", (A,), {}),
        ("lu", (B,), {}),
        ("lu", (B.T,), {}),
        ("householder_product", (B, np.array([1.2, 0.4])), {}),
    ],
)
def test_module_functions_equal_torch_linalg(name: str, args: tuple, kwargs: dict) -> None:
    got = getattr(L, name)(*(ours(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs)
    expected = getattr(torch.linalg, name)(
        *(theirs(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs
    )
    same(got, expected)


def test_every_function_is_torch_s() -> None:
    for name in L.__all__:
        assert hasattr(torch.linalg, name), name
    assert flodl.linalg is L


@pytest.mark.filterwarnings("ignore:torch.qr is deprecated")
def test_methods_give_torch_s_named_results() -> None:
    same(ours(A).slogdet(), torch.slogdet(theirs(A)))
    same(ours(B).qr(), torch.qr(theirs(B)))
    same(ours(B).svd(), torch.svd(theirs(B)))
    same(ours(B).svd(some=False), torch.svd(theirs(B), some=False))
    u, s, v = ours(B).svd()
    np.testing.assert_allclose((u * s).matmul(v.t()).numpy(), B, atol=1e-12)
    assert repr(ours(A).slogdet()).startswith("flodl.return_types.slogdet(\nsign=")


def test_svd_without_uv_gives_zeros_that_record_nothing() -> None:
    x = Variable(ours(B), requires_grad=True)
    u, s, v = x.svd(compute_uv=False)
    tu, ts, tv = torch.svd(theirs(B).requires_grad_(), compute_uv=False)
    same(s.data, ts.detach())
    assert u.abs().sum().item() == 0 and v.abs().sum().item() == 0
    assert (u.requires_grad, v.requires_grad) == (tu.requires_grad, tv.requires_grad)
    s.sum().backward()
    ts.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tu.new_tensor(0).numpy() + _grad_of_svdvals(), 1e-10)


def _grad_of_svdvals() -> np.ndarray:
    t = theirs(B).requires_grad_()
    torch.linalg.svdvals(t).sum().backward()
    return t.grad.numpy()


def test_gradients_through_the_module_functions() -> None:
    a, b = Variable(ours(A), requires_grad=True), Variable(ours(B), requires_grad=True)
    ta, tb = theirs(A).requires_grad_(), theirs(B).requires_grad_()
    (L.solve(a, b).sum() + L.det(a) + L.matrix_norm(a, "nuc")).backward()
    (
        torch.linalg.solve(ta, tb).sum()
        + torch.linalg.det(ta)
        + torch.linalg.matrix_norm(ta, "nuc")
    ).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


def test_multi_dot_of_tensors_and_variables() -> None:
    mats = [RNG.standard_normal(s) for s in ((4,), (4, 3), (3, 5), (5, 2))]
    same(L.multi_dot([ours(m) for m in mats]), torch.linalg.multi_dot([theirs(m) for m in mats]))
    leaf = Variable(ours(mats[1]), requires_grad=True)
    out = L.multi_dot([ours(mats[0]), leaf, ours(mats[2])])
    assert isinstance(out, Variable) and out.requires_grad
    with pytest.raises(TypeError, match="linalg.multi_dot: expected a sequence"):
        L.multi_dot(ours(A))


def test_errors_have_their_kinds() -> None:
    singular = Tensor.zeros([2, 2])
    with pytest.raises(flodl.FlodlError, match="inverse: .*singular") as caught:
        L.inv(singular)
    assert isinstance(caught.value, RuntimeError)
    assert not isinstance(caught.value, (flodl.ArgumentError, flodl.ShapeError))
    with pytest.raises(flodl.FlodlError, match="not positive-definite"):
        L.cholesky(ours(-np.eye(2)))
    with pytest.raises(flodl.ShapeError, match="square"):
        L.det(Tensor.zeros([2, 3]))
    with pytest.raises(flodl.ShapeError):
        L.solve(ours(A), Tensor.zeros([4, 1], dtype=flodl.float64))
    with pytest.raises(flodl.ArgumentError, match="linalg_qr: mode must be one of"):
        L.qr(ours(A), "full")
    with pytest.raises(flodl.ArgumentError, match="Order 3 not supported"):
        L.matrix_norm(ours(A), 3)
    with pytest.raises(flodl.ArgumentError, match="driver"):
        L.svd(ours(A), driver="gesvd")
    with pytest.raises(flodl.ArgumentError, match="needs a matrix"):
        L.norm(ours(A[0]), "fro")
    with pytest.raises(TypeError, match="linalg.det: input must be a flodl Tensor"):
        L.det([[1.0]])
    with pytest.raises(flodl.AutogradError):
        # mode="r" gives no Q, so there is nothing to differentiate through (torch's error too)
        L.qr(Variable(ours(A), requires_grad=True), mode="r").R.sum().backward()


def test_norm_refuses_what_torch_refuses() -> None:
    x = ours(RNG.standard_normal((2, 3, 4)))
    for call in (
        lambda lib, t: lib.linalg.norm(t, 2),  # ord, no dim, 3-d
        lambda lib, t: lib.linalg.norm(t, dim=(0, 1, 2)),
    ):
        with pytest.raises(RuntimeError):
            call(torch, theirs(x.numpy()))
        with pytest.raises(flodl.ArgumentError):
            call(flodl, x)
    with pytest.raises(TypeError):
        torch.linalg.vector_norm(theirs(x.numpy()), "fro")
    with pytest.raises(TypeError, match="ord must be a number"):
        flodl.linalg.vector_norm(x, "fro")


def test_module_functions_take_torch_s_argument_order() -> None:
    x = ours(np.abs(A[0]) + 0.5)
    same(flodl.polygamma(1, x), torch.polygamma(1, theirs(x.numpy())))
    same(
        flodl.vander(x, N=4, increasing=True), torch.vander(theirs(x.numpy()), N=4, increasing=True)
    )
    ints = flodl.arange(6)
    assert flodl.isin(ints, 3).tolist() == torch.isin(torch.arange(6), 3).tolist()
    assert (
        flodl.isin(ints, flodl.tensor([1, 4]), invert=True).tolist()
        == torch.isin(torch.arange(6), torch.tensor([1, 4]), invert=True).tolist()
    )


def test_cond_backward_is_torch_s_for_each_norm() -> None:
    # libtorch differentiates the 2-norm condition number (from singular
    # values); its backward of the others fails on its own in-place inverse,
    # torch's as well: the same failure here, an AutogradError.
    for p in (None, -2, 1, math.inf, "fro", "nuc"):
        ours_a = Variable(ours(A), requires_grad=True)
        theirs_a = torch.from_numpy(A.copy()).requires_grad_()
        torch_failed = flodl_failed = False
        try:
            torch.linalg.cond(theirs_a, p).backward()
        except RuntimeError:
            torch_failed = True
        try:
            L.cond(ours_a, p).backward()
        except flodl.AutogradError:
            flodl_failed = True
        assert flodl_failed == torch_failed, p
        if not torch_failed:
            np.testing.assert_allclose(ours_a.grad.numpy(), theirs_a.grad.numpy(), rtol=1e-10)


def test_lu_reconstructs_and_names_its_parts_as_torch() -> None:
    P, Lo, U = L.lu(ours(B))
    np.testing.assert_allclose((P @ Lo @ U).numpy(), B, atol=1e-12)
    factor = L.lu_factor(ours(A))
    assert (factor.LU.shape, factor.pivots.dtype) == ((3, 3), flodl.int32)
    with pytest.raises(flodl.LinAlgError):
        L.lu_factor(flodl.zeros(3, 3))
