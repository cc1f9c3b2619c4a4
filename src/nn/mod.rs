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

mod activation;
mod attention;
mod container;
mod conv;
mod distance;
mod dropout;
mod embedding;
mod flatten;
pub mod init;
mod linear;
mod loss;
mod norm;
mod padding;
mod pool;
pub mod prune;
mod rnn;
mod transformer;
pub mod utils;

pub use activation::*;
pub use container::*;
pub use conv::*;
pub use distance::*;
pub use dropout::*;
pub use embedding::*;
pub use flatten::*;
pub use linear::*;
pub use loss::*;
pub use norm::*;
pub use padding::*;
pub use pool::*;
pub use rnn::*;

pub use attention::{
    multi_head_attention_forward, AttentionArgs, AttentionParams, MultiheadAttention,
    MultiheadAttentionOptions,
};
pub use transformer::{
    nested_padding, nested_tensor_warning, square_subsequent_mask, Activation, Masks,
    NestedTensorConditions, Transformer, TransformerDecoder, TransformerDecoderLayer,
    TransformerEncoder, TransformerEncoderLayer, TransformerOptions,
};

use crate::error::{Error, ErrorKind, Result};
use crate::{DType, Device, Tensor, TensorOptions, Variable};

/// A parameter: a leaf Variable that requires grad, which modules register.
pub type Parameter = Variable;

/// What is wrong with a state dict for a module, as PyTorch's
/// `load_state_dict` reports it: its phrases ("Missing key(s) in
/// state_dict", "size mismatch for"), on one line. Python's
/// `Module.load_state_dict` reports through this too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StateDictProblems {
    pub missing: Vec<String>,
    pub unexpected: Vec<String>,
    /// `(name, shape in the state dict, shape in the module)`.
    pub misshaped: Vec<(String, Vec<i64>, Vec<i64>)>,
    /// `(name, what it is instead)`: values that are not tensors.
    pub not_tensors: Vec<(String, String)>,
    /// Other problems, each a sentence (what a Python module's
    /// `_load_from_state_dict` reported).
    pub others: Vec<String>,
}

impl StateDictProblems {
    /// The Argument error listing every problem, for the module named
    /// `module`; None when there is none.
    pub fn error(&self, module: &str) -> Option<Error> {
        let keys = |names: &[String]| {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            quoted.join(", ")
        };
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "Missing key(s) in state_dict: {}.",
                keys(&self.missing)
            ));
        }
        if !self.unexpected.is_empty() {
            parts.push(format!(
                "Unexpected key(s) in state_dict: {}.",
                keys(&self.unexpected)
            ));
        }
        for (name, got) in &self.not_tensors {
            parts.push(format!("{name} is {got}, not a flodl tensor."));
        }
        for (name, loaded, own) in &self.misshaped {
            parts.push(format!(
                "size mismatch for {name}: copying a param with shape {loaded:?} from \
                 checkpoint, the shape in current model is {own:?}."
            ));
        }
        parts.extend(self.others.iter().cloned());
        (!parts.is_empty()).then(|| {
            Error::new(
                ErrorKind::Argument,
                format!(
                    "Error(s) in loading state_dict for {module}: {}",
                    parts.join(" ")
                ),
            )
        })
    }
}

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

    /// The layer's name, as PyTorch's class name (`"Linear"`, ...): the
    /// type's name without its path or parameters, unless the layer says.
    fn name(&self) -> String {
        let full = std::any::type_name::<Self>();
        let bare = full.split('<').next().unwrap_or(full);
        bare.rsplit("::").next().unwrap_or(bare).to_string()
    }

    /// The layer's settings as PyTorch's `extra_repr` writes them
    /// (`in_features=5, out_features=4, bias=True`): what its repr shows
    /// inside the parentheses. Empty for a layer without settings.
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// The submodules by name, in PyTorch's registration order: what the
    /// repr lists below the settings (a transformer stack, which holds its
    /// layers in a `Vec`, prints them as PyTorch's `ModuleList` from its own
    /// `repr` and has no children here).
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        Vec::new()
    }

    /// The layer as PyTorch's `repr` prints it: `Linear(in_features=5,
    /// out_features=4, bias=True)`, or the name with the settings and then
    /// each child on its own indented line.
    fn repr(&self) -> String {
        let children = self.named_children();
        let child_lines = children
            .iter()
            .map(|(name, child)| format!("({name}): {}", indent(&child.repr())));
        nested_repr(&self.name(), &self.extra_repr(), child_lines.collect())
    }

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
        let misshaped: Vec<(String, Vec<i64>, Vec<i64>)> = own
            .iter()
            .filter_map(|(n, v)| {
                let t = find(n)?;
                (t.shape() != v.shape()).then(|| (n.clone(), t.shape(), v.shape()))
            })
            .collect();
        let problems = StateDictProblems {
            missing: if strict { missing.clone() } else { Vec::new() },
            unexpected: if strict {
                unexpected.clone()
            } else {
                Vec::new()
            },
            misshaped,
            not_tensors: Vec::new(),
            others: Vec::new(),
        };
        if let Some(error) = problems.error(&self.name()) {
            return Err(error);
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

/// `name(settings)`, or with child lines: the name, the settings' lines and
/// the children's, each indented by two spaces, as PyTorch's
/// `Module.__repr__` lays them out.
pub(crate) fn nested_repr(name: &str, extra: &str, child_lines: Vec<String>) -> String {
    let extra_lines: Vec<&str> = if extra.is_empty() {
        Vec::new()
    } else {
        extra.split('\n').collect()
    };
    if child_lines.is_empty() && extra_lines.len() <= 1 {
        return format!("{name}({extra})");
    }
    let lines: Vec<&str> = extra_lines
        .into_iter()
        .chain(child_lines.iter().map(String::as_str))
        .collect();
    format!("{name}(\n  {}\n)", lines.join("\n  "))
}

/// A `ModuleList` of modules with these reprs, as PyTorch prints it: a run
/// of equal reprs prints once, as `(0-1): 2 x Module(...)`.
pub(crate) fn list_repr(reprs: &[String]) -> String {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < reprs.len() {
        let end = start
            + reprs[start..]
                .iter()
                .take_while(|r| **r == reprs[start])
                .count();
        let label = if end - start == 1 {
            format!("({start}): ")
        } else {
            format!("({start}-{}): {} x ", end - 1, end - start)
        };
        lines.push(indent(&(label + &reprs[start])));
        start = end;
    }
    nested_repr("ModuleList", "", lines)
}

/// Every line of `text` after the first indented by two spaces (a child's
/// repr inside its parent's).
pub(crate) fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

/// `x` as Python's `repr(float)` writes it (`0.1`, `1e-05`, `1.0`), so
/// that a layer describes itself as PyTorch prints it.
pub(crate) fn py_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    // Rust's `{:e}` and `{}` print the shortest digits that round-trip, as
    // Python's repr does; Python switches to an exponent outside [1e-4, 1e16).
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let fixed = format!("{x}");
        if fixed.contains('.') {
            fixed
        } else {
            fixed + ".0"
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    }
}

/// `v` as Python prints a tuple: `(3, 3)`, `(3,)`.
pub(crate) fn py_tuple(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    if items.len() == 1 {
        format!("({},)", items[0])
    } else {
        format!("({})", items.join(", "))
    }
}

/// `b` as Python writes it.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A new parameter of `shape`, to be filled by one of [`init`]'s layer
/// recipes.
fn empty_parameter(shape: &[i64]) -> Result<Parameter> {
    Variable::new(Tensor::empty(shape, TensorOptions::default())?, true)
}

/// A linear or convolution layer's weight of `weight_shape` and, with
/// `bias`, its bias of `out` values, started by [`init::layer_default_`].
fn layer_parameters(
    weight_shape: &[i64],
    bias: bool,
    out: i64,
) -> Result<(Parameter, Option<Parameter>)> {
    let weight = empty_parameter(weight_shape)?;
    let bias = bias.then(|| empty_parameter(&[out])).transpose()?;
    init::layer_default_(&weight, bias.as_ref())?;
    Ok((weight, bias))
}

/// `(name, parameter)` for each parameter that is there.
fn named(pairs: &[(&str, Option<&Parameter>)]) -> Vec<(String, Parameter)> {
    pairs
        .iter()
        .filter_map(|(n, p)| p.map(|p| (n.to_string(), p.clone())))
        .collect()
}

/// A shape error of a layer's op (or its op's index error on an input of
/// too few dims) as the layer's: `context()`, made only on failure, names
/// the layer and the input it expects, as Python's layers word it.
fn in_layer<T>(context: impl FnOnce() -> String, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e.kind() {
        crate::ErrorKind::Shape | crate::ErrorKind::Index => {
            crate::Error::new(crate::ErrorKind::Shape, context())
        }
        _ => e,
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
