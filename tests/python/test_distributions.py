"""flodl.distributions against torch.distributions: the same draws from the
same seed, log-probabilities, entropies, moments, cdf/icdf and KL divergences
with their gradients, shapes, and PyTorch's checks of parameters and values
(an ArgumentError, a ValueError as torch's)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl import distributions as D

TD = torch.distributions
RNG = np.random.default_rng(0)


def same(got, want, rtol=1e-6) -> None:
    np.testing.assert_allclose(
        np.asarray(got.detach().numpy(), dtype=np.float64),
        np.asarray(want.detach().numpy(), dtype=np.float64),
        rtol=rtol,
        atol=1e-7,
    )


def both(make):
    """``make(module, distributions)`` for flodl and for torch, each after
    ``manual_seed(0)``."""
    flodl.manual_seed(0)
    got = make(flodl, D)
    torch.manual_seed(0)
    want = make(torch, TD)
    return got, want


def leaf(m, values):
    return m.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


LOC = RNG.standard_normal((3, 2))
SCALE = np.abs(RNG.standard_normal((3, 2))) + 0.5
LOGITS = RNG.standard_normal((3, 4))


def test_normal_draws_moments_and_log_prob_gradients_are_torch_s() -> None:
    def run(m, d):
        loc, scale = leaf(m, LOC), leaf(m, SCALE)
        n = d.Normal(loc, scale)
        drawn = n.sample((5,))
        r = n.rsample((2,))
        value = m.tensor(LOC * 0.5 + 0.1)
        total = n.log_prob(value).sum() + n.entropy().sum() + r.sum() + n.cdf(value).sum()
        total.backward()
        probs = m.tensor(np.full((3, 2), 0.3))
        return [
            drawn,
            r,
            n.log_prob(value),
            n.entropy(),
            n.cdf(value),
            n.icdf(probs),
            n.mean,
            n.mode,
            n.stddev,
            n.variance,
            loc.grad,
            scale.grad,
        ]

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w)


def test_normal_shapes_and_numbers_as_torch() -> None:
    got, want = both(lambda m, d: d.Normal(0.0, 1.0))
    assert (got.batch_shape, got.event_shape) == (want.batch_shape, want.event_shape) == ((), ())
    assert repr(got) == repr(want) == "Normal(loc: 0.0, scale: 1.0)"
    assert got.loc.dtype == flodl.float32
    got, want = both(lambda m, d: d.Normal(m.zeros(3, 1), 2.0))
    assert list(got.batch_shape) == list(want.batch_shape) == [3, 1]
    assert list(got.sample((4, 2)).shape) == list(want.sample((4, 2)).shape) == [4, 2, 3, 1]
    assert got.scale.tolist() == want.scale.tolist()
    assert D.Normal(flodl.zeros(2, dtype=flodl.float64), 1.0).scale.dtype == flodl.float64


def test_categorical_from_logits_is_torch_s_exactly() -> None:
    def run(m, d):
        logits = leaf(m, LOGITS)
        c = d.Categorical(logits=logits)
        drawn = c.sample((6,))
        (c.log_prob(drawn).sum() + c.entropy().sum()).backward()
        return [
            drawn,
            c.log_prob(drawn),
            c.entropy(),
            c.logits,
            c.probs,
            c.mode,
            logits.grad,
            c.enumerate_support(),
            c.perplexity(),
        ]

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w)
    assert list(got[0].shape) == [6, 3]


def test_categorical_from_probs_agrees_with_torch_s() -> None:
    probs = np.abs(LOGITS) + 0.1

    def run(m, d):
        c = d.Categorical(probs=m.tensor(probs))
        drawn = c.sample((4,))
        return [drawn, c.probs, c.logits, c.log_prob(drawn), c.entropy()]

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w, rtol=1e-5)
    got, want = both(lambda m, d: d.Categorical(probs=m.tensor([0.2, 0.8])))
    assert list(got.batch_shape) == list(want.batch_shape) == []
    assert got.sample().dim() == 0 and got.enumerate_support().tolist() == [0, 1]


def test_bernoulli_is_torch_s_from_probs_and_from_logits() -> None:
    p = 1 / (1 + np.exp(-LOGITS))
    values = (RNG.random((3, 4)) < 0.5).astype(np.float64)

    def run(m, d):
        out = []
        for kind, param in (("probs", p), ("logits", LOGITS)):
            theta = leaf(m, param)
            b = d.Bernoulli(**{kind: theta})
            drawn = b.sample((2,))
            value = m.tensor(values)
            (b.log_prob(value).sum() + b.entropy().sum()).backward()
            out += [
                drawn,
                b.log_prob(value),
                b.entropy(),
                b.mean,
                b.variance,
                b.probs,
                b.logits,
                theta.grad,
            ]
        return out

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w, rtol=1e-5)
    got, want = both(lambda m, d: d.Bernoulli(probs=m.tensor([0.5, 0.9, 0.1])).mode)
    np.testing.assert_array_equal(got.numpy(), want.numpy())  # nan at 0.5, as torch


def test_independent_sums_over_its_event_dims() -> None:
    def run(m, d):
        base = d.Normal(leaf(m, LOC), leaf(m, SCALE))
        ind = d.Independent(base, 1)
        value = m.tensor(LOC + 0.2)
        return ind, [ind.log_prob(value), ind.entropy(), ind.sample((2,)), ind.mean]

    (got, got_values), (want, want_values) = both(run)
    assert (list(got.batch_shape), list(got.event_shape)) == ([3], [2])
    assert (list(want.batch_shape), list(want.event_shape)) == ([3], [2])
    for g, w in zip(got_values, want_values):
        same(g, w)
    with pytest.raises(flodl.ArgumentError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(flodl.zeros(2), 1.0), 2)


def test_kl_divergence_of_each_pair_and_its_gradients_are_torch_s() -> None:
    q_loc, q_scale = RNG.standard_normal((3, 2)), np.abs(RNG.standard_normal((3, 2))) + 0.5
    q_logits = RNG.standard_normal((3, 4))

    def run(m, d):
        loc, logits = leaf(m, LOC), leaf(m, LOGITS)
        pairs = [
            (d.Normal(loc, m.tensor(SCALE)), d.Normal(m.tensor(q_loc), m.tensor(q_scale))),
            (d.Categorical(logits=logits), d.Categorical(logits=m.tensor(q_logits))),
            (d.Bernoulli(logits=logits), d.Bernoulli(logits=m.tensor(q_logits))),
            (
                d.Independent(d.Normal(loc, m.tensor(SCALE)), 1),
                d.Independent(d.Normal(m.tensor(q_loc), m.tensor(q_scale)), 1),
            ),
        ]
        kls = [d.kl_divergence(p, q) for p, q in pairs]
        sum(k.sum() for k in kls).backward()
        return [*kls, loc.grad, logits.grad]

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w)


def test_kl_of_zero_probabilities_is_infinite_or_zero_as_torch() -> None:
    def run(m, d):
        p = d.Categorical(probs=m.tensor([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]))
        q = d.Categorical(probs=m.tensor([[0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]))
        return d.kl_divergence(p, q)

    got, want = both(run)
    assert got.tolist() == want.tolist() == [float("inf"), float("inf")]


def test_kl_registry_as_torch_s() -> None:
    class Wide(D.Normal):
        pass

    got = D.kl_divergence(Wide(0.0, 1.0), D.Normal(1.0, 1.0))  # the parent's registration
    assert got.item() == pytest.approx(0.5)
    with pytest.raises(NotImplementedError, match="no KL"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(probs=0.5))

    @D.register_kl(Wide, D.Normal)
    def _kl(p, q):
        return flodl.zeros(1)

    assert D.kl_divergence(Wide(0.0, 1.0), D.Normal(1.0, 1.0)).tolist() == [0.0]


@pytest.mark.parametrize(
    "bad",
    [
        lambda m, d: d.Normal(0.0, -1.0),
        lambda m, d: d.Normal(m.tensor([0.0, float("nan")]), 1.0),
        lambda m, d: d.Categorical(probs=m.tensor([0.5, -0.5, 1.0])),
        lambda m, d: d.Categorical(logits=m.tensor([0.0, 1.0])).log_prob(m.tensor([2])),
        lambda m, d: d.Categorical(logits=m.tensor([0.0, 1.0])).log_prob(m.tensor([0.5])),
        lambda m, d: d.Categorical(logits=m.tensor([0.0, 1.0]), probs=m.tensor([0.5, 0.5])),
        lambda m, d: d.Bernoulli(probs=m.tensor([1.5])),
        lambda m, d: d.Bernoulli(probs=m.tensor([0.5])).log_prob(m.tensor([0.5])),
        lambda m, d: d.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
        lambda m, d: d.Normal(0.0, 1.0).log_prob(0.5),
    ],
)
def test_bad_parameters_and_values_are_value_errors_as_torch(bad) -> None:
    with pytest.raises(ValueError):
        bad(torch, TD)
    with pytest.raises(flodl.ArgumentError):
        bad(flodl, D)


def test_validate_args_false_skips_the_checks_as_torch() -> None:
    got, want = both(lambda m, d: d.Normal(0.0, -1.0, validate_args=False).log_prob(m.tensor(0.5)))
    same(got, want)
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        D.Distribution.set_default_validate_args(True)
    # The op checks the class indices whatever validate_args says.
    c = D.Categorical(logits=flodl.zeros(3), validate_args=False)
    with pytest.raises(
        flodl.ArgumentError, match=r"categorical_log_prob: value must be a class index"
    ):
        c.log_prob(flodl.tensor([3]))


def test_a_categorical_of_probs_with_zeros_has_torch_s_gradients() -> None:
    def run(m, d):
        p = m.tensor([0.5, 0.0, 0.5], requires_grad=True)
        q = m.tensor([0.2, 0.3, 0.5])
        c = d.Categorical(probs=p)
        total = c.log_prob(m.tensor(0)) + c.entropy() + d.kl_divergence(c, d.Categorical(probs=q))
        total.backward()
        return [total, p.grad]

    got, want = both(run)
    for g, w in zip(got, want):
        same(g, w, rtol=1e-5)


def test_the_submodules_name_the_classes_as_torch_s() -> None:
    from flodl.distributions.bernoulli import Bernoulli
    from flodl.distributions.categorical import Categorical
    from flodl.distributions.distribution import Distribution
    from flodl.distributions.independent import Independent
    from flodl.distributions.kl import kl_divergence, register_kl
    from flodl.distributions.normal import Normal

    assert (Bernoulli, Categorical, Distribution, Independent, Normal) == (
        D.Bernoulli,
        D.Categorical,
        D.Distribution,
        D.Independent,
        D.Normal,
    )
    assert (kl_divergence, register_kl) == (D.kl_divergence, D.register_kl)


def test_values_torch_takes_flodl_takes() -> None:
    got, want = both(
        lambda m, d: d.Categorical(probs=m.tensor([0.25, 0.75])).log_prob(m.tensor([True, False]))
    )
    same(got, want)
    got, want = both(lambda m, d: d.Normal(0.0, 1.0, validate_args=False).log_prob(0.5))
    same(got, want)
    got, want = both(lambda m, d: d.Bernoulli(True).probs)
    assert got.item() == want.item() == 1.0
    with pytest.raises(TypeError):
        D.register_kl(1, 2)
    with pytest.raises(flodl.ShapeError, match="at least one dim"):
        flodl.categorical_entropy(flodl.tensor(1.0))
    with pytest.raises(flodl.ShapeError, match="at least one dim"):
        flodl.categorical_kl(flodl.tensor(1.0), flodl.tensor(2.0))
    with pytest.raises(NotImplementedError):
        D.Independent(D.Bernoulli(probs=flodl.ones(2) * 0.5), 1).enumerate_support()


def test_independent_over_a_distribution_of_one_s_own_as_torch() -> None:
    def run(m, d):
        class Uniformish(d.Distribution):
            def __init__(self, low):
                self.low = low
                super().__init__(low.shape, validate_args=False)

            def log_prob(self, value):
                return value * 0 - self.low

            def entropy(self):
                return self.low * 2

        low = m.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])
        i = d.Independent(Uniformish(low), 1)
        return [
            list(i.batch_shape),
            list(i.event_shape),
            i.log_prob(m.zeros(2, 3)),
            i.entropy(),
        ]

    got, want = both(run)
    assert got[:2] == want[:2] == [[2], [3]]
    for g, w in zip(got[2:], want[2:]):
        same(g, w)


def test_independent_over_a_subclass_of_a_built_in_uses_its_overrides() -> None:
    def run(m, d):
        class Tempered(d.Normal):
            def log_prob(self, value):
                return super().log_prob(value) * 0.5

        i = d.Independent(Tempered(m.zeros(3), m.ones(3)), 1)
        return [i.log_prob(m.zeros(3))]

    got, want = both(run)
    same(got[0], want[0])


# --- the distributions of elementwise parameters, and MultivariateNormal ---
POSITIVE = np.abs(RNG.standard_normal((3, 2))) + 0.5
UNIT = 1.0 / (1.0 + np.exp(-RNG.standard_normal((3, 2))))
SIMPLEX = np.abs(RNG.standard_normal((2, 3))) + 0.1
SIMPLEX /= SIMPLEX.sum(-1, keepdims=True)
# (class, parameters, a value in the support, whether cdf/icdf are defined)
ELEMENTWISE = [
    ("Uniform", (LOC - 2.0, LOC + SCALE), LOC, True),
    ("Exponential", (POSITIVE,), SCALE, True),
    ("Laplace", (LOC, SCALE), LOC * 0.5 + 0.1, True),
    ("Gamma", (POSITIVE, SCALE), SCALE, False),
    ("Beta", (POSITIVE, SCALE), UNIT, False),
    ("Dirichlet", (POSITIVE.T * 2.0,), SIMPLEX, False),
    ("Poisson", (POSITIVE * 3.0,), np.floor(POSITIVE * 4.0), False),
    ("Cauchy", (LOC, SCALE), LOC * 0.5 + 0.1, True),
    ("Gumbel", (LOC, SCALE), LOC * 0.5 + 0.1, False),
    ("HalfNormal", (SCALE,), POSITIVE, True),
    ("HalfCauchy", (SCALE,), POSITIVE, True),
    ("LogNormal", (LOC, SCALE * 0.5), POSITIVE, True),
    ("Weibull", (SCALE, POSITIVE), POSITIVE, True),
    ("Pareto", (SCALE, POSITIVE * 2.0), SCALE + POSITIVE, True),
    ("Chi2", (POSITIVE * 2.0,), SCALE, False),
    ("InverseGamma", (POSITIVE * 2.0, SCALE), POSITIVE, False),
    ("FisherSnedecor", (POSITIVE * 3.0, SCALE * 5.0), POSITIVE, False),
    ("Kumaraswamy", (POSITIVE, SCALE), UNIT, True),
]
# The ones torch defines no entropy, or no KL between two of a kind, for.
NO_ENTROPY = {"Poisson", "FisherSnedecor"}
NO_KL = {"FisherSnedecor"}


@pytest.mark.parametrize("name, params, value, cdf", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_each_distribution_s_draws_numbers_and_gradients_are_torch_s(
    name, params, value, cdf
) -> None:
    def run(m, d):
        leaves = [leaf(m, p) for p in params]
        dist = getattr(d, name)(*leaves)
        v = m.tensor(value)
        out = [dist.sample(), dist.sample((4,)), dist.log_prob(v), dist.mean, dist.variance]
        out += [dist.stddev, dist.mode]
        total = dist.log_prob(v).sum()
        if name in NO_ENTROPY:
            with pytest.raises(NotImplementedError):
                dist.entropy()
        else:
            out.append(dist.entropy())
            total = total + dist.entropy().sum()
        if dist.has_rsample:
            r = dist.rsample((2,))
            out.append(r)
            total = total + (r * r).sum()
        if cdf:
            out += [dist.cdf(v), dist.icdf(m.tensor(UNIT))]
            total = total + dist.cdf(v).sum() + dist.icdf(m.tensor(UNIT)).sum()
        if name in NO_KL:
            with pytest.raises(NotImplementedError):
                d.kl_divergence(dist, dist.expand(dist.batch_shape))
        else:
            out.append(d.kl_divergence(dist, dist.expand(dist.batch_shape)))
        total.backward()
        return out + [p.grad for p in leaves], dist

    (got, g_dist), (want, w_dist) = both(run)
    assert (g_dist.batch_shape, g_dist.event_shape) == (w_dist.batch_shape, w_dist.event_shape)
    assert g_dist.has_rsample == w_dist.has_rsample
    assert repr(g_dist).replace("flodl", "torch") == repr(w_dist)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)


@pytest.mark.parametrize("name, params, value, cdf", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_kl_divergence_of_two_of_a_kind_and_its_gradients_are_torch_s(
    name, params, value, cdf
) -> None:
    def run(m, d):
        p_leaves = [leaf(m, p) for p in params]
        q_params = [np.flip(p, 0).copy() * 1.5 for p in params]
        p, q = getattr(d, name)(*p_leaves), getattr(d, name)(*[m.tensor(x) for x in q_params])
        if name in NO_KL:
            with pytest.raises(NotImplementedError):
                d.kl_divergence(p, q)
            return []
        if name in ("Weibull", "Kumaraswamy"):  # transformed ones: a KL only for equal transforms
            with pytest.raises(NotImplementedError):
                d.kl_divergence(p, q)
            return [d.kl_divergence(p, getattr(d, name)(*[m.tensor(x) for x in params]))]
        kl = d.kl_divergence(p, q)
        kl.sum().backward()
        return [kl, *[x.grad for x in p_leaves]]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)


def test_inverse_gamma_s_cdf_is_torch_s_and_its_icdf_is_absent_as_torch_s() -> None:
    def run(m, d):
        # libtorch's igamma has no gradient in the concentration.
        concentration, rate = m.tensor(POSITIVE * 2.0), leaf(m, SCALE)
        dist = d.InverseGamma(concentration, rate)
        with pytest.raises(NotImplementedError):
            dist.icdf(m.tensor(UNIT))
        cdf = dist.cdf(m.tensor(POSITIVE))
        cdf.sum().backward()
        return [cdf, rate.grad, dist.base_dist.rate, dist.transforms[0].exponent]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-5)


# Parameters of each kind for the cross-kind KL pairs, some where q does not
# cover p (a Uniform reaching below 0, a Pareto of alpha <= 2).
CROSS_PARAMS = {
    "Bernoulli": ((0.2, 0.5, 0.7),),
    "Poisson": ((1.0, 2.0, 0.5),),
    "Binomial": (5.0, (0.2, 0.5, 0.7)),
    "Beta": ((1.5, 2.0, 0.7), (2.0, 0.8, 1.3)),
    "Exponential": ((1.5, 2.0, 0.7),),
    "Gamma": ((1.5, 2.0, 0.7), (2.0, 0.8, 1.3)),
    "Gumbel": ((0.1, -0.3, 0.5), (1.0, 0.8, 1.3)),
    "Laplace": ((0.1, -0.3, 0.5), (1.0, 0.8, 1.3)),
    "Normal": ((0.1, -0.3, 0.5), (1.0, 0.8, 1.3)),
    "Pareto": ((0.5, 1.0, 0.2), (3.0, 1.5, 2.5)),
    "Uniform": ((0.1, 0.2, -0.5), (0.6, 0.9, 0.5)),
}


@pytest.mark.parametrize(
    "p_kind, q_kind",
    flodl._flodl._Distribution.kl_cross_pairs(),
    ids=lambda kind: kind,
)
def test_kl_between_two_kinds_and_its_gradients_are_torch_s(p_kind, q_kind) -> None:
    def run(m, d):
        def make(kind):
            leaves = [leaf(m, x) for x in CROSS_PARAMS[kind] if isinstance(x, tuple)]
            if kind == "Binomial":
                return d.Binomial(5, probs=leaves[0]), leaves
            if kind == "Bernoulli":
                return d.Bernoulli(probs=leaves[0]), leaves
            return getattr(d, kind)(*leaves), leaves

        (p, p_leaves), (q, q_leaves) = make(p_kind), make(q_kind)
        kl = d.kl_divergence(p, q)
        leaves = p_leaves + q_leaves
        if kl.requires_grad:
            finite = kl.isfinite()
            kl[finite].sum().backward()
        return [kl, *[x.grad if x.grad is not None else m.zeros_like(x) for x in leaves]]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w, rtol=1e-9)


def test_uniform_kl_is_infinite_where_q_does_not_cover_p_as_torch() -> None:
    def run(m, d):
        p = d.Uniform(m.tensor([0.0, 0.0]), m.tensor([1.0, 1.0]))
        q = d.Uniform(m.tensor([-1.0, 0.5]), m.tensor([2.0, 2.0]))
        return [d.kl_divergence(p, q), p.log_prob(m.tensor([0.5, 1.0]))]

    got, want = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w)
    assert got[0].tolist()[1] == float("inf")


def test_numbers_make_zero_dim_parameters_as_torch() -> None:
    for name, args in [("Uniform", (0.0, 2.0)), ("Gamma", (2.0, 1.0)), ("Beta", (2.0, 3.0))]:
        got, want = both(lambda m, d, name=name, args=args: getattr(d, name)(*args))
        assert got.batch_shape == want.batch_shape == ()
        got, want = both(lambda m, d, name=name, args=args: getattr(d, name)(*args).sample((3,)))
        same(got, want)
        assert got.dtype == flodl.float32


COV = RNG.standard_normal((3, 3, 3))
COV = COV @ COV.transpose(0, 2, 1) + 3.0 * np.eye(3)


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_is_torch_s_in_each_form(form) -> None:
    matrix = np.linalg.cholesky(COV) if form == "scale_tril" else COV
    loc = RNG.standard_normal((2, 1, 3))
    value = RNG.standard_normal((5, 2, 3, 3))

    def run(m, d):
        mu, mat = leaf(m, loc), leaf(m, matrix)
        mvn = d.MultivariateNormal(mu, **{form: mat})
        r = mvn.rsample((4,))
        other = d.MultivariateNormal(m.zeros(3, dtype=m.float64), m.eye(3, dtype=m.float64) * 2)
        kl = d.kl_divergence(mvn, other) + d.kl_divergence(other, mvn)
        lp = mvn.log_prob(m.tensor(value))
        (lp.sum() + mvn.entropy().sum() + (r * r).sum() + kl.sum()).backward()
        expanded = mvn.expand((4, 2, 3))
        moments = [mvn.mean, mvn.mode, mvn.variance, mvn.stddev, mvn.entropy()]
        matrices = [mvn.scale_tril, mvn.covariance_matrix, mvn.precision_matrix]
        return (
            [
                mvn.sample((2,)),
                r,
                lp,
                kl,
                *moments,
                *matrices,
                mu.grad,
                mat.grad,
                expanded.log_prob(m.tensor(value[0])),
            ],
            mvn,
            expanded,
        )

    (got, g, ge), (want, w, we) = both(run)
    assert (g.batch_shape, g.event_shape) == (w.batch_shape, w.event_shape) == ((2, 3), (3,))
    assert (ge.batch_shape, ge.event_shape) == (we.batch_shape, we.event_shape)
    for a, b in zip(got, want, strict=True):
        same(a, b, rtol=1e-9)


@pytest.mark.parametrize(
    "bad",
    [
        lambda m, d: d.Uniform(m.tensor(1.0), m.tensor(0.0)),
        lambda m, d: d.Uniform(0.0, 1.0).log_prob(m.tensor(1.5)),
        lambda m, d: d.Exponential(m.tensor([-1.0])),
        lambda m, d: d.Exponential(m.tensor([1.0])).log_prob(m.tensor([-0.5])),
        lambda m, d: d.Laplace(0.0, 0.0),
        lambda m, d: d.Gamma(m.tensor(-1.0), 1.0),
        lambda m, d: d.Gamma(1.0, 1.0).log_prob(m.tensor(-1.0)),
        lambda m, d: d.Beta(1.0, -1.0),
        lambda m, d: d.Beta(1.0, 1.0).log_prob(m.tensor(1.5)),
        lambda m, d: d.Dirichlet(m.tensor(1.0)),
        lambda m, d: d.Dirichlet(m.tensor([1.0, 0.0])),
        lambda m, d: d.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5, 0.5])),
        lambda m, d: d.Poisson(m.tensor([-1.0])),
        lambda m, d: d.Weibull(m.tensor([1.0]), m.tensor([0.0])),
        lambda m, d: d.Weibull(1.0, 1.0).log_prob(m.tensor(-1.0)),
        lambda m, d: d.Pareto(m.tensor([-1.0]), 1.0),
        lambda m, d: d.Pareto(m.tensor([2.0]), 1.0).log_prob(m.tensor([1.5])),
        lambda m, d: d.Poisson(m.tensor([1.0])).log_prob(m.tensor([0.5])),
        lambda m, d: d.MultivariateNormal(m.zeros(2)),
        lambda m, d: d.MultivariateNormal(m.zeros(2), m.eye(2), scale_tril=m.eye(2)),
        lambda m, d: d.MultivariateNormal(m.tensor(0.0), m.eye(2)),
        lambda m, d: d.MultivariateNormal(m.zeros(2), m.ones(2)),
        lambda m, d: d.MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [0.0, 1.0]])),
        lambda m, d: d.MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])),
        lambda m, d: d.MultivariateNormal(m.zeros(2), precision_matrix=-m.eye(2)),
        lambda m, d: d.MultivariateNormal(
            m.zeros(2), scale_tril=m.tensor([[1.0, 1.0], [0.0, 1.0]])
        ),
        lambda m, d: d.MultivariateNormal(m.zeros(2), scale_tril=-m.eye(2)),
    ],
)
def test_bad_parameters_and_values_of_the_new_distributions_are_value_errors(bad) -> None:
    with pytest.raises(ValueError):
        bad(torch, TD)
    with pytest.raises(flodl.ArgumentError):
        bad(flodl, D)


def test_without_validation_a_matrix_without_a_factor_is_a_linalg_error_as_torch() -> None:
    def bad(m, d):
        cov = m.tensor([[1.0, 2.0], [2.0, 1.0]])
        return d.MultivariateNormal(m.zeros(2), cov, validate_args=False)

    with pytest.raises(torch.linalg.LinAlgError):
        bad(torch, TD)
    with pytest.raises(flodl.LinAlgError):
        bad(flodl, D)


def test_what_has_no_closed_form_here_is_not_implemented() -> None:
    with pytest.raises(NotImplementedError):
        D.Poisson(flodl.tensor([1.0])).entropy()
    with pytest.raises(NotImplementedError):
        D.Gamma(flodl.tensor([1.0]), 1.0).icdf(flodl.tensor([0.5]))
    with pytest.raises(NotImplementedError):
        D.Beta(1.0, 1.0).icdf(flodl.tensor(0.5))


def test_expand_keeps_the_parameters_and_checks_as_torch() -> None:
    def run(m, d):
        n = d.Normal(m.zeros(2), 1.0)
        e = n.expand((3, 2))
        c = d.Categorical(logits=m.zeros(2, 4)).expand((5, 2))
        i = d.Independent(d.Normal(m.zeros(2), 1.0), 1).expand((3,))
        return [
            e.loc,
            e.scale,
            e.log_prob(m.zeros(3, 2)),
            c.probs,
            c.sample(),
            i.log_prob(m.zeros(3, 2)),
        ], (e, c, i)

    (got, gd), (want, wd) = both(run)
    for g, w in zip(got, want, strict=True):
        same(g, w)
    for g, w in zip(gd, wd, strict=True):
        assert (g.batch_shape, g.event_shape) == (w.batch_shape, w.event_shape)
    with pytest.raises(flodl.ArgumentError):
        D.Normal(flodl.zeros(2), 1.0).expand((3, 2)).log_prob(flodl.zeros(4, 2))


def test_the_new_submodules_name_the_classes_as_torch_s() -> None:
    import importlib

    for module, name in [
        ("uniform", "Uniform"),
        ("exponential", "Exponential"),
        ("laplace", "Laplace"),
        ("gamma", "Gamma"),
        ("beta", "Beta"),
        ("dirichlet", "Dirichlet"),
        ("poisson", "Poisson"),
        ("multivariate_normal", "MultivariateNormal"),
    ]:
        got = getattr(importlib.import_module(f"flodl.distributions.{module}"), name)
        assert got is getattr(D, name)
        assert hasattr(importlib.import_module(f"torch.distributions.{module}"), name)


def test_expand_of_an_independent_expands_its_base_as_torch() -> None:
    def run(m, d):
        i = d.Independent(d.Normal(m.zeros(3), m.ones(3)), 1).expand((4,))
        return i.base_dist.batch_shape, i.sample().shape, i.mean.shape, i.rsample((2,)).shape

    got, want = both(run)
    assert (
        [tuple(g) for g in got] == [tuple(w) for w in want] == [(4, 3), (4, 3), (4, 3), (2, 4, 3)]
    )


def test_multivariate_normal_edge_shapes() -> None:
    # A batch of no matrices: empty log-probabilities (torch's own reshape
    # fails there).
    mvn = D.MultivariateNormal(flodl.zeros(2), scale_tril=flodl.zeros(0, 2, 2))
    assert mvn.log_prob(flodl.zeros(2)).shape == (0,)
    with pytest.raises(RuntimeError):
        TD.MultivariateNormal(torch.zeros(2), scale_tril=torch.zeros(0, 2, 2)).log_prob(
            torch.zeros(2)
        )
    # A covariance that is not square is outside the constraint, as torch's.
    with pytest.raises(ValueError):
        TD.MultivariateNormal(torch.zeros(2), torch.ones(2, 3))
    with pytest.raises(flodl.ArgumentError, match="PositiveDefinite"):
        D.MultivariateNormal(flodl.zeros(2), flodl.ones(2, 3))
