"""Dropout layers: ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout``.

In training mode each forward draws a mask from the current generator (see
``nn/functional/_dropout.py``); in eval mode they are the identity. Under ``jax.jit`` call them
inside ``with tp.key_scope(key):`` (or draw nothing: ``m.eval()``).
"""

from __future__ import annotations

from typing import Any

import jax

from . import functional as F
from ._module import Module

__all__ = ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout']


class _DropoutNd(Module):
    """The shared constructor: ``p`` in [0, 1] (torch's check and message) and ``inplace``."""

    __constants__ = ["p", "inplace"]

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""Zero each element with probability ``p`` in training and scale the rest by ``1 / (1 - p)``.

    ``y = x * m / (1 - p)``, ``m ~ Bernoulli(1 - p)``; identity in eval mode.

    Args:
        p: probability of an element being zeroed (default 0.5).
        inplace: accepted for torch compatibility.

    Shape: any; the output has the input's shape.

    Note: ``inplace`` is a no-op (JAX arrays are immutable). Masks come from this library's
    generator, not torch's: the same seed does not give torch's mask.

    >>> import jax, jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.Dropout(0.25)
    >>> m, m(jnp.ones((2, 3))).shape, m.eval()(jnp.ones(2)).tolist()
    (Dropout(p=0.25, inplace=False), (2, 3), [1.0, 1.0])
    >>> def step(key, x):                     # under jit: draw from a traced key scope
    ...     with tp.key_scope(key):
    ...         return m.train()(x)
    >>> jax.jit(step)(jax.random.key(0), jnp.ones(4)).dtype
    dtype('float32')
    """

    def forward(self, input: Any) -> jax.Array:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""Zero whole channels of ``(N, C, L)`` / ``(C, L)`` inputs with probability ``p`` (scaled by ``1/(1-p)``).

    Shape: ``(N, C, L)`` or ``(C, L)``; other ranks raise torch's RuntimeError.

    Note: ``inplace`` is a no-op.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Dropout1d(0.5)(jnp.ones((2, 3, 4))).shape
    (2, 3, 4)
    """

    def forward(self, input: Any) -> jax.Array:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""Zero whole channels of ``(N, C, H, W)`` inputs with probability ``p`` (scaled by ``1/(1-p)``).

    Shape: ``(N, C, H, W)``; as in torch a 3D input is treated as ``(N, C, L)`` with a warning,
    and other ranks warn.

    Note: ``inplace`` is a no-op.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Dropout2d(0.5)(jnp.ones((2, 3, 4, 4))).shape
    (2, 3, 4, 4)
    """

    def forward(self, input: Any) -> jax.Array:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    r"""Zero whole channels of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` inputs with probability ``p``.

    Note: ``inplace`` is a no-op.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Dropout3d(0.5)(jnp.ones((2, 3, 2, 2, 2))).shape
    (2, 3, 2, 2, 2)
    """

    def forward(self, input: Any) -> jax.Array:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Dropout that keeps SELU's self-normalising mean and variance (see ``F.alpha_dropout``).

    ``y = a * (x * m + alpha' * (1 - m)) + b`` with ``a = 1/sqrt((alpha'^2 p + 1)(1 - p))``.

    Note: ``inplace`` is accepted and ignored (torch ignores it too for this class).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.AlphaDropout(0.2)(jnp.ones((2, 3))).shape
    (2, 3)
    """

    def forward(self, input: Any) -> jax.Array:
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    r"""Alpha dropout of whole channels: one mask value per ``(N, C)``.

    Note: ``inplace`` is accepted and ignored (torch ignores it too for this class).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.FeatureAlphaDropout(0.2)(jnp.ones((2, 3, 4))).shape
    (2, 3, 4)
    """

    def forward(self, input: Any) -> jax.Array:
        return F.feature_alpha_dropout(input, self.p, self.training)
