//! `GradScaler`: loss scaling for float16 training, PyTorch's algorithm on
//! libtorch's kernels (`_amp_foreach_non_finite_check_and_unscale_`,
//! `_amp_update_scale_`).

use std::collections::HashMap;

use crate::error::{bail, ensure, Error};
use crate::ops::Operand;
use crate::{Device, Result, Tensor, Value, Variable};

/// The options of a [`GradScaler`], with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradScalerOptions {
    /// The scale before the first update.
    pub init_scale: f64,
    /// What the scale is multiplied by after `growth_interval` steps
    /// without inf or NaN.
    pub growth_factor: f64,
    /// What the scale is multiplied by after a step that found inf or NaN.
    pub backoff_factor: f64,
    pub growth_interval: i64,
    /// Off, every call passes through: `scale` returns its input, `step`
    /// is the optimizer's step.
    pub enabled: bool,
}

impl Default for GradScalerOptions {
    fn default() -> Self {
        GradScalerOptions {
            init_scale: 65536.0,
            growth_factor: 2.0,
            backoff_factor: 0.5,
            growth_interval: 2000,
            enabled: true,
        }
    }
}

/// An optimizer a [`GradScaler`] can step: flodl's [`Optimizer`]s, and
/// Python's optimizer objects through the bindings.
///
/// [`Optimizer`]: crate::optim::Optimizer
pub trait ScaledOptimizer {
    /// The gradients of the parameters that have one.
    fn gradients(&self) -> Result<Vec<Tensor>>;
    /// Whether [`scaled_step`](Self::scaled_step) takes the scale and the
    /// inf flag into its kernel (libtorch's fused kernels), so that the
    /// scaler need not unscale first nor read the flag back.
    fn folds_scaling(&self) -> bool {
        false
    }
    /// One step. With `grad_scale`, the kernel divides the gradients by it;
    /// with `found_inf` (nonzero) it changes nothing. Both are None unless
    /// [`folds_scaling`](Self::folds_scaling).
    fn scaled_step(
        &mut self,
        grad_scale: Option<&Tensor>,
        found_inf: Option<&Tensor>,
    ) -> Result<()>;
    /// What tells this optimizer apart from others between updates (the
    /// scaler keeps each one's stage); by default its address.
    fn identity(&self) -> usize
    where
        Self: Sized,
    {
        std::ptr::from_ref(self) as usize
    }
}

/// Where an optimizer stands since the last [`GradScaler::update`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Ready,
    Unscaled,
    Stepped,
}

/// One optimizer's record since the last update: its stage, and per device
/// a 0-d float32 flag, nonzero where a gradient held inf or NaN.
#[derive(Debug)]
struct Record {
    stage: Stage,
    found_inf: Vec<tch::Tensor>,
}

/// Scales the loss so that float16 gradients do not underflow, unscales the
/// gradients before the step, skips steps whose gradients hold inf or NaN,
/// and adapts the scale: PyTorch's `torch.amp.GradScaler`.
///
/// ```no_run
/// use flodl::amp::{GradScaler, GradScalerOptions};
/// use flodl::optim::{Adam, AdamOptions};
/// use flodl::{Device, Tensor, Variable};
/// # fn main() -> flodl::Result<()> {
/// let w = Variable::new(Tensor::ones(&[3], Default::default())?, true)?;
/// let mut opt = Adam::new([w.clone()], AdamOptions::default())?;
/// let mut scaler = GradScaler::new(Device::CPU, GradScalerOptions::default())?;
/// let loss = w.mul_scalar(2.0)?.sum()?;
/// scaler.scale(&loss)?.backward()?;
/// scaler.step(&mut opt)?;
/// scaler.update()?;
/// assert_eq!(scaler.get_scale()?, 65536.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct GradScaler {
    device: Device,
    options: GradScalerOptions,
    init_growth_tracker: i64,
    /// Made on the device of the first output scaled (0-d float32, int32).
    scale: Option<tch::Tensor>,
    growth_tracker: Option<tch::Tensor>,
    records: HashMap<usize, Record>,
}

fn torch_error(op: &str) -> impl Fn(tch::TchError) -> Error + '_ {
    move |e| Error::from_torch(op, "", e)
}

impl GradScaler {
    /// A scaler for the gradients on `device`'s type. On CUDA without a
    /// CUDA device it is disabled with a warning, as PyTorch's.
    pub fn new(device: Device, options: GradScalerOptions) -> Result<Self> {
        let mut options = options;
        if options.enabled {
            let (growth, backoff) = (options.growth_factor, options.backoff_factor);
            if growth.is_nan() || growth <= 1.0 {
                bail!(
                    Argument,
                    "GradScaler: growth_factor must be > 1.0, got {growth}"
                );
            }
            if backoff.is_nan() || backoff >= 1.0 {
                bail!(
                    Argument,
                    "GradScaler: backoff_factor must be < 1.0, got {backoff}"
                );
            }
            if matches!(device, Device::CUDA(_)) && !crate::cuda_available() {
                crate::warnings::warn(
                    "GradScaler: device 'cuda' was asked for but CUDA is not available, \
                     so the scaler is disabled",
                );
                options.enabled = false;
            }
        }
        Ok(GradScaler {
            device,
            options,
            init_growth_tracker: 0,
            scale: None,
            growth_tracker: None,
            records: HashMap::new(),
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.options.enabled
    }

    /// The device type the scaler was made for.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The scale and the growth tracker, or an error naming `op` when no
    /// output was scaled yet.
    fn scale_and_tracker(&self, op: &str) -> Result<(&tch::Tensor, &tch::Tensor)> {
        match (&self.scale, &self.growth_tracker) {
            (Some(s), Some(g)) => Ok((s, g)),
            _ => bail!(
                Argument,
                "{op}: no scale yet; call scale(loss) earlier in the iteration"
            ),
        }
    }

    /// `output` times the scale (made on its device at the first call), with
    /// its graph: backward from it gives scaled gradients.
    pub fn scale(&mut self, output: &Variable) -> Result<Variable> {
        if !self.options.enabled {
            return Ok(output.clone());
        }
        let device = output.raw().device();
        if self.scale.is_none() {
            let op = "GradScaler.scale";
            let scale = tch::Tensor::f_full(
                [] as [i64; 0],
                self.options.init_scale,
                (tch::Kind::Float, device),
            )
            .map_err(torch_error(op))?;
            let tracker = tch::Tensor::f_full(
                [] as [i64; 0],
                self.init_growth_tracker,
                (tch::Kind::Int, device),
            )
            .map_err(torch_error(op))?;
            self.scale = Some(scale);
            self.growth_tracker = Some(tracker);
        }
        let (scale, _) = self.scale_and_tracker("GradScaler.scale")?;
        let scale = scale
            .f_to(device)
            .map_err(torch_error("GradScaler.scale"))?;
        output.mul(&Variable::new(Tensor::from_raw(scale), false)?)
    }

    /// Checks the gradients of `grads` for inf and NaN (per device, into the
    /// returned flags) and multiplies them by `inv_scale` in place.
    fn unscale_grads(
        op: &str,
        grads: &[Tensor],
        inv_scale: &tch::Tensor,
        found_inf: &tch::Tensor,
        allow_fp16: bool,
    ) -> Result<Vec<tch::Tensor>> {
        // Grouped by device and dtype, as libtorch's kernel takes them.
        let mut groups: Vec<((tch::Device, tch::Kind), Vec<&tch::Tensor>)> = Vec::new();
        for g in grads {
            let raw = g.raw();
            let kind = raw.kind();
            if !allow_fp16 && kind == tch::Kind::Half {
                bail!(Argument, "{op}: cannot unscale float16 gradients");
            }
            let key = (raw.device(), kind);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(raw),
                None => groups.push((key, vec![raw])),
            }
        }
        let mut flags: Vec<(tch::Device, tch::Tensor, tch::Tensor)> = Vec::new();
        for ((device, _), list) in &groups {
            let at = match flags.iter().position(|(d, _, _)| d == device) {
                Some(at) => at,
                None => {
                    // Copies, as PyTorch's per-device replicas are.
                    let flag = found_inf.f_to_device_(*device, tch::Kind::Float, false, true);
                    let inv = inv_scale.f_to_device_(*device, tch::Kind::Float, false, true);
                    flags.push((
                        *device,
                        flag.map_err(torch_error(op))?,
                        inv.map_err(torch_error(op))?,
                    ));
                    flags.len() - 1
                }
            };
            let (_, flag, inv) = &flags[at];
            crate::ffi::amp_unscale(list, flag, inv).map_err(|f| Error::from_failure(op, "", f))?;
        }
        Ok(flags.into_iter().map(|(_, flag, _)| flag).collect())
    }

    fn stage(&self, key: usize) -> Stage {
        self.records.get(&key).map_or(Stage::Ready, |r| r.stage)
    }

    /// Divides `optimizer`'s gradients by the scale in place (so that they
    /// can be clipped before the step) and records whether any holds inf or
    /// NaN. Once per optimizer between updates, before its step.
    pub fn unscale_<O: ScaledOptimizer>(&mut self, optimizer: &mut O) -> Result<()> {
        let key = optimizer.identity();
        if !self.options.enabled {
            return Ok(());
        }
        let op = "GradScaler.unscale_";
        let (scale, _) = self.scale_and_tracker(op)?;
        match self.stage(key) {
            Stage::Unscaled => bail!(
                Argument,
                "{op}: already called on this optimizer since the last update()"
            ),
            Stage::Stepped => bail!(Argument, "{op}: called after step(); call update() first"),
            Stage::Ready => {}
        }
        // As PyTorch: the reciprocal in float64, then float32.
        let inv_scale = (scale.f_to_kind(tch::Kind::Double))
            .and_then(|s| s.f_reciprocal())
            .and_then(|s| s.f_to_kind(tch::Kind::Float))
            .map_err(torch_error(op))?;
        let found_inf = scale.f_zeros_like().map_err(torch_error(op))?;
        let grads = optimizer.gradients()?;
        let flags = Self::unscale_grads(op, &grads, &inv_scale, &found_inf, false)?;
        self.records.insert(
            key,
            Record {
                stage: Stage::Unscaled,
                found_inf: flags,
            },
        );
        Ok(())
    }

    /// Steps `optimizer` unless its gradients hold inf or NaN: unscaling
    /// first if [`unscale_`](Self::unscale_) was not called, or, for a fused
    /// optimizer, handing its kernel the scale and the flag.
    pub fn step<O: ScaledOptimizer>(&mut self, optimizer: &mut O) -> Result<()> {
        let key = optimizer.identity();
        if !self.options.enabled {
            return optimizer.scaled_step(None, None);
        }
        let op = "GradScaler.step";
        self.scale_and_tracker(op)?;
        let stage = self.stage(key);
        ensure!(
            stage != Stage::Stepped,
            Argument,
            "{op}: already called on this optimizer since the last update()"
        );
        if optimizer.folds_scaling() {
            if stage == Stage::Ready {
                // Only the check: the kernel unscales.
                let (scale, _) = self.scale_and_tracker(op)?;
                let one = scale.f_ones_like().map_err(torch_error(op))?;
                let found_inf = scale.f_zeros_like().map_err(torch_error(op))?;
                let grads = optimizer.gradients()?;
                let flags = Self::unscale_grads(op, &grads, &one, &found_inf, true)?;
                self.records.insert(
                    key,
                    Record {
                        stage: Stage::Ready,
                        found_inf: flags,
                    },
                );
            }
            let (scale, _) = self.scale_and_tracker(op)?;
            let found_inf = self.combined_found_inf(op, Some(key))?;
            let grad_scale =
                (stage == Stage::Ready).then(|| Tensor::from_raw(scale.shallow_clone()));
            optimizer.scaled_step(grad_scale.as_ref(), Some(&Tensor::from_raw(found_inf)))?;
        } else {
            if stage == Stage::Ready {
                self.unscale_(optimizer)?;
            }
            let found_inf = self.combined_found_inf(op, Some(key))?;
            let found = found_inf.f_double_value(&[]).map_err(torch_error(op))?;
            if found == 0.0 {
                optimizer.scaled_step(None, None)?;
            }
        }
        if let Some(record) = self.records.get_mut(&key) {
            record.stage = Stage::Stepped;
        }
        Ok(())
    }

    /// The sum of the inf flags recorded for `key` (None: for every
    /// optimizer), on the scale's device.
    fn combined_found_inf(&self, op: &str, key: Option<usize>) -> Result<tch::Tensor> {
        let (scale, _) = self.scale_and_tracker(op)?;
        let device = scale.device();
        let flags: Vec<&tch::Tensor> = match key {
            Some(k) => self
                .records
                .get(&k)
                .map(|r| r.found_inf.iter().collect())
                .unwrap_or_default(),
            None => self.records.values().flat_map(|r| &r.found_inf).collect(),
        };
        let Some((first, rest)) = flags.split_first() else {
            bail!(
                Argument,
                "{op}: no inf checks were recorded{}",
                if key.is_some() {
                    " for this optimizer (none of its parameters has a gradient)"
                } else {
                    " before update() (no step or unscale_ since the last update)"
                }
            );
        };
        let mut sum = first
            .f_to_device_(device, tch::Kind::Float, false, true)
            .map_err(torch_error(op))?;
        for flag in rest {
            let flag = flag.f_to(device).map_err(torch_error(op))?;
            sum = sum.f_add(&flag).map_err(torch_error(op))?;
        }
        Ok(sum)
    }

    /// Adapts the scale to the steps since the last update: multiplied by
    /// `backoff_factor` if any step found inf or NaN, by `growth_factor`
    /// after `growth_interval` clean steps in a row.
    pub fn update(&mut self) -> Result<()> {
        if !self.options.enabled {
            return Ok(());
        }
        let op = "GradScaler.update";
        let found_inf = self.combined_found_inf(op, None)?;
        let (scale, tracker) = self.scale_and_tracker(op)?;
        let o = &self.options;
        crate::ffi::amp_update_scale(
            scale,
            tracker,
            &found_inf,
            o.growth_factor,
            o.backoff_factor,
            o.growth_interval,
        )
        .map_err(|f| Error::from_failure(op, "", f))?;
        self.records.clear();
        Ok(())
    }

    /// Sets the scale to `new_scale` instead of adapting it.
    pub fn update_to(&mut self, new_scale: f64) -> Result<()> {
        if !self.options.enabled {
            return Ok(());
        }
        let (scale, _) = self.scale_and_tracker("GradScaler.update")?;
        let mut scale = scale.shallow_clone();
        drop(
            scale
                .f_fill_(new_scale)
                .map_err(torch_error("GradScaler.update"))?,
        );
        self.records.clear();
        Ok(())
    }

    /// Sets the scale to the one element of `new_scale` (on the scaler's
    /// device type), without reading it back to the host.
    pub fn update_to_tensor(&mut self, new_scale: &Tensor) -> Result<()> {
        if !self.options.enabled {
            return Ok(());
        }
        let op = "GradScaler.update";
        let raw = new_scale.raw();
        ensure!(
            raw.numel() == 1,
            Argument,
            "{op}: new_scale must be a float or a one-element tensor, got shape {:?}",
            raw.size()
        );
        ensure!(
            std::mem::discriminant(&crate::dtype::device_of(raw))
                == std::mem::discriminant(&self.device),
            Device,
            "{op}: new_scale is on {}, the scaler on {}",
            crate::dtype::device_of(raw),
            self.device
        );
        let (scale, _) = self.scale_and_tracker(op)?;
        let mut scale = scale.shallow_clone();
        let value = raw.f_reshape([] as [i64; 0]).map_err(torch_error(op))?;
        scale.f_copy_(&value).map_err(torch_error(op))?;
        self.records.clear();
        Ok(())
    }

    /// The current scale (1.0 when disabled). Reads it back from the device.
    pub fn get_scale(&self) -> Result<f64> {
        if !self.options.enabled {
            return Ok(1.0);
        }
        match &self.scale {
            None => Ok(self.options.init_scale),
            Some(s) => s
                .f_double_value(&[])
                .map_err(torch_error("GradScaler.get_scale")),
        }
    }

    fn growth_tracker_value(&self) -> Result<i64> {
        if !self.options.enabled {
            return Ok(0);
        }
        match &self.growth_tracker {
            None => Ok(self.init_growth_tracker),
            Some(g) => g
                .f_int64_value(&[])
                .map_err(torch_error("GradScaler.state_dict")),
        }
    }

    pub fn get_growth_factor(&self) -> f64 {
        self.options.growth_factor
    }

    pub fn set_growth_factor(&mut self, factor: f64) {
        self.options.growth_factor = factor;
    }

    pub fn get_backoff_factor(&self) -> f64 {
        self.options.backoff_factor
    }

    pub fn set_backoff_factor(&mut self, factor: f64) {
        self.options.backoff_factor = factor;
    }

    pub fn get_growth_interval(&self) -> i64 {
        self.options.growth_interval
    }

    pub fn set_growth_interval(&mut self, interval: i64) {
        self.options.growth_interval = interval;
    }

    /// PyTorch's layout: `{"scale", "growth_factor", "backoff_factor",
    /// "growth_interval", "_growth_tracker"}`; empty when disabled.
    pub fn state_dict(&self) -> Result<Value> {
        if !self.options.enabled {
            return Ok(Value::dict(Vec::<(&str, Value)>::new()));
        }
        Ok(Value::dict([
            ("scale", Value::Float(self.get_scale()?)),
            ("growth_factor", Value::Float(self.options.growth_factor)),
            ("backoff_factor", Value::Float(self.options.backoff_factor)),
            ("growth_interval", Value::Int(self.options.growth_interval)),
            ("_growth_tracker", Value::Int(self.growth_tracker_value()?)),
        ]))
    }

    /// Restores a [`state_dict`](Self::state_dict) (of an enabled scaler).
    pub fn load_state_dict(&mut self, state: &Value) -> Result<()> {
        if !self.options.enabled {
            return Ok(());
        }
        let op = "GradScaler.load_state_dict";
        let Value::Dict(entries) = state.content() else {
            bail!(Argument, "{op}: expected a dict, got {}", state.kind());
        };
        ensure!(
            !entries.is_empty(),
            Argument,
            "{op}: the state dict is empty (saved from a disabled GradScaler?)"
        );
        let number = |name: &str| -> Result<&Value> {
            state.get(name).ok_or_else(|| {
                Error::new(
                    crate::ErrorKind::Argument,
                    format!("{op}: no {name:?} entry"),
                )
            })
        };
        let float = |name: &str| -> Result<f64> {
            let v = number(name)?;
            v.as_f64().ok_or_else(|| {
                Error::new(
                    crate::ErrorKind::Argument,
                    format!("{op}: {name:?} must be a number, got {}", v.kind()),
                )
            })
        };
        let int = |name: &str| -> Result<i64> {
            let v = number(name)?;
            v.as_i64().ok_or_else(|| {
                Error::new(
                    crate::ErrorKind::Argument,
                    format!("{op}: {name:?} must be an int, got {}", v.kind()),
                )
            })
        };
        let scale = float("scale")?;
        let growth_factor = float("growth_factor")?;
        let backoff_factor = float("backoff_factor")?;
        let growth_interval = int("growth_interval")?;
        let tracker = int("_growth_tracker")?;
        self.options.init_scale = scale;
        self.options.growth_factor = growth_factor;
        self.options.backoff_factor = backoff_factor;
        self.options.growth_interval = growth_interval;
        self.init_growth_tracker = tracker;
        if let Some(s) = &self.scale {
            drop(s.shallow_clone().f_fill_(scale).map_err(torch_error(op))?);
        }
        if let Some(g) = &self.growth_tracker {
            drop(
                g.shallow_clone()
                    .f_fill_(tracker)
                    .map_err(torch_error(op))?,
            );
        }
        Ok(())
    }
}

impl<M: crate::optim::Method> ScaledOptimizer for crate::optim::Optimizer<M> {
    fn gradients(&self) -> Result<Vec<Tensor>> {
        Ok(self
            .param_groups()
            .iter()
            .flat_map(|g| &g.params)
            .filter_map(Variable::grad)
            .collect())
    }

    fn folds_scaling(&self) -> bool {
        self.param_groups()
            .first()
            .is_some_and(|g| g.options.folds_scaling())
    }

    fn scaled_step(
        &mut self,
        grad_scale: Option<&Tensor>,
        found_inf: Option<&Tensor>,
    ) -> Result<()> {
        self.step_scaled((grad_scale.map(Tensor::raw), found_inf.map(Tensor::raw)))
    }
}
