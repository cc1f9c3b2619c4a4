"""``torch.distributions.cauchy``'s name: ``Cauchy``."""

from . import Cauchy

__all__ = ["Cauchy"]
