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

mod conv;
pub mod init;
mod transformer;
pub mod utils;

pub use conv::{Bilinear, Conv3d, ConvTranspose1d, ConvTranspose2d};

pub use transformer::{
    Activation, MultiheadAttention, TransformerEncoderLayer, TransformerOptions,
};

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
            if let Some(grad) = v.grad() {
                let mut moved = grad;
                if let Some(device) = device {
                    moved = moved.to_device(device)?;
                }
                moved = moved.to_dtype(v.dtype())?;
                v.set_grad(Some(&moved))?;
            }
        }
        Ok(())
    }
}

/// A new parameter of `shape` drawn uniformly from `[-bound, bound)`.
fn uniform(shape: &[i64], bound: f64) -> Result<Parameter> {
    let data = Tensor::empty(shape, TensorOptions::default())?;
    init::uniform_(&data, -bound, bound)?;
    Variable::new(data, true)
}

/// A new weight of `shape` as PyTorch's layers start theirs:
/// `kaiming_uniform_(a = sqrt(5))`, a bound of `1/sqrt(fan_in)`.
fn default_weight(shape: &[i64]) -> Result<Parameter> {
    let data = Tensor::empty(shape, TensorOptions::default())?;
    init::kaiming_uniform_(&data, 5f64.sqrt(), "fan_in", "leaky_relu")?;
    Variable::new(data, true)
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

/// Adds the layer and the input it expects (`context()`, only made when
/// the op fails) to a shape error from its op.
fn in_layer<T>(context: impl FnOnce() -> String, result: Result<T>) -> Result<T> {
    result.map_err(|e| {
        if e.kind() == crate::ErrorKind::Shape {
            crate::Error::new(crate::ErrorKind::Shape, format!("{}: {e}", context()))
        } else {
            e
        }
    })
}

/// Size `d` of a parameter's shape (0 if it has fewer dims: a replaced
/// weight must not make an error message panic).
fn size(p: &Parameter, d: usize) -> i64 {
    p.shape().get(d).copied().unwrap_or(0)
}

/// A normalization's affine parameters as PyTorch starts them: a weight of
/// ones and a bias of zeros.
fn ones_and_zeros(size: i64) -> Result<(Parameter, Parameter)> {
    let opts = TensorOptions::default();
    let weight = Variable::new(Tensor::ones(&[size], opts)?, true)?;
    let bias = Variable::new(Tensor::zeros(&[size], opts)?, true)?;
    Ok((weight, bias))
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
        let weight = default_weight(&[out_features, in_features])?;
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
        in_layer(
            || {
                let (inputs, outputs) = (size(&self.weight, 1), size(&self.weight, 0));
                let bias = self.bias.is_some();
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
        let weight = default_weight(&[out_channels, in_channels, kernel_size, kernel_size])?;
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
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Conv2d({}, {}, kernel_size=({}, {}), stride=({s}, {s})): expected input [N, {}, H, W], got {:?}",
                    w(1), w(0), w(2), w(3), w(1), input.shape(), s = self.stride
                )
            },
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
        let (weight, bias) = ones_and_zeros(normalized_size)?;
        Ok(LayerNorm {
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl Module for LayerNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let n = size(&self.weight, 0);
        in_layer(
            || {
                format!(
                    "LayerNorm(({n},), eps={:e}): expected input [..., {n}], got {:?}",
                    self.eps,
                    input.shape()
                )
            },
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
        crate::ops::nn::check_probability("Dropout", p)?;
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

/// 1-d convolution, as `torch.nn.Conv1d` (zero padding).
#[derive(Debug)]
pub struct Conv1d {
    pub weight: Parameter,
    pub bias: Option<Parameter>,
    pub stride: i64,
    pub padding: i64,
}

impl Conv1d {
    /// `[out_channels, in_channels, k]` weights, initialised as PyTorch's.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let fan_in = in_channels * kernel_size;
        let weight = default_weight(&[out_channels, in_channels, kernel_size])?;
        let bias = Some(uniform(&[out_channels], bias_bound(fan_in))?);
        Ok(Conv1d {
            weight,
            bias,
            stride,
            padding,
        })
    }
}

impl Module for Conv1d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        in_layer(
            || {
                let w = |d| size(&self.weight, d);
                format!(
                    "Conv1d({}, {}, kernel_size=({},), stride=({},)): expected input [N, {}, L], got {:?}",
                    w(1), w(0), w(2), self.stride, w(1), input.shape()
                )
            },
            crate::conv1d(
                input,
                &self.weight,
                self.bias.as_ref(),
                self.stride,
                self.padding,
                1,
                1,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
    }
}

/// Normalization over groups of channels, as `torch.nn.GroupNorm`.
#[derive(Debug)]
pub struct GroupNorm {
    pub num_groups: i64,
    pub weight: Parameter,
    pub bias: Parameter,
    pub eps: f64,
}

impl GroupNorm {
    /// Weight ones, bias zeros, as PyTorch's.
    pub fn new(num_groups: i64, num_channels: i64) -> Result<Self> {
        let (weight, bias) = ones_and_zeros(num_channels)?;
        Ok(GroupNorm {
            num_groups,
            weight,
            bias,
            eps: 1e-5,
        })
    }
}

impl Module for GroupNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::group_norm(
            input,
            self.num_groups,
            Some(&self.weight),
            Some(&self.bias),
            self.eps,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
    }
}

/// Batch normalization over dim 1, as `torch.nn.BatchNorm1d` (`[N, C]` or
/// `[N, C, L]`, `DIMS` 1) and `BatchNorm2d` (`[N, C, H, W]`, `DIMS` 2):
/// batch statistics while training (updating the running ones), the
/// running ones in evaluation. Another rank is a Shape error, as in PyTorch.
#[derive(Debug)]
pub struct BatchNorm<const DIMS: usize> {
    pub weight: Parameter,
    pub bias: Parameter,
    pub running_mean: Variable,
    pub running_var: Variable,
    pub num_batches_tracked: Variable,
    pub momentum: f64,
    pub eps: f64,
    training: Cell<bool>,
}

/// [`BatchNorm`] of `[N, C]` or `[N, C, L]` inputs.
pub type BatchNorm1d = BatchNorm<1>;
/// [`BatchNorm`] of `[N, C, H, W]` inputs.
pub type BatchNorm2d = BatchNorm<2>;

impl<const DIMS: usize> BatchNorm<DIMS> {
    /// Weight ones, bias zeros, running mean 0 and variance 1, as PyTorch's.
    pub fn new(num_features: i64) -> Result<Self> {
        let opts = TensorOptions::default();
        let (weight, bias) = ones_and_zeros(num_features)?;
        let long = TensorOptions {
            dtype: DType::Int64,
            ..opts
        };
        Ok(BatchNorm {
            weight,
            bias,
            running_mean: Variable::new(Tensor::zeros(&[num_features], opts)?, false)?,
            running_var: Variable::new(Tensor::ones(&[num_features], opts)?, false)?,
            num_batches_tracked: Variable::new(Tensor::zeros(&[], long)?, false)?,
            momentum: 0.1,
            eps: 1e-5,
            training: Cell::new(true),
        })
    }
}

impl<const DIMS: usize> Module for BatchNorm<DIMS> {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        // PyTorch's ranks per name (its messages too).
        let (ranks, wanted): (&[usize], &str) = match DIMS {
            1 => (&[2, 3], "2D or 3D"),
            _ => (&[4], "4D"),
        };
        let rank = input.ndim();
        ensure!(
            ranks.contains(&rank),
            Shape,
            "BatchNorm{DIMS}d: expected {wanted} input (got {rank}D input)"
        );
        let training = self.training.get();
        if training {
            crate::no_grad(|| self.num_batches_tracked.data().add_scalar_(1))?;
        }
        let (mean, var) = (self.running_mean.data(), self.running_var.data());
        in_layer(
            || {
                let n = size(&self.weight, 0);
                format!(
                    "BatchNorm({n}, eps={:e}, momentum={}): expected input [N, {n}, ...], got {:?}",
                    self.eps,
                    self.momentum,
                    input.shape()
                )
            },
            crate::batch_norm(
                input,
                Some(&mean),
                Some(&var),
                Some(&self.weight),
                Some(&self.bias),
                training,
                self.momentum,
                self.eps,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight)), ("bias", Some(&self.bias))])
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        named(&[
            ("running_mean", Some(&self.running_mean)),
            ("running_var", Some(&self.running_var)),
            ("num_batches_tracked", Some(&self.num_batches_tracked)),
        ])
    }
    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}

/// A lookup table of `num_embeddings` rows, as `torch.nn.Embedding`: the
/// input holds Int64 indices (a Variable that needs no grad).
#[derive(Debug)]
pub struct Embedding {
    pub weight: Parameter,
    pub padding_idx: Option<i64>,
}

impl Embedding {
    /// Rows drawn from N(0, 1), the padding row zeroed, as PyTorch's.
    pub fn new(num_embeddings: i64, embedding_dim: i64, padding_idx: Option<i64>) -> Result<Self> {
        let data = Tensor::empty(&[num_embeddings, embedding_dim], TensorOptions::default())?;
        data.normal_(0.0, 1.0)?;
        if let Some(row) = padding_idx {
            let row = if row < 0 { row + num_embeddings } else { row };
            ensure!(
                (0..num_embeddings).contains(&row),
                Index,
                "Embedding: padding_idx {row} is out of range for {num_embeddings} rows"
            );
            data.select(0, row)?.zero_()?;
        }
        Ok(Embedding {
            weight: Variable::new(data, true)?,
            padding_idx,
        })
    }
}

impl Module for Embedding {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::embedding(&self.weight, &input.data(), self.padding_idx)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", Some(&self.weight))])
    }
}

/// 2-d average pooling with a square window, as `torch.nn.AvgPool2d(k)`.
#[derive(Debug, Clone, Copy)]
pub struct AvgPool2d {
    pub kernel_size: i64,
}

impl Module for AvgPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::avg_pool2d(input, [self.kernel_size; 2], None, [0, 0], false, true)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveAvgPool2d {
    pub output_size: [i64; 2],
}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::adaptive_avg_pool2d(input, self.output_size)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
}

/// Which cell a recurrent stack runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecurrentCell {
    Lstm,
    Gru,
}

/// What [`LSTM`] and [`GRU`] share: a multi-layer stack on libtorch's
/// fused kernels.
#[derive(Debug)]
struct Recurrent {
    cell: RecurrentCell,
    /// `(name, parameter)` in PyTorch's order: per layer and direction
    /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
    params: Vec<(String, Parameter)>,
    hidden_size: i64,
    num_layers: i64,
    bidirectional: bool,
    batch_first: bool,
    dropout: f64,
    training: Cell<bool>,
}

/// The shape of a recurrent stack, with PyTorch's defaults (one layer,
/// biases, `[seq, batch, feature]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecurrentOptions {
    pub num_layers: i64,
    pub bias: bool,
    pub batch_first: bool,
    pub dropout: f64,
    pub bidirectional: bool,
}

impl Default for RecurrentOptions {
    fn default() -> Self {
        RecurrentOptions {
            num_layers: 1,
            bias: true,
            batch_first: false,
            dropout: 0.0,
            bidirectional: false,
        }
    }
}

impl Recurrent {
    fn new(
        cell: RecurrentCell,
        input_size: i64,
        hidden_size: i64,
        o: RecurrentOptions,
    ) -> Result<Self> {
        ensure!(
            o.num_layers >= 1 && hidden_size >= 1,
            Argument,
            "{cell:?}: num_layers and hidden_size must be positive"
        );
        crate::ops::nn::check_probability(&format!("{cell:?}"), o.dropout)?;
        let gates = match cell {
            RecurrentCell::Lstm => 4,
            RecurrentCell::Gru => 3,
        };
        // Every weight and bias uniform in +-1/sqrt(hidden_size), drawn in
        // registration order as PyTorch's reset_parameters does.
        let bound = 1.0 / (hidden_size as f64).sqrt();
        let directions = if o.bidirectional { 2 } else { 1 };
        let mut params = Vec::new();
        for layer in 0..o.num_layers {
            for direction in 0..directions {
                let suffix = if direction == 1 { "_reverse" } else { "" };
                let inputs = if layer == 0 {
                    input_size
                } else {
                    hidden_size * directions
                };
                let mut shapes = vec![
                    ("weight_ih", vec![gates * hidden_size, inputs]),
                    ("weight_hh", vec![gates * hidden_size, hidden_size]),
                ];
                if o.bias {
                    shapes.push(("bias_ih", vec![gates * hidden_size]));
                    shapes.push(("bias_hh", vec![gates * hidden_size]));
                }
                for (name, shape) in shapes {
                    params.push((format!("{name}_l{layer}{suffix}"), uniform(&shape, bound)?));
                }
            }
        }
        Ok(Recurrent {
            cell,
            params,
            hidden_size,
            num_layers: o.num_layers,
            bidirectional: o.bidirectional,
            batch_first: o.batch_first,
            dropout: o.dropout,
            training: Cell::new(true),
        })
    }

    /// The output sequence and the final `(h, c)` (`c` is `None` for a GRU)
    /// from the initial `state` (zeros when `None`).
    fn run(
        &self,
        input: &Variable,
        state: Option<(&Variable, Option<&Variable>)>,
    ) -> Result<(Variable, (Variable, Option<Variable>))> {
        let shape = input.shape();
        ensure!(
            shape.len() == 3,
            Shape,
            "{:?}: expected a 3-d input, got shape {shape:?}",
            self.cell
        );
        let batch = if self.batch_first { shape[0] } else { shape[1] };
        let directions = if self.bidirectional { 2 } else { 1 };
        let zeros = || -> Result<Variable> {
            let opts = TensorOptions {
                dtype: input.dtype(),
                device: input.device(),
            };
            Variable::new(
                Tensor::zeros(
                    &[self.num_layers * directions, batch, self.hidden_size],
                    opts,
                )?,
                false,
            )
        };
        let h0 = match state {
            Some((h, _)) => h.clone(),
            None => zeros()?,
        };
        let weights: Vec<Variable> = self.params.iter().map(|(_, p)| p.clone()).collect();
        let options = crate::RnnOptions {
            has_biases: weights.len() as i64 > 2 * self.num_layers * directions,
            num_layers: self.num_layers,
            dropout: self.dropout,
            train: self.training.get(),
            bidirectional: self.bidirectional,
            batch_first: self.batch_first,
        };
        match self.cell {
            RecurrentCell::Lstm => {
                let c0 = match state.and_then(|(_, c)| c) {
                    Some(c) => c.clone(),
                    None => zeros()?,
                };
                let (out, h, c) = crate::lstm(input, &h0, &c0, &weights, options)?;
                Ok((out, (h, Some(c))))
            }
            RecurrentCell::Gru => {
                let (out, h) = crate::gru(input, &h0, &weights, options)?;
                Ok((out, (h, None)))
            }
        }
    }
}

/// A multi-layer LSTM, as `torch.nn.LSTM`: `[seq, batch, feature]` in and
/// out (`[batch, seq, feature]` with `batch_first`). `forward` starts from
/// zero states and returns the output sequence.
#[derive(Debug)]
pub struct LSTM(Recurrent);

impl LSTM {
    /// `num_layers` layers from `input_size` to `hidden_size` features,
    /// initialised as PyTorch's.
    pub fn new(input_size: i64, hidden_size: i64, options: RecurrentOptions) -> Result<Self> {
        Ok(LSTM(Recurrent::new(
            RecurrentCell::Lstm,
            input_size,
            hidden_size,
            options,
        )?))
    }

    /// The output sequence and the final `(h, c)`, from `(h0, c0)` (zeros
    /// when `None`), each `[layers * directions, batch, hidden]`.
    pub fn forward_with_state(
        &self,
        input: &Variable,
        state: Option<(&Variable, &Variable)>,
    ) -> Result<(Variable, (Variable, Variable))> {
        let (out, (h, c)) = self.0.run(input, state.map(|(h, c)| (h, Some(c))))?;
        // An LSTM run always returns its cell state.
        let c =
            c.ok_or_else(|| crate::Error::new(crate::ErrorKind::Torch, "LSTM: no cell state"))?;
        Ok((out, (h, c)))
    }
}

/// A multi-layer GRU, as `torch.nn.GRU`; shapes as [`LSTM`]'s.
#[derive(Debug)]
pub struct GRU(Recurrent);

impl GRU {
    /// `num_layers` layers from `input_size` to `hidden_size` features,
    /// initialised as PyTorch's.
    pub fn new(input_size: i64, hidden_size: i64, options: RecurrentOptions) -> Result<Self> {
        Ok(GRU(Recurrent::new(
            RecurrentCell::Gru,
            input_size,
            hidden_size,
            options,
        )?))
    }

    /// The output sequence and the final `h`, from `h0` (zeros when `None`).
    pub fn forward_with_state(
        &self,
        input: &Variable,
        h0: Option<&Variable>,
    ) -> Result<(Variable, Variable)> {
        let (out, (h, _)) = self.0.run(input, h0.map(|h| (h, None)))?;
        Ok((out, h))
    }
}

/// LSTM and GRU are modules through their stack.
macro_rules! recurrent_module {
    ($($name:ident),*) => {$(
        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                Ok(self.0.run(input, None)?.0)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                self.0.params.clone()
            }
            fn set_training(&self, training: bool) {
                self.0.training.set(training)
            }
        }
    )*};
}

recurrent_module!(LSTM, GRU);

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
    /// Each module's parameters then buffers, module by module, as PyTorch
    /// orders a state dict.
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        prefixed_state(self.layers.iter().enumerate())
    }
    fn set_training(&self, training: bool) {
        for layer in &self.layers {
            layer.set_training(training);
        }
    }
}

/// Modules kept in a list and named "0", "1", ..., as `torch.nn.ModuleList`:
/// their parameters belong to the owner, which calls them as it likes (it
/// has no `forward` of its own).
#[derive(Default)]
pub struct ModuleList {
    modules: Vec<Box<dyn Module>>,
}

impl ModuleList {
    pub fn new() -> Self {
        ModuleList::default()
    }

    /// Appends a module.
    pub fn push(&mut self, module: impl Module + 'static) {
        self.modules.push(Box::new(module));
    }

    /// The module at `index`.
    pub fn get(&self, index: usize) -> Option<&dyn Module> {
        self.modules.get(index).map(|m| m.as_ref())
    }

    /// The modules, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Module> {
        self.modules.iter().map(|m| m.as_ref())
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }
}

impl Module for ModuleList {
    /// A list has no forward: an Argument error (call its modules).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "ModuleList: has no forward; call its modules (get(i), iter())"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        prefixed(self.modules.iter().enumerate(), |m| m.named_parameters())
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        prefixed(self.modules.iter().enumerate(), |m| m.named_buffers())
    }
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        prefixed_state(self.modules.iter().enumerate())
    }
    fn set_training(&self, training: bool) {
        for module in &self.modules {
            module.set_training(training);
        }
    }
}

/// `named` with `prefix.` before each name: what a module does with its
/// submodules' parameters (`fc` and `weight` make `fc.weight`).
pub fn with_prefix<V>(prefix: &str, named: Vec<(String, V)>) -> Vec<(String, V)> {
    named
        .into_iter()
        .map(|(n, v)| (format!("{prefix}.{n}"), v))
        .collect()
}

/// Each submodule's state dict with `index.` before the names, module by
/// module (parameters then buffers of each), as PyTorch orders it.
fn prefixed_state<'a>(
    modules: impl Iterator<Item = (usize, &'a Box<dyn Module>)>,
) -> Vec<(String, Tensor)> {
    modules
        .flat_map(|(i, m)| {
            m.state_dict()
                .into_iter()
                .map(move |(n, t)| (format!("{i}.{n}"), t))
        })
        .collect()
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
