//! Optimizers, as `torch.optim`: [`Sgd`], [`Adam`], [`AdamW`], [`RmsProp`]
//! and [`Adagrad`] over parameter groups, each step one call per group into
//! libtorch's fused kernels (foreach kernels for RMSprop), with the state
//! (`exp_avg`, `momentum_buffer`, ...) PyTorch keeps. Schedulers are in
//! [`lr_scheduler`].
//!
//! ```no_run
//! # fn main() -> flodl::Result<()> {
//! use flodl::{optim, Tensor, Variable};
//! let w = Variable::new(Tensor::randn(&[3], flodl::TensorOptions::default())?, true)?;
//! let mut opt = optim::Adam::new(vec![w.clone()], optim::AdamOptions { lr: 1e-2, ..Default::default() })?;
//! for _ in 0..10 {
//!     opt.zero_grad();
//!     w.mul(&w)?.sum()?.backward()?;
//!     opt.step()?;
//! }
//! # Ok(()) }
//! ```

pub mod lr_scheduler;

use std::fmt;

use crate::error::{bail, ensure, Result};
use crate::ffi::{OptimHyper, OptimMethod};
use crate::{Operand, Tensor, Variable};

/// Parameters that share options (a learning rate, ...).
#[derive(Debug, Clone)]
pub struct ParamGroup<O> {
    pub params: Vec<Variable>,
    pub options: O,
}

/// An update rule: its options and the state it keeps per parameter.
/// Its kernel methods speak the shim's private types, so only flodl
/// implements it (sealed), while everyone can use its optimizers.
#[allow(private_interfaces)]
pub trait Method: Clone + fmt::Debug {
    /// The optimizer's name, for errors.
    const NAME: &'static str;
    /// The names of the state tensors kept per parameter, as PyTorch's
    /// `optimizer.state[p]` keys.
    fn state_names(&self) -> Vec<&'static str>;
    /// The learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (what a scheduler does).
    fn set_lr(&mut self, lr: f64);
    /// PyTorch's checks of the options: an ArgumentError naming the bad one.
    fn check(&self) -> Result<()>;
    /// The state of a parameter before its first step, in
    /// [`state_names`](Self::state_names)'s order.
    fn initial_state(
        &self,
        param: &tch::Tensor,
    ) -> std::result::Result<Vec<tch::Tensor>, tch::TchError>;
    /// The kernel and its hyperparameters; `first` is true on a group's
    /// first step.
    fn kernel(&self, first: bool) -> (OptimMethod, OptimHyper);
    /// Where each state tensor goes in the kernel's lists (2.. after params
    /// and grads).
    fn slots(&self) -> Vec<usize>;
}

/// An optimizer over parameter groups with the update rule `M`.
#[derive(Debug)]
pub struct Optimizer<M: Method> {
    groups: Vec<ParamGroup<M>>,
    /// Per group, per parameter: its state once it has taken a step.
    state: Vec<Vec<Option<Vec<tch::Tensor>>>>,
}

/// Stochastic gradient descent (momentum, Nesterov, weight decay).
pub type Sgd = Optimizer<SgdOptions>;
/// Adam (L2 weight decay added to the gradient).
pub type Adam = Optimizer<AdamOptions>;
/// AdamW: Adam with decoupled weight decay.
pub type AdamW = Optimizer<AdamWOptions>;
/// RMSprop (centered, momentum).
pub type RmsProp = Optimizer<RmsPropOptions>;
/// Adagrad.
pub type Adagrad = Optimizer<AdagradOptions>;

impl<M: Method> Optimizer<M> {
    /// An optimizer of one group: `params` with `options`. Each parameter
    /// must be a leaf that requires grad, and appear once.
    pub fn new(params: impl IntoIterator<Item = Variable>, options: M) -> Result<Self> {
        let mut optimizer = Optimizer {
            groups: Vec::new(),
            state: Vec::new(),
        };
        optimizer.add_param_group(params, options)?;
        Ok(optimizer)
    }

    /// Adds a group of parameters with their own options.
    pub fn add_param_group(
        &mut self,
        params: impl IntoIterator<Item = Variable>,
        options: M,
    ) -> Result<()> {
        let name = M::NAME;
        options.check()?;
        let params: Vec<Variable> = params.into_iter().collect();
        ensure!(
            !params.is_empty(),
            Argument,
            "{name}: got an empty parameter list"
        );
        let mut seen: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|g| g.params.iter().map(|p| crate::ffi::impl_id(p.raw())))
            .collect();
        for (i, p) in params.iter().enumerate() {
            if !p.is_leaf() || !p.requires_grad() {
                bail!(
                    Argument,
                    "{name}: parameter {i} ({}) is not a leaf that requires grad (an optimizer can only update leaves)",
                    crate::ops::describe(p.raw())
                );
            }
            let id = crate::ffi::impl_id(p.raw());
            ensure!(
                !seen.contains(&id),
                Argument,
                "{name}: parameter {i} ({}) appears more than once",
                crate::ops::describe(p.raw())
            );
            seen.push(id);
        }
        self.state.push(params.iter().map(|_| None).collect());
        self.groups.push(ParamGroup { params, options });
        Ok(())
    }

    /// The parameter groups.
    pub fn param_groups(&self) -> &[ParamGroup<M>] {
        &self.groups
    }

    /// The options of group `i`, to change (a learning rate, ...).
    pub fn options_mut(&mut self, group: usize) -> Option<&mut M> {
        self.groups.get_mut(group).map(|g| &mut g.options)
    }

    /// The learning rate of the first group.
    pub fn lr(&self) -> f64 {
        self.groups[0].options.lr()
    }

    /// Sets every group's learning rate.
    pub fn set_lr(&mut self, lr: f64) {
        for group in &mut self.groups {
            group.options.set_lr(lr);
        }
    }

    /// Resets every parameter's gradient to `None`.
    pub fn zero_grad(&self) {
        for p in self.groups.iter().flat_map(|g| &g.params) {
            p.zero_grad();
        }
    }

    /// One update of every parameter that has a gradient.
    pub fn step(&mut self) -> Result<()> {
        for (group, states) in self.groups.iter().zip(&mut self.state) {
            let options = &group.options;
            let mut params = Vec::with_capacity(group.params.len());
            let mut grads = Vec::with_capacity(group.params.len());
            let mut first = true;
            let mut with_grad = Vec::with_capacity(group.params.len());
            for (i, p) in group.params.iter().enumerate() {
                if let Some(g) = p.grad() {
                    first &= states[i].is_none();
                    params.push(p.raw());
                    grads.push(g);
                    with_grad.push(i);
                }
            }
            for &i in &with_grad {
                if states[i].is_none() {
                    let param = group.params[i].raw();
                    let initial = options.initial_state(param).map_err(|e| {
                        crate::Error::new(crate::ErrorKind::Argument, format!("{}: {e}", M::NAME))
                    })?;
                    states[i] = Some(initial);
                }
            }
            let grads: Vec<&tch::Tensor> = grads.iter().map(Operand::raw).collect();
            let mut lists: [Vec<&tch::Tensor>; 6] = Default::default();
            lists[0] = params;
            lists[1] = grads;
            for (k, slot) in options.slots().into_iter().enumerate() {
                lists[slot] = with_grad
                    .iter()
                    .filter_map(|&i| states[i].as_ref().and_then(|s| s.get(k)))
                    .collect();
            }
            let (method, hyper) = options.kernel(first);
            let refs: [&[&tch::Tensor]; 6] = std::array::from_fn(|i| lists[i].as_slice());
            crate::ops::run_opt::<(), (), _>(M::NAME, &[], || {
                crate::ffi::optim_step(method, refs, &hyper)
            })?;
        }
        Ok(())
    }

    /// The state of `param` (by name, as PyTorch's `optimizer.state[p]`),
    /// empty before its first step or for a parameter not in this optimizer.
    pub fn state(&self, param: &Variable) -> Vec<(&'static str, Tensor)> {
        let id = crate::ffi::impl_id(param.raw());
        for (group, states) in self.groups.iter().zip(&self.state) {
            for (p, state) in group.params.iter().zip(states) {
                if crate::ffi::impl_id(p.raw()) == id {
                    let names = group.options.state_names();
                    return match state {
                        Some(tensors) => names
                            .into_iter()
                            .zip(tensors)
                            .map(|(n, t)| (n, Tensor::from_raw(t.shallow_clone())))
                            .collect(),
                        None => Vec::new(),
                    };
                }
            }
        }
        Vec::new()
    }
}

fn check_non_negative(name: &str, what: &str, value: f64) -> Result<()> {
    // NaN compares to nothing, so it is rejected too.
    ensure!(
        value.partial_cmp(&0.0).is_some_and(|o| o.is_ge()),
        Argument,
        "{name}: invalid {what}: {value} (must be >= 0)"
    );
    Ok(())
}

fn flag(b: bool) -> i32 {
    i32::from(b)
}

/// A step counter as the fused kernels want it: a float32 scalar on the
/// parameter's device.
fn step_counter(param: &tch::Tensor) -> std::result::Result<tch::Tensor, tch::TchError> {
    tch::Tensor::f_zeros([], (tch::Kind::Float, param.device()))
}

/// The options of [`Sgd`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SgdOptions {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub maximize: bool,
}

impl Default for SgdOptions {
    fn default() -> Self {
        SgdOptions {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
        }
    }
}

impl Method for SgdOptions {
    const NAME: &'static str = "SGD";
    fn state_names(&self) -> Vec<&'static str> {
        if self.momentum != 0.0 {
            vec!["momentum_buffer"]
        } else {
            Vec::new()
        }
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        check_non_negative(Self::NAME, "momentum value", self.momentum)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)?;
        ensure!(
            !self.nesterov || (self.momentum > 0.0 && self.dampening == 0.0),
            Argument,
            "SGD: Nesterov momentum requires a momentum and zero dampening"
        );
        Ok(())
    }
    fn initial_state(
        &self,
        param: &tch::Tensor,
    ) -> std::result::Result<Vec<tch::Tensor>, tch::TchError> {
        if self.momentum != 0.0 {
            Ok(vec![param.f_zeros_like()?])
        } else {
            Ok(Vec::new())
        }
    }
    #[allow(private_interfaces)]
    fn kernel(&self, first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            momentum: self.momentum,
            dampening: self.dampening,
            weight_decay: self.weight_decay,
            nesterov: flag(self.nesterov),
            maximize: flag(self.maximize),
            is_first_step: flag(first && self.momentum != 0.0),
            ..Default::default()
        };
        (OptimMethod::Sgd, hyper)
    }
    fn slots(&self) -> Vec<usize> {
        vec![2]
    }
}

/// The options of [`Adam`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamOptions {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    pub maximize: bool,
}

impl Default for AdamOptions {
    fn default() -> Self {
        AdamOptions {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
        }
    }
}

/// The options of [`AdamW`], with PyTorch's defaults (weight decay 0.01).
#[derive(Debug, Clone, PartialEq)]
pub struct AdamWOptions {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    pub maximize: bool,
}

impl Default for AdamWOptions {
    fn default() -> Self {
        AdamWOptions {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
            maximize: false,
        }
    }
}

/// Adam and AdamW differ only in where the weight decay goes.
macro_rules! adam_method {
    ($options:ident, $name:literal, $decoupled:literal) => {
        impl Method for $options {
            const NAME: &'static str = $name;
            fn state_names(&self) -> Vec<&'static str> {
                let mut names = vec!["step", "exp_avg", "exp_avg_sq"];
                if self.amsgrad {
                    names.push("max_exp_avg_sq");
                }
                names
            }
            fn lr(&self) -> f64 {
                self.lr
            }
            fn set_lr(&mut self, lr: f64) {
                self.lr = lr;
            }
            fn check(&self) -> Result<()> {
                check_non_negative(Self::NAME, "learning rate", self.lr)?;
                check_non_negative(Self::NAME, "epsilon value", self.eps)?;
                check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)?;
                for (i, beta) in [self.betas.0, self.betas.1].into_iter().enumerate() {
                    ensure!(
                        (0.0..1.0).contains(&beta),
                        Argument,
                        "{}: invalid beta parameter at index {i}: {beta} (must be in [0, 1))",
                        Self::NAME
                    );
                }
                Ok(())
            }
            fn initial_state(
                &self,
                param: &tch::Tensor,
            ) -> std::result::Result<Vec<tch::Tensor>, tch::TchError> {
                let mut state = vec![
                    step_counter(param)?,
                    param.f_zeros_like()?,
                    param.f_zeros_like()?,
                ];
                if self.amsgrad {
                    state.push(param.f_zeros_like()?);
                }
                Ok(state)
            }
            #[allow(private_interfaces)]
            fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
                let hyper = OptimHyper {
                    lr: self.lr,
                    beta1: self.betas.0,
                    beta2: self.betas.1,
                    eps: self.eps,
                    weight_decay: self.weight_decay,
                    amsgrad: flag(self.amsgrad),
                    maximize: flag(self.maximize),
                    decoupled: flag($decoupled),
                    ..Default::default()
                };
                (OptimMethod::Adam, hyper)
            }
            fn slots(&self) -> Vec<usize> {
                vec![5, 2, 3, 4]
            }
        }
    };
}

adam_method!(AdamOptions, "Adam", false);
adam_method!(AdamWOptions, "AdamW", true);

/// The options of [`RmsProp`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RmsPropOptions {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub centered: bool,
    pub maximize: bool,
}

impl Default for RmsPropOptions {
    fn default() -> Self {
        RmsPropOptions {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
        }
    }
}

impl Method for RmsPropOptions {
    const NAME: &'static str = "RMSprop";
    fn state_names(&self) -> Vec<&'static str> {
        let mut names = vec!["step", "square_avg"];
        if self.momentum > 0.0 {
            names.push("momentum_buffer");
        }
        if self.centered {
            names.push("grad_avg");
        }
        names
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        check_non_negative(Self::NAME, "epsilon value", self.eps)?;
        check_non_negative(Self::NAME, "momentum value", self.momentum)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)?;
        check_non_negative(Self::NAME, "alpha value", self.alpha)
    }
    fn initial_state(
        &self,
        param: &tch::Tensor,
    ) -> std::result::Result<Vec<tch::Tensor>, tch::TchError> {
        let mut state = vec![step_counter(param)?, param.f_zeros_like()?];
        if self.momentum > 0.0 {
            state.push(param.f_zeros_like()?);
        }
        if self.centered {
            state.push(param.f_zeros_like()?);
        }
        Ok(state)
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            alpha: self.alpha,
            eps: self.eps,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            centered: flag(self.centered),
            maximize: flag(self.maximize),
            ..Default::default()
        };
        (OptimMethod::Rmsprop, hyper)
    }
    fn slots(&self) -> Vec<usize> {
        let mut slots = vec![5, 2];
        if self.momentum > 0.0 {
            slots.push(4);
        }
        if self.centered {
            slots.push(3);
        }
        slots
    }
}

/// The options of [`Adagrad`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AdagradOptions {
    pub lr: f64,
    pub lr_decay: f64,
    pub weight_decay: f64,
    pub initial_accumulator_value: f64,
    pub eps: f64,
    pub maximize: bool,
}

impl Default for AdagradOptions {
    fn default() -> Self {
        AdagradOptions {
            lr: 1e-2,
            lr_decay: 0.0,
            weight_decay: 0.0,
            initial_accumulator_value: 0.0,
            eps: 1e-10,
            maximize: false,
        }
    }
}

impl Method for AdagradOptions {
    const NAME: &'static str = "Adagrad";
    fn state_names(&self) -> Vec<&'static str> {
        vec!["step", "sum"]
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        check_non_negative(Self::NAME, "lr_decay value", self.lr_decay)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)?;
        check_non_negative(
            Self::NAME,
            "initial_accumulator_value",
            self.initial_accumulator_value,
        )?;
        check_non_negative(Self::NAME, "epsilon value", self.eps)
    }
    fn initial_state(
        &self,
        param: &tch::Tensor,
    ) -> std::result::Result<Vec<tch::Tensor>, tch::TchError> {
        let sum = param.f_full_like(self.initial_accumulator_value)?;
        Ok(vec![step_counter(param)?, sum])
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            lr_decay: self.lr_decay,
            weight_decay: self.weight_decay,
            eps: self.eps,
            maximize: flag(self.maximize),
            ..Default::default()
        };
        (OptimMethod::Adagrad, hyper)
    }
    fn slots(&self) -> Vec<usize> {
        vec![3, 2]
    }
}

/// Scales the gradients of `params` in place so that their joint
/// `norm_type`-norm (`f64::INFINITY`: the largest magnitude) is at most
/// `max_norm`, as `torch.nn.utils.clip_grad_norm_`; returns the norm before
/// scaling. A non-finite norm is an Argument error with `error_if_nonfinite`.
pub fn clip_grad_norm_(
    params: &[Variable],
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> Result<Tensor> {
    let grads: Vec<Tensor> = params.iter().filter_map(Variable::grad).collect();
    let raws: Vec<&tch::Tensor> = grads.iter().map(Operand::raw).collect();
    crate::ops::run_opt("clip_grad_norm_", &[], || {
        crate::ffi::clip_grad_norm(&raws, max_norm, norm_type, error_if_nonfinite)
    })
}

/// Clamps every gradient of `params` into `[-clip_value, clip_value]`, in
/// place, as `torch.nn.utils.clip_grad_value_`.
pub fn clip_grad_value_(params: &[Variable], clip_value: f64) -> Result<()> {
    for grad in params.iter().filter_map(Variable::grad) {
        grad.clamp_(-clip_value, clip_value)?;
    }
    Ok(())
}
