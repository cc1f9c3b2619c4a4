"""``flodl.save`` / ``flodl.load``: tensors, state dicts and checkpoints in the
safetensors format (the format ``safetensors.torch`` reads and writes), and
whole objects through pickle when asked, as PyTorch's ``weights_only`` rule
allows."""

from __future__ import annotations

import errno
import itertools
import os
import pickle as _pickle
import tempfile
from collections.abc import Mapping
from typing import Any, Union

from . import _flodl

__all__ = ["load", "save"]

PathLike = Union[str, "os.PathLike[str]"]

# The first byte of a pickle of protocol 2 or later (what `save(pickle=True)`
# writes). A safetensors file starts with its header's length (8 bytes,
# little-endian), then the header's "{": that is checked first.
_PICKLE_START = b"\x80"
# What torch.save writes: a zip archive, whose first bytes are these.
_ZIP_START = b"PK\x03\x04"
_COUNTER = itertools.count()


def save(obj: Any, path: PathLike, pickle: bool = False) -> None:
    """Writes ``obj`` to ``path`` as a safetensors file: a state dict (names
    to Tensors or Variables, whose values are saved), or nested dicts, lists
    and tuples of tensors, numbers, strings and None (an optimizer's
    ``state_dict()``, a ``{"model": ..., "optim": ..., "epoch": 3}``
    checkpoint), the structure kept in the file's metadata. What training
    scripts keep beside them comes back as it went in, without pickle (so
    ``load`` runs no code for it): an ``OrderedDict``, numpy arrays of
    numbers (``np.random.get_state()`` included), sets, ``Size``, dtypes,
    devices and an ``argparse.Namespace``. With
    ``pickle=True`` any picklable object (a whole module) is pickled instead;
    only ``load(path, weights_only=False)`` reads it back. The file appears
    whole or not at all. ``path`` may also be a binary file object (an
    ``io.BytesIO``), which gets the file's bytes."""
    if not isinstance(pickle, bool):
        raise TypeError(f"save: pickle must be a bool, got {type(pickle).__name__}")
    if callable(getattr(path, "write", None)):
        with tempfile.TemporaryDirectory() as folder:
            written = os.path.join(folder, "saved")
            save(obj, written, pickle)
            with open(written, "rb") as f:
                path.write(f.read())
        return
    if pickle:
        _save_pickle(obj, os.fspath(path))
        return
    if callable(getattr(obj, "state_dict", None)) and hasattr(obj, "named_parameters"):
        raise TypeError(
            f"save: takes tensors and containers of them, got a {type(obj).__name__}; "
            "save model.state_dict() instead (or the whole module with pickle=True)"
        )
    if isinstance(obj, Mapping) and not isinstance(obj, dict):
        obj = dict(obj)
    _flodl._save(obj, os.fspath(path))


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


def load(path: PathLike, map_location: Any = None, weights_only: bool = True) -> Any:
    """What ``save`` wrote to ``path`` (a state dict, or the nested
    containers), tensors on the CPU, or on ``map_location`` when given (a
    device, or its name); a plain safetensors file gives its tensors by
    name, in the file's order. A file written with ``save(obj, path,
    pickle=True)`` is read only with ``weights_only=False`` (unpickling runs
    code from the file: load only files you trust). ``path`` may also be a
    binary file object (an ``io.BytesIO``) holding such a file. A missing
    file is a ``FileNotFoundError`` (as torch's); a truncated or malformed
    one an ArgumentError, and nothing is returned; so is a file written by
    ``torch.save``, which flodl does not read (the message says how to
    convert it)."""
    if not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be a bool, got {type(weights_only).__name__}")
    if callable(getattr(path, "read", None)):
        with tempfile.TemporaryDirectory() as folder:
            read = os.path.join(folder, "loaded")
            with open(read, "wb") as f:
                f.write(path.read())
            return load(read, map_location, weights_only)
    path = os.fspath(path)
    device = None if map_location is None else _flodl.Device(map_location)
    if not os.path.exists(path):
        # Python's own error for it, as torch.load's (programs catch it to
        # start afresh when there is no checkpoint yet).
        raise FileNotFoundError(errno.ENOENT, "load: no such file", path)
    if _starts_with_pickle(path):
        if weights_only:
            raise _flodl.ArgumentError(
                f"load: {path} holds a pickled object (saved with pickle=True); "
                "load it with weights_only=False if you trust its source"
            )
        with open(path, "rb") as f:
            obj = _pickle.load(f)
    else:
        obj = _flodl._load(path)
    return obj if device is None or device == _flodl.Device("cpu") else _to_device(obj, device)


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
    return start[:1] == _PICKLE_START


def _to_device(obj: Any, device: Any) -> Any:
    """``obj`` with every tensor in it moved to ``device``."""
    if isinstance(obj, (_flodl.Tensor, _flodl.Variable)):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(v, device) for v in obj)
    if callable(getattr(obj, "to", None)) and hasattr(obj, "named_parameters"):
        return obj.to(device)
    return obj
