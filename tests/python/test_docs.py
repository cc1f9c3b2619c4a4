"""The examples of docs/autograd.md and docs/extending.md run: every Python
block executes, and every Rust block of autograd.md is a function body of
examples/autograd_more.rs (which `cargo test` compiles); extending.md's Rust
blocks come from tests/custom_function.rs and examples/rust_extension."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = (ROOT / "docs" / "autograd.md").read_text()
EXTENDING = (ROOT / "docs" / "extending.md").read_text()
PYTHON = [
    (page, code)
    for page, text in (("autograd.md", PAGE), ("extending.md", EXTENDING))
    for code in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
]
RUST = re.findall(r"```rust\n(.*?)```", PAGE, re.DOTALL)


@pytest.mark.parametrize("page,code", PYTHON, ids=[f"{p}-{i}" for i, (p, _) in enumerate(PYTHON)])
def test_python_examples_run(page: str, code: str) -> None:
    exec(compile(code, f"docs/{page}", "exec"), {})  # noqa: S102 - the docs are ours


@pytest.mark.parametrize("code", RUST, ids=range(len(RUST)))
def test_rust_examples_are_the_example_program(code: str) -> None:
    source = (ROOT / "examples" / "autograd_more.rs").read_text()
    indented = "\n".join(("    " + line) if line else line for line in code.rstrip().splitlines())
    assert indented in source
