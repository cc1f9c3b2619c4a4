//! Each differentiable op's gradient against central finite differences in
//! float64, from Rust alone: the core is proven without Python.
use flodl::{DType, Device, Result, Tensor, TensorOptions, Variable};

type Op = fn(&Variable, &Variable) -> Result<Variable>;
type Domain = fn(f64) -> f64;

/// (name, op on (x, y), whether y is used, maps samples into the domain)
const OPS: &[(&str, Op, bool, Domain)] = &[
    ("add", |x, y| x.add(y), true, |v| v),
    ("sub", |x, y| x.sub(y), true, |v| v),
    ("mul", |x, y| x.mul(y), true, |v| v),
    ("div", |x, y| x.div(y), true, |v| v.abs() + 0.5),
    ("matmul", |x, y| x.matmul(y), true, |v| v),
    ("mul_scalar", |x, _| x.mul_scalar(-1.5), false, |v| v),
    ("add_scalar", |x, _| x.add_scalar(2.0), false, |v| v),
    ("div_scalar", |x, _| x.div_scalar(4.0), false, |v| v),
    ("neg", |x, _| x.neg(), false, |v| v),
    (
        "relu",
        |x, _| x.relu(),
        false,
        |v| if v.abs() < 0.1 { v + 0.3 } else { v },
    ),
    ("sigmoid", |x, _| x.sigmoid(), false, |v| v),
    ("tanh", |x, _| x.tanh(), false, |v| v),
    ("exp", |x, _| x.exp(), false, |v| v),
    ("log", |x, _| x.log(), false, |v| v.abs() + 0.5),
    (
        "reciprocal",
        |x, _| x.reciprocal(),
        false,
        |v| v.abs() + 0.5,
    ),
    (
        "pow_scalar",
        |x, _| x.pow_scalar(2.5),
        false,
        |v| v.abs() + 0.5,
    ),
    ("sum", |x, _| x.sum(), false, |v| v),
    ("mean", |x, _| x.mean(), false, |v| v),
];

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

/// sum(op(x, y) * weight), the scalar whose gradient is checked.
fn loss(op: Op, x: &[f64], y: &[f64], weight: &Tensor) -> f64 {
    let x = Variable::new(Tensor::from_f64(x, &[3, 3], Device::CPU).unwrap(), false).unwrap();
    let y = Variable::new(Tensor::from_f64(y, &[3, 3], Device::CPU).unwrap(), false).unwrap();
    let out = op(&x, &y).unwrap();
    out.data()
        .mul(&weight.to_dtype(DType::Float64).unwrap())
        .unwrap()
        .sum()
        .unwrap()
        .item()
        .unwrap()
}

#[test]
fn gradients_match_finite_differences() {
    for &(name, op, binary, domain) in OPS {
        let xs = sample(&[3, 3], domain, 1);
        let ys = sample(&[3, 3], domain, 2);
        let x = Variable::new(Tensor::from_f64(&xs, &[3, 3], Device::CPU).unwrap(), true).unwrap();
        let y = Variable::new(Tensor::from_f64(&ys, &[3, 3], Device::CPU).unwrap(), true).unwrap();
        let out = op(&x, &y).unwrap();
        let weight =
            Tensor::from_f64(&sample(&out.shape(), |v| v, 3), &out.shape(), Device::CPU).unwrap();
        out.mul(&Variable::new(weight.clone(), false).unwrap())
            .unwrap()
            .sum()
            .unwrap()
            .backward()
            .unwrap();

        let mut inputs = vec![(x, xs.clone(), true)];
        if binary {
            inputs.push((y, ys.clone(), false));
        }
        for (var, values, is_x) in inputs {
            let analytic = var.grad().unwrap().to_f64_vec().unwrap();
            let eps = 1e-6;
            for i in 0..values.len() {
                let shifted = |delta: f64| {
                    let mut v = values.clone();
                    v[i] += delta;
                    if is_x {
                        loss(op, &v, &ys, &weight)
                    } else {
                        loss(op, &xs, &v, &weight)
                    }
                };
                let numeric = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
                let tolerance = 1e-6 + 1e-5 * numeric.abs();
                assert!(
                    (analytic[i] - numeric).abs() < tolerance,
                    "{name}: d/d{}[{i}] analytic {} vs numeric {numeric}",
                    if is_x { "x" } else { "y" },
                    analytic[i]
                );
            }
        }
    }
}
