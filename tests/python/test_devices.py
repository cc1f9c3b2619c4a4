"""flodl on an accelerator against torch on the same device: every op-info
sample forward and backward, device-mismatch errors for every op family,
out-of-memory recovery and half-precision dtypes. The devices come from
FLODL_TEST_DEVICES (default "cuda"; a device this machine lacks skips).
`FLODL_TEST_DEVICES=cpu pytest tests/python/test_devices.py` runs the same
checks on the CPU, which is how the harness itself is tested here."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from op_info import OP_INFOS, OpInfo
from test_ops import make_inputs, outputs, weights

import flodl
from flodl import Tensor, Variable

DEVICES = os.environ.get("FLODL_TEST_DEVICES", "cuda").split(",")


def available(device: str) -> bool:
    return device == "cpu" or (device.startswith("cuda") and flodl.cuda_available())


def on(device: str):
    return pytest.mark.skipif(not available(device), reason=f"no {device} here")


CASES = [
    pytest.param(info, i, device, id=f"{device}-{info.name}-{i}", marks=on(device))
    for device in DEVICES
    for info in OP_INFOS
    if info.kind != "static" and not info.in_place
    for i in range(len(info.samples))
]


def _kwargs(kwargs: dict, device: str, flodl_side: bool) -> dict:
    """Arrays among the arguments as tensors on `device` (float64 floats)."""
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            t = torch.from_numpy(v.astype(np.float64) if v.dtype.kind == "f" else v).to(device)
            v = Tensor.from_torch(t) if flodl_side else t
        out[k] = v
    return out


def _flodl_call(info: OpInfo, operands, kwargs):
    if info.random:
        flodl.manual_seed(0)
    if info.kind == "nn":
        return getattr(flodl, info.name)(**dict(zip(info.operand_names, operands)), **kwargs)
    if info.operand_names:
        named = dict(zip(info.operand_names, operands[1:]))
        return getattr(operands[0], info.name)(**named, **kwargs)
    return getattr(operands[0], info.name)(*operands[1:], **kwargs)


def _torch_call(info: OpInfo, tensors, kwargs):
    if info.random:
        torch.manual_seed(0)
    if info.kind == "nn":
        return info.torch_fn(**dict(zip(info.operand_names, tensors)), **kwargs)
    return info.torch_fn(*tensors, **kwargs)


def _numpy(x) -> np.ndarray:
    t = x if isinstance(x, torch.Tensor) else x.to_torch()
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("info,index,device", CASES)
def test_forward_and_backward_match_torch_on_the_device(info: OpInfo, index: int, device: str):
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    grads = info.differentiable
    t_in = [torch.from_numpy(a).to(device).requires_grad_(grads) for a in arrays]
    t_out = outputs(_torch_call(info, t_in, _kwargs(sample.kwargs, device, False)))
    wrap = (
        (lambda t: Variable.from_torch(t.detach().clone().requires_grad_(grads)))
        if (info.kind != "tensor")
        else (lambda t: Tensor.from_torch(t.detach().clone()))
    )
    f_in = [wrap(t) for t in t_in]
    f_out = outputs(_flodl_call(info, f_in, _kwargs(sample.kwargs, device, True)))
    assert len(f_out) == len(t_out)
    for f, t in zip(f_out, t_out):
        assert f.device.type == torch.device(device).type
        np.testing.assert_allclose(_numpy(f), _numpy(t), rtol=1e-7, atol=1e-9)
    if not grads:
        return
    ws = weights([o.detach().cpu() for o in t_out])
    t_terms = [
        (o * torch.from_numpy(w).to(device)).sum() for o, w in zip(t_out, ws) if w is not None
    ]
    sum(t_terms).backward()
    f_terms = [
        (o * Tensor.from_torch(torch.from_numpy(w).to(device))).sum()
        for o, w in zip(f_out, ws)
        if w is not None
    ]
    loss = f_terms[0]
    for term in f_terms[1:]:
        loss = loss + term
    loss.backward()
    for f, t in zip(f_in, t_in):
        expected = np.zeros(t.shape) if t.grad is None else t.grad.cpu().numpy()
        got = np.zeros(t.shape) if f.grad is None else _numpy(f.grad)
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9)


# One op of each family with two tensor operands, the second left on the CPU.
MIXED = [
    ("add", lambda a, b: a.add(b), [(3,), (3,)]),
    ("matmul", lambda a, b: a.matmul(b), [(2, 3), (3, 2)]),
    ("linear", lambda a, b: flodl.linear(a, b), [(2, 3), (4, 3)]),
    ("conv2d", lambda a, b: flodl.conv2d(a, b), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    ("cat", lambda a, b: Tensor.cat_many([a, b], 0), [(2,), (2,)]),
    ("index_select", lambda a, b: a.index_select(0, b.to_dtype(flodl.DType.Int64)), [(3,), (2,)]),
    ("mse_loss", lambda a, b: flodl.mse_loss(a, b), [(3,), (3,)]),
    ("masked_fill", lambda a, b: a.masked_fill(b.gt_scalar(0.0), 1.0), [(3,), (3,)]),
]


@pytest.mark.parametrize(
    "name,op,shapes,device",
    [
        pytest.param(*m, d, id=f"{d}-{m[0]}", marks=on(d))
        for d in DEVICES
        if d != "cpu"
        for m in MIXED
    ],
)
def test_mixed_devices_are_device_errors(name, op, shapes, device) -> None:
    a = Tensor.zeros(list(shapes[0])).to(device)
    b = Tensor.zeros(list(shapes[1]))
    with pytest.raises(flodl.DeviceError):
        op(a, b)


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in DEVICES])
def test_out_of_memory_is_an_error_and_the_process_goes_on(device: str) -> None:
    with pytest.raises(flodl.OutOfMemoryError):
        Tensor.zeros([1 << 22, 1 << 22], device=device)
    assert Tensor.ones([4], device=device).sum().item() == 4.0


@pytest.mark.parametrize(
    "device,dtype",
    [
        pytest.param(d, dt, id=f"{d}-{dt}", marks=on(d))
        for d in DEVICES
        for dt in ("float16", "bfloat16")
    ],
)
def test_half_precision_ops_match_torch(device: str, dtype: str) -> None:
    t_dtype = getattr(torch, dtype)
    rng = np.random.default_rng(0)
    a = torch.from_numpy(rng.standard_normal((4, 8))).to(device, t_dtype)
    b = torch.from_numpy(rng.standard_normal((8, 3))).to(device, t_dtype)
    fa, fb = Tensor.from_torch(a), Tensor.from_torch(b)
    pairs = [
        (fa.matmul(fb), a @ b),
        (fa.relu().sum(), a.relu().sum()),
        (fa.softmax(-1), a.softmax(-1)),
        (flodl.layer_norm(fa, [8]), torch.nn.functional.layer_norm(a, (8,))),
    ]
    for f, t in pairs:
        assert f.dtype.name == dtype
        np.testing.assert_allclose(
            f.to_torch().float().cpu().numpy(), t.float().cpu().numpy(), rtol=1e-2, atol=1e-2
        )


# ----- mixed precision and CUDA graphs (SPEC §13) -----

CUDA_DEVICES = [d for d in DEVICES if d.startswith("cuda")]


@pytest.mark.parametrize(
    "info,index,device,dtype",
    [
        pytest.param(info, i, d, dt, id=f"{d}-{dt}-{info.name}-{i}", marks=on(d))
        for d in CUDA_DEVICES
        for dt in ("float16", "bfloat16")
        for info in OP_INFOS
        if info.kind != "static" and not info.in_place
        for i in range(len(info.samples))
    ],
)
def test_cuda_autocast_matches_torch(info: OpInfo, index: int, device: str, dtype: str) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float32)
    t_in = [torch.from_numpy(a.copy()).to(device) for a in arrays]
    kwargs = {
        k: (torch.from_numpy(v.astype(np.float32) if v.dtype.kind == "f" else v).to(device))
        if isinstance(v, np.ndarray)
        else v
        for k, v in sample.kwargs.items()
    }
    kind = torch.device(device).type
    with torch.autocast(kind, dtype=getattr(torch, dtype)):
        expected = outputs(_torch_call(info, t_in, kwargs))
    f_kwargs = {
        k: Tensor.from_torch(v) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()
    }
    f_in = [Tensor.from_torch(t.clone()) for t in t_in]
    with flodl.autocast(kind, dtype=getattr(flodl, dtype)):
        got = outputs(_flodl_call(info, f_in, f_kwargs))
    for g, e in zip(got, expected):
        assert g.dtype.name == str(e.dtype).removeprefix("torch."), info.name
        np.testing.assert_allclose(
            _wide(g.to_torch()), _wide(e), rtol=2e-3, atol=2e-3, err_msg=info.name
        )


def _wide(t: torch.Tensor) -> np.ndarray:
    """A tensor's values in numpy, half floats widened (numpy has no bfloat16)."""
    t = t.detach().cpu()
    return (t.double() if t.is_floating_point() else t).numpy()


def _mlp_weights(device: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    shapes = ((32, 16), (32,), (4, 32), (4,))
    return [
        torch.from_numpy(rng.standard_normal(s).astype(np.float32) * 0.3).to(device) for s in shapes
    ]


def _flodl_mlp(weights):
    ws = [Variable.from_torch(w.clone().requires_grad_(True)) for w in weights]
    return ws, lambda x: flodl.linear(flodl.linear(x, ws[0], ws[1]).relu(), ws[2], ws[3])


def _batches(device: str, n: int, rows: int = 8):
    rng = np.random.default_rng(1)
    return [
        (
            torch.from_numpy(rng.standard_normal((rows, 16)).astype(np.float32)).to(device),
            torch.from_numpy(rng.standard_normal((rows, 4)).astype(np.float32)).to(device),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
@pytest.mark.parametrize("amp", [False, True], ids=["fp32", "bf16-scaler"])
def test_graphed_step_equals_eager_steps(device: str, amp: bool) -> None:
    weights = _mlp_weights(device)
    batches = _batches(device, 20)
    warmup = 3
    runs = []
    for graphed in (False, True):
        ws, model = _flodl_mlp(weights)
        opt = flodl.optim.Adam(ws, lr=1e-2, fused=True, capturable=True)
        kind = torch.device(device).type
        scaler = flodl.amp.GradScaler(kind, init_scale=1024.0, enabled=amp)

        def step(x, y, ws=ws, model=model, opt=opt, scaler=scaler, kind=kind):
            opt.zero_grad(set_to_none=True)
            with flodl.autocast(kind, dtype=flodl.bfloat16, enabled=amp):
                loss = flodl.mse_loss(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            return loss

        xs = [(Tensor.from_torch(x), Tensor.from_torch(y)) for x, y in batches]
        losses = []
        if graphed:
            run = flodl.cuda.graphed_step(step, *xs[0], warmup=warmup)
            for x, y in xs:
                losses.append(run(x, y).item())
        else:
            for _ in range(warmup):  # what the graphed step's warm-up trains
                step(*xs[0])
            for x, y in xs:
                losses.append(step(x, y).item())
        runs.append((losses, [w.data.to_torch().cpu().numpy() for w in ws]))
    (eager_losses, eager_ws), (graph_losses, graph_ws) = runs
    tol = 1e-6 if not amp else 1e-3
    np.testing.assert_allclose(graph_losses, eager_losses, rtol=tol, atol=tol)
    for g, e in zip(graph_ws, eager_ws):
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol)


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_graphed_step_checks_the_batch_and_recaptures(device: str) -> None:
    weights = _mlp_weights(device)
    ws, model = _flodl_mlp(weights)
    opt = flodl.optim.SGD(ws, lr=1e-2)

    def step(x, y):
        opt.zero_grad()
        loss = flodl.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    (x, y), (x2, y2) = _batches(device, 1)[0], _batches(device, 1, rows=5)[0]
    run = flodl.cuda.graphed_step(step, Tensor.from_torch(x), Tensor.from_torch(y))
    with pytest.raises(flodl.ArgumentError, match=r"shape \[5, 16\].*recapture"):
        run(Tensor.from_torch(x2), Tensor.from_torch(y2))
    with pytest.raises(flodl.ArgumentError, match="batch tensors"):
        run(Tensor.from_torch(x))
    again = flodl.cuda.graphed_step(
        step, Tensor.from_torch(x), Tensor.from_torch(y), recapture=True
    )
    loss = again(Tensor.from_torch(x2), Tensor.from_torch(y2))
    assert loss.shape == () and np.isfinite(loss.item())


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_recapture_trains_one_step_per_batch(device: str) -> None:
    # Batches of two shapes, alternating: each call is one training step,
    # the first of a new shape included (run eagerly, then captured).
    weights = _mlp_weights(device)
    batches = [b for pair in zip(_batches(device, 4), _batches(device, 4, rows=5)) for b in pair]
    runs = []
    for graphed in (False, True):
        ws, model = _flodl_mlp(weights)
        opt = flodl.optim.Adam(ws, lr=1e-2, fused=True)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad(set_to_none=False)  # one set of gradients for every graph
            loss = flodl.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        xs = [(Tensor.from_torch(x), Tensor.from_torch(y)) for x, y in batches]
        losses = []
        run = flodl.cuda.graphed_step(step, *xs[0], warmup=1, recapture=True) if graphed else step
        if not graphed:
            step(*xs[0])  # what the graphed step's warm-up trains
        for x, y in xs:
            losses.append(run(x, y).item())
        grads = [w.grad.to_torch().cpu().numpy() for w in ws]
        runs.append((losses, [w.data.to_torch().cpu().numpy() for w in ws], grads))
    for got, expected in zip(runs[1], runs[0]):
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_cuda_graph_replays_a_captured_forward(device: str) -> None:
    weights = _mlp_weights(device)
    _, model = _flodl_mlp(weights)
    static_x = Tensor.from_torch(_batches(device, 1)[0][0].clone())
    g = flodl.cuda.CUDAGraph()
    with flodl.no_grad():
        model(static_x)  # warm-up outside the capture
        with flodl.cuda.graph(g):
            static_out = model(static_x)
        for x, _ in _batches(device, 3):
            static_x.copy_(Tensor.from_torch(x))
            g.replay()
            np.testing.assert_allclose(
                _numpy(static_out), _numpy(model(Tensor.from_torch(x))), rtol=1e-6, atol=1e-6
            )
    other = flodl.cuda.CUDAGraph()
    with flodl.no_grad(), flodl.cuda.graph(other, pool=g.pool()):
        model(static_x)
    assert isinstance(flodl.cuda.graph_pool_handle(), tuple)


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_grad_scaler_skips_inf_steps_on_cuda(device: str) -> None:
    w = Variable.from_torch(torch.ones(3, device=device, requires_grad=True))
    t_w = torch.ones(3, device=device, requires_grad=True)
    opt, t_opt = flodl.optim.Adam([w], lr=0.1), torch.optim.Adam([t_w], lr=0.1, fused=True)
    kind = torch.device(device).type
    sc = flodl.amp.GradScaler(kind, init_scale=8.0)
    t_sc = torch.amp.GradScaler(kind, init_scale=8.0)
    for factor in (1.0, float("inf"), 1.0, float("nan"), 1.0):
        for x, o, s in ((w, opt, sc), (t_w, t_opt, t_sc)):
            o.zero_grad()
            s.scale((x * x).sum() * factor).backward()
            s.step(o)
            s.update()
        assert sc.get_scale() == t_sc.get_scale()
        np.testing.assert_allclose(_numpy(w), _numpy(t_w), rtol=1e-6)


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_cuda_memory_statistics_and_properties(device: str) -> None:
    flodl.cuda.reset_peak_memory_stats()
    before = flodl.cuda.memory_allocated()
    x = Tensor.zeros([1 << 20], device=device)
    assert flodl.cuda.memory_allocated() >= before + 4 * (1 << 20)
    assert flodl.cuda.max_memory_allocated() >= flodl.cuda.memory_allocated()
    assert flodl.cuda.memory_reserved() >= flodl.cuda.memory_allocated()
    del x
    flodl.cuda.empty_cache()
    assert flodl.cuda.get_device_name() == torch.cuda.get_device_name(0)
    props = flodl.cuda.get_device_properties()
    assert props.total_memory == torch.cuda.get_device_properties(0).total_memory


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_streams_events_and_pinned_copies(device: str) -> None:
    s = flodl.cuda.Stream()
    default = flodl.cuda.current_stream()
    assert s != default and s.device == flodl.Device(device)
    x = Tensor.ones([1 << 16], device=device)
    start, end = flodl.cuda.Event(enable_timing=True), flodl.cuda.Event(enable_timing=True)
    s.wait_stream(default)
    with flodl.cuda.stream(s):
        assert flodl.cuda.current_stream() == s
        start.record()
        y = (x * 2).sum()
        end.record()
    assert flodl.cuda.current_stream() == default
    default.wait_stream(s)
    end.synchronize()
    assert end.query() and start.elapsed_time(end) >= 0.0
    assert y.item() == 2.0 * (1 << 16)
    event = s.record_event()
    default.wait_event(event)
    s.synchronize()
    assert s.query()
    host = flodl.arange(8.0).pin_memory()
    assert host.is_pinned()
    moved = host.to(device, non_blocking=True)
    flodl.cuda.synchronize()
    assert moved.to("cpu").tolist() == host.tolist()


@pytest.mark.parametrize("device", [pytest.param(d, marks=on(d)) for d in CUDA_DEVICES])
def test_make_graphed_callables_trains_as_eager(device: str) -> None:
    batches = _batches(device, 6)
    runs = []
    for graphed in (False, True):
        flodl.manual_seed(0)
        model = flodl.nn.Sequential(
            flodl.nn.Linear(16, 32), flodl.nn.ReLU(), flodl.nn.Linear(32, 4)
        ).to(device)
        opt = flodl.optim.SGD(model.parameters(), lr=0.05)
        x0 = Tensor.from_torch(batches[0][0])
        if graphed:
            model = flodl.cuda.make_graphed_callables(model, (x0,))
        else:  # what the graphing's warm-up ran: forward and backward, no step
            for _ in range(3):
                out = model(x0)
                flodl.autograd.grad(out.sum(), list(model.parameters()))
        losses = []
        for x, y in batches:
            opt.zero_grad()
            loss = flodl.mse_loss(model(Tensor.from_torch(x)), Tensor.from_torch(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(losses)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-6, atol=1e-7)
    # Two stages of one model in one pool: forwards in order, backwards in
    # reverse, each stage's graphs replayed as it was captured.
    runs = []
    for graphed in (False, True):
        flodl.manual_seed(0)
        first = flodl.nn.Sequential(flodl.nn.Linear(16, 32), flodl.nn.ReLU()).to(device)
        second = flodl.nn.Linear(32, 4).to(device)
        opt = flodl.optim.SGD([*first.parameters(), *second.parameters()], lr=0.05)
        if graphed:
            h0 = Variable.from_torch(torch.zeros(8, 32, device=device, requires_grad=True))
            pool = flodl.cuda.graph_pool_handle()
            first, second = flodl.cuda.make_graphed_callables(
                (first, second), ((Tensor.from_torch(batches[0][0]),), (h0,)), pool=pool
            )
        losses = []
        for x, y in batches:
            opt.zero_grad()
            loss = flodl.mse_loss(second(first(Tensor.from_torch(x))), Tensor.from_torch(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(losses)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-6, atol=1e-7)
    fn = flodl.cuda.make_graphed_callables(
        lambda a: (a * 2).sum(), (Tensor.from_torch(batches[0][0]),)
    )
    assert fn(Tensor.from_torch(batches[1][0])).item() == pytest.approx(
        float(batches[1][0].sum() * 2), rel=1e-5
    )
