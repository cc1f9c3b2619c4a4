//! [`MixtureSameFamily`]: a batch of components of one family mixed by a
//! Categorical, as `torch.distributions.MixtureSameFamily`.

use std::any::Any;

use super::{Categorical, Distribution};
use crate::error::{bail, Result};
use crate::{Tensor, Variable};

/// A mixture of the components along the last batch dim of `components`,
/// weighted by `mixture`'s probabilities (PyTorch's
/// `MixtureSameFamily(mixture_distribution, component_distribution)`).
pub struct MixtureSameFamily {
    mixture: Categorical,
    components: Box<dyn Distribution>,
    validate: bool,
}

impl std::fmt::Debug for MixtureSameFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MixtureSameFamily")
            .field("mixture", &self.mixture)
            .field("components", &self.components.name())
            .finish()
    }
}

impl Clone for MixtureSameFamily {
    fn clone(&self) -> Self {
        MixtureSameFamily {
            mixture: self.mixture.clone(),
            components: self.components.boxed(),
            validate: self.validate,
        }
    }
}

impl MixtureSameFamily {
    /// `components`' batch shape is `batch ++ [k]`, the mixture's `batch`
    /// (or dims of size 1 there) over `k` classes.
    pub fn new(
        mixture: Categorical,
        components: Box<dyn Distribution>,
        validate: bool,
    ) -> Result<MixtureSameFamily> {
        let mixture_batch = mixture.batch_shape();
        let Some((&k, batch)) = components
            .batch_shape()
            .split_last()
            .map(|(k, b)| (k, b.to_vec()))
        else {
            bail!(
                Argument,
                "MixtureSameFamily: the component distribution needs a batch dim of components"
            );
        };
        let mismatched = mixture_batch
            .iter()
            .rev()
            .zip(batch.iter().rev())
            .any(|(&a, &b)| a != 1 && b != 1 && a != b);
        if mismatched {
            bail!(
                Argument,
                "MixtureSameFamily: `mixture_distribution.batch_shape` ({mixture_batch:?}) is not \
                 compatible with `component_distribution.batch_shape` ({batch:?})"
            );
        }
        if mixture.num_events() != k {
            bail!(
                Argument,
                "MixtureSameFamily: `mixture_distribution` component ({}) does not equal \
                 `component_distribution.batch_shape[-1]` ({k})",
                mixture.num_events()
            );
        }
        Ok(MixtureSameFamily {
            mixture,
            components,
            validate,
        })
    }

    /// The mixing distribution.
    pub fn mixture(&self) -> &Categorical {
        &self.mixture
    }

    /// The components (their last batch dim is the mixture's classes).
    pub fn components(&self) -> &dyn Distribution {
        self.components.as_ref()
    }

    fn event_ndims(&self) -> usize {
        self.components.event_shape().len()
    }

    /// `x` with a components dim before its event dims (PyTorch's `_pad`).
    fn pad(&self, x: &Variable) -> Result<Variable> {
        x.unsqueeze(-1 - self.event_ndims() as i64)
    }

    /// The mixture's probabilities shaped to meet the components' values
    /// (PyTorch's `_pad_mixture_dimensions`, its rule for a mixture of one
    /// batch dim included).
    fn padded_probs(&self) -> Result<Variable> {
        let probs = self.mixture.probs();
        let shape = probs.shape();
        let batch_ndims = self.batch_shape().len();
        let mixture_ndims = self.mixture.batch_shape().len();
        let pad = match mixture_ndims {
            1 => 0,
            n => batch_ndims - n,
        };
        let (k, leading) = shape
            .split_last()
            .map(|(k, l)| (*k, l.to_vec()))
            .unwrap_or((1, vec![]));
        let new_shape = [leading, vec![1; pad], vec![k], vec![1; self.event_ndims()]].concat();
        probs.reshape(&new_shape)
    }

    /// The components dim of the components' values.
    fn components_dim(&self) -> i64 {
        -1 - self.event_ndims() as i64
    }
}

impl Distribution for MixtureSameFamily {
    bookkeeping!("MixtureSameFamily");
    fn batch_shape(&self) -> Vec<i64> {
        let shape = self.components.batch_shape();
        shape[..shape.len() - 1].to_vec()
    }
    fn event_shape(&self) -> Vec<i64> {
        self.components.event_shape()
    }
    fn params(&self) -> Vec<(&'static str, Variable)> {
        self.mixture.params()
    }
    fn expand(&self, batch_shape: &[i64]) -> Result<Box<dyn Distribution>> {
        let k = self.mixture.num_events();
        let components = self.components.expand(&[batch_shape, &[k]].concat())?;
        let mixture = self.mixture.expand(batch_shape)?;
        let Some(mixture) = mixture.as_any().downcast_ref::<Categorical>() else {
            bail!(
                Torch,
                "MixtureSameFamily.expand: the expanded Categorical is another kind"
            );
        };
        Ok(Box::new(MixtureSameFamily {
            mixture: mixture.clone(),
            components,
            validate: self.validate,
        }))
    }
    /// A component drawn for each draw, then its value, as PyTorch (the
    /// mixture's draws come first).
    fn sample(&self, sample_shape: &[i64]) -> Result<Tensor> {
        let gather_dim = (sample_shape.len() + self.batch_shape().len()) as i64;
        let event = self.event_shape();
        let chosen = self.mixture.sample(sample_shape)?;
        let drawn = self.components.sample(sample_shape)?;
        let chosen_shape = chosen.shape();
        let index_shape = [chosen_shape.clone(), vec![1; event.len() + 1]].concat();
        let repeats = [vec![1; chosen_shape.len() + 1], event].concat();
        let index = chosen.reshape(&index_shape)?.repeat(&repeats)?;
        drawn.gather(gather_dim, &index)?.squeeze(gather_dim)
    }
    fn log_prob(&self, value: &Variable) -> Result<Variable> {
        if self.validate {
            let event = self.event_shape();
            let shape = value.shape();
            if shape.len() < event.len() || shape[shape.len() - event.len()..] != event[..] {
                bail!(
                    Argument,
                    "MixtureSameFamily: the value's event shape must be {event:?}"
                );
            }
        }
        let per_component = self.components.log_prob(&self.pad(value)?)?;
        let log_mix = self.mixture.logits().log_softmax(-1)?;
        per_component.add(&log_mix)?.logsumexp(-1, false)
    }
    fn cdf(&self, value: &Variable) -> Result<Variable> {
        let per_component = self.components.cdf(&self.pad(value)?)?;
        per_component.mul(self.mixture.probs())?.sum_dim(-1, false)
    }
    fn entropy(&self) -> Result<Variable> {
        super::unsupported("MixtureSameFamily", "entropy")
    }
    fn mean(&self) -> Result<Variable> {
        let weighted = self.padded_probs()?.mul(&self.components.mean()?)?;
        weighted.sum_dim(self.components_dim(), false)
    }
    fn mode(&self) -> Result<Variable> {
        super::unsupported("MixtureSameFamily", "mode")
    }
    /// The law of total variance: the mean of the components' variances
    /// plus the variance of their means.
    fn variance(&self) -> Result<Variable> {
        let probs = self.padded_probs()?;
        let dim = self.components_dim();
        let mean_cond_var = probs
            .mul(&self.components.variance()?)?
            .sum_dim(dim, false)?;
        let spread = self.components.mean()?.sub(&self.pad(&self.mean()?)?)?;
        let var_cond_mean = probs.mul(&spread.pow_scalar(2.0)?)?.sum_dim(dim, false)?;
        mean_cond_var.add(&var_cond_mean)
    }
}
