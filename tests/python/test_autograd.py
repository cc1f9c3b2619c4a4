"""Variable and grad mode."""

import threading

import numpy as np
import pytest

import flodl
from flodl import Device, Tensor, Variable, no_grad


def leaf(values, requires_grad=True):
    return Variable(Tensor.from_f32(values, [len(values)], Device.CPU), requires_grad)


def test_tutorial_gradients() -> None:
    x, w = leaf([2.0]), leaf([3.0])
    y = x.mul(w).sum()
    y.backward()
    assert w.grad().to_f32_vec() == [2.0]
    assert x.grad().to_f32_vec() == [3.0]


def test_new_is_the_constructor() -> None:
    t = Tensor.from_f32([1.0], [1])
    v = Variable.new(t, True)
    assert v.requires_grad() and v.is_leaf()
    assert not Variable(t).requires_grad()
    assert not t.requires_grad(), "the user's tensor stays untracked"
    with pytest.raises(TypeError):
        Variable([1.0], True)


def test_leaf_and_requires_grad_rules() -> None:
    x, c = leaf([1.0]), leaf([2.0], requires_grad=False)
    y = x * c
    assert not y.is_leaf() and y.requires_grad()
    assert not (c * c).requires_grad()
    with no_grad():
        assert not (x * c).requires_grad()


def test_accumulation_and_zero_grad() -> None:
    x = leaf([1.0, 2.0])
    assert x.grad() is None
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert x.grad().to_f32_vec() == [6.0, 6.0]
    x.zero_grad()
    assert x.grad() is None
    (x * x).sum().backward()
    assert x.grad().to_f32_vec() == [2.0, 4.0]


def test_backward_errors() -> None:
    x = leaf([1.0, 2.0])
    with pytest.raises(flodl.AutogradError, match=r"\[2\]"):
        (x * 2).backward()
    with pytest.raises(flodl.AutogradError):
        leaf([1.0], requires_grad=False).sum().backward()
    y = (x * x).sum()
    y.backward()
    assert not y.requires_grad(), "the graph is cut after backward"
    with pytest.raises(flodl.AutogradError):
        y.backward()
    h = x.exp()
    h.sum().backward()
    with pytest.raises(flodl.AutogradError):
        (h * 2).sum().backward()


def test_variable_mixes_with_tensors_and_numbers() -> None:
    x = leaf([1.0, 2.0])
    t = Tensor.from_f32([3.0, 4.0], [2])
    y = (t * x + 1 - x / 2).sum() + (2 / x).sum() + (t - x).sum()
    y.backward()
    expected = np.array([3.0, 4.0]) - 0.5 - 2 / np.array([1.0, 2.0]) ** 2 - 1
    np.testing.assert_allclose(x.grad().numpy(), expected, rtol=1e-6)


def test_inspection_and_data() -> None:
    x = leaf([1.0, 2.0])
    assert x.shape() == [2] and x.numel() == 2 and x.ndim() == 1
    assert x.dtype() == flodl.DType.Float32 and x.device() == Device.CPU
    d = x.data()
    assert isinstance(d, Tensor) and not d.requires_grad()
    assert (x * 2).sum().item() == 6.0
    np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])
    assert "requires_grad=True" in repr(x) and "[1.0, 2.0]" in repr(x)


def test_detach() -> None:
    x = leaf([1.0])
    d = (x * 2).detach()
    assert d.is_leaf() and not d.requires_grad()
    assert d.item() == 2.0


def test_to_device_is_differentiable() -> None:
    x = leaf([1.0, 2.0])
    (x.to_device(Device.CPU) * 3).sum().backward()
    assert x.grad().to_f32_vec() == [3.0, 3.0]


def test_no_grad_forms() -> None:
    x = leaf([1.0])
    with no_grad():
        assert not flodl.is_grad_enabled()
        with no_grad():
            pass
        assert not flodl.is_grad_enabled(), "nested blocks restore the outer state"
    assert flodl.is_grad_enabled()

    @no_grad()
    def double(v):
        assert not flodl.is_grad_enabled()
        return v * 2

    assert not double(x).requires_grad()
    assert flodl.is_grad_enabled()
    y = no_grad(lambda: x * 3)
    assert not y.requires_grad() and y.item() == 3.0
    assert flodl.is_grad_enabled()


def test_no_grad_restores_on_exceptions() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        _ = 1 / 0
    assert flodl.is_grad_enabled()
    with pytest.raises(ValueError):
        no_grad(lambda: int("x"))
    assert flodl.is_grad_enabled()


def test_no_grad_keeps_existing_gradients() -> None:
    x = leaf([1.0])
    (x * 5).sum().backward()
    with no_grad():
        _ = x * 2
    assert x.grad().to_f32_vec() == [5.0]


def test_grad_mode_is_per_thread() -> None:
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(flodl.is_grad_enabled()))
        worker.start()
        worker.join()
        assert not flodl.is_grad_enabled()
    assert seen == [True]
