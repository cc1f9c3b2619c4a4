"""``Module``, the base class of layers and models, as ``torch.nn.Module``."""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from typing_extensions import Self

from .. import _flodl
from .._flodl import (
    ArgumentError,
    Device,
    DType,
    Tensor,
    Variable,
    _is_torch_tensor,
    is_grad_enabled,
)
from .._grad_mode import no_grad
from . import _hooks
from .parameter import Buffer, Parameter

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T", bound="Module")


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the ones it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


_EXTRA_STATE = "_extra_state"


class _Loading:
    """One ``load_state_dict``: what each module's ``_load_from_state_dict``
    found, applied once every module is checked."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name
        self.missing: list[str] = []
        self.unexpected: list[str] = []
        self.misshaped: list[tuple[str, list[int], list[int]]] = []
        self.not_tensors: list[tuple[str, str]] = []
        # (module, name, is_parameter, value, assign)
        self.copies: list[tuple[Any, str, bool, Tensor, bool]] = []
        self.extra_states: list[tuple[Any, Any]] = []

    def finish(self, error_msgs: list[str], strict: bool) -> None:
        """Raises the ArgumentError listing every problem, or copies."""
        error = _flodl._state_dict_error(
            self.module_name,
            self.missing,
            self.unexpected,
            self.misshaped,
            self.not_tensors,
            error_msgs,
        )
        if error is not None:
            raise error
        with no_grad():
            for module, name, is_param, value, assign in self.copies:
                if is_param:
                    param = module._parameters[name]
                    if assign:
                        param.data = value
                    else:
                        param.data.copy_(value)
                elif assign:
                    module._buffers[name] = value
                else:
                    module._buffers[name].copy_(value)
        for module, state in self.extra_states:
            module.set_extra_state(state)


# The load_state_dict in progress on this thread, if any.
_LOADING: ContextVar[_Loading | None] = ContextVar("flodl_load_state_dict", default=None)


class _HookHandle:
    """Removes a forward hook from its module's table."""

    _next_id = itertools.count()

    def __init__(self, table: dict[int, Callable[..., Any]]) -> None:
        self._table = table
        self.id = next(_HookHandle._next_id)

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _add_indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _shape(value: Any) -> list[int]:
    return list(value.shape)


def _is_floating(t: Tensor | Variable) -> bool:
    return t.dtype.is_floating_point


def _as_dtype(value: Any) -> DType:
    if isinstance(value, DType):
        return value
    return Tensor.empty([0], dtype=value).dtype


def _is_device_name(value: str) -> bool:
    try:
        Device.parse(value)
    except ArgumentError:
        return False
    return True


def _parse_to_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, DType | None]:
    """Device and dtype of ``Module.to``'s arguments, as ``Tensor.to`` takes them."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, (Tensor, Variable)):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, Device) or isinstance(arg, str) and _is_device_name(arg):
            device = arg
        elif arg is not None:
            dtype = arg
    if dtype is not None:
        dtype = _as_dtype(dtype)
        if not (dtype.is_floating_point or dtype.is_complex):
            raise ArgumentError(
                f"Module.to only accepts floating point or complex dtypes, got {dtype.name}"
            )
    return device, dtype


class Module:
    """Base class of layers and models. Attributes that are Parameters or
    Modules are registered (in assignment order); ``register_buffer`` adds
    state that is not a parameter. Subclasses define ``forward``; calling the
    module calls it."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        # The hooks by handle id, in OrderedDicts as PyTorch keeps them.
        setattr_(self, "_forward_hooks", OrderedDict())
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        # The ids of the forward hooks registered with_kwargs=True.
        setattr_(self, "_hooks_with_kwargs", set())
        setattr_(self, "_backward_hooks", OrderedDict())
        setattr_(self, "_backward_pre_hooks", OrderedDict())
        setattr_(self, "_state_dict_pre_hooks", OrderedDict())
        setattr_(self, "_state_dict_hooks", OrderedDict())
        setattr_(self, "_load_state_dict_pre_hooks", OrderedDict())
        setattr_(self, "_load_state_dict_post_hooks", OrderedDict())

    # ----- forward -----

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing "forward"')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        ):
            return self.forward(*args, **kwargs)
        with_kwargs = self._hooks_with_kwargs
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, new_kwargs)"
                        )
                    args, kwargs = result
                continue
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        call = None
        if (self._backward_hooks or self._backward_pre_hooks) and is_grad_enabled():
            call, args = _hooks.watch_inputs(self, args)
        output = self.forward(*args, **kwargs)
        for key, hook in list(self._forward_hooks.items()):
            if key in with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if call is not None:
            output = _hooks.watch_outputs(call, output)
        return output

    def _add_hook(
        self, table: dict[int, Callable[..., Any]], hook: Callable[..., Any], prepend: bool
    ) -> _HookHandle:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
        handle = _HookHandle(table)
        table[handle.id] = hook
        if prepend:
            first = table.pop(handle.id)
            rest = dict(table)
            table.clear()
            table[handle.id] = first
            table.update(rest)
        return handle

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> _HookHandle:
        """``hook(module, args)`` runs before ``forward``; a returned value
        replaces the args. With ``with_kwargs``, ``hook(module, args,
        kwargs)`` returns None or ``(args, kwargs)``. ``prepend`` runs it
        before the hooks already there."""
        handle = self._add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> _HookHandle:
        """``hook(module, args, output)`` runs after ``forward``; a returned
        value replaces the output. With ``with_kwargs``, ``hook(module, args,
        kwargs, output)``. ``prepend`` runs it before the hooks already
        there; ``always_call`` is accepted (it runs after every forward that
        returns)."""
        handle = self._add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> _HookHandle:
        """``hook(module, grad_input, grad_output)`` runs in the backward
        pass once the gradients of the call's tensor inputs are computed
        (None for those that need none); a returned tuple replaces
        ``grad_input``, as PyTorch's."""
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> _HookHandle:
        """``hook(module, grad_output)`` runs in the backward pass when the
        gradients of the call's outputs arrive; a returned tuple replaces
        them, as PyTorch's."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    # ----- registration -----

    def _check_name(self, name: Any, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds ``param`` (a Parameter, or None for an absent one) under ``name``."""
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(flodl.nn.Parameter or None required)"
            )
        if param is not None and not param.is_leaf:
            raise ArgumentError(f"cannot assign non-leaf Variable to parameter '{name}'")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Adds a Tensor that is module state but not a parameter (running
        statistics); ``persistent`` ones are in ``state_dict``."""
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(flodl.Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a child module (or None) under ``name``."""
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` ("" is this module)."""
        if target == "":
            return self
        module: Module = self
        for item in target.split("."):
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(f"{module._get_name()} has no submodule `{item}`")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        param = module._parameters.get(name)
        if param is None:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"{module._get_name()} has no buffer `{name}`")
        return module._buffers[name]

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Puts ``module`` at the dotted path ``target``, as torch's: the
        parents must exist; with ``strict``, so must the submodule replaced."""
        if target == "":
            raise ArgumentError("set_submodule: cannot set the submodule without a target name")
        if not isinstance(module, Module):
            raise TypeError(f"`module` is not an nn.Module, found {type(module).__name__}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and name not in parent._modules:
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        setattr(parent, name, module)

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=params)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(flodl.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=modules)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(flodl.nn.Module or None expected)"
                )
            modules[name] = None
            return
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Buffer):
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._forget(name, keep=buffers)
            self.register_buffer(name, value.data, value.persistent)
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(flodl.Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict[str, Any]) -> None:
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            if table is not keep:
                table.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: the registered names.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = (
            list(dir(type(self)))
            + list(self.__dict__)
            + list(self._parameters)
            + list(self._modules)
            + list(self._buffers)
        )
        return sorted({k for k in keys if not k[0].isdigit()})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ----- iteration -----

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and all below it, depth first, with their dotted names."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules, each once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """The parameters with their dotted names, in registration order, each once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    # ----- modes and gradients -----

    def train(self, mode: bool = True) -> Self:
        """Sets training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise ArgumentError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Self:
        """``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the parameters' gradients (None, or zeros when not ``set_to_none``)."""
        for param in self.parameters():
            grad = param.grad
            if grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                grad.zero_()  # the handle shares the gradient's memory

    def apply(self, fn: Callable[[Module], Any]) -> Self:
        """Calls ``fn`` on every submodule (children first) and then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ----- conversion -----

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Self:
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            data = param.data
            new = fn(data)
            if new is not data:
                param.data = new
            grad = param.grad
            if grad is not None:
                new_grad = fn(grad)
                if new_grad is not grad:
                    param.grad = new_grad
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Self:
        """Moves and/or casts the parameters and buffers in place:
        ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``;
        only floating point and complex values change dtype. The Parameter objects stay
        the same (their ``data`` is replaced). ``memory_format=`` lays out
        the 4-d and 5-d ones as it says (``flodl.channels_last``), as torch."""
        device, dtype = _parse_to_args(args, dict(kwargs))
        format = kwargs.get("memory_format")

        def convert(t: Tensor) -> Tensor:
            castable = _is_floating(t) or t.dtype.is_complex
            if dtype is not None and castable and t.dtype != dtype:
                t = t.to_dtype(dtype)
            if device is not None:
                t = t.to_device(device)
            if format is not None and t.dim() in (4, 5):
                t = t.to(memory_format=format)
            return t

        return self._apply(convert)

    def float(self) -> Self:
        return self._apply(lambda t: t.float() if _is_floating(t) else t)

    def double(self) -> Self:
        return self._apply(lambda t: t.double() if _is_floating(t) else t)

    def half(self) -> Self:
        return self._apply(lambda t: t.half() if _is_floating(t) else t)

    def bfloat16(self) -> Self:
        return self._apply(lambda t: t.bfloat16() if _is_floating(t) else t)

    def cpu(self) -> Self:
        return self._apply(lambda t: t.cpu())

    def cuda(self, device: Any = None) -> Self:
        return self._apply(lambda t: t.cuda(device))

    # ----- state -----

    # The version of this class's state dict layout, kept in the state
    # dict's ``_metadata`` so that ``_load_from_state_dict`` can convert an
    # older one (as torch's BatchNorm fills in ``num_batches_tracked``).
    _version: int = 1

    def get_extra_state(self) -> Any:
        """Extra state for the state dict (its ``_extra_state`` entry) when a
        subclass defines it, with ``set_extra_state``."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called."
        )

    def set_extra_state(self, state: Any) -> None:
        """Takes back what ``get_extra_state`` gave, when loading."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called."
        )

    def _save_to_state_dict(
        self, destination: dict[str, Any], prefix: str, keep_vars: bool
    ) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.data
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Any]:
        """Parameters (their ``data``, or the Parameters with ``keep_vars``),
        persistent buffers and extra state by dotted name, in PyTorch's
        order, with each module's ``_version`` in its ``_metadata``. The
        Tensors share the module's memory."""
        if args:  # torch's old positional form: (destination, prefix, keep_vars)
            destination, prefix, keep_vars = (*args, *(None, "", False)[len(args) :])[:3]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()  # type: ignore[attr-defined]
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict``
        saves this module's entries."""
        return self._add_hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs after
        ``state_dict`` saved this module's entries; it may change them in
        place and returns None."""
        return self._add_hook(self._state_dict_hooks, hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict,
        missing_keys, unexpected_keys, error_msgs)`` runs before this
        module's entries load; it may change ``state_dict`` in place."""
        return self._add_hook(self._load_state_dict_pre_hooks, hook, False)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """``hook(module, incompatible_keys)`` runs after this module loaded;
        it may remove keys from ``incompatible_keys``' lists in place, and
        returns None."""
        return self._add_hook(self._load_state_dict_post_hooks, hook, False)

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Loads this module's own entries (``prefix`` + name) from
        ``state_dict``, as torch's: subclasses override it to convert an
        older layout (``local_metadata["version"]``) and call it. Inside
        ``load_state_dict`` the copies wait until every module is checked,
        so that a bad state dict changes nothing."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(
                self,
                state_dict,
                prefix,
                local_metadata,
                strict,
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
        within = _LOADING.get()
        loading = within or _Loading(self._get_name())
        local = {
            name: (value, True) for name, value in self._parameters.items() if value is not None
        }
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                local[name] = (buf, False)
        assign = bool(local_metadata.get("assign_to_params_buffers", False))
        for name, (current, is_param) in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if isinstance(value, Variable):
                value = value.data
            if not isinstance(value, Tensor):
                got = type(value).__name__
                if _is_torch_tensor(value):
                    got = f"a torch.{got} (convert it with flodl.Tensor.from_torch)"
                loading.not_tensors.append((key, got))
                continue
            if current.ndim == 0 and value.ndim == 1 and value.numel() == 1:
                value = value[0]  # torch's allowance for 0-dim values saved as [1]
            if _shape(value) != _shape(current):
                loading.misshaped.append((key, _shape(value), _shape(current)))
                continue
            loading.copies.append((self, name, is_param, value, assign))
        extra_key = prefix + _EXTRA_STATE
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                loading.extra_states.append((self, state_dict[extra_key]))
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head, dot, _ = key[len(prefix) :].partition(".")
                if (dot and head not in self._modules) or (not dot and head not in local):
                    unexpected_keys.append(key)
        if within is None:  # called on its own: load now
            loading.finish(error_msgs, strict=False)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copies ``state_dict``'s Tensors (or Variables) into the parameters
        and buffers, module by module through ``_load_from_state_dict`` (as
        torch's, so that a module can convert an older layout, and with its
        hooks). Everything is checked first: missing or unexpected keys
        (with ``strict``), wrong shapes (always) and the messages of
        ``_load_from_state_dict`` overrides raise ArgumentError listing all
        of them, and nothing is loaded. With ``assign`` the values replace
        the parameters' data instead of being copied into it."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to tensors (a dict), "
                f"got {type(state_dict).__name__}"
            )
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        missing: list[str] = []
        unexpected: list[str] = []
        error_msgs: list[str] = []
        incompatible = _IncompatibleKeys(missing, unexpected)
        loading = _Loading(self._get_name())

        def load(module: Module, local_state: dict[str, Any], prefix: str) -> None:
            local_metadata = dict(metadata.get(prefix[:-1], {})) if metadata is not None else {}
            if assign:
                local_metadata["assign_to_params_buffers"] = True
            module._load_from_state_dict(
                local_state, prefix, local_metadata, True, missing, unexpected, error_msgs
            )
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {
                        k: v for k, v in local_state.items() if k.startswith(child_prefix)
                    }
                    load(child, child_state, child_prefix)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise RuntimeError("load_state_dict post hook must return None")

        token = _LOADING.set(loading)
        try:
            load(self, state_dict, "")
        finally:
            _LOADING.reset(token)
        loading.missing = missing if strict else []
        loading.unexpected = unexpected if strict else []
        loading.finish(error_msgs, strict)
        return incompatible

    # ----- printing -----

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's settings, shown inside its repr's parentheses."""
        return ""

    def _layer_name(self) -> str:
        """``Name(extra_repr)`` on one line, for error messages."""
        return f"{self._get_name()}({self.extra_repr()})"

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _add_indent(repr(module), 2) for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
