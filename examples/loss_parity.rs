//! Rust's flodl::nn activations and losses on inputs from a file, for the
//! parity tests (tests/python/test_rust_activations_losses.py). The file
//! holds, for each case, its inputs `CASE.0`, `CASE.1`, ... and maybe
//! inputs the module must refuse, `CASE.bad.0`, ...; each case's module is
//! built after `manual_seed(0)` and this writes to OUTPUTS:
//!
//! - `CASE.output`: its output on copies of the inputs, without a graph;
//! - `CASE.grad.I` and `CASE.grad.PARAM`: the gradients of
//!   `sum(output^2) / 2` at each floating input it differentiates and each
//!   parameter, the floating inputs going in as `x * 1` (not leaves, so
//!   that an in-place activation may change them, as in PyTorch);
//! - `CASE.after.0`: that `x * 1` of the first input after the call (an
//!   in-place activation changed it);
//! - `CASE.state.NAME`: the state dict (a loss's class weights);
//!
//! and to `OUTPUTS.json`, per case, its repr, the error of
//! `Module::forward` (a loss's: it takes several inputs) and the error on
//! the bad inputs, each as `[kind, message]` or null; and under
//! `defaults`, each module's `Default` as Debug writes it, and under
//! `buffers`, what a loss's buffer field holds after `load_state_dict` and
//! `Module::to`.
//!
//! ```text
//! cargo run --release --example loss_parity -- inputs.safetensors outputs.safetensors
//! ```

use std::collections::BTreeMap;
use std::rc::Rc;

use flodl::nn::{self, Module};
use flodl::{Error, ErrorKind, KlDivReduction, Reduction, Result, Tensor, Variable};

/// How a case's module is called on the case's inputs.
type Call = Box<dyn Fn(&[Variable]) -> Result<Variable>>;

/// A case's module, and how it is called.
struct Case {
    module: Rc<dyn Module>,
    call: Call,
}

/// A case's inputs and the inputs its module refuses, each by index.
type Inputs = (BTreeMap<usize, Tensor>, BTreeMap<usize, Tensor>);

/// `module` called by `call(module, inputs)`.
fn with<M: Module + 'static>(
    module: M,
    call: impl Fn(&M, &[Variable]) -> Result<Variable> + 'static,
) -> Case {
    let module = Rc::new(module);
    let inner = Rc::clone(&module);
    Case {
        module,
        call: Box::new(move |inputs| call(&inner, inputs)),
    }
}

/// A module of one input, called through `Module::forward`.
fn one<M: Module + 'static>(module: M) -> Case {
    with(module, |m, x| m.forward(v(x, 0)?))
}

/// Input `i` as a Variable.
fn v(inputs: &[Variable], i: usize) -> Result<&Variable> {
    inputs
        .get(i)
        .ok_or_else(|| Error::new(ErrorKind::Argument, format!("the case has no input {i}")))
}

/// Input `i` as a Tensor (class indices, labels, lengths: not differentiated).
fn t(inputs: &[Variable], i: usize) -> Result<Tensor> {
    v(inputs, i).map(Variable::data)
}

/// A tensor of `values`.
fn values(values: &[f64]) -> Result<Tensor> {
    Tensor::from_f64(values, &[values.len() as i64], flodl::Device::CPU)?
        .to_dtype(flodl::DType::Float32)
}

fn case(name: &str) -> Result<Case> {
    use Reduction::{None as NoReduction, Sum};
    Ok(match name {
        // --- activations ---
        "relu" => one(nn::ReLU),
        "relu_inplace" => one(nn::ReLU { inplace: true }),
        "relu6" => one(nn::ReLU6::default()),
        "relu6_inplace" => one(nn::ReLU6 { inplace: true }),
        "selu" => one(nn::SELU::default()),
        "selu_inplace" => one(nn::SELU { inplace: true }),
        "silu" => one(nn::SiLU),
        "silu_inplace" => one(nn::SiLU { inplace: true }),
        "mish" => one(nn::Mish::default()),
        "mish_inplace" => one(nn::Mish { inplace: true }),
        "hardsigmoid" => one(nn::Hardsigmoid::default()),
        "hardsigmoid_inplace" => one(nn::Hardsigmoid { inplace: true }),
        "hardswish" => one(nn::Hardswish::default()),
        "hardswish_inplace" => one(nn::Hardswish { inplace: true }),
        "hardtanh" => one(nn::Hardtanh::default()),
        "hardtanh_bounds" => one(nn::Hardtanh::new(-0.5, 2.0)?),
        "hardtanh_inplace" => one(nn::Hardtanh {
            inplace: true,
            ..nn::Hardtanh::default()
        }),
        "leaky_relu" => one(nn::LeakyReLU::default()),
        "leaky_relu_slope" => one(nn::LeakyReLU {
            negative_slope: 0.2,
            inplace: true,
        }),
        "elu" => one(nn::ELU::default()),
        "elu_alpha" => one(nn::ELU {
            alpha: 2.0,
            inplace: true,
        }),
        "celu" => one(nn::CELU::default()),
        "celu_alpha" => one(nn::CELU {
            alpha: 0.5,
            ..Default::default()
        }),
        "threshold" => one(nn::Threshold::new(0.1, 20.0)),
        "celu_inplace" => one(nn::CELU {
            alpha: 0.7,
            inplace: true,
        }),
        "threshold_inplace" => one(nn::Threshold {
            inplace: true,
            ..nn::Threshold::new(-0.3, -2.5)
        }),
        "gelu" => one(nn::GELU),
        "gelu_tanh" => one(nn::GELU {
            approximate: "tanh".parse()?,
        }),
        "softplus" => one(nn::Softplus::default()),
        "softplus_options" => one(nn::Softplus {
            beta: 2.0,
            threshold: 1.5,
        }),
        "hardshrink" => one(nn::Hardshrink::default()),
        "hardshrink_lambd" => one(nn::Hardshrink { lambd: 0.3 }),
        "softshrink" => one(nn::Softshrink::default()),
        "softshrink_lambd" => one(nn::Softshrink { lambd: 0.7 }),
        "glu" => one(nn::GLU::default()),
        "glu_dim0" => one(nn::GLU { dim: 0 }),
        "glu_dim2" => one(nn::GLU { dim: 2 }),
        "softmax" => one(nn::Softmax { dim: Some(0) }),
        "softmax_none_2d" | "softmax_none_3d" => one(nn::Softmax::default()),
        "log_softmax" => one(nn::LogSoftmax { dim: Some(-1) }),
        "log_softmax_none" => one(nn::LogSoftmax::default()),
        "softmin" => one(nn::Softmin { dim: Some(1) }),
        "softmin_none" => one(nn::Softmin::default()),
        "softmax2d" => one(nn::Softmax2d),
        "rrelu" => {
            let rrelu = nn::RReLU::default();
            rrelu.set_training(false);
            one(rrelu)
        }
        "rrelu_eval_inplace" => {
            let mut rrelu = nn::RReLU::new(0.1, 0.3)?;
            rrelu.inplace = true;
            rrelu.set_training(false);
            one(rrelu)
        }
        "cosine_similarity" => with(nn::CosineSimilarity { dim: 0, eps: 1e-8 }, |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "pairwise_distance" => with(
            nn::PairwiseDistance {
                p: 1.0,
                keepdim: true,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "tanh" => one(nn::Tanh),
        "sigmoid" => one(nn::Sigmoid),
        "log_sigmoid" => one(nn::LogSigmoid),
        "softsign" => one(nn::Softsign),
        "tanhshrink" => one(nn::Tanhshrink),
        "prelu" => one(nn::PReLU::new(1, 0.25)?),
        "prelu_channels" => one(nn::PReLU::new(3, 0.1)?),

        // --- losses ---
        "l1" => with(nn::L1Loss::default(), |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "l1_sum" => with(nn::L1Loss { reduction: Sum }, |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "mse" => with(nn::MSELoss::default(), |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "mse_none" => with(
            nn::MSELoss {
                reduction: NoReduction,
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "smooth_l1" => with(
            nn::SmoothL1Loss {
                reduction: Sum,
                beta: 0.5,
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "huber" => with(
            nn::HuberLoss {
                delta: 0.7,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "cross_entropy" => with(
            nn::CrossEntropyLoss {
                weight: Some(values(&[0.2, 1.0, 2.0])?),
                ignore_index: 1,
                label_smoothing: 0.1,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "cross_entropy_probs" => with(nn::CrossEntropyLoss::default(), |m, x| {
            m.forward_pair(v(x, 0)?, &t(x, 1)?)
        }),
        "nll" => with(
            nn::NLLLoss {
                weight: Some(values(&[0.5, 1.5, 1.0])?),
                reduction: Sum,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "bce" => with(
            nn::BCELoss {
                weight: Some(values(&[0.3, 1.0, 2.0])?),
                reduction: Sum,
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "bce_logits" => with(
            nn::BCEWithLogitsLoss {
                weight: Some(values(&[1.0, 0.5, 2.0])?),
                pos_weight: Some(values(&[3.0, 1.0, 0.25])?),
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "kl_div" => with(nn::KLDivLoss::default(), |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "kl_div_log_target" => with(
            nn::KLDivLoss {
                reduction: KlDivReduction::BatchMean,
                log_target: true,
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "cosine_embedding" => with(
            nn::CosineEmbeddingLoss {
                margin: 0.3,
                reduction: Sum,
            },
            |m, x| m.forward_triple(v(x, 0)?, v(x, 1)?, &t(x, 2)?),
        ),
        "margin_ranking" => with(
            nn::MarginRankingLoss {
                margin: 0.2,
                ..Default::default()
            },
            |m, x| m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?),
        ),
        "hinge_embedding" => with(
            nn::HingeEmbeddingLoss {
                margin: 0.5,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "multi_margin" => with(
            nn::MultiMarginLoss {
                p: 2,
                margin: 0.5,
                weight: Some(values(&[0.2, 1.0, 2.0])?),
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "multilabel_margin" => with(nn::MultiLabelMarginLoss { reduction: Sum }, |m, x| {
            m.forward_pair(v(x, 0)?, &t(x, 1)?)
        }),
        "multilabel_soft_margin" => with(
            nn::MultiLabelSoftMarginLoss {
                weight: Some(values(&[0.5, 1.0, 2.0, 1.5])?),
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "soft_margin" => with(
            nn::SoftMarginLoss {
                reduction: NoReduction,
            },
            |m, x| m.forward_pair(v(x, 0)?, &t(x, 1)?),
        ),
        "triplet" => with(nn::TripletMarginLoss::default(), |m, x| {
            m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?)
        }),
        "triplet_options" => with(
            nn::TripletMarginLoss {
                margin: 0.5,
                p: 1.0,
                swap: true,
                reduction: Sum,
                ..Default::default()
            },
            |m, x| m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?),
        ),
        "triplet_distance" => with(nn::TripletMarginWithDistanceLoss::default(), |m, x| {
            m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?)
        }),
        "triplet_distance_options" => with(
            nn::TripletMarginWithDistanceLoss {
                distance_function: Some(std::sync::Arc::new(|a: &Variable, b: &Variable| {
                    a.cosine_similarity(b, 1, 1e-8)?.rsub_scalar(1)
                })),
                margin: 0.5,
                swap: true,
                reduction: Reduction::Sum,
            },
            |m, x| m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?),
        ),
        "poisson_nll" => with(nn::PoissonNLLLoss::default(), |m, x| {
            m.forward_pair(v(x, 0)?, v(x, 1)?)
        }),
        "poisson_nll_full" => with(
            nn::PoissonNLLLoss {
                log_input: false,
                full: true,
                ..Default::default()
            },
            |m, x| m.forward_pair(v(x, 0)?, v(x, 1)?),
        ),
        "gaussian_nll" => with(nn::GaussianNLLLoss::default(), |m, x| {
            m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?)
        }),
        "gaussian_nll_full" => with(
            nn::GaussianNLLLoss {
                full: true,
                eps: 1e-3,
                reduction: Sum,
            },
            |m, x| m.forward_triple(v(x, 0)?, v(x, 1)?, v(x, 2)?),
        ),
        "ctc" => with(nn::CTCLoss::default(), |m, x| {
            m.forward_quad(v(x, 0)?, &t(x, 1)?, &t(x, 2)?, &t(x, 3)?)
        }),
        "ctc_options" => with(
            nn::CTCLoss {
                blank: 3,
                reduction: Sum,
                zero_infinity: true,
            },
            |m, x| m.forward_quad(v(x, 0)?, &t(x, 1)?, &t(x, 2)?, &t(x, 3)?),
        ),
        other => {
            return Err(Error::new(
                ErrorKind::Argument,
                format!("no case {other:?}"),
            ))
        }
    })
}

/// Each module's `Default` (PyTorch's defaults) as Debug writes it
/// (`HuberLoss { reduction: Mean, delta: 1.0 }`), by name.
fn defaults() -> serde_json::Value {
    macro_rules! debug {
        ($($name:ident),*) => {{
            let mut map = serde_json::Map::new();
            $(map.insert(stringify!($name).into(), format!("{:?}", nn::$name::default()).into());)*
            serde_json::Value::Object(map)
        }};
    }
    debug!(
        ReLU,
        ReLU6,
        SELU,
        SiLU,
        Mish,
        Hardsigmoid,
        Hardswish,
        Hardtanh,
        LeakyReLU,
        ELU,
        CELU,
        GELU,
        Softplus,
        Hardshrink,
        Softshrink,
        GLU,
        Softmax,
        LogSoftmax,
        Softmin,
        Softmax2d,
        RReLU,
        CosineSimilarity,
        Tanh,
        Sigmoid,
        LogSigmoid,
        Softsign,
        Tanhshrink,
        L1Loss,
        MSELoss,
        SmoothL1Loss,
        HuberLoss,
        CrossEntropyLoss,
        NLLLoss,
        BCELoss,
        BCEWithLogitsLoss,
        KLDivLoss,
        CosineEmbeddingLoss,
        MultiMarginLoss,
        MultiLabelMarginLoss,
        MultiLabelSoftMarginLoss,
        MarginRankingLoss,
        HingeEmbeddingLoss,
        SoftMarginLoss,
        TripletMarginLoss,
        PoissonNLLLoss,
        GaussianNLLLoss,
        CTCLoss
    )
}

/// A loss's class weights are buffers on the field's own tensor: what
/// `load_state_dict` loads is in the field (here `[5, 6]`), and `Module::to`
/// converts the field (here to Float64).
fn buffer_check() -> Result<serde_json::Value> {
    let loss = nn::BCEWithLogitsLoss {
        pos_weight: Some(values(&[1.0, 2.0])?),
        ..Default::default()
    };
    let state = [("pos_weight".to_string(), values(&[5.0, 6.0])?)];
    loss.load_state_dict(&state, true)?;
    let loaded = loss
        .pos_weight
        .as_ref()
        .map(Tensor::to_f64_vec)
        .transpose()?;
    loss.to(None, Some(flodl::DType::Float64))?;
    let dtype = loss.pos_weight.as_ref().map(Tensor::dtype);
    Ok(serde_json::json!({ "loaded": loaded, "dtype": format!("{dtype:?}") }))
}

/// `[kind, message]` of a result's error, or null.
fn error_json<T>(result: &Result<T>) -> serde_json::Value {
    match result {
        Ok(_) => serde_json::Value::Null,
        Err(e) => serde_json::json!([format!("{:?}", e.kind()), e.message()]),
    }
}

/// A copy of `t`: the cases' in-place activations must not change the
/// inputs the next pass reads.
fn fresh(t: &Tensor) -> Result<Tensor> {
    t.copy()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (inputs, out) = match &args[..] {
        [_, inputs, out] => (inputs, out),
        _ => {
            return Err(Error::new(
                ErrorKind::Argument,
                "usage: loss_parity INPUTS OUTPUTS",
            ))
        }
    };
    // case -> (inputs, bad inputs), each in the order of its index.
    let mut cases: BTreeMap<String, Inputs> = BTreeMap::new();
    for (key, tensor) in flodl::io::load(inputs)? {
        let parts: Vec<&str> = key.split('.').collect();
        let (name, bad, index) = match parts[..] {
            [name, index] => (name, false, index),
            [name, "bad", index] => (name, true, index),
            _ => return Err(Error::new(ErrorKind::Argument, format!("key {key:?}"))),
        };
        let index: usize = index
            .parse()
            .map_err(|_| Error::new(ErrorKind::Argument, format!("key {key:?}")))?;
        let entry = cases.entry(name.to_string()).or_default();
        if bad { &mut entry.1 } else { &mut entry.0 }.insert(index, tensor);
    }

    let mut results: Vec<(String, Tensor)> = Vec::new();
    let mut report = serde_json::Map::new();
    for (name, (inputs, bad)) in &cases {
        flodl::manual_seed(0);
        let Case { module, call } = case(name)?;
        let first = inputs
            .values()
            .next()
            .ok_or_else(|| Error::new(ErrorKind::Argument, format!("{name}: no inputs")))?;

        // The output, without a graph.
        let constants = inputs
            .values()
            .map(|t| Variable::new(fresh(t)?, false))
            .collect::<Result<Vec<_>>>()?;
        let output = flodl::no_grad(|| call(&constants))?;
        results.push((format!("{name}.output"), output.data()));
        for (key, value) in module.state_dict() {
            results.push((format!("{name}.state.{key}"), value));
        }

        // Gradients of sum(output^2) / 2, whose gradient at the output is
        // the output itself.
        let mut leaves = Vec::new();
        let mut operands = Vec::new();
        for t in inputs.values() {
            let float = t.dtype().is_floating_point();
            let leaf = Variable::new(fresh(t)?, float)?;
            operands.push(if float {
                leaf.mul_scalar(1.0)?
            } else {
                leaf.clone()
            });
            leaves.push(leaf);
        }
        let out = call(&operands)?;
        results.push((format!("{name}.after.0"), v(&operands, 0)?.data().copy()?));
        out.mul(&out)?.sum()?.mul_scalar(0.5)?.backward()?;
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(grad) = leaf.grad() {
                results.push((format!("{name}.grad.{i}"), grad));
            }
        }
        for (key, p) in module.named_parameters() {
            if let Some(grad) = p.grad() {
                results.push((format!("{name}.grad.{key}"), grad));
            }
        }

        let bad_inputs = bad
            .values()
            .map(|t| Variable::new(t.clone(), false))
            .collect::<Result<Vec<_>>>()?;
        let bad_error = if bad_inputs.is_empty() {
            serde_json::Value::Null
        } else {
            error_json(&call(&bad_inputs))
        };
        let constant = Variable::new(fresh(first)?, false)?;
        report.insert(
            name.clone(),
            serde_json::json!({
                "repr": module.repr(),
                "forward": error_json(&module.forward(&constant)),
                "bad": bad_error,
            }),
        );
    }
    report.insert("defaults".to_string(), defaults());
    report.insert("buffers".to_string(), buffer_check()?);
    let report_path = format!("{out}.json");
    std::fs::write(&report_path, serde_json::Value::Object(report).to_string())
        .map_err(|e| Error::new(ErrorKind::Argument, format!("{report_path}: {e}")))?;
    flodl::io::save(&results, out)
}
