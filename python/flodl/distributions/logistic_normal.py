"""``torch.distributions.logistic_normal``'s name: ``LogisticNormal``."""

from . import LogisticNormal

__all__ = ["LogisticNormal"]
