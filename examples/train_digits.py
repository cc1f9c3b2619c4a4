"""Trains an MLP and a small CNN on scikit-learn's handwritten digits with
flodl.nn and flodl.optim, and prints their held-out accuracy.

The models are built by functions that take the module namespace, so the same
program builds the flodl model (``build_cnn(flodl.nn)``) and its PyTorch twin
(``build_cnn(torch.nn)``); ``--torch`` trains both from the same initial
weights on the same batches and prints a table of accuracy and time.

    python examples/train_digits.py                  # flodl only
    python examples/train_digits.py --torch          # flodl beside PyTorch
    python examples/train_digits.py --export d.safetensors  # the data for train_digits.rs
    python examples/train_digits.py --save cnn.safetensors  # the trained CNN's weights
    python examples/train_digits.py --epochs 3 --json  # per-epoch losses, as JSON lines

``examples/train_digits.rs`` is the flodl run in Rust, on the data
``--export`` writes: the same models, seed, batches and optimizer, so the
same numbers (tests/python/test_rust_twins.py compares their ``--json``
lines).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

# Models this small train fastest on one thread, and a libtorch pool with more
# threads than free cores can be many times slower (flodl has no
# set_num_threads yet): one thread unless OMP_NUM_THREADS says otherwise. It
# must be set before numpy, flodl or torch load their thread pools.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import flodl

SEED = 0


# ----- the models: one definition for both libraries -----


def build_mlp(nn: ModuleType) -> Any:
    """64 -> 128 -> 64 -> 10 with ReLU."""
    return nn.Sequential(
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def build_cnn(nn: ModuleType) -> Any:
    """Two 3x3 convolutions on the 1x8x8 image, a 2x2 max-pool, then two linear layers."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),  # [N, 64] -> [N, 1, 8, 8]
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64),
        nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(64, 10),
    )


# ----- a library: what the training loop needs of it -----


@dataclass
class Library:
    """The names by which the training loop reaches flodl or PyTorch."""

    name: str
    nn: ModuleType
    F: ModuleType
    optim: ModuleType
    tensor: Callable[[np.ndarray], Any]  # a numpy array to a (data) tensor
    no_grad: Callable[[], Any]
    manual_seed: Callable[[int], Any]


def flodl_library() -> Library:
    import flodl.nn.functional

    return Library(
        "flodl",
        flodl.nn,
        flodl.nn.functional,
        flodl.optim,
        flodl.tensor,
        flodl.no_grad,
        flodl.manual_seed,
    )


def torch_library() -> Library:
    import torch
    import torch.nn.functional

    return Library(
        "torch",
        torch.nn,
        torch.nn.functional,
        torch.optim,
        torch.from_numpy,
        torch.no_grad,
        torch.manual_seed,
    )


# ----- data -----


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 1797 digits scaled to [0, 1], split 80/20 (stratified, fixed seed)."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=SEED, stratify=y
    )
    return x_train, y_train, x_test, y_test


def batch_order(n: int, batch_size: int, epochs: int) -> list[list[np.ndarray]]:
    """The shuffled mini-batch indices of every epoch, from a seeded generator,
    so that every model and library sees the same batches."""
    rng = np.random.default_rng(SEED)
    return [np.array_split(rng.permutation(n), -(-n // batch_size)) for _ in range(epochs)]


# ----- training -----


@dataclass
class Result:
    model: str
    library: str
    accuracy: float
    seconds: float
    losses: list[float]  # each epoch's mean training loss


def train(
    lib: Library,
    model: Any,
    data: tuple[np.ndarray, ...],
    batches: list[list[np.ndarray]],
    lr: float,
    label: str,
    progress: bool,
) -> tuple[Any, float, list[float]]:
    """Trains ``model`` with Adam and cross-entropy; returns it, its held-out
    accuracy and each epoch's mean training loss."""
    x_train, y_train, x_test, y_test = data
    optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    bar = tqdm(
        total=sum(len(epoch) for epoch in batches),
        desc=f"{label:>3} {lib.name:<5}",
        disable=not progress,
        leave=False,
    )
    losses = []
    model.train()
    for epoch, epoch_batches in enumerate(batches, 1):
        total = 0.0
        for idx in epoch_batches:
            x, y = lib.tensor(x_train[idx]), lib.tensor(y_train[idx])
            loss = lib.F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            bar.update()
        losses.append(total / len(x_train))
        bar.set_postfix(epoch=epoch, loss=f"{losses[-1]:.4f}")
    bar.close()

    model.eval()
    with lib.no_grad():
        predicted = model(lib.tensor(x_test)).argmax(1).numpy()
    return model, float((predicted == y_test).mean()), losses


def warm_up(lib: Library) -> None:
    """One untimed Adam step on a throwaway layer, so that a library's one-time
    set-up (lazy imports, thread pools) is not counted in the first model's time."""
    layer = lib.nn.Linear(64, 10)
    loss = layer(lib.tensor(np.zeros((2, 64), np.float32))).sum()
    loss.backward()
    lib.optim.Adam(layer.parameters()).step()


def initial_state(model: Any) -> dict[str, np.ndarray]:
    """A copy of a model's parameters as numpy arrays."""
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs per model (20)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--torch", action="store_true", help="also train the PyTorch twins")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--export", metavar="PATH", help="write the split data and exit")
    parser.add_argument("--save", metavar="PATH", help="save the trained CNN's state_dict")
    parser.add_argument(
        "--json",
        action="store_true",
        help="also print a JSON line per model: its per-epoch losses and accuracy",
    )
    args = parser.parse_args(argv)

    data = load_split()
    x_train, y_train, x_test, y_test = data
    if args.export:
        split = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
        flodl.save({k: flodl.tensor(v) for k, v in split.items()}, args.export)
        print(f"wrote {len(x_train)} training and {len(x_test)} test digits to {args.export}")
        return 0

    print(f"digits: {len(x_train)} training, {len(x_test)} held out")
    batches = batch_order(len(x_train), args.batch_size, args.epochs)
    libraries = [flodl_library()] + ([torch_library()] if args.torch else [])
    for lib in libraries:
        warm_up(lib)
    results: list[Result] = []
    for label, build in (("MLP", build_mlp), ("CNN", build_cnn)):
        start_weights = None  # flodl's initial weights, which the PyTorch twin starts from
        for lib in libraries:
            lib.manual_seed(SEED)
            model = build(lib.nn)
            if start_weights is None:
                start_weights = initial_state(model)
            else:
                model.load_state_dict({k: lib.tensor(v) for k, v in start_weights.items()})
            start = time.perf_counter()
            progress = not args.no_progress
            model, accuracy, losses = train(lib, model, data, batches, args.lr, label, progress)
            seconds = time.perf_counter() - start
            results.append(Result(label, lib.name, accuracy, seconds, losses))
            print(f"{label} ({lib.name}): held-out accuracy {accuracy:.2%} in {seconds:.1f} s")
            if args.json:
                line = {"model": label, "library": lib.name, "losses": losses, "accuracy": accuracy}
                print(json.dumps(line))
            if label == "CNN" and lib.name == "flodl" and args.save:
                flodl.save(model.state_dict(), args.save)
                print(f"saved the CNN's state_dict to {args.save}")

    if args.torch:
        print()
        print(f"{'model':<6} {'library':<8} {'accuracy':>9} {'seconds':>8}")
        for r in results:
            print(f"{r.model:<6} {r.library:<8} {r.accuracy:>9.2%} {r.seconds:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
