"""torch's default initializers for the Flax layers beyond Dense/Conv/Embed: attention and RNN cells.

All three follow the ``(key, shape, dtype)`` protocol and read the layout of their Flax
kernel from the layer type they are made for (never from a name):

========================== ======================= =============================================
initializer                Flax kernel             torch
========================== ======================= =============================================
:func:`torch_mha_qkv_init` ``(in, heads, head)``   ``xavier_uniform_`` on ``in_proj_weight
                                                   (3E, E)``: ``U(±sqrt(6 / (E + 3E)))``; with
                                                   ``in != heads*head`` (``kdim``/``vdim``) on the
                                                   separate ``(E, in)`` weight
:func:`torch_mha_out_init` ``(heads, head, out)``  ``out_proj`` (a ``Linear``):
                                                   ``U(±1/sqrt(heads*head))``
:func:`torch_rnn_init`     any                     ``U(±1/sqrt(hidden_size))``
========================== ======================= =============================================
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp

from ..initializers import _pure

Initializer = Callable[..., jax.Array]


def _qkv(key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
    n_in, n_out = shape[0], math.prod(shape[1:])
    fan_out = 3 * n_out if n_in == n_out else n_out
    bound = math.sqrt(6.0 / (n_in + fan_out))
    return _pure.uniform(key, shape, dtype, a=-bound, b=bound)


def _out(key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
    fan_in = math.prod(shape[:-1])
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return _pure.uniform(key, shape, dtype, a=-bound, b=bound)


def torch_mha_qkv_init() -> Initializer:
    r"""``MultiheadAttention``'s query/key/value init on a Flax ``(in, heads, head_dim)`` kernel.

    torch draws ``in_proj_weight (3E, E)`` with ``xavier_uniform_``:
    :math:`\mathcal{U}(\pm\sqrt{6 / (E + 3E)})`; each Flax projection kernel gets that bound.

    >>> k = torch_mha_qkv_init()(jax.random.key(0), (64, 4, 16))
    >>> k.shape, k.dtype, float(abs(k).max()) <= (6 / 256) ** 0.5
    ((64, 4, 16), dtype('float32'), True)

    Note: with ``in != heads*head_dim`` the bound is that of torch's separate ``(E, kdim)``
    weight; a query projection whose key/value dims differ gets the packed bound (torch: the
    separate one), since the initializer sees one kernel at a time.
    """
    return _qkv


def torch_mha_out_init() -> Initializer:
    r"""``MultiheadAttention.out_proj``'s init on a Flax ``(heads, head_dim, out)`` kernel.

    :math:`\mathcal{U}(\pm 1/\sqrt{\text{heads}\cdot\text{head\_dim}})` (a ``Linear``'s
    ``kaiming_uniform_(a=sqrt(5))``); torch then zeroes the bias (Flax's default).

    >>> k = torch_mha_out_init()(jax.random.key(0), (4, 16, 64))
    >>> k.shape, float(abs(k).max()) <= 1 / 8
    ((4, 16, 64), True)
    """
    return _out


def torch_rnn_init(hidden_size: int | None = None) -> Initializer:
    r"""``RNNBase``/``RNNCellBase``'s init: :math:`\mathcal{U}(\pm 1/\sqrt{\text{hidden\_size}})`.

    Without ``hidden_size`` it is the kernel's (or bias's) last dimension, which is right for
    the gate-by-gate kernels of ``flax.linen``'s ``LSTMCell``/``GRUCell`` (``(in, H)``,
    ``(H, H)``, ``(H,)``); the fused NNX cells need it given (their kernels are ``(in, 4H)``).

    >>> w = torch_rnn_init()(jax.random.key(0), (8, 16))
    >>> w.shape, float(abs(w).max()) <= 0.25
    ((8, 16), True)

    Note: torch adds two such biases (``b_ih + b_hh``) where Flax has one; that one is drawn
    from a single uniform, so the sum's (triangular) distribution is not matched.
    """
    if hidden_size is not None and (isinstance(hidden_size, bool) or not isinstance(hidden_size, int)
                                    or hidden_size <= 0):
        raise ValueError(f"Expected `hidden_size` to be a positive int, got {hidden_size!r}")

    def init(key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        h = hidden_size if hidden_size is not None else shape[-1]
        bound = 1.0 / math.sqrt(h)
        return _pure.uniform(key, shape, dtype, a=-bound, b=bound)

    return init


