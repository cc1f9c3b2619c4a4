//! Forward-mode AD, as `torch.autograd.forward_ad`: within a [`DualLevel`],
//! a Variable made by [`make_dual`] carries a tangent (a direction) through
//! every op, and [`unpack_dual`] reads a result's primal and tangent, the
//! Jacobian-vector product, in one forward pass. libtorch keeps one level
//! at a time; [`crate::func::jvp`] is the one-call form.

use crate::error::{bail, Result};
use crate::func::{Level, Maybe};
use crate::ops::run;
use crate::{Operand, Tensor, Variable};

/// An open forward-AD level; dropping it closes the level (its tangents go
/// with it).
#[derive(Debug)]
pub struct DualLevel {
    level: u64,
}

impl DualLevel {
    /// Opens a level: an Autograd error while another is open (libtorch
    /// nests none).
    pub fn enter() -> Result<DualLevel> {
        Ok(DualLevel {
            level: enter_level()?,
        })
    }

    /// libtorch's index of this level.
    pub fn level(&self) -> u64 {
        self.level
    }
}

impl Drop for DualLevel {
    fn drop(&mut self) {
        // Exiting the innermost level cannot fail; if libtorch refused, its
        // tangents would only stay alive longer.
        let _exited = exit_level(self.level);
    }
}

/// Opens a level without a guard (the Python bindings' `enter_dual_level`).
pub(crate) fn enter_level() -> Result<u64> {
    let Level(level) = run("enter_dual_level", &[], || {
        crate::ffi::enter_dual_level().map(Level)
    })?;
    Ok(level)
}

/// Closes level `level` (the innermost).
pub(crate) fn exit_level(level: u64) -> Result<()> {
    let Level(_) = run("exit_dual_level", &[], || {
        crate::ffi::exit_dual_level(level).map(|()| Level(level))
    })?;
    Ok(())
}

/// `primal` carrying `tangent` (its shape, floating point) at `level`: a
/// view of `primal` whose ops carry the tangent along, backward through it
/// as through `primal`.
pub fn make_dual(primal: &Variable, tangent: &Tensor, level: &DualLevel) -> Result<Variable> {
    make_dual_at(primal, tangent, level.level)
}

pub(crate) fn make_dual_at(primal: &Variable, tangent: &Tensor, level: u64) -> Result<Variable> {
    let op = "make_dual";
    check_dual(op, None, (&primal.shape(), primal.dtype()), tangent)?;
    run(op, &[primal.raw(), tangent.raw()], || {
        crate::ffi::make_dual(primal.raw(), tangent.raw(), level)
    })
}

/// What a dual's parts must be: one shape, floating dtypes. `pair` numbers
/// the pair in the message when `op` takes several (`jvp`'s "tangent 1").
pub(crate) fn check_dual(
    op: &str,
    pair: Option<usize>,
    (shape, dtype): (&[i64], crate::DType),
    tangent: &Tensor,
) -> Result<()> {
    let name = |what: &str| match pair {
        Some(i) => format!("{what} {i}"),
        None => format!("the {what}"),
    };
    if shape != tangent.shape() {
        bail!(
            Shape,
            "{op}: {} has shape {:?}, {} {shape:?}",
            name("tangent"),
            tangent.shape(),
            if pair.is_some() {
                "its primal"
            } else {
                "the primal"
            }
        );
    }
    for (what, dtype) in [("primal", dtype), ("tangent", tangent.dtype())] {
        if !dtype.is_differentiable() {
            bail!(
                DType,
                "{op}: {} is {}; forward mode needs floating point or complex",
                name(what),
                dtype.name()
            );
        }
    }
    Ok(())
}

/// `dual`'s primal (a view without the tangent, in the backward graph as
/// `dual`) and its tangent at `level` (None: it carries none), itself in
/// the backward graph when what made it is (reverse over forward).
pub fn unpack_dual(dual: &Variable, level: &DualLevel) -> Result<(Variable, Option<Variable>)> {
    unpack_dual_at(dual, level.level)
}

pub(crate) fn unpack_dual_at(dual: &Variable, level: u64) -> Result<(Variable, Option<Variable>)> {
    let op = "unpack_dual";
    let primal: Variable = run(op, &[dual.raw()], || {
        dual.raw().f_internal_fw_primal(level as i64)
    })?;
    let Maybe(tangent) = run(op, &[dual.raw()], || {
        crate::ffi::unpack_dual(dual.raw(), level).map(Maybe)
    })?;
    Ok((primal, tangent.map(Variable::from_raw)))
}
