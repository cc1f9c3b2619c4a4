"""explain_grad answers each cause of a None gradient, precisely."""

from __future__ import annotations

import flodl
from flodl import Tensor, Variable, autograd, no_grad


def explain(v) -> str:
    text = autograd.explain_grad(v)
    assert text == v.explain_grad() and "\n" not in text
    return text


def test_made_without_requires_grad() -> None:
    assert "made with requires_grad=False" in explain(Variable(Tensor.ones([2])))


def test_made_by_detach() -> None:
    v = Variable(Tensor.ones([2]), True)
    assert "made by detach()" in explain(v.detach())


def test_made_under_no_grad() -> None:
    v = Variable(Tensor.ones([2]), True)
    with no_grad():
        y = v * 2.0
    assert "grad mode off" in explain(y)


def test_an_op_whose_inputs_need_no_grad() -> None:
    y = Variable(Tensor.ones([2])) * 2.0
    assert "none of the inputs of the op" in explain(y)


def test_an_integer_dtype() -> None:
    assert "integer or bool dtype" in explain(Variable(Tensor.from_i64([1], [1])))


def test_a_non_leaf_without_retain_grad() -> None:
    v = Variable(Tensor.ones([2]), True)
    y = v * 2.0
    text = explain(y)
    assert "made by an op (MulBackward0)" in text and "retain_grad()" in text


def test_no_backward_yet_then_one_that_did_not_depend_on_it() -> None:
    v = Variable(Tensor.ones([2]), True)
    assert "no backward has run since" in explain(v)
    other = Variable(Tensor.ones([1]), True)
    (other * 3.0).sum().backward()
    text = explain(v)
    assert "1 backward pass ran" in text and "did not depend on it" in text


def test_a_freed_graph() -> None:
    v = Variable(Tensor.ones([1]), True)
    y = (v * 2.0).sum()
    y.backward()
    assert "freed its graph" in explain(y)


def test_a_gradient_and_after_zero_grad() -> None:
    v = Variable(Tensor.ones([1]), True)
    (v * 2.0).sum().backward()
    assert "has a gradient" in explain(v)
    v.zero_grad()
    assert "no backward has run since" in explain(v)


def test_the_non_leaf_warning_names_retain_grad_and_explain_grad() -> None:
    import pytest

    y = Variable(Tensor.ones([1]), True) * 2.0
    with pytest.warns(UserWarning, match=r"retain_grad\(\).*explain_grad\(\)"):
        assert y.grad is None
    assert flodl.is_grad_enabled()


def test_detect_anomaly_names_the_op_its_operands_and_the_line() -> None:
    import pytest

    x = Variable(flodl.tensor([0.0, 1.0]), True)
    with autograd.detect_anomaly():
        y = x.sqrt()  # d/dx sqrt(x) is inf at 0
        line = __import__("inspect").currentframe().f_lineno - 1
        with pytest.raises(flodl.AutogradError) as caught:
            y.sum().backward()
    message = str(caught.value)
    assert message.startswith("detect_anomaly: the backward of sqrt ([2] float32 cpu)")
    assert "produced inf" in message and f"test_explain_grad.py:{line}" in message
    # Off again: the same backward runs and gives inf, as PyTorch without anomaly mode.
    z = Variable(flodl.tensor([0.0, 1.0]), True)
    z.sqrt().sum().backward()
    assert z.grad.tolist()[0] == float("inf")
