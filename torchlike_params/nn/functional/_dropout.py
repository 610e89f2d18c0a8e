"""Dropout functionals: ``dropout``, ``dropout1d/2d/3d``, ``alpha_dropout``, ``feature_alpha_dropout``.

Masks are drawn from the current generator (``torchlike_params.random.resolve()``): eagerly
the default generator; under ``jax.jit`` a traced stream is needed, e.g.
``with tp.key_scope(key):`` inside the jitted function, otherwise drawing raises a clear error.
A mask is ``u < 1 - p`` for ``u ~ U[0, 1)`` drawn in float32, so the keep rate is ``1 - p``.

Note: the random bits differ from torch's (a different generator and sampler); rates,
scaling and shapes of the masks are torch's. ``inplace=True`` is accepted and is a no-op:
JAX arrays are immutable, the result is returned.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from ...random import materialize, resolve
from ._common import _v

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']

_ALPHA = 1.7580993408473766   # SELU's -scale * alpha: the value dropped units take in alpha dropout


def _check_p(p: Any) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape: tuple[int, ...], p: float) -> jax.Array:
    """A boolean mask of ``shape``, True with probability ``1 - p``, from the current generator."""
    u = materialize(resolve().uniform(tuple(shape), jnp.float32, 0.0, 1.0))
    return u < (1.0 - p)


def _dropout_impl(x: Any, p: float, train: bool, feature: bool, alpha: bool) -> jax.Array:
    """ATen's ``_dropout_impl``: identity for p == 0, not training or no elements; zeros for p == 1."""
    x = jnp.asarray(_v(x))
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 0 or not train or x.size == 0:
        return x
    if p == 1:
        return x * jnp.zeros((), x.dtype)
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    keep = _keep_mask(shape, p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        noise = keep.astype(x.dtype)
        b = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p
        return x * (noise * a) + b
    return x * (keep.astype(x.dtype) / jnp.asarray(1 - p, x.dtype))   # torch's input * noise: NaN * 0 stays NaN


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> jax.Array:
    r"""Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (when ``training``).

    ``y = x * m / (1 - p)`` with ``m ~ Bernoulli(1 - p)`` elementwise; ``p = 1`` gives zeros.

    Note: ``inplace`` is a no-op (JAX arrays are immutable); under ``jax.jit`` draw inside
    ``with tp.key_scope(key):``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.dropout(jnp.ones((4, 5)), 0.5)
    >>> y.shape, y.dtype, sorted(set(y.ravel().tolist())) <= [0.0, 2.0]
    ((4, 5), dtype('float32'), True)
    """
    _check_p(p)
    return _dropout_impl(input, p, training, feature=False, alpha=False)


def alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False) -> jax.Array:
    r"""Alpha dropout (for SELU networks): dropped units take SELU's negative saturation, then an
    affine map keeps mean 0 and variance 1.

    ``y = a * (x * m + alpha' * (1 - m)) + b``, written as torch does:
    ``a = 1 / sqrt((alpha'^2 p + 1)(1 - p))``, ``y = x * m * a + (m - 1) * alpha' * a + alpha' * a * p``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.alpha_dropout(jnp.ones(3), 0.2).tolist()   # training=False by default
    [1.0, 1.0, 1.0]
    """
    _check_p(p)
    return _dropout_impl(input, p, training, feature=False, alpha=True)


def feature_alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False) -> jax.Array:
    r"""Alpha dropout of whole channels: one mask value per ``(N, C)`` pair.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.feature_alpha_dropout(jnp.ones((2, 3, 4)), 0.5, training=True).shape
    (2, 3, 4)
    """
    _check_p(p)
    return _dropout_impl(input, p, training, feature=True, alpha=True)


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> jax.Array:
    r"""Zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input with probability ``p``; scale by ``1/(1-p)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.dropout1d(jnp.ones((8, 4, 5)), 0.5)
    >>> y.shape, bool(((y == 0).all(-1) | (y == 2).all(-1)).all())
    ((8, 4, 5), True)
    """
    _check_p(p)
    x = jnp.asarray(_v(input))
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    if x.ndim == 2:
        return _dropout_impl(x[None], p, training, feature=True, alpha=False)[0]
    return _dropout_impl(x, p, training, feature=True, alpha=False)


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> jax.Array:
    r"""Zero whole channels of a ``(N, C, H, W)`` input with probability ``p``; scale by ``1/(1-p)``.

    As in torch, a 3D input is read as ``(N, C, L)`` (with a warning) and other ranks warn too.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.dropout2d(jnp.ones((2, 3, 4, 4)), 0.25).shape
    (2, 3, 4, 4)
    """
    _check_p(p)
    x = jnp.asarray(_v(input))
    if x.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(x, p, training, feature=True, alpha=False)


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> jax.Array:
    r"""Zero whole channels of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with probability ``p``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.dropout3d(jnp.ones((3, 2, 2, 2)), 0.5).shape
    (3, 2, 2, 2)
    """
    _check_p(p)
    x = jnp.asarray(_v(input))
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if x.ndim != 5:
        return _dropout_impl(x[None], p, training, feature=True, alpha=False)[0]
    return _dropout_impl(x, p, training, feature=True, alpha=False)
