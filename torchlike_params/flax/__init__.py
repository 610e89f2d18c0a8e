"""The Flax boundary: torch's default initialization on Flax layouts.

Initializers in ``jax.nn.initializers``' ``(key, shape, dtype)`` protocol that compute
torch's fans on Flax kernels, the layout chosen by layer type (``'dense'``, ``'conv'``,
``'conv_transpose'``), plus presets for :mod:`flax.linen` (:mod:`.linen`) and
:mod:`flax.nnx` (:mod:`.nnx`): Dense/Linear, Conv, ConvTranspose and Embed with torch's
defaults and Flax's parameter names. Flax is imported here only, never by the core.

>>> import jax, jax.numpy as jnp
>>> from torchlike_params import flax as tflax
>>> k = tflax.torch_kernel_init('dense')(jax.random.key(0), (512, 256))
>>> b = tflax.torch_bias_init(512)(jax.random.key(1), (256,))
>>> k.shape, b.dtype, float(abs(k).max()) <= 1 / 512 ** 0.5
((512, 256), dtype('float32'), True)
"""

from ._initializers import (TorchBiasInit as TorchBiasInit, TorchKernelInit as TorchKernelInit,
                            torch_bias_init as torch_bias_init, torch_embed_init as torch_embed_init,
                            torch_fan_in as torch_fan_in, torch_kernel_init as torch_kernel_init,
                            torch_weight_shape as torch_weight_shape)
from . import linen as linen
from . import nnx as nnx
