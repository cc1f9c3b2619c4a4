"""Wall time of the drop-in programs (tests/dropin), flodl against torch.

Each program runs as written for torch and as ported to flodl (its import
lines rewritten, as tests/python/test_dropin.py does), each in a fresh
process on one thread (OMP_NUM_THREADS=1), interleaved over rounds (torch,
flodl, torch, ...). The time is the whole process: interpreter start,
imports, data loading and the program. The table gives the median over
rounds and the ratio flodl / torch (lower is better for flodl).

    .venv/bin/python bench/dropin_vs_torch.py [--rounds N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))

from test_dropin import NAMES, PROGRAMS, ported


def wall_time(source: str, workdir: Path) -> float:
    for data in PROGRAMS.glob("*.txt"):
        (workdir / data.name).write_bytes(data.read_bytes())
    script = workdir / "program.py"
    script.write_text(source)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script)], cwd=workdir, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    names = args.only or NAMES
    print(f"{'program':<28} {'torch s':>9} {'flodl s':>9} {'flodl/torch':>12}")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            source = (PROGRAMS / f"{name}.py").read_text()
            port = ported(source)
            torch_times, flodl_times = [], []
            for _ in range(args.rounds):
                torch_times.append(wall_time(source, Path(tmp)))
                flodl_times.append(wall_time(port, Path(tmp)))
            t, f = statistics.median(torch_times), statistics.median(flodl_times)
            ratios.append(f / t)
            print(f"{name:<28} {t:>9.2f} {f:>9.2f} {f / t:>12.2f}")
    geo = statistics.geometric_mean(ratios)
    print(f"{'geometric mean':<28} {'':>9} {'':>9} {geo:>12.2f}")


if __name__ == "__main__":
    main()
