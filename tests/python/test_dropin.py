"""PyTorch programs run on flodl with only their imports changed (SPEC 3a).

Each program in tests/dropin/ is a PyTorch program as written for torch.
The test rewrites its import lines mechanically (``import torch`` becomes
``import flodl as torch``, ``torch.<module>`` imports become
``flodl.<module>`` (binding ``torch`` where the original did); nothing else
is touched), runs both in fresh
processes on one thread, and checks that they print the same text with the
same numbers (rtol 1e-5): the text with every number blanked must match,
then the numbers one by one.

``python tests/python/test_dropin.py NAME`` shows both outputs side by side.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).resolve().parent.parent / "dropin"
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.py"))

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\b(?:nan|inf)\b")


def ported(source: str) -> str:
    """The program with its torch imports made flodl's, line by line."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if re.fullmatch(r"import torch", stripped):
            line = indent + "import flodl as torch"
        elif re.match(r"import torch\.[\w.]+ as \w+$", stripped):
            line = indent + stripped.replace("import torch.", "import flodl.", 1)
        elif re.fullmatch(r"import torch\.[\w.]+", stripped):
            # `import torch.utils.data` binds `torch` and loads the submodule.
            line = (
                indent + stripped.replace("import torch.", "import flodl.", 1) + ", flodl as torch"
            )
        elif re.match(r"from torch(\.[\w.]+)? import ", stripped):
            line = indent + stripped.replace("from torch", "from flodl", 1)
        elif stripped.startswith(("import torch", "from torch")):
            raise ValueError(f"an import form the port does not rewrite: {stripped!r}")
        lines.append(line)
    return "\n".join(lines) + "\n"


def run(source: str, workdir: Path) -> str:
    for data in PROGRAMS.glob("*.txt"):  # the programs' own text data
        (workdir / data.name).write_bytes(data.read_bytes())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    script = workdir / "program.py"
    script.write_text(source)
    done = subprocess.run(
        [sys.executable, str(script)],
        check=False,  # the return code is asserted with the output
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def skeleton(text: str) -> str:
    return NUMBER.sub("#", text.replace("flodl", "torch"))


def numbers(text: str) -> np.ndarray:
    return np.array([float(n) for n in NUMBER.findall(text.replace("flodl", "torch"))])


def outputs(name: str, workdir: Path) -> tuple[str, str]:
    source = (PROGRAMS / f"{name}.py").read_text()
    return run(source, workdir), run(ported(source), workdir)


@pytest.mark.parametrize("name", NAMES)
def test_a_pytorch_program_prints_the_same_on_flodl(name: str, tmp_path: Path) -> None:
    want, got = outputs(name, tmp_path)
    assert want.strip(), "the torch program printed nothing"
    assert skeleton(got) == skeleton(want)
    np.testing.assert_allclose(numbers(got), numbers(want), rtol=1e-5, atol=1e-6)


def test_only_import_lines_change() -> None:
    source = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torch.ones(2)\n"
    assert ported(source) == (
        "import flodl as torch\nimport flodl.nn as nn\nfrom flodl.utils.data import DataLoader\n"
        "x = torch.ones(2)\n"
    )
    for program in NAMES:
        source = (PROGRAMS / f"{program}.py").read_text().splitlines()
        port = ported("\n".join(source)).splitlines()
        changed = [a for a, b in zip(source, port) if a != b]
        assert changed and all("import" in line for line in changed), program


if __name__ == "__main__":
    import tempfile

    for name in sys.argv[1:] or NAMES:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                want, got = outputs(name, Path(tmp))
            except AssertionError as failure:
                print(f"== {name}: failed\n{failure}")
                continue
            same = (
                skeleton(got) == skeleton(want)
                and np.allclose(numbers(got), numbers(want), rtol=1e-5, atol=1e-6)
                if len(numbers(got)) == len(numbers(want))
                else False
            )
            print(f"== {name}: {'same' if same else 'DIFFERENT'}")
            if not same:
                print("-- torch\n" + want + "-- flodl\n" + got)
