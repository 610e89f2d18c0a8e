"""Which generator a fill uses: ``generator=``, else the innermost scope of this thread, else
the process-wide default (``manual_seed`` seeds it; ``set_default_generator`` replaces it)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import jax
import numpy as np

from ._keystream import Generator, _KeyGenerator
from ._protocol import GeneratorProtocol
from ._trace import tracing

_default: Any = Generator()
_default.seed()
_scopes = threading.local()

_NAMES = ("uniform", "normal", "trunc_normal", "randperms", "manual_seed", "initial_seed", "get_state",
          "set_state")


def check_generator(gen: Any, arg: str = "generator") -> Any:
    """Return ``gen`` if it implements the generator protocol, else raise a clear TypeError.

    >>> check_generator(object())
    Traceback (most recent call last):
    ...
    TypeError: Expected `generator` to implement torchlike_params.random.GeneratorProtocol (uniform, normal, trunc_normal, randperms, manual_seed, initial_seed, get_state, set_state, traceable), got object
    """
    if not isinstance(gen, GeneratorProtocol):
        raise TypeError(f"Expected `{arg}` to implement torchlike_params.random.GeneratorProtocol "
                        f"({', '.join(_NAMES + ('traceable',))}), got {type(gen).__name__}")
    return gen


def get_default_generator() -> Any:
    """The process-wide default generator (``torch.default_generator``).

    >>> import torchlike_params as tp
    >>> get_default_generator() is tp.manual_seed(0)
    True
    """
    return _default


def set_default_generator(gen: Any) -> Any:
    """Make ``gen`` (any protocol implementation) the default generator; return the previous one.

    >>> import torchlike_params as tp
    >>> old = set_default_generator(tp.random.Generator().manual_seed(3))
    >>> tp.initial_seed()
    3
    >>> _ = set_default_generator(old)
    """
    global _default
    check_generator(gen)
    old, _default = _default, gen
    return old


@contextlib.contextmanager
def default_generator_scope(gen: Any) -> Iterator[Any]:
    """Within the block, ``gen`` is the default generator (for every thread); restored after.

    >>> import torchlike_params as tp
    >>> with default_generator_scope(tp.random.Generator().manual_seed(5)) as g:
    ...     tp.initial_seed(), tp.random.get_default_generator() is g
    (5, True)
    """
    old = set_default_generator(gen)
    try:
        yield gen
    finally:
        set_default_generator(old)


def current_generator() -> Any:
    """The generator a fill uses when given none: the innermost ``key_scope``, else the default.

    >>> current_generator() is get_default_generator()
    True
    """
    stack = getattr(_scopes, "stack", None)
    return stack[-1] if stack else _default


_BAKED = ("A generator seeded with a concrete seed was drawn from while JAX is tracing; its numbers "
          "would be baked into the compiled function as constants. Build the model inside "
          "`with torchlike_params.key_scope(key):` with a key passed into the traced function, "
          "or pass `key=` to the initializer (or to functional_call for dropout).")


def resolve(generator: Any = None, key: jax.Array | None = None) -> Any:
    """Pick the generator for one fill from ``generator=`` / ``key=`` (not both).

    Under a trace, a generator that is not ``traceable`` is refused with a clear error.

    >>> resolve() is get_default_generator()
    True
    """
    if key is not None:
        if generator is not None:
            raise ValueError("Expected at most one of `generator` and `key`, got both")
        return _KeyGenerator.from_key(key)
    gen = current_generator() if generator is None else check_generator(generator)
    if type(gen) is not Generator and not getattr(gen, "traceable", False) and tracing():
        raise RuntimeError(_BAKED)      # (the key stream checks this itself, at the draw)
    return gen


@contextlib.contextmanager
def key_scope(key: Any) -> Iterator[Any]:
    """Within the block, fills that are given no generator draw from a stream rooted at ``key``.

    ``key`` may be a tracer, so building a model inside ``jax.jit`` is a pure function of the
    key. The scope is per thread. A generator (any protocol implementation) may be given
    instead of a key.

    >>> import jax
    >>> with key_scope(jax.random.key(0)) as g:
    ...     current_generator() is g
    True
    """
    gen = check_generator(key, "key") if not isinstance(key, jax.Array) else Generator.from_key(key)
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    stack.append(gen)
    try:
        yield gen
    finally:
        stack.pop()


def manual_seed(seed: int) -> Any:
    """Seed the default generator and return it, like ``torch.manual_seed``.

    >>> manual_seed(0) is get_default_generator()
    True
    """
    if not isinstance(seed, (int, np.integer)):
        try:                                  # torch.manual_seed calls int(seed) first
            seed = int(seed)
        except (TypeError, ValueError):
            raise TypeError(f"Expected `seed` to be an int, got {type(seed).__name__}") from None
    return _default.manual_seed(seed)


def initial_seed() -> int:
    """The default generator's initial seed, like ``torch.initial_seed``.

    >>> _ = manual_seed(42); initial_seed()
    42
    """
    return _default.initial_seed()


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed.

    >>> isinstance(seed(), int)
    True
    """
    return _default.seed()
