"""``torch.nn.modules`` and its submodules (``loss``, ``conv``,
``batchnorm``, ``module``, ...), for programs that import flodl's classes
by those paths (``from torch.nn.modules.loss import _Loss``). Each
submodule holds the ``flodl.nn`` classes of torch's submodule of that name
(torch's own layout, read once: torch is installed beside flodl), and the
bases programs subclass (``_Loss``, ``_WeightedLoss``, ``_BatchNorm``,
``_ConvNd``, ``_InstanceNorm``)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from typing import Any

import torch.nn.modules as _torch_modules

from .. import __all__ as _nn_names
from .. import container, extra, layers, loss
from .. import module as _module

_nn = sys.modules[__name__.rsplit(".", 1)[0]]

# Bases torch programs subclass, by torch's submodule.
_BASES = {
    "loss": {"_Loss": loss._Loss, "_WeightedLoss": loss._WeightedLoss},
    "batchnorm": {"_BatchNorm": layers._BatchNorm},
    "conv": {"_ConvNd": layers._ConvNd},
    "instancenorm": {"_InstanceNorm": extra._InstanceNorm},
    "module": {"Module": _module.Module},
    "container": {"Sequential": container.Sequential},
}


def _tuple_of(n: int, name: str) -> Any:
    def parse(x: Any) -> tuple[Any, ...]:
        if isinstance(x, Iterable) and not isinstance(x, str):
            return tuple(x)
        return (x,) * n

    parse.__name__ = name
    return parse


_UTILS = {
    "_single": _tuple_of(1, "_single"),
    "_pair": _tuple_of(2, "_pair"),
    "_triple": _tuple_of(3, "_triple"),
    "_quadruple": _tuple_of(4, "_quadruple"),
}

__all__: list[str] = []
for _name in sorted(vars(_torch_modules)):
    _torch_sub = getattr(_torch_modules, _name)
    if not isinstance(_torch_sub, types.ModuleType) or not _torch_sub.__name__.startswith(
        "torch.nn.modules."
    ):
        continue
    _sub = types.ModuleType(f"{__name__}.{_name}", f"torch.nn.modules.{_name}'s flodl classes")
    for _attr in getattr(_torch_sub, "__all__", ()):
        if _attr in _nn_names:
            setattr(_sub, _attr, getattr(_nn, _attr))
    for _attr, _value in {**_BASES.get(_name, {}), **(_UTILS if _name == "utils" else {})}.items():
        setattr(_sub, _attr, _value)
    sys.modules[_sub.__name__] = _sub
    globals()[_name] = _sub
    __all__.append(_name)

# The classes themselves, as `torch.nn.modules.Linear`.
for _attr in _nn_names:
    _value = getattr(_nn, _attr)
    if isinstance(_value, type):
        globals()[_attr] = _value
        __all__.append(_attr)
