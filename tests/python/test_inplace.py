"""In-place ops on Tensor and Variable: the same object comes back with new
values; libtorch's rules about autograd surface as AutogradErrors; gradients
through in-place ops on non-leaves are PyTorch's."""

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable


def test_returns_self_and_every_handle_sees_the_change():
    a = flodl.tensor([1.0, 2.0])
    alias = a.T  # a view shares the values
    assert a.add_(flodl.tensor([3.0, 4.0])) is a
    assert a.mul_scalar_(2).clamp_(0, 9) is a
    assert a.tolist() == [8.0, 9.0] and alias.tolist() == [8.0, 9.0]
    assert a.zero_().tolist() == [0.0, 0.0]
    assert a.fill_(7).tolist() == [7.0, 7.0]
    assert a.copy_(flodl.tensor([1, 2])).tolist() == [1.0, 2.0]  # cast to self's dtype


def test_on_a_leaf_that_requires_grad_only_under_no_grad():
    x = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    with pytest.raises(flodl.AutogradError, match="add_scalar_: .*in-place"):
        x.add_scalar_(1.0)
    with flodl.no_grad():
        x.sub_scalar_(0.5)  # an optimizer's update
    assert x.tolist() == [0.5, 1.5] and x.requires_grad and x.is_leaf


def test_changing_a_value_backward_needs_is_an_autograd_error():
    x = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    y = x * 2
    z = y.sin()  # sin keeps y for its backward
    y.add_scalar_(1.0)
    with pytest.raises(flodl.AutogradError, match="modified by an inplace operation"):
        z.sum().backward()


def test_gradients_through_in_place_ops_match_torch():
    data = np.array([0.5, -1.0, 2.0])
    x = Variable(flodl.tensor(data), requires_grad=True)
    v = Variable(flodl.tensor(data * 3))
    w = x * 1.0
    w.mul_(x).add_scalar_(2.0).div_(v).clamp_(-1.0, 1.0)
    (w * w).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    tw = tx * 1.0
    tw.mul_(tx).add_(2.0).div_(torch.tensor(data * 3)).clamp_(-1.0, 1.0)
    (tw * tw).sum().backward()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_copy_into_a_non_leaf_takes_the_gradient_path_of_the_source():
    x = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    s = Variable(flodl.tensor([3.0, 4.0]), requires_grad=True)
    y = x * 2
    y.copy_(s * s)
    y.sum().backward()
    assert x.grad is None or x.grad.tolist() == [0.0, 0.0]
    assert s.grad.tolist() == [6.0, 8.0]


def test_a_tensor_given_a_recorded_variable_in_place_joins_its_graph():
    a = Tensor.zeros([2])
    w = Variable(flodl.tensor([1.0, 1.0]), requires_grad=True)
    a.add_(w)
    assert isinstance(a, Variable) and a.requires_grad and not a.is_leaf
    a.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_an_int_tensor_cannot_take_a_float_in_place():
    with pytest.raises(flodl.DTypeError, match="add_scalar_"):
        flodl.tensor([1, 2]).add_scalar_(0.5)


def _torch_key(key):
    key = key if isinstance(key, tuple) else (key,)
    return tuple(torch.tensor(k.tolist()) if isinstance(k, Tensor) else k for k in key)


SETITEM_CASES = [
    ((0,), 1.5),
    ((slice(None), 1), [1.0, 2.0, 3.0]),
    ((slice(0, 3, 2), slice(1, None)), [[5.0], [6.0]]),  # broadcast
    ((Ellipsis, -1), 9),
    ((None, 1), [4.0, 3.0, 2.0, 1.0]),
    ("int64 positions", -2.0),
    ("bool mask", [[7.0]]),
]


@pytest.mark.parametrize("key,value", SETITEM_CASES)
def test_setitem_matches_torch(key, value):
    if key == "int64 positions":
        key = (flodl.tensor([0, 2]), flodl.tensor([1, 3]))
    elif key == "bool mask":
        key = (flodl.tensor([[True, False, True, False]] * 3),)
    x, t = Tensor.zeros([3, 4]), torch.zeros(3, 4)
    x[key] = value if not isinstance(value, list) else flodl.tensor(value)
    t[_torch_key(key)] = value if not isinstance(value, list) else torch.tensor(value)
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_setitem_on_a_non_leaf_records_and_on_a_leaf_is_refused():
    v = Variable(flodl.tensor([1.0, 2.0, 3.0]), requires_grad=True)
    w = v * 2
    w[1] = v[0] * 10  # a Variable value takes part in the graph
    w.sum().backward()
    assert v.grad.tolist() == [12.0, 0.0, 2.0]
    with pytest.raises(flodl.AutogradError, match="index_put_"):
        v[0] = 5.0
    with flodl.no_grad():
        v[0] = 5.0
    assert v.tolist()[0] == 5.0


def test_setitem_errors():
    x = Tensor.zeros([3, 4])
    with pytest.raises(TypeError, match="__setitem__"):
        x[0] = "a"
    with pytest.raises(flodl.OutOfRangeError):
        x[5] = 1.0
    with pytest.raises(flodl.ShapeError):
        x[0] = flodl.tensor([1.0, 2.0])


def test_augmented_assignment_is_in_place_as_in_pytorch() -> None:
    t = flodl.tensor([1.0, 2.0])
    alias = t
    t += 1
    t *= flodl.tensor([2.0, 3.0])
    t -= np.array([1.0, 1.0])
    t /= 2
    assert t is alias
    expected = torch.tensor([1.0, 2.0])
    expected += 1
    expected *= torch.tensor([2.0, 3.0])
    expected -= torch.tensor([1.0, 1.0])
    expected /= 2
    np.testing.assert_array_equal(t.numpy(), expected.numpy())
    # An integer tensor keeps its dtype: a float number is an error, as in PyTorch.
    ints = flodl.tensor([1, 2])
    ints += 1
    assert ints.tolist() == [2, 3]
    with pytest.raises(flodl.DTypeError):
        ints /= 2


def test_augmented_assignment_follows_autograd_rules() -> None:
    w = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    with pytest.raises(flodl.AutogradError):
        w += 1
    with flodl.no_grad():
        w -= 0.5
    np.testing.assert_array_equal(w.data.numpy(), [0.5, 1.5])
    h = w * 2
    h += 1  # a non-leaf changes in place and keeps its history
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0])
    t = flodl.tensor([1.0])
    t += flodl.Variable(flodl.tensor([1.0]))  # values that need no grad
    assert type(t) is flodl.Tensor and t.tolist() == [2.0]
    t += w[:1] * 2  # a recorded value: t joins the graph, as in PyTorch
    assert t.requires_grad and not t.is_leaf
    with pytest.raises(TypeError):
        t += "one"


def test_floor_division_remainder_and_power_assignments_are_in_place() -> None:
    t = flodl.tensor([7.0, -7.0, 9.0])
    alias = t
    t //= 2
    t %= flodl.tensor([3.0, 3.0, 3.0])
    t **= 2
    expected = torch.tensor([7.0, -7.0, 9.0])
    expected //= 2
    expected %= torch.tensor([3.0, 3.0, 3.0])
    expected **= 2
    assert t is alias and t.tolist() == expected.tolist()


ACTIVATIONS_IN_PLACE = [
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "silu",
    "mish",
    "hardsigmoid",
    "hardswish",
]


@pytest.mark.parametrize("name", ACTIVATIONS_IN_PLACE)
def test_functional_inplace_changes_the_input_and_returns_it(name: str) -> None:
    data = np.random.default_rng(0).standard_normal((3, 4))
    x, tx = flodl.tensor(data), torch.tensor(data)
    y = getattr(flodl.nn.functional, name)(x, inplace=True)
    getattr(torch.nn.functional, name)(tx, inplace=True)
    assert y is x
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12)


def test_inplace_modules_and_functional_underscore_forms() -> None:
    F, TF = flodl.nn.functional, torch.nn.functional
    data = np.random.default_rng(1).standard_normal(6)
    for name, args in [
        ("relu_", ()),
        ("selu_", ()),
        ("elu_", (0.5,)),
        ("leaky_relu_", (0.2,)),
        ("celu_", (0.5,)),
        ("hardtanh_", (-0.5, 0.5)),
        ("threshold_", (0.1, 5.0)),
    ]:
        x, tx = flodl.tensor(data), torch.tensor(data)
        assert getattr(F, name)(x, *args) is x
        getattr(TF, name)(tx, *args)
        np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12, err_msg=name)
    x = flodl.tensor(data)
    assert flodl.nn.ReLU(inplace=True)(x) is x
    assert x.numpy().min() >= 0
    kept = flodl.tensor(data)
    flodl.nn.ReLU()(kept)
    np.testing.assert_array_equal(kept.numpy(), data)  # without inplace, untouched


def test_clamp_in_place_takes_one_bound() -> None:
    x = flodl.tensor([-2.0, 0.5, 3.0])
    assert x.clamp_(min=0.0) is x and x.tolist() == [0.0, 0.5, 3.0]
    assert x.clamp_(max=1.0).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(flodl.ArgumentError, match="clamp_: give min, max or both"):
        x.clamp_()


def test_gradients_through_in_place_unary_ops_match_torch() -> None:
    # Each op changes a fresh intermediate, so no value backward needs is
    # changed after it was saved (that is an AutogradError, as in torch).
    ops = ["sigmoid_", "exp_", "sqrt_", "tanh_", "square_", "log1p_", "relu_", "erf_", "atan_"]
    data = np.array([0.5, -1.0, 2.0, 0.25])
    results = []
    for lib, leaf in [
        (flodl, Variable(flodl.tensor(data), requires_grad=True)),
        (torch, torch.tensor(data, requires_grad=True)),
    ]:
        w = leaf * 1.5
        for op in ops:
            w = getattr(w * 1.0, op)()
        (w * leaf).sum().backward()
        results.append((w.detach().numpy(), leaf.grad.numpy()))
    (value, grad), (t_value, t_grad) = results
    np.testing.assert_allclose(value, t_value, rtol=1e-12)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12)


def test_in_place_shape_changes_keep_the_gradient_path():
    """``unsqueeze_``, ``squeeze_``, ``transpose_``, ``t_`` on a non-leaf
    change its shape in place; backward goes through them as torch's."""
    values = np.arange(6.0).reshape(2, 3)
    ours = Variable(Tensor.from_numpy(values.copy()), requires_grad=True)
    theirs = torch.from_numpy(values.copy()).requires_grad_()
    results = []
    for leaf in (ours, theirs):
        y = leaf * 2
        assert y.unsqueeze_(0) is y and y.shape == (1, 2, 3)
        y.squeeze_(0).transpose_(0, 1)
        y.t_()
        z = y.squeeze_()
        assert z.shape == (2, 3)
        (z * leaf.detach() + z).sum().backward()
        results.append(leaf.grad.numpy())
    np.testing.assert_array_equal(results[0], results[1])


def test_bitwise_assignment_operators_change_the_tensor_itself():
    """`mask &= other` (and |=, ^=, <<=, >>=) is in place, as PyTorch's: an
    alias sees it."""
    for m in (flodl, torch):
        mask = m.tensor([True, True, False])
        alias = mask
        mask &= m.tensor([True, False, False])
        mask |= m.tensor([False, False, True])
        mask ^= True
        assert mask is alias and alias.tolist() == [False, True, False]
        bits = m.tensor([1, 2, 3])
        alias = bits
        bits <<= 2
        bits >>= m.tensor([1, 0, 1])
        assert bits is alias and alias.tolist() == [2, 8, 6]


def test_comparison_and_integer_methods_in_place_are_torch_s():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0])
        out = [x.clone().eq_(2).tolist(), x.clone().ge_(m.tensor([0.0, 3.0, 3.0])).tolist()]
        out.append(x.clone().less_(2.5).tolist())  # PyTorch's other name
        out.append(m.tensor([5.0, -7.0]).fmod_(3).tolist())
        out.append(m.tensor([2.0], dtype=m.float64).float_power_(3).tolist())
        ints = m.tensor([12, 18])
        out.append(
            [
                ints.clone().gcd_(m.tensor([8, 12])).tolist(),
                ints.clone().lcm_(m.tensor([8, 12])).tolist(),
            ]
        )
        out.append(ints.clone().bitwise_not_().tolist())
        return out

    assert run(flodl) == run(torch)
    with pytest.raises(flodl.DTypeError, match="float_power"):
        flodl.tensor([2.0]).float_power_(2)  # a float32 self cannot hold float64


def test_in_and_reversed_are_torch_s():
    for m in (flodl, torch):
        grid = m.arange(6).reshape(2, 3)
        assert 4 in grid and 7 not in grid and m.tensor(5) in grid
        assert [row.tolist() for row in reversed(grid)] == [[3, 4, 5], [0, 1, 2]]
    with pytest.raises(TypeError, match="tensors or numbers"):
        "a" in flodl.ones(2)  # noqa: B015
