"""Rust's flodl::nn and flodl::optim against torch: examples/nn_parity.rs
builds each layer after manual_seed(0) and runs it on inputs written here
(its parameters must be torch's: same seed, same draws; its outputs
torch's; its repr torch's); examples/optim_parity.rs takes 10 steps of each
optimizer and 3 of L-BFGS (the parameters must be those of torch.optim's
default implementation) and runs each scheduler for 12 steps (the rates
and momenta must be torch's). The files go through flodl.save /
flodl::io::load and back. test_rust_activations_losses.py does the same for
the activation and loss modules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

import flodl

ROOT = Path(__file__).resolve().parent.parent.parent

# name -> (the torch layer, its input, how torch calls it)
LAYERS = {
    "linear": (lambda nn: nn.Linear(5, 4), [3, 5], None),
    "conv2d": (lambda nn: nn.Conv2d(3, 4, 3, padding=1), [2, 3, 5, 5], None),
    "conv1d": (lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [2, 3, 7], None),
    "conv3d": (lambda nn: nn.Conv3d(2, 3, 3, padding=1), [1, 2, 4, 4, 4], None),
    "conv_transpose1d": (
        lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1),
        [2, 3, 5],
        None,
    ),
    "conv_transpose2d": (lambda nn: nn.ConvTranspose2d(3, 2, 3, stride=2), [1, 3, 4, 4], None),
    "bilinear": (lambda nn: nn.Bilinear(4, 4, 3), [5, 4], lambda m, x: m(x, x)),
    "layer_norm": (lambda nn: nn.LayerNorm(6), [2, 6], None),
    "batch_norm": (lambda nn: nn.BatchNorm2d(3), [2, 3, 4, 4], None),
    "batch_norm3d_batch_stats": (
        lambda nn: nn.BatchNorm3d(2, momentum=None, affine=False, track_running_stats=False),
        [2, 2, 3, 2, 2],
        None,
    ),
    "group_norm": (lambda nn: nn.GroupNorm(2, 4), [2, 4, 3], None),
    "embedding": (lambda nn: nn.Embedding(10, 3, padding_idx=0), None, None),
    "lstm": (
        lambda nn: nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
        [2, 5, 3],
        lambda m, x: m(x)[0],
    ),
    "gru": (lambda nn: nn.GRU(3, 4), [5, 2, 3], lambda m, x: m(x)[0]),
    "rnn_relu": (
        lambda nn: nn.RNN(3, 4, 2, "relu", bidirectional=True),
        [5, 2, 3],
        lambda m, x: m(x)[0],
    ),
    "lstm_proj": (lambda nn: nn.LSTM(3, 5, 2, proj_size=2), [5, 3], lambda m, x: m(x)[0]),
    "mha": (
        lambda nn: nn.MultiheadAttention(8, 2, batch_first=True),
        [2, 5, 8],
        lambda m, x: m(x, x, x, need_weights=False)[0],
    ),
    "encoder": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
        [5, 2, 8],
        None,
    ),
    "mha_bias_kv": (
        lambda nn: nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, add_zero_attn=True),
        [5, 2, 8],
        lambda m, x: m(x, x, x, need_weights=False)[0],
    ),
    "decoder": (
        lambda nn: nn.TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", norm_first=True),
        [5, 2, 8],
        lambda m, x: m(x, x),
    ),
    "encoder_stack": (
        lambda nn: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(8, 2, 16, 0.0),
            2,
            nn.LayerNorm(8),
            enable_nested_tensor=False,
        ),
        [5, 2, 8],
        None,
    ),
    "transformer": (
        lambda nn: nn.Transformer(8, 2, 2, 1, 16, 0.0),
        [5, 2, 8],
        lambda m, x: m(x, x),
    ),
    "conv2d_options": (
        lambda nn: nn.Conv2d(
            4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2, bias=False
        ),
        [2, 4, 7, 8],
        None,
    ),
    "conv2d_same_reflect": (
        lambda nn: nn.Conv2d(3, 4, (3, 2), padding="same", padding_mode="reflect"),
        [2, 3, 5, 6],
        None,
    ),
    "conv1d_circular": (
        lambda nn: nn.Conv1d(2, 3, 3, padding=2, padding_mode="circular"),
        [2, 2, 7],
        None,
    ),
    "conv_transpose3d": (
        lambda nn: nn.ConvTranspose3d(
            4, 2, (2, 3, 2), (2, 1, 2), (0, 1, 1), (1, 0, 1), groups=2, dilation=(1, 2, 1)
        ),
        [1, 4, 3, 4, 3],
        None,
    ),
    "conv1d_depthwise": (lambda nn: nn.Conv1d(4, 8, 3, padding=1, groups=4), [2, 4, 9], None),
    "layer_norm_shape": (lambda nn: nn.LayerNorm((3, 4), eps=1e-3, bias=False), [2, 3, 4], None),
    "identity": (lambda nn: nn.Identity(), [2, 3], None),
    "flatten": (lambda nn: nn.Flatten(0, 1), [2, 3, 4], None),
    "unflatten": (lambda nn: nn.Unflatten(1, (2, -1)), [3, 6, 2], None),
    "max_pool1d": (lambda nn: nn.MaxPool1d(3, stride=2, padding=1), [2, 3, 9], None),
    "max_pool2d": (
        lambda nn: nn.MaxPool2d((2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True),
        [1, 2, 7, 8],
        None,
    ),
    "avg_pool1d": (lambda nn: nn.AvgPool1d(3, padding=1, count_include_pad=False), [2, 3, 8], None),
    "avg_pool2d": (
        lambda nn: nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0)),
        [1, 2, 7, 6],
        None,
    ),
    "adaptive_max_pool2d": (lambda nn: nn.AdaptiveMaxPool2d((2, 3)), [2, 3, 7, 8], None),
    "adaptive_avg_pool3d": (lambda nn: nn.AdaptiveAvgPool3d((2, 3, 1)), [1, 2, 5, 4, 3], None),
    "adaptive_max_pool3d": (lambda nn: nn.AdaptiveMaxPool3d((2, 1, 2)), [1, 2, 5, 4, 3], None),
    "pixel_shuffle": (lambda nn: nn.PixelShuffle(2), [1, 8, 3, 3], None),
    "channel_shuffle": (lambda nn: nn.ChannelShuffle(3), [2, 6, 2, 3], None),
    # Pairs throughout: Rust prints every option as a pair.
    "unfold": (
        lambda nn: nn.Unfold((2, 3), dilation=(1, 1), padding=(1, 0), stride=(2, 1)),
        [1, 2, 5, 6],
        None,
    ),
    "fold": (
        lambda nn: nn.Fold((4, 6), (2, 2), dilation=(1, 1), padding=(0, 0), stride=(2, 2)),
        [2, 12, 6],
        None,
    ),
    "instance_norm1d": (lambda nn: nn.InstanceNorm1d(3, affine=True), [2, 3, 7], None),
    "instance_norm2d": (lambda nn: nn.InstanceNorm2d(3), [2, 3, 4, 5], None),
    "rms_norm": (lambda nn: nn.RMSNorm(6), [2, 6], None),
    "max_pool3d": (
        lambda nn: nn.MaxPool3d(2, stride=(1, 2, 1), padding=1, ceil_mode=True),
        [1, 2, 4, 5, 4],
        None,
    ),
    "avg_pool3d": (
        lambda nn: nn.AvgPool3d((2, 3, 2), padding=1, count_include_pad=False),
        [1, 2, 4, 5, 4],
        None,
    ),
    "adaptive_avg_pool1d": (lambda nn: nn.AdaptiveAvgPool1d(3), [2, 3, 7], None),
    "reflection_pad2d": (lambda nn: nn.ReflectionPad2d((1, 2, 0, 1)), [1, 2, 3, 4], None),
    "constant_pad1d": (lambda nn: nn.ConstantPad1d(2, 3.5), [2, 3, 4], None),
    "upsample_bilinear": (
        lambda nn: nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
        [1, 2, 3, 4],
        None,
    ),
    "upsample_nearest": (lambda nn: nn.Upsample(size=(5, 7)), [1, 2, 3, 4], None),
    "instance_norm3d_stats": (
        lambda nn: nn.InstanceNorm3d(2, affine=True, track_running_stats=True),
        [2, 2, 3, 3, 3],
        None,
    ),
    "rms_norm_shape": (lambda nn: nn.RMSNorm((3, 4), eps=1e-3), [2, 3, 4], None),
    "dropout2d": (lambda nn: nn.Dropout2d(0.5), [2, 3, 4, 4], None),
    "embedding_bag": (lambda nn: nn.EmbeddingBag(10, 3), None, None),
    "rnn_cell": (lambda nn: nn.RNNCell(3, 4), [5, 3], None),
    "lstm_cell": (lambda nn: nn.LSTMCell(3, 4), [5, 3], lambda m, x: m(x)[0]),
    "gru_cell": (lambda nn: nn.GRUCell(3, 4, bias=False), [5, 3], None),
    "sequential": (
        lambda nn: nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)),
        [3, 5],
        None,
    ),
    "upsampling_nearest2d": (lambda nn: nn.UpsamplingNearest2d(scale_factor=2), [1, 2, 3, 4], None),
    "upsampling_bilinear2d": (lambda nn: nn.UpsamplingBilinear2d(size=(5, 7)), [1, 2, 3, 4], None),
    "embedding_padding_from_end": (lambda nn: nn.Embedding(10, 3, padding_idx=-2), None, None),
    "dropout": (lambda nn: nn.Dropout(0.25), [2, 3], None),
    "local_response_norm": (
        lambda nn: nn.LocalResponseNorm(3, alpha=1e-3, beta=0.5, k=2.0),
        [2, 5, 4, 3],
        None,
    ),
    "lp_pool1d": (lambda nn: nn.LPPool1d(2.0, 3, stride=2), [2, 3, 9], None),
    "lp_pool2d": (lambda nn: nn.LPPool2d(2.0, (2, 3), ceil_mode=True), [1, 2, 7, 8], None),
    "lp_pool3d": (lambda nn: nn.LPPool3d(4.0, 2), [1, 2, 4, 4, 4], None),
    "embedding_bag_options": (
        lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=2, scale_grad_by_freq=True),
        None,
        None,
    ),
    "embedding_scaled": (
        lambda nn: nn.Embedding(10, 3, scale_grad_by_freq=True, norm_type=1.0),
        None,
        None,
    ),
}


# torch before 2.12 (`make test TORCH=2.11`) prints its norm layers without
# their `bias=`; flodl prints the newer form, compared without it there.
NORM_BIAS = "bias=" in repr(nn.LayerNorm(2))


def _torch_form(text: str) -> str:
    """A repr as this torch prints it."""
    if NORM_BIAS:
        return text
    lines = text.split("\n")
    return "\n".join(re.sub(r", bias=(True|False)", "", s) if "Norm" in s else s for s in lines)


def run_rust(example: str, inputs: dict[str, np.ndarray], tmp_path: Path) -> dict[str, np.ndarray]:
    src, out = tmp_path / "inputs.safetensors", tmp_path / "outputs.safetensors"
    flodl.save({k: flodl.tensor(v) for k, v in inputs.items()}, str(src))
    run_example(example, src, out)
    return {k: v.numpy() for k, v in flodl.load(str(out)).items()}


def run_example(example: str, src: Path, out: Path) -> None:
    """Runs the Rust example `example` on the files `src` and `out`."""
    env = {**os.environ, "LIBTORCH_USE_PYTORCH": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = ["cargo", "run", "--release", "--quiet", "--example", example, "--"]
    subprocess.run([*command, str(src), str(out)], cwd=ROOT, env=env, check=True, timeout=900)


@pytest.fixture(scope="module")
def rust_layers(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict, dict]:
    """The inputs, and what examples/nn_parity.rs computed from them: each
    layer's state dict, output, gradients, its error on a 1-d input, and
    its repr."""
    rng = np.random.default_rng(0)
    inputs = {
        name: rng.standard_normal(shape).astype(np.float32)
        for name, (_, shape, _) in LAYERS.items()
        if shape is not None
    }
    inputs["embedding"] = np.array([0, 3, 9, 3], dtype=np.int64)
    inputs["embedding_padding_from_end"] = np.array([8, 3, 9, 8], dtype=np.int64)
    inputs["embedding_bag_options"] = np.array([[0, 2, 9], [3, 2, 3]], dtype=np.int64)
    inputs["embedding_scaled"] = np.array([0, 3, 9, 3], dtype=np.int64)
    inputs["embedding_bag"] = np.array([[0, 3, 9], [3, 1, 1]], dtype=np.int64)
    tmp_path = tmp_path_factory.mktemp("nn_parity")
    got = run_rust("nn_parity", inputs, tmp_path)
    errors = json.loads((tmp_path / "outputs.safetensors.errors.json").read_text())
    reprs = json.loads((tmp_path / "outputs.safetensors.reprs.json").read_text())
    return inputs, got, errors, reprs


def test_rust_layers_start_and_compute_as_torch_s(rust_layers: tuple[dict, ...]) -> None:
    inputs, got, _, reprs = rust_layers
    for name, (make, _, call) in LAYERS.items():
        torch.manual_seed(0)
        module = make(nn).eval()
        assert _torch_form(reprs[name]) == repr(module), name
        for key, value in module.state_dict().items():
            np.testing.assert_array_equal(
                got[f"{name}.{key}"], value.numpy(), err_msg=f"{name}.{key}"
            )
        with torch.no_grad():
            x = torch.from_numpy(inputs[name])
            expected = (call or (lambda m, v: m(v)))(module, x).numpy()
        np.testing.assert_allclose(
            got[f"{name}.output"], expected, rtol=1e-5, atol=1e-5, err_msg=name
        )
    names = {key.split(".")[0] for key in got}
    assert names == set(LAYERS)


@pytest.mark.parametrize("name", list(LAYERS))
def test_python_classes_and_their_rust_twins_agree(
    name: str, rust_layers: tuple[dict, ...]
) -> None:
    """Each flodl.nn class, built by the expression that builds its torch
    twin, and the Rust layer of examples/nn_parity.rs: the same state dict
    after the same seed, repr, outputs, gradients, and error on a wrong
    input."""
    inputs, got, errors, reprs = rust_layers
    make, _, call = LAYERS[name]
    call = call or (lambda m, v: m(v))
    flodl.manual_seed(0)
    module = make(flodl.nn).eval()
    assert repr(module) == reprs[name]
    state = module.state_dict()
    assert sorted(state) == sorted(k[len(name) + 1 :] for k in got if _is_state(k, name))
    for key, value in state.items():
        np.testing.assert_array_equal(value.numpy(), got[f"{name}.{key}"], err_msg=key)
    array = inputs[name]
    floating = array.dtype.kind == "f"
    x = flodl.Variable(flodl.tensor(array), requires_grad=True) if floating else flodl.tensor(array)
    out = call(module, x)
    np.testing.assert_allclose(out.detach().numpy(), got[f"{name}.output"], rtol=1e-6, atol=1e-6)
    (out * out).sum().mul_scalar(0.5).backward()
    for key, p in module.named_parameters():
        if p.grad is None:
            assert f"{name}.grad.{key}" not in got, key
            continue
        np.testing.assert_allclose(
            p.grad.numpy(), got[f"{name}.grad.{key}"], rtol=1e-5, atol=1e-6, err_msg=key
        )
    if floating:
        np.testing.assert_allclose(x.grad.numpy(), got[f"{name}.grad_input"], rtol=1e-5, atol=1e-6)
    bad = flodl.Tensor.zeros([2])
    if errors[name] is None:  # a layer that takes any shape
        call(module, bad)
        return
    with pytest.raises(flodl.FlodlError) as info:
        call(module, bad)
    kind = KINDS.get(type(info.value).__name__, type(info.value).__name__)
    assert kind == errors[name][0]
    # The same message after the layer's name, which each language prints
    # in its own way (PyTorch's repr keeps an int where Rust holds a tuple).
    ours, theirs = (m.split(": ", 1) for m in (str(info.value), errors[name][1]))
    assert ours[1] == theirs[1]
    assert ours[0].split("(")[0] == theirs[0].split("(")[0]


# Python's exception classes by the Rust ErrorKind they stand for.
KINDS = {"ShapeError": "Shape", "DTypeError": "DType", "OutOfRangeError": "Index"}
KINDS |= {"ArgumentError": "Argument", "DeviceError": "Device", "AutogradError": "Autograd"}


def _is_state(key: str, name: str) -> bool:
    rest = key[len(name) + 1 :]
    return (
        key.startswith(f"{name}.")
        and rest != "output"
        and not rest.startswith("grad.")
        and rest != "grad_input"
    )


# name -> the torch optimizer with the options examples/optim_parity.rs uses
OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99)),
    "rmsprop": lambda p: torch.optim.RMSprop(
        p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01
    ),
    "adagrad": lambda p: torch.optim.Adagrad(
        p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1
    ),
    "adadelta": lambda p: torch.optim.Adadelta(p, rho=0.8),
    "adamax": lambda p: torch.optim.Adamax(p, lr=0.05),
    "radam": lambda p: torch.optim.RAdam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
    "nadam": lambda p: torch.optim.NAdam(p, lr=0.05, momentum_decay=0.01),
}


def _torch_steps(start: np.ndarray, make: Any, steps: int) -> np.ndarray:
    w = torch.tensor(start, requires_grad=True)
    opt = make([w])
    for _ in range(steps):
        opt.zero_grad()
        (w * w.tanh() + w * w / 4).sum().backward()
        opt.step()
    return w.detach().numpy()


def _torch_lbfgs(start: np.ndarray, line_search: str | None) -> np.ndarray:
    """torch's L-BFGS with the options of examples/optim_parity.rs."""
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.LBFGS([w], lr=0.5, max_iter=4, history_size=3, line_search_fn=line_search)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = (w * w.tanh() + w * w / 4).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    return w.detach().numpy()


def test_rust_optimizers_take_torch_s_steps(tmp_path: Path) -> None:
    start = np.random.default_rng(1).standard_normal((4, 3))
    src, out = tmp_path / "inputs.safetensors", tmp_path / "outputs.safetensors"
    # A Python Adam's ten steps and state dict, which Rust resumes.
    adam = lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), amsgrad=True)
    pw = flodl.Variable(flodl.tensor(start), requires_grad=True)
    python_adam = flodl.optim.Adam([pw], lr=0.05, betas=(0.8, 0.99), amsgrad=True)
    for _ in range(10):
        python_adam.zero_grad()
        (pw * pw.tanh() + pw * pw / 4).sum().backward()
        python_adam.step()
    resume = {"w": pw.data, "state": python_adam.state_dict()}
    flodl.save({"w": flodl.tensor(start), "resume": resume}, str(src))
    run_example("optim_parity", src, out)
    got = flodl.load(str(out))
    np.testing.assert_allclose(
        got["params"].pop("adam_resumed").numpy(), _torch_steps(start, adam, 15), rtol=1e-6
    )
    for name, line_search in [("lbfgs", None), ("lbfgs_wolfe", "strong_wolfe")]:
        np.testing.assert_allclose(
            got["params"].pop(name).numpy(), _torch_lbfgs(start, line_search), rtol=1e-6
        )
    assert set(got["params"]) == set(OPTIMIZERS)
    for name, make in OPTIMIZERS.items():
        np.testing.assert_allclose(
            got["params"][name].numpy(), _torch_steps(start, make, 10), rtol=1e-6, err_msg=name
        )
    # A Rust OneCycleLR checkpoint (optimizer and scheduler) resumes in
    # Python: torch's uninterrupted twenty steps, rates and momenta.
    _check_one_cycle_resume(start, got["one_cycle"])
    _check_schedules(got["schedules"])
    # A Rust optimizer's state dict resumes in Python's flodl.optim (built
    # with default options: the hyperparameters come from the file), five
    # more steps landing where torch's fifteen do.
    for name, cls in [("radam", flodl.optim.RAdam), ("nadam", flodl.optim.NAdam)]:
        w = flodl.Variable(got["params"][name], requires_grad=True)
        opt = cls([w])
        opt.load_state_dict(got["states"][name])
        for _ in range(5):
            opt.zero_grad()
            (w * w.tanh() + w * w / 4).sum().backward()
            opt.step()
        np.testing.assert_allclose(
            w.detach().numpy(), _torch_steps(start, OPTIMIZERS[name], 15), rtol=1e-6, err_msg=name
        )


def _check_one_cycle_resume(start: np.ndarray, rust: dict) -> None:
    """Rust's eight SGD steps under OneCycleLR(max_lr=0.5, total_steps=20),
    then twelve more in Python's flodl.optim from the two state dicts (built
    with other options: the files carry them): every step's rate and
    momentum, and the parameters at the end, are torch's."""
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=20)
    torch_rates = []
    for _ in range(20):
        opt.zero_grad()
        (w * w.tanh() + w * w / 4).sum().backward()
        opt.step()
        sched.step()
        torch_rates.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
    np.testing.assert_allclose(rust["rates"], torch_rates[:8], rtol=1e-12)

    pw = flodl.Variable(rust["w"], requires_grad=True)
    python_opt = flodl.optim.SGD([pw], lr=0.01, momentum=0.5)
    python_sched = flodl.optim.lr_scheduler.OneCycleLR(python_opt, max_lr=0.5, total_steps=20)
    python_opt.load_state_dict(rust["optimizer"])
    python_sched.load_state_dict(rust["scheduler"])
    rates = []
    for _ in range(12):
        python_opt.zero_grad()
        (pw * pw.tanh() + pw * pw / 4).sum().backward()
        python_opt.step()
        python_sched.step()
        group = python_opt.param_groups[0]
        rates.append((group["lr"], group["momentum"]))
    np.testing.assert_allclose(rates, torch_rates[8:], rtol=1e-12)
    np.testing.assert_allclose(pw.detach().numpy(), w.detach().numpy(), rtol=1e-6)


# name -> torch's scheduler with the options examples/optim_parity.rs uses
SCHEDULERS = {
    "step": lambda o: lr_scheduler.StepLR(o, 3, 0.5),
    "multi_step": lambda o: lr_scheduler.MultiStepLR(o, [2, 5, 9], 0.3),
    "constant": lambda o: lr_scheduler.ConstantLR(o, 0.5, 4),
    "linear": lambda o: lr_scheduler.LinearLR(o, 0.25, 1.0, 4),
    "exponential": lambda o: lr_scheduler.ExponentialLR(o, 0.9),
    "polynomial": lambda o: lr_scheduler.PolynomialLR(o, 6, 2.0),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, 5, 0.01),
    "one_cycle": lambda o: lr_scheduler.OneCycleLR(o, 0.5, 12),
    "cyclic": lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, 3),
    "sequential": lambda o: lr_scheduler.SequentialLR(
        o,
        [lr_scheduler.LinearLR(o, 0.25, 1.0, 4), lr_scheduler.CosineAnnealingLR(o, 5, 0.01)],
        [4],
    ),
    "chained": lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ExponentialLR(o, 0.9), lr_scheduler.StepLR(o, 4, 0.5)]
    ),
    "lambda": lambda o: lr_scheduler.LambdaLR(o, lambda epoch: 0.95**epoch),
    "multiplicative": lambda o: lr_scheduler.MultiplicativeLR(o, lambda epoch: 0.9),
    "warm_restarts": lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
    "plateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1),
}
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.86, 0.87, 0.7, 0.75, 0.76, 0.77]


def _check_schedules(rust: dict) -> None:
    """Each Rust scheduler's rate (and momentum, where it has a schedule)
    at the start and after each of twelve SGD steps, against torch's."""
    assert set(rust) == set(SCHEDULERS)
    for name, make in SCHEDULERS.items():
        w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
        sched = make(opt)
        group = opt.param_groups[0]
        seen = [(group["lr"], group["momentum"])]
        for step in range(12):
            opt.zero_grad()
            (w * w.tanh() + w * w / 4).sum().backward()
            opt.step()
            sched.step(*([PLATEAU_METRICS[step]] if name == "plateau" else []))
            seen.append((group["lr"], group["momentum"]))
        if name in ("warm_restarts", "plateau"):  # rates only, driven by hand
            seen = [lr for lr, _ in seen]
        np.testing.assert_allclose(rust[name], seen, rtol=1e-12, atol=1e-15, err_msg=name)
