//! Activations as modules, as `torch.nn`'s: every one Python's `flodl.nn`
//! has, with PyTorch's options as public fields and its defaults
//! (`Default`; `new` where PyTorch has required arguments), printing
//! PyTorch's repr (`LeakyReLU(negative_slope=0.2)`).
//!
//! `inplace`: as PyTorch's, the activations that take it change their
//! input in its own memory and return it (`relu_`, `hardtanh_`, ...).
//!
//! `nn::ReLU`, `nn::GELU` and `nn::SiLU` are also constants holding
//! PyTorch's defaults, so `Sequential::new().add(nn::ReLU)` reads as it
//! did when these had no options.

use super::{py_bool, py_float, Module, Parameter};
use crate::error::{bail, Result};
use crate::{Tensor, TensorOptions, Variable};

/// Declares activation modules without parameters: each is a struct of
/// its options (a unit struct when it has none), `Default` when every
/// option has a default, and a [`Module`] whose `extra_repr` is the
/// `repr` expression (empty if left out) and whose `forward` is the
/// `forward` expression, with `$s` the module and `$x` the input.
macro_rules! activations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident { $( $(#[doc = $fdoc:literal])* $field:ident: $ty:ty $(= $default:expr)? ),* $(,)? }
        $(repr |$r:tt| $repr:expr;)?
        forward |$s:tt, $x:tt| $body:expr;
    )*) => {$(
        activations!(@struct [$(#[doc = $doc])*] $name { $( [$(#[doc = $fdoc])*] $field: $ty ),* });
        activations!(@default $name { $($field $(= $default)?),* });

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let ($s, $x) = (self, input);
                $body
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                activations!(@repr self $(, |$r| $repr)?)
            }
        }
    )*};
    (@repr $this:expr, |$r:tt| $repr:expr) => {{
        let $r = $this;
        String::from($repr)
    }};
    (@repr $this:expr) => {
        String::new()
    };
    (@struct [$($doc:tt)*] $name:ident {}) => {
        $($doc)*
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        pub struct $name;
    };
    (@struct [$($doc:tt)*] $name:ident { $( [$($fdoc:tt)*] $field:ident: $ty:ty ),+ }) => {
        $($doc)*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            $( $($fdoc)* pub $field: $ty, )+
        }
    };
    // `Default` when every option has one (a unit struct derives it).
    (@default $name:ident {}) => {};
    (@default $name:ident { $($field:ident = $default:expr),+ }) => {
        impl Default for $name {
            /// PyTorch's defaults.
            fn default() -> Self {
                $name { $($field: $default),+ }
            }
        }
    };
    (@default $($rest:tt)*) => {};
}

activations! {
    /// `max(x, 0)`, as `torch.nn.ReLU` (with `inplace`, in the input's own
    /// memory, as every activation with that option).
    ReLU {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| inplace_only(m.inplace);
    forward |m, x| in_place_or(x, m.inplace, Variable::relu_, Variable::relu);

    /// `min(max(x, 0), 6)`, as `torch.nn.ReLU6`: with `inplace`, in the
    /// input's own memory.
    ReLU6 {
        /// Clamp the input in place (default false).
        inplace: bool = false,
    }
    repr |m| inplace_only(m.inplace);
    forward |m, x| crate::relu6(x, m.inplace);

    /// Scaled ELU with PyTorch's constants, as `torch.nn.SELU`.
    SELU {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| inplace_only(m.inplace);
    forward |m, x| in_place_or(x, m.inplace, Variable::selu_, Variable::selu);

    /// `x * sigmoid(x)`, as `torch.nn.SiLU`.
    SiLU {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| inplace_only(m.inplace);
    forward |m, x| in_place_or(x, m.inplace, Variable::silu_, Variable::silu);

    /// `x * tanh(softplus(x))`, as `torch.nn.Mish`.
    Mish {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| inplace_only(m.inplace);
    forward |m, x| in_place_or(x, m.inplace, Variable::mish_, Variable::mish);

    /// `clamp(x / 6 + 1/2, 0, 1)`, as `torch.nn.Hardsigmoid` (whose repr
    /// never shows `inplace`).
    Hardsigmoid {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    forward |m, x| in_place_or(x, m.inplace, Variable::hardsigmoid_, Variable::hardsigmoid);

    /// `x * hardsigmoid(x)`, as `torch.nn.Hardswish` (whose repr never
    /// shows `inplace`).
    Hardswish {
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    forward |m, x| in_place_or(x, m.inplace, Variable::hardswish_, Variable::hardswish);

    /// `x` clamped into `[min_val, max_val]`, as `torch.nn.Hardtanh` (a
    /// value exactly at a bound passes no gradient): with `inplace`, in the
    /// input's own memory.
    Hardtanh {
        /// The lower bound (default -1).
        min_val: f64 = -1.0,
        /// The upper bound (default 1), above `min_val`.
        max_val: f64 = 1.0,
        /// Clamp the input in place (default false).
        inplace: bool = false,
    }
    repr |m| format!(
        "min_val={}, max_val={}{}",
        py_float(m.min_val),
        py_float(m.max_val),
        inplace_suffix(m.inplace)
    );
    forward |m, x| crate::hardtanh(x, m.min_val, m.max_val, m.inplace);

    /// `x` where positive, `negative_slope * x` elsewhere, as
    /// `torch.nn.LeakyReLU`.
    LeakyReLU {
        /// The slope below 0 (default 0.01).
        negative_slope: f64 = 0.01,
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| format!("negative_slope={}{}", py_float(m.negative_slope), inplace_suffix(m.inplace));
    forward |m, x| in_place_or(
        x,
        m.inplace,
        |x| x.leaky_relu_(m.negative_slope),
        |x| x.leaky_relu(m.negative_slope),
    );

    /// `x` where positive, `alpha * (exp(x) - 1)` elsewhere, as
    /// `torch.nn.ELU`.
    ELU {
        /// The scale of the negative part (default 1).
        alpha: f64 = 1.0,
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| format!("alpha={}{}", py_float(m.alpha), inplace_suffix(m.inplace));
    forward |m, x| in_place_or(x, m.inplace, |x| x.elu_(m.alpha), |x| x.elu(m.alpha));

    /// `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`, as
    /// `torch.nn.CELU` (with `inplace`, in the input's own memory).
    CELU {
        /// The scale of the negative part (default 1).
        alpha: f64 = 1.0,
        /// Changes the input in place (default false).
        inplace: bool = false,
    }
    repr |m| format!("alpha={}{}", py_float(m.alpha), inplace_suffix(m.inplace));
    forward |m, x| crate::celu(x, m.alpha, m.inplace);

    /// `x` where greater than `threshold`, `value` elsewhere, as
    /// `torch.nn.Threshold` (which has no defaults: [`Threshold::new`];
    /// with `inplace`, in the input's own memory).
    Threshold {
        /// Values at or below it are replaced.
        threshold: f64,
        /// What replaces them.
        value: f64,
        /// Changes the input in place (default false).
        inplace: bool,
    }
    repr |m| format!(
        "threshold={}, value={}{}",
        py_float(m.threshold),
        py_float(m.value),
        inplace_suffix(m.inplace)
    );
    forward |m, x| crate::threshold(x, m.threshold, m.value, m.inplace);

    /// GELU, as `torch.nn.GELU`: the exact (erf) form, or the tanh
    /// approximation.
    GELU {
        /// `"none"` (the default) or `"tanh"`.
        approximate: GeluApproximate = GeluApproximate::None,
    }
    repr |m| format!("approximate='{}'", m.approximate);
    forward |m, x| match m.approximate {
        GeluApproximate::None => x.gelu(),
        GeluApproximate::Tanh => x.gelu_tanh(),
    };

    /// `log(1 + exp(beta * x)) / beta`, linear above `threshold`, as
    /// `torch.nn.Softplus`.
    Softplus {
        /// The sharpness (default 1).
        beta: f64 = 1.0,
        /// Where `beta * x` is above it, `x` itself (default 20).
        threshold: f64 = 20.0,
    }
    repr |m| format!("beta={}, threshold={}", py_float(m.beta), py_float(m.threshold));
    forward |m, x| x.softplus(m.beta, m.threshold);

    /// `x` where `|x| > lambd`, 0 elsewhere, as `torch.nn.Hardshrink`.
    Hardshrink {
        /// The half-width of the band set to 0 (default 0.5).
        lambd: f64 = 0.5,
    }
    repr |m| py_float(m.lambd);
    forward |m, x| crate::hardshrink(x, m.lambd);

    /// `x` moved `lambd` towards 0, and 0 within `lambd` of it, as
    /// `torch.nn.Softshrink` (`lambd` at least 0).
    Softshrink {
        /// The half-width of the band set to 0 (default 0.5).
        lambd: f64 = 0.5,
    }
    repr |m| py_float(m.lambd);
    forward |m, x| crate::softshrink(x, m.lambd);

    /// `a * sigmoid(b)` for the halves `a`, `b` of the input along `dim`,
    /// as `torch.nn.GLU`.
    GLU {
        /// The dim halved (default -1, the last); its size must be even.
        dim: i64 = -1,
    }
    repr |m| format!("dim={}", m.dim);
    forward |m, x| crate::glu(x, m.dim);

    /// Softmax along `dim`, as `torch.nn.Softmax`: with no dim, PyTorch's
    /// legacy choice (dim 0 of a 0-, 1- or 3-d input, else dim 1).
    Softmax {
        /// The dim the values sum to 1 along (default None: see above).
        dim: Option<i64> = None,
    }
    repr |m| dim_repr(m.dim);
    forward |m, x| x.softmax(softmax_dim(m.dim, x));

    /// Softmax over the channels of each location: dim -3 of a 3-d or
    /// 4-d input, as `torch.nn.Softmax2d`.
    Softmax2d {}
    forward |_m, x| {
        if !matches!(x.shape().len(), 3 | 4) {
            crate::error::bail!(
                Shape,
                "Softmax2d: takes a 3-d or 4-d input, got shape {:?}",
                x.shape()
            );
        }
        x.softmax(-3)
    };

    /// The log of the softmax along `dim`, computed stably, as
    /// `torch.nn.LogSoftmax` (no dim: as [`Softmax`]).
    LogSoftmax {
        /// The dim of the softmax (default None: as [`Softmax`]).
        dim: Option<i64> = None,
    }
    repr |m| dim_repr(m.dim);
    forward |m, x| x.log_softmax(softmax_dim(m.dim, x));

    /// The softmax of `-x` along `dim`, as `torch.nn.Softmin` (no dim: as
    /// [`Softmax`]).
    Softmin {
        /// The dim of the softmax (default None: as [`Softmax`]).
        dim: Option<i64> = None,
    }
    repr |m| dim_repr(m.dim);
    forward |m, x| x.neg()?.softmax(softmax_dim(m.dim, x));

    /// Hyperbolic tangent, as `torch.nn.Tanh`.
    Tanh {}
    forward |_, x| x.tanh();

    /// `1 / (1 + exp(-x))`, as `torch.nn.Sigmoid`.
    Sigmoid {}
    forward |_, x| x.sigmoid();

    /// `log(sigmoid(x))`, computed stably, as `torch.nn.LogSigmoid`.
    LogSigmoid {}
    forward |_, x| crate::logsigmoid(x);

    /// `x / (1 + |x|)`, as `torch.nn.Softsign`.
    Softsign {}
    forward |_, x| crate::softsign(x);

    /// `x - tanh(x)`, as `torch.nn.Tanhshrink`.
    Tanhshrink {}
    forward |_, x| crate::tanhshrink(x);
}

/// `nn::ReLU` as a value: a [`struct@ReLU`] with PyTorch's defaults.
#[allow(non_upper_case_globals)] // the name of the type, as a value
pub const ReLU: ReLU = ReLU { inplace: false };

/// `nn::GELU` as a value: a [`struct@GELU`] with PyTorch's defaults (the exact form).
#[allow(non_upper_case_globals)] // the name of the type, as a value
pub const GELU: GELU = GELU {
    approximate: GeluApproximate::None,
};

/// `nn::SiLU` as a value: a [`struct@SiLU`] with PyTorch's defaults.
#[allow(non_upper_case_globals)] // the name of the type, as a value
pub const SiLU: SiLU = SiLU { inplace: false };

impl Threshold {
    /// `x` where greater than `threshold`, `value` elsewhere, not in place,
    /// as `torch.nn.Threshold(threshold, value)`.
    pub fn new(threshold: f64, value: f64) -> Self {
        Threshold {
            threshold,
            value,
            inplace: false,
        }
    }
}

impl Hardtanh {
    /// `torch.nn.Hardtanh(min_val, max_val)`: an Argument error unless
    /// `max_val > min_val`, as PyTorch asserts (a struct literal is not
    /// checked, as PyTorch's attributes set later are not).
    pub fn new(min_val: f64, max_val: f64) -> Result<Self> {
        // As PyTorch's `assert max_val > min_val`: a NaN fails it too.
        if max_val.partial_cmp(&min_val) != Some(std::cmp::Ordering::Greater) {
            bail!(
                Argument,
                "Hardtanh: max_val must be greater than min_val, got min_val={} and max_val={}",
                py_float(min_val),
                py_float(max_val)
            );
        }
        Ok(Hardtanh {
            min_val,
            max_val,
            inplace: false,
        })
    }
}

/// How [`struct@GELU`] computes: PyTorch's `approximate` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GeluApproximate {
    /// The exact form, `x * Phi(x)` with the normal CDF (`"none"`).
    #[default]
    None,
    /// The tanh approximation (`"tanh"`).
    Tanh,
}

impl std::fmt::Display for GeluApproximate {
    /// PyTorch's name: `none` or `tanh`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GeluApproximate::None => "none",
            GeluApproximate::Tanh => "tanh",
        })
    }
}

impl std::str::FromStr for GeluApproximate {
    type Err = crate::Error;
    /// `"none"` or `"tanh"`; anything else is an Argument error.
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "none" => Ok(GeluApproximate::None),
            "tanh" => Ok(GeluApproximate::Tanh),
            _ => bail!(
                Argument,
                "GELU: approximate must be 'none' or 'tanh', got {text:?}"
            ),
        }
    }
}

/// `x` where positive, `weight * x` elsewhere, as `torch.nn.PReLU`: one
/// learned weight, or one per channel (dim 1 of the input).
#[derive(Debug, Clone)]
pub struct PReLU {
    /// How many weights: 1, or the number of channels.
    pub num_parameters: i64,
    /// The weights' starting value.
    pub init: f64,
    /// The `[num_parameters]` weights.
    pub weight: Parameter,
}

impl PReLU {
    /// `num_parameters` weights, each `init`, as
    /// `torch.nn.PReLU(num_parameters, init)` (PyTorch's defaults: 1 and
    /// 0.25).
    pub fn new(num_parameters: i64, init: f64) -> Result<Self> {
        let data = Tensor::full(&[num_parameters], init, TensorOptions::default())?;
        Ok(PReLU {
            num_parameters,
            init,
            weight: Variable::new(data, true)?,
        })
    }
}

impl Module for PReLU {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        input.prelu(&self.weight)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        vec![("weight".to_string(), self.weight.clone())]
    }
    fn extra_repr(&self) -> String {
        format!("num_parameters={}", self.num_parameters)
    }
}

/// `x` changed by `change` in its own memory and returned (`inplace`), or
/// a new Variable from `compute`.
fn in_place_or(
    x: &Variable,
    inplace: bool,
    change: impl FnOnce(&Variable) -> Result<()>,
    compute: impl FnOnce(&Variable) -> Result<Variable>,
) -> Result<Variable> {
    if inplace {
        change(x)?;
        Ok(x.clone())
    } else {
        compute(x)
    }
}

/// `inplace=True` when set, else nothing (a repr with only that option).
fn inplace_only(inplace: bool) -> String {
    if inplace {
        format!("inplace={}", py_bool(true))
    } else {
        String::new()
    }
}

/// `, inplace=True` when set, else nothing (after other options).
fn inplace_suffix(inplace: bool) -> &'static str {
    if inplace {
        ", inplace=True"
    } else {
        ""
    }
}

/// `dim=1`, or `dim=None`.
fn dim_repr(dim: Option<i64>) -> String {
    match dim {
        Some(d) => format!("dim={d}"),
        None => "dim=None".to_string(),
    }
}

/// `dim`, or PyTorch's legacy implicit one for an input of `ndim` dims.
fn softmax_dim(dim: Option<i64>, input: &Variable) -> i64 {
    dim.unwrap_or_else(|| implicit_softmax_dim(input.ndim()))
}

/// The dim a softmax without one runs along, as PyTorch's legacy rule
/// (`torch.nn.functional._get_softmax_dim`): 0 for a 0-, 1- or 3-d input,
/// else 1. Python's `F.softmax(x)` asks it too.
pub fn implicit_softmax_dim(ndim: usize) -> i64 {
    match ndim {
        0 | 1 | 3 => 0,
        _ => 1,
    }
}
