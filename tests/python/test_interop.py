"""Sharing memory with torch, DLPack consumers and numpy: no copies where
the memory can be shared, one autograd graph across flodl and torch, and
refusals (not silent copies) where `copy=False` asks for sharing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, Variable

CUDA = pytest.mark.skipif(not flodl.cuda_available(), reason="needs CUDA")


def test_import_flodl_does_not_import_torch() -> None:
    code = "import sys, flodl; flodl.tensor([1.0]).numpy(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_torch_tensors_share_memory_both_ways() -> None:
    t = flodl.tensor([1.0, 2.0, 3.0])
    tt = t.to_torch()
    assert isinstance(tt, torch.Tensor) and tt.data_ptr() == t.to_torch().data_ptr()
    tt[0] = 10.0
    t.mul_scalar_(2)
    assert t.tolist() == [20.0, 4.0, 6.0] and tt.tolist() == [20.0, 4.0, 6.0]
    source = torch.arange(4.0)
    shared = Tensor.from_torch(source)
    source.add_(1)
    assert shared.tolist() == [1.0, 2.0, 3.0, 4.0]
    # A Tensor records nothing, even from a torch tensor that requires grad.
    leaf = torch.ones(2, requires_grad=True)
    assert not Tensor.from_torch(leaf).requires_grad
    assert Tensor.from_torch(torch.zeros(2, dtype=torch.int64)).dtype == flodl.DType.Int64
    # torch's requires_grad_ on the shared tensor leaves the flodl Tensor untracked.
    untracked = flodl.tensor([1.0])
    untracked.to_torch().requires_grad_()
    assert not untracked.requires_grad and not (untracked * 2).requires_grad


def test_flodl_tensor_copies_an_array_as_torch_tensor_does() -> None:
    a = np.zeros(2, np.float32)
    t = flodl.tensor(a)
    a[0] = 7.0
    assert t.tolist() == [0.0, 0.0]


def test_one_graph_across_flodl_and_torch() -> None:
    data = np.array([0.5, -1.0, 2.0])
    # flodl leaf -> flodl op -> torch ops -> backward in torch
    w = Variable(flodl.tensor(data), requires_grad=True)
    y = (w * w).to_torch()
    assert y.requires_grad and y.grad_fn is not None
    (y.sin() * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    tw = torch.tensor(data, requires_grad=True)
    ((tw * tw).sin() * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    # torch leaf -> torch op -> flodl ops -> backward in flodl
    x = torch.tensor(data, requires_grad=True)
    v = Variable.from_torch(x.exp())
    assert v.requires_grad and not v.is_leaf
    (v.tanh() * v).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    (tx.exp().tanh() * tx.exp()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    # A torch leaf as a flodl leaf: flodl's backward fills torch's .grad.
    leaf = torch.ones(2, requires_grad=True)
    as_flodl = Variable.from_torch(leaf)
    assert as_flodl.is_leaf
    (as_flodl * 3).sum().backward()
    assert leaf.grad.tolist() == [3.0, 3.0]


def test_from_torch_refuses_other_objects_and_other_dtypes() -> None:
    with pytest.raises(TypeError, match="from_torch: expected a torch.Tensor, got ndarray"):
        Tensor.from_torch(np.ones(2))
    with pytest.raises(flodl.DTypeError):
        Tensor.from_torch(torch.ones(2, dtype=torch.uint16))


def test_dlpack_with_numpy_and_torch_both_ways() -> None:
    t = flodl.tensor([1, 2, 3])
    assert t.__dlpack_device__() == (1, 0)
    from_numpy = np.from_dlpack(t)
    from_numpy[2] = 30
    from_torch = torch.from_dlpack(t)
    from_torch[0] = 10
    assert t.tolist() == [10, 2, 30]
    array = np.arange(6.0).reshape(2, 3)
    shared = flodl.from_dlpack(array)
    array[1, 2] = -1.0
    assert shared.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, -1.0]]
    source = torch.arange(3, dtype=torch.int32)
    shared = flodl.from_dlpack(source)
    source[1] = 7
    assert shared.tolist() == [0, 7, 2] and shared.dtype == flodl.DType.Int32
    capsule = torch.ones(2).__dlpack__()
    assert flodl.from_dlpack(capsule).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="unconsumed DLPack capsule"):
        flodl.from_dlpack(capsule)  # consumed once already
    with pytest.raises(TypeError):
        flodl.from_dlpack([1, 2])


def test_dlpack_copies_read_only_memory_and_refuses_negative_strides() -> None:
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    copy = flodl.from_dlpack(frozen)
    copy.add_scalar_(1)
    assert frozen.tolist() == [0.0, 1.0, 2.0] and copy.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(flodl.ArgumentError, match="negative strides"):
        flodl.from_dlpack(np.arange(4.0)[::-1])


def test_a_variable_exports_through_dlpack_only_without_grad() -> None:
    v = Variable(flodl.tensor([1.0, 2.0]), requires_grad=True)
    with pytest.raises(flodl.AutogradError, match="requires grad"):
        v.__dlpack__()
    assert np.from_dlpack(v.data).tolist() == [1.0, 2.0]
    assert torch.from_dlpack(Variable(flodl.tensor([3.0]))).tolist() == [3.0]


def test_numpy_shares_memory_both_ways() -> None:
    t = flodl.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    a[0, 0] = 9.0
    t.add_scalar_(1)
    assert t.tolist() == [[10.0, 3.0], [4.0, 5.0]] and a.tolist() == t.tolist()
    assert t.numpy().base is not None  # a view on the tensor's memory
    source = np.zeros((2, 2), dtype=np.float32)
    shared = Tensor.from_numpy(source)
    shared.fill_(2.0)
    source[0, 1] = 5.0
    assert source.tolist() == [[2.0, 5.0], [2.0, 2.0]] and shared.tolist() == source.tolist()
    strided = np.arange(12.0).reshape(3, 4)[:, ::2]  # a non-contiguous view
    viewed = Tensor.from_numpy(strided)
    strided[2, 1] = -5.0
    assert viewed.tolist() == strided.tolist()


@pytest.mark.parametrize(
    "array",
    [
        pytest.param(np.arange(3.0).astype(">f8"), id="big-endian"),
        pytest.param(np.arange(5.0)[::-1], id="negative-strides"),
        pytest.param(np.frombuffer(bytes(24), dtype=np.float64), id="read-only"),
    ],
)
def test_arrays_that_cannot_share_are_copied(array: np.ndarray) -> None:
    t = Tensor.from_numpy(array)
    assert t.tolist() == array.tolist()
    t.add_scalar_(1.0)  # a copy: the array is untouched
    assert t.tolist() == (array + 1).tolist()


def test_copy_false_refuses_what_cannot_be_shared() -> None:
    with pytest.raises(ValueError, match="copy=False"):
        np.asarray(flodl.tensor([1.0]).to_dtype(flodl.DType.BFloat16), copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        np.asarray(flodl.tensor([1.0]), dtype=np.float64, copy=False)
    assert np.asarray(flodl.tensor([1.0]), copy=False).tolist() == [1.0]
    copied = np.array(flodl.tensor([1.0]))  # copy=True
    assert copied.flags.writeable and copied.tolist() == [1.0]


def test_variables_follow_torch_s_numpy_rule() -> None:
    """A Variable that requires grad refuses numpy() (PyTorch's
    RuntimeError) unless forced; one that does not (a detached value, an
    output under no_grad) shares memory as a torch tensor does."""
    for lib in (torch, flodl):
        w = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"numpy\(\) on .* requires grad"):
            w.numpy()
        with pytest.raises(RuntimeError, match="requires grad"):
            np.asarray(w)
        forced = w.numpy(force=True)
        assert forced.tolist() == [1.0, 1.0, 1.0]
        detached = w.detach().numpy()
        detached[0] = 5.0  # shares: the write reaches w
        assert w.tolist() == [5.0, 1.0, 1.0]
        with lib.no_grad():
            out = w * 2
        array = np.asarray(out)
        array[1] = 7.0
        assert out.tolist() == [10.0, 7.0, 2.0]
    with pytest.raises(flodl.AutogradError, match="^numpy: .*detach"):
        flodl.ones(3, requires_grad=True).numpy()


@CUDA
def test_cuda_tensors_share_memory_with_torch() -> None:
    t = flodl.tensor([1.0, 2.0]).cuda()
    tt = t.to_torch()
    assert tt.is_cuda
    tt.mul_(3)
    assert t.tolist() == [3.0, 6.0]
    assert flodl.from_dlpack(torch.ones(2, device="cuda")).device == flodl.Device.CUDA(0)
    with pytest.raises(ValueError, match="copy=False"):
        np.asarray(t, copy=False)


def test_torch_s_own_constructors_take_flodl_tensors() -> None:
    t = flodl.tensor([[1.0, 2.0], [3.0, 4.0]])
    copied = torch.tensor(t)  # a copy, as for any sequence
    shared = torch.asarray(t)  # DLPack: shares
    shared[0, 0] = 9.0
    assert t.tolist() == [[9.0, 2.0], [3.0, 4.0]] and copied[0, 0].item() == 1.0


def test_a_dlpack_tensor_of_a_dtype_flodl_lacks_is_refused_once():
    """The capsule is marked used before the dtype check, so the refused
    tensor's memory is freed once (a double free crashed the interpreter)."""
    import torch

    for dtype in (torch.uint32, torch.uint16):
        t = torch.ones(3, dtype=dtype)
        for _ in range(3):
            with pytest.raises(flodl.DTypeError, match="from_dlpack: the result's dtype"):
                flodl.from_dlpack(t)
        assert t.tolist() == torch.ones(3, dtype=dtype).tolist()
