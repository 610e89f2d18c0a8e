"""The layer spec: one constructor configuration of one torch.nn class, and how to feed it.

Every public class of ``torchlike_params.nn`` has at least one ``Spec`` in a family file of
this folder (``linear.py``, ``conv.py``, ...), each exporting ``SPECS: list[Spec]``. The
shared tests in ``tests/nn/test_layer_registry.py`` run every spec against torch 2.13.

Fields may be added (with defaults); existing ones keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


def floats(*shapes: tuple[int, ...]) -> Callable[[np.random.Generator], tuple[np.ndarray, ...]]:
    """Inputs: one standard-normal float32 array per shape."""
    return lambda rng: tuple(rng.standard_normal(s).astype(np.float32) for s in shapes)


@dataclass
class Spec:
    name: str                                   # the class name, the same in torch.nn and torchlike_params.nn
    args: tuple = ()                            # constructor positional arguments (plain Python values)
    kwargs: dict = field(default_factory=dict)  # constructor keyword arguments
    # Forward inputs: a function of a NumPy Generator returning a tuple of NumPy arrays (converted to torch
    # tensors / jax arrays by the harness). Integer arrays (indices, targets) are passed as int64 to torch.
    inputs: Callable[[np.random.Generator], tuple] = floats((2, 3))
    forward_kwargs: dict = field(default_factory=dict)  # extra keyword arguments of forward (plain values)
    train: bool = True            # also compare the forward in train mode (eval is always compared)
    random_in_train: bool = False  # the train-mode forward draws randomness (dropout): values not compared
    grad_inputs: tuple[int, ...] = (0,)  # indices of float inputs to differentiate; () for none
    init_ks: bool = True          # KS-test the default init of each float parameter against torch
    atol: float = 1e-5
    rtol: float = 1e-5
    grad_atol: float = 1e-4
    id: str = ""                  # a readable test id (defaults to name + kwargs)
    # Optional: a function (module_torch, module_tp) -> None run after construction and weight copy, for
    # layers that need extra set-up (rare; prefer plain constructor arguments).
    setup: Callable[[Any, Any], None] | None = None

    def __post_init__(self) -> None:
        if not self.id:
            parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
            self.id = f"{self.name}({', '.join(parts)})"
