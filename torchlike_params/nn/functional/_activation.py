"""Activation functionals with torch's signatures."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from ._common import _tuple, _v

__all__ = ['relu', 'tanh', 'sigmoid', 'gelu']


def relu(input: Any, inplace: bool = False) -> jax.Array:
    """``max(x, 0)``; ``inplace`` is accepted and ignored (JAX arrays are immutable).

    >>> relu(jnp.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return jax.nn.relu(_v(input))


def tanh(input: Any) -> jax.Array:
    """Hyperbolic tangent.

    >>> float(tanh(jnp.array(0.0)))
    0.0
    """
    return jnp.tanh(_v(input))


def sigmoid(input: Any) -> jax.Array:
    """Logistic sigmoid.

    >>> float(sigmoid(jnp.array(0.0)))
    0.5
    """
    return jax.nn.sigmoid(_v(input))


def gelu(input: Any, approximate: str = "none") -> jax.Array:
    """GELU; ``approximate='none'`` is the exact erf form (torch's default), ``'tanh'`` the approximation.

    >>> round(float(gelu(jnp.array(1.0))), 4)
    0.8413
    """
    if approximate not in ("none", "tanh"):
        raise ValueError("approximate argument must be either none or tanh.")
    return jax.nn.gelu(_v(input), approximate=approximate == "tanh")
