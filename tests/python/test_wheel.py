"""The wheel `make wheel` builds works outside this tree: installed into a
fresh virtual environment next to the pinned torch, it runs the tutorial.
Its extension carries relative run paths only."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def build_wheel(out: Path) -> Path:
    env = {**os.environ, "LIBTORCH_USE_PYTORCH": "1", "VIRTUAL_ENV": sys.prefix}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = ["maturin", "build", "--release", "--quiet", "--out", str(out)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=1800)
    (wheel,) = out.glob("flodl-*.whl")
    return wheel


def test_the_wheel_installs_next_to_torch_and_runs_the_tutorial(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "wheels")
    assert "abi3" in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert not any("libtorch" in n for n in names), "libtorch stays in the torch wheel"
        (extension,) = [n for n in names if n.endswith(".so")]
        (tmp_path / "ext.so").write_bytes(archive.read(extension))
    dynamic = subprocess.run(
        ["readelf", "-d", str(tmp_path / "ext.so")], capture_output=True, text=True, check=True
    ).stdout
    paths = [
        line.split("[", 1)[1].rstrip("]") for line in dynamic.splitlines() if "RUNPATH" in line
    ]
    assert paths and all(p.startswith("$ORIGIN") for p in paths[0].split(":")), paths

    # A fresh environment: the wheel installed in it, torch (and its
    # dependencies) the ones this environment has, torch itself next to
    # flodl in site-packages as pip would put it.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*install, "--target", str(site), str(wheel)], check=True)
    (site / "torch").symlink_to(ours / "torch")
    (site / "dependencies.pth").write_text(f"{ours}\n")
    out = subprocess.run(
        [str(python), "-c", "import flodl; print(flodl.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert out.startswith(str(site)), out
    tutorial = subprocess.run(
        [str(python), str(ROOT / "examples" / "autograd_tutorial.py")],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"},
    )
    assert tutorial.returncode == 0, tutorial.stderr
