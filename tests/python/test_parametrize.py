"""nn.utils.spectral_norm, nn.utils.parametrize and
nn.utils.parametrizations against torch's: the same draws from the same
seed, the same training steps, state dict keys and values, reprs, and the
errors of misuse (the computation is flodl::nn::utils's)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import flodl


def both(fn):
    """``fn(lib)`` with torch and with flodl, each after manual_seed(0)."""
    results = []
    for lib in (torch, flodl):
        lib.manual_seed(0)
        results.append(fn(lib))
    return results


def numbers(state):
    return {k: v.detach().numpy() for k, v in state.items()}


def assert_same(expected, got):
    if isinstance(expected, np.ndarray):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    elif isinstance(expected, dict):
        assert expected.keys() == got.keys()
        for key in expected:
            np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6, err_msg=key)
    elif isinstance(expected, (list, tuple)) and expected and isinstance(expected[0], float):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    else:
        assert got == expected


def train(lib, module, x, steps=3, optimizer="SGD"):
    """Losses of a few steps, then one eval forward."""
    opt = getattr(lib.optim, optimizer)(module.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        loss = module(x).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    module.eval()
    losses.append(module(x).sum().item())
    return losses


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Linear(5, 4), [3, 5]),
        (lambda nn: nn.Conv2d(2, 3, 3), [1, 2, 5, 5]),
        # dim 1 by default for a transposed convolution
        (lambda nn: nn.ConvTranspose2d(3, 2, 2), [1, 3, 3, 3]),
    ],
)
def test_spectral_norm_trains_as_torch_s(make, shape) -> None:
    def run(lib):
        module = lib.nn.utils.spectral_norm(make(lib.nn), n_power_iterations=2)
        losses = train(lib, module, lib.ones(*shape))
        state = numbers(module.state_dict())
        names = sorted(n for n, _ in module.named_parameters())
        lib.nn.utils.remove_spectral_norm(module)
        return losses, state, names, numbers(module.state_dict()), repr(module)

    for expected, got in zip(*both(run)):
        assert_same(expected, got)


def test_spectral_norm_state_dict_loads_into_a_fresh_module() -> None:
    def run(lib):
        source = lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3))
        train(lib, source, lib.ones(2, 4))
        target = lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3))
        target.load_state_dict(source.state_dict())
        target.eval()
        return target(lib.ones(2, 4)).detach().numpy()

    expected, got = both(run)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_spectral_norm_misuse_is_an_argument_error() -> None:
    m = flodl.nn.utils.spectral_norm(flodl.nn.Linear(3, 2))
    with pytest.raises(flodl.ArgumentError, match="two spectral_norm hooks"):
        flodl.nn.utils.spectral_norm(m)
    with pytest.raises(flodl.ArgumentError, match="no parameter 'bogus'"):
        flodl.nn.utils.spectral_norm(flodl.nn.Linear(3, 2), name="bogus")
    with pytest.raises(flodl.ArgumentError, match="n_power_iterations"):
        flodl.nn.utils.spectral_norm(flodl.nn.Linear(3, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="not found"):
        flodl.nn.utils.remove_spectral_norm(flodl.nn.Linear(3, 2))


def test_spectral_norm_parametrization_trains_as_torch_s() -> None:
    def run(lib):
        P = lib.nn.utils.parametrizations
        module = P.spectral_norm(lib.nn.Conv2d(2, 3, 3))
        losses = train(lib, module, lib.ones(1, 2, 5, 5), optimizer="Adam")
        state = numbers(module.state_dict())
        text = repr(module)
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight")
        return losses, state, text, type(module).__name__, numbers(module.state_dict())

    for expected, got in zip(*both(run)):
        assert_same(expected, got)


def test_spectral_norm_parametrization_of_a_vector_and_its_dims() -> None:
    def run(lib):
        module = lib.nn.Module()
        module.v = lib.nn.Parameter(lib.randn(4))
        module.w = lib.nn.Parameter(lib.randn(2, 3, 4))
        P = lib.nn.utils.parametrizations
        P.spectral_norm(module, "v")
        P.spectral_norm(module, "w", dim=-1)
        return module.v.detach().numpy(), module.w.detach().numpy(), sorted(module.state_dict())

    (v1, w1, k1), (v2, w2, k2) = both(run)
    np.testing.assert_allclose(v2, v1, rtol=1e-5)
    np.testing.assert_allclose(w2, w1, rtol=1e-5)
    assert k1 == k2
    with pytest.raises(IndexError):
        flodl.nn.utils.parametrizations.spectral_norm(flodl.nn.Linear(3, 2), dim=2)


def test_weight_norm_parametrization_as_torch_s() -> None:
    def run(lib):
        module = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3))
        loss = module(lib.ones(2, 4)).sum()
        loss.backward()
        grad = module.parametrizations.weight.original0.grad.numpy()
        return loss.item(), grad, numbers(module.state_dict()), repr(module)

    for expected, got in zip(*both(run)):
        assert_same(expected, got)


class Symmetric:
    """PyTorch's parametrization tutorial's first example (built on either
    library's Module)."""

    @staticmethod
    def make(nn):
        class Symmetric(nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

            def right_inverse(self, A):
                return A.triu()

        return Symmetric()


def test_a_parametrization_of_one_s_own_as_torch_s() -> None:
    """The tutorial's steps: register, read, train, assign through
    right_inverse, cached(), chain a second one, remove."""

    def run(lib):
        parametrize = lib.nn.utils.parametrize
        layer = lib.nn.Linear(3, 3)
        parametrize.register_parametrization(layer, "weight", Symmetric.make(lib.nn))
        out = [layer.weight.detach().numpy()]
        out.append(parametrize.is_parametrized(layer))
        out.append(parametrize.is_parametrized(layer, "bias"))
        out.append(type(layer).__name__)
        out.append(parametrize.type_before_parametrizations(layer).__name__)
        out.append(sorted(n for n, _ in layer.named_parameters()))
        out.append(train(lib, layer, lib.ones(2, 3)))
        with lib.no_grad():
            layer.weight = lib.eye(3) * 2
        out.append(layer.parametrizations.weight.original.detach().numpy())
        with parametrize.cached():
            out.append(bool(layer.weight is layer.weight))
        out.append(bool(layer.weight is layer.weight))
        parametrize.register_parametrization(layer, "weight", Symmetric.make(lib.nn))
        out.append(len(layer.parametrizations.weight))
        out.append(repr(layer))
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
        out.append(layer.weight.detach().numpy())
        out.append(type(layer).__name__)
        out.append(hasattr(layer, "parametrizations"))
        return out

    for expected, got in zip(*both(run)):
        assert_same(expected, got)


def test_parametrize_misuse() -> None:
    parametrize = flodl.nn.utils.parametrize
    with pytest.raises(flodl.ArgumentError, match="no parameter or buffer named 'nope'"):
        parametrize.register_parametrization(
            flodl.nn.Linear(2, 2), "nope", Symmetric.make(flodl.nn)
        )
    with pytest.raises(flodl.ArgumentError, match="no parametrization"):
        parametrize.remove_parametrizations(flodl.nn.Linear(2, 2), "weight")

    class Shrink(flodl.nn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(flodl.ArgumentError, match="unsafe=True"):
        parametrize.register_parametrization(flodl.nn.Linear(2, 2), "weight", Shrink())
    layer = parametrize.register_parametrization(
        flodl.nn.Linear(2, 2), "weight", Shrink(), unsafe=True
    )
    assert list(layer.weight.shape) == [1, 2]
    with pytest.raises(TypeError, match="state_dict"):
        pickle.dumps(layer)
    with pytest.raises(flodl.ArgumentError, match="orthogonal_map has to be one of"):
        flodl.nn.utils.parametrizations.orthogonal(flodl.nn.Linear(2, 2), orthogonal_map="qr")
    with pytest.raises(flodl.ArgumentError, match="Expected a matrix"):
        flodl.nn.utils.parametrizations.orthogonal(flodl.nn.Linear(2, 2), "bias")
    # As torch's: without the trivialization a square weight registers (the
    # original kept), and only an assignment fails.
    kept = flodl.nn.utils.parametrizations.orthogonal(
        flodl.nn.Linear(2, 2), orthogonal_map="cayley", use_trivialization=False
    )
    assert list(kept.weight.shape) == [2, 2]
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        kept.weight = flodl.eye(2)


def test_a_parametrized_module_deep_copies_and_assignment_needs_right_inverse() -> None:
    """deepcopy works (EMA copies, keeping the best model), as torch's; a
    parametrization without right_inverse refuses assignment even unsafe."""
    import copy

    layer = flodl.nn.utils.parametrizations.weight_norm(flodl.nn.Linear(3, 4))
    twin = copy.deepcopy(layer)
    assert type(twin).__name__ == "ParametrizedLinear"
    x = flodl.randn(2, 3)
    np.testing.assert_array_equal(twin(x).detach().numpy(), layer(x).detach().numpy())
    twin.parametrizations.weight.original1.data.mul_(0)
    assert layer.weight.abs().sum().item() > 0  # the copy owns its tensors

    class Double(flodl.nn.Module):
        def forward(self, x):
            return x * 2

    doubled = flodl.nn.utils.parametrize.register_parametrization(
        flodl.nn.Linear(2, 2), "weight", Double(), unsafe=True
    )
    with pytest.raises(RuntimeError, match="right_inverse"):
        doubled.weight = flodl.ones(2, 2)


@pytest.mark.parametrize(
    "shape, options",
    [
        ((5, 5), {}),
        ((4, 6), {}),
        ((6, 4), {}),
        ((5, 5), {"orthogonal_map": "cayley"}),
        ((4, 6), {"orthogonal_map": "cayley"}),
        ((6, 4), {"orthogonal_map": "matrix_exp"}),
        ((5, 5), {"orthogonal_map": "householder"}),
        ((4, 6), {"orthogonal_map": "householder", "use_trivialization": False}),
        ((4, 4), {"use_trivialization": False}),
    ],
    ids=str,
)
def test_orthogonal_is_torch_s_in_values_gradients_steps_and_keys(shape, options) -> None:
    """The orthogonal weight, the base completed by the same random columns,
    the gradients of the free matrix, an Adam step later, and an assigned
    orthogonal weight (right_inverse): all torch's, to the bit."""
    w = np.random.default_rng(0).standard_normal(shape)
    x = np.random.default_rng(1).standard_normal((3, shape[1]))

    def run(lib):
        layer = lib.nn.Linear(shape[1], shape[0]).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(w))
            layer.bias.zero_()
        lib.manual_seed(0)
        lib.nn.utils.parametrizations.orthogonal(layer, **options)
        first = layer.weight.detach().numpy().copy()
        opt = lib.optim.Adam(layer.parameters(), lr=0.1)
        layer(lib.tensor(x)).pow(3).sum().backward()
        grad = layer.parametrizations.weight.original.grad.numpy().copy()
        opt.step()
        after = layer.weight.detach().numpy()
        product = after @ after.T if shape[0] <= shape[1] else after.T @ after
        np.testing.assert_allclose(product, np.eye(min(shape)), atol=1e-12)
        return first, grad, after, sorted(layer.state_dict())

    theirs, ours = both(run)
    for want, got in zip(theirs, ours):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_assigning_to_an_orthogonal_weight_is_torch_s() -> None:
    q = np.linalg.qr(np.random.default_rng(2).standard_normal((4, 4)))[0]

    def run(lib):
        layer = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(4, 4).double())
        layer.weight = lib.tensor(q)
        return layer.weight.detach().numpy()

    theirs, ours = both(run)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(ours, q, atol=1e-12)
