"""Array layout moves between torch's and Flax's weights, one small pure function per move.

Every function works on host arrays (``numpy``: the result is a contiguous host copy, never a
device transfer) and on ``jax.Array`` s or tracers (``jax.numpy``: usable under ``jax.jit``).
The layer-type rules of :mod:`._rules` compose them; nothing here guesses from names or shapes.

=============================== ============================= =====================================
move                            torch                         Flax
=============================== ============================= =====================================
:func:`dense_kernel`            ``weight (out, in)``          ``kernel (in, out)``
:func:`conv_kernel`             ``weight (out, in/g, *k)``    ``kernel (*k, in/g, out)``
:func:`conv_transpose_kernel`   ``weight (in, out/g, *k)``    ``kernel (*k, out, in)`` (block-diagonal
                                                              over ``g`` groups; ``transpose_kernel``)
:func:`heads_kernel`            ``weight (h*d, in)``          ``kernel (in, h, d)``
:func:`heads_out_kernel`        ``weight (out, h*d)``         ``kernel (h, d, out)``
=============================== ============================= =====================================
"""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

Array = Any


def xp(a: Array) -> Any:
    """``numpy`` for host arrays, ``jax.numpy`` for anything else (jax arrays, tracers).

    >>> xp(np.ones(2)) is np, xp(jnp.ones(2)) is jnp
    (True, True)
    """
    return np if isinstance(a, (np.ndarray, np.generic)) else jnp


def transpose(a: Array, axes: Sequence[int]) -> Array:
    """``a`` with its axes permuted; a contiguous copy for host arrays.

    >>> transpose(np.zeros((2, 3)), (1, 0)).shape
    (3, 2)
    """
    if xp(a) is np:
        return np.ascontiguousarray(np.transpose(a, axes))
    return jnp.transpose(a, axes)


def is_concrete(a: Array) -> bool:
    """False for a tracer (a check on values cannot run under a trace).

    >>> is_concrete(np.ones(1)), is_concrete(jnp.ones(1))
    (True, True)
    """
    return not isinstance(a, jax.core.Tracer)


def dense_kernel(weight: Array) -> Array:
    """torch ``Linear.weight (out, in)`` -> Flax ``Dense.kernel (in, out)``.

    >>> dense_kernel(np.zeros((4, 3))).shape
    (3, 4)
    """
    return transpose(weight, (1, 0))


def dense_weight(kernel: Array) -> Array:
    """Flax ``kernel (in, out)`` -> torch ``weight (out, in)`` (inverse of :func:`dense_kernel`).

    >>> dense_weight(np.zeros((3, 4))).shape
    (4, 3)
    """
    return transpose(kernel, (1, 0))


def conv_kernel(weight: Array) -> Array:
    """torch ``Conv{n}d.weight (out, in/g, *k)`` -> Flax ``Conv.kernel (*k, in/g, out)``.

    >>> conv_kernel(np.zeros((8, 2, 3, 5))).shape
    (3, 5, 2, 8)
    """
    n = weight.ndim - 2
    return transpose(weight, tuple(range(2, 2 + n)) + (1, 0))


def conv_weight(kernel: Array) -> Array:
    """Flax ``Conv.kernel (*k, in/g, out)`` -> torch ``weight (out, in/g, *k)``.

    >>> conv_weight(np.zeros((3, 5, 2, 8))).shape
    (8, 2, 3, 5)
    """
    n = kernel.ndim - 2
    return transpose(kernel, (n + 1, n) + tuple(range(n)))


def conv_transpose_kernel(weight: Array, groups: int = 1) -> Array:
    """torch ``ConvTranspose{n}d.weight (in, out/g, *k)`` -> Flax kernel ``(*k, out, in)``.

    The kernel is the one ``flax ConvTranspose(transpose_kernel=True)`` reads: the forward
    convolution's HWIO kernel, which Flax flips and swaps itself. Flax has no ``groups``: with
    ``g > 1`` the kernel is block-diagonal, group ``j``'s block at output rows
    ``[j*out/g, (j+1)*out/g)`` and input columns ``[j*in/g, (j+1)*in/g)``, zeros elsewhere.

    >>> conv_transpose_kernel(np.ones((4, 3, 2, 2)), groups=2).shape
    (2, 2, 6, 4)
    """
    n = weight.ndim - 2
    perm = tuple(range(2, 2 + n)) + (1, 0)
    if groups == 1:
        return transpose(weight, perm)
    m = xp(weight)
    cin, cout_g = weight.shape[0], weight.shape[1]
    cin_g = cin // groups
    blocks = [m.transpose(weight[j * cin_g:(j + 1) * cin_g], perm) for j in range(groups)]
    rows = []
    for j, block in enumerate(blocks):        # block: (*k, out/g, in/g)
        left = m.zeros(block.shape[:-1] + (j * cin_g,), block.dtype)
        right = m.zeros(block.shape[:-1] + ((groups - 1 - j) * cin_g,), block.dtype)
        rows.append(m.concatenate([left, block, right], axis=-1))
    out = m.concatenate(rows, axis=-2)
    return np.ascontiguousarray(out) if m is np else out


def conv_transpose_weight(kernel: Array, groups: int = 1) -> tuple[Array, Array | None]:
    """Flax kernel ``(*k, out, in)`` -> torch ``weight (in, out/g, *k)``, plus the off-block part.

    Returns ``(weight, off)``: ``off`` is the kernel with its diagonal blocks zeroed (None for
    ``groups=1``); a grouped torch layer can take the kernel only if ``off`` is all zeros.

    >>> w, off = conv_transpose_weight(conv_transpose_kernel(np.ones((4, 3, 2)), 2), 2)
    >>> w.shape, float(abs(off).max())
    ((4, 3, 2), 0.0)
    """
    n = kernel.ndim - 2
    perm = (n + 1, n) + tuple(range(n))
    if groups == 1:
        return transpose(kernel, perm), None
    m = xp(kernel)
    cout, cin = kernel.shape[-2], kernel.shape[-1]
    cout_g, cin_g = cout // groups, cin // groups
    blocks = [kernel[..., j * cout_g:(j + 1) * cout_g, j * cin_g:(j + 1) * cin_g] for j in range(groups)]
    weight = m.concatenate([m.transpose(b, perm) for b in blocks], axis=0)
    mask = np.ones((cout, cin), bool)
    for j in range(groups):
        mask[j * cout_g:(j + 1) * cout_g, j * cin_g:(j + 1) * cin_g] = False
    off = m.where(mask, kernel, m.zeros((), kernel.dtype))
    return (np.ascontiguousarray(weight) if m is np else weight), off


def heads_kernel(weight: Array, num_heads: int) -> Array:
    """torch projection ``weight (h*d, in)`` -> Flax ``DenseGeneral`` kernel ``(in, h, d)``.

    >>> heads_kernel(np.zeros((8, 5)), 2).shape
    (5, 2, 4)
    """
    k = transpose(weight, (1, 0))
    return k.reshape(k.shape[0], num_heads, k.shape[1] // num_heads)


def heads_weight(kernel: Array) -> Array:
    """Flax kernel ``(in, h, d)`` -> torch ``weight (h*d, in)``.

    >>> heads_weight(np.zeros((5, 2, 4))).shape
    (8, 5)
    """
    return transpose(kernel.reshape(kernel.shape[0], -1), (1, 0))


def heads_out_kernel(weight: Array, num_heads: int) -> Array:
    """torch ``out_proj.weight (out, h*d)`` -> Flax output kernel ``(h, d, out)``.

    >>> heads_out_kernel(np.zeros((6, 8)), 2).shape
    (2, 4, 6)
    """
    k = transpose(weight, (1, 0))
    return k.reshape(num_heads, k.shape[0] // num_heads, k.shape[1])


def heads_out_weight(kernel: Array) -> Array:
    """Flax output kernel ``(h, d, out)`` -> torch ``weight (out, h*d)``.

    >>> heads_out_weight(np.zeros((2, 4, 6))).shape
    (6, 8)
    """
    return transpose(kernel.reshape(-1, kernel.shape[-1]), (1, 0))


def split_bias(folded: Array, bias_ih: Array, bias_hh: Array) -> tuple[Array, Array]:
    """Undo ``folded = bias_ih + bias_hh`` as well as a sum can be undone.

    Where ``folded`` still equals ``bias_ih + bias_hh`` (computed the same way) the two stay
    as they are, so an unchanged round trip is bit for bit; elsewhere ``bias_ih`` takes the
    whole value and ``bias_hh`` becomes 0 (the forward is the same sum). Without current
    values (an abstract module: ``jax.ShapeDtypeStruct`` s) every element goes to ``bias_ih``.

    >>> a, b = split_bias(np.array([3., 9.]), np.array([1., 1.]), np.array([2., 2.]))
    >>> a.tolist(), b.tolist()
    ([1.0, 9.0], [2.0, 0.0])
    """
    m = xp(folded) if xp(bias_ih) is np else jnp
    if not isinstance(bias_ih, (np.ndarray, jax.Array)) or not isinstance(bias_hh, (np.ndarray, jax.Array)):
        return folded.astype(bias_ih.dtype), m.zeros(folded.shape, bias_hh.dtype)
    same = (bias_ih + bias_hh) == folded
    zero = m.zeros((), bias_hh.dtype)
    return m.where(same, bias_ih, folded).astype(bias_ih.dtype), m.where(same, bias_hh, zero)
