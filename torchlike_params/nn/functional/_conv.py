"""Convolution functionals: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d``, torch's signatures and checks."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from ._common import _tuple, _v

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']


def _same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, int]]:
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _check_input(n: int, x: Any, w: Any, groups: int, transposed: bool, name: str) -> None:
    """torch's rank and channel checks (shapes only, so they run under ``jit`` too)."""
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(x.shape)}")
    if w.ndim != n + 2:
        raise RuntimeError(f"Expected {n + 2}-dimensional weight for {name}, but got {w.ndim}-dimensional "
                           f"weight of size {list(w.shape)}")
    shape = x.shape if x.ndim == n + 2 else (1, *x.shape)
    expected = w.shape[0] if transposed else w.shape[1] * groups
    if shape[1] != expected:
        head = f"Given transposed=1, weight of size {list(w.shape)}" if transposed else \
            f"Given groups={groups}, weight of size {list(w.shape)}"
        raise RuntimeError(f"{head}, expected input{list(shape)} to have {expected} channels, "
                           f"but got {shape[1]} channels instead")


def _spatial(n: int) -> str:
    return "DHW"[-n:]


def _conv(n: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any,
          groups: int) -> jax.Array:
    x, w = jnp.asarray(_v(input)), jnp.asarray(_v(weight))
    _check_input(n, x, w, groups, False, f"conv{n}d")
    unbatched = x.ndim == n + 1
    if unbatched:
        x = x[None]
    stride, dilation = _tuple(stride, n), _tuple(dilation, n)
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(w.shape[2:], dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = [(p, p) for p in _tuple(padding, n)]
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, w.shape[2:])]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). "
                           "Kernel size can't be greater than actual input size")
    sp = _spatial(n)
    dn = lax.conv_dimension_numbers(x.shape, w.shape, ("NC" + sp, "OI" + sp, "NC" + sp))
    y = lax.conv_general_dilated(x, w, window_strides=stride, padding=pads, rhs_dilation=dilation,
                                 dimension_numbers=dn, feature_group_count=groups)
    if bias is not None:
        y = y + jnp.asarray(_v(bias)).reshape((1, -1) + (1,) * n)
    return y[0] if unbatched else y


def _conv_transpose(n: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, output_padding: Any,
                    groups: int, dilation: Any) -> jax.Array:
    """The gradient of a convolution: ``lhs_dilation = stride`` over the flipped, in/out-swapped kernel."""
    x, w = jnp.asarray(_v(input)), jnp.asarray(_v(weight))
    name = f"conv_transpose{n}d"
    _check_input(n, x, w, groups, True, name)
    stride, padding, dilation = _tuple(stride, n), _tuple(padding, n), _tuple(dilation, n)
    output_padding = _tuple(output_padding, n)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        # torch runs the 1-D case as 2-D with a unit height, and names that height in its message.
        op_, st_, di_ = (((0,) + output_padding, (1,) + stride, (1,) + dilation) if n == 1
                         else (output_padding, stride, dilation))
        names = ["depth", "height", "width"][-len(op_):]
        parts = [f"output_padding_{a}: {v}" for a, v in zip(names, op_)]
        parts += [f"stride_{a}: {v}" for a, v in zip(names, st_)]
        parts += [f"dilation_{a}: {v}" for a, v in zip(names, di_)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    unbatched = x.ndim == n + 1
    if unbatched:
        x = x[None]
    cin, cout_g, k = w.shape[0], w.shape[1], w.shape[2:]
    # (in, out/g, *k) -> (g, in/g, out/g, *k) -> (g, out/g, in/g, *k) -> (out, in/g, *k), flipped in space.
    w = w.reshape(groups, cin // groups, cout_g, *k)
    w = jnp.swapaxes(w, 1, 2).reshape(groups * cout_g, cin // groups, *k)
    w = jnp.flip(w, axis=tuple(range(2, 2 + n)))
    pads = [(d * (kk - 1) - p, d * (kk - 1) - p + op) for kk, p, op, d in zip(k, padding, output_padding, dilation)]
    out = [(s - 1) * st + lo + hi - d * (kk - 1) + 1 for s, st, (lo, hi), d, kk in zip(x.shape[2:], stride, pads, dilation, k)]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    sp = _spatial(n)
    dn = lax.conv_dimension_numbers(x.shape, w.shape, ("NC" + sp, "OI" + sp, "NC" + sp))
    y = lax.conv_general_dilated(x, w, window_strides=(1,) * n, padding=pads, lhs_dilation=stride,
                                 rhs_dilation=dilation, dimension_numbers=dn, feature_group_count=groups)
    if bias is not None:
        y = y + jnp.asarray(_v(bias)).reshape((1, -1) + (1,) * n)
    return y[0] if unbatched else y


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """1-D convolution (cross-correlation) of ``(N, C_in, L)`` with ``(C_out, C_in/groups, k)``.

    ``out[n, o, l] = bias[o] + sum_{c, j} weight[o, c, j] * x[n, g*C_in/groups + c, l*stride + j*dilation - padding]``.

    >>> import jax.numpy as jnp
    >>> conv1d(jnp.ones((1, 2, 5)), jnp.ones((3, 2, 3))).shape
    (1, 3, 3)
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """2-D convolution of ``(N, C_in, H, W)`` with ``(C_out, C_in/groups, kH, kW)``.

    >>> import jax.numpy as jnp
    >>> conv2d(jnp.ones((1, 3, 8, 8)), jnp.ones((4, 3, 3, 3)), padding=1).shape
    (1, 4, 8, 8)
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> jax.Array:
    """3-D convolution of ``(N, C_in, D, H, W)`` with ``(C_out, C_in/groups, kD, kH, kW)``.

    >>> import jax.numpy as jnp
    >>> conv3d(jnp.ones((1, 1, 4, 4, 4)), jnp.ones((2, 1, 3, 3, 3))).shape
    (1, 2, 2, 2, 2)
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> jax.Array:
    """1-D transposed convolution of ``(N, C_in, L)`` with ``weight (C_in, C_out/groups, k)``.

    ``L_out = (L - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``.

    >>> import jax.numpy as jnp
    >>> conv_transpose1d(jnp.ones((1, 2, 5)), jnp.ones((2, 3, 3)), stride=2, output_padding=1).shape
    (1, 3, 12)
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> jax.Array:
    """2-D transposed convolution of ``(N, C_in, H, W)`` with ``weight (C_in, C_out/groups, kH, kW)``.

    >>> import jax.numpy as jnp
    >>> conv_transpose2d(jnp.ones((1, 4, 5, 5)), jnp.ones((4, 2, 3, 3)), stride=2, padding=1, groups=2).shape
    (1, 4, 9, 9)
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> jax.Array:
    """3-D transposed convolution of ``(N, C_in, D, H, W)`` with ``weight (C_in, C_out/groups, kD, kH, kW)``.

    >>> import jax.numpy as jnp
    >>> conv_transpose3d(jnp.ones((1, 2, 3, 3, 3)), jnp.ones((2, 1, 2, 2, 2))).shape
    (1, 1, 4, 4, 4)
    """
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)
