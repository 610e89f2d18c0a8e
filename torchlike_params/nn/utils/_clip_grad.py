"""Gradient clipping with torch's formulas, as pure functions of a gradient pytree.

torch clips the ``.grad`` of each parameter in place and returns the total norm. Here gradients
are values (``jax.grad``'s output), so each function returns the clipped gradients (same
structure) together with what torch returns: ``grads, total_norm = clip_grad_norm_(grads, 1.0)``.
They are jit-able. ``optax.clip_by_global_norm`` is the optax-side equivalent for ``max_norm``
clipping inside an optimizer chain; these exist so that a training loop ported from torch keeps
torch's exact formula (``max_norm / (total_norm + 1e-6)``, clamped to 1).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ..._interop import to_arrays


def _leaves(grads: Any) -> list:
    if grads is None:
        return []
    leaves = [g for g in jax.tree.leaves(to_arrays(grads)) if g is not None]
    for g in leaves:
        if not hasattr(g, "dtype"):
            raise TypeError(f"Expected `grads` to be a pytree of arrays (jax.grad's output), got a leaf of type "
                            f"{type(g).__name__}")
    return leaves


def get_total_norm(tensors: Any, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: Any = None) -> jax.Array:
    """The ``norm_type``-norm of all leaves together (the norm of the per-leaf norms).

    >>> import jax.numpy as jnp
    >>> float(get_total_norm({"a": jnp.array([3.0]), "b": jnp.array([4.0])}))
    5.0
    """
    leaves = _leaves(tensors)
    if not leaves:
        return jnp.asarray(0.0)
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        norms = [jnp.max(jnp.abs(g)) for g in leaves]
        total = jnp.max(jnp.stack(norms))
    else:
        norms = [jnp.sum(jnp.abs(g.astype(jnp.float32)) ** norm_type) ** (1.0 / norm_type) for g in leaves]
        total = jnp.sum(jnp.stack(norms) ** norm_type) ** (1.0 / norm_type)
    if error_if_nonfinite and not isinstance(total, jax.core.Tracer) and not bool(jnp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(grads: Any, max_norm: float, total_norm: Any, foreach: Any = None) -> Any:
    """Scale ``grads`` by ``min(1, max_norm / (total_norm + 1e-6))``; returns the scaled gradients.

    >>> import jax.numpy as jnp
    >>> [round(v, 4) for v in clip_grads_with_norm_([jnp.array([3.0, 4.0])], 1.0, 5.0)[0].tolist()]
    [0.6, 0.8]
    """
    coef = jnp.minimum(float(max_norm) / (jnp.asarray(total_norm) + 1e-6), 1.0)
    return jax.tree.map(lambda g: (g * coef).astype(g.dtype), to_arrays(grads))


def clip_grad_norm_(grads: Any, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> tuple[Any, jax.Array]:
    """Clip gradients to a total ``norm_type``-norm of at most ``max_norm`` (torch's formula).

    Note: torch changes ``.grad`` in place and returns the total norm; this returns
    ``(clipped_grads, total_norm)``, the gradients being a pytree such as ``jax.grad``'s output.

    >>> import jax.numpy as jnp
    >>> g, n = clip_grad_norm_({"w": jnp.array([3.0, 4.0])}, max_norm=1.0)
    >>> float(n), [round(v, 4) for v in g["w"].tolist()]
    (5.0, [0.6, 0.8])
    """
    if not isinstance(max_norm, (int, float)) or isinstance(max_norm, bool):
        raise TypeError(f"Expected `max_norm` to be a number, got {type(max_norm).__name__}")
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    return clip_grads_with_norm_(grads, max_norm, total), total


def clip_grad_value_(grads: Any, clip_value: float, foreach: Any = None) -> Any:
    """Clamp every gradient element into ``[-clip_value, clip_value]``; returns the clipped gradients.

    >>> import jax.numpy as jnp
    >>> clip_grad_value_([jnp.array([-3.0, 0.5])], 1.0)[0].tolist()
    [-1.0, 0.5]
    """
    c = float(clip_value)
    return jax.tree.map(lambda g: jnp.clip(g, -c, c), to_arrays(grads))
