"""``torch.distributions.gamma``'s name: ``Gamma``."""

from . import Gamma

__all__ = ["Gamma"]
