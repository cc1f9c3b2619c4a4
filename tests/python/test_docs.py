"""The examples of docs/autograd.md, docs/extending.md, docs/training.md,
docs/interop.md and docs/pytorch.md run: every Python block executes, and every Rust block of
autograd.md and training.md is a function body of examples/autograd_more.rs
and examples/training_snippets.rs (which `cargo test` compiles);
extending.md's Rust blocks come from tests/custom_function.rs and
examples/rust_extension."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = {
    name: (ROOT / "docs" / name).read_text()
    for name in ("autograd.md", "extending.md", "training.md", "interop.md", "pytorch.md")
}
# Each page whose Rust blocks are the bodies of an example program, and that program.
RUST_PROGRAMS = {"autograd.md": "autograd_more.rs", "training.md": "training_snippets.rs"}


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


PYTHON = [(page, code) for page, text in PAGES.items() for code in blocks(text, "python")]
RUST = [(page, code) for page in RUST_PROGRAMS for code in blocks(PAGES[page], "rust")]


@pytest.mark.parametrize("page,code", PYTHON, ids=[f"{p}-{i}" for i, (p, _) in enumerate(PYTHON)])
def test_python_examples_run(page: str, code: str) -> None:
    exec(compile(code, f"docs/{page}", "exec"), {})  # noqa: S102 - the docs are ours


@pytest.mark.parametrize("page,code", RUST, ids=[f"{p}-{i}" for i, (p, _) in enumerate(RUST)])
def test_rust_examples_are_the_example_program(page: str, code: str) -> None:
    source = (ROOT / "examples" / RUST_PROGRAMS[page]).read_text()
    indented = "\n".join(("    " + line) if line else line for line in code.rstrip().splitlines())
    assert indented in source


def test_every_example_function_is_shown() -> None:
    """No function of an example program is left out of its page (or left
    behind after its block changed)."""
    for page, program in RUST_PROGRAMS.items():
        source = (ROOT / "examples" / program).read_text()
        shown = len(blocks(PAGES[page], "rust"))
        functions = len(
            re.findall(r"^fn (?!main\b)\w+\(\) -> Result<\(\)> \{$", source, re.MULTILINE)
        )
        assert functions == shown, f"{program} has {functions} example functions, {page} {shown}"
