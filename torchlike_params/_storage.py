"""Storage cells: where a box's array lives, and the rule that keeps traces out of it.

A box (``Tensor``, ``Parameter``, ``Buffer``) holds a ``Storage``; ``box.data`` is another
handle on the same cell, so an in-place change through either is seen by both. The cell holds
a ``jax.Array`` or a :class:`~torchlike_params.random.LazyArray` (an eager fill still running on
the init thread pool, or the unallocated contents of ``empty``).

The two sealing rules (every read and write of a box goes through them):

1. **A lazy value is materialized concretely.** ``Storage.value`` resolves it with
   ``LazyArray.result()``, which runs under ``jax.ensure_compile_time_eval()``: reading a fresh
   box for the first time inside ``jax.jit``/``grad``/``vmap`` stores a concrete array, never a
   tracer. ``peek()`` gives the value without resolving it (shape and dtype only), and
   ``swap()`` exchanges the raw contents (``functional_call`` saves and restores with it, so
   it never materializes anything).
2. **A cell created outside a trace never receives a tracer.** Writing a traced value into
   such a cell (an in-place fill with a traced key, a BatchNorm update under ``jax.jit`` of a
   closed-over module) raises a ``RuntimeError`` that says what to do instead; the cell keeps
   its old value. Cells created inside a trace (a model built in ``compile_init``, the boxes
   ``functional_call`` swaps in) hold tracers freely: they live and die with the trace.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .random._lazy import LazyArray
from .random._trace import tracing


class Uninitialized(LazyArray):
    """The contents of ``empty``: a shape and dtype, materialized as zeros only if read.

    Filling a fresh ``empty`` box (the ``Parameter(empty(...))`` + ``init.*_`` pattern) therefore
    allocates and compiles nothing for the placeholder.

    >>> Uninitialized((2, 3), "float32").result().shape
    (2, 3)
    """

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape, self.dtype, self.ndim = tuple(shape), jnp.dtype(dtype), len(shape)

    def compute(self) -> jax.Array:
        return jnp.zeros(self.shape, self.dtype)

    def host(self) -> np.ndarray:
        return np.zeros(self.shape, self.dtype)


class Full(LazyArray):
    """A constant fill (``fill_``, ``zero_``, ``ones_``): built on the host only when read.

    A model's deterministic fills (LayerNorm's ones and zeros, zeroed biases) then cost no
    device dispatch at construction; ``np.asarray(box)`` reads them without a device array.

    >>> f = Full((2,), "float32", 1.5)
    >>> f.host().tolist(), f.result().dtype
    ([1.5, 1.5], dtype('float32'))
    """

    __slots__ = ("shape", "dtype", "ndim", "value")

    def __init__(self, shape: tuple[int, ...], dtype: Any, value: Any) -> None:
        self.shape, self.dtype, self.ndim, self.value = tuple(shape), jnp.dtype(dtype), len(shape), value

    def host(self) -> np.ndarray:
        one = np.asarray(self.value).astype(self.dtype)     # C casts: wraps as torch does (uint8 -1 -> 255)
        return np.broadcast_to(one, self.shape)

    def compute(self) -> jax.Array:
        return jax.device_put(np.array(self.host()))          # a contiguous copy that keeps 0-d shapes


_LEAK = ("A value traced by JAX was about to be stored in a {kind} created outside the trace (for example an "
         "in-place change or a BatchNorm update inside jax.jit of a closed-over module); it would leave a "
         "tracer in the module. Run the step through torchlike_params.functional_call(module, state, args, "
         "return_buffers=True) to get changed buffers back as values, or build the module inside the traced "
         "function (torchlike_params.compile_init).")


class Storage:
    """One mutable cell holding an array or a lazy value (see the module docstring for its rules).

    >>> s = Storage(Uninitialized((2,), "float32"))
    >>> type(s.peek()).__name__, s.value.tolist(), type(s.peek()).__name__
    ('Uninitialized', [0.0, 0.0], 'ArrayImpl')
    """

    __slots__ = ("_v", "_sealed")

    def __init__(self, value: Any) -> None:
        self._v = value
        self._sealed = not tracing()

    @property
    def value(self) -> Any:
        v = self._v
        if isinstance(v, LazyArray):
            v = self._v = v.result()
        return v

    @value.setter
    def value(self, new: Any) -> None:
        if self._sealed and isinstance(new, jax.core.Tracer):
            raise RuntimeError(_LEAK.format(kind="tensor"))
        self._v = new

    def host(self) -> Any:
        """The values for a host read (``np.asarray``): a lazy value's host array when it has one
        (no device transfer, the cell stays lazy), else the materialized value."""
        v = self._v
        if isinstance(v, LazyArray):
            h = v.host()
            if h is not None:
                return h
        return self.value

    def peek(self) -> Any:
        """The array or lazy value, for shape and dtype, without materializing it."""
        return self._v

    def swap(self, raw: Any) -> Any:
        """Put ``raw`` in the cell as it is (no materialization, no check); return the old contents."""
        old, self._v = self._v, raw
        return old

    def __deepcopy__(self, memo: dict) -> "Storage":
        import copy
        return Storage(copy.deepcopy(self.value, memo))

    def __reduce__(self):
        return (Storage, (self.value,))
