//! Named tensors to and from files in the safetensors format (the
//! `safetensors` crate): what `state_dict`s are saved as, readable by every
//! library that reads safetensors (`safetensors.torch` among them).

use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView};

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
    let partial = partial_name(path);
    let written = safetensors::tensor::serialize_to_file(views, &None, &partial)
        .map_err(|e| describe_file_error(&e))
        .and_then(|()| std::fs::rename(&partial, path).map_err(|e| e.to_string()));
    written.map_err(|reason| {
        // Nothing half-written stays behind (the partial file may not exist).
        let _ = std::fs::remove_file(&partial);
        Error::new(
            ErrorKind::Argument,
            format!("{op}: cannot write {}: {reason}", path.display()),
        )
    })
}

/// A temporary name next to `path` that no other save uses, in this process
/// (a counter) or another (the process id and the time): concurrent saves
/// to different files never share one, and the rename over `path` is
/// atomic, so concurrent saves to one file leave one whole file.
fn partial_name(path: &Path) -> std::path::PathBuf {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}-{call}-{nanos}.partial", std::process::id()));
    path.with_file_name(name)
}

/// The tensors of the safetensors file at `path`, (name, tensor) in the
/// file's order, on the CPU. A file that is missing, truncated or not in the
/// format is an Argument error, one holding a dtype flodl lacks a DType
/// error, and either gives nothing. The file is mapped, not read: each
/// tensor is copied out of the map and its pages are let go at once, so the
/// peak memory is about the tensors' size, not twice the file's.
pub fn load<P: AsRef<Path>>(path: P) -> Result<Vec<(String, Tensor)>> {
    let op = "load";
    let path = path.as_ref();
    let cannot_read = |e: std::io::Error| {
        Error::new(
            ErrorKind::Argument,
            format!("{op}: cannot read {}: {e}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    // SAFETY: a private read-only map; the bytes are only read. Another
    // process truncating the file while it is mapped is the one risk left,
    // the same safetensors' own loaders take.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(cannot_read)?;
    let parsed = SafeTensors::deserialize(&map).map_err(|e| {
        if let Some((name, dtype)) = unknown_dtype(&map) {
            return lacks_dtype(path, &name, &dtype);
        }
        Error::new(
            ErrorKind::Argument,
            format!(
                "{op}: {} is not a valid safetensors file: {}",
                path.display(),
                describe_file_error(&e)
            ),
        )
    })?;
    // In the file's order (by offset), as safetensors.torch gives them.
    let mut entries = parsed.tensors();
    entries.sort_by_key(|(_, view)| view.data().as_ptr() as usize);
    let mut out = Vec::with_capacity(entries.len());
    for (name, view) in entries {
        let Some(dtype) = flodl_dtype(view.dtype()) else {
            return Err(lacks_dtype(path, &name, &format!("{:?}", view.dtype())));
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let raw = tch::Tensor::f_from_data_size(view.data(), &shape, dtype.to_kind())
            .map_err(|e| Error::from_torch(op, &name, e))?;
        release_pages(&map, view.data());
        out.push((name, Tensor::from_raw(raw)));
    }
    Ok(out)
}

/// The DType error of a tensor `name` in the file at `path` whose `dtype`
/// (as the file spells it) flodl does not have.
fn lacks_dtype(path: &Path, name: &str, dtype: &str) -> Error {
    Error::new(
        ErrorKind::DType,
        format!(
            "load: {name} in {} has dtype {dtype} ({}), which flodl does not have",
            path.display(),
            torch_dtype_name(dtype)
        ),
    )
}

/// Lets the kernel drop the mapped pages of `bytes` (already copied): they
/// would otherwise stay resident beside the copy until the map is closed.
fn release_pages(map: &memmap2::Mmap, bytes: &[u8]) {
    #[cfg(unix)]
    {
        let offset = bytes.as_ptr() as usize - map.as_ptr() as usize;
        // SAFETY: the map is private and read-only, so dropped pages come
        // back from the file if read again; nothing holds a reference into
        // them past this point but `map` itself.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, bytes.len())
        };
    }
    #[cfg(not(unix))]
    let _ = (map, bytes);
}

/// A tensor of the header whose dtype the safetensors crate does not know
/// (complex, float8, ...): its name and the dtype as the file spells it.
fn unknown_dtype(file: &[u8]) -> Option<(String, String)> {
    let size = u64::from_le_bytes(file.get(..8)?.try_into().ok()?);
    let header = file.get(8..8usize.checked_add(usize::try_from(size).ok()?)?)?;
    let header: serde_json::Value = serde_json::from_slice(header).ok()?;
    header.as_object()?.iter().find_map(|(name, info)| {
        let dtype = info.get("dtype")?.as_str()?;
        let known: std::result::Result<Dtype, _> = serde_json::from_value(serde_json::json!(dtype));
        known.is_err().then(|| (name.clone(), dtype.to_string()))
    })
}

/// PyTorch's name of a safetensors dtype name, for messages.
fn torch_dtype_name(dtype: &str) -> &'static str {
    match dtype {
        "C64" => "complex64",
        "C128" => "complex128",
        "F8_E4M3" => "float8_e4m3fn",
        "F8_E5M2" => "float8_e5m2",
        "U16" => "uint16",
        "U32" => "uint32",
        "U64" => "uint64",
        _ => "a dtype flodl lacks",
    }
}

/// What is wrong with a file the safetensors crate refused, in words.
fn describe_file_error(e: &SafeTensorError) -> String {
    use SafeTensorError as E;
    match e {
        E::InvalidHeader => "its header is not UTF-8 text".into(),
        E::InvalidHeaderStart => "its header does not start with '{'".into(),
        E::InvalidHeaderDeserialization | E::JsonError(_) => {
            "its header is not the format's JSON".into()
        }
        E::HeaderTooLarge => "its header is larger than 100 MB".into(),
        E::HeaderTooSmall => "it is shorter than the format's 8-byte header size".into(),
        E::InvalidHeaderLength => "its header size runs past the end of the file".into(),
        E::TensorNotFound(name) => format!("it holds no tensor {name:?}"),
        E::TensorInvalidInfo => "a tensor's shape and dtype do not match its bytes".into(),
        E::InvalidOffset(name) => {
            format!("the bytes of {name:?} are out of place (is the file truncated?)")
        }
        E::IoError(e) => e.to_string(),
        E::InvalidTensorView(dtype, shape, bytes) => {
            format!("{bytes} bytes cannot hold a {dtype:?} tensor of shape {shape:?}")
        }
        E::MetadataIncompleteBuffer => {
            "its size does not match its header (truncated, or bytes after the tensors)".into()
        }
        E::ValidationOverflow => "a tensor's size in its header overflows".into(),
    }
}
