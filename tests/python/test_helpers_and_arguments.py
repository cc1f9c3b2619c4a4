"""The Tensor-only helpers against PyTorch, and the Python argument rules
(ints for `[i64; N]`, None for Option, strings for modes,
keywords, defaults)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flodl
from flodl import Tensor, Variable

A = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]])
B = np.array([1.0, 0.5, 3.0])


@pytest.mark.parametrize("name", ["gt", "lt", "ge", "le", "eq", "ne"])
def test_comparisons_give_bool_masks_like_torch(name: str) -> None:
    got = getattr(Tensor.from_numpy(A), name)(Tensor.from_numpy(B))  # broadcasting
    expected = getattr(torch.from_numpy(A), name)(torch.from_numpy(B)).numpy()
    assert got.dtype == flodl.DType.Bool
    np.testing.assert_array_equal(got.numpy(), expected)
    got = getattr(Tensor.from_numpy(A), f"{name}_scalar")(0.5)
    np.testing.assert_array_equal(got.numpy(), getattr(torch.from_numpy(A), name)(0.5).numpy())


def test_comparison_of_mismatched_shapes_is_a_shape_error() -> None:
    with pytest.raises(flodl.ShapeError, match="gt"):
        Tensor.zeros([2, 3]).gt(Tensor.zeros([4]))


def test_where_cond_matches_torch_where() -> None:
    mask = Tensor.from_numpy(A).gt_scalar(0.7)
    got = Tensor.where_cond(mask, Tensor.from_numpy(A), Tensor.from_numpy(B))
    expected = torch.where(torch.from_numpy(A) > 0.7, torch.from_numpy(A), torch.from_numpy(B))
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_where_cond_wants_a_bool_mask() -> None:
    with pytest.raises(flodl.DTypeError, match="where_cond"):
        Tensor.where_cond(Tensor.ones([3]), Tensor.ones([3]), Tensor.zeros([3]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_argmax_and_argmin_match_torch(dim: int) -> None:
    t = torch.from_numpy(A)
    for name in ("argmax", "argmin"):
        got = getattr(Tensor.from_numpy(A), name)(dim)
        assert got.dtype == flodl.DType.Int64
        np.testing.assert_array_equal(got.numpy(), getattr(t, name)(dim).numpy())
    with pytest.raises(flodl.OutOfRangeError, match="argmax"):
        Tensor.from_numpy(A).argmax(2)


def test_one_int_stands_for_every_window_dim() -> None:
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6))
    w = np.random.default_rng(1).standard_normal((3, 2, 3, 3))
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=2, padding=1).numpy()
    for stride, padding in [(2, 1), ([2, 2], (1, 1)), ((2, 2), 1)]:
        got = flodl.conv2d(
            Tensor.from_numpy(x), Tensor.from_numpy(w), stride=stride, padding=padding
        )
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


def test_wrong_number_of_window_ints_is_an_argument_error() -> None:
    with pytest.raises(flodl.ArgumentError, match="max_pool2d: kernel_size expects 2 ints, got 3"):
        flodl.max_pool2d(Tensor.zeros([1, 1, 4, 4]), [2, 2, 2])
    with pytest.raises(
        TypeError, match="max_pool2d: kernel_size must be an int or a sequence of 2 ints, got str"
    ):
        flodl.max_pool2d(Tensor.zeros([1, 1, 4, 4]), "2")


def test_none_is_an_absent_optional_operand() -> None:
    x, w = Tensor.randn([2, 3]), Tensor.randn([4, 3])
    np.testing.assert_array_equal(flodl.linear(x, w, None).numpy(), flodl.linear(x, w).numpy())


def test_mode_strings_map_to_the_core_codes() -> None:
    x = np.random.default_rng(0).standard_normal((1, 1, 3, 3))
    grid = np.random.default_rng(1).uniform(-1, 1, (1, 2, 2, 2))
    for mode in ("bilinear", "nearest", "bicubic"):
        got = flodl.grid_sample(Tensor.from_numpy(x), Tensor.from_numpy(grid), mode=mode)
        expected = F.grid_sample(
            torch.from_numpy(x), torch.from_numpy(grid), mode=mode, align_corners=False
        )
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)
    with pytest.raises(flodl.ArgumentError, match="grid_sample: padding_mode must be one of"):
        flodl.grid_sample(Tensor.from_numpy(x), Tensor.from_numpy(grid), padding_mode="wrap")
    with pytest.raises(TypeError, match="grid_sample: mode must be a string"):
        flodl.grid_sample(Tensor.from_numpy(x), Tensor.from_numpy(grid), mode=0)


def test_keywords_and_defaults_are_pytorchs() -> None:
    x = Tensor.from_numpy(A)
    np.testing.assert_array_equal(
        x.sum_dim(dim=1, keepdim=True).numpy(), torch.from_numpy(A).sum(1, keepdim=True).numpy()
    )
    np.testing.assert_allclose(
        x.leaky_relu().numpy(), F.leaky_relu(torch.from_numpy(A)).numpy(), rtol=1e-12
    )
    values, indices = x.topk(k=2)
    t_values, t_indices = torch.from_numpy(A).topk(2)
    np.testing.assert_array_equal(values.numpy(), t_values.numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())


def test_nn_functions_return_variables_when_any_operand_is_one() -> None:
    x, w = Tensor.randn([2, 3]), Tensor.randn([4, 3])
    assert isinstance(flodl.linear(x, w), Tensor)
    out = flodl.linear(x, Variable(w, True))
    assert isinstance(out, Variable) and out.requires_grad
    h, c = flodl.lstm_cell(
        Variable(x), Tensor.zeros([2, 2]), Tensor.zeros([2, 2]), Tensor.randn([8, 3]),
        Tensor.randn([8, 2]),
    )  # fmt: skip
    assert isinstance(h, Variable) and isinstance(c, Variable)


def test_static_joins_take_lists_of_either_kind() -> None:
    v = Variable(Tensor.ones([2]), True)
    joined = Variable.cat_many([v, Tensor.zeros([3])])
    assert joined.shape == (5,)
    joined.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [1.0, 1.0])
    assert Tensor.stack([Tensor.ones([2]), Tensor.zeros([2])], dim=1).shape == (2, 2)
    with pytest.raises(flodl.ArgumentError, match="stack: needs at least one tensor"):
        Tensor.stack([])


def test_failing_scalar_ops_raise_instead_of_panicking() -> None:
    # tch's wrappers of ops with Scalar arguments panic on libtorch errors;
    # flodl routes them through its shim. Each of these used to panic.
    with pytest.raises(flodl.OutOfRangeError):
        Tensor.zeros([2, 3]).normalize(dim=4)
    with pytest.raises(flodl.ShapeError):
        Tensor.zeros([2, 3]).masked_fill(Tensor.zeros([4]).gt_scalar(0), 1.0)


def test_tensor_arguments_take_variables_that_need_no_grad() -> None:
    """Indices, masks and targets may be Variables, as any tensor is in
    PyTorch; one that requires grad is refused, since no gradient would
    reach it."""
    import flodl.nn.functional as F

    logits = Variable(Tensor.randn([4, 5]), requires_grad=True)
    target = Variable(flodl.tensor([0, 3, 1, 4]), requires_grad=False)
    loss = F.cross_entropy(logits, target)
    assert abs(loss.item() - F.cross_entropy(logits, target.data).item()) < 1e-7
    mask = Variable(flodl.tensor([True, False, True, False]))
    assert logits.data[:, 0].masked_fill(mask, 0.0).tolist()[1] == logits.data[1, 0].item()
    with pytest.raises(TypeError, match="requires grad"):
        F.nll_loss(logits, Variable(Tensor.zeros([4]), requires_grad=True))
    # A soft target that requires grad gets its gradient (test_probe_habits.py).
    F.cross_entropy(logits, Variable(Tensor.zeros([4, 5]), requires_grad=True))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: x.cumsum("a"), "cumsum: dim must be an int, got str"),
        (lambda x: x.sum(True), "sum: dim must be an int, got bool"),
        (lambda x: x.view("a"), "view: shape must be an int or a sequence of ints, got str"),
        (lambda x: x.flip(None), "flip: dims must be an int or a sequence of ints, got NoneType"),
        (
            lambda x: x.permute(0, "b"),
            "permute: dims must be a sequence of ints, got str at position 1",
        ),
        (lambda x: x.transpose(0, "a"), "transpose: dim1 must be an int, got str"),
        (lambda x: x.softmax(1.0), "softmax: dim must be an int, got float"),
        (lambda x: x.topk("k"), "topk: k must be an int, got str"),
        (lambda x: x.argsort(0, 1), "argsort: descending must be a bool, got int"),
        (lambda x: x.sum(0, 1), "sum: keepdim must be a bool, got int"),
        (lambda x: x.all(1, 1), "all: keepdim must be a bool, got int"),
        (lambda x: x.max(0, 2), "max: keepdim must be a bool, got int"),
        (lambda x: x.var(0, keepdim="yes"), "var: keepdim must be a bool, got str"),
        (lambda x: x.std(correction="a"), "std: correction must be a number, got str"),
        (lambda x: x.clamp(min="a"), "clamp: min must be a number, got str"),
        (lambda x: x.allclose(x, rtol="a"), "allclose: rtol must be a number, got str"),
        (lambda x: flodl.nn.functional.dropout(x, p="a"), "dropout: p must be a number, got str"),
        (
            lambda x: flodl.nn.functional.interpolate(x[None], size=[2, "a"]),
            "interpolate: size must be an int, got str",
        ),
        (lambda x: flodl.linspace(0, "a", 3), "linspace: end must be a number, got str"),
    ],
)
def test_a_wrong_argument_type_is_one_line_naming_the_op_and_argument(call, message) -> None:
    """PyTorch raises TypeError naming the op and the argument; so does
    flodl, in one line (SPEC section 4), not the binding layer's wording."""
    with pytest.raises(TypeError):
        call(torch.ones(2, 3))
    with pytest.raises(TypeError) as caught:
        call(flodl.ones(2, 3))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "expression",
    [
        "x.sum(axis=0)",
        "x.mean(axis=0, keepdims=True)",
        "x.std(axis=0)",
        "x.var(axis=1, keepdims=True)",
        "x.max(axis=0).values",
        "x.min(axis=0, keepdims=True)[1]",
        "x.argmax(axis=0)",
        "x.argmin(axis=1)",
        "x.amax(axis=0)",
        "x.prod(axis=0)",
        "x.cumsum(axis=0)",
        "x.softmax(axis=1)",
        "(x > 2).any(axis=0)",
        "(x > 2).all(axis=0)",
        "x.logsumexp(axis=0)",
        "x.sort(axis=0, descending=True).values",
        "x.argsort(axis=0)",
        "x.topk(1, axis=0).values",
        "x.median(axis=0).values",
        "x.quantile(0.5, axis=0)",
        "x.count_nonzero(axis=0)",
        "x.nansum(axis=0)",
        "x.unbind(axis=1)[0]",
        "x.diff(axis=0)",
        "x[None].squeeze(axis=0)",
        "m.cat([x, x], axis=1)",
        "m.concatenate([x, x], axis=0)",
        "m.stack([x, x], axis=1)",
        "m.sum(x, axis=0)",
        "m.mean(x, axis=1, keepdims=True)",
        "m.cumsum(x, axis=1)",
        "m.amax(x, axis=1, keepdims=True)",
    ],
)
def test_numpy_s_axis_and_keepdims_are_taken_as_torch_takes_them(expression: str) -> None:
    """PyTorch takes numpy's ``axis=`` for ``dim=`` and ``keepdims=`` for
    ``keepdim=`` (probe 10 R3)."""
    results = []
    for m in (torch, flodl):
        x = m.arange(6.0).reshape(2, 3)
        results.append(eval(expression, {"m": m, "x": x}).tolist())
    assert results[1] == results[0]


def test_other_unknown_keywords_are_still_refused() -> None:
    x = flodl.ones(2, 3)
    with pytest.raises(TypeError, match=r"sort\(\) got an unexpected keyword argument 'axes'"):
        x.sort(axes=0)
    with pytest.raises(TypeError, match=r"exp\(\) got an unexpected keyword argument 'axis'"):
        x.exp(axis=0)
    with pytest.raises(
        TypeError, match=r"cumsum\(\) missing 1 required positional argument: 'dim'"
    ):
        x.cumsum()
    with pytest.raises(TypeError, match="sum: dim must be an int, got str"):
        x.sum(axis="a")
