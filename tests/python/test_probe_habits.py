"""What a probe of twenty more real programs (distillation, hand-written
RNNs, statistics helpers, printing) found, each against torch itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl

RNG = np.random.default_rng(7)
LOGITS = RNG.standard_normal((4, 5))
TEACHER = RNG.standard_normal((4, 5))


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.1, "reduction": "sum"}], ids=str)
def test_distillation_target_that_requires_grad_gets_its_gradient(kwargs) -> None:
    """F.cross_entropy against a teacher's softmax that was not detached: the
    gradient reaches the teacher too, as in torch."""

    def run(m):
        student = m.tensor(LOGITS, requires_grad=True)
        teacher = m.tensor(TEACHER, requires_grad=True)
        target = m.nn.functional.softmax(teacher / 2.0, dim=1)
        loss = m.nn.functional.cross_entropy(student, target, **kwargs)
        loss.backward()
        return loss.detach().numpy(), student.grad.numpy(), teacher.grad.numpy()

    for got, want in zip(run(flodl), run(torch), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    with pytest.raises(flodl.ShapeError, match="soft_cross_entropy"):
        flodl.nn.functional.cross_entropy(flodl.zeros(4, 5), flodl.zeros(4, 4, requires_grad=True))


WRITES = {
    "setitem": lambda m, t, h: t.__setitem__(0, h[1]),
    "setitem mask": lambda m, t, h: t.__setitem__(m.tensor([True, False, True]), h[:2]),
    "index_add_": lambda m, t, h: t.index_add_(0, m.tensor([0, 2]), h[:2]),
    "scatter_add_": lambda m, t, h: t.scatter_add_(0, m.tensor([2, 2]), h[:2]),
    "copy_": lambda m, t, h: t.copy_(h),
    "index_put_": lambda m, t, h: t.index_put_((m.tensor([1]),), h[:1], accumulate=True),
    "lerp_": lambda m, t, h: t.lerp_(h, 0.25),
    "scatter_": lambda m, t, h: t.scatter_(0, m.tensor([1, 0]), h[:2]),
    "+=": lambda m, t, h: t.__iadd__(h),
    "add_ alpha": lambda m, t, h: t.add_(h, alpha=2.0),
    "*=": lambda m, t, h: t.__imul__(h),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_tensor_written_from_a_graph_joins_it_as_torch_s(name) -> None:
    """A hand-written RNN's ``out[t] = h``, a GNN's ``agg.index_add_(0, i,
    msg)``, ``acc += h``: the tensor written joins the graph in place, as in
    torch, and the gradient reaches what was written."""

    def run(m):
        w = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = w * 3.0
        target = m.ones(3)
        alias = target  # every reference sees the change
        result = WRITES[name](m, target, h)
        assert result is None or result is target
        joined = (alias.requires_grad, alias.is_leaf, isinstance(alias, m.Tensor))
        (alias * alias).sum().backward()
        return joined, alias.detach().numpy(), w.grad.numpy()

    got, want = run(flodl), run(torch)
    assert got[0] == want[0] == (True, False, True)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6)


def test_a_tensor_written_without_recording_stays_a_tensor() -> None:
    w = flodl.tensor([1.0, 2.0], requires_grad=True)
    t = flodl.zeros(2)
    with flodl.no_grad():
        t[0] = w[1]
        t.add_(w)
    t.copy_(w.detach())
    assert type(t) is flodl.Tensor and not t.requires_grad
    ints = flodl.zeros(2, dtype=flodl.int64)
    ints.copy_(w * 2)  # the values, but no gradient into integers, as torch
    assert type(ints) is flodl.Tensor and ints.tolist() == [2, 4]
    with pytest.raises(flodl.ShapeError):  # a failed write: nothing half-done
        t.copy_(flodl.ones(3, requires_grad=True))
    assert type(t) is flodl.Tensor and not t.requires_grad


def test_printing_an_optimizer_of_two_groups_and_a_plateau_state_as_torch() -> None:
    def run(m):
        a, b = m.nn.Parameter(m.zeros(2)), m.nn.Parameter(m.zeros(1))
        opt = m.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        plateau = m.optim.lr_scheduler.ReduceLROnPlateau(opt)
        return repr(opt), list(plateau.state_dict())

    got, want = run(flodl), run(torch)
    assert got[0] == want[0]
    assert got[1] == want[1]


def test_conjugate_transposes_of_real_tensors_as_torch() -> None:
    a = RNG.standard_normal((2, 3, 4))
    f, t = flodl.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(f.mH.numpy(), t.mH.numpy())
    np.testing.assert_array_equal(f.adjoint().numpy(), t.adjoint().numpy())
    np.testing.assert_array_equal(f[0].H.numpy(), t[0].H.numpy())
    with pytest.raises(flodl.ShapeError, match="mH"):
        _ = f.H


def test_the_legacy_new_constructor_as_torch_s() -> None:
    """Older code's ``weight.new(B, H).zero_()`` and ``x.new([1, 2])``."""

    def run(m):
        x = m.ones(2, dtype=m.float64)
        made = [
            x.new(2, 3).zero_(),
            x.new(m.Size([4])).fill_(1.0),
            x.new([1, 2]),
            x.new((1, 2)),
            x.new(),
            x.new(m.tensor([5.0, 6.0], dtype=m.float64)),
        ]
        return [(tuple(t.shape), str(t.dtype).split(".")[-1], t.tolist()) for t in made]

    assert run(flodl) == run(torch)


def test_a_clone_prints_as_torch_s() -> None:
    for m in (flodl, torch):
        x = m.ones(2, requires_grad=True)
        assert type(x.clone().grad_fn).__name__ == "CloneBackward0"
    a = flodl.randn(3, 4).t()
    assert a.clone().stride() == torch.randn(3, 4).t().clone().stride()  # strides kept


def test_a_view_of_a_tensor_does_not_join_a_graph_alone() -> None:
    """Its base would take the graph too, and could not follow as an object:
    an AutogradError with the way, and nothing written."""
    w = flodl.tensor([1.0, 2.0], requires_grad=True)
    buf = flodl.zeros(4)
    for write in (
        lambda v: v.copy_(w * 3),
        lambda v: v.__iadd__(w),
        lambda v: v.__setitem__(0, w[0]),
    ):
        with pytest.raises(flodl.AutogradError, match="view of another"):
            write(buf[:2])
    assert type(buf) is flodl.Tensor and not buf.requires_grad and buf.tolist() == [0.0] * 4
    buf[:2] = w * 3  # through the tensor itself: it joins
    assert buf.requires_grad and buf.tolist() == [3.0, 6.0, 0.0, 0.0]


def test_a_tensor_that_joined_a_graph_prints_as_torch_s() -> None:
    def run(m):
        w = m.tensor([1.0, 2.0], requires_grad=True)
        out = m.zeros(2)
        out[0] = w[1] * 2
        return repr(out)

    assert run(flodl) == run(torch)  # grad_fn=<CopySlices>
