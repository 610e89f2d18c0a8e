"""Activation functionals with torch's signatures, values and gradients.

Each function is written so that JAX's autodiff gives torch's gradient, including at the
kinks (``hardtanh``, ``hardswish``, ``threshold``, ...) and without NaNs from the branch a
``where`` does not select (``softplus``, ``elu``). ``inplace=`` is accepted everywhere torch
has it and ignored: JAX arrays are immutable, so the result is always a new array.

>>> import jax.numpy as jnp
>>> [round(v, 4) for v in softplus(jnp.array([-1.0, 0.0, 30.0])).tolist()]
[0.3133, 0.6931, 30.0]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from ..._dtype import _SCALAR_NAMES
from ._common import _v

__all__ = ['threshold', 'relu', 'relu6', 'leaky_relu', 'prelu', 'elu', 'selu', 'celu', 'gelu', 'silu',
           'mish', 'hardswish', 'hardsigmoid', 'hardtanh', 'softplus', 'softsign', 'tanh', 'sigmoid',
           'logsigmoid', 'softmax', 'log_softmax', 'softmin', 'glu', 'tanhshrink', 'softshrink',
           'hardshrink']

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _wrap_dim(dim: int, ndim: int) -> int:
    """torch's ``maybe_wrap_dim``: a dim in ``[-ndim, ndim)`` (0-d counts as 1-d), else IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """torch's legacy rule for ``dim=None``: 0 for 0-, 1- and 3-d inputs, else 1 (with a warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> jax.Array:
    """``x if x > threshold else value``; the gradient is 0 where ``x <= threshold``.

    >>> threshold(jnp.array([0.05, 0.5]), 0.1, 20.0).tolist()
    [20.0, 0.5]
    """
    x = _v(input)
    return jnp.where(x > threshold, x, jnp.asarray(value, x.dtype))


def relu(input: Any, inplace: bool = False) -> jax.Array:
    """``max(x, 0)``; ``inplace`` is accepted and ignored (JAX arrays are immutable).

    >>> relu(jnp.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return jax.nn.relu(_v(input))


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> jax.Array:
    """``clamp(x, min_val, max_val)``; the gradient is 0 where ``x <= min_val`` or ``x >= max_val`` (torch's).

    >>> hardtanh(jnp.array([-2.0, 0.5, 2.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = _v(input)
    lo, hi = jnp.asarray(min_val, x.dtype), jnp.asarray(max_val, x.dtype)
    return jnp.where((x > min_val) & (x < max_val), x, jnp.where(x <= min_val, lo, hi))


def relu6(input: Any, inplace: bool = False) -> jax.Array:
    """``min(max(x, 0), 6)`` (``hardtanh(x, 0, 6)``).

    >>> relu6(jnp.array([-1.0, 3.0, 7.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> jax.Array:
    """``x if x > 0 else negative_slope * x``.

    >>> leaky_relu(jnp.array([-2.0, 2.0]), 0.5).tolist()
    [-1.0, 2.0]
    """
    x = _v(input)
    return jnp.where(x > 0, x, x * negative_slope)


def prelu(input: Any, weight: Any) -> jax.Array:
    """``x if x > 0 else weight * x``, ``weight`` (one value or one per channel, channel dim 1) learnable.

    >>> prelu(jnp.array([[-2.0, 2.0]]), jnp.array([0.25])).tolist()
    [[-0.5, 2.0]]
    """
    x, w = _v(input), _v(weight)
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. "
                           f"Found parameter numbers = {w.size} and channel size = {channels}.")
    if w.size != 1:
        w = w.reshape((channels,) + (1,) * (x.ndim - 2))
    else:
        w = w.reshape(())
    return jnp.where(x > 0, x, w * x)


def _elu(x: jax.Array, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> jax.Array:
    """torch's ``elu`` kernel: ``scale * (x if x > 0 else alpha * expm1(x * input_scale))``."""
    neg = jnp.where(x > 0, jnp.zeros_like(x), x)  # keeps exp of the unselected branch finite
    return jnp.where(x > 0, x * scale, jnp.expm1(neg * input_scale) * (alpha * scale))


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> jax.Array:
    """``x if x > 0 else alpha * (exp(x) - 1)``.

    >>> [round(v, 4) for v in elu(jnp.array([-1.0, 1.0])).tolist()]
    [-0.6321, 1.0]
    """
    return _elu(_v(input), alpha)


def selu(input: Any, inplace: bool = False) -> jax.Array:
    """``scale * (x if x > 0 else alpha * (exp(x) - 1))`` with torch's ``alpha`` ≈ 1.6733, ``scale`` ≈ 1.0507.

    >>> [round(v, 4) for v in selu(jnp.array([-1.0, 1.0])).tolist()]
    [-1.1113, 1.0507]
    """
    return _elu(_v(input), _SELU_ALPHA, _SELU_SCALE)


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> jax.Array:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> [round(v, 4) for v in celu(jnp.array([-1.0, 1.0]), 2.0).tolist()]
    [-0.7869, 1.0]
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu(_v(input), alpha, 1.0, 1.0 / alpha)


def gelu(input: Any, approximate: str = "none") -> jax.Array:
    r"""GELU: ``x * Phi(x)`` (``approximate='none'``, the erf form, torch's default) or
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` (``approximate='tanh'``).

    >>> round(float(gelu(jnp.array(1.0))), 4), round(float(gelu(jnp.array(1.0), approximate='tanh')), 4)
    (0.8413, 0.8412)
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return jax.nn.gelu(_v(input), approximate=approximate == "tanh")


def silu(input: Any, inplace: bool = False) -> jax.Array:
    """``x * sigmoid(x)`` (swish).

    >>> round(float(silu(jnp.array(1.0))), 4)
    0.7311
    """
    x = _v(input)
    return x * jax.nn.sigmoid(x)


def mish(input: Any, inplace: bool = False) -> jax.Array:
    """``x * tanh(softplus(x))`` (softplus without a threshold, computed stably).

    >>> round(float(mish(jnp.array(1.0))), 4)
    0.8651
    """
    x = _v(input)
    return x * jnp.tanh(jax.nn.softplus(x))


def hardswish(input: Any, inplace: bool = False) -> jax.Array:
    """``0 if x <= -3, x if x >= 3, x (x + 3) / 6 otherwise`` (torch's gradient at the kinks: 0 at -3, 1 at 3).

    >>> hardswish(jnp.array([-4.0, 0.0, 1.0, 4.0])).tolist()
    [0.0, 0.0, 0.6666666865348816, 4.0]
    """
    x = _v(input)
    return jnp.where(x <= -3, jnp.zeros_like(x), jnp.where(x < 3, x * (x + 3) / 6, x))


def hardsigmoid(input: Any, inplace: bool = False) -> jax.Array:
    """``0 if x <= -3, 1 if x >= 3, x / 6 + 1/2 otherwise``.

    >>> hardsigmoid(jnp.array([-4.0, 0.0, 4.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    x = _v(input)
    return jnp.where((x > -3) & (x < 3), (x + 3) / 6, jnp.where(x >= 3, jnp.ones_like(x), jnp.zeros_like(x)))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> jax.Array:
    """``log(1 + exp(beta x)) / beta``, or ``x`` itself where ``beta x > threshold`` (torch's linear region).

    >>> softplus(jnp.array([25.0]), beta=1.0, threshold=20.0).tolist()
    [25.0]
    """
    x = _v(input)
    xb = x * beta
    linear = xb > threshold
    safe = jnp.where(linear, jnp.zeros_like(xb), xb)  # no exp overflow (and no NaN gradient) off-branch
    return jnp.where(linear, x, jnp.log1p(jnp.exp(safe)) / beta)


def softsign(input: Any) -> jax.Array:
    """``x / (1 + |x|)``.

    >>> softsign(jnp.array([-1.0, 3.0])).tolist()
    [-0.5, 0.75]
    """
    x = _v(input)
    return x / (jnp.abs(x) + 1)


def tanh(input: Any) -> jax.Array:
    """Hyperbolic tangent.

    >>> float(tanh(jnp.array(0.0)))
    0.0
    """
    return jnp.tanh(_v(input))


def sigmoid(input: Any) -> jax.Array:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    >>> float(sigmoid(jnp.array(0.0)))
    0.5
    """
    return jax.nn.sigmoid(_v(input))


def logsigmoid(input: Any) -> jax.Array:
    """``log(sigmoid(x)) = -softplus(-x)``, computed stably for large ``|x|``; the gradient is ``sigmoid(-x)``.

    >>> logsigmoid(jnp.array([-200.0, 200.0])).tolist()
    [-200.0, 0.0]
    """
    x = _v(input)
    zero = jnp.zeros_like(x)
    return zero - jnp.logaddexp(-x, zero)  # 0 - (...) gives +0.0 for large x, as torch


def _softmax_input(name: str, input: Any, dim: Any, stacklevel: int, dtype: Any) -> tuple[jax.Array, int]:
    x = _v(input)
    if dim is None:
        dim = _get_softmax_dim(name, x.ndim, stacklevel + 1)
    if dtype is not None:
        x = x.astype(dtype)
    elif not jnp.issubdtype(x.dtype, jnp.inexact):
        kernel = "softmax_lastdim_kernel_impl" if name != "log_softmax" else "log_softmax_lastdim_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_NAMES.get(x.dtype.name, x.dtype.name)}'")
    return x, _wrap_dim(dim, x.ndim)


def _along(fn, x: jax.Array, dim: int) -> jax.Array:
    return fn(x[None], axis=0)[0] if x.ndim == 0 else fn(x, axis=dim)


def softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> jax.Array:
    """``exp(x_i) / sum_j exp(x_j)`` along ``dim``; ``dtype`` casts the input first.

    ``dim=None`` is torch's deprecated implicit choice: 0 for 0-, 1- and 3-d inputs, else 1, with
    torch's warning.

    >>> softmax(jnp.zeros((2, 4)), dim=1).tolist()[0]
    [0.25, 0.25, 0.25, 0.25]
    """
    x, d = _softmax_input("softmax", input, dim, _stacklevel, dtype)
    return _along(jax.nn.softmax, x, d)


def log_softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> jax.Array:
    """``x_i - log(sum_j exp(x_j))`` along ``dim`` (same ``dim=None`` rule as ``softmax``).

    >>> [round(v, 4) for v in log_softmax(jnp.zeros(2), dim=0).tolist()]
    [-0.6931, -0.6931]
    """
    x, d = _softmax_input("log_softmax", input, dim, _stacklevel, dtype)
    return _along(jax.nn.log_softmax, x, d)


def softmin(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> jax.Array:
    """``softmax(-x)`` along ``dim`` (same ``dim=None`` rule as ``softmax``).

    >>> [round(v, 4) for v in softmin(jnp.array([0.0, 1.0]), dim=0).tolist()]
    [0.7311, 0.2689]
    """
    x, d = _softmax_input("softmin", input, dim, _stacklevel, dtype)
    return _along(jax.nn.softmax, -x, d)


def glu(input: Any, dim: int = -1) -> jax.Array:
    """Gated linear unit: split ``x`` in halves ``a, b`` along ``dim``, return ``a * sigmoid(b)``.

    >>> glu(jnp.array([1.0, 2.0, 0.0, 0.0])).tolist()
    [0.5, 1.0]
    """
    x = _v(input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    a, b = jnp.split(x, 2, axis=d)
    return a * jax.nn.sigmoid(b)


def tanhshrink(input: Any) -> jax.Array:
    """``x - tanh(x)``.

    >>> float(tanhshrink(jnp.array(0.0)))
    0.0
    """
    x = _v(input)
    return x - jnp.tanh(x)


def _check_lambd(lambd: float, x: jax.Array) -> None:
    if lambd < 0:
        big = float(jnp.finfo(x.dtype).max) if jnp.issubdtype(x.dtype, jnp.floating) else math.inf
        raise RuntimeError(f"lambda must be in range [0, {big:g}] for input dtype "
                           f"{_SCALAR_NAMES.get(x.dtype.name, x.dtype.name)}, but found {lambd:g}")


def softshrink(input: Any, lambd: float = 0.5) -> jax.Array:
    """``x - lambd if x > lambd, x + lambd if x < -lambd, 0 otherwise``; ``lambd`` must be ``>= 0``.

    >>> softshrink(jnp.array([-1.0, 0.2, 1.0])).tolist()
    [-0.5, 0.0, 0.5]
    """
    x = _v(input)
    _check_lambd(lambd, x)
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, jnp.zeros_like(x)))


def hardshrink(input: Any, lambd: float = 0.5) -> jax.Array:
    """``0 if -lambd <= x <= lambd, x otherwise``.

    >>> hardshrink(jnp.array([-1.0, 0.2, 1.0])).tolist()
    [-1.0, 0.0, 1.0]
    """
    x = _v(input)
    return jnp.where((x >= -lambd) & (x <= lambd), jnp.zeros_like(x), x)
