//! `flodl.lstm` and `flodl.gru`: the fused recurrent ops `flodl.nn.LSTM`
//! and `flodl.nn.GRU` run on (their weights are a list, so they are bound
//! by hand rather than from the nn table).

use pyo3::prelude::*;

use super::args::{CoreArg as _, Operand as _, VariableArg};
use super::gil::without_gil;
use super::results::NnResult as _;
use crate::{RnnOptions, Variable};

/// Whether any operand is a Variable (the results are then Variables), and
/// the weights as Variables.
fn weights(params: &[VariableArg<'_>]) -> (bool, Vec<Variable>) {
    let tracked = params.iter().any(|p| p.tracked());
    (tracked, params.iter().map(|p| p.get().clone()).collect())
}

/// lstm(input, hx, cx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
/// --
///
/// A multi-layer LSTM over a sequence: `(output, h_n, c_n)`. `params` are
/// the weights in `torch.nn.LSTM`'s order (per layer and direction `w_ih,
/// w_hh` and, with biases, `b_ih, b_hh`).
#[pyfunction]
#[allow(clippy::too_many_arguments)] // libtorch's signature
pub(crate) fn lstm(
    py: Python<'_>,
    input: VariableArg<'_>,
    hx: VariableArg<'_>,
    cx: VariableArg<'_>,
    params: Vec<VariableArg<'_>>,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("lstm", move || {
        let (any_weight, params) = weights(&params);
        let tracked = any_weight || input.tracked() || hx.tracked() || cx.tracked();
        let options = options(
            "lstm",
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?;
        let (input, hx, cx) = (input.get(), hx.get(), cx.get());
        let (output, h, c) = without_gil(py, || crate::lstm(input, hx, cx, &params, options))?;
        let triple = (
            output.into_python(py, tracked)?,
            h.into_python(py, tracked)?,
            c.into_python(py, tracked)?,
        );
        Ok(triple.into_pyobject(py)?.into_any().unbind())
    })
}

/// gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
/// --
///
/// A multi-layer GRU over a sequence: `(output, h_n)`; `params` as for
/// `lstm`.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // libtorch's signature
pub(crate) fn gru(
    py: Python<'_>,
    input: VariableArg<'_>,
    hx: VariableArg<'_>,
    params: Vec<VariableArg<'_>>,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<Py<PyAny>> {
    crate::python::guard::run("gru", move || {
        let (any_weight, params) = weights(&params);
        let tracked = any_weight || input.tracked() || hx.tracked();
        let options = options(
            "gru",
            has_biases,
            num_layers,
            dropout,
            train,
            bidirectional,
            batch_first,
        )?;
        let (input, hx) = (input.get(), hx.get());
        let pair = without_gil(py, || crate::gru(input, hx, &params, options))?;
        pair.into_python(py, tracked)
    })
}

/// The options both layers take, as the core takes them.
fn options(
    op: &str,
    has_biases: bool,
    num_layers: crate::python::args::Int,
    dropout: crate::python::args::Float,
    train: bool,
    bidirectional: bool,
    batch_first: bool,
) -> PyResult<RnnOptions> {
    use crate::python::args::CoreArg as _;
    Ok(RnnOptions {
        has_biases,
        num_layers: num_layers.core(op, "num_layers")?,
        dropout: dropout.0,
        train,
        bidirectional,
        batch_first,
    })
}
