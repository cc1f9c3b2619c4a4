//! `flodl.optim.lr_scheduler`'s classes on Rust's
//! `flodl::optim::lr_scheduler`: each class keeps PyTorch's attributes (its
//! `state_dict`) and asks here for a step's rates, so every formula is
//! Rust's.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::value;
use crate::optim::lr_scheduler::{
    Anneal, At, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, CyclicMode,
    ExponentialLR, LambdaLR, LinearLR, LrLambda, MultiStepLR, MultiplicativeLR, OneCycleLR,
    PolynomialLR, ReduceLROnPlateau, ScaleFn, Schedule, StepLR, WarmRestarts, SWALR,
};
use crate::optim::OptionValue;
use crate::{Error, ErrorKind, Key, Result, Value};

/// A scheduler's attributes, read by PyTorch's names.
struct Args<'a> {
    scheduler: &'a str,
    values: Value,
}

impl Args<'_> {
    fn value(&self, name: &str) -> Result<&Value> {
        self.values.get(name).ok_or_else(|| {
            Error::new(
                ErrorKind::Argument,
                format!("{}: missing attribute {name:?}", self.scheduler),
            )
        })
    }

    fn bad(&self, name: &str, expected: &str, got: &Value) -> Error {
        Error::new(
            ErrorKind::Argument,
            format!(
                "{}: {name} must be {expected}, got {}",
                self.scheduler,
                got.kind()
            ),
        )
    }

    /// The attribute `name`, of the option kind `T`.
    fn get<T: OptionValue>(&self, name: &str) -> Result<T> {
        let v = self.value(name)?;
        T::from_value(v).ok_or_else(|| self.bad(name, T::EXPECTED, v))
    }

    fn text(&self, name: &str) -> Result<&str> {
        match self.value(name)? {
            Value::Str(s) => Ok(s),
            v => Err(self.bad(name, "a string", v)),
        }
    }

    /// One number per group, or one for all.
    fn floats(&self, name: &str) -> Result<Vec<f64>> {
        let v = self.value(name)?;
        if let Some(x) = v.as_f64() {
            return Ok(vec![x]);
        }
        let items = v.items().ok_or_else(|| self.bad(name, "numbers", v))?;
        items
            .iter()
            .map(|x| x.as_f64().ok_or_else(|| self.bad(name, "numbers", x)))
            .collect()
    }

    /// Milestones: a list, or PyTorch's Counter of them.
    fn milestones(&self, name: &str) -> Result<Vec<usize>> {
        let v = self.value(name)?;
        let as_count = |x: &Value| match x {
            Value::Int(i) if *i >= 0 => Some(*i as usize),
            _ => None,
        };
        let out: Option<Vec<usize>> = match v {
            Value::List(items) | Value::Tuple(items) => items.iter().map(as_count).collect(),
            Value::Dict(entries) => entries
                .iter()
                .map(|(k, n)| match (k, as_count(n)) {
                    (Key::Int(m), Some(n)) if *m >= 0 => Some(vec![*m as usize; n]),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat()),
            _ => None,
        };
        out.ok_or_else(|| self.bad(name, "ints >= 0", v))
    }
}

/// The schedule `name` with the attributes `args`.
fn schedule_of(args: &Args<'_>) -> Result<Box<dyn Schedule>> {
    Ok(match args.scheduler {
        "StepLR" => {
            let schedule = StepLR {
                step_size: args.get::<usize>("step_size")?,
                gamma: args.get::<f64>("gamma")?,
            };
            schedule.check()?;
            Box::new(schedule)
        }
        "MultiStepLR" => Box::new(MultiStepLR {
            milestones: args.milestones("milestones")?,
            gamma: args.get::<f64>("gamma")?,
        }),
        "ConstantLR" => Box::new(ConstantLR {
            factor: args.get::<f64>("factor")?,
            total_iters: args.get::<usize>("total_iters")?,
        }),
        "LinearLR" => Box::new(LinearLR {
            start_factor: args.get::<f64>("start_factor")?,
            end_factor: args.get::<f64>("end_factor")?,
            total_iters: args.get::<usize>("total_iters")?,
        }),
        "ExponentialLR" => Box::new(ExponentialLR {
            gamma: args.get::<f64>("gamma")?,
        }),
        "PolynomialLR" => Box::new(PolynomialLR {
            total_iters: args.get::<usize>("total_iters")?,
            power: args.get::<f64>("power")?,
        }),
        "CosineAnnealingLR" => {
            let schedule = CosineAnnealingLR {
                t_max: args.get::<usize>("T_max")?,
                eta_min: args.get::<f64>("eta_min")?,
            };
            schedule.check()?;
            Box::new(schedule)
        }
        "OneCycleLR" => {
            let schedule = OneCycleLR {
                max_lr: args.floats("max_lr")?,
                total_steps: args.get::<usize>("total_steps")?,
                pct_start: args.get::<f64>("pct_start")?,
                anneal_strategy: anneal_of(args)?,
                cycle_momentum: args.get::<bool>("cycle_momentum")?,
                base_momentum: args.floats("base_momentum")?,
                max_momentum: args.floats("max_momentum")?,
                div_factor: args.get::<f64>("div_factor")?,
                final_div_factor: args.get::<f64>("final_div_factor")?,
                three_phase: args.get::<bool>("three_phase")?,
            };
            schedule.check()?;
            Box::new(schedule)
        }
        "CyclicLR" => Box::new(cyclic_of(args, None)?),
        "SWALR" => Box::new(SWALR {
            swa_lr: args.floats("swa_lrs")?,
            anneal_epochs: args.get::<usize>("anneal_epochs")?,
            anneal_strategy: anneal_of(args)?,
        }),
        other => {
            return Err(Error::new(
                ErrorKind::Argument,
                format!("flodl has no scheduler {other:?}"),
            ))
        }
    })
}

/// The `anneal_strategy` attribute: "cos" or "linear".
fn anneal_of(args: &Args<'_>) -> Result<Anneal> {
    match args.text("anneal_strategy")? {
        "cos" => Ok(Anneal::Cos),
        "linear" => Ok(Anneal::Linear),
        other => Err(Error::new(
            ErrorKind::Argument,
            format!(
                "{}: anneal_strategy must be 'cos' or 'linear', got {other:?}",
                args.scheduler
            ),
        )),
    }
}

/// CyclicLR from its attributes (its mode unread with a scale of its own).
fn cyclic_of(args: &Args<'_>, scale_fn: Option<ScaleFn>) -> Result<CyclicLR> {
    let mode = if scale_fn.is_some() {
        CyclicMode::Triangular
    } else {
        match args.text("mode")? {
            "triangular" => CyclicMode::Triangular,
            "triangular2" => CyclicMode::Triangular2,
            "exp_range" => CyclicMode::ExpRange,
            other => {
                return Err(Error::new(
                    ErrorKind::Argument,
                    format!("CyclicLR: mode {other:?} is invalid and scale_fn is None"),
                ))
            }
        }
    };
    Ok(CyclicLR {
        base_lr: args.floats("base_lrs")?,
        max_lr: args.floats("max_lrs")?,
        total_size: args.get::<f64>("total_size")?,
        step_ratio: args.get::<f64>("step_ratio")?,
        mode,
        gamma: args.get::<f64>("gamma")?,
        scale_fn,
        cycle_momentum: args.get::<bool>("cycle_momentum")?,
        base_momentum: args.floats("base_momentums")?,
        max_momentum: args.floats("max_momentums")?,
    })
}

/// The first exception a user's function raised during one schedule call.
type Raised = std::rc::Rc<std::cell::RefCell<Option<PyErr>>>;

/// A Python function of one number as a Rust one: its result as a float;
/// an exception goes into `raised` (the rate becomes nan, and the call
/// raises the exception instead of returning it).
fn python_function(f: &Bound<'_, PyAny>, raised: &Raised) -> std::rc::Rc<dyn Fn(f64) -> f64> {
    let (f, sink) = (f.clone().unbind(), raised.clone());
    std::rc::Rc::new(move |x| {
        Python::attach(|py| {
            let bound = f.bind(py);
            // An int epoch goes in as an int, as PyTorch passes `last_epoch`.
            let called = if x.fract() == 0.0 && x.abs() < 9.0e15 {
                bound.call1((x as i64,))
            } else {
                bound.call1((x,))
            };
            called.and_then(|v| v.extract::<f64>()).unwrap_or_else(|e| {
                sink.borrow_mut().get_or_insert(e);
                f64::NAN
            })
        })
    })
}

fn args_of<'a>(scheduler: &'a str, args: &Bound<'_, PyDict>) -> PyResult<Args<'a>> {
    let values = value::from_py(args.as_any(), scheduler, "the scheduler's attributes")?;
    Ok(Args { scheduler, values })
}

/// The rates (and momenta, for a schedule that cycles them) of step
/// `epoch` for groups whose initial rates are `base_lrs` and current rates
/// `lrs`: PyTorch's `get_lr`, or with `closed` its closed form. `functions`
/// are the user's own: CyclicLR's `scale_fn`, or the `lr_lambdas` (a list)
/// of LambdaLR and MultiplicativeLR.
#[pyfunction]
#[pyo3(name = "_lr_schedule", signature = (
    name, args, base_lrs, lrs, epoch, step_count, initial, closed, functions = None
))]
#[allow(clippy::too_many_arguments)] // where the schedule stands
#[allow(clippy::type_complexity)] // (rates, momenta)
pub(crate) fn lr_schedule(
    name: &str,
    args: &Bound<'_, PyDict>,
    base_lrs: Vec<f64>,
    lrs: Vec<f64>,
    epoch: usize,
    step_count: usize,
    initial: bool,
    closed: bool,
    functions: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<f64>, Option<Vec<f64>>)> {
    crate::python::guard::run("lr_schedule", move || {
        let args = args_of(name, args)?;
        // The user's own functions, in Python: an error one raises comes out
        // unchanged.
        let raised: Raised = Default::default();
        let schedule: Box<dyn Schedule> = match (name, functions) {
            ("CyclicLR", Some(f)) => {
                let scale = ScaleFn {
                    f: python_function(f, &raised),
                    by_cycle: args.text("scale_mode")? == "cycle",
                };
                Box::new(cyclic_of(&args, Some(scale))?)
            }
            ("LambdaLR" | "MultiplicativeLR", Some(fs)) => {
                let lr_lambdas: Vec<LrLambda> = fs
                    .try_iter()?
                    .map(|f| {
                        let f = python_function(&f?, &raised);
                        Ok(std::rc::Rc::new(move |epoch: usize| f(epoch as f64)) as LrLambda)
                    })
                    .collect::<PyResult<_>>()?;
                match name {
                    "LambdaLR" => Box::new(LambdaLR { lr_lambdas }),
                    _ => Box::new(MultiplicativeLR { lr_lambdas }),
                }
            }
            _ => schedule_of(&args)?,
        };
        let mut rates = Vec::with_capacity(lrs.len());
        let mut momenta = Vec::new();
        for (group, (&base, &lr)) in base_lrs.iter().zip(&lrs).enumerate() {
            let at = At {
                epoch,
                step_count,
                initial,
                group,
            };
            rates.push(if closed && schedule.has_closed_form() {
                schedule.lr_at(base, epoch)
            } else {
                schedule.next_lr(base, lr, at)
            });
            momenta.extend(schedule.momentum(at));
        }
        if let Some(e) = raised.borrow_mut().take() {
            return Err(e);
        }
        let momenta = (!momenta.is_empty()).then_some(momenta);
        Ok((rates, momenta))
    })
}

/// One step of CosineAnnealingWarmRestarts from `(T_cur, T_i,
/// last_epoch)`, to `epoch` when given: the new position and the rates.
/// `T_cur` keeps Python's number kind as PyTorch's arithmetic leaves it:
/// an int while the epochs are ints, a float from a float epoch or from a
/// jump past `T_0` with `T_mult > 1` (which divides); `T_i` is an int.
#[pyfunction]
#[pyo3(name = "_warm_restarts_step")]
#[allow(clippy::type_complexity)] // (T_cur, T_i, last_epoch, rates)
pub(crate) fn warm_restarts_step(
    py: Python<'_>,
    args: &Bound<'_, PyDict>,
    base_lrs: Vec<f64>,
    epoch: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, i64, i64, Vec<f64>)> {
    let name = "CosineAnnealingWarmRestarts";
    let epoch = epoch
        .map(|e| value::from_py(e, name, "epoch"))
        .transpose()?;
    let args = args_of(name, args)?;
    let schedule = CosineAnnealingWarmRestarts {
        t_0: args.get::<usize>("T_0")?,
        t_mult: args.get::<usize>("T_mult")?,
        eta_min: args.get::<f64>("eta_min")?,
    };
    schedule.check()?;
    let state = WarmRestarts {
        t_cur: args.get::<f64>("T_cur")?,
        t_i: args.get::<f64>("T_i")?,
        last_epoch: args.get::<f64>("last_epoch")?,
    };
    let whole = match &epoch {
        None => matches!(args.value("T_cur")?, Value::Int(_)),
        Some(Value::Int(e)) => *e < schedule.t_0 as i64 || schedule.t_mult == 1,
        Some(_) => false,
    };
    let epoch = match epoch {
        Some(e) => Some(
            e.as_f64()
                .ok_or_else(|| args.bad("epoch", "a number", &e))?,
        ),
        None => None,
    };
    let state = crate::python::guard::run("warm_restarts_step", move || {
        Ok::<_, PyErr>(schedule.advance(state, epoch)?)
    })?;
    let rates = base_lrs.iter().map(|&b| schedule.lr(b, state)).collect();
    let t_cur = match whole {
        // A whole number here (ints in, ints out).
        true => (state.t_cur as i64).into_pyobject(py)?.into_any().unbind(),
        false => state.t_cur.into_pyobject(py)?.into_any().unbind(),
    };
    Ok((t_cur, state.t_i as i64, state.last_epoch as i64, rates))
}

/// One step of ReduceLROnPlateau with `metric`: its new counters
/// (`best`, `num_bad_epochs`, `cooldown_counter`, `last_epoch`) and the
/// groups' new rates.
#[pyfunction]
#[pyo3(name = "_plateau_step")]
#[allow(clippy::type_complexity)] // the counters and the rates
pub(crate) fn plateau_step(
    args: &Bound<'_, PyDict>,
    metric: f64,
    lrs: Vec<f64>,
) -> PyResult<((f64, usize, usize, usize), Vec<f64>)> {
    crate::python::guard::run("plateau_step", move || {
        let args = args_of("ReduceLROnPlateau", args)?;
        let mut plateau = plateau_of(&args)?;
        let rates = plateau.step(metric, &lrs);
        let counters = (
            plateau.best,
            plateau.num_bad_epochs,
            plateau.cooldown_counter,
            plateau.last_epoch,
        );
        Ok((counters, rates))
    })
}

/// The worst value of the metric for ReduceLROnPlateau's `args` (where
/// `best` starts), after checking them.
#[pyfunction]
#[pyo3(name = "_plateau_worst")]
pub(crate) fn plateau_worst(args: &Bound<'_, PyDict>) -> PyResult<f64> {
    crate::python::guard::run("plateau_worst", move || {
        let args = args_of("ReduceLROnPlateau", args)?;
        Ok(plateau_of(&args)?.worst())
    })
}

fn plateau_of(args: &Args<'_>) -> Result<ReduceLROnPlateau> {
    let choice = |name: &str, options: [&str; 2]| -> Result<bool> {
        let got = args.text(name)?;
        match options.iter().position(|o| *o == got) {
            Some(i) => Ok(i == 1),
            None => Err(Error::new(
                ErrorKind::Argument,
                format!(
                    "ReduceLROnPlateau: {name} {got:?} is unknown (expected {:?} or {:?})",
                    options[0], options[1]
                ),
            )),
        }
    };
    let plateau = ReduceLROnPlateau {
        mode_max: choice("mode", ["min", "max"])?,
        factor: args.get::<f64>("factor")?,
        patience: args.get::<usize>("patience")?,
        threshold: args.get::<f64>("threshold")?,
        threshold_rel: !choice("threshold_mode", ["rel", "abs"])?,
        cooldown: args.get::<usize>("cooldown")?,
        min_lrs: args.floats("min_lrs")?,
        eps: args.get::<f64>("eps")?,
        best: args.get::<f64>("best")?,
        num_bad_epochs: args.get::<usize>("num_bad_epochs")?,
        cooldown_counter: args.get::<usize>("cooldown_counter")?,
        last_epoch: args.get::<usize>("last_epoch")?,
    };
    plateau.check()?;
    Ok(plateau)
}
