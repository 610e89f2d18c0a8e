"""A small disk cache for the XLA executables of the eager CPU executor.

Eager init runs a handful of fixed programs (the chunk, row-batch and truncated-normal
kernels). Compiling one costs about 0.4 s on a 2-core CPU, which would dominate a cold
process. This module keeps them in memory and, after the first process, on disk: later
processes load each executable in ~20 ms with ``jax.experimental.serialize_executable``.

Where: ``$TORCHLIKE_PARAMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/torchlike_params/xla``, else
``~/.cache/torchlike_params/xla``. ``TORCHLIKE_PARAMS_CACHE_DIR=off`` keeps executables in
memory only.

The key holds the program name, its static arguments, the argument shapes and dtypes, the
library, jax and jaxlib versions, the device kind, ``XLA_FLAGS`` (compiler options change the code) and the host CPU's identity (machine,
model name and feature flags), so a home directory shared by different machines never mixes
entries. An entry that cannot be loaded is counted, warned about once per process, and
replaced by a fresh compile. ``stats()`` reports hits, misses and rejected entries.

Why not JAX's own persistent compilation cache: it is a global setting that belongs to the
user (a library must not turn it on), and by default it skips programs that compile in under
a second, which all of these do. When the user has enabled it, the two simply coexist: this
cache is consulted first and JAX's is used by the compile that a miss triggers.

Note: entries are pickled; the cache directory must only be writable by its owner (it is
created with mode 0700).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import tempfile
import threading
import warnings
from typing import Any, Callable

import jax
import jaxlib

_memory: dict[tuple, Callable[..., Any]] = {}
_lock = threading.Lock()
_stats = {"memory_hits": 0, "disk_hits": 0, "misses": 0, "rejected": 0}
_warned = False


def cache_dir() -> str | None:
    """The disk cache directory, or None when disabled.

    >>> cache_dir() is None or cache_dir().endswith("xla")
    True
    """
    d = os.environ.get("TORCHLIKE_PARAMS_CACHE_DIR")
    if d is not None:
        return None if d.strip().lower() in ("", "off", "0", "none") else d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "torchlike_params", "xla")


def stats() -> dict[str, int]:
    """Counts since the process started: ``memory_hits``, ``disk_hits``, ``misses`` (compiles)
    and ``rejected`` (disk entries that could not be loaded).

    >>> sorted(stats())
    ['disk_hits', 'memory_hits', 'misses', 'rejected']
    """
    return dict(_stats)


@functools.lru_cache(maxsize=1)
def host_cpu() -> str:
    """A fingerprint of the host CPU: machine, model name and feature flags.

    >>> len(host_cpu()) == 16
    True
    """
    parts = [platform.machine(), platform.processor()]
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k = line.split(":", 1)[0].strip()
                if k in ("model name", "flags", "Features", "CPU implementer", "CPU part"):
                    parts.append(line.strip())
                if k == "" and len(parts) > 2:      # the first processor's block is enough
                    break
    except OSError:
        pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _key(name: str, args: tuple, static: dict) -> str:
    from .. import __version__
    dev = jax.devices()[0]
    avals = [(getattr(a, "shape", ()), str(getattr(a, "dtype", type(a).__name__)))
             for a in jax.tree_util.tree_leaves(args)]
    text = repr((name, sorted((k, repr(v)) for k, v in static.items()), avals, __version__, jax.__version__,
                 jaxlib.__version__, dev.platform, getattr(dev, "device_kind", ""), jax.device_count(),
                 jax.config.jax_enable_x64, host_cpu(), os.environ.get("XLA_FLAGS", "")))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def compiled(fn: Any, name: str, args: tuple, static: dict) -> Callable[..., Any]:
    """The compiled executable of jitted ``fn`` for these argument shapes and static kwargs.

    >>> import jax.numpy as jnp
    >>> f = jax.jit(lambda x, *, k: x * k, static_argnames="k")
    >>> compiled(f, "doc-example", (jnp.ones(2),), {"k": 3})(jnp.ones(2)).tolist()
    [3.0, 3.0]
    """
    fast = (name, tuple(static.items()),
            tuple((getattr(a, "shape", None), getattr(a, "dtype", type(a))) for a in jax.tree_util.tree_leaves(args)))
    exe = _memory.get(fast)
    if exe is not None:
        _stats["memory_hits"] += 1
        return exe
    with _lock:
        exe = _memory.get(fast)
        if exe is None:
            exe = _load_or_compile(fn, _key(name, args, static), args, static)
            _memory[fast] = exe
        else:
            _stats["memory_hits"] += 1
    return exe


def _reject(path: str, err: Exception) -> None:
    global _warned
    _stats["rejected"] += 1
    if not _warned:
        _warned = True
        warnings.warn(f"torchlike_params: an executable cache entry could not be loaded and was recompiled "
                      f"({path}: {type(err).__name__}: {err}). Further rejected entries in this process are "
                      f"counted in torchlike_params.random.cache_stats() without a warning.",
                      RuntimeWarning, stacklevel=4)


def _load_or_compile(fn: Any, key: str, args: tuple, static: dict) -> Callable[..., Any]:
    from jax.experimental import serialize_executable as se
    directory = cache_dir()
    path = os.path.join(directory, key + ".pkl") if directory else None
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as f:
                payload = pickle.load(f)
            exe = se.deserialize_and_load(*payload)
            _stats["disk_hits"] += 1
            return exe
        except Exception as e:  # an unreadable or incompatible entry: recompile and overwrite
            _reject(path, e)
    _stats["misses"] += 1
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
