"""flodl.distributed on loopback Gloo, with 2 and 3 processes.

Each group runs this file as a script (one process per rank, a free port on
127.0.0.1, a 30 s collective timeout and a subprocess timeout, so nothing
hangs); every rank runs a list of checks and writes what each gave to a JSON
file, which the tests below read. Importing this module does not import torch.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve()
TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(scenario: str, world: int, tmp: Path) -> list[tuple[int, dict[str, str], str]]:
    """Runs ``scenario`` in ``world`` processes; (returncode, checks, stderr) per rank."""
    env = dict(
        os.environ,
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(free_port()),
        WORLD_SIZE=str(world),
        OMP_NUM_THREADS="1",
    )
    procs = []
    for rank in range(world):
        out = tmp / f"{scenario}-{world}-{rank}.json"
        procs.append(
            (
                out,
                subprocess.Popen(
                    [sys.executable, str(HERE), scenario, str(out)],
                    env=dict(env, RANK=str(rank)),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    results = []
    for out, proc in procs:
        try:
            _, stderr = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for _, p in procs:
                p.kill()
            pytest.fail(f"{scenario} with {world} processes hung for {TIMEOUT_S} s")
        checks = json.loads(out.read_text()) if out.exists() else {}
        results.append((proc.returncode, checks, stderr))
    return results


@pytest.fixture(scope="module", params=[2, 3], ids=["2proc", "3proc"])
def suite(request: Any, tmp_path_factory: Any) -> list[dict[str, str]]:
    results = launch("suite", request.param, tmp_path_factory.mktemp("dist"))
    failed = [f"rank {r}:\n{err}" for r, (rc, _, err) in enumerate(results) if rc != 0]
    assert not failed, "\n".join(failed)
    return [checks for _, checks, _ in results]


def expect_ok(suite: list[dict[str, str]], name: str) -> None:
    for rank, checks in enumerate(suite):
        assert checks.get(name) == "ok", f"rank {rank}, {name}: {checks.get(name)}"


def test_collectives_in_place(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "collectives")


def test_ddp_equals_single_process(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "ddp_equivalence")


def test_ddp_overlaps_backward(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "overlap")


def test_no_sync_accumulation(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "no_sync")


def test_find_unused_parameters(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "find_unused")


def test_buffers_broadcast(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "buffers")


def test_shape_mismatch_is_argument_error(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "mismatch")


def test_sampler_matches_torch(suite: list[dict[str, str]]) -> None:
    expect_ok(suite, "sampler")


def test_failing_rank_does_not_hang(tmp_path: Path) -> None:
    results = launch("fail", 2, tmp_path)
    assert results[1][0] != 0  # the rank that raised
    rc, checks, stderr = results[0]
    assert rc == 0, stderr
    assert checks.get("fail") == "ok", checks


def test_import_flodl_does_not_import_distributed() -> None:
    code = "import sys, flodl; assert 'torch' not in sys.modules; assert not hasattr(flodl, 'DDP')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ----- the worker: what each rank runs -----


def worker(scenario: str, out: str) -> int:
    from datetime import timedelta

    import numpy as np
    import torch

    import flodl
    import flodl.distributed as fd
    from flodl import nn, optim

    fd.init_process_group("gloo", timeout=timedelta(seconds=30))
    rank, world = fd.get_rank(), fd.get_world_size()
    checks: dict[str, str] = {}

    def check(name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
            checks[name] = "ok"
        except Exception:  # noqa: BLE001 - reported to the test, per check
            checks[name] = traceback.format_exc()

    def mlp() -> nn.Module:
        return nn.Sequential(
            nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3)
        ).double()

    rng = np.random.default_rng(0)
    x_all = rng.standard_normal((6, 12, 5))  # 6 steps of a global batch of 12
    y_all = rng.standard_normal((6, 12, 3))

    def params(model: nn.Module) -> list[np.ndarray]:
        return [p.data.numpy().copy() for p in model.parameters()]

    def collectives() -> None:
        t = flodl.tensor([float(rank + 1)] * 4).double()
        ptr = t.to_torch().data_ptr()
        fd.all_reduce(t)
        assert t.tolist() == [world * (world + 1) / 2] * 4, t.tolist()
        assert t.to_torch().data_ptr() == ptr
        v = flodl.Variable(flodl.tensor([float(rank)] * 3), requires_grad=True)
        fd.broadcast(v, src=world - 1)
        assert v.data.tolist() == [float(world - 1)] * 3
        gathered = [flodl.tensor([0.0, 0.0]) for _ in range(world)]
        ptrs = [g.to_torch().data_ptr() for g in gathered]
        fd.all_gather(gathered, flodl.tensor([rank, rank * 10.0]))
        assert [g.tolist() for g in gathered] == [[r, r * 10.0] for r in range(world)]
        assert [g.to_torch().data_ptr() for g in gathered] == ptrs
        inputs = [flodl.tensor([float(rank + i)] * 2) for i in range(world)]
        output = flodl.tensor([0.0, 0.0])
        fd.reduce_scatter(output, inputs)
        expected = float(sum(r + rank for r in range(world)))
        assert output.tolist() == [expected] * 2, output.tolist()
        m = flodl.tensor([float(rank)])
        fd.all_reduce(m, op=fd.ReduceOp.MAX)
        assert m.tolist() == [world - 1.0]
        fd.barrier()

    def ddp_equivalence() -> None:
        flodl.manual_seed(0)
        reference = mlp()
        flodl.manual_seed(100 + rank)  # different on every rank: DDP broadcasts rank 0's
        model = mlp()
        model.load_state_dict(reference.state_dict()) if rank == 0 else None
        ddp = fd.DistributedDataParallel(model, bucket_cap_mb=0.0005)  # several buckets
        assert len(ddp._buckets) > 1
        opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
        ref_opt = optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
        launched = []
        for step in range(len(x_all)):
            x, y = flodl.tensor(x_all[step]), flodl.tensor(y_all[step])
            xs, ys = flodl.tensor(x_all[step][rank::world]), flodl.tensor(y_all[step][rank::world])
            loss = nn.functional.mse_loss(ddp(xs), ys)
            opt.zero_grad()
            loss.backward()
            launched.append(ddp.launched_during_backward)
            opt.step()
            ref_loss = nn.functional.mse_loss(reference(x), y)
            ref_opt.zero_grad()
            ref_loss.backward()
            ref_opt.step()
        for got, want in zip(params(model), params(reference), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        overlap_seen.append((len(ddp._buckets), launched))

    overlap_seen: list[tuple[int, list[int]]] = []
    errors: list[str] = []  # the messages users would see, printed by the worker

    def overlap() -> None:
        # every bucket's all-reduce was started by a grad hook, inside backward
        ((buckets, launched),) = overlap_seen
        assert launched == [buckets] * len(x_all), (buckets, launched)

    def no_sync() -> None:
        flodl.manual_seed(0)
        reference = mlp()
        model = mlp()
        model.load_state_dict(reference.state_dict())
        ddp = fd.DistributedDataParallel(model, bucket_cap_mb=0.0005)
        x, y = x_all[0], y_all[0]
        micro = [(r, half) for r in range(world) for half in (0, 1)]

        def part(r: int, half: int) -> tuple[Any, Any]:
            xs, ys = x[r::world], y[r::world]
            k = len(xs) // 2
            sl = slice(0, k) if half == 0 else slice(k, None)
            return flodl.tensor(xs[sl]), flodl.tensor(ys[sl])

        with ddp.no_sync():
            xa, ya = part(rank, 0)
            nn.functional.mse_loss(ddp(xa), ya).backward()
        xb, yb = part(rank, 1)
        nn.functional.mse_loss(ddp(xb), yb).backward()
        total = None
        for r, half in micro:
            xr, yr = part(r, half)
            loss = nn.functional.mse_loss(reference(xr), yr) / world
            total = loss if total is None else total + loss
        total.backward()
        for p, q in zip(model.parameters(), reference.parameters(), strict=True):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-13)

    def find_unused() -> None:
        class Two(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.a = nn.Linear(3, 2).double()
                self.b = nn.Linear(3, 2).double()

            def forward(self, x: Any, use_b: bool) -> Any:
                out = self.a(x)
                return out + self.b(x) if use_b else out

        flodl.manual_seed(0)
        ddp = fd.DistributedDataParallel(Two(), find_unused_parameters=True)
        x = flodl.tensor(np.ones((2, 3)))
        ddp(x, rank == 0).sum().backward()  # only rank 0 uses b
        gb = ddp.module.b.weight.grad
        assert gb is not None
        np.testing.assert_allclose(gb.numpy(), np.full((2, 3), 2.0 / world), rtol=1e-12)
        ddp.zero_grad()
        ddp(x, False).sum().backward()  # nobody uses b
        np.testing.assert_allclose(ddp.module.b.weight.grad.numpy(), 0.0)
        strict = fd.DistributedDataParallel(Two())  # find_unused_parameters=False
        try:
            strict(x, False).sum().backward()
        except flodl.FlodlError as e:
            assert "b.weight" in str(e) and "find_unused_parameters" in str(e), str(e)
            errors.append(f"{type(e).__name__}: {e}")
        else:
            raise AssertionError("an unused parameter went unnoticed")
        strict(x, True).sum().backward()  # the next iteration works

    def buffers() -> None:
        class WithBuffer(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lin = nn.Linear(2, 2)
                self.register_buffer("scale", flodl.tensor([float(rank)]))

            def forward(self, x: Any) -> Any:
                return self.lin(x) * self.scale

        ddp = fd.DistributedDataParallel(WithBuffer())
        assert ddp.module.scale.tolist() == [0.0]
        assert set(ddp.state_dict()) == {"module.lin.weight", "module.lin.bias", "module.scale"}

    def mismatch() -> None:
        model = nn.Sequential(nn.Linear(4, 3 + (rank == 1)))
        try:
            fd.DistributedDataParallel(model)
        except flodl.ArgumentError as e:
            assert "'0.weight'" in str(e) and "rank 1" in str(e), str(e)
        else:
            raise AssertionError("no ArgumentError")
        fd.barrier()  # the group is still usable

    def sampler() -> None:
        from torch.utils.data import DistributedSampler as TorchSampler

        for n in (10, 11, 1, 7):
            for shuffle in (True, False):
                for drop_last in (False, True):
                    for epoch in (0, 3):
                        ours = fd.DistributedSampler(
                            n, shuffle=shuffle, seed=5, drop_last=drop_last
                        )
                        theirs = TorchSampler(
                            range(n),
                            num_replicas=world,
                            rank=rank,
                            shuffle=shuffle,
                            seed=5,
                            drop_last=drop_last,
                        )
                        ours.set_epoch(epoch)
                        theirs.set_epoch(epoch)
                        assert list(ours) == list(theirs), (n, shuffle, drop_last, epoch)
                        assert len(ours) == len(theirs)

    def fail() -> None:
        flodl.manual_seed(0)
        ddp = fd.DistributedDataParallel(mlp())
        if rank == 1:
            raise SystemExit(3)  # this rank dies before backward
        loss = ddp(flodl.tensor(x_all[0])).sum()
        try:
            loss.backward()
        except flodl.FlodlError as e:  # the error from the collective, not a hang
            assert "all-reduce" in str(e) and "failed" in str(e), str(e)
            errors.append(f"{type(e).__name__}: {e}")
        else:
            raise AssertionError("backward succeeded without the other rank")

    if scenario == "suite":
        for name, fn in [
            ("collectives", collectives),
            ("ddp_equivalence", ddp_equivalence),
            ("overlap", overlap),
            ("no_sync", no_sync),
            ("find_unused", find_unused),
            ("buffers", buffers),
            ("mismatch", mismatch),
            ("sampler", sampler),
        ]:
            check(name, fn)
        Path(out).write_text(json.dumps(checks))
        fd.barrier()
        fd.destroy_process_group()
    else:
        check("fail", fail)
        Path(out).write_text(json.dumps(checks))
        fd.destroy_process_group()
    if rank == 0:
        print("\n".join(errors))
    del torch
    return 0


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1], sys.argv[2]))
