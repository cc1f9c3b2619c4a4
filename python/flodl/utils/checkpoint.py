"""``flodl.utils.checkpoint``: ``torch.utils.checkpoint``'s names on
``flodl.autograd.checkpoint`` (backward runs the block again instead of
keeping its intermediate values)."""

from __future__ import annotations

from typing import Any

from .._function import checkpoint as _checkpoint

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(
    function: Any,
    *args: Any,
    use_reentrant: bool | None = None,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, recomputed in backward, as
    ``torch.utils.checkpoint.checkpoint``. ``use_reentrant`` is accepted
    either way: flodl has one implementation, whose gradients both of
    PyTorch's give."""
    if use_reentrant is not None and not isinstance(use_reentrant, bool):
        raise TypeError(
            f"checkpoint: use_reentrant must be a bool, got {type(use_reentrant).__name__}"
        )
    return _checkpoint(function, *args, preserve_rng_state=preserve_rng_state, **kwargs)


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Any,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """``functions`` (a Sequential or a list of modules) run on ``input`` in
    ``segments`` checkpointed pieces, the last one run as it is, as
    ``torch.utils.checkpoint.checkpoint_sequential``."""
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        raise TypeError(f"checkpoint_sequential: segments must be a positive int, got {segments!r}")
    size = max(len(functions) // segments, 1)

    def run(start: int, end: int) -> Any:
        def forward(x: Any) -> Any:
            for f in functions[start : end + 1]:
                x = f(x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
