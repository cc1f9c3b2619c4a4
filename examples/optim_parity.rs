//! Rust's flodl::optim optimizers for the parity test against torch.optim
//! (tests/python/test_rust_layers.py): from the float64 start in the input
//! file, 10 steps of each optimizer on `sum(w * tanh(w) + w^2 / 4)`, the
//! parameters written after, and RAdam's and NAdam's state dicts (the test
//! resumes them in Python's flodl.optim). With a `resume` entry (a Python
//! Adam's parameter and state dict), five more steps of a Rust Adam built
//! with default options from that state. And eight steps of SGD with
//! momentum under a OneCycleLR of 20 steps (momentum cycled), with both
//! state dicts, which the test resumes in Python for the last twelve.
//!
//! ```text
//! cargo run --release --example optim_parity -- start.safetensors out.safetensors
//! ```

use flodl::optim::lr_scheduler::{OneCycleLR, Scheduler};
use flodl::optim::{AdadeltaOptions, AdagradOptions, AdamOptions, AdamWOptions, AdamaxOptions};
use flodl::optim::{Method, NAdamOptions, Optimizer, RAdamOptions, RMSpropOptions, SGDOptions};
use flodl::{Result, Tensor, Value, Variable};

/// Ten steps of `options` from `start`: the parameters after.
fn run<M: Method>(start: &Tensor, options: M) -> Result<Tensor> {
    Ok(run_keeping_state(start, options)?.0)
}

/// Ten steps of `options` from `start`: the parameters and the optimizer's
/// state dict after.
fn run_keeping_state<M: Method>(start: &Tensor, options: M) -> Result<(Tensor, Value)> {
    let w = Variable::new(start.copy()?, true)?;
    let mut opt = Optimizer::new(vec![w.clone()], options)?;
    for _ in 0..10 {
        opt.zero_grad();
        loss(&w)?.backward()?;
        opt.step()?;
    }
    Ok((w.data(), opt.state_dict()))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, start, out] = &args[..] else {
        return Err(flodl::Error::new(
            flodl::ErrorKind::Argument,
            "usage: optim_parity START OUT",
        ));
    };
    let inputs = flodl::io::load_value(start)?;
    let Some(Value::Tensor(start)) = inputs.get("w").cloned() else {
        return Err(flodl::Error::new(
            flodl::ErrorKind::Argument,
            "optim_parity: the input file has no tensor 'w'",
        ));
    };
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
    let radam = RAdamOptions {
        lr: 0.05,
        weight_decay: 0.1,
        decoupled_weight_decay: true,
        ..Default::default()
    };
    let nadam = NAdamOptions {
        lr: 0.05,
        momentum_decay: 0.01,
        ..Default::default()
    };
    let (radam_w, radam_state) = run_keeping_state(&start, radam)?;
    let (nadam_w, nadam_state) = run_keeping_state(&start, nadam)?;
    let results = vec![
        ("sgd", run(&start, sgd)?),
        ("sgd_nesterov", run(&start, nesterov)?),
        ("adam", run(&start, adam)?),
        ("adamw", run(&start, adamw)?),
        ("rmsprop", run(&start, rmsprop)?),
        ("adagrad", run(&start, adagrad)?),
        (
            "adadelta",
            run(
                &start,
                AdadeltaOptions {
                    rho: 0.8,
                    ..Default::default()
                },
            )?,
        ),
        (
            "adamax",
            run(
                &start,
                AdamaxOptions {
                    lr: 0.05,
                    ..Default::default()
                },
            )?,
        ),
        ("radam", radam_w),
        ("nadam", nadam_w),
    ];
    let mut results: Vec<(&str, Tensor)> = results;
    if let Some(resume) = inputs.get("resume") {
        results.push(("adam_resumed", resume_adam(resume)?));
    }
    let params = Value::dict(results.into_iter().map(|(k, t)| (k, Value::Tensor(t))));
    let states = Value::dict([("radam", radam_state), ("nadam", nadam_state)]);
    let one_cycle = one_cycle(&start)?;
    let saved = [
        ("params", params),
        ("states", states),
        ("one_cycle", one_cycle),
    ];
    flodl::io::save_value(&Value::dict(saved), out)
}

/// Eight steps of SGD (momentum 0.9) under `OneCycleLR(max_lr=0.5,
/// total_steps=20)`: the parameter, the optimizer's and the scheduler's
/// state dicts after, and the rate and momentum of each step.
fn one_cycle(start: &Tensor) -> Result<Value> {
    let w = Variable::new(start.copy()?, true)?;
    let options = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        ..Default::default()
    };
    let mut opt = Optimizer::new(vec![w.clone()], options)?;
    let mut sched = Scheduler::new(&mut opt, OneCycleLR::new(0.5, 20));
    let mut rates = Vec::new();
    for _ in 0..8 {
        opt.zero_grad();
        loss(&w)?.backward()?;
        opt.step()?;
        sched.step(&mut opt);
        let group = &opt.param_groups()[0].options;
        rates.push(Value::List(vec![
            Value::Float(group.lr),
            Value::Float(group.momentum),
        ]));
    }
    Ok(Value::dict([
        ("w", Value::Tensor(w.data())),
        ("optimizer", opt.state_dict()),
        ("scheduler", sched.state_dict()),
        ("rates", Value::List(rates)),
    ]))
}

/// Five Adam steps from a parameter and a state dict Python saved, the
/// options (all of them) coming from the state dict.
fn resume_adam(resume: &Value) -> Result<Tensor> {
    let Some(Value::Tensor(w)) = resume.get("w") else {
        return Err(flodl::Error::new(
            flodl::ErrorKind::Argument,
            "optim_parity: 'resume' has no tensor 'w'",
        ));
    };
    let w = Variable::new(w.copy()?, true)?;
    let mut opt = Optimizer::new(vec![w.clone()], AdamOptions::default())?;
    opt.load_state_dict(resume.get("state").unwrap_or(&Value::None))?;
    for _ in 0..5 {
        opt.zero_grad();
        loss(&w)?.backward()?;
        opt.step()?;
    }
    Ok(w.data())
}

/// `sum(w * tanh(w) + w^2 / 4)`.
fn loss(w: &Variable) -> Result<Variable> {
    w.mul(&w.tanh()?)?.add(&w.mul(w)?.mul_scalar(0.25)?)?.sum()
}
