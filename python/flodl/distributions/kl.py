"""``torch.distributions.kl``'s names: ``kl_divergence``, ``register_kl``."""

from . import kl_divergence, register_kl

__all__ = ["kl_divergence", "register_kl"]
