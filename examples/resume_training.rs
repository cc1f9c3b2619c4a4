//! Training that stops and resumes where it was, in Rust: an MLP trained
//! with RAdam and a cosine learning-rate schedule saves a checkpoint (the
//! model's and the optimizer's state dicts, the scheduler's state, the epoch
//! and the random generator's state, in one file by
//! `flodl::io::save_value`), and a fresh model, optimizer and scheduler
//! resume from it, to the same numbers the run would have given without
//! stopping.
//!
//! It is `examples/resume_training.py` in Rust and computes the same numbers
//! (the data and the weights come from libtorch's generator, which both
//! languages share); the checkpoint is the file Python's `flodl.save`
//! writes, so each language resumes the other's
//! (tests/python/test_rust_twins.py does both).
//!
//! ```text
//! cargo run --release --example resume_training                 # 4 epochs, save, resume, 4 more
//! cargo run --release --example resume_training -- --save-at 0  # the 8 epochs without stopping
//! cargo run --release --example resume_training -- --stop --checkpoint c.safetensors
//! python examples/resume_training.py --resume c.safetensors     # Python takes it from there
//! ```
//!
//! Options: `--epochs N` (8), `--save-at K` (4; 0: never), `--checkpoint
//! PATH`, `--stop` (exit after saving), `--resume PATH`, `--seed S` (0),
//! `--json` (end with a JSON line of the epochs).

use std::path::{Path, PathBuf};

use flodl::nn::{self, Module};
use flodl::optim::lr_scheduler::{CosineAnnealingLR, Scheduler};
use flodl::optim::{self, RAdamOptions};
use flodl::{Device, Reduction, Result, Tensor, TensorOptions, Value, Variable};

const N_TRAIN: i64 = 512;
const N_TEST: i64 = 128;
const BATCH: i64 = 32;

/// The data set: 640 points of 8 features in 3 classes.
struct Data {
    x_train: Tensor,
    y_train: Tensor,
    x_test: Tensor,
    y_test: Tensor,
}

/// Seeds the generator, then 640 points of 8 features labelled by a random
/// two-layer teacher into 3 classes.
fn make_data(seed: u64) -> Result<Data> {
    flodl::manual_seed(seed);
    let opts = TensorOptions::default();
    let x = Tensor::randn(&[N_TRAIN + N_TEST, 8], opts)?;
    let w1 = Tensor::randn(&[8, 16], opts)?;
    let w2 = Tensor::randn(&[16, 3], opts)?;
    let y = x.matmul(&w1)?.tanh()?.matmul(&w2)?.argmax(1)?;
    Ok(Data {
        x_train: x.narrow(0, 0, N_TRAIN)?,
        y_train: y.narrow(0, 0, N_TRAIN)?,
        x_test: x.narrow(0, N_TRAIN, N_TEST)?,
        y_test: y.narrow(0, N_TRAIN, N_TEST)?,
    })
}

/// What a checkpoint holds: the model, its optimizer and scheduler, and the
/// epochs done.
struct Training {
    model: nn::Sequential,
    optimizer: optim::RAdam,
    scheduler: Scheduler<CosineAnnealingLR>,
    epoch: usize,
}

/// A new model (initialised from the generator), RAdam and a cosine
/// schedule over `epochs`.
fn fresh(epochs: usize) -> Result<Training> {
    let model = nn::Sequential::new()
        .add(nn::Linear::new(8, 64, true)?)
        .add(nn::ReLU)
        .add(nn::Dropout::new(0.1)?)
        .add(nn::Linear::new(64, 3, true)?);
    let options = RAdamOptions {
        lr: 3e-2,
        weight_decay: 1e-4,
        ..Default::default()
    };
    let mut optimizer = optim::RAdam::new(model.parameters(), options)?;
    let cosine = CosineAnnealingLR {
        t_max: epochs,
        eta_min: 1e-4,
    };
    let scheduler = Scheduler::new(&mut optimizer, cosine);
    Ok(Training {
        model,
        optimizer,
        scheduler,
        epoch: 0,
    })
}

fn save_checkpoint(t: &Training, path: &Path) -> Result<()> {
    let state = t.model.state_dict().into_iter();
    let model = Value::dict(state.map(|(name, tensor)| (name, Value::Tensor(tensor))));
    let checkpoint = Value::dict([
        ("model", model),
        ("optim", t.optimizer.state_dict()),
        ("sched", t.scheduler.state_dict()),
        ("epoch", Value::Int(t.epoch as i64)),
        // The generator draws each epoch's order and dropout masks: without
        // its state a resumed run would go on with other batches.
        ("rng", Value::Tensor(flodl::get_rng_state(Device::CPU)?)),
    ]);
    flodl::io::save_value(&checkpoint, path)
}

fn load_checkpoint(t: &mut Training, path: &Path) -> Result<()> {
    let checkpoint = flodl::io::load_value(path)?;
    let bad = |what: String| argument_error(format!("{}: {what}", path.display()));
    let entry = |key: &str| {
        checkpoint
            .get(key)
            .ok_or_else(|| bad(format!("no {key:?}")))
    };
    // The model's state dict: a dict of tensors, as `load_state_dict` takes.
    let Value::Dict(entries) = entry("model")? else {
        return Err(bad("\"model\" is not a dict".into()));
    };
    let state = entries
        .iter()
        .map(|(name, value)| match value {
            Value::Tensor(tensor) => Ok((name.to_string(), tensor.clone())),
            other => Err(bad(format!("model.{name} is {}", other.kind()))),
        })
        .collect::<Result<Vec<(String, Tensor)>>>()?;
    t.model.load_state_dict(&state, true)?;
    t.optimizer.load_state_dict(entry("optim")?)?;
    t.scheduler.load_state_dict(entry("sched")?)?;
    let (Value::Int(epoch), Value::Tensor(rng)) = (entry("epoch")?, entry("rng")?) else {
        return Err(bad("\"epoch\" must be an int and \"rng\" a tensor".into()));
    };
    t.epoch = usize::try_from(*epoch).map_err(|_| bad(format!("epoch {epoch}")))?;
    flodl::set_rng_state(rng, Device::CPU)
}

/// Each epoch this process trained: its number, mean loss, learning rate
/// and held-out accuracy.
#[derive(Default)]
struct Log {
    epochs: Vec<usize>,
    losses: Vec<f64>,
    lrs: Vec<f64>,
    accuracies: Vec<f64>,
}

/// One epoch of shuffled mini-batches, the scheduler's step, and a line.
fn train_epoch(t: &mut Training, data: &Data, log: &mut Log, total: usize) -> Result<()> {
    let lr = t.optimizer.lr();
    t.model.train();
    let order = Tensor::randperm(N_TRAIN, Device::CPU)?;
    let mut loss_sum = 0.0;
    for start in (0..N_TRAIN).step_by(BATCH as usize) {
        let rows = order.narrow(0, start, BATCH.min(N_TRAIN - start))?;
        let x = Variable::new(data.x_train.index_select(0, &rows)?, false)?;
        let y = data.y_train.index_select(0, &rows)?;
        let logits = t.model.forward(&x)?;
        let loss = flodl::cross_entropy(&logits, &y, None, -100, Reduction::Mean, 0.0)?;
        t.optimizer.zero_grad();
        loss.backward()?;
        t.optimizer.step()?;
        loss_sum += loss.item()? * rows.shape()[0] as f64;
    }
    t.scheduler.step(&mut t.optimizer);
    t.epoch += 1;
    t.model.eval();
    let x_test = Variable::new(data.x_test.clone(), false)?;
    let logits = flodl::no_grad(|| t.model.forward(&x_test))?;
    let correct = logits.data().argmax(1)?.eq(&data.y_test)?.sum()?.item()?;
    log.epochs.push(t.epoch);
    log.losses.push(loss_sum / N_TRAIN as f64);
    log.lrs.push(lr);
    log.accuracies.push(correct / N_TEST as f64);
    println!(
        "epoch {}/{total}: loss {:.6}, lr {lr:.6}, held-out accuracy {:.2}%",
        t.epoch,
        loss_sum / N_TRAIN as f64,
        correct / N_TEST as f64 * 100.0
    );
    Ok(())
}

/// The command line (see the module's doc).
struct Args {
    epochs: usize,
    save_at: usize,
    checkpoint: PathBuf,
    stop: bool,
    resume: Option<PathBuf>,
    seed: u64,
    json: bool,
}

fn argument_error(message: String) -> flodl::Error {
    flodl::Error::new(flodl::ErrorKind::Argument, message)
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        epochs: 8,
        save_at: 4,
        checkpoint: std::env::temp_dir().join("flodl-resume-training.safetensors"),
        stop: false,
        resume: None,
        seed: 0,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| argument_error(format!("{flag} needs a value")))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| argument_error(format!("{flag}: not a number: {v:?}")))
        };
        match flag.as_str() {
            "--epochs" => args.epochs = number(value()?)? as usize,
            "--save-at" => args.save_at = number(value()?)? as usize,
            "--seed" => args.seed = number(value()?)?,
            "--checkpoint" => args.checkpoint = value()?.into(),
            "--resume" => args.resume = Some(value()?.into()),
            "--stop" => args.stop = true,
            "--json" => args.json = true,
            _ => {
                return Err(argument_error(format!(
                    "unknown option {flag:?}; usage: resume_training [--epochs N] [--save-at K] \
                     [--checkpoint PATH] [--stop] [--resume PATH] [--seed S] [--json]"
                )))
            }
        }
    }
    Ok(args)
}

/// `[a, b, ...]` with each item as `{:?}` writes it (for an f64, the
/// shortest text that reads back as the same number).
fn json_list<T: std::fmt::Debug>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn main() -> Result<()> {
    let args = parse_args()?;
    // One thread unless told otherwise, as the Python twin.
    if std::env::var_os("OMP_NUM_THREADS").is_none() {
        flodl::set_num_threads(1);
    }
    let data = make_data(args.seed)?;
    let mut t = fresh(args.epochs)?;
    if let Some(path) = &args.resume {
        load_checkpoint(&mut t, path)?;
        println!("resumed from {} after epoch {}", path.display(), t.epoch);
    }
    let mut log = Log::default();
    while t.epoch < args.epochs {
        train_epoch(&mut t, &data, &mut log, args.epochs)?;
        if t.epoch == args.save_at {
            save_checkpoint(&t, &args.checkpoint)?;
            let path = args.checkpoint.display();
            println!("saved a checkpoint after epoch {} to {path}", t.epoch);
            if args.stop {
                break;
            }
            // What a new process would do: new objects, the checkpoint loaded.
            t = fresh(args.epochs)?;
            load_checkpoint(&mut t, &args.checkpoint)?;
            println!(
                "resumed in a fresh model, optimizer and scheduler after epoch {}",
                t.epoch
            );
        }
    }
    if args.json {
        println!(
            "{{\"epochs\": {}, \"losses\": {}, \"lrs\": {}, \"accuracies\": {}}}",
            json_list(&log.epochs),
            json_list(&log.losses),
            json_list(&log.lrs),
            json_list(&log.accuracies)
        );
    }
    Ok(())
}
