"""PyTorch idioms a probe of real programs found flodl refusing or typing
differently, each against torch itself: dtype inference of ``tensor`` and
``arange``, ``normal``, ``result_type`` / ``promote_types`` / ``can_cast``,
indexing by ranges and tuples, scheduler counts given as floats or numpy
ints, ``x.type(torch.DoubleTensor)``, ``numpy(force=True)``, ``nbytes``,
Optimizer subclasses of one's own, ``autograd.backward`` of several outputs,
``autograd.grad(materialize_grads=True)``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from test_io import DTYPES

import flodl

# torch's advice to stack numpy arrays first, for the cases that list them.
pytestmark = pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")


def dtype_name(dtype) -> str:
    return str(dtype).rpartition(".")[2]


NESTED = {
    "float64 arrays": lambda m: [np.ones(2), np.zeros(2)],
    "float16 array": lambda m: [np.ones(2, np.float16)],
    "float64 array and floats": lambda m: [np.ones(2), [1.0, 2.0]],
    "float32 array and floats": lambda m: [np.ones(2, np.float32), [1.0, 2.0]],
    "int array and floats": lambda m: [np.array([1, 2]), [1.5, 2.5]],
    "int32 array": lambda m: [np.array([1, 2], np.int32)],
    "float64 0-d tensors": lambda m: [
        m.tensor(1.0, dtype=m.float64),
        m.tensor(2.0, dtype=m.float64),
    ],
    "int32 0-d tensor and a float": lambda m: [m.tensor(1, dtype=m.int32), 2.5],
    "numpy float16 scalars": lambda m: [np.float16(1), np.float16(2)],
    "numpy float16 and a float": lambda m: [np.float16(1), 2.0],
    "numpy float16 and an int": lambda m: [np.float16(1), 2],
    "bool and int": lambda m: [True, 2],
    "empty": lambda m: [],
    "empty rows": lambda m: [[], []],
    "uint8 and int8 scalars": lambda m: [np.uint8(1), np.int8(2)],
    "numpy bool and bool": lambda m: [np.bool_(True), False],
    "rows of floats and ints": lambda m: [[0.1, 0.2], [0.3, 1]],
    "a numpy float64 scalar": lambda m: np.float64(1.5),
    "a range": lambda m: range(3),
}


@pytest.mark.parametrize("case", NESTED)
def test_tensor_infers_torch_s_dtype_and_values(case: str) -> None:
    got = flodl.tensor(NESTED[case](flodl))
    want = torch.tensor(NESTED[case](torch))
    assert dtype_name(got.dtype) == dtype_name(want.dtype)
    assert got.tolist() == want.tolist()
    assert flodl.as_tensor(NESTED[case](flodl)).dtype == got.dtype


def test_arange_of_numpy_ints_is_int64_as_torch() -> None:
    for bound in (np.int64(3), np.int32(3), np.uint8(3)):
        assert flodl.arange(bound).dtype == flodl.int64
        assert dtype_name(torch.arange(bound).dtype) == "int64"
    assert flodl.arange(np.float32(3)).dtype == flodl.float32
    assert flodl.arange(1, np.int64(7), 2).tolist() == [1, 3, 5]


def test_promote_types_and_can_cast_are_torch_s_for_every_pair() -> None:
    for a, b in itertools.product(DTYPES, repeat=2):
        fa, fb, ta, tb = getattr(flodl, a), getattr(flodl, b), getattr(torch, a), getattr(torch, b)
        assert dtype_name(flodl.promote_types(fa, fb)) == dtype_name(torch.promote_types(ta, tb))
        assert flodl.can_cast(fa, fb) == torch.can_cast(ta, tb), (a, b)
    assert flodl.promote_types("float16", np.int64) == flodl.float16


def test_result_type_ranks_tensors_then_0d_tensors_then_numbers_as_torch() -> None:
    operands = [
        lambda m: m.tensor([1, 2]),
        lambda m: m.tensor([1, 2], dtype=m.int8),
        lambda m: m.tensor(1.0, dtype=m.float64),
        lambda m: m.tensor([1.0], dtype=m.float16),
        lambda m: m.tensor(True),
        lambda m: 2.5,
        lambda m: 300,
        lambda m: True,
    ]
    for a, b in itertools.product(operands, repeat=2):
        want = torch.result_type(a(torch), b(torch))
        assert dtype_name(flodl.result_type(a(flodl), b(flodl))) == dtype_name(want)
    v = flodl.Variable(flodl.ones(2), requires_grad=True)
    assert flodl.result_type(v, 1) == flodl.float32


def drawn(make, seed: int = 0):
    torch.manual_seed(seed)
    return make()


@pytest.mark.parametrize(
    "args",
    [
        ("zeros20", 2.0),
        ("zeros5", 2.0),
        (1.0, "ones34"),
        ("ones31", "ones4"),
        ("range6", "range6"),
    ],
)
def test_normal_of_tensors_draws_torch_s_numbers(args) -> None:
    def make(m, name):
        if not isinstance(name, str):
            return name
        return {
            "zeros20": lambda: m.zeros(20),
            "zeros5": lambda: m.zeros(5, dtype=m.float64),
            "ones34": lambda: m.ones(3, 4),
            "ones31": lambda: m.ones(3, 1),
            "ones4": lambda: m.ones(4),
            "range6": lambda: m.arange(1.0, 7.0),
        }[name]()

    mean_f, std_f = make(flodl, args[0]), make(flodl, args[1])
    mean_t, std_t = make(torch, args[0]), make(torch, args[1])
    got = drawn(lambda: flodl.normal(mean_f, std_f))
    want = drawn(lambda: torch.normal(mean_t, std_t))
    assert got.dtype == getattr(flodl, dtype_name(want.dtype))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_normal_of_numbers_takes_a_size_a_dtype_and_a_generator() -> None:
    got = drawn(lambda: flodl.normal(0.5, 0.01, size=(2, 3)))
    want = drawn(lambda: torch.normal(0.5, 0.01, size=(2, 3)))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    got = drawn(lambda: flodl.normal(0.0, 1.0, (4,), dtype=flodl.float64))
    want = drawn(lambda: torch.normal(0.0, 1.0, (4,), dtype=torch.float64))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    got = flodl.normal(flodl.zeros(3), 1.0, generator=flodl.Generator().manual_seed(3))
    want = torch.normal(torch.zeros(3), 1.0, generator=torch.Generator().manual_seed(3))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    v = flodl.normal(0.0, 1.0, (2,), requires_grad=True)
    assert isinstance(v, flodl.Variable) and v.requires_grad


def test_normal_refuses_what_torch_refuses_with_flodl_s_kinds() -> None:
    with pytest.raises(flodl.ArgumentError, match="normal: normal expects std >= 0"):
        flodl.normal(flodl.zeros(2), -1.0)
    with pytest.raises(TypeError, match="normal: with a number mean and std, give the shape"):
        flodl.normal(0.0, 1.0)
    with pytest.raises(flodl.ShapeError, match="normal"):
        flodl.normal(flodl.zeros(2), flodl.ones(3))
    with pytest.raises(TypeError, match="size= goes with a number mean and std"):
        flodl.normal(flodl.zeros(2), 1.0, size=(2,))


def test_randint_takes_its_bounds_by_name() -> None:
    got = drawn(lambda: flodl.randint(low=2, high=5, size=(6,)))
    want = drawn(lambda: torch.randint(low=2, high=5, size=(6,)))
    assert got.tolist() == want.tolist()
    got = drawn(lambda: flodl.randint(5, size=(3,)))
    want = drawn(lambda: torch.randint(5, size=(3,)))
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize(
    "key",
    [
        lambda m: range(2),
        lambda m: ((0, 2), slice(None)),
        lambda m: (range(3), [0, 1, 3]),
        lambda m: (slice(None), (1, 3)),
    ],
)
def test_a_range_or_an_inner_tuple_indexes_as_a_list(key) -> None:
    x = flodl.arange(12.0).reshape(3, 4)
    tx = torch.arange(12.0).reshape(3, 4)
    assert x[key(flodl)].tolist() == tx[key(torch)].tolist()
    y, ty = x.clone(), tx.clone()
    y[key(flodl)] = -1.0
    ty[key(torch)] = -1.0
    assert y.tolist() == ty.tolist()


def test_scheduler_counts_take_whole_floats_and_numpy_ints_as_torch() -> None:
    def lrs(sched_of, m, steps=6):
        model = m.nn.Linear(2, 2)
        opt = m.optim.SGD(model.parameters(), lr=1.0)
        sched = sched_of(m, opt)
        out = []
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(opt.param_groups[0]["lr"])
        return out

    makers = [
        lambda m, o: m.optim.lr_scheduler.StepLR(o, 2.0),
        lambda m, o: m.optim.lr_scheduler.StepLR(o, np.int64(2)),
        lambda m, o: m.optim.lr_scheduler.MultiStepLR(o, milestones=[1.0, 3.0]),
        lambda m, o: m.optim.lr_scheduler.MultiStepLR(o, milestones=[np.int64(2)]),
        lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4.0),
        lambda m, o: m.optim.lr_scheduler.LinearLR(o, total_iters=np.int32(4)),
    ]
    for make in makers:
        np.testing.assert_allclose(lrs(make, flodl), lrs(make, torch), rtol=1e-12)
    model = flodl.nn.Linear(2, 2)
    opt = flodl.optim.SGD(model.parameters(), lr=1.0)
    with pytest.raises(flodl.ArgumentError, match="StepLR: step_size must be an int >= 0"):
        flodl.optim.lr_scheduler.StepLR(opt, 1.5)


def test_tensor_type_takes_a_legacy_constructor_and_sizes_read_as_torch_s() -> None:
    x, tx = flodl.ones(2, 3), torch.ones(2, 3)
    assert x.type(flodl.DoubleTensor).dtype == flodl.float64
    assert x.type(flodl.LongTensor).dtype == flodl.int64
    assert (x.nbytes, x.itemsize) == (tx.nbytes, tx.itemsize)
    for name in DTYPES:
        fd, td = getattr(flodl, name), getattr(torch, name)
        assert (fd.itemsize, fd.is_signed, fd.is_complex) == (
            td.itemsize,
            td.is_signed,
            td.is_complex,
        )
    v = flodl.Variable(flodl.ones(2), requires_grad=True)
    assert v.numpy(force=True).tolist() == [1.0, 1.0]
    assert x.numpy(force=True).shape == (2, 3)
    assert v.nbytes == 8


def test_a_layer_without_inputs_starts_as_torch_s() -> None:
    layer = flodl.nn.Linear(0, 3)
    assert list(layer.weight.shape) == [3, 0]
    assert layer(flodl.ones(2, 0)).shape == (2, 3)


class Lion:
    """The same Lion optimizer for both libraries, as research code writes it."""

    @staticmethod
    def of(m):
        class Lion(m.optim.Optimizer):
            def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
                super().__init__(params, {"lr": lr, "betas": betas, "weight_decay": weight_decay})

            @m.no_grad()
            def step(self, closure=None):
                loss = None
                if closure is not None:
                    with m.enable_grad():
                        loss = closure()
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        p.mul_(1 - group["lr"] * group["weight_decay"])
                        state = self.state[p]
                        if len(state) == 0:
                            state["exp_avg"] = m.zeros_like(p)
                            state["step"] = 0
                        state["step"] += 1
                        beta1, beta2 = group["betas"]
                        update = state["exp_avg"] * beta1 + p.grad * (1 - beta1)
                        p.add_(m.sign(update), alpha=-group["lr"])
                        state["exp_avg"].mul_(beta2).add_(p.grad, alpha=1 - beta2)
                return loss

        return Lion


def test_an_optimizer_subclass_of_one_s_own_trains_as_torch_s() -> None:
    def train(m, steps=5, resume=False):
        m.manual_seed(0)
        model = m.nn.Linear(4, 2)
        opt = Lion.of(m)(model.parameters(), lr=1e-2, weight_decay=0.1)
        sched = m.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        x = m.randn(8, 4)
        for i in range(steps):

            def closure(opt=opt):
                opt.zero_grad()
                loss = (model(x) ** 2).mean()
                loss.backward()
                return loss

            opt.step(closure)
            sched.step()
            if resume and i == 2:
                saved = opt.state_dict()
                opt = Lion.of(m)(model.parameters(), lr=1e-2, weight_decay=0.1)
                opt.load_state_dict(saved)
                sched = m.optim.lr_scheduler.StepLR(opt, 2, 0.5, last_epoch=i)
        return [p.detach().numpy() for p in model.parameters()], opt.state_dict()

    for resume in (False, True):
        got, got_state = train(flodl, resume=resume)
        want, want_state = train(torch, resume=resume)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)
        assert got_state["param_groups"][0]["betas"] == want_state["param_groups"][0]["betas"]
        assert list(got_state["state"][0]) == list(want_state["state"][0]) == ["exp_avg", "step"]
        assert got_state["state"][0]["step"] == want_state["state"][0]["step"]


def test_an_optimizer_subclass_of_one_s_own_checks_as_torch_s() -> None:
    class NoStep(flodl.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    p = flodl.nn.Parameter(flodl.ones(2))
    opt = NoStep([p])
    assert opt.param_groups[0]["lr"] == 0.1 and not opt._step_supports_amp_scaling
    with pytest.raises(NotImplementedError, match="NoStep: an Optimizer subclass"):
        opt.step()
    other = NoStep([p, flodl.nn.Parameter(flodl.ones(3))])
    with pytest.raises(
        flodl.ArgumentError, match="parameter group 0 has 2 parameters in the state dict, 1"
    ):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(flodl.ArgumentError, match="can only optimize Variables"):
        NoStep([flodl.ones(2)])


def test_autograd_backward_of_several_outputs_sums_their_gradients_as_torch() -> None:
    def grads(m):
        w = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        b = m.tensor([0.5], requires_grad=True)
        y1 = (w * w).sum() + b.sum()
        y2 = w.sin() * b
        m.autograd.backward([y1, y2], [None, m.tensor([1.0, 2.0, 3.0])])
        return w.grad.tolist(), b.grad.tolist()

    got, want = grads(flodl), grads(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    w = flodl.tensor([1.0, 2.0], requires_grad=True)
    flodl.autograd.backward(w * 3.0, flodl.ones(2))
    assert w.grad.tolist() == [3.0, 3.0]
    with pytest.raises(flodl.AutogradError, match="output 1 .* does not require grad"):
        flodl.autograd.backward([(w * 2).sum(), flodl.ones(1)])
    with pytest.raises(flodl.ArgumentError, match="got 1 gradients for 2 outputs"):
        flodl.autograd.backward([w.sum(), w.sum()], [None])


def test_autograd_grad_materializes_unused_inputs_as_zeros() -> None:
    a = flodl.tensor([1.0, 2.0], requires_grad=True)
    b = flodl.tensor([3.0], requires_grad=True)
    ga, gb = flodl.autograd.grad((a * a).sum(), [a, b], materialize_grads=True)
    assert ga.tolist() == [2.0, 4.0] and gb.tolist() == [0.0]
    with pytest.raises(flodl.ArgumentError, match="materialize_grads=True with allow_unused=False"):
        flodl.autograd.grad((a * a).sum(), [a, b], allow_unused=False, materialize_grads=True)


def test_tensor_converts_floats_once_and_refuses_ints_beyond_int64() -> None:
    cases = [
        lambda m: [0.1, np.array(0.2)],
        lambda m: [[0.1, 0.2], np.array([0.3, 0.4])],
        lambda m: [0.1, m.tensor(0.2, dtype=m.float64)],
        lambda m: [m.tensor(1.5, dtype=m.bfloat16), m.tensor(2.0, dtype=m.bfloat16)],
        lambda m: [np.float32(1), 2.5, np.int16(3)],
    ]
    for case in cases:
        got, want = flodl.tensor(case(flodl)), torch.tensor(case(torch))
        assert dtype_name(got.dtype) == dtype_name(want.dtype)
        assert got.tolist() == want.tolist()
    for data in ([2**63, 1], [10**19, 1]):
        with pytest.raises(flodl.ArgumentError, match="does not fit in int64"):
            flodl.tensor(data)


def test_randint_low_without_high_is_a_type_error_as_torch() -> None:
    with pytest.raises(TypeError):
        torch.randint(low=2, size=(4,))
    with pytest.raises(TypeError, match="low= needs high="):
        flodl.randint(low=2, size=(4,))


def test_normal_of_a_negative_std_tensor_is_an_argument_error() -> None:
    with pytest.raises(flodl.ArgumentError, match="std >= 0"):
        flodl.normal(flodl.zeros(2), -flodl.ones(2))


def test_numpy_bools_are_bools_in_options_and_files(tmp_path) -> None:
    p = flodl.nn.Parameter(flodl.ones(2))
    opt = flodl.optim.Adam([p], amsgrad=np.True_)  # as torch, which keeps np.True_
    (p * p).sum().backward()
    opt.step()
    assert "max_exp_avg_sq" in opt.state[p]
    flodl.save({"flag": np.True_, "n": np.int64(3)}, tmp_path / "f.safetensors")
    assert flodl.load(tmp_path / "f.safetensors") == {"flag": True, "n": 3}


def test_a_cuda_legacy_type_is_refused_as_its_name_is() -> None:
    x = flodl.ones(2)
    with pytest.raises(flodl.ArgumentError) as by_name:
        x.type("torch.cuda.FloatTensor")
    with pytest.raises(flodl.ArgumentError) as by_class:
        x.type(torch.cuda.FloatTensor)
    assert str(by_class.value) == str(by_name.value)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
def test_a_linear_layer_without_inputs_draws_as_torch_s() -> None:
    def make(m):
        m.manual_seed(0)
        layer = m.nn.Linear(0, 3)
        return layer(m.ones(2, 0)), m.rand(2)

    (out, after), (tout, tafter) = make(flodl), make(torch)
    assert out.tolist() == tout.tolist() == [[0.0] * 3] * 2
    assert after.tolist() == tafter.tolist()  # the generator moved on as torch's


def test_autograd_backward_checks_each_gradient_as_torch() -> None:
    x = flodl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(flodl.ShapeError, match=r"gradient of output 1 has shape \[2, 1\]"):
        flodl.autograd.backward([(x * 2).sum(), x * 3], [None, flodl.ones(2, 1)])
    with pytest.raises(TypeError, match=r"grad_tensors\[1\] must be a Tensor"):
        flodl.autograd.backward([(x * 2).sum(), x * 3], [None, 1.0])
    assert x.grad is None  # nothing half-done


def test_materialized_gradients_are_leaves_that_require_grad_as_torch_s() -> None:
    a = flodl.tensor([1.0, 2.0], requires_grad=True)
    b = flodl.tensor([3.0], requires_grad=True)
    _, gb = flodl.autograd.grad((a * a).sum(), [a, b], materialize_grads=True, create_graph=True)
    ta, tb = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    _, tgb = torch.autograd.grad(
        (ta * ta).sum(), [ta, tb], materialize_grads=True, create_graph=True
    )
    assert (isinstance(gb, flodl.Variable), gb.requires_grad) == (True, tgb.requires_grad)


def test_loading_an_own_optimizer_s_state_casts_as_torch_s_generic_load() -> None:
    class Keeper(flodl.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    p = flodl.nn.Parameter(flodl.ones(2, dtype=flodl.float64))
    opt = Keeper([p])
    saved = {
        "state": {
            0: {
                "count": flodl.tensor([1, 2]),
                "history": [flodl.ones(2), flodl.zeros(2)],
                "step": flodl.tensor(3.0),
            }
        },
        "param_groups": [{"lr": 0.1, "params": [0]}],
    }
    opt.load_state_dict(saved)
    state = opt.state[p]
    assert state["count"].dtype == flodl.float64  # to a floating parameter's dtype
    assert [h.dtype for h in state["history"]] == [flodl.float64] * 2
    assert state["step"].dtype == flodl.float32  # step as saved
    with pytest.raises(flodl.ArgumentError, match="group 0 is a string, not a dict"):
        opt.load_state_dict({"state": {}, "param_groups": ["oops"]})


def test_libtorch_switches_are_set_in_libtorch_itself() -> None:
    """flodl and torch share libtorch: what flodl sets, torch reads back."""
    try:
        flodl.set_float32_matmul_precision("high")
        assert (
            flodl.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "high"
        )
        flodl.backends.cuda.matmul.allow_tf32 = True
        assert torch.backends.cuda.matmul.allow_tf32 is True
        flodl.backends.cudnn.allow_tf32 = False
        assert torch.backends.cudnn.allow_tf32 is False
        flodl.backends.cudnn.deterministic = True
        assert torch.backends.cudnn.deterministic is True
        flodl.use_deterministic_algorithms(True, warn_only=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert flodl.is_deterministic_algorithms_warn_only_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        flodl.set_float32_matmul_precision("highest")
        flodl.backends.cuda.matmul.allow_tf32 = False
        flodl.backends.cudnn.allow_tf32 = True
        flodl.backends.cudnn.deterministic = False
        flodl.use_deterministic_algorithms(False)
    assert not torch.are_deterministic_algorithms_enabled()
    with pytest.raises(flodl.ArgumentError, match="set_float32_matmul_precision: expected"):
        flodl.set_float32_matmul_precision("fast")
    assert flodl.version.__version__ == flodl.__version__
    assert flodl.version.cuda == torch.version.cuda
    assert flodl.backends.cuda.is_built() == flodl.cuda.is_available()


def test_tensor_infers_the_dtype_of_number_subclasses_as_torch() -> None:
    class Float(float):
        pass

    class Int(int):
        pass

    for data in ([Float(1.5), 2.0], [[Float(1.5)], [2]], Float(2.0), [Int(1), 2], [True, Int(1)]):
        got, want = flodl.tensor(data), torch.tensor(data)
        assert str(got.dtype).rpartition(".")[2] == str(want.dtype).rpartition(".")[2], data
        assert got.tolist() == want.tolist()


def test_autograd_backward_keeps_the_graph_of_grad_tensors_as_torch() -> None:
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        v = m.tensor([1.0, 1.0], requires_grad=True)
        m.autograd.backward([x * x], [v], create_graph=True)
        x.grad.sum().backward()
        return v.grad.tolist()

    assert run(flodl) == run(torch) == [2.0, 4.0]


def test_an_own_optimizer_s_state_may_hold_any_python_value_as_torch_s() -> None:
    from collections import deque

    def run(m):
        class Keeper(m.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, {"lr": 0.1})

        p = m.nn.Parameter(m.ones(2, dtype=m.float64))
        opt = Keeper([p])
        marker = object()
        saved = {
            "state": {
                0: {
                    "history": deque([m.ones(2)], maxlen=3),
                    "tag": marker,
                    "huge": 2**70,
                    "pair": (m.zeros(2), "x"),
                }
            },
            "param_groups": [{"lr": 0.1, "params": [0], "schedule": len}],
        }
        opt.load_state_dict(saved)
        state = opt.state[p]
        return [
            type(state["history"]).__name__,
            state["history"][0].dtype == m.float64,  # placed, inside a deque too
            state["tag"] is marker,  # kept as it is
            state["huge"],
            state["pair"][0].dtype == m.float64,
        ]

    assert run(flodl) == run(torch)


def test_torch_s_submodule_paths_import() -> None:
    """The paths real programs import from: torch.utils.data's submodules,
    torch.nn.modules (its layout read from torch), the bases one subclasses."""
    from flodl.nn.modules.batchnorm import BatchNorm2d, _BatchNorm
    from flodl.nn.modules.loss import _Loss, _WeightedLoss
    from flodl.nn.modules.module import Module
    from flodl.nn.modules.utils import _pair, _triple
    from flodl.optim.lr_scheduler import _LRScheduler
    from flodl.utils.data.dataloader import DataLoader
    from flodl.utils.data.dataset import Dataset, TensorDataset
    from flodl.utils.data.sampler import Sampler, WeightedRandomSampler

    assert Module is flodl.nn.Module and BatchNorm2d is flodl.nn.BatchNorm2d
    assert issubclass(BatchNorm2d, _BatchNorm) and issubclass(flodl.nn.NLLLoss, _WeightedLoss)
    assert flodl.nn.modules.conv.Conv2d is flodl.nn.Conv2d
    assert flodl.nn.modules.Linear is flodl.nn.Linear
    assert _pair(3) == (3, 3) and _triple((1, 2, 3)) == (1, 2, 3)
    assert DataLoader is flodl.utils.data.DataLoader
    assert issubclass(TensorDataset, Dataset) and issubclass(WeightedRandomSampler, Sampler)
    assert issubclass(_LRScheduler, flodl.optim.lr_scheduler.LRScheduler)

    class MyLoss(_Loss):
        def __init__(self, size_average=None, reduce=None, reduction="mean"):
            super().__init__(size_average, reduce, reduction)

    # torch's mapping of the deprecated arguments
    assert [MyLoss(reduce=False).reduction, MyLoss(size_average=False).reduction] == ["none", "sum"]


def test_a_scheduler_of_one_s_own_on_the_old_base_as_torch_s() -> None:
    def run(lib):
        class Warmup(lib.optim.lr_scheduler._LRScheduler):
            def __init__(self, optimizer, warmup, last_epoch=-1):
                self.warmup = warmup
                super().__init__(optimizer, last_epoch)

            def get_lr(self):
                scale = min(1.0, (self.last_epoch + 1) / self.warmup)
                return [base * scale for base in self.base_lrs]

        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        scheduler = Warmup(opt, 4)
        rates = []
        for _ in range(6):
            opt.step()
            scheduler.step()
            rates.append(scheduler.get_last_lr()[0])
        return rates, scheduler.state_dict()

    assert run(flodl) == run(torch)


def test_legacy_tensor_types_are_types_as_torch_s() -> None:
    """``isinstance(x, torch.FloatTensor)`` (probe 10 R6) and the legacy
    constructors, in both libraries."""
    for m in (torch, flodl):
        x = m.ones(2)
        assert isinstance(x, m.FloatTensor) and not isinstance(x, m.LongTensor)
        assert isinstance(m.arange(3), m.LongTensor)
        assert isinstance(x.requires_grad_(), m.FloatTensor)
        assert not isinstance(1.0, m.FloatTensor)
        assert m.LongTensor([1, 2]).dtype == m.int64
        assert x.type(m.DoubleTensor).dtype == m.float64
        assert m.FloatTensor.__name__ == "FloatTensor"


def test_autograd_grad_mode_is_where_torch_keeps_it() -> None:
    for m in (torch, flodl):
        with m.autograd.grad_mode.no_grad():
            assert not m.is_grad_enabled()
        assert m.autograd.grad_mode.set_grad_enabled is m.set_grad_enabled


def test_the_inter_op_pool_is_sized_once_as_torch_s(tmp_path) -> None:
    """``set_num_interop_threads`` works once, before the pool starts, and
    then raises RuntimeError, as torch's (one libtorch: they agree)."""
    program = tmp_path / "interop.py"
    program.write_text(
        "import flodl, torch\n"
        "flodl.set_num_interop_threads(3)\n"
        "assert flodl.get_num_interop_threads() == torch.get_num_interop_threads() == 3\n"
        "for m in (flodl, torch):\n"
        "    try:\n"
        "        m.set_num_interop_threads(2)\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "    else:\n"
        "        raise AssertionError(m.__name__)\n"
        "print('ok')\n"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(program)], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "ok", done.stderr
    with pytest.raises(flodl.ArgumentError, match="expects a positive number of threads"):
        flodl.set_num_interop_threads(0)


def test_flip_and_tile_take_their_dims_as_separate_ints() -> None:
    for m in (flodl, torch):
        x = m.arange(24).reshape(2, 3, 4)
        assert x.flip(0, 2).tolist() == x.flip([0, 2]).tolist() == m.flip(x, (0, 2)).tolist()
        assert tuple(x.tile(1, 2).shape) == tuple(x.tile((1, 2)).shape) == (2, 3, 8)
        assert tuple(x.expand(size=(5, 2, 3, 4)).shape) == (5, 2, 3, 4)
        with pytest.raises(TypeError):
            x.flip()
        with pytest.raises(TypeError):
            x.tile()
        for method, args in (("view", (True,)), ("permute", (True, 0, 1)), ("repeat", (True,))):
            with pytest.raises(TypeError):
                getattr(x, method)(*args)  # a bool is not a size or a dim
    f, t = flodl.arange(24).reshape(2, 3, 4), torch.arange(24).reshape(2, 3, 4)
    assert f.flip(0, 2).tolist() == t.flip(0, 2).tolist()
    assert f.tile(2, 1, 1).tolist() == t.tile(2, 1, 1).tolist()


def test_view_with_a_dtype_reads_the_same_memory() -> None:
    values = np.array([[1.0, -2.5, 3.0, 0.0]], dtype=np.float32)
    f, t = flodl.tensor(values), torch.tensor(values)
    for name in ("int32", "float16", "uint8", "float64"):
        got, want = f.view(getattr(flodl, name)), t.view(getattr(torch, name))
        assert str(got.dtype).split(".")[-1] == name and got.tolist() == want.tolist()
    assert f.view(dtype=flodl.int32).tolist() == t.view(dtype=torch.int32).tolist()
    with pytest.raises(TypeError, match="a shape or a dtype"):
        f.view(flodl.int32, shape=(4,))
    with pytest.raises(flodl.ArgumentError, match="view: .*divisible by 2"):
        flodl.ones(3).view(flodl.float64)


def test_in_place_random_methods_draw_from_a_generator() -> None:
    def draws(m):
        g = m.Generator().manual_seed(7)
        return [
            m.empty(3).normal_(0, 2, generator=g).tolist(),
            m.empty(2).uniform_(-1, 1, generator=g).tolist(),
            m.empty(3, dtype=m.int64).random_(0, 10, generator=g).tolist(),
            m.empty(3).exponential_(2.0, generator=g).tolist(),
            m.empty(4).bernoulli_(0.5, generator=g).tolist(),
            m.empty(2).geometric_(0.3, generator=g).tolist(),
            m.empty(2).cauchy_(generator=g).tolist(),
            m.empty(2).log_normal_(generator=g).tolist(),
            m.poisson(m.full((3,), 4.0), generator=g).tolist(),
        ]

    assert draws(flodl) == draws(torch)
    before = flodl.get_rng_state()
    with pytest.raises(flodl.ArgumentError, match="geometric_: p must be in"):
        flodl.empty(2).geometric_(2.0, generator=flodl.Generator())
    assert flodl.get_rng_state().tolist() == before.tolist()  # the default stream untouched


def test_ctc_loss_takes_its_lengths_as_sequences_of_ints() -> None:
    rng = np.random.default_rng(0)
    log_probs = np.log(rng.dirichlet(np.ones(5), size=(6, 3))).astype(np.float32)
    targets = rng.integers(1, 5, size=(3, 4))

    def loss(m):
        as_tuple = m.nn.functional.ctc_loss(
            m.tensor(log_probs), m.tensor(targets), (6,) * 3, [4, 2, 3]
        )
        module = m.nn.CTCLoss(reduction="sum")(
            m.tensor(log_probs), m.tensor(targets), [6] * 3, (4, 2, 3)
        )
        return as_tuple.item(), module.item()

    assert loss(flodl) == pytest.approx(loss(torch), rel=1e-6)
    with pytest.raises(TypeError, match="input_lengths must be a tensor or a sequence of ints"):
        flodl.nn.functional.ctc_loss(
            flodl.tensor(log_probs), flodl.tensor(targets), (6.5,) * 3, [4, 2, 3]
        )


def test_vmap_passes_a_none_argument_through() -> None:
    """Per-sample linear layers without a bias: `vmap(F.linear, in_dims=(0,
    0, None))(x, w, None)`."""

    def run(m):
        m.manual_seed(0)
        x, w = m.randn(4, 3), m.randn(4, 2, 3)
        return m.func.vmap(m.nn.functional.linear, in_dims=(0, 0, None))(x, w, None).tolist()

    np.testing.assert_allclose(run(flodl), run(torch), rtol=1e-6)


def test_optimizer_options_given_as_0d_tensors() -> None:
    def run(m):
        m.manual_seed(0)
        w = m.nn.Parameter(m.randn(3))
        opt = m.optim.AdamW([w], lr=m.tensor(1e-2), betas=(m.tensor(0.9), m.tensor(0.99)))
        opt.add_param_group({"params": [m.nn.Parameter(m.ones(1))], "lr": m.tensor(0.5)})
        for _ in range(3):
            opt.zero_grad()
            (w**2).sum().backward()
            opt.step()
        return w.tolist(), float(opt.param_groups[1]["lr"])

    (ours, lr), (theirs, their_lr) = run(flodl), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert lr == their_lr == 0.5


def test_a_gradient_is_one_object_while_it_is_one_tensor() -> None:
    """`g = p.grad` stays `p.grad` as backward accumulates into it, and an
    assigned gradient is the object assigned, as torch's; a new gradient
    tensor is a new object."""
    for m in (flodl, torch):
        x = m.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        g = x.grad
        assert x.grad is x.grad is g
        (x * 3).sum().backward()
        assert x.grad is g and g.tolist() == [5.0, 5.0]
        x.grad = None
        (x * 3).sum().backward()
        assert x.grad is not g and g.tolist() == [5.0, 5.0]
        for h in (m.zeros(2), m.zeros_like(x), x.detach().clone()):
            x.grad = h
            assert x.grad is h
