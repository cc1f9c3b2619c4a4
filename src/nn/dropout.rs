//! Dropout layers: `Dropout`, `Dropout1d/2d/3d` (whole channels),
//! `AlphaDropout`, `FeatureAlphaDropout`, and `RReLU` (random while training).

use std::cell::Cell;

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Zeroes elements with probability `p` while training, as `torch.nn.Dropout`.
#[derive(Debug)]
pub struct Dropout {
    pub p: f64,
    /// Zeroes in the input's own memory.
    pub inplace: bool,
    training: Cell<bool>,
}

impl Dropout {
    pub fn new(p: f64) -> Result<Self> {
        crate::ops::nn::check_probability("Dropout", p)?;
        Ok(Dropout {
            p,
            inplace: false,
            training: Cell::new(true),
        })
    }

    /// Whether it zeroes elements (training mode).
    pub fn is_training(&self) -> bool {
        self.training.get()
    }
}

impl Module for Dropout {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::dropout(input, self.p, self.training.get(), self.inplace)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
    fn extra_repr(&self) -> String {
        format!(
            "p={}, inplace={}",
            super::py_float(self.p),
            super::py_bool(self.inplace)
        )
    }
}

/// Declares a dropout layer of another kind: its op on `(input, p, training)`.
macro_rules! dropout_layer {
    ($(#[$doc:meta])* $name:ident => $op:path) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            pub p: f64,
            /// Zeroes in the input's own memory.
            pub inplace: bool,
            training: Cell<bool>,
        }

        impl $name {
            pub fn new(p: f64) -> Result<Self> {
                crate::ops::nn::check_probability(stringify!($name), p)?;
                Ok($name {
                    p,
                    inplace: false,
                    training: Cell::new(true),
                })
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                $op(input, self.p, self.training.get(), self.inplace)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn set_training(&self, training: bool) {
                self.training.set(training)
            }
            fn extra_repr(&self) -> String {
                format!(
                    "p={}, inplace={}",
                    super::py_float(self.p),
                    super::py_bool(self.inplace)
                )
            }
        }
    };
}

dropout_layer!(
    /// Zeroes whole channels of `[N, C, L]` (or `[C, L]`) while training, as
    /// `torch.nn.Dropout1d`.
    Dropout1d => crate::dropout1d
);
dropout_layer!(
    /// Zeroes whole channels of `[N, C, H, W]` while training, as `torch.nn.Dropout2d`.
    Dropout2d => crate::dropout2d
);
dropout_layer!(
    /// Zeroes whole channels of `[N, C, D, H, W]` (or `[C, D, H, W]`) while
    /// training, as `torch.nn.Dropout3d`.
    Dropout3d => crate::dropout3d
);
dropout_layer!(
    /// Dropout that keeps SELU's mean and variance, as `torch.nn.AlphaDropout`.
    AlphaDropout => crate::alpha_dropout
);
dropout_layer!(
    /// [`AlphaDropout`] of whole channels, as `torch.nn.FeatureAlphaDropout`.
    FeatureAlphaDropout => crate::feature_alpha_dropout
);

/// `x` where positive, times a slope elsewhere: drawn from `U(lower,
/// upper)` per element while training, their mean in eval, as
/// `torch.nn.RReLU` (a randomized activation, so it follows the training
/// mode as the dropouts do).
pub struct RReLU {
    pub lower: f64,
    pub upper: f64,
    /// Changes the input in its own memory.
    pub inplace: bool,
    training: Cell<bool>,
}

impl RReLU {
    /// Slopes from `U(lower, upper)`; `lower` may not exceed `upper`.
    pub fn new(lower: f64, upper: f64) -> Result<Self> {
        crate::ops::nn::check_rrelu_bounds("RReLU", lower, upper)?;
        Ok(RReLU {
            lower,
            upper,
            inplace: false,
            training: Cell::new(true),
        })
    }
}

impl std::fmt::Debug for RReLU {
    /// The options, as PyTorch's constructor names them (not the mode).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RReLU")
            .field("lower", &self.lower)
            .field("upper", &self.upper)
            .field("inplace", &self.inplace)
            .finish()
    }
}

impl Default for RReLU {
    /// PyTorch's slopes, from 1/8 to 1/3.
    fn default() -> Self {
        RReLU {
            lower: 1.0 / 8.0,
            upper: 1.0 / 3.0,
            inplace: false,
            training: Cell::new(true),
        }
    }
}

impl Module for RReLU {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::rrelu(
            input,
            self.lower,
            self.upper,
            self.training.get(),
            self.inplace,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
    fn extra_repr(&self) -> String {
        let suffix = if self.inplace { ", inplace=True" } else { "" };
        format!(
            "lower={}, upper={}{suffix}",
            super::py_float(self.lower),
            super::py_float(self.upper)
        )
    }
}
