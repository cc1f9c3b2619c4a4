"""`import flodl` loads libtorch but not the torch package (README)."""

import subprocess
import sys


def test_import_flodl_does_not_import_torch() -> None:
    code = "import sys, flodl; print('torch' in sys.modules, flodl.Tensor.ones([2]).sum().item())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "2.0"]


def test_import_flodl_leaves_numpy_for_later() -> None:
    # numpy (and its BLAS threads) loads when something needs it.
    code = "import sys, flodl; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_flodl_and_torch_share_one_process() -> None:
    code = (
        "import flodl, torch\n"
        "x = flodl.Variable(flodl.Tensor.ones([3]), True)\n"
        "(x * torch.ones(3).sum().item()).sum().backward()\n"
        "print(x.grad.to_f32_vec())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[3.0, 3.0, 3.0]"


def test_submodules_are_attributes_after_import_flodl() -> None:
    """As torch's after `import torch`: `torch.distributed.is_available()`,
    `torch.utils.data.distributed.DistributedSampler`, ... with nothing but
    `import flodl as torch` (the ones that import torch load on first use)."""
    code = (
        "import sys; import flodl as torch\n"
        "assert 'flodl.distributed' not in sys.modules\n"
        "assert torch.distributed.is_available() and not torch.distributed.is_initialized()\n"
        "assert torch.utils.data.distributed.DistributedSampler\n"
        "assert torch.utils.data.sampler.SubsetRandomSampler and torch.utils.data.dataset.Dataset\n"
        "assert torch.distributions.normal.Normal is torch.distributions.Normal\n"
        "assert torch.optim.lr_scheduler.StepLR and torch.nn.parallel.DistributedDataParallel\n"
        "for path in ('torch.nope', 'torch.utils.data.nope', 'torch.nn.utils.nope'):\n"
        "    try:\n"
        "        eval(path)\n"
        "    except AttributeError:\n"
        "        pass\n"
        "    else:\n"
        "        raise AssertionError(path)\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
