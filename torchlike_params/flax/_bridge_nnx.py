"""``NNXTorchModule``: a torch-style module inside a ``flax.nnx`` model."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jax
from flax import nnx

from ._bridge_core import _CONSTANTS, BridgeCore, check_layout


def _wrap(tree: Mapping, var_type: type) -> dict:
    return {k: _wrap(v, var_type) if isinstance(v, Mapping) else var_type(v) for k, v in tree.items()}


def _unwrap(tree: Mapping) -> dict:
    return {k: _unwrap(v) if isinstance(v, Mapping) else v[...] for k, v in tree.items()}


def _write(tree: Mapping, values: Mapping) -> None:
    for k, var in tree.items():
        if isinstance(var, Mapping):
            _write(var, values[k])
        else:
            var[...] = values[k]


class NNXTorchModule(nnx.Module):
    """An ``nnx.Module`` that holds and runs the module ``builder()`` builds.

    ``__init__`` builds the module with a key from ``rngs.params()`` and keeps its variables:
    ``self.params`` (``nnx.Param``) and ``self.batch_stats`` (``nnx.BatchStat``; non-persistent
    buffers in ``self.constants``, also ``nnx.BatchStat``, by torch name), nested by
    torch's names in torch's layout (``layout='torch'``, default) or by
    :func:`~torchlike_params.flax.to_nnx_state`'s names (``layout='flax'``). ``__call__`` runs
    ``forward`` through ``functional_call``. Training mode follows NNX's convention:
    ``model.train()`` / ``model.eval()`` (``deterministic``; new modules train, as in torch).
    In training, dropout draws from ``rngs.dropout()`` and the new buffers are written to
    ``self.batch_stats``. ``nnx.split``/``merge``, ``nnx.state`` filters, ``nnx.jit`` and
    ``nnx.eval_shape`` work as on any NNX module.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> from flax import nnx
    >>> from torchlike_params.flax import NNXTorchModule
    >>> m = NNXTorchModule(lambda: tp.nn.Sequential(tp.nn.Linear(3, 4), tp.nn.BatchNorm1d(4)), rngs=nnx.Rngs(0))
    >>> m(jnp.ones((2, 3))).shape, int(m.batch_stats['1']['num_batches_tracked'][...])
    ((2, 4), 1)
    >>> list(nnx.state(m, nnx.Param)['params']['0'])
    ['bias', 'weight']

    Note: the abstract skeleton is built for each instance (not shared) and its mode is set
    on each call; one instance must not run in two threads at once.
    """

    def __init__(self, builder: Callable[[], Any], *, rngs: nnx.Rngs, layout: str = "torch") -> None:
        self.core = BridgeCore(builder, check_layout(layout), "nnx")
        params, stats = self.core.init(rngs.params())
        constants = stats.pop(_CONSTANTS, {})
        self.params = nnx.data(_wrap(params, nnx.Param))
        self.batch_stats = nnx.data(_wrap(stats, nnx.BatchStat))
        self.constants = nnx.data(_wrap(constants, nnx.BatchStat))   # non-persistent buffers, by torch name
        self.rngs = rngs
        self.deterministic = False
        self.use_running_average = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        train = not self.deterministic
        key = self.rngs.dropout() if train else None
        stats = {**_unwrap(self.batch_stats), _CONSTANTS: _unwrap(self.constants)}
        out, new = self.core.apply(_unwrap(self.params), stats, args, kwargs, train=train, key=key)
        if train:
            new.pop(_CONSTANTS, None)
            _write(self.batch_stats, new)
        return out


