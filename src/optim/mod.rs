//! Optimizers, as `torch.optim`: [`SGD`], [`Adam`], [`AdamW`], [`RMSprop`]
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

/// One state tensor an update rule keeps per parameter: its name
/// (PyTorch's `optimizer.state[p]` key), the list it fills in the kernel
/// call (after params and grads) and how it starts. The shim checks the
/// same lists (`like_param`, `steps_list` in shim.cpp).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateSlot {
    pub name: &'static str,
    list: usize,
    start: Start,
}

/// How a state tensor starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// Zeros like the parameter.
    Zeros,
    /// This value everywhere, like the parameter.
    Fill(f64),
    /// A step counter: a float32 zero on the parameter's device.
    Step,
}

impl StateSlot {
    const fn new(name: &'static str, list: usize, start: Start) -> Self {
        StateSlot { name, list, start }
    }

    fn make(&self, param: &tch::Tensor) -> std::result::Result<tch::Tensor, tch::TchError> {
        match self.start {
            Start::Zeros => param.f_zeros_like(),
            Start::Fill(value) => param.f_full_like(value),
            Start::Step => tch::Tensor::f_zeros([], (tch::Kind::Float, param.device())),
        }
    }
}

/// An update rule: its options and the state it keeps per parameter.
/// Its kernel method speaks the shim's private types, so only flodl
/// implements it (sealed), while everyone can use its optimizers.
#[allow(private_interfaces)]
pub trait Method: Clone + fmt::Debug {
    /// The optimizer's name, for errors.
    const NAME: &'static str;
    /// The learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (what a scheduler does).
    fn set_lr(&mut self, lr: f64);
    /// PyTorch's checks of the options: an ArgumentError naming the bad one.
    fn check(&self) -> Result<()>;
    /// The state kept per parameter with these options (a state tensor an
    /// option turns on later is made when it is first needed).
    fn state_layout(&self) -> Vec<StateSlot>;
    /// The kernel and its hyperparameters; `first` is true for parameters
    /// taking their first step (SGD's momentum starts at the gradient).
    fn kernel(&self, first: bool) -> (OptimMethod, OptimHyper);
}

/// An optimizer over parameter groups with the update rule `M`.
#[derive(Debug)]
pub struct Optimizer<M: Method> {
    groups: Vec<ParamGroup<M>>,
    /// Per group, per parameter: its named state tensors.
    state: Vec<Vec<Vec<(&'static str, tch::Tensor)>>>,
}

/// Stochastic gradient descent (momentum, Nesterov, weight decay).
pub type SGD = Optimizer<SGDOptions>;
/// Adam (L2 weight decay added to the gradient).
pub type Adam = Optimizer<AdamOptions>;
/// AdamW: Adam with decoupled weight decay.
pub type AdamW = Optimizer<AdamWOptions>;
/// RMSprop (centered, momentum).
pub type RMSprop = Optimizer<RMSpropOptions>;
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
            if !p.is_leaf() {
                bail!(
                    Argument,
                    "{name}: parameter {i} ({}) is not a leaf (an optimizer can only update leaves)",
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
        self.state.push(params.iter().map(|_| Vec::new()).collect());
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
            let layout = options.state_layout();
            // The parameters with a gradient, and whether their state is new.
            let mut members: Vec<(usize, Tensor, bool)> = Vec::with_capacity(group.params.len());
            for (i, p) in group.params.iter().enumerate() {
                let Some(grad) = p.grad() else { continue };
                let state = &mut states[i];
                let mut fresh = false;
                for slot in &layout {
                    if !state.iter().any(|(n, _)| *n == slot.name) {
                        let tensor = slot.make(p.raw()).map_err(|e| {
                            crate::Error::new(
                                crate::ErrorKind::Argument,
                                format!("{}: {e}", M::NAME),
                            )
                        })?;
                        state.push((slot.name, tensor));
                        fresh = true;
                    }
                }
                members.push((i, grad, fresh));
            }
            // First steps and later ones in separate calls (SGD's momentum
            // buffer starts differently); usually only one of them runs.
            for first in [true, false] {
                let chosen: Vec<&(usize, Tensor, bool)> =
                    members.iter().filter(|m| m.2 == first).collect();
                if chosen.is_empty() {
                    continue;
                }
                let mut lists: [Vec<&tch::Tensor>; 6] = Default::default();
                lists[0] = chosen.iter().map(|m| group.params[m.0].raw()).collect();
                lists[1] = chosen.iter().map(|m| m.1.raw()).collect();
                for slot in &layout {
                    lists[slot.list] = chosen
                        .iter()
                        .filter_map(|m| states[m.0].iter().find(|(n, _)| *n == slot.name))
                        .map(|(_, t)| t)
                        .collect();
                }
                let (method, hyper) = options.kernel(first);
                let refs: [&[&tch::Tensor]; 6] = std::array::from_fn(|i| lists[i].as_slice());
                crate::ops::run_opt::<(), (), _>(M::NAME, &[], || {
                    crate::ffi::optim_step(method, refs, &hyper)
                })?;
            }
        }
        Ok(())
    }

    /// Every parameter's state as named tensors, `state.<i>.<name>` with
    /// `i` the parameter's position across the groups (PyTorch's numbering),
    /// sharing memory: what `flodl::io::save` writes for a checkpoint. The
    /// options are code, not state: the resumed optimizer is built with them.
    pub fn state_dict(&self) -> Vec<(String, Tensor)> {
        self.state
            .iter()
            .flatten()
            .enumerate()
            .flat_map(|(i, state)| {
                state.iter().map(move |(name, t)| {
                    (
                        format!("state.{i}.{name}"),
                        Tensor::from_raw(t.shallow_clone()),
                    )
                })
            })
            .collect()
    }

    /// Loads a [`state_dict`](Self::state_dict) (copies, onto each
    /// parameter's device), so that stepping on continues as the saved
    /// optimizer would have. Unknown names and wrong shapes are one Argument
    /// error listing them, and then nothing is loaded.
    pub fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<()> {
        let name = M::NAME;
        // (group, position in group) of each parameter, in PyTorch's order.
        let places: Vec<(usize, usize)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| (0..group.params.len()).map(move |i| (g, i)))
            .collect();
        let mut problems = Vec::new();
        let mut loads = Vec::new();
        for (key, tensor) in state {
            let parsed = key
                .strip_prefix("state.")
                .and_then(|rest| rest.split_once('.'));
            let Some((index, entry)) =
                parsed.and_then(|(i, e)| Some((i.parse::<usize>().ok()?, e)))
            else {
                problems.push(format!("{key:?} is not state.<index>.<name>"));
                continue;
            };
            let Some(&(g, i)) = places.get(index) else {
                problems.push(format!("{key:?}: there are {} parameters", places.len()));
                continue;
            };
            let group = &self.groups[g];
            let Some(slot) = group
                .options
                .state_layout()
                .into_iter()
                .find(|s| s.name == entry)
            else {
                problems.push(format!(
                    "{key:?}: {name} keeps no {entry:?} with these options"
                ));
                continue;
            };
            let param = &group.params[i];
            let expected = if slot.start == Start::Step {
                Vec::new()
            } else {
                param.shape()
            };
            if tensor.shape() != expected {
                problems.push(format!(
                    "{key:?} expected {expected:?}, got {:?}",
                    tensor.shape()
                ));
                continue;
            }
            loads.push((g, i, slot, tensor));
        }
        if !problems.is_empty() {
            bail!(Argument, "{name}.load_state_dict: {}", problems.join("; "));
        }
        for (g, i, slot, tensor) in loads {
            let param = self.groups[g].params[i].raw();
            // The kernels' layout: a fresh state tensor like the parameter's,
            // then the saved values copied in (cast and moved as needed).
            let target = slot
                .make(param)
                .map_err(|e| crate::Error::from_torch(name, "", e))?;
            let mut copy = target.shallow_clone();
            copy.f_copy_(tensor.raw())
                .map_err(|e| crate::Error::from_torch(name, "", e))?;
            let entries = &mut self.state[g][i];
            entries.retain(|(n, _)| *n != slot.name);
            entries.push((slot.name, target));
        }
        Ok(())
    }

    /// The state of `param` (by name, as PyTorch's `optimizer.state[p]`),
    /// empty before its first step or for a parameter not in this optimizer.
    pub fn state(&self, param: &Variable) -> Vec<(&'static str, Tensor)> {
        let id = crate::ffi::impl_id(param.raw());
        let params = self.groups.iter().flat_map(|g| &g.params);
        params
            .zip(self.state.iter().flatten())
            .find(|(p, _)| crate::ffi::impl_id(p.raw()) == id)
            .map(|(_, state)| {
                state
                    .iter()
                    .map(|(n, t)| (*n, Tensor::from_raw(t.shallow_clone())))
                    .collect()
            })
            .unwrap_or_default()
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

/// The options of [`SGD`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SGDOptions {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub maximize: bool,
}

impl Default for SGDOptions {
    fn default() -> Self {
        SGDOptions {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
        }
    }
}

impl Method for SGDOptions {
    const NAME: &'static str = "SGD";
    fn state_layout(&self) -> Vec<StateSlot> {
        if self.momentum != 0.0 {
            vec![StateSlot::new("momentum_buffer", 2, Start::Zeros)]
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
            fn state_layout(&self) -> Vec<StateSlot> {
                let mut layout = vec![
                    StateSlot::new("step", 5, Start::Step),
                    StateSlot::new("exp_avg", 2, Start::Zeros),
                    StateSlot::new("exp_avg_sq", 3, Start::Zeros),
                ];
                if self.amsgrad {
                    layout.push(StateSlot::new("max_exp_avg_sq", 4, Start::Zeros));
                }
                layout
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
        }
    };
}

adam_method!(AdamOptions, "Adam", false);
adam_method!(AdamWOptions, "AdamW", true);

/// The options of [`RMSprop`], with PyTorch's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RMSpropOptions {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub centered: bool,
    pub maximize: bool,
}

impl Default for RMSpropOptions {
    fn default() -> Self {
        RMSpropOptions {
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

impl Method for RMSpropOptions {
    const NAME: &'static str = "RMSprop";
    fn state_layout(&self) -> Vec<StateSlot> {
        let mut layout = vec![
            StateSlot::new("step", 5, Start::Step),
            StateSlot::new("square_avg", 2, Start::Zeros),
        ];
        if self.momentum > 0.0 {
            layout.push(StateSlot::new("momentum_buffer", 4, Start::Zeros));
        }
        if self.centered {
            layout.push(StateSlot::new("grad_avg", 3, Start::Zeros));
        }
        layout
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
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::new("step", 3, Start::Step),
            StateSlot::new("sum", 2, Start::Fill(self.initial_accumulator_value)),
        ]
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
}
