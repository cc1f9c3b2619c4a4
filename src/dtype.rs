//! Element types and devices, and their mapping to tch's.

use std::fmt;
use std::str::FromStr;

use crate::error::{bail, Error, ErrorKind, Result};

/// The element type of a tensor.
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(module = "flodl", eq, eq_int, frozen, hash, from_py_object)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    Bool,
    UInt8,
    Int8,
    Int16,
    Int32,
    Int64,
    Float16,
    BFloat16,
    Float32,
    Float64,
    /// Two float32s, real and imaginary parts (`torch.complex64`, `cfloat`).
    Complex64,
    /// Two float64s (`torch.complex128`, `cdouble`).
    Complex128,
}

/// (flodl dtype, tch kind, name as PyTorch and numpy write it, its
/// c10::ScalarType code for the shim)
const DTYPES: [(DType, tch::Kind, &str, i32); 12] = [
    (DType::Bool, tch::Kind::Bool, "bool", 11),
    (DType::UInt8, tch::Kind::Uint8, "uint8", 0),
    (DType::Int8, tch::Kind::Int8, "int8", 1),
    (DType::Int16, tch::Kind::Int16, "int16", 2),
    (DType::Int32, tch::Kind::Int, "int32", 3),
    (DType::Int64, tch::Kind::Int64, "int64", 4),
    (DType::Float16, tch::Kind::Half, "float16", 5),
    (DType::BFloat16, tch::Kind::BFloat16, "bfloat16", 15),
    (DType::Float32, tch::Kind::Float, "float32", 6),
    (DType::Float64, tch::Kind::Double, "float64", 7),
    (DType::Complex64, tch::Kind::ComplexFloat, "complex64", 9),
    (
        DType::Complex128,
        tch::Kind::ComplexDouble,
        "complex128",
        10,
    ),
];

impl DType {
    /// Every dtype, in declaration order.
    pub const ALL: [DType; 12] = [
        DType::Bool,
        DType::UInt8,
        DType::Int8,
        DType::Int16,
        DType::Int32,
        DType::Int64,
        DType::Float16,
        DType::BFloat16,
        DType::Float32,
        DType::Float64,
        DType::Complex64,
        DType::Complex128,
    ];

    fn entry(self) -> &'static (DType, tch::Kind, &'static str, i32) {
        // DTYPES lists the variants in declaration order (checked by
        // `dtype_names_round_trip`), so the discriminant is the row.
        &DTYPES[self as usize]
    }

    /// The name PyTorch and numpy use: `"float32"`, `"int64"`, ...
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    pub fn is_floating_point(self) -> bool {
        matches!(
            self,
            DType::Float16 | DType::BFloat16 | DType::Float32 | DType::Float64
        )
    }

    /// Whether a tensor of this dtype can require grad (floating point or
    /// complex, as PyTorch's rule).
    pub fn is_differentiable(self) -> bool {
        self.is_floating_point() || self.is_complex()
    }

    pub fn is_complex(self) -> bool {
        matches!(self, DType::Complex64 | DType::Complex128)
    }

    /// The dtype of a complex dtype's parts (`float32` for `complex64`);
    /// any other dtype is its own.
    pub fn to_real(self) -> DType {
        match self {
            DType::Complex64 => DType::Float32,
            DType::Complex128 => DType::Float64,
            other => other,
        }
    }

    /// The complex dtype whose parts are this floating-point dtype
    /// (`complex64` for `float32`); a DType error for the others, which
    /// flodl has no complex form of (libtorch's complex32 included).
    pub fn to_complex(self) -> Result<DType> {
        match self {
            DType::Float32 | DType::Complex64 => Ok(DType::Complex64),
            DType::Float64 | DType::Complex128 => Ok(DType::Complex128),
            other => Err(Error::new(
                ErrorKind::DType,
                format!(
                    "to_complex: flodl has complex forms of float32 and float64, not {}",
                    other.name()
                ),
            )),
        }
    }

    /// Bytes per element.
    pub fn element_size(self) -> usize {
        match self {
            DType::Bool | DType::UInt8 | DType::Int8 => 1,
            DType::Int16 | DType::Float16 | DType::BFloat16 => 2,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 | DType::Complex64 => 8,
            DType::Complex128 => 16,
        }
    }

    /// The dtype a result of `self` and `other` operands takes, as
    /// `torch.promote_types` (float16 with bfloat16 is float32; an integer
    /// with a float the float).
    pub fn promote_types(self, other: DType) -> Result<DType> {
        crate::ffi::promote_types(self.scalar_type_code(), other.scalar_type_code())
            .and_then(DType::from_scalar_type_code)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::DType,
                    format!(
                        "promote_types: {} and {} have no common dtype",
                        self.name(),
                        other.name()
                    ),
                )
            })
    }

    /// Whether an op may write a `self` result into a `to` tensor, as
    /// `torch.can_cast` (no float into an integer, nothing into bool but bool).
    pub fn can_cast(self, to: DType) -> Result<bool> {
        tch::Tensor::f_can_cast(self.to_kind(), to.to_kind())
            .map_err(|e| Error::new(ErrorKind::DType, format!("can_cast: {e}")))
    }

    pub(crate) fn to_kind(self) -> tch::Kind {
        self.entry().1
    }

    /// Its c10::ScalarType code, as the shim takes dtypes.
    pub(crate) fn scalar_type_code(self) -> i32 {
        self.entry().3
    }

    pub(crate) fn from_scalar_type_code(code: i32) -> Option<DType> {
        DTYPES.iter().find(|e| e.3 == code).map(|e| e.0)
    }

    pub(crate) fn from_kind(kind: tch::Kind) -> Result<DType> {
        DTYPES
            .iter()
            .find(|e| e.1 == kind)
            .map(|e| e.0)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::DType,
                    format!("flodl has no dtype {}", kind_name(kind)),
                )
            })
    }
}

/// The limits of a floating-point dtype, as `torch.finfo`.
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(module = "flodl", name = "finfo", frozen, get_all)
)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatInfo {
    pub dtype: DType,
    /// Bits per value.
    pub bits: u32,
    /// The gap between 1 and the next value.
    pub eps: f64,
    /// The largest finite value.
    pub max: f64,
    /// The smallest (most negative) finite value.
    pub min: f64,
    /// The smallest positive normal value (also `smallest_normal`).
    pub tiny: f64,
    /// About how many decimal digits it resolves: `10 ** -digits`.
    pub resolution: f64,
}

/// The limits of an integer dtype, as `torch.iinfo`.
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(module = "flodl", name = "iinfo", frozen, get_all)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntInfo {
    pub dtype: DType,
    pub bits: u32,
    pub max: i64,
    pub min: i64,
}

impl DType {
    /// This floating-point dtype's limits (a DType error for another).
    pub fn finfo(self) -> Result<FloatInfo> {
        if self.is_complex() {
            // PyTorch's: a complex dtype's limits are its parts'.
            return self.to_real().finfo();
        }
        // (bits, eps, max, tiny, resolution), as IEEE and bfloat16 define them.
        let (bits, eps, max, tiny, resolution) = match self {
            DType::Float16 => (16, 0.0009765625, 65504.0, 6.103515625e-05, 0.001),
            DType::BFloat16 => (
                16,
                0.0078125,
                3.3895313892515355e38,
                1.1754943508222875e-38,
                0.01,
            ),
            DType::Float32 => (
                32,
                f64::from(f32::EPSILON),
                f64::from(f32::MAX),
                f64::from(f32::MIN_POSITIVE),
                1e-6,
            ),
            DType::Float64 => (64, f64::EPSILON, f64::MAX, f64::MIN_POSITIVE, 1e-15),
            other => {
                return Err(Error::new(
                    ErrorKind::DType,
                    format!("finfo: needs a floating-point dtype, got {}", other.name()),
                ))
            }
        };
        Ok(FloatInfo {
            dtype: self,
            bits,
            eps,
            max,
            min: -max,
            tiny,
            resolution,
        })
    }

    /// This integer dtype's limits (a DType error for another, bool
    /// included, as PyTorch's).
    pub fn iinfo(self) -> Result<IntInfo> {
        let (bits, min, max) = match self {
            DType::UInt8 => (8, 0, i64::from(u8::MAX)),
            DType::Int8 => (8, i64::from(i8::MIN), i64::from(i8::MAX)),
            DType::Int16 => (16, i64::from(i16::MIN), i64::from(i16::MAX)),
            DType::Int32 => (32, i64::from(i32::MIN), i64::from(i32::MAX)),
            DType::Int64 => (64, i64::MIN, i64::MAX),
            other => {
                return Err(Error::new(
                    ErrorKind::DType,
                    format!("iinfo: needs an integer dtype, got {}", other.name()),
                ))
            }
        };
        Ok(IntInfo {
            dtype: self,
            bits,
            max,
            min,
        })
    }
}

/// PyTorch's name of a libtorch dtype, for messages about the ones flodl
/// lacks (tch's names are Rust's: `ComplexFloat` is torch's complex64).
pub(crate) fn kind_name(kind: tch::Kind) -> String {
    if let Some(dtype) = DTYPES.iter().find(|e| e.1 == kind) {
        return dtype.0.name().to_string();
    }
    // By tch's spelling, which holds across its releases; variants come and go.
    const TORCH_NAMES: &[(&str, &str)] = &[
        ("ComplexHalf", "complex32"),
        ("ComplexFloat", "complex64"),
        ("ComplexDouble", "complex128"),
        ("QInt8", "qint8"),
        ("QUInt8", "quint8"),
        ("QInt32", "qint32"),
        ("Float8e5m2", "float8_e5m2"),
        ("Float8e4m3fn", "float8_e4m3fn"),
        ("Float8e5m2fnuz", "float8_e5m2fnuz"),
        ("Float8e4m3fnuz", "float8_e4m3fnuz"),
        ("UInt16", "uint16"),
        ("UInt32", "uint32"),
        ("UInt64", "uint64"),
    ];
    let rust = format!("{kind:?}");
    TORCH_NAMES
        .iter()
        .find(|(r, _)| *r == rust)
        .map_or_else(|| rust.to_lowercase(), |(_, torch)| (*torch).to_string())
}

/// The dtype of a raw tensor in PyTorch's words, whether or not flodl has
/// it (`f_kind` fails for dtypes tch itself does not know).
pub(crate) fn raw_dtype_name(raw: &tch::Tensor) -> String {
    raw.f_kind()
        .map_or_else(|_| "unknown".to_string(), kind_name)
}

/// The device of a raw tensor in PyTorch's words.
pub(crate) fn raw_device_name(device: tch::Device) -> String {
    match Device::from_tch(device) {
        Ok(d) => d.to_string(),
        Err(_) => "a device flodl does not support".to_string(),
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DType {
    type Err = Error;

    /// Parses `"float32"`, `"torch.float32"`, `"Float32"` and the usual
    /// aliases (`"float"`, `"double"`, `"long"`, `"half"`, ...).
    fn from_str(s: &str) -> Result<DType> {
        let name = s.trim().trim_start_matches("torch.").to_ascii_lowercase();
        let canonical = match name.as_str() {
            "float" => "float32",
            "double" => "float64",
            "half" => "float16",
            "long" => "int64",
            "int" => "int32",
            "short" => "int16",
            "cfloat" => "complex64",
            "cdouble" => "complex128",
            other => other,
        };
        DTYPES
            .iter()
            .find(|e| e.2 == canonical)
            .map(|e| e.0)
            .ok_or_else(|| Error::new(ErrorKind::Argument, format!("unknown dtype {s:?}")))
    }
}

/// Where a tensor lives.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Device {
    CPU,
    CUDA(u8),
}

impl Device {
    pub(crate) fn to_tch(self) -> tch::Device {
        match self {
            Device::CPU => tch::Device::Cpu,
            Device::CUDA(i) => tch::Device::Cuda(i as usize),
        }
    }

    /// The CUDA index, None for the CPU.
    pub(crate) fn cuda_index(self) -> Option<u8> {
        match self {
            Device::CPU => None,
            Device::CUDA(i) => Some(i),
        }
    }

    pub(crate) fn from_tch(device: tch::Device) -> Result<Device> {
        match device {
            tch::Device::Cpu => Ok(Device::CPU),
            tch::Device::Cuda(i) => u8::try_from(i).map(Device::CUDA).map_err(|_| {
                Error::new(
                    ErrorKind::Device,
                    format!("CUDA device index {i} is too large"),
                )
            }),
            _ => Err(Error::new(
                ErrorKind::Device,
                "flodl holds tensors on cpu and cuda only",
            )),
        }
    }

    /// Errors unless this device can be used in this process.
    pub(crate) fn check_available(self, op: &str) -> Result<()> {
        if let Device::CUDA(i) = self {
            let count = cuda_device_count();
            if usize::from(i) >= count {
                bail!(
                    Device,
                    "{op}: {self} was asked for, but this process sees {count} CUDA device(s)"
                );
            }
        }
        Ok(())
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::CPU => f.write_str("cpu"),
            Device::CUDA(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl FromStr for Device {
    type Err = Error;

    /// Parses `"cpu"`, `"cuda"` (device 0) and `"cuda:N"`, exactly as
    /// PyTorch spells them (`"CPU"` and `" cpu"` are errors there too).
    /// PyTorch's other device types are Device errors: flodl lacks them.
    fn from_str(s: &str) -> Result<Device> {
        const OTHER_TYPES: &[&str] = &[
            "meta",
            "mps",
            "xpu",
            "xla",
            "hip",
            "ipu",
            "lazy",
            "vulkan",
            "mtia",
            "hpu",
            "ve",
            "fpga",
            "maia",
            "mkldnn",
            "opengl",
            "opencl",
            "ideep",
            "privateuseone",
        ];
        let (kind, index) = match s.split_once(':') {
            Some((kind, index)) => (kind, Some(index)),
            None => (s, None),
        };
        let index = index.map(|i| {
            // Digits only: "cuda: 0" and "cuda:+0" are errors, as in PyTorch.
            let digits = !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit());
            i.parse::<u8>().ok().filter(|_| digits).ok_or_else(|| {
                Error::new(
                    ErrorKind::Argument,
                    format!("bad device index in {s:?} (0 to 255)"),
                )
            })
        });
        match (kind, index) {
            ("cpu", None) => Ok(Device::CPU),
            ("cpu", Some(index)) => index.map(|_| Device::CPU),
            ("cuda", None) => Ok(Device::CUDA(0)),
            ("cuda", Some(index)) => index.map(Device::CUDA),
            (other, _) if OTHER_TYPES.contains(&other) => Err(Error::new(
                ErrorKind::Device,
                format!("flodl holds tensors on cpu and cuda only, not {other}"),
            )),
            _ => Err(Error::new(
                ErrorKind::Argument,
                format!("unknown device {s:?} (expected \"cpu\", \"cuda\" or \"cuda:N\")"),
            )),
        }
    }
}

/// The dtype and device of a new tensor: by default the default float dtype
/// ([`crate::get_default_dtype`], float32 unless changed) on the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TensorOptions {
    pub dtype: DType,
    pub device: Device,
}

impl Default for TensorOptions {
    fn default() -> Self {
        TensorOptions {
            dtype: crate::get_default_dtype(),
            device: Device::CPU,
        }
    }
}

impl TensorOptions {
    pub(crate) fn to_tch(self) -> (tch::Kind, tch::Device) {
        (self.dtype.to_kind(), self.device.to_tch())
    }
}

/// Whether `kind` is one of libtorch's complex kinds.
pub(crate) fn is_complex_kind(kind: tch::Kind) -> bool {
    DType::from_kind(kind).is_ok_and(DType::is_complex)
}

/// `t` as real numbers: a complex tensor's `view_as_real` (real and
/// imaginary parts side by side, sharing memory), any other tensor itself.
/// PyTorch's optimizers update complex parameters through this view.
pub(crate) fn real_view(t: &tch::Tensor) -> std::result::Result<tch::Tensor, tch::TchError> {
    match is_complex_kind(t.f_kind()?) {
        true => t.f_view_as_real(),
        false => Ok(t.shallow_clone()),
    }
}

/// The dtype of a tensor flodl holds.
pub(crate) fn dtype_of(raw: &tch::Tensor) -> DType {
    // Every Tensor and Variable has one of flodl's dtypes: the constructors
    // make only those, and every op result is checked (`ops::FromTch`).
    // Only a tensor shared with torch can change behind flodl's back
    // (`t.data = complex_tensor`); that panics with the Error itself,
    // which the Python bindings raise as a DTypeError (python/guard.rs).
    match raw.f_kind().ok().map(DType::from_kind) {
        Some(Ok(dtype)) => dtype,
        _ => std::panic::panic_any(Error::new(
            ErrorKind::DType,
            format!(
                "this tensor now has dtype {}, which flodl does not have (was it changed through torch?)",
                raw_dtype_name(raw)
            ),
        )),
    }
}

/// The device of a tensor flodl holds.
pub(crate) fn device_of(raw: &tch::Tensor) -> Device {
    // flodl only ever places tensors on CPU or CUDA (checked where they
    // come in, `from_torch` and DLPack included); as for dtype_of.
    match Device::from_tch(raw.device()) {
        Ok(device) => device,
        Err(err) => std::panic::panic_any(err),
    }
}

/// Whether a CUDA device can be used.
pub fn cuda_available() -> bool {
    tch::Cuda::is_available()
}

/// How many CUDA devices this process sees.
pub fn cuda_device_count() -> usize {
    usize::try_from(tch::Cuda::device_count()).unwrap_or(0)
}

/// PyTorch's legacy tensor type names, by dtype.
pub(crate) const LEGACY_TYPES: [(crate::DType, &str); 12] = [
    (crate::DType::Float32, "FloatTensor"),
    (crate::DType::Float64, "DoubleTensor"),
    (crate::DType::Float16, "HalfTensor"),
    (crate::DType::BFloat16, "BFloat16Tensor"),
    (crate::DType::Int64, "LongTensor"),
    (crate::DType::Int32, "IntTensor"),
    (crate::DType::Int16, "ShortTensor"),
    (crate::DType::Int8, "CharTensor"),
    (crate::DType::UInt8, "ByteTensor"),
    (crate::DType::Bool, "BoolTensor"),
    (crate::DType::Complex64, "ComplexFloatTensor"),
    (crate::DType::Complex128, "ComplexDoubleTensor"),
];

/// `"torch.FloatTensor"`, `"torch.cuda.LongTensor"`: what `x.type()` says.
pub(crate) fn legacy_type_name(dtype: crate::DType, device: crate::Device) -> String {
    let name = LEGACY_TYPES
        .iter()
        .find(|(d, _)| *d == dtype)
        .map_or("Tensor", |(_, name)| *name);
    match device {
        crate::Device::CPU => format!("torch.{name}"),
        crate::Device::CUDA(_) => format!("torch.cuda.{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names_round_trip() {
        for (i, dtype) in DType::ALL.into_iter().enumerate() {
            assert_eq!(DTYPES[i].0, dtype, "DTYPES is in declaration order");
            assert_eq!(dtype.name().parse::<DType>().unwrap(), dtype);
            assert_eq!(DType::from_kind(dtype.to_kind()).unwrap(), dtype);
        }
        assert_eq!("torch.double".parse::<DType>().unwrap(), DType::Float64);
        assert_eq!("cdouble".parse::<DType>().ok(), Some(DType::Complex128));
        assert!("complex32".parse::<DType>().is_err());
    }

    #[test]
    fn device_strings_parse() {
        assert_eq!("cpu".parse::<Device>().unwrap(), Device::CPU);
        assert_eq!("cuda".parse::<Device>().unwrap(), Device::CUDA(0));
        assert_eq!("cuda:1".parse::<Device>().unwrap(), Device::CUDA(1));
        assert!("tpu".parse::<Device>().is_err());
        assert_eq!(Device::CUDA(2).to_string(), "cuda:2");
    }
}
