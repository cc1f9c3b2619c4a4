"""What a probe of twenty more real programs (VAEs, MAML, SimCLR, neural
ODEs, data pipelines, checkpointing) found printing other numbers than
torch's, each checked against torch itself."""

from __future__ import annotations

import pytest
import torch

import flodl

TENSOR_LISTS = {
    "one-element rows": lambda m: [m.tensor([1.5]), m.tensor([2.0]), m.tensor([-3.0])],
    "0-d and [[x]]": lambda m: [m.tensor([[1.0]]), m.tensor(3.0)],
    "nested": lambda m: [[m.tensor([1.0])], [m.tensor(2.0)]],
    "int32 items": lambda m: [m.tensor(1, dtype=m.int32), m.tensor([2], dtype=m.int32)],
    "with a float": lambda m: [m.tensor([1], dtype=m.int32), 2.5],
    "float64 wins": lambda m: [m.tensor(0.1, dtype=m.float64), m.tensor(2.0)],
    "bools": lambda m: [m.tensor(True), m.tensor([False])],
    "bfloat16": lambda m: [m.tensor(1.5, dtype=m.bfloat16)],
    "a tuple": lambda m: (m.tensor([1]), m.tensor([2])),
}


@pytest.mark.parametrize("make", TENSOR_LISTS.values(), ids=TENSOR_LISTS)
@pytest.mark.parametrize("how", ["tensor", "as_tensor"])
def test_a_list_of_one_element_tensors_is_a_list_of_their_numbers(make, how) -> None:
    # `torch.tensor([loss_a, loss_b])` of shape-[1] tensors is of shape [2]:
    # an [N, 1] result would broadcast into other numbers.
    got, want = getattr(flodl, how)(make(flodl)), getattr(torch, how)(make(torch))
    assert got.shape == want.shape and str(got.dtype)[6:] == str(want.dtype)[6:]
    assert got.tolist() == want.tolist()


def test_a_tensor_of_several_numbers_in_a_list_is_refused_as_torch() -> None:
    with pytest.raises(ValueError, match="only one element tensors"):
        torch.tensor([torch.ones(2), torch.ones(2)])
    with pytest.raises(flodl.ShapeError, match="only one element tensors.*shape \\[2\\]"):
        flodl.tensor([flodl.ones(2), flodl.ones(2)])
    with pytest.raises(ValueError, match="only one element tensors"):
        flodl.tensor([[flodl.ones(0)]])


INDEX_KEYS = [
    "[:, -1, :]",
    "[0, :]",
    "[:, :]",
    "[...]",
    "[0:3]",
    "[0:100]",
    "[::1]",
    "[:, 0:4]",
    "[:, 0:100]",
    "[:, -4:]",
    "[None, :]",
    "[..., 0]",
    "[:, :, None]",
    "[:2, :]",
    "[0][:]",
    "[:, [0, 1]]",
    "[:, :, [0, 1]]",
    "[(slice(None),)]",
    "[0:3,]",
]


@pytest.mark.parametrize("key", INDEX_KEYS)
def test_an_index_records_the_nodes_torch_records(key) -> None:
    # print(lstm_out[:, -1, :]) shows grad_fn=<SelectBackward0>: a slice over
    # a whole dim in a tuple is no op, an index that does nothing an alias
    # (a bare slice still slices).
    def chain(m):
        x = m.ones(3, 4, 5, requires_grad=True) * 1
        node, names = eval(f"x{key}", {"x": x}).grad_fn, []
        while node is not None and node.name() != "MulBackward0":
            names.append(node.name())
            node = node.next_functions[0][0]
        return names

    assert chain(flodl) == chain(torch)


def test_an_alias_index_shares_the_values_and_the_gradient() -> None:
    x = flodl.zeros(2, 3, requires_grad=True) * 1
    y = x[:, :]
    assert y is not x and y.data_ptr() == x.data_ptr()
    y[0, 0].backward()
    x2 = flodl.zeros(2, 3)
    x2[...].add_(1)
    assert x2.tolist() == [[1.0] * 3] * 2


def _typed(value):
    """A state dict's value with the Python type of each number kept."""
    if isinstance(value, (list, tuple)):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("jumps", [[], [7], [7.5, None], [2, None]], ids=str)
def test_warm_restarts_state_is_torch_s_with_its_types(jumps) -> None:
    # T_cur and T_i are ints while the epochs are (a checkpoint prints them).
    def run(m):
        opt = m.optim.SGD([m.zeros(1, requires_grad=True)], lr=0.1)
        s = m.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        for _ in range(5):
            opt.step()
            s.step()
        for epoch in jumps:
            s.step(epoch)
        return {k: _typed(v) for k, v in s.state_dict().items()}

    assert run(flodl) == run(torch)


INITS = {
    "uniform_": {"a": -1.0, "b": 2.0},
    "normal_": {"mean": 0.5, "std": 2.0},
    "trunc_normal_": {"std": 0.5},
    "xavier_uniform_": {"gain": 2.0},
    "xavier_normal_": {},
    "kaiming_uniform_": {"a": 0.1},
    "kaiming_normal_": {"mode": "fan_out"},
    "orthogonal_": {},
    "sparse_": {"sparsity": 0.5},
}


@pytest.mark.parametrize("name", INITS)
def test_init_draws_from_the_generator_given(name) -> None:
    # As torch's, not from the default stream (which is left as it was).
    def run(m):
        m.manual_seed(0)
        weight = m.nn.Parameter(m.empty(4, 3))
        generator = m.Generator().manual_seed(1)
        getattr(m.nn.init, name)(weight, **INITS[name], generator=generator)
        return weight.tolist(), m.rand(2).tolist(), weight.requires_grad

    assert run(flodl) == run(torch)


def test_requires_grad_on_a_result_that_requires_grad_is_no_change() -> None:
    # Gradient-penalty code calls it on an interpolate of undetached fakes.
    for m in (flodl, torch):
        w = m.ones(2, requires_grad=True)
        y = (w * 2).requires_grad_()
        assert y.requires_grad and not y.is_leaf
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
            y.requires_grad = True  # the setter, as torch's, is for leaves
    with pytest.raises(flodl.AutogradError, match="only change requires_grad flags of leaf"):
        (flodl.ones(2, requires_grad=True) * 2).requires_grad_(False)


@pytest.mark.parametrize(
    "case",
    ["eval no_grad", "frozen", "train", "grad", "mask", "norm_first", "not left aligned"],
)
def test_encoder_zeroes_padding_where_torch_uses_nested_tensors(case) -> None:
    # torch's default encoder (enable_nested_tensor, batch_first, post-norm)
    # runs evaluation on nested tensors: padded positions come out zero.
    import contextlib
    import warnings

    import numpy as np

    x = np.random.default_rng(3).standard_normal((2, 5, 8))
    pad = np.zeros((2, 5), dtype=bool)
    pad[1, 3:] = True
    if case == "not left aligned":
        pad[0, 0] = True

    def run(m):
        m.manual_seed(0)
        layer = m.nn.TransformerEncoderLayer(
            8, 2, 16, dropout=0.0, batch_first=True, norm_first=case == "norm_first"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            enc = m.nn.TransformerEncoder(layer, 2, norm=m.nn.LayerNorm(8))
        enc.train(case == "train")
        if case == "frozen":
            enc.requires_grad_(False)
        quiet = m.no_grad() if case in ("eval no_grad", "mask", "not left aligned") else None
        attn_mask = m.zeros(5, 5) if case == "mask" else None
        with quiet or contextlib.nullcontext():
            out = enc(m.tensor(x, dtype=m.float32), attn_mask, m.tensor(pad))
        return out.detach().numpy(), enc.use_nested_tensor

    (got, got_nested), (want, want_nested) = run(flodl), run(torch)
    assert got_nested == want_nested
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_encoder_says_why_it_uses_no_nested_tensors_as_torch() -> None:
    for m in (flodl, torch):
        layer = m.nn.TransformerEncoderLayer(8, 2, 16)  # batch_first False
        with pytest.warns(UserWarning, match="self.use_nested_tensor is False because"):
            assert not m.nn.TransformerEncoder(layer, 1).use_nested_tensor


def test_embedding_bag_from_pretrained_as_torch() -> None:
    import numpy as np

    table = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)

    def run(m, freeze):
        bag = m.nn.EmbeddingBag.from_pretrained(m.tensor(table), freeze=freeze, mode="sum")
        out = bag(m.tensor([[0, 2], [5, 5]]))
        return out.detach().numpy(), bag.weight.requires_grad, repr(bag)

    for freeze in (True, False):
        got, want = run(flodl, freeze), run(torch, freeze)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
        assert got[1:] == want[1:]


def test_cuda_out_of_memory_error_is_catchable_by_torch_s_name() -> None:
    assert flodl.cuda.OutOfMemoryError is flodl.OutOfMemoryError
    assert issubclass(flodl.cuda.OutOfMemoryError, MemoryError)


def test_once_differentiable_imports_and_runs_as_torch_s() -> None:
    import numpy as np

    def run(m):
        from importlib import import_module

        function = import_module(f"{m.__name__}.autograd.function")

        class Cube(function.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            @function.once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x**2

        x = m.tensor([1.0, -2.0], requires_grad=True)
        Cube.apply(x).sum().backward()
        return x.grad.numpy()

    np.testing.assert_array_equal(run(flodl), run(torch))


def test_grad_of_tensors_that_record_nothing_is_an_autograd_error_as_torch_s() -> None:
    for m, error in ((flodl, flodl.AutogradError), (torch, RuntimeError)):
        w = m.ones(2, requires_grad=True)
        with pytest.raises(error, match="element 0 of tensors does not require grad"):
            m.autograd.grad(m.ones(1).sum(), w)
        with pytest.raises(error, match="One of the differentiated Tensors does not require"):
            m.autograd.grad(w.sum(), m.ones(3))


def test_get_buffer_and_set_submodule_as_torch() -> None:
    def run(m):
        net = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.BatchNorm1d(3))
        counts = net.get_buffer("1.num_batches_tracked").tolist()
        net.set_submodule("0", m.nn.Linear(2, 3, bias=False))
        with pytest.raises(AttributeError):
            net.get_buffer("1.weight")
        with pytest.raises(AttributeError):
            net.set_submodule("2", m.nn.ReLU(), strict=True)
        return counts, net[0].bias is None, len(net)

    assert run(flodl) == run(torch)


def test_transforms_are_at_the_top_of_distributions_as_torch_s() -> None:
    from flodl import distributions as D

    for name in ("AffineTransform", "TanhTransform", "ExpTransform", "ComposeTransform"):
        assert getattr(D, name) is getattr(D.transforms, name)
        assert hasattr(torch.distributions, name)


def test_a_zero_dim_numpy_index_is_one_index() -> None:
    import numpy as np

    for key in (np.array(1), np.array([2, 0]), np.int64(3)):
        got, want = flodl.arange(4.0)[key], torch.arange(4.0)[key]
        assert got.shape == tuple(want.shape) and got.tolist() == want.tolist()


def test_autocast_names_its_dtype_as_torch() -> None:
    for m in (flodl, torch):
        assert str(m.autocast("cpu").fast_dtype).split(".")[1] == "bfloat16"
        assert str(m.autocast("cuda").fast_dtype).split(".")[1] == "float16"
        assert m.autocast("cpu", dtype=m.float16).fast_dtype == m.float16


def test_gradcheck_takes_torch_s_keywords_and_passes_other_inputs_through() -> None:
    class Scaled:
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor * 2.0, None  # twice the true gradient

    def check(m, wrong):
        fn = type("Fn", (m.autograd.Function,), dict(vars(Scaled)))
        x = m.tensor([0.5, -1.0], dtype=m.float64, requires_grad=True)
        f = fn.apply if wrong else (lambda a, factor: a * factor)
        first = m.autograd.gradcheck(f, (x, 3.0), raise_exception=False, fast_mode=True)
        second = m.autograd.gradgradcheck(lambda a, k: (a * a * k).sum(), (x, 2.0))
        return first, second

    for wrong in (False, True):
        assert check(flodl, wrong) == check(torch, wrong) == (not wrong, True)


def test_encoder_layer_names_its_activation_kind_as_torch() -> None:
    def kinds(m):
        activations = ["relu", "gelu", m.nn.ReLU(), m.nn.GELU(), m.nn.functional.gelu, m.tanh]
        return [
            m.nn.TransformerEncoderLayer(4, 2, 8, activation=a).activation_relu_or_gelu
            for a in activations
        ]

    assert kinds(flodl) == kinds(torch)
