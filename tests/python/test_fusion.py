"""``nn.utils.fuse_conv_bn_eval`` / ``fuse_linear_bn_eval`` (and their
``*_weights`` halves) against torch's: the same folded weights to the bit,
the fused layer computing ``bn(layer(x))``, torch's checks; ``skip_init``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils as TU

import flodl
from flodl.nn import utils as U


def layers(lib, make, features, seed=0):
    """``make(lib)`` and a BatchNorm of ``features`` with running statistics
    and affine parameters from ``seed``, both in evaluation mode."""
    rng = np.random.default_rng(seed)
    lib.manual_seed(0)
    layer = make(lib)
    bn = (lib.nn.BatchNorm1d if isinstance(layer, lib.nn.Linear) else lib.nn.BatchNorm2d)(features)
    with lib.no_grad():
        bn.running_mean.copy_(lib.tensor(rng.standard_normal(features).astype(np.float32)))
        bn.running_var.copy_(lib.tensor(rng.random(features).astype(np.float32) + 0.5))
        bn.weight.copy_(lib.tensor(rng.standard_normal(features).astype(np.float32)))
        bn.bias.copy_(lib.tensor(rng.standard_normal(features).astype(np.float32)))
    return layer.eval(), bn.eval()


CASES = {
    "conv": (lambda lib: lib.nn.Conv2d(3, 4, 3), 4, False, (2, 3, 6, 6)),
    "conv-no-bias": (lambda lib: lib.nn.Conv2d(3, 4, 3, bias=False), 4, False, (2, 3, 6, 6)),
    "conv-transpose": (lambda lib: lib.nn.ConvTranspose2d(3, 4, 3), 4, True, (2, 3, 5, 5)),
    "linear": (lambda lib: lib.nn.Linear(5, 4), 4, None, (6, 5)),
    "linear-one-feature": (lambda lib: lib.nn.Linear(5, 4), 1, None, (6, 5)),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fused_layers_are_torch_s_and_compute_bn_of_the_layer(case) -> None:
    make, features, transpose, input_shape = CASES[case]
    fused = []
    for lib, utils in ((torch, TU), (flodl, U)):
        layer, bn = layers(lib, make, features)
        if transpose is None:
            fused.append((utils.fuse_linear_bn_eval(layer, bn), layer, bn))
        else:
            fused.append((utils.fuse_conv_bn_eval(layer, bn, transpose=transpose), layer, bn))
    (theirs, _, _), (ours, layer, bn) = fused
    for name in ("weight", "bias"):
        got, want = getattr(ours, name), getattr(theirs, name)
        assert type(got) is flodl.nn.Parameter and got.requires_grad == want.requires_grad
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    assert ours is not layer, "a copy; the layer itself is left as it was"
    if features == 1:
        return  # a one-feature batch norm folds in by broadcasting; it takes no such input
    x = flodl.tensor(np.random.default_rng(5).standard_normal(input_shape).astype(np.float32))
    np.testing.assert_allclose(
        ours(x).detach().numpy(), bn(layer(x)).detach().numpy(), rtol=1e-5, atol=1e-5
    )


def test_fusion_refuses_what_torch_refuses() -> None:
    layer, bn = layers(flodl, lambda lib: lib.nn.Linear(5, 3), 3)
    with pytest.raises(AssertionError, match="only for eval"):
        U.fuse_linear_bn_eval(layer.train(), bn)
    with pytest.raises(AssertionError, match="out_features == bn.num_features"):
        U.fuse_linear_bn_eval(flodl.nn.Linear(5, 2).eval(), bn)
    with pytest.raises(flodl.ArgumentError, match="fuse_conv_bn_weights"):
        U.fuse_conv_bn_weights(flodl.ones(3), None, flodl.zeros(3), flodl.ones(3), 1e-5, None, None)


def test_skip_init_makes_the_module_as_torch_asks() -> None:
    layer = U.skip_init(flodl.nn.Linear, 3, 2, bias=False)
    assert type(layer) is flodl.nn.Linear and list(layer.weight.shape) == [2, 3]
    assert layer.bias is None

    class NoDevice(flodl.nn.Module):
        def __init__(self, n):
            super().__init__()

    with pytest.raises(RuntimeError, match="support a 'device' arg"):
        U.skip_init(NoDevice, 3)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        U.skip_init(len, 3)
