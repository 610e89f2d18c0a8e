"""``torch.jit`` as model files use it: decorators and flags that change nothing here.

TorchScript does not exist in JAX (``jax.jit`` compiles the whole function instead), so
``@torch.jit.script``, ``@torch.jit.ignore`` and friends return what they decorate and
``is_scripting()``/``is_tracing()`` are False: model code that branches on them takes its eager
path, which is the one that runs under ``jax.jit`` too.

>>> import torchlike_params as tp
>>> @tp.jit.script
... def f(x):
...     return x * 2
>>> f(3), tp.jit.is_scripting()
(6, False)
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing", "Final", "annotate",
           "interface"]


def script(obj: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Return ``obj`` unchanged (TorchScript has no JAX counterpart; use ``jax.jit`` on functions).

    >>> script(len) is len
    True
    """
    return obj


def trace(func: Any, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Return ``func`` unchanged (use ``jax.jit`` or ``jax.make_jaxpr`` to trace).

    >>> trace(len, ([1],)) is len
    True
    """
    return func


def _passthrough(fn: Any = None, **kwargs: Any) -> Any:
    if fn is None:                  # used as @ignore(drop=True)
        return lambda f: f
    return fn


def ignore(fn: Any = None, **kwargs: Any) -> Any:
    """Return ``fn`` unchanged (``@torch.jit.ignore``, with or without arguments).

    >>> ignore(len) is len, ignore(drop=True)(len) is len
    (True, True)
    """
    return _passthrough(fn, **kwargs)


def unused(fn: Any = None, **kwargs: Any) -> Any:
    """Return ``fn`` unchanged (``@torch.jit.unused``).

    >>> unused(len) is len
    True
    """
    return _passthrough(fn, **kwargs)


def export(fn: Callable) -> Callable:
    """Return ``fn`` unchanged (``@torch.jit.export``).

    >>> export(len) is len
    True
    """
    return fn


def interface(obj: Any) -> Any:
    """Return ``obj`` unchanged (``@torch.jit.interface``).

    >>> interface(int) is int
    True
    """
    return obj


def is_scripting() -> bool:
    """False: code is never run as TorchScript.

    >>> is_scripting()
    False
    """
    return False


def is_tracing() -> bool:
    """False: ``torch.jit.trace`` is never running (JAX tracing is not torch's).

    >>> is_tracing()
    False
    """
    return False


def annotate(the_type: Any, the_value: T) -> T:
    """Return ``the_value`` (``torch.jit.annotate``).

    >>> annotate(list, [1])
    [1]
    """
    return the_value


class Final(Generic[T]):
    """``torch.jit.Final[int]`` in class annotations: a typing marker only.

    >>> Final[int] is not None
    True
    """
