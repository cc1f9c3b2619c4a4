"""Data-parallel training steps: one process against two on Gloo (loopback).

Two workloads: (a) the digits MLP of ``examples/train_digits.py``
(``build_mlp``, 64-128-64-10, global batch 64) and (b) a wide MLP,
4 x Linear(2048, 2048) with ReLUs between (16.8M parameters, global batch 32).
One training step is forward, cross-entropy, ``zero_grad``, ``backward`` and
``flodl.optim.Adam``. Every configuration runs in fresh processes, started
by this script (no torchrun: ``MASTER_ADDR=127.0.0.1``, a free port, ``RANK``,
``WORLD_SIZE``), and reports the median step time over ``--steps`` steps
after ``--warmup`` steps:

* ``single-1t`` / ``single-2t``: one process, the global batch, 1 / 2
  intra-op threads (``flodl.set_num_threads``).
* ``ddp``: 2 processes, 1 thread each, half the batch each,
  ``flodl.distributed.DistributedDataParallel`` (bucket all-reduces started
  from the gradient hooks during backward, waited at its end).
* ``ddp-sync``: the same 2 processes and the same wrapper, but forward and
  backward run under ``no_sync()`` and the same buckets are then all-reduced
  one after the other, synchronously, after ``backward()`` returns: the same
  communication, none of it overlapped with backward.
* ``2p-nocomm``: the same 2 processes under ``no_sync()`` and no all-reduce at
  all (the replicas drift apart): the compute-only floor of 2 processes on
  this machine.

For 2-process runs the step time is the larger of the two ranks' medians.

Overlap, two ways (both printed):

* step-based: ``hidden = 1 - (ddp - nocomm) / (ddp-sync - nocomm)``: the share of
  the communication time that ``ddp-sync`` exposes which ``ddp`` does not.
* timestamp-based (``ddp`` run, rank 0, medians over steps; the bench wraps the
  wrapper's ``_launch`` and the work handles' ``wait``, no change to the
  library): ``launch..compute_end / launch..done``, the share of the window
  from the first bucket's launch (in a gradient hook) to the last bucket's
  completed ``wait()`` (in the end-of-backward callback) that lies before
  backward's compute ended (the callback's start); and ``exposed``, the time
  from backward's compute end to the last completed wait.

    .venv/bin/python bench/ddp_vs_single.py [--steps N] [--warmup N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKLOADS = {
    # name: (global batch, input features, classes)
    "digits_mlp": (64, 64, 10),
    "mlp_4x2048": (32, 2048, 2048),
}
MODES = ["single-1t", "single-2t", "ddp", "ddp-sync", "2p-nocomm"]


def build(name: str) -> Any:
    from flodl import nn

    if name == "digits_mlp":
        sys.path.insert(0, os.path.join(ROOT, "examples"))
        from train_digits import build_mlp

        return build_mlp(nn)
    layers: list[Any] = []
    for i in range(4):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(2048, 2048))
    return nn.Sequential(*layers)


# ----- worker: one process of one configuration -----


def worker(args: argparse.Namespace) -> None:
    import flodl
    import flodl.nn.functional as F

    flodl.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    batch, features, classes = WORKLOADS[args.workload]
    local = batch // world

    flodl.manual_seed(0)
    model = build(args.workload)
    nparams = sum(p.numel() for p in model.parameters())
    rng = np.random.default_rng(1 + rank)
    xs = [flodl.tensor(rng.random((local, features), dtype=np.float32)) for _ in range(4)]
    ys = [flodl.tensor(rng.integers(0, classes, local).astype(np.int64)) for _ in range(4)]

    stamps: dict[str, Any] = {}
    if world > 1:
        import torch
        import torch.distributed as tdist

        import flodl.distributed as dist

        dist.init_process_group("gloo")
        net = dist.DistributedDataParallel(model)
        buckets = net._buckets
        if args.mode == "ddp":
            _instrument(net, stamps)
    else:
        net = model
    opt = flodl.optim.Adam(net.parameters(), lr=1e-4)

    def sync_after_backward() -> None:
        for b in buckets:
            flat = torch.cat([p.grad.to_torch().reshape(-1) for _, p in b.params])
            flat.div_(world)
            tdist.all_reduce(flat)
            offset = 0
            for _, p in b.params:
                n = p.numel()
                p.grad.to_torch().copy_(flat[offset : offset + n].view(tuple(p.shape)))
                offset += n

    def step(i: int) -> None:
        x, y = xs[i % 4], ys[i % 4]
        if args.mode in ("ddp-sync", "2p-nocomm"):
            with net.no_sync():
                loss = F.cross_entropy(net(x), y)
                opt.zero_grad()
                loss.backward()
            if args.mode == "ddp-sync":
                sync_after_backward()
        else:
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
        opt.step()

    for i in range(args.warmup):
        step(i)
    if world > 1:
        dist.barrier()
    stamps["steps"] = []
    times = []
    for i in range(args.steps):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
        if "cur" in stamps:
            stamps["steps"].append(stamps.pop("cur"))
    result: dict[str, Any] = {"rank": rank, "median_s": float(np.median(times)), "params": nparams}
    result["iqr_pct"] = float(
        100 * (np.percentile(times, 75) - np.percentile(times, 25)) / np.median(times)
    )
    if world > 1:
        # replicas agree after ddp / ddp-sync (a checksum of the parameters)
        s = torch.tensor([float(sum(p.data.to_torch().double().sum() for p in model.parameters()))])
        gathered = [torch.zeros(1, dtype=s.dtype) for _ in range(world)]
        tdist.all_gather(gathered, s)
        result["replicas_equal"] = bool(all(g.item() == gathered[0].item() for g in gathered))
        if stamps["steps"]:
            result["overlap"] = _summarise(stamps["steps"])
            result["buckets"] = len(buckets)
        dist.destroy_process_group()
    print("RESULT " + json.dumps(result), flush=True)


def _instrument(net: Any, stamps: dict[str, Any]) -> None:
    """Timestamps of each bucket's launch (from a gradient hook), of backward's compute
    end (the end callback's start) and of each bucket's completed wait. Bench-side
    wrapping of the instance's methods; the library is unchanged."""
    launch, finish = net._launch, net._finish

    class TimedWork:
        def __init__(self, work: Any, rec: dict[str, Any]) -> None:
            self.work, self.rec = work, rec

        def wait(self) -> Any:
            r = self.work.wait()
            self.rec["done"].append(time.perf_counter())
            return r

    def timed_launch(bucket: Any) -> None:
        rec = stamps.setdefault("cur", {"launch": [], "done": []})
        rec["launch"].append(time.perf_counter())
        launch(bucket)
        bucket.work = TimedWork(bucket.work, rec)

    def timed_finish() -> None:
        rec = stamps.setdefault("cur", {"launch": [], "done": []})
        rec["compute_end"] = time.perf_counter()
        finish()
        rec["finish_end"] = time.perf_counter()

    object.__setattr__(net, "_launch", timed_launch)
    object.__setattr__(net, "_finish", timed_finish)


def _summarise(steps: list[dict[str, Any]]) -> dict[str, float]:
    window, before, exposed, launched_before = [], [], [], []
    for r in steps:
        first, last, end = min(r["launch"]), max(r["done"]), r["compute_end"]
        window.append(last - first)
        before.append(max(0.0, min(end, last) - first))
        exposed.append(max(0.0, last - end))
        launched_before.append(sum(t < end for t in r["launch"]))
    return {
        "window_ms": 1e3 * float(np.median(window)),
        "before_compute_end_ms": 1e3 * float(np.median(before)),
        "hidden_frac": float(np.median([b / w if w else 0.0 for b, w in zip(before, window)])),
        "exposed_ms": 1e3 * float(np.median(exposed)),
        "launched_in_backward": float(np.median(launched_before)),
    }


# ----- driver -----


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_config(workload: str, mode: str, steps: int, warmup: int) -> list[dict[str, Any]]:
    world = 1 if mode.startswith("single") else 2
    threads = 2 if mode == "single-2t" else 1
    port = free_port()
    procs = []
    for rank in range(world):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        if world > 1:
            env.update(
                MASTER_ADDR="127.0.0.1",
                MASTER_PORT=str(port),
                RANK=str(rank),
                WORLD_SIZE=str(world),
            )
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--workload", workload]
        cmd += ["--mode", mode, "--threads", str(threads)]
        cmd += ["--steps", str(steps), "--warmup", str(warmup)]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=900)
        if p.returncode != 0:
            raise SystemExit(f"{workload} {mode}: a worker failed ({p.returncode})")
        line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
        results.append(json.loads(line[len("RESULT ") :]))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--workload", default="digits_mlp", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="single-1t", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, default=None, help="timed steps (per workload default)")
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="few steps: a smoke test")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return

    print(f"load average: {os.getloadavg()[0]:.2f}  cores: {os.cpu_count()}")
    print("command: .venv/bin/python bench/ddp_vs_single.py " + " ".join(sys.argv[1:]))
    defaults = {"digits_mlp": (2000, 200), "mlp_4x2048": (100, 10)}
    table: dict[str, dict[str, Any]] = {}
    for workload in WORKLOADS:
        steps, warmup = defaults[workload]
        if args.quick:
            steps, warmup = 10, 3
        steps = args.steps or steps
        warmup = args.warmup if args.warmup is not None else warmup
        table[workload] = {}
        for mode in MODES:
            res = run_config(workload, mode, steps, warmup)
            med = max(r["median_s"] for r in res)
            table[workload][mode] = {"ms": 1e3 * med, "runs": res}
            extra = ""
            if "replicas_equal" in res[0] and mode != "2p-nocomm":
                extra = f"  replicas equal: {res[0]['replicas_equal']}"
            print(
                f"  {workload:11s} {mode:10s} {1e3 * med:9.3f} ms  "
                f"(iqr {max(r['iqr_pct'] for r in res):.0f}%, {steps} steps){extra}",
                flush=True,
            )

    print()
    head = f"{'workload':12s} {'params':>8s} " + " ".join(f"{m:>10s}" for m in MODES)
    print(head + "   ms/step (median)")
    for workload, row in table.items():
        params = row["single-1t"]["runs"][0]["params"]
        cells = " ".join(f"{row[m]['ms']:10.3f}" for m in MODES)
        print(f"{workload:12s} {params:8d} {cells}")
    print()
    for workload, row in table.items():
        t = {m: row[m]["ms"] for m in MODES}
        hidden = 1 - (t["ddp"] - t["2p-nocomm"]) / (t["ddp-sync"] - t["2p-nocomm"])
        ov = row["ddp"]["runs"][0].get("overlap", {})
        print(f"{workload}:")
        print(
            f"  speed-up ddp vs single-1t: {t['single-1t'] / t['ddp']:.2f}x; "
            f"vs single-2t: {t['single-2t'] / t['ddp']:.2f}x; "
            f"single-1t/single-2t: {t['single-1t'] / t['single-2t']:.2f}x"
        )
        print(
            f"  communication exposed: ddp {t['ddp'] - t['2p-nocomm']:.3f} ms, "
            f"ddp-sync {t['ddp-sync'] - t['2p-nocomm']:.3f} ms (vs 2p-nocomm); "
            f"step-based hidden = 1 - (ddp - nocomm)/(ddp-sync - nocomm) = {hidden:.2f}"
        )
        if ov:
            print(
                f"  timestamps (ddp, rank 0, {row['ddp']['runs'][0]['buckets']} buckets, "
                f"{ov['launched_in_backward']:.0f} launched before compute end): "
                f"first launch -> last wait done {ov['window_ms']:.3f} ms, of which "
                f"{ov['before_compute_end_ms']:.3f} ms before backward's compute end "
                f"(hidden fraction {ov['hidden_frac']:.2f}); exposed after compute end "
                f"{ov['exposed_ms']:.3f} ms"
            )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
