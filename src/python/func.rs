//! `flodl.func`'s transforms on `flodl::func`: a Python `f` becomes a Rust
//! closure over Variables, and the results come back in the container `f`
//! returned its outputs in. The math is `flodl::func`'s; `func.py` keeps
//! only PyTorch's argument shapes (`argnums`, tuples of inputs).

use std::cell::Cell;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::IntoPyObjectExt;

use super::args::{as_variable, is_torch_tensor, plain_tensor, tensor_values, type_name};
use super::gil::without_gil;
use super::hooks;
use crate::{Tensor, Variable};

/// How `f` returned its outputs: results come back the same way.
#[derive(Clone, Copy)]
enum Container {
    One,
    Tuple,
    List,
}

/// A Python callable as the `f` of a transform. It runs with the GIL
/// released around it (backward may run hooks on other threads), so each
/// call takes the GIL; an exception it raises is carried through the Rust
/// transform and comes out unchanged.
struct PyF<'a> {
    op: &'static str,
    f: &'a Py<PyAny>,
    container: Cell<Container>,
    /// Whether `f` gets plain Tensors (the values of its arguments), as
    /// `vmap` over Tensors passes them.
    plain: bool,
    /// `f`'s arguments when some are not tensors (gradcheck passes those
    /// as they are): None where the next of `xs` goes. Empty: just `xs`.
    passed: Vec<Option<Py<PyAny>>>,
    /// What the last call of `f` returned, kept alive until the next: a
    /// custom Function's saved output keeps its graph only while its Python
    /// object lives, and a double backward through it runs after `f`
    /// returned (gradgradcheck, a gradient of a gradient).
    kept: Cell<Option<Py<PyAny>>>,
}

impl<'a> PyF<'a> {
    fn new(op: &'static str, f: &'a Py<PyAny>) -> Self {
        PyF {
            op,
            f,
            container: Cell::new(Container::One),
            plain: false,
            passed: Vec::new(),
            kept: Cell::new(None),
        }
    }

    fn call(&self, xs: &[Variable]) -> crate::Result<Vec<Variable>> {
        Python::attach(|py| self.call_in(py, xs)).map_err(hooks::carried)
    }

    fn call_in(&self, py: Python<'_>, xs: &[Variable]) -> PyResult<Vec<Variable>> {
        let args = match self.plain {
            true => PyTuple::new(py, xs.iter().map(Variable::data))?,
            false if self.passed.is_empty() => PyTuple::new(py, xs.iter().cloned())?,
            false => {
                let mut xs = xs.iter();
                let args = self.passed.iter().map(|arg| match arg {
                    Some(arg) => Ok(arg.bind(py).clone()),
                    None => xs.next().cloned().into_bound_py_any(py),
                });
                PyTuple::new(py, args.collect::<PyResult<Vec<_>>>()?)?
            }
        };
        let output = self.f.bind(py).call1(args)?;
        let (container, items): (Container, Vec<Bound<'_, PyAny>>) =
            if let Ok(t) = output.cast::<PyTuple>() {
                (Container::Tuple, t.iter().collect())
            } else if let Ok(l) = output.cast::<PyList>() {
                (Container::List, l.iter().collect())
            } else {
                (Container::One, vec![output.clone()])
            };
        self.container.set(container);
        let outputs = items.iter().map(|o| self.output(o)).collect();
        self.kept.set(Some(output.unbind()));
        outputs
    }

    /// One output of `f`: a Variable as it is, a Tensor as a constant.
    fn output(&self, o: &Bound<'_, PyAny>) -> PyResult<Variable> {
        if let Some(v) = crate::python::args::as_variable(o) {
            return Ok(v.get().inner.clone());
        }
        if let Some(t) = plain_tensor(o) {
            return Ok(Variable::new(t.get().inner.clone(), false)?);
        }
        let got = if is_torch_tensor(o) {
            "a torch tensor (convert it with flodl.Tensor.from_torch(t))".to_string()
        } else {
            type_name(o)
        };
        Err(PyTypeError::new_err(format!(
            "{}: f's outputs must be Tensors or Variables, got {got}",
            self.op
        )))
    }

    /// `items` (one per output) in the container `f` returned.
    fn shaped<'py, T: IntoPyObject<'py>>(
        &self,
        py: Python<'py>,
        items: Vec<T>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.container.get() {
            Container::Tuple => Ok(PyTuple::new(py, items)?.into_any()),
            Container::List => Ok(PyList::new(py, items)?.into_any()),
            Container::One => match items.into_iter().next() {
                Some(item) => item.into_bound_py_any(py),
                None => Ok(PyTuple::empty(py).into_any()),
            },
        }
    }
}

/// The values of a sequence of Tensors or Variables, each checked.
fn values_of(op: &str, items: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    items
        .try_iter()?
        .map(|item| tensor_values(op, &item?))
        .collect()
}

/// A sequence of Tensors or Variables as Variables: a Variable as it is
/// (its graph goes on), a Tensor as a constant.
fn variables_of(op: &str, items: &Bound<'_, PyAny>) -> PyResult<Vec<Variable>> {
    items
        .try_iter()?
        .map(|item| {
            let item = item?;
            match as_variable(&item) {
                Some(v) => Ok(v.get().inner.clone()),
                None => Ok(Variable::new(tensor_values(op, &item)?, false)?),
            }
        })
        .collect()
}

/// Rows of results (one per output) as Python objects.
fn rows_of<'py, T: IntoPyObject<'py>>(
    py: Python<'py>,
    rows: Vec<Vec<T>>,
) -> PyResult<Vec<Vec<Bound<'py, PyAny>>>> {
    rows.into_iter().map(|row| objects(py, row)).collect()
}

/// Results as Python objects, for [`PyF::shaped`].
fn objects<'py, T: IntoPyObject<'py>>(
    py: Python<'py>,
    items: Vec<T>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    items
        .into_iter()
        .map(|item| item.into_bound_py_any(py))
        .collect()
}

fn refs(tensors: &[Tensor]) -> Vec<&Tensor> {
    tensors.iter().collect()
}

/// Runs a transform with the GIL released; a Python exception raised in
/// `f` comes back as itself.
fn transform<T: Send>(py: Python<'_>, body: impl FnOnce() -> crate::Result<T>) -> PyResult<T> {
    without_gil(py, body).map_err(hooks::restore)
}

/// What `vjp` returns beside the value: called with one cotangent per
/// output of `f`, it gives one vector-Jacobian product per primal
/// (Variables on the outer graph when the primals were on one).
#[pyclass(name = "_VjpFn", module = "flodl", frozen)]
pub(crate) struct VjpFn(crate::func::Vjp);

// SAFETY: as for PyVariable: `apply` reads the graph through `&self`, and
// libtorch's engine runs concurrent backward passes over one graph.
unsafe impl Sync for VjpFn {}

crate::python::guard::guarded! {

#[pymethods]
impl VjpFn {
    /// `vjp_fn(*cotangents)`, or `vjp_fn(cotangents)` with one tuple.
    #[pyo3(signature = (*cotangents))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        cotangents: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let mut given = cotangents.clone().into_any();
        if cotangents.len() == 1 {
            let first = cotangents.get_item(0)?;
            if first.is_instance_of::<PyTuple>() || first.is_instance_of::<PyList>() {
                given = first;
            }
        }
        let cotangents = variables_of("vjp", &given)?;
        let grads = transform(py, || self.0.apply_variables(&cotangents))?;
        PyTuple::new(py, objects(py, grads)?)
    }
}

}

/// The values of `inputs`, for the transforms that leave their graphs.
fn data_of(inputs: &[Variable]) -> Vec<Tensor> {
    inputs.iter().map(Variable::data).collect()
}

/// Whether a transform of `inputs` keeps its results on the outer graph,
/// as `torch.func`'s do: grad mode is on and some input requires grad.
fn on_outer_graph(inputs: &[Variable]) -> bool {
    crate::is_grad_enabled() && inputs.iter().any(Variable::requires_grad)
}

/// `(f(*primals), vjp_fn)`, as `torch.func.vjp`.
#[pyfunction(name = "_func_vjp")]
pub(crate) fn vjp<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    primals: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, VjpFn)> {
    crate::python::guard::run("vjp", || {
        let inputs = variables_of("vjp", primals)?;
        let f = PyF::new("vjp", &f);
        let call = |xs: &[Variable]| f.call(xs);
        if on_outer_graph(&inputs) {
            let inputs: Vec<&Variable> = inputs.iter().collect();
            let (values, products) = transform(py, || crate::func::vjp_with_graph(call, &inputs))?;
            return Ok((f.shaped(py, values)?, VjpFn(products)));
        }
        let primals = data_of(&inputs);
        let (values, products) = transform(py, || crate::func::vjp(call, &refs(&primals)))?;
        Ok((f.shaped(py, values)?, VjpFn(products)))
    })
}

/// `forward_ad.enter_dual_level()`: opens a forward-AD level, returns its index.
#[pyfunction(name = "_enter_dual_level")]
pub(crate) fn enter_dual_level() -> PyResult<u64> {
    Ok(crate::autograd::forward_ad::enter_level()?)
}

/// `forward_ad.exit_dual_level(level=)`: closes level `level`.
#[pyfunction(name = "_exit_dual_level")]
pub(crate) fn exit_dual_level(level: u64) -> PyResult<()> {
    Ok(crate::autograd::forward_ad::exit_level(level)?)
}

/// `forward_ad.make_dual(tensor, tangent, level=)`: `tensor` carrying
/// `tangent` at `level`.
#[pyfunction(name = "_make_dual")]
pub(crate) fn make_dual(
    primal: super::args::VariableArg<'_>,
    tangent: &Bound<'_, PyAny>,
    level: u64,
) -> PyResult<Variable> {
    use super::args::PyOperand as _;
    let tangent = tensor_values("make_dual", tangent)?;
    Ok(crate::autograd::forward_ad::make_dual_at(
        primal.get(),
        &tangent,
        level,
    )?)
}

/// `forward_ad.unpack_dual(tensor, level=)`: `(primal, tangent or None)`.
#[pyfunction(name = "_unpack_dual")]
pub(crate) fn unpack_dual(
    dual: super::args::VariableArg<'_>,
    level: u64,
) -> PyResult<(Variable, Option<Variable>)> {
    use super::args::PyOperand as _;
    Ok(crate::autograd::forward_ad::unpack_dual_at(
        dual.get(),
        level,
    )?)
}

/// `(f(*primals), J @ tangents)` in forward mode, as `torch.func.jvp`
/// (on the outer graph when a primal requires grad).
#[pyfunction(name = "_func_jvp")]
pub(crate) fn jvp<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    primals: &Bound<'py, PyAny>,
    tangents: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    crate::python::guard::run("jvp", || {
        let (inputs, tangents) = (variables_of("jvp", primals)?, values_of("jvp", tangents)?);
        let f = PyF::new("jvp", &f);
        let call = |xs: &[Variable]| f.call(xs);
        if on_outer_graph(&inputs) {
            let inputs: Vec<&Variable> = inputs.iter().collect();
            let (values, out_tangents) = transform(py, || {
                crate::func::jvp_with_graph(call, &inputs, &refs(&tangents))
            })?;
            return Ok((f.shaped(py, values)?, f.shaped(py, out_tangents)?));
        }
        let primals = data_of(&inputs);
        let (values, out_tangents) = transform(py, || {
            crate::func::jvp(call, &refs(&primals), &refs(&tangents))
        })?;
        Ok((f.shaped(py, values)?, f.shaped(py, out_tangents)?))
    })
}

/// `f`'s single output, for the transforms of a single-element `f`.
fn single(f: &PyF<'_>, xs: &[Variable]) -> crate::Result<Variable> {
    let mut outputs = f.call(xs)?;
    match (f.container.get(), outputs.len()) {
        (Container::One, 1) => Ok(outputs.remove(0)),
        _ => Err(crate::Error::new(
            crate::ErrorKind::Autograd,
            format!(
                "{}: f must return a single-element tensor, got {} outputs",
                f.op,
                outputs.len()
            ),
        )),
    }
}

/// `(gradients, value)` of a single-element `f` with respect to each
/// primal, as `torch.func.grad_and_value` over all its arguments: Tensors,
/// or, where a primal requires grad (and grad mode is on), Variables on
/// the outer graph, as PyTorch's.
#[pyfunction(name = "_func_grad_and_value")]
pub(crate) fn grad_and_value<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    primals: &Bound<'py, PyAny>,
) -> PyResult<(Vec<Bound<'py, PyAny>>, Bound<'py, PyAny>)> {
    crate::python::guard::run("grad", || {
        let f = PyF::new("grad", &f);
        let call = |xs: &[Variable]| single(&f, xs);
        let inputs = variables_of("grad", primals)?;
        if on_outer_graph(&inputs) {
            let inputs: Vec<&Variable> = inputs.iter().collect();
            let (grads, value) =
                transform(py, || crate::func::grad_and_value_with_graph(call, &inputs))?;
            return Ok((objects(py, grads)?, value.into_pyobject(py)?.into_any()));
        }
        let primals = data_of(&inputs);
        let (grads, value) = transform(py, || crate::func::grad_and_value(call, &refs(&primals)))?;
        Ok((objects(py, grads)?, value.into_pyobject(py)?.into_any()))
    })
}

/// The Jacobians of `f` at `inputs`, per output as `f` returns them, then a
/// tuple per input when `per_input` (else the first input's), as
/// `torch.autograd.functional.jacobian`. `op` names the transform;
/// `"jacfwd"` computes them in forward mode. With `create_graph` they are
/// Variables that keep their graph; None (`jacrev`, `jacfwd`) keeps it
/// when an input is on an outer graph, as `torch.func`'s.
#[pyfunction(name = "_func_jacobian", signature = (op, f, inputs, per_input, create_graph = None))]
pub(crate) fn jacobian<'py>(
    py: Python<'py>,
    op: &str,
    f: Py<PyAny>,
    inputs: &Bound<'py, PyAny>,
    per_input: bool,
    create_graph: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = match op {
        "jacrev" => "jacrev",
        "jacfwd" => "jacfwd",
        _ => "jacobian",
    };
    crate::python::guard::run(op, || {
        let f = PyF::new(op, &f);
        let call = |xs: &[Variable]| f.call(xs);
        let inputs = variables_of(op, inputs)?;
        let per_output = if create_graph.unwrap_or_else(|| on_outer_graph(&inputs)) {
            let inputs: Vec<&Variable> = inputs.iter().collect();
            let rows = transform(py, || match op {
                "jacfwd" => crate::func::jacfwd_with_graph(call, &inputs),
                _ => crate::func::jacobian_with_graph(call, &inputs),
            })?;
            rows_of(py, rows)?
        } else {
            let inputs = data_of(&inputs);
            let rows = transform(py, || match op {
                "jacfwd" => crate::func::jacfwd(call, &refs(&inputs)),
                _ => crate::func::jacobian(call, &refs(&inputs)),
            })?;
            rows_of(py, rows)?
        };
        let rows = per_output
            .into_iter()
            .map(|mut row| match per_input {
                true => Ok(PyTuple::new(py, row)?.into_any()),
                false => Ok(row.remove(0)),
            })
            .collect::<PyResult<Vec<_>>>()?;
        f.shaped(py, rows)
    })
}

/// The Hessian of a single-element `f`: a tuple of tuples over `inputs`,
/// as `torch.autograd.functional.hessian` with a tuple of inputs (with
/// `create_graph`, Variables that keep their graph; None, as
/// `torch.func.hessian`, keeps it when an input is on an outer graph).
#[pyfunction(name = "_func_hessian", signature = (f, inputs, create_graph = None))]
pub(crate) fn hessian<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    inputs: &Bound<'py, PyAny>,
    create_graph: Option<bool>,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    crate::python::guard::run("hessian", || {
        let f = PyF::new("hessian", &f);
        let call = |xs: &[Variable]| single(&f, xs);
        let inputs = variables_of("hessian", inputs)?;
        if create_graph.unwrap_or_else(|| on_outer_graph(&inputs)) {
            let inputs: Vec<&Variable> = inputs.iter().collect();
            let rows = transform(py, || crate::func::hessian_with_graph(call, &inputs))?;
            return rows.into_iter().map(|row| PyTuple::new(py, row)).collect();
        }
        let inputs = data_of(&inputs);
        let rows = transform(py, || crate::func::hessian(call, &refs(&inputs)))?;
        rows.into_iter().map(|row| PyTuple::new(py, row)).collect()
    })
}

/// `(f(*inputs), H @ v)` for a single-element `f`, one product per input,
/// as `torch.autograd.functional.hvp` with a tuple of inputs.
#[pyfunction(name = "_func_hvp")]
pub(crate) fn hvp<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    inputs: &Bound<'py, PyAny>,
    v: &Bound<'py, PyAny>,
) -> PyResult<(Tensor, Vec<Tensor>)> {
    crate::python::guard::run("hvp", || {
        let (inputs, v) = (values_of("hvp", inputs)?, values_of("hvp", v)?);
        let f = PyF::new("hvp", &f);
        transform(py, || {
            crate::func::hvp(|xs: &[Variable]| single(&f, xs), &refs(&inputs), &refs(&v))
        })
    })
}

/// `f` mapped over `in_dims` of `inputs` (Tensors or Variables; one dim or
/// None each), its outputs stacked along `out_dims` (one per output, or one
/// for all), as `torch.func.vmap` over flat arguments: `func.py` flattens
/// the pytrees. Over Tensors only, `f` gets Tensors and its outputs that
/// need no grad come back as Tensors.
#[pyfunction(name = "_func_vmap")]
pub(crate) fn vmap<'py>(
    py: Python<'py>,
    f: Py<PyAny>,
    inputs: &Bound<'py, PyAny>,
    in_dims: Vec<Option<i64>>,
    out_dims: Vec<Option<i64>>,
    randomness: &str,
) -> PyResult<Bound<'py, PyAny>> {
    crate::python::guard::run("vmap", || {
        let randomness: crate::func::Randomness = randomness.parse()?;
        let mut plain = true;
        let mut vars = Vec::new();
        for item in inputs.try_iter()? {
            let item = item?;
            if let Some(v) = crate::python::args::as_variable(&item) {
                plain = false;
                vars.push(v.get().inner.clone());
            } else {
                vars.push(Variable::new(tensor_values("vmap", &item)?, false)?);
            }
        }
        let mut f = PyF::new("vmap", &f);
        f.plain = plain;
        let outputs: Vec<Variable> = transform(py, || {
            crate::func::vmap(
                |xs: &[Variable]| f.call(xs),
                &vars,
                &in_dims,
                &out_dims,
                randomness,
            )
        })?;
        let items = outputs
            .into_iter()
            .map(|o| super::results::plain_unless_tracked(py, o, plain))
            .collect::<PyResult<Vec<_>>>()?;
        f.shaped(py, items)
    })
}

/// `autograd.gradcheck` (or `gradgradcheck`, `second_order`) on
/// `flodl::autograd`'s check: the inputs that are Tensors or Variables are
/// checked, the others passed to `f` as they are; errors name inputs by
/// their position among all of them.
#[pyfunction(name = "_gradcheck")]
pub(crate) fn gradcheck(
    py: Python<'_>,
    f: Py<PyAny>,
    inputs: &Bound<'_, PyAny>,
    eps: f64,
    atol: f64,
    rtol: f64,
    second_order: bool,
) -> PyResult<bool> {
    let op = match second_order {
        true => "gradgradcheck",
        false => "gradcheck",
    };
    if !f.bind(py).is_callable() {
        let got = type_name(f.bind(py));
        return Err(PyTypeError::new_err(format!(
            "{op}: f must be callable, got {got}"
        )));
    }
    let items: Vec<Bound<'_, PyAny>> =
        if inputs.is_instance_of::<PyTuple>() || inputs.is_instance_of::<PyList>() {
            inputs.try_iter()?.collect::<PyResult<_>>()?
        } else {
            vec![inputs.clone()]
        };
    let (mut tensors, mut positions, mut passed) = (Vec::new(), Vec::new(), Vec::new());
    for (k, item) in items.iter().enumerate() {
        if as_variable(item).is_some() || plain_tensor(item).is_some() {
            tensors.push(tensor_values(op, item)?);
            positions.push(k);
            passed.push(None);
        } else {
            passed.push(Some(item.clone().unbind()));
        }
    }
    if tensors.is_empty() {
        let kinds: Vec<String> = items.iter().map(type_name).collect();
        let kinds = if kinds.is_empty() {
            "nothing".to_string()
        } else {
            kinds.join(", ")
        };
        return Err(PyTypeError::new_err(format!(
            "{op}: input 0 must be a Tensor or Variable, got {kinds}"
        )));
    }
    let mut f = PyF::new(op, &f);
    f.passed = passed;
    let options = crate::autograd::GradcheckOptions { eps, atol, rtol };
    let call = |xs: &[Variable]| f.call(xs);
    let inputs = refs(&tensors);
    transform(py, || match second_order {
        true => crate::autograd::check_second_order(op, &call, &inputs, &positions, options),
        false => crate::autograd::check_first_order(op, &call, &inputs, &positions, options),
    })
}
