"""``torch.distributions.independent``'s name: ``Independent``."""

from . import Independent

__all__ = ["Independent"]
