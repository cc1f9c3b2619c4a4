"""A Tensor that joined a graph in place, as PyTorch's tensors do: made a
leaf by ``requires_grad_()`` (or ``requires_grad = True``), or written in
place from values that record a graph (``out[t] = h``,
``agg.index_add_(0, i, msg)``, ``acc += h``; then a non-leaf).

flodl's Tensor records nothing, and a Variable is another class; so the
object changes class where it stands (every reference sees it):
``LeafTensor`` is a Tensor of the same layout whose attributes, methods and
operators are those of a Variable on the same values (``_variable_view``,
a handle on the tensor itself, not a copy). Ops record through it,
``backward()`` fills its ``.grad``, and every argument of flodl's takes it
as a Variable (the Rust bindings see that its values require grad);
``isinstance(x, flodl.Variable)`` is true. ``requires_grad_(False)`` makes
it a plain Tensor again.
"""

from __future__ import annotations

from typing import Any

from ._flodl import Tensor, Variable, _variable_view

__all__ = ["LeafTensor"]

# What the object keeps for itself; everything else is the Variable's.
_OWN = frozenset({"requires_grad_", "detach_", "__class__", "__reduce_ex__", "__reduce__"})


class LeafTensor(Tensor):
    """A Tensor that joined a graph in place (see the module)."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name == "__class__":
            return Variable  # isinstance(x, Variable), as arguments see it
        if name in _OWN:
            return object.__getattribute__(self, name)
        view = _variable_view(self)
        found = getattr(view, name)
        if not callable(found) or isinstance(found, type):
            return found

        def method(*args: Any, **kwargs: Any) -> Any:
            # What returns the tensor itself (in-place ops, a `to` or
            # `float()` that changes nothing) returns this object.
            result = found(*args, **kwargs)
            return self if result is view else result

        return method

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "requires_grad" and not value:
            self.requires_grad_(False)
        else:
            setattr(_variable_view(self), name, value)

    def requires_grad_(self, requires_grad: bool = True) -> LeafTensor | Tensor:
        """As PyTorch's: returns this tensor; ``False`` makes it a plain
        Tensor again."""
        _variable_view(self).requires_grad_(requires_grad)
        if not requires_grad:
            object.__setattr__(self, "__class__", Tensor)
        return self

    def detach_(self) -> Tensor:
        """As PyTorch's: no longer requires grad; a plain Tensor again."""
        _variable_view(self).detach_()
        object.__setattr__(self, "__class__", Tensor)
        return self

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Pickled and copied as the Variable it is (copy.deepcopy too).
        return _variable_view(self).__reduce_ex__(protocol)

    def __reduce__(self) -> Any:
        return _variable_view(self).__reduce__()


def _forwarded(name: str) -> Any:
    def method(self: LeafTensor, *args: Any, **kwargs: Any) -> Any:
        view = _variable_view(self)
        result = getattr(view, name)(*args, **kwargs)
        return self if result is view else result

    method.__name__ = name
    return method


def _forwarded_in_place(name: str) -> Any:
    # `x += y` rebinds x to what __iadd__ returns: this object, not a handle.
    def method(self: LeafTensor, *args: Any) -> LeafTensor:
        getattr(_variable_view(self), name)(*args)
        return self

    method.__name__ = name
    return method


# Operators and protocols are looked up on the class, not through
# __getattribute__: each of Variable's is forwarded. The hash stays the
# object's own (identity: dict keys, optimizer state).
_NOT_FORWARDED = {
    "__getattribute__",
    "__getattr__",
    "__setattr__",
    "__delattr__",
    "__init__",
    "__new__",
    "__init_subclass__",
    "__subclasshook__",
    "__hash__",
    "__reduce__",
    "__reduce_ex__",
    "__getstate__",
    "__setstate__",
    "__sizeof__",
    "__dir__",
}
for _klass in reversed(Variable.__mro__[:-1]):
    for _name, _value in vars(_klass).items():
        if (
            _name.startswith("__")
            and _name.endswith("__")
            and _name not in _NOT_FORWARDED
            and callable(_value)
        ):
            is_in_place = _name.startswith("__i") and _name[3:-2] in {
                "add", "sub", "mul", "truediv", "floordiv", "mod", "pow",
                "matmul", "and", "or", "xor", "lshift", "rshift",
            }  # fmt: skip
            maker = _forwarded_in_place if is_in_place else _forwarded
            setattr(LeafTensor, _name, maker(_name))
LeafTensor.__hash__ = Tensor.__hash__  # type: ignore[method-assign]
