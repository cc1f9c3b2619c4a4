"""Property-based fuzzing against PyTorch: random sequences of ops on random
shapes, dtypes and argument values, each run in flodl and in PyTorch. Every
flodl result equals PyTorch's (values, dtype, shape, and the gradient where
there is one), or both raise, and flodl's exception is a FlodlError of the
matching kind (an IndexError where PyTorch raises one, and so on).

`make test` runs a short profile; `make fuzz` runs FLODL_FUZZ_EXAMPLES
sequences (10,000 by default) with the seed in FLODL_FUZZ_SEED."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import flodl
from flodl import Tensor, Variable

EXAMPLES = int(os.environ.get("FLODL_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("FLODL_FUZZ_SEED", "20261126"))

DTYPES = ["float32", "float64", "int64", "int32", "bool", "float16"]
FLOATS = {"float32", "float64", "float16"}


@dataclass(frozen=True)
class Op:
    """One op: how to call it on flodl operands and on torch ones, given the
    drawn arguments."""

    name: str
    arity: int
    args: Callable[[st.DrawFn, int], dict[str, Any]]
    flodl: Callable[..., Any]
    torch: Callable[..., Any]


def no_args(draw, ndim):
    return {}


def a_dim(draw, ndim):
    return {"dim": draw(st.integers(-ndim - 1, ndim))}


def dim_keepdim(draw, ndim):
    return {"dim": draw(st.integers(-ndim - 1, ndim)), "keepdim": draw(st.booleans())}


def a_number(draw, ndim):
    return {"s": draw(st.sampled_from([0, 1, 2, -3, 0.5, -1.25, True, 1e10]))}


def two_dims(draw, ndim):
    return {"d0": draw(st.integers(-ndim - 1, ndim)), "d1": draw(st.integers(-ndim - 1, ndim))}


def bounds(draw, ndim):
    low = draw(st.sampled_from([-1.0, 0.0, 0.5, -2]))
    return {"lo": low, "hi": low + draw(st.sampled_from([0.0, 1.0, 3]))}


def an_index(draw, ndim):
    return {"key": draw(st.sampled_from([0, -1, 2, slice(None, 2), (Ellipsis, 0), None, [0, 0]]))}


UNARY = [
    Op(name, 1, no_args, lambda x, n=name: getattr(x, n)(), lambda x, n=name: getattr(x, n)())
    for name in [
        "neg",
        "abs",
        "exp",
        "tanh",
        "sigmoid",
        "relu",
        "sqrt",
        "log",
        "floor",
        "sign",
        "sin",
    ]
]
OPS = UNARY + [
    Op("sum", 1, no_args, lambda x: x.sum(), lambda x: x.sum()),
    Op(
        "sum_dim",
        1,
        dim_keepdim,
        lambda x, dim, keepdim: x.sum(dim, keepdim),
        lambda x, dim, keepdim: x.sum(dim, keepdim),
    ),
    Op(
        "mean_dim",
        1,
        dim_keepdim,
        lambda x, dim, keepdim: x.mean(dim, keepdim),
        lambda x, dim, keepdim: x.mean(dim, keepdim),
    ),
    Op(
        "max_dim",
        1,
        dim_keepdim,
        lambda x, dim, keepdim: x.max(dim, keepdim)[0],
        lambda x, dim, keepdim: x.max(dim, keepdim)[0],
    ),
    Op(
        "argmax",
        1,
        dim_keepdim,
        lambda x, dim, keepdim: x.argmax(dim, keepdim),
        lambda x, dim, keepdim: x.argmax(dim, keepdim),
    ),
    Op("softmax", 1, a_dim, lambda x, dim: x.softmax(dim), lambda x, dim: x.softmax(dim)),
    Op("cumsum", 1, a_dim, lambda x, dim: x.cumsum(dim), lambda x, dim: x.cumsum(dim)),
    Op("unsqueeze", 1, a_dim, lambda x, dim: x.unsqueeze(dim), lambda x, dim: x.unsqueeze(dim)),
    Op("squeeze", 1, a_dim, lambda x, dim: x.squeeze(dim), lambda x, dim: x.squeeze(dim)),
    Op(
        "transpose",
        1,
        two_dims,
        lambda x, d0, d1: x.transpose(d0, d1),
        lambda x, d0, d1: x.transpose(d0, d1),
    ),
    Op("flatten", 1, no_args, lambda x: x.flatten(), lambda x: x.flatten()),
    Op("reshape", 1, no_args, lambda x: x.reshape(-1), lambda x: x.reshape(-1)),
    Op("T", 1, no_args, lambda x: x.T, lambda x: x.T),
    Op("clamp", 1, bounds, lambda x, lo, hi: x.clamp(lo, hi), lambda x, lo, hi: x.clamp(lo, hi)),
    Op("index", 1, an_index, lambda x, key: x[key], lambda x, key: x[key]),
    Op("add_number", 1, a_number, lambda x, s: x + s, lambda x, s: x + s),
    Op("rsub_number", 1, a_number, lambda x, s: s - x, lambda x, s: s - x),
    Op("mul_number", 1, a_number, lambda x, s: x * s, lambda x, s: x * s),
    Op("div_number", 1, a_number, lambda x, s: x / s, lambda x, s: x / s),
    Op("floordiv_number", 1, a_number, lambda x, s: x // s, lambda x, s: x // s),
    Op("pow_number", 1, a_number, lambda x, s: x**s, lambda x, s: x**s),
    Op("gt_number", 1, a_number, lambda x, s: x > s, lambda x, s: x > s),
    Op("add", 2, no_args, lambda x, y: x + y, lambda x, y: x + y),
    Op("sub", 2, no_args, lambda x, y: x - y, lambda x, y: x - y),
    Op("mul", 2, no_args, lambda x, y: x * y, lambda x, y: x * y),
    Op("div", 2, no_args, lambda x, y: x / y, lambda x, y: x / y),
    Op("maximum", 2, no_args, lambda x, y: x.maximum(y), lambda x, y: torch.maximum(x, y)),
    Op("matmul", 2, no_args, lambda x, y: x @ y, lambda x, y: x @ y),
    Op("eq", 2, no_args, lambda x, y: x == y, lambda x, y: x == y),
    Op("and", 2, no_args, lambda x, y: x & y, lambda x, y: x & y),
    Op("cat", 2, a_dim, lambda x, y, dim: x.cat(y, dim), lambda x, y, dim: torch.cat([x, y], dim)),
]


@st.composite
def programs(draw):
    """Operands (shape, dtype, values) and a sequence of ops on them."""
    ndim = draw(st.integers(0, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    dtype = draw(st.sampled_from(DTYPES))
    other_shape = draw(st.sampled_from([shape, shape[1:], [1] * ndim, shape[::-1]]))
    other_dtype = draw(st.sampled_from([dtype, *DTYPES]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = [np.asarray(rng.standard_normal(s) * 2) for s in (shape, other_shape)]
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(OPS))
        steps.append((op, op.args(draw, ndim)))
    return (dtype, values[0]), (other_dtype, values[1]), steps


def make(dtype: str, values: np.ndarray):
    t = torch.from_numpy(values).to(getattr(torch, dtype))
    f = Tensor.from_numpy(t.float().numpy() if dtype == "bfloat16" else t.numpy())
    return f, t


def run(steps, x, y, library: str = "flodl"):
    """The program's result in `library` ("flodl" or "torch"), or the
    exception it raised."""
    try:
        value = x
        for op, kwargs in steps:
            call = getattr(op, library)
            value = call(value, y, **kwargs) if op.arity == 2 else call(value, **kwargs)
        return value, None
    except Exception as e:  # noqa: BLE001 - every exception is an outcome
        return None, e


def run_torch(steps, x, y):
    return run(steps, x, y, "torch")


def same_kind(error: Exception, torch_error: Exception) -> bool:
    """flodl's class answers to the builtin class PyTorch raises: an
    IndexError for an IndexError (or a ShapeError, where PyTorch calls a
    wrongly shaped index an IndexError), a TypeError for a TypeError, a
    ValueError for a ValueError, a MemoryError for a MemoryError; any
    FlodlError where PyTorch raises a plain RuntimeError."""
    if not isinstance(error, (flodl.FlodlError, TypeError)):
        return False
    if isinstance(torch_error, IndexError):
        return isinstance(error, (IndexError, flodl.ShapeError))
    if isinstance(torch_error, MemoryError):
        return isinstance(error, MemoryError)
    for builtin in (TypeError, ValueError):
        if isinstance(torch_error, builtin):
            return isinstance(error, builtin)
    return isinstance(error, flodl.FlodlError)


def values_of(result):
    if isinstance(result, torch.Tensor):
        return result.detach().double().numpy() if result.dtype != torch.bool else result.numpy()
    values = result if isinstance(result, Tensor) else result.data
    return values.to_dtype("float64").numpy() if values.dtype.name != "bool" else values.numpy()


def compare(result, expected, what: str) -> None:
    got_dtype = result.dtype.name
    assert got_dtype == str(expected.dtype).removeprefix("torch."), what
    assert result.shape == list(expected.shape), what
    tolerance = 1e-2 if got_dtype in ("float16", "bfloat16") else 1e-5
    np.testing.assert_allclose(
        values_of(result),
        values_of(expected),
        rtol=tolerance,
        atol=tolerance,
        equal_nan=True,
        err_msg=what,
    )


def check_program(program) -> None:
    (dtype, a), (other_dtype, b), steps = program
    what = f"{dtype}{list(a.shape)} / {other_dtype}{list(b.shape)}: " + ", ".join(
        f"{op.name}{kwargs or ''}" for op, kwargs in steps
    )
    (fa, ta), (fb, tb) = make(dtype, a), make(other_dtype, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, torch_error = run_torch(steps, ta, tb)
    result, error = run(steps, fa, fb)
    if torch_error is not None:
        assert error is not None, f"{what}: torch raised {torch_error!r}, flodl gave {result!r}"
        assert same_kind(error, torch_error), f"{what}: {error!r} for torch's {torch_error!r}"
        return
    assert error is None, f"{what}: flodl raised {error!r}, torch gave {expected!r}"
    compare(result, expected, what)
    # The gradient of the sum, where the program is differentiable.
    if (
        dtype not in ("float32", "float64")
        or not expected.is_floating_point()
        or expected.dtype == torch.float16
    ):
        return
    ta_grad = torch.from_numpy(a).to(getattr(torch, dtype)).requires_grad_()
    t_out, t_error = run_torch(steps, ta_grad, tb)
    if t_error is not None or not t_out.requires_grad:
        return
    try:
        t_out.sum().backward()
    except RuntimeError:
        return  # no derivative in PyTorch either
    va = Variable(fa, True)
    f_out, f_error = run(steps, va, fb)
    assert f_error is None, f"{what}: on a Variable flodl raised {f_error!r}"
    f_out.sum().backward()
    np.testing.assert_allclose(
        va.grad.numpy(),
        ta_grad.grad.numpy(),
        rtol=1e-4,
        atol=1e-5,
        equal_nan=True,
        err_msg=f"{what}: gradient",
    )


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(programs())
def test_random_programs_match_torch(program) -> None:
    check_program(program)
    assert flodl.is_grad_enabled()


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips(dtype) -> None:
    f, t = make(dtype, np.arange(6.0).reshape(2, 3))
    compare(f, t, dtype)
    assert not math.isnan(float(f.sum().to_dtype("float64").item()))
