"""``torch.nn.utils.parametrize``: a parameter or buffer computed from
others each time it is read (``register_parametrization``), as PyTorch
keeps it: the module's class becomes ``Parametrized<Class>`` with a
property for the name, the tensors live in
``module.parametrizations[name]`` (``original``, or ``original0``, ... when
``right_inverse`` returns several), so the state dict has PyTorch's keys.
This file is object model only: what a parametrization computes is the
parametrization module's own forward."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from typing import Any

from ... import _grad_mode
from ..._flodl import ArgumentError, Tensor, Variable
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]

# The values read inside `cached()`, by (module id, name), and how many
# `cached()` blocks are open.
_cache: dict[tuple[int, str], Any] = {}
_cache_depth = 0


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Within the block, each parametrized tensor is computed once, on its
    first read, and that value is reused (as torch's ``parametrize.cached``)."""
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if _cache_depth == 0:
            _cache.clear()


def _register(module: Module, name: str, value: Any) -> None:
    """``value`` as a parameter of ``module`` when it is a Parameter, else as a buffer."""
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_in_place(original: Any, value: Any) -> None:
    """``original`` takes ``value``'s values (and shape), keeping its identity
    (an optimizer holding it sees the new values)."""
    if value is original:
        return
    data = value.data if isinstance(value, Variable) else value
    if isinstance(original, Variable):
        original.data = data.detach()
    elif tuple(original.shape) == tuple(data.shape):
        original.copy_(data)
    else:
        raise ArgumentError(
            f"parametrize: a buffer of shape {tuple(original.shape)} cannot take a value "
            f"of shape {tuple(data.shape)}"
        )


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the
    ``original`` tensor(s) they start from."""

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ArgumentError("ParametrizationList: expected at least one parametrization")
        super().__init__(modules)
        self.unsafe = unsafe
        with _grad_mode.no_grad():
            new: Any = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass  # as torch's: the original is kept as it is
        if not isinstance(new, (Tensor, Sequence)):
            raise TypeError(
                "register_parametrization: right_inverse must return a Tensor or a sequence "
                f"of Tensors, got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ArgumentError(
                    "register_parametrization: right_inverse may not change the dtype, "
                    f"got {new.dtype} for {original.dtype}"
                )
            _set_in_place(original, new)
            _register(self, "original", original)
        else:
            for i, value in enumerate(new):
                if not isinstance(value, Tensor):
                    raise TypeError(
                        "register_parametrization: right_inverse must return Tensors, "
                        f"got {type(value).__name__} at {i}"
                    )
                if isinstance(original, Parameter):
                    value = Parameter(value.detach(), original.requires_grad)
                _register(self, f"original{i}", value)
        if not unsafe:
            self._check(original)

    def _check(self, original: Tensor) -> None:
        """The parametrized value has the original's shape and dtype (torch's
        check, which ``unsafe=True`` skips)."""
        value = self()
        if not isinstance(value, Tensor):
            raise TypeError(
                f"register_parametrization: a parametrization must return a Tensor, "
                f"got {type(value).__name__}"
            )
        if value.dtype != original.dtype or tuple(value.shape) != tuple(original.shape):
            raise ArgumentError(
                "register_parametrization: the parametrization changes the tensor from "
                f"{tuple(original.shape)} {original.dtype} to {tuple(value.shape)} "
                f"{value.dtype}; pass unsafe=True to allow it"
            )

    def right_inverse(self, value: Tensor) -> None:
        """Sets the original tensor(s) from a value of the parametrized tensor
        (``module.<name> = value``), through each ``right_inverse`` in reverse."""
        with _grad_mode.no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
                else:
                    raise ArgumentError(
                        f"parametrization {type(module).__name__} has no right_inverse: "
                        "the parametrized tensor cannot be assigned"
                    )
            if self.is_tensor:
                _set_in_place(self.original, value)
            else:
                for i, part in enumerate(value):
                    _set_in_place(getattr(self, f"original{i}"), part)

    def forward(self) -> Any:
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _parametrized_class(module: Module) -> None:
    """Gives ``module`` a class of its own, ``Parametrized<Class>``, to hold
    the properties of its parametrized names."""
    cls = type(module)

    def __getstate__(self: Any) -> Any:
        raise TypeError(
            "a parametrized module cannot be pickled: save its state_dict() "
            "(flodl.save(module.state_dict(), path)) instead"
        )

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        # What pickling would do, without pickling (which is refused):
        # a copy of the same class with every attribute deep-copied.
        copied = self.__class__.__new__(self.__class__)
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            object.__setattr__(copied, name, copy.deepcopy(value, memo))
        return copied

    namespace: dict[str, Any] = {"__getstate__": __getstate__}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = __deepcopy__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _add_property(module: Module, name: str) -> None:
    def get(self: Any) -> Any:
        parametrization = self.parametrizations[name]
        if _cache_depth == 0:
            return parametrization()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def set(self: Any, value: Any) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(type(module), name, property(get, set))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, when given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Makes ``module.<tensor_name>`` (a parameter or buffer) the output of
    ``parametrization`` on the original tensor, read each time it is used;
    a second call on the same name chains another parametrization. The
    original is kept as ``module.parametrizations.<tensor_name>.original``
    (the same object, so an optimizer made before still holds it)."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        parametrizations = module.parametrizations[tensor_name]
        if not unsafe:
            value = getattr(module, tensor_name)
            output = parametrization(value)
            if not isinstance(output, Tensor) or tuple(output.shape) != tuple(value.shape):
                raise ArgumentError(
                    f"register_parametrization: {type(parametrization).__name__} changes "
                    f"the shape of {tensor_name}; pass unsafe=True to allow it"
                )
        parametrizations.append(parametrization)
        parametrizations.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ArgumentError(
            f"register_parametrization: {module._get_name()} has no parameter or buffer "
            f"named {tensor_name!r}"
        )
    original = getattr(module, tensor_name)
    if original is None:
        raise ArgumentError(f"register_parametrization: {tensor_name} is None")
    parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _parametrized_class(module)
        module.parametrizations = ModuleDict()
    _add_property(module, tensor_name)
    module.parametrizations[tensor_name] = parametrizations
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Removes the parametrizations of ``tensor_name``: it becomes a plain
    parameter (or buffer) again, holding its current parametrized value
    (``leave_parametrized``) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ArgumentError(
            f"remove_parametrizations: {module._get_name()} has no parametrization on "
            f"{tensor_name!r}"
        )
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with _grad_mode.no_grad():
                value = getattr(module, tensor_name)
            _set_in_place(original, value)
    else:
        if not leave_parametrized:
            raise ArgumentError(
                "remove_parametrizations: a tensor parametrized by several originals "
                "can only be left parametrized (leave_parametrized=True)"
            )
        value = getattr(module, tensor_name)  # with its graph: does any original train?
        requires_grad = value.requires_grad
        original = Parameter(value.detach(), requires_grad) if requires_grad else value.detach()
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The class ``module`` had before it was parametrized."""
    if is_parametrized(module):
        return type(module).__bases__[0]
    return type(module)
