"""Argument checks shared by the pure and in-place initializers, with torch's types and messages."""

from __future__ import annotations

import functools
from typing import Any

import jax.numpy as jnp

from . import _dtype

_KINDS = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


@functools.lru_cache(maxsize=None)
def _limits(dtype: Any) -> tuple[str, float]:
    d = jnp.dtype(dtype)
    return _KINDS[d.name], float(jnp.finfo(d).max)


def _g(x: float) -> str:
    return f"{x:g}"


def check_float(dtype: Any, kernel: str) -> None:
    """Raise torch's NotImplementedError for a non-floating dtype.

    >>> check_float("float32", "normal_kernel_cpu")
    """
    if not _dtype.is_floating(dtype):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.scalar_name(dtype)}\'')


def check_uniform(a: float, b: float, dtype: Any) -> None:
    """torch's ``uniform_`` checks, in torch's order.

    >>> check_uniform(1.0, 0.0, "float32")
    Traceback (most recent call last):
    ...
    RuntimeError: uniform_ expects to return a [from, to) range, but found from=1 > to=0
    """
    check_float(dtype, "check_uniform_bounds")
    kind, fmax = _limits(dtype)
    if not -fmax <= a <= fmax:
        raise RuntimeError(f"from is out of bounds for {kind}")
    if not -fmax <= b <= fmax:
        raise RuntimeError(f"to is out of bounds for {kind}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_g(a)} > to={_g(b)}")
    if b - a > fmax:
        limit = _dtype.scalar_name(dtype)   # torch prints Float/Double/Half/BFloat16 here (no c10::)
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{limit}>::max(), but found "
                           f"to={_g(b)} and from={_g(a)} which result in to-from to exceed the limit")


def check_normal(std: float, dtype: Any) -> None:
    """torch's ``normal_`` checks (std first, then dtype).

    >>> check_normal(-1.0, "float32")
    Traceback (most recent call last):
    ...
    RuntimeError: normal expects std >= 0.0, but found std -1
    """
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    check_float(dtype, "normal_kernel_cpu")
