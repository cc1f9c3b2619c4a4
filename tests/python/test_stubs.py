"""The stub file declares exactly what the extension binds, with the same
parameter names (keywords work everywhere, so the names are API) and the
same defaults. (`make lint` also checks that the generated parts are
current: tools/generate.py --check.)"""

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


def is_property(node: ast.FunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id == "property") or isinstance(d, ast.Attribute)
        for d in node.decorator_list
    )


def stub_members(name: str, properties: bool) -> dict[str, ast.FunctionDef]:
    """A class's methods (or properties) in the stub, those of its stub-only
    bases included."""
    cls = CLASSES[name]
    members: dict[str, ast.FunctionDef] = {}
    # Reversed: the first base wins, as in the class's method resolution order.
    for base in reversed(cls.bases):
        base_name = base.value.id if isinstance(base, ast.Subscript) else getattr(base, "id", "")
        if base_name in CLASSES:
            members.update(stub_members(base_name, properties))
    members.update(
        {
            n.name: n
            for n in cls.body
            if isinstance(n, ast.FunctionDef) and is_property(n) == properties
        }
    )
    # Other names (`multiply = mul`) stand for the method they name.
    for n in cls.body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name) and n.value.id in members:
            members[n.targets[0].id] = members[n.value.id]
    return members


def stub_methods(name: str) -> dict[str, ast.FunctionDef]:
    return stub_members(name, properties=False)


def parameter_names(node: ast.FunctionDef) -> list[str]:
    args = node.args
    varargs = [args.vararg.arg] if args.vararg else []
    names = [a.arg for a in args.posonlyargs + args.args] + varargs
    names += [a.arg for a in args.kwonlyargs]
    names += [args.kwarg.arg] if args.kwarg else []
    return [n for n in names if n != "self"]


def parameter_defaults(node: ast.FunctionDef) -> dict[str, object]:
    """The stub's defaults, as values."""
    args = node.args.posonlyargs + node.args.args
    positional = dict(
        zip([a.arg for a in args[len(args) - len(node.args.defaults) :]], node.args.defaults)
    )
    keyword = {
        a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None
    }
    return {name: ast.literal_eval(d) for name, d in {**positional, **keyword}.items()}


def runtime_signature(obj) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def runtime_parameter_names(obj) -> list[str] | None:
    signature = runtime_signature(obj)
    if signature is None:
        return None
    return [n for n in signature.parameters if n != "self"]


def runtime_defaults(obj) -> dict[str, object]:
    signature = runtime_signature(obj)
    if signature is None:
        return {}
    return {
        n: p.default
        for n, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def check_same_defaults(node: ast.FunctionDef, obj, name: str) -> None:
    declared = parameter_defaults(node)
    bound = runtime_defaults(obj)
    assert declared == bound, f"{name}: stub defaults {declared}, binding {bound}"


@pytest.mark.parametrize("cls", [flodl.Tensor, flodl.Variable], ids=lambda c: c.__name__)
def test_property_stubs_match_the_bindings(cls) -> None:
    declared = set(stub_members(cls.__name__, properties=True))
    bound = {
        n for n in dir(cls) if not n.startswith("_") and inspect.isdatadescriptor(getattr(cls, n))
    }
    assert declared == bound, declared ^ bound


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
            check_same_defaults(declared[name], getattr(cls, name), name)


def test_function_stubs_match_the_bindings() -> None:
    bound = {
        n
        for n in dir(_flodl)
        if (not n.startswith("_") or n in FUNCTIONS) and inspect.isbuiltin(getattr(_flodl, n))
    }
    assert set(FUNCTIONS) == bound, set(FUNCTIONS) ^ bound
    for name in bound:
        runtime = runtime_parameter_names(getattr(_flodl, name))
        if runtime is not None:
            assert parameter_names(FUNCTIONS[name]) == runtime, name
            check_same_defaults(FUNCTIONS[name], getattr(_flodl, name), name)


def test_every_binding_shows_its_defaults() -> None:
    """help() and inspect.signature show real defaults, never `...`."""
    for owner in (flodl.Tensor, flodl.Variable, _flodl):
        for name in dir(owner):
            obj = getattr(owner, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, type):
                continue
            for default in runtime_defaults(obj).values():
                assert default is not Ellipsis, f"{owner.__name__}.{name}"


def test_help_shows_the_signature() -> None:
    text = flodl.Tensor.leaky_relu.__text_signature__
    assert text == "($self, negative_slope=0.01)"
    assert str(inspect.signature(flodl.conv2d)).startswith(
        "(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)"
    )
