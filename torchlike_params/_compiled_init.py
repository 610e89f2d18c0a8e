"""Compiled init: "construct a model, then apply(fn)" as one pure ``init(key) -> state`` function."""

from __future__ import annotations

from typing import Any, Callable

import jax

from . import _state
from .random import key_scope


def _variables(model: Any) -> dict[str, jax.Array]:
    out: dict[str, jax.Array] = {n: p.value for n, p in model.named_parameters()}
    out.update((n, b.value) for n, b in model.named_buffers())
    return out


def compile_init(build: Callable[[], Any], *, nested: bool = False) -> Callable[[jax.Array], Any]:
    """Turn ``build`` (constructs a Module, may call ``apply(fn)``) into ``init(key) -> state``.

    ``init`` builds the model inside ``key_scope(key)``, so every fill draws from a stream rooted
    at ``key``, and returns the variables: a flat dict of ``named_parameters()`` followed by
    ``named_buffers()`` (torch names, tied tensors once), or ``to_nested``'s
    ``{'params', 'buffers'}`` tree with ``nested=True``. It is pure, so:

    * ``jax.jit(init)(key)`` compiles construction and init into one XLA program;
    * ``jax.eval_shape(init, key)`` gives every shape and dtype without allocating (torch's
      meta device);
    * ``jax.jit(init, out_shardings=...)`` creates each parameter directly in its shards.

    The same key gives the same values eagerly, jitted and sharded.

    >>> import jax, torchlike_params as tp
    >>> init = tp.compile_init(lambda: tp.nn.Sequential(tp.nn.Linear(4, 8), tp.nn.ReLU(), tp.nn.Linear(8, 2)))
    >>> list(init(jax.random.key(0)))
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> jax.eval_shape(init, jax.random.key(0))['2.weight'].shape
    (2, 8)
    """
    def init(key: jax.Array) -> Any:
        with key_scope(key):
            model = build()
        return _state.to_nested(model) if nested else _variables(model)

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
        for registry in (mod._parameters, mod._buffers):
            for t in registry.values():
                v = None if t is None else t._storage.peek()
                if isinstance(v, jax.core.Tracer) or (v is not None and not isinstance(v, jax.Array)):
                    t._storage.value = jax.ShapeDtypeStruct(tuple(v.shape), v.dtype)
    return model
