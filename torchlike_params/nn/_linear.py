"""Linear layers: ``Identity``, ``Linear``, ``Bilinear``, ``Flatten`` and ``Unflatten``, with torch's
constructors, checks, reprs and default init."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .. import init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from .functional._activation import _wrap_dim
from .functional._common import _v
from ._module import Module

__all__ = ['Identity', 'Linear', 'Bilinear', 'Flatten', 'Unflatten']


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

    Attributes:
        weight: (out_features, in_features), U(-sqrt(k), sqrt(k)) with k = 1/in_features.
        bias: (out_features,), U(-sqrt(k), sqrt(k)) with k = 1/in_features; None if bias=False.

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
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
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
        """``F.linear(input, weight, bias)``; mismatched shapes raise torch's RuntimeError.

        >>> import jax.numpy as jnp, torchlike_params as tp
        >>> tp.nn.Linear(3, 5)(jnp.ones((2, 4)))
        Traceback (most recent call last):
        RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x4 and 3x5)
        """
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    r"""``y = x_1^T A x_2 + b``: ``weight (out_features, in1_features, in2_features)``, ``bias (out_features)``.

    Args:
        in1_features, in2_features: sizes of the last dimension of each input.
        out_features: size of the output's last dimension. bias: learn an additive bias (default True).
        device: checked as torch does (an unparsable string raises), else ignored. dtype: the parameters' dtype.

    Shape: input1 ``(*, in1_features)``, input2 ``(*, in2_features)`` (same leading dims),
    output ``(*, out_features)``.

    Default init (torch's): ``bound = 1/sqrt(in1_features)``; ``weight`` then ``bias`` ~ U(±bound),
    drawn in that order. ``in1_features <= 0`` raises torch's ValueError.

    Attributes:
        weight: (out_features, in1_features, in2_features), U(-sqrt(k), sqrt(k)) with k = 1/in1_features.
        bias: (out_features,), U(-sqrt(k), sqrt(k)) with k = 1/in1_features; None if bias=False.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.Bilinear(2, 3, 4)
    >>> m, m.weight.shape, m(jnp.ones((5, 2)), jnp.ones((5, 3))).shape
    (Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True), torch.Size([4, 2, 3]), (5, 4))
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` then ``bias`` from U(±1/sqrt(in1_features)).

        >>> import torchlike_params as tp
        >>> tp.nn.Bilinear(2, 2, 2).reset_parameters()
        """
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Any, input2: Any) -> jax.Array:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


def _flatten(x: Any, start_dim: int, end_dim: int) -> jax.Array:
    """torch's ``Tensor.flatten(start_dim, end_dim)``: dims wrapped as torch does, a 0-d input gives ``(1,)``."""
    x = _v(x)
    shape = tuple(x.shape)
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if not shape:
        return jnp.reshape(x, (1,))
    return jnp.reshape(x, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def _unflatten(x: Any, dim: int, sizes: Any) -> jax.Array:
    """torch's ``Tensor.unflatten(dim, sizes)``, one ``-1`` inferred, with torch's errors."""
    x = _v(x)
    shape = tuple(x.shape)
    if not shape:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has "
                           "no dimensions")
    d = _wrap_dim(dim, len(shape))
    sizes = [int(v) for v in sizes]
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d]
    inferred = [i for i, v in enumerate(sizes) if v == -1]
    for i, v in enumerate(sizes):
        if v < -1:
            raise RuntimeError(f"unflatten got an unexpected error:\ninvalid shape dimension {v} at index {i} of "
                               f"shape {sizes}")
    if len(inferred) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    known = math.prod(v for v in sizes if v != -1)
    if inferred:
        if known == 0:
            raise RuntimeError(f"unflatten got an unexpected error:\ncannot reshape tensor of {n} elements into "
                               f"shape {sizes} because the unspecified dimension size -1 can be any value and is "
                               "ambiguous")
        if n % known:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {d} ({n}) "
                               "in the input tensor")
        sizes[inferred[0]] = n // known
    elif known != n:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {d} ({n}) "
                           "in the input tensor")
    return jnp.reshape(x, shape[:d] + tuple(sizes) + shape[d + 1:])


class Flatten(Module):
    r"""Flatten dimensions ``start_dim`` to ``end_dim`` (inclusive) into one.

    Args:
        start_dim: first dim to flatten (default 1). end_dim: last dim to flatten (default -1).

    Shape: input ``(*, S_start, ..., S_end, *)``, output ``(*, prod(S_start..S_end), *)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Flatten(), tp.nn.Flatten()(jnp.ones((2, 3, 4))).shape
    (Flatten(start_dim=1, end_dim=-1), (2, 12))
    """

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Any) -> jax.Array:
        return _flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    r"""Expand dimension ``dim`` into ``unflattened_size`` (one entry may be ``-1``, inferred).

    Args:
        dim: the dimension to unflatten. unflattened_size: a tuple or list of ints (torch's TypeError otherwise).

    Shape: input ``(*, S_dim, *)``, output ``(*, U_1, ..., U_n, *)`` with ``prod(U) = S_dim``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Unflatten(1, (2, 3)), tp.nn.Unflatten(1, (2, -1))(jnp.ones((4, 6))).shape
    (Unflatten(dim=1, unflattened_size=(2, 3)), (4, 2, 3))

    Note: torch 2.13 no longer accepts named-tensor sizes here either; ``dim`` must be an int at the forward.
    """

    __constants__ = ["dim", "unflattened_size"]

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def _require_tuple_int(self, input: Any) -> None:
        if isinstance(input, (tuple, list)):
            for idx, elem in enumerate(input):
                if not isinstance(elem, int):
                    raise TypeError("unflattened_size must be tuple of ints, "
                                    f"but found element of type {type(elem).__name__} at pos {idx}")
            return
        raise TypeError(f"unflattened_size must be a tuple of ints, but found type {type(input).__name__}")

    def forward(self, input: Any) -> jax.Array:
        if not isinstance(self.dim, int):
            raise TypeError(f"Expected `dim` to be an int, got {self.dim!r}")
        return _unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
