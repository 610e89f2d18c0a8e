"""torchlike_params: PyTorch's parameter semantics on JAX.

The public door. Boxes, factories, dtypes and generators load eagerly; the Module side
(``nn``, ``Module``, ``functional_call``, ...) loads on first use, so ``import
torchlike_params.init`` stays in the pure core.

>>> import torchlike_params as tp
>>> w = tp.empty(3, 5)
>>> tp.nn.init.uniform_(w, a=0.0, b=1.0) is w
True
"""

from __future__ import annotations

import importlib
from typing import Any

from ._dtype import (bfloat16 as bfloat16, bool_ as bool_, double as double, float16 as float16,
                     float32 as float32, float64 as float64, half as half, int8 as int8, int16 as int16,
                     int32 as int32, int64 as int64, long as long, short as short, uint8 as uint8)
from .random import (Generator as Generator, current_generator as current_generator,
                     initial_seed as initial_seed, key_scope as key_scope, manual_seed as manual_seed,
                     seed as seed)
from ._tensor import Size as Size, Tensor as Tensor
from ._parameter import Buffer as Buffer, Parameter as Parameter
from ._factories import (empty as empty, empty_like as empty_like, enable_grad as enable_grad, full as full,
                         is_tensor as is_tensor, no_grad as no_grad, ones as ones, ones_like as ones_like,
                         rand as rand, randn as randn, tensor as tensor, zeros as zeros,
                         zeros_like as zeros_like)
from ._functions import *  # noqa: F401,F403 - torch's top-level functions (cat, arange, ...)
from ._device import backends as backends, cuda as cuda, device as device
from . import random as random


def _assert(condition: Any, message: str) -> None:
    """``torch._assert``: raise an AssertionError with ``message`` when ``condition`` is false.

    >>> _assert(True, "never raised")
    """
    if not condition:
        raise AssertionError(message)


from . import init as init
from . import initializers as initializers

__version__ = "0.1.0"

float = float32  # noqa: A001 - torch.float
int = int32  # noqa: A001
bool = bool_  # noqa: A001

_LAZY = {
    "nn": ("torchlike_params.nn", None),
    "Module": ("torchlike_params.nn", "Module"),
    "functional_call": ("torchlike_params._functional_call", "functional_call"),
    "to_nested": ("torchlike_params._state", "to_nested"),
    "from_nested": ("torchlike_params._state", "from_nested"),
    "trainable_mask": ("torchlike_params._state", "trainable_mask"),
    "partition": ("torchlike_params._state", "partition"),
    "combine": ("torchlike_params._state", "combine"),
    "compile_init": ("torchlike_params._compiled_init", "compile_init"),
    "abstract_module": ("torchlike_params._compiled_init", "abstract_module"),
    "flax": ("torchlike_params.flax", None),
    "testing": ("torchlike_params.testing", None),
    "jit": ("torchlike_params.jit", None),
    "utils": ("torchlike_params.utils", None),
}


def __getattr__(name: str) -> Any:
    if name == "default_generator":      # torch.default_generator; follows set_default_generator
        return random.get_default_generator()
    if name in _LAZY:
        mod_name, attr = _LAZY[name]
        mod = importlib.import_module(mod_name)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'torchlike_params' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY) + ["default_generator"])
