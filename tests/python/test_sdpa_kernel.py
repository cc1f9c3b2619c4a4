"""sdpa_kernel / SDPBackend and torch.backends.cuda's kernel switches: the
kernels scaled_dot_product_attention may run, set in libtorch, against
torch's own context manager on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl
import flodl.backends.cuda as flodl_cuda
from flodl.nn.attention import SDPBackend, sdpa_kernel


def _qkv():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((2, 4, 64, 32)).astype(np.float32) for _ in range(3)]


@pytest.mark.parametrize(
    "backends",
    [[SDPBackend.MATH], [SDPBackend.FLASH_ATTENTION], SDPBackend.MATH, None],
)
def test_each_kernel_gives_torch_s_numbers_for_the_same_choice(backends) -> None:
    q, k, v = _qkv()
    chosen = [SDPBackend.MATH, SDPBackend.FLASH_ATTENTION] if backends is None else backends
    theirs_chosen = (
        [getattr(torch.nn.attention.SDPBackend, b.name) for b in chosen]
        if isinstance(chosen, list)
        else getattr(torch.nn.attention.SDPBackend, chosen.name)
    )
    with sdpa_kernel(chosen):
        ours = flodl.nn.functional.scaled_dot_product_attention(
            *(flodl.tensor(x) for x in (q, k, v)), is_causal=True
        )
    with torch.nn.attention.sdpa_kernel(theirs_chosen):
        theirs = torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(x) for x in (q, k, v)), is_causal=True
        )
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_the_switches_are_libtorch_s_and_restored_after_the_block() -> None:
    assert flodl_cuda.flash_sdp_enabled() and flodl_cuda.math_sdp_enabled()
    with sdpa_kernel([SDPBackend.MATH]):
        assert flodl_cuda.math_sdp_enabled() and not flodl_cuda.flash_sdp_enabled()
        assert not torch.backends.cuda.flash_sdp_enabled()  # one libtorch
    assert flodl_cuda.flash_sdp_enabled() and flodl_cuda.mem_efficient_sdp_enabled()
    flodl_cuda.enable_flash_sdp(False)
    try:
        assert not flodl_cuda.flash_sdp_enabled()
    finally:
        flodl_cuda.enable_flash_sdp(True)
    with pytest.raises(RuntimeError), sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        raise RuntimeError("left through an exception")
    assert flodl_cuda.math_sdp_enabled()


def test_no_kernel_that_fits_and_bad_choices_are_errors() -> None:
    q, k, v = (flodl.tensor(x) for x in _qkv())
    no_kernel = pytest.raises(
        flodl.FlodlError, match="scaled_dot_product_attention: No viable backend"
    )
    with no_kernel, sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):  # a CUDA kernel only
        flodl.nn.functional.scaled_dot_product_attention(q, k, v)
    with (
        pytest.raises(flodl.ArgumentError, match="sdpa_kernel: backends must be"),
        sdpa_kernel([SDPBackend.ERROR]),
    ):
        pass
    with (
        pytest.raises(flodl.ArgumentError, match="set_priority"),
        sdpa_kernel([SDPBackend.MATH], set_priority=True),
    ):
        pass
    assert flodl_cuda.flash_sdp_enabled()
