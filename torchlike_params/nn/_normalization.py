"""Normalization layers: ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d``, ``LayerNorm``, ``RMSNorm``,
``GroupNorm`` and ``LocalResponseNorm``, with torch's constructors, buffers and checks.

None of them draws random numbers: weights start at ones, biases at zeros, running means at
zeros, running variances at ones and ``num_batches_tracked`` at 0.

Running statistics (BatchNorm, and InstanceNorm with ``track_running_stats=True``) are
updated in training through the buffers' in-place methods (``copy_``, ``add_``). Eagerly that
changes the module as in torch; through ``tp.functional_call(m, state, x, return_buffers=True)``
the new values come back as values (jit- and grad-friendly); under ``jax.jit`` of a closed-over
module in training mode the update raises a clear error (a tracer must not be stored).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from .. import _dtype, init
from .._factories import empty, ones, tensor, zeros
from .._parameter import Parameter
from . import functional as F
from .functional._common import _v
from ._module import Module

__all__ = ['BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d',
           'LayerNorm', 'RMSNorm', 'GroupNorm', 'LocalResponseNorm']


def _ndim(input: Any) -> int:
    return jnp.ndim(_v(input))


# -- BatchNorm / InstanceNorm -------------------------------------------------------------------
class _NormBase(Module):
    """The shared part of BatchNorm and InstanceNorm: parameters, buffers (in torch's order), repr."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = Parameter(empty(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=_dtype.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, ``num_batches_tracked`` 0 (when tracked).

        >>> import torchlike_params as tp
        >>> tp.nn.BatchNorm1d(2).reset_running_stats()
        """
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, then weight to ones and bias to zeros.

        >>> import torchlike_params as tp
        >>> tp.nn.BatchNorm1d(2).reset_parameters()
        """
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Any) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"       # checkpoints older than version 2 lack the counter
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else tensor(0, dtype=_dtype.long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input: Any) -> jax.Array:
        self._check_input_dim(input)
        factor: Any = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:       # cumulative moving average (a traced value under functional_call)
                factor = 1.0 / self.num_batches_tracked.value
        bn_training = True if self.training else (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_buffers else None,
                            self.running_var if use_buffers else None, self.weight, self.bias, bn_training,
                            factor, self.eps)


_BN_DOC = r"""Batch Normalization over a {shape} input, per channel ``C``.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``. In training the statistics are the
    batch's (over ``N`` and the spatial axes; biased variance) and the running statistics become
    ``(1 - momentum) * running + momentum * batch`` with the *unbiased* batch variance;
    ``momentum=None`` uses a cumulative average (factor ``1 / num_batches_tracked``). In eval
    the running statistics are used, unless ``track_running_stats=False``.

    Args:
        num_features: ``C``.
        eps: added to the variance (1e-5).
        momentum: running-average factor (0.1), or None for a cumulative average.
        affine: learnable ``weight`` (ones) and ``bias`` (zeros), default True.
        track_running_stats: keep buffers ``running_mean`` (zeros), ``running_var`` (ones) and
            ``num_batches_tracked`` (0), default True.
        bias: keyword-only; False drops the bias parameter (torch 2.13).

    Shape: {shape_detail}; the output has the input's shape.

    Attributes:
        weight: (num_features,), ones; None if affine=False.
        bias: (num_features,), zeros; None if affine=False or bias=False.
        running_mean: (num_features,), zeros (buffer); None if track_running_stats=False.
        running_var: (num_features,), ones (buffer); None if track_running_stats=False.
        num_batches_tracked: (), 0 (0-dim integer buffer); None if track_running_stats=False.

    Note: ``num_batches_tracked`` is int64 in torch; here it has the canonical integer dtype
    (int32 unless ``jax_enable_x64``). With ``momentum=None`` the factor is computed in float32
    (torch: float64). Buffer updates are stored in place eagerly; under ``jax.jit`` run training
    steps through ``tp.functional_call(m, state, x, return_buffers=True)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.{name}(3)
    >>> y = m(jnp.ones({example}))
    >>> m, y.shape, y.dtype, int(m.num_batches_tracked)
    ({name}(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True), {example}, dtype('float32'), 1)
    """


class BatchNorm1d(_BatchNorm):
    __doc__ = _BN_DOC.format(name="BatchNorm1d", shape="2D or 3D", example="(4, 3)",
                             shape_detail="``(N, C)`` or ``(N, C, L)``")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input: Any) -> None:
        if _ndim(input) != 2 and _ndim(input) != 3:
            raise ValueError(f"expected 2D or 3D input (got {_ndim(input)}D input)")


class BatchNorm2d(_BatchNorm):
    __doc__ = _BN_DOC.format(name="BatchNorm2d", shape="4D", example="(2, 3, 2, 2)",
                             shape_detail="``(N, C, H, W)``")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input: Any) -> None:
        if _ndim(input) != 4:
            raise ValueError(f"expected 4D input (got {_ndim(input)}D input)")


class BatchNorm3d(_BatchNorm):
    __doc__ = _BN_DOC.format(name="BatchNorm3d", shape="5D", example="(2, 3, 2, 2, 2)",
                             shape_detail="``(N, C, D, H, W)``")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input: Any) -> None:
        if _ndim(input) != 5:
            raise ValueError(f"expected 5D input (got {_ndim(input)}D input)")


class _InstanceNorm(_NormBase):
    _no_batch_dim = 0
    _dims_msg = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input: Any) -> None:
        if _ndim(input) not in (self._no_batch_dim, self._no_batch_dim + 1):
            raise ValueError(f"expected {self._dims_msg} input (got {_ndim(input)}D input)")

    def _apply_instance_norm(self, input: Any) -> jax.Array:
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        version = local_metadata.get("version", None)
        if version is None and not self.track_running_stats:
            keys = [prefix + n for n in ("running_mean", "running_var") if prefix + n in state_dict]
            if keys:
                klass = self.__class__.__name__
                error_msgs.append(
                    "Unexpected running stats buffer(s) {names} for {klass} "
                    "with track_running_stats=False. If state_dict is a "
                    "checkpoint saved before 0.4.0, this may be expected "
                    "because {klass} does not track running stats by default "
                    "since 0.4.0. Please remove these keys from state_dict. If "
                    "the running stats are actually needed, instead set "
                    "track_running_stats=True in {klass} to enable them. See "
                    "the documentation of {klass} for details.".format(
                        names=" and ".join(f'"{k}"' for k in keys), klass=klass))
                for key in keys:
                    state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, input: Any) -> jax.Array:
        self._check_input_dim(input)
        shape = jnp.shape(_v(input))
        feature_dim = len(shape) - self._no_batch_dim
        if shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features"
                                 f" ({self.num_features}), but got: {shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, "
                          "which is not used because affine=False", stacklevel=2)
        if len(shape) == self._no_batch_dim:
            return self._apply_instance_norm(jnp.asarray(_v(input))[None])[0]
        return self._apply_instance_norm(input)


_IN_DOC = r"""Instance Normalization over a {shape} input: each sample's channel normalised over its
    spatial axes.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` (biased variance per ``(n, c)``).
    With ``track_running_stats=True`` training updates ``running_mean``/``running_var`` with the
    batch average of the per-instance statistics (unbiased variance) and eval uses them.

    Args:
        num_features: ``C``.
        eps: added to the variance (1e-5).
        momentum: running-average factor (0.1); None means 0 (no update), as in torch.
        affine: learnable per-channel ``weight``/``bias``, default False.
        track_running_stats: default False.

    Shape: {shape_detail}; the output has the input's shape. A mismatching channel count
    raises with ``affine=True`` and warns otherwise, as in torch.

    Attributes:
        weight: (num_features,), ones; None unless affine=True.
        bias: (num_features,), zeros; None unless affine=True (and bias=True).
        running_mean: (num_features,), zeros (buffer); None unless track_running_stats=True.
        running_var: (num_features,), ones (buffer); None unless track_running_stats=True.
        num_batches_tracked: (), 0 (0-dim integer buffer, never incremented); None unless track_running_stats=True.

    Note: the buffers (when tracked) include ``num_batches_tracked`` as in torch, which never
    increments it for instance norm. Buffer updates follow BatchNorm's rules (in place eagerly,
    as values through ``functional_call``).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.{name}(3)
    >>> m, m(jnp.arange(24.0).reshape({example})).shape
    ({name}(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False), {example})
    """


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _IN_DOC.format(name="InstanceNorm1d", shape="2D (unbatched) or 3D", example="(2, 3, 4)",
                             shape_detail="``(N, C, L)`` or ``(C, L)``")
    _no_batch_dim = 2
    _dims_msg = "2D or 3D"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _IN_DOC.format(name="InstanceNorm2d", shape="3D (unbatched) or 4D", example="(1, 3, 2, 4)",
                             shape_detail="``(N, C, H, W)`` or ``(C, H, W)``")
    _no_batch_dim = 3
    _dims_msg = "3D or 4D"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _IN_DOC.format(name="InstanceNorm3d", shape="4D (unbatched) or 5D", example="(1, 3, 2, 2, 2)",
                             shape_detail="``(N, C, D, H, W)`` or ``(C, D, H, W)``")
    _no_batch_dim = 4
    _dims_msg = "4D or 5D"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


# -- LayerNorm, RMSNorm, GroupNorm, LocalResponseNorm ------------------------------------------
def _as_shape(normalized_shape: Any) -> tuple[int, ...]:
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    return tuple(normalized_shape)


class LayerNorm(Module):
    r"""Layer Normalization over the trailing ``normalized_shape`` axes.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` (biased variance).

    Args:
        normalized_shape: an int or a tuple: the trailing shape to normalise over.
        eps: added to the variance (1e-5).
        elementwise_affine: learnable ``weight`` (ones) and ``bias`` (zeros) of that shape.
        bias: False drops the bias.

    Shape: ``(*, *normalized_shape)``; the output has the input's shape.

    Attributes:
        weight: normalized_shape, ones; None if elementwise_affine=False.
        bias: normalized_shape, zeros; None if elementwise_affine=False or bias=False.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.LayerNorm(5)
    >>> m, m(jnp.ones((2, 5))).shape, m.weight.dtype
    (LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True), (2, 5), dtype('float32'))
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros.

        >>> import torchlike_params as tp
        >>> tp.nn.LayerNorm(2).reset_parameters()
        """
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Any) -> jax.Array:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    r"""Root Mean Square Layer Normalization over the trailing ``normalized_shape`` axes.

    ``y = x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape: an int or a tuple.
        eps: added to the mean square; None (default) means ``finfo(input.dtype).eps``.
        elementwise_affine: learnable ``weight`` (ones).

    Shape: ``(*, *normalized_shape)``; the output has the input's shape.

    Attributes:
        weight: normalized_shape, ones; None if elementwise_affine=False.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.RMSNorm(4)
    >>> m, m(jnp.ones((2, 4))).shape
    (RMSNorm((4,), eps=None, elementwise_affine=True), (2, 4))
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones.

        >>> import torchlike_params as tp
        >>> tp.nn.RMSNorm(2).reset_parameters()
        """
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Any) -> jax.Array:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    r"""Group Normalization: ``num_channels`` split into ``num_groups`` groups, each normalised per
    sample over its channels and spatial axes, then a per-channel affine map.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``.

    Args:
        num_groups: number of groups; must divide ``num_channels`` (torch's ValueError).
        num_channels: ``C``.
        eps: added to the variance (1e-5).
        affine: learnable per-channel ``weight`` (ones) and ``bias`` (zeros).
        bias: keyword-only; False drops the bias.

    Shape: ``(N, C, *)``; the output has the input's shape.

    Attributes:
        weight: (num_channels,), ones; None if affine=False.
        bias: (num_channels,), zeros; None if affine=False or bias=False.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.GroupNorm(2, 4)
    >>> m, m(jnp.ones((3, 4, 5))).shape
    (GroupNorm(2, 4, eps=1e-05, affine=True, bias=True), (3, 4, 5))
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if self.affine:
            self.weight = Parameter(empty(num_channels, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_channels, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros.

        >>> import torchlike_params as tp
        >>> tp.nn.GroupNorm(1, 2).reset_parameters()
        """
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Any) -> jax.Array:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    r"""Local Response Normalization across channels.

    ``y_c = x_c / (k + alpha / size * sum_{c' in window(c)} x_{c'}^2) ^ beta`` over ``size``
    neighbouring channels (zero padded).

    Args:
        size: number of neighbouring channels in the window.
        alpha: multiplicative factor (1e-4).
        beta: exponent (0.75).
        k: additive factor (1.0).

    Shape: ``(N, C, *)`` with at least 3 dimensions; the output has the input's shape.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.LocalResponseNorm(2)
    >>> m, m(jnp.ones((1, 3, 4))).shape
    (LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0), (1, 3, 4))
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Any) -> jax.Array:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
