//! Normalization layers: `LayerNorm`, `GroupNorm`, `BatchNorm1d/2d/3d`,
//! `InstanceNorm1d/2d/3d`, `RMSNorm`, `LocalResponseNorm`. The batch and
//! instance norms' forward is [`batch_norm_forward`] and
//! [`instance_norm_forward`] on their parameters and buffers, which
//! Python's classes call too.

use std::cell::Cell;

use super::{in_layer, named, ones_and_zeros, size, Module, Parameter};
use crate::error::{ensure, Result};
use crate::{DType, Tensor, TensorOptions, Variable};

/// Layer normalization over the trailing dims `normalized_shape`, as
/// `torch.nn.LayerNorm`: a weight of ones and a bias of zeros of that shape
/// (each optional).
#[derive(Debug)]
pub struct LayerNorm {
    pub normalized_shape: Vec<i64>,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub eps: f64,
}

impl LayerNorm {
    /// Over the last dim, of `normalized_size`, with a weight and a bias.
    pub fn new(normalized_size: i64) -> Result<Self> {
        Self::with_shape(&[normalized_size], 1e-5, true, true)
    }

    /// Over the trailing dims `normalized_shape`; `elementwise_affine`
    /// gives the weight, and with it `bias` the bias (PyTorch's options).
    pub fn with_shape(
        normalized_shape: &[i64],
        eps: f64,
        elementwise_affine: bool,
        bias: bool,
    ) -> Result<Self> {
        let opts = TensorOptions::default();
        let (weight, bias) = if elementwise_affine {
            let weight = Variable::new(Tensor::ones(normalized_shape, opts)?, true)?;
            let bias = if bias {
                Some(Variable::new(Tensor::zeros(normalized_shape, opts)?, true)?)
            } else {
                None
            };
            (Some(weight), bias)
        } else {
            (None, None)
        };
        Ok(LayerNorm {
            normalized_shape: normalized_shape.to_vec(),
            weight,
            bias,
            eps,
        })
    }
}

impl Module for LayerNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let shape = &self.normalized_shape;
        in_layer(
            || {
                let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
                format!(
                    "LayerNorm({}, eps={}, elementwise_affine={}): expected input [..., {}], got {:?}",
                    super::py_tuple(shape),
                    super::py_float(self.eps),
                    super::py_bool(self.weight.is_some()),
                    dims.join(", "),
                    input.shape()
                )
            },
            crate::layer_norm(
                input,
                shape,
                self.weight.as_ref(),
                self.bias.as_ref(),
                self.eps,
            ),
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[
            ("weight", self.weight.as_ref()),
            ("bias", self.bias.as_ref()),
        ])
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}, bias={}",
            super::py_tuple(&self.normalized_shape),
            super::py_float(self.eps),
            super::py_bool(self.weight.is_some()),
            super::py_bool(self.bias.is_some())
        )
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
    fn extra_repr(&self) -> String {
        format!(
            "{}, {}, eps={}, affine=True, bias=True",
            self.num_groups,
            size(&self.weight, 0),
            super::py_float(self.eps)
        )
    }
}

/// The running statistics of a batch norm, as its buffers hold them.
#[derive(Debug, Clone, Copy)]
pub struct RunningStats<'a> {
    pub mean: &'a Variable,
    pub var: &'a Variable,
    /// Counts the training steps (`momentum: None` averages over them).
    pub num_batches_tracked: Option<&'a Variable>,
}

/// The options of a batch norm, with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchNormOptions {
    pub eps: f64,
    /// The running statistics' update factor; `None`: a cumulative average.
    pub momentum: Option<f64>,
    /// A learnt weight (ones) and bias (zeros).
    pub affine: bool,
    /// Running statistics, used in evaluation.
    pub track_running_stats: bool,
    /// The bias, when `affine`.
    pub bias: bool,
}

impl Default for BatchNormOptions {
    fn default() -> Self {
        BatchNormOptions {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: true,
            track_running_stats: true,
            bias: true,
        }
    }
}

/// A batch or instance norm's parameters and buffers as PyTorch starts
/// them (`_NormBase`): weight ones and bias zeros when `affine`, running
/// mean 0 and variance 1 and a step count when tracking statistics.
struct NormParts {
    weight: Option<Parameter>,
    bias: Option<Parameter>,
    running_mean: Option<Variable>,
    running_var: Option<Variable>,
    num_batches_tracked: Option<Variable>,
}

impl NormParts {
    fn new(num_features: i64, options: &BatchNormOptions) -> Result<Self> {
        let (weight, bias) = if options.affine {
            let (weight, bias) = ones_and_zeros(num_features)?;
            (Some(weight), options.bias.then_some(bias))
        } else {
            (None, None)
        };
        let opts = TensorOptions::default();
        let long = TensorOptions {
            dtype: DType::Int64,
            ..opts
        };
        let buffer = |t: Result<Tensor>| -> Result<Option<Variable>> {
            if options.track_running_stats {
                Ok(Some(Variable::new(t?, false)?))
            } else {
                Ok(None)
            }
        };
        Ok(NormParts {
            weight,
            bias,
            running_mean: buffer(Tensor::zeros(&[num_features], opts))?,
            running_var: buffer(Tensor::ones(&[num_features], opts))?,
            num_batches_tracked: buffer(Tensor::zeros(&[], long))?,
        })
    }
}

/// A batch or instance norm is a module through its parts: `$forward`
/// runs on the layer, the input and its running statistics (if tracked).
macro_rules! norm_module {
    ($name:ident, $label:literal, |$layer:ident, $input:ident, $running:ident| $forward:expr) => {
        impl<const DIMS: usize> Module for $name<DIMS> {
            fn name(&self) -> String {
                format!(concat!($label, "{}d"), DIMS)
            }
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let ($layer, $input) = (self, input);
                let $running = match (&self.running_mean, &self.running_var) {
                    (Some(mean), Some(var)) => Some(RunningStats {
                        mean,
                        var,
                        num_batches_tracked: self.num_batches_tracked.as_ref(),
                    }),
                    _ => None,
                };
                $forward
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                named(&[
                    ("weight", self.weight.as_ref()),
                    ("bias", self.bias.as_ref()),
                ])
            }
            fn named_buffers(&self) -> Vec<(String, Variable)> {
                named(&[
                    ("running_mean", self.running_mean.as_ref()),
                    ("running_var", self.running_var.as_ref()),
                    ("num_batches_tracked", self.num_batches_tracked.as_ref()),
                ])
            }
            fn set_training(&self, training: bool) {
                self.training.set(training)
            }
            fn extra_repr(&self) -> String {
                let o = &self.options;
                let momentum = o.momentum.map_or("None".to_string(), super::py_float);
                format!(
                    "{}, eps={}, momentum={momentum}, affine={}, bias={}, track_running_stats={}",
                    self.num_features,
                    super::py_float(o.eps),
                    super::py_bool(o.affine),
                    super::py_bool(self.bias.is_some()),
                    super::py_bool(o.track_running_stats)
                )
            }
        }

        impl<const DIMS: usize> $name<DIMS> {
            /// The layer as PyTorch prints it, which its error messages
            /// start with.
            pub fn describe(&self) -> String {
                format!("{}({})", self.name(), self.extra_repr())
            }
        }
    };
}

/// The input layout a batch norm of `dims` spatial dims takes, as its
/// error messages show it.
fn batch_layout(dims: usize, channels: i64) -> (&'static [usize], String) {
    match dims {
        1 => (&[2, 3], format!("[N, {channels}] or [N, {channels}, L]")),
        2 => (&[4], format!("[N, {channels}, H, W]")),
        _ => (&[5], format!("[N, {channels}, D, H, W]")),
    }
}

/// Batch normalization of `input` over all dims but 1, as PyTorch's
/// `BatchNorm1d/2d/3d.forward` (`dims` 1, 2, 3): batch statistics while
/// training or without running ones (then updating them, and counting the
/// step), else the running ones. A shape error starts with `layer()`.
#[allow(clippy::too_many_arguments)] // the layer's parts, as PyTorch's forward reads them
pub fn batch_norm_forward(
    layer: &dyn Fn() -> String,
    dims: usize,
    input: &Variable,
    weight: Option<&Variable>,
    bias: Option<&Variable>,
    running: Option<RunningStats<'_>>,
    options: &BatchNormOptions,
    training: bool,
) -> Result<Variable> {
    let channels = running.map_or_else(|| weight.map_or(-1, |w| size(w, 0)), |r| size(r.mean, 0));
    let (ranks, layout) = batch_layout(dims, channels);
    let shape = input.shape();
    ensure!(
        ranks.contains(&shape.len()) && (channels < 0 || shape[1] == channels),
        Shape,
        "{}: expected input {layout}, got {shape:?}",
        layer()
    );
    let mut factor = options.momentum.unwrap_or(0.0);
    if training && options.track_running_stats {
        if let Some(count) = running.and_then(|r| r.num_batches_tracked) {
            let count = count.data();
            crate::no_grad(|| count.add_scalar_(1))?;
            if options.momentum.is_none() {
                factor = 1.0 / count.item()?;
            }
        }
    }
    // Batch statistics while training, or in evaluation without running ones.
    let batch_stats = training || running.is_none();
    let keep = (!training || options.track_running_stats)
        .then_some(running)
        .flatten();
    let (mean, var) = match keep {
        Some(r) => (Some(r.mean.data()), Some(r.var.data())),
        None => (None, None),
    };
    crate::batch_norm(
        input,
        mean.as_ref(),
        var.as_ref(),
        weight,
        bias,
        batch_stats,
        factor,
        options.eps,
    )
}

/// Batch normalization over dim 1, as `torch.nn.BatchNorm1d` (`[N, C]` or
/// `[N, C, L]`, `DIMS` 1), `BatchNorm2d` (`[N, C, H, W]`) and `BatchNorm3d`
/// (`[N, C, D, H, W]`): batch statistics while training (updating the
/// running ones), the running ones in evaluation.
#[derive(Debug)]
pub struct BatchNorm<const DIMS: usize> {
    pub num_features: i64,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub running_mean: Option<Variable>,
    pub running_var: Option<Variable>,
    pub num_batches_tracked: Option<Variable>,
    pub options: BatchNormOptions,
    training: Cell<bool>,
}

/// [`BatchNorm`] of `[N, C]` or `[N, C, L]` inputs.
pub type BatchNorm1d = BatchNorm<1>;
/// [`BatchNorm`] of `[N, C, H, W]` inputs.
pub type BatchNorm2d = BatchNorm<2>;
/// [`BatchNorm`] of `[N, C, D, H, W]` inputs.
pub type BatchNorm3d = BatchNorm<3>;

impl<const DIMS: usize> BatchNorm<DIMS> {
    /// With PyTorch's default options.
    pub fn new(num_features: i64) -> Result<Self> {
        Self::with_options(num_features, BatchNormOptions::default())
    }

    /// Weight ones, bias zeros, running mean 0 and variance 1, as PyTorch's.
    pub fn with_options(num_features: i64, options: BatchNormOptions) -> Result<Self> {
        let p = NormParts::new(num_features, &options)?;
        Ok(BatchNorm {
            num_features,
            weight: p.weight,
            bias: p.bias,
            running_mean: p.running_mean,
            running_var: p.running_var,
            num_batches_tracked: p.num_batches_tracked,
            options,
            training: Cell::new(true),
        })
    }
}

norm_module!(BatchNorm, "BatchNorm", |layer, input, running| {
    batch_norm_forward(
        &|| layer.describe(),
        DIMS,
        input,
        layer.weight.as_ref(),
        layer.bias.as_ref(),
        running,
        &layer.options,
        layer.training.get(),
    )
});

/// Instance normalization of `input` (`[N, C, ...]` or unbatched `[C,
/// ...]` with `dims` spatial dims), as PyTorch's `InstanceNorm1d/2d/3d.forward`:
/// each sample's channels over their own positions, the running statistics
/// (when given) updated while training and used in evaluation. A shape
/// error starts with `layer()`.
#[allow(clippy::too_many_arguments)] // the layer's parts, as PyTorch's forward reads them
pub fn instance_norm_forward(
    layer: &dyn Fn() -> String,
    dims: usize,
    num_features: i64,
    input: &Variable,
    weight: Option<&Variable>,
    bias: Option<&Variable>,
    running: Option<RunningStats<'_>>,
    options: &BatchNormOptions,
    training: bool,
) -> Result<Variable> {
    let shape = input.shape();
    ensure!(
        shape.len() == dims + 1 || shape.len() == dims + 2,
        Shape,
        "{}: expected {}D or {}D input (got {}D input)",
        layer(),
        dims + 1,
        dims + 2,
        shape.len()
    );
    let batched = shape.len() == dims + 2;
    let channels = shape[usize::from(batched)];
    // Without affine parameters PyTorch only warns; their shapes need it.
    ensure!(
        channels == num_features || weight.is_none(),
        Shape,
        "{}: expected input's size at dim={} to match num_features ({num_features}), but got: {channels}.",
        layer(),
        usize::from(batched)
    );
    let input = if batched {
        input.clone()
    } else {
        input.unsqueeze(0)?
    };
    let (mean, var) = match running {
        Some(r) => (Some(r.mean.data()), Some(r.var.data())),
        None => (None, None),
    };
    let use_input_stats = training || !options.track_running_stats;
    let out = crate::instance_norm(
        &input,
        mean.as_ref(),
        var.as_ref(),
        weight,
        bias,
        use_input_stats,
        options.momentum.unwrap_or(0.0),
        options.eps,
    )?;
    if batched {
        Ok(out)
    } else {
        out.squeeze(0)
    }
}

/// Instance normalization: each sample's channels normalized over their
/// own positions, as `torch.nn.InstanceNorm1d` (`[N, C, L]`),
/// `InstanceNorm2d` (`[N, C, H, W]`) and `InstanceNorm3d`; PyTorch's
/// defaults: no affine parameters, no running statistics.
#[derive(Debug)]
pub struct InstanceNorm<const DIMS: usize> {
    pub num_features: i64,
    pub weight: Option<Parameter>,
    pub bias: Option<Parameter>,
    pub running_mean: Option<Variable>,
    pub running_var: Option<Variable>,
    /// Kept as PyTorch keeps it (its instance norms do not count).
    pub num_batches_tracked: Option<Variable>,
    pub options: BatchNormOptions,
    training: Cell<bool>,
}

/// [`InstanceNorm`] of `[N, C, L]` inputs.
pub type InstanceNorm1d = InstanceNorm<1>;
/// [`InstanceNorm`] of `[N, C, H, W]` inputs.
pub type InstanceNorm2d = InstanceNorm<2>;
/// [`InstanceNorm`] of `[N, C, D, H, W]` inputs.
pub type InstanceNorm3d = InstanceNorm<3>;

impl<const DIMS: usize> InstanceNorm<DIMS> {
    /// `affine`: a weight of ones and a bias of zeros per channel; the
    /// other options PyTorch's defaults.
    pub fn new(num_features: i64, affine: bool) -> Result<Self> {
        let options = BatchNormOptions {
            affine,
            track_running_stats: false,
            ..Default::default()
        };
        Self::with_options(num_features, options)
    }

    /// With `options`.
    pub fn with_options(num_features: i64, options: BatchNormOptions) -> Result<Self> {
        let p = NormParts::new(num_features, &options)?;
        Ok(InstanceNorm {
            num_features,
            weight: p.weight,
            bias: p.bias,
            running_mean: p.running_mean,
            running_var: p.running_var,
            num_batches_tracked: p.num_batches_tracked,
            options,
            training: Cell::new(true),
        })
    }
}

norm_module!(InstanceNorm, "InstanceNorm", |layer, input, running| {
    instance_norm_forward(
        &|| layer.describe(),
        DIMS,
        layer.num_features,
        input,
        layer.weight.as_ref(),
        layer.bias.as_ref(),
        running,
        &layer.options,
        layer.training.get(),
    )
});

/// Root-mean-square normalization over the trailing dims
/// `normalized_shape`, as `torch.nn.RMSNorm`: `x / sqrt(mean(x^2) + eps) *
/// weight`, `eps` None being the input dtype's machine epsilon (PyTorch's
/// default).
#[derive(Debug)]
pub struct RMSNorm {
    pub normalized_shape: Vec<i64>,
    pub weight: Option<Parameter>,
    pub eps: Option<f64>,
}

impl RMSNorm {
    /// Over the last dim, of `normalized_size`; with `elementwise_affine`,
    /// a weight of ones.
    pub fn new(normalized_size: i64, eps: Option<f64>, elementwise_affine: bool) -> Result<Self> {
        Self::with_shape(&[normalized_size], eps, elementwise_affine)
    }

    /// Over the trailing dims `normalized_shape`.
    pub fn with_shape(
        normalized_shape: &[i64],
        eps: Option<f64>,
        elementwise_affine: bool,
    ) -> Result<Self> {
        let weight = if elementwise_affine {
            let ones = Tensor::ones(normalized_shape, TensorOptions::default())?;
            Some(Variable::new(ones, true)?)
        } else {
            None
        };
        Ok(RMSNorm {
            normalized_shape: normalized_shape.to_vec(),
            weight,
            eps,
        })
    }
}

impl Module for RMSNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::rms_norm(
            input,
            &self.normalized_shape,
            self.weight.as_ref(),
            self.eps,
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        named(&[("weight", self.weight.as_ref())])
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}",
            super::py_tuple(&self.normalized_shape),
            self.eps.map_or("None".to_string(), super::py_float),
            super::py_bool(self.weight.is_some())
        )
    }
}

/// Each value over `(k + alpha * the mean square of the `size` channels
/// around it) ** beta`, over `[N, C, ...]`, as `torch.nn.LocalResponseNorm`
/// (AlexNet's normalization).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalResponseNorm {
    /// How many neighbouring channels (itself included) each value sees.
    pub size: i64,
    pub alpha: f64,
    pub beta: f64,
    pub k: f64,
}

impl LocalResponseNorm {
    /// Windows of `size` channels, PyTorch's defaults for the rest (alpha
    /// 1e-4, beta 0.75, k 1).
    pub fn new(size: i64) -> Self {
        LocalResponseNorm {
            size,
            alpha: 1e-4,
            beta: 0.75,
            k: 1.0,
        }
    }
}

impl Module for LocalResponseNorm {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        crate::local_response_norm(input, self.size, self.alpha, self.beta, self.k)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    fn extra_repr(&self) -> String {
        format!(
            "{}, alpha={}, beta={}, k={}",
            self.size,
            super::py_float(self.alpha),
            super::py_float(self.beta),
            super::py_float(self.k)
        )
    }
}
