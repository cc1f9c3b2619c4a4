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
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_copy_into_a_non_leaf_takes_the_gradient_path_of_the_source():
    x = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    s = Variable(flodl.tensor([3.0, 4.0]), requires_grad=True)
    y = x * 2
    y.copy_(s * s)
    y.sum().backward()
    assert x.grad is None or x.grad.tolist() == [0.0, 0.0]
    assert s.grad.tolist() == [6.0, 8.0]


def test_a_tensor_cannot_take_a_variable_in_place():
    a = Tensor.zeros([2])
    with pytest.raises(flodl.DTypeError, match="add_: a Tensor cannot take a Variable"):
        a.add_(Variable(flodl.tensor([1.0, 1.0]), requires_grad=True))


def test_an_int_tensor_cannot_take_a_float_in_place():
    with pytest.raises(flodl.DTypeError, match="add_scalar_"):
        flodl.tensor([1, 2]).add_scalar_(0.5)
