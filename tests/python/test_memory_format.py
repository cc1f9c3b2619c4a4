"""Memory layouts (``memory_format=``) and ``storage_offset``, against
PyTorch: strides, layout checks, values and gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import flodl


def both(make):
    """``make(m)`` for torch and flodl."""
    return make(torch), make(flodl)


def strides_agree(make) -> None:
    expected, got = both(make)
    assert tuple(got) == tuple(expected)


def nchw(m, shape=(2, 3, 4, 5)):
    return m.arange(int(np.prod(shape)), dtype=m.float32).reshape(*shape)


def test_the_names_are_torch_s() -> None:
    assert repr(flodl.channels_last) == "flodl.channels_last"
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert isinstance(getattr(flodl, name), flodl.memory_format)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: nchw(m).contiguous(memory_format=m.channels_last).stride(),
        lambda m: nchw(m, (2, 3, 4, 5, 6)).contiguous(memory_format=m.channels_last_3d).stride(),
        lambda m: nchw(m).to(memory_format=m.channels_last).stride(),
        lambda m: nchw(m).contiguous(memory_format=m.channels_last).clone().stride(),
        lambda m: (
            nchw(m)
            .contiguous(memory_format=m.channels_last)
            .clone(memory_format=m.contiguous_format)
            .stride()
        ),
        lambda m: nchw(m).clone(memory_format=m.channels_last).stride(),
        lambda m: m.zeros_like(nchw(m).contiguous(memory_format=m.channels_last)).stride(),
        lambda m: m.ones_like(
            nchw(m).contiguous(memory_format=m.channels_last), memory_format=m.contiguous_format
        ).stride(),
        lambda m: m.full_like(nchw(m), 2.0, memory_format=m.channels_last).stride(),
        lambda m: m.randn_like(nchw(m), memory_format=m.channels_last).stride(),
        lambda m: m.nn.Conv2d(3, 4, 3).to(memory_format=m.channels_last).weight.stride(),
        # one channel (or 1x1 pixels) is ambiguous: `to` lays it out anew,
        # `contiguous` keeps it, as torch's
        lambda m: [
            nchw(m, (2, 1, 4, 4)).to(memory_format=m.channels_last).stride(),
            nchw(m, (2, 1, 4, 4)).contiguous(memory_format=m.channels_last).stride(),
            nchw(m, (2, 3, 1, 1)).to(memory_format=m.channels_last).stride(),
            m.nn.Conv2d(1, 8, 3).to(memory_format=m.channels_last).weight.stride(),
        ],
        lambda m: [
            m.empty(2, 3, 4, 5, memory_format=m.channels_last).stride(),
            m.empty((2, 3, 4, 5, 6), memory_format=m.channels_last_3d).stride(),
            m.empty(2, 3, memory_format=m.contiguous_format).stride(),
        ],
        # preserve_format keeps any dense layout, and picks one for the rest
        lambda m: [m.zeros_like(nchw(m).transpose(1, 3)).stride()],
        lambda m: [m.empty_like(nchw(m)[:, ::2].permute(0, 2, 3, 1)).stride()],
        lambda m: [
            m.full_like(nchw(m, (4, 5)).t(), 1).stride(),
            m.ones_like(nchw(m, (4, 5)).t()).stride(),
        ],
        lambda m: [nchw(m)[1:].storage_offset(), nchw(m)[:, 1, 2].storage_offset()],
    ],
)
def test_layouts_and_offsets_are_torch_s(make) -> None:
    strides_agree(make)


def test_layout_checks_are_torch_s() -> None:
    for m in (torch, flodl):
        c = nchw(m).contiguous(memory_format=m.channels_last)
        assert not c.is_contiguous() and c.is_contiguous(memory_format=m.channels_last)
        assert nchw(m).to(memory_format=m.contiguous_format).is_contiguous()
        x = nchw(m)
        assert x.to(memory_format=m.contiguous_format) is x  # nothing to change


def test_values_and_gradients_go_through_a_relayout() -> None:
    results = []
    for m in (torch, flodl):
        x = nchw(m).requires_grad_()
        conv = m.nn.Conv2d(3, 2, 3)
        with m.no_grad():
            conv.weight.copy_(m.arange(54, dtype=m.float32).reshape(2, 3, 3, 3) / 50)
            conv.bias.zero_()
        conv = conv.to(memory_format=m.channels_last)
        y = conv(x.contiguous(memory_format=m.channels_last))
        (y * y).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy(), conv.weight.grad.numpy()))
    for expected, got in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_wrong_layouts_are_errors_naming_the_op() -> None:
    with pytest.raises(RuntimeError):
        nchw(torch)[0].contiguous(memory_format=torch.channels_last)
    # The message names the method the user called.
    three_d = nchw(flodl)[0]
    with pytest.raises(flodl.ShapeError, match="^contiguous: required rank 4 tensor"):
        three_d.contiguous(memory_format=flodl.channels_last)
    with pytest.raises(flodl.ShapeError, match="^clone: required rank 4 tensor"):
        three_d.clone(memory_format=flodl.channels_last)
    with pytest.raises(flodl.ShapeError, match="^to: required rank 4 tensor"):
        three_d.to(memory_format=flodl.channels_last)
    with pytest.raises(flodl.ArgumentError, match="contiguous: memory_format must be one of"):
        nchw(flodl).contiguous(memory_format=flodl.memory_format("nhwc"))
    with pytest.raises(TypeError, match="zeros_like: memory_format must be a string, got int"):
        flodl.zeros_like(nchw(flodl), memory_format=1)
    with pytest.raises(flodl.ShapeError, match="rand_like: required rank 4 tensor"):
        flodl.rand_like(nchw(flodl)[0], memory_format=flodl.channels_last)


LAID_OUT = [
    lambda m: nchw(m).contiguous(memory_format=m.channels_last),
    lambda m: nchw(m, (2, 3, 4, 5, 6)).contiguous(memory_format=m.channels_last_3d),
    lambda m: nchw(m, (4, 20)).t(),
    lambda m: nchw(m)[:, :, ::2],
]


@pytest.mark.parametrize("source", LAID_OUT)
@pytest.mark.parametrize(
    "draw",
    [
        lambda m, x: m.rand_like(x),
        lambda m, x: m.randn_like(x, dtype=m.float64),
        lambda m, x: m.randint_like(x, 3, 90),
        lambda m, x: m.rand_like(x, memory_format=m.contiguous_format),
    ],
)
def test_random_likes_draw_torch_s_values_in_its_memory_order(source, draw) -> None:
    results = []
    for m in (torch, flodl):
        x = source(m)
        m.manual_seed(7)
        results.append(draw(m, x))
    expected, got = results
    assert tuple(got.stride()) == tuple(expected.stride())
    assert got.dtype.name == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_a_one_channel_convolution_in_channels_last_is_torch_s() -> None:
    results = []
    for m in (torch, flodl):
        m.manual_seed(0)
        x = m.randn(2, 1, 6, 6)
        conv = m.nn.Conv2d(1, 8, 3, padding=1).to(memory_format=m.channels_last)
        y = conv(x.to(memory_format=m.channels_last))
        (y * y).sum().backward()
        results.append((tuple(y.stride()), y.detach().numpy(), conv.weight.grad.numpy()))
    (strides, *expected), (got_strides, *got) = results
    assert got_strides == strides
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)
