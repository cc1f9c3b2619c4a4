"""``torch.distributions.categorical``'s name: ``Categorical``."""

from . import Categorical

__all__ = ["Categorical"]
