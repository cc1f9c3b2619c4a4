//! Mixed precision, on libtorch's own machinery (SPEC §13).
//!
//! - [`autocast`] / [`AutocastGuard`]: inside the region, each op runs in
//!   the dtype libtorch's autocast policy gives it for the device type
//!   (on CUDA matmul, conv and linear in float16 or bfloat16, softmax,
//!   losses and norms in float32; the CPU's own list for bfloat16). The
//!   state is per thread and regions nest, as `torch.autocast`.
//! - [`GradScaler`]: loss scaling for float16 training, with steps skipped
//!   when a gradient is inf or NaN, as `torch.amp.GradScaler`.
//!
//! ```no_run
//! use flodl::{amp, DType, Device, Tensor};
//! # fn main() -> flodl::Result<()> {
//! let a = Tensor::randn(&[4, 8], Default::default())?;
//! let b = Tensor::randn(&[8, 3], Default::default())?;
//! let c = amp::autocast(Device::CPU, DType::BFloat16, || a.matmul(&b))??;
//! assert_eq!(c.dtype(), DType::BFloat16);
//! # Ok(())
//! # }
//! ```

mod scaler;

use std::marker::PhantomData;

pub use scaler::{GradScaler, GradScalerOptions, ScaledOptimizer};

use crate::error::{bail, Error};
use crate::ffi::{AutocastDevice, AutocastState};
use crate::{DType, Device, Result};

fn device_type(device: Device) -> AutocastDevice {
    match device {
        Device::CPU => AutocastDevice::Cpu,
        Device::CUDA(_) => AutocastDevice::Cuda,
    }
}

fn device_name(device: Device) -> &'static str {
    match device {
        Device::CPU => "cpu",
        Device::CUDA(_) => "cuda",
    }
}

/// Whether autocast is on for `device`'s type on this thread.
pub fn is_autocast_enabled(device: Device) -> bool {
    // The shim fails only for a device type it does not know; both are known.
    crate::ffi::autocast_state(device_type(device)).is_ok_and(|s| s.enabled != 0)
}

/// Whether autocast keeps the casts of leaf tensors (weights) for the
/// rest of the outermost region (libtorch's flag, global).
pub fn is_autocast_cache_enabled() -> bool {
    // Either device type reads the one global flag.
    crate::ffi::autocast_state(AutocastDevice::Cpu).is_ok_and(|s| s.cache_enabled != 0)
}

/// The dtype autocast casts to on `device`'s type (on this thread): the
/// innermost region's, else libtorch's default (float16 on CUDA, bfloat16
/// on the CPU).
pub fn autocast_dtype(device: Device) -> DType {
    let fallback = match device {
        Device::CPU => DType::BFloat16,
        Device::CUDA(_) => DType::Float16,
    };
    crate::ffi::autocast_state(device_type(device))
        .ok()
        .and_then(|s| DType::from_scalar_type_code(s.dtype))
        .unwrap_or(fallback)
}

/// An autocast region on this thread, left when the guard drops (regions
/// nest; drop guards in the reverse order of their making). Not `Send`:
/// libtorch keeps the state per thread.
#[derive(Debug)]
#[must_use = "autocast ends when the guard drops"]
pub struct AutocastGuard {
    device: AutocastDevice,
    previous: AutocastState,
    _per_thread: PhantomData<*const ()>,
}

impl AutocastGuard {
    /// Autocast on `device`'s type in `dtype` (None: the current autocast
    /// dtype of that device type), the cast-weight cache as it is now.
    pub fn new(device: Device, dtype: Option<DType>) -> Result<Self> {
        Self::with_options(device, dtype, true, is_autocast_cache_enabled())
    }

    /// As `torch.autocast(device_type, dtype, enabled, cache_enabled)`:
    /// `enabled = false` makes a region where autocast is off (inside an
    /// enabled one, too). On CUDA without a CUDA device, autocast stays
    /// off with a warning, as PyTorch does.
    pub fn with_options(
        device: Device,
        dtype: Option<DType>,
        enabled: bool,
        cache_enabled: bool,
    ) -> Result<Self> {
        let dtype = dtype.unwrap_or_else(|| autocast_dtype(device));
        let mut enabled = enabled;
        if enabled {
            let supported = [DType::BFloat16, DType::Float16];
            if !supported.contains(&dtype) {
                bail!(
                    DType,
                    "autocast: {} autocast runs in bfloat16 or float16, got {}",
                    device_name(device),
                    dtype.name()
                );
            }
            if matches!(device, Device::CUDA(_)) && !crate::cuda_available() {
                crate::warnings::warn(
                    "autocast: device_type 'cuda' was asked for but CUDA is not available, \
                     so autocast stays off",
                );
                enabled = false;
            }
        }
        let state = AutocastState {
            enabled: i32::from(enabled),
            dtype: dtype.scalar_type_code(),
            cache_enabled: i32::from(cache_enabled),
        };
        let device = device_type(device);
        let previous = crate::ffi::autocast_enter(device, state)
            .map_err(|f| Error::from_failure("autocast", "", f))?;
        Ok(AutocastGuard {
            device,
            previous,
            _per_thread: PhantomData,
        })
    }
}

/// An autocast region entered without a guard, for Python's `with`
/// (entered and left by separate calls); left by [`leave`].
#[cfg(feature = "python")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    device: AutocastDevice,
    previous: AutocastState,
}

#[cfg(feature = "python")]
impl AutocastGuard {
    /// The region this guard stands for, no longer left on drop.
    pub(crate) fn into_region(self) -> Region {
        let region = Region {
            device: self.device,
            previous: self.previous,
        };
        std::mem::forget(self);
        region
    }
}

/// Leaves a region made by [`AutocastGuard::into_region`].
#[cfg(feature = "python")]
pub(crate) fn leave(region: Region) -> Result<()> {
    crate::ffi::autocast_exit(region.device, region.previous)
        .map_err(|f| Error::from_failure("autocast", "", f))
}

impl Drop for AutocastGuard {
    fn drop(&mut self) {
        // Fails only for a device type the shim does not know, and this one
        // was accepted on entry.
        let _ = crate::ffi::autocast_exit(self.device, self.previous);
    }
}

/// The autocast state of both device types on this thread, taken so that
/// code can run again as it ran (checkpoint's recomputation in backward,
/// as PyTorch's, which would otherwise run outside the forward's region).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AutocastSnapshot([(AutocastDevice, AutocastState); 2]);

impl AutocastSnapshot {
    pub(crate) fn now() -> Result<Self> {
        let state = |device| {
            crate::ffi::autocast_state(device)
                .map(|s| (device, s))
                .map_err(|f| Error::from_failure("autocast", "", f))
        };
        Ok(AutocastSnapshot([
            state(AutocastDevice::Cpu)?,
            state(AutocastDevice::Cuda)?,
        ]))
    }

    /// Runs `f` in these states, then restores the thread's own (also when
    /// `f` panics).
    pub(crate) fn replay<T>(&self, f: impl FnOnce() -> T) -> Result<T> {
        let mut guards = Vec::with_capacity(2);
        for (device, state) in self.0 {
            let previous = crate::ffi::autocast_enter(device, state)
                .map_err(|f| Error::from_failure("autocast", "", f))?;
            guards.push(AutocastGuard {
                device,
                previous,
                _per_thread: PhantomData,
            });
        }
        let out = f();
        // Left in the reverse order of entry.
        while let Some(guard) = guards.pop() {
            drop(guard);
        }
        Ok(out)
    }
}

/// Runs `f` with autocast on `device`'s type in `dtype`, then restores the
/// previous state (also when `f` panics).
pub fn autocast<T>(device: Device, dtype: DType, f: impl FnOnce() -> T) -> Result<T> {
    let _guard = AutocastGuard::new(device, Some(dtype))?;
    Ok(f())
}
