"""``torch.nn.utils.rnn``: batches of variable-length sequences, padded
(``pad_sequence``) or packed (``PackedSequence``, ``pack_padded_sequence``,
``pad_packed_sequence``, ``pack_sequence``, ``unpack_sequence``), which
flodl's ``RNN``, ``LSTM`` and ``GRU`` take as torch's do. Packing, padding
and the packed forward are Rust's (``flodl::pack_padded_sequence``, ...)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from ... import _flodl
from ..._flodl import Tensor
from ..._namespace import _class_of, _sequence, _tensor

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence(
    namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
):
    """Sequences of different lengths packed step by step, as
    ``torch.nn.utils.rnn.PackedSequence``: ``data`` holds the first step of
    every sequence, then the second of those that have one, ...;
    ``batch_sizes`` (Int64, on the CPU) how many sequences each step has;
    ``sorted_indices`` the order the batch was packed in (None when it came
    sorted by length) and ``unsorted_indices`` its inverse (made from
    ``sorted_indices`` when left out). Make one with
    ``pack_padded_sequence`` or ``pack_sequence``."""

    __slots__ = ()
    data: Any
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None

    def __new__(  # noqa: PYI034 - a NamedTuple's __new__, as torch's
        cls,
        data: Any,
        batch_sizes: Tensor,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _flodl._invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The data (and the indices) moved or converted as ``Tensor.to``;
        ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        indices = [
            None if i is None else i.to(device=data.device)
            for i in (self.sorted_indices, self.unsorted_indices)
        ]
        return PackedSequence(data, self.batch_sizes, *indices)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> PackedSequence:
        return self.to("cuda" if device is None else device)

    def double(self) -> PackedSequence:
        return self.to(dtype=_flodl.DType.Float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_flodl.DType.Float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=_flodl.DType.Float16)

    @property
    def is_cuda(self) -> bool:
        return bool(self.data.is_cuda)


def pack_padded_sequence(
    input: Any, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """``input`` (``[L, B, *]``, or ``[B, L, *]`` with ``batch_first``) packed,
    the ``b``-th sequence ``lengths[b]`` steps long (a list or a 1-d tensor).
    With ``enforce_sorted`` the lengths must decrease; otherwise the batch is
    sorted first and unsorted again by ``pad_packed_sequence``."""
    input = _tensor("pack_padded_sequence", input)
    parts = _flodl._pack_padded_sequence(input, _lengths(lengths), batch_first, enforce_sorted)
    return PackedSequence(*parts)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Any, Tensor]:
    """``(padded, lengths)``: the sequences of ``sequence`` padded with
    ``padding_value`` to ``total_length`` steps (the longest's by default),
    in the order they had before packing; ``lengths`` is Int64, on the CPU."""
    padded, lengths = _flodl._pad_packed_sequence(
        *_packed("pad_packed_sequence", sequence), batch_first, padding_value, total_length
    )
    return padded, lengths


def pack_sequence(sequences: Sequence[Any], enforce_sorted: bool = True) -> PackedSequence:
    """The ``sequences`` (each ``[L_i, *]``) padded and packed."""
    sequences = _sequence("pack_sequence", sequences)
    return PackedSequence(*_flodl._pack_sequence(sequences, enforce_sorted))


def unpack_sequence(packed_sequences: PackedSequence) -> list[Any]:
    """The sequences of a packed batch, each ``[L_i, *]``, in their order
    before packing."""
    return _flodl._unpack_sequence(*_packed("unpack_sequence", packed_sequences))  # type: ignore[no-any-return]


def unpad_sequence(padded_sequences: Any, lengths: Any, batch_first: bool = False) -> list[Any]:
    """The sequences of a padded batch, each cut to its length."""
    return _flodl._unpad_sequence(padded_sequences, _lengths(lengths), batch_first)  # type: ignore[no-any-return]


def _packed(op: str, sequence: Any) -> PackedSequence:
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: expected a PackedSequence, got {type(sequence).__name__}")
    return sequence


def _lengths(lengths: Any) -> list[int]:
    """Sequence lengths as ints (torch takes any number type, as int64)."""
    if isinstance(lengths, Tensor):
        lengths = lengths.tolist()
    return [int(n) for n in lengths]


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
