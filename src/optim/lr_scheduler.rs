//! Learning-rate schedules, as `torch.optim.lr_scheduler`: a [`Schedule`]
//! gives the rate of step `t` from a group's initial rate, and a
//! [`Scheduler`] applies it to an optimizer after each epoch (or batch).
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

use super::{Method, Optimizer};

/// The learning rate at step `t` (0 is the start) of a group whose initial
/// rate is `base`.
pub trait Schedule {
    fn lr_at(&self, base: f64, t: usize) -> f64;
}

/// Multiplies the rate by `gamma` every `step_size` steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLR {
    pub step_size: usize,
    pub gamma: f64,
}

impl Schedule for StepLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        base * self.gamma.powi((t / self.step_size.max(1)) as i32)
    }
}

/// Multiplies the rate by `gamma` at each milestone.
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
}

/// Half a cosine from the initial rate down to `eta_min` over `t_max`
/// steps (and back up after, as PyTorch's closed form).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingLR {
    pub t_max: usize,
    pub eta_min: f64,
}

impl Schedule for CosineAnnealingLR {
    fn lr_at(&self, base: f64, t: usize) -> f64 {
        let phase = PI * t as f64 / self.t_max.max(1) as f64;
        self.eta_min + (base - self.eta_min) * (1.0 + phase.cos()) / 2.0
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
}

/// The one-cycle policy with cosine annealing: up from `max_lr /
/// div_factor` to `max_lr` over `pct_start` of `total_steps`, then down to
/// the initial rate `/ final_div_factor`. It sets the rate itself (the
/// group's initial rate is not used).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneCycleLR {
    pub max_lr: f64,
    pub total_steps: usize,
    pub pct_start: f64,
    pub div_factor: f64,
    pub final_div_factor: f64,
}

impl OneCycleLR {
    /// PyTorch's defaults: `pct_start` 0.3, `div_factor` 25, `final_div_factor` 1e4.
    /// (Rates past `total_steps` stay at the last one; the momentum is not
    /// cycled, unlike Python's `cycle_momentum`.)
    pub fn new(max_lr: f64, total_steps: usize) -> Self {
        OneCycleLR {
            max_lr,
            total_steps,
            pct_start: 0.3,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }
}

fn cosine_anneal(start: f64, end: f64, pct: f64) -> f64 {
    end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0)
}

impl Schedule for OneCycleLR {
    fn lr_at(&self, _base: f64, t: usize) -> f64 {
        let initial = self.max_lr / self.div_factor;
        let min_lr = initial / self.final_div_factor;
        // Each phase lasts at least a step (PyTorch refuses a shorter one).
        let last = (self.total_steps as f64 - 1.0).max(2.0);
        let peak = (self.pct_start * self.total_steps as f64 - 1.0).clamp(1.0, last - 1.0);
        let t = (t as f64).min(last);
        if t <= peak {
            cosine_anneal(initial, self.max_lr, t / peak)
        } else {
            cosine_anneal(self.max_lr, min_lr, (t - peak) / (last - peak))
        }
    }
}

/// Applies a [`Schedule`] to an optimizer's groups.
#[derive(Debug, Clone)]
pub struct Scheduler<S: Schedule> {
    schedule: S,
    base_lrs: Vec<f64>,
    last_epoch: usize,
}

impl<S: Schedule> Scheduler<S> {
    /// Starts the schedule at step 0: the optimizer's current rates are the
    /// initial ones, and step 0's rates are set at once, as PyTorch does.
    pub fn new<M: Method>(optimizer: &mut Optimizer<M>, schedule: S) -> Self {
        let base_lrs = optimizer
            .param_groups()
            .iter()
            .map(|g| g.options.lr())
            .collect();
        let scheduler = Scheduler {
            schedule,
            base_lrs,
            last_epoch: 0,
        };
        scheduler.apply(optimizer);
        scheduler
    }

    fn apply<M: Method>(&self, optimizer: &mut Optimizer<M>) {
        for (i, base) in self.base_lrs.iter().enumerate() {
            let lr = self.schedule.lr_at(*base, self.last_epoch);
            if let Some(options) = optimizer.options_mut(i) {
                options.set_lr(lr);
            }
        }
    }

    /// Moves to the next step and sets each group's rate.
    pub fn step<M: Method>(&mut self, optimizer: &mut Optimizer<M>) {
        self.last_epoch += 1;
        self.apply(optimizer);
    }

    /// The rates of the current step, per group.
    pub fn last_lr(&self) -> Vec<f64> {
        self.base_lrs
            .iter()
            .map(|b| self.schedule.lr_at(*b, self.last_epoch))
            .collect()
    }

    /// The number of steps taken.
    pub fn last_epoch(&self) -> usize {
        self.last_epoch
    }
}
