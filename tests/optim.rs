//! flodl::optim from Rust: each update rule against its formula written out
//! (PyTorch's, step by step, in f64), the parameter checks, gradient
//! clipping and the schedules. tests/python/test_optim.py checks the same
//! kernels against torch.optim.
use flodl::optim::lr_scheduler::{
    Anneal, ConstantLR, CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, OneCycleLR,
    PolynomialLR, ReduceLROnPlateau, Schedule, Scheduler, StepLR, SWALR,
};
use flodl::optim::{self, AdamOptions, AdamWOptions, Method, RMSpropOptions, SGDOptions};
use flodl::optim::{ASGDOptions, RpropOptions};
use flodl::optim::{AdadeltaOptions, AdagradOptions, AdamaxOptions, NAdamOptions, RAdamOptions};
use flodl::{nn, Device, ErrorKind, Key, Result, Tensor, Value, Variable};

fn leaf(values: &[f64]) -> Variable {
    let t = Tensor::from_f64(values, &[values.len() as i64], Device::CPU).unwrap();
    Variable::new(t, true).unwrap()
}

/// Sets `w.grad` to d/dw of sum(w^3) = 3 w^2 and returns it.
fn cube_grad(w: &Variable) -> Result<Vec<f64>> {
    w.zero_grad();
    w.mul(w)?.mul(w)?.sum()?.backward()?;
    w.grad().unwrap().to_f64_vec()
}

fn close(a: &[f64], b: &[f64]) {
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{a:?} != {b:?}");
    }
}

#[test]
fn sgd_with_momentum_follows_the_formula() -> Result<()> {
    let (lr, momentum, dampening, wd) = (0.1, 0.9, 0.1, 0.01);
    let w = leaf(&[0.5, -1.0]);
    let options = SGDOptions {
        lr,
        momentum,
        dampening,
        weight_decay: wd,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![w.clone()], options)?;
    let (mut expected, mut buf) = (vec![0.5, -1.0], vec![0.0; 2]);
    for step in 0..5 {
        let g = cube_grad(&w)?;
        opt.step()?;
        for i in 0..2 {
            let d = g[i] + wd * expected[i];
            buf[i] = if step == 0 {
                d
            } else {
                momentum * buf[i] + (1.0 - dampening) * d
            };
            expected[i] -= lr * buf[i];
        }
        close(&w.data().to_f64_vec()?, &expected);
    }
    assert_eq!(opt.state(&w)[0].0, "momentum_buffer");
    Ok(())
}

fn adam_reference(w0: &[f64], steps: usize, lr: f64, wd: f64, decoupled: bool) -> Vec<f64> {
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let w = leaf(w0);
    let mut p = w0.to_vec();
    let (mut m, mut v) = (vec![0.0; p.len()], vec![0.0; p.len()]);
    for t in 1..=steps {
        w.data()
            .copy_(&Tensor::from_f64(&p, &[p.len() as i64], Device::CPU).unwrap())
            .unwrap();
        let g = cube_grad(&w).unwrap();
        for i in 0..p.len() {
            let mut gi = g[i];
            if decoupled {
                p[i] *= 1.0 - lr * wd;
            } else {
                gi += wd * p[i];
            }
            m[i] = b1 * m[i] + (1.0 - b1) * gi;
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
            let m_hat = m[i] / (1.0 - b1.powi(t as i32));
            let v_hat = v[i] / (1.0 - b2.powi(t as i32));
            p[i] -= lr * m_hat / (v_hat.sqrt() + eps);
        }
    }
    p
}

#[test]
fn adam_and_adamw_follow_the_formula() -> Result<()> {
    let start = [0.5, -1.0, 2.0];
    let w = leaf(&start);
    let mut adam = optim::Adam::new(
        vec![w.clone()],
        AdamOptions {
            lr: 0.05,
            weight_decay: 0.1,
            ..Default::default()
        },
    )?;
    for _ in 0..10 {
        cube_grad(&w)?;
        adam.step()?;
    }
    let got = w.data().to_f64_vec()?;
    let want = adam_reference(&start, 10, 0.05, 0.1, false);
    for (g, e) in got.iter().zip(&want) {
        assert!((g - e).abs() < 1e-9, "{got:?} vs {want:?}");
    }
    let w = leaf(&start);
    let mut adamw = optim::AdamW::new(
        vec![w.clone()],
        AdamWOptions {
            lr: 0.05,
            ..Default::default()
        },
    )?;
    for _ in 0..10 {
        cube_grad(&w)?;
        adamw.step()?;
    }
    let got = w.data().to_f64_vec()?;
    let want = adam_reference(&start, 10, 0.05, 0.01, true);
    for (g, e) in got.iter().zip(&want) {
        assert!((g - e).abs() < 1e-9, "{got:?} vs {want:?}");
    }
    let names: Vec<&str> = adamw.state(&w).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["step", "exp_avg", "exp_avg_sq"]);
    assert_eq!(adamw.state(&w)[0].1.to_f64_vec()?, vec![10.0]);
    Ok(())
}

#[test]
fn parameters_without_a_grad_are_left_alone() -> Result<()> {
    let (a, b) = (leaf(&[1.0]), leaf(&[2.0]));
    let mut opt = optim::RMSprop::new(vec![a.clone(), b.clone()], Default::default())?;
    cube_grad(&a)?;
    opt.step()?;
    assert_ne!(a.data().to_f64_vec()?, vec![1.0]);
    assert_eq!(b.data().to_f64_vec()?, vec![2.0]);
    assert!(opt.state(&b).is_empty());
    let mut adagrad = optim::Adagrad::new(vec![b.clone()], Default::default())?;
    cube_grad(&b)?;
    adagrad.step()?;
    // The first Adagrad step moves by lr (the gradient over its own norm).
    close(
        &b.data().to_f64_vec()?,
        &[2.0 - 0.01 * 12.0 / (144.0f64.sqrt() + 1e-10)],
    );
    Ok(())
}

#[test]
fn bad_parameters_and_options_are_argument_errors() {
    let w = leaf(&[1.0]);
    let non_leaf = w.mul_scalar(2.0).unwrap();
    let cases = [
        optim::SGD::new(vec![non_leaf], Default::default()).unwrap_err(),
        optim::SGD::new(vec![w.clone(), w.clone()], Default::default()).unwrap_err(),
        optim::SGD::new(Vec::new(), Default::default()).unwrap_err(),
        optim::SGD::new(
            vec![w.clone()],
            SGDOptions {
                lr: -1.0,
                ..Default::default()
            },
        )
        .unwrap_err(),
        optim::Adam::new(
            vec![w.clone()],
            AdamOptions {
                betas: (1.0, 0.9),
                ..Default::default()
            },
        )
        .unwrap_err(),
        optim::SGD::new(
            vec![w.clone()],
            SGDOptions {
                nesterov: true,
                ..Default::default()
            },
        )
        .unwrap_err(),
    ];
    for err in cases {
        assert_eq!(err.kind(), ErrorKind::Argument, "{err}");
    }
    let mut opt = optim::SGD::new(vec![w.clone()], Default::default()).unwrap();
    let err = opt
        .add_param_group(vec![w], Default::default())
        .unwrap_err();
    assert!(err.to_string().contains("more than once"), "{err}");
}

#[test]
fn clip_grad_norm_scales_to_the_max_norm() -> Result<()> {
    let (a, b) = (leaf(&[3.0]), leaf(&[0.0, 4.0]));
    a.set_grad(Some(&Tensor::from_f64(&[3.0], &[1], Device::CPU)?))?;
    b.set_grad(Some(&Tensor::from_f64(&[0.0, 4.0], &[2], Device::CPU)?))?;
    let norm = nn::utils::clip_grad_norm_(&[a.clone(), b.clone()], 1.0, 2.0, false)?;
    close(&norm.to_f64_vec()?, &[5.0]);
    let scale = 1.0 / (5.0 + 1e-6);
    close(&a.grad().unwrap().to_f64_vec()?, &[3.0 * scale]);
    close(&b.grad().unwrap().to_f64_vec()?, &[0.0, 4.0 * scale]);
    nn::utils::clip_grad_value_(std::slice::from_ref(&b), 0.1)?;
    close(&b.grad().unwrap().to_f64_vec()?, &[0.0, 0.1]);
    b.set_grad(Some(&Tensor::from_f64(
        &[f64::NAN, 1.0],
        &[2],
        Device::CPU,
    )?))?;
    let err = nn::utils::clip_grad_norm_(&[b], 1.0, 2.0, true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument, "{err}");
    Ok(())
}

#[test]
fn clipping_in_two_steps_is_clip_grad_norm() -> Result<()> {
    let grads = [
        Tensor::from_f64(&[3.0], &[1], Device::CPU)?,
        Tensor::from_f64(&[0.0, 4.0], &[2], Device::CPU)?,
    ];
    let norm = nn::utils::get_total_norm(&grads, 2.0, false)?;
    close(&norm.to_f64_vec()?, &[5.0]);
    close(
        &nn::utils::get_total_norm(&grads, f64::INFINITY, false)?.to_f64_vec()?,
        &[4.0],
    );
    nn::utils::clip_grads_with_norm_(&grads, 1.0, &norm)?;
    let scale = 1.0 / (5.0 + 1e-6);
    close(&grads[1].to_f64_vec()?, &[0.0, 4.0 * scale]);
    close(
        &nn::utils::get_total_norm(&[], 2.0, false)?.to_f64_vec()?,
        &[0.0],
    );
    Ok(())
}

#[test]
fn schedules_set_the_learning_rate() -> Result<()> {
    let w = leaf(&[1.0]);
    let mut opt = optim::SGD::new(
        vec![w],
        SGDOptions {
            lr: 1.0,
            ..Default::default()
        },
    )?;
    let mut step = Scheduler::new(
        &mut opt,
        StepLR {
            step_size: 2,
            gamma: 0.5,
        },
    );
    let mut lrs = Vec::new();
    for _ in 0..5 {
        step.step(&mut opt);
        lrs.push(opt.lr());
    }
    assert_eq!(lrs, [1.0, 0.5, 0.5, 0.25, 0.25]);
    let multi = MultiStepLR {
        milestones: vec![1, 3],
        gamma: 0.1,
    };
    close(&[multi.lr_at(1.0, 2)], &[0.1]);
    let cosine = CosineAnnealingLR {
        t_max: 10,
        eta_min: 0.0,
    };
    close(&[cosine.lr_at(1.0, 5)], &[0.5]);
    let one_cycle = OneCycleLR::new(1.0, 100);
    let peak = one_cycle.lr_at(0.0, 29);
    close(&[peak], &[1.0]);
    Ok(())
}

#[test]
fn a_parameter_starting_late_gets_pytorch_s_first_momentum_step() -> Result<()> {
    // b has no gradient at first: its buffer starts at its first gradient
    // (not dampened), while a's continues.
    let (a, b) = (leaf(&[1.0]), leaf(&[2.0]));
    let options = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        dampening: 0.5,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![a.clone(), b.clone()], options)?;
    cube_grad(&a)?;
    opt.step()?;
    let g = cube_grad(&b)?[0];
    cube_grad(&a)?;
    opt.step()?;
    close(&b.data().to_f64_vec()?, &[2.0 - 0.1 * g]);
    Ok(())
}

#[test]
fn state_an_option_turns_on_later_is_made_when_needed() -> Result<()> {
    let w = leaf(&[1.0, 2.0]);
    let mut opt = optim::Adam::new(vec![w.clone()], Default::default())?;
    cube_grad(&w)?;
    opt.step()?;
    opt.options_mut(0).unwrap().amsgrad = true;
    cube_grad(&w)?;
    opt.step()?;
    let names: Vec<&str> = opt.state(&w).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]);
    Ok(())
}

#[test]
fn a_scheduler_sets_step_zero_s_rate_at_once() -> Result<()> {
    let mut opt = optim::SGD::new(
        vec![leaf(&[1.0])],
        SGDOptions {
            lr: 0.3,
            ..Default::default()
        },
    )?;
    let schedule = flodl::optim::lr_scheduler::LinearLR::default(); // from a third
    let _scheduler = Scheduler::new(&mut opt, schedule);
    close(&[opt.lr()], &[0.1]);
    Ok(())
}

/// `steps` steps of `options` from `start` on sum(w^3), through a
/// checkpoint file after `stop` steps (a new optimizer built with
/// `resumed_with` loads it); the parameters after.
fn run_with_checkpoint<M: Method>(
    start: &[f64],
    options: M,
    resumed_with: M,
    stop: usize,
    steps: usize,
) -> Result<Vec<f64>> {
    let v = leaf(start);
    let mut first = optim::Optimizer::new(vec![v.clone()], options)?;
    for _ in 0..stop {
        cube_grad(&v)?;
        first.step()?;
    }
    let path = std::env::temp_dir().join(format!(
        "flodl-optim-{}-{}.safetensors",
        std::process::id(),
        M::NAME
    ));
    flodl::io::save_value(&first.state_dict(), &path)?;
    let saved = flodl::io::load_value(&path)?;
    std::fs::remove_file(&path).ok();
    let mut resumed = optim::Optimizer::new(vec![v.clone()], resumed_with)?;
    resumed.load_state_dict(&saved)?;
    for _ in stop..steps {
        cube_grad(&v)?;
        resumed.step()?;
    }
    v.data().to_f64_vec()
}

fn run_straight<M: Method>(start: &[f64], options: M, steps: usize) -> Result<Vec<f64>> {
    let w = leaf(start);
    let mut opt = optim::Optimizer::new(vec![w.clone()], options)?;
    for _ in 0..steps {
        cube_grad(&w)?;
        opt.step()?;
    }
    w.data().to_f64_vec()
}

#[test]
fn a_checkpoint_resumes_as_if_never_stopped() -> Result<()> {
    let start = [0.5, -1.0, 2.0];
    let options = AdamOptions {
        lr: 0.05,
        amsgrad: true,
        ..Default::default()
    };
    let straight = run_straight(&start, options.clone(), 6)?;
    // The resumed optimizer is built with other options: the file's win
    // (the hyperparameters are in the state dict, as PyTorch's).
    let resumed = run_with_checkpoint(&start, options, AdamOptions::default(), 3, 6)?;
    close(&resumed, &straight);
    // RMSprop with momentum reloads its momentum buffers.
    let rms = RMSpropOptions {
        lr: 0.01,
        momentum: 0.9,
        centered: true,
        ..Default::default()
    };
    let straight = run_straight(&start, rms.clone(), 6)?;
    let resumed = run_with_checkpoint(&start, rms, RMSpropOptions::default(), 3, 6)?;
    close(&resumed, &straight);
    // Every optimizer, with options that are not its defaults.
    macro_rules! resumes {
        ($($options:expr),*) => {$(
            let options = $options;
            let straight = run_straight(&start, options.clone(), 7)?;
            let resumed = run_with_checkpoint(&start, options, Default::default(), 4, 7)?;
            close(&resumed, &straight);
        )*};
    }
    resumes!(
        SGDOptions {
            lr: 0.01,
            momentum: 0.9,
            nesterov: true,
            ..Default::default()
        },
        AdamWOptions {
            lr: 0.02,
            weight_decay: 0.1,
            ..Default::default()
        },
        AdagradOptions {
            lr: 0.1,
            initial_accumulator_value: 0.5,
            ..Default::default()
        },
        AdadeltaOptions {
            rho: 0.8,
            ..Default::default()
        },
        AdamaxOptions {
            lr: 0.01,
            betas: (0.8, 0.99),
            ..Default::default()
        },
        RAdamOptions {
            lr: 0.01,
            decoupled_weight_decay: true,
            weight_decay: 0.1,
            ..Default::default()
        },
        NAdamOptions {
            lr: 0.01,
            momentum_decay: 0.01,
            ..Default::default()
        },
        RpropOptions {
            lr: 0.02,
            etas: (0.4, 1.3),
            ..Default::default()
        },
        ASGDOptions {
            lr: 0.01,
            t0: 2.0,
            lambd: 0.01,
            ..Default::default()
        }
    );
    Ok(())
}

#[test]
fn rprop_follows_the_formula() -> Result<()> {
    let start = [0.5, -1.0, 2.0];
    let w = leaf(&start);
    let options = RpropOptions {
        lr: 0.1,
        etas: (0.5, 1.2),
        step_sizes: (1e-3, 0.15),
        maximize: false,
    };
    let mut opt = optim::Rprop::new(vec![w.clone()], options)?;
    let (mut x, mut prev, mut size) = (start.to_vec(), vec![0.0; 3], vec![0.1f64; 3]);
    for _ in 0..5 {
        let g = cube_grad(&w)?;
        opt.step()?;
        for i in 0..3 {
            let factor = match (g[i] * prev[i]).partial_cmp(&0.0) {
                Some(std::cmp::Ordering::Greater) => 1.2,
                Some(std::cmp::Ordering::Less) => 0.5,
                _ => 1.0,
            };
            size[i] = (size[i] * factor).clamp(1e-3, 0.15);
            let g = if factor == 0.5 { 0.0 } else { g[i] };
            // Rust's signum of 0.0 is 1; torch's sign is 0: no step.
            if g != 0.0 {
                x[i] -= g.signum() * size[i];
            }
            prev[i] = g;
        }
        close(&w.data().to_f64_vec()?, &x);
    }
    Ok(())
}

#[test]
fn asgd_follows_the_formula() -> Result<()> {
    let start = [0.5, -1.0, 2.0];
    let w = leaf(&start);
    let (lr, lambd, alpha, t0) = (0.05, 0.01, 0.75, 2.0);
    let options = ASGDOptions {
        lr,
        lambd,
        alpha,
        t0,
        ..Default::default()
    };
    let mut opt = optim::ASGD::new(vec![w.clone()], options)?;
    // eta and mu are float32 counters, as torch keeps them.
    let f32_round = |v: f64| f64::from(v as f32);
    let (mut x, mut ax, mut eta, mut mu) = (start.to_vec(), vec![0.0; 3], f32_round(lr), 1.0);
    for step in 1..=5 {
        let g = cube_grad(&w)?;
        opt.step()?;
        for i in 0..3 {
            x[i] *= 1.0 - lambd * eta;
            x[i] -= eta * g[i];
            ax[i] = if mu != 1.0 {
                ax[i] + (x[i] - ax[i]) * mu
            } else {
                x[i]
            };
        }
        let step = f64::from(step);
        eta = f32_round(lr / (1.0 + lambd * lr * step).powf(alpha));
        mu = f32_round(1.0 / (step - t0).max(1.0));
        close(&w.data().to_f64_vec()?, &x);
    }
    let state = opt.state_dict();
    let text = format!("{state:?}");
    assert!(text.contains("\"ax\"") && text.contains("\"eta\"") && text.contains("\"mu\""));
    Ok(())
}

#[test]
fn a_state_dict_is_pytorch_s_layout_with_the_hyperparameters() -> Result<()> {
    let (a, b) = (leaf(&[1.0, 2.0]), leaf(&[3.0]));
    let options = AdamOptions {
        lr: 0.5,
        betas: (0.8, 0.9),
        ..Default::default()
    };
    let mut opt = optim::Adam::new(vec![a.clone()], options)?;
    opt.add_param_group(vec![b.clone()], AdamOptions::default())?;
    cube_grad(&a)?;
    opt.step()?;
    let saved = opt.state_dict();
    let groups = saved.get("param_groups").and_then(Value::items).unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].get("lr").and_then(Value::as_f64), Some(0.5));
    let betas = groups[0].get("betas").and_then(Value::items).unwrap();
    assert_eq!(betas[1].as_f64(), Some(0.9));
    assert!(
        matches!(groups[1].get("params"), Some(Value::List(p)) if matches!(p[..], [Value::Int(1)]))
    );
    // Only `a` stepped: state 0 holds step, exp_avg, exp_avg_sq.
    let Some(Value::Dict(state)) = saved.get("state") else {
        panic!("no state")
    };
    assert_eq!(state.len(), 1);
    let names: Vec<String> = match &state[0] {
        (Key::Int(0), Value::Dict(entries)) => entries.iter().map(|(k, _)| k.to_string()).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(names, ["step", "exp_avg", "exp_avg_sq"]);
    // A loaded state dict sets each group's options.
    let mut other = optim::Adam::new(vec![a.clone()], AdamOptions::default())?;
    other.add_param_group(vec![b.clone()], AdamOptions::default())?;
    other.load_state_dict(&saved)?;
    assert_eq!(other.lr(), 0.5);
    assert_eq!(other.param_groups()[0].options.betas, (0.8, 0.9));
    Ok(())
}

#[test]
fn a_bad_state_dict_is_one_argument_error_and_loads_nothing() -> Result<()> {
    let w = leaf(&[0.5, -1.0, 2.0]);
    let mut opt = optim::Adam::new(vec![w.clone()], AdamOptions::default())?;
    cube_grad(&w)?;
    opt.step()?;
    let before = opt.state(&w)[1].1.to_f64_vec()?;
    let mut bad = opt.state_dict();
    let Value::Dict(entries) = &mut bad else {
        panic!()
    };
    entries[0].1 = Value::dict([
        (
            Key::Int(0),
            Value::dict([(
                "exp_avg",
                Value::Tensor(Tensor::from_f64(&[1.0], &[1], Device::CPU)?),
            )]),
        ),
        (Key::Int(7), Value::dict([("step", Value::Float(1.0))])),
    ]);
    let err = opt.load_state_dict(&bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    let message = err.to_string();
    assert!(
        message.contains(r#"state 0 "exp_avg" has shape [1], its parameter's state [3]"#)
            && message.contains("state 7 belongs to no parameter"),
        "{message}"
    );
    assert_eq!(opt.state(&w)[1].1.to_f64_vec()?, before);
    Ok(())
}

#[test]
fn a_step_is_an_in_place_change_autograd_sees() -> Result<()> {
    // A GAN-style loop: a graph saves w, the optimizer steps w, then a
    // backward through that graph must not silently use the new values.
    let w = leaf(&[0.5, -1.0]);
    let x = leaf(&[2.0, 3.0]);
    let through_w = w.mul(&x)?.sum()?;
    let mut opt = optim::Adam::new(vec![w.clone()], AdamOptions::default())?;
    cube_grad(&w)?;
    opt.step()?;
    let err = through_w.backward().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd);
    assert!(
        err.to_string().contains("modified by an inplace operation"),
        "{err}"
    );
    Ok(())
}

/// Rates of `steps` steps of `schedule` on an SGD of one group at `lr`:
/// by the chainable formula (Scheduler::step) and by the closed form.
fn both_forms<S: Schedule + Clone>(
    schedule: S,
    lr: f64,
    steps: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut opt = optim::SGD::new(
        vec![leaf(&[1.0])],
        SGDOptions {
            lr,
            ..Default::default()
        },
    )?;
    let mut scheduler = Scheduler::new(&mut opt, schedule.clone());
    let mut recursive = vec![opt.lr()];
    for _ in 0..steps {
        scheduler.step(&mut opt);
        recursive.push(opt.lr());
    }
    let closed = (0..=steps).map(|t| schedule.lr_at(lr, t)).collect();
    Ok((recursive, closed))
}

#[test]
fn closed_and_recursive_forms_agree_over_a_thousand_steps() -> Result<()> {
    fn agree<S: Schedule + Clone + std::fmt::Debug>(schedule: S) -> Result<()> {
        let (recursive, closed) = both_forms(schedule.clone(), 0.1, 1000)?;
        for (t, (a, b)) in recursive.iter().zip(&closed).enumerate() {
            assert!((a - b).abs() <= 1e-12, "{schedule:?} step {t}: {a} != {b}");
        }
        Ok(())
    }
    agree(StepLR {
        step_size: 7,
        gamma: 0.9,
    })?;
    agree(MultiStepLR {
        milestones: vec![10, 200, 200, 900],
        gamma: 0.5,
    })?;
    agree(ConstantLR {
        factor: 0.25,
        total_iters: 50,
    })?;
    agree(LinearLR {
        start_factor: 0.1,
        end_factor: 1.0,
        total_iters: 300,
    })?;
    agree(ExponentialLR { gamma: 0.995 })?;
    agree(PolynomialLR {
        total_iters: 700,
        power: 1.5,
    })?;
    agree(CosineAnnealingLR {
        t_max: 150,
        eta_min: 0.001,
    })?;
    Ok(())
}

#[test]
fn one_cycle_cycles_the_momentum_too() -> Result<()> {
    let w = leaf(&[1.0]);
    let mut opt = optim::SGD::new(
        vec![w],
        SGDOptions {
            lr: 0.1,
            momentum: 0.9,
            ..Default::default()
        },
    )?;
    let mut scheduler = Scheduler::new(&mut opt, OneCycleLR::new(1.0, 100));
    assert_eq!(opt.param_groups()[0].options.momentum, 0.95);
    for _ in 0..29 {
        scheduler.step(&mut opt);
    }
    close(
        &[opt.lr(), opt.param_groups()[0].options.momentum],
        &[1.0, 0.85],
    );
    // Adam's beta1 is its momentum.
    let mut adam = optim::Adam::new(vec![leaf(&[1.0])], AdamOptions::default())?;
    let _one_cycle = Scheduler::new(&mut adam, OneCycleLR::new(1.0, 100));
    assert_eq!(adam.param_groups()[0].options.betas, (0.95, 0.999));
    Ok(())
}

#[test]
fn a_scheduler_state_dict_resumes_the_schedule() -> Result<()> {
    let make = || {
        optim::SGD::new(
            vec![leaf(&[1.0])],
            SGDOptions {
                lr: 0.1,
                ..Default::default()
            },
        )
    };
    let schedule = CosineAnnealingLR {
        t_max: 10,
        eta_min: 0.0,
    };
    let mut opt = make()?;
    let mut first = Scheduler::new(&mut opt, schedule);
    for _ in 0..4 {
        first.step(&mut opt);
    }
    let saved = first.state_dict();
    let mut resumed_opt = make()?;
    let mut resumed = Scheduler::new(&mut resumed_opt, schedule);
    resumed.load_state_dict(&saved)?;
    resumed_opt.set_lr(opt.lr());
    for _ in 0..3 {
        first.step(&mut opt);
        resumed.step(&mut resumed_opt);
    }
    assert_eq!(resumed.last_epoch(), 7);
    close(&[resumed_opt.lr()], &[opt.lr()]);
    Ok(())
}

#[test]
fn reduce_on_plateau_waits_out_its_patience() {
    let mut plateau = ReduceLROnPlateau {
        patience: 2,
        ..ReduceLROnPlateau::new()
    };
    let mut lrs = vec![0.1];
    for metric in [1.0, 0.5, 0.6, 0.6, 0.6, 0.4] {
        lrs = plateau.step(metric, &lrs);
    }
    // Three bad epochs after 0.5: one reduction.
    close(&lrs, &[0.01]);
    assert_eq!((plateau.best, plateau.num_bad_epochs), (0.4, 0));
}

#[test]
fn lbfgs_finds_a_quadratic_s_minimum_and_resumes() -> Result<()> {
    // sum((w - c)^2 * k): the minimum is c, which L-BFGS reaches in a step.
    let c = [1.0, -2.0, 0.5];
    let k = [1.0, 3.0, 10.0];
    let loss_of = |w: &Variable| -> Result<Variable> {
        let target = Variable::new(Tensor::from_f64(&c, &[3], Device::CPU)?, false)?;
        let weight = Variable::new(Tensor::from_f64(&k, &[3], Device::CPU)?, false)?;
        w.sub(&target)?.mul(&w.sub(&target)?)?.mul(&weight)?.sum()
    };
    let w = leaf(&[0.0, 0.0, 0.0]);
    let options = optim::LBFGSOptions {
        line_search_fn: Some("strong_wolfe".into()),
        ..Default::default()
    };
    let mut opt = optim::LBFGS::new(vec![w.clone()], options)?;
    let mut closure = || -> Result<f64> {
        w.zero_grad();
        let loss = loss_of(&w)?;
        loss.backward()?;
        loss.item()
    };
    let first = opt.step(&mut closure)?;
    assert!((first - (1.0 + 12.0 + 2.5)).abs() < 1e-12);
    for (got, want) in w.data().to_f64_vec()?.iter().zip(c) {
        assert!((got - want).abs() < 1e-6, "{got} != {want}");
    }
    // Its state dict (PyTorch's layout) loads into a new one, options too.
    let saved = opt.state_dict();
    let mut other = optim::LBFGS::new(vec![w.clone()], Default::default())?;
    other.load_state_dict(&saved)?;
    assert_eq!(
        other.options.line_search_fn.as_deref(),
        Some("strong_wolfe")
    );
    let bad = optim::LBFGSOptions {
        line_search_fn: Some("backtracking".into()),
        ..Default::default()
    };
    let err = optim::LBFGS::new(vec![w], bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Argument);
    Ok(())
}

#[test]
fn composed_and_cyclic_schedules_follow_pytorch_s_rules() -> Result<()> {
    use flodl::optim::lr_scheduler::{ChainedScheduler, CyclicLR, SequentialLR};
    let sgd = |lr: f64, momentum: f64| {
        optim::SGD::new(
            vec![leaf(&[1.0])],
            SGDOptions {
                lr,
                momentum,
                ..Default::default()
            },
        )
    };
    // A warm-up of 5 steps, then cosine annealing from its own step 0.
    let mut opt = sgd(0.1, 0.0)?;
    let warmup_then_cosine = SequentialLR {
        schedules: vec![
            Box::new(LinearLR {
                start_factor: 0.1,
                end_factor: 1.0,
                total_iters: 5,
            }),
            Box::new(CosineAnnealingLR {
                t_max: 10,
                eta_min: 0.0,
            }),
        ],
        milestones: vec![5],
    };
    let mut scheduler = Scheduler::new(&mut opt, warmup_then_cosine);
    let mut lrs = vec![opt.lr()];
    for _ in 0..15 {
        scheduler.step(&mut opt);
        lrs.push(opt.lr());
    }
    close(
        &[lrs[0], lrs[4], lrs[5], lrs[10], lrs[15]],
        &[0.01, 0.082, 0.1, 0.05, 0.0],
    );
    // Chained: the factors multiply.
    let mut opt = sgd(1.0, 0.0)?;
    let chained = ChainedScheduler {
        schedules: vec![
            Box::new(ExponentialLR { gamma: 0.5 }),
            Box::new(StepLR {
                step_size: 2,
                gamma: 0.1,
            }),
        ],
    };
    let mut scheduler = Scheduler::new(&mut opt, chained);
    scheduler.step(&mut opt);
    scheduler.step(&mut opt);
    close(&[opt.lr()], &[0.25 * 0.1]);
    // Cyclic: base, max after step_size_up, base again; momentum opposite.
    let mut opt = sgd(0.5, 0.9)?;
    let mut scheduler = Scheduler::new(&mut opt, CyclicLR::new(0.01, 0.1, 4.0, None));
    let mut seen = vec![(opt.lr(), opt.param_groups()[0].options.momentum)];
    for _ in 0..8 {
        scheduler.step(&mut opt);
        seen.push((opt.lr(), opt.param_groups()[0].options.momentum));
    }
    close(&[seen[0].0, seen[4].0, seen[8].0], &[0.01, 0.1, 0.01]);
    close(&[seen[0].1, seen[4].1, seen[8].1], &[0.9, 0.8, 0.9]);
    Ok(())
}

#[test]
fn lambda_and_multiplicative_schedules_use_the_closure() -> Result<()> {
    let options = SGDOptions {
        lr: 0.5,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![leaf(&[1.0])], options.clone())?;
    let warmup = flodl::optim::lr_scheduler::LambdaLR::new(|t| ((t + 1) as f64 / 4.0).min(1.0));
    let mut sched = Scheduler::new(&mut opt, warmup);
    let mut lrs = vec![opt.lr()];
    for _ in 0..4 {
        sched.step(&mut opt);
        lrs.push(opt.lr());
    }
    close(&lrs, &[0.125, 0.25, 0.375, 0.5, 0.5]);
    let mut opt = optim::SGD::new(vec![leaf(&[1.0])], options)?;
    let halving = flodl::optim::lr_scheduler::MultiplicativeLR::new(|_| 0.5);
    let mut sched = Scheduler::new(&mut opt, halving);
    let mut lrs = vec![opt.lr()];
    for _ in 0..3 {
        sched.step(&mut opt);
        lrs.push(opt.lr());
    }
    close(&lrs, &[0.5, 0.25, 0.125, 0.0625]);
    Ok(())
}

#[test]
fn a_scheduler_writes_pytorch_s_group_entries_into_the_state_dict() -> Result<()> {
    let options = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![leaf(&[1.0])], options.clone())?;
    let _sched = Scheduler::new(&mut opt, OneCycleLR::new(0.5, 10));
    let saved = opt.state_dict();
    let group = &saved.get("param_groups").and_then(Value::items).unwrap()[0];
    let entry = |name: &str| group.get(name).and_then(Value::as_f64);
    // As torch's OneCycleLR writes them: initial = max / div_factor, ...
    assert_eq!(entry("initial_lr"), Some(0.5 / 25.0));
    assert_eq!(entry("max_lr"), Some(0.5));
    assert_eq!(entry("min_lr"), Some(0.5 / 25.0 / 1e4));
    assert_eq!(entry("max_momentum"), Some(0.95));
    assert_eq!(entry("base_momentum"), Some(0.85));
    // They come back with the state dict, and a plain schedule writes initial_lr.
    let mut other = optim::SGD::new(vec![leaf(&[1.0])], options)?;
    other.load_state_dict(&saved)?;
    assert_eq!(other.param_groups()[0].extra.len(), 5);
    let _step = Scheduler::new(
        &mut other,
        StepLR {
            step_size: 2,
            gamma: 0.5,
        },
    );
    let extra = &other.param_groups()[0].extra;
    assert_eq!(extra[0].0, "initial_lr"); // kept: a scheduler had set it
    Ok(())
}

#[test]
fn swa_anneals_to_its_rate_and_averages_the_models() -> Result<()> {
    let w = leaf(&[1.0]);
    let mut opt = optim::SGD::new(
        vec![w],
        SGDOptions {
            lr: 1.0,
            ..Default::default()
        },
    )?;
    let schedule = SWALR {
        swa_lr: vec![0.2],
        anneal_epochs: 4,
        anneal_strategy: Anneal::Linear,
    };
    let mut scheduler = Scheduler::new(&mut opt, schedule);
    let mut lrs = vec![opt.lr()];
    for _ in 0..5 {
        scheduler.step(&mut opt);
        lrs.push(opt.lr());
    }
    // Linear from 1 to 0.2 over 4 steps, then 0.2.
    let expected = [1.0, 0.8, 0.6, 0.4, 0.2, 0.2];
    for (got, want) in lrs.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{lrs:?}");
    }
    let averaged = [Tensor::from_f64(&[0.0, 2.0], &[2], Device::CPU)?];
    let current = [Tensor::from_f64(&[3.0, 5.0], &[2], Device::CPU)?];
    // The mean of two models averaged and a third: (0 + 0 + 3) / 3.
    optim::swa::swa_average_(&averaged, &current, 2)?;
    assert_eq!(averaged[0].to_f64_vec()?, vec![1.0, 3.0]);
    optim::swa::ema_average_(&averaged, &current, 0.5)?;
    assert_eq!(averaged[0].to_f64_vec()?, vec![2.0, 4.0]);
    let unequal = optim::swa::swa_average_(&averaged, &[], 1).unwrap_err();
    assert_eq!(unequal.kind(), ErrorKind::Argument);
    Ok(())
}

#[test]
fn weight_average_copies_first_then_averages() -> Result<()> {
    let w = Tensor::from_f64(&[1.0, 3.0], &[2], Device::CPU)?;
    let mut swa =
        optim::swa::WeightAverage::new(std::slice::from_ref(&w), optim::swa::AverageRule::Swa)?;
    let mut ema = optim::swa::WeightAverage::new(
        std::slice::from_ref(&w),
        optim::swa::AverageRule::Ema { decay: 0.5 },
    )?;
    // Training moves the weights to 1, 3 (copied), then 3, 5, then 5, 7.
    for step in 0..3 {
        let now = w.add_scalar(2.0 * step as f64)?;
        swa.update(std::slice::from_ref(&now))?;
        ema.update(&[now])?;
    }
    assert_eq!(swa.n_averaged(), 3);
    assert_eq!(swa.averaged()[0].to_f64_vec()?, vec![3.0, 5.0]); // the mean of the three
                                                                 // 1 copied; 0.5 * 1 + 0.5 * 3 = 2; 0.5 * 2 + 0.5 * 5 = 3.5.
    assert_eq!(ema.averaged()[0].to_f64_vec()?, vec![3.5, 5.5]);
    assert_eq!(w.to_f64_vec()?, vec![1.0, 3.0]); // the average is a copy
                                                 // A tensor of another shape: nothing is written, a Shape error.
    let before = swa.averaged()[0].to_f64_vec()?;
    let three = Tensor::from_f64(&[0.0; 3], &[3], Device::CPU)?;
    let wrong = swa.update(&[three]).unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::Shape);
    assert_eq!(swa.averaged()[0].to_f64_vec()?, before);
    assert_eq!(swa.n_averaged(), 3);
    let bad_decay =
        optim::swa::WeightAverage::new(&[w], optim::swa::AverageRule::Ema { decay: 2.0 });
    assert_eq!(bad_decay.err().map(|e| e.kind()), Some(ErrorKind::Argument));
    Ok(())
}

/// A complex parameter steps as its real view would (PyTorch's rule): Adam
/// on `a + bi` moves `a` and `b` as Adam on the float pair `[a, b]`, and
/// Adagrad's starting sum fills both parts.
#[test]
fn complex_parameters_step_as_their_real_view() -> Result<()> {
    let pairs = [0.5, -1.0, 2.0, 0.25];
    let real = Tensor::from_f64(&pairs, &[2, 2], Device::CPU)?;
    let complex_leaf = Variable::new(real.view_as_complex()?.copy()?, true)?;
    let real_leaf = Variable::new(real.copy()?, true)?;
    let adagrad = AdagradOptions {
        lr: 0.1,
        initial_accumulator_value: 0.5,
        ..Default::default()
    };
    let mut complex_opts: (optim::Adam, optim::Adagrad) = (
        optim::Adam::new(vec![complex_leaf.clone()], AdamOptions::default())?,
        optim::Adagrad::new(vec![complex_leaf.clone()], adagrad.clone())?,
    );
    let mut real_opts: (optim::Adam, optim::Adagrad) = (
        optim::Adam::new(vec![real_leaf.clone()], AdamOptions::default())?,
        optim::Adagrad::new(vec![real_leaf.clone()], adagrad)?,
    );
    for _ in 0..3 {
        // The same real loss of the parts: sum of cubes.
        let parts = complex_leaf.view_as_real()?;
        complex_leaf.zero_grad();
        parts.mul(&parts)?.mul(&parts)?.sum()?.backward()?;
        cube_grad(&real_leaf)?;
        complex_opts.0.step()?;
        complex_opts.1.step()?;
        real_opts.0.step()?;
        real_opts.1.step()?;
        close(
            &complex_leaf.data().view_as_real()?.to_f64_vec()?,
            &real_leaf.data().to_f64_vec()?,
        );
    }
    Ok(())
}

/// L-BFGS gathers a complex parameter's real view into its flat vectors
/// (PyTorch's rule): on `a + bi` it moves as on the float pair `[a, b]`.
#[test]
fn lbfgs_steps_a_complex_parameter_as_its_real_view() -> Result<()> {
    let pairs = [0.5, -1.0, 2.0, 0.25];
    let real = Tensor::from_f64(&pairs, &[2, 2], Device::CPU)?;
    let complex_leaf = Variable::new(real.view_as_complex()?.copy()?, true)?;
    let real_leaf = Variable::new(real.copy()?, true)?;
    let options = || optim::LBFGSOptions {
        line_search_fn: Some("strong_wolfe".into()),
        ..Default::default()
    };
    // The same real loss of the parts: sum((x - 1)^4 + x^2).
    let loss_of = |parts: &Variable| -> Result<Variable> {
        let shifted = parts.sub_scalar(1.0)?;
        let square = shifted.mul(&shifted)?;
        square.mul(&square)?.add(&parts.mul(parts)?)?.sum()
    };
    let mut losses = Vec::new();
    for (leaf, parts) in [
        (&complex_leaf, complex_leaf.view_as_real()?),
        (&real_leaf, real_leaf.clone()),
    ] {
        let mut opt = optim::LBFGS::new(vec![leaf.clone()], options())?;
        let mut closure = || -> Result<f64> {
            leaf.zero_grad();
            let loss = loss_of(&parts)?;
            loss.backward()?;
            loss.item()
        };
        losses.push((opt.step(&mut closure)?, opt.step(&mut closure)?));
    }
    assert_eq!(losses[0], losses[1]);
    close(
        &complex_leaf.data().view_as_real()?.to_f64_vec()?,
        &real_leaf.data().to_f64_vec()?,
    );
    Ok(())
}
