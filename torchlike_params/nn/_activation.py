"""Activation modules (no parameters, no RNG)."""

from __future__ import annotations

from typing import Any

import jax

from . import functional as F

from ._module import Module

__all__ = ['ReLU', 'Tanh', 'Sigmoid', 'GELU']


class ReLU(Module):
    """``max(x, 0)``. ``inplace`` is kept for the repr and ignored (JAX arrays are immutable).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.ReLU()(jnp.array([-1.0, 1.0])).tolist(), tp.nn.ReLU(inplace=True)
    ([0.0, 1.0], ReLU(inplace=True))
    """

    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> jax.Array:
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """Hyperbolic tangent.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Tanh()(jnp.zeros(2)).tolist()
    [0.0, 0.0]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.tanh(input)


class Sigmoid(Module):
    """Logistic sigmoid.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Sigmoid()(jnp.zeros(1)).tolist()
    [0.5]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.sigmoid(input)


class GELU(Module):
    """GELU (``approximate='none'`` exact, or ``'tanh'``).

    >>> import torchlike_params as tp
    >>> tp.nn.GELU(approximate='tanh')
    GELU(approximate='tanh')
    """

    __constants__ = ["approximate"]

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Any) -> jax.Array:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"
