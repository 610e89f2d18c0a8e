"""``linear`` and ``bilinear``: torch.nn.Linear's family, with torch's shape errors.

The checks use shapes only, so they run before any tracing and never on values.

>>> import jax.numpy as jnp
>>> bilinear(jnp.ones((2, 3)), jnp.ones((2, 4)), jnp.ones((5, 3, 4))).shape
(2, 5)
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from ._common import _v

__all__ = ['linear', 'bilinear']


def _check_linear(x: Any, w: Any, b: Any) -> None:
    """torch's shape errors for ``linear(input, weight, bias)``."""
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    rows = math.prod(x.shape[:-1])
    if w.ndim == 1:
        if x.shape[-1] != w.shape[0]:
            if x.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{w.shape[0]}] "
                                   f"to have the same number of elements, but got {x.shape[0]} and {w.shape[0]} "
                                   "elements respectively")
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), vec ({w.shape[0]})")
        return
    if x.shape[-1] != w.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{w.shape[1]}x{w.shape[0]})")
    if b is not None and b.ndim == 1 and b.shape[0] not in (1, w.shape[0]):
        raise RuntimeError(f"The expanded size of the tensor ({w.shape[0]}) must match the existing size "
                           f"({b.shape[0]}) at non-singleton dimension 1.  Target sizes: [{rows}, {w.shape[0]}].  "
                           f"Tensor sizes: [{b.shape[0]}]")


def linear(input: Any, weight: Any, bias: Any = None) -> jax.Array:
    r"""``y = x W^T + b`` with ``W`` of shape ``(out_features, in_features)`` (or ``(in_features,)``).

    Shapes: input ``(*, in_features)``, weight ``(out_features, in_features)``, bias ``(out_features)``,
    output ``(*, out_features)``. Mismatched shapes raise torch's RuntimeError, e.g.
    ``mat1 and mat2 shapes cannot be multiplied (2x4 and 3x5)`` (batch dimensions are flattened
    into the first number, as torch reports them).

    >>> import jax.numpy as jnp
    >>> linear(jnp.ones((2, 3)), jnp.ones((4, 3)), jnp.zeros(4)).shape
    (2, 4)
    """
    x, w, b = _v(input), _v(weight), _v(bias)
    _check_linear(x, w, b)
    y = jnp.matmul(x, w) if w.ndim == 1 else jnp.matmul(x, jnp.swapaxes(w, -1, -2))
    return y if b is None else y + b


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> jax.Array:
    r"""``y_k = x_1^T W_k x_2 + b_k`` with ``W`` of shape ``(out_features, in1_features, in2_features)``.

    Shapes: input1 ``(*, in1_features)``, input2 ``(*, in2_features)`` with the same leading
    dimensions, output ``(*, out_features)``. Mismatches raise torch's ``bilinear(): ...`` errors.

    >>> import jax.numpy as jnp
    >>> bilinear(jnp.ones(3), jnp.ones(4), jnp.ones((5, 3, 4)), jnp.zeros(5)).tolist()
    [12.0, 12.0, 12.0, 12.0, 12.0]
    """
    x1, x2, w, b = _v(input1), _v(input2), _v(weight), _v(bias)
    if x1.ndim == 0 or x2.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
    for i in range(x1.ndim - 1):
        if x1.shape[i] != x2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {x1.shape[i]} "
                               f"and {x2.shape[i]}")
    if w.ndim != 3:
        raise RuntimeError(f"Expected `weight` to be a 3-D tensor (out_features, in1_features, in2_features), "
                           f"got {w.ndim}-D")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {x1.shape[-1]} but "
                           f"expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2.shape[-1]} but "
                           f"expected {w.shape[2]}")
    if b is not None and b.ndim >= 1 and b.shape[0] != w.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {b.shape[0]} but "
                           f"expected {w.shape[0]}")
    y = jnp.einsum("...i,oij,...j->...o", x1, w, x2)
    return y if b is None else y + b
