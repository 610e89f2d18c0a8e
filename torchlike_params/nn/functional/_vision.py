"""Vision functionals: ``interpolate`` (nearest, linear, bilinear, bicubic, trilinear, area),
``pixel_shuffle``/``pixel_unshuffle`` and ``unfold``/``fold`` (im2col / col2im).

``interpolate`` is separable: along each spatial dim it builds torch's source indices and weights
(in float32, with torch's scale rules) as a static ``(out, in)`` matrix and contracts with it, so a
jitted call is a few dot products.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._common import _tuple, _v
from ._pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ['interpolate', 'upsample', 'pixel_shuffle', 'pixel_unshuffle', 'unfold', 'fold']

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _scale(in_size: int, out_size: int, align_corners: bool, scale: float | None) -> np.float32:
    """torch's ``area_pixel_compute_scale`` in float32."""
    if align_corners:
        return np.float32((in_size - 1) / (out_size - 1)) if out_size > 1 else np.float32(0)
    if scale is not None and scale > 0:
        return np.float32(1.0 / scale)
    return np.float32(in_size / out_size)


def _nearest_matrix(in_size: int, out_size: int, scale: float | None, exact: bool) -> np.ndarray:
    o = np.arange(out_size)
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(in_size / out_size)
    if exact:
        src = np.floor((o.astype(np.float32) + np.float32(0.5)) * s).astype(np.int64)
    elif out_size == in_size:
        src = o
    elif out_size == 2 * in_size:
        src = o >> 1
    else:
        src = np.floor(o.astype(np.float32) * s).astype(np.int64)
    m = np.zeros((out_size, in_size), np.float32)
    m[o, np.minimum(src, in_size - 1)] = 1.0
    return m


def _linear_matrix(in_size: int, out_size: int, align_corners: bool, scale: float | None) -> np.ndarray:
    s = _scale(in_size, out_size, align_corners, scale)
    o = np.arange(out_size, dtype=np.float32)
    src = s * o if align_corners else np.maximum(s * (o + np.float32(0.5)) - np.float32(0.5), np.float32(0))
    src = src.astype(np.float32)
    i0 = np.minimum(src.astype(np.int64), in_size - 1)
    lam = (src - i0.astype(np.float32)).astype(np.float32)
    i1 = i0 + (i0 < in_size - 1)
    m = np.zeros((out_size, in_size), np.float32)
    rows = np.arange(out_size)
    np.add.at(m, (rows, i0), np.float32(1) - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def _cubic_matrix(in_size: int, out_size: int, align_corners: bool, scale: float | None) -> np.ndarray:
    a = np.float32(-0.75)
    s = _scale(in_size, out_size, align_corners, scale)
    o = np.arange(out_size, dtype=np.float32)
    src = (s * o if align_corners else s * (o + np.float32(0.5)) - np.float32(0.5)).astype(np.float32)
    i = np.floor(src).astype(np.int64)
    t = (src - i.astype(np.float32)).astype(np.float32)

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    w = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    m = np.zeros((out_size, in_size), np.float32)
    rows = np.arange(out_size)
    for j in range(4):
        np.add.at(m, (rows, np.clip(i - 1 + j, 0, in_size - 1)), w[j].astype(np.float32))
    return m


def _apply_separable(x: jax.Array, mats: list[np.ndarray]) -> jax.Array:
    y = x
    for i, m in enumerate(mats):
        y = jnp.moveaxis(jnp.tensordot(y, jnp.asarray(m, dtype=x.dtype), axes=([2 + i], [1]),
                                       precision=lax.Precision.HIGHEST), -1, 2 + i)
    return y


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> jax.Array:
    """Resize the spatial dims of ``(N, C, *spatial)`` to ``size`` or ``floor(in * scale_factor)``.

    Modes: 'nearest' (``src = min(floor(dst * in/out), in - 1)``), 'nearest-exact', 'linear' (3-D input),
    'bilinear' and 'bicubic' (4-D), 'trilinear' (5-D), 'area' (adaptive average pooling). With
    ``align_corners=True`` the corner pixels' centres align: ``src = dst * (in - 1)/(out - 1)``; otherwise
    ``src = (dst + 0.5) * scale - 0.5``, where ``scale = 1/scale_factor`` when a factor is given (and not
    recomputed), else ``in/out``.

    >>> import jax.numpy as jnp
    >>> interpolate(jnp.array([[[0.0, 1.0]]]), scale_factor=2, mode="linear").tolist()
    [[[0.0, 0.25, 0.75, 1.0]]]
    >>> interpolate(jnp.ones((1, 3, 4, 4)), size=(8, 6), mode="bilinear", align_corners=True).shape
    (1, 3, 8, 6)

    Note:
        ``antialias=True`` is not supported (``NotImplementedError``); nor is 'lanczos'.
    """
    x = jnp.asarray(_v(input))
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    elif size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(x.shape[2:])} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(v) for v in size]}")
            output_size = list(size)
        else:
            output_size = [size for _ in range(dim)]
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(x.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = list(scale_factor)
        else:
            scale_factors = [scale_factor for _ in range(dim)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor is not None and recompute_scale_factor:
        output_size = [int(x.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                             "requires a 4-D tensor as input")
        raise NotImplementedError("interpolate(antialias=True) is not implemented in torchlike_params")
    expected = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5, "lanczos": 4}
    if mode in ("nearest", "nearest-exact", "area") and x.ndim not in (3, 4, 5) or mode not in (
            "nearest", "nearest-exact", "area", *expected):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: {_MODES} (got {mode})")
    if mode in expected and x.ndim != expected[mode]:
        if x.ndim in (3, 4, 5) and mode != "bicubic" and mode != "lanczos":
            raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {expected[mode]}D input")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: {_MODES} (got {mode})")
    if mode == "lanczos":
        raise NotImplementedError("interpolate(mode='lanczos') is not implemented in torchlike_params")
    if output_size is None:
        output_size = [int(math.floor(float(x.shape[i + 2]) * float(scale_factors[i]))) for i in range(dim)]
    if any(o <= 0 for o in output_size):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(f'{c}: {s}' for c, s in zip('DHW'[-dim:], x.shape[2:]))}) output "
                           f"({', '.join(f'{c}: {s}' for c, s in zip('DHW'[-dim:], output_size))})")
    if mode == "area":
        return {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}[dim](x, output_size)
    scales = scale_factors if scale_factors is not None else [None] * dim
    mats = []
    for i in range(dim):
        n_in, n_out, sc = x.shape[2 + i], output_size[i], scales[i]
        if mode in ("nearest", "nearest-exact"):
            mats.append(_nearest_matrix(n_in, n_out, sc, mode == "nearest-exact"))
        elif mode == "bicubic":
            mats.append(_cubic_matrix(n_in, n_out, align_corners, sc))
        else:
            mats.append(_linear_matrix(n_in, n_out, align_corners, sc))
    if mode in ("nearest", "nearest-exact"):
        idx = [np.argmax(m, axis=1) for m in mats]     # a gather: exact, and keeps integer dtypes
        y = x
        for i, ix in enumerate(idx):
            y = jnp.take(y, jnp.asarray(ix, dtype=jnp.int32), axis=2 + i)
        return y
    return _apply_separable(x, mats)


def upsample(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> jax.Array:
    """torch's deprecated alias of :func:`interpolate`.

    >>> import jax.numpy as jnp
    >>> upsample(jnp.ones((1, 1, 2)), scale_factor=2).shape
    (1, 1, 4)
    """
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input: Any, upscale_factor: int) -> jax.Array:
    """``(*, C*r^2, H, W) -> (*, C, H*r, W*r)``: ``out[c, h*r + i, w*r + j] = in[c*r^2 + i*r + j, h, w]``.

    >>> import jax.numpy as jnp
    >>> pixel_shuffle(jnp.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    x = jnp.asarray(_v(input))
    r = upscale_factor
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = x.shape[-3:]
    if c % (r * r) != 0:
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    batch = x.shape[:-3]
    y = x.reshape(*batch, c // (r * r), r, r, h, w)
    nb = len(batch)
    y = jnp.transpose(y, (*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2))
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Any, downscale_factor: int) -> jax.Array:
    """``(*, C, H*r, W*r) -> (*, C*r^2, H, W)``, the inverse of :func:`pixel_shuffle`.

    >>> import jax.numpy as jnp
    >>> pixel_unshuffle(jnp.arange(4.0).reshape(1, 1, 2, 2), 2).reshape(-1).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    x = jnp.asarray(_v(input))
    r = downscale_factor
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = x.shape[-3:]
    if h % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    batch = x.shape[:-3]
    nb = len(batch)
    y = x.reshape(*batch, c, h // r, r, w // r, r)
    y = jnp.transpose(y, (*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3))
    return y.reshape(*batch, c * r * r, h // r, w // r)


def _im2col_index(size: tuple, k: tuple, d: tuple, p: tuple, s: tuple, name: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Flat padded-plane positions of every (kernel tap, block) pair: shape ``(kH*kW, L)``."""
    padded = [n + 2 * pp for n, pp in zip(size, p)]
    blocks = [(pn - dd * (kk - 1) - 1) // ss + 1 for pn, kk, dd, ss in zip(padded, k, d, s)]
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size ({', '.join(map(str, size))}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of "
                           f"sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least one.")
    kh, kw = np.meshgrid(np.arange(k[0]), np.arange(k[1]), indexing="ij")
    bh, bw = np.meshgrid(np.arange(blocks[0]), np.arange(blocks[1]), indexing="ij")
    rows = kh.reshape(-1, 1) * d[0] + bh.reshape(1, -1) * s[0]
    cols = kw.reshape(-1, 1) * d[1] + bw.reshape(1, -1) * s[1]
    return rows * padded[1] + cols, np.asarray(padded), blocks


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> jax.Array:
    """im2col: ``(N, C, H, W) -> (N, C*kH*kW, L)``, every sliding block as a column (channel-major rows).

    >>> import jax.numpy as jnp
    >>> unfold(jnp.ones((1, 2, 4, 4)), 2).shape
    (1, 8, 9)
    """
    x = jnp.asarray(_v(input))
    if x.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D)")
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    k, d, p, s = _tuple(kernel_size, 2), _tuple(dilation, 2), _tuple(padding, 2), _tuple(stride, 2)
    idx, padded, _ = _im2col_index(x.shape[2:], k, d, p, s, "unfold")
    xp = jnp.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])]).reshape(*x.shape[:2], -1)
    cols = jnp.take(xp, jnp.asarray(idx.reshape(-1), dtype=jnp.int32), axis=2)
    y = cols.reshape(x.shape[0], x.shape[1] * k[0] * k[1], -1)
    return y[0] if unbatched else y


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> jax.Array:
    """col2im: ``(N, C*kH*kW, L) -> (N, C, H, W)``, summing overlapping block values (the adjoint of ``unfold``).

    >>> import jax.numpy as jnp
    >>> fold(jnp.ones((1, 4, 4)), (3, 3), 2)[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    x = jnp.asarray(_v(input))
    if x.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {x.ndim}D)")
    unbatched = x.ndim == 2
    if unbatched:
        x = x[None]
    out = _tuple(output_size, 2)
    k, d, p, s = _tuple(kernel_size, 2), _tuple(dilation, 2), _tuple(padding, 2), _tuple(stride, 2)
    if x.shape[1] % (k[0] * k[1]) != 0:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size=({k[0]}, {k[1]})")
    idx, padded, blocks = _im2col_index(out, k, d, p, s, "fold")
    if x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size=({out[0]}, {out[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), expected "
                           f"size of input's dimension 2 to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={x.shape[2]}.")
    c = x.shape[1] // (k[0] * k[1])
    vals = x.reshape(x.shape[0], c, -1)
    plane = jnp.zeros((x.shape[0], c, int(padded[0] * padded[1])), x.dtype)
    plane = plane.at[:, :, jnp.asarray(idx.reshape(-1), dtype=jnp.int32)].add(vals)
    y = plane.reshape(x.shape[0], c, int(padded[0]), int(padded[1]))
    y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
    return y[0] if unbatched else y
