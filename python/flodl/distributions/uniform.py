"""``torch.distributions.uniform``'s name: ``Uniform``."""

from . import Uniform

__all__ = ["Uniform"]
