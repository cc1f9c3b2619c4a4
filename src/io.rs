//! Named tensors to and from files in the safetensors format (the
//! `safetensors` crate): what `state_dict`s are saved as, readable by every
//! library that reads safetensors (`safetensors.torch` among them).

use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::{bail, Error, ErrorKind, Result};
use crate::ops::Operand;
use crate::{DType, Device, Tensor};

/// A flodl dtype's safetensors name.
fn file_dtype(dtype: DType) -> Dtype {
    match dtype {
        DType::Bool => Dtype::BOOL,
        DType::UInt8 => Dtype::U8,
        DType::Int8 => Dtype::I8,
        DType::Int16 => Dtype::I16,
        DType::Int32 => Dtype::I32,
        DType::Int64 => Dtype::I64,
        DType::Float16 => Dtype::F16,
        DType::BFloat16 => Dtype::BF16,
        DType::Float32 => Dtype::F32,
        DType::Float64 => Dtype::F64,
    }
}

/// The flodl dtype of a safetensors dtype, if flodl has it.
fn flodl_dtype(dtype: Dtype) -> Option<DType> {
    Some(match dtype {
        Dtype::BOOL => DType::Bool,
        Dtype::U8 => DType::UInt8,
        Dtype::I8 => DType::Int8,
        Dtype::I16 => DType::Int16,
        Dtype::I32 => DType::Int32,
        Dtype::I64 => DType::Int64,
        Dtype::F16 => DType::Float16,
        Dtype::BF16 => DType::BFloat16,
        Dtype::F32 => DType::Float32,
        Dtype::F64 => DType::Float64,
        _ => return None,
    })
}

/// Writes `tensors` (name, tensor) to `path` in the safetensors format. The
/// file is written next to `path` and renamed over it, so a failed save
/// leaves no half-written file. Takes `(&str, &Tensor)` pairs or what
/// `Module::state_dict()` returns.
pub fn save<N, T, P>(tensors: &[(N, T)], path: P) -> Result<()>
where
    N: AsRef<str>,
    T: std::borrow::Borrow<Tensor>,
    P: AsRef<Path>,
{
    let op = "save";
    let path = path.as_ref();
    let mut names = std::collections::HashSet::new();
    let mut bytes: Vec<(String, DType, Vec<usize>, Vec<u8>)> = Vec::with_capacity(tensors.len());
    for (name, tensor) in tensors {
        let (name, tensor) = (name.as_ref(), tensor.borrow());
        if !names.insert(name) {
            bail!(Argument, "{op}: the name {name:?} appears twice");
        }
        let cpu = tensor.to_device(Device::CPU)?;
        let contiguous = cpu
            .raw()
            .f_contiguous()
            .map_err(|e| Error::from_torch(op, name, e))?;
        let numel = cpu.numel();
        let mut data = vec![0u8; numel * cpu.dtype().to_kind().elt_size_in_bytes()];
        contiguous
            .f_copy_data_u8(&mut data, numel)
            .map_err(|e| Error::from_torch(op, name, e))?;
        let shape = cpu.shape().iter().map(|&d| d as usize).collect();
        bytes.push((name.to_string(), cpu.dtype(), shape, data));
    }
    let mut views = Vec::with_capacity(bytes.len());
    for (name, dtype, shape, data) in &bytes {
        let view = TensorView::new(file_dtype(*dtype), shape.clone(), data)
            .map_err(|e| Error::new(ErrorKind::Argument, format!("{op}: {name}: {e}")))?;
        views.push((name.as_str(), view));
    }
    let partial = path.with_extension("safetensors.partial");
    safetensors::tensor::serialize_to_file(views, &None, &partial).map_err(|e| {
        Error::new(
            ErrorKind::Argument,
            format!("{op}: cannot write {}: {e}", partial.display()),
        )
    })?;
    std::fs::rename(&partial, path).map_err(|e| {
        Error::new(
            ErrorKind::Argument,
            format!("{op}: cannot write {}: {e}", path.display()),
        )
    })
}

/// The tensors of the safetensors file at `path`, (name, tensor) in the
/// file's order, on the CPU. A file that is missing, truncated or not in the
/// format is an Argument error and gives nothing.
pub fn load<P: AsRef<Path>>(path: P) -> Result<Vec<(String, Tensor)>> {
    let op = "load";
    let path = path.as_ref();
    let file = std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Argument,
            format!("{op}: cannot read {}: {e}", path.display()),
        )
    })?;
    let parsed = SafeTensors::deserialize(&file).map_err(|e| {
        Error::new(
            ErrorKind::Argument,
            format!(
                "{op}: {} is not a valid safetensors file ({e})",
                path.display()
            ),
        )
    })?;
    // In the file's order (by offset), as safetensors.torch gives them.
    let mut entries = parsed.tensors();
    entries.sort_by_key(|(_, view)| view.data().as_ptr() as usize);
    let mut out = Vec::with_capacity(entries.len());
    for (name, view) in entries {
        let Some(dtype) = flodl_dtype(view.dtype()) else {
            bail!(
                DType,
                "{op}: {name} in {} has dtype {:?}, which flodl does not have",
                path.display(),
                view.dtype()
            );
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let raw = tch::Tensor::f_from_data_size(view.data(), &shape, dtype.to_kind())
            .map_err(|e| Error::from_torch(op, &name, e))?;
        out.push((name, Tensor::from_raw(raw)));
    }
    Ok(out)
}
