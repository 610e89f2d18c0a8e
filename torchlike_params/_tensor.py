"""Tensor, Parameter and Buffer: mutable boxes around one ``jax.Array``.

A box holds a reference to a storage cell whose value is an immutable ``jax.Array``. In-place
methods (``uniform_``, ``fill_``, ``copy_``, ...) put a new array in the cell, so every handle
on the cell (the box itself and ``box.data``) sees the change, as in torch. Everything else
(arithmetic, indexing, ``reshape``, ``.T``) is delegated to the array and returns a plain
``jax.Array``.

The boxes are JAX pytrees with one leaf, so ``jnp`` functions, ``jax.jit``, ``jax.grad`` and
``jax.tree_util`` accept them; unflattening makes a new box (with new storage).
"""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from . import _checks, _dtype, _generator



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


class _Uninitialized:
    """The contents of ``empty``: a shape and dtype, materialized as zeros only if read.

    Filling a fresh ``empty`` box (the usual ``Parameter(empty(...))`` + ``init.*_`` pattern)
    therefore allocates and compiles nothing for the placeholder.
    """

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape, self.dtype, self.ndim = shape, jnp.dtype(dtype), len(shape)


class _Storage:
    __slots__ = ("_v",)

    def __init__(self, value: Any) -> None:
        self._v = value

    @property
    def value(self) -> Any:
        v = self._v
        if type(v) is _Uninitialized:
            v = self._v = jnp.zeros(v.shape, v.dtype)
        elif type(v) is _generator.Pending:
            v = self._v = v.result()
        return v

    @value.setter
    def value(self, new: Any) -> None:
        self._v = new

    def peek(self) -> Any:
        """The array or placeholder, for shape and dtype, without materializing."""
        return self._v

    def __deepcopy__(self, memo: dict) -> "_Storage":
        import copy
        return _Storage(copy.deepcopy(self.value, memo))

    def __reduce__(self):
        return (_Storage, (self.value,))


# C++ type names torch prints when a float scalar cannot be cast to an integral tensor (clamp_).
_C_TYPES = {"int32": "int", "int64": "long int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


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
    return tuple(out)


def _as_array(data: Any, dtype: Any = None) -> jax.Array:
    if isinstance(data, Tensor) and type(data._storage.peek()) is _Uninitialized:
        v = data._storage.peek()          # Parameter(empty(...)) stays unmaterialized
        if dtype is None or _dtype.canonical(dtype) == v.dtype:
            return v
    data = _unwrap(data)
    if dtype is not None:
        return jnp.asarray(data, dtype=_dtype.canonical(dtype))
    if isinstance(data, (jax.Array, np.ndarray, np.generic)):
        return jnp.asarray(data)
    arr = np.asarray(data)
    if arr.dtype == np.float64:       # Python floats default to torch's float32
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(_dtype.canonical(np.int64))
    return jnp.asarray(arr)


class Tensor:
    """A mutable box around one ``jax.Array``, with torch's in-place methods.

    ``Tensor(3, 5)`` is an uninitialized-looking (zero) float32 box of shape (3, 5), like
    ``torch.Tensor(3, 5)``; ``Tensor(data)`` wraps data as float32.

    Note: torch's uninitialized memory is zeros here, and operations other than the in-place
    methods return plain ``jax.Array`` values, not boxes.

    >>> t = Tensor(3, 5).uniform_(-1, 1)
    >>> t.shape, t.dtype, bool((abs(t) <= 1).all())
    (torch.Size([3, 5]), dtype('float32'), True)
    """

    __slots__ = ("_storage", "__weakref__")
    grad_fn = None
    is_leaf = True
    is_meta = False

    def __init__(self, *args: Any, dtype: Any = None) -> None:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)) or (
                len(args) == 1 and isinstance(args[0], bool)):
            value = _as_array(args[0], dtype if dtype is not None else _dtype.float32)
        else:
            value = _Uninitialized(_parse_size(args) if args else (0,), _dtype.canonical(dtype))  # Tensor() is [0]
        self._storage = _Storage(value)

    @classmethod
    def _wrap(cls, value: Any, storage: _Storage | None = None) -> "Tensor":
        obj = object.__new__(cls)
        obj._storage = storage if storage is not None else _Storage(value)
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

        >>> Tensor([1.0, 2.0]).value.tolist()
        [1.0, 2.0]
        """
        return self._storage.value

    def _set(self, value: Any) -> "Tensor":
        self._storage.value = value
        return self

    @property
    def data(self) -> "Tensor":
        """A plain ``Tensor`` handle on the same storage: in-place changes through it change this box.

        >>> p = Parameter(zeros(2)); _ = p.data.fill_(3.0); p.value.tolist()
        [3.0, 3.0]
        """
        return Tensor._wrap(None, self._storage)

    @data.setter
    def data(self, new: Any) -> None:
        self._storage.value = _as_array(new) if not isinstance(new, Tensor) else new.value

    def __jax_array__(self) -> jax.Array:
        return self._storage.value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self._storage.value)
        return arr.astype(dtype) if dtype is not None else arr

    # -- metadata -------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The shape as a ``Size`` (a tuple).

        >>> zeros(2, 3).shape
        torch.Size([2, 3])
        """
        return Size(self._storage.peek().shape)

    @property
    def dtype(self):
        """The JAX dtype of the array.

        >>> zeros(1).dtype
        dtype('float32')
        """
        return self._storage.peek().dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions.

        >>> zeros(2, 3).ndim
        2
        """
        return len(self._storage.peek().shape)

    @property
    def size(self) -> _SizeAttr:
        """Element count as an int; call it as ``size()`` or ``size(dim)`` for torch's meaning.

        >>> t = zeros(2, 3); int(t.size), t.size(), t.size(1)
        (6, torch.Size([2, 3]), 3)
        """
        return _SizeAttr(tuple(self._storage.peek().shape))

    @property
    def T(self) -> jax.Array:
        """The transpose (a ``jax.Array``).

        >>> zeros(2, 3).T.shape
        (3, 2)
        """
        return self._storage.value.T

    @property
    def device(self):
        """The JAX device holding the array.

        >>> ones(1).device.platform in ("cpu", "gpu", "tpu")
        True
        """
        v = self._storage.value
        return next(iter(v.devices())) if hasattr(v, "devices") else None

    def numel(self) -> int:
        """Number of elements.

        >>> zeros(2, 3).numel()
        6
        """
        return math.prod(self._storage.peek().shape)

    nelement = numel

    def dim(self) -> int:
        """Number of dimensions.

        >>> zeros(2, 3).dim()
        2
        """
        return len(self._storage.peek().shape)

    ndimension = dim

    def reshape(self, *shape: Any) -> jax.Array:
        """Reshape (returns a ``jax.Array``).

        >>> zeros(2, 3).reshape(3, 2).shape
        (3, 2)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._storage.value.reshape(shape)

    view = reshape

    def t(self) -> jax.Array:
        """Transpose a 2-D tensor (returns a ``jax.Array``).

        >>> zeros(2, 3).t().shape
        (3, 2)
        """
        return self._storage.value.T

    def item(self) -> Any:
        """The single element as a Python number.

        >>> tensor([2.5]).item()
        2.5
        """
        return self._storage.value.item()

    def tolist(self) -> Any:
        """Nested Python lists.

        >>> ones(2).tolist()
        [1.0, 1.0]
        """
        return self._storage.value.tolist()

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the array.

        >>> ones(2).numpy().dtype
        dtype('float32')
        """
        return np.asarray(self._storage.value)

    def detach(self) -> "Tensor":
        """A new plain Tensor holding the same (immutable) array.

        >>> type(Parameter(ones(2)).detach()).__name__
        'Tensor'
        """
        return Tensor._wrap(self._storage.value)

    def clone(self) -> "Tensor":
        """A new box of the same class and flags holding the same (immutable) array.

        >>> Parameter(ones(2)).clone().requires_grad
        True
        """
        obj = type(self)._wrap(self._storage.value)
        for name, _ in type(self)._defaults():
            object.__setattr__(obj, name, getattr(self, name))
        return obj

    def cpu(self) -> "Tensor":
        """Return self (placement is JAX's business).

        >>> t = ones(1); t.cpu() is t
        True
        """
        return self

    def contiguous(self) -> "Tensor":
        """Return self (JAX arrays have no strides).

        >>> t = ones(1); t.contiguous() is t
        True
        """
        return self

    def is_floating_point(self) -> bool:
        """True for floating dtypes.

        >>> zeros(1).is_floating_point()
        True
        """
        return _dtype.is_floating(self.dtype)

    def type(self) -> str:
        """torch's type string, e.g. ``torch.FloatTensor``.

        >>> zeros(1).type()
        'torch.FloatTensor'
        """
        return _dtype.typename(self.dtype)

    def to(self, dtype: Any) -> jax.Array:
        """Cast (returns a ``jax.Array``).

        >>> zeros(1).to("float16").dtype
        dtype('float16')
        """
        return self._storage.value.astype(_dtype.canonical(dtype))

    # -- reductions (torch's defaults: std/var are unbiased) -----------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False) -> jax.Array:
        """Sum over ``dim`` (all elements by default).

        >>> ones(2, 3).sum(1).tolist()
        [3.0, 3.0]
        """
        return jnp.sum(self.value, axis=dim, keepdims=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> jax.Array:
        """Mean over ``dim``.

        >>> float(ones(2, 3).mean())
        1.0
        """
        return jnp.mean(self.value, axis=dim, keepdims=keepdim)

    def std(self, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> jax.Array:
        """Standard deviation with torch's default Bessel correction (``correction=1``).

        >>> round(float(tensor([1.0, 3.0]).std()), 4)
        1.4142
        """
        return jnp.std(self.value, axis=dim, ddof=correction, keepdims=keepdim)

    def var(self, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> jax.Array:
        """Variance with torch's default Bessel correction.

        >>> float(tensor([1.0, 3.0]).var())
        2.0
        """
        return jnp.var(self.value, axis=dim, ddof=correction, keepdims=keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Minimum; with ``dim``, ``(values, indices)`` as torch returns.

        >>> float(tensor([2.0, 1.0]).min()), tensor([[2.0, 1.0]]).min(1)[1].tolist()
        (1.0, [1])
        """
        if dim is None:
            return jnp.min(self.value)
        return jnp.min(self.value, axis=dim, keepdims=keepdim), jnp.argmin(self.value, axis=dim, keepdims=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Maximum; with ``dim``, ``(values, indices)`` as torch returns.

        >>> float(tensor([2.0, 1.0]).max())
        2.0
        """
        if dim is None:
            return jnp.max(self.value)
        return jnp.max(self.value, axis=dim, keepdims=keepdim), jnp.argmax(self.value, axis=dim, keepdims=keepdim)

    def abs(self) -> jax.Array:
        """Elementwise absolute value.

        >>> tensor([-1.0]).abs().tolist()
        [1.0]
        """
        return jnp.abs(self.value)

    # -- in-place methods ---------------------------------------------------------------------
    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None, key: Any = None,
                 **kwargs: Any) -> "Tensor":
        """Fill with U[a, b) (torch's ``from``/``to`` keywords are accepted too); returns self.

        >>> empty(3).uniform_(-1, 1).shape
        torch.Size([3])
        """
        a = float(kwargs.pop("from", a))
        b = float(kwargs.pop("to", b))
        if kwargs:
            raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
        _checks.check_uniform(a, b, self.dtype)
        if self.numel() == 0:
            return self
        return self._set(_generator.resolve(generator, key)._draw("uniform", self.shape, self.dtype, a, b))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None, key: Any = None) -> "Tensor":
        """Fill with N(mean, std**2); returns self.

        >>> empty(2, 2).normal_(0.0, 0.02).dtype
        dtype('float32')
        """
        mean, std = float(mean), float(std)
        _checks.check_normal(std, self.dtype)
        if self.numel() == 0:
            return self
        return self._set(_generator.resolve(generator, key)._draw("normal", self.shape, self.dtype, mean, std))

    def fill_(self, value: Any) -> "Tensor":
        """Fill with a scalar, cast to this dtype; returns self.

        >>> zeros(2).fill_(7).tolist()
        [7.0, 7.0]
        """
        v = _unwrap(value)
        return self._set(jnp.full(self.shape, v, dtype=self.dtype))

    def zero_(self) -> "Tensor":
        """Fill with zeros; returns self.

        >>> ones(2).zero_().tolist()
        [0.0, 0.0]
        """
        return self._set(jnp.zeros(self.shape, dtype=self.dtype))

    def _broadcast_src(self, src: Any) -> jax.Array:
        s = jnp.asarray(_unwrap(src))
        a, b = tuple(self.shape), tuple(s.shape)
        n = max(len(a), len(b))
        expanded = []
        for i in range(n - 1, -1, -1):   # torch's infer_size: right to left, first mismatch reported
            off = n - 1 - i
            sa = a[len(a) - 1 - off] if off < len(a) else 1
            sb = b[len(b) - 1 - off] if off < len(b) else 1
            if sa != sb and sa != 1 and sb != 1:
                raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) "
                                   f"at non-singleton dimension {i}")
            expanded.append(sb if sa == 1 else sa)
        if tuple(reversed(expanded)) != a:
            raise RuntimeError(f"output with shape {list(a)} doesn't match the broadcast shape "
                               f"{list(reversed(expanded))}")
        return jnp.broadcast_to(s, a)

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copy ``src`` in (broadcast to this shape, cast to this dtype); returns self.

        >>> zeros(2, 2).copy_(jnp.ones(2)).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
        """
        return self._set(self._broadcast_src(src).astype(self.dtype))

    def _inplace(self, result: Any) -> "Tensor":
        result = jnp.asarray(result)
        if jnp.issubdtype(result.dtype, jnp.floating) and not _dtype.is_floating(self.dtype):
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{_dtype.scalar_name(self.dtype)}")
        return self._set(self._broadcast_src(result).astype(self.dtype))

    def _check_alpha(self, other: Any, alpha: Any) -> None:
        if isinstance(alpha, float) and not _dtype.is_floating(self.dtype) and not _dtype.is_floating(
                jnp.result_type(_unwrap(other))):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self += alpha * other``; returns self.

        >>> ones(2).add_(ones(2), alpha=2).tolist()
        [3.0, 3.0]
        """
        self._check_alpha(other, alpha)
        return self._inplace(self.value + alpha * jnp.asarray(_unwrap(other)))

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self -= alpha * other``; returns self.

        >>> ones(2).sub_(1).tolist()
        [0.0, 0.0]
        """
        self._check_alpha(other, alpha)
        return self._inplace(self.value - alpha * jnp.asarray(_unwrap(other)))

    def mul_(self, other: Any) -> "Tensor":
        """``self *= other``; returns self.

        >>> ones(2).mul_(3).tolist()
        [3.0, 3.0]
        """
        return self._inplace(self.value * jnp.asarray(_unwrap(other)))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """``self /= other`` (``rounding_mode`` None, 'trunc' or 'floor'); returns self.

        >>> ones(2).div_(4).tolist()
        [0.25, 0.25]
        """
        o = jnp.asarray(_unwrap(other))
        if rounding_mode is not None and not _dtype.is_floating(self.dtype) and not _dtype.is_floating(o.dtype):
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

        >>> tensor([-2.0, 0.5, 3.0]).clamp_(-1, 1).tolist()
        [-1.0, 0.5, 1.0]
        """
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if not _dtype.is_floating(self.dtype) and (isinstance(min, float) or isinstance(max, float)):
            ctype = _C_TYPES.get(jnp.dtype(self.dtype).name, jnp.dtype(self.dtype).name)
            raise RuntimeError(f"result type Float can't be cast to the desired output type {ctype}")
        return self._set(jnp.clip(self.value, _unwrap(min), _unwrap(max)).astype(self.dtype))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._set(self.value.at[_unwrap(index)].set(jnp.asarray(_unwrap(value)).astype(self.dtype)))

    # -- delegation ---------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> jax.Array:
        return self._storage.value[_unwrap(index)]

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return iter(self._storage.value)

    def __bool__(self) -> bool:
        return bool(self._storage.value)

    def __float__(self) -> float:
        return float(self._storage.value)

    def __int__(self) -> int:
        return int(self._storage.value)

    def __index__(self) -> int:
        return int(self._storage.value)

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


def _binop(fn, reflected: bool = False):
    if reflected:
        def method(self, other):
            return fn(_unwrap(other), self._storage.value)
    else:
        def method(self, other):
            return fn(self._storage.value, _unwrap(other))
    return method


for _name, _fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("matmul", operator.matmul), ("and", operator.and_),
                   ("or", operator.or_), ("xor", operator.xor)):
    setattr(Tensor, f"__{_name}__", _binop(_fn))
    setattr(Tensor, f"__r{_name}__", _binop(_fn, reflected=True))
for _name, _fn in (("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                   ("eq", operator.eq), ("ne", operator.ne)):
    setattr(Tensor, f"__{_name}__", _binop(_fn))
for _name, _fn in (("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs), ("invert", operator.invert)):
    setattr(Tensor, f"__{_name}__", (lambda f: lambda self: f(self._storage.value))(_fn))
Tensor.__hash__ = object.__hash__


class Parameter(Tensor):
    """A trainable Tensor: ``Parameter(data=None, requires_grad=True)``.

    ``Parameter()`` holds an empty float32 array, like torch. Assigning one to a Module
    attribute registers it. Only parameters with ``requires_grad=True`` are trained.

    Note: ``Parameter(t)`` starts with ``t``'s current array; later in-place changes to ``t``
    do not reach the parameter (torch shares the storage).

    >>> p = Parameter(rand(2, 3))
    >>> p.shape, p.requires_grad
    (torch.Size([2, 3]), True)
    """

    __slots__ = ("requires_grad",)

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        value = jnp.zeros((0,), jnp.float32) if data is None else _as_array(data)
        self._storage = _Storage(value)
        self.requires_grad = bool(requires_grad)

    @classmethod
    def _defaults(cls):
        return (("requires_grad", True),)

    def requires_grad_(self, requires_grad: bool = True) -> "Parameter":
        """Set ``requires_grad`` and return self.

        >>> Parameter(ones(1)).requires_grad_(False).requires_grad
        False
        """
        self.requires_grad = bool(requires_grad)
        return self

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), np.asarray(self.value), self.requires_grad))


class Buffer(Tensor):
    """A non-trainable Tensor that a Module saves in its state: ``Buffer(data=None, *, persistent=True)``.

    >>> b = Buffer(zeros(3), persistent=False)
    >>> b.persistent, b.shape
    (False, torch.Size([3]))
    """

    __slots__ = ("persistent",)

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        value = jnp.zeros((0,), jnp.float32) if data is None else _as_array(data)
        self._storage = _Storage(value)
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


# -- factories --------------------------------------------------------------------------------
def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """An uninitialized Tensor, like ``torch.empty``: it reads as zeros and costs nothing until read.

    >>> empty(3, 5).shape, empty((3, 5)).dtype
    (torch.Size([3, 5]), dtype('float32'))
    """
    return Tensor._wrap(_Uninitialized(_parse_size(size), _dtype.canonical(dtype)))


def zeros(*size: Any, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor of zeros.

    >>> zeros(2).tolist()
    [0.0, 0.0]
    """
    return Tensor._wrap(jnp.zeros(_parse_size(size), _dtype.canonical(dtype)))


def ones(*size: Any, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor of ones.

    >>> ones(2, dtype="int32").tolist()
    [1, 1]
    """
    return Tensor._wrap(jnp.ones(_parse_size(size), _dtype.canonical(dtype)))


def full(size: Iterable[int], fill_value: Any, *, dtype: Any = None, **_: Any) -> Tensor:
    """A Tensor filled with ``fill_value``.

    >>> full((2,), 0.5).tolist()
    [0.5, 0.5]
    """
    return Tensor._wrap(jnp.full(_parse_size((tuple(size),)), fill_value, _dtype.canonical(dtype)))


def rand(*size: Any, generator: Any = None, dtype: Any = None, **_: Any) -> Tensor:
    """U[0, 1) samples from the default generator (or ``generator=``), like ``torch.rand``.

    >>> rand(2, 3).shape
    torch.Size([2, 3])
    """
    return empty(*size, dtype=dtype).uniform_(0.0, 1.0, generator=generator)


def randn(*size: Any, generator: Any = None, dtype: Any = None, **_: Any) -> Tensor:
    """N(0, 1) samples from the default generator (or ``generator=``), like ``torch.randn``.

    >>> randn(4).dtype
    dtype('float32')
    """
    return empty(*size, dtype=dtype).normal_(0.0, 1.0, generator=generator)


def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A Tensor from data with torch's dtype inference (floats -> float32, ints -> int64).

    Note: without ``jax_enable_x64``, int64 data is stored as int32 by JAX.

    >>> tensor([1.0, 2.0]).dtype, tensor(0).dtype == _dtype.canonical(_dtype.int64)
    (dtype('float32'), True)
    """
    return Tensor._wrap(_as_array(data, dtype))


def zeros_like(t: Any, *, dtype: Any = None) -> Tensor:
    """Zeros with ``t``'s shape and dtype.

    >>> zeros_like(ones(2)).tolist()
    [0.0, 0.0]
    """
    return zeros(tuple(jnp.shape(_unwrap(t))), dtype=dtype or jnp.asarray(_unwrap(t)).dtype)


def ones_like(t: Any, *, dtype: Any = None) -> Tensor:
    """Ones with ``t``'s shape and dtype.

    >>> ones_like(zeros(2)).tolist()
    [1.0, 1.0]
    """
    return ones(tuple(jnp.shape(_unwrap(t))), dtype=dtype or jnp.asarray(_unwrap(t)).dtype)


def empty_like(t: Any, *, dtype: Any = None) -> Tensor:
    """An uninitialized (zero) Tensor with ``t``'s shape and dtype.

    >>> empty_like(ones(3)).shape
    torch.Size([3])
    """
    return zeros_like(t, dtype=dtype)


def is_tensor(obj: Any) -> bool:
    """True for Tensor boxes (Parameter and Buffer included) and ``jax.Array``.

    >>> is_tensor(ones(1)), is_tensor(jnp.ones(1)), is_tensor(1.0)
    (True, True, False)
    """
    return isinstance(obj, (Tensor, jax.Array))


class no_grad:
    """A no-op context (and decorator): JAX computes gradients only where asked.

    Kept so that torch code wrapped in ``with torch.no_grad():`` runs unchanged.

    >>> with no_grad():
    ...     ones(1).item()
    1.0
    """

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __call__(self, fn):
        return fn


enable_grad = no_grad
