"""``pad`` with torch's (left, right) pairs from the last dim backwards, its four modes and its checks."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._common import _v

__all__ = ['pad']

_NON_CONSTANT_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _circular_map(size: int, left: int, right: int) -> np.ndarray | None:
    """torch's circular fill, replayed on indices: copy the cropped input in, then wrap from the filled copy."""
    out_size = size + left + right
    buf = np.full(out_size, -1, dtype=np.int64)
    o0, o1 = max(left, 0), out_size - max(right, 0)
    i0, i1 = max(-left, 0), size - max(-right, 0)
    buf[o0:o1] = np.arange(i0, i1)

    def copy(dst: int, src: int, length: int) -> None:   # element by element, as an overlapping copy_ runs
        for k in range(length):
            buf[dst + k] = buf[src + k] if src + k >= 0 else -1

    if left > 0:
        copy(0, out_size - left - max(right, 0), left)
    if right > 0:
        copy(out_size - right, max(left, 0), right)
    return None if (buf < 0).any() or (buf >= size).any() else buf


def _index_map(size: int, left: int, right: int, mode: str) -> np.ndarray | None:
    """Source index of every output position along one dim (reflect / replicate / circular)."""
    if mode == "circular":
        return _circular_map(size, left, right)
    j = np.arange(size + left + right) - left
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    period = 2 * (size - 1)
    if period == 0:
        return np.zeros_like(j)
    j = np.mod(np.abs(j), period)
    return np.where(j >= size, period - j, j)


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> jax.Array:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` lists (left, right) pairs from the last dim backwards.

    Modes: 'constant' (``value``, default 0; negative pads crop), 'reflect' (mirror without repeating the
    edge), 'replicate' (repeat the edge) and 'circular' (wrap around). The non-constant modes pad the last
    1, 2 or 3 dims of a batched or unbatched input, as torch's kernels do.

    >>> import jax.numpy as jnp
    >>> pad(jnp.arange(4.0).reshape(1, 4), (2, 1), mode="reflect").tolist()
    [[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0]]
    >>> pad(jnp.ones((1, 1, 4)), (1, -2)).shape
    (1, 1, 3)
    """
    x = jnp.asarray(_v(input))
    pad = list(pad)
    for i, p in enumerate(pad):
        if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {i}")
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {x.ndim}")
    npad = len(pad) // 2
    pairs = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(npad)]  # pairs[i] pads dim -1 - i
    if mode == "constant":
        for i, (lo, hi) in enumerate(pairs):
            if x.shape[x.ndim - 1 - i] + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        config = [(0, 0, 0)] * x.ndim
        for i, (lo, hi) in enumerate(pairs):
            config[x.ndim - 1 - i] = (lo, hi, 0)
        fill = jnp.asarray(0 if value is None else value, dtype=x.dtype)
        return lax.pad(x, fill, config)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (npad in (1, 2, 3) and x.ndim in (npad + 1, npad + 2)):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
                                  + _NON_CONSTANT_HELP)
    shape = [x.shape[x.ndim - 1 - i] for i in range(npad)]
    if mode == "reflect":
        for i, ((lo, hi), size) in enumerate(zip(pairs, shape)):
            if lo >= size or hi >= size:
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                                   f"dimension, but got: padding ({lo}, {hi}) at dimension {x.ndim - 1 - i} of input "
                                   f"{list(x.shape)}")
    if mode == "circular":
        for (lo, hi), size in reversed(list(zip(pairs, shape))):
            if lo > size or hi > size:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if size + lo + hi < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    else:
        out_shape = list(x.shape)
        for i, ((lo, hi), size) in enumerate(zip(pairs, shape)):
            out_shape[x.ndim - 1 - i] = size + lo + hi
        if npad == 1 and out_shape[-1] < 1:
            raise RuntimeError(f"input (W: {shape[0]}) is too small. Calculated output W: {out_shape[-1]}")
        negative = [o for o in out_shape if o < 0]
        if negative:
            raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: {out_shape}")
    for i, ((lo, hi), size) in enumerate(zip(pairs, shape)):
        idx = _index_map(size, lo, hi, mode)
        if idx is None:
            raise RuntimeError(f"Expected `pad` to crop and wrap within the input in circular mode, got ({lo}, {hi}) "
                               f"for a dimension of size {size}")
        x = jnp.take(x, jnp.asarray(idx, dtype=jnp.int32), axis=x.ndim - 1 - i)
    return x
