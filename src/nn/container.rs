//! Containers: `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`,
//! `ParameterDict`, and parameter-name prefixes.

use super::{Module, Parameter};
use crate::error::{bail, Result};
use crate::{Tensor, Variable};

/// Modules applied in order, named "0", "1", ... as `torch.nn.Sequential`.
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    pub fn new() -> Self {
        Sequential::default()
    }

    /// Appends a module.
    #[allow(clippy::should_implement_trait)] // a builder step, not `+`
    pub fn add(mut self, module: impl Module + 'static) -> Self {
        self.layers.push(Box::new(module));
        self
    }

    /// The number of modules.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

impl Module for Sequential {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        let mut x = input.clone();
        for layer in &self.layers {
            x = layer.forward(&x)?;
        }
        Ok(x)
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        prefixed(self.layers.iter().enumerate(), |m| m.named_parameters())
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        prefixed(self.layers.iter().enumerate(), |m| m.named_buffers())
    }
    /// Each module's parameters then buffers, module by module, as PyTorch
    /// orders a state dict.
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        prefixed_state(self.layers.iter().enumerate())
    }
    fn set_training(&self, training: bool) {
        for layer in &self.layers {
            layer.set_training(training);
        }
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        let layers = self.layers.iter().enumerate();
        layers.map(|(i, m)| (i.to_string(), m.as_ref())).collect()
    }
}

/// Modules kept in a list and named "0", "1", ..., as `torch.nn.ModuleList`:
/// their parameters belong to the owner, which calls them as it likes (it
/// has no `forward` of its own).
#[derive(Default)]
pub struct ModuleList {
    modules: Vec<Box<dyn Module>>,
}

impl ModuleList {
    pub fn new() -> Self {
        ModuleList::default()
    }

    /// Appends a module.
    pub fn push(&mut self, module: impl Module + 'static) {
        self.modules.push(Box::new(module));
    }

    /// The module at `index`.
    pub fn get(&self, index: usize) -> Option<&dyn Module> {
        self.modules.get(index).map(|m| m.as_ref())
    }

    /// The modules, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Module> {
        self.modules.iter().map(|m| m.as_ref())
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }
}

impl Module for ModuleList {
    /// A list has no forward: an Argument error (call its modules).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "ModuleList: has no forward; call its modules (get(i), iter())"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        prefixed(self.modules.iter().enumerate(), |m| m.named_parameters())
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        prefixed(self.modules.iter().enumerate(), |m| m.named_buffers())
    }
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        prefixed_state(self.modules.iter().enumerate())
    }
    fn set_training(&self, training: bool) {
        for module in &self.modules {
            module.set_training(training);
        }
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        let modules = self.modules.iter().enumerate();
        modules.map(|(i, m)| (i.to_string(), m.as_ref())).collect()
    }
    /// Runs of equal modules print once, as PyTorch's.
    fn repr(&self) -> String {
        if self.modules.is_empty() {
            return "ModuleList()".to_string();
        }
        let reprs: Vec<String> = self.modules.iter().map(|m| m.repr()).collect();
        super::list_repr(&reprs)
    }
}

/// Modules kept by name, in insertion order, as `torch.nn.ModuleDict`:
/// their parameters are named `name.param`; the owner calls them as it
/// likes (it has no `forward` of its own).
#[derive(Default)]
pub struct ModuleDict {
    modules: Vec<(String, Box<dyn Module>)>,
}

impl ModuleDict {
    pub fn new() -> Self {
        ModuleDict::default()
    }

    /// Adds `module` under `name`, replacing (in its place) a module of
    /// that name, as assigning to a key does in PyTorch. A name with a dot
    /// or an empty one is an Argument error, as PyTorch refuses it.
    pub fn insert(&mut self, name: &str, module: impl Module + 'static) -> Result<()> {
        insert_named(
            "ModuleDict",
            "module",
            &mut self.modules,
            name,
            Box::new(module),
        )
    }

    /// The module named `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Module> {
        self.modules
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_ref())
    }

    /// Removes and returns the module named `name`.
    pub fn remove(&mut self, name: &str) -> Option<Box<dyn Module>> {
        let at = self.modules.iter().position(|(n, _)| n == name)?;
        Some(self.modules.remove(at).1)
    }

    /// The names, in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.modules.iter().map(|(n, _)| n.as_str())
    }

    /// `(name, module)` pairs, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &dyn Module)> {
        self.modules.iter().map(|(n, m)| (n.as_str(), m.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }
}

impl Module for ModuleDict {
    /// A dict has no forward: an Argument error (call its modules).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "ModuleDict: has no forward; call its modules (get(name), iter())"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let named = self.modules.iter().map(|(n, m)| (n, m));
        prefixed(named, |m| m.named_parameters())
    }
    fn named_buffers(&self) -> Vec<(String, Variable)> {
        let named = self.modules.iter().map(|(n, m)| (n, m));
        prefixed(named, |m| m.named_buffers())
    }
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        prefixed_state(self.modules.iter().map(|(n, m)| (n, m)))
    }
    fn set_training(&self, training: bool) {
        for (_, module) in &self.modules {
            module.set_training(training);
        }
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        let modules = self.modules.iter();
        modules.map(|(n, m)| (n.clone(), m.as_ref())).collect()
    }
}

/// Puts `value` under `name` in a dict container's entries (in its place if
/// the name is there); a name with a dot or an empty one is an Argument
/// error, as PyTorch refuses it.
fn insert_named<T>(
    container: &str,
    what: &str,
    entries: &mut Vec<(String, T)>,
    name: &str,
    value: T,
) -> Result<()> {
    if name.is_empty() || name.contains('.') {
        bail!(
            Argument,
            "{container}: a {what} name must be non-empty and without \".\", got {name:?}"
        );
    }
    match entries.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => entries.push((name.to_string(), value)),
    }
    Ok(())
}

/// Parameters kept in a list and named "0", "1", ..., as
/// `torch.nn.ParameterList`: the owner uses them as it likes.
#[derive(Default)]
pub struct ParameterList {
    params: Vec<Parameter>,
}

impl ParameterList {
    pub fn new() -> Self {
        ParameterList::default()
    }

    /// Appends a parameter (a Variable; one that requires no grad stays so,
    /// as in PyTorch, where `requires_grad=False` parameters are kept).
    pub fn push(&mut self, param: Parameter) {
        self.params.push(param);
    }

    /// The parameter at `index`.
    pub fn get(&self, index: usize) -> Option<&Parameter> {
        self.params.get(index)
    }

    /// The parameters, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Parameter> {
        self.params.iter()
    }

    pub fn len(&self) -> usize {
        self.params.len()
    }

    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

impl Module for ParameterList {
    /// A list has no forward: an Argument error (use its parameters).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "ParameterList: has no forward; use its parameters (get(i), iter())"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        let named = self.params.iter().enumerate();
        named.map(|(i, p)| (i.to_string(), p.clone())).collect()
    }
    fn extra_repr(&self) -> String {
        let lines = self.params.iter().enumerate();
        let lines = lines
            .map(|(i, p)| parameter_line(&i.to_string(), p, |d, _| format!("flodl.{}", d.name())));
        lines.collect::<Vec<_>>().join("\n")
    }
}

/// One parameter of a `ParameterList` or `ParameterDict` as PyTorch's
/// `extra_repr` lists it, `typename` naming its type: indented by two
/// spaces of its own, so the repr shows four.
fn parameter_line(
    key: &str,
    p: &Parameter,
    typename: impl Fn(crate::DType, crate::Device) -> String,
) -> String {
    let shape: Vec<String> = p.shape().iter().map(i64::to_string).collect();
    let device = match p.device() {
        crate::Device::CUDA(_) => format!(" ({})", p.device()),
        crate::Device::CPU => String::new(),
    };
    format!(
        "  ({key}): Parameter containing: [{} of size {}{device}]",
        typename(p.dtype(), p.device()),
        shape.join("x")
    )
}

/// Parameters kept by name, in insertion order, as
/// `torch.nn.ParameterDict`.
#[derive(Default)]
pub struct ParameterDict {
    params: Vec<(String, Parameter)>,
}

impl ParameterDict {
    pub fn new() -> Self {
        ParameterDict::default()
    }

    /// Adds `param` under `name`, replacing (in its place) one of that name;
    /// a name with a dot or an empty one is an Argument error.
    pub fn insert(&mut self, name: &str, param: Parameter) -> Result<()> {
        insert_named("ParameterDict", "parameter", &mut self.params, name, param)
    }

    /// The parameter named `name`.
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// `(name, parameter)` pairs, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Parameter)> {
        self.params.iter().map(|(n, p)| (n.as_str(), p))
    }

    pub fn len(&self) -> usize {
        self.params.len()
    }

    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

impl Module for ParameterDict {
    /// A dict has no forward: an Argument error (use its parameters).
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "ParameterDict: has no forward; use its parameters (get(name), iter())"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        self.params.clone()
    }
    fn extra_repr(&self) -> String {
        let lines = self.params.iter();
        let lines = lines.map(|(k, p)| parameter_line(k, p, crate::dtype::legacy_type_name));
        lines.collect::<Vec<_>>().join("\n")
    }
}

/// `named` with `prefix.` before each name: what a module does with its
/// submodules' parameters (`fc` and `weight` make `fc.weight`).
pub fn with_prefix<V>(prefix: &str, named: Vec<(String, V)>) -> Vec<(String, V)> {
    named
        .into_iter()
        .map(|(n, v)| (format!("{prefix}.{n}"), v))
        .collect()
}

/// Each submodule's state dict with its key (index or name) and `.` before
/// the names, module by module (parameters then buffers of each), as
/// PyTorch orders it.
fn prefixed_state<'a, K: std::fmt::Display>(
    modules: impl Iterator<Item = (K, &'a Box<dyn Module>)>,
) -> Vec<(String, Tensor)> {
    modules
        .flat_map(|(i, m)| {
            m.state_dict()
                .into_iter()
                .map(move |(n, t)| (format!("{i}.{n}"), t))
        })
        .collect()
}

/// Each submodule's named values with its key (index or name) and `.`
/// before the names.
fn prefixed<'a, K: std::fmt::Display>(
    modules: impl Iterator<Item = (K, &'a Box<dyn Module>)>,
    values: impl Fn(&dyn Module) -> Vec<(String, Variable)>,
) -> Vec<(String, Variable)> {
    modules
        .flat_map(|(i, m)| {
            values(m.as_ref())
                .into_iter()
                .map(move |(n, v)| (format!("{i}.{n}"), v))
        })
        .collect()
}
