//! `flodl.optim`'s optimizers on Rust's `flodl::optim`: the Python classes
//! keep torch's object model (`param_groups` dicts, `state` keyed by
//! parameter) and each of their steps, checks and state-dict loads is one
//! call here into the same code Rust's optimizers run.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::args::{type_name, PyOperand as _, TensorArg};
use super::classes::PyTensor;
use super::classes::PyVariable;
use super::gil::without_gil;
use super::value;
use crate::optim::{read_state_dict, step_group, with_optimizer_named, Method, ParamState};
use crate::optim::{LBFGSOptions, Options, StepMember};
use crate::{ErrorKind, Operand as _, Value};

fn unknown(name: &str) -> PyErr {
    let message = format!("flodl has no optimizer {name:?}");
    crate::Error::new(crate::ErrorKind::Argument, message).into()
}

/// `defaults` with the options a param group sets (entries that are no
/// option of `M`, as `params` or `foreach`, are skipped).
fn options_of<M: Options>(mut options: M, group: &Bound<'_, PyAny>) -> PyResult<M> {
    let group = group.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{}: a param group must be a dict, got {}",
            M::NAME,
            type_name(group)
        ))
    })?;
    let names: Vec<&'static str> = options.to_values().into_iter().map(|(n, _)| n).collect();
    for name in names {
        if let Some(entry) = group.get_item(name)? {
            let entry = value::from_py(&entry, M::NAME, &format!("option {name:?}"))?;
            options.set(name, &entry)?;
        }
    }
    Ok(options)
}

/// A parameter of a group: the object the group lists, which keys the
/// optimizer's `state` (a Tensor made a leaf in place is its own key, not
/// the Variable handle on it), and the Variable (what it derefs to).
struct Param<'py> {
    key: Bound<'py, PyAny>,
    variable: Bound<'py, PyVariable>,
}

impl<'py> std::ops::Deref for Param<'py> {
    type Target = Bound<'py, PyVariable>;
    fn deref(&self) -> &Self::Target {
        &self.variable
    }
}

/// A param group's parameters, each a Variable.
fn params_of<'py>(name: &str, group: &Bound<'py, PyAny>) -> PyResult<Vec<Param<'py>>> {
    let params = group.get_item("params")?;
    let mut out = Vec::new();
    for p in params.try_iter()? {
        let key = p?;
        let variable = super::args::as_variable(&key).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{name}: can only optimize Variables, got {}",
                type_name(&key)
            ))
        })?;
        out.push(Param { key, variable });
    }
    Ok(out)
}

/// Checks a param group's options as the optimizer `name` checks them
/// (PyTorch's checks): an ArgumentError naming the bad one.
#[pyfunction]
#[pyo3(name = "_optim_check")]
pub(crate) fn check(name: &str, group: &Bound<'_, PyAny>) -> PyResult<()> {
    crate::python::guard::run("optim_check", move || {
        if name == "LBFGS" {
            return Ok(options_of(LBFGSOptions::default(), group)?.check()?);
        }
        with_optimizer_named!(
            name,
            |defaults| Ok(options_of(defaults, group)?.check()?),
            Err(unknown(name))
        )
    })
}

/// Whether the optimizer `name` runs a fused kernel, which takes
/// GradScaler's `grad_scale` and `found_inf` (PyTorch's
/// `_step_supports_amp_scaling`).
#[pyfunction]
#[pyo3(name = "_optim_folds_scaling")]
pub(crate) fn folds_scaling(name: &str) -> bool {
    with_optimizer_named!(name, |defaults| defaults.folds_scaling(), false)
}

/// The options of the optimizer `name` with their defaults, as a dict.
#[pyfunction]
#[pyo3(name = "_optim_defaults")]
pub(crate) fn defaults<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
    crate::python::guard::run("optim_defaults", move || {
        let values = if name == "LBFGS" {
            LBFGSOptions::default().to_values()
        } else {
            with_optimizer_named!(name, |defaults| defaults.to_values(), {
                return Err(unknown(name));
            })
        };
        let dict = PyDict::new(py);
        for (key, entry) in values {
            dict.set_item(key, value::to_py(py, entry)?)?;
        }
        Ok(dict)
    })
}

/// One step of the optimizer `name` over `param_groups` (torch's list of
/// dicts), its state in `state` (a dict by parameter, of dicts by name;
/// what a first step makes is added to it). `grad_scale` and `found_inf`
/// are what GradScaler hands a fused optimizer (PyTorch's attributes of
/// the same names).
#[pyfunction]
#[pyo3(name = "_optim_step", signature = (name, param_groups, state, grad_scale=None, found_inf=None))]
pub(crate) fn step(
    py: Python<'_>,
    name: &str,
    param_groups: &Bound<'_, PyList>,
    state: &Bound<'_, PyAny>,
    grad_scale: Option<PyRef<'_, PyTensor>>,
    found_inf: Option<PyRef<'_, PyTensor>>,
) -> PyResult<()> {
    crate::python::guard::run("optim_step", move || {
        let scaling = (
            grad_scale.as_ref().map(|t| t.inner.raw()),
            found_inf.as_ref().map(|t| t.inner.raw()),
        );
        with_optimizer_named!(
            name,
            |defaults| {
                // Every group's options read (and checked) before any
                // parameter moves: a bad one leaves nothing half-done.
                let options = (param_groups.iter())
                    .map(|group| options_of(defaults.clone(), &group))
                    .collect::<PyResult<Vec<_>>>()?;
                for (group, options) in param_groups.iter().zip(options) {
                    step_one_group(py, options, &group, state, scaling)?;
                }
                Ok(())
            },
            Err(unknown(name))
        )
    })
}

/// Makes the state of every parameter of `param_groups` now, for the
/// optimizers that make it when a parameter joins (Adagrad); nothing for
/// the others.
#[pyfunction]
#[pyo3(name = "_optim_init_state")]
pub(crate) fn init(
    name: &str,
    param_groups: &Bound<'_, PyList>,
    state: &Bound<'_, PyAny>,
) -> PyResult<()> {
    crate::python::guard::run("optim_init_state", move || {
        if name == "LBFGS" {
            return Ok(()); // its state starts at the first step
        }
        with_optimizer_named!(
            name,
            |defaults| {
                for group in param_groups.iter() {
                    let options = options_of(defaults.clone(), &group)?;
                    if !options.eager_state() {
                        continue;
                    }
                    let layout = options.state_layout();
                    for p in params_of(name, &group)? {
                        let held = state.get_item(&p.key)?.cast_into::<PyDict>()?;
                        let mut made = ParamState::new();
                        crate::optim::init_state(name, &layout, p.get().inner.raw(), &mut made)?;
                        for (slot, tensor) in made {
                            if !held.contains(slot)? {
                                held.set_item(slot, crate::Tensor::from_raw(tensor))?;
                            }
                        }
                    }
                }
                Ok(())
            },
            Err(unknown(name))
        )
    })
}

fn step_one_group<M: Method + Send>(
    py: Python<'_>,
    options: M,
    group: &Bound<'_, PyAny>,
    state: &Bound<'_, PyAny>,
    scaling: crate::ffi::Scaling<'_>,
) -> PyResult<()> {
    let layout = options.state_layout();
    // Per parameter with a gradient: its state dict, the parameter, the
    // gradient and the state the dict holds.
    let mut entries: Vec<(
        Option<Bound<'_, PyDict>>,
        tch::Tensor,
        crate::Tensor,
        ParamState,
    )> = Vec::new();
    for p in params_of(M::NAME, group)? {
        let variable = &p.get().inner;
        let Some(grad) = variable.grad() else {
            continue;
        };
        if layout.is_empty() {
            // No state (SGD without momentum): torch's `state` stays empty.
            entries.push((
                None,
                variable.raw().shallow_clone(),
                grad,
                ParamState::new(),
            ));
            continue;
        }
        // `state` is a defaultdict(dict): a parameter's first step adds its dict.
        let held = state.get_item(&p.key)?;
        let held = held.cast_into::<PyDict>().map_err(|e| {
            PyTypeError::new_err(format!(
                "{}: a parameter's state must be a dict, got {}",
                M::NAME,
                type_name(e.into_inner().as_any())
            ))
        })?;
        let mut param_state = ParamState::new();
        for slot in &layout {
            let Some(t) = held.get_item(slot.name)? else {
                continue;
            };
            let t = t.cast_into::<PyTensor>().map_err(|e| {
                PyTypeError::new_err(format!(
                    "{}: state {:?} must be a Tensor, got {}",
                    M::NAME,
                    slot.name,
                    type_name(e.into_inner().as_any())
                ))
            })?;
            param_state.push((slot.name, t.get().inner.raw().shallow_clone()));
        }
        entries.push((
            Some(held),
            variable.raw().shallow_clone(),
            grad,
            param_state,
        ));
    }
    let known: Vec<usize> = entries.iter().map(|e| e.3.len()).collect();
    let op = format!("{}.step", M::NAME);
    let mut members: Vec<StepMember<'_>> = entries
        .iter_mut()
        .map(|(_, param, grad, state)| (&*param, grad.raw(), state))
        .collect();
    without_gil(py, || step_group(&op, &options, &mut members, scaling))?;
    // The state a first step made goes into the parameters' dicts.
    for ((held, _, _, param_state), known) in entries.into_iter().zip(known) {
        let Some(held) = held else { continue };
        for (slot, tensor) in param_state.into_iter().skip(known) {
            held.set_item(slot, crate::Tensor::from_raw(tensor))?;
        }
    }
    Ok(())
}

/// What `state_dict` (torch's layout) holds for the optimizer `name` over
/// `param_groups`: `(options, states)` with each group's options as a dict
/// and `(group, position, {name: tensor})` for each parameter with state,
/// checked and copied onto its parameter. Nothing changes here: the Python
/// class installs it.
#[pyfunction]
#[pyo3(name = "_optim_read_state_dict")]
pub(crate) fn read_state<'py>(
    py: Python<'py>,
    name: &str,
    param_groups: &Bound<'py, PyList>,
    state_dict: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
    crate::python::guard::run("optim_read_state_dict", move || {
        with_optimizer_named!(
            name,
            |defaults| read_state_with(py, defaults, param_groups, state_dict),
            Err(unknown(name))
        )
    })
}

/// Where each saved parameter key of `state_dict` goes, `(key, group,
/// position)`, for an optimizer subclass of one's own (`owner`, its class
/// name) over `param_groups`; `state_dict` is the skeleton Python makes of
/// the saved one (its groups' `params` and its state's keys).
#[pyfunction]
#[pyo3(name = "_optim_generic_places")]
pub(crate) fn generic_places<'py>(
    py: Python<'py>,
    owner: &str,
    param_groups: &Bound<'py, PyList>,
    state_dict: &Bound<'py, PyAny>,
) -> PyResult<Vec<(Bound<'py, PyAny>, usize, usize)>> {
    crate::python::guard::run("optim_read_state_dict", move || {
        let op = format!("{owner}.load_state_dict");
        let sizes = (param_groups.iter())
            .map(|g| Ok(params_of(owner, &g)?.len()))
            .collect::<PyResult<Vec<_>>>()?;
        let saved = value::from_py(state_dict, &op, "the state dict")?;
        let places = crate::optim::generic_places(owner, &sizes, &saved)?;
        places
            .into_iter()
            .map(|(key, (g, i))| {
                let key = match key {
                    crate::Key::Int(k) => k.into_pyobject(py)?.into_any(),
                    crate::Key::Str(k) => k.into_pyobject(py)?.into_any(),
                };
                Ok((key, g, i))
            })
            .collect()
    })
}

/// A loaded state tensor placed on its parameter (`step`: kept as saved),
/// as torch's generic load does.
#[pyfunction]
#[pyo3(name = "_optim_place")]
pub(crate) fn place(
    param: super::args::VariableRef<'_>,
    value: &Bound<'_, PyAny>,
    step: bool,
) -> PyResult<crate::Tensor> {
    crate::python::guard::run("optim_read_state_dict", move || {
        let value = super::args::tensor_values("load_state_dict", value)?;
        Ok(crate::optim::placed_state(
            &param.inner.data(),
            &value,
            step,
        )?)
    })
}

fn read_state_with<'py, M: Method>(
    py: Python<'py>,
    defaults: M,
    param_groups: &Bound<'py, PyList>,
    state_dict: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
    let op = format!("{}.load_state_dict", M::NAME);
    let mut groups: Vec<(M, Vec<Param<'py>>)> = Vec::new();
    for group in param_groups.iter() {
        groups.push((
            options_of(defaults.clone(), &group)?,
            params_of(M::NAME, &group)?,
        ));
    }
    let raw: Vec<(M, Vec<&tch::Tensor>)> = groups
        .iter()
        .map(|(o, ps)| (o.clone(), ps.iter().map(|p| p.get().inner.raw()).collect()))
        .collect();
    let saved = value::from_py(state_dict, &op, "the state dict")?;
    // A state entry of the wrong Python type is a TypeError (SPEC §4).
    if let Some(Value::Dict(state)) = saved.get("state") {
        for (key, entries) in state {
            let Value::Dict(entries) = entries.content() else {
                continue;
            };
            for (name, entry) in entries {
                if !matches!(
                    entry,
                    Value::Tensor(_) | Value::Float(_) | Value::Int(_) | Value::None
                ) {
                    return Err(PyTypeError::new_err(format!(
                        "{op}: state {key} '{name}' must be a Tensor or a number, got {}",
                        entry.kind()
                    )));
                }
            }
        }
    }
    let (options, loads) = read_state_dict(&raw, &saved)?;
    let options_out = PyList::empty(py);
    for options in options {
        let dict = PyDict::new(py);
        for (key, entry) in options.to_values() {
            dict.set_item(key, value::to_py(py, entry)?)?;
        }
        options_out.append(dict)?;
    }
    let states_out = PyList::empty(py);
    for (g, i, loaded) in loads {
        let dict = PyDict::new(py);
        for (slot, tensor) in loaded {
            dict.set_item(slot, crate::Tensor::from_raw(tensor))?;
        }
        states_out.append((g, i, dict))?;
    }
    Ok((options_out, states_out))
}

/// The tensors of a list argument (handles on the same values).
fn tensors(args: &[TensorArg<'_>]) -> Vec<crate::Tensor> {
    args.iter().map(|t| t.get().clone()).collect()
}

/// Scales `grads` in place so that their joint norm is at most `max_norm`;
/// returns the norm before scaling (`clip_grad_norm_`).
#[pyfunction]
#[pyo3(name = "_clip_grad_norm")]
pub(crate) fn clip_grad_norm(
    py: Python<'_>,
    grads: Vec<TensorArg<'_>>,
    max_norm: f64,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> PyResult<crate::Tensor> {
    crate::python::guard::run("clip_grad_norm", move || {
        let grads = tensors(&grads);
        let result = without_gil(py, || {
            crate::nn::utils::clip_grads_norm_(&grads, max_norm, norm_type, error_if_nonfinite)
        });
        Ok(result?)
    })
}

/// The joint norm of `tensors` (`get_total_norm`).
#[pyfunction]
#[pyo3(name = "_total_norm")]
pub(crate) fn total_norm(
    py: Python<'_>,
    tensors: Vec<TensorArg<'_>>,
    norm_type: f64,
    error_if_nonfinite: bool,
) -> PyResult<crate::Tensor> {
    crate::python::guard::run("get_total_norm", move || {
        let tensors = self::tensors(&tensors);
        let result = without_gil(py, || {
            crate::nn::utils::get_total_norm(&tensors, norm_type, error_if_nonfinite)
        });
        Ok(result?)
    })
}

/// Scales `grads` in place so that `total_norm` becomes at most `max_norm`
/// (`clip_grads_with_norm_`).
#[pyfunction]
#[pyo3(name = "_clip_grads_with_norm")]
pub(crate) fn clip_grads_with_norm(
    py: Python<'_>,
    grads: Vec<TensorArg<'_>>,
    max_norm: f64,
    total_norm: TensorArg<'_>,
) -> PyResult<()> {
    use crate::python::args::PyOperand as _;
    crate::python::guard::run("clip_grads_with_norm_", move || {
        let grads = tensors(&grads);
        let total = total_norm.get().clone();
        let result = without_gil(py, || {
            crate::nn::utils::clip_grads_with_norm_(&grads, max_norm, &total)
        });
        Ok(result?)
    })
}

/// _prune_mask(how, t, amount, default_mask, n=2.0, dim=-1)
/// --
///
/// The mask of `prune`'s method `how` (`"l1_unstructured"`,
/// `"random_unstructured"`, `"ln_structured"`, `"random_structured"`) alone
/// for the scores `t`, starting from `default_mask`; `amount` an int (a
/// count) or a float (a fraction), checked by type in Python.
#[pyfunction]
#[pyo3(name = "_prune_mask", signature = (how, t, amount, default_mask, n = 2.0, dim = -1))]
pub(crate) fn prune_mask(
    how: &str,
    t: &Bound<'_, PyAny>,
    amount: &Bound<'_, PyAny>,
    default_mask: &Bound<'_, PyAny>,
    n: f64,
    dim: i64,
) -> PyResult<crate::Tensor> {
    use crate::nn::prune::{PruneAmount, PruningMethod};
    let scores = crate::python::args::tensor_values(how, t)?;
    let default_mask = crate::python::args::tensor_values(how, default_mask)?;
    let amount = match amount.is_instance_of::<pyo3::types::PyInt>() {
        true => PruneAmount::Count(amount.extract()?),
        false => PruneAmount::Fraction(amount.extract()?),
    };
    let method = match how {
        "l1_unstructured" => PruningMethod::L1Unstructured { amount },
        "random_unstructured" => PruningMethod::RandomUnstructured { amount },
        "ln_structured" => PruningMethod::LnStructured { amount, n, dim },
        "random_structured" => PruningMethod::RandomStructured { amount, dim },
        _ => {
            return Err(crate::Error::new(
                ErrorKind::Argument,
                format!("_prune_mask: no method {how:?}"),
            )
            .into())
        }
    };
    Ok(method.mask(&scores, &default_mask)?)
}

/// A Python method's `compute_mask(t, default_mask)` as the Rust
/// composition's `compute`; an exception it raises is carried through.
fn compute_mask_of<'a>(
    compute: &'a Bound<'_, PyAny>,
) -> impl Fn(&crate::Tensor, &crate::Tensor) -> crate::Result<crate::Tensor> + 'a {
    move |t, default_mask| {
        compute
            .call1((t.clone(), default_mask.clone()))
            .and_then(|m| crate::python::args::tensor_values("compute_mask", &m))
            .map_err(super::hooks::carried)
    }
}

/// _prune_combined(t, default_mask, pruning_type, dim, compute)
/// --
///
/// `PruningContainer.compute_mask`: `compute(scores, mask)` (the last
/// method's `compute_mask`) on what `default_mask` keeps, by the method's
/// `PRUNING_TYPE` (`dim` for a structured one).
#[pyfunction]
#[pyo3(name = "_prune_combined")]
pub(crate) fn prune_combined(
    t: &Bound<'_, PyAny>,
    default_mask: &Bound<'_, PyAny>,
    pruning_type: &str,
    dim: Option<i64>,
    compute: &Bound<'_, PyAny>,
) -> PyResult<crate::Tensor> {
    use crate::nn::prune::{combined_mask, PruningType};
    const OP: &str = "PruningContainer.compute_mask";
    let how = match (pruning_type, dim) {
        ("unstructured", _) => PruningType::Unstructured,
        ("structured", Some(dim)) => PruningType::Structured { dim },
        ("structured", None) => {
            return Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "{OP}: a method of PRUNING_TYPE 'structured' needs the attribute `dim`"
            )))
        }
        ("global", _) => PruningType::Global,
        _ => {
            return Err(crate::Error::new(
                ErrorKind::Argument,
                format!("{OP}: unrecognized PRUNING_TYPE {pruning_type:?}"),
            )
            .into())
        }
    };
    let scores = crate::python::args::tensor_values(OP, t)?;
    let default_mask = crate::python::args::tensor_values(OP, default_mask)?;
    combined_mask(&scores, &default_mask, how, compute_mask_of(compute))
        .map_err(super::hooks::restore)
}

/// _prune_global(tensors, default_masks, compute)
/// --
///
/// `prune.global_unstructured`'s masks, one per tensor: `compute` (an
/// unstructured method's `compute_mask`) on all of them as one.
#[pyfunction]
#[pyo3(name = "_prune_global")]
pub(crate) fn prune_global(
    tensors: Vec<Bound<'_, PyAny>>,
    default_masks: Vec<Bound<'_, PyAny>>,
    compute: &Bound<'_, PyAny>,
) -> PyResult<Vec<crate::Tensor>> {
    const OP: &str = "global_unstructured";
    let values = |items: &[Bound<'_, PyAny>]| -> PyResult<Vec<crate::Tensor>> {
        items
            .iter()
            .map(|t| crate::python::args::tensor_values(OP, t))
            .collect()
    };
    let (tensors, default_masks) = (values(&tensors)?, values(&default_masks)?);
    crate::nn::prune::global_masks(
        &tensors.iter().collect::<Vec<_>>(),
        &default_masks.iter().collect::<Vec<_>>(),
        compute_mask_of(compute),
    )
    .map_err(super::hooks::restore)
}

/// The running mean after one more model (`swa_utils.get_swa_avg_fn`'s
/// update); `averaged` and `current` are tensors or Variables' values.
#[pyfunction]
#[pyo3(name = "_swa_averaged")]
pub(crate) fn swa_averaged(
    averaged: TensorArg<'_>,
    current: TensorArg<'_>,
    num_averaged: i64,
) -> PyResult<crate::Tensor> {
    Ok(crate::optim::swa::swa_averaged(
        averaged.get(),
        current.get(),
        num_averaged,
    )?)
}

/// The moving average after one more model (`get_ema_avg_fn`'s update).
#[pyfunction]
#[pyo3(name = "_ema_averaged")]
pub(crate) fn ema_averaged(
    ema: TensorArg<'_>,
    current: TensorArg<'_>,
    decay: f64,
) -> PyResult<crate::Tensor> {
    Ok(crate::optim::swa::ema_averaged(
        ema.get(),
        current.get(),
        decay,
    )?)
}

/// `current` folded into `averaged` in place after `n_averaged` models
/// (`AveragedModel.update_parameters`' built-in rules): copied the first
/// time, then the running mean, or the moving average with `decay`.
#[pyfunction]
#[pyo3(name = "_update_average_", signature = (averaged, current, n_averaged, decay=None))]
pub(crate) fn update_average_(
    averaged: Vec<TensorArg<'_>>,
    current: Vec<TensorArg<'_>>,
    n_averaged: i64,
    decay: Option<f64>,
) -> PyResult<()> {
    use crate::optim::swa::AverageRule;
    let (averaged, current) = (tensors(&averaged), tensors(&current));
    let rule = decay.map_or(AverageRule::Swa, |decay| AverageRule::Ema { decay });
    Ok(crate::optim::swa::update_average_(
        &averaged, &current, n_averaged, rule,
    )?)
}

/// The running mean in place as `get_swa_multi_avg_fn` computes it (a
/// lerp for floating tensors).
#[pyfunction]
#[pyo3(name = "_swa_lerp_")]
pub(crate) fn swa_lerp_(
    averaged: Vec<TensorArg<'_>>,
    current: Vec<TensorArg<'_>>,
    num_averaged: i64,
) -> PyResult<()> {
    let (averaged, current) = (tensors(&averaged), tensors(&current));
    Ok(crate::optim::swa::swa_lerp_(
        &averaged,
        &current,
        num_averaged,
    )?)
}

/// An Argument error unless `decay` is in [0, 1] (the EMA factories check
/// it when made, as PyTorch's).
#[pyfunction]
#[pyo3(name = "_check_decay")]
pub(crate) fn check_decay(decay: f64) -> PyResult<()> {
    Ok(crate::optim::swa::check_decay(decay)?)
}

/// The moving average in place (`get_ema_multi_avg_fn`'s update).
#[pyfunction]
#[pyo3(name = "_ema_average_")]
pub(crate) fn ema_average_(
    ema: Vec<TensorArg<'_>>,
    current: Vec<TensorArg<'_>>,
    decay: f64,
) -> PyResult<()> {
    let (ema, current) = (tensors(&ema), tensors(&current));
    Ok(crate::optim::swa::ema_average_(&ema, &current, decay)?)
}

/// One L-BFGS step over a param group (torch's dict), its state in `state`
/// (torch's `state[params[0]]`, updated in place); `closure` re-evaluates
/// the loss. Returns the closure's first result.
#[pyfunction]
#[pyo3(name = "_lbfgs_step")]
pub(crate) fn lbfgs_step<'py>(
    py: Python<'py>,
    group: &Bound<'py, PyAny>,
    state: &Bound<'py, PyDict>,
    closure: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::python::guard::run("lbfgs_step", move || {
        let options = options_of(LBFGSOptions::default(), group)?;
        let params: Vec<crate::Variable> = (params_of("LBFGS", group)?.iter())
            .map(|p| p.get().inner.clone())
            .collect();
        let saved = value::from_py(state.as_any(), "LBFGS.step", "the state")?;
        let mut lbfgs_state = crate::optim::lbfgs::state_from_value(&saved)?;
        // The closure's first result is returned as it is; a Python error
        // inside it comes out unchanged.
        let mut first: Option<Bound<'py, PyAny>> = None;
        let mut raised: Option<PyErr> = None;
        let float = py.get_type::<pyo3::types::PyFloat>();
        let mut call = || -> crate::Result<f64> {
            let result = closure.call0().and_then(|loss| {
                let value = float.call1((&loss,))?.extract::<f64>()?;
                first.get_or_insert(loss);
                Ok(value)
            });
            result.map_err(|e| {
                raised = Some(e);
                crate::Error::new(ErrorKind::Argument, "LBFGS.step: the closure raised")
            })
        };
        let outcome = crate::optim::lbfgs_step(&options, &params, &mut lbfgs_state, &mut call);
        if let Some(e) = raised {
            return Err(e);
        }
        outcome?;
        let new_state = value::to_py(py, crate::optim::lbfgs::state_to_value(&lbfgs_state))?;
        state.clear();
        state.update(new_state.cast::<PyDict>()?.as_mapping())?;
        Ok(first.unwrap_or_else(|| py.None().into_bound(py)))
    })
}

/// An L-BFGS state (torch's `state[params[0]]`) checked and in flodl's
/// kinds, for `load_state_dict`.
#[pyfunction]
#[pyo3(name = "_lbfgs_state")]
pub(crate) fn lbfgs_state<'py>(
    py: Python<'py>,
    state: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::python::guard::run("lbfgs_state", move || {
        let saved = value::from_py(state, "LBFGS.load_state_dict", "the state")?;
        let parsed = crate::optim::lbfgs::state_from_value(&saved)?;
        value::to_py(py, crate::optim::lbfgs::state_to_value(&parsed))
    })
}

/// Clamps `grads` into `[-clip_value, clip_value]` in place
/// (`clip_grad_value_`).
#[pyfunction]
#[pyo3(name = "_clip_grads_value")]
pub(crate) fn clip_grads_value(grads: Vec<TensorArg<'_>>, clip_value: f64) -> PyResult<()> {
    crate::python::guard::run("clip_grad_value_", move || {
        Ok(crate::nn::utils::clip_grads_value_(
            &tensors(&grads),
            clip_value,
        )?)
    })
}

/// `parameters_to_vector`: Variables give a Variable (differentiable),
/// Tensors (gradients) a Tensor.
#[pyfunction]
#[pyo3(name = "_parameters_to_vector")]
pub(crate) fn parameters_to_vector(
    py: Python<'_>,
    parameters: Vec<Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let op = "parameters_to_vector";
    let mut variables = Vec::with_capacity(parameters.len());
    let mut all_tensors = true;
    for p in &parameters {
        if let Some(v) = crate::python::args::as_variable(p) {
            variables.push(v.get().inner.clone());
            all_tensors = false;
        } else if let Some(t) = crate::python::args::plain_tensor(p) {
            variables.push(crate::Variable::new(t.get().inner.clone(), false)?);
        } else {
            let got = crate::python::args::type_name(p);
            let message = format!("{op}: expected tensors, got a {got}");
            return Err(crate::Error::new(crate::ErrorKind::Argument, message).into());
        }
    }
    let vector = crate::python::guard::run(op, || {
        Ok(crate::nn::utils::parameters_to_vector(&variables)?)
    })?;
    match all_tensors {
        true => Ok(vector.data().into_pyobject(py)?.into_any().unbind()),
        false => Ok(vector.into_pyobject(py)?.into_any().unbind()),
    }
}

/// `vector_to_parameters(vec, parameters)`.
#[pyfunction]
#[pyo3(name = "_vector_to_parameters")]
pub(crate) fn vector_to_parameters(
    vec: &Bound<'_, PyAny>,
    parameters: Vec<crate::python::args::VariableArg<'_>>,
) -> PyResult<()> {
    use crate::python::args::PyOperand as _;
    let op = "vector_to_parameters";
    let values = crate::python::args::tensor_values(op, vec)?;
    let params: Vec<crate::Variable> = parameters.iter().map(|p| p.get().clone()).collect();
    crate::python::guard::run(op, move || {
        Ok(crate::nn::utils::vector_to_parameters(&values, &params)?)
    })
}
