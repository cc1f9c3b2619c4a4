//! Learning-rate schedules, as `torch.optim.lr_scheduler`, each formula
//! written once: a [`Schedule`] gives a step's rate by PyTorch's chainable
//! formula (from the group's current rate, so that schedulers compose and a
//! rate changed by hand carries on) and by its closed form, and a
//! [`Scheduler`] applies it to an optimizer after each epoch (or batch).
//! Python's `flodl.optim.lr_scheduler` classes call the same formulas.
//!
//! ```no_run
//! # fn main() -> flodl::Result<()> {
//! use flodl::optim::{self, lr_scheduler::{Scheduler, StepLR}};
//! # let params: Vec<flodl::Variable> = Vec::new();
//! let mut opt = optim::SGD::new(params, optim::SGDOptions { lr: 0.1, ..Default::default() })?;
//! let mut sched = Scheduler::new(&mut opt, StepLR { step_size: 30, gamma: 0.1 });
//! for _epoch in 0..100 {
//!     // ... train one epoch, opt.step() per batch ...
//!     sched.step(&mut opt);
//! }
//! # Ok(()) }
//! ```

use std::f64::consts::PI;

use super::{Method, Optimizer, OptionValue, Options};
use crate::error::{ensure, Result};
use crate::Value;

/// The step a schedule computes the rate of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// PyTorch's `last_epoch`: 0 for the rate set when the scheduler is built.
    pub epoch: usize,
    /// The steps taken, this one included (PyTorch's `_step_count`).
    pub step_count: usize,
    /// Whether this is the step made when the scheduler is built.
    pub initial: bool,
    /// The param group.
    pub group: usize,
}

/// A learning-rate schedule.
pub trait Schedule {
    /// The closed form: the rate at step `t` (0 is the start) of a group
    /// whose initial rate is `base`.
    fn lr_at(&self, base: f64, t: usize) -> f64;

    /// PyTorch's `get_lr`: the rate of step `at` from the group's current
    /// rate `lr` (PyTorch's chainable form). By default the closed form.
    fn next_lr(&self, base: f64, lr: f64, at: At) -> f64 {
        let _ = lr;
        self.lr_at(base, at.epoch)
    }

    /// The momentum (or Adam's beta1) of step `at`, for a schedule that
    /// cycles it (OneCycleLR); None leaves it alone.
    fn momentum(&self, at: At) -> Option<f64> {
        let _ = at;
        None
    }

    /// What PyTorch's scheduler writes into group `group`'s dict besides the
    /// rate and `initial_lr` (OneCycleLR's `max_lr`, `min_lr` and momentum
    /// bounds): [`Scheduler::new`] puts them in the optimizer's groups, so
    /// its state dict is PyTorch's. None by default.
    fn group_entries(&self, group: usize) -> Vec<(&'static str, f64)> {
        let _ = group;
        Vec::new()
    }

    /// Whether [`lr_at`](Self::lr_at) is PyTorch's closed form (used when a
    /// scheduler jumps to an epoch); false sends the jump through
    /// [`next_lr`](Self::next_lr), as PyTorch does.
    fn has_closed_form(&self) -> bool {
        true
    }
}

/// The ratio `(1 - t/n) / (1 - (t-1)/n)` to the power `power`: one step of
/// a polynomial decay (PolynomialLR).
fn polynomial_ratio(t: usize, total: usize, power: f64) -> f64 {
    let (t, n) = (t as f64, total as f64);
    ((1.0 - t / n) / (1.0 - (t - 1.0) / n)).powf(power)
}

/// Group `group`'s value of a per-group option (the last one serves the
/// groups after it).
fn per_group(values: &[f64], group: usize) -> f64 {
    values
        .get(group)
        .or(values.last())
        .copied()
        .unwrap_or(f64::NAN)
}

/// Multiplies the rate by `gamma` every `step_size` steps (a step size
/// of 0 counts as 1; [`StepLR::check`] refuses it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLR {
    pub step_size: usize,
    pub gamma: f64,
}

impl StepLR {
    /// An ArgumentError for a step size of 0 (PyTorch's divides by it).
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.step_size > 0,
            Argument,
            "StepLR: step_size must be a positive int, got 0"
        );
        Ok(())
    }
}

impl Schedule for StepLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        base * self.gamma.powi((t / self.step_size.max(1)) as i32)
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        if at.epoch == 0 || !at.epoch.is_multiple_of(self.step_size.max(1)) {
            lr
        } else {
            lr * self.gamma
        }
    }
}

/// Multiplies the rate by `gamma` at each milestone (a milestone given
/// twice multiplies twice).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiStepLR {
    pub milestones: Vec<usize>,
    pub gamma: f64,
}

impl Schedule for MultiStepLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let passed = self.milestones.iter().filter(|&&m| m <= t).count();
        base * self.gamma.powi(passed as i32)
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        let hits = self.milestones.iter().filter(|&&m| m == at.epoch).count();
        if hits == 0 {
            lr
        } else {
            lr * self.gamma.powi(hits as i32)
        }
    }
}

/// Multiplies the rate by `factor` until step `total_iters`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantLR {
    pub factor: f64,
    pub total_iters: usize,
}

impl Default for ConstantLR {
    fn default() -> Self {
        ConstantLR {
            factor: 1.0 / 3.0,
            total_iters: 5,
        }
    }
}

impl Schedule for ConstantLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let done = if t >= self.total_iters { 1.0 } else { 0.0 };
        base * (self.factor + done * (1.0 - self.factor))
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        if at.epoch == 0 {
            lr * self.factor
        } else if at.epoch != self.total_iters {
            lr
        } else {
            lr * (1.0 / self.factor)
        }
    }
}

/// The rate scaled linearly from `start_factor` to `end_factor` over
/// `total_iters` steps, then held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearLR {
    pub start_factor: f64,
    pub end_factor: f64,
    pub total_iters: usize,
}

impl Default for LinearLR {
    fn default() -> Self {
        LinearLR {
            start_factor: 1.0 / 3.0,
            end_factor: 1.0,
            total_iters: 5,
        }
    }
}

impl Schedule for LinearLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let done = t.min(self.total_iters) as f64 / self.total_iters.max(1) as f64;
        base * (self.start_factor + (self.end_factor - self.start_factor) * done)
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        if at.epoch == 0 {
            return lr * self.start_factor;
        }
        if at.initial || at.epoch > self.total_iters {
            return lr;
        }
        let span = self.end_factor - self.start_factor;
        // The ratio of this step's factor to the previous one's.
        let before = self.total_iters as f64 * self.start_factor + (at.epoch as f64 - 1.0) * span;
        lr * (1.0 + span / before)
    }
}

/// Multiplies the rate by `gamma` every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialLR {
    pub gamma: f64,
}

impl Schedule for ExponentialLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        base * self.gamma.powi(t as i32)
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        if at.initial {
            lr
        } else {
            lr * self.gamma
        }
    }
}

/// A rate factor of your own: `f(epoch)`, for [`LambdaLR`] and
/// [`MultiplicativeLR`].
pub type LrLambda = std::rc::Rc<dyn Fn(usize) -> f64>;

/// The function of group `group`: one for all groups, or one each (the
/// last serves the groups after). None only for an empty list.
fn lambda_of(lambdas: &[LrLambda], group: usize) -> Option<&LrLambda> {
    lambdas.get(group).or(lambdas.last())
}

/// `base * f(epoch)`: a factor of your own on the initial rate, one
/// function for all groups or one each, as PyTorch's `LambdaLR`.
#[derive(Clone)]
pub struct LambdaLR {
    pub lr_lambdas: Vec<LrLambda>,
}

impl LambdaLR {
    /// One function for every group.
    pub fn new(f: impl Fn(usize) -> f64 + 'static) -> Self {
        LambdaLR {
            lr_lambdas: vec![std::rc::Rc::new(f)],
        }
    }
}

impl std::fmt::Debug for LambdaLR {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LambdaLR {{ {} functions }}", self.lr_lambdas.len())
    }
}

impl Schedule for LambdaLR {
    /// The first group's rate (the group-aware form is `next_lr`).
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        lambda_of(&self.lr_lambdas, 0).map_or(base, |f| base * f(t))
    }
    fn next_lr(&self, base: f64, _lr: f64, at: At) -> f64 {
        lambda_of(&self.lr_lambdas, at.group).map_or(base, |f| base * f(at.epoch))
    }
    fn has_closed_form(&self) -> bool {
        false // per group: `step_to` goes through next_lr, as PyTorch's get_lr
    }
}

/// `lr * f(epoch)` at every step after the first: a factor of your own on
/// the current rate, one function for all groups or one each, as PyTorch's
/// `MultiplicativeLR`.
#[derive(Clone)]
pub struct MultiplicativeLR {
    pub lr_lambdas: Vec<LrLambda>,
}

impl MultiplicativeLR {
    /// One function for every group.
    pub fn new(f: impl Fn(usize) -> f64 + 'static) -> Self {
        MultiplicativeLR {
            lr_lambdas: vec![std::rc::Rc::new(f)],
        }
    }
}

impl std::fmt::Debug for MultiplicativeLR {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MultiplicativeLR {{ {} functions }}",
            self.lr_lambdas.len()
        )
    }
}

impl Schedule for MultiplicativeLR {
    /// The first group's rate: `base` times the factors of steps 1 to `t`.
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        lambda_of(&self.lr_lambdas, 0).map_or(base, |f| (1..=t).fold(base, |lr, k| lr * f(k)))
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        match lambda_of(&self.lr_lambdas, at.group) {
            Some(f) if !at.initial => lr * f(at.epoch),
            _ => lr,
        }
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// Decays the rate to 0 over `total_iters` steps as `(1 - t/total)^power`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolynomialLR {
    pub total_iters: usize,
    pub power: f64,
}

impl Default for PolynomialLR {
    fn default() -> Self {
        PolynomialLR {
            total_iters: 5,
            power: 1.0,
        }
    }
}

impl Schedule for PolynomialLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let n = self.total_iters.max(1) as f64;
        base * (1.0 - t.min(self.total_iters) as f64 / n).powf(self.power)
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        if at.initial || at.epoch > self.total_iters {
            lr
        } else {
            lr * polynomial_ratio(at.epoch, self.total_iters.max(1), self.power)
        }
    }
}

/// Half a cosine from the initial rate down to `eta_min` over `t_max`
/// steps (and back up after, periodically), PyTorch's `T_max` (0 counts
/// as 1; [`CosineAnnealingLR::check`] refuses it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingLR {
    pub t_max: usize,
    pub eta_min: f64,
}

impl CosineAnnealingLR {
    /// An ArgumentError for a `T_max` of 0 (PyTorch's divides by it).
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.t_max > 0,
            Argument,
            "CosineAnnealingLR: T_max must be a positive int, got 0"
        );
        Ok(())
    }
}

impl Schedule for CosineAnnealingLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let phase = PI * t as f64 / self.t_max.max(1) as f64;
        self.eta_min + (base - self.eta_min) * (1.0 + phase.cos()) / 2.0
    }
    fn next_lr(&self, base: f64, lr: f64, at: At) -> f64 {
        let (t, t_max, eta_min) = (at.epoch as f64, self.t_max.max(1) as f64, self.eta_min);
        if at.initial {
            return lr;
        }
        if at.step_count == 1 && at.epoch > 0 {
            // Resumed: the closed form once.
            return self.lr_at(base, at.epoch);
        }
        let t_max_steps = self.t_max.max(1);
        if (at.epoch as i64 - 1 - t_max_steps as i64).rem_euclid(2 * t_max_steps as i64) == 0 {
            // At the bottom of a period the recursion's ratio is 0/0: step up.
            return lr + (base - eta_min) * (1.0 - (PI / t_max).cos()) / 2.0;
        }
        let ratio = (1.0 + (PI * t / t_max).cos()) / (1.0 + (PI * (t - 1.0) / t_max).cos());
        ratio * (lr - eta_min) + eta_min
    }
}

/// Stochastic weight averaging's rate, as `torch.optim.swa_utils.SWALR`:
/// from each group's rate to its `swa_lr` (the last one serves the groups
/// after it) over `anneal_epochs` steps along a cosine or a line, then
/// `swa_lr`. Recursive, as PyTorch's: each step starts from the group's
/// present rate.
#[derive(Debug, Clone, PartialEq)]
pub struct SWALR {
    pub swa_lr: Vec<f64>,
    pub anneal_epochs: usize,
    pub anneal_strategy: Anneal,
}

impl SWALR {
    /// How far along the anneal step `step` is (0 to 1), shaped by the
    /// strategy.
    fn alpha(&self, step: f64) -> f64 {
        let t = (step / self.anneal_epochs.max(1) as f64).clamp(0.0, 1.0);
        match self.anneal_strategy {
            Anneal::Cos => (1.0 - (PI * t).cos()) / 2.0,
            Anneal::Linear => t,
        }
    }
}

impl Schedule for SWALR {
    /// No closed form: the rate `t` steps after one of `base`, by the
    /// recursion.
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        (0..=t).fold(base, |lr, step| {
            let at = At {
                epoch: step,
                step_count: step + 1,
                initial: step == 0,
                group: 0,
            };
            self.next_lr(base, lr, at)
        })
    }
    fn next_lr(&self, _base: f64, lr: f64, at: At) -> f64 {
        let swa_lr = per_group(&self.swa_lr, at.group);
        let mut step = at.step_count as f64 - 1.0;
        if self.anneal_epochs == 0 {
            step = step.max(1.0);
        }
        // The rate the anneal started from, recovered from this one.
        let prev_alpha = self.alpha(step - 1.0);
        let start = match prev_alpha == 1.0 {
            true => swa_lr,
            false => (lr - prev_alpha * swa_lr) / (1.0 - prev_alpha),
        };
        let alpha = self.alpha(step);
        swa_lr * alpha + start * (1.0 - alpha)
    }
    fn group_entries(&self, group: usize) -> Vec<(&'static str, f64)> {
        vec![("swa_lr", per_group(&self.swa_lr, group))]
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// How a one-cycle phase moves between its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anneal {
    Cos,
    Linear,
}

impl Anneal {
    fn at(self, start: f64, end: f64, pct: f64) -> f64 {
        match self {
            Anneal::Cos => end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0),
            Anneal::Linear => (end - start) * pct + start,
        }
    }
}

/// The one-cycle policy: the rate rises from `max_lr / div_factor` to
/// `max_lr` over `pct_start` of `total_steps`, then anneals to the initial
/// rate `/ final_div_factor` (with `three_phase`, back to the initial rate
/// first); with `cycle_momentum` the momentum (or Adam's beta1) moves the
/// other way between `max_momentum` and `base_momentum`. It sets the rate
/// itself (the group's rate before is not used). `max_lr` and the momenta
/// have one value per group (the last one serves the groups after).
#[derive(Debug, Clone, PartialEq)]
pub struct OneCycleLR {
    pub max_lr: Vec<f64>,
    pub total_steps: usize,
    pub pct_start: f64,
    pub anneal_strategy: Anneal,
    pub cycle_momentum: bool,
    pub base_momentum: Vec<f64>,
    pub max_momentum: Vec<f64>,
    pub div_factor: f64,
    pub final_div_factor: f64,
    pub three_phase: bool,
}

impl OneCycleLR {
    /// PyTorch's defaults: `pct_start` 0.3, cosine annealing, momentum
    /// cycled between 0.85 and 0.95, `div_factor` 25, `final_div_factor` 1e4.
    pub fn new(max_lr: f64, total_steps: usize) -> Self {
        OneCycleLR {
            max_lr: vec![max_lr],
            total_steps,
            pct_start: 0.3,
            anneal_strategy: Anneal::Cos,
            cycle_momentum: true,
            base_momentum: vec![0.85],
            max_momentum: vec![0.95],
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
        }
    }

    /// PyTorch's checks: an ArgumentError naming the bad option.
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.total_steps > 0,
            Argument,
            "OneCycleLR: total_steps must be a positive int, got {}",
            self.total_steps
        );
        ensure!(
            (0.0..=1.0).contains(&self.pct_start),
            Argument,
            "OneCycleLR: pct_start must be a float in [0, 1], got {}",
            self.pct_start
        );
        Ok(())
    }

    /// Group `group`'s (rate, momentum) at step `t`: PyTorch's phases.
    fn values(&self, group: usize, t: usize) -> (f64, f64) {
        let max_lr = per_group(&self.max_lr, group);
        let initial = max_lr / self.div_factor;
        let min_lr = initial / self.final_div_factor;
        let (high, low) = (
            per_group(&self.max_momentum, group),
            per_group(&self.base_momentum, group),
        );
        let total = self.total_steps as f64;
        let warm_end = self.pct_start * total - 1.0;
        // (last step, start rate, end rate, start momentum, end momentum)
        let phases: Vec<(f64, f64, f64, f64, f64)> = if self.three_phase {
            vec![
                (warm_end, initial, max_lr, high, low),
                (
                    2.0 * self.pct_start * total - 2.0,
                    max_lr,
                    initial,
                    low,
                    high,
                ),
                (total - 1.0, initial, min_lr, high, high),
            ]
        } else {
            vec![
                (warm_end, initial, max_lr, high, low),
                (total - 1.0, max_lr, min_lr, low, high),
            ]
        };
        let t = t as f64;
        let mut start = 0.0;
        for (i, &(end, lr0, lr1, m0, m1)) in phases.iter().enumerate() {
            if t <= end || i == phases.len() - 1 {
                let pct = (t - start) / (end - start);
                return (
                    self.anneal_strategy.at(lr0, lr1, pct),
                    self.anneal_strategy.at(m0, m1, pct),
                );
            }
            start = end;
        }
        (f64::NAN, f64::NAN)
    }
}

impl Schedule for OneCycleLR {
    fn lr_at(&self, _base: f64, t: usize) -> f64 {
        self.values(0, t).0
    }
    fn group_entries(&self, group: usize) -> Vec<(&'static str, f64)> {
        let max_lr = per_group(&self.max_lr, group);
        let initial = max_lr / self.div_factor;
        let mut entries = vec![
            ("initial_lr", initial),
            ("max_lr", max_lr),
            ("min_lr", initial / self.final_div_factor),
        ];
        if self.cycle_momentum {
            entries.push(("max_momentum", per_group(&self.max_momentum, group)));
            entries.push(("base_momentum", per_group(&self.base_momentum, group)));
        }
        entries
    }
    fn next_lr(&self, _base: f64, _lr: f64, at: At) -> f64 {
        self.values(at.group, at.epoch).0
    }
    fn momentum(&self, at: At) -> Option<f64> {
        self.cycle_momentum
            .then(|| self.values(at.group, at.epoch).1)
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// How [`CyclicLR`] scales each cycle's amplitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CyclicMode {
    /// The same amplitude every cycle.
    Triangular,
    /// Half the amplitude each cycle.
    Triangular2,
    /// `gamma^step` times the amplitude.
    ExpRange,
}

/// A scale of your own for [`CyclicLR`] (PyTorch's `scale_fn`), of the
/// cycle number (`by_cycle`) or of the step.
#[derive(Clone)]
pub struct ScaleFn {
    pub f: std::rc::Rc<dyn Fn(f64) -> f64>,
    pub by_cycle: bool,
}

impl std::fmt::Debug for ScaleFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScaleFn {{ by_cycle: {} }}", self.by_cycle)
    }
}

/// The cyclical learning rate policy: each group's rate goes from
/// `base_lr` up to `max_lr` over `step_size_up` steps and back over
/// `step_size_down`, the amplitude scaled by `mode`; with
/// `cycle_momentum` the momentum (or beta1) moves the other way between
/// `max_momentum` and `base_momentum`. It sets the rate itself. Per-group
/// values: the last one serves the groups after.
#[derive(Debug, Clone)]
pub struct CyclicLR {
    pub base_lr: Vec<f64>,
    pub max_lr: Vec<f64>,
    /// Steps per cycle, and the rising part's share of them (PyTorch's
    /// `total_size` and `step_ratio`).
    pub total_size: f64,
    pub step_ratio: f64,
    pub mode: CyclicMode,
    pub gamma: f64,
    pub scale_fn: Option<ScaleFn>,
    pub cycle_momentum: bool,
    pub base_momentum: Vec<f64>,
    pub max_momentum: Vec<f64>,
}

impl CyclicLR {
    /// PyTorch's defaults (triangular, momentum cycled between 0.8 and
    /// 0.9); `step_size_down` None is `step_size_up`.
    pub fn new(base_lr: f64, max_lr: f64, step_size_up: f64, step_size_down: Option<f64>) -> Self {
        let total_size = step_size_up + step_size_down.unwrap_or(step_size_up);
        CyclicLR {
            base_lr: vec![base_lr],
            max_lr: vec![max_lr],
            total_size,
            step_ratio: step_size_up / total_size,
            mode: CyclicMode::Triangular,
            gamma: 1.0,
            scale_fn: None,
            cycle_momentum: true,
            base_momentum: vec![0.8],
            max_momentum: vec![0.9],
        }
    }

    /// Step `t`'s place: the amplitude's fraction and its scale.
    fn place(&self, t: usize) -> (f64, f64) {
        let t = t as f64;
        let cycle = (1.0 + t / self.total_size).floor();
        let x = 1.0 + t / self.total_size - cycle;
        let factor = if x <= self.step_ratio {
            x / self.step_ratio
        } else {
            (x - 1.0) / (self.step_ratio - 1.0)
        };
        let scale = match &self.scale_fn {
            Some(custom) => (custom.f)(if custom.by_cycle { cycle } else { t }),
            None => match self.mode {
                CyclicMode::Triangular => 1.0,
                CyclicMode::Triangular2 => 1.0 / 2f64.powf(cycle - 1.0),
                CyclicMode::ExpRange => self.gamma.powf(t),
            },
        };
        (factor, scale)
    }
}

impl Schedule for CyclicLR {
    fn lr_at(&self, _base: f64, t: usize) -> f64 {
        self.next_lr(
            0.0,
            0.0,
            At {
                epoch: t,
                step_count: 0,
                initial: false,
                group: 0,
            },
        )
    }
    fn next_lr(&self, _base: f64, _lr: f64, at: At) -> f64 {
        let (factor, scale) = self.place(at.epoch);
        let (base, max) = (
            per_group(&self.base_lr, at.group),
            per_group(&self.max_lr, at.group),
        );
        base + (max - base) * factor * scale
    }
    fn momentum(&self, at: At) -> Option<f64> {
        self.cycle_momentum.then(|| {
            let (factor, scale) = self.place(at.epoch);
            let (low, high) = (
                per_group(&self.base_momentum, at.group),
                per_group(&self.max_momentum, at.group),
            );
            high - (high - low) * factor * scale
        })
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// Schedules one after another: `schedules[i]` from step `milestones[i-1]`
/// on, each starting from its own step 0 (PyTorch's SequentialLR).
pub struct SequentialLR {
    pub schedules: Vec<Box<dyn Schedule>>,
    pub milestones: Vec<usize>,
}

impl SequentialLR {
    /// The schedule of step `t` and the step it started at.
    fn phase(&self, t: usize) -> (usize, usize) {
        let i = self.milestones.iter().filter(|&&m| m <= t).count();
        let start = if i == 0 { 0 } else { self.milestones[i - 1] };
        (i.min(self.schedules.len().saturating_sub(1)), start)
    }
}

impl Schedule for SequentialLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let (i, start) = self.phase(t);
        self.schedules
            .get(i)
            .map_or(base, |s| s.lr_at(base, t - start))
    }
    fn next_lr(&self, base: f64, lr: f64, at: At) -> f64 {
        let (i, start) = self.phase(at.epoch);
        let Some(schedule) = self.schedules.get(i) else {
            return lr;
        };
        let local = At {
            epoch: at.epoch - start,
            ..at
        };
        if i > 0 && at.epoch == start && schedule.has_closed_form() {
            // A schedule starts by jumping to its step 0 (closed form).
            schedule.lr_at(base, 0)
        } else {
            schedule.next_lr(base, lr, local)
        }
    }
    fn momentum(&self, at: At) -> Option<f64> {
        let (i, start) = self.phase(at.epoch);
        let local = At {
            epoch: at.epoch - start,
            ..at
        };
        self.schedules.get(i).and_then(|s| s.momentum(local))
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// Schedules applied together, each to the rate the one before set
/// (their factors multiply; PyTorch's ChainedScheduler).
pub struct ChainedScheduler {
    pub schedules: Vec<Box<dyn Schedule>>,
}

impl Schedule for ChainedScheduler {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        self.schedules.iter().fold(base, |lr, s| s.lr_at(lr, t))
    }
    fn next_lr(&self, base: f64, lr: f64, at: At) -> f64 {
        self.schedules
            .iter()
            .fold(lr, |lr, s| s.next_lr(base, lr, at))
    }
    fn momentum(&self, at: At) -> Option<f64> {
        self.schedules.iter().rev().find_map(|s| s.momentum(at))
    }
    fn has_closed_form(&self) -> bool {
        false
    }
}

/// Cosine annealing with warm restarts: periods of `t_0` steps, each
/// `t_mult` times the last (PyTorch's `T_0`, `T_mult`), the rate falling
/// from the initial one to `eta_min` within each. The position in the
/// period is state of its own ([`WarmRestarts`]), since a jump to an epoch
/// may be fractional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingWarmRestarts {
    pub t_0: usize,
    pub t_mult: usize,
    pub eta_min: f64,
}

/// Where [`CosineAnnealingWarmRestarts`] stands: PyTorch's `T_cur` (steps
/// into the period), `T_i` (the period's length) and `last_epoch`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarmRestarts {
    pub t_cur: f64,
    pub t_i: f64,
    pub last_epoch: f64,
}

impl CosineAnnealingWarmRestarts {
    /// PyTorch's checks of `T_0` and `T_mult`.
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.t_0 > 0,
            Argument,
            "CosineAnnealingWarmRestarts: expected a positive integer T_0, got {}",
            self.t_0
        );
        ensure!(
            self.t_mult >= 1,
            Argument,
            "CosineAnnealingWarmRestarts: expected an integer T_mult >= 1, got {}",
            self.t_mult
        );
        Ok(())
    }

    /// The state after one more step (`epoch` None) or at `epoch`, as
    /// PyTorch's `step` moves it.
    pub fn advance(&self, state: WarmRestarts, epoch: Option<f64>) -> Result<WarmRestarts> {
        let (t_0, t_mult) = (self.t_0 as f64, self.t_mult as f64);
        // The first step (from last_epoch -1) is a jump to epoch 0.
        let epoch = epoch.or((state.last_epoch < 0.0).then_some(0.0));
        let WarmRestarts {
            mut t_cur, mut t_i, ..
        } = state;
        let epoch = match epoch {
            None => {
                t_cur += 1.0;
                if t_cur >= t_i {
                    t_cur %= t_i;
                    t_i *= t_mult;
                }
                state.last_epoch + 1.0
            }
            Some(epoch) => {
                ensure!(
                    epoch.partial_cmp(&0.0).is_some_and(|o| o.is_ge()),
                    Argument,
                    "CosineAnnealingWarmRestarts: expected a non-negative epoch, got {epoch}"
                );
                if epoch < t_0 {
                    (t_cur, t_i) = (epoch, t_0);
                } else if self.t_mult == 1 {
                    t_cur = epoch % t_0;
                } else {
                    // The restarts before `epoch`: periods t_0, t_0 t_mult, ...
                    let n = ((epoch / t_0 * (t_mult - 1.0) + 1.0).ln() / t_mult.ln()).trunc();
                    t_cur = epoch - t_0 * (t_mult.powf(n) - 1.0) / (t_mult - 1.0);
                    t_i = t_0 * t_mult.powf(n);
                }
                epoch
            }
        };
        Ok(WarmRestarts {
            t_cur,
            t_i,
            last_epoch: epoch.floor(),
        })
    }

    /// The rate of a group whose initial rate is `base`, at `state`.
    pub fn lr(&self, base: f64, state: WarmRestarts) -> f64 {
        self.eta_min + (base - self.eta_min) * (1.0 + (PI * state.t_cur / state.t_i).cos()) / 2.0
    }
}

/// Reduces the rates by `factor` when a metric has stopped improving for
/// `patience` steps (PyTorch's ReduceLROnPlateau); the counters are its
/// state, in PyTorch's names.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceLROnPlateau {
    /// "min" (a loss) or "max" (an accuracy).
    pub mode_max: bool,
    pub factor: f64,
    pub patience: usize,
    pub threshold: f64,
    /// "rel" (true) or "abs".
    pub threshold_rel: bool,
    pub cooldown: usize,
    /// The lowest rate, per group (the last one serves the groups after).
    pub min_lrs: Vec<f64>,
    pub eps: f64,
    pub best: f64,
    pub num_bad_epochs: usize,
    pub cooldown_counter: usize,
    pub last_epoch: usize,
}

impl ReduceLROnPlateau {
    /// PyTorch's defaults, minimizing.
    pub fn new() -> Self {
        ReduceLROnPlateau {
            mode_max: false,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_rel: true,
            cooldown: 0,
            min_lrs: vec![0.0],
            eps: 1e-8,
            best: f64::INFINITY,
            num_bad_epochs: 0,
            cooldown_counter: 0,
            last_epoch: 0,
        }
    }

    /// PyTorch's checks: `factor` below 1.
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.factor.partial_cmp(&1.0).is_some_and(|o| o.is_lt()),
            Argument,
            "ReduceLROnPlateau: factor should be < 1.0, got {}",
            self.factor
        );
        Ok(())
    }

    /// The worst value of the metric (where `best` starts).
    pub fn worst(&self) -> f64 {
        if self.mode_max {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }
    }

    fn is_better(&self, a: f64) -> bool {
        let best = self.best;
        match (self.mode_max, self.threshold_rel) {
            (false, true) => a < best * (1.0 - self.threshold),
            (false, false) => a < best - self.threshold,
            (true, true) => a > best * (self.threshold + 1.0),
            (true, false) => a > best + self.threshold,
        }
    }

    /// One step with the latest `metric`: the new rates of groups whose
    /// rates are `lrs` (reduced, or as they were).
    pub fn step(&mut self, metric: f64, lrs: &[f64]) -> Vec<f64> {
        self.last_epoch += 1;
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs <= self.patience {
            return lrs.to_vec();
        }
        self.cooldown_counter = self.cooldown;
        self.num_bad_epochs = 0;
        (lrs.iter().enumerate())
            .map(|(i, &old)| {
                let min_lr = per_group(&self.min_lrs, i);
                let new = (old * self.factor).max(min_lr);
                // A change smaller than eps is ignored.
                if old - new > self.eps {
                    new
                } else {
                    old
                }
            })
            .collect()
    }
}

impl Default for ReduceLROnPlateau {
    fn default() -> Self {
        Self::new()
    }
}

/// Applies a [`Schedule`] to an optimizer's groups, as PyTorch's
/// `LRScheduler`.
#[derive(Debug, Clone)]
pub struct Scheduler<S: Schedule> {
    schedule: S,
    base_lrs: Vec<f64>,
    last_lrs: Vec<f64>,
    last_epoch: usize,
    step_count: usize,
}

impl<S: Schedule> Scheduler<S> {
    /// Starts the schedule at step 0: the optimizer's current rates are the
    /// initial ones, and step 0's rates are set at once, as PyTorch does.
    pub fn new<M: Method>(optimizer: &mut Optimizer<M>, schedule: S) -> Self {
        let base_lrs: Vec<f64> = optimizer
            .param_groups()
            .iter()
            .map(|g| g.options.lr())
            .collect();
        // PyTorch's group entries: `initial_lr` (unless a scheduler set it),
        // and the schedule's own.
        for (i, &base) in base_lrs.iter().enumerate() {
            if let Some(group) = optimizer.param_group_mut(i) {
                if !group.extra.iter().any(|(n, _)| n == "initial_lr") {
                    group.set_extra("initial_lr", Value::Float(base));
                }
                for (name, value) in schedule.group_entries(i) {
                    group.set_extra(name, Value::Float(value));
                }
            }
        }
        let mut scheduler = Scheduler {
            schedule,
            last_lrs: base_lrs.clone(),
            base_lrs,
            last_epoch: 0,
            step_count: 0,
        };
        scheduler.apply(optimizer, true, false);
        scheduler
    }

    /// Sets each group's rate (and momentum) for `self.last_epoch`.
    fn apply<M: Method>(&mut self, optimizer: &mut Optimizer<M>, initial: bool, closed: bool) {
        self.step_count += 1;
        let mut lrs = Vec::with_capacity(self.base_lrs.len());
        for (group, base) in self.base_lrs.iter().enumerate() {
            let Some(options) = optimizer.options_mut(group) else {
                continue;
            };
            let at = At {
                epoch: self.last_epoch,
                step_count: self.step_count,
                initial,
                group,
            };
            let lr = if closed && self.schedule.has_closed_form() {
                self.schedule.lr_at(*base, self.last_epoch)
            } else {
                self.schedule.next_lr(*base, options.lr(), at)
            };
            options.set_lr(lr);
            if let Some(momentum) = self.schedule.momentum(at) {
                set_momentum(options, momentum);
            }
            lrs.push(lr);
        }
        self.last_lrs = lrs;
    }

    /// Moves to the next step and sets each group's rate.
    pub fn step<M: Method>(&mut self, optimizer: &mut Optimizer<M>) {
        self.last_epoch += 1;
        self.apply(optimizer, false, false);
    }

    /// Jumps to step `epoch` (by the closed form, where the schedule has one).
    pub fn step_to<M: Method>(&mut self, optimizer: &mut Optimizer<M>, epoch: usize) {
        self.last_epoch = epoch;
        self.apply(optimizer, false, true);
    }

    /// The rates the last step set, per group.
    pub fn last_lr(&self) -> Vec<f64> {
        self.last_lrs.clone()
    }

    /// The number of steps taken.
    pub fn last_epoch(&self) -> usize {
        self.last_epoch
    }

    /// The schedule.
    pub fn schedule(&self) -> &S {
        &self.schedule
    }

    /// PyTorch's scheduler state: `base_lrs`, `last_epoch`, `_step_count`,
    /// `_last_lr` (the schedule's options are code: build it with them).
    pub fn state_dict(&self) -> Value {
        let floats = |v: &[f64]| Value::List(v.iter().map(|&x| Value::Float(x)).collect());
        Value::dict([
            ("base_lrs", floats(&self.base_lrs)),
            ("last_epoch", Value::Int(self.last_epoch as i64)),
            ("_step_count", Value::Int(self.step_count as i64)),
            ("_last_lr", floats(&self.last_lrs)),
        ])
    }

    /// Restores a [`state_dict`](Self::state_dict) (Rust's or Python's).
    pub fn load_state_dict(&mut self, state: &Value) -> Result<()> {
        fn read<T: OptionValue>(state: &Value, key: &str) -> Result<T> {
            state.get(key).and_then(T::from_value).ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorKind::Argument,
                    format!("Scheduler.load_state_dict: {key:?} must be {}", T::EXPECTED),
                )
            })
        }
        let (base_lrs, last_lrs) = (read(state, "base_lrs")?, read(state, "_last_lr")?);
        let (last_epoch, step_count) = (read(state, "last_epoch")?, read(state, "_step_count")?);
        self.base_lrs = base_lrs;
        self.last_lrs = last_lrs;
        self.last_epoch = last_epoch;
        self.step_count = step_count;
        Ok(())
    }
}

/// Sets a group's momentum: `momentum` where the optimizer has one, else
/// the first of its `betas` (Adam's family), as PyTorch's OneCycleLR.
fn set_momentum<O: Options>(options: &mut O, momentum: f64) {
    let values = options.to_values();
    if values.iter().any(|(n, _)| *n == "momentum") {
        // The options have a float "momentum": setting it cannot fail.
        let _ = options.set("momentum", &Value::Float(momentum));
    } else if let Some((_, betas)) = values.iter().find(|(n, _)| *n == "betas") {
        if let Some([_, beta2]) = betas.items() {
            let pair = Value::Tuple(vec![Value::Float(momentum), beta2.clone()]);
            let _ = options.set("betas", &pair);
        }
    }
}
