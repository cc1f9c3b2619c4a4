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


INDEX_KEYS = [
    "[:, -1, :]",
    "[0, :]",
    "[:, :]",
    "[...]",
    "[0:3]",
    "[0:100]",
    "[::1]",
    "[:, 0:4]",
    "[:, 0:100]",
    "[:, -4:]",
    "[None, :]",
    "[..., 0]",
    "[:, :, None]",
    "[:2, :]",
    "[0][:]",
    "[:, [0, 1]]",
    "[:, :, [0, 1]]",
    "[(slice(None),)]",
    "[0:3,]",
]


@pytest.mark.parametrize("key", INDEX_KEYS)
def test_an_index_records_the_nodes_torch_records(key) -> None:
    # print(lstm_out[:, -1, :]) shows grad_fn=<SelectBackward0>: a slice over
    # a whole dim in a tuple is no op, an index that does nothing an alias
    # (a bare slice still slices).
    def chain(m):
        x = m.ones(3, 4, 5, requires_grad=True) * 1
        node, names = eval(f"x{key}", {"x": x}).grad_fn, []
        while node is not None and node.name() != "MulBackward0":
            names.append(node.name())
            node = node.next_functions[0][0]
        return names

    assert chain(flodl) == chain(torch)


def test_an_alias_index_shares_the_values_and_the_gradient() -> None:
    x = flodl.zeros(2, 3, requires_grad=True) * 1
    y = x[:, :]
    assert y is not x and y.data_ptr() == x.data_ptr()
    y[0, 0].backward()
    x2 = flodl.zeros(2, 3)
    x2[...].add_(1)
    assert x2.tolist() == [[1.0] * 3] * 2
