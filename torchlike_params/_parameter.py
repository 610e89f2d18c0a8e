"""``Parameter`` and ``Buffer``: the two registered kinds of box, and their pytree registration.

All three box classes are JAX pytrees with one leaf (the array), so ``jnp`` functions,
``jax.jit``, ``jax.grad`` and ``jax.tree_util`` accept them; unflattening makes a new box
with new storage. The class flags (``requires_grad``, ``persistent``) are static aux data.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._storage import Storage
from ._tensor import Tensor, _as_array


def _check_data(data: Any) -> None:
    """A box's ``data``: None, a box, an array or a torch tensor (torch raises AttributeError for the rest)."""
    if data is not None and not isinstance(data, (Tensor, jax.Array, np.ndarray)) and not (
            type(data).__module__.startswith("torch") and hasattr(data, "detach")):
        raise TypeError(f"Expected `data` to be a Tensor or an array, got {type(data).__name__}")


class Parameter(Tensor):
    """A trainable Tensor: ``Parameter(data=None, requires_grad=True)``.

    ``Parameter()`` holds an empty float32 array, like torch. Assigning one to a Module
    attribute registers it. Only parameters with ``requires_grad=True`` are trained.

    Note: ``Parameter(t)`` starts with ``t``'s current array; later in-place changes to ``t``
    do not reach the parameter (torch shares the storage).

    >>> p = tp.Parameter(tp.rand(2, 3))
    >>> p.shape, p.requires_grad
    (torch.Size([2, 3]), True)
    """

    __slots__ = ("requires_grad",)

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        _check_data(data)
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Expected `requires_grad` to be a bool, got {type(requires_grad).__name__}")
        value = jnp.zeros((0,), jnp.float32) if data is None else _as_array(data)
        if requires_grad and not jnp.issubdtype(value.dtype, jnp.inexact):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self._storage = Storage(value)
        self.requires_grad = bool(requires_grad)

    @classmethod
    def _defaults(cls):
        return (("requires_grad", True),)

    def requires_grad_(self, requires_grad: bool = True) -> "Parameter":
        """Set ``requires_grad`` and return self.

        >>> tp.Parameter(tp.ones(1)).requires_grad_(False).requires_grad
        False
        """
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad and not jnp.issubdtype(self.dtype, jnp.inexact):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = bool(requires_grad)
        return self

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), np.asarray(self.value), self.requires_grad))


class Buffer(Tensor):
    """A non-trainable Tensor that a Module saves in its state: ``Buffer(data=None, *, persistent=True)``.

    >>> b = tp.Buffer(tp.zeros(3), persistent=False)
    >>> b.persistent, b.shape
    (False, torch.Size([3]))
    """

    __slots__ = ("persistent",)

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        _check_data(data)
        value = jnp.zeros((0,), jnp.float32) if data is None else _as_array(data)
        self._storage = Storage(value)
        self.persistent = bool(persistent)

    @classmethod
    def _defaults(cls):
        return (("persistent", True),)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), np.asarray(self.value), self.persistent))


def _rebuild(cls, arr, flag):
    obj = cls._wrap(jnp.asarray(arr))
    name = cls._defaults()[0][0]
    object.__setattr__(obj, name, flag)
    return obj


def _flatten(t: Tensor):
    return (t._storage.value,), tuple(getattr(t, n) for n, _ in type(t)._defaults())


def _flatten_with_keys(t: Tensor):
    return ((jax.tree_util.GetAttrKey("value"), t._storage.value),), tuple(
        getattr(t, n) for n, _ in type(t)._defaults())


def _make_unflatten(cls):
    def unflatten(aux, children):
        obj = cls._wrap(children[0])
        for (name, _), v in zip(cls._defaults(), aux):
            object.__setattr__(obj, name, v)
        return obj
    return unflatten


for _cls in (Tensor, Parameter, Buffer):
    jax.tree_util.register_pytree_with_keys(_cls, _flatten_with_keys, _make_unflatten(_cls), _flatten)

