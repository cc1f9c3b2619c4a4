"""Training steps of small models, flodl against PyTorch eager.

Six workloads, each defined once as a function of the library's namespace
(``build(nn)`` makes the flodl model from ``flodl.nn`` and its twin from
``torch.nn``). flodl's model starts from the torch model's initial
parameters (copied through numpy), and both train on the same batches, so
they compute the same numbers: the script checks that their losses agree
over the first steps. One training step is forward, loss, ``zero_grad``,
``backward`` and an Adam step (``torch.optim.Adam`` with its default
implementation, no ``foreach``/``fused`` argument; ``flodl.optim.Adam``).

Both libraries run in one process on the same libtorch with the same thread
setting (one intra-op thread unless ``--threads``), in interleaved rounds
(flodl, torch, flodl, ...). The table gives the median time per step, the
spread (interquartile range over rounds, % of the median), the ratio
flodl / torch (lower is better for flodl) and the target; then the peak
resident memory of each library training each model alone, in a fresh
process.

    .venv/bin/python bench/train_vs_torch.py [--rounds N] [--threads N] [--quick]

``--profile NAME [--library torch]`` times forward, backward and the
optimizer step of one workload separately, then runs cProfile over steps.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import subprocess
import sys
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import numpy as np

Step = Callable[[], Any]
SEED = 0
BATCHES = 4  # distinct batches per workload, cycled


# ----- the libraries -----


@dataclass
class Library:
    """The names by which a training step reaches flodl or PyTorch."""

    name: str
    nn: ModuleType
    F: ModuleType
    optim: ModuleType
    tensor: Callable[[np.ndarray], Any]
    manual_seed: Callable[[int], Any]
    set_num_threads: Callable[[int], Any]


def load_library(name: str) -> Library:
    """Imports one library (only that one: the memory runs import one each)."""
    if name == "flodl":
        import flodl
        import flodl.nn.functional

        return Library(
            "flodl",
            flodl.nn,
            flodl.nn.functional,
            flodl.optim,
            flodl.tensor,
            flodl.manual_seed,
            flodl.set_num_threads,
        )
    import torch
    import torch.nn.functional

    return Library(
        "torch",
        torch.nn,
        torch.nn.functional,
        torch.optim,
        torch.from_numpy,
        torch.manual_seed,
        torch.set_num_threads,
    )


# ----- the workloads: one definition for both libraries -----


def build_mlp(nn: ModuleType) -> Any:
    """Five Linear layers of width 256, LayerNorm and GELU between them."""
    layers: list[Any] = []
    for _ in range(4):
        layers += [nn.Linear(256, 256), nn.LayerNorm(256), nn.GELU()]
    return nn.Sequential(*layers, nn.Linear(256, 10))


def build_convnet(nn: ModuleType) -> Any:
    """Two 3x3 convolutions with max-pools on 1x28x28, then two Linear layers."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def _sequence_classifier(nn: ModuleType, rnn: Any) -> Any:
    """``rnn`` (batch first) over the sequence, a Linear head on its last output."""

    class SequenceClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = rnn
            self.head = nn.Linear(128, 10)

        def forward(self, x: Any) -> Any:
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    return SequenceClassifier()


def build_gru(nn: ModuleType) -> Any:
    """A GRU (32 inputs, 128 hidden) over 32 steps, a Linear head."""
    return _sequence_classifier(nn, nn.GRU(32, 128, batch_first=True))


def build_lstm(nn: ModuleType) -> Any:
    """An LSTM (32 inputs, 128 hidden) over 32 steps, a Linear head."""
    return _sequence_classifier(nn, nn.LSTM(32, 128, batch_first=True))


def build_transformer(nn: ModuleType) -> Any:
    """Two TransformerEncoderLayers (d_model 64, 4 heads, feed-forward 128,
    no dropout, batch first), mean over the sequence, a Linear head."""

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer1 = nn.TransformerEncoderLayer(
                64, 4, dim_feedforward=128, dropout=0.0, batch_first=True
            )
            self.layer2 = nn.TransformerEncoderLayer(
                64, 4, dim_feedforward=128, dropout=0.0, batch_first=True
            )
            self.head = nn.Linear(64, 10)

        def forward(self, x: Any) -> Any:
            return self.head(self.layer2(self.layer1(x)).mean(1))

    return Encoder()


def build_autoencoder(nn: ModuleType) -> Any:
    """Two stride-2 convolutions down to 32x7x7, two ConvTranspose2d back to 1x28x28."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),
        nn.Sigmoid(),
    )


@dataclass
class Workload:
    name: str
    description: str
    build: Callable[[ModuleType], Any]
    input_shape: tuple[int, ...]
    classes: int  # 0: the target is the input (MSE)
    target: float


WORKLOADS = [
    Workload("mlp", "MLP 5x256, GELU, LayerNorm, batch 64", build_mlp, (64, 256), 10, 0.85),
    Workload("convnet", "conv net on 1x28x28, batch 32", build_convnet, (32, 1, 28, 28), 10, 0.95),
    Workload("gru_seq", "GRU 128, seq 32, batch 16", build_gru, (16, 32, 32), 10, 0.85),
    Workload("lstm_seq", "LSTM 128, seq 32, batch 16", build_lstm, (16, 32, 32), 10, 0.95),
    Workload(
        "transformer",
        "2 encoder layers d64 h4, seq 32, batch 16",
        build_transformer,
        (16, 32, 64),
        10,
        0.95,
    ),
    Workload(
        "conv_autoencoder",
        "conv + ConvTranspose2d autoencoder, batch 32",
        build_autoencoder,
        (32, 1, 28, 28),
        0,
        0.95,
    ),
]
BY_NAME = {w.name: w for w in WORKLOADS}


def batches(work: Workload) -> list[tuple[np.ndarray, np.ndarray]]:
    """The workload's input and target batches, from a seeded generator."""
    rng = np.random.default_rng(SEED)
    out = []
    for _ in range(BATCHES):
        if work.classes:
            x = rng.standard_normal(work.input_shape).astype(np.float32)
            y = rng.integers(0, work.classes, work.input_shape[0]).astype(np.int64)
        else:
            x = rng.random(work.input_shape).astype(np.float32)
            y = x
        out.append((x, y))
    return out


@dataclass
class Trainer:
    """One library's model of a workload, its optimizer, and its training step."""

    lib: Library
    model: Any
    optimizer: Any
    data: list[tuple[Any, Any]]
    classes: int
    index: int = 0

    def next_batch(self) -> tuple[Any, Any]:
        self.index = (self.index + 1) % len(self.data)
        return self.data[self.index]

    def loss(self, x: Any, y: Any) -> Any:
        out = self.model(x)
        if self.classes:
            return self.lib.F.cross_entropy(out, y)
        return self.lib.F.mse_loss(out, y)

    def step(self) -> Any:
        """Forward, loss, zero_grad, backward, optimizer step; returns the loss."""
        loss = self.loss(*self.next_batch())
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss


def trainer(lib: Library, work: Workload, state: dict[str, np.ndarray] | None = None) -> Trainer:
    """A fresh model of ``work`` in ``lib``, from ``state`` (numpy arrays) if given."""
    lib.manual_seed(SEED)
    model = work.build(lib.nn)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v.copy()) for k, v in state.items()})
    model.train()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    data = [(lib.tensor(x), lib.tensor(y)) for x, y in batches(work)]
    return Trainer(lib, model, optimizer, data, work.classes)


def twin_trainers(work: Workload) -> tuple[Trainer, Trainer]:
    """flodl's and torch's trainers of ``work``, flodl's from torch's initial weights."""
    torch_side = trainer(load_library("torch"), work)
    state = {k: v.detach().numpy().copy() for k, v in torch_side.model.state_dict().items()}
    return trainer(load_library("flodl"), work, state), torch_side


def loss_gap(f: Trainer, t: Trainer, steps: int = 5) -> float:
    """The largest relative difference of the two libraries' losses over ``steps`` steps."""
    gap = 0.0
    for _ in range(steps):
        lf, lt = f.step().item(), t.step().item()
        gap = max(gap, abs(lf - lt) / max(abs(lt), 1e-12))
    return gap


# ----- timing -----


def timed(step: Step, iterations: int) -> float:
    """Seconds per iteration of ``step``."""
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    return (time.perf_counter() - start) / iterations


def summary(ts: list[float]) -> tuple[float, float]:
    q1, median, q3 = np.percentile(ts, [25, 50, 75])
    return float(median), float((q3 - q1) / median * 100)


def compare(rounds: int, round_seconds: float, flodl_step: Step, torch_step: Step) -> dict:
    """Interleaved rounds of the two steps, each round about ``round_seconds``
    per library; median and spread of the time per step."""
    per_step = max(timed(flodl_step, 3), timed(torch_step, 3))  # warm-up, and a first measure
    per_step = max(timed(flodl_step, 5), timed(torch_step, 5), per_step / 3)
    iterations = max(2, round(round_seconds / per_step))
    times: dict[str, list[float]] = {"flodl": [], "torch": []}
    for _ in range(rounds):
        times["flodl"].append(timed(flodl_step, iterations))
        times["torch"].append(timed(torch_step, iterations))
    result = {name: summary(ts) for name, ts in times.items()}
    result["iterations"] = iterations
    return result


def sgd_mlp_steps() -> tuple[Step, Step]:
    """compare_torch.py's MLP step (3x64, batch 32, MSE) with torch's in-place
    SGD loop, against the same model trained with flodl.optim.SGD."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compare_torch

    import flodl
    import flodl.nn.functional as F
    from flodl import Tensor, Variable

    _, torch_step = compare_torch.mlp_step(in_place_torch=True)
    rng = np.random.default_rng(0)  # the same numbers as compare_torch.mlp_step
    shapes = [(64, 64), (64,), (64, 64), (64,), (64, 64), (64,)]
    init = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in shapes]
    x = rng.standard_normal((32, 64)).astype(np.float32)
    y = rng.standard_normal((32, 64)).astype(np.float32)
    params = [Variable(Tensor.from_numpy(a), True) for a in init]
    optimizer = flodl.optim.SGD(params, lr=0.01)
    x_f, y_f = Tensor.from_numpy(x), Tensor.from_numpy(y)

    def flodl_step() -> None:
        h = x_f
        for i in range(0, 6, 2):
            h = flodl.linear(h, params[i], params[i + 1])
            if i < 4:
                h = h.relu()
        F.mse_loss(h, y_f).backward()
        optimizer.step()
        optimizer.zero_grad()

    return flodl_step, torch_step


# ----- memory: one library, one workload, a fresh process -----


def status_mib(field: str) -> float:
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MiB. VmHWM, the
    peak, belongs to this process's memory map: unlike ``ru_maxrss``, it
    does not start from the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_child(library: str, workload: str, steps: int, threads: int) -> None:
    """Prints ``<RSS before training> <peak RSS>`` in MiB after ``steps`` steps."""
    lib = load_library(library)
    lib.set_num_threads(threads)
    train = trainer(lib, BY_NAME[workload])
    before = status_mib("VmRSS")
    for _ in range(steps):
        train.step()
    peak = status_mib("VmHWM")
    print(f"{before:.1f} {peak:.1f}")


def peak_rss(library: str, workload: str, steps: int, threads: int) -> tuple[float, float]:
    out = subprocess.run(
        [
            sys.executable,
            os.path.abspath(__file__),
            "--rss-child",
            library,
            workload,
            "--steps",
            str(steps),
            "--threads",
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    before, peak = out.stdout.split()
    return float(before), float(peak)


# ----- profiling -----


def profile(work: Workload, library: str, steps: int) -> None:
    """Forward (with the loss), backward and zero_grad + optimizer step timed
    separately, both libraries; then cProfile of ``library``'s steps."""
    f, t = twin_trainers(work)
    for train in (f, t):
        for _ in range(10):
            train.step()
    parts: dict[str, dict[str, list[float]]] = {"flodl": {}, "torch": {}}
    for _ in range(steps):
        for train in (f, t):
            clock = time.perf_counter
            s0 = clock()
            loss = train.loss(*train.next_batch())
            s1 = clock()
            train.optimizer.zero_grad()
            loss.backward()
            s2 = clock()
            train.optimizer.step()
            s3 = clock()
            times = parts[train.lib.name]
            for key, value in (("forward", s1 - s0), ("backward", s2 - s1), ("step", s3 - s2)):
                times.setdefault(key, []).append(value)
    print(f"{work.name}: median time per part of the step over {steps} steps")
    print(f"{'part':10} {'flodl':>12} {'torch':>12} {'flodl/torch':>12}")
    for key in ("forward", "backward", "step"):
        fm, tm = np.median(parts["flodl"][key]), np.median(parts["torch"][key])
        print(f"{key:10} {fmt_time(fm)} {fmt_time(tm)} {fm / tm:12.2f}")
    print()
    train = f if library == "flodl" else t
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        train.step()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


# ----- the report -----


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "


def row(name: str, result: dict, target: float | None) -> None:
    (f_med, f_iqr), (t_med, t_iqr) = result["flodl"], result["torch"]
    ratio = f_med / t_med
    met = "" if target is None else ("yes" if ratio <= target else "MISSED")
    target_text = f"<= {target}" if target else ""
    print(
        f"{name:62} {fmt_time(f_med)} ({f_iqr:4.1f}%) {fmt_time(t_med)} ({t_iqr:4.1f}%) "
        f"{ratio:12.2f} {target_text:>8} {met:>6}"
    )
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (1)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few rounds and steps")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="these workloads")
    parser.add_argument("--no-rss", action="store_true", help="skip the memory table")
    parser.add_argument("--profile", choices=sorted(BY_NAME), help="time the parts of one step")
    parser.add_argument("--library", choices=["flodl", "torch"], default="flodl")
    parser.add_argument("--rss-child", nargs=2, metavar=("LIBRARY", "WORKLOAD"), help="internal")
    parser.add_argument("--steps", type=int, default=200, help="steps of each memory run (200)")
    args = parser.parse_args()

    if args.rss_child:
        rss_child(*args.rss_child, args.steps, args.threads)
        return 0

    load_library("flodl")
    import torch

    torch.set_num_threads(args.threads)  # flodl shares the setting: the same libtorch
    if args.profile:
        profile(BY_NAME[args.profile], args.library, 50 if args.quick else 300)
        return 0

    rounds = 3 if args.quick else args.rounds
    round_seconds = 0.05 if args.quick else 0.3
    rss_steps = 10 if args.quick else args.steps
    chosen = [BY_NAME[n] for n in args.only] if args.only else WORKLOADS

    print(f"flodl vs torch {torch.__version__} eager, training steps, same libtorch, same process")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"threads {torch.get_num_threads()} (both), python {platform.python_version()}, "
        f"{rounds} interleaved rounds of ~{round_seconds} s, median (IQR % of median); "
        "step = forward, loss, zero_grad, backward, Adam"
    )
    print()
    header = (
        f"{'workload':62} {'flodl':>20} {'torch':>20} {'flodl/torch':>12} {'target':>8} {'met':>6}"
    )
    print(header)
    print("-" * len(header))
    gaps = {}
    for work in chosen:
        f, t = twin_trainers(work)
        gaps[work.name] = loss_gap(f, t)
        result = compare(rounds, round_seconds, f.step, t.step)
        row(f"{work.name}: {work.description}", result, work.target)
    fs, ts = sgd_mlp_steps()
    row("MLP step, optim.SGD vs torch in-place SGD", compare(rounds, round_seconds, fs, ts), 0.8)
    print()
    print(
        "largest relative loss difference over the first 5 steps (same initial weights): "
        + ", ".join(f"{k} {v:.1e}" for k, v in gaps.items())
    )

    if args.no_rss:
        return 0
    print()
    print(
        f"peak RSS, each library alone in a fresh process, after {rss_steps} steps "
        f"(VmHWM; in brackets the growth over the RSS after import and build), MiB"
    )
    header = f"{'workload':20} {'flodl':>18} {'torch':>18} {'flodl/torch':>12}"
    print(header)
    print("-" * len(header))
    for work in chosen:
        f_before, f_peak = peak_rss("flodl", work.name, rss_steps, args.threads)
        t_before, t_peak = peak_rss("torch", work.name, rss_steps, args.threads)
        print(
            f"{work.name:20} {f_peak:8.1f} ({f_peak - f_before:+6.1f}) "
            f"{t_peak:8.1f} ({t_peak - t_before:+6.1f}) {f_peak / t_peak:12.2f}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
