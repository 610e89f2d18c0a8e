"""Attention functionals: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Both follow torch's math path (``torch.nn.functional``'s reference code), with torch's checks,
mask conventions and error messages; layouts are torch's.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from ._common import _v

__all__ = ['scaled_dot_product_attention', 'multi_head_attention_forward']


def _arr(x: Any) -> Any:
    """A box, a ``jax.Array`` or a NumPy array/Python value as a ``jax.Array`` (``None`` stays ``None``)."""
    return None if x is None else jnp.asarray(_v(x))


def _softmax(scores: jax.Array, safe: bool) -> jax.Array:
    """Softmax over the last axis; ``safe`` gives 0 (not NaN) on rows that are all ``-inf``, as torch's
    ``_safe_softmax`` in the SDPA math path does."""
    if not safe:
        return jax.nn.softmax(scores, axis=-1)
    dead = jnp.all(scores == -jnp.inf, axis=-1, keepdims=True)
    p = jax.nn.softmax(jnp.where(dead, 0.0, scores), axis=-1)
    return jnp.where(dead, 0.0, p)


def _dropout(x: jax.Array, p: float) -> jax.Array:
    from ._dropout import dropout
    return dropout(x, p=p, training=True)


def _canonical_mask(mask: Any, mask_name: str, other_type: Any, other_name: str, target_type: Any,
                    check_other: bool = True) -> jax.Array | None:
    """torch's ``F._canonical_mask``: a bool mask (True = masked out) becomes a float ``-inf``/0 mask."""
    if mask is None:
        return None
    mask = _arr(mask)
    is_float = jnp.issubdtype(mask.dtype, jnp.floating)
    if mask.dtype != jnp.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if not is_float:
        mask = jnp.where(mask, -jnp.inf, 0.0).astype(target_type)
    return mask


def _none_or_dtype(input: Any) -> Any:
    return None if input is None else _arr(input).dtype


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> jax.Array:
    r"""``softmax(Q K^T * scale + bias) V`` with ``scale = 1/sqrt(E)`` unless given.

    ``bias`` is ``-inf`` where a bool ``attn_mask`` is False (True = takes part), a float mask is
    added as is, and ``is_causal`` masks ``j > i`` (upper-left aligned when ``L != S``). Rows with
    every score ``-inf`` give 0, as torch's math path does. With ``enable_gqa``, key and value heads
    (dim -3) are repeated to the query's head count. Dropout (``dropout_p > 0``) is always applied,
    as in torch: pass 0.0 in eval mode.

    Args:
        query: ``(N, ..., Hq, L, E)``; key: ``(N, ..., H, S, E)``; value: ``(N, ..., H, S, Ev)``.
        attn_mask: bool or float, broadcastable to ``(N, ..., Hq, L, S)``.

    Returns: ``(N, ..., Hq, L, Ev)``.

    Note:
        Dropout draws from the current generator (``tp.key_scope`` under ``jax.jit``); its bits
        differ from torch's. ``attn_mask`` together with ``is_causal=True`` applies both masks, as
        torch's fused CPU kernel does (4-D inputs, equal head dims); torch's math fallback raises
        instead.

    >>> import jax.numpy as jnp
    >>> q = jnp.ones((2, 4, 3, 8)); kv = jnp.ones((2, 2, 5, 8))
    >>> out = scaled_dot_product_attention(q, kv, kv, is_causal=True, enable_gqa=True)
    >>> out.shape, out.dtype
    ((2, 4, 3, 8), dtype('float32'))
    """
    q, k, v, mask = _arr(query), _arr(key), _arr(value), _arr(attn_mask)
    if mask is not None and mask.dtype != jnp.bool_ and not jnp.issubdtype(mask.dtype, jnp.floating):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {mask.dtype} and  query.dtype: {q.dtype} instead.")
    L, S = q.shape[-2], k.shape[-2]
    scale_factor = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    if enable_gqa:
        for t in (q, k, v):
            if t.ndim < 3:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-t.ndim}, {t.ndim - 1}], "
                                 "but got -3)")
        hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        k = jnp.repeat(k, hq // hk, axis=-3)
        v = jnp.repeat(v, hq // hv, axis=-3)
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"Expected the last dimension of query and key to match, got {q.shape[-1]} and "
                           f"{k.shape[-1]}")
    scores = jnp.matmul(q, jnp.swapaxes(k, -1, -2)) * jnp.asarray(scale_factor, q.dtype)
    if is_causal:
        scores = jnp.where(jnp.tril(jnp.ones((L, S), jnp.bool_)), scores, -jnp.inf)
    if mask is not None:
        scores = jnp.where(mask, scores, -jnp.inf) if mask.dtype == jnp.bool_ else scores + mask.astype(q.dtype)
    weights = _softmax(scores, safe=True)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p)
    return jnp.matmul(weights, v)


def _mha_shape_check(query: jax.Array, key: jax.Array, value: jax.Array, key_padding_mask: Any, attn_mask: Any,
                     num_heads: int) -> bool:
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            if attn_mask.ndim == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if attn_mask.shape != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{_size(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor")


def _size(shape: tuple) -> str:
    """A shape printed as torch prints ``tensor.shape``."""
    return f"torch.Size([{', '.join(str(d) for d in shape)}])"


def _linear(x: jax.Array, w: jax.Array, b: jax.Array | None) -> jax.Array:
    y = jnp.matmul(x, w.T)
    return y if b is None else y + b


def multi_head_attention_forward(query: Any, key: Any, value: Any, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Any, in_proj_bias: Any, bias_k: Any, bias_v: Any,
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight: Any, out_proj_bias: Any,
                                 training: bool = True, key_padding_mask: Any = None, need_weights: bool = True,
                                 attn_mask: Any = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Any = None, k_proj_weight: Any = None, v_proj_weight: Any = None,
                                 static_k: Any = None, static_v: Any = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[jax.Array, jax.Array | None]:
    r"""Multi-head attention, torch's math path: ``concat_h(softmax(Q_h K_h^T / sqrt(d) + mask) V_h) W_o^T + b_o``
    with ``Q = q W_q^T + b_q`` (likewise K, V; packed in ``in_proj_weight (3E, E)`` or separate).

    Masks: ``key_padding_mask (N, S)`` and ``attn_mask (L, S)`` / ``(N*num_heads, L, S)``, bool (True =
    masked out) or float (added). ``is_causal`` is a hint: it needs ``attn_mask``, and with
    ``need_weights=False`` and no ``key_padding_mask`` the causal mask replaces it.

    Shape:
        query ``(L, N, E)`` or ``(L, E)``; key/value ``(S, N, E_k/E_v)`` or ``(S, E_k/E_v)``.
        Returns ``attn_output (L, N, E)`` and, when ``need_weights``, weights ``(N, L, S)`` averaged over
        heads or ``(N, num_heads, L, S)``.

    Note:
        Dropout draws from the current generator (``tp.key_scope`` under ``jax.jit``); its bits differ from
        torch's. A mask given as a NumPy array or a Python list is accepted.

    >>> import jax.numpy as jnp
    >>> x = jnp.ones((3, 2, 4))
    >>> out, w = multi_head_attention_forward(x, x, x, 4, 2, jnp.ones((12, 4)), jnp.zeros(12), None, None,
    ...                                        False, 0.0, jnp.eye(4), None)
    >>> out.shape, w.shape, out.dtype
    ((3, 2, 4), (2, 3, 3), dtype('float32'))
    """
    query, key, value = _arr(query), _arr(key), _arr(value)
    key_padding_mask, attn_mask = _arr(key_padding_mask), _arr(attn_mask)
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query[:, None], key[:, None], value[:, None]
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]

    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False

    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {_size(key.shape[:2])} do not match value's "
                                 f"{_size(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {_size(key.shape)} does not match value shape {_size(value.shape)}")

    b = _arr(in_proj_bias)
    b_q, b_k, b_v = (None, None, None) if b is None else jnp.split(b, 3)
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w_q, w_k, w_v = jnp.split(_arr(in_proj_weight), 3)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        w_q, w_k, w_v = _arr(q_proj_weight), _arr(k_proj_weight), _arr(v_proj_weight)
        Eq, Ek, Ev = query.shape[-1], key.shape[-1], value.shape[-1]
        for what, w, want in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
            if w.shape != want:
                raise AssertionError(f"expecting {what} weights shape of {want}, but got {_size(w.shape)}")
    q = _linear(query, w_q, b_q)
    k = _linear(key, w_k, b_k)
    v = _linear(value, w_v, b_v)

    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if attn_mask.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {_size(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask[None]
        elif attn_mask.ndim == 3:
            if attn_mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {_size(attn_mask.shape)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    pad1 = lambda m: None if m is None else jnp.pad(m, [(0, 0)] * (m.ndim - 1) + [(0, 1)])  # noqa: E731
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = jnp.concatenate([k, jnp.tile(_arr(bias_k), (1, bsz, 1))])
        v = jnp.concatenate([v, jnp.tile(_arr(bias_v), (1, bsz, 1))])
        attn_mask, key_padding_mask = pad1(attn_mask), pad1(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    q = jnp.swapaxes(q.reshape(tgt_len, bsz * num_heads, head_dim), 0, 1)
    heads = []
    for name, t, static in (("k", k, static_k), ("v", v, static_v)):
        if static is None:
            heads.append(jnp.swapaxes(t.reshape(t.shape[0], bsz * num_heads, head_dim), 0, 1))
            continue
        static = _arr(static)
        if static.shape[0] != bsz * num_heads:
            raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got {static.shape[0]}")
        if static.shape[2] != head_dim:
            raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got {static.shape[2]}")
        heads.append(static)
    k, v = heads

    if add_zero_attn:
        k = jnp.concatenate([k, jnp.zeros((bsz * num_heads, 1, head_dim), k.dtype)], axis=1)
        v = jnp.concatenate([v, jnp.zeros((bsz * num_heads, 1, head_dim), v.dtype)], axis=1)
        attn_mask, key_padding_mask = pad1(attn_mask), pad1(key_padding_mask)

    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = jnp.broadcast_to(key_padding_mask.reshape(bsz, 1, 1, src_len), (bsz, num_heads, 1, src_len))
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = jnp.matmul(q_scaled, jnp.swapaxes(k, -2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = _softmax(scores, safe=False)
        if dropout_p > 0.0:
            weights = _dropout(weights, dropout_p)
        out = jnp.matmul(weights, v)
        out = jnp.swapaxes(out, 0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear(out, _arr(out_proj_weight), _arr(out_proj_bias)).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(axis=1)
        if not is_batched:
            out, weights = out[:, 0], weights[0]
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask[None]
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = jnp.transpose(out, (2, 0, 1, 3)).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, _arr(out_proj_weight), _arr(out_proj_bias)).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out[:, 0]
    return out, None
