"""The torch namespace at module level (SPEC 3a): the method ops as
functions, the creation functions with PyTorch's signatures and default
dtypes, joins, ``where``, dtype and device names, ``cuda``, ``accelerator``,
``backends`` and seeds; each compared with torch from the same seed."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import flodl
from flodl import ArgumentError, DType, Tensor, Variable, _functions

A = np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5


def close(got: Tensor, want: torch.Tensor) -> None:
    assert list(got.shape) == list(want.shape)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_allclose(
        np.asarray(got.detach().tolist(), dtype=np.float64),
        want.detach().double().numpy(),
        rtol=1e-6,
        atol=1e-7,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.exp(x),
        lambda m, x: m.sum(x, 1),
        lambda m, x: m.sum(x, dim=0, keepdim=True),
        lambda m, x: m.mean(x),
        lambda m, x: m.max(x),
        lambda m, x: m.reshape(x, (4, 3)),
        lambda m, x: m.permute(x, (1, 0)),
        lambda m, x: m.transpose(x, 0, 1),
        lambda m, x: m.softmax(x, 1),
        lambda m, x: m.clamp(x, min=0.0),
        lambda m, x: m.matmul(x, m.t(x)),
        lambda m, x: m.flatten(x),
        lambda m, x: m.tanh(x),
        lambda m, x: m.var(x, 1),
        lambda m, x: m.cumsum(x, 0),
        lambda m, x: m.unsqueeze(x, 0),
        lambda m, x: m.argmax(x, 1),
        lambda m, x: m.roll(x, 1),
        lambda m, x: m.roll(x, (1, -1), (0, 1)),
        lambda m, x: m.median(x),
        lambda m, x: m.lerp(x, m.exp(x), 0.25),
        lambda m, x: m.lerp(x, m.exp(x), m.sigmoid(x)),
        lambda m, x: m.addcmul(x, x, m.exp(x), value=0.5),
        lambda m, x: m.addcdiv(x, x, m.exp(x), value=-2),
        lambda m, x: m.any(x > 0.3, 1),
        lambda m, x: m.all(x > -0.4, dim=0, keepdim=True),
        lambda m, x: m.unique(m.round(x * 2)),
        lambda m, x: m.bitwise_left_shift(m.arange(4), 2),
        lambda m, x: m.bitwise_right_shift(m.arange(8), m.arange(8) % 3),
    ],
)
def test_method_ops_are_module_functions_as_torch_s(call) -> None:
    close(call(flodl, Tensor.from_numpy(A)), call(torch, torch.from_numpy(A)))


def test_module_functions_record_on_variables() -> None:
    x = flodl.tensor(A, requires_grad=True)
    flodl.sum(flodl.exp(x) * 2).backward()
    tx = torch.tensor(A, requires_grad=True)
    torch.sum(torch.exp(tx) * 2).backward()
    close(x.grad, tx.grad)


def test_every_method_op_is_a_module_function_with_the_method_s_signature() -> None:
    for name in _functions.__all__:
        function, method = getattr(flodl, name), getattr(Tensor, name)
        assert function is getattr(_functions, name), name
        wanted = list(inspect.signature(method).parameters)[1:]
        if {"dim", "keepdim"} & set(wanted):
            wanted.append("aliases")  # numpy's axis= and keepdims=, passed on
        got = list(inspect.signature(function).parameters)
        assert got == ["input", *wanted], name
    assert "add_" not in _functions.__all__  # torch has torch.relu_, not torch.add_


# Arguments after the tensor for torch's module-level in-place functions.
INPLACE_ARGS = {"clamp_": (0.3, 0.6), "clamp_min_": (0.4,), "clamp_max_": (0.4,), "fill_": (2.5,)}
INPLACE_ARGS["xlogy_"] = (np.full((3, 4), 0.7),)


@pytest.mark.parametrize("name", sorted(n for n in _functions.__all__ if n.endswith("_")))
def test_torch_s_module_level_in_place_functions_change_their_input_as_torch_s(name) -> None:
    """``torch.relu_(x)`` and the like: torch's module-level in-place forms
    exist, change ``x`` and return it (values in (0.1, 0.9), each op's
    domain)."""
    values = np.linspace(0.1, 0.9, 12).reshape(3, 4)
    got_x, want_x = Tensor.from_numpy(values.copy()), torch.from_numpy(values.copy())
    args = INPLACE_ARGS.get(name, ())
    got = getattr(flodl, name)(
        got_x, *[flodl.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    )
    want = getattr(torch, name)(
        want_x, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    )
    assert got is got_x and want is want_x
    close(got_x, want_x)


def test_a_module_function_refuses_what_is_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="exp: input must be a flodl Tensor, got float"):
        flodl.exp(1.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.zeros(2, 3),
        lambda m: m.ones((2, 3)),
        lambda m: m.zeros([2], dtype=m.float64),
        lambda m: m.full([2], 7),
        lambda m: m.full([2], True),
        lambda m: m.full((2, 2), 1.5),
        lambda m: m.arange(5),
        lambda m: m.arange(1, 7, 2),
        lambda m: m.arange(0, 1, 0.25),
        lambda m: m.arange(5.0),
        lambda m: m.linspace(-1, 1, 5),
        lambda m: m.logspace(0, 2, 3),
        lambda m: m.eye(3),
        lambda m: m.eye(2, 3, dtype=m.int32),
        lambda m: m.tensor([[1, 2], [3, 4]]),
        lambda m: m.tensor(2.5),
        lambda m: m.zeros_like(m.ones(2, dtype=m.int64)),
        lambda m: m.full_like(m.ones(2), 3.0),
        lambda m: m.ones_like(m.ones(2, 2), dtype=m.float64),
    ],
)
def test_creation_has_torch_s_signatures_and_default_dtypes(make) -> None:
    close(make(flodl), make(torch))


@pytest.mark.parametrize(
    "draw",
    [
        lambda m: m.rand(3, 2),
        lambda m: m.randn(4),
        lambda m: m.randint(0, 10, (5,)),
        lambda m: m.randint(10, (2, 3)),
        lambda m: m.randint(3, 9, size=(4,)),
        lambda m: m.randperm(7),
        lambda m: m.rand_like(m.zeros(2, 2)),
        lambda m: m.randn_like(m.zeros(3, dtype=m.float64)),
        lambda m: m.randint_like(m.zeros(2, 2), 5),
    ],
)
def test_random_creation_draws_torch_s_values_from_the_same_seed(draw) -> None:
    # One libtorch in the process: one generator, seeded before each draw.
    flodl.manual_seed(11)
    got = draw(flodl)
    torch.manual_seed(11)
    close(got, draw(torch))


def test_requires_grad_gives_a_leaf_variable() -> None:
    for made in (
        flodl.zeros(2, requires_grad=True),
        flodl.tensor([1.0], requires_grad=True),
        flodl.randn(2, 2, requires_grad=True),
        flodl.ones_like(flodl.ones(2), requires_grad=True),
        flodl.linspace(0, 1, 3, requires_grad=True),
    ):
        assert type(made) is Variable and made.requires_grad and made.is_leaf
    assert type(flodl.zeros(2)) is Tensor


def test_cat_stack_and_where_record_when_an_input_is_a_variable() -> None:
    x = flodl.tensor(A, requires_grad=True)
    t = Tensor.from_numpy(A)
    joined = flodl.cat([t, x], dim=0)
    assert type(joined) is Variable and joined.shape == (6, 4)
    assert type(flodl.cat((t, t), 1)) is Tensor
    assert flodl.concat is flodl.cat and flodl.concatenate is flodl.cat
    assert type(flodl.stack([x, t])) is Variable
    picked = flodl.where(x > 0, x, 0.0)
    (picked * picked).sum().backward()
    tx = torch.tensor(A, requires_grad=True)
    tp = torch.where(tx > 0, tx, 0.0)
    (tp * tp).sum().backward()
    close(picked, tp)
    close(x.grad, tx.grad)
    ints = flodl.tensor([1, -2, 3])
    close(
        flodl.where(ints > 0, ints, 0),
        torch.where(torch.tensor([1, -2, 3]) > 0, torch.tensor([1, -2, 3]), 0),
    )
    close(
        flodl.where(ints > 0, ints, 0.5),
        torch.where(torch.tensor([1, -2, 3]) > 0, torch.tensor([1, -2, 3]), 0.5),
    )


def test_joins_and_where_refuse_bad_arguments() -> None:
    t = flodl.ones(2)
    with pytest.raises(TypeError, match="cat: expected a sequence of tensors, got one Tensor"):
        flodl.cat(t)
    with pytest.raises(TypeError, match="where: give both input and other, or neither"):
        flodl.where(t > 0, t)
    with pytest.raises(TypeError, match="where"):
        flodl.where(t > 0, t, "zero")
    with pytest.raises(flodl.DTypeError, match="where_cond"):
        flodl.where(t, t, t)


def test_dtype_and_device_names() -> None:
    pairs = {
        "float32": ["float32", "float"],
        "float64": ["float64", "double"],
        "float16": ["float16", "half"],
        "bfloat16": ["bfloat16"],
        "int64": ["int64", "long"],
        "int32": ["int32", "int"],
        "int16": ["int16", "short"],
        "int8": ["int8"],
        "uint8": ["uint8"],
        "bool": ["bool"],
    }
    for dtype, names in pairs.items():
        for name in names:
            assert isinstance(getattr(flodl, name), DType) and getattr(flodl, name).name == dtype
            assert str(getattr(torch, name)).removeprefix("torch.") == dtype
    assert flodl.device("cpu") == flodl.Device.CPU
    assert flodl.device("cuda", 1) == flodl.Device.CUDA(1) == flodl.device("cuda:1")
    assert flodl.device("cuda:0").type == "cuda" and flodl.device("cuda:0").index == 0
    assert flodl.device("cpu").index is None and str(flodl.device("cpu")) == "cpu"
    assert isinstance(flodl.device("cpu"), flodl.device)
    with pytest.raises(ArgumentError, match="index is given twice"):
        flodl.device("cuda:0", 1)
    assert flodl.get_default_dtype() == flodl.float32
    flodl.set_default_device("cpu")
    with pytest.raises(ArgumentError, match="set_default_device"):
        flodl.set_default_device("cuda")
    assert flodl.is_tensor(flodl.ones(1)) and flodl.is_tensor(flodl.ones(1, requires_grad=True))
    assert not flodl.is_tensor([1.0])
    assert flodl.is_floating_point(flodl.ones(1)) and flodl.numel(flodl.ones(2, 3)) == 6


def test_cuda_accelerator_and_backends_on_this_machine() -> None:
    assert flodl.cuda.is_available() == torch.cuda.is_available()
    assert flodl.cuda.device_count() == torch.cuda.device_count()
    assert flodl.accelerator.is_available() == torch.cuda.is_available()
    if not flodl.cuda.is_available():
        assert flodl.accelerator.current_accelerator() is None
        with pytest.raises(flodl.DeviceError):
            flodl.cuda.synchronize()
        with pytest.raises(flodl.DeviceError):
            flodl.cuda.current_device()
    flodl.cuda.set_device(0)
    with pytest.raises(ArgumentError, match="set_device"):
        flodl.cuda.set_device(1)
    with pytest.raises(AttributeError, match="torch.cuda.mem_get_info"):
        flodl.cuda.mem_get_info  # noqa: B018
    assert flodl.backends.mps.is_available() is False
    flodl.backends.cudnn.benchmark = True
    assert flodl.backends.cudnn.benchmark is True
    flodl.backends.cudnn.benchmark = False
    flodl.backends.cudnn.deterministic = True
    assert flodl.backends.cudnn.deterministic is True
    flodl.backends.cudnn.deterministic = False


def test_seeds() -> None:
    flodl.manual_seed(5)
    assert flodl.initial_seed() == 5
    first = flodl.rand(3)
    flodl.cuda.manual_seed_all(5)
    assert flodl.rand(3).tolist() == first.tolist()
    chosen = flodl.seed()
    assert flodl.initial_seed() == chosen and 0 <= chosen < 2**63
    flodl.use_deterministic_algorithms(False)
    assert not flodl.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: x.max(0),
        lambda m, x: x.min(1, keepdim=True),
        lambda m, x: m.max(x, 1),
        lambda m, x: x.sort(),
        lambda m, x: x.sort(dim=0, descending=True),
        lambda m, x: x.topk(2),
        lambda m, x: m.topk(x, 1, dim=0),
        lambda m, x: x.median(1),
        lambda m, x: m.median(x, 0, keepdim=True),
        lambda m, x: x.mode(),
        lambda m, x: m.mode(x, 0),
    ],
)
def test_values_and_indices_come_as_torch_s_named_tuples(call) -> None:
    got = call(flodl, flodl.tensor(A, requires_grad=True))
    want = call(torch, torch.tensor(A, requires_grad=True))
    assert type(got).__name__ == type(want).__name__ and isinstance(got, tuple)
    close(got.values, want.values)
    close(got.indices, want.indices)
    values, indices = got
    assert values is got[0] and indices is got.indices
    assert repr(got).replace("flodl.", "torch.") == repr(want)


def test_layout_queries_and_squeeze_as_torch_s() -> None:
    for make in (
        lambda m: m.ones(2, 1, 3),
        lambda m: m.ones(2, 1, 3).transpose(0, 2),
        lambda m: m.ones(4, 6)[:, ::2],
    ):
        got, want = make(flodl), make(torch)
        assert got.stride() == want.stride() and got.stride(-1) == want.stride(-1)
        assert got.is_contiguous() == want.is_contiguous()
        assert got.nelement() == want.nelement()
        assert list(got.squeeze().shape) == list(want.squeeze().shape)
        assert list(flodl.squeeze(got, 1).shape) == list(torch.squeeze(want, 1).shape)
    x = flodl.ones(3)
    assert x.data_ptr() == x.view(3).data_ptr() != flodl.ones(3).data_ptr()
    with pytest.raises(flodl.OutOfRangeError, match="stride"):
        x.stride(1)


def test_nan_to_num_replaces_as_torch_s() -> None:
    values = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    for kwargs in ({}, {"nan": 2.0}, {"nan": 0.5, "posinf": 9.0, "neginf": -9.0}):
        got = flodl.nan_to_num(Tensor.from_numpy(values.copy()), **kwargs)
        close(got, torch.nan_to_num(torch.from_numpy(values.copy()), **kwargs))
    assert flodl.tensor([[1, 0], [0, 3]]).kthvalue(1).indices.tolist() == [1, 0]


def test_where_of_a_condition_alone_is_its_nonzero_as_a_tuple() -> None:
    got = flodl.where(Tensor.from_numpy(A) > 0)
    want = torch.where(torch.from_numpy(A) > 0)
    assert isinstance(got, tuple) and len(got) == len(want) == 2
    for g, w in zip(got, want):
        close(g, w)
    with pytest.raises(TypeError, match="where: input must be a flodl Tensor"):
        flodl.where([True, False])


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_finfo_is_torch_s(name: str) -> None:
    got, want = flodl.finfo(getattr(flodl, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(got, attr) == getattr(want, attr), attr
    assert got.dtype == getattr(flodl, name) and repr(got) == repr(want)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_is_torch_s(name: str) -> None:
    got, want = flodl.iinfo(getattr(flodl, name)), torch.iinfo(getattr(torch, name))
    assert (got.bits, got.max, got.min) == (want.bits, want.max, want.min)


def test_finfo_defaults_to_float32_and_refuses_other_kinds() -> None:
    assert flodl.finfo().eps == torch.finfo().eps
    with pytest.raises(flodl.DTypeError, match="finfo: needs a floating-point dtype, got int64"):
        flodl.finfo(flodl.int64)
    with pytest.raises(flodl.DTypeError, match="iinfo: needs an integer dtype, got bool"):
        flodl.iinfo(flodl.bool)


def test_constants_and_dtype_class() -> None:
    assert (flodl.inf, flodl.pi, flodl.e) == (torch.inf, torch.pi, torch.e)
    assert flodl.nan != flodl.nan and flodl.newaxis is None
    assert isinstance(flodl.float32, flodl.dtype)


def test_to_without_a_change_returns_the_tensor_itself() -> None:
    x = flodl.ones(2)
    assert x.to(x.dtype) is x and x.to("cpu") is x and x.to() is x
    assert x.to(flodl.float64) is not x and x.to(x.dtype, copy=True) is not x
    v = flodl.Variable(x, requires_grad=True)
    assert v.to(flodl.float32) is v


def test_a_missing_tensor_attribute_says_where_the_absent_ones_are_listed() -> None:
    with pytest.raises(AttributeError, match="torch.Tensor.frobnicate is not in flodl"):
        flodl.ones(1).frobnicate  # noqa: B018
    assert not hasattr(flodl.ones(1), "__array_interface__")


def test_legacy_tensor_constructors_are_torch_s() -> None:
    for args in [([1, 2, 3],), (2, 3), (), ([[1.5, 2]],)]:
        got, want = flodl.Tensor(*args), torch.Tensor(*args)
        assert got.shape == tuple(want.shape) and got.dtype == flodl.float32
        if not args or isinstance(args[0], list):
            assert got.tolist() == want.tolist()
    assert flodl.Tensor(flodl.Size([2, 2])).shape == (2, 2)
    for name in ("LongTensor", "IntTensor", "DoubleTensor", "ByteTensor", "BoolTensor"):
        got, want = getattr(flodl, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2])
        assert got.tolist() == want.tolist() and got.dtype.name == str(want.dtype)[6:]
    with pytest.raises(TypeError, match="Tensor\\(\\): takes one sequence"):
        flodl.Tensor("abc", 2)


def test_reductions_take_a_dtype() -> None:
    x, t = flodl.arange(6).reshape([2, 3]), torch.arange(6).reshape(2, 3)
    got, want = x.sum(dtype=flodl.float64), t.sum(dtype=torch.float64)
    assert got.dtype == flodl.float64 and got.item() == want.item()
    got, want = flodl.mean(x, 1, dtype=flodl.float32), t.mean(1, dtype=torch.float32)
    assert got.tolist() == want.tolist()


def test_the_joins_of_a_sequence_match_torch() -> None:
    parts = [A[0], A[1] * 2, A[2] - 1]
    ours, theirs = (
        [Tensor.from_numpy(p.copy()) for p in parts],
        [torch.from_numpy(p) for p in parts],
    )
    for name in ("hstack", "vstack", "row_stack", "dstack", "column_stack"):
        close(getattr(flodl, name)(ours), getattr(torch, name)(theirs))
        close(getattr(flodl, name)(tuple(ours)), getattr(torch, name)(tuple(theirs)))
    close(
        flodl.block_diag(ours[0], flodl.ones(2, 2)), torch.block_diag(theirs[0], torch.ones(2, 2))
    )
    close(
        flodl.cartesian_prod(ours[0], ours[1][:2]), torch.cartesian_prod(theirs[0], theirs[1][:2])
    )
    for indexing in ("ij", "xy"):
        got = flodl.meshgrid(ours[0], ours[1][:3], indexing=indexing)
        want = torch.meshgrid(theirs[0], theirs[1][:3], indexing=indexing)
        assert isinstance(got, tuple) and len(got) == 2
        for g, w in zip(got, want):
            close(g, w)
    assert [g.shape for g in flodl.meshgrid([ours[0], ours[1]])] == [(4, 4), (4, 4)]
    with pytest.raises(ArgumentError, match="meshgrid: indexing"):
        flodl.meshgrid(ours[0], indexing="yx")
    with pytest.raises(ArgumentError, match="hstack: needs at least one tensor"):
        flodl.hstack([])
    with pytest.raises(TypeError, match="hstack: expected a sequence"):
        flodl.hstack(ours[0])


def test_a_join_with_a_variable_records() -> None:
    v = Variable(Tensor.from_numpy(A[0].copy()), requires_grad=True)
    flodl.vstack([v, flodl.ones(4)]).sum().backward()
    assert v.grad.tolist() == [1.0] * 4


def test_atleast_nd_matches_torch() -> None:
    for shape in ((), (3,), (2, 3), (2, 3, 4)):
        ours, theirs = flodl.ones(shape), torch.ones(shape)
        for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
            assert getattr(flodl, name)(ours).shape == tuple(getattr(torch, name)(theirs).shape)
    pair = flodl.atleast_2d(flodl.ones(3), flodl.ones(()))
    assert isinstance(pair, tuple) and [p.shape for p in pair] == [(1, 3), (1, 1)]


def test_slices_sums_and_repeats_of_a_size_are_sizes() -> None:
    shape = flodl.ones(2, 3, 4).shape
    for got, want in (
        (shape[1:], torch.Size([3, 4])),
        (shape[::-1], torch.Size([4, 3, 2])),
        (shape + (5,), torch.Size([2, 3, 4, 5])),
        ((1,) + shape, torch.Size([1, 2, 3, 4])),
        (shape * 2, torch.Size([2, 3, 4] * 2)),
    ):
        assert isinstance(got, flodl.Size) and got == tuple(want)
    assert shape[-1] == 4 and type(shape[-1]) is int
    with pytest.raises(TypeError):
        shape + [5]  # a tuple and a list, as torch.Size refuses


def test_creation_takes_the_sizes_by_name() -> None:
    assert flodl.ones(size=(2, 3)).shape == torch.ones(size=(2, 3)).shape
    assert flodl.randn(size=[4], dtype=flodl.float64).dtype == flodl.float64
    with pytest.raises(TypeError, match="unexpected keyword argument 'sizes'"):
        flodl.zeros(sizes=3)


def test_pytorch_s_other_names_of_ops() -> None:
    x, tx = Tensor.from_numpy(A.copy()), torch.from_numpy(A.copy())
    y, ty = x + 1, tx + 1
    for name, args, targs in (
        ("absolute", (), ()),
        ("arccos", (), ()),
        ("arcsin", (), ()),
        ("arctan", (), ()),
        ("multiply", (y,), (ty,)),
        ("subtract", (y,), (ty,)),
        ("divide", (y,), (ty,)),
        ("true_divide", (y,), (ty,)),
        ("negative", (), ()),
        ("not_equal", (y,), (ty,)),
        ("moveaxis", (0, 1), (0, 1)),
        ("swapdims", (0, 1), (0, 1)),
        ("clone", (), ()),
        ("clip", (-0.2, 0.3), (-0.2, 0.3)),
        ("arctan2", (y,), (ty,)),
        ("arcsinh", (), ()),
        ("greater", (y,), (ty,)),
        ("greater_equal", (0.1,), (0.1,)),
        ("less", (y,), (ty,)),
        ("less_equal", (0.1,), (0.1,)),
        ("fix", (), ()),
    ):
        close(getattr(flodl, name)(x, *args), getattr(torch, name)(tx, *targs))
        if name != "clone":  # the methods too, with their in-place forms
            close(getattr(x, name)(*args), getattr(tx, name)(*targs))
            in_place = hasattr(torch.Tensor, name + "_") and hasattr(x, name + "_")
            if in_place and x.dtype == getattr(x, name)(*args).dtype:
                mine, theirs = x.clone(), tx.clone()
                assert getattr(mine, name + "_")(*args) is mine
                getattr(theirs, name + "_")(*targs)
                close(mine, theirs)
    close(flodl.ger(x[0], y[1]), torch.ger(tx[0], ty[1]))
    close(x[0].ger(y[1]), tx[0].ger(ty[1]))
    assert flodl.positive(x) is x
    assert (
        flodl.divide(x, y, rounding_mode="floor").tolist()
        == torch.divide(tx, ty, rounding_mode="floor").tolist()
    )
    with pytest.raises(TypeError, match="multiply: input must be a flodl Tensor"):
        flodl.multiply(2, x)
    # On a Variable, the other name records as the op does.
    v = Variable(x, requires_grad=True)
    v.multiply(y).sum().backward()
    close(v.grad, ty)
    assert Tensor.multiply is Tensor.mul and Variable.multiply is Variable.mul


def test_get_device_is_minus_one_on_the_cpu() -> None:
    assert flodl.zeros(2).get_device() == torch.zeros(2).get_device() == -1
    assert Variable(flodl.zeros(2), requires_grad=True).get_device() == -1


def test_tensor_conversions_and_queries_pytorch_programs_use() -> None:
    x = flodl.arange(6).reshape(2, 3)
    assert x.byte().dtype == flodl.uint8
    assert x.char().dtype == flodl.int8
    assert x.short().dtype == flodl.int16
    assert x.is_cuda is False and x.ndimension() == 2
    with pytest.raises(flodl.AutogradError, match="register_hook: a Tensor does not record"):
        x.float().register_hook(lambda g: g)
    with pytest.raises(flodl.AutogradError, match="retain_grad"):
        x.float().retain_grad()
    v = Variable(x.float(), requires_grad=True)
    assert v.is_cuda is False and v.ndimension() == 2


def test_triangle_indices_as_torch() -> None:
    for args, kwargs in (
        ((3, 3), {}),
        ((4, 3, 1), {}),
        ((3, 5, -1), {}),
        ((2, 2), {"dtype": flodl.int32}),
    ):
        t_kwargs = {"dtype": torch.int32} if kwargs else {}
        for name in ("tril_indices", "triu_indices"):
            ours = getattr(flodl, name)(*args, **kwargs)
            theirs = getattr(torch, name)(*args, **t_kwargs)
            assert ours.tolist() == theirs.tolist() and ours.dtype.name == str(theirs.dtype)[6:]
    assert flodl.tril_indices(0, 3).shape == torch.tril_indices(0, 3).shape
    with pytest.raises(ArgumentError):
        flodl.tril_indices(-1, 3)
    with pytest.raises(RuntimeError):
        torch.tril_indices(-1, 3)


def test_integration_broadcasting_and_runs_as_torch_s() -> None:
    y = np.arange(1.0, 7.0).reshape(2, 3) ** 2
    x = np.array([0.0, 1.0, 3.0])

    def both(call):
        got = call(flodl, Tensor.from_numpy)
        want = call(torch, torch.from_numpy)
        for g, w in zip(got, want, strict=True):
            if isinstance(w, torch.Tensor):
                np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)
                assert g.dtype.__repr__().split(".")[-1] == repr(w.dtype).split(".")[-1]
            else:
                assert tuple(g) == tuple(w)

    both(
        lambda m, t: [
            m.trapezoid(t(y)),
            m.trapezoid(t(y), t(x)),
            m.trapezoid(t(y), dx=0.5, dim=0),
            m.trapz(t(y), t(x)),
            m.trapz(t(y), dx=2),
            m.cumulative_trapezoid(t(y)),
            m.cumulative_trapezoid(t(y), t(x)),
            m.cumulative_trapezoid(t(y), dx=0.5, dim=0),
            *m.broadcast_tensors(t(y[:1]), t(x)),
            *m.broadcast_tensors(t(x), t(y[:, :1])),
            m.broadcast_shapes((2, 1), (3,), 1),
            m.broadcast_shapes(),
            *m.unique_consecutive(t(np.array([1, 1, 2, 2, 3, 1])), return_counts=True),
            t(np.array([1, 1, 2, 1])).unique_consecutive(return_inverse=True)[1],
        ]
    )
    with pytest.raises(ArgumentError, match="not both"):
        flodl.trapezoid(Tensor.from_numpy(y), Tensor.from_numpy(x), dx=1.0)
    with pytest.raises(ArgumentError):
        flodl.quantile(flodl.zeros(2, 3), flodl.tensor([1.5]))
    with pytest.raises(flodl.OutOfRangeError):
        flodl.quantile(flodl.zeros(2, 3), flodl.tensor([0.5]), dim=2)
    with pytest.raises(ArgumentError, match="quantile: interpolation"):
        flodl.zeros(3).quantile(0.5, interpolation="cubic")
    with pytest.raises(flodl.ShapeError, match="broadcast_shapes: the shapes"):
        flodl.broadcast_shapes((2,), (3,))
    with pytest.raises(flodl.ShapeError):
        flodl.broadcast_tensors(flodl.zeros(2), flodl.zeros(3))
    a = flodl.zeros(2, 1, requires_grad=True)
    grown = flodl.broadcast_tensors(a, flodl.zeros(3))[0]
    assert isinstance(grown, Variable) and grown.shape == (2, 3)
    grown.sum().backward()
    assert a.grad.tolist() == [[3.0], [3.0]]


@pytest.fixture
def default_dtype_restored():
    """The default float dtype, torch's and flodl's (one libtorch setting),
    float32 again after the test whatever it did."""
    yield
    flodl.set_default_dtype(flodl.float32)
    assert torch.get_default_dtype() == torch.float32


@pytest.mark.parametrize("name", ["float64", "float16", "bfloat16"])
def test_set_default_dtype_makes_floats_of_that_dtype_as_torch(
    default_dtype_restored, name
) -> None:
    flodl.set_default_dtype(getattr(flodl, name))
    assert flodl.get_default_dtype() == getattr(flodl, name)
    # One setting: torch in the same process sees it, as flodl sees torch's.
    assert torch.get_default_dtype() == getattr(torch, name)
    made = {
        "zeros": (flodl.zeros(2), torch.zeros(2)),
        "rand": (flodl.rand(2), torch.rand(2)),
        "tensor of floats": (flodl.tensor([1.0, 2]), torch.tensor([1.0, 2])),
        "tensor of a float": (flodl.tensor(3.0), torch.tensor(3.0)),
        "empty list": (flodl.tensor([]), torch.tensor([])),
        "arange of floats": (flodl.arange(0.0, 1.0, 0.5), torch.arange(0.0, 1.0, 0.5)),
        "full of a float": (flodl.full([2], 1.5), torch.full([2], 1.5)),
        "linspace": (flodl.linspace(0, 1, 3), torch.linspace(0, 1, 3)),
        "int times float": (flodl.tensor([1, 2]) * 1.5, torch.tensor([1, 2]) * 1.5),
        "where with a float": (
            flodl.where(flodl.tensor([True, False]), flodl.tensor([1, 2]), 1.5),
            torch.where(torch.tensor([True, False]), torch.tensor([1, 2]), 1.5),
        ),
        "Linear weight": (flodl.nn.Linear(3, 2).weight, torch.nn.Linear(3, 2).weight),
        "LayerNorm weight": (flodl.nn.LayerNorm(3).weight, torch.nn.LayerNorm(3).weight),
        "BatchNorm running mean": (
            flodl.nn.BatchNorm1d(3).running_mean,
            torch.nn.BatchNorm1d(3).running_mean,
        ),
    }
    for what, (ours, theirs) in made.items():
        assert str(ours.dtype).replace("flodl", "torch") == str(theirs.dtype), what
    # Ints stay int64, and an explicit dtype wins.
    assert flodl.arange(3).dtype == flodl.int64
    assert flodl.ones(2, dtype=flodl.float32).dtype == flodl.float32


def test_the_default_dtype_is_left_out_of_printing_as_torch(default_dtype_restored) -> None:
    flodl.set_default_dtype(flodl.float64)
    torch.set_default_dtype(torch.float64)
    cases = [
        "tensor([1.5, 2.0])",
        "tensor([1.5, 2.0], dtype={}.float32)",
        "empty(0)",
        "empty(0, dtype={}.float32)",
        "tensor([1, 2])",
    ]
    for code in cases:
        ours = repr(eval("flodl." + code.format("flodl"), {"flodl": flodl}))
        theirs = repr(eval("torch." + code.format("torch"), {"torch": torch}))
        assert ours.replace("flodl", "torch") == theirs, code


def test_set_default_dtype_refuses_what_is_not_a_float_dtype(default_dtype_restored) -> None:
    with pytest.raises(ArgumentError, match="set_default_dtype: only floating-point"):
        flodl.set_default_dtype(flodl.int64)
    with pytest.raises(TypeError, match="set_default_dtype: expected a dtype"):
        flodl.set_default_dtype(3)
    assert flodl.get_default_dtype() == flodl.float32


@pytest.mark.parametrize(
    "indices, shape",
    [
        (5, (2, 3)),
        ([0, 4, 11], (3, 4)),
        ([[1, 7], [23, 0]], (2, 3, 4)),
        ([3, 9], 10),
        ([-1, 13], (3, 4)),  # wrapped around by floor division, as torch's
        ([2], ()),
    ],
)
def test_unravel_index_is_torch_s(indices, shape) -> None:
    got = flodl.unravel_index(flodl.tensor(indices), shape)
    want = torch.unravel_index(torch.tensor(indices), shape)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == flodl.int64 and g.tolist() == w.tolist()
    small = flodl.unravel_index(flodl.tensor([5], dtype=flodl.int32), (2, 3))
    assert [c.tolist() for c in small] == [[1], [2]]


def test_unravel_index_refuses_what_torch_refuses() -> None:
    with pytest.raises(TypeError, match="unravel_index: expected indices of an integer dtype"):
        flodl.unravel_index(flodl.tensor([1.0]), (2, 3))
    with pytest.raises(ValueError, match="unravel_index: shape cannot have negative sizes"):
        flodl.unravel_index(flodl.tensor([1]), (2, -3))
    with pytest.raises(TypeError, match="unravel_index: shape must be an int or a sequence"):
        flodl.unravel_index(flodl.tensor([1]), (2.0, 3))
    with pytest.raises(TypeError, match="unravel_index"):
        flodl.unravel_index([1], (2, 3))


WINDOWS = [
    ("hann_window", ()),
    ("hamming_window", ()),
    ("hamming_window", (0.5, 0.5)),
    ("bartlett_window", ()),
    ("blackman_window", ()),
    ("kaiser_window", ()),
    ("kaiser_window", (5.0,)),
]


@pytest.mark.parametrize("name, params", WINDOWS)
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("length", [0, 1, 2, 9])
def test_window_functions_are_torch_s(name, params, periodic, length) -> None:
    got = getattr(flodl, name)(length, periodic, *params)
    want = getattr(torch, name)(length, periodic, *params)
    assert got.dtype == flodl.float32 and got.tolist() == want.tolist()
    wide = getattr(flodl, name)(length, periodic, *params, dtype=flodl.float64)
    assert (
        wide.tolist()
        == getattr(torch, name)(length, periodic, *params, dtype=torch.float64).tolist()
    )


def test_window_functions_refuse_what_torch_refuses() -> None:
    with pytest.raises(ValueError, match="hann_window: window_length must be non-negative"):
        flodl.hann_window(-1)
    with pytest.raises(TypeError, match="hann_window: expects a floating-point dtype, got int64"):
        flodl.hann_window(4, dtype=flodl.int64)
    with pytest.raises(TypeError, match="hann_window: window_length must be an int"):
        flodl.hann_window(2.5)
    assert isinstance(flodl.hann_window(3, requires_grad=True), Variable)
