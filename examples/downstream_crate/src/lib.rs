//! A crate of your own on flodl: a small model and its training step.

use flodl::nn::{self, Module};
use flodl::optim::{self, AdamOptions};
use flodl::{Result, Tensor, TensorOptions, Variable};

/// Fits `y = 3x - 1` with a one-feature Linear layer; returns the final loss.
pub fn fit_line(steps: usize) -> Result<f64> {
    flodl::manual_seed(0);
    let model = nn::Linear::new(1, 1, true)?;
    let mut opt = optim::Adam::new(
        model.parameters(),
        AdamOptions {
            lr: 0.1,
            ..Default::default()
        },
    )?;
    let x = Tensor::linspace(-1.0, 1.0, 32, TensorOptions::default())?.reshape(&[32, 1])?;
    let y = Variable::new(x.mul_scalar(3.0)?.sub_scalar(1.0)?, false)?;
    let x = Variable::new(x, false)?;
    let mut last = f64::INFINITY;
    for _ in 0..steps {
        opt.zero_grad();
        let loss = flodl::mse_loss(&model.forward(&x)?, &y, flodl::Reduction::Mean)?;
        last = loss.item()?;
        loss.backward()?;
        opt.step()?;
    }
    Ok(last)
}
