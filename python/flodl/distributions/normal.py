"""``torch.distributions.normal``'s name: ``Normal``."""

from . import Normal

__all__ = ["Normal"]
