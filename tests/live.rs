//! `live_tensor_count`: backward frees the graph, and a training step leaves
//! no handle behind. One test in its own binary, because the count is
//! process-wide and Rust runs a binary's tests on parallel threads.
use flodl::{live_tensor_count, Device, Result, Tensor, TensorOptions, Variable};

fn step(w: &Variable, x: &Variable) -> Result<()> {
    let loss = x.matmul(w)?.tanh()?.pow_scalar(2.0)?.mean()?;
    loss.backward()?;
    w.zero_grad();
    Ok(())
}

#[test]
fn training_steps_leave_no_handle_behind() {
    let w = Variable::new(
        Tensor::randn(&[8, 4], TensorOptions::default()).unwrap(),
        true,
    )
    .unwrap();
    let x = Variable::new(
        Tensor::randn(&[16, 8], TensorOptions::default()).unwrap(),
        false,
    )
    .unwrap();
    step(&w, &x).unwrap();
    let before = live_tensor_count();
    assert_eq!(before, 2, "only the two leaves are alive between steps");
    for _ in 0..1000 {
        step(&w, &x).unwrap();
    }
    assert_eq!(live_tensor_count(), before);
    let extra = Tensor::from_f32(&[1.0], &[1], Device::CPU).unwrap();
    let copy = extra.clone();
    assert_eq!(live_tensor_count(), before + 2);
    drop((extra, copy));
    assert_eq!(live_tensor_count(), before);
}
