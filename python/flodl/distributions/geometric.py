"""``torch.distributions.geometric``'s name: ``Geometric``."""

from . import Geometric

__all__ = ["Geometric"]
