"""flodl.cuda's graphs, graphed step and statistics where no GPU is: every
argument check of the graphed step runs before anything is captured, and
each CUDA-only call is a DeviceError (the memory counts are 0, as torch's). tests/python/test_devices.py runs
graphs and the graphed step on a GPU (the bundle of `make gpu-bundle`)."""

from __future__ import annotations

import pytest

import flodl

no_cuda = pytest.mark.skipif(flodl.cuda_available(), reason="checks the machine without CUDA")


def test_graphed_step_checks_its_arguments() -> None:
    calls = []

    def step(x):
        calls.append(x)
        return x.sum()

    with pytest.raises(flodl.DeviceError, match="batch tensor 0 is on cpu"):
        flodl.cuda.graphed_step(step, flodl.ones(2, 3))
    with pytest.raises(flodl.ArgumentError, match="at least one batch tensor"):
        flodl.cuda.graphed_step(step)
    with pytest.raises(TypeError, match="callable"):
        flodl.cuda.graphed_step(3, flodl.ones(2))
    with pytest.raises(TypeError, match="must be Tensors"):
        flodl.cuda.graphed_step(step, [1.0, 2.0])
    for bad in (-1, 0):
        with pytest.raises(flodl.ArgumentError, match="warmup"):
            flodl.cuda.graphed_step(step, flodl.ones(2), warmup=bad)
    with pytest.raises(TypeError, match="warmup must be an int"):
        flodl.cuda.graphed_step(step, flodl.ones(2), warmup="3")
    assert calls == []


def test_graph_context_takes_no_stream() -> None:
    with pytest.raises(flodl.ArgumentError, match="stream"):
        flodl.cuda.graph(object(), stream=object())


@no_cuda
def test_cuda_only_calls_are_device_errors_without_cuda() -> None:
    for call in (
        flodl.cuda.CUDAGraph,
        flodl.cuda.graph_pool_handle,
        flodl.cuda.reset_peak_memory_stats,
        flodl.cuda.get_device_name,
        flodl.cuda.get_device_properties,
    ):
        with pytest.raises(flodl.DeviceError, match="no CUDA device"):
            call()
    flodl.cuda.empty_cache()  # nothing to give back, as torch's
    # Nothing is held: memory logging runs unchanged on a CPU machine.
    import torch

    for stat in ("memory_allocated", "max_memory_allocated", "memory_reserved"):
        assert getattr(flodl.cuda, stat)() == getattr(torch.cuda, stat)() == 0
    assert flodl.cuda.max_memory_reserved(0) == 0


@no_cuda
def test_grad_scaler_on_cuda_without_cuda_warns_and_is_disabled() -> None:
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = flodl.amp.GradScaler()
    assert not scaler.is_enabled()
    loss = flodl.ones(1)
    assert scaler.scale(loss) is loss


@no_cuda
def test_streams_and_events_are_device_errors_without_cuda() -> None:
    for call in (flodl.cuda.Stream, flodl.cuda.Event, flodl.cuda.current_stream):
        with pytest.raises(flodl.DeviceError, match="no CUDA device"):
            call()
    with pytest.raises(flodl.DeviceError, match="got cpu"):
        flodl.cuda.Stream("cpu")
    with flodl.cuda.stream(None):  # None changes nothing, as torch's
        pass


def test_event_flags_flodl_lacks_are_refused() -> None:
    with pytest.raises(flodl.ArgumentError, match="interprocess"):
        flodl.cuda.Event(interprocess=True)


def test_to_takes_non_blocking_and_copy() -> None:
    x = flodl.arange(4.0)
    same = x.to("cpu")
    copied = x.to("cpu", copy=True)
    copied.add_(1.0)
    assert same.tolist() == [0.0, 1.0, 2.0, 3.0] and x.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert copied.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert x.to(flodl.float64, non_blocking=True).dtype == flodl.float64
    v = flodl.ones(2, requires_grad=True)
    w = v.to("cpu", flodl.float64, copy=True)
    w.sum().backward()
    assert v.grad.tolist() == [1.0, 1.0]


@no_cuda
def test_pin_memory_needs_cuda() -> None:
    x = flodl.ones(3)
    assert not x.is_pinned()
    with pytest.raises(flodl.DeviceError, match="pin_memory"):
        x.pin_memory()


def test_make_graphed_callables_checks_its_arguments() -> None:
    lin = flodl.nn.Linear(3, 2)
    with pytest.raises(flodl.DeviceError, match="one CUDA device"):
        flodl.cuda.make_graphed_callables(lin, (flodl.ones(4, 3),))
    with pytest.raises(TypeError, match="tuple of Tensors"):
        flodl.cuda.make_graphed_callables(lin, flodl.ones(4, 3))
    with pytest.raises(flodl.ArgumentError, match="one tuple of Tensors per callable"):
        flodl.cuda.make_graphed_callables((lin, lin), ((flodl.ones(4, 3),),))
    with pytest.raises(TypeError, match="callables"):
        flodl.cuda.make_graphed_callables(3, (flodl.ones(4, 3),))
    # pool= is taken (shared by every callable's graphs); the device check
    # comes first and names the callable.
    with pytest.raises(flodl.DeviceError, match="callable 0's tensor 0 is on cpu"):
        flodl.cuda.make_graphed_callables(
            (lin, lin), ((flodl.ones(4, 3),), (flodl.ones(4, 3),)), pool=(0, 1)
        )
    assert lin(flodl.ones(4, 3)).shape == (4, 2)  # the module is unchanged
