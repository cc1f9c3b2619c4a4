//! Custom functions written in Rust (`flodl::autograd::Function`): their
//! gradients against finite differences and against the same formula from
//! built-in ops, their place in libtorch's graph (hooks, retain_graph,
//! create_graph), and the errors of a wrong backward.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use flodl::autograd::{apply, gradcheck, gradgradcheck, Function, FunctionCtx, GradcheckOptions};
use flodl::{DType, ErrorKind, Result, Tensor, TensorOptions, Variable};

/// `x * sigmoid(x)` with its hand-written backward, made of ops that are
/// themselves differentiable (so create_graph works through it).
struct Swish;

impl Function for Swish {
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        ctx.save_for_backward(&[x]);
        Ok(vec![x.mul(&x.sigmoid()?)?])
    }
    fn backward(ctx: &FunctionCtx, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let x = &ctx.saved_tensors()?[0];
        let Some(g) = &grads[0] else {
            return Ok(vec![None]);
        };
        let s = x.sigmoid()?;
        // d/dx x s(x) = s + x s (1 - s)
        let d = s.add(&x.mul(&s)?.mul(&s.rsub_scalar(1.0)?)?)?;
        Ok(vec![Some(g.mul(&d)?)])
    }
}

fn swish(x: &Variable) -> Result<Variable> {
    Ok(apply::<Swish>(&[x])?.remove(0))
}

fn f64_randn(shape: &[i64]) -> Tensor {
    let options = TensorOptions {
        dtype: DType::Float64,
        ..Default::default()
    };
    Tensor::randn(shape, options).unwrap()
}

#[test]
fn gradient_matches_finite_differences_and_built_in_ops() -> Result<()> {
    let x = f64_randn(&[3, 4]);
    assert!(gradcheck(
        |v| swish(&v[0]),
        &[&x],
        GradcheckOptions::default()
    )?);
    assert!(gradgradcheck(
        |v| swish(&v[0]),
        &[&x],
        GradcheckOptions::default()
    )?);

    let a = Variable::new(x.clone(), true)?;
    swish(&a)?.sum()?.backward()?;
    let b = Variable::new(x.clone(), true)?;
    b.silu()?.sum()?.backward()?;
    let (ga, gb) = (
        a.grad().unwrap().to_f64_vec()?,
        b.grad().unwrap().to_f64_vec()?,
    );
    for (p, q) in ga.iter().zip(&gb) {
        assert!((p - q).abs() < 1e-12, "{p} vs {q}");
    }
    Ok(())
}

#[test]
fn the_node_mixes_with_built_in_ops_and_hooks() -> Result<()> {
    let x = Variable::new(f64_randn(&[5]), true)?;
    let y = swish(&x.mul_scalar(2.0)?)?;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    y.register_hook(move |g| {
        seen.fetch_add(1, Ordering::Relaxed);
        Ok(Some(g.mul_scalar(3.0)?))
    })?;
    y.exp()?.sum()?.backward()?;
    assert_eq!(calls.load(Ordering::Relaxed), 1);

    let reference = Variable::new(x.data(), true)?;
    let z = reference.mul_scalar(2.0)?.silu()?;
    z.register_hook(|g| Ok(Some(g.mul_scalar(3.0)?)))?;
    z.exp()?.sum()?.backward()?;
    let (got, want) = (
        x.grad().unwrap().to_f64_vec()?,
        reference.grad().unwrap().to_f64_vec()?,
    );
    for (p, q) in got.iter().zip(&want) {
        assert!((p - q).abs() < 1e-10, "{p} vs {q}");
    }
    Ok(())
}

#[test]
fn a_second_backward_needs_retain_graph() -> Result<()> {
    let x = Variable::new(f64_randn(&[2]), true)?;
    let y = swish(&x)?.sum()?;
    y.backward_with(flodl::autograd::BackwardOptions {
        retain_graph: true,
        ..Default::default()
    })?;
    let once = x.grad().unwrap().to_f64_vec()?;
    y.backward()?;
    let twice = x.grad().unwrap().to_f64_vec()?;
    assert!((twice[0] - 2.0 * once[0]).abs() < 1e-12);

    let y = swish(&x)?.sum()?;
    y.backward_with(flodl::autograd::BackwardOptions::default())?;
    let again = y.backward_with(flodl::autograd::BackwardOptions::default());
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Autograd);
    Ok(())
}

#[test]
fn without_grad_the_outputs_have_no_node() -> Result<()> {
    let x = Variable::new(f64_randn(&[2]), false)?;
    let y = swish(&x)?;
    assert!(!y.requires_grad());
    let x = Variable::new(f64_randn(&[2]), true)?;
    let y = flodl::no_grad(|| swish(&x))?;
    assert!(!y.requires_grad());
    Ok(())
}

macro_rules! bad_backward {
    ($name:ident, |$x:ident, $g:ident| $body:expr) => {
        struct $name;
        impl Function for $name {
            fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
                ctx.save_for_backward(&[&inputs[0]]);
                Ok(vec![inputs[0].mul_scalar(2.0)?])
            }
            #[allow(unused_variables)]
            fn backward(
                ctx: &FunctionCtx,
                grads: &[Option<Tensor>],
            ) -> Result<Vec<Option<Tensor>>> {
                let $x = &ctx.saved_tensors()?[0];
                let $g = grads[0].as_ref().unwrap();
                $body
            }
        }
    };
}

bad_backward!(TooMany, |x, g| Ok(vec![Some(g.clone()), Some(x.clone())]));
bad_backward!(WrongShape, |x, _g| Ok(vec![Some(x.sum()?)]));
bad_backward!(WrongDtype, |x, g| Ok(vec![Some(
    g.to_dtype(DType::Float32)?
)]));
bad_backward!(Panics, |x, g| {
    let _ = (x, g);
    panic!("a bug in a user's backward")
});
bad_backward!(Fails, |x, g| {
    let _ = (x, g);
    Err(flodl::Error::new(ErrorKind::DType, "Fails: my own error"))
});

fn backward_error<F: Function>(x: &Variable) -> flodl::Error {
    let y = apply::<F>(&[x]).unwrap().remove(0);
    y.sum().unwrap().backward().unwrap_err()
}

#[test]
fn a_wrong_backward_is_an_autograd_error_naming_the_function_and_input() {
    let x = Variable::new(f64_randn(&[3]), true).unwrap();
    let e = backward_error::<TooMany>(&x);
    assert_eq!(e.kind(), ErrorKind::Autograd, "{e}");
    assert!(
        e.to_string()
            .contains("TooMany: backward returned 2 gradients, expected 1"),
        "{e}"
    );
    let e = backward_error::<WrongShape>(&x);
    assert_eq!(e.kind(), ErrorKind::Autograd, "{e}");
    assert!(
        e.to_string().contains("WrongShape") && e.to_string().contains("input 0"),
        "{e}"
    );
    let e = backward_error::<Panics>(&x);
    assert_eq!(e.kind(), ErrorKind::Autograd, "{e}");
    assert!(e.to_string().contains("panicked"), "{e}");
    let e = backward_error::<Fails>(&x);
    assert_eq!(
        e.kind(),
        ErrorKind::DType,
        "the user's own error comes out whole: {e}"
    );
    assert!(e.to_string().contains("Fails: my own error"), "{e}");

    // A floating gradient of another dtype is cast, as PyTorch does.
    let y = apply::<WrongDtype>(&[&x]).unwrap().remove(0);
    y.sum().unwrap().backward().unwrap();
    assert_eq!(x.grad().unwrap().dtype(), DType::Float64);
}

/// A small random block: tanh(x w) masked by a random draw (dropout's kind
/// of randomness), so that a replay with other numbers would show.
fn random_block(xs: &[Variable]) -> Result<Vec<Variable>> {
    let h = xs[0].matmul(&xs[1])?.tanh()?;
    let mask = Variable::new(h.data().sigmoid()?.bernoulli()?, false)?;
    Ok(vec![h.mul(&mask)?.exp()?])
}

#[test]
fn checkpoint_gives_the_same_gradients_and_replays_random_ops() -> Result<()> {
    let (x, w) = (f64_randn(&[4, 6]), f64_randn(&[6, 5]));
    let run = |checkpointed: bool| -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        flodl::manual_seed(7);
        let xv = Variable::new(x.clone(), true)?;
        let wv = Variable::new(w.clone(), true)?;
        let y = if checkpointed {
            flodl::autograd::checkpoint(random_block, &[&xv, &wv])?.remove(0)
        } else {
            random_block(&[xv.clone(), wv.clone()])?.remove(0)
        };
        // A random draw after the block: checkpoint must leave the generator
        // where the forward left it.
        let after = Tensor::rand(&[3], Default::default())?.to_f64_vec()?;
        y.sum()?.backward()?;
        Ok((
            xv.grad().unwrap().to_f64_vec()?,
            wv.grad().unwrap().to_f64_vec()?,
            after,
        ))
    };
    let (plain, checkpointed) = (run(false)?, run(true)?);
    assert_eq!(plain.2, checkpointed.2);
    for (p, q) in plain
        .0
        .iter()
        .chain(&plain.1)
        .zip(checkpointed.0.iter().chain(&checkpointed.1))
    {
        assert!((p - q).abs() < 1e-12, "{p} vs {q}");
    }
    Ok(())
}

#[test]
fn checkpoint_frees_its_inputs_after_backward() -> Result<()> {
    // (live_tensor_count is process-wide and the tests run in parallel, so
    // the freeing shows as the error of a second backward.)
    let (x, w) = (f64_randn(&[2, 3]), f64_randn(&[3, 3]));
    {
        let xv = Variable::new(x.clone(), true)?;
        let wv = Variable::new(w.clone(), true)?;
        let y = flodl::autograd::checkpoint(random_block, &[&xv, &wv])?.remove(0);
        y.sum()?.backward()?;
        let again = y.sum()?.backward();
        assert_eq!(again.unwrap_err().kind(), ErrorKind::Autograd);
    }
    Ok(())
}

#[test]
fn checkpoint_gives_gradients_to_the_parameters_f_uses() -> Result<()> {
    let x = f64_randn(&[3, 4]);
    let w = Variable::new(f64_randn(&[4, 2]), true)?;
    let reference = Variable::new(w.data(), true)?;
    let input = Variable::new(x.clone(), false)?;
    let captured = w.clone();
    let y = flodl::autograd::checkpoint(
        move |xs: &[Variable]| Ok(vec![xs[0].matmul(&captured)?.tanh()?]),
        &[&input],
    )?
    .remove(0);
    assert!(y.requires_grad(), "recorded though no input requires grad");
    y.sum()?.backward()?;
    input.matmul(&reference)?.tanh()?.sum()?.backward()?;
    let (got, want) = (
        w.grad().unwrap().to_f64_vec()?,
        reference.grad().unwrap().to_f64_vec()?,
    );
    for (p, q) in got.iter().zip(&want) {
        assert!((p - q).abs() < 1e-12, "{p} vs {q}");
    }
    Ok(())
}

/// `x * c` whose backward also returns a (wrongly shaped) gradient for the
/// constant `c`, which needs none: ignored, as PyTorch ignores it.
struct ScaleBy;

impl Function for ScaleBy {
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        ctx.save_for_backward(&[&inputs[1]]);
        Ok(vec![inputs[0].mul(&inputs[1])?])
    }
    fn backward(ctx: &FunctionCtx, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let c = &ctx.saved_tensors()?[0];
        let g = grads[0].as_ref().map(|g| g.mul(c)).transpose()?;
        Ok(vec![g, Some(f64_randn(&[7]))])
    }
}

#[test]
fn a_gradient_for_an_input_that_needs_none_is_ignored() -> Result<()> {
    let x = Variable::new(f64_randn(&[3]), true)?;
    let c = Variable::new(f64_randn(&[3]), false)?;
    apply::<ScaleBy>(&[&x, &c])?.remove(0).sum()?.backward()?;
    assert_eq!(x.grad().unwrap().to_f64_vec()?, c.data().to_f64_vec()?);
    assert!(c.grad().is_none());
    Ok(())
}

/// Doubles its input in place (PyTorch's `mark_dirty`).
struct DoubleInPlace;

impl Function for DoubleInPlace {
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        inputs[0].mul_scalar_(2.0)?;
        ctx.mark_dirty(0);
        Ok(vec![inputs[0].clone()])
    }
    fn backward(_ctx: &FunctionCtx, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![grads[0]
            .as_ref()
            .map(|g| g.mul_scalar(2.0))
            .transpose()?])
    }
}

#[test]
fn an_input_changed_in_place_takes_the_function_as_its_history() {
    let leaf = Variable::new(
        Tensor::from_f64(&[1.0, 2.0], &[2], flodl::Device::CPU).unwrap(),
        true,
    )
    .unwrap();
    let b = leaf.mul_scalar(1.0).unwrap();
    let out = apply::<DoubleInPlace>(&[&b]).unwrap().remove(0);
    assert_eq!(b.data().to_f64_vec().unwrap(), vec![2.0, 4.0]);
    let name = |v: &Variable| {
        v.grad_fn()
            .unwrap()
            .map(|n| n.name().unwrap())
            .unwrap_or_default()
    };
    assert_eq!(name(&b), "DoubleInPlaceBackward");
    assert_eq!(name(&out), "DoubleInPlaceBackward");
    out.mul(&out).unwrap().sum().unwrap().backward().unwrap();
    // d/dleaf (2 leaf)^2 = 8 leaf
    assert_eq!(leaf.grad().unwrap().to_f64_vec().unwrap(), vec![8.0, 16.0]);
    let err = apply::<DoubleInPlace>(&[&leaf]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd, "{err}");
}

#[test]
fn checkpoint_without_preserving_the_rng_draws_anew_and_checks_shapes() -> Result<()> {
    let (x, w) = (f64_randn(&[4, 6]), f64_randn(&[6, 5]));
    let grads = |preserve: bool| -> Result<Vec<f64>> {
        flodl::manual_seed(7);
        let xv = Variable::new(x.clone(), true)?;
        let wv = Variable::new(w.clone(), true)?;
        let y = flodl::autograd::checkpoint_with(random_block, &[&xv, &wv], preserve)?.remove(0);
        y.sum()?.backward()?;
        xv.grad().unwrap().to_f64_vec()
    };
    // Replayed: the plain gradients; not replayed: another mask.
    assert_ne!(grads(true)?, grads(false)?);

    // A function whose outputs change shape between the two runs.
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let shifty = move |xs: &[Variable]| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) as i64;
        Ok(vec![xs[0].narrow(1, 0, 3 + n)?.exp()?])
    };
    let xv = Variable::new(x.clone(), true)?;
    let y = flodl::autograd::checkpoint(shifty, &[&xv])?.remove(0);
    let err = y.sum()?.backward().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Autograd);
    assert!(
        err.to_string()
            .contains("[[4, 4]] when run again, [[4, 3]]"),
        "{err}"
    );
    Ok(())
}
