"""Transformer modules with torch's constructors, parameter names, draw order and math path:
``TransformerEncoderLayer``, ``TransformerDecoderLayer``, ``TransformerEncoder``,
``TransformerDecoder`` and ``Transformer``.

Note (all classes): torch's fast paths (``_transformer_encoder_layer_fwd`` and nested tensors,
taken in eval mode without autograd) are not implemented; the math path computes the same values,
except that torch's nested-tensor encoder path returns zeros at padded positions. An ``is_causal``
left as ``None`` is not detected by comparing the mask with a causal one (that would need a host
sync): the mask is applied as given, which gives the same values.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, Callable

import jax
import jax.numpy as jnp

from .. import _checks, init
from . import functional as F
from ._activation import GELU, ReLU
from ._attention import MultiheadAttention
from ._containers import ModuleList
from ._dropout import Dropout
from ._linear import Linear
from ._module import Module
from ._normalization import LayerNorm
from .functional._attention import _canonical_mask, _none_or_dtype
from .functional._common import _v

__all__ = ['Transformer', 'TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderLayer',
           'TransformerDecoderLayer']


def _generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> jax.Array:
    _checks.check_device(device)
    return jnp.triu(jnp.full((sz, sz), -jnp.inf, dtype=jnp.float32 if dtype is None else dtype), k=1)


def _get_clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_activation_fn(activation: str) -> Callable[[Any], jax.Array]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class TransformerEncoderLayer(Module):
    r"""Self-attention then a feed-forward block, each with a residual and a LayerNorm.

    ``norm_first=False``: ``x = norm1(x + SA(x))``, ``x = norm2(x + FF(x))``; ``norm_first=True``:
    ``x = x + SA(norm1(x))``, ``x = x + FF(norm2(x))``; ``FF(x) = dropout2(linear2(dropout(act(linear1(x)))))``
    and ``SA(x) = dropout1(self_attn(x, x, x)[0])``.

    Args:
        d_model, nhead: width and heads of ``self_attn``. dim_feedforward: ``linear1`` width (2048).
        dropout: for attention weights and the three dropouts (0.1). activation: ``'relu'``, ``'gelu'`` or a
        callable (a Module one is registered as ``activation``). layer_norm_eps: 1e-5. batch_first, norm_first,
        bias: as torch.

    Shape: src ``(S, N, E)`` (``(N, S, E)`` with batch_first) or ``(S, E)``; the output has its shape.

    Attributes:
        self_attn.in_proj_weight: (3*d_model, d_model), xavier_uniform_: U(-a, a) with a = sqrt(6/(4*d_model)).
        self_attn.in_proj_bias: (3*d_model,), zeros; None if bias=False.
        self_attn.out_proj.weight: (d_model, d_model), U(-sqrt(k), sqrt(k)) with k = 1/d_model.
        self_attn.out_proj.bias: (d_model,), zeros; None if bias=False.
        linear1.weight: (dim_feedforward, d_model), U(-sqrt(k), sqrt(k)) with k = 1/d_model.
        linear1.bias: (dim_feedforward,), U(-sqrt(k), sqrt(k)) with k = 1/d_model; None if bias=False.
        linear2.weight: (d_model, dim_feedforward), U(-sqrt(k), sqrt(k)) with k = 1/dim_feedforward.
        linear2.bias: (d_model,), U(-sqrt(k), sqrt(k)) with k = 1/dim_feedforward; None if bias=False.
        norm1.weight, norm2.weight: (d_model,), ones.
        norm1.bias, norm2.bias: (d_model,), zeros; None if bias=False.

    Note: see the module docstring (fast paths are not implemented; the math path gives the same values).

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0).eval()
    >>> y = m(jnp.ones((5, 2, 8)), src_mask=tp.nn.Transformer.generate_square_subsequent_mask(5))
    >>> y.shape, y.dtype
    ((5, 2, 8), dtype('float32'))
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Any], Any] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            device=device, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, device=device, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, device=device, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> jax.Array:
        x = jnp.asarray(_v(src))
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _none_or_dtype(src_mask), "src_mask", x.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", x.dtype, check_other=False)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: jax.Array, attn_mask: Any, key_padding_mask: Any, is_causal: bool = False) -> jax.Array:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: jax.Array) -> jax.Array:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    r"""Self-attention, cross-attention on ``memory``, then a feed-forward block (residuals and LayerNorms).

    ``norm_first=False``: ``x = norm1(x + SA(x))``, ``x = norm2(x + MHA(x, mem))``, ``x = norm3(x + FF(x))``;
    ``norm_first=True`` moves each norm inside its residual branch.

    Args: as :class:`TransformerEncoderLayer`.

    Shape: tgt ``(T, N, E)``, memory ``(S, N, E)`` (batch first with ``batch_first``); output as tgt.

    Attributes:
        self_attn.in_proj_weight: (3*d_model, d_model), xavier_uniform_: U(-a, a) with a = sqrt(6/(4*d_model)).
        self_attn.in_proj_bias: (3*d_model,), zeros; None if bias=False.
        self_attn.out_proj.weight: (d_model, d_model), U(-sqrt(k), sqrt(k)) with k = 1/d_model.
        self_attn.out_proj.bias: (d_model,), zeros; None if bias=False.
        multihead_attn.in_proj_weight: (3*d_model, d_model), xavier_uniform_: U(-a, a) with a = sqrt(6/(4*d_model)).
        multihead_attn.in_proj_bias: (3*d_model,), zeros; None if bias=False.
        multihead_attn.out_proj.weight: (d_model, d_model), U(-sqrt(k), sqrt(k)) with k = 1/d_model.
        multihead_attn.out_proj.bias: (d_model,), zeros; None if bias=False.
        linear1.weight: (dim_feedforward, d_model), U(-sqrt(k), sqrt(k)) with k = 1/d_model.
        linear1.bias: (dim_feedforward,), U(-sqrt(k), sqrt(k)) with k = 1/d_model; None if bias=False.
        linear2.weight: (d_model, dim_feedforward), U(-sqrt(k), sqrt(k)) with k = 1/dim_feedforward.
        linear2.bias: (d_model,), U(-sqrt(k), sqrt(k)) with k = 1/dim_feedforward; None if bias=False.
        norm1.weight, norm2.weight, norm3.weight: (d_model,), ones.
        norm1.bias, norm2.bias, norm3.bias: (d_model,), zeros; None if bias=False.

    Note: see the module docstring.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> y = m.eval()(jnp.ones((2, 4, 8)), jnp.ones((2, 5, 8)))
    >>> y.shape, y.dtype
    ((2, 4, 8), dtype('float32'))
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Any], Any] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                            device=device, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                 bias=bias, device=device, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, device=device, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, device=device, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _get_activation_fn(activation) if isinstance(activation, str) else activation

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> jax.Array:
        x, memory = jnp.asarray(_v(tgt)), jnp.asarray(_v(memory))
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x: jax.Array, attn_mask: Any, key_padding_mask: Any, is_causal: bool = False) -> jax.Array:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x: jax.Array, mem: jax.Array, attn_mask: Any, key_padding_mask: Any,
                   is_causal: bool = False) -> jax.Array:
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x: jax.Array) -> jax.Array:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerEncoder(Module):
    r"""``num_layers`` deep copies of ``encoder_layer`` applied in turn, then the optional ``norm``.

    The copies are ``copy.deepcopy``: they start with identical weights and no random draw is made; the
    ``encoder_layer`` object itself is not registered.

    Args:
        encoder_layer: the layer to clone. num_layers: how many. norm: optional final norm.
        enable_nested_tensor, mask_check: kept for torch's attributes and warning (no fast path here).

    Shape: as :class:`TransformerEncoderLayer`.

    Attributes:
        layers.{i}.*: for i < num_layers, deep copies of ``encoder_layer``'s parameters (same values, no new draw).
        norm.*: the parameters of ``norm`` as given (none when ``norm`` is None).

    Note: see the module docstring.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> layer = tp.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> m = tp.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    >>> y = m(jnp.ones((2, 5, 8)), src_key_padding_mask=jnp.zeros((2, 5), bool))
    >>> y.shape, y.dtype, len(m.layers)
    ((2, 5, 8), dtype('float32'), 2)
    """

    __constants__ = ["norm"]

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_sparsity_fast_path(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}",
                          stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src: Any, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> jax.Array:
        output = jnp.asarray(_v(src))
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask", _none_or_dtype(mask),
                                               "mask", output.dtype)
        mask = _canonical_mask(mask, "mask", None, "", output.dtype, check_other=False)
        is_causal = is_causal is True
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


def _why_not_sparsity_fast_path(layer: Any) -> str:
    """torch's reasons (checked in this order) why ``TransformerEncoder`` would not use nested tensors."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    if layer.norm_first:
        return f"{name}.norm_first was True"
    if not layer.self_attn.batch_first:
        return f"{name}.self_attn.batch_first was not True(use batch_first for better inference performance)"
    if not layer.self_attn._qkv_same_embed_dim:
        return f"{name}.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return f"{name}.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return f"{name}.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return f"{name}.self_attn.num_heads is odd"
    return ""


class TransformerDecoder(Module):
    r"""``num_layers`` deep copies of ``decoder_layer`` applied in turn on ``(tgt, memory)``, then ``norm``.

    Args: decoder_layer, num_layers, norm (as :class:`TransformerEncoder`).

    Shape: as :class:`TransformerDecoderLayer`.

    Attributes:
        layers.{i}.*: for i < num_layers, deep copies of ``decoder_layer``'s parameters (same values, no new draw).
        norm.*: the parameters of ``norm`` as given (none when ``norm`` is None).

    Note: see the module docstring.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.TransformerDecoder(tp.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16), 2)
    >>> causal = tp.nn.Transformer.generate_square_subsequent_mask(4)
    >>> y = m(jnp.ones((4, 2, 8)), jnp.ones((5, 2, 8)), tgt_mask=causal)
    >>> y.shape, y.dtype
    ((4, 2, 8), dtype('float32'))
    """

    __constants__ = ["norm"]

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> jax.Array:
        output = jnp.asarray(_v(tgt))
        tgt_is_causal = tgt_is_causal is True
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    r"""Encoder-decoder Transformer: ``decoder(tgt, encoder(src))``, each a stack with a final LayerNorm.

    Construction (torch's draw order): encoder layer, its deep copies, encoder norm, decoder layer, its
    copies, decoder norm, then ``xavier_uniform_`` on every parameter with ``dim > 1`` in parameter order
    (so weights differ per layer while biases stay identical copies).

    Args:
        d_model (512), nhead (8), num_encoder_layers (6), num_decoder_layers (6), dim_feedforward (2048),
        dropout (0.1), activation, custom_encoder, custom_decoder, layer_norm_eps, batch_first, norm_first,
        bias: as torch.

    Shape: src ``(S, N, E)``, tgt ``(T, N, E)`` (batch first with ``batch_first``); output ``(T, N, E)``.

    Attributes:
        *_attn.in_proj_weight: (3*d_model, d_model), xavier_uniform_, i.e. U(-a, a) with a = sqrt(6/(4*d_model)).
        *_attn.in_proj_bias: (3*d_model,), zeros; None if bias=False.
        *_attn.out_proj.weight: (d_model, d_model), xavier_uniform_ (a = sqrt(6/(2*d_model))).
        *_attn.out_proj.bias: (d_model,), zeros; None if bias=False.
        *.linear1.weight: (dim_feedforward, d_model), xavier_uniform_ (a = sqrt(6/(d_model + dim_feedforward))).
        *.linear1.bias: (dim_feedforward,), U(-sqrt(k), sqrt(k)) with k = 1/d_model; None if bias=False.
        *.linear2.weight: (d_model, dim_feedforward), xavier_uniform_ (a = sqrt(6/(d_model + dim_feedforward))).
        *.linear2.bias: (d_model,), U(-sqrt(k), sqrt(k)) with k = 1/dim_feedforward; None if bias=False.
        *.norm*.weight: (d_model,), ones.
        *.norm*.bias: (d_model,), zeros; None if bias=False.

    The names are glob patterns over ``encoder.layers.{i}`` (i < num_encoder_layers: ``self_attn``,
    ``linear1/2``, ``norm1/2``), ``decoder.layers.{i}`` (i < num_decoder_layers: also ``multihead_attn`` and
    ``norm3``), ``encoder.norm`` and ``decoder.norm``. The biases are the same in every layer (deep copies). A
    ``custom_encoder``/``custom_decoder`` keeps its own parameters, those with ``dim > 1`` redrawn by
    ``xavier_uniform_``.

    Note: see the module docstring. The encoder is built with torch's default ``enable_nested_tensor=True``,
    so torch's warning about the nested-tensor path is emitted as torch emits it.

    >>> import warnings, torchlike_params as tp, jax.numpy as jnp
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = tp.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    >>> y = m(jnp.ones((5, 2, 8)), jnp.ones((4, 2, 8)), tgt_mask=m.generate_square_subsequent_mask(4))
    >>> y.shape, y.dtype
    ((4, 2, 8), dtype('float32'))
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Any], Any] = F.relu, custom_encoder: Any | None = None,
                 custom_decoder: Any | None = None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                                    layer_norm_eps, batch_first, norm_first, bias, device=device,
                                                    dtype=dtype)
            encoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
            self.encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                                    layer_norm_eps, batch_first, norm_first, bias, device=device,
                                                    dtype=dtype)
            decoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, device=device, dtype=dtype)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Any, tgt: Any, src_mask: Any = None, tgt_mask: Any = None, memory_mask: Any = None,
                src_key_padding_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> jax.Array:
        src, tgt = jnp.asarray(_v(src)), jnp.asarray(_v(tgt))
        is_batched = src.ndim == 3
        if not self.batch_first and src.shape[1] != tgt.shape[1] and is_batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if self.batch_first and src.shape[0] != tgt.shape[0] and is_batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> jax.Array:
        """The causal float mask: ``-inf`` above the diagonal, 0 elsewhere (``dtype`` defaults to float32).

        >>> import torchlike_params as tp
        >>> tp.nn.Transformer.generate_square_subsequent_mask(3).tolist()
        [[0.0, -inf, -inf], [0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
        """
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        """``xavier_uniform_`` on every parameter with more than one dimension, in parameter order.

        >>> import warnings, torchlike_params as tp
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     tp.nn.Transformer(4, 2, 1, 1, 8)._reset_parameters()
        """
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
