"""Compiled init: "construct a model, then apply(fn)" as one pure ``init(key) -> state`` function."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Mapping

import jax

from . import _state
from .random import key_scope


def _variables(model: Any) -> "OrderedDict[str, jax.Array]":
    out: OrderedDict[str, jax.Array] = OrderedDict((n, p.value) for n, p in model.named_parameters())
    out.update((n, b.value) for n, b in model.named_buffers())
    return out


def _ordered(tree: Any) -> Any:
    """Nested dicts as ``OrderedDict`` s: JAX keeps their insertion order (it sorts plain dicts)."""
    if isinstance(tree, Mapping):
        return OrderedDict((k, _ordered(v)) for k, v in tree.items())
    return tree


def compile_init(build: Callable[[], Any], *, nested: bool = False) -> Callable[[jax.Array], Any]:
    """Turn ``build`` (constructs a Module, may call ``apply(fn)``) into ``init(key) -> state``.

    ``init`` builds the model inside ``key_scope(key)``, so every fill draws from a stream rooted
    at ``key``, and returns the variables: a flat ``OrderedDict`` of ``named_parameters()``
    followed by ``named_buffers()`` (torch names and order, tied tensors once), or
    ``to_nested``'s ``{'params', 'buffers'}`` tree (``OrderedDict`` s) with ``nested=True``.
    ``OrderedDict`` because JAX returns a plain dict from ``jit``/``eval_shape``/``vmap`` with
    its keys sorted, and keeps an ``OrderedDict``'s order. It is pure, so:

    * ``jax.jit(init)(key)`` compiles construction and init into one XLA program;
    * ``jax.eval_shape(init, key)`` gives every shape and dtype without allocating (torch's
      meta device);
    * ``jax.jit(init, out_shardings=...)`` creates each parameter directly in its shards
      (build the shardings with ``jax.tree.map`` over ``jax.eval_shape(init, key)``: a plain
      dict does not match the ``OrderedDict`` pytree).

    The same key gives the same values eagerly, jitted and sharded.

    >>> import jax, torchlike_params as tp
    >>> init = tp.compile_init(lambda: tp.nn.Sequential(tp.nn.Linear(4, 8), tp.nn.ReLU(), tp.nn.Linear(8, 2)))
    >>> list(jax.jit(init)(jax.random.key(0)))
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> jax.eval_shape(init, jax.random.key(0))['2.weight'].shape
    (2, 8)
    """
    def init(key: jax.Array) -> Any:
        with key_scope(key):
            model = build()
        return _ordered(_state.to_nested(model)) if nested else _variables(model)

    init.__name__ = getattr(build, "__name__", "init")
    return init


def abstract_module(build: Callable[[], Any]) -> Any:
    """Build a Module without memory: every box holds a ``jax.ShapeDtypeStruct``.

    Use it as the skeleton for ``functional_call`` when the real values come from
    ``compile_init`` (e.g. initialized sharded, or loaded from a checkpoint).

    >>> import torchlike_params as tp
    >>> m = tp.abstract_module(lambda: tp.nn.Linear(4096, 4096))
    >>> m.weight.value
    ShapeDtypeStruct(shape=(4096, 4096), dtype=float32)
    """
    holder: list[Any] = []

    def run(key: jax.Array) -> None:
        with key_scope(key):
            holder.append(build())

    jax.eval_shape(run, jax.random.key(0))
    model = holder[0]
    for _, mod in model.named_modules(remove_duplicate=True):
        mod.__dict__["_created_in_trace"] = False       # it outlives the trace: guard it like any module
        for registry in (mod._parameters, mod._buffers):
            for t in registry.values():
                v = None if t is None else t._storage.peek()
                if isinstance(v, jax.core.Tracer) or (v is not None and not isinstance(v, jax.Array)):
                    t._storage.value = jax.ShapeDtypeStruct(tuple(v.shape), v.dtype)
                if t is not None:
                    t._storage._sealed = True                   # and so do its boxes
    return model
