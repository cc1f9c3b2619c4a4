//! The update kernels `flodl.optim`'s optimizers call, one call per
//! parameter group (the Python classes keep the groups and the state, in
//! PyTorch's layout; Rust's `flodl::optim` calls the same kernels).

use pyo3::prelude::*;

use super::args::{Operand as _, TensorArg, VariableArg};
use super::gil::without_gil;
use crate::optim::{AdagradOptions, AdamOptions, AdamWOptions, Method, RMSpropOptions, SGDOptions};
use crate::Operand as _;

/// Runs `options`' kernel over `params`, `grads` and the state lists, in
/// place: the kernel and its hyperparameters come from the options, as for
/// Rust's optimizers (`first` marks SGD's first momentum step).
fn step<M: Method>(
    py: Python<'_>,
    options: M,
    first: bool,
    params: &[VariableArg<'_>],
    grads: &[TensorArg<'_>],
    states: &[&[TensorArg<'_>]; 4],
) -> PyResult<()> {
    let (method, hyper) = options.kernel(first);
    let params: Vec<&tch::Tensor> = params.iter().map(|p| p.get().raw()).collect();
    let grads: Vec<&tch::Tensor> = grads.iter().map(|g| g.get().raw()).collect();
    let states: Vec<Vec<&tch::Tensor>> = states
        .iter()
        .map(|list| list.iter().map(|t| t.get().raw()).collect())
        .collect();
    let lists = [
        &params[..],
        &grads[..],
        &states[0][..],
        &states[1][..],
        &states[2][..],
        &states[3][..],
    ];
    let op = format!("{}.step", M::NAME);
    let result = without_gil(py, || {
        crate::ops::run_opt::<(), (), _>(&op, &[], || crate::ffi::optim_step(method, lists, &hyper))
    });
    Ok(result?)
}

/// One SGD update (fused kernel); `momentum_buffers` empty without momentum.
#[pyfunction]
#[pyo3(name = "_optim_sgd", signature = (params, grads, momentum_buffers, *, lr, momentum, dampening, nesterov, weight_decay, maximize, is_first_step))]
#[allow(clippy::too_many_arguments)] // the optimizer's hyperparameters
pub(crate) fn sgd(
    py: Python<'_>,
    params: Vec<VariableArg<'_>>,
    grads: Vec<TensorArg<'_>>,
    momentum_buffers: Vec<TensorArg<'_>>,
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    maximize: bool,
    is_first_step: bool,
) -> PyResult<()> {
    crate::python::guard::run("sgd", move || {
        let options = SGDOptions {
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            maximize,
        };
        let states = [&momentum_buffers[..], &[], &[], &[]];
        step(py, options, is_first_step, &params, &grads, &states)
    })
}

/// One Adam (or, with `decoupled_weight_decay`, AdamW) update (fused
/// kernel); increments `steps` first. `max_exp_avg_sqs` empty without amsgrad.
#[pyfunction]
#[pyo3(name = "_optim_adam", signature = (params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay))]
#[allow(clippy::too_many_arguments)] // the optimizer's hyperparameters
pub(crate) fn adam(
    py: Python<'_>,
    params: Vec<VariableArg<'_>>,
    grads: Vec<TensorArg<'_>>,
    exp_avgs: Vec<TensorArg<'_>>,
    exp_avg_sqs: Vec<TensorArg<'_>>,
    max_exp_avg_sqs: Vec<TensorArg<'_>>,
    steps: Vec<TensorArg<'_>>,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> PyResult<()> {
    crate::python::guard::run("adam", move || {
        let states = [
            &exp_avgs[..],
            &exp_avg_sqs[..],
            &max_exp_avg_sqs[..],
            &steps[..],
        ];
        let betas = (beta1, beta2);
        if decoupled_weight_decay {
            let options = AdamWOptions {
                lr,
                betas,
                eps,
                weight_decay,
                amsgrad,
                maximize,
            };
            step(py, options, false, &params, &grads, &states)
        } else {
            let options = AdamOptions {
                lr,
                betas,
                eps,
                weight_decay,
                amsgrad,
                maximize,
            };
            step(py, options, false, &params, &grads, &states)
        }
    })
}

/// One Adagrad update (fused kernel); increments `steps` first.
#[pyfunction]
#[pyo3(name = "_optim_adagrad", signature = (params, grads, state_sums, steps, *, lr, lr_decay, weight_decay, eps, maximize))]
#[allow(clippy::too_many_arguments)] // the optimizer's hyperparameters
pub(crate) fn adagrad(
    py: Python<'_>,
    params: Vec<VariableArg<'_>>,
    grads: Vec<TensorArg<'_>>,
    state_sums: Vec<TensorArg<'_>>,
    steps: Vec<TensorArg<'_>>,
    lr: f64,
    lr_decay: f64,
    weight_decay: f64,
    eps: f64,
    maximize: bool,
) -> PyResult<()> {
    crate::python::guard::run("adagrad", move || {
        // The sums are the caller's: their starting value plays no part here.
        let initial_accumulator_value = 0.0;
        let options = AdagradOptions {
            lr,
            lr_decay,
            weight_decay,
            initial_accumulator_value,
            eps,
            maximize,
        };
        let states = [&state_sums[..], &steps[..], &[], &[]];
        step(py, options, false, &params, &grads, &states)
    })
}

/// One RMSprop update (foreach kernels); increments `steps` first.
/// `grad_avgs` empty unless centered, `momentum_buffers` without momentum.
#[pyfunction]
#[pyo3(name = "_optim_rmsprop", signature = (params, grads, square_avgs, grad_avgs, momentum_buffers, steps, *, lr, alpha, eps, weight_decay, momentum, centered, maximize))]
#[allow(clippy::too_many_arguments)] // the optimizer's hyperparameters
pub(crate) fn rmsprop(
    py: Python<'_>,
    params: Vec<VariableArg<'_>>,
    grads: Vec<TensorArg<'_>>,
    square_avgs: Vec<TensorArg<'_>>,
    grad_avgs: Vec<TensorArg<'_>>,
    momentum_buffers: Vec<TensorArg<'_>>,
    steps: Vec<TensorArg<'_>>,
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
    maximize: bool,
) -> PyResult<()> {
    crate::python::guard::run("rmsprop", move || {
        let options = RMSpropOptions {
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
            maximize,
        };
        let states = [
            &square_avgs[..],
            &grad_avgs[..],
            &momentum_buffers[..],
            &steps[..],
        ];
        step(py, options, false, &params, &grads, &states)
    })
}

/// Scales `grads` in place so that their joint norm is at most `max_norm`;
/// returns the norm before scaling (`clip_grad_norm_`).
#[pyfunction]
#[pyo3(name = "_clip_grad_norm")]
pub(crate) fn clip_grad_norm(
    py: Python<'_>,
    grads: Vec<TensorArg<'_>>,
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> PyResult<crate::Tensor> {
    crate::python::guard::run("clip_grad_norm", move || {
        let raws: Vec<&tch::Tensor> = grads.iter().map(|g| g.get().raw()).collect();
        let result = without_gil(py, || {
            crate::ops::run_opt("clip_grad_norm_", &[], || {
                crate::ffi::clip_grad_norm(&raws, max_norm, norm_type, error_if_nonfinite)
            })
        });
        Ok(result?)
    })
}
