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
