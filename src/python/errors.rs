//! The Python exception hierarchy (one class per error kind), and the one mapping from
//! [`ErrorKind`] to it.

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::{Error, ErrorKind};

/// (kind, class name, the builtin it also derives from, docstring).
/// `FlodlError` itself (kind Torch) derives from RuntimeError.
/// Gives the builtin exception class a flodl class also derives from.
type BuiltinBase = fn(Python<'_>) -> Bound<'_, PyType>;

const CLASSES: [(ErrorKind, &str, Option<BuiltinBase>, &str); 9] = [
    (
        ErrorKind::Torch,
        "FlodlError",
        None,
        "Base class of flodl's errors; also raised for any libtorch failure that fits no subclass.",
    ),
    (
        ErrorKind::Shape,
        "ShapeError",
        Some(|py| py.get_type::<PyValueError>()),
        "Shapes don't fit the op, or data length != product of shape.",
    ),
    (
        ErrorKind::DType,
        "DTypeError",
        Some(|py| py.get_type::<PyTypeError>()),
        "An op got a dtype it can't take.",
    ),
    (
        ErrorKind::Device,
        "DeviceError",
        None,
        "Operands on different devices, or CUDA asked for but absent.",
    ),
    (
        ErrorKind::Index,
        "OutOfRangeError",
        Some(|py| py.get_type::<PyIndexError>()),
        "An index or dim out of range.",
    ),
    (
        ErrorKind::Autograd,
        "AutogradError",
        None,
        "backward from a non-scalar, from something that needs no grad, or through a freed graph.",
    ),
    (
        ErrorKind::Argument,
        "ArgumentError",
        Some(|py| py.get_type::<PyValueError>()),
        "Any other invalid argument.",
    ),
    (
        ErrorKind::OutOfMemory,
        "OutOfMemoryError",
        Some(|py| py.get_type::<PyMemoryError>()),
        "An allocation failed.",
    ),
    (
        ErrorKind::LinAlg,
        "LinAlgError",
        None,
        "A linear-algebra routine failed on its values (a singular matrix, one not positive-definite, no convergence), as torch.linalg.LinAlgError.",
    ),
];

static TYPES: PyOnceLock<Vec<(ErrorKind, Py<PyType>)>> = PyOnceLock::new();

fn make_types(py: Python<'_>) -> PyResult<Vec<(ErrorKind, Py<PyType>)>> {
    let type_ = py.get_type::<PyType>();
    let mut made: Vec<(ErrorKind, Py<PyType>)> = Vec::new();
    for (kind, name, extra_base, doc) in CLASSES {
        let bases = match (made.first(), extra_base) {
            (None, _) => PyTuple::new(py, [py.get_type::<PyRuntimeError>()])?,
            (Some((_, root)), None) => PyTuple::new(py, [root.bind(py).clone()])?,
            (Some((_, root)), Some(base)) => PyTuple::new(py, [root.bind(py).clone(), base(py)])?,
        };
        let dict = PyDict::new(py);
        dict.set_item("__module__", "flodl")?;
        dict.set_item("__doc__", doc)?;
        let class = type_.call1((name, bases, dict))?.cast_into::<PyType>()?;
        made.push((kind, class.unbind()));
    }
    Ok(made)
}

/// The classes `flodl._flodl` made, for another copy of flodl.
fn classes_of_flodl(py: Python<'_>) -> PyResult<Vec<(ErrorKind, Py<PyType>)>> {
    let module = py.import("flodl._flodl")?;
    CLASSES
        .iter()
        .map(|(kind, name, _, _)| {
            Ok((
                *kind,
                module.getattr(*name)?.cast_into::<PyType>()?.unbind(),
            ))
        })
        .collect()
}

/// Creates the classes (once) and adds them to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let types = TYPES.get_or_try_init(py, || make_types(py))?;
    for ((_, name, _, _), (_, class)) in CLASSES.iter().zip(types) {
        m.add(*name, class.bind(py))?;
    }
    Ok(())
}

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        Python::attach(|py| {
            // In a user's extension module (its own copy of flodl) the
            // classes are flodl._flodl's, found once.
            let types = TYPES.get_or_try_init(py, || classes_of_flodl(py));
            let class = types
                .ok()
                .and_then(|types| types.iter().find(|(k, _)| *k == err.kind()))
                .map(|(_, class)| class.bind(py).clone());
            match class {
                Some(class) => PyErr::from_type(class, err.message().to_string()),
                // Only if flodl._flodl cannot be imported.
                None => PyRuntimeError::new_err(err.message().to_string()),
            }
        })
    }
}
