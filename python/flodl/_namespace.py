"""PyTorch's module-level names that are not method ops: joins of a
sequence, ``where``, predicates, the default dtype and device, seeds, and
the dtype and device names (``flodl.float32``, ``flodl.device("cuda", 0)``),
and the constants ``inf``, ``nan``, ``pi``, ``e``, ``newaxis``.

The dtype names shadow Python's ``float``, ``int`` and ``bool`` in this
module, so they are bound last and the code above uses ``builtins``."""

from __future__ import annotations

import builtins
import functools
import math
import random
from collections.abc import Callable, Iterable
from typing import Any

from . import _flodl
from ._flodl import ArgumentError, Device, DType, Tensor, Variable
from ._size import Size

# libtorch's default CPU generator starts from this seed, as PyTorch's.
_DEFAULT_SEED = 67280421310721
_seed = _DEFAULT_SEED


def _tensor(op: str, input: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a flodl Tensor, got {type(input).__name__}")
    return input


def _class_of(tensors: Iterable[Any]) -> type:
    """Variable when any operand is one (the result records), else Tensor."""
    return Variable if any(isinstance(t, Variable) for t in tensors) else Tensor


def _sequence(op: str, tensors: Any) -> list[Any]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Iterable):
        raise TypeError(
            f"{op}: expected a sequence of tensors, got {'one ' if isinstance(tensors, Tensor) else ''}"
            f"{type(tensors).__name__}"
        )
    return list(tensors)


def _loose(op: str, tensors: tuple[Any, ...]) -> list[Any]:
    """The operands of a function that takes them loose or as one sequence
    (``einsum(eq, a, b)`` or ``einsum(eq, [a, b])``)."""
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        return _sequence(op, tensors[0])
    return list(tensors)


def cat(tensors: Any, dim: builtins.int = 0, *, axis: Any = None) -> Tensor:
    """``torch.cat``: ``tensors`` joined along ``dim`` (numpy's ``axis``
    too); a Variable when any of them is one."""
    tensors = _sequence("cat", tensors)
    return _class_of(tensors).cat_many(tensors, dim if axis is None else axis)


concat = concatenate = cat


def einsum(equation: Any, *operands: Any) -> Tensor:
    """``torch.einsum``: the sums of products ``equation`` names
    (``"ij,jk->ik"``) over ``operands``, given loose or as one sequence; a
    Variable when any of them is one. The sublist form ``einsum(a, [0, 1],
    b, [1], [0])`` (ints 0 to 51 for the dims, ``...`` for the rest) names
    the same equation."""
    if isinstance(equation, Tensor):
        equation, operands = _sublist_equation((equation, *operands))
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a str, got {type(equation).__name__}")
    operands = _loose("einsum", operands)
    return _class_of(operands).einsum(operands, equation)


# As torch's sublist form: 0-25 are A-Z, 26-51 a-z.
_SUBSCRIPTS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist_equation(args: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """``einsum``'s sublist form as an equation and its operands."""

    def letters(sublist: Any) -> str:
        if isinstance(sublist, (str, Tensor)) or not isinstance(sublist, Iterable):
            raise TypeError(
                f"einsum: each operand's subscripts are a list of ints, got {type(sublist).__name__}"
            )
        out = []
        for s in sublist:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, builtins.int) and 0 <= s < len(_SUBSCRIPTS):
                out.append(_SUBSCRIPTS[s])
            else:
                raise ArgumentError(f"einsum: subscripts are ints in [0, 52) or ..., got {s!r}")
        return "".join(out)

    pairs, rest = args[: len(args) // 2 * 2], args[len(args) // 2 * 2 :]
    operands = list(pairs[0::2])
    equation = ",".join(letters(sub) for sub in pairs[1::2])
    if rest:
        equation += "->" + letters(rest[0])
    return equation, operands


def stack(tensors: Any, dim: builtins.int = 0, *, axis: Any = None) -> Tensor:
    """``torch.stack``: ``tensors`` (of one shape) along a new dim ``dim``
    (numpy's ``axis`` too)."""
    tensors = _sequence("stack", tensors)
    return _class_of(tensors).stack(tensors, dim if axis is None else axis)


def _sequence_join(name: str) -> Any:
    """``flodl.<name>(tensors)`` for a join of the op table that takes
    nothing else (``hstack``, ``vstack``, ...): a Variable when any of the
    tensors is one."""
    method = getattr(Tensor, name)

    def join(tensors: Any) -> Tensor:
        tensors = _sequence(name, tensors)
        return getattr(_class_of(tensors), name)(tensors)

    join.__name__ = join.__qualname__ = name
    join.__doc__ = f"``torch.{name}``: {method.__doc__}"
    return join


hstack = _sequence_join("hstack")
vstack = _sequence_join("vstack")
row_stack = vstack
dstack = _sequence_join("dstack")
column_stack = _sequence_join("column_stack")


def block_diag(*tensors: Any) -> Tensor:
    """``torch.block_diag``: the (at most 2-d) ``tensors`` as the blocks of a
    block-diagonal matrix."""
    return _class_of(tensors).block_diag(list(tensors))


def cartesian_prod(*tensors: Any) -> Tensor:
    """``torch.cartesian_prod``: every combination of the 1-d ``tensors``'
    values, one row each."""
    return _class_of(tensors).cartesian_prod(list(tensors))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """``torch.meshgrid``: one grid per 1-d tensor (given loose or as one
    sequence), each of the shape of all their lengths; ``indexing="xy"``
    swaps the first two dims (Cartesian)."""
    grids = _loose("meshgrid", tensors)
    return tuple(_class_of(grids).meshgrid(grids, indexing))


def _at_least(name: str, ndim: builtins.int) -> Any:
    def at_least(*tensors: Any) -> Any:
        grown = []
        for t in _loose(name, tensors):
            _tensor(name, t)
            shape = list(t.shape)
            # torch's rule: a 1-d tensor becomes a row [1, n], then [1, n, 1].
            if t.ndim < ndim:
                shape = {0: [1] * ndim, 1: [1, *shape, 1][:ndim], 2: [*shape, 1]}[t.ndim]
            grown.append(t.reshape(shape) if len(shape) != t.ndim else t)
        return grown[0] if len(grown) == 1 else tuple(grown)

    at_least.__name__ = at_least.__qualname__ = name
    at_least.__doc__ = (
        f"``torch.{name}``: each tensor with at least {ndim} dims (a view; one "
        "tensor alone, several as a tuple)."
    )
    return at_least


atleast_1d = _at_least("atleast_1d", 1)
atleast_2d = _at_least("atleast_2d", 2)
atleast_3d = _at_least("atleast_3d", 3)


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: Any = None, *, output_size: Any = None
) -> Tensor:
    """``torch.repeat_interleave``: each element (or slice of ``dim``)
    repeated ``repeats`` times (an int or a tensor of counts); with only a
    tensor of counts, each index repeated its count
    (``repeat_interleave(tensor([2, 1]))`` is ``tensor([0, 0, 1])``)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"repeat_interleave: input must be a flodl Tensor, got {type(input).__name__}"
        )
    if repeats is None:
        indices = Tensor.arange(0, input.numel(), 1, dtype=input.dtype, device=input.device)
        return indices.repeat_interleave(input, output_size=output_size)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: builtins.int = -1) -> Tensor:
    """``torch.trapezoid``: the integral of ``y`` along ``dim`` by the
    trapezoidal rule, at the sample points ``x`` (a tensor) or ``dx`` apart
    (1 when neither is given)."""
    y = _tensor("trapezoid", y)
    if x is not None:
        if dx is not None:
            raise ArgumentError("trapezoid: give the sample points x or the spacing dx, not both")
        return y.trapezoid_x(_tensor("trapezoid", x), dim)
    return y.trapezoid(1 if dx is None else dx, dim)


trapz = trapezoid


def cumulative_trapezoid(
    y: Tensor, x: Any = None, *, dx: Any = None, dim: builtins.int = -1
) -> Tensor:
    """``torch.cumulative_trapezoid``: the running trapezoidal integral of
    ``y`` along ``dim``, at the sample points ``x`` or ``dx`` apart."""
    y = _tensor("cumulative_trapezoid", y)
    if x is not None:
        if dx is not None:
            raise ArgumentError(
                "cumulative_trapezoid: give the sample points x or the spacing dx, not both"
            )
        return y.cumulative_trapezoid_x(_tensor("cumulative_trapezoid", x), dim)
    return y.cumulative_trapezoid(1 if dx is None else dx, dim)


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """``torch.broadcast_tensors``: the tensors expanded (views, no copy) to
    the shape they broadcast to."""
    parts = _loose("broadcast_tensors", tensors)
    return tuple(_class_of(parts).broadcast_tensors(parts))


def broadcast_shapes(*shapes: Any) -> Size:
    """``torch.broadcast_shapes``: the shape the ``shapes`` (each a sequence
    of sizes, or one int) broadcast to."""
    return Size(
        _flodl.broadcast_shapes([[s] if isinstance(s, builtins.int) else list(s) for s in shapes])
    )


def pow(input: Any, exponent: Any) -> Tensor:
    """``torch.pow``: ``input ** exponent`` elementwise, broadcasting; either
    may be a number (``pow(2, x)`` is ``2 ** x``), not both."""
    if isinstance(input, Tensor):
        return input.pow(exponent)
    if isinstance(exponent, Tensor) and isinstance(input, (builtins.int, builtins.float)):
        return input**exponent
    raise TypeError(
        f"pow: input or exponent must be a flodl Tensor, got {type(input).__name__} and "
        f"{type(exponent).__name__}"
    )


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """``torch.clone``: a copy of ``input`` (recorded for a Variable)."""
    return _tensor("clone", input).clone()


def _alias(name: str, method: str) -> Any:
    """``flodl.<name>``: PyTorch's other name of the op ``method``."""

    def alias(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(_tensor(name, input), method)(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = name
    alias.__doc__ = f"``torch.{name}``: ``{method}`` by its other name."
    return alias


# PyTorch's other names of ops: each is ``flodl.<name>(x, ...)`` and the
# method ``x.<name>(...)``, and the in-place method ``x.<name>_`` where the
# op has one (``x.multiply_`` is ``x.mul_``). The stubs are generated from
# this table (tools/generate.py).
OTHER_NAMES = {
    "absolute": "abs",
    "arccos": "acos",
    "arcsin": "asin",
    "arctan": "atan",
    "arctan2": "atan2",
    "arccosh": "acosh",
    "arcsinh": "asinh",
    "arctanh": "atanh",
    "multiply": "mul",
    "subtract": "sub",
    "divide": "div",
    "true_divide": "div",
    "negative": "neg",
    "not_equal": "ne",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "fix": "trunc",
    "ger": "outer",
    "moveaxis": "movedim",
    "swapdims": "swapaxes",
    "clip": "clamp",
}
for _name, _method in OTHER_NAMES.items():
    globals()[_name] = _alias(_name, _method)
    for _class in (Tensor, Variable):
        setattr(_class, _name, getattr(_class, _method))
        if hasattr(_class, _method + "_"):
            setattr(_class, _name + "_", getattr(_class, _method + "_"))


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """``torch.unravel_index``: the coordinates in an array of ``shape`` of
    the flat (row-major) ``indices``, one int64 tensor per dim."""
    if isinstance(shape, builtins.int) and not isinstance(shape, builtins.bool):
        shape = [shape]
    elif not isinstance(shape, (list, tuple)) or not all(
        isinstance(n, builtins.int) and not isinstance(n, builtins.bool) for n in shape
    ):
        raise TypeError(f"unravel_index: shape must be an int or a sequence of ints, got {shape!r}")
    return tuple(_flodl._unravel_index(indices, list(shape)))


def polygamma(n: builtins.int, input: Tensor) -> Tensor:
    """``torch.polygamma(n, input)``: the ``n``-th derivative of digamma
    (``input.polygamma(n)``)."""
    return _tensor("polygamma", input).polygamma(n)


def vander(x: Tensor, N: builtins.int | None = None, increasing: builtins.bool = False) -> Tensor:
    """``torch.vander``: the Vandermonde matrix of the 1-d ``x``, ``N``
    columns of powers, decreasing unless ``increasing``."""
    return _tensor("vander", x).vander(N, increasing)


def isin(
    elements: Tensor,
    test_elements: Any,
    *,
    assume_unique: builtins.bool = False,
    invert: builtins.bool = False,
) -> Tensor:
    """``torch.isin``: whether each of ``elements`` is among
    ``test_elements`` (a tensor or a number)."""
    elements = _tensor("isin", elements)
    if not isinstance(test_elements, Tensor):
        test_elements = elements.new_tensor(test_elements)
    return elements.isin(test_elements, assume_unique, invert)


def index_put(
    input: Tensor, indices: Any, values: Any, accumulate: builtins.bool = False
) -> Tensor:
    """``torch.index_put``: ``input.index_put(indices, values, accumulate)``."""
    return _tensor("index_put", input).index_put(indices, values, accumulate)


def positive(input: Tensor) -> Tensor:
    """``torch.positive``: ``input`` itself."""
    return _tensor("positive", input)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """``torch.where(condition, input, other)``: ``input`` where the bool
    ``condition`` holds, ``other`` elsewhere (broadcast; either may be a
    number); differentiable in both. ``where(condition)`` alone is
    ``condition.nonzero(as_tuple=True)``, as PyTorch's."""
    if input is None and other is None:
        return _tensor("where", condition).nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither (as in PyTorch)")
    input, other = _as_operand(input, other), _as_operand(other, input)
    return _class_of((input, other)).where_cond(condition, input, other)


def _as_operand(value: Any, partner: Any) -> Any:
    """A number as a 0-d Tensor, of its partner's dtype when that holds it
    (as PyTorch promotes: a float with an integer tensor is the default
    float dtype, an int with a bool tensor int64)."""
    if isinstance(value, Tensor):
        return value
    if not isinstance(value, (builtins.int, builtins.float, builtins.bool)):
        raise TypeError(
            f"where: input and other are tensors or numbers, got {type(value).__name__}"
        )
    if isinstance(partner, Tensor):
        dtype = partner.dtype
        if isinstance(value, builtins.float) and not dtype.is_floating_point:
            dtype = _flodl._default_dtype()
        elif type(value) is builtins.int and dtype == _flodl.DType.Bool:
            dtype = _flodl.DType.Int64
        return Tensor.full([], value, dtype=dtype, device=partner.device)
    from ._creation import tensor

    return tensor(value)


def allclose(
    input: Tensor,
    other: Tensor,
    rtol: builtins.float = 1e-05,
    atol: builtins.float = 1e-08,
    equal_nan: builtins.bool = False,
) -> builtins.bool:
    """Whether every element of ``input`` is close to ``other``'s."""
    return _tensor("allclose", input).allclose(other, rtol, atol, equal_nan)


def equal(input: Tensor, other: Tensor) -> builtins.bool:
    """Whether ``input`` and ``other`` have one shape and the same values."""
    return _tensor("equal", input).equal(other)


def is_tensor(obj: Any) -> builtins.bool:
    """Whether ``obj`` is a flodl Tensor (a Variable is one)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> builtins.bool:
    """Whether ``input``'s dtype is a float dtype."""
    return _tensor("is_floating_point", input).dtype.is_floating_point


def is_complex(input: Tensor) -> builtins.bool:
    """Whether ``input``'s dtype is complex, as ``torch.is_complex``."""
    return _tensor("is_complex", input).is_complex()


def is_signed(input: Tensor) -> builtins.bool:
    """Whether ``input``'s dtype holds negative values, as ``torch.is_signed``."""
    return _tensor("is_signed", input).is_signed()


def is_nonzero(input: Tensor) -> builtins.bool:
    """Whether the one value of ``input`` is not zero, as ``torch.is_nonzero``."""
    return _tensor("is_nonzero", input).is_nonzero()


def is_same_size(input: Tensor, other: Tensor) -> builtins.bool:
    """Whether ``input`` and ``other`` have one shape, as ``torch.is_same_size``."""
    return _tensor("is_same_size", input).is_same_size(other)


def is_inference(input: Tensor) -> builtins.bool:
    """Whether ``input`` was made under ``inference_mode``."""
    return _tensor("is_inference", input).is_inference()


def is_conj(input: Tensor) -> builtins.bool:
    """Whether ``input`` is a lazy ``conj()`` view, as ``torch.is_conj``."""
    return _tensor("is_conj", input).is_conj()


def is_neg(input: Tensor) -> builtins.bool:
    """Whether ``input`` is a lazy negative view, as ``torch.is_neg``."""
    return _tensor("is_neg", input).is_neg()


def real(input: Tensor) -> Tensor:
    """The real parts, a view, as ``torch.real`` (``input.real``)."""
    return _tensor("real", input).real


def imag(input: Tensor) -> Tensor:
    """The imaginary parts of a complex tensor, a view, as ``torch.imag``
    (``input.imag``)."""
    return _tensor("imag", input).imag


def detach(input: Tensor) -> Tensor:
    """``torch.detach``: ``input.detach()``."""
    return _tensor("detach", input).detach()


def _from_generator(own: Callable[[], Tensor], torch_draw: Callable[[Any], Any]) -> Tensor:
    """A draw from a ``flodl.Generator`` (torch's, on the same libtorch):
    flodl's own call first, for its checks and typed errors, with its draw
    undone (the default stream is left as it was); then ``torch_draw(torch)``,
    whose tensor is shared, not copied."""
    import torch

    from .random import fork_rng

    with fork_rng():
        own()
    return Tensor.from_torch(torch_draw(torch))


def multinomial(
    input: Tensor,
    num_samples: builtins.int,
    replacement: builtins.bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """``torch.multinomial``: ``num_samples`` indices drawn from the rows of
    ``input`` (non-negative weights); ``generator=``: a ``flodl.Generator``
    to draw from."""
    input = _tensor("multinomial", input)
    if generator is None:
        return input.multinomial(num_samples, replacement)
    return _from_generator(
        lambda: input.multinomial(num_samples, replacement),
        lambda torch: torch.multinomial(
            input.detach().to_torch(), num_samples, replacement, generator=generator
        ),
    )


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """``torch.bernoulli``: 1 with probability ``input`` (or the number
    ``p``, shaped like ``input``), else 0; ``generator=``: a
    ``flodl.Generator`` to draw from."""
    input = _tensor("bernoulli", input)

    def own() -> Tensor:
        if p is None:
            return input.bernoulli()
        drawn = Tensor.empty(list(input.shape), dtype=input.dtype, device=input.device)
        return drawn.bernoulli_(p)

    if generator is None:
        return own()
    extra = () if p is None else (p,)
    return _from_generator(
        own, lambda torch: torch.bernoulli(input.detach().to_torch(), *extra, generator=generator)
    )


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """``torch.poisson``: counts drawn from Poisson distributions of rates
    ``input``; ``generator=``: a ``flodl.Generator`` to draw from."""
    input = _tensor("poisson", input)
    if generator is None:
        return input.poisson()
    return _from_generator(
        input.poisson, lambda torch: torch.poisson(input.detach().to_torch(), generator=generator)
    )


def _drawing_from_generator(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """The in-place random method ``name`` (``normal_``, ...) taking
    ``generator=``, as torch's: flodl's own draw first, for its checks and
    typed errors, undone on the default stream; then torch's method, with
    the generator, writes the same memory."""

    @functools.wraps(method)
    def draw(self: Any, *args: Any, generator: Any = None, **kwargs: Any) -> Any:
        if generator is None:
            return method(self, *args, **kwargs)
        import torch

        from .random import fork_rng

        with fork_rng():
            method(self, *args, **kwargs)
        with torch.no_grad():
            getattr(self.detach().to_torch(), name)(*args, generator=generator, **kwargs)
        return self

    return draw


for _class in (Tensor, Variable):
    for _name in (
        "normal_",
        "uniform_",
        "exponential_",
        "random_",
        "bernoulli_",
        "geometric_",
        "cauchy_",
        "log_normal_",
    ):
        setattr(_class, _name, _drawing_from_generator(_name, getattr(_class, _name)))


def numel(input: Tensor) -> builtins.int:
    """The number of elements of ``input``."""
    return _tensor("numel", input).numel()


def get_default_dtype() -> DType:
    """The dtype of new float tensors: float32 unless ``set_default_dtype``
    changed it."""
    return _flodl._default_dtype()


def set_default_dtype(d: Any) -> None:
    """Makes ``d`` (a float dtype) the dtype of new float tensors, layers'
    parameters and float scalars with integer tensors, as PyTorch's (one
    setting, libtorch's: torch in the same process sees it too)."""
    if not isinstance(d, (DType, str)) and type(d).__module__ != "torch":
        raise TypeError(f"set_default_dtype: expected a dtype, got {type(d).__name__}")
    _flodl._default_dtype(d)


def is_anomaly_enabled() -> builtins.bool:
    """Whether anomaly detection is on (``autograd.detect_anomaly`` or
    ``set_anomaly_enabled``), as ``torch.is_anomaly_enabled``."""
    return _flodl._is_anomaly_enabled()


def is_anomaly_check_nan_enabled() -> builtins.bool:
    """Whether anomaly detection checks for NaN: whenever it is on (flodl
    always checks), as ``torch.is_anomaly_check_nan_enabled``."""
    return _flodl._is_anomaly_enabled()


def set_anomaly_enabled(enabled: builtins.bool, check_nan: builtins.bool = True) -> None:
    """Anomaly detection on or off from here, as ``torch.set_anomaly_enabled``
    (``autograd.set_detect_anomaly`` as a call)."""
    from .autograd import set_detect_anomaly

    set_detect_anomaly(enabled, check_nan)


def get_default_device() -> Any:
    """The device new tensors are made on: the CPU (``set_default_device``
    takes only it)."""
    return device("cpu")


def set_default_device(device: Any) -> None:
    """Only the CPU (or None) is supported: tensors are made on the CPU
    unless ``device=`` says otherwise."""
    if device is not None and Device(device) != Device.CPU:
        raise ArgumentError(
            f"set_default_device: flodl makes tensors on the CPU unless told (got {device}); "
            "pass device= to the creation functions and move modules with .to(device)"
        )


def manual_seed(seed: builtins.int) -> None:
    """Seeds the random streams of every device, as ``torch.manual_seed``.
    (torch returns its default generator, ``flodl.default_generator`` here;
    flodl returns None, since reaching that object imports torch.)"""
    global _seed
    _flodl.manual_seed(seed)
    _seed = builtins.int(seed)


def seed() -> builtins.int:
    """Seeds the random streams with a non-deterministic number and returns it."""
    chosen = random.SystemRandom().getrandbits(63)
    manual_seed(chosen)
    return chosen


def initial_seed() -> builtins.int:
    """The last seed given (``manual_seed``, ``seed``), or libtorch's default."""
    return _seed


def use_deterministic_algorithms(mode: builtins.bool, *, warn_only: builtins.bool = False) -> None:
    """Makes ops use deterministic algorithms, as PyTorch's (libtorch's own
    switch): an op that has none is then an error, or a warning with
    ``warn_only``. flodl's CPU kernels are deterministic already."""
    if not isinstance(mode, builtins.bool) or not isinstance(warn_only, builtins.bool):
        raise TypeError(
            "use_deterministic_algorithms: mode and warn_only must be bools, got "
            f"{type(mode).__name__} and {type(warn_only).__name__}"
        )
    _flodl._switches(deterministic=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> builtins.bool:
    """Whether ``use_deterministic_algorithms`` is on."""
    return _flodl._switches()["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> builtins.bool:
    """Whether ``use_deterministic_algorithms`` only warns."""
    return _flodl._switches()["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """How float32 matmuls may run on CUDA, as PyTorch's: ``"highest"``
    (float32), ``"high"`` (TF32) or ``"medium"`` (bfloat16)."""
    if not isinstance(precision, str):
        raise TypeError(
            f"set_float32_matmul_precision: expected a string, got {type(precision).__name__}"
        )
    _flodl._switches(matmul_precision=precision)


def get_float32_matmul_precision() -> str:
    """What ``set_float32_matmul_precision`` set (``"highest"`` by default)."""
    return _flodl._switches()["matmul_precision"]


device = Device
dtype = DType


class layout:
    """How a tensor's elements lie in memory, as ``torch.layout``: flodl's
    tensors are dense, so ``strided`` is the only one (``Tensor.layout``)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"flodl.{self._name}"

    def __reduce__(self) -> str:
        return self._name  # the module attribute of that name: one object


strided = layout("strided")

# PyTorch's constants: math's, and numpy's ``newaxis`` (None in an index).
inf = math.inf
nan = math.nan
pi = math.pi
e = math.e
newaxis = None

# The dtype names, last: they shadow builtins in this module.
float32 = float = DType.Float32
float64 = double = DType.Float64
float16 = half = DType.Float16
complex64 = cfloat = DType.Complex64
complex128 = cdouble = DType.Complex128
bfloat16 = DType.BFloat16
int64 = long = DType.Int64
int32 = int = DType.Int32
int16 = short = DType.Int16
int8 = DType.Int8
uint8 = DType.UInt8
bool = DType.Bool
