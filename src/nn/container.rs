//! Containers: `Sequential`, `ModuleList`, and parameter-name prefixes.

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
}

/// `named` with `prefix.` before each name: what a module does with its
/// submodules' parameters (`fc` and `weight` make `fc.weight`).
pub fn with_prefix<V>(prefix: &str, named: Vec<(String, V)>) -> Vec<(String, V)> {
    named
        .into_iter()
        .map(|(n, v)| (format!("{prefix}.{n}"), v))
        .collect()
}

/// Each submodule's state dict with `index.` before the names, module by
/// module (parameters then buffers of each), as PyTorch orders it.
fn prefixed_state<'a>(
    modules: impl Iterator<Item = (usize, &'a Box<dyn Module>)>,
) -> Vec<(String, Tensor)> {
    modules
        .flat_map(|(i, m)| {
            m.state_dict()
                .into_iter()
                .map(move |(n, t)| (format!("{i}.{n}"), t))
        })
        .collect()
}

/// Each submodule's named values with `index.` before the names.
fn prefixed<'a>(
    modules: impl Iterator<Item = (usize, &'a Box<dyn Module>)>,
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
