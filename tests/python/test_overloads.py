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
    assert got.shape == tuple(expected.shape)
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


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@pytest.mark.parametrize(
    "args,kwargs",
    [((), {"unbiased": False}), ((1, True, True), {}), (([0, 1],), {"correction": 0})],
    ids=str,
)
def test_var_mean_and_std_mean_take_var_s_arguments(name, args, kwargs) -> None:
    f, t = both(A)
    for got, want in zip(
        getattr(flodl, name)(f, *args, **kwargs), getattr(torch, name)(t, *args, **kwargs)
    ):
        same(got, want)


def test_equal_compares_values_across_dtypes_as_torch() -> None:
    for x, y in [([1], [1.0]), ([1], [1.5]), ([True, False], [1, 0]), ([1, 2], [1.0])]:
        assert flodl.equal(flodl.tensor(x), flodl.tensor(y)) == torch.equal(
            torch.tensor(x), torch.tensor(y)
        )
    nan = float("nan")
    assert flodl.equal(flodl.tensor([nan]), flodl.tensor([nan])) is False


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


def bits(got: Tensor, expected: torch.Tensor) -> None:
    """The same dtype, shape and bits (NaNs included)."""
    assert got.dtype.name == str(expected.dtype).removeprefix("torch.")
    assert got.shape == tuple(expected.shape)
    theirs = expected.detach()
    if theirs.dtype == torch.bfloat16:
        theirs = theirs.view(torch.int16)
        ours = torch.from_numpy(got.to_dtype("float32").numpy()).bfloat16().view(torch.int16)
        assert torch.equal(ours, theirs)
        return
    ours, theirs = got.numpy().reshape(-1), theirs.numpy().reshape(-1)
    np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


def test_new_tensor_copies_data_with_this_one_s_dtype_and_device() -> None:
    x = Tensor.randn([2, 3]).to_dtype("float64")
    t = torch.from_numpy(x.numpy())
    for data, kwargs, torch_kwargs in [
        ([1, 2], {}, {}),
        ([[1.5, 2.5]], {"dtype": "float32"}, {"dtype": torch.float32}),
        (3, {"dtype": flodl.int64}, {"dtype": torch.int64}),
        (np.arange(3, dtype=np.int32), {}, {}),
    ]:
        ours, theirs = x.new_tensor(data, **kwargs), t.new_tensor(data, **torch_kwargs)
        same(ours, theirs) if theirs.is_floating_point() else None
        assert ours.tolist() == theirs.tolist()
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    copied = x.new_tensor(x)
    assert copied.tolist() == x.tolist() and copied.data_ptr() != x.data_ptr()
    leaf = Variable(x).new_tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(leaf, Variable) and leaf.requires_grad and leaf.is_leaf
    assert str(x.new_tensor([1]).device) == "cpu"


@pytest.mark.parametrize("name", ["any", "all"])
@pytest.mark.parametrize(
    "kwargs", [{}, {"dim": 1}, {"dim": -2, "keepdim": True}, {"keepdim": True}], ids=str
)
def test_any_and_all_take_a_dim(name, kwargs) -> None:
    values = np.round(A)
    values[0] = 0
    f, t = both(values)
    if "dim" not in kwargs and kwargs.get("keepdim"):
        expected = getattr(t, name)().reshape(1, 1)
    else:
        expected = getattr(t, name)(**kwargs)
    same(getattr(f, name)(**kwargs), expected)
    same(getattr(flodl, name)(Variable(f, True), **kwargs), expected)
    u8 = np.array([[0, 3], [0, 0]], dtype=np.uint8)
    same(getattr(Tensor.from_numpy(u8), name)(0), getattr(torch.from_numpy(u8), name)(0))


def test_median_and_mode_as_torch_s() -> None:
    f, t = both(A)
    same(f.median(), t.median())
    same(tuple(f.median(1)), tuple(t.median(1)))
    same(tuple(f.median(dim=0, keepdim=True)), tuple(t.median(dim=0, keepdim=True)))
    assert type(f.median(0)).__name__ == "median" and f.median(0).indices.dtype.name == "int64"
    with pytest.raises(TypeError, match="median: keepdim needs a dim"):
        f.median(keepdim=True)
    even = np.array([4.0, 1.0, 3.0, 2.0])  # the lower of the middle two
    same(Tensor.from_numpy(even).median(), torch.from_numpy(even).median())
    ties = np.array([[1, 2, 2, 3, 3], [5, 5, 4, 4, 6], [0, 0, 0, 1, 1]])
    for dtype in (np.int64, np.float64):
        g, u = both(ties.astype(dtype))
        for kwargs in ({}, {"dim": 0}, {"dim": 1, "keepdim": True}):
            got, want = g.mode(**kwargs), u.mode(**kwargs)
            assert type(got).__name__ == "mode"
            assert got.values.tolist() == want.values.tolist()
            assert got.indices.tolist() == want.indices.tolist()
    v = Variable(Tensor.from_numpy(A.copy()), True)
    (v.median(1).values.sum() + v.median() * 2).backward()
    tv = torch.from_numpy(A.copy()).requires_grad_()
    (tv.median(1).values.sum() + tv.median() * 2).backward()
    same(v.grad, tv.grad)


@pytest.mark.parametrize(
    "args,kwargs",
    [
        ((1,), {}),
        ((-3,), {}),
        ((1, 0), {}),
        (((1, 2), (0, 1)), {}),
        (([2],), {"dims": [1]}),
        ((), {"shifts": 5, "dims": None}),
        ((), {"shifts": (1, -1), "dims": (1, 0)}),
    ],
    ids=str,
)
def test_roll_takes_ints_or_sequences(args, kwargs) -> None:
    f, t = both(A)
    same(f.roll(*args, **kwargs), t.roll(*args, **kwargs))
    same(flodl.roll(f, *args, **kwargs), torch.roll(t, *args, **kwargs))


def test_roll_records_and_refuses_bad_shifts() -> None:
    v = Variable(Tensor.from_numpy(A.copy()), True)
    (v.roll(1, 1) * Tensor.from_numpy(B.copy())).sum().backward()
    t = torch.from_numpy(A.copy()).requires_grad_()
    (t.roll(1, 1) * torch.from_numpy(B.copy())).sum().backward()
    same(v.grad, t.grad)
    x = Tensor.ones([2, 3])
    with pytest.raises(flodl.ArgumentError, match="roll: shifts"):
        x.roll((1, 2))
    with pytest.raises(flodl.ArgumentError, match="roll: shifts"):
        x.roll(())
    with pytest.raises(flodl.OutOfRangeError, match="roll"):
        x.roll(1, 2)
    with pytest.raises(TypeError, match="roll: shifts must be an int or a sequence"):
        x.roll("1")


def test_lerp_takes_a_number_or_a_tensor_weight() -> None:
    f, t = both(A)
    g, u = both(B)
    w, tw = both(np.linspace(-0.5, 1.5, 4))
    for weight, torch_weight in [(0.3, 0.3), (1.7, 1.7), (2, 2), (w, tw)]:
        bits(f.lerp(g, weight), t.lerp(u, torch_weight))
        bits(flodl.lerp(f, g, weight), torch.lerp(t, u, torch_weight))
    # A Tensor with a Variable operand runs as the Variable method.
    v = Variable(Tensor.from_numpy(B.copy()), True)
    out = f.lerp(v, w)
    assert isinstance(out, Variable)
    out.sum().backward()
    tv = torch.from_numpy(B.copy()).requires_grad_()
    t.lerp(tv, tw).sum().backward()
    same(v.grad, tv.grad)
    with pytest.raises(TypeError, match="lerp: end"):
        f.lerp(1.0, 0.5)
    with pytest.raises(TypeError, match="lerp: weight"):
        f.lerp(g, "half")
    with pytest.raises(flodl.DTypeError, match="lerp"):
        Tensor.from_numpy(np.arange(3)).lerp(Tensor.from_numpy(np.arange(3)), 0.5)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_lerp_has_torch_s_bits(dtype) -> None:
    f, t = both(RNG.standard_normal(1000))
    g, u = both(RNG.standard_normal(1000))
    f, g = f.to_dtype(dtype), g.to_dtype(dtype)
    t, u = t.to(getattr(torch, dtype)), u.to(getattr(torch, dtype))
    for weight in (0.3, 0.7, -0.2, 1.3):
        bits(f.lerp(g, weight), t.lerp(u, weight))
        mine, theirs = f.copy(), t.clone()
        mine.lerp_(g, weight)
        theirs.lerp_(u, weight)
        bits(mine, theirs)


def test_lerp_in_place_takes_a_number_or_a_tensor() -> None:
    f, t = both(A)
    g, u = both(B)
    assert f.lerp_(g, 0.25) is f
    t.lerp_(u, 0.25)
    f.lerp_(g, Tensor.full([], 0.5, dtype="float64"))
    t.lerp_(u, torch.tensor(0.5, dtype=torch.float64))
    same(f, t)
    f.lerp_(Variable(g, True), 0.5)  # a recorded end: f joins the graph
    assert f.requires_grad and not f.is_leaf


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_addcmul_and_addcdiv_have_torch_s_bits(name, dtype) -> None:
    arrays = [RNG.standard_normal(shape) for shape in [(50, 40), (50, 40), (40,)]]
    arrays[2] = np.sign(arrays[2]) * (np.abs(arrays[2]) + 0.5)
    ours = [Tensor.from_numpy(a.copy()).to_dtype(dtype) for a in arrays]
    theirs = [torch.from_numpy(a.copy()).to(getattr(torch, dtype)) for a in arrays]
    for value in (1, 0.37, -2, 3.5, True):
        bits(
            getattr(ours[0], name)(*ours[1:], value=value),
            getattr(torch, name)(*theirs, value=value),
        )
        mine, want = ours[0].copy(), theirs[0].clone()
        getattr(mine, f"{name}_")(*ours[1:], value=value)
        getattr(want, f"{name}_")(*theirs[1:], value=value)
        bits(mine, want)


def test_addcmul_promotes_and_converts_value_as_torch() -> None:
    ints = np.arange(6).reshape(2, 3) - 2
    cases = [
        (ints, ints, ints, 2.7),  # truncated to 2 for integers
        (ints.astype(np.int8), ints.astype(np.int8), ints.astype(np.int8), -1),
        (ints, A[:2, :3], ints, 2.5),  # int64 and float64: float64
        (np.float32(1.5) * np.ones((2, 3), np.float32), A[:2, :3], ints, 0.5),
        (np.array(2.0), A[:2, :3].astype(np.float32), A[:2, :3].astype(np.float32), 0.25),
    ]
    for a, b, c, value in cases:
        got = Tensor.from_numpy(np.asarray(a).copy()).addcmul(
            Tensor.from_numpy(np.asarray(b).copy()),
            Tensor.from_numpy(np.asarray(c).copy()),
            value=value,
        )
        want = torch.addcmul(
            torch.from_numpy(np.asarray(a).copy()),
            torch.from_numpy(np.asarray(b).copy()),
            torch.from_numpy(np.asarray(c).copy()),
            value=value,
        )
        bits(got, want)
    x8 = Tensor.from_numpy(ints.astype(np.int8))
    # libtorch's own check, in PyTorch's words.
    with pytest.raises(
        flodl.ArgumentError, match="addcmul: value cannot be converted to type int8"
    ):
        x8.addcmul(x8, x8, value=300)
    with pytest.raises(flodl.ArgumentError, match="addcmul: value"):
        Tensor.ones([2]).addcmul(Tensor.ones([2]), Tensor.ones([2]), value=1e300)
    with pytest.raises(flodl.DTypeError, match="addcdiv: integer division"):
        Tensor.from_numpy(ints).addcdiv(Tensor.from_numpy(ints), Tensor.from_numpy(ints))
    with pytest.raises(flodl.DTypeError, match="addcmul_"):
        Tensor.from_numpy(ints).addcmul_(
            Tensor.from_numpy(A[:2, :3]), Tensor.from_numpy(ints), value=0.5
        )
    with pytest.raises(flodl.DTypeError, match="addcmul"):
        b = Tensor.from_numpy(np.array([True, False]))
        b.addcmul(b, b, value=2)


def test_addcmul_and_addcdiv_record() -> None:
    arrays = [A, B, np.abs(B) + 0.5]
    vs = [Variable(Tensor.from_numpy(a.copy()), True) for a in arrays]
    ts = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    (
        vs[0].addcmul(vs[1], vs[2], value=0.5) * vs[0].addcdiv(vs[1], vs[2], value=-3)
    ).sum().backward()
    (torch.addcmul(*ts, value=0.5) * torch.addcdiv(*ts, value=-3)).sum().backward()
    for v, t in zip(vs, ts):
        np.testing.assert_allclose(v.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    # A Tensor with a Variable operand records, as the operators do.
    out = Tensor.from_numpy(A.copy()).addcmul(vs[1], Tensor.from_numpy(B.copy()))
    assert isinstance(out, Variable) and out.requires_grad
    # One node each, torch's (the value and the number weight reach
    # libtorch's kernels as Scalars).
    for ours, theirs in [
        (vs[0].addcmul(vs[1], vs[2], value=0.5), torch.addcmul(*ts, value=0.5)),
        (vs[0].addcdiv(vs[1], vs[2], value=2), torch.addcdiv(*ts, value=2)),
        (vs[0].lerp(vs[1], 0.25), ts[0].lerp(ts[1], 0.25)),
    ]:
        assert ours.grad_fn.name() == theirs.grad_fn.name()
        assert [n.name() for n, _ in ours.grad_fn.next_functions] == [
            n.name() for n, _ in theirs.grad_fn.next_functions
        ]


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8"])
def test_shifts_and_their_operators_as_torch_s(dtype) -> None:
    values = np.array([[1, 2, 3], [4, 5, 7]]).astype(dtype)
    amounts = np.array([0, 1, 2]).astype(dtype)
    f, t = both(values)
    g, u = both(amounts)
    for ours, theirs in [
        (f << g, t << u),
        (f >> g, t >> u),
        (f << 2, t << 2),
        (f >> 1, t >> 1),
        (3 << g, 3 << u),
        (64 >> g, 64 >> u),
        (f.bitwise_left_shift(g), t.bitwise_left_shift(u)),
        (f.bitwise_right_shift(1), t.bitwise_right_shift(1)),
        (flodl.bitwise_left_shift(f, 1), torch.bitwise_left_shift(t, 1)),
        (f[0, 0] << 2, t[0, 0] << 2),  # 0-d keeps its dtype
        (f << True, t << True),
    ]:
        bits(ours, theirs)
    v = Variable(f)
    assert isinstance(v << 1, Variable) and isinstance(f << v, Variable)
    with pytest.raises(flodl.DTypeError, match="bitwise_left_shift"):
        Tensor.ones([2]) << 1
    with pytest.raises(flodl.DTypeError, match="bitwise_left_shift"):
        f << 1.5  # a float number makes the result float, which cannot shift
    with pytest.raises(TypeError):
        f << "1"


def test_nonzero_as_tuple_and_where_of_a_condition() -> None:
    values = np.round(A)
    f, t = both(values)
    for ours, theirs in [
        (f.nonzero(as_tuple=True), t.nonzero(as_tuple=True)),
        (flodl.nonzero(f, as_tuple=True), torch.nonzero(t, as_tuple=True)),
        (flodl.where(f > 0), torch.where(t > 0)),
        (Tensor.full([], 5.0).nonzero(as_tuple=True), torch.tensor(5.0).nonzero(as_tuple=True)),
        (Tensor.full([], 0.0).nonzero(as_tuple=True), torch.tensor(0.0).nonzero(as_tuple=True)),
    ]:
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, e in zip(ours, theirs):
            assert o.tolist() == e.tolist() and o.dtype.name == "int64"
    same(f.nonzero(), t.nonzero())
    picked = f[flodl.where(f > 0)]
    assert picked.tolist() == t[torch.where(t > 0)].tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"sorted": False},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
        {"dim": 0, "return_inverse": True, "return_counts": True},
        {"dim": 1},
    ],
    ids=str,
)
def test_unique_as_torch_s(kwargs) -> None:
    values = np.array([[3, 1, 1], [2, 3, 1], [3, 1, 1]])
    for dtype in (np.int64, np.float32):
        f, t = both(values.astype(dtype))
        ours, theirs = f.unique(**kwargs), torch.unique(t, **kwargs)
        if isinstance(theirs, tuple):
            assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, e in zip(
            ours if isinstance(ours, tuple) else (ours,),
            theirs if isinstance(theirs, tuple) else (theirs,),
        ):
            assert o.tolist() == e.tolist() and o.dtype.name == str(e.dtype).removeprefix("torch.")
    values = Variable(Tensor.from_numpy(A.copy()), True).unique()
    assert type(values) is Tensor  # not differentiable
    with pytest.raises(flodl.OutOfRangeError, match="unique"):
        Tensor.ones([2]).unique(dim=1)


@pytest.mark.parametrize(
    "shape,kwargs",
    [
        ((3, 4), {}),
        ((5, 3), {}),
        ((7, 3), {"wrap": True}),
        ((7, 2), {"wrap": True}),
        ((3, 3, 3), {}),
        ((0, 2), {"wrap": True}),
    ],
    ids=str,
)
def test_fill_diagonal_as_torch_s(shape, kwargs) -> None:
    f, t = both(np.zeros(shape))
    assert f.fill_diagonal_(2.5, **kwargs) is f
    t.fill_diagonal_(2.5, **kwargs)
    same(f, t)
    # A view: the values it shares change.
    f, t = both(np.zeros((6, 8)))
    f[:, 1:].fill_diagonal_(1, wrap=True)
    t[:, 1:].fill_diagonal_(1, wrap=True)
    same(f, t)
    f, t = both(np.zeros((4, 3)))
    f.t().fill_diagonal_(7)
    t.t().fill_diagonal_(7)
    same(f, t)


def test_fill_diagonal_refuses_what_torch_refuses() -> None:
    with pytest.raises(flodl.ShapeError, match="fill_diagonal_: needs at least 2 dims"):
        Tensor.zeros([3]).fill_diagonal_(1.0)
    with pytest.raises(flodl.ShapeError, match="fill_diagonal_"):
        Tensor.zeros([2, 2, 3]).fill_diagonal_(1.0)
    with pytest.raises(flodl.ArgumentError, match="fill_diagonal_"):
        Tensor.zeros([2, 2], dtype="int8").fill_diagonal_(300)
    with pytest.raises(flodl.AutogradError, match="fill_diagonal_"):
        Variable(Tensor.zeros([2, 2]), True).fill_diagonal_(1.0)
    v = Variable(Tensor.from_numpy(A.copy()), True)
    w = v * 1
    w.fill_diagonal_(0.0)
    w.sum().backward()
    t = torch.from_numpy(A.copy()).requires_grad_()
    u = t * 1
    u.fill_diagonal_(0.0)
    u.sum().backward()
    same(v.grad, t.grad)


def test_scatter_takes_a_tensor_or_a_number() -> None:
    index = [[2], [0], [1]]
    for src in (1.0, 5, "tensor"):
        x, tx = flodl.zeros(3, 4), torch.zeros(3, 4)
        value = flodl.full([3, 1], 2.5) if src == "tensor" else src
        t_value = torch.full((3, 1), 2.5) if src == "tensor" else src
        got = x.scatter(1, flodl.tensor(index), value)
        assert got.tolist() == tx.scatter(1, torch.tensor(index), t_value).tolist()
        assert x.scatter_(1, flodl.tensor(index), value) is x
        assert x.tolist() == tx.scatter_(1, torch.tensor(index), t_value).tolist()
    x = flodl.zeros(2, 2)
    assert x.scatter(0, flodl.tensor([[1, 0]]), value=3).tolist() == [[0.0, 3.0], [3.0, 0.0]]
    with pytest.raises(TypeError, match="scatter: give src"):
        x.scatter(0, flodl.tensor([[1, 0]]))
    # A Variable source makes the result a Variable, with the gradient to it.
    src = Variable(flodl.ones(1, 2), requires_grad=True)
    out = x.scatter(0, flodl.tensor([[1, 0]]), src)
    assert isinstance(out, Variable)
    (out * 2).sum().backward()
    assert src.grad.tolist() == [[2.0, 2.0]]


def test_tensor_where_is_flodl_where() -> None:
    x = flodl.arange(6.0)
    assert (
        x.where(x > 2, 0.0).tolist() == torch.arange(6.0).where(torch.arange(6.0) > 2, 0.0).tolist()
    )
    assert x.where(x < 1, -x).tolist() == [0.0, -1.0, -2.0, -3.0, -4.0, -5.0]


def test_pytorch_s_other_signatures_of_split_squeeze_round_and_sort() -> None:
    x, tx = flodl.arange(10.0).reshape(2, 5), torch.arange(10.0).reshape(2, 5)
    for args in [([2, 3], 1), (2, 1), ([1, 1],)]:
        got = [p.tolist() for p in x.split(*args)]
        assert got == [p.tolist() for p in tx.split(*args)]
        assert got == [p.tolist() for p in flodl.split(x, *args)]
    assert flodl.zeros(1, 3, 1, 2).squeeze((0, 2)).shape == (3, 2)
    values = [1.2345, -5.55, 123.0]
    assert flodl.tensor(values).round(decimals=2).tolist() == pytest.approx(
        torch.tensor(values).round(decimals=2).tolist()
    )
    ties = [3.0, 1.0, 3.0, 1.0, 2.0, 1.0]
    for descending in (False, True):
        got = flodl.tensor(ties).sort(descending=descending, stable=True)
        want = torch.tensor(ties).sort(descending=descending, stable=True)
        assert got.indices.tolist() == want.indices.tolist()
        assert (
            flodl.tensor(ties).argsort(stable=True, descending=descending).tolist()
            == want.indices.tolist()
        )


def test_einsum_takes_operands_loose_or_in_a_list() -> None:
    a, b = np.random.default_rng(0).standard_normal((2, 3, 4))
    fa, fb = flodl.tensor(a[:, :3]), flodl.tensor(b[:, :3].T.copy())
    want = torch.einsum("ij,jk->ik", torch.tensor(a[:, :3]), torch.tensor(b[:, :3].T.copy()))
    for got in (flodl.einsum("ij,jk->ik", fa, fb), flodl.einsum("ij,jk->ik", [fa, fb])):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    w = Variable(fb, requires_grad=True)
    out = flodl.einsum("ij,jk->ik", fa, w)
    assert isinstance(out, Variable)
    with pytest.raises(flodl.ShapeError, match="einsum"):
        flodl.einsum("ij,jk->ik", fa, flodl.ones(2, 2))
    with pytest.raises(flodl.ArgumentError, match="einsum"):
        flodl.einsum("ij,jk->ik", fa)
    with pytest.raises(TypeError, match="einsum: equation must be a str"):
        flodl.einsum(3, fa, fb)
    with pytest.raises(TypeError, match="einsum: each operand's subscripts"):
        flodl.einsum(fa, fb)


def test_clip_is_floating_point_unary_plus_and_pow_in_place() -> None:
    data = [-2.0, 0.5, 3.0]
    x, t = flodl.tensor(data), torch.tensor(data)
    assert x.clip(0, 1).tolist() == t.clip(0, 1).tolist()
    assert x.clip(max=1.0).tolist() == t.clip(max=1.0).tolist()
    assert x.is_floating_point() and not flodl.arange(3).is_floating_point()
    assert (+x) is x
    assert x.pow_(2) is x and x.tolist() == t.pow_(2).tolist()
    assert x.pow_(flodl.tensor([1.0, 2.0, 0.5])).tolist() == [4.0, 0.0625, 3.0]


def test_fmod_and_trunc_division_take_a_tensor_or_a_number() -> None:
    (x, tx), (y, ty) = both(A * 5), both(B + 3)
    same(x.fmod(y), tx.fmod(ty))
    same(x.fmod(1.5), tx.fmod(1.5))
    same(flodl.fmod(x, -2), torch.fmod(tx, -2))
    same(x.div(y, rounding_mode="trunc"), tx.div(ty, rounding_mode="trunc"))
    same(flodl.div(x, 0.7, rounding_mode="trunc"), torch.div(tx, 0.7, rounding_mode="trunc"))
    ints, tints = flodl.tensor([7, -7, 9]), torch.tensor([7, -7, 9])
    for other in (2, flodl.tensor([2, 2, -4])):
        t_other = other if isinstance(other, int) else torch.tensor(other.tolist())
        got = ints.div(other, rounding_mode="trunc")
        assert got.dtype == flodl.int64  # an integer tensor stays integer
        assert got.tolist() == tints.div(t_other, rounding_mode="trunc").tolist()
        assert ints.fmod(other).tolist() == tints.fmod(t_other).tolist()
    # A Tensor with a Variable operand records, as the operators do.
    v = Variable(y, requires_grad=True)
    x.fmod(v).sum().backward()
    tv = ty.clone().requires_grad_()
    tx.fmod(tv).sum().backward()
    same(v.grad, tv.grad)
    with pytest.raises(flodl.ArgumentError, match='rounding_mode must be None, "trunc" or "floor"'):
        x.div(y, rounding_mode="round")
    with pytest.raises(TypeError, match="fmod"):
        x.fmod("2")


def test_norm_logsumexp_and_count_nonzero_over_several_dims() -> None:
    x, tx = both(RNG.standard_normal((2, 3, 4)))
    same(x.norm(dim=(0, 2)), tx.norm(dim=(0, 2)))
    same(x.norm(p=1.0, dim=[1, 2], keepdim=True), tx.norm(p=1.0, dim=[1, 2], keepdim=True))
    same(x.norm("fro"), tx.norm("fro"))
    same(x.norm("fro", dim=(1, 2)), tx.norm("fro", dim=(1, 2)))
    same(x.logsumexp((0, 1)), tx.logsumexp((0, 1)))
    same(flodl.logsumexp(x, dim=[2, 0], keepdim=True), torch.logsumexp(tx, [2, 0], keepdim=True))
    r, tr = both(np.round(A))
    same(r.count_nonzero(dim=1), tr.count_nonzero(dim=1))
    same(flodl.count_nonzero(r, dim=(0, 1)), torch.count_nonzero(tr, dim=(0, 1)))
    same(r.count_nonzero(), tr.count_nonzero())
    # "nuc": the nuclear norm over two dims (all dims when None, as torch's)
    same(x.norm("nuc", dim=(1, 2)), tx.norm("nuc", dim=(1, 2)))
    same(x[0].norm("nuc", keepdim=True), tx[0].norm("nuc", keepdim=True))
    with pytest.raises(flodl.ArgumentError, match="dim must be a 2-tuple"):
        x.norm("nuc")
    with pytest.raises(flodl.ArgumentError, match='p must be a number, "fro" or "nuc"'):
        x.norm("max")


def test_tensor_split_takes_sections_or_indices() -> None:
    x, tx = both(RNG.standard_normal((5, 6)))
    same(tuple(x.tensor_split(3)), torch.tensor_split(tx, 3))
    same(tuple(flodl.tensor_split(x, [1, 4], dim=1)), torch.tensor_split(tx, [1, 4], dim=1))
    same(tuple(x.tensor_split((2,), 0)), tx.tensor_split((2,), 0))


def test_named_results_of_cummax_cummin_and_aminmax() -> None:
    x, tx = both(A)
    for name in ("cummax", "cummin"):
        got, want = getattr(x, name)(1), getattr(tx, name)(1)
        same(got.values, want.values)
        same(got.indices, want.indices)
        assert type(got).__name__ == name
    got, want = x.aminmax(dim=0), tx.aminmax(dim=0)
    same(got.min, want.min)
    same(got.max, want.max)
    assert repr(got).startswith("flodl.return_types.aminmax(\nmin=tensor(")


def test_dtype_of_softmax_and_running_sums() -> None:
    x, tx = both(A.astype(np.float32))
    for name in ("softmax", "log_softmax", "cumsum", "cumprod"):
        got = getattr(x, name)(1, dtype=flodl.float64)
        same(got, getattr(tx, name)(1, dtype=torch.float64))
        same(
            getattr(flodl, name)(x, 0, dtype=flodl.float64),
            getattr(torch, name)(tx, 0, dtype=torch.float64),
        )
    ints, tints = flodl.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    same(ints.cumsum(0, dtype=flodl.float32), tints.cumsum(0, dtype=torch.float32))


def test_clamp_takes_tensor_bounds() -> None:
    (x, tx), (lo, tlo) = both(A), both(B[0] - 1)
    same(x.clamp(min=lo), tx.clamp(min=tlo))
    same(x.clamp(max=lo), tx.clamp(max=tlo))
    same(x.clamp(lo, lo + 2), tx.clamp(tlo, tlo + 2))
    same(flodl.clamp(x, min=-0.5, max=lo + 2), tx.clamp(min=torch.full((4,), -0.5), max=tlo + 2))
    v = Variable(lo, requires_grad=True)
    x.clamp(min=v).sum().backward()  # a Tensor with a Variable bound records
    tv = tlo.clone().requires_grad_()
    tx.clamp(min=tv).sum().backward()
    same(v.grad, tv.grad)
    with pytest.raises(flodl.ShapeError):
        x.clamp(min=flodl.zeros(5))
    with pytest.raises(TypeError):
        x.clamp(min="0")


def test_a_zero_dim_tensor_stands_for_a_number() -> None:
    x = flodl.zeros(3)
    assert x.fill_(flodl.tensor(2.5)).tolist() == [2.5] * 3
    assert flodl.arange(flodl.tensor(4)).tolist() == list(range(4))
    assert flodl.arange(flodl.tensor(2.5)).dtype == flodl.float32
    assert flodl.full((2,), flodl.tensor(3)).tolist() == [3, 3]
    with pytest.raises(
        TypeError, match=r"fill_: value must be a number or a 0-d tensor, got shape \[2\]"
    ):
        x.fill_(flodl.ones(2))  # not 0-d
    with pytest.raises(flodl.AutogradError, match="would lose its gradient"):
        x.fill_(Variable(flodl.tensor(1.0), requires_grad=True))  # its graph would be lost
    with flodl.no_grad():  # nothing would record: its value
        assert x.fill_(Variable(flodl.tensor(1.5), requires_grad=True)).tolist() == [1.5] * 3


def test_pow_with_a_number_base() -> None:
    x, tx = both(A)
    same(flodl.pow(2, x), torch.pow(2, tx))
    same(flodl.pow(x, 2), torch.pow(tx, 2))
    with pytest.raises(TypeError, match="pow"):
        flodl.pow(2, 3)


def test_pad_sequence_matches_torch() -> None:
    from torch.nn.utils.rnn import pad_sequence as torch_pad

    from flodl.nn.utils.rnn import pad_sequence

    arrays = [RNG.standard_normal((n, 2)) for n in (3, 1, 2)]
    ours, theirs = (
        [Tensor.from_numpy(a.copy()) for a in arrays],
        [torch.from_numpy(a) for a in arrays],
    )
    for kwargs in ({}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}):
        same(pad_sequence(ours, **kwargs), torch_pad(theirs, **kwargs))
    v = Variable(ours[0], requires_grad=True)
    pad_sequence([v, ours[1]]).sum().backward()
    assert v.grad.tolist() == [[1.0, 1.0]] * 3
    with pytest.raises(flodl.ArgumentError, match="padding_side"):
        pad_sequence(ours, padding_side="middle")
