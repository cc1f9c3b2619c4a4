//! The function transforms from Rust alone, against their closed forms.
use flodl::{func, Device, Result, Tensor, Variable};

fn t(values: &[f64]) -> Tensor {
    Tensor::from_f64(values, &[values.len() as i64], Device::CPU).unwrap()
}

fn close(a: &Tensor, b: &[f64]) {
    let a = a.to_f64_vec().unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-10, "{a:?} vs {b:?}");
    }
}

fn cube_sum(xs: &[Variable]) -> Result<Variable> {
    xs[0].pow_scalar(3).and_then(|c| c.sum())
}

#[test]
fn grad_hessian_and_hvp_of_a_cube() {
    let x = t(&[1.0, -2.0]);
    let g = func::grad(cube_sum, &[&x]).unwrap();
    close(&g[0], &[3.0, 12.0]);
    let (gs, value) = func::grad_and_value(cube_sum, &[&x]).unwrap();
    close(&gs[0], &[3.0, 12.0]);
    close(&value.reshape(&[1]).unwrap(), &[-7.0]);
    let h = func::hessian(cube_sum, &[&x]).unwrap();
    assert_eq!(h[0][0].shape(), vec![2, 2]);
    close(&h[0][0].reshape(&[4]).unwrap(), &[6.0, 0.0, 0.0, -12.0]);
    let (_, hv) = func::hvp(cube_sum, &[&x], &[&t(&[1.0, 1.0])]).unwrap();
    close(&hv[0], &[6.0, -12.0]);
}

#[test]
fn jacobian_vjp_and_forward_mode_jvp() {
    let x = t(&[0.5, 2.0]);
    let square = |xs: &[Variable]| xs[0].mul(&xs[0]);
    let j = func::jacobian(square, &[&x]).unwrap();
    close(&j[0].reshape(&[4]).unwrap(), &[1.0, 0.0, 0.0, 4.0]);
    let (value, products) = func::vjp(square, &[&x]).unwrap();
    close(&value, &[0.25, 4.0]);
    close(
        &products.apply(&[&t(&[1.0, 10.0])]).unwrap()[0],
        &[1.0, 40.0],
    );
    // d/dx (x sin x) = sin x + x cos x, in forward mode.
    let f = |xs: &[Variable]| xs[0].sin()?.mul(&xs[0]);
    let (value, tangent) = func::jvp(f, &[&x], &[&t(&[1.0, 2.0])]).unwrap();
    let expected = |v: f64| v.sin() + v * v.cos();
    close(&value, &[0.5 * 0.5f64.sin(), 2.0 * 2.0f64.sin()]);
    close(&tangent, &[expected(0.5), 2.0 * expected(2.0)]);
}

#[test]
fn several_outputs_and_constants() {
    let x = t(&[0.5, 2.0]);
    let y = t(&[3.0]);
    // (x * y, a constant, sum(x)): the constant has zero derivatives.
    let f = |xs: &[Variable]| -> Result<Vec<Variable>> {
        let constant = Variable::new(t(&[1.0, 1.0]), false)?;
        Ok(vec![xs[0].mul(&xs[1])?, constant, xs[0].sum()?])
    };
    let (values, products) = func::vjp(f, &[&x, &y]).unwrap();
    assert_eq!(values.len(), 3);
    close(&values[0], &[1.5, 6.0]);
    let (a, b, c) = (
        t(&[1.0, 2.0]),
        t(&[5.0, 5.0]),
        t(&[10.0]).reshape(&[]).unwrap(),
    );
    let grads = products.apply(&[&a, &b, &c]).unwrap();
    close(&grads[0], &[13.0, 16.0]); // y * a + c
    close(&grads[1], &[4.5]); // x . a
    let err = products.apply(&[&a]).unwrap_err();
    assert_eq!(err.kind(), flodl::ErrorKind::Argument);
    let (_, tangents) = func::jvp(f, &[&x, &y], &[&t(&[1.0, 0.0]), &t(&[1.0])]).unwrap();
    close(&tangents[0], &[3.5, 2.0]); // y dx + x dy
    close(&tangents[1], &[0.0, 0.0]);
    let j = func::jacobian(f, &[&x, &y]).unwrap();
    close(&j[0][1].reshape(&[2]).unwrap(), &[0.5, 2.0]);
    close(&j[1][0].reshape(&[4]).unwrap(), &[0.0; 4]);
    // A linear f has a zero Hessian, and a non-scalar f is an Autograd error.
    let linear = |xs: &[Variable]| xs[0].sum();
    close(
        &func::hessian(linear, &[&x]).unwrap()[0][0]
            .reshape(&[4])
            .unwrap(),
        &[0.0; 4],
    );
    let (_, hv) = func::hvp(linear, &[&x], &[&x]).unwrap();
    close(&hv[0], &[0.0, 0.0]);
    let err = func::grad(|xs: &[Variable]| Ok(xs[0].clone()), &[&x]).unwrap_err();
    assert_eq!(err.kind(), flodl::ErrorKind::Autograd);
}

#[test]
fn jacfwd_equals_jacobian_in_reverse_mode() {
    let (x, y) = (t(&[0.5, 2.0, -1.0]), t(&[3.0, 0.25]));
    // (sin(x) * y[0], x.sum() * y): two outputs, two inputs.
    let f = |xs: &[Variable]| -> Result<Vec<Variable>> {
        let first = xs[0].sin()?.mul(&xs[1].select(0, 0)?)?;
        Ok(vec![first, xs[0].sum()?.mul(&xs[1])?])
    };
    let forward = func::jacfwd(f, &[&x, &y]).unwrap();
    let reverse = func::jacobian(f, &[&x, &y]).unwrap();
    for (row_f, row_r) in forward.iter().zip(&reverse) {
        for (a, b) in row_f.iter().zip(row_r) {
            assert_eq!(a.shape(), b.shape());
            close(&a.reshape(&[-1]).unwrap(), &b.to_f64_vec().unwrap());
        }
    }
    assert_eq!(forward[0][0].shape(), vec![3, 3]);
    assert_eq!(forward[1][1].shape(), vec![2, 2]);
    // Inputs without elements: f runs once, for the shapes.
    let empty = Tensor::from_f64(&[], &[0], Device::CPU).unwrap();
    let j = func::jacfwd(|xs: &[Variable]| xs[0].sum(), &[&empty]).unwrap();
    assert_eq!(j[0].shape(), vec![0]);
}

#[test]
fn vmap_maps_stacks_and_checks() {
    let rows = Tensor::from_f64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], Device::CPU).unwrap();
    let w = Variable::new(t(&[1.0, 0.5, -1.0]), true).unwrap();
    let x = Variable::new(rows, false).unwrap();
    let dot = |xs: &[Variable]| xs[0].mul(&xs[1])?.sum();
    let out: Variable = func::vmap(
        dot,
        &[x.clone(), w.clone()],
        &[Some(0), None],
        &[Some(0)],
        func::Randomness::Error,
    )
    .unwrap();
    close(&out.data(), &[-1.0, 0.5]);
    // Gradients flow back to the shared input.
    out.sum().unwrap().backward().unwrap();
    close(&w.grad().unwrap(), &[5.0, 7.0, 9.0]);
    // Mapped over dim 1: three samples of two elements, stacked along 1.
    let columns: Variable = func::vmap(
        |xs: &[Variable]| xs[0].mul_scalar(2.0),
        std::slice::from_ref(&x),
        &[Some(1)],
        &[Some(1)],
        func::Randomness::Same,
    )
    .unwrap();
    close(
        &columns.data().reshape(&[6]).unwrap(),
        &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
    );
    let err = func::vmap(
        dot,
        &[x.clone(), w.clone()],
        &[Some(2), None],
        &[Some(0)],
        func::Randomness::Error,
    )
    .unwrap_err();
    assert_eq!(err.kind(), flodl::ErrorKind::Argument, "{err}");
    let err = func::vmap(
        dot,
        &[x.clone(), w.clone()],
        &[None, None],
        &[Some(0)],
        func::Randomness::Error,
    )
    .unwrap_err();
    assert!(err.to_string().contains("at least one argument"), "{err}");
    let draws = |xs: &[Variable]| {
        xs[0].add(&Variable::new(
            Tensor::randn(&[3], Default::default())?,
            false,
        )?)
    };
    let err = func::vmap(
        draws,
        std::slice::from_ref(&x),
        &[Some(0)],
        &[Some(0)],
        func::Randomness::Error,
    )
    .unwrap_err();
    assert!(err.to_string().contains("draws random numbers"), "{err}");
    let same: Variable =
        func::vmap(draws, &[x], &[Some(0)], &[Some(0)], func::Randomness::Same).unwrap();
    let noise = same
        .data()
        .sub(&Tensor::from_f64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], Device::CPU).unwrap())
        .unwrap();
    assert!(noise
        .select(0, 0)
        .unwrap()
        .equal(&noise.select(0, 1).unwrap())
        .unwrap());
    assert!("sometimes".parse::<func::Randomness>().is_err());
}

#[test]
fn forward_ad_by_hand_is_jvp() -> Result<()> {
    use flodl::autograd::forward_ad::{make_dual, unpack_dual, DualLevel};
    let x = Variable::new(t(&[0.5, -1.0, 2.0]), false)?;
    let v = t(&[1.0, 2.0, 3.0]);
    let level = DualLevel::enter()?;
    // libtorch nests no levels: a second is an Autograd error.
    let nested = DualLevel::enter().unwrap_err();
    assert_eq!(nested.kind(), flodl::ErrorKind::Autograd);
    let cube = make_dual(&x, &v, &level)?.pow_scalar(3)?;
    let (value, tangent) = unpack_dual(&cube, &level)?;
    close(&value.data(), &[0.125, -1.0, 8.0]);
    // d/dx x^3 = 3x^2, times v
    close(&tangent.expect("a tangent").data(), &[0.75, 6.0, 36.0]);
    let wrong = make_dual(&x, &t(&[1.0]), &level).unwrap_err();
    assert_eq!(wrong.kind(), flodl::ErrorKind::Shape);
    drop(level);
    let (_, jv) = func::jvp(cube_sum, &[&x.data()], &[&v])?;
    close(&jv, &[0.75 + 6.0 + 36.0]);
    Ok(())
}

/// A Jacobian that keeps its graph: a penalty on it reaches the weight
/// `f` uses and the input, d/dw sum(J^2) for f(x) = w * x^2 (J = 2wx).
#[test]
fn jacobian_with_graph_trains_what_f_uses() -> Result<()> {
    let w = Variable::new(t(&[3.0]), true)?;
    let x = Variable::new(t(&[2.0]), true)?;
    let jac: Vec<Variable> =
        func::jacobian_with_graph(|xs: &[Variable]| xs[0].pow_scalar(2.0)?.mul(&w), &[&x])?;
    close(&jac[0].data().reshape(&[-1])?, &[12.0]);
    jac[0].pow_scalar(2.0)?.sum()?.backward()?;
    // sum(J^2) = 4 w^2 x^2: d/dw = 8 w x^2 = 96, d/dx = 8 w^2 x = 144.
    close(&w.grad().unwrap(), &[96.0]);
    close(&x.grad().unwrap(), &[144.0]);
    Ok(())
}

/// vjp, jvp and jacfwd on an outer graph: for f(x) = w * x^2 at w = 3,
/// x = 2 with unit (co)tangents, value + product = w x^2 + 2 w x, whose
/// derivatives are x^2 + 2x = 8 (w) and 2 w x + 2 w = 18 (x); jacfwd's
/// sum(J^2) = 4 w^2 x^2 gives 96 (w) and 144 (x), as jacobian's.
#[test]
fn vjp_jvp_and_jacfwd_with_graph_reach_the_outer_graph() -> Result<()> {
    let one = t(&[1.0]);
    for transform in ["vjp", "jvp", "jacfwd"] {
        let w = Variable::new(t(&[3.0]), true)?;
        let x = Variable::new(t(&[2.0]), true)?;
        let f = |xs: &[Variable]| xs[0].pow_scalar(2.0)?.mul(&w);
        let (total, expected) = match transform {
            "vjp" => {
                let (value, products): (Variable, _) = func::vjp_with_graph(f, &[&x])?;
                let cotangent = Variable::new(one.clone(), false)?;
                let product = products.apply_variables(&[cotangent])?.remove(0);
                (value.add(&product)?, [8.0, 18.0])
            }
            "jvp" => {
                let (value, tangent): (Variable, Variable) =
                    func::jvp_with_graph(f, &[&x], &[&one])?;
                (value.add(&tangent)?, [8.0, 18.0])
            }
            _ => {
                let jac: Vec<Variable> = func::jacfwd_with_graph(f, &[&x])?;
                close(&jac[0].data().reshape(&[-1])?, &[12.0]);
                (jac[0].pow_scalar(2.0)?, [96.0, 144.0])
            }
        };
        assert!(total.requires_grad(), "{transform}");
        total.sum()?.backward()?;
        close(&w.grad().unwrap(), &expected[..1]);
        close(&x.grad().unwrap(), &expected[1..]);
    }
    Ok(())
}
