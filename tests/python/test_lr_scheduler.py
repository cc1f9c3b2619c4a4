"""flodl.optim.lr_scheduler against torch.optim.lr_scheduler: the same
learning rates (and OneCycleLR's momenta), exactly, for many steps; state
dicts that resume the schedule; bad arguments."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

import flodl
from flodl import ArgumentError, Variable
from flodl import optim as fl_optim
from flodl.optim import lr_scheduler as fl_sched

STEPS = 40
LRS = (0.1, 0.025)  # two param groups with their own rates


def optimizers(name: str = "SGD", **kwargs: Any) -> tuple[Any, Any]:
    """A flodl and a torch optimizer of two groups of one dummy parameter each."""
    fp = [Variable(flodl.tensor(np.zeros(2)), requires_grad=True) for _ in LRS]
    tp = [torch.zeros(2, requires_grad=True) for _ in LRS]
    fl = getattr(fl_optim, name)([{"params": [p], "lr": lr} for p, lr in zip(fp, LRS)], **kwargs)
    th = getattr(torch.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(tp, LRS)], **kwargs)
    return fl, th


def momenta(opt: Any) -> list[Any]:
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


# (id, optimizer name, optimizer kwargs, scheduler name, scheduler kwargs)
CASES: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = [
    ("step", "SGD", {}, "StepLR", {"step_size": 7}),
    ("step-gamma", "SGD", {}, "StepLR", {"step_size": 3, "gamma": 0.5}),
    ("multistep", "SGD", {}, "MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    ("exponential", "SGD", {}, "ExponentialLR", {"gamma": 0.93}),
    ("cosine", "SGD", {}, "CosineAnnealingLR", {"T_max": 10}),
    ("cosine-eta", "SGD", {}, "CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("linear", "SGD", {}, "LinearLR", {}),
    (
        "linear-down",
        "SGD",
        {},
        "LinearLR",
        {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 25},
    ),
    ("onecycle-sgd", "SGD", {"momentum": 0.9}, "OneCycleLR", {"max_lr": 0.5, "total_steps": STEPS}),
    (
        "onecycle-linear",
        "SGD",
        {"momentum": 0.9},
        "OneCycleLR",
        {"max_lr": [0.5, 0.2], "total_steps": STEPS, "anneal_strategy": "linear"},
    ),
    (
        "onecycle-three-phase",
        "Adam",
        {},
        "OneCycleLR",
        {"max_lr": 0.3, "epochs": 4, "steps_per_epoch": 10, "three_phase": True, "pct_start": 0.25},
    ),
    (
        "onecycle-adamw-no-momentum",
        "AdamW",
        {},
        "OneCycleLR",
        {"max_lr": 0.3, "total_steps": STEPS, "cycle_momentum": False, "div_factor": 10.0},
    ),
    (
        "onecycle-rmsprop",
        "RMSprop",
        {"momentum": 0.5},
        "OneCycleLR",
        {"max_lr": 0.05, "total_steps": STEPS, "base_momentum": 0.7, "max_momentum": 0.9},
    ),
    ("lambda", "SGD", {}, "LambdaLR", {"lr_lambda": lambda e: 0.95**e}),
    ("multiplicative", "SGD", {}, "MultiplicativeLR", {"lr_lambda": lambda e: 0.9 + e / 1000}),
    ("constant", "SGD", {}, "ConstantLR", {}),
    ("constant-half", "SGD", {}, "ConstantLR", {"factor": 0.5, "total_iters": 12}),
    ("polynomial", "SGD", {}, "PolynomialLR", {}),
    ("polynomial-power", "SGD", {}, "PolynomialLR", {"total_iters": 30, "power": 2.5}),
    ("warm-restarts", "SGD", {}, "CosineAnnealingWarmRestarts", {"T_0": 6}),
    (
        "warm-restarts-mult",
        "SGD",
        {},
        "CosineAnnealingWarmRestarts",
        {"T_0": 3, "T_mult": 2, "eta_min": 0.001},
    ),
    ("onecycle-nadam", "NAdam", {}, "OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS}),
    (
        "cyclic",
        "SGD",
        {"momentum": 0.9},
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
    ),
    (
        "cyclic-triangular2",
        "Adam",
        {},
        "CyclicLR",
        {
            "base_lr": [0.01, 0.002],
            "max_lr": 0.1,
            "step_size_up": 3,
            "step_size_down": 5,
            "mode": "triangular2",
        },
    ),
    (
        "cyclic-exp-range",
        "SGD",
        {},
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 5,
            "mode": "exp_range",
            "gamma": 0.97,
            "cycle_momentum": False,
        },
    ),
    (
        "cyclic-scale-fn",
        "RMSprop",
        {"momentum": 0.5},
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 3,
            "scale_fn": lambda x: 0.9**x,
            "scale_mode": "iterations",
        },
    ),
]


def make(case: tuple[Any, ...], fl: Any, th: Any) -> tuple[Any, Any]:
    _, _, _, sched, kwargs = case
    return getattr(fl_sched, sched)(fl, **kwargs), getattr(torch.optim.lr_scheduler, sched)(
        th, **kwargs
    )


def assert_same(fl: Any, th: Any, fs: Any, ts: Any) -> None:
    assert fs.get_last_lr() == ts.get_last_lr()
    assert [g["lr"] for g in fl.param_groups] == [g["lr"] for g in th.param_groups]
    assert momenta(fl) == momenta(th)
    assert fs.last_epoch == ts.last_epoch


def step_both(fl: Any, th: Any, fs: Any, ts: Any) -> None:
    fl.step()
    th.step()
    fs.step()
    ts.step()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rates_match_torch(case: tuple[Any, ...]) -> None:
    fl, th = optimizers(case[1], **case[2])
    fs, ts = make(case, fl, th)
    assert fl.param_groups[0]["initial_lr"] == th.param_groups[0]["initial_lr"]
    assert_same(fl, th, fs, ts)
    for _ in range(STEPS if case[3] != "OneCycleLR" else STEPS - 1):
        step_both(fl, th, fs, ts)
        assert_same(fl, th, fs, ts)
    assert sorted(fl.param_groups[0]) == sorted(th.param_groups[0])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_state_dict_resumes_the_schedule(case: tuple[Any, ...]) -> None:
    fl, th = optimizers(case[1], **case[2])
    fs, ts = make(case, fl, th)
    for _ in range(13):
        step_both(fl, th, fs, ts)
    saved_sched = fs.state_dict()
    saved_opt = fl.state_dict()
    torch_keys = {k for k in ts.state_dict() if not k.startswith("_get_lr")}
    assert torch_keys <= set(saved_sched) | {"_is_initial"}
    assert "optimizer" not in saved_sched
    # A fresh optimizer and scheduler, then the saved states loaded.
    fl2, _ = optimizers(case[1], **case[2])
    fs2 = getattr(fl_sched, case[3])(fl2, **case[4])
    fl2.load_state_dict(saved_opt)
    fs2.load_state_dict(saved_sched)
    for _ in range(STEPS - 14):
        step_both(fl2, th, fs2, ts)
        assert_same(fl2, th, fs2, ts)


def test_resume_with_last_epoch() -> None:
    fl, th = optimizers()
    for opt in (fl, th):
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"] * 2
    fs = fl_sched.CosineAnnealingLR(fl, T_max=9, last_epoch=4)
    ts = torch.optim.lr_scheduler.CosineAnnealingLR(th, T_max=9, last_epoch=4)
    assert_same(fl, th, fs, ts)
    for _ in range(20):
        step_both(fl, th, fs, ts)
        assert_same(fl, th, fs, ts)
    fresh, _ = optimizers()
    with pytest.raises(KeyError, match="initial_lr"):
        fl_sched.StepLR(fresh, step_size=2, last_epoch=3)


@pytest.mark.parametrize(
    "sched,kwargs",
    [
        ("StepLR", {"step_size": 4, "gamma": 0.5}),
        ("MultiStepLR", {"milestones": [3, 6, 6]}),
        ("ExponentialLR", {"gamma": 0.9}),
        ("CosineAnnealingLR", {"T_max": 5}),
        ("LinearLR", {"total_iters": 6}),
    ],
)
def test_step_with_epoch_uses_the_closed_form(sched: str, kwargs: dict[str, Any]) -> None:
    fl, th = optimizers()
    fs = getattr(fl_sched, sched)(fl, **kwargs)
    ts = getattr(torch.optim.lr_scheduler, sched)(th, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 8, 2, 11):
            fs.step(epoch)
            ts.step(epoch)
            assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-15)


def test_scheduler_touches_only_param_groups() -> None:
    fl, _ = optimizers("Adam")
    p = fl.param_groups[0]["params"][0]
    fs = fl_sched.OneCycleLR(fl, max_lr=0.1, total_steps=10)
    fs.step()
    assert fl.param_groups[0]["params"][0] is p
    assert len(fl.state) == 0


def test_lambda_state_dict_keeps_callable_objects_state() -> None:
    class Warmup:
        def __init__(self) -> None:
            self.factor = 0.5

        def __call__(self, epoch: int) -> float:
            return self.factor * (epoch + 1)

    fl, _ = optimizers()
    fn = Warmup()
    fs = fl_sched.LambdaLR(fl, [fn, lambda e: 1.0])
    saved = fs.state_dict()
    assert saved["lr_lambdas"] == [{"factor": 0.5}, None]
    fn.factor = 3.0
    fs.load_state_dict(saved)
    assert fn.factor == 0.5


BadCase = tuple[str, Callable[[Any], Any], str]
BAD: list[BadCase] = [
    ("not-optimizer", lambda opt: fl_sched.StepLR(object(), step_size=2), "Optimizer"),
    ("linear-start", lambda opt: fl_sched.LinearLR(opt, start_factor=0.0), "start_factor"),
    ("linear-end", lambda opt: fl_sched.LinearLR(opt, end_factor=1.5), "end_factor"),
    ("onecycle-steps", lambda opt: fl_sched.OneCycleLR(opt, max_lr=0.1), "total_steps"),
    (
        "onecycle-pct",
        lambda opt: fl_sched.OneCycleLR(opt, max_lr=0.1, total_steps=5, pct_start=1.5),
        "pct_start",
    ),
    (
        "onecycle-anneal",
        lambda opt: fl_sched.OneCycleLR(opt, max_lr=0.1, total_steps=5, anneal_strategy="x"),
        "anneal_strategy",
    ),
    (
        "onecycle-max-lr-count",
        lambda opt: fl_sched.OneCycleLR(opt, max_lr=[0.1, 0.2, 0.3], total_steps=5),
        "max_lr",
    ),
    ("lambda-count", lambda opt: fl_sched.LambdaLR(opt, [lambda e: 1.0]), "lr_lambdas"),
]


@pytest.mark.parametrize("case", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_are_argument_errors(case: BadCase) -> None:
    fl, _ = optimizers()
    with pytest.raises(ArgumentError, match=case[2]):
        case[1](fl)


def test_onecycle_past_the_end_is_an_error() -> None:
    fl, _ = optimizers(momentum=0.9)
    fs = fl_sched.OneCycleLR(fl, max_lr=0.1, total_steps=3)
    for _ in range(2):
        fs.step()
    fs.step()  # step 3 == total_steps: torch allows it
    with pytest.raises(ArgumentError, match="total_steps"):
        fs.step()


def test_warm_restarts_at_fractional_epochs_match_torch() -> None:
    fl, th = optimizers()
    fs = fl_sched.CosineAnnealingWarmRestarts(fl, T_0=4, T_mult=2, eta_min=0.01)
    ts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(th, T_0=4, T_mult=2, eta_min=0.01)
    for epoch in [0.5, 1.25, 3.9, 4.0, 7.5, 11.99, 12.0, 30.3, 2.0]:
        fs.step(epoch)
        ts.step(epoch)
        assert fs.get_last_lr() == ts.get_last_lr(), epoch
        assert (fs.T_cur, fs.T_i, fs.last_epoch) == (ts.T_cur, ts.T_i, ts.last_epoch), epoch
    with pytest.raises(ArgumentError, match="non-negative epoch"):
        fs.step(-1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.01},
        {
            "patience": 1,
            "threshold_mode": "abs",
            "threshold": 0.05,
            "cooldown": 2,
            "min_lr": [0.01, 0.002],
        },
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs: dict[str, Any]) -> None:
    fl, th = optimizers()
    fs = fl_sched.ReduceLROnPlateau(fl, **kwargs)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(th, **kwargs)
    metrics = np.abs(np.sin(np.arange(60) / 3.0)) + np.linspace(1.0, 0.5, 60)
    for metric in metrics:
        fs.step(metric)
        ts.step(metric)
        assert fs.get_last_lr() == ts.get_last_lr()
        assert (fs.best, fs.num_bad_epochs, fs.cooldown_counter, fs.last_epoch) == (
            ts.best,
            ts.num_bad_epochs,
            ts.cooldown_counter,
            ts.last_epoch,
        )
    assert set(ts.state_dict()) <= set(fs.state_dict())


def test_reduce_on_plateau_refuses_bad_options() -> None:
    fl, _ = optimizers()
    with pytest.raises(ArgumentError, match="factor should be < 1.0"):
        fl_sched.ReduceLROnPlateau(fl, factor=1.5)
    with pytest.raises(ArgumentError, match='mode "sideways" is unknown'):
        fl_sched.ReduceLROnPlateau(fl, mode="sideways")
    with pytest.raises(ArgumentError, match="expected 2 min_lrs, got 3"):
        fl_sched.ReduceLROnPlateau(fl, min_lr=[0, 0, 0])


def _pair(fl: Any, th: Any, make: Callable[[Any, Any], Any]) -> tuple[Any, Any]:
    return make(fl_sched, fl), make(torch.optim.lr_scheduler, th)


@pytest.mark.parametrize("kind", ["sequential", "chained"])
def test_composed_schedulers_match_torch(kind: str) -> None:
    fl, th = optimizers("Adam")

    def build(module: Any, opt: Any) -> Any:
        warmup = module.LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = module.CosineAnnealingLR(opt, T_max=20)
        if kind == "sequential":
            return module.SequentialLR(opt, [warmup, decay], milestones=[5])
        return module.ChainedScheduler([warmup, module.ExponentialLR(opt, gamma=0.97)])

    fs, ts = _pair(fl, th, build)
    assert fs.get_last_lr() == ts.get_last_lr()
    for _ in range(STEPS):
        fl.step()
        th.step()
        fs.step()
        ts.step()
        assert fs.get_last_lr() == ts.get_last_lr()
        assert [g["lr"] for g in fl.param_groups] == [g["lr"] for g in th.param_groups]


def test_an_exception_in_a_user_function_comes_out_unchanged() -> None:
    class Mine(Exception):
        pass

    def fails(epoch: int) -> float:
        if epoch > 0:
            raise Mine(f"at epoch {epoch}")
        return 1.0

    for cls in (fl_sched.LambdaLR, fl_sched.MultiplicativeLR):
        fl, _ = optimizers()
        fs = cls(fl, fails)
        with pytest.raises(Mine, match="at epoch 1"):
            fs.step()


def test_lambdas_get_the_epoch_as_an_int_as_torch() -> None:
    seen: list[Any] = []

    def record(epoch: Any) -> float:
        seen.append(epoch)
        return 1.0

    fl, _ = optimizers()
    fs = fl_sched.LambdaLR(fl, record)
    fs.step()
    assert seen == [0, 0, 1, 1] and all(type(e) is int for e in seen)  # two groups


def test_stepping_the_schedule_before_the_optimizer_warns_as_torch() -> None:
    import warnings

    def caught(m, optimizer_first):
        w = m.nn.Parameter(m.ones(1))
        opt = m.optim.SGD([w], lr=0.1)
        schedule = m.optim.lr_scheduler.StepLR(opt, 2)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            if optimizer_first:
                opt.step()
            schedule.step()
            opt.step()
            schedule.step()
        return [str(w.message) for w in seen if "optimizer.step()" in str(w.message)]

    for m in (flodl, torch):
        assert len(caught(m, optimizer_first=False)) == 1
        assert caught(m, optimizer_first=True) == []
