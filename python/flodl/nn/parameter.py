"""``Parameter``: the leaf Variable that modules register, as ``torch.nn.Parameter``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._creation import _deepcopy
from .._creation import tensor as _tensor
from .._flodl import Tensor, Variable

if TYPE_CHECKING:
    from typing_extensions import Self


class Parameter(Variable):
    """A Variable that a ``Module`` registers as one of its parameters when
    assigned as an attribute. ``data`` may be a Tensor (shared, not copied),
    a Variable (its ``data``, shared), anything ``flodl.tensor`` takes
    (copied), or None (an empty float tensor)."""

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> Self:
        if data is None:
            data = Tensor.empty([0])
        elif isinstance(data, Variable):
            data = data.data
        elif not isinstance(data, Tensor):
            data = _tensor(data)
        return super().__new__(cls, data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """A copy of the values and requires_grad, without the grad (as torch's)."""
        return _deepcopy(self, memo, with_grad=False)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (_rebuild_parameter, (type(self), self.data, self.requires_grad))


def _rebuild_parameter(cls: type, data: Tensor, requires_grad: bool) -> Parameter:
    return cls(data, requires_grad)


class Buffer:
    """A tensor a ``Module`` registers as a buffer when assigned as an
    attribute (``self.mean = nn.Buffer(flodl.zeros(3))``), as
    ``torch.nn.Buffer``; ``persistent=False`` keeps it out of ``state_dict``.
    ``data`` is the tensor (detached from any graph), or None for an empty one."""

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if data is None:
            data = Tensor.empty([0])
        elif isinstance(data, Variable):
            data = data.detach()
        elif not isinstance(data, Tensor):
            data = _tensor(data)
        self.data = data
        self.persistent = persistent

    def __repr__(self) -> str:
        return f"Buffer({self.data!r}, persistent={self.persistent})"
