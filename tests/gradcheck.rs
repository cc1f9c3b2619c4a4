//! Each differentiable op's gradient against central finite differences in
//! float64, from Rust alone: the core is proven without Python. One case per
//! op of the catalogue (tests/spec_ops.txt), grouped as there.
use flodl::autograd::{gradcheck, gradgradcheck, GradcheckOptions};
use flodl::{
    DType, Device, EmbeddingBagMode, GridSampleMode, PaddingMode, Result, Tensor, TensorOptions,
    Variable,
};

type Op = fn(&[Variable]) -> Result<Variable>;
type Domain = fn(f64) -> f64;

struct Case {
    name: &'static str,
    /// The shape of each differentiable input.
    shapes: Vec<Vec<i64>>,
    /// Maps standard-normal samples into the op's smooth domain.
    domain: Domain,
    op: Op,
}

fn case(name: &'static str, shapes: &[&[i64]], domain: Domain, op: Op) -> Case {
    Case {
        name,
        shapes: shapes.iter().map(|s| s.to_vec()).collect(),
        domain,
        op,
    }
}

fn any(v: f64) -> f64 {
    v
}
fn positive(v: f64) -> f64 {
    v.abs() + 0.5
}
/// Away from 0, where relu-like ops have a kink.
fn off_zero(v: f64) -> f64 {
    if v.abs() < 0.2 {
        v + 0.5
    } else {
        v
    }
}
/// Away from integers and half-integers, where floor/round jump.
fn off_steps(v: f64) -> f64 {
    v.trunc() + 0.2 + 0.1 * v.fract().abs()
}

fn int64(values: &[i64], shape: &[i64]) -> Tensor {
    Tensor::from_i64(values, shape, Device::CPU).unwrap()
}

fn mask() -> Tensor {
    Tensor::from_f64(&[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], &[2, 3], Device::CPU)
        .unwrap()
        .gt_scalar(0.5)
        .unwrap()
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    vec![
        // arithmetic
        case("add", &[&[2, 3], &[3]], any, |v| v[0].add(&v[1])),
        case("sub", &[&[2, 3], &[2, 1]], any, |v| v[0].sub(&v[1])),
        case("mul", &[&[2, 3], &[3]], any, |v| v[0].mul(&v[1])),
        case("div", &[&[2, 3], &[2, 3]], positive, |v| v[0].div(&v[1])),
        case("matmul", &[&[2, 3], &[3, 2]], any, |v| v[0].matmul(&v[1])),
        case("matmul_batched", &[&[2, 2, 3], &[3]], any, |v| v[0].matmul(&v[1])),
        case("mul_scalar", &[&[2, 3]], any, |v| v[0].mul_scalar(-1.5)),
        case("add_scalar", &[&[2, 3]], any, |v| v[0].add_scalar(2.0)),
        case("div_scalar", &[&[2, 3]], any, |v| v[0].div_scalar(4.0)),
        case("neg", &[&[2, 3]], any, |v| v[0].neg()),
        // activation
        case("relu", &[&[2, 3]], off_zero, |v| v[0].relu()),
        case("sigmoid", &[&[2, 3]], any, |v| v[0].sigmoid()),
        case("tanh", &[&[2, 3]], any, |v| v[0].tanh()),
        case("gelu", &[&[2, 3]], any, |v| v[0].gelu()),
        case("gelu_tanh", &[&[2, 3]], any, |v| v[0].gelu_tanh()),
        case("silu", &[&[2, 3]], any, |v| v[0].silu()),
        case("mish", &[&[2, 3]], any, |v| v[0].mish()),
        case("selu", &[&[2, 3]], off_zero, |v| v[0].selu()),
        case("hardswish", &[&[2, 3]], any, |v| v[0].mul_scalar(0.5)?.hardswish()),
        case("hardsigmoid", &[&[2, 3]], any, |v| v[0].mul_scalar(0.5)?.hardsigmoid()),
        case("leaky_relu", &[&[2, 3]], off_zero, |v| v[0].leaky_relu(0.1)),
        case("elu", &[&[2, 3]], off_zero, |v| v[0].elu(0.7)),
        case("softplus", &[&[2, 3]], any, |v| v[0].softplus(2.0, 20.0)),
        case("prelu", &[&[2, 3, 2], &[3]], off_zero, |v| v[0].prelu(&v[1])),
        case("softmax", &[&[2, 3]], any, |v| v[0].softmax(-1)),
        case("log_softmax", &[&[2, 3]], any, |v| v[0].log_softmax(0)),
        // math
        case("exp", &[&[2, 3]], any, |v| v[0].exp()),
        case("log", &[&[2, 3]], positive, |v| v[0].log()),
        case("sqrt", &[&[2, 3]], positive, |v| v[0].sqrt()),
        case("abs", &[&[2, 3]], off_zero, |v| v[0].abs()),
        case("sin", &[&[2, 3]], any, |v| v[0].sin()),
        case("cos", &[&[2, 3]], any, |v| v[0].cos()),
        case("sign", &[&[2, 3]], off_zero, |v| v[0].sign()),
        case("floor", &[&[2, 3]], off_steps, |v| v[0].floor()),
        case("ceil", &[&[2, 3]], off_steps, |v| v[0].ceil()),
        case("round", &[&[2, 3]], off_steps, |v| v[0].round()),
        case("reciprocal", &[&[2, 3]], positive, |v| v[0].reciprocal()),
        case("log1p", &[&[2, 3]], positive, |v| v[0].log1p()),
        case("expm1", &[&[2, 3]], any, |v| v[0].expm1()),
        case("log2", &[&[2, 3]], positive, |v| v[0].log2()),
        case("log10", &[&[2, 3]], positive, |v| v[0].log10()),
        case("pow_scalar", &[&[2, 3]], positive, |v| v[0].pow_scalar(2.5)),
        case("clamp", &[&[2, 3]], off_zero, |v| v[0].clamp(-0.1, 0.1)),
        case("clamp_min", &[&[2, 3]], off_zero, |v| v[0].clamp_min(0.0)),
        case("clamp_max", &[&[2, 3]], off_zero, |v| v[0].clamp_max(0.0)),
        case("atan2", &[&[2, 3], &[2, 3]], positive, |v| v[0].atan2(&v[1])),
        case("maximum", &[&[2, 3], &[2, 3]], any, |v| v[0].maximum(&v[1])),
        case("minimum", &[&[2, 3], &[3]], any, |v| v[0].minimum(&v[1])),
        case("masked_fill", &[&[2, 3]], any, |v| v[0].masked_fill(&mask(), 2.0)),
        case("normalize", &[&[2, 3]], any, |v| v[0].normalize(2.0, 1)),
        case("norm", &[&[2, 3]], off_zero, |v| v[0].norm(3.0)),
        case("norm_dim", &[&[2, 3]], off_zero, |v| v[0].norm_dim(2.0, 1, true)),
        case("cdist", &[&[3, 2], &[2, 2]], any, |v| {
            v[0].cdist(&v[1], 2.0, flodl::CdistComputeMode::UseMmIfNecessary)
        }),
        case("cosine_similarity", &[&[2, 3], &[2, 3]], any, |v| v[0].cosine_similarity(&v[1], 1, 1e-8)),
        case("triu", &[&[3, 3]], any, |v| v[0].triu(0)),
        case("tril", &[&[3, 3]], any, |v| v[0].tril(-1)),
        // reduction
        case("sum", &[&[2, 3]], any, |v| v[0].sum()),
        case("mean", &[&[2, 3]], any, |v| v[0].mean()),
        case("min", &[&[2, 3]], any, |v| v[0].min()),
        case("max", &[&[2, 3]], any, |v| v[0].max()),
        case("var", &[&[2, 3]], any, |v| v[0].var()),
        case("std", &[&[2, 3]], any, |v| v[0].std()),
        case("prod", &[&[2, 3]], any, |v| v[0].prod()),
        case("sum_dim", &[&[2, 3]], any, |v| v[0].sum_dim(-1, true)),
        case("mean_dim", &[&[2, 3]], any, |v| v[0].mean_dim(0, false)),
        case("min_dim", &[&[2, 3]], any, |v| v[0].min_dim(1, false)),
        case("max_dim", &[&[2, 3]], any, |v| v[0].max_dim(0, true)),
        case("var_dim", &[&[2, 3]], any, |v| v[0].var_dim(1, false)),
        case("std_dim", &[&[2, 3]], any, |v| v[0].std_dim(-1, true)),
        case("prod_dim", &[&[2, 3]], any, |v| v[0].prod_dim(1, false)),
        case("cumsum", &[&[2, 3]], any, |v| v[0].cumsum(1)),
        case("logsumexp", &[&[2, 3]], any, |v| v[0].logsumexp(1, false)),
        // shape
        case("transpose", &[&[2, 3]], any, |v| v[0].transpose(0, 1)),
        case("permute", &[&[2, 3, 2]], any, |v| v[0].permute(&[2, 0, 1])),
        case("reshape", &[&[2, 3]], any, |v| v[0].reshape(&[3, -1])),
        case("flatten", &[&[2, 3, 2]], any, |v| v[0].flatten(1, -1)),
        case("squeeze", &[&[2, 1, 3]], any, |v| v[0].squeeze(1)),
        case("unsqueeze", &[&[2, 3]], any, |v| v[0].unsqueeze(-1)),
        case("unsqueeze_many", &[&[2, 3]], any, |v| v[0].unsqueeze_many(&[0, -1])),
        case("expand", &[&[2, 1]], any, |v| v[0].expand(&[2, 3])),
        case("narrow", &[&[2, 3]], any, |v| v[0].narrow(1, 1, 2)),
        case("select", &[&[2, 3]], any, |v| v[0].select(-1, 2)),
        case("cat", &[&[2, 3], &[1, 3]], any, |v| v[0].cat(&v[1], 0)),
        case("cat_many", &[&[2, 3], &[2, 1], &[2, 2]], any, |v| Variable::cat_many(&[&v[0], &v[1], &v[2]], 1)),
        case("stack", &[&[2, 3], &[2, 3]], any, |v| Variable::stack(v, 1)),
        case("chunk", &[&[2, 5]], any, |v| {
            let parts = v[0].chunk(2, 1)?;
            parts[0].sum()?.add(&parts[1].mul_scalar(2.0)?.sum()?)
        }),
        case("repeat", &[&[2, 3]], any, |v| v[0].repeat(&[2, 1, 2])),
        case("pad", &[&[2, 3]], any, |v| v[0].pad(&[1, 2, 0, 1], flodl::PadMode::Constant, Some(0.5))),
        case("index_select", &[&[3, 2]], any, |v| v[0].index_select(0, &int64(&[2, 0, 2], &[3]))),
        case("gather", &[&[2, 3]], any, |v| v[0].gather(1, &int64(&[0, 2, 1, 1], &[2, 2]))),
        case("scatter_add", &[&[3, 2], &[2, 2]], any, |v| v[0].scatter_add(0, &int64(&[0, 2, 2, 1], &[2, 2]), &v[1])),
        case("topk", &[&[2, 4]], any, |v| Ok(v[0].topk(2, -1, true, true)?.0)),
        case("sort", &[&[2, 4]], any, |v| Ok(v[0].sort(0, true, false)?.0)),
        // nn
        case("conv1d", &[&[1, 2, 5], &[3, 2, 2], &[3]], any, |v| flodl::conv1d(&v[0], &v[1], Some(&v[2]), 2, 1, 1, 1)),
        case("conv2d", &[&[1, 2, 4, 4], &[2, 1, 2, 2], &[2]], any, |v| flodl::conv2d(&v[0], &v[1], Some(&v[2]), [1, 2], [1, 0], [1, 1], 2)),
        case("conv3d", &[&[1, 1, 3, 3, 3], &[2, 1, 2, 2, 2]], any, |v| flodl::conv3d(&v[0], &v[1], None, [1; 3], [0; 3], [1; 3], 1)),
        case("conv_transpose1d", &[&[1, 2, 3], &[2, 1, 2], &[1]], any, |v| flodl::conv_transpose1d(&v[0], &v[1], Some(&v[2]), 2, 0, 1, 1, 1)),
        case("conv_transpose2d", &[&[1, 2, 2, 2], &[2, 1, 2, 2]], any, |v| flodl::conv_transpose2d(&v[0], &v[1], None, [1, 1], [0, 0], [0, 0], 1, [1, 1])),
        case("conv_transpose3d", &[&[1, 1, 2, 2, 2], &[1, 1, 2, 2, 2], &[1]], any, |v| flodl::conv_transpose3d(&v[0], &v[1], Some(&v[2]), [1; 3], [0; 3], [0; 3], 1, [1; 3])),
        case("max_pool1d", &[&[1, 2, 6]], any, |v| flodl::max_pool1d(&v[0], 2, None, 0, 1, false)),
        case("max_pool2d", &[&[1, 1, 4, 4]], any, |v| flodl::max_pool2d(&v[0], [2, 2], Some([1, 2]), [1, 0], [1, 1], true)),
        case("avg_pool1d", &[&[1, 2, 5]], any, |v| flodl::avg_pool1d(&v[0], 2, Some(1), 1, false, true)),
        case("avg_pool2d", &[&[1, 1, 4, 4]], any, |v| flodl::avg_pool2d(&v[0], [2, 2], None, [1, 1], true, false, None)),
        case("adaptive_avg_pool2d", &[&[1, 1, 5, 4]], any, |v| flodl::adaptive_avg_pool2d(&v[0], [2, 3])),
        case("adaptive_max_pool2d", &[&[1, 1, 4, 4]], any, |v| flodl::adaptive_max_pool2d(&v[0], [2, 2])),
        case("instance_norm", &[&[2, 2, 4], &[2], &[2]], any, |v| flodl::instance_norm(&v[0], None, None, Some(&v[1]), Some(&v[2]), true, 0.1, 1e-5)),
        case("group_norm", &[&[2, 4, 3], &[4], &[4]], any, |v| flodl::group_norm(&v[0], 2, Some(&v[1]), Some(&v[2]), 1e-5)),
        case("layer_norm", &[&[2, 4], &[4], &[4]], any, |v| flodl::layer_norm(&v[0], &[4], Some(&v[1]), Some(&v[2]), 1e-5)),
        case("grid_sample", &[&[1, 1, 3, 3], &[1, 2, 2, 2]], |x| x.tanh() * 0.9, |v| flodl::grid_sample(&v[0], &v[1], GridSampleMode::Bilinear, PaddingMode::Zeros, false)),
        case("pixel_shuffle", &[&[1, 4, 2, 2]], any, |v| flodl::pixel_shuffle(&v[0], 2)),
        case("pixel_unshuffle", &[&[1, 1, 4, 4]], any, |v| flodl::pixel_unshuffle(&v[0], 2)),
        case("bilinear", &[&[2, 3], &[2, 2], &[4, 3, 2], &[4]], any, |v| flodl::bilinear(&v[0], &v[1], &v[2], Some(&v[3]))),
        case("embedding_bag", &[&[4, 3]], any, |v| flodl::embedding_bag(&int64(&[0, 2, 1, 3, 3], &[5]), &v[0], Some(&int64(&[0, 2], &[2])), None, 2.0, false, EmbeddingBagMode::Mean, false, None, false, None)),
        case("im2col", &[&[1, 2, 3, 3]], any, |v| flodl::im2col(&v[0], [2, 2], [1, 1], [0, 0], [1, 1])),
        case("col2im", &[&[1, 4, 4]], any, |v| flodl::col2im(&v[0], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])),
        case("linear", &[&[2, 3], &[4, 3], &[4]], any, |v| flodl::linear(&v[0], &v[1], Some(&v[2]))),
        case("embedding", &[&[4, 3]], any, |v| flodl::embedding(&int64(&[1, 3, 1, 0], &[2, 2]), &v[0], None, None, 2.0, false, false)),
        case("scaled_dot_product_attention", &[&[1, 2, 3], &[1, 4, 3], &[1, 4, 2]], any, |v| flodl::scaled_dot_product_attention(&v[0], &v[1], &v[2], None, 0.0, false, None, false)),
        case("gru_cell", &[&[2, 3], &[2, 2], &[6, 3], &[6, 2], &[6], &[6]], any, |v| flodl::gru_cell(&v[0], &v[1], &v[2], &v[3], Some(&v[4]), Some(&v[5]))),
        case("lstm_cell", &[&[2, 3], &[2, 2], &[2, 2], &[8, 3], &[8, 2]], any, |v| {
            let (h, c) = flodl::lstm_cell(&v[0], &v[1], &v[2], &v[3], &v[4], None, None)?;
            h.sum()?.add(&c.mul_scalar(0.5)?.sum()?)
        }),
    ]
}

fn sample(shape: &[i64], domain: Domain, seed: u64) -> Vec<f64> {
    flodl::manual_seed(seed);
    let opts = TensorOptions {
        dtype: DType::Float64,
        device: Device::CPU,
    };
    Tensor::randn(shape, opts)
        .unwrap()
        .to_f64_vec()
        .unwrap()
        .into_iter()
        .map(domain)
        .collect()
}

#[test]
fn gradients_match_finite_differences() {
    // Each op, with random output weights, through the public gradcheck.
    let options = GradcheckOptions {
        eps: 1e-6,
        atol: 1e-6,
        rtol: 1e-5,
    };
    let mut failures = Vec::new();
    for case in cases() {
        let inputs: Vec<Tensor> = case
            .shapes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Tensor::from_f64(&sample(s, case.domain, 10 + i as u64), s, Device::CPU).unwrap()
            })
            .collect();
        let refs: Vec<&Tensor> = inputs.iter().collect();
        let probe = leaves_like(&inputs);
        let shape = (case.op)(&probe)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            .shape();
        let weight = Variable::new(
            Tensor::from_f64(&sample(&shape, any, 3), &shape, Device::CPU).unwrap(),
            false,
        )
        .unwrap();
        let weighted = |v: &[Variable]| (case.op)(v)?.mul(&weight)?.sum();
        if let Err(e) = gradcheck(weighted, &refs, options) {
            failures.push(format!("{}: {e}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn leaves_like(inputs: &[Tensor]) -> Vec<Variable> {
    inputs
        .iter()
        .map(|t| Variable::new(t.clone(), true).unwrap())
        .collect()
}

#[test]
fn gradgradcheck_of_smooth_ops() {
    let x = Tensor::from_f64(&[0.3, -0.7, 1.2], &[3], Device::CPU).unwrap();
    let w = Tensor::from_f64(&[0.5, 2.0, -1.0], &[3], Device::CPU).unwrap();
    let f = |v: &[Variable]| v[0].mul(&v[1])?.tanh()?.sum();
    assert!(gradgradcheck(f, &[&x, &w], GradcheckOptions::default()).unwrap());
    // A wrong gradient is caught and located.
    let doubled = |v: &[Variable]| {
        v[0].register_hook(|g| Ok(Some(g.mul_scalar(2.0)?)))?;
        v[0].sin()?.sum()
    };
    let err = gradcheck(doubled, &[&x], GradcheckOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("gradcheck: input 0, element"),
        "{err}"
    );
}

#[test]
fn every_op_of_the_catalogue_has_a_case() {
    // The differentiable op names of the contract, in tests/spec_ops.txt
    // (the lines before "# not differentiable").
    let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    let list = include_str!("spec_ops.txt");
    let differentiable = list.split("# not differentiable").next().unwrap_or(list);
    for op in differentiable
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
    {
        assert!(names.contains(&op), "no gradient case for {op}");
    }
}

#[test]
fn gradcheck_takes_several_outputs_and_names_the_wrong_one() -> Result<()> {
    let x = Tensor::from_f64(&[0.3, -0.7, 1.2], &[3], Device::CPU)?;
    let both = |v: &[Variable]| Ok(vec![v[0].sin()?, v[0].mul(&v[0])?]);
    assert!(gradcheck(both, &[&x], GradcheckOptions::default())?);
    assert!(gradgradcheck(both, &[&x], GradcheckOptions::default())?);
    let second_wrong = |v: &[Variable]| {
        let square = v[0].mul(&v[0])?;
        square.register_hook(|g| Ok(Some(g.mul_scalar(2.0)?)))?;
        Ok(vec![v[0].sin()?, square.exp()?])
    };
    let err = gradcheck(second_wrong, &[&x], GradcheckOptions::default()).unwrap_err();
    assert!(err.to_string().contains("(output 1, element"), "{err}");
    Ok(())
}
