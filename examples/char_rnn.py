"""A character-level LSTM language model in flodl, trained on this repository's
own documentation (README.md and docs/*.md), then sampled from a prompt.

    python examples/char_rnn.py               # 600 steps, about 15 s on one CPU core
    python examples/char_rnn.py --steps 2000  # better text

Embedding -> LSTM(batch_first=True) -> Linear, trained with Adam, gradient
clipping and a cosine learning-rate schedule; the loss is printed in nats and
in bits per character, on the training batches and on held-out text.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

# A model this small trains fastest on one thread, and a libtorch pool with
# more threads than free cores can be many times slower: one thread unless
# OMP_NUM_THREADS says otherwise (set before flodl loads libtorch).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import flodl
import flodl.nn.functional as F
from flodl import nn
from flodl.nn.utils import clip_grad_norm_
from flodl.optim.lr_scheduler import CosineAnnealingLR

REPO = Path(__file__).resolve().parent.parent
State = tuple[flodl.Variable, flodl.Variable]  # the LSTM's (h, c)


def read_corpus() -> str:
    """README.md and docs/*.md, joined."""
    paths = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n\n".join(p.read_text(encoding="utf-8") for p in paths)


class CharRNN(nn.Module):
    """Characters in, next-character logits out."""

    def __init__(self, vocab: int, embed: int = 32, hidden: int = 256) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x: flodl.Tensor, state: State | None = None) -> tuple[flodl.Variable, State]:
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def windows(
    data: np.ndarray, starts: np.ndarray, seq_len: int
) -> tuple[flodl.Tensor, flodl.Tensor]:
    """Inputs ``data[s : s + seq_len]`` and targets shifted by one, for each start."""
    idx = starts[:, None] + np.arange(seq_len + 1)
    chunk = data[idx]
    return flodl.tensor(chunk[:, :-1]), flodl.tensor(chunk[:, 1:])


def loss_on(model: CharRNN, x: flodl.Tensor, y: flodl.Tensor, vocab: int) -> flodl.Variable:
    """Mean cross-entropy of the next-character predictions, in nats."""
    logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))


def sample(model: CharRNN, chars: list[str], prompt: str, length: int, temperature: float) -> str:
    """``length`` characters drawn one at a time after ``prompt``."""
    index = {c: i for i, c in enumerate(chars)}
    model.eval()
    out = []
    with flodl.no_grad():
        x = flodl.tensor(np.array([[index[c] for c in prompt]]))
        logits, state = model(x)  # reads the prompt, keeps the LSTM state
        for _ in range(length):
            probs = F.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = probs.data.multinomial(1).item()
            out.append(chars[nxt])
            logits, state = model(flodl.tensor(np.array([[nxt]])), state)
    model.train()
    return prompt + "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=600, help="training steps (600)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--prompt", default="The autograd ")
    parser.add_argument("--length", type=int, default=200, help="characters to sample")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    text = read_corpus()
    chars = sorted(set(text))
    vocab = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    data = np.array([index[c] for c in text], dtype=np.int64)
    split = int(len(data) * 0.9)  # the last 10% is held out
    train_data, val_data = data[:split], data[split:]
    print(f"corpus: {len(text)} characters, {vocab} distinct; {len(val_data)} held out")

    flodl.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = CharRNN(vocab, hidden=args.hidden)
    optimizer = flodl.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.steps, eta_min=args.lr / 10)

    # A fixed held-out set: 16 windows of the last 10%.
    val_starts = np.linspace(0, len(val_data) - args.seq_len - 2, 16).astype(np.int64)
    val_x, val_y = windows(val_data, val_starts, args.seq_len)

    def held_out() -> float:
        model.eval()
        with flodl.no_grad():
            value = loss_on(model, val_x, val_y, vocab).item()
        model.train()
        return value

    val_start = held_out()
    report_every = max(1, args.steps // 10)
    recent: list[float] = []
    first = last = math.nan
    for step in range(1, args.steps + 1):
        starts = rng.integers(0, len(train_data) - args.seq_len - 1, args.batch_size)
        x, y = windows(train_data, starts, args.seq_len)
        loss = loss_on(model, x, y, vocab)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()

        recent.append(loss.item())
        if step == 1:
            first = recent[0]
        if step % report_every == 0 or step == args.steps:
            last = sum(recent) / len(recent)  # the mean since the last report
            print(f"step {step:5d}  loss {last:.3f}  ({last / math.log(2):.2f} bits/char)")
            recent.clear()

    val_end = held_out()
    bits = 1 / math.log(2)
    print(f"training loss: {first:.3f} -> {last:.3f} nats/char")
    print(
        f"held-out loss: {val_start:.3f} -> {val_end:.3f} nats/char "
        f"({val_start * bits:.2f} -> {val_end * bits:.2f} bits/char)"
    )
    print()
    print(sample(model, chars, args.prompt, args.length, args.temperature))
    return 0


if __name__ == "__main__":
    sys.exit(main())
