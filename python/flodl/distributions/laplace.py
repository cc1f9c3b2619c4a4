"""``torch.distributions.laplace``'s name: ``Laplace``."""

from . import Laplace

__all__ = ["Laplace"]
