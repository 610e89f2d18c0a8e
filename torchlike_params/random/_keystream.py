"""``Generator``: the JAX key-stream generator (the default backend of the protocol).

Draw number ``i`` of a generator seeded with ``s`` uses ``fold_in(key_from_seed(s), i)``; a
generator rooted at a key (``Generator.from_key``, possibly a tracer) uses ``fold_in(key, i)``.
Every element of a draw depends only on its flat index, so the same key gives the same values
eagerly, jitted, sharded and from the eager CPU executor (``_eager_cpu``), which this
generator uses when it runs eagerly on one CPU device.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _checks, _dtype
from . import _eager_cpu, _sampling
from ._lazy import materialize  # noqa: F401 - the docstring examples use it
from ._trace import tracing

_TORCH_DEFAULT_SEED = 67280421310721


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
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
        _checks.check_device(device)
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

    @property
    def traceable(self) -> bool:
        """True when the stream is rooted at a traced key (drawing under a trace is then pure).

        >>> Generator().traceable
        False
        """
        return self._traced

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
        if (not isinstance(state, tuple) or len(state) != 2 or not isinstance(state[0], int)
                or isinstance(state[1], bool) or not isinstance(state[1], int) or state[1] < 0):
            raise TypeError(f"Expected `state` to be a state from Generator.get_state() (a (seed, draws) "
                            f"tuple), got {type(state).__name__}")
        seed, counter = state
        self.manual_seed(seed)
        self._counter = int(counter)
        return self

    # -- the key stream --------------------------------------------------------------------
    def _next_index(self) -> int:
        if not self._traced and tracing():
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
    def _eager(self, dtype) -> bool:
        return self._kd_host is not None and not self._traced and _eager_cpu.available(dtype) and not tracing()

    def uniform(self, shape: Sequence[int], dtype: Any, low: float, high: float) -> Any:
        """U[low, high) of ``shape``/``dtype`` from the next draw (eagerly on CPU: a ``LazyArray``).

        >>> x = Generator().manual_seed(0).uniform((3,), "float32", 0.0, 1.0)
        >>> x.shape, materialize(x).dtype
        ((3,), dtype('float32'))
        """
        return self._basic("uniform", shape, dtype, low, high)

    def normal(self, shape: Sequence[int], dtype: Any, mean: float, std: float) -> Any:
        """N(mean, std**2) of ``shape``/``dtype`` from the next draw (eagerly on CPU: a ``LazyArray``).

        >>> Generator().manual_seed(0).normal((2, 2), "float32", 0.0, 1.0).shape
        (2, 2)
        """
        return self._basic("normal", shape, dtype, mean, std)

    def _basic(self, kind: str, shape: Sequence[int], dtype: Any, p0: float, p1: float) -> Any:
        shape, dtype = tuple(map(int, shape)), _dtype.canonical(dtype)
        _sampling.check_draw_size(shape)
        if self._eager(dtype):
            with self._lock:           # eager: not tracing, so _next_index's check is already done
                i = self._counter
                self._counter += 1
            return _eager_cpu.chunked(kind, self._kd_host, i, shape, dtype, p0, p1)
        sample = _sampling.uniform if kind == "uniform" else _sampling.normal
        return sample(self.next_key(), shape, dtype, p0, p1)

    def trunc_normal(self, shape: Sequence[int], dtype: Any, mean: float, std: float,
                     a: float, b: float) -> Any:
        """N(mean, std**2) truncated to [a, b] (torch 2.13's algorithm) from the next draw.

        >>> x = materialize(Generator().manual_seed(0).trunc_normal((100,), "float32", 0.0, 1.0, 0.0, 0.1))
        >>> float(x.min()) >= 0
        True
        """
        shape, dtype = tuple(int(s) for s in shape), _dtype.canonical(dtype)
        mean, std, a, b = float(mean), float(std), float(a), float(b)
        _sampling.check_draw_size(shape)
        if self._eager(dtype):
            return _eager_cpu.trunc_chunked(self._kd_host, self._next_index(), shape, dtype, mean, std, a, b)
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

    def _eager(self, dtype) -> bool:
        return False
