"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad``, ``CircularPad`` in 1-3 dims.

Each stores ``padding`` as torch does (an int becomes a 2-, 4- or 6-tuple, (left, right, top, bottom,
front, back)) and calls ``F.pad`` with its mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jax

from . import functional as F
from ._module import Module

__all__ = ['ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
           'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
           'ReplicationPad3d', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d']


def _ntuple(padding: Any, n: int) -> tuple:
    """torch's ``_ntuple(n)``: a sequence is kept as a tuple, anything else repeated ``n`` times."""
    if isinstance(padding, Iterable) and not isinstance(padding, str):
        return tuple(padding)
    return tuple(padding for _ in range(n))


class _PadNd(Module):
    """Shared forward and repr: ``F.pad(input, self.padding, mode)``."""

    __constants__ = ["padding"]
    _mode = "constant"
    _dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input: Any) -> jax.Array:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Any) -> jax.Array:
        ndim = len(getattr(input, "shape", ()))
        n = self._dims
        if ndim not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {ndim}D input)")
        return F.pad(input, self.padding, "circular")


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _dims = 1

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        self.value = value
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input: Any) -> jax.Array:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: ``padding`` is an int or ``(left, right)``; negative values crop.

    Shape: ``(*, W)`` -> ``(*, W + left + right)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ConstantPad1d((1, 2), 3.5)
    >>> m, m(jnp.zeros((1, 2, 3))).shape
    (ConstantPad1d(padding=(1, 2), value=3.5), (1, 2, 6))
    """

    _dims = 1

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``: ``padding`` is an int or ``(left, right, top, bottom)``.

    Shape: ``(*, H, W)`` -> ``(*, H + top + bottom, W + left + right)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ConstantPad2d(1, -1.0)(jnp.zeros((1, 2, 3, 3))).shape
    (1, 2, 5, 5)
    """

    _dims = 2

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``: ``padding`` is an int or a 6-tuple (left, right, top, bottom, front, back).

    Shape: ``(*, D, H, W)`` -> each dim grows by its two pads.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ConstantPad3d((1, 1, 0, 0, 2, 0), 0.5)(jnp.zeros((1, 1, 2, 2, 2))).shape
    (1, 1, 4, 2, 4)
    """

    _dims = 3

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros: ``padding`` is an int or ``(left, right)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ZeroPad1d(2)
    >>> m, m(jnp.ones((1, 3))).tolist()
    (ZeroPad1d((2, 2)), [[0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dims with zeros: ``padding`` is an int or ``(left, right, top, bottom)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ZeroPad2d((1, 0, 2, 0))(jnp.ones((1, 2, 2))).shape
    (1, 4, 3)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dims with zeros: ``padding`` is an int or a 6-tuple.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ZeroPad3d(1)(jnp.ones((1, 1, 2, 2, 2))).shape
    (1, 1, 4, 4, 4)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim by reflection without repeating the edge (``pad < W``): ``[2 1 | 0 1 2 3 | 2 1]``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ReflectionPad1d(2)
    >>> m, m(jnp.arange(4.0).reshape(1, 4)).tolist()
    (ReflectionPad1d((2, 2)), [[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]])
    """

    _mode, _dims = "reflect", 1

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dims by reflection: ``padding`` is an int or ``(left, right, top, bottom)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ReflectionPad2d((1, 1, 2, 0))(jnp.ones((1, 3, 3))).shape
    (1, 5, 5)
    """

    _mode, _dims = "reflect", 2

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dims by reflection: ``padding`` is an int or a 6-tuple.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ReflectionPad3d(1)(jnp.ones((1, 1, 2, 2, 2))).shape
    (1, 1, 4, 4, 4)
    """

    _mode, _dims = "reflect", 3

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating the edge value: ``[0 0 | 0 1 2 3 | 3 3]``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ReplicationPad1d((1, 2))
    >>> m, m(jnp.arange(3.0).reshape(1, 3)).tolist()
    (ReplicationPad1d((1, 2)), [[0.0, 0.0, 1.0, 2.0, 2.0, 2.0]])
    """

    _mode, _dims = "replicate", 1

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims by repeating the edges: ``padding`` is an int or ``(left, right, top, bottom)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ReplicationPad2d(2)(jnp.ones((1, 1, 3, 3))).shape
    (1, 1, 7, 7)
    """

    _mode, _dims = "replicate", 2

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dims by repeating the edges: ``padding`` is an int or a 6-tuple.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ReplicationPad3d(1)(jnp.ones((1, 2, 2, 2))).shape
    (1, 4, 4, 4)
    """

    _mode, _dims = "replicate", 3

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class CircularPad1d(_CircularPadNd):
    """Pad the last dim by wrapping around: ``[2 3 | 0 1 2 3 | 0 1]`` (``pad <= W``).

    Input must be 2-D or 3-D (torch's ``ValueError`` otherwise).

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.CircularPad1d(2)
    >>> m, m(jnp.arange(4.0).reshape(1, 4)).tolist()
    (CircularPad1d((2, 2)), [[2.0, 3.0, 0.0, 1.0, 2.0, 3.0, 0.0, 1.0]])
    """

    _dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class CircularPad2d(_CircularPadNd):
    """Pad the last 2 dims by wrapping around; input 3-D or 4-D.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.CircularPad2d((1, 0, 1, 0))(jnp.ones((1, 1, 3, 3))).shape
    (1, 1, 4, 4)
    """

    _dims = 2

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class CircularPad3d(_CircularPadNd):
    """Pad the last 3 dims by wrapping around; input 4-D or 5-D.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.CircularPad3d(1)(jnp.ones((1, 1, 2, 2, 2))).shape
    (1, 1, 4, 4, 4)
    """

    _dims = 3

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)
