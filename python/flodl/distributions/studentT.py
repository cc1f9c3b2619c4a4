# ruff: noqa: N999 - torch.distributions names this module so
"""``torch.distributions.studentT``'s name: ``StudentT``."""

from . import StudentT

__all__ = ["StudentT"]
