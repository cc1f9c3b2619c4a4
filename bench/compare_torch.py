"""flodl against PyTorch eager, side by side in one process.

Both run the same libtorch (flodl links the torch wheel's libraries), with
the same thread settings. Each benchmark runs in interleaved rounds (flodl,
torch, flodl, torch, ...), so drifts of the machine hit both; the table
gives the median time per iteration, the spread (interquartile range over
rounds, as a percentage of the median) and the ratio flodl / torch (lower is
better for flodl).

    .venv/bin/python bench/compare_torch.py [--rounds N] [--quick] [--device cuda]

With `--device cuda` every row's tensors and models live on the GPU for
both libraries, each timed block ends with `torch.cuda.synchronize()`
(flodl runs on the same libtorch, so on the same CUDA context and
streams), and floDl's three published GPU training workloads follow the
table (bench/gpu_workloads.py: mlp, transformer, residual tower at floDl's
sizes), each with floDl's published ratio beside it. The error rows, the
import row and the live-handle line stay on the CPU.

Each workload has four rows: fp32 eager, bf16 autocast eager, the whole
training step as one CUDA graph (flodl.cuda.graphed_step against torch's
capture with fused, capturable Adam), and bf16 autocast with the graphed
step. Each row times flodl against torch in the same configuration, gives
both against torch fp32 eager (foreach Adam), and the relative loss gap of
the two libraries over the first steps from the same weights. A row that
fails prints its error, the others still run, and the exit status is 1.

`--gpu-workloads-on-cpu` runs those workloads on the CPU at tiny sizes, a
smoke test of the code path on a machine without a GPU: fp32 and bf16
autocast eager (autocast on the "cpu" device type) run, the graphed rows
print "skipped: no CUDA". `--gpu-workloads-only` leaves out the table
before them (and the import row and live-handle line):

    .venv/bin/python bench/compare_torch.py --device cuda --gpu-workloads-only
    .venv/bin/python bench/compare_torch.py --gpu-workloads-on-cpu --gpu-workloads-only --quick

`--profile NAME [--library torch]` runs one library's step of one benchmark
in a loop, for a profiler:

    perf record -D 2500 -o perf.data .venv/bin/python bench/compare_torch.py --profile chain
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import subprocess
import sys
import time
from typing import Any, Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

import flodl
from flodl import Tensor, Variable

Step = Callable[[], None]
Sync = Optional[Callable[[], None]]


def timed(step: Step, iterations: int, sync: Sync = None) -> float:
    """Seconds per iteration of `step`. `sync` (on CUDA, torch.cuda.synchronize:
    it waits for the whole device, so for flodl's kernels too, which run on
    the same libtorch and CUDA context) runs before the clock starts and
    before it is read, so the time covers the kernels the steps queued, not
    only their launches."""
    if sync is not None:
        sync()
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    if sync is not None:
        sync()
    return (time.perf_counter() - start) / iterations


def compare(
    rounds: int, iterations: int, flodl_step: Step, torch_step: Step, sync: Sync = None
) -> dict:
    for step in (flodl_step, torch_step):  # warm-up: allocators, lazy init
        timed(step, max(1, iterations // 5), sync)
    times: dict[str, list[float]] = {"flodl": [], "torch": []}
    for _ in range(rounds):
        times["flodl"].append(timed(flodl_step, iterations, sync))
        times["torch"].append(timed(torch_step, iterations, sync))
    return {name: summary(ts) for name, ts in times.items()}


def on(device: str, x: Any) -> Any:
    """A flodl or torch tensor moved to `device`; `x` itself on the CPU."""
    return x if device == "cpu" else x.to(device)


def summary(ts: list[float]) -> tuple[float, float]:
    q1, median, q3 = np.percentile(ts, [25, 50, 75])
    return float(median), float((q3 - q1) / median * 100)


# ----- the benchmarks: each returns (flodl step, torch step) -----
# `device` ("cpu" or "cuda") is where both libraries' tensors live.


def tiny_step(device: str = "cpu"):
    """1-element x*w, sum, backward, zero_grad."""
    x_f = Variable(on(device, Tensor.from_f32([2.0], [1])))
    w_f = Variable(on(device, Tensor.from_f32([3.0], [1])), True)
    x_t = torch.tensor([2.0], device=device)
    w_t = torch.tensor([3.0], device=device, requires_grad=True)

    def f() -> None:
        x_f.mul(w_f).sum().backward()
        w_f.zero_grad()

    def t() -> None:
        (x_t * w_t).sum().backward()
        w_t.grad = None

    return f, t


def chain_step(device: str = "cpu"):
    """20 elementwise ops on a [64] tensor, then backward."""
    x_f = Variable(on(device, Tensor.randn([64])), True)
    x_t = torch.randn(64, device=device, requires_grad=True)

    def f() -> None:
        y = x_f
        for _ in range(5):
            y = y.mul_scalar(0.9).add_scalar(0.1).tanh().sigmoid()
        y.sum().backward()
        x_f.zero_grad()

    def t() -> None:
        y = x_t
        for _ in range(5):
            y = torch.sigmoid(torch.tanh(y * 0.9 + 0.1))
        y.sum().backward()
        x_t.grad = None

    return f, t


def mlp_step(in_place_torch: bool = False, device: str = "cpu"):
    """3 layers of 64, batch 32, MSE, SGD, written in Python."""
    rng = np.random.default_rng(0)
    shapes = [(64, 64), (64,), (64, 64), (64,), (64, 64), (64,)]
    init = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in shapes]
    x = rng.standard_normal((32, 64)).astype(np.float32)
    y = rng.standard_normal((32, 64)).astype(np.float32)
    lr = 0.01

    params_f = [Variable(on(device, Tensor.from_numpy(a)), True) for a in init]
    x_f, y_f = on(device, Tensor.from_numpy(x)), on(device, Tensor.from_numpy(y))

    def f() -> None:
        h = x_f
        for i in range(0, 6, 2):
            h = flodl.linear(h, params_f[i], params_f[i + 1])
            if i < 4:
                h = h.relu()
        loss = (h - y_f).pow_scalar(2.0).mean()
        loss.backward()
        for i, p in enumerate(params_f):  # SGD: a new leaf per parameter
            params_f[i] = Variable(p.data - p.grad * lr, True)

    params_t = [torch.tensor(a, device=device, requires_grad=True) for a in init]
    x_t, y_t = on(device, torch.from_numpy(x)), on(device, torch.from_numpy(y))

    def t() -> None:
        h = x_t
        for i in range(0, 6, 2):
            h = F.linear(h, params_t[i], params_t[i + 1])
            if i < 4:
                h = torch.relu(h)
        loss = F.mse_loss(h, y_t) if in_place_torch else ((h - y_t) ** 2).mean()
        loss.backward()
        if in_place_torch:  # the usual PyTorch idiom
            with torch.no_grad():
                for p in params_t:
                    p -= lr * p.grad
                    p.grad = None
        else:  # the same work as flodl's update
            for i, p in enumerate(params_t):
                params_t[i] = (p.detach() - p.grad * lr).requires_grad_()

    return f, t


def matmul_step(device: str = "cpu"):
    """512x512 matmul, forward and backward."""
    a = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((512, 512)).astype(np.float32)
    a_f = Variable(on(device, Tensor.from_numpy(a)), True)
    b_f = Variable(on(device, Tensor.from_numpy(b)), True)
    a_t = torch.tensor(a, device=device, requires_grad=True)
    b_t = torch.tensor(b, device=device, requires_grad=True)

    def f() -> None:
        a_f.matmul(b_f).sum().backward()
        a_f.zero_grad()
        b_f.zero_grad()

    def t() -> None:
        (a_t @ b_t).sum().backward()
        a_t.grad = None
        b_t.grad = None

    return f, t


def conv_step(device: str = "cpu"):
    """A small conv net (2 convs, pools, linear), batch 8 of 3x32x32, forward and backward."""
    rng = np.random.default_rng(0)
    shapes = [(16, 3, 3, 3), (16,), (32, 16, 3, 3), (32,), (10, 32), (10,)]
    init = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in shapes]
    x = rng.standard_normal((8, 3, 32, 32)).astype(np.float32)
    p_f = [Variable(on(device, Tensor.from_numpy(a)), True) for a in init]
    p_t = [torch.tensor(a, device=device, requires_grad=True) for a in init]
    x_f, x_t = on(device, Tensor.from_numpy(x)), on(device, torch.from_numpy(x))

    def f() -> None:
        h = flodl.conv2d(x_f, p_f[0], p_f[1], padding=1).relu()
        h = flodl.max_pool2d(h, 2)
        h = flodl.conv2d(h, p_f[2], p_f[3], padding=1).relu()
        h = flodl.adaptive_avg_pool2d(h, 1).flatten(1, -1)
        flodl.linear(h, p_f[4], p_f[5]).sum().backward()
        for p in p_f:
            p.zero_grad()

    def t() -> None:
        h = torch.relu(F.conv2d(x_t, p_t[0], p_t[1], padding=1))
        h = F.max_pool2d(h, 2)
        h = torch.relu(F.conv2d(h, p_t[2], p_t[3], padding=1))
        h = F.adaptive_avg_pool2d(h, 1).flatten(1)
        F.linear(h, p_t[4], p_t[5]).sum().backward()
        for p in p_t:
            p.grad = None

    return f, t


def import_times(rounds: int) -> dict:
    """`import flodl` against `import torch`, each in a fresh interpreter."""

    def once(module: str) -> float:
        code = (
            f"import time; s = time.perf_counter(); import {module}; print(time.perf_counter() - s)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(out.stdout)

    times: dict[str, list[float]] = {"flodl": [], "torch": []}
    for _ in range(rounds):
        times["flodl"].append(once("flodl"))
        times["torch"].append(once("torch"))
    return {name: summary(ts) for name, ts in times.items()}


def live_handles_line(steps: int) -> str:
    """The live handle count and RSS before and after `steps` MLP steps."""
    step, _ = mlp_step()
    for _ in range(200):
        step()

    def rss() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    before = (flodl.live_tensor_count(), rss())
    for _ in range(steps):
        step()
    after = (flodl.live_tensor_count(), rss())
    return (
        f"{steps} MLP steps: live handles {before[0]} -> {after[0]}, "
        f"RSS {before[1]:.1f} -> {after[1]:.1f} MiB"
    )


def grad_chain_step(device: str = "cpu"):
    """autograd.grad of the 20-op chain (no .grad written)."""
    x_f = Variable(on(device, Tensor.randn([64])), True)
    x_t = torch.randn(64, device=device, requires_grad=True)

    def f() -> None:
        y = x_f
        for _ in range(5):
            y = y.mul_scalar(0.9).add_scalar(0.1).tanh().sigmoid()
        flodl.autograd.grad(y.sum(), x_f)

    def t() -> None:
        y = x_t
        for _ in range(5):
            y = torch.sigmoid(torch.tanh(y * 0.9 + 0.1))
        torch.autograd.grad(y.sum(), x_t)

    return f, t


def _mlp_params():
    rng = np.random.default_rng(0)
    shapes = [(64, 64), (64,), (64, 64), (64,), (1, 64), (1,)]
    arrays = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in shapes]
    x = rng.standard_normal((32, 64)).astype(np.float32)
    return arrays, x


def _mlp(lib, linear, x, params):
    h = x
    for i in range(0, 6, 2):
        h = linear(h, params[i], params[i + 1])
        if i < 4:
            h = h.tanh()
    return h


def penalty_step(device: str = "cpu"):
    """A gradient penalty on a 3-layer MLP: grad(create_graph) then backward."""
    arrays, x = _mlp_params()
    pf = [Variable(on(device, Tensor.from_numpy(a)), True) for a in arrays]
    pt = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
    xf = Variable(on(device, Tensor.from_numpy(x)), True)
    xt = torch.tensor(x, device=device, requires_grad=True)
    ones_f, ones_t = on(device, Tensor.ones([32, 1])), torch.ones(32, 1, device=device)

    def f() -> None:
        out = _mlp(flodl, flodl.linear, xf, pf)
        (g,) = flodl.autograd.grad(out, xf, grad_outputs=ones_f, create_graph=True)
        ((g.norm(2, dim=1) - 1) ** 2).mean().backward()
        for p in pf:
            p.zero_grad()
        xf.zero_grad()

    def t() -> None:
        out = _mlp(torch, torch.nn.functional.linear, xt, pt)
        (g,) = torch.autograd.grad(out, xt, grad_outputs=ones_t, create_graph=True)
        ((g.norm(2, dim=1) - 1) ** 2).mean().backward()
        for p in pt:
            p.grad = None
        xt.grad = None

    return f, t


def _mlp_function(lib, device: str = "cpu"):
    arrays, x = _mlp_params()
    if lib == "flodl":
        params = [on(device, Tensor.from_numpy(a)) for a in arrays]
        data = on(device, Tensor.from_numpy(x[:1].reshape(-1)))
        return (lambda v: _mlp(flodl, flodl.linear, v, params).sum()), data
    params = [on(device, torch.from_numpy(a)) for a in arrays]
    data = on(device, torch.from_numpy(x[:1].reshape(-1)))
    return (lambda v: _mlp(torch, torch.nn.functional.linear, v, params).sum()), data


def jvp_step(device: str = "cpu"):
    """func.jvp (forward mode) of the MLP at one input."""
    (ff, xf), (ft, xt) = _mlp_function("flodl", device), _mlp_function("torch", device)
    vf, vt = on(device, Tensor.ones([64])), torch.ones(64, device=device)
    return (lambda: flodl.func.jvp(ff, (xf,), (vf,))), (lambda: torch.func.jvp(ft, (xt,), (vt,)))


def hvp_step(device: str = "cpu"):
    """func.hvp (reverse over reverse) of the MLP at one input."""
    (ff, xf), (ft, xt) = _mlp_function("flodl", device), _mlp_function("torch", device)
    vf, vt = on(device, Tensor.ones([64])), torch.ones(64, device=device)
    return (lambda: flodl.func.hvp(ff, xf, vf)), (lambda: torch.autograd.functional.hvp(ft, xt, vt))


def _swish_function(base):
    """x * sigmoid(x) as a custom Function of either library (same body)."""

    class Swish(base):
        @staticmethod
        def forward(ctx, x):
            s = x.sigmoid()
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, g):
            x, s = ctx.saved_tensors
            return g * (s + x * s * (1 - s))

    return Swish


def custom_function_step(device: str = "cpu"):
    """A custom Python Function (Swish) on [64]: forward, sum, backward."""
    swish_f, swish_t = (
        _swish_function(flodl.autograd.Function),
        _swish_function(torch.autograd.Function),
    )
    x_f = Variable(on(device, Tensor.randn([64])), True)
    x_t = torch.randn(64, device=device, requires_grad=True)

    def f() -> None:
        swish_f.apply(x_f).sum().backward()
        x_f.zero_grad()

    def t() -> None:
        swish_t.apply(x_t).sum().backward()
        x_t.grad = None

    return f, t


def checkpoint_step(device: str = "cpu"):
    """checkpoint of a 4-op block on [64], then backward."""
    from torch.utils.checkpoint import checkpoint as torch_checkpoint

    x_f = Variable(on(device, Tensor.randn([64])), True)
    x_t = torch.randn(64, device=device, requires_grad=True)

    def block(x):
        return (x * 0.9 + 0.1).tanh().sigmoid()

    def f() -> None:
        flodl.autograd.checkpoint(block, x_f).sum().backward()
        x_f.zero_grad()

    def t() -> None:
        torch_checkpoint(block, x_t, use_reentrant=False).sum().backward()
        x_t.grad = None

    return f, t


def failing(flodl_call, torch_call):
    """A step that makes one call fail and catches the exception."""

    def f() -> None:
        try:
            flodl_call()
        except flodl.FlodlError:
            pass

    def t() -> None:
        try:
            torch_call()
        except (RuntimeError, IndexError, MemoryError):
            pass

    return f, t


def shape_error_step():
    """`add` of [2, 3] and [4, 5]."""
    a_f, b_f = Tensor.zeros([2, 3]), Tensor.zeros([4, 5])
    a_t, b_t = torch.zeros(2, 3), torch.zeros(4, 5)
    return failing(lambda: a_f.add(b_f), lambda: a_t.add(b_t))


def dim_error_step():
    """`softmax` along dim 5 of a [2, 3] tensor."""
    a_f, a_t = Tensor.zeros([2, 3]), torch.zeros(2, 3)
    return failing(lambda: a_f.softmax(5), lambda: a_t.softmax(5))


def oom_step():
    """`zeros` of 2**42 float32 (16 TiB) on the CPU."""
    shape = [1 << 21, 1 << 21]
    return failing(lambda: Tensor.zeros(shape), lambda: torch.zeros(shape))


PROFILES = {
    "tiny": tiny_step,
    "chain": chain_step,
    "mlp": mlp_step,
    "matmul": matmul_step,
    "conv": conv_step,
}


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "


def cuda_sync() -> None:
    """Waits for every kernel queued on the GPU, torch's and flodl's alike."""
    torch.cuda.synchronize()


def gpu_workload_rows(device: str, small: bool, rounds: int, scale: float, sync: Sync) -> int:
    """floDl's published GPU training workloads (bench/gpu_workloads.py), at
    the published sizes, or tiny ones with `small`: for each, one row per
    configuration (fp32 eager, bf16 autocast eager, graphed step, both), each
    timing flodl against torch in the same configuration and both against
    torch fp32 eager (foreach Adam: the first row's torch time), with the
    two libraries' loss gap over the first steps and floDl's figure on the
    workload's line. Graphed rows need CUDA: elsewhere they print a skipped
    line. Returns how many rows failed (each failure is printed, and the
    other rows still run)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gpu_workloads

    sizes = "tiny sizes, a smoke test" if small else "published sizes"
    print()
    print(
        f"floDl's published GPU workloads on {device} ({sizes}): "
        "forward, loss, zero_grad, backward, Adam"
    )
    print(
        "base: torch fp32 eager (foreach Adam on CUDA), the first row's torch time; "
        "loss gap: largest relative loss difference over the first 3 steps "
        "(graphed: the first 3 replays, after 3 warm-up steps)"
    )
    header = (
        f"{'workload: configuration':52} {'flodl':>20} {'torch':>20} {'flodl/torch':>12} "
        f"{'flodl/base':>10} {'torch/base':>10} {'loss gap':>9}"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for work in gpu_workloads.workloads(small):
        print(f"{work.name}: {work.description} (floDl fp32 eager: {work.published:.2f})")
        base: float | None = None
        for config in gpu_workloads.CONFIGS:
            name = f"  {config.name}"
            if config.graphed and device != "cuda":
                print(f"{name:52} skipped: no CUDA")
                continue
            try:
                f, t = gpu_workloads.twin_steps(work, device, config)
                gap = gpu_workloads.loss_gap(f, t)  # also a warm-up
                result = compare(rounds, max(1, int(work.iterations * scale)), f, t, sync)
            # flodl's and torch's errors (RuntimeError), an API that is missing
            # or takes other arguments: the row says so, the others still run.
            except (RuntimeError, MemoryError, AttributeError, TypeError, ValueError) as e:
                failed += 1
                print(f"{name:52} failed: {type(e).__name__}: {e}")
                continue
            finally:
                f = t = None
                release_device(device)
            if config == gpu_workloads.FP32_EAGER:
                base = result["torch"][0]
            config_row(name, result, base, gap)
    return failed


def release_device(device: str) -> None:
    """Frees what the last row's steps held (graphs, their memory pools,
    models) before the next row builds its own."""
    gc.collect()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()  # one caching allocator: flodl's blocks too


def config_row(name: str, result: dict, base: float | None, gap: float) -> None:
    (f_med, f_iqr), (t_med, t_iqr) = result["flodl"], result["torch"]
    ratios = f"{f_med / base:10.2f} {t_med / base:10.2f}" if base else f"{'-':>10} {'-':>10}"
    print(
        f"{name:52} {fmt_time(f_med)} ({f_iqr:4.1f}%) {fmt_time(t_med)} ({t_iqr:4.1f}%) "
        f"{f_med / t_med:12.2f} {ratios} {gap:9.1e}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="where both libraries' tensors live (cuda: synchronised timing, GPU workloads)",
    )
    parser.add_argument(
        "--gpu-workloads-on-cpu",
        action="store_true",
        help="with --device cpu: add the GPU workloads at tiny sizes (a smoke test)",
    )
    parser.add_argument(
        "--gpu-workloads-only",
        action="store_true",
        help="only the GPU workloads (with --device cuda or --gpu-workloads-on-cpu)",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), help="loop one step, for perf")
    parser.add_argument("--library", choices=["flodl", "torch"], default="flodl")
    args = parser.parse_args()
    device = args.device
    if args.gpu_workloads_only and not (device == "cuda" or args.gpu_workloads_on_cpu):
        parser.error("--gpu-workloads-only needs --device cuda or --gpu-workloads-on-cpu")
    sync: Sync = None
    if device == "cuda":
        torch_cuda, flodl_cuda = torch.cuda.is_available(), flodl.cuda_available()
        if not (torch_cuda and flodl_cuda):
            print(
                "compare_torch.py: --device cuda, but no CUDA device is usable "
                f"(torch.cuda.is_available() {torch_cuda}, flodl.cuda_available() {flodl_cuda})",
                file=sys.stderr,
            )
            sys.exit(2)
        sync = cuda_sync
    scale = 0.1 if args.quick else 1.0
    if args.profile:
        flodl_step, torch_step = PROFILES[args.profile](device=device)
        step = flodl_step if args.library == "flodl" else torch_step
        print(
            f"{args.library} {args.profile}: {fmt_time(timed(step, 60_000 // 20, sync))}, looping"
        )
        timed(step, int(60_000 * scale), sync)
        return

    benchmarks = [
        ("tiny step (1 elem: mul, sum, backward, zero_grad)", tiny_step, 2000, 0.9),
        ("20-op chain on [64], backward", chain_step, 1000, 0.8),
        ("MLP step 3x64, batch 32, MSE, SGD", mlp_step, 500, 0.9),
        ("MLP step, torch with in-place SGD", lambda d: mlp_step(True, d), 500, None),
        ("matmul 512x512 forward + backward", matmul_step, 20, 1.03),
        ("small conv net forward + backward", conv_step, 10, 1.03),
        ("autograd.grad of the 20-op chain", grad_chain_step, 1000, 0.9),
        ("gradient penalty, MLP 3x64 (double backward)", penalty_step, 200, 0.9),
        ("func.jvp of an MLP (forward mode)", jvp_step, 500, 0.9),
        ("func.hvp of an MLP", hvp_step, 300, 0.9),
        ("custom Python Function (Swish) on [64], fwd+bwd", custom_function_step, 1000, 0.9),
        ("checkpoint of a 4-op block on [64], fwd+bwd", checkpoint_step, 500, None),
    ]
    # The error path is the same host-side check on any device: these stay on the CPU.
    cpu_benchmarks = [
        ("error: shape mismatch in add", shape_error_step, 2000, 3.0),
        ("error: dim out of range in softmax", dim_error_step, 2000, 3.0),
        ("error: out of memory in zeros", oom_step, 500, 3.0),
    ]
    if device == "cuda":
        # GPU hosts overcommit memory: asking for 16 TiB there got the whole
        # benchmark killed instead of refused. The row is the CPU's anyway.
        cpu_benchmarks = [b for b in cpu_benchmarks if b[1] is not oom_step]
    cpu_suffix = " (cpu)" if device == "cuda" else ""
    print(f"flodl vs torch {torch.__version__} eager, same libtorch, same process")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"torch threads {torch.get_num_threads()}, python {platform.python_version()}, "
        f"{args.rounds} interleaved rounds, median (IQR % of median)"
    )
    if device == "cuda":
        print(
            f"device cuda: {torch.cuda.get_device_name()}; each timed block ends with "
            "torch.cuda.synchronize(); rows marked (cpu), the import row and the "
            "live-handle line run on the CPU"
        )
    workloads = device == "cuda" or args.gpu_workloads_on_cpu
    if not args.gpu_workloads_only:
        print()
        header = f"{'benchmark':52} {'flodl':>20} {'torch':>20} {'flodl/torch':>12} {'target':>7}"
        print(header)
        print("-" * len(header))
        for name, make, iterations, target in benchmarks:
            f, t = make(device)
            result = compare(args.rounds, max(1, int(iterations * scale)), f, t, sync)
            row(name, result, target)
        for name, make, iterations, target in cpu_benchmarks:
            f, t = make()
            result = compare(args.rounds, max(1, int(iterations * scale)), f, t)
            row(name + cpu_suffix, result, target)
        if device == "cuda":
            print("error: out of memory in zeros: skipped on CUDA runs (the host overcommits)")
        row("import (fresh process)", import_times(max(3, args.rounds // 3)), 0.8)
    failed = 0
    if workloads:
        failed = gpu_workload_rows(device, device == "cpu", args.rounds, scale, sync)
    if not args.gpu_workloads_only:
        print()
        print(live_handles_line(max(100, int(10_000 * scale))))
    if failed:
        print(f"compare_torch.py: {failed} GPU workload rows failed", file=sys.stderr)
        sys.exit(1)


def row(name: str, result: dict, target: float | None, target_text: str = "") -> None:
    (f_med, f_iqr), (t_med, t_iqr) = result["flodl"], result["torch"]
    target_text = f"<= {target}" if target else target_text
    print(
        f"{name:52} {fmt_time(f_med)} ({f_iqr:4.1f}%) {fmt_time(t_med)} ({t_iqr:4.1f}%) "
        f"{f_med / t_med:12.2f} {target_text:>7}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
