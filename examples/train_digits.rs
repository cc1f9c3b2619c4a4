//! The digits example in Rust: an MLP and a small CNN trained with
//! flodl::nn and flodl::optim on scikit-learn's digits, read from the
//! safetensors file `examples/train_digits.py --export PATH` writes.
//!
//! ```text
//! python examples/train_digits.py --export target/digits.safetensors
//! cargo run --release --example train_digits -- target/digits.safetensors
//! ```

use std::time::Instant;

use flodl::nn::{self, Module};
use flodl::optim::{self, AdamOptions};
use flodl::{Result, Tensor, Variable};

/// The split data set, by the names the Python exporter gives it.
struct Digits {
    x_train: Tensor,
    y_train: Tensor,
    x_test: Tensor,
    y_test: Tensor,
}

fn load(path: &str) -> Result<Digits> {
    let tensors = flodl::io::load(path)?;
    let get = |name: &str| {
        tensors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| {
                flodl::Error::new(
                    flodl::ErrorKind::Argument,
                    format!("{path}: no tensor {name:?}"),
                )
            })
    };
    Ok(Digits {
        x_train: get("x_train")?,
        y_train: get("y_train")?,
        x_test: get("x_test")?,
        y_test: get("y_test")?,
    })
}

fn mlp() -> Result<nn::Sequential> {
    Ok(nn::Sequential::new()
        .add(nn::Linear::new(64, 128, true)?)
        .add(nn::ReLU)
        .add(nn::Linear::new(128, 64, true)?)
        .add(nn::ReLU)
        .add(nn::Linear::new(64, 10, true)?))
}

fn cnn() -> Result<nn::Sequential> {
    Ok(nn::Sequential::new()
        .add(nn::Conv2d::new(1, 16, 3, 1, 1)?)
        .add(nn::ReLU)
        .add(nn::Conv2d::new(16, 32, 3, 1, 1)?)
        .add(nn::ReLU)
        .add(nn::MaxPool2d::new([2, 2]))
        .add(nn::Flatten::default())
        .add(nn::Linear::new(32 * 4 * 4, 64, true)?)
        .add(nn::ReLU)
        .add(nn::Dropout::new(0.2)?)
        .add(nn::Linear::new(64, 10, true)?))
}

/// The share of `x`'s rows the model classifies as `y` says.
fn accuracy(model: &dyn Module, x: &Tensor, y: &Tensor) -> Result<f64> {
    model.eval();
    let logits = flodl::no_grad(|| model.forward(&Variable::new(x.clone(), false)?))?;
    let correct = logits.data().argmax(1)?.eq(y)?.sum()?.item()?;
    model.train();
    Ok(correct / y.shape()[0] as f64)
}

/// Trains `model` with Adam on mini-batches of 64 (shuffled each epoch from
/// a seeded permutation) for `epochs`; `image` reshapes rows to 1x8x8.
fn train(model: &dyn Module, data: &Digits, epochs: usize, image: bool) -> Result<f64> {
    let options = AdamOptions {
        lr: 2e-3,
        ..Default::default()
    };
    let mut opt = optim::Adam::new(model.parameters(), options)?;
    let shape = |x: Tensor| {
        if image {
            x.reshape(&[-1, 1, 8, 8])
        } else {
            Ok(x)
        }
    };
    let n = data.x_train.shape()[0];
    for _ in 0..epochs {
        // A random permutation: the order of n uniform draws.
        let (_, order) = Tensor::rand(&[n], Default::default())?.sort(0, false)?;
        for start in (0..n).step_by(64) {
            let batch = order.narrow(0, start, 64.min(n - start))?;
            let x = Variable::new(shape(data.x_train.index_select(0, &batch)?)?, false)?;
            let y = data.y_train.index_select(0, &batch)?;
            let logits = model.forward(&x)?;
            let loss = flodl::cross_entropy(&logits, &y, None, -100, flodl::Reduction::Mean, 0.0)?;
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
        }
    }
    accuracy(model, &shape(data.x_test.clone())?, &data.y_test)
}

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/digits.safetensors".into());
    let data = load(&path)?;
    // One thread unless told otherwise, as the Python example: on a small,
    // shared machine libtorch's threads cost more than they give.
    if std::env::var_os("OMP_NUM_THREADS").is_none() {
        flodl::set_num_threads(1);
    }
    flodl::manual_seed(0);
    for (name, model, image, epochs) in [("mlp", mlp()?, false, 20), ("cnn", cnn()?, true, 20)] {
        let start = Instant::now();
        let acc = train(&model, &data, epochs, image)?;
        println!(
            "{name}: held-out accuracy {:.2}% in {:.1} s",
            acc * 100.0,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
