//! Named tensors to and from files in the safetensors format (the
//! `safetensors` crate): what `state_dict`s are saved as, readable by every
//! library that reads safetensors (`safetensors.torch` among them).
//!
//! [`save_value`] writes nested containers (an optimizer's `state_dict`, a
//! checkpoint of a model, an optimizer and an epoch) as a valid safetensors
//! file too: each tensor under its path (`"optim.state.0.exp_avg"`), the
//! structure and the plain values as JSON in the metadata entry
//! [`STRUCTURE_KEY`]. Python's `flodl.save`/`load` use the same functions.

use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView};

use crate::error::{bail, Error, ErrorKind, Result};
use crate::ops::Operand;
use crate::{DType, Device, Key, Tensor, Value};

/// A flodl dtype's safetensors name; None for complex dtypes, which the
/// format lacks.
fn file_dtype(dtype: DType) -> Option<Dtype> {
    Some(match dtype {
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
        DType::Complex64 | DType::Complex128 => return None,
    })
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
    write(tensors, None, path.as_ref())
}

/// The metadata entry holding a nested file's structure.
pub const STRUCTURE_KEY: &str = "flodl.structure";

/// The metadata entry holding a flat file's names in the order they were
/// given (the format stores tensors by dtype and name), so that [`load`]
/// gives a state dict back in its module's order, as PyTorch's does.
pub const ORDER_KEY: &str = "flodl.order";

/// Writes `value` (nested dicts, lists and tuples of tensors, numbers,
/// strings and `None`) to `path` as a safetensors file; [`load_value`]
/// gives it back. A flat dict of tensors is the file [`save`] writes.
pub fn save_value<P: AsRef<Path>>(value: &Value, path: P) -> Result<()> {
    let mut tensors = Vec::new();
    let structure = structure_of(value, None, &mut tensors)?;
    let flat = matches!(value, Value::Dict(entries)
        if entries.iter().all(|(k, v)| matches!((k, v), (Key::Str(_), Value::Tensor(_)))));
    let metadata = (!flat).then(|| {
        std::collections::HashMap::from([(STRUCTURE_KEY.to_string(), structure.to_string())])
    });
    write(&tensors, metadata, path.as_ref())
}

/// The JSON of `value`'s structure, its tensors pushed onto `tensors`
/// under their path (`prefix` then the keys or positions, joined by '.';
/// no prefix at the top, where a lone tensor is named "tensor").
fn structure_of(
    value: &Value,
    prefix: Option<&str>,
    tensors: &mut Vec<(String, Tensor)>,
) -> Result<serde_json::Value> {
    use serde_json::{json, Value as Json};
    let path = |key: &dyn std::fmt::Display| match prefix {
        None => key.to_string(),
        Some(prefix) => format!("{prefix}.{key}"),
    };
    let items = |items: &[Value], tensors: &mut Vec<(String, Tensor)>| -> Result<Vec<Json>> {
        (items.iter().enumerate())
            .map(|(i, item)| structure_of(item, Some(&path(&i)), tensors))
            .collect()
    };
    Ok(match value {
        Value::Tensor(t) => {
            let name = prefix.unwrap_or("tensor");
            tensors.push((name.to_string(), t.clone()));
            json!({ "tensor": name })
        }
        Value::Float(x) => match serde_json::Number::from_f64(*x) {
            Some(number) => Json::Number(number),
            // JSON has no NaN or infinities.
            None => json!({ "float": x.to_string() }),
        },
        Value::Int(i) => json!(i),
        Value::Bool(b) => json!(b),
        Value::Str(s) => json!(s),
        Value::None => Json::Null,
        Value::List(list) => Json::Array(items(list, tensors)?),
        Value::Tuple(tuple) => json!({ "tuple": items(tuple, tensors)? }),
        Value::Dict(entries) => {
            let mut pairs = Vec::with_capacity(entries.len());
            for (key, item) in entries {
                let key_json = match key {
                    Key::Str(s) => json!(s),
                    Key::Int(i) => json!(i),
                };
                pairs.push(json!([
                    key_json,
                    structure_of(item, Some(&path(key)), tensors)?
                ]));
            }
            json!({ "dict": pairs })
        }
        Value::Typed(name, content) => {
            json!({ "typed": [name, structure_of(content, prefix, tensors)?] })
        }
    })
}

/// What [`save_value`] wrote at `path`: the nested value, or a dict of the
/// tensors by name for a file with no structure (any safetensors file).
pub fn load_value<P: AsRef<Path>>(path: P) -> Result<Value> {
    let path = path.as_ref();
    let (tensors, metadata) = read(path)?;
    let Some(structure) = metadata.and_then(|m| m.get(STRUCTURE_KEY).cloned()) else {
        return Ok(Value::dict(
            tensors.into_iter().map(|(n, t)| (n, Value::Tensor(t))),
        ));
    };
    let bad = |why: String| {
        Error::new(
            ErrorKind::Argument,
            format!(
                "load: {} has a malformed {STRUCTURE_KEY} entry: {why}",
                path.display()
            ),
        )
    };
    let json: serde_json::Value =
        serde_json::from_str(&structure).map_err(|e| bad(e.to_string()))?;
    let mut tensors: std::collections::HashMap<String, Tensor> = tensors.into_iter().collect();
    value_of(&json, &mut tensors).map_err(bad)
}

/// The value of a structure's JSON, taking its tensors out of `tensors`.
fn value_of(
    json: &serde_json::Value,
    tensors: &mut std::collections::HashMap<String, Tensor>,
) -> std::result::Result<Value, String> {
    use serde_json::Value as Json;
    let list = |json: &Json, tensors: &mut std::collections::HashMap<String, Tensor>| {
        let items = json.as_array().ok_or("a list that is not an array")?;
        items
            .iter()
            .map(|item| value_of(item, tensors))
            .collect::<std::result::Result<Vec<_>, _>>()
    };
    Ok(match json {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Float(n.as_f64().ok_or("a number out of range")?),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(_) => Value::List(list(json, tensors)?),
        Json::Object(tagged) => {
            let (tag, inner) = tagged.iter().next().ok_or("an empty object")?;
            match tag.as_str() {
                "tensor" => {
                    let name = inner.as_str().ok_or("a tensor name that is not a string")?;
                    let tensor = tensors
                        .remove(name)
                        .ok_or_else(|| format!("it names a tensor {name:?} the file lacks"))?;
                    Value::Tensor(tensor)
                }
                "float" => {
                    let text = inner.as_str().ok_or("a float that is not a string")?;
                    Value::Float(text.parse().map_err(|_| format!("the float {text:?}"))?)
                }
                "tuple" => Value::Tuple(list(inner, tensors)?),
                "dict" => {
                    let pairs = inner.as_array().ok_or("a dict that is not an array")?;
                    let mut entries = Vec::with_capacity(pairs.len());
                    for pair in pairs {
                        let (key, item) = match pair.as_array().map(Vec::as_slice) {
                            Some([key, item]) => (key, item),
                            _ => return Err("a dict entry that is not a pair".into()),
                        };
                        let key = match key {
                            Json::String(s) => Key::Str(s.clone()),
                            Json::Number(n) => Key::Int(n.as_i64().ok_or("a key out of range")?),
                            _ => {
                                return Err(
                                    "a dict key that is neither a string nor a number".into()
                                )
                            }
                        };
                        entries.push((key, value_of(item, tensors)?));
                    }
                    Value::Dict(entries)
                }
                "typed" => match inner.as_array().map(Vec::as_slice) {
                    Some([Json::String(name), content]) => {
                        Value::Typed(name.clone(), Box::new(value_of(content, tensors)?))
                    }
                    _ => return Err("a typed value that is not a [name, content] pair".into()),
                },
                other => return Err(format!("an unknown tag {other:?}")),
            }
        }
    })
}

/// Writes `tensors` and `metadata` to `path` (see [`save`]).
fn write<N, T>(
    tensors: &[(N, T)],
    metadata: Option<std::collections::HashMap<String, String>>,
    path: &Path,
) -> Result<()>
where
    N: AsRef<str>,
    T: std::borrow::Borrow<Tensor>,
{
    let op = "save";
    let mut names = std::collections::HashSet::new();
    let mut bytes: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::with_capacity(tensors.len());
    for (name, tensor) in tensors {
        let (name, tensor) = (name.as_ref(), tensor.borrow());
        if !names.insert(name) {
            bail!(Argument, "{op}: the name {name:?} appears twice");
        }
        if name == "__metadata__" {
            bail!(
                Argument,
                "{op}: a tensor cannot be named \"__metadata__\" (the safetensors header's own entry): use another key"
            );
        }
        let Some(file_dtype) = file_dtype(tensor.dtype()) else {
            bail!(
                DType,
                "{op}: {name} is {}, which safetensors files cannot hold (save view_as_real of it)",
                tensor.dtype()
            );
        };
        let cpu = tensor.to_device(Device::CPU)?;
        let contiguous = crate::tensor::materialized(cpu.raw().shallow_clone())
            .and_then(|t| t.f_contiguous())
            .map_err(|e| Error::from_torch(op, name, e))?;
        let numel = cpu.numel();
        let mut data = vec![0u8; numel * cpu.dtype().to_kind().elt_size_in_bytes()];
        contiguous
            .f_copy_data_u8(&mut data, numel)
            .map_err(|e| Error::from_torch(op, name, e))?;
        let shape = cpu.shape().iter().map(|&d| d as usize).collect();
        bytes.push((name.to_string(), file_dtype, shape, data));
    }
    let mut views = Vec::with_capacity(bytes.len());
    for (name, dtype, shape, data) in &bytes {
        let view = TensorView::new(*dtype, shape.clone(), data)
            .map_err(|e| Error::new(ErrorKind::Argument, format!("{op}: {name}: {e}")))?;
        views.push((name.as_str(), view));
    }
    let metadata = match metadata {
        None if views.len() > 1 => {
            let order = serde_json::json!(views.iter().map(|(n, _)| n).collect::<Vec<_>>());
            Some(std::collections::HashMap::from([(
                ORDER_KEY.to_string(),
                order.to_string(),
            )]))
        }
        given => given,
    };
    let partial = partial_name(path);
    let written = match (&metadata, views.is_empty()) {
        // safetensors 0.3 writes `{}` and then the metadata for a file of no
        // tensors, which no reader takes: such a header is written here.
        (Some(metadata), true) => write_metadata_only(metadata, &partial),
        _ => safetensors::tensor::serialize_to_file(views, &metadata, &partial)
            .map_err(|e| describe_file_error(&e)),
    }
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

/// A safetensors file of no tensors: the 8-byte header size, then the
/// header `{"__metadata__": ...}` padded with spaces to 8 bytes, as the
/// format lays it out.
fn write_metadata_only(
    metadata: &std::collections::HashMap<String, String>,
    path: &Path,
) -> std::result::Result<(), String> {
    let mut header = serde_json::json!({ "__metadata__": metadata }).to_string();
    header.push_str(&" ".repeat((8 - header.len() % 8) % 8));
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header.as_bytes());
    std::fs::write(path, file).map_err(|e| e.to_string())
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
    read(path.as_ref()).map(|(tensors, _)| tensors)
}

/// The tensors and the metadata of the file at `path` (see [`load`]).
#[allow(clippy::type_complexity)] // a pair of the file's two parts
fn read(
    path: &Path,
) -> Result<(
    Vec<(String, Tensor)>,
    Option<std::collections::HashMap<String, String>>,
)> {
    let op = "load";
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
    let metadata = SafeTensors::read_metadata(&map)
        .ok()
        .and_then(|(_, m)| m.metadata().clone());
    let mut entries = parsed.tensors();
    entries.sort_by_key(|(_, view)| view.data().as_ptr() as usize);
    if let Some(order) = saved_order(metadata.as_ref(), entries.len()) {
        // Names the order lacks (a file changed by another writer) go last.
        entries.sort_by_key(|(name, _)| order.get(name).copied().unwrap_or(usize::MAX));
    }
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
    Ok((out, metadata))
}

/// Each name's place in the order [`ORDER_KEY`] records, if the metadata
/// holds one for `count` tensors; None otherwise (the file's order stands).
fn saved_order(
    metadata: Option<&std::collections::HashMap<String, String>>,
    count: usize,
) -> Option<std::collections::HashMap<String, usize>> {
    let names: Vec<String> = serde_json::from_str(metadata?.get(ORDER_KEY)?).ok()?;
    (names.len() == count).then(|| names.into_iter().enumerate().map(|(i, n)| (n, i)).collect())
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
