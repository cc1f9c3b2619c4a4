"""Packed sequences (torch.nn.utils.rnn's PackedSequence and its functions)
and the recurrent layers over them, against torch: the packing, the
padding back, the layers' outputs and final states, and the gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn

import flodl
import flodl.nn.utils.rnn as frnn
from flodl import Tensor, Variable

RNG = np.random.default_rng(0)
PADDED = RNG.standard_normal((5, 3, 4))  # [L, B, features]


def ours(a: np.ndarray) -> Tensor:
    return Tensor.from_numpy(a.copy())


def theirs(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.copy())


def same(a, b) -> None:
    if isinstance(b, torch.Tensor):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert a.dtype.name == str(b.dtype).removeprefix("torch.")
    elif b is None:
        assert a is None
    else:
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)


@pytest.mark.parametrize(
    "lengths,batch_first,enforce_sorted",
    [([5, 3, 2], False, True), ([2, 5, 3], False, False), ([3, 3, 1], True, False)],
)
def test_packing_and_padding_back_equal_torch(lengths, batch_first, enforce_sorted) -> None:
    padded = PADDED.transpose(1, 0, 2) if batch_first else PADDED
    mine = frnn.pack_padded_sequence(ours(padded), lengths, batch_first, enforce_sorted)
    torch_s = trnn.pack_padded_sequence(theirs(padded), lengths, batch_first, enforce_sorted)
    same(mine, torch_s)
    assert mine._fields == torch_s._fields
    for kwargs in ({}, {"padding_value": -1.0, "total_length": 7}):
        same(
            frnn.pad_packed_sequence(mine, batch_first, **kwargs),
            trnn.pad_packed_sequence(torch_s, batch_first, **kwargs),
        )
    # lengths as a tensor; unpack_sequence gives the sequences back
    same(
        frnn.pack_padded_sequence(ours(padded), ours(np.array(lengths)), batch_first, False),
        trnn.pack_padded_sequence(theirs(padded), torch.tensor(lengths), batch_first, False),
    )
    same(frnn.unpack_sequence(mine), trnn.unpack_sequence(torch_s))


def test_pack_sequence_of_a_list() -> None:
    seqs = [RNG.standard_normal((n, 2)) for n in (2, 4, 1)]
    same(
        frnn.pack_sequence([ours(s) for s in seqs], enforce_sorted=False),
        trnn.pack_sequence([theirs(s) for s in seqs], enforce_sorted=False),
    )


@pytest.mark.parametrize(
    "kind,kwargs",
    [
        ("LSTM", {}),
        ("LSTM", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"proj_size": 2}),
        ("GRU", {"bidirectional": True}),
        ("RNN", {"nonlinearity": "relu"}),
        ("RNN", {"num_layers": 2}),
    ],
)
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_over_packed_batches_equal_torch(kind, kwargs, with_state) -> None:
    flodl.manual_seed(0)
    mine = getattr(flodl.nn, kind)(4, 3, **kwargs).double()
    torch_layer = getattr(torch.nn, kind)(4, 3, **kwargs).double()
    torch_layer.load_state_dict(
        {k: torch.from_numpy(v.numpy()) for k, v in mine.state_dict().items()}
    )
    lengths = [2, 5, 3]  # unsorted: the states are permuted in and out
    x = Variable(ours(PADDED), requires_grad=True)
    tx = theirs(PADDED).requires_grad_()
    packed = frnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    torch_packed = trnn.pack_padded_sequence(tx, lengths, enforce_sorted=False)
    hx = thx = None
    if with_state:
        rows = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
        h = RNG.standard_normal((rows, 3, kwargs.get("proj_size") or 3))
        if kind == "LSTM":
            c = RNG.standard_normal((rows, 3, 3))
            hx, thx = (ours(h), ours(c)), (theirs(h), theirs(c))
        else:
            hx, thx = ours(h), theirs(h)
    out, state = mine(packed, hx)
    torch_out, torch_state = torch_layer(torch_packed, thx)
    assert isinstance(out, frnn.PackedSequence)
    same(out, torch_out)
    same(state if kind == "LSTM" else [state], torch_state if kind == "LSTM" else [torch_state])
    padded, _ = frnn.pad_packed_sequence(out)
    torch_padded, _ = trnn.pad_packed_sequence(torch_out)
    final = state[0] if kind == "LSTM" else state
    torch_final = torch_state[0] if kind == "LSTM" else torch_state
    (padded.sum() + final.pow(2).sum()).backward()
    (torch_padded.sum() + torch_final.pow(2).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), tp in zip(mine.named_parameters(), torch_layer.parameters()):
        np.testing.assert_allclose(
            p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_bad_packing_is_refused_with_its_kind() -> None:
    x = ours(PADDED)
    with pytest.raises(flodl.ArgumentError, match="sorted in decreasing order"):
        frnn.pack_padded_sequence(x, [2, 5, 3])
    with pytest.raises(flodl.ArgumentError, match="every length must be in"):
        frnn.pack_padded_sequence(x, [5, 3, 0])
    with pytest.raises(flodl.ShapeError):
        frnn.pack_padded_sequence(x, [5, 3])
    packed = frnn.pack_padded_sequence(x, [5, 3, 2])
    with pytest.raises(flodl.ArgumentError, match="total_length"):
        frnn.pad_packed_sequence(packed, total_length=4)
    with pytest.raises(TypeError, match="expected a PackedSequence"):
        frnn.pad_packed_sequence(x)
    with pytest.raises(flodl.ShapeError, match="expected packed data"):
        flodl.nn.LSTM(5, 3)(packed)
    with pytest.raises(flodl.ShapeError, match="expected hidden state"):
        flodl.nn.GRU(4, 3)(packed, Tensor.zeros([1, 2, 3], dtype=flodl.float64))


def test_a_packed_sequence_made_by_hand_gets_its_unsorted_indices() -> None:
    packed = frnn.pack_padded_sequence(ours(PADDED), [2, 5, 3], enforce_sorted=False)
    again = frnn.PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices)
    assert again.unsorted_indices.tolist() == packed.unsorted_indices.tolist()
    torch_again = trnn.PackedSequence(
        theirs(packed.data.numpy()),
        torch.tensor(packed.batch_sizes.tolist()),
        torch.tensor(packed.sorted_indices.tolist()),
    )
    same(frnn.pad_packed_sequence(again), trnn.pad_packed_sequence(torch_again))
    as_float = again.float()
    assert as_float.data.dtype == flodl.float32 and as_float.batch_sizes is again.batch_sizes
    assert as_float.double().data.dtype == flodl.float64 and not as_float.is_cuda
    assert again.to(flodl.float64) is again  # nothing to change
    # lengths of any number type, as torch casts them
    same(
        frnn.pack_padded_sequence(ours(PADDED), ours(np.array([5.0, 3.0, 2.0]))),
        trnn.pack_padded_sequence(theirs(PADDED), torch.tensor([5.0, 3.0, 2.0])),
    )


@pytest.mark.parametrize(
    "batch_sizes,kind",
    [
        ([2, -1], flodl.ShapeError),
        ([], flodl.ShapeError),
        ([1, 2], flodl.ShapeError),
        ([2, 0, 1], flodl.ShapeError),
        ([4], flodl.ShapeError),
    ],
)
def test_bad_batch_sizes_are_refused_before_any_kernel(batch_sizes, kind) -> None:
    data = ours(RNG.standard_normal((3, 4)))
    sizes = flodl.tensor(batch_sizes, dtype=flodl.int64)
    with pytest.raises(kind, match="batch_sizes"):
        frnn.pad_packed_sequence(frnn.PackedSequence(data, sizes))
    with pytest.raises(kind, match="batch_sizes"):
        flodl.nn.GRU(4, 3).double()(frnn.PackedSequence(data, sizes))


def test_bad_indices_and_batch_sizes_kinds() -> None:
    data = ours(RNG.standard_normal((3, 4)))
    sizes = flodl.tensor([2, 1])
    with pytest.raises(flodl.ArgumentError, match="permutation"):
        frnn.PackedSequence(data, sizes, flodl.tensor([0, 0]))
    with pytest.raises(flodl.ArgumentError, match="permutations"):
        frnn.pad_packed_sequence(frnn.PackedSequence(data, sizes, None, flodl.tensor([0, 5])))
    with pytest.raises(flodl.DTypeError, match="batch_sizes must be Int64"):
        frnn.pad_packed_sequence(frnn.PackedSequence(data, flodl.tensor([2.0, 1.0])))


def test_packing_checks_its_input() -> None:
    with pytest.raises(flodl.ShapeError, match="non-empty"):
        frnn.pack_padded_sequence(Tensor.zeros([0, 3, 4]), [1, 1, 1])
    with pytest.raises(flodl.ArgumentError, match=r"in \[1, 5\]"):
        frnn.pack_padded_sequence(ours(PADDED), [6, 3, 2])
    with pytest.raises(flodl.ShapeError, match="2 lengths for a batch of 3"):
        frnn.pack_padded_sequence(ours(PADDED), [5, 3], enforce_sorted=False)
    with pytest.raises(flodl.ShapeError, match="lengths for a batch"):
        frnn.unpad_sequence(ours(PADDED), [5, 3])
