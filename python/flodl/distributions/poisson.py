"""``torch.distributions.poisson``'s name: ``Poisson``."""

from . import Poisson

__all__ = ["Poisson"]
