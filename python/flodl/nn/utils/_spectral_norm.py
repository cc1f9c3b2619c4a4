"""``torch.nn.utils.spectral_norm`` and ``remove_spectral_norm``: a weight
divided by its largest singular value, estimated by power iteration each
training forward. The parameter becomes ``<name>_orig``, the vectors are
the buffers ``<name>_u`` and ``<name>_v``, as PyTorch keeps them; the
computation is Rust's (``flodl::nn::utils::spectral_*``)."""

from __future__ import annotations

from typing import Any

from ... import _flodl, _grad_mode
from ..._flodl import ArgumentError
from ..parameter import Parameter

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]


class SpectralNorm:
    """The forward pre-hook ``spectral_norm`` registers, as torch's: it sets
    ``module.<name>`` from ``<name>_orig``, ``<name>_u`` and ``<name>_v``."""

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        if n_power_iterations <= 0:
            raise ArgumentError(
                f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}"
            )
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def compute_weight(self, module: Any, do_power_iteration: bool) -> Any:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        if do_power_iteration:
            _flodl._spectral_power_iteration(
                weight, u, v, self.dim, self.n_power_iterations, self.eps, False
            )
        return _flodl._spectral_normalized(weight, u, v, self.dim)

    def remove(self, module: Any) -> None:
        with _grad_mode.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Any, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(
        module: Any, name: str, n_power_iterations: int, dim: int, eps: float
    ) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise ArgumentError(
                    f"spectral_norm: cannot register two spectral_norm hooks on the same "
                    f"parameter {name}"
                )
        weight = module._parameters.get(name)
        if weight is None:
            raise ArgumentError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        u, v = _flodl._spectral_vectors(weight, dim, eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.data)
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def _transposed(module: Any) -> bool:
    from ..layers import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

    return isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))


def spectral_norm(
    module: Any,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Any:
    """Divides ``module.<name>`` by its largest singular value before each
    forward (one more power-iteration round per training forward); ``dim``
    is the output dim (1 for transposed convolutions, else 0). Returns
    ``module``."""
    if dim is None:
        dim = 1 if _transposed(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Any, name: str = "weight") -> Any:
    """Undoes ``spectral_norm``: ``<name>`` is a parameter again, holding
    the normalized weight."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ArgumentError(f"spectral_norm of {name!r} not found in {module._get_name()}")
