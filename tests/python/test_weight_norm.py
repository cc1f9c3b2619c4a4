"""nn.utils.weight_norm / remove_weight_norm against torch's: the split
parameters, the forward, the gradients of g and v, and the removal."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
from flodl import nn

RNG = np.random.default_rng(0)
# torch deprecates its nn.utils.weight_norm (for parametrizations); the tests
# compare with it all the same.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated")


def twins(kind: str, *args: object) -> tuple[nn.Module, torch.nn.Module]:
    ours = getattr(nn, kind)(*args).double()
    theirs = getattr(torch.nn, kind)(*args).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize(
    "kind,args,dim,shape",
    [
        ("Linear", (4, 3), 0, (2, 4)),
        ("Linear", (4, 3), None, (2, 4)),
        ("Conv1d", (2, 3, 3), 0, (1, 2, 7)),
        ("Conv1d", (2, 3, 3), 1, (1, 2, 7)),
    ],
)
def test_weight_norm_trains_as_torch_s(kind, args, dim, shape) -> None:
    ours, theirs = twins(kind, *args)
    assert nn.utils.weight_norm(ours, dim=dim) is ours
    torch.nn.utils.weight_norm(theirs, dim=dim)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12, err_msg=name)
    x = RNG.standard_normal(shape)
    for step in range(2):  # the weight is recomputed from g and v before each call
        out = ours(flodl.Tensor.from_numpy(x))
        t_out = theirs(torch.from_numpy(x))
        np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
        out.pow(2).sum().backward()
        t_out.pow(2).sum().backward()
        for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, err_msg=name)
        with flodl.no_grad(), torch.no_grad():
            for p, q in zip(ours.parameters(), theirs.parameters()):
                p.sub_(p.grad * 0.1)
                q.sub_(q.grad * 0.1)
                p.grad = q.grad = None
    assert set(ours.state_dict()) == set(theirs.state_dict())
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    np.testing.assert_allclose(
        ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12
    )
    assert isinstance(ours.weight, nn.Parameter)


def test_weight_norm_refuses_what_torch_refuses() -> None:
    layer = nn.utils.weight_norm(nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="two weight_norm hooks"):
        nn.utils.weight_norm(layer)
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_weight_norm(nn.Linear(3, 2))
    with pytest.raises(flodl.ArgumentError, match="no parameter 'bias'"):
        nn.utils.weight_norm(nn.Linear(3, 2, bias=False), name="bias")
