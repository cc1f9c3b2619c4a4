"""What a probe of twenty more real programs found, each against torch
itself: in-place writes of a Variable's values into a Tensor (a DQN's
target under ``no_grad``, a GNN's ``zeros_like(h).index_add_``, a custom
backward's ``zeros_like(g).scatter_``), ``autograd.Variable`` of a
Variable, ``grad(only_inputs=)``, pieces as tuples, ``multinomial`` with a
generator, einsum's sublist form, ``torch.special``, ``histc``,
``random_`` and the tensor predicates."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
import flodl.special as fspecial
from flodl import Tensor, Variable


def _linear(m, seed=0):
    m.manual_seed(seed)
    return m.nn.Linear(2, 1)


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_dqn_target_written_into_a_tensor_under_no_grad(m) -> None:
    lin = _linear(m)
    target = m.zeros(3)
    with m.no_grad():
        target[m.tensor([True, False, True])] = lin(m.ones(2, 2)).squeeze(1)
    copied = m.zeros(2)
    with m.no_grad():
        copied.copy_(lin(m.ones(2, 2)).squeeze(1))
    values = lin(m.ones(2, 2)).squeeze(1).detach().tolist()
    assert target.tolist() == pytest.approx([values[0], 0.0, values[1]])
    assert copied.tolist() == pytest.approx(values)


def test_a_tensor_takes_values_that_need_no_grad_and_joins_a_recorded_one() -> None:
    x = flodl.zeros(3)
    x.add_(Variable(flodl.ones(3)))  # a Variable that requires no grad
    x.index_add_(0, flodl.tensor([0, 2]), Variable(flodl.ones(2)))
    assert x.tolist() == [2.0, 1.0, 2.0]
    w = Variable(flodl.ones(2), requires_grad=True)
    with flodl.no_grad():
        flodl.zeros(2).copy_(w)  # nothing would record here
    # A recorded one joins the graph (test_probe_habits.py has each write).
    joined = flodl.zeros(3).index_add_(0, flodl.tensor([0, 2]), w * 2)
    assert joined.requires_grad and not joined.is_leaf


def _gcn(m):
    """A graph convolution's aggregation, as torch_geometric-style code writes it."""
    m.manual_seed(1)
    h = m.randn(4, 3, requires_grad=True)
    row, col = m.tensor([0, 1, 2, 3, 0]), m.tensor([1, 2, 3, 0, 2])
    out = m.zeros_like(h).index_add_(0, col, h[row] * 0.5)
    out.pow(2).sum().backward()
    return out.detach().numpy(), h.grad.numpy()


def test_zeros_like_of_a_variable_takes_a_recorded_index_add() -> None:
    got, want = _gcn(flodl), _gcn(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    v = Variable(flodl.ones(2), requires_grad=True) * 2
    for like in (flodl.zeros_like(v), flodl.full_like(v, 3.0), flodl.randint_like(v, 5)):
        assert isinstance(like, Variable) and not like.requires_grad and like.is_leaf
    assert type(flodl.zeros_like(flodl.ones(2))) is Tensor
    assert flodl.zeros_like(v, requires_grad=True).requires_grad


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_a_custom_backward_scatters_into_zeros_like(m) -> None:
    class SortValues(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, order = x.sort()
            ctx.save_for_backward(order)
            return values

        @staticmethod
        def backward(ctx, grad):
            (order,) = ctx.saved_tensors
            return m.zeros_like(grad).scatter_(0, order, grad)

    x = m.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (SortValues.apply(x) * m.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_variable_of_a_variable_is_a_new_leaf_sharing_values(m) -> None:
    lin = _linear(m)
    with m.no_grad():
        out = lin(m.ones(3, 2))
    v = m.autograd.Variable(out, requires_grad=True)
    assert v.is_leaf and v.requires_grad and v.grad_fn is None
    recorded = lin(m.ones(3, 2))
    w = m.autograd.Variable(recorded)
    assert w.is_leaf and not w.requires_grad
    w.data.add_(1.0)  # shares the values
    assert w.tolist() == recorded.tolist()


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_grad_takes_only_inputs(m) -> None:
    x = m.ones(2, requires_grad=True)
    y = (x * x).sum()
    (g,) = m.autograd.grad(y, x, only_inputs=True, retain_graph=True)
    assert g.tolist() == [2.0, 2.0]
    with pytest.warns(FutureWarning, match="only_inputs"):
        m.autograd.grad(y, x, only_inputs=False)


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_pieces_are_tuples(m) -> None:
    x = m.arange(12).reshape(3, 4)
    for pieces in [
        x.unbind(1),
        m.unbind(x),
        x.split(2),
        x.split([1, 3], 1),
        x.chunk(2),
        m.chunk(x, 2, 1),
        x.tensor_split(3),
        x.tensor_split([1], 1),
        x.hsplit(2),
        m.vsplit(x, [1]),
        m.meshgrid(m.arange(2), m.arange(3), indexing="ij"),
        m.broadcast_tensors(x, m.arange(4)),
    ]:
        assert type(pieces) is tuple


def test_hsplit_vsplit_dsplit_match_torch() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    for name, arg in [("hsplit", 3), ("hsplit", [1]), ("vsplit", 2), ("dsplit", [1, 3])]:
        got = getattr(flodl, name)(flodl.tensor(a), arg)
        want = getattr(torch, name)(torch.tensor(a), arg)
        assert [p.tolist() for p in got] == [p.tolist() for p in want]


def test_multinomial_draws_from_a_generator_as_torch() -> None:
    probs = [0.1, 0.2, 0.7]
    got = flodl.multinomial(
        flodl.tensor(probs), 5, True, generator=torch.Generator().manual_seed(7)
    )
    want = torch.multinomial(
        torch.tensor(probs), 5, True, generator=torch.Generator().manual_seed(7)
    )
    assert isinstance(got, Tensor) and got.tolist() == want.tolist()
    with pytest.raises(flodl.ArgumentError):
        flodl.multinomial(flodl.tensor([0.5, 0.5]), 3, generator=torch.Generator())


def test_einsum_sublist_form_matches_torch() -> None:
    a = np.random.default_rng(0).standard_normal((2, 3))
    b = np.random.default_rng(1).standard_normal((3, 4))
    cases = [
        lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]),
        lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2]),
        lambda m, x, y: m.einsum(x, [Ellipsis, 1], [1, Ellipsis]),
    ]
    for case in cases:
        got = case(flodl, flodl.tensor(a), flodl.tensor(b))
        want = case(torch, torch.tensor(a), torch.tensor(b))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    with pytest.raises(flodl.ArgumentError, match="einsum"):
        flodl.einsum(flodl.tensor(a), [0, 99])


SPECIAL_SAMPLES = {
    "gammainc": 2,
    "gammaincc": 2,
    "xlogy": 2,
    "xlog1py": 2,
    "zeta": 2,
}


@pytest.mark.parametrize("name", fspecial.__all__)
def test_special_matches_torch(name: str) -> None:
    x = np.linspace(0.15, 2.9, 7)
    f, t = getattr(fspecial, name), getattr(torch.special, name)
    if name in SPECIAL_SAMPLES:
        args = lambda m: (m.tensor(x + 1.0), m.tensor(x))
    elif name == "polygamma":
        args = lambda m: (1, m.tensor(x))
    elif name == "multigammaln":
        args = lambda m: (m.tensor(x + 2.0), 2)
    elif name in ("softmax", "log_softmax", "logsumexp"):
        args = lambda m: (m.tensor(x), 0)
    elif name in ("logit", "ndtri"):
        args = lambda m: (m.tensor(x / 3.0),)
    else:
        args = lambda m: (m.tensor(x),)
    got, want = f(*args(flodl)), t(*args(torch))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


def test_special_gradients_match_torch() -> None:
    x = np.linspace(0.2, 2.5, 5)
    for name in ["entr", "erfcx", "ndtr", "log_ndtr", "i0e", "i1", "i1e", "expit", "gammaln"]:
        fx = Variable(flodl.tensor(x), requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        getattr(fspecial, name)(fx).sum().backward()
        getattr(torch.special, name)(tx).sum().backward()
        np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, err_msg=name)


def test_histc_matches_torch() -> None:
    values = [1.0, 2.0, 1.0, 4.0, -3.0, 7.5]
    for kwargs in [{}, {"bins": 4, "min": 0, "max": 4}, {"bins": 3}]:
        got = flodl.histc(flodl.tensor(values), **kwargs)
        want = torch.histc(torch.tensor(values), **kwargs)
        assert got.tolist() == want.tolist()
    with pytest.raises(flodl.ArgumentError, match="histc"):
        flodl.histc(flodl.tensor(values), bins=0)


@pytest.mark.parametrize("bounds", [(), (7,), (2, 9)])
def test_random_in_place_draws_as_torch(bounds) -> None:
    torch.manual_seed(3)
    want = torch.zeros(20).random_(*bounds)
    flodl.manual_seed(3)
    x = flodl.zeros(20)
    assert x.random_(*bounds) is x
    assert x.tolist() == want.tolist()
    torch.manual_seed(3)
    want = torch.zeros(5).random_(to=4)
    flodl.manual_seed(3)
    assert flodl.zeros(5).random_(to=4).tolist() == want.tolist()


def test_tensor_predicates_match_torch() -> None:
    for make in [
        lambda m: m.ones(2, 3),
        lambda m: m.tensor([0]),
        lambda m: m.tensor(True),
        lambda m: m.ones(1, dtype=m.uint8),
    ]:
        f, t = make(flodl), make(torch)
        assert f.is_complex() == t.is_complex() and flodl.is_complex(f) == torch.is_complex(t)
        assert f.is_signed() == t.is_signed() and flodl.is_signed(f) == torch.is_signed(t)
        assert f.is_cpu == t.is_cpu and f.is_sparse == t.is_sparse and f.is_meta == t.is_meta
        assert f.is_quantized == t.is_quantized and f.is_nested == t.is_nested
        assert f.is_conj() == t.is_conj() and f.is_neg() == t.is_neg()
        # Real values are their own conjugate (new handles on them here).
        for same in (f.conj(), f.resolve_conj(), flodl.resolve_neg(f), flodl.conj_physical(f)):
            assert same.data_ptr() == f.data_ptr() or same.numel() == 0
            assert same.tolist() == f.tolist() and same.dtype == f.dtype
        assert f.is_same_size(make(flodl)) and not f.is_same_size(flodl.ones(7))
        if f.numel() == 1:
            assert f.is_nonzero() == t.is_nonzero() and flodl.is_nonzero(f) == torch.is_nonzero(t)
    with pytest.raises(flodl.ArgumentError, match="is_nonzero"):
        flodl.ones(2).is_nonzero()
    with flodl.inference_mode():
        assert flodl.ones(1).is_inference()
    assert not flodl.ones(1).is_inference()
    x = flodl.ones(2)
    assert x.positive() is x
    with pytest.raises(flodl.DTypeError, match="positive"):
        flodl.tensor([True]).positive()


def test_asarray_scalar_tensor_and_default_device_as_torch() -> None:
    array = np.arange(3.0)
    for m in (torch, flodl):
        shared = m.asarray(array)
        copied = m.asarray(array, copy=True)
        assert shared.dtype == m.float64 and copied.tolist() == [0.0, 1.0, 2.0]
        assert m.asarray([1, 2]).dtype == m.int64
        assert m.asarray(array, dtype=m.float32).dtype == m.float32
        assert m.asarray([1.0], requires_grad=True).requires_grad
        assert m.scalar_tensor(3).dtype == m.float32 and m.scalar_tensor(3).item() == 3.0
        assert str(m.get_default_device()) == "cpu"
    array[0] = 9.0
    assert flodl.asarray(array).tolist()[0] == 9.0  # shares the memory, as torch's
    with pytest.raises(flodl.ArgumentError, match="copy=False"):
        flodl.asarray([1, 2], copy=False)


def test_deprecated_names_warn_and_work_as_torch() -> None:
    for m in (torch, flodl):
        w = m.empty(3, 4)
        m.manual_seed(0)
        with pytest.warns(FutureWarning, match="xavier_uniform_"):
            m.nn.init.xavier_uniform(w)
        with pytest.warns(FutureWarning, match="constant_"):
            m.nn.init.constant(w, 0.5)
        assert w.tolist() == [[0.5] * 4] * 3
        x = m.arange(4.0).reshape(1, 1, 2, 2)
        with pytest.warns(UserWarning, match="upsample_bilinear"):
            up = m.nn.functional.upsample_bilinear(x, scale_factor=2)
        with pytest.warns(UserWarning, match="upsample_nearest"):
            near = m.nn.functional.upsample_nearest(x, size=(3, 3))
        assert up.shape == (1, 1, 4, 4) and near.shape == (1, 1, 3, 3)
    grid = np.arange(4.0).reshape(1, 1, 2, 2)
    with pytest.warns(UserWarning):
        got = flodl.nn.functional.upsample_bilinear(flodl.tensor(grid), scale_factor=2)
    with pytest.warns(UserWarning):
        want = torch.nn.functional.upsample_bilinear(torch.tensor(grid), scale_factor=2)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_buffers_assigned_as_attributes(m) -> None:
    class Stats(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.mean = m.nn.Buffer(m.zeros(3))
            self.scratch = m.nn.Buffer(m.ones(2), persistent=False)

    stats = Stats()
    assert [name for name, _ in stats.named_buffers()] == ["mean", "scratch"]
    assert list(stats.state_dict()) == ["mean"]
    assert stats.mean.tolist() == [0.0, 0.0, 0.0] and not stats.mean.requires_grad


def test_a_generator_leaves_the_default_stream_alone_as_torch() -> None:
    weights = [0.2, 0.3, 0.5]
    for m in (torch, flodl):
        m.manual_seed(0)
        m.multinomial(m.tensor(weights), 4, True, generator=torch.Generator().manual_seed(1))
        after = m.rand(3).tolist()
        m.manual_seed(0)
        assert m.rand(3).tolist() == after


def test_einsum_sublists_name_dims_in_torch_s_order() -> None:
    a = np.random.default_rng(2).standard_normal((2, 3))
    got = flodl.einsum(flodl.tensor(a), [0, 30])
    want = torch.einsum(torch.tensor(a), [0, 30])
    assert got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_special_takes_a_number_on_either_side_as_torch() -> None:
    for name in ["xlogy", "xlog1py", "zeta"]:  # torch's gammainc takes tensors only
        for args in [lambda m: (2.5, m.tensor([1, 2, 3])), lambda m: (m.tensor([1.5, 2.5]), 2.5)]:
            got = getattr(fspecial, name)(*args(flodl))
            want = getattr(torch.special, name)(*args(torch))
            assert got.dtype.name == str(want.dtype).rpartition(".")[2], name
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("m", [torch, flodl], ids=["torch", "flodl"])
def test_a_0d_variable_stands_for_a_number_when_no_gradient_is_lost(m) -> None:
    p = m.tensor([1.0, 4.0], requires_grad=True)
    x = m.zeros(3)
    with m.no_grad():
        x.fill_(p.max())
        x.masked_fill_(m.tensor([True, False, False]), p.sum())
        x.clamp_(max=p.sum())
    assert x.tolist() == [5.0, 4.0, 4.0]
    assert m.zeros(2).fill_(p.detach().max()).tolist() == [4.0, 4.0]


def test_vhp_bernoulli_generator_and_anomaly_flags_as_torch() -> None:
    x, v = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -2.0])

    def f(t):
        return (t**3).sum() * t[0]

    got = flodl.autograd.functional.vhp(f, flodl.tensor(x), flodl.tensor(v))
    want = torch.autograd.functional.vhp(f, torch.tensor(x), torch.tensor(v))
    assert got[0].item() == want[0].item() and got[1].tolist() == want[1].tolist()
    draws = [
        m.bernoulli(m.full((6,), 0.5), generator=torch.Generator().manual_seed(3)).tolist()
        for m in (flodl, torch)
    ]
    assert draws[0] == draws[1]
    for m in (torch, flodl):
        m.manual_seed(0)
        assert m.bernoulli(m.zeros(8), 0.5).tolist() == draws_of(m)
        assert not m.is_anomaly_enabled()
        m.set_anomaly_enabled(True)
        assert m.is_anomaly_enabled() and m.is_anomaly_check_nan_enabled()
        m.set_anomaly_enabled(False)
        assert not m.is_anomaly_enabled()


def draws_of(m):
    m.manual_seed(0)
    return m.bernoulli(m.zeros(8), 0.5).tolist()


def test_linalg_ex_forms_and_lu_solve_as_torch() -> None:
    a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    b = np.arange(6.0).reshape(3, 2)
    singular = np.ones((3, 3))
    for m in (torch, flodl):
        ta, tb = m.tensor(a), m.tensor(b)
        lu, pivots = m.linalg.lu_factor(ta)
        solved = m.linalg.lu_solve(lu, pivots, tb)
        np.testing.assert_allclose(solved.numpy(), np.linalg.solve(a, b), rtol=1e-12)
        chol = m.linalg.cholesky_ex(ta)
        assert chol.info.item() == 0
        np.testing.assert_allclose(chol.L.numpy(), np.linalg.cholesky(a), rtol=1e-12)
        assert m.linalg.cholesky_ex(m.tensor(singular)).info.item() == 2
        assert m.linalg.inv_ex(m.tensor(singular)).info.item() == 2
        result, info = m.linalg.solve_ex(ta, tb)
        assert info.item() == 0
        np.testing.assert_allclose(result.numpy(), np.linalg.solve(a, b), rtol=1e-12)
        assert m.linalg.vander(m.tensor([1.0, 2.0, 3.0]), N=3).tolist() == [
            [1.0, 1.0, 1.0],
            [1.0, 2.0, 4.0],
            [1.0, 3.0, 9.0],
        ]
        assert m.linalg.matmul(ta, tb).tolist() == (ta @ tb).tolist()
    with pytest.raises(flodl.LinAlgError):
        flodl.linalg.cholesky_ex(flodl.tensor(singular), check_errors=True)


def _triplet_swap_grads(m):
    m.manual_seed(0)
    a, p, n = (m.randn(4, 5, dtype=m.float64, requires_grad=True) for _ in range(3))
    loss = m.nn.functional.triplet_margin_with_distance_loss(
        a,
        p,
        n,
        distance_function=lambda x, y: 1 - m.nn.functional.cosine_similarity(x, y),
        swap=True,
    )
    loss.backward()
    return [t.grad.numpy() for t in (a, p, n)]


def test_triplet_loss_with_swap_sums_gradients_in_torch_s_order() -> None:
    for got, want in zip(_triplet_swap_grads(flodl), _triplet_swap_grads(torch)):
        np.testing.assert_array_equal(got, want)


def _lbfgs_evaluations(m):
    m.manual_seed(0)
    x = m.tensor(np.random.default_rng(0).standard_normal((40, 3)))
    y = (x[:, 0] - x[:, 1] > 0).double()
    w = m.zeros(3, dtype=m.float64, requires_grad=True)
    opt = m.optim.LBFGS([w], line_search_fn="strong_wolfe", tolerance_change=1e-12)
    counts = []

    def closure():
        opt.zero_grad()
        loss = m.nn.functional.binary_cross_entropy_with_logits(x @ w, y)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
        counts.append(opt.state[opt.param_groups[0]["params"][0]]["func_evals"])
    return counts, w.detach().numpy()


def test_lbfgs_strong_wolfe_stops_its_search_at_torch_s_tolerance() -> None:
    (got_counts, got_w), (want_counts, want_w) = (
        _lbfgs_evaluations(flodl),
        _lbfgs_evaluations(torch),
    )
    assert got_counts == want_counts
    np.testing.assert_allclose(got_w, want_w, rtol=1e-10)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clipping_in_two_steps_as_torch(norm_type) -> None:
    def run(m):
        m.manual_seed(0)
        model = m.nn.Linear(4, 3)
        (model(m.randn(5, 4)) ** 2).sum().backward()
        grads = [p.grad for p in model.parameters()]
        total = m.nn.utils.get_total_norm(grads, norm_type)
        m.nn.utils.clip_grads_with_norm_(model.parameters(), 0.5, total)
        return [total.item()] + [p.grad.numpy().copy() for p in model.parameters()]

    got, want = run(flodl), run(torch)
    assert got[0] == pytest.approx(want[0], rel=1e-6)
    for g, w in zip(got[1:], want[1:]):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert flodl.nn.utils.get_total_norm([]).item() == 0.0
    with pytest.raises(flodl.ArgumentError, match="non-finite"):
        flodl.nn.utils.get_total_norm([flodl.tensor([float("nan")])], error_if_nonfinite=True)
