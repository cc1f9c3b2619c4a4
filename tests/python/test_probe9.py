"""Findings of the ninth drop-in probe: PyTorch programs that ran
differently on flodl, each kept here as the reproduction it was."""

import numpy as np
import pytest
import torch

import flodl


def test_the_hint_for_torch_fft_keeps_the_gradient() -> None:
    """Following the AttributeError's hint (torch's function between
    to_torch and Variable.from_torch), the gradient reaches the parameter."""
    with pytest.raises(AttributeError, match="Variable.from_torch") as caught:
        flodl.fft  # noqa: B018
    assert "Tensor.from_torch" not in str(caught.value)
    p = flodl.nn.Parameter(flodl.tensor([1.0, 2.0, -1.0, 0.5]))
    y = flodl.Variable.from_torch(torch.fft.rfft(p.to_torch()).abs()).sum()
    y.backward()
    tp = torch.tensor([1.0, 2.0, -1.0, 0.5], requires_grad=True)
    torch.fft.rfft(tp).abs().sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)
