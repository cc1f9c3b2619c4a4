"""The stub file declares exactly what the extension binds, with the same
parameter names (keywords work everywhere, so the names are API)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import flodl
from flodl import _flodl

STUB = ast.parse((Path(flodl.__file__).parent / "_flodl.pyi").read_text())
CLASSES = {node.name: node for node in STUB.body if isinstance(node, ast.ClassDef)}
FUNCTIONS = {node.name: node for node in STUB.body if isinstance(node, ast.FunctionDef)}


def stub_methods(name: str) -> dict[str, ast.FunctionDef]:
    """A class's methods in the stub, those of its stub-only bases included."""
    cls = CLASSES[name]
    methods: dict[str, ast.FunctionDef] = {}
    for base in cls.bases:
        base_name = base.value.id if isinstance(base, ast.Subscript) else getattr(base, "id", "")
        if base_name in CLASSES:
            methods.update(stub_methods(base_name))
    methods.update({n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)})
    return methods


def parameter_names(node: ast.FunctionDef) -> list[str]:
    names = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
    return [n for n in names if n != "self"]


def runtime_parameter_names(obj) -> list[str] | None:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [n for n in signature.parameters if n != "self"]


@pytest.mark.parametrize("cls", [flodl.Tensor, flodl.Variable], ids=lambda c: c.__name__)
def test_class_stubs_match_the_bindings(cls) -> None:
    declared = stub_methods(cls.__name__)
    bound = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    public_declared = {n for n in declared if not n.startswith("_")}
    assert public_declared == bound, public_declared ^ bound
    for name in bound:
        runtime = runtime_parameter_names(getattr(cls, name))
        if runtime is not None:
            assert parameter_names(declared[name]) == runtime, name


def test_function_stubs_match_the_bindings() -> None:
    bound = {
        n for n in dir(_flodl) if not n.startswith("_") and inspect.isbuiltin(getattr(_flodl, n))
    }
    assert set(FUNCTIONS) == bound, set(FUNCTIONS) ^ bound
    for name in bound:
        runtime = runtime_parameter_names(getattr(_flodl, name))
        if runtime is not None:
            assert parameter_names(FUNCTIONS[name]) == runtime, name
