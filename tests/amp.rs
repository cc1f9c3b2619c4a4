//! flodl::amp from Rust: autocast regions (dtype, nesting, threads, the
//! guard) and GradScaler with flodl's optimizers (skipped steps, the scale's
//! growth and backoff, the fused and unfused paths giving the same
//! parameters). tests/python/test_amp.py checks both against PyTorch.
use flodl::amp::{self, AutocastGuard, GradScaler, GradScalerOptions};
use flodl::optim::{Adam, AdamOptions, RMSprop, RMSpropOptions};
use flodl::{DType, Device, ErrorKind, Result, Tensor, Value, Variable};

fn leaf(values: &[f64]) -> Variable {
    let t = Tensor::from_f64(values, &[values.len() as i64], Device::CPU)
        .unwrap()
        .to_dtype(DType::Float32)
        .unwrap();
    Variable::new(t, true).unwrap()
}

#[test]
fn autocast_runs_matmul_in_the_region_dtype_and_restores() -> Result<()> {
    let a = Tensor::randn(&[3, 4], Default::default())?;
    let b = Tensor::randn(&[4, 2], Default::default())?;
    let inside = amp::autocast(Device::CPU, DType::BFloat16, || a.matmul(&b))??;
    assert_eq!(inside.dtype(), DType::BFloat16);
    assert_eq!(a.matmul(&b)?.dtype(), DType::Float32);
    assert!(!amp::is_autocast_enabled(Device::CPU));
    {
        let _outer = AutocastGuard::new(Device::CPU, Some(DType::Float16))?;
        assert!(amp::is_autocast_enabled(Device::CPU));
        assert_eq!(amp::autocast_dtype(Device::CPU), DType::Float16);
        {
            let _off = AutocastGuard::with_options(Device::CPU, None, false, true)?;
            assert_eq!(a.matmul(&b)?.dtype(), DType::Float32);
        }
        assert_eq!(a.matmul(&b)?.dtype(), DType::Float16);
        // Another thread has its own state.
        let other = std::thread::spawn(|| amp::is_autocast_enabled(Device::CPU))
            .join()
            .unwrap();
        assert!(!other);
    }
    assert!(!amp::is_autocast_enabled(Device::CPU));
    assert_eq!(amp::autocast_dtype(Device::CPU), DType::BFloat16);
    Ok(())
}

#[test]
fn autocast_refuses_a_dtype_it_cannot_run() {
    let err = AutocastGuard::new(Device::CPU, Some(DType::Float32)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
    assert!(err.to_string().starts_with("autocast:"), "{err}");
    assert!(!amp::is_autocast_enabled(Device::CPU));
}

/// loss = sum(w * w) * factor: the gradient is 2 w factor (inf for an inf factor).
fn backward(scaler: &mut GradScaler, w: &Variable, factor: f64) -> Result<()> {
    w.zero_grad();
    let loss = w.mul(w)?.sum()?.mul_scalar(factor)?;
    scaler.scale(&loss)?.backward()
}

#[test]
fn scaler_skips_steps_with_inf_and_adapts_the_scale() -> Result<()> {
    let options = GradScalerOptions {
        init_scale: 8.0,
        growth_interval: 2,
        ..Default::default()
    };
    let mut scaler = GradScaler::new(Device::CPU, options)?;
    let w = leaf(&[1.0, -2.0]);
    let mut opt = RMSprop::new([w.clone()], RMSpropOptions::default())?;
    let before = w.data().to_f64_vec()?;
    backward(&mut scaler, &w, f64::INFINITY)?;
    scaler.step(&mut opt)?;
    scaler.update()?;
    assert_eq!(
        w.data().to_f64_vec()?,
        before,
        "a step with inf gradients is skipped"
    );
    assert_eq!(scaler.get_scale()?, 4.0);
    for expected in [4.0, 8.0, 8.0, 16.0] {
        backward(&mut scaler, &w, 1.0)?;
        scaler.step(&mut opt)?;
        scaler.update()?;
        assert_eq!(scaler.get_scale()?, expected);
    }
    assert_ne!(w.data().to_f64_vec()?, before);
    let state = scaler.state_dict()?;
    assert_eq!(
        state.get("_growth_tracker").and_then(Value::as_i64),
        Some(0)
    );
    Ok(())
}

#[test]
fn unscale_gives_the_true_gradients_and_fused_steps_match_unfused() -> Result<()> {
    // Adam's fused kernel unscales inside; unscale_ first takes the other path.
    let run = |unscale_first: bool| -> Result<Vec<f64>> {
        let mut scaler = GradScaler::new(Device::CPU, GradScalerOptions::default())?;
        let w = leaf(&[0.5, -1.5, 2.0]);
        let mut opt = Adam::new([w.clone()], AdamOptions::default())?;
        for step in 0..4 {
            let factor = if step == 2 { f64::NAN } else { 1.0 };
            backward(&mut scaler, &w, factor)?;
            if unscale_first {
                scaler.unscale_(&mut opt)?;
                if step != 2 {
                    let grad = w.grad().unwrap().to_f64_vec()?;
                    let twice: Vec<f64> = w.data().to_f64_vec()?.iter().map(|x| 2.0 * x).collect();
                    assert_eq!(grad, twice, "unscaled gradient");
                }
            }
            scaler.step(&mut opt)?;
            scaler.update()?;
        }
        w.data().to_f64_vec()
    };
    assert_eq!(run(false)?, run(true)?);
    Ok(())
}

#[test]
fn scaler_stage_errors_and_state_dict_round_trip() -> Result<()> {
    let mut scaler = GradScaler::new(Device::CPU, GradScalerOptions::default())?;
    let w = leaf(&[1.0]);
    let mut opt = Adam::new([w.clone()], AdamOptions::default())?;
    assert_eq!(
        scaler.step(&mut opt).unwrap_err().kind(),
        ErrorKind::Argument
    );
    backward(&mut scaler, &w, 1.0)?;
    scaler.unscale_(&mut opt)?;
    assert_eq!(
        scaler.unscale_(&mut opt).unwrap_err().kind(),
        ErrorKind::Argument
    );
    scaler.step(&mut opt)?;
    assert_eq!(
        scaler.step(&mut opt).unwrap_err().kind(),
        ErrorKind::Argument
    );
    scaler.update_to(1024.0)?;
    let saved = scaler.state_dict()?;
    let mut other = GradScaler::new(Device::CPU, GradScalerOptions::default())?;
    other.load_state_dict(&saved)?;
    assert_eq!(other.get_scale()?, 1024.0);
    let bad = GradScalerOptions {
        growth_factor: 0.5,
        ..Default::default()
    };
    assert_eq!(
        GradScaler::new(Device::CPU, bad).unwrap_err().kind(),
        ErrorKind::Argument
    );
    Ok(())
}

/// A checkpointed block recomputes in backward in the autocast state of its
/// forward (backward runs outside the region): the gradients are those of
/// the block run without checkpointing.
#[test]
fn checkpoint_recomputes_in_the_forward_autocast_state() -> Result<()> {
    let grads = |checkpointed: bool| -> Result<Vec<f64>> {
        let w = leaf(&[0.3, -1.7, 2.2, 0.9, -0.4, 1.3]).reshape(&[3, 2])?;
        let w = Variable::new(w.data(), true)?;
        let x = leaf(&[1.1, -0.6, 0.25, 2.0, -1.5, 0.7]).reshape(&[2, 3])?;
        let block = {
            let w = w.clone();
            move |v: &[Variable]| Ok(vec![v[0].matmul(&w)?.tanh()?])
        };
        let out = {
            let _region = AutocastGuard::new(Device::CPU, Some(DType::BFloat16))?;
            if checkpointed {
                flodl::autograd::checkpoint(block, &[&x])?.remove(0)
            } else {
                block(std::slice::from_ref(&x))?.remove(0)
            }
        };
        assert_eq!(out.dtype(), DType::BFloat16);
        out.to_dtype(DType::Float32)?.sum()?.backward()?;
        w.grad().expect("w is used").to_f64_vec()
    };
    assert_eq!(grads(true)?, grads(false)?);
    Ok(())
}
