"""``torch.distributions.fishersnedecor``'s name: ``FisherSnedecor``."""

from . import FisherSnedecor

__all__ = ["FisherSnedecor"]
