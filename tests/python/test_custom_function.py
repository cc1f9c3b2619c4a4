"""flodl.autograd.Function against torch.autograd.Function with the same
body: values, gradients, second order, its place in the graph (hooks,
retain_graph, autograd.grad), errors, threads."""

import numpy as np
import pytest
import torch
from concurrency import run_on_threads

import flodl
from flodl.autograd import Function

F64 = flodl.DType.Float64


def make_swish(base):
    """`x * sigmoid(beta * x)` with a hand-written backward, for either library."""

    class Swish(base):
        @staticmethod
        def forward(ctx, x, beta=1.0):
            ctx.save_for_backward(x)
            ctx.beta = beta
            return x * (x * beta).sigmoid()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            s = (x * ctx.beta).sigmoid()
            return g * (s + ctx.beta * x * s * (1 - s)), None

    return Swish


Swish = make_swish(Function)
TorchSwish = make_swish(torch.autograd.Function)


def pair(values):
    data = np.asarray(values, dtype=np.float64)
    x = flodl.Variable(flodl.tensor(data), requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    return x, t


def test_values_and_gradients_match_torch_function():
    rng = np.random.default_rng(0)
    x, t = pair(rng.standard_normal((4, 5)))
    y, ty = Swish.apply(x, 1.5), TorchSwish.apply(t, 1.5)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_gradcheck_and_gradgradcheck():
    x, _ = pair(np.random.default_rng(1).standard_normal(6))
    assert flodl.autograd.gradcheck(lambda v: Swish.apply(v, 0.7), (x,))
    assert flodl.autograd.gradgradcheck(lambda v: Swish.apply(v, 0.7), (x,))


def test_second_order_through_autograd_grad_matches_torch():
    x, t = pair([0.3, -1.2, 2.0])
    (g,) = flodl.autograd.grad(Swish.apply(x, 2.0).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(TorchSwish.apply(t, 2.0).sum(), t, create_graph=True)
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_mixes_with_built_in_ops_and_a_hook():
    x, t = pair([0.5, -0.25, 1.0])
    seen = []
    y = Swish.apply(x.exp(), 1.0)
    y.register_hook(lambda g: seen.append(g) or g * 2)
    (y.tanh() * 3).sum().backward()
    ty = TorchSwish.apply(t.exp(), 1.0)
    ty.register_hook(lambda g: g * 2)
    (ty.tanh() * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_retain_graph_and_the_freed_node():
    x, _ = pair([1.0, 2.0])
    y = Swish.apply(x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    with pytest.raises(flodl.AutogradError):
        y.backward()


def test_needs_input_grad_non_variable_arguments_and_no_grad():
    seen = {}

    class Scale(Function):
        @staticmethod
        def forward(ctx, x, w, factor):
            seen["needs"] = ctx.needs_input_grad
            return x * w * factor

        @staticmethod
        def backward(ctx, g):
            return g * 2.0, None, None

    x = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    w = flodl.Variable(flodl.tensor([3.0, 4.0]))
    y = Scale.apply(x, w, 2.0)
    assert seen["needs"] == (True, False, False)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    with flodl.no_grad():
        assert not Scale.apply(x, w, 2.0).requires_grad
    assert not Scale.apply(w, w, 1.0).requires_grad


def test_non_differentiable_outputs_and_unused_outputs_get_zeros():
    grads_seen = []

    class SortValues(Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.sort(0)
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(indices)
            return values, indices, values * 2

        @staticmethod
        def backward(ctx, g_values, g_indices, g_double):
            grads_seen.append(g_double)
            (indices,) = ctx.saved_tensors
            g = g_values + 2 * g_double
            return flodl.Tensor.zeros([3], dtype=g.dtype).scatter_add(0, indices, g.data)

    x = flodl.Variable(flodl.tensor([3.0, 1.0, 2.0]), requires_grad=True)
    values, indices, _ = SortValues.apply(x)
    assert values.requires_grad and not indices.requires_grad
    (values * flodl.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert grads_seen[0].tolist() == [0.0, 0.0, 0.0]  # materialized zeros
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def backward_error(backward, x=None):
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    Bad.backward = staticmethod(backward)
    x = x if x is not None else flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    return Bad.apply(x).sum()


def test_wrong_number_of_gradients_is_an_autograd_error_naming_the_function():
    y = backward_error(lambda ctx, g: (g, g))
    with pytest.raises(flodl.AutogradError, match="Bad: backward returned 2 gradients, expected 1"):
        y.backward()


def test_errors_of_a_temporary_output_come_out_whole():
    """A failed backward on an output nobody holds: its dealloc (during the
    raise) frees the node, which must leave the exception alone."""
    x = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)

    def raising(ctx, g):
        raise KeyError("from backward")

    for backward, error in ((lambda ctx, g: g.sum(), flodl.AutogradError), (raising, KeyError)):

        class Bad(Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

        Bad.backward = staticmethod(backward)
        with pytest.raises(error):
            Bad.apply(x).sum().backward()
        with pytest.raises(error):
            Bad.apply(x).backward(flodl.tensor([1.0, 1.0]))


def test_wrong_shape_is_an_autograd_error_naming_function_and_input():
    y = backward_error(lambda ctx, g: g.sum())
    with pytest.raises(flodl.AutogradError, match=r"Bad: .*shape \[\].*input 0"):
        y.backward()


def test_a_floating_gradient_of_another_dtype_is_cast():
    x = flodl.Variable(flodl.tensor([1.0, 2.0], dtype=F64), requires_grad=True)
    backward_error(lambda ctx, g: g.to(flodl.DType.Float32), x).backward()
    assert x.grad.dtype == F64


def test_a_gradient_that_is_not_a_tensor_is_an_autograd_error():
    y = backward_error(lambda ctx, g: "oops")
    with pytest.raises(flodl.AutogradError, match="Bad: backward returned a str"):
        y.backward()


def test_an_exception_in_backward_comes_out_unchanged():
    class Mine(Exception):
        pass

    raised = Mine("from backward")

    def backward(ctx, g):
        raise raised

    y = backward_error(backward)
    with pytest.raises(Mine) as info:
        y.backward()
    assert info.value is raised
    assert any(entry.name == "backward" for entry in info.traceback)


def test_an_exception_in_forward_comes_out_unchanged():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            raise KeyError("from forward")

    with pytest.raises(KeyError, match="from forward"):
        Broken.apply(flodl.Variable(flodl.tensor([1.0]), requires_grad=True))


def test_python_threads_backward_through_custom_functions_at_once():
    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(30):
            x, t = pair(rng.standard_normal(8))
            Swish.apply(x.sin(), 1.3).sum().backward()
            TorchSwish.apply(t.sin(), 1.3).sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)

    run_on_threads(work)


def test_saved_tensors_are_freed_after_backward():
    x = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    before = flodl.live_tensor_count()
    y = Swish.apply(x * 1.0).sum()
    y.backward()
    del y
    assert flodl.live_tensor_count() == before


def random_block(x, w, scale=1.0):
    h = (x @ w).tanh() * scale
    return h * flodl.Variable(h.data.sigmoid().bernoulli())


def run_block(checkpointed):
    flodl.manual_seed(3)
    x = flodl.Variable(flodl.Tensor.randn([4, 5], dtype="float64"), requires_grad=True)
    w = flodl.Variable(flodl.Tensor.randn([5, 5], dtype="float64"), requires_grad=True)
    if checkpointed:
        y = flodl.autograd.checkpoint(random_block, x, w, scale=2.0)
    else:
        y = random_block(x, w, scale=2.0)
    after = flodl.Tensor.rand([3]).tolist()
    y.exp().sum().backward()
    return x.grad.numpy(), w.grad.numpy(), after


def test_checkpoint_same_gradients_and_random_ops_replay():
    plain, checkpointed = run_block(False), run_block(True)
    np.testing.assert_array_equal(plain[0], checkpointed[0])
    np.testing.assert_array_equal(plain[1], checkpointed[1])
    assert plain[2] == checkpointed[2], "the generator continues where forward left it"


def test_checkpoint_keeps_no_graph_inside_and_frees_its_inputs():
    x = flodl.Variable(flodl.Tensor.randn([2, 3]), requires_grad=True)
    w = flodl.Variable(flodl.Tensor.randn([3, 3]), requires_grad=True)
    y = flodl.autograd.checkpoint(lambda a, b: (a @ b).relu().sum(), x, w)
    assert y.requires_grad
    y.backward()
    assert x.grad is not None and w.grad is not None
    with pytest.raises(flodl.AutogradError):
        y.backward()


def test_rng_state_is_torchs():
    state = flodl.get_rng_state()
    assert state.tolist() == torch.get_rng_state().tolist()
    first = flodl.Tensor.rand([4]).tolist()
    flodl.set_rng_state(state)
    assert flodl.Tensor.rand([4]).tolist() == first


def test_checkpoint_gives_gradients_to_the_parameters_the_function_uses():
    rng = np.random.default_rng(5)
    x = flodl.tensor(rng.standard_normal((3, 4)))
    w = flodl.Variable(flodl.tensor(rng.standard_normal((4, 2))), requires_grad=True)
    w_ref = flodl.Variable(w.data, requires_grad=True)
    y = flodl.autograd.checkpoint(lambda v: (v @ w).tanh(), x)
    assert y.requires_grad, "recorded though no argument requires grad"
    y.sum().backward()
    (x @ w_ref).tanh().sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), w_ref.grad.numpy(), rtol=1e-12)


def test_set_materialize_grads_false_gives_none_for_an_unused_output():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g2, g3):
            seen.append((g2, g3))
            return g2 * 2

    x = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert seen[0][1] is None and seen[0][0].tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [2.0, 2.0]


def test_a_second_backward_needs_retain_graph_only_when_backward_reads_saved_tensors():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    y = Double.apply(x).sum()
    assert flodl.autograd.grad(y, x)[0].tolist() == [2.0, 2.0]
    assert flodl.autograd.grad(y, x)[0].tolist() == [2.0, 2.0]  # as torch


def test_checkpoint_gives_gradients_to_tensor_keyword_arguments():
    rng = np.random.default_rng(6)
    x = flodl.Variable(flodl.tensor(rng.standard_normal(4)), requires_grad=True)
    w = flodl.Variable(flodl.tensor(rng.standard_normal(4)), requires_grad=True)
    scale = w * 2  # a non-leaf keyword argument: a node input, not captured
    y = flodl.autograd.checkpoint(lambda a, scale, power=2: (a * scale) ** power, x, scale=scale)
    (y.sum() + scale.sum()).backward()
    tx = torch.tensor(x.tolist(), dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w.tolist(), dtype=torch.float64, requires_grad=True)
    ts = tw * 2
    (((tx * ts) ** 2).sum() + ts.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


class _ExpSavingItsOutput(flodl.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        (result,) = ctx.saved_tensors
        return grad_out * result


def test_a_saved_output_keeps_its_graph_for_double_backward() -> None:
    """SPEC 8: the output a Function saved comes back in backward with its
    graph, so the gradient of a gradient flows through it (as PyTorch's)."""
    x = flodl.tensor([0.5, -1.0], dtype="float64", requires_grad=True)
    out = _ExpSavingItsOutput.apply(x)
    (first,) = flodl.autograd.grad(out.sum(), x, create_graph=True)
    (second,) = flodl.autograd.grad(first.sum(), x)
    tx = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    assert np.allclose(second.tolist(), tx.exp().tolist())
    assert flodl.autograd.gradgradcheck(_ExpSavingItsOutput.apply, x)


def test_a_saved_output_that_is_gone_is_named_in_double_backward() -> None:
    x = flodl.tensor([0.5], dtype="float64", requires_grad=True)
    total = _ExpSavingItsOutput.apply(x).sum()  # the output itself is dropped
    with pytest.raises(flodl.AutogradError, match="saved output"):
        flodl.autograd.grad(total, x, create_graph=True)
    again = _ExpSavingItsOutput.apply(x).sum()
    (g,) = flodl.autograd.grad(again, x)  # a first-order backward needs only the values
    assert np.allclose(g.tolist(), np.exp([0.5]))


def test_setup_context_and_mark_dirty_as_torch_s() -> None:
    """PyTorch 2's style (forward without ctx, setup_context) and an input
    changed in place (mark_dirty): the same values, gradients and grad_fn."""

    def run(m):
        class Exp(m.autograd.Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

            @staticmethod
            def backward(ctx, g):
                (out,) = ctx.saved_tensors
                return g * out

        class Double(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g * 2

        leaf = m.tensor([0.5, 1.0], requires_grad=True)
        b = Exp.apply(leaf) * 1.0
        c = Double.apply(b)
        assert c is b and b.grad_fn.name() == "DoubleBackward"
        (c * c).sum().backward()
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            Double.apply(m.tensor([1.0], requires_grad=True))
        with pytest.raises(TypeError):
            Exp.apply(leaf, extra=1)
        return [c.detach().numpy(), leaf.grad.numpy()]

    for got, want in zip(run(flodl), run(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_setup_context_binds_defaults_and_keywords_as_torch() -> None:
    def run(m):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(x, scale=2.0):
                return x * scale

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.scale = inputs[1]

            @staticmethod
            def backward(ctx, g):
                return g * ctx.scale, None

        x = m.tensor([1.0, 2.0], requires_grad=True)
        (Scale.apply(x).sum() + Scale.apply(x, scale=3.0).sum()).backward()
        return x.grad.tolist()

    assert run(flodl) == run(torch) == [5.0, 5.0]


def test_mark_dirty_refuses_what_cannot_take_the_history() -> None:
    class Twice(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(b)
            return a * 1.0, b.mul_(2)

        @staticmethod
        def backward(ctx, ga, gb):
            return ga, gb * 2

    x = flodl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(flodl.AutogradError, match="mark_dirty takes Variables"):
        Twice.apply(x, flodl.tensor([1.0, 2.0]))
    view = (x * 1.0)[:1]
    with pytest.raises(flodl.AutogradError, match="view marked dirty must be the first output"):
        Twice.apply(x, view)


def test_checkpoint_without_preserve_rng_state_draws_anew_in_backward():
    def masked(a):
        return a * flodl.Variable(flodl.Tensor.rand([6]).bernoulli())

    flodl.manual_seed(11)
    x = flodl.Variable(flodl.Tensor.ones([6]), requires_grad=True)
    y = flodl.autograd.checkpoint(masked, x, preserve_rng_state=False)
    at_backward = flodl.get_rng_state()
    y.sum().backward()
    # The recomputation drew its mask from the generator as backward found it.
    flodl.set_rng_state(at_backward)
    assert x.grad.tolist() == flodl.Tensor.rand([6]).bernoulli().tolist()


def test_checkpoint_passes_plain_tensors_and_constants_as_they_are():
    seen = []
    w = flodl.Variable(flodl.Tensor.randn([3]), requires_grad=True)

    def f(a, b, scale, *, bias):
        seen.append((type(a), type(b), scale, type(bias)))
        return a * w * scale + b + bias, 7

    x, b = flodl.Tensor.randn([3]), flodl.Variable(flodl.Tensor.randn([3]), requires_grad=True)
    out, seven = flodl.autograd.checkpoint(f, x, b, 2.0, bias=flodl.Tensor.ones([3]))
    assert seven == 7
    out.sum().backward()
    assert seen == [(flodl.Tensor, flodl.Variable, 2.0, flodl.Tensor)] * 2
    np.testing.assert_allclose(w.grad.numpy(), (x * 2.0).numpy(), rtol=1e-6)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_checkpoint_keeps_nothing_of_the_recomputation_after_backward():
    import gc
    import weakref

    x = flodl.Variable(flodl.Tensor.randn([4, 3]), requires_grad=True)
    w = flodl.Variable(flodl.Tensor.randn([3, 3]), requires_grad=True)
    made = []

    def block(a):
        out = (a @ w).tanh() @ w
        made.append(weakref.ref(out))
        return out

    y = flodl.autograd.checkpoint(block, x)
    y.sum().backward()
    gc.collect()
    # Forward's and the recomputation's outputs (with the recomputation's
    # graph and leaves) are let go though y, and so the node, still lives.
    assert len(made) == 2 and all(ref() is None for ref in made)
    assert x.grad is not None and w.grad is not None
