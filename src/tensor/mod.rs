//! [`Tensor`]: an n-dimensional array on a device, with no autograd graph.

mod format;
pub(crate) mod index;
mod methods;
mod torch_print;

use crate::error::{bail, Error, ErrorKind, Failure, Result};
use crate::ops::catalogue::{method_ops, tensor_ops};
use crate::ops::{core_methods, run, Operand};
pub(crate) use methods::{core_joins, tensor_like_methods};

pub use crate::dtype::{cuda_available, cuda_device_count, DType, Device, TensorOptions};
pub use crate::scalar::Scalar;
pub use torch_print::{print_options, set_print_options, torch_repr, PrintOptions};

/// An operand of [`result_type`] or [`Tensor::normal`]: a tensor, or a
/// number typed as Python's.
pub enum Promoted<'a> {
    Tensor(&'a Tensor),
    Number(Scalar),
}

impl<'a> From<&'a Tensor> for Promoted<'a> {
    fn from(t: &'a Tensor) -> Self {
        Promoted::Tensor(t)
    }
}

impl<S: Into<Scalar>> From<S> for Promoted<'_> {
    fn from(s: S) -> Self {
        Promoted::Number(s.into())
    }
}

/// The shape `shapes` broadcast to, as `torch.broadcast_shapes`: aligned at
/// the right, a size 1 (or a missing dim) stretches to the other's; two
/// other sizes that differ are a Shape error.
pub fn broadcast_shapes(shapes: &[Vec<i64>]) -> Result<Vec<i64>> {
    broadcast_shapes_of("broadcast_shapes", shapes)
}

/// [`broadcast_shapes`] with errors naming `op`.
pub(crate) fn broadcast_shapes_of(op: &str, shapes: &[Vec<i64>]) -> Result<Vec<i64>> {
    let rank = shapes.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = vec![1i64; rank];
    for shape in shapes {
        for (i, &size) in shape.iter().rev().enumerate() {
            let slot = &mut out[rank - 1 - i];
            if size < 0 {
                crate::error::bail!(Shape, "{op}: a size may not be negative, got {shape:?}");
            }
            if *slot == 1 {
                *slot = size;
            } else if size != 1 && size != *slot {
                let listed: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
                crate::error::bail!(
                    Shape,
                    "{op}: the shapes {} do not broadcast",
                    listed.join(", ")
                );
            }
        }
    }
    Ok(out)
}

/// The dtype an op of `a` and `b` computes in, as `torch.result_type`:
/// tensors with dims outrank 0-dim ones, which outrank numbers, within a
/// category (bool, integer, float); a float number with an integer tensor
/// gives float32, flodl's default float.
pub fn result_type<'a>(a: impl Into<Promoted<'a>>, b: impl Into<Promoted<'a>>) -> Result<DType> {
    // A number is a 0-dim tensor of Python's type (int64, float64, bool)
    // that libtorch is told is a number.
    fn operand(p: &Promoted<'_>) -> std::result::Result<(tch::Tensor, bool), Failure> {
        Ok(match p {
            Promoted::Tensor(t) => (t.raw.shallow_clone(), false),
            Promoted::Number(s) => {
                let kind = match s {
                    Scalar::Bool(_) => tch::Kind::Bool,
                    Scalar::Int(_) => tch::Kind::Int64,
                    Scalar::Float(_) => tch::Kind::Double,
                    Scalar::Complex(..) => tch::Kind::ComplexDouble,
                };
                (crate::ops::scalar_tensor(*s, kind, tch::Device::Cpu)?, true)
            }
        })
    }
    let (a, b) = (a.into(), b.into());
    let code = (|| {
        let (a, b) = (operand(&a)?, operand(&b)?);
        crate::ffi::result_type((&a.0, a.1), (&b.0, b.1))
    })()
    .map_err(|f| crate::ops::failed("result_type", std::iter::empty(), f))?;
    DType::from_scalar_type_code(code).ok_or_else(|| {
        Error::new(
            ErrorKind::DType,
            format!("result_type: flodl has no dtype for code {code}"),
        )
    })
}

/// An n-dimensional array backed by a libtorch tensor. Cloning is cheap: a
/// clone is a new handle on the same data. The data is freed when the last
/// handle (here or in a [`Variable`](crate::Variable)) is dropped.
pub struct Tensor {
    raw: tch::Tensor,
    _live: crate::live::LiveHandle,
}

impl Operand for Tensor {
    fn raw(&self) -> &tch::Tensor {
        &self.raw
    }
    fn from_raw(raw: tch::Tensor) -> Self {
        Tensor {
            raw,
            _live: crate::live::LiveHandle::new(),
        }
    }
}

impl Tensor {
    /// A handle on `v`'s values (shared memory, no graph), not counted as
    /// live: the Tensor part of a Python Variable, which inherited read-only
    /// queries use; the Variable's own methods compute with the Variable.
    #[cfg(feature = "python")]
    pub(crate) fn alias_of(v: &impl Operand) -> Tensor {
        Tensor {
            // detach of a defined tensor cannot fail.
            raw: v.raw().detach(),
            _live: crate::live::LiveHandle::uncounted(),
        }
    }

    /// Points this alias at `data`'s values, as `Variable::set_data` does
    /// the Variable it aliases.
    #[cfg(feature = "python")]
    pub(crate) fn set_data_of_alias(&self, data: &Tensor) -> Result<()> {
        run("set_data", &[&self.raw, data.raw()], || {
            crate::ffi::set_data(&self.raw, data.raw())
        })
    }

    /// `(storage address, storage size in elements, offset)`: where the
    /// values live (views of one memory share the address), for `op`
    /// (`copy.deepcopy`, which keeps views views).
    #[cfg(feature = "python")]
    pub(crate) fn storage_info(&self, op: &str) -> Result<(usize, i64, i64)> {
        crate::ffi::storage_info(&self.raw)
            .map_err(|f| Error::from_failure(op, &crate::ops::describe(&self.raw), f))
    }
}

impl Clone for Tensor {
    fn clone(&self) -> Self {
        Tensor {
            raw: self.raw.shallow_clone(),
            _live: crate::live::LiveHandle::new(),
        }
    }
}

method_ops!(core_methods(Tensor));
tensor_ops!(core_methods(Tensor));
tensor_like_methods!(Tensor);

impl crate::ops::sealed::Sealed for Tensor {}

/// Checks a shape given by the user: no negative sizes.
fn check_shape(op: &str, shape: &[i64]) -> Result<()> {
    if let Some(bad) = shape.iter().find(|&&d| d < 0) {
        bail!(Argument, "{op}: shape {shape:?} has a negative size {bad}");
    }
    Ok(())
}

/// Number of elements of a valid shape, or a Shape error on overflow.
fn shape_numel(op: &str, shape: &[i64]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Shape,
                format!("{op}: shape {shape:?} has too many elements"),
            )
        })
}

/// Shared body of the `from_*` constructors.
fn from_slice<T: tch::kind::Element>(
    op: &str,
    data: &[T],
    shape: &[i64],
    device: Device,
) -> Result<Tensor> {
    check_shape(op, shape)?;
    let numel = shape_numel(op, shape)?;
    if data.len() != numel {
        bail!(
            Shape,
            "{op}: {} values cannot fill shape {shape:?} ({numel} elements)",
            data.len()
        );
    }
    device.check_available(op)?;
    run(op, &[], || {
        tch::Tensor::f_from_slice(data)?
            .f_reshape(shape)?
            .f_to(device.to_tch())
    })
}

/// Shared body of the shape-and-options constructors.
fn create<E: Into<Failure>>(
    op: &str,
    shape: &[i64],
    opts: TensorOptions,
    f: impl FnOnce(&[i64], (tch::Kind, tch::Device)) -> std::result::Result<tch::Tensor, E>,
) -> Result<Tensor> {
    check_shape(op, shape)?;
    opts.device.check_available(op)?;
    run(op, &[], || f(shape, opts.to_tch()))
}

/// A `*_like` tensor: `torch.empty_like(other, ...)`, then `fill` in place
/// (how torch fills its own, so that random draws follow the memory order).
fn like<E: Into<Failure>>(
    op: &str,
    other: &Tensor,
    opts: TensorOptions,
    format: crate::MemoryFormat,
    fill: impl FnOnce(&mut tch::Tensor) -> std::result::Result<(), E>,
) -> Result<Tensor> {
    opts.device.check_available(op)?;
    run(op, &[&other.raw], || {
        let options = tch::Tensor::f_empty([0], opts.to_tch())?;
        let mut out = crate::ffi::empty_like(&other.raw, &options, format.code())?;
        fill(&mut out).map_err(Into::into)?;
        Ok::<_, Failure>(out)
    })
}

impl Tensor {
    // ----- creation -----

    /// A tensor of `shape` holding `data` (row-major) as Float32.
    pub fn from_f32(data: &[f32], shape: &[i64], device: Device) -> Result<Tensor> {
        from_slice("from_f32", data, shape, device)
    }

    /// A tensor of `shape` holding `data` (row-major) as Float64.
    pub fn from_f64(data: &[f64], shape: &[i64], device: Device) -> Result<Tensor> {
        from_slice("from_f64", data, shape, device)
    }

    /// A tensor of `shape` holding `data` (row-major) as Int64.
    pub fn from_i64(data: &[i64], shape: &[i64], device: Device) -> Result<Tensor> {
        from_slice("from_i64", data, shape, device)
    }

    /// A tensor of `shape` and `dtype` from raw little-endian bytes, as
    /// numpy stores them (used by `Tensor.from_numpy`).
    pub fn from_bytes(data: &[u8], shape: &[i64], dtype: DType, device: Device) -> Result<Tensor> {
        let op = "from_bytes";
        check_shape(op, shape)?;
        let numel = shape_numel(op, shape)?;
        if data.len() != numel * dtype.element_size() {
            bail!(
                Shape,
                "{op}: {} bytes cannot fill shape {shape:?} of {dtype} ({} bytes)",
                data.len(),
                numel * dtype.element_size()
            );
        }
        device.check_available(op)?;
        run(op, &[], || {
            tch::Tensor::f_from_data_size(data, shape, dtype.to_kind())?.f_to(device.to_tch())
        })
    }

    pub fn zeros(shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        create("zeros", shape, opts, |s, o| tch::Tensor::f_zeros(s, o))
    }

    pub fn ones(shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        create("ones", shape, opts, |s, o| tch::Tensor::f_ones(s, o))
    }

    /// Uniform samples in [0, 1).
    pub fn rand(shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        create("rand", shape, opts, |s, o| tch::Tensor::f_rand(s, o))
    }

    /// Standard normal samples.
    pub fn randn(shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        create("randn", shape, opts, |s, o| tch::Tensor::f_randn(s, o))
    }

    /// `torch.normal(mean, std)`: one draw from `N(mean, std**2)` per
    /// element of the broadcast of `mean` and `std` (each a `&Tensor` or an
    /// `f64`; at least one a tensor, whose dtype and device the result
    /// takes), libtorch's own draws. [`normal_sized`](Tensor::normal_sized)
    /// draws with numbers for both.
    pub fn normal<'a>(
        mean: impl Into<Promoted<'a>>,
        std: impl Into<Promoted<'a>>,
    ) -> Result<Tensor> {
        // The tensor, or None and the number, as the shim takes them.
        fn parts<'t>(p: &Promoted<'t>) -> (Option<&'t tch::Tensor>, f64) {
            match p {
                Promoted::Tensor(t) => (Some(&t.raw), 0.0),
                Promoted::Number(s) => (None, s.to_f64()),
            }
        }
        let (mean, std) = (mean.into(), std.into());
        for p in [&mean, &std] {
            if let Promoted::Number(s) = p {
                if s.is_complex() {
                    bail!(DType, "normal: mean and std must be real, got {s}");
                }
            }
        }
        let (mean, std) = (parts(&mean), parts(&std));
        let operands = [mean.0, std.0];
        if operands.iter().all(Option::is_none) {
            bail!(
                Argument,
                "normal: mean or std must be a tensor (numbers for both take a shape: normal_sized)"
            );
        }
        crate::ops::run_opt("normal", &operands, || crate::ffi::normal(mean, std))
    }

    /// `torch.normal(mean, std, size)`: draws from `N(mean, std**2)` of the
    /// given shape, dtype and device.
    pub fn normal_sized(mean: f64, std: f64, shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        let values = Tensor::empty(shape, opts)?;
        values.normal_(mean, std)?;
        Ok(values)
    }

    /// Uninitialised memory of the given shape.
    pub fn empty(shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        create("empty", shape, opts, |s, o| tch::Tensor::f_empty(s, o))
    }

    /// Every element set to `value`.
    pub fn full(shape: &[i64], value: impl Into<Scalar>, opts: TensorOptions) -> Result<Tensor> {
        let value = value.into();
        // Not tch's f_full: its Scalar argument panics on libtorch errors
        // (a value out of an integer dtype's range).
        create("full", shape, opts, |s, o| {
            let empty = tch::Tensor::f_empty(s, o)?;
            crate::ffi::fill_(&empty, value)
        })
    }

    /// `start, start + step, ...` up to but excluding `end` (numbers of
    /// any kind: integer bounds are counted exactly, past 2**53 too).
    pub fn arange(
        start: impl Into<Scalar>,
        end: impl Into<Scalar>,
        step: impl Into<Scalar>,
        opts: TensorOptions,
    ) -> Result<Tensor> {
        let op = "arange";
        let (start_s, end_s, step_s) = (start.into(), end.into(), step.into());
        if [start_s, end_s, step_s].iter().any(|s| s.is_complex()) {
            bail!(DType, "{op}: bounds and step must be real numbers, got start={start_s}, end={end_s}, step={step_s}");
        }
        let (start, end, step) = (start_s.to_f64(), end_s.to_f64(), step_s.to_f64());
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
            bail!(Argument, "{op}: needs finite bounds and a non-zero step, got start={start}, end={end}, step={step}");
        }
        if (end - start) * step < 0.0 {
            bail!(
                Argument,
                "{op}: step {step} moves away from end (start={start}, end={end})"
            );
        }
        opts.device.check_available(op)?;
        // Through the shim: tch's f_arange panics on libtorch errors (its
        // Scalar arguments), e.g. bounds out of an integer dtype's range.
        run(op, &[], || {
            let like = tch::Tensor::f_empty([0], opts.to_tch())?;
            crate::ffi::arange(start_s, end_s, step_s, &like)
        })
    }

    /// `steps` evenly spaced values from `start` to `end`, both included.
    pub fn linspace(start: f64, end: f64, steps: i64, opts: TensorOptions) -> Result<Tensor> {
        let op = "linspace";
        if steps < 0 {
            bail!(Argument, "{op}: steps must be >= 0, got {steps}");
        }
        opts.device.check_available(op)?;
        // Through the shim, as arange.
        run(op, &[], || {
            let like = tch::Tensor::f_empty([0], opts.to_tch())?;
            crate::ffi::linspace(start, end, steps, &like)
        })
    }

    /// The `n` x `n` identity matrix.
    pub fn eye(n: i64, opts: TensorOptions) -> Result<Tensor> {
        create("eye", &[n], opts, |_, o| tch::Tensor::f_eye(n, o))
    }

    /// The `n` x `m` matrix with ones on its diagonal, as `torch.eye(n, m)`.
    pub fn eye_m(n: i64, m: i64, opts: TensorOptions) -> Result<Tensor> {
        create("eye", &[n, m], opts, |_, o| tch::Tensor::f_eye_m(n, m, o))
    }

    /// The indices (a `[2, N]` tensor: rows, then columns) of the entries
    /// of a `row` x `col` matrix on or below its diagonal `offset`, as
    /// `torch.tril_indices` (PyTorch's dtype is Int64).
    pub fn tril_indices(row: i64, col: i64, offset: i64, opts: TensorOptions) -> Result<Tensor> {
        create("tril_indices", &[row, col], opts, |_, o| {
            tch::Tensor::f_tril_indices(row, col, offset, o)
        })
    }

    /// The indices of the entries on or above diagonal `offset`, as
    /// `torch.triu_indices`; see [`tril_indices`](Self::tril_indices).
    pub fn triu_indices(row: i64, col: i64, offset: i64, opts: TensorOptions) -> Result<Tensor> {
        create("triu_indices", &[row, col], opts, |_, o| {
            tch::Tensor::f_triu_indices(row, col, offset, o)
        })
    }

    /// The frequencies of the `n` bins of an `fft_fft` of samples `d`
    /// apart, in cycles per unit (`[0, 1, ..., -1] / (d * n)`), as
    /// `torch.fft.fftfreq`; with `onesided`, those of an `fft_rfft` (the
    /// `n / 2 + 1` from 0 up), as `torch.fft.rfftfreq`.
    pub fn fftfreq(n: i64, d: f64, onesided: bool, opts: TensorOptions) -> Result<Tensor> {
        let op = if onesided { "rfftfreq" } else { "fftfreq" };
        if n < 0 {
            bail!(Argument, "{op}: n must be non-negative, got {n}");
        }
        if !opts.dtype.is_floating_point() && !opts.dtype.is_complex() {
            bail!(
                DType,
                "{op}: expects a floating-point or complex dtype, got {}",
                opts.dtype
            );
        }
        create(op, &[n], opts, |_, o| match onesided {
            true => tch::Tensor::f_fft_rfftfreq(n, d, o),
            false => tch::Tensor::f_fft_fftfreq(n, d, o),
        })
    }

    /// A `window` of `length` points, as `torch.hann_window` and the other
    /// window functions: `periodic` (the default in PyTorch) leaves out
    /// the last point of the symmetric window of `length + 1`, as spectral
    /// analysis wants; a floating-point dtype only.
    pub fn window(
        window: Window,
        length: i64,
        periodic: bool,
        opts: TensorOptions,
    ) -> Result<Tensor> {
        let op = window.name();
        if length < 0 {
            bail!(
                Argument,
                "{op}: window_length must be non-negative, got {length}"
            );
        }
        if !opts.dtype.is_floating_point() {
            bail!(
                DType,
                "{op}: expects a floating-point dtype, got {}",
                opts.dtype
            );
        }
        create(op, &[length], opts, |_, o| match window {
            Window::Hann => tch::Tensor::f_hann_window_periodic(length, periodic, o),
            Window::Hamming { alpha, beta } => {
                tch::Tensor::f_hamming_window_periodic_alpha_beta(length, periodic, alpha, beta, o)
            }
            Window::Bartlett => tch::Tensor::f_bartlett_window_periodic(length, periodic, o),
            Window::Blackman => tch::Tensor::f_blackman_window_periodic(length, periodic, o),
            Window::Kaiser { beta } => tch::Tensor::f_kaiser_window_beta(length, periodic, beta, o),
        })
    }

    /// The coordinates in an array of `shape` of the flat (row-major)
    /// `indices`, one Int64 tensor per dim shaped as `indices`, as
    /// `torch.unravel_index` (indices past the end, or negative, wrap
    /// around as PyTorch's floor division and remainder make them).
    pub fn unravel_index(indices: &Tensor, shape: &[i64]) -> Result<Vec<Tensor>> {
        let op = "unravel_index";
        if indices.dtype().is_floating_point() || indices.dtype() == DType::Bool {
            bail!(
                DType,
                "{op}: expected indices of an integer dtype, got {}",
                indices.dtype()
            );
        }
        if shape.iter().any(|&n| n < 0) {
            bail!(
                Argument,
                "{op}: shape cannot have negative sizes, got {shape:?}"
            );
        }
        // The flat stride of each dim: the product of the sizes after it.
        let mut strides = vec![1i64; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            strides[i] = match strides[i + 1].checked_mul(shape[i + 1]) {
                Some(stride) => stride,
                None => bail!(
                    Argument,
                    "{op}: shape {shape:?} has more elements than int64 counts"
                ),
            };
        }
        let device = indices.device();
        let strides = Tensor::from_i64(&strides, &[shape.len() as i64], device)?;
        let sizes = Tensor::from_i64(shape, &[shape.len() as i64], device)?;
        indices
            .unsqueeze(-1)?
            .floor_divide(&strides)?
            .remainder(&sizes)?
            .unbind(-1)
    }

    /// Int64 integers drawn uniformly from `[low, high)` on `device`, as
    /// `torch.randint` (PyTorch's default dtype; the same stream from the
    /// same seed).
    pub fn randint(low: i64, high: i64, shape: &[i64], device: Device) -> Result<Tensor> {
        let opts = TensorOptions {
            dtype: DType::Int64,
            device,
        };
        Self::randint_with(low, high, shape, opts)
    }

    /// [`randint`](Tensor::randint) with another dtype.
    pub fn randint_with(low: i64, high: i64, shape: &[i64], opts: TensorOptions) -> Result<Tensor> {
        if low >= high {
            bail!(
                Argument,
                "randint: low must be below high, got low={low}, high={high}"
            );
        }
        create("randint", shape, opts, |s, o| {
            tch::Tensor::f_randint_low(low, high, s, o)
        })
    }

    /// A random permutation of `0..n` as Int64 on `device`, as
    /// `torch.randperm` (PyTorch's default dtype).
    pub fn randperm(n: i64, device: Device) -> Result<Tensor> {
        let opts = TensorOptions {
            dtype: DType::Int64,
            device,
        };
        Self::randperm_with(n, opts)
    }

    /// [`randperm`](Tensor::randperm) with another dtype.
    pub fn randperm_with(n: i64, opts: TensorOptions) -> Result<Tensor> {
        create("randperm", &[n], opts, |_, o| tch::Tensor::f_randperm(n, o))
    }

    /// Zeros shaped, typed and laid out as `other` (`torch.zeros_like`).
    pub fn zeros_like(other: &Tensor) -> Result<Tensor> {
        Self::zeros_like_with(other, other.options(), crate::MemoryFormat::Preserve)
    }

    /// Ones shaped, typed and laid out as `other` (`torch.ones_like`).
    pub fn ones_like(other: &Tensor) -> Result<Tensor> {
        Self::ones_like_with(other, other.options(), crate::MemoryFormat::Preserve)
    }

    /// Uniform samples in [0, 1) shaped, typed and laid out as `other`.
    pub fn rand_like(other: &Tensor) -> Result<Tensor> {
        Self::rand_like_with(other, other.options(), crate::MemoryFormat::Preserve)
    }

    /// Standard normal samples shaped, typed and laid out as `other`.
    pub fn randn_like(other: &Tensor) -> Result<Tensor> {
        Self::randn_like_with(other, other.options(), crate::MemoryFormat::Preserve)
    }

    /// Uninitialised memory shaped like `other`, of `opts`' dtype and
    /// device, laid out as `format` says, as `torch.empty_like`:
    /// `Preserve` keeps the strides of an `other` without gaps or overlaps
    /// (a transposed matrix stays transposed), else picks channels last
    /// where `other` is so, else row-major.
    pub fn empty_like_with(
        other: &Tensor,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        like("empty_like", other, opts, format, |_| Ok::<(), Failure>(()))
    }

    /// [`empty_like_with`](Tensor::empty_like_with) filled with zeros.
    pub fn zeros_like_with(
        other: &Tensor,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        like("zeros_like", other, opts, format, |t| t.f_zero_().map(drop))
    }

    /// [`empty_like_with`](Tensor::empty_like_with) filled with ones.
    pub fn ones_like_with(
        other: &Tensor,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        like("ones_like", other, opts, format, |t| {
            crate::ffi::fill_(t, Scalar::Int(1)).map(drop)
        })
    }

    /// [`empty_like_with`](Tensor::empty_like_with) with every element
    /// `value` (`torch.full_like`).
    pub fn full_like_with(
        other: &Tensor,
        value: impl Into<Scalar>,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        let value = value.into();
        like("full_like", other, opts, format, |t| {
            crate::ffi::fill_(t, value).map(drop)
        })
    }

    /// [`empty_like_with`](Tensor::empty_like_with) drawn uniformly from
    /// [0, 1) in its memory order (`torch.rand_like`: the same stream).
    pub fn rand_like_with(
        other: &Tensor,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        like("rand_like", other, opts, format, |t| {
            t.f_uniform_(0.0, 1.0).map(drop)
        })
    }

    /// [`empty_like_with`](Tensor::empty_like_with) drawn from the standard
    /// normal in its memory order (`torch.randn_like`).
    pub fn randn_like_with(
        other: &Tensor,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        like("randn_like", other, opts, format, |t| {
            t.f_normal_(0.0, 1.0).map(drop)
        })
    }

    /// [`empty_like_with`](Tensor::empty_like_with) of integers drawn
    /// uniformly from `[low, high)` in its memory order
    /// (`torch.randint_like`).
    pub fn randint_like_with(
        other: &Tensor,
        low: i64,
        high: i64,
        opts: TensorOptions,
        format: crate::MemoryFormat,
    ) -> Result<Tensor> {
        if low >= high {
            bail!(
                Argument,
                "randint_like: low must be below high, got low={low}, high={high}"
            );
        }
        like("randint_like", other, opts, format, |t| {
            t.f_random_from_(low, Some(high)).map(drop)
        })
    }

    // ----- inspection -----

    /// The values, row-major, converted to f32 and copied to the host.
    pub fn to_f32_vec(&self) -> Result<Vec<f32>> {
        self.to_vec("to_f32_vec", tch::Kind::Float)
    }

    /// The values, row-major, converted to f64 and copied to the host.
    pub fn to_f64_vec(&self) -> Result<Vec<f64>> {
        self.to_vec("to_f64_vec", tch::Kind::Double)
    }

    /// The values, row-major, converted to i64 and copied to the host.
    pub fn to_i64_vec(&self) -> Result<Vec<i64>> {
        self.to_vec("to_i64_vec", tch::Kind::Int64)
    }

    fn to_vec<T: tch::kind::Element + Default + Clone>(
        &self,
        op: &str,
        kind: tch::Kind,
    ) -> Result<Vec<T>> {
        if self.dtype().is_complex() {
            // A real vector would drop the imaginary parts.
            bail!(
                DType,
                "{op}: the tensor is {}: read real() and imag() (or view_as_real())",
                self.dtype()
            );
        }
        let host: Tensor = run(op, &[&self.raw], || {
            let host = self
                .raw
                .f_to_device_(tch::Device::Cpu, kind, false, false)?;
            materialized(host)?.f_contiguous()
        })?;
        let mut out = vec![T::default(); self.numel()];
        host.raw
            .f_copy_data(&mut out, self.numel())
            .map_err(|e| Error::from_torch(op, &crate::ops::describe(&self.raw), e))?;
        Ok(out)
    }

    /// The raw bytes of the values, row-major, in this tensor's dtype, copied
    /// to the host (used by `numpy()`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let op = "to_bytes";
        let host: Tensor = run(op, &[&self.raw], || {
            materialized(self.raw.f_to(tch::Device::Cpu)?)?.f_contiguous()
        })?;
        let mut out = vec![0u8; self.numel() * self.dtype().element_size()];
        host.raw
            .f_copy_data_u8(&mut out, self.numel())
            .map_err(|e| Error::from_torch(op, &crate::ops::describe(&self.raw), e))?;
        Ok(out)
    }

    // ----- conversion -----

    /// A new handle on the same data, cut from any autograd graph.
    pub fn detach(&self) -> Result<Tensor> {
        run("detach", &[&self.raw], || self.raw.f_detach())
    }

    /// Cuts this handle from its autograd graph in place: the graph behind
    /// it is freed once nothing else refers to it.
    pub fn detach_(&self) -> Result<()> {
        run::<(), _, _>("detach_", &[&self.raw], || {
            crate::ffi::detach_in_place(&self.raw)
        })
    }

    pub(crate) fn into_raw(self) -> tch::Tensor {
        self.raw
    }
}

/// `raw` with real memory, since values are read through the data pointer:
/// autograd's ZeroTensors (zeros without storage) become zeros, and lazy
/// conjugate and negative views (`conj()`, and `imag` of one) their values.
pub(crate) fn materialized(raw: tch::Tensor) -> std::result::Result<tch::Tensor, tch::TchError> {
    if raw.f_internal_is_zerotensor()? {
        tch::Tensor::f_zeros(raw.size(), (raw.f_kind()?, raw.device()))
    } else {
        raw.f_resolve_conj()?.f_resolve_neg()
    }
}

// ----- globals -----

/// The number of threads libtorch's CPU ops use (intra-op parallelism).
pub fn get_num_threads() -> usize {
    usize::try_from(tch::get_num_threads()).unwrap_or(1)
}

/// Sets the number of threads libtorch's CPU ops use, as
/// `torch.set_num_threads` (at least 1).
pub fn set_num_threads(threads: usize) {
    tch::set_num_threads(i32::try_from(threads.max(1)).unwrap_or(i32::MAX));
}

/// The number of threads libtorch runs independent ops on (its inter-op
/// pool), as `torch.get_num_interop_threads`.
pub fn get_num_interop_threads() -> usize {
    usize::try_from(crate::ffi::get_num_interop_threads()).unwrap_or(1)
}

/// Sizes libtorch's inter-op pool, as `torch.set_num_interop_threads`: once
/// per process, before the pool has started (later, libtorch refuses: an
/// error); at least 1.
pub fn set_num_interop_threads(threads: usize) -> Result<()> {
    let threads = i32::try_from(threads.max(1)).unwrap_or(i32::MAX);
    crate::ffi::set_num_interop_threads(threads)
        .map_err(|f| crate::Error::from_failure("set_num_interop_threads", "", f))
}

/// Seeds every random generator libtorch uses (CPU and CUDA).
pub fn manual_seed(seed: u64) {
    tch::manual_seed(seed as i64);
}

/// The state of `device`'s default random generator (a uint8 Tensor), as
/// `torch.get_rng_state` (CPU) and `torch.cuda.get_rng_state`.
pub fn get_rng_state(device: Device) -> Result<Tensor> {
    device.check_available("get_rng_state")?;
    let state = crate::ffi::get_rng_state(device.cuda_index())
        .map_err(|f| crate::Error::from_failure("get_rng_state", "", f))?;
    Ok(Tensor::from_raw(state))
}

/// Restores `device`'s default random generator to a state from
/// [`get_rng_state`]: the same random numbers follow again.
pub fn set_rng_state(state: &Tensor, device: Device) -> Result<()> {
    device.check_available("set_rng_state")?;
    crate::ffi::set_rng_state(device.cuda_index(), state.raw())
        .map_err(|f| crate::Error::from_failure("set_rng_state", "", f))
}

/// Waits for every kernel queued on CUDA device `index` to finish.
pub fn cuda_synchronize(index: u8) -> Result<()> {
    Device::CUDA(index).check_available("cuda_synchronize")?;
    tch::Cuda::synchronize(i64::from(index));
    Ok(())
}

/// Whether cuDNN can be used (a CUDA build with a device).
pub fn cudnn_available() -> bool {
    tch::Cuda::cudnn_is_available()
}

/// Lets cuDNN time its algorithms for each new input shape and keep the
/// fastest (`torch.backends.cudnn.benchmark`); no effect on the CPU.
pub fn cudnn_set_benchmark(benchmark: bool) {
    tch::Cuda::cudnn_set_benchmark(benchmark);
}

/// The dtype of new float tensors (float32 unless [`set_default_dtype`]
/// changed it): what [`TensorOptions::default`] makes, what a float scalar
/// promotes an integer tensor to and what layers' parameters get, as
/// `torch.get_default_dtype`.
pub fn get_default_dtype() -> DType {
    // libtorch's default is set only through `set_default_dtype` (ours or
    // torch's), which accept floats only, so the code is always a dtype of
    // flodl's; float32 is libtorch's own start value.
    DType::from_scalar_type_code(crate::ffi::default_dtype()).unwrap_or(DType::Float32)
}

/// Makes `dtype` the default float dtype, as `torch.set_default_dtype`: one
/// setting, libtorch's, shared with torch in the same process. Anything
/// but a float dtype is an Argument error.
pub fn set_default_dtype(dtype: DType) -> Result<()> {
    if !dtype.is_floating_point() {
        bail!(
            Argument,
            "set_default_dtype: only floating-point dtypes can be the default, got {}",
            dtype.name()
        );
    }
    crate::ffi::set_default_dtype(dtype.scalar_type_code())
        .map_err(|f| crate::ops::failed("set_default_dtype", std::iter::empty(), f))
}

/// One of libtorch's global switches changed, the others kept.
fn update_switches(op: &str, change: impl FnOnce(&mut crate::ffi::ContextFlags)) -> Result<()> {
    let mut flags = crate::ffi::context_flags();
    change(&mut flags);
    crate::ffi::set_context_flags(flags, None)
        .map_err(|f| crate::ops::failed(op, std::iter::empty(), f))
}

/// Makes ops use deterministic algorithms, as
/// `torch.use_deterministic_algorithms`: an op that has none is then an
/// error (a warning with `warn_only`). The CPU kernels flodl runs are
/// deterministic already; on CUDA libtorch picks accordingly.
pub fn use_deterministic_algorithms(on: bool, warn_only: bool) -> Result<()> {
    update_switches("use_deterministic_algorithms", |f| {
        f.deterministic_algorithms = on.into();
        f.deterministic_warn_only = warn_only.into();
    })
}

/// Whether [`use_deterministic_algorithms`] is on.
pub fn are_deterministic_algorithms_enabled() -> bool {
    crate::ffi::context_flags().deterministic_algorithms != 0
}

/// Whether [`use_deterministic_algorithms`] only warns.
pub fn is_deterministic_algorithms_warn_only_enabled() -> bool {
    crate::ffi::context_flags().deterministic_warn_only != 0
}

/// Makes cuDNN use deterministic algorithms only
/// (`torch.backends.cudnn.deterministic`).
pub fn cudnn_set_deterministic(on: bool) -> Result<()> {
    update_switches("cudnn.deterministic", |f| f.deterministic_cudnn = on.into())
}

/// Whether [`cudnn_set_deterministic`] is on.
pub fn cudnn_is_deterministic() -> bool {
    crate::ffi::context_flags().deterministic_cudnn != 0
}

/// Lets float32 matmuls (cuBLAS) and convolutions (cuDNN) on CUDA run in
/// TF32 (`torch.backends.cuda.matmul.allow_tf32`,
/// `torch.backends.cudnn.allow_tf32`); None keeps a switch as it is.
pub fn set_allow_tf32(matmul: Option<bool>, cudnn: Option<bool>) -> Result<()> {
    update_switches("allow_tf32", |f| {
        if let Some(on) = matmul {
            f.allow_tf32_cublas = on.into();
        }
        if let Some(on) = cudnn {
            f.allow_tf32_cudnn = on.into();
        }
    })
}

/// Whether float32 matmuls and convolutions may run in TF32: `(matmul, cudnn)`.
pub fn allow_tf32() -> (bool, bool) {
    let flags = crate::ffi::context_flags();
    (flags.allow_tf32_cublas != 0, flags.allow_tf32_cudnn != 0)
}

/// The precision of float32 matmuls on CUDA, as
/// `torch.set_float32_matmul_precision`: `"highest"` (float32), `"high"`
/// (TF32 allowed) or `"medium"` (bfloat16 allowed).
pub fn set_float32_matmul_precision(precision: &str) -> Result<()> {
    if !["highest", "high", "medium"].contains(&precision) {
        bail!(
            Argument,
            "set_float32_matmul_precision: expected \"highest\", \"high\" or \"medium\", got {precision:?}"
        );
    }
    crate::ffi::set_context_flags(crate::ffi::context_flags(), Some(precision))
        .map_err(|f| crate::ops::failed("set_float32_matmul_precision", std::iter::empty(), f))
}

/// The kernels `scaled_dot_product_attention` may pick from, as
/// `torch.nn.attention.SDPBackend` names them (and numbers them: `code`).
/// All are allowed by default; libtorch picks the fastest that fits the
/// inputs (on the CPU, the flash kernel or the math one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpBackend {
    /// The plain composition of matmul and softmax (any input, any device).
    Math = 0,
    /// Flash attention (the CPU's fused kernel, or CUDA's).
    FlashAttention = 1,
    /// Memory-efficient attention (CUDA).
    EfficientAttention = 2,
    /// cuDNN's attention (CUDA).
    CudnnAttention = 3,
}

impl SdpBackend {
    /// Every kernel, in torch's order.
    pub const ALL: [SdpBackend; 4] = [
        SdpBackend::Math,
        SdpBackend::FlashAttention,
        SdpBackend::EfficientAttention,
        SdpBackend::CudnnAttention,
    ];

    /// torch's `SDPBackend` value.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The kernel of torch's `SDPBackend` value `code`.
    pub fn from_code(code: i64) -> Result<SdpBackend> {
        match SdpBackend::ALL.into_iter().find(|b| b.code() == code) {
            Some(backend) => Ok(backend),
            None => bail!(
                Argument,
                "sdpa_kernel: backends must be SDPBackend.MATH, FLASH_ATTENTION, \
                 EFFICIENT_ATTENTION or CUDNN_ATTENTION, got the code {code}"
            ),
        }
    }

    /// Its switch among libtorch's flags.
    fn switch(self, f: &mut crate::ffi::ContextFlags) -> &mut std::ffi::c_int {
        match self {
            SdpBackend::Math => &mut f.sdp_math,
            SdpBackend::FlashAttention => &mut f.sdp_flash,
            SdpBackend::EfficientAttention => &mut f.sdp_mem_efficient,
            SdpBackend::CudnnAttention => &mut f.sdp_cudnn,
        }
    }
}

/// Allows or forbids one of `scaled_dot_product_attention`'s kernels (a
/// global switch, as `torch.backends.cuda.enable_flash_sdp` and its kin).
pub fn set_sdp_backend_enabled(backend: SdpBackend, on: bool) -> Result<()> {
    update_switches("sdpa_kernel", |f| *backend.switch(f) = on.into())
}

/// Whether [`set_sdp_backend_enabled`] allows `backend`.
pub fn sdp_backend_enabled(backend: SdpBackend) -> bool {
    *backend.switch(&mut crate::ffi::context_flags()) != 0
}

/// Allows exactly the kernels of `allowed` and returns those allowed
/// before, to give back to this function once done.
pub fn set_sdp_backends(allowed: &[SdpBackend]) -> Result<Vec<SdpBackend>> {
    let before = SdpBackend::ALL
        .into_iter()
        .filter(|&b| sdp_backend_enabled(b))
        .collect();
    update_switches("sdpa_kernel", |f| {
        for backend in SdpBackend::ALL {
            *backend.switch(f) = allowed.contains(&backend).into();
        }
    })?;
    Ok(before)
}

/// Runs `f` with only the kernels of `allowed`, then allows again those
/// allowed before (also when `f` panics), as
/// `torch.nn.attention.sdpa_kernel`.
pub fn sdpa_kernel<T>(allowed: &[SdpBackend], f: impl FnOnce() -> T) -> Result<T> {
    struct Restore(Vec<SdpBackend>);
    impl Drop for Restore {
        fn drop(&mut self) {
            // Setting flags already set once cannot fail.
            let _ = set_sdp_backends(&self.0);
        }
    }
    let _restore = Restore(set_sdp_backends(allowed)?);
    Ok(f())
}

/// The precision [`set_float32_matmul_precision`] set (`"highest"` first).
pub fn float32_matmul_precision() -> &'static str {
    match crate::ffi::context_flags().float32_matmul_precision {
        1 => "high",
        2 => "medium",
        _ => "highest",
    }
}

/// The window functions of [`Tensor::window`], with PyTorch's parameters
/// (its defaults: Hamming `alpha` 0.54 and `beta` 0.46, Kaiser `beta` 12).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    Hann,
    Hamming { alpha: f64, beta: f64 },
    Bartlett,
    Blackman,
    Kaiser { beta: f64 },
}

impl Window {
    /// PyTorch's function name: `"hann_window"`, ...
    pub fn name(self) -> &'static str {
        match self {
            Window::Hann => "hann_window",
            Window::Hamming { .. } => "hamming_window",
            Window::Bartlett => "bartlett_window",
            Window::Blackman => "blackman_window",
            Window::Kaiser { .. } => "kaiser_window",
        }
    }
}
