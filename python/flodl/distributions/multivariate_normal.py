"""``torch.distributions.multivariate_normal``'s name: ``MultivariateNormal``."""

from . import MultivariateNormal

__all__ = ["MultivariateNormal"]
