"""``torch.nn.utils.weight_norm`` and ``remove_weight_norm``: a parameter
split into its direction ``<name>_v`` and its norm ``<name>_g`` (per slice
of ``dim``), the weight recomputed from them before each forward. The
computation is Rust's (``norm_except_dim``, ``weight_norm_from``)."""

from __future__ import annotations

from typing import Any

from ..._flodl import ArgumentError
from ..parameter import Parameter

__all__ = ["WeightNorm", "remove_weight_norm", "weight_norm"]


class WeightNorm:
    """The forward pre-hook ``weight_norm`` registers, as torch's: it sets
    ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Any) -> Any:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v.weight_norm_from(g, self.dim)

    @staticmethod
    def apply(module: Any, name: str, dim: int | None) -> WeightNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise ArgumentError(
                    f"weight_norm: cannot register two weight_norm hooks on the same "
                    f"parameter {name}"
                )
        if name not in module._parameters or module._parameters[name] is None:
            raise ArgumentError(f"weight_norm: {type(module).__name__} has no parameter {name!r}")
        fn = WeightNorm(name, -1 if dim is None else dim)
        weight = module._parameters.pop(name)
        module.register_parameter(name + "_g", Parameter(weight.data.norm_except_dim(2, fn.dim)))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Any) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Any, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Any, name: str = "weight", dim: int | None = 0) -> Any:
    """Splits ``module.<name>`` into ``<name>_g`` (its norm over every dim
    but ``dim``; over all of them when ``dim`` is None) and ``<name>_v`` (its
    direction), as ``torch.nn.utils.weight_norm``; returns the module."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Any, name: str = "weight") -> Any:
    """Joins ``<name>_g`` and ``<name>_v`` back into the parameter
    ``<name>``, as ``torch.nn.utils.remove_weight_norm``."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ArgumentError(f"remove_weight_norm: weight_norm of {name!r} not found in {module}")
