//! The averages of a model's parameters over training, as
//! `torch.optim.swa_utils`' update rules: stochastic weight averaging (the
//! running mean of the models seen) and an exponential moving average.
//! Python's `AveragedModel` and its `get_*_avg_fn` functions call these.

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

/// [`swa_averaged`] written into each of `averaged`, in place (the
/// default update of `AveragedModel`).
pub fn swa_average_(averaged: &[Tensor], current: &[Tensor], num_averaged: i64) -> Result<()> {
    for (a, c) in pairs("swa_average_", averaged, current)? {
        a.copy_(&swa_averaged(a, c, num_averaged)?)?;
    }
    Ok(())
}

/// The moving average in place, PyTorch's `get_ema_multi_avg_fn`: floating
/// tensors `ema.lerp_(current, 1 - decay)`, others [`ema_averaged`].
pub fn ema_average_(ema: &[Tensor], current: &[Tensor], decay: f64) -> Result<()> {
    for (e, c) in pairs("ema_average_", ema, current)? {
        match e.dtype().is_floating_point() {
            true => e.lerp_scalar_(c, 1.0 - decay)?,
            false => e.copy_(&ema_averaged(e, c, decay)?)?,
        }
    }
    Ok(())
}
