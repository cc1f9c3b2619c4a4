"""``torch.distributions.distribution``'s name: ``Distribution``."""

from . import Distribution

__all__ = ["Distribution"]
