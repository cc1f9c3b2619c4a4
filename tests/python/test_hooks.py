"""retain_grad and gradient hooks, against torch.autograd: a hook that
changes a gradient, removal, an exception raised in a hook, hooks while
several threads run backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from concurrency import run_on_threads

import flodl
from flodl import Tensor, Variable


def pair(values):
    array = np.asarray(values, dtype=np.float64)
    return Variable(Tensor.from_numpy(array.copy()), True), torch.tensor(array, requires_grad=True)


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    (x, tx) = pair([1.0, -2.0, 3.0])
    y, ty = x.tanh(), tx.tanh()
    y.retain_grad()
    ty.retain_grad()
    assert y.retains_grad and ty.retains_grad
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_a_clipping_hook_changes_the_gradient_as_in_torch() -> None:
    (x, tx) = pair([0.5, -4.0, 2.0])
    clip = lambda g: g.clamp(-1.0, 1.0)
    handle = x.register_hook(clip)
    tx.register_hook(clip)
    ((x * 3.0) ** 2).sum().backward()
    ((tx * 3.0) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    handle.remove()
    handle.remove()  # a second remove does nothing
    x.grad = None
    ((x * 3.0) ** 2).sum().backward()
    assert x.grad.tolist() == [9.0, -72.0, 36.0]  # no clipping any more


def test_a_hook_sees_the_gradient_and_none_keeps_it() -> None:
    (x, _) = pair([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 2.0).sum().backward()
    assert seen == [[2.0, 2.0]] and x.grad.tolist() == [2.0, 2.0]


class ClipError(Exception):
    pass


def test_an_exception_in_a_hook_comes_out_of_backward_unchanged() -> None:
    (x, _) = pair([1.0])

    def hook(grad):
        raise ClipError("gradient too large")

    x.register_hook(hook)
    with pytest.raises(ClipError, match="gradient too large") as caught:
        (x * 2.0).sum().backward()
    assert any(entry.name == "hook" for entry in caught.traceback)
    with pytest.raises(flodl.AutogradError, match="returns a Tensor or None"):
        (y := Variable(Tensor.ones([1]), True)).register_hook(lambda g: "x")
        (y * 2.0).sum().backward()


def test_hooks_while_threads_run_backward() -> None:
    def work(_: int) -> None:
        for _ in range(50):
            x = Variable(Tensor.ones([8]), True)
            x.register_hook(lambda g: g * 2.0)
            (x * 3.0).sum().backward()
            assert x.grad.tolist() == [6.0] * 8

    run_on_threads(work)


def test_hooks_need_a_variable_that_requires_grad() -> None:
    with pytest.raises(flodl.AutogradError):
        Variable(Tensor.ones([1])).register_hook(lambda g: None)


def test_post_accumulate_grad_hooks_run_after_the_gradient_is_added() -> None:
    w = Variable(Tensor.ones([2]), True)
    seen = []
    first = w.register_post_accumulate_grad_hook(
        lambda leaf: seen.append(("a", leaf.grad.tolist()))
    )
    w.register_post_accumulate_grad_hook(lambda leaf: seen.append(("b", leaf.grad.tolist())))
    (w * 3.0).sum().backward()
    (w * 1.0).sum().backward()
    assert seen == [("a", [3.0, 3.0]), ("b", [3.0, 3.0]), ("a", [4.0, 4.0]), ("b", [4.0, 4.0])]
    first.remove()
    seen.clear()
    (w * 1.0).sum().backward()
    assert seen == [("b", [5.0, 5.0])]
    with pytest.raises(flodl.AutogradError, match="leaf that requires grad"):
        (w * 2.0).register_post_accumulate_grad_hook(lambda leaf: None)


def test_an_optimizer_step_in_a_post_accumulate_hook() -> None:
    w = Variable(Tensor.ones([2]), True)

    def step(leaf):
        leaf.data = leaf.data - leaf.grad * 0.5
        leaf.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * 2.0).sum().backward()
    assert w.tolist() == [0.0, 0.0] and w.grad is None

    def fails(leaf):
        raise ClipError("no step")

    w.register_post_accumulate_grad_hook(fails)
    with pytest.raises(ClipError, match="no step"):
        (w * 2.0).sum().backward()


def test_a_post_accumulate_hook_gets_the_parameter_itself() -> None:
    p = flodl.nn.Linear(2, 2).weight
    seen = []
    p.register_post_accumulate_grad_hook(lambda v: seen.append(v is p))
    (p * 2).sum().backward()
    assert seen == [True]
    assert p.element_size() == 4 and p.data.to_dtype(flodl.DType.Float64).element_size() == 8


def _hooked_run(lib, params=None):
    """A small model with full backward (pre) hooks, one of which doubles
    its module's input gradients; returns what the hooks saw and the
    gradients, as plain lists."""

    def values(grads):
        return [None if g is None else g.detach().numpy().round(6).tolist() for g in grads]

    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    if params is not None:
        with lib.no_grad():
            for p, value in zip(model.parameters(), params):
                p.copy_(Tensor.from_torch(value))
    seen = []
    model[0].register_full_backward_hook(lambda m, gi, go: seen.append((values(gi), values(go))))
    model[2].register_full_backward_pre_hook(lambda m, go: seen.append(values(go)))
    model[1].register_full_backward_hook(
        lambda m, gi, go: tuple(None if g is None else g * 2 for g in gi)
    )
    model(lib.ones(2, 3) * 0.5).sum().backward()  # no input requires grad
    x = lib.ones(2, 3, requires_grad=True)
    model(x * 0.5).sum().backward()
    grads = [p.grad.numpy().round(6).tolist() for p in model.parameters()]
    return seen, grads, x.grad.numpy().round(6).tolist()


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hooks_see_and_replace_the_gradients_as_torch_s() -> None:
    want = _hooked_run(torch)
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    got = _hooked_run(flodl, [p.detach() for p in reference.parameters()])
    assert got == want


def test_forward_hooks_with_kwargs_and_prepend() -> None:
    order = []

    class Scale(flodl.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_hook(lambda mod, args, out: order.append("plain"))
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {**kwargs, "factor": 3.0}), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["factor"], with_kwargs=True)
    assert m(flodl.ones(2), factor=2.0).tolist() == [6.0, 6.0]
    assert order == ["first", "plain"]
    handle = m.register_full_backward_hook(lambda *a: None)
    handle.remove()
    assert not m._backward_hooks
    with pytest.raises(TypeError, match="a hook must be callable"):
        m.register_forward_hook(3)


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_a_hooked_module_s_output_shows_torch_s_hook_node(m) -> None:
    layer = m.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    out = layer(m.ones(1, 2, requires_grad=True))
    assert out.grad_fn.name() == "BackwardHookFunctionBackward"
    assert "grad_fn=<BackwardHookFunctionBackward>" in repr(out)
