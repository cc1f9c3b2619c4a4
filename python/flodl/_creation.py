"""The creation functions with PyTorch's signatures (``flodl.tensor``,
``zeros``, ``arange``, ``rand_like``, ...), and how Tensors and Variables are
rebuilt by pickle and ``copy``.

Each takes sizes as ints or one sequence, and the keywords ``dtype=``,
``device=`` and ``requires_grad=`` (True gives a leaf Variable); the default
dtypes are PyTorch's (``arange(5)`` and ``full([2], 7)`` are int64)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

from . import _flodl
from ._flodl import Tensor, Variable

if TYPE_CHECKING:
    import numpy as np

# numpy's kinds of numbers: bool, signed, unsigned, float, complex.
_NUMBER_KINDS = "biufc"


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A Tensor holding a copy of ``data``: a number, nested sequences of
    numbers (ints give int64, floats the default float dtype, bools bool, as
    ``torch.tensor``), a numpy array (its dtype is kept), or a Tensor or
    Variable (their values). ``dtype=`` and ``device=`` convert the result;
    ``requires_grad=True`` makes it a leaf Variable."""
    if isinstance(data, Variable):
        result = data.data.copy()
    elif isinstance(data, Tensor):
        result = data.copy()
    else:
        # With a dtype given, floats keep float64 until converted to it
        # (no rounding through float32 first).
        if dtype is not None:
            # Before the shape: PyTorch converts the first numbers first.
            _check_integral_target(data, dtype)
        # PyTorch's dtype for the items; numpy's where it has none to say.
        # Floats stay float64 until they are converted, once, to it.
        inferred = _inferred_dtype(data) if dtype is None else None
        array = _as_array(data)
        if dtype is not None and array.dtype.kind == "c" and not hasattr(data, "dtype"):
            target = _flodl.Tensor.zeros([0], dtype=dtype).dtype
            if not target.is_complex:  # its imaginary parts would be dropped
                raise TypeError(f"tensor: can't convert complex to {target.name}")
        if inferred == _flodl.DType.Int64 and array.dtype.kind not in "biu":
            # Only ints (and bools), yet numpy could not hold them in int64.
            raise _flodl.ArgumentError("tensor: an int does not fit in int64 (at most 2**63 - 1)")
        result = Tensor.from_numpy(array)
        if inferred is not None and inferred != result.dtype:
            result = result.to_dtype(inferred)
    if dtype is not None:
        result = result.to_dtype(dtype)
    if device is not None:
        result = result.to_device(device)
    return _leaf(result, requires_grad)


# The dtypes of Python's numbers in data, as PyTorch infers them (a float is
# the default float dtype, a complex its complex form).
_PYTHON_NUMBERS = {
    bool: _flodl.DType.Bool,
    int: _flodl.DType.Int64,
    float: "default",
    complex: "complex",
}


def _inferred_dtype(data: Any) -> Any:
    """``torch.tensor``'s dtype for ``data`` without ``dtype=``: the
    promotion (``promote_types``) of its items' dtypes, where a Python
    number has its dtype above, and a numpy array or scalar, a Tensor or a
    torch tensor its own. None for data of other items (numpy's conversion
    decides, or refuses)."""
    found = _number_dtype(type(data))
    if found is not None:
        return found
    if isinstance(data, (list, tuple)):
        if not data:
            return _flodl._default_dtype()
        import numpy as np

        kinds = set(map(type, data))  # at C speed: a row of numbers is one pass
        result, walked = None, set()
        for kind in kinds:
            # A number's dtype is its type's: Python's, or a numpy scalar's.
            if issubclass(kind, np.generic):
                found = _dtype_named(np.dtype(kind).name)
                if found is None:
                    return None
            elif (found := _number_dtype(kind)) is not None:
                pass
            else:
                walked.add(kind)  # containers and tensors: item by item
                continue
            result = found if result is None else _flodl.promote_types(result, found)
        for item in data:
            if type(item) in walked:
                found = _inferred_dtype(item)
                if found is None:
                    return None
                result = found if result is None else _flodl.promote_types(result, found)
        return result
    if isinstance(data, Tensor):
        return data.dtype
    dtype = getattr(data, "dtype", None)  # a numpy array or scalar, a torch tensor
    if dtype is None:
        return None
    return _dtype_named(str(dtype).rpartition(".")[2])


def _number_dtype(kind: type) -> Any:
    """The dtype of a Python number type (a subclass too: an int subclass
    is an int, as PyTorch reads it, but numpy's float64 keeps its own);
    None for another type."""
    found = _PYTHON_NUMBERS.get(kind)
    if (
        found is None
        and issubclass(kind, (bool, int, float, complex))
        and kind.__module__ != "numpy"
    ):
        found = next(v for k, v in _PYTHON_NUMBERS.items() if issubclass(kind, k))
    if found == "default":
        return _flodl._default_dtype()
    if found == "complex":
        return _flodl._default_dtype().to_complex()
    return found


def _dtype_named(name: str) -> Any:
    """flodl's dtype of a numpy or torch dtype name; None for one flodl lacks."""
    try:
        return _flodl.promote_types(name, name)
    except (TypeError, ValueError, _flodl.FlodlError):
        return None


def _leaf(values: Tensor, requires_grad: bool) -> Tensor:
    if type(requires_grad) is not bool and type(requires_grad).__name__ != "bool":  # numpy's
        raise TypeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
    return Variable(values, True) if requires_grad else values


class memory_format(str):
    """How a tensor's elements lie in memory, as ``torch.memory_format``:
    ``flodl.contiguous_format`` (row-major), ``flodl.preserve_format`` (as
    the source lies, for copies), ``flodl.channels_last`` (4-d, NHWC) and
    ``flodl.channels_last_3d`` (5-d, NDHWC). Ops that take
    ``memory_format=`` read its name."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"flodl.{str.__str__(self)}"

    __str__ = __repr__


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def _leaf_like(input: Tensor, values: Tensor, requires_grad: bool) -> Tensor:
    """A ``*_like`` result: of a Variable, a Variable that requires no grad
    (so that in-place writes of recorded values into it join the graph, as
    PyTorch's ``zeros_like(h).index_add_(0, i, msg)`` does)."""
    leaf = _leaf(values, requires_grad)
    if isinstance(input, Variable) and leaf is values:
        return Variable(values, False)
    return leaf


def _sizes(op: str, size: tuple[Any, ...]) -> list[Any]:
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` alike."""
    if len(size) == 1 and not isinstance(size[0], int) and hasattr(size[0], "__len__"):
        return list(size[0])
    return list(size)


def _default_float(dtype: Any) -> Any:
    return _flodl._default_dtype() if dtype is None else dtype


def _drawn(generator: Any, op: str, args: tuple[Any, ...], sizes: Any, probe: Tensor) -> Tensor:
    """``torch.<op>(*args, generator=generator)``: a draw from a generator of
    one's own (``flodl.Generator`` is torch's, on the same libtorch), shared
    as a flodl Tensor without a copy. ``probe`` is the same call of flodl's
    without the generator and with no elements: its checks (bounds, dtype,
    device) and typed errors come first, and its dtype and device are the
    draw's."""
    import torch

    for size in sizes:
        if size < 0:
            raise _flodl.ArgumentError(f"{op}: shape {list(sizes)} has a negative size {size}")
    dtype, device = getattr(torch, probe.dtype.name), str(probe.device)
    return Tensor.from_torch(
        getattr(torch, op)(*args, generator=generator, dtype=dtype, device=device)
    )


def _shaped(op: str, random: bool = False):
    make = getattr(Tensor, op)

    def create(
        *size: Any,
        generator: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **named: Any,
    ) -> Tensor:
        # `empty(..., memory_format=channels_last)`, as torch's.
        format = named.pop("memory_format", None) if op == "empty" else None
        # PyTorch also takes the sizes by name: `zeros(size=(2, 3))`.
        if named:
            if size or set(named) != {"size"}:
                unexpected = next(iter(set(named) - {"size"}), "size")
                raise TypeError(f"{op}() got an unexpected keyword argument {unexpected!r}")
            size = (named["size"],)
        dtype, sizes = _default_float(dtype), _sizes(op, size)
        if generator is not None:
            if not random:
                raise TypeError(f"{op}() got an unexpected keyword argument 'generator'")
            probe = make([0], dtype=dtype, device=device)
            values = _drawn(generator, op, (sizes,), sizes, probe)
        else:
            values = make(sizes, dtype=dtype, device=device)
        if format is not None:
            # Uninitialised memory either way: laid out anew, nothing copied.
            values = Tensor.empty_like(values, memory_format=format)
        return _leaf(values, requires_grad)

    create.__name__ = create.__qualname__ = op
    create.__doc__ = (
        f"``torch.{op}``: a Tensor of the given sizes (ints or one sequence), "
        "the default float dtype unless ``dtype=``; ``requires_grad=True`` gives a leaf Variable."
    )
    if random:
        create.__doc__ += " ``generator=``: a ``flodl.Generator`` to draw from."
    return create


zeros = _shaped("zeros")
ones = _shaped("ones")
empty = _shaped("empty")
rand = _shaped("rand", random=True)
randn = _shaped("randn", random=True)


def _like(op: str):
    make = getattr(Tensor, f"{op}_like")

    def create(
        input: Tensor,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        _check_tensor(f"{op}_like", input)
        values = make(input, dtype=dtype, device=device, memory_format=memory_format)
        return _leaf_like(input, values, requires_grad)

    create.__name__ = create.__qualname__ = f"{op}_like"
    create.__doc__ = (
        f"``torch.{op}_like``: a Tensor shaped like ``input``, of its dtype and device "
        "unless given (a Variable that requires no grad for a Variable), laid out as "
        "``input`` unless ``memory_format`` says otherwise."
    )
    return create


zeros_like = _like("zeros")
ones_like = _like("ones")
empty_like = _like("empty")
rand_like = _like("rand")
randn_like = _like("randn")


def _check_tensor(op: str, input: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a flodl Tensor, got {type(input).__name__}")


def _fill_dtype(value: Any) -> Any:
    """The dtype ``torch.full`` infers from its fill value."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return _flodl.DType.Bool
    if isinstance(value, (int, np.integer)):
        return _flodl.DType.Int64
    if isinstance(value, (complex, np.complexfloating)):
        return _flodl._default_dtype().to_complex()
    return _flodl._default_dtype()


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.full``: every element ``fill_value``; the dtype follows it
    (bool, int64, the default float dtype) unless given."""
    dtype = _fill_dtype(fill_value) if dtype is None else dtype
    return _leaf(
        Tensor.full(_sizes("full", (size,)), fill_value, dtype=dtype, device=device), requires_grad
    )


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """``torch.full_like``: shaped like ``input``, of its dtype and device
    unless given, laid out as ``input`` unless ``memory_format`` says."""
    _check_tensor("full_like", input)
    values = Tensor.full_like(
        input, fill_value, dtype=dtype, device=device, memory_format=memory_format
    )
    return _leaf_like(input, values, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.arange``: ``start, start + step, ...`` below ``end`` (from 0
    when only one bound is given); int64 when every bound is an int, else
    the default float dtype, unless ``dtype=``."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(
            isinstance(b, numbers.Integral) or _is_integral_tensor(b) for b in (start, end, step)
        )
        dtype = _flodl.DType.Int64 if integral else _flodl._default_dtype()
    values = Tensor.arange(start, end, step, dtype=dtype, device=device)
    return _leaf(values, requires_grad)


def _is_integral_tensor(value: Any) -> bool:
    return isinstance(value, Tensor) and not value.dtype.is_floating_point


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.linspace``: ``steps`` values from ``start`` to ``end``, both included."""
    values = Tensor.linspace(start, end, steps, dtype=_default_float(dtype), device=device)
    return _leaf(values, requires_grad)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.logspace``: ``base ** linspace(start, end, steps)``."""
    exponents = Tensor.linspace(start, end, steps, dtype="float64", device=device)
    values = exponents.rpow_scalar(base).to_dtype(_default_float(dtype))
    return _leaf(values, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.eye``: the ``n`` x ``m`` matrix (``m = n`` unless given) with
    ones on its diagonal."""
    values = Tensor.eye(n, m, dtype=_default_float(dtype), device=device)
    return _leaf(values, requires_grad)


def tril_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """``torch.tril_indices``: the ``[2, N]`` indices (rows, then columns) of
    a ``row`` x ``col`` matrix's entries on or below diagonal ``offset``;
    int64 unless ``dtype=``."""
    return _flodl._triangle_indices(False, row, col, offset, dtype, device)


def triu_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """``torch.triu_indices``: as ``tril_indices``, on or above diagonal ``offset``."""
    return _flodl._triangle_indices(True, row, col, offset, dtype, device)


def _window(
    name: str,
    window_length: int,
    periodic: bool,
    alpha: float,
    beta: float,
    dtype: Any,
    device: Any,
    requires_grad: bool,
) -> Tensor:
    values = _flodl._window(name, window_length, periodic, alpha, beta, dtype, device)
    return _leaf(values, requires_grad)


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.hann_window``: ``sin(pi n / N)^2`` over ``window_length``
    points (``N`` one more when ``periodic``, the last point left out)."""
    return _window("hann_window", window_length, periodic, 0.0, 0.0, dtype, device, requires_grad)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.hamming_window``: ``alpha - beta cos(2 pi n / N)``."""
    return _window(
        "hamming_window", window_length, periodic, alpha, beta, dtype, device, requires_grad
    )


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.bartlett_window``: the triangular window."""
    return _window(
        "bartlett_window", window_length, periodic, 0.0, 0.0, dtype, device, requires_grad
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.blackman_window``: ``0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)``."""
    return _window(
        "blackman_window", window_length, periodic, 0.0, 0.0, dtype, device, requires_grad
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.kaiser_window``: the Kaiser window of shape ``beta``."""
    return _window(
        "kaiser_window", window_length, periodic, 0.0, beta, dtype, device, requires_grad
    )


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.normal``: draws from ``N(mean, std**2)``, one per element of
    the broadcast ``mean`` and ``std`` when either is a Tensor (its dtype and
    device), or ``size`` of them when both are numbers; ``generator=``: a
    ``flodl.Generator`` to draw from. The draws are a Tensor that records no
    graph (torch's pass a zero gradient back to a ``mean`` or ``std`` that
    requires grad)."""
    tensors = [isinstance(m, Tensor) for m in (mean, std)]
    if any(tensors):
        if size is not None:
            raise TypeError("normal: size= goes with a number mean and std, not a tensor one")
        if generator is not None:
            import torch

            def torch_side(m: Any) -> Any:
                return m.detach().to_torch() if isinstance(m, Tensor) else m

            values = Tensor.from_torch(
                torch.normal(torch_side(mean), torch_side(std), generator=generator)
            )
        else:
            values = _flodl._normal(mean, std)
    else:
        if size is None:
            raise TypeError(
                "normal: with a number mean and std, give the shape: normal(mean, std, size)"
            )
        sizes = _sizes("normal", (size,))
        if generator is not None:
            probe = Tensor.zeros([0], dtype=_default_float(dtype), device=device)
            values = _drawn(generator, "normal", (float(mean), float(std), sizes), sizes, probe)
        else:
            values = _flodl._normal(mean, std, sizes, _default_float(dtype), device)
    if dtype is not None:
        values = values.to_dtype(dtype)
    if device is not None:
        values = values.to_device(device)
    return _leaf(values, requires_grad)


def randint(
    *args: Any,
    low: Any = None,
    high: Any = None,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.randint(low=0, high, size)``: integers drawn uniformly from
    ``[low, high)``, int64 unless ``dtype=``; ``randint(high, size)`` too;
    ``generator=``: a ``flodl.Generator`` to draw from."""
    # PyTorch also takes the bounds by name: `randint(low=2, high=5, size=(4,))`.
    if low is not None and high is None and not args:
        raise TypeError("randint: low= needs high= (randint(low=0, high, size))")
    if low is not None:
        args = (low, *args)
    if high is not None:
        args = (*args, high)
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError(
            f"randint: takes (high, size) or (low, high, size), got {len(args)} arguments"
        )
    sizes = _sizes("randint", (size,))
    if generator is not None:
        probe = Tensor.randint(low, high, [0], dtype=dtype, device=device)
        values = _drawn(generator, "randint", (low, high, sizes), sizes, probe)
    else:
        values = Tensor.randint(low, high, sizes, dtype=dtype, device=device)
    return _leaf(values, requires_grad)


def randint_like(
    input: Tensor,
    *bounds: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """``torch.randint_like(input, low=0, high)``: integers from ``[low,
    high)`` shaped like ``input``, of its dtype and device unless given."""
    _check_tensor("randint_like", input)
    if len(bounds) == 1:
        low, high = 0, bounds[0]
    elif len(bounds) == 2:
        low, high = bounds
    else:
        raise TypeError(
            f"randint_like: takes (input, high) or (input, low, high), got {len(bounds) + 1} arguments"
        )
    values = Tensor.randint_like(
        input, low, high, dtype=dtype, device=device, memory_format=memory_format
    )
    return _leaf_like(input, values, requires_grad)


def randperm(
    n: int,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.randperm``: a random permutation of ``0 .. n-1``, int64 unless
    ``dtype=``; ``generator=``: a ``flodl.Generator`` to draw from."""
    if generator is not None:
        probe = Tensor.randperm(0, dtype=dtype, device=device)
        values = _drawn(generator, "randperm", (n,), [n], probe)
    else:
        values = Tensor.randperm(n, dtype=dtype, device=device)
    return _leaf(values, requires_grad)


def from_numpy(array: Any) -> Tensor:
    """``torch.from_numpy``: a Tensor sharing the array's memory and dtype."""
    return Tensor.from_numpy(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``torch.as_tensor``: ``data`` itself when it is a Tensor of this
    dtype and device, a numpy array's memory shared when it can be, else a
    copy as ``tensor(data)``."""
    import numpy as np

    if isinstance(data, Tensor):
        result = data
    elif isinstance(data, np.ndarray) and data.dtype.kind in _NUMBER_KINDS:
        result = Tensor.from_numpy(data)
    else:
        return tensor(data, dtype, device)
    if dtype is not None:
        result = result.to_dtype(dtype)
    if device is not None:
        result = result.to_device(device)
    return result


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.asarray``: ``obj`` (a tensor, a numpy array, numbers or
    nested sequences) as a Tensor, sharing its memory when it can (as
    ``as_tensor``); ``copy=True`` always copies, ``copy=False`` refuses
    to (an ArgumentError where a copy is needed)."""
    if copy:
        result = tensor(obj, dtype, device)
    else:
        result = as_tensor(obj, dtype, device)
        if copy is False and not _shares(obj, result):
            raise _flodl.ArgumentError(
                f"asarray: copy=False, but {type(obj).__name__} data must be copied into a tensor"
            )
    return _leaf(result, requires_grad)


def _shares(obj: Any, result: Tensor) -> bool:
    """Whether ``result`` is ``obj``'s own memory."""
    import numpy as np

    if isinstance(obj, Tensor):
        return result.data_ptr() == obj.data_ptr()
    if isinstance(obj, np.ndarray):
        return obj.size == 0 or result.data_ptr() == obj.__array_interface__["data"][0]
    return False


def scalar_tensor(
    s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``torch.scalar_tensor``: a 0-d tensor of ``s``, of the default float dtype unless ``dtype=``."""
    return _leaf(tensor(s, _default_float(dtype), device), requires_grad)


def _as_array(data: Any) -> np.ndarray:
    # numpy is imported on first use: `import flodl` stays light, and
    # numpy's BLAS threads do not start until something needs numpy.
    import numpy as np

    if isinstance(data, np.ndarray):
        array = data.copy()  # tensor() copies, as torch.tensor (from_numpy shares)
    elif isinstance(data, np.generic):
        array = np.asarray(data)  # a numpy scalar keeps its dtype, as in PyTorch
    else:
        data = _tensor_items_as_numbers(data)
        try:
            try:
                array = np.asarray(data)
            except _flodl.DTypeError:
                # bfloat16 tensors among the items, which numpy cannot hold:
                # as float32 (exact), converted back by the caller.
                array = np.asarray(_without_bfloat16(data))
        except ValueError as e:  # ragged nesting
            raise _flodl.ShapeError(f"tensor: the nested sequences are not rectangular ({e})")
        except OverflowError:  # an int beyond 64 bits
            raise _flodl.ArgumentError("tensor: an int does not fit in int64") from None
        if (array.dtype.kind == "u" and array.dtype.itemsize == 8) or (
            array.dtype.kind == "O" and _has_huge_int(data)
        ):
            # numpy makes ints in [2**63, 2**64) uint64 and larger ones
            # objects; PyTorch's ints are int64.
            raise _flodl.ArgumentError("tensor: an int does not fit in int64 (at most 2**63 - 1)")
    if array.dtype.kind not in _NUMBER_KINDS:
        raise TypeError(f"tensor: expected numbers, got {type(data).__name__} of {array.dtype}")
    return array


def _tensor_items_as_numbers(data: Any) -> Any:
    """``data`` with each Tensor inside its sequences replaced by its one
    number, as ``torch.tensor`` reads a list of tensors (``[t(1.0), t([2.0])]``
    is ``[1.0, 2.0]``: shape ``[2]``, whatever each tensor's shape); their
    dtypes were read before. A tensor of several numbers there is a
    ShapeError (a ValueError, as torch's). Rows of plain numbers are passed
    over at C speed."""
    if not isinstance(data, (list, tuple)):
        return data
    kinds = set(map(type, data))
    if not any(issubclass(k, (Tensor, list, tuple)) for k in kinds):
        return data
    converted = []
    for item in data:
        if isinstance(item, Tensor):
            if item.numel() != 1:
                raise _flodl.ShapeError(
                    "tensor: only one element tensors can be converted to Python scalars "
                    f"(got a tensor of shape {list(item.shape)} among the items)"
                )
            item = item.item()
        converted.append(_tensor_items_as_numbers(item))
    return converted


def _without_bfloat16(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        return [_without_bfloat16(item) for item in data]
    if isinstance(data, Tensor) and data.dtype == _flodl.DType.BFloat16:
        return data.detach().to_dtype(_flodl.DType.Float32)
    return data


def _check_integral_target(data: Any, dtype: Any) -> None:
    """PyTorch's checks of Python numbers made integers or bools by
    ``dtype=``, element by element in order, as PyTorch converts them: a
    value out of an integer dtype's range (a float below 0 for uint8, an int
    above 255; a negative int wraps, as in PyTorch) or nan is an
    ArgumentError; numpy's float32/float16 scalars (and its bools, but for
    dtype bool) a TypeError, since PyTorch asks them for ``__index__``. A
    numpy array converts as numpy casts it."""
    import numpy as np

    target = _flodl.Tensor.zeros([0], dtype=dtype).dtype
    if target.is_floating_point or target.is_complex or isinstance(data, np.ndarray):
        return
    is_bool = target.name == "bool"

    def refused(kind: type) -> bool:
        numpy_number = issubclass(kind, (np.bool_, np.floating)) and not issubclass(kind, float)
        return numpy_number and not (is_bool and issubclass(kind, np.bool_))

    leaves, kinds = _leaves(data)
    if is_bool and not any(map(refused, kinds)):
        return
    limits = None if is_bool else np.iinfo(target.name)
    # Ints wrap into an unsigned dtype from below (two's complement).
    int_floor = -int(limits.max) if limits is not None and limits.min == 0 else None

    def fits(item: Any) -> bool:
        if limits is None or isinstance(item, (bool, np.bool_)):
            return True
        if isinstance(item, (float, np.floating)):
            return bool(limits.min <= item <= limits.max)  # False for nan
        if isinstance(item, (int, np.integer)):
            floor = int(limits.min) if int_floor is None else int_floor
            return floor <= int(item) <= int(limits.max)
        return True  # not a number: tensor() refuses it later

    if limits is not None and kinds <= {int, float, bool}:
        # Python numbers only: every failure is a range error, so numpy can
        # find the first one (exact comparisons on the objects themselves).
        values = np.asarray(leaves, dtype=object)
        low = np.where(
            [k is float for k in map(type, values)] if int_floor is not None else False,
            int(limits.min),
            int(limits.min) if int_floor is None else int_floor,
        )
        with np.errstate(invalid="ignore"):  # nan compares False: out of range
            ok = np.asarray((values >= low) & (values <= int(limits.max)), dtype=bool)
        if ok.all():
            return
        leaves = values[np.flatnonzero(~ok)[:1]]
    # In order: the first leaf PyTorch would refuse decides the error.
    for item in leaves:
        if refused(type(item)):
            raise TypeError(
                f"tensor: a numpy {type(item).__name__} cannot be made {target.name} "
                "(as in PyTorch: use a Python number or a numpy array)"
            )
        if not fits(item):
            raise _flodl.ArgumentError(
                f"tensor: {item!r} cannot be converted to {target.name} without overflow"
            )


def _leaves(data: Any) -> tuple[Any, set[type]]:
    """The numbers of nested sequences, depth first and left to right, and
    their types. numpy flattens them at C speed (tensors among them become
    their numbers); ragged sequences, whose rows numpy keeps as lists, are
    walked in Python."""
    import numpy as np

    flat = np.array(data, dtype=object).ravel()
    kinds = set(map(type, flat))
    if list in kinds or tuple in kinds:
        walked, pending = [], [data]
        while pending:
            item = pending.pop()
            if isinstance(item, (list, tuple)):
                pending.extend(reversed(item))
            else:
                walked.append(item)
        flat, kinds = walked, set(map(type, walked))
    return flat, kinds


def _has_huge_int(data: Any) -> bool:
    leaves, kinds = _leaves(data)
    return int in kinds and any(type(x) is int and not -(2**63) <= x < 2**63 for x in leaves)


def _deepcopy(
    obj: Tensor | Variable, memo: dict[Any, Any] | None, with_grad: bool = True
) -> Tensor | Variable:
    """``copy.deepcopy`` of a Tensor or Variable, as PyTorch's: new memory,
    copied once per memory so views of one memory stay views of one copy; a
    Variable keeps requires_grad and its grad is copied too (not a
    Parameter's: ``with_grad`` False, as torch's); a Variable an op made
    (not a leaf) cannot be copied."""
    if memo is None:
        memo = {}
    elif not isinstance(memo, dict):
        raise TypeError(f"deepcopy: memo is a dict, got {type(memo).__name__}")
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, Variable):
        if not obj.is_leaf:
            raise _flodl.AutogradError(
                "deepcopy: only Variables you made (graph leaves) can be deep-copied, as in "
                "PyTorch; copy its detach() instead"
            )
        result = type(obj)(_deepcopy_values(obj.data, memo), obj.requires_grad)
        grad = obj.grad if with_grad else None
        if grad is not None:
            result.grad = _deepcopy(grad, memo)
            # Each .grad is a new wrapper: the memo keeps it alive (as
            # copy.deepcopy keeps what it copied), or its id could be reused
            # by the next one and that one given this copy.
            memo.setdefault(id(memo), []).append(grad)
    else:
        result = _deepcopy_values(obj, memo)
    memo[id(obj)] = result
    return result


def _deepcopy_values(values: Tensor, memo: dict[Any, Any]) -> Tensor:
    storage, _, offset, strides = values._storage_info()
    key = ("flodl storage", storage, values.dtype.name, values.device.__str__())
    copied = memo.get(key)
    if copied is None:
        copied = memo[key] = values._storage_copy()
    return Tensor._view_of(copied, list(values.shape), strides, offset)


def _rebuild_tensor(values: np.ndarray, dtype: str, device: str) -> Tensor:
    return Tensor.from_numpy(values).to_dtype(dtype).to_device(device)


def _rebuild_variable(values: np.ndarray, dtype: str, device: str, requires_grad: bool) -> Variable:
    return Variable(_rebuild_tensor(values, dtype, device), requires_grad)


def _legacy_tensor(dtype: Any, *args: Any, device: Any = None) -> Tensor:
    """PyTorch's legacy constructors, ``torch.Tensor(...)`` and
    ``torch.FloatTensor(...)``: from data (a sequence, a numpy array, a
    tensor) converted to ``dtype``, or from sizes (``Tensor(2, 3)``, a
    ``Size``) uninitialized; no argument gives an empty tensor."""
    import builtins

    from ._size import Size

    if not args:
        return empty(0, dtype=dtype, device=device)
    if builtins.all(isinstance(a, builtins.int) and not isinstance(a, bool) for a in args):
        return empty(*args, dtype=dtype, device=device)
    if len(args) == 1 and isinstance(args[0], Size):
        return empty(*args[0], dtype=dtype, device=device)
    if len(args) == 1:
        return tensor(args[0], dtype=dtype, device=device)
    raise TypeError(
        "Tensor(): takes one sequence, array or tensor of data, or sizes as ints, got "
        + ", ".join(type(a).__name__ for a in args)
    )


class _LegacyTensorType(type):
    """The type of ``flodl.FloatTensor`` and its kin, as torch's: calling
    one makes a Tensor of its dtype (the legacy constructors), and
    ``isinstance(x, flodl.FloatTensor)`` holds for a CPU Tensor (or
    Variable) of that dtype."""

    dtype: Any

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        return _legacy_tensor(cls.dtype, *args, device=device)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.device.type == "cpu"


def _legacy_class(name: str, dtype: Any) -> Any:
    doc = f"``torch.{name}(...)``: a {dtype.name} Tensor from data or sizes."
    return _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "flodl"})


FloatTensor = _legacy_class("FloatTensor", _flodl.DType.Float32)
DoubleTensor = _legacy_class("DoubleTensor", _flodl.DType.Float64)
HalfTensor = _legacy_class("HalfTensor", _flodl.DType.Float16)
BFloat16Tensor = _legacy_class("BFloat16Tensor", _flodl.DType.BFloat16)
LongTensor = _legacy_class("LongTensor", _flodl.DType.Int64)
IntTensor = _legacy_class("IntTensor", _flodl.DType.Int32)
ShortTensor = _legacy_class("ShortTensor", _flodl.DType.Int16)
CharTensor = _legacy_class("CharTensor", _flodl.DType.Int8)
ByteTensor = _legacy_class("ByteTensor", _flodl.DType.UInt8)
BoolTensor = _legacy_class("BoolTensor", _flodl.DType.Bool)
