"""Property-based fuzzing against PyTorch: random sequences of ops on random
shapes, dtypes and argument values, each run in flodl and in PyTorch. Every
flodl result equals PyTorch's (values, dtype, shape, and the gradient where
there is one), or both raise, and flodl's exception is a FlodlError of the
matching kind (an IndexError where PyTorch raises one, and so on).

The operands include numpy arrays and numpy scalars on either side of an
operator (one test draws programs that start with one); another test
compares the creation functions (`flodl.tensor`, `Tensor.arange`, `full`,
`zeros`, `ones`) with torch's: dtype, shape and values.

`make test` runs a short profile; `make fuzz` runs FLODL_FUZZ_EXAMPLES
sequences (10,000 by default) with the seed in FLODL_FUZZ_SEED."""

from __future__ import annotations

import math
import operator
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
# One profile for every fuzz test: EXAMPLES draws, no deadline, no database.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

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
    # The second operand of a binary op: the program's other tensor, or its
    # numpy operand (an array or a numpy scalar, the same object for both).
    other: str = "tensor"


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

# numpy operands, compared with what torch's operators do with them. A
# numpy scalar is a number to torch, on either side (numpy scalars defer to
# torch's reflected operators). A numpy array is not a tensor to torch:
# `Tensor.__add__(array)` gives up, numpy's operator runs on the tensor's
# values and torch wraps numpy's result (numpy's dtype; `<` and `>` are a
# TypeError; on the left only `/` and `==` work). flodl does the same but
# computes with libtorch, so a Variable keeps its graph, where torch's
# operator raises (numpy cannot take a tensor that requires grad): there
# the reference is torch's op in numpy's result dtype, for the gradient.
NUMPY_DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
NUMPY_SCALARS = [
    np.float64(2.5),
    np.float64(-0.0),
    np.float32(-1.5),
    np.float16(0.5),
    np.int64(3),
    np.int64(0),
    np.int32(-2),
    np.uint8(2),
    np.bool_(True),
]
NUMPY_OPERATORS = [
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("truediv", operator.truediv),
    ("floordiv", operator.floordiv),
    ("pow", operator.pow),
    ("gt", operator.gt),
    ("eq", operator.eq),
    ("and", operator.and_),
    ("matmul", operator.matmul),
]


def with_numpy(f, left: bool):
    """`f(x, n)` (or `f(n, x)`) as Python runs it on a flodl value `x`."""
    return lambda x, n: f(n, x) if left else f(x, n)


def torch_with_numpy(f, left: bool):
    """`f(t, n)` (or `f(n, t)`) as torch runs it, but on a tensor that
    requires grad and an array: torch's op in the dtype numpy gives."""

    def call(t, n):
        if isinstance(n, np.ndarray) and t.requires_grad:
            dtype = with_numpy(f, left)(t.detach(), n).dtype
            t, n = t.to(dtype), torch.as_tensor(n).to(dtype)
        return with_numpy(f, left)(t, n)

    return call


# The flodl value on the left (flodl's operator runs), then on the right
# (numpy's runs first, and defers to flodl's reflected one: flodl's
# __array_ufunc__ is None).
OPS += [
    Op(f"{name}_numpy", 2, no_args, with_numpy(f, False), torch_with_numpy(f, False), "numpy")
    for name, f in NUMPY_OPERATORS
] + [
    Op(f"numpy_{name}", 2, no_args, with_numpy(f, True), torch_with_numpy(f, True), "numpy")
    for name, f in NUMPY_OPERATORS
]


@st.composite
def numpy_operands(draw, shape):
    """A numpy scalar, or an array of a numpy dtype flodl has, shaped to
    broadcast with `shape` (or not)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(NUMPY_SCALARS))
    dtype = draw(st.sampled_from(NUMPY_DTYPES))
    array_shape = draw(st.sampled_from([shape, shape[1:], [1] * len(shape), shape[::-1], []]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = np.asarray(rng.standard_normal(array_shape) * 3)
    return (np.abs(values) if dtype == "uint8" else values).astype(dtype)


def describe_numpy(n) -> str:
    if isinstance(n, np.ndarray):
        return f"np.{n.dtype}{list(n.shape)}"
    return repr(n)


@st.composite
def programs(draw, first=None):
    """Operands (shape, dtype, values) and a sequence of ops on them; the
    first op drawn from `first` when given."""
    ndim = draw(st.integers(0, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    dtype = draw(st.sampled_from(DTYPES))
    other_shape = draw(st.sampled_from([shape, shape[1:], [1] * ndim, shape[::-1]]))
    other_dtype = draw(st.sampled_from([dtype, *DTYPES]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = [np.asarray(rng.standard_normal(s) * 2) for s in (shape, other_shape)]
    numpy_operand = draw(numpy_operands(shape))
    steps = []
    for k in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(first if first and k == 0 else OPS))
        steps.append((op, op.args(draw, ndim)))
    return (dtype, values[0]), (other_dtype, values[1]), numpy_operand, steps


def make(dtype: str, values: np.ndarray):
    t = torch.from_numpy(values).to(getattr(torch, dtype))
    f = Tensor.from_numpy(t.float().numpy() if dtype == "bfloat16" else t.numpy())
    return f, t


def run(steps, x, y, n, library: str = "flodl"):
    """The program's result in `library` ("flodl" or "torch"), or the
    exception it raised; `n` is the numpy operand."""
    try:
        value = x
        for op, kwargs in steps:
            call = getattr(op, library)
            if op.arity == 2:
                value = call(value, n if op.other == "numpy" else y, **kwargs)
            else:
                value = call(value, **kwargs)
        return value, None
    except Exception as e:  # noqa: BLE001 - every exception is an outcome
        return None, e


def run_torch(steps, x, y, n):
    return run(steps, x, y, n, "torch")


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
    expected_dtype = str(expected.dtype).removeprefix("torch.")
    assert got_dtype == expected_dtype, f"{what}: dtype {got_dtype}, torch's {expected_dtype}"
    shape, expected_shape = list(result.shape), list(expected.shape)
    assert shape == expected_shape, f"{what}: shape {shape}, torch's {expected_shape}"
    tolerance = 1e-2 if got_dtype in ("float16", "bfloat16") else 1e-5
    np.testing.assert_allclose(
        values_of(result),
        values_of(expected),
        rtol=tolerance,
        atol=tolerance,
        equal_nan=True,
        err_msg=what,
    )


def same_outcome(what: str, got: tuple, wanted: tuple) -> bool:
    """Asserts that flodl's (result, error) is torch's: both raise, errors
    of one kind, or both give the same result. True when there are results."""
    (result, error), (expected, torch_error) = got, wanted
    if torch_error is not None:
        assert error is not None, f"{what}: torch raised {torch_error!r}, flodl gave {result!r}"
        assert same_kind(error, torch_error), f"{what}: {error!r} for torch's {torch_error!r}"
        return False
    assert error is None, f"{what}: flodl raised {error!r}, torch gave {expected!r}"
    compare(result, expected, what)
    return True


def check_program(program) -> None:
    (dtype, a), (other_dtype, b), n, steps = program
    what = f"{dtype}{list(a.shape)} / {other_dtype}{list(b.shape)} / {describe_numpy(n)}: "
    what += ", ".join(f"{op.name}{kwargs or ''}" for op, kwargs in steps)
    (fa, ta), (fb, tb) = make(dtype, a), make(other_dtype, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, torch_error = run_torch(steps, ta, tb, n)
        result, error = run(steps, fa, fb, n)
    if not same_outcome(what, (result, error), (expected, torch_error)):
        return
    # The gradient of the sum, where the program is differentiable.
    if (
        dtype not in ("float32", "float64")
        or not expected.is_floating_point()
        or expected.dtype == torch.float16
    ):
        return
    ta_grad = torch.from_numpy(a).to(getattr(torch, dtype)).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out, t_error = run_torch(steps, ta_grad, tb, n)
    if t_error is not None or not t_out.requires_grad:
        return
    try:
        t_out.sum().backward()
    except RuntimeError:
        return  # no derivative in PyTorch either
    va = Variable(fa, True)
    f_out, f_error = run(steps, va, fb, n)
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
@FUZZ_SETTINGS
@given(programs())
def test_random_programs_match_torch(program) -> None:
    check_program(program)
    assert flodl.is_grad_enabled()


# ----- creation: the dtype and values torch infers -----

CREATION_DTYPES = DTYPES + ["int16", "int8", "uint8", "bfloat16"]
ELEMENTS = {
    "int": st.integers(-5, 5) | st.sampled_from([2**40, -(2**40)]),
    "float": st.sampled_from([0.0, -0.0, 1.5, -2.25, 3.0, 1e10, 1e-8, math.inf, math.nan]),
    "bool": st.booleans(),
    "np.float64": st.sampled_from([np.float64(2.5), np.float64(-1.0)]),
    "np.float32": st.sampled_from([np.float32(0.5), np.float32(-3.0)]),
    "np.int64": st.sampled_from([np.int64(2), np.int64(-7)]),
    "np.int32": st.sampled_from([np.int32(1), np.int32(-4)]),
    "np.bool_": st.sampled_from([np.bool_(True), np.bool_(False)]),
}
# torch.arange: any float among the arguments makes float32, else int64.
RANGE_NUMBERS = st.integers(-4, 12) | st.sampled_from([0.5, 2.5, -1.5, 0.25, 1.0])
FILL_VALUES = st.integers(-3, 3) | st.sampled_from([2**40, 0.5, -2.25, math.nan, math.inf, -0.0])
FILL_VALUES = FILL_VALUES | st.booleans() | st.sampled_from([np.float64(2.5), np.int64(4)])
SHAPES = st.lists(st.integers(0, 3), max_size=3)


@st.composite
def nested_data(draw):
    """A number, or nested lists of numbers of one or two kinds (ragged
    now and then)."""
    # Not numpy's bool inside lists: torch asks it for __index__ when it
    # meets other numbers (torch.tensor([np.True_, np.int32(1)]) is a
    # TypeError); flodl builds the tensor. Alone (tensor_data) it is drawn.
    in_lists = sorted(k for k in ELEMENTS if k != "np.bool_")
    kinds = draw(st.lists(st.sampled_from(in_lists), min_size=1, max_size=2, unique=True))
    shape = draw(SHAPES)

    def build(dims):
        if not dims:
            return draw(ELEMENTS[draw(st.sampled_from(kinds))])
        return [build(dims[1:]) for _ in range(dims[0])]

    data = build(shape)
    # Ragged now and then. Not by emptying the first row: torch then takes
    # the inner length from it, 0, and drops the other rows' values without
    # an error (torch.tensor([[], [1]]) has shape [2, 0]); flodl refuses.
    nonempty = all(d > 0 for d in shape)
    if len(shape) >= 2 and nonempty and shape[1] > 1 and draw(st.integers(0, 9)) == 0:
        data[0] = data[0][:-1]
    return data


@st.composite
def tensor_data(draw):
    """What `flodl.tensor` takes: nested lists, a numpy array (of a dtype
    flodl has), a numpy scalar or a Python number."""
    form = draw(st.sampled_from(["nested", "nested", "array", "scalar"]))
    if form == "nested":
        return draw(nested_data())
    if form == "scalar":
        return draw(st.sampled_from(sorted(ELEMENTS)).flatmap(ELEMENTS.__getitem__))
    dtype = draw(st.sampled_from(NUMPY_DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = np.asarray(rng.standard_normal(draw(SHAPES)) * 3)
    return (np.abs(values) if dtype == "uint8" else values).astype(dtype)


def with_dtype(draw, kwargs: dict) -> tuple[dict, dict]:
    """The keyword arguments for flodl and torch, with a dtype now and then."""
    flodl_kwargs, torch_kwargs = dict(kwargs), dict(kwargs)
    if draw(st.integers(0, 2)) == 0:
        dtype = draw(st.sampled_from(CREATION_DTYPES))
        flodl_kwargs["dtype"], torch_kwargs["dtype"] = dtype, getattr(torch, dtype)
    return flodl_kwargs, torch_kwargs


def creators() -> dict[str, tuple[Callable[..., Any], Callable[..., Any]]]:
    """flodl's creation functions and torch's twin of each; the module-level
    forms (SPEC section 3a) where they exist."""
    pairs = {
        "flodl.tensor": (flodl.tensor, torch.tensor),
        "Tensor.arange": (Tensor.arange, torch.arange),
        "Tensor.full": (Tensor.full, torch.full),
        "Tensor.zeros": (Tensor.zeros, torch.zeros),
        "Tensor.ones": (Tensor.ones, torch.ones),
    }
    for name in ("arange", "full", "zeros", "ones"):
        if hasattr(flodl, name):
            pairs[f"flodl.{name}"] = (getattr(flodl, name), getattr(torch, name))
    return pairs


CREATORS = creators()


@st.composite
def creations(draw):
    """(description, flodl's call, torch's call) of one creation."""
    name = draw(st.sampled_from(sorted(CREATORS)))
    flodl_fn, torch_fn = CREATORS[name]
    if name == "flodl.tensor":
        args = [draw(tensor_data())]
    elif name.endswith("arange"):
        args = draw(st.lists(RANGE_NUMBERS, min_size=1, max_size=3))
    elif name.endswith("full"):
        args = [draw(SHAPES), draw(FILL_VALUES)]
    else:
        args = [draw(SHAPES)]
    flodl_kwargs, torch_kwargs = with_dtype(draw, {})
    what = f"{name}({', '.join(map(repr, args))}, {flodl_kwargs})"
    return (
        what,
        lambda: flodl_fn(*args, **flodl_kwargs),
        lambda: torch_fn(*args, **torch_kwargs),
    )


def outcome(call):
    try:
        return call(), None
    except Exception as e:  # noqa: BLE001 - every exception is an outcome
        return None, e


def check_creation(case) -> None:
    what, flodl_call, torch_call = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, torch_error = outcome(torch_call)
        result, error = outcome(flodl_call)
    same_outcome(what, (result, error), (expected, torch_error))


@seed(SEED)
@FUZZ_SETTINGS
@given(creations())
def test_creation_matches_torch(case) -> None:
    check_creation(case)


@seed(SEED)
@FUZZ_SETTINGS
@given(programs(first=[op for op in OPS if op.other == "numpy"]))
def test_numpy_operands_match_torch(program) -> None:
    """Programs that start with a numpy operand (most programs above meet
    one late, after a reduction, or never)."""
    check_program(program)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips(dtype) -> None:
    f, t = make(dtype, np.arange(6.0).reshape(2, 3))
    compare(f, t, dtype)
    assert not math.isnan(float(f.sum().to_dtype("float64").item()))
