"""The Flax boundary: layouts by layer type, bridges, and torch's defaults on Flax layers.

* Layouts: :func:`to_linen_variables` / :func:`from_linen_variables` and
  :func:`to_nnx_state` / :func:`from_nnx_state` turn a module's state into the variables of
  the equivalent Flax model and back, each layer by its type's :class:`Rule`
  (:func:`register_rule` adds one); :func:`linen_layer` / :func:`nnx_layer` build the
  matching Flax layer.
* Bridges: :class:`TorchModule` (linen) and :class:`NNXTorchModule` (nnx) put a torch-style
  module inside a Flax model.
* Initializers in ``jax.nn.initializers``' ``(key, shape, dtype)`` protocol that compute
  torch's fans on Flax kernels, and presets for :mod:`flax.linen` (:mod:`.linen`) and
  :mod:`flax.nnx` (:mod:`.nnx`) with torch's defaults and Flax's parameter names. Flax is
  imported here only, never by the core.

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
from ._torch_defaults import (torch_mha_out_init as torch_mha_out_init, torch_mha_qkv_init as torch_mha_qkv_init,
                              torch_rnn_init as torch_rnn_init)
from ._registry import (Context as Context, LayoutError as LayoutError, Rule as Rule,
                        TORCH_LAYOUT as TORCH_LAYOUT, get_rule as get_rule, register_rule as register_rule)
from . import _rules  # noqa: F401 - registers the built-in rules
from ._variables import (TorchCounter as TorchCounter, from_linen_variables as from_linen_variables,
                         from_nnx_state as from_nnx_state, linen_variables_to_state as linen_variables_to_state,
                         nnx_state_to_state as nnx_state_to_state, to_linen_variables as to_linen_variables,
                         to_nnx_state as to_nnx_state)
from ._builders import (NNXRNNStack as NNXRNNStack, RNNStack as RNNStack, linen_layer as linen_layer,
                        nnx_layer as nnx_layer)
from ._bridge_linen import TorchModule as TorchModule
from ._bridge_nnx import NNXTorchModule as NNXTorchModule
from . import linen as linen
from . import nnx as nnx
