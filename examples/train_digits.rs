//! The digits example in Rust: an MLP and a small CNN trained with
//! flodl::nn and flodl::optim on scikit-learn's digits, read from the
//! safetensors file `examples/train_digits.py --export PATH` writes.
//!
//! It is `train_digits.py`'s flodl run in Rust, and computes the same
//! numbers: the same models built in the same order after the same
//! `manual_seed` (Rust and Python share libtorch's generator, so they start
//! from the same weights and draw the same dropout masks), the same
//! mini-batches (numpy's `default_rng(0).permutation` each epoch, cut as
//! `np.array_split` cuts, reproduced below), Adam and cross-entropy.
//! `--json` prints a line per model with its per-epoch losses and held-out
//! accuracy, as `train_digits.py --json` does
//! (tests/python/test_rust_twins.py compares them).
//!
//! ```text
//! python examples/train_digits.py --export target/digits.safetensors
//! cargo run --release --example train_digits -- target/digits.safetensors
//! cargo run --release --example train_digits -- target/digits.safetensors --epochs 3 --json
//! ```

use std::time::Instant;

use flodl::nn::{self, Module};
use flodl::optim::{self, AdamOptions};
use flodl::{Result, Tensor, Variable};

/// The seed of the batch order and of the weights, as the Python example's.
const SEED: u64 = 0;

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
            .ok_or_else(|| argument_error(format!("{path}: no tensor {name:?}")))
    };
    Ok(Digits {
        x_train: get("x_train")?,
        y_train: get("y_train")?,
        x_test: get("x_test")?,
        y_test: get("y_test")?,
    })
}

fn argument_error(message: String) -> flodl::Error {
    flodl::Error::new(flodl::ErrorKind::Argument, message)
}

/// A function that builds a model.
type Build = fn() -> Result<nn::Sequential>;

/// 64 -> 128 -> 64 -> 10 with ReLU (the Python example's `build_mlp`).
fn mlp() -> Result<nn::Sequential> {
    Ok(nn::Sequential::new()
        .add(nn::Linear::new(64, 128, true)?)
        .add(nn::ReLU)
        .add(nn::Linear::new(128, 64, true)?)
        .add(nn::ReLU)
        .add(nn::Linear::new(64, 10, true)?))
}

/// Two 3x3 convolutions on the 1x8x8 image, a 2x2 max-pool, then two linear
/// layers (`build_cnn`: the same layers, so the same parameter names).
fn cnn() -> Result<nn::Sequential> {
    Ok(nn::Sequential::new()
        .add(nn::Unflatten {
            dim: 1,
            sizes: vec![1, 8, 8],
        })
        .add(nn::Conv2d::new(1, 16, 3, 1, 1)?)
        .add(nn::ReLU)
        .add(nn::Conv2d::new(16, 32, 3, 1, 1)?)
        .add(nn::ReLU)
        .add(nn::MaxPool2d::new([2, 2]))
        .add(nn::Flatten::default())
        .add(nn::Linear::new(32 * 4 * 4, 64, true)?)
        .add(nn::ReLU)
        .add(nn::Dropout::new(0.25)?)
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

/// What one model's training gave: each epoch's mean loss and the held-out
/// accuracy.
struct Trained {
    losses: Vec<f64>,
    accuracy: f64,
}

/// Trains `model` with Adam at `lr` on the mini-batches `batches` (per
/// epoch, the rows of each batch), then measures it on the test split.
fn train(model: &dyn Module, data: &Digits, batches: &[Vec<Tensor>], lr: f64) -> Result<Trained> {
    let options = AdamOptions {
        lr,
        ..Default::default()
    };
    let mut opt = optim::Adam::new(model.parameters(), options)?;
    let n = data.x_train.shape()[0];
    let mut losses = Vec::with_capacity(batches.len());
    model.train();
    for epoch in batches {
        // Summed in f64 in batch order, as the Python loop sums loss.item().
        let mut total = 0.0;
        for rows in epoch {
            let x = Variable::new(data.x_train.index_select(0, rows)?, false)?;
            let y = data.y_train.index_select(0, rows)?;
            let logits = model.forward(&x)?;
            let loss = flodl::cross_entropy(&logits, &y, None, -100, flodl::Reduction::Mean, 0.0)?;
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
            total += loss.item()? * rows.shape()[0] as f64;
        }
        losses.push(total / n as f64);
    }
    let accuracy = accuracy(model, &data.x_test, &data.y_test)?;
    Ok(Trained { losses, accuracy })
}

/// The options: `[DATA] [--epochs N] [--batch-size B] [--lr LR] [--json]`.
struct Args {
    path: String,
    epochs: usize,
    batch_size: usize,
    lr: f64,
    json: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        path: "target/digits.safetensors".into(),
        epochs: 20,
        batch_size: 32,
        lr: 2e-3,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| argument_error(format!("{name} needs a value")))
        };
        let bad = |name: &str, v: &str| argument_error(format!("{name}: not a number: {v:?}"));
        match arg.as_str() {
            "--epochs" => {
                let v = value("--epochs")?;
                args.epochs = v.parse().map_err(|_| bad("--epochs", &v))?;
            }
            "--batch-size" => {
                let v = value("--batch-size")?;
                args.batch_size = v.parse().map_err(|_| bad("--batch-size", &v))?;
            }
            "--lr" => {
                let v = value("--lr")?;
                args.lr = v.parse().map_err(|_| bad("--lr", &v))?;
            }
            "--json" => args.json = true,
            flag if flag.starts_with("--") => {
                return Err(argument_error(format!(
                    "unknown option {flag}; usage: train_digits [DATA] [--epochs N] \
                     [--batch-size B] [--lr LR] [--json]"
                )))
            }
            path => args.path = path.into(),
        }
    }
    if args.batch_size == 0 {
        return Err(argument_error("--batch-size must be positive".into()));
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let data = load(&args.path)?;
    // One thread unless told otherwise, as the Python example: on a small,
    // shared machine libtorch's threads cost more than they give.
    if std::env::var_os("OMP_NUM_THREADS").is_none() {
        flodl::set_num_threads(1);
    }
    let n = data.x_train.shape()[0] as usize;
    let batches = batch_order(n, args.batch_size, args.epochs)?;
    let models: [(&str, Build); 2] = [("MLP", mlp), ("CNN", cnn)];
    for (label, build) in models {
        // Seeded before each model, as the Python example does.
        flodl::manual_seed(SEED);
        let model = build()?;
        let start = Instant::now();
        let trained = train(&model, &data, &batches, args.lr)?;
        println!(
            "{label}: held-out accuracy {:.2}% in {:.1} s",
            trained.accuracy * 100.0,
            start.elapsed().as_secs_f64()
        );
        if args.json {
            // `{:?}` is the shortest text that reads back as the same f64.
            let losses: Vec<String> = trained.losses.iter().map(|l| format!("{l:?}")).collect();
            println!(
                "{{\"model\": \"{label}\", \"losses\": [{}], \"accuracy\": {:?}}}",
                losses.join(", "),
                trained.accuracy
            );
        }
    }
    Ok(())
}

// ----- the batch order: numpy's, so that both twins see the same batches -----

/// Every epoch's mini-batches (the row indices of each, as Int64 tensors):
/// `train_digits.py`'s `batch_order`, that is `np.array_split` of
/// `np.random.default_rng(SEED).permutation(n)` into `ceil(n / batch_size)`
/// batches, once per epoch.
fn batch_order(n: usize, batch_size: usize, epochs: usize) -> Result<Vec<Vec<Tensor>>> {
    let mut rng = Pcg64::new(SEED);
    let sections = n.div_ceil(batch_size);
    (0..epochs)
        .map(|_| {
            let order = rng.permutation(n);
            // array_split: the first n % sections batches take one row more.
            let (size, longer) = (n / sections, n % sections);
            let mut start = 0;
            (0..sections)
                .map(|i| {
                    let len = size + usize::from(i < longer);
                    let rows = &order[start..start + len];
                    start += len;
                    Tensor::from_i64(rows, &[len as i64], flodl::Device::CPU)
                })
                .collect()
        })
        .collect()
}

/// numpy's default bit generator, PCG64 (XSL-RR 128/64), seeded as
/// `np.random.default_rng(seed)` seeds it (through a SeedSequence), with
/// the bounded draws of `Generator.permutation`.
struct Pcg64 {
    state: u128,
    inc: u128,
    /// The upper half of a 64-bit draw, kept for the next 32-bit one.
    spare: Option<u32>,
}

impl Pcg64 {
    const MULTIPLIER: u128 = (2549297995355413924 << 64) + 4865540595714422341;

    fn new(seed: u64) -> Self {
        let words = seed_sequence(seed);
        let init_state = (u128::from(words[0]) << 64) | u128::from(words[1]);
        let init_seq = (u128::from(words[2]) << 64) | u128::from(words[3]);
        let mut rng = Pcg64 {
            state: 0,
            inc: (init_seq << 1) | 1,
            spare: None,
        };
        rng.step();
        rng.state = rng.state.wrapping_add(init_state);
        rng.step();
        rng
    }

    fn step(&mut self) {
        self.state = self
            .state
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(self.inc);
    }

    fn next_u64(&mut self) -> u64 {
        self.step();
        let folded = ((self.state >> 64) as u64) ^ (self.state as u64);
        folded.rotate_right((self.state >> 122) as u32)
    }

    fn next_u32(&mut self) -> u32 {
        if let Some(spare) = self.spare.take() {
            return spare;
        }
        let draw = self.next_u64();
        self.spare = Some((draw >> 32) as u32);
        draw as u32
    }

    /// A uniform integer in `0..=max`: masked draws, the ones above `max`
    /// rejected (numpy's `random_interval`).
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let value = if max <= u64::from(u32::MAX) {
                u64::from(self.next_u32()) & mask
            } else {
                self.next_u64() & mask
            };
            if value <= max {
                return value;
            }
        }
    }

    /// `Generator.permutation(n)`: a Fisher-Yates shuffle of `0..n` from the
    /// last position down.
    fn permutation(&mut self, n: usize) -> Vec<i64> {
        let mut items: Vec<i64> = (0..n as i64).collect();
        for i in (1..n).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
        items
    }
}

/// The four 64-bit words numpy's `SeedSequence(seed).generate_state(4,
/// np.uint64)` gives: the seed's 32-bit words hashed into a pool of four,
/// mixed, and drawn out again.
fn seed_sequence(seed: u64) -> [u64; 4] {
    const INIT_A: u32 = 0x43b0_d7e5;
    const MULT_A: u32 = 0x931e_8875;
    const INIT_B: u32 = 0x8b51_f9dd;
    const MULT_B: u32 = 0x58f3_8ded;
    const MIX_MULT_L: u32 = 0xca01_f9dd;
    const MIX_MULT_R: u32 = 0x4973_f715;
    let entropy: Vec<u32> = if seed >> 32 == 0 {
        vec![seed as u32]
    } else {
        vec![seed as u32, (seed >> 32) as u32]
    };
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut value = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        value = value.wrapping_mul(hash_const);
        value ^ (value >> 16)
    };
    let mix = |x: u32, y: u32| {
        let result = MIX_MULT_L
            .wrapping_mul(x)
            .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        result ^ (result >> 16)
    };
    let mut pool = [0u32; 4];
    for (i, slot) in pool.iter_mut().enumerate() {
        *slot = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..4 {
        for dst in 0..4 {
            if src != dst {
                let hashed = hashmix(pool[src]);
                pool[dst] = mix(pool[dst], hashed);
            }
        }
    }
    let mut hash_const = INIT_B;
    let mut words = [0u32; 8];
    for (i, word) in words.iter_mut().enumerate() {
        let mut value = pool[i % 4] ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_B);
        value = value.wrapping_mul(hash_const);
        *word = value ^ (value >> 16);
    }
    std::array::from_fn(|i| u64::from(words[2 * i]) | (u64::from(words[2 * i + 1]) << 32))
}
