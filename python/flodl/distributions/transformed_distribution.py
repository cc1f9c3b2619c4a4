"""``torch.distributions.transformed_distribution``'s name: ``TransformedDistribution``."""

from . import TransformedDistribution

__all__ = ["TransformedDistribution"]
