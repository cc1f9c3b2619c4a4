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
        (flodl.layer_norm(fa, None, None, 8), torch.nn.functional.layer_norm(a, (8,))),
    ]
    for f, t in pairs:
        assert f.dtype.name == dtype
        np.testing.assert_allclose(
            f.to_torch().float().cpu().numpy(), t.float().cpu().numpy(), rtol=1e-2, atol=1e-2
        )
