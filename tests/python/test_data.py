"""``flodl.utils.data`` (SPEC 14): torch's data API whose loaders yield flodl
tensors, in PyTorch's order from the same seed."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as torch_data

import flodl
from flodl import Tensor, Variable
from flodl.utils import data

X = np.arange(30, dtype=np.float32).reshape(10, 3) / 3
Y = np.arange(10)


def batches(module, loader_kwargs: dict, make) -> list[list[np.ndarray]]:
    """Each batch's fields as numpy arrays, drawn after seeding."""
    (flodl if module is data else torch).manual_seed(3)
    dataset = module.TensorDataset(make(X), make(Y))
    loader = module.DataLoader(dataset, **loader_kwargs)
    out = []
    for xb, yb in loader:
        assert isinstance(xb, Tensor if module is data else torch.Tensor)
        out.append([np.asarray(xb.tolist()), np.asarray(yb.tolist())])
    return out


def test_a_loader_yields_flodl_tensors_in_torch_s_order() -> None:
    for kwargs in (
        {"batch_size": 4},
        {"batch_size": 4, "shuffle": True},
        {"batch_size": 3, "shuffle": True, "drop_last": True},
        {"batch_size": 2, "sampler": "weighted"},
        {"batch_size": 5, "shuffle": True, "num_workers": 2},
    ):
        got_kwargs, want_kwargs = dict(kwargs), dict(kwargs)
        if kwargs.get("sampler") == "weighted":
            weights = [float(i + 1) for i in range(10)]
            got_kwargs["sampler"] = data.WeightedRandomSampler(weights, 6)
            want_kwargs["sampler"] = torch_data.WeightedRandomSampler(weights, 6)
        got = batches(data, got_kwargs, Tensor.from_numpy)
        want = batches(torch_data, want_kwargs, torch.from_numpy)
        assert len(got) == len(want), kwargs
        for (gx, gy), (wx, wy) in zip(got, want):
            np.testing.assert_array_equal(gx, wx)
            np.testing.assert_array_equal(gy, wy)


def test_random_split_draws_torch_s_split() -> None:
    flodl.manual_seed(7)
    got = data.random_split(range(20), [0.7, 0.3])
    torch.manual_seed(7)
    want = torch_data.random_split(range(20), [0.7, 0.3])
    assert [list(s.indices) for s in got] == [list(s.indices) for s in want]


def test_default_collate_batches_into_flodl_tensors() -> None:
    Pair = namedtuple("Pair", "a b")
    batch = [
        {
            "x": Tensor.from_numpy(X[i]),
            "n": np.array([i, i]),
            "f": 0.5 * i,
            "i": i,
            "p": Pair(i, "s"),
        }
        for i in range(3)
    ]
    got = data.default_collate(batch)
    want = torch_data.default_collate(
        [{**b, "x": torch.from_numpy(X[i])} for i, b in enumerate(batch)]
    )
    for key in ("x", "n", "f", "i"):
        assert type(got[key]) is Tensor
        assert got[key].dtype.name == str(want[key].dtype).removeprefix("torch.")
        assert got[key].tolist() == want[key].tolist()
    assert type(got["p"]) is Pair and got["p"].a.tolist() == [0, 1, 2]
    assert got["p"].b == want["p"].b


def test_samples_that_are_variables_collate_to_a_variable() -> None:
    w = Variable(flodl.ones(2), requires_grad=True)
    batch = data.default_collate([w * 1, w * 2])
    assert type(batch) is Variable and batch.shape == (2, 2)
    batch.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_unbatched_loading_converts_arrays() -> None:
    loader = data.DataLoader([np.array([1.0, 2.0])], batch_size=None)
    (item,) = list(loader)
    assert type(item) is Tensor and item.tolist() == [1.0, 2.0]


def test_utils_data_is_imported_on_first_use() -> None:
    assert flodl.utils.data is data
    assert flodl.utils.data.Dataset is torch_data.Dataset


def test_a_generator_of_one_s_own_draws_torch_s_numbers() -> None:
    """``flodl.Generator`` is torch's: the random creation functions, the
    loader's shuffling and random_split draw from it what torch draws."""
    assert flodl.Generator is torch.Generator
    g, tg = flodl.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    assert flodl.randperm(9, generator=g).tolist() == torch.randperm(9, generator=tg).tolist()
    got = flodl.randn(2, 3, generator=g, dtype=flodl.float64, requires_grad=True)
    want = torch.randn(2, 3, generator=tg, dtype=torch.float64)
    assert isinstance(got, flodl.Variable) and got.is_leaf
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    np.testing.assert_array_equal(
        flodl.rand([4], generator=g).numpy(), torch.rand([4], generator=tg).numpy()
    )
    assert (
        flodl.randint(3, 9, (5,), generator=g).tolist()
        == torch.randint(3, 9, (5,), generator=tg).tolist()
    )
    # The generator's state moved on, as torch's: the next draws differ.
    assert flodl.randperm(9, generator=g).tolist() == torch.randperm(9, generator=tg).tolist()
    dataset = data.TensorDataset(flodl.arange(10))
    seeded = flodl.Generator().manual_seed(3)
    ours = data.DataLoader(dataset, batch_size=4, shuffle=True, generator=seeded)
    theirs = torch_data.DataLoader(
        torch_data.TensorDataset(torch.arange(10)),
        batch_size=4,
        shuffle=True,
        generator=torch.Generator().manual_seed(3),
    )
    for _ in range(2):  # two epochs: the loader's generator advances
        assert [b[0].tolist() for b in ours] == [b[0].tolist() for b in theirs]
    with pytest.raises(TypeError, match="generator"):
        flodl.zeros(2, generator=g)
    # flodl's checks and typed errors, as without a generator.
    with pytest.raises(flodl.ArgumentError, match="randn: shape \\[-1\\] has a negative size"):
        flodl.randn(-1, generator=g)
    with pytest.raises(flodl.ArgumentError, match="randint: low must be below high"):
        flodl.randint(5, 3, (2,), generator=g)
    with pytest.raises(flodl.ArgumentError, match='rand: device must be "cpu", "cuda" or "cuda:N"'):
        flodl.rand(2, device="tpu", generator=g)
    assert flodl.randperm(4, generator=g, dtype=flodl.float32).dtype == flodl.float32
