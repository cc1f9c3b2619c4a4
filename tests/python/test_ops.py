"""Every entry of the op-info table, checked against PyTorch and finite
differences, for Tensor and Variable, in float32 and float64."""

from __future__ import annotations

from pathlib import Path

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
GRAD_CASES = [case for case in CASES if case.values[0].differentiable]
FD_CASES = [
    case for case in GRAD_CASES if case.values[0].samples[case.values[1]].finite_differences
]
ERROR_CASES = [
    pytest.param(info, i, id=f"{info.name}-{i}")
    for info in OP_INFOS
    for i in range(len(info.errors))
]


def make_inputs(info: OpInfo, sample: Sample, dtype, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    dtype = info.input_dtype or dtype
    if info.complex_inputs:
        complex_dtype = np.complex64 if dtype == np.float32 else np.complex128
        return [
            np.asarray(
                info.domain(rng.standard_normal(shape)) + 1j * rng.standard_normal(shape),
                dtype=complex_dtype,
            )
            for shape in sample.shapes
        ]
    return [
        np.asarray(info.domain(rng.standard_normal(shape)), dtype=dtype) for shape in sample.shapes
    ]


def _random_like(rng, a: np.ndarray) -> np.ndarray:
    """Standard normal values of `a`'s shape (complex ones for a complex `a`)."""
    values = rng.standard_normal(a.shape)
    if np.iscomplexobj(a):
        values = np.asarray(values + 1j * rng.standard_normal(a.shape))
    return values


def real_part(x):
    """A complex scalar's real part (a real loss for backward); else itself."""
    return x.real if x.dtype.is_complex else x


def _arg(value, dtype, to_tensor):
    """A numpy array in the arguments becomes a tensor; float ones take `dtype`."""
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.kind == "f":
        value = value.astype(dtype)
    return to_tensor(value.copy())


def call(info: OpInfo, operands, kwargs, dtype=np.float64):
    """The flodl op on `operands` (Tensors or Variables)."""
    kwargs = {k: _arg(v, dtype, Tensor.from_numpy) for k, v in kwargs.items()}
    if info.random:
        flodl.manual_seed(0)
    if info.kind == "nn":
        return getattr(flodl, info.name)(**dict(zip(info.operand_names, operands)), **kwargs)
    if info.kind == "static":
        return getattr(type(operands[0]), info.name)(list(operands), **kwargs)
    if info.operand_names:
        named = dict(zip(info.operand_names, operands[1:]))
        return getattr(operands[0], info.name)(**named, **kwargs)
    if isinstance(getattr(type(operands[0]), info.name, None), type(Tensor.dtype)):
        return getattr(operands[0], info.name)  # a property: x.real
    return getattr(operands[0], info.name)(*operands[1:], **kwargs)


def call_torch(info: OpInfo, tensors, kwargs, dtype=np.float64):
    kwargs = {k: _arg(v, dtype, torch.from_numpy) for k, v in kwargs.items()}
    if info.random:
        torch.manual_seed(0)
    if info.kind == "nn":
        return info.torch_fn(**dict(zip(info.operand_names, tensors)), **kwargs)
    return info.torch_fn(*tensors, **kwargs)


def outputs(result) -> list:
    """An op's outputs as a list (a tuple or list result, or one tensor); a
    lazy conj() view resolved, as numpy() refuses one (torch's too)."""
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    return [o.resolve_conj() if getattr(o, "is_conj", lambda: False)() else o for o in outs]


def is_float(out) -> bool:
    """Whether an output is differentiable: floating point or complex."""
    if isinstance(out, torch.Tensor):
        return out.is_floating_point() or out.is_complex()
    return out.dtype.is_floating_point or out.dtype.is_complex


def weights(torch_result) -> list[np.ndarray | None]:
    """Random weights for the floating outputs (complex ones for complex
    outputs, so the loss reads both parts), None for index outputs."""
    rng = np.random.default_rng(1)
    return [
        _random_like(rng, o.detach().resolve_conj().numpy()) if is_float(o) else None
        for o in outputs(torch_result)
    ]


def torch_loss_grads(info, arrays, kwargs, ws):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs = outputs(call_torch(info, xs, kwargs))
    loss = sum(real_part((o * torch.tensor(w)).sum()) for o, w in zip(outs, ws) if w is not None)
    loss.backward()
    # An operand only read for its dtype or shape (type_as) gets no gradient;
    # a constant op's (sgn) is a ZeroTensor, which numpy takes only by force.
    grads = [
        np.zeros_like(a) if x.grad is None else x.grad.numpy(force=True) for x, a in zip(xs, arrays)
    ]
    return [o.detach().numpy() for o in outs], grads


def flodl_loss_grads(info, arrays, kwargs, ws):
    vs = [Variable(Tensor.from_numpy(a), True) for a in arrays]
    outs = outputs(call(info, vs, kwargs))
    terms = [
        real_part(o.mul(Variable(Tensor.from_numpy(w))).sum())
        for o, w in zip(outs, ws)
        if w is not None
    ]
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    loss.backward()
    grads = [v.grad for v in vs]
    zeros = [np.zeros_like(a) for a in arrays]
    return [o.detach().numpy() for o in outs], [
        z if g is None else g.detach().numpy() for g, z in zip(grads, zeros)
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("info,index", CASES)
def test_forward_matches_torch(info: OpInfo, index: int, dtype) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, dtype)
    torch_in = [torch.from_numpy(a) for a in arrays]
    expected = [o.numpy() for o in outputs(call_torch(info, torch_in, sample.kwargs, dtype))]
    # Copies: from_numpy shares memory, and in-place ops would change the
    # arrays the next wrap reads.
    wraps = [lambda a: Tensor.from_numpy(a.copy()), lambda a: Variable(Tensor.from_numpy(a.copy()))]
    for wrap in wraps[:1] if info.kind == "tensor" else wraps:
        got = outputs(call(info, [wrap(a) for a in arrays], sample.kwargs, dtype))
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.shape == tuple(e.shape)
            assert g.dtype.name == str(e.dtype)
            np.testing.assert_allclose(g.numpy(), e, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "info,index",
    # Ops on Bool inputs (bitwise) cannot take Variables that require grad.
    [
        c
        for c in CASES
        if c.values[0].kind != "tensor"
        and c.values[0].input_dtype is None
        and not c.values[0].in_place
        and not c.values[0].returns_input
    ],
)
def test_result_kind_follows_the_operands(info: OpInfo, index: int) -> None:
    """Tensors in, Tensors out (no graph); a Variable that requires grad in,
    Variables out that record the op (but where torch's output records
    none: lstsq's singular values)."""
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    for out in outputs(call(info, [Tensor.from_numpy(a) for a in arrays], sample.kwargs)):
        assert isinstance(out, Tensor)
    torch_tracked = [torch.from_numpy(a).requires_grad_() for a in arrays]
    recorded = [o.requires_grad for o in outputs(call_torch(info, torch_tracked, sample.kwargs))]
    tracked = [Variable(Tensor.from_numpy(a), True) for a in arrays]
    for out, torch_records in zip(outputs(call(info, tracked, sample.kwargs)), recorded):
        if is_float(out) and torch_records:
            assert isinstance(out, Variable) and out.requires_grad and not out.is_leaf
        else:
            assert not out.requires_grad  # indices, values torch gives no gradient
    with flodl.no_grad():
        for out in outputs(call(info, tracked, sample.kwargs)):
            # No graph. (A view of a tensor that requires grad keeps
            # requires_grad=True as a leaf, as in PyTorch.)
            assert isinstance(out, Tensor) or out.is_leaf


@pytest.mark.parametrize("info,index", GRAD_CASES)
def test_gradient_matches_torch(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    ws = weights(call_torch(info, [torch.from_numpy(a) for a in arrays], sample.kwargs))
    t_outs, t_grads = torch_loss_grads(info, arrays, sample.kwargs, ws)
    f_outs, f_grads = flodl_loss_grads(info, arrays, sample.kwargs, ws)
    for f_out, t_out in zip(f_outs, t_outs):
        np.testing.assert_allclose(f_out, t_out, rtol=1e-12, atol=1e-12)
    for f_grad, t_grad in zip(f_grads, t_grads):
        np.testing.assert_allclose(f_grad, t_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("info,index", FD_CASES)
def test_gradient_matches_finite_differences(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64, seed=2)
    ws = weights(call_torch(info, [torch.from_numpy(a) for a in arrays], sample.kwargs))

    def loss(inputs: list[np.ndarray]) -> float:
        outs = outputs(call(info, [Tensor.from_numpy(a) for a in inputs], sample.kwargs))
        return float(sum((o.numpy() * w).sum().real for o, w in zip(outs, ws) if w is not None))

    _, analytic = flodl_loss_grads(info, arrays, sample.kwargs, ws)
    eps = 1e-6
    for k, array in enumerate(arrays):
        numeric = np.zeros_like(array)
        # A complex operand's gradient is PyTorch's: d/dre + 1j * d/dim.
        steps = [1, 1j] if np.iscomplexobj(array) else [1]
        for idx in np.ndindex(array.shape):
            for step in steps:
                plus = [a.copy() for a in arrays]
                minus = [a.copy() for a in arrays]
                plus[k][idx] += eps * step
                minus[k][idx] -= eps * step
                numeric[idx] += step * (loss(plus) - loss(minus)) / (2 * eps)
        np.testing.assert_allclose(analytic[k], numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("info,index", ERROR_CASES)
def test_bad_input_raises_the_right_class(info: OpInfo, index: int) -> None:
    case = info.errors[index]
    operands = case.operands()
    with pytest.raises(case.raises) as caught:
        if isinstance(operands[0], str) and info.kind in ("method", "tensor"):
            getattr(Tensor, info.name)(*operands, **case.kwargs)  # a wrong Python type as self
        else:
            call(info, operands, case.kwargs)
    if issubclass(case.raises, flodl.FlodlError):
        assert info.name in str(caught.value), "the message names the op"
    else:
        assert not isinstance(caught.value, flodl.FlodlError)
    assert flodl.is_grad_enabled()


BINARY_OPS = [
    info
    for info in OP_INFOS
    if info.kind == "method" and len(info.samples[0].shapes) == 2 and not info.samples[0].kwargs
]


@pytest.mark.parametrize("info", BINARY_OPS, ids=lambda i: i.name)
@pytest.mark.parametrize("wrap", [Tensor, Variable])
def test_wrong_python_type_is_a_type_error(info: OpInfo, wrap) -> None:
    x = Tensor.zeros([2]) if wrap is Tensor else Variable(Tensor.zeros([2]))
    with pytest.raises(TypeError) as caught:
        getattr(x, info.name)("not a tensor")
    assert not isinstance(caught.value, flodl.FlodlError)


SPEC_OPS = [
    name
    for line in (Path(__file__).parent.parent / "spec_ops.txt").read_text().splitlines()
    if not line.startswith("#")
    for name in line.split()
]
# The declarations of the built module: (table, name, ...).
DECLARED = {row[1]: row[0] for row in flodl._flodl._catalogue()}
OVERLOADED = {row[1] for row in flodl._flodl._catalogue() if row[5]}
JOINS = {"cat_many", "stack", "einsum"}  # static methods, bound by hand


def test_every_op_of_the_spec_is_declared() -> None:
    """The catalogue cannot shrink below the contract."""
    missing = set(SPEC_OPS) - set(DECLARED) - JOINS
    assert not missing, missing


def test_every_declared_op_has_an_op_info_entry() -> None:
    listed = {info.name for info in OP_INFOS}
    assert set(DECLARED) | JOINS == listed, (set(DECLARED) | JOINS) ^ listed
    for info in OP_INFOS:
        if info.name in DECLARED:
            assert (
                info.kind
                == {"method": "method", "tensor": "tensor", "nn": "nn"}[DECLARED[info.name]]
            ), info.name


def test_every_declared_op_is_bound() -> None:
    for name, table in DECLARED.items():
        if table == "nn":
            # A module function: nn.functional's (NN_FUNCTIONS), or one that
            # is no torch.nn.functional function: the distributions' math
            # flodl.distributions calls, the triplet loss of given distances
            # F.triplet_margin_with_distance_loss calls, torch's top-level
            # randomized decompositions.
            assert callable(getattr(flodl, name)), name
            assert (name in flodl.NN_FUNCTIONS) != name.startswith(
                ("normal_", "categorical_", "bernoulli_", "triplet_margin_distance")
                + ("svd_lowrank", "pca_lowrank")
            ), name
        else:
            bound = getattr(Tensor, name)
            assert callable(bound) or isinstance(bound, type(Tensor.dtype)), name  # x.real
            # A Tensor-only op is inherited by Variable (a Variable is a
            # Tensor) and gives a Tensor; a method op is Variable's own,
            # unless its Python name is an overload bound for both (argmax).
            if name not in OVERLOADED:
                assert (table == "method") == (name in vars(Variable)), name


def test_the_catalogue_page_lists_every_op() -> None:
    page = (Path(__file__).parent.parent.parent / "docs" / "ops.md").read_text()
    rows = {line.split("|")[1].strip() for line in page.splitlines() if line.startswith("| ")}
    missing = set(SPEC_OPS) - rows
    assert not missing, f"docs/ops.md has no row for {sorted(missing)}"


def test_every_sample_runs_on_flodl_directly() -> None:
    # A smoke check that the table itself is sound (shapes fit each op).
    for info in OP_INFOS:
        for sample in info.samples:
            arrays = make_inputs(info, sample, np.float32)
            call(info, [Tensor.from_numpy(a) for a in arrays], sample.kwargs, np.float32)
    assert flodl.is_grad_enabled()


# ----- second order: gradients of gradients, against torch.autograd -----

# Ops whose first derivative PyTorch cannot differentiate again (its double
# backward is not implemented): cdist, hardsigmoid,
# scaled_dot_product_attention on the CPU. flodl raises for them as PyTorch
# does; docs/ops.md lists them.
NOT_TWICE_DIFFERENTIABLE: set[str] = set()


def _second_order(lib, info, arrays, kwargs, ws, us):
    """d/dx of sum(u * d(sum(w * f(x)))/dx), for flodl (lib=None) or torch."""
    if lib is None:
        xs = [Variable(Tensor.from_numpy(a.copy()), True) for a in arrays]
        outs = outputs(call(info, xs, kwargs))
        weigh = lambda o, w: real_part((o * Variable(Tensor.from_numpy(w))).sum())
        grad = flodl.autograd.grad
    else:
        xs = [torch.tensor(a, requires_grad=True) for a in arrays]
        outs = outputs(call_torch(info, xs, kwargs))
        weigh = lambda o, w: real_part((o * torch.from_numpy(w)).sum())
        grad = torch.autograd.grad
    terms = [weigh(o, w) for o, w in zip(outs, ws) if w is not None]
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    firsts = grad(loss, xs, create_graph=True, allow_unused=True)
    inner = [weigh(g, u) for g, u in zip(firsts, us) if g is not None and g.requires_grad]
    if not inner:
        return [np.zeros_like(a) for a in arrays]
    total = inner[0]
    for term in inner[1:]:
        total = total + term
    seconds = grad(total, xs, allow_unused=True)
    return [
        np.zeros_like(a)
        if s is None
        else (s.data.numpy() if lib is None else s.detach().numpy(force=True))
        for s, a in zip(seconds, arrays)
    ]


@pytest.mark.parametrize("info,index", GRAD_CASES)
def test_second_order_matches_torch(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    ws = weights(call_torch(info, [torch.from_numpy(a) for a in arrays], sample.kwargs))
    rng = np.random.default_rng(3)
    us = [_random_like(rng, a) for a in arrays]
    try:
        expected = _second_order(torch, info, arrays, sample.kwargs, ws, us)
    except RuntimeError as e:
        assert "not implemented" in str(e) or "does not require grad" in str(e), e
        with pytest.raises(flodl.FlodlError):
            _second_order(None, info, arrays, sample.kwargs, ws, us)
        NOT_TWICE_DIFFERENTIABLE.add(info.name)
        return
    got = _second_order(None, info, arrays, sample.kwargs, ws, us)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-10)


# ----- forward mode: Jacobian-vector products, against torch.func.jvp -----


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("info,index", GRAD_CASES)
def test_forward_mode_matches_torch(info: OpInfo, index: int) -> None:
    sample = info.samples[index]
    arrays = make_inputs(info, sample, np.float64)
    rng = np.random.default_rng(4)
    tangents = [_random_like(rng, a) for a in arrays]

    def torch_f(*xs):
        return tuple(o for o in outputs(call_torch(info, list(xs), sample.kwargs)) if is_float(o))

    def flodl_f(*xs):
        return tuple(o for o in outputs(call(info, list(xs), sample.kwargs)) if is_float(o))

    try:
        expected = torch.func.jvp(
            torch_f,
            tuple(torch.from_numpy(a) for a in arrays),
            tuple(torch.from_numpy(t) for t in tangents),
        )
    except (RuntimeError, NotImplementedError) as e:
        assert "implemented" in str(e), e  # no forward-mode formula in PyTorch
        with pytest.raises(flodl.FlodlError):
            flodl.func.jvp(
                flodl_f,
                [Tensor.from_numpy(a) for a in arrays],
                [Tensor.from_numpy(t) for t in tangents],
            )
        return
    values, out_tangents = flodl.func.jvp(
        flodl_f, [Tensor.from_numpy(a) for a in arrays], [Tensor.from_numpy(t) for t in tangents]
    )
    for got, want in zip(values, expected[0]):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
    for got, want in zip(out_tangents, expected[1]):
        # force: a constant op's tangent (sgn) is a ZeroTensor.
        np.testing.assert_allclose(got.numpy(), want.numpy(force=True), rtol=1e-9, atol=1e-10)
