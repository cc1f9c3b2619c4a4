"""flodl.optim.swa_utils against torch.optim.swa_utils: the averaged
parameters (SWA, EMA, a function of one's own, with buffers), the SWALR
rates step by step, update_bn's statistics, and the same refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl.optim import swa_utils


def model_pair():
    """The same small model with batch norm, in flodl and in torch."""
    flodl.manual_seed(0)
    ours = flodl.nn.Sequential(
        flodl.nn.Linear(3, 4), flodl.nn.BatchNorm1d(4), flodl.nn.ReLU(), flodl.nn.Linear(4, 2)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
    )
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def train_step(m, model, step: int) -> None:
    """Moves the weights as a step would (the same change in both)."""
    rng = np.random.default_rng(step)
    with m.no_grad():
        for p in model.parameters():
            p.add_(m.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.1))
    model.train()
    model(m.tensor(rng.standard_normal((5, 3)).astype(np.float32)))


@pytest.mark.parametrize(
    "make",
    [
        lambda su: {},
        lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
        lambda su: {"multi_avg_fn": su.get_swa_multi_avg_fn()},
        lambda su: {"avg_fn": su.get_ema_avg_fn(0.8)},
        lambda su: {"avg_fn": su.get_swa_avg_fn()},
        lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9), "use_buffers": True},
    ],
)
def test_averaged_model_averages_as_torch(make) -> None:
    ours, theirs = model_pair()
    averaged = swa_utils.AveragedModel(ours, **make(swa_utils))
    reference = torch.optim.swa_utils.AveragedModel(theirs, **make(torch.optim.swa_utils))
    for step in range(4):
        train_step(flodl, ours, step)
        train_step(torch, theirs, step)
        averaged.update_parameters(ours)
        reference.update_parameters(theirs)
    got, want = averaged.state_dict(), reference.state_dict()
    assert list(got) == list(want)
    for key in want:  # the same kernels: the same bits
        np.testing.assert_array_equal(got[key].numpy(), want[key].numpy())
    x = np.ones((2, 3), np.float32)
    averaged.eval()
    reference.eval()
    np.testing.assert_allclose(
        averaged(flodl.tensor(x)).detach().numpy(),
        reference(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"swa_lr": 0.05},
        {"swa_lr": 0.05, "anneal_epochs": 3, "anneal_strategy": "linear"},
        {"swa_lr": [0.05, 0.01], "anneal_epochs": 0},
        {"swa_lr": 0.5, "anneal_epochs": 4},
    ],
)
def test_swalr_rates_are_torch_s(kwargs) -> None:
    def rates(m, su):
        w = [m.zeros(2, requires_grad=True), m.zeros(2, requires_grad=True)]
        opt = m.optim.SGD([{"params": [w[0]]}, {"params": [w[1]], "lr": 0.2}], lr=0.1)
        scheduler = su.SWALR(opt, **kwargs)
        seen = []
        for _ in range(12):
            opt.step()
            scheduler.step()
            seen.append([g["lr"] for g in opt.param_groups])
        return seen, [g["swa_lr"] for g in opt.param_groups], scheduler.state_dict()

    got, want = rates(flodl, swa_utils), rates(torch, torch.optim.swa_utils)
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert {k: got[2][k] for k in ("anneal_epochs", "last_epoch", "_step_count")} == {
        k: want[2][k] for k in ("anneal_epochs", "last_epoch", "_step_count")
    }


def test_update_bn_recomputes_the_statistics_as_torch() -> None:
    ours, theirs = model_pair()
    rng = np.random.default_rng(5)
    batches = [rng.standard_normal((6, 3)).astype(np.float32) for _ in range(3)]
    ours.eval()
    theirs.eval()
    swa_utils.update_bn([(flodl.tensor(b), 0) for b in batches], ours)
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], theirs)
    assert not ours.training
    bn, reference = ours[1], theirs[1]
    np.testing.assert_allclose(bn.running_mean.numpy(), reference.running_mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), reference.running_var.numpy(), rtol=1e-6)
    assert bn.momentum == reference.momentum == 0.1
    assert int(bn.num_batches_tracked) == int(reference.num_batches_tracked) == 3


def test_swa_refusals_are_torch_s() -> None:
    opt = flodl.optim.SGD([flodl.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(flodl.ArgumentError, match="anneal_strategy"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(flodl.ArgumentError, match="anneal_epochs"):
        swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)
    for make in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError):
            getattr(torch.optim.swa_utils, make.__name__)(1.5)
        with pytest.raises(flodl.ArgumentError, match="Invalid decay value"):
            make(1.5)
    with pytest.raises(flodl.ArgumentError, match="only one of"):
        swa_utils.AveragedModel(
            flodl.nn.Linear(1, 1),
            avg_fn=swa_utils.get_swa_avg_fn(),
            multi_avg_fn=swa_utils.get_swa_multi_avg_fn(),
        )
    assert flodl.optim.swa_utils is swa_utils
