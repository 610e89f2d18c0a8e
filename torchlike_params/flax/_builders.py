"""Build the Flax layer that computes what a torch-style layer computes (on channels-last inputs).

:func:`linen_layer` and :func:`nnx_layer` read the layer's configuration and give the Flax
layer whose variables are the rule's output (:func:`~torchlike_params.flax.to_linen_variables`):

* ``Conv{n}d``: ``strides=stride``, ``kernel_dilation=dilation``, ``feature_group_count=groups``,
  ``padding=[(p, p), ...]`` (``'same'``: ``d*(k-1)`` split low ``//2``, the rest high, as torch).
* ``ConvTranspose{n}d``: ``transpose_kernel=True`` and
  ``padding=[(d*(k-1) - p, d*(k-1) - p + output_padding), ...]``; groups are in the
  block-diagonal kernel (Flax's ConvTranspose has no groups).
* ``BatchNorm``: ``momentum = 1 - torch momentum``, ``epsilon = eps``, ``use_running_average =
  not training``, ``use_fast_variance=False``.
* ``LayerNorm``/``RMSNorm``/``GroupNorm``: torch's eps (``RMSNorm(eps=None)``: float32's machine
  eps), reduction over ``normalized_shape``'s axes.
* ``MultiheadAttention``: ``MultiHeadDotProductAttention(num_heads, qkv_features=E,
  out_features=E, broadcast_dropout=False)``; call it batch-first, ``(query, key, value)``.
* ``LSTM``/``GRU``: :class:`RNNStack` (batch-first), one ``nn.RNN`` (or ``nn.Bidirectional``)
  per layer.
"""

from __future__ import annotations

from typing import Any, Sequence

import flax.linen as fnn
import numpy as np
from flax import nnx

from .. import nn
from ._registry import LayoutError


_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV_TRANSPOSE = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _conv_padding(layer: Any) -> list[tuple[int, int]]:
    if layer.padding_mode != "zeros":
        raise LayoutError(f"Expected `padding_mode` to be 'zeros' for a Flax Conv, got {layer.padding_mode!r}")
    if isinstance(layer.padding, str):
        if layer.padding == "valid":
            return [(0, 0)] * len(layer.kernel_size)
        totals = [d * (k - 1) for d, k in zip(layer.dilation, layer.kernel_size)]
        return [(t // 2, t - t // 2) for t in totals]
    return [(p, p) for p in layer.padding]


def _conv_transpose_padding(layer: Any) -> list[tuple[int, int]]:
    return [(d * (k - 1) - p, d * (k - 1) - p + op) for d, k, p, op in
            zip(layer.dilation, layer.kernel_size, layer.padding, layer.output_padding)]


def _axes(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(range(-len(shape), 0))


def _rms_eps(layer: Any) -> float:
    return float(np.finfo(np.float32).eps) if layer.eps is None else float(layer.eps)


def _bn_momentum(layer: Any) -> float:
    if layer.momentum is None:
        raise LayoutError("BatchNorm with momentum=None (a cumulative average) has no Flax twin")
    return 1.0 - float(layer.momentum)


class RNNStack(fnn.Module):
    """torch's multi-layer ``LSTM``/``GRU`` in linen: one ``nn.RNN`` per layer, named ``layers_{k}``.

    Batch-first (``(N, L, F)``); bidirectional layers are ``nn.Bidirectional`` (outputs
    concatenated forward, backward, as torch). Returns the last layer's outputs.

    >>> import jax, jax.numpy as jnp
    >>> m = RNNStack('LSTM', 4, num_layers=2)
    >>> m.init_with_output(jax.random.key(0), jnp.ones((1, 3, 2)))[0].shape
    (1, 3, 4)

    Note: no dropout between layers (torch's ``dropout`` argument); evaluation is unaffected.
    """

    kind: str
    features: int
    num_layers: int = 1
    bidirectional: bool = False

    @fnn.compact
    def __call__(self, x: Any) -> Any:
        cell = {"LSTM": fnn.LSTMCell, "GRU": fnn.GRUCell}[self.kind]
        for k in range(self.num_layers):
            if self.bidirectional:
                rnn: Any = fnn.Bidirectional(fnn.RNN(cell(self.features, parent=None), parent=None),
                                             fnn.RNN(cell(self.features, parent=None), parent=None),
                                             name=f"layers_{k}")
            else:
                rnn = fnn.RNN(cell(self.features, parent=None), name=f"layers_{k}")
            x = rnn(x)
        return x


class NNXRNNStack(nnx.Module):
    """torch's multi-layer ``LSTM``/``GRU`` in NNX: ``layers`` is an ``nnx.List`` of ``nnx.RNN``.

    >>> import jax.numpy as jnp
    >>> m = NNXRNNStack('GRU', 2, 4, num_layers=2, bidirectional=True, rngs=nnx.Rngs(0))
    >>> m(jnp.ones((1, 3, 2))).shape
    (1, 3, 8)
    """

    def __init__(self, kind: str, in_features: int, features: int, num_layers: int = 1,
                 bidirectional: bool = False, *, lstm_cell: str = "LSTMCell", rngs: nnx.Rngs):
        cells = {"LSTM": getattr(nnx, lstm_cell), "GRU": nnx.GRUCell}
        layers = []
        for k in range(num_layers):
            n_in = in_features if k == 0 else features * (2 if bidirectional else 1)
            if bidirectional:
                layers.append(nnx.Bidirectional(nnx.RNN(cells[kind](n_in, features, rngs=rngs)),
                                                nnx.RNN(cells[kind](n_in, features, rngs=rngs))))
            else:
                layers.append(nnx.RNN(cells[kind](n_in, features, rngs=rngs)))
        self.layers = nnx.List(layers)

    def __call__(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x


def linen_layer(layer: Any, **overrides: Any) -> fnn.Module:
    """The ``flax.linen`` layer equivalent to the torch-style ``layer`` (channels-last inputs).

    ``overrides`` replace the computed arguments (``dtype=``, ``name=``, ...).

    >>> import torchlike_params as tp
    >>> c = linen_layer(tp.nn.Conv2d(3, 8, 3, stride=2, padding=1))
    >>> type(c).__name__, c.features, c.strides, c.padding
    ('Conv', 8, (2, 2), [(1, 1), (1, 1)])
    """
    kw = _linen_args(layer)
    cls = kw.pop("__cls__")
    kw.update(overrides)
    return cls(**kw)


def _linen_args(layer: Any) -> dict:
    if isinstance(layer, nn.Linear):
        return dict(__cls__=fnn.Dense, features=layer.out_features, use_bias=layer.bias is not None)
    if isinstance(layer, _CONV_TRANSPOSE):
        return dict(__cls__=fnn.ConvTranspose, features=layer.out_channels, kernel_size=tuple(layer.kernel_size),
                    strides=tuple(layer.stride), padding=_conv_transpose_padding(layer),
                    kernel_dilation=tuple(layer.dilation), transpose_kernel=True, use_bias=layer.bias is not None)
    if isinstance(layer, _CONV):
        return dict(__cls__=fnn.Conv, features=layer.out_channels, kernel_size=tuple(layer.kernel_size),
                    strides=tuple(layer.stride), padding=_conv_padding(layer), kernel_dilation=tuple(layer.dilation),
                    feature_group_count=layer.groups, use_bias=layer.bias is not None)
    if isinstance(layer, nn.Embedding):
        return dict(__cls__=fnn.Embed, num_embeddings=layer.num_embeddings, features=layer.embedding_dim)
    if isinstance(layer, nn.LayerNorm):
        axes = _axes(layer.normalized_shape)
        return dict(__cls__=fnn.LayerNorm, epsilon=layer.eps, use_scale=layer.weight is not None,
                    use_bias=layer.bias is not None, reduction_axes=axes, feature_axes=axes, use_fast_variance=False)
    if isinstance(layer, nn.RMSNorm):
        axes = _axes(layer.normalized_shape)
        return dict(__cls__=fnn.RMSNorm, epsilon=_rms_eps(layer), use_scale=layer.weight is not None,
                    reduction_axes=axes, feature_axes=axes)
    if isinstance(layer, nn.GroupNorm):
        return dict(__cls__=fnn.GroupNorm, num_groups=layer.num_groups, epsilon=layer.eps,
                    use_scale=layer.weight is not None, use_bias=layer.bias is not None, use_fast_variance=False)
    if isinstance(layer, _BATCHNORM):
        return dict(__cls__=fnn.BatchNorm, use_running_average=not layer.training and layer.track_running_stats,
                    momentum=_bn_momentum(layer), epsilon=layer.eps, use_scale=layer.weight is not None,
                    use_bias=layer.bias is not None, use_fast_variance=False)
    if isinstance(layer, nn.MultiheadAttention):
        return dict(__cls__=fnn.MultiHeadDotProductAttention, num_heads=layer.num_heads,
                    qkv_features=layer.embed_dim, out_features=layer.embed_dim,
                    use_bias=layer.in_proj_bias is not None, dropout_rate=layer.dropout, broadcast_dropout=False)
    if isinstance(layer, nn.LSTMCell):
        return dict(__cls__=fnn.LSTMCell, features=layer.hidden_size)
    if isinstance(layer, nn.GRUCell):
        return dict(__cls__=fnn.GRUCell, features=layer.hidden_size)
    if isinstance(layer, (nn.LSTM, nn.GRU)):
        return dict(__cls__=RNNStack, kind=layer.mode, features=layer.hidden_size, num_layers=layer.num_layers,
                    bidirectional=layer.bidirectional)
    raise LayoutError(f"Expected a layer with a Flax twin, got {type(layer).__name__}")


def nnx_layer(layer: Any, *, rngs: nnx.Rngs, lstm_cell: str = "LSTMCell", **overrides: Any) -> nnx.Module:
    """The ``flax.nnx`` layer equivalent to the torch-style ``layer`` (channels-last inputs).

    Load the weights with ``nnx.update(flax_layer, to_nnx_state(layer))``.

    >>> import torchlike_params as tp
    >>> m = nnx_layer(tp.nn.Linear(3, 4), rngs=nnx.Rngs(0))
    >>> type(m).__name__, m.kernel.shape
    ('Linear', (3, 4))
    """
    args, kw = _nnx_args(layer, lstm_cell)
    cls = kw.pop("__cls__")
    kw.update(overrides)
    return cls(*args, rngs=rngs, **kw)


def _nnx_args(layer: Any, lstm_cell: str) -> tuple[tuple, dict]:
    if isinstance(layer, nn.Linear):
        return (layer.in_features, layer.out_features), dict(__cls__=nnx.Linear, use_bias=layer.bias is not None)
    if isinstance(layer, _CONV_TRANSPOSE):
        return (layer.in_channels, layer.out_channels), dict(
            __cls__=nnx.ConvTranspose, kernel_size=tuple(layer.kernel_size), strides=tuple(layer.stride),
            padding=_conv_transpose_padding(layer), kernel_dilation=tuple(layer.dilation), transpose_kernel=True,
            use_bias=layer.bias is not None)
    if isinstance(layer, _CONV):
        return (layer.in_channels, layer.out_channels), dict(
            __cls__=nnx.Conv, kernel_size=tuple(layer.kernel_size), strides=tuple(layer.stride),
            padding=_conv_padding(layer), kernel_dilation=tuple(layer.dilation), feature_group_count=layer.groups,
            use_bias=layer.bias is not None)
    if isinstance(layer, nn.Embedding):
        return (layer.num_embeddings, layer.embedding_dim), dict(__cls__=nnx.Embed)
    if isinstance(layer, nn.LayerNorm):
        axes = _axes(layer.normalized_shape)
        return (int(np.prod(layer.normalized_shape)),), dict(
            __cls__=nnx.LayerNorm, epsilon=layer.eps, use_scale=layer.weight is not None,
            use_bias=layer.bias is not None, reduction_axes=axes, feature_axes=axes, use_fast_variance=False)
    if isinstance(layer, nn.RMSNorm):
        axes = _axes(layer.normalized_shape)
        return (int(np.prod(layer.normalized_shape)),), dict(
            __cls__=nnx.RMSNorm, epsilon=_rms_eps(layer), use_scale=layer.weight is not None,
            reduction_axes=axes, feature_axes=axes)
    if isinstance(layer, nn.GroupNorm):
        return (layer.num_channels,), dict(__cls__=nnx.GroupNorm, num_groups=layer.num_groups, epsilon=layer.eps,
                                           use_scale=layer.weight is not None, use_bias=layer.bias is not None,
                                           use_fast_variance=False)
    if isinstance(layer, _BATCHNORM):
        return (layer.num_features,), dict(
            __cls__=nnx.BatchNorm, use_running_average=not layer.training and layer.track_running_stats,
            momentum=_bn_momentum(layer), epsilon=layer.eps, use_scale=layer.weight is not None,
            use_bias=layer.bias is not None, use_fast_variance=False)
    if isinstance(layer, nn.MultiheadAttention):
        return (layer.num_heads, layer.embed_dim), dict(
            __cls__=nnx.MultiHeadAttention, qkv_features=layer.embed_dim, out_features=layer.embed_dim,
            in_kv_features=layer.kdim, use_bias=layer.in_proj_bias is not None, dropout_rate=layer.dropout,
            broadcast_dropout=False, decode=False)
    if isinstance(layer, nn.LSTMCell):
        return (layer.input_size, layer.hidden_size), dict(__cls__=getattr(nnx, lstm_cell))
    if isinstance(layer, nn.GRUCell):
        return (layer.input_size, layer.hidden_size), dict(__cls__=nnx.GRUCell)
    if isinstance(layer, (nn.LSTM, nn.GRU)):
        return (layer.mode, layer.input_size, layer.hidden_size, layer.num_layers, layer.bidirectional), dict(
            __cls__=NNXRNNStack, lstm_cell=lstm_cell)
    raise LayoutError(f"Expected a layer with a Flax twin, got {type(layer).__name__}")
