"""``torch.nn.functional`` with torch's signatures, computed with ``jax.numpy``.

Inputs may be Tensor boxes or ``jax.Array``; results are ``jax.Array``. Layouts are torch's:
``(N, C, *spatial)`` activations and ``(out, in/groups, *kernel)`` weights.
"""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
from jax import lax

from .._tensor import Tensor


def _v(x: Any) -> Any:
    return x.value if isinstance(x, Tensor) else x


def linear(input: Any, weight: Any, bias: Any = None) -> jax.Array:
    r"""``y = x W^T + b`` with ``W`` of shape ``(out_features, in_features)``.

    >>> import jax.numpy as jnp
    >>> linear(jnp.ones((2, 3)), jnp.ones((4, 3)), jnp.zeros(4)).shape
    (2, 4)
    """
    y = jnp.matmul(_v(input), jnp.swapaxes(_v(weight), -1, -2))
    return y if bias is None else y + _v(bias)


def relu(input: Any, inplace: bool = False) -> jax.Array:
    """``max(x, 0)``; ``inplace`` is accepted and ignored (JAX arrays are immutable).

    >>> relu(jnp.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return jax.nn.relu(_v(input))


def tanh(input: Any) -> jax.Array:
    """Hyperbolic tangent.

    >>> float(tanh(jnp.array(0.0)))
    0.0
    """
    return jnp.tanh(_v(input))


def sigmoid(input: Any) -> jax.Array:
    """Logistic sigmoid.

    >>> float(sigmoid(jnp.array(0.0)))
    0.5
    """
    return jax.nn.sigmoid(_v(input))


def gelu(input: Any, approximate: str = "none") -> jax.Array:
    """GELU; ``approximate='none'`` is the exact erf form (torch's default), ``'tanh'`` the approximation.

    >>> round(float(gelu(jnp.array(1.0))), 4)
    0.8413
    """
    if approximate not in ("none", "tanh"):
        raise ValueError("approximate argument must be either none or tanh.")
    return jax.nn.gelu(_v(input), approximate=approximate == "tanh")


def _tuple(x: Any, n: int) -> tuple[int, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,) * n


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


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> jax.Array:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` lists (left, right) pairs from the last dim backwards.

    >>> pad(jnp.ones((1, 1, 2)), (1, 2)).shape
    (1, 1, 5)
    """
    x = jnp.asarray(_v(input))
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    jmode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    if jmode == "constant":
        return jnp.pad(x, widths, mode="constant", constant_values=0.0 if value is None else value)
    return jnp.pad(x, widths, mode=jmode)
