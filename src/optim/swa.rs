//! The averages of a model's parameters over training, as
//! `torch.optim.swa_utils`' update rules: stochastic weight averaging (the
//! running mean of the models seen) and an exponential moving average.
//! Python's `AveragedModel` and its `get_*_avg_fn` functions call these;
//! [`WeightAverage`] is the same average for a Rust training loop.

use crate::error::{ensure, Result};
use crate::{DType, Tensor, TensorOptions};

/// The running mean after one more model: `averaged + (current - averaged)
/// / (num_averaged + 1)`, PyTorch's `get_swa_avg_fn` (the count an int64
/// tensor, as its `n_averaged`).
pub fn swa_averaged(averaged: &Tensor, current: &Tensor, num_averaged: i64) -> Result<Tensor> {
    let options = TensorOptions {
        dtype: DType::Int64,
        device: averaged.device(),
    };
    let count = Tensor::full(&[], num_averaged + 1, options)?;
    averaged.add(&current.sub(averaged)?.div(&count)?)
}

/// The moving average after one more model: `decay * ema + (1 - decay) *
/// current`, PyTorch's `get_ema_avg_fn`.
pub fn ema_averaged(ema: &Tensor, current: &Tensor, decay: f64) -> Result<Tensor> {
    check_decay(decay)?;
    ema.mul_scalar(decay)?
        .add(&current.mul_scalar(1.0 - decay)?)
}

fn pairs<'a>(
    op: &str,
    averaged: &'a [Tensor],
    current: &'a [Tensor],
) -> Result<impl Iterator<Item = (&'a Tensor, &'a Tensor)>> {
    ensure!(
        averaged.len() == current.len(),
        Argument,
        "{op}: {} averaged tensors for {} current ones",
        averaged.len(),
        current.len()
    );
    Ok(averaged.iter().zip(current))
}

/// The running mean in place, as `AveragedModel`'s default update: on the
/// CPU [`swa_averaged`] written into each of `averaged` (PyTorch's
/// per-parameter rule there), elsewhere [`swa_lerp_`] (its foreach one).
pub fn swa_average_(averaged: &[Tensor], current: &[Tensor], num_averaged: i64) -> Result<()> {
    let on_cpu = averaged
        .first()
        .is_none_or(|a| a.device() == crate::Device::CPU);
    if !on_cpu {
        return swa_lerp_(averaged, current, num_averaged);
    }
    for (a, c) in pairs("swa_average_", averaged, current)? {
        a.copy_(&swa_averaged(a, c, num_averaged)?)?;
    }
    Ok(())
}

/// The running mean in place as PyTorch's `get_swa_multi_avg_fn` computes
/// it: floating tensors `averaged.lerp_(current, 1 / (n + 1))` (the weight
/// computed in float32, as PyTorch's default-dtype tensor is), others
/// [`swa_averaged`].
pub fn swa_lerp_(averaged: &[Tensor], current: &[Tensor], num_averaged: i64) -> Result<()> {
    let weight = f64::from(1.0f32 / (num_averaged + 1) as f32);
    for (a, c) in pairs("swa_lerp_", averaged, current)? {
        match a.dtype().is_floating_point() {
            true => a.lerp_scalar_(c, weight)?,
            false => a.copy_(&swa_averaged(a, c, num_averaged)?)?,
        }
    }
    Ok(())
}

/// An Argument error unless `decay` is in [0, 1], as PyTorch's EMA.
pub fn check_decay(decay: f64) -> Result<()> {
    ensure!(
        (0.0..=1.0).contains(&decay),
        Argument,
        "Invalid decay value {decay} provided. Please provide a value in [0,1] range."
    );
    Ok(())
}

/// The moving average in place, PyTorch's `get_ema_multi_avg_fn`: floating
/// tensors `ema.lerp_(current, 1 - decay)`, others [`ema_averaged`].
pub fn ema_average_(ema: &[Tensor], current: &[Tensor], decay: f64) -> Result<()> {
    check_decay(decay)?;
    for (e, c) in pairs("ema_average_", ema, current)? {
        match e.dtype().is_floating_point() {
            true => e.lerp_scalar_(c, 1.0 - decay)?,
            false => e.copy_(&ema_averaged(e, c, decay)?)?,
        }
    }
    Ok(())
}

/// Which average [`update_average_`] keeps: the running mean of the models
/// seen (`AveragedModel`'s default) or an exponential moving average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AverageRule {
    /// The running mean ([`swa_average_`]).
    Swa,
    /// `decay * average + (1 - decay) * current` ([`ema_average_`]).
    Ema { decay: f64 },
}

/// Folds `current` into `averaged` in place after `n_averaged` models, as
/// `AveragedModel.update_parameters`: the first model (`n_averaged == 0`)
/// is copied, later ones are averaged by `rule`. The pairs' shapes are
/// checked before anything is written.
pub fn update_average_(
    averaged: &[Tensor],
    current: &[Tensor],
    n_averaged: i64,
    rule: AverageRule,
) -> Result<()> {
    const OP: &str = "update_average_";
    ensure!(
        n_averaged >= 0,
        Argument,
        "{OP}: n_averaged must be at least 0, got {n_averaged}"
    );
    if let AverageRule::Ema { decay } = rule {
        check_decay(decay)?;
    }
    for (i, (a, c)) in pairs(OP, averaged, current)?.enumerate() {
        ensure!(
            a.shape() == c.shape(),
            Shape,
            "{OP}: tensor {i} has shape {:?}, its average {:?}",
            c.shape(),
            a.shape()
        );
    }
    match (n_averaged, rule) {
        (0, _) => averaged
            .iter()
            .zip(current)
            .try_for_each(|(a, c)| a.copy_(c)),
        (_, AverageRule::Swa) => swa_average_(averaged, current, n_averaged),
        (_, AverageRule::Ema { decay }) => ema_average_(averaged, current, decay),
    }
}

/// A model's weights averaged over training, kept apart from the model: the
/// Rust side of `AveragedModel` (which keeps its average in a copy of the
/// module). `new` takes copies of the weights; each `update` folds the
/// current weights in ([`update_average_`]); `averaged` gives the average to
/// evaluate with or to copy back.
pub struct WeightAverage {
    averaged: Vec<Tensor>,
    rule: AverageRule,
    n_averaged: i64,
}

impl WeightAverage {
    /// Copies of `weights` (outside any graph) to average by `rule`.
    pub fn new(weights: &[Tensor], rule: AverageRule) -> Result<Self> {
        if let AverageRule::Ema { decay } = rule {
            check_decay(decay)?;
        }
        let averaged = weights
            .iter()
            .map(|w| w.detach()?.copy())
            .collect::<Result<_>>()?;
        Ok(WeightAverage {
            averaged,
            rule,
            n_averaged: 0,
        })
    }

    /// Folds `weights` (the same tensors, in the same order, as given to
    /// `new`) into the average.
    pub fn update(&mut self, weights: &[Tensor]) -> Result<()> {
        update_average_(&self.averaged, weights, self.n_averaged, self.rule)?;
        self.n_averaged += 1;
        Ok(())
    }

    /// The averaged weights, in `new`'s order.
    pub fn averaged(&self) -> &[Tensor] {
        &self.averaged
    }

    /// How many updates the average holds, as `AveragedModel.n_averaged`.
    pub fn n_averaged(&self) -> i64 {
        self.n_averaged
    }
}
