"""The distributions past the elementwise table of test_distributions.py,
against torch.distributions: StudentT, Geometric, Binomial,
NegativeBinomial, Multinomial, OneHotCategorical and MixtureSameFamily (draws from one seed, numbers and
gradients), Gamma's cdf, and the constraints module."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_distributions import LOC, LOGITS, POSITIVE, SCALE, UNIT, both, leaf, same

import flodl
from flodl import distributions as D

TD = torch.distributions


def _run_all(dist, value, leaves, methods, extra=()):
    """Draws, each method's result at ``value``, then the gradients of
    their sum with respect to ``leaves``."""
    out = [dist.sample(), dist.sample((4,))]
    total = 0
    for name in methods:
        result = getattr(dist, name)(value) if name in ("log_prob", "cdf") else getattr(dist, name)
        result = result() if callable(result) else result
        out.append(result)
        if result.requires_grad:
            total = total + result.sum()
    for result in extra:
        out.append(result)
        total = total + result.sum()
    total.backward()
    return out + [p.grad for p in leaves]


def _check(run, rtol=1e-5):
    """``run``'s results and distributions agree (torch's repr changes as
    its lazy parameters are read: test_reprs_as_torch_s reads it fresh)."""
    (got, g_dist), (want, w_dist) = both(run)
    assert (g_dist.batch_shape, g_dist.event_shape) == (w_dist.batch_shape, w_dist.event_shape)
    assert repr(g_dist.support).replace("flodl", "torch") == repr(w_dist.support)
    for g, w in zip(got, want, strict=True):
        if g is None or w is None:
            assert g is None and w is None
            continue
        same(g, w, rtol=rtol)


def test_student_t_is_torch_s() -> None:
    def run(m, d):
        leaves = [leaf(m, POSITIVE * 3.0), leaf(m, LOC), leaf(m, SCALE)]
        dist = d.StudentT(*leaves)
        methods = ["log_prob", "entropy", "mean", "variance", "mode"]
        return _run_all(dist, m.tensor(LOC * 0.5), leaves, methods, [dist.rsample((2,))]), dist

    _check(run)


def test_student_t_moments_where_they_do_not_exist_as_torch() -> None:
    def run(m, d):
        dist = d.StudentT(m.tensor([0.5, 1.5, 3.0]), 1.0, 2.0)
        return [dist.mean, dist.variance], dist

    _check(lambda m, d: (run(m, d)[0], run(m, d)[1]))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_geometric_is_torch_s(given) -> None:
    def run(m, d):
        leaves = [leaf(m, UNIT if given == "probs" else np.log(UNIT / (1 - UNIT)))]
        dist = d.Geometric(**{given: leaves[0]})
        value = m.tensor(np.floor(POSITIVE * 3.0))
        methods = ["log_prob", "entropy", "mean", "variance", "mode", "stddev"]
        return _run_all(dist, value, leaves, methods), dist

    _check(run)


def test_geometric_kl_and_certain_success_as_torch() -> None:
    def run(m, d):
        p_probs = leaf(m, UNIT)
        p, q = d.Geometric(p_probs), d.Geometric(m.tensor(UNIT[::-1].copy()))
        kl = d.kl_divergence(p, q)
        kl.sum().backward()
        certain = d.Geometric(m.tensor([1.0, 1.0])).log_prob(m.tensor([0.0, 2.0]))
        return [kl, p_probs.grad, certain]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w)


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_binomial_is_torch_s(given) -> None:
    def run(m, d):
        param = UNIT if given == "probs" else np.log(UNIT / (1 - UNIT))
        leaves = [leaf(m, param)]
        dist = d.Binomial(m.tensor(np.full((3, 2), 6.0)), **{given: leaves[0]})
        value = m.tensor(np.floor(UNIT * 6.0))
        methods = ["log_prob", "entropy", "mean", "variance", "mode"]
        out = _run_all(dist, value, leaves, methods)
        return out + [dist.enumerate_support(), dist.enumerate_support(False)], dist

    _check(run)


def test_binomial_of_a_number_of_trials_and_its_kl_as_torch() -> None:
    def run(m, d):
        p_probs = leaf(m, UNIT)
        p = d.Binomial(10, probs=p_probs)
        q = d.Binomial(10, probs=m.tensor(UNIT[::-1].copy()))
        kl = d.kl_divergence(p, q)
        kl.sum().backward()
        fewer = d.kl_divergence(
            d.Binomial(10, probs=m.tensor(0.3)), d.Binomial(4, probs=m.tensor(0.5))
        )
        log_prob = d.Binomial(10, probs=m.tensor(0.3)).log_prob(m.tensor(3.0))
        return [kl, p_probs.grad, fewer, log_prob]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w)
    with pytest.raises(flodl.ArgumentError, match="Binomial"):
        D.Binomial(flodl.tensor([2.0, 3.0]), probs=flodl.tensor([0.5, 0.5])).entropy()
    with pytest.raises(ValueError, match="total_count"):
        D.Binomial(2.5, probs=flodl.tensor(0.5))
    with pytest.raises(ValueError, match="support"):
        D.Binomial(3, probs=flodl.tensor(0.5)).log_prob(flodl.tensor(4.0))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_negative_binomial_is_torch_s(given) -> None:
    def run(m, d):
        param = UNIT if given == "probs" else np.log(UNIT / (1 - UNIT))
        leaves = [leaf(m, POSITIVE * 3.0), leaf(m, param)]
        dist = d.NegativeBinomial(leaves[0], **{given: leaves[1]})
        value = m.tensor(np.floor(POSITIVE * 4.0))
        methods = ["log_prob", "mean", "variance", "mode"]
        # No failures and no successes: probability 1.
        certain = d.NegativeBinomial(m.tensor(0.0), probs=m.tensor(0.5)).log_prob(m.tensor(0.0))
        return _run_all(dist, value, leaves, methods, [certain]), dist

    _check(run)
    with pytest.raises(ValueError, match="probs"):
        D.NegativeBinomial(3.0, probs=flodl.tensor(1.0))
    with pytest.raises(ValueError, match="total_count"):
        D.NegativeBinomial(-1.0, probs=flodl.tensor(0.5))
    with pytest.raises(NotImplementedError):
        D.NegativeBinomial(3.0, probs=flodl.tensor(0.5)).entropy()


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_multinomial_is_torch_s(given) -> None:
    probs = np.abs(LOGITS) + 0.1
    probs /= probs.sum(-1, keepdims=True)

    def run(m, d):
        leaves = [leaf(m, probs if given == "probs" else np.log(probs))]
        dist = d.Multinomial(5, **{given: leaves[0]})
        value = m.tensor([[2.0, 0.0, 3.0, 0.0], [1.0, 1.0, 1.0, 2.0], [0.0, 0.0, 0.0, 5.0]])
        methods = ["log_prob", "entropy", "mean", "variance"]
        out = _run_all(dist, value, leaves, methods)
        expanded = dist.expand((2, 3))
        # A class that cannot be drawn, never drawn: 0 * log 0 counts as 0.
        never = d.Multinomial(3, probs=m.tensor([0.0, 0.5, 0.5])).log_prob(
            m.tensor([0.0, 1.0, 2.0])
        )
        return out + [expanded.sample(), expanded.log_prob(value), never], dist

    _check(run)
    assert D.Multinomial(5, probs=flodl.tensor([0.5, 0.5])).total_count == 5
    with pytest.raises(ValueError, match="support"):
        D.Multinomial(3, probs=flodl.tensor([0.5, 0.5])).log_prob(flodl.tensor([2.0, 2.0]))
    with pytest.raises(NotImplementedError, match="mode"):
        _ = D.Multinomial(3, probs=flodl.tensor([0.5, 0.5])).mode
    with pytest.raises(NotImplementedError, match="inhomogeneous"):
        D.Multinomial(flodl.tensor(3), probs=flodl.tensor([0.5, 0.5]))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_relaxed_bernoulli_is_torch_s(given) -> None:
    def run(m, d):
        param = UNIT if given == "probs" else np.log(UNIT / (1 - UNIT))
        leaves = [leaf(m, np.array(0.7)), leaf(m, param)]
        dist = d.RelaxedBernoulli(leaves[0], **{given: leaves[1]})
        value = m.tensor(UNIT[::-1].copy())
        base = dist.base_dist
        extra = [dist.rsample((2,)), base.rsample(), base.log_prob(m.tensor(LOC))]
        out = _run_all(dist, value, leaves, ["log_prob"], extra)
        return out + [dist.probs, dist.logits, dist.temperature], dist

    _check(run)


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_relaxed_one_hot_categorical_is_torch_s(given) -> None:
    probs = np.abs(LOGITS) + 0.1
    probs /= probs.sum(-1, keepdims=True)

    def run(m, d):
        leaves = [leaf(m, np.array(0.5)), leaf(m, probs if given == "probs" else np.log(probs))]
        dist = d.RelaxedOneHotCategorical(leaves[0], **{given: leaves[1]})
        value = m.tensor(probs[::-1].copy())
        extra = [dist.rsample((2,)), dist.base_dist.log_prob(m.tensor(LOGITS))]
        out = _run_all(dist, value, leaves, ["log_prob"], extra)
        return out + [dist.expand((2, 3)).sample()], dist

    _check(run)
    dist = D.RelaxedOneHotCategorical(flodl.tensor(0.5), probs=flodl.tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError):
        _ = dist.mean
    with pytest.raises(NotImplementedError):
        dist.entropy()
    with pytest.raises(ValueError, match="support"):
        dist.log_prob(flodl.tensor([2.0, -1.0]))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_one_hot_categorical_is_torch_s(given) -> None:
    probs = np.abs(LOC) + 0.1
    probs /= probs.sum(-1, keepdims=True)

    def run(m, d):
        leaves = [leaf(m, probs if given == "probs" else np.log(probs))]
        dist = d.OneHotCategorical(**{given: leaves[0]})
        value = m.eye(2, dtype=m.float64)[m.tensor([1, 0, 1])]
        methods = ["log_prob", "entropy", "mean", "variance", "mode"]
        out = _run_all(dist, value, leaves, methods)
        other = d.OneHotCategorical(probs=m.tensor(probs[::-1].copy()))
        support = [dist.enumerate_support(), dist.enumerate_support(False)]
        return out + support + [d.kl_divergence(dist, other)], dist

    _check(run)
    with pytest.raises(ValueError, match="support"):
        D.OneHotCategorical(probs=flodl.tensor([0.5, 0.5])).log_prob(flodl.tensor([1.0, 1.0]))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_one_hot_categorical_straight_through_is_torch_s(given) -> None:
    """The draw's values, the probabilities' gradient (a DreamerV2 policy's
    straight-through estimator)."""
    probs = np.abs(LOC) + 0.1
    probs /= probs.sum(-1, keepdims=True)
    weights = np.arange(6.0).reshape(3, 2)

    def run(m, d):
        leaves = [leaf(m, probs if given == "probs" else np.log(probs))]
        dist = d.OneHotCategoricalStraightThrough(**{given: leaves[0]})
        assert dist.has_rsample and isinstance(dist, d.OneHotCategorical)
        draw = dist.rsample((4,))
        value = m.eye(2, dtype=m.float64)[m.tensor([1, 0, 1])]
        other = d.OneHotCategorical(probs=m.tensor(probs[::-1].copy()))
        methods = ["log_prob", "entropy", "mean"]
        kl = d.kl_divergence(dist, other)
        out = _run_all(dist, value, leaves, methods, [draw * m.tensor(weights), kl])
        return [draw, *out], dist

    _check(run)
    assert repr(D.OneHotCategoricalStraightThrough(probs=flodl.tensor([0.5, 0.5]))) == (
        "OneHotCategoricalStraightThrough()"
    )


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_continuous_bernoulli_is_torch_s(given) -> None:
    """Closed forms away from 1/2, Taylor expansions within lims of it (the
    second row), and the clamped ends (0 and 1)."""
    probs = np.array([[0.1, 0.3, 0.8], [0.4995, 0.5, 0.5008], [0.0, 1.0, 0.65]])
    if given == "logits":
        probs = np.clip(probs, 0.05, 0.95)
    value = np.array([[0.2, 0.9, 0.5], [0.0, 1.0, 0.3], [0.7, 0.1, 0.45]])

    def run(m, d):
        param = probs if given == "probs" else np.log(probs) - np.log1p(-probs)
        leaves = [leaf(m, param)]
        dist = d.ContinuousBernoulli(**{given: leaves[0]})
        other = d.ContinuousBernoulli(probs=m.tensor(probs[::-1].copy()))
        methods = ["log_prob", "cdf", "entropy", "mean", "variance", "stddev"]
        extra = [dist.rsample((2,)), dist.icdf(m.tensor(value)), d.kl_divergence(dist, other)]
        return _run_all(dist, m.tensor(value), leaves, methods, extra), dist

    _check(run)


def test_continuous_bernoulli_s_checks_and_absent_mode_are_torch_s() -> None:
    for d in (D, TD):
        with pytest.raises(NotImplementedError):
            d.ContinuousBernoulli(probs=0.3).mode  # noqa: B018
        with pytest.raises(ValueError):
            d.ContinuousBernoulli(probs=0.2).log_prob(d.ContinuousBernoulli(0.2).mean + 2)
    with pytest.raises(ValueError, match="probs"):
        D.ContinuousBernoulli(probs=flodl.tensor([1.5]))
    wide = D.ContinuousBernoulli(probs=flodl.tensor([0.45]), lims=(0.4, 0.6))
    want = TD.ContinuousBernoulli(probs=torch.tensor([0.45]), lims=(0.4, 0.6))
    same(wide.mean, want.mean)
    assert repr(D.ContinuousBernoulli(logits=flodl.tensor(0.3))) == (
        repr(TD.ContinuousBernoulli(logits=torch.tensor(0.3)))
    )


def _mixture(m, d, logits, locs, scales, event=False):
    components = d.Normal(locs, scales)
    if event:
        components = d.Independent(components, 1)
    return d.MixtureSameFamily(d.Categorical(logits=logits), components)


@pytest.mark.parametrize("event", [False, True], ids=["scalar", "event"])
def test_mixture_same_family_is_torch_s(event) -> None:
    shape = (4, 3, 2) if event else (4, 3)
    params = [
        np.random.default_rng(3).standard_normal((4, 3)),
        np.random.default_rng(4).standard_normal(shape),
        np.abs(np.random.default_rng(5).standard_normal(shape)) + 0.5,
    ]

    def run(m, d):
        leaves = [leaf(m, p) for p in params]
        dist = _mixture(m, d, *leaves, event=event)
        value = m.tensor(np.random.default_rng(6).standard_normal((5, 4, 2) if event else (5, 4)))
        methods = ["log_prob", "mean", "variance"] + ([] if event else ["cdf"])
        return _run_all(dist, value, leaves, methods), dist

    _check(run)


def test_mixture_same_family_fits_a_mixture_as_torch() -> None:
    """A Gaussian mixture fit by gradient descent on its negative log-likelihood."""
    data = np.concatenate(
        [np.random.default_rng(7).normal(-2, 0.5, 60), np.random.default_rng(8).normal(1, 1, 60)]
    )

    def run(m, d):
        logits = m.zeros(3, requires_grad=True)
        locs = m.tensor([-1.0, 0.0, 1.0], requires_grad=True)
        log_scales = m.zeros(3, requires_grad=True)
        opt = m.optim.Adam([logits, locs, log_scales], lr=0.05)
        x = m.tensor(data, dtype=m.float32)
        for _ in range(30):
            gmm = d.MixtureSameFamily(
                d.Categorical(logits=logits), d.Normal(locs, log_scales.exp())
            )
            loss = -gmm.log_prob(x).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return [loss, logits, locs, log_scales, gmm.sample((5,))]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-4)


def test_mixture_same_family_checks_its_parts() -> None:
    normal = D.Normal(flodl.zeros(3), flodl.ones(3))
    with pytest.raises(flodl.ArgumentError, match="Categorical"):
        D.MixtureSameFamily(normal, normal)
    with pytest.raises(flodl.ArgumentError, match="does not equal"):
        D.MixtureSameFamily(D.Categorical(logits=flodl.zeros(2)), normal)
    mixture = D.MixtureSameFamily(D.Categorical(logits=flodl.zeros(3)), normal)
    expanded = mixture.expand((2,))
    assert expanded.batch_shape == (2,) and expanded.sample().shape == (2,)


def test_gamma_cdf_is_torch_s() -> None:
    def run(m, d):
        rate = leaf(m, SCALE)
        value = leaf(m, POSITIVE)
        cdf = d.Gamma(m.tensor(POSITIVE * 2.0), rate).cdf(value)
        cdf.sum().backward()
        return [cdf, rate.grad, value.grad]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)
    assert D.Gamma(flodl.tensor(2.0), flodl.tensor(3.0)).cdf(flodl.tensor(1.0)).item() == (
        pytest.approx(TD.Gamma(torch.tensor(2.0), torch.tensor(3.0)).cdf(torch.tensor(1.0)).item())
    )


CONSTRAINT_VALUES = np.array([-1.5, -0.0, 0.0, 0.5, 1.0, 2.0, np.nan, np.inf])


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.real,
        lambda c: c.positive,
        lambda c: c.nonnegative,
        lambda c: c.unit_interval,
        lambda c: c.boolean,
        lambda c: c.nonnegative_integer,
        lambda c: c.positive_integer,
        lambda c: c.greater_than(0.5),
        lambda c: c.greater_than_eq(0.5),
        lambda c: c.less_than(1.0),
        lambda c: c.interval(-1.0, 1.0),
        lambda c: c.half_open_interval(-1.0, 1.0),
        lambda c: c.integer_interval(0, 1),
    ],
)
def test_constraints_check_and_print_as_torch(make) -> None:
    got = make(D.constraints)
    want = make(TD.constraints)
    assert repr(got) == repr(want)
    assert got.is_discrete == want.is_discrete and got.event_dim == want.event_dim
    checked = got.check(flodl.tensor(CONSTRAINT_VALUES))
    assert checked.tolist() == want.check(torch.tensor(CONSTRAINT_VALUES)).tolist()


def test_event_constraints_as_torch() -> None:
    rows = np.array([[0.2, 0.8], [0.5, 0.6], [1.0, 0.0], [-0.1, 1.1]])
    for name in ["simplex", "one_hot", "real_vector"]:
        got, want = getattr(D.constraints, name), getattr(TD.constraints, name)
        assert repr(got) == repr(want) and got.event_dim == want.event_dim
        assert got.check(flodl.tensor(rows)).tolist() == want.check(torch.tensor(rows)).tolist()
    matrices = np.array(
        [[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.3, 2.0]]]
    )
    for name in ["positive_definite", "lower_cholesky"]:
        got, want = getattr(D.constraints, name), getattr(TD.constraints, name)
        assert repr(got) == repr(want)
        assert (
            got.check(flodl.tensor(matrices)).tolist()
            == want.check(torch.tensor(matrices)).tolist()
        )
    assert D.constraints.is_dependent(D.Uniform(0.0, 1.0).arg_constraints["low"])
    assert repr(D.Independent(D.Normal(flodl.zeros(2), 1.0), 1).support) == repr(
        TD.Independent(TD.Normal(torch.zeros(2), 1.0), 1).support
    )


def test_every_distribution_s_support_prints_as_torch_s() -> None:
    def make(m, d):
        p = m.tensor([0.25, 0.75])
        return [
            d.Normal(0.0, 1.0),
            d.Bernoulli(p),
            d.Categorical(p),
            d.Uniform(0.0, 2.0),
            d.Exponential(1.0),
            d.Gamma(1.0, 1.0),
            d.Beta(1.0, 1.0),
            d.Dirichlet(p),
            d.Poisson(1.0),
            d.Cauchy(0.0, 1.0),
            d.HalfNormal(1.0),
            d.LogNormal(0.0, 1.0),
            d.StudentT(3.0),
            d.Geometric(p),
            d.Binomial(4, p),
            d.OneHotCategorical(p),
        ]

    for g, w in zip(make(flodl, D), make(torch, TD), strict=True):
        assert repr(g.support) == repr(w.support), type(g).__name__


def test_reprs_as_torch_s() -> None:
    def make(m, d):
        p = m.tensor([0.25, 0.75])
        return [
            d.StudentT(3.0),
            d.Geometric(p),
            d.Geometric(logits=p),
            d.Binomial(4, p),
            d.Binomial(m.tensor([3.0, 4.0]), logits=p),
            d.OneHotCategorical(p),
            d.NegativeBinomial(3.0, p),
            d.NegativeBinomial(m.tensor([3.0, 4.0]), logits=p),
            d.Multinomial(4, p),
            d.RelaxedBernoulli(m.tensor(0.5), p),
            d.RelaxedOneHotCategorical(m.tensor(0.5), logits=p),
            d.MixtureSameFamily(d.Categorical(p), d.Normal(m.zeros(2), 1.0)),
            d.Chi2(2.0),
        ]

    for g, w in zip(make(flodl, D), make(torch, TD), strict=True):
        assert repr(g).replace("flodl", "torch") == repr(w)


# --- transforms and TransformedDistribution ---
TRANSFORMS = {
    "exp": lambda T, m: T.ExpTransform(),
    "sigmoid": lambda T, m: T.SigmoidTransform(),
    "softplus": lambda T, m: T.SoftplusTransform(),
    "tanh": lambda T, m: T.TanhTransform(),
    "power": lambda T, m: T.PowerTransform(m.tensor(1.5, dtype=m.float64)),
    "affine numbers": lambda T, m: T.AffineTransform(0.5, -2.0),
    "affine tensors": lambda T, m: T.AffineTransform(m.tensor(LOC[0]), m.tensor(SCALE[0])),
    "affine event": lambda T, m: T.AffineTransform(
        m.tensor(LOC[0]), m.tensor(SCALE[0]), event_dim=1
    ),
    "compose": lambda T, m: T.ComposeTransform([T.AffineTransform(0.0, 2.0), T.SigmoidTransform()]),
    "inverse": lambda T, m: T.SigmoidTransform().inv,
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_each_transform_is_torch_s(name) -> None:
    x_values = np.abs(LOC) + 0.2 if name == "power" else LOC * 0.7
    if name == "inverse":
        x_values = UNIT

    def run(m, d):
        t = TRANSFORMS[name](d.transforms, m)
        x = leaf(m, x_values)
        y = t(x)
        back = t.inv(y)
        jacobian = t.log_abs_det_jacobian(x, y)
        (y.sum() + jacobian.sum()).backward()
        sign = t.sign
        shapes = [list(t.forward_shape((3, 2))), list(t.inverse_shape((3, 2)))]
        facts = [t.bijective, t.domain.event_dim, t.codomain.event_dim, repr(t.domain), shapes]
        return [y, back, jacobian, x.grad], facts + [
            sign if isinstance(sign, int) else sign.tolist()
        ]

    (got, g_facts), (want, w_facts) = both(run)
    assert g_facts == w_facts
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-6)


@pytest.mark.parametrize("name", ["StickBreakingTransform", "SoftmaxTransform"])
def test_simplex_transforms_are_torch_s(name) -> None:
    """Forward, inverse, log-determinant and their gradients, shapes and
    facts, on a batch of vectors (the simplex transforms take the last dim
    as the event)."""
    x_values = np.concatenate([LOC, -LOC * 3.0], axis=1)

    def run(m, d):
        t = getattr(d.transforms, name)()
        x = leaf(m, x_values)
        y = t(x)
        back = t.inv(y)
        total = y.sum() + (back * back).sum()
        out = [y, back]
        if t.bijective:
            jacobian = t.log_abs_det_jacobian(x, y)
            out.append(jacobian)
            total = total + jacobian.sum()
        else:
            with pytest.raises(NotImplementedError):
                t.log_abs_det_jacobian(x, y)
        with pytest.raises(NotImplementedError):
            t.sign  # noqa: B018
        total.backward()
        shapes = [list(t.forward_shape((3, 4))), list(t.inverse_shape((3, 4)))]
        facts = [t.bijective, t.domain.event_dim, t.codomain.event_dim, shapes, repr(t)]
        assert d.constraints.simplex.check(y).all()
        return [*out, x.grad], facts

    (got, g_facts), (want, w_facts) = both(run)
    assert g_facts == w_facts
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-6)


@pytest.mark.parametrize("ndims", [0, 1, 2])
def test_independent_transform_is_torch_s(ndims) -> None:
    def run(m, d):
        base = d.transforms.AffineTransform(m.tensor(LOC[0]), m.tensor(SCALE[0]))
        t = d.transforms.IndependentTransform(d.transforms.SigmoidTransform(), ndims)
        affine = d.transforms.IndependentTransform(base, ndims)
        x = leaf(m, LOC * 0.7)
        y = t(x)
        ladj = t.log_abs_det_jacobian(x, y) + affine.log_abs_det_jacobian(x, affine(x))
        (y.sum() + ladj.sum() + t.inv(y).sum()).backward()
        facts = [t.bijective, t.domain.event_dim, t.codomain.event_dim, affine.sign.tolist()]
        facts.append(repr(t).replace("flodl", "torch"))
        return [y, t.inv(y), ladj, x.grad], facts

    (got, g_facts), (want, w_facts) = both(run)
    assert g_facts == w_facts
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-6)


def test_independent_constraints_are_reached_as_torch() -> None:
    x = LOC * 2.0
    for registry in ("transform_to", "biject_to"):
        got = getattr(D, registry)(D.constraints.independent(D.constraints.positive, 1))
        want = getattr(TD, registry)(TD.constraints.independent(TD.constraints.positive, 1))
        assert type(got).__name__ == type(want).__name__ == "IndependentTransform"
        y = got(flodl.tensor(x))
        same(y, want(torch.tensor(x)))
        same(
            got.log_abs_det_jacobian(flodl.tensor(x), y),
            want.log_abs_det_jacobian(torch.tensor(x), want(torch.tensor(x))),
        )
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.transforms.IndependentTransform(D.transforms.ExpTransform(), -1)


def test_simplex_is_reached_through_biject_to_and_transform_to_as_torch() -> None:
    x = LOC * 2.0
    for registry in ("transform_to", "biject_to"):
        got = getattr(D, registry)(D.constraints.simplex)
        want = getattr(TD, registry)(TD.constraints.simplex)
        assert type(got).__name__ == type(want).__name__
        same(got(flodl.tensor(x)), want(torch.tensor(x)))


@pytest.mark.parametrize("shape", [(), (3, 2)])
def test_logistic_normal_is_torch_s(shape) -> None:
    loc, scale = (0.3, 0.8) if shape == () else (LOC, SCALE)

    def run(m, d):
        leaves = [leaf(m, loc), leaf(m, scale)]
        dist = d.LogisticNormal(*leaves)
        draws = [dist.sample(), dist.sample((4,)), dist.rsample((2,))]
        value = dist.sample((3,))
        log_prob = dist.log_prob(value)
        (log_prob.sum() + (draws[2] ** 2).sum()).backward()
        expanded = dist.expand((5, *dist.batch_shape))
        for absent in ("mean", "variance"):
            with pytest.raises(NotImplementedError):
                getattr(dist, absent)
        with pytest.raises(NotImplementedError):
            dist.entropy()
        facts = [
            tuple(dist.batch_shape),
            tuple(dist.event_shape),
            tuple(expanded.batch_shape),
            repr(dist).replace("flodl", "torch"),
            type(dist.base_dist).__name__,
        ]
        return [*draws, log_prob, expanded.log_prob(value[0]), *[x.grad for x in leaves]], facts

    (got, g_facts), (want, w_facts) = both(run)
    assert g_facts == w_facts
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)


def test_transform_equality_and_inverse_as_torch() -> None:
    T, TT = D.transforms, TD.transforms
    for m, t in [(flodl, T), (torch, TT)]:
        assert t.ExpTransform() == t.ExpTransform() and t.ExpTransform() != t.TanhTransform()
        assert t.AffineTransform(1.0, 2.0) == t.AffineTransform(1.0, 2.0)
        assert t.AffineTransform(1.0, 2.0) != t.AffineTransform(1.0, 3.0)
        assert t.ExpTransform().inv.inv == t.ExpTransform()
        assert t.identity_transform(m.tensor([1.5])).tolist() == [1.5]
    assert repr(T.ExpTransform().inv) == repr(TT.ExpTransform().inv)
    with pytest.raises(NotImplementedError):
        T.AbsTransform().sign  # noqa: B018 - the property raises


@pytest.mark.parametrize("cache_size", [0, 1])
def test_tanh_squashed_gaussian_policy_as_torch(cache_size) -> None:
    """SAC's policy: a Normal squashed by tanh, its log-probability of its
    own reparameterized draws and their gradients."""
    loc, log_std = LOC[:, 0] * 3.0, LOC[:, 1] * 0.3

    def run(m, d):
        mu, ls = leaf(m, loc), leaf(m, log_std)
        base = d.Normal(mu, ls.exp())
        policy = d.TransformedDistribution(
            base, [d.transforms.TanhTransform(cache_size=cache_size)]
        )
        action = policy.rsample((4,))
        log_prob = policy.log_prob(action)
        (log_prob.sum() + action.pow(2).sum()).backward()
        return [action, log_prob, mu.grad, ls.grad], policy

    _check(run, rtol=1e-4)


def test_transformed_distribution_shapes_cdf_and_kl_as_torch() -> None:
    def run(m, d):
        T = d.transforms
        lognormal = d.TransformedDistribution(
            d.Normal(m.tensor(LOC), m.tensor(SCALE)), T.ExpTransform()
        )
        value = m.tensor(np.abs(LOC) + 0.3)
        scaled = d.TransformedDistribution(
            d.Normal(m.zeros(2), m.ones(2)), [T.AffineTransform(m.tensor(LOC), 2.0)]
        )
        flipped = d.TransformedDistribution(
            d.Exponential(m.tensor(SCALE)), [T.AffineTransform(1.0, -2.0)]
        )
        vector = d.TransformedDistribution(
            d.Normal(m.zeros(2), m.ones(2)),
            [T.AffineTransform(m.zeros(2), m.tensor([1.0, 3.0]), 1)],
        )
        other = d.TransformedDistribution(
            d.Normal(m.tensor(LOC) * 0.5, m.tensor(SCALE)), T.ExpTransform()
        )
        shapes = [
            (list(t.batch_shape), list(t.event_shape)) for t in (lognormal, scaled, flipped, vector)
        ]
        out = [
            lognormal.log_prob(value),
            lognormal.cdf(value),
            lognormal.icdf(m.tensor(UNIT)),
            scaled.sample((2,)),
            scaled.log_prob(m.tensor(LOC)),
            flipped.cdf(m.tensor(-SCALE)),
            flipped.icdf(m.tensor(UNIT)),
            vector.log_prob(m.tensor([[0.5, -1.0]])),
            d.kl_divergence(lognormal, other),
            lognormal.expand((4, 3, 2)).sample(),
        ]
        return out, shapes

    (got, g_shapes), (want, w_shapes) = both(run)
    assert g_shapes == w_shapes
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)
    td = D.TransformedDistribution(D.Normal(0.0, 1.0), D.transforms.TanhTransform())
    with pytest.raises(ValueError, match="support"):
        td.log_prob(flodl.tensor(1.5))
    with pytest.raises(NotImplementedError):
        td.mean  # noqa: B018 - the property raises
    with pytest.raises(ValueError, match="transforms"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), "exp")


def _cube(m, d):
    """A transform of one's own: y = x ** 3, with its inverse and log-Jacobian."""

    class Cube(d.transforms.Transform):
        bijective = True
        domain = d.constraints.real
        codomain = d.constraints.real

        def __eq__(self, other):
            return isinstance(other, Cube)

        def _call(self, x):
            return x.pow(3)

        def _inverse(self, y):
            return y.sign() * y.abs().pow(1.0 / 3.0)

        def log_abs_det_jacobian(self, x, y):
            return (3 * x.pow(2)).log()

        @property
        def sign(self):
            return 1

    return Cube


def test_a_transform_of_one_s_own_as_torch() -> None:
    def run(m, d):
        loc = leaf(m, LOC[:, 0])
        cube = _cube(m, d)()
        dist = d.TransformedDistribution(
            d.Normal(loc, 1.0), [cube, d.transforms.AffineTransform(1.0, 2.0)]
        )
        draws = dist.rsample((3,))
        log_prob = dist.log_prob(m.tensor([[0.5, -2.0, 3.0]]))
        (log_prob.sum() + draws.sum()).backward()
        return [draws, log_prob, dist.cdf(m.tensor([0.5, 1.0, 2.0])), loc.grad]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)

    class Failing(D.transforms.Transform):
        def _call(self, x):
            raise KeyError("inside the transform")

    with pytest.raises(KeyError, match="inside the transform"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), Failing()).sample()


def test_a_cache_knows_a_detached_copy_from_its_own_value_as_torch() -> None:
    def run(m, d):
        loc = m.tensor([0.0, 5.0, 10.0], requires_grad=True)
        base = d.Normal(loc, 1.0)
        squash = d.TransformedDistribution(base, [d.transforms.TanhTransform(cache_size=1)])
        y = squash.rsample()
        log_prob = squash.log_prob(y.detach())
        (grad,) = m.autograd.grad(log_prob.sum(), loc)
        return [log_prob, grad]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)


def test_a_cached_transform_of_one_s_own_sees_its_own_values_as_torch() -> None:
    def run(m, d):
        class Squash(d.transforms.Transform):
            bijective = True
            domain = d.constraints.real
            codomain = d.constraints.interval(-1.0, 1.0)

            def __init__(self):
                super().__init__(cache_size=1)

            def _call(self, x):
                return x.tanh()

            def _inverse(self, y):
                return y.atanh()

            def log_abs_det_jacobian(self, x, y):
                return (1 - y.pow(2)).log()

        loc = m.tensor([0.0, 5.0, 10.0], dtype=m.float64, requires_grad=True)
        squash = d.TransformedDistribution(d.Normal(loc, 1.0), [Squash()])
        y = squash.rsample()
        return [squash.log_prob(y)]

    got, want = both(run)
    same(got[0], want[0], rtol=1e-9)


def test_cached_compositions_and_with_cache_as_torch() -> None:
    for d in (D, TD):
        T = d.transforms
        for t in (T.ExpTransform(), T.TanhTransform(), T.AffineTransform(1.0, 2.0)):
            assert t.with_cache(1)._cache_size == 1 and t.with_cache(0) is t
        composed = T.ComposeTransform(
            [T.AffineTransform(0.0, 3.0), T.TanhTransform()], cache_size=1
        )
        assert composed.bijective


def test_affine_keeps_an_integer_tensor_integer_as_torch() -> None:
    for m, d in ((flodl, D), (torch, TD)):
        y = d.transforms.AffineTransform(1, 2)(m.tensor([1, 2]))
        assert y.dtype == m.int64 and y.tolist() == [3, 5]


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.real,
        lambda c: c.positive,
        lambda c: c.nonnegative,
        lambda c: c.greater_than(1.5),
        lambda c: c.less_than(2.0),
        lambda c: c.unit_interval,
        lambda c: c.interval(-1.0, 3.0),
        lambda c: c.half_open_interval(0.0, 2.0),
    ],
)
def test_transform_to_and_biject_to_as_torch(make) -> None:
    x = LOC * 2.0
    for registry in ("transform_to", "biject_to"):
        got = getattr(D, registry)(make(D.constraints))
        want = getattr(TD, registry)(make(TD.constraints))
        y = got(flodl.tensor(x))
        same(y, want(torch.tensor(x)))
        same(got.inv(y), want.inv(want(torch.tensor(x))), rtol=1e-6)
        same(
            got.log_abs_det_jacobian(flodl.tensor(x), y),
            want.log_abs_det_jacobian(torch.tensor(x), want(torch.tensor(x))),
        )
        assert make(D.constraints).check(y).all()
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        D.transform_to(D.constraints.boolean)


def test_a_parameter_given_as_it_is_stays_that_object() -> None:
    """As torch's broadcast_all keeps a tensor that needs no broadcast:
    `d.loc is loc`, and a Parameter stays a Parameter (found by a probe)."""
    loc, scale = flodl.nn.Parameter(flodl.zeros(2)), flodl.ones(2)
    d = flodl.distributions.Normal(loc, scale)
    assert d.loc is loc and d.scale is scale
    assert d.mean is loc and d.mode is loc and d.stddev is scale  # as torch's
    assert flodl.distributions.Normal(loc, 1.0).loc is loc
    broadcast = flodl.distributions.Normal(flodl.zeros(3, 1), scale)
    assert tuple(broadcast.loc.shape) == (3, 2)
    p = flodl.tensor([0.3, 0.6])
    assert flodl.distributions.Uniform(p, p + 1).low is p
    c = flodl.tensor([1.0, 2.0])
    assert flodl.distributions.Dirichlet(c).concentration is c
    (-d.log_prob(flodl.tensor([0.5, -0.5])).sum()).backward()
    assert loc.grad.tolist() == [-0.5, 0.5]  # -(value - loc) / scale**2


@pytest.mark.parametrize("kappa", [POSITIVE * 3.0, np.array([1e-6, 0.5, 4.0, 40.0])])
def test_von_mises_is_torch_s(kappa) -> None:
    # Both sides of the Bessel approximation's switch at 3.75, and the
    # sampler's Taylor form for a tiny concentration.
    loc = np.array([0.3, -2.0, 1.0, 3.0]) if kappa.ndim == 1 else LOC

    def run(m, d):
        leaves = [leaf(m, loc), leaf(m, kappa)]
        dist = d.VonMises(*leaves)
        methods = ["log_prob", "mean", "variance", "mode"]
        value = m.tensor(np.resize(UNIT * 7.0 - 3.0, loc.shape))
        return _run_all(dist, value, leaves, methods), dist

    _check(run)


def test_von_mises_lacks_what_torch_s_lacks() -> None:
    for m, d in ((flodl, D), (torch, TD)):
        vm = d.VonMises(m.tensor([0.0, 1.0]), m.tensor(2.0))
        assert (
            repr(vm).replace("flodl", "torch")
            == "VonMises(loc: torch.Size([2]), concentration: torch.Size([2]))"
        )
        assert not vm.has_rsample
        with pytest.raises(NotImplementedError):
            vm.entropy()
        with pytest.raises(NotImplementedError):
            vm.rsample()
        assert vm.sample((1000,)).abs().max() <= np.pi
    with pytest.raises(flodl.ArgumentError, match="concentration to satisfy"):
        D.VonMises(flodl.tensor(0.0), flodl.tensor(-1.0))


@pytest.mark.parametrize("batched", [False, True])
def test_low_rank_multivariate_normal_is_torch_s(batched) -> None:
    rng = np.random.default_rng(11)
    loc = rng.standard_normal((2, 4) if batched else (4,))
    factor = rng.standard_normal((4, 2))
    diag = np.abs(rng.standard_normal((3, 1, 4) if batched else (4,))) + 0.5
    value = rng.standard_normal((3, 2, 4) if batched else (5, 4))

    def run(m, d):
        leaves = [leaf(m, loc), leaf(m, factor), leaf(m, diag)]
        dist = d.LowRankMultivariateNormal(*leaves)
        methods = ["log_prob", "entropy", "mean", "variance", "mode"]
        extra = [dist.rsample((2,)), dist.covariance_matrix, dist.precision_matrix]
        extra.append(dist.scale_tril)
        out = _run_all(dist, m.tensor(value), leaves, methods, extra)
        expanded = dist.expand((5, *dist.batch_shape))
        return out + [dist.cov_factor, dist.cov_diag, expanded.log_prob(m.tensor(value))], dist

    _check(run)
    for m, d in ((flodl, D), (torch, TD)):
        dist = d.LowRankMultivariateNormal(m.zeros(3), m.ones(3, 1), m.ones(3))
        assert repr(dist).replace("flodl", "torch") == (
            "LowRankMultivariateNormal(loc: torch.Size([3]), cov_factor: torch.Size([3, 1]), "
            "cov_diag: torch.Size([3]))"
        )
    with pytest.raises(flodl.ArgumentError, match="cov_diag to satisfy"):
        D.LowRankMultivariateNormal(flodl.zeros(3), flodl.ones(3, 1), -flodl.ones(3))
    with pytest.raises(flodl.ArgumentError, match="cov_factor must be a batch of matrices"):
        D.LowRankMultivariateNormal(flodl.zeros(3), flodl.ones(2, 1), flodl.ones(3))


def test_constraints_with_tensor_bounds_and_counts_check_as_torch() -> None:
    low, high = np.array([0.0, -1.0, 2.0]), np.array([1.0, 0.5, 3.0])
    values = np.array([[0.5, 0.7, 2.0], [1.0, -1.0, 3.5]])
    for name in ["interval", "half_open_interval", "integer_interval"]:
        got = getattr(D.constraints, name)(flodl.tensor(low), flodl.tensor(high))
        want = getattr(TD.constraints, name)(torch.tensor(low), torch.tensor(high))
        assert got.check(flodl.tensor(values)).tolist() == (
            want.check(torch.tensor(values)).tolist()
        )
    counts = np.array([[1.0, 2.0, 0.0], [4.0, 0.0, 1.0], [-1.0, 2.0, 1.0]])
    got, want = D.constraints.multinomial(4), TD.constraints.multinomial(4)
    assert repr(got) == repr(want)
    assert got.check(flodl.tensor(counts)).tolist() == want.check(torch.tensor(counts)).tolist()
    # A singular covariance: symmetric, with no Cholesky factor, as torch says.
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert not D.constraints.positive_definite.check(flodl.tensor(singular)).item()
    assert not TD.constraints.positive_definite.check(torch.tensor(singular)).item()
    with pytest.raises(flodl.ArgumentError, match=r"PositiveDefinite\(\)"):
        D.MultivariateNormal(flodl.zeros(2), covariance_matrix=flodl.tensor(singular))
    with pytest.raises(TypeError, match="interval's lower bound"):
        D.constraints.interval("a", 1.0).check(flodl.tensor(values))
