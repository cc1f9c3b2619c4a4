"""backward with options and autograd.grad, against torch.autograd in
float64: upstream gradients, retained graphs, restricted inputs, gradients
of gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable, autograd

RNG = np.random.default_rng(0)


def pair(shape, requires_grad=True):
    array = RNG.standard_normal(shape)
    return Variable(Tensor.from_numpy(array.copy()), requires_grad), torch.tensor(
        array, requires_grad=requires_grad
    )


def close(got, expected) -> None:
    if expected is None:
        assert got is None
        return
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_backward_with_an_upstream_gradient() -> None:
    (x, tx), (w, tw) = pair((3, 4)), pair((4,))
    g = RNG.standard_normal((3, 4))
    (x * w).tanh().backward(gradient=Tensor.from_numpy(g.copy()))
    (tx * tw).tanh().backward(gradient=torch.from_numpy(g))
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)
    with pytest.raises(flodl.ShapeError):
        (x * w).backward(gradient=Tensor.zeros([3]))
    with pytest.raises(flodl.AutogradError, match="needs a single-element output"):
        (x * w).backward()


def test_retain_graph_and_inputs() -> None:
    (x, tx), (w, tw) = pair((3,)), pair((3,))
    y, ty = (x * w).exp().sum(), (tx * tw).exp().sum()
    y.backward(retain_graph=True)
    y.backward(inputs=[w])  # the graph is still there; only w's gradient grows
    ty.backward(retain_graph=True)
    ty.backward(inputs=[tw])
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)
    with pytest.raises(flodl.AutogradError):
        y.backward()  # the last pass freed the graph


def test_grad_first_and_second_order() -> None:
    (x, tx) = pair((5,))
    y, ty = (x.sin() * x).sum(), (tx.sin() * tx).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    (tg,) = torch.autograd.grad(ty, tx, create_graph=True)
    close(g.data, tg)
    assert x.grad is None and g.requires_grad
    (h,) = autograd.grad(g.sum(), x)
    (th,) = torch.autograd.grad(tg.sum(), tx)
    close(h.data, th)


def test_gradient_penalty_on_a_small_mlp() -> None:
    (x, tx) = pair((8, 4))
    params = [pair(s) for s in [(6, 4), (6,), (1, 6), (1,)]]
    f_params, t_params = [p[0] for p in params], [p[1] for p in params]

    def net(inp, ps, lib):
        h = lib.linear(inp, ps[0], ps[1]).tanh()
        return lib.linear(h, ps[2], ps[3])

    out = net(x, f_params, flodl)
    tout = net(tx, t_params, torch.nn.functional)
    (gx,) = autograd.grad(out, x, grad_outputs=Tensor.ones([8, 1]), create_graph=True)
    (tgx,) = torch.autograd.grad(
        tout, tx, grad_outputs=torch.ones(8, 1, dtype=torch.float64), create_graph=True
    )
    penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
    tpenalty = ((tgx.norm(2, dim=1) - 1) ** 2).mean()
    close(penalty.data, tpenalty)
    penalty.backward()
    tpenalty.backward()
    for f, t in zip(f_params, t_params):
        close(f.grad, t.grad)


def test_hessian_vector_product() -> None:
    (x, tx) = pair((4,))
    v = RNG.standard_normal(4)
    y, ty = (x.exp() * x).sum(), (tx.exp() * tx).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    (tg,) = torch.autograd.grad(ty, tx, create_graph=True)
    (hv,) = autograd.grad(g, x, grad_outputs=Tensor.from_numpy(v.copy()))
    (thv,) = torch.autograd.grad(tg, tx, grad_outputs=torch.from_numpy(v))
    close(hv.data, thv)


def test_unused_inputs_and_errors() -> None:
    (x, _), (unused, _) = pair((3,)), pair((2,))
    y = x.sum()
    with pytest.raises(flodl.AutogradError, match=r"input 1 \(\[2\] float64 cpu\) was not used"):
        autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None and gx.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(flodl.AutogradError, match="does not require grad"):
        autograd.grad(Variable(Tensor.ones([1])).sum(), x)
    with pytest.raises(TypeError):
        autograd.grad(y, "x")


def test_zero_gradients_of_gradients_read_as_zeros() -> None:
    # The second derivative of abs is autograd's storage-less zero tensor.
    x = Variable(flodl.tensor([1.0, -2.0], dtype="float64"), True)
    (g,) = autograd.grad(x.abs().sum(), x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x, allow_unused=True)
    assert h.tolist() == [0.0, 0.0] and h.numpy().tolist() == [0.0, 0.0]


def test_gradcheck_and_gradgradcheck() -> None:
    x = flodl.tensor(RNG.standard_normal((2, 3)), dtype="float64")
    w = flodl.tensor(RNG.standard_normal((3,)), dtype="float64")
    assert autograd.gradcheck(lambda a, b: (a * b).tanh(), (x, w))
    assert autograd.gradgradcheck(lambda a, b: (a * b).tanh().sum(), (x, w))
    # A wrong gradient (a hook that doubles it) is caught and located.

    def doubled(a):
        a.register_hook(lambda g: g * 2.0)
        return a.sin()

    with pytest.raises(
        flodl.AutogradError, match=r"gradcheck: input 0, element \d+: backward gives"
    ):
        autograd.gradcheck(doubled, (x,))
    with pytest.raises(flodl.ArgumentError, match="float64"):
        autograd.gradcheck(lambda a: a, (flodl.tensor([1.0]),))


def test_is_grads_batched_gives_each_row_s_gradients_as_torch() -> None:
    a = np.array([1.0, 2.0, 3.0])

    def run(m):
        x = m.tensor(a, requires_grad=True)
        w = m.tensor(a[:2], requires_grad=True)
        y = x * x * 2.0
        z = (x[:2] * w).sum()
        (jac,) = m.autograd.grad(y, x, m.eye(3, dtype=m.float64), is_grads_batched=True)
        rows = m.tensor([[1.0], [2.0]], dtype=m.float64)
        gx, gw = m.autograd.grad(
            z.reshape(1), (x, w), rows, is_grads_batched=True, create_graph=True
        )
        return jac, gx, gw

    for got, want in zip(run(flodl), run(torch), strict=True):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    x = flodl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    with pytest.raises(flodl.ShapeError, match="grad_outputs"):
        flodl.autograd.grad(y, x, [flodl.ones(2)], is_grads_batched=True)
    with pytest.raises(flodl.ShapeError, match="is_grads_batched"):
        flodl.autograd.grad(y, x, [flodl.ones(0, 2)], is_grads_batched=True)
    with pytest.raises(flodl.ArgumentError, match="needs grad_outputs"):
        flodl.autograd.grad(y.sum(), x, is_grads_batched=True)


def test_gradcheck_of_several_outputs_names_the_wrong_one() -> None:
    x = flodl.tensor([0.3, -1.2, 0.8], dtype="float64")

    class HalfWrong(flodl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2.0, a * a

        @staticmethod
        def backward(ctx, g_double, g_square):
            (a,) = ctx.saved_tensors
            return g_double * 2.0 + g_square * a  # the square's gradient halved

    assert autograd.gradcheck(lambda a: (a * 2.0, a * a), (x,))
    with pytest.raises(flodl.AutogradError, match=r"input 0, element \d+: .*\(output 1, element"):
        autograd.gradcheck(HalfWrong.apply, (x,))
    assert not autograd.gradcheck(HalfWrong.apply, (x,), raise_exception=False)


def test_gradgradcheck_draws_torch_s_output_weights() -> None:
    """The weights come from the default generator as torch's do: a seeded
    program draws the same numbers afterwards."""

    def after(m):
        m.manual_seed(3)
        x = m.tensor([[0.2, -0.5], [1.1, 0.4]], dtype=m.float64, requires_grad=True)
        assert m.autograd.gradgradcheck(lambda a, k: ((a * a * k).tanh(), a.sin().sum()), (x, 1.5))
        return m.rand(4).tolist()

    assert after(flodl) == after(torch)
