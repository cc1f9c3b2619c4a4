//! `flodl.distributions`' classes on `flodl::distributions`: each Python
//! distribution holds one `_Distribution`, which does every computation;
//! the Python classes keep PyTorch's object model (properties, the KL
//! registry, subclassing).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::args::{plain_tensor, type_name};
use crate::distributions::{
    kl_divergence, AbsTransform, AffineTransform, Bernoulli, Beta, Binomial, CachedTransform,
    Categorical, Cauchy, ComposeTransform, ContinuousBernoulli, CovarianceForm, Dirichlet,
    Distribution, ExpRelaxedCategorical, ExpTransform, Exponential, FisherSnedecor, Gamma,
    Geometric, Gumbel, HalfCauchy, HalfNormal, Independent, IndependentTransform, InverseGamma,
    InverseTransform, Kumaraswamy, Laplace, LogNormal, LogisticNormal, LogitRelaxedBernoulli,
    LowRankMultivariateNormal, MixtureSameFamily, Multinomial, MultivariateNormal,
    NegativeBinomial, Normal, OneHotCategorical, Param, Pareto, Poisson, PowerTransform,
    SigmoidTransform, Sign, SoftmaxTransform, SoftplusTransform, StickBreakingTransform, StudentT,
    TanhTransform, Transform, TransformedDistribution, Uniform, VonMises, Weibull,
};
use crate::Variable;

/// A `flodl::distributions` distribution. `plain`: made from Tensors only,
/// so results that need no grad come back as Tensors, as the ops give them.
#[pyclass(name = "_Distribution", module = "flodl", frozen)]
pub(crate) struct PyDistribution {
    inner: Box<dyn Distribution>,
    plain: bool,
}

// SAFETY: as for PyVariable: every method reads the distribution through
// `&self`; its parameters are tensor handles, safe to read from several
// threads (atomic refcounts), and none is changed after construction.
unsafe impl Sync for PyDistribution {}

/// A parameter or value: a Variable as it is, a Tensor as a constant; and
/// whether it was a Variable.
fn operand(op: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<(Variable, bool)> {
    if let Some(v) = crate::python::args::as_variable(obj) {
        return Ok((v.get().inner.clone(), true));
    }
    if let Some(t) = plain_tensor(obj) {
        return Ok((Variable::new(t.get().inner.clone(), false)?, false));
    }
    Err(PyTypeError::new_err(format!(
        "{op}: {what} must be a Tensor, got {}",
        type_name(obj)
    )))
}

/// The Categorical of `param`: its probabilities, or its logits.
fn categorical_of(
    param: &Variable,
    from_probs: bool,
    validate: bool,
) -> crate::Result<Categorical> {
    match from_probs {
        true => Categorical::from_probs(param, validate),
        false => Categorical::from_logits(param, validate),
    }
}

/// A distribution with `probs` or `logits` (exactly one), made by `make`.
fn of_probs_or_logits(
    name: &str,
    probs: Option<&Bound<'_, PyAny>>,
    logits: Option<&Bound<'_, PyAny>>,
    make: impl FnOnce(&Variable, bool) -> crate::Result<Box<dyn Distribution>>,
) -> PyResult<PyDistribution> {
    let (given, from_probs) = match (probs, logits) {
        (Some(p), None) => (p, true),
        (None, Some(l)) => (l, false),
        _ => {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("{name}: either `probs` or `logits` must be specified, but not both."),
            )
            .into())
        }
    };
    let what = if from_probs { "probs" } else { "logits" };
    let (param, variable) = operand(name, what, given)?;
    Ok(PyDistribution {
        inner: make(&param, from_probs)?,
        plain: !variable,
    })
}

impl PyDistribution {
    /// A result as Python: a Tensor where it needs no grad and the
    /// distribution was made from Tensors.
    fn out<'py>(&self, py: Python<'py>, v: Variable) -> PyResult<Bound<'py, PyAny>> {
        super::results::plain_unless_tracked(py, v, self.plain)
    }

    fn value(&self, value: &Bound<'_, PyAny>) -> PyResult<Variable> {
        Ok(operand(self.inner.name(), "the value", value)?.0)
    }
}

crate::python::guard::guarded! {

#[pymethods]
impl PyDistribution {
    /// `Normal(loc, scale)` (Tensors, broadcast together).
    #[staticmethod]
    fn normal(loc: &Bound<'_, PyAny>, scale: &Bound<'_, PyAny>, validate: bool) -> PyResult<Self> {
        let (loc, loc_var) = operand("Normal", "loc", loc)?;
        let (scale, scale_var) = operand("Normal", "scale", scale)?;
        Ok(PyDistribution {
            inner: Box::new(Normal::new(&loc, &scale, validate)?),
            plain: !(loc_var || scale_var),
        })
    }

    /// `Categorical(probs=...)` or `Categorical(logits=...)`.
    #[staticmethod]
    #[pyo3(signature = (probs, logits, validate))]
    fn categorical(
        probs: Option<&Bound<'_, PyAny>>,
        logits: Option<&Bound<'_, PyAny>>,
        validate: bool,
    ) -> PyResult<Self> {
        of_probs_or_logits("Categorical", probs, logits, |param, from_probs| {
            Ok(Box::new(categorical_of(param, from_probs, validate)?))
        })
    }

    /// `Bernoulli(probs=...)` or `Bernoulli(logits=...)`.
    #[staticmethod]
    #[pyo3(signature = (probs, logits, validate))]
    fn bernoulli(
        probs: Option<&Bound<'_, PyAny>>,
        logits: Option<&Bound<'_, PyAny>>,
        validate: bool,
    ) -> PyResult<Self> {
        of_probs_or_logits("Bernoulli", probs, logits, |param, from_probs| {
            Ok(match from_probs {
                true => Box::new(Bernoulli::from_probs(param, validate)?),
                false => Box::new(Bernoulli::from_logits(param, validate)?),
            })
        })
    }

    /// `ContinuousBernoulli(probs=...)` or `(logits=...)`, with PyTorch's
    /// `lims`.
    #[staticmethod]
    #[pyo3(signature = (probs, logits, lims, validate))]
    fn continuous_bernoulli(
        probs: Option<&Bound<'_, PyAny>>,
        logits: Option<&Bound<'_, PyAny>>,
        lims: (f64, f64),
        validate: bool,
    ) -> PyResult<Self> {
        of_probs_or_logits("ContinuousBernoulli", probs, logits, |param, from_probs| {
            Ok(Box::new(match from_probs {
                true => ContinuousBernoulli::from_probs(param, lims, validate)?,
                false => ContinuousBernoulli::from_logits(param, lims, validate)?,
            }))
        })
    }

    /// `Geometric`, `Binomial`, `NegativeBinomial`, `Multinomial`
    /// (`total_count` first), `OneHotCategorical` or
    /// `OneHotCategoricalStraightThrough`, by its class name, from
    /// `probs` or `logits`.
    #[staticmethod]
    #[pyo3(signature = (kind, probs, logits, validate, total_count = None))]
    fn of_probs(
        kind: &str,
        probs: Option<&Bound<'_, PyAny>>,
        logits: Option<&Bound<'_, PyAny>>,
        validate: bool,
        total_count: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let count = total_count.map(|c| operand(kind, "total_count", c)).transpose()?;
        let mut made = of_probs_or_logits(kind, probs, logits, |param, from_probs| {
            Ok(match (kind, &count) {
                ("Geometric", _) => Box::new(Geometric::new(param, from_probs, validate)?),
                ("Binomial", Some((count, _))) => {
                    Box::new(Binomial::new(count, param, from_probs, validate)?)
                }
                ("NegativeBinomial", Some((count, _))) => {
                    Box::new(NegativeBinomial::new(count, param, from_probs, validate)?)
                }
                ("OneHotCategoricalStraightThrough", _) => {
                    let categorical = categorical_of(param, from_probs, validate)?;
                    Box::new(OneHotCategorical::straight_through(categorical, validate))
                }
                ("OneHotCategorical" | "Multinomial", _) => {
                    let categorical = categorical_of(param, from_probs, validate)?;
                    match (kind, &count) {
                        ("Multinomial", Some((count, _))) => {
                            // Python gives an int (torch refuses a tensor).
                            let total = count.data().item()? as i64;
                            Box::new(Multinomial::new(total, categorical, validate)?)
                        }
                        _ => Box::new(OneHotCategorical::new(categorical, validate)),
                    }
                }
                _ => crate::error::bail!(Argument, "_Distribution.of_probs: no distribution {kind:?}"),
            })
        })?;
        made.plain &= !count.is_some_and(|(_, variable)| variable);
        Ok(made)
    }

    /// `LogitRelaxedBernoulli` or `ExpRelaxedCategorical` (the bases of
    /// `RelaxedBernoulli` and `RelaxedOneHotCategorical`), by its class
    /// name, at `temperature`, from `probs` or `logits`.
    #[staticmethod]
    #[pyo3(signature = (kind, temperature, probs, logits, validate))]
    fn relaxed(
        kind: &str,
        temperature: &Bound<'_, PyAny>,
        probs: Option<&Bound<'_, PyAny>>,
        logits: Option<&Bound<'_, PyAny>>,
        validate: bool,
    ) -> PyResult<Self> {
        let (temperature, tracked) = operand(kind, "temperature", temperature)?;
        let mut made = of_probs_or_logits(kind, probs, logits, |param, from_probs| {
            Ok(match kind {
                "LogitRelaxedBernoulli" => Box::new(LogitRelaxedBernoulli::new(
                    &temperature,
                    param,
                    from_probs,
                    validate,
                )?),
                "ExpRelaxedCategorical" => {
                    let categorical = categorical_of(param, from_probs, validate)?;
                    Box::new(ExpRelaxedCategorical::new(&temperature, categorical, validate))
                }
                _ => crate::error::bail!(Argument, "_Distribution.relaxed: no distribution {kind:?}"),
            })
        })?;
        made.plain &= !tracked;
        Ok(made)
    }

    /// `TransformedDistribution(base, transforms)`.
    #[staticmethod]
    fn transformed(base: &Self, transforms: Vec<PyRef<'_, PyTransform>>, validate: bool) -> PyResult<Self> {
        let parts = transforms.iter().map(|t| t.inner.boxed()).collect();
        let plain = base.plain && transforms.iter().all(|t| t.plain);
        Ok(PyDistribution {
            inner: Box::new(
                TransformedDistribution::new(base.inner.boxed(), parts, validate)
                    .map_err(super::hooks::restore)?,
            ),
            plain,
        })
    }

    /// `MixtureSameFamily(mixture, components)`: `mixture` a Categorical.
    #[staticmethod]
    fn mixture_same_family(mixture: &Self, components: &Self, validate: bool) -> PyResult<Self> {
        let Some(categorical) = mixture.inner.as_any().downcast_ref::<Categorical>() else {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!(
                    "MixtureSameFamily: the mixture distribution must be a Categorical, got {}",
                    mixture.inner.name()
                ),
            )
            .into());
        };
        let inner = MixtureSameFamily::new(categorical.clone(), components.inner.boxed(), validate)?;
        Ok(PyDistribution {
            inner: Box::new(inner),
            plain: mixture.plain && components.plain,
        })
    }

    /// A distribution of Tensor parameters, by its class name: `Uniform`
    /// (low, high), `Exponential` (rate), `Laplace` (loc, scale), `Gamma`
    /// (concentration, rate), `Beta` (concentration1, concentration0),
    /// `Dirichlet` (concentration), `Poisson` (rate), `Cauchy`, `Gumbel`
    /// and `LogNormal` (loc, scale), `HalfNormal` and `HalfCauchy` (scale),
    /// `Weibull` (scale, concentration), `Pareto` (scale, alpha), `InverseGamma`
    /// (concentration, rate), `FisherSnedecor` (df1, df2), `Kumaraswamy`
    /// (concentration1, concentration0), `LogisticNormal` (loc, scale), `StudentT`
    /// (df, loc, scale), `VonMises` (loc, concentration) or
    /// `LowRankMultivariateNormal` (loc, cov_factor, cov_diag).
    #[staticmethod]
    fn of(kind: &str, params: Vec<Bound<'_, PyAny>>, validate: bool) -> PyResult<Self> {
        const NAMES: [(&str, &[&str]); 21] = [
            ("Uniform", &["low", "high"]),
            ("Exponential", &["rate"]),
            ("Laplace", &["loc", "scale"]),
            ("Gamma", &["concentration", "rate"]),
            ("Beta", &["concentration1", "concentration0"]),
            ("Dirichlet", &["concentration"]),
            ("Poisson", &["rate"]),
            ("Cauchy", &["loc", "scale"]),
            ("Gumbel", &["loc", "scale"]),
            ("LogNormal", &["loc", "scale"]),
            ("HalfNormal", &["scale"]),
            ("HalfCauchy", &["scale"]),
            ("Weibull", &["scale", "concentration"]),
            ("Pareto", &["scale", "alpha"]),
            ("InverseGamma", &["concentration", "rate"]),
            ("FisherSnedecor", &["df1", "df2"]),
            ("Kumaraswamy", &["concentration1", "concentration0"]),
            ("LogisticNormal", &["loc", "scale"]),
            ("StudentT", &["df", "loc", "scale"]),
            ("VonMises", &["loc", "concentration"]),
            ("LowRankMultivariateNormal", &["loc", "cov_factor", "cov_diag"]),
        ];
        let Some((_, names)) = NAMES.iter().find(|(name, _)| *name == kind) else {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("_Distribution.of: no distribution {kind:?}"),
            )
            .into());
        };
        if params.len() != names.len() {
            return Err(PyTypeError::new_err(format!(
                "{kind}: expected {} parameters, got {}",
                names.len(),
                params.len()
            )));
        }
        let mut plain = true;
        let mut vars = Vec::with_capacity(params.len());
        for (obj, name) in params.iter().zip(names.iter()) {
            let (v, is_variable) = operand(kind, name, obj)?;
            plain &= !is_variable;
            vars.push(v);
        }
        let inner: Box<dyn Distribution> = match (kind, vars.as_slice()) {
            ("Uniform", [low, high]) => Box::new(Uniform::new(low, high, validate)?),
            ("Exponential", [rate]) => Box::new(Exponential::new(rate, validate)?),
            ("Laplace", [loc, scale]) => Box::new(Laplace::new(loc, scale, validate)?),
            ("Gamma", [alpha, rate]) => Box::new(Gamma::new(alpha, rate, validate)?),
            ("Beta", [c1, c0]) => Box::new(Beta::new(c1, c0, validate)?),
            ("Dirichlet", [alpha]) => Box::new(Dirichlet::new(alpha, validate)?),
            ("Cauchy", [loc, scale]) => Box::new(Cauchy::new(loc, scale, validate)?),
            ("Gumbel", [loc, scale]) => Box::new(Gumbel::new(loc, scale, validate)?),
            ("LogNormal", [loc, scale]) => Box::new(LogNormal::new(loc, scale, validate)?),
            ("HalfNormal", [scale]) => Box::new(HalfNormal::new(scale, validate)?),
            ("HalfCauchy", [scale]) => Box::new(HalfCauchy::new(scale, validate)?),
            ("Weibull", [scale, k]) => Box::new(Weibull::new(scale, k, validate)?),
            ("Pareto", [scale, alpha]) => Box::new(Pareto::new(scale, alpha, validate)?),
            ("InverseGamma", [alpha, rate]) => Box::new(InverseGamma::new(alpha, rate, validate)?),
            ("FisherSnedecor", [df1, df2]) => Box::new(FisherSnedecor::new(df1, df2, validate)?),
            ("Kumaraswamy", [c1, c0]) => Box::new(Kumaraswamy::new(c1, c0, validate)?),
            ("LogisticNormal", [loc, scale]) => Box::new(LogisticNormal::new(loc, scale, validate)?),
            ("StudentT", [df, loc, scale]) => Box::new(StudentT::new(df, loc, scale, validate)?),
            ("VonMises", [loc, kappa]) => Box::new(VonMises::new(loc, kappa, validate)?),
            ("LowRankMultivariateNormal", [loc, w, d]) => {
                Box::new(LowRankMultivariateNormal::new(loc, w, d, validate)?)
            }
            _ => Box::new(Poisson::new(&vars[0], validate)?),
        };
        Ok(PyDistribution { inner, plain })
    }

    /// `MultivariateNormal(loc, ...)` with exactly one of the matrices.
    #[staticmethod]
    #[pyo3(signature = (loc, covariance_matrix, precision_matrix, scale_tril, validate))]
    fn multivariate_normal(
        loc: &Bound<'_, PyAny>,
        covariance_matrix: Option<&Bound<'_, PyAny>>,
        precision_matrix: Option<&Bound<'_, PyAny>>,
        scale_tril: Option<&Bound<'_, PyAny>>,
        validate: bool,
    ) -> PyResult<Self> {
        const NAME: &str = "MultivariateNormal";
        let given = [
            (covariance_matrix, CovarianceForm::Covariance, "covariance_matrix"),
            (precision_matrix, CovarianceForm::Precision, "precision_matrix"),
            (scale_tril, CovarianceForm::ScaleTril, "scale_tril"),
        ];
        let mut present = given.iter().filter_map(|(m, form, name)| Some((m.as_ref()?, *form, *name)));
        let (Some((matrix, form, what)), None) = (present.next(), present.next()) else {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!(
                    "{NAME}: Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."
                ),
            )
            .into());
        };
        let (loc, loc_var) = operand(NAME, "loc", loc)?;
        let (matrix, matrix_var) = operand(NAME, what, matrix)?;
        Ok(PyDistribution {
            inner: Box::new(MultivariateNormal::new(&loc, &matrix, form, validate)?),
            plain: !(loc_var || matrix_var),
        })
    }

    /// The same distribution over the batch `batch_shape`.
    fn expand(&self, batch_shape: Vec<i64>) -> PyResult<Self> {
        Ok(PyDistribution {
            inner: self.inner.expand(&batch_shape).map_err(super::hooks::restore)?,
            plain: self.plain,
        })
    }

    /// `Independent(base, reinterpreted_batch_ndims)`.
    #[staticmethod]
    fn independent(base: &Self, reinterpreted_batch_ndims: usize) -> PyResult<Self> {
        Ok(PyDistribution {
            inner: Box::new(Independent::new(base.inner.boxed(), reinterpreted_batch_ndims)?),
            plain: base.plain,
        })
    }

    #[getter]
    fn batch_shape(&self) -> PyResult<Vec<i64>> {
        Ok(self.inner.batch_shape())
    }

    #[getter]
    fn event_shape(&self) -> PyResult<Vec<i64>> {
        Ok(self.inner.event_shape())
    }

    #[getter]
    fn has_rsample(&self) -> PyResult<bool> {
        Ok(self.inner.has_rsample())
    }

    /// A parameter by name (`loc`, `scale`, `probs`, ...), as kept
    /// (broadcast or normalized).
    fn param<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let found = self.inner.params().into_iter().find(|(n, _)| *n == name);
        match found {
            Some((_, v)) => self.out(py, v),
            None => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("{}: has no parameter {name:?}", self.inner.name()),
            )
            .into()),
        }
    }

    fn sample(&self, sample_shape: Vec<i64>) -> PyResult<crate::Tensor> {
        self.inner.sample(&sample_shape).map_err(super::hooks::restore)
    }

    fn rsample<'py>(&self, py: Python<'py>, sample_shape: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
        let drawn = self.inner.rsample(&sample_shape).map_err(super::hooks::restore)?;
        self.out(py, drawn)
    }

    fn log_prob<'py>(&self, py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.log_prob(&self.value(value)?).map_err(super::hooks::restore)?;
        self.out(py, v)
    }

    fn cdf<'py>(&self, py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.cdf(&self.value(value)?).map_err(super::hooks::restore)?;
        self.out(py, v)
    }

    fn icdf<'py>(&self, py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.icdf(&self.value(value)?).map_err(super::hooks::restore)?;
        self.out(py, v)
    }

    fn entropy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.entropy()?;
        self.out(py, v)
    }

    fn mean<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.mean()?;
        self.out(py, v)
    }

    fn mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.mode()?;
        self.out(py, v)
    }

    fn variance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.variance()?;
        self.out(py, v)
    }

    fn stddev<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.inner.stddev()?;
        self.out(py, v)
    }

    fn enumerate_support(&self, expand: bool) -> PyResult<crate::Tensor> {
        Ok(self.inner.enumerate_support(expand)?)
    }

    /// The pairs of class names of different kinds with a KL here
    /// (PyTorch's registrations), for Python's registry.
    #[staticmethod]
    fn kl_cross_pairs() -> PyResult<Vec<(&'static str, &'static str)>> {
        let pairs = crate::distributions::KL_CROSS_PAIRS.iter();
        Ok(pairs.map(|(p, q, _)| (*p, *q)).collect())
    }

    /// `KL(self || other)`.
    fn kl<'py>(&self, py: Python<'py>, other: &Self) -> PyResult<Bound<'py, PyAny>> {
        let v = kl_divergence(self.inner.as_ref(), other.inner.as_ref())?;
        super::results::plain_unless_tracked(py, v, self.plain && other.plain)
    }
}

}

/// A `flodl::distributions` transform (`flodl.distributions.transforms`'
/// classes hold one). `plain`: its parameters are Tensors.
#[pyclass(name = "_Transform", module = "flodl", frozen)]
pub(crate) struct PyTransform {
    inner: Box<dyn Transform>,
    plain: bool,
}

// SAFETY: as for PyDistribution: the transform's parameters are tensor
// handles read through `&self`; its cache is behind a Mutex.
unsafe impl Sync for PyTransform {}

impl PyTransform {
    fn of(inner: impl Transform + 'static) -> Self {
        PyTransform {
            inner: Box::new(inner),
            plain: true,
        }
    }

    fn out<'py>(&self, py: Python<'py>, v: Variable, tracked: bool) -> PyResult<Bound<'py, PyAny>> {
        super::results::plain_unless_tracked(py, v, self.plain && !tracked)
    }
}

/// A number or a tensor parameter of a transform, and whether it is a Variable.
fn param(op: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<(Param, bool)> {
    if let Some(number) = super::args::scalar(obj) {
        let number = number.map_err(|p| p.raise(op, what))?;
        return Ok((Param::Number(number), false));
    }
    let (v, variable) = operand(op, what, obj)?;
    Ok((Param::Tensor(v), variable))
}

/// A transform written in Python (a `Transform` subclass of one's own):
/// each method calls the object's, with the GIL; an exception it raises
/// comes back out unchanged.
struct PythonTransform {
    object: Py<PyAny>,
    domain_event_dim: usize,
    codomain_event_dim: usize,
    /// The Python objects of the last values passed and returned, so that a
    /// value the transform gave comes back as the same object (a
    /// `cache_size=1` transform recognises it by identity, as in PyTorch).
    seen: Seen,
}

/// Values and the Python objects they were passed or returned as.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(Variable, Py<PyAny>)>>>;

/// How many values [`PythonTransform`] keeps the objects of.
const SEEN: usize = 4;

impl PythonTransform {
    /// `v` as the Python object it was last seen as, or a new one.
    fn object_of<'py>(&self, py: Python<'py>, v: &Variable) -> PyResult<Bound<'py, PyAny>> {
        let raw = crate::Operand::raw(v);
        let found = {
            // Not held while Python runs (a new object may run a finalizer).
            let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.iter()
                .find(|(s, _)| crate::ffi::is_same(crate::Operand::raw(s), raw))
                .map(|(_, object)| object.clone_ref(py))
        };
        match found {
            Some(object) => Ok(object.into_bound(py)),
            None => Ok(v.clone().into_pyobject(py)?.into_any()),
        }
    }

    fn remember(&self, v: &Variable, object: &Bound<'_, PyAny>) {
        let raw = crate::Operand::raw(v);
        let dropped = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let mut dropped: Vec<(Variable, Py<PyAny>)> = Vec::new();
            seen.retain(|entry| {
                let keep = !crate::ffi::is_same(crate::Operand::raw(&entry.0), raw);
                if !keep {
                    dropped.push((entry.0.clone(), entry.1.clone_ref(object.py())));
                }
                keep
            });
            seen.push((v.clone(), object.clone().unbind()));
            if seen.len() > SEEN {
                dropped.push(seen.remove(0));
            }
            dropped
        };
        // The objects let go of here, after the lock (a finalizer may run).
        drop(dropped);
    }

    fn call(&self, method: &str, args: &[&Variable]) -> crate::Result<Variable> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            let objects: Vec<Bound<'_, PyAny>> = args
                .iter()
                .map(|v| self.object_of(py, v))
                .collect::<PyResult<_>>()
                .map_err(super::hooks::carried)?;
            for (v, o) in args.iter().zip(&objects) {
                self.remember(v, o);
            }
            let tuple = pyo3::types::PyTuple::new(py, objects).map_err(super::hooks::carried)?;
            let result = object
                .call_method1(method, tuple)
                .map_err(super::hooks::carried)?;
            let (value, _) =
                operand(method, "the result", &result).map_err(super::hooks::carried)?;
            self.remember(&value, &result);
            Ok(value)
        })
    }
}

impl Transform for PythonTransform {
    fn name(&self) -> String {
        Python::attach(|py| {
            self.object
                .bind(py)
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "Transform".to_string())
        })
    }
    fn forward(&self, x: &Variable) -> crate::Result<Variable> {
        self.call("__call__", &[x])
    }
    fn inverse(&self, y: &Variable) -> crate::Result<Variable> {
        self.call("_inv_call", &[y])
    }
    fn log_abs_det_jacobian(&self, x: &Variable, y: &Variable) -> crate::Result<Variable> {
        self.call("log_abs_det_jacobian", &[x, y])
    }
    fn domain_event_dim(&self) -> usize {
        self.domain_event_dim
    }
    fn codomain_event_dim(&self) -> usize {
        self.codomain_event_dim
    }
    fn sign(&self) -> crate::Result<Sign> {
        Python::attach(|py| {
            let sign = self
                .object
                .bind(py)
                .getattr("sign")
                .map_err(super::hooks::carried)?;
            if let Ok(number) = sign.extract::<f64>() {
                return Ok(Sign::Number(number));
            }
            let (v, _) = operand("sign", "the sign", &sign).map_err(super::hooks::carried)?;
            Ok(Sign::Tensor(v))
        })
    }
    fn codomain_check(&self, v: &crate::Tensor) -> crate::Result<crate::Tensor> {
        Python::attach(|py| {
            let check = || -> PyResult<crate::Tensor> {
                let codomain = self.object.bind(py).getattr("codomain")?;
                let result = codomain.call_method1("check", (v.clone(),))?;
                let (checked, _) = operand("check", "the result", &result)?;
                Ok(checked.data())
            };
            check().map_err(super::hooks::carried)
        })
    }
    fn forward_shape(&self, shape: &[i64]) -> crate::Result<Vec<i64>> {
        self.shape("forward_shape", shape)
    }
    fn inverse_shape(&self, shape: &[i64]) -> crate::Result<Vec<i64>> {
        self.shape("inverse_shape", shape)
    }
    fn boxed(&self) -> Box<dyn Transform> {
        Python::attach(|py| {
            Box::new(PythonTransform {
                object: self.object.clone_ref(py),
                domain_event_dim: self.domain_event_dim,
                codomain_event_dim: self.codomain_event_dim,
                seen: self.seen.clone(),
            })
        })
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl PythonTransform {
    fn shape(&self, method: &str, shape: &[i64]) -> crate::Result<Vec<i64>> {
        Python::attach(|py| {
            let result = self
                .object
                .bind(py)
                .call_method1(method, (shape.to_vec(),))
                .and_then(|r| r.extract::<Vec<i64>>());
            result.map_err(super::hooks::carried)
        })
    }
}

crate::python::guard::guarded! {

#[pymethods]
impl PyTransform {
    #[staticmethod]
    fn exp() -> PyResult<Self> {
        Ok(PyTransform::of(ExpTransform))
    }

    #[staticmethod]
    fn sigmoid() -> PyResult<Self> {
        Ok(PyTransform::of(SigmoidTransform))
    }

    #[staticmethod]
    fn softplus() -> PyResult<Self> {
        Ok(PyTransform::of(SoftplusTransform))
    }

    #[staticmethod]
    fn tanh() -> PyResult<Self> {
        Ok(PyTransform::of(TanhTransform))
    }

    #[staticmethod]
    fn abs() -> PyResult<Self> {
        Ok(PyTransform::of(AbsTransform))
    }

    #[staticmethod]
    fn softmax() -> PyResult<Self> {
        Ok(PyTransform::of(SoftmaxTransform))
    }

    #[staticmethod]
    fn stick_breaking() -> PyResult<Self> {
        Ok(PyTransform::of(StickBreakingTransform))
    }

    /// `x ** exponent` (a tensor).
    #[staticmethod]
    fn power(exponent: &Bound<'_, PyAny>) -> PyResult<Self> {
        let (exponent, variable) = operand("PowerTransform", "exponent", exponent)?;
        Ok(PyTransform {
            inner: Box::new(PowerTransform::new(&exponent)),
            plain: !variable,
        })
    }

    /// `loc + scale * x` (numbers or tensors) over events of `event_dim` dims.
    #[staticmethod]
    fn affine(loc: &Bound<'_, PyAny>, scale: &Bound<'_, PyAny>, event_dim: usize) -> PyResult<Self> {
        let (loc, loc_var) = param("AffineTransform", "loc", loc)?;
        let (scale, scale_var) = param("AffineTransform", "scale", scale)?;
        Ok(PyTransform {
            inner: Box::new(AffineTransform::new(loc, scale, event_dim)),
            plain: !(loc_var || scale_var),
        })
    }

    /// The `parts` applied in order.
    #[staticmethod]
    fn compose(parts: Vec<PyRef<'_, PyTransform>>) -> PyResult<Self> {
        Ok(PyTransform {
            inner: Box::new(ComposeTransform::new(parts.iter().map(|p| p.inner.boxed()).collect())),
            plain: parts.iter().all(|p| p.plain),
        })
    }

    /// `base` with its rightmost `reinterpreted_batch_ndims` dims as one event.
    #[staticmethod]
    fn independent(base: PyRef<'_, PyTransform>, reinterpreted_batch_ndims: usize) -> PyResult<Self> {
        Ok(PyTransform {
            inner: Box::new(IndependentTransform::new(base.inner.boxed(), reinterpreted_batch_ndims)),
            plain: base.plain,
        })
    }

    /// A transform written in Python, by its methods.
    #[staticmethod]
    fn python(object: &Bound<'_, PyAny>, domain_event_dim: usize, codomain_event_dim: usize) -> PyResult<Self> {
        Ok(PyTransform {
            inner: Box::new(PythonTransform {
                object: object.clone().unbind(),
                domain_event_dim,
                codomain_event_dim,
                seen: Default::default(),
            }),
            plain: false,
        })
    }

    /// The inverse transform.
    fn inv(&self) -> PyResult<Self> {
        Ok(PyTransform {
            inner: Box::new(InverseTransform::new(self.inner.boxed())),
            plain: self.plain,
        })
    }

    /// This transform keeping its last `(x, y)` pair (`cache_size=1`).
    fn cached(&self) -> PyResult<Self> {
        Ok(PyTransform {
            inner: Box::new(CachedTransform::new(self.inner.boxed())),
            plain: self.plain,
        })
    }

    fn forward<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (x, tracked) = operand(&self.inner.name(), "x", x)?;
        let y = self.inner.forward(&x).map_err(super::hooks::restore)?;
        self.out(py, y, tracked)
    }

    fn inverse<'py>(&self, py: Python<'py>, y: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (y, tracked) = operand(&self.inner.name(), "y", y)?;
        let x = self.inner.inverse(&y).map_err(super::hooks::restore)?;
        self.out(py, x, tracked)
    }

    fn log_abs_det_jacobian<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self.inner.name();
        let (x, x_tracked) = operand(&name, "x", x)?;
        let (y, y_tracked) = operand(&name, "y", y)?;
        let j = self.inner.log_abs_det_jacobian(&x, &y).map_err(super::hooks::restore)?;
        self.out(py, j, x_tracked || y_tracked)
    }

    fn forward_shape(&self, shape: Vec<i64>) -> PyResult<Vec<i64>> {
        self.inner.forward_shape(&shape).map_err(super::hooks::restore)
    }

    fn inverse_shape(&self, shape: Vec<i64>) -> PyResult<Vec<i64>> {
        self.inner.inverse_shape(&shape).map_err(super::hooks::restore)
    }

    #[getter]
    fn domain_event_dim(&self) -> PyResult<usize> {
        Ok(self.inner.domain_event_dim())
    }

    #[getter]
    fn codomain_event_dim(&self) -> PyResult<usize> {
        Ok(self.inner.codomain_event_dim())
    }

    #[getter]
    fn bijective(&self) -> bool {
        self.inner.bijective()
    }

    /// +1 or -1 (a number), or a tensor of them.
    fn sign<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.sign().map_err(super::hooks::restore)? {
            Sign::Number(s) => Ok(pyo3::types::PyInt::new(py, s as i64).into_any()),
            Sign::Tensor(t) => self.out(py, t, false),
        }
    }
}

}

/// _constraint_check(name, value, lower=None, upper=None)
/// --
///
/// `flodl::distributions::constraints`' check `name` (`"real"`,
/// `"greater_than"`, `"interval"`, `"positive_definite"`, ...: the
/// constraints' names in snake case) of `value`, with its bounds (numbers,
/// or tensors broadcast against the value): a Bool tensor, one per event.
#[pyfunction]
#[pyo3(name = "_constraint_check", signature = (name, value, lower = None, upper = None))]
pub(crate) fn constraint_check(
    name: &str,
    value: &Bound<'_, PyAny>,
    lower: Option<&Bound<'_, PyAny>>,
    upper: Option<&Bound<'_, PyAny>>,
) -> PyResult<crate::Tensor> {
    use crate::distributions::constraints::{Bound as Limit, Constraint as C};
    let op = "constraints.check";
    let limit = |b: Option<&Bound<'_, PyAny>>, which: &str| -> PyResult<Limit> {
        let Some(b) = b else {
            return Err(PyTypeError::new_err(format!(
                "{op}: {name} needs its {which} bound"
            )));
        };
        if plain_tensor(b).is_some() || super::args::as_variable(b).is_some() {
            return Ok(Limit::Tensor(super::args::tensor_values(op, b)?));
        }
        match b.extract::<f64>() {
            Ok(x) => Ok(Limit::Number(x)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{op}: {name}'s {which} bound is a number or a tensor, got {}",
                type_name(b)
            ))),
        }
    };
    let constraint = match name {
        "real" => C::Real,
        "boolean" => C::Boolean,
        "one_hot" => C::OneHot,
        "simplex" => C::Simplex,
        "lower_cholesky" => C::LowerCholesky,
        "positive_definite" => C::PositiveDefinite,
        "greater_than" => C::GreaterThan(limit(lower, "lower")?),
        "greater_than_eq" => C::GreaterThanEq(limit(lower, "lower")?),
        "less_than" => C::LessThan(limit(upper, "upper")?),
        "interval" => C::Interval(limit(lower, "lower")?, limit(upper, "upper")?),
        "half_open_interval" => C::HalfOpenInterval(limit(lower, "lower")?, limit(upper, "upper")?),
        "integer_interval" => C::IntegerInterval(limit(lower, "lower")?, limit(upper, "upper")?),
        "integer_greater_than" => C::IntegerGreaterThan(limit(lower, "lower")?),
        "multinomial" => C::Multinomial(limit(upper, "upper")?),
        _ => {
            return Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("{op}: no constraint {name:?}"),
            )
            .into())
        }
    };
    let value = super::args::tensor_values(op, value)?;
    Ok(constraint.check(&value)?)
}
