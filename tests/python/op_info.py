"""The op-info table: one entry per differentiable op of SPEC §5.

Each entry names the flodl method, the PyTorch function it must match, and
sample inputs. tests/python/test_ops.py drives every entry through forward
parity, gradient parity with torch.autograd, a float64 finite-difference
check and the error cases. Adding an op means adding an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch


@dataclass
class Sample:
    """Inputs of one call: the tensor operands (numpy arrays; the first is
    `self`) and the scalar arguments, passed by keyword."""

    shapes: tuple[tuple[int, ...], ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ErrorCase:
    """A bad call and the exception class it must raise."""

    operands: Callable[[], tuple]  # makes flodl Tensors (first is self)
    kwargs: dict[str, Any]
    raises: type


@dataclass
class OpInfo:
    name: str
    torch_fn: Callable[..., torch.Tensor]
    samples: list[Sample]
    # Maps standard normal samples into the op's domain (log needs x > 0).
    domain: Callable[[np.ndarray], np.ndarray] = lambda a: a
    # Whether the op is smooth at the samples (finite differences apply).
    smooth: bool = True
    errors: list[ErrorCase] = field(default_factory=list)


def _positive(a: np.ndarray) -> np.ndarray:
    return np.abs(a) + 0.5


def _away_from_zero(a: np.ndarray) -> np.ndarray:
    return np.sign(a) * (np.abs(a) + 0.5) + (a == 0)


def _away_from_kinks(a: np.ndarray) -> np.ndarray:
    # relu's kink at 0 would make finite differences meaningless there.
    return np.where(np.abs(a) < 0.1, a + 0.3, a)


ELEMENTWISE_BINARY = [
    Sample(((3, 4), (3, 4))),
    Sample(((3, 4), (4,))),  # broadcasting
    Sample(((2, 1, 3), (4, 1))),
    Sample(((), (2, 3))),
]
UNARY = [Sample(((5,),)), Sample(((3, 4),)), Sample(((),)), Sample(((2, 3, 2),))]


def _flodl():
    import flodl

    return flodl


def _mismatched():
    f = _flodl()
    return (f.Tensor.zeros([2, 3]), f.Tensor.zeros([4]))


def _int_tensor():
    f = _flodl()
    return (f.Tensor.from_i64([1, 2, 3], [3]),)


def _bool_tensor():
    f = _flodl()
    return (f.Tensor.from_numpy(np.array([True, False])),)


def _shape_error():
    return [ErrorCase(_mismatched, {}, _flodl().ShapeError)]


OP_INFOS: list[OpInfo] = [
    # --- arithmetic ---
    OpInfo("add", torch.add, ELEMENTWISE_BINARY, errors=_shape_error()),
    OpInfo("sub", torch.sub, ELEMENTWISE_BINARY, errors=_shape_error()),
    OpInfo("mul", torch.mul, ELEMENTWISE_BINARY, errors=_shape_error()),
    OpInfo("div", torch.div, ELEMENTWISE_BINARY, domain=_away_from_zero, errors=_shape_error()),
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
        errors=[ErrorCase(_mismatched, {}, _flodl().ShapeError)],
    ),
    OpInfo("mul_scalar", lambda x, scalar: x * scalar, [Sample(((3, 4),), {"scalar": -2.5})]),
    OpInfo("add_scalar", lambda x, scalar: x + scalar, [Sample(((3, 4),), {"scalar": 1.5})]),
    OpInfo("div_scalar", lambda x, scalar: x / scalar, [Sample(((3, 4),), {"scalar": 4.0})]),
    OpInfo(
        "neg",
        torch.neg,
        UNARY,
        errors=[ErrorCase(_bool_tensor, {}, _flodl().DTypeError)],
    ),
    # --- activation ---
    OpInfo(
        "relu",
        torch.relu,
        UNARY,
        domain=_away_from_kinks,
        errors=[ErrorCase(_bool_tensor, {}, _flodl().DTypeError)],
    ),
    OpInfo("sigmoid", torch.sigmoid, UNARY),
    OpInfo("tanh", torch.tanh, UNARY),
    # --- math ---
    OpInfo("exp", torch.exp, UNARY),
    OpInfo("log", torch.log, UNARY, domain=_positive),
    OpInfo("reciprocal", torch.reciprocal, UNARY, domain=_away_from_zero),
    OpInfo(
        "pow_scalar",
        lambda x, exponent: torch.pow(x, exponent),
        [Sample(((3, 4),), {"exponent": 2.0}), Sample(((5,),), {"exponent": -1.5})],
        domain=_positive,
    ),
    # --- reduction ---
    OpInfo("sum", torch.sum, UNARY),
    OpInfo(
        "mean",
        torch.mean,
        UNARY,
        errors=[ErrorCase(_int_tensor, {}, _flodl().DTypeError)],
    ),
]

OPS_BY_NAME = {info.name: info for info in OP_INFOS}
