"""``flodl.testing``, as ``torch.testing``: ``assert_close`` compares
tensors (and numbers, sequences and mappings of them) with PyTorch's
default tolerances per dtype and PyTorch's report of what differs; the
comparison itself is flodl's ``isclose``."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Number
from typing import Any

from . import _flodl
from ._flodl import Tensor

__all__ = ["assert_close"]

# (rtol, atol) by dtype, PyTorch's defaults; exact for the others.
_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Raises ``AssertionError`` unless ``actual`` and ``expected`` are close:
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise (NaNs
    equal with ``equal_nan``), of the same shape, and (unless turned off)
    the same dtype and device. Without ``rtol``/``atol`` each dtype takes
    PyTorch's defaults (float32: 1.3e-6 and 1e-5; integers: exact).
    Sequences and mappings are compared item by item (``None`` equals
    ``None``), as torch's; ``msg`` replaces the report (a callable gets the
    report and returns the message)."""
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}."
        )
    _compare(actual, expected, (), rtol, atol, equal_nan, check_device, check_dtype, msg)


def _compare(actual, expected, path, rtol, atol, equal_nan, check_device, check_dtype, msg):
    def fail(report: str) -> None:
        if path:
            report += f"\n\nThe failure occurred for item {''.join(str([p]) for p in path)}"
        if callable(msg):
            report = msg(report)
        elif msg is not None:
            report = msg
        raise AssertionError(report)

    if actual is None and expected is None:
        return
    if isinstance(actual, Tensor) or isinstance(expected, Tensor):
        if not (isinstance(actual, Tensor) and isinstance(expected, Tensor)):
            _unsupported(actual, expected)
        _tensors(actual, expected, fail, rtol, atol, equal_nan, check_device, check_dtype)
    elif isinstance(actual, Number) and isinstance(expected, Number):
        _numbers(actual, expected, fail, rtol, atol, equal_nan, check_dtype)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(map(str, set(expected) - set(actual)))
            extra = sorted(map(str, set(actual) - set(expected)))
            fail(
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {missing}\n"
                f"Extra keys in the actual mapping: {extra}"
            )
        for key in expected:
            _compare(
                actual[key],
                expected[key],
                (*path, key),
                rtol,
                atol,
                equal_nan,
                check_device,
                check_dtype,
                msg,
            )
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, (*path, i), rtol, atol, equal_nan, check_device, check_dtype, msg)
    else:
        _unsupported(actual, expected)


def _unsupported(actual: Any, expected: Any) -> None:
    raise TypeError(
        f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
    )


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _tolerances(dtypes: list[str], rtol: float | None, atol: float | None) -> tuple[float, float]:
    if rtol is not None and atol is not None:
        return rtol, atol
    pairs = [_TOLERANCES.get(d.rsplit(".", 1)[-1], (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _report(identifier: str, extra: str, diffs: list[tuple], rtol: float, atol: float) -> str:
    """PyTorch's mismatch report: the header, ``extra``, then the absolute
    and relative differences (with where, and the tolerance unless exact)."""
    equality = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if equality else 'close'}!", "", extra]
    for kind, diff, index, tol in diffs:
        line = (
            f"{kind.title()} difference: {diff}"
            if index is None
            else f"Greatest {kind} difference: {diff} at index {index}"
        )
        lines.append(line if equality else f"{line} (up to {tol} allowed)")
    return "\n".join(lines)


def _scalar_report(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    difference = abs(actual - expected)
    relative = math.inf if expected == 0 else difference / abs(expected)
    diffs = [("absolute", difference, None, atol), ("relative", relative, None, rtol)]
    return _report("Scalars", f"Expected {expected} but got {actual}.", diffs, rtol, atol)


def _numbers(actual, expected, fail, rtol, atol, equal_nan, check_dtype) -> None:
    if check_dtype and type(actual) is not type(expected):
        fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    kinds = [
        "complex128" if isinstance(v, complex) else "float64" if isinstance(v, float) else "int64"
        for v in (actual, expected)
    ]
    rtol, atol = _tolerances(kinds, rtol, atol)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    difference = abs(actual - expected)
    if math.isfinite(difference) and difference <= atol + rtol * abs(expected):
        return
    fail(_scalar_report(actual, expected, rtol, atol))


def _tensors(actual, expected, fail, rtol, atol, equal_nan, check_device, check_dtype):
    actual, expected = actual.detach(), expected.detach()
    checked = ["shape"] + (["device"] if check_device else []) + (["dtype"] if check_dtype else [])
    for attribute in checked:
        a, e = getattr(actual, attribute), getattr(expected, attribute)
        if a != e:
            fail(f"The values for attribute '{attribute}' do not match: {a} != {e}.")
    rtol, atol = _tolerances([str(actual.dtype), str(expected.dtype)], rtol, atol)
    if actual.device != expected.device:
        actual = actual.to(expected.device)
    common = _flodl.promote_types(actual.dtype, expected.dtype)
    actual, expected = actual.to(common), expected.to(common)
    matches = actual.isclose(expected, rtol, atol, equal_nan)
    if matches.all().item():
        return
    if actual.dim() == 0:
        fail(_scalar_report(actual.item(), expected.item(), rtol, atol))
    fail(_tensor_report(actual, expected, matches, rtol, atol))


def _tensor_report(actual: Tensor, expected: Tensor, matches: Tensor, rtol, atol) -> str:
    from . import int64

    total = matches.numel()
    wrong = total - int(matches.sum().item())
    extra = f"Mismatched elements: {wrong} / {total} ({wrong / total:.1%})"
    a, e, same = actual.reshape(-1), expected.reshape(-1), matches.reshape(-1)
    if not a.dtype.is_floating_point and not a.dtype.is_complex:
        a, e = a.to(int64), e.to(int64)
    absolute = (a - e).abs().masked_fill(same, 0)
    relative = (absolute / e.abs()).masked_fill(same, 0)
    diffs = []
    for kind, values, tol in (("absolute", absolute, atol), ("relative", relative, rtol)):
        greatest, where = values.max(0)
        diffs.append((kind, greatest.item(), _unravel(int(where.item()), matches.shape), tol))
    return _report("Tensor-likes", extra, diffs, rtol, atol)


def _unravel(flat: int, shape: Any) -> tuple[int, ...]:
    index = []
    for size in reversed(list(shape)):
        flat, position = divmod(flat, size)
        index.append(position)
    return tuple(reversed(index))
