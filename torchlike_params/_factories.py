"""Factories with torch's names and signatures: ``empty``, ``zeros``, ``ones``, ``full``,
``rand``, ``randn``, ``tensor``, the ``*_like`` forms, ``is_tensor`` and ``no_grad``."""

from __future__ import annotations

from typing import Any, Iterable

import jax
import jax.numpy as jnp

from . import _dtype
from ._storage import Uninitialized
from ._tensor import Tensor, _as_array, _parse_size, _unwrap



def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """An uninitialized Tensor, like ``torch.empty``: it reads as zeros and costs nothing until read.

    >>> tp.empty(3, 5).shape, tp.empty((3, 5)).dtype
    (torch.Size([3, 5]), dtype('float32'))
    """
    return Tensor._wrap(Uninitialized(_parse_size(size), _dtype.canonical(dtype)))


def zeros(*size: Any, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor of zeros.

    >>> tp.zeros(2).tolist()
    [0.0, 0.0]
    """
    return Tensor._wrap(jnp.zeros(_parse_size(size), _dtype.canonical(dtype)))


def ones(*size: Any, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor of ones.

    >>> tp.ones(2, dtype="int32").tolist()
    [1, 1]
    """
    return Tensor._wrap(jnp.ones(_parse_size(size), _dtype.canonical(dtype)))


def full(size: Iterable[int], fill_value: Any, *, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor filled with ``fill_value``.

    >>> tp.full((2,), 0.5).tolist()
    [0.5, 0.5]
    """
    return Tensor._wrap(jnp.full(_parse_size((tuple(size),)), fill_value, _dtype.canonical(dtype)))


def rand(*size: Any, generator: Any = None, dtype: Any = None, **_: Any) -> Tensor:
    """U[0, 1) samples from the default generator (or ``generator=``), like ``torch.rand``.

    >>> tp.rand(2, 3).shape
    torch.Size([2, 3])
    """
    return empty(*size, dtype=dtype).uniform_(0.0, 1.0, generator=generator)


def randn(*size: Any, generator: Any = None, dtype: Any = None, **_: Any) -> Tensor:
    """N(0, 1) samples from the default generator (or ``generator=``), like ``torch.randn``.

    >>> tp.randn(4).dtype
    dtype('float32')
    """
    return empty(*size, dtype=dtype).normal_(0.0, 1.0, generator=generator)


def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A Tensor from data with torch's dtype inference (floats -> float32, ints -> int64).

    Note: without ``jax_enable_x64``, int64 data is stored as int32 by JAX.

    >>> tp.tensor([1.0, 2.0]).dtype, tp.tensor(0).dtype == _dtype.canonical(_dtype.int64)
    (dtype('float32'), True)
    """
    return Tensor._wrap(_as_array(data, dtype))


def zeros_like(t: Any, *, dtype: Any = None) -> Tensor:
    """Zeros with ``t``'s shape and dtype.

    >>> zeros_like(tp.ones(2)).tolist()
    [0.0, 0.0]
    """
    return zeros(tuple(jnp.shape(_unwrap(t))), dtype=dtype or jnp.asarray(_unwrap(t)).dtype)


def ones_like(t: Any, *, dtype: Any = None) -> Tensor:
    """Ones with ``t``'s shape and dtype.

    >>> ones_like(tp.zeros(2)).tolist()
    [1.0, 1.0]
    """
    return ones(tuple(jnp.shape(_unwrap(t))), dtype=dtype or jnp.asarray(_unwrap(t)).dtype)


def empty_like(t: Any, *, dtype: Any = None) -> Tensor:
    """An uninitialized (zero) Tensor with ``t``'s shape and dtype.

    >>> empty_like(tp.ones(3)).shape
    torch.Size([3])
    """
    return zeros_like(t, dtype=dtype)


def is_tensor(obj: Any) -> bool:
    """True for Tensor boxes (Parameter and Buffer included) and ``jax.Array``.

    >>> is_tensor(tp.ones(1)), is_tensor(jnp.ones(1)), is_tensor(1.0)
    (True, True, False)
    """
    return isinstance(obj, (Tensor, jax.Array))


class no_grad:
    """A no-op context (and decorator): JAX computes gradients only where asked.

    Kept so that torch code wrapped in ``with torch.no_grad():`` runs unchanged.

    >>> with no_grad():
    ...     tp.ones(1).item()
    1.0
    """

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __call__(self, fn):
        return fn


enable_grad = no_grad