"""Factories with torch's names and signatures: ``empty``, ``zeros``, ``ones``, ``full``,
``rand``, ``randn``, ``tensor``, the ``*_like`` forms, ``is_tensor`` and ``no_grad``.

Every argument is checked at the call with torch's errors and in torch's order (argument types,
then the ``device`` string, then negative sizes). ``device`` is otherwise ignored: arrays live on
JAX's default device; a device string torch cannot parse (``'bogus'``) raises torch's RuntimeError.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _checks, _dtype
from ._storage import Uninitialized
from ._tensor import Tensor, _as_array, _unwrap



_RANDOM_SIGNATURES = (
    " * (tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
    " * (tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")


def _parse(fn: str, args: tuple, dtype: Any = None, device: Any = None) -> tuple[tuple[int, ...], Any]:
    """Parse a factory's ``*size``, ``dtype`` and ``device`` as torch does, with torch's errors (checked
    now, never on a later read); returns ``(size, dtype)``.

    torch's order: the argument types first (size, where a bool is an int only after the first
    element, then dtype), then the ``device`` string, then negative sizes.
    """
    if not args:
        if fn in ("rand", "randn"):
            raise TypeError(f"{fn}() received an invalid combination of arguments - got (), but expected one of:\n"
                            + _RANDOM_SIGNATURES)
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    seq = len(args) == 1 and isinstance(args[0], (tuple, list))
    dims = tuple(args[0]) if seq else args
    for i, a in enumerate(dims):
        if isinstance(a, (int, np.integer)) and not (i == 0 and isinstance(a, bool)):
            continue
        if i > 0:
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                            f'"type must be tuple of ints,but got {type(a).__name__}"')
        if seq:
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element "
                            f"of type {type(a).__name__} at pos 0")
        if len(dims) > 1:
            if fn in ("rand", "randn"):
                got = ", ".join(type(x).__name__ for x in dims)
                raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but expected "
                                "one of:\n" + _RANDOM_SIGNATURES)
            raise TypeError(f"{fn}() takes 1 positional argument but {len(dims)} were given")
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(a).__name__}")
    d = _dtype_of(fn, dtype)
    _checks.check_device(device, fn)
    dims = tuple(int(a) for a in dims)
    for n in dims:
        if n < 0:
            if fn == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(dims)}")
    return dims, d


def _dtype_of(fn: str, dtype: Any) -> Any:
    """A factory's ``dtype=``: None (float32), a dtype, or torch's TypeError."""
    try:
        d = None if hasattr(dtype, "shape") and not isinstance(dtype, np.dtype) else _dtype.canonical(dtype)   # an array's .dtype is not a dtype
    except TypeError:
        d = None
    if d is None or d.kind not in "biufcV":
        raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")
    return d


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """An uninitialized Tensor, like ``torch.empty``: it reads as zeros and costs nothing until read.

    Sizes are checked now, with torch's errors (``empty()`` needs a size; no negative dims).

    >>> tp.empty(3, 5).shape, tp.empty((3, 5)).dtype
    (torch.Size([3, 5]), dtype('float32'))
    """
    return Tensor._wrap(Uninitialized(*_parse("empty", size, dtype, device)))


def zeros(*size: Any, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
    """A Tensor of zeros.

    >>> tp.zeros(2).tolist()
    [0.0, 0.0]
    """
    return Tensor._wrap(jnp.zeros(*_parse("zeros", size, dtype, device)))


def ones(*size: Any, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
    """A Tensor of ones.

    >>> tp.ones(2, dtype="int32").tolist()
    [1, 1]
    """
    return Tensor._wrap(jnp.ones(*_parse("ones", size, dtype, device)))


def full(*args: Any, dtype: Any = None, device: Any = None, **kwargs: Any) -> Tensor:
    """A Tensor filled with ``fill_value``: ``full(size, fill_value, *, dtype=None)``.

    >>> tp.full((2,), 0.5).tolist()
    [0.5, 0.5]
    """
    args = args + tuple(kwargs.pop(k) for k in ("size", "fill_value")[len(args):] if k in kwargs)
    if len(args) < 2:
        missing = ("size", "fill_value")[len(args):]
        noun = "arguments" if len(missing) == 1 else "argument"     # torch's own (inverted) plural
        raise TypeError(f"full() missing {len(missing)} required positional {noun}: "
                        + ", ".join(f'"{m}"' for m in missing))
    size, fill_value = args[0], args[1]
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    fill = _unwrap(fill_value)
    if isinstance(fill, (str, bytes, list, tuple, dict)) or fill is None or np.ndim(fill) > 0:
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")
    dims, d = _parse("full", (tuple(size),), dtype, device)
    return Tensor._wrap(jnp.full(dims, fill, d))


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
    """U[0, 1) samples from the default generator (or ``generator=``), like ``torch.rand``.

    >>> tp.rand(2, 3).shape
    torch.Size([2, 3])
    """
    return Tensor._wrap(Uninitialized(*_parse("rand", size, dtype, device))).uniform_(
        0.0, 1.0, generator=generator)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
    """N(0, 1) samples from the default generator (or ``generator=``), like ``torch.randn``.

    >>> tp.randn(4).dtype
    dtype('float32')
    """
    return Tensor._wrap(Uninitialized(*_parse("randn", size, dtype, device))).normal_(
        0.0, 1.0, generator=generator)


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A Tensor from data with torch's dtype inference (floats -> float32, ints -> int64).

    Note: without ``jax_enable_x64``, int64 data is stored as int32 by JAX.

    >>> tp.tensor([1.0, 2.0]).dtype, tp.tensor(0).dtype == _dtype.canonical(_dtype.int64)
    (dtype('float32'), True)
    """
    d = None if dtype is None else _dtype_of("tensor", dtype)
    _checks.check_device(device, "tensor")
    return Tensor._wrap(_as_array(data, d))


def _like_input(fn: str, input: Any, device: Any) -> Any:
    """The ``input`` of a ``*_like`` factory: a box or an array (its shape and dtype), else torch's TypeError;
    ``device`` is checked too."""
    x = input._storage.peek() if isinstance(input, Tensor) else input
    if not isinstance(x, (jax.Array, np.ndarray)) and not (hasattr(x, "shape") and hasattr(x, "dtype")):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    _checks.check_device(device, fn)
    return x


def zeros_like(input: Any, *, dtype: Any = None, device: Any = None) -> Tensor:
    """Zeros with ``t``'s shape and dtype.

    >>> zeros_like(tp.ones(2)).tolist()
    [0.0, 0.0]
    """
    t = _like_input("zeros_like", input, device)
    return zeros(tuple(t.shape), dtype=t.dtype if dtype is None else _dtype_of("zeros_like", dtype),
                 device=device)


def ones_like(input: Any, *, dtype: Any = None, device: Any = None) -> Tensor:
    """Ones with ``t``'s shape and dtype.

    >>> ones_like(tp.zeros(2)).tolist()
    [1.0, 1.0]
    """
    t = _like_input("ones_like", input, device)
    return ones(tuple(t.shape), dtype=t.dtype if dtype is None else _dtype_of("ones_like", dtype),
                device=device)


def empty_like(input: Any, *, dtype: Any = None, device: Any = None) -> Tensor:
    """An uninitialized (zero) Tensor with ``t``'s shape and dtype.

    >>> empty_like(tp.ones(3)).shape
    torch.Size([3])
    """
    t = _like_input("empty_like", input, device)
    return empty(tuple(t.shape), dtype=t.dtype if dtype is None else _dtype_of("empty_like", dtype),
                 device=device)


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