//! The autograd tutorial in Rust; `examples/autograd_tutorial.py` is the same
//! program in Python. Run: `cargo run --example autograd_tutorial`.
use flodl::{no_grad, Device, Tensor, Variable};

fn main() -> flodl::Result<()> {
    // 1. Leaves: y = x * w with x = 2, w = 3.
    let x = Variable::new(Tensor::from_f32(&[2.0], &[1], Device::CPU)?, true)?;
    let w = Variable::new(Tensor::from_f32(&[3.0], &[1], Device::CPU)?, true)?;
    let y = x.mul(&w)?.sum()?;
    println!("y = {}", y.item()?);

    // 2. backward fills the leaves' gradients: dy/dw = x, dy/dx = w.
    y.backward()?;
    println!(
        "dy/dw = {:?}",
        w.grad()
            .map(|g| g.to_f32_vec())
            .transpose()?
            .unwrap_or_default()
    );
    println!(
        "dy/dx = {:?}",
        x.grad()
            .map(|g| g.to_f32_vec())
            .transpose()?
            .unwrap_or_default()
    );

    // 3. Gradients accumulate over backward passes...
    x.mul(&w)?.sum()?.backward()?;
    println!(
        "after a second pass, dy/dw = {:?}",
        w.grad()
            .map(|g| g.to_f32_vec())
            .transpose()?
            .unwrap_or_default()
    );

    // 4. ...until zero_grad resets them to None.
    w.zero_grad();
    x.zero_grad();
    println!("after zero_grad, w.grad() is None: {}", w.grad().is_none());

    // 5. detach: a new leaf sharing the data, with no tracking.
    let frozen = w.detach();
    println!(
        "detached: requires_grad = {}, is_leaf = {}",
        frozen.requires_grad(),
        frozen.is_leaf()
    );

    // 6. no_grad: nothing is recorded inside.
    let z = no_grad(|| x.mul(&w))?;
    println!("under no_grad: z.requires_grad() = {}", z.requires_grad());

    // 7. Errors are values: backward from a non-scalar output.
    let v = Variable::new(Tensor::from_f32(&[1.0, 2.0], &[2], Device::CPU)?, true)?;
    match v.mul_scalar(2.0)?.backward() {
        Ok(()) => println!("unexpected success"),
        Err(e) => println!("caught {:?} error: {e}", e.kind()),
    }
    Ok(())
}
