"""A small disk cache for the XLA executables of the eager CPU init path.

Eager init runs a handful of fixed programs (the sampling chunk kernels and the per-shape
joins). Compiling them costs about 0.4 s each on a 2-core CPU, which dominates a cold
process. This module keeps them in memory and, after the first process, on disk: later
processes load each executable in ~20 ms with ``jax.experimental.serialize_executable``.

The cache key holds the program name, its static arguments, the argument shapes and dtypes,
the library, jax and jaxlib versions and the device kind, so a stale entry is never used.
Any failure (no disk, an incompatible entry) falls back to compiling. The directory is
``$TORCHLIKE_PARAMS_CACHE_DIR`` or ``~/.cache/torchlike_params/xla``; set
``TORCHLIKE_PARAMS_CACHE_DIR=off`` to keep executables in memory only.

Note: entries are pickled; the cache directory must only be writable by its owner.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from typing import Any, Callable

import jax
import jaxlib

_memory: dict[tuple, Callable[..., Any]] = {}
_lock = threading.Lock()


def cache_dir() -> str | None:
    """The disk cache directory, or None when disabled.

    >>> cache_dir() is None or isinstance(cache_dir(), str)
    True
    """
    d = os.environ.get("TORCHLIKE_PARAMS_CACHE_DIR")
    if d is not None:
        return None if d.strip().lower() in ("", "off", "0", "none") else d
    return os.path.join(os.path.expanduser("~"), ".cache", "torchlike_params", "xla")


def _key(name: str, args: tuple, static: dict) -> str:
    from . import __version__
    dev = jax.devices()[0]
    avals = [(getattr(a, "shape", ()), str(getattr(a, "dtype", type(a).__name__)))
             for a in jax.tree_util.tree_leaves(args)]
    text = repr((name, sorted((k, repr(v)) for k, v in static.items()), avals, __version__, jax.__version__,
                 jaxlib.__version__, dev.platform, getattr(dev, "device_kind", ""), jax.device_count(),
                 jax.config.jax_enable_x64))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def compiled(fn: Any, name: str, args: tuple, static: dict) -> Callable[..., Any]:
    """The compiled executable of jitted ``fn`` for these argument shapes and static kwargs.

    >>> import functools, jax.numpy as jnp
    >>> f = jax.jit(lambda x, *, k: x * k, static_argnames="k")
    >>> compiled(f, "doc-example", (jnp.ones(2),), {"k": 3})(jnp.ones(2)).tolist()
    [3.0, 3.0]
    """
    fast = (name, tuple(static.items()),
            tuple((getattr(a, "shape", None), getattr(a, "dtype", type(a))) for a in jax.tree_util.tree_leaves(args)))
    exe = _memory.get(fast)
    if exe is not None:
        return exe
    with _lock:
        exe = _memory.get(fast)
        if exe is None:
            exe = _load_or_compile(fn, _key(name, args, static), args, static)
            _memory[fast] = exe
    return exe


def _load_or_compile(fn: Any, key: str, args: tuple, static: dict) -> Callable[..., Any]:
    from jax.experimental import serialize_executable as se
    directory = cache_dir()
    path = os.path.join(directory, key + ".pkl") if directory else None
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as f:
                payload = pickle.load(f)
            return se.deserialize_and_load(*payload)
        except Exception:  # an unreadable or incompatible entry: recompile and overwrite
            pass
    exe = fn.lower(*args, **static).compile()
    if path:
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            payload = se.serialize(exe)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(payload, f)
            os.replace(tmp, path)
        except Exception:  # a read-only home, a full disk: keep the in-memory executable
            pass
    return exe
