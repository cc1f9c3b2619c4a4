"""``flodl.nn.utils.prune`` against ``torch.nn.utils.prune``: the same
masks, the same module layout (``_orig``, ``_mask``, the hook), and
PyTorch's errors; the tutorial's walk-through is tests/dropin/pruning_tutorial.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as torch_prune

import flodl
from flodl.nn.utils import prune

W = np.random.default_rng(0).standard_normal((6, 4, 3)).astype(np.float32)


def linear_pair() -> tuple[flodl.nn.Module, torch.nn.Module]:
    ours, theirs = flodl.nn.Conv1d(4, 6, 3), torch.nn.Conv1d(4, 6, 3)
    with flodl.no_grad():
        ours.weight.copy_(flodl.from_numpy(W.copy()))
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(W.copy()))
    return ours, theirs


@pytest.mark.parametrize(
    "how",
    [
        ("l1_unstructured", {"amount": 0.3}),
        ("l1_unstructured", {"amount": 7}),
        ("ln_structured", {"amount": 0.5, "n": 2, "dim": 0}),
        ("ln_structured", {"amount": 1, "n": 1, "dim": -1}),
        ("ln_structured", {"amount": 2, "n": float("inf"), "dim": 1}),
        ("random_unstructured", {"amount": 0.4}),
        ("random_structured", {"amount": 0.5, "dim": 0}),
        ("identity", {}),
    ],
    ids=lambda h: f"{h[0]}-{h[1]}",
)
def test_masks_and_layout_are_torch_s(how) -> None:
    name, kwargs = how
    ours, theirs = linear_pair()
    for lib, module, mod in ((flodl, ours, prune), (torch, theirs, torch_prune)):
        lib.manual_seed(3)
        getattr(mod, name)(module, "weight", **kwargs)
        if name.startswith("l1"):  # a second method: a PruningContainer
            mod.l1_unstructured(module, "weight", amount=0.2)
    np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert prune.is_pruned(ours)
    prune.remove(ours, "weight")
    torch_prune.remove(theirs, "weight")
    assert not prune.is_pruned(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())


def test_the_mask_follows_training_and_global_pruning_is_torch_s() -> None:
    pairs = [linear_pair(), linear_pair()]
    ours = [(m, "weight") for m, _ in pairs] + [(pairs[0][0], "bias")]
    theirs = [(t, "weight") for _, t in pairs] + [(pairs[0][1], "bias")]
    prune.global_unstructured(ours, prune.L1Unstructured, amount=0.25)
    torch_prune.global_unstructured(theirs, torch_prune.L1Unstructured, amount=0.25)
    for (m, n), (t, tn) in zip(ours, theirs):
        np.testing.assert_array_equal(
            getattr(m, n + "_mask").numpy(), getattr(t, tn + "_mask").numpy()
        )
    x = np.random.default_rng(1).standard_normal((2, 4, 9)).astype(np.float32)
    for lib, (module, _) in ((flodl, ours[0]), (torch, theirs[0])):
        opt = lib.optim.SGD(module.parameters(), lr=0.5)
        module(lib.from_numpy(x.copy())).pow(2).sum().backward()
        opt.step()
        module(lib.from_numpy(x.copy()))  # the hook recomputes weight
    m, t = ours[0][0], theirs[0][0]
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-6)
    assert (m.weight.detach().numpy()[m.weight_mask.numpy() == 0] == 0).all()


def test_bad_arguments_are_torch_s_errors() -> None:
    module = flodl.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="amount=1.5 should either be a float"):
        prune.l1_unstructured(module, "weight", amount=1.5)
    with pytest.raises(TypeError, match="Invalid type for amount"):
        prune.l1_unstructured(module, "weight", amount="half")
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(module, "weight", amount=7)
    # Nothing half-done: the failed call left the parameter a parameter
    # (registered again, last, as torch's rollback does).
    theirs = torch.nn.Linear(3, 2)
    with pytest.raises(ValueError):
        torch_prune.l1_unstructured(theirs, "weight", amount=7)
    assert [n for n, _ in module.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert not module._forward_pre_hooks and not dict(module.named_buffers())
    with pytest.raises(ValueError, match="Structured pruning can only be applied"):
        prune.ln_structured(module, "bias", amount=1, n=2, dim=0)
    with pytest.raises(ValueError, match="has to be pruned before"):
        prune.remove(module, "weight")
    with pytest.raises(TypeError, match='Only "unstructured"'):
        prune.global_unstructured([(module, "weight")], prune.LnStructured, amount=1, n=2)


@pytest.mark.parametrize(
    "steps",
    [
        [("ln_structured", {"amount": 2, "n": 2, "dim": 0})] * 2,
        [("l1_unstructured", {"amount": 0.3}), ("ln_structured", {"amount": 1, "n": 1, "dim": 1})],
        [("random_structured", {"amount": 1, "dim": 0}), ("random_unstructured", {"amount": 0.5})],
        [("ln_structured", {"amount": 1, "n": 2, "dim": -1}), ("l1_unstructured", {"amount": 5})],
    ],
    ids=lambda steps: "+".join(name for name, _ in steps),
)
def test_pruning_a_pruned_parameter_again_counts_what_is_left_as_torch(steps) -> None:
    ours, theirs = linear_pair()
    for lib, module, mod in ((flodl, ours, prune), (torch, theirs, torch_prune)):
        lib.manual_seed(5)
        for name, kwargs in steps:
            getattr(mod, name)(module, "weight", **kwargs)
    np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())


def test_global_pruning_with_flat_importance_scores_is_torch_s() -> None:
    (ours, theirs), (ours2, theirs2) = linear_pair(), linear_pair()
    flat = np.random.default_rng(3).standard_normal(W.size).astype(np.float32)
    prune.global_unstructured(
        [(ours, "weight"), (ours2, "weight")],
        prune.L1Unstructured,
        importance_scores={(ours, "weight"): flodl.tensor(flat)},
        amount=20,
    )
    torch_prune.global_unstructured(
        [(theirs, "weight"), (theirs2, "weight")],
        torch_prune.L1Unstructured,
        importance_scores={(theirs, "weight"): torch.tensor(flat)},
        amount=20,
    )
    for m, t in ((ours, theirs), (ours2, theirs2)):
        assert list(m.weight_mask.shape) == list(t.weight_mask.shape)
        np.testing.assert_array_equal(m.weight_mask.numpy(), t.weight_mask.numpy())


def test_global_pruning_of_pruned_parameters_is_torch_s() -> None:
    (ours, theirs), (ours2, theirs2) = linear_pair(), linear_pair()
    prune.l1_unstructured(ours, "weight", amount=0.5)
    torch_prune.l1_unstructured(theirs, "weight", amount=0.5)
    prune.global_unstructured([(ours, "weight"), (ours2, "weight")], prune.L1Unstructured, amount=9)
    torch_prune.global_unstructured(
        [(theirs, "weight"), (theirs2, "weight")], torch_prune.L1Unstructured, amount=9
    )
    np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())
    np.testing.assert_array_equal(ours2.weight_mask.numpy(), theirs2.weight_mask.numpy())


class EveryOther(prune.BasePruningMethod):
    """A user's method: prunes every other entry still kept."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        mask = default_mask.clone()
        mask.view(-1)[::2] = 0
        return mask


class Refuses(prune.BasePruningMethod):
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        raise KeyError("no mask today")


def test_a_user_method_composes_and_its_exception_comes_out_as_itself() -> None:
    module = flodl.nn.Linear(4, 1)
    prune.l1_unstructured(module, "weight", amount=2)
    EveryOther.apply(module, "weight")
    kept_first = module.weight_orig.detach().abs().numpy()[0].argsort()[2:]
    expected = np.zeros(4, dtype=np.float32)
    expected[np.sort(kept_first)[1::2]] = 1  # every other of the two kept
    np.testing.assert_array_equal(module.weight_mask.numpy()[0], expected)
    with pytest.raises(KeyError, match="no mask today"):
        Refuses.apply(module, "weight")
