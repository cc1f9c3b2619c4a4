//! What the bindings of `flodl::nn`'s layer computations share: the
//! layer's Python repr in their error messages, made only on failure.

use pyo3::prelude::*;

/// Stands for the layer's name in an error from `flodl::nn` until
/// [`named_by`] puts the repr in (the computation runs without the GIL).
const UNNAMED: &str = "\u{1}layer\u{1}";

/// The name a binding gives `flodl::nn`'s computation.
pub(crate) fn unnamed() -> String {
    UNNAMED.to_string()
}

/// `result` with the layer's `_layer_name()` (its repr on one line) in
/// place of [`unnamed`]'s marker.
pub(crate) fn named_by<T>(layer: &Bound<'_, PyAny>, result: crate::Result<T>) -> PyResult<T> {
    result.map_err(|error| {
        if !error.message().contains(UNNAMED) {
            return error.into();
        }
        let name = layer
            .call_method0("_layer_name")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "layer".to_string());
        crate::Error::new(error.kind(), error.message().replace(UNNAMED, &name)).into()
    })
}

/// `_softmax_dim(ndim)`: the dim `F.softmax` and friends run along when
/// given none (Rust's `nn::implicit_softmax_dim`).
#[pyfunction(name = "_softmax_dim")]
pub(crate) fn softmax_dim(ndim: usize) -> i64 {
    crate::nn::implicit_softmax_dim(ndim)
}
