//! `gradcheck` and `gradgradcheck`: a function's gradients (backward) and
//! second derivatives (double backward) against float64 central finite
//! differences, as `torch.autograd.gradcheck`.

use super::{grad, GradOptions};
use crate::error::{bail, Result};
use crate::{Device, Tensor, Variable};

/// Finite-difference step and tolerances: an element passes when
/// `|backward - differences| <= atol + rtol * |differences|`.
#[derive(Debug, Clone, Copy)]
pub struct GradcheckOptions {
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

fn leaves_of(values: &[Vec<f64>], shapes: &[Vec<i64>]) -> Result<Vec<Variable>> {
    values
        .iter()
        .zip(shapes)
        .map(|(v, s)| Variable::new(Tensor::from_f64(v, s, Device::CPU)?, true))
        .collect()
}

/// Checks `f`'s gradient with respect to each input against float64 central
/// differences. `Ok(true)`, or an Autograd error naming the input, its
/// worst element and the output element.
pub fn gradcheck<F>(f: F, inputs: &[&Tensor], options: GradcheckOptions) -> Result<bool>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let op = "gradcheck";
    for (k, x) in inputs.iter().enumerate() {
        if x.dtype() != crate::DType::Float64 {
            bail!(
                Argument,
                "{op}: input {k} is {}; finite differences need float64",
                x.dtype()
            );
        }
    }
    let shapes: Vec<Vec<i64>> = inputs.iter().map(|x| x.shape()).collect();
    let values: Vec<Vec<f64>> = inputs
        .iter()
        .map(|x| x.to_f64_vec())
        .collect::<Result<_>>()?;
    let leaves = leaves_of(&values, &shapes)?;
    let output = f(&leaves)?.reshape(&[-1])?;
    let outputs = output.numel();
    let refs: Vec<&Variable> = leaves.iter().collect();
    // analytical[k][j][e]: d output[j] / d input[k][e], by backward.
    let mut analytical: Vec<Vec<Vec<f64>>> =
        values.iter().map(|_| Vec::with_capacity(outputs)).collect();
    for j in 0..outputs {
        let options = GradOptions {
            retain_graph: Some(true),
            allow_unused: true,
            ..Default::default()
        };
        let grads = grad(&[&output.select(0, j as i64)?], &refs, options)?;
        for (k, g) in grads.into_iter().enumerate() {
            analytical[k].push(match g {
                Some(g) => g.data().to_f64_vec()?,
                None => vec![0.0; values[k].len()],
            });
        }
    }
    let mut worst: Option<(f64, String)> = None;
    for (k, base) in values.iter().enumerate() {
        for e in 0..base.len() {
            let evaluate = |delta: f64| -> Result<Vec<f64>> {
                let mut moved = values.clone();
                moved[k][e] += delta;
                f(&leaves_of(&moved, &shapes)?)?.data().to_f64_vec()
            };
            let (plus, minus) = (evaluate(options.eps)?, evaluate(-options.eps)?);
            for j in 0..outputs {
                let numeric = (plus[j] - minus[j]) / (2.0 * options.eps);
                let backward = analytical[k][j][e];
                let excess =
                    (backward - numeric).abs() - (options.atol + options.rtol * numeric.abs());
                if excess > 0.0 && worst.as_ref().is_none_or(|(w, _)| excess > *w) {
                    let message = format!(
                        "{op}: input {k}, element {e}: backward gives {backward:.6e}, finite differences {numeric:.6e} (output element {j})"
                    );
                    worst = Some((excess, message));
                }
            }
        }
    }
    match worst {
        Some((_, message)) => Err(crate::Error::new(crate::ErrorKind::Autograd, message)),
        None => Ok(true),
    }
}

/// Checks `f`'s second derivatives: its gradients, for fixed output
/// weights, checked by [`gradcheck`] (double backward against finite
/// differences of backward).
pub fn gradgradcheck<F>(f: F, inputs: &[&Tensor], options: GradcheckOptions) -> Result<bool>
where
    F: Fn(&[Variable]) -> Result<Variable>,
{
    let probe = f(&inputs
        .iter()
        .map(|x| Variable::new((*x).clone(), true))
        .collect::<Result<Vec<_>>>()?)?;
    let weights = Variable::new(
        Tensor::randn(
            &probe.shape(),
            crate::TensorOptions {
                dtype: crate::DType::Float64,
                device: Device::CPU,
            },
        )?,
        false,
    )?;
    let first_derivatives = |xs: &[Variable]| -> Result<Variable> {
        let output = f(xs)?;
        let refs: Vec<&Variable> = xs.iter().collect();
        let options = GradOptions {
            grad_outputs: Some(&[&weights]),
            create_graph: true,
            allow_unused: true,
            ..Default::default()
        };
        let grads = grad(&[&output], &refs, options)?;
        let flat: Vec<Variable> = grads
            .into_iter()
            .zip(xs)
            .map(|(g, x)| match g {
                Some(g) => g.reshape(&[-1]),
                None => x.mul_scalar(0.0)?.reshape(&[-1]),
            })
            .collect::<Result<_>>()?;
        Variable::cat_many(&flat, 0)
    };
    gradcheck(first_derivatives, inputs, options)
}
