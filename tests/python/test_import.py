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
