"""Mixed precision (SPEC §13) on the CPU: autocast against torch.autocast
for every op-info sample, nesting, threads and the decorator; GradScaler's
arithmetic against torch.amp.GradScaler (scale growth and backoff, skipped
steps, unscale_ then clipping, the fused and unfused paths, state dicts)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from op_info import OP_INFOS, OpInfo
from test_ops import call, call_torch, make_inputs, outputs

import flodl
from flodl import Tensor

CASES = [
    pytest.param(info, i, id=f"{info.name}-{i}")
    for info in OP_INFOS
    for i in range(len(info.samples))
]


def _numpy(x) -> np.ndarray:
    t = x if isinstance(x, torch.Tensor) else x.to_torch()
    t = t.detach()
    return (t.double() if t.is_floating_point() else t).numpy()


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("info,index", CASES)
def test_cpu_autocast_matches_torch_for_every_op(info: OpInfo, index: int, dtype: str) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float32)
    t_in = [torch.from_numpy(a.copy()) for a in arrays]
    with torch.autocast("cpu", dtype=getattr(torch, dtype)):
        expected = outputs(call_torch(info, t_in, sample.kwargs, np.float32))
    f_in = [Tensor.from_numpy(a.copy()) for a in arrays]
    with flodl.autocast("cpu", dtype=getattr(flodl, dtype)):
        got = outputs(call(info, f_in, sample.kwargs, np.float32))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype.name == str(e.dtype).removeprefix("torch."), info.name
        np.testing.assert_allclose(_numpy(g), _numpy(e), rtol=1e-6, atol=1e-6, err_msg=info.name)


def test_autocast_casts_matmul_and_keeps_softmax_as_torch() -> None:
    a, b = flodl.randn(4, 8), flodl.randn(8, 3)
    with flodl.autocast("cpu"):
        assert flodl.is_autocast_enabled("cpu")
        assert flodl.get_autocast_dtype("cpu") == flodl.bfloat16
        assert a.matmul(b).dtype == flodl.bfloat16
    assert not flodl.is_autocast_enabled("cpu")
    assert a.matmul(b).dtype == flodl.float32


def test_autocast_nests_and_restores() -> None:
    a = flodl.randn(2, 2)
    with flodl.autocast("cpu", dtype=flodl.bfloat16):
        with flodl.autocast("cpu", dtype=flodl.float16):
            assert a.matmul(a).dtype == flodl.float16
            with flodl.autocast("cpu", enabled=False):
                assert a.matmul(a).dtype == flodl.float32
                assert not flodl.is_autocast_enabled("cpu")
            assert a.matmul(a).dtype == flodl.float16
        assert a.matmul(a).dtype == flodl.bfloat16
        assert flodl.get_autocast_dtype("cpu") == flodl.bfloat16
    assert a.matmul(a).dtype == flodl.float32


def test_autocast_is_per_thread() -> None:
    a = flodl.randn(2, 2)
    seen = []

    def other() -> None:
        seen.append((flodl.is_autocast_enabled("cpu"), a.matmul(a).dtype))

    with flodl.autocast("cpu"):
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert a.matmul(a).dtype == flodl.bfloat16
    assert seen == [(False, flodl.float32)]


def test_autocast_as_a_decorator_and_after_an_exception() -> None:
    @flodl.amp.autocast("cpu")
    def product(x):
        return x.matmul(x)

    a = flodl.randn(2, 2)
    assert product(a).dtype == flodl.bfloat16
    with pytest.raises(ZeroDivisionError), flodl.autocast("cpu"):
        raise ZeroDivisionError
    assert not flodl.is_autocast_enabled("cpu")
    assert a.matmul(a).dtype == flodl.float32


def test_autocast_arguments_are_checked() -> None:
    with pytest.raises(flodl.ArgumentError, match="device_type"):
        flodl.autocast("mps").__enter__()
    with pytest.raises(TypeError):
        flodl.autocast(0)
    with pytest.raises(flodl.DTypeError, match="bfloat16 or float16"):
        flodl.autocast("cpu", dtype=flodl.float32).__enter__()
    # Disabled, the dtype is not checked (as torch).
    with flodl.autocast("cpu", dtype=flodl.float32, enabled=False):
        assert not flodl.is_autocast_enabled("cpu")
    assert not flodl.is_autocast_enabled("cpu")


@pytest.mark.skipif(flodl.cuda_available(), reason="checks the machine without CUDA")
def test_cuda_autocast_without_cuda_warns_and_stays_off() -> None:
    with pytest.warns(UserWarning, match="CUDA is not available"), flodl.autocast("cuda"):
        assert not flodl.is_autocast_enabled("cuda")


def test_checkpoint_recomputes_in_the_forward_s_autocast_state_as_torch() -> None:
    """Backward runs outside the region; the recomputation must not (it gave
    float32 gradients, or a dtype error for the bfloat16 input of the second
    block). Each weight is used in one block: where a weight's cached cast is
    shared with code outside the block, PyTorch sums the gradients of both
    uses in bfloat16 before the cast back, flodl in float32 (the recomputed
    block has a graph of its own), a difference at bfloat16's precision."""
    results = []
    for m in (torch, flodl):
        checkpoint = (torch.utils.checkpoint if m is torch else flodl.utils.checkpoint).checkpoint
        m.manual_seed(0)
        conv, conv2 = m.nn.Conv1d(2, 2, 3), m.nn.Conv1d(2, 3, 2)
        x = m.randn(1, 2, 5, requires_grad=True)
        with m.autocast("cpu", dtype=m.bfloat16):
            y = checkpoint(lambda t, conv=conv: conv(t).relu() * 2, x, use_reentrant=False)
            z = checkpoint(lambda t, conv2=conv2: conv2(t).sigmoid(), y, use_reentrant=False)
        assert str(z.dtype).endswith("bfloat16")
        z.float().sum().backward()
        assert not m.is_autocast_enabled("cpu")
        results.append([conv.weight.grad.numpy(), conv2.weight.grad.numpy(), x.grad.numpy()])
    for expected, got in zip(*results):
        np.testing.assert_array_equal(got, expected)


def test_a_training_step_under_autocast_matches_torch() -> None:
    rng = np.random.default_rng(0)
    w1, w2 = (
        rng.standard_normal((16, 8)).astype(np.float32),
        rng.standard_normal((4, 16)).astype(np.float32),
    )
    x, y = (
        rng.standard_normal((5, 8)).astype(np.float32),
        rng.standard_normal((5, 4)).astype(np.float32),
    )

    tw = [torch.tensor(w, requires_grad=True) for w in (w1, w2)]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = torch.nn.functional.linear(torch.tensor(x), tw[0]).relu()
        out = torch.nn.functional.linear(h, tw[1])
        t_loss = torch.nn.functional.mse_loss(out, torch.tensor(y))
    t_loss.backward()

    fw = [flodl.tensor(w, requires_grad=True) for w in (w1, w2)]
    with flodl.autocast("cpu", dtype=flodl.bfloat16):
        h = flodl.nn.functional.linear(flodl.tensor(x), fw[0]).relu()
        out = flodl.nn.functional.linear(h, fw[1])
        f_loss = flodl.nn.functional.mse_loss(out, flodl.tensor(y))
    f_loss.backward()

    assert f_loss.dtype.name == str(t_loss.dtype).removeprefix("torch.")
    assert f_loss.item() == t_loss.item()
    for f, t in zip(fw, tw):
        assert f.grad.dtype == flodl.float32
        np.testing.assert_array_equal(_numpy(f.grad), _numpy(t.grad))


# ----- GradScaler -----


def _models(seed: int = 0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(s).astype(np.float32) for s in ((6, 4), (6,), (3, 6))]
    return [torch.tensor(w, requires_grad=True) for w in ws], [
        flodl.tensor(w, requires_grad=True) for w in ws
    ]


def _loss(lib, ws, x, poison: bool):
    h = lib.nn.functional.linear(x, ws[0], ws[1]).tanh()
    loss = lib.nn.functional.linear(h, ws[2]).pow(2).mean()
    return loss * float("inf") if poison else loss


@pytest.mark.parametrize(
    "make_opt",
    [
        pytest.param(lambda lib, ps: lib.optim.Adam(ps, lr=0.01, fused=True), id="adam-fused"),
        pytest.param(
            lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9, fused=True), id="sgd-fused"
        ),
        pytest.param(lambda lib, ps: lib.optim.Adagrad(ps, lr=0.1, fused=True), id="adagrad-fused"),
        pytest.param(lambda lib, ps: lib.optim.RMSprop(ps, lr=0.01), id="rmsprop"),
        pytest.param(lambda lib, ps: lib.optim.NAdam(ps, lr=0.01), id="nadam"),
    ],
)
@pytest.mark.parametrize("unscale_first", [False, True])
def test_grad_scaler_matches_torch(make_opt, unscale_first: bool) -> None:
    tw, fw = _models()
    t_opt, f_opt = make_opt(torch, tw), make_opt(flodl, fw)
    kw = {"init_scale": 8.0, "growth_interval": 2}
    t_sc, f_sc = torch.amp.GradScaler("cpu", **kw), flodl.amp.GradScaler("cpu", **kw)
    rng = np.random.default_rng(1)
    for step in range(9):
        x = rng.standard_normal((5, 4)).astype(np.float32)
        poison = step in (3, 4, 7)
        for lib, ws, opt, sc in ((torch, tw, t_opt, t_sc), (flodl, fw, f_opt, f_sc)):
            opt.zero_grad()
            sc.scale(_loss(lib, ws, lib.tensor(x), poison)).backward()
            if unscale_first:
                sc.unscale_(opt)
                lib.nn.utils.clip_grad_norm_(ws, 1.0)
            sc.step(opt)
            sc.update()
        assert f_sc.get_scale() == t_sc.get_scale(), step
        assert f_sc.state_dict() == t_sc.state_dict(), step
        for f, t in zip(fw, tw):
            np.testing.assert_allclose(
                _numpy(f), _numpy(t), rtol=1e-6, atol=1e-7, err_msg=str(step)
            )
    t_state = t_opt.state_dict()["state"]
    f_state = f_opt.state_dict()["state"]
    for i, entries in t_state.items():
        for name, value in entries.items():
            np.testing.assert_allclose(
                _numpy(f_state[i][name]), _numpy(value), rtol=1e-6, atol=1e-7, err_msg=name
            )


def test_grad_scaler_scales_nested_outputs_and_states() -> None:
    sc = flodl.amp.GradScaler("cpu", init_scale=4.0)
    a, b = flodl.ones(2), flodl.ones(3, requires_grad=True)
    out = sc.scale([a, (b, a)])
    assert isinstance(out, list) and isinstance(out[1], tuple)
    assert out[0].tolist() == [4.0, 4.0] and out[1][0].requires_grad
    with pytest.raises(TypeError, match="outputs must be a Tensor"):
        sc.scale("loss")
    saved = sc.state_dict()
    other = flodl.amp.GradScaler("cpu")
    other.load_state_dict(saved)
    assert other.get_scale() == 4.0 and other.state_dict() == saved
    with pytest.raises(flodl.ArgumentError, match="empty"):
        other.load_state_dict(flodl.amp.GradScaler("cpu", enabled=False).state_dict())
    sc.update(2.0)
    assert sc.get_scale() == 2.0
    sc.update(flodl.tensor([0.5]))
    assert sc.get_scale() == 0.5


def test_grad_scaler_stage_errors_as_torch() -> None:
    w = flodl.ones(2, requires_grad=True)
    opt = flodl.optim.SGD([w], lr=0.1)
    sc = flodl.amp.GradScaler("cpu")
    with pytest.raises(flodl.ArgumentError, match="scale"):
        sc.step(opt)
    sc.scale((w * 2).sum()).backward()
    sc.unscale_(opt)
    with pytest.raises(flodl.ArgumentError, match="already"):
        sc.unscale_(opt)
    sc.step(opt)
    with pytest.raises(flodl.ArgumentError, match="already"):
        sc.step(opt)
    with pytest.raises(flodl.ArgumentError, match="after step"):
        sc.unscale_(opt)
    sc.update()
    with pytest.raises(flodl.ArgumentError, match="no inf checks"):
        sc.update()
    with pytest.raises(flodl.ArgumentError, match="closure"):
        sc.step(opt, closure=lambda: 0.0)
    half = flodl.ones(2, dtype=flodl.float16, requires_grad=True)
    (half * 2).sum().backward()
    sgd = flodl.optim.RMSprop([half], lr=0.1)
    sc.scale(flodl.ones(1))
    with pytest.raises(flodl.ArgumentError, match="float16"):
        sc.unscale_(sgd)


def test_grad_scaler_disabled_passes_through() -> None:
    w = flodl.ones(2, requires_grad=True)
    opt = flodl.optim.SGD([w], lr=0.5)
    sc = flodl.amp.GradScaler("cpu", enabled=False)
    loss = (w * 2).sum()
    assert sc.scale(loss) is loss
    loss.backward()
    sc.step(opt)
    sc.update()
    assert w.tolist() == [0.0, 0.0]
    assert sc.get_scale() == 1.0 and sc.state_dict() == {}


def test_grad_scaler_returns_the_step_result_and_keeps_exceptions() -> None:
    class Counting(flodl.optim.SGD):
        def step(self, closure=None):
            super().step(closure)
            return "stepped"

    class Failing(flodl.optim.RMSprop):
        def step(self, closure=None):
            raise KeyError("mine")

    w = flodl.ones(2, requires_grad=True)
    sc = flodl.amp.GradScaler("cpu")
    sc.scale((w * 2).sum()).backward()
    assert sc.step(Counting([w], lr=0.1)) == "stepped"
    sc.update()
    sc.scale((w * 2).sum()).backward()
    with pytest.raises(KeyError, match="mine"):
        sc.step(Failing([w], lr=0.1))


def test_the_older_spellings_are_autocast_and_grad_scaler_with_torch_s_warning() -> None:
    """``flodl.cpu.amp``/``flodl.cuda.amp`` (``torch.cpu.amp``/``torch.cuda.amp``):
    importable, warning as PyTorch's, and the same regions and scaler."""
    import flodl.cuda.amp as cuda_amp
    from flodl.cpu.amp import autocast as cpu_autocast

    a, b = flodl.randn(4, 8), flodl.randn(8, 3)
    with pytest.warns(FutureWarning, match="flodl.amp.autocast"):
        region = cpu_autocast()
    with region:
        assert a.matmul(b).dtype == flodl.bfloat16
    with pytest.warns(FutureWarning):
        region = flodl.cpu.amp.autocast(dtype=flodl.float16)
    with region:
        assert a.matmul(b).dtype == flodl.float16
    with pytest.warns(FutureWarning):
        torch_region = torch.cpu.amp.autocast(dtype=torch.float16)
    with torch_region:
        assert torch.randn(4, 8).matmul(torch.randn(8, 3)).dtype == torch.float16
    with pytest.warns(FutureWarning, match="GradScaler"):
        scaler = cuda_amp.GradScaler(init_scale=8.0, growth_interval=3, enabled=False)
    assert isinstance(scaler, flodl.amp.GradScaler) and not scaler.is_enabled()
    assert isinstance(scaler, cuda_amp.GradScaler)
    assert scaler.get_growth_interval() == 3


def test_older_autocast_queries_answer_as_torch_s_and_warn() -> None:
    names = ["get_autocast_cpu_dtype", "get_autocast_gpu_dtype", "is_autocast_cpu_enabled"]

    def answers(m):
        with pytest.warns(DeprecationWarning):
            outside = [getattr(m, n)() for n in names]
        with m.autocast("cpu"), pytest.warns(DeprecationWarning):
            inside = [getattr(m, n)() for n in names]
        return [str(a).replace("torch.", "").replace("flodl.", "") for a in outside + inside]

    assert answers(flodl) == answers(torch)
