"""``flodl.save`` / ``flodl.load``: tensors, state dicts and checkpoints in the
safetensors format (the format ``safetensors.torch`` reads and writes), and
whole objects through pickle otherwise, read back under PyTorch's
``weights_only`` rule (``add_safe_globals`` names the classes a checkpoint
may hold besides tensors and containers)."""

from __future__ import annotations

import errno
import itertools
import os
import pickle as _pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Union

from . import _flodl

__all__ = [
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]

PathLike = Union[str, "os.PathLike[str]"]

# The first byte of a pickle of protocol 2 or later (what `save(pickle=True)`
# writes). A safetensors file starts with its header's length (8 bytes,
# little-endian), then the header's "{": that is checked first.
_PICKLE_START = b"\x80"
# What torch.save writes: a zip archive, whose first bytes are these.
_ZIP_START = b"PK\x03\x04"
_COUNTER = itertools.count()


def save(obj: Any, path: PathLike, pickle: bool | None = None, *, pickle_protocol: int = 2) -> None:
    """Writes ``obj`` to ``path`` as a safetensors file: a state dict (names
    to Tensors or Variables, whose values are saved), or nested dicts, lists
    and tuples of tensors, numbers, strings and None (an optimizer's
    ``state_dict()``, a ``{"model": ..., "optim": ..., "epoch": 3}``
    checkpoint), the structure kept in the file's metadata. What training
    scripts keep beside them comes back as it went in, without pickle (so
    ``load`` runs no code for it): an ``OrderedDict``, numpy arrays of
    numbers (``np.random.get_state()`` included), sets, ``Size``, dtypes,
    devices and an ``argparse.Namespace``. Anything else picklable (a whole
    module, a checkpoint holding a dataclass) is pickled, as ``torch.save``
    pickles; ``load`` reads such a file under PyTorch's ``weights_only``
    rule. ``pickle=True`` pickles whatever ``obj`` is; ``pickle=False``
    refuses what the safetensors file cannot hold. The file appears whole or
    not at all. ``path`` may also be a binary file object (an
    ``io.BytesIO``), which gets the file's bytes. ``pickle_protocol`` is
    taken for torch's signature: what flodl pickles, it pickles with the
    highest protocol (large objects included)."""
    if not isinstance(pickle_protocol, int) or isinstance(pickle_protocol, bool):
        raise TypeError(
            f"save: pickle_protocol must be an int, got {type(pickle_protocol).__name__}"
        )
    if pickle is not None and not isinstance(pickle, bool):
        raise TypeError(f"save: pickle must be a bool or None, got {type(pickle).__name__}")
    if callable(getattr(path, "write", None)):
        with tempfile.TemporaryDirectory() as folder:
            written = os.path.join(folder, "saved")
            save(obj, written, pickle)
            with open(written, "rb") as f:
                path.write(f.read())
        return
    is_module = callable(getattr(obj, "state_dict", None)) and hasattr(obj, "named_parameters")
    if pickle or (pickle is None and is_module):
        _save_pickle(obj, os.fspath(path))
        return
    if is_module:
        raise TypeError(
            f"save: with pickle=False takes tensors and containers of them, got a "
            f"{type(obj).__name__}; save model.state_dict() instead (or leave pickle out)"
        )
    if isinstance(obj, Mapping) and not isinstance(obj, dict):
        obj = dict(obj)
    try:
        _flodl._save(obj, os.fspath(path))
    except TypeError:
        # A torch tensor is a mistake to name (convert it), not to pickle.
        if pickle is False or _holds_torch_tensor(obj):
            raise
        # What safetensors cannot hold (a dataclass in a checkpoint) is
        # pickled, as torch.save pickles everything.
        _save_pickle(obj, os.fspath(path))


def _holds_torch_tensor(obj: Any) -> bool:
    if _flodl._is_torch_tensor(obj):
        return True
    if isinstance(obj, Mapping):
        return any(_holds_torch_tensor(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_holds_torch_tensor(v) for v in obj)
    return False


def _save_pickle(obj: Any, path: str) -> None:
    """``obj`` pickled to ``path``, through a name unique to this call that is
    renamed over ``path`` once written."""
    temporary = f"{path}.{os.getpid()}.{next(_COUNTER)}.tmp"
    try:
        with open(temporary, "wb") as f:
            _pickle.dump(obj, f, protocol=_pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as e:
        raise _flodl.ArgumentError(f"save: cannot write {path}: {e.strerror or e}") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def load(
    path: PathLike,
    map_location: Any = None,
    weights_only: bool = True,
    *,
    mmap: bool | None = None,
) -> Any:
    """What ``save`` wrote to ``path`` (a state dict, or the nested
    containers), tensors on the CPU, or where ``map_location`` says: a
    device or its name, a dict from a location to a device (flodl reads
    every tensor to ``"cpu"`` first: ``{"cpu": "cuda:0"}`` moves them), or
    ``fn(tensor, "cpu")`` returning the tensor to keep (``lambda storage,
    loc: storage`` keeps it). A plain safetensors file gives its tensors by
    name, in the file's order. A pickled file is read with
    ``weights_only=True`` only when it holds tensors, containers, numbers,
    strings and the classes given to ``add_safe_globals`` (else a
    ``pickle.UnpicklingError`` naming the class, as torch's); with
    ``weights_only=False`` anything is read (unpickling runs code from the
    file: load only files you trust). ``path`` may also be a
    binary file object (an ``io.BytesIO``) holding such a file. A missing
    file is a ``FileNotFoundError`` (as torch's); a truncated or malformed
    one an ArgumentError, and nothing is returned; so is a file written by
    ``torch.save``, which flodl does not read (the message says how to
    convert it). ``mmap`` is taken for torch's signature (the values are
    the same either way)."""
    if not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be a bool, got {type(weights_only).__name__}")
    # `mmap` is torch's memory-mapping switch: the values are the same
    # either way, so it is taken and flodl reads as it always does.
    if mmap is not None and not isinstance(mmap, bool):
        raise TypeError(f"load: mmap must be a bool or None, got {type(mmap).__name__}")
    if callable(getattr(path, "read", None)):
        with tempfile.TemporaryDirectory() as folder:
            read = os.path.join(folder, "loaded")
            with open(read, "wb") as f:
                f.write(path.read())
            return _load(read, "the file object", map_location, weights_only)
    return _load(os.fspath(path), os.fspath(path), map_location, weights_only)


def _load(path: str, shown: str, map_location: Any, weights_only: bool) -> Any:
    """``load`` of the file at ``path``, which messages call ``shown``."""
    place = _placement(map_location)
    if not os.path.exists(path):
        # Python's own error for it, as torch.load's (programs catch it to
        # start afresh when there is no checkpoint yet).
        raise FileNotFoundError(errno.ENOENT, "load: no such file", path)
    if _starts_with_pickle(path):
        with open(path, "rb") as f:
            unpickler = _WeightsUnpickler(f, shown) if weights_only else _pickle.Unpickler(f)
            obj = unpickler.load()
        if type(obj) is int and obj == _LEGACY_TORCH_MAGIC:
            raise _flodl.ArgumentError(
                f"load: {shown} was written by torch.save in its legacy format (before torch "
                "1.6), which flodl does not read; convert it once with torch: flodl.save({k: "
                "flodl.Tensor.from_torch(v) for k, v in torch.load(path).items()}, new_path)"
            )
    else:
        obj = _flodl._load(path)
    return obj if place is None else _placed(obj, place)


# The first pickle of torch.save's legacy (pre-1.6) files: its magic number.
_LEGACY_TORCH_MAGIC = 0x1950A86A20F9469CFC6C


def _starts_with_pickle(path: str) -> bool:
    """Whether ``path`` holds a pickle rather than a safetensors file."""
    try:
        with open(path, "rb") as f:
            start = f.read(9)
    except OSError:
        return False  # `_load` says what is wrong with the path
    if len(start) == 9 and start[8:] == b"{":
        return False
    if start[:4] == _ZIP_START:
        raise _flodl.ArgumentError(
            f"load: {path} was written by torch.save (a zip of pickles), which flodl does not "
            "read; convert it once with torch: flodl.save({k: flodl.Tensor.from_torch(v) for "
            "k, v in torch.load(path).items()}, new_path)"
        )
    if start[:1] != _PICKLE_START:
        raise _flodl.ArgumentError(
            f"load: {path} is not a valid safetensors file, nor a pickle: not a checkpoint "
            "that flodl.save (or pickle) wrote"
        )
    return True


def _placement(map_location: Any) -> Any:
    """What ``map_location`` does to a tensor read on the CPU, or None for
    nothing: ``fn(tensor) -> tensor``."""
    if map_location is None:
        return None
    if callable(map_location) and not isinstance(map_location, _flodl.Device):

        def call(t: Any) -> Any:
            placed = map_location(t, "cpu")
            if placed is None:  # torch's "default placement": where it was read
                return t
            if not isinstance(placed, _flodl.Tensor):
                raise TypeError(
                    f"load: map_location returned a {type(placed).__name__}, not a tensor"
                )
            return placed

        return call
    if isinstance(map_location, Mapping):
        target = map_location.get("cpu")
        return None if target is None else _placement(target)
    device = _flodl.Device(map_location)
    return None if device == _flodl.Device("cpu") else (lambda t: t.to(device))


def _placed(obj: Any, place: Any) -> Any:
    """``obj`` with ``place`` applied to every tensor in it."""
    if isinstance(obj, (_flodl.Tensor, _flodl.Variable)):
        return place(obj)
    if isinstance(obj, dict):
        return type(obj)((k, _placed(v, place)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_placed(v, place) for v in obj)
    if callable(getattr(obj, "to", None)) and hasattr(obj, "named_parameters"):
        # A whole module: its own `to` moves what it holds, in place.
        for name, t in [*obj.named_parameters(), *obj.named_buffers()]:
            moved = place(t)
            if moved.device != t.device:
                return obj.to(moved.device)
        return obj
    return obj


# ----- weights_only: what a pickled file may hold without running code -----

# The globals flodl's and numpy's tensor pickles and the plain containers
# name, which weights_only loads.
_WEIGHTS_GLOBALS = {
    ("flodl._creation", "_rebuild_tensor"),
    ("flodl._creation", "_rebuild_variable"),
    ("flodl.nn.parameter", "_rebuild_parameter"),
    ("flodl.nn.parameter", "Parameter"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy", "dtype"),
    ("collections", "OrderedDict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "complex"),
    ("builtins", "slice"),
}
_SAFE_GLOBALS: list[Any] = []


class _WeightsUnpickler(_pickle.Unpickler):
    """An unpickler that makes only the objects ``weights_only`` allows."""

    def __init__(self, file: Any, shown: str) -> None:
        super().__init__(file)
        self._shown = shown

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        if (module, name) in _WEIGHTS_GLOBALS or any(found is g for g in _SAFE_GLOBALS):
            return found
        raise _pickle.UnpicklingError(
            f"load: weights_only=True does not make {module}.{name}, which {self._shown} "
            "holds; allow it with flodl.serialization.add_safe_globals([...]) (a class of "
            "your own), or pass weights_only=False if you trust the file's source"
        )


def add_safe_globals(safe_globals: Iterable[Any]) -> None:
    """Lets ``load(weights_only=True)`` make these classes (and functions)
    when a pickled file holds them, as ``torch.serialization.add_safe_globals``."""
    for g in safe_globals:
        # torch also takes (object, "module.name") pairs: the object is what counts.
        g = g[0] if isinstance(g, tuple) else g
        if not any(g is known for known in _SAFE_GLOBALS):
            _SAFE_GLOBALS.append(g)


def get_safe_globals() -> list[Any]:
    """The objects ``add_safe_globals`` allowed."""
    return list(_SAFE_GLOBALS)


def clear_safe_globals() -> None:
    """Forgets what ``add_safe_globals`` allowed."""
    _SAFE_GLOBALS.clear()


@contextmanager
def safe_globals(safe_globals: Iterable[Any]) -> Iterator[None]:
    """``add_safe_globals`` for the ``with`` block only."""
    before = list(_SAFE_GLOBALS)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _SAFE_GLOBALS[:] = before
