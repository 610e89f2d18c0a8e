"""torch's out-of-place Tensor methods, as a mixin of ``Tensor``: what ``forward`` code calls.

Every method here reads the box's array, computes with ``jax.numpy`` and returns a *new*
``Tensor`` (never a ``Parameter``), so chains such as ``x.view(B, T, -1).transpose(1, 2)``
keep speaking torch. Under ``jax.jit``/``grad``/``vmap`` the values are tracers and the methods
trace to exactly the ``jnp`` calls they wrap (nothing else is added to the program).

Dimensions follow torch: negative dims wrap, an out-of-range dim raises torch's
``IndexError``, and shapes are checked with torch's messages before JAX sees them.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtype

# torch.return_types: reductions over a dim return (values, indices) with these names.
_ret_max = namedtuple("max", ["values", "indices"])
_ret_min = namedtuple("min", ["values", "indices"])
_ret_topk = namedtuple("topk", ["values", "indices"])
_ret_sort = namedtuple("sort", ["values", "indices"])
_ret_median = namedtuple("median", ["values", "indices"])
_ret_mode = namedtuple("mode", ["values", "indices"])


# C++ type names torch prints in some dtype messages.
_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int32": "int", "int64": "long int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"}


def _u(x: Any) -> Any:
    """The array behind a box (any ``Tensor``), a list/tuple of them unwrapped, or ``x`` itself."""
    if isinstance(x, TorchMethods):
        return x.value
    return x


def wrap_dim(dim: Any, ndim: int) -> int:
    """torch's ``maybe_wrap_dim``: a negative dim counts from the end; out of range is an IndexError.

    >>> wrap_dim(-1, 3), wrap_dim(0, 0)
    (2, 0)
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"Expected `dim` to be an int, got {type(dim).__name__}")
    dim = int(dim)
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n if ndim else 0


def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        out = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            raise RuntimeError(f"dim {out[[out.index(d) for d in out].index(next(d for d in out if out.count(d) > 1))]} "
                               "appears multiple times in the list of dims")
        return out if ndim else None
    return (wrap_dim(dim, ndim),) if ndim else None


def _sizes(args: tuple, fn: str) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for a in args:
        a = _u(a)
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) and not (
                hasattr(a, "ndim") and a.ndim == 0 and not isinstance(a, jax.core.Tracer)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(a).__name__}")
        out.append(int(a))
    return tuple(out)


def infer_shape(shape: Sequence[int], numel: int) -> tuple[int, ...]:
    """torch's ``infer_size`` for ``view``/``reshape``: one ``-1`` is inferred, sizes must match.

    >>> infer_shape((2, -1), 6)
    (2, 3)
    """
    shape = list(shape)
    infer = [i for i, s in enumerate(shape) if s == -1]
    if len(infer) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if infer:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[infer[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _index(index: Any) -> Any:
    """torch's index semantics on JAX: boxes unwrapped, lists as integer/bool arrays."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, TorchMethods):
        return index.value
    if isinstance(index, list):
        return np.asarray([_u(i) for i in index])
    return index


def _device_like(x: Any) -> bool:
    from ._device import device
    return isinstance(x, device) or (isinstance(x, str) and x.split(":")[0] in (
        "cpu", "cuda", "mps", "xla", "meta", "tpu", "gpu"))


class TorchMethods:
    """torch's out-of-place Tensor methods (a mixin of :class:`~torchlike_params.Tensor`).

    >>> x = tp.arange(6.0).view(2, 3)
    >>> x.transpose(0, 1).shape, x.sum(dim=1, keepdim=True).shape, x.max(dim=1).indices.tolist()
    (torch.Size([3, 2]), torch.Size([2, 1]), [2, 2])
    """

    __slots__ = ()

    # provided by Tensor
    value: Any
    shape: Any

    @staticmethod
    def _out(value: Any) -> Any:       # replaced by _tensor.py with the fast Tensor constructor
        raise NotImplementedError

    # -- shape ----------------------------------------------------------------------------------
    def view(self, *shape: Any) -> Any:
        """A tensor of the same data with a new shape (one ``-1`` inferred); a dtype reinterprets bits.

        Note: JAX arrays are immutable, so a view is a copy that does not alias ``self``.

        >>> tp.zeros(2, 3).view(-1).shape
        torch.Size([6])
        """
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)) and not (
                hasattr(shape[0], "ndim")):
            d = _dtype.canonical(shape[0])     # view(dtype): bit reinterpretation
            return self._out(jax.lax.bitcast_convert_type(self.value, d) if jnp.dtype(d).itemsize == self.dtype.itemsize
                             else self.value.view(d))
        v = self.value
        return self._out(jnp.reshape(v, infer_shape(_sizes(shape, "view"), int(np.prod(v.shape)))))

    def reshape(self, *shape: Any, order: str = "C") -> Any:
        """A tensor with a new shape (one ``-1`` inferred); ``order`` is accepted for ``jnp.reshape``.

        >>> tp.zeros(2, 3).reshape(3, -1).shape
        torch.Size([3, 2])
        """
        v = self.value
        return self._out(jnp.reshape(v, infer_shape(_sizes(shape, "reshape"), int(np.prod(v.shape))), order=order))

    def view_as(self, other: Any) -> Any:
        """``self.view(other.size())``.

        >>> tp.zeros(6).view_as(tp.zeros(2, 3)).shape
        torch.Size([2, 3])
        """
        return self.view(tuple(jnp.shape(_u(other))))

    def reshape_as(self, other: Any) -> Any:
        """``self.reshape(other.shape)``.

        >>> tp.zeros(6).reshape_as(tp.zeros(3, 2)).shape
        torch.Size([3, 2])
        """
        return self.reshape(tuple(jnp.shape(_u(other))))

    def transpose(self, dim0: int, dim1: int) -> Any:
        """Swap two dimensions.

        >>> tp.zeros(2, 3, 4).transpose(1, 2).shape
        torch.Size([2, 4, 3])
        """
        n = self.ndim
        return self._out(jnp.swapaxes(self.value, wrap_dim(dim0, n), wrap_dim(dim1, n)))

    swapaxes = swapdims = transpose

    def permute(self, *dims: Any) -> Any:
        """Reorder the dimensions.

        >>> tp.zeros(2, 3, 4).permute(2, 0, 1).shape
        torch.Size([4, 2, 3])
        """
        dims = _sizes(dims, "permute")
        n = self.ndim
        if len(dims) != n:
            raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                               f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
                               f"to len(dims) = {len(dims)}")
        w = tuple(wrap_dim(d, n) for d in dims)
        if len(set(w)) != n:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return self._out(jnp.transpose(self.value, w))

    def t(self) -> Any:
        """Transpose a tensor of at most 2 dimensions.

        >>> tp.zeros(2, 3).t().shape
        torch.Size([3, 2])
        """
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self._out(self.value.T)

    @property
    def T(self) -> Any:
        """All dimensions reversed.

        >>> tp.zeros(2, 3).T.shape
        torch.Size([3, 2])
        """
        return self._out(self.value.T)

    @property
    def mT(self) -> Any:
        """The last two dimensions swapped (batched matrix transpose).

        >>> tp.zeros(5, 2, 3).mT.shape
        torch.Size([5, 3, 2])
        """
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.ndim}-D "
                               "tensor.")
        return self._out(jnp.swapaxes(self.value, -1, -2))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        """Merge dimensions ``start_dim..end_dim`` into one.

        >>> tp.zeros(2, 3, 4).flatten(1).shape
        torch.Size([2, 12])
        """
        v = self.value
        n = v.ndim
        if n == 0:
            return self._out(v.reshape(1))
        s, e = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        return self._out(v.reshape(v.shape[:s] + (int(np.prod(v.shape[s:e + 1])),) + v.shape[e + 1:]))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Any:
        """Split dimension ``dim`` into ``sizes`` (one ``-1`` inferred).

        >>> tp.zeros(2, 12).unflatten(1, (3, -1)).shape
        torch.Size([2, 3, 4])
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        new = infer_shape(_sizes((sizes,), "unflatten"), v.shape[d])
        return self._out(v.reshape(v.shape[:d] + new + v.shape[d + 1:]))

    def squeeze(self, dim: Any = None) -> Any:
        """Drop size-1 dimensions (only ``dim`` when given; a non-1 ``dim`` is left as it is).

        >>> tp.zeros(2, 1, 3).squeeze().shape, tp.zeros(2, 3).squeeze(0).shape
        (torch.Size([2, 3]), torch.Size([2, 3]))
        """
        v = self.value
        if dim is None:
            return self._out(jnp.squeeze(v))
        dims = _dims(dim, v.ndim) or ()
        return self._out(jnp.squeeze(v, tuple(d for d in dims if v.shape[d] == 1)))

    def unsqueeze(self, dim: int) -> Any:
        """Insert a size-1 dimension at ``dim``.

        >>> tp.zeros(2, 3).unsqueeze(-1).shape
        torch.Size([2, 3, 1])
        """
        v = self.value
        return self._out(jnp.expand_dims(v, wrap_dim(dim, v.ndim + 1)))

    def expand(self, *sizes: Any) -> Any:
        """Broadcast to ``sizes`` (``-1`` keeps a dimension).

        >>> tp.zeros(3, 1).expand(3, 4).shape, tp.zeros(3, 1).expand(2, -1, 5).shape
        (torch.Size([3, 4]), torch.Size([2, 3, 5]))
        """
        v = self.value
        sizes = _sizes(sizes, "expand")
        if len(sizes) < v.ndim:
            raise RuntimeError(f"expand(torch.FloatTensor{{{list(v.shape)}}}, size={list(sizes)}): the number of sizes "
                               f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                               f"tensor ({v.ndim})")
        lead = len(sizes) - v.ndim
        out = []
        for i, s in enumerate(sizes):
            if i < lead:
                if s < 0:
                    raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                       "non-existing dimension 0")
                out.append(s)
                continue
            have = v.shape[i - lead]
            if s == -1:
                out.append(have)
            elif have != s and have != 1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                                   f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                                   f"{list(v.shape)}")
            else:
                out.append(s)
        return self._out(jnp.broadcast_to(v, tuple(out)))

    def expand_as(self, other: Any) -> Any:
        """``self.expand(other.size())``.

        >>> tp.zeros(1, 3).expand_as(tp.zeros(2, 3)).shape
        torch.Size([2, 3])
        """
        return self.expand(tuple(jnp.shape(_u(other))))

    def repeat(self, *sizes: Any) -> Any:
        """Tile the tensor ``sizes`` times along each dimension (torch's ``repeat``, NumPy's ``tile``).

        >>> tp.zeros(2, 3).repeat(2, 1, 1).shape
        torch.Size([2, 2, 3])
        """
        sizes = _sizes(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                               "of tensor")
        return self._out(jnp.tile(self.value, sizes))

    def repeat_interleave(self, repeats: Any, dim: Any = None) -> Any:
        """Repeat each element ``repeats`` times (flattened unless ``dim`` is given).

        >>> tp.tensor([1, 2]).repeat_interleave(2).tolist()
        [1, 1, 2, 2]
        """
        v = self.value
        return self._out(jnp.repeat(v, _u(repeats), axis=None if dim is None else wrap_dim(dim, v.ndim)))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        """Split into chunks of ``split_size`` (the last may be smaller) or of the given sizes.

        >>> [t.shape[1] for t in tp.zeros(2, 5).split(2, dim=1)]
        [2, 2, 1]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        n = v.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                                   f"at dimension {d}), but got split_sizes={sizes}")
        else:
            step = int(split_size_or_sections)
            if step < 0 or (step == 0 and n):
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
            sizes = [min(step, n - i) for i in range(0, n, step)] if n else [0]
        cuts = np.cumsum(sizes)[:-1].tolist()
        return tuple(self._out(p) for p in jnp.split(v, cuts, axis=d))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer when it does not divide).

        >>> [t.shape[0] for t in tp.zeros(5).chunk(3)]
        [2, 2, 1]
        """
        if int(chunks) <= 0:
            raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
        n = self.shape[wrap_dim(dim, self.ndim)]
        return self.split(max(1, -(-n // int(chunks))), dim)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple:
        """Split into ``n`` nearly equal parts, or at the given indices (NumPy's ``array_split``).

        >>> [t.shape[0] for t in tp.zeros(5).tensor_split(3)]
        [2, 2, 1]
        """
        v = self.value
        return tuple(self._out(p) for p in jnp.array_split(v, indices_or_sections, axis=wrap_dim(dim, v.ndim)))

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, that dimension removed.

        >>> [t.shape for t in tp.zeros(2, 3).unbind(1)]
        [torch.Size([2]), torch.Size([2]), torch.Size([2])]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        return tuple(self._out(jnp.take(v, i, axis=d)) for i in range(v.shape[d]))

    def narrow(self, dim: int, start: int, length: int) -> Any:
        """The slice ``start:start + length`` along ``dim``.

        >>> tp.arange(6).narrow(0, 2, 3).tolist()
        [2, 3, 4]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        n = v.shape[d]
        start = int(start) + (n if int(start) < 0 else 0)
        if not 0 <= start <= n or length < 0 or start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self._out(jax.lax.slice_in_dim(v, start, start + int(length), axis=d))

    def flip(self, *dims: Any) -> Any:
        """Reverse the order along ``dims``.

        >>> tp.arange(3).flip(0).tolist()
        [2, 1, 0]
        """
        return self._out(jnp.flip(self.value, _dims(list(_sizes(dims, "flip")), self.ndim)))

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Roll elements along ``dims`` (flattened when None).

        >>> tp.arange(3).roll(1).tolist()
        [2, 0, 1]
        """
        return self._out(jnp.roll(self.value, shifts, dims))

    def contiguous(self, memory_format: Any = None) -> Any:
        """Return self (JAX arrays have no strides).

        >>> t = tp.ones(1); t.contiguous() is t
        True
        """
        return self

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Always True (JAX arrays have no strides).

        >>> tp.ones(2).is_contiguous()
        True
        """
        return True

    # -- dtype and placement ----------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Any:
        """Cast to a dtype, or to another tensor's dtype; devices are accepted and ignored.

        ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` and the keywords
        ``dtype=``, ``device=``, ``non_blocking=``, ``copy=`` as torch takes them.

        Note: placement is JAX's business: a device argument returns the tensor as it is.

        >>> tp.zeros(1).to("float16").dtype, tp.zeros(1).to("cpu").dtype
        (dtype('float16'), dtype('float32'))
        """
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments - got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, TorchMethods) or isinstance(a, jax.Array):
                dtype = a.dtype
            elif _device_like(a) or isinstance(a, bool):
                continue
            elif a is not None:
                dtype = a
        if dtype is None:
            return self
        d = _dtype.canonical(dtype)
        return self if d == self.dtype else self._out(self.value.astype(d))

    def type_as(self, other: Any) -> Any:
        """Cast to ``other``'s dtype.

        >>> tp.zeros(1).type_as(tp.tensor([1])).dtype == tp.tensor([1]).dtype
        True
        """
        return self.to(jnp.asarray(_u(other)).dtype)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """torch's type string (``torch.FloatTensor``) without an argument; a cast with one.

        >>> tp.zeros(1).type(), tp.zeros(1).type(tp.float16).dtype
        ('torch.FloatTensor', dtype('float16'))
        """
        if dtype is None:
            return _dtype.typename(self.dtype)
        return self.to(dtype)

    def float(self) -> Any:
        """Cast to float32.

        >>> tp.tensor([1]).float().dtype
        dtype('float32')
        """
        return self.to(_dtype.float32)

    def double(self) -> Any:
        """Cast to float64 (float32 unless ``jax_enable_x64``).

        >>> tp.tensor([1]).double().dtype == _dtype.canonical("float64")
        True
        """
        return self.to(_dtype.float64)

    def half(self) -> Any:
        """Cast to float16.

        >>> tp.zeros(1).half().dtype
        dtype('float16')
        """
        return self.to(_dtype.float16)

    def bfloat16(self) -> Any:
        """Cast to bfloat16.

        >>> tp.zeros(1).bfloat16().dtype
        dtype(bfloat16)
        """
        return self.to(_dtype.bfloat16)

    def long(self) -> Any:
        """Cast to int64 (int32 unless ``jax_enable_x64``).

        >>> tp.tensor([1.7]).long().tolist()
        [1]
        """
        return self.to(_dtype.int64)

    def int(self) -> Any:
        """Cast to int32.

        >>> tp.tensor([1.7]).int().dtype
        dtype('int32')
        """
        return self.to(_dtype.int32)

    def short(self) -> Any:
        """Cast to int16.

        >>> tp.tensor([1]).short().dtype
        dtype('int16')
        """
        return self.to(_dtype.int16)

    def byte(self) -> Any:
        """Cast to uint8.

        >>> tp.tensor([1]).byte().dtype
        dtype('uint8')
        """
        return self.to(_dtype.uint8)

    def bool(self) -> Any:
        """Cast to bool.

        >>> tp.tensor([0, 2]).bool().tolist()
        [False, True]
        """
        return self.to(_dtype.bool_)

    def cpu(self) -> Any:
        """Return self (placement is JAX's business).

        >>> t = tp.ones(1); t.cpu() is t
        True
        """
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Any:
        """Return self: placement is JAX's business (``jax.device_put``), documented no-op.

        >>> t = tp.ones(1); t.cuda() is t
        True
        """
        return self

    def pin_memory(self) -> Any:
        """Return self (no pinned host memory in JAX); documented no-op.

        >>> t = tp.ones(1); t.pin_memory() is t
        True
        """
        return self

    @property
    def is_cuda(self) -> bool:
        """False: torch's CUDA flag (JAX places arrays; see ``.device``).

        >>> tp.ones(1).is_cuda
        False
        """
        return False

    def element_size(self) -> int:
        """Bytes per element.

        >>> tp.zeros(1).element_size()
        4
        """
        return self.dtype.itemsize

    # -- values ---------------------------------------------------------------------------------
    def detach(self) -> Any:
        """A new plain Tensor holding the same (immutable) array.

        Note: JAX gradients stop with ``jax.lax.stop_gradient``; ``detach`` applies it.

        >>> type(tp.Parameter(tp.ones(2)).detach()).__name__
        'Tensor'
        """
        return self._out(jax.lax.stop_gradient(self.value))

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Return self: plain tensors are never trained (only Parameters are); accepted for ports.

        >>> t = tp.ones(1); t.requires_grad_() is t
        True
        """
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        return self

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """Where ``mask`` is true, ``value`` (a number or 0-dim tensor); elsewhere self.

        >>> tp.zeros(3).masked_fill(tp.tensor([True, False, True]), 5.0).tolist()
        [5.0, 0.0, 5.0]
        """
        m = jnp.asarray(_u(mask))
        if m.dtype != jnp.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{_C_NAMES.get(m.dtype.name, m.dtype.name)}")
        val = jnp.asarray(_u(value))
        if val.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{val.ndim} dimension(s).")
        v = self.value
        return self._out(jnp.where(m, val.astype(v.dtype), v))

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        """In-place ``masked_fill``; returns self.

        >>> tp.zeros(2).masked_fill_(tp.tensor([True, False]), 1.0).tolist()
        [1.0, 0.0]
        """
        out = self.masked_fill(mask, value).value
        if out.shape != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(out.shape)}")
        return self._set(out)

    def where(self, condition: Any, other: Any) -> Any:
        """``torch.where(condition, self, other)``.

        >>> tp.ones(2).where(tp.tensor([True, False]), 0.0).tolist()
        [1.0, 0.0]
        """
        return self._out(jnp.where(_u(condition), self.value, _u(other)))

    def clamp(self, min: Any = None, max: Any = None) -> Any:
        """Clamp into ``[min, max]``.

        >>> tp.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1).tolist()
        [-1.0, 0.5, 1.0]
        """
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return self._out(jnp.clip(self.value, _u(min), _u(max)))

    clip = clamp

    def clamp_min(self, min: Any) -> Any:
        """``clamp(min=min)``.

        >>> tp.tensor([-1.0, 2.0]).clamp_min(0).tolist()
        [0.0, 2.0]
        """
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Any:
        """``clamp(max=max)``.

        >>> tp.tensor([-1.0, 2.0]).clamp_max(0).tolist()
        [-1.0, 0.0]
        """
        return self.clamp(max=max)

    def item(self) -> Any:
        """The single element as a Python number.

        >>> tp.tensor([2.5]).item()
        2.5
        """
        v = self.value
        if v.size != 1:
            raise RuntimeError(f"a Tensor with {v.size} elements cannot be converted to Scalar")
        return v.item()

    def tolist(self) -> Any:
        """Nested Python lists.

        >>> tp.ones(2).tolist()
        [1.0, 1.0]
        """
        return self.value.tolist()

    def new_zeros(self, *size: Any, dtype: Any = None, **_: Any) -> Any:
        """Zeros of ``size`` with this dtype (or ``dtype``).

        >>> tp.ones(1).new_zeros(2, 3).shape
        torch.Size([2, 3])
        """
        return self._out(jnp.zeros(_sizes(size, "new_zeros"), _dtype.canonical(dtype) if dtype else self.dtype))

    def new_ones(self, *size: Any, dtype: Any = None, **_: Any) -> Any:
        """Ones of ``size`` with this dtype (or ``dtype``).

        >>> tp.ones(1).new_ones(2).tolist()
        [1.0, 1.0]
        """
        return self._out(jnp.ones(_sizes(size, "new_ones"), _dtype.canonical(dtype) if dtype else self.dtype))

    def new_empty(self, *size: Any, dtype: Any = None, **_: Any) -> Any:
        """An uninitialized (zero) tensor of ``size`` with this dtype.

        >>> tp.ones(1).new_empty(2).shape
        torch.Size([2])
        """
        return self.new_zeros(*size, dtype=dtype)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, **_: Any) -> Any:
        """``fill_value`` in a tensor of ``size`` with this dtype.

        >>> tp.ones(1).new_full((2,), 7.0).tolist()
        [7.0, 7.0]
        """
        return self._out(jnp.full(_sizes((size,), "new_full"), _u(fill_value),
                                  _dtype.canonical(dtype) if dtype else self.dtype))

    def new_tensor(self, data: Any, *, dtype: Any = None, **_: Any) -> Any:
        """A tensor from ``data`` with this dtype (or ``dtype``).

        >>> tp.ones(1).new_tensor([1, 2]).dtype
        dtype('float32')
        """
        return self._out(jnp.asarray(_u(data), _dtype.canonical(dtype) if dtype else self.dtype))

    # -- reductions (torch's defaults: std/var are unbiased; max/min over a dim give indices) ----
    def _reduce(self, fn: Any, dim: Any, keepdim: bool, dtype: Any = None) -> Any:
        v = self.value
        if dtype is not None:
            v = v.astype(_dtype.canonical(dtype))
        return self._out(fn(v, axis=_dims(dim, v.ndim), keepdims=keepdim))

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Sum over ``dim`` (all elements by default); bools and ints sum as integers.

        >>> tp.ones(2, 3).sum(1).tolist()
        [3.0, 3.0]
        """
        if dtype is None and (self.dtype == jnp.bool_ or jnp.issubdtype(self.dtype, jnp.integer)):
            dtype = _dtype.int64
        return self._reduce(jnp.sum, dim, keepdim, dtype)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Sum treating NaN as zero.

        >>> tp.tensor([1.0, float('nan')]).nansum().item()
        1.0
        """
        return self._reduce(jnp.nansum, dim, keepdim, dtype)

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Product over ``dim``.

        >>> tp.tensor([2.0, 3.0]).prod().item()
        6.0
        """
        return self._reduce(jnp.prod, dim, keepdim, dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Mean over ``dim``; an integer tensor is refused as torch refuses it.

        >>> float(tp.ones(2, 3).mean())
        1.0
        """
        if dtype is None and not jnp.issubdtype(self.dtype, jnp.inexact):
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                               f"or complex dtype. Got: {_dtype.scalar_name(self.dtype)}")
        return self._reduce(jnp.mean, dim, keepdim, dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Mean ignoring NaN.

        >>> tp.tensor([1.0, float('nan'), 3.0]).nanmean().item()
        2.0
        """
        return self._reduce(jnp.nanmean, dim, keepdim)

    def _var_args(self, dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
        if isinstance(dim, bool):              # std(unbiased) legacy overload
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        return dim, correction

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None) -> Any:
        """Standard deviation with torch's default Bessel correction (``correction=1``).

        >>> round(float(tp.tensor([1.0, 3.0]).std()), 4)
        1.4142
        """
        dim, c = self._var_args(dim, unbiased, correction)
        v = self.value
        return self._out(jnp.std(v, axis=_dims(dim, v.ndim), ddof=c, keepdims=keepdim))

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None) -> Any:
        """Variance with torch's default Bessel correction.

        >>> float(tp.tensor([1.0, 3.0]).var())
        2.0
        """
        dim, c = self._var_args(dim, unbiased, correction)
        v = self.value
        return self._out(jnp.var(v, axis=_dims(dim, v.ndim), ddof=c, keepdims=keepdim))

    def _extreme(self, fn: Any, argfn: Any, ret: Any, dim: Any, keepdim: bool) -> Any:
        v = self.value
        if dim is None:
            if v.size == 0:
                raise RuntimeError(f"{ret.__name__}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   "Specify the reduction dim with the 'dim' argument.")
            return self._out(fn(v))
        if isinstance(dim, (TorchMethods, jax.Array, np.ndarray)):     # max(other): elementwise
            return self._out((jnp.maximum if ret is _ret_max else jnp.minimum)(v, _u(dim)))
        d = wrap_dim(dim, v.ndim)
        if not v.ndim:
            return ret(self._out(v), self._out(jnp.zeros((), jnp.int32)))
        return ret(self._out(fn(v, axis=d, keepdims=keepdim)), self._out(argfn(v, axis=d, keepdims=keepdim)))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Maximum; with ``dim``, ``(values, indices)`` as torch returns; with a tensor, elementwise.

        >>> tp.tensor([2.0, 1.0]).max().item(), tp.tensor([[2.0, 1.0]]).max(1).indices.tolist()
        (2.0, [0])
        """
        return self._extreme(jnp.max, jnp.argmax, _ret_max, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Minimum; with ``dim``, ``(values, indices)`` as torch returns; with a tensor, elementwise.

        >>> tp.tensor([2.0, 1.0]).min().item(), tp.tensor([[2.0, 1.0]]).min(1)[1].tolist()
        (1.0, [1])
        """
        return self._extreme(jnp.min, jnp.argmin, _ret_min, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Any:
        """Maximum over ``dim`` (all dims when empty), values only.

        >>> tp.tensor([[1.0, 3.0]]).amax(1).tolist()
        [3.0]
        """
        return self._reduce(jnp.max, dim if dim != () else None, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Any:
        """Minimum over ``dim`` (all dims when empty), values only.

        >>> tp.tensor([[1.0, 3.0]]).amin(1).tolist()
        [1.0]
        """
        return self._reduce(jnp.min, dim if dim != () else None, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Index of the maximum (of the flattened tensor when ``dim`` is None).

        >>> tp.tensor([[1.0, 3.0], [4.0, 0.0]]).argmax(dim=1).tolist()
        [1, 0]
        """
        v = self.value
        if dim is None:
            return self._out(jnp.argmax(v.reshape(-1)))
        return self._out(jnp.argmax(v, axis=wrap_dim(dim, v.ndim), keepdims=keepdim))

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Index of the minimum (of the flattened tensor when ``dim`` is None).

        >>> tp.tensor([1.0, -3.0]).argmin().item()
        1
        """
        v = self.value
        if dim is None:
            return self._out(jnp.argmin(v.reshape(-1)))
        return self._out(jnp.argmin(v, axis=wrap_dim(dim, v.ndim), keepdims=keepdim))

    def all(self, dim: Any = None, keepdim: bool = False) -> Any:
        """True where every element is non-zero.

        >>> tp.tensor([True, False]).all().item()
        False
        """
        return self._reduce(jnp.all, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Any:
        """True where some element is non-zero.

        >>> tp.tensor([True, False]).any().item()
        True
        """
        return self._reduce(jnp.any, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Any:
        """``log(sum(exp(x)))`` over ``dim``, computed stably.

        >>> round(tp.zeros(2).logsumexp(0).item(), 4)
        0.6931
        """
        v = self.value
        return self._out(jax.nn.logsumexp(v, axis=_dims(dim, v.ndim), keepdims=keepdim))

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
        """The ``p``-norm over ``dim`` (all elements by default; ``'fro'`` is the 2-norm).

        >>> tp.tensor([3.0, 4.0]).norm().item()
        5.0
        """
        v = self.value if dtype is None else self.value.astype(_dtype.canonical(dtype))
        axis = _dims(dim, v.ndim)
        a = jnp.abs(v)
        if p in ("fro", 2, 2.0):
            out = jnp.sqrt(jnp.sum(a * a, axis=axis, keepdims=keepdim))
        elif p in (float("inf"), "inf"):
            out = jnp.max(a, axis=axis, keepdims=keepdim)
        elif p in (float("-inf"), "-inf"):
            out = jnp.min(a, axis=axis, keepdims=keepdim)
        elif p == 0:
            out = jnp.sum(a != 0, axis=axis, keepdims=keepdim).astype(v.dtype)
        elif p == 1:
            out = jnp.sum(a, axis=axis, keepdims=keepdim)
        elif p == "nuc":
            out = jnp.linalg.norm(v, "nuc", axis=axis, keepdims=keepdim)
        else:
            out = jnp.sum(a ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)
        return self._out(out)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Any:
        """Cumulative sum along ``dim``.

        >>> tp.tensor([1, 2, 3]).cumsum(0).tolist()
        [1, 3, 6]
        """
        v = self.value
        return self._out(jnp.cumsum(v, axis=wrap_dim(dim, v.ndim), dtype=dtype and _dtype.canonical(dtype)))

    def cumprod(self, dim: int, *, dtype: Any = None) -> Any:
        """Cumulative product along ``dim``.

        >>> tp.tensor([1, 2, 3]).cumprod(0).tolist()
        [1, 2, 6]
        """
        v = self.value
        return self._out(jnp.cumprod(v, axis=wrap_dim(dim, v.ndim), dtype=dtype and _dtype.canonical(dtype)))

    def softmax(self, dim: int, dtype: Any = None) -> Any:
        """Softmax along ``dim``.

        >>> tp.zeros(2).softmax(0).tolist()
        [0.5, 0.5]
        """
        v = self.value if dtype is None else self.value.astype(_dtype.canonical(dtype))
        return self._out(jax.nn.softmax(v, axis=wrap_dim(dim, v.ndim)))

    def log_softmax(self, dim: int, dtype: Any = None) -> Any:
        """Log-softmax along ``dim``.

        >>> round(tp.zeros(2).log_softmax(0)[0].item(), 4)
        -0.6931
        """
        v = self.value if dtype is None else self.value.astype(_dtype.canonical(dtype))
        return self._out(jax.nn.log_softmax(v, axis=wrap_dim(dim, v.ndim)))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (or smallest) values along ``dim`` and their indices.

        >>> tp.tensor([1.0, 3.0, 2.0]).topk(2).indices.tolist()
        [1, 2]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        n = v.shape[d] if v.ndim else 1
        if not 0 <= int(k) <= n:
            raise RuntimeError("selected index k out of range")
        x = jnp.moveaxis(v, d, -1)
        vals, idx = jax.lax.top_k(x if largest else -x, int(k))
        vals = vals if largest else -vals
        return _ret_topk(self._out(jnp.moveaxis(vals, -1, d)), self._out(jnp.moveaxis(idx, -1, d)))

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """Sorted values along ``dim`` and their indices (a stable sort).

        >>> tp.tensor([3.0, 1.0, 2.0]).sort().values.tolist()
        [1.0, 2.0, 3.0]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        idx = jnp.argsort(v, axis=d, stable=True, descending=descending)
        return _ret_sort(self._out(jnp.take_along_axis(v, idx, axis=d)), self._out(idx))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """Indices that sort along ``dim``.

        >>> tp.tensor([3.0, 1.0, 2.0]).argsort().tolist()
        [1, 2, 0]
        """
        return self.sort(dim, descending, stable).indices

    # -- elementwise and linear algebra ------------------------------------------------------------
    def _binary(self, fn: Any, other: Any) -> Any:
        return self._out(fn(self.value, _u(other)))

    def add(self, other: Any, *, alpha: Any = 1) -> Any:
        """``self + alpha * other``.

        >>> tp.ones(2).add(tp.ones(2), alpha=2).tolist()
        [3.0, 3.0]
        """
        o = _u(other)
        return self._out(self.value + (o if alpha == 1 else alpha * o))

    def sub(self, other: Any, *, alpha: Any = 1) -> Any:
        """``self - alpha * other``.

        >>> tp.ones(2).sub(1).tolist()
        [0.0, 0.0]
        """
        o = _u(other)
        return self._out(self.value - (o if alpha == 1 else alpha * o))

    def mul(self, other: Any) -> Any:
        """``self * other``.

        >>> tp.ones(2).mul(3).tolist()
        [3.0, 3.0]
        """
        return self._binary(jnp.multiply, other)

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """``self / other`` (``rounding_mode`` None, ``'trunc'`` or ``'floor'``).

        >>> tp.tensor([5.0]).div(2, rounding_mode="floor").tolist()
        [2.0]
        """
        if rounding_mode not in (None, "trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                               f"{rounding_mode!r}")
        a, b = self.value, _u(other)
        if rounding_mode is None:
            return self._out(jnp.true_divide(a, b))
        if jnp.issubdtype(jnp.result_type(a, b), jnp.integer):
            q = jnp.floor_divide(a, b) if rounding_mode == "floor" else jnp.sign(a) * jnp.sign(b) * (abs(a) // abs(b))
            return self._out(q)
        q = jnp.true_divide(a, b)
        return self._out(jnp.floor(q) if rounding_mode == "floor" else jnp.trunc(q))

    divide = true_divide = div

    def pow(self, exponent: Any) -> Any:
        """``self ** exponent``.

        >>> tp.tensor([2.0]).pow(3).tolist()
        [8.0]
        """
        return self._binary(jnp.power, exponent)

    def matmul(self, other: Any) -> Any:
        """Matrix product with NumPy/torch broadcasting.

        >>> tp.ones(2, 3).matmul(tp.ones(3, 4)).shape
        torch.Size([2, 4])
        """
        return self._out(_matmul(self.value, _u(other)))

    def mm(self, mat2: Any) -> Any:
        """Matrix product of two 2-D tensors.

        >>> tp.ones(2, 3).mm(tp.ones(3, 4)).shape
        torch.Size([2, 4])
        """
        a, b = self.value, jnp.asarray(_u(mat2))
        if a.ndim != 2 or b.ndim != 2:
            raise RuntimeError(f"self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
        return self._out(_matmul(a, b))

    def bmm(self, mat2: Any) -> Any:
        """Batched matrix product of two 3-D tensors.

        >>> tp.ones(5, 2, 3).bmm(tp.ones(5, 3, 4)).shape
        torch.Size([5, 2, 4])
        """
        a, b = self.value, jnp.asarray(_u(mat2))
        if a.ndim != 3:
            raise RuntimeError(f"batch1 must be a 3D tensor")
        if b.ndim != 3:
            raise RuntimeError(f"batch2 must be a 3D tensor")
        return self._out(_matmul(a, b))

    def dot(self, other: Any) -> Any:
        """Inner product of two 1-D tensors.

        >>> tp.ones(3).dot(tp.ones(3)).item()
        3.0
        """
        return self._binary(jnp.dot, other)

    def outer(self, vec2: Any) -> Any:
        """Outer product of two 1-D tensors.

        >>> tp.ones(2).outer(tp.ones(3)).shape
        torch.Size([2, 3])
        """
        return self._binary(jnp.outer, vec2)

    ger = outer

    def maximum(self, other: Any) -> Any:
        """Elementwise maximum.

        >>> tp.tensor([1.0, 3.0]).maximum(tp.tensor([2.0, 2.0])).tolist()
        [2.0, 3.0]
        """
        return self._binary(jnp.maximum, other)

    def minimum(self, other: Any) -> Any:
        """Elementwise minimum.

        >>> tp.tensor([1.0, 3.0]).minimum(tp.tensor([2.0, 2.0])).tolist()
        [1.0, 2.0]
        """
        return self._binary(jnp.minimum, other)

    def eq(self, other: Any) -> Any:
        """Elementwise ``==``.

        >>> tp.tensor([1, 2]).eq(2).tolist()
        [False, True]
        """
        return self._binary(jnp.equal, other)

    def ne(self, other: Any) -> Any:
        """Elementwise ``!=``.

        >>> tp.tensor([1, 2]).ne(2).tolist()
        [True, False]
        """
        return self._binary(jnp.not_equal, other)

    def lt(self, other: Any) -> Any:
        """Elementwise ``<``.

        >>> tp.tensor([1, 2]).lt(2).tolist()
        [True, False]
        """
        return self._binary(jnp.less, other)

    def le(self, other: Any) -> Any:
        """Elementwise ``<=``.

        >>> tp.tensor([1, 2]).le(1).tolist()
        [True, False]
        """
        return self._binary(jnp.less_equal, other)

    def gt(self, other: Any) -> Any:
        """Elementwise ``>``.

        >>> tp.tensor([1, 2]).gt(1).tolist()
        [False, True]
        """
        return self._binary(jnp.greater, other)

    def ge(self, other: Any) -> Any:
        """Elementwise ``>=``.

        >>> tp.tensor([1, 2]).ge(2).tolist()
        [False, True]
        """
        return self._binary(jnp.greater_equal, other)

    def equal(self, other: Any) -> bool:
        """True when both have the same shape and elements.

        >>> tp.ones(2).equal(tp.ones(2))
        True
        """
        a, b = self.value, jnp.asarray(_u(other))
        return a.shape == b.shape and bool(jnp.all(a == b))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """``|self - other| <= atol + rtol * |other|`` everywhere.

        >>> tp.ones(2).allclose(tp.ones(2) + 1e-9)
        True
        """
        return bool(jnp.allclose(self.value, _u(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
        """Elementwise closeness.

        >>> tp.ones(2).isclose(tp.tensor([1.0, 2.0])).tolist()
        [True, False]
        """
        return self._out(jnp.isclose(self.value, _u(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def logical_and(self, other: Any) -> Any:
        """Elementwise logical and.

        >>> tp.tensor([True, False]).logical_and(tp.tensor([True, True])).tolist()
        [True, False]
        """
        return self._binary(jnp.logical_and, other)

    def logical_or(self, other: Any) -> Any:
        """Elementwise logical or.

        >>> tp.tensor([True, False]).logical_or(tp.tensor([False, False])).tolist()
        [True, False]
        """
        return self._binary(jnp.logical_or, other)

    def logical_xor(self, other: Any) -> Any:
        """Elementwise logical xor.

        >>> tp.tensor([True, False]).logical_xor(tp.tensor([True, True])).tolist()
        [False, True]
        """
        return self._binary(jnp.logical_xor, other)

    def logical_not(self) -> Any:
        """Elementwise logical not.

        >>> tp.tensor([True, False]).logical_not().tolist()
        [False, True]
        """
        return self._out(jnp.logical_not(self.value))

    def gather(self, dim: int, index: Any) -> Any:
        """Values at ``index`` along ``dim`` (``out[i][j] = self[index[i][j]][j]`` for dim 0).

        >>> tp.tensor([[1, 2], [3, 4]]).gather(1, tp.tensor([[1], [0]])).tolist()
        [[2], [3]]
        """
        v = self.value
        return self._out(jnp.take_along_axis(v, jnp.asarray(_u(index)), axis=wrap_dim(dim, v.ndim)))

    def index_select(self, dim: int, index: Any) -> Any:
        """The slices at the 1-D ``index`` along ``dim``.

        >>> tp.tensor([[1, 2], [3, 4]]).index_select(0, tp.tensor([1])).tolist()
        [[3, 4]]
        """
        v = self.value
        return self._out(jnp.take(v, jnp.asarray(_u(index)), axis=wrap_dim(dim, v.ndim)))

    def scatter(self, dim: int, index: Any, src: Any) -> Any:
        """A copy with ``src`` written at ``index`` along ``dim``.

        >>> tp.zeros(3).scatter(0, tp.tensor([2]), tp.tensor([5.0])).tolist()
        [0.0, 0.0, 5.0]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        idx = jnp.asarray(_u(index))
        s = jnp.broadcast_to(jnp.asarray(_u(src), v.dtype), idx.shape)
        grids = jnp.meshgrid(*[jnp.arange(n) for n in idx.shape], indexing="ij")
        grids[d] = idx
        return self._out(v.at[tuple(grids)].set(s))

    def scatter_(self, dim: int, index: Any, src: Any) -> Any:
        """In-place ``scatter``; returns self.

        >>> tp.zeros(3).scatter_(0, tp.tensor([1]), tp.tensor([2.0])).tolist()
        [0.0, 2.0, 0.0]
        """
        return self._inplace(self.scatter(dim, index, src).value)

    def index_fill(self, dim: int, index: Any, value: Any) -> Any:
        """A copy with the slices at ``index`` along ``dim`` set to ``value``.

        >>> tp.zeros(2, 3).index_fill(1, tp.tensor([0, 2]), 1.0).tolist()
        [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]
        """
        v = self.value
        d = wrap_dim(dim, v.ndim)
        idx = (slice(None),) * d + (jnp.asarray(_u(index)),)
        return self._out(v.at[idx].set(jnp.asarray(_u(value), v.dtype)))

    def index_fill_(self, dim: int, index: Any, value: Any) -> Any:
        """In-place ``index_fill``; returns self.

        >>> tp.zeros(3).index_fill_(0, tp.tensor([1]), 5.0).tolist()
        [0.0, 5.0, 0.0]
        """
        return self._inplace(self.index_fill(dim, index, value).value)

    def lerp(self, end: Any, weight: Any) -> Any:
        """``self + weight * (end - self)``.

        >>> tp.zeros(2).lerp(tp.ones(2), 0.25).tolist()
        [0.25, 0.25]
        """
        v = self.value
        return self._out(v + _u(weight) * (_u(end) - v))

    def lerp_(self, end: Any, weight: Any) -> Any:
        """In-place ``lerp`` (an exponential moving average step); returns self.

        >>> tp.zeros(2).lerp_(tp.ones(2), 0.5).tolist()
        [0.5, 0.5]
        """
        return self._inplace(self.lerp(end, weight).value)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements, ``(n, ndim)`` (or one index tensor per dim with ``as_tuple``).

        Note: the result's shape depends on the values, so this works eagerly, not under ``jit``.

        >>> tp.tensor([0, 3, 0, 5]).nonzero().tolist()
        [[1], [3]]
        """
        idx = jnp.nonzero(self.value)
        if as_tuple:
            return tuple(self._out(i) for i in idx)
        return self._out(jnp.stack(idx, axis=-1) if idx else jnp.zeros((0, 0), jnp.int32))

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Any:
        """Set the main diagonal to ``fill_value`` in place; returns self.

        >>> tp.zeros(2, 2).fill_diagonal_(1.0).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        v = self.value
        if v.ndim < 2:
            raise RuntimeError("dimensions must larger than 1")
        if v.ndim > 2 and len(set(v.shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        n = min(v.shape)
        idx = tuple(jnp.arange(n) for _ in range(v.ndim))
        return self._set(v.at[idx].set(jnp.asarray(_u(fill_value), v.dtype)))

    def diag(self, diagonal: int = 0) -> Any:
        """The ``diagonal``-th diagonal of a matrix, or a matrix with the vector on that diagonal.

        >>> tp.tensor([1.0, 2.0]).diag().tolist()
        [[1.0, 0.0], [0.0, 2.0]]
        """
        v = self.value
        if v.ndim not in (1, 2):
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {v.ndim}D")
        return self._out(jnp.diag(v, diagonal))

    def tril(self, diagonal: int = 0) -> Any:
        """The lower triangle (elements above ``diagonal`` zeroed).

        >>> tp.ones(2, 2).tril().tolist()
        [[1.0, 0.0], [1.0, 1.0]]
        """
        return self._out(jnp.tril(self.value, diagonal))

    def triu(self, diagonal: int = 0) -> Any:
        """The upper triangle (elements below ``diagonal`` zeroed).

        >>> tp.ones(2, 2).triu().tolist()
        [[1.0, 1.0], [0.0, 1.0]]
        """
        return self._out(jnp.triu(self.value, diagonal))

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Any:
        """Draw 0/1 with probability ``self`` (or ``p``), from the generator.

        >>> tp.ones(3).bernoulli().tolist()
        [1.0, 1.0, 1.0]
        """
        from .random import _default
        from .random._lazy import materialize
        probs = self.value if p is None else jnp.broadcast_to(jnp.asarray(_u(p), self.dtype), self.shape)
        u = materialize(_default.resolve(generator, None).uniform(tuple(self.shape), self.dtype, 0.0, 1.0))
        return self._out((jnp.asarray(u) < probs).astype(self.dtype))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Any:
        """Fill in place with 0/1 draws of probability ``p``; returns self.

        >>> tp.zeros(3).bernoulli_(1.0).tolist()
        [1.0, 1.0, 1.0]
        """
        return self._set(self.bernoulli(p, generator=generator).value)

    def sigmoid(self) -> Any:
        """Logistic sigmoid.

        >>> tp.zeros(1).sigmoid().tolist()
        [0.5]
        """
        return self._out(jax.nn.sigmoid(self.value))

    def relu(self) -> Any:
        """``max(x, 0)``.

        >>> tp.tensor([-1.0, 2.0]).relu().tolist()
        [0.0, 2.0]
        """
        return self._out(jax.nn.relu(self.value))

    def relu_(self) -> Any:
        """In-place ``relu``; returns self.

        >>> tp.tensor([-1.0, 2.0]).relu_().tolist()
        [0.0, 2.0]
        """
        return self._set(jax.nn.relu(self.value))

    def rsqrt(self) -> Any:
        """``1 / sqrt(x)``.

        >>> tp.tensor([4.0]).rsqrt().tolist()
        [0.5]
        """
        return self._out(jax.lax.rsqrt(self.value))

    def square(self) -> Any:
        """``x * x``.

        >>> tp.tensor([3.0]).square().tolist()
        [9.0]
        """
        return self._out(jnp.square(self.value))


def _matmul(a: Any, b: Any) -> Any:
    a, b = jnp.asarray(a), jnp.asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if b.ndim == 1 and a.ndim <= 2:
            raise RuntimeError(f"size mismatch, got input ({a.shape[0] if a.ndim == 2 else 1}), mat "
                               f"({'x'.join(map(str, a.shape))}), vec ({b.shape[0]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b.shape[0] if b.ndim == 3 else 1}, {k_a}] but got: "
                           f"[{b.shape[0] if b.ndim == 3 else 1}, {k_b}].")
    return jnp.matmul(a, b)


# Unary elementwise methods: name -> jnp function (each gets a generated docstring with an example).
_UNARY = {
    "exp": jnp.exp, "exp2": jnp.exp2, "expm1": jnp.expm1, "log": jnp.log, "log2": jnp.log2, "log10": jnp.log10,
    "log1p": jnp.log1p, "sqrt": jnp.sqrt, "abs": jnp.abs, "absolute": jnp.abs, "neg": jnp.negative,
    "negative": jnp.negative, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "asin": jnp.arcsin,
    "acos": jnp.arccos, "atan": jnp.arctan, "sinh": jnp.sinh, "cosh": jnp.cosh, "tanh": jnp.tanh,
    "floor": jnp.floor, "ceil": jnp.ceil, "round": jnp.round, "trunc": jnp.trunc, "frac": lambda x: x - jnp.trunc(x),
    "sign": jnp.sign, "reciprocal": jnp.reciprocal, "erf": jax.scipy.special.erf,
    "erfinv": jax.scipy.special.erfinv, "isnan": jnp.isnan, "isinf": jnp.isinf, "isfinite": jnp.isfinite,
    "nan_to_num": jnp.nan_to_num, "sgn": jnp.sign, "signbit": jnp.signbit,
}


def _make_unary(name: str, fn: Any) -> Any:
    def method(self: TorchMethods) -> Any:
        return self._out(fn(self.value))

    def inplace(self: TorchMethods) -> Any:
        return self._set(fn(self.value).astype(self.dtype))

    method.__name__, inplace.__name__ = name, name + "_"
    method.__doc__ = (f"Elementwise ``{name}``.\n\n        >>> tp.ones(2).{name}().shape\n"
                      f"        torch.Size([2])\n        ")
    inplace.__doc__ = (f"In-place ``{name}``; returns self.\n\n        >>> t = tp.ones(2); t.{name}_() is t\n"
                       f"        True\n        ")
    return method, inplace


for _n, _f in _UNARY.items():
    _m, _i = _make_unary(_n, _f)
    setattr(TorchMethods, _n, _m)
    if _n not in ("isnan", "isinf", "isfinite", "signbit"):
        setattr(TorchMethods, _n + "_", _i)

# In-place twins of out-of-place methods (torch's ``x.pow_(2)``): computed, checked and stored by ``_inplace``.
def _make_inplace_twin(name: str) -> Any:
    def inplace(self: TorchMethods, *args: Any, **kwargs: Any) -> Any:
        return self._inplace(getattr(self, name)(*args, **kwargs).value)

    inplace.__name__ = name + "_"
    inplace.__doc__ = (f"In-place ``{name}``; returns self.\n\n        >>> t = tp.ones(2, 2); t.{name}_"
                       f"({_TWIN_ARGS.get(name, '')}) is t\n        True\n        ")
    return inplace


_TWIN_ARGS = {"pow": "2", "clamp_min": "0", "clamp_max": "0", "clip": "0, 1", "maximum": "tp.zeros(2)",
              "minimum": "tp.zeros(2)", "where": "tp.ones(2, 2).bool(), 0.0"}
for _n in ("pow", "tril", "triu", "clamp_min", "clamp_max", "clip", "sigmoid", "rsqrt", "square", "maximum",
           "minimum", "where"):
    setattr(TorchMethods, _n + "_", _make_inplace_twin(_n))

del _n, _f, _m, _i
