"""Findings of the tenth drop-in probe: PyTorch programs that ran
differently on flodl, each kept here as the reproduction it was."""

import pytest

import flodl


def test_nn_parallel_names_distributed_data_parallel_and_absent_layers_say_so() -> None:
    from flodl.distributed import DistributedDataParallel
    from flodl.nn.parallel import DistributedDataParallel as FromParallel

    assert FromParallel is DistributedDataParallel
    for module, name, hint in [
        (flodl.nn, "DataParallel", "DistributedDataParallel"),
        (flodl.nn.parallel, "DataParallel", "DistributedDataParallel"),
        (flodl.nn, "SyncBatchNorm", "BatchNorm"),
        (flodl.nn, "LazyLinear", "input size"),
        (flodl.nn, "FractionalMaxPool2d", "Variable.from_torch"),
    ]:
        with pytest.raises(AttributeError, match=f"{name} is not in flodl.*{hint}"):
            getattr(module, name)
