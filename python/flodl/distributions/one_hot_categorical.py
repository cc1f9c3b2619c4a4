"""``torch.distributions.one_hot_categorical``'s name: ``OneHotCategorical``."""

from . import OneHotCategorical

__all__ = ["OneHotCategorical"]
