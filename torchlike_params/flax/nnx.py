"""``flax.nnx`` layers with torch's defaults: initialization, convs' padding 0, norms' eps/momentum.

Thin subclasses: the constructor takes the Flax arguments (positional ones as in Flax, the
rest by keyword and passed through) and changes only the defaults of ``kernel_init``,
``bias_init``, ``embedding_init`` and ``padding``. The state (``kernel``, ``bias``,
``embedding``) is the parent's, so checkpoints stay interchangeable. ``in_features`` is
known here, so the bias's torch fan_in is computed before Flax draws it.

>>> import jax.numpy as jnp
>>> from flax import nnx
>>> from torchlike_params.flax import nnx as tnnx
>>> m = tnnx.Linear(16, 4, rngs=nnx.Rngs(0))
>>> m.kernel.shape, m.bias.dtype, bool((abs(m.bias[...]) <= 0.25).all())
((16, 4), dtype('float32'), True)
"""

from __future__ import annotations

from typing import Any, Sequence

from flax import nnx
from flax.nnx.nn.linear import PaddingLike

from ._initializers import bind, torch_bias_init, torch_embed_init, torch_kernel_init
from ._torch_defaults import torch_mha_out_init, torch_mha_qkv_init, torch_rnn_init

Initializer = Any


def _kernel_size(kernel_size: int | Sequence[int]) -> tuple[int, ...]:
    return (kernel_size,) if isinstance(kernel_size, int) else tuple(kernel_size)


class Linear(nnx.Linear):
    r"""``flax.nnx.Linear`` with torch ``nn.Linear``'s init.

    kernel ``(in, out)`` ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{in}})`, bias ~
    :math:`\mathcal{U}(\pm 1/\sqrt{\text{in}})`.

    >>> import jax.numpy as jnp
    >>> m = Linear(4, 8, param_dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
    >>> m.kernel.shape, m.kernel.dtype
    ((4, 8), dtype(bfloat16))

    Note: the values follow torch's distribution, not torch's RNG stream.
    """

    def __init__(self, in_features: int, out_features: int, *,
                 kernel_init: Initializer = torch_kernel_init("dense"),
                 bias_init: Initializer = torch_bias_init(), rngs: nnx.Rngs, **kwargs: Any):
        kernel_shape = (in_features, out_features)
        super().__init__(in_features, out_features,
                         kernel_init=bind(kernel_init, "dense", kernel_shape),
                         bias_init=bind(bias_init, "dense", kernel_shape), rngs=rngs, **kwargs)


class Conv(nnx.Conv):
    r"""``flax.nnx.Conv`` with torch ``nn.Conv{1,2,3}d``'s init and padding.

    kernel ``(*k, in/groups, out)`` and bias ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`,
    ``fan_in = in/groups * prod(k)``; ``padding='VALID'`` (torch's ``padding=0``).

    >>> import jax.numpy as jnp
    >>> m = Conv(4, 16, (3, 3), feature_group_count=2, rngs=nnx.Rngs(0))
    >>> m(jnp.ones((1, 8, 8, 4))).shape, m.kernel.shape, m.kernel.dtype
    ((1, 6, 6, 16), (3, 3, 2, 16), dtype('float32'))

    Note: channels-last; a torch weight maps to the kernel by ``weight.permute(2, 3, 1, 0)``.
    """

    def __init__(self, in_features: int, out_features: int, kernel_size: int | Sequence[int],
                 strides: None | int | Sequence[int] = 1, *, padding: PaddingLike = "VALID",
                 feature_group_count: int = 1,
                 kernel_init: Initializer = torch_kernel_init("conv"),
                 bias_init: Initializer = torch_bias_init(), rngs: nnx.Rngs, **kwargs: Any):
        groups = max(int(feature_group_count), 1)
        kernel_shape = _kernel_size(kernel_size) + (in_features // groups, out_features)
        super().__init__(in_features, out_features, kernel_size, strides, padding=padding,
                         feature_group_count=feature_group_count,
                         kernel_init=bind(kernel_init, "conv", kernel_shape),
                         bias_init=bind(bias_init, "conv", kernel_shape), rngs=rngs, **kwargs)


class ConvTranspose(nnx.ConvTranspose):
    r"""``flax.nnx.ConvTranspose`` with torch ``nn.ConvTranspose{1,2,3}d``'s init and padding.

    kernel and bias ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})` with torch's
    ``fan_in = out * prod(k)``; ``padding='VALID'``. The kernel is ``(*k, in, out)``, or
    ``(*k, out, in)`` with ``transpose_kernel=True``; the init follows either layout.

    >>> import jax.numpy as jnp
    >>> m = ConvTranspose(8, 4, (3, 3), strides=(2, 2), rngs=nnx.Rngs(0))
    >>> m(jnp.ones((1, 5, 5, 8))).shape, m.kernel.shape, m.kernel.dtype
    ((1, 11, 11, 4), (3, 3, 8, 4), dtype('float32'))

    Note: Flax's ConvTranspose has no ``groups``. ``'VALID'`` equals torch's ``padding=0`` only
    when every stride <= its (dilated) kernel size; otherwise pass ``padding=[(d*(k-1), d*(k-1))]``
    per dimension. To run a torch weight, use ``transpose_kernel=True`` and
    ``weight.permute(2, 3, 1, 0)``.
    """

    def __init__(self, in_features: int, out_features: int, kernel_size: int | Sequence[int],
                 strides: int | Sequence[int] | None = None, *, padding: PaddingLike = "VALID",
                 transpose_kernel: bool = False,
                 kernel_init: Initializer = torch_kernel_init("conv_transpose"),
                 bias_init: Initializer = torch_bias_init(), rngs: nnx.Rngs, **kwargs: Any):
        k = _kernel_size(kernel_size)
        kernel_shape = k + ((out_features, in_features) if transpose_kernel else (in_features, out_features))
        bound = dict(transpose_kernel=transpose_kernel)
        super().__init__(in_features, out_features, kernel_size, strides, padding=padding,
                         transpose_kernel=transpose_kernel,
                         kernel_init=bind(kernel_init, "conv_transpose", kernel_shape, **bound),
                         bias_init=bind(bias_init, "conv_transpose", kernel_shape, **bound),
                         rngs=rngs, **kwargs)


class Embed(nnx.Embed):
    r"""``flax.nnx.Embed`` with torch ``nn.Embedding``'s init: :math:`\mathcal{N}(0, 1)`.

    >>> m = Embed(10, 3, rngs=nnx.Rngs(0))
    >>> m.embedding.shape, m.embedding.dtype
    ((10, 3), dtype('float32'))

    Note: no ``padding_idx``, ``max_norm`` or ``scale_grad_by_freq`` (Flax has none).
    """

    def __init__(self, num_embeddings: int, features: int, *,
                 embedding_init: Initializer = torch_embed_init(), rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(num_embeddings, features, embedding_init=embedding_init, rngs=rngs, **kwargs)


class LayerNorm(nnx.LayerNorm):
    """``flax.nnx.LayerNorm`` with torch ``nn.LayerNorm``'s ``eps=1e-5`` and exact variance.

    >>> import jax.numpy as jnp
    >>> m = LayerNorm(3, rngs=nnx.Rngs(0))
    >>> m(jnp.arange(6.0).reshape(2, 3)).shape, m.epsilon
    ((2, 3), 1e-05)
    """

    def __init__(self, num_features: int, *, epsilon: float = 1e-5, use_fast_variance: bool = False,
                 rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(num_features, epsilon=epsilon, use_fast_variance=use_fast_variance, rngs=rngs, **kwargs)


class GroupNorm(nnx.GroupNorm):
    """``flax.nnx.GroupNorm`` with torch ``nn.GroupNorm``'s ``eps=1e-5`` and exact variance.

    >>> import jax.numpy as jnp
    >>> m = GroupNorm(4, num_groups=2, rngs=nnx.Rngs(0))
    >>> m(jnp.ones((1, 5, 4))).shape, m.epsilon
    ((1, 5, 4), 1e-05)
    """

    def __init__(self, num_features: int, num_groups: int | None = 32, group_size: int | None = None, *,
                 epsilon: float = 1e-5, use_fast_variance: bool = False, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(num_features, num_groups, group_size, epsilon=epsilon,
                         use_fast_variance=use_fast_variance, rngs=rngs, **kwargs)


class BatchNorm(nnx.BatchNorm):
    """``flax.nnx.BatchNorm`` with torch's ``momentum=0.1`` (Flax ``momentum=0.9``) and ``eps=1e-5``.

    >>> m = BatchNorm(3, rngs=nnx.Rngs(0))
    >>> m.momentum, m.epsilon
    (0.9, 1e-05)

    Note: the running variance averages the biased batch variance (torch: unbiased).
    """

    def __init__(self, num_features: int, *, momentum: float = 0.9, epsilon: float = 1e-5,
                 use_fast_variance: bool = False, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(num_features, momentum=momentum, epsilon=epsilon, use_fast_variance=use_fast_variance,
                         rngs=rngs, **kwargs)


class MultiHeadAttention(nnx.MultiHeadAttention):
    """``flax.nnx.MultiHeadAttention`` with torch ``nn.MultiheadAttention``'s init.

    Kernels: :func:`~torchlike_params.flax.torch_mha_qkv_init` / ``torch_mha_out_init``; zero
    biases; ``broadcast_dropout=False``; ``decode=False``.

    >>> import jax.numpy as jnp
    >>> m = MultiHeadAttention(2, 8, rngs=nnx.Rngs(0))
    >>> m(jnp.ones((1, 3, 8))).shape, m.query.kernel.shape
    ((1, 3, 8), (8, 2, 4))
    """

    def __init__(self, num_heads: int, in_features: int, *args: Any,
                 kernel_init: Initializer = torch_mha_qkv_init(), out_kernel_init: Initializer = torch_mha_out_init(),
                 broadcast_dropout: bool = False, decode: bool = False, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(num_heads, in_features, *args, kernel_init=kernel_init, out_kernel_init=out_kernel_init,
                         broadcast_dropout=broadcast_dropout, decode=decode, rngs=rngs, **kwargs)


def _rnn_kwargs(hidden_features: int, kwargs: dict) -> dict:
    init = torch_rnn_init(hidden_features)
    for name in ("kernel_init", "recurrent_kernel_init", "bias_init"):
        kwargs.setdefault(name, init)
    return kwargs


class LSTMCell(nnx.LSTMCell):
    r"""``flax.nnx.LSTMCell`` with torch's init: every kernel and bias :math:`\mathcal{U}(\pm 1/\sqrt{H})`.

    >>> m = LSTMCell(3, 4, rngs=nnx.Rngs(0))
    >>> bool((abs(m.hi.bias[...]) <= 0.5).all())
    True
    """

    def __init__(self, in_features: int, hidden_features: int, *, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(in_features, hidden_features, rngs=rngs, **_rnn_kwargs(hidden_features, kwargs))


class OptimizedLSTMCell(nnx.OptimizedLSTMCell):
    r"""``flax.nnx.OptimizedLSTMCell`` with torch's init, :math:`\mathcal{U}(\pm 1/\sqrt{H})` (``H`` given, not read from the fused kernel).

    >>> m = OptimizedLSTMCell(3, 4, rngs=nnx.Rngs(0))
    >>> m.dense_i.kernel.shape, bool((abs(m.dense_i.kernel[...]) <= 0.5).all())
    ((3, 16), True)
    """

    def __init__(self, in_features: int, hidden_features: int, *, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(in_features, hidden_features, rngs=rngs, **_rnn_kwargs(hidden_features, kwargs))


class GRUCell(nnx.GRUCell):
    r"""``flax.nnx.GRUCell`` with torch's init: every kernel and bias :math:`\mathcal{U}(\pm 1/\sqrt{H})`.

    >>> m = GRUCell(3, 4, rngs=nnx.Rngs(0))
    >>> m.dense_h.kernel.shape
    (4, 12)

    Note: ``flax.nnx.GRUCell`` has no hidden-side bias on the ``n`` gate (torch's ``b_hn``).
    """

    def __init__(self, in_features: int, hidden_features: int, *, rngs: nnx.Rngs, **kwargs: Any):
        super().__init__(in_features, hidden_features, rngs=rngs, **_rnn_kwargs(hidden_features, kwargs))
