//! The autograd rules (leaves, grad mode, backward freeing the graph), checked from Rust alone.
use flodl::{is_grad_enabled, no_grad, Device, ErrorKind, NoGradGuard, Tensor, Variable};

fn scalar(v: f32, requires_grad: bool) -> Variable {
    Variable::new(
        Tensor::from_f32(&[v], &[1], Device::CPU).unwrap(),
        requires_grad,
    )
    .unwrap()
}

fn grad_of(v: &Variable) -> Vec<f32> {
    v.grad().expect("a gradient").to_f32_vec().unwrap()
}

#[test]
fn tutorial_gradients() {
    let x = scalar(2.0, true);
    let w = scalar(3.0, true);
    let y = x.mul(&w).unwrap().sum().unwrap();
    assert_eq!(
        y.shape(),
        Vec::<i64>::new(),
        "a full reduction is 0-dimensional"
    );
    y.backward().unwrap();
    assert_eq!(grad_of(&w), vec![2.0]);
    assert_eq!(grad_of(&x), vec![3.0]);
}

#[test]
fn leaves_and_results() {
    let x = scalar(2.0, true);
    let c = scalar(5.0, false);
    assert!(x.is_leaf() && c.is_leaf());
    let y = x.mul(&c).unwrap();
    assert!(!y.is_leaf());
    assert!(y.requires_grad());
    assert!(
        !c.add(&c).unwrap().requires_grad(),
        "no input requires grad"
    );
}

#[test]
fn gradients_accumulate_and_zero_grad_resets_to_none() {
    let x = scalar(2.0, true);
    for _ in 0..3 {
        x.mul_scalar(4.0)
            .unwrap()
            .sum()
            .unwrap()
            .backward()
            .unwrap();
    }
    assert_eq!(grad_of(&x), vec![12.0]);
    x.zero_grad();
    assert!(x.grad().is_none());
    x.mul_scalar(4.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(grad_of(&x), vec![4.0], "a fresh gradient after zero_grad");
}

#[test]
fn backward_needs_a_single_element_that_requires_grad() {
    let x = Variable::new(
        Tensor::from_f32(&[1.0, 2.0], &[2], Device::CPU).unwrap(),
        true,
    )
    .unwrap();
    let err = x.mul_scalar(2.0).unwrap().backward().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd);
    assert!(err.to_string().contains("[2]"), "{err}");
    let c = scalar(1.0, false);
    assert_eq!(c.backward().unwrap_err().kind(), ErrorKind::Autograd);
}

#[test]
fn backward_frees_the_graph() {
    let x = scalar(2.0, true);
    let y = x.mul(&x).unwrap().sum().unwrap();
    y.backward().unwrap();
    assert!(!y.requires_grad(), "the chain is cut in place");
    assert_eq!(y.backward().unwrap_err().kind(), ErrorKind::Autograd);
    assert_eq!(
        grad_of(&x),
        vec![4.0],
        "the failed second pass added nothing"
    );
}

#[test]
fn backward_through_a_graph_freed_by_another_output() {
    let x = scalar(2.0, true);
    let h = x.exp().unwrap();
    h.sum().unwrap().backward().unwrap();
    let err = h
        .mul_scalar(2.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd, "{err}");
}

#[test]
fn backward_of_a_leaf_keeps_it_a_leaf() {
    let x = scalar(2.0, true);
    x.backward().unwrap();
    assert_eq!(grad_of(&x), vec![1.0]);
    assert!(x.requires_grad());
}

#[test]
fn detach_shares_data_without_tracking() {
    let x = scalar(2.0, true);
    let d = x.detach();
    assert!(d.is_leaf() && !d.requires_grad());
    assert_eq!(d.item().unwrap(), 2.0);
    let t = Tensor::from_f32(&[1.0], &[1], Device::CPU).unwrap();
    let v = Variable::new(t.clone(), true).unwrap();
    assert!(!t.requires_grad(), "the user's tensor stays untracked");
    assert!(v.requires_grad());
}

#[test]
fn tensor_detach_in_place_cuts_the_chain() {
    let x = scalar(2.0, true);
    let y = x.mul_scalar(3.0).unwrap();
    let handle = y.data();
    assert!(!handle.requires_grad());
    y.backward().unwrap();
    assert!(!y.requires_grad());
}

#[test]
fn no_grad_records_nothing_and_restores() {
    let x = scalar(2.0, true);
    assert!(is_grad_enabled());
    let y = no_grad(|| {
        assert!(!is_grad_enabled());
        let inner = no_grad(|| x.mul_scalar(2.0).unwrap());
        assert!(
            !is_grad_enabled(),
            "a nested block restores the outer (off) state"
        );
        inner
    });
    assert!(is_grad_enabled());
    assert!(!y.requires_grad());
    {
        let _guard = NoGradGuard::new();
        assert!(!x.exp().unwrap().requires_grad());
    }
    assert!(is_grad_enabled());
    let panicked = std::panic::catch_unwind(|| no_grad(|| panic!("boom")));
    assert!(panicked.is_err());
    assert!(is_grad_enabled(), "a panic restores grad mode");
}

#[test]
fn grad_mode_is_per_thread() {
    let _guard = NoGradGuard::new();
    let other = std::thread::spawn(is_grad_enabled).join().unwrap();
    assert!(other, "another thread keeps recording");
    assert!(!is_grad_enabled());
}

#[test]
fn int_tensors_cannot_require_grad() {
    let t = Tensor::from_i64(&[1, 2], &[2], Device::CPU).unwrap();
    let err = Variable::new(t, true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DType);
    assert!(err.to_string().contains("int64"), "{err}");
}

fn leaf(values: &[f64]) -> Variable {
    let data = Tensor::from_f64(values, &[values.len() as i64], Device::CPU).unwrap();
    Variable::new(data, true).unwrap()
}

#[test]
fn backward_with_an_upstream_gradient_retained_graph_and_inputs() {
    use flodl::autograd::BackwardOptions;
    let x = leaf(&[1.0, 2.0, 3.0]);
    let w = leaf(&[0.5]);
    let y = x.mul(&w).unwrap();
    let g = Tensor::from_f64(&[1.0, 2.0, 3.0], &[3], Device::CPU).unwrap();
    let options = BackwardOptions {
        gradient: Some(&g),
        retain_graph: true,
        ..Default::default()
    };
    y.backward_with(options).unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec().unwrap(), vec![0.5, 1.0, 1.5]);
    // The graph was kept: a second pass, into w only.
    let only_w = [&w];
    y.backward_with(BackwardOptions {
        gradient: Some(&g),
        inputs: Some(&only_w),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec().unwrap(), vec![0.5, 1.0, 1.5]);
    assert_eq!(w.grad().unwrap().to_f64_vec().unwrap(), vec![28.0]); // 2 * (1 + 4 + 9)
                                                                     // Without retain_graph the graph is gone.
    let err = y.backward_with(BackwardOptions {
        gradient: Some(&g),
        ..Default::default()
    });
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Autograd);
    let bad = Tensor::from_f64(&[1.0], &[1], Device::CPU).unwrap();
    let z = x.mul(&w).unwrap();
    let err = z.backward_with(BackwardOptions {
        gradient: Some(&bad),
        ..Default::default()
    });
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Shape);
}

#[test]
fn grad_returns_gradients_with_graphs_for_higher_orders() {
    use flodl::autograd::{grad, GradOptions};
    let x = leaf(&[1.0, 2.0]);
    let y = x.pow_scalar(3).unwrap().sum().unwrap();
    let create = GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let dy = grad(&[&y], &[&x], create).unwrap().remove(0).unwrap();
    assert_eq!(dy.data().to_f64_vec().unwrap(), vec![3.0, 12.0]); // 3x^2
    assert!(x.grad().is_none(), "grad() does not touch .grad");
    let d2y = grad(&[&dy.sum().unwrap()], &[&x], GradOptions::default()).unwrap();
    assert_eq!(
        d2y[0].as_ref().unwrap().data().to_f64_vec().unwrap(),
        vec![6.0, 12.0]
    ); // 6x
    let unused = leaf(&[1.0]);
    let y = x.sum().unwrap();
    let err = grad(
        &[&y],
        &[&x, &unused],
        GradOptions {
            retain_graph: Some(true),
            ..Default::default()
        },
    );
    let err = err.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd);
    assert!(err.to_string().contains("input 1"), "{err}");
    let allowed = GradOptions {
        allow_unused: true,
        ..Default::default()
    };
    let grads = grad(&[&y], &[&x, &unused], allowed).unwrap();
    assert!(grads[1].is_none());
}

#[test]
fn retain_grad_and_hooks() {
    let x = leaf(&[1.0, 2.0]);
    let y = x.mul_scalar(3.0).unwrap();
    y.retain_grad().unwrap();
    assert!(y.retains_grad());
    // A hook that doubles y's gradient: x's gradient doubles too.
    let handle = y.register_hook(|g| Ok(Some(g.mul_scalar(2.0)?))).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    x.register_hook(move |g| {
        record.lock().unwrap().push(g.to_f64_vec()?);
        Ok(None)
    })
    .unwrap();
    y.sum().unwrap().backward().unwrap();
    assert_eq!(y.grad().unwrap().to_f64_vec().unwrap(), vec![2.0, 2.0]);
    assert_eq!(x.grad().unwrap().to_f64_vec().unwrap(), vec![6.0, 6.0]);
    assert_eq!(*seen.lock().unwrap(), vec![vec![6.0, 6.0]]);
    handle.remove().unwrap();
    // An error in a hook fails the backward with its message.
    let z = x.mul_scalar(1.0).unwrap();
    z.register_hook(|_| Err(flodl::Error::new(ErrorKind::Argument, "clip: too large")))
        .unwrap();
    let err = z.sum().unwrap().backward().unwrap_err();
    assert!(err.to_string().contains("clip: too large"), "{err}");
    let plain = Variable::new(Tensor::ones(&[1], Default::default()).unwrap(), false).unwrap();
    assert_eq!(
        plain.register_hook(|_| Ok(None)).unwrap_err().kind(),
        ErrorKind::Autograd
    );
}

#[test]
fn enable_grad_and_inference_mode_closures_and_guards() {
    use flodl::{enable_grad, inference_mode, no_grad, EnableGradGuard, NoGradGuard};
    let w = leaf(&[1.0]);
    no_grad(|| {
        assert!(enable_grad(|| w.mul_scalar(2.0).unwrap().requires_grad()));
        let _on = EnableGradGuard::default();
        assert!(is_grad_enabled());
    });
    {
        let _off = NoGradGuard::default();
        assert!(!is_grad_enabled());
    }
    let y = inference_mode(|| {
        assert!(flodl::autograd::is_inference_mode_enabled());
        w.mul_scalar(2.0).unwrap()
    })
    .unwrap();
    assert!(!y.requires_grad() && !flodl::autograd::is_inference_mode_enabled());
}

#[test]
fn explain_grad_names_the_cause() {
    let x = leaf(&[1.0]);
    assert!(x.explain_grad().contains("no backward has run"));
    let y = x.mul_scalar(2.0).unwrap();
    assert!(y.explain_grad().contains("MulBackward0"));
    assert!(x.detach().explain_grad().contains("detach()"));
    let z = no_grad(|| x.mul_scalar(2.0).unwrap());
    assert!(z.explain_grad().contains("grad mode off"));
    let out = y.sum().unwrap();
    out.backward().unwrap();
    assert!(out.explain_grad().contains("freed its graph"));
    assert!(flodl::autograd::explain_grad(&x).contains("has a gradient"));
}

#[test]
fn detect_anomaly_names_the_op_of_a_nan_gradient() {
    use flodl::autograd::detect_anomaly;
    let x = leaf(&[0.0, 1.0]);
    let err = detect_anomaly(|| x.sqrt().unwrap().sum().unwrap().backward()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd);
    assert!(
        err.to_string()
            .starts_with("detect_anomaly: the backward of sqrt ([2] float64 cpu)"),
        "{err}"
    );
    // Without it, the same backward gives inf, as PyTorch does.
    let y = leaf(&[0.0]);
    y.sqrt().unwrap().sum().unwrap().backward().unwrap();
    assert!(y.grad().unwrap().to_f64_vec().unwrap()[0].is_infinite());
}

#[test]
fn post_accumulate_grad_hooks() {
    let w = leaf(&[1.0, 1.0]);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let handle = w
        .register_post_accumulate_grad_hook(move |leaf| {
            record
                .lock()
                .unwrap()
                .push(leaf.grad().unwrap().to_f64_vec()?);
            Ok(())
        })
        .unwrap();
    w.mul_scalar(3.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![vec![3.0, 3.0]]);
    handle.remove().unwrap();
    w.mul_scalar(1.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn grad_fn_walks_the_graph_to_the_leaves() -> flodl::Result<()> {
    let x = Variable::new(Tensor::ones(&[2], Default::default())?, true)?;
    let y = x.mul_scalar(2.0)?.sum()?;
    let sum = y.grad_fn()?.expect("an op's result has a node");
    assert_eq!(sum.name()?, "SumBackward0");
    let next = sum.next_functions()?;
    assert_eq!(next.len(), 1);
    let mul = next[0].0.as_ref().expect("the product needs a gradient");
    assert_eq!(mul.name()?, "MulBackward0");
    let leaf_node = mul
        .next_functions()?
        .remove(0)
        .0
        .expect("x needs a gradient");
    assert_eq!(leaf_node.name()?, "torch::autograd::AccumulateGrad");
    let leaf = leaf_node
        .variable()?
        .expect("AccumulateGrad holds its leaf");
    assert_eq!(leaf.shape(), vec![2]);
    assert!(x.grad_fn()?.is_none());
    assert_eq!(y.grad_fn()?, Some(sum));
    Ok(())
}

#[test]
fn backward_of_several_outputs_sums_their_gradients() {
    use flodl::autograd::{backward, BackwardOptions};
    let w = Variable::new(
        Tensor::from_f64(&[1.0, -2.0], &[2], Device::CPU).unwrap(),
        true,
    )
    .unwrap();
    let squares = w.mul(&w).unwrap().sum().unwrap(); // gradient 2w
    let tripled = w.mul_scalar(3.0).unwrap(); // gradient 3 * upstream
    let upstream = Tensor::from_f64(&[1.0, 10.0], &[2], Device::CPU).unwrap();
    backward(
        &[&squares, &tripled],
        &[None, Some(&upstream)],
        BackwardOptions::default(),
    )
    .unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec().unwrap(), vec![5.0, 26.0]);
    // Each output is checked before anything runs.
    let (a, b) = (w.sum().unwrap(), w.mul_scalar(2.0).unwrap());
    let err = backward(&[&a, &b], &[None, None], BackwardOptions::default()).unwrap_err();
    assert_eq!(err.kind(), flodl::ErrorKind::Autograd, "{err}");
    assert!(err.to_string().contains("output 1"), "{err}");
    assert_eq!(w.grad().unwrap().to_f64_vec().unwrap(), vec![5.0, 26.0]);
    let err = backward(&[&a], &[None, None], BackwardOptions::default()).unwrap_err();
    assert_eq!(err.kind(), flodl::ErrorKind::Argument, "{err}");
}

/// Under no_grad a checkpoint records nothing, so it is the call itself, as
/// PyTorch's: a block that turns grad on inside records its graph.
#[test]
fn checkpoint_under_no_grad_is_the_call_itself() -> flodl::Result<()> {
    let w = Variable::new(Tensor::from_f64(&[0.5, -1.5], &[2], Device::CPU)?, true)?;
    let x = Variable::new(Tensor::from_f64(&[2.0, 3.0], &[2], Device::CPU)?, false)?;
    let block = {
        let w = w.clone();
        move |v: &[Variable]| flodl::enable_grad(|| Ok(vec![v[0].mul(&w)?.sum()?]))
    };
    let y = no_grad(|| flodl::autograd::checkpoint(block, &[&x]))?.remove(0);
    assert!(y.requires_grad());
    y.backward()?;
    assert_eq!(w.grad().expect("w is used").to_f64_vec()?, [2.0, 3.0]);
    Ok(())
}
