"""The layout-rule registry: one :class:`Rule` per layer class, looked up along the MRO.

A rule converts one layer's whole subtree (its own tensors and those of its children, e.g.
``MultiheadAttention.out_proj``) between torch's names and layout and the variables of the
Flax layer that computes the same function. Containers without tensors of their own need no
rule: the converters walk into their children. A layer with tensors of its own and no rule is
an error, never a guess.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

from . import _layouts as L

Array = Any
Variables = dict
_COLLECTIONS = ("params", "batch_stats", "torch_counters")


class LayoutError(ValueError):
    """A conversion that cannot be done: no rule, a shape that does not fit, an unknown or missing key.

    A ``ValueError`` whose message names the path (torch's dotted name or Flax's
    ``collection/a/b/leaf``).

    >>> raise LayoutError("Expected `params/fc/kernel` to have shape (3, 4), got (4, 3)")
    Traceback (most recent call last):
    ...
    torchlike_params.flax._registry.LayoutError: Expected `params/fc/kernel` to have shape (3, 4), got (4, 3)
    """


@dataclasses.dataclass
class Context:
    """What a rule sees besides the layer and its arrays.

    Attributes:
        api: ``'linen'`` or ``'nnx'`` (a few Flax names differ: ``if`` / ``if_``).
        path: the layer's torch path (``'layer1.0.conv1'``; ``''`` for the root).
        flax_path: the layer's Flax key path, as a tuple.
        current: the layer's current torch values (relative names), read by rules that must
            split a Flax value back into two torch tensors, or keep a value Flax does not hold.
        options: converter options (``num_batches_tracked``, ``lstm_cell``).
        buffers: the relative names of the layer's tensors that are buffers.

    >>> ctx = Context('linen', 'fc', ('fc',), {}, {})
    >>> ctx.where('params', 'kernel')
    'params/fc/kernel'
    """

    api: str
    path: str
    flax_path: tuple
    current: Mapping[str, Array]
    options: Mapping[str, Any]
    buffers: frozenset = frozenset()

    def where(self, collection: str, *keys: Any) -> str:
        """The Flax path ``collection/a/b/leaf`` of a leaf of this layer, for messages."""
        return "/".join(str(k) for k in (collection, *self.flax_path, *keys))

    def error(self, message: str) -> LayoutError:
        """A :class:`LayoutError` that names this layer's torch path and type."""
        return LayoutError(f"{message} (layer `{self.path or '<root>'}`)")

    def take(self, variables: Mapping[str, Any], collection: str, *keys: Any,
             shape: tuple | None = None) -> Array:
        """Pop the leaf ``variables[collection][k0][k1]...``, checking its shape.

        Missing key -> :class:`LayoutError` naming the Flax path; popping lets the converter
        report every key no rule consumed.
        """
        node: Any = variables.get(collection)
        parents = []
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                raise self.error(f"Missing key `{self.where(collection, *keys)}`")
            parents.append(node)
            node = node[k]
        if isinstance(node, dict):
            raise self.error(f"Expected `{self.where(collection, *keys)}` to be an array, got a dict "
                             f"with keys {sorted(map(str, node))}")
        del parents[-1][keys[-1]]
        got = tuple(getattr(node, "shape", ()))
        if shape is not None and got != tuple(shape):
            raise self.error(f"Expected `{self.where(collection, *keys)}` to have shape {tuple(shape)}, got {got}")
        return node

    def has(self, variables: Mapping[str, Any], collection: str, *keys: Any) -> bool:
        """Whether the leaf exists (an optional variable, such as a kept ``num_batches_tracked``)."""
        node: Any = variables.get(collection)
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                return False
            node = node[k]
        return True

    def key(self, linen: str, nnx: str) -> str:
        """The Flax attribute name, which differs between the APIs in a few places."""
        return nnx if self.api == "nnx" else linen

    def check_zero(self, value: Array, what: str) -> None:
        """Raise unless ``value`` (concrete) is all zeros; under a trace the check is skipped."""
        if L.is_concrete(value) and bool((L.xp(value).asarray(value) != 0).any()):
            raise self.error(what)


ToFlax = Callable[[Any, Mapping[str, Array], Context], Variables]
FromFlax = Callable[[Any, Variables, Context], "dict[str, Array]"]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A layer type's layout, both ways.

    ``to_flax(layer, tensors, ctx) -> {'params': {...}, 'batch_stats': {...}, 'torch_counters': {...}}``
    gets the layer's tensors by relative torch name (``'weight'``, ``'out_proj.bias'``;
    parameters and persistent buffers) and returns the Flax layer's variables (empty
    collections may be left out). ``from_flax(layer, variables, ctx) -> {torch name: array}``
    takes them back with ``ctx.take`` (which checks shapes and consumes keys) and must return
    every tensor of the layer. Both must work on NumPy arrays and on jax arrays or tracers
    (use :mod:`torchlike_params.flax._layouts` or ``_layouts.xp(a)``).

    >>> from torchlike_params.flax import Rule, TORCH_LAYOUT
    >>> isinstance(TORCH_LAYOUT, Rule), TORCH_LAYOUT.name
    (True, 'torch_layout')
    """

    to_flax: ToFlax
    from_flax: FromFlax
    name: str = ""


_RULES: dict[type, Rule] = {}


def register_rule(cls: type, rule: Rule) -> None:
    """Register ``rule`` as the Flax layout of layer class ``cls`` (and its subclasses).

    Replaces a previous rule for ``cls``. A subclass without its own rule uses the nearest
    registered base class's rule. ``register_rule(MyLayer, TORCH_LAYOUT)`` keeps the layer's
    torch names and layouts in the Flax variables.

    >>> import torchlike_params as tp
    >>> from torchlike_params.flax import register_rule, TORCH_LAYOUT, to_linen_variables
    >>> class Scale(tp.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.gain = tp.nn.Parameter(tp.ones(3))
    >>> register_rule(Scale, TORCH_LAYOUT)
    >>> jax.tree.map(jnp.shape, to_linen_variables(Scale()))
    {'params': {'gain': (3,)}}
    """
    if not isinstance(cls, type):
        raise TypeError(f"Expected `cls` to be a class, got {cls!r}")
    if not isinstance(rule, Rule):
        raise TypeError(f"Expected `rule` to be a torchlike_params.flax.Rule, got {type(rule).__name__}")
    _RULES[cls] = rule


def get_rule(cls: type) -> Rule | None:
    """The rule registered for ``cls`` or its nearest base class, or None.

    >>> import torchlike_params as tp
    >>> from torchlike_params.flax import get_rule
    >>> get_rule(tp.nn.Conv2d).name, get_rule(tp.nn.ReLU)
    ('conv', None)
    """
    for base in cls.__mro__:
        rule = _RULES.get(base)
        if rule is not None:
            return rule
    return None


def _nest_into(tree: dict, name: str, value: Any) -> None:
    *path, leaf = name.split(".")
    for p in path:
        tree = tree.setdefault(p, {})
    tree[leaf] = value


def _torch_layout_to(layer: Any, tensors: Mapping[str, Array], ctx: Context) -> Variables:
    buffers = ctx.buffers
    out: Variables = {"params": {}, "batch_stats": {}}
    for name, value in tensors.items():
        _nest_into(out["batch_stats" if name in buffers else "params"], name, value)
    return out


def _torch_layout_from(layer: Any, variables: Variables, ctx: Context) -> dict:
    buffers = ctx.buffers
    return {name: ctx.take(variables, "batch_stats" if name in buffers else "params", *name.split("."),
                           shape=tuple(value.shape))
            for name, value in ctx.current.items()}


#: The rule for layers with no Flax twin: torch's names and layouts, parameters in ``params``,
#: buffers in ``batch_stats``.
TORCH_LAYOUT = Rule(_torch_layout_to, _torch_layout_from, "torch_layout")
