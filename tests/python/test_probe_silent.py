"""What a probe of twenty more real programs (VAEs, MAML, SimCLR, neural
ODEs, data pipelines, checkpointing) found printing other numbers than
torch's, each checked against torch itself."""

from __future__ import annotations

import pytest
import torch

import flodl

TENSOR_LISTS = {
    "one-element rows": lambda m: [m.tensor([1.5]), m.tensor([2.0]), m.tensor([-3.0])],
    "0-d and [[x]]": lambda m: [m.tensor([[1.0]]), m.tensor(3.0)],
    "nested": lambda m: [[m.tensor([1.0])], [m.tensor(2.0)]],
    "int32 items": lambda m: [m.tensor(1, dtype=m.int32), m.tensor([2], dtype=m.int32)],
    "with a float": lambda m: [m.tensor([1], dtype=m.int32), 2.5],
    "float64 wins": lambda m: [m.tensor(0.1, dtype=m.float64), m.tensor(2.0)],
    "bools": lambda m: [m.tensor(True), m.tensor([False])],
    "bfloat16": lambda m: [m.tensor(1.5, dtype=m.bfloat16)],
    "a tuple": lambda m: (m.tensor([1]), m.tensor([2])),
}


@pytest.mark.parametrize("make", TENSOR_LISTS.values(), ids=TENSOR_LISTS)
@pytest.mark.parametrize("how", ["tensor", "as_tensor"])
def test_a_list_of_one_element_tensors_is_a_list_of_their_numbers(make, how) -> None:
    # `torch.tensor([loss_a, loss_b])` of shape-[1] tensors is of shape [2]:
    # an [N, 1] result would broadcast into other numbers.
    got, want = getattr(flodl, how)(make(flodl)), getattr(torch, how)(make(torch))
    assert got.shape == want.shape and str(got.dtype)[6:] == str(want.dtype)[6:]
    assert got.tolist() == want.tolist()


def test_a_tensor_of_several_numbers_in_a_list_is_refused_as_torch() -> None:
    with pytest.raises(ValueError, match="only one element tensors"):
        torch.tensor([torch.ones(2), torch.ones(2)])
    with pytest.raises(flodl.ShapeError, match="only one element tensors.*shape \\[2\\]"):
        flodl.tensor([flodl.ones(2), flodl.ones(2)])
    with pytest.raises(ValueError, match="only one element tensors"):
        flodl.tensor([[flodl.ones(0)]])
