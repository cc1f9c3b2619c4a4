//! L-BFGS, as `torch.optim.LBFGS`: each step runs up to `max_iter`
//! quasi-Newton iterations, re-evaluating the loss through a closure,
//! optionally with a strong-Wolfe line search. One group; its state (the
//! curvature history) in PyTorch's names. Python's `flodl.optim.LBFGS`
//! calls [`lbfgs_step`].

use super::methods::OptionValue;
use super::Options;
use crate::dtype::real_view;
use crate::error::{ensure, Error, ErrorKind, Result};
use crate::{Key, Operand, Tensor, Value, Variable};

super::methods::options! {
    /// The options of [`LBFGS`], with PyTorch's defaults (`max_eval` None
    /// is `max_iter * 5 / 4`; `line_search_fn` None or "strong_wolfe").
    LBFGSOptions "LBFGS" {
        lr: f64 = 1.0,
        max_iter: usize = 20,
        max_eval: Option<usize> = None,
        tolerance_grad: f64 = 1e-7,
        tolerance_change: f64 = 1e-9,
        history_size: usize = 100,
        line_search_fn: Option<String> = None,
    }
}

impl LBFGSOptions {
    /// PyTorch's checks: an ArgumentError naming the bad option.
    pub fn check(&self) -> Result<()> {
        super::methods::check_non_negative("LBFGS", "learning rate", self.lr)?;
        if let Some(other) = self.line_search_fn.as_deref() {
            ensure!(
                other == "strong_wolfe",
                Argument,
                "LBFGS: line_search_fn must be None or 'strong_wolfe', got {other:?}"
            );
        }
        Ok(())
    }

    fn max_eval(&self) -> usize {
        self.max_eval.unwrap_or(self.max_iter * 5 / 4)
    }
}

/// L-BFGS's state between steps, PyTorch's `state[params[0]]`.
#[derive(Debug, Default)]
pub struct LbfgsState {
    pub func_evals: usize,
    pub n_iter: usize,
    /// The last search direction and step length.
    pub d: Option<tch::Tensor>,
    pub t: f64,
    /// The curvature pairs (gradient and parameter differences) and their
    /// `1 / y.s`, oldest first.
    pub old_dirs: Vec<tch::Tensor>,
    pub old_stps: Vec<tch::Tensor>,
    pub ro: Vec<tch::Tensor>,
    /// The initial Hessian scale (None: 1).
    pub h_diag: Option<tch::Tensor>,
    pub prev_flat_grad: Option<tch::Tensor>,
    pub prev_loss: Option<f64>,
    /// The two-loop recursion's coefficients of the last iteration (kept,
    /// as PyTorch keeps them, one slot per history entry).
    pub al: Vec<Option<tch::Tensor>>,
}

fn torch_err(e: tch::TchError) -> Error {
    Error::from_torch("LBFGS.step", "", e)
}

/// `x += a * v` in one kernel, rounding once as torch's `x.add_(v, alpha=a)`.
fn add_scaled(x: &tch::Tensor, v: &tch::Tensor, a: f64) -> Result<()> {
    crate::ffi::add_scaled_(x, v, a)
        .map(drop)
        .map_err(|f| Error::from_failure("LBFGS.step", "", f))
}

/// A copy of `t` in memory of its own.
fn copy(t: &tch::Tensor) -> Result<tch::Tensor> {
    let mut out = t.f_empty_like().map_err(torch_err)?;
    out.f_copy_(t).map_err(torch_err)?;
    Ok(out)
}

fn item(t: &tch::Tensor) -> Result<f64> {
    t.f_double_value(&[]).map_err(torch_err)
}

/// A number of torch's L-BFGS as its Python code holds it: a Python float,
/// or a 0-d tensor of the parameters' dtype (a dot product, a norm, and any
/// step length computed from one). Their arithmetic differs: a tensor's
/// rounds to its dtype, and a float meeting a tensor is converted to that
/// dtype first, so the line search follows torch's roundings step by step.
#[derive(Clone, Copy, Debug)]
enum Num {
    Float(f64),
    Tensor(f64),
}

impl Num {
    fn value(self) -> f64 {
        match self {
            Num::Float(v) | Num::Tensor(v) => v,
        }
    }
}

/// The arithmetic of [`Num`]s for parameters of one dtype and device.
#[derive(Clone, Copy)]
struct Arith {
    single: bool,
    kind: tch::Kind,
    device: tch::Device,
}

impl Arith {
    fn of(param: &tch::Tensor) -> Self {
        // float32 and float64 follow torch exactly; the half types compute
        // in float32 (their kernels' own precision) and are close only.
        // A complex parameter's numbers are its real view's.
        let kind = match param.kind() {
            tch::Kind::ComplexFloat => tch::Kind::Float,
            tch::Kind::ComplexDouble => tch::Kind::Double,
            kind => kind,
        };
        Arith {
            single: kind != tch::Kind::Double,
            kind,
            device: param.device(),
        }
    }

    /// `v` as a tensor of the parameters' dtype holds it.
    fn round(self, v: f64) -> f64 {
        match self.single {
            true => f64::from(v as f32),
            false => v,
        }
    }

    fn tensor(self, t: &tch::Tensor) -> Result<Num> {
        Ok(Num::Tensor(self.round(item(t)?)))
    }

    /// `a op b` as Python evaluates it: in doubles between floats, else
    /// rounded to the tensor dtype, the float operand converted first.
    fn binary(self, a: Num, b: Num, op: impl Fn(f64, f64) -> f64) -> Num {
        match (a, b) {
            (Num::Float(x), Num::Float(y)) => Num::Float(op(x, y)),
            _ => Num::Tensor(self.round(op(self.round(a.value()), self.round(b.value())))),
        }
    }

    fn add(self, a: Num, b: Num) -> Num {
        self.binary(a, b, |x, y| x + y)
    }

    fn sub(self, a: Num, b: Num) -> Num {
        self.binary(a, b, |x, y| x - y)
    }

    fn mul(self, a: Num, b: Num) -> Num {
        self.binary(a, b, |x, y| x * y)
    }

    fn div(self, a: Num, b: Num) -> Num {
        match (a, b) {
            // `float / tensor` is torch's `tensor.reciprocal() * float`.
            (Num::Float(x), Num::Tensor(y)) => {
                Num::Tensor(self.round(self.round(1.0 / y) * self.round(x)))
            }
            _ => self.binary(a, b, |x, y| x / y),
        }
    }

    /// A tensor's square root is libtorch's (its float32 kernel is not
    /// always the correctly rounded one).
    fn sqrt(self, a: Num) -> Result<Num> {
        match a {
            Num::Float(x) => Ok(Num::Float(x.sqrt())),
            Num::Tensor(x) => {
                let root = tch::Tensor::f_from_slice(&[x])
                    .and_then(|t| t.f_to_device_(self.device, self.kind, false, false))
                    .and_then(|t| t.f_sqrt())
                    .map_err(torch_err)?;
                self.tensor(&root)
            }
        }
    }

    fn abs(self, a: Num) -> Num {
        match a {
            Num::Float(x) => Num::Float(x.abs()),
            Num::Tensor(x) => Num::Tensor(x.abs()),
        }
    }

    /// `a < b` (a tensor compares in its dtype, the float converted).
    fn lt(self, a: Num, b: Num) -> bool {
        let (x, y) = self.compared(a, b);
        x < y
    }

    fn le(self, a: Num, b: Num) -> bool {
        let (x, y) = self.compared(a, b);
        x <= y
    }

    fn compared(self, a: Num, b: Num) -> (f64, f64) {
        match (a, b) {
            (Num::Float(x), Num::Float(y)) => (x, y),
            _ => (self.round(a.value()), self.round(b.value())),
        }
    }

    /// Python's `min(a, b)`: `b` only if `b < a`.
    fn min(self, a: Num, b: Num) -> Num {
        if self.lt(b, a) {
            b
        } else {
            a
        }
    }

    /// Python's `max(a, b)`: `b` only if `b > a`.
    fn max(self, a: Num, b: Num) -> Num {
        if self.lt(a, b) {
            b
        } else {
            a
        }
    }
}

/// The parameters, their gradients gathered into one vector, and the
/// in-place moves L-BFGS makes on them.
struct Flat<'a> {
    params: &'a [Variable],
}

impl Flat<'_> {
    fn grad(&self) -> Result<tch::Tensor> {
        let mut views = Vec::with_capacity(self.params.len());
        for p in self.params {
            let grad = match p.grad() {
                Some(g) => g.raw().shallow_clone(),
                None => p.raw().f_zeros_like().map_err(torch_err)?,
            };
            let view = real_view(&grad).and_then(|g| g.f_reshape([-1]));
            views.push(view.map_err(torch_err)?);
        }
        tch::Tensor::f_cat(&views, 0).map_err(torch_err)
    }

    /// `params += step * update`, in place, as autograd sees it.
    fn add(&self, step: f64, update: &tch::Tensor) -> Result<()> {
        let _guard = crate::NoGradGuard::new();
        let mut offset = 0;
        for p in self.params {
            let param = real_view(p.raw()).map_err(torch_err)?;
            let numel = param.numel() as i64;
            let part = update
                .f_narrow(0, offset, numel)
                .and_then(|u| u.f_view_as(&param))
                .map_err(torch_err)?;
            add_scaled(&param, &part, step)?;
            offset += numel;
        }
        Ok(())
    }

    fn snapshot(&self) -> Result<Vec<tch::Tensor>> {
        (self.params.iter()).map(|p| copy(p.raw())).collect()
    }

    fn restore(&self, saved: &[tch::Tensor]) -> Result<()> {
        let _guard = crate::NoGradGuard::new();
        for (p, s) in self.params.iter().zip(saved) {
            let mut raw = p.raw().shallow_clone();
            raw.f_copy_(s).map_err(torch_err)?;
        }
        Ok(())
    }
}

/// One L-BFGS step over `params` (PyTorch's `LBFGS.step(closure)`):
/// `closure` re-evaluates the loss (and its gradients) and returns it; the
/// first loss is returned.
pub fn lbfgs_step(
    options: &LBFGSOptions,
    params: &[Variable],
    state: &mut LbfgsState,
    closure: &mut dyn FnMut() -> Result<f64>,
) -> Result<f64> {
    options.check()?;
    let flat = Flat { params };
    let Some(first) = params.first() else {
        return Err(Error::new(ErrorKind::Argument, "LBFGS.step: no parameters"));
    };
    let ar = Arith::of(first.raw());
    let (lr, max_iter, max_eval) = (options.lr, options.max_iter, options.max_eval());
    let (tolerance_grad, tolerance_change) = (options.tolerance_grad, options.tolerance_change);
    let orig_loss = closure()?;
    let mut loss = orig_loss;
    let mut current_evals = 1;
    state.func_evals += 1;
    let mut flat_grad = flat.grad()?;
    let abs_max =
        |t: &tch::Tensor| ar.tensor(&t.f_abs().and_then(|a| a.f_max()).map_err(torch_err)?);
    let at_most = |a: Num, bound: f64| ar.le(a, Num::Float(bound));
    if at_most(abs_max(&flat_grad)?, tolerance_grad) {
        return Ok(orig_loss);
    }
    let mut d = state.d.take();
    let mut t = Num::Float(state.t);
    let mut prev_flat_grad = state.prev_flat_grad.take();
    let mut prev_loss = state.prev_loss;
    let mut n_iter = 0;
    while n_iter < max_iter {
        n_iter += 1;
        state.n_iter += 1;
        let direction = if state.n_iter == 1 {
            state.old_dirs.clear();
            state.old_stps.clear();
            state.ro.clear();
            state.h_diag = None;
            flat_grad.f_neg().map_err(torch_err)?
        } else {
            let (Some(prev), Some(last)) = (&prev_flat_grad, &d) else {
                return Err(Error::new(
                    ErrorKind::Argument,
                    "LBFGS.step: the state has no previous gradient or direction",
                ));
            };
            let y = flat_grad.f_sub(prev).map_err(torch_err)?;
            let s = last.f_mul_scalar(t.value()).map_err(torch_err)?;
            let ys = y.f_dot(&s).map_err(torch_err)?;
            if ar.lt(Num::Float(1e-10), ar.tensor(&ys)?) {
                if state.old_dirs.len() == options.history_size {
                    let _ = state.old_dirs.remove(0);
                    let _ = state.old_stps.remove(0);
                    let _ = state.ro.remove(0);
                }
                state.ro.push(ys.f_reciprocal().map_err(torch_err)?);
                state.h_diag = Some(
                    ys.f_div(&y.f_dot(&y).map_err(torch_err)?)
                        .map_err(torch_err)?,
                );
                state.old_dirs.push(y);
                state.old_stps.push(s);
            }
            // The two-loop recursion: q = -H g.
            let n = state.old_dirs.len();
            if state.al.len() < n.max(options.history_size) {
                state.al.resize_with(n.max(options.history_size), || None);
            }
            // Each coefficient is a 0-d tensor in the parameters' dtype, as
            // torch's `add_(v, alpha=a)` takes it, so the rounding is torch's.
            let mut al = Vec::with_capacity(n);
            let q = flat_grad.f_neg().map_err(torch_err)?;
            for i in (0..n).rev() {
                let coefficient = (state.old_stps[i].f_dot(&q))
                    .and_then(|a| a.f_mul(&state.ro[i]))
                    .map_err(torch_err)?;
                add_scaled(&q, &state.old_dirs[i], -item(&coefficient)?)?;
                state.al[i] = Some(copy(&coefficient)?);
                al.push(coefficient);
            }
            al.reverse();
            let r = match &state.h_diag {
                Some(h) => q.f_mul(h).map_err(torch_err)?,
                None => q,
            };
            for (i, coefficient) in al.iter().enumerate() {
                let be_i = (state.old_dirs[i].f_dot(&r))
                    .and_then(|b| b.f_mul(&state.ro[i]))
                    .map_err(torch_err)?;
                let step = coefficient.f_sub(&be_i).map_err(torch_err)?;
                add_scaled(&r, &state.old_stps[i], item(&step)?)?;
            }
            r
        };
        prev_flat_grad = Some(copy(&flat_grad)?);
        prev_loss = Some(loss);
        t = if state.n_iter == 1 {
            // min(1.0, 1.0 / flat_grad.abs().sum()) * lr
            let sum = flat_grad
                .f_abs()
                .and_then(|a| a.f_sum(None))
                .map_err(torch_err)?;
            let inverse = ar.div(Num::Float(1.0), ar.tensor(&sum)?);
            ar.mul(ar.min(Num::Float(1.0), inverse), Num::Float(lr))
        } else {
            Num::Float(lr)
        };
        let gtd = ar.tensor(&flat_grad.f_dot(&direction).map_err(torch_err)?)?;
        // Kept for the next step (it shares the memory).
        d = Some(direction.shallow_clone());
        if ar.lt(Num::Float(-tolerance_change), gtd) {
            break;
        }
        let mut ls_func_evals = 0;
        let mut opt_cond = false;
        if options.line_search_fn.is_some() {
            let start = flat.snapshot()?;
            let mut evaluate = |step: f64| -> Result<(f64, tch::Tensor)> {
                flat.add(step, &direction)?;
                let value = closure()?;
                let grad = flat.grad()?;
                flat.restore(&start)?;
                Ok((value, grad))
            };
            let found = strong_wolfe(
                ar,
                &mut evaluate,
                t,
                &direction,
                loss,
                &flat_grad,
                gtd,
                // PyTorch's step calls _strong_wolfe without the option:
                // the search always stops at its default 1e-9.
                1e-9,
                max_eval.saturating_sub(current_evals),
            )?;
            (loss, flat_grad, t, ls_func_evals) = found;
            flat.add(t.value(), &direction)?;
            opt_cond = at_most(abs_max(&flat_grad)?, tolerance_grad);
        } else {
            flat.add(t.value(), &direction)?;
            if n_iter != max_iter {
                loss = closure()?;
                flat_grad = flat.grad()?;
                opt_cond = at_most(abs_max(&flat_grad)?, tolerance_grad);
                ls_func_evals = 1;
            }
        }
        current_evals += ls_func_evals;
        state.func_evals += ls_func_evals;
        if n_iter == max_iter || current_evals >= max_eval || opt_cond {
            break;
        }
        let moved = direction.f_mul_scalar(t.value()).map_err(torch_err)?;
        if at_most(abs_max(&moved)?, tolerance_change) {
            break;
        }
        if (loss - prev_loss.unwrap_or(loss)).abs() < tolerance_change {
            break;
        }
    }
    state.d = d;
    state.t = t.value();
    state.prev_flat_grad = prev_flat_grad;
    state.prev_loss = prev_loss;
    Ok(orig_loss)
}

/// The minimum of the cubic through two points with these values and
/// slopes, clamped to `bounds` (the points' span by default), in torch's
/// order of operations.
fn cubic_interpolate(
    ar: Arith,
    (x1, f1, g1): (Num, f64, Num),
    (x2, f2, g2): (Num, f64, Num),
    bounds: Option<(Num, Num)>,
) -> Result<Num> {
    let (lo, hi) = bounds.unwrap_or(if ar.le(x1, x2) { (x1, x2) } else { (x2, x1) });
    let two = Num::Float(2.0);
    // d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    let d1 = ar.sub(
        ar.add(g1, g2),
        ar.div(Num::Float(3.0 * (f1 - f2)), ar.sub(x1, x2)),
    );
    let d2_square = ar.sub(ar.mul(d1, d1), ar.mul(g1, g2));
    if !ar.le(Num::Float(0.0), d2_square) {
        return Ok(ar.div(ar.add(lo, hi), two));
    }
    let d2 = ar.sqrt(d2_square)?;
    // From the right end: x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)).
    let from = |(xa, ga): (Num, Num), (xb, gb): (Num, Num)| {
        let ratio = ar.div(
            ar.sub(ar.add(ga, d2), d1),
            ar.add(ar.sub(ga, gb), ar.mul(two, d2)),
        );
        ar.sub(xa, ar.mul(ar.sub(xa, xb), ratio))
    };
    let min_pos = match ar.le(x1, x2) {
        true => from((x2, g2), (x1, g1)),
        false => from((x1, g1), (x2, g2)),
    };
    Ok(ar.min(ar.max(min_pos, lo), hi))
}

/// One end of a line search's bracket: step, loss, gradient, slope.
type End = (Num, f64, tch::Tensor, Num);

/// A line search along `d` from step `t` satisfying the strong Wolfe
/// conditions (PyTorch's `_strong_wolfe`, with its roundings): the loss,
/// gradient and step found, and the evaluations made.
#[allow(clippy::too_many_arguments)] // the search's starting point
fn strong_wolfe(
    ar: Arith,
    evaluate: &mut dyn FnMut(f64) -> Result<(f64, tch::Tensor)>,
    mut t: Num,
    d: &tch::Tensor,
    f: f64,
    g: &tch::Tensor,
    gtd: Num,
    tolerance_change: f64,
    max_ls: usize,
) -> Result<(f64, tch::Tensor, Num, usize)> {
    let (c1, minus_c2) = (Num::Float(1e-4), Num::Float(-0.9));
    let d_norm = ar.tensor(&d.f_abs().and_then(|a| a.f_max()).map_err(torch_err)?)?;
    let dot = |g: &tch::Tensor| ar.tensor(&g.f_dot(d).map_err(torch_err)?);
    // Whether a loss at step t is above the sufficient-decrease line
    // (`f_new > f + c1 * t * gtd`).
    let above = |f_new: f64, t: Num| {
        let line = ar.add(Num::Float(f), ar.mul(ar.mul(c1, t), gtd));
        ar.lt(line, Num::Float(f_new))
    };
    // The curvature condition (`abs(gtd_new) <= -c2 * gtd`).
    let flat_enough = |gtd_new: Num| ar.le(ar.abs(gtd_new), ar.mul(minus_c2, gtd));
    let (mut f_new, mut g_new) = evaluate(t.value())?;
    let mut ls_func_evals = 1;
    let mut gtd_new = dot(&g_new)?;
    let (mut t_prev, mut f_prev, mut g_prev, mut gtd_prev) =
        (Num::Float(0.0), f, g.shallow_clone(), gtd);
    let mut done = false;
    let mut ls_iter = 0;
    let mut bracket: Vec<End> = Vec::new();
    while ls_iter < max_ls {
        if above(f_new, t) || (ls_iter > 1 && f_new >= f_prev) {
            bracket = vec![
                (t_prev, f_prev, g_prev, gtd_prev),
                (t, f_new, g_new.shallow_clone(), gtd_new),
            ];
            break;
        }
        if flat_enough(gtd_new) {
            bracket = vec![(t, f_new, g_new.shallow_clone(), gtd_new)];
            done = true;
            break;
        }
        if ar.le(Num::Float(0.0), gtd_new) {
            bracket = vec![
                (t_prev, f_prev, g_prev, gtd_prev),
                (t, f_new, g_new.shallow_clone(), gtd_new),
            ];
            break;
        }
        let min_step = ar.add(t, ar.mul(Num::Float(0.01), ar.sub(t, t_prev)));
        let max_step = ar.mul(t, Num::Float(10.0));
        let next = cubic_interpolate(
            ar,
            (t_prev, f_prev, gtd_prev),
            (t, f_new, gtd_new),
            Some((min_step, max_step)),
        )?;
        (t_prev, f_prev, g_prev, gtd_prev) = (t, f_new, g_new, gtd_new);
        t = next;
        (f_new, g_new) = evaluate(t.value())?;
        ls_func_evals += 1;
        gtd_new = dot(&g_new)?;
        ls_iter += 1;
    }
    if ls_iter == max_ls {
        bracket = vec![
            (Num::Float(0.0), f, g.shallow_clone(), gtd),
            (t, f_new, g_new, gtd_new),
        ];
    }
    // Zoom into the bracket.
    let order = |b: &[End]| {
        if b[0].1 <= b[b.len() - 1].1 {
            (0, 1)
        } else {
            (1, 0)
        }
    };
    let (mut low, mut high) = order(&bracket);
    let mut insufficient_progress = false;
    while !done && ls_iter < max_ls && bracket.len() == 2 {
        let (t0, t1) = (bracket[0].0, bracket[1].0);
        let width = ar.mul(ar.abs(ar.sub(t1, t0)), d_norm);
        if ar.lt(width, Num::Float(tolerance_change)) {
            break;
        }
        t = cubic_interpolate(
            ar,
            (t0, bracket[0].1, bracket[0].3),
            (t1, bracket[1].1, bracket[1].3),
            None,
        )?;
        // Too close to an end: move away from it, unless progress was made.
        let (lo_t, hi_t) = (ar.min(t0, t1), ar.max(t0, t1));
        let eps = ar.mul(Num::Float(0.1), ar.sub(hi_t, lo_t));
        if ar.lt(ar.min(ar.sub(hi_t, t), ar.sub(t, lo_t)), eps) {
            if insufficient_progress || ar.le(hi_t, t) || ar.le(t, lo_t) {
                t = if ar.lt(ar.abs(ar.sub(t, hi_t)), ar.abs(ar.sub(t, lo_t))) {
                    ar.sub(hi_t, eps)
                } else {
                    ar.add(lo_t, eps)
                };
                insufficient_progress = false;
            } else {
                insufficient_progress = true;
            }
        } else {
            insufficient_progress = false;
        }
        let (f_t, g_t) = evaluate(t.value())?;
        ls_func_evals += 1;
        let gtd_t = dot(&g_t)?;
        ls_iter += 1;
        if above(f_t, t) || f_t >= bracket[low].1 {
            bracket[high] = (t, f_t, g_t, gtd_t);
            (low, high) = order(&bracket);
        } else {
            let span = ar.sub(bracket[high].0, bracket[low].0);
            if flat_enough(gtd_t) {
                done = true;
            } else if ar.le(Num::Float(0.0), ar.mul(gtd_t, span)) {
                let (a, b, ref c, e) = bracket[low];
                bracket[high] = (a, b, c.shallow_clone(), e);
            }
            bracket[low] = (t, f_t, g_t, gtd_t);
        }
    }
    let (t, f_new, g_new, _) = bracket.swap_remove(low.min(bracket.len() - 1));
    Ok((f_new, g_new, t, ls_func_evals))
}

/// L-BFGS over one group of parameters: `step(closure)`, and PyTorch's
/// `state_dict` layout.
#[derive(Debug)]
pub struct LBFGS {
    params: Vec<Variable>,
    pub options: LBFGSOptions,
    state: LbfgsState,
}

impl LBFGS {
    /// L-BFGS over `params` (leaves that require grad).
    pub fn new(params: impl IntoIterator<Item = Variable>, options: LBFGSOptions) -> Result<Self> {
        options.check()?;
        let params: Vec<Variable> = params.into_iter().collect();
        ensure!(
            !params.is_empty(),
            Argument,
            "LBFGS: got an empty parameter list"
        );
        for (i, p) in params.iter().enumerate() {
            ensure!(
                p.is_leaf(),
                Argument,
                "LBFGS: parameter {i} is not a leaf (an optimizer can only update leaves)"
            );
        }
        Ok(LBFGS {
            params,
            options,
            state: LbfgsState::default(),
        })
    }

    /// Resets every parameter's gradient to `None`.
    pub fn zero_grad(&self) {
        self.params.iter().for_each(Variable::zero_grad);
    }

    /// One step: up to `max_iter` iterations, each re-evaluating the loss
    /// (and its gradients: the closure calls `backward`) through `closure`.
    /// Returns the first loss.
    pub fn step(&mut self, mut closure: impl FnMut() -> Result<f64>) -> Result<f64> {
        lbfgs_step(&self.options, &self.params, &mut self.state, &mut closure)
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.options.lr
    }

    /// PyTorch's layout: the state of the first parameter, and one group.
    pub fn state_dict(&self) -> Value {
        let mut group: Vec<(Key, Value)> = (self.options.to_values().into_iter())
            .map(|(k, v)| (Key::from(k), v))
            .collect();
        let params = (0..self.params.len())
            .map(|i| Value::Int(i as i64))
            .collect();
        group.push((Key::from("params"), Value::List(params)));
        let state = state_to_value(&self.state);
        Value::dict([
            ("state", Value::Dict(vec![(Key::Int(0), state)])),
            ("param_groups", Value::List(vec![Value::Dict(group)])),
        ])
    }

    /// Loads a [`state_dict`](Self::state_dict) (Rust's or Python's).
    pub fn load_state_dict(&mut self, saved: &Value) -> Result<()> {
        let group = saved
            .get("param_groups")
            .and_then(Value::items)
            .and_then(|g| g.first());
        let mut options = self.options.clone();
        if let Some(Value::Dict(entries)) = group.map(Value::content) {
            for (key, value) in entries {
                if let Key::Str(key) = key {
                    options.set(key, value)?;
                }
            }
        }
        options.check()?;
        let state = match saved.get("state") {
            Some(Value::Dict(entries)) => match entries.first() {
                Some((_, state)) => state_from_value(state)?,
                None => LbfgsState::default(),
            },
            _ => {
                return Err(Error::new(
                    ErrorKind::Argument,
                    "LBFGS.load_state_dict: expected a dict with 'state' and 'param_groups'",
                ))
            }
        };
        self.options = options;
        self.state = state;
        Ok(())
    }
}

/// The state as PyTorch names it (`state[params[0]]`).
pub fn state_to_value(state: &LbfgsState) -> Value {
    let tensor = |t: &tch::Tensor| Value::Tensor(Tensor::from_raw(t.shallow_clone()));
    let tensors = |v: &[tch::Tensor]| Value::List(v.iter().map(tensor).collect());
    let mut entries = vec![
        ("func_evals", Value::Int(state.func_evals as i64)),
        ("n_iter", Value::Int(state.n_iter as i64)),
    ];
    if let Some(d) = &state.d {
        entries.extend([
            ("d", tensor(d)),
            ("t", Value::Float(state.t)),
            ("old_dirs", tensors(&state.old_dirs)),
            ("old_stps", tensors(&state.old_stps)),
            ("ro", tensors(&state.ro)),
            (
                "H_diag",
                state.h_diag.as_ref().map_or(Value::Int(1), tensor),
            ),
        ]);
    }
    if let Some(g) = &state.prev_flat_grad {
        entries.push(("prev_flat_grad", tensor(g)));
    }
    if let Some(loss) = state.prev_loss {
        entries.push(("prev_loss", Value::Float(loss)));
    }
    if !state.al.is_empty() {
        let al = state
            .al
            .iter()
            .map(|a| a.as_ref().map_or(Value::None, tensor));
        entries.push(("al", Value::List(al.collect())));
    }
    Value::dict(entries)
}

/// The state a [`state_to_value`] (or PyTorch's LBFGS) holds.
pub fn state_from_value(value: &Value) -> Result<LbfgsState> {
    let bad = |what: &str| {
        Error::new(
            ErrorKind::Argument,
            format!("LBFGS.load_state_dict: state {what:?} has the wrong kind"),
        )
    };
    let count = |name: &str| -> Result<usize> {
        match value.get(name) {
            None => Ok(0),
            Some(Value::Int(i)) if *i >= 0 => Ok(*i as usize),
            Some(_) => Err(bad(name)),
        }
    };
    let tensor = |name: &str| -> Result<Option<tch::Tensor>> {
        match value.get(name) {
            None | Some(Value::None) => Ok(None),
            Some(Value::Tensor(t)) => Ok(Some(t.raw().shallow_clone())),
            Some(_) => Err(bad(name)),
        }
    };
    let number = |v: &Value| -> Option<tch::Tensor> {
        match v {
            Value::Tensor(t) => Some(t.raw().shallow_clone()),
            other => other.as_f64().map(tch::Tensor::from),
        }
    };
    let tensors = |name: &str| -> Result<Vec<tch::Tensor>> {
        match value.get(name) {
            None => Ok(Vec::new()),
            Some(v) => (v.items().ok_or_else(|| bad(name))?.iter())
                .map(|x| number(x).ok_or_else(|| bad(name)))
                .collect(),
        }
    };
    let float = |name: &str| -> Result<Option<f64>> {
        match value.get(name) {
            None | Some(Value::None) => Ok(None),
            Some(Value::Tensor(t)) => Ok(Some(item(t.raw())?)),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| bad(name)),
        }
    };
    let h_diag = match value.get("H_diag") {
        None | Some(Value::None) | Some(Value::Int(1)) => None,
        Some(v) => Some(number(v).ok_or_else(|| bad("H_diag"))?),
    };
    let al = match value.get("al") {
        None => Vec::new(),
        Some(v) => (v.items().ok_or_else(|| bad("al"))?.iter())
            .map(|a| match a {
                Value::None => Ok(None),
                other => number(other).map(Some).ok_or_else(|| bad("al")),
            })
            .collect::<Result<_>>()?,
    };
    Ok(LbfgsState {
        al,
        func_evals: count("func_evals")?,
        n_iter: count("n_iter")?,
        d: tensor("d")?,
        t: float("t")?.unwrap_or(0.0),
        old_dirs: tensors("old_dirs")?,
        old_stps: tensors("old_stps")?,
        ro: tensors("ro")?,
        h_diag,
        prev_flat_grad: tensor("prev_flat_grad")?,
        prev_loss: float("prev_loss")?,
    })
}
