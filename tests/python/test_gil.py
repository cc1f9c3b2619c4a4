"""The heavy calls (nn functions, large matmuls, backward) release the GIL,
so other Python threads run during their kernels."""

from __future__ import annotations

import sys
import threading
import time

import pytest

import flodl
from flodl import Tensor, Variable


def other_thread_ran_during(call) -> bool:
    """Whether a spinning thread advanced while `call()` ran. The switch
    interval is raised for the check, so the spinner gets the GIL only when
    the main thread gives it up: by releasing it, or in time.sleep."""
    counter = 0
    stop = False

    def spin() -> None:
        nonlocal counter
        while not stop:
            counter += 1
            if counter % 1000 == 0:
                time.sleep(0)  # hands the GIL back to the main thread

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.02)
        before = counter
        call()
        after = counter
    finally:
        stop = True
        spinner.join()
        sys.setswitchinterval(interval)
    return after > before


@pytest.mark.parametrize(
    "name,call",
    [
        (
            "conv2d",
            lambda: flodl.conv2d(Tensor.randn([4, 16, 128, 128]), Tensor.randn([16, 16, 3, 3])),
        ),
        ("matmul", lambda: Tensor.randn([1024, 1024]).matmul(Tensor.randn([1024, 1024]))),
        ("@", lambda: Variable(Tensor.randn([1024, 1024])) @ Tensor.randn([1024, 1024])),
    ],
)
def test_heavy_calls_release_the_gil(name, call) -> None:
    assert other_thread_ran_during(call), name


def test_backward_releases_the_gil() -> None:
    w = Variable(Tensor.randn([1024, 1024]), True)
    loss = w.matmul(Tensor.randn([1024, 1024])).sum()
    assert other_thread_ran_during(loss.backward)


def test_small_ops_keep_the_gil() -> None:
    x = Tensor.randn([4])
    assert not other_thread_ran_during(lambda: x.matmul(x))
