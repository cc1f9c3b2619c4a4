"""A Variable is a Tensor to Python (SPEC 3a), as every torch.Tensor is one
class: `isinstance(v, flodl.Tensor)` holds, functions that take a Tensor take
a Variable, and the Tensor methods a Variable inherits read its current
values and never record. Rust keeps the two types apart."""

from __future__ import annotations

import copy
import pickle

import flodl
from flodl import Tensor, Variable, nn

# The Tensor methods Variable does not define itself, so inherits: creation
# (static), value readers, and the Tensor-only ops, whose results carry no
# gradient in PyTorch either. A new Tensor method lands here only by choice:
# one that computes must be Variable's own too, or it loses the graph.
INHERITED = {
    "layout",  # flodl.strided, whatever the tensor
    # creation, static
    "arange",
    "empty",
    "empty_like",
    "eye",
    "from_f32",
    "from_f64",
    "from_i64",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "randint",
    "randint_like",
    "randperm",
    "zeros",
    "zeros_like",
    "_view_of",
    # value readers
    "to_f32_vec",
    "to_f64_vec",
    "to_i64_vec",
    # Tensor-only ops: sampling and one_hot have no gradient
    "bernoulli",
    "multinomial",
    "histc",
    "histogram_edges",
    "binomial",
    "histogram",
    "one_hot",
    "poisson",
}


def leaf(values: list[float]) -> Variable:
    return Variable(flodl.tensor(values), requires_grad=True)


def test_a_variable_and_a_parameter_are_tensors() -> None:
    v = leaf([1.0, 2.0])
    assert isinstance(v, Tensor)
    assert isinstance(v, Variable)
    assert issubclass(Variable, Tensor) and issubclass(nn.Parameter, Tensor)
    assert isinstance(nn.Linear(2, 3).weight, Tensor)
    t = flodl.tensor([1.0])
    assert not isinstance(t, Variable)


def test_variable_inherits_only_the_methods_chosen() -> None:
    inherited = {
        name
        for name in vars(Tensor)
        if name not in vars(Variable) and not (name.startswith("__") and name.endswith("__"))
    }
    assert inherited == INHERITED, inherited ^ INHERITED


def test_inherited_readers_see_the_variables_current_values() -> None:
    v = leaf([1.0, 2.0])
    assert v.to_f32_vec() == [1.0, 2.0]
    with flodl.no_grad():
        v.add_scalar_(1.0)
    assert v.to_f32_vec() == [2.0, 3.0]
    v.data = flodl.tensor([5.0, 6.0, 7.0])
    assert v.to_f32_vec() == [5.0, 6.0, 7.0]
    assert v.shape == (3,)
    v.data = flodl.tensor([[1.0], [2.0]], dtype="float64")
    assert v.to_f64_vec() == [1.0, 2.0]


def test_tensor_only_ops_on_a_variable_give_tensors() -> None:
    p = Variable(flodl.tensor([0.0, 1.0, 1.0]), requires_grad=True)
    flodl.manual_seed(0)
    drawn = p.bernoulli()
    assert type(drawn) is Tensor and drawn.tolist() == [0.0, 1.0, 1.0]
    labels = Variable(flodl.tensor([0, 2]))
    hot = labels.one_hot(3)
    assert type(hot) is Tensor and hot.tolist() == [[1, 0, 0], [0, 0, 1]]


def test_creation_like_takes_a_variable() -> None:
    v = Variable(flodl.tensor([[1.0, 2.0]], dtype="float64"), requires_grad=True)
    for like in (Tensor.zeros_like, Tensor.ones_like, Tensor.rand_like, Tensor.randn_like):
        made = like(v)
        assert type(made) is Tensor
        assert made.shape == (1, 2) and made.dtype == flodl.DType.Float64


def test_a_tensor_method_with_a_variable_operand_records() -> None:
    v = leaf([1.0, 2.0])
    t = flodl.tensor([3.0, 4.0])
    for out in (t.mul(v), t * v, v * t):
        assert type(out) is Variable and out.requires_grad
    (t * v).sum().backward()
    assert v.grad.tolist() == [3.0, 4.0]


def test_detach_in_place() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf
    assert y.tolist() == [2.0, 4.0]
    # PyTorch refuses a view; flodl detaches this handle from its base.
    view = (x * 1)[0:1]
    assert not view.detach_().requires_grad
    assert view.tolist() == [1.0]


def test_a_variable_counts_once_as_live() -> None:
    before = flodl.live_tensor_count()
    v = leaf([1.0])
    assert flodl.live_tensor_count() == before + 1
    del v
    assert flodl.live_tensor_count() == before


def test_copies_and_pickles_stay_variables() -> None:
    v = leaf([1.0, 2.0])
    for made in (copy.copy(v), copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        assert type(made) is Variable and made.requires_grad
        assert made.tolist() == [1.0, 2.0]


def test_containers_keep_a_variables_requires_grad() -> None:
    frozen = Variable(flodl.tensor([1.0]), requires_grad=False)
    params = nn.ParameterList([frozen, flodl.tensor([2.0])])
    assert [p.requires_grad for p in params] == [False, True]


def test_tensors_are_weakly_referenceable() -> None:
    """As torch's: a cache may hold tensors by weak reference
    (weakref.ref, weakref.finalize), plain or recording."""
    import gc
    import weakref

    for make in (
        lambda: flodl.ones(2),
        lambda: flodl.ones(2, requires_grad=True),
        lambda: nn.Parameter(flodl.ones(2)),
    ):
        x = make()
        ref = weakref.ref(x)
        assert ref() is x
        freed = []
        weakref.finalize(x, freed.append, True)
        del x
        gc.collect()
        assert ref() is None and freed == [True]
