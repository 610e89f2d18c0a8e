"""The public converters: a module's state <-> ``flax.linen`` variables and ``flax.nnx`` state."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Mapping

from flax import nnx

from ._convert import from_flax_tree, to_flax_tree

Array = Any


class TorchCounter(nnx.BatchStat):
    """An NNX variable for torch's integer counters (``BatchNorm.num_batches_tracked``).

    A :class:`flax.nnx.BatchStat` subclass, so ``nnx.state(model, nnx.BatchStat)`` and
    ``nnx.Not(nnx.Param)`` filters hold it with the running statistics and it is never a
    gradient. Flax's ``BatchNorm`` does not update it.

    >>> TorchCounter(jnp.array(3))[...].tolist()
    3
    """


def _load(module: Any, flat: Mapping[str, Array]) -> Any:
    module.load_state_dict(flat, strict=True)
    return module


def to_linen_variables(module: Any, state: Any = None, *, num_batches_tracked: str = "keep") -> dict:
    """A module's state as the variables of the equivalent ``flax.linen`` model.

    ``{'params': ..., 'batch_stats': ..., 'torch_counters': ...}`` (empty collections left
    out), nested by the module's attribute names; each layer's part is converted by its
    layer type's rule (:func:`register_rule`): ``Linear.weight (out, in)`` becomes
    ``Dense`` ``kernel (in, out)``, ``BatchNorm`` running statistics go to ``batch_stats``
    as ``mean``/``var``, and so on (the table is in :mod:`torchlike_params.flax._rules`).
    A single layer gives the variables of that one Flax layer.

    ``num_batches_tracked='keep'`` keeps BatchNorm's counter in the ``torch_counters``
    collection (Flax ignores a collection it does not use, so ``apply`` takes the
    variables as they are); ``'drop'`` leaves it out (importing back then keeps the
    module's own count). ``state`` (torch names, flat or nested) replaces the module's own
    values; host NumPy arrays stay on the host.

    >>> import torchlike_params as tp
    >>> v = to_linen_variables(tp.nn.Sequential(tp.nn.Conv2d(3, 8, 3), tp.nn.BatchNorm2d(8)))
    >>> jax.tree.map(jnp.shape, v)['params']['0']
    {'bias': (8,), 'kernel': (3, 3, 3, 8)}
    >>> sorted(v), v['batch_stats']['1']['var'].dtype
    (['batch_stats', 'params', 'torch_counters'], dtype('float32'))
    """
    return to_flax_tree(module, state, api="linen", options={"num_batches_tracked": num_batches_tracked})


def linen_variables_to_state(module: Any, variables: Mapping[str, Any]) -> "OrderedDict[str, Array]":
    """``flax.linen`` variables back to the module's torch-named state, without loading them.

    Pure (it works under ``jax.jit``; value checks such as a grouped ConvTranspose's
    off-block zeros run only on concrete arrays). Shapes are checked against the module;
    every missing or unknown key is an error naming its Flax path.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 3)
    >>> linen_variables_to_state(m, to_linen_variables(m))['weight'].shape
    (3, 2)
    """
    return from_flax_tree(module, _unfreeze(variables), api="linen")


def from_linen_variables(module: Any, variables: Mapping[str, Any]) -> Any:
    """Load ``flax.linen`` variables into ``module``, atomically; returns the module.

    The inverse of :func:`to_linen_variables`: every value is converted and checked first,
    then loaded with ``load_state_dict(strict=True)``, so a failure leaves the module
    unchanged. Without a ``torch_counters`` collection (variables made by Flax) each
    BatchNorm keeps its own ``num_batches_tracked``.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 3)
    >>> v = to_linen_variables(m)
    >>> v['params']['bias'] = jnp.ones(3)
    >>> from_linen_variables(m, v).bias.tolist()
    [1.0, 1.0, 1.0]
    """
    return _load(module, linen_variables_to_state(module, variables))


def _unfreeze(variables: Any) -> Any:
    from flax.core import unfreeze
    return unfreeze(variables) if not isinstance(variables, dict) else variables


_NNX_TYPES = {"params": nnx.Param, "batch_stats": nnx.BatchStat, "torch_counters": TorchCounter}


def to_nnx_state(module: Any, state: Any = None, *, num_batches_tracked: str = "keep",
                 lstm_cell: str = "LSTMCell") -> nnx.State:
    """A module's state as the ``nnx.State`` of the equivalent ``flax.nnx`` model.

    The same rules as :func:`to_linen_variables`, in one tree: ``nnx.Param`` for
    parameters, ``nnx.BatchStat`` for running statistics and :class:`TorchCounter` for
    ``num_batches_tracked`` (``'drop'`` leaves it out). NNX's names where they differ from
    linen's: ``LSTMCell``'s ``if_``, the fused ``dense_i``/``dense_h`` of ``GRUCell`` (and
    of ``OptimizedLSTMCell`` with ``lstm_cell='OptimizedLSTMCell'``), int keys for the
    children of ``Sequential``/``ModuleList`` (``nnx.List``) and for stacked RNN layers.
    ``nnx.update(flax_model, to_nnx_state(module))`` loads it.

    >>> import torchlike_params as tp
    >>> from flax import nnx
    >>> s = to_nnx_state(tp.nn.Linear(2, 3))
    >>> m = nnx.Linear(2, 3, rngs=nnx.Rngs(0)); nnx.update(m, s)
    >>> m.kernel.shape, type(s['kernel']).__name__
    ((2, 3), 'Param')
    """
    tree = to_flax_tree(module, state, api="nnx",
                        options={"num_batches_tracked": num_batches_tracked, "lstm_cell": lstm_cell})
    merged: dict = {}
    for coll, sub in tree.items():
        _merge(merged, sub, _NNX_TYPES[coll], coll)
    return nnx.State(merged)


def _merge(into: dict, sub: Mapping, var_type: type, where: str) -> None:
    for k, v in sub.items():
        if isinstance(v, Mapping):
            node = into.setdefault(k, {})
            if not isinstance(node, dict):
                raise ValueError(f"Expected `{where}/{k}` to be a module path, got a variable")
            _merge(node, v, var_type, f"{where}/{k}")
        else:
            into[k] = var_type(v)


def nnx_state_to_state(module: Any, state: Any, *, lstm_cell: str = "LSTMCell") -> "OrderedDict[str, Array]":
    """An ``nnx.State`` (or an ``nnx.Module``) back to the module's torch-named state, without loading.

    ``nnx.Param`` leaves are parameters, ``TorchCounter`` leaves counters, other
    ``nnx.BatchStat`` leaves running statistics; other variable types (``nnx.RNN``'s
    ``RngState``, caches) are not part of the torch module and are skipped.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Linear(2, 3)
    >>> nnx_state_to_state(m, to_nnx_state(m))['weight'].shape
    (3, 2)
    """
    if isinstance(state, nnx.Module):
        state = nnx.state(state)
    if not isinstance(state, nnx.State):
        raise TypeError(f"Expected `state` to be an nnx.State or nnx.Module, got {type(state).__name__}")
    colls: dict[str, dict] = {}
    for path, var in nnx.to_flat_state(state):
        if isinstance(var, TorchCounter):
            coll = "torch_counters"
        elif isinstance(var, nnx.BatchStat):
            coll = "batch_stats"
        elif isinstance(var, nnx.Param):
            coll = "params"
        else:
            continue
        node = colls.setdefault(coll, {})
        for k in path[:-1]:
            node = node.setdefault(k, {})
        node[path[-1]] = var.get_value()
    return from_flax_tree(module, colls, api="nnx", options={"lstm_cell": lstm_cell})


def from_nnx_state(module: Any, state: Any, *, lstm_cell: str = "LSTMCell") -> Any:
    """Load an ``nnx.State`` (or an ``nnx.Module``'s state) into ``module``, atomically; returns it.

    >>> import torchlike_params as tp
    >>> from flax import nnx
    >>> m = tp.nn.Linear(2, 3)
    >>> flax_m = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
    >>> bool((from_nnx_state(m, flax_m).weight.value == flax_m.kernel[...].T).all())
    True
    """
    return _load(module, nnx_state_to_state(module, state, lstm_cell=lstm_cell))
