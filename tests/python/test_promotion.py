"""Type promotion is PyTorch's (torch.result_type): every dtype with a Python
int, a Python float, a Python bool and a tensor of every dtype, through the
arithmetic and comparison operators. Either both libraries give the same
dtype and values, or both raise (flodl a FlodlError subclass)."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
VALUES = {"bool": [True, False, True]}
OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">=": operator.ge,
}
NUMBERS = [3, -2, 2.5, True]


def pair(dtype: str, values=None):
    values = values if values is not None else VALUES.get(dtype, [1, 2, 3])
    t = torch.tensor(values, dtype=getattr(torch, dtype))
    f = Tensor.from_numpy(t.float().numpy() if dtype == "bfloat16" else t.numpy())
    return f.to_dtype(dtype), t


def outcome(fn, *args):
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001 - which one is the point
        return None, e


def check(got, expected, error, torch_error, what) -> None:
    if torch_error is not None:
        assert error is not None, f"{what}: torch raised {torch_error!r}, flodl gave {got!r}"
        assert isinstance(error, (flodl.FlodlError, TypeError)), f"{what}: {error!r}"
        return
    assert error is None, f"{what}: flodl raised {error!r}, torch gave {expected!r}"
    assert got.dtype.name == str(expected.dtype).removeprefix("torch."), what
    got_values = got.to_dtype("float64").numpy() if got.dtype.name != "bool" else got.numpy()
    expected_values = (
        expected.double().numpy() if expected.dtype != torch.bool else expected.numpy()
    )
    np.testing.assert_allclose(got_values, expected_values, rtol=1e-2, err_msg=what)


@pytest.mark.parametrize("symbol", OPERATORS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_tensor_with_a_number(symbol, dtype, number) -> None:
    op = OPERATORS[symbol]
    f, t = pair(dtype)
    for reflected in (False, True):
        args_f, args_t = ((number, f), (number, t)) if reflected else ((f, number), (t, number))
        expected, torch_error = outcome(op, *args_t)
        got, error = outcome(op, *args_f)
        what = f"{args_t[0]!r} {symbol} {args_t[1]!r}"
        check(got, expected, error, torch_error, what)


@pytest.mark.parametrize("symbol", OPERATORS)
@pytest.mark.parametrize("left", DTYPES)
@pytest.mark.parametrize("right", DTYPES)
def test_tensor_with_a_tensor(symbol, left, right) -> None:
    op = OPERATORS[symbol]
    (fa, ta), (fb, tb) = pair(left), pair(right)
    expected, torch_error = outcome(op, ta, tb)
    got, error = outcome(op, fa, fb)
    check(got, expected, error, torch_error, f"{left} {symbol} {right}")


def test_the_issue_reproductions() -> None:
    big = Tensor.from_i64([16777217], [1]) + 0
    assert big.dtype == flodl.DType.Int64 and big.tolist() == [16777217]
    small = Tensor.from_numpy(np.array([250], dtype=np.uint8)).add_scalar(10)
    assert small.dtype == flodl.DType.UInt8 and small.tolist() == [4]  # wraps, as PyTorch
    with pytest.raises(flodl.ArgumentError, match="pow_scalar"):
        Tensor.from_i64([2], [1]) ** -1


# A numpy array operand: PyTorch's operators give up on it and numpy's run
# on the tensor's values, their result wrapped as a tensor (bool as uint8);
# with the array on the left only `/`, `==` and `!=` work. flodl gives the
# same dtypes, values and errors.
ARRAY_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
ARRAY_OPERATORS = {
    **OPERATORS,
    "<=": operator.le,
    ">": operator.gt,
    "@": operator.matmul,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}


def array_outcome(op, array, x, left):
    try:
        result = op(array, x) if left else op(x, array)
    except TypeError:
        return "TypeError"
    except ValueError:
        return "ValueError"
    values = np.asarray(result.detach()) if hasattr(result, "detach") else np.asarray(result)
    return str(result.dtype).removeprefix("torch.").removeprefix("flodl."), values.tolist()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's __array_wrap__
@pytest.mark.parametrize("symbol", ARRAY_OPERATORS)
@pytest.mark.parametrize("dtype", ARRAY_DTYPES)
def test_tensor_with_a_numpy_array(symbol, dtype) -> None:
    op = ARRAY_OPERATORS[symbol]
    for array_dtype in ARRAY_DTYPES:
        for shape, array_shape in [((), ()), ((2,), ()), ((2, 2), (2,)), ((), (2, 2))]:
            t = torch.full(shape, 2).to(getattr(torch, dtype))
            f = Tensor.from_torch(t.clone())
            array = np.full(array_shape, 3).astype(array_dtype)
            for left in (False, True):
                what = f"{dtype}{list(shape)} {symbol} {array_dtype}{list(array_shape)} left={left}"
                try:
                    expected = array_outcome(op, array, t, left)
                except AttributeError:  # torch's `!=` with an array: flodl compares
                    expected = array_outcome(op, array, t.numpy(), left)
                    expected = ("bool", expected[1])
                got = array_outcome(op, array, f, left)
                assert got == expected, what


def test_numpy_operands_from_the_issue() -> None:
    ints, floats = flodl.tensor([1, 2]), flodl.tensor([1.0, 2.0])
    assert (ints + np.array(0.5)).dtype == flodl.DType.Float64
    assert (floats + np.array([1, 2])).dtype == flodl.DType.Float64
    assert (ints / np.array([1, 2])).dtype == flodl.DType.Float64
    with pytest.raises(TypeError):
        np.array([1, 2]) + ints
    # A Variable keeps its graph through numpy's dtype.
    v = flodl.Variable(floats, requires_grad=True)
    (v * np.array([2.0, 3.0])).sum().backward()
    assert v.grad.tolist() == [2.0, 3.0]
