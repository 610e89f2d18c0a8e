"""``flax.linen`` layers with torch's defaults: initialization, convs' padding 0, norms' eps/momentum.

Each class subclasses the Flax class and changes only defaults, so the parameter names,
shapes and tree (``{'kernel', 'bias'}``, ``{'embedding'}``) are those of the parent and
checkpoints stay interchangeable. Linen layers learn ``in_features`` from the first input,
so the bias init cannot know torch's fan_in up front: the default ``bias_init`` is the
placeholder :func:`~torchlike_params.flax.torch_bias_init` ``()``, and each preset's
``param`` fills it from the kernel it has just created (Flax 0.12 creates ``kernel`` before
``bias`` in Dense, Conv and ConvTranspose).

Note: the placeholder is resolved only when it is the ``bias_init`` itself; wrapped in
``nn.with_partitioning`` it cannot be seen, so pass ``torch_bias_init(fan_in)`` explicitly there.

>>> import jax, jax.numpy as jnp
>>> from torchlike_params.flax import linen as tnn
>>> v = tnn.Dense(4).init(jax.random.key(0), jnp.ones((1, 16)))
>>> jax.tree_util.tree_map(jnp.shape, v)
{'params': {'bias': (4,), 'kernel': (16, 4)}}
>>> bool((abs(v['params']['bias']) <= 0.25).all())     # U(+-1/sqrt(16))
True
"""

from __future__ import annotations

from typing import Any

import flax.linen as nn
from flax.core import meta
from flax.linen.linear import PaddingLike

from ._initializers import bind, torch_bias_init, torch_embed_init, torch_kernel_init
from ._torch_defaults import torch_mha_out_init, torch_mha_qkv_init, torch_rnn_init

Initializer = Any


class _TorchBias:
    """Mixin: resolve a placeholder ``bias_init`` from the kernel created just before it."""

    _torch_layer: str = "dense"

    @nn.nowrap
    def param(self, name: str, init_fn: Any, *init_args: Any, unbox: bool = True, **init_kwargs: Any) -> Any:
        transpose_kernel = bool(getattr(self, "transpose_kernel", False))
        if name == "kernel":
            kernel_shape = init_args[0]
            init_fn = bind(init_fn, self._torch_layer, kernel_shape, transpose_kernel=transpose_kernel)
        elif name == "bias":
            kernel_shape = meta.unbox(self.get_variable("params", "kernel")).shape
            init_fn = bind(init_fn, self._torch_layer, kernel_shape, transpose_kernel=transpose_kernel)
        return super().param(name, init_fn, *init_args, unbox=unbox, **init_kwargs)  # type: ignore[misc]


class Dense(_TorchBias, nn.Dense):
    r"""``flax.linen.Dense`` with torch ``nn.Linear``'s init.

    kernel ``(in, out)`` ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{in}})` (``kaiming_uniform_(a=sqrt(5))``
    on the torch weight), bias ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{in}})`.

    >>> import jax, jax.numpy as jnp
    >>> v = Dense(8, param_dtype=jnp.bfloat16).init(jax.random.key(0), jnp.ones((2, 4)))
    >>> v['params']['kernel'].shape, v['params']['kernel'].dtype
    ((4, 8), dtype(bfloat16))

    Note: the values follow torch's distribution, not torch's RNG stream: the same seed does not
    give the same numbers as ``torch.nn.Linear``.
    """

    kernel_init: Initializer = torch_kernel_init("dense")
    bias_init: Initializer = torch_bias_init()


class Conv(_TorchBias, nn.Conv):
    r"""``flax.linen.Conv`` with torch ``nn.Conv{1,2,3}d``'s init and padding.

    kernel ``(*k, in/groups, out)`` ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`, bias
    ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`, ``fan_in = in/groups * prod(k)``;
    ``padding='VALID'`` (torch's ``padding=0``; Flax's default is ``'SAME'``).

    >>> import jax, jax.numpy as jnp
    >>> y, v = Conv(16, (3, 3), feature_group_count=2).init_with_output(jax.random.key(0), jnp.ones((1, 8, 8, 4)))
    >>> y.shape, v['params']['kernel'].shape, v['params']['kernel'].dtype
    ((1, 6, 6, 16), (3, 3, 2, 16), dtype('float32'))

    Note: Flax is channels-last (NHWC input, HWIO kernel); a torch weight maps to the kernel by
    ``weight.permute(2, 3, 1, 0)``.
    """

    _torch_layer = "conv"
    padding: PaddingLike = "VALID"
    kernel_init: Initializer = torch_kernel_init("conv")
    bias_init: Initializer = torch_bias_init()


class ConvTranspose(_TorchBias, nn.ConvTranspose):
    r"""``flax.linen.ConvTranspose`` with torch ``nn.ConvTranspose{1,2,3}d``'s init and padding.

    kernel ~ :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})` and bias ~
    :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})` with torch's ``fan_in = out * prod(k)``
    (torch's weight is ``(in, out, *k)``); ``padding='VALID'``. The kernel is ``(*k, in, out)``,
    or ``(*k, out, in)`` with ``transpose_kernel=True``; the init follows either layout.

    >>> import jax, jax.numpy as jnp
    >>> y, v = ConvTranspose(4, (3, 3), strides=(2, 2)).init_with_output(jax.random.key(0), jnp.ones((1, 5, 5, 8)))
    >>> y.shape, v['params']['kernel'].shape, v['params']['kernel'].dtype
    ((1, 11, 11, 4), (3, 3, 8, 4), dtype('float32'))

    Note: Flax's ConvTranspose has no ``groups``. ``'VALID'`` equals torch's ``padding=0`` only
    when every stride <= its (dilated) kernel size; otherwise pass ``padding=[(d*(k-1), d*(k-1))]``
    per dimension. To run a torch weight, use ``transpose_kernel=True`` and
    ``weight.permute(2, 3, 1, 0)``; the default ``transpose_kernel=False`` does not flip the
    kernel, so its forward is not torch's.
    """

    _torch_layer = "conv_transpose"
    padding: PaddingLike = "VALID"
    kernel_init: Initializer = torch_kernel_init("conv_transpose")
    bias_init: Initializer = torch_bias_init()


class Embed(nn.Embed):
    r"""``flax.linen.Embed`` with torch ``nn.Embedding``'s init: :math:`\mathcal{N}(0, 1)`.

    >>> import jax, jax.numpy as jnp
    >>> v = Embed(10, 3).init(jax.random.key(0), jnp.array([1, 2]))
    >>> v['params']['embedding'].shape, v['params']['embedding'].dtype
    ((10, 3), dtype('float32'))

    Note: no ``padding_idx``, ``max_norm`` or ``scale_grad_by_freq`` (Flax has none).
    """

    embedding_init: Initializer = torch_embed_init()


class LayerNorm(nn.LayerNorm):
    """``flax.linen.LayerNorm`` with torch ``nn.LayerNorm``'s defaults: ``epsilon=1e-5``, exact variance.

    >>> import jax, jax.numpy as jnp
    >>> y, v = LayerNorm().init_with_output(jax.random.key(0), jnp.arange(6.0).reshape(2, 3))
    >>> y.shape, sorted(v['params'])
    ((2, 3), ['bias', 'scale'])
    """

    epsilon: float = 1e-5
    use_fast_variance: bool = False


class GroupNorm(nn.GroupNorm):
    """``flax.linen.GroupNorm`` with torch ``nn.GroupNorm``'s ``eps=1e-5`` and exact variance.

    >>> import jax, jax.numpy as jnp
    >>> y, v = GroupNorm(num_groups=2).init_with_output(jax.random.key(0), jnp.ones((1, 5, 4)))
    >>> y.shape, v['params']['scale'].shape
    ((1, 5, 4), (4,))

    Note: torch requires ``num_groups``; Flax's default (32) is kept.
    """

    epsilon: float = 1e-5
    use_fast_variance: bool = False


class BatchNorm(nn.BatchNorm):
    """``flax.linen.BatchNorm`` with torch's ``momentum=0.1`` (Flax ``momentum=0.9``) and ``eps=1e-5``.

    >>> import jax, jax.numpy as jnp
    >>> v = BatchNorm(use_running_average=False).init(jax.random.key(0), jnp.ones((4, 3)))
    >>> sorted(v), v['batch_stats']['var'].tolist()
    (['batch_stats', 'params'], [1.0, 1.0, 1.0])

    Note: Flax's running variance averages the biased batch variance; torch's the unbiased
    one (``n/(n-1)`` times larger). Outputs in training and in evaluation are the same.
    """

    momentum: float = 0.9
    epsilon: float = 1e-5
    use_fast_variance: bool = False


class MultiHeadDotProductAttention(nn.MultiHeadDotProductAttention):
    """``flax.linen.MultiHeadDotProductAttention`` with torch ``nn.MultiheadAttention``'s init.

    query/key/value kernels :func:`~torchlike_params.flax.torch_mha_qkv_init` (xavier on the
    packed projection), output kernel :func:`~torchlike_params.flax.torch_mha_out_init`,
    zero biases, and per-element dropout on the weights (``broadcast_dropout=False``).

    >>> import jax, jax.numpy as jnp
    >>> v = MultiHeadDotProductAttention(num_heads=2).init(jax.random.key(0), jnp.ones((1, 3, 8)))
    >>> v['params']['query']['kernel'].shape, v['params']['out']['bias'].tolist() == [0.0] * 8
    ((8, 2, 4), True)
    """

    kernel_init: Initializer = torch_mha_qkv_init()
    out_kernel_init: Initializer = torch_mha_out_init()
    broadcast_dropout: bool = False


class LSTMCell(nn.LSTMCell):
    r"""``flax.linen.LSTMCell`` with torch's init: every kernel and bias :math:`\mathcal{U}(\pm 1/\sqrt{H})`.

    >>> import jax, jax.numpy as jnp
    >>> cell = LSTMCell(4)
    >>> carry = cell.initialize_carry(jax.random.key(0), (2, 3))
    >>> v = cell.init(jax.random.key(0), carry, jnp.ones((2, 3)))
    >>> bool((abs(v['params']['hi']['bias']) <= 0.5).all())
    True
    """

    kernel_init: Initializer = torch_rnn_init()
    recurrent_kernel_init: Initializer = torch_rnn_init()
    bias_init: Initializer = torch_rnn_init()


class GRUCell(nn.GRUCell):
    r"""``flax.linen.GRUCell`` with torch's init: every kernel and bias :math:`\mathcal{U}(\pm 1/\sqrt{H})`.

    >>> import jax, jax.numpy as jnp
    >>> cell = GRUCell(4)
    >>> v = cell.init(jax.random.key(0), jnp.zeros((2, 4)), jnp.ones((2, 3)))
    >>> v['params']['ir']['kernel'].shape
    (3, 4)
    """

    kernel_init: Initializer = torch_rnn_init()
    recurrent_kernel_init: Initializer = torch_rnn_init()
    bias_init: Initializer = torch_rnn_init()
