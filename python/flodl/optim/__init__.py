"""Optimizers and learning-rate schedulers, as torch.optim; the updates are
Rust's ``flodl::optim`` (the same code Rust programs run), on libtorch kernels."""

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
    "swa_utils",
]


def __getattr__(name: str) -> object:
    from .._submodules import submodule

    module = submodule(__name__, name)
    if module is not None:
        return module
    if name == "SparseAdam":
        raise AttributeError(
            "module 'flodl.optim' has no attribute 'SparseAdam'; flodl's gradients are dense "
            "(nn.Embedding(sparse=True) is absent too): use Adam or AdamW"
        )
    raise AttributeError(f"module 'flodl.optim' has no attribute {name!r}")
