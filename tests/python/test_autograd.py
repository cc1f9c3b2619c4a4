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
    assert w.grad.to_f32_vec() == [2.0]
    assert x.grad.to_f32_vec() == [3.0]


def test_new_is_the_constructor() -> None:
    t = Tensor.from_f32([1.0], [1])
    v = Variable.new(t, True)
    assert v.requires_grad and v.is_leaf
    assert not Variable(t).requires_grad
    assert not t.requires_grad, "the user's tensor stays untracked"
    from_list = Variable([[1.0, 2.0]], True)  # anything flodl.tensor takes
    assert from_list.shape == (1, 2) and from_list.requires_grad and from_list.is_leaf
    with pytest.raises(TypeError):
        Variable("not numbers")


def test_leaf_and_requires_grad_rules() -> None:
    x, c = leaf([1.0]), leaf([2.0], requires_grad=False)
    y = x * c
    assert not y.is_leaf and y.requires_grad
    assert not (c * c).requires_grad
    with no_grad():
        assert not (x * c).requires_grad


def test_accumulation_and_zero_grad() -> None:
    x = leaf([1.0, 2.0])
    assert x.grad is None
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.to_f32_vec() == [6.0, 6.0]
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    assert x.grad.to_f32_vec() == [2.0, 4.0]


def test_backward_errors() -> None:
    x = leaf([1.0, 2.0])
    with pytest.raises(flodl.AutogradError, match=r"\[2\]"):
        (x * 2).backward()
    with pytest.raises(flodl.AutogradError):
        leaf([1.0], requires_grad=False).sum().backward()
    y = (x * x).sum()
    y.backward()
    assert not y.requires_grad, "the graph is cut after backward"
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
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_inspection_and_data() -> None:
    x = leaf([1.0, 2.0])
    assert x.shape == (2,) and x.numel() == 2 and x.ndim == 1
    assert x.dtype == flodl.DType.Float32 and x.device == Device.CPU
    d = x.data
    assert isinstance(d, Tensor) and not d.requires_grad
    assert (x * 2).sum().item() == 6.0
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    assert "requires_grad=True" in repr(x) and "[1., 2.]" in repr(x)


def test_detach() -> None:
    x = leaf([1.0])
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    assert d.item() == 2.0


def test_to_device_is_differentiable() -> None:
    x = leaf([1.0, 2.0])
    (x.to_device(Device.CPU) * 3).sum().backward()
    assert x.grad.to_f32_vec() == [3.0, 3.0]


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

    assert not double(x).requires_grad
    assert flodl.is_grad_enabled()
    y = no_grad(lambda: x * 3)
    assert not y.requires_grad and y.item() == 3.0
    assert flodl.is_grad_enabled()


def test_bare_no_grad_decorates_a_function_that_takes_arguments() -> None:
    """PyTorch's `@torch.no_grad` without parentheses (a method, say) is a
    decorator; a function of no arguments is the closure form, run at once."""
    x = leaf([1.0])
    calls = []

    class Model:
        @no_grad
        def evaluate(self, v, scale=2):
            calls.append(flodl.is_grad_enabled())
            return v * scale

    @no_grad
    def keyword_only(*, v):
        return v * 4

    @no_grad
    def steps():
        yield flodl.is_grad_enabled()

    assert calls == []  # nothing ran while decorating
    assert not Model().evaluate(x).requires_grad and calls == [False]
    assert not keyword_only(v=x).requires_grad
    assert list(steps()) == [False]

    @no_grad
    def sample(n=2):  # defaults and *args count as parameters too
        return x * n

    def passing(f):
        return lambda *args, **kwargs: f(*args, **kwargs)

    @no_grad
    @passing
    def wrapped(v):
        return v * 5

    assert not sample().requires_grad and not wrapped(x).requires_grad
    assert Model.evaluate.__name__ == "evaluate" and flodl.is_grad_enabled()
    assert no_grad(lambda: flodl.is_grad_enabled()) is False


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
    assert x.grad.to_f32_vec() == [5.0]


def test_grad_mode_is_per_thread() -> None:
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(flodl.is_grad_enabled()))
        worker.start()
        worker.join()
        assert not flodl.is_grad_enabled()
    assert seen == [True]


# ----- attributes are properties, as in PyTorch -----


def test_attributes_are_values_not_methods() -> None:
    v = Variable(Tensor.zeros([2, 3]), True)
    assert v.requires_grad is True and v.grad is None and v.is_leaf is True
    assert v.shape[0] == 2 and v.shape == (2, 3) and v.shape == (2, 3) and len(v.shape) == 2
    assert v.ndim == 2 and v.dim() == 2 and v.numel() == 6
    assert v.size() == (2, 3) and v.size(1) == 3 and v.size(-2) == 2
    assert repr(v.shape) == "flodl.Size([2, 3])" and hash(v.shape) == hash((2, 3))
    assert v.dtype == flodl.DType.Float32 and v.device == flodl.Device.CPU
    t = Tensor.ones([4])
    assert t.requires_grad is False and t.shape == (4,)
    with pytest.raises(flodl.OutOfRangeError, match="size: dim 2 is out of range"):
        v.size(2)
    if not v.mul_scalar(2.0).requires_grad:
        pytest.fail("requires_grad must be a value, not a bound method")


def test_grad_data_and_requires_grad_are_settable() -> None:
    v = Variable(Tensor.zeros([2]), True)
    v.grad = Tensor.from_f32([1.0, 2.0], [2])
    assert v.grad.tolist() == [1.0, 2.0]
    v.sum().backward()
    assert v.grad.tolist() == [2.0, 3.0]  # backward adds to the set gradient
    v.grad = None
    assert v.grad is None
    with pytest.raises(flodl.ShapeError, match="set_grad"):
        v.grad = Tensor.zeros([3])
    with pytest.raises(flodl.DTypeError, match="set_grad"):
        v.grad = Tensor.zeros([2], dtype="float64")
    v.data = Tensor.from_f32([5.0, 6.0], [2])
    assert v.tolist() == [5.0, 6.0] and v.is_leaf and v.requires_grad
    v.requires_grad = False
    assert not v.requires_grad
    assert v.requires_grad_() is v and v.requires_grad
    with pytest.raises(flodl.AutogradError, match="only change requires_grad flags of leaf"):
        v.mul_scalar(2.0).requires_grad = False
    with pytest.raises(flodl.DTypeError):
        Variable(Tensor.from_i64([1], [1])).requires_grad = True
    # A Tensor becomes a leaf in place (tests/python/test_leaf_tensor.py).
    made = Tensor.zeros([1])
    made.requires_grad = True
    assert made.requires_grad and made.is_leaf and isinstance(made, Variable)


def test_item_and_tolist_keep_the_dtype() -> None:
    assert Tensor.from_i64([7], [1]).item() == 7 and isinstance(
        Tensor.from_i64([7], [1]).item(), int
    )
    assert Tensor.from_f64([0.1], []).item() == 0.1
    assert Tensor.from_numpy(np.array([True])).item() is True
    assert Tensor.from_i64([1, 2, 3, 4], [2, 2]).tolist() == [[1, 2], [3, 4]]
    assert Tensor.from_f32([1.5], []).tolist() == 1.5
    with pytest.raises(flodl.ShapeError):
        Tensor.zeros([2]).item()


def _graph(node, depth=0):
    """The names along ``next_functions`` from ``node``, nested (None for an
    input that needs no gradient), with the input numbers."""
    if node is None:
        return None
    return (node.name(), [(_graph(n, depth + 1), i) for n, i in node.next_functions])


def _types(node):
    """The class names along ``next_functions`` from ``node``, nested."""
    if node is None:
        return None
    return (type(node).__name__, [_types(n) for n, _ in node.next_functions])


def test_grad_fn_walks_the_graph_as_torch():
    import torch

    x = flodl.Variable(flodl.Tensor.ones([3]), requires_grad=True)
    w = flodl.Tensor.full([3], 2.0)
    tx, tw = torch.ones(3, requires_grad=True), torch.full((3,), 2.0)

    def f(a, b):
        return ((a * b).sin() + a).sum()

    y, ty = f(x, w), f(tx, tw)
    assert _graph(y.grad_fn) == _graph(ty.grad_fn)
    # Each node's class is named after it, as torch's C++ node classes.
    assert _types(y.grad_fn) == _types(ty.grad_fn)
    assert str(type(y.grad_fn)) == str(type(ty.grad_fn)) == "<class 'SumBackward0'>"
    assert isinstance(y.grad_fn, flodl.Node)
    assert repr(y.grad_fn).startswith("<SumBackward0 object at 0x")
    leaf = y.grad_fn.next_functions[0][0].next_functions[1][0]
    assert repr(leaf).startswith("<AccumulateGrad object at")
    assert leaf.variable.shape == (3,) and leaf.variable.requires_grad
    # One node, one identity; leaves and Tensors have no node.
    assert y.grad_fn == y.grad_fn and hash(y.grad_fn) == hash(y.grad_fn)
    assert y.grad_fn != leaf
    assert x.grad_fn is None and w.grad_fn is None
    with flodl.no_grad():
        assert (x * 2).grad_fn is None


def test_grad_fn_of_a_custom_function_is_its_node():
    class Double(flodl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = flodl.Variable(flodl.Tensor.ones([2]), requires_grad=True)
    node = Double.apply(x).grad_fn
    assert "Double" in node.name()
    assert node.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"


def test_set_detect_anomaly_switches_it_on_and_off() -> None:
    def nan_backward() -> None:
        w = Variable(Tensor.zeros([1]), True)
        (w.sqrt() * 0).sum().backward()

    flodl.autograd.set_detect_anomaly(True)
    try:
        with pytest.raises(flodl.AutogradError, match="detect_anomaly: the backward of sqrt"):
            nan_backward()
        with flodl.autograd.set_detect_anomaly(False):
            nan_backward()  # off inside the block
        with pytest.raises(flodl.AutogradError):
            nan_backward()  # restored on leaving it
    finally:
        flodl.autograd.set_detect_anomaly(False)
    nan_backward()


def test_utils_checkpoint_gives_the_gradients_of_the_plain_run() -> None:
    import flodl.utils.checkpoint as checkpointing

    flodl.manual_seed(0)
    seq = flodl.nn.Sequential(
        flodl.nn.Linear(3, 4), flodl.nn.ReLU(), flodl.nn.Linear(4, 4), flodl.nn.Tanh()
    )
    x = Variable(flodl.randn(2, 3), True)
    seq(x).sum().backward()
    want = x.grad.numpy().copy()
    for run in (
        lambda: checkpointing.checkpoint(seq, x, use_reentrant=False),
        lambda: checkpointing.checkpoint_sequential(seq, 2, x),
    ):
        x.grad = None
        run().sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)


def test_numbers_used_in_inference_mode_do_not_break_later_training() -> None:
    # A validation pass in inference_mode, then training with the same
    # numbers (the shim's reused 0-d tensors must not be inference tensors).
    w = Variable(flodl.ones(2), True)
    with flodl.inference_mode():
        (w * 3 + 1.5) / 2
    for _ in range(2):
        b = Variable(Tensor.from_f32([1.0, 2.0], [2]), True)
        ((b * 3 + 1.5) / 2).sum().backward()
        assert b.grad.tolist() == [1.5, 1.5]


def test_checkpoint_under_no_grad_is_the_call_itself_as_torch_s() -> None:
    import torch

    results = []
    for m in (torch, flodl):
        checkpoint = (torch.utils.checkpoint if m is torch else flodl.utils.checkpoint).checkpoint
        m.manual_seed(0)
        layer = m.nn.Linear(2, 2)

        def turns_grad_on(t, layer=layer, m=m):
            with m.enable_grad():
                return layer(t).relu()

        with m.no_grad():
            inside = checkpoint(turns_grad_on, m.ones(1, 2), use_reentrant=False)
            plain = checkpoint(layer, m.ones(1, 2), use_reentrant=False)
        assert inside.requires_grad and not plain.requires_grad
        inside.sum().backward()
        results.append(layer.weight.grad.numpy())
    np.testing.assert_array_equal(results[1], results[0])
