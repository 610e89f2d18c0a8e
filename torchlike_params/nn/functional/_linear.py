"""``linear`` (and the other functionals of torch.nn.Linear's family)."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from ._common import _tuple, _v

__all__ = ['linear']


def linear(input: Any, weight: Any, bias: Any = None) -> jax.Array:
    r"""``y = x W^T + b`` with ``W`` of shape ``(out_features, in_features)``.

    >>> import jax.numpy as jnp
    >>> linear(jnp.ones((2, 3)), jnp.ones((4, 3)), jnp.zeros(4)).shape
    (2, 4)
    """
    y = jnp.matmul(_v(input), jnp.swapaxes(_v(weight), -1, -2))
    return y if bias is None else y + _v(bias)
