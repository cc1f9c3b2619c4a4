//! flodl::distributions from Rust alone, against closed forms.
use flodl::distributions::{
    kl_divergence, Bernoulli, Beta, Binomial, Categorical, Cauchy, CovarianceForm, Dirichlet,
    Distribution, ExpRelaxedCategorical, Exponential, FisherSnedecor, Gamma, Geometric, Gumbel,
    HalfNormal, Independent, InverseGamma, Kumaraswamy, LogNormal, LogisticNormal,
    LogitRelaxedBernoulli, MixtureSameFamily, Multinomial, MultivariateNormal, NegativeBinomial,
    Normal, OneHotCategorical, Pareto, Poisson, StudentT, Uniform, Weibull,
};
use flodl::distributions::{
    AffineTransform, CachedTransform, ComposeTransform, ExpTransform, IndependentTransform, Param,
    SoftmaxTransform, StickBreakingTransform, TanhTransform, Transform, TransformedDistribution,
};
use flodl::{Device, ErrorKind, Tensor, Variable};

fn var(values: &[f64], shape: &[i64], requires_grad: bool) -> Variable {
    Variable::new(
        Tensor::from_f64(values, shape, Device::CPU).unwrap(),
        requires_grad,
    )
    .unwrap()
}

fn close(a: &Variable, b: &[f64]) {
    let a = a.data().to_f64_vec().unwrap();
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!(
            x == y || (x - y).abs() < 1e-9 || (x.is_nan() && y.is_nan()),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn normal_broadcasts_and_differentiates() {
    let loc = var(&[0.0, 1.0], &[2], true);
    let scale = var(&[2.0], &[1], false);
    let n = Normal::new(&loc, &scale, true).unwrap();
    assert_eq!(n.batch_shape(), vec![2]);
    let x = var(&[1.0, 1.0], &[2], false);
    let log_2pi = (2.0 * std::f64::consts::PI).ln();
    let expected = |z: f64| -z * z / 8.0 - 2f64.ln() - 0.5 * log_2pi;
    close(&n.log_prob(&x).unwrap(), &[expected(1.0), expected(0.0)]);
    n.log_prob(&x).unwrap().sum().unwrap().backward().unwrap();
    // d/dloc = (x - loc) / scale^2
    assert_eq!(loc.grad().unwrap().to_f64_vec().unwrap(), vec![0.25, 0.0]);
    close(&n.variance().unwrap(), &[4.0, 4.0]);
    assert_eq!(n.rsample(&[3]).unwrap().shape(), vec![3, 2]);
    assert_eq!(n.sample(&[5, 1]).unwrap().shape(), vec![5, 1, 2]);
    let bad = Normal::new(&loc, &var(&[-1.0], &[1], false), true).unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::Argument);
    assert!(bad.to_string().contains("GreaterThan"), "{bad}");
    let wrong = n.log_prob(&var(&[0.0, 0.0, 0.0], &[3], false)).unwrap_err();
    assert!(wrong.to_string().contains("not compatible"), "{wrong}");
    let shapes = Normal::new(&loc, &var(&[1.0, 1.0, 1.0], &[3], false), true).unwrap_err();
    assert_eq!(shapes.kind(), ErrorKind::Shape);
}

#[test]
fn categorical_and_bernoulli_from_probs_and_logits() {
    let c = Categorical::from_probs(&var(&[1.0, 3.0], &[2], false), true).unwrap();
    close(c.probs(), &[0.25, 0.75]);
    close(
        &c.log_prob(&var(&[1.0], &[1], false)).unwrap(),
        &[0.75f64.ln()],
    );
    let from_logits = Categorical::from_logits(&var(&[0.0, 3f64.ln()], &[2], false), true).unwrap();
    close(from_logits.probs(), &[0.25, 0.75]);
    close(&kl_divergence(&c, &from_logits).unwrap(), &[0.0]);
    assert_eq!(
        c.enumerate_support(true).unwrap().to_f64_vec().unwrap(),
        vec![0.0, 1.0]
    );
    let outside = c.log_prob(&var(&[2.0], &[1], false)).unwrap_err();
    assert!(outside.to_string().contains("support"), "{outside}");
    let b = Bernoulli::from_probs(&var(&[0.5, 0.9], &[2], false), true).unwrap();
    close(&b.mode().unwrap(), &[f64::NAN, 1.0]);
    close(&b.variance().unwrap(), &[0.25, 0.9 * (1.0 - 0.9)]);
    assert!(Bernoulli::from_probs(&var(&[1.5], &[1], false), true).is_err());
    assert!(Bernoulli::from_probs(&var(&[1.5], &[1], false), false).is_ok());
    let mismatch = kl_divergence(&b, &c).unwrap_err();
    assert_eq!(mismatch.kind(), ErrorKind::Argument);
}

#[test]
fn independent_sums_over_its_event_dims() {
    let loc = var(&[0.0; 6], &[2, 3], false);
    let scale = var(&[1.0; 6], &[2, 3], false);
    let base = Normal::new(&loc, &scale, true).unwrap();
    let d = Independent::new(Box::new(base.clone()), 1).unwrap();
    assert_eq!((d.batch_shape(), d.event_shape()), (vec![2], vec![3]));
    let x = var(&[0.0; 6], &[2, 3], false);
    let per_element = base.log_prob(&x).unwrap().data().to_f64_vec().unwrap()[0];
    close(
        &d.log_prob(&x).unwrap(),
        &[3.0 * per_element, 3.0 * per_element],
    );
    close(&kl_divergence(&d, &d.clone()).unwrap(), &[0.0, 0.0]);
    assert!(Independent::new(Box::new(base), 3).is_err());
}

#[test]
fn the_elementwise_distributions_against_closed_forms() {
    let u = Uniform::new(&var(&[0.0], &[1], false), &var(&[4.0], &[1], false), true).unwrap();
    close(
        &u.log_prob(&var(&[1.0], &[1], false)).unwrap(),
        &[-(4f64.ln())],
    );
    close(&u.cdf(&var(&[1.0], &[1], false)).unwrap(), &[0.25]);
    let reversed = Uniform::new(&var(&[1.0], &[1], false), &var(&[0.0], &[1], false), true);
    let message = reversed.unwrap_err().to_string();
    assert!(
        message.contains("parameter low") && message.contains("LessThan"),
        "{message}"
    );
    let e = Exponential::new(&var(&[2.0], &[1], false), true).unwrap();
    close(&e.mean().unwrap(), &[0.5]);
    close(
        &e.log_prob(&var(&[1.0], &[1], false)).unwrap(),
        &[2f64.ln() - 2.0],
    );
    // Gamma(1, rate) is Exponential(rate).
    let g = Gamma::new(&var(&[1.0], &[1], false), &var(&[2.0], &[1], false), true).unwrap();
    close(
        &g.log_prob(&var(&[1.0], &[1], false)).unwrap(),
        &[2f64.ln() - 2.0],
    );
    let drawn = g.rsample(&[1000]).unwrap();
    assert_eq!(drawn.shape(), vec![1000, 1]);
    assert!(drawn.data().min().unwrap().item().unwrap() > 0.0);
    // Beta(1, 1) is uniform on [0, 1]; KL of a distribution to itself is 0.
    let b = Beta::new(&var(&[1.0], &[1], false), &var(&[1.0], &[1], false), true).unwrap();
    close(&b.log_prob(&var(&[0.3], &[1], false)).unwrap(), &[0.0]);
    close(&kl_divergence(&b, &b.clone()).unwrap(), &[0.0]);
    let alpha = var(&[1.0, 2.0, 3.0], &[3], true);
    let d = Dirichlet::new(&alpha, true).unwrap();
    assert_eq!((d.batch_shape(), d.event_shape()), (vec![], vec![3]));
    let x = d.rsample(&[4]).unwrap();
    close(&x.sum_dim(-1, false).unwrap(), &[1.0; 4]);
    x.select(-1, 0).unwrap().sum().unwrap().backward().unwrap();
    assert!(alpha.grad().is_some());
    close(&d.mean().unwrap(), &[1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]);
    let p = Poisson::new(&var(&[2.0], &[1], false), true).unwrap();
    close(
        &p.log_prob(&var(&[3.0], &[1], false)).unwrap(),
        &[3.0 * 2f64.ln() - 2.0 - 6f64.ln()],
    );
    let half = p.log_prob(&var(&[0.5], &[1], false)).unwrap_err();
    assert!(half.to_string().contains("support"), "{half}");
    assert_eq!(p.expand(&[3, 1]).unwrap().batch_shape(), vec![3, 1]);
}

#[test]
fn multivariate_normal_of_each_form_against_closed_forms() {
    let loc = var(&[1.0, -1.0], &[2], false);
    let cov = var(&[4.0, 0.0, 0.0, 9.0], &[2, 2], false);
    let precision = var(&[0.25, 0.0, 0.0, 1.0 / 9.0], &[2, 2], false);
    let tril = var(&[2.0, 0.0, 0.0, 3.0], &[2, 2], false);
    let x = var(&[3.0, 2.0], &[2], false);
    // Independent normals of scales 2 and 3: z = (1, 1).
    let log_2pi = (2.0 * std::f64::consts::PI).ln();
    let expected = -1.0 - 6f64.ln() - log_2pi;
    for (matrix, form) in [
        (&cov, CovarianceForm::Covariance),
        (&precision, CovarianceForm::Precision),
        (&tril, CovarianceForm::ScaleTril),
    ] {
        let mvn = MultivariateNormal::new(&loc, matrix, form, true).unwrap();
        assert_eq!((mvn.batch_shape(), mvn.event_shape()), (vec![], vec![2]));
        close(&mvn.log_prob(&x).unwrap(), &[expected]);
        close(&mvn.scale_tril().unwrap(), &[2.0, 0.0, 0.0, 3.0]);
        close(&mvn.covariance_matrix().unwrap(), &[4.0, 0.0, 0.0, 9.0]);
        close(&mvn.variance().unwrap(), &[4.0, 9.0]);
        close(&kl_divergence(&mvn, &mvn.clone()).unwrap(), &[0.0]);
        assert_eq!(mvn.rsample(&[5]).unwrap().shape(), vec![5, 2]);
    }
    let not_definite = var(&[1.0, 2.0, 2.0, 1.0], &[2, 2], false);
    let err =
        MultivariateNormal::new(&loc, &not_definite, CovarianceForm::Covariance, true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    let err = MultivariateNormal::new(&loc, &not_definite, CovarianceForm::Covariance, false)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LinAlg);
}

#[test]
fn the_newer_distributions_against_closed_forms() {
    use std::f64::consts::PI;
    let (zero, one, two) = (
        var(&[0.0], &[1], false),
        var(&[1.0], &[1], false),
        var(&[2.0], &[1], false),
    );
    // Cauchy(0, 1): density 1 / (pi (1 + x^2)), cdf 1/2 + atan(x) / pi.
    let cauchy = Cauchy::new(&zero, &one, true).unwrap();
    close(&cauchy.log_prob(&one).unwrap(), &[-(2.0 * PI).ln()]);
    close(&cauchy.cdf(&one).unwrap(), &[0.75]);
    // Gumbel(0, 1) at 0: log density -1; mean is Euler's constant.
    let gumbel = Gumbel::new(&zero, &one, true).unwrap();
    close(&gumbel.log_prob(&zero).unwrap(), &[-1.0]);
    close(&gumbel.mean().unwrap(), &[0.577_215_664_901_532_9]);
    // HalfNormal(1) at 0: twice the normal density; a negative value is outside.
    let half = HalfNormal::new(&one, true).unwrap();
    close(&half.log_prob(&zero).unwrap(), &[(2.0 / PI).sqrt().ln()]);
    assert_eq!(
        half.log_prob(&var(&[-1.0], &[1], false))
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    // LogNormal(0, 1) at 1: the normal density at 0; mean exp(1/2).
    let log_normal = LogNormal::new(&zero, &one, true).unwrap();
    close(
        &log_normal.log_prob(&one).unwrap(),
        &[-0.5 * (2.0 * PI).ln()],
    );
    close(&log_normal.mean().unwrap(), &[0.5f64.exp()]);
    // StudentT with 1 degree of freedom is Cauchy(0, 1); with 3, variance 3.
    let t1 = StudentT::new(&one, &zero, &one, true).unwrap();
    close(&t1.log_prob(&one).unwrap(), &[-(2.0 * PI).ln()]);
    let t3 = StudentT::new(&var(&[3.0], &[1], false), &zero, &one, true).unwrap();
    close(&t3.variance().unwrap(), &[3.0]);
    assert!(t1.mean().unwrap().data().to_f64_vec().unwrap()[0].is_nan());
    // Geometric(1/2): P(k) = 2^-(k+1); mean 1.
    let half_p = var(&[0.5], &[1], false);
    let geometric = Geometric::new(&half_p, true, true).unwrap();
    close(&geometric.log_prob(&two).unwrap(), &[-3.0 * 2f64.ln()]);
    close(&geometric.mean().unwrap(), &[1.0]);
    // Binomial(4, 1/2): P(2) = 6/16; entropy from the enumerated support.
    let binomial = Binomial::new(&var(&[4.0], &[1], false), &half_p, true, true).unwrap();
    close(&binomial.log_prob(&two).unwrap(), &[(6.0f64 / 16.0).ln()]);
    let entropy: f64 = [1.0f64, 4.0, 6.0, 4.0, 1.0]
        .iter()
        .map(|c| -(c / 16.0) * (c / 16.0).ln())
        .sum();
    close(&binomial.entropy().unwrap(), &[entropy]);
    // OneHotCategorical: the log-probability of the class its value marks.
    let probs = var(&[0.25, 0.75], &[2], false);
    let one_hot = OneHotCategorical::new(Categorical::from_probs(&probs, true).unwrap(), true);
    close(
        &one_hot.log_prob(&var(&[0.0, 1.0], &[2], false)).unwrap(),
        &[0.75f64.ln()],
    );
    assert_eq!(one_hot.sample(&[5]).unwrap().shape(), vec![5, 2]);
    // NegativeBinomial(2, 1/2): P(k) = (k + 1) / 2^(k + 2); mean 2, variance 4.
    let negative = NegativeBinomial::new(&var(&[2.0], &[1], false), &half_p, true, true).unwrap();
    close(&negative.log_prob(&two).unwrap(), &[(3.0f64 / 16.0).ln()]);
    close(&negative.mean().unwrap(), &[2.0]);
    close(&negative.variance().unwrap(), &[4.0]);
    // Multinomial(3, [1/4, 3/4]): P([1, 2]) = 3 * 1/4 * 9/16; draws sum to 3.
    let categorical = Categorical::from_probs(&probs, true).unwrap();
    let multinomial = Multinomial::new(3, categorical.clone(), true).unwrap();
    close(
        &multinomial
            .log_prob(&var(&[1.0, 2.0], &[2], false))
            .unwrap(),
        &[(27.0f64 / 64.0).ln()],
    );
    let draws = multinomial.sample(&[6]).unwrap();
    assert_eq!(draws.shape(), vec![6, 2]);
    assert_eq!(
        draws.sum_dim(1, false).unwrap().to_f64_vec().unwrap(),
        vec![3.0; 6]
    );
    let over = multinomial
        .log_prob(&var(&[2.0, 2.0], &[2], false))
        .unwrap_err();
    assert_eq!(over.kind(), ErrorKind::Argument);
    assert!(Multinomial::new(-1, categorical, true).is_err());
    // The relaxed bases at temperature 1 and even odds: at 0 (and [0, 0]),
    // log 1 + 0 - 2 log 2; relaxed one-hot draws lie on the simplex.
    let t1 = var(&[1.0], &[], false);
    let logit_bernoulli = LogitRelaxedBernoulli::new(&t1, &half_p, true, true).unwrap();
    close(
        &logit_bernoulli.log_prob(&var(&[0.0], &[1], false)).unwrap(),
        &[-2.0 * 2f64.ln()],
    );
    let even = Categorical::from_probs(&var(&[0.5, 0.5], &[2], false), true).unwrap();
    let exp_relaxed = ExpRelaxedCategorical::new(&t1, even, true);
    close(
        &exp_relaxed
            .log_prob(&var(&[0.0, 0.0], &[2], false))
            .unwrap(),
        &[-2.0 * 2f64.ln()],
    );
    let draws = exp_relaxed.rsample(&[5]).unwrap().exp().unwrap();
    close(&draws.sum_dim(-1, false).unwrap(), &[1.0; 5]);
    // A mixture of N(-1, 1) and N(1, 1), equally weighted, at 0.
    let mixing = Categorical::from_probs(&var(&[0.5, 0.5], &[2], false), true).unwrap();
    let components = Normal::new(
        &var(&[-1.0, 1.0], &[2], false),
        &var(&[1.0, 1.0], &[2], false),
        true,
    )
    .unwrap();
    let mixture = MixtureSameFamily::new(mixing, Box::new(components), true).unwrap();
    close(
        &mixture.log_prob(&var(&[0.0], &[], false)).unwrap(),
        &[-0.5 - 0.5 * (2.0 * PI).ln()],
    );
    close(&mixture.variance().unwrap(), &[2.0]);
    assert_eq!(mixture.sample(&[3]).unwrap().shape(), vec![3]);
    // KL of two of a kind: zero against itself.
    for d in [
        &cauchy as &dyn Distribution,
        &gumbel,
        &half,
        &log_normal,
        &geometric,
        &binomial,
        &one_hot,
    ] {
        close(
            &kl_divergence(d, d).unwrap(),
            &vec![0.0; kl_divergence(d, d).unwrap().numel()],
        );
    }
    // Gamma's cdf: 1 - exp(-x) for Gamma(1, 1).
    let gamma = Gamma::new(&one, &one, true).unwrap();
    close(&gamma.cdf(&two).unwrap(), &[1.0 - (-2.0f64).exp()]);
}

#[test]
fn transformed_distributions_against_closed_forms() {
    use std::f64::consts::PI;
    let (zero, one) = (var(&[0.0], &[1], false), var(&[1.0], &[1], false));
    // exp of N(0, 1) is LogNormal(0, 1): at 1, the normal density at 0.
    let normal = Normal::new(&zero, &one, true).unwrap();
    let log_normal =
        TransformedDistribution::new(Box::new(normal.clone()), vec![Box::new(ExpTransform)], true)
            .unwrap();
    close(
        &log_normal.log_prob(&one).unwrap(),
        &[-0.5 * (2.0 * PI).ln()],
    );
    close(&log_normal.cdf(&one).unwrap(), &[0.5]);
    // 2 + 3x of U(0, 1) is U(2, 5); a decreasing map turns the cdf around.
    let uniform = Uniform::new(&zero, &one, true).unwrap();
    let affine = AffineTransform::new(Param::Number(2.0.into()), Param::Number(3.0.into()), 0);
    let stretched =
        TransformedDistribution::new(Box::new(uniform.clone()), vec![Box::new(affine)], true)
            .unwrap();
    close(
        &stretched.log_prob(&var(&[3.0], &[1], false)).unwrap(),
        &[-(3.0f64).ln()],
    );
    let flip = AffineTransform::new(Param::Number(0.0.into()), Param::Number((-1.0).into()), 0);
    let flipped =
        TransformedDistribution::new(Box::new(uniform), vec![Box::new(flip)], true).unwrap();
    close(&flipped.cdf(&var(&[-0.25], &[1], false)).unwrap(), &[0.75]);
    // A composition's log-Jacobian is the sum of its parts'.
    let compose = ComposeTransform::new(vec![
        Box::new(AffineTransform::new(
            Param::Number(0.0.into()),
            Param::Number(2.0.into()),
            0,
        )),
        Box::new(ExpTransform),
    ]);
    let x = var(&[0.5], &[1], false);
    let y = compose.forward(&x).unwrap();
    close(&y, &[1f64.exp()]);
    close(
        &compose.log_abs_det_jacobian(&x, &y).unwrap(),
        &[2f64.ln() + 1.0],
    );
    // A cached tanh gives back the very value it squashed, even where atanh saturates.
    let tanh = CachedTransform::new(Box::new(TanhTransform));
    let big = var(&[30.0], &[1], false);
    let squashed = tanh.forward(&big).unwrap();
    close(&tanh.inverse(&squashed).unwrap(), &[30.0]);
    // Outside the last transform's codomain is an Argument error.
    let squash =
        TransformedDistribution::new(Box::new(normal), vec![Box::new(TanhTransform)], true)
            .unwrap();
    let err = squash.log_prob(&var(&[1.5], &[1], false)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
}

/// The constraints' checks, one per event, and their PyTorch reprs.
#[test]
fn constraints_check_events_and_print_as_pytorch() -> flodl::Result<()> {
    use flodl::distributions::constraints::{Bound, Constraint};
    let rows = Tensor::from_f64(&[0.2, 0.8, 0.5, 0.6], &[2, 2], Device::CPU)?;
    assert_eq!(
        Constraint::Simplex.check(&rows)?.to_f64_vec()?,
        vec![1.0, 0.0]
    );
    let positive = Constraint::GreaterThan(Bound::Number(0.0));
    let independent = Constraint::Independent(Box::new(positive.clone()), 1);
    assert_eq!(
        independent.to_string(),
        "IndependentConstraint(GreaterThan(lower_bound=0.0), 1)"
    );
    assert_eq!(independent.event_dim(), 1);
    let high = Tensor::from_f64(&[0.5, 1.0], &[2], Device::CPU)?;
    let below = Constraint::LessThan(Bound::Tensor(high)).check(&rows)?;
    assert_eq!(below.to_f64_vec()?, vec![1.0, 1.0, 0.0, 1.0]);
    // Symmetric but singular: no Cholesky factor, so not positive definite.
    let singular = Tensor::from_f64(&[1.0, 1.0, 1.0, 1.0], &[2, 2], Device::CPU)?;
    assert_eq!(Constraint::PositiveDefinite.check(&singular)?.item()?, 0.0);
    let spd = Tensor::from_f64(&[2.0, 0.5, 0.5, 1.0], &[2, 2], Device::CPU)?;
    assert_eq!(Constraint::PositiveDefinite.check(&spd)?.item()?, 1.0);
    assert!(Constraint::IntegerGreaterThan(Bound::Number(0.0)).is_discrete());
    Ok(())
}

#[test]
fn weibull_and_pareto_against_closed_forms() {
    // Weibull(scale 2, concentration 1) is Exponential(rate 1/2).
    let w = Weibull::new(&var(&[2.0], &[1], false), &var(&[1.0], &[1], false), true).unwrap();
    close(
        &w.log_prob(&var(&[3.0], &[1], false)).unwrap(),
        &[-(2f64.ln()) - 1.5],
    );
    close(&w.mean().unwrap(), &[2.0]);
    close(
        &w.cdf(&var(&[2.0], &[1], false)).unwrap(),
        &[1.0 - (-1f64).exp()],
    );
    // Pareto(scale 1, alpha 3): density 3 / x^4, mean 3/2, variance 3/4.
    let p = Pareto::new(&var(&[1.0], &[1], false), &var(&[3.0], &[1], false), true).unwrap();
    close(
        &p.log_prob(&var(&[2.0], &[1], false)).unwrap(),
        &[3f64.ln() - 4.0 * 2f64.ln()],
    );
    close(&p.mean().unwrap(), &[1.5]);
    close(&p.variance().unwrap(), &[0.75]);
    let below_scale = p.log_prob(&var(&[0.5], &[1], false)).unwrap_err();
    assert_eq!(below_scale.kind(), ErrorKind::Argument);
    // KL is infinite where q's support starts above p's.
    let q = Pareto::new(&var(&[2.0], &[1], false), &var(&[3.0], &[1], false), true).unwrap();
    close(&kl_divergence(&p, &q).unwrap(), &[f64::INFINITY]);
    close(&kl_divergence(&p, &p).unwrap(), &[0.0]);
}

#[test]
fn inverse_gamma_fisher_snedecor_and_kumaraswamy_have_their_closed_forms() {
    let one = |x: f64| var(&[x], &[1], false);
    // InverseGamma(3, 2): density 4 / x^4 e^(-2/x) (Gamma(3) = 2), mean 1,
    // variance 1; its mean is infinite for a concentration of 1 or less.
    let ig = InverseGamma::new(&one(3.0), &one(2.0), true).unwrap();
    close(
        &ig.log_prob(&one(1.0)).unwrap(),
        &[8f64.ln() - 2f64.ln() - 4.0 * 1f64.ln() - 2.0],
    );
    close(&ig.mean().unwrap(), &[1.0]);
    close(&ig.variance().unwrap(), &[1.0]);
    close(&ig.mode().unwrap(), &[0.5]);
    let heavy = InverseGamma::new(&one(0.5), &one(2.0), true).unwrap();
    close(&heavy.mean().unwrap(), &[f64::INFINITY]);
    let draws = ig.rsample(&[4]).unwrap();
    assert_eq!(draws.shape(), vec![4, 1]);
    // F(2, 4): density (1 + x / 2)^-3, mean 2; no mean for df2 <= 2.
    let f = FisherSnedecor::new(&one(2.0), &one(4.0), true).unwrap();
    close(&f.log_prob(&one(1.0)).unwrap(), &[-3.0 * 1.5f64.ln()]);
    close(&f.mean().unwrap(), &[2.0]);
    let no_mean = FisherSnedecor::new(&one(2.0), &one(2.0), true).unwrap();
    assert!(no_mean.mean().unwrap().data().to_f64_vec().unwrap()[0].is_nan());
    assert_eq!(f.entropy().unwrap_err().kind(), ErrorKind::Argument);
    // Kumaraswamy(1, 1) is Uniform(0, 1): density 1, mean 1/2, cdf x.
    let k = Kumaraswamy::new(&one(1.0), &one(1.0), true).unwrap();
    close(&k.log_prob(&one(0.3)).unwrap(), &[0.0]);
    close(&k.mean().unwrap(), &[0.5]);
    close(&k.cdf(&one(0.3)).unwrap(), &[0.3]);
    close(&k.icdf(&one(0.3)).unwrap(), &[0.3]);
    let outside = k.log_prob(&one(1.5)).unwrap_err();
    assert_eq!(outside.kind(), ErrorKind::Argument);
}

#[test]
fn stick_breaking_reaches_the_simplex_and_logistic_normal_lives_there() {
    // Zeros break the stick into equal shares: the simplex's centre.
    let zeros = var(&[0.0; 6], &[2, 3], true);
    let y = StickBreakingTransform.forward(&zeros).unwrap();
    assert_eq!(y.shape(), vec![2, 4]);
    close(&y, &[0.25; 8]);
    close(&StickBreakingTransform.inverse(&y).unwrap(), &[0.0; 6]);
    assert_eq!(
        StickBreakingTransform.inverse_shape(&[2, 4]).unwrap(),
        vec![2, 3]
    );
    assert!(StickBreakingTransform.sign().is_err());
    // Softmax: shares of exp, not one-to-one.
    let x = var(&[0.0, 2f64.ln()], &[2], false);
    close(
        &SoftmaxTransform.forward(&x).unwrap(),
        &[1.0 / 3.0, 2.0 / 3.0],
    );
    assert!(!SoftmaxTransform.bijective());
    // LogisticNormal of 3 locations: events of 4 on the simplex.
    let d = LogisticNormal::new(
        &var(&[0.0; 3], &[3], false),
        &var(&[1.0; 3], &[3], false),
        true,
    )
    .unwrap();
    assert_eq!((d.batch_shape(), d.event_shape()), (vec![], vec![4]));
    let draws = d.sample(&[5]).unwrap();
    assert_eq!(draws.shape(), vec![5, 4]);
    let sums = draws.sum_dim(-1, false).unwrap().to_f64_vec().unwrap();
    assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-6), "{sums:?}");
    let off_simplex = d.log_prob(&var(&[0.5; 4], &[4], false)).unwrap_err();
    assert_eq!(off_simplex.kind(), ErrorKind::Argument);
    assert_eq!(d.mean().unwrap_err().kind(), ErrorKind::Argument);
}

#[test]
fn independent_transform_sums_its_log_determinant_over_the_event() {
    // exp's log-determinant is x: summed over the last dim, 1 + 2 and 3 + 4.
    let x = var(&[1.0, 2.0, 3.0, 4.0], &[2, 2], false);
    let t = IndependentTransform::new(Box::new(ExpTransform), 1);
    let y = t.forward(&x).unwrap();
    close(&t.log_abs_det_jacobian(&x, &y).unwrap(), &[3.0, 7.0]);
    close(&t.inverse(&y).unwrap(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!((t.domain_event_dim(), t.codomain_event_dim()), (1, 1));
}
