//! Convolutions: `Conv1d/2d/3d` and `ConvTranspose1d/2d/3d`, initialised as
//! PyTorch's (same draws in the same order). A convolution's forward is
//! [`conv_forward`] on its [`ConvSpec`] and weights, which Python's classes
//! call too.

use super::{named, py_bool, py_tuple, Module, Parameter};
use crate::error::{bail, ensure, Error, Result};
use crate::{ErrorKind, PadMode, Variable};

/// How a convolution pads its input: sizes per spatial dim, or PyTorch's
/// `"same"` (the output as large as the input; stride 1 only) and
/// `"valid"` (no padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvPadding {
    Explicit(Vec<i64>),
    Same,
    Valid,
}

impl<const N: usize> From<[i64; N]> for ConvPadding {
    fn from(sizes: [i64; N]) -> Self {
        ConvPadding::Explicit(sizes.to_vec())
    }
}

/// What a convolution is besides its weights: PyTorch's attributes of
/// `Conv2d`, `ConvTranspose2d`, ... (`padding_mode` zeros is
/// [`PadMode::Constant`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ConvSpec {
    pub in_channels: i64,
    pub out_channels: i64,
    pub kernel_size: Vec<i64>,
    pub stride: Vec<i64>,
    pub padding: ConvPadding,
    pub dilation: Vec<i64>,
    pub transposed: bool,
    pub output_padding: Vec<i64>,
    pub groups: i64,
    pub bias: bool,
    pub padding_mode: PadMode,
}

impl ConvSpec {
    fn dims(&self) -> usize {
        self.kernel_size.len()
    }

    /// The layer's name, as PyTorch's class (`Conv2d`, `ConvTranspose1d`).
    pub fn name(&self) -> String {
        let kind = if self.transposed {
            "ConvTranspose"
        } else {
            "Conv"
        };
        format!("{kind}{}d", self.dims())
    }

    /// The layer as PyTorch prints it, which its error messages start with.
    pub fn describe(&self) -> String {
        format!("{}({})", self.name(), self.extra_repr())
    }

    /// The settings PyTorch's `extra_repr` shows (those off their default).
    pub fn extra_repr(&self) -> String {
        let n = self.dims();
        let mut s = format!(
            "{}, {}, kernel_size={}, stride={}",
            self.in_channels,
            self.out_channels,
            py_tuple(&self.kernel_size),
            py_tuple(&self.stride)
        );
        match &self.padding {
            ConvPadding::Explicit(p) if p.iter().any(|&p| p != 0) => {
                s += &format!(", padding={}", py_tuple(p))
            }
            ConvPadding::Explicit(_) => {}
            ConvPadding::Same => s += ", padding=same",
            ConvPadding::Valid => s += ", padding=valid",
        }
        if self.dilation != vec![1; n] {
            s += &format!(", dilation={}", py_tuple(&self.dilation));
        }
        if self.output_padding != vec![0; n] {
            s += &format!(", output_padding={}", py_tuple(&self.output_padding));
        }
        if self.groups != 1 {
            s += &format!(", groups={}", self.groups);
        }
        if !self.bias {
            s += &format!(", bias={}", py_bool(false));
        }
        if self.padding_mode != PadMode::Constant {
            s += &format!(", padding_mode={}", self.padding_mode_name());
        }
        s
    }

    /// PyTorch's name of the padding mode (`"zeros"` for constant).
    pub fn padding_mode_name(&self) -> &'static str {
        match self.padding_mode {
            PadMode::Constant => "zeros",
            mode => crate::ops::nn::Mode::name(mode),
        }
    }

    /// The options PyTorch accepts (an Argument error naming the layer
    /// otherwise).
    pub fn check(&self) -> Result<()> {
        let (name, n) = (self.name(), self.dims());
        ensure!(
            (1..=3).contains(&n),
            Argument,
            "{name}: kernel_size must have 1 to 3 values, got {:?}",
            self.kernel_size
        );
        let explicit = match &self.padding {
            ConvPadding::Explicit(p) => p.clone(),
            _ => vec![0; n],
        };
        for (what, values) in [
            ("stride", &self.stride),
            ("dilation", &self.dilation),
            ("padding", &explicit),
            ("output_padding", &self.output_padding),
        ] {
            ensure!(
                values.len() == n,
                Argument,
                "{name}: expected {n} values of {what}, got {values:?}"
            );
        }
        ensure!(
            self.kernel_size.iter().all(|&k| k > 0)
                && self.stride.iter().all(|&s| s > 0)
                && self.dilation.iter().all(|&d| d > 0)
                && explicit.iter().all(|&p| p >= 0),
            Argument,
            "{name}: kernel_size, stride and dilation must be positive and padding not negative, got {}",
            self.describe()
        );
        ensure!(
            self.groups > 0,
            Argument,
            "{name}: groups must be a positive integer"
        );
        ensure!(
            self.in_channels % self.groups == 0,
            Argument,
            "{name}: in_channels must be divisible by groups"
        );
        ensure!(
            self.out_channels % self.groups == 0,
            Argument,
            "{name}: out_channels must be divisible by groups"
        );
        if self.transposed {
            ensure!(
                matches!(self.padding, ConvPadding::Explicit(_)),
                Argument,
                "{name}: padding must be sizes, not 'same' or 'valid'"
            );
            ensure!(
                self.padding_mode == PadMode::Constant,
                Argument,
                "{name}: only the 'zeros' padding mode is supported"
            );
        } else {
            ensure!(
                self.output_padding.iter().all(|&p| p == 0),
                Argument,
                "{name}: output_padding is for transposed convolutions"
            );
        }
        ensure!(
            self.padding != ConvPadding::Same || self.stride.iter().all(|&s| s == 1),
            Argument,
            "{name}: padding='same' is not supported for strided convolutions"
        );
        Ok(())
    }

    /// The weight's shape: `[out, in / groups, kernel...]` (transposed:
    /// `[in, out / groups, kernel...]`), after checking the options.
    pub fn weight_shape(&self) -> Result<Vec<i64>> {
        self.check()?;
        let (a, b) = if self.transposed {
            (self.in_channels, self.out_channels)
        } else {
            (self.out_channels, self.in_channels)
        };
        let mut shape = vec![a, b / self.groups];
        shape.extend(&self.kernel_size);
        Ok(shape)
    }

    /// The spatial dims' names, for messages.
    fn layout(&self) -> String {
        let dims = ["L", "H, W", "D, H, W"][self.dims().clamp(1, 3) - 1];
        format!("[N, {c}, {dims}] or [{c}, {dims}]", c = self.in_channels)
    }

    /// Each spatial dim's padding before and after (`"same"` puts the odd
    /// one after, as PyTorch).
    fn padding_pairs(&self) -> Vec<(i64, i64)> {
        match &self.padding {
            ConvPadding::Explicit(p) => p.iter().map(|&p| (p, p)).collect(),
            ConvPadding::Valid => vec![(0, 0); self.dims()],
            ConvPadding::Same => self
                .dilation
                .iter()
                .zip(&self.kernel_size)
                .map(|(d, k)| {
                    let total = d * (k - 1);
                    (total / 2, total - total / 2)
                })
                .collect(),
        }
    }

    /// A transposed convolution's `output_padding` for `output_size` (the
    /// spatial sizes, or with the batch and channel dims too), as PyTorch
    /// computes it.
    fn output_padding_for(&self, input: &[i64], output_size: &[i64]) -> Result<Vec<i64>> {
        let n = self.dims();
        let name = self.name();
        let spatial_start = input.len().saturating_sub(n);
        let size = match output_size.len() {
            len if len == n => output_size,
            len if len == input.len() && len > n => &output_size[len - n..],
            _ => bail!(
                Argument,
                "{name}: for {}D input, output_size must have {n} or {} elements (got {})",
                input.len(),
                input.len(),
                output_size.len()
            ),
        };
        let pads = self.padding_pairs();
        let mut result = Vec::with_capacity(n);
        for d in 0..n {
            let smallest = (input[spatial_start + d] - 1) * self.stride[d] - 2 * pads[d].0
                + self.dilation[d] * (self.kernel_size[d] - 1)
                + 1;
            let largest = smallest + self.stride[d] - 1;
            ensure!(
                (smallest..=largest).contains(&size[d]),
                Argument,
                "{name}: requested an output size of {size:?}, but valid sizes range from {smallest} to {largest} (for an input of {:?})",
                &input[spatial_start..]
            );
            result.push(size[d] - smallest);
        }
        Ok(result)
    }
}

/// The convolution `spec` with `weight` and `bias` on `input` (batched or
/// not), as PyTorch's `Conv2d.forward` and `ConvTranspose2d.forward`
/// (`output_size` picks a transposed convolution's output size). A shape
/// error starts with `layer()`.
pub fn conv_forward(
    layer: &dyn Fn() -> String,
    spec: &ConvSpec,
    input: &Variable,
    weight: &Variable,
    bias: Option<&Variable>,
    output_size: Option<&[i64]>,
) -> Result<Variable> {
    spec.check()?;
    let shape = input.shape();
    let n = spec.dims();
    ensure!(
        shape.len() == n + 1 || shape.len() == n + 2,
        Shape,
        "{}: expected input {}, got {shape:?}",
        layer(),
        spec.layout()
    );
    let context = || {
        format!(
            "{}: expected input {}, got {shape:?}",
            layer(),
            spec.layout()
        )
    };
    let (s, d, g) = (&spec.stride, &spec.dilation, spec.groups);
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    let pair = |v: &[i64]| [at(v, 0), at(v, 1)];
    let triple = |v: &[i64]| [at(v, 0), at(v, 1), at(v, 2)];
    if spec.transposed {
        let output_padding = match output_size {
            Some(size) => spec.output_padding_for(&shape, size)?,
            None => spec.output_padding.clone(),
        };
        let p: Vec<i64> = spec
            .padding_pairs()
            .iter()
            .map(|(before, _)| *before)
            .collect();
        let o = &output_padding;
        // PyTorch's order: groups before dilation.
        let result = match n {
            1 => crate::conv_transpose1d(input, weight, bias, s[0], p[0], o[0], g, d[0]),
            2 => {
                crate::conv_transpose2d(input, weight, bias, pair(s), pair(&p), pair(o), g, pair(d))
            }
            _ => crate::conv_transpose3d(
                input,
                weight,
                bias,
                triple(s),
                triple(&p),
                triple(o),
                g,
                triple(d),
            ),
        };
        return in_conv(context, result);
    }
    ensure!(
        output_size.is_none(),
        Argument,
        "{}: output_size is for transposed convolutions",
        spec.name()
    );
    // The padding the op cannot do (another mode, or uneven "same") is
    // applied to the input first, the last dim's pair first as `pad` takes it.
    let pairs = spec.padding_pairs();
    let (mode, symmetric) = match spec.padding_mode {
        PadMode::Constant => (PadMode::Constant, pairs.iter().map(|(b, _)| *b).collect()),
        mode => (mode, vec![0; n]),
    };
    let pre: Vec<i64> = pairs
        .iter()
        .zip(&symmetric)
        .rev()
        .flat_map(|(&(before, after), &kept)| [before - kept, after - kept])
        .collect();
    let padded = if pre.iter().any(|&p| p != 0) {
        let value = (mode == PadMode::Constant).then_some(0.0);
        in_conv(context, input.pad(&pre, mode, value))?
    } else {
        input.clone()
    };
    let p = &symmetric;
    let result = match n {
        1 => crate::conv1d(&padded, weight, bias, s[0], p[0], d[0], g),
        2 => crate::conv2d(&padded, weight, bias, pair(s), pair(p), pair(d), g),
        _ => crate::conv3d(&padded, weight, bias, triple(s), triple(p), triple(d), g),
    };
    in_conv(context, result)
}

/// A shape error of the convolution op as the layer's, with the op's own
/// words after it: the layout may be right and the sizes not (a kernel
/// larger than the padded input).
fn in_conv<T>(context: impl FnOnce() -> String, result: Result<T>) -> Result<T> {
    result.map_err(|e| match e.kind() {
        ErrorKind::Shape | ErrorKind::Index => {
            Error::new(ErrorKind::Shape, format!("{} ({})", context(), e.message()))
        }
        _ => e,
    })
}

/// A convolution's weight and bias for `spec`, started as PyTorch's
/// `reset_parameters` starts them ([`super::init::layer_default_`]).
fn conv_parameters(spec: &ConvSpec) -> Result<(Parameter, Option<Parameter>)> {
    super::layer_parameters(&spec.weight_shape()?, spec.bias, spec.out_channels)
}

/// A convolution's options, with PyTorch's defaults (stride 1, no padding,
/// no dilation, one group, a bias, zeros padding).
#[derive(Debug, Clone, PartialEq)]
pub struct ConvOptions<const N: usize> {
    pub stride: [i64; N],
    pub padding: ConvPadding,
    pub dilation: [i64; N],
    pub groups: i64,
    pub bias: bool,
    /// What pads the input: zeros ([`PadMode::Constant`]) or the input
    /// reflected, replicated or wrapped.
    pub padding_mode: PadMode,
}

impl<const N: usize> Default for ConvOptions<N> {
    fn default() -> Self {
        ConvOptions {
            stride: [1; N],
            padding: ConvPadding::Explicit(vec![0; N]),
            dilation: [1; N],
            groups: 1,
            bias: true,
            padding_mode: PadMode::Constant,
        }
    }
}

/// An `N`-d convolution, as `torch.nn.Conv1d`, `Conv2d` and `Conv3d`.
#[derive(Debug)]
pub struct Conv<const N: usize> {
    pub spec: ConvSpec,
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

/// 1-d convolution over `[N, C, L]`.
pub type Conv1d = Conv<1>;
/// 2-d convolution over `[N, C, H, W]`.
pub type Conv2d = Conv<2>;
/// 3-d convolution over `[N, C, D, H, W]`.
pub type Conv3d = Conv<3>;

impl<const N: usize> Conv<N> {
    /// A kernel of `kernel_size` with `options`.
    pub fn with_options(
        in_channels: i64,
        out_channels: i64,
        kernel_size: [i64; N],
        options: ConvOptions<N>,
    ) -> Result<Self> {
        let spec = ConvSpec {
            in_channels,
            out_channels,
            kernel_size: kernel_size.to_vec(),
            stride: options.stride.to_vec(),
            padding: options.padding,
            dilation: options.dilation.to_vec(),
            transposed: false,
            output_padding: vec![0; N],
            groups: options.groups,
            bias: options.bias,
            padding_mode: options.padding_mode,
        };
        let (weight, bias) = conv_parameters(&spec)?;
        Ok(Conv { spec, weight, bias })
    }

    /// A square (cubic) kernel of `kernel_size` with one `stride` and
    /// `padding` for every dim, and a bias.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let options = ConvOptions {
            stride: [stride; N],
            padding: [padding; N].into(),
            ..Default::default()
        };
        Self::with_options(in_channels, out_channels, [kernel_size; N], options)
    }
}

/// A transposed convolution's options, with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvTransposeOptions<const N: usize> {
    pub stride: [i64; N],
    pub padding: [i64; N],
    pub output_padding: [i64; N],
    pub groups: i64,
    pub bias: bool,
    pub dilation: [i64; N],
}

impl<const N: usize> Default for ConvTransposeOptions<N> {
    fn default() -> Self {
        ConvTransposeOptions {
            stride: [1; N],
            padding: [0; N],
            output_padding: [0; N],
            groups: 1,
            bias: true,
            dilation: [1; N],
        }
    }
}

/// An `N`-d transposed convolution, as `torch.nn.ConvTranspose1d`,
/// `ConvTranspose2d` and `ConvTranspose3d`: weights `[in, out / groups,
/// kernel...]`.
#[derive(Debug)]
pub struct ConvTranspose<const N: usize> {
    pub spec: ConvSpec,
    pub weight: Parameter,
    pub bias: Option<Parameter>,
}

/// 1-d transposed convolution over `[N, C, L]`.
pub type ConvTranspose1d = ConvTranspose<1>;
/// 2-d transposed convolution over `[N, C, H, W]`.
pub type ConvTranspose2d = ConvTranspose<2>;
/// 3-d transposed convolution over `[N, C, D, H, W]`.
pub type ConvTranspose3d = ConvTranspose<3>;

impl<const N: usize> ConvTranspose<N> {
    /// A kernel of `kernel_size` with `options`.
    pub fn with_options(
        in_channels: i64,
        out_channels: i64,
        kernel_size: [i64; N],
        options: ConvTransposeOptions<N>,
    ) -> Result<Self> {
        let spec = ConvSpec {
            in_channels,
            out_channels,
            kernel_size: kernel_size.to_vec(),
            stride: options.stride.to_vec(),
            padding: options.padding.into(),
            dilation: options.dilation.to_vec(),
            transposed: true,
            output_padding: options.output_padding.to_vec(),
            groups: options.groups,
            bias: options.bias,
            padding_mode: PadMode::Constant,
        };
        let (weight, bias) = conv_parameters(&spec)?;
        Ok(ConvTranspose { spec, weight, bias })
    }

    /// A square (cubic) kernel of `kernel_size` with one `stride` and
    /// `padding` for every dim, and a bias.
    pub fn new(
        in_channels: i64,
        out_channels: i64,
        kernel_size: i64,
        stride: i64,
        padding: i64,
    ) -> Result<Self> {
        let options = ConvTransposeOptions {
            stride: [stride; N],
            padding: [padding; N],
            ..Default::default()
        };
        Self::with_options(in_channels, out_channels, [kernel_size; N], options)
    }

    /// The layer on `input` with the output of `output_size` (the spatial
    /// sizes, or all of them), as PyTorch's `forward(input, output_size)`.
    pub fn forward_to_size(&self, input: &Variable, output_size: &[i64]) -> Result<Variable> {
        let describe = || self.spec.describe();
        let bias = self.bias.as_ref();
        conv_forward(
            &describe,
            &self.spec,
            input,
            &self.weight,
            bias,
            Some(output_size),
        )
    }
}

/// Both kinds of convolution are modules through their spec.
macro_rules! conv_module {
    ($($name:ident),*) => {$(
        impl<const N: usize> Module for $name<N> {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let describe = || self.spec.describe();
                let bias = self.bias.as_ref();
                conv_forward(&describe, &self.spec, input, &self.weight, bias, None)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                named(&[("weight", Some(&self.weight)), ("bias", self.bias.as_ref())])
            }
            fn name(&self) -> String {
                self.spec.name()
            }
            fn extra_repr(&self) -> String {
                self.spec.extra_repr()
            }
        }
    )*};
}

conv_module!(Conv, ConvTranspose);
