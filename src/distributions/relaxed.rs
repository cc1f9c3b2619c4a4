//! The relaxed (continuous) forms of Bernoulli and Categorical draws, as
//! `torch.distributions`' `LogitRelaxedBernoulli` and
//! `ExpRelaxedCategorical`: the bases that Python's `RelaxedBernoulli`
//! (through a sigmoid) and `RelaxedOneHotCategorical` (through exp)
//! transform. Their reparameterized draws carry gradients through a
//! discrete choice (the Gumbel-softmax trick); `temperature` sets how close
//! to discrete the draws are.

use std::any::Any;

use super::{
    broadcast_shape, checked, constant, drawn, expanded, options_of, real, unsupported,
    Categorical, Distribution,
};
use crate::error::Result;
use crate::{Tensor, Variable};

/// `p` clamped into `[eps, 1 - eps]` of its dtype (PyTorch's `clamp_probs`).
fn clamp_probs(p: &Tensor) -> Result<Tensor> {
    let eps = p.dtype().finfo()?.eps;
    p.clamp(eps, 1.0 - eps)
}

/// The logit of a relaxed Bernoulli draw: `(logit(u) + logits) /
/// temperature` for `u` uniform, as `torch.distributions`'
/// `LogitRelaxedBernoulli`.
#[derive(Clone, Debug)]
pub struct LogitRelaxedBernoulli {
    temperature: Variable,
    probs: Variable,
    logits: Variable,
    validate: bool,
}

impl LogitRelaxedBernoulli {
    /// From the success probabilities (in `[0, 1]` with `validate`) or their
    /// log-odds (`from_probs` false), at `temperature`.
    pub fn new(
        temperature: &Variable,
        param: &Variable,
        from_probs: bool,
        validate: bool,
    ) -> Result<LogitRelaxedBernoulli> {
        let name = "LogitRelaxedBernoulli";
        let (probs, logits) = super::counts::probs_and_logits(name, param, from_probs, validate)?;
        Ok(LogitRelaxedBernoulli {
            temperature: temperature.clone(),
            probs,
            logits,
            validate,
        })
    }
}

impl Distribution for LogitRelaxedBernoulli {
    bookkeeping!("LogitRelaxedBernoulli");
    fn batch_shape(&self) -> Vec<i64> {
        self.probs.shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        vec![
            ("temperature", self.temperature.clone()),
            ("probs", self.probs.clone()),
            ("logits", self.logits.clone()),
        ]
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(LogitRelaxedBernoulli {
            temperature: self.temperature.clone(),
            probs: self.probs.expand(batch_shape)?,
            logits: self.logits.expand(batch_shape)?,
            validate: self.validate,
        }))
    }
    reparameterized!();
    /// PyTorch's steps, in its order.
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let eps = self.probs.dtype().finfo()?.eps;
        let probs = self.probs.expand(&shape)?.clamp(eps, 1.0 - eps)?;
        let uniforms = clamp_probs(&Tensor::rand(&shape, options_of(&self.probs))?)?;
        let noise = uniforms.log()?.sub(&uniforms.neg()?.log1p()?)?;
        constant(noise)?
            .add(&probs.log()?)?
            .sub(&probs.neg()?.log1p()?)?
            .div(&self.temperature)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let shape = broadcast_shape(self.name(), &[self.logits.shape(), value.shape()])?;
        let (logits, value) = (expanded(&self.logits, &shape)?, expanded(value, &shape)?);
        let diff = logits.sub(&value.mul(&self.temperature)?)?;
        self.temperature
            .log()?
            .add(&diff)?
            .sub(&diff.exp()?.log1p()?.mul_scalar(2)?)
    }
    no_moments!();
}

/// The log of a relaxed one-hot draw: `log_softmax((logits + gumbel) /
/// temperature)`, as `torch.distributions`' `ExpRelaxedCategorical`.
#[derive(Clone, Debug)]
pub struct ExpRelaxedCategorical {
    temperature: Variable,
    categorical: Categorical,
    validate: bool,
}

impl ExpRelaxedCategorical {
    /// Over `categorical`'s classes, at `temperature`.
    pub fn new(temperature: &Variable, categorical: Categorical, validate: bool) -> Self {
        ExpRelaxedCategorical {
            temperature: temperature.clone(),
            categorical,
            validate,
        }
    }

    fn logits(&self) -> &Variable {
        self.categorical.logits()
    }
}

impl Distribution for ExpRelaxedCategorical {
    bookkeeping!("ExpRelaxedCategorical");
    fn batch_shape(&self) -> Vec<i64> {
        self.categorical.batch_shape()
    }
    fn event_shape(&self) -> Vec<i64> {
        vec![self.categorical.num_events()]
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        let mut params = vec![("temperature", self.temperature.clone())];
        params.extend(self.categorical.params());
        params
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        Ok(Box::new(ExpRelaxedCategorical::new(
            &self.temperature,
            self.categorical.expanded(batch_shape)?,
            self.validate,
        )))
    }
    reparameterized!();
    /// PyTorch's steps, in its order: Gumbel noise from clamped uniforms.
    fn rsample(&self, sample_shape: &[i64]) -> Result<Variable> {
        let shape = self.extended_shape(sample_shape);
        let uniforms = clamp_probs(&Tensor::rand(&shape, options_of(self.logits()))?)?;
        let gumbels = uniforms.log()?.neg()?.log()?.neg()?;
        let scores = self
            .logits()
            .add(&constant(gumbels)?)?
            .div(&self.temperature)?;
        scores.sub(&scores.logsumexp(-1, true)?)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        checked(self, self.validate, value, real)?;
        let k = self.categorical.num_events() as f64;
        let shape = broadcast_shape(self.name(), &[self.logits().shape(), value.shape()])?;
        let (logits, value) = (expanded(self.logits(), &shape)?, expanded(value, &shape)?);
        let classes = Tensor::full(&self.temperature.shape(), k, options_of(&self.temperature))?;
        let log_scale =
            constant(classes.lgamma()?)?.sub(&self.temperature.log()?.mul_scalar(-(k - 1.0))?)?;
        let score = logits.sub(&value.mul(&self.temperature)?)?;
        let score = score.sub(&score.logsumexp(-1, true)?)?.sum_dim(-1, false)?;
        score.add(&log_scale)
    }
    no_moments!();
}
