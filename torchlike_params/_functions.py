"""torch's top-level functions as model code calls them (``torch.cat``, ``torch.arange``, ...).

They follow "like in, like out" (``_interop.py``): given a ``Tensor`` they return ``Tensor``
values, given only ``jax.Array`` values they return ``jax.Array`` values; creation functions
(``arange``, ``linspace``, ``eye``, ``from_numpy``, ...) return ``Tensor`` values. Most are the
Tensor method of the same name applied to the first argument, so the checks and messages are
those of :mod:`~torchlike_params._tensor_methods`. Random ones draw from the generator.
"""

from __future__ import annotations

import builtins as _b
import math
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtype
from ._interop import to_arrays, unwrap_args
from ._tensor import Tensor, _out
from ._tensor_methods import TorchMethods, _matmul, wrap_dim
from .random import _default as _random
from .random._lazy import materialize

__all__ = [
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "arange", "linspace", "logspace", "eye",
    "full_like", "rand_like", "randn_like", "randint", "randperm", "multinomial", "bernoulli", "where", "einsum",
    "from_numpy", "as_tensor", "numel", "finfo", "iinfo", "get_default_dtype", "inference_mode",
    "set_grad_enabled", "is_grad_enabled", "is_floating_point", "broadcast_to", "meshgrid", "cdist",
    "var_mean", "std_mean", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "BoolTensor",
    "ByteTensor",
]


def _tensors(fn: str, tensors: Any) -> tuple[list, bool]:
    """The arrays of a tensor list, and whether the result is a Tensor (``_interop``'s rule)."""
    if isinstance(tensors, (Tensor, jax.Array)) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    arrs, _, has_t, has_raw = unwrap_args(tuple(tensors), {})
    for i, a in enumerate(arrs):
        if not isinstance(a, (jax.Array, np.ndarray, np.generic)):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(tensors[i]).__name__}")
    return [jnp.asarray(a) for a in arrs], has_t or not has_raw


def _like(value: Any, has_t: bool) -> Any:
    return _out(value) if has_t else value


def cat(tensors: Sequence[Any], dim: int = 0) -> Any:
    """Concatenate along an existing dimension ``dim`` (torch's shape checks and messages).

    >>> tp.cat([tp.zeros(2, 3), tp.ones(1, 3)]).shape
    torch.Size([3, 3])
    """
    arrs, has_t = _tensors("cat", tensors)
    if not arrs:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    ref = next((a for a in arrs if a.shape != (0,)), arrs[0])     # torch skips legacy empty (0,) tensors
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim)
    keep = []
    for i, a in enumerate(arrs):
        if a.shape == (0,) and ref.ndim != 1:
            continue
        if a.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
        for j in range(ref.ndim):
            if j != d and a.shape[j] != ref.shape[j]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[j]} but got size {a.shape[j]} for tensor number {i} in the list.")
        keep.append(a)
    return _like(jnp.concatenate(keep, axis=d), has_t)


concat = concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Any:
    """Stack equal-shaped tensors along a new dimension ``dim``.

    >>> tp.stack([tp.zeros(3), tp.ones(3)], dim=1).shape
    torch.Size([3, 2])
    """
    arrs, has_t = _tensors("stack", tensors)
    if not arrs:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, a in enumerate(arrs):
        if a.shape != arrs[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(arrs[0].shape)} at entry 0 "
                               f"and {list(a.shape)} at entry {i}")
    return _like(jnp.stack(arrs, axis=wrap_dim(dim, arrs[0].ndim + 1)), has_t)


def hstack(tensors: Sequence[Any]) -> Any:
    """Concatenate along dim 1 (dim 0 for 1-D tensors).

    >>> tp.hstack([tp.zeros(2), tp.ones(3)]).shape
    torch.Size([5])
    """
    arrs, has_t = _tensors("hstack", tensors)
    return _like(jnp.hstack(arrs), has_t)


def vstack(tensors: Sequence[Any]) -> Any:
    """Stack rows (1-D tensors become rows).

    >>> tp.vstack([tp.zeros(2), tp.ones(2)]).shape
    torch.Size([2, 2])
    """
    arrs, has_t = _tensors("vstack", tensors)
    return _like(jnp.vstack(arrs), has_t)


def _scalar(fn: str, name: str, x: Any) -> Any:
    x = x.item() if isinstance(x, (Tensor, jax.Array, np.ndarray, np.generic)) and np.ndim(x) == 0 else x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(x).__name__}")
    return x


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None, **_: Any) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 for int arguments, float32 otherwise.

    >>> tp.arange(5).tolist(), tp.arange(0, 1, 0.25).tolist()
    ([0, 1, 2, 3, 4], [0.0, 0.25, 0.5, 0.75])
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_scalar("arange", n, v) for n, v in (("start", start), ("end", end), ("step", step)))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not _b.all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = _b.max(0, math.ceil((end - start) / step))
    if dtype is None:
        dtype = _dtype.int64 if _b.all(isinstance(v, int) for v in (start, end, step)) else _dtype.float32
    d = _dtype.canonical(dtype)
    if _dtype.is_floating(d):
        return _out((start + step * jnp.arange(n, dtype=jnp.float64 if jax.config.jax_enable_x64 else d)).astype(d))
    return _out(jnp.asarray(start, d) + jnp.asarray(step, d) * jnp.arange(n, dtype=d))


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, **_: Any) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> tp.linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _out(jnp.linspace(_scalar("linspace", "start", start), _scalar("linspace", "end", end), int(steps),
                             dtype=_dtype.canonical(dtype)))


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None, **_: Any) -> Tensor:
    """``base ** linspace(start, end, steps)``.

    >>> tp.logspace(0, 2, 3).tolist()
    [1.0, 10.0, 100.0]
    """
    return _out(jnp.power(base, linspace(start, end, steps).value).astype(_dtype.canonical(dtype)))


def eye(n: int, m: int | None = None, *, dtype: Any = None, **_: Any) -> Tensor:
    """The ``n`` x ``m`` identity matrix.

    >>> tp.eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    for name, v in (("n", n), ("m", m)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _out(jnp.eye(n, m, dtype=_dtype.canonical(dtype)))


def full_like(input: Any, fill_value: Any, *, dtype: Any = None, **_: Any) -> Tensor:
    """``fill_value`` with ``input``'s shape and dtype.

    >>> tp.full_like(tp.zeros(2), 3.0).tolist()
    [3.0, 3.0]
    """
    a = jnp.asarray(input.value if isinstance(input, Tensor) else input)
    return _out(jnp.full(a.shape, fill_value, _dtype.canonical(dtype) if dtype is not None else a.dtype))


def _shape_dtype(input: Any, dtype: Any) -> tuple[tuple, Any]:
    a = input.value if isinstance(input, Tensor) else jnp.asarray(input)
    return tuple(a.shape), _dtype.canonical(dtype) if dtype is not None else a.dtype


def rand_like(input: Any, *, dtype: Any = None, generator: Any = None, **_: Any) -> Tensor:
    """U[0, 1) draws with ``input``'s shape and dtype, from the generator.

    >>> tp.rand_like(tp.zeros(2, 3)).shape
    torch.Size([2, 3])
    """
    shape, d = _shape_dtype(input, dtype)
    return Tensor._wrap(jnp.zeros((), d)).new_empty(shape).uniform_(generator=generator)


def randn_like(input: Any, *, dtype: Any = None, generator: Any = None, **_: Any) -> Tensor:
    """N(0, 1) draws with ``input``'s shape and dtype, from the generator.

    >>> tp.randn_like(tp.zeros(4)).dtype
    dtype('float32')
    """
    shape, d = _shape_dtype(input, dtype)
    return Tensor._wrap(jnp.zeros((), d)).new_empty(shape).normal_(generator=generator)


def randint(*args: Any, generator: Any = None, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Integers uniform in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    Note: drawn as ``low + floor(U * (high - low))`` from the generator's uniform stream, so the
    numbers differ from torch's for the same seed (the distribution is the same for ranges
    below 2**24).

    >>> x = tp.randint(0, 10, (100,)); x.shape, bool(((x >= 0) & (x < 10)).all())
    (torch.Size([100]), True)
    """
    if "size" in kwargs:
        args = args + (kwargs.pop("size"),)
    if "high" in kwargs:
        args = (kwargs.pop("low", 0), kwargs.pop("high")) + args
    if len(args) == 2:
        args = (0,) + args
    if len(args) != 3:
        raise TypeError("randint() received an invalid combination of arguments - expected (int high, tuple of ints "
                        "size) or (int low, int high, tuple of ints size)")
    low, high, size = args
    if isinstance(size, (int, np.integer)):
        raise TypeError("randint(): argument 'size' must be tuple of ints, not int")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    u = jnp.asarray(materialize(_random.resolve(generator, None).uniform(tuple(size), jnp.float32, 0.0, 1.0)))
    v = jnp.minimum(low + jnp.floor(u * (high - low)), high - 1)
    return _out(v.astype(_dtype.canonical(dtype if dtype is not None else _dtype.int64)))


def randperm(n: int, *, generator: Any = None, dtype: Any = None, **_: Any) -> Tensor:
    """A random permutation of ``0..n-1`` from the generator.

    >>> sorted(tp.randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    perms = materialize(_random.resolve(generator, None).randperms(int(n), 1))
    return _out(jnp.asarray(perms)[0].astype(_dtype.canonical(dtype if dtype is not None else _dtype.int64)))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Any:
    """Draw ``num_samples`` category indices per row with probabilities proportional to ``input``.

    Without replacement this is the Gumbel top-k trick, with replacement inverse-CDF sampling;
    both draw uniforms from the generator (the numbers differ from torch's for the same seed).

    >>> tp.multinomial(tp.tensor([0.0, 1.0, 0.0]), 2, replacement=True).tolist()
    [1, 1]
    """
    _, _, has_t, has_raw = unwrap_args((input,), {})
    has_t = has_t or not has_raw
    p = jnp.asarray(input.value if isinstance(input, Tensor) else input)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not jnp.issubdtype(p.dtype, jnp.floating):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype.scalar_name(p.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = p.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not isinstance(p, jax.core.Tracer):
        host = np.asarray(p)
        if (host < 0).any() or not np.isfinite(host).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (host.reshape(-1, n).sum(-1) <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows = p.reshape(-1, n).astype(jnp.float32)
    gen = _random.resolve(generator, None)
    if replacement:
        u = jnp.asarray(materialize(gen.uniform((rows.shape[0], num_samples), jnp.float32, 0.0, 1.0)))
        cdf = jnp.cumsum(rows, axis=-1)
        cdf = cdf / cdf[:, -1:]
        idx = jax.vmap(lambda c, uu: jnp.searchsorted(c, uu, side="right"))(cdf, u)
        idx = jnp.minimum(idx, n - 1)
    else:
        u = jnp.asarray(materialize(gen.uniform(rows.shape, jnp.float32, 0.0, 1.0)))
        g = -jnp.log(-jnp.log(jnp.clip(u, 1e-20, 1.0 - 1e-7)))
        keys = jnp.where(rows > 0, jnp.log(rows) + g, -jnp.inf)
        idx = jax.lax.top_k(keys, num_samples)[1]
    idx = idx.reshape(p.shape[:-1] + (num_samples,)).astype(_dtype.canonical(_dtype.int64))
    return _out(idx) if has_t else idx


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Any:
    """0/1 draws with probabilities ``input`` (or ``p``), from the generator.

    >>> tp.bernoulli(tp.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """
    _, _, has_t, has_raw = unwrap_args((input, p), {})
    t = input if isinstance(input, Tensor) else _out(jnp.asarray(input))
    out = t.bernoulli(p, generator=generator)
    return out if has_t or not has_raw else out.value


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` else ``other``; with only ``condition``, the indices of true elements.

    >>> tp.where(tp.tensor([True, False]), tp.ones(2), tp.zeros(2)).tolist()
    [1.0, 0.0]
    """
    args, _, has_t, has_raw = unwrap_args((condition, input, other), {})
    has_t = has_t or not has_raw
    c, x, y = args
    if x is None and y is None:
        return tuple(_like(i, has_t) for i in jnp.nonzero(c))
    if x is None or y is None:
        raise TypeError("where() received an invalid combination of arguments - expected (Tensor condition, Tensor "
                        "input, Tensor other) or (Tensor condition)")
    if jnp.asarray(c).dtype != jnp.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_dtype.scalar_name(jnp.asarray(c).dtype)}")
    return _like(jnp.where(c, x, y), has_t)


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation (``jnp.einsum``), operands given separately or as one list.

    >>> tp.einsum("ij,jk->ik", tp.ones(2, 3), tp.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    args, _, has_t, has_raw = unwrap_args(operands, {})
    has_t = has_t or not has_raw
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not {type(equation).__name__}")
    return _like(jnp.einsum(equation, *args), has_t)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A Tensor with the array's values and dtype (a copy: JAX arrays do not share NumPy memory).

    >>> tp.from_numpy(np.arange(3)).tolist()
    [0, 1, 2]
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _out(jnp.asarray(ndarray))


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor (a Tensor of the requested dtype is returned as it is).

    >>> t = tp.ones(2); tp.as_tensor(t) is t, tp.as_tensor([1, 2]).tolist()
    (True, [1, 2])
    """
    if isinstance(data, Tensor) and (dtype is None or _dtype.canonical(dtype) == data.dtype):
        return data
    from ._factories import tensor
    if isinstance(data, (jax.Array, np.ndarray)) and dtype is None:
        return _out(jnp.asarray(data))
    return tensor(to_arrays(data), dtype=dtype)


def numel(input: Any) -> int:
    """The number of elements.

    >>> tp.numel(tp.zeros(2, 3))
    6
    """
    return int(np.prod(jnp.shape(input.value if isinstance(input, Tensor) else input)))


def is_floating_point(input: Any) -> bool:
    """True for floating dtypes.

    >>> tp.is_floating_point(tp.zeros(1)), tp.is_floating_point(tp.tensor([1]))
    (True, False)
    """
    return _dtype.is_floating(jnp.asarray(input.value if isinstance(input, Tensor) else input).dtype)


def broadcast_to(input: Any, size: Sequence[int]) -> Any:
    """``input.expand(size)``.

    >>> tp.broadcast_to(tp.zeros(3), (2, 3)).shape
    torch.Size([2, 3])
    """
    _, _, has_t, has_raw = unwrap_args((input,), {})
    t = input if isinstance(input, Tensor) else _out(jnp.asarray(input))
    out = t.expand(tuple(size))
    return out if has_t or not has_raw else out.value


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids (torch's default indexing is ``'ij'``).

    >>> [t.shape for t in tp.meshgrid(tp.arange(2), tp.arange(3))]
    [torch.Size([2, 3]), torch.Size([2, 3])]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    args, _, has_t, has_raw = unwrap_args(tensors, {})
    return tuple(_like(g, has_t or not has_raw) for g in jnp.meshgrid(*args, indexing=indexing))


def cdist(x1: Any, x2: Any, p: float = 2.0, **_: Any) -> Any:
    """Pairwise ``p``-norm distances between the rows of ``x1`` and ``x2`` (batched).

    >>> tp.cdist(tp.zeros(2, 3), tp.ones(4, 3)).shape
    torch.Size([2, 4])
    """
    (a, b), _, has_t, has_raw = unwrap_args((x1, x2), {})
    has_t = has_t or not has_raw
    diff = jnp.abs(a[..., :, None, :] - b[..., None, :, :])
    d = jnp.sqrt(jnp.sum(diff * diff, -1)) if p == 2 else jnp.sum(diff ** p, -1) ** (1.0 / p)
    return _like(d, has_t)


def var_mean(input: Any, dim: Any = None, *, correction: Any = None, keepdim: bool = False,
             unbiased: Any = None) -> tuple:
    """``(input.var(dim, ...), input.mean(dim, ...))`` in one call.

    >>> [t.item() for t in tp.var_mean(tp.tensor([1.0, 3.0]))]
    [2.0, 2.0]
    """
    _, _, has_t, has_raw = unwrap_args((input,), {})
    t = input if isinstance(input, Tensor) else _out(jnp.asarray(input))
    out = (t.var(dim, unbiased, keepdim, correction=correction), t.mean(dim, keepdim))
    return out if has_t or not has_raw else to_arrays(out)


def std_mean(input: Any, dim: Any = None, *, correction: Any = None, keepdim: bool = False,
             unbiased: Any = None) -> tuple:
    """``(input.std(dim, ...), input.mean(dim, ...))`` in one call.

    >>> [f"{t.item():.4f}" for t in tp.std_mean(tp.tensor([1.0, 3.0]))]
    ['1.4142', '2.0000']
    """
    _, _, has_t, has_raw = unwrap_args((input,), {})
    t = input if isinstance(input, Tensor) else _out(jnp.asarray(input))
    out = (t.std(dim, unbiased, keepdim, correction=correction), t.mean(dim, keepdim))
    return out if has_t or not has_raw else to_arrays(out)


def _legacy_constructor(name: str, dtype: Any) -> Any:
    def make(*args: Any) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            from ._factories import tensor
            return tensor(to_arrays(args[0]), dtype=dtype)
        return Tensor(*args, dtype=dtype)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"``torch.{name}``: ``{name}(*sizes)`` (zeros) or ``{name}(data)``, dtype "
                    f"``{jnp.dtype(dtype).name}``.\n\n    >>> tp.{name}([1, 0]).tolist() == tp.tensor([1, 0], "
                    f"dtype='{jnp.dtype(dtype).name}').tolist()\n    True\n    ")
    return make


FloatTensor = _legacy_constructor("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_constructor("HalfTensor", _dtype.float16)
LongTensor = _legacy_constructor("LongTensor", _dtype.int64)
IntTensor = _legacy_constructor("IntTensor", _dtype.int32)
BoolTensor = _legacy_constructor("BoolTensor", _dtype.bool_)
ByteTensor = _legacy_constructor("ByteTensor", _dtype.uint8)


def finfo(dtype: Any = None) -> Any:
    """Machine limits of a floating dtype (``.min``, ``.max``, ``.eps``, ``.tiny``).

    >>> float(tp.finfo(tp.float32).eps) == float(np.finfo(np.float32).eps)
    True
    """
    return jnp.finfo(_dtype.resolve(dtype))


def iinfo(dtype: Any) -> Any:
    """Machine limits of an integer dtype (``.min``, ``.max``, ``.bits``).

    >>> tp.iinfo(tp.int8).max
    127
    """
    return jnp.iinfo(_dtype.resolve(dtype))


def get_default_dtype() -> Any:
    """float32, torch's default floating dtype.

    >>> tp.get_default_dtype()
    dtype('float32')
    """
    return _dtype.float32


class inference_mode:
    """A no-op context (and decorator), like ``no_grad``: JAX differentiates only where asked.

    >>> with tp.inference_mode():
    ...     tp.ones(1).item()
    1.0
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __call__(self, fn: Any) -> Any:
        return fn


class set_grad_enabled(inference_mode):
    """A no-op context (``torch.set_grad_enabled(mode)``); gradients are ``jax.grad``'s business.

    >>> with tp.set_grad_enabled(False):
    ...     tp.is_grad_enabled()
    True
    """


def is_grad_enabled() -> bool:
    """True: gradient tracking is never switched off (JAX differentiates functions on request).

    >>> tp.is_grad_enabled()
    True
    """
    return True


# -- the Tensor methods as functions: torch.transpose(x, 0, 1) == x.transpose(0, 1) ------------------
# name -> a doctest call and its output, for the generated docstring.
_METHOD_FUNCTIONS = {
    "flatten": ("tp.flatten(tp.zeros(2, 3, 4), 1).shape", "torch.Size([2, 12])"),
    "reshape": ("tp.reshape(tp.zeros(6), (2, -1)).shape", "torch.Size([2, 3])"),
    "transpose": ("tp.transpose(tp.zeros(2, 3), 0, 1).shape", "torch.Size([3, 2])"),
    "swapaxes": ("tp.swapaxes(tp.zeros(2, 3), 0, 1).shape", "torch.Size([3, 2])"),
    "permute": ("tp.permute(tp.zeros(2, 3, 4), (2, 0, 1)).shape", "torch.Size([4, 2, 3])"),
    "t": ("tp.t(tp.zeros(2, 3)).shape", "torch.Size([3, 2])"),
    "squeeze": ("tp.squeeze(tp.zeros(2, 1)).shape", "torch.Size([2])"),
    "unsqueeze": ("tp.unsqueeze(tp.zeros(2), 0).shape", "torch.Size([1, 2])"),
    "split": ("[t.shape[0] for t in tp.split(tp.zeros(5), 2)]", "[2, 2, 1]"),
    "chunk": ("[t.shape[0] for t in tp.chunk(tp.zeros(6), 3)]", "[2, 2, 2]"),
    "tensor_split": ("[t.shape[0] for t in tp.tensor_split(tp.zeros(5), 2)]", "[3, 2]"),
    "unbind": ("len(tp.unbind(tp.zeros(3, 2)))", "3"),
    "narrow": ("tp.narrow(tp.arange(5), 0, 1, 2).tolist()", "[1, 2]"),
    "flip": ("tp.flip(tp.arange(3), (0,)).tolist()", "[2, 1, 0]"),
    "roll": ("tp.roll(tp.arange(3), 1).tolist()", "[2, 0, 1]"),
    "tril": ("tp.tril(tp.ones(2, 2)).tolist()", "[[1.0, 0.0], [1.0, 1.0]]"),
    "triu": ("tp.triu(tp.ones(2, 2), 1).tolist()", "[[0.0, 1.0], [0.0, 0.0]]"),
    "matmul": ("tp.matmul(tp.ones(2, 3), tp.ones(3)).shape", "torch.Size([2])"),
    "mm": ("tp.mm(tp.ones(2, 3), tp.ones(3, 4)).shape", "torch.Size([2, 4])"),
    "bmm": ("tp.bmm(tp.ones(5, 2, 3), tp.ones(5, 3, 4)).shape", "torch.Size([5, 2, 4])"),
    "dot": ("tp.dot(tp.ones(3), tp.ones(3)).item()", "3.0"),
    "outer": ("tp.outer(tp.ones(2), tp.ones(3)).shape", "torch.Size([2, 3])"),
    "softmax": ("tp.softmax(tp.zeros(2), dim=0).tolist()", "[0.5, 0.5]"),
    "log_softmax": ("f'{tp.log_softmax(tp.zeros(2), dim=0)[0].item():.4f}'", "'-0.6931'"),
    "clamp": ("tp.clamp(tp.tensor([-2.0, 2.0]), min=-1, max=1).tolist()", "[-1.0, 1.0]"),
    "clip": ("tp.clip(tp.tensor([-2.0, 2.0]), -1, 1).tolist()", "[-1.0, 1.0]"),
    "topk": ("tp.topk(tp.tensor([1.0, 3.0, 2.0]), 2).indices.tolist()", "[1, 2]"),
    "sort": ("tp.sort(tp.tensor([2.0, 1.0])).values.tolist()", "[1.0, 2.0]"),
    "argsort": ("tp.argsort(tp.tensor([2.0, 1.0])).tolist()", "[1, 0]"),
    "sum": ("tp.sum(tp.ones(2, 3), dim=1).tolist()", "[3.0, 3.0]"),
    "mean": ("tp.mean(tp.ones(2, 3)).item()", "1.0"),
    "prod": ("tp.prod(tp.tensor([2.0, 3.0])).item()", "6.0"),
    "std": ("f'{tp.std(tp.tensor([1.0, 3.0])).item():.4f}'", "'1.4142'"),
    "var": ("tp.var(tp.tensor([1.0, 3.0])).item()", "2.0"),
    "max": ("tp.max(tp.tensor([[1.0, 3.0]]), dim=1).values.tolist()", "[3.0]"),
    "min": ("tp.min(tp.tensor([1.0, 3.0])).item()", "1.0"),
    "amax": ("tp.amax(tp.tensor([[1.0, 3.0]]), 1).tolist()", "[3.0]"),
    "amin": ("tp.amin(tp.tensor([[1.0, 3.0]]), 1).tolist()", "[1.0]"),
    "argmax": ("tp.argmax(tp.tensor([1.0, 3.0])).item()", "1"),
    "argmin": ("tp.argmin(tp.tensor([1.0, 3.0])).item()", "0"),
    "all": ("tp.all(tp.tensor([True, True])).item()", "True"),
    "any": ("tp.any(tp.tensor([False, True])).item()", "True"),
    "norm": ("tp.norm(tp.tensor([3.0, 4.0])).item()", "5.0"),
    "logsumexp": ("f'{tp.logsumexp(tp.zeros(2), 0).item():.4f}'", "'0.6931'"),
    "cumsum": ("tp.cumsum(tp.tensor([1, 2, 3]), 0).tolist()", "[1, 3, 6]"),
    "cumprod": ("tp.cumprod(tp.tensor([1, 2, 3]), 0).tolist()", "[1, 2, 6]"),
    "maximum": ("tp.maximum(tp.tensor([1.0, 3.0]), tp.tensor([2.0, 2.0])).tolist()", "[2.0, 3.0]"),
    "minimum": ("tp.minimum(tp.tensor([1.0, 3.0]), tp.tensor([2.0, 2.0])).tolist()", "[1.0, 2.0]"),
    "gather": ("tp.gather(tp.tensor([[1, 2], [3, 4]]), 1, tp.tensor([[1], [0]])).tolist()", "[[2], [3]]"),
    "index_select": ("tp.index_select(tp.tensor([[1, 2], [3, 4]]), 0, tp.tensor([1])).tolist()", "[[3, 4]]"),
    "masked_fill": ("tp.masked_fill(tp.zeros(2), tp.tensor([True, False]), 1.0).tolist()", "[1.0, 0.0]"),
    "allclose": ("tp.allclose(tp.ones(2), tp.ones(2))", "True"),
    "isclose": ("tp.isclose(tp.ones(2), tp.tensor([1.0, 2.0])).tolist()", "[True, False]"),
    "equal": ("tp.equal(tp.ones(2), tp.ones(2))", "True"),
    "add": ("tp.add(tp.ones(2), 1, alpha=2).tolist()", "[3.0, 3.0]"),
    "sub": ("tp.sub(tp.ones(2), 1).tolist()", "[0.0, 0.0]"),
    "mul": ("tp.mul(tp.ones(2), 3).tolist()", "[3.0, 3.0]"),
    "div": ("tp.div(tp.tensor([5.0]), 2, rounding_mode='floor').tolist()", "[2.0]"),
    "pow": ("tp.pow(tp.tensor([2.0]), 3).tolist()", "[8.0]"),
    "eq": ("tp.eq(tp.tensor([1, 2]), 2).tolist()", "[False, True]"),
    "ne": ("tp.ne(tp.tensor([1, 2]), 2).tolist()", "[True, False]"),
    "lt": ("tp.lt(tp.tensor([1, 2]), 2).tolist()", "[True, False]"),
    "le": ("tp.le(tp.tensor([1, 2]), 1).tolist()", "[True, False]"),
    "gt": ("tp.gt(tp.tensor([1, 2]), 1).tolist()", "[False, True]"),
    "ge": ("tp.ge(tp.tensor([1, 2]), 2).tolist()", "[False, True]"),
    "logical_and": ("tp.logical_and(tp.tensor([True, False]), tp.tensor([True, True])).tolist()", "[True, False]"),
    "logical_or": ("tp.logical_or(tp.tensor([True, False]), tp.tensor([False, False])).tolist()", "[True, False]"),
    "logical_not": ("tp.logical_not(tp.tensor([True])).tolist()", "[False]"),
    "sigmoid": ("tp.sigmoid(tp.zeros(1)).tolist()", "[0.5]"),
    "relu": ("tp.relu(tp.tensor([-1.0, 2.0])).tolist()", "[0.0, 2.0]"),
    "rsqrt": ("tp.rsqrt(tp.tensor([4.0])).tolist()", "[0.5]"),
    "square": ("tp.square(tp.tensor([3.0])).tolist()", "[9.0]"),
    "repeat_interleave": ("tp.repeat_interleave(tp.tensor([1, 2]), 2).tolist()", "[1, 1, 2, 2]"),
    "diag": ("tp.diag(tp.tensor([1.0, 2.0])).tolist()", "[[1.0, 0.0], [0.0, 2.0]]"),
    "lerp": ("tp.lerp(tp.zeros(2), tp.ones(2), 0.5).tolist()", "[0.5, 0.5]"),
    "nonzero": ("tp.nonzero(tp.tensor([0, 2])).tolist()", "[[1]]"),
    "index_fill": ("tp.index_fill(tp.zeros(3), 0, tp.tensor([1]), 1.0).tolist()", "[0.0, 1.0, 0.0]"),
    "scatter": ("tp.scatter(tp.zeros(3), 0, tp.tensor([2]), tp.tensor([5.0])).tolist()", "[0.0, 0.0, 5.0]"),
}
_UNARY_FUNCTIONS = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "abs", "neg", "negative",
                    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor", "ceil", "round",
                    "trunc", "frac", "sign", "reciprocal", "erf", "erfinv", "isnan", "isinf", "isfinite",
                    "nan_to_num", "sgn", "signbit")


def _method_function(name: str, example: str, output: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        _, _, has_t, has_raw = unwrap_args((input,) + args, kwargs)
        if isinstance(input, Tensor):
            t = input
        elif isinstance(input, (jax.Array, np.ndarray, int, float, bool)):
            t = _out(jnp.asarray(input))
        else:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        out = getattr(t, name)(*args, **kwargs)
        return out if has_t or not has_raw else to_arrays(out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``torch.{name}``: ``input.{name}(...)`` as a function (see the Tensor method).\n\n"
                  f"    >>> {example}\n    {output}\n    ")
    return fn


for _name, (_ex, _outp) in _METHOD_FUNCTIONS.items():
    globals()[_name] = _method_function(_name, _ex, _outp)
    __all__.append(_name)
for _name in _UNARY_FUNCTIONS:
    globals()[_name] = _method_function(_name, f"tp.{_name}(tp.ones(2)).shape", "torch.Size([2])")
    __all__.append(_name)
del _name, _ex, _outp
