//! Rust's flodl::optim optimizers for the parity test against torch.optim
//! (tests/python/test_rust_layers.py): from the float64 start in the input
//! file, 10 steps of each optimizer on `sum(w * tanh(w) + w^2 / 4)`, the
//! parameters written after, and RAdam's and NAdam's state dicts (the test
//! resumes them in Python's flodl.optim). With a `resume` entry (a Python
//! Adam's parameter and state dict), five more steps of a Rust Adam built
//! with default options from that state. And eight steps of SGD with
//! momentum under a OneCycleLR of 20 steps (momentum cycled), with both
//! state dicts, which the test resumes in Python for the last twelve; and
//! each scheduler's rates (and momenta) over twelve steps of SGD.
//!
//! ```text
//! cargo run --release --example optim_parity -- start.safetensors out.safetensors
//! ```

use flodl::optim::lr_scheduler::{
    ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR,
    ExponentialLR, LambdaLR, LinearLR, MultiStepLR, MultiplicativeLR, OneCycleLR, PolynomialLR,
    ReduceLROnPlateau, Schedule, Scheduler, SequentialLR, StepLR, WarmRestarts,
};
use flodl::optim::{AdadeltaOptions, AdagradOptions, AdamOptions, AdamWOptions, AdamaxOptions};
use flodl::optim::{LBFGSOptions, LBFGS};
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
    results.push(("lbfgs", lbfgs(&start, None)?));
    results.push(("lbfgs_wolfe", lbfgs(&start, Some("strong_wolfe"))?));
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
        ("schedules", schedules()?),
    ];
    flodl::io::save_value(&Value::dict(saved), out)
}

/// Three steps of L-BFGS (lr 0.5, max_iter 4, history 3) from `start`, each
/// with a closure that re-evaluates the loss: the parameters after.
fn lbfgs(start: &Tensor, line_search: Option<&str>) -> Result<Tensor> {
    let w = Variable::new(start.copy()?, true)?;
    let options = LBFGSOptions {
        lr: 0.5,
        max_iter: 4,
        history_size: 3,
        line_search_fn: line_search.map(String::from),
        ..Default::default()
    };
    let mut opt = LBFGS::new(vec![w.clone()], options)?;
    for _ in 0..3 {
        opt.step(|| {
            w.zero_grad();
            let loss = loss(&w)?;
            loss.backward()?;
            loss.item()
        })?;
    }
    Ok(w.data())
}

/// Each scheduler's `(lr, momentum)` at its start and after each of twelve
/// steps of SGD (lr 0.1, momentum 0.9), by name (the test builds torch's
/// scheduler of each name with the same options).
fn schedules() -> Result<Value> {
    fn run<S: Schedule>(schedule: S) -> Result<Value> {
        let w = Variable::new(
            Tensor::from_f64(&[1.0, -2.0], &[2], flodl::Device::CPU)?,
            true,
        )?;
        let options = SGDOptions {
            lr: 0.1,
            momentum: 0.9,
            ..Default::default()
        };
        let mut opt = Optimizer::new(vec![w.clone()], options)?;
        let mut sched = Scheduler::new(&mut opt, schedule);
        let mut rates = vec![rate(&opt)];
        rates.extend(scheduled_steps(&w, &mut opt, &mut sched, 12)?);
        Ok(Value::List(rates))
    }
    let cosine = CosineAnnealingLR {
        t_max: 5,
        eta_min: 0.01,
    };
    let linear = LinearLR {
        start_factor: 0.25,
        end_factor: 1.0,
        total_iters: 4,
    };
    let runs = [
        (
            "step",
            run(StepLR {
                step_size: 3,
                gamma: 0.5,
            })?,
        ),
        (
            "multi_step",
            run(MultiStepLR {
                milestones: vec![2, 5, 9],
                gamma: 0.3,
            })?,
        ),
        (
            "constant",
            run(ConstantLR {
                factor: 0.5,
                total_iters: 4,
            })?,
        ),
        ("linear", run(linear)?),
        ("exponential", run(ExponentialLR { gamma: 0.9 })?),
        (
            "polynomial",
            run(PolynomialLR {
                total_iters: 6,
                power: 2.0,
            })?,
        ),
        ("cosine", run(cosine)?),
        ("one_cycle", run(OneCycleLR::new(0.5, 12))?),
        ("cyclic", run(CyclicLR::new(0.01, 0.1, 3.0, None))?),
        (
            "sequential",
            run(SequentialLR {
                schedules: vec![Box::new(linear), Box::new(cosine)],
                milestones: vec![4],
            })?,
        ),
        (
            "chained",
            run(ChainedScheduler {
                schedules: vec![
                    Box::new(ExponentialLR { gamma: 0.9 }),
                    Box::new(StepLR {
                        step_size: 4,
                        gamma: 0.5,
                    }),
                ],
            })?,
        ),
        (
            "lambda",
            run(LambdaLR::new(|epoch| 0.95f64.powi(epoch as i32)))?,
        ),
        ("multiplicative", run(MultiplicativeLR::new(|_| 0.9))?),
    ];
    // The two without a Schedule: their own state, driven by hand.
    let restarts = CosineAnnealingWarmRestarts {
        t_0: 3,
        t_mult: 2,
        eta_min: 0.001,
    };
    let mut state = restarts.advance(
        WarmRestarts {
            t_cur: 0.0,
            t_i: 3.0,
            last_epoch: -1.0,
        },
        None,
    )?;
    let mut warm = vec![Value::Float(restarts.lr(0.1, state))];
    for _ in 0..12 {
        state = restarts.advance(state, None)?;
        warm.push(Value::Float(restarts.lr(0.1, state)));
    }
    let mut plateau = ReduceLROnPlateau {
        factor: 0.5,
        patience: 1,
        ..ReduceLROnPlateau::new()
    };
    let (mut lrs, mut reduced) = (vec![0.1], vec![Value::Float(0.1)]);
    for metric in [
        1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.86, 0.87, 0.7, 0.75, 0.76, 0.77,
    ] {
        lrs = plateau.step(metric, &lrs);
        reduced.push(Value::Float(lrs[0]));
    }
    let mut all: Vec<(&str, Value)> = runs.into_iter().collect();
    all.push(("warm_restarts", Value::List(warm)));
    all.push(("plateau", Value::List(reduced)));
    Ok(Value::dict(all))
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
    let rates = scheduled_steps(&w, &mut opt, &mut sched, 8)?;
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

/// `count` SGD steps on `w`, each followed by the scheduler's: the `(lr,
/// momentum)` after each.
fn scheduled_steps<S: Schedule>(
    w: &Variable,
    opt: &mut Optimizer<SGDOptions>,
    sched: &mut Scheduler<S>,
    count: usize,
) -> Result<Vec<Value>> {
    let mut rates = Vec::with_capacity(count);
    for _ in 0..count {
        opt.zero_grad();
        loss(w)?.backward()?;
        opt.step()?;
        sched.step(opt);
        rates.push(rate(opt));
    }
    Ok(rates)
}

/// The first group's `(lr, momentum)`.
fn rate(opt: &Optimizer<SGDOptions>) -> Value {
    let group = &opt.param_groups()[0].options;
    Value::List(vec![Value::Float(group.lr), Value::Float(group.momentum)])
}

/// `sum(w * tanh(w) + w^2 / 4)`.
fn loss(w: &Variable) -> Result<Variable> {
    w.mul(&w.tanh()?)?.add(&w.mul(w)?.mul_scalar(0.25)?)?.sum()
}
