"""Writes the build tree of flodl against another torch release (`make ... TORCH=2.11`).

torch-sys declares `links = "tch"`, so one manifest cannot name two tch
versions, not even as optional dependencies. This script writes a tree of its
own under target/torch-<release>/tree (git-ignored) whose manifests differ from
the checked-in ones only in the pins:

- Cargo.toml: `tch = "<tch>"`; pyproject.toml and requirements-dev.txt:
  `torch==<torch>` (maturin develop installs the pyproject's dependencies).
- Cargo.lock: seeded from the checked-in one (the other crates stay pinned),
  then cargo updates tch and torch-sys in the tree's copy only.
- src/, csrc/, build.rs, docs/, README.md, the example programs and the crates'
  sources are symlinks to the checked-in ones, so the tree builds today's code.
- examples/rust_extension and examples/downstream_crate are real folders with
  copied manifests: their `path = "../.."` must reach the tree's flodl even
  where cargo or maturin canonicalise the path.
- python/flodl is a real folder of symlinks: maturin develop writes the 2.11
  extension module there, next to (not over) the default build's.
- tests/ is copied (it is small): the Python tests find the tree by
  `Path(__file__).resolve()`, so test_rust_layers.py and test_wheel.py run
  cargo and maturin on the tree's manifests, never the checked-in ones.

The tree is brought up to date on each run; unchanged files are not rewritten
(their mtimes stay, so cargo and make see nothing new).

    python tools/torch_tree.py --torch 2.11.0 --tch 0.24 --out target/torch-2.11/tree
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINKED = ["src", "csrc", "build.rs", "docs", "README.md", "bench"]
SKIPPED = {"__pycache__", "target", ".pytest_cache"}


def write(path: Path, text: str) -> None:
    """Writes `text` unless the file already holds it."""
    if path.is_symlink() or (path.exists() and path.is_dir()):
        remove(path)
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def link(path: Path, target: Path) -> None:
    """`path` -> `target` (relative), replacing whatever was there."""
    relative = os.path.relpath(target, path.parent)
    if path.is_symlink() and os.readlink(path) == relative:
        return
    if path.exists() or path.is_symlink():
        remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(relative)


def sub(pattern: str, replacement: str, text: str, what: str) -> str:
    out, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if n != 1:
        raise SystemExit(f"torch_tree.py: expected one {what}, found {n}")
    return out


def mirror(src: Path, dst: Path, *, copy: bool, keep=lambda p: True) -> None:
    """`dst` holds an entry for each of `src`'s (copies, or symlinks to the
    files), and nothing else apart from the entries `keep` rejects in `src`'s
    names (those are left alone: built files)."""
    dst.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in src.iterdir() if p.name not in SKIPPED and keep(p)}
    for p in dst.iterdir():
        if p.name not in names and p.name not in SKIPPED and keep(p):
            remove(p)
    for name in sorted(names):
        s, d = src / name, dst / name
        if s.is_dir():
            mirror(s, d, copy=copy, keep=keep)
        elif copy:
            if d.is_symlink() or not d.exists() or d.read_bytes() != s.read_bytes():
                if d.exists() or d.is_symlink():
                    remove(d)
                shutil.copy2(s, d)
        else:
            link(d, s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torch", required=True, help="the torch release, e.g. 2.11.0")
    parser.add_argument("--tch", required=True, help="the tch release built on it, e.g. 0.24")
    parser.add_argument("--out", required=True, type=Path, help="the tree to write")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    cargo = (ROOT / "Cargo.toml").read_text()
    write(out / "Cargo.toml", sub(r'^tch = "[^"]*"$', f'tch = "{args.tch}"', cargo, "tch line"))
    lock = out / "Cargo.lock"
    if not lock.exists():
        shutil.copy2(ROOT / "Cargo.lock", lock)
    pin = f"torch=={args.torch}"
    pyproject = (ROOT / "pyproject.toml").read_text()
    write(out / "pyproject.toml", sub(r'"torch==[^"]*"', f'"{pin}"', pyproject, "torch pin"))
    requirements = (ROOT / "requirements-dev.txt").read_text()
    write(out / "requirements-dev.txt", sub(r"^torch==\S*$", pin, requirements, "torch pin"))

    for name in LINKED:
        link(out / name, ROOT / name)

    # Compiled extension modules (maturin develop writes them into the tree's
    # python/flodl) are the tree's own: neither linked nor removed.
    def source(p: Path) -> bool:
        return not p.name.endswith((".so", ".pyd"))

    mirror(ROOT / "python", out / "python", copy=False, keep=source)
    mirror(ROOT / "tests", out / "tests", copy=True)

    examples = out / "examples"
    examples.mkdir(exist_ok=True)
    crates = {"rust_extension", "downstream_crate"}
    wanted = {p.name for p in (ROOT / "examples").iterdir() if p.name not in SKIPPED}
    for p in examples.iterdir():
        if p.name not in wanted and p.name not in SKIPPED:
            remove(p)
    for name in sorted(wanted):
        s, d = ROOT / "examples" / name, examples / name
        if name in crates:
            if d.is_symlink():
                remove(d)
            d.mkdir(exist_ok=True)
            for part in s.iterdir():
                if part.name in SKIPPED:
                    continue
                if part.name == "Cargo.toml":
                    write(d / part.name, part.read_text())
                else:
                    link(d / part.name, part)
        else:
            link(d, s)


if __name__ == "__main__":
    main()
