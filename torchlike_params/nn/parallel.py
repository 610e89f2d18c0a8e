"""``torch.nn.parallel``: ``DataParallel`` and ``data_parallel`` as single-device pass-throughs.

JAX spreads work over devices with shardings (``jax.jit`` with ``in_shardings``, ``jax.sharding``),
not by replicating a module object, so these wrappers run the module as it is. They keep torch's
state layout: ``DataParallel(model).state_dict()`` prefixes every key with ``module.``, as torch
does, so checkpoints saved from a wrapped torch model load into a wrapped port.

>>> m = tp.nn.parallel.DataParallel(tp.nn.Linear(2, 3))
>>> list(m.state_dict())
['module.weight', 'module.bias']
"""

from __future__ import annotations

from typing import Any

from ._module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


class DataParallel(Module):
    """Wrap ``module``; calls run it on the current device (``device_ids`` etc. are accepted and unused).

    Note: a documented pass-through; shard with ``jax.jit`` and ``jax.sharding`` for data parallelism.

    >>> dp = tp.nn.DataParallel(tp.nn.Linear(2, 3), device_ids=[0, 1])
    >>> dp(tp.ones(4, 2)).shape, dp.module.out_features
    (torch.Size([4, 3]), 3)
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"Expected `module` to be a torchlike_params.nn.Module, got {type(module).__name__}")
        self.module = module
        self.device_ids = list(device_ids) if device_ids is not None else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(DataParallel):
    """``DistributedDataParallel``'s constructor and layout (``module.`` keys), run on one process.

    Note: a documented pass-through; no process group is created or needed.

    >>> tp.nn.parallel.DistributedDataParallel(tp.nn.Linear(2, 3)).module.in_features
    2
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(module, device_ids, output_device, dim)


def data_parallel(module: Module, inputs: Any, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                  module_kwargs: Any = None) -> Any:
    """Run ``module(*inputs, **module_kwargs)`` on the current device (torch's functional form).

    >>> tp.nn.parallel.data_parallel(tp.nn.Linear(2, 3), tp.ones(1, 2)).shape
    torch.Size([1, 3])
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
