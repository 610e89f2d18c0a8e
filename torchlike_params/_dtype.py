"""dtype names in torch's vocabulary, resolved to JAX dtypes.

torch code writes ``dtype=torch.float32``; after swapping the import it writes
``dtype=tp.float32``. Every name here is a NumPy/JAX dtype object, so it can also be
passed to ``jnp`` directly.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

float32 = float_ = jnp.dtype("float32")
float64 = double = jnp.dtype("float64")
float16 = half = jnp.dtype("float16")
bfloat16 = jnp.dtype(jnp.bfloat16)
int8 = jnp.dtype("int8")
int16 = short = jnp.dtype("int16")
int32 = int_ = jnp.dtype("int32")
int64 = long = jnp.dtype("int64")
uint8 = jnp.dtype("uint8")
bool_ = jnp.dtype("bool")

_TORCH_NAMES = {
    "float32": "torch.float32", "float64": "torch.float64", "float16": "torch.float16",
    "bfloat16": "torch.bfloat16", "int8": "torch.int8", "int16": "torch.int16",
    "int32": "torch.int32", "int64": "torch.int64", "uint8": "torch.uint8", "bool": "torch.bool",
}
_TYPENAMES = {
    "float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
    "bfloat16": "torch.BFloat16Tensor", "int8": "torch.CharTensor", "int16": "torch.ShortTensor",
    "int32": "torch.IntTensor", "int64": "torch.LongTensor", "uint8": "torch.ByteTensor",
    "bool": "torch.BoolTensor",
}
# The C++ scalar-type names torch prints in "not implemented for 'Long'" messages.
_SCALAR_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
    "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
    "bool": "Bool",
}


def resolve(dtype: Any = None) -> np.dtype:
    """Return the JAX dtype for ``dtype`` (None means float32, torch's default).

    Note: with ``jax_enable_x64`` off (JAX's default) float64/int64 arrays are stored as
    float32/int32 by JAX itself; the requested dtype is still reported by this function.

    >>> resolve(None), resolve("float16"), resolve(float64)
    (dtype('float32'), dtype('float16'), dtype('float64'))
    """
    if dtype is None:
        return float32
    if dtype is float:
        return float32
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    return jnp.dtype(dtype)


def canonical(dtype: Any = None) -> np.dtype:
    """The dtype an array of ``dtype`` really has in JAX now (float64 -> float32 without x64).

    >>> canonical("float32")
    dtype('float32')
    """
    key = (dtype, jax.config.jax_enable_x64)
    try:
        return _CANONICAL[key]
    except (KeyError, TypeError):
        pass
    d = jnp.dtype(jax.dtypes.canonicalize_dtype(resolve(dtype)))
    try:
        _CANONICAL[key] = d
    except TypeError:         # an unhashable dtype-like: not cached
        pass
    return d


_CANONICAL: dict = {}


def torch_name(dtype: Any) -> str:
    """torch's printed name of a dtype: ``torch.float32``.

    >>> torch_name(float32)
    'torch.float32'
    """
    d = jnp.dtype(dtype).name
    return _TORCH_NAMES.get(d, f"torch.{d}")


def typename(dtype: Any) -> str:
    """``torch.typename`` of a CPU tensor of ``dtype``: ``torch.FloatTensor``.

    >>> typename(float64)
    'torch.DoubleTensor'
    """
    d = jnp.dtype(dtype).name
    return _TYPENAMES.get(d, f"torch.{d}")


def scalar_name(dtype: Any) -> str:
    """The C++ scalar-type name torch uses in kernel errors: ``Long`` for int64.

    >>> scalar_name(int64)
    'Long'
    """
    d = jnp.dtype(dtype).name
    return _SCALAR_NAMES.get(d, d)


def is_floating(dtype: Any) -> bool:
    """True for floating dtypes (float16, bfloat16, float32, float64).

    >>> is_floating(bfloat16), is_floating(int32)
    (True, False)
    """
    try:
        return _FLOATING[dtype]
    except (KeyError, TypeError):
        return bool(jnp.issubdtype(jnp.dtype(dtype), jnp.floating))


_FLOATING = {d: True for d in (float32, float64, float16, bfloat16)}
_FLOATING.update({d: False for d in (int8, int16, int32, int64, uint8, bool_)})
