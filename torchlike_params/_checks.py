"""Argument checks shared by the initializers, boxes, factories, layer constructors and ``Module.to``,
with torch's exception types and messages."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

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


_NUMBER = (bool, int, float, complex, np.number, np.bool_)


def is_tensor_like(x: Any) -> bool:
    """True for arrays and boxes (anything with a numeric ``__jax_array__``/``__array__`` and a shape).

    >>> is_tensor_like(np.ones(2)), is_tensor_like([1.0]), is_tensor_like("a")
    (True, False, False)
    """
    if isinstance(x, (jax.Array, np.ndarray, np.generic)):
        return True
    return hasattr(x, "shape") and hasattr(x, "dtype") and (hasattr(x, "__jax_array__") or hasattr(x, "__array__"))


def is_int(value: Any) -> bool:
    """True for what torch takes as an int argument: a Python or NumPy integer (bool included) or a
    0-d integer array.

    >>> is_int(3), is_int(np.int64(2)), is_int(np.array(2)), is_int(2.5), is_int("a")
    (True, True, True, False, False)
    """
    if isinstance(value, (int, np.integer)):
        return True
    return is_tensor_like(value) and np.ndim(value) == 0 and np.dtype(value.dtype).kind in "iub"


def check_operand(fn: str, value: Any, arg: str = "other", pos: int = 1) -> None:
    """torch's TypeError for an operand that is neither a number nor a tensor.

    >>> check_operand("add_", "a")
    Traceback (most recent call last):
    ...
    TypeError: add_(): argument 'other' (position 1) must be Tensor, not str
    """
    if isinstance(value, _NUMBER) or is_tensor_like(value):
        return
    raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}")


def check_number(fn: str, arg: str, value: Any) -> None:
    """torch's TypeError for a keyword that must be a Number (``alpha``).

    >>> check_number("add_", "alpha", "a")
    Traceback (most recent call last):
    ...
    TypeError: add_(): argument 'alpha' must be Number, not str
    """
    if isinstance(value, _NUMBER) or (is_tensor_like(value) and np.ndim(value) == 0):
        return
    raise TypeError(f"{fn}(): argument '{arg}' must be Number, not {type(value).__name__}")


def broadcast_shape(a: tuple, b: tuple) -> tuple:
    """torch's ``infer_size``: the broadcast of two shapes, with torch's RuntimeError.

    >>> broadcast_shape((3, 1), (4,))
    (3, 4)
    >>> broadcast_shape((3,), (4,))
    Traceback (most recent call last):
    ...
    RuntimeError: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0
    """
    n = max(len(a), len(b))
    out = []
    for i in range(n - 1, -1, -1):
        off = n - 1 - i
        sa = a[len(a) - 1 - off] if off < len(a) else 1
        sb = b[len(b) - 1 - off] if off < len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) "
                               f"at non-singleton dimension {i}")
        out.append(sb if sa == 1 else sa)
    return tuple(reversed(out))


def check_expand(value_shape: tuple, target: tuple) -> None:
    """torch's ``expand`` errors when a value of ``value_shape`` is written into ``target``.

    Leading size-1 dimensions of the value are dropped first, as torch's ``t[i] = v`` does.

    >>> check_expand((1, 3), (3,))
    >>> check_expand((4,), (3,))
    Traceback (most recent call last):
    ...
    RuntimeError: The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [4]
    """
    v = tuple(value_shape)
    while len(v) > len(target) and v[0] == 1:
        v = v[1:]
    if len(v) > len(target):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(v)}}}, size={list(target)}): the number of sizes provided "
                           f"({len(target)}) must be greater or equal to the number of dimensions in the tensor "
                           f"({len(v)})")
    off = len(target) - len(v)
    for i, s in enumerate(v):
        if s != 1 and s != target[off + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[off + i]}) must match the existing size "
                               f"({s}) at non-singleton dimension {off + i}.  Target sizes: {list(target)}.  "
                               f"Tensor sizes: {list(value_shape)}")


def check_index_items(index: Any, ndim: int) -> None:
    """torch's errors for index items of a wrong type and for too many indices (concrete indices only).

    >>> check_index_items((0, 0, 0), 2)
    Traceback (most recent call last):
    ...
    IndexError: too many indices for tensor of dimension 2
    """
    items = index if isinstance(index, tuple) else (index,)
    used = 0
    for i in items:
        if i is None or i is Ellipsis:
            continue
        if isinstance(i, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(i).__name__}'")
        if isinstance(i, (float, np.floating, complex)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(i).__name__})")
        kind = np.dtype(i.dtype).kind if is_tensor_like(i) else ""
        if kind and kind in "SUO":
            raise TypeError(f"new(): invalid data type '{'str' if kind in 'SU' else 'object'}'")
        if kind and kind in "fc" and isinstance(i, jax.Array):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if kind == "b":
            used += max(1, np.ndim(i))
        else:
            used += 1
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")


def truncate_float_indices(index: Any) -> Any:
    """``index`` with its NumPy float arrays (a list of floats, after ``_index``) truncated to integers, as
    torch converts a sequence index (``t[[1.5]]`` reads row 1). A float Tensor index stays an error.

    >>> truncate_float_indices((0, np.array([1.7, -1.5])))
    (0, array([ 1, -1]))
    """
    if isinstance(index, tuple):
        if any(isinstance(i, np.ndarray) for i in index):
            return tuple(truncate_float_indices(i) for i in index)
        return index
    if isinstance(index, np.ndarray) and index.dtype.kind == "f":
        return index.astype(np.int64)
    return index


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
                 "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


_NOT_DEVICES = (bool, float, complex, list, tuple, dict, set)


def check_device(device: Any, fn: str | None = None) -> None:
    """torch's RuntimeError for a device string it cannot parse (a valid one is accepted and ignored);
    with ``fn`` (a factory's name), torch's TypeError for a value that is no device at all.

    >>> check_device("cuda:1")
    >>> check_device("bogus")
    Traceback (most recent call last):
    ...
    RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: bogus
    """
    if fn is not None and isinstance(device, _NOT_DEVICES):
        raise TypeError(f"{fn}(): argument 'device' must be torch.device, not {type(device).__name__}")
    if isinstance(device, int) and not isinstance(device, bool):
        raise RuntimeError(f"Expected `device` to be a device string such as 'cpu', got int ({device})")
    if not isinstance(device, str):
        return
    kind, _, index = device.partition(":")
    if kind not in _DEVICE_TYPES and kind not in ("gpu", "tpu"):
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: {device}")
    if index and not index.isdigit():
        raise RuntimeError(f"Invalid device string: '{device}'")


def check_scalar(arg: str, value: Any) -> None:
    """A scalar argument given as a tensor of several values: torch's RuntimeError (it asks its truth value).

    >>> check_scalar("std", np.ones(2))
    Traceback (most recent call last):
    ...
    RuntimeError: Boolean value of Tensor with more than one value is ambiguous (argument `std`)
    """
    if is_tensor_like(value) and np.size(value) > 1:
        raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (argument `{arg}`)")


_TO_SIGNATURES = (
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None)\n")


def _as_dtype(x: Any) -> Any:
    """``x`` as a dtype when it is one (a dtype object, a scalar type, or a dtype name), else None."""
    if x is None or isinstance(x, (bool, int, float, complex)) or is_tensor_like(x):
        return None
    try:
        return _dtype.resolve(x)
    except TypeError:
        return None


def _to_typename(x: Any) -> str:
    if is_tensor_like(x):
        return "Tensor"
    if not isinstance(x, str) and _as_dtype(x) is not None:
        return "torch.dtype"
    return type(x).__name__


def parse_to(args: tuple, kwargs: dict) -> Any:
    """torch's ``Module.to`` argument parsing, with its errors; returns the target dtype (or None).

    The forms are torch's: ``to(device=None, dtype=None, non_blocking=False, copy=False)``,
    ``to(dtype, non_blocking=False, copy=False)`` and ``to(tensor, non_blocking=False, copy=False)``.
    A device string is checked (``check_device``) and otherwise ignored. Extension: a dtype may be
    given by name (``'float16'``), where torch takes only dtype objects.

    >>> parse_to(("cpu", "float16"), {}), parse_to(("cpu",), {})
    (dtype('float16'), None)
    >>> parse_to(("cpu", "bogus"), {})
    Traceback (most recent call last):
    ...
    TypeError: to() received an invalid combination of arguments - got (str, str), but expected one of:
     * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None)
     * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None)
     * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None)
    <BLANKLINE>
    """
    def invalid() -> TypeError:
        got = [_to_typename(a) for a in args] + [f"{k}={_to_typename(v)}" for k, v in kwargs.items()]
        text = ", ".join(got) + (", " if kwargs and not args else "")
        return TypeError(f"to() received an invalid combination of arguments - got ({text}), but expected one of:\n"
                         + _TO_SIGNATURES)

    if any(k not in ("device", "dtype", "non_blocking", "copy", "memory_format") for k in kwargs):
        raise invalid()
    first = args[0] if args else None
    if isinstance(first, (bool, float, complex)):
        first_dtype = _dtype.resolve(type(first))         # torch: to(2.5) means float64, to(True) bool
    else:
        first_dtype = None if isinstance(first, str) else _as_dtype(first)
    if args and (is_tensor_like(first) or first_dtype is not None):       # to(dtype | tensor, ...)
        rest = ("non_blocking", "copy")
        if len(args) > 1 + len(rest) or "device" in kwargs or "dtype" in kwargs or any(
                k in kwargs for k in rest[:len(args) - 1]):
            raise invalid()
        values = dict(zip(rest, args[1:]), **kwargs)
        device, dtype = None, first.dtype if is_tensor_like(first) else first_dtype
    else:                                                                   # to(device, dtype, ...)
        slots = ("device", "dtype", "non_blocking", "copy")
        if len(args) > len(slots) or any(k in kwargs for k in slots[:len(args)]):
            raise invalid()
        values = dict(zip(slots, args), **kwargs)
        device, dtype = values.get("device"), values.get("dtype")
        if dtype is not None:
            dtype = _as_dtype(dtype)
            if dtype is None:
                raise invalid()
        if isinstance(device, str) and dtype is None and device.partition(":")[0] not in _DEVICE_TYPES + (
                "gpu", "tpu") and _as_dtype(device) is not None:
            device, dtype = None, _as_dtype(device)                         # extension: to('float16')
    if any(not isinstance(values.get(k, False), bool) for k in ("non_blocking", "copy")):
        raise invalid()
    if isinstance(device, _NOT_DEVICES):
        raise invalid()
    if "copy" in values:
        raise RuntimeError(".to() does not accept copy argument")
    if device is not None:
        check_device(device)
    return dtype
