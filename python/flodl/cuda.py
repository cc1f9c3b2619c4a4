"""``flodl.cuda``: what ``torch.cuda`` programs ask of the CUDA devices.

flodl has no current-device state: ``"cuda"`` is device 0, other devices
are named (``"cuda:1"``), so ``set_device`` takes only the device in use."""

from __future__ import annotations

from typing import Any

from . import _flodl
from ._flodl import ArgumentError, Device, DeviceError


def is_available() -> bool:
    """Whether a CUDA device can be used."""
    return _flodl.cuda_available()


def device_count() -> int:
    """How many CUDA devices this process sees."""
    return _flodl.cuda_device_count()


def _index(device: Any) -> int:
    if device is None:
        return 0
    if isinstance(device, int):
        return device
    parsed = Device(device)
    if parsed.index is None:
        raise DeviceError(f"cuda: {device} is not a CUDA device")
    return parsed.index


def current_device() -> int:
    """The index of the CUDA device ``"cuda"`` means: 0."""
    if not is_available():
        raise DeviceError("cuda.current_device: no CUDA device is available")
    return 0


def set_device(device: Any) -> None:
    """Accepts device 0 only: flodl keeps no current device (name others,
    ``"cuda:1"``, where tensors and modules go)."""
    if _index(device) != 0:
        raise ArgumentError(
            f"cuda.set_device: flodl keeps no current device; name it where tensors go "
            f"(device='cuda:{_index(device)}') instead of setting {device}"
        )


def synchronize(device: Any = None) -> None:
    """Waits for every kernel queued on ``device`` (default: device 0)."""
    _flodl._cuda_synchronize(_index(device))


def manual_seed(seed: int) -> None:
    """Seeds every device's random stream (flodl seeds them together)."""
    from ._namespace import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed


def is_bf16_supported() -> bool:
    """Whether bfloat16 kernels can run: on any available CUDA device here."""
    return is_available()


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"flodl.cuda has no {name!r}: flodl does not offer torch.cuda.{name} "
        "(hand tensors to torch with .to_torch() where you need it)"
    )
