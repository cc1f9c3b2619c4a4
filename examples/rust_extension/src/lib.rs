//! A Python extension module of your own on flodl: `swish(x, beta)` =
//! `x * sigmoid(beta * x)` as one custom Function with a hand-written
//! backward (for `x` and for a learnable `beta`), written once in Rust and
//! called from Python with ordinary autograd.

use flodl::autograd::{apply, Function, FunctionCtx};
use flodl::python::FlodlVariable;
use flodl::{Result, Tensor};
use pyo3::prelude::*;

/// `x * sigmoid(beta * x)`; `beta` is a 0-d tensor.
struct Swish;

impl Function for Swish {
    fn forward(ctx: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let (x, beta) = (&inputs[0], &inputs[1]);
        ctx.save_for_backward(&[x, beta]);
        Ok(vec![x.mul(&x.mul(beta)?.sigmoid()?)?])
    }

    fn backward(ctx: &FunctionCtx, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let saved = ctx.saved_tensors()?;
        let (x, beta) = (&saved[0], &saved[1]);
        let Some(g) = &grads[0] else {
            return Ok(vec![None, None]);
        };
        let s = x.mul(beta)?.sigmoid()?;
        let slope = s.mul(&s.rsub_scalar(1.0)?)?; // s (1 - s)
        let grad_x = ctx
            .needs_input_grad(0)
            .then(|| g.mul(&s.add(&x.mul(beta)?.mul(&slope)?)?))
            .transpose()?;
        let grad_beta = ctx
            .needs_input_grad(1)
            .then(|| g.mul(&x.mul(x)?.mul(&slope)?)?.sum())
            .transpose()?;
        Ok(vec![grad_x, grad_beta])
    }
}

/// `x * sigmoid(beta * x)`, differentiable in `x` and `beta` (a 0-d
/// Variable or Tensor).
#[pyfunction]
fn swish(x: FlodlVariable, beta: FlodlVariable) -> PyResult<FlodlVariable> {
    let out = apply::<Swish>(&[&x.0, &beta.0])?.remove(0);
    Ok(FlodlVariable(out))
}

/// A backward that returns one gradient too few: the error it makes.
struct Broken;

impl Function for Broken {
    fn forward(_: &mut FunctionCtx, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        Ok(vec![inputs[0].mul_scalar(2.0)?])
    }
    fn backward(_: &FunctionCtx, _: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![])
    }
}

/// `2 * x` whose backward is wrong (for the tests of flodl's errors).
#[pyfunction]
fn broken_double(x: FlodlVariable) -> PyResult<FlodlVariable> {
    Ok(FlodlVariable(apply::<Broken>(&[&x.0])?.remove(0)))
}

/// A forward that panics: the error it makes.
struct Panicking;

impl Function for Panicking {
    fn forward(_: &mut FunctionCtx, _: &[Tensor]) -> Result<Vec<Tensor>> {
        panic!("a bug in a user's forward")
    }
    fn backward(_: &FunctionCtx, _: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![None])
    }
}

/// Always fails (for the tests of flodl's errors).
#[pyfunction]
fn panicking(x: FlodlVariable) -> PyResult<FlodlVariable> {
    Ok(FlodlVariable(apply::<Panicking>(&[&x.0])?.remove(0)))
}

#[pymodule]
fn flodl_swish(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(swish, m)?)?;
    m.add_function(wrap_pyfunction!(broken_double, m)?)?;
    m.add_function(wrap_pyfunction!(panicking, m)?)?;
    Ok(())
}
