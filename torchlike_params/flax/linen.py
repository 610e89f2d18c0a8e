"""``flax.linen`` layers with torch's default initialization (and torch's padding 0 for convs).

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
