//! The update rules: one options struct per optimizer (PyTorch's names and
//! defaults, declared once by `options!`, which also gives its
//! hyperparameters as PyTorch's param-group entries), the checks PyTorch
//! makes of them, the state each keeps and the kernel it calls.

use super::{Options, StateSlot};
use crate::error::{ensure, Result};
use crate::ffi::{OptimHyper, OptimMethod};
use crate::Value;

/// The Rust type of an option, read from and written as a param-group
/// entry ([`Value`]).
pub trait OptionValue: Sized {
    /// What the entry must be, for errors.
    const EXPECTED: &'static str;
    fn to_value(&self) -> Value;
    fn from_value(value: &Value) -> Option<Self>;
}

impl OptionValue for f64 {
    const EXPECTED: &'static str = "a number";
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        number(value)
    }
}

/// A number option: a number, or a 0-d tensor standing for one
/// (`lr=torch.tensor(1e-3)`, as PyTorch takes it).
fn number(value: &Value) -> Option<f64> {
    match value.as_tensor() {
        Some(t) if t.ndim() == 0 => t.item().ok(),
        _ => value.as_f64(),
    }
}

impl OptionValue for bool {
    const EXPECTED: &'static str = "a bool";
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl OptionValue for (f64, f64) {
    const EXPECTED: &'static str = "a pair of numbers";
    fn to_value(&self) -> Value {
        Value::Tuple(vec![Value::Float(self.0), Value::Float(self.1)])
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value.items()? {
            [a, b] => Some((number(a)?, number(b)?)),
            _ => None,
        }
    }
}

impl OptionValue for usize {
    const EXPECTED: &'static str = "an int >= 0";
    fn to_value(&self) -> Value {
        Value::Int(*self as i64)
    }
    fn from_value(value: &Value) -> Option<Self> {
        // A whole float counts, as in PyTorch (`StepLR(opt, 1.0)`).
        usize::try_from(value.as_count()?).ok()
    }
}

impl OptionValue for Option<usize> {
    const EXPECTED: &'static str = "an int >= 0 or None";
    fn to_value(&self) -> Value {
        self.map_or(Value::None, |n| n.to_value())
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::None => Some(None),
            other => usize::from_value(other).map(Some),
        }
    }
}

impl OptionValue for Option<bool> {
    const EXPECTED: &'static str = "a bool or None";
    fn to_value(&self) -> Value {
        self.map_or(Value::None, Value::Bool)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::None => Some(None),
            other => bool::from_value(other).map(Some),
        }
    }
}

/// The shim's choice of kernel for PyTorch's `fused` option (see
/// `OptimHyper::fused`).
fn fused_choice(fused: Option<bool>) -> i32 {
    match fused {
        None => 0,
        Some(true) => 1,
        Some(false) => -1,
    }
}

impl OptionValue for Option<String> {
    const EXPECTED: &'static str = "a string or None";
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::None, |s| Value::Str(s.clone()))
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::None => Some(None),
            Value::Str(s) => Some(Some(s.clone())),
            _ => None,
        }
    }
}

impl OptionValue for Vec<f64> {
    const EXPECTED: &'static str = "a list of numbers";
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(|&x| Value::Float(x)).collect())
    }
    fn from_value(value: &Value) -> Option<Self> {
        value.items()?.iter().map(Value::as_f64).collect()
    }
}

/// Declares an optimizer's options: the struct, PyTorch's defaults, and the
/// conversion to and from param-group entries named as the fields.
macro_rules! options {
    ($(#[$doc:meta])* $options:ident $name:literal {
        $($(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr,)*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $options {
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl Default for $options {
            fn default() -> Self {
                $options { $($field: $default,)* }
            }
        }

        impl Options for $options {
            const NAME: &'static str = $name;
            fn lr(&self) -> f64 {
                self.lr
            }
            fn set_lr(&mut self, lr: f64) {
                self.lr = lr;
            }
            fn to_values(&self) -> Vec<(&'static str, Value)> {
                vec![$((stringify!($field), OptionValue::to_value(&self.$field)),)*]
            }
            fn set(&mut self, name: &str, value: &Value) -> Result<bool> {
                match name {
                    $(stringify!($field) => {
                        self.$field = OptionValue::from_value(value).ok_or_else(|| {
                            crate::Error::new(
                                crate::ErrorKind::Argument,
                                format!(
                                    "{}: option {name:?} must be {}, got {}",
                                    $name,
                                    <$ty as OptionValue>::EXPECTED,
                                    value.kind()
                                ),
                            )
                        })?;
                    })*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

pub(super) use options;

pub(super) fn check_non_negative(name: &str, what: &str, value: f64) -> Result<()> {
    // NaN compares to nothing, so it is rejected too.
    ensure!(
        value.partial_cmp(&0.0).is_some_and(|o| o.is_ge()),
        Argument,
        "{name}: invalid {what}: {value} (must be >= 0)"
    );
    Ok(())
}

fn check_betas(name: &str, (beta1, beta2): (f64, f64)) -> Result<()> {
    for (i, beta) in [beta1, beta2].into_iter().enumerate() {
        ensure!(
            (0.0..1.0).contains(&beta),
            Argument,
            "{name}: invalid beta parameter at index {i}: {beta} (must be in [0, 1))"
        );
    }
    Ok(())
}

fn flag(b: bool) -> i32 {
    i32::from(b)
}

/// PyTorch's checks of the options the Adam family shares.
fn check_adam_like(
    name: &str,
    lr: f64,
    eps: f64,
    betas: (f64, f64),
    weight_decay: f64,
) -> Result<()> {
    check_non_negative(name, "learning rate", lr)?;
    check_non_negative(name, "epsilon value", eps)?;
    check_betas(name, betas)?;
    check_non_negative(name, "weight_decay value", weight_decay)
}

/// The kernel hyperparameters the Adam family shares.
fn adam_like_hyper(
    lr: f64,
    (beta1, beta2): (f64, f64),
    eps: f64,
    weight_decay: f64,
    maximize: bool,
) -> OptimHyper {
    OptimHyper {
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        maximize: flag(maximize),
        ..Default::default()
    }
}

/// An update rule: its options' checks, the state it keeps per parameter
/// and its kernel. The kernel speaks the shim's private types, so only
/// flodl implements it (sealed), while everyone can use its optimizers.
#[allow(private_interfaces)]
pub trait Method: Options {
    /// PyTorch's checks of the options: an ArgumentError naming the bad one.
    fn check(&self) -> Result<()>;
    /// The state kept per parameter with these options (a state tensor an
    /// option turns on later is made when it is first needed).
    fn state_layout(&self) -> Vec<StateSlot>;
    /// Whether the state is made when a parameter joins the optimizer (as
    /// torch's Adagrad does), not at its first step.
    fn eager_state(&self) -> bool {
        false
    }
    /// The kernel and its hyperparameters; `first` is true for parameters
    /// taking their first step (SGD's momentum starts at the gradient).
    fn kernel(&self, first: bool) -> (OptimMethod, OptimHyper);
    /// Whether a step runs a fused kernel, which folds GradScaler's
    /// unscaling and inf skip into itself.
    fn folds_scaling(&self) -> bool {
        self.kernel(false).0.is_fused()
    }
}

options! {
    /// The options of [`SGD`](super::SGD), with PyTorch's defaults.
    SGDOptions "SGD" {
        lr: f64 = 1e-3,
        momentum: f64 = 0.0,
        dampening: f64 = 0.0,
        weight_decay: f64 = 0.0,
        nesterov: bool = false,
        maximize: bool = false,
        /// `Some(true)`: libtorch's fused kernel; `Some(false)`: torch's
        /// single-tensor rule (torch.optim's default numbers); None (the
        /// default): fused on CUDA only.
        fused: Option<bool> = None,
    }
}

impl Method for SGDOptions {
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
    fn state_layout(&self) -> Vec<StateSlot> {
        if self.momentum != 0.0 {
            vec![StateSlot::zeros("momentum_buffer", 2)]
        } else {
            Vec::new()
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
            fused: fused_choice(self.fused),
            ..Default::default()
        };
        (OptimMethod::Sgd, hyper)
    }
}

options! {
    /// The options of [`Adam`](super::Adam), with PyTorch's defaults;
    /// `decoupled_weight_decay` makes it AdamW.
    AdamOptions "Adam" {
        lr: f64 = 1e-3,
        betas: (f64, f64) = (0.9, 0.999),
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        amsgrad: bool = false,
        maximize: bool = false,
        decoupled_weight_decay: bool = false,
        /// `Some(true)`: libtorch's fused kernel; `Some(false)`: torch's
        /// single-tensor rule (torch.optim's default numbers); None (the
        /// default): fused on CUDA only.
        fused: Option<bool> = None,
    }
}

options! {
    /// The options of [`AdamW`](super::AdamW), with PyTorch's defaults
    /// (weight decay 0.01, decoupled).
    AdamWOptions "AdamW" {
        lr: f64 = 1e-3,
        betas: (f64, f64) = (0.9, 0.999),
        eps: f64 = 1e-8,
        weight_decay: f64 = 1e-2,
        amsgrad: bool = false,
        maximize: bool = false,
        decoupled_weight_decay: bool = true,
        /// `Some(true)`: libtorch's fused kernel; `Some(false)`: torch's
        /// single-tensor rule (torch.optim's default numbers); None (the
        /// default): fused on CUDA only.
        fused: Option<bool> = None,
    }
}

/// Adam and AdamW differ only in their defaults.
macro_rules! adam_method {
    ($options:ident) => {
        impl Method for $options {
            fn check(&self) -> Result<()> {
                check_adam_like(Self::NAME, self.lr, self.eps, self.betas, self.weight_decay)
            }
            fn state_layout(&self) -> Vec<StateSlot> {
                let mut layout = vec![
                    StateSlot::counter("step", 5, 0.0),
                    StateSlot::zeros("exp_avg", 2),
                    StateSlot::zeros("exp_avg_sq", 3),
                ];
                if self.amsgrad {
                    layout.push(StateSlot::zeros("max_exp_avg_sq", 4));
                }
                layout
            }
            #[allow(private_interfaces)]
            fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
                let hyper = OptimHyper {
                    amsgrad: flag(self.amsgrad),
                    decoupled: flag(self.decoupled_weight_decay),
                    fused: fused_choice(self.fused),
                    ..adam_like_hyper(
                        self.lr,
                        self.betas,
                        self.eps,
                        self.weight_decay,
                        self.maximize,
                    )
                };
                (OptimMethod::Adam, hyper)
            }
        }
    };
}

adam_method!(AdamOptions);
adam_method!(AdamWOptions);

options! {
    /// The options of [`RMSprop`](super::RMSprop), with PyTorch's defaults.
    RMSpropOptions "RMSprop" {
        lr: f64 = 1e-2,
        alpha: f64 = 0.99,
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        momentum: f64 = 0.0,
        centered: bool = false,
        maximize: bool = false,
    }
}

impl Method for RMSpropOptions {
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        check_non_negative(Self::NAME, "epsilon value", self.eps)?;
        check_non_negative(Self::NAME, "momentum value", self.momentum)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)?;
        check_non_negative(Self::NAME, "alpha value", self.alpha)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        let mut layout = vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::zeros("square_avg", 2),
        ];
        if self.momentum > 0.0 {
            layout.push(StateSlot::zeros("momentum_buffer", 4));
        }
        if self.centered {
            layout.push(StateSlot::zeros("grad_avg", 3));
        }
        layout
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

options! {
    /// The options of [`Adagrad`](super::Adagrad), with PyTorch's defaults.
    AdagradOptions "Adagrad" {
        lr: f64 = 1e-2,
        lr_decay: f64 = 0.0,
        weight_decay: f64 = 0.0,
        initial_accumulator_value: f64 = 0.0,
        eps: f64 = 1e-10,
        maximize: bool = false,
        /// `Some(true)`: libtorch's fused kernel; `Some(false)`: torch's
        /// single-tensor rule (torch.optim's default numbers); None (the
        /// default): fused on CUDA only.
        fused: Option<bool> = None,
    }
}

impl Method for AdagradOptions {
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
    fn eager_state(&self) -> bool {
        true
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 3, 0.0),
            StateSlot::filled("sum", 2, self.initial_accumulator_value),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            lr_decay: self.lr_decay,
            weight_decay: self.weight_decay,
            eps: self.eps,
            maximize: flag(self.maximize),
            fused: fused_choice(self.fused),
            ..Default::default()
        };
        (OptimMethod::Adagrad, hyper)
    }
}

options! {
    /// The options of [`Adadelta`](super::Adadelta), with PyTorch's defaults.
    AdadeltaOptions "Adadelta" {
        lr: f64 = 1.0,
        rho: f64 = 0.9,
        eps: f64 = 1e-6,
        weight_decay: f64 = 0.0,
        maximize: bool = false,
    }
}

impl Method for AdadeltaOptions {
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        ensure!(
            (0.0..=1.0).contains(&self.rho),
            Argument,
            "Adadelta: invalid rho value: {} (must be in [0, 1])",
            self.rho
        );
        check_non_negative(Self::NAME, "epsilon value", self.eps)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::zeros("square_avg", 2),
            StateSlot::zeros("acc_delta", 3),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            rho: self.rho,
            eps: self.eps,
            weight_decay: self.weight_decay,
            maximize: flag(self.maximize),
            ..Default::default()
        };
        (OptimMethod::Adadelta, hyper)
    }
}

options! {
    /// The options of [`Adamax`](super::Adamax), with PyTorch's defaults.
    AdamaxOptions "Adamax" {
        lr: f64 = 2e-3,
        betas: (f64, f64) = (0.9, 0.999),
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        maximize: bool = false,
    }
}

impl Method for AdamaxOptions {
    fn check(&self) -> Result<()> {
        check_adam_like(Self::NAME, self.lr, self.eps, self.betas, self.weight_decay)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::zeros("exp_avg", 2),
            StateSlot::zeros("exp_inf", 3),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = adam_like_hyper(
            self.lr,
            self.betas,
            self.eps,
            self.weight_decay,
            self.maximize,
        );
        (OptimMethod::Adamax, hyper)
    }
}

options! {
    /// The options of [`RAdam`](super::RAdam), with PyTorch's defaults.
    RAdamOptions "RAdam" {
        lr: f64 = 1e-3,
        betas: (f64, f64) = (0.9, 0.999),
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        decoupled_weight_decay: bool = false,
        maximize: bool = false,
    }
}

impl Method for RAdamOptions {
    fn check(&self) -> Result<()> {
        check_adam_like(Self::NAME, self.lr, self.eps, self.betas, self.weight_decay)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::zeros("exp_avg", 2),
            StateSlot::zeros("exp_avg_sq", 3),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            decoupled: flag(self.decoupled_weight_decay),
            ..adam_like_hyper(
                self.lr,
                self.betas,
                self.eps,
                self.weight_decay,
                self.maximize,
            )
        };
        (OptimMethod::Radam, hyper)
    }
}

options! {
    /// The options of [`NAdam`](super::NAdam), with PyTorch's defaults.
    NAdamOptions "NAdam" {
        lr: f64 = 2e-3,
        betas: (f64, f64) = (0.9, 0.999),
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        momentum_decay: f64 = 4e-3,
        decoupled_weight_decay: bool = false,
        maximize: bool = false,
    }
}

impl Method for NAdamOptions {
    fn check(&self) -> Result<()> {
        check_adam_like(Self::NAME, self.lr, self.eps, self.betas, self.weight_decay)?;
        check_non_negative(Self::NAME, "momentum_decay value", self.momentum_decay)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::counter("mu_product", 4, 1.0),
            StateSlot::zeros("exp_avg", 2),
            StateSlot::zeros("exp_avg_sq", 3),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            momentum_decay: self.momentum_decay,
            decoupled: flag(self.decoupled_weight_decay),
            ..adam_like_hyper(
                self.lr,
                self.betas,
                self.eps,
                self.weight_decay,
                self.maximize,
            )
        };
        (OptimMethod::Nadam, hyper)
    }
}

options! {
    /// The options of [`Rprop`](super::Rprop), with PyTorch's defaults.
    RpropOptions "Rprop" {
        lr: f64 = 1e-2,
        /// The step sizes' factors where the gradient's sign flipped and
        /// where it held: `(etaminus, etaplus)`, `0 < etaminus < 1 < etaplus`.
        etas: (f64, f64) = (0.5, 1.2),
        /// The least and the largest step size.
        step_sizes: (f64, f64) = (1e-6, 50.0),
        maximize: bool = false,
    }
}

impl Method for RpropOptions {
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        let (minus, plus) = self.etas;
        ensure!(
            0.0 < minus && minus < 1.0 && 1.0 < plus,
            Argument,
            "Rprop: invalid eta values: {minus}, {plus} (must be 0 < etaminus < 1 < etaplus)"
        );
        Ok(())
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::zeros("prev", 2),
            // Every step size starts at the learning rate.
            StateSlot::filled("step_size", 3, self.lr),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            etaminus: self.etas.0,
            etaplus: self.etas.1,
            step_size_min: self.step_sizes.0,
            step_size_max: self.step_sizes.1,
            maximize: flag(self.maximize),
            ..Default::default()
        };
        (OptimMethod::Rprop, hyper)
    }
}

options! {
    /// The options of [`ASGD`](super::ASGD), with PyTorch's defaults.
    ASGDOptions "ASGD" {
        lr: f64 = 1e-2,
        /// The decay term.
        lambd: f64 = 1e-4,
        /// The power of the learning rate's decay.
        alpha: f64 = 0.75,
        /// The step from which the iterates are averaged.
        t0: f64 = 1e6,
        weight_decay: f64 = 0.0,
        maximize: bool = false,
    }
}

impl Method for ASGDOptions {
    fn check(&self) -> Result<()> {
        check_non_negative(Self::NAME, "learning rate", self.lr)?;
        check_non_negative(Self::NAME, "weight_decay value", self.weight_decay)
    }
    fn state_layout(&self) -> Vec<StateSlot> {
        vec![
            StateSlot::counter("step", 5, 0.0),
            StateSlot::counter("eta", 3, self.lr),
            StateSlot::counter("mu", 4, 1.0),
            StateSlot::zeros("ax", 2),
        ]
    }
    #[allow(private_interfaces)]
    fn kernel(&self, _first: bool) -> (OptimMethod, OptimHyper) {
        let hyper = OptimHyper {
            lr: self.lr,
            lambd: self.lambd,
            alpha: self.alpha,
            t0: self.t0,
            weight_decay: self.weight_decay,
            maximize: flag(self.maximize),
            ..Default::default()
        };
        (OptimMethod::Asgd, hyper)
    }
}

/// Runs `$body` with `$options` bound to the default options of the
/// optimizer named `$name` (a `&str`), or evaluates `$unknown`: the one
/// list of flodl's optimizers by name (the Python classes name theirs).
#[cfg(feature = "python")]
macro_rules! with_optimizer_named {
    ($name:expr, |$options:ident| $body:expr, $unknown:expr) => {{
        use $crate::optim::*;
        match $name {
            "SGD" => {
                let $options = SGDOptions::default();
                $body
            }
            "Adam" => {
                let $options = AdamOptions::default();
                $body
            }
            "AdamW" => {
                let $options = AdamWOptions::default();
                $body
            }
            "RMSprop" => {
                let $options = RMSpropOptions::default();
                $body
            }
            "Adagrad" => {
                let $options = AdagradOptions::default();
                $body
            }
            "Adadelta" => {
                let $options = AdadeltaOptions::default();
                $body
            }
            "Adamax" => {
                let $options = AdamaxOptions::default();
                $body
            }
            "RAdam" => {
                let $options = RAdamOptions::default();
                $body
            }
            "NAdam" => {
                let $options = NAdamOptions::default();
                $body
            }
            "Rprop" => {
                let $options = RpropOptions::default();
                $body
            }
            "ASGD" => {
                let $options = ASGDOptions::default();
                $body
            }
            _ => $unknown,
        }
    }};
}

#[cfg(feature = "python")]
pub(crate) use with_optimizer_named;
