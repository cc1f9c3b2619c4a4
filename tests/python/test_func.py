"""flodl.func against torch.func and torch.autograd.functional, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flodl
from flodl import Tensor, func

# torch.func warns about torch.jit on import, which is PyTorch's business.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

RNG = np.random.default_rng(0)
X = RNG.standard_normal(4)
W = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)


def f_flodl(x):
    return (flodl.linear(x, Tensor.from_numpy(W.copy())).tanh() * 2.0).sum() + (x * x.sin()).sum()


def f_torch(x):
    return (F.linear(x, torch.from_numpy(W)).tanh() * 2.0).sum() + (x * x.sin()).sum()


def g_flodl(x):
    return flodl.linear(x, Tensor.from_numpy(W.copy())).sigmoid()


def g_torch(x):
    return F.linear(x, torch.from_numpy(W)).sigmoid()


def t(a):
    return Tensor.from_numpy(np.asarray(a).copy())


def th(a):
    return torch.from_numpy(np.asarray(a).copy())


def same(got, expected) -> None:
    np.testing.assert_allclose(
        got.detach().numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12
    )


def test_grad_and_grad_and_value() -> None:
    same(func.grad(f_flodl)(t(X)), torch.func.grad(f_torch)(torch.from_numpy(X)))
    g, value = func.grad_and_value(f_flodl)(t(X))
    tg, tvalue = torch.func.grad_and_value(f_torch)(torch.from_numpy(X))
    same(g, tg)
    same(value, tvalue)


def test_vjp_and_forward_mode_jvp() -> None:
    out, vjp_fn = func.vjp(g_flodl, t(X))
    tout, tvjp_fn = torch.func.vjp(g_torch, torch.from_numpy(X))
    same(out, tout)
    cot = RNG.standard_normal(3)
    same(vjp_fn(t(cot))[0], tvjp_fn(torch.from_numpy(cot))[0])
    value, tangent = func.jvp(g_flodl, (t(X),), (t(V),))
    tvalue, ttangent = torch.func.jvp(g_torch, (torch.from_numpy(X),), (torch.from_numpy(V),))
    same(value, tvalue)
    same(tangent, ttangent)


def test_jacobian_jacrev_hessian_hvp() -> None:
    same(
        func.jacobian(g_flodl, t(X)),
        torch.autograd.functional.jacobian(g_torch, torch.from_numpy(X)),
    )
    same(func.jacrev(g_flodl)(t(X)), torch.func.jacrev(g_torch)(torch.from_numpy(X)))
    same(func.hessian(f_flodl)(t(X)), torch.func.hessian(f_torch)(torch.from_numpy(X)))
    out, product = func.hvp(f_flodl, t(X), t(V))
    tout, tproduct = torch.autograd.functional.hvp(
        f_torch, torch.from_numpy(X), torch.from_numpy(V)
    )
    same(out, tout)
    same(product, tproduct)


def test_transforms_take_variables_and_leave_them_alone() -> None:
    v = flodl.Variable(t(X), requires_grad=True)
    same(func.grad(f_flodl)(v), torch.func.grad(f_torch)(torch.from_numpy(X)))
    assert v.grad is None and v.is_leaf


def test_jvp_needs_one_tangent_per_primal() -> None:
    with pytest.raises(flodl.ArgumentError):
        func.jvp(g_flodl, (t(X),), (t(V), t(V)))
    with pytest.raises(flodl.ShapeError):
        func.jvp(g_flodl, (t(X),), (t(V[:2]),))


def test_several_outputs_come_back_in_their_container_as_torch() -> None:
    x, y = t(X), t(V[:2])
    tx, ty = torch.from_numpy(X), torch.from_numpy(V[:2])

    def pair(a, b):
        return (a * b.sum(), a.sin().sum() * b)

    out, vjp_fn = func.vjp(pair, x, y)
    tout, tvjp_fn = torch.func.vjp(pair, tx, ty)
    assert isinstance(out, tuple) and len(out) == 2
    for got, expected in zip(out, tout):
        same(got, expected)
    cots = (RNG.standard_normal(4), RNG.standard_normal(2))
    for got, expected in zip(
        vjp_fn(t(cots[0]), t(cots[1])),
        tvjp_fn((torch.from_numpy(cots[0]), torch.from_numpy(cots[1]))),
    ):
        same(got, expected)
    # One tuple of cotangents reads as the cotangents themselves.
    same(vjp_fn((t(cots[0]), t(cots[1])))[1], tvjp_fn(tuple(map(torch.from_numpy, cots)))[1])
    with pytest.raises(flodl.ArgumentError, match="vjp: got 1 cotangents for 2 outputs"):
        vjp_fn(t(cots[0]))
    values, tangents = func.jvp(lambda a: [a.exp(), a * 3.0], (x,), (t(V),))
    tvalues, ttangents = torch.func.jvp(lambda a: [a.exp(), a * 3.0], (tx,), (torch.from_numpy(V),))
    assert isinstance(values, list) and isinstance(tangents, list)
    for got, expected in zip(values + tangents, tvalues + ttangents):
        same(got, expected)


def test_an_exception_raised_in_f_comes_out_unchanged() -> None:
    class Mine(Exception):
        pass

    def f(a):
        raise Mine("from f")

    x = t(X)
    transforms = [
        lambda: func.vjp(f, x),
        lambda: func.jvp(f, (x,), (x,)),
        lambda: func.grad(f)(x),
        lambda: func.jacobian(f, x),
        lambda: func.hessian(f)(x),
        lambda: func.hvp(f, x, x),
    ]
    for transform in transforms:
        with pytest.raises(Mine, match="from f"):
            transform()


def test_single_element_transforms_refuse_several_outputs() -> None:
    x = t(X)
    with pytest.raises(flodl.AutogradError, match="grad: f must return a single-element"):
        func.grad(lambda a: (a.sum(), a.sum()))(x)
    with pytest.raises(flodl.AutogradError, match="hessian: f must return a single-element"):
        func.hessian(lambda a: a * 2.0)(x)
    with pytest.raises(flodl.ShapeError, match=r"hvp: v has shape \[2\], its input \[4\]"):
        func.hvp(f_flodl, x, t(V[:2]))


def test_torch_autograd_functional_signatures_give_torch_s_numbers() -> None:
    import torch.autograd.functional as TF

    import flodl.autograd.functional as AF

    x = np.array([0.5, -1.0, 2.0])
    fx, tx = flodl.tensor(x), torch.tensor(x)

    def cube_sum(a):
        return (a**3).sum()

    def scaled(a, b):
        return a * b.exp()

    close = np.testing.assert_allclose
    close(AF.jacobian(lambda a: a**2, fx).numpy(), TF.jacobian(lambda a: a**2, tx).numpy())
    close(AF.hessian(cube_sum, fx).numpy(), TF.hessian(cube_sum, tx).numpy())
    (out, got), (t_out, want) = AF.vjp(cube_sum, fx), TF.vjp(cube_sum, tx)
    assert out.item() == pytest.approx(t_out.item())
    close(got.numpy(), want.numpy())
    got = AF.vjp(scaled, (fx, fx), flodl.ones(3))[1]
    for g, w in zip(got, TF.vjp(scaled, (tx, tx), torch.ones(3))[1]):
        close(g.numpy(), w.numpy())
    close(
        AF.jvp(lambda a: a.sin(), fx, flodl.ones(3))[1].numpy(),
        TF.jvp(lambda a: a.sin(), tx, torch.ones(3))[1].numpy(),
    )
    close(
        AF.hvp(cube_sum, fx, flodl.ones(3))[1].numpy(),
        TF.hvp(cube_sum, tx, torch.ones(3))[1].numpy(),
    )
    with pytest.raises(flodl.ArgumentError, match="hvp: create_graph=True"):
        AF.hvp(cube_sum, fx, flodl.ones(3), create_graph=True)
    with pytest.raises(flodl.ArgumentError, match="vjp: v can be left out only"):
        AF.vjp(lambda a: a * 2, fx)


def test_jacobian_and_hessian_with_create_graph_train_what_they_use_as_torch() -> None:
    """A Jacobian penalty (contractive autoencoders, Jacobian regularizers)
    and a Hessian one: the results keep their graph to the inputs and to the
    weights the function uses, as torch's create_graph=True."""
    import torch.autograd.functional as TF

    import flodl.autograd.functional as AF

    rng = np.random.default_rng(4)
    w, x0 = rng.standard_normal((3, 2)), rng.standard_normal((2,))

    def run(lib, F, make):
        W, x = make(lib.tensor(w)), make(lib.tensor(x0))
        J = F.jacobian(lambda v: (W @ v).tanh(), x, create_graph=True)
        (J**2).sum().backward()
        H = F.hessian(lambda v: ((W @ v) ** 3).sum(), (x,), create_graph=True)
        H[0][0].sum().backward()
        plain = make(lib.tensor(x0)).detach()  # no grad: a fresh leaf inside
        J2 = F.jacobian(lambda v: W @ v.exp(), plain, create_graph=True)
        J2.sum().backward()
        return J.detach().numpy(), H[0][0].detach().numpy(), W.grad.numpy(), x.grad.numpy()

    ours = run(flodl, AF, lambda t: flodl.Variable(t, requires_grad=True))
    theirs = run(torch, TF, lambda t: t.requires_grad_())
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-12)


# ----- containers of arguments, has_aux, jacfwd, hessian(argnums), vmap, functional_call


def _model_pair():
    """One small MLP in flodl and in torch, with the same weights (float64)."""
    flodl.manual_seed(0)
    model = flodl.nn.Sequential(flodl.nn.Linear(3, 5), flodl.nn.Tanh(), flodl.nn.Linear(5, 1))
    model = model.double()
    twin = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))
    twin = twin.double()
    with torch.no_grad():
        for (_, p), (_, q) in zip(model.named_parameters(), twin.named_parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy()))
    return model, twin


def test_grad_of_a_dict_of_parameters_through_functional_call_is_torch_s() -> None:
    model, twin = _model_pair()
    xb = RNG.standard_normal((6, 3))
    yb = RNG.standard_normal((6, 1))

    def loss(params, x, y, call, m):
        return ((call(m, params, (x,)) - y) ** 2).mean()

    params = {k: v.detach() for k, v in model.named_parameters()}
    tparams = {k: v.detach() for k, v in twin.named_parameters()}
    got = func.grad(loss)(params, t(xb), t(yb), func.functional_call, model)
    want = torch.func.grad(loss)(
        tparams, torch.from_numpy(xb), torch.from_numpy(yb), torch.func.functional_call, twin
    )
    assert list(got) == list(want)
    for name in want:
        same(got[name], want[name])
    # The module's own parameters are back after the call.
    for name, p in model.named_parameters():
        assert p is dict(model.named_parameters())[name]
        assert isinstance(p, flodl.nn.Parameter)


def test_grad_of_lists_and_tuples_keeps_their_shape_and_has_aux() -> None:
    def f(pair, scale):
        a, b = pair
        out = (a * b.sin()).sum() * scale
        return out, {"a_sum": a.sum()}

    x = RNG.standard_normal(4)
    got, aux = func.grad(f, has_aux=True)((t(X), t(x)), 2.0)
    want, taux = torch.func.grad(f, has_aux=True)((torch.from_numpy(X), torch.from_numpy(x)), 2.0)
    assert isinstance(got, tuple) and len(got) == 2
    same(got[0], want[0])
    same(got[1], want[1])
    same(aux["a_sum"], taux["a_sum"])
    (_, (value, aux)) = func.grad_and_value(f, has_aux=True)((t(X), t(x)), 2.0)
    same(value, f((torch.from_numpy(X), torch.from_numpy(x)), 2.0)[0])
    with pytest.raises(flodl.ArgumentError, match=r"has_aux=True, f must return \(output, aux\)"):
        func.grad(lambda a: a.sum(), has_aux=True)(t(X))


def test_jacfwd_is_forward_mode_and_torch_s() -> None:
    got = func.jacfwd(g_flodl)(t(X))
    same(got, torch.func.jacfwd(g_torch)(torch.from_numpy(X)))
    h = lambda a, b: (a * b, (a + b).sin())
    got = func.jacfwd(h, argnums=(0, 1))(t(X), t(V))
    want = torch.func.jacfwd(h, argnums=(0, 1))(torch.from_numpy(X), torch.from_numpy(V))
    for row, trow in zip(got, want):
        for j, tj in zip(row, trow):
            same(j, tj)
    same(func.jacrev(h, argnums=1)(t(X), t(V))[1], want[1][1])


def test_hessian_takes_argnums_as_torch_func() -> None:
    k = lambda a, b: (a * a * b).sum()
    same(
        func.hessian(k)(t(X), t(V)), torch.func.hessian(k)(torch.from_numpy(X), torch.from_numpy(V))
    )
    got = func.hessian(k, argnums=(0, 1))(t(X), t(V))
    want = torch.func.hessian(k, argnums=(0, 1))(torch.from_numpy(X), torch.from_numpy(V))
    for row, trow in zip(got, want):
        for h, th_ in zip(row, trow):
            same(h, th_)


def test_vmap_matches_torch_s_batched_results() -> None:
    A = RNG.standard_normal((5, 4))
    B = RNG.standard_normal((5, 4))
    same(
        func.vmap(flodl.dot)(t(A), t(B)),
        torch.vmap(torch.dot)(torch.from_numpy(A), torch.from_numpy(B)),
    )
    assert flodl.vmap is func.vmap
    # in_dims None broadcasts; a dim other than 0; out_dims.
    mv = lambda m, v: m @ v
    same(
        func.vmap(mv, in_dims=(None, 1), out_dims=1)(t(W), t(A.T)),
        torch.vmap(mv, in_dims=(None, 1), out_dims=1)(torch.from_numpy(W), torch.from_numpy(A.T)),
    )
    # Containers in and out.
    f = lambda d: {"s": d["x"].sum(), "p": (d["x"] * d["y"]).sum()}
    got = func.vmap(f)({"x": t(A), "y": t(B)})
    want = torch.vmap(f)({"x": torch.from_numpy(A), "y": torch.from_numpy(B)})
    same(got["s"], want["s"])
    same(got["p"], want["p"])
    # Per-sample gradients: vmap of grad.
    per_sample = func.vmap(func.grad(f_flodl))(t(A))
    same(per_sample, torch.vmap(torch.func.grad(f_torch))(torch.from_numpy(A)))


def test_vmap_refuses_what_torch_refuses() -> None:
    with pytest.raises(flodl.ArgumentError, match="different sizes"):
        func.vmap(flodl.dot)(t(X), t(W))
    with pytest.raises(flodl.ArgumentError, match="at least one argument must be mapped"):
        func.vmap(flodl.dot, in_dims=(None, None))(t(X), t(X))
    with pytest.raises(flodl.ArgumentError, match="in_dims has 1 entries for 2"):
        func.vmap(flodl.dot, in_dims=(0,))(t(W), t(W))
    with pytest.raises(TypeError, match="outputs must be Tensors or Variables"):
        func.vmap(lambda r: r.sum().item())(t(W))
    with pytest.raises(flodl.ArgumentError, match="randomness"):
        func.vmap(flodl.dot, randomness="sometimes")


def test_functional_call_ties_weights_checks_names_and_restores_on_errors() -> None:
    class Tied(flodl.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = flodl.nn.Linear(2, 2, bias=False)
            self.b = flodl.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    w = flodl.eye(2) * 3.0
    x = flodl.ones(1, 2)
    assert func.functional_call(m, {"a.weight": w}, (x,)).tolist() == [[9.0, 9.0]]
    assert func.functional_call(m, {"a.weight": w}, x, tie_weights=False).tolist() != [[9.0, 9.0]]
    original = m.a.weight
    with pytest.raises(flodl.ArgumentError, match="no submodule for 'c.weight'"):
        func.functional_call(m, {"c.weight": w}, (x,))
    with pytest.raises(flodl.ArgumentError, match="strict=True"):
        func.functional_call(m, {"a.weight": w}, (x,), strict=True, tie_weights=False)
    with pytest.raises(flodl.ArgumentError, match="a.weight and b.weight are tied"):
        func.functional_call(m, {"a.weight": w, "b.weight": w * 2.0}, (x,))
    # Another name sets an attribute of its module for the call only, as torch's.
    seen = []

    class Peek(flodl.nn.Module):
        def forward(self, x):
            seen.append(self.scale)
            return x * self.scale

    peek = Peek()
    assert func.functional_call(peek, {"scale": flodl.tensor(2.0)}, (x,)).tolist() == [[2.0, 2.0]]
    assert seen[0].item() == 2.0 and not hasattr(peek, "scale")
    with pytest.raises(flodl.ShapeError):
        func.functional_call(m, {"a.weight": flodl.ones(3, 3)}, (x,))
    assert m.a.weight is original and m.b.weight is original
    from flodl.nn.utils.stateless import functional_call

    assert functional_call is func.functional_call


def test_transforms_pass_keywords_and_nest_only_where_they_can() -> None:
    x = t(X)
    scaled = lambda a, s=1.0: (a * a).sum() * s
    same(func.grad(scaled)(x, s=3.0), torch.func.grad(scaled)(th(X), s=3.0))
    same(func.hessian(scaled)(x, s=2.0), torch.func.hessian(lambda a: scaled(a, s=2.0))(th(X)))
    # A differentiating transform inside another would see constants: refused.
    with pytest.raises(flodl.AutogradError, match=r"do not nest \(jacrev inside jacfwd\)"):
        func.jacfwd(func.jacrev(lambda a: (a**3).sum()))(x)
    with pytest.raises(flodl.AutogradError, match="do not nest"):
        func.grad(lambda a: func.grad(scaled)(a).sum())(x)
    # vmap is no differentiating transform: vmap(grad) and grad(vmap) work.
    same(func.grad(lambda a: func.vmap(torch_free_square)(a).sum())(x), th(X) * 2.0)


def torch_free_square(a):
    return a * a


def test_jacobians_of_dict_outputs_and_dict_arguments_are_torch_s() -> None:
    f = lambda d: {"s": (d["a"] * d["b"]).sin(), "p": d["a"].exp()}
    got = func.jacrev(f)({"a": t(X), "b": t(V)})
    want = torch.func.jacrev(f)({"a": th(X), "b": th(V)})
    for out in ("s", "p"):
        for arg in ("a", "b"):
            same(got[out][arg], want[out][arg])
    got = func.jacfwd(f)({"a": t(X), "b": t(V)})
    for out in ("s", "p"):
        for arg in ("a", "b"):
            same(got[out][arg], want[out][arg])
    from collections import defaultdict

    d = defaultdict(float, {"a": t(X)})
    g = func.grad(lambda d: (d["a"] ** 2).sum())(d)
    assert isinstance(g, defaultdict)
    same(g["a"], th(X) * 2.0)


def test_vmap_out_dims_none_and_randomness_as_torch() -> None:
    ones = flodl.ones(3, 2)
    assert func.vmap(lambda r: flodl.zeros(2), out_dims=None)(ones).tolist() == [0.0, 0.0]
    with pytest.raises(flodl.ArgumentError, match="differs from sample to sample"):
        func.vmap(lambda r: r * 2.0, out_dims=None)(t(W))
    with pytest.raises(flodl.ArgumentError, match="draws random numbers"):
        func.vmap(lambda r: r + flodl.rand(2))(ones)
    same_rows = func.vmap(lambda r: r + flodl.rand(2), randomness="same")(ones)
    assert same_rows[0].tolist() == same_rows[1].tolist() == same_rows[2].tolist()
    different = func.vmap(lambda r: r + flodl.rand(2), randomness="different")(ones)
    assert different[0].tolist() != different[1].tolist()
    with pytest.raises(TypeError, match="an in_dim is an int or None"):
        func.vmap(lambda r: r, in_dims=1.0)(ones)


def test_vmap_refuses_samples_with_different_output_counts() -> None:
    ragged = func.vmap(lambda x: [x] * int(x[0].item()))
    for rows in ([[2.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [2.0, 0.0]]):
        with pytest.raises(flodl.ArgumentError, match="outputs for sample 0"):
            ragged(flodl.tensor(rows))


def _ensemble(m):
    """torch.func's model-ensembling recipe: stacked states, vmap over them."""
    m.manual_seed(0)
    models = [
        m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4), m.nn.Tanh()) for _ in range(3)
    ]
    for model in models:
        model.eval()
    params, buffers = m.func.stack_module_state(models)
    data = m.tensor(RNG_ENSEMBLE, dtype=m.float32)

    def fmodel(p, b, x):
        return m.func.functional_call(models[0], (p, b), (x,))

    out = m.func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, data)
    out.sum().backward()
    weight = params["0.weight"]
    assert weight.is_leaf and weight.requires_grad and weight.shape == (3, 4, 3)
    assert not buffers["1.running_mean"].requires_grad
    return out.detach().numpy(), weight.grad.numpy(), sorted(params), sorted(buffers)


RNG_ENSEMBLE = np.random.default_rng(9).standard_normal((5, 3))


def test_stack_module_state_ensembles_as_torch() -> None:
    got, want = _ensemble(flodl), _ensemble(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    assert got[2:] == want[2:]
    with pytest.raises(flodl.ArgumentError, match="at least one model"):
        func.stack_module_state([])
    a, b = flodl.nn.Linear(2, 2), flodl.nn.Linear(2, 2)
    b.eval()
    with pytest.raises(flodl.ArgumentError, match="training/eval mode"):
        func.stack_module_state([a, b])
    with pytest.raises(flodl.ArgumentError, match="same class"):
        func.stack_module_state([a, flodl.nn.Tanh()])


def _outer_graph_results(m, transform: str):
    """One transform of a function of two inputs (one requires grad), its
    results' requires_grad, and the gradient of their sum: the transforms
    stay on the outer graph as torch.func's."""
    w = m.tensor([0.5, -1.0, 2.0], dtype=m.float64, requires_grad=True)
    c = m.tensor([1.5, 0.25, -0.75], dtype=m.float64)
    u = m.tensor([0.3, -0.2, 0.9], dtype=m.float64)

    def vector(a, b):
        return (a**3) * b.sin() + a * b

    def scalar(a, b):
        return vector(a, b).sum()

    def vjp_results():
        out, vjp_fn = m.func.vjp(vector, w, c)
        return (out, *vjp_fn(u))

    results = {
        "jacrev": lambda: m.func.jacrev(vector, argnums=(0, 1))(w, c),
        "jacfwd": lambda: m.func.jacfwd(vector, argnums=(0, 1))(w, c),
        "hessian": lambda: m.func.hessian(scalar)(w, c),
        "vjp": vjp_results,
        "jvp": lambda: m.func.jvp(vector, (w, c), (u, u)),
    }[transform]()
    leaves = results if isinstance(results, tuple) else (results,)
    flat = [r for leaf in leaves for r in (leaf if isinstance(leaf, tuple) else (leaf,))]
    flags = [r.requires_grad for r in flat]
    total = sum(r.sum() for r in flat if r.requires_grad)
    (gw,) = m.autograd.grad(total, [w])
    with m.no_grad():
        plain = m.func.jacrev(vector)(w, c) if transform == "jacrev" else None
    return flags, gw.tolist(), [r.detach().tolist() for r in flat], plain


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd", "hessian", "vjp", "jvp"])
def test_transforms_stay_on_the_outer_graph_as_torch(transform: str) -> None:
    flags, gw, values, plain = _outer_graph_results(flodl, transform)
    tflags, tgw, tvalues, tplain = _outer_graph_results(torch, transform)
    assert flags == tflags
    np.testing.assert_allclose(gw, tgw, rtol=1e-12)
    for got, expected in zip(values, tvalues):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    if plain is not None:
        assert plain.requires_grad is tplain.requires_grad is False


def test_autograd_functional_vjp_jvp_detach_unless_create_graph_as_torch() -> None:
    for m in (torch, flodl):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        v = m.tensor([0.5, -1.0], dtype=m.float64)
        for fn in (m.autograd.functional.vjp, m.autograd.functional.jvp):
            out, product = fn(lambda a: a**3, x, v)
            assert not out.requires_grad and not product.requires_grad
            out, product = fn(lambda a: a**3, x, v, create_graph=True)
            assert out.requires_grad and product.requires_grad
            (g,) = m.autograd.grad(product.sum(), [x])
            np.testing.assert_allclose(g.tolist(), (6 * x * v).tolist())
