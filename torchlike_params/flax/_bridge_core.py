"""What both bridges share: a module builder, its abstract skeleton, init and a pure apply.

Layout of the variables inside a bridge (``layout=``):

* ``'torch'`` (the default): ``params`` holds the module's parameters and ``batch_stats``
  its buffers, nested by torch's names with torch's shapes (``weight (out, in)``). Why the
  default: the bridge runs the torch-style ``forward``, which reads torch's layout, so every
  step runs on the variables as they are (no transpose in the step), any layer works whether
  or not it has a Flax rule, and the gradients, optimizer state and checkpoints map one to one
  onto ``state_dict`` names (a PyTorch checkpoint loads into them, and back).
* ``'flax'``: the variables are :func:`~torchlike_params.flax.to_linen_variables`' (NNX:
  :func:`~torchlike_params.flax.to_nnx_state`'s names), converted back to torch's layout inside
  each call (XLA fuses the transposes into the step). For a Flax program that wants Flax names:
  ``kernel``-based weight-decay masks, or pretrained Flax weights for the same layers. Every
  layer with parameters needs a rule; BatchNorm's ``num_batches_tracked`` sits in
  ``batch_stats`` next to ``mean`` and ``var``.

In both layouts the non-persistent buffers (constants such as a causal mask) sit in
``batch_stats`` under ``torch_constants``, by torch name: the skeleton is abstract (no memory),
so every value the forward reads comes from the variables.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import jax

from .. import _state
from .._tensor import Tensor
from ._convert import _subtree, from_flax_tree, to_flax_tree

_LAYOUTS = ("torch", "flax")
_CONSTANTS = "torch_constants"


def check_layout(layout: str) -> str:
    if layout not in _LAYOUTS:
        raise ValueError(f"Expected `layout` to be 'torch' or 'flax', got {layout!r}")
    return layout


def to_arrays(tree: Any) -> Any:
    """Outputs as plain arrays: a ``tp.Tensor`` (a pytree with one leaf) becomes its array."""
    return jax.tree.map(lambda t: t.value if isinstance(t, Tensor) else t, tree,
                        is_leaf=lambda t: isinstance(t, Tensor))


class BridgeCore:
    """One builder's skeleton (built once, abstract) and the conversions of its variables.

    >>> import torchlike_params as tp
    >>> core = BridgeCore(lambda: tp.nn.Linear(2, 3), 'torch', 'linen')
    >>> params, buffers = core.init(jax.random.key(0))
    >>> jax.tree.map(jnp.shape, params), buffers
    ({'bias': (3,), 'weight': (3, 2)}, {})
    """

    def __init__(self, builder: Callable[[], Any], layout: str, api: str) -> None:
        from .._compiled_init import abstract_module
        if not callable(builder):
            raise TypeError(f"Expected `builder` to be a callable that returns a Module, got {builder!r}")
        self.builder, self.layout, self.api = builder, check_layout(layout), api
        self.skeleton = abstract_module(builder)
        persistent = {n for n, _, _ in _subtree(self.skeleton)}
        self.constants = [n for n, _ in self.skeleton.named_buffers() if n not in persistent]

    def init(self, key: jax.Array) -> tuple[dict, dict]:
        """Build the module under ``key`` (a fresh build: the skeleton holds no values)."""
        from .._compiled_init import compile_init
        flat = compile_init(self.builder)(key)
        return self.from_flat(dict(flat))

    def from_flat(self, flat: dict) -> tuple[dict, dict]:
        """Torch-named values -> ``(params, batch_stats)`` in this bridge's layout."""
        params = OrderedDict((n, p) for n, p in flat.items() if n in self._param_names)
        buffers = OrderedDict((n, b) for n, b in flat.items() if n not in self._param_names)
        constants = {n: buffers.pop(n) for n in self.constants if n in buffers}
        if self.layout == "torch":
            stats = _state.nest(buffers)
        else:
            state = {**params, **buffers}
            for name, alias in self._aliases.items():     # a tied tensor: every name of it, one value
                if name not in state and alias in state:
                    state[name] = state[alias]
            tree = to_flax_tree(self.skeleton, state, api=self.api)
            stats = _merge(tree.get("batch_stats", {}), tree.get("torch_counters", {}))
            params = tree.get("params", {})
        if constants:
            stats[_CONSTANTS] = constants
        return (_state.nest(params) if self.layout == "torch" else params), stats

    def to_flat(self, params: Any, stats: Any) -> dict:
        """``(params, batch_stats)`` in this bridge's layout -> torch-named values."""
        stats = dict(stats)
        constants = dict(stats.pop(_CONSTANTS, {}))
        if self.layout == "torch":
            flat = dict(_state.flatten(params))
            flat.update(_state.flatten(stats))
        else:
            batch_stats, counters = _split(stats)
            variables = {"params": params, "batch_stats": batch_stats, "torch_counters": counters}
            flat = dict(from_flax_tree(self.skeleton, variables, api=self.api))
        flat.update(constants)
        return flat

    @property
    def _aliases(self) -> dict:
        aliases = self.__dict__.get("_alias_map")
        if aliases is None:
            first: dict[int, str] = {}
            aliases = {}
            for n, t, _ in _subtree(self.skeleton):
                aliases[n] = first.setdefault(id(t), n)
            self.__dict__["_alias_map"] = aliases = {n: a for n, a in aliases.items() if n != a}
        return aliases

    @property
    def _param_names(self) -> set:
        names = self.__dict__.get("_names")
        if names is None:
            names = self.__dict__["_names"] = {n for n, _ in self.skeleton.named_parameters(remove_duplicate=False)}
        return names

    def apply(self, params: Any, stats: Any, args: tuple, kwargs: dict, *, train: bool,
              key: jax.Array | None) -> tuple[Any, dict]:
        """Run ``forward`` purely; returns ``(outputs as arrays, new batch_stats)``."""
        from .._functional_call import functional_call
        flat = self.to_flat(params, stats)
        self.skeleton.train(train)
        out, buffers = functional_call(self.skeleton, flat, args, kwargs, return_buffers=True, key=key)
        new = {**{n: v for n, v in flat.items() if n in self._param_names}, **buffers}
        _, new_stats = self.from_flat(new)
        return to_arrays(out), new_stats


def _merge(stats: Any, counters: Any) -> dict:
    """``batch_stats`` with each counter next to its layer's statistics (same key path)."""
    out = dict(stats)
    for k, v in counters.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def _split(stats: Any) -> tuple[dict, dict]:
    """Inverse of :func:`_merge`: ``num_batches_tracked`` leaves are the counters."""
    rest, counters = {}, {}
    for k, v in stats.items():
        if isinstance(v, dict):
            r, c = _split(v)
            if r:
                rest[k] = r
            if c:
                counters[k] = c
        elif k == "num_batches_tracked":
            counters[k] = v
        else:
            rest[k] = v
    return rest, counters


_CORES: dict[tuple, BridgeCore] = {}


def core_for(builder: Callable[[], Any], layout: str, api: str) -> BridgeCore:
    """The cached :class:`BridgeCore` of ``builder`` (one abstract build per builder and layout)."""
    k = (builder, layout, api)
    core = _CORES.get(k)
    if core is None:
        core = _CORES[k] = BridgeCore(builder, layout, api)
    return core
