"""``torch.distributions.gumbel``'s name: ``Gumbel``."""

from . import Gumbel

__all__ = ["Gumbel"]
