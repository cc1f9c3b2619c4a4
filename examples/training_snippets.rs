//! The Rust side of docs/training.md: each function is one of its examples
//! (the docs show these bodies; tests/python/test_docs.py checks they
//! match). Run: `cargo run --release --example training_snippets`.
use flodl::distributions::{
    kl_divergence, Categorical, CovarianceForm, Distribution, MixtureSameFamily,
    MultivariateNormal, Normal,
};
use flodl::nn::{self, Module, Parameter};
use flodl::optim::lr_scheduler::{CosineAnnealingLR, Schedule, Scheduler, StepLR};
use flodl::optim::swa::{AverageRule, WeightAverage};
use flodl::optim::{self, AdamOptions, AdamWOptions, SGDOptions};
use flodl::{
    no_grad, DType, Device, ErrorKind, Reduction, Result, Tensor, TensorOptions, Variable,
};

fn training_loop() -> Result<()> {
    flodl::manual_seed(0);
    let opts = TensorOptions::default();
    // Data: 512 points of 8 features in 3 classes.
    let x = Tensor::randn(&[512, 8], opts)?;
    let y = x.matmul(&Tensor::randn(&[8, 3], opts)?)?.argmax(1)?; // Int64 class indices
    let (x_train, y_train) = (x.narrow(0, 0, 384)?, y.narrow(0, 0, 384)?);
    let (x_test, y_test) = (x.narrow(0, 384, 128)?, y.narrow(0, 384, 128)?);

    let model = nn::Sequential::new()
        .add(nn::Linear::new(8, 32, true)?)
        .add(nn::ReLU)
        .add(nn::Dropout::new(0.1)?)
        .add(nn::Linear::new(32, 3, true)?);
    let options = AdamWOptions {
        lr: 1e-2,
        ..Default::default()
    };
    let mut optimizer = optim::AdamW::new(model.parameters(), options)?;
    let epochs = 20;
    let cosine = CosineAnnealingLR {
        t_max: epochs,
        eta_min: 0.0,
    };
    let mut scheduler = Scheduler::new(&mut optimizer, cosine);

    let mut last_loss = f64::NAN;
    for _epoch in 0..epochs {
        model.train();
        for start in (0..384).step_by(64) {
            let xb = Variable::new(x_train.narrow(0, start, 64)?, false)?;
            let yb = y_train.narrow(0, start, 64)?;
            let logits = model.forward(&xb)?;
            let loss = flodl::cross_entropy(&logits, &yb, None, -100, Reduction::Mean, 0.0)?;
            optimizer.zero_grad();
            loss.backward()?;
            optimizer.step()?;
            last_loss = loss.item()?;
        }
        scheduler.step(&mut optimizer);
    }

    model.eval();
    let logits = no_grad(|| model.forward(&Variable::new(x_test.clone(), false)?))?;
    let correct = logits.data().argmax(1)?.eq(&y_test)?.sum()?.item()?;
    println!(
        "loss {last_loss:.3}, held-out accuracy {:.1}%",
        correct / 128.0 * 100.0
    );

    let path = std::env::temp_dir().join("flodl-training-loop.safetensors");
    flodl::io::save(&model.state_dict(), &path)?;
    let restored = nn::Sequential::new()
        .add(nn::Linear::new(8, 32, true)?)
        .add(nn::ReLU)
        .add(nn::Dropout::new(0.1)?)
        .add(nn::Linear::new(32, 3, true)?);
    restored.load_state_dict(&flodl::io::load(&path)?, true)?;
    std::fs::remove_file(&path).ok();
    Ok(())
}

fn a_module_of_your_own() -> Result<()> {
    /// Two linear layers with dropout between them.
    struct Mlp {
        hidden: nn::Linear,
        drop: nn::Dropout,
        out: nn::Linear,
    }

    impl Module for Mlp {
        fn forward(&self, x: &Variable) -> Result<Variable> {
            let h = self.hidden.forward(x)?.relu()?;
            self.out.forward(&self.drop.forward(&h)?)
        }

        fn named_parameters(&self) -> Vec<(String, Parameter)> {
            // Each child's names behind its field name, as PyTorch names them.
            let children: [(&str, &dyn Module); 2] = [("hidden", &self.hidden), ("out", &self.out)];
            children
                .into_iter()
                .flat_map(|(prefix, child)| {
                    child
                        .named_parameters()
                        .into_iter()
                        .map(move |(name, p)| (format!("{prefix}.{name}"), p))
                })
                .collect()
        }

        fn set_training(&self, training: bool) {
            self.drop.set_training(training);
        }
    }

    let model = Mlp {
        hidden: nn::Linear::new(4, 8, true)?,
        drop: nn::Dropout::new(0.5)?,
        out: nn::Linear::new(8, 2, true)?,
    };
    let names: Vec<String> = model
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    println!("{names:?}"); // ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    model.eval(); // dropout off
    let x = Variable::new(Tensor::randn(&[3, 4], TensorOptions::default())?, false)?;
    println!("{:?}", model.forward(&x)?.shape()); // [3, 2]
    model.to(None, Some(DType::Float64))?; // the same Parameters, now float64
    Ok(())
}

fn initialisation() -> Result<()> {
    flodl::manual_seed(0);
    let layer = nn::Linear::new(4, 3, true)?;
    // The numbers torch.nn.Linear(4, 3) holds after torch.manual_seed(0).
    println!("{:?}", layer.weight.data().to_f32_vec()?);
    // Re-initialise in place: not recorded, same memory.
    nn::init::trunc_normal_(&layer.weight, 0.0, 0.02, -0.04, 0.04)?;
    if let Some(bias) = &layer.bias {
        nn::init::zeros_(bias)?;
    }
    Ok(())
}

fn losses() -> Result<()> {
    let opts = TensorOptions::default();
    let logits = Variable::new(Tensor::randn(&[4, 5], opts)?, true)?;
    let target = Tensor::from_i64(&[0, 3, 1, 4], &[4], Device::CPU)?;
    let loss = flodl::cross_entropy(&logits, &target, None, -100, Reduction::Mean, 0.1)?;
    loss.backward()?;
    println!("{:?}", logits.grad().unwrap().shape()); // [4, 5]

    let pred = Variable::new(Tensor::randn(&[4, 2], opts)?, true)?;
    let zeros = Variable::new(Tensor::zeros(&[4, 2], opts)?, false)?;
    let per_element = flodl::mse_loss(&pred, &zeros, Reduction::None)?;
    println!("{:?}", per_element.shape()); // [4, 2]
    let probs = logits.softmax(1)?;
    println!("{:.4}", probs.sum()?.item()?); // 4.0000
    Ok(())
}

fn distributions() -> Result<()> {
    let cpu = Device::CPU;
    let loc = Variable::new(Tensor::from_f64(&[0.0, 1.0], &[2], cpu)?, true)?;
    let scale = Variable::new(Tensor::from_f64(&[1.0, 2.0], &[2], cpu)?, false)?;
    let normal = Normal::new(&loc, &scale, true)?; // true: check as validate_args
    let value = Variable::new(Tensor::from_f64(&[0.5, 0.5], &[2], cpu)?, false)?;
    normal.log_prob(&value)?.sum()?.backward()?;
    println!("{:?}", loc.grad().unwrap().to_f64_vec()?); // [0.5, -0.125]
    let prior = Normal::new(&loc.detach(), &scale.mul_scalar(2.0)?, true)?;
    println!("KL {:?}", kl_divergence(&normal, &prior)?.shape()); // [2]

    // A policy's log-probability of its actions and its entropy.
    let logits = Variable::new(Tensor::randn(&[4, 3], TensorOptions::default())?, true)?;
    let policy = Categorical::from_logits(&logits, true)?;
    let actions = Variable::new(policy.sample(&[])?, false)?;
    let bonus = policy.entropy()?.mean()?.mul_scalar(0.01)?;
    let loss = policy.log_prob(&actions)?.sum()?.add(&bonus)?;
    loss.backward()?;
    println!("{:?}", logits.grad().unwrap().shape()); // [4, 3]

    // A flow's prior: a multivariate normal from its covariance matrix.
    let mean = Variable::new(Tensor::zeros(&[2], TensorOptions::default())?, false)?;
    let cov = Variable::new(Tensor::eye(2, TensorOptions::default())?, false)?;
    let prior = MultivariateNormal::new(&mean, &cov, CovarianceForm::Covariance, true)?;
    let z = prior.rsample(&[5])?;
    println!("{:?} {:?}", z.shape(), prior.log_prob(&z)?.shape()); // [5, 2] [5]

    // A mixture of two normals, equally weighted.
    let weights = Variable::new(Tensor::from_f64(&[0.5, 0.5], &[2], cpu)?, false)?;
    let centres = Variable::new(Tensor::from_f64(&[-1.0, 1.0], &[2], cpu)?, true)?;
    let spreads = Variable::new(Tensor::from_f64(&[1.0, 1.0], &[2], cpu)?, false)?;
    let mixture = MixtureSameFamily::new(
        Categorical::from_probs(&weights, true)?,
        Box::new(Normal::new(&centres, &spreads, true)?),
        true,
    )?;
    let at = Variable::new(Tensor::from_f64(&[0.0, 2.0], &[2], cpu)?, false)?;
    mixture.log_prob(&at)?.sum()?.backward()?;
    println!("{:?}", centres.grad().unwrap().shape()); // [2]
    Ok(())
}

fn optimizer_groups_and_state() -> Result<()> {
    let model = nn::Linear::new(8, 2, true)?;
    let options = SGDOptions {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 1e-4,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![model.weight.clone()], options.clone())?;
    // The bias in a group of its own, without weight decay.
    let no_decay = SGDOptions {
        weight_decay: 0.0,
        ..options
    };
    opt.add_param_group(model.bias.iter().cloned(), no_decay)?;

    let x = Variable::new(Tensor::randn(&[32, 8], TensorOptions::default())?, false)?;
    opt.zero_grad();
    model.forward(&x)?.pow_scalar(2)?.mean()?.backward()?;
    opt.step()?; // one call into the core per group
    for (name, value) in opt.state(&model.weight) {
        println!("{name}: {:?}", value.shape()); // momentum_buffer: [2, 8]
    }
    if let Some(bias_options) = opt.options_mut(1) {
        bias_options.lr = 0.01;
    }
    println!("{} groups, first lr {}", opt.param_groups().len(), opt.lr());

    // A checkpoint: PyTorch's state_dict layout, hyperparameters included, in
    // one safetensors file (Python's flodl.load reads it as a nested dict).
    let path = std::env::temp_dir().join(format!("optim-{}.safetensors", std::process::id()));
    flodl::io::save_value(&opt.state_dict(), &path)?;
    let mut resumed = optim::SGD::new(vec![model.weight.clone()], SGDOptions::default())?;
    resumed.add_param_group(model.bias.iter().cloned(), SGDOptions::default())?;
    resumed.load_state_dict(&flodl::io::load_value(&path)?)?;
    std::fs::remove_file(&path).ok();
    println!("resumed lr {}", resumed.param_groups()[1].options.lr); // 0.01
    Ok(())
}

fn an_update_rule_of_your_own() -> Result<()> {
    flodl::manual_seed(0);
    let model = nn::Linear::new(4, 2, true)?;
    let (lr, beta1, beta2) = (1e-2, 0.9, 0.99);
    // Lion's update: the sign of a momentum blend; its state, one buffer per
    // parameter, kept next to the parameters.
    let params = model.parameters();
    let mut momenta = params
        .iter()
        .map(|p| Tensor::zeros_like(&p.data()))
        .collect::<Result<Vec<_>>>()?;
    let x = Variable::new(Tensor::randn(&[8, 4], TensorOptions::default())?, false)?;
    for _ in 0..3 {
        params.iter().for_each(|p| p.zero_grad());
        model.forward(&x)?.pow_scalar(2)?.mean()?.backward()?;
        no_grad(|| -> Result<()> {
            for (p, m) in params.iter().zip(momenta.iter_mut()) {
                let Some(grad) = p.grad() else { continue };
                let blend = m.mul_scalar(beta1)?.add(&grad.mul_scalar(1.0 - beta1)?)?;
                p.data().sub_(&blend.sign()?.mul_scalar(lr)?)?;
                *m = m.mul_scalar(beta2)?.add(&grad.mul_scalar(1.0 - beta2)?)?;
            }
            Ok(())
        })?;
    }
    println!("{:?}", model.weight.data().shape()); // [2, 4]
    Ok(())
}

fn schedulers() -> Result<()> {
    let w = Variable::new(Tensor::zeros(&[3], TensorOptions::default())?, true)?;
    let options = SGDOptions {
        lr: 1.0,
        ..Default::default()
    };
    let mut opt = optim::SGD::new(vec![w.clone()], options.clone())?;
    let step_lr = StepLR {
        step_size: 2,
        gamma: 0.5,
    };
    let mut sched = Scheduler::new(&mut opt, step_lr);
    let mut lrs = Vec::new();
    for _epoch in 0..5 {
        opt.step()?; // ... after the epoch's batches
        sched.step(&mut opt);
        lrs.push(opt.lr());
    }
    println!("{lrs:?}"); // [1.0, 0.5, 0.5, 0.25, 0.25]

    /// A linear warm-up over `steps` steps: Python's
    /// `LambdaLR(opt, lambda t: min(1.0, (t + 1) / steps))`.
    struct Warmup {
        steps: usize,
    }

    impl Schedule for Warmup {
        fn lr_at(&self, base: f64, t: usize) -> f64 {
            base * ((t + 1) as f64 / self.steps as f64).min(1.0)
        }
    }

    let mut opt = optim::SGD::new(vec![w], SGDOptions { lr: 0.1, ..options })?;
    let mut warmup = Scheduler::new(&mut opt, Warmup { steps: 5 });
    println!("{:.2}", opt.lr()); // step 0's rate, set at once: 0.02
    warmup.step(&mut opt);
    println!("{:.2}", opt.lr()); // 0.04
    Ok(())
}

fn weight_averaging() -> Result<()> {
    let model = nn::Linear::new(4, 2, true)?;
    let weights = || -> Vec<Tensor> { model.parameters().iter().map(|p| p.data()).collect() };
    let mut ema = WeightAverage::new(&weights(), AverageRule::Ema { decay: 0.99 })?;
    let mut opt = optim::SGD::new(
        model.parameters(),
        SGDOptions {
            lr: 0.1,
            ..Default::default()
        },
    )?;
    let x = Variable::new(Tensor::randn(&[8, 4], TensorOptions::default())?, false)?;
    for _step in 0..10 {
        opt.zero_grad();
        model.forward(&x)?.pow_scalar(2.0)?.mean()?.backward()?;
        opt.step()?;
        ema.update(&weights())?; // the first update copies, later ones average
    }
    println!("{} updates averaged", ema.n_averaged()); // 10
    let averaged: &[Tensor] = ema.averaged(); // the weight, then the bias
    println!("{:?}", averaged[0].shape()); // [2, 4]
    Ok(())
}

fn gradient_clipping() -> Result<()> {
    let model = nn::Linear::new(4, 2, true)?;
    let x = Variable::new(Tensor::randn(&[8, 4], TensorOptions::default())?, false)?;
    model.forward(&x)?.mul_scalar(100.0)?.sum()?.backward()?;
    let params = model.parameters();
    let total = nn::utils::clip_grad_norm_(&params, 1.0, 2.0, false)?;
    println!("norm before clipping: {:.1}", total.item()?);
    nn::utils::clip_grad_value_(&params, 0.01)?;
    // All the parameters as one vector (differentiable), and back.
    let vector = nn::utils::parameters_to_vector(&params)?;
    nn::utils::vector_to_parameters(&vector.data().mul_scalar(0.5)?, &params)?;
    Ok(())
}

fn spectral_normalization() -> Result<()> {
    use nn::utils::{spectral_normalized, spectral_power_iteration, spectral_vectors};
    let layer = nn::Linear::new(5, 4, true)?;
    // The power iteration's vectors, drawn as PyTorch draws them.
    let (u, v) = spectral_vectors(&layer.weight, 0, 1e-12)?;
    let x = Variable::new(Tensor::randn(&[3, 5], TensorOptions::default())?, false)?;
    for _ in 0..3 {
        // One more round per training step refines the estimate in place.
        let order = nn::utils::PowerIterationOrder::VFirst; // nn.utils.spectral_norm's
        spectral_power_iteration(&layer.weight, &u, &v, 0, 1, 1e-12, order)?;
        let weight = spectral_normalized(&layer.weight, &u, &v, 0)?;
        let y = flodl::linear(&x, &weight, layer.bias.as_ref())?;
        y.pow_scalar(2.0)?.sum()?.backward()?; // reaches layer.weight
    }
    assert!(layer.weight.grad().is_some());
    Ok(())
}

fn pruning() -> Result<()> {
    use nn::prune::{PruneAmount, PruningMethod};
    let layer = nn::Linear::new(8, 4, true)?;
    let weight = layer.weight.data();
    let half = PruningMethod::L1Unstructured {
        amount: PruneAmount::Fraction(0.5),
    };
    let mask = half.mask(&weight, &Tensor::ones_like(&weight)?)?;
    // One more row of those left, as pruning a pruned parameter does in PyTorch.
    let row = PruningMethod::LnStructured {
        amount: PruneAmount::Count(1),
        n: 2.0,
        dim: 0,
    };
    let mask = row.combined_mask(&weight, &mask)?;
    let x = Variable::new(Tensor::randn(&[2, 8], TensorOptions::default())?, false)?;
    // In forward, the weight times its mask: pruned entries get no gradient.
    let masked = layer.weight.mul(&Variable::new(mask.clone(), false)?)?;
    let y = flodl::linear(&x, &masked, layer.bias.as_ref())?;
    y.sum()?.backward()?;
    let grad = layer.weight.grad().expect("backward reached the weight");
    let pruned = mask.eq_scalar(0.0)?.to_dtype(DType::Float32)?;
    assert_eq!(grad.mul(&pruned)?.abs()?.sum()?.item()?, 0.0);
    Ok(())
}

fn in_place_ops() -> Result<()> {
    let w = Variable::new(Tensor::from_f64(&[1.0, 2.0], &[2], Device::CPU)?, true)?;
    let err = w.add_scalar_(1.0).unwrap_err(); // a leaf that requires grad
    assert_eq!(err.kind(), ErrorKind::Autograd);
    w.mul(&w)?.sum()?.backward()?;
    let step = Variable::new(w.grad().unwrap().mul_scalar(0.25)?, false)?;
    no_grad(|| w.sub_(&step))?; // a hand-written SGD step
    println!("{:?}", w.data().to_f64_vec()?); // [0.5, 1.0]

    let h = w.mul_scalar(2.0)?; // a non-leaf: recorded
    h.add_scalar_(1.0)?;
    w.zero_grad();
    h.sum()?.backward()?;
    println!("{:?}", w.grad().unwrap().to_f64_vec()?); // [2.0, 2.0]
    Ok(())
}

fn save_and_load() -> Result<()> {
    let model = nn::Sequential::new()
        .add(nn::Linear::new(4, 8, true)?)
        .add(nn::ReLU)
        .add(nn::Linear::new(8, 2, true)?);
    let path = std::env::temp_dir().join("flodl-training-snippet.safetensors");
    flodl::io::save(&model.state_dict(), &path)?;
    let loaded = flodl::io::load(&path)?; // on the CPU, in the file's (name) order
    for (name, tensor) in &loaded {
        println!("{name}: {:?}", tensor.shape()); // 0.bias: [8], 0.weight: [8, 4], ...
    }
    let report = model.load_state_dict(&loaded, true)?;
    assert!(report.missing_keys.is_empty() && report.unexpected_keys.is_empty());
    std::fs::remove_file(&path).ok();
    Ok(())
}

fn complex_spectral_filter() -> Result<()> {
    // A filter learned in the frequency domain: one complex weight per
    // frequency of the rfft, trained to delay a signal by one step.
    let opts = TensorOptions::default();
    let complex = TensorOptions {
        dtype: DType::Complex64,
        ..opts
    };
    let signal = Variable::new(Tensor::randn(&[8, 32], opts)?, false)?;
    let target = Variable::new(signal.data().roll(&[1], &[1])?, false)?;
    let weight = Variable::new(Tensor::ones(&[17], complex)?, true)?;
    let adam = AdamOptions {
        lr: 0.05,
        ..Default::default()
    };
    let mut optimizer = optim::Adam::new(vec![weight.clone()], adam)?;
    let spectrum = signal.fft_rfft(None, -1, None)?; // [8, 17] complex64
    let mut losses = Vec::new();
    for _ in 0..200 {
        let filtered = spectrum.mul(&weight)?.fft_irfft(Some(32), -1, None)?;
        let loss = filtered.sub(&target)?.square()?.mean()?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        losses.push(loss.item()?);
    }
    assert!(losses[199] < 0.01 * losses[0], "{losses:?}");
    Ok(())
}

fn main() -> Result<()> {
    training_loop()?;
    a_module_of_your_own()?;
    initialisation()?;
    losses()?;
    distributions()?;
    optimizer_groups_and_state()?;
    an_update_rule_of_your_own()?;
    schedulers()?;
    weight_averaging()?;
    gradient_clipping()?;
    spectral_normalization()?;
    pruning()?;
    in_place_ops()?;
    complex_spectral_filter()?;
    save_and_load()
}
