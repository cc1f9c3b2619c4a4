"""``torch.distributions.continuous_bernoulli``'s name: ``ContinuousBernoulli``."""

from . import ContinuousBernoulli

__all__ = ["ContinuousBernoulli"]
