"""Loss functionals with torch's signatures, reductions, checks and gradients.

``reduction`` is ``'none'``, ``'mean'`` or ``'sum'`` (another value raises torch's
``ValueError: ... is not a valid value for reduction``); the legacy ``size_average``/``reduce``
arguments are mapped as torch maps them, with torch's warning. Shape checks use shapes only;
checks that depend on values (class indices out of range, BCE inputs outside ``[0, 1]``) cannot
raise under ``jit`` and are handled as the notes say.

>>> import jax.numpy as jnp
>>> float(cross_entropy(jnp.zeros((2, 4)), jnp.array([1, 3])))  # log(4)
1.3862943649291992
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from ..._dtype import _SCALAR_NAMES
from ._activation import logsigmoid, log_softmax
from ._common import _v

__all__ = ['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'nll_loss', 'cross_entropy',
           'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div']


# ----------------------------------------------------------------------------- argument parsing (torch's _Reduction)

def _get_reduction(reduction: str) -> str:
    """torch's ``_Reduction.get_enum``, as a name: validates ``reduction``."""
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_get_string(size_average: bool | None, reduce: bool | None, emit_warning: bool = True) -> str:
    """torch's ``_Reduction.legacy_get_string``: the reduction named by ``size_average``/``reduce``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _resolve(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    return _get_reduction(reduction)


def _reduce(loss: jax.Array, reduction: str) -> jax.Array:
    if reduction == "none":
        return loss
    return jnp.sum(loss) if reduction == "sum" else jnp.mean(loss)


def _size(shape: tuple) -> str:
    return f"torch.Size({list(shape)!r})"


def _scalar_name(dtype: Any) -> str:
    name = jnp.dtype(dtype).name
    return _SCALAR_NAMES.get(name, name)


def _broadcast(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """torch's ``broadcast_tensors`` with torch's error for sizes that do not broadcast."""
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + tuple(a.shape), (1,) * (n - b.ndim) + tuple(b.shape)
    for i in range(n - 1, -1, -1):
        if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor b ({sb[i]}) "
                               f"at non-singleton dimension {i}")
    return jnp.broadcast_arrays(a, b)


def _abs(d: jax.Array) -> jax.Array:
    """``|d|`` whose gradient at 0 is 0, as torch's ``sign``-based backward (JAX's ``abs`` gives 1 there)."""
    return jnp.where(d == 0, jnp.zeros_like(d), jnp.abs(d))


def _warn_size(x: jax.Array, t: jax.Array) -> None:
    if tuple(t.shape) != tuple(x.shape):
        warnings.warn(f"Using a target size ({_size(t.shape)}) that is different to the input size "
                      f"({_size(x.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _weighted(loss: jax.Array, weight: jax.Array, input_shape: tuple, reduction: str, mean_by_weight: bool,
              size_average: bool | None = None, reduce: bool | None = None) -> jax.Array:
    """The weighted paths of mse_loss/l1_loss/huber_loss (torch's Python code)."""
    if tuple(weight.shape) != tuple(input_shape):
        raise ValueError("Weights and input must have the same size.")
    out = loss * weight
    if reduction == "none":
        return out
    if reduction == "sum":
        return jnp.sum(out)
    if reduction == "mean":
        return jnp.sum(out) / jnp.sum(weight) if mean_by_weight else jnp.mean(out)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# ----------------------------------------------------------------------------- regression losses

def mse_loss(input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Any = None) -> jax.Array:
    r"""Squared error ``(x - y)^2``, reduced; with ``weight`` (same shape as input), ``'mean'`` is
    ``sum(w (x - y)^2) / sum(w)``.

    >>> import jax.numpy as jnp
    >>> float(mse_loss(jnp.array([1.0, 2.0]), jnp.array([0.0, 0.0])))
    2.5
    """
    x, t, w = _v(input), _v(target), _v(weight)
    _warn_size(x, t)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    x, t = _broadcast(x, t)
    if w is not None:
        return _weighted(jnp.square(x - t), w, x.shape, reduction, True)
    return _reduce(jnp.square(x - t), _get_reduction(reduction))


def l1_loss(input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Any = None) -> jax.Array:
    r"""Absolute error ``|x - y|``, reduced; with ``weight``, ``'mean'`` is ``sum(w |x - y|) / sum(w)``.

    >>> import jax.numpy as jnp
    >>> float(l1_loss(jnp.array([1.0, -3.0]), jnp.array([0.0, 0.0])))
    2.0
    """
    x, t, w = _v(input), _v(target), _v(weight)
    _warn_size(x, t)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    x, t = _broadcast(x, t)
    if w is not None:
        return _weighted(_abs(x - t), w, x.shape, reduction, True)
    return _reduce(_abs(x - t), _get_reduction(reduction))


def smooth_l1_loss(input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> jax.Array:
    r"""``0.5 (x - y)^2 / beta`` where ``|x - y| < beta``, else ``|x - y| - 0.5 beta``; ``beta = 0`` is L1.

    >>> import jax.numpy as jnp
    >>> smooth_l1_loss(jnp.array([0.5, 3.0]), jnp.zeros(2), reduction='none').tolist()
    [0.125, 2.5]
    """
    x, t = _v(input), _v(target)
    _warn_size(x, t)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    x, t = _broadcast(x, t)
    reduction = _get_reduction(reduction)
    if beta == 0.0:
        return _reduce(_abs(x - t), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = _abs(x - t)
    return _reduce(jnp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None) -> jax.Array:
    r"""``0.5 (x - y)^2`` where ``|x - y| < delta``, else ``delta (|x - y| - 0.5 delta)``; with ``weight``,
    the elementwise loss is multiplied by it and ``'mean'`` is the plain mean (torch's).

    >>> import jax.numpy as jnp
    >>> huber_loss(jnp.array([0.5, 3.0]), jnp.zeros(2), reduction='none', delta=2.0).tolist()
    [0.125, 4.0]
    """
    x, t, w = _v(input), _v(target), _v(weight)
    _warn_size(x, t)
    x, t = _broadcast(x, t)
    if w is None:
        reduction = _get_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = _abs(x - t)
    loss = jnp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    if w is not None:
        return _weighted(loss, w, x.shape, reduction, False)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- classification losses

def _check_class_weight(w: jax.Array | None, n_classes: int, prefix: str = "") -> None:
    if w is not None and (w.ndim != 1 or w.shape[0] != n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(w.shape)}")


def _check_nll(x: jax.Array, t: jax.Array, w: jax.Array | None) -> None:
    """torch's ``nll_loss_nd`` shape and dtype checks, in torch's order."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and x.shape[0] != (t.shape[0] if t.ndim else 0):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_class_weight(w, x.shape[-1])
    elif x.ndim == 4:
        if t.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {t.ndim}")
        _check_class_weight(w, x.shape[1])
        if tuple(t.shape) != (x.shape[0],) + tuple(x.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    else:
        if tuple(t.shape[1:]) != tuple(x.shape[2:]):
            raise RuntimeError(f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got {list(t.shape)}")
        _check_class_weight(w, x.shape[1])
    if not jnp.issubdtype(t.dtype, jnp.integer):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_name(t.dtype)}")


def _nll(logp: jax.Array, t: jax.Array, w: jax.Array | None, reduction: str, ignore_index: int) -> jax.Array:
    """Weighted NLL of class indices ``t`` along the class axis (0 for 1-d input, else 1).

    Out-of-range targets cannot raise under a trace: they give NaN (torch raises IndexError).
    """
    axis = 0 if logp.ndim == 1 else 1
    n_classes = logp.shape[axis]
    t = t.reshape(()) if (logp.ndim == 1 and t.ndim == 1) else t
    t = t.astype(jnp.int32)
    valid = t != ignore_index
    t_safe = jnp.where(valid, t, 0)
    in_range = (t_safe >= 0) & (t_safe < n_classes)
    t_c = jnp.clip(t_safe, 0, n_classes - 1)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(t_c, axis), axis=axis).squeeze(axis)
    picked = jnp.where(in_range, picked, jnp.nan)
    wt = jnp.ones_like(picked) if w is None else jnp.asarray(w, logp.dtype)[t_c]
    wt = jnp.where(valid, wt, 0)
    loss = jnp.where(valid, -wt * picked, 0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return jnp.sum(loss)
    return jnp.sum(loss) / jnp.sum(wt)


def nll_loss(input: Any, target: Any, weight: Any = None, size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> jax.Array:
    r"""Negative log likelihood of class indices: ``l_n = -w_{y_n} x_{n, y_n}`` (0 where ``y_n == ignore_index``);
    ``'mean'`` divides by ``sum_n w_{y_n}`` over the non-ignored targets (NaN if all are ignored, as torch).

    Input ``(C)``, ``(N, C)`` or ``(N, C, d_1, ...)`` of log-probabilities; target ``()``, ``(N)`` or
    ``(N, d_1, ...)`` of integer class indices.

    >>> import jax.numpy as jnp
    >>> float(nll_loss(jnp.log(jnp.array([[0.5, 0.5], [0.25, 0.75]])), jnp.array([0, -100])))
    0.6931471824645996

    Note: any integer target dtype is accepted (JAX's default is int32; torch wants int64 or uint8).
    A class index outside ``[0, C)`` cannot raise under ``jit``: its loss is NaN (torch raises IndexError).
    """
    x, t, w = _v(input), _v(target), _v(weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    reduction = _get_reduction(reduction)
    _check_nll(x, t, w)
    return _nll(x, t, w, reduction, ignore_index)


def cross_entropy(input: Any, target: Any, weight: Any = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> jax.Array:
    r"""Cross entropy of logits against class indices or class probabilities.

    Class indices (target shape without the class dim): ``nll_loss(log_softmax(x, class_dim), y)``;
    with ``label_smoothing = e`` the loss is ``(1 - e) * nll + e / C * smooth`` where
    ``smooth_n = -sum_c w_c log p_{n,c}`` (0 for ignored targets), reduced like ``nll`` (its ``'mean'``
    divides by ``sum_n w_{y_n}`` over non-ignored targets).

    Class probabilities (target of the input's shape, floating): ``l_n = -sum_c w_c y_{n,c} log p_{n,c}``
    with ``y`` smoothed to ``y (1 - e) + e / C``; ``'mean'`` divides by ``numel / C``.

    >>> import jax.numpy as jnp
    >>> x = jnp.array([[2.0, 0.0, -1.0]])
    >>> round(float(cross_entropy(x, jnp.array([0]), label_smoothing=0.1)), 4)
    0.3365
    >>> round(float(cross_entropy(x, jnp.array([[1.0, 0.0, 0.0]]))), 4)
    0.1698

    Note: any integer target dtype is accepted for class indices (torch wants int64 or uint8). A class
    index outside ``[0, C)`` gives NaN instead of torch's IndexError (it cannot raise under ``jit``).
    """
    x, t, w = _v(input), _v(target), _v(weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    reduction = _get_reduction(reduction)
    axis = 0 if x.ndim == 1 else 1
    if tuple(x.shape) == tuple(t.shape):
        if not jnp.issubdtype(t.dtype, jnp.floating):
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_scalar_name(t.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        n_classes = x.shape[axis]
        _check_class_weight(w, n_classes, "cross_entropy: ")
        if not 0.0 <= label_smoothing <= 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        logp = log_softmax(x, axis)
        if label_smoothing > 0.0:
            t = t * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * t
        if w is not None:
            prod = prod * jnp.asarray(w, x.dtype).reshape((n_classes,) + (1,) * (x.ndim - axis - 1))
        if reduction == "none":
            return -jnp.sum(prod, axis=axis)
        if reduction == "sum":
            return -jnp.sum(prod)
        if x.size == 0:
            return jnp.full((), jnp.nan, x.dtype)
        return -jnp.sum(prod) / (x.size / n_classes)
    if label_smoothing > 0.0 and label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    _check_nll(x, t, w)
    logp = log_softmax(x, axis)
    nll = _nll(logp, t, w, reduction, ignore_index)
    if label_smoothing <= 0.0:
        return nll
    n_classes = x.shape[axis]
    if w is not None:
        smooth = -jnp.sum(logp * jnp.asarray(w, x.dtype).reshape((n_classes,) + (1,) * (x.ndim - axis - 1)),
                          axis=axis)
    else:
        smooth = -jnp.sum(logp, axis=axis)
    tt = t.reshape(smooth.shape).astype(jnp.int32) if t.size == smooth.size else t.astype(jnp.int32)
    valid = tt != ignore_index
    smooth = jnp.where(valid, smooth, 0)
    if reduction == "sum":
        smooth = jnp.sum(smooth)
    elif reduction == "mean":
        if w is not None:
            tw = jnp.asarray(w, x.dtype)[jnp.clip(jnp.where(valid, tt, 0), 0, n_classes - 1)]
            denom = jnp.sum(jnp.where(valid, tw, 0))
        else:
            denom = jnp.sum(valid)
        smooth = jnp.sum(smooth) / denom
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


# ----------------------------------------------------------------------------- binary and divergence losses

@jax.custom_vjp
def _bce(x: jax.Array, t: jax.Array) -> jax.Array:
    return (t - 1) * jnp.maximum(jnp.log1p(-x), -100.0) - t * jnp.maximum(jnp.log(x), -100.0)


def _bce_fwd(x: jax.Array, t: jax.Array):
    return _bce(x, t), (x, t)


def _bce_bwd(res, g):
    x, t = res
    gx = g * (x - t) / jnp.maximum((1 - x) * x, 1e-12)
    gt = g * (jnp.log1p(-x) - jnp.log(x))
    return gx, gt


_bce.defvjp(_bce_fwd, _bce_bwd)


def _broadcast_weight(w: jax.Array, shape: tuple) -> jax.Array:
    """``weight.expand(broadcast_shapes(target, weight))`` with torch's error text."""
    for i in range(1, w.ndim + 1):
        ws, ts = w.shape[-i], (shape[-i] if i <= len(shape) else 1)
        if ws != ts and ws != 1 and ts != 1:
            raise RuntimeError(f"Attempting to broadcast a dimension of length {ws} at {-i}! Mismatching argument "
                               f"at index 1 had {_size(w.shape)}; but expected shape should be broadcastable to "
                               f"{list(shape)}")
    return w


def binary_cross_entropy(input: Any, target: Any, weight: Any = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> jax.Array:
    r"""``l_n = -w_n [y_n max(log x_n, -100) + (1 - y_n) max(log(1 - x_n), -100)]`` on probabilities ``x``.

    The gradient is torch's: ``w (x - y) / max(x (1 - x), 1e-12)``, finite at ``x = 0`` and ``x = 1``.

    >>> import jax.numpy as jnp
    >>> binary_cross_entropy(jnp.array([0.0, 1.0]), jnp.array([1.0, 1.0]), reduction='none').tolist()
    [100.0, -0.0]

    Note: torch raises when an input lies outside ``[0, 1]``; that check depends on values, so here such
    inputs give NaN instead.
    """
    x, t, w = _v(input), _v(target), _v(weight)
    reduction = _resolve(size_average, reduce, reduction)
    if tuple(t.shape) != tuple(x.shape):
        raise ValueError(f"Using a target size ({_size(t.shape)}) that is different to the input size "
                         f"({_size(x.shape)}) is deprecated. Please ensure they have the same size.")
    loss = _bce(x, jnp.asarray(t, x.dtype))
    if w is not None:
        loss = loss * _broadcast_weight(w, tuple(t.shape))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None, size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> jax.Array:
    r"""``l_n = -w_n [p y_n log sigmoid(x_n) + (1 - y_n) log(1 - sigmoid(x_n))]``, computed stably as
    ``(1 - y) x - (1 + (p - 1) y) logsigmoid(x)``; ``pos_weight`` ``p`` broadcasts against the target.

    >>> import jax.numpy as jnp
    >>> round(float(binary_cross_entropy_with_logits(jnp.array([0.0]), jnp.array([1.0]))), 4)
    0.6931
    """
    x, t, w, pw = _v(input), _v(target), _v(weight), _v(pos_weight)
    reduction = _resolve(size_average, reduce, reduction)
    if tuple(t.shape) != tuple(x.shape):
        raise ValueError(f"Target size ({_size(t.shape)}) must be the same as input size ({_size(x.shape)})")
    t = jnp.asarray(t, x.dtype)
    log_sig = logsigmoid(x)
    if pw is not None:
        _broadcast(pw, t)
        log_sig = log_sig * ((pw - 1) * t + 1)
    loss = (1 - t) * x - log_sig
    if w is not None:
        _broadcast(loss, w)
        loss = loss * w
    return _reduce(loss, reduction)


def kl_div(input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> jax.Array:
    r"""``l = y (log y - x)`` (``x`` log-probabilities; ``xlogy`` makes ``y = 0`` terms 0), or
    ``exp(y) (y - x)`` with ``log_target=True``. ``'batchmean'`` divides the sum by the batch size;
    ``'mean'`` (the mean over every element) warns as torch does.

    >>> import jax.numpy as jnp
    >>> float(kl_div(jnp.log(jnp.array([[0.5, 0.5]])), jnp.array([[0.5, 0.5]]), reduction='batchmean'))
    0.0
    """
    x, t = _v(input), _v(target)
    if size_average is not None or reduce is not None:
        red = _legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = "sum" if reduction == "batchmean" else _get_reduction(reduction)
    if log_target:
        loss = jnp.exp(t) * (t - x)
    else:
        loss = jax.scipy.special.xlogy(t, t) - t * x
    out = _reduce(loss, red)
    if reduction == "batchmean" and x.ndim != 0:
        out = out / x.shape[0]
    return out
