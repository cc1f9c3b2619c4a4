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
        # A short list holding a sequence, a slice, None or ... is a tuple
        # of indices, as PyTorch reads it (with a warning).
        [[0, 1], [1, 2]],
        [[0, 1]],
        [slice(None), 1],
        [None, 1],
        [Ellipsis, 0],
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
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())

    v = Variable(Tensor.from_numpy(A.copy()), True)
    v[fkey].sum().backward()
    t = torch.from_numpy(A.copy()).requires_grad_()
    t[tkey].sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), t.grad.numpy())


def test_a_list_of_indices_is_read_as_torch_reads_it() -> None:
    """A list of tensors is a tuple of indices (PyTorch's rule, which warns),
    for reading and writing; a list of ints stays one index array, as does
    a list of 32 or more."""
    a, t = Tensor.from_numpy(A.copy()), torch.from_numpy(A.copy())
    with pytest.warns(UserWarning, match="tuple"):
        got = a[[flodl.tensor(1), flodl.tensor(2)]]
    with pytest.warns(UserWarning):
        want = t[[torch.tensor(1), torch.tensor(2)]]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.warns(UserWarning):
        a[[[0, 1], [1, 2]]] = 7.0
    with pytest.warns(UserWarning):
        t[[[0, 1], [1, 2]]] = 7.0
    np.testing.assert_array_equal(a.numpy(), t.numpy())
    long = [0, 1] * 16 + [[0]]  # 33 items: an index array (of ragged rows, refused)
    with pytest.raises(Exception):  # noqa: B017 - torch refuses too
        t[long]
    with pytest.raises(Exception):  # noqa: B017
        a[long]
    np.testing.assert_array_equal(a[[0, 2]].numpy(), t[[0, 2]].numpy())


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


def test_index_put_writes_or_adds_at_tensor_indices_as_torch() -> None:
    base = np.arange(12.0).reshape(3, 4)
    # With accumulate, (0, 1) indexed twice takes both values; without, the
    # indices are distinct (a repeated one keeps either value).
    for accumulate, n in ((False, 2), (True, 3)):
        rows, cols = np.array([0, 2, 0])[:n], np.array([1, 3, 1])[:n]
        values = np.array([10.0, 20.0, 30.0])[:n]
        ours = Tensor.from_numpy(base.copy())
        theirs = torch.from_numpy(base.copy())
        index = (Tensor.from_numpy(rows), Tensor.from_numpy(cols))
        t_index = (torch.from_numpy(rows), torch.from_numpy(cols))
        out = ours.index_put(index, Tensor.from_numpy(values), accumulate=accumulate)
        t_out = theirs.index_put(t_index, torch.from_numpy(values), accumulate=accumulate)
        np.testing.assert_array_equal(out.numpy(), t_out.numpy())
        assert ours.tolist() == base.tolist()  # a copy
        assert ours.index_put_(index, Tensor.from_numpy(values), accumulate) is ours
        theirs.index_put_(t_index, torch.from_numpy(values), accumulate)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # None takes a whole dim; a number is a value; the module function too
    ours = flodl.zeros(2, 3)
    ours.index_put_((None, flodl.tensor([2])), 5.0)
    assert ours.tolist() == [[0.0, 0.0, 5.0], [0.0, 0.0, 5.0]]
    mask = flodl.tensor([True, False])
    assert flodl.index_put(ours, (mask,), flodl.ones(3)).tolist() == [[1.0] * 3, [0.0, 0.0, 5.0]]


def test_index_put_records_on_a_variable() -> None:
    x = Variable(Tensor.from_numpy(np.ones((2, 3))), requires_grad=True)
    v = Variable(Tensor.from_numpy(np.array([2.0, 3.0])), requires_grad=True)
    tx = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    tv = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)
    index = (flodl.tensor([0, 1]), flodl.tensor([2, 2]))
    t_index = (torch.tensor([0, 1]), torch.tensor([2, 2]))
    (x.index_put(index, v, accumulate=True) ** 2).sum().backward()
    (tx.index_put(t_index, tv, accumulate=True) ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_array_equal(v.grad.numpy(), tv.grad.numpy())


def test_index_put_checks_its_indices() -> None:
    x = flodl.zeros(2, 3)
    with pytest.raises(TypeError, match="index_put_: indices must be a tuple of tensors"):
        x.index_put_(flodl.tensor([0]), flodl.ones(1))
    with pytest.raises(TypeError, match="indices must be a tuple"):
        x.index_put_((0,), flodl.ones(1))
    with pytest.raises(flodl.OutOfRangeError):
        x.index_put_((flodl.tensor([5]),), flodl.ones(1))
    with pytest.raises(flodl.OutOfRangeError, match="too many indices"):
        x.index_put_((flodl.tensor([0]),) * 3, flodl.ones(1))
