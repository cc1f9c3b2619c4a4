"""flodl.optim against torch.optim: the same parameters after ten steps of
every optimizer under many hyperparameter settings (torch's default
implementation on the torch side), param groups, state dicts in torch's
layout, closures, zero_grad, bad arguments; and flodl.nn.utils' gradient
clipping against torch.nn.utils."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch

import flodl
from flodl import ArgumentError, Tensor, Variable
from flodl import optim as fl_optim
from flodl.nn import utils as fl_utils

RTOL = 1e-6
ATOL = 1e-12

SHAPES = [(3, 4), (5,), (2, 1, 3), ()]

# (optimizer name, keyword arguments): each run ten steps in both libraries.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.2, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.1, "maximize": True, "eps": 1e-3}),
    ("Adam", {"lr": 0.1, "decoupled_weight_decay": True, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.5, "amsgrad": True}),
    ("AdamW", {"lr": 0.1, "betas": (0.5, 0.9), "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.05, "maximize": True, "eps": 1e-4, "weight_decay": 0.05}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "maximize": True, "eps": 1e-5, "lr_decay": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
    ("Adadelta", {"eps": 1e-3, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.05, "maximize": True, "eps": 1e-4}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"lr": 0.02, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 3, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
]


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


# ---------------------------------------------------------------- the model


class Problem:
    """A few float64 leaves and a fixed loss (a weighted quadratic plus a tanh
    term), built the same way in both libraries from the same numbers."""

    def __init__(self, seed: int = 0, shapes: list[tuple[int, ...]] = SHAPES) -> None:
        rng = np.random.default_rng(seed)
        self.starts = [rng.standard_normal(s) for s in shapes]
        self.targets = [rng.standard_normal(s) for s in shapes]
        self.weights = [rng.uniform(0.5, 2.0, s) for s in shapes]
        self.scales = [rng.uniform(-2.0, 2.0, s) for s in shapes]

    def flodl_params(self) -> list[Variable]:
        return [Variable(flodl.tensor(np.array(a)), requires_grad=True) for a in self.starts]

    def torch_params(self) -> list[torch.Tensor]:
        return [torch.tensor(a, requires_grad=True) for a in self.starts]

    def loss(self, params: list[Any], lib: str) -> Any:
        const = flodl.tensor if lib == "flodl" else torch.tensor
        total = None
        for p, t, w, s in zip(params, self.targets, self.weights, self.scales):
            t, w, s = const(np.array(t)), const(np.array(w)), const(np.array(s))
            term = ((p - t).pow(2) * w).sum() + (p * s).tanh().sum()
            total = term if total is None else total + term
        return total


def flodl_opt(name: str, params: Any, **kwargs: Any) -> fl_optim.Optimizer:
    return getattr(fl_optim, name)(params, **kwargs)


def torch_opt(name: str, params: Any, **kwargs: Any) -> torch.optim.Optimizer:
    return getattr(torch.optim, name)(params, **kwargs)


def train(problem: Problem, opt: Any, params: list[Any], lib: str, steps: int = 10) -> None:
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(params, lib).backward()
        opt.step()


def to_np(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().numpy())


def assert_close(flodl_values: list[Any], torch_values: list[Any]) -> None:
    for a, b in zip(flodl_values, torch_values):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=RTOL, atol=ATOL)


def assert_state_like_torch(fl: Any, fl_params: list[Any], th: Any, th_params: list[Any]) -> None:
    """The same state keys per parameter, and the same values."""
    assert len(fl.state) == len(th.state)
    for p, q in zip(fl_params, th_params):
        fs, ts = fl.state.get(p, {}), th.state.get(q, {})
        assert list(fs) == list(ts)
        for key in ts:
            assert isinstance(fs[key], Tensor), key
            np.testing.assert_allclose(to_np(fs[key]), to_np(ts[key]), rtol=RTOL, atol=ATOL)
            assert fs[key].dtype.name == str(ts[key].dtype).removeprefix("torch."), key


# ------------------------------------------------------- ten steps, per case


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_ten_steps_match_torch(case: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = case
    problem = Problem()
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl, th = flodl_opt(name, fp, **kwargs), torch_opt(name, tp, **kwargs)
    train(problem, fl, fp, "flodl")
    train(problem, th, tp, "torch")
    assert_close(fp, tp)
    assert_state_like_torch(fl, fp, th, tp)


@pytest.mark.parametrize("case", CASES[::3], ids=case_id)
def test_ten_steps_float32(case: tuple[str, dict[str, Any]]) -> None:
    # The fused kernels round differently from torch's default per-tensor
    # loop: float32 agrees to float32 precision, and the state stays float32.
    name, kwargs = case
    problem = Problem()
    for arrays in (problem.starts, problem.targets, problem.weights, problem.scales):
        arrays[:] = [a.astype(np.float32) for a in arrays]
    fp, tp = problem.flodl_params(), problem.torch_params()
    assert fp[0].dtype.name == "float32"
    fl, th = flodl_opt(name, fp, **kwargs), torch_opt(name, tp, **kwargs)
    train(problem, fl, fp, "flodl")
    train(problem, th, tp, "torch")
    for a, b in zip(fp, tp):
        np.testing.assert_allclose(a.detach().numpy(), to_np(b), rtol=1e-4, atol=1e-6)
    for p in fp:
        for key, value in fl.state[p].items():
            assert value.dtype.name == "float32", key


@pytest.mark.parametrize("name", sorted({name for name, _ in CASES} | {"LBFGS"}))
def test_groups_defaults_and_repr_like_torch(name: str) -> None:
    """Every optimizer's param groups hold torch's entries in torch's order."""
    kwargs = {"momentum": 0.5} if name in ("SGD", "RMSprop") else {}
    fl = flodl_opt(name, Problem().flodl_params(), **kwargs)
    th = torch_opt(name, Problem().torch_params(), **kwargs)
    assert list(fl.param_groups[0]) == list(th.param_groups[0])
    assert fl.defaults == th.defaults
    assert {k: v for k, v in fl.param_groups[0].items() if k != "params"} == {
        k: v for k, v in th.param_groups[0].items() if k != "params"
    }
    assert repr(fl) == repr(th)


@pytest.mark.parametrize(
    "case",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("Adam", {"lr": 0.1, "amsgrad": True}),
        ("RMSprop", {"centered": True, "momentum": 0.5}),
        ("Adagrad", {"lr": 0.1}),
    ],
    ids=case_id,
)
def test_param_groups_with_their_own_lr(case: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = case
    problem = Problem(seed=1)
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl = flodl_opt(name, [{"params": fp[:2]}, {"params": fp[2:], "lr": 0.003}], **kwargs)
    th = torch_opt(name, [{"params": tp[:2]}, {"params": tp[2:], "lr": 0.003}], **kwargs)
    assert fl.param_groups[1]["lr"] == 0.003
    assert fl.param_groups[0]["lr"] == th.param_groups[0]["lr"]
    train(problem, fl, fp, "flodl")
    train(problem, th, tp, "torch")
    assert_close(fp, tp)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_parameters_without_grad_are_skipped(name: str) -> None:
    kwargs = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    problem = Problem(seed=2, shapes=[(3,), (2, 2)])
    fp, tp = problem.flodl_params(), problem.torch_params()
    fp_idle = Variable(flodl.tensor(np.ones(4)), requires_grad=True)
    tp_idle = torch.ones(4, dtype=torch.float64, requires_grad=True)
    fl = flodl_opt(name, [*fp, fp_idle], **kwargs)
    th = torch_opt(name, [*tp, tp_idle], **kwargs)
    train(problem, fl, fp, "flodl", steps=3)
    train(problem, th, tp, "torch", steps=3)
    assert_close([*fp, fp_idle], [*tp, tp_idle])
    assert_state_like_torch(fl, [*fp, fp_idle], th, [*tp, tp_idle])


def test_add_param_group_joins_later() -> None:
    problem = Problem(seed=3)
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl = fl_optim.Adam(fp[:2], lr=0.05)
    th = torch.optim.Adam(tp[:2], lr=0.05)
    train(problem, fl, fp, "flodl", steps=3)
    train(problem, th, tp, "torch", steps=3)
    fl.add_param_group({"params": fp[2:], "lr": 0.01})
    th.add_param_group({"params": tp[2:], "lr": 0.01})
    assert list(fl.param_groups[1]) == list(th.param_groups[1])
    train(problem, fl, fp, "flodl", steps=4)
    train(problem, th, tp, "torch", steps=4)
    assert_close(fp, tp)


def test_sgd_momentum_buffer_starts_per_parameter() -> None:
    # One parameter gets its first gradient after the others have buffers.
    problem = Problem(seed=4, shapes=[(3,), (4,)])
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl = fl_optim.SGD(fp, lr=0.1, momentum=0.9, dampening=0.2)
    th = torch.optim.SGD(tp, lr=0.1, momentum=0.9, dampening=0.2)
    for step in range(6):
        fl.zero_grad()
        th.zero_grad()
        n = 1 if step < 2 else 2
        problem.loss(fp[:n], "flodl").backward()
        problem.loss(tp[:n], "torch").backward()
        fl.step()
        th.step()
    assert_close(fp, tp)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("grads_from", ["backward", "assigned"])
def test_non_contiguous_parameter(name: str, grads_from: str) -> None:
    # A transposed leaf: backward gives gradients laid out like it; an
    # assigned contiguous gradient has other strides (the kernels copy it
    # into the parameter's layout, which the fused kernels assume).
    kwargs = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    rng = np.random.default_rng(14)
    start = rng.standard_normal((4, 3))
    fp = Variable(flodl.tensor(start).T, requires_grad=True)
    tp = torch.tensor(start).T.requires_grad_()
    fl, th = flodl_opt(name, [fp], **kwargs), torch_opt(name, [tp], **kwargs)
    for _ in range(5):
        c = rng.standard_normal((3, 4))
        if grads_from == "backward":
            fl.zero_grad()
            th.zero_grad()
            ((fp * flodl.tensor(c)).tanh() * fp).sum().backward()
            ((tp * torch.tensor(c)).tanh() * tp).sum().backward()
        else:
            fp.grad = flodl.tensor(c)
            tp.grad = torch.tensor(c)
        fl.step()
        th.step()
    np.testing.assert_allclose(fp.detach().numpy(), to_np(tp), rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------- closures


def test_step_with_closure_returns_its_loss_with_grad_enabled() -> None:
    problem = Problem(seed=5)
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl = fl_optim.SGD(fp, lr=0.1, momentum=0.5)
    th = torch.optim.SGD(tp, lr=0.1, momentum=0.5)

    def fl_closure() -> Any:
        fl.zero_grad()
        loss = problem.loss(fp, "flodl")
        loss.backward()
        return loss

    def th_closure() -> Any:
        th.zero_grad()
        loss = problem.loss(tp, "torch")
        loss.backward()
        return loss

    for _ in range(4):
        with flodl.no_grad():
            fl_loss = fl.step(fl_closure)
        th_loss = th.step(th_closure)
        assert float(fl_loss.item()) == pytest.approx(th_loss.item(), rel=1e-9)
    assert_close(fp, tp)
    assert fl.step() is None


# ----------------------------------------------------------------- zero_grad


def test_zero_grad() -> None:
    problem = Problem()
    fp = problem.flodl_params()
    opt = fl_optim.Adam(fp)
    problem.loss(fp, "flodl").backward()
    opt.zero_grad(set_to_none=False)
    for p in fp:
        assert p.grad is not None
        assert not np.any(p.grad.numpy())
    opt.zero_grad()
    assert all(p.grad is None for p in fp)
    opt.zero_grad()  # no gradients: nothing to do
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is None for p in fp)


# ---------------------------------------------------------------- state dict

STATE_CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.3}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Rprop", {"lr": 0.05}),
    ("ASGD", {"lr": 0.05, "t0": 2}),
]


@pytest.mark.parametrize("case", STATE_CASES, ids=case_id)
def test_state_dict_layout_like_torch(case: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = case
    problem = Problem(seed=6)
    fp, tp = problem.flodl_params(), problem.torch_params()
    fl = flodl_opt(name, [{"params": fp[:1]}, {"params": fp[1:], "lr": 0.02}], **kwargs)
    th = torch_opt(name, [{"params": tp[:1]}, {"params": tp[1:], "lr": 0.02}], **kwargs)
    for when in ("before", "after"):
        fsd, tsd = fl.state_dict(), th.state_dict()
        assert list(fsd) == list(tsd) == ["state", "param_groups"], when
        assert fsd["param_groups"] == tsd["param_groups"], when
        assert list(fsd["state"]) == list(tsd["state"]), when
        for i, values in tsd["state"].items():
            assert list(fsd["state"][i]) == list(values), when
            for key, value in values.items():
                assert isinstance(fsd["state"][i][key], Tensor)
                np.testing.assert_allclose(to_np(fsd["state"][i][key]), to_np(value), rtol=RTOL)
        train(problem, fl, fp, "flodl", steps=2)
        train(problem, th, tp, "torch", steps=2)


@pytest.mark.parametrize("case", STATE_CASES, ids=case_id)
def test_state_dict_round_trip_continues_the_run(case: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = case
    problem = Problem(seed=7)
    # One uninterrupted run of ten steps.
    whole = problem.flodl_params()
    opt = flodl_opt(name, [{"params": whole[:2]}, {"params": whole[2:], "lr": 0.03}], **kwargs)
    train(problem, opt, whole, "flodl", steps=10)
    # Five steps, a state dict, a fresh optimizer on copies, five more steps.
    first = problem.flodl_params()
    opt1 = flodl_opt(name, [{"params": first[:2]}, {"params": first[2:], "lr": 0.03}], **kwargs)
    train(problem, opt1, first, "flodl", steps=5)
    saved = opt1.state_dict()
    second = [Variable(p.data.copy(), requires_grad=True) for p in first]
    opt2 = flodl_opt(name, [{"params": second[:2]}, {"params": second[2:]}], **kwargs)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.03
    assert all(a is b for a, b in zip(opt2.param_groups[0]["params"], second[:2]))
    # The loaded state is a copy: the first optimizer going on does not touch it.
    train(problem, opt1, first, "flodl", steps=3)
    train(problem, opt2, second, "flodl", steps=5)
    for a, b in zip(second, whole):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_named_parameters_like_torch() -> None:
    problem = Problem(seed=9)
    fp, tp = problem.flodl_params(), problem.torch_params()
    names = [f"p{i}" for i in range(len(fp))]
    fl = fl_optim.SGD(list(zip(names[:2], fp[:2])), lr=0.1, momentum=0.9)
    th = torch.optim.SGD(list(zip(names[:2], tp[:2])), lr=0.1, momentum=0.9)
    fl.add_param_group({"params": list(zip(names[2:], fp[2:])), "lr": 0.01})
    th.add_param_group({"params": list(zip(names[2:], tp[2:])), "lr": 0.01})
    assert fl.param_groups[0]["params"][0] is fp[0]
    train(problem, fl, fp, "flodl", steps=3)
    train(problem, th, tp, "torch", steps=3)
    assert_close(fp, tp)
    assert fl.state_dict()["param_groups"] == th.state_dict()["param_groups"]
    with pytest.raises(ArgumentError, match="SGD: .*names"):
        fl.add_param_group({"params": [leaf()]})
    with pytest.raises(ArgumentError, match="SGD: .*named"):
        fl_optim.SGD([("a", leaf()), leaf()])


def test_load_torch_state_dict_converted() -> None:
    # A torch state dict with its tensors turned into flodl Tensors loads and
    # the run goes on as torch's does.
    problem = Problem(seed=8)
    fp, tp = problem.flodl_params(), problem.torch_params()
    th = torch.optim.Adam(tp, lr=0.1, amsgrad=True)
    train(problem, th, tp, "torch", steps=4)
    tsd = th.state_dict()
    converted = {
        "state": {
            i: {k: flodl.tensor(v.numpy()) for k, v in values.items()}
            for i, values in tsd["state"].items()
        },
        "param_groups": tsd["param_groups"],
    }
    for p, q in zip(fp, tp):
        p.data.copy_(flodl.tensor(q.detach().numpy()))
    fl = fl_optim.Adam(fp, lr=0.5)
    fl.load_state_dict(converted)
    assert fl.param_groups[0]["lr"] == 0.1
    train(problem, fl, fp, "flodl", steps=4)
    train(problem, th, tp, "torch", steps=4)
    assert_close(fp, tp)


def test_load_state_dict_casts_to_the_parameter_dtype() -> None:
    p = Variable(flodl.tensor(np.ones(3)), requires_grad=True)  # float64
    opt = fl_optim.Adam([p])
    saved = {
        "state": {
            0: {
                "step": flodl.tensor(2.0, dtype="float32"),
                "exp_avg": flodl.tensor(np.ones(3, dtype=np.float32)),
                "exp_avg_sq": flodl.tensor(np.ones(3, dtype=np.float32)),
            }
        },
        "param_groups": [dict(opt.state_dict()["param_groups"][0])],
    }
    opt.load_state_dict(saved)
    state = opt.state[p]
    assert state["exp_avg"].dtype.name == "float64"
    assert state["step"].dtype.name == "float32"


def test_load_state_dict_mismatch_is_an_argument_error() -> None:
    fp = Problem().flodl_params()
    opt = fl_optim.SGD(fp, lr=0.1)
    with pytest.raises(ArgumentError, match="SGD.*parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    other = fl_optim.SGD(fp[:2], lr=0.1)
    with pytest.raises(ArgumentError, match="SGD.*parameter group 0"):
        opt.load_state_dict(other.state_dict())
    # State shaped unlike its parameter (the kernels would trust it).
    adam = fl_optim.Adam(fp, lr=0.1)
    saved = adam.state_dict()
    saved["state"] = {
        0: {
            "step": flodl.tensor(1.0, dtype="float32"),
            "exp_avg": flodl.tensor(np.zeros(3)),
            "exp_avg_sq": flodl.tensor(np.zeros(3)),
        }
    }
    with pytest.raises(
        ArgumentError, match=r'Adam.load_state_dict: state 0 "exp_avg" has shape \[3\]'
    ):
        adam.load_state_dict(saved)


# ---------------------------------------------------------------- bad inputs


def leaf() -> Variable:
    return Variable(flodl.tensor(np.ones(2)), requires_grad=True)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_bad_params_are_argument_errors(name: str) -> None:
    cls = getattr(fl_optim, name)
    a, b = leaf(), leaf()
    with pytest.raises(ArgumentError, match=f"{name}: .*empty parameter list"):
        cls([])
    with pytest.raises(ArgumentError, match=f"{name}: .*non-leaf"):
        cls([a * 2.0])
    with pytest.raises(ArgumentError, match=f"{name}: .*Variables.*Tensor"):
        cls([flodl.tensor(np.ones(2))])
    with pytest.raises(ArgumentError, match=f"{name}: .*Variables.*int"):
        cls([a, 3])
    with pytest.raises(ArgumentError, match=f"{name}: .*single Variable"):
        cls(a)
    with pytest.raises(ArgumentError, match=f"{name}: .*twice"):
        cls([a, b, a])
    with pytest.raises(ArgumentError, match=f"{name}: .*more than one parameter group"):
        cls([{"params": [a]}, {"params": [b, a]}])
    opt = cls([a])
    with pytest.raises(ArgumentError, match=f"{name}: .*more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ArgumentError, match=f"{name}: .*must be a dict"):
        opt.add_param_group([b])
    with pytest.raises(ArgumentError, match=f"{name}: .*invalid learning rate"):
        cls([b], lr=-0.1)
    with pytest.raises(ArgumentError, match=f"{name}: .*invalid learning rate"):
        cls([b], lr=math.nan)
    # An ArgumentError is a ValueError, as torch's.
    with pytest.raises(ValueError):
        cls([b], lr=-1.0)


BAD_HYPERPARAMETERS = [
    ("SGD", {"momentum": -0.1}, "momentum"),
    ("SGD", {"weight_decay": -1.0}, "weight_decay"),
    ("SGD", {"nesterov": True}, "Nesterov"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov"),
    ("Adam", {"eps": -1e-8}, "epsilon"),
    ("Adam", {"betas": (1.0, 0.999)}, "beta parameter at index 0"),
    ("Adam", {"betas": (-0.1, 0.999)}, "beta parameter at index 0"),
    ("Adam", {"betas": (0.9, 1.0)}, "beta parameter at index 1"),
    ("Adam", {"weight_decay": -0.1}, "weight_decay"),
    ("AdamW", {"betas": (0.9, 1.5)}, "beta parameter at index 1"),
    ("AdamW", {"eps": -1.0}, "epsilon"),
    ("RMSprop", {"alpha": -0.5}, "alpha"),
    ("RMSprop", {"momentum": -0.5}, "momentum"),
    ("RMSprop", {"eps": -0.5}, "epsilon"),
    ("Adagrad", {"lr_decay": -0.5}, "lr_decay"),
    ("Adagrad", {"initial_accumulator_value": -0.5}, "initial_accumulator_value"),
    ("Adagrad", {"eps": -0.5}, "epsilon"),
    ("Rprop", {"etas": (1.5, 1.2)}, "eta values"),
    ("Rprop", {"etas": (0.5, 0.9)}, "eta values"),
    ("ASGD", {"weight_decay": -0.1}, "weight_decay"),
]


@pytest.mark.parametrize(
    "name,kwargs,words", BAD_HYPERPARAMETERS, ids=[f"{n}-{w}" for n, _, w in BAD_HYPERPARAMETERS]
)
def test_bad_hyperparameters_are_argument_errors(
    name: str, kwargs: dict[str, Any], words: str
) -> None:
    # torch rejects the same settings.
    with pytest.raises(ValueError):
        torch_opt(name, [torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ArgumentError, match=f"^{name}: .*{words}"):
        flodl_opt(name, [leaf()], **kwargs)


def test_edge_hyperparameters_accepted_as_torch() -> None:
    fl_optim.Adam([leaf()], lr=0.0, betas=(0.0, 0.0), eps=0.0)
    fl_optim.SGD([leaf()], lr=0.0, momentum=0.0)
    fl_optim.RMSprop([leaf()], alpha=0.0)


# -------------------------------------------------------------- grad clipping


def grads_pair(seed: int, scale: float = 1.0) -> tuple[list[Variable], list[torch.Tensor]]:
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (5,), ()]
    fp, tp = [], []
    for s in shapes:
        g = rng.standard_normal(s) * scale
        p = Variable(flodl.tensor(np.zeros(s)), requires_grad=True)
        p.grad = flodl.tensor(np.array(g))
        q = torch.zeros(s, dtype=torch.float64, requires_grad=True)
        q.grad = torch.tensor(g)
        fp.append(p)
        tp.append(q)
    # A parameter without a gradient is ignored.
    fp.append(Variable(flodl.tensor(np.zeros(2)), requires_grad=True))
    tp.append(torch.zeros(2, dtype=torch.float64, requires_grad=True))
    return fp, tp


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type: Any, max_norm: float) -> None:
    fp, tp = grads_pair(10, scale=3.0)
    fl_total = fl_utils.clip_grad_norm_(fp, max_norm, norm_type=norm_type)
    th_total = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=float(norm_type))
    assert isinstance(fl_total, Tensor)
    assert fl_total.shape == ()
    np.testing.assert_allclose(to_np(fl_total), to_np(th_total), rtol=1e-12)
    assert_close([p.grad for p in fp[:-1]], [q.grad for q in tp[:-1]])
    assert fp[-1].grad is None


def test_clip_grad_norm_single_variable_and_no_grads() -> None:
    fp, tp = grads_pair(11, scale=5.0)
    fl_total = fl_utils.clip_grad_norm_(fp[0], 1.0)
    th_total = torch.nn.utils.clip_grad_norm_(tp[0], 1.0)
    np.testing.assert_allclose(to_np(fl_total), to_np(th_total), rtol=1e-12)
    assert_close([fp[0].grad], [tp[0].grad])
    empty = fl_utils.clip_grad_norm_([leaf()], 1.0)
    assert float(empty.item()) == 0.0


def test_clip_grad_norm_nonfinite() -> None:
    p = leaf()
    p.grad = flodl.tensor(np.array([1.0, math.inf]))
    with pytest.raises(flodl.FlodlError):
        fl_utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = fl_utils.clip_grad_norm_([p], 1.0)
    assert math.isinf(float(total.item()))


def test_clip_grad_value_matches_torch() -> None:
    fp, tp = grads_pair(12, scale=2.0)
    assert fl_utils.clip_grad_value_(fp, 0.7) is None
    torch.nn.utils.clip_grad_value_(tp, 0.7)
    assert_close([p.grad for p in fp[:-1]], [q.grad for q in tp[:-1]])
    fl_utils.clip_grad_value_(fp[0], 0.1)
    assert np.abs(fp[0].grad.numpy()).max() <= 0.1


def test_bad_clip_arguments() -> None:
    with pytest.raises(ArgumentError, match="clip_grad_norm_"):
        fl_utils.clip_grad_norm_([flodl.tensor(np.ones(2))], 1.0)
    with pytest.raises(ArgumentError, match="clip_grad_value_"):
        fl_utils.clip_grad_value_(3, 1.0)


def test_parameters_to_vector_and_back() -> None:
    problem = Problem(seed=13)
    fp, tp = problem.flodl_params(), problem.torch_params()
    fv = fl_utils.parameters_to_vector(fp)
    tv = torch.nn.utils.parameters_to_vector(tp)
    assert isinstance(fv, Variable)
    np.testing.assert_array_equal(fv.detach().numpy(), to_np(tv))
    # Differentiable, as torch's.
    (fv * fv).sum().backward()
    for p, start in zip(fp, problem.starts):
        np.testing.assert_allclose(p.grad.numpy(), 2 * start)
    new = flodl.tensor(np.arange(fv.numel(), dtype=np.float64))
    fl_utils.vector_to_parameters(new, fp)
    torch.nn.utils.vector_to_parameters(torch.arange(tv.numel(), dtype=torch.float64), tp)
    assert_close(fp, tp)
    assert [list(p.shape) for p in fp] == [list(q.shape) for q in tp]
    with pytest.raises(ArgumentError, match="vector_to_parameters"):
        fl_utils.vector_to_parameters(flodl.tensor(np.ones(3)), fp)
    # The gradients too (Tensors, a Tensor back), as torch's.
    grads = fl_utils.parameters_to_vector(p.grad for p in fp)
    assert type(grads) is Tensor
    np.testing.assert_array_equal(
        grads.numpy(), np.concatenate([p.grad.numpy().ravel() for p in fp])
    )


def test_the_kernels_check_step_counters_before_changing_anything() -> None:
    p = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    opt = fl_optim.Adam([p], lr=0.1)
    p.grad = flodl.tensor([0.5, 0.5])
    opt.step()
    before = p.data.tolist()
    opt.state[p]["step"] = flodl.tensor(1.0).double()  # not the float32 the kernels read
    with pytest.raises(flodl.ArgumentError, match="step counter"):
        opt.step()
    assert p.data.tolist() == before
    assert opt.state[p]["exp_avg"].tolist() == pytest.approx([0.05, 0.05])


def test_fused_rnn_ops_refuse_misshaped_weights() -> None:
    x, h, c = (flodl.Tensor.zeros(s) for s in ([5, 2, 3], [1, 2, 4], [1, 2, 4]))
    weights = [flodl.Tensor.zeros(s) for s in ([16, 3], [12, 4], [16], [16])]
    with pytest.raises(flodl.ShapeError, match="weight 1"):
        flodl.lstm(x, h, c, weights, True, 1, 0.0, False, False, False)


def test_python_signatures_declare_rust_s_defaults() -> None:
    """Each class's signature (torch's) and its Rust options agree on every
    default, and torch's param groups hold the same entries."""
    import inspect

    w = [torch.zeros(2, requires_grad=True)]
    for name in sorted({name for name, _ in CASES}):
        rust = flodl._flodl._optim_defaults(name)
        signature = inspect.signature(getattr(fl_optim, name).__init__).parameters
        for option, default in rust.items():
            declared = signature[option].default if option in signature else None
            if name == "AdamW" and option == "decoupled_weight_decay":
                declared = True  # AdamW is Adam with it on; not an argument
            assert declared == default, (name, option)
        torch_keys = set(getattr(torch.optim, name)(w).defaults)
        flodl_keys = set(
            getattr(fl_optim, name)([Variable(Tensor.zeros([2]), requires_grad=True)]).defaults
        )
        assert torch_keys == flodl_keys, name
        assert set(rust) <= flodl_keys, name


def test_unknown_optimizer_names_and_bad_option_kinds_are_clear() -> None:
    with pytest.raises(ArgumentError, match='flodl has no optimizer "Lion"'):
        flodl._flodl._optim_defaults("Lion")
    p = Variable(Tensor.ones([2]), requires_grad=True)
    with pytest.raises(
        ArgumentError, match='RAdam: option "betas" must be a pair of numbers, got a string'
    ):
        fl_optim.RAdam([p], betas="no")
    with pytest.raises(ArgumentError, match="Adadelta: invalid rho value: 1.5"):
        fl_optim.Adadelta([p], rho=1.5)
    with pytest.raises(ArgumentError, match="NAdam: invalid momentum_decay value: -1"):
        fl_optim.NAdam([p], momentum_decay=-1)


# ------------------------------------------------------------------ L-BFGS


def _lbfgs_problem(lib: str, start: np.ndarray) -> tuple[Any, Callable[[Any], Any]]:
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((6, 4)), rng.standard_normal(6)
    if lib == "torch":
        w = torch.tensor(start, requires_grad=True)
        at, bt = torch.tensor(a), torch.tensor(b)
    else:
        w = Variable(flodl.tensor(start), requires_grad=True)
        at, bt = flodl.tensor(a), flodl.tensor(b)

    def closure_for(opt: Any) -> Callable[[], Any]:
        def closure() -> Any:
            opt.zero_grad()
            loss = (at @ w - bt).pow(2).sum() + (w * 3.0).sin().sum()
            loss.backward()
            return loss

        return closure

    return w, closure_for


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size", [100, 3])
def test_lbfgs_steps_match_torch(line_search_fn: str | None, history_size: int) -> None:
    start = np.random.default_rng(6).standard_normal(4)
    kwargs = {
        "lr": 0.8,
        "max_iter": 7,
        "history_size": history_size,
        "line_search_fn": line_search_fn,
    }
    tw, tclosure = _lbfgs_problem("torch", start)
    fw, fclosure = _lbfgs_problem("flodl", start)
    th, fl = torch.optim.LBFGS([tw], **kwargs), fl_optim.LBFGS([fw], **kwargs)
    for _ in range(4):
        tl, flo = th.step(tclosure(th)), fl.step(fclosure(fl))
        assert isinstance(flo, Variable)  # the closure's own result
        np.testing.assert_allclose(float(flo), tl.item(), rtol=1e-10)
        np.testing.assert_allclose(fw.detach().numpy(), tw.detach().numpy(), rtol=1e-9, atol=1e-12)
    ts, fs = th.state[tw], fl.state[fw]
    assert sorted(fs) == sorted(ts)
    assert (fs["func_evals"], fs["n_iter"]) == (ts["func_evals"], ts["n_iter"])
    assert len(fs["old_dirs"]) == len(ts["old_dirs"]) <= history_size


def test_lbfgs_resumes_from_a_checkpoint_and_refuses_groups(tmp_path: Any) -> None:
    start = np.random.default_rng(7).standard_normal(4)
    kwargs = {"max_iter": 5, "line_search_fn": "strong_wolfe"}
    w, closure_for = _lbfgs_problem("flodl", start)
    straight = fl_optim.LBFGS([w], **kwargs)
    for _ in range(4):
        straight.step(closure_for(straight))
    v, closure_for = _lbfgs_problem("flodl", start)
    first = fl_optim.LBFGS([v], **kwargs)
    for _ in range(2):
        first.step(closure_for(first))
    flodl.save(first.state_dict(), tmp_path / "lbfgs.safetensors")
    resumed = fl_optim.LBFGS([v])  # the options come from the file
    resumed.load_state_dict(flodl.load(tmp_path / "lbfgs.safetensors"))
    assert resumed.param_groups[0]["line_search_fn"] == "strong_wolfe"
    for _ in range(2):
        resumed.step(closure_for(resumed))
    np.testing.assert_allclose(v.detach().numpy(), w.detach().numpy(), rtol=1e-12)
    p, q = (Variable(Tensor.ones([2]), requires_grad=True) for _ in range(2))
    with pytest.raises(ArgumentError, match="LBFGS: doesn't support per-parameter options"):
        fl_optim.LBFGS([{"params": [p]}, {"params": [q]}])
    with pytest.raises(ArgumentError, match="line_search_fn must be None or 'strong_wolfe'"):
        fl_optim.LBFGS([p], line_search_fn="backtracking")

    def failing() -> Any:
        raise KeyError("from the closure")

    with pytest.raises(KeyError, match="from the closure"):
        fl_optim.LBFGS([p]).step(failing)


@pytest.mark.parametrize("fused", [None, True, False])
@pytest.mark.parametrize(
    "name, options",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
        ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.2}),
        ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "maximize": True}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    ],
)
def test_steps_are_torch_s_to_the_bit(name: str, options: dict, fused: bool | None) -> None:
    """The probe's case: with torch's default (fused=None: the per-parameter
    rule on the CPU), fused=False and fused=True, five steps give torch's
    parameters exactly (1-ulp differences compound over a training run)."""
    rng = np.random.default_rng(0)
    start = rng.standard_normal(4000).astype(np.float32)
    grads = [rng.standard_normal(4000).astype(np.float32) for _ in range(5)]

    def run(lib):
        p = lib.nn.Parameter(lib.from_numpy(start.copy()))
        opt = getattr(lib.optim, name)([p], fused=fused, **options)
        for g in grads:
            p.grad = lib.from_numpy(g.copy())
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(flodl), run(torch))


def test_lbfgs_without_line_search_is_torch_s_to_the_bit() -> None:
    """Each `x += a * v` of L-BFGS is one kernel, its coefficient rounded
    as torch's: eleven iterations give torch's parameters exactly."""
    rng = np.random.default_rng(0)
    x, w1, w2 = (rng.standard_normal(s).astype(np.float32) for s in ([50, 5], [5, 16], [16, 1]))
    y = np.sin(x.sum(1, keepdims=True)).astype(np.float32)

    def run(lib):
        a, b = (
            lib.nn.Parameter(lib.from_numpy(w1.copy())),
            lib.nn.Parameter(lib.from_numpy(w2.copy())),
        )
        opt = lib.optim.LBFGS([a, b], max_iter=11, history_size=10)

        def closure():
            opt.zero_grad()
            loss = ((lib.tanh(lib.from_numpy(x) @ a) @ b - lib.from_numpy(y)) ** 2).mean()
            loss.backward()
            return loss

        opt.step(closure)
        return a.detach().numpy(), b.detach().numpy(), len(opt._params)

    (a1, b1, n1), (a2, b2, n2) = run(torch), run(flodl)
    np.testing.assert_array_equal(a2, a1)
    np.testing.assert_array_equal(b2, b1)
    assert n1 == n2 == 2


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lr", [1, 0.5])
def test_lbfgs_with_strong_wolfe_is_torch_s_to_the_bit(dtype: str, lr: float) -> None:
    """The line search computes its steps as torch's Python does: with
    0-d tensors of the parameters' dtype where torch has them (a step found
    by interpolation, the slopes) and Python floats elsewhere, rounding
    where torch rounds. Eight steps of up to 20 iterations give torch's
    parameters exactly, where a search in doubles drifted within 12."""
    xs = np.linspace(-2, 2, 64, dtype=dtype).reshape(-1, 1)

    def run(lib):
        lib.manual_seed(0)
        x = lib.from_numpy(xs.copy())
        y = lib.sin(3 * x) + 0.1 * x**2
        model = lib.nn.Sequential(lib.nn.Linear(1, 16), lib.nn.Tanh(), lib.nn.Linear(16, 1))
        model = model.to(getattr(lib, dtype))
        opt = lib.optim.LBFGS(
            model.parameters(), lr=lr, history_size=10, line_search_fn="strong_wolfe"
        )
        losses = []

        def closure():
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            losses.append(loss.item())
            return loss

        for _ in range(8):
            opt.step(closure)
        params = [p.detach().numpy() for p in model.parameters()]
        return params, losses, opt.state_dict()["state"][0]["func_evals"]

    (p1, l1, n1), (p2, l2, n2) = run(torch), run(flodl)
    assert l2 == l1 and n2 == n1
    for mine, theirs in zip(p2, p1):
        np.testing.assert_array_equal(mine, theirs)


def test_a_skipped_scaled_step_leaves_torch_s_gradients() -> None:
    """GradScaler on the CPU with the per-parameter rule: the gradients are
    unscaled first (torch's unscale_), then a step with an inf is skipped."""

    def run(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = lib.optim.Adam([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=4.0)
        scaler.scale((p * lib.tensor([float("inf"), 1.0])).sum()).backward()
        scaler.step(opt)
        return p.detach().numpy().tolist(), p.grad.numpy().tolist()

    assert run(flodl) == run(torch)


def test_step_hooks_run_in_torch_s_order() -> None:
    def run(m, optimizer_module):
        log = []
        w = m.nn.Parameter(m.ones(2))
        opt = m.optim.SGD([w], lr=0.1)
        pre = opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
        post = opt.register_step_post_hook(lambda o, a, k: log.append(("post", o is opt)))
        everyone = optimizer_module.register_optimizer_step_post_hook(
            lambda o, a, k: log.append("all")
        )
        first = optimizer_module.register_optimizer_step_pre_hook(
            lambda o, a, k: log.append("first")
        )
        w.sum().backward()
        opt.step()
        pre.remove()
        first.remove()
        opt.step()
        everyone.remove()
        post.remove()
        opt.step()

        replaced = m.optim.SGD([w], lr=0.1)
        replaced.register_step_pre_hook(
            lambda o, a, k: (a, {"closure": lambda: log.append("closure")})
        )
        replaced.step()
        return log, w.tolist()

    import torch.optim.optimizer as torch_optimizer

    import flodl.optim.optimizer as flodl_optimizer

    assert run(flodl, flodl_optimizer) == run(torch, torch_optimizer)


def test_a_step_of_one_s_own_calling_super_runs_the_hooks_once() -> None:
    # (torch runs them again in super's step once that class has been
    # instantiated elsewhere: its patching is per class, on first use.)
    log = []
    w = flodl.nn.Parameter(flodl.ones(2))

    class Mine(flodl.optim.Adam):
        def step(self, closure=None):
            log.append("mine")
            return super().step(closure)

    mine = Mine([w])
    mine.register_step_pre_hook(lambda o, a, k: log.append(("pre", a == (mine,))))
    mine.register_step_post_hook(lambda o, a, k: log.append("post"))
    mine.step()
    assert log == [("pre", True), "mine", "post"]
