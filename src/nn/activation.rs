//! Activations as modules: `ReLU`, `GELU`, `Tanh`, `Sigmoid`, `SiLU`.

use super::{Module, Parameter};
use crate::error::Result;
use crate::Variable;

/// Declares parameterless activation modules that call a method.
macro_rules! activations {
    ($($(#[doc = $doc:literal])* $name:ident => $method:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                input.$method()
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
        }
    )*};
}

activations! {
    /// `max(x, 0)`, as `torch.nn.ReLU`.
    ReLU => relu;
    /// GELU (erf form), as `torch.nn.GELU`.
    GELU => gelu;
    /// As `torch.nn.Tanh`.
    Tanh => tanh;
    /// As `torch.nn.Sigmoid`.
    Sigmoid => sigmoid;
    /// `x * sigmoid(x)`, as `torch.nn.SiLU`.
    SiLU => silu;
}
