//! Modules, as `torch.nn`: a [`Module`] owns [`Parameter`]s (leaf Variables
//! that require grad) and maps a Variable to a Variable. The layers
//! initialise their parameters as PyTorch's do, from libtorch's default
//! generator, so that after the same `manual_seed` a flodl layer and a
//! PyTorch layer start from the same numbers. The functions (losses,
//! `dropout`, ...) are the crate's free functions.
//!
//! ```no_run
//! # fn main() -> flodl::Result<()> {
//! use flodl::nn::{self, Module};
//! let model = nn::Sequential::new()
//!     .add(nn::Linear::new(64, 32, true)?)
//!     .add(nn::ReLU)
//!     .add(nn::Linear::new(32, 10, true)?);
//! println!("{} parameters", model.parameters().len());
//! # Ok(()) }
//! ```

use std::cell::Cell;

use crate::error::{bail, ensure, Result};
use crate::{DType, Device, Tensor, TensorOptions, Variable};

/// A parameter: a leaf Variable that requires grad, which modules register.
pub type Parameter = Variable;

/// What `load_state_dict` found but did not use, with `strict` false.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncompatibleKeys {
    pub missing_keys: Vec<String>,
    pub unexpected_keys: Vec<String>,
}

/// A layer or a model: `forward`, and its parameters by name (own first,
/// then each submodule's with its name as a prefix, as PyTorch names them).
pub trait Module {
    /// The module applied to `input`.
    fn forward(&self, input: &Variable) -> Result<Variable>;

    /// `(name, parameter)` pairs, in PyTorch's order and with its names.
    fn named_parameters(&self) -> Vec<(String, Parameter)>;

    /// `(name, buffer)` pairs (running statistics, ...): state that is saved
    /// but not trained. Buffers are Variables that do not require grad.
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        Vec::new()
    }

    /// Switches training behaviour (dropout, batch statistics) on or off,
    /// here and in every submodule.
    fn set_training(&self, _training: bool) {}

    /// The parameters, in `named_parameters`'s order.
    fn parameters(&self) -> Vec<Parameter> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Training mode (the default).
    fn train(&self) {
        self.set_training(true)
    }

    /// Evaluation mode: dropout off, running statistics used.
    fn eval(&self) {
        self.set_training(false)
    }

    /// Resets every parameter's gradient to `None`.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// The parameters' and buffers' values by name (sharing memory), as
    /// PyTorch's `state_dict()`; `flodl::io::save` writes it.
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        let params = self.named_parameters().into_iter();
        params
            .chain(self.named_buffers())
            .map(|(name, v)| (name, v.data()))
            .collect()
    }

    /// Copies `state`'s values into the parameters and buffers of the same
    /// names. Missing or unexpected names (with `strict`) and wrong shapes
    /// are one Argument error listing all of them, and then nothing is
    /// copied; without `strict` the names that did not match are returned.
    fn load_state_dict(
        &self,
        state: &[(String, Tensor)],
        strict: bool,
    ) -> Result<IncompatibleKeys> {
        let own: Vec<(String, Variable)> = self
            .named_parameters()
            .into_iter()
            .chain(self.named_buffers())
            .collect();
        let find = |name: &str| state.iter().find(|(n, _)| n == name).map(|(_, t)| t);
        let missing: Vec<String> = own
            .iter()
            .filter(|(n, _)| find(n).is_none())
            .map(|(n, _)| n.clone())
            .collect();
        let unexpected: Vec<String> = state
            .iter()
            .filter(|(n, _)| !own.iter().any(|(o, _)| o == n))
            .map(|(n, _)| n.clone())
            .collect();
        let misshaped: Vec<String> = own
            .iter()
            .filter_map(|(n, v)| {
                let t = find(n)?;
                (t.shape() != v.shape())
                    .then(|| format!("{n:?} expected {:?}, got {:?}", v.shape(), t.shape()))
            })
            .collect();
        let mut problems = Vec::new();
        if strict && !missing.is_empty() {
            problems.push(format!("missing keys {missing:?}"));
        }
        if strict && !unexpected.is_empty() {
            problems.push(format!("unexpected keys {unexpected:?}"));
        }
        if !misshaped.is_empty() {
            problems.push(format!("wrong shapes: {}", misshaped.join(", ")));
        }
        if !problems.is_empty() {
            bail!(Argument, "load_state_dict: {}", problems.join("; "));
        }
        crate::no_grad(|| -> Result<()> {
            for (name, v) in &own {
                if let Some(t) = find(name) {
                    v.data().copy_(t)?;
                }
            }
            Ok(())
        })?;
        Ok(IncompatibleKeys {
            missing_keys: missing,
            unexpected_keys: unexpected,
        })
    }

    /// Moves every parameter and buffer to `device` and/or `dtype` (floating
    /// values only change dtype), keeping the same Variables.
    fn to(&self, device: Option<Device>, dtype: Option<DType>) -> Result<()> {
        let all = self
            .named_parameters()
            .into_iter()
            .chain(self.named_buffers());
        for (_, v) in all {
            let mut data = v.data();
            if let Some(device) = device {
                data = data.to_device(device)?;
            }
            if let Some(dtype) = dtype.filter(|_| v.dtype().is_floating_point()) {
                data = data.to_dtype(dtype)?;
            }
            v.set_data(&data)?;
        }
        Ok(())
    }
}

/// A new parameter of `shape` drawn uniformly from `[-bound, bound)`.
fn uniform(shape: &[i64], bound: f64) -> Result<Parameter> {
    let data = Tensor::empty(shape, TensorOptions::default())?;
    data.uniform_(-bound, bound)?;
    Variable::new(data, true)
}

/// PyTorch's default weight bound: `kaiming_uniform_(a=sqrt(5))`, which is
/// `1/sqrt(fan_in)`, computed as PyTorch computes it so the draws agree.
fn kaiming_bound(fan_in: i64) -> f64 {
    let a = 5f64.sqrt();
    let gain = (2.0 / (1.0 + a.powi(2))).sqrt();
    let std = gain / (fan_in as f64).sqrt();
    3f64.sqrt() * std
}

/// PyTorch's default bias bound, `1/sqrt(fan_in)` (0 without inputs).
fn bias_bound(fan_in: i64) -> f64 {
    if fan_in > 0 {
        1.0 / (fan_in as f64).sqrt()
    } else {
        0.0
    }
}

/// `(name, parameter)` for each parameter that is there.
fn named(pairs: &[(&str, Option<&Parameter>)]) -> Vec<(String, Parameter)> {
    pairs
        .iter()
        .filter_map(|(n, p)| p.map(|p| (n.to_string(), p.clone())))
        .collect()
}

/// Adds a layer's name and expected input to a shape error from its op.
fn in_layer<T>(layer: String, expected: impl FnOnce() -> String, result: Result<T>) -> Result<T> {
    result.map_err(|e| {
        if e.kind() == crate::ErrorKind::Shape {
            crate::Error::new(
                crate::ErrorKind::Shape,
                format!("{layer}: expected input {}: {e}", expected()),
            )
        } else {
            e
        }
    })
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
        let weight = uniform(&[out_features, in_features], kaiming_bound(in_features))?;
        let bias = if bias {
            Some(uniform(&[out_features], bias_bound(in_features))?)
        } else {
            None
        };
        Ok(Linear { weight, bias })
    }
}

impl Module for Linear {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let shape = self.weight.shape();
        in_layer(
            format!(
                "Linear(in_features={}, out_features={}, bias={})",
                shape[1],
                shape[0],
                self.bias.is_some()
            ),
            || format!("[..., {}], got {:?}", shape[1], input.shape()),
            crate::linear(input, &self.weight, self.bias.as_ref()),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// 2-d convolution, as `torch.nn.Conv2d` (square kernel, zero padding).
#[derive(Debug)]
pub struct Conv2d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
}

impl Conv2d {
    /// `[out_channels, in_channels, k, k]` weights, initialised as PyTorch's.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let fan_in = in_channels * kernel_size * kernel_size;
        let weight = uniform(
            &[out_channels, in_channels, kernel_size, kernel_size],
            kaiming_bound(fan_in),
        )?;
        let bias = Some(uniform(&[out_channels], bias_bound(fan_in))?);
        Ok(Conv2d {
            weight,
            bias,
            stride,
            padding,
        })
    }
}

impl Module for Conv2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let s = self.weight.shape();
        in_layer(
            format!(
                "Conv2d({}, {}, kernel_size=({}, {}), stride=({}, {}))",
                s[1], s[0], s[2], s[3], self.stride, self.stride
            ),
            || format!("[N, {}, H, W], got {:?}", s[1], input.shape()),
            crate::conv2d(
                input,
                &self.weight,
                self.bias.as_ref(),
                [self.stride; 2],
                [self.padding; 2],
                [1, 1],
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// Layer normalization over the last dim, as `torch.nn.LayerNorm(size)`.
#[derive(Debug)]
pub struct LayerNorm {
    pub weight: Parameter,
    pub bias: Parameter,
    pub eps: f64,
}

impl LayerNorm {
    /// Weight ones, bias zeros, as PyTorch's.
    pub fn new(normalized_size: i64) -> Result<Self> {
        let opts = TensorOptions::default();
        let weight = Variable::new(Tensor::ones(&[normalized_size], opts)?, true)?;
        let bias = Variable::new(Tensor::zeros(&[normalized_size], opts)?, true)?;
        Ok(LayerNorm {
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl Module for LayerNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let n = self.weight.shape()[0];
        in_layer(
            format!("LayerNorm(({n},), eps={:e})", self.eps),
            || format!("[..., {n}], got {:?}", input.shape()),
            crate::layer_norm(input, Some(&self.weight), Some(&self.bias), n, self.eps),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
    }
}

/// Zeroes elements with probability `p` while training, as `torch.nn.Dropout`.
#[derive(Debug)]
pub struct Dropout {
    pub p: f64,
    training: Cell<bool>,
}

impl Dropout {
    pub fn new(p: f64) -> Result<Self> {
        ensure!(
            (0.0..=1.0).contains(&p),
            Argument,
            "Dropout: p must be in [0, 1], got {p}"
        );
        Ok(Dropout {
            p,
            training: Cell::new(true),
        })
    }
}

impl Module for Dropout {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::dropout(input, self.p, self.training.get())
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}

/// 2-d max pooling with a square window, as `torch.nn.MaxPool2d(k)`.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d {
    pub kernel_size: i64,
}

impl Module for MaxPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::max_pool2d(input, [self.kernel_size; 2], None, [0, 0], [1, 1], false)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// Flattens every dim after the first, as `torch.nn.Flatten()`.
#[derive(Debug, Clone, Copy)]
pub struct Flatten;

impl Module for Flatten {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        input.flatten(1, -1)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

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

/// Modules applied in order, named "0", "1", ... as `torch.nn.Sequential`.
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    pub fn new() -> Self {
        Sequential::default()
    }

    /// Appends a module.
    #[allow(clippy::should_implement_trait)] // a builder step, not `+`
    pub fn add(mut self, module: impl Module + 'static) -> Self {
        self.layers.push(Box::new(module));
        self
    }

    /// The number of modules.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

impl Module for Sequential {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let mut x = input.clone();
        for layer in &self.layers {
            x = layer.forward(&x)?;
        }
        Ok(x)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        prefixed(self.layers.iter().enumerate(), |m| m.named_parameters())
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        prefixed(self.layers.iter().enumerate(), |m| m.named_buffers())
    }
    fn set_training(&self, training: bool) {
        for layer in &self.layers {
            layer.set_training(training);
        }
    }
}

/// Each submodule's named values with `index.` before the names.
fn prefixed<'a>(
    modules: impl Iterator<Item = (usize, &'a Box<dyn Module>)>,
    values: impl Fn(&dyn Module) -> Vec<(String, Variable)>,
) -> Vec<(String, Variable)> {
    modules
        .flat_map(|(i, m)| {
            values(m.as_ref())
                .into_iter()
                .map(move |(n, v)| (format!("{i}.{n}"), v))
        })
        .collect()
}
