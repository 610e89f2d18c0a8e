"""``Tensor``: the mutable box around one ``jax.Array``, with torch's Tensor API.

A box holds a reference to a storage cell (``_storage.py``, which also states the sealing
rules) whose value is an immutable ``jax.Array``. In-place methods (``uniform_``, ``fill_``,
``copy_``, ...) put a new array in the cell, so every handle on the cell (the box itself and
``box.data``) sees the change, as in torch. Everything else (arithmetic, indexing, ``reshape``,
``.T``) is delegated to the array and returns a plain ``jax.Array``.

``Parameter`` and ``Buffer`` (``_parameter.py``) subclass it; the factories (``empty``,
``zeros``, ...) are in ``_factories.py``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _checks, _dtype
from ._storage import Full, Storage, Uninitialized
from ._tensor_methods import TorchMethods, _index, _matmul
from .random import _default as _random


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``.

    >>> Size((2, 3)), Size((2, 3)) == (2, 3)
    (torch.Size([2, 3]), True)
    """

    def __repr__(self) -> str:
        return f"torch.Size({list(self)!r})"

    def numel(self) -> int:
        """Product of the sizes.

        >>> Size((2, 3)).numel()
        6
        """
        return math.prod(self)


class _SizeAttr(int):
    """``t.size`` is the element count (JAX's meaning); ``t.size()`` / ``t.size(i)`` are torch's."""

    def __new__(cls, shape: tuple[int, ...]):
        obj = super().__new__(cls, math.prod(shape))
        obj._shape = shape
        return obj

    def __call__(self, dim: int | None = None):
        if dim is None:
            return Size(self._shape)
        return self._shape[dim]



# C++ type names torch prints when a float scalar cannot be cast to an integral tensor (clamp_).
_C_TYPES = {"int32": "int", "int64": "long int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


def _host_view(value: Any) -> np.ndarray:
    """A read-only NumPy view of a box's values (as ``np.asarray`` of a ``jax.Array`` gives)."""
    arr = np.asarray(value)
    if arr.flags.writeable:
        arr = arr.view()
        arr.flags.writeable = False
    return arr


def _check_index(index: Any, shape: tuple[int, ...]) -> None:
    """torch's IndexError for a concrete integer index out of range (JAX would clamp it).

    Traced indices keep JAX's semantics (clamped reads, dropped writes): they cannot be checked
    without a host sync.
    """
    items = index if isinstance(index, tuple) else (index,)
    n_consuming = sum(1 for i in items if i is not None and i is not Ellipsis and not (
        isinstance(i, (np.ndarray, jax.Array)) and i.dtype == np.bool_))
    dim = report = 0                 # the input dim indexed; the dim torch names (None counts)
    for i in items:
        if i is None:
            report += 1
            continue
        if i is Ellipsis:
            dim += max(0, len(shape) - n_consuming)
            report += max(0, len(shape) - n_consuming)
            continue
        if dim >= len(shape):
            return                   # too many indices: JAX's own IndexError names it
        size = shape[dim]
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            if not -size <= int(i) < size:
                raise IndexError(f"index {int(i)} is out of bounds for dimension {report} with size {size}")
        elif isinstance(i, (np.ndarray, jax.Array)) and not isinstance(i, jax.core.Tracer):
            if i.dtype == np.bool_:
                dim += i.ndim
                report += 1
                continue
            if np.issubdtype(i.dtype, np.integer) and i.size:
                arr = np.asarray(i)
                bad = arr[(arr < -size) | (arr >= size)]
                if bad.size:
                    raise IndexError(f"index {int(bad.flat[0])} is out of bounds for dimension {report} with size "
                                     f"{size}")
        dim += 1
        report += 1


# c10's names for the types in "value cannot be converted to type ... without overflow".
_OVERFLOW_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
                   "int32": "int", "int64": "int64_t", "int16": "int16_t", "int8": "int8_t", "uint8": "uint8_t"}
_FILL_SIGNATURES = " * (Tensor value)\n * (Number value)\n"


def _fill_value(value: Any, dtype: Any) -> Any:
    """torch's checks on a fill value: a number or a 0-dim tensor that fits ``dtype``."""
    v = _unwrap(value)
    if isinstance(v, (str, bytes)) or v is None or isinstance(v, (list, tuple, dict)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got ({type(value).__name__}), "
                        f"but expected one of:\n" + _FILL_SIGNATURES)
    if hasattr(v, "ndim") and v.ndim > 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {v.ndim} dimensions.")
    if isinstance(v, jax.core.Tracer):
        return v
    x = v.item() if hasattr(v, "item") else v
    d = jnp.dtype(dtype)
    name = _OVERFLOW_NAMES.get(d.name)
    if name is None or isinstance(x, bool):
        return v
    if isinstance(x, complex):
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    if _dtype.is_floating(d):
        if math.isfinite(x) and abs(x) > float(jnp.finfo(d).max):
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    else:
        info = jnp.iinfo(d)
        if not math.isfinite(x) or (x > info.max) or (
                x < info.min if info.min < 0 else (x < 0 and -x > info.max)):
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return v


def _float_arg(fn: str, arg: str, pos: int, value: Any) -> float:
    """A float argument of an in-place sampler, with torch's TypeError for anything else."""
    v = _unwrap(value)
    if not isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)) and not (
            hasattr(v, "ndim") and v.ndim == 0 and not isinstance(v, jax.core.Tracer)):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be float, not {type(value).__name__}")
    return float(v)


def _is_torch_tensor(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _unwrap(x: Any) -> Any:
    return x._storage.value if isinstance(x, Tensor) else x


def _parse_size(args: tuple) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"Expected `size` to be ints, got {type(a).__name__}")
        out.append(int(a))
    for d in out:
        if d < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {out}")
    return tuple(out)


def _check_python_data(data: Any) -> None:
    """torch's checks on Python data for ``tensor``/``Tensor``: element types, then a regular nesting."""
    def infer(x: Any) -> None:
        if isinstance(x, bool) or isinstance(x, (float, complex)):
            return
        if isinstance(x, int):
            if not -(1 << 63) <= x < (1 << 63):
                raise ValueError("Overflow when unpacking long long")
            return
        if isinstance(x, (list, tuple)):
            for y in x:
                infer(y)
            return
        if isinstance(x, (np.generic, np.ndarray, jax.Array, Tensor)) or _checks.is_tensor_like(x):
            return
        if isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")

    infer(data)
    sizes, x = [], data
    while isinstance(x, (list, tuple)):
        sizes.append(len(x))
        if not x:
            break
        x = x[0]

    def walk(x: Any, d: int) -> None:
        if d == len(sizes):
            if isinstance(x, (list, tuple)):
                raise ValueError(f"Expected `data` to be a regular nested sequence, got a sequence at dim {d} where "
                                 "a number was expected")
            return
        if not isinstance(x, (list, tuple)):
            if hasattr(x, "shape"):
                return                  # an array inside a list: NumPy checks its shape
            raise TypeError("not a sequence")
        if len(x) != sizes[d]:
            raise ValueError(f"expected sequence of length {sizes[d]} at dim {d} (got {len(x)})")
        for y in x:
            walk(y, d + 1)

    if sizes:
        walk(data, 0)


def _as_array(data: Any, dtype: Any = None) -> jax.Array:
    if isinstance(data, Tensor) and type(data._storage.peek()) is Uninitialized:
        v = data._storage.peek()          # Parameter(empty(...)) stays unmaterialized
        if dtype is None or _dtype.canonical(dtype) == v.dtype:
            return v
    data = _unwrap(data)
    python = not isinstance(data, (jax.Array, np.ndarray, np.generic)) and not _checks.is_tensor_like(data)
    if python:
        _check_python_data(data)
    if dtype is not None:
        return jnp.asarray(data, dtype=_dtype.canonical(dtype))
    if not python:
        return jnp.asarray(data)
    arr = np.asarray(data)
    if arr.dtype == np.float64:       # Python floats default to torch's float32
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu":
        int_dtype = _dtype.canonical(np.int64)
        if arr.size and int_dtype != arr.dtype:
            info = np.iinfo(int_dtype)
            if arr.min() < info.min or arr.max() > info.max:
                raise RuntimeError(f"value cannot be converted to type {int_dtype.name} without overflow (without "
                                   "jax_enable_x64, JAX stores int64 data as int32)")
        arr = arr.astype(int_dtype)
    return jnp.asarray(arr)


class Tensor(TorchMethods):
    """A mutable box around one ``jax.Array``, with torch's in-place methods.

    ``Tensor(3, 5)`` is an uninitialized-looking (zero) float32 box of shape (3, 5), like
    ``torch.Tensor(3, 5)``; ``Tensor(data)`` wraps data as float32.

    Operations return new plain ``Tensor`` values with torch's methods (``view``, ``transpose``,
    ``sum(dim=...)``, ... in :class:`~torchlike_params._tensor_methods.TorchMethods`); in-place
    methods change the box. ``.value`` (or ``jnp.asarray(t)``) gives the ``jax.Array``.

    Note: torch's uninitialized memory is zeros here. A view (``view``, ``transpose``, slicing)
    is a new value, not an alias: an in-place change through it does not reach the original.

    >>> t = tp.Tensor(3, 5).uniform_(-1, 1)
    >>> t.shape, t.dtype, bool((abs(t) <= 1).all())
    (torch.Size([3, 5]), dtype('float32'), True)
    """

    __slots__ = ("_storage", "__weakref__")
    requires_grad = False          # Parameter overrides it; plain tensors and buffers report False
    grad_fn = None
    is_leaf = True
    is_meta = False

    def __init__(self, *args: Any, dtype: Any = None) -> None:
        if len(args) == 1 and (args[0] is None or isinstance(args[0], (float, np.floating, complex, bool))):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            value = _as_array(args[0], dtype if dtype is not None else _dtype.float32)
        else:
            value = Uninitialized(_parse_size(args) if args else (0,), _dtype.canonical(dtype))  # Tensor() is [0]
        self._storage = Storage(value)

    @classmethod
    def _wrap(cls, value: Any, storage: Storage | None = None) -> "Tensor":
        obj = object.__new__(cls)
        obj._storage = storage if storage is not None else Storage(value)
        for name, default in cls._defaults():
            object.__setattr__(obj, name, default)
        return obj

    @classmethod
    def _defaults(cls) -> tuple[tuple[str, Any], ...]:
        return ()

    # -- the array ----------------------------------------------------------------------------
    @property
    def value(self) -> jax.Array:
        """The current ``jax.Array``.

        >>> tp.Tensor([1.0, 2.0]).value.tolist()
        [1.0, 2.0]
        """
        return self._storage.value

    def _set(self, value: Any) -> "Tensor":
        self._storage.value = value
        return self

    @property
    def data(self) -> "Tensor":
        """A plain ``Tensor`` handle on the same storage: in-place changes through it change this box.

        >>> p = tp.Parameter(tp.zeros(2)); _ = p.data.fill_(3.0); p.value.tolist()
        [3.0, 3.0]
        """
        return Tensor._wrap(None, self._storage)

    @data.setter
    def data(self, new: Any) -> None:
        if not isinstance(new, (Tensor, jax.Array, np.ndarray)) and not _is_torch_tensor(new):
            raise TypeError(f"Variable data has to be a tensor, but got {type(new).__name__}")
        value = _as_array(new) if not isinstance(new, Tensor) else new.value
        if getattr(self, "requires_grad", False) and not _dtype.is_floating(value.dtype):
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._storage.value = value

    def __jax_array__(self) -> jax.Array:
        return self._storage.value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = _host_view(self._storage.host())
        return arr.astype(dtype) if dtype is not None else arr

    # -- metadata -------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The shape as a ``Size`` (a tuple).

        >>> tp.zeros(2, 3).shape
        torch.Size([2, 3])
        """
        return Size(self._storage.peek().shape)

    @property
    def dtype(self):
        """The JAX dtype of the array.

        >>> tp.zeros(1).dtype
        dtype('float32')
        """
        return self._storage.peek().dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions.

        >>> tp.zeros(2, 3).ndim
        2
        """
        return len(self._storage.peek().shape)

    @property
    def size(self) -> _SizeAttr:
        """Element count as an int; call it as ``size()`` or ``size(dim)`` for torch's meaning.

        >>> t = tp.zeros(2, 3); int(t.size), t.size(), t.size(1)
        (6, torch.Size([2, 3]), 3)
        """
        return _SizeAttr(tuple(self._storage.peek().shape))

    @property
    def device(self):
        """The JAX device holding the array.

        >>> tp.ones(1).device.platform in ("cpu", "gpu", "tpu")
        True
        """
        v = self._storage.value
        if isinstance(v, jax.core.Tracer):      # traced (jit/grad/vmap): placement is not known here
            return jax.devices()[0]
        return next(iter(v.devices())) if hasattr(v, "devices") else None

    def numel(self) -> int:
        """Number of elements.

        >>> tp.zeros(2, 3).numel()
        6
        """
        return math.prod(self._storage.peek().shape)

    nelement = numel

    def dim(self) -> int:
        """Number of dimensions.

        >>> tp.zeros(2, 3).dim()
        2
        """
        return len(self._storage.peek().shape)

    ndimension = dim


    def numpy(self) -> np.ndarray:
        """A NumPy copy of the array.

        >>> tp.ones(2).numpy().dtype
        dtype('float32')
        """
        return _host_view(self._storage.host())

    def clone(self) -> "Tensor":
        """A new box of the same class and flags holding the same (immutable) array.

        >>> tp.Parameter(tp.ones(2)).clone().requires_grad
        True
        """
        obj = type(self)._wrap(self._storage.value)
        for name, _ in type(self)._defaults():
            object.__setattr__(obj, name, getattr(self, name))
        return obj

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """A new box on a new storage cell holding the same (immutable, possibly lazy) value.

        Nothing is materialized, so this works on boxes that hold tracers (a module deep-copied
        while it is built inside ``jax.jit``, as ``TransformerEncoder`` does).
        """
        storage = memo.get(id(self._storage))
        if storage is None:          # handles on one cell (a box and its .data) stay on one cell
            storage = memo[id(self._storage)] = Storage(self._storage.peek())
        new = type(self)._wrap(None, storage)
        for name, _ in type(self)._defaults():
            object.__setattr__(new, name, getattr(self, name))
        memo[id(self)] = new
        return new

    def _with_value(self, value: Any) -> "Tensor":
        """A new box of this class and flags holding ``value``, without reading this box."""
        obj = type(self)._wrap(value)
        for name, _ in type(self)._defaults():
            object.__setattr__(obj, name, getattr(self, name))
        return obj

    def is_floating_point(self) -> bool:
        """True for floating dtypes.

        >>> tp.zeros(1).is_floating_point()
        True
        """
        return _dtype.is_floating(self.dtype)

    # -- reductions (torch's defaults: std/var are unbiased) -----------------------------------
    # -- in-place methods ---------------------------------------------------------------------
    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None, key: Any = None,
                 **kwargs: Any) -> "Tensor":
        """Fill with U[a, b) (torch's ``from``/``to`` keywords are accepted too); returns self.

        >>> tp.empty(3).uniform_(-1, 1).shape
        torch.Size([3])
        """
        a = _float_arg("uniform_", "from", 1, kwargs.pop("from", a))
        b = _float_arg("uniform_", "to", 2, kwargs.pop("to", b))
        if kwargs:
            raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
        _checks.check_uniform(a, b, self.dtype)
        if self.numel() == 0:
            return self
        return self._set(_random.resolve(generator, key).uniform(self.shape, self.dtype, a, b))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None, key: Any = None) -> "Tensor":
        """Fill with N(mean, std**2); returns self.

        >>> tp.empty(2, 2).normal_(0.0, 0.02).dtype
        dtype('float32')
        """
        mean, std = _float_arg("normal_", "mean", 1, mean), _float_arg("normal_", "std", 2, std)
        _checks.check_normal(std, self.dtype)
        if self.numel() == 0:
            return self
        return self._set(_random.resolve(generator, key).normal(self.shape, self.dtype, mean, std))

    def fill_(self, value: Any) -> "Tensor":
        """Fill with a scalar, cast to this dtype; returns self.

        >>> tp.zeros(2).fill_(7).tolist()
        [7.0, 7.0]
        """
        v = _fill_value(value, self.dtype)
        if isinstance(v, jax.core.Tracer):
            return self._set(jnp.full(self.shape, v, dtype=self.dtype))
        return self._set(Full(self.shape, self.dtype, v.item() if hasattr(v, "item") else v))

    def zero_(self) -> "Tensor":
        """Fill with zeros; returns self.

        >>> tp.ones(2).zero_().tolist()
        [0.0, 0.0]
        """
        return self._set(Full(self.shape, self.dtype, 0))

    def _check_out_shape(self, other_shape: tuple) -> None:
        """torch's errors when an in-place result of ``self`` and ``other_shape`` would not keep self's shape."""
        a = tuple(self.shape)
        expanded = _checks.broadcast_shape(a, tuple(other_shape))
        if expanded != a:
            raise RuntimeError(f"output with shape {list(a)} doesn't match the broadcast shape {list(expanded)}")

    def _broadcast_src(self, src: Any) -> jax.Array:
        s = jnp.asarray(_unwrap(src))
        self._check_out_shape(tuple(s.shape))
        return jnp.broadcast_to(s, tuple(self.shape))

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copy ``src`` in (broadcast to this shape, cast to this dtype); returns self.

        >>> tp.zeros(2, 2).copy_(jnp.ones(2)).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
        """
        if not isinstance(src, (Tensor, jax.Array, np.ndarray, np.generic, bool, int, float)) and not (
                _is_torch_tensor(src)):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
        return self._set(self._broadcast_src(src).astype(self.dtype))

    def _inplace(self, result: Any) -> "Tensor":
        result = jnp.asarray(result)
        if jnp.issubdtype(result.dtype, jnp.floating) and not _dtype.is_floating(self.dtype):
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{_dtype.scalar_name(self.dtype)}")
        if jnp.dtype(self.dtype) == jnp.bool_ and jnp.issubdtype(result.dtype, jnp.integer):
            raise RuntimeError("result type Long can't be cast to the desired output type Bool")
        return self._set(self._broadcast_src(result).astype(self.dtype))

    def _operand(self, fn: str, other: Any) -> Any:
        """``other`` unwrapped, after torch's type check and its in-place broadcast check."""
        _checks.check_operand(fn, other)
        o = _unwrap(other)
        if hasattr(o, "shape"):
            self._check_out_shape(tuple(o.shape))
        return o

    def _check_alpha(self, other: Any, alpha: Any, fn: str = "add_") -> None:
        _checks.check_number(fn, "alpha", alpha)
        if isinstance(alpha, float) and not _dtype.is_floating(self.dtype) and not _dtype.is_floating(
                jnp.result_type(_unwrap(other))):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self += alpha * other``; returns self.

        >>> tp.ones(2).add_(tp.ones(2), alpha=2).tolist()
        [3.0, 3.0]
        """
        o = self._operand("add_", other)
        self._check_alpha(o, alpha)
        return self._inplace(self.value + alpha * jnp.asarray(o))

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self -= alpha * other``; returns self.

        >>> tp.ones(2).sub_(1).tolist()
        [0.0, 0.0]
        """
        o = jnp.asarray(self._operand("sub_", other))
        self._check_alpha(o, alpha, "sub_")
        if jnp.dtype(self.dtype) == jnp.bool_ and o.dtype == jnp.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        return self._inplace(self.value - alpha * o)

    def mul_(self, other: Any) -> "Tensor":
        """``self *= other``; returns self.

        >>> tp.ones(2).mul_(3).tolist()
        [3.0, 3.0]
        """
        return self._inplace(self.value * jnp.asarray(self._operand("mul_", other)))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """``self /= other`` (``rounding_mode`` None, 'trunc' or 'floor'); returns self.

        >>> tp.ones(2).div_(4).tolist()
        [0.25, 0.25]
        """
        if rounding_mode is not None and not isinstance(rounding_mode, str):
            kind = "Tensor" if _checks.is_tensor_like(other) else type(other).__name__
            raise TypeError(f"div_() received an invalid combination of arguments - got ({kind}, rounding_mode="
                            f"{type(rounding_mode).__name__}), but expected one of:\n"
                            " * (Tensor other, *, str rounding_mode = None)\n * (Number other, *, str rounding_mode = None)\n")
        if rounding_mode not in (None, "trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                               f"{rounding_mode!r}")
        o = jnp.asarray(self._operand("div_", other))
        if rounding_mode is not None and not _dtype.is_floating(self.dtype) and not _dtype.is_floating(o.dtype):
            if not isinstance(o, jax.core.Tracer) and bool((np.asarray(o) == 0).any()):
                raise RuntimeError("ZeroDivisionError")
            a = self.value                  # integer division keeps the integer dtype, as in torch
            q = jnp.floor_divide(a, o) if rounding_mode == "floor" else jnp.sign(a) * jnp.sign(o) * (abs(a) // abs(o))
            return self._inplace(q)
        q = jnp.true_divide(self.value, o)
        if rounding_mode == "trunc":
            q = jnp.trunc(q)
        elif rounding_mode == "floor":
            q = jnp.floor(q)
        return self._inplace(q)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        """Clamp into [min, max] in place; returns self.

        >>> tp.tensor([-2.0, 0.5, 3.0]).clamp_(-1, 1).tolist()
        [-1.0, 0.5, 1.0]
        """
        for v in (min, max):
            if v is not None and not isinstance(v, _checks._NUMBER) and not _checks.is_tensor_like(v):
                got = "".join(f"{k}={type(x).__name__}, " for k, x in (("max", max), ("min", min)) if x is not None)
                raise TypeError(f"clamp_() received an invalid combination of arguments - got ({got}), but expected "
                                "one of:\n * (Tensor min = None, Tensor max = None)\n"
                                " * (Number min = None, Number max = None)\n")
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        for v in (min, max):
            if hasattr(v, "shape"):
                self._check_out_shape(tuple(v.shape))
        if not _dtype.is_floating(self.dtype) and (isinstance(min, float) or isinstance(max, float)):
            ctype = _C_TYPES.get(jnp.dtype(self.dtype).name, jnp.dtype(self.dtype).name)
            raise RuntimeError(f"result type Float can't be cast to the desired output type {ctype}")
        return self._set(self._broadcast_src(jnp.clip(self.value, _unwrap(min), _unwrap(max))).astype(self.dtype))

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _checks.truncate_float_indices(_index(index))
        _checks.check_index_items(index, self.ndim)
        _check_index(index, tuple(self.shape))
        v = _unwrap(value)
        if not isinstance(v, _checks._NUMBER) and not _checks.is_tensor_like(v):
            arr = np.asarray(v) if isinstance(v, (list, tuple)) else None
            if arr is None or arr.dtype.kind not in "biufc":
                raise TypeError(f"can't assign a {type(value).__name__} to a {_dtype.typename(self.dtype)}")
            v = arr
        if np.ndim(v):
            target = jax.eval_shape(lambda a: a[index], jax.ShapeDtypeStruct(tuple(self.shape), self.dtype)).shape
            _checks.check_expand(tuple(np.shape(v)), tuple(target))
            if np.ndim(v) > len(target):            # torch drops the value's leading size-1 dims
                v = jnp.reshape(jnp.asarray(v), np.shape(v)[np.ndim(v) - len(target):])
        self._set(self.value.at[index].set(jnp.asarray(v).astype(self.dtype)))

    # -- delegation ---------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> "Tensor":
        index = _checks.truncate_float_indices(_index(index))
        _checks.check_index_items(index, self.ndim)
        _check_index(index, tuple(self.shape))
        return _out(self._storage.value[index])

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        v = self._storage.value
        if v.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (_out(v[i]) for i in range(v.shape[0]))

    def __bool__(self) -> bool:
        return bool(self._storage.value)

    def __float__(self) -> float:
        return float(self._storage.value)

    def __int__(self) -> int:
        return int(self._storage.value)

    def __index__(self) -> int:
        return int(self._storage.value)

    @property
    def grad(self) -> None:
        """None: gradients are values returned by ``jax.grad``, never stored on tensors.

        >>> tp.Parameter(tp.ones(1)).grad is None
        True
        """
        return None

    def backward(self, *args: Any, **kwargs: Any) -> None:
        """Not supported: JAX differentiates functions, not tensors.

        >>> tp.ones(1).sum().backward()
        Traceback (most recent call last):
        ...
        RuntimeError: Tensor.backward() is not supported: JAX computes gradients of functions. Write the loss as a function of the parameters and use jax.grad(loss_fn)(params) with torchlike_params.functional_call (see the README's training example).
        """
        raise RuntimeError("Tensor.backward() is not supported: JAX computes gradients of functions. Write the loss "
                           "as a function of the parameters and use jax.grad(loss_fn)(params) with "
                           "torchlike_params.functional_call (see the README's training example).")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        hint = (f"use jnp.{name}(x.value)" if hasattr(jnp, name) else "compute it with jax.numpy on x.value")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}': torch's Tensor.{name} is "
                             f"not supported by torchlike_params; {hint}")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        v = self._storage.value
        if isinstance(v, jax.core.Tracer) or not hasattr(v, "shape"):
            body = repr(v)
        else:
            arr = np.asarray(v)
            opts = dict(separator=", ", prefix="tensor(")
            if arr.dtype.kind == "f":
                opts.update(precision=4, floatmode="fixed" if arr.size and np.all(np.isfinite(arr)) and not np.all(arr == np.round(arr)) else "maxprec")
            body = np.array2string(arr, **opts) if arr.size else "[]"
            if arr.ndim == 0:
                body = str(arr.item())
            dn = jnp.dtype(arr.dtype).name
            if dn not in ("float32", "int64", "bool") and not (dn == "int32" and not jax.config.jax_enable_x64):
                body += f", dtype={_dtype.torch_name(arr.dtype)}"
            if arr.size == 0 and arr.ndim > 1:
                body += f", size={tuple(arr.shape)}"
        if getattr(self, "requires_grad", False):
            body += ", requires_grad=True"
        return f"tensor({body})"


def _out(value: Any) -> Tensor:
    """A new plain ``Tensor`` around ``value`` (the result of every out-of-place method)."""
    obj = object.__new__(Tensor)
    obj._storage = Storage(value)
    return obj


Tensor._out = staticmethod(_out)


def _binop(fn, reflected: bool = False):
    if reflected:
        def method(self, other):
            return _out(fn(_unwrap(other), self._storage.value))
    else:
        def method(self, other):
            return _out(fn(self._storage.value, _unwrap(other)))
    return method


for _name, _fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("and", operator.and_), ("or", operator.or_), ("xor", operator.xor),
                   ("lshift", operator.lshift), ("rshift", operator.rshift)):
    setattr(Tensor, f"__{_name}__", _binop(_fn))
    setattr(Tensor, f"__r{_name}__", _binop(_fn, reflected=True))
for _name, _fn in (("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                   ("eq", operator.eq), ("ne", operator.ne)):
    setattr(Tensor, f"__{_name}__", _binop(_fn))
for _name, _fn in (("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs), ("invert", operator.invert)):
    setattr(Tensor, f"__{_name}__", (lambda f: lambda self: _out(f(self._storage.value)))(_fn))
Tensor.__matmul__ = lambda self, other: _out(_matmul(self._storage.value, _unwrap(other)))
Tensor.__rmatmul__ = lambda self, other: _out(_matmul(_unwrap(other), self._storage.value))
Tensor.__hash__ = object.__hash__
