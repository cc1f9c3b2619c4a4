"""examples/rust_extension: a Python extension of the user's own, written in
Rust on flodl (built by `make test`). Its custom Function takes and returns
flodl Variables and joins Python autograd."""

import numpy as np
import pytest
import torch
from concurrency import run_on_threads

import flodl

flodl_swish = pytest.importorskip(
    "flodl_swish", reason="built by `make test` (maturin develop -m examples/rust_extension)"
)

F64 = flodl.DType.Float64


def leaves(values, beta):
    x = flodl.Variable(flodl.tensor(np.asarray(values, dtype=np.float64)), requires_grad=True)
    b = flodl.Variable(flodl.tensor(beta, dtype=F64), requires_grad=True)
    return x, b


def test_values_and_gradients_match_the_formula_in_torch():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((3, 4))
    x, b = leaves(data, 1.7)
    y = flodl_swish.swish(x, b)
    assert isinstance(y, flodl.Variable) and y.requires_grad
    (y * y).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    tb = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    ty = tx * (tb * tx).sigmoid()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.item(), tb.grad.item(), rtol=1e-12)


def test_gradient_against_finite_differences():
    x, b = leaves(np.random.default_rng(1).standard_normal(5), 0.8)
    assert flodl.autograd.gradcheck(flodl_swish.swish, (x, b))
    assert flodl.autograd.gradgradcheck(flodl_swish.swish, (x, b))


def test_mixes_with_python_ops_hooks_and_autograd_grad():
    x, b = leaves([0.5, -1.0, 2.0], 1.5)
    seen = []
    y = flodl_swish.swish(x.exp(), b)
    y.register_hook(lambda g: seen.append(g))
    (gx,) = flodl.autograd.grad(y.tanh().sum(), x, retain_graph=True)
    assert len(seen) == 1
    tx = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    te = tx.exp()
    (tgx,) = torch.autograd.grad((te * (1.5 * te).sigmoid()).tanh().sum(), tx)
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-12)


def test_a_tensor_beta_is_a_constant():
    x, _ = leaves([1.0, 2.0], 1.0)
    y = flodl_swish.swish(x, flodl.tensor(2.0, dtype=F64))
    y.sum().backward()
    assert x.grad is not None


def test_errors_are_flodl_errors_and_no_panic_crosses():
    x, _ = leaves([1.0, 2.0], 1.0)
    y = flodl_swish.broken_double(x).sum()
    with pytest.raises(flodl.AutogradError, match="Broken: backward returned 0 gradients"):
        y.backward()
    with pytest.raises(flodl.AutogradError, match="^Broken: backward returned 0 gradients"):
        flodl_swish.broken_double(x).backward(flodl.tensor([1.0, 1.0]))
    with pytest.raises(flodl.AutogradError, match="Panicking: its forward panicked"):
        flodl_swish.panicking(x)
    with pytest.raises(TypeError, match="expected a flodl Tensor or Variable, got int"):
        flodl_swish.swish(3, x)
    with pytest.raises(flodl.ShapeError):
        flodl_swish.swish(x, flodl.Variable(flodl.tensor([1.0, 2.0, 3.0], dtype=F64)))


def test_threads_backward_through_the_extension_at_once():
    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(30):
            x, b = leaves(rng.standard_normal(6), 1.1)
            flodl_swish.swish(x.sin(), b).sum().backward()
            assert b.grad is not None

    run_on_threads(work)
