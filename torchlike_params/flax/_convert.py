"""Module state <-> Flax variables: walk the module tree, hand each layer to its rule.

The walk: a module whose class has a rule (:mod:`._registry`) is converted whole by it;
a module without a rule and without tensors of its own (``Sequential``, ``ModuleList``, a
user's model class) is walked into, its children nested under their attribute names; a module
with tensors of its own and no rule is a :class:`LayoutError`. Names are the module's
attribute names. For NNX, the children of ``Sequential``/``ModuleList`` are keyed by int
(``nnx.List`` / ``nnx.Sequential`` index their children so); everything else is a string.

Only parameters and persistent buffers take part (as in ``state_dict``); non-persistent
buffers are constants of the module, not variables.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, Mapping

from .. import _state
from .._tensor import Tensor
from ._registry import _COLLECTIONS, Context, LayoutError, Rule, get_rule

Array = Any


def _is_list(module: Any) -> bool:
    from ..nn import ModuleList, Sequential
    return isinstance(module, (Sequential, ModuleList))


def _own(module: Any) -> list[tuple[str, Tensor, bool]]:
    """The module's own parameters and persistent buffers: ``(name, box, is_buffer)``."""
    out = [(n, t, False) for n, t in module._parameters.items() if t is not None]
    skip = module._non_persistent_buffers_set
    out += [(n, t, True) for n, t in module._buffers.items() if t is not None and n not in skip]
    return out


def _subtree(module: Any, prefix: str = "") -> Iterator[tuple[str, Tensor, bool]]:
    for n, t, is_buffer in _own(module):
        yield prefix + n, t, is_buffer
    for name, child in module._modules.items():
        if child is not None:
            yield from _subtree(child, f"{prefix}{name}.")


def _walk(module: Any, api: str, prefix: str = "", keys: tuple = ()) -> Iterator[tuple[str, tuple, Any, Rule]]:
    """``(torch prefix, flax key path, layer, rule)`` for every layer that has a rule."""
    rule = get_rule(type(module))
    if rule is not None:
        yield prefix, keys, module, rule
        return
    own = _own(module)
    if own:
        path = prefix + own[0][0]
        cls = type(module).__name__
        raise LayoutError(
            f"No Flax layout rule for `{prefix.rstrip('.') or '<root>'}` ({cls}), which holds `{path}`: "
            f"register one with torchlike_params.flax.register_rule({cls}, rule), or "
            f"register_rule({cls}, torchlike_params.flax.TORCH_LAYOUT) to keep torch's names and layout")
    as_int = api == "nnx" and _is_list(module)
    for name, child in module._modules.items():
        if child is not None:
            key = int(name) if as_int and name.isdigit() else name
            yield from _walk(child, api, f"{prefix}{name}.", keys + (key,))


def _value(t: Any) -> Any:
    return t.value if isinstance(t, Tensor) else t


def _flat_state(module: Any, state: Any) -> dict[str, Array] | None:
    """The torch-named values to convert: ``None`` (read from the module) or a flat/nested dict."""
    if state is None:
        return None
    if not isinstance(state, Mapping):
        raise TypeError(f"Expected `state` to be a dict of torch-named arrays, got {type(state).__name__}")
    if any(isinstance(v, Mapping) for v in state.values()):
        return dict(_state.from_nested(state))
    return {k: _value(v) for k, v in state.items()}


def _context(api: str, prefix: str, keys: tuple, layer: Any, values: Mapping[str, Array],
             options: Mapping[str, Any]) -> Context:
    buffers = frozenset(n for n, _, b in _subtree(layer) if b)
    return Context(api, prefix.rstrip("."), keys, values, options, buffers)


def _insert(tree: dict, keys: tuple, sub: dict, where: str) -> None:
    if not keys:
        for k, v in sub.items():
            if k in tree:
                raise LayoutError(f"Two layers give the Flax variable `{where}/{k}`")
            tree[k] = v
        return
    for k in keys[:-1]:
        tree = tree.setdefault(k, {})
    if keys[-1] in tree:
        raise LayoutError(f"Two layers give the Flax variable `{where}/{'/'.join(map(str, keys))}`")
    tree[keys[-1]] = sub


def to_flax_tree(module: Any, state: Any = None, *, api: str = "linen",
                 options: Mapping[str, Any] | None = None) -> dict[str, dict]:
    """The module's state as Flax collections ``{'params', 'batch_stats', 'torch_counters'}``.

    The engine of :func:`to_linen_variables` and :func:`to_nnx_state`; ``state`` (torch names,
    flat or nested) replaces the module's own values, so it can run under ``jax.jit`` on an
    abstract module. Empty collections are left out.

    >>> import torchlike_params as tp
    >>> tree = to_flax_tree(tp.nn.Linear(2, 3))
    >>> jax.tree.map(jnp.shape, tree)
    {'params': {'bias': (3,), 'kernel': (2, 3)}}
    """
    options = dict(options or {})
    flat = _flat_state(module, state)
    out: dict[str, dict] = {c: {} for c in _COLLECTIONS}
    used = 0
    for prefix, keys, layer, rule in _walk(module, api):
        values: dict[str, Array] = {}
        for name, t, _ in _subtree(layer):
            if flat is None:
                values[name] = t.value
            else:
                full = prefix + name
                if full not in flat:
                    raise LayoutError(f"Missing key `{full}` in `state`")
                values[name] = flat[full]
                used += 1
        ctx = _context(api, prefix, keys, layer, values, options)
        for coll, tree in rule.to_flax(layer, values, ctx).items():
            if coll not in out:
                raise LayoutError(f"Expected the rule {rule.name!r} to return collections among {_COLLECTIONS}, "
                                  f"got {coll!r} (layer `{ctx.path}`)")
            if tree:
                _insert(out[coll], keys, tree, coll)
    if flat is not None and used != len(flat):
        known = {prefix + n for prefix, _, layer, _ in _walk(module, api) for n, _, _ in _subtree(layer)}
        unknown = sorted(set(flat) - known)
        if unknown:
            raise LayoutError(f"Unexpected key(s) in `state`: {', '.join(map(repr, unknown))}")
    return {c: t for c, t in out.items() if t}


def _copy(tree: Any) -> Any:
    if isinstance(tree, Mapping):
        return {k: _copy(v) for k, v in tree.items()}
    return tree


def _pop(tree: dict, keys: tuple) -> dict:
    if not keys:
        sub = dict(tree)
        tree.clear()
        return sub
    node = tree
    for k in keys[:-1]:
        node = node.get(k)
        if not isinstance(node, dict):
            return {}
    sub = node.pop(keys[-1], {})
    return sub if isinstance(sub, dict) else {keys[-1]: sub}


def _leaves(tree: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _leaves(v, path + (k,))
    else:
        yield path


def from_flax_tree(module: Any, variables: Mapping[str, Any], *, api: str = "linen",
                   options: Mapping[str, Any] | None = None) -> "OrderedDict[str, Array]":
    """Flax collections back to the module's torch-named state (``state_dict`` order); pure.

    The engine of :func:`from_linen_variables` and :func:`from_nnx_state`: it checks every
    shape, reports every missing or unknown key by its Flax path, and changes nothing.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 3)
    >>> list(from_flax_tree(m, to_flax_tree(m)))
    ['weight', 'bias']
    """
    options = dict(options or {})
    if not isinstance(variables, Mapping):
        raise TypeError(f"Expected `variables` to be a dict of Flax collections, got {type(variables).__name__}")
    unknown = sorted(set(variables) - set(_COLLECTIONS))
    if unknown:
        raise LayoutError(f"Unexpected collection(s) {unknown}: expected some of {list(_COLLECTIONS)}")
    colls = {c: _copy(variables.get(c, {})) for c in _COLLECTIONS}
    result: dict[str, Array] = {}
    for prefix, keys, layer, rule in _walk(module, api):
        current = {name: t.value for name, t, _ in _subtree(layer)}
        ctx = _context(api, prefix, keys, layer, current, options)
        sub = {c: _pop(colls[c], keys) for c in _COLLECTIONS}
        got = rule.from_flax(layer, sub, ctx)
        missing = [n for n in current if n not in got]
        if missing:
            raise ctx.error(f"Expected the rule {rule.name!r} to give {missing}")
        left = [ctx.where(c, *p) for c in _COLLECTIONS for p in _leaves(sub[c])]
        if left:
            raise ctx.error(f"Unexpected key(s) {', '.join('`' + w + '`' for w in left)}")
        for name in current:
            result[prefix + name] = got[name]
    left = ["/".join(map(str, (c,) + p)) for c in _COLLECTIONS for p in _leaves(colls[c])]
    if left:
        raise LayoutError(f"Unexpected key(s) {', '.join('`' + w + '`' for w in left)}: no layer of "
                          f"{type(module).__name__} has them")
    order = [n for n, _, _ in _subtree(module)]
    return OrderedDict((n, result[n]) for n in order if n in result)
