"""Convolution functionals: ``conv1d/2d/3d`` (and the transposed forms)."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from ._common import _tuple, _v

__all__ = ['conv1d', 'conv2d', 'conv3d']


def _same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, int]]:
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _conv(n: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any,
          groups: int) -> jax.Array:
    x, w = jnp.asarray(_v(input)), jnp.asarray(_v(weight))
    unbatched = x.ndim == n + 1
    if unbatched:
        x = x[None]
    stride, dilation = _tuple(stride, n), _tuple(dilation, n)
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * n
        elif padding == "same":
            pads = _same_padding(w.shape[2:], dilation)
        else:
            raise ValueError(f"Invalid padding string '{padding}'")
    else:
        pads = [(p, p) for p in _tuple(padding, n)]
    spatial = "DHW"[-n:] if n <= 3 else None
    dn = lax.conv_dimension_numbers(x.shape, w.shape, ("NC" + spatial, "OI" + spatial, "NC" + spatial))
    y = lax.conv_general_dilated(x, w, window_strides=stride, padding=pads, rhs_dilation=dilation,
                                 dimension_numbers=dn, feature_group_count=groups)
    if bias is not None:
        y = y + jnp.asarray(_v(bias)).reshape((1, -1) + (1,) * n)
    return y[0] if unbatched else y


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """1-D convolution (cross-correlation) of ``(N, C_in, L)`` with ``(C_out, C_in/groups, k)``.

    >>> conv1d(jnp.ones((1, 2, 5)), jnp.ones((3, 2, 3))).shape
    (1, 3, 3)
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """2-D convolution of ``(N, C_in, H, W)`` with ``(C_out, C_in/groups, kH, kW)``.

    >>> conv2d(jnp.ones((1, 3, 8, 8)), jnp.ones((4, 3, 3, 3)), padding=1).shape
    (1, 4, 8, 8)
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """3-D convolution of ``(N, C_in, D, H, W)`` with ``(C_out, C_in/groups, kD, kH, kW)``.

    >>> conv3d(jnp.ones((1, 1, 4, 4, 4)), jnp.ones((2, 1, 3, 3, 3))).shape
    (1, 2, 2, 2, 2)
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)
