"""``torch.distributions.inverse_gamma``'s name: ``InverseGamma``."""

from . import InverseGamma

__all__ = ["InverseGamma"]
