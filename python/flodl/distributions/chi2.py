"""``torch.distributions.chi2``'s name: ``Chi2``."""

from . import Chi2

__all__ = ["Chi2"]
