"""``torch.distributions.bernoulli``'s name: ``Bernoulli``."""

from . import Bernoulli

__all__ = ["Bernoulli"]
