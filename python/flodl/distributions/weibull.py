"""``torch.distributions.weibull``'s name: ``Weibull``."""

from . import Weibull

__all__ = ["Weibull"]
