"""flodl.random (fork_rng and the seeding functions) and flodl.testing
(assert_close) against torch's: the same streams restored, the same
verdicts with PyTorch's default tolerances, the same reports."""

from __future__ import annotations

import pytest
import torch

import flodl
from flodl import testing


def test_fork_rng_restores_the_stream_as_torch_s() -> None:
    for m in (flodl, torch):
        m.manual_seed(0)
        before = m.rand(3)
        m.manual_seed(0)
        with m.random.fork_rng():
            m.rand(5)
        after = m.rand(3)
        assert after.tolist() == before.tolist()
    with flodl.random.fork_rng(enabled=False):
        pass
    assert flodl.random.manual_seed is flodl.manual_seed
    assert flodl.random.get_rng_state().tolist() == flodl.get_rng_state().tolist()


def test_fork_rng_puts_back_the_seed_initial_seed_reports() -> None:
    flodl.manual_seed(3)
    with flodl.random.fork_rng():
        flodl.manual_seed(5)
    assert flodl.initial_seed() == 3


def test_fork_rng_puts_back_the_stream_when_the_block_raises() -> None:
    flodl.manual_seed(1)
    expected = flodl.rand(2).tolist()
    flodl.manual_seed(1)
    with pytest.raises(KeyError), flodl.random.fork_rng():
        flodl.rand(4)
        raise KeyError
    assert flodl.rand(2).tolist() == expected


@pytest.mark.parametrize(
    "pair",
    [
        lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0 + 1e-6])),
        lambda m: (m.tensor([1, 2]), m.tensor([1, 2])),
        lambda m: ([m.tensor(1.0), (m.tensor([2.0]),)], [m.tensor(1.0), (m.tensor([2.0]),)]),
        lambda m: ({"a": m.tensor(1.0)}, {"a": m.tensor(1.0 + 1e-7)}),
        lambda m: (1.0, 1.0 + 1e-9),
        lambda m: (3, 3),
    ],
)
def test_assert_close_passes_what_torch_s_passes(pair) -> None:
    torch.testing.assert_close(*pair(torch))
    testing.assert_close(*pair(flodl))


@pytest.mark.parametrize(
    "pair, kwargs",
    [
        (lambda m: (m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.1, 3.0])), {}),
        (lambda m: (m.tensor([[1.0, 2.0], [3.0, 4.0]]), m.tensor([[1.0, 2.0], [3.5, 4.0]])), {}),
        (lambda m: (m.tensor([1, 2]), m.tensor([1, 3])), {}),
        (lambda m: (m.tensor([1.0, float("nan")]), m.tensor([1.0, float("nan")])), {}),
        (lambda m: (m.tensor([1.0]), m.tensor([1.0, 2.0])), {}),
        (lambda m: (m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)), {}),
        (lambda m: (1.0, 1.1), {}),
        (lambda m: (1, 1.0), {}),
        (lambda m: (m.tensor([1.0]), m.tensor([1.5])), {"rtol": 0.1, "atol": 0.1}),
        (lambda m: (m.tensor([1.0]), m.tensor([1.5])), {"msg": "mine"}),
        (lambda m: ([m.tensor(1.0)], [m.tensor(1.0), m.tensor(2.0)]), {}),
    ],
)
def test_assert_close_fails_as_torch_s_with_torch_s_report(pair, kwargs) -> None:
    with pytest.raises(AssertionError) as want:
        torch.testing.assert_close(*pair(torch), **kwargs)
    with pytest.raises(AssertionError) as got:
        testing.assert_close(*pair(flodl), **kwargs)
    assert str(got.value).replace("flodl", "torch") == str(want.value)


def test_assert_close_tolerances_and_arguments() -> None:
    a = flodl.tensor([1.0])
    testing.assert_close(a, flodl.tensor([1.5]), rtol=0.0, atol=0.5)
    testing.assert_close(a, a.double(), check_dtype=False)
    nan = flodl.tensor([1.0, float("nan")])
    testing.assert_close(nan, nan.clone(), equal_nan=True)
    testing.assert_close([None, a], [None, a.clone()])
    with pytest.raises(AssertionError, match="^mine: Tensor-likes"):
        testing.assert_close(a, a + 1, msg=lambda report: f"mine: {report}")
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        testing.assert_close(a, a, rtol=1e-3)
    with pytest.raises(TypeError):
        testing.assert_close(a, 1.0)
    leaf = flodl.tensor([1.0], requires_grad=True)
    testing.assert_close(leaf * 2, flodl.tensor([2.0]))
