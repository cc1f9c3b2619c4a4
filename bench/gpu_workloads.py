"""floDl's published GPU training workloads, flodl against PyTorch eager.

floDl reports, on a GPU, flodl's training step at 0.71 (mlp), 0.69
(transformer) and 0.76 (residual tower) of PyTorch's time. These are the
same three workloads at the published sizes, for ``compare_torch.py
--device cuda``; ``small=True`` gives tiny sizes of the same structure, so
that the code path runs on a machine without a GPU (``compare_torch.py
--gpu-workloads-on-cpu``).

Each model is defined once, as a function of the library's ``nn``
namespace (``build(flodl.nn)``, ``build(torch.nn)``). The torch model is
built from a seeded generator on the CPU and flodl's model is loaded with
its initial parameters and buffers (through numpy); then both are moved to
the device. Every model maps its input to a tensor of the same shape, so a
training step is forward, MSE against a fixed random target of the input's
shape, ``zero_grad``, ``backward`` and an Adam step (lr 1e-3; torch's
default implementation for the device: on CUDA that is ``foreach``).
Dropout is 0 in the transformer, so the two libraries compute the same
losses, which is checked over the first steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional

import flodl
import flodl.nn
import flodl.nn.functional
import flodl.optim

SEED = 0
Step = Callable[[], Any]


# ----- the models: one definition for both libraries -----


def build_mlp(nn: ModuleType, width: int, depth: int = 5) -> Any:
    """``depth`` blocks of Linear(width, width), GELU, LayerNorm(width)."""
    layers: list[Any] = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.GELU(), nn.LayerNorm(width)]
    return nn.Sequential(*layers)


def build_transformer(
    nn: ModuleType, d_model: int, nhead: int, dim_feedforward: int, depth: int = 4
) -> Any:
    """``depth`` TransformerEncoderLayers (batch first, no dropout) in a Sequential."""
    return nn.Sequential(
        *[
            nn.TransformerEncoderLayer(
                d_model, nhead, dim_feedforward=dim_feedforward, dropout=0.0, batch_first=True
            )
            for _ in range(depth)
        ]
    )


def build_residual_tower(nn: ModuleType, channels: int, depth: int = 8) -> Any:
    """``depth`` residual blocks: x + (Conv2d 3x3, BatchNorm2d, ReLU) twice of x."""

    class ResidualBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.BatchNorm2d(channels),
                nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.BatchNorm2d(channels),
                nn.ReLU(),
            )

        def forward(self, x: Any) -> Any:
            return x + self.body(x)

    return nn.Sequential(*[ResidualBlock() for _ in range(depth)])


@dataclass
class GpuWorkload:
    name: str
    description: str
    build: Callable[[ModuleType], Any]
    input_shape: tuple[int, ...]
    published: float  # floDl's published flodl / torch ratio on a GPU
    iterations: int  # steps per timed round


def workloads(small: bool = False) -> list[GpuWorkload]:
    """The three workloads at the published sizes, or tiny ones with ``small``."""
    if small:
        return [
            GpuWorkload(
                "mlp",
                "5x Linear 32, GELU, LayerNorm, batch 8",
                lambda nn: build_mlp(nn, 32),
                (8, 32),
                0.71,
                50,
            ),
            GpuWorkload(
                "transformer",
                "4 layers d32 h4 ff64, [4, 16, 32]",
                lambda nn: build_transformer(nn, 32, 4, 64),
                (4, 16, 32),
                0.69,
                20,
            ),
            GpuWorkload(
                "residual tower",
                "8 blocks conv 8, [2, 8, 8, 8]",
                lambda nn: build_residual_tower(nn, 8),
                (2, 8, 8, 8),
                0.76,
                20,
            ),
        ]
    return [
        GpuWorkload(
            "mlp",
            "5x Linear 1024, GELU, LayerNorm, batch 256",
            lambda nn: build_mlp(nn, 1024),
            (256, 1024),
            0.71,
            200,
        ),
        GpuWorkload(
            "transformer",
            "4 layers d512 h8 ff2048, [64, 128, 512]",
            lambda nn: build_transformer(nn, 512, 8, 2048),
            (64, 128, 512),
            0.69,
            20,
        ),
        GpuWorkload(
            "residual tower",
            "8 blocks conv 64, [32, 64, 32, 32]",
            lambda nn: build_residual_tower(nn, 64),
            (32, 64, 32, 32),
            0.76,
            30,
        ),
    ]


# ----- the training steps -----


def _training_step(model: Any, F: ModuleType, optim: ModuleType, x: Any, y: Any) -> Step:
    """Forward, MSE, zero_grad, backward, Adam; returns the loss."""
    optimizer = optim.Adam(model.parameters(), lr=1e-3)

    def step() -> Any:
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


def twin_steps(work: GpuWorkload, device: str) -> tuple[Step, Step]:
    """flodl's and torch's training steps of ``work`` on ``device``, flodl's
    model starting from the torch model's initial parameters and buffers."""
    torch.manual_seed(SEED)
    model_t = work.build(torch.nn)
    state = {k: v.detach().numpy().copy() for k, v in model_t.state_dict().items()}
    flodl.manual_seed(SEED)
    model_f = work.build(flodl.nn)
    model_f.load_state_dict({k: flodl.Tensor.from_numpy(v) for k, v in state.items()})
    model_t.to(device).train()
    model_f.to(device).train()

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(work.input_shape).astype(np.float32)
    y = rng.standard_normal(work.input_shape).astype(np.float32)
    x_t, y_t = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    x_f, y_f = flodl.Tensor.from_numpy(x).to(device), flodl.Tensor.from_numpy(y).to(device)
    return (
        _training_step(model_f, flodl.nn.functional, flodl.optim, x_f, y_f),
        _training_step(model_t, torch.nn.functional, torch.optim, x_t, y_t),
    )


def loss_gap(flodl_step: Step, torch_step: Step, steps: int = 3) -> float:
    """The largest relative difference of the two libraries' losses over the
    first ``steps`` steps (``item()`` waits for the device)."""
    gap = 0.0
    for _ in range(steps):
        lf, lt = flodl_step().item(), torch_step().item()
        gap = max(gap, abs(lf - lt) / max(abs(lt), 1e-12))
    return gap
