"""The Python surface a PyTorch user expects, each item from a reproduction
of a trap a first user hit: creation, conversion, sequences, truth values,
hashing, numpy operands, pickle and copy, grad modes, the version."""

from __future__ import annotations

import copy
import pickle
import sys
import warnings

import numpy as np
import pytest
import torch

import flodl
from flodl import Tensor, TensorOptions, Variable

# ----- creation takes numbers only, and infers as torch.tensor does -----


@pytest.mark.parametrize(
    "call",
    [
        lambda: Tensor.from_f32(None, [1]),
        lambda: Tensor.from_f32("1.5", [1]),
        lambda: Tensor.from_f32(["1.5"], [1]),
        lambda: Tensor.from_i64(["7"], [1]),
        lambda: Tensor.from_f64([True, False], [2]),
        lambda: Tensor.from_f32([[1.0], [None]], [2]),
    ],
)
def test_from_f32_and_friends_take_numbers_only(call) -> None:
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize(
    "data", [[1, 2], [[1.5, 2.0]], [True, False], 3, 2.5, [[1, 2.5]], np.arange(3, dtype=np.int16)]
)
def test_tensor_infers_shape_and_dtype_as_torch(data) -> None:
    got, expected = flodl.tensor(data), torch.tensor(data)
    assert got.shape == tuple(expected.shape)
    assert got.dtype.name == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_tensor_with_a_dtype_does_not_round_through_float32() -> None:
    for data in (1.7, [1.7, 1e-40], [[0.1]]):
        got = flodl.tensor(data, dtype="float64")
        assert got.tolist() == torch.tensor(data, dtype=torch.float64).tolist()


def test_tensor_conversions_and_errors() -> None:
    assert flodl.tensor([1, 2], dtype="float64").dtype == flodl.DType.Float64
    source = Tensor.ones([2])
    copied = flodl.tensor(source)
    assert copied.tolist() == [1.0, 1.0] and copied is not source
    with pytest.raises(flodl.ShapeError):
        flodl.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        flodl.tensor(["a"])
    v = Variable([[1.0, 2.0]], requires_grad=True)
    assert v.shape == (1, 2) and v.requires_grad


def test_options_and_keywords_may_not_contradict() -> None:
    with pytest.raises(flodl.ArgumentError, match="dtype"):
        Tensor.zeros([2], TensorOptions(dtype="int64"), dtype="float32")
    same = Tensor.zeros([2], TensorOptions(dtype="int64"), dtype="int64")
    assert same.dtype == flodl.DType.Int64


# ----- conversion -----


def test_to_and_the_dtype_shorthands() -> None:
    x = Tensor.from_f32([1.5, 2.5], [2])
    assert x.to("float64").dtype == flodl.DType.Float64
    assert x.to(flodl.DType.Int32).tolist() == [1, 2]
    assert x.to("cpu").dtype == flodl.DType.Float32
    assert x.to("cpu", "float16").dtype == flodl.DType.Float16
    assert x.to(dtype="bfloat16").dtype == flodl.DType.BFloat16
    assert x.to(Tensor.zeros([1], dtype="int64")).dtype == flodl.DType.Int64
    names = {
        "float": "float32",
        "double": "float64",
        "half": "float16",
        "bfloat16": "bfloat16",
        "long": "int64",
        "int": "int32",
        "bool": "bool",
    }
    for method, dtype in names.items():
        assert getattr(x, method)().dtype.name == dtype
    assert x.cpu().device == flodl.Device.CPU
    v = Variable(x, True)
    assert v.double().requires_grad and not v.double().is_leaf  # differentiable
    if not flodl.cuda_available():
        with pytest.raises(flodl.DeviceError):
            x.cuda()


# ----- sequences and truth values -----


def test_len_iteration_and_transposes() -> None:
    x = flodl.tensor([[1, 2, 3], [4, 5, 6]])
    assert len(x) == 2
    assert [row.tolist() for row in x] == [[1, 2, 3], [4, 5, 6]]
    assert x.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert flodl.tensor(np.ones((4, 2, 3))).mT.shape == (4, 3, 2)
    with pytest.raises(TypeError):
        len(flodl.tensor(1))
    with pytest.raises(flodl.ShapeError):
        _ = flodl.tensor([1, 2]).mT
    v = Variable(Tensor.ones([2, 2]), True)
    sum(row.sum() for row in v).backward()  # iteration is differentiable
    assert v.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_single_elements_convert_to_python_numbers() -> None:
    assert bool(Tensor.zeros([1])) is False and bool(Tensor.ones([1])) is True
    assert int(flodl.tensor([7])) == 7 and float(flodl.tensor(2.5)) == 2.5
    assert [10, 20, 30][flodl.tensor(1)] == 20  # operator.index
    with pytest.raises(flodl.ShapeError):
        bool(Tensor.zeros([2]))
    with pytest.raises(TypeError):
        [1, 2][flodl.tensor(1.0)]


def test_comparison_is_elementwise_and_hashing_by_identity() -> None:
    a, b = flodl.tensor([1, 2, 3]), flodl.tensor([1, 0, 3])
    assert (a == b).tolist() == [True, False, True]
    assert (a != b).tolist() == [False, True, False]
    assert (a > 1).tolist() == [False, True, True]
    assert len({a, b, a}) == 2 and hash(a) == hash(a)
    v = Variable(flodl.tensor([1.0, 2.0]))
    assert isinstance(v == 1.0, Tensor) and (v == 1.0).tolist() == [True, False]
    assert (a == "x") is False  # not a tensor or number: identity, as Python's default


# ----- numpy operands keep flodl results and graphs -----


def test_numpy_scalars_and_arrays_are_operands() -> None:
    v = Variable(Tensor.ones([3]), True)
    for result in (np.float64(0.5) * v, v * np.float32(2.0), v + np.ones(3), np.ones(3) / v):
        assert isinstance(result, Variable) and result.requires_grad
    with pytest.raises(TypeError):  # as PyTorch: an array on the left is numpy's
        np.ones(3) + v
    (np.float64(0.5) * v).sum().backward()
    assert v.grad.tolist() == [0.5, 0.5, 0.5]
    t = Tensor.ones([2])
    assert isinstance(np.int64(3) + t, Tensor) and (np.int64(3) + t).tolist() == [4.0, 4.0]
    assert isinstance(t @ np.ones((2, 2), dtype=np.float32), Tensor)


# ----- pickle and copy -----


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "bfloat16", "float16"])
def test_tensors_pickle_and_copy(dtype) -> None:
    x = flodl.tensor([[1, 0], [3, 4]], dtype=dtype)
    for clone in (pickle.loads(pickle.dumps(x)), copy.copy(x), copy.deepcopy(x)):
        assert isinstance(clone, Tensor) and clone is not x
        assert clone.dtype == x.dtype and clone.shape == x.shape
        assert clone.float().tolist() == x.float().tolist()


def test_variables_pickle_and_copy_without_the_graph() -> None:
    leaf = Variable(flodl.tensor([1.0, 2.0]), True)
    result = leaf * 2
    for v, requires_grad in ((leaf, True), (result, True), (Variable(flodl.tensor([1.0])), False)):
        # As PyTorch, deepcopy takes leaves only (test_reliability.py).
        deep = [copy.deepcopy(v)] if v.is_leaf else []
        for clone in [pickle.loads(pickle.dumps(v)), copy.copy(v), *deep]:
            assert isinstance(clone, Variable) and clone.is_leaf
            assert clone.requires_grad == requires_grad and clone.tolist() == v.tolist()
    copied = copy.deepcopy(leaf)
    copied.sum().backward()
    assert leaf.grad is None, "a copy is independent"


def test_version() -> None:
    assert isinstance(flodl.__version__, str) and flodl.__version__.count(".") == 2


# ----- grad modes -----


def test_no_grad_on_a_generator_function() -> None:
    w = Variable(Tensor.ones([1]), True)

    @flodl.no_grad()
    def steps():
        for _ in range(2):
            yield (w * 2).requires_grad, flodl.is_grad_enabled()

    seen = []
    for requires_grad, enabled in steps():
        seen.append((requires_grad, enabled))
        assert flodl.is_grad_enabled(), "the caller keeps its mode between steps"
    assert seen == [(False, False), (False, False)]


def test_enable_grad_and_set_grad_enabled() -> None:
    w = Variable(Tensor.ones([1]), True)
    with flodl.no_grad():
        with flodl.enable_grad():
            assert (w * 2).requires_grad
        assert not (w * 2).requires_grad
    flodl.set_grad_enabled(False)
    assert not flodl.is_grad_enabled()
    flodl.set_grad_enabled(True)
    with flodl.set_grad_enabled(False):
        assert not flodl.is_grad_enabled()
    assert flodl.is_grad_enabled()

    @flodl.set_grad_enabled(False)
    def off():
        return flodl.is_grad_enabled()

    assert flodl.is_grad_enabled() and off() is False and flodl.is_grad_enabled()

    @flodl.enable_grad()
    def on():
        return flodl.is_grad_enabled()

    with flodl.no_grad():
        assert on() is True and not flodl.is_grad_enabled()


# ----- a Tensor operand mixed with a Variable, in methods as in operators -----


def test_tensor_methods_take_variable_operands() -> None:
    t = flodl.tensor([1.0, 2.0])
    v = Variable(flodl.tensor([3.0, 4.0]), True)
    for result in (t.add(v), t.mul(v), t.maximum(v), t.matmul(v), t.pow(v), t + v, t @ v):
        assert isinstance(result, Variable) and result.requires_grad
    t.mul(v).sum().backward()
    assert v.grad.tolist() == [1.0, 2.0]
    assert isinstance(t.gt(v), Tensor) and t.gt(v).tolist() == [False, False]
    assert isinstance(v.add(t), Variable)


# ----- warnings reach Python's warnings module, never raw stderr -----


def test_warnings_are_python_warnings(capfd) -> None:
    v = Variable(Tensor.ones([2]), True)
    result = v * 2
    with pytest.warns(UserWarning, match="grad: this Variable .* was made by an op") as caught:
        assert result.grad is None
    assert "retain_grad()" in str(caught[0].message)  # advice about an API flodl has
    assert capfd.readouterr().err == "", "nothing on raw stderr"


def test_a_warning_turned_error_does_not_cross_libtorch(monkeypatch) -> None:
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    result = Variable(Tensor.ones([2]), True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert result.grad is None  # reported as unraisable, not raised through C++
    assert len(reported) == 1 and isinstance(reported[0].exc_value, UserWarning)


def test_inference_mode() -> None:
    w = Variable(Tensor.ones([2]), True)
    with flodl.inference_mode():
        assert flodl.is_inference_mode_enabled() and not flodl.is_grad_enabled()
        y = w * 2.0
        assert not y.requires_grad
        with flodl.inference_mode(False):
            assert not flodl.is_inference_mode_enabled()
    assert not flodl.is_inference_mode_enabled() and flodl.is_grad_enabled()
    with pytest.raises(flodl.FlodlError):
        (Variable(y.data, True) * w).sum().backward()  # an inference tensor in a graph

    @flodl.inference_mode()
    def steps():
        yield flodl.is_inference_mode_enabled()

    assert list(steps()) == [True] and not flodl.is_inference_mode_enabled()


def test_num_threads_is_libtorch_s_setting_shared_with_torch() -> None:
    import torch

    before = flodl.get_num_threads()
    try:
        flodl.set_num_threads(1)
        assert flodl.get_num_threads() == 1 == torch.get_num_threads()
    finally:
        flodl.set_num_threads(before)
    assert flodl.get_num_threads() == before


@pytest.mark.parametrize(
    "path, names",
    [
        ("types", ["Number", "Device", "_size", "_dtype", "_TensorOrTensors", "FileLike"]),
        ("nn.common_types", ["_size_2_t", "_size_any_t", "_ratio_2_t", "_tensor_list_t"]),
        ("utils.hooks", ["RemovableHandle"]),
        ("autograd.variable", ["Variable"]),
        ("serialization", ["add_safe_globals", "safe_globals", "get_safe_globals", "load"]),
    ],
)
def test_torch_s_module_paths_import(path, names) -> None:
    import importlib

    ours, theirs = (importlib.import_module(f"{m}.{path}") for m in ("flodl", "torch"))
    for name in names:
        assert hasattr(theirs, name), name
        assert hasattr(ours, name), name


def test_every_hook_handle_is_a_removable_handle() -> None:
    from flodl.utils.hooks import RemovableHandle

    module = flodl.nn.Linear(2, 2)
    v = Variable(Tensor.zeros([2]), True)
    for handle in (module.register_forward_hook(lambda *a: None), v.register_hook(lambda g: g)):
        assert isinstance(handle, RemovableHandle)
        handle.remove()
    assert flodl.autograd.variable.Variable is Variable
    assert flodl.types.Number == torch.types.Number  # Union[int, float, bool] both


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.copysign(x, -1),
        lambda m, x: x.copysign(2.5),
        lambda m, x: m.copysign(x.long(), -1),
        lambda m, x: m.xlogy(x, 2),
        lambda m, x: m.xlogy(2, x.abs()),
        lambda m, x: m.xlogy(0, x.abs()),
        lambda m, x: x.abs().xlogy(3),
        lambda m, x: m.remainder(2, x),
        lambda m, x: m.float_power(2, x),
    ],
)
def test_the_number_forms_torch_takes_are_flodl_s(call) -> None:
    values = np.array([1.5, -2.0, 0.5, 3.0], dtype=np.float32)
    expected = call(torch, torch.tensor(values))
    got = call(flodl, flodl.tensor(values))
    assert str(got.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_the_number_forms_are_differentiable_as_torch_s() -> None:
    grads = []
    for m in (torch, flodl):
        x = m.tensor([1.5, 2.0, 0.5], requires_grad=True)
        (m.xlogy(x, 3.0) + m.xlogy(2.0, x) + x.copysign(-1) + m.float_power(2, x)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_dlpack_at_torch_s_path_shares_memory_both_ways() -> None:
    from flodl.utils import dlpack

    ours = flodl.tensor([1.0, 2.0, 3.0])
    theirs = torch.utils.dlpack.from_dlpack(dlpack.to_dlpack(ours))
    theirs[0] = 7.0  # one memory
    assert ours.tolist() == [7.0, 2.0, 3.0]
    back = dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(theirs))
    assert back.tolist() == [7.0, 2.0, 3.0]
    assert ours.__dlpack_device__()[0] == dlpack.DLDeviceType.kDLCPU
    assert list(dlpack.DLDeviceType.__members__) == list(
        torch.utils.dlpack.DLDeviceType.__members__
    )
    with pytest.raises(TypeError, match="to_dlpack: expected a flodl Tensor, got list"):
        dlpack.to_dlpack([1.0])
