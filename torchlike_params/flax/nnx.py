"""``flax.nnx`` layers with torch's default initialization (and torch's padding 0 for convs).

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
