"""``TorchModule``: a torch-style module inside a ``flax.linen`` model."""

from __future__ import annotations

from typing import Any, Callable

import flax.linen as fnn

from ._bridge_core import check_layout, core_for


class TorchModule(fnn.Module):
    """A ``flax.linen`` layer that runs the module ``builder()`` builds, through ``functional_call``.

    * ``init`` builds the module with the key of Flax's ``'params'`` RNG (the whole build runs
      under ``torchlike_params.key_scope``) and returns its variables: parameters in
      ``params``, buffers in ``batch_stats`` (see :mod:`._bridge_core` for the layouts).
    * ``apply`` runs ``forward`` purely. ``train=True`` puts the module in training mode:
      dropout draws from Flax's ``'dropout'`` RNG and the new buffers (BatchNorm's running
      statistics) are written back when ``batch_stats`` is mutable
      (``apply(..., mutable=['batch_stats'])``), as with ``flax.linen.BatchNorm``.
    * ``layout='torch'`` (default) keeps torch's names and shapes inside the variables;
      ``layout='flax'`` holds them in Flax's layout (``to_linen_variables``).

    ``builder`` takes no arguments and must be hashable (a function, a ``functools.partial``
    of hashable arguments): its abstract skeleton is built once per builder and reused.

    >>> import jax, jax.numpy as jnp, torchlike_params as tp
    >>> from torchlike_params.flax import TorchModule
    >>> layer = TorchModule(lambda: tp.nn.Sequential(tp.nn.Linear(3, 4), tp.nn.BatchNorm1d(4)))
    >>> v = layer.init(jax.random.key(0), jnp.ones((2, 3)))
    >>> jax.tree.map(jnp.shape, v['params'])
    {'0': {'bias': (4,), 'weight': (4, 3)}, '1': {'bias': (4,), 'weight': (4,)}}
    >>> y, upd = layer.apply(v, jnp.ones((2, 3)), train=True, mutable=['batch_stats'])
    >>> y.shape, int(upd['batch_stats']['1']['num_batches_tracked'])
    ((2, 4), 1)

    Note: the keyword ``train`` belongs to the bridge; the forward gets every other argument.
    The skeleton is shared by every instance with the same builder, and ``train`` sets its
    mode for the call, so do not run two bridge calls of one builder from two threads at once.
    """

    builder: Callable[[], Any]
    layout: str = "torch"

    @fnn.compact
    def __call__(self, *args: Any, train: bool = False, **kwargs: Any) -> Any:
        core = core_for(self.builder, check_layout(self.layout), "linen")
        made: dict[str, Any] = {}

        def made_once() -> tuple[dict, dict]:
            if "v" not in made:
                made["v"] = core.init(self.make_rng("params"))
            return made["v"]

        names_p, names_b = _top_names(core)
        # self.variable, not self.param: param re-runs its init under eval_shape on every apply to check
        # shapes, which here would trace the whole builder.
        params = {n: self.variable("params", n, lambda n=n: made_once()[0][n]).value for n in names_p}
        stats = {n: self.variable("batch_stats", n, lambda n=n: made_once()[1][n]) for n in names_b}
        if self.is_initializing() and not names_p and not names_b:
            made_once()
        key = self.make_rng("dropout") if train and self.has_rng("dropout") else None
        out, new = core.apply(params, {n: v.value for n, v in stats.items()}, args, kwargs, train=train, key=key)
        if train and self.is_mutable_collection("batch_stats"):
            for n, var in stats.items():
                var.value = new[n]
        return out


def _top_names(core: Any) -> tuple[list, list]:
    names = core.__dict__.get("_top")
    if names is None:
        import jax
        params, stats = jax.eval_shape(core.init, jax.random.key(0))
        names = core.__dict__["_top"] = (list(params), list(stats))
    return names
