"""flodl: a floDl-style autograd core on libtorch.

The same program reads the same in Rust and Python: ``Tensor`` holds data,
``Variable`` records operations for ``backward()``, which fills the leaves'
gradients and frees the graph at once. Errors are the classes of
``FlodlError``. libtorch is loaded from the installed ``torch`` wheel, without
importing ``torch`` itself.
"""

from ._flodl import (
    ArgumentError,
    AutogradError,
    Device,
    DeviceError,
    DType,
    DTypeError,
    FlodlError,
    OutOfMemoryError,
    OutOfRangeError,
    ShapeError,
    Tensor,
    TensorOptions,
    Variable,
    cuda_available,
    cuda_device_count,
    is_grad_enabled,
    manual_seed,
    set_grad_enabled,
)
from ._grad_mode import no_grad

__all__ = [
    "ArgumentError",
    "AutogradError",
    "DType",
    "DTypeError",
    "Device",
    "DeviceError",
    "FlodlError",
    "OutOfMemoryError",
    "OutOfRangeError",
    "ShapeError",
    "Tensor",
    "TensorOptions",
    "Variable",
    "cuda_available",
    "cuda_device_count",
    "is_grad_enabled",
    "manual_seed",
    "no_grad",
    "set_grad_enabled",
]
