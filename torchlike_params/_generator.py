"""Generators: where randomness enters. A draw is a request, not a raw key.

Every random fill asks a generator for values: ``uniform(shape, dtype, low, high)``,
``normal(shape, dtype, mean, std)``, ``trunc_normal(...)`` or ``randperms(n, count)``. This
module's ``Generator`` answers them from a JAX key stream: draw number ``i`` uses
``fold_in(base_key, i)``. A second backend (the torch CPU replay) answers the same requests
from torch's mt19937 stream; nothing outside the generators needs to know which one it has.

Which generator a fill uses: ``generator=`` if given, else the innermost ``key_scope`` of the
current thread, else the process-wide default generator (``manual_seed`` seeds it).
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtype, _exec_cache, _sampling

_TORCH_DEFAULT_SEED = 67280421310721
_CHUNKS = (1 << 20, 1 << 14)   # eager CPU chunk sizes: one compile each, for any shape and distribution


class Pending:
    """An eager draw whose chunks are still computing on the init thread pool.

    It has the draw's shape and dtype; ``result()`` waits for the chunks and joins them.
    """

    __slots__ = ("shape", "dtype", "ndim", "_join", "_value", "_lock")

    def __init__(self, shape: tuple[int, ...], dtype: Any, join: Any) -> None:
        self.shape, self.dtype, self.ndim = shape, jnp.dtype(dtype), len(shape)
        self._join, self._value, self._lock = join, None, threading.Lock()

    def result(self) -> jax.Array:
        with self._lock:
            if self._value is None:
                self._value, self._join = self._join(), None
            return self._value


def resolve_pending(value: Any) -> Any:
    """The array behind a ``Pending`` (waits for it), or ``value`` itself.

    >>> resolve_pending(3)
    3
    """
    return value.result() if type(value) is Pending else value


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _forget_pool_after_fork() -> None:
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()   # a forked child has none of the parent's threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _pool() -> ThreadPoolExecutor:
    """Threads for eager chunk kernels (one XLA CPU program uses one core)."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1)),
                                           thread_name_prefix="torchlike_params-init")
    return _POOL


def _aligned_empty(n: int, dtype: Any, align: int = 64) -> np.ndarray:
    """An uninitialized 1-D host array whose data is ``align``-byte aligned (XLA's requirement
    for adopting host memory without copying)."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(n * itemsize + align, np.uint8)
    offset = (-raw.ctypes.data) % align
    return raw[offset: offset + n * itemsize].view(dtype)


def _tracing() -> bool:
    """True while JAX is tracing (jit, grad, vmap, eval_shape)."""
    try:
        from jax._src import core as _core
        return not _core.trace_state_clean()
    except Exception:  # pragma: no cover - private API moved; fall back to "not tracing"
        return False


def _check_seed(seed: Any) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed <= (1 << 64) - 1:
        raise ValueError("Overflow when unpacking long long")
    return seed & ((1 << 64) - 1)




class Generator:
    """A torch-style generator backed by a JAX key stream (thread-safe, jit-friendly).

    ``Generator().manual_seed(s)`` makes draw ``i`` use ``fold_in(key_from_seed(s), i)``;
    ``Generator.from_key(key)`` roots the stream at any key, a tracer included, which is what
    lets model construction run inside ``jax.jit``. Two threads never receive the same draw.

    Note: torch's ``Generator()`` replays mt19937; this one produces different numbers from the
    same seed (same distributions). The exact torch-replay backend is a separate generator.

    >>> g = Generator().manual_seed(0)
    >>> x = g.uniform((2, 3), "float32", -1.0, 1.0)
    >>> x.shape, x.dtype
    ((2, 3), dtype('float32'))
    """

    backend = "jax"

    def __init__(self, device: Any = "cpu") -> None:
        self.device = device
        self._lock = threading.Lock()
        self._counter = 0
        self._seed: int | None = None
        self._key: jax.Array | None = None
        self._kd_host: np.ndarray | None = None
        self._traced = False
        self.manual_seed(_TORCH_DEFAULT_SEED)

    @classmethod
    def from_key(cls, key: jax.Array) -> "Generator":
        """A generator whose stream is rooted at ``key`` (may be a tracer).

        >>> Generator.from_key(jax.random.key(1)).normal((4,), "float32", 0.0, 1.0).shape
        (4,)
        """
        g = cls.__new__(cls)
        g.device, g._lock, g._counter, g._seed = "cpu", threading.Lock(), 0, None
        if not jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
            key = jax.random.wrap_key_data(key)
        g._key = key
        g._traced = isinstance(key, jax.core.Tracer)
        g._kd_host = None
        if not g._traced and _sampling.key_data(key) is not None:
            g._kd_host = np.asarray(jax.random.key_data(key))
        return g

    # -- torch.Generator API -------------------------------------------------------------
    def manual_seed(self, seed: int) -> "Generator":
        """Seed the stream (torch's range checks; only the value matters) and return self.

        >>> Generator().manual_seed(3).initial_seed()
        3
        """
        seed = _check_seed(seed)
        with self._lock:
            self._seed = seed
            self._key = _sampling.key_from_seed(seed)
            self._kd_host = np.array([seed >> 32, seed & 0xFFFFFFFF], dtype=np.uint32)
            self._counter = 0
            self._traced = False
        return self

    def initial_seed(self) -> int:
        """The seed last given to ``manual_seed`` (as an unsigned 64-bit value).

        >>> Generator().manual_seed(-1).initial_seed() == 2**64 - 1
        True
        """
        if self._seed is None:
            raise RuntimeError("This generator was created from a key and has no integer seed")
        return self._seed

    def seed(self) -> int:
        """Seed from OS entropy, like ``torch.Generator.seed``, and return the seed.

        >>> isinstance(Generator().seed(), int)
        True
        """
        s = int.from_bytes(os.urandom(8), "little") >> 1
        self.manual_seed(s)
        return s

    def get_state(self) -> tuple[int | None, int]:
        """``(seed, draws so far)``; ``set_state`` of it resumes the stream exactly.

        >>> g = Generator().manual_seed(5); _ = g.next_key(); g.get_state()
        (5, 1)
        """
        return self._seed, self._counter

    def set_state(self, state: tuple[int, int]) -> "Generator":
        """Restore a state from ``get_state``.

        >>> g = Generator().set_state((5, 1)); g.get_state()
        (5, 1)
        """
        seed, counter = state
        self.manual_seed(seed)
        self._counter = int(counter)
        return self

    # -- the key stream --------------------------------------------------------------------
    def _next_index(self) -> int:
        if not self._traced and _tracing():
            raise RuntimeError(
                "A generator seeded with a concrete seed was drawn from while JAX is tracing; its key "
                "would be baked into the compiled function as a constant. Build the model inside "
                "`with torchlike_params.key_scope(key):` with a key passed into the traced function, "
                "or pass `key=` to the initializer.")
        with self._lock:
            i = self._counter
            self._counter += 1
        return i

    def next_key(self) -> jax.Array:
        """A fresh key: ``fold_in(base, i)`` for draw ``i``; never the same one twice.

        >>> g = Generator().manual_seed(0)
        >>> bool((jax.random.key_data(g.next_key()) != jax.random.key_data(g.next_key())).any())
        True
        """
        return _sampling.derive_key(self._key, self._next_index())

    # -- requests ----------------------------------------------------------------------------
    def _chunked(self, kind: str, shape: tuple[int, ...], dtype, p0: float, p1: float):
        """Eager CPU path: fixed-size compiled chunks written into one host buffer (same values
        as one draw of the whole shape).

        Only two sampling programs (one per chunk size) are ever compiled, whatever the shapes,
        and their executables are cached on disk (``_exec_cache``), so a cold process compiles
        nothing. XLA runs each CPU program on one thread, so the chunks run on a small thread
        pool, each copying its slice into a 64-byte aligned buffer that ``jax.device_put`` then
        adopts without a copy.
        """
        n = math.prod(shape)
        index = self._next_index()          # taken now, so values never depend on scheduling
        big, small = _CHUNKS
        fixed = (self._kd_host, np.uint32(index))
        params = (np.bool_(kind == "normal"), np.float32(p0), np.float32(p1))
        calls, start = [], 0
        while start < n:
            size = big if n - start > big // 4 else small
            args = fixed + (np.uint32(start),) + params
            calls.append((_exec_cache.compiled(_sampling.chunk, "chunk", args, {"size": size, "dtype": dtype}), args))
            start += size

        buf = _aligned_empty(n, dtype)

        def fill(exe, args, lo):
            out = np.asarray(exe(*args))
            hi = min(n, lo + out.shape[0])
            buf[lo:hi] = out[: hi - lo]

        futures = [_pool().submit(fill, exe, args, int(args[2])) for exe, args in calls]

        def join() -> jax.Array:
            for f in futures:
                f.result()
            return jax.device_put(buf.reshape(shape))   # aligned host memory: no copy on CPU

        return Pending(shape, dtype, join)

    def _eager_chunkable(self, dtype) -> bool:
        return (self._kd_host is not None and not self._traced and not _tracing()
                and jnp.dtype(dtype).itemsize <= 4 and jax.default_backend() == "cpu"
                and jax.device_count() == 1)

    def _draw(self, kind: str, shape: Sequence[int], dtype: Any, p0: float, p1: float) -> Any:
        """A uniform or normal request whose result may still be computing (a ``Pending``).

        Boxes store it as is and resolve it on first read, so the eager fills of a whole model
        overlap on the CPU cores; the public ``uniform``/``normal`` resolve it at once.
        """
        shape, dtype = tuple(int(s) for s in shape), _dtype.canonical(dtype)
        if self._eager_chunkable(dtype):
            return self._chunked(kind, shape, dtype, p0, p1)
        sample = _sampling.uniform if kind == "uniform" else _sampling.normal
        return sample(self.next_key(), shape, dtype, p0, p1)

    def uniform(self, shape: Sequence[int], dtype: Any, low: float, high: float) -> jax.Array:
        """U[low, high) of ``shape``/``dtype`` from the next draw.

        >>> Generator().manual_seed(0).uniform((3,), "float32", 0.0, 1.0).shape
        (3,)
        """
        return resolve_pending(self._draw("uniform", shape, dtype, low, high))

    def normal(self, shape: Sequence[int], dtype: Any, mean: float, std: float) -> jax.Array:
        """N(mean, std**2) of ``shape``/``dtype`` from the next draw.

        >>> Generator().manual_seed(0).normal((2, 2), "float32", 0.0, 1.0).shape
        (2, 2)
        """
        return resolve_pending(self._draw("normal", shape, dtype, mean, std))

    def trunc_normal(self, shape: Sequence[int], dtype: Any, mean: float, std: float,
                     a: float, b: float) -> jax.Array:
        """N(mean, std**2) truncated to [a, b] (torch 2.13's algorithm) from the next draw.

        >>> float(Generator().manual_seed(0).trunc_normal((100,), "float32", 0.0, 1.0, 0.0, 0.1).min()) >= 0
        True
        """
        shape, dtype = tuple(int(s) for s in shape), _dtype.canonical(dtype)
        return _sampling.trunc_normal(self.next_key(), shape, dtype, mean, std, a, b)

    def randperms(self, n: int, count: int) -> jax.Array:
        """``count`` permutations of ``range(n)`` as an int32 ``(count, n)`` array.

        >>> Generator().manual_seed(0).randperms(4, 3).shape
        (3, 4)
        """
        return _sampling.randperms(self.next_key(), int(n), int(count))

    def __repr__(self) -> str:
        return f"<torchlike_params.Generator backend={self.backend!r} seed={self._seed!r}>"


class _KeyGenerator(Generator):
    """The generator behind ``key=``: the first draw uses the key itself, so an in-place fill
    with ``key=k`` equals the pure initializer called with ``k``."""

    def next_key(self) -> jax.Array:
        i = self._next_index()
        return self._key if i == 0 else _sampling.derive_key(self._key, i)

    def _eager_chunkable(self, dtype) -> bool:
        return False


default_generator = Generator()
default_generator.seed()
_scopes = threading.local()


def current_generator() -> Generator:
    """The generator a fill uses when given none: the innermost ``key_scope``, else the default.

    >>> current_generator() is default_generator
    True
    """
    stack = getattr(_scopes, "stack", None)
    return stack[-1] if stack else default_generator


def resolve(generator: Generator | None = None, key: jax.Array | None = None) -> Generator:
    """Pick the generator for one fill from ``generator=`` / ``key=`` (not both).

    >>> resolve() is default_generator
    True
    """
    if key is not None:
        if generator is not None:
            raise ValueError("Expected at most one of `generator` and `key`, got both")
        return _KeyGenerator.from_key(key)
    if generator is None:
        return current_generator()
    if not isinstance(generator, Generator):
        raise TypeError(f"Expected `generator` to be a torchlike_params.Generator, got {type(generator).__name__}")
    return generator


@contextlib.contextmanager
def key_scope(key: jax.Array | Generator) -> Iterator[Generator]:
    """Within the block, fills that are given no generator draw from a stream rooted at ``key``.

    ``key`` may be a tracer, so building a model inside ``jax.jit`` is a pure function of the
    key. The scope is per thread. A ``Generator`` may be given instead of a key.

    >>> with key_scope(jax.random.key(0)) as g:
    ...     current_generator() is g
    True
    """
    gen = key if isinstance(key, Generator) else Generator.from_key(key)
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    stack.append(gen)
    try:
        yield gen
    finally:
        stack.pop()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator and return it, like ``torch.manual_seed``.

    >>> manual_seed(0) is default_generator
    True
    """
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    """The default generator's initial seed, like ``torch.initial_seed``.

    >>> _ = manual_seed(42); initial_seed()
    42
    """
    return default_generator.initial_seed()


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed.

    >>> isinstance(seed(), int)
    True
    """
    return default_generator.seed()
