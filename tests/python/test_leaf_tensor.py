"""A Tensor made a leaf in place by ``requires_grad_()`` or
``requires_grad = True``, as PyTorch makes any tensor one: it records, its
``.grad`` fills, every argument takes it as a Variable, and it stays the
same object (``flodl._leaf.LeafTensor``)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable

VALUES = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
WEIGHTS = np.array([[1.0, -2.0], [0.5, 0.3], [-1.5, 2.5]], dtype=np.float32)


def both(how: str):
    """The same leaf made in both libraries, `how` PyTorch programs do."""
    made = []
    for lib in (flodl, torch):
        x = lib.from_numpy(VALUES.copy())
        if how == "method":
            assert x.requires_grad_() is x
        else:
            x.requires_grad = True
        made.append(x)
    return made


@pytest.mark.parametrize("how", ["method", "attribute"])
def test_the_tensor_becomes_a_leaf_and_gets_torch_s_gradient(how: str) -> None:
    ours, theirs = both(how)
    assert isinstance(ours, Variable) and isinstance(ours, Tensor)
    assert ours.requires_grad and ours.is_leaf and ours.grad_fn is None
    for lib, x in ((flodl, ours), (torch, theirs)):
        w = lib.from_numpy(WEIGHTS.copy())
        loss = (lib.tanh(x @ w) ** 2).sum() + lib.nn.functional.softplus(x).mean()
        loss.backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    assert repr(ours).replace("flodl", "torch") == repr(theirs)


def test_every_argument_takes_it_as_a_variable() -> None:
    x = flodl.from_numpy(VALUES.copy()).requires_grad_()
    w = flodl.from_numpy(WEIGHTS.copy())
    outputs = {
        "namespace function": flodl.mm(x, w).sum(),
        "nn function": flodl.nn.functional.linear(x, w.t()).sum(),
        "Tensor method with it as the operand": w.t().matmul(x.t()).sum(),
        "operator with a plain Tensor first": (w.t() @ x.t()).sum(),
        "cat": flodl.cat([x, x.detach()]).sum(),
        "where": flodl.where(x > 0, x, flodl.zeros_like(x)).sum(),
    }
    for what, out in outputs.items():
        assert out.requires_grad, what
        (gx,) = flodl.autograd.grad(out, [x])
        assert gx.shape == x.shape, what
    # backward(inputs=...) and an optimizer take it as a parameter.
    flodl.mm(x, w).sum().backward(inputs=[x])
    before = x.detach().clone()
    opt = flodl.optim.SGD([x], lr=0.5)
    opt.step()
    np.testing.assert_allclose(x.detach().numpy(), (before - 0.5 * x.grad).numpy())


def test_in_place_rules_are_a_leaf_s() -> None:
    x = flodl.ones(3)
    x.requires_grad_()
    with pytest.raises(flodl.AutogradError):
        x.add_(1.0)
    with flodl.no_grad():
        same = x
        x -= 0.5
        x.mul_(2.0)
    assert x is same and x.tolist() == [1.0, 1.0, 1.0] and x.requires_grad


def test_requires_grad_false_makes_it_a_plain_tensor_again() -> None:
    x = flodl.ones(2).requires_grad_()
    assert x.requires_grad_(False) is x
    assert type(x) is Tensor and not x.requires_grad and not isinstance(x, Variable)
    assert not (x * 2).requires_grad
    y = flodl.ones(2).requires_grad_()
    y.requires_grad = False
    assert type(y) is Tensor


def test_only_a_float_tensor_can_and_nothing_changes_when_it_cannot() -> None:
    ints = flodl.arange(3)
    with pytest.raises(flodl.DTypeError, match="requires_grad_: only floating-point"):
        ints.requires_grad_()
    with pytest.raises(flodl.DTypeError, match="requires_grad: only floating-point"):
        ints.requires_grad = True
    assert type(ints) is Tensor and not ints.requires_grad


def test_it_keeps_its_identity_its_hash_and_copies_as_a_leaf() -> None:
    x = flodl.ones(2)
    key = hash(x)
    x.requires_grad_()
    assert hash(x) == key and {x: 1}[x] == 1
    copied = copy.deepcopy(x)
    assert isinstance(copied, Variable) and copied.requires_grad and copied.is_leaf
    assert copied.tolist() == x.tolist() and copied is not x


def test_the_data_of_a_tensor_is_another_handle() -> None:
    t = flodl.ones(2)
    handle = t.data
    handle.requires_grad_()
    assert type(t) is Tensor and not t.requires_grad
    assert not (t * 2).requires_grad


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9),
        lambda lib, p: lib.optim.Adam(p, lr=0.1),
        lambda lib, p: lib.optim.RMSprop(p, lr=0.01),
    ],
    ids=["SGD momentum", "Adam", "RMSprop"],
)
def test_optimizer_state_is_keyed_by_the_tensor_itself(make) -> None:
    """Found by a probe: the state was keyed by a fresh handle each step,
    so every step was a first step and the state grew."""
    results = []
    for lib in (flodl, torch):
        x = lib.from_numpy(VALUES.copy())
        x.requires_grad_()
        opt = make(lib, [x])
        for _ in range(4):
            opt.zero_grad()
            (x**2).sum().backward()
            opt.step()
        assert len(opt.state) == 1 and x in opt.state
        saved = opt.state_dict()
        assert list(saved["state"]) == [0]
        opt.load_state_dict(saved)
        results.append(x.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_what_returns_the_tensor_itself_returns_this_object() -> None:
    t = flodl.ones(3)
    same = (t.float(), t.cpu(), t.to(flodl.float32))
    assert all(s is t for s in same)  # as torch: one tensor, not aliases
    t.requires_grad_()
    assert all(isinstance(s, Variable) for s in same)
    assert t.to(flodl.float32) is t and t.float() is t
    with flodl.no_grad():
        assert t.zero_() is t and t.clamp_(0, 1) is t
    assert t.detach_() is t and type(t) is Tensor and not t.requires_grad


def test_a_tensor_libtorch_refuses_stays_as_it_was() -> None:
    with flodl.inference_mode():
        made = flodl.ones(2)
    with pytest.raises(flodl.AutogradError, match="requires_grad_: .*inference tensor"):
        made.requires_grad_()
    assert type(made) is Tensor and not made.requires_grad
