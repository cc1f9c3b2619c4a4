"""Long training runs of the example models, watching for leaks.

Trains each model of the examples with flodl (the digits MLP and CNN of
examples/train_digits.py, the character LSTM of examples/char_rnn.py, the
latter smaller than its default so that the run stays short) on random
batches, and prints the resident memory and ``flodl.live_tensor_count()``
at steps 100, 1000, 2000, ... and at the end. The step is the examples':
forward, loss, zero_grad, backward, Adam (for the LSTM also gradient
clipping and a cosine learning-rate schedule).

Exit status 1 if, for any model, the resident memory at the end exceeds
that at the end of the warm-up by more than ``--rss-tolerance`` (10 %), or
the live handle count grew after the warm-up.

    .venv/bin/python bench/train_memory.py [--steps 10000] [--warmup 1000] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import numpy as np

import flodl
import flodl.nn.functional as F
from flodl import nn
from flodl.nn.utils import clip_grad_norm_
from flodl.optim.lr_scheduler import CosineAnnealingLR

SEED = 0


def rss_mib() -> float:
    """This process's resident memory (VmRSS) in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# ----- the models and their steps -----


def digits_step(build: Callable[[Any], Any], batch: int) -> Callable[[np.random.Generator], Any]:
    """A step of train_digits.py's loop for the model ``build(flodl.nn)``, on a
    random batch of 8x8 "images" and labels."""
    model = build(nn)
    model.train()
    optimizer = flodl.optim.Adam(model.parameters(), lr=2e-3)

    def step(rng: np.random.Generator) -> Any:
        x = flodl.tensor(rng.random((batch, 64), dtype=np.float32))
        y = flodl.tensor(rng.integers(0, 10, batch))
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


def char_rnn_step(
    steps: int, vocab: int = 96, hidden: int = 128, batch: int = 16, seq_len: int = 32
) -> Callable[[np.random.Generator], Any]:
    """A step of char_rnn.py's loop (Adam, clipping, cosine schedule) on random characters."""
    from char_rnn import CharRNN

    model = CharRNN(vocab, hidden=hidden)
    optimizer = flodl.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = CosineAnnealingLR(optimizer, T_max=steps, eta_min=3e-4)

    def step(rng: np.random.Generator) -> Any:
        chunk = rng.integers(0, vocab, (batch, seq_len + 1))
        x, y = flodl.tensor(chunk[:, :-1]), flodl.tensor(chunk[:, 1:])
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        return loss

    return step


# ----- the run -----


@dataclass
class Verdict:
    model: str
    rss_growth: float  # fraction, end over the end of the warm-up
    handle_growth: int
    ok: bool


def checkpoints(steps: int) -> list[int]:
    marks = {100, steps} | set(range(1000, steps + 1, 1000))
    return sorted(m for m in marks if m <= steps)


def run(
    name: str,
    step: Callable[[np.random.Generator], Any],
    steps: int,
    warmup: int,
    tolerance: float,
) -> Verdict:
    rng = np.random.default_rng(SEED)
    marks = checkpoints(steps)
    print(f"{name}: {steps} steps, warm-up {warmup}")
    print(f"{'step':>8} {'RSS MiB':>10} {'live handles':>13} {'loss':>8} {'seconds':>8}")
    start = time.perf_counter()
    base: tuple[float, int] | None = None
    rss = handles = 0.0
    for i in range(1, steps + 1):
        loss = step(rng)
        if i == warmup or i in marks:
            rss, handles = rss_mib(), flodl.live_tensor_count()
            if i == warmup:
                base = (rss, handles)
            if i in marks:
                print(
                    f"{i:8d} {rss:10.1f} {handles:13d} {loss.item():8.3f} "
                    f"{time.perf_counter() - start:8.1f}"
                )
                sys.stdout.flush()
    assert base is not None
    growth = rss / base[0] - 1
    handle_growth = int(handles - base[1])
    ok = growth <= tolerance and handle_growth <= 0
    print(
        f"after the warm-up (step {warmup}): RSS {base[0]:.1f} -> {rss:.1f} MiB "
        f"({growth:+.1%}), live handles {base[1]} -> {handles}: {'ok' if ok else 'GROWTH'}"
    )
    print()
    return Verdict(name, growth, handle_growth, ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps per model (10000)")
    parser.add_argument("--warmup", type=int, default=1000, help="steps before the baseline")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (1)")
    parser.add_argument(
        "--rss-tolerance", type=float, default=0.10, help="allowed RSS growth (0.10)"
    )
    parser.add_argument("--quick", action="store_true", help="1500 steps, warm-up 500")
    args = parser.parse_args(argv)
    steps, warmup = (1500, 500) if args.quick else (args.steps, args.warmup)
    warmup = max(1, min(warmup, steps // 2))

    from train_digits import build_cnn, build_mlp

    flodl.set_num_threads(args.threads)
    flodl.manual_seed(SEED)
    print(
        f"flodl training memory, {os.cpu_count()} cpus, threads {flodl.get_num_threads()}, "
        f"RSS at start {rss_mib():.1f} MiB, live handles {flodl.live_tensor_count()}"
    )
    print()
    models = [
        ("digits MLP (batch 32)", lambda: digits_step(build_mlp, 32)),
        ("digits CNN (batch 32)", lambda: digits_step(build_cnn, 32)),
        ("char LSTM (hidden 128, batch 16, seq 32)", lambda: char_rnn_step(steps)),
    ]
    verdicts = [run(name, make(), steps, warmup, args.rss_tolerance) for name, make in models]
    print(f"{'model':42} {'RSS growth':>11} {'handle growth':>14} {'verdict':>8}")
    for v in verdicts:
        print(
            f"{v.model:42} {v.rss_growth:+11.1%} {v.handle_growth:+14d} "
            f"{'ok' if v.ok else 'GROWTH':>8}"
        )
    return 0 if all(v.ok for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
