"""The Python training examples run end to end (briefly) and learn: the digits
models beat chance by far, the character LSTM's loss goes down, and the
exported data and saved weights load back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import flodl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: str) -> str:
    """The stdout of ``python examples/<name> args``, which must succeed."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_train_digits_learns_and_saves(tmp_path: Path) -> None:
    saved = tmp_path / "cnn.safetensors"
    out = run_example("train_digits.py", "--no-progress", "--epochs", "3", "--save", str(saved))
    accuracies = dict(re.findall(r"(MLP|CNN) \(flodl\): held-out accuracy ([\d.]+)%", out))
    assert set(accuracies) == {"MLP", "CNN"}, out
    # Three epochs are far from the full run's 96-98%, and far above chance (10%).
    assert all(float(a) > 80 for a in accuracies.values()), out
    state = flodl.load(saved)
    assert list(state["1.weight"].shape) == [16, 1, 3, 3]
    assert list(state["10.weight"].shape) == [10, 64]


def test_train_digits_exports_the_split(tmp_path: Path) -> None:
    path = tmp_path / "digits.safetensors"
    run_example("train_digits.py", "--export", str(path))
    data = flodl.load(path)
    assert sorted(data) == ["x_test", "x_train", "y_test", "y_train"]
    assert list(data["x_train"].shape) == [1437, 64]
    assert list(data["x_test"].shape) == [360, 64]
    assert data["x_train"].dtype == flodl.DType.Float32
    assert data["y_train"].dtype == flodl.DType.Int64
    x = data["x_train"].numpy()
    assert x.min() == 0.0 and x.max() == 1.0


def test_char_rnn_loss_goes_down() -> None:
    out = run_example("char_rnn.py", "--steps", "20", "--length", "40")
    train = re.search(r"training loss: ([\d.]+) -> ([\d.]+)", out)
    held_out = re.search(r"held-out loss: ([\d.]+) -> ([\d.]+)", out)
    assert train and held_out, out
    assert float(train[2]) < float(train[1]) - 0.5, out
    assert float(held_out[2]) < float(held_out[1]), out
    # The sample: the prompt and then 40 characters.
    assert "The autograd " in out
