//! Rust's flodl::optim optimizers for the parity test against torch.optim
//! (tests/python/test_rust_layers.py): from the float64 start in the input
//! file, 10 steps of each optimizer on `sum(w * tanh(w) + w^2 / 4)`, the
//! parameters written after.
//!
//! ```text
//! cargo run --release --example optim_parity -- start.safetensors out.safetensors
//! ```

use flodl::optim::{AdagradOptions, AdamOptions, AdamWOptions, Method, Optimizer};
use flodl::optim::{RMSpropOptions, SGDOptions};
use flodl::{Result, Tensor, Variable};

/// Ten steps of `options` from `start`: the parameters after.
fn run<M: Method>(start: &Tensor, options: M) -> Result<Tensor> {
    let w = Variable::new(start.copy()?, true)?;
    let mut opt = Optimizer::new(vec![w.clone()], options)?;
    for _ in 0..10 {
        opt.zero_grad();
        let loss = w
            .mul(&w.tanh()?)?
            .add(&w.mul(&w)?.mul_scalar(0.25)?)?
            .sum()?;
        loss.backward()?;
        opt.step()?;
    }
    Ok(w.data())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, start, out] = &args[..] else {
        return Err(flodl::Error::new(
            flodl::ErrorKind::Argument,
            "usage: optim_parity START OUT",
        ));
    };
    let start = flodl::io::load(start)?.remove(0).1;
    let sgd = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        dampening: 0.1,
        weight_decay: 0.01,
        ..Default::default()
    };
    let nesterov = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        nesterov: true,
        maximize: false,
        ..Default::default()
    };
    let adam = AdamOptions {
        lr: 0.05,
        weight_decay: 0.1,
        amsgrad: true,
        ..Default::default()
    };
    let adamw = AdamWOptions {
        lr: 0.05,
        betas: (0.8, 0.99),
        ..Default::default()
    };
    let rmsprop = RMSpropOptions {
        lr: 0.01,
        momentum: 0.5,
        centered: true,
        weight_decay: 0.01,
        ..Default::default()
    };
    let adagrad = AdagradOptions {
        lr: 0.1,
        lr_decay: 0.01,
        initial_accumulator_value: 0.1,
        ..Default::default()
    };
    let results = vec![
        ("sgd", run(&start, sgd)?),
        ("sgd_nesterov", run(&start, nesterov)?),
        ("adam", run(&start, adam)?),
        ("adamw", run(&start, adamw)?),
        ("rmsprop", run(&start, rmsprop)?),
        ("adagrad", run(&start, adagrad)?),
    ];
    flodl::io::save(&results, out)
}
