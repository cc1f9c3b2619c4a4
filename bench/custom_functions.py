"""Custom functions and checkpointing, measured.

1. Swish, x * sigmoid(beta * x), forward + sum + backward, four ways: the
   Rust custom Function of examples/rust_extension, the same formula as a
   Python flodl.autograd.Function, composed flodl ops, and composed torch
   ops (for reference); on [64] and [1M] float32.
2. Gradient checkpointing of a 24-layer MLP (width 1024, batch 256,
   linear + relu, MSE): peak memory and time of one training step without
   it, with each layer checkpointed, and with 4 checkpointed segments of 6
   layers; each in a fresh process (peak resident memory), flodl and torch.

    .venv/bin/python bench/custom_functions.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

import flodl
from flodl import Tensor, Variable

LAYERS, WIDTH, BATCH = 24, 1024, 256


def median_time(step, iterations: int, rounds: int) -> float:
    step()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        times.append((time.perf_counter() - start) / iterations)
    return float(np.median(times))


class PySwish(flodl.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta):
        ctx.save_for_backward(x, beta)
        return x * (x * beta).sigmoid()

    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.saved_tensors
        s = (x * beta).sigmoid()
        slope = s * (1 - s)
        return g * (s + x * beta * slope), None


def swish_rows(rounds: int) -> None:
    import flodl_swish

    print("Swish x * sigmoid(beta x), forward + sum + backward, float32, median of rounds")
    header = f"{'size':>6} {'Rust Function':>14} {'Python Function':>16} {'flodl ops':>10} {'torch ops':>10}"
    print(header)
    print("-" * len(header))
    for n, iterations in ((64, 2000), (1 << 20, 20)):
        steps = swish_steps(flodl_swish, n)
        cells = [median_time(s, iterations, rounds) for s in steps]
        print(f"{n:>6} " + " ".join(f"{fmt(c):>{w}}" for c, w in zip(cells, (14, 16, 10, 10))))
    print()


def swish_steps(flodl_swish, n: int):
    """The four ways, as steps on one [n] input."""
    x = Variable(Tensor.randn([n]), True)
    beta = Tensor.full([], 1.5)
    tx = torch.randn(n, requires_grad=True)

    def rust():
        flodl_swish.swish(x, beta).sum().backward()
        x.zero_grad()

    def python():
        PySwish.apply(x, beta).sum().backward()
        x.zero_grad()

    def ops():
        (x * (x * beta).sigmoid()).sum().backward()
        x.zero_grad()

    def torch_ops():
        (tx * (tx * 1.5).sigmoid()).sum().backward()
        tx.grad = None

    return rust, python, ops, torch_ops


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def child(library: str, mode: str) -> dict:
    """One training step of the MLP in this (fresh) process: the resident
    memory forward leaves for backward (the activations), and the step's
    peak (which includes the 96 MiB of weight gradients), above the memory
    before the step."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * 0.03 for _ in range(LAYERS)]
    data = rng.standard_normal((BATCH, WIDTH), dtype=np.float32)
    if library == "flodl":
        ws = [Variable(Tensor.from_numpy(w), True) for w in weights]
        x, target = Tensor.from_numpy(data), Tensor.from_numpy(data)
        checkpoint, linear = flodl.autograd.checkpoint, flodl.linear
    else:
        from torch.utils.checkpoint import checkpoint as torch_checkpoint

        ws = [torch.tensor(w, requires_grad=True) for w in weights]
        x, target = torch.from_numpy(data), torch.from_numpy(data.copy())

        def checkpoint(f, *args):
            return torch_checkpoint(f, *args, use_reentrant=False)

        linear = torch.nn.functional.linear

    def layers(h, first, last):
        for w in ws[first:last]:
            h = linear(h, w).relu()
        return h

    def forward():
        h = x
        if mode == "plain":
            h = layers(h, 0, LAYERS)
        else:
            size = 1 if mode == "each layer" else LAYERS // 4
            for first in range(0, LAYERS, size):
                h = checkpoint(lambda v, a=first: layers(v, a, a + size), h)
        return ((h - target) ** 2).mean()

    def step():
        forward().backward()

    step()  # warm-up: lazy initialisation, thread pools, weight gradients
    for w in ws:
        w.grad = None
    # Peak resident memory of the second step: Linux resets the high-water
    # mark on writing 5 to clear_refs (the CPU allocator returns large
    # blocks to the system when they are freed).
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    rss_now = status_kib("VmRSS")
    start = time.perf_counter()
    loss = forward()
    kept = status_kib("VmRSS") - rss_now  # what forward leaves for backward
    loss.backward()
    seconds = time.perf_counter() - start
    peak = status_kib("VmHWM") - rss_now
    return {"seconds": seconds, "kept_mib": kept / 1024, "peak_mib": peak / 1024}


def checkpoint_rows() -> None:
    print(
        f"Checkpointing: {LAYERS}-layer MLP, width {WIDTH}, batch {BATCH}, one training step, "
        "fresh process each"
    )
    header = f"{'library':8} {'mode':24} {'time':>9} {'kept for backward':>18} {'step peak':>10}"
    print(header)
    print("-" * len(header))
    for library in ("flodl", "torch"):
        for mode in ("plain", "each layer", "4 segments of 6 layers"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", library, mode],
                # A fixed mmap threshold: blocks of 64 KiB and more come from
                # and go back to the system, so resident memory follows
                # what is alive (glibc otherwise raises the threshold and
                # keeps freed blocks).
                env={**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"{library:8} {mode:24} {r['seconds'] * 1e3:6.0f} ms {r['kept_mib']:14.0f} MiB "
                f"{r['peak_mib']:6.0f} MiB"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "MODE"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    print(f"torch threads {torch.get_num_threads()}")
    swish_rows(args.rounds)
    checkpoint_rows()


if __name__ == "__main__":
    main()
