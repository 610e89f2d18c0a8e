"""``functional_call``: run a Module's forward with given parameter and buffer values, purely."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from . import _checks, _state
from ._tensor import Tensor
from .random import key_scope


def _collect(module: Any) -> dict[str, tuple[dict, str, Tensor]]:
    """Every registered tensor under every name it has: ``name -> (registry, attr, box)``."""
    named: dict[str, tuple[dict, str, Tensor]] = {}
    for prefix, mod in module.named_modules(remove_duplicate=False):
        for registry in (mod._parameters, mod._buffers):
            for name, t in registry.items():
                if t is not None:
                    named[f"{prefix}.{name}" if prefix else name] = (registry, name, t)
    return named


def _normalize_state(state: Any) -> dict[str, Any]:
    if isinstance(state, Mapping):
        return dict(_state.from_nested(state)) if any(isinstance(v, Mapping) for v in state.values()) else {
            k: _state._value(v) for k, v in state.items()}
    if isinstance(state, Sequence) and not isinstance(state, str):
        if not all(isinstance(d, Mapping) for d in state):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        merged: dict[str, Any] = {}
        repeated = []
        for d in state:
            for k, v in _normalize_state(d).items():
                if k in merged:
                    repeated.append(k)
                merged[k] = v
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        return merged
    raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got {type(state)}")


def functional_call(module: Any, state: Any, args: Any = (), kwargs: Mapping[str, Any] | None = None, *,
                    strict: bool = False, tie_weights: bool = True, return_buffers: bool = False,
                    key: Any = None) -> Any:
    """Call ``module`` with the given values in place of its parameters and buffers, like
    ``torch.func.functional_call``; the module is left exactly as it was.

    ``state`` is a flat torch-named dict, a nested dict (``to_nested``'s output or plain
    nesting), or a list of dicts; it may be partial (the rest comes from the module). It is a
    pure function of ``state`` and ``args``, so ``jax.jit``, ``jax.grad``, ``jax.vmap`` and
    ``jax.value_and_grad`` work through it. With ``tie_weights`` (default) a value given for one
    name of a tied tensor is used for all its names.

    ``return_buffers=True`` returns ``(output, buffers)``, where ``buffers`` is the flat dict of
    every buffer's value after the call (e.g. BatchNorm running statistics).

    ``key`` (a ``jax.random`` key, possibly traced): the call runs inside
    ``torchlike_params.key_scope(key)``, so random draws in ``forward`` (dropout in training
    mode) come from a stream rooted at ``key``: the same key gives the same result eagerly
    and under ``jax.jit``. Without it they draw from the current generator, which under
    ``jax.jit`` raises a ``RuntimeError`` (its numbers would be baked in as constants).
    Parameters and buffers that ``state`` does not replace keep the module's own values,
    read without materializing anything lazily.

    During the call the module may (re)register buffers and parameters with traced values
    (``self.running_mean = new``): the registries are restored afterwards, so nothing leaks.

    Note: the given values are swapped into the module's registries for the duration of the
    call (new boxes; the module's own boxes are never written), so do not run two calls on the
    same module object from different threads at once. Unknown keys raise
    only with ``strict=True`` (torch would set them as plain attributes). Every value must be
    tensor-like (a ``jax.Array``, NumPy array or box), as in torch: anything else raises a
    ``TypeError`` naming the key before the module is touched.

    >>> import jax, jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.Linear(3, 1)
    >>> state = {'weight': jnp.ones((1, 3)), 'bias': jnp.zeros(1)}
    >>> tp.functional_call(m, state, (jnp.ones((2, 3)),)).tolist()
    [[3.0], [3.0]]
    >>> jax.grad(lambda s: tp.functional_call(m, s, jnp.ones((1, 3))).sum())(state)['weight'].tolist()
    [[1.0, 1.0, 1.0]]
    """
    if not _state._is_module(module):
        raise TypeError(f"Expected `module` to be a torchlike_params.nn.Module, got {type(module).__name__}")
    if kwargs is not None and not (hasattr(kwargs, "keys") and hasattr(kwargs, "__getitem__")):
        raise TypeError(f"Expected `kwargs` to be a mapping, got {type(kwargs).__name__}")
    if key is not None:
        with key_scope(key):
            return functional_call(module, state, args, kwargs, strict=strict, tie_weights=tie_weights,
                                   return_buffers=return_buffers)
    values = _normalize_state(state)
    named = _collect(module)
    if tie_weights:
        groups: dict[int, list[str]] = {}
        for name, (_, _, t) in named.items():
            groups.setdefault(id(t), []).append(name)
        untied = dict(values)
        for names in groups.values():
            given = [n for n in names if n in values]
            if len(given) > 1 and len({id(values[n]) for n in given}) != 1:
                raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                                 f"which are tied. Consider using tie_weights=False")
            if given:
                for n in names:
                    untied[n] = values[given[0]]
        values = untied
    for name, v in values.items():
        if not _checks.is_tensor_like(v):
            raise TypeError(f"Expected the value of `{name}` in parameter_and_buffer_dicts to be a Tensor or an "
                            f"array, got {type(v).__name__}")
        if name in named:
            continue
        head = name
        while "." in head:                  # a nested dict given for a tensor's name: {'weight': {...}}
            head = head.rpartition(".")[0]
            if head in named:
                raise TypeError(f"Expected the value of `{head}` in parameter_and_buffer_dicts to be a Tensor or an "
                                "array, got dict")
    if strict:
        unexpected = sorted(set(values) - set(named))
        missing = sorted(set(named) - set(values))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                type(module).__name__, "\n\t".join(msgs)))
    if not isinstance(args, tuple):
        args = (args,)
    kwargs = {} if kwargs is None else dict(kwargs)

    from .nn._guard import _FunctionalScope
    modules = [m for _, m in module.named_modules(remove_duplicate=True)]
    registries = [(reg, reg.copy()) for m in modules
                  for reg in (m._parameters, m._buffers, m._modules, m._non_persistent_buffers_set)]
    boxes = {id(t): t for _, _, t in named.values()}
    saved = {i: t._storage.peek() for i, t in boxes.items()}     # raw: a lazy value stays lazy
    dicts = [(m, dict(m.__dict__)) for m in modules]
    try:
        replacements: dict[int, Tensor] = {}
        for name, v in values.items():
            if name not in named:
                continue
            registry, attr, t = named[name]
            v = v._storage.value if isinstance(v, Tensor) else v
            slot = id(t) if tie_weights else id(t) ^ hash(name)
            new = replacements.get(slot)
            if new is None:
                new = replacements[slot] = t._with_value(v)
            registry[attr] = new
        with _FunctionalScope(modules):
            out = module(*args, **kwargs)
        if return_buffers:
            new_buffers = {n: b.value for n, b in module.named_buffers(remove_duplicate=False)}
    finally:
        for reg, snapshot in registries:
            reg.clear()
            reg.update(snapshot)
        for m, d in dicts:
            m.__dict__.clear()
            m.__dict__.update(d)
        for i, t in boxes.items():
            t._storage.swap(saved[i])
    return (out, new_buffers) if return_buffers else out
