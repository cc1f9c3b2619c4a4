"""Training that stops and resumes where it was: an MLP trained with RAdam
and a cosine learning-rate schedule saves a checkpoint (the model's and the
optimizer's state dicts, the scheduler's state, the epoch and the random
generator's state) and a fresh model, optimizer and scheduler resume from
it, to the same numbers the run would have given without stopping.

    python examples/resume_training.py              # 4 epochs, save, resume in fresh objects, 4 more
    python examples/resume_training.py --save-at 0  # the same 8 epochs without stopping
    python examples/resume_training.py --stop --checkpoint c.safetensors  # save after epoch 4, exit
    python examples/resume_training.py --resume c.safetensors  # epochs 5-8 from that checkpoint
    python examples/resume_training.py --torch      # the same program on PyTorch

``examples/resume_training.rs`` is the same program in Rust, and computes the
same numbers; the checkpoints are one format (``flodl.save`` and
``flodl::io::save_value``), so each language resumes the other's
(tests/python/test_rust_twins.py does both). The program is written against
the module namespace, so ``--torch`` runs it on torch, torch.nn and
torch.optim (its checkpoint is then ``torch.save``'s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

# One thread unless OMP_NUM_THREADS says otherwise (see train_digits.py);
# set before flodl or torch load their thread pools (main imports them).
os.environ.setdefault("OMP_NUM_THREADS", "1")

N_TRAIN, N_TEST, BATCH = 512, 128, 32


def make_data(lib: ModuleType, seed: int) -> tuple[Any, Any, Any, Any]:
    """Seeds the generator, then 640 points of 8 features labelled by a random
    two-layer teacher into 3 classes: (x_train, y_train, x_test, y_test)."""
    lib.manual_seed(seed)
    x = lib.randn(N_TRAIN + N_TEST, 8)
    w1, w2 = lib.randn(8, 16), lib.randn(16, 3)
    y = ((x @ w1).tanh() @ w2).argmax(1)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


@dataclass
class Training:
    """What a checkpoint holds: the model, its optimizer and scheduler, and
    the epochs done."""

    model: Any
    optimizer: Any
    scheduler: Any
    epoch: int = 0


def fresh(lib: ModuleType, epochs: int) -> Training:
    """A new model (initialised from the generator), RAdam and a cosine
    schedule over ``epochs``."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 3))
    optimizer = lib.optim.RAdam(model.parameters(), lr=3e-2, weight_decay=1e-4)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-4)
    return Training(model, optimizer, scheduler)


def save_checkpoint(lib: ModuleType, t: Training, path: str) -> None:
    checkpoint = {
        "model": t.model.state_dict(),
        "optim": t.optimizer.state_dict(),
        "sched": t.scheduler.state_dict(),
        "epoch": t.epoch,
        # The generator draws each epoch's order and dropout masks: without
        # its state a resumed run would go on with other batches.
        "rng": lib.get_rng_state(),
    }
    lib.save(checkpoint, path)


def load_checkpoint(lib: ModuleType, t: Training, path: str) -> None:
    checkpoint = lib.load(path)
    t.model.load_state_dict(checkpoint["model"])
    t.optimizer.load_state_dict(checkpoint["optim"])
    t.scheduler.load_state_dict(checkpoint["sched"])
    t.epoch = int(checkpoint["epoch"])
    lib.set_rng_state(checkpoint["rng"])


@dataclass
class Log:
    """Each epoch this process trained: its number, mean loss, learning rate
    and held-out accuracy."""

    epochs: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)


def train_epoch(lib: ModuleType, t: Training, data: tuple[Any, ...], log: Log, total: int) -> None:
    """One epoch of shuffled mini-batches, the scheduler's step, and a line."""
    x_train, y_train, x_test, y_test = data
    cross_entropy = lib.nn.functional.cross_entropy
    lr = t.optimizer.param_groups[0]["lr"]
    t.model.train()
    order = lib.randperm(N_TRAIN)
    loss_sum = 0.0
    for start in range(0, N_TRAIN, BATCH):
        rows = order[start : start + BATCH]
        loss = cross_entropy(t.model(x_train[rows]), y_train[rows])
        t.optimizer.zero_grad()
        loss.backward()
        t.optimizer.step()
        loss_sum += loss.item() * len(rows)
    t.scheduler.step()
    t.epoch += 1
    t.model.eval()
    with lib.no_grad():
        correct = (t.model(x_test).argmax(1) == y_test).sum().item()
    log.epochs.append(t.epoch)
    log.losses.append(loss_sum / N_TRAIN)
    log.lrs.append(lr)
    log.accuracies.append(correct / N_TEST)
    print(
        f"epoch {t.epoch}/{total}: loss {log.losses[-1]:.6f}, lr {lr:.6f}, "
        f"held-out accuracy {log.accuracies[-1]:.2%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=8, help="epochs in all (8)")
    parser.add_argument(
        "--save-at", type=int, default=4, help="save a checkpoint after this epoch (4; 0: never)"
    )
    parser.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="where the checkpoint goes (flodl-resume-training.safetensors, or .pt with"
        " --torch, in the temporary directory)",
    )
    parser.add_argument("--stop", action="store_true", help="exit after saving the checkpoint")
    parser.add_argument("--resume", metavar="PATH", help="start from this checkpoint")
    parser.add_argument("--seed", type=int, default=0, help="the data's and the weights' (0)")
    parser.add_argument("--torch", action="store_true", help="run the program on PyTorch")
    parser.add_argument("--json", action="store_true", help="end with a JSON line of the epochs")
    args = parser.parse_args(argv)

    if args.torch:
        # The submodules the program reaches as lib.nn.functional, ...
        import torch.nn.functional
        import torch.optim.lr_scheduler

        lib: ModuleType = torch
    else:
        import flodl.nn.functional
        import flodl.optim.lr_scheduler

        lib = flodl
    if args.checkpoint is None:
        suffix = ".pt" if args.torch else ".safetensors"  # torch.load reads either by the name
        args.checkpoint = os.path.join(tempfile.gettempdir(), "flodl-resume-training" + suffix)

    data = make_data(lib, args.seed)
    t = fresh(lib, args.epochs)
    if args.resume:
        load_checkpoint(lib, t, args.resume)
        print(f"resumed from {args.resume} after epoch {t.epoch}")
    log = Log()
    while t.epoch < args.epochs:
        train_epoch(lib, t, data, log, args.epochs)
        if t.epoch == args.save_at:
            save_checkpoint(lib, t, args.checkpoint)
            print(f"saved a checkpoint after epoch {t.epoch} to {args.checkpoint}")
            if args.stop:
                break
            # What a new process would do: new objects, the checkpoint loaded.
            t = fresh(lib, args.epochs)
            load_checkpoint(lib, t, args.checkpoint)
            print(f"resumed in a fresh model, optimizer and scheduler after epoch {t.epoch}")
    if args.json:
        print(json.dumps(log.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
