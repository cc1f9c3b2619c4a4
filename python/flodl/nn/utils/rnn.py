"""``torch.nn.utils.rnn``'s padding of variable-length sequences:
``pad_sequence``. flodl's recurrent layers take padded batches; packed
sequences (``pack_padded_sequence``, ``PackedSequence``) are not in flodl."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._flodl import Tensor
from ..._namespace import _class_of

__all__ = ["pad_sequence"]

_PACKED = ("PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence")


def pad_sequence(
    sequences: Sequence[Any],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Any:
    """The ``sequences`` (each ``[L_i, *]``, the trailing dims equal) padded
    with ``padding_value`` to the longest and stacked: ``[L, B, *]``, or
    ``[B, L, *]`` with ``batch_first``; ``padding_side="left"`` pads in
    front. A Variable among them gives a Variable (the padding records)."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    return _class_of(sequences).pad_sequence(sequences, batch_first, padding_value, padding_side)


def __getattr__(name: str) -> Any:
    if name in _PACKED:
        raise AttributeError(
            f"flodl.nn.utils.rnn.{name} is not in flodl: pad the batch (pad_sequence) and "
            "mask the padded steps instead"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
