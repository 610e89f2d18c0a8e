"""Walking nested outputs (tuples, lists, dicts, namedtuples) of either framework, leaf by leaf.

A leaf is anything array-like (``shape`` and ``dtype``): a ``jax.Array``, a ``tp.Tensor``, a
NumPy array, a torch tensor. ``None`` and Python scalars are not leaves. Each leaf has a path
(``[1][0]``, ``['logits']``; ``''`` for a bare array), so the two sides are matched by path.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ._torch import is_torch_tensor, torch_to_numpy


def is_leaf(x: Any) -> bool:
    """True for an array-like value of either framework.

    >>> is_leaf(np.zeros(2)), is_leaf(3.0), is_leaf(None)
    (True, False, False)
    """
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type)


def leaves(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(path, leaf)`` for every array-like leaf of ``obj``, in order.

    >>> [p for p, _ in leaves((np.zeros(2), (np.ones(1), None), {"a": np.ones(3)}))]
    ['[0]', '[1][0]', "[2]['a']"]
    """
    if is_leaf(obj):
        yield path, obj
    elif isinstance(obj, (tuple, list)):
        for i, x in enumerate(obj):
            yield from leaves(x, f"{path}[{i}]")
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from leaves(v, f"{path}[{k!r}]")


def map_leaves(fn: Callable[[str, Any], Any], obj: Any, path: str = "") -> Any:
    """Rebuild ``obj`` with every leaf replaced by ``fn(path, leaf)``; containers keep their types.

    >>> map_leaves(lambda p, x: x + 1, (np.zeros(1), [np.ones(1)], 7))
    (array([1.]), [array([2.])], 7)
    """
    if is_leaf(obj):
        return fn(path, obj)
    if isinstance(obj, (tuple, list)):
        items = [map_leaves(fn, x, f"{path}[{i}]") for i, x in enumerate(obj)]
        if isinstance(obj, list):
            return type(obj)(items) if type(obj) is not list else items
        return type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
    if isinstance(obj, Mapping):
        return type(obj)({k: map_leaves(fn, v, f"{path}[{k!r}]") for k, v in obj.items()})
    return obj


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of a leaf of either framework (torch tensor, ``jax.Array``, ``tp.Tensor``).

    >>> to_numpy(jnp.arange(3)).tolist(), to_numpy(tp.ones(2)).tolist()
    ([0, 1, 2], [1.0, 1.0])
    """
    if is_torch_tensor(x):
        return torch_to_numpy(x)
    return np.array(x)


def as_jax(x: Any) -> Any:
    """A leaf of the library side as a ``jax.Array`` (possibly a tracer), whether it is an array
    or a one-leaf pytree box such as ``tp.Tensor``.

    >>> type(as_jax(tp.ones(2))).__name__
    'ArrayImpl'
    """
    if isinstance(x, jax.Array):
        return x
    inner = jax.tree_util.tree_leaves(x)
    if len(inner) == 1 and isinstance(inner[0], jax.Array):
        return inner[0]
    return jnp.asarray(x)


def add_to_leaf(x: Any, delta: Any) -> Any:
    """``x + delta`` that keeps the type of a one-leaf pytree box (``tp.Tensor`` stays a Tensor).

    >>> add_to_leaf(jnp.ones(2), jnp.ones(2)).tolist()
    [2.0, 2.0]
    """
    if isinstance(x, jax.Array):
        return x + delta.astype(x.dtype)
    flat, treedef = jax.tree_util.tree_flatten(x)
    if len(flat) == 1 and isinstance(flat[0], jax.Array):
        return jax.tree_util.tree_unflatten(treedef, [flat[0] + delta.astype(flat[0].dtype)])
    return x + delta
