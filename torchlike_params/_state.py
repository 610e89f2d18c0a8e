"""State pytrees: flat torch-named dicts <-> nested dicts, and the trainable/frozen split for optax.

Names and layouts stay torch's (``fc1.weight`` of shape ``(out, in)``); only the nesting
changes. Flax's own layouts (``kernel``, ``(in, out)``, ``batch_stats``) are the interop
layer's business, not this module's.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Mapping

import jax  # noqa: F401 - used by the doctests

from ._tensor import Tensor


def _value(v: Any) -> Any:
    return v.value if isinstance(v, Tensor) else v


def _is_module(x: Any) -> bool:
    from .nn._module import Module
    return isinstance(x, Module)


def nest(flat: Mapping[str, Any]) -> dict:
    """Nest a flat ``{'a.b.c': v}`` mapping into ``{'a': {'b': {'c': v}}}`` (insertion order kept).

    >>> nest({'fc1.weight': 1, 'fc1.bias': 2, 'w': 3})
    {'fc1': {'weight': 1, 'bias': 2}, 'w': 3}
    """
    out: dict = {}
    for name, v in flat.items():
        *path, leaf = name.split(".")
        d = out
        for p in path:
            d = d.setdefault(p, {})
            if not isinstance(d, dict):
                raise ValueError(f"Expected `{name}` to extend a module path, got a clash with a tensor")
        d[leaf] = _value(v)
    return out


def flatten(tree: Mapping[str, Any], prefix: str = "") -> "OrderedDict[str, Any]":
    """Flatten nested dicts back to dotted torch names (the inverse of ``nest``).

    >>> dict(flatten({'fc1': {'weight': 1, 'bias': 2}, 'w': 3}))
    {'fc1.weight': 1, 'fc1.bias': 2, 'w': 3}
    """
    out: OrderedDict[str, Any] = OrderedDict()
    for k, v in tree.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, name + "."))
        else:
            out[name] = _value(v)
    return out


def to_nested(source: Any) -> dict:
    """A Module's variables as ``{'params': nested, 'buffers': nested}``, or a flat dict nested.

    From a Module: parameters as ``named_parameters()`` lists them (a tied parameter once),
    buffers as ``named_buffers()`` (non-persistent ones included), both with torch names.

    >>> import torchlike_params as tp
    >>> tree = tp.to_nested(tp.nn.Sequential(tp.nn.Linear(2, 3)))
    >>> jax.tree_util.tree_map(lambda a: a.shape, tree)
    {'buffers': {}, 'params': {'0': {'bias': (3,), 'weight': (3, 2)}}}
    """
    if _is_module(source):
        return {"params": nest(OrderedDict(source.named_parameters())),
                "buffers": nest(OrderedDict(source.named_buffers()))}
    return nest(source)


def from_nested(tree: Mapping[str, Any]) -> "OrderedDict[str, Any]":
    """Flat torch-named dict from ``to_nested``'s output (collections merged) or any nested dict.

    >>> import torchlike_params as tp
    >>> list(tp.from_nested(tp.to_nested(tp.nn.Linear(2, 3))))
    ['weight', 'bias']
    """
    if set(tree) <= {"params", "buffers"} and all(isinstance(v, Mapping) for v in tree.values()):
        out = flatten(tree.get("params", {}))
        out.update(flatten(tree.get("buffers", {})))
        return out
    return flatten(tree)


def trainable_mask(module: Any, *, nested: bool = False) -> Any:
    """``{name: requires_grad}`` for every parameter (``named_parameters`` order).

    To freeze parameters with optax, use it as the labels of ``optax.multi_transform``:
    ``optax.multi_transform({True: optax.adam(1e-3), False: optax.set_to_zero()}, mask)``.
    (``optax.masked`` passes the updates of masked-out leaves through unchanged, so it does
    not freeze them.) With ``nested=True`` the mask has ``to_nested(module)``'s structure,
    buffers all False.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 2); m.bias.requires_grad_(False)
    Parameter containing:...
    >>> tp.trainable_mask(m)
    {'weight': True, 'bias': False}
    """
    flat = {n: bool(p.requires_grad) for n, p in module.named_parameters()}
    if not nested:
        return flat
    return {"params": nest(flat), "buffers": nest({n: False for n, _ in module.named_buffers()})}


def partition(module: Any) -> tuple[dict, dict]:
    """Split a Module's variables into ``(trainable, frozen)`` flat dicts of arrays.

    ``trainable``: parameters with ``requires_grad=True``; ``frozen``: the other parameters and
    every buffer. Give ``trainable`` to ``jax.grad`` and optax, and ``{**trainable, **frozen}``
    (or ``combine``) to ``functional_call``.

    A tied tensor appears once, under its first name in ``named_parameters`` order (nanoGPT's
    ``transformer.wte.weight``, not ``lm_head.weight``), so training updates it once.
    ``functional_call`` and ``load_state_dict`` (strict) use that value for every name of the
    tie, so ``model.load_state_dict(combine(trainable, frozen))`` round-trips a tied model.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 2); m.bias.requires_grad_(False)
    Parameter containing:...
    >>> trainable, frozen = tp.partition(m)
    >>> list(trainable), list(frozen)
    (['weight'], ['bias'])
    """
    trainable, frozen = {}, {}
    for n, p in module.named_parameters():
        (trainable if p.requires_grad else frozen)[n] = p.value
    for n, b in module.named_buffers():
        frozen[n] = b.value
    return trainable, frozen


def combine(*parts: Mapping[str, Any]) -> dict:
    """Merge flat dicts (e.g. ``partition``'s two halves) into one state; keys must not repeat.

    >>> combine({'a': 1}, {'b': 2})
    {'a': 1, 'b': 2}
    """
    out: dict = {}
    for part in parts:
        for k, v in part.items():
            if k in out:
                raise ValueError(f"Expected disjoint state dicts, got `{k}` twice")
            out[k] = v
    return out
