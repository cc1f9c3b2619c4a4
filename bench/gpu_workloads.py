"""floDl's published GPU training workloads, flodl against PyTorch.

floDl's benchmark report (floDl 0.3.0 against PyTorch 2.10, one RTX 5060
Ti, its docs/benchmark.md) gives floDl's training step at 0.71 (mlp), 0.69
(transformer) and 0.76 (residual_tower) of PyTorch's eager time, for these
models, all trained with Adam (lr 1e-3) on a fixed synthetic batch:

- mlp: 5 Linear layers 1024 -> 2048 -> 2048 -> 2048 -> 2048 -> 1024, GELU
  and LayerNorm after each but the last (16.8M parameters), batch 256, MSE;
- transformer: an Embedding of 8192 tokens in d512 plus a learned
  position table, 4 encoder layers (post-norm, 8 heads, feed-forward 2048,
  GELU), a Linear back to the 8192 tokens, cross-entropy; batch 32 of 128
  tokens;
- residual tower: Linear 1024, 12 residual blocks x + LayerNorm(GELU(
  Linear(x))), Linear 1024 (14.7M parameters), batch 256, MSE.

These are the same models at the same sizes, for ``compare_torch.py
--device cuda``; ``small=True`` gives tiny sizes of the same structure, so
that the code path runs on a machine without a GPU (``compare_torch.py
--gpu-workloads-on-cpu``).

Each model is defined once, as a function of the library's ``nn``
namespace (``build(flodl.nn)``, ``build(torch.nn)``). The torch model is
built from a seeded generator on the CPU and flodl's model is loaded with
its initial parameters and buffers (through numpy); then both are moved to
the device. A training step is forward, loss, ``zero_grad``, ``backward``
and an Adam step, in one of four configurations (``CONFIGS``):

- fp32 eager: what floDl's figures measure (torch's Adam is ``foreach`` on
  CUDA, flodl's is always fused);
- bf16 autocast eager: forward and loss under ``autocast(device_type,
  dtype=bfloat16)`` in each library (no GradScaler: bfloat16 has float32's
  exponent range);
- graphed step: the whole step captured once as a CUDA graph and replayed,
  flodl through ``flodl.cuda.graphed_step``, torch the way its CUDA graphs
  notes show it (3 warm-up steps on a side stream, static input buffers,
  ``torch.cuda.graph``, ``Adam(fused=True, capturable=True)``, the loss
  read from the captured static loss);
- bf16 autocast and graphed step together.

Dropout is 0 everywhere, so the two libraries compute the same losses,
which ``loss_gap`` measures over the first steps (it reports, never
asserts: bfloat16 and graph replay may pick other kernels).
"""

from __future__ import annotations

import contextlib
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
LR = 1e-3
WARMUP = 3  # eager steps before a capture (torch's notes use 3, on a side stream)
Step = Callable[[], Any]
Batch = tuple[np.ndarray, np.ndarray]


# ----- the models: one definition for both libraries -----


def build_mlp(nn: ModuleType, width: int, hidden: int, depth: int = 5) -> Any:
    """``depth`` Linear layers width -> hidden -> ... -> hidden -> width,
    GELU and LayerNorm after each but the last."""
    sizes = [width] + [hidden] * (depth - 1) + [width]
    layers: list[Any] = []
    for i in range(depth):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < depth - 1:
            layers += [nn.GELU(), nn.LayerNorm(sizes[i + 1])]
    return nn.Sequential(*layers)


def build_transformer(
    nn: ModuleType,
    vocab: int,
    d_model: int,
    nhead: int,
    dim_feedforward: int,
    seq_len: int,
    depth: int = 4,
) -> Any:
    """Token and position embeddings, ``depth`` post-norm
    TransformerEncoderLayers (batch first, GELU, no dropout), a Linear to
    the vocabulary: [batch, seq_len] tokens in, [batch, seq_len, vocab]
    logits out."""

    class Transformer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab, d_model)
            # floDl's learned position parameter [1, seq_len, d_model], as a table.
            self.position = nn.Embedding(seq_len, d_model)
            self.layers = nn.Sequential(
                *[
                    nn.TransformerEncoderLayer(
                        d_model,
                        nhead,
                        dim_feedforward=dim_feedforward,
                        dropout=0.0,
                        activation="gelu",
                        batch_first=True,
                    )
                    for _ in range(depth)
                ]
            )
            self.output = nn.Linear(d_model, vocab)

        def forward(self, tokens: Any) -> Any:
            return self.output(self.layers(self.embedding(tokens) + self.position.weight))

    return Transformer()


def build_residual_tower(nn: ModuleType, width: int, depth: int = 12) -> Any:
    """Linear, ``depth`` residual blocks x + LayerNorm(GELU(Linear(x))), Linear."""

    class ResidualBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.LayerNorm(width))

        def forward(self, x: Any) -> Any:
            return x + self.body(x)

    return nn.Sequential(
        nn.Linear(width, width),
        *[ResidualBlock() for _ in range(depth)],
        nn.Linear(width, width),
    )


# ----- the batches and losses -----


def regression_batch(shape: tuple[int, ...]) -> Callable[[np.random.Generator], Batch]:
    """Input and target both standard normal of ``shape`` (float32)."""

    def make(rng: np.random.Generator) -> Batch:
        x = rng.standard_normal(shape).astype(np.float32)
        return x, rng.standard_normal(shape).astype(np.float32)

    return make


def token_batch(vocab: int, shape: tuple[int, ...]) -> Callable[[np.random.Generator], Batch]:
    """Input tokens and target tokens, uniform in [0, vocab) (int64)."""

    def make(rng: np.random.Generator) -> Batch:
        return rng.integers(0, vocab, shape), rng.integers(0, vocab, shape)

    return make


def mse(F: ModuleType, out: Any, y: Any) -> Any:
    return F.mse_loss(out, y)


def token_cross_entropy(F: ModuleType, logits: Any, y: Any) -> Any:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


@dataclass
class GpuWorkload:
    name: str
    description: str  # the row name's tail: sizes and batch
    build: Callable[[ModuleType], Any]
    batch: Callable[[np.random.Generator], Batch]
    loss: Callable[[ModuleType, Any, Any], Any]  # (functional namespace, output, target)
    published: float  # floDl's published flodl / torch ratio on a GPU (fp32 eager)
    iterations: int  # steps per timed round


def workloads(small: bool = False) -> list[GpuWorkload]:
    """The three workloads at the published sizes, or tiny ones with ``small``."""
    if small:
        return [
            GpuWorkload(
                "mlp",
                "5 Linear 32-64-32, GELU, LayerNorm, batch 8",
                lambda nn: build_mlp(nn, 32, 64),
                regression_batch((8, 32)),
                mse,
                0.71,
                50,
            ),
            GpuWorkload(
                "transformer",
                "vocab 64, 4 layers d32 h4 ff64, seq 16, batch 4",
                lambda nn: build_transformer(nn, 64, 32, 4, 64, 16),
                token_batch(64, (4, 16)),
                token_cross_entropy,
                0.69,
                20,
            ),
            GpuWorkload(
                "residual tower",
                "12 blocks Linear 32, GELU, LayerNorm, batch 8",
                lambda nn: build_residual_tower(nn, 32),
                regression_batch((8, 32)),
                mse,
                0.76,
                20,
            ),
        ]
    return [
        GpuWorkload(
            "mlp",
            "5 Linear 1024-2048-1024, GELU, LayerNorm, batch 256",
            lambda nn: build_mlp(nn, 1024, 2048),
            regression_batch((256, 1024)),
            mse,
            0.71,
            100,
        ),
        GpuWorkload(
            "transformer",
            "vocab 8192, 4 layers d512 h8 ff2048, seq 128, batch 32",
            lambda nn: build_transformer(nn, 8192, 512, 8, 2048, 128),
            token_batch(8192, (32, 128)),
            token_cross_entropy,
            0.69,
            10,
        ),
        GpuWorkload(
            "residual tower",
            "12 blocks Linear 1024, GELU, LayerNorm, batch 256",
            lambda nn: build_residual_tower(nn, 1024),
            regression_batch((256, 1024)),
            mse,
            0.76,
            50,
        ),
    ]


# ----- the configurations -----


@dataclass(frozen=True)
class Config:
    name: str
    bf16: bool  # forward and loss under bfloat16 autocast
    graphed: bool  # the whole step captured as one CUDA graph and replayed


FP32_EAGER = Config("fp32 eager", False, False)
CONFIGS = [
    FP32_EAGER,
    Config("bf16 autocast eager", True, False),
    Config("graphed step, fp32", False, True),
    Config("bf16 autocast + graphed step", True, True),
]


# ----- the training steps -----


def _body(lib: ModuleType, model: Any, optimizer: Any, work: GpuWorkload, device: str, bf16: bool):
    """One training step of ``model`` on a batch ``(x, y)``: forward and loss
    (under bfloat16 autocast with ``bf16``), zero_grad, backward, step;
    returns the loss. The same function runs eagerly and is what a graph
    captures."""
    F = lib.nn.functional
    device_type = device.split(":")[0]

    def region() -> Any:
        if bf16:
            return lib.autocast(device_type, dtype=lib.bfloat16)
        return contextlib.nullcontext()

    def body(x: Any, y: Any) -> Any:
        with region():
            loss = work.loss(F, model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return body


def _flodl_graphed(body: Callable[[Any, Any], Any], x: Any, y: Any) -> Step:
    """flodl's step captured once (after ``WARMUP`` eager steps) by
    ``flodl.cuda.graphed_step``, each call copying ``x, y`` into its static
    buffers and replaying the graph."""
    import flodl.cuda

    graphed = flodl.cuda.graphed_step(body, x, y, warmup=WARMUP)
    return lambda: graphed(x, y)


def _torch_graphed(
    body: Callable[[Any, Any], Any], optimizer: Any, x: torch.Tensor, y: torch.Tensor
) -> Step:
    """torch's step captured as its CUDA graphs notes show a whole training
    step: ``WARMUP`` steps on a side stream, gradients set to None, the step
    captured under ``torch.cuda.graph`` on static input buffers; each call
    copies ``x, y`` into them, replays, and returns the static loss."""
    static_x, static_y = x.clone(), y.clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(WARMUP):
            body(static_x, static_y)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)  # backward allocates .grad in the graph's pool
    with torch.cuda.graph(graph):
        static_loss = body(static_x, static_y)

    def step() -> torch.Tensor:
        static_x.copy_(x)
        static_y.copy_(y)
        graph.replay()
        return static_loss

    return step


def twin_steps(work: GpuWorkload, device: str, config: Config = FP32_EAGER) -> tuple[Step, Step]:
    """flodl's and torch's training steps of ``work`` on ``device`` in
    ``config``, flodl's model starting from the torch model's initial
    parameters and buffers. A graphed ``config`` needs CUDA (capturing runs
    the warm-up steps)."""
    torch.manual_seed(SEED)
    model_t = work.build(torch.nn)
    state = {k: v.detach().numpy().copy() for k, v in model_t.state_dict().items()}
    flodl.manual_seed(SEED)
    model_f = work.build(flodl.nn)
    model_f.load_state_dict({k: flodl.Tensor.from_numpy(v) for k, v in state.items()})
    model_t.to(device).train()
    model_f.to(device).train()

    x, y = work.batch(np.random.default_rng(SEED))
    x_t, y_t = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    x_f, y_f = flodl.Tensor.from_numpy(x).to(device), flodl.Tensor.from_numpy(y).to(device)

    if config.graphed:
        # Both fused, with their state on the device: what a capture needs
        # (flodl's Adam is always fused and keeps its step count on the device).
        opt_f = flodl.optim.Adam(model_f.parameters(), lr=LR, capturable=True)
        opt_t = torch.optim.Adam(model_t.parameters(), lr=LR, fused=True, capturable=True)
    else:
        # torch's default for the device (foreach on CUDA); flodl's is fused.
        opt_f = flodl.optim.Adam(model_f.parameters(), lr=LR)
        opt_t = torch.optim.Adam(model_t.parameters(), lr=LR)
    body_f = _body(flodl, model_f, opt_f, work, device, config.bf16)
    body_t = _body(torch, model_t, opt_t, work, device, config.bf16)
    if config.graphed:
        return _flodl_graphed(body_f, x_f, y_f), _torch_graphed(body_t, opt_t, x_t, y_t)
    return (lambda: body_f(x_f, y_f)), (lambda: body_t(x_t, y_t))


def loss_gap(flodl_step: Step, torch_step: Step, steps: int = 3) -> float:
    """The largest relative difference of the two libraries' losses over the
    first ``steps`` steps (``item()`` waits for the device). For a graphed
    step these are the first replays, after the ``WARMUP`` eager steps that
    both libraries took while capturing."""
    gap = 0.0
    for _ in range(steps):
        lf, lt = flodl_step().item(), torch_step().item()
        gap = max(gap, abs(lf - lt) / max(abs(lt), 1e-12))
    return gap
