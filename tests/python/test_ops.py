"""Every entry of the op-info table, checked against PyTorch and finite
differences, for Tensor and Variable, in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from op_info import OP_INFOS, OpInfo, Sample

import flodl
from flodl import Tensor, Variable

CASES = [
    pytest.param(info, i, id=f"{info.name}-{i}")
    for info in OP_INFOS
    for i in range(len(info.samples))
]
ERROR_CASES = [
    pytest.param(info, i, id=f"{info.name}-{i}")
    for info in OP_INFOS
    for i in range(len(info.errors))
]
SMOOTH_CASES = [case for case in CASES if case.values[0].smooth]


def make_inputs(info: OpInfo, sample: Sample, dtype, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        np.asarray(info.domain(rng.standard_normal(shape)), dtype=dtype) for shape in sample.shapes
    ]


def call(info: OpInfo, operands, kwargs):
    return getattr(operands[0], info.name)(*operands[1:], **kwargs)


def torch_loss_grads(info, arrays, kwargs, weight):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = info.torch_fn(*xs, **kwargs)
    (out * torch.tensor(weight)).sum().backward()
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


def flodl_loss_grads(info, arrays, kwargs, weight):
    vs = [Variable(Tensor.from_numpy(a), True) for a in arrays]
    out = call(info, vs, kwargs)
    out.mul(Variable(Tensor.from_numpy(weight))).sum().backward()
    return out.numpy(), [v.grad().numpy() for v in vs]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("info,index", CASES)
def test_forward_matches_torch(info: OpInfo, index: int, dtype) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, dtype)
    expected = info.torch_fn(*[torch.from_numpy(a) for a in arrays], **sample.kwargs).numpy()
    for wrap in (Tensor.from_numpy, lambda a: Variable(Tensor.from_numpy(a))):
        got = call(info, [wrap(a) for a in arrays], sample.kwargs)
        assert got.shape() == list(expected.shape)
        assert got.dtype().name == str(expected.dtype)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("info,index", CASES)
def test_gradient_matches_torch(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    out_shape = info.torch_fn(*[torch.from_numpy(a) for a in arrays], **sample.kwargs).shape
    weight = np.random.default_rng(1).standard_normal(tuple(out_shape))
    t_out, t_grads = torch_loss_grads(info, arrays, sample.kwargs, weight)
    f_out, f_grads = flodl_loss_grads(info, arrays, sample.kwargs, weight)
    np.testing.assert_allclose(f_out, t_out, rtol=1e-12, atol=1e-12)
    for f_grad, t_grad in zip(f_grads, t_grads):
        np.testing.assert_allclose(f_grad, t_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("info,index", SMOOTH_CASES)
def test_gradient_matches_finite_differences(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64, seed=2)
    out_shape = call(info, [Tensor.from_numpy(a) for a in arrays], sample.kwargs).shape()
    weight = np.random.default_rng(3).standard_normal(tuple(out_shape))

    def loss(inputs: list[np.ndarray]) -> float:
        out = call(info, [Tensor.from_numpy(a) for a in inputs], sample.kwargs)
        return float((out.numpy() * weight).sum())

    _, analytic = flodl_loss_grads(info, arrays, sample.kwargs, weight)
    eps = 1e-6
    for k, array in enumerate(arrays):
        numeric = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            numeric[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        np.testing.assert_allclose(analytic[k], numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("info,index", ERROR_CASES)
def test_bad_input_raises_the_right_class(info: OpInfo, index: int) -> None:
    case = info.errors[index]
    operands = case.operands()
    with pytest.raises(case.raises) as caught:
        call(info, operands, case.kwargs)
    assert info.name in str(caught.value), "the message names the op"


BINARY_OPS = [info for info in OP_INFOS if len(info.samples[0].shapes) == 2]


@pytest.mark.parametrize("info", BINARY_OPS, ids=lambda i: i.name)
@pytest.mark.parametrize("wrap", [Tensor, Variable])
def test_wrong_python_type_is_a_type_error(info: OpInfo, wrap) -> None:
    x = Tensor.zeros([2]) if wrap is Tensor else Variable(Tensor.zeros([2]))
    with pytest.raises(TypeError) as caught:
        getattr(x, info.name)("not a tensor")
    assert not isinstance(caught.value, flodl.FlodlError)


# Methods of Variable that are not ops of the catalogue.
NON_OPS = {
    "backward",
    "data",
    "detach",
    "device",
    "dtype",
    "grad",
    "is_leaf",
    "item",
    "ndim",
    "new",
    "numel",
    "numpy",
    "requires_grad",
    "shape",
    "to_device",
    "zero_grad",
}


def public_methods(cls) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}


def test_op_table_and_bindings_agree() -> None:
    """An op bound without a table entry, or listed but not bound, fails."""
    bound_ops = public_methods(Variable) - NON_OPS
    listed = {info.name for info in OP_INFOS}
    assert bound_ops == listed
    tensor_ops = public_methods(Tensor)
    assert listed <= tensor_ops, listed - tensor_ops


def test_every_sample_runs_in_both_dtypes_on_flodl_directly() -> None:
    # A smoke check that the table itself is sound (shapes fit each op).
    for info in OP_INFOS:
        for sample in info.samples:
            arrays = make_inputs(info, sample, np.float32)
            call(info, [Tensor.from_numpy(a) for a in arrays], sample.kwargs)
    assert flodl.is_grad_enabled()
