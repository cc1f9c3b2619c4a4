"""``torch.distributions.binomial``'s name: ``Binomial``."""

from . import Binomial

__all__ = ["Binomial"]
