"""flodl.nn.init (Rust's flodl::nn::init) against torch.nn.init: after the
same seed, every initialiser fills the same numbers; bad arguments are
errors naming them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import flodl
from flodl import ArgumentError, Tensor, Variable
from flodl.nn import init as fl_init

TORCH_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])

# (initialiser, shape, keyword arguments)
CASES: list[tuple[str, list[int], dict[str, Any]]] = [
    ("uniform_", [3, 4], {"a": -2.0, "b": 0.5}),
    ("normal_", [5, 2], {"mean": 1.0, "std": 0.3}),
    ("trunc_normal_", [40, 30], {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.5}),
    ("trunc_normal_", [100], {}),
    ("trunc_normal_", [30, 20], {"std": 5.0, "a": -1.0, "b": 1.0}),  # the rejection branch
    ("constant_", [2, 3], {"val": 0.7}),
    ("ones_", [2, 3], {}),
    ("zeros_", [2, 3], {}),
    ("eye_", [3, 5], {}),
    ("dirac_", [4, 2, 3], {}),
    ("dirac_", [6, 3, 3, 3], {"groups": 2}),
    ("dirac_", [2, 2, 3, 3, 3], {}),
    ("xavier_uniform_", [6, 4, 3], {"gain": 2.0}),
    ("xavier_normal_", [6, 4], {}),
    ("kaiming_uniform_", [8, 3, 3, 3], {"a": 5**0.5}),
    ("kaiming_uniform_", [8, 3], {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", [8, 5], {"nonlinearity": "tanh"}),
    ("kaiming_normal_", [4, 6, 2], {"a": 0.2, "mode": "fan_out"}),
    ("orthogonal_", [5, 3], {}),
    ("orthogonal_", [3, 5], {"gain": 1.5}),
    ("orthogonal_", [4, 2, 3], {}),
    ("sparse_", [10, 6], {"sparsity": 0.3}),
    ("sparse_", [7, 3], {"sparsity": 0.5, "std": 0.5}),
]


@pytest.mark.parametrize("name,shape,kwargs", CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("kind", ["tensor", "variable"])
def test_initialisers_fill_torch_s_numbers(
    name: str, shape: list[int], kwargs: dict[str, Any], kind: str
) -> None:
    torch.manual_seed(3)
    expected = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), **kwargs)
    flodl.manual_seed(3)
    target: Any = Tensor.zeros(shape, dtype="float64")
    if kind == "variable":
        target = Variable(target, requires_grad=True)
    returned = getattr(fl_init, name)(target, **kwargs)
    assert returned is target
    if name == "trunc_normal_" and TORCH_VERSION < (2, 13):
        # flodl draws as torch 2.13 does (rejection); torch 2.11 inverted the
        # CDF instead, so only the range is common.
        a, b = kwargs.get("a", -2.0), kwargs.get("b", 2.0)
        assert a <= target.numpy().min() and target.numpy().max() <= b
        return
    np.testing.assert_allclose(
        target.detach().numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-15
    )
    if kind == "variable":
        assert target.is_leaf and target.requires_grad


def test_gain_and_fans_are_torch_s() -> None:
    for nonlinearity, param in [
        ("linear", None),
        ("conv_transpose2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ]:
        ours = fl_init.calculate_gain(nonlinearity, param)
        theirs = torch.nn.init.calculate_gain(nonlinearity, param)
        # the same number and type (torch's int 1 prints as "1")
        assert (ours, type(ours)) == (theirs, type(theirs)), nonlinearity
    for shape in ([3, 4], [8, 3, 5, 5], [2, 6, 3]):
        t = Tensor.zeros(shape)
        assert fl_init._calculate_fan_in_and_fan_out(
            t
        ) == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ArgumentError, match='unsupported nonlinearity "swish"'):
        fl_init.calculate_gain("swish")
    with pytest.raises(ArgumentError, match="negative_slope True not a valid number"):
        fl_init.calculate_gain("leaky_relu", True)
    with pytest.raises(ArgumentError, match="fewer than 2 dimensions"):
        fl_init.xavier_uniform_(Tensor.zeros([3]))
    with pytest.raises(ArgumentError, match="Mode fan_up not supported"):
        fl_init.kaiming_uniform_(Tensor.zeros([3, 3]), mode="fan_up")
    with pytest.raises(ArgumentError, match="eye_: only 2-dimensional"):
        fl_init.eye_(Tensor.zeros([2, 2, 2]))
    with pytest.raises(ArgumentError, match="orthogonal_: only tensors with 2 or more"):
        fl_init.orthogonal_(Tensor.zeros([4]))
    with pytest.raises(ArgumentError, match="dirac_: dim 0 must be divisible by groups"):
        fl_init.dirac_(Tensor.zeros([3, 2, 3]), groups=2)
    with pytest.raises(TypeError, match="expected a Tensor or a Variable, got list"):
        fl_init.ones_([1.0, 2.0])
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        fl_init.trunc_normal_(Tensor.zeros([3]), mean=10.0)
