"""Linear layers: ``Identity`` and ``Linear``, with torch's constructors and default init."""

from __future__ import annotations

import math
from typing import Any

import jax

from .. import init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from ._module import Module

__all__ = ['Identity', 'Linear']


class Identity(Module):
    """A placeholder that returns its input; constructor arguments are accepted and ignored.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Identity(54, unused='x')(jnp.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    r"""``y = x W^T + b``: ``weight (out_features, in_features)``, ``bias (out_features)``.

    Default init (torch's): ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(±1/sqrt(in_features)),
    then ``bias`` ~ U(±1/sqrt(fan_in)), drawn in that order from the current generator.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.Linear(3, 4)
    >>> m, m.weight.shape, m(jnp.ones((2, 3))).shape
    (Linear(in_features=3, out_features=4, bias=True), torch.Size([4, 3]), (2, 4))
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` then ``bias`` with torch's defaults.

        >>> import torchlike_params as tp
        >>> tp.nn.Linear(2, 2).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Any) -> jax.Array:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
