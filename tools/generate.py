"""Writes what is generated from the op declarations of the built module.

- ``python/flodl/_flodl.pyi``: tools/_flodl.pyi.template with each
  ``# @generated <table>`` line replaced by the stubs of that table.
- ``docs/ops.md``: the op tables between the ``generated`` markers.
- ``python/flodl/__init__.py``: the names it imports and exports, between
  the ``generated`` markers.
- ``python/flodl/nn/functional.py``: its imports of the nn functions and its
  ``__all__``, between the ``generated`` markers.
- ``python/flodl/_functions.py``: each method op as a module function,
  ``flodl.exp(input)`` calling ``input.exp()``, as PyTorch's ``torch.exp``.

``python tools/generate.py`` writes them (``make stubs``);
``--check`` writes nothing and fails when a checked-in copy is stale
(``make lint``). Needs the extension built (``make`` does it).
"""

from __future__ import annotations

import argparse
import inspect
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from flodl import _flodl
from flodl._namespace import OTHER_NAMES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tools" / "_flodl.pyi.template"
STUB = ROOT / "python" / "flodl" / "_flodl.pyi"
OPS_DOC = ROOT / "docs" / "ops.md"
INIT = ROOT / "python" / "flodl" / "__init__.py"
FUNCTIONAL = ROOT / "python" / "flodl" / "nn" / "functional.py"
FUNCTIONS = ROOT / "python" / "flodl" / "_functions.py"

MODES = dict(_flodl._modes())


@dataclass
class Op:
    table: str  # "method", "tensor" or "nn"
    name: str
    params: list[tuple[str, str, str]]  # (name, annotation, Rust type)
    ret: str  # the result's annotation
    rust_ret: str  # the result's Rust type
    overloaded: bool
    doc: str

    @property
    def binding(self):
        """The Python binding: a method of Tensor, or a module function."""
        return (
            getattr(_flodl, self.name) if self.table == "nn" else getattr(_flodl.Tensor, self.name)
        )

    def defaults(self) -> dict[str, object]:
        signature = inspect.signature(self.binding)
        return {
            name: p.default
            for name, p in signature.parameters.items()
            if p.default is not inspect.Parameter.empty
        }


def catalogue() -> list[Op]:
    """The declarations, each argument and result with its annotation (from
    the type that parses it) and its Rust type, as the module writes them."""
    return [Op(*row) for row in _flodl._catalogue()]


def docstring(doc: str, indent: str) -> str:
    lines = [line.strip() for line in doc.strip().splitlines()]
    text = " ".join(lines).replace("`", "``")
    inner = indent + "    "
    quoted = '"""' + text + '"""'
    wrapped = textwrap.wrap(quoted, width=100 - len(inner), break_on_hyphens=False)
    return "".join(f"{inner}{line}\n" for line in wrapped)


def stub(op: Op, indent: str) -> str:
    defaults = op.defaults()
    params = ["self"] if op.table != "nn" else []
    for name, annotation, _ in op.params:
        text = f"{name}: {annotation}"
        if name in defaults:
            text += f" = {defaults[name]!r}"
        params.append(text)
    head = f"{indent}def {op.name}({', '.join(params)}) -> {op.ret}:\n"
    return head + docstring(op.doc, indent)


def other_names(indent: str) -> list[str]:
    """``multiply = mul`` (and ``multiply_ = mul_``) for each of PyTorch's
    other names that ``flodl._namespace`` binds as methods."""
    lines = []
    for name, method in OTHER_NAMES.items():
        lines.append(f"{indent}{name} = {method}\n")
        if hasattr(_flodl.Tensor, method + "_"):
            lines.append(f"{indent}{name}_ = {method}_\n")
    return lines


def write_stub(ops: list[Op]) -> str:
    out = []
    for line in TEMPLATE.read_text().splitlines(keepends=True):
        out.append(line)
        marker = re.match(r"(\s*)# @generated (\w+)", line)
        if not marker:
            continue
        indent, what = marker.groups()
        if what == "other_names":
            out.extend(other_names(indent))
        elif what == "modes":
            out.extend(
                f"{name}: TypeAlias = Literal[{', '.join(repr(n) for n in names)}]\n"
                for name, names in MODES.items()
            )
        else:
            table = what.removesuffix("_ops")
            out.extend(stub(op, indent) for op in ops if op.table == table and not op.overloaded)
    return "".join(out)


# ----- docs/ops.md -----


def python_call(op: Op) -> str:
    if isinstance(op.binding, type(_flodl.Tensor.dtype)):  # a property: `x.real`
        return f"x.{op.name}"
    signature = inspect.signature(op.binding)
    params = [str(p) for name, p in signature.parameters.items() if name != "self"]
    prefix = "flodl." if op.table == "nn" else "x."
    return f"{prefix}{op.name}({', '.join(params)})"


def doc_row(op: Op) -> str:
    args = ", ".join(f"{n}: {rust}" for n, _, rust in op.params)
    if op.table == "nn":
        rust = f"fn {op.name}({args}) -> Result<{op.rust_ret}>"
    else:
        receiver = "&self" + (", " if args else "")
        rust = f"{op.name}({receiver}{args}) -> Result<{op.rust_ret}>"
    what = " ".join(line.strip() for line in op.doc.strip().splitlines()).replace("|", "\\|")
    return f"| {op.name} | `{rust}` | `{python_call(op)}` | {what} |\n"


TABLE_TITLES = {
    "method": "Methods of Tensor and Variable",
    "tensor": "Tensor-only helpers (not differentiable)",
    "nn": "The nn functions",
}


def write_ops_doc(ops: list[Op], current: str) -> str:
    parts = []
    for table, title in TABLE_TITLES.items():
        parts.append(f"## {title}\n\n| op | Rust | Python | what it does |\n|---|---|---|---|\n")
        parts.extend(doc_row(op) for op in ops if op.table == table)
        parts.append("\n")
    return replace_between(
        current, "<!-- generated:ops -->", "<!-- /generated:ops -->", "".join(parts)
    )


# ----- python/flodl/__init__.py -----


# Names the package defines in Python, by module (they replace a binding of
# the same name, as set_grad_enabled does). `_functions` is generated.
# nn ops that are no torch.nn.functional functions: the distributions' math
# (flodl.distributions calls them), the triplet loss of given distances
# (F.triplet_margin_with_distance_loss calls it), torch's top-level
# randomized decompositions.
NOT_FUNCTIONAL = (
    "normal_",
    "categorical_",
    "bernoulli_",
    "triplet_margin_distance",
    "svd_lowrank",
    "pca_lowrank",
)

# The module functions torch also calls with a number first
# (`torch.remainder(2, x)`), and the op each then is of the tensor.
REFLECTED = {
    "remainder": "rremainder_scalar",
    "xlogy": "rxlogy_scalar",
    "float_power": "rfloat_power_scalar",
}

# The in-place ops torch also has as module functions (`torch.relu_(x)`).
MODULE_INPLACE = frozenset(
    [
        "abs_",
        "acos_",
        "acosh_",
        "asin_",
        "asinh_",
        "atan_",
        "atanh_",
        "ceil_",
        "clamp_",
        "clamp_max_",
        "clamp_min_",
        "cos_",
        "cosh_",
        "deg2rad_",
        "erf_",
        "erfc_",
        "exp2_",
        "exp_",
        "expm1_",
        "fill_",
        "floor_",
        "frac_",
        "i0_",
        "log10_",
        "log1p_",
        "log2_",
        "log_",
        "logit_",
        "nan_to_num_",
        "neg_",
        "rad2deg_",
        "reciprocal_",
        "relu_",
        "round_",
        "rsqrt_",
        "selu_",
        "sigmoid_",
        "sin_",
        "sinc_",
        "sinh_",
        "sqrt_",
        "square_",
        "tan_",
        "tanh_",
        "trunc_",
        "xlogy_",
        "zero_",
    ]
)

PYTHON_NAMES = {
    "": [
        "accelerator",
        "amp",
        "autograd",
        "backends",
        "cuda",
        "distributions",
        "func",
        "linalg",
        "multiprocessing",
        "nn",
        "optim",
        "random",
        "return_types",
        "serialization",
        "special",
        "fft",
        "testing",
        "types",
        "utils",
        "version",
    ],
    "_legacy_amp": [
        "cpu",
        "get_autocast_cpu_dtype",
        "get_autocast_gpu_dtype",
        "is_autocast_cpu_enabled",
    ],
    "_creation": [
        "BFloat16Tensor",
        "BoolTensor",
        "ByteTensor",
        "CharTensor",
        "DoubleTensor",
        "FloatTensor",
        "HalfTensor",
        "IntTensor",
        "LongTensor",
        "ShortTensor",
        "arange",
        "as_tensor",
        "asarray",
        "bartlett_window",
        "blackman_window",
        "channels_last",
        "channels_last_3d",
        "contiguous_format",
        "empty",
        "empty_like",
        "eye",
        "from_numpy",
        "full",
        "full_like",
        "hamming_window",
        "hann_window",
        "kaiser_window",
        "linspace",
        "logspace",
        "memory_format",
        "normal",
        "ones",
        "ones_like",
        "preserve_format",
        "rand",
        "rand_like",
        "randint",
        "randint_like",
        "randn",
        "randn_like",
        "randperm",
        "scalar_tensor",
        "tensor",
        "tril_indices",
        "triu_indices",
        "zeros",
        "zeros_like",
    ],
    "amp": ["autocast", "get_autocast_dtype", "is_autocast_enabled"],
    "_grad_mode": ["enable_grad", "inference_mode", "no_grad", "set_grad_enabled"],
    "_io": ["load", "save"],
    "_namespace": [
        "allclose",
        "layout",
        "strided",
        "broadcast_shapes",
        "broadcast_tensors",
        "cumulative_trapezoid",
        "are_deterministic_algorithms_enabled",
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
        "bernoulli",
        "bfloat16",
        "block_diag",
        "bool",
        "cartesian_prod",
        "cat",
        "clone",
        "column_stack",
        "concat",
        "concatenate",
        "detach",
        "device",
        "double",
        "dstack",
        "dtype",
        "e",
        "einsum",
        "equal",
        "float",
        "get_float32_matmul_precision",
        "float16",
        "float32",
        "complex64",
        "complex128",
        "cfloat",
        "cdouble",
        "float64",
        "get_default_device",
        "get_default_dtype",
        "half",
        "hstack",
        "inf",
        "initial_seed",
        "int",
        "int16",
        "int32",
        "int64",
        "int8",
        "is_anomaly_check_nan_enabled",
        "is_anomaly_enabled",
        "is_complex",
        "is_conj",
        "is_deterministic_algorithms_warn_only_enabled",
        "is_floating_point",
        "is_inference",
        "is_neg",
        "is_nonzero",
        "is_same_size",
        "is_signed",
        "is_tensor",
        "index_put",
        "isin",
        "long",
        "manual_seed",
        "meshgrid",
        "multinomial",
        "nan",
        "newaxis",
        "numel",
        "pi",
        "poisson",
        "polygamma",
        "positive",
        "pow",
        "real",
        "imag",
        "repeat_interleave",
        "row_stack",
        "seed",
        "set_anomaly_enabled",
        "set_default_device",
        "set_default_dtype",
        "set_float32_matmul_precision",
        "short",
        "stack",
        "trapezoid",
        "trapz",
        "uint8",
        "unravel_index",
        "use_deterministic_algorithms",
        "vander",
        "vstack",
        "where",
    ]
    + sorted(OTHER_NAMES),
    "_size": ["Size"],
    "func": ["vmap"],
}


def module_functions(ops: list[Op]) -> list[Op]:
    """The ops `_functions.py` makes module functions: the method ops but
    the in-place ones torch lacks at module level (it has `x.add_`, not
    `torch.add_`, but `torch.relu_`) and those the package writes itself
    (`cat` joins a sequence at module level)."""
    hand = {name for names in PYTHON_NAMES.values() for name in names}
    return [
        op
        for op in ops
        if op.table != "nn"
        and (not op.name.endswith("_") or op.name in MODULE_INPLACE)
        and op.name not in hand | {"pad"}
    ]


def write_functions(ops: list[Op]) -> str:
    """`flodl.<op>(input, ...)`: the method with the method's parameters and
    defaults, for a Tensor or a Variable (`input`'s own class decides)."""
    lines = [
        '"""The method ops as module functions, as ``torch.exp(x)`` is ``x.exp()``.',
        "",
        "Generated by ``make stubs`` (tools/generate.py) from the op declarations:",
        'do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "from ._flodl import Tensor",
        "",
        "",
        "def _not_a_tensor(op: str, input: Any) -> TypeError:",
        "    return TypeError(f'{op}: input must be a flodl Tensor, got {type(input).__name__}')",
        "",
    ]
    names = []
    for op in module_functions(ops):
        signature = inspect.signature(getattr(_flodl.Tensor, op.name))
        params, call = ["input: Tensor"], []
        positional = [
            p
            for p in list(signature.parameters.values())[1:]
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        for p in list(signature.parameters.values())[1:]:
            default = "" if p.default is inspect.Parameter.empty else f"={p.default!r}"
            later = positional[positional.index(p) + 1 :] if p in positional else []
            if p.name == "dim" and not default and all(q.default is not q.empty for q in later):
                default = "=None"  # may come as axis= (the method says when neither does)
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                params.append(f"*{p.name}: Any")
                call.append(f"*{p.name}")
            elif p.kind is inspect.Parameter.KEYWORD_ONLY:
                if not any(x.startswith("*") for x in params):
                    params.append("*")
                params.append(f"{p.name}: Any{default}")
                call.append(f"{p.name}={p.name}")
            else:
                params.append(f"{p.name}: Any{default}")
                call.append(p.name)
        if {"dim", "keepdim"} & set(signature.parameters):
            # numpy's names (axis=, keepdims=), which the method takes.
            params.append("**aliases: Any")
            call.append("**aliases")
        first = op.doc.strip().split("\n\n")[0].replace("\n", " ").strip() or op.name
        names.append(op.name)
        lines += [
            "",
            f"def {op.name}({', '.join(params)}) -> Any:",
            f'    """``input.{op.name}(...)``: {first}"""',
            "    if not isinstance(input, Tensor):",
        ]
        if op.name in REFLECTED:
            # torch's overload with a number first: the reflected op of the tensor.
            other = positional[0].name
            lines += [
                f"        if isinstance({other}, Tensor):",
                f"            return {other}.{REFLECTED[op.name]}(input)",
            ]
        lines += [
            f"        raise _not_a_tensor({op.name!r}, input)",
            f"    return input.{op.name}({', '.join(call)})",
            "",
        ]
    lines += ["", "__all__ = [" + ", ".join(repr(n) for n in sorted(names)) + "]", ""]
    return "\n".join(lines)


def write_init(ops: list[Op], current: str) -> str:
    generated = [op.name for op in module_functions(ops)]
    in_python = {name for names in PYTHON_NAMES.values() for name in names} | set(generated)
    exported = sorted(
        name
        for name in dir(_flodl)
        if (not name.startswith("_") or name == "__version__")
        and not inspect.ismodule(getattr(_flodl, name))
        and name not in in_python
    )
    nn = [op.name for op in ops if op.table == "nn" and not op.name.startswith(NOT_FUNCTIONAL)]
    imports = "from ._flodl import (\n" + "".join(f"    {n},\n" for n in exported) + ")\n"
    imports += "".join(
        f"from .{module} import {', '.join(names)}\n" for module, names in PYTHON_NAMES.items()
    )
    imports += "from ._functions import (\n" + "".join(f"    {n},\n" for n in generated) + ")\n"
    nn_list = "NN_FUNCTIONS = (\n" + "".join(f'    "{n}",\n' for n in nn) + ")\n"
    everything = sorted([*exported, *in_python], key=str.lower)
    all_list = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in everything) + "]\n"
    body = (
        imports
        + "\n# The nn functions, in the order they are declared.\n"
        + nn_list
        + "\n"
        + all_list
    )
    return replace_between(current, "# generated:names", "# /generated:names", body)


# ----- python/flodl/nn/functional.py -----


# Bindings outside the op tables that are torch.nn.functional functions.
FUNCTIONAL_BINDINGS = ["interpolate", "multi_head_attention_forward"]


def write_functional(ops: list[Op], current: str) -> str:
    """Imports every nn op and binding that functional.py does not define
    itself (a definition there is PyTorch's form of it), and exports both."""
    defined = set(re.findall(r"^def ([a-z]\w*)\(", current, re.MULTILINE))
    defined |= set(re.findall(r"^([a-z]\w*) = ", current, re.MULTILINE))
    bound = {op.name for op in ops if op.table == "nn" and not op.name.startswith(NOT_FUNCTIONAL)}
    bound |= set(FUNCTIONAL_BINDINGS)
    imported = sorted(bound - defined)
    imports = "from .._flodl import (\n    Tensor,\n    Variable,\n"
    imports += "".join(f"    {n},\n" for n in imported) + ")\n"
    everything = sorted(set(imported) | defined)
    all_list = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in everything) + "]\n"
    text = replace_between(current, "# generated:imports", "# /generated:imports", imports)
    return replace_between(text, "# generated:all", "# /generated:all", all_list)


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    start = text.index(begin) + len(begin)
    stop = text.index(end)
    return text[:start] + "\n" + body + text[stop:]


# ----- driver -----


def formatted(path: Path, text: str) -> str:
    """`text` as ruff formats it for `path` (ruff decides by the suffix)."""
    if path.suffix not in (".py", ".pyi"):
        return text
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / path.name
        scratch.write_text(text)
        ruff = Path(sys.executable).parent / "ruff"
        config = ["--config", str(ROOT / "pyproject.toml")]
        subprocess.run([ruff, "check", "--fix", "--quiet", *config, scratch], check=False)
        subprocess.run([ruff, "format", "--quiet", *config, scratch], check=True)
        return scratch.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    check = parser.parse_args().check
    ops = catalogue()
    outputs = {
        STUB: write_stub(ops),
        OPS_DOC: write_ops_doc(ops, OPS_DOC.read_text()),
        INIT: write_init(ops, INIT.read_text()),
        FUNCTIONAL: write_functional(ops, FUNCTIONAL.read_text()),
        FUNCTIONS: write_functions(ops),
    }
    stale = []
    for path, text in outputs.items():
        text = formatted(path, text)
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(text)
    if check and stale:
        names = ", ".join(map(str, stale))
        print(f"stale: {names}; run `make stubs` and commit the result", file=sys.stderr)
        return 1
    if not check:
        print(f"written: {', '.join(map(str, stale)) or 'nothing (all up to date)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
