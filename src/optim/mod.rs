//! Optimizers, as `torch.optim`: [`SGD`], [`Adam`], [`AdamW`], [`RMSprop`],
//! [`Adagrad`], [`Adadelta`], [`Adamax`], [`RAdam`], [`NAdam`], [`Rprop`],
//! [`ASGD`] and [`LBFGS`] over
//! parameter groups, each step one call per group into libtorch (fused
//! kernels where libtorch has them), with the state (`exp_avg`,
//! `momentum_buffer`, ...) and the `state_dict` layout PyTorch keeps.
//! Python's `flodl.optim` classes call the same code ([`step_group`]), so
//! an update rule is written once. Schedulers are in [`lr_scheduler`].
//!
//! ```no_run
//! # fn main() -> flodl::Result<()> {
//! use flodl::{optim, Tensor, Variable};
//! let w = Variable::new(Tensor::randn(&[3], flodl::TensorOptions::default())?, true)?;
//! let mut opt = optim::Adam::new(vec![w.clone()], optim::AdamOptions { lr: 1e-2, ..Default::default() })?;
//! for _ in 0..10 {
//!     opt.zero_grad();
//!     w.mul(&w)?.sum()?.backward()?;
//!     opt.step()?;
//! }
//! # Ok(()) }
//! ```

pub(crate) mod lbfgs;
pub mod lr_scheduler;
mod methods;
pub mod swa;

pub use lbfgs::{lbfgs_step, LBFGSOptions, LbfgsState, LBFGS};
#[cfg(feature = "python")]
pub(crate) use methods::with_optimizer_named;
pub use methods::{
    ASGDOptions, AdadeltaOptions, AdagradOptions, AdamOptions, AdamWOptions, AdamaxOptions, Method,
    NAdamOptions, OptionValue, RAdamOptions, RMSpropOptions, RpropOptions, SGDOptions,
};

use crate::error::{bail, ensure, Result};
use crate::{Key, Operand, Tensor, Value, Variable};

/// An optimizer's options as PyTorch's param-group entries (declared for
/// each optimizer by one `options!` table in methods.rs).
pub trait Options: Clone + std::fmt::Debug {
    /// The optimizer's name, for errors.
    const NAME: &'static str;
    /// The learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (what a scheduler does).
    fn set_lr(&mut self, lr: f64);
    /// Every option as `(PyTorch's name, value)`, in PyTorch's order.
    fn to_values(&self) -> Vec<(&'static str, Value)>;
    /// Sets the option `name`: false for a name these options do not have
    /// (PyTorch's `foreach`, `fused`, a scheduler's `initial_lr`, ...), an
    /// ArgumentError for a value of the wrong kind.
    fn set(&mut self, name: &str, value: &Value) -> Result<bool>;
}

/// Parameters that share options (a learning rate, ...).
#[derive(Debug, Clone)]
pub struct ParamGroup<O> {
    pub params: Vec<Variable>,
    pub options: O,
    /// Entries that are no option, as a scheduler writes them into PyTorch's
    /// group dicts (`initial_lr`, OneCycleLR's `max_lr`, ...): kept in the
    /// state dict and restored from it, so a checkpoint resumes in Python too.
    pub extra: Vec<(String, Value)>,
}

impl<O> ParamGroup<O> {
    /// Sets the entry `name` of [`extra`](Self::extra) (in its place, or
    /// appended).
    pub fn set_extra(&mut self, name: &str, value: Value) {
        match self.extra.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.extra.push((name.to_string(), value)),
        }
    }
}

/// One state tensor an update rule keeps per parameter: its name
/// (PyTorch's `optimizer.state[p]` key), the list it fills in the kernel
/// call (after params and grads) and how it starts. The shim checks the
/// same lists (`like_param`, `counter_lists` in csrc/optim.cpp).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateSlot {
    pub name: &'static str,
    list: usize,
    start: Start,
}

/// How a state tensor starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// This value everywhere, like the parameter (in both parts of a
    /// complex one, as torch's Adagrad and Rprop, which step its real view).
    Fill(f64),
    /// A counter (a step, a product): a float32 0-d tensor with this value
    /// on the parameter's device.
    Counter(f64),
}

impl StateSlot {
    const fn zeros(name: &'static str, list: usize) -> Self {
        Self::filled(name, list, 0.0)
    }

    const fn filled(name: &'static str, list: usize, value: f64) -> Self {
        StateSlot {
            name,
            list,
            start: Start::Fill(value),
        }
    }

    const fn counter(name: &'static str, list: usize, value: f64) -> Self {
        StateSlot {
            name,
            list,
            start: Start::Counter(value),
        }
    }

    /// The shape its tensor has for `param`.
    fn shape(&self, param: &tch::Tensor) -> Vec<i64> {
        match self.start {
            Start::Fill(_) => param.size(),
            Start::Counter(_) => Vec::new(),
        }
    }

    fn make(&self, param: &tch::Tensor) -> std::result::Result<tch::Tensor, tch::TchError> {
        match self.start {
            Start::Fill(value) => {
                let filled = param.f_full_like(value)?;
                if filled.f_is_complex()? {
                    let _ = filled.f_view_as_real()?.f_fill_(value)?;
                }
                Ok(filled)
            }
            Start::Counter(value) => {
                tch::Tensor::f_full([] as [i64; 0], value, (tch::Kind::Float, param.device()))
            }
        }
    }
}

/// The named state of one parameter, as `optimizer.state[p]`.
pub(crate) type ParamState = Vec<(&'static str, tch::Tensor)>;

/// One parameter's part in a step: the parameter, its gradient and its
/// named state (made here if missing).
pub(crate) type StepMember<'a> = (&'a tch::Tensor, &'a tch::Tensor, &'a mut ParamState);

/// One update of the parameters of one group that have a gradient: missing
/// state is made as `options` lays it out, then the kernel runs once for
/// first steps and once for the others. The one step of flodl's
/// optimizers, Rust's and Python's.
/// `scaling` is GradScaler's scale and inf flag for a fused kernel, which
/// then unscales the gradients and skips the update on inf itself.
pub(crate) fn step_group<M: Method>(
    op: &str,
    options: &M,
    members: &mut [StepMember<'_>],
    scaling: crate::ffi::Scaling<'_>,
) -> Result<()> {
    let layout = options.state_layout();
    // Whether each parameter's state is new.
    let fresh = (members.iter_mut())
        .map(|(param, _, state)| init_state(op, &layout, param, state))
        .collect::<Result<Vec<bool>>>()?;
    // First steps and later ones in separate calls (SGD's momentum buffer
    // starts differently); usually only one of them runs.
    for first in [true, false] {
        let chosen: Vec<&StepMember<'_>> = (members.iter().zip(&fresh))
            .filter(|(_, &f)| f == first)
            .map(|(m, _)| m)
            .collect();
        if chosen.is_empty() {
            continue;
        }
        let mut lists: [Vec<&tch::Tensor>; 6] = Default::default();
        lists[0] = chosen.iter().map(|m| m.0).collect();
        lists[1] = chosen.iter().map(|m| m.1).collect();
        for slot in &layout {
            lists[slot.list] = chosen
                .iter()
                .filter_map(|m| m.2.iter().find(|(n, _)| *n == slot.name))
                .map(|(_, t)| t)
                .collect();
        }
        let (method, hyper) = options.kernel(first);
        let refs: [&[&tch::Tensor]; 6] = std::array::from_fn(|i| lists[i].as_slice());
        crate::ops::run_opt::<(), (), _>(op, &[], || {
            crate::ffi::optim_step(method, refs, &hyper, scaling)
        })?;
    }
    Ok(())
}

/// Makes the state of `layout` that `state` lacks for `param`; true if
/// anything was made (the parameter's first step).
pub(crate) fn init_state(
    op: &str,
    layout: &[StateSlot],
    param: &tch::Tensor,
    state: &mut ParamState,
) -> Result<bool> {
    let mut made = false;
    for slot in layout {
        if !state.iter().any(|(n, _)| *n == slot.name) {
            let tensor = slot
                .make(param)
                .map_err(|e| crate::Error::from_torch(op, "", e))?;
            state.push((slot.name, tensor));
            made = true;
        }
    }
    Ok(made)
}

/// Checks a saved state tensor (or number) `value` of `slot` for `param`
/// and gives the tensor the kernels take: a copy on the parameter's device,
/// in its dtype (float32 for counters). `what` names it in errors.
pub(crate) fn loaded_state(
    slot: &StateSlot,
    param: &tch::Tensor,
    value: &Value,
    what: &str,
) -> std::result::Result<tch::Tensor, String> {
    let expected = slot.shape(param);
    let saved = match value {
        Value::Tensor(t) => t.raw().shallow_clone(),
        // A counter saved as a number (older PyTorch checkpoints).
        Value::Float(_) | Value::Int(_) if expected.is_empty() => {
            let x = value.as_f64().unwrap_or_default();
            tch::Tensor::from(x)
        }
        other => return Err(format!("{what} must be a tensor, got {}", other.kind())),
    };
    let shape = saved.size();
    let fits = shape == expected || (expected.is_empty() && saved.numel() == 1);
    if !fits {
        return Err(format!(
            "{what} has shape {shape:?}, its parameter's state {expected:?}"
        ));
    }
    // The kernels' layout: a fresh tensor as the slot makes it, then the
    // saved values copied in (cast and moved as needed).
    let target = slot.make(param).map_err(|e| format!("{what}: {e}"))?;
    let mut copy = target.shallow_clone();
    copy.f_copy_(
        &saved
            .f_reshape(expected)
            .map_err(|e| format!("{what}: {e}"))?,
    )
    .map_err(|e| format!("{what}: {e}"))?;
    Ok(target)
}

/// An optimizer over parameter groups with the update rule `M`.
#[derive(Debug)]
pub struct Optimizer<M: Method> {
    groups: Vec<ParamGroup<M>>,
    /// Per group, per parameter: its named state tensors.
    state: Vec<Vec<ParamState>>,
}

/// Stochastic gradient descent (momentum, Nesterov, weight decay).
pub type SGD = Optimizer<SGDOptions>;
/// Adam (L2 weight decay added to the gradient).
pub type Adam = Optimizer<AdamOptions>;
/// AdamW: Adam with decoupled weight decay.
pub type AdamW = Optimizer<AdamWOptions>;
/// RMSprop (centered, momentum).
pub type RMSprop = Optimizer<RMSpropOptions>;
/// Adagrad.
pub type Adagrad = Optimizer<AdagradOptions>;
/// Adadelta.
pub type Adadelta = Optimizer<AdadeltaOptions>;
/// Adamax (Adam on the infinity norm).
pub type Adamax = Optimizer<AdamaxOptions>;
/// RAdam (rectified Adam).
pub type RAdam = Optimizer<RAdamOptions>;
/// NAdam (Adam with Nesterov momentum).
pub type NAdam = Optimizer<NAdamOptions>;
/// Rprop (resilient backpropagation: a step size per element, grown while
/// the gradient keeps its sign, shrunk where it flips).
pub type Rprop = Optimizer<RpropOptions>;
/// ASGD (averaged stochastic gradient descent).
pub type ASGD = Optimizer<ASGDOptions>;

impl<M: Method> Optimizer<M> {
    /// An optimizer of one group: `params` with `options`. Each parameter
    /// must be a leaf that requires grad, and appear once.
    pub fn new(params: impl IntoIterator<Item = Variable>, options: M) -> Result<Self> {
        let mut optimizer = Optimizer {
            groups: Vec::new(),
            state: Vec::new(),
        };
        optimizer.add_param_group(params, options)?;
        Ok(optimizer)
    }

    /// Adds a group of parameters with their own options.
    pub fn add_param_group(
        &mut self,
        params: impl IntoIterator<Item = Variable>,
        options: M,
    ) -> Result<()> {
        let name = M::NAME;
        options.check()?;
        let params: Vec<Variable> = params.into_iter().collect();
        ensure!(
            !params.is_empty(),
            Argument,
            "{name}: got an empty parameter list"
        );
        let mut seen: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|g| g.params.iter().map(|p| crate::ffi::impl_id(p.raw())))
            .collect();
        for (i, p) in params.iter().enumerate() {
            if !p.is_leaf() {
                bail!(
                    Argument,
                    "{name}: parameter {i} ({}) is not a leaf (an optimizer can only update leaves)",
                    crate::ops::describe(p.raw())
                );
            }
            let id = crate::ffi::impl_id(p.raw());
            ensure!(
                !seen.contains(&id),
                Argument,
                "{name}: parameter {i} ({}) appears more than once",
                crate::ops::describe(p.raw())
            );
            seen.push(id);
        }
        let mut states: Vec<ParamState> = params.iter().map(|_| Vec::new()).collect();
        if options.eager_state() {
            let layout = options.state_layout();
            for (p, state) in params.iter().zip(&mut states) {
                init_state(name, &layout, p.raw(), state)?;
            }
        }
        self.state.push(states);
        self.groups.push(ParamGroup {
            params,
            options,
            extra: Vec::new(),
        });
        Ok(())
    }

    /// The parameter groups.
    pub fn param_groups(&self) -> &[ParamGroup<M>] {
        &self.groups
    }

    /// Group `i`, to change (its options, its extra entries).
    pub fn param_group_mut(&mut self, group: usize) -> Option<&mut ParamGroup<M>> {
        self.groups.get_mut(group)
    }

    /// The options of group `i`, to change (a learning rate, ...).
    pub fn options_mut(&mut self, group: usize) -> Option<&mut M> {
        self.groups.get_mut(group).map(|g| &mut g.options)
    }

    /// The learning rate of the first group.
    pub fn lr(&self) -> f64 {
        self.groups[0].options.lr()
    }

    /// Sets every group's learning rate.
    pub fn set_lr(&mut self, lr: f64) {
        for group in &mut self.groups {
            group.options.set_lr(lr);
        }
    }

    /// Resets every parameter's gradient to `None`.
    pub fn zero_grad(&self) {
        for p in self.groups.iter().flat_map(|g| &g.params) {
            p.zero_grad();
        }
    }

    /// One update of every parameter that has a gradient.
    pub fn step(&mut self) -> Result<()> {
        self.step_scaled((None, None))
    }

    /// [`step`](Self::step), with GradScaler's scale and inf flag folded
    /// into a fused kernel (see [`crate::amp::ScaledOptimizer`]).
    pub(crate) fn step_scaled(&mut self, scaling: crate::ffi::Scaling<'_>) -> Result<()> {
        let op = format!("{}.step", M::NAME);
        for (group, states) in self.groups.iter().zip(&mut self.state) {
            let grads: Vec<Option<Tensor>> = group.params.iter().map(Variable::grad).collect();
            let mut members: Vec<StepMember<'_>> = (group.params.iter().zip(&grads))
                .zip(states.iter_mut())
                .filter_map(|((p, g), state)| Some((p.raw(), g.as_ref()?.raw(), state)))
                .collect();
            step_group(&op, &group.options, &mut members, scaling)?;
        }
        Ok(())
    }

    /// PyTorch's `state_dict` layout: `{"state": {i: {name: tensor}},
    /// "param_groups": [{option: value, ..., "params": [i, ...]}]}` with `i`
    /// the parameter's position across the groups. The tensors share memory
    /// with the optimizer's (save or copy them); [`crate::io::save_value`]
    /// writes it, and Python's `flodl.load` reads it as torch's dict.
    pub fn state_dict(&self) -> Value {
        let state = self
            .state
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, state)| !state.is_empty())
            .map(|(i, state)| {
                let entries = state
                    .iter()
                    .map(|(name, t)| (*name, Value::Tensor(Tensor::from_raw(t.shallow_clone()))));
                (Key::from(i), Value::dict(entries))
            })
            .collect();
        let mut next = 0usize;
        let groups = self
            .groups
            .iter()
            .map(|group| {
                let mut entries: Vec<(Key, Value)> = group
                    .options
                    .to_values()
                    .into_iter()
                    .map(|(k, v)| (Key::from(k), v))
                    .collect();
                let extra = group.extra.iter();
                entries.extend(extra.map(|(k, v)| (Key::from(k.as_str()), v.clone())));
                let params = (next..next + group.params.len())
                    .map(|i| Value::Int(i as i64))
                    .collect();
                next += group.params.len();
                entries.push((Key::from("params"), Value::List(params)));
                Value::Dict(entries)
            })
            .collect();
        Value::dict([
            ("state", Value::Dict(state)),
            ("param_groups", Value::List(groups)),
        ])
    }

    /// Loads a [`state_dict`](Self::state_dict) (this optimizer's, Python's
    /// `flodl.optim` or torch's of the same shape): each group's options
    /// (entries that are no option of `M`, as torch's `foreach`, are
    /// ignored) and the state, copied onto each parameter's device, so that
    /// stepping on continues as the saved optimizer would have. Every
    /// problem is listed in one Argument error, and then nothing is loaded.
    pub fn load_state_dict(&mut self, saved: &Value) -> Result<()> {
        let groups: Vec<(M, Vec<&tch::Tensor>)> = (self.groups.iter())
            .map(|g| {
                (
                    g.options.clone(),
                    g.params.iter().map(|p| p.raw()).collect(),
                )
            })
            .collect();
        let (options, loads) = read_state_dict(&groups, saved)?;
        let saved_groups = saved.get("param_groups").and_then(Value::items);
        for (i, (group, options)) in self.groups.iter_mut().zip(options).enumerate() {
            let names: Vec<&str> = options.to_values().into_iter().map(|(n, _)| n).collect();
            group.options = options;
            // What the saved group holds besides its options and params.
            group.extra = match saved_groups.and_then(|g| g.get(i)) {
                Some(Value::Dict(entries)) => entries
                    .iter()
                    .filter_map(|(k, v)| match k {
                        Key::Str(k) if k != "params" && !names.contains(&k.as_str()) => {
                            Some((k.clone(), v.clone()))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
        }
        for states in &mut self.state {
            states.iter_mut().for_each(Vec::clear);
        }
        for (g, i, loaded) in loads {
            self.state[g][i] = loaded;
        }
        Ok(())
    }

    /// The state of `param` (by name, as PyTorch's `optimizer.state[p]`),
    /// empty before its first step or for a parameter not in this optimizer.
    pub fn state(&self, param: &Variable) -> Vec<(&'static str, Tensor)> {
        let id = crate::ffi::impl_id(param.raw());
        let params = self.groups.iter().flat_map(|g| &g.params);
        params
            .zip(self.state.iter().flatten())
            .find(|(p, _)| crate::ffi::impl_id(p.raw()) == id)
            .map(|(_, state)| {
                state
                    .iter()
                    .map(|(n, t)| (*n, Tensor::from_raw(t.shallow_clone())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What a state dict holds, checked against an optimizer with groups of
/// `sizes` parameters: its groups, its state, and where each saved
/// parameter key goes (`(group, position)`).
struct SavedLayout<'a> {
    groups: &'a [Value],
    state: &'a Value,
    places: Vec<(Key, (usize, usize))>,
}

fn saved_layout<'a>(
    fail: &dyn Fn(String) -> crate::Error,
    sizes: &[usize],
    saved: &'a Value,
) -> Result<SavedLayout<'a>> {
    let (Some(state), Some(groups)) = (
        saved.get("state"),
        saved.get("param_groups").and_then(Value::items),
    ) else {
        return Err(fail(
            "expected a dict with 'state' and 'param_groups'".to_string(),
        ));
    };
    if groups.len() != sizes.len() {
        return Err(fail(format!(
            "the state dict has {} parameter groups, the optimizer {}",
            groups.len(),
            sizes.len()
        )));
    }
    let mut places = Vec::new();
    for (g, (size, group)) in sizes.iter().zip(groups).enumerate() {
        if !matches!(group.content(), Value::Dict(_)) {
            return Err(fail(format!("group {g} is {}, not a dict", group.kind())));
        }
        let indices = group.get("params").and_then(Value::items).unwrap_or(&[]);
        if indices.len() != *size {
            return Err(fail(format!(
                "parameter group {g} has {} parameters in the state dict, {size} in the optimizer",
                indices.len(),
            )));
        }
        for (i, index) in indices.iter().enumerate() {
            let key = match index {
                Value::Int(k) => Key::Int(*k),
                Value::Str(s) => Key::Str(s.clone()),
                other => {
                    return Err(fail(format!(
                        "group {g}'s params must be numbers, got {}",
                        other.kind()
                    )))
                }
            };
            places.push((key, (g, i)));
        }
    }
    Ok(SavedLayout {
        groups,
        state,
        places,
    })
}

/// The Argument error of `owner.load_state_dict`.
fn load_failure(owner: &str) -> impl Fn(String) -> crate::Error + '_ {
    move |problem| {
        crate::Error::new(
            crate::ErrorKind::Argument,
            format!("{owner}.load_state_dict: {problem}"),
        )
    }
}

/// Where each saved parameter key of a state dict goes (`(group,
/// position)`) for an optimizer whose update is written elsewhere (a Python
/// subclass of one's own), checked as for flodl's own: as many groups, each
/// of as many parameters. `owner` names the optimizer in errors.
#[cfg(feature = "python")] // only Python has optimizers of one's own
pub(crate) fn generic_places(
    owner: &str,
    sizes: &[usize],
    saved: &Value,
) -> Result<Vec<(Key, (usize, usize))>> {
    Ok(saved_layout(&load_failure(owner), sizes, saved)?.places)
}

/// A loaded state tensor for `param`, as torch's generic load places it: a
/// copy on the parameter's device, of its dtype for a floating parameter
/// (`step` keeps its own).
#[cfg(feature = "python")]
pub(crate) fn placed_state(param: &Tensor, value: &Tensor, step: bool) -> Result<Tensor> {
    if step {
        return value.copy();
    }
    let value = match param.dtype().is_floating_point() {
        true => value.to_dtype(param.dtype())?,
        false => value.clone(),
    };
    value.to_device(param.device())?.copy()
}

/// The options and state a `state_dict` holds for an optimizer whose
/// groups are `groups` (their current options and parameters): per group
/// its options with the saved entries set, and `(group, position, state)`
/// for each parameter with saved state, each tensor checked against its
/// parameter and copied onto it. Rust's and Python's `load_state_dict`.
#[allow(clippy::type_complexity)] // the two halves of a loaded state dict
pub(crate) fn read_state_dict<M: Method>(
    groups: &[(M, Vec<&tch::Tensor>)],
    saved: &Value,
) -> Result<(Vec<M>, Vec<(usize, usize, ParamState)>)> {
    let name = M::NAME;
    let fail = load_failure(name);
    let sizes: Vec<usize> = groups.iter().map(|(_, p)| p.len()).collect();
    let SavedLayout {
        groups: saved_groups,
        state,
        places,
    } = saved_layout(&fail, &sizes, saved)?;
    // The options of each group.
    let mut options = Vec::with_capacity(groups.len());
    for ((current, _), saved) in groups.iter().zip(saved_groups) {
        let Value::Dict(entries) = saved.content() else {
            continue; // saved_layout checked that each group is a dict
        };
        let mut group_options = current.clone();
        for (key, value) in entries {
            if let Key::Str(key) = key {
                if key != "params" {
                    group_options
                        .set(key, value)
                        .map_err(|e| fail(e.message().to_string()))?;
                }
            }
        }
        group_options
            .check()
            .map_err(|e| fail(e.message().to_string()))?;
        options.push(group_options);
    }
    let Value::Dict(state) = state.content() else {
        return Err(fail(format!("'state' is {}, not a dict", state.kind())));
    };
    let mut problems = Vec::new();
    let mut loads = Vec::new();
    for (key, values) in state {
        let Some(&(_, (g, i))) = places.iter().find(|(k, _)| k == key) else {
            problems.push(format!(
                "state {key} belongs to no parameter (there are {})",
                places.len()
            ));
            continue;
        };
        let Value::Dict(values) = values.content() else {
            problems.push(format!("state {key} is {}, not a dict", values.kind()));
            continue;
        };
        let layout = options[g].state_layout();
        let param = groups[g].1[i];
        let mut loaded = ParamState::new();
        for (entry, value) in values {
            let what = format!("state {key} {:?}", entry.to_string());
            if matches!(value, Value::None) {
                continue;
            }
            let Some(slot) = layout.iter().find(|s| Key::from(s.name) == *entry) else {
                problems.push(format!(
                    "{what}: {name} keeps no such state with these options"
                ));
                continue;
            };
            match loaded_state(slot, param, value, &what) {
                Ok(tensor) => loaded.push((slot.name, tensor)),
                Err(problem) => problems.push(problem),
            }
        }
        loads.push((g, i, loaded));
    }
    if !problems.is_empty() {
        return Err(fail(problems.join("; ")));
    }
    Ok((options, loads))
}
