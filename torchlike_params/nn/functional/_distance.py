"""Distance functionals: ``normalize``, ``cosine_similarity`` and ``pairwise_distance``, torch's way.

Norms here have torch's gradient at zero (0, where a plain ``sqrt`` would give NaN).

>>> import jax.numpy as jnp
>>> normalize(jnp.array([[3.0, 4.0]])).tolist()
[[0.6000000238418579, 0.800000011920929]]
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from ._activation import _wrap_dim
from ._common import _v

__all__ = ['normalize', 'cosine_similarity', 'pairwise_distance']


def _vector_norm(x: jax.Array, p: float, axis: int, keepdims: bool) -> jax.Array:
    """``||x||_p`` along ``axis`` with torch's conventions (p = 0 counts non-zeros, ±inf max/min of ``|x|``)
    and a zero gradient where the norm is 0."""
    a = jnp.where(x == 0, jnp.zeros_like(x), jnp.abs(x))  # torch's gradient at 0: sign(0) = 0
    if p == math.inf:
        return jnp.max(a, axis=axis, keepdims=keepdims)
    if p == -math.inf:
        return jnp.min(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return jnp.sum((x != 0).astype(x.dtype), axis=axis, keepdims=keepdims)
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=keepdims)
    zero = jnp.all(x == 0, axis=axis, keepdims=True)
    safe = jnp.where(zero, jnp.ones_like(x), x)
    sa = jnp.abs(safe)
    s = jnp.sum(sa * sa if p == 2 else sa ** p, axis=axis, keepdims=True)
    n = jnp.sqrt(s) if p == 2 else s ** (1.0 / p)
    n = jnp.where(zero, jnp.zeros_like(n), n)
    return n if keepdims else jnp.squeeze(n, axis=axis)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> jax.Array:
    r"""``x / max(||x||_p, eps)`` along ``dim``.

    >>> import jax.numpy as jnp
    >>> normalize(jnp.zeros((1, 2))).tolist()
    [[0.0, 0.0]]

    Note: ``out=`` is not supported (JAX arrays are immutable); passing one raises.
    """
    if out is not None:
        raise TypeError("Expected `out` to be None (JAX arrays are immutable), got an array")
    x = _v(input)
    d = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        x1 = x.reshape((1,))
        return (x1 / jnp.maximum(_vector_norm(x1, p, 0, True), eps)).reshape(())
    return x / jnp.maximum(_vector_norm(x, p, d, True), eps)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> jax.Array:
    r"""``sum(x1/max(||x1||, eps) * x2/max(||x2||, eps))`` along ``dim`` (inputs broadcast).

    As in torch, the ``eps`` clamp is applied outside autograd: the gradient treats the clamped norms
    as the norms' values.

    >>> import jax.numpy as jnp
    >>> cosine_similarity(jnp.array([[1.0, 0.0]]), jnp.array([[1.0, 1.0]])).tolist()
    [0.7071067690849304]
    """
    a, b = _v(x1), _v(x2)
    a, b = jnp.broadcast_arrays(a, b)
    d = _wrap_dim(dim, a.ndim)

    def unit(v: jax.Array) -> jax.Array:
        n = _vector_norm(v, 2, d, True)
        n = n + lax.stop_gradient(jnp.maximum(n, eps) - n)
        return v / n

    return jnp.sum(unit(a) * unit(b), axis=d)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> jax.Array:
    r"""``||x1 - x2 + eps||_p`` over the last dimension.

    >>> import jax.numpy as jnp
    >>> pairwise_distance(jnp.zeros((2, 3)), jnp.ones((2, 3))).shape
    (2,)
    """
    a, b = _v(x1), _v(x2)
    diff = a - b + eps
    if diff.ndim == 0:
        diff = diff.reshape((1,))
        return _vector_norm(diff, p, 0, keepdim)
    return _vector_norm(diff, p, diff.ndim - 1, keepdim)
