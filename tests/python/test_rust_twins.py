"""The Rust examples compute what their Python twins compute:
examples/train_digits.rs against train_digits.py's flodl run (the same data
export, seed, batches and Adam), and examples/resume_training.rs against
resume_training.py (RAdam, a cosine schedule, a checkpoint and its resume).
A resumed run repeats the uninterrupted one to the bit, a checkpoint written
by either language resumes in the other, and the Python twin run on PyTorch
gives the same numbers.

Rust and Python call the same libtorch kernels in the same order on one
thread, so today the numbers agree bit for bit; the comparisons across
languages (and with PyTorch) allow a relative 1e-5, the ones within a
language (a resume against the run without it) nothing but the rates' last
bit."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import flodl

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-5


def environment() -> dict[str, str]:
    """One thread (the examples' default, and deterministic sums), and cargo
    finding libtorch in this Python's torch."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "LIBTORCH_USE_PYTORCH": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(command: list[str], timeout: float) -> str:
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@functools.cache
def rust_binary(example: str) -> str:
    """The Rust example's executable, built once per session (a later edit of
    the crate does not rebuild it in the middle of the comparisons)."""
    command = ["cargo", "build", "--release", "--quiet", "--example", example]
    out = run([*command, "--message-format=json"], timeout=900)
    for line in out.splitlines():
        message = json.loads(line)
        artifact = message.get("reason") == "compiler-artifact"
        if artifact and message["target"]["name"] == example and message.get("executable"):
            return str(message["executable"])
    raise AssertionError(f"cargo built no executable for {example}:\n{out}")


def rust(example: str, *args: str) -> str:
    """The stdout of the Rust example."""
    return run([rust_binary(example), *args], timeout=120)


def python(example: str, *args: str) -> str:
    """The stdout of ``python examples/<example>.py``."""
    return run([sys.executable, str(ROOT / "examples" / f"{example}.py"), *args], timeout=120)


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def assert_close(got: list[float], expected: list[float], rtol: float = RTOL) -> None:
    assert len(got) == len(expected), (got, expected)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=0)


# ----- train_digits -----


def test_train_digits_rust_matches_python(tmp_path: Path) -> None:
    data = tmp_path / "digits.safetensors"
    python("train_digits", "--export", str(data))
    py = json_lines(python("train_digits", "--epochs", "3", "--no-progress", "--json"))
    rs = json_lines(rust("train_digits", str(data), "--epochs", "3", "--json"))
    assert [r["model"] for r in rs] == [p["model"] for p in py] == ["MLP", "CNN"]
    for r, p in zip(rs, py):
        assert len(r["losses"]) == 3
        assert_close(r["losses"], p["losses"])
        assert_close([r["accuracy"]], [p["accuracy"]])
        # Three epochs learn: the loss falls, the accuracy is far above chance.
        assert r["losses"][-1] < r["losses"][0] / 2 and r["accuracy"] > 0.8, r


# ----- resume_training -----

FIELDS = ("losses", "lrs", "accuracies")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every run of resume_training the tests compare, by name: each
    language's uninterrupted run, its run that saves after epoch 4 and
    resumes in fresh objects, its --stop run, and each checkpoint resumed in
    a new process of each language (each its last JSON line); and the paths
    of the --stop runs' checkpoints under "stopped"."""
    tmp = tmp_path_factory.mktemp("resume")
    paths = {lang: str(tmp / f"{lang}.safetensors") for lang in ("rs", "py")}
    stopped = {lang: str(tmp / f"{lang}_stop.safetensors") for lang in ("rs", "py")}
    programs = {
        "rs": lambda *a: rust("resume_training", *a),
        "py": lambda *a: python("resume_training", *a),
    }
    logs: dict[str, str] = {}
    for lang, program in programs.items():
        logs[f"{lang}_full"] = program("--save-at", "0", "--json")
        logs[f"{lang}_resumed"] = program("--checkpoint", paths[lang], "--json")
        logs[f"{lang}_stop"] = program("--stop", "--checkpoint", stopped[lang], "--json")
    for lang, program in programs.items():
        for source in ("rs", "py"):
            logs[f"{lang}_from_{source}"] = program("--resume", stopped[source], "--json")
    logs["torch_full"] = python("resume_training", "--torch", "--save-at", "0", "--json")
    return {"stopped": stopped, **{name: json_lines(out)[-1] for name, out in logs.items()}}


def test_resume_training_rust_matches_python(runs: dict[str, Any]) -> None:
    rs, py = runs["rs_full"], runs["py_full"]
    assert rs["epochs"] == py["epochs"] == list(range(1, 9))
    for name in FIELDS:
        assert_close(rs[name], py[name])
    # The cosine schedule from 3e-2 down towards 1e-4, and the model learns.
    assert rs["lrs"][0] == 3e-2 and rs["lrs"][-1] < 2e-3
    assert rs["losses"][-1] < 0.8 * rs["losses"][0] and rs["accuracies"][-1] > 0.7


def assert_resumes(resumed: dict[str, Any], full: dict[str, Any], epochs: slice) -> None:
    """``resumed`` ran the epochs ``epochs`` of ``full`` to the same numbers,
    bit for bit (a checkpoint reads its floats back exactly)."""
    for name in ("epochs", "losses", "accuracies", "lrs"):
        assert resumed[name] == full[name][epochs], name


@pytest.mark.parametrize("lang", ["rs", "py"])
def test_a_resumed_run_is_the_uninterrupted_one(runs: dict[str, Any], lang: str) -> None:
    full = runs[f"{lang}_full"]
    # Saved after epoch 4 and resumed in a fresh model, optimizer and
    # scheduler within the process: every epoch as without the stop.
    assert_resumes(runs[f"{lang}_resumed"], full, slice(None))
    # --stop: the first four epochs, then the checkpoint; a new process
    # resumed from it: epochs 5 to 8 as without the stop.
    assert runs[f"{lang}_stop"] == {k: v[:4] for k, v in full.items()}
    assert_resumes(runs[f"{lang}_from_{lang}"], full, slice(4, None))


def test_checkpoint_floats_read_back_exactly(tmp_path: Path) -> None:
    # The rate of resume_training's fifth epoch, and others of its kind.
    floats = [0.015049999999999997, 0.009328882686141907, 1.3436424411240121e-09]
    path = tmp_path / "floats.safetensors"
    flodl.save({"lrs": floats}, path)
    assert flodl.load(path)["lrs"] == floats


@pytest.mark.parametrize(("lang", "source"), [("py", "rs"), ("rs", "py")])
def test_a_checkpoint_resumes_in_the_other_language(
    runs: dict[str, Any], lang: str, source: str
) -> None:
    resumed, full = runs[f"{lang}_from_{source}"], runs[f"{lang}_full"]
    assert resumed["epochs"] == [5, 6, 7, 8]
    for name in FIELDS:
        assert_close(resumed[name], full[name][4:])


def test_the_checkpoints_have_one_layout(runs: dict[str, Any]) -> None:
    rs, py = (flodl.load(runs["stopped"][lang]) for lang in ("rs", "py"))
    assert list(rs) == list(py) == ["model", "optim", "sched", "epoch", "rng"]
    assert rs["epoch"] == py["epoch"] == 4
    assert list(rs["model"]) == list(py["model"]) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    for name, tensor in rs["model"].items():
        assert_close(tensor.numpy().ravel(), py["model"][name].numpy().ravel())
    # The optimizer: torch's state_dict layout, per parameter index.
    assert list(rs["optim"]["state"]) == list(py["optim"]["state"]) == [0, 1, 2, 3]
    for index, state in rs["optim"]["state"].items():
        assert list(state) == list(py["optim"]["state"][index]) == ["step", "exp_avg", "exp_avg_sq"]
        for name, tensor in state.items():
            assert_close(tensor.numpy().ravel(), py["optim"]["state"][index][name].numpy().ravel())
    (rs_group,), (py_group,) = rs["optim"]["param_groups"], py["optim"]["param_groups"]
    # Python's groups keep torch's extra entries (foreach, initial_lr, ...).
    assert set(rs_group) <= set(py_group)
    assert {k: rs_group[k] for k in rs_group} == {k: py_group[k] for k in rs_group}
    # The scheduler: torch's entries (Python's keeps its options beside them).
    for name in ("base_lrs", "last_epoch", "_step_count", "_last_lr"):
        assert rs["sched"][name] == py["sched"][name], name
    assert rs["rng"].numpy().tolist() == py["rng"].numpy().tolist()


def test_the_python_twin_matches_torch(runs: dict[str, Any]) -> None:
    torch_run, py = runs["torch_full"], runs["py_full"]
    assert torch_run["epochs"] == py["epochs"]
    for name in FIELDS:
        assert_close(torch_run[name], py[name])
