"""``torch.distributions.dirichlet``'s name: ``Dirichlet``."""

from . import Dirichlet

__all__ = ["Dirichlet"]
