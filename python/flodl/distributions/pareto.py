"""``torch.distributions.pareto``'s name: ``Pareto``."""

from . import Pareto

__all__ = ["Pareto"]
