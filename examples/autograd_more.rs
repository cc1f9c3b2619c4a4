//! The Rust side of docs/autograd.md: each function is one of its examples
//! (the docs show these bodies; a test checks they match). Run:
//! `cargo run --release --example autograd_more`.
use flodl::autograd::forward_ad::{make_dual, unpack_dual, DualLevel};
use flodl::autograd::{grad, BackwardOptions, GradOptions};
use flodl::func::Randomness;
use flodl::{func, no_grad, Device, Result, Tensor, Variable};

fn upstream_gradient() -> Result<()> {
    let x = Variable::new(Tensor::from_f64(&[1.0, 2.0, 3.0], &[3], Device::CPU)?, true)?;
    let y = x.mul_scalar(2.0)?;
    let g = Tensor::from_f64(&[1.0, 0.5, 0.0], &[3], Device::CPU)?;
    y.backward_with(BackwardOptions {
        gradient: Some(&g),
        ..Default::default()
    })?;
    println!("x.grad = {:?}", x.grad().unwrap().to_f64_vec()?); // [2.0, 1.0, 0.0]
    Ok(())
}

fn gradient_penalty() -> Result<()> {
    let x = Variable::new(Tensor::randn(&[8, 4], Default::default())?, true)?;
    let w = Variable::new(Tensor::randn(&[1, 4], Default::default())?, true)?;
    let out = flodl::linear(&x, &w, None)?.tanh()?.sum()?;
    let create = GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let gx = grad(&[&out], &[&x], create)?.remove(0).unwrap();
    let penalty = gx
        .norm_dim(2.0, 1, false)?
        .add_scalar(-1.0)?
        .pow_scalar(2)?
        .mean()?;
    penalty.backward()?; // a gradient of a gradient reaches w
    println!(
        "penalty {:.4}, w.grad {:?}",
        penalty.item()?,
        w.grad().unwrap().shape()
    );
    Ok(())
}

fn hessian_vector_product() -> Result<()> {
    let x = Tensor::from_f64(&[1.0, -2.0], &[2], Device::CPU)?;
    let v = Tensor::from_f64(&[1.0, 1.0], &[2], Device::CPU)?;
    let cube_sum = |xs: &[Variable]| xs[0].pow_scalar(3)?.sum();
    let (value, hv) = func::hvp(cube_sum, &[&x], &[&v])?;
    println!("f = {}, H v = {:?}", value.item()?, hv[0].to_f64_vec()?); // -7, [6.0, -12.0]
    Ok(())
}

fn jacobian_of_a_network() -> Result<()> {
    let w = Tensor::randn(&[3, 4], Default::default())?;
    let x = Tensor::randn(&[4], Default::default())?;
    let net = |xs: &[Variable]| {
        let w = Variable::new(w.clone(), false)?;
        flodl::linear(&xs[0], &w, None)?.sigmoid()
    };
    let j = func::jacobian(net, &[&x])?.remove(0);
    println!("Jacobian shape {:?}", j.shape()); // [3, 4]
    let tangent = Tensor::ones(&[4], Default::default())?;
    let (_, jv) = func::jvp(net, &[&x], &[&tangent])?; // forward mode: J @ ones
    println!("J v = {:?}", jv.to_f32_vec()?);
    Ok(())
}

fn vmap_and_jacfwd() -> Result<()> {
    let rows = Variable::new(Tensor::randn(&[5, 3], Default::default())?, false)?;
    let w = Variable::new(Tensor::randn(&[3], Default::default())?, true)?;
    let dot = |v: &[Variable]| v[0].mul(&v[1])?.sum();
    let (inputs, mapped) = ([rows, w.clone()], [Some(0), None]);
    let dots: Variable = func::vmap(dot, &inputs, &mapped, &[Some(0)], Randomness::Error)?;
    dots.sum()?.backward()?; // gradients reach the shared w
    println!(
        "{:?} dots, w.grad {:?}",
        dots.shape(),
        w.grad().unwrap().shape()
    );
    let x = Tensor::randn(&[4], Default::default())?;
    let j = func::jacfwd(|v: &[Variable]| v[0].sin(), &[&x])?.remove(0);
    println!("forward-mode Jacobian {:?}", j.shape()); // [4, 4], diagonal cos(x)
    Ok(())
}

fn dual_numbers() -> Result<()> {
    let x = Variable::new(Tensor::from_f64(&[0.5, 1.0, 2.0], &[3], Device::CPU)?, true)?;
    let direction = Tensor::ones(&[3], Default::default())?.to_dtype(flodl::DType::Float64)?;
    let level = DualLevel::enter()?; // closed when dropped
    let dual = make_dual(&x, &direction, &level)?;
    let (value, tangent) = unpack_dual(&dual.sin()?.sum()?, &level)?;
    let tangent = tangent.expect("sin carries the tangent"); // sum(cos(x) * 1)
    println!("value {:.4}, J v = {:.4}", value.item()?, tangent.item()?);
    drop(level);
    tangent.backward()?; // reverse over forward: d/dx sum(cos x) = -sin x
    println!("{:?}", x.grad().expect("x is a leaf").to_f64_vec()?);
    Ok(())
}

fn clipping_hook() -> Result<()> {
    let x = Variable::new(Tensor::from_f64(&[0.5, -4.0], &[2], Device::CPU)?, true)?;
    let handle = x.register_hook(|g| Ok(Some(g.clamp(-1.0, 1.0)?)))?;
    x.mul_scalar(3.0)?.pow_scalar(2)?.sum()?.backward()?;
    println!("clipped x.grad = {:?}", x.grad().unwrap().to_f64_vec()?); // [1.0, -1.0]
    handle.remove()?;
    let non_leaf = x.mul_scalar(2.0)?;
    non_leaf.retain_grad()?; // keep a non-leaf's gradient
    no_grad(|| {
        println!(
            "no graph here: {}",
            x.mul_scalar(2.0)
                .map(|y| y.requires_grad())
                .unwrap_or(false)
        )
    });
    Ok(())
}

fn main() -> Result<()> {
    upstream_gradient()?;
    gradient_penalty()?;
    hessian_vector_product()?;
    jacobian_of_a_network()?;
    vmap_and_jacfwd()?;
    dual_numbers()?;
    clipping_hook()
}
