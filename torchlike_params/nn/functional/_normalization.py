"""Normalization functionals: ``batch_norm``, ``instance_norm``, ``layer_norm``, ``rms_norm``,
``group_norm``, ``local_response_norm``, with torch's signatures, checks and messages.

Statistics are computed in at least float32 (torch's CPU kernels accumulate half types in
float32) and the result has the input's dtype. Variances used to normalise are biased; the
running variance is updated with the unbiased one, as in torch.

Running statistics: torch's ``batch_norm``/``instance_norm`` update ``running_mean`` and
``running_var`` in place when training. Here they are updated in place only when they are
boxes (``Tensor``/``Buffer``, e.g. a module's buffers), through the box's ``copy_``; plain
``jax.Array`` values cannot change. The pure helpers ``_batch_norm`` and ``_instance_norm``
return ``(out, new_running_mean, new_running_var)`` for callers that want the values.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..._tensor import Size, Tensor
from ._common import _v

__all__ = ['batch_norm', 'instance_norm', 'layer_norm', 'rms_norm', 'group_norm', 'local_response_norm']


# -- shared pieces ------------------------------------------------------------------------------
def _compute_dtype(dtype: Any) -> Any:
    """float32 for half types (torch's CPU opmath), the dtype itself otherwise."""
    return jnp.promote_types(dtype, jnp.float32) if jnp.issubdtype(dtype, jnp.floating) else jnp.float32


def _verify_batch_size(size: Any) -> None:
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size: Any) -> None:
    if math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def _check_numel(name: str, v: Any, n: int) -> None:
    if v is not None and math.prod(jnp.shape(v)) != n:
        raise RuntimeError(f"{name} should contain {n} elements not {math.prod(jnp.shape(v))}")


def _channel(v: Any, ndim: int, dtype: Any) -> jax.Array:
    """A per-channel vector shaped to broadcast against ``(N, C, *spatial)``."""
    return jnp.reshape(jnp.asarray(v, dtype), (-1,) + (1,) * (ndim - 2))


def _write_back(box: Any, new: Any) -> None:
    """torch's in-place running-stat update, for boxes only (plain arrays are immutable)."""
    if isinstance(box, Tensor) and new is not None:
        box.copy_(new)


# -- batch norm ---------------------------------------------------------------------------------
def _batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None, bias: Any = None,
                training: bool = False, momentum: Any = 0.1, eps: float = 1e-5
                ) -> tuple[jax.Array, jax.Array | None, jax.Array | None]:
    """``batch_norm`` as a pure function: ``(out, new_running_mean, new_running_var)``.

    The new statistics are None unless ``training`` and the running statistics are given.
    ``momentum`` may be a traced scalar (BatchNorm's cumulative average with ``momentum=None``).
    """
    x = jnp.asarray(_v(input))
    rm, rv, w, b = _v(running_mean), _v(running_var), _v(weight), _v(bias)
    if training:
        _verify_batch_size(Size(x.shape))
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if x.ndim < 2 and training:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    c = x.shape[1] if x.ndim >= 2 else 0
    for name, v in (("weight", w), ("bias", b), ("running_mean", rm), ("running_var", rv)):
        _check_numel(name, v, c)
    if not training:
        if rm is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if rv is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
    cd = _compute_dtype(x.dtype)
    xf = x.astype(cd)
    axes = (0,) + tuple(range(2, x.ndim))
    new_mean = new_var = None
    if training:
        mean = jnp.mean(xf, axis=axes)
        var = jnp.mean(jnp.square(xf - _channel(mean, x.ndim, cd)), axis=axes)
        if rm is not None or rv is not None:
            n = x.size // max(c, 1)
            m = jnp.asarray(momentum, cd)
            smean, svar = lax.stop_gradient(mean), lax.stop_gradient(var)
            if rm is not None:
                new_mean = ((1 - m) * rm + m * smean).astype(jnp.result_type(rm))
            if rv is not None:
                unbiased = svar * (n / (n - 1)) if n > 1 else svar * jnp.nan
                new_var = ((1 - m) * rv + m * unbiased).astype(jnp.result_type(rv))
    else:
        mean, var = jnp.asarray(rm, cd), jnp.asarray(rv, cd)
    y = (xf - _channel(mean, x.ndim, cd)) * _channel(lax.rsqrt(var + eps), x.ndim, cd)
    if w is not None:
        y = y * _channel(w, x.ndim, cd)
    if b is not None:
        y = y + _channel(b, x.ndim, cd)
    return y.astype(x.dtype), new_mean, new_var


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None, bias: Any = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> jax.Array:
    r"""Batch normalization over ``(N, C, *)`` inputs, per channel ``C``.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, with the batch statistics over
    ``N`` and the spatial axes when ``training``, else ``running_mean``/``running_var``. In
    training the running statistics become ``(1 - momentum) * running + momentum * batch``
    (unbiased batch variance).

    Note: torch updates ``running_mean``/``running_var`` in place. Here that happens only
    when they are boxes (``Tensor``/``Buffer``, as a module's buffers are); with ``jax.Array``
    values nothing is updated (arrays are immutable).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> rm, rv = tp.zeros(3), tp.ones(3)
    >>> y = tp.nn.functional.batch_norm(jnp.arange(6.0).reshape(2, 3), rm, rv, training=True)
    >>> y.shape, y.dtype, [round(v, 4) for v in rm.tolist()]
    ((2, 3), dtype('float32'), [0.15, 0.25, 0.35])
    """
    out, new_mean, new_var = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    _write_back(running_mean, new_mean)
    _write_back(running_var, new_var)
    return out


# -- instance norm ------------------------------------------------------------------------------
def _instance_norm(input: Any, running_mean: Any = None, running_var: Any = None, weight: Any = None,
                   bias: Any = None, use_input_stats: bool = True, momentum: Any = 0.1, eps: float = 1e-5
                   ) -> tuple[jax.Array, jax.Array | None, jax.Array | None]:
    """``instance_norm`` as a pure function: ``(out, new_running_mean, new_running_var)``."""
    x = jnp.asarray(_v(input))
    rm, rv, w, b = _v(running_mean), _v(running_var), _v(weight), _v(bias)
    if use_input_stats:
        _verify_spatial_size(Size(x.shape))
    n, c = x.shape[0], x.shape[1]
    for name, v in (("weight", w), ("bias", b), ("running_mean", rm), ("running_var", rv)):
        # torch repeats the per-channel vectors over the batch, then checks them against N*C
        if v is not None and math.prod(jnp.shape(v)) != c:
            raise RuntimeError(f"{name} should contain {n * c} elements not {math.prod(jnp.shape(v)) * n}")
    if not use_input_stats and (rm is None or rv is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    cd = _compute_dtype(x.dtype)
    xf = x.astype(cd)
    axes = tuple(range(2, x.ndim))
    new_mean = new_var = None
    if use_input_stats:
        mean = jnp.mean(xf, axis=axes, keepdims=True)
        var = jnp.mean(jnp.square(xf - mean), axis=axes, keepdims=True)
        if rm is not None or rv is not None:
            count = math.prod(x.shape[2:])
            m = jnp.asarray(momentum, cd)
            inst_mean = lax.stop_gradient(mean).reshape(n, c).mean(0)
            inst_var = (lax.stop_gradient(var).reshape(n, c) * (count / (count - 1))).mean(0)
            if rm is not None:
                new_mean = ((1 - m) * rm + m * inst_mean).astype(jnp.result_type(rm))
            if rv is not None:
                new_var = ((1 - m) * rv + m * inst_var).astype(jnp.result_type(rv))
    else:
        mean, var = _channel(rm, x.ndim, cd)[None], _channel(rv, x.ndim, cd)[None]
    y = (xf - mean) * lax.rsqrt(var + eps)
    if w is not None:
        y = y * _channel(w, x.ndim, cd)
    if b is not None:
        y = y + _channel(b, x.ndim, cd)
    return y.astype(x.dtype), new_mean, new_var


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None, weight: Any = None,
                  bias: Any = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> jax.Array:
    r"""Instance normalization: each ``(n, c)`` slice of a ``(N, C, *spatial)`` input normalised
    over its spatial axes.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``. With running statistics and
    ``use_input_stats``, they are updated with the batch average of the per-instance
    statistics (torch's rule); without ``use_input_stats`` they are used instead.

    Note: running statistics are updated in place only when they are boxes (see ``batch_norm``).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.instance_norm(jnp.arange(8.0).reshape(1, 2, 4))
    >>> y.shape, y.dtype, [round(v, 4) for v in y[0, 0].tolist()]
    ((1, 2, 4), dtype('float32'), [-1.3416, -0.4472, 0.4472, 1.3416])
    """
    out, new_mean, new_var = _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                                            momentum, eps)
    _write_back(running_mean, new_mean)
    _write_back(running_var, new_var)
    return out


# -- layer norm, rms norm -----------------------------------------------------------------------
def _normalized_shape(fn: str, normalized_shape: Any) -> tuple[int, ...]:
    if isinstance(normalized_shape, (int, bool)) or not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not {type(normalized_shape).__name__}")
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                           "least one element, but got normalized_shape = []")
    return shape


def _check_trailing(x: jax.Array, shape: tuple[int, ...], star: str) -> None:
    if x.ndim < len(shape) or tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[{star}{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")


def _check_affine(name: str, v: Any, shape: tuple[int, ...]) -> None:
    if v is not None and tuple(jnp.shape(v)) != shape:
        raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                           f"{list(jnp.shape(v))} and normalized_shape = {list(shape)}")


def layer_norm(input: Any, normalized_shape: Sequence[int], weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> jax.Array:
    r"""Layer normalization over the trailing ``normalized_shape`` axes.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` (biased variance).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.layer_norm(jnp.array([[1.0, 2.0, 3.0]]), (3,))
    >>> y.shape, y.dtype, [round(v, 4) for v in y[0].tolist()]
    ((1, 3), dtype('float32'), [-1.2247, 0.0, 1.2247])
    """
    shape = _normalized_shape("layer_norm", normalized_shape)
    x = jnp.asarray(_v(input))
    w, b = _v(weight), _v(bias)
    _check_affine("weight", w, shape)
    _check_affine("bias", b, shape)
    _check_trailing(x, shape, "*, ")
    cd = _compute_dtype(x.dtype)
    xf = x.astype(cd)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean = jnp.mean(xf, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(xf - mean), axis=axes, keepdims=True)
    y = (xf - mean) * lax.rsqrt(var + eps)
    if w is not None:
        y = y * jnp.asarray(w, cd)
    if b is not None:
        y = y + jnp.asarray(b, cd)
    return y.astype(x.dtype)


def rms_norm(input: Any, normalized_shape: Sequence[int], weight: Any = None, eps: float | None = None
             ) -> jax.Array:
    r"""Root-mean-square normalization over the trailing ``normalized_shape`` axes.

    ``y = x / sqrt(mean(x^2) + eps) * weight``; ``eps=None`` means ``finfo(input.dtype).eps``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.rms_norm(jnp.array([[3.0, 4.0]]), (2,))
    >>> y.shape, y.dtype, [round(v, 4) for v in y[0].tolist()]
    ((1, 2), dtype('float32'), [0.8485, 1.1314])
    """
    shape = _normalized_shape("rms_norm", normalized_shape)
    x = jnp.asarray(_v(input))
    w = _v(weight)
    _check_affine("weight", w, shape)
    _check_trailing(x, shape, "*")
    if eps is None:
        eps = float(jnp.finfo(x.dtype).eps)
    cd = _compute_dtype(x.dtype)
    xf = x.astype(cd)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = xf * lax.rsqrt(jnp.mean(jnp.square(xf), axis=axes, keepdims=True) + eps)
    if w is not None:
        y = y * jnp.asarray(w, cd)
    return y.astype(x.dtype)


# -- group norm, local response norm ------------------------------------------------------------
def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> jax.Array:
    r"""Group normalization: the channels of ``(N, C, *)`` split into ``num_groups`` groups, each
    normalised over its channels and the spatial axes, then a per-channel affine map.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` (statistics per sample and group).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.group_norm(jnp.ones((2, 4, 3)), 2).shape
    (2, 4, 3)
    """
    x = jnp.asarray(_v(input))
    w, b = _v(weight), _v(bias)
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    _verify_batch_size([x.shape[0] * x.shape[1] // num_groups, num_groups] + list(x.shape[2:]))
    n, c = x.shape[0], x.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(x.shape)} and num_groups={num_groups}")
    for name, v in (("weight", w), ("bias", b)):
        if v is not None and (jnp.ndim(v) != 1 or jnp.shape(v)[0] != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(jnp.shape(v))} and input of shape {list(x.shape)}")
    cd = _compute_dtype(x.dtype)
    xg = x.astype(cd).reshape(n, num_groups, -1)
    mean = jnp.mean(xg, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(xg - mean), axis=-1, keepdims=True)
    y = ((xg - mean) * lax.rsqrt(var + eps)).reshape(x.shape)
    if w is not None:
        y = y * _channel(w, x.ndim, cd)
    if b is not None:
        y = y + _channel(b, x.ndim, cd)
    return y.astype(x.dtype)


def local_response_norm(input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
                        ) -> jax.Array:
    r"""Local response normalization across channels of ``(N, C, *)``.

    ``y_c = x_c / (k + alpha / size * sum_{c' in window(c)} x_{c'}^2) ^ beta``, the window
    being ``size`` channels from ``c - size // 2`` (zero padded), as torch's avg-pool form.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> y = tp.nn.functional.local_response_norm(jnp.arange(4.0).reshape(1, 4, 1), 2, 1.0, 1.0, 1.0)
    >>> y.shape, [round(v, 4) for v in y.ravel().tolist()]
    ((1, 4, 1), [0.0, 0.6667, 0.5714, 0.4])
    """
    x = jnp.asarray(_v(input))
    if x.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {x.ndim} "
                         f"dimensions)")
    if x.size == 0:
        return x
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    sq = x * x
    window = (1, size) + (1,) * (x.ndim - 2)
    pads = ((0, 0), (size // 2, (size - 1) // 2)) + ((0, 0),) * (x.ndim - 2)
    # a concrete NumPy zero as init lets JAX see a (differentiable) window sum, even under jit
    div = lax.reduce_window(sq, np.zeros((), x.dtype), lax.add, window, (1,) * x.ndim, pads) / size
    return x / jnp.power(div * alpha + k, beta)
