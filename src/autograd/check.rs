//! `gradcheck` and `gradgradcheck`: a function's gradients (backward) and
//! second derivatives (double backward) against float64 central finite
//! differences, as `torch.autograd.gradcheck`. Python's
//! `autograd.gradcheck` runs this code too.

use super::{grad, GradOptions};
use crate::error::{bail, Result};
use crate::func::Outputs;
use crate::{DType, Device, Tensor, TensorOptions, Variable};

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

/// Checks `f`'s gradient with respect to each input against float64 central
/// differences, for each of its outputs (one Variable, or a `Vec`).
/// `Ok(true)`, or an Autograd error naming the input and its worst element,
/// and the output element.
pub fn gradcheck<F, O>(f: F, inputs: &[&Tensor], options: GradcheckOptions) -> Result<bool>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    on_every_input("gradcheck", f, inputs, options, check_first_order)
}

/// Checks `f`'s second derivatives: its gradients, for fixed output
/// weights, checked by [`gradcheck`] (double backward against finite
/// differences of backward). The weights are PyTorch's: uniform in
/// `[-1, 1)` from the default generator, one draw per output.
pub fn gradgradcheck<F, O>(f: F, inputs: &[&Tensor], options: GradcheckOptions) -> Result<bool>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    on_every_input("gradgradcheck", f, inputs, options, check_second_order)
}

/// One of the checks below, on `f` of `inputs`, every one a tensor.
fn on_every_input<F, O>(
    op: &str,
    f: F,
    inputs: &[&Tensor],
    options: GradcheckOptions,
    check: Check,
) -> Result<bool>
where
    F: Fn(&[Variable]) -> Result<O>,
    O: Outputs,
{
    let positions: Vec<usize> = (0..inputs.len()).collect();
    let f = |xs: &[Variable]| Ok(f(xs)?.into_vec());
    check(op, &f, inputs, &positions, options)
}

/// The function under check, over the inputs that are tensors.
pub(crate) type Checked<'a> = dyn Fn(&[Variable]) -> Result<Vec<Variable>> + 'a;

/// [`check_first_order`] or [`check_second_order`].
type Check = fn(&str, &Checked<'_>, &[&Tensor], &[usize], GradcheckOptions) -> Result<bool>;

/// [`gradcheck`] on inputs that are the tensors at `positions` among the
/// caller's arguments (Python passes other arguments to `f` as they are):
/// errors name the input by its position.
pub(crate) fn check_first_order(
    op: &str,
    f: &Checked<'_>,
    inputs: &[&Tensor],
    positions: &[usize],
    options: GradcheckOptions,
) -> Result<bool> {
    check_float64(op, inputs, positions)?;
    let shapes: Vec<Vec<i64>> = inputs.iter().map(|x| x.shape()).collect();
    let values: Vec<Vec<f64>> = inputs
        .iter()
        .map(|x| x.to_f64_vec())
        .collect::<Result<_>>()?;
    let leaves = leaves_of(&values, &shapes)?;
    let outputs: Vec<Variable> = f(&leaves)?
        .iter()
        .map(|o| o.reshape(&[-1]))
        .collect::<Result<_>>()?;
    let refs: Vec<&Variable> = leaves.iter().collect();
    // analytical[i][k][j][e]: d output[i][j] / d input[k][e], by backward.
    let mut analytical = Vec::with_capacity(outputs.len());
    for output in &outputs {
        let mut rows: Vec<Vec<Vec<f64>>> = values.iter().map(|_| Vec::new()).collect();
        for j in 0..output.numel() {
            let options = GradOptions {
                retain_graph: Some(true),
                allow_unused: true,
                ..Default::default()
            };
            let grads = grad(&[&output.select(0, j as i64)?], &refs, options)?;
            for (k, g) in grads.into_iter().enumerate() {
                rows[k].push(match g {
                    Some(g) => g.data().to_f64_vec()?,
                    None => vec![0.0; values[k].len()],
                });
            }
        }
        analytical.push(rows);
    }
    let mut worst: Option<(f64, String)> = None;
    for (k, base) in values.iter().enumerate() {
        for e in 0..base.len() {
            // The moved inputs require grad too: `f` may take gradients
            // itself (gradgradcheck's does).
            let evaluate = |delta: f64| -> Result<Vec<Vec<f64>>> {
                let mut moved = values.clone();
                moved[k][e] += delta;
                f(&leaves_of(&moved, &shapes)?)?
                    .iter()
                    .map(|o| o.data().to_f64_vec())
                    .collect()
            };
            let (plus, minus) = (evaluate(options.eps)?, evaluate(-options.eps)?);
            for (i, rows) in analytical.iter().enumerate() {
                for (j, row) in rows[k].iter().enumerate() {
                    let numeric = (plus[i][j] - minus[i][j]) / (2.0 * options.eps);
                    let backward = row[e];
                    let excess =
                        (backward - numeric).abs() - (options.atol + options.rtol * numeric.abs());
                    if excess > 0.0 && worst.as_ref().is_none_or(|(w, _)| excess > *w) {
                        let message = format!(
                            "{op}: input {}, element {e}: backward gives {}, finite differences {} (output {i}, element {j})",
                            positions[k],
                            significant(backward),
                            significant(numeric),
                        );
                        worst = Some((excess, message));
                    }
                }
            }
        }
    }
    match worst {
        Some((_, message)) => Err(crate::Error::new(crate::ErrorKind::Autograd, message)),
        None => Ok(true),
    }
}

/// [`gradgradcheck`] with [`check_first_order`]'s `positions`.
pub(crate) fn check_second_order(
    op: &str,
    f: &Checked<'_>,
    inputs: &[&Tensor],
    positions: &[usize],
    options: GradcheckOptions,
) -> Result<bool> {
    check_float64(op, inputs, positions)?;
    let probe_inputs: Vec<Variable> = inputs
        .iter()
        .map(|x| Variable::new((*x).clone(), true))
        .collect::<Result<_>>()?;
    let weights: Vec<Variable> = f(&probe_inputs)?
        .iter()
        .map(|o| {
            let dtype = match o.dtype().is_floating_point() {
                true => o.dtype(),
                false => DType::Float64,
            };
            let device = o.device();
            let empty = Tensor::empty(&o.shape(), TensorOptions { dtype, device })?;
            empty.uniform_(-1.0, 1.0)?;
            Variable::new(empty, false)
        })
        .collect::<Result<_>>()?;
    let first_derivatives = |xs: &[Variable]| -> Result<Vec<Variable>> {
        let outputs = f(xs)?;
        let outputs: Vec<&Variable> = outputs.iter().collect();
        let refs: Vec<&Variable> = xs.iter().collect();
        let weight_refs: Vec<&Variable> = weights.iter().collect();
        let options = GradOptions {
            grad_outputs: Some(&weight_refs),
            create_graph: true,
            allow_unused: true,
            ..Default::default()
        };
        grad(&outputs, &refs, options)?
            .into_iter()
            .zip(xs)
            .map(|(g, x)| match g {
                Some(g) => Ok(g),
                // Still on the graph, so that its derivatives are zeros.
                None => x.mul_scalar(0.0),
            })
            .collect()
    };
    check_first_order(op, &first_derivatives, inputs, positions, options)
}

fn check_float64(op: &str, inputs: &[&Tensor], positions: &[usize]) -> Result<()> {
    for (x, k) in inputs.iter().zip(positions) {
        if x.dtype() != DType::Float64 {
            bail!(
                Argument,
                "{op}: input {k} is {}; finite differences need float64",
                x.dtype()
            );
        }
    }
    Ok(())
}

fn leaves_of(values: &[Vec<f64>], shapes: &[Vec<i64>]) -> Result<Vec<Variable>> {
    values
        .iter()
        .zip(shapes)
        .map(|(v, s)| Variable::new(Tensor::from_f64(v, s, Device::CPU)?, true))
        .collect()
}

/// `x` to six significant digits, as C's `%.6g`.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let exponent = x.abs().log10().floor() as i32;
    if !(-5..6).contains(&exponent) {
        return format!("{x:.5e}");
    }
    let decimals = (5 - exponent).max(0) as usize;
    let text = format!("{x:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}
