"""``MultiheadAttention`` with torch's constructor, checks, parameters, draw order and repr."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import init
from .._factories import empty
from .._parameter import Parameter
from .functional._attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward
from .functional._common import _v
from ._linear import Linear
from ._module import Module

__all__ = ['MultiheadAttention']


class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for ``MultiheadAttention.out_proj``: a plain :class:`Linear` (the name shows in the repr).

    Attributes:
        weight: (out_features, in_features), U(-sqrt(k), sqrt(k)) with k = 1/in_features (Linear's init).
        bias: (out_features,), U(-sqrt(k), sqrt(k)) with k = 1/in_features (MultiheadAttention then zeroes it);
            None if bias=False.

    >>> import torchlike_params as tp
    >>> tp.nn.MultiheadAttention(4, 2).out_proj
    NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
    """


class MultiheadAttention(Module):
    r"""``MultiHead(Q, K, V) = concat(head_1..head_h) W_O^T + b_O``, ``head_i = softmax(Q_i K_i^T / sqrt(d)) V_i``.

    ``Q_i, K_i, V_i`` are slices of ``query W_q^T + b_q`` (etc.), with the projections packed in
    ``in_proj_weight (3E, E)`` when ``kdim == vdim == embed_dim`` and separate
    ``q_proj_weight (E, E)``, ``k_proj_weight (E, kdim)``, ``v_proj_weight (E, vdim)`` otherwise.

    Default init, in torch's draw order: ``out_proj`` (a Linear: kaiming weight, then a bias draw that
    is later zeroed), ``xavier_uniform_`` on ``in_proj_weight`` (or q, k, v), zero ``in_proj_bias`` and
    ``out_proj.bias``, ``xavier_normal_`` on ``bias_k`` then ``bias_v``.

    Args:
        embed_dim: model width ``E``; num_heads: heads (``E`` must divide evenly).
        dropout: dropout on the attention weights (training only).
        bias: in/out projection biases. add_bias_kv: learned ``bias_k``/``bias_v`` rows appended to K/V.
        add_zero_attn: append a zero row to K/V. kdim, vdim: key/value widths (default ``E``).
        batch_first: inputs/outputs are ``(N, L, E)``.

    Shape:
        query ``(L, N, E)`` (``(N, L, E)`` with batch_first) or ``(L, E)``; key/value ``(S, N, kdim/vdim)``.
        ``key_padding_mask (N, S)``, ``attn_mask (L, S)`` or ``(N*num_heads, L, S)``: bool (True = ignore) or
        float (added). Returns ``(attn_output, attn_weights or None)``.

    Attributes:
        in_proj_weight: (3*embed_dim, embed_dim), xavier_uniform_, i.e. U(-a, a) with a = sqrt(6/(4*embed_dim));
            None unless kdim == vdim == embed_dim.
        q_proj_weight: (embed_dim, embed_dim), xavier_uniform_ (a = sqrt(6/(2*embed_dim)));
            None unless kdim or vdim differs from embed_dim (likewise k_proj_weight, v_proj_weight).
        k_proj_weight: (embed_dim, kdim), xavier_uniform_ (a = sqrt(6/(embed_dim + kdim))).
        v_proj_weight: (embed_dim, vdim), xavier_uniform_ (a = sqrt(6/(embed_dim + vdim))).
        in_proj_bias: (3*embed_dim,), zeros; None if bias=False.
        out_proj.weight: (embed_dim, embed_dim), U(-sqrt(k), sqrt(k)) with k = 1/embed_dim (Linear's init).
        out_proj.bias: (embed_dim,), zeros; None if bias=False.
        bias_k: (1, 1, embed_dim), xavier_normal_: N(0, std=1/sqrt(embed_dim)); None unless add_bias_kv=True.
        bias_v: (1, 1, embed_dim), xavier_normal_: N(0, std=1/sqrt(embed_dim)); None unless add_bias_kv=True.

    Note:
        torch's fast path (``_native_multi_head_attention``, nested tensors) is not implemented; the math
        path gives the same values. Dropout bits differ from torch's.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, batch_first=True)
    >>> out, w = m(jnp.ones((2, 3, 8)), jnp.ones((2, 5, 4)), jnp.ones((2, 5, 6)))
    >>> out.shape, w.shape, out.dtype, m.in_proj_weight is None
    ((2, 3, 8), (2, 3, 5), dtype('float32'), True)
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), device=device, dtype=dtype))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), device=device, dtype=dtype))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), device=device, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), device=device, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, device=device, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), device=device, dtype=dtype))
            self.bias_v = Parameter(empty((1, 1, embed_dim), device=device, dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """torch's ``_reset_parameters``: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v.

        >>> import torchlike_params as tp
        >>> tp.nn.MultiheadAttention(4, 2, bias=False)._reset_parameters()
        """
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[jax.Array, jax.Array | None]:
        query, key, value = jnp.asarray(_v(query)), jnp.asarray(_v(key)), jnp.asarray(_v(value))
        is_batched = query.ndim == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if self.batch_first and is_batched:
            query, key, value = (jnp.swapaxes(x, 0, 1) for x in (query, key, value))
        separate = {} if self._qkv_same_embed_dim else dict(
            use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight)
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if self.batch_first and is_batched:
            out = jnp.swapaxes(out, 0, 1)
        return out, weights

    def merge_masks(self, attn_mask: Any, key_padding_mask: Any, query: Any) -> tuple[jax.Array | None, int | None]:
        """torch's ``merge_masks``: one mask of type 0 (attn), 1 (padding) or 2 (both, ``(N, heads, L, L)``).

        >>> import torchlike_params as tp, jax.numpy as jnp
        >>> m, t = tp.nn.MultiheadAttention(4, 2).merge_masks(jnp.zeros((3, 3)), jnp.zeros((2, 3)), jnp.ones((2, 3, 4)))
        >>> m.shape, t
        ((2, 2, 3, 3), 2)
        """
        mask_type, merged = None, None
        kpm = None if key_padding_mask is None else jnp.asarray(_v(key_padding_mask))
        if kpm is not None:
            mask_type, merged = 1, kpm
        if attn_mask is not None:
            am = jnp.asarray(_v(attn_mask))
            batch_size, seq_len, _ = jnp.shape(_v(query))
            mask_type = 2
            if am.ndim == 3:
                merged = am.reshape(batch_size, -1, seq_len, seq_len)
            else:
                merged = jnp.broadcast_to(am.reshape(1, 1, seq_len, seq_len),
                                          (batch_size, self.num_heads, seq_len, seq_len))
            if kpm is not None:
                merged = merged + jnp.broadcast_to(kpm.reshape(batch_size, 1, 1, seq_len),
                                                   (batch_size, self.num_heads, 1, seq_len))
        return merged, mask_type
