"""Module paths of torch that programs import from, against the installed
torch on the same inputs: ``flodl.distributions.utils`` (as
``torch.distributions.utils``: numbers, gradients, ``broadcast_all``'s dtypes
and errors, ``lazy_property``) and ``flodl.utils._pytree`` (as
``torch.utils._pytree``: leaves in torch's order, specs that print and
round-trip as torch's, ``tree_map`` and friends, their errors)."""

from __future__ import annotations

import sys
from collections import OrderedDict, defaultdict, deque, namedtuple

import numpy as np
import pytest
import torch
import torch.distributions.utils as tdu
import torch.utils._pytree as tpt

import flodl
import flodl.distributions.utils as fdu
import flodl.utils._pytree as fpt

RNG = np.random.default_rng(0)


def _pair(arr):
    """``arr`` as a flodl tensor and a torch tensor."""
    return flodl.tensor(arr), torch.tensor(arr)


def _close(got, want, rtol=1e-6):
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=rtol, atol=0)


# ---------------------------------------------------------------- distributions.utils


def test_module_imports_and_exports():
    assert set(fdu.__all__) == set(tdu.__all__)
    assert fdu.euler_constant == tdu.euler_constant
    from flodl.distributions import utils

    assert utils is fdu
    assert flodl.distributions.utils is fdu


PROBS = [
    RNG.uniform(0, 1, (3, 5)).astype(np.float32),
    np.array([0.0, 1e-9, 0.25, 0.5, 1 - 1e-9, 1.0], dtype=np.float32),
    RNG.uniform(0, 1, (2, 3, 4)).astype(np.float64),
    np.array([0.0, 1.0, 0.3], dtype=np.float64),
]


@pytest.mark.parametrize("probs", PROBS, ids=range(len(PROBS)))
def test_clamp_probs(probs):
    f, t = _pair(probs)
    _close(fdu.clamp_probs(f), tdu.clamp_probs(t))


@pytest.mark.parametrize("is_binary", [False, True])
@pytest.mark.parametrize("probs", PROBS, ids=range(len(PROBS)))
def test_probs_to_logits(probs, is_binary):
    f, t = _pair(probs)
    _close(fdu.probs_to_logits(f, is_binary), tdu.probs_to_logits(t, is_binary))
    _close(fdu.probs_to_logits(f, is_binary=is_binary), tdu.probs_to_logits(t, is_binary=is_binary))


LOGITS = [
    RNG.normal(0, 3, (4, 6)).astype(np.float32),
    np.array([-100.0, -3.0, 0.0, 2.5, 50.0], dtype=np.float32),
    RNG.normal(0, 1, (2, 2, 3)).astype(np.float64),
]


@pytest.mark.parametrize("is_binary", [False, True])
@pytest.mark.parametrize("logits", LOGITS, ids=range(len(LOGITS)))
def test_logits_to_probs(logits, is_binary):
    f, t = _pair(logits)
    _close(fdu.logits_to_probs(f, is_binary), tdu.logits_to_probs(t, is_binary), rtol=1e-5)


@pytest.mark.parametrize("is_binary", [False, True])
def test_round_trip_and_gradients(is_binary):
    probs = RNG.uniform(0.05, 0.95, (3, 4)).astype(np.float64)
    if not is_binary:
        probs = probs / probs.sum(-1, keepdims=True)
    f = flodl.tensor(probs, requires_grad=True)
    t = torch.tensor(probs, requires_grad=True)
    gf = fdu.logits_to_probs(fdu.probs_to_logits(f, is_binary), is_binary)
    gt = tdu.logits_to_probs(tdu.probs_to_logits(t, is_binary), is_binary)
    _close(gf, gt)
    np.testing.assert_allclose(gf.detach().numpy(), probs, rtol=1e-10)
    weights = RNG.normal(size=(3, 4))
    (fdu.probs_to_logits(f, is_binary) * flodl.tensor(weights)).sum().backward()
    (tdu.probs_to_logits(t, is_binary) * torch.tensor(weights)).sum().backward()
    _close(f.grad, t.grad)


def test_clamp_probs_needs_a_floating_dtype():
    with pytest.raises(TypeError):
        tdu.clamp_probs(torch.tensor([0, 1]))
    with pytest.raises(TypeError):
        fdu.clamp_probs(flodl.tensor([0, 1]))


def _broadcast_both(*values):
    """broadcast_all of ``values`` in both libraries (arrays become tensors)."""
    fv = [flodl.tensor(v) if isinstance(v, np.ndarray) else v for v in values]
    tv = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in values]
    return fdu.broadcast_all(*fv), tdu.broadcast_all(*tv)


BROADCASTS = [
    (1.5,),
    (2, 3.5),
    (True, 0),
    (np.ones((2, 1), np.float32), np.arange(3, dtype=np.float32)),
    (np.arange(3, dtype=np.float64), 2, 0.5),
    (0.5, np.arange(4, dtype=np.int64)),  # a number takes the tensor's dtype: 0.5 -> 0
    (np.ones((2, 1), np.float32), np.ones(3, np.float64), 7),  # the first tensor's dtype
    (np.float64(2.5), np.ones((2, 2), np.float32)),  # numpy's float64 is a float
    (np.arange(6, dtype=np.float32).reshape(2, 3), False),
]


@pytest.mark.parametrize("values", BROADCASTS, ids=range(len(BROADCASTS)))
def test_broadcast_all(values):
    got, want = _broadcast_both(*values)
    assert isinstance(got, tuple)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        _close(g, w)


def test_broadcast_all_default_dtype_and_no_values():
    assert fdu.broadcast_all() == tdu.broadcast_all() == ()
    old_f, old_t = flodl.get_default_dtype(), torch.get_default_dtype()
    flodl.set_default_dtype(flodl.float64)
    torch.set_default_dtype(torch.float64)
    try:
        (g,), (w,) = fdu.broadcast_all(3), tdu.broadcast_all(3)
        _close(g, w)
    finally:
        flodl.set_default_dtype(old_f)
        torch.set_default_dtype(old_t)


def test_broadcast_all_keeps_gradients():
    f = flodl.tensor(RNG.normal(size=(3, 1)), requires_grad=True)
    t = torch.tensor(f.detach().numpy(), requires_grad=True)
    gf, _ = fdu.broadcast_all(f, flodl.zeros(4, dtype=flodl.float64))
    gt, _ = tdu.broadcast_all(t, torch.zeros(4, dtype=torch.float64))
    (gf * 2).sum().backward()
    (gt * 2).sum().backward()
    _close(f.grad, t.grad)


@pytest.mark.parametrize(
    "bad", [[1.0], (1.0,), "a", None, np.float32(1.0), np.ones(2)], ids=lambda v: type(v).__name__
)
def test_broadcast_all_rejects_non_numbers(bad):
    with pytest.raises(ValueError, match="Number"):
        tdu.broadcast_all(torch.ones(2), bad)
    with pytest.raises(ValueError, match="Number"):
        fdu.broadcast_all(flodl.ones(2), bad)
    with pytest.raises(ValueError):
        fdu.broadcast_all(bad)


def test_broadcast_all_shape_mismatch():
    with pytest.raises(RuntimeError):
        tdu.broadcast_all(torch.ones(2), torch.ones(3))
    with pytest.raises(RuntimeError):
        fdu.broadcast_all(flodl.ones(2), flodl.ones(3))


def _lazy_class(lazy_property, lib):
    class Thing:
        def __init__(self):
            self.calls = 0

        @lazy_property
        def value(self):
            """The value, once."""
            self.calls += 1
            return lib.is_grad_enabled()

    return Thing


@pytest.mark.parametrize("lib", ["flodl", "torch"])
def test_lazy_property(lib):
    module, mod_lib = (fdu, flodl) if lib == "flodl" else (tdu, torch)
    thing_cls = _lazy_class(module.lazy_property, mod_lib)
    thing = thing_cls()
    assert "value" not in vars(thing)
    with mod_lib.no_grad():
        assert thing.value is True  # computed with gradients enabled
    assert thing.value is True
    assert thing.calls == 1
    assert vars(thing)["value"] is True  # kept on the instance
    on_class = thing_cls.value
    assert isinstance(on_class, module.lazy_property)
    assert isinstance(on_class, property)
    assert on_class.__doc__ == "The value, once."
    descriptor = vars(thing_cls)["value"]
    assert descriptor.__name__ == "value"
    assert descriptor.__doc__ == "The value, once."


def test_lazy_property_graph():
    class Scaled:
        def __init__(self, x):
            self.x = x

        @fdu.lazy_property
        def doubled(self):
            return self.x * 2

    x = flodl.ones(3, requires_grad=True)
    with flodl.no_grad():
        s = Scaled(x)
        y = s.doubled
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0))


@pytest.mark.parametrize("diag", [-3, -1, 0, 1, 3])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 4, 4)])
def test_tril_matrix_round_trip(shape, diag):
    mat = RNG.normal(size=shape).astype(np.float32)
    f, t = _pair(mat)
    vf, vt = fdu.tril_matrix_to_vec(f, diag), tdu.tril_matrix_to_vec(t, diag)
    _close(vf, vt)
    _close(fdu.vec_to_tril_matrix(vf, diag), tdu.vec_to_tril_matrix(vt, diag))


def test_vec_to_tril_matrix_gradients():
    vec = RNG.normal(size=(2, 10))
    f = flodl.tensor(vec, requires_grad=True)
    t = torch.tensor(vec, requires_grad=True)
    weights = RNG.normal(size=(2, 4, 4))
    (fdu.vec_to_tril_matrix(f) * flodl.tensor(weights)).sum().backward()
    (tdu.vec_to_tril_matrix(t) * torch.tensor(weights)).sum().backward()
    _close(f.grad, t.grad)


@pytest.mark.parametrize("diag", [-5, 4, 10])
def test_tril_matrix_to_vec_bad_diag(diag):
    with pytest.raises(ValueError, match="outside"):
        tdu.tril_matrix_to_vec(torch.zeros(4, 4), diag)
    with pytest.raises(ValueError, match="outside"):
        fdu.tril_matrix_to_vec(flodl.zeros(4, 4), diag)


def test_vec_to_tril_matrix_bad_length():
    with pytest.raises(ValueError, match="lower triangular"):
        tdu.vec_to_tril_matrix(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="lower triangular"):
        fdu.vec_to_tril_matrix(flodl.zeros(2, 5))


# ---------------------------------------------------------------- utils._pytree

Point = namedtuple("Point", "x y")
Pair = namedtuple("Pair", ["first", "second"])


def _trees():
    """Trees (with plain-number leaves) that both libraries handle alike."""
    dd = defaultdict(list)
    dd["z"] = 1
    dd["a"] = [2, 3]
    return [
        1,
        None,
        "leaf",
        [],
        (),
        {},
        [1, 2, 3],
        (1, (2, (3, (4,)))),
        {"b": 1, "a": 2, "c": [3, 4]},  # insertion order, not sorted
        {"a": None, "b": (None, 5)},
        [None, [], (), {}],
        Point(1, [2, 3]),
        Point(Pair(1, 2), {"k": (3,)}),
        OrderedDict([("y", 1), ("x", (2, 3))]),
        dd,
        deque([1, [2, 3]], maxlen=5),
        deque([1, 2]),
        [{"w": [1, 2], "b": 3}, ({"x": Point(4, 5)}, [6, [7, [8]]])],
        {1: "one", (2, 3): [2, 3], "s": {"nested": {"deep": [9, 10]}}},
    ]


TREES = _trees()


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_flatten_as_torch(tree):
    leaves, spec = fpt.tree_flatten(tree)
    t_leaves, t_spec = tpt.tree_flatten(tree)
    assert leaves == t_leaves
    assert [type(x) for x in leaves] == [type(x) for x in t_leaves]
    assert repr(spec) == repr(t_spec)
    assert str(spec) == str(t_spec)
    assert spec.num_leaves == t_spec.num_leaves == len(leaves)
    assert spec.num_nodes == t_spec.num_nodes
    assert spec.num_children == t_spec.num_children
    assert spec.context == t_spec.context
    assert spec.is_leaf() == t_spec.is_leaf()
    assert fpt.tree_leaves(tree) == tpt.tree_leaves(tree)
    assert list(fpt.tree_iter(tree)) == list(tpt.tree_iter(tree))
    assert fpt.tree_structure(tree) == spec
    assert fpt.tree_is_leaf(tree) == tpt.tree_is_leaf(tree)


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_unflatten_round_trip(tree):
    leaves, spec = fpt.tree_flatten(tree)
    back = fpt.tree_unflatten(leaves, spec)
    t_back = tpt.tree_unflatten(*tpt.tree_flatten(tree))
    assert back == tree == t_back
    assert type(back) is type(tree)
    if isinstance(tree, defaultdict):
        assert back.default_factory is tree.default_factory
        assert list(back) == list(tree)
    if isinstance(tree, deque):
        assert back.maxlen == tree.maxlen
    if isinstance(tree, dict):
        assert list(back) == list(tree)
    # new leaves go in the same places as in torch
    fresh = [f"leaf{i}" for i in range(len(leaves))]
    assert fpt.tree_unflatten(fresh, spec) == tpt.tree_unflatten(fresh, tpt.tree_structure(tree))
    assert fpt.tree_unflatten(iter(fresh), spec) == spec.unflatten(tuple(fresh))


def test_spec_equality():
    s = fpt.tree_structure
    assert s([1, 2]) == s([3, 4])
    assert s([1, 2]) != s((1, 2))
    assert s([1, 2]) != s([1, 2, 3])
    assert s({"a": 1, "b": 2}) != s({"b": 1, "a": 2})  # key order is structure
    assert s({"a": 1}) != s(OrderedDict(a=1))
    assert s(Point(1, 2)) != s(Pair(1, 2))
    assert s([1, [2]]) != s([1, 2])
    assert s(None) == s(5) == fpt.LeafSpec() == fpt.treespec_leaf()
    assert s([1]) != [1]
    assert hash(s({"a": [1, 2]})) == hash(s({"a": [3, 4]}))
    assert len({s([1, 2]), s([5, 6]), s((1, 2))}) == 2
    torch_says = tpt.tree_structure
    for a, b in [([1, 2], (1, 2)), ({"a": 1, "b": 2}, {"b": 1, "a": 2}), ([1, 2], [3, 4])]:
        assert (s(a) == s(b)) == (torch_says(a) == torch_says(b))


def test_spec_parts():
    spec = fpt.tree_structure({"a": [1, 2], "b": (3,)})
    assert spec.type is dict
    assert spec.context == ["a", "b"]
    assert spec.num_children == 2
    assert spec.child(0) == fpt.tree_structure([0, 0])
    assert spec.children() == [fpt.tree_structure([0, 0]), fpt.tree_structure((0,))]
    assert spec.child(1).child(0).is_leaf()
    assert repr(fpt.LeafSpec()) == repr(tpt.treespec_leaf()) == "*"
    assert isinstance(fpt.LeafSpec(), fpt.TreeSpec)
    built = fpt.TreeSpec(list, None, [fpt.LeafSpec(), fpt.LeafSpec()])
    assert built == fpt.tree_structure([1, 2])
    assert repr(built) == repr(tpt.TreeSpec(list, None, [tpt.treespec_leaf()] * 2))
    assert fpt.tree_structure(Point(1, 2)).type is namedtuple
    assert fpt.tree_structure(Point(1, 2)).context is Point


def test_none_is_a_leaf_as_in_torch():
    assert fpt.tree_flatten(None)[0] == tpt.tree_flatten(None)[0] == [None]
    assert fpt.tree_leaves([None, 1, (None,)]) == tpt.tree_leaves([None, 1, (None,)])
    assert fpt.tree_map(lambda x: x is None, {"a": None, "b": 1}) == {"a": True, "b": False}


def test_flodl_size_is_a_node():
    leaves, spec = fpt.tree_flatten(flodl.Size([2, 3]))
    t_leaves, t_spec = tpt.tree_flatten(torch.Size([2, 3]))
    assert leaves == t_leaves == [2, 3]
    assert repr(spec) == repr(t_spec)
    back = fpt.tree_unflatten([4, 5], spec)
    assert isinstance(back, flodl.Size)
    assert back == flodl.Size([4, 5])


def test_return_types_are_namedtuples():
    x = flodl.tensor(RNG.normal(size=(3, 4)).astype(np.float32))
    result = x.max(dim=1)
    leaves, spec = fpt.tree_flatten(result)
    assert len(leaves) == 2
    back = fpt.tree_unflatten(leaves, spec)
    assert type(back) is type(result)
    assert back.values is leaves[0]


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_tree_map_as_torch(tree):
    def fn(x):
        return (x, "seen")

    assert fpt.tree_map(fn, tree) == tpt.tree_map(fn, tree)
    if not tpt.tree_is_leaf(tree):
        assert type(fpt.tree_map(fn, tree)) is type(tree)


def test_tree_map_over_tensors():
    arrays = {"w": RNG.normal(size=(2, 3)), "b": [RNG.normal(size=3), 1.5]}
    ftree = fpt.tree_map(lambda a: flodl.tensor(a) if isinstance(a, np.ndarray) else a, arrays)
    ttree = tpt.tree_map(lambda a: torch.tensor(a) if isinstance(a, np.ndarray) else a, arrays)
    fout = fpt.tree_map_only(flodl.Tensor, lambda t: t.exp() * 2, ftree)
    tout = tpt.tree_map_only(torch.Tensor, lambda t: t.exp() * 2, ttree)
    _close(fout["w"], tout["w"])
    _close(fout["b"][0], tout["b"][0])
    assert fout["b"][1] == tout["b"][1] == 1.5


def test_tree_map_several_trees():
    def fn(x, y):
        return [x, *y]

    args = ([5, 6], [[7, 9], [1, 2]])
    assert fpt.tree_map(fn, *args) == tpt.tree_map(fn, *args) == [[5, 7, 9], [6, 1, 2]]
    a = {"x": 1, "y": (2, 3)}
    b = {"y": (20, 30), "x": 10}  # other key order: fine for dicts, as in torch
    assert fpt.tree_map(lambda p, q: p + q, a, b) == tpt.tree_map(lambda p, q: p + q, a, b)
    od = OrderedDict([("y", (1, 1)), ("x", 0)])
    assert fpt.tree_map(lambda p, q: p + q, a, od) == tpt.tree_map(lambda p, q: p + q, a, od)
    q = deque([1, 2], maxlen=4)
    assert fpt.tree_map(lambda p, r: p * r, q, deque([3, 4])) == tpt.tree_map(
        lambda p, r: p * r, q, deque([3, 4])
    )


MISMATCHES = [
    ([1, 2], (1, 2)),  # node type
    ([1, 2], [1, 2, 3]),  # arity
    ({"a": 1, "b": 2}, {"a": 1, "c": 2}),  # keys
    ({"a": 1}, {"a": 1, "b": 2}),
    (Point(1, 2), Pair(1, 2)),  # namedtuple class
    ([1, [2, 3]], [1, 5]),  # a leaf where a node is needed
]


@pytest.mark.parametrize("tree,other", MISMATCHES, ids=range(len(MISMATCHES)))
def test_tree_map_mismatch_errors(tree, other):
    def add(x, y):
        return (x, y)

    with pytest.raises(ValueError) as t_err:
        tpt.tree_map(add, tree, other)
    with pytest.raises(ValueError) as f_err:
        fpt.tree_map(add, tree, other)
    assert str(f_err.value).split(";")[0] == str(t_err.value).split(";")[0]


def test_unflatten_errors():
    spec = fpt.tree_structure([1, (2, 3)])
    t_spec = tpt.tree_structure([1, (2, 3)])
    with pytest.raises(ValueError) as f_err:
        fpt.tree_unflatten([1, 2], spec)
    with pytest.raises(ValueError) as t_err:
        tpt.tree_unflatten([1, 2], t_spec)
    assert str(f_err.value) == str(t_err.value)
    with pytest.raises(ValueError):
        fpt.tree_unflatten([1, 2, 3, 4], spec)
    with pytest.raises(TypeError):
        tpt.tree_unflatten([1, 2, 3], [1, 2, 3])
    with pytest.raises(TypeError):
        fpt.tree_unflatten([1, 2, 3], [1, 2, 3])
    # the two arguments swapped are accepted, as in torch
    assert fpt.tree_unflatten(spec, [1, 2, 3]) == tpt.tree_unflatten(t_spec, [1, 2, 3])


def test_is_leaf_argument():
    tree = {"a": (1, 2), "b": [(3, 4), 5]}

    def is_tuple(x):
        return isinstance(x, tuple)

    assert fpt.tree_leaves(tree, is_leaf=is_tuple) == tpt.tree_leaves(tree, is_leaf=is_tuple)
    assert repr(fpt.tree_structure(tree, is_tuple)) == repr(tpt.tree_structure(tree, is_tuple))
    assert fpt.tree_map(str, tree, is_leaf=is_tuple) == tpt.tree_map(str, tree, is_leaf=is_tuple)
    assert fpt.tree_is_leaf((1,), is_leaf=is_tuple)


@pytest.mark.parametrize(
    "kinds",
    [int, (int, str), str, float, lambda x: isinstance(x, int) and x > 2]
    + ([int | str] if sys.version_info >= (3, 10) else []),
)
def test_tree_map_only(kinds):
    tree = {"a": [1, "x", 2.5], "b": (3, None, "y"), "c": Point(4, "z")}

    def fn(x):
        return [x]

    assert fpt.tree_map_only(kinds, fn, tree) == tpt.tree_map_only(kinds, fn, tree)


def test_tree_map_only_bad_kind():
    with pytest.raises(TypeError):
        tpt.tree_map_only(3, abs, [1])
    with pytest.raises(TypeError):
        fpt.tree_map_only(3, abs, [1])


def test_in_place_maps():
    tensors = [flodl.ones(2), {"x": flodl.zeros(3)}, "name"]
    out = fpt.tree_map_(lambda t: t.add_(1) if isinstance(t, flodl.Tensor) else t, tensors)
    assert out is tensors
    np.testing.assert_allclose(tensors[0].numpy(), [2.0, 2.0])
    assert fpt.tree_map_only_(flodl.Tensor, lambda t: t.mul_(3), tensors) is tensors
    np.testing.assert_allclose(tensors[1]["x"].numpy(), [3.0, 3.0, 3.0])


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_all_any(tree):
    def is_int(x):
        return isinstance(x, int)

    def is_none(x):
        return x is None

    for pred in (is_int, is_none):
        assert fpt.tree_all(pred, tree) == tpt.tree_all(pred, tree)
        assert fpt.tree_any(pred, tree) == tpt.tree_any(pred, tree)
    assert fpt.tree_all_only(int, lambda x: x > 1, tree) == tpt.tree_all_only(
        int, lambda x: x > 1, tree
    )
    assert fpt.tree_any_only(int, lambda x: x > 5, tree) == tpt.tree_any_only(
        int, lambda x: x > 5, tree
    )


class Box:
    """A container of one's own: two children and a label."""

    def __init__(self, left, right, label):
        self.left, self.right, self.label = left, right, label

    def __eq__(self, other):
        return isinstance(other, Box) and (self.left, self.right, self.label) == (
            other.left,
            other.right,
            other.label,
        )

    __hash__ = None


def _box_flatten(box):
    return [box.left, box.right], box.label


def _box_unflatten(values, label):
    left, right = values
    return Box(left, right, label)


@pytest.fixture(scope="module")
def registered_box():
    fpt.register_pytree_node(Box, _box_flatten, _box_unflatten)
    tpt.register_pytree_node(
        Box, _box_flatten, _box_unflatten, serialized_type_name="test_torch_module_paths.Box"
    )
    return Box


def test_register_pytree_node(registered_box):
    tree = {"p": registered_box([1, 2], registered_box(3, None, "in"), "out"), "q": 4}
    leaves, spec = fpt.tree_flatten(tree)
    t_leaves, t_spec = tpt.tree_flatten(tree)
    assert leaves == t_leaves == [1, 2, 3, None, 4]
    assert repr(spec) == repr(t_spec)
    assert fpt.tree_unflatten(leaves, spec) == tree
    assert fpt.tree_map(lambda x: x, tree) == tpt.tree_map(lambda x: x, tree)
    other = {"p": registered_box([1, 2], registered_box(3, None, "other"), "out"), "q": 4}
    assert fpt.tree_structure(other) != spec
    with pytest.raises(ValueError):
        fpt.tree_map(lambda x, y: x, tree, other)
    with pytest.raises(ValueError, match="already registered"):
        fpt.register_pytree_node(registered_box, _box_flatten, _box_unflatten)
    with pytest.raises(ValueError, match="already registered"):
        fpt.register_pytree_node(list, _box_flatten, _box_unflatten)


def test_namedtuple_helpers():
    for obj in (Point(1, 2), Point, (1, 2), tuple, [1], flodl.Size([1])):
        assert fpt.is_namedtuple(obj) == tpt.is_namedtuple(obj)
        assert fpt.is_namedtuple_instance(obj) == tpt.is_namedtuple_instance(obj)
    assert fpt.is_namedtuple_class(Point) and not fpt.is_namedtuple_class(tuple)
