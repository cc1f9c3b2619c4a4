"""backward frees the graph at once: 10,000 training steps keep the live
handle count and the process's resident memory flat."""

from __future__ import annotations

import gc
import os

import flodl
from flodl import Tensor, Variable


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_backward_frees_the_graph_at_once() -> None:
    w = Variable(Tensor.randn([64, 64]), True)
    before = flodl.live_tensor_count()
    loss = Variable(Tensor.randn([8, 64])).matmul(w).tanh().sum()
    assert flodl.live_tensor_count() == before + 1  # the graph's handles belong to libtorch
    loss.backward()
    del loss
    assert flodl.live_tensor_count() == before


def test_ten_thousand_training_steps_stay_flat() -> None:
    flodl.manual_seed(0)
    params = [Variable(Tensor.randn([16, 16]).mul_scalar(0.1), True) for _ in range(3)]
    x, target = Tensor.randn([8, 16]), Tensor.randn([8, 16])

    def step() -> None:
        h = Variable(x)
        for w in params[:-1]:
            h = h.matmul(w).relu()
        loss = (h.matmul(params[-1]) - target).pow_scalar(2.0).mean()
        loss.backward()
        for i, w in enumerate(params):
            params[i] = Variable(w.data - w.grad.mul_scalar(0.01), True)

    for _ in range(500):  # warm-up: allocator caches, lazy initialisation
        step()
    gc.collect()
    handles, rss = flodl.live_tensor_count(), rss_bytes()
    for _ in range(10_000):
        step()
    gc.collect()
    assert flodl.live_tensor_count() == handles
    grown = rss_bytes() - rss
    assert grown < 8 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB over 10,000 steps"
