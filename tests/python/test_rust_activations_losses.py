"""Rust's flodl::nn activations and losses against torch.nn's and Python's
flodl.nn's: examples/loss_parity.rs builds each case's module after
manual_seed(0) and runs it on inputs written here; each case's torch module
and flodl.nn module are built by one expression, and the three must agree
on the output, the gradients of ``sum(output^2) / 2`` (inputs, and PReLU's
weight), the state dict (a loss's class weights), the repr, and the error
kind (and message) on inputs the module refuses."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
import torch
from test_rust_layers import KINDS, run_example

import flodl


class Case(NamedTuple):
    """A module, built by ``make(nn, tensor)`` from torch's or flodl's
    ``nn`` and ``tensor``; its inputs; the indices of the inputs it
    differentiates; and inputs it refuses (if any)."""

    make: Callable[[Any, Any], Any]
    inputs: list[np.ndarray]
    grads: tuple[int, ...]
    bad: list[np.ndarray] | None = None


rng = np.random.default_rng(0)


def normal(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def uniform(low: float, high: float, *shape: int) -> np.ndarray:
    return rng.uniform(low, high, shape).astype(np.float32)


def signs(*shape: int) -> np.ndarray:
    return rng.choice([-1.0, 1.0], shape).astype(np.float32)


def log_probs(*shape: int) -> np.ndarray:
    x = normal(*shape).astype(np.float64)
    return (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(np.float32)


def probs(*shape: int) -> np.ndarray:
    return np.exp(log_probs(*shape))


def longs(*values: Any) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def act(make: Callable[[Any], Any], x: np.ndarray, bad: np.ndarray | None = None) -> Case:
    """An activation (no tensor options), on `x`."""
    return Case(lambda nn, _: make(nn), [x], (0,), None if bad is None else [bad])


# Wide enough to reach ReLU6's 6 and the thresholds.
WIDE = normal(3, 4) * 4

CASES: dict[str, Case] = {
    "relu": act(lambda nn: nn.ReLU(), normal(3, 4)),
    "relu_inplace": act(lambda nn: nn.ReLU(inplace=True), normal(3, 4)),
    "relu6": act(lambda nn: nn.ReLU6(), WIDE),
    "relu6_inplace": act(lambda nn: nn.ReLU6(inplace=True), WIDE),
    "selu": act(lambda nn: nn.SELU(), normal(3, 4)),
    "selu_inplace": act(lambda nn: nn.SELU(inplace=True), normal(3, 4)),
    "silu": act(lambda nn: nn.SiLU(), normal(3, 4)),
    "silu_inplace": act(lambda nn: nn.SiLU(inplace=True), normal(3, 4)),
    "mish": act(lambda nn: nn.Mish(), normal(3, 4)),
    "mish_inplace": act(lambda nn: nn.Mish(inplace=True), normal(3, 4)),
    "hardsigmoid": act(lambda nn: nn.Hardsigmoid(), WIDE),
    "hardsigmoid_inplace": act(lambda nn: nn.Hardsigmoid(inplace=True), WIDE),
    "hardswish": act(lambda nn: nn.Hardswish(), WIDE),
    "hardswish_inplace": act(lambda nn: nn.Hardswish(inplace=True), WIDE),
    "hardtanh": act(lambda nn: nn.Hardtanh(), normal(3, 4)),
    "hardtanh_bounds": act(lambda nn: nn.Hardtanh(-0.5, 2.0), normal(3, 4)),
    "hardtanh_inplace": act(lambda nn: nn.Hardtanh(inplace=True), normal(3, 4)),
    "leaky_relu": act(lambda nn: nn.LeakyReLU(), normal(3, 4)),
    "leaky_relu_slope": act(lambda nn: nn.LeakyReLU(0.2, inplace=True), normal(3, 4)),
    "elu": act(lambda nn: nn.ELU(), normal(3, 4)),
    "elu_alpha": act(lambda nn: nn.ELU(alpha=2.0, inplace=True), normal(3, 4)),
    "celu": act(lambda nn: nn.CELU(), normal(3, 4)),
    "celu_alpha": act(lambda nn: nn.CELU(alpha=0.5), normal(3, 4)),
    "celu_inplace": act(lambda nn: nn.CELU(alpha=0.7, inplace=True), normal(3, 4)),
    "threshold": act(lambda nn: nn.Threshold(0.1, 20.0), normal(3, 4)),
    "threshold_inplace": act(lambda nn: nn.Threshold(-0.3, -2.5, inplace=True), normal(3, 4)),
    "gelu": act(lambda nn: nn.GELU(), normal(3, 4)),
    "gelu_tanh": act(lambda nn: nn.GELU(approximate="tanh"), normal(3, 4)),
    "softplus": act(lambda nn: nn.Softplus(), WIDE * 6),
    "softplus_options": act(lambda nn: nn.Softplus(beta=2.0, threshold=1.5), normal(3, 4)),
    "hardshrink": act(lambda nn: nn.Hardshrink(), normal(3, 4)),
    "hardshrink_lambd": act(lambda nn: nn.Hardshrink(0.3), normal(3, 4)),
    "softshrink": act(lambda nn: nn.Softshrink(), normal(3, 4)),
    "softshrink_lambd": act(lambda nn: nn.Softshrink(lambd=0.7), normal(3, 4)),
    # An odd halved dim: GLU's Shape error.
    "glu": act(lambda nn: nn.GLU(), normal(3, 4), bad=normal(3, 5)),
    # A 0-d input: a Shape error.
    "glu_dim0": act(lambda nn: nn.GLU(dim=0), normal(4, 3), bad=np.array(1.0, np.float32)),
    # A dim out of range: an Index error (OutOfRangeError).
    "glu_dim2": act(lambda nn: nn.GLU(dim=2), normal(3, 1, 2), bad=normal(4, 6)),
    "softmax": act(lambda nn: nn.Softmax(dim=0), normal(3, 4)),
    "softmax_none_2d": act(lambda nn: nn.Softmax(), normal(3, 4)),
    "softmax_none_3d": act(lambda nn: nn.Softmax(), normal(2, 3, 4)),
    "log_softmax": act(lambda nn: nn.LogSoftmax(dim=-1), normal(2, 3, 4)),
    "log_softmax_none": act(lambda nn: nn.LogSoftmax(), normal(2, 3, 4, 2)),
    # dim 1 of a 1-d input: the op's Index error.
    "softmin": act(lambda nn: nn.Softmin(dim=1), normal(3, 4), bad=normal(4)),
    "softmin_none": act(lambda nn: nn.Softmin(), normal(5)),
    # A 2-d input: Softmax2d's Shape error.
    "softmax2d": act(lambda nn: nn.Softmax2d(), normal(2, 3, 4), bad=normal(3, 4)),
    "cosine_similarity": Case(
        lambda nn, _: nn.CosineSimilarity(dim=0), [normal(4, 3), normal(4, 3)], (0, 1)
    ),
    "pairwise_distance": Case(
        lambda nn, _: nn.PairwiseDistance(p=1.0, keepdim=True),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    # In eval: the mean slope (op_info checks the slopes drawn in training).
    "rrelu": act(lambda nn: nn.RReLU().eval(), normal(3, 4)),
    "rrelu_eval_inplace": act(lambda nn: nn.RReLU(0.1, 0.3, inplace=True).eval(), normal(3, 4)),
    "tanh": act(lambda nn: nn.Tanh(), normal(3, 4)),
    "sigmoid": act(lambda nn: nn.Sigmoid(), normal(3, 4)),
    "log_sigmoid": act(lambda nn: nn.LogSigmoid(), WIDE * 6),
    "softsign": act(lambda nn: nn.Softsign(), normal(3, 4)),
    "tanhshrink": act(lambda nn: nn.Tanhshrink(), normal(3, 4)),
    "prelu": act(lambda nn: nn.PReLU(), normal(2, 3, 4)),
    # Four channels for three weights: the op's error.
    "prelu_channels": act(
        lambda nn: nn.PReLU(num_parameters=3, init=0.1), normal(2, 3, 4), bad=normal(2, 4, 5)
    ),
    # --- losses ---
    "l1": Case(lambda nn, _: nn.L1Loss(), [normal(4, 3), normal(4, 3)], (0, 1)),
    "l1_sum": Case(lambda nn, _: nn.L1Loss(reduction="sum"), [normal(4, 3), normal(4, 3)], (0, 1)),
    # Shapes that do not broadcast: the op's Shape error.
    "mse": Case(
        lambda nn, _: nn.MSELoss(),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
        [normal(4, 3), normal(2, 3)],
    ),
    "mse_none": Case(
        lambda nn, _: nn.MSELoss(reduction="none"), [normal(4, 3), normal(4, 3)], (0, 1)
    ),
    "smooth_l1": Case(
        lambda nn, _: nn.SmoothL1Loss(reduction="sum", beta=0.5),
        [normal(4, 3), normal(4, 3)],
        (0, 1),
    ),
    "huber": Case(lambda nn, _: nn.HuberLoss(delta=0.7), [normal(4, 3), normal(4, 3)], (0, 1)),
    # A class index out of range.
    "cross_entropy": Case(
        lambda nn, t: nn.CrossEntropyLoss(
            weight=t([0.2, 1.0, 2.0]), ignore_index=1, label_smoothing=0.1
        ),
        [normal(4, 3), longs(0, 1, 2, 2)],
        (0,),
        [normal(4, 3), longs(0, 7, 2, 2)],
    ),
    "cross_entropy_probs": Case(
        lambda nn, _: nn.CrossEntropyLoss(), [normal(4, 3), probs(4, 3)], (0,)
    ),
    # Float class indices: a DType error.
    "nll": Case(
        lambda nn, t: nn.NLLLoss(weight=t([0.5, 1.5, 1.0]), reduction="sum"),
        [log_probs(4, 3), longs(2, 0, 1, 1)],
        (0,),
        [log_probs(4, 3), normal(4)],
    ),
    # A target of another shape: the op's Shape error.
    "bce": Case(
        lambda nn, t: nn.BCELoss(weight=t([0.3, 1.0, 2.0]), reduction="sum"),
        [uniform(0.05, 0.95, 4, 3), uniform(0.0, 1.0, 4, 3)],
        (0, 1),
        [uniform(0.05, 0.95, 4, 3), uniform(0.0, 1.0, 4, 2)],
    ),
    "bce_logits": Case(
        lambda nn, t: nn.BCEWithLogitsLoss(
            weight=t([1.0, 0.5, 2.0]), pos_weight=t([3.0, 1.0, 0.25])
        ),
        [normal(4, 3), uniform(0.0, 1.0, 4, 3)],
        (0, 1),
    ),
    "kl_div": Case(lambda nn, _: nn.KLDivLoss(), [log_probs(4, 3), probs(4, 3)], (0, 1)),
    "kl_div_log_target": Case(
        lambda nn, _: nn.KLDivLoss(reduction="batchmean", log_target=True),
        [log_probs(4, 3), log_probs(4, 3)],
        (0, 1),
    ),
    "cosine_embedding": Case(
        lambda nn, _: nn.CosineEmbeddingLoss(margin=0.3, reduction="sum"),
        [normal(4, 5), normal(4, 5), signs(4)],
        (0, 1),
    ),
    "margin_ranking": Case(
        lambda nn, _: nn.MarginRankingLoss(margin=0.2),
        [normal(4), normal(4), signs(4)],
        (0, 1, 2),
    ),
    "hinge_embedding": Case(
        lambda nn, _: nn.HingeEmbeddingLoss(margin=0.5), [normal(4, 3), signs(4, 3)], (0,)
    ),
    "multi_margin": Case(
        lambda nn, t: nn.MultiMarginLoss(p=2, margin=0.5, weight=t([0.2, 1.0, 2.0])),
        [normal(4, 3), longs(0, 2, 1, 2)],
        (0,),
        [normal(4, 3), longs(0, 3, 1, 2)],
    ),
    "multilabel_margin": Case(
        lambda nn, _: nn.MultiLabelMarginLoss(reduction="sum"),
        [normal(2, 4), np.array([[3, 0, -1, 1], [1, 2, 0, -1]], dtype=np.int64)],
        (0,),
    ),
    "multilabel_soft_margin": Case(
        lambda nn, t: nn.MultiLabelSoftMarginLoss(weight=t([0.5, 1.0, 2.0, 1.5])),
        [normal(3, 4), (signs(3, 4) > 0).astype(np.float32)],
        (0,),
        [normal(3, 4), (signs(3, 5) > 0).astype(np.float32)],
    ),
    "soft_margin": Case(
        lambda nn, _: nn.SoftMarginLoss(reduction="none"), [normal(4, 3), signs(4, 3)], (0,)
    ),
    # Embeddings of different sizes: the op's error.
    "triplet": Case(
        lambda nn, _: nn.TripletMarginLoss(),
        [normal(4, 5), normal(4, 5), normal(4, 5)],
        (0, 1, 2),
        [normal(4, 5), normal(4, 6), normal(4, 5)],
    ),
    "triplet_options": Case(
        lambda nn, _: nn.TripletMarginLoss(margin=0.5, p=1.0, swap=True, reduction="sum"),
        [normal(4, 5), normal(4, 5), normal(4, 5)],
        (0, 1, 2),
    ),
    # Inputs of different ranks: the module's own check.
    "triplet_distance": Case(
        lambda nn, _: nn.TripletMarginWithDistanceLoss(),
        [normal(4, 5), normal(4, 5), normal(4, 5)],
        (0, 1, 2),
        [normal(4, 5), normal(4, 5), normal(5)],
    ),
    "triplet_distance_options": Case(
        lambda nn, _: nn.TripletMarginWithDistanceLoss(
            distance_function=lambda a, b: 1 - nn.functional.cosine_similarity(a, b),
            margin=0.5,
            swap=True,
            reduction="sum",
        ),
        [normal(4, 5), normal(4, 5), normal(4, 5)],
        (0, 1, 2),
    ),
    "poisson_nll": Case(
        lambda nn, _: nn.PoissonNLLLoss(), [normal(4, 3), uniform(0.5, 4.0, 4, 3)], (0, 1)
    ),
    "poisson_nll_full": Case(
        lambda nn, _: nn.PoissonNLLLoss(log_input=False, full=True),
        [uniform(0.5, 3.0, 4, 3), uniform(0.5, 4.0, 4, 3)],
        (0, 1),
    ),
    # A var that fits no input shape: the crate's own Shape error.
    "gaussian_nll": Case(
        lambda nn, _: nn.GaussianNLLLoss(),
        [normal(4, 3), normal(4, 3), uniform(0.1, 2.0, 4, 3)],
        (0, 1, 2),
        [normal(4, 3), normal(4, 3), uniform(0.1, 2.0, 4, 2)],
    ),
    "gaussian_nll_full": Case(
        lambda nn, _: nn.GaussianNLLLoss(full=True, eps=1e-3, reduction="sum"),
        [normal(4, 3), normal(4, 3), uniform(0.0001, 2.0, 4, 1)],
        (0, 1, 2),
    ),
    "ctc": Case(
        lambda nn, _: nn.CTCLoss(),
        [log_probs(6, 2, 4), longs([1, 2, 3], [3, 1, 0]), longs(6, 5), longs(3, 2)],
        (0,),
    ),
    "ctc_options": Case(
        lambda nn, _: nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True),
        # The second sequence cannot fit its target: an infinite loss, zeroed.
        [log_probs(6, 2, 4), longs([0, 1, 2], [1, 1, 1]), longs(6, 3), longs(3, 3)],
        (0,),
    ),
}

# The cases built with inplace=True: the module changes its input in its
# own memory, as torch's.
IN_PLACE = {name for name in CASES if name.endswith("_inplace")} | {"leaky_relu_slope", "elu_alpha"}

# torch's warnings on the legacy implicit softmax dim and on KLDivLoss's
# "mean": the cases use both on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Implicit dimension choice"),
    pytest.mark.filterwarnings("ignore:reduction. 'mean' divides"),
    pytest.mark.filterwarnings("ignore:Using a target size"),
]


@pytest.fixture(scope="module")
def rust(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """What examples/loss_parity.rs computed: the tensors and the report."""
    tmp_path = tmp_path_factory.mktemp("loss_parity")
    src, out = tmp_path / "inputs.safetensors", tmp_path / "outputs.safetensors"
    files = {}
    for name, case in CASES.items():
        for i, array in enumerate(case.inputs):
            files[f"{name}.{i}"] = flodl.tensor(array)
        for i, array in enumerate(case.bad or []):
            files[f"{name}.bad.{i}"] = flodl.tensor(array)
    flodl.save(files, str(src))
    run_example("loss_parity", src, out)
    got = {k: v.numpy() for k, v in flodl.load(str(out)).items()}
    report = json.loads(Path(f"{out}.json").read_text())
    return got, report


def _torch_run(name: str) -> dict[str, Any]:
    """torch's module of `name` run as loss_parity.rs runs Rust's."""
    case = CASES[name]
    torch.manual_seed(0)
    module = case.make(torch.nn, torch.tensor)
    with torch.no_grad():
        output = module(*(torch.from_numpy(a.copy()) for a in case.inputs))
    leaves = [torch.tensor(a, requires_grad=i in case.grads) for i, a in enumerate(case.inputs)]
    operands = [x * 1 if x.requires_grad else x for x in leaves]
    out = module(*operands)
    after = operands[0].detach().clone()
    (out * out).sum().mul(0.5).backward()
    grads = {str(i): x.grad.numpy() for i, x in enumerate(leaves) if x.grad is not None}
    grads |= {k: p.grad.numpy() for k, p in module.named_parameters() if p.grad is not None}
    state = {k: v.numpy() for k, v in module.state_dict().items()}
    return {"module": module, "output": output, "after": after, "grads": grads, "state": state}


def _flodl_module(name: str) -> Any:
    flodl.manual_seed(0)
    return CASES[name].make(flodl.nn, flodl.tensor)


def _flodl_inputs(name: str, arrays: list[np.ndarray], grads: tuple[int, ...]) -> list[Any]:
    """The arrays as flodl values: Variables that require grad where the
    case differentiates them (as `x * 1`), Tensors elsewhere."""
    values = []
    for i, a in enumerate(arrays):
        t = flodl.tensor(a)
        values.append(flodl.Variable(t, requires_grad=True) if i in grads else t)
    return values


def _close(actual: Any, expected: Any, what: str) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6, err_msg=what)


@pytest.mark.parametrize("name", list(CASES))
def test_rust_module_computes_as_torch_s(name: str, rust: tuple[dict, dict]) -> None:
    got, report = rust
    case, ran = CASES[name], _torch_run(name)
    assert report[name]["repr"] == repr(ran["module"])
    _close(got[f"{name}.output"], ran["output"].numpy(), f"{name} output")
    rust_grads = {k[len(name) + 6 :] for k in got if k.startswith(f"{name}.grad.")}
    assert rust_grads == set(ran["grads"]), name
    for key, grad in ran["grads"].items():
        _close(got[f"{name}.grad.{key}"], grad, f"{name} gradient {key}")
    rust_state = {k[len(name) + 7 :] for k in got if k.startswith(f"{name}.state.")}
    assert rust_state == set(ran["state"]), name
    for key, value in ran["state"].items():
        np.testing.assert_array_equal(got[f"{name}.state.{key}"], value, err_msg=key)
    # Changed as torch's where built with inplace=True; else as it was.
    x = case.inputs[0]
    expected_after = ran["after"].numpy() if name in IN_PLACE else x
    _close(got[f"{name}.after.0"], expected_after, f"{name} input after the call")


@pytest.mark.parametrize("name", list(CASES))
def test_python_module_and_its_rust_twin_agree(name: str, rust: tuple[dict, dict]) -> None:
    got, report = rust
    case = CASES[name]
    module = _flodl_module(name)
    assert repr(module) == report[name]["repr"]
    assert sorted(module.state_dict()) == sorted(
        k[len(name) + 7 :] for k in got if k.startswith(f"{name}.state.")
    )
    for key, value in module.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), got[f"{name}.state.{key}"], err_msg=key)
    leaves = _flodl_inputs(name, case.inputs, case.grads)
    operands = [x.mul_scalar(1.0) if isinstance(x, flodl.Variable) else x for x in leaves]
    out = module(*operands)
    _close(out.detach().numpy(), got[f"{name}.output"], f"{name} output")
    (out * out).sum().mul_scalar(0.5).backward()
    for i in case.grads:
        _close(leaves[i].grad.numpy(), got[f"{name}.grad.{i}"], f"{name} gradient {i}")
    for key, p in module.named_parameters():
        _close(p.grad.numpy(), got[f"{name}.grad.{key}"], f"{name} gradient {key}")
    # In place exactly where Rust's twin is.
    plain = flodl.tensor(case.inputs[0].copy())
    module(plain, *operands[1:])
    _close(plain.numpy(), got[f"{name}.after.0"], f"{name} input after the call")


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.bad is not None])
def test_refused_inputs_are_the_same_error(name: str, rust: tuple[dict, dict]) -> None:
    """Inputs the module refuses: torch raises, and Rust's error has the
    kind of Python flodl's exception, and its message."""
    _, report = rust
    case = CASES[name]
    assert case.bad is not None
    torch.manual_seed(0)
    with pytest.raises((RuntimeError, ValueError, IndexError)):
        case.make(torch.nn, torch.tensor)(*(torch.from_numpy(a) for a in case.bad))
    with pytest.raises(flodl.FlodlError) as info:
        _flodl_module(name)(*(flodl.tensor(a) for a in case.bad))
    kind, message = report[name]["bad"]
    assert KINDS.get(type(info.value).__name__, type(info.value).__name__) == kind
    assert str(info.value) == message


@pytest.mark.parametrize("name", list(CASES))
def test_forward_of_a_loss_is_an_argument_error(name: str, rust: tuple[dict, dict]) -> None:
    """Module::forward of a loss (which takes several inputs) is an
    Argument error naming the method to call; an activation's works."""
    _, report = rust
    error = report[name]["forward"]
    torch_name = type(CASES[name].make(torch.nn, torch.tensor)).__name__
    if torch_name.endswith("Loss") or torch_name in ("CosineSimilarity", "PairwiseDistance"):
        assert error is not None and error[0] == "Argument", error
        assert error[1].startswith(f"{torch_name}: takes "), error
    else:
        assert error is None, error


# torch's constructor arguments that are no options of a Rust module: the
# deprecated ones (Hardtanh's min_value/max_value, the losses' size_average
# and reduce).
NOT_OPTIONS = {"self", "args", "kwargs", "min_value", "max_value", "size_average", "reduce"}


def test_rust_defaults_are_torch_s(rust: tuple[dict, dict]) -> None:
    """Each Rust module's Default, field by field (as Debug writes it),
    against the attributes of torch's module built without arguments; and
    its fields are the arguments of torch's constructor."""
    _, report = rust
    assert len(report["defaults"]) == 47
    for name, debug in report["defaults"].items():
        torch_module = getattr(torch.nn, name)()
        fields = {k: v.strip() for k, v in re.findall(r"(\w+): ([^,}]+)", debug)}
        options = set(inspect.signature(type(torch_module).__init__).parameters) - NOT_OPTIONS
        assert options == set(fields), (name, options, debug)
        for field, text in fields.items():
            expected = getattr(torch_module, field)
            if field in ("reduction", "approximate"):  # enums: Mean, BatchMean, Tanh...
                assert text.lower() == expected, (name, field)
            elif text == "None":
                assert expected is None, (name, field)
            elif text.startswith("Some("):
                assert int(text[5:-1]) == expected, (name, field)
            else:
                assert json.loads(text.lower()) == expected, (name, field, text)


def test_a_loss_s_buffers_are_its_fields_tensors(rust: tuple[dict, dict]) -> None:
    """load_state_dict writes into the Rust field and Module::to converts it
    (the buffer is the field's tensor, not a copy)."""
    _, report = rust
    assert report["buffers"] == {"loaded": [5.0, 6.0], "dtype": "Some(Float64)"}


def test_every_activation_and_loss_of_python_flodl_nn_has_a_case() -> None:
    from flodl.nn import activation, loss

    torch.manual_seed(0)
    covered = {type(c.make(torch.nn, torch.tensor)).__name__ for c in CASES.values()}
    distances = {"CosineSimilarity", "PairwiseDistance"}  # two inputs, as the losses
    assert covered == set(activation.__all__) | set(loss.__all__) | distances
