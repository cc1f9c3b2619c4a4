"""The examples of docs/autograd.md run: every Python block executes, and
every Rust block is a function body of examples/autograd_more.rs (which
`cargo test` compiles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = (ROOT / "docs" / "autograd.md").read_text()
PYTHON = re.findall(r"```python\n(.*?)```", PAGE, re.DOTALL)
RUST = re.findall(r"```rust\n(.*?)```", PAGE, re.DOTALL)


@pytest.mark.parametrize("code", PYTHON, ids=range(len(PYTHON)))
def test_python_examples_run(code: str) -> None:
    exec(compile(code, "docs/autograd.md", "exec"), {})  # noqa: S102 - the docs are ours


@pytest.mark.parametrize("code", RUST, ids=range(len(RUST)))
def test_rust_examples_are_the_example_program(code: str) -> None:
    source = (ROOT / "examples" / "autograd_more.rs").read_text()
    indented = "\n".join(("    " + line) if line else line for line in code.rstrip().splitlines())
    assert indented in source
