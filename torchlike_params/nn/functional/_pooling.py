"""Pooling functionals: max / avg / adaptive pooling in 1-3 dims, torch's signatures, sizes and indices.

Window geometry is static (shapes and Python arguments only), so every function jits to one
``reduce_window`` or one gather. ``ceil_mode`` follows torch: the output grows by one window when
rounding up, unless that last window would start beyond the input plus the left padding.
Indices (``return_indices=True``) are flat positions in each input plane, as torch returns them.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._common import _tuple, _v

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
           'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'adaptive_avg_pool1d',
           'adaptive_avg_pool2d', 'adaptive_avg_pool3d', 'adaptive_max_pool1d', 'adaptive_max_pool2d',
           'adaptive_max_pool3d', 'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d_with_indices',
           'adaptive_max_pool3d_with_indices']


def _batched(x: Any, n: int, name: str) -> tuple[jax.Array, bool]:
    x = jnp.asarray(_v(x))
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D (batch mode) tensor, but got input of size: "
                           f"{list(x.shape)}")
    return (x[None], True) if x.ndim == n + 1 else (x, False)


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's ``pooling_output_shape``."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _geometry(n: int, x: jax.Array, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
              name: str) -> tuple:
    k = _tuple(kernel_size, n)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else _tuple(stride, n)
    p, d = _tuple(padding, n), _tuple(dilation, n)
    if len(k) != n or len(s) != n or len(p) != n or len(d) != n:
        raise RuntimeError(f"{name}: kernel_size, stride, padding and dilation must have {n} elements, got "
                           f"{k}, {s}, {p} and {d}")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {list(d)}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    sizes = x.shape[2:]
    out = [_out_size(i, kk, ss, pp, dd, ceil_mode) for i, kk, ss, pp, dd in zip(sizes, k, s, p, d)]
    if any(o < 1 for o in out):
        ins = "x".join(map(str, x.shape[1:]))
        outs = "x".join(map(str, [x.shape[1], *out]))
        raise RuntimeError(f"Given input size: ({ins}). Calculated output size: ({outs}). Output size is too small")
    return k, s, p, d, out


def _window_padding(sizes, k, s, p, d, out) -> list[tuple[int, int]]:
    """(low, high) padding so that ``reduce_window`` yields exactly ``out`` windows."""
    return [(pp, max((o - 1) * ss + dd * (kk - 1) + 1 - i - pp, 0))
            for i, kk, ss, pp, dd, o in zip(sizes, k, s, p, d, out)]


def _lowest(dtype: Any) -> Any:
    """The identity of ``max`` as a Python scalar (so ``reduce_window`` is the differentiable max monoid)."""
    return -float("inf") if jnp.issubdtype(dtype, jnp.floating) else int(jnp.iinfo(dtype).min)


def _gather_windows(x: jax.Array, starts: list[np.ndarray], lengths: list[np.ndarray], kmax: list[int],
                    dil: list[int]) -> tuple[jax.Array, jax.Array, np.ndarray]:
    """Every window's elements as a trailing axis, padded with the dtype's lowest value.

    ``starts[i][o]`` is window ``o``'s first input position along spatial dim ``i`` (may be negative),
    ``lengths[i][o]`` how many of its ``kmax[i]`` taps exist. Returns (values, flat input index, valid).
    """
    n = len(starts)
    sizes = x.shape[2:]
    flat = np.zeros([len(st) for st in starts] + [1], dtype=np.int64)
    valid = np.ones_like(flat, dtype=bool)
    for i in range(n):
        pos = starts[i][:, None] + np.arange(kmax[i])[None, :] * dil[i]              # (O_i, K_i)
        ok = (pos >= 0) & (pos < sizes[i]) & (np.arange(kmax[i])[None, :] < lengths[i][:, None])
        shape = [1] * n + [1]
        shape[i] = len(starts[i])
        pos_b = pos.reshape(shape[:n] + [kmax[i]])
        ok_b = ok.reshape(shape[:n] + [kmax[i]])
        flat = (flat[..., :, None] * sizes[i] + pos_b[..., None, :]).reshape(*flat.shape[:n], -1)
        valid = (valid[..., :, None] & ok_b[..., None, :]).reshape(*valid.shape[:n], -1)
    flat = np.where(valid, flat, 0)
    plane = x.reshape(*x.shape[:2], -1)
    vals = jnp.take(plane, jnp.asarray(flat.reshape(-1), dtype=jnp.int32), axis=2)
    vals = vals.reshape(*x.shape[:2], *flat.shape)
    vals = jnp.where(jnp.asarray(valid), vals, jnp.asarray(_lowest(x.dtype), dtype=x.dtype))
    return vals, jnp.asarray(flat), valid


def _argmax_pick(vals: jax.Array, flat: jax.Array) -> tuple[jax.Array, jax.Array]:
    """torch's max with its first-max (and NaN-propagating) index."""
    nan = jnp.isnan(vals) if jnp.issubdtype(vals.dtype, jnp.floating) else jnp.zeros(vals.shape, bool)
    key = jnp.where(nan, jnp.inf, vals) if jnp.issubdtype(vals.dtype, jnp.floating) else vals
    # A NaN wins (first one), otherwise the first maximum.
    pos = jnp.where(nan.any(-1), jnp.argmax(nan, -1), jnp.argmax(key, -1))
    out = jnp.take_along_axis(vals, pos[..., None], -1)[..., 0]
    idx = jnp.take_along_axis(jnp.broadcast_to(flat, vals.shape), pos[..., None], -1)[..., 0]
    return out, idx.astype(jnp.int64 if jax.config.jax_enable_x64 else jnp.int32)


def _max_pool(n: int, input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
              return_indices: bool) -> Any:
    name = f"max_pool{n}d"
    x, unbatched = _batched(input, n, name)
    k, s, p, d, out = _geometry(n, x, kernel_size, stride, padding, dilation, ceil_mode, name)
    if return_indices:
        starts = [np.arange(o) * ss - pp for o, ss, pp in zip(out, s, p)]
        lengths = [np.full(o, kk) for o, kk in zip(out, k)]
        vals, flat, _ = _gather_windows(x, starts, lengths, list(k), list(d))
        y, idx = _argmax_pick(vals, flat)
        return (y[0], idx[0]) if unbatched else (y, idx)
    pads = _window_padding(x.shape[2:], k, s, p, d, out)
    y = lax.reduce_window(x, _lowest(x.dtype), lax.max, (1, 1, *k), (1, 1, *s), [(0, 0), (0, 0), *pads],
                          window_dilation=(1, 1, *d))
    return y[0] if unbatched else y


def _avg_divisor(size: int, k: int, s: int, p: int, out: int, count_include_pad: bool) -> np.ndarray:
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    pool = end - start
    start_c, end_c = np.maximum(start, 0), np.minimum(end, size)
    return (pool if count_include_pad else end_c - start_c).astype(np.float64)


def _avg_pool(n: int, input: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: Any) -> jax.Array:
    name = f"avg_pool{n}d"
    x, unbatched = _batched(input, n, name)
    k, s, p, d, out = _geometry(n, x, kernel_size, stride, padding, 1, ceil_mode, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    pads = _window_padding(x.shape[2:], k, s, p, d, out)
    total = lax.reduce_window(x, 0.0 if jnp.issubdtype(x.dtype, jnp.floating) else 0, lax.add, (1, 1, *k), (1, 1, *s),
                              [(0, 0), (0, 0), *pads])
    if divisor_override is not None:
        y = total / divisor_override
    else:
        div = np.ones([1, 1] + [1] * n)
        for i, (size, kk, ss, pp, o) in enumerate(zip(x.shape[2:], k, s, p, out)):
            shape = [1, 1] + [1] * n
            shape[2 + i] = o
            div = div * _avg_divisor(size, kk, ss, pp, o, count_include_pad).reshape(shape)
        y = total / jnp.asarray(div, dtype=x.dtype)
    y = y.astype(x.dtype)
    return y[0] if unbatched else y


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling of ``(N, C, L)``: ``out[l] = max_j x[l*stride - padding + j*dilation]``.

    >>> import jax.numpy as jnp
    >>> max_pool1d(jnp.arange(6.0).reshape(1, 1, 6), 2).tolist()
    [[[1.0, 3.0, 5.0]]]
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling of ``(N, C, H, W)``; with ``return_indices`` also the flat index into each ``H*W`` plane.

    >>> import jax.numpy as jnp
    >>> y, i = max_pool2d(jnp.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> y.tolist(), i.tolist()
    ([[[[5.0, 7.0], [13.0, 15.0]]]], [[[[5, 7], [13, 15]]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """3-D max pooling of ``(N, C, D, H, W)``.

    >>> import jax.numpy as jnp
    >>> max_pool3d(jnp.ones((1, 2, 4, 4, 4)), 2, ceil_mode=True).shape
    (1, 2, 2, 2, 2)
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple[jax.Array, jax.Array]:
    """``max_pool1d`` returning ``(values, indices)`` whatever ``return_indices`` says.

    >>> import jax.numpy as jnp
    >>> max_pool1d_with_indices(jnp.array([[[3.0, 1.0, 2.0, 5.0]]]), 2)[1].tolist()
    [[[0, 3]]]
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple[jax.Array, jax.Array]:
    """``max_pool2d`` returning ``(values, indices)``.

    >>> import jax.numpy as jnp
    >>> max_pool2d_with_indices(jnp.ones((1, 1, 4, 4)), 2)[1].shape
    (1, 1, 2, 2)
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple[jax.Array, jax.Array]:
    """``max_pool3d`` returning ``(values, indices)``.

    >>> import jax.numpy as jnp
    >>> max_pool3d_with_indices(jnp.ones((1, 1, 2, 4, 4)), 2)[1].shape
    (1, 1, 1, 2, 2)
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> jax.Array:
    """1-D average pooling: the window sum over torch's divisor (padding counted if ``count_include_pad``).

    >>> import jax.numpy as jnp
    >>> avg_pool1d(jnp.arange(4.0).reshape(1, 1, 4), 2, padding=1, count_include_pad=False).tolist()
    [[[0.0, 1.5, 3.0]]]
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> jax.Array:
    """2-D average pooling; ``divisor_override`` replaces the window size as divisor.

    >>> import jax.numpy as jnp
    >>> avg_pool2d(jnp.ones((1, 1, 4, 4)), 2, divisor_override=2).tolist()
    [[[[2.0, 2.0], [2.0, 2.0]]]]
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> jax.Array:
    """3-D average pooling.

    >>> import jax.numpy as jnp
    >>> avg_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
    (1, 1, 2, 2, 2)
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# ---- adaptive ------------------------------------------------------------------------------------------------

def _adaptive_sizes(n: int, x: jax.Array, output_size: Any) -> list[int]:
    out = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size] * n
    if len(out) != n:
        raise ValueError(f"adaptive pool: output_size must have {n} elements, got {output_size}")
    out = [x.shape[2 + i] if o is None else int(o) for i, o in enumerate(out)]
    if any(o < 0 for o in out):
        raise RuntimeError(f"Expected `output_size` to be non-negative, got {output_size}")
    return out


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)   # floor(o*in/out), ceil((o+1)*in/out)


def _adaptive_avg(n: int, input: Any, output_size: Any) -> jax.Array:
    x, unbatched = _batched(input, n, f"adaptive_avg_pool{n}d")
    out = _adaptive_sizes(n, x, output_size)
    y = x
    for i, (size, o) in enumerate(zip(x.shape[2:], out)):
        start, end = _adaptive_bounds(size, o)
        m = np.zeros((o, size))
        for r, (a, b) in enumerate(zip(start, end)):
            m[r, a:b] = 1.0 / (b - a)
        y = jnp.moveaxis(jnp.tensordot(y, jnp.asarray(m, dtype=x.dtype), axes=([2 + i], [1]),
                                       precision=lax.Precision.HIGHEST), -1, 2 + i)
    return y[0] if unbatched else y


def _adaptive_max(n: int, input: Any, output_size: Any, return_indices: bool) -> Any:
    x, unbatched = _batched(input, n, f"adaptive_max_pool{n}d")
    out = _adaptive_sizes(n, x, output_size)
    starts, lengths, kmax = [], [], []
    for size, o in zip(x.shape[2:], out):
        a, b = _adaptive_bounds(size, o)
        starts.append(a)
        lengths.append(b - a)
        kmax.append(int((b - a).max()) if o > 0 else 1)
    vals, flat, _ = _gather_windows(x, starts, lengths, kmax, [1] * n)
    y, idx = _argmax_pick(vals, flat)
    if unbatched:
        y, idx = y[0], idx[0]
    return (y, idx) if return_indices else y


def adaptive_avg_pool1d(input: Any, output_size: Any) -> jax.Array:
    """Average over windows ``[floor(o*L/out), ceil((o+1)*L/out))``.

    >>> import jax.numpy as jnp
    >>> adaptive_avg_pool1d(jnp.arange(5.0).reshape(1, 1, 5), 2).tolist()
    [[[1.0, 3.0]]]
    """
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> jax.Array:
    """2-D adaptive average pooling; an ``output_size`` entry of ``None`` keeps that input size.

    >>> import jax.numpy as jnp
    >>> adaptive_avg_pool2d(jnp.ones((2, 3, 7, 5)), (3, None)).shape
    (2, 3, 3, 5)
    """
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> jax.Array:
    """3-D adaptive average pooling.

    >>> import jax.numpy as jnp
    >>> adaptive_avg_pool3d(jnp.ones((1, 2, 4, 5, 6)), 1).shape
    (1, 2, 1, 1, 1)
    """
    return _adaptive_avg(3, input, output_size)


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max over windows ``[floor(o*L/out), ceil((o+1)*L/out))``; optionally with flat indices.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool1d(jnp.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]]), 2, return_indices=True)[1].tolist()
    [[[1, 3]]]
    """
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """2-D adaptive max pooling.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool2d(jnp.ones((1, 2, 5, 7)), 3).shape
    (1, 2, 3, 3)
    """
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """3-D adaptive max pooling.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool3d(jnp.ones((1, 2, 4, 5, 6)), (2, 2, None)).shape
    (1, 2, 2, 2, 6)
    """
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool1d`` returning ``(values, indices)``.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool1d_with_indices(jnp.ones((1, 1, 4)), 2)[1].shape
    (1, 1, 2)
    """
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool2d`` returning ``(values, indices)``.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool2d_with_indices(jnp.ones((1, 1, 4, 4)), 2)[1].shape
    (1, 1, 2, 2)
    """
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> tuple:
    """``adaptive_max_pool3d`` returning ``(values, indices)``.

    >>> import jax.numpy as jnp
    >>> adaptive_max_pool3d_with_indices(jnp.ones((1, 1, 2, 4, 4)), 2)[1].shape
    (1, 1, 2, 2, 2)
    """
    return _adaptive_max(3, input, output_size, True)

