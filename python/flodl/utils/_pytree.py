"""``flodl.utils._pytree``, the commonly used part of ``torch.utils._pytree``:
nested containers ("pytrees") taken apart into their leaves and a
``TreeSpec`` of their structure, and put back together.

The containers are ``list``, ``tuple``, ``dict`` (its keys in insertion
order), namedtuples (every one, as the node type ``namedtuple``),
``OrderedDict``, ``defaultdict``, ``deque`` and ``flodl.Size``, plus what
``register_pytree_node`` adds; anything else is a leaf, ``None`` included
(as in PyTorch's Python pytree: ``tree_flatten(None) == ([None], *)``).
Leaves come in PyTorch's order, and the specs print and compare as its do,
so ``tree_flatten``, ``tree_unflatten``, ``tree_map`` and ``tree_map_only``
over tensors, the usual use, behave as in PyTorch.
"""

from __future__ import annotations

import types
from collections import OrderedDict, defaultdict, deque, namedtuple
from collections.abc import Iterable, Iterator
from typing import Any, Callable, NamedTuple, Union

from .._size import Size

__all__ = [
    "Context",
    "FlattenFn",
    "LeafSpec",
    "PyTree",
    "TreeSpec",
    "UnflattenFn",
    "is_namedtuple",
    "is_namedtuple_class",
    "is_namedtuple_instance",
    "map_only",
    "register_pytree_node",
    "tree_all",
    "tree_all_only",
    "tree_any",
    "tree_any_only",
    "tree_flatten",
    "tree_is_leaf",
    "tree_iter",
    "tree_leaves",
    "tree_map",
    "tree_map_",
    "tree_map_only",
    "tree_map_only_",
    "tree_structure",
    "tree_unflatten",
    "treespec_leaf",
]

PyTree = Any
Context = Any
FlattenFn = Callable[[PyTree], "tuple[list[Any], Context]"]
UnflattenFn = Callable[[Iterable[Any], Context], PyTree]
IsLeaf = Union[Callable[[PyTree], bool], None]
TypeOrPred = Union[type, "tuple[type, ...]", Callable[[Any], bool]]

# `int | str` makes a types.UnionType on Python 3.10+, which isinstance takes.
_UNION_TYPES: tuple[type, ...] = (
    (types.UnionType,) if hasattr(types, "UnionType") else ()  # type: ignore[attr-defined]
)


class NodeDef(NamedTuple):
    """A registered container type with its flatten and unflatten functions."""

    type: Any
    flatten_fn: FlattenFn
    unflatten_fn: UnflattenFn


# The container types, keyed by node type (``namedtuple`` for all namedtuples).
SUPPORTED_NODES: dict[Any, NodeDef] = {}


def _register(cls: Any, flatten_fn: FlattenFn, unflatten_fn: UnflattenFn) -> None:
    SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn)


def register_pytree_node(
    cls: type,
    flatten_fn: FlattenFn,
    unflatten_fn: UnflattenFn,
    *,
    serialized_type_name: str | None = None,
    to_dumpable_context: Callable[[Context], Any] | None = None,
    from_dumpable_context: Callable[[Any], Context] | None = None,
    flatten_with_keys_fn: Callable[[PyTree], Any] | None = None,
) -> None:
    """Makes ``cls`` a container: ``flatten_fn(node)`` gives
    ``(children, context)``, and ``unflatten_fn(children, context)`` builds
    the node back. ``context`` is what the children alone do not say (keys,
    a class, ...); specs compare it with ``==``. The keyword arguments
    (serialization and key paths in PyTorch) are accepted and unused.

    Raises:
        ValueError: ``cls`` is already registered.
    """
    del serialized_type_name, to_dumpable_context, from_dumpable_context, flatten_with_keys_fn
    if cls in SUPPORTED_NODES:
        raise ValueError(f"{cls} is already registered as pytree node.")
    _register(cls, flatten_fn, unflatten_fn)


def is_namedtuple_class(cls: Any) -> bool:
    """Whether ``cls`` is a namedtuple class (a tuple subclass with string
    ``_fields``, ``_make`` and ``_asdict``)."""
    fields = getattr(cls, "_fields", None)
    return (
        isinstance(cls, type)
        and issubclass(cls, tuple)
        and isinstance(fields, tuple)
        and all(type(field) is str for field in fields)
        and callable(getattr(cls, "_make", None))
        and callable(getattr(cls, "_asdict", None))
    )


def is_namedtuple(obj: Any) -> bool:
    """Whether ``obj`` is a namedtuple class or an instance of one."""
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def is_namedtuple_instance(obj: Any) -> bool:
    """Whether ``obj`` is an instance of a namedtuple class."""
    return is_namedtuple_class(type(obj))


def _node_type(tree: Any) -> Any:
    """The registry key of ``tree``: its type, or ``namedtuple`` for any namedtuple."""
    cls = type(tree)
    return namedtuple if is_namedtuple_class(cls) else cls


def tree_is_leaf(tree: PyTree, is_leaf: IsLeaf = None) -> bool:
    """Whether ``tree`` is a leaf: ``is_leaf(tree)`` says so, or its type is
    not a registered container."""
    if is_leaf is not None and is_leaf(tree):
        return True
    return _node_type(tree) not in SUPPORTED_NODES


def _type_name(node_type: Any) -> str:
    return getattr(node_type, "__name__", repr(node_type))


class TreeSpec:
    """The structure of a pytree: the root's node ``type`` (``None`` for a
    leaf), its ``context`` and a spec for each child. ``num_leaves``,
    ``num_nodes`` and ``num_children`` count them; two specs are equal when
    types, contexts and children are."""

    __slots__ = ("_children", "_context", "num_children", "num_leaves", "num_nodes", "type")

    def __init__(self, type: Any, context: Context, children_specs: list[TreeSpec]) -> None:
        self.type = type
        self._context = context
        self._children = list(children_specs)
        if type is None:
            if context is not None or self._children:
                raise ValueError("TreeSpec: a leaf (type None) has no context and no children")
            self.num_nodes = 1
            self.num_leaves = 1
        else:
            self.num_nodes = 1 + sum(child.num_nodes for child in self._children)
            self.num_leaves = sum(child.num_leaves for child in self._children)
        self.num_children = len(self._children)

    @property
    def context(self) -> Context:
        """What the node's flatten function gave besides its children."""
        return self._context

    @property
    def children_specs(self) -> list[TreeSpec]:
        """The children's specs (the list itself)."""
        return self._children

    def children(self) -> list[TreeSpec]:
        """The children's specs (a copy of the list)."""
        return list(self._children)

    def child(self, index: int) -> TreeSpec:
        """The spec of child ``index``."""
        return self._children[index]

    def is_leaf(self) -> bool:
        """Whether this spec is a single leaf."""
        return self.type is None

    def __repr__(self, indent: int = 0) -> str:
        if self.is_leaf():
            return "*"
        inner = indent + 2
        parts = [child.__repr__(inner) for child in self._children]
        body = (",\n" + " " * inner).join(parts)
        return f"TreeSpec({_type_name(self.type)}, {self._context}, [{body}])"

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (
            self.type == other.type
            and self._context == other._context
            and self._children == other._children
        )

    def __hash__(self) -> int:
        context = self._context
        if self.type is defaultdict:
            context = (context[0], tuple(context[1]))
        elif isinstance(context, list):
            context = tuple(context)
        try:
            hash(context)
        except TypeError:
            context = None  # equal specs still hash alike
        return hash((self.type, context, tuple(self._children)))

    def unflatten(self, leaves: Iterable[Any]) -> PyTree:
        """The pytree of this structure holding ``leaves`` (in order).

        Raises:
            ValueError: the number of leaves is not ``num_leaves``.
        """
        leaves = leaves if isinstance(leaves, (list, tuple)) else list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(
                f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} "
                f"but the spec refers to a pytree that holds {self.num_leaves} "
                f"items ({self})."
            )
        return self._build(iter(leaves))

    def _build(self, leaves: Iterator[Any]) -> PyTree:
        if self.is_leaf():
            return next(leaves)
        children = [child._build(leaves) for child in self._children]
        return SUPPORTED_NODES[self.type].unflatten_fn(children, self._context)

    def flatten_up_to(self, tree: PyTree) -> list[PyTree]:
        """The subtrees of ``tree`` at this spec's leaves, ``tree`` having this
        structure down to them (dict types may stand for one another and a
        deque's ``maxlen`` may differ, as in PyTorch).

        Raises:
            ValueError: ``tree`` does not have this structure.
        """
        subtrees: list[PyTree] = []
        self._up_to(tree, subtrees)
        return subtrees

    def _up_to(self, node: PyTree, subtrees: list[PyTree]) -> None:
        if self.is_leaf():
            subtrees.append(node)
            return
        node_type = _node_type(node)
        dicts = self.type in _DICT_TYPES and node_type in _DICT_TYPES
        if not dicts and node_type != self.type:
            raise ValueError(f"Node type mismatch; expected {self.type!r}, but got {node_type!r}.")
        if dicts:
            keys = self._context[1] if self.type is defaultdict else self._context
            if len(node) != self.num_children:
                raise ValueError(
                    f"Node arity mismatch; expected {self.num_children}, but got {len(node)}."
                )
            missing, extra = set(keys) - set(node), set(node) - set(keys)
            if missing or extra:
                message = f"; missing key(s): {missing}" if missing else ""
                message += f"; extra key(s): {extra}" if extra else ""
                raise ValueError(f"Node keys mismatch{message}.")
            children = [node[key] for key in keys]
        else:
            children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
            if len(children) != self.num_children:
                raise ValueError(
                    f"Node arity mismatch; expected {self.num_children}, but got {len(children)}."
                )
            if node_type is not deque and context != self._context:
                raise ValueError(
                    f"Node context mismatch for node type {self.type!r}; "
                    f"expected {self._context!r}, but got {context!r}."
                )
        for child, spec in zip(children, self._children):
            spec._up_to(child, subtrees)


PyTreeSpec = TreeSpec


class LeafSpec(TreeSpec):
    """The spec of a single leaf (``repr`` ``*``); equal to every leaf spec."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(None, None, [])


_LEAF = LeafSpec()


def treespec_leaf() -> LeafSpec:
    """The spec of a single leaf."""
    return _LEAF


def tree_flatten(tree: PyTree, is_leaf: IsLeaf = None) -> tuple[list[Any], TreeSpec]:
    """The leaves of ``tree`` (depth first, children in their container's
    order) and its ``TreeSpec``; ``is_leaf(node)`` may stop the descent."""
    leaves: list[Any] = []

    def visit(node: PyTree) -> TreeSpec:
        if tree_is_leaf(node, is_leaf):
            leaves.append(node)
            return _LEAF
        node_type = _node_type(node)
        children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
        return TreeSpec(node_type, context, [visit(child) for child in children])

    spec = visit(tree)
    return leaves, spec


def tree_unflatten(leaves: Iterable[Any], treespec: TreeSpec) -> PyTree:
    """The pytree of structure ``treespec`` holding ``leaves``: the inverse
    of ``tree_flatten`` (the two arguments may come swapped, as PyTorch allows).

    Raises:
        TypeError: neither argument is a ``TreeSpec``.
        ValueError: the number of leaves is not ``treespec.num_leaves``.
    """
    if not isinstance(treespec, TreeSpec):
        if not isinstance(leaves, TreeSpec):
            raise TypeError(
                "Expected `treespec` to be an instance of "
                f"PyTreeSpec but got item of type {type(treespec)}."
            )
        leaves, treespec = treespec, leaves
    return treespec.unflatten(leaves)


def tree_iter(tree: PyTree, is_leaf: IsLeaf = None) -> Iterator[Any]:
    """The leaves of ``tree``, one at a time, in ``tree_flatten``'s order."""
    if tree_is_leaf(tree, is_leaf):
        yield tree
        return
    children, _ = SUPPORTED_NODES[_node_type(tree)].flatten_fn(tree)
    for child in children:
        yield from tree_iter(child, is_leaf)


def tree_leaves(tree: PyTree, is_leaf: IsLeaf = None) -> list[Any]:
    """The leaves of ``tree``, in ``tree_flatten``'s order."""
    return list(tree_iter(tree, is_leaf))


def tree_structure(tree: PyTree, is_leaf: IsLeaf = None) -> TreeSpec:
    """The ``TreeSpec`` of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def tree_map(
    func: Callable[..., Any], tree: PyTree, *rests: PyTree, is_leaf: IsLeaf = None
) -> PyTree:
    """A pytree of ``tree``'s structure whose leaves are ``func(x, *xs)``,
    ``x`` a leaf of ``tree`` and ``xs`` the subtrees at the same place in
    ``rests`` (each of which has ``tree``'s structure, at least down to its
    leaves).

    Raises:
        ValueError: a tree of ``rests`` lacks ``tree``'s structure.
    """
    leaves, spec = tree_flatten(tree, is_leaf)
    columns = [leaves] + [spec.flatten_up_to(rest) for rest in rests]
    return spec.unflatten([func(*args) for args in zip(*columns)])


def tree_map_(
    func: Callable[..., Any], tree: PyTree, *rests: PyTree, is_leaf: IsLeaf = None
) -> PyTree:
    """Calls ``func`` on the leaves as ``tree_map`` does (for its effect, an
    in-place op, say) and returns ``tree`` itself."""
    leaves, spec = tree_flatten(tree, is_leaf)
    columns = [leaves] + [spec.flatten_up_to(rest) for rest in rests]
    for args in zip(*columns):
        func(*args)
    return tree


def _predicate(type_or_types_or_pred: TypeOrPred) -> Callable[[Any], bool]:
    if isinstance(type_or_types_or_pred, (type, tuple, *_UNION_TYPES)):
        kinds = type_or_types_or_pred
        return lambda x: isinstance(x, kinds)  # type: ignore[arg-type]
    if callable(type_or_types_or_pred):
        return type_or_types_or_pred
    raise TypeError("Argument must be a type, a tuple of types, or a callable.")


def map_only(
    type_or_types_or_pred: TypeOrPred,
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """A decorator: the function applies to the values that are instances
    of the type(s) (or pass the predicate) and returns the others unchanged.

    Raises:
        TypeError: the argument is neither a type, a tuple of types nor a callable.
    """
    pred = _predicate(type_or_types_or_pred)

    def wrapper(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def wrapped(x: Any) -> Any:
            return func(x) if pred(x) else x

        wrapped.__name__ = getattr(func, "__name__", "wrapped")
        wrapped.__doc__ = getattr(func, "__doc__", None)
        wrapped.__wrapped__ = func  # type: ignore[attr-defined]
        return wrapped

    return wrapper


def tree_map_only(
    type_or_types_or_pred: TypeOrPred,
    func: Callable[[Any], Any],
    tree: PyTree,
    is_leaf: IsLeaf = None,
) -> PyTree:
    """``tree_map`` of ``func`` over the leaves that are instances of the
    type(s) (or pass the predicate); the other leaves stay as they are."""
    return tree_map(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_map_only_(
    type_or_types_or_pred: TypeOrPred,
    func: Callable[[Any], Any],
    tree: PyTree,
    is_leaf: IsLeaf = None,
) -> PyTree:
    """``tree_map_`` of ``func`` over the leaves that are instances of the
    type(s) (or pass the predicate); returns ``tree``."""
    return tree_map_(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_all(pred: Callable[[Any], bool], tree: PyTree, is_leaf: IsLeaf = None) -> bool:
    """Whether ``pred`` holds for every leaf (``True`` for no leaves)."""
    return all(pred(leaf) for leaf in tree_iter(tree, is_leaf))


def tree_any(pred: Callable[[Any], bool], tree: PyTree, is_leaf: IsLeaf = None) -> bool:
    """Whether ``pred`` holds for some leaf (``False`` for no leaves)."""
    return any(pred(leaf) for leaf in tree_iter(tree, is_leaf))


def tree_all_only(
    type_or_types: Any, pred: Callable[[Any], bool], tree: PyTree, is_leaf: IsLeaf = None
) -> bool:
    """Whether ``pred`` holds for every leaf that is an instance of the type(s)."""
    return all(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(
    type_or_types: Any, pred: Callable[[Any], bool], tree: PyTree, is_leaf: IsLeaf = None
) -> bool:
    """Whether ``pred`` holds for some leaf that is an instance of the type(s)."""
    return any(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


# The built-in containers. A node's context: None for sequences, the keys
# (in order) for dicts, the class for namedtuples, [default_factory, keys]
# for defaultdicts, maxlen for deques.


def _sequence_flatten(node: Any) -> tuple[list[Any], Context]:
    return list(node), None


def _dict_flatten(node: dict) -> tuple[list[Any], Context]:
    return list(node.values()), list(node.keys())


def _namedtuple_flatten(node: Any) -> tuple[list[Any], Context]:
    return list(node), type(node)


def _defaultdict_flatten(node: defaultdict) -> tuple[list[Any], Context]:
    return list(node.values()), [node.default_factory, list(node.keys())]


def _deque_flatten(node: deque) -> tuple[list[Any], Context]:
    return list(node), node.maxlen


_register(tuple, _sequence_flatten, lambda values, _: tuple(values))
_register(list, _sequence_flatten, lambda values, _: list(values))
_register(dict, _dict_flatten, lambda values, keys: dict(zip(keys, values)))
_register(namedtuple, _namedtuple_flatten, lambda values, cls: cls._make(values))
_register(OrderedDict, _dict_flatten, lambda values, keys: OrderedDict(zip(keys, values)))
_register(
    defaultdict,
    _defaultdict_flatten,
    lambda values, context: defaultdict(context[0], zip(context[1], values)),
)
_register(deque, _deque_flatten, lambda values, maxlen: deque(values, maxlen=maxlen))
_register(Size, _sequence_flatten, lambda values, _: Size(values))

_DICT_TYPES = frozenset({dict, OrderedDict, defaultdict})
