"""``torch.distributions.kumaraswamy``'s name: ``Kumaraswamy``."""

from . import Kumaraswamy

__all__ = ["Kumaraswamy"]
