//! Linear layers: `Linear`, `Bilinear`, `Identity`.

use super::{empty_parameter, in_layer, init, layer_parameters, named, size, Module, Parameter};
use crate::error::{bail, Result};
use crate::Variable;

/// Its input, unchanged, as `torch.nn.Identity` (a placeholder layer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Identity;

impl Module for Identity {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        Ok(input.clone())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// `input @ weight.T + bias`, as `torch.nn.Linear`.
#[derive(Debug)]
pub struct Linear {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

impl Linear {
    /// A `[out_features, in_features]` weight (and bias), initialised as
    /// PyTorch's.
    pub fn new(in_features: i64, out_features: i64, bias: bool) -> Result<Self> {
        let (weight, bias) = layer_parameters(&[out_features, in_features], bias, out_features)?;
        Ok(Linear { weight, bias })
    }
}

impl Module for Linear {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let (inputs, outputs) = (size(&self.weight, 1), size(&self.weight, 0));
                let bias = super::py_bool(self.bias.is_some());
                format!(
                    "Linear(in_features={inputs}, out_features={outputs}, bias={bias}): expected input [..., {inputs}], got {:?}",
                    input.shape()
                )
            },
            crate::linear(input, &self.weight, self.bias.as_ref()),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            size(&self.weight, 1),
            size(&self.weight, 0),
            super::py_bool(self.bias.is_some())
        )
    }
}

/// `x1 @ W @ x2 + b` per output feature, as `torch.nn.Bilinear`; it takes
/// two inputs, so it runs through [`forward_pair`](Bilinear::forward_pair).
#[derive(Debug)]
pub struct Bilinear {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

impl Bilinear {
    /// A `[out, in1, in2]` weight and a bias, both uniform in
    /// `+-1/sqrt(in1)` as PyTorch's.
    pub fn new(
        in1_features: i64,
        in2_features: i64,
        out_features: i64,
        bias: bool,
    ) -> Result<Self> {
        let weight = empty_parameter(&[out_features, in1_features, in2_features])?;
        let bias = bias.then(|| empty_parameter(&[out_features])).transpose()?;
        init::bilinear_default_(&weight, bias.as_ref())?;
        Ok(Bilinear { weight, bias })
    }

    /// The layer on its two inputs.
    pub fn forward_pair(&self, input1: &Variable, input2: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Bilinear(in1_features={}, in2_features={}, out_features={}): expected inputs [..., {}] and [..., {}], got {:?} and {:?}",
                    w(1), w(2), w(0), w(1), w(2), input1.shape(), input2.shape()
                )
            },
            crate::bilinear(input1, input2, &self.weight, self.bias.as_ref()),
        )
    }
}

impl Module for Bilinear {
    /// A Bilinear layer needs two inputs: an Argument error (use
    /// [`forward_pair`](Bilinear::forward_pair)).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "Bilinear: takes two inputs; call forward_pair(input1, input2)"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
    fn extra_repr(&self) -> String {
        let w = |d| size(&self.weight, d);
        format!(
            "in1_features={}, in2_features={}, out_features={}, bias={}",
            w(1),
            w(2),
            w(0),
            super::py_bool(self.bias.is_some())
        )
    }
}
