"""Fuzzing of flodl's whole Python surface with hostile arguments.

Every public callable (the functions and classes of `flodl`,
`flodl.nn.functional`, `flodl.func` and `flodl.autograd`, the static
methods of flodl's classes, and the methods, properties and operators of
Tensor and Variable) is called with arguments drawn from a pool of odd
values: None, strings, huge ints, nan, ragged lists, numpy arrays and
scalars of every dtype, torch tensors (meta, complex, sparse), flodl
Tensors and Variables of every kind. SPEC section 4 says what may come
out: a result, a FlodlError or a TypeError. Everything else is a finding:
a PanicException, any other exception class, output on stderr (a Rust
panic prints there), grad mode left changed, a C++ backtrace or Rust
`Debug` text in a message, and a crash or hang of the interpreter.

The calls run in a worker process (this file with `--worker`), which logs
each call before making it, so that the parent names the call that crashed
the interpreter, then resumes after it. Each call is drawn from its own
`random.Random(f"{seed}/{index}")` and builds its operands afresh, so call
N is the same with or without the calls before it, and every finding comes
with a one-line reproducer.

`make test` runs FLODL_FUZZ_API_CALLS calls (1,500) for each seed of
FLODL_FUZZ_API_SEEDS (1); `make fuzz` runs 20,000 calls for seeds 1,2,3
through the command line:

    python tests/python/test_fuzz_api.py --seeds 1,2,3 --calls 20000 [--out FILE]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest

CALLS = int(os.environ.get("FLODL_FUZZ_API_CALLS", "1500"))
SEEDS = [int(s) for s in os.environ.get("FLODL_FUZZ_API_SEEDS", "1").split(",") if s.strip()]
# A call running longer than this is a hang (faulthandler ends the worker).
CALL_TIMEOUT_S = float(os.environ.get("FLODL_FUZZ_API_CALL_TIMEOUT", "30"))
# Address space the worker may add after its imports: a huge allocation
# fails at once (an OutOfMemoryError) instead of taking the machine's memory.
MEMORY_HEADROOM = int(float(os.environ.get("FLODL_FUZZ_API_MEMORY_GB", "6")) * 2**30)
MAX_RESTARTS = 50

# The prelude of every reproducer: the names the call expressions use.
PRELUDE = "import operator, pathlib, flodl, numpy as np, torch"

# ----- the values -----
# Every value is a Python expression, built afresh for each call (a call may
# change its operands in place) and pasted into the reproducer as written.

WEIRD = [
    "None",
    "'cpu'",
    "'CPU'",
    "' cpu'",
    "'cuda'",
    "'meta'",
    "'float32'",
    "'nope'",
    "''",
    "True",
    "False",
    "2**63",
    "2**64",
    "-1",
    "-2**63",
    "2**70",
    "float('nan')",
    "float('inf')",
    "float('-inf')",
    "-0.0",
    "1e308",
    "b'cpu'",
    "1j",
    "object()",
    "{}",
    "()",
    "range(3)",
    "...",
]
SMALL_NUMBERS = ["0", "1", "2", "3", "-2", "0.5", "-1.5", "1.0"]
LISTS = [
    "[1, 2]",
    "[[1, 2], [3]]",
    "[[1.0, 2.0], [3.0, 4.0]]",
    "[]",
    "[[]]",
    "(2, 3)",
    "[2, -1]",
    "[True, False]",
    "[1, 'a']",
    "[None]",
    "[1.5, 2**70]",
    "[[[1]]]",
    "[2**63]",
    "[0]",
    "[1, [2]]",
    "[np.int64(2), np.float64(3.5)]",
    "[flodl.tensor(1.0), flodl.tensor(2.0)]",
    "[flodl.tensor([1.0, 2.0]), flodl.tensor([3.0])]",
    "[flodl.Variable(flodl.tensor([1.0]), requires_grad=True), flodl.tensor([2.0])]",
    "[torch.ones(2)]",
]
NUMPY = [
    "np.zeros(3, dtype=np.complex64)",
    "np.ones(2, dtype=np.float16)",
    "np.array([1, 2], dtype=np.uint64)",
    "np.array([2**64 - 1], dtype=np.uint64)",
    "np.array(2.5)",
    "np.array(3)",
    "np.zeros((0, 2))",
    "np.arange(6.0).reshape(2, 3)",
    "np.arange(6.0).reshape(2, 3)[:, ::2]",
    "np.arange(6.0).reshape(2, 3).T",
    "np.array([1, 2, 3], dtype=np.int32)",
    "np.array([True, False])",
    "np.array([1.0, 2.0], dtype='>f8')",
    "np.array(['a', 'b'])",
    "np.array([1, None], dtype=object)",
    "np.arange(4, dtype=np.int8)",
    "np.array([np.nan, np.inf])",
    "np.broadcast_to(np.arange(3.0), (2, 3))",
    "np.ones((1, 2, 3, 3), dtype=np.float32)",
    "np.int64(1)",
    "np.float64(2.5)",
    "np.bool_(True)",
    "np.float32(1.5)",
    "np.float16(0.5)",
    "np.uint64(2**64 - 1)",
    "np.complex128(1j)",
    "np.datetime64('2020-01-01')",
]
TORCH = [
    "torch.ones(2)",
    "torch.ones(2, 3, dtype=torch.float64)",
    "torch.tensor(1.5)",
    "torch.tensor([1, 2])",
    "torch.empty(2, device='meta')",
    "torch.empty(2, 3, device='meta')",
    "torch.empty(0, device='meta')",
    "torch.eye(2).to_sparse_csr()",
    "torch.ones(2, dtype=torch.uint16)",
    "torch.ones(2).expand(3, 2)",
    "torch.zeros(2, dtype=torch.complex64)",
    "torch.eye(2).to_sparse()",
    "torch.ones(2, requires_grad=True)",
    "torch.zeros(2, dtype=torch.bfloat16)",
    "torch.ones(4)[::2]",
    "torch.float32",
    "torch.int64",
    "torch.device('cpu')",
]
FLODL_TENSORS = [
    "flodl.tensor(1.5)",
    "flodl.tensor(3)",
    "flodl.tensor(True)",
    "flodl.tensor([])",
    "flodl.Tensor.zeros([0, 3])",
    "flodl.tensor([1.0, -2.0, 3.0])",
    "flodl.tensor([[1.0, 2.0], [3.0, 4.0]])",
    "flodl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype='float64')",
    "flodl.tensor([0, 1, 2])",
    "flodl.tensor([[0, 1], [1, 0]])",
    "flodl.tensor([True, False, True])",
    "flodl.tensor([1.0, 2.0], dtype='float16')",
    "flodl.tensor([1.0, 2.0], dtype='bfloat16')",
    "flodl.tensor([1, 2], dtype='int32')",
    "flodl.tensor([1, 250], dtype='uint8')",
    "flodl.tensor([float('nan'), float('inf')])",
    "flodl.Tensor.ones([1, 2, 3, 3])",
    "flodl.Tensor.ones([1, 2, 4])",
    "flodl.Tensor.ones([2, 3]).T",
    "flodl.Tensor.from_numpy(np.arange(6.0).reshape(2, 3))",
]
FLODL_VARIABLES = [
    "flodl.Variable(flodl.tensor(2.0), requires_grad=True)",
    "flodl.Variable(flodl.tensor([1.0, -2.0, 3.0]), requires_grad=True)",
    "flodl.Variable(flodl.tensor([[1.0, 2.0], [3.0, 4.0]], dtype='float64'), requires_grad=True)",
    "flodl.Variable(flodl.tensor([[1.0, 2.0], [3.0, 4.0]]))",
    "flodl.Variable(flodl.tensor([0, 1, 2]))",
    "flodl.Variable(flodl.tensor([True, False]))",
    "flodl.Variable(flodl.tensor([]), requires_grad=True)",
    "flodl.Variable(flodl.Tensor.ones([1, 2, 3, 3]), requires_grad=True)",
    "flodl.Variable(flodl.Tensor.ones([1, 2, 4]))",
    # Not leaves: a graph behind them.
    "(flodl.Variable(flodl.tensor([1.0, 2.0]), requires_grad=True) * 2)",
    "(flodl.Variable(flodl.tensor(2.0), requires_grad=True) * 3).sum()",
]
OTHER_FLODL = [
    "flodl.DType.Int64",
    "flodl.DType.BFloat16",
    "flodl.Device.CPU",
    "flodl.TensorOptions()",
    "flodl.TensorOptions(dtype='float64')",
    "flodl.Size([2, 3])",
]
INDICES = [
    "0",
    "-1",
    "5",
    "2**63",
    "slice(None, None, -1)",
    "slice(0, 2)",
    "slice(None, None, 0)",
    "...",
    "None",
    "(..., None)",
    "(0, 0)",
    "(0, ..., ...)",
    "[0, 0]",
    "[True, False]",
    "[[0]]",
    "flodl.tensor([0, 1])",
    "flodl.tensor([True, False])",
    "flodl.tensor([[True]])",
    "flodl.tensor([0.5])",
    "np.array([0, 1])",
    "np.bool_(True)",
    "torch.tensor([0])",
    "(slice(None), [0, 1], None)",
    "'a'",
    "1.5",
]
# User code called back by flodl: none of them raises (an exception from user
# code comes out unchanged, SPEC section 4, and would not be flodl's finding).
CALLBACKS = [
    "(lambda *a, **k: None)",
    "(lambda *a, **k: a[0] if a else None)",
    "(lambda *a, **k: flodl.tensor(1.0))",
]
STATE_DICTS = [
    "{'w': flodl.tensor([1.0, 2.0])}",
    "{'w': flodl.Variable(flodl.tensor([1.0]), requires_grad=True)}",
    "{'w': flodl.tensor([1.0], dtype='bfloat16'), 'b': flodl.Tensor.zeros([0])}",
    "{1: flodl.tensor([1.0])}",
    "{'w': 1}",
    "{'': flodl.tensor(True)}",
]
INTS = ["0", "1", "-1", "2", "-2", "3", "2**31", "2**63", "-2**63", "2**64", "True"]
INTS += ["np.int64(1)", "1.0", "None", "'1'"]
SHAPES = [
    "[2, 3]",
    "[0]",
    "[]",
    "[-1]",
    "[2, -1]",
    "(1, 1)",
    "[2**63]",
    "[-2]",
    "2",
    "[1, 2, 3, 4]",
]
SHAPES += ["np.array([2, 3])", "flodl.tensor([2, 3])", "[1.5]", "[None]", "flodl.Size([2, 3])"]
DTYPES = ["'float32'", "'float64'", "'int64'", "'bool'", "'bfloat16'", "'int8'", "'nope'"]
DTYPES += ["'complex64'", "'uint64'", "'Float32'", "' float32'", "np.float32", "np.dtype('uint64')"]
DTYPES += ["np.dtype('>f4')", "torch.float32", "flodl.DType.Float16", "flodl.DType.UInt8"]
DTYPES += ["int", "float", "bool", "complex", "None"]
DEVICES = [
    "'cpu'",
    "'CPU'",
    "' cpu'",
    "'cuda'",
    "'cuda:0'",
    "'cuda:-1'",
    "'cuda:99999999999999999999'",
]
DEVICES += ["'meta'", "''", "'cpu:0'", "'mps'", "flodl.Device.CPU", "torch.device('cpu')"]
DEVICES += ["torch.device('meta')", "None", "0", "-1"]
FLOATS = ["0.5", "0.0", "1.0", "-1.0", "float('nan')", "float('inf')", "-0.0", "1e308", "2**63"]
FLOATS += ["-2**63", "np.float64(2.5)", "np.float16(1.0)", "np.int64(2)", "True", "3", "1e-12"]
MODES = ["'mean'", "'sum'", "'none'", "'batchmean'", "'bilinear'", "'nearest'", "'bicubic'"]
MODES += ["'zeros'", "'border'", "'reflection'", "'tanh'", "'max'", "'nope'", "''", "'MEAN'"]
BOOLS = ["True", "False", "np.bool_(True)", "1", "0", "'no'", "None", "0.5", "2**64"]
# Paths are relative: the worker runs in a temporary directory.
PATHS = [
    "'fuzz.safetensors'",
    "'valid.safetensors'",
    "'garbage.safetensors'",
    "'empty.safetensors'",
]
PATHS += ["'missing.safetensors'", "''", "'.'", "pathlib.Path('valid.safetensors')"]
PATHS += ["b'valid.safetensors'", "0"]

TENSORS = FLODL_TENSORS + FLODL_VARIABLES
# Where a conversion takes a foreign object (from_torch, from_dlpack,
# from_numpy): mostly torch's and numpy's (drawn as in ODD_KINDS).
FOREIGN = [TORCH, TORCH, NUMPY, FLODL_TENSORS]
# The odd values by kind: a kind is drawn first, so that a kind with few
# values (torch tensors) is not drowned by one with many.
ODD_KINDS = [WEIRD, LISTS, NUMPY, TORCH, OTHER_FLODL, INDICES, CALLBACKS, STATE_DICTS]

ALL_VALUES = sum(
    ODD_KINDS + FOREIGN, TENSORS + SMALL_NUMBERS + INTS + SHAPES + DTYPES + DEVICES + FLOATS
)
ALL_VALUES += MODES + BOOLS + PATHS

# Argument names that say what a parameter takes: a value from the matching
# pool more often than not, so that calls get past the first type check.
HINTS: list[tuple[re.Pattern[str], list]] = [
    (re.compile(r"dtype"), DTYPES),
    (re.compile(r"^(tensor|obj|array)$"), FOREIGN),
    (re.compile(r"device"), DEVICES),
    (re.compile(r"^path$"), PATHS),
    (re.compile(r"^state_dict$"), STATE_DICTS),
    (re.compile(r"^(f|fn|func|function|hook|closure|release|backward)$"), CALLBACKS),
    (re.compile(r"^(mode|reduction|approximate|padding_mode)$"), MODES),
    (re.compile(r"^(key|indices?)$"), INDICES),
    (
        re.compile(
            r"^(shape|size|sizes|output_size|kernel_size|stride|padding|dilation|"
            r"output_padding|dims|repeats|normalized_shape)$"
        ),
        SHAPES,
    ),
    (
        re.compile(
            r"^(dim\d?|start_dim|end_dim|k|chunks|diagonal|num_samples|num_classes|"
            r".*_factor|groups|num_groups|num_layers|padding_idx|ignore_index|n|m|steps|seed|"
            r"threads|normalized_size|argnums|level|length|index|start)$"
        ),
        INTS,
    ),
    (
        re.compile(
            r"^(p|eps|momentum|alpha|beta\d?|delta|threshold|negative_slope|lr|value|scalar|"
            r"min|max|low|high|mean|std|dropout|dropout_p|scale|label_smoothing|exponent|base|"
            r"correction|lambd|min_val|max_val|fill_value|start|end|step|max_norm|norm_type|"
            r"atol|rtol|weight_decay)$"
        ),
        FLOATS,
    ),
    (
        re.compile(
            r"^(keepdim|training|train|inplace|ceil_mode|count_include_pad|align_corners|"
            r"largest|sorted|descending|replacement|bidirectional|batch_first|has_biases|"
            r"is_causal|log_target|allow_unused|create_graph|retain_graph|materialize|"
            r"enabled|mode|unbiased|requires_grad|copy|preserve_rng_state)$"
        ),
        BOOLS,
    ),
]

# Operators, for calling a dunder the way Python code does.
ARITHMETIC = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "*",
    "__truediv__": "/",
    "__floordiv__": "//",
    "__mod__": "%",
    "__pow__": "**",
    "__matmul__": "@",
    "__and__": "&",
    "__or__": "|",
    "__xor__": "^",
}
COMPARISON = {
    "__lt__": "<",
    "__le__": "<=",
    "__gt__": ">",
    "__ge__": ">=",
    "__eq__": "==",
    "__ne__": "!=",
}
BINARY = {**ARITHMETIC, **COMPARISON}
REFLECTED = {f"__r{name[2:]}": symbol for name, symbol in ARITHMETIC.items()}
IN_PLACE = {f"__i{name[2:]}": f"operator.i{name[2:-2]}" for name in ARITHMETIC}
UNARY = {
    "__neg__": "-{}",
    "__abs__": "abs({})",
    "__invert__": "~{}",
    "__bool__": "bool({})",
    "__float__": "float({})",
    "__int__": "int({})",
    "__index__": "operator.index({})",
    "__len__": "len({})",
    "__iter__": "iter({})",
    "__repr__": "repr({})",
    "__hash__": "hash({})",
}
# Attributes every class has from object, or that are not calls.
SKIPPED_ATTRIBUTES = {
    "__new__",
    "__init__",
    "__doc__",
    "__module__",
    "__dict__",
    "__weakref__",
    "__getattribute__",
    "__getattr__",
    "__setattr__",
    "__delattr__",
    "__init_subclass__",
    "__subclasshook__",
    "__class__",
    "__array_ufunc__",
    "__array_priority__",
    "__slots__",
    "__annotations__",
    "__qualname__",
}
# Calls that may change grad mode when they succeed (they exist to).
GRAD_MODE_SETTERS = {"flodl.set_grad_enabled", "flodl.autograd.set_grad_enabled"}

# Text that never belongs in an error message (SPEC section 4).
INTERNAL_TEXT = re.compile(
    r"INTERNAL ASSERT|Exception raised from|frame #\d|\bOk\(|\bErr\(|\bSome\(|Os \{|"
    r"panicked at|called `(Result|Option)::unwrap\(\)`|RUST_BACKTRACE"
)


# ----- the targets -----


@dataclass
class Target:
    """One callable: `label` names it in reports; `kind` says how it is
    called ("call", "method", "get", "set"); `receiver` is "Tensor" or
    "Variable" for the last three."""

    label: str
    kind: str
    name: str
    params: list[inspect.Parameter] | None
    receiver: str | None = None

    @property
    def group(self) -> str:
        """flodl's functions, a class's static methods, a module, or the
        methods of Tensor or of Variable."""
        if self.receiver:
            return self.receiver
        head = self.label.rpartition(".")[0]
        return "static" if head.rpartition(".")[2][:1].isupper() else head


def parameters(obj: Any, drop_self: bool) -> list[inspect.Parameter] | None:
    """The parameters of `obj` (without `self` for a method), or None where
    there is no signature (then 0 to 3 positional arguments are drawn)."""
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    return params[1:] if drop_self and params else params


def is_exception_class(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseException)


def targets(flodl: Any) -> list[Target]:
    """Every public callable of the surface, in a fixed order."""
    from flodl import autograd, func
    from flodl.nn import functional

    found: list[Target] = []
    # Module-level functions and classes (constructors), and the public
    # static methods of flodl's classes.
    for name in sorted(dir(flodl)):
        obj = getattr(flodl, name)
        if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
            continue
        if is_exception_class(obj):
            continue
        found.append(Target(f"flodl.{name}", "call", f"flodl.{name}", parameters(obj, False)))
        if isinstance(obj, type):
            for attr in sorted(vars(obj)):
                raw = inspect.getattr_static(obj, attr)
                if not attr.startswith("_") and isinstance(raw, (staticmethod, classmethod)):
                    path = f"flodl.{name}.{attr}"
                    found.append(Target(path, "call", path, parameters(getattr(obj, attr), False)))
    for prefix, module in [
        ("flodl.nn.functional", functional),
        ("flodl.func", func),
        ("flodl.autograd", autograd),
    ]:
        names = getattr(module, "__all__", None) or [n for n in dir(module) if n[0] != "_"]
        for name in sorted(names):
            obj = getattr(module, name)
            if callable(obj) and not is_exception_class(obj) and not inspect.ismodule(obj):
                path = f"{prefix}.{name}"
                found.append(Target(path, "call", path, parameters(obj, False)))
    # Methods, operators and properties of Tensor and Variable (inherited
    # ones too, should Variable become a subclass of Tensor).
    for cls_name in ("Tensor", "Variable"):
        cls = getattr(flodl, cls_name)
        attrs: dict[str, Any] = {}
        for klass in reversed(cls.__mro__[:-1]):
            attrs.update(vars(klass))
        for attr in sorted(attrs):
            raw = inspect.getattr_static(cls, attr)
            label = f"{cls_name}.{attr}"
            if attr in SKIPPED_ATTRIBUTES or isinstance(raw, (staticmethod, classmethod)):
                continue
            if type(raw).__name__ in ("getset_descriptor", "property", "member_descriptor"):
                found.append(Target(label, "get", attr, [], cls_name))
                if writable(flodl, cls_name, attr):
                    setter = inspect.Parameter("value", inspect.Parameter.POSITIONAL_ONLY)
                    found.append(Target(f"{label} (set)", "set", attr, [setter], cls_name))
            elif callable(raw):
                found.append(Target(label, "method", attr, parameters(raw, True), cls_name))
    return found


def writable(flodl: Any, cls_name: str, attr: str) -> bool:
    """Whether a property has a setter: setting a property without one is
    Python's AttributeError "... is not writable" whatever the value."""
    receiver = flodl.tensor([[1.0]])
    if cls_name == "Variable":
        receiver = flodl.Variable(receiver, requires_grad=True)
    try:
        setattr(receiver, attr, None)
    except AttributeError as e:
        return not re.search(r"not writable|readonly|read-only|can't set|has no setter", str(e))
    except Exception:  # noqa: BLE001 - it has a setter, which refuses None
        return True
    return True


# ----- drawing a call -----


def grouped(surface: list[Target]) -> list[list[Target]]:
    groups: dict[str, list[Target]] = defaultdict(list)
    for target in surface:
        groups[target.group].append(target)
    return [groups[name] for name in sorted(groups)]


def pick_target(rng: random.Random, groups: list[list[Target]]) -> Target:
    """A group drawn by the square root of its size, then a member: the
    hundreds of methods get fewer calls than their share, the few static
    methods (twice their weight: creation, and the conversions where
    foreign objects come in) many more."""
    weights = [len(g) ** 0.5 * (2 if g[0].group == "static" else 1) for g in groups]
    return rng.choice(rng.choices(groups, weights=weights)[0])


def hinted_pool(name: str | None) -> list | None:
    if name is None:
        return None
    for pattern, pool in HINTS:
        if pattern.search(name):
            return pool
    if re.match(
        r"^(input\d?|other|weight|bias|target|tensors?|mask|src|grid|query|value|"
        r"hx|cx|[wb]_(ih|hh)|running_(mean|var)|pos_weight|attn_mask|state|gradient|"
        r"grad_outputs|outputs|inputs|primals|tangents|data|array|obj|x|y|a|b|v|"
        r"condition|params|offsets|exponent|tensor\d)$",
        name,
    ):
        return TENSORS
    return None


def any_value(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return rng.choice(TENSORS)
    if r < 0.4:
        return rng.choice(SMALL_NUMBERS)
    return rng.choice(rng.choice(ODD_KINDS))


def value_for(rng: random.Random, name: str | None) -> str:
    pool = hinted_pool(name)
    if pool is not None and rng.random() < 0.65:
        return rng.choice(rng.choice(pool) if pool is FOREIGN else pool)
    return any_value(rng)


def draw_arguments(rng: random.Random, params: list[inspect.Parameter] | None) -> str:
    """The argument list of a call, as source: mostly the required
    positional arguments, sometimes more or fewer, and some keywords."""
    if params is None:
        return ", ".join(any_value(rng) for _ in range(rng.randint(0, 3)))
    kind = inspect.Parameter
    positional = [p for p in params if p.kind in (kind.POSITIONAL_ONLY, kind.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is kind.empty]
    r = rng.random()
    if r < 0.6:
        count = len(required)
    elif r < 0.85:
        count = rng.randint(len(required), len(positional))
    else:
        count = rng.randint(0, len(positional) + 1)
    args = [value_for(rng, p.name) for p in positional[:count]]
    args += [any_value(rng) for _ in range(count - len(positional))]
    if any(p.kind == kind.VAR_POSITIONAL for p in params) and rng.random() < 0.7:
        args += [rng.choice(INTS + SHAPES) for _ in range(rng.randint(0, 3))]
    keywords = positional[count:] + [p for p in params if p.kind == kind.KEYWORD_ONLY]
    for p in keywords:
        needed = p.kind == kind.KEYWORD_ONLY and p.default is kind.empty
        if p.kind != kind.POSITIONAL_ONLY and rng.random() < (0.9 if needed else 0.3):
            args.append(f"{p.name}={value_for(rng, p.name)}")
    if rng.random() < 0.03:
        args.append(f"nope={any_value(rng)}")
    return ", ".join(args)


def is_flodl_or_torch(expression: str) -> bool:
    return expression.lstrip("(").startswith(("flodl.", "torch.", "["))


def draw_call(rng: random.Random, target: Target) -> str:
    """The source of one call of `target`: an expression."""
    if target.kind == "call":
        return f"{target.name}({draw_arguments(rng, target.params)})"
    receiver = rng.choice(FLODL_TENSORS if target.receiver == "Tensor" else FLODL_VARIABLES)
    name = target.name
    if target.kind == "get":
        return f"{receiver}.{name}"
    if target.kind == "set":
        return f"setattr({receiver}, {name!r}, {value_for(rng, name)})"
    if rng.random() < 0.5:
        # As Python code writes it: the operator, with Python's dispatch.
        if name in BINARY:
            return f"({receiver} {BINARY[name]} {any_value(rng)})"
        if name in REFLECTED:
            other = any_value(rng)
            if not is_flodl_or_torch(other):  # else the other object's operator runs
                return f"({other} {REFLECTED[name]} {receiver})"
        if name in IN_PLACE:
            return f"{IN_PLACE[name]}({receiver}, {any_value(rng)})"
        if name in UNARY:
            return UNARY[name].format(receiver)
        if name == "__getitem__":
            return f"{receiver}[{rng.choice(INDICES)}]"
        if name == "__setitem__":
            return f"operator.setitem({receiver}, {rng.choice(INDICES)}, {any_value(rng)})"
        if name == "__delitem__":
            return f"operator.delitem({receiver}, {rng.choice(INDICES)})"
    return f"{receiver}.{name}({draw_arguments(rng, target.params)})"


# ----- the worker -----


def classify(error: BaseException, flodl: Any) -> str | None:
    """None for an expected error (FlodlError, TypeError), else the kind of
    finding."""
    name = type(error).__name__
    if name == "PanicException":
        return "PanicException"
    if not isinstance(error, (flodl.FlodlError, TypeError)):
        return name
    text = str(error)
    internal = INTERNAL_TEXT.search(text)
    if internal:
        return f"{name} with internal text {internal.group(0)!r}"
    if isinstance(error, flodl.FlodlError) and "\n" in text.strip():
        return f"{name} message of several lines"
    return None


def first_line(text: str, limit: int = 240) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:limit]


def look_at(result: Any, flodl: Any) -> None:
    """What a caller does next with a result: print it, iterate it."""
    import itertools

    values = result if isinstance(result, (tuple, list)) else [result]
    for value in list(values)[:4]:
        if isinstance(value, (flodl.Tensor, flodl.Variable)):
            repr(value)
        elif hasattr(value, "__next__"):
            for item in itertools.islice(value, 3):
                repr(item)


def make_files(directory: str, flodl: Any) -> None:
    """The files the path arguments name: a valid safetensors file, a
    garbage one and an empty one."""
    flodl.save({"w": flodl.tensor([1.0, 2.0])}, os.path.join(directory, "valid.safetensors"))
    with open(os.path.join(directory, "garbage.safetensors"), "wb") as f:
        f.write(b"\xff" * 8 + b"{not json" + bytes(range(256)))
    open(os.path.join(directory, "empty.safetensors"), "wb").close()


def limit_memory() -> None:
    import resource

    with open("/proc/self/status") as status:
        used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    limit = used + MEMORY_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Log:
    """JSON lines written straight to the file descriptor: a line written
    before a crash is on disk when the parent reads it."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, **record: Any) -> None:
        os.write(self.fd, (json.dumps(record) + "\n").encode())


def run_worker(seed: int, start: int, stop: int, log_path: str, directory: str) -> None:
    import faulthandler
    import warnings

    faulthandler.enable()
    os.chdir(directory)  # path arguments land here
    import numpy as np
    import torch

    import flodl

    warnings.simplefilter("ignore")  # warnings are allowed; raw stderr is not
    limit_memory()
    log = Log(log_path)
    make_files(directory, flodl)
    namespace: dict[str, Any] = {
        "flodl": flodl,
        "np": np,
        "torch": torch,
        "operator": __import__("operator"),
        "pathlib": __import__("pathlib"),
        "os": os,
    }
    # Every value must build; one that does not is a finding of its own.
    for expression in dict.fromkeys(ALL_VALUES):
        try:
            eval(expression, namespace)
        except Exception as e:  # noqa: BLE001
            log.write(fixture=expression, error=f"{type(e).__name__}: {first_line(str(e))}")
    groups = grouped(targets(flodl))
    injected = dict(
        item.split(":", 1)
        for item in os.environ.get("FLODL_FUZZ_API_INJECT", "").split(",")
        if item
    )
    threads = flodl.get_num_threads()
    default_dtype = flodl.get_default_dtype()
    stderr_size = os.fstat(2).st_size
    for index in range(start, stop):
        rng = random.Random(f"{seed}/{index}")
        target = pick_target(rng, groups)
        source = draw_call(rng, target)
        if str(index) in injected:  # the self-test's planted faults
            source = {
                "abort": "os.abort()",
                "stderr": "os.write(2, b'planted\\n')",
                "hang": "__import__('time').sleep(3600)",
            }[injected[str(index)]]
        code = compile(source, "<fuzz>", "eval")  # a SyntaxError is the fuzzer's own bug
        if "safetensors" in source:
            make_files(directory, flodl)  # as they were, whatever calls before wrote
        log.write(index=index, target=target.label, source=source)
        findings = []
        grad_before = flodl.is_grad_enabled()
        inference_before = flodl.is_inference_mode_enabled()
        failed = False
        faulthandler.dump_traceback_later(CALL_TIMEOUT_S, exit=True)
        started = time.perf_counter()
        try:
            result = eval(code, namespace)
            outcome = "returned"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001 - PanicException is a BaseException
            result, failed = None, True
            kind = classify(e, flodl)
            outcome = "raised" if kind is None else "finding"
            if kind is not None:
                findings.append((kind, f"{type(e).__name__}: {first_line(str(e))}"))
        elapsed = time.perf_counter() - started
        if not failed:
            try:
                look_at(result, flodl)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as e:  # noqa: BLE001
                kind = classify(e, flodl)
                if kind is not None:
                    what = f"{type(e).__name__}: {first_line(str(e))}"
                    findings.append((f"{kind} printing the result", what))
        del result
        faulthandler.cancel_dump_traceback_later()
        # The state a call must leave as it found it.
        if flodl.is_grad_enabled() != grad_before:
            if failed:
                findings.append(("grad mode changed by a failing call", ""))
            elif target.label not in GRAD_MODE_SETTERS:
                findings.append(("grad mode changed by a call", ""))
            flodl.set_grad_enabled(grad_before)
        if flodl.is_inference_mode_enabled() != inference_before:
            findings.append(("inference mode changed by a call", ""))
        if flodl.get_num_threads() != threads:
            if target.label != "flodl.set_num_threads":
                findings.append(("thread count changed by a call", ""))
            flodl.set_num_threads(threads)
        if flodl.get_default_dtype() != default_dtype:
            if failed or target.label != "flodl.set_default_dtype":
                findings.append(("default dtype changed by a call", ""))
            flodl.set_default_dtype(default_dtype)
        sys.stderr.flush()
        size = os.fstat(2).st_size
        if size != stderr_size:
            with open("/proc/self/fd/2", "rb") as err:
                err.seek(stderr_size)
                printed = err.read(2000).decode(errors="replace")
            findings.append(("output on stderr", first_line(printed)))
            stderr_size = size
        log.write(done=index, outcome=outcome, findings=findings, seconds=round(elapsed, 4))
    log.write(end=True)


# ----- the parent -----


@dataclass
class Finding:
    kind: str
    target: str
    source: str
    message: str
    seed: int
    index: int

    def reproducer(self) -> str:
        if self.kind.endswith("printing the result"):
            return f"{PRELUDE}; print({self.source})"
        return f"{PRELUDE}; {self.source}"


@dataclass
class SeedReport:
    seed: int
    calls: int = 0
    outcomes: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    targets: set = field(default_factory=set)
    slow: list[tuple[float, str]] = field(default_factory=list)
    seconds: float = 0.0


def read_log(path: str) -> list[dict]:
    records = []
    if not os.path.exists(path):
        return records
    with open(path) as f:
        for line in f:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:  # the line a crash cut short
                pass
    return records


def spawn(seed: int, start: int, stop: int, directory: str, timeout: float) -> tuple:
    """Runs the worker on calls [start, stop); its records, its exit status
    (None on timeout) and the end of its stderr."""
    log_path = os.path.join(directory, f"log-{start}.jsonl")
    err_path = os.path.join(directory, f"stderr-{start}.txt")
    command = [sys.executable, os.path.abspath(__file__), "--worker", f"--seed={seed}"]
    command += [f"--start={start}", f"--stop={stop}", f"--log={log_path}", f"--dir={directory}"]
    with open(err_path, "wb") as err:
        try:
            rc = subprocess.run(
                command, check=False, stdout=subprocess.DEVNULL, stderr=err, timeout=timeout
            )
            status = rc.returncode
        except subprocess.TimeoutExpired:
            status = None
    with open(err_path, "rb") as err:
        tail = err.read()[-3000:].decode(errors="replace")
    return read_log(log_path), status, tail


def crash_kind(status: int | None, tail: str) -> str:
    if status is None:
        return "hang (the worker's time ran out)"
    if "Timeout (" in tail:
        return f"hang (a call ran over {CALL_TIMEOUT_S:.0f} s)"
    if status < 0:
        return f"crash ({signal.Signals(-status).name})"
    if "Fatal Python error" in tail:
        return "crash (Fatal Python error)"
    return f"crash (exit status {status})"


def fuzz(seed: int, calls: int, recheck: bool = True) -> SeedReport:
    """`calls` calls from `seed`, in as many workers as crashes take. With
    `recheck`, a call that crashed the worker is run again alone."""
    report = SeedReport(seed)
    began = time.perf_counter()
    fixtures_seen: set = set()
    with tempfile.TemporaryDirectory(prefix="flodl-fuzz-api-") as directory:
        start, restarts = 0, 0
        while start < calls:
            budget = 300 + calls * 0.25
            records, status, tail = spawn(seed, start, calls, directory, budget)
            pending: dict | None = None
            ended = False
            for record in records:
                if "fixture" in record and record["fixture"] not in fixtures_seen:
                    fixtures_seen.add(record["fixture"])
                    report.findings.append(
                        Finding(
                            "a value does not build",
                            "(fixture)",
                            record["fixture"],
                            record["error"],
                            seed,
                            -1,
                        )
                    )
                elif "index" in record:
                    pending = record
                elif "done" in record and pending is not None:
                    report.calls += 1
                    report.outcomes[record["outcome"]] += 1
                    report.targets.add(pending["target"])
                    if record["seconds"] > 1.0:
                        report.slow.append((record["seconds"], pending["source"]))
                    for kind, message in record["findings"]:
                        report.findings.append(
                            Finding(
                                kind,
                                pending["target"],
                                pending["source"],
                                message,
                                seed,
                                pending["index"],
                            )
                        )
                    pending = None
                elif record.get("end"):
                    ended = True
            if ended:
                break
            if pending is None:  # died before its first call: nothing to resume
                message = first_line(tail.split("Traceback")[-1] if tail else "", 2000)
                report.findings.append(
                    Finding(
                        crash_kind(status, tail) + " in the worker's set-up",
                        "(worker)",
                        "",
                        message or tail[-500:],
                        seed,
                        start,
                    )
                )
                break
            # The call that was running: does it crash alone, in a fresh worker?
            note = ""
            if recheck:
                _, alone, _ = spawn(seed, pending["index"], pending["index"] + 1, directory, 120)
                note = " (not alone: needs the calls before it)" if alone == 0 else ""
            message = "; ".join(line for line in tail.strip().splitlines()[-6:])[-600:]
            report.calls += 1
            report.outcomes["finding"] += 1
            report.findings.append(
                Finding(
                    crash_kind(status, tail) + note,
                    pending["target"],
                    pending["source"],
                    message,
                    seed,
                    pending["index"],
                )
            )
            start = pending["index"] + 1
            restarts += 1
            if restarts > MAX_RESTARTS:
                report.findings.append(
                    Finding("too many crashes: stopped", "(worker)", "", "", seed, start)
                )
                break
    report.seconds = time.perf_counter() - began
    return report


def summary(findings: list[Finding], limit: int | None = None) -> str:
    """The findings grouped by kind and callable, most frequent first, each
    group with its shortest reproducer."""
    by_kind: dict[str, list[Finding]] = defaultdict(list)
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_kind[f.kind].append(f)
        groups[(f.kind, f.target)].append(f)
    lines = [f"{len(findings)} findings of {len(by_kind)} kinds (count, callables, example):"]
    for kind, members in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0])):
        example = min(members, key=lambda f: len(f.source) or 10**6)
        callables = len({f.target for f in members})
        lines.append(f"  {len(members):5d}  {callables:3d}  {kind}: {example.source}")
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    lines.append(f"{len(groups)} groups (kind | callable | count):")
    for (kind, target), members in ordered[:limit]:
        example = min(members, key=lambda f: len(f.source))
        lines.append(f"- {kind} | {target} | {len(members)}")
        if example.message:
            lines.append(f"    message: {example.message}")
        if example.source:
            lines.append(f"    python -c {example.reproducer()!r}")
            lines.append(f"    (seed {example.seed}, call {example.index})")
    if limit is not None and len(ordered) > limit:
        lines.append(f"... and {len(ordered) - limit} more groups")
    return "\n".join(lines)


def describe(report: SeedReport) -> str:
    o = report.outcomes
    return (
        f"seed {report.seed}: {report.calls} calls of {len(report.targets)} callables in "
        f"{report.seconds:.1f} s ({o['returned']} returned, {o['raised']} raised "
        f"FlodlError/TypeError), {len(report.findings)} findings"
    )


# ----- pytest -----


@pytest.mark.parametrize("seed", SEEDS)
def test_public_api_survives_hostile_arguments(seed) -> None:
    report = fuzz(seed, CALLS)
    print(describe(report))
    assert not report.findings, describe(report) + "\n" + summary(report.findings)
    assert report.calls == CALLS


def test_fuzzer_sees_crashes_hangs_and_stderr(monkeypatch) -> None:
    """The machinery itself: a planted abort, a write to stderr and a hang
    are each found at their call, and the run resumes after them."""
    monkeypatch.setenv("FLODL_FUZZ_API_INJECT", "1:abort,3:stderr,4:hang")
    monkeypatch.setattr(sys.modules[__name__], "CALL_TIMEOUT_S", 2.0)
    monkeypatch.setenv("FLODL_FUZZ_API_CALL_TIMEOUT", "2")
    report = fuzz(7, 6, recheck=False)
    kinds = {(f.index, f.kind.split(" (")[0]) for f in report.findings}
    assert {(1, "crash"), (3, "output on stderr"), (4, "hang")} <= kinds, summary(report.findings)
    assert report.calls == 6


def test_classification() -> None:
    import flodl

    assert classify(TypeError("expected a Tensor"), flodl) is None
    assert classify(flodl.ShapeError("matmul: [2, 3] by [4]"), flodl) is None
    assert classify(ValueError("x"), flodl) == "ValueError"
    assert classify(OverflowError("x"), flodl) == "OverflowError"
    assert classify(flodl.FlodlError("Err(Kind(3))"), flodl).startswith("FlodlError with")
    panic = type("PanicException", (BaseException,), {})
    assert classify(panic("boom"), flodl) == "PanicException"


# ----- the command line -----


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--out", help="write every finding to this file")
    parser.add_argument("--show", metavar="SEED:INDEX", help="print the source of one call")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.seed, args.start, args.stop, args.log, args.dir)
        return 0
    if args.show:
        import flodl

        seed, index = (int(x) for x in args.show.split(":"))
        rng = random.Random(f"{seed}/{index}")
        target = pick_target(rng, grouped(targets(flodl)))
        print(f"{PRELUDE}; {draw_call(rng, target)}")
        return 0
    findings: list[Finding] = []
    for seed in (int(s) for s in args.seeds.split(",") if s.strip()):
        report = fuzz(seed, args.calls)
        print(describe(report), flush=True)
        for seconds, source in sorted(report.slow, reverse=True)[:5]:
            print(f"  slow call ({seconds:.1f} s): {source}")
        findings += report.findings
    if findings:
        print(summary(findings))
    if args.out:
        with open(args.out, "w") as out:
            for f in findings:
                out.write(f"[{f.kind}] {f.target} (seed {f.seed}, call {f.index})\n")
                out.write(f"    {f.message}\n    python -c {f.reproducer()!r}\n")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
