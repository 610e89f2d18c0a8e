"""Typing aliases shared by the whole package (one place, so signatures read the same everywhere)."""

from __future__ import annotations

from typing import Any, Sequence, Union

import jax
import numpy as np

#: A shape as torch and JAX accept it: a sequence of non-negative ints.
Shape = Sequence[int]
#: A dtype: a NumPy/JAX dtype, a scalar type, a name ("float32") or a torch-style alias.
DType = Any
#: Anything that becomes an array: a ``jax.Array``, a NumPy array, a box, a Python scalar or list.
ArrayLike = Union[jax.Array, np.ndarray, np.generic, float, int, bool, Any]
#: A JAX PRNG key (typed ``key<impl>`` or raw ``uint32[2]``).
PRNGKey = jax.Array

__all__ = ["Shape", "DType", "ArrayLike", "PRNGKey"]
