"""The op-info table: one entry per op the catalogue declares.

Each entry names the flodl op, the PyTorch function it must match (called
with the same keyword names), and sample inputs. tests/python/test_ops.py
drives every entry through forward parity, gradient parity with
torch.autograd, a float64 finite-difference check and the error cases
(the gradient checks only where the op is differentiable). Adding an op
means its declaration in src/ops/ and an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

import flodl


@dataclass
class Sample:
    """Inputs of one call: the shapes of the differentiable operands (random
    values; the first is `self` for a method) and the other arguments, by
    keyword. A numpy array among them is passed as a Tensor (an index, a
    mask); a float array takes the dtype under test."""

    shapes: tuple[tuple[int, ...], ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    # False where the gradient is not the derivative of the values on purpose
    # (embedding's padding row gets none): no finite-difference check.
    finite_differences: bool = True


@dataclass
class ErrorCase:
    """A bad call and the exception class it must raise. `operands` makes the
    operands (flodl Tensors, or a wrong Python object)."""

    operands: Callable[[], tuple]
    kwargs: dict[str, Any]
    raises: type


@dataclass
class OpInfo:
    name: str
    torch_fn: Callable[..., Any]
    samples: list[Sample]
    # Maps standard normal samples into the op's domain (log needs x > 0).
    domain: Callable[[np.ndarray], np.ndarray] = lambda a: a
    errors: list[ErrorCase] = field(default_factory=list)
    # How flodl is called: "method" (x.op(*others, **kw), on Tensor and
    # Variable), "tensor" (the same, on Tensor only), "nn"
    # (flodl.op(**dict(zip(operand_names, operands)), **kw)) or "static"
    # (Class.op(list_of_operands, **kw)). A method whose other operands come
    # after other arguments names them in operand_names (passed by keyword).
    kind: str = "method"
    operand_names: tuple[str, ...] = ()
    # False for ops without a gradient (index results, comparisons, sampling).
    differentiable: bool = True
    # A random op: flodl and torch run from the same seed (they share
    # libtorch's generator), so their samples must be equal.
    random: bool = False
    # The dtype of the inputs when the op takes only this one (bitwise ops
    # take bools), instead of the float dtype under test.
    input_dtype: Any = None
    # An op that returns its input itself when there is nothing to do (as
    # PyTorch's contiguous does for contiguous values): its result may be
    # the leaf it was given.
    returns_input: bool = False
    # Complex operands: each sample's values get random imaginary parts,
    # in the complex dtype of the float dtype under test.
    complex_inputs: bool = False
    # An in-place op: it changes its first operand and returns it (not on a
    # leaf that requires grad, so no gradient cases here; test_inplace.py
    # checks gradients through in-place ops on non-leaves).
    in_place: bool = False


# ----- domains -----


def _positive(a: np.ndarray) -> np.ndarray:
    return np.abs(a) + 0.5


def _away_from_zero(a: np.ndarray) -> np.ndarray:
    return np.sign(a) * (np.abs(a) + 0.5) + (a == 0)


def _away_from_kinks(a: np.ndarray) -> np.ndarray:
    # A kink at 0 (relu, abs, ...) would make finite differences meaningless there.
    return np.where(np.abs(a) < 0.1, a + 0.3, a)


def _away_from_half(a: np.ndarray) -> np.ndarray:
    # hardshrink/softshrink/threshold with 0.5 as their bound have kinks at +-0.5.
    return np.where(np.abs(np.abs(a) - 0.5) < 0.1, a * 1.5, a)


def _away_from_steps(a: np.ndarray) -> np.ndarray:
    # floor/ceil/round jump at integers and halves.
    return np.trunc(a * 2) / 2 + 0.25


def _grid(a: np.ndarray) -> np.ndarray:
    # Sampling locations inside the image and off the pixel centres.
    return np.tanh(a) * 0.8 + 0.03


# ----- samples -----

ELEMENTWISE_BINARY = [
    Sample(((3, 4), (3, 4))),
    Sample(((3, 4), (4,))),  # broadcasting
    Sample(((2, 1, 3), (4, 1))),
    Sample(((), (2, 3))),
]
UNARY = [Sample(((5,),)), Sample(((3, 4),)), Sample(((),)), Sample(((2, 3, 2),))]
DIM_KEEPDIM = [
    Sample(((3, 4),), {"dim": 1}),
    Sample(((3, 4),), {"dim": -1, "keepdim": True}),
    Sample(((2, 3, 4),), {"dim": 0, "keepdim": False}),
    Sample(((2, 3, 4),), {"dim": -2, "keepdim": True}),
]
DIMS_KEEPDIM = [
    Sample(((3, 4, 2),), {"dims": [0, 2]}),
    Sample(((3, 4, 2),), {"dims": [-1, 0], "keepdim": True}),
    Sample(((3, 4),), {"dims": [0, 1]}),
    Sample(((2, 3, 4),), {"dims": [1]}),
]
DIM = [
    Sample(((3, 4),), {"dim": 1}),
    Sample(((2, 3, 4),), {"dim": -3}),
    Sample(((5,),), {"dim": 0}),
]


# ----- bad inputs -----


def _tensors(*shapes):
    return lambda: tuple(flodl.Tensor.zeros(list(s)) for s in shapes)


def _bool_tensor():
    return (flodl.Tensor.from_numpy(np.array([True, False])),)


def _int_tensor():
    return (flodl.Tensor.from_i64([1, 2, 3], [3]),)


def _not_a_tensor():
    return ("not a tensor",)


def shape_error(*shapes, **kwargs) -> list[ErrorCase]:
    return [ErrorCase(_tensors(*shapes), kwargs, flodl.ShapeError)]


def range_error(*shapes, **kwargs) -> list[ErrorCase]:
    return [ErrorCase(_tensors(*shapes), kwargs, flodl.OutOfRangeError)]


def argument_error(*shapes, **kwargs) -> list[ErrorCase]:
    return [ErrorCase(_tensors(*shapes), kwargs, flodl.ArgumentError)]


def bool_error(**kwargs) -> list[ErrorCase]:
    return [ErrorCase(_bool_tensor, kwargs, flodl.DTypeError)]


def int_error(**kwargs) -> list[ErrorCase]:
    return [ErrorCase(_int_tensor, kwargs, flodl.DTypeError)]


def int_matrix_error(*shapes, **kwargs) -> list[ErrorCase]:
    """Integer matrices where a linear-algebra op needs floats."""
    made = lambda: tuple(flodl.Tensor.zeros(list(s), dtype=flodl.int64) for s in shapes)
    return [ErrorCase(made, kwargs, flodl.DTypeError)]


def type_error(**kwargs) -> list[ErrorCase]:
    """For ops that take any tensor (ints and bools are promoted, as in
    PyTorch): the bad input left is a wrong Python type."""
    return [ErrorCase(_not_a_tensor, kwargs, TypeError)]


# ----- torch references with flodl's argument names -----


def _unsqueeze_many(x, dims):
    rank = x.dim() + len(dims)
    for d in sorted(d % rank for d in dims):
        x = x.unsqueeze(d)
    return x


def _values(pair):
    return pair.values


def _tensor_only(name: str, torch_fn, samples, errors=(), domain=None, random=False) -> OpInfo:
    info = OpInfo(name, torch_fn, samples, errors=list(errors), kind="tensor", random=random)
    info.differentiable = False
    if domain is not None:
        info.domain = domain
    return info


def _probability(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def _vector_norm(x, p=2.0, dim=None, keepdim=False):
    return torch.linalg.vector_norm(x, p, dim, keepdim)


def _nn(name: str, torch_fn, samples, names, errors=(), domain=None) -> OpInfo:
    info = OpInfo(name, torch_fn, samples, errors=list(errors), kind="nn", operand_names=names)
    if domain is not None:
        info.domain = domain
    return info


INDEX = np.array([2, 0, 2])
MASK = np.array([[True, False, False, True], [False, False, True, True], [True] * 4])
# Along dim 0 of [3, 5]: no row twice in a column.
SCATTER_INDEX = np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 0]])
FLOAT_MASK = MASK.astype(np.float64)

# Positions of maxima in each plane of the pooled input (as a max pool's
# return_indices gives them) for the unpools' samples.
_UNPOOL_1D = np.array([[[1, 2, 5], [0, 3, 4]]])
_UNPOOL_2D = np.array([[[[0, 3], [9, 14]], [[5, 2], [8, 15]]]])
_UNPOOL_3D = np.array([[[[[0, 7], [20, 31]]]]])

OP_INFOS: list[OpInfo] = [
    # --- arithmetic ---
    OpInfo("add", torch.add, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("sub", torch.sub, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("mul", torch.mul, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo(
        "sub_scalar",
        lambda x, scalar: x - scalar,
        [Sample(((3, 4),), {"scalar": 1.5}), Sample(((2,),), {"scalar": 2})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "rsub_scalar",
        lambda x, scalar: scalar - x,
        [Sample(((3, 4),), {"scalar": 1.5})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "floor_divide",
        torch.floor_divide,
        ELEMENTWISE_BINARY,
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,)),
        differentiable=False,
    ),
    OpInfo(
        "floor_divide_scalar",
        lambda x, scalar: torch.floor_divide(x, scalar),
        [Sample(((3, 4),), {"scalar": 0.7}), Sample(((5,),), {"scalar": -2})],
        errors=type_error(scalar=1.0),
        differentiable=False,
    ),
    OpInfo(
        "rfloor_divide_scalar",
        lambda x, scalar: scalar // x,
        [Sample(((3, 4),), {"scalar": 3.0})],
        domain=_away_from_zero,
        errors=type_error(scalar=1.0),
        differentiable=False,
    ),
    OpInfo(
        "remainder",
        torch.remainder,
        [
            Sample(
                (
                    (3, 4),
                    (3, 4),
                ),
                finite_differences=False,
            ),
            Sample(((2, 3), (3,)), finite_differences=False),
        ],
        domain=_positive,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "remainder_scalar",
        lambda x, scalar: torch.remainder(x, scalar),
        [Sample(((3, 4),), {"scalar": 0.7}, finite_differences=False)],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "rremainder_scalar",
        lambda x, scalar: scalar % x,
        [Sample(((3, 4),), {"scalar": 2.5}, finite_differences=False)],
        domain=_positive,
        errors=type_error(scalar=1.0),
        differentiable=False,  # PyTorch has no derivative for number % tensor
    ),
    OpInfo(
        "div",
        torch.div,
        ELEMENTWISE_BINARY,
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "matmul",
        torch.matmul,
        [
            Sample(((3, 4), (4, 5))),
            Sample(((4,), (4, 2))),
            Sample(((3,), (3,))),
            Sample(((2, 3, 4), (4, 5))),
            Sample(((2, 1, 3, 4), (3, 4, 2))),  # batch broadcasting
        ],
        errors=shape_error((2, 3), (4, 5)),
    ),
    OpInfo(
        "mul_scalar",
        lambda x, scalar: x * scalar,
        [Sample(((3, 4),), {"scalar": -2.5})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "add_scalar",
        lambda x, scalar: x + scalar,
        [Sample(((3, 4),), {"scalar": 1.5})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "div_scalar",
        lambda x, scalar: x / scalar,
        [Sample(((3, 4),), {"scalar": 4.0})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo("neg", torch.neg, UNARY, errors=bool_error()),
    # --- activation ---
    OpInfo("relu", torch.relu, UNARY, domain=_away_from_kinks, errors=bool_error()),
    OpInfo("sigmoid", torch.sigmoid, UNARY, errors=type_error()),
    OpInfo("tanh", torch.tanh, UNARY, errors=type_error()),
    OpInfo(
        "gelu",
        F.gelu,
        [*UNARY, Sample(((3, 4),), {"approximate": "tanh"})],
        errors=int_error() + argument_error((3,), approximate="cubic"),
    ),
    OpInfo(
        "gelu_tanh",
        lambda x: F.gelu(x, approximate="tanh"),
        UNARY,
        errors=int_error(),
    ),
    OpInfo("silu", F.silu, UNARY, errors=int_error()),
    # The activations torch has only in torch.nn.functional.
    _nn("logsigmoid", F.logsigmoid, UNARY, ("input",), int_error()),
    _nn("softsign", F.softsign, UNARY, ("input",)),
    _nn("tanhshrink", F.tanhshrink, UNARY, ("input",)),
    _nn(
        "celu",
        lambda input, alpha=1.0: F.celu(input, alpha),
        [*UNARY, Sample(((3, 4),), {"alpha": 0.5})],
        ("input",),
        int_error(),
        domain=_away_from_kinks,
    ),
    _nn(
        "rrelu",
        lambda input, lower=1 / 8, upper=1 / 3, training=False: F.rrelu(
            input, lower, upper, training
        ),
        [*UNARY, Sample(((3, 4),), {"lower": 0.1, "upper": 0.5})],
        ("input",),
        argument_error((2, 3), lower=0.5, upper=0.25),
        domain=_away_from_kinks,
    ),
    OpInfo(
        "rrelu",
        lambda input, lower=1 / 8, upper=1 / 3, training=False: F.rrelu(
            input, lower, upper, training
        ),
        # slopes drawn from the generator: the same seed, torch's slopes
        [
            Sample(((4, 5),), {"training": True}),
            Sample(((3, 3),), {"lower": 0.2, "training": True}),
        ],
        kind="nn",
        operand_names=("input",),
        domain=_away_from_kinks,
        random=True,
    ),
    _nn(
        "hardtanh",
        lambda input, min_val=-1.0, max_val=1.0: F.hardtanh(input, min_val, max_val),
        [*UNARY, Sample(((3, 4),), {"min_val": -0.25, "max_val": 2.0})],
        ("input",),
        argument_error((3,), min_val=1.0, max_val=-1.0),
        domain=lambda a: np.where(np.abs(np.abs(a) - 1) < 0.1, a * 1.3, a) * 1.5,
    ),
    _nn("relu6", F.relu6, UNARY, ("input",), domain=lambda a: np.where(a < 0.1, a - 0.3, a) * 4),
    _nn(
        "hardshrink",
        lambda input, lambd=0.5: F.hardshrink(input, lambd),
        [*UNARY, Sample(((3, 4),), {"lambd": 0.5})],
        ("input",),
        int_error(),
        domain=_away_from_half,
    ),
    _nn(
        "softshrink",
        lambda input, lambd=0.5: F.softshrink(input, lambd),
        [*UNARY, Sample(((3, 4),), {"lambd": 0.5})],
        ("input",),
        argument_error((3,), lambd=-1.0),
        domain=_away_from_half,
    ),
    _nn(
        "threshold",
        F.threshold,
        [
            Sample(((3, 4),), {"threshold": 0.5, "value": -2.0}),
            Sample(((5,),), {"threshold": -0.5, "value": 0.0}),
        ],
        ("input",),
        domain=_away_from_half,
    ),
    _nn(
        "glu",
        lambda input, dim=-1: F.glu(input, dim),
        [Sample(((3, 4),)), Sample(((4, 3, 2),), {"dim": 0}), Sample(((2, 6),), {"dim": 1})],
        ("input",),
        shape_error((3, 5)) + range_error((2, 4), dim=2),
    ),
    OpInfo("mish", F.mish, UNARY, errors=int_error()),
    OpInfo("selu", F.selu, UNARY, domain=_away_from_kinks, errors=int_error()),
    OpInfo("hardswish", F.hardswish, UNARY, errors=int_error()),
    OpInfo("hardsigmoid", F.hardsigmoid, UNARY, errors=int_error()),
    OpInfo(
        "leaky_relu",
        lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
        [Sample(((3, 4),)), Sample(((5,),), {"negative_slope": 0.2})],
        domain=_away_from_kinks,
        errors=int_error(),
    ),
    OpInfo(
        "elu",
        lambda x, alpha=1.0: F.elu(x, alpha),
        [Sample(((3, 4),)), Sample(((5,),), {"alpha": 0.5})],
        domain=_away_from_kinks,
        errors=int_error(),
    ),
    OpInfo(
        "softplus",
        lambda x, beta=1.0, threshold=20.0: F.softplus(x, beta, threshold),
        [Sample(((3, 4),)), Sample(((5,),), {"beta": 2.0, "threshold": 1.0})],
        domain=_away_from_kinks,
        errors=int_error(),
    ),
    OpInfo(
        "prelu",
        F.prelu,
        [Sample(((2, 3, 4), (3,))), Sample(((3, 4), (1,)))],
        domain=_away_from_kinks,
        errors=shape_error((2, 3, 4), (2,)),
    ),
    OpInfo("softmax", lambda x, dim: F.softmax(x, dim), DIM, errors=range_error((2, 3), dim=2)),
    OpInfo(
        "log_softmax", lambda x, dim: F.log_softmax(x, dim), DIM, errors=range_error((2, 3), dim=-3)
    ),
    # --- math ---
    OpInfo("exp", torch.exp, UNARY, errors=type_error()),
    OpInfo("log", torch.log, UNARY, domain=_positive, errors=type_error()),
    OpInfo("sqrt", torch.sqrt, UNARY, domain=_positive, errors=type_error()),
    OpInfo("abs", torch.abs, UNARY, domain=_away_from_kinks, errors=bool_error()),
    OpInfo("sin", torch.sin, UNARY, errors=type_error()),
    OpInfo("cos", torch.cos, UNARY, errors=type_error()),
    OpInfo("sign", torch.sign, UNARY, domain=_away_from_kinks, errors=type_error()),
    OpInfo("floor", torch.floor, UNARY, domain=_away_from_steps, errors=bool_error()),
    OpInfo("ceil", torch.ceil, UNARY, domain=_away_from_steps, errors=bool_error()),
    OpInfo("round", torch.round, UNARY, domain=_away_from_steps, errors=bool_error()),
    OpInfo(
        "round_decimals",
        lambda x, decimals: torch.round(x, decimals=decimals),
        [Sample(((3, 4),), {"decimals": 2}), Sample(((5,),), {"decimals": -1})],
        # Away from the rounding steps of 0.01 and 10.
        domain=lambda a: np.trunc(a * 200) / 200 + 0.0025,
        errors=bool_error(decimals=1),
    ),
    OpInfo("reciprocal", torch.reciprocal, UNARY, domain=_away_from_zero, errors=type_error()),
    OpInfo("log1p", torch.log1p, UNARY, domain=_positive, errors=type_error()),
    OpInfo("expm1", torch.expm1, UNARY, errors=type_error()),
    OpInfo("log2", torch.log2, UNARY, domain=_positive, errors=type_error()),
    OpInfo("log10", torch.log10, UNARY, domain=_positive, errors=type_error()),
    OpInfo("erf", torch.erf, UNARY, errors=type_error()),
    OpInfo("asin", torch.asin, UNARY, domain=lambda a: np.tanh(a) * 0.9, errors=type_error()),
    OpInfo("acos", torch.acos, UNARY, domain=lambda a: np.tanh(a) * 0.9, errors=type_error()),
    OpInfo("atan", torch.atan, UNARY, errors=type_error()),
    OpInfo("sinh", torch.sinh, UNARY, errors=type_error()),
    OpInfo("cosh", torch.cosh, UNARY, errors=type_error()),
    OpInfo("trunc", torch.trunc, UNARY, domain=_away_from_steps, errors=bool_error()),
    OpInfo("frac", torch.frac, UNARY, domain=_away_from_steps, errors=bool_error()),
    OpInfo(
        "pow",
        torch.pow,
        [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,))), Sample(((), (2,)))],
        domain=_positive,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "rpow_scalar",
        lambda x, base: torch.pow(base, x),
        [Sample(((3, 4),), {"base": 2.0}), Sample(((5,),), {"base": 0.5})],
        errors=type_error(base=2.0),
    ),
    OpInfo(
        "pow_scalar",
        lambda x, exponent: torch.pow(x, exponent),
        [Sample(((3, 4),), {"exponent": 2.0}), Sample(((5,),), {"exponent": -1.5})],
        domain=_positive,
        errors=type_error(exponent=2.0),
    ),
    OpInfo(
        "clamp",
        lambda x, min, max: torch.clamp(x, min, max),
        [Sample(((3, 4),), {"min": -0.5, "max": 0.5}), Sample(((5,),), {"min": 0.0, "max": 0.0})],
        domain=_away_from_kinks,
        errors=type_error(min=0.0, max=1.0),
    ),
    OpInfo(
        "clamp_min",
        lambda x, min: torch.clamp_min(x, min),
        [Sample(((3, 4),), {"min": 0.0})],
        domain=_away_from_kinks,
        errors=type_error(min=0.0),
    ),
    OpInfo(
        "clamp_max",
        lambda x, max: torch.clamp_max(x, max),
        [Sample(((3, 4),), {"max": 0.0})],
        domain=_away_from_kinks,
        errors=type_error(max=0.0),
    ),
    OpInfo("atan2", torch.atan2, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("maximum", torch.maximum, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("minimum", torch.minimum, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo(
        "masked_fill",
        lambda x, mask, value: x.masked_fill(mask, value),
        [
            Sample(((3, 4),), {"mask": MASK, "value": 2.5}),
            Sample(((2, 3, 4),), {"mask": MASK[0], "value": -1.0}),  # the mask broadcasts
        ],
        errors=[
            ErrorCase(_tensors((3, 4), (3, 4)), {"value": 1.0}, flodl.DTypeError),  # a float mask
        ],
    ),
    OpInfo(
        "normalize",
        lambda x, p=2.0, dim=1: F.normalize(x, p, dim),
        [
            Sample(((3, 4),)),
            Sample(((2, 3, 4),), {"p": 1.0, "dim": -1}),
            Sample(((4,),), {"dim": 0}),
        ],
        errors=range_error((2, 3), dim=3),
    ),
    OpInfo(
        "norm",
        _vector_norm,
        [
            Sample(((3, 4),)),
            Sample(((5,),), {"p": 1.0}),
            Sample(((2, 3, 4),), {"p": 3.0, "dim": 1}),
            Sample(((3, 4),), {"dim": -1, "keepdim": True}),
            Sample(((3, 4),), {"keepdim": True}),
        ],
        domain=_away_from_zero,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "norm_dim",
        lambda x, p, dim, keepdim=False: torch.linalg.vector_norm(x, p, dim, keepdim),
        [
            Sample(((3, 4),), {"p": 2.0, "dim": 1}),
            Sample(((2, 3, 4),), {"p": 1.0, "dim": 0, "keepdim": True}),
        ],
        domain=_away_from_zero,
        errors=range_error((2, 3), p=2.0, dim=2),
    ),
    OpInfo(
        "cdist",
        lambda x, other, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary": torch.cdist(
            x, other, p, compute_mode
        ),
        [
            Sample(((3, 4), (5, 4))),
            Sample(((2, 3, 4), (2, 2, 4)), {"p": 1.0}),
            Sample(((3, 4), (5, 4)), {"compute_mode": "use_mm_for_euclid_dist"}),
            Sample(((3, 4), (5, 4)), {"compute_mode": "donot_use_mm_for_euclid_dist"}),
        ],
        errors=shape_error((3, 4), (5, 3)) + argument_error((3, 4), (5, 4), compute_mode="mm"),
    ),
    OpInfo(
        "cosine_similarity",
        lambda x, other, dim=1, eps=1e-8: F.cosine_similarity(x, other, dim, eps),
        [Sample(((3, 4), (3, 4))), Sample(((2, 3, 4), (3, 1)), {"dim": -2, "eps": 1e-6})],
        errors=shape_error((2, 3), (4, 5)),
    ),
    OpInfo(
        "triu",
        lambda x, diagonal=0: torch.triu(x, diagonal),
        [Sample(((3, 4),)), Sample(((2, 3, 3),), {"diagonal": -1})],
        errors=shape_error((3,)),
    ),
    OpInfo(
        "tril",
        lambda x, diagonal=0: torch.tril(x, diagonal),
        [Sample(((3, 4),)), Sample(((2, 3, 3),), {"diagonal": 1})],
        errors=shape_error((3,)),
    ),
    # --- reduction: all elements ---
    OpInfo("sum", torch.sum, UNARY, errors=type_error()),
    OpInfo("mean", torch.mean, UNARY, errors=int_error()),
    OpInfo("min", torch.min, UNARY, errors=shape_error((0,))),
    OpInfo("max", torch.max, UNARY, errors=shape_error((0,))),
    OpInfo("var", torch.var, UNARY[:2] + UNARY[3:], errors=int_error()),
    OpInfo("std", torch.std, UNARY[:2] + UNARY[3:], errors=int_error()),
    OpInfo("prod", torch.prod, UNARY, errors=type_error()),
    # --- reduction along a dim ---
    OpInfo(
        "sum_dim",
        lambda x, dim, keepdim=False: torch.sum(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "mean_dim",
        lambda x, dim, keepdim=False: torch.mean(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=-3),
    ),
    OpInfo(
        "sum_dims",
        lambda x, dims, keepdim=False: torch.sum(x, dims, keepdim),
        DIMS_KEEPDIM,
        errors=range_error((2, 3), dims=[0, 2]),
    ),
    OpInfo(
        "mean_dims",
        lambda x, dims, keepdim=False: torch.mean(x, dims, keepdim),
        DIMS_KEEPDIM,
        errors=range_error((2, 3), dims=[-3]),
    ),
    OpInfo(
        "var_dims",
        lambda x, dims, correction=1.0, keepdim=False: torch.var(
            x, dims, correction=correction, keepdim=keepdim
        ),
        [*DIMS_KEEPDIM, Sample(((3, 4, 2),), {"dims": [2, 0], "correction": 0})],
        errors=range_error((2, 3), dims=[0, 2]) + argument_error((2, 3), dims=[1, 1]),
    ),
    OpInfo(
        "std_dims",
        lambda x, dims, correction=1.0, keepdim=False: torch.std(
            x, dims, correction=correction, keepdim=keepdim
        ),
        [*DIMS_KEEPDIM, Sample(((3, 4, 2),), {"dims": [0, 1], "correction": 2})],
        errors=range_error((2, 3), dims=[-3]),
    ),
    *[
        OpInfo(
            name,
            lambda x, dim, keepdim=False, name=name: getattr(torch, name)(x, dim, keepdim),
            # torch's name for the dims; an empty list reduces every dim.
            [
                Sample(s.shapes, {("dim" if k == "dims" else k): v for k, v in s.kwargs.items()})
                for s in DIMS_KEEPDIM
            ]
            + [Sample(((3, 4),), {"dim": []}), Sample(((2, 3),), {"dim": 1})],
            errors=range_error((2, 3), dim=[0, 2]),
        )
        for name in ("amax", "amin")
    ],
    OpInfo(
        "min_dim",
        lambda x, dim, keepdim=False: torch.min(x, dim, keepdim).values,
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "max_dim",
        lambda x, dim, keepdim=False: torch.max(x, dim, keepdim).values,
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "max_with_indices",
        lambda x, dim, keepdim=False: tuple(torch.max(x, dim, keepdim)),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "min_with_indices",
        lambda x, dim, keepdim=False: tuple(torch.min(x, dim, keepdim)),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "var_correction",
        lambda x, dim=None, correction=1.0, keepdim=False: torch.var(
            x, dim, correction=correction, keepdim=keepdim
        ),
        [
            Sample(((3, 4),)),
            Sample(((3, 4),), {"dim": 1, "correction": 0.0}),
            Sample(((2, 3, 4),), {"dim": -1, "correction": 2.0, "keepdim": True}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "std_correction",
        lambda x, dim=None, correction=1.0, keepdim=False: torch.std(
            x, dim, correction=correction, keepdim=keepdim
        ),
        [Sample(((3, 4),), {"correction": 0.0}), Sample(((3, 4),), {"dim": 0})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "var_dim",
        lambda x, dim, keepdim=False: torch.var(x, dim, keepdim=keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "std_dim",
        lambda x, dim, keepdim=False: torch.std(x, dim, keepdim=keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "prod_dim",
        lambda x, dim, keepdim=False: torch.prod(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo("cumsum", lambda x, dim: torch.cumsum(x, dim), DIM, errors=range_error((2, 3), dim=2)),
    OpInfo(
        "logsumexp",
        lambda x, dim, keepdim=False: torch.logsumexp(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "argmax_dim",
        lambda x, dim, keepdim=False: torch.argmax(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
        differentiable=False,
    ),
    OpInfo(
        "argmin_dim",
        lambda x, dim, keepdim=False: torch.argmin(x, dim, keepdim),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
        differentiable=False,
    ),
    # --- shape ---
    OpInfo("copy", torch.clone, UNARY, errors=type_error()),
    OpInfo(
        "transpose",
        lambda x, dim0, dim1: torch.transpose(x, dim0, dim1),
        [Sample(((3, 4),), {"dim0": 0, "dim1": 1}), Sample(((2, 3, 4),), {"dim0": -1, "dim1": 0})],
        errors=range_error((2, 3), dim0=0, dim1=2),
    ),
    OpInfo(
        "permute",
        lambda x, dims: x.permute(dims),
        [Sample(((2, 3, 4),), {"dims": [2, 0, 1]}), Sample(((3, 4),), {"dims": (-1, 0)})],
        errors=argument_error((2, 3), dims=[0, 0]),
    ),
    OpInfo(
        "reshape",
        lambda x, shape: x.reshape(shape),
        [Sample(((3, 4),), {"shape": [2, 6]}), Sample(((2, 3, 4),), {"shape": (4, -1)})],
        errors=shape_error((2, 3), shape=[4, 2]),
    ),
    OpInfo(
        "flatten",
        lambda x, start_dim=0, end_dim=-1: torch.flatten(x, start_dim, end_dim),
        [Sample(((2, 3, 4),)), Sample(((2, 3, 4, 2),), {"start_dim": 1, "end_dim": -2})],
        errors=range_error((2, 3), start_dim=0, end_dim=4),
    ),
    OpInfo(
        "view",
        lambda x, shape: x.view(shape),
        [Sample(((2, 3, 4),), {"shape": [6, -1]}), Sample(((12,),), {"shape": (3, 2, 2)})],
        errors=shape_error((2, 3), shape=[4, 2]),
    ),
    OpInfo(
        "view_as",
        lambda x, other: x.view_as(other),
        # `other` gives a shape only: a Tensor, as it gets no gradient.
        [
            Sample(((2, 6),), {"other": np.zeros((3, 4))}),
            Sample(((6,),), {"other": np.zeros((2, 3))}),
        ],
        errors=shape_error((2, 3), other=np.zeros(4)),
    ),
    OpInfo(
        "expand_as",
        lambda x, other: x.expand_as(other),
        [
            Sample(((3, 1),), {"other": np.zeros((3, 4))}),
            Sample(((4,),), {"other": np.zeros((2, 4))}),
        ],
        errors=shape_error((2, 3), other=np.zeros((4, 5))),
    ),
    OpInfo("contiguous", lambda x: x.contiguous(), UNARY, returns_input=True),
    OpInfo(
        "contiguous_in",
        lambda x, memory_format: x.contiguous(memory_format=getattr(torch, memory_format)),
        [
            Sample(((2, 3, 4, 5),), {"memory_format": "channels_last"}),
            Sample(((2, 3, 2, 4, 5),), {"memory_format": "channels_last_3d"}),
            Sample(((2, 3, 4, 5),), {"memory_format": "contiguous_format"}),
        ],
        errors=shape_error((3, 4, 5), memory_format="channels_last")
        + argument_error((2, 3, 4, 5), memory_format="nhwc"),
        returns_input=True,
    ),
    OpInfo(
        "copy_in",
        lambda x, memory_format: x.clone(memory_format=getattr(torch, memory_format)),
        [
            Sample(((2, 3, 4, 5),), {"memory_format": "channels_last"}),
            Sample(((2, 3, 4, 5),), {"memory_format": "preserve_format"}),
            Sample(((2, 3, 2, 4, 5),), {"memory_format": "channels_last_3d"}),
        ],
        errors=shape_error((3, 4, 5), memory_format="channels_last"),
    ),
    OpInfo(
        "t",
        lambda x: x.t(),
        [Sample(((3, 4),)), Sample(((5,),)), Sample(((),))],
        errors=shape_error((2, 3, 4)),
    ),
    OpInfo(
        "flip",
        lambda x, dims: torch.flip(x, dims),
        [Sample(((2, 3, 4),), {"dims": [0, 2]}), Sample(((5,),), {"dims": (-1,)})],
        errors=range_error((2, 3), dims=[2]),
    ),
    OpInfo(
        "split",
        lambda x, split_size, dim=0: list(torch.split(x, split_size, dim)),
        [Sample(((5, 4),), {"split_size": 2}), Sample(((3, 6),), {"split_size": 4, "dim": -1})],
        errors=range_error((2, 3), split_size=2, dim=2),
    ),
    OpInfo(
        "split_with_sizes",
        lambda x, split_sizes, dim=0: list(torch.split(x, split_sizes, dim)),
        [
            Sample(((5, 4),), {"split_sizes": [2, 3]}),
            Sample(((3, 6),), {"split_sizes": [1, 0, 5], "dim": -1}),
        ],
        errors=shape_error((2, 3), split_sizes=[1, 1], dim=1),
    ),
    OpInfo(
        "unbind",
        lambda x, dim=0: list(torch.unbind(x, dim)),
        [Sample(((3, 4),)), Sample(((2, 3, 2),), {"dim": -1})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "mm",
        torch.mm,
        [Sample(((3, 4), (4, 5))), Sample(((1, 2), (2, 1)))],
        errors=shape_error((3, 4), (5, 2)) + shape_error((3,), (3, 2)),
    ),
    OpInfo(
        "bmm",
        torch.bmm,
        [Sample(((2, 3, 4), (2, 4, 5)))],
        errors=shape_error((2, 3, 4), (3, 4, 5)) + shape_error((3, 4), (4, 2)),
    ),
    OpInfo(
        "outer",
        torch.outer,
        [Sample(((3,), (4,)))],
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo("cumprod", lambda x, dim: torch.cumprod(x, dim), DIM, errors=range_error((2, 3), dim=2)),
    OpInfo("rsqrt", torch.rsqrt, UNARY, domain=_positive),
    OpInfo("tan", torch.tan, UNARY, domain=lambda a: np.tanh(a) * 1.2, errors=type_error()),
    OpInfo("square", torch.square, UNARY, errors=type_error()),
    OpInfo("exp2", torch.exp2, UNARY, errors=type_error()),
    OpInfo("erfc", torch.erfc, UNARY, errors=type_error()),
    OpInfo("erfinv", torch.erfinv, UNARY, domain=lambda a: np.tanh(a) * 0.9, errors=type_error()),
    OpInfo("lgamma", torch.lgamma, UNARY, domain=_positive, errors=type_error()),
    OpInfo("digamma", torch.digamma, UNARY, domain=_positive, errors=type_error()),
    OpInfo("asinh", torch.asinh, UNARY, errors=type_error()),
    OpInfo("acosh", torch.acosh, UNARY, domain=lambda a: np.abs(a) + 1.2, errors=type_error()),
    OpInfo("atanh", torch.atanh, UNARY, domain=lambda a: np.tanh(a) * 0.9, errors=type_error()),
    OpInfo(
        "diag",
        lambda x, diagonal=0: torch.diag(x, diagonal),
        [Sample(((4,),)), Sample(((3, 4),), {"diagonal": 1}), Sample(((4, 3),), {"diagonal": -1})],
        errors=shape_error((2, 3, 4)),
    ),
    OpInfo(
        "argsort",
        lambda x, dim=-1, descending=False, stable=False: torch.argsort(
            x, dim=dim, descending=descending, stable=stable
        ),
        [
            Sample(((3, 4),)),
            Sample(((2, 5),), {"dim": 0, "descending": True}),
            Sample(((3, 4),), {"stable": True}),
        ],
        errors=range_error((2, 3), dim=2),
        differentiable=False,
    ),
    OpInfo("isnan", torch.isnan, UNARY, differentiable=False),
    OpInfo("isinf", torch.isinf, UNARY, differentiable=False),
    OpInfo(
        "isclose",
        torch.isclose,
        [
            *ELEMENTWISE_BINARY,
            Sample(((3, 4), (3, 4)), {"rtol": 0.5, "atol": 0.1, "equal_nan": True}),
        ],
        errors=shape_error((2, 3), (4,)),
        differentiable=False,
    ),
    OpInfo("all", torch.all, UNARY, differentiable=False),
    OpInfo("isfinite", torch.isfinite, UNARY, differentiable=False),
    OpInfo("logical_not", torch.logical_not, UNARY, differentiable=False),
    OpInfo(
        "squeeze_all",
        lambda x: x.squeeze(),
        [Sample(((3, 1, 4, 1),)), Sample(((1,),)), Sample(((2, 3),))],
        errors=type_error(),
    ),
    OpInfo(
        "reshape_as",
        lambda x, other: x.reshape_as(other),
        [
            Sample(((2, 6),), {"other": np.zeros((3, 4))}),
            Sample(((6,),), {"other": np.zeros((2, 3))}),
        ],
        errors=shape_error((2, 3), other=np.zeros(4)),
    ),
    OpInfo("any", torch.any, UNARY, differentiable=False),
    OpInfo(
        "unflatten",
        lambda x, dim, sizes: x.unflatten(dim, sizes),
        [
            Sample(((2, 6, 4),), {"dim": 1, "sizes": [2, 3]}),
            Sample(((12,),), {"dim": -1, "sizes": (3, -1)}),
        ],
        errors=shape_error((2, 6), dim=1, sizes=[4, 2]),
    ),
    OpInfo(
        "squeeze",
        lambda x, dim: x.squeeze(dim),
        [
            Sample(((3, 1, 4),), {"dim": 1}),
            Sample(((3, 4, 1),), {"dim": -1}),
            Sample(((3, 4),), {"dim": 0}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "squeeze_dims",
        lambda x, dims: x.squeeze(tuple(dims)),
        [Sample(((1, 3, 1, 4),), {"dims": [0, 2]}), Sample(((3, 1),), {"dims": [0, -1]})],
        errors=range_error((2, 3), dims=[2]),
    ),
    OpInfo(
        "unsqueeze",
        lambda x, dim: x.unsqueeze(dim),
        [Sample(((3, 4),), {"dim": 0}), Sample(((3, 4),), {"dim": -1}), Sample(((),), {"dim": 0})],
        errors=range_error((2, 3), dim=3),
    ),
    OpInfo(
        "unsqueeze_many",
        _unsqueeze_many,
        [Sample(((3, 4),), {"dims": [0, 2]}), Sample(((3,),), {"dims": [-1, 0, 2]})],
        errors=range_error((2, 3), dims=[0, 4]),
    ),
    OpInfo(
        "expand",
        lambda x, shape: x.expand(shape),
        [Sample(((3, 1),), {"shape": [3, 4]}), Sample(((4,),), {"shape": [2, 3, -1]})],
        errors=shape_error((2, 3), shape=[4, 3]),
    ),
    OpInfo(
        "narrow",
        lambda x, dim, start, length: x.narrow(dim, start, length),
        [
            Sample(((3, 4),), {"dim": 1, "start": 1, "length": 2}),
            Sample(((5, 2),), {"dim": -2, "start": 0, "length": 5}),
        ],
        errors=range_error((2, 3), dim=0, start=5, length=1),
    ),
    OpInfo(
        "select",
        lambda x, dim, index: x.select(dim, index),
        [Sample(((3, 4),), {"dim": 1, "index": 2}), Sample(((2, 3, 4),), {"dim": -3, "index": -1})],
        errors=range_error((2, 3), dim=1, index=3),
    ),
    OpInfo(
        "cat",
        lambda x, other, dim=0: torch.cat([x, other], dim),
        [Sample(((3, 4), (2, 4))), Sample(((3, 4), (3, 1)), {"dim": -1})],
        errors=shape_error((2, 3), (2, 4)),
    ),
    OpInfo(
        "cat_many",
        lambda *xs, dim=0: torch.cat(xs, dim),
        [
            Sample(((3, 4), (2, 4), (1, 4))),
            Sample(((3, 1), (3, 2)), {"dim": -1}),
            Sample(((2, 3),)),
        ],
        kind="static",
        errors=shape_error((2, 3), (2, 4)),
    ),
    OpInfo(
        "stack",
        lambda *xs, dim=0: torch.stack(xs, dim),
        [Sample(((3, 4), (3, 4))), Sample(((3,), (3,), (3,)), {"dim": -1})],
        kind="static",
        errors=shape_error((2, 3), (3, 2)),
    ),
    OpInfo(
        "einsum",
        lambda *xs, equation: torch.einsum(equation, *xs),
        [
            Sample(((2, 3), (3, 4)), {"equation": "ij,jk->ik"}),
            Sample(((2, 3, 4), (2, 4, 5)), {"equation": "bij,bjk->bik"}),
            Sample(((3, 3),), {"equation": "ii"}),
            Sample(((2, 3), (3,)), {"equation": "ij,j->i"}),
        ],
        kind="static",
        errors=shape_error((2, 3), (2, 3), equation="ij,jk->ik"),
    ),
    OpInfo(
        "chunk",
        lambda x, chunks, dim=0: list(torch.chunk(x, chunks, dim)),
        [Sample(((5, 4),), {"chunks": 2}), Sample(((3, 6),), {"chunks": 3, "dim": -1})],
        errors=range_error((2, 3), chunks=2, dim=2),
    ),
    OpInfo(
        "repeat",
        lambda x, repeats: x.repeat(repeats),
        [Sample(((2, 3),), {"repeats": [2, 1]}), Sample(((3,),), {"repeats": (2, 1, 3)})],
        errors=shape_error((2, 3), repeats=[2]),
    ),
    OpInfo(
        "pad",
        lambda x, padding, mode="constant", value=None: F.pad(x, padding, mode, value),
        [
            Sample(((2, 3),), {"padding": [1, 2]}),
            Sample(((2, 3, 2),), {"padding": [0, 1, 2, 0], "value": 1.5}),
            Sample(((2, 3, 4),), {"padding": [2, 1], "mode": "reflect"}),
            Sample(((1, 2, 3, 4),), {"padding": [1, 2, 2, 0], "mode": "replicate"}),
            Sample(((1, 2, 3, 4),), {"padding": [1, 2, 2, 1], "mode": "circular"}),
        ],
        errors=argument_error((2, 3), padding=[1, 1, 1]),
    ),
    OpInfo(
        "index_select",
        lambda x, dim, index: torch.index_select(x, dim, index),
        [
            Sample(((4, 3),), {"dim": 0, "index": INDEX}),
            Sample(((2, 3, 4),), {"dim": -1, "index": INDEX}),
        ],
        errors=range_error((2, 3), dim=0, index=INDEX),
    ),
    OpInfo(
        "gather",
        lambda x, dim, index: torch.gather(x, dim, index),
        [
            Sample(((3, 4),), {"dim": 1, "index": np.array([[0, 3], [1, 1], [2, 0]])}),
            Sample(((3, 4),), {"dim": -2, "index": np.array([[2, 0, 1, 1]])}),
        ],
        errors=range_error((2, 3), dim=1, index=np.array([[0], [5]])),
    ),
    OpInfo(
        "scatter_add",
        lambda x, src, dim, index: torch.scatter_add(x, dim, index, src),
        [
            Sample(
                ((3, 5), (2, 5)), {"dim": 0, "index": np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 0]])}
            ),
            Sample(((3, 4), (3, 2)), {"dim": -1, "index": np.array([[0, 3], [1, 1], [2, 0]])}),
        ],
        errors=range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]])),
        operand_names=("src",),
    ),
    OpInfo(
        "scatter",
        lambda x, src, dim, index: torch.scatter(x, dim, index, src),
        [
            # No index twice along dim: which write wins would be undefined.
            Sample(((3, 5), (2, 5)), {"dim": 0, "index": SCATTER_INDEX}),
            Sample(((3, 4), (3, 2)), {"dim": -1, "index": np.array([[0, 3], [1, 2], [2, 0]])}),
        ],
        errors=range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]])),
        operand_names=("src",),
    ),
    OpInfo(
        "scatter_value",
        lambda x, dim, index, value: torch.scatter(x, dim, index, value),
        [Sample(((3, 5),), {"dim": 0, "index": SCATTER_INDEX, "value": 2.5})],
        errors=range_error((2, 3), dim=0, index=np.array([[0, 5, 1]]), value=1.0),
    ),
    # torch's older reduce= form has no gradient for src.
    OpInfo(
        "scatter_with",
        lambda x, src, dim, index, reduce: torch.scatter(x, dim, index, src, reduce=reduce),
        [
            Sample(((3, 5), (2, 5)), {"dim": 0, "index": SCATTER_INDEX, "reduce": "add"}),
            Sample(((3, 5), (2, 5)), {"dim": 0, "index": SCATTER_INDEX, "reduce": "multiply"}),
        ],
        errors=range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]]), reduce="add"),
        operand_names=("src",),
        differentiable=False,
    ),
    OpInfo(
        "scatter_value_with",
        lambda x, dim, index, value, reduce: torch.scatter(x, dim, index, value, reduce=reduce),
        [
            Sample(((3, 5),), {"dim": 0, "index": SCATTER_INDEX, "value": 2.5, "reduce": "add"}),
            Sample(
                ((3, 5),), {"dim": 1, "index": SCATTER_INDEX, "value": -2.0, "reduce": "multiply"}
            ),
        ],
        errors=range_error((2, 3), dim=0, index=np.array([[0, 5, 1]]), value=1.0, reduce="add"),
        differentiable=False,
    ),
    OpInfo(
        "index_add",
        lambda x, source, dim, index, alpha=1: torch.index_add(x, dim, index, source, alpha=alpha),
        [
            Sample(((4, 3), (2, 3)), {"dim": 0, "index": np.array([3, 1])}),
            Sample(((2, 5), (2, 2)), {"dim": 1, "index": np.array([0, 0]), "alpha": 2.5}),
        ],
        errors=range_error((2, 3), (1, 3), dim=0, index=np.array([5])),
        operand_names=("source",),
    ),
    OpInfo(
        "index_fill",
        lambda x, dim, index, value: torch.index_fill(x, dim, index, value),
        [Sample(((4, 3),), {"dim": 0, "index": np.array([3, 1]), "value": -1.5})],
        errors=range_error((2, 3), dim=0, index=np.array([5]), value=0.0),
    ),
    OpInfo(
        "index_copy",
        lambda x, source, dim, index: torch.index_copy(x, dim, index, source),
        [Sample(((4, 3), (2, 3)), {"dim": 0, "index": np.array([3, 1])})],
        errors=range_error((2, 3), (1, 3), dim=0, index=np.array([5])),
        operand_names=("source",),
    ),
    OpInfo(
        "masked_scatter",
        lambda x, source, mask: x.masked_scatter(mask, source),
        [Sample(((3, 4), (12,)), {"mask": MASK}), Sample(((2, 3, 4), (30,)), {"mask": MASK[0]})],
        errors=[ErrorCase(_tensors((3, 4), (12,)), {"mask": FLOAT_MASK}, flodl.DTypeError)],
        operand_names=("source",),
    ),
    OpInfo(
        "type_as",
        lambda x, other: x.type_as(other),
        [Sample(((3, 4), (2,)))],
        errors=type_error(),
        returns_input=True,  # of the same dtype already, as PyTorch's
    ),
    OpInfo("dot", torch.dot, [Sample(((4,), (4,)))], errors=shape_error((3,), (4,))),
    OpInfo("vdot", torch.vdot, [Sample(((4,), (4,)))], errors=shape_error((3,), (4,))),
    OpInfo(
        "diagflat",
        lambda x, offset=0: torch.diagflat(x, offset),
        [Sample(((3,),)), Sample(((2, 2),), {"offset": 1}), Sample(((3,),), {"offset": -2})],
        errors=type_error(),
    ),
    OpInfo(
        "mv",
        lambda x, vec: torch.mv(x, vec),
        [Sample(((3, 4), (4,)))],
        errors=shape_error((3, 4), (3,)),
        operand_names=("vec",),
    ),
    OpInfo(
        "trace", torch.trace, [Sample(((3, 4),)), Sample(((3, 3),))], errors=shape_error((2, 3, 4))
    ),
    OpInfo(
        "diagonal",
        lambda x, offset=0, dim1=0, dim2=1: torch.diagonal(x, offset, dim1, dim2),
        [Sample(((3, 4),)), Sample(((2, 3, 4),), {"offset": 1, "dim1": 1, "dim2": 2})],
        errors=range_error((2, 3), dim1=2),
    ),
    OpInfo(
        "movedim",
        lambda x, source, destination: torch.movedim(x, source, destination),
        [
            Sample(((2, 3, 4),), {"source": [0], "destination": [2]}),
            Sample(((2, 3, 4),), {"source": [2, 0], "destination": [0, 1]}),
        ],
        errors=range_error((2, 3), source=[3], destination=[0]),
    ),
    OpInfo(
        "swapaxes",
        lambda x, axis0, axis1: torch.swapaxes(x, axis0, axis1),
        [Sample(((2, 3, 4),), {"axis0": 0, "axis1": 2})],
        errors=range_error((2, 3), axis0=0, axis1=2),
    ),
    OpInfo(
        "tile",
        lambda x, dims: torch.tile(x, dims),
        [Sample(((2, 3),), {"dims": [2, 1]}), Sample(((3,),), {"dims": [2, 2]})],
        errors=argument_error((2, 3), dims=[-1]),
    ),
    OpInfo(
        "broadcast_to",
        lambda x, shape: torch.broadcast_to(x, shape),
        [Sample(((3, 1),), {"shape": [2, 3, 4]})],
        errors=shape_error((2, 3), shape=[4, 3]),
    ),
    OpInfo(
        "argwhere",
        torch.argwhere,
        [Sample(((3, 4),))],
        differentiable=False,
        domain=lambda a: np.where(a > 0, a, 0.0),
    ),
    OpInfo(
        "logit",
        lambda x, eps=None: torch.logit(x, eps),
        [Sample(((3, 4),)), Sample(((5,),), {"eps": 0.1})],
        domain=lambda a: 1 / (1 + np.exp(-a)),
        errors=type_error(),
    ),
    OpInfo(
        "repeat_interleave",
        lambda x, repeats, dim=None: torch.repeat_interleave(x, repeats, dim),
        [
            Sample(((2, 3),), {"repeats": 2}),
            Sample(((2, 3),), {"repeats": 3, "dim": 1}),
            # a tensor of counts goes to repeat_interleave_tensor
            Sample(((3,),), {"repeats": np.array([1, 0, 2])}),
        ],
        errors=range_error((2, 3), repeats=2, dim=2),
    ),
    OpInfo(
        "repeat_interleave_tensor",
        lambda x, repeats, dim=None: torch.repeat_interleave(x, repeats, dim),
        [
            Sample(((4,),), {"repeats": np.array([2, 0, 1, 3])}),
            Sample(((2, 3),), {"repeats": np.array([1, 2]), "dim": 0}),
            Sample(((2, 3),), {"repeats": np.array([2]), "dim": 1}),
        ],
        errors=shape_error((4,), repeats=np.array([1, 2])),
    ),
    OpInfo(
        "diff",
        lambda x, n=1, dim=-1: torch.diff(x, n, dim),
        [Sample(((3, 5),)), Sample(((4, 3),), {"n": 2, "dim": 0})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "trapezoid",
        lambda x, dx=1, dim=-1: torch.trapezoid(x, dx=dx, dim=dim),
        [Sample(((3, 5),)), Sample(((4, 3),), {"dx": 0.5, "dim": 0})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "trapezoid_x",
        lambda x, x_at, dim=-1: torch.trapezoid(x, x_at, dim=dim),
        [Sample(((3, 5), (5,))), Sample(((4, 3), (4,)), {"dim": 0})],
        errors=range_error((2, 3), (3,), dim=2),
    ),
    OpInfo(
        "cumulative_trapezoid",
        lambda x, dx=1, dim=-1: torch.cumulative_trapezoid(x, dx=dx, dim=dim),
        [Sample(((3, 5),)), Sample(((4, 3),), {"dx": 0.5, "dim": 0})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "cumulative_trapezoid_x",
        lambda x, x_at, dim=-1: torch.cumulative_trapezoid(x, x_at, dim=dim),
        [Sample(((3, 5), (5,))), Sample(((4, 3), (4,)), {"dim": 0})],
        errors=range_error((2, 3), (3,), dim=2),
    ),
    OpInfo(
        "tensordot",
        lambda x, other, dims=2: torch.tensordot(x, other, dims),
        [
            Sample(((3, 4, 5), (4, 5, 2))),
            Sample(((3, 4), (4, 5)), {"dims": [[1], [0]]}),
            Sample(((2, 3), (4,)), {"dims": 0}),
        ],
        errors=shape_error((3, 4), (5, 2), dims=1) + argument_error((3, 4), (4, 5), dims=3),
    ),
    _nn(
        "affine_grid",
        lambda theta, size, align_corners=False: F.affine_grid(theta, size, align_corners),
        [
            Sample(((2, 2, 3),), {"size": [2, 1, 4, 5]}),
            Sample(((1, 3, 4),), {"size": [1, 1, 2, 3, 4], "align_corners": True}),
        ],
        ("theta",),
        argument_error((2, 2, 3), size=[2, 1, 4]),
    ),
    OpInfo(
        "unfold",
        lambda x, dimension, size, step: x.unfold(dimension, size, step),
        [
            Sample(((3, 5),), {"dimension": 1, "size": 2, "step": 1}),
            Sample(((7,),), {"dimension": 0, "size": 3, "step": 2}),
        ],
        errors=range_error((2, 3), dimension=2, size=1, step=1),
    ),
    OpInfo(
        "clamp_tensor",
        lambda x, min, max: torch.clamp(x, min, max),
        [Sample(((3, 4), (3, 4), (3, 4))), Sample(((3, 4), (4,), (3, 1)))],
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,), (2, 3)),
    ),
    OpInfo(
        "clamp_min_tensor",
        lambda x, min: torch.clamp(x, min=min),
        [Sample(((3, 4), (3, 4))), Sample(((3, 4), (4,)))],
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "clamp_max_tensor",
        lambda x, max: torch.clamp(x, max=max),
        [Sample(((3, 4), (3, 4))), Sample(((3, 4), (4,)))],
        errors=shape_error((2, 3), (4,)),
    ),
    _nn(
        "pairwise_distance",
        lambda x1, x2, p=2.0, eps=1e-6, keepdim=False: F.pairwise_distance(x1, x2, p, eps, keepdim),
        [
            Sample(((3, 4), (3, 4))),
            Sample(((3, 4), (4,)), {"p": 1.0, "keepdim": True}),
        ],
        ("x1", "x2"),
        shape_error((3, 4), (3, 5)),
    ),
    OpInfo(
        "gumbel_softmax",
        lambda logits, tau=1.0, hard=False, dim=-1: F.gumbel_softmax(logits, tau, hard, dim=dim),
        [
            Sample(((3, 5),)),
            # Straight through: the gradient is the soft sample's, not the
            # derivative of the one-hot values.
            Sample(((2, 4),), {"tau": 0.5, "hard": True}, finite_differences=False),
            Sample(((4, 3),), {"dim": 0}),
        ],
        errors=range_error((2, 3), dim=2),
        kind="nn",
        operand_names=("logits",),
        random=True,
    ),
    OpInfo(
        "fmod",
        torch.fmod,
        [Sample(((3, 4), (3, 4)), finite_differences=False), Sample(((2, 3), (3,)))],
        domain=_positive,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "fmod_scalar",
        lambda x, scalar: torch.fmod(x, scalar),
        [
            Sample(((3, 4),), {"scalar": 0.7}, finite_differences=False),
            Sample(((5,),), {"scalar": -2}),
        ],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "div_trunc",
        lambda x, other: torch.div(x, other, rounding_mode="trunc"),
        ELEMENTWISE_BINARY,
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,)),
        differentiable=False,
    ),
    OpInfo(
        "div_trunc_scalar",
        lambda x, scalar: torch.div(x, scalar, rounding_mode="trunc"),
        [Sample(((3, 4),), {"scalar": 0.7}), Sample(((5,),), {"scalar": -2})],
        errors=type_error(scalar=1.0),
        differentiable=False,
    ),
    OpInfo("hypot", torch.hypot, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("logaddexp", torch.logaddexp, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo(
        "copysign",
        torch.copysign,
        ELEMENTWISE_BINARY,
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "copysign_scalar",
        lambda x, scalar: torch.copysign(x, scalar),
        [Sample(((3, 4),), {"scalar": -1.5}), Sample(((5,),), {"scalar": 2})],
        domain=_away_from_zero,
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "heaviside",
        lambda x, values: torch.heaviside(x, values),
        [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
        domain=lambda a: np.round(a),  # zeros among them
        errors=shape_error((2, 3), (4,)),
        differentiable=False,
    ),
    OpInfo(
        "xlogy",
        torch.xlogy,
        [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
        domain=_positive,
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "xlogy_scalar",
        lambda x, scalar: torch.xlogy(x, scalar),
        [Sample(((3, 4),), {"scalar": 2.5}), Sample(((5,),), {"scalar": 3})],
        errors=type_error(scalar=1.0),
    ),
    OpInfo(
        "rxlogy_scalar",
        lambda x, scalar: torch.xlogy(scalar, x),
        [Sample(((3, 4),), {"scalar": 2.5}), Sample(((5,),), {"scalar": 0})],
        domain=_positive,
        errors=type_error(scalar=1.0),
    ),
    OpInfo("fmax", torch.fmax, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("fmin", torch.fmin, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))),
    OpInfo("sgn", torch.sgn, UNARY, domain=_away_from_kinks, errors=type_error()),
    OpInfo("signbit", torch.signbit, UNARY, differentiable=False, errors=type_error()),
    OpInfo("sinc", torch.sinc, UNARY, errors=type_error()),
    OpInfo("deg2rad", torch.deg2rad, UNARY, errors=type_error()),
    OpInfo("rad2deg", torch.rad2deg, UNARY, errors=type_error()),
    OpInfo(
        "fliplr",
        torch.fliplr,
        [Sample(((3, 4),)), Sample(((2, 3, 2),))],
        errors=argument_error((3,)),
    ),
    OpInfo("flipud", torch.flipud, [Sample(((3, 4),)), Sample(((5,),))], errors=argument_error(())),
    OpInfo(
        "nansum",
        lambda x, dim=None, keepdim=False: torch.nansum(x, dim, keepdim),
        [
            Sample(((3, 4),)),
            Sample(((3, 4),), {"dim": 1}),
            Sample(((2, 3, 4),), {"dim": [0, 2], "keepdim": True}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "nanmean",
        lambda x, dim=None, keepdim=False: torch.nanmean(x, dim, keepdim),
        [
            Sample(((3, 4),)),
            Sample(((3, 4),), {"dim": 0, "keepdim": True}),
            Sample(((2, 3, 4),), {"dim": [1, 2]}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "quantile",
        lambda x, q, dim=None, keepdim=False, **kw: torch.quantile(x, q, dim, keepdim, **kw),
        [
            Sample(((3, 4),), {"q": 0.3}),
            Sample(((3, 5),), {"q": 0.75, "dim": 1, "keepdim": True}),
            Sample(((3, 5),), {"q": 0.4, "dim": 0, "interpolation": "midpoint"}),
            # A tensor of quantiles: the method takes both (quantile_tensor).
            Sample(((3, 5),), {"q": np.array([0.1, 0.5, 0.9]), "dim": 1}),
        ],
        errors=range_error((2, 3), q=0.5, dim=2)
        + argument_error((2, 3), q=1.5)
        + argument_error((2, 3), q=0.5, interpolation="cubic"),
    ),
    OpInfo(
        "quantile_tensor",
        lambda x, q, dim=None, keepdim=False, interpolation="linear": torch.quantile(
            x, q, dim, keepdim, interpolation=interpolation
        ),
        [
            Sample(((3, 4),), {"q": np.array([0.25, 0.5])}),
            Sample(((3, 5),), {"q": np.array(0.75), "dim": 1, "keepdim": True}),
            Sample(((4, 3),), {"q": np.array([0.1, 0.9]), "dim": 0, "interpolation": "lower"}),
            Sample(((4, 3),), {"q": np.array([0.3]), "interpolation": "nearest"}),
        ],
        # (The error cases' float arguments are float64, their inputs float32:
        # the range and value checks of a tensor q are test_namespace.py's.)
        errors=[ErrorCase(_tensors((2, 3)), {"q": np.array([0.5])}, flodl.DTypeError)],
    ),
    OpInfo(
        "nanquantile",
        lambda x, q, dim=None, keepdim=False, **kw: torch.nanquantile(x, q, dim, keepdim, **kw),
        [
            Sample(((3, 4),), {"q": 0.3}),
            Sample(((4, 3),), {"q": 0.5, "dim": 0}),
            Sample(((4, 3),), {"q": 0.6, "interpolation": "higher"}),
        ],
        errors=range_error((2, 3), q=0.5, dim=2),
    ),
    OpInfo(
        "nanquantile_tensor",
        lambda x, q, dim=None, keepdim=False, interpolation="linear": torch.nanquantile(
            x, q, dim, keepdim, interpolation=interpolation
        ),
        [
            Sample(((3, 4),), {"q": np.array([0.25, 0.5])}),
            Sample(((4, 3),), {"q": np.array([0.1, 0.9]), "dim": 0, "interpolation": "midpoint"}),
        ],
        errors=[ErrorCase(_tensors((2, 3)), {"q": np.array([0.5])}, flodl.DTypeError)],
    ),
    OpInfo(
        "cummax",
        lambda x, dim: tuple(torch.cummax(x, dim)),
        DIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "cummin",
        lambda x, dim: tuple(torch.cummin(x, dim)),
        DIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "logcumsumexp",
        lambda x, dim: torch.logcumsumexp(x, dim),
        DIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "aminmax",
        # torch's amin and amax: torch 2.11's aminmax has no derivative.
        lambda x, dim=None, keepdim=False: (
            torch.amin(x, () if dim is None else dim, keepdim),
            torch.amax(x, () if dim is None else dim, keepdim),
        ),
        [
            Sample(((3, 4),)),
            Sample(((3, 4),), {"dim": 1}),
            Sample(((2, 3),), {"dim": 0, "keepdim": True}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "std_mean",
        lambda x, dim=None, correction=1.0, keepdim=False: torch.std_mean(
            x, dim, correction=correction, keepdim=keepdim
        ),
        [
            Sample(((3, 4),)),
            Sample(((3, 4),), {"dim": [1], "correction": 0}),
            Sample(((2, 3, 4),), {"dim": [0, 2], "keepdim": True}),
        ],
        errors=range_error((2, 3), dim=[2]),
    ),
    OpInfo(
        "var_mean",
        lambda x, dim=None, correction=1.0, keepdim=False: torch.var_mean(
            x, dim, correction=correction, keepdim=keepdim
        ),
        [Sample(((3, 4),)), Sample(((2, 3, 4),), {"dim": [1, 2], "correction": 0})],
        errors=range_error((2, 3), dim=[2]),
    ),
    OpInfo(
        "count_nonzero_dims",
        lambda x, dims: torch.count_nonzero(x, dims),
        [Sample(((3, 4),), {"dims": [1]}), Sample(((2, 3, 4),), {"dims": [0, 2]})],
        domain=lambda a: np.round(a),
        differentiable=False,
        errors=range_error((2, 3), dims=[2]),
    ),
    OpInfo(
        "logsumexp_dims",
        lambda x, dims, keepdim=False: torch.logsumexp(x, dims, keepdim),
        DIMS_KEEPDIM,
        errors=range_error((2, 3), dims=[0, 2]),
    ),
    OpInfo(
        "norm_dims",
        lambda x, p, dims, keepdim=False: torch.linalg.vector_norm(x, p, dims, keepdim),
        [
            Sample(((3, 4, 2),), {"p": 2.0, "dims": [0, 2]}),
            Sample(((3, 4),), {"p": 1.0, "dims": [1, 0], "keepdim": True}),
        ],
        domain=_away_from_zero,
        errors=range_error((2, 3), p=2.0, dims=[0, 2]),
    ),
    OpInfo(
        "addmm",
        lambda x, mat1, mat2, beta=1.0, alpha=1.0: torch.addmm(
            x, mat1, mat2, beta=beta, alpha=alpha
        ),
        [
            Sample(((3, 4), (3, 5), (5, 4))),
            Sample(((4,), (3, 5), (5, 4)), {"beta": 0.5, "alpha": 2.0}),
        ],
        errors=shape_error((3, 4), (3, 5), (4, 4)),
    ),
    OpInfo(
        "baddbmm",
        lambda x, batch1, batch2, beta=1.0, alpha=1.0: torch.baddbmm(
            x, batch1, batch2, beta=beta, alpha=alpha
        ),
        [
            Sample(((2, 3, 4), (2, 3, 5), (2, 5, 4))),
            Sample(((3, 4), (2, 3, 5), (2, 5, 4)), {"beta": 0.5, "alpha": -1.5}),
        ],
        errors=shape_error((2, 3, 4), (2, 3, 5), (2, 4, 4)),
    ),
    OpInfo(
        "addmv",
        lambda x, mat, vec, beta=1.0, alpha=1.0: torch.addmv(x, mat, vec, beta=beta, alpha=alpha),
        [
            Sample(((3,), (3, 4), (4,))),
            Sample(((), (3, 4), (4,)), {"beta": 0.5, "alpha": -1.5}),
        ],
        errors=shape_error((3,), (3, 4), (3,)),
    ),
    OpInfo(
        "kron", torch.kron, [Sample(((2, 3), (3, 2))), Sample(((3,), (2,)))], errors=type_error()
    ),
    OpInfo(
        "inner",
        torch.inner,
        [Sample(((3, 4), (5, 4))), Sample(((4,), (4,)))],
        errors=shape_error((3, 4), (3,)),
    ),
    OpInfo(
        "cross",
        lambda x, other, dim=None: (
            torch.linalg.cross(x, other, dim=-1 if dim is None else dim)
            if dim is not None or x.shape[-1] == 3
            else torch.cross(x, other, dim)
        ),
        [Sample(((4, 3), (4, 3))), Sample(((3, 2), (3, 2)), {"dim": 0})],
        errors=shape_error((2, 2), (2, 2)),
    ),
    OpInfo(
        "rot90",
        lambda x, k=1, dims=(0, 1): torch.rot90(x, k, dims),
        [Sample(((3, 4),)), Sample(((2, 3, 4),), {"k": -1, "dims": [2, 1]})],
        errors=shape_error((2, 3), dims=[0, 0]),
    ),
    OpInfo(
        "diag_embed",
        lambda x, offset=0, dim1=-2, dim2=-1: torch.diag_embed(x, offset, dim1, dim2),
        [Sample(((3,),)), Sample(((2, 3),), {"offset": 1, "dim1": 0, "dim2": 2})],
        errors=range_error((2, 3), dim1=4),
    ),
    OpInfo(
        "tensor_split",
        lambda x, indices_or_sections, dim=0: list(torch.tensor_split(x, indices_or_sections, dim)),
        [
            Sample(((5, 4),), {"indices_or_sections": 3}),
            Sample(((3, 6),), {"indices_or_sections": [1, 4], "dim": 1}),
        ],
        errors=range_error((2, 3), indices_or_sections=2, dim=2),
    ),
    OpInfo(
        "tensor_split_indices",
        lambda x, indices, dim=0: list(torch.tensor_split(x, indices, dim)),
        [Sample(((5, 4),), {"indices": [2]}), Sample(((3, 6),), {"indices": [1, 1, 5], "dim": -1})],
        errors=range_error((2, 3), indices=[1], dim=2),
    ),
    OpInfo(
        "searchsorted",
        lambda x, values, out_int32=False, right=False, side=None, sorter=None: torch.searchsorted(
            x, values, out_int32=out_int32, right=right, side=side, sorter=sorter
        ),
        [
            Sample(((6,),), {"values": np.array([-0.5, 0.0, 2.0])}),
            # x is sorted (domain): the identity sorter; test_probe9 sorts.
            Sample(((6,),), {"values": np.array([0.3]), "sorter": np.arange(6)}),
            Sample(((2, 5),), {"values": np.array([[0.1, 0.2], [-3.0, 3.0]]), "right": True}),
            Sample(((4,),), {"values": np.array([0.5]), "out_int32": True}),
            Sample(((5,),), {"values": np.array([0.0, 1.0]), "side": "right"}),
            Sample(((5,),), {"values": np.array([0.0, 1.0]), "side": "left"}),
        ],
        domain=lambda a: np.sort(a, axis=-1),
        differentiable=False,
        errors=shape_error((2, 3), values=np.array([[0.1], [0.2], [0.3]]))
        + argument_error((4,), values=np.array([0.5]), right=True, side="left"),
    ),
    OpInfo(
        "bucketize",
        lambda x, boundaries, out_int32=False, right=False: torch.bucketize(
            x, boundaries, out_int32=out_int32, right=right
        ),
        [
            Sample(((3, 4),), {"boundaries": np.array([-1.0, 0.0, 0.5, 2.0])}),
            Sample(((5,),), {"boundaries": np.array([0.0]), "right": True}),
        ],
        differentiable=False,
        errors=shape_error((2, 3), boundaries=np.zeros((2, 2))),
    ),
    OpInfo(
        "bincount",
        lambda x, weights=None, minlength=0: torch.bincount(x, weights, minlength),
        [
            Sample(((7,),)),
            Sample(((5,),), {"weights": np.array([0.5, 1.0, -2.0, 3.0, 0.25]), "minlength": 9}),
        ],
        domain=lambda a: np.abs(np.round(a * 2)),
        input_dtype=np.int64,
        differentiable=False,
        # libtorch's message names the rule ("only supports 1-d non-negative integral inputs").
        errors=[
            ErrorCase(
                lambda: (flodl.Tensor.from_i64([1, 2, 3, 4], [2, 2]),), {}, flodl.ArgumentError
            )
        ],
    ),
    OpInfo(
        "take",
        lambda x, index: torch.take(x, index),
        [Sample(((3, 4),), {"index": np.array([[0, 11], [5, 2]])})],
        errors=range_error((2, 3), index=np.array([6])),
    ),
    OpInfo(
        "put",
        lambda x, source, index, accumulate=False: torch.put(x, index, source, accumulate),
        [
            Sample(((3, 4), (2, 2)), {"index": np.array([[0, 11], [5, 2]])}),
            Sample(((3, 4), (3,)), {"index": np.array([1, 1, 7]), "accumulate": True}),
        ],
        errors=range_error((2, 3), (1,), index=np.array([6])),
        operand_names=("source",),
    ),
    OpInfo(
        "take_along_dim",
        lambda x, indices, dim=None: torch.take_along_dim(x, indices, dim),
        [
            Sample(((3, 4),), {"indices": np.array([[0], [3], [1]]), "dim": 1}),
            Sample(((3, 4),), {"indices": np.array([0, 11])}),
        ],
        errors=range_error((2, 3), indices=np.array([[0]]), dim=2),
    ),
    OpInfo(
        "kthvalue",
        lambda x, k, dim=-1, keepdim=False: tuple(torch.kthvalue(x, k, dim, keepdim)),
        [
            Sample(((3, 5),), {"k": 2}),
            Sample(((4, 3),), {"k": 4, "dim": 0, "keepdim": True}),
        ],
        errors=range_error((2, 3), k=4),
    ),
    OpInfo(
        "masked_select",
        lambda x, mask: torch.masked_select(x, mask),
        [Sample(((3, 4),), {"mask": MASK}), Sample(((2, 3, 4),), {"mask": MASK[0]})],
        errors=[ErrorCase(_tensors((3, 4), (3, 4)), {}, flodl.DTypeError)],
    ),
    OpInfo("nonzero", torch.nonzero, UNARY, domain=lambda a: np.round(a), differentiable=False),
    OpInfo(
        "count_nonzero",
        torch.count_nonzero,
        UNARY,
        domain=lambda a: np.round(a),
        differentiable=False,
    ),
    OpInfo(
        "nan_to_num",
        lambda x, nan=0.0, posinf=None, neginf=None: torch.nan_to_num(x, nan, posinf, neginf),
        [
            Sample(((3, 4),)),
            Sample(((5,),), {"nan": 1.5, "posinf": 9.0, "neginf": -9.0}),
        ],
        # Finite values here (finite differences); test_namespace.py checks
        # the replacements of NaN and the infinities against torch.
        errors=type_error(),
    ),
    OpInfo(
        "topk",
        lambda x, k, dim=-1, largest=True, sorted=True: tuple(
            torch.topk(x, k, dim, largest, sorted)
        ),
        [
            Sample(((3, 5),), {"k": 2}),
            Sample(((4, 3),), {"k": 3, "dim": 0, "largest": False}),
        ],
        errors=range_error((2, 3), k=4),
    ),
    OpInfo(
        "sort",
        lambda x, dim=-1, descending=False, stable=False: tuple(
            torch.sort(x, dim=dim, descending=descending, stable=stable)
        ),
        [
            Sample(((3, 5),)),
            Sample(((4, 3),), {"dim": 0, "descending": True}),
            Sample(((3, 5),), {"stable": True}),
        ],
        errors=range_error((2, 3), dim=2),
    ),
    # --- nn: module functions ---
    _nn(
        "conv1d",
        F.conv1d,
        [
            Sample(((2, 3, 7), (4, 3, 3), (4,)), {"stride": 2, "padding": 1}),
            Sample(((1, 4, 6), (4, 2, 2)), {"dilation": 2, "groups": 2}),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 5), (2, 4, 3)),
    ),
    _nn(
        "conv2d",
        F.conv2d,
        [
            Sample(((2, 3, 5, 5), (4, 3, 3, 3), (4,)), {"stride": 2, "padding": 1}),
            Sample(
                ((1, 2, 5, 4), (2, 1, 2, 2)),
                {"stride": [1, 2], "padding": [1, 0], "dilation": 2, "groups": 2},
            ),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 5, 5), (2, 4, 3, 3)),
    ),
    _nn(
        "conv3d",
        F.conv3d,
        [
            Sample(((1, 2, 4, 4, 4), (3, 2, 2, 2, 2), (3,)), {"stride": 2}),
            Sample(((1, 1, 3, 4, 3), (2, 1, 2, 2, 2)), {"padding": [1, 0, 1]}),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 4, 4, 4), (2, 4, 2, 2, 2)),
    ),
    _nn(
        "conv1d_padding",
        lambda input, weight, bias=None, **kw: F.conv1d(input, weight, bias, **kw),
        [
            Sample(((2, 3, 7), (4, 3, 3)), {"padding": "same"}),
            Sample(((2, 3, 7), (4, 3, 4), (4,)), {"padding": "same", "dilation": 2}),
            Sample(((1, 2, 6), (2, 2, 3)), {"padding": "valid", "stride": 2}),
        ],
        ("input", "weight", "bias"),
        argument_error((1, 2, 6), (2, 2, 3), padding="same", stride=2),
    ),
    _nn(
        "conv2d_padding",
        lambda input, weight, bias=None, **kw: F.conv2d(input, weight, bias, **kw),
        [
            Sample(((1, 2, 5, 6), (3, 2, 2, 3)), {"padding": "same"}),
            Sample(((1, 4, 5, 5), (4, 2, 3, 3), (4,)), {"padding": "valid", "groups": 2}),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 2, 5), (3, 4, 3, 3), padding="same"),
    ),
    _nn(
        "conv3d_padding",
        lambda input, weight, bias=None, **kw: F.conv3d(input, weight, bias, **kw),
        [Sample(((1, 2, 4, 4, 3), (2, 2, 2, 3, 2)), {"padding": "same"})],
        ("input", "weight", "bias"),
    ),
    _nn(
        "conv_transpose1d",
        F.conv_transpose1d,
        [
            Sample(((2, 3, 4), (3, 2, 3), (2,)), {"stride": 2, "padding": 1, "output_padding": 1}),
            Sample(((1, 4, 3), (4, 1, 2)), {"groups": 2, "dilation": 2}),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 5), (2, 4, 3)),
    ),
    _nn(
        "conv_transpose2d",
        F.conv_transpose2d,
        [
            Sample(
                ((1, 3, 3, 3), (3, 2, 3, 3), (2,)), {"stride": 2, "padding": 1, "output_padding": 1}
            ),
            Sample(
                ((1, 2, 3, 2), (2, 1, 2, 2)), {"stride": [1, 2], "dilation": [2, 1], "groups": 2}
            ),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 4, 4), (2, 4, 3, 3)),
    ),
    _nn(
        "conv_transpose3d",
        F.conv_transpose3d,
        [
            Sample(((1, 2, 2, 3, 2), (2, 2, 2, 2, 2), (2,)), {"stride": 2}),
            Sample(((1, 1, 2, 2, 2), (1, 1, 2, 2, 2)), {"padding": [1, 0, 0]}),
        ],
        ("input", "weight", "bias"),
        shape_error((1, 3, 2, 2, 2), (2, 4, 2, 2, 2)),
    ),
    _nn(
        "max_pool1d",
        F.max_pool1d,
        [
            Sample(((2, 3, 8),), {"kernel_size": 2}),
            Sample(
                ((1, 2, 7),),
                {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "ceil_mode": True},
            ),
        ],
        ("input",),
        argument_error((1, 2, 4), kernel_size=0),
    ),
    _nn(
        "max_pool2d",
        F.max_pool2d,
        [
            Sample(((2, 3, 6, 6),), {"kernel_size": 2}),
            Sample(
                ((1, 2, 7, 5),),
                {
                    "kernel_size": [3, 2],
                    "stride": [2, 1],
                    "padding": 1,
                    "dilation": [1, 2],
                    "ceil_mode": True,
                },
            ),
        ],
        ("input",),
        argument_error((1, 2, 4, 4), kernel_size=[2, 2, 2]),
    ),
    _nn(
        "avg_pool1d",
        F.avg_pool1d,
        [
            Sample(((2, 3, 8),), {"kernel_size": 2}),
            Sample(
                ((1, 2, 7),),
                {
                    "kernel_size": 3,
                    "stride": 2,
                    "padding": 1,
                    "ceil_mode": True,
                    "count_include_pad": False,
                },
            ),
        ],
        ("input",),
        argument_error((1, 2, 4), kernel_size=0),
    ),
    _nn(
        "avg_pool2d",
        F.avg_pool2d,
        [
            Sample(((2, 3, 6, 6),), {"kernel_size": 2}),
            Sample(
                ((1, 2, 7, 5),),
                {"kernel_size": [3, 2], "stride": [2, 1], "padding": 1, "count_include_pad": False},
            ),
            Sample(((1, 2, 5, 5),), {"kernel_size": 2, "padding": 1, "divisor_override": 3}),
            Sample(((1, 2, 4, 4),), {"kernel_size": 2, "divisor_override": -2}),
        ],
        ("input",),
        argument_error((1, 2, 4, 4), kernel_size=[2, 2, 2])
        + argument_error((1, 2, 4, 4), kernel_size=2, divisor_override=0),
    ),
    _nn(
        "adaptive_avg_pool2d",
        F.adaptive_avg_pool2d,
        [
            Sample(((2, 3, 7, 5),), {"output_size": [3, 2]}),
            Sample(((1, 2, 4, 4),), {"output_size": 2}),
        ],
        ("input",),
        shape_error((1, 2), output_size=2),
    ),
    _nn(
        "adaptive_max_pool2d",
        F.adaptive_max_pool2d,
        [
            Sample(((2, 3, 7, 5),), {"output_size": [3, 2]}),
            Sample(((1, 2, 4, 4),), {"output_size": 2}),
        ],
        ("input",),
        shape_error((1, 2), output_size=2),
    ),
    _nn(
        "max_unpool1d",
        # flodl's op takes the one output length as an int (F's takes a list too).
        lambda input, indices, kernel_size, output_size=None, **kw: F.max_unpool1d(
            input, indices, kernel_size, output_size=None if output_size is None else [output_size]
        ),
        [
            Sample(((1, 2, 3),), {"indices": _UNPOOL_1D, "kernel_size": 2}),
            Sample(((1, 2, 3),), {"indices": _UNPOOL_1D, "kernel_size": 2, "output_size": 7}),
        ],
        ("input",),
        shape_error((3,), indices=_UNPOOL_1D[0, 0], kernel_size=2),
    ),
    _nn(
        "max_unpool2d",
        F.max_unpool2d,
        [
            Sample(((1, 2, 2, 2),), {"indices": _UNPOOL_2D, "kernel_size": 2}),
            Sample(
                ((1, 2, 2, 2),),
                {"indices": _UNPOOL_2D, "kernel_size": 2, "stride": 2, "output_size": [5, 4]},
            ),
        ],
        ("input",),
        argument_error((1, 2, 2, 2), indices=_UNPOOL_2D, kernel_size=2, output_size=[9, 9]),
    ),
    _nn(
        "max_unpool3d",
        F.max_unpool3d,
        [Sample(((1, 1, 1, 2, 2),), {"indices": _UNPOOL_3D, "kernel_size": 2})],
        ("input",),
        shape_error((2, 2), indices=_UNPOOL_3D[0, 0, 0], kernel_size=2),
    ),
    _nn(
        "adaptive_avg_pool3d",
        F.adaptive_avg_pool3d,
        [
            Sample(((1, 2, 5, 4, 3),), {"output_size": [2, 3, 1]}),
            Sample(((2, 3, 4, 4),), {"output_size": 2}),
        ],
        ("input",),
        shape_error((1, 2), output_size=2),
    ),
    _nn(
        "adaptive_max_pool3d",
        F.adaptive_max_pool3d,
        [
            Sample(((1, 2, 5, 4, 3),), {"output_size": [2, 3, 1]}),
            Sample(((2, 3, 4, 4),), {"output_size": 2}),
        ],
        ("input",),
        shape_error((1, 2), output_size=2),
    ),
    _nn(
        "local_response_norm",
        F.local_response_norm,
        [
            Sample(((2, 5, 3),), {"size": 3}),
            Sample(((2, 6, 3, 4),), {"size": 2, "alpha": 0.1, "beta": 0.5, "k": 2.0}),
            Sample(((1, 4, 2, 3, 2),), {"size": 5}),
        ],
        ("input",),
        shape_error((4, 5), size=2) + argument_error((2, 4, 3), size=0),
    ),
    _nn(
        "instance_norm",
        lambda input, weight=None, bias=None, **kw: F.instance_norm(
            input, weight=weight, bias=bias, **kw
        ),
        [
            Sample(((2, 3, 5), (3,), (3,))),
            Sample(
                ((2, 3, 4, 2),),
                {
                    "running_mean": np.zeros(3),
                    "running_var": np.ones(3),
                    "momentum": 0.2,
                    "eps": 1e-3,
                },
            ),
        ],
        ("input", "weight", "bias"),
        shape_error((2, 3, 5), (4,)),
    ),
    _nn(
        "group_norm",
        lambda input, num_groups, weight=None, bias=None, eps=1e-5: F.group_norm(
            input, num_groups, weight, bias, eps
        ),
        [
            Sample(((2, 4, 3), (4,), (4,)), {"num_groups": 2}),
            Sample(((2, 6, 2, 2),), {"num_groups": 3, "eps": 1e-3}),
        ],
        ("input", "weight", "bias"),
        shape_error((2, 3, 4), num_groups=2),
    ),
    _nn(
        "layer_norm",
        lambda input, normalized_shape, weight=None, bias=None, eps=1e-5: F.layer_norm(
            input, normalized_shape, weight, bias, eps
        ),
        [
            Sample(((2, 3, 4), (4,), (4,)), {"normalized_shape": [4]}),
            Sample(((3, 5),), {"normalized_shape": [5], "eps": 1e-3}),
            Sample(((2, 3, 4), (3, 4), (3, 4)), {"normalized_shape": (3, 4)}),
        ],
        ("input", "weight", "bias"),
        shape_error((2, 3), normalized_shape=[4]),
    ),
    _nn(
        "rms_norm",
        lambda input, normalized_shape, weight=None, eps=None: F.rms_norm(
            input, normalized_shape, weight, eps
        ),
        [
            Sample(((2, 3, 4), (4,)), {"normalized_shape": [4]}),
            Sample(((3, 5),), {"normalized_shape": [5], "eps": 1e-3}),
            Sample(((2, 3, 4), (3, 4)), {"normalized_shape": (3, 4)}),
        ],
        ("input", "weight"),
        shape_error((2, 3), normalized_shape=[4]),
    ),
    _nn(
        "grid_sample",
        lambda input, grid, mode="bilinear", padding_mode="zeros", align_corners=False: (
            F.grid_sample(input, grid, mode, padding_mode, align_corners)
        ),
        [
            Sample(((1, 2, 4, 5), (1, 3, 2, 2))),
            Sample(
                ((2, 1, 3, 3), (2, 2, 3, 2)),
                {"mode": "bicubic", "padding_mode": "border", "align_corners": True},
            ),
            Sample(((1, 1, 3, 3), (1, 2, 2, 2)), {"mode": "nearest", "padding_mode": "reflection"}),
        ],
        ("input", "grid"),
        [ErrorCase(_tensors((1, 1, 3, 3), (1, 2, 2, 2)), {"mode": "linear"}, flodl.ArgumentError)],
        domain=_grid,
    ),
    _nn(
        "pixel_shuffle",
        F.pixel_shuffle,
        [Sample(((1, 8, 2, 3),), {"upscale_factor": 2})],
        ("input",),
        shape_error((1, 3, 2, 2), upscale_factor=2),
    ),
    _nn(
        "channel_shuffle",
        F.channel_shuffle,
        [Sample(((2, 6, 3, 2),), {"groups": 3}), Sample(((1, 4, 5),), {"groups": 2})],
        ("input",),
        shape_error((1, 5, 2, 2), groups=2) + shape_error((2, 6), groups=3),
    ),
    _nn(
        "pixel_unshuffle",
        F.pixel_unshuffle,
        [Sample(((1, 2, 4, 6),), {"downscale_factor": 2})],
        ("input",),
        shape_error((1, 2, 3, 3), downscale_factor=2),
    ),
    _nn(
        "bilinear",
        F.bilinear,
        [
            Sample(((3, 4), (3, 2), (5, 4, 2), (5,))),
            Sample(((2, 3, 4), (2, 3, 2), (1, 4, 2))),
        ],
        ("input1", "input2", "weight", "bias"),
        shape_error((3, 4), (3, 2), (5, 3, 2)),
    ),
    _nn(
        "embedding_bag",
        lambda weight, per_sample_weights=None, *, input, **kw: F.embedding_bag(
            input, weight, per_sample_weights=per_sample_weights, **kw
        ),
        [
            Sample(((5, 3),), {"input": np.array([0, 2, 4, 1, 1]), "offsets": np.array([0, 2])}),
            Sample(
                ((5, 3),),
                {"input": np.array([3, 2, 4, 1]), "offsets": np.array([0, 1, 3]), "mode": "sum"},
            ),
            Sample(
                ((5, 3),),
                {"input": np.array([3, 2, 4, 1]), "offsets": np.array([0, 3]), "mode": "max"},
            ),
            # A 2-d input is one bag per row; the padding row is left out.
            Sample(((5, 3),), {"input": np.array([[0, 2, 4], [1, 1, 3]]), "padding_idx": 1}),
            # Per-sample weights (mode sum), the last offset ending the last bag.
            Sample(
                ((5, 3), (5,)),
                {
                    "input": np.array([3, 2, 4, 1, 0]),
                    "offsets": np.array([0, 2, 5]),
                    "mode": "sum",
                    "include_last_offset": True,
                },
            ),
            Sample(
                ((5, 3),),
                {
                    "input": np.array([3, 3, 4, 1]),
                    "offsets": np.array([0, 2]),
                    "scale_grad_by_freq": True,
                    "padding_idx": -1,
                },
                finite_differences=False,  # the gradient is scaled on purpose
            ),
            # The rows looked up are first renormalized in place.
            Sample(
                ((5, 3),),
                {"input": np.array([0, 2, 4, 1]), "offsets": np.array([0, 2]), "max_norm": 0.5},
                finite_differences=False,
            ),
        ],
        ("weight", "per_sample_weights"),
        [
            ErrorCase(
                _tensors((5, 3)),
                {"input": np.array([0, 7]), "offsets": np.array([0])},
                flodl.OutOfRangeError,
            ),
            ErrorCase(
                _tensors((5, 3)),
                {"input": np.array([[0, 1]]), "offsets": np.array([0])},
                flodl.ArgumentError,
            ),
            ErrorCase(_tensors((5, 3)), {"input": np.array([0, 1])}, flodl.ArgumentError),
            ErrorCase(
                _tensors((5, 3), (2,)),
                {"input": np.array([0, 1]), "offsets": np.array([0])},
                flodl.ArgumentError,
            ),
            ErrorCase(
                _tensors((5, 3), (3,)),
                {"input": np.array([0, 1]), "offsets": np.array([0]), "mode": "sum"},
                flodl.ShapeError,
            ),
            ErrorCase(
                _tensors((5, 3)),
                {"input": np.array([[0, 1]]), "mode": "max", "scale_grad_by_freq": True},
                flodl.ArgumentError,
            ),
            ErrorCase(_tensors((5, 3)), {"input": np.zeros((2, 0), np.int64)}, flodl.ShapeError),
            ErrorCase(
                _tensors((5, 3)), {"input": np.array([[0, 1]]), "sparse": True}, flodl.ArgumentError
            ),
            ErrorCase(_tensors((5, 3)), {"input": np.zeros((1, 2, 2), np.int64)}, flodl.ShapeError),
        ],
    ),
    _nn(
        "im2col",
        F.unfold,
        [
            Sample(((2, 3, 4, 4),), {"kernel_size": 2}),
            Sample(
                ((1, 2, 5, 4),),
                {"kernel_size": [2, 3], "dilation": [2, 1], "padding": 1, "stride": [1, 2]},
            ),
        ],
        ("input",),
        argument_error((1, 2, 3, 3), kernel_size=0),
    ),
    _nn(
        "col2im",
        F.fold,
        [
            Sample(((2, 12, 9),), {"output_size": 4, "kernel_size": 2}),
            Sample(
                ((1, 6, 4),),
                {"output_size": [3, 4], "kernel_size": [2, 3], "padding": [1, 0], "stride": [2, 1]},
            ),
        ],
        ("input",),
        shape_error((1, 5, 9), output_size=4, kernel_size=2),
    ),
    _nn(
        "linear",
        F.linear,
        [
            Sample(((3, 4), (5, 4), (5,))),
            Sample(((2, 3, 4), (2, 4))),
        ],
        ("input", "weight", "bias"),
        shape_error((3, 4), (5, 3)),
    ),
    _nn(
        "embedding",
        lambda weight, input, padding_idx=None, **kw: F.embedding(input, weight, padding_idx, **kw),
        [
            Sample(((5, 3),), {"input": np.array([[0, 2], [4, 2]])}),
            Sample(
                ((5, 3),),
                {"input": np.array([1, 3, 1, 0]), "scale_grad_by_freq": True},
                finite_differences=False,  # the gradient is scaled on purpose
            ),
            Sample(
                ((5, 3),),
                {"input": np.array([1, 3, 1, 0]), "padding_idx": 1},
                finite_differences=False,
            ),
            Sample(  # negative: counted from the end, as in PyTorch
                ((5, 3),),
                {"input": np.array([4, 3, 4, 0]), "padding_idx": -1},
                finite_differences=False,
            ),
            Sample(((5, 3),), {"input": np.array([4, 3]), "padding_idx": None}),
        ],
        ("weight",),
        [
            ErrorCase(_tensors((5, 3)), {"input": np.array([0, 9])}, flodl.OutOfRangeError),
            ErrorCase(
                _tensors((5, 3)),
                {"input": np.array([0, 1]), "padding_idx": 5},
                flodl.OutOfRangeError,
            ),
            ErrorCase(
                _tensors((5, 3)),
                {"input": np.array([0, 1]), "padding_idx": -6},
                flodl.OutOfRangeError,
            ),
        ],
    ),
    _nn(
        "scaled_dot_product_attention",
        F.scaled_dot_product_attention,
        [
            Sample(((2, 3, 4), (2, 5, 4), (2, 5, 2))),
            Sample(((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)), {"is_causal": True, "scale": 0.3}),
            Sample(
                ((2, 3, 4), (2, 5, 4), (2, 5, 2)),
                {"attn_mask": np.tril(np.ones((3, 5), dtype=bool))},
            ),
            # Grouped-query attention: 4 query heads share 2 key/value heads.
            Sample(((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3)), {"enable_gqa": True}),
        ],
        ("query", "key", "value"),
        shape_error((2, 3, 4), (2, 5, 3), (2, 5, 2)),
    ),
    _nn(
        "gru_cell",
        torch.gru_cell,
        [
            Sample(((3, 4), (3, 2), (6, 4), (6, 2), (6,), (6,))),
            Sample(((2, 3), (2, 2), (6, 3), (6, 2))),
        ],
        ("input", "hx", "w_ih", "w_hh", "b_ih", "b_hh"),
        shape_error((3, 4), (3, 2), (6, 5), (6, 2)),
    ),
    _nn(
        "lstm_cell",
        lambda input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None: torch.lstm_cell(
            input, (hx, cx), w_ih, w_hh, b_ih, b_hh
        ),
        [
            Sample(((3, 4), (3, 2), (3, 2), (8, 4), (8, 2), (8,), (8,))),
            Sample(((2, 3), (2, 2), (2, 2), (8, 3), (8, 2))),
        ],
        ("input", "hx", "cx", "w_ih", "w_hh", "b_ih", "b_hh"),
        shape_error((3, 4), (3, 2), (3, 2), (8, 5), (8, 2)),
    ),
    # Randomized: the same seed draws the same basis on both sides. The
    # basis is redrawn at each call, so there are no finite differences.
    OpInfo(
        "svd_lowrank",
        lambda a, q=6, niter=2, m=None: tuple(torch.svd_lowrank(a, q, niter, m)),
        [
            Sample(((6, 4),), {"q": 2}, finite_differences=False),
            Sample(((3, 5),), {"q": 2, "niter": 0}, finite_differences=False),  # wide
            Sample(((2, 5, 4), (4,)), {"q": 3}, finite_differences=False),  # batch, m
        ],
        errors=shape_error((5,)) + argument_error((4, 3), q=-1),
        kind="nn",
        operand_names=("a", "m"),
        random=True,
    ),
    OpInfo(
        "pca_lowrank",
        lambda a, q=None, center=True, niter=2: tuple(torch.pca_lowrank(a, q, center, niter)),
        [
            Sample(((7, 4),), {}, finite_differences=False),
            Sample(((7, 4),), {"q": 2, "center": False}, finite_differences=False),
            Sample(((3, 6, 5),), {"q": 3, "niter": 1}, finite_differences=False),
        ],
        errors=shape_error((5,)) + argument_error((4, 3), q=4),
        kind="nn",
        operand_names=("a",),
        random=True,
    ),
]

# --- comparisons (methods of both classes, Bool results) ---
for _name in ("gt", "lt", "ge", "le", "eq", "ne"):
    _torch = getattr(torch, _name)
    OP_INFOS.append(
        OpInfo(
            _name,
            _torch,
            ELEMENTWISE_BINARY,
            errors=shape_error((2, 3), (4,)),
            differentiable=False,
        )
    )
    OP_INFOS.append(
        OpInfo(
            f"{_name}_scalar",
            lambda x, scalar, _torch=_torch: _torch(x, scalar),
            [Sample(((3, 4),), {"scalar": 0.25}), Sample(((),), {"scalar": -1})],
            errors=type_error(scalar=1.0),
            differentiable=False,
        )
    )

# --- bitwise ops, on Bool inputs ---
_BOOLS = {"domain": lambda a: a > 0, "input_dtype": np.bool_, "differentiable": False}
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    _torch = getattr(torch, _name)
    OP_INFOS.append(
        OpInfo(
            _name,
            _torch,
            ELEMENTWISE_BINARY,
            errors=[ErrorCase(_tensors((2, 3), (2, 3)), {}, flodl.DTypeError)],
            **_BOOLS,
        )
    )
    OP_INFOS.append(
        OpInfo(
            f"{_name}_scalar",
            lambda x, scalar, _torch=_torch: _torch(x, scalar),
            [Sample(((3, 4),), {"scalar": True}), Sample(((5,),), {"scalar": False})],
            errors=type_error(scalar=True),
            **_BOOLS,
        )
    )
OP_INFOS.append(OpInfo("bitwise_not", torch.bitwise_not, UNARY, errors=type_error(), **_BOOLS))
for _name in ("logical_and", "logical_or", "logical_xor"):
    OP_INFOS.append(
        OpInfo(
            _name,
            getattr(torch, _name),
            ELEMENTWISE_BINARY,
            errors=shape_error((2, 3), (4,)),
            differentiable=False,
        )
    )

# --- more of torch's functions ---
_SCATTER_INDEX = np.array([[0, 1, 0, 2], [1, 0, 2, 2]])
OP_INFOS += [
    OpInfo("ravel", torch.ravel, UNARY, errors=type_error()),
    OpInfo("msort", torch.msort, [Sample(((4, 3),)), Sample(((5,),))], errors=type_error()),
    OpInfo(
        "float_power",
        torch.float_power,
        ELEMENTWISE_BINARY[:2],
        _positive,
        shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "float_power_scalar",
        lambda x, exponent: torch.float_power(x, exponent),
        [Sample(((3, 4),), {"exponent": 2}), Sample(((5,),), {"exponent": 0.5})],
        _positive,
        type_error(exponent=2),
    ),
    OpInfo(
        "rfloat_power_scalar",
        lambda x, scalar: torch.float_power(scalar, x),
        [Sample(((3, 4),), {"scalar": 2}), Sample(((5,),), {"scalar": 0.5})],
        errors=type_error(scalar=2),
    ),
    OpInfo("ldexp", torch.ldexp, ELEMENTWISE_BINARY[:2], errors=shape_error((2, 3), (4,))),
    *[
        OpInfo(
            name,
            getattr(torch, name),
            [Sample(((3, 4), (3, 4))), Sample(((3, 4), (4,)))],
            lambda a: np.round(a * 4),
            [ErrorCase(_tensors((2, 3), (2, 3)), {}, flodl.DTypeError)],  # floats
            differentiable=False,
            input_dtype=np.int64,
        )
        for name in ("gcd", "lcm")
    ],
    OpInfo(
        "nextafter",
        torch.nextafter,
        ELEMENTWISE_BINARY[:2],
        errors=shape_error((2, 3), (4,)),
        differentiable=False,
    ),
    OpInfo("i0", torch.i0, UNARY, errors=type_error()),
    OpInfo(
        "standard_gamma",
        torch._standard_gamma,
        # Each call draws anew: no finite differences (the gradient is
        # compared with torch's from the same seed).
        [Sample(((3, 4),), finite_differences=False), Sample(((50,),), finite_differences=False)],
        _positive,
        type_error(),
        random=True,
    ),
    OpInfo(
        "polygamma",
        lambda x, n: torch.polygamma(n, x),
        [Sample(((3, 4),), {"n": 1}), Sample(((5,),), {"n": 2})],
        _positive,
        argument_error((2,), n=-1),
    ),
    OpInfo(
        "mvlgamma",
        lambda x, p: torch.mvlgamma(x, p),
        [Sample(((3, 4),), {"p": 1}), Sample(((5,),), {"p": 3})],
        lambda a: np.abs(a) + 1.5,
        argument_error((2,), p=0),
    ),
    OpInfo(
        "dist",
        lambda x, other, p=2.0: torch.dist(x, other, p),
        [
            Sample(((3, 4), (3, 4))),
            Sample(((3, 4), (4,)), {"p": 1.0}),
            Sample(((2, 3), (2, 3)), {"p": 3.0}),
        ],
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "cov",
        lambda x, correction=1, fweights=None, aweights=None: torch.cov(
            x, correction=correction, fweights=fweights, aweights=aweights
        ),
        [
            Sample(((3, 5),)),
            Sample(((6,),)),
            Sample(((2, 6),), {"correction": 0, "fweights": np.array([1, 2, 1, 3, 1, 2])}),
            Sample(((2, 4),), {"aweights": np.array([0.5, 1.0, 2.0, 0.25])}),
        ],
        errors=shape_error((2, 3, 4)),
    ),
    OpInfo("corrcoef", torch.corrcoef, [Sample(((3, 5),))], errors=shape_error((2, 3, 4))),
    OpInfo(
        "isin",
        lambda x, test_elements, assume_unique=False, invert=False: torch.isin(
            x, test_elements, assume_unique=assume_unique, invert=invert
        ),
        [
            Sample(((3, 4),), {"test_elements": np.array([0, 1])}),
            Sample(((5,),), {"test_elements": np.array([-1, 2]), "invert": True}),
        ],
        lambda a: np.round(a * 2),
        type_error(test_elements=np.array([1])),
        differentiable=False,
        input_dtype=np.int64,
    ),
    OpInfo(
        "vander",
        lambda x, n=None, increasing=False: torch.vander(x, n, increasing),
        [Sample(((4,),)), Sample(((3,),), {"n": 5, "increasing": True})],
        errors=shape_error((2, 3)),
        # libtorch's vander changes a tensor its backward saved (torch's
        # own backward fails the same way): values only.
        differentiable=False,
    ),
    OpInfo(
        "combinations",
        lambda x, r=2, with_replacement=False: torch.combinations(x, r, with_replacement),
        [Sample(((4,),)), Sample(((3,),), {"r": 3, "with_replacement": True})],
        errors=shape_error((2, 3)),
    ),
    OpInfo(
        "select_scatter",
        lambda x, src, dim, index: torch.select_scatter(x, src, dim, index),
        [
            Sample(((3, 4), (4,)), {"dim": 0, "index": 1}),
            Sample(((2, 3, 4), (2, 4)), {"dim": 1, "index": -1}),
        ],
        errors=shape_error((3, 4), (3,), dim=0, index=1),
    ),
    OpInfo(
        "slice_scatter",
        lambda x, src, dim=0, start=None, end=None, step=1: torch.slice_scatter(
            x, src, dim, start, end, step
        ),
        [
            Sample(((4, 3), (2, 3)), {"start": 1, "end": 3}),
            Sample(((3, 6), (3, 3)), {"dim": 1, "step": 2}),
        ],
        errors=shape_error((4, 3), (3, 3), start=0, end=2),
    ),
    OpInfo(
        "diagonal_scatter",
        lambda x, src, offset=0, dim1=0, dim2=1: torch.diagonal_scatter(x, src, offset, dim1, dim2),
        [Sample(((3, 3), (3,))), Sample(((3, 4), (3,)), {"offset": 1})],
        errors=shape_error((3, 3), (2,)),
    ),
    OpInfo(
        "scatter_reduce",
        lambda x, src, dim, index, reduce, include_self=True: x.scatter_reduce(
            dim, index, src, reduce, include_self=include_self
        ),
        [
            Sample(((3, 4), (2, 4)), {"dim": 0, "index": _SCATTER_INDEX, "reduce": reduce, **extra})
            for reduce in ("sum", "prod", "mean", "amax", "amin")
            for extra in ({}, {"include_self": False})
        ],
        errors=argument_error((3, 4), (2, 4), dim=0, index=_SCATTER_INDEX, reduce="max"),
        operand_names=("src",),
    ),
    OpInfo(
        "index_reduce",
        lambda x, source, dim, index, reduce, include_self=True: x.index_reduce(
            dim, index, source, reduce, include_self=include_self
        ),
        [
            Sample(
                ((4, 3), (3, 3)),
                {"dim": 0, "index": np.array([2, 0, 2]), "reduce": reduce, **extra},
            )
            for reduce in ("prod", "mean", "amax", "amin")
            for extra in ({}, {"include_self": False})
        ],
        errors=argument_error((4, 3), (3, 3), dim=0, index=np.array([2, 0, 2]), reduce="sum"),
        operand_names=("source",),
    ),
    OpInfo(
        "as_strided",
        lambda x, size, stride, storage_offset=None: torch.as_strided(
            x, size, stride, storage_offset
        ),
        [
            Sample(((3, 4),), {"size": [2, 2], "stride": [1, 2]}),
            Sample(((6,),), {"size": [2, 3], "stride": [3, 1], "storage_offset": 0}),
        ],
        errors=range_error((3, 4), size=[10, 10], stride=[1, 1]),
    ),
    OpInfo("frexp", lambda x: tuple(torch.frexp(x)), UNARY, _away_from_zero, type_error()),
    OpInfo("angle", torch.angle, UNARY, _away_from_zero, type_error()),
    OpInfo("nanmedian", torch.nanmedian, UNARY, errors=type_error()),
    OpInfo(
        "norm_except_dim",
        lambda x, pow=2, dim=0: torch.norm_except_dim(x, pow, dim),
        # (dim=-1, the norm of all elements, is test_weight_norm.py's:
        # torch's forward mode fails on it)
        [
            Sample(((3, 4),)),
            Sample(((2, 3, 4),), {"dim": 1}),
            Sample(((3, 4),), {"pow": 3, "dim": 1}),
        ],
        errors=range_error((2, 3), dim=5),
    ),
    OpInfo(
        "weight_norm_from",
        lambda x, g, dim=0: torch._weight_norm(x, g, dim),
        [Sample(((3, 4), (3, 1))), Sample(((2, 3, 4), (1, 3, 1)), {"dim": 1})],
        # (g of another shape: the fused kernel would read past it)
        errors=shape_error((3, 4), (2, 1)) + range_error((3, 4), (3, 1), dim=-2),
    ),
    OpInfo(
        "nanmedian_dim",
        lambda x, dim, keepdim=False: tuple(torch.nanmedian(x, dim, keepdim)),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
]


# --- linear algebra ---


def _square(a: np.ndarray) -> bool:
    return a.ndim >= 2 and a.shape[-1] == a.shape[-2]


def _well_conditioned(a: np.ndarray) -> np.ndarray:
    # A square operand far from singular (its inverse and determinant are
    # smooth around it); other operands (right-hand sides) as they are.
    return a + 4 * np.eye(a.shape[-1]) if _square(a) else a


def _full_column_rank(a: np.ndarray) -> np.ndarray:
    # lstsq's matrices (three or more columns) far from rank-deficient, so
    # that LAPACK's float32 rounding stays at a few ulps; right-hand sides
    # (at most two columns) as they are.
    return a + 4 * np.eye(*a.shape[-2:]) if a.shape[-1] >= 3 else a


def _positive_definite(a: np.ndarray) -> np.ndarray:
    return a @ np.swapaxes(a, -1, -2) + a.shape[-1] * np.eye(a.shape[-1]) if _square(a) else a


def _triangular(a: np.ndarray) -> np.ndarray:
    return np.triu(_well_conditioned(a)) if _square(a) else a


# A factorisation (or a Cholesky factor) is read as one triangle, while its
# gradient (torch's) is the symmetric one: finite differences of single
# entries cannot see it. Eigen- and singular vectors are defined up to sign,
# which a perturbation may flip. Those samples check torch's gradient only.
_SQUARE = [Sample(((3, 3),)), Sample(((2, 4, 4),))]
_SYMMETRIC = [
    Sample(((3, 3),), finite_differences=False),
    Sample(((2, 4, 4),), finite_differences=False),
]
_RECTANGULAR = [Sample(((4, 3),)), Sample(((2, 3, 5),))]
OP_INFOS += [
    OpInfo("det", torch.linalg.det, _SQUARE, _well_conditioned, shape_error((2, 3))),
    OpInfo("logdet", torch.logdet, _SQUARE, _positive_definite, shape_error((2, 3))),
    OpInfo(
        "slogdet",
        lambda x: tuple(torch.linalg.slogdet(x)),
        _SQUARE,
        _well_conditioned,
        shape_error((2, 3)),
    ),
    OpInfo("inverse", torch.linalg.inv, _SQUARE, _well_conditioned, shape_error((2, 3))),
    OpInfo(
        "pinverse",
        lambda x, rcond=1e-15: torch.pinverse(x, rcond),
        [Sample(((4, 3),), finite_differences=False), Sample(((3, 3),), {"rcond": 1e-8})],
        _well_conditioned,
        type_error(),
    ),
    OpInfo(
        "matrix_exp",
        torch.linalg.matrix_exp,
        [Sample(((3, 3),)), Sample(((2, 2, 2),))],
        errors=shape_error((2, 3)),
    ),
    OpInfo(
        "matrix_power",
        lambda x, n: torch.linalg.matrix_power(x, n),
        [Sample(((3, 3),), {"n": 3}), Sample(((2, 3, 3),), {"n": -2}), Sample(((3, 3),), {"n": 0})],
        _well_conditioned,
        shape_error((2, 3), n=2),
    ),
    OpInfo(
        "cholesky",
        lambda x, upper=False: torch.linalg.cholesky(x, upper=upper),
        _SYMMETRIC + [Sample(((3, 3),), {"upper": True}, finite_differences=False)],
        _positive_definite,
        shape_error((2, 3)),
    ),
    OpInfo(
        "cholesky_solve",
        lambda x, input2, upper=False: torch.cholesky_solve(x, input2, upper),
        [
            Sample(((3, 2), (3, 3)), finite_differences=False),
            Sample(((2, 4, 1), (2, 4, 4)), {"upper": True}, finite_differences=False),
        ],
        _triangular,
        shape_error((2, 3), (4, 4)),
    ),
    OpInfo(
        "cholesky_inverse",
        lambda x, upper=False: torch.cholesky_inverse(x, upper),
        [
            Sample(((3, 3),), finite_differences=False),
            Sample(((3, 3),), {"upper": True}, finite_differences=False),
        ],
        _triangular,
        shape_error((2, 3)),
    ),
    OpInfo(
        "qr",
        lambda x, some=True: tuple(torch.linalg.qr(x, "reduced" if some else "complete")),
        [Sample(((4, 3),)), Sample(((2, 3, 3),)), Sample(((3, 3),), {"some": False})],
        errors=type_error(),
    ),
    OpInfo(
        "linalg_qr",
        lambda x, mode="reduced": tuple(torch.linalg.qr(x, mode)),
        # (mode="r" has no derivative, as torch's: test_linalg.py)
        [Sample(((4, 3),)), Sample(((3, 3),), {"mode": "complete"})],
        errors=argument_error((3, 3), mode="full"),
    ),
    OpInfo(
        "svd",
        # (compute_uv=False's zero U and V record nothing: test_linalg.py)
        lambda x, some=True, compute_uv=True: tuple(torch.svd(x, some, compute_uv)),
        [
            Sample(((4, 3),), finite_differences=False),
            Sample(((2, 3, 3),), finite_differences=False),
        ],
        _well_conditioned,
        type_error(),
    ),
    OpInfo(
        "linalg_svd",
        lambda x, full_matrices=True: tuple(torch.linalg.svd(x, full_matrices)),
        [
            Sample(((3, 3),), finite_differences=False),
            Sample(((4, 3),), {"full_matrices": False}, finite_differences=False),
        ],
        _well_conditioned,
        type_error(),
    ),
    OpInfo("linalg_svdvals", torch.linalg.svdvals, _RECTANGULAR, errors=type_error()),
    OpInfo(
        "linalg_eigh",
        lambda x, uplo="L": tuple(torch.linalg.eigh(x, uplo)),
        _SYMMETRIC + [Sample(((3, 3),), {"uplo": "U"}, finite_differences=False)],
        _positive_definite,
        argument_error((3, 3), uplo="X"),
    ),
    # eig's gradient exists for losses that ignore each eigenvector's phase,
    # which this table's random weights do not (torch raises, as flodl
    # does): test_complex.py checks it with a phase-free loss.
    OpInfo(
        "linalg_eig",
        lambda x: tuple(torch.linalg.eig(x)),
        _SQUARE,
        errors=[*type_error(), *shape_error((2, 3))],
        differentiable=False,
    ),
    OpInfo("linalg_eigvals", torch.linalg.eigvals, _SQUARE, errors=shape_error((2, 3))),
    OpInfo(
        "linalg_eigvalsh",
        lambda x, uplo="L": torch.linalg.eigvalsh(x, uplo),
        _SYMMETRIC,
        _positive_definite,
        shape_error((2, 3)),
    ),
    OpInfo(
        "linalg_lstsq",
        lambda x, b, rcond=None, driver="gelsy": tuple(
            torch.linalg.lstsq(x, b, rcond, driver=driver)
        ),
        [
            Sample(((4, 3), (4, 2))),
            Sample(((2, 3, 3), (2, 3, 1))),
            Sample(((3, 4), (3, 2)), {"rcond": 1e-3}),
            # residuals and singular values: values as torch's, no gradient (as torch's)
            Sample(((5, 3), (5, 2)), {"driver": "gelsd"}, finite_differences=False),
            Sample(((4, 3), (4, 1)), {"driver": "gels"}),
        ],
        _full_column_rank,
        shape_error((4, 3), (3, 2))
        + argument_error((4, 3), (4, 2), driver="lapack")
        + int_matrix_error((4, 3), (4, 2)),
    ),
    OpInfo(
        "linalg_solve",
        lambda x, b, left=True: torch.linalg.solve(x, b, left=left),
        [
            Sample(((3, 3), (3, 2))),
            Sample(((2, 3, 3), (2, 3))),
            Sample(((3, 3), (2, 3)), {"left": False}),
        ],
        _well_conditioned,
        shape_error((3, 3), (4, 2)),
    ),
    OpInfo(
        "linalg_solve_triangular",
        lambda x, b, upper, left=True, unitriangular=False: torch.linalg.solve_triangular(
            x, b, upper=upper, left=left, unitriangular=unitriangular
        ),
        [
            Sample(((3, 3), (3, 2)), {"upper": True}),
            Sample(((3, 3), (2, 3)), {"upper": True, "left": False, "unitriangular": True}),
        ],
        _triangular,
        shape_error((3, 3), (4, 2), upper=True),
    ),
    OpInfo(
        "linalg_pinv",
        lambda x, atol=None, rtol=None, hermitian=False: torch.linalg.pinv(
            x, atol=atol, rtol=rtol, hermitian=hermitian
        ),
        [Sample(((4, 3),)), Sample(((3, 3),), {"rtol": 1e-6})],
        _well_conditioned,
        type_error() + int_matrix_error((4, 3)),
    ),
    OpInfo(
        "linalg_matrix_rank",
        lambda x, atol=None, rtol=None, hermitian=False: torch.linalg.matrix_rank(
            x, atol=atol, rtol=rtol, hermitian=hermitian
        ),
        [Sample(((4, 3),)), Sample(((2, 3, 3),), {"atol": 0.5})],
        errors=type_error(),
        differentiable=False,
    ),
    OpInfo(
        "linalg_vecdot",
        lambda x, y, dim=-1: torch.linalg.vecdot(x, y, dim=dim),
        [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)), {"dim": 1})],
        errors=shape_error((2, 3), (4,)),
    ),
    OpInfo(
        "linalg_matrix_norm",
        lambda x, ord, dim=(-2, -1), keepdim=False: torch.linalg.matrix_norm(x, ord, dim, keepdim),
        [
            Sample(((3, 4),), {"ord": 1}),
            Sample(((2, 3, 4),), {"ord": -np.inf, "dim": [0, 2], "keepdim": True}),
            Sample(((3, 3),), {"ord": 2}, finite_differences=False),
        ],
        _away_from_kinks,
        argument_error((3, 3), ord=3),
    ),
    OpInfo(
        "linalg_matrix_norm_str",
        lambda x, ord="fro", dim=(-2, -1), keepdim=False: torch.linalg.matrix_norm(
            x, ord, dim, keepdim
        ),
        [Sample(((3, 4),)), Sample(((2, 3, 3),), {"ord": "nuc", "keepdim": True})],
        errors=argument_error((3, 3), ord="max"),
    ),
    OpInfo(
        "linalg_cond",
        lambda x, p=2.0: torch.linalg.cond(x, p),
        # The 2-norm ones (from the singular values); libtorch's backward of
        # the others fails on its own inverse (torch's too): test_linalg.py.
        [Sample(((3, 3),)), Sample(((2, 3, 3),), {"p": -2.0}), Sample(((4, 3),))],
        _well_conditioned,
        shape_error((2, 3), p=1.0),
    ),
    OpInfo(
        "linalg_cond_str",
        lambda x, p="fro": torch.linalg.cond(x, p),
        [Sample(((3, 3),)), Sample(((2, 3, 3),), {"p": "nuc"})],
        _well_conditioned,
        argument_error((3, 3), p="max"),
        differentiable=False,
    ),
    OpInfo(
        "linalg_lu_factor",
        lambda x, pivot=True: tuple(torch.linalg.lu_factor(x, pivot=pivot)),
        [Sample(((3, 3),)), Sample(((2, 4, 4),))],
        _well_conditioned,
        shape_error((3,)),
    ),
    OpInfo(
        "linalg_cholesky_ex",
        lambda x, upper=False, check_errors=False: tuple(
            torch.linalg.cholesky_ex(x, upper=upper, check_errors=check_errors)
        ),
        _SYMMETRIC + [Sample(((3, 3),), {"upper": True}, finite_differences=False)],
        _positive_definite,
        shape_error((2, 3)),
    ),
    OpInfo(
        "linalg_inv_ex",
        lambda x, check_errors=False: tuple(torch.linalg.inv_ex(x, check_errors=check_errors)),
        [Sample(((3, 3),)), Sample(((2, 4, 4),))],
        _well_conditioned,
        shape_error((2, 3)),
    ),
    OpInfo(
        "linalg_solve_ex",
        lambda x, b, left=True, check_errors=False: tuple(
            torch.linalg.solve_ex(x, b, left=left, check_errors=check_errors)
        ),
        [Sample(((3, 3), (3, 2))), Sample(((3, 3), (2, 3)), {"left": False})],
        _well_conditioned,
        shape_error((3, 3), (4, 2)),
    ),
    OpInfo(
        "linalg_lu_solve",
        lambda x, b, pivots, left=True, adjoint=False: torch.linalg.lu_solve(
            x, pivots, b, left=left, adjoint=adjoint
        ),
        [
            Sample(((3, 3), (3, 2)), {"pivots": np.array([1, 2, 3], dtype=np.int32)}),
            Sample(
                ((3, 3), (2, 3)),
                {"pivots": np.array([3, 2, 3], dtype=np.int32), "left": False, "adjoint": True},
            ),
        ],
        _well_conditioned,
        shape_error((3, 3), (4, 2), pivots=np.array([1, 2, 3], dtype=np.int32)),
        operand_names=("b",),
    ),
    OpInfo(
        "linalg_lu",
        lambda x, pivot=True: tuple(torch.linalg.lu(x, pivot=pivot)),
        [Sample(((3, 3),)), Sample(((4, 3),)), Sample(((2, 3, 5),))],
        _well_conditioned,
        shape_error((3,)),
    ),
    OpInfo(
        "linalg_householder_product",
        lambda x, tau: torch.linalg.householder_product(x, tau),
        [Sample(((4, 3), (3,))), Sample(((2, 5, 3), (2, 2)))],
        errors=argument_error((3, 4), (3,)),
    ),
]


# --- Tensor-only helpers: index results, sampling ---
OP_INFOS += [
    _tensor_only("argmax", lambda x, dim: torch.argmax(x, dim), DIM, range_error((2, 3), dim=2)),
    _tensor_only("argmin", lambda x, dim: torch.argmin(x, dim), DIM, range_error((2, 3), dim=2)),
    _tensor_only(
        "multinomial",
        lambda x, num_samples, replacement=False: torch.multinomial(x, num_samples, replacement),
        [
            Sample(((6,),), {"num_samples": 3}),
            Sample(((3, 4),), {"num_samples": 5, "replacement": True}),
        ],
        argument_error((3,), num_samples=5),  # more samples than categories, without replacement
        domain=_positive,
        random=True,
    ),
    _tensor_only(
        "bernoulli",
        torch.bernoulli,
        [Sample(((50,),)), Sample(((3, 4),))],
        type_error(),
        domain=_probability,
        random=True,
    ),
    _tensor_only(
        "poisson",
        torch.poisson,
        [Sample(((50,),)), Sample(((3, 4),))],
        type_error(),
        domain=_positive,
        random=True,
    ),
]


# --- regularization and losses ---
_LABELS = np.array([0, 2, 4, 1])
_REDUCTIONS = [{"reduction": r} for r in ("mean", "sum", "none")]


def _pointwise_loss(name, torch_fn, extra=(), domain=None):
    samples = [Sample(((3, 4), (3, 4)), kw) for kw in _REDUCTIONS]
    samples += [Sample(((2, 5), (2, 5)), kw) for kw in extra]
    return _nn(name, torch_fn, samples, ("input", "target"), shape_error((2, 3), (4,)), domain)


OP_INFOS += [
    OpInfo(
        "dropout",
        lambda input, p=0.5, training=True: F.dropout(input, p, training),
        [
            Sample(((4, 5),), {"p": 0.3}),
            Sample(((2, 3),), {"p": 0.8}),
        ],
        errors=argument_error((2, 3), p=1.5),
        kind="nn",
        operand_names=("input",),
        random=True,
    ),
    _nn(
        "batch_norm",
        lambda input, running_mean, running_var, weight=None, bias=None, training=False, **kw: (
            F.batch_norm(input, running_mean, running_var, weight, bias, training, **kw)
        ),
        [
            Sample(
                ((4, 3), (3,), (3,)), {"running_mean": None, "running_var": None, "training": True}
            ),
            Sample(
                ((2, 3, 4), (3,), (3,)),
                {
                    "running_mean": np.array([0.1, -0.2, 0.3]),
                    "running_var": np.array([1.0, 0.5, 2.0]),
                    "momentum": 0.2,
                },
            ),
            Sample(
                ((2, 2, 3, 3),),
                {
                    "running_mean": np.zeros(2),
                    "running_var": np.ones(2),
                    "training": True,
                    "eps": 1e-3,
                },
            ),
        ],
        ("input", "weight", "bias"),
        argument_error((1, 3), running_mean=None, running_var=None, training=True),
    ),
    _pointwise_loss(
        "mse_loss",
        lambda input, target, reduction="mean": F.mse_loss(input, target, reduction=reduction),
    ),
    _pointwise_loss(
        "l1_loss",
        lambda input, target, reduction="mean": F.l1_loss(input, target, reduction=reduction),
    ),
    _pointwise_loss(
        "smooth_l1_loss",
        lambda input, target, reduction="mean", beta=1.0: F.smooth_l1_loss(
            input, target, reduction=reduction, beta=beta
        ),
        [{"beta": 0.5}],
    ),
    _pointwise_loss(
        "huber_loss",
        lambda input, target, reduction="mean", delta=1.0: F.huber_loss(
            input, target, reduction=reduction, delta=delta
        ),
        [{"delta": 0.5}],
    ),
    _pointwise_loss(
        "binary_cross_entropy",
        lambda input, target, weight=None, reduction="mean": F.binary_cross_entropy(
            input, target, weight, reduction=reduction
        ),
        [{"weight": np.array([0.5, 1.0, 2.0, 1.5, 1.0])}],
        domain=_probability,
    ),
    _pointwise_loss(
        "binary_cross_entropy_with_logits",
        lambda input, target, weight=None, reduction="mean", pos_weight=None: (
            F.binary_cross_entropy_with_logits(
                input, target, weight, reduction=reduction, pos_weight=pos_weight
            )
        ),
        [{"pos_weight": np.array([1.0, 2.0, 0.5, 1.0, 3.0])}],
        domain=_probability,
    ),
    _pointwise_loss(
        "kl_div",
        lambda input, target, reduction="mean", log_target=False: F.kl_div(
            input, target, reduction=reduction, log_target=log_target
        ),
        [{"reduction": "batchmean"}, {"log_target": True}],
        domain=_probability,
    ),
    _nn(
        "cross_entropy",
        lambda input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0: (
            F.cross_entropy(
                input,
                target,
                weight,
                ignore_index=ignore_index,
                reduction=reduction,
                label_smoothing=label_smoothing,
            )
        ),
        [
            Sample(((4, 5),), {"target": _LABELS}),
            Sample(((4, 5),), {"target": _LABELS, "reduction": "none", "ignore_index": 2}),
            Sample(
                ((4, 5),),
                {
                    "target": _LABELS,
                    "weight": np.array([1.0, 2.0, 0.5, 1.0, 1.5]),
                    "label_smoothing": 0.1,
                },
            ),
            Sample(
                ((2, 3, 4),), {"target": np.array([[0, 1, 2, 0], [2, 2, 1, 0]]), "reduction": "sum"}
            ),
            Sample(
                ((4, 5),),
                {"target": _probability(np.random.default_rng(5).standard_normal((4, 5)))},
            ),
        ],
        ("input",),
        shape_error((4, 5), target=np.array([0, 1, 2])),
    ),
    _nn(
        "soft_cross_entropy",
        lambda input, target, weight=None, reduction="mean", label_smoothing=0.0: F.cross_entropy(
            input, target, weight, reduction=reduction, label_smoothing=label_smoothing
        ),
        [
            Sample(((4, 5), (4, 5)), {}),
            Sample(
                ((4, 5), (4, 5)),
                {
                    "weight": np.array([1.0, 2.0, 0.5, 1.0, 1.5]),
                    "reduction": "sum",
                    "label_smoothing": 0.1,
                },
            ),
            Sample(((2, 3, 4), (2, 3, 4)), {"reduction": "none"}),
        ],
        ("input", "target"),
        shape_error((4, 5), (4, 4)),
        domain=_probability,
    ),
    _nn(
        "nll_loss",
        lambda input, target, weight=None, ignore_index=-100, reduction="mean": F.nll_loss(
            input, target, weight, ignore_index=ignore_index, reduction=reduction
        ),
        [
            Sample(((4, 5),), {"target": _LABELS}),
            Sample(((4, 5),), {"target": _LABELS, "weight": np.array([1.0, 2.0, 0.5, 1.0, 1.5])}),
            Sample(((4, 5),), {"target": _LABELS, "ignore_index": 0, "reduction": "none"}),
            Sample(((2, 3, 4),), {"target": np.array([[0, 1, 2, 0], [2, 2, 1, 0]])}),
        ],
        ("input",),
        shape_error((4, 5), target=np.array([0, 1, 2])),
    ),
    _tensor_only(
        "one_hot",
        lambda x, num_classes=-1: F.one_hot(x, num_classes),
        [Sample(((5,),), {"num_classes": 8}), Sample(((2, 3),))],
        [ErrorCase(_tensors((3,)), {}, flodl.DTypeError)],  # float classes
        domain=lambda a: np.clip(np.abs(a) * 2, 0, 7),
    ),
]
OP_INFOS[-1].input_dtype = np.int64

_SIGNS = np.array([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, 1.0]])

OP_INFOS += [
    _nn(
        "max_pool3d",
        F.max_pool3d,
        [
            Sample(((1, 2, 4, 4, 4),), {"kernel_size": 2}),
            Sample(
                ((1, 1, 5, 4, 5),),
                {
                    "kernel_size": [3, 2, 2],
                    "stride": [2, 1, 2],
                    "padding": 1,
                    "dilation": [1, 2, 1],
                    "ceil_mode": True,
                },
            ),
        ],
        ("input",),
    ),
    _nn(
        "avg_pool3d",
        F.avg_pool3d,
        [
            Sample(((1, 2, 4, 4, 4),), {"kernel_size": 2}),
            Sample(
                ((1, 1, 5, 4, 5),),
                {"kernel_size": [3, 2, 2], "padding": 1, "count_include_pad": False},
            ),
            Sample(((1, 1, 4, 4, 4),), {"kernel_size": 2, "divisor_override": 5}),
            Sample(((1, 1, 4, 4, 4),), {"kernel_size": 2, "divisor_override": -1}),
        ],
        ("input",),
        argument_error((1, 1, 4, 4, 4), kernel_size=2, divisor_override=0),
    ),
    _nn(
        "lp_pool1d",
        F.lp_pool1d,
        [
            Sample(((2, 3, 6),), {"norm_type": 2.0, "kernel_size": 2}),
            Sample(
                ((1, 2, 7),), {"norm_type": 3, "kernel_size": 3, "stride": 2, "ceil_mode": True}
            ),
            Sample(((1, 2, 6),), {"norm_type": np.inf, "kernel_size": 2}),
        ],
        ("input",),
        shape_error((3,), norm_type=2.0, kernel_size=2),
        domain=_positive,
    ),
    _nn(
        "lp_pool2d",
        F.lp_pool2d,
        [
            Sample(((2, 3, 4, 4),), {"norm_type": 2, "kernel_size": 2}),
            Sample(((1, 2, 5, 6),), {"norm_type": 1.5, "kernel_size": [3, 2], "stride": [1, 2]}),
            Sample(((2, 5, 5),), {"norm_type": -np.inf, "kernel_size": 2, "ceil_mode": True}),
        ],
        ("input",),
        shape_error((3, 4), norm_type=2.0, kernel_size=2),
        domain=_positive,
    ),
    _nn(
        "lp_pool3d",
        F.lp_pool3d,
        [
            Sample(((1, 2, 4, 4, 4),), {"norm_type": 2.0, "kernel_size": 2}),
            Sample(((1, 3, 5, 4, 5),), {"norm_type": 4, "kernel_size": [3, 2, 2], "stride": 1}),
        ],
        ("input",),
        shape_error((3, 4), norm_type=2.0, kernel_size=2),
        domain=_positive,
    ),
    _nn(
        "adaptive_avg_pool1d",
        F.adaptive_avg_pool1d,
        [Sample(((2, 3, 7),), {"output_size": 3}), Sample(((3, 5),), {"output_size": 5})],
        ("input",),
    ),
    _nn(
        "adaptive_max_pool1d",
        F.adaptive_max_pool1d,
        [Sample(((2, 3, 7),), {"output_size": 3}), Sample(((3, 5),), {"output_size": 2})],
        ("input",),
    ),
    OpInfo(
        "feature_dropout",
        lambda input, p=0.5, training=True: torch.feature_dropout(input, p, training),
        [Sample(((4, 5, 3),), {"p": 0.3}), Sample(((2, 3, 2, 2),), {"p": 0.6})],
        errors=argument_error((2, 3), p=1.5),
        kind="nn",
        operand_names=("input",),
        random=True,
    ),
    *[
        OpInfo(
            name,
            lambda input, p=0.5, training=True, name=name: getattr(F, name)(input, p, training),
            [Sample(shapes, {"p": 0.4}) for shapes in samples],
            errors=argument_error(samples[0][0], p=1.5),
            kind="nn",
            operand_names=("input",),
            random=True,
        )
        for name, samples in [
            # Batched, then unbatched (a batch dim added and taken off).
            ("dropout1d", [((2, 4, 6),), ((4, 6),)]),
            ("dropout2d", [((2, 3, 4, 4),), ((3, 4, 5),)]),
            ("dropout3d", [((2, 3, 2, 2, 2),), ((3, 2, 2, 2),)]),
        ]
    ],
    OpInfo(
        "alpha_dropout",
        lambda input, p=0.5, training=False: F.alpha_dropout(input, p, training),
        [Sample(((4, 5),), {"p": 0.3, "training": True})],
        errors=argument_error((2, 3), p=-0.5),
        kind="nn",
        operand_names=("input",),
        random=True,
    ),
    OpInfo(
        "feature_alpha_dropout",
        lambda input, p=0.5, training=False: F.feature_alpha_dropout(input, p, training),
        [Sample(((4, 5, 3),), {"p": 0.3, "training": True})],
        errors=argument_error((2, 3), p=2.0),
        kind="nn",
        operand_names=("input",),
        random=True,
    ),
    _nn(
        "cosine_embedding_loss",
        lambda input1, input2, target, margin=0.0, reduction="mean": F.cosine_embedding_loss(
            input1, input2, target, margin, reduction=reduction
        ),
        [
            Sample(((4, 5), (4, 5)), {"target": np.array([1.0, -1.0, 1.0, -1.0])}),
            Sample(
                ((4, 5), (4, 5)),
                {"target": np.array([-1.0, -1.0, 1.0, -1.0]), "margin": 0.2, "reduction": "sum"},
            ),
        ],
        ("input1", "input2"),
        shape_error((4, 5), (3, 5), target=np.array([1.0, -1.0, 1.0, 1.0])),
    ),
    _nn(
        "margin_ranking_loss",
        lambda input1, input2, target, margin=0.0, reduction="mean": F.margin_ranking_loss(
            input1, input2, target, margin, reduction=reduction
        ),
        [
            Sample(((6,), (6,), (6,))),
            Sample(((6,), (6,), (6,)), {"margin": 0.3, "reduction": "none"}),
        ],
        ("input1", "input2", "target"),
        shape_error((4,), (3,), (4,)),
    ),
    _nn(
        "hinge_embedding_loss",
        lambda input, target, margin=1.0, reduction="mean": F.hinge_embedding_loss(
            input, target, margin, reduction=reduction
        ),
        [
            Sample(((3, 4),), {"target": _SIGNS}),
            Sample(((3, 4),), {"target": _SIGNS, "margin": 0.5, "reduction": "none"}),
        ],
        ("input",),
    ),
    _nn(
        "soft_margin_loss",
        lambda input, target, reduction="mean": F.soft_margin_loss(
            input, target, reduction=reduction
        ),
        [
            Sample(((3, 4),), {"target": _SIGNS}),
            Sample(((3, 4),), {"target": _SIGNS, "reduction": "sum"}),
        ],
        ("input",),
    ),
    _nn(
        "multi_margin_loss",
        lambda input, target, **kw: F.multi_margin_loss(input, target, **kw),
        [
            Sample(((4, 3),), {"target": np.array([0, 2, 1, 2])}),
            Sample(
                ((4, 3),),
                {
                    "target": np.array([1, 0, 2, 2]),
                    "p": 2,
                    "margin": 0.5,
                    "weight": np.array([0.2, 1.0, 2.0]),
                    "reduction": "sum",
                },
            ),
            Sample(((3,),), {"target": np.array(1), "reduction": "none"}),
        ],
        ("input",),
        argument_error((4, 3), target=np.array([0, 1, 2, 0]), p=3),
    ),
    _nn(
        "multilabel_margin_loss",
        lambda input, target, **kw: F.multilabel_margin_loss(input, target, **kw),
        [
            Sample(((2, 4),), {"target": np.array([[3, 0, -1, 1], [1, 2, 0, -1]])}),
            Sample(((3,),), {"target": np.array([2, -1, 0]), "reduction": "none"}),
        ],
        ("input",),
    ),
    _nn(
        "multilabel_soft_margin_loss",
        lambda input, target, **kw: F.multilabel_soft_margin_loss(input, target, **kw),
        [
            Sample(((3, 4),), {"target": (_SIGNS > 0).astype(np.float64)}),
            Sample(
                ((3, 4),),
                {
                    "target": (_SIGNS < 0).astype(np.float64),
                    "weight": np.array([0.5, 1.0, 2.0, 1.5]),
                    "reduction": "none",
                },
            ),
        ],
        ("input",),
        shape_error((3, 4), target=np.ones((3, 5))),
    ),
    _nn(
        "triplet_margin_loss",
        lambda anchor, positive, negative, **kw: F.triplet_margin_loss(
            anchor, positive, negative, **kw
        ),
        [
            Sample(((4, 5), (4, 5), (4, 5))),
            Sample(
                ((4, 5), (4, 5), (4, 5)),
                {"margin": 0.5, "p": 1.0, "swap": True, "reduction": "sum"},
            ),
        ],
        ("anchor", "positive", "negative"),
        shape_error((4, 5), (4, 5), (3, 2)),
    ),
    _nn(
        "triplet_margin_distance_loss",
        # What torch.nn.functional.triplet_margin_with_distance_loss does
        # after its distance function, in its order.
        lambda positive_distance, negative_distance, swap_distance=None, margin=1.0, reduction="mean": (
            {"mean": torch.mean, "sum": torch.sum}.get(reduction, lambda loss: loss)(
                torch.clamp_min(
                    margin
                    + positive_distance
                    - (
                        negative_distance
                        if swap_distance is None
                        else torch.minimum(negative_distance, swap_distance)
                    ),
                    0,
                )
            )
        ),
        [
            Sample(((6,), (6,))),
            Sample(((6,), (6,), (6,)), {"margin": 0.5, "reduction": "sum"}),
            Sample(((2, 3), (2, 3)), {"margin": 2.0, "reduction": "none"}),
        ],
        ("positive_distance", "negative_distance", "swap_distance"),
        argument_error((4,), (4,), margin=0.0),
    ),
    _nn(
        "poisson_nll_loss",
        lambda input, target, **kw: F.poisson_nll_loss(input, target, **kw),
        [
            Sample(((3, 4), (3, 4))),
            Sample(((3, 4), (3, 4)), {"log_input": False, "full": True, "reduction": "sum"}),
        ],
        ("input", "target"),
        domain=_positive,
    ),
    _nn(
        "gaussian_nll_loss",
        lambda input, target, var, **kw: F.gaussian_nll_loss(input, target, var, **kw),
        [
            Sample(((4, 3), (4, 3), (4, 3))),
            Sample(((4, 3), (4, 3), (4,)), {"full": True, "reduction": "sum"}),
            Sample(((4, 3), (4, 3), (4, 1)), {"eps": 0.6, "reduction": "none"}),
        ],
        ("input", "target", "var"),
        shape_error((2, 3), (2, 3), (5,)),
        domain=_positive,
    ),
    _nn(
        "ctc_loss",
        lambda log_probs, targets, input_lengths, target_lengths, **kw: F.ctc_loss(
            log_probs, targets, input_lengths, target_lengths, **kw
        ),
        [
            Sample(
                ((6, 2, 4),),
                {
                    "targets": np.array([[1, 2, 1], [3, 1, 0]]),
                    "input_lengths": np.array([6, 5]),
                    "target_lengths": np.array([3, 2]),
                },
                finite_differences=False,  # libtorch's gradient assumes log-softmax inputs
            ),
            Sample(
                ((5, 2, 3),),
                {
                    "targets": np.array([1, 2, 2, 1]),
                    "input_lengths": np.array([5, 4]),
                    "target_lengths": np.array([3, 1]),
                    "reduction": "sum",
                    "blank": 0,
                },
                finite_differences=False,
            ),
        ],
        ("log_probs",),
    ),
]

# --- issue 19: the Tensor methods PyTorch programs use ---
_SMALL_INTS = {
    "domain": lambda a: np.abs(np.round(a * 2)),
    "input_dtype": np.int64,
    "differentiable": False,
}
OP_INFOS += [
    OpInfo(
        "roll",
        lambda x, shifts, dims=None: torch.roll(x, shifts, dims),
        [
            Sample(((3, 4),), {"shifts": 1}),
            Sample(((3, 4),), {"shifts": (1, -2), "dims": (0, 1)}),
            Sample(((2, 5),), {"shifts": 7, "dims": -1}),
            Sample(((5,),), {"shifts": [-1]}),
        ],
        errors=argument_error((2, 3), shifts=(1, 2)) + range_error((2, 3), shifts=1, dims=2),
    ),
    OpInfo("median", torch.median, UNARY, errors=type_error()),
    OpInfo(
        "median_dim",
        lambda x, dim, keepdim=False: tuple(torch.median(x, dim, keepdim)),
        DIM_KEEPDIM,
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "mode",
        lambda x, dim=-1, keepdim=False: tuple(torch.mode(x, dim, keepdim)),
        # Distinct values (each as frequent): ties would make finite
        # differences meaningless; test_overloads.py checks repeated values.
        [Sample(((3, 5),)), Sample(((4, 3),), {"dim": 0, "keepdim": True})],
        errors=range_error((2, 3), dim=2),
    ),
    OpInfo(
        "any_dim",
        lambda x, dim, keepdim=False: torch.any(x, dim, keepdim),
        DIM_KEEPDIM,
        domain=lambda a: np.round(a),
        errors=range_error((2, 3), dim=2),
        differentiable=False,
    ),
    OpInfo(
        "all_dim",
        lambda x, dim, keepdim=False: torch.all(x, dim, keepdim),
        DIM_KEEPDIM,
        domain=lambda a: np.round(a * 3),
        errors=range_error((2, 3), dim=2),
        differentiable=False,
    ),
    OpInfo(
        "any_dims",
        lambda x, dims, keepdim=False: torch.any(x, dims, keepdim),
        DIMS_KEEPDIM,
        domain=lambda a: np.round(a),
        errors=range_error((2, 3), dims=[0, 2]),
        differentiable=False,
    ),
    OpInfo(
        "all_dims",
        lambda x, dims, keepdim=False: torch.all(x, dims, keepdim),
        DIMS_KEEPDIM,
        domain=lambda a: np.round(a * 3),
        errors=range_error((2, 3), dims=[2]),
        differentiable=False,
    ),
    OpInfo(
        "lerp",
        torch.lerp,
        [
            Sample(((3, 4), (3, 4), (3, 4))),
            Sample(((3, 4), (4,), (3, 1))),  # broadcasting
            Sample(((2, 3), (2, 3), ())),  # one weight
        ],
        errors=shape_error((2, 3), (4,), (2, 3)),
    ),
    OpInfo(
        "lerp_scalar",
        lambda x, end, weight: torch.lerp(x, end, weight),
        [
            Sample(((3, 4), (3, 4)), {"weight": 0.3}),
            Sample(((2, 3), (3,)), {"weight": 1.5}),
            Sample(((4,), (4,)), {"weight": 2}),
        ],
        errors=shape_error((2, 3), (4,), weight=0.5),
    ),
    OpInfo(
        "addcmul",
        lambda x, t1, t2, value=1: torch.addcmul(x, t1, t2, value=value),
        [
            Sample(((3, 4), (3, 4), (3, 4))),
            Sample(((3, 4), (4,), (3, 1)), {"value": 0.37}),
            Sample(((2, 3), (2, 3), ()), {"value": -2}),
        ],
        errors=shape_error((2, 3), (4,), (2, 3)),
    ),
    OpInfo(
        "addcdiv",
        lambda x, t1, t2, value=1: torch.addcdiv(x, t1, t2, value=value),
        [
            Sample(((3, 4), (3, 4), (3, 4))),
            Sample(((3, 4), (4,), (3, 1)), {"value": 0.37}),
            Sample(((2, 3), (2, 3), ()), {"value": -2}),
        ],
        domain=_away_from_zero,
        errors=shape_error((2, 3), (4,), (2, 3))
        + [ErrorCase(lambda: (flodl.tensor([1, 2]),) * 3, {}, flodl.DTypeError)],
    ),
]
for _name in ("bitwise_left_shift", "bitwise_right_shift"):
    _torch = getattr(torch, _name)
    OP_INFOS.append(
        OpInfo(
            _name,
            _torch,
            ELEMENTWISE_BINARY,
            errors=[ErrorCase(_tensors((2, 3), (2, 3)), {}, flodl.DTypeError)],
            **_SMALL_INTS,
        )
    )
    OP_INFOS.append(
        OpInfo(
            f"{_name}_scalar",
            lambda x, scalar, _torch=_torch: _torch(x, scalar),
            [Sample(((3, 4),), {"scalar": 2}), Sample(((),), {"scalar": 1})],
            errors=[ErrorCase(_tensors((2, 3)), {"scalar": 1}, flodl.DTypeError)],
            **_SMALL_INTS,
        )
    )
OP_INFOS.append(
    _tensor_only(
        "unique",
        lambda x, **kwargs: torch.unique(x, **kwargs),
        [
            Sample(((10,),)),
            Sample(((3, 4),), {"return_inverse": True, "return_counts": True}),
            Sample(((3, 4),), {"sorted": False, "return_counts": True}),
            Sample(((5, 2),), {"dim": 0, "return_inverse": True}),
        ],
        range_error((2, 3), dim=2),
        domain=lambda a: np.round(a),
    )
)
OP_INFOS.append(
    _tensor_only(
        "unique_consecutive",
        lambda x, **kwargs: torch.unique_consecutive(x, **kwargs),
        [
            Sample(((10,),)),
            Sample(((3, 4),), {"return_inverse": True, "return_counts": True}),
            Sample(((5, 2),), {"dim": 0, "return_counts": True}),
        ],
        range_error((2, 3), dim=2),
        domain=lambda a: np.round(a / 2),
    )
)

# --- Special functions, more elementwise ops and pieces ---
_SPECIAL_UNARY = [
    ("special_entr", torch.special.entr, _positive),
    ("special_erfcx", torch.special.erfcx, lambda a: a),
    ("special_ndtr", torch.special.ndtr, lambda a: a),
    ("special_log_ndtr", torch.special.log_ndtr, lambda a: a),
    ("special_ndtri", torch.special.ndtri, lambda a: 0.05 + 0.9 * _probability(a)),
    ("special_i0e", torch.special.i0e, _away_from_zero),  # |x| has a kink at 0
    ("special_i1", torch.special.i1, lambda a: a),
    ("special_i1e", torch.special.i1e, _away_from_zero),
]
OP_INFOS += (
    [
        OpInfo(name, fn, UNARY, domain=domain, errors=type_error())
        for name, fn, domain in _SPECIAL_UNARY
    ]
    + [
        OpInfo(
            name,
            fn,
            UNARY,
            differentiable=False,  # libtorch has no derivative of these
            errors=type_error(),
        )
        for name, fn in [
            ("special_bessel_j0", torch.special.bessel_j0),
            ("special_bessel_j1", torch.special.bessel_j1),
            ("isposinf", torch.isposinf),
            ("isneginf", torch.isneginf),
            ("isreal", torch.isreal),
        ]
    ]
    + [
        OpInfo(
            "logaddexp2", torch.logaddexp2, ELEMENTWISE_BINARY, errors=shape_error((2, 3), (4,))
        ),
        OpInfo(
            "special_xlog1py",
            torch.special.xlog1py,
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            domain=_positive,
            errors=shape_error((2, 3), (4,)),
        ),
        OpInfo(
            "special_zeta",
            torch.special.zeta,
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            domain=lambda a: np.abs(a) + 1.5,
            errors=shape_error((2, 3), (4,)),
            differentiable=False,
        ),
        OpInfo(
            "igamma",
            torch.igamma,
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            domain=_positive,
            errors=shape_error((2, 3), (4,)),
            differentiable=False,
        ),
        OpInfo(
            "igammac",
            torch.igammac,
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            domain=_positive,
            errors=shape_error((2, 3), (4,)),
            differentiable=False,
        ),
        OpInfo(
            "addr",
            lambda x, vec1, vec2, beta=1.0, alpha=1.0: torch.addr(
                x, vec1, vec2, beta=beta, alpha=alpha
            ),
            [Sample(((3, 4), (3,), (4,))), Sample(((4,), (3,), (4,)), {"beta": 0.5, "alpha": 2.0})],
            errors=shape_error((3, 4), (3,), (5,)),
        ),
        OpInfo(
            "addbmm",
            lambda x, batch1, batch2, beta=1.0, alpha=1.0: torch.addbmm(
                x, batch1, batch2, beta=beta, alpha=alpha
            ),
            [
                Sample(((3, 4), (2, 3, 5), (2, 5, 4))),
                Sample(((4,), (2, 3, 5), (2, 5, 4)), {"beta": 0.5, "alpha": -1.5}),
            ],
            errors=shape_error((3, 4), (2, 3, 5), (2, 4, 4)),
        ),
        OpInfo(
            "renorm",
            lambda x, p, dim, maxnorm: torch.renorm(x, p, dim, maxnorm),
            [
                Sample(((3, 4),), {"p": 2, "dim": 0, "maxnorm": 1.0}),
                Sample(((2, 3, 4),), {"p": 1.5, "dim": -1, "maxnorm": 0.5}),
            ],
            errors=range_error((2, 3), p=2, dim=2, maxnorm=1.0),
        ),
        OpInfo(
            "pdist",
            lambda x, p=2.0: F.pdist(x, p),
            [Sample(((4, 3),)), Sample(((5, 2),), {"p": 1.5})],
            errors=shape_error((2, 3, 4)),
        ),
        OpInfo(
            "hsplit",
            lambda x, indices_or_sections: list(torch.hsplit(x, indices_or_sections)),
            [
                Sample(((3, 4),), {"indices_or_sections": 2}),
                Sample(((6,),), {"indices_or_sections": 3}),
            ],
            errors=shape_error((3, 4), indices_or_sections=3),  # 4 not divisible by 3
        ),
        OpInfo(
            "hsplit_indices",
            lambda x, indices: list(torch.hsplit(x, indices)),
            [Sample(((3, 4),), {"indices": [1, 3]})],
            errors=shape_error((), indices=[1]),
        ),
        OpInfo(
            "vsplit",
            lambda x, indices_or_sections: list(torch.vsplit(x, indices_or_sections)),
            [Sample(((4, 3),), {"indices_or_sections": 2})],
            errors=shape_error((3, 4), indices_or_sections=2),
        ),
        OpInfo(
            "vsplit_indices",
            lambda x, indices: list(torch.vsplit(x, indices)),
            [Sample(((5, 2),), {"indices": [2]})],
            errors=shape_error((3,), indices=[1]),
        ),
        OpInfo(
            "dsplit",
            lambda x, indices_or_sections: list(torch.dsplit(x, indices_or_sections)),
            [Sample(((2, 3, 4),), {"indices_or_sections": 2})],
            errors=shape_error((3, 4), indices_or_sections=2),
        ),
        OpInfo(
            "dsplit_indices",
            lambda x, indices: list(torch.dsplit(x, indices)),
            [Sample(((2, 3, 4),), {"indices": [1, 2]})],
            errors=shape_error((3, 4), indices=[1]),
        ),
        _tensor_only(
            "binomial",
            lambda x, prob: torch.binomial(x, prob),
            [
                Sample(((3, 4),), {"prob": np.full((3, 4), 0.3)}),
                Sample(((50,),), {"prob": np.linspace(0.0, 1.0, 50)}),
            ],
            shape_error((3,), prob=np.full((4,), 0.5)),
            domain=lambda a: np.round(np.abs(a) * 5),  # whole counts
            random=True,
        ),
        _tensor_only(
            "histogram",
            lambda x, bins=100, range=None, weight=None, density=False: tuple(
                torch.histogram(x, bins, range=range, weight=weight, density=density)
            ),
            [
                Sample(((20,),)),
                Sample(((3, 4),), {"bins": 5, "range": (-1.0, 1.0)}),
                Sample(((6,),), {"bins": 3, "weight": np.linspace(0.5, 3.0, 6), "density": True}),
            ],
            argument_error((3,), bins=-1),
        ),
        _tensor_only(
            "histogram_edges",
            lambda x, bins, weight=None, density=False: tuple(
                torch.histogram(x, bins, weight=weight, density=density)
            ),
            [
                Sample(((20,),), {"bins": np.array([-2.0, -0.5, 0.0, 0.3, 2.5])}),
                Sample(
                    ((6,),),
                    {"bins": np.array([-1.0, 0.0, 1.0]), "weight": np.linspace(0.5, 3.0, 6)},
                ),
            ],
            # (the harness makes array arguments float64: so is the input)
            [
                ErrorCase(
                    lambda: (flodl.Tensor.zeros([3], dtype=flodl.float64),),
                    {"bins": np.array([[0.0, 1.0]])},
                    flodl.ShapeError,
                )
            ],
        ),
        _tensor_only(
            "histc",
            lambda x, bins=100, min=0, max=0: torch.histc(x, bins, min, max),
            [Sample(((20,),)), Sample(((3, 4),), {"bins": 5, "min": -1.0, "max": 1.0})],
            argument_error((3,), bins=-1),
        ),
    ]
)

OPS_BY_NAME = {info.name: info for info in OP_INFOS}


# --- In place: the torch reference works on a copy (the inputs are shared
# with numpy arrays the test reuses) ---
def _in_place(
    name, torch_fn, samples, errors, random=False, domain=None, operand_names=(), input_dtype=None
):
    info = OpInfo(
        name,
        torch_fn,
        samples,
        errors=errors,
        differentiable=False,
        in_place=True,
        random=random,
        operand_names=operand_names,
        input_dtype=input_dtype,
    )
    if domain is not None:
        info.domain = domain
    return info


OP_INFOS += (
    [
        _in_place(
            f"{op}_",
            lambda x, other, op=op: getattr(x.clone(), f"{op}_")(other),
            ELEMENTWISE_BINARY[:1] + [Sample(((2, 3), (3,)))],  # other broadcasts into self
            shape_error((2, 3), (4,)),
        )
        for op in ("add", "sub", "mul", "div", "floor_divide", "remainder", "pow")
    ]
    + [
        _in_place(
            f"{op}_scalar_",
            lambda x, op=op, **number: getattr(x.clone(), f"{op}_")(*number.values()),
            [Sample(((3, 4),), {arg: 1.5}), Sample(((2,),), {arg: 2})],
            type_error(**{arg: 1.0}),
        )
        for op, arg in [
            *((op, "scalar") for op in ("add", "sub", "mul", "div", "floor_divide", "remainder")),
            ("pow", "exponent"),  # as pow_scalar names it
        ]
    ]
    + [
        _in_place("zero_", lambda x: x.clone().zero_(), [Sample(((3, 4),))], type_error()),
        _in_place(
            "fill_",
            lambda x, value: x.clone().fill_(value),
            [Sample(((3,),), {"value": 2.5})],
            type_error(value=1.0),
        ),
        _in_place(
            "copy_",
            lambda x, src: x.clone().copy_(src),
            [Sample(((2, 3), (2, 3))), Sample(((2, 3), (3,)))],
            shape_error((2, 3), (4,)),
        ),
        _in_place(
            "clamp_",
            lambda x, min, max: x.clone().clamp_(min, max),
            [Sample(((3, 4),), {"min": -0.5, "max": 0.5})],
            type_error(min=0.0, max=1.0),
        ),
    ]
    + [
        _in_place(
            "uniform_",
            lambda x, low=0.0, high=1.0: x.clone().uniform_(low, high),
            [Sample(((3, 4),)), Sample(((50,),), {"low": -2.0, "high": 3.0})],
            type_error(),
            random=True,
        ),
        _in_place(
            "normal_",
            lambda x, mean=0.0, std=1.0: x.clone().normal_(mean, std),
            [Sample(((3, 4),)), Sample(((50,),), {"mean": 1.0, "std": 0.5})],
            type_error(),
            random=True,
        ),
        _in_place(
            "exponential_",
            lambda x, lambd=1.0: x.clone().exponential_(lambd),
            [Sample(((3, 4),)), Sample(((50,),), {"lambd": 2.5})],
            type_error(),
            random=True,
        ),
        _in_place(
            "bernoulli_",
            lambda x, p=0.5: x.clone().bernoulli_(p),
            [Sample(((3, 4),)), Sample(((50,),), {"p": 0.2})],
            argument_error((2, 3), p=1.5),
            random=True,
        ),
        _in_place(
            "cauchy_",
            lambda x, median=0.0, sigma=1.0: x.clone().cauchy_(median, sigma),
            [Sample(((3, 4),)), Sample(((50,),), {"median": 1.0, "sigma": 0.5})],
            type_error(),
            random=True,
        ),
        _in_place(
            "log_normal_",
            lambda x, mean=1.0, std=2.0: x.clone().log_normal_(mean, std),
            [Sample(((3, 4),)), Sample(((50,),), {"mean": 0.0, "std": 0.5})],
            type_error(),
            random=True,
        ),
        _in_place(
            "geometric_",
            lambda x, p: x.clone().geometric_(p),
            [Sample(((3, 4),), {"p": 0.3}), Sample(((50,),), {"p": 0.9})],
            argument_error((2, 3), p=1.5),
            random=True,
        ),
        _in_place(
            "tril_",
            lambda x, diagonal=0: x.clone().tril_(diagonal),
            [Sample(((3, 4),)), Sample(((2, 3, 3),), {"diagonal": -1})],
            shape_error((3,)),
        ),
        _in_place(
            "triu_",
            lambda x, diagonal=0: x.clone().triu_(diagonal),
            [Sample(((3, 4),)), Sample(((2, 3, 3),), {"diagonal": 1})],
            shape_error((3,)),
        ),
        _in_place(
            "scatter_reduce_",
            lambda x, src, dim, index, reduce, include_self=True: x.clone().scatter_reduce_(
                dim, index, src, reduce, include_self=include_self
            ),
            [Sample(((3, 4), (2, 4)), {"dim": 0, "index": _SCATTER_INDEX, "reduce": "amax"})],
            argument_error((3, 4), (2, 4), dim=0, index=_SCATTER_INDEX, reduce="max"),
            operand_names=("src",),
        ),
        _in_place(
            "index_reduce_",
            lambda x, source, dim, index, reduce, include_self=True: x.clone().index_reduce_(
                dim, index, source, reduce, include_self=include_self
            ),
            [
                Sample(
                    ((4, 3), (3, 3)),
                    {
                        "dim": 0,
                        "index": np.array([2, 0, 2]),
                        "reduce": "mean",
                        "include_self": False,
                    },
                )
            ],
            argument_error((4, 3), (3, 3), dim=0, index=np.array([2, 0, 2]), reduce="sum"),
            operand_names=("source",),
        ),
        _in_place(
            "unsqueeze_",
            lambda x, dim: x.clone().unsqueeze_(dim),
            [Sample(((3, 4),), {"dim": 1}), Sample(((5,),), {"dim": -1})],
            range_error((3,), dim=3),
        ),
        _in_place(
            "squeeze_",
            lambda x, dim=None: x.clone().squeeze_() if dim is None else x.clone().squeeze_(dim),
            [Sample(((3, 1, 4, 1),)), Sample(((3, 1),), {"dim": 1}), Sample(((3, 2),), {"dim": 0})],
            range_error((3,), dim=2),
        ),
        _in_place(
            "transpose_",
            lambda x, dim0, dim1: x.clone().transpose_(dim0, dim1),
            [
                Sample(((3, 4),), {"dim0": 0, "dim1": 1}),
                Sample(((2, 3, 4),), {"dim0": -1, "dim1": 0}),
            ],
            range_error((3,), dim0=0, dim1=2),
        ),
        _in_place(
            "t_",
            lambda x: x.clone().t_(),
            [Sample(((3, 4),)), Sample(((5,),))],
            shape_error((2, 3, 4)),
        ),
    ]
    + [
        _in_place(
            "lerp_",
            lambda x, end, weight: x.clone().lerp_(end, weight),
            [Sample(((3, 4), (3, 4), (3, 4))), Sample(((2, 3), (3,), ()))],
            shape_error((2, 3), (4,), (2, 3)),
        ),
        _in_place(
            "lerp_scalar_",
            lambda x, end, weight: x.clone().lerp_(end, weight),
            [Sample(((3, 4), (3, 4)), {"weight": 0.25}), Sample(((2, 3), (3,)), {"weight": 2})],
            shape_error((2, 3), (4,), weight=0.5),
        ),
        _in_place(
            "addcmul_",
            lambda x, t1, t2, value=1: x.clone().addcmul_(t1, t2, value=value),
            [Sample(((3, 4), (3, 4), (4,))), Sample(((2, 3), (2, 3), (2, 3)), {"value": 0.37})],
            shape_error((2, 3), (4,), (2, 3)),
        ),
        _in_place(
            "addcdiv_",
            lambda x, t1, t2, value=1: x.clone().addcdiv_(t1, t2, value=value),
            [Sample(((3, 4), (3, 4), (4,))), Sample(((2, 3), (2, 3), (2, 3)), {"value": -1.5})],
            shape_error((2, 3), (4,), (2, 3)),
            domain=_away_from_zero,
        ),
        _in_place(
            "fill_diagonal_",
            lambda x, fill_value, wrap=False: x.clone().fill_diagonal_(fill_value, wrap),
            [
                Sample(((3, 4),), {"fill_value": 2.5}),
                Sample(((7, 2),), {"fill_value": -1, "wrap": True}),
                Sample(((7, 2),), {"fill_value": 3.0}),
                Sample(((3, 3, 3),), {"fill_value": 0.5}),
            ],
            shape_error((3,), fill_value=1.0) + shape_error((2, 2, 3), fill_value=1.0),
        ),
    ]
)


# Unary ops in place, against torch's in-place method (or F's inplace=True
# where torch has no method), on the out-of-place op's domain.
_F_IN_PLACE = ("silu", "mish", "selu", "hardsigmoid", "hardswish")
OP_INFOS += [
    _in_place(
        f"{op}_",
        (lambda x, op=op: getattr(F, op)(x.clone(), inplace=True))
        if op in _F_IN_PLACE
        else (lambda x, op=op: getattr(x.clone(), f"{op}_")()),
        UNARY,
        type_error(),
        domain=OPS_BY_NAME[op].domain,
    )
    for op in [
        "relu",
        "sigmoid",
        "tanh",
        "silu",
        "mish",
        "selu",
        "hardsigmoid",
        "hardswish",
        "exp",
        "exp2",
        "log",
        "log2",
        "log10",
        "log1p",
        "expm1",
        "sqrt",
        "rsqrt",
        "square",
        "abs",
        "neg",
        "sign",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "asinh",
        "acosh",
        "atanh",
        "erf",
        "erfc",
        "erfinv",
        "lgamma",
        "digamma",
        "floor",
        "ceil",
        "round",
        "trunc",
        "frac",
        "reciprocal",
    ]
] + [
    _in_place(
        "leaky_relu_",
        lambda x, negative_slope=0.01: F.leaky_relu_(x.clone(), negative_slope),
        [Sample(((3, 4),)), Sample(((5,),), {"negative_slope": 0.2})],
        type_error(),
    ),
    _in_place(
        "elu_",
        lambda x, alpha=1.0: F.elu_(x.clone(), alpha),
        [Sample(((3, 4),)), Sample(((5,),), {"alpha": 0.5})],
        type_error(),
    ),
    _in_place(
        "clamp_min_",
        lambda x, min: x.clone().clamp_min_(min),
        [Sample(((3, 4),), {"min": -0.25})],
        type_error(min=0.0),
    ),
    _in_place(
        "clamp_max_",
        lambda x, max: x.clone().clamp_max_(max),
        [Sample(((3, 4),), {"max": 0.25})],
        type_error(max=0.0),
    ),
    _in_place(
        "scatter_",
        lambda x, src, dim, index: x.clone().scatter_(dim, index, src),
        [Sample(((3, 5), (2, 5)), {"dim": 0, "index": SCATTER_INDEX})],
        range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]])),
        operand_names=("src",),
    ),
    _in_place(
        "scatter_with_",
        lambda x, src, dim, index, reduce: x.clone().scatter_(dim, index, src, reduce=reduce),
        [Sample(((3, 5), (2, 5)), {"dim": 0, "index": SCATTER_INDEX, "reduce": "multiply"})],
        range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]]), reduce="add"),
        operand_names=("src",),
    ),
    _in_place(
        "scatter_value_with_",
        lambda x, dim, index, value, reduce: x.clone().scatter_(dim, index, value, reduce=reduce),
        [Sample(((3, 5),), {"dim": 0, "index": SCATTER_INDEX, "value": 1.5, "reduce": "add"})],
        range_error((2, 3), dim=0, index=np.array([[0, 5, 1]]), value=1.0, reduce="add"),
    ),
    _in_place(
        "scatter_value_",
        lambda x, dim, index, value: x.clone().scatter_(dim, index, value),
        [Sample(((3, 5),), {"dim": 0, "index": SCATTER_INDEX, "value": -2})],
        range_error((2, 3), dim=0, index=np.array([[0, 5, 1]]), value=1.0),
    ),
    _in_place(
        "scatter_add_",
        lambda x, src, dim, index: x.clone().scatter_add_(dim, index, src),
        [Sample(((3, 4), (3, 2)), {"dim": -1, "index": np.array([[0, 3], [1, 1], [2, 0]])})],
        range_error((2, 3), (1, 3), dim=0, index=np.array([[0, 5, 1]])),
        operand_names=("src",),
    ),
    _in_place(
        "index_add_",
        lambda x, source, dim, index, alpha=1: x.clone().index_add_(
            dim, index, source, alpha=alpha
        ),
        [Sample(((2, 5), (2, 2)), {"dim": 1, "index": np.array([4, 4]), "alpha": -0.5})],
        range_error((2, 3), (1, 3), dim=0, index=np.array([5])),
        operand_names=("source",),
    ),
    _in_place(
        "index_fill_",
        lambda x, dim, index, value: x.clone().index_fill_(dim, index, value),
        [Sample(((4, 3),), {"dim": 1, "index": np.array([2]), "value": 9})],
        range_error((2, 3), dim=0, index=np.array([5]), value=0.0),
    ),
    _in_place(
        "index_copy_",
        lambda x, source, dim, index: x.clone().index_copy_(dim, index, source),
        [Sample(((4, 3), (2, 3)), {"dim": 0, "index": np.array([0, 2])})],
        range_error((2, 3), (1, 3), dim=0, index=np.array([5])),
        operand_names=("source",),
    ),
    _in_place(
        "put_",
        lambda x, source, index, accumulate=False: x.clone().put_(index, source, accumulate),
        [Sample(((3, 4), (3,)), {"index": np.array([4, 0, 9]), "accumulate": True})],
        range_error((2, 3), (1,), index=np.array([-7])),
        operand_names=("source",),
    ),
    _in_place(
        "masked_scatter_",
        lambda x, source, mask: x.clone().masked_scatter_(mask, source),
        [Sample(((3, 4), (12,)), {"mask": MASK})],
        [ErrorCase(_tensors((3, 4), (12,)), {"mask": FLOAT_MASK}, flodl.DTypeError)],
        operand_names=("source",),
    ),
    _in_place(
        "masked_fill_",
        lambda x, mask, value: x.clone().masked_fill_(mask, value),
        [Sample(((3, 4),), {"mask": MASK, "value": -1.5})],
        [ErrorCase(_tensors((3, 4), (3, 4)), {"value": 1.0}, flodl.DTypeError)],  # a float mask
    ),
]


def _returning_indices(name: str) -> OpInfo:
    """``<name>_with_indices``: the samples of ``<name>``, against torch's
    ``F.<name>(..., return_indices=True)`` (values and positions)."""
    values_only = next(info for info in OP_INFOS if info.name == name)
    torch_fn = getattr(F, name)
    return replace(
        values_only,
        name=f"{name}_with_indices",
        torch_fn=lambda *args, **kw: torch_fn(*args, return_indices=True, **kw),
    )


OP_INFOS += [
    _returning_indices(name)
    for name in (
        "max_pool1d",
        "max_pool2d",
        "max_pool3d",
        "adaptive_max_pool1d",
        "adaptive_max_pool2d",
        "adaptive_max_pool3d",
    )
]


# ----- distributions: against torch.distributions itself -----

_D = torch.distributions
_NORMAL_SAMPLES = [
    Sample(((3, 4), (3, 4), (3, 4))),
    Sample(((2, 3), (3,), (1,))),  # value, loc and scale broadcast
    Sample(((), (), ())),
]


def _normal(loc, scale):
    return _D.Normal(loc, scale, validate_args=False)


def _categorical(logits):
    return _D.Categorical(logits=logits, validate_args=False)


def _bernoulli(logits):
    return _D.Bernoulli(logits=logits, validate_args=False)


OP_INFOS += [
    _nn(
        "normal_log_prob",
        lambda value, loc, scale: _normal(loc, scale).log_prob(value),
        _NORMAL_SAMPLES,
        ("value", "loc", "scale"),
        shape_error((2, 3), (4,), (4,)),
        domain=_positive,
    ),
    _nn(
        "normal_entropy",
        lambda scale: _normal(torch.zeros_like(scale), scale).entropy(),
        [Sample(((3, 4),)), Sample(((),))],
        ("scale",),
        domain=_positive,
    ),
    _nn(
        "normal_cdf",
        lambda value, loc, scale: _normal(loc, scale).cdf(value),
        _NORMAL_SAMPLES,
        ("value", "loc", "scale"),
        shape_error((2, 3), (4,), (4,)),
        domain=_positive,
    ),
    _nn(
        "normal_icdf",
        lambda value, loc, scale: _normal(loc, scale).icdf(value),
        _NORMAL_SAMPLES,
        ("value", "loc", "scale"),
        shape_error((2, 3), (4,), (4,)),
        domain=_probability,  # value in (0, 1); scale positive
    ),
    _nn(
        "normal_kl",
        lambda p_loc, p_scale, q_loc, q_scale: _D.kl_divergence(
            _normal(p_loc, p_scale), _normal(q_loc, q_scale)
        ),
        [Sample(((3, 4), (3, 4), (3, 4), (3, 4))), Sample(((2, 3), (3,), (1,), (2, 1)))],
        ("p_loc", "p_scale", "q_loc", "q_scale"),
        shape_error((2, 3), (4,), (4,), (4,)),
        domain=_positive,
    ),
    _nn(
        "categorical_log_prob",
        lambda logits, value: _categorical(logits).log_prob(value),
        [
            Sample(((4, 5),), {"value": np.array([0, 1, 4, 2])}),
            Sample(((2, 3, 4),), {"value": np.array([[0, 1, 2], [3, 3, 0]])}),
            Sample(((3,),), {"value": np.array([0, 2, 1, 1])}),  # one batch, four values
        ],
        ("logits",),
        argument_error((4, 5), value=np.array([0, 5, 1, 1]))
        + argument_error((4, 5), value=np.array([0, -1, 1, 1])),
    ),
    _nn(
        "categorical_entropy",
        lambda logits: _categorical(logits).entropy(),
        [Sample(((4, 5),)), Sample(((3,),)), Sample(((2, 3, 4),))],
        ("logits",),
    ),
    _nn(
        "categorical_kl",
        lambda p_logits, q_logits: _D.kl_divergence(_categorical(p_logits), _categorical(q_logits)),
        [Sample(((4, 5), (4, 5))), Sample(((2, 3, 4), (3, 4)))],
        ("p_logits", "q_logits"),
        shape_error((4, 5), (4, 3)),
    ),
    _nn(
        "bernoulli_log_prob",
        lambda logits, value: _bernoulli(logits).log_prob(value),
        [Sample(((3, 4), (3, 4))), Sample(((4,), (2, 4)))],
        ("logits", "value"),
        shape_error((3,), (4,)),
        domain=_probability,  # value in (0, 1)
    ),
    _nn(
        "bernoulli_entropy",
        lambda logits: _bernoulli(logits).entropy(),
        [Sample(((3, 4),)), Sample(((),))],
        ("logits",),
    ),
    _nn(
        "bernoulli_kl",
        lambda p_logits, q_logits: _D.kl_divergence(_bernoulli(p_logits), _bernoulli(q_logits)),
        [Sample(((3, 4), (3, 4))), Sample(((5,), (5,)))],  # torch's kl takes one shape
        ("p_logits", "q_logits"),
        shape_error((3,), (4,)),
    ),
]


# In place, the ops above and some of the elementwise ones.
OP_INFOS += (
    [
        _in_place(
            f"{op}_",
            lambda x, op=op: getattr(x.clone(), f"{op}_")(),
            UNARY,
            type_error(),
            domain=OPS_BY_NAME[op].domain,
        )
        for op in ["sinc", "i0", "deg2rad", "rad2deg", "sgn", "logical_not"]
    ]
    + [
        _in_place(
            f"{op}_",
            lambda x, other, op=op: getattr(x.clone(), f"{op}_")(other),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],  # other broadcasts into self
            shape_error((2, 3), (4,)),
            domain=OPS_BY_NAME[op].domain,
        )
        for op in [
            "atan2",
            "hypot",
            "copysign",
            "xlogy",
            "heaviside",
            "logical_and",
            "logical_or",
            "logical_xor",
            "igamma",
            "igammac",
        ]
    ]
    + [
        _in_place(
            f"{op}_",
            lambda x, other, op=op: getattr(x.clone(), f"{op}_")(other),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            shape_error((2, 3), (4,)),
        )
        for op in ("eq", "ne", "lt", "le", "gt", "ge", "ldexp", "nextafter")
    ]
    + [
        _in_place(
            f"{op}_scalar_",
            lambda x, scalar, op=op: getattr(x.clone(), f"{op}_")(scalar),
            [Sample(((3, 4),), {"scalar": 0.25}), Sample(((5,),), {"scalar": -1})],
            type_error(scalar=1.0),
        )
        for op in ("eq", "ne", "lt", "le", "gt", "ge")
    ]
    + [
        _in_place(
            "fmod_",
            lambda x, other: x.clone().fmod_(other),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            shape_error((2, 3), (4,)),
            domain=_positive,
        ),
        _in_place(
            "fmod_scalar_",
            lambda x, scalar: x.clone().fmod_(scalar),
            [Sample(((3, 4),), {"scalar": 0.7}), Sample(((5,),), {"scalar": -2})],
            type_error(scalar=1.0),
        ),
        # In place, float_power's float64 result must fit self: float64 inputs.
        _in_place(
            "float_power_",
            lambda x, exponent: x.clone().float_power_(exponent),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            [ErrorCase(_tensors((2,), (2,)), {}, flodl.DTypeError)],  # float32 self
            domain=_positive,
            input_dtype=np.float64,
        ),
        _in_place(
            "float_power_scalar_",
            lambda x, exponent: x.clone().float_power_(exponent),
            [Sample(((3, 4),), {"exponent": 2}), Sample(((5,),), {"exponent": 0.5})],
            [ErrorCase(_tensors((2,)), {"exponent": 2}, flodl.DTypeError)],
            domain=_positive,
            input_dtype=np.float64,
        ),
        _in_place(
            "bitwise_not_",
            lambda x: x.clone().bitwise_not_(),
            UNARY,
            type_error(),
            domain=_BOOLS["domain"],
            input_dtype=np.bool_,
        ),
    ]
    + [
        _in_place(
            f"{op}_",
            lambda x, other, op=op: getattr(x.clone(), f"{op}_")(other),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            [ErrorCase(_tensors((2, 3), (2, 3)), {}, flodl.DTypeError)],
            domain=_BOOLS["domain"],
            input_dtype=np.bool_,
        )
        for op in ("bitwise_and", "bitwise_or", "bitwise_xor")
    ]
    + [
        _in_place(
            f"{op}_scalar_",
            lambda x, scalar, op=op: getattr(x.clone(), f"{op}_")(scalar),
            [Sample(((3, 4),), {"scalar": True}), Sample(((5,),), {"scalar": False})],
            type_error(scalar=True),
            domain=_BOOLS["domain"],
            input_dtype=np.bool_,
        )
        for op in ("bitwise_and", "bitwise_or", "bitwise_xor")
    ]
    + [
        _in_place(
            f"{op}_",
            lambda x, other, op=op: getattr(x.clone(), f"{op}_")(other),
            [Sample(((3, 4), (3, 4))), Sample(((2, 3), (3,)))],
            [ErrorCase(_tensors((2, 3), (2, 3)), {}, flodl.DTypeError)],
            domain=_SMALL_INTS["domain"],
            input_dtype=np.int64,
        )
        for op in ("bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm")
    ]
    + [
        _in_place(
            f"{op}_scalar_",
            lambda x, scalar, op=op: getattr(x.clone(), f"{op}_")(scalar),
            [Sample(((3, 4),), {"scalar": 2}), Sample(((),), {"scalar": 1})],
            [ErrorCase(_tensors((2, 3)), {"scalar": 1}, flodl.DTypeError)],
            domain=_SMALL_INTS["domain"],
            input_dtype=np.int64,
        )
        for op in ("bitwise_left_shift", "bitwise_right_shift")
    ]
    + [
        _in_place(
            "logit_",
            lambda x, eps=None: x.clone().logit_(eps),
            [Sample(((3, 4),)), Sample(((5,),), {"eps": 0.1})],
            type_error(),
            domain=OPS_BY_NAME["logit"].domain,
        ),
        _in_place(
            "polygamma_",
            lambda x, n: x.clone().polygamma_(n),
            [Sample(((3, 4),), {"n": 1})],
            argument_error((2,), n=-1),
            domain=_positive,
        ),
        _in_place(
            "mvlgamma_",
            lambda x, p: x.clone().mvlgamma_(p),
            [Sample(((3, 4),), {"p": 2})],
            argument_error((2,), p=0),
            domain=lambda a: np.abs(a) + 1.5,
        ),
        _in_place(
            "nan_to_num_",
            lambda x, nan=0.0, posinf=None, neginf=None: x.clone().nan_to_num_(nan, posinf, neginf),
            [Sample(((3, 4),)), Sample(((5,),), {"nan": 1.5, "posinf": 9.0})],
            type_error(),
        ),
        _in_place(
            "cumsum_",
            lambda x, dim: x.clone().cumsum_(dim),
            [Sample(((3, 4),), {"dim": 1}), Sample(((5,),), {"dim": 0})],
            range_error((2, 3), dim=2),
        ),
        _in_place(
            "cumprod_",
            lambda x, dim: x.clone().cumprod_(dim),
            [Sample(((3, 4),), {"dim": 0})],
            range_error((2, 3), dim=-3),
        ),
        _in_place(
            "swapaxes_",
            lambda x, axis0, axis1: x.clone().swapaxes_(axis0, axis1),
            [Sample(((3, 4),), {"axis0": 0, "axis1": 1})],
            range_error((3,), axis0=0, axis1=2),
        ),
        _in_place(
            "addmm_",
            lambda x, mat1, mat2, beta=1.0, alpha=1.0: x.clone().addmm_(
                mat1, mat2, beta=beta, alpha=alpha
            ),
            [Sample(((3, 4), (3, 5), (5, 4)), {"beta": 0.5, "alpha": 2.0})],
            shape_error((3, 4), (3, 5), (4, 4)),
            operand_names=("mat1", "mat2"),
        ),
        _in_place(
            "addmv_",
            lambda x, mat, vec, beta=1.0, alpha=1.0: x.clone().addmv_(
                mat, vec, beta=beta, alpha=alpha
            ),
            [
                Sample(((3,), (3, 4), (4,))),
                Sample(((3,), (3, 4), (4,)), {"beta": 0.5, "alpha": 2.0}),
            ],
            shape_error((3,), (3, 4), (3,)),
        ),
        _in_place(
            "addr_",
            lambda x, vec1, vec2, beta=1.0, alpha=1.0: x.clone().addr_(
                vec1, vec2, beta=beta, alpha=alpha
            ),
            [
                Sample(((3, 4), (3,), (4,))),
                Sample(((3, 4), (3,), (4,)), {"beta": 0.5, "alpha": 2.0}),
            ],
            shape_error((3, 4), (3,), (5,)),
        ),
        _in_place(
            "addbmm_",
            lambda x, batch1, batch2, beta=1.0, alpha=1.0: x.clone().addbmm_(
                batch1, batch2, beta=beta, alpha=alpha
            ),
            [
                Sample(((3, 4), (2, 3, 5), (2, 5, 4))),
                Sample(((3, 4), (2, 3, 5), (2, 5, 4)), {"beta": 0.5, "alpha": 2.0}),
            ],
            shape_error((3, 4), (2, 3, 5), (2, 4, 4)),
        ),
        _in_place(
            "baddbmm_",
            lambda x, batch1, batch2, beta=1.0, alpha=1.0: x.clone().baddbmm_(
                batch1, batch2, beta=beta, alpha=alpha
            ),
            [Sample(((2, 3, 4), (2, 3, 5), (2, 5, 4)), {"alpha": -1.0})],
            shape_error((2, 3, 4), (2, 3, 5), (2, 4, 4)),
            operand_names=("batch1", "batch2"),
        ),
        _in_place(
            "renorm_",
            lambda x, p, dim, maxnorm: x.clone().renorm_(p, dim, maxnorm),
            [Sample(((3, 4),), {"p": 2, "dim": 0, "maxnorm": 1.0})],
            range_error((2, 3), p=2, dim=2, maxnorm=1.0),
        ),
        _in_place(
            "random_",
            lambda x, **bounds: x.clone().random_(*bounds.values()),
            [Sample(((50,),), {"to": 9}), Sample(((3, 4),), {"to": 5})],
            argument_error((3,), to=-2),
            random=True,
        ),
    ]
)


# ----- complex numbers and the discrete Fourier transforms -----


def dtype_error(*shapes, dtype=None, **kwargs) -> list[ErrorCase]:
    """Operands of `dtype` (float32 by default) where the op needs another."""
    made = lambda: tuple(flodl.Tensor.zeros(list(s), dtype=dtype or flodl.float32) for s in shapes)
    return [ErrorCase(made, kwargs, flodl.DTypeError)]


def _complex_unary(name, torch_fn, errors=(), **kw) -> OpInfo:
    return OpInfo(name, torch_fn, UNARY, errors=[*type_error(), *errors], complex_inputs=True, **kw)


def _fft(name: str, complex_inputs: bool, samples) -> OpInfo:
    short = name.removeprefix("fft_")
    torch_fn = getattr(torch.fft, short)
    return OpInfo(
        name,
        lambda x, **kw: torch_fn(x, **kw),
        samples,
        errors=[*type_error(), *argument_error((4, 4), norm="sideways")],
        complex_inputs=complex_inputs,
    )


FFT_1D = [
    Sample(((8,),)),
    Sample(((3, 6),), {"dim": 0}),
    Sample(((5,),), {"n": 8, "norm": "ortho"}),
    Sample(((2, 6),), {"n": 4, "norm": "forward"}),
]
FFT_2D = [
    Sample(((4, 6),)),
    Sample(((2, 3, 4),), {"s": [4, 6], "norm": "ortho"}),
    Sample(((3, 4, 5),), {"dim": [0, 2]}),
]
FFT_ND = [
    Sample(((4, 6),)),
    Sample(((2, 3, 4),), {"dim": [0, 2], "norm": "forward"}),
    Sample(((3, 4),), {"s": [2, 6]}),
]
# A positive window keeps istft's overlap-add envelope away from zero.
_WINDOW = np.hanning(8) + 0.5

OP_INFOS += [
    _complex_unary("real", torch.real),
    _complex_unary("imag", torch.imag, dtype_error((3,))),
    _complex_unary("conj", torch.conj),
    _complex_unary("conj_physical", torch.conj_physical),
    _complex_unary("resolve_conj", torch.resolve_conj, returns_input=True),
    _complex_unary("resolve_neg", torch.resolve_neg, returns_input=True),
    _complex_unary("view_as_real", torch.view_as_real, dtype_error((3,))),
    OpInfo(
        "view_as_complex",
        torch.view_as_complex,
        [Sample(((3, 2),)), Sample(((2, 4, 2),)), Sample(((2,),))],
        errors=[*type_error(), *shape_error((3, 3))],
    ),
    OpInfo(
        "complex",
        torch.complex,
        ELEMENTWISE_BINARY,
        errors=[*type_error(), *dtype_error((3,), (3,), dtype=flodl.int64)],
    ),
    # PyTorch's derivative takes abs >= 0 (torch.polar's domain).
    OpInfo("polar", torch.polar, ELEMENTWISE_BINARY, _positive, type_error()),
    *(
        _fft(f"fft_{n}", n not in ("rfft", "ihfft"), FFT_1D)
        for n in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
    ),
    *(
        _fft(f"fft_{n}", n not in ("rfft2", "ihfft2"), FFT_2D)
        for n in ("fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2")
    ),
    *(
        _fft(f"fft_{n}", n not in ("rfftn", "ihfftn"), FFT_ND)
        for n in ("fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn")
    ),
    OpInfo(
        "fft_fftshift",
        lambda x, dim=None: torch.fft.fftshift(x, dim),
        [Sample(((5,),)), Sample(((4, 5),), {"dim": [0]}), Sample(((3, 4, 2),))],
        errors=type_error(),
        complex_inputs=True,
    ),
    OpInfo(
        "fft_ifftshift",
        lambda x, dim=None: torch.fft.ifftshift(x, dim),
        [Sample(((5,),)), Sample(((4, 5),), {"dim": [-1]})],
        errors=type_error(),
    ),
    OpInfo(
        "stft",
        lambda x, **kw: torch.stft(x, **kw),
        [
            Sample(
                ((40,),),
                {"n_fft": 16, "hop_length": 4, "window": np.hanning(16), "return_complex": True},
            ),
            Sample(((2, 30),), {"n_fft": 8, "center": False, "return_complex": True}),
            Sample(
                ((24,),),
                {
                    "n_fft": 8,
                    "normalized": True,
                    "onesided": False,
                    "pad_mode": "constant",
                    "return_complex": True,
                },
            ),
        ],
        errors=[*type_error(), *argument_error((30,), n_fft=8)],
    ),
    OpInfo(
        "istft",
        lambda x, **kw: torch.istft(x, **kw),
        [
            Sample(((5, 7),), {"n_fft": 8}),
            Sample(((5, 9),), {"n_fft": 8, "hop_length": 2, "window": _WINDOW}),
            Sample(((2, 5, 6),), {"n_fft": 8, "length": 20}),
        ],
        errors=[*type_error(), *dtype_error((5, 7), n_fft=8)],
        complex_inputs=True,
    ),
]
