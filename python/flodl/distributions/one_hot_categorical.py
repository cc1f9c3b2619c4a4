"""``torch.distributions.one_hot_categorical``'s names: ``OneHotCategorical``
and ``OneHotCategoricalStraightThrough``."""

from . import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
