"""``torch.distributions.mixture_same_family``'s name: ``MixtureSameFamily``."""

from . import MixtureSameFamily

__all__ = ["MixtureSameFamily"]
