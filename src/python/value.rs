//! Python objects to core [`Value`]s and back: the nested containers
//! `flodl.save`/`load` write and read, and an optimizer's param-group
//! entries.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::args::{is_torch_tensor, type_name};
use crate::{Key, Value};

/// `obj` as a Value: Tensors (a Variable's values), bools, ints, floats,
/// strings, None, and lists, tuples and dicts (of str or int keys) of them.
/// Anything else is a TypeError naming `op` and where it sits (`at`).
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, op: &str, at: &str) -> PyResult<Value> {
    convert(obj, op, at, false)
}

/// [`from_py`] for `flodl.save`: a Parameter, or a Variable that requires
/// grad, is kept as such (a [`Value::Typed`] of its values), as `torch.save`
/// keeps them.
pub(crate) fn saved_from_py(obj: &Bound<'_, PyAny>, op: &str, at: &str) -> PyResult<Value> {
    convert(obj, op, at, true)
}

fn convert(obj: &Bound<'_, PyAny>, op: &str, at: &str, saving: bool) -> PyResult<Value> {
    let from_py = |obj: &Bound<'_, PyAny>, op: &str, at: &str| convert(obj, op, at, saving);
    if let Some(t) = super::args::plain_tensor(obj) {
        return Ok(Value::Tensor(t.get().inner.clone()));
    }
    if let Some(v) = crate::python::args::as_variable(obj) {
        let values = Value::Tensor(v.get().inner.data());
        let requires_grad = v.get().inner.requires_grad();
        let kind = match obj.get_type().name()?.to_string().as_str() {
            "Parameter" if requires_grad => "Parameter",
            "Parameter" => "FrozenParameter",
            _ if requires_grad => "Variable",
            _ => return Ok(values),
        };
        return Ok(match saving {
            true => Value::Typed(kind.to_string(), Box::new(values)),
            false => values,
        });
    }
    // bool before int: a Python bool is an int.
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => Err(crate::Error::new(
                crate::ErrorKind::Argument,
                format!("{op}: {at} is {obj}, outside int64"),
            )
            .into()),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract()?));
    }
    // A numpy number (`np.int64(1)`, `np.float32(0.5)`, `np.True_`) is its
    // Python number (a numpy bool a bool here, where ops take it as a float).
    if obj.get_type().name().is_ok_and(|n| n == "bool")
        && obj.get_type().module().is_ok_and(|m| m == "numpy")
    {
        return Ok(Value::Bool(obj.is_truthy()?));
    }
    if let Some(number) = super::args::scalar(obj) {
        return match number.map_err(|p| p.raise(op, at))? {
            crate::Scalar::Bool(b) => Ok(Value::Bool(b)),
            crate::Scalar::Int(i) => Ok(Value::Int(i)),
            crate::Scalar::Float(x) => Ok(Value::Float(x)),
            // Python's complex, kept by name as the other kinds the core lacks.
            crate::Scalar::Complex(re, im) => Ok(Value::Typed(
                "complex".into(),
                Box::new(Value::Tuple(vec![Value::Float(re), Value::Float(im)])),
            )),
        };
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::Str(obj.extract()?));
    }
    if obj.is_none() {
        return Ok(Value::None);
    }
    if let Some(typed) = typed_from_py(obj, op, at, saving)? {
        return Ok(typed);
    }
    let items = |seq: &Bound<'_, PyAny>| -> PyResult<Vec<Value>> {
        let mut items = Vec::new();
        for (i, item) in seq.try_iter()?.enumerate() {
            items.push(from_py(&item?, op, &format!("{at}[{i}]"))?);
        }
        Ok(items)
    };
    if obj.is_instance_of::<PyList>() {
        return Ok(Value::List(items(obj)?));
    }
    if obj.is_instance_of::<PyTuple>() {
        return Ok(Value::Tuple(items(obj)?));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut entries = Vec::with_capacity(dict.len());
        for (key, item) in dict.iter() {
            let key = if key.is_instance_of::<PyString>() {
                Key::Str(key.extract()?)
            } else if let Some(i) = int_key(&key) {
                Key::Int(i)
            } else {
                return Err(PyTypeError::new_err(format!(
                    "{op}: the keys of {at} must be str or int, got {}",
                    type_name(&key)
                )));
            };
            let inner = format!("{at}[{}]", key_repr(&key));
            entries.push((key, from_py(&item, op, &inner)?));
        }
        return Ok(Value::Dict(entries));
    }
    if is_torch_tensor(obj) {
        return Err(PyTypeError::new_err(format!(
            "{op}: {at} is a torch tensor, not a flodl Tensor; convert it with \
             flodl.Tensor.from_torch(t)"
        )));
    }
    Err(PyTypeError::new_err(format!(
        "{op}: {at} is a {}; it takes tensors, numbers, strings, None, numpy arrays, \
         sets, dtypes, devices, Sizes, and lists, tuples and dicts of them (anything else \
         with pickle=True)",
        type_name(obj)
    )))
}

/// The Python kinds a checkpoint holds beyond the core's (what `torch.save`
/// programs put in one: a module's `OrderedDict` state dict, numpy arrays
/// and numpy's random state, sets of tags, `torch.Size`, a dtype, a device,
/// the `argparse.Namespace` of the run's arguments), as a [`Value::Typed`];
/// None for other objects.
fn typed_from_py(
    obj: &Bound<'_, PyAny>,
    op: &str,
    at: &str,
    saving: bool,
) -> PyResult<Option<Value>> {
    let from_py = |obj: &Bound<'_, PyAny>, op: &str, at: &str| convert(obj, op, at, saving);
    let kind = obj.get_type();
    let (module, name) = (kind.module()?.to_string(), kind.name()?.to_string());
    let typed = |content: Value| Ok(Some(Value::Typed(name.clone(), Box::new(content))));
    let items = |seq: &Bound<'_, PyAny>| -> PyResult<Vec<Value>> {
        let mut items = Vec::new();
        for (i, item) in seq.try_iter()?.enumerate() {
            items.push(from_py(&item?, op, &format!("{at}[{i}]"))?);
        }
        Ok(items)
    };
    match (module.as_str(), name.as_str()) {
        ("collections", "OrderedDict") => {
            // Its entries as a plain dict's.
            let plain = PyDict::new(obj.py());
            plain.call_method1("update", (obj,))?;
            typed(from_py(plain.as_any(), op, at)?)
        }
        ("argparse", "Namespace") => typed(from_py(&obj.getattr("__dict__")?, op, at)?),
        ("builtins", "set" | "frozenset") => typed(Value::List(items(obj)?)),
        ("flodl._size", "Size") => typed(Value::Tuple(items(obj)?)),
        ("flodl", "DType" | "Device") => typed(Value::Str(obj.str()?.to_string())),
        ("numpy", "ndarray") => {
            let dtype = obj.getattr("dtype")?;
            let numpy_name: String = dtype.getattr("name")?.extract()?;
            let values = match dtype.getattr("kind")?.extract::<String>()?.as_str() {
                "b" | "f" if super::args::dtype_arg("load", &dtype).is_ok() => obj.clone(),
                // Unsigned and narrow ints flodl lacks (numpy's random state is
                // uint32) are held as int64, which keeps their values.
                "i" | "u" => {
                    let fits = obj
                        .getattr("size")?
                        .extract::<usize>()
                        .is_ok_and(|n| n == 0)
                        || obj
                            .call_method0("max")?
                            .le(i64::MAX.into_pyobject(obj.py())?)?;
                    if !fits {
                        return Err(crate::Error::new(
                            crate::ErrorKind::Argument,
                            format!("{op}: {at} holds numbers outside int64"),
                        )
                        .into());
                    }
                    obj.call_method1("astype", ("int64",))?
                }
                _ => {
                    return Err(PyTypeError::new_err(format!(
                        "{op}: {at} is a numpy array of {numpy_name}; it takes arrays of \
                         numbers or bools (anything else with pickle=True)"
                    )))
                }
            };
            let tensor = super::numpy::from_numpy_array(&values, None)?;
            typed(Value::Tuple(vec![
                Value::Str(numpy_name),
                Value::Tensor(tensor),
            ]))
        }
        _ => Ok(None),
    }
}

/// A dict key as an int: a Python or numpy int, or a whole float (PyTorch's
/// `MultiStepLR(milestones=[1.0])` counts float epochs).
fn int_key(key: &Bound<'_, PyAny>) -> Option<i64> {
    if key.is_instance_of::<PyBool>() {
        return None;
    }
    match super::args::scalar(key)?.ok()? {
        crate::Scalar::Int(i) => Some(i),
        crate::Scalar::Float(x) => Value::Float(x).as_count(),
        crate::Scalar::Bool(_) | crate::Scalar::Complex(..) => None,
    }
}

fn key_repr(key: &Key) -> String {
    match key {
        Key::Str(s) => format!("'{s}'"),
        Key::Int(i) => i.to_string(),
    }
}

/// `value` as Python objects: a Tensor a `flodl.Tensor`, a dict a `dict`, ...
pub(crate) fn to_py(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match value {
        Value::Tensor(t) => t.into_pyobject(py)?.into_any(),
        Value::Float(x) => x.into_pyobject(py)?.into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        Value::Str(s) => s.into_pyobject(py)?.into_any(),
        Value::None => py.None().into_bound(py),
        Value::List(items) => {
            let items: PyResult<Vec<_>> = items.into_iter().map(|v| to_py(py, v)).collect();
            PyList::new(py, items?)?.into_any()
        }
        Value::Tuple(items) => {
            let items: PyResult<Vec<_>> = items.into_iter().map(|v| to_py(py, v)).collect();
            PyTuple::new(py, items?)?.into_any()
        }
        Value::Dict(entries) => {
            let dict = PyDict::new(py);
            for (key, item) in entries {
                let item = to_py(py, item)?;
                match key {
                    Key::Str(s) => dict.set_item(s, item)?,
                    Key::Int(i) => dict.set_item(i, item)?,
                }
            }
            dict.into_any()
        }
        Value::Typed(name, content) => typed_to_py(py, &name, *content)?,
    })
}

/// The Python object a [`Value::Typed`] stands for (see `typed_from_py`);
/// the content itself for a type name Python does not know here.
fn typed_to_py<'py>(py: Python<'py>, name: &str, content: Value) -> PyResult<Bound<'py, PyAny>> {
    let flodl = || py.import("flodl");
    Ok(match (name, content) {
        ("OrderedDict", content) => py
            .import("collections")?
            .getattr("OrderedDict")?
            .call1((to_py(py, content)?,))?,
        ("Namespace", content) => py
            .import("argparse")?
            .getattr("Namespace")?
            .call((), Some(&to_py(py, content)?.cast_into::<PyDict>()?))?,
        ("set" | "frozenset", content) => py
            .import("builtins")?
            .getattr(name)?
            .call1((to_py(py, content)?,))?,
        ("Size", content) => flodl()?.getattr("Size")?.call1((to_py(py, content)?,))?,
        ("Parameter" | "FrozenParameter", content) => {
            let parameter = py.import("flodl.nn")?.getattr("Parameter")?;
            parameter.call1((to_py(py, content)?, name == "Parameter"))?
        }
        ("Variable", content) => flodl()?
            .getattr("Variable")?
            .call1((to_py(py, content)?, true))?,
        ("DType", Value::Str(dtype)) => dtype
            .trim_start_matches("flodl.")
            .parse::<crate::DType>()?
            .into_pyobject(py)?
            .into_any(),
        ("Device", Value::Str(device)) => flodl()?.getattr("device")?.call1((device,))?,
        ("complex", Value::Tuple(parts)) => match parts.as_slice() {
            [Value::Float(re), Value::Float(im)] => {
                pyo3::types::PyComplex::from_doubles(py, *re, *im).into_any()
            }
            _ => to_py(py, Value::Tuple(parts))?,
        },
        ("ndarray", Value::Tuple(parts)) => match <[Value; 2]>::try_from(parts) {
            Ok([Value::Str(dtype), Value::Tensor(t)]) => {
                super::numpy::to_numpy(py, &t, None)?.call_method1("astype", (dtype,))?
            }
            Ok(parts) => to_py(py, Value::Tuple(parts.into()))?,
            Err(parts) => to_py(py, Value::Tuple(parts))?,
        },
        (_, content) => to_py(py, content)?,
    })
}
