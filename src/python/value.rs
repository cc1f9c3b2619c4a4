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
    if let Some(t) = super::args::plain_tensor(obj) {
        return Ok(Value::Tensor(t.get().inner.clone()));
    }
    if let Some(v) = crate::python::args::as_variable(obj) {
        return Ok(Value::Tensor(v.get().inner.data()));
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
        };
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::Str(obj.extract()?));
    }
    if obj.is_none() {
        return Ok(Value::None);
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
        "{op}: {at} is a {}; it takes tensors, numbers, strings, None, and lists, \
         tuples and dicts of them",
        type_name(obj)
    )))
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
        crate::Scalar::Bool(_) => None,
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
    })
}
