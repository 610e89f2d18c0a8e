"""``pad`` with torch's (left, right) pairs from the last dim backwards and its four modes."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from ._common import _tuple, _v

__all__ = ['pad']


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> jax.Array:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` lists (left, right) pairs from the last dim backwards.

    >>> pad(jnp.ones((1, 1, 2)), (1, 2)).shape
    (1, 1, 5)
    """
    x = jnp.asarray(_v(input))
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    jmode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    if jmode == "constant":
        return jnp.pad(x, widths, mode="constant", constant_values=0.0 if value is None else value)
    return jnp.pad(x, widths, mode=jmode)
