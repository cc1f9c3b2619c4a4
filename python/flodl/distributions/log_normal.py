"""``torch.distributions.log_normal``'s name: ``LogNormal``."""

from . import LogNormal

__all__ = ["LogNormal"]
