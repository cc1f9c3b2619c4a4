"""``torch.distributions.beta``'s name: ``Beta``."""

from . import Beta

__all__ = ["Beta"]
