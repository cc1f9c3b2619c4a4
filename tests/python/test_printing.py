"""Tensors print as PyTorch's (SPEC 3): the same text for the same values,
so that a program's printout reads the same: precision, fixed, integer or
scientific notation, widths, wrapping, summarisation, the dtype, size,
grad_fn and requires_grad suffixes, ``set_printoptions`` and ``format``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl

RNG = np.random.default_rng(0)
ARRAYS = {
    "floats": np.array([1.5, 2.0], np.float32),
    "integral floats": np.array([[1, 2], [3, 4]], np.float32),
    "small and large": np.array([1e-5, 1.0], np.float32),
    "0-d": np.array(2.5, np.float32),
    "empty 2-d": np.zeros((0, 3), np.float32),
    "empty int64": np.zeros(0, np.int64),
    "empty 3-d": np.zeros((2, 0, 3), np.float32),
    "zeros": np.array([0.0, 0.0], np.float32),
    "non-finite": np.array([np.nan, 1.0, np.inf, -np.inf], np.float32),
    "nan and integral": np.array([1.0, np.nan], np.float32),
    "normal 2-d": RNG.standard_normal((3, 4)).astype(np.float32),
    "float64 3-d": RNG.standard_normal((2, 3, 4)),
    "summarised 1-d": RNG.standard_normal(2000).astype(np.float32),
    "summarised 2-d": RNG.standard_normal((40, 50)).astype(np.float32),
    "summarised 3-d": RNG.standard_normal((12, 12, 12)).astype(np.float32),
    "wrapped int64": np.arange(30, dtype=np.int64),
    "int32": np.arange(-5, 5, dtype=np.int32),
    "bool": np.array([True, False]),
    "huge": RNG.standard_normal(30).astype(np.float32) * 1e9,
    "wide integral": np.array([1e10, 1.0], np.float32),
    "ratio above 1000": np.array([100000.0, 1.0], np.float32),
    "negative zero": np.array([-0.0, 1.25], np.float32),
    "int64 2-d": RNG.integers(-1000, 1000, (5, 7)),
    "uint8": np.array([3], np.uint8),
    "summarised int64": np.arange(2000, dtype=np.int64).reshape(40, 50),
    "float16": RNG.standard_normal(17).astype(np.float16),
    "1x1x1": RNG.standard_normal((1, 1, 1)).astype(np.float32),
    "big float64": np.array([123456789.0, 0.5]),
    "tiny": np.array([0.0001, 0.5], np.float32),
}


def flodl_text(obj: object) -> str:
    return repr(obj).replace("flodl.", "torch.")


@pytest.mark.parametrize("name", list(ARRAYS))
def test_a_tensor_prints_as_torch_s(name: str) -> None:
    values = ARRAYS[name]
    assert flodl_text(flodl.Tensor.from_numpy(values.copy())) == repr(torch.from_numpy(values))
    if values.dtype.kind == "f":
        got = flodl.Variable(flodl.Tensor.from_numpy(values.copy()), True)
        want = torch.from_numpy(values.copy()).requires_grad_()
        assert flodl_text(got) == repr(want)
        assert str(got) == repr(got)


def test_results_name_their_grad_fn() -> None:
    x, tx = (
        flodl.tensor([1.0, 2.0], requires_grad=True),
        torch.tensor([1.0, 2.0], requires_grad=True),
    )
    for make in (lambda m, v: v * 2, lambda m, v: v.sum() + 1, lambda m, v: m.exp(v).mean()):
        assert repr(make(flodl, x)) == repr(make(torch, tx))
    assert repr(flodl.nn.Parameter(flodl.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"profile": "short"},
        {"threshold": 5, "edgeitems": 1},
        {"linewidth": 30},
        {"sci_mode": True},
        {"sci_mode": False},
        {"profile": "full"},
        {"edgeitems": 0, "threshold": 5},
    ],
)
def test_set_printoptions_as_torch_s(options: dict) -> None:
    values = RNG.standard_normal((8, 9)).astype(np.float32) * 1e3
    try:
        flodl.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert flodl_text(flodl.Tensor.from_numpy(values)) == repr(torch.from_numpy(values))
        assert flodl.get_printoptions()["precision"] == (
            2 if options.get("precision") == 2 or options.get("profile") == "short" else 4
        )
    finally:
        flodl.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_set_printoptions_refuses_bad_values() -> None:
    with pytest.raises(flodl.ArgumentError, match="set_printoptions: precision must be >= 0"):
        flodl.set_printoptions(precision=-1)
    with pytest.raises(flodl.ArgumentError, match="profile"):
        flodl.set_printoptions(profile="long")
    assert flodl.get_printoptions()["precision"] == 4


def test_format_spec_formats_a_single_element_as_its_number() -> None:
    loss = flodl.tensor(0.123456, requires_grad=True) * 1
    assert f"{loss:.4f}" == f"{torch.tensor(0.123456) * 1:.4f}" == "0.1235"
    assert f"{flodl.tensor([7]):>4}" == "   7"
    assert f"{flodl.tensor([1.5, 2.0])}" == "tensor([1.5000, 2.0000])"
    with pytest.raises(TypeError, match="single-element"):
        f"{flodl.tensor([1.5, 2.0]):.2f}"
