"""Indexing against PyTorch: basic and advanced, the values and (on a
Variable) the gradients, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable

A = np.random.default_rng(0).standard_normal((4, 5, 6))


def keys():
    mask = A[:, :, 0] > 0
    return [
        1,
        -1,
        (1, 2),
        (1, 2, 3),
        slice(1, 3),
        slice(None, None, 2),
        (slice(-3, None), slice(None, 2)),
        (Ellipsis, 0),
        (None, 1),
        (slice(1, None), None, -1),
        (Ellipsis, None),
        [0, 2],
        ([0, 2], [1, 3]),
        (slice(None), [0, 2]),
        ([0, 1], slice(None), [1, 2]),  # advanced indices apart: their dims go first
        (1, [0, 2]),
        ("int64", [3, 0, 3]),
        ("bool", mask),
        ("bool", A[:, 0, 0] > 0),
        (Ellipsis, [1, 1]),
        np.array([2, 0]),
    ]


def as_keys(key):
    """The key for flodl and for torch (a tagged array becomes a tensor)."""
    if isinstance(key, tuple) and key and key[0] in ("int64", "bool"):
        array = np.asarray(key[1], dtype=np.int64 if key[0] == "int64" else bool)
        return Tensor.from_numpy(array), torch.from_numpy(array)
    return key, key


@pytest.mark.parametrize("key", keys(), ids=repr)
def test_indexing_matches_torch(key) -> None:
    fkey, tkey = as_keys(key)
    expected = torch.from_numpy(A.copy())[tkey]
    got = Tensor.from_numpy(A.copy())[fkey]
    assert got.shape == list(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())

    v = Variable(Tensor.from_numpy(A.copy()), True)
    v[fkey].sum().backward()
    t = torch.from_numpy(A.copy()).requires_grad_()
    t[tkey].sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize(
    "key,error",
    [
        (10, flodl.OutOfRangeError),
        ((1, 2, 3, 4), flodl.OutOfRangeError),
        ([0, 9], flodl.OutOfRangeError),
        (slice(None, None, -1), flodl.ArgumentError),
        ((Ellipsis, Ellipsis), flodl.ArgumentError),
        ("a", TypeError),
        (1.5, TypeError),
    ],
    ids=repr,
)
def test_bad_indices_raise_their_kind(key, error) -> None:
    with pytest.raises(error) as caught:
        Tensor.from_numpy(A.copy())[key]
    if issubclass(error, flodl.FlodlError):
        assert str(caught.value).startswith("index: ")
