"""``torch.distributions.exponential``'s name: ``Exponential``."""

from . import Exponential

__all__ = ["Exponential"]
