"""``torch.distributions.half_normal``'s name: ``HalfNormal``."""

from . import HalfNormal

__all__ = ["HalfNormal"]
