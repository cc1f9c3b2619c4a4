"""Tensor creation, inspection and conversion."""

import numpy as np
import pytest
import torch

import flodl
from flodl import Device, DType, Tensor, TensorOptions


def test_from_sequences_and_shapes() -> None:
    t = Tensor.from_f32([1, 2, 3, 4, 5, 6], [2, 3], Device.CPU)
    assert t.shape == (2, 3) and t.ndim == 2 and t.numel() == 6
    assert t.dtype == DType.Float32 and t.device == Device.CPU
    assert t.to_f32_vec() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert Tensor.from_f64((0.1, 0.2), [2]).to_f64_vec() == [0.1, 0.2]
    assert Tensor.from_i64([7, 8], [2]).dtype == DType.Int64
    assert Tensor.from_i64([7, 8], [2]).to_i64_vec() == [7, 8]
    nested = Tensor.from_f32(np.ones((2, 2)), [4])
    assert nested.to_f32_vec() == [1.0] * 4


def test_from_numpy_keeps_dtype_and_shape() -> None:
    for dtype, expected in [
        (np.float64, DType.Float64),
        (np.float32, DType.Float32),
        (np.int32, DType.Int32),
        (np.int64, DType.Int64),
        (np.uint8, DType.UInt8),
        (np.int8, DType.Int8),
        (np.int16, DType.Int16),
        (np.float16, DType.Float16),
        (np.bool_, DType.Bool),
    ]:
        a = (np.arange(6) % 3).astype(dtype).reshape(2, 3)
        t = Tensor.from_numpy(a)
        assert t.dtype == expected
        assert t.shape == (2, 3)
        np.testing.assert_array_equal(t.numpy(), a)
        assert t.numpy().dtype == a.dtype
        np.testing.assert_array_equal(np.asarray(t), a)
    strided = np.arange(12.0).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(Tensor.from_numpy(strided).numpy(), strided)
    big_endian = np.arange(3, dtype=">f8")
    np.testing.assert_array_equal(Tensor.from_numpy(big_endian).numpy(), big_endian)


def test_numpy_shares_memory_as_torch_s_and_np_array_copies() -> None:
    t = Tensor.from_f32([1.0, 2.0], [2])
    a = t.numpy()  # shared, writable, as torch.Tensor.numpy()
    a[0] = 9.0
    assert t.to_f32_vec() == [9.0, 2.0]
    copied = np.array(t)  # numpy's copy=True
    copied[1] = 7.0
    assert t.to_f32_vec() == [9.0, 2.0]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "make,torch_make",
    [
        (lambda: Tensor.zeros([2, 3]), lambda: torch.zeros(2, 3)),
        (lambda: Tensor.ones([4]), lambda: torch.ones(4)),
        (lambda: Tensor.full([2, 2], 3.5), lambda: torch.full((2, 2), 3.5)),
        (lambda: Tensor.arange(0, 5, 1), lambda: torch.arange(0, 5, 1, dtype=torch.float32)),
        (lambda: Tensor.arange(5), lambda: torch.arange(5, dtype=torch.float32)),
        (lambda: Tensor.arange(1, 2, 0.25), lambda: torch.arange(1, 2, 0.25)),
        (lambda: Tensor.linspace(0, 1, 5), lambda: torch.linspace(0, 1, 5)),
        (lambda: Tensor.eye(3), lambda: torch.eye(3)),
    ],
)
def test_creation_matches_torch(make, torch_make) -> None:
    got, expected = make(), torch_make()
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_dtype_and_device_keywords() -> None:
    assert Tensor.zeros([2], dtype=DType.Float64).dtype == DType.Float64
    assert Tensor.ones([2], dtype="int32").dtype == DType.Int32
    assert Tensor.ones([2], dtype=np.float16).dtype == DType.Float16
    assert Tensor.ones([2], dtype=np.dtype("int8")).dtype == DType.Int8
    assert Tensor.eye(2, dtype="bfloat16").dtype == DType.BFloat16
    assert Tensor.zeros([2], device="cpu").device == Device.CPU
    opts = TensorOptions(dtype=DType.Float64, device=Device.CPU)
    assert Tensor.zeros([1], opts).dtype == DType.Float64
    assert Tensor.zeros([1], opts, dtype="float64").dtype == DType.Float64
    with pytest.raises(flodl.ArgumentError):
        Tensor.zeros([1], opts, dtype="float32")  # options and keyword disagree
    assert TensorOptions().dtype == DType.Float32 and TensorOptions().device == Device.CPU


def test_every_dtype_round_trips() -> None:
    names = [
        "bool",
        "uint8",
        "int8",
        "int16",
        "int32",
        "int64",
        "float16",
        "bfloat16",
        "float32",
        "float64",
    ]
    for name in names:
        t = Tensor.ones([3], dtype=name)
        assert t.dtype.name == name
        assert t.to_dtype("float64").to_f64_vec() == [1.0, 1.0, 1.0]


def test_random_tensors_follow_the_seed() -> None:
    flodl.manual_seed(7)
    a = Tensor.randn([5]).to_f32_vec()
    flodl.manual_seed(7)
    assert Tensor.randn([5]).to_f32_vec() == a
    r = Tensor.rand([1000]).numpy()
    assert r.min() >= 0.0 and r.max() < 1.0
    like = Tensor.rand_like(Tensor.zeros([2, 3], dtype="float64"))
    assert like.shape == (2, 3) and like.dtype == DType.Float64
    assert Tensor.zeros_like(like).to_f64_vec() == [0.0] * 6
    assert Tensor.ones_like(like).to_f64_vec() == [1.0] * 6
    assert Tensor.randn_like(like).shape == (2, 3)
    assert Tensor.empty([3, 1]).shape == (3, 1)


def test_item_and_float() -> None:
    assert Tensor.from_f32([2.5], [1]).item() == 2.5
    assert float(Tensor.full([], 4.0)) == 4.0
    with pytest.raises(flodl.ShapeError):
        Tensor.zeros([2]).item()


def test_detach_and_to_device() -> None:
    t = Tensor.from_f32([1.0], [1])
    assert not t.requires_grad
    assert t.detach().to_f32_vec() == [1.0]
    assert t.detach_() is t
    assert t.to_device(Device.CPU).to_f32_vec() == [1.0]
    assert t.to_device("cpu").device == Device.CPU


def test_cuda_queries() -> None:
    assert isinstance(flodl.cuda_available(), bool)
    assert flodl.cuda_device_count() >= (1 if flodl.cuda_available() else 0)
    assert Device.CUDA(1) == Device.parse("cuda:1")
    assert repr(Device.CUDA(0)) == "device(type='cuda', index=0)" and str(Device.CPU) == "cpu"
    assert repr([Device.CPU]) == repr([torch.device("cpu")])


@pytest.mark.skipif(not flodl.cuda_available(), reason="needs a CUDA device")
def test_cuda_round_trip_and_gradients() -> None:
    t = Tensor.from_f32([1.0, 2.0], [2], Device.CUDA(0))
    assert t.device == Device.CUDA(0)
    x = flodl.Variable(t, True)
    (x * x).sum().backward()
    assert x.grad.device == Device.CUDA(0)
    assert x.grad.to_f32_vec() == [2.0, 4.0]
    assert Tensor.zeros([2], device="cuda").to_device("cpu").device == Device.CPU


def test_operators() -> None:
    a = Tensor.from_f32([1.0, 2.0], [2])
    b = Tensor.from_f32([4.0, 8.0], [2])
    assert (a + b).to_f32_vec() == [5.0, 10.0]
    assert (a - b).to_f32_vec() == [-3.0, -6.0]
    assert (a * b).to_f32_vec() == [4.0, 16.0]
    assert (b / a).to_f32_vec() == [4.0, 4.0]
    assert (a @ b).item() == 20.0
    assert (-a).to_f32_vec() == [-1.0, -2.0]
    assert (a**2).to_f32_vec() == [1.0, 4.0]
    assert (a + 1).to_f32_vec() == [2.0, 3.0]
    assert (1 + a).to_f32_vec() == [2.0, 3.0]
    assert (10 - a).to_f32_vec() == [9.0, 8.0]
    assert (a - 1).to_f32_vec() == [0.0, 1.0]
    assert (2 * a).to_f32_vec() == [2.0, 4.0]
    assert (8 / b).to_f32_vec() == [2.0, 1.0]
    assert (a / 2).to_f32_vec() == [0.5, 1.0]
    assert (a * np.float32(3)).to_f32_vec() == [3.0, 6.0]
    with pytest.raises(TypeError):
        a + "x"
    with pytest.raises(TypeError):
        a @ 2
    assert (2**a).tolist() == [2.0, 4.0]  # a number base: torch.pow(2, a)
    with pytest.raises(TypeError):
        "x" ** a


@pytest.mark.parametrize(
    "make,raises",
    [
        (lambda: Tensor.full([2], 1e30, dtype="int64"), flodl.ArgumentError),
        (lambda: Tensor.arange(0, 1e30, 1e28, dtype="int8"), flodl.ArgumentError),
        (lambda: Tensor.linspace(0, 1e30, 3, dtype="int8"), flodl.ArgumentError),
        (lambda: Tensor.linspace(0, 1, 3, dtype="bool"), flodl.DTypeError),
        (lambda: Tensor.arange(0, 1e15, 1, dtype="int64"), flodl.OutOfMemoryError),
    ],
)
def test_creation_failures_raise_instead_of_panicking(make, raises) -> None:
    # tch's wrappers of these (Scalar arguments) panic on libtorch errors. The
    # last asks for 8 PB: more than any address space, so it fails at once.
    with pytest.raises(raises):
        make()


def test_reductions_take_several_dims_as_torch() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x, t = flodl.tensor(a), torch.tensor(a)
    for dims in ((0, 1), [0, 2], (-1,), [2, 0]):
        for keepdim in (False, True):
            for name in ("sum", "mean", "var", "std", "amax", "amin"):
                got = getattr(x, name)(dims, keepdim=keepdim)
                want = getattr(t, name)(dims, keepdim=keepdim)
                np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
                assert list(got.shape) == list(want.shape)
            for name in ("any", "all"):
                got = getattr(x.gt(0), name)(dim=dims, keepdim=keepdim)
                assert got.tolist() == getattr(t.gt(0), name)(dim=dims, keepdim=keepdim).tolist()
            for correction in (0, 2):
                for name in ("var", "std"):
                    got = getattr(x, name)(dims, correction=correction, keepdim=keepdim)
                    want = getattr(t, name)(dims, correction=correction, keepdim=keepdim)
                    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5)
    assert flodl.sum(x, (0, 1)).shape == (4,)
    np.testing.assert_allclose(
        x.var((0, 1), unbiased=False).numpy(), t.var((0, 1), unbiased=False).numpy(), rtol=1e-6
    )
    assert float(x.amax()) == float(t.amax()) and float(flodl.amin(x)) == float(t.amin())
    v = flodl.tensor(a, requires_grad=True)
    v.mean(dim=(0, 2)).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), np.full(a.shape, 1 / 8), rtol=1e-6)
    with pytest.raises(flodl.ArgumentError, match="multiple times"):
        x.sum((0, 0))
    with pytest.raises(flodl.OutOfRangeError):
        x.any((0, 3))
    with pytest.raises(TypeError):
        x.sum((0, "a"))


def test_plain_tensors_answer_pytorch_s_autograd_attributes() -> None:
    x = flodl.ones(2)
    assert x.requires_grad_(False) is x  # chains, as torch's
    assert x.grad is None and x.is_leaf and x.grad_fn is None
    assert x.data.data_ptr() == x.data_ptr() and x.data is not x
    x.requires_grad = False
    assert type(x) is flodl.Tensor
    assert x.layout == flodl.strided and repr(x.layout) == "flodl.strided"


def test_a_0d_tensor_formats_as_its_number() -> None:
    for value in (0.25, -3.0, 7):
        t, tt = flodl.tensor(value), torch.tensor(value)
        assert f"{t}" == f"{tt}" and format(t) == format(tt)
    loss = flodl.Variable(flodl.tensor(0.5), requires_grad=True) * 2
    assert f"loss {loss}" == "loss 1.0"
    assert f"{flodl.tensor([1.0, 2.0])}" == repr(flodl.tensor([1.0, 2.0]))


def test_one_int_stands_for_a_list_of_dims() -> None:
    data = np.arange(6.0).reshape(2, 3)
    x, tx = flodl.tensor(data), torch.tensor(data)
    assert x.flip(0).tolist() == tx.flip(0).tolist()
    assert x.amax(1).tolist() == tx.amax(1).tolist()
    assert x.sum(dim=1).tolist() == tx.sum(dim=1).tolist()
    with pytest.raises(TypeError):
        x.flip(True)
