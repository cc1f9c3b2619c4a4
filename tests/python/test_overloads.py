"""PyTorch's Python overloads, each checked against PyTorch: one Python name
for several Rust ops (the Rust names stay available)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))


def both(array: np.ndarray):
    return Tensor.from_numpy(array.copy()), torch.from_numpy(array.copy())


def same(got, expected) -> None:
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            same(g, e)
        return
    expected = expected.detach().numpy()
    assert got.shape == list(expected.shape)
    assert got.dtype.name == str(expected.dtype)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


REDUCTIONS = ["sum", "mean", "prod", "var", "std", "logsumexp"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize(
    "kwargs", [{}, {"dim": 1}, {"dim": -2, "keepdim": True}, {"keepdim": True}], ids=str
)
def test_reductions_take_dim_none_or_a_dim(name, kwargs) -> None:
    f, t = both(A)
    if name == "logsumexp" and "dim" not in kwargs:
        expected = torch.logsumexp(t.reshape(-1), 0)
        if kwargs.get("keepdim"):
            expected = expected.reshape(1, 1)
    elif "dim" not in kwargs and kwargs.get("keepdim"):
        expected = getattr(t, name)().reshape(1, 1)
    else:
        expected = getattr(t, name)(**kwargs)
    same(getattr(f, name)(**kwargs), expected)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_three_ways(name) -> None:
    f, t = both(A)
    same(getattr(f, name)(), getattr(t, name)())
    values, indices = getattr(f, name)(1)
    expected = getattr(t, name)(1)
    same((values, indices), (expected.values, expected.indices))
    values, indices = getattr(f, name)(dim=0, keepdim=True)
    expected = getattr(t, name)(dim=0, keepdim=True)
    same((values, indices), (expected.values, expected.indices))
    g, u = both(B)
    same(getattr(f, name)(g), getattr(t, name)(u))
    with pytest.raises(TypeError, match=f"{name}: expected an int dim or a tensor"):
        getattr(f, name)("x")


def test_max_along_a_dim_is_differentiable() -> None:
    v = Variable(Tensor.from_numpy(A.copy()), True)
    values, indices = v.max(1)
    values.sum().backward()
    t = torch.from_numpy(A.copy()).requires_grad_()
    t.max(1).values.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), t.grad.numpy())
    assert isinstance(indices, Tensor) and indices.dtype == flodl.DType.Int64


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize(
    "kwargs", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"keepdim": True}], ids=str
)
def test_argmax_and_argmin(name, kwargs) -> None:
    f, t = both(A)
    same(getattr(f, name)(**kwargs), getattr(t, name)(**kwargs))
    same(getattr(Variable(f, True), name)(**kwargs), getattr(t, name)(**kwargs))


def test_pow_takes_a_number_or_a_tensor() -> None:
    f, t = both(np.abs(A) + 0.5)
    g, u = both(B)
    same(f.pow(2.0), t.pow(2.0))
    same(f.pow(g), t.pow(u))
    same(f**g, t**u)
    same(2.0**g, 2.0**u)
    with pytest.raises(TypeError, match="pow: expected a number or a tensor"):
        f.pow("x")


@pytest.mark.parametrize(
    "name,args,kwargs",
    [
        ("permute", (1, 0), {}),
        ("permute", ((1, 0),), {}),
        ("permute", (), {"dims": [1, 0]}),
        ("reshape", (2, 6), {}),
        ("reshape", ([2, -1],), {}),
        ("reshape", (), {"shape": (12,)}),
        ("repeat", (2, 1), {}),
        ("repeat", ([1, 2],), {}),
    ],
    ids=str,
)
def test_shape_ops_take_star_dims(name, args, kwargs) -> None:
    f, t = both(A)
    torch_kwargs = {"dims": kwargs["dims"]} if "dims" in kwargs else {}
    if "shape" in kwargs:
        torch_kwargs = {"shape": kwargs["shape"]}
    same(getattr(f, name)(*args, **kwargs), getattr(t, name)(*args, **torch_kwargs))


def test_expand_takes_star_sizes() -> None:
    f, t = both(A[:1])
    same(f.expand(4, -1), t.expand(4, -1))
    same(f.expand([2, 4]), t.expand([2, 4]))
    with pytest.raises(TypeError, match="shape given both"):
        f.expand(2, 4, shape=[2, 4])


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"unbiased": False},
        {"correction": 0},
        {"dim": 1, "correction": 2},
        {"dim": 0, "unbiased": True},
    ],
    ids=str,
)
def test_var_and_std_take_a_correction(name, kwargs) -> None:
    f, t = both(A)
    same(getattr(f, name)(**kwargs), getattr(t, name)(**kwargs))


def test_var_needs_one_form_of_correction() -> None:
    with pytest.raises(flodl.ArgumentError, match="var: give unbiased= or correction="):
        Tensor.ones([3]).var(unbiased=True, correction=1)


def test_view_takes_sizes_as_arguments_or_a_sequence_as_torch_s() -> None:
    x = Tensor.randn([2, 3, 4])
    t = torch.from_numpy(x.numpy())
    for args in [(6, 4), ((6, 4),), (-1,), (2, -1), ([4, 6],)]:
        assert x.view(*args).tolist() == t.view(*args).tolist(), args
    v = Variable(x, requires_grad=True)
    v.view(4, 6).t().sum().backward()
    assert v.grad.tolist() == Tensor.ones([2, 3, 4]).tolist()
    with pytest.raises(flodl.ShapeError, match="view"):
        x.transpose(0, 2).view(24)  # no view of these strides: reshape copies


def test_new_methods_make_tensors_like_this_one_as_torch_s() -> None:
    x = Tensor.randn([2, 3]).to_dtype("float64")
    t = torch.from_numpy(x.numpy())
    v = Variable(x, requires_grad=True)
    for ours, theirs in [
        (x.new_zeros(2, 4), t.new_zeros(2, 4)),
        (v.new_ones((3,)), t.new_ones((3,))),
        (x.new_full([2, 2], 1.5), t.new_full([2, 2], 1.5)),
        (x.new_zeros([2], dtype="int64"), t.new_zeros([2], dtype=torch.int64)),
    ]:
        assert isinstance(ours, Tensor)
        assert ours.tolist() == theirs.tolist()
        assert str(ours.dtype).lower().endswith(str(theirs.dtype).split(".")[-1])
    assert list(v.new_empty(4, 1).shape) == [4, 1]
