//! The floor without Python: the steps of `bench/compare_torch.py` written
//! in Rust, timed per iteration (median of rounds).
//!
//!     cargo run --release --example bench_overhead
use std::time::Instant;

use flodl::{live_tensor_count, Result, Tensor, TensorOptions, Variable};

fn leaf(shape: &[i64], requires_grad: bool) -> Result<Variable> {
    Variable::new(
        Tensor::randn(shape, TensorOptions::default())?,
        requires_grad,
    )
}

/// Median seconds per iteration of `step` over `rounds` rounds.
fn time(rounds: usize, iterations: usize, mut step: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..iterations.div_ceil(5) {
        step()?;
    }
    let mut per_iteration = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..iterations {
            step()?;
        }
        per_iteration.push(start.elapsed().as_secs_f64() / iterations as f64);
    }
    per_iteration.sort_by(f64::total_cmp);
    Ok(per_iteration[rounds / 2])
}

fn report(name: &str, seconds: f64) {
    if seconds < 1e-3 {
        println!("{name:52} {:9.1} us", seconds * 1e6);
    } else {
        println!("{name:52} {:9.2} ms", seconds * 1e3);
    }
}

fn main() -> Result<()> {
    let rounds = 15;

    let x = Variable::new(Tensor::from_f32(&[2.0], &[1], flodl::Device::CPU)?, false)?;
    let w = Variable::new(Tensor::from_f32(&[3.0], &[1], flodl::Device::CPU)?, true)?;
    let tiny = time(rounds, 2000, || {
        x.mul(&w)?.sum()?.backward()?;
        w.zero_grad();
        Ok(())
    })?;
    report("tiny step (1 elem: mul, sum, backward, zero_grad)", tiny);

    let x = leaf(&[64], true)?;
    let chain = time(rounds, 1000, || {
        let mut y = x.clone();
        for _ in 0..5 {
            y = y.mul_scalar(0.9)?.add_scalar(0.1)?.tanh()?.sigmoid()?;
        }
        y.sum()?.backward()?;
        x.zero_grad();
        Ok(())
    })?;
    report("20-op chain on [64], backward", chain);

    let mut params = Vec::new();
    for _ in 0..3 {
        params.push(Variable::new(
            leaf(&[64, 64], false)?.data().mul_scalar(0.1)?,
            true,
        )?);
        params.push(Variable::new(
            Tensor::zeros(&[64], TensorOptions::default())?,
            true,
        )?);
    }
    let (input, target) = (leaf(&[32, 64], false)?, leaf(&[32, 64], false)?);
    let mlp = time(rounds, 500, || {
        let mut h = input.clone();
        for layer in 0..3 {
            h = flodl::linear(&h, &params[2 * layer], Some(&params[2 * layer + 1]))?;
            if layer < 2 {
                h = h.relu()?;
            }
        }
        h.sub(&target)?.pow_scalar(2.0)?.mean()?.backward()?;
        for p in params.iter_mut() {
            let grad = p.grad().expect("every parameter contributed to the loss"); // cannot fail: see above
            *p = Variable::new(p.data().sub(&grad.mul_scalar(0.01)?)?, true)?;
        }
        Ok(())
    })?;
    report("MLP step 3x64, batch 32, MSE, SGD", mlp);

    let (a, b) = (leaf(&[512, 512], true)?, leaf(&[512, 512], true)?);
    let matmul = time(rounds, 20, || {
        a.matmul(&b)?.sum()?.backward()?;
        a.zero_grad();
        b.zero_grad();
        Ok(())
    })?;
    report("matmul 512x512 forward + backward", matmul);

    let image = leaf(&[8, 3, 32, 32], false)?;
    let conv = [
        leaf(&[16, 3, 3, 3], true)?,
        leaf(&[16], true)?,
        leaf(&[32, 16, 3, 3], true)?,
        leaf(&[32], true)?,
        leaf(&[10, 32], true)?,
        leaf(&[10], true)?,
    ];
    let conv_net = time(rounds, 10, || {
        let h =
            flodl::conv2d(&image, &conv[0], Some(&conv[1]), [1, 1], [1, 1], [1, 1], 1)?.relu()?;
        let h = flodl::max_pool2d(&h, [2, 2], None, [0, 0], [1, 1], false)?;
        let h = flodl::conv2d(&h, &conv[2], Some(&conv[3]), [1, 1], [1, 1], [1, 1], 1)?.relu()?;
        let h = flodl::adaptive_avg_pool2d(&h, [1, 1])?.flatten(1, -1)?;
        flodl::linear(&h, &conv[4], Some(&conv[5]))?
            .sum()?
            .backward()?;
        conv.iter().for_each(Variable::zero_grad);
        Ok(())
    })?;
    report("small conv net forward + backward", conv_net);

    println!("live handles at the end: {}", live_tensor_count());
    Ok(())
}
