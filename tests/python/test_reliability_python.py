"""Bad or unusual inputs to flodl's Python layer behave as PyTorch's do:
the same warnings, errors of flodl's kinds (never a raw AttributeError or
a silent None gradient), checked against torch where it can run the same."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.func  # imported here: its first import is slow
import torch.nn.functional as TF

import flodl
from flodl import Tensor, Variable, func
from flodl import nn as fnn
from flodl import optim as fl_optim
from flodl.autograd import Function, checkpoint
from flodl.nn import functional as F

# torch.func warns about torch.jit on import, which is PyTorch's business.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

RNG = np.random.default_rng(0)


def t(a) -> Tensor:
    return Tensor.from_numpy(np.array(a, dtype=np.float64))


def th(a) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float64))


def same(got, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(got.detach().numpy()), expected.detach().numpy(), rtol=1e-10, atol=1e-12
    )


def same_nested(got, expected) -> None:
    """The same nesting of tuples and lists, and the same values."""
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected), (type(got), type(expected))
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            same_nested(g, e)
    else:
        same(got, expected)


# ----- A. losses: the broadcast warning, binary_cross_entropy's shapes -----

INPUT, TARGET = RNG.uniform(0.1, 0.9, (4, 1)), RNG.uniform(0.1, 0.9, 4)
WARNING = "Using a target size .* that is different to the input size"


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses_warn_of_broadcast_targets_as_torch(name):
    for reduction in ("mean", "sum", "none"):
        x, y = Variable(t(INPUT), requires_grad=True), Variable(t(TARGET), requires_grad=True)
        tx, ty = th(INPUT).requires_grad_(), th(TARGET).requires_grad_()
        with pytest.warns(UserWarning, match=WARNING) as record:
            got = getattr(F, name)(x, y, reduction)
        assert record[0].filename == __file__, "the warning points at the caller's line"
        with pytest.warns(UserWarning, match=WARNING):
            expected = getattr(TF, name)(tx, ty, reduction=reduction)
        same(got, expected)
        # The mean counts every broadcast element, in the gradients too.
        got.sum().backward()
        expected.sum().backward()
        same(x.grad, tx.grad)
        same(y.grad, ty.grad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning when the shapes agree
        getattr(F, name)(t(TARGET), t(TARGET))


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"])
def test_loss_modules_warn_at_the_users_line(name):
    with pytest.warns(UserWarning, match=WARNING) as record:
        getattr(fnn, name)()(t(INPUT), t(TARGET))
    assert record[0].filename == __file__


def test_binary_cross_entropy_with_other_shapes_is_a_shape_error_as_torch():
    with pytest.raises(ValueError):
        TF.binary_cross_entropy(th(INPUT), th(TARGET))
    for loss in (F.binary_cross_entropy, fnn.BCELoss()):
        with pytest.raises(flodl.ShapeError, match=r"binary_cross_entropy: .*\[4\].*\[4, 1\]"):
            loss(t(INPUT), t(TARGET))
    same(
        F.binary_cross_entropy(t(INPUT), t(INPUT)),
        TF.binary_cross_entropy(th(INPUT), th(INPUT)),
    )


# ----- B. checkpoint: no silent None gradients -----


def test_checkpoint_of_a_plain_tensor_returns_it_without_a_graph():
    x = Tensor.randn([3])
    out = checkpoint(lambda a: a * 2, x)
    # As torch.utils.checkpoint: an output that needs no grad comes back as
    # one, and a backward through it fails instead of giving None gradients.
    assert type(out) is Tensor and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), (x * 2).numpy())
    w = Variable(Tensor.randn([3]), requires_grad=True)
    both = checkpoint(lambda a: (a * w, a + 1), x)
    assert isinstance(both[0], Variable) and type(both[1]) is Tensor
    both[0].sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), x.numpy())


def test_checkpoint_recomputation_that_differs_is_an_autograd_error():
    w = Variable(Tensor.randn([3]), requires_grad=True)
    x = Tensor.randn([3])
    for first, again in (
        (lambda a: (a * w, a * 2 * w), lambda a: (a * w,)),
        (lambda a: a * w, lambda a: (a * w)[:2]),
    ):
        calls = []

        def f(a, first=first, again=again, calls=calls):
            calls.append(1)
            return first(a) if len(calls) == 1 else again(a)

        out = checkpoint(f, x)
        loss = sum(o.sum() for o in out) if isinstance(out, tuple) else out.sum()
        with pytest.raises(flodl.AutogradError, match="checkpoint: .*recomputed"):
            loss.backward()


# ----- C. grad modes take bools, as torch -----


@pytest.mark.parametrize("bad", ["no", 1, None, 0.0])
def test_set_grad_enabled_rejects_a_non_bool_as_torch(bad):
    with pytest.raises(TypeError):
        torch.set_grad_enabled(bad)
    with pytest.raises(TypeError, match="set_grad_enabled"):
        flodl.set_grad_enabled(bad)
    assert flodl.is_grad_enabled()


def test_inference_mode_enable_grad_and_no_grad_reject_other_arguments():
    with pytest.raises(TypeError, match="inference_mode"):
        flodl.inference_mode("x")
    with pytest.raises(TypeError, match="enable_grad"):
        flodl.enable_grad("x")
    with pytest.raises(TypeError, match="no_grad"):
        flodl.no_grad("x")
    assert flodl.is_grad_enabled() and not flodl.is_inference_mode_enabled()

    # A function without parentheses is decorated, as torch's.
    @flodl.inference_mode
    def inside():
        return flodl.is_inference_mode_enabled()

    @flodl.enable_grad
    def enabled():
        return flodl.is_grad_enabled()

    assert inside() and not flodl.is_inference_mode_enabled()
    with flodl.no_grad():
        assert enabled()


# ----- D. BatchNorm's eps -----


@pytest.mark.parametrize("cls", ["BatchNorm1d", "BatchNorm2d"])
def test_batch_norm_eps_is_checked_as_torch(cls):
    shape = (4, 3) if cls == "BatchNorm1d" else (4, 3, 2, 2)
    x = RNG.standard_normal(shape)
    for eps in (-1.0, 0.0):
        for training in (True, False):
            expected, error = None, None
            tm = getattr(torch.nn, cls)(3, eps=eps).train(training)
            try:
                expected = tm(th(x).float())
            except ValueError as e:
                error = e
            fm = getattr(fnn, cls)(3, eps=eps).train(training)
            # torch 2.13's rule, flodl's (torch 2.11 refused eps=0 in eval too).
            allowed = eps > 0 or (not training and eps >= 0)
            if error is None:
                got = fm(t(x).float())
                np.testing.assert_allclose(
                    got.detach().numpy(), expected.detach().numpy(), atol=1e-6
                )
            elif allowed:
                fm(t(x).float())  # computes, as torch 2.13 does
            else:
                with pytest.raises(flodl.ArgumentError, match="batch_norm: eps must be"):
                    fm(t(x).float())
    with pytest.raises(flodl.ArgumentError, match="eps"):
        F.batch_norm(t(x), None, None, training=True, eps=-1e-3)


# ----- E. flodl.func -----

X, Y = RNG.standard_normal(3), RNG.standard_normal(2)


def pair_f(lib):
    return lambda a, b: (a * 2.0, b.sum() * a.sin())


def test_jacobian_and_jacrev_of_tuple_outputs_and_inputs_as_torch():
    x, y, tx, ty = t(X), t(Y), th(X), th(Y)
    single = lambda a: (a * 2.0, a.sum())
    same_nested(func.jacobian(single, x), torch.autograd.functional.jacobian(single, tx))
    same_nested(func.jacrev(single)(x), torch.func.jacrev(single)(tx))
    same_nested(
        func.jacobian(pair_f("flodl"), (x, y)),
        torch.autograd.functional.jacobian(pair_f("torch"), (tx, ty)),
    )
    same_nested(
        func.jacrev(pair_f("flodl"), argnums=(0, 1))(x, y),
        torch.func.jacrev(pair_f("torch"), argnums=(0, 1))(tx, ty),
    )
    as_list = lambda a: [a * 2.0, a]
    same_nested(func.jacrev(as_list)(x), torch.func.jacrev(as_list)(tx))
    same_nested(func.jacobian(lambda a: a[:0], x), torch.func.jacrev(lambda a: a[:0])(tx))


def test_jvp_of_constants_and_integer_outputs_has_zero_tangents_as_torch():
    x, v = t(X), t(RNG.standard_normal(3))
    cases = [
        (lambda a: a.long(), lambda a: a.long()),
        (lambda a: (a > 0).long(), lambda a: (a > 0).long()),
        (lambda a: Tensor.ones([2], dtype="float64"), lambda a: torch.ones(2).double()),
    ]
    for f_flodl, f_torch in cases:
        out, tangent = func.jvp(f_flodl, (x,), (v,))
        tout, ttangent = torch.func.jvp(f_torch, (th(X),), (th(v.numpy()),))
        assert tangent.dtype.name == str(ttangent.dtype).removeprefix("torch.")
        same(out, tout)
        same(tangent, ttangent)
    # torch.func raises for a Python number; here it is a TypeError.
    with pytest.raises(RuntimeError):
        torch.func.jvp(lambda a: 3.0, (th(X),), (th(X),))
    with pytest.raises(TypeError, match="jvp: "):
        func.jvp(lambda a: 3.0, (x,), (v,))
    with pytest.raises(TypeError, match="vjp: "):
        func.vjp(lambda a: 3.0, x)
    with pytest.raises(TypeError, match="jvp: "):
        func.jvp(lambda a: a, (3.0,), (1.0,))


def test_argnums_out_of_range_is_an_argument_error():
    x = t(X)
    with pytest.raises(RuntimeError, match="argnum"):
        torch.func.grad(lambda a: a.sum(), argnums=3)(th(X))
    for transform in (func.grad, func.grad_and_value, func.jacrev):
        name = "grad" if transform is not func.jacrev else "jacrev"
        with pytest.raises(flodl.ArgumentError, match=f"{name}: argnums 3 is out of range"):
            transform(lambda a: a.sum(), argnums=3)(x)
        with pytest.raises(flodl.ArgumentError, match=f"{name}: argnums"):
            transform(lambda a, b: (a * b).sum(), argnums=(0, -3))(x, x)
        with pytest.raises(flodl.ArgumentError, match=f"{name}: argnums must not be empty"):
            transform(lambda a: a.sum(), argnums=())(x)
        with pytest.raises(TypeError, match=f"{name}: argnums must be an int"):
            transform(lambda a: a.sum(), argnums="a")
    # A negative argnum counts from the end, as torch's.
    f = lambda a, b: (a * b.sin()).sum()
    same(func.grad(f, argnums=-1)(x, x), torch.func.grad(f, argnums=-1)(th(X), th(X)))


def test_hessian_and_hvp_of_a_constant_gradient_are_zeros_as_torch():
    x, v, tx, tv = t(X), t(Y[:1].repeat(3)), th(X), th(Y[:1].repeat(3))
    for f in (lambda a: (a * 2.0).sum(), lambda a: a.sum()):
        same(flodl.autograd.functional.hessian(f, x), torch.autograd.functional.hessian(f, tx))
        out, product = func.hvp(f, x, v)
        tout, tproduct = torch.autograd.functional.hvp(f, tx, tv)
        same(out, tout)
        same(product, tproduct)
    # Tuples of inputs nest as torch's.
    g = lambda a, b: (a * b * a).sum()
    same_nested(
        flodl.autograd.functional.hessian(g, (x, x)),
        torch.autograd.functional.hessian(g, (tx, tx)),
    )
    out, products = func.hvp(g, (x, x), (v, v))
    tout, tproducts = torch.autograd.functional.hvp(g, (tx, tx), (tv, tv))
    same(out, tout)
    same_nested(products, tproducts)


def test_grad_and_vjp_of_outputs_that_need_no_grad_are_zeros_as_torch():
    x = t(X)
    for f_flodl, f_torch in (
        (lambda a: Tensor.ones([]), lambda a: torch.ones((), dtype=torch.float64)),
        (lambda a: a.long().sum(), lambda a: a.long().sum()),
    ):
        same(func.grad(f_flodl)(x), torch.func.grad(f_torch)(th(X)))
    (got,) = func.vjp(lambda a: Tensor.ones([2]), x)[1](Tensor.ones([2]))
    (expected,) = torch.func.vjp(lambda a: torch.ones(2), th(X))[1](torch.ones(2))
    same(got, expected)
    with pytest.raises(flodl.AutogradError, match="grad: .*single-element"):
        func.grad(lambda a: a * 2.0)(x)


# ----- F. save -----


def test_save_of_a_module_or_a_torch_tensor_says_what_to_pass(tmp_path):
    path = tmp_path / "m.safetensors"
    with pytest.raises(TypeError, match=r"save: with pickle=False takes .*model\.state_dict\(\)"):
        flodl.save(fnn.Linear(2, 3), path, pickle=False)
    with pytest.raises(
        TypeError, match=r"save: the object\['w'\] is a torch tensor.*Tensor\.from_torch"
    ):
        flodl.save({"w": torch.ones(2)}, path)
    with pytest.raises(TypeError, match=r"save: the object is a torch tensor.*from_torch"):
        flodl.save(torch.ones(2), path)
    assert not path.exists()
    # A bare tensor is a file of one tensor, as torch.save takes one.
    flodl.save(Tensor.ones([2]), path)
    assert flodl.load(path).tolist() == [1.0, 1.0]


# ----- G. old optimizer checkpoints -----


def _problem():
    rng = np.random.default_rng(3)
    start, target = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    fp = Variable(flodl.tensor(start), requires_grad=True)
    tp = torch.tensor(start, requires_grad=True)
    return fp, tp, target


def _step(opt, p, target, const):
    opt.zero_grad()
    ((p - const(target)) ** 2).sum().backward()
    opt.step()


@pytest.mark.parametrize("step_kind", ["torch", "int", "float", "float64"])
def test_adam_loads_step_counters_of_every_kind_as_torch(step_kind):
    fp, tp, target = _problem()
    topt = torch.optim.Adam([tp], lr=0.1)
    for _ in range(3):
        _step(topt, tp, target, torch.tensor)
    saved = topt.state_dict()
    state = saved["state"][0]
    step = float(state["step"])
    converted = {
        "exp_avg": Tensor.from_torch(state["exp_avg"]),
        "exp_avg_sq": Tensor.from_torch(state["exp_avg_sq"]),
        "step": {
            "torch": Tensor.from_torch(state["step"]),  # float32, as torch keeps it
            "int": int(step),
            "float": step,
            "float64": flodl.tensor(step, dtype="float64"),
        }[step_kind],
    }
    fp.data.copy_(Tensor.from_torch(tp.detach()))
    fopt = fl_optim.Adam([fp], lr=0.5)
    fopt.load_state_dict({"state": {0: converted}, "param_groups": saved["param_groups"]})
    assert fopt.state[fp]["step"].dtype.name == "float32"
    _step(fopt, fp, target, flodl.tensor)
    _step(topt, tp, target, torch.tensor)
    np.testing.assert_allclose(fp.detach().numpy(), tp.detach().numpy(), rtol=1e-12)
    assert float(fopt.state[fp]["step"].item()) == step + 1


def test_optimizer_state_of_the_wrong_kind_is_a_clear_error():
    fp, tp, target = _problem()
    topt = torch.optim.Adam([tp], lr=0.1)
    _step(topt, tp, target, torch.tensor)
    fopt = fl_optim.Adam([fp], lr=0.1)
    with pytest.raises(TypeError, match=r"Adam.load_state_dict: .*'step'.* is a torch.*from_torch"):
        fopt.load_state_dict(topt.state_dict())
    saved = fopt.state_dict()
    saved["state"] = {0: {"step": "3"}}
    with pytest.raises(
        TypeError,
        match="Adam.load_state_dict: state 0 'step' must be a Tensor or a number, got a string",
    ):
        fopt.load_state_dict(saved)
    saved["state"] = {0: [1, 2]}
    with pytest.raises(
        flodl.ArgumentError, match="Adam.load_state_dict: state 0 is a list, not a dict"
    ):
        fopt.load_state_dict(saved)


def test_an_older_param_group_without_newer_options_gets_the_defaults():
    fp, tp, target = _problem()
    topt = torch.optim.Adam([tp], lr=0.1)
    saved = topt.state_dict()
    del saved["param_groups"][0]["decoupled_weight_decay"]
    fopt = fl_optim.Adam([fp], lr=0.1)
    fopt.load_state_dict(saved)
    _step(fopt, fp, target, flodl.tensor)
    _step(topt, tp, target, torch.tensor)
    np.testing.assert_allclose(fp.detach().numpy(), tp.detach().numpy(), rtol=1e-12)


# ----- H. custom functions: gradients for arguments that need none -----


def make_mul(base, second):
    class Mul(base):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b * 2.0, second(g, a), None

    return Mul


@pytest.mark.parametrize("wrong_shape", [False, True])
def test_a_gradient_for_a_tensor_that_needs_none_is_ignored_as_torch(wrong_shape):
    a_np, b_np = RNG.standard_normal(3), RNG.standard_normal(3)

    def second(g, a):
        return (a.sum() * 0 + 1).expand(5) if wrong_shape else g * a

    tb = th(b_np)
    ta = torch.tensor(a_np, requires_grad=True)
    make_mul(torch.autograd.Function, second).apply(ta, tb, 2.0).sum().backward()
    for b in (t(b_np), Variable(t(b_np))):
        a = Variable(t(a_np), requires_grad=True)
        make_mul(Function, second).apply(a, b, 2.0).sum().backward()
        same(a.grad, ta.grad)


def test_a_gradient_for_a_non_tensor_argument_or_of_a_wrong_type_is_an_autograd_error():
    a = Variable(t(X), requires_grad=True)
    with pytest.raises(flodl.AutogradError, match="Mul: .*str for argument 1"):
        make_mul(Function, lambda g, a: "x").apply(a, t(X), 2.0).sum().backward()

    class Scale(Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(flodl.AutogradError, match="Scale: .*argument 1, which is a float"):
        Scale.apply(a, 2.0).sum().backward()


# ----- I. other raw exceptions -----

ACTIVATIONS = ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "celu", "selu", "gelu"]
ACTIVATIONS += ["silu", "mish", "sigmoid", "tanh", "softplus", "hardsigmoid", "hardswish"]
ACTIVATIONS += ["softmax", "log_softmax", "softmin", "softsign", "tanhshrink", "logsigmoid"]
ACTIVATIONS += ["hardshrink", "softshrink", "glu", "normalize", "one_hot"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_functional_of_a_non_tensor_is_a_type_error(name):
    # SPEC section 4: a wrong Python type is a TypeError naming the op (some
    # of torch's Python-level functions raise AttributeError here).
    with pytest.raises(TypeError, match=f"{name}: input must be a Tensor or Variable, got list"):
        getattr(F, name)([1.0, 2.0])
    with pytest.raises(TypeError, match=f"{name}: input is a torch tensor.*Tensor.from_torch"):
        getattr(F, name)(torch.ones(2))


def test_functional_other_arguments_of_the_wrong_kind():
    x = t(RNG.standard_normal((2, 4)))
    with pytest.raises(TypeError, match="cosine_similarity: x2 must be"):
        F.cosine_similarity(x, 1.0)
    with pytest.raises(TypeError, match="layer_norm: input"):
        F.layer_norm([1.0], (2, 2))
    with pytest.raises(TypeError, match="pad: input"):
        F.pad(np.ones(3), (1, 1))
    with pytest.raises(TypeError, match="threshold: input"):
        F.threshold(1.0, 0.5, 0.0)
    with pytest.raises(TypeError, match="prelu: input"):
        F.prelu(1.0, x)
    # glu: a 0-d input and a dim out of range, as torch's RuntimeError and IndexError.
    with pytest.raises(RuntimeError):
        TF.glu(torch.tensor(1.5))
    with pytest.raises(flodl.ShapeError, match="glu: "):
        F.glu(t(1.5))
    with pytest.raises(IndexError):
        TF.glu(torch.ones(2, 4), dim=5)
    with pytest.raises(flodl.OutOfRangeError, match="glu: Dimension out of range"):
        F.glu(x, dim=5)
    same(F.glu(x, dim=-1), TF.glu(th(x.numpy()), dim=-1))
    # one_hot of class indices held in a Variable.
    indices = Variable(flodl.tensor([0, 2, 1]))
    expected = TF.one_hot(torch.tensor([0, 2, 1]))
    assert F.one_hot(indices).tolist() == expected.tolist()


def test_jvp_of_integer_primals_or_tangents_is_a_dtype_error_as_torch():
    with pytest.raises(ValueError):
        torch.func.jvp(lambda a: a * 2, (torch.ones(2),), (torch.tensor([True, False]),))
    with pytest.raises(flodl.DTypeError, match="jvp: tangent 0 is bool"):
        func.jvp(lambda a: a * 2, (Tensor.ones([2]),), (flodl.tensor([True, False]),))
    with pytest.raises(flodl.DTypeError, match="jvp: primal 0 is int64"):
        func.jvp(lambda a: a * 2, (flodl.tensor([1, 2]),), (flodl.tensor([1, 2]),))


def test_gradcheck_and_explain_grad_of_the_wrong_kind():
    x = t(X)
    with pytest.raises(TypeError, match="gradcheck: f must be callable"):
        flodl.autograd.gradcheck(x, (lambda a: a,))
    with pytest.raises(TypeError, match="gradgradcheck: input 0 must be a Tensor"):
        flodl.autograd.gradgradcheck(lambda a: a, (lambda a: a,))
    with pytest.raises(TypeError, match="explain_grad: takes a Variable, got int"):
        flodl.autograd.explain_grad(1)
    assert "not a Variable" in flodl.autograd.explain_grad(x)


def test_this_session_s_fuzz_findings_are_typed_errors(tmp_path):
    """The API fuzz's findings (seeds 1-5), each now the error SPEC 4 names."""
    import flodl.nn.functional as F

    with pytest.raises(flodl.ArgumentError, match="set_printoptions: precision"):
        flodl.set_printoptions(precision=np.uint64(2**64 - 1))
    with pytest.raises(TypeError):
        flodl.set_printoptions(threshold=torch.zeros(2))
    with pytest.raises(flodl.ArgumentError, match="interpolate: size"):
        F.interpolate(flodl.tensor([[[0.0, 1.0]]]), size=[2**63])
    with pytest.raises(TypeError):
        flodl.Tensor.ones([2]).allclose(flodl.Tensor.ones([2]), atol=torch.ones(2))
    with pytest.raises(TypeError, match="save: pickle must be a bool"):
        flodl.save({"a": 1}, tmp_path / "x", np.arange(3.0))
    with pytest.raises(TypeError, match="glu: dim must be an int, got Tensor"):
        F.glu(flodl.Tensor.ones([2, 4]), dim=torch.ones(2))
    with pytest.raises(TypeError, match="normalize: eps must be a number"):
        F.normalize(flodl.Tensor.ones([2, 4]), eps=torch.ones(0))
