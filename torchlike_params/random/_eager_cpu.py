"""The eager CPU executor: how the key-stream generator fills boxes fast outside ``jit``.

Not part of the generator protocol: ``random.Generator`` uses it when it runs eagerly on a
single CPU device, and answers with a :class:`Pending` (a ``LazyArray``) that the box stores
and resolves on first read. Values are exactly those of the jitted samplers in ``_sampling``
for the same key (every element depends only on its flat index), whatever the schedule.

Three kinds of program, each compiled once per dtype and cached on disk (``_exec_cache``):

* ``chunk``: flat elements ``[start, start + size)`` of one uniform or normal draw, with two
  sizes (1M and 16K elements). A large draw is a list of chunks on a thread pool, each copying
  its slice into a 64-byte aligned host buffer that ``jax.device_put`` adopts without a copy.
* ``rows``: a batch of up to 256 rows of 256 elements, each row from any draw (its own index,
  start, distribution and parameters). Draws of up to 4,096 elements queue their rows in the
  open batch, so a model of thousands of small tensors runs a few programs, not thousands.
  A batch runs when one of its draws is first read, on the reading thread.
* ``trunc_chunk``: a chunk of a truncated normal, with torch's two rejection branches run
  element-wise (each element's value is its first accepted round, as in the whole-tensor loop).
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from . import _exec_cache, _sampling
from ._lazy import LazyArray

CHUNKS = (1 << 20, 1 << 14)    # chunk sizes of large draws: one compile each, for any shape
ROW = 256                      # elements per row of the batched small-draw program
ROWS = 256                     # rows per batch
SMALL = ROW * 16               # draws up to this size are batched


class Pending(LazyArray):
    """An eager draw still computing on the init thread pool.

    It has the draw's shape and dtype; ``result()`` waits for it. If a background part
    failed, reading raises a ``RuntimeError`` naming the fill, with the cause chained.
    """

    __slots__ = ("shape", "dtype", "ndim", "kind", "_join", "_host", "_value", "_lock")

    def __init__(self, shape: tuple[int, ...], dtype: Any, join: Callable[[], np.ndarray], kind: str) -> None:
        self.shape, self.dtype, self.ndim, self.kind = shape, dtype, len(shape), kind
        self._join, self._host, self._value, self._lock = join, None, None, threading.Lock()

    @property
    def name(self) -> str:
        """The fill, as error messages name it: ``uniform(shape=(3, 4), dtype=float32)``."""
        return f"{self.kind}(shape={self.shape}, dtype={jnp.dtype(self.dtype).name})"

    def host(self) -> np.ndarray:
        """The values as a host NumPy array (waits for them; no device transfer)."""
        with self._lock:
            if self._host is None:
                try:
                    self._host = self._join()
                except Exception as e:
                    raise RuntimeError(f"The eager fill {self.name} failed in the background: {e}") from e
                self._join = None
            return self._host

    def compute(self) -> jax.Array:
        if self._value is None:
            self._value = jax.device_put(self.host())    # aligned host memory: adopted without a copy
        return self._value


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _forget_pool_after_fork() -> None:
    global _POOL, _POOL_LOCK, _BATCH, _BATCH_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()   # a forked child has none of the parent's threads
    _BATCH, _BATCH_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1)),
                                           thread_name_prefix="torchlike_params-init")
    return _POOL


def aligned_empty(n: int, dtype: Any, align: int = 64) -> np.ndarray:
    """An uninitialized 1-D host array whose data is ``align``-byte aligned (XLA's requirement
    for adopting host memory without copying).

    >>> aligned_empty(3, np.float32).ctypes.data % 64
    0
    """
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(n * itemsize + align, np.uint8)
    offset = (-raw.ctypes.data) % align
    return raw[offset: offset + n * itemsize].view(dtype)


def available(dtype: Any) -> bool:
    """Whether the eager executor can answer a draw of ``dtype`` here and now.

    >>> isinstance(available(jnp.float32), bool)
    True
    """
    try:
        return _AVAILABLE[dtype]
    except (KeyError, TypeError):
        ok = jnp.dtype(dtype).itemsize <= 4 and jax.default_backend() == "cpu" and jax.device_count() == 1
        _AVAILABLE[dtype] = ok       # backends are fixed once initialized
        return ok


_AVAILABLE: dict = {}


# -- large uniform/normal draws: chunks on the pool -------------------------------------------
def chunked(kind: str, kd_host: np.ndarray, index: int, shape: tuple[int, ...], dtype: Any,
            p0: float, p1: float) -> Pending:
    """A uniform or normal draw as chunks computing in the background.

    >>> kd = np.array([0, 7], np.uint32)
    >>> p = chunked("uniform", kd, 0, (3,), jnp.float32, 0.0, 1.0)
    >>> p.shape, p.result().shape
    ((3,), (3,))
    """
    n = math.prod(shape)
    if n <= SMALL:
        return _batched(kind, kd_host, index, shape, dtype, p0, p1)
    big, small = CHUNKS
    fixed = (kd_host, np.uint32(index))
    params = (np.bool_(kind == "normal"), np.float32(p0), np.float32(p1))
    calls, start = [], 0
    while start < n:
        size = big if n - start > big // 4 else small
        args = fixed + (np.uint32(start),) + params
        calls.append((_exec_cache.compiled(_sampling.chunk, "chunk", args, {"size": size, "dtype": dtype}),
                      args, start))
        start += size
    return _run_chunks(calls, n, shape, dtype, kind)


def _run_chunks(calls: list, n: int, shape: tuple[int, ...], dtype: Any, kind: str) -> Pending:
    buf = aligned_empty(n, dtype)

    def fill(exe, args, lo):
        out = np.asarray(exe(*args))
        hi = min(n, lo + out.shape[0])
        buf[lo:hi] = out[: hi - lo]

    futures = [_pool().submit(fill, exe, args, lo) for exe, args, lo in calls]

    def join() -> np.ndarray:
        for f in futures:
            f.result()
        return buf.reshape(shape)

    return Pending(shape, dtype, join, kind)


# -- small draws: rows of a shared batch --------------------------------------------------------
class _Batch:
    """Rows queued by small draws; runs as one ``rows`` program (on the pool once full)."""

    def __init__(self, kd_host: np.ndarray, dtype: Any) -> None:
        self.kd, self.dtype = kd_host, dtype
        self.index = np.zeros(ROWS, np.uint32)
        self.start = np.zeros(ROWS, np.uint32)
        self.normal = np.zeros(ROWS, np.bool_)
        self.p0 = np.zeros(ROWS, np.float32)
        self.p1 = np.ones(ROWS, np.float32)
        self.used = 0
        self.closed = False
        self.lock = threading.Lock()
        self.out: np.ndarray | None = None

    def add(self, index: int, start: int, normal: bool, p0: float, p1: float) -> int:
        r = self.used
        self.index[r], self.start[r], self.normal[r], self.p0[r], self.p1[r] = index, start, normal, p0, p1
        self.used += 1
        return r

    def _run(self) -> np.ndarray:
        args = (self.kd, self.index, self.start, self.normal, self.p0, self.p1)
        exe = _exec_cache.compiled(_sampling.rows, "rows", args, {"size": ROW, "dtype": self.dtype})
        return np.asarray(exe(*args))

    def close(self) -> None:
        """No more rows (the caller holds ``_BATCH_LOCK``). The batch runs when first read, on the
        reading thread: small draws that are never read (a default init overwritten by
        ``apply(init_fn)``) cost nothing, and building a model never competes with them."""
        self.closed = True

    def values(self) -> np.ndarray:
        if not self.closed:
            with _BATCH_LOCK:       # no row may join a batch once it has run
                self.closed = True
        with self.lock:
            if self.out is None:
                self.out = self._run()
            return self.out


_BATCH: _Batch | None = None
_BATCH_LOCK = threading.Lock()


class _RowsPending(Pending):
    """A small draw's rows in one batch (the common case): no closure, no lock of its own.

    Computing the host values twice from two threads is harmless (the batch runs once, under
    its lock; the slice is a view), so this lazy value needs no lock.
    """

    __slots__ = ("_batch", "_row", "_n")

    def __init__(self, shape: tuple[int, ...], dtype: Any, kind: str, batch: "_Batch", row: int, n: int) -> None:
        self.shape, self.dtype, self.ndim, self.kind = shape, dtype, len(shape), kind
        self._host = self._value = self._join = self._lock = None     # base slots, unused here
        self._batch, self._row, self._n = batch, row, n

    def host(self) -> np.ndarray:
        if self._host is None:
            try:
                values = self._batch.values()
            except Exception as e:
                raise RuntimeError(f"The eager fill {self.name} failed in the background: {e}") from e
            self._host = values[self._row, :self._n].reshape(self.shape)
        return self._host


def _batched(kind: str, kd_host: np.ndarray, index: int, shape: tuple[int, ...], dtype: Any,
             p0: float, p1: float) -> Pending:
    global _BATCH
    n = math.prod(shape)
    nrows = -(-n // ROW)
    normal = kind == "normal"
    placed = []
    with _BATCH_LOCK:
        for r in range(nrows):
            b = _BATCH
            if b is None or b.closed or b.used == ROWS or b.dtype != dtype or b.kd is not kd_host:
                if b is not None:
                    b.close()
                b = _BATCH = _Batch(kd_host, dtype)
            placed.append((b, b.add(index, r * ROW, normal, p0, p1)))
        if _BATCH is not None and _BATCH.used == ROWS:
            _BATCH.close()
            _BATCH = None
    if nrows == 1:
        return _RowsPending(shape, dtype, kind, placed[0][0], placed[0][1], n)

    def join() -> np.ndarray:
        return np.concatenate([b.values()[r] for b, r in placed])[:n].reshape(shape)

    return Pending(shape, dtype, join, kind)


# -- truncated normal ---------------------------------------------------------------------------
def trunc_chunked(kd_host: np.ndarray, index: int, shape: tuple[int, ...], dtype: Any, mean: float, std: float,
                  a: float, b: float) -> Pending:
    """A truncated-normal draw as chunks computing in the background (torch 2.13's algorithm).

    >>> kd = np.array([0, 7], np.uint32)
    >>> x = trunc_chunked(kd, 0, (5,), jnp.float32, 0.0, 1.0, -0.5, 0.5).result()
    >>> bool((abs(x) <= 0.5).all())
    True
    """
    n = math.prod(shape)
    redraw = _sampling.trunc_normal_mass(mean, std, a, b) > 0.3
    big, small = CHUNKS
    tiny = ROW * 4
    fixed = (kd_host, np.uint32(index))
    calls, start = [], 0
    while start < n:
        left = n - start
        size = big if left > big // 4 else small if left > tiny else tiny
        args = fixed + (np.uint32(start),)
        static = {"size": size, "dtype": dtype, "redraw": redraw, "mean": mean, "std": std, "a": a, "b": b}
        calls.append((_exec_cache.compiled(_sampling.trunc_chunk, "trunc_chunk", args, static), args, start))
        start += size
    return _run_chunks(calls, n, shape, dtype, "trunc_normal")
