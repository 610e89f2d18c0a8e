"""``LazyArray``: a value with a shape and dtype now and an array later, and ``materialize``.

The sealing rule lives here: a lazy value is always materialized *concretely* (under
``jax.ensure_compile_time_eval()``), whatever JAX is tracing at that moment, so reading a
fresh box inside ``jax.jit`` never leaves a tracer in it.
"""

from __future__ import annotations

import abc
from typing import Any

import jax

__all__ = ["LazyArray", "materialize"]


class LazyArray(abc.ABC):
    """A value that has a shape and dtype now and an array later.

    Subclasses set ``shape`` (a tuple), ``dtype`` (a NumPy dtype) and ``ndim``, and implement
    ``compute()``, which returns the concrete ``jax.Array``. ``result()`` calls it under
    ``jax.ensure_compile_time_eval()`` so that the value is concrete even when first read inside
    a trace. A subclass whose computation fails must raise an error that names the fill.

    >>> import jax.numpy as jnp
    >>> class Zeros(LazyArray):
    ...     def __init__(self, shape): self.shape, self.dtype, self.ndim = shape, jnp.dtype("float32"), len(shape)
    ...     def compute(self): return jnp.zeros(self.shape, self.dtype)
    >>> Zeros((2,)).result().tolist()
    [0.0, 0.0]
    """

    __slots__ = ()
    shape: tuple[int, ...]
    dtype: Any
    ndim: int

    @abc.abstractmethod
    def compute(self) -> jax.Array:
        """Produce the concrete array (called at most once per read path; may block)."""

    def host(self) -> Any:
        """The values as a host NumPy array if this lazy value can give them without a device
        transfer, else None (the default). ``np.asarray(box)`` uses it.

        >>> import jax.numpy as jnp
        >>> class One(LazyArray):
        ...     shape, dtype, ndim = (), jnp.dtype("float32"), 0
        ...     def compute(self): return jnp.ones(())
        >>> One().host() is None
        True
        """
        return None

    def result(self) -> jax.Array:
        """The concrete array, computed outside any trace.

        >>> import jax.numpy as jnp
        >>> class One(LazyArray):
        ...     shape, dtype, ndim = (), jnp.dtype("float32"), 0
        ...     def compute(self): return jnp.ones(())
        >>> float(One().result())
        1.0
        """
        with jax.ensure_compile_time_eval():
            return self.compute()




def materialize(value: Any) -> Any:
    """The concrete array behind a ``LazyArray`` (waits for it), or ``value`` itself.

    >>> import jax.numpy as jnp
    >>> materialize(jnp.ones(2)).tolist()
    [1.0, 1.0]
    """
    return value.result() if isinstance(value, LazyArray) else value
