"""``torch.utils.checkpoint``: run the function (a documented pass-through).

torch recomputes a checkpointed segment's activations in backward to save memory. Under JAX
the same trade is made with ``jax.checkpoint`` (``jax.remat``) on the loss function or with
XLA's own rematerialization; here ``checkpoint(fn, *args)`` simply calls ``fn(*args)``, so the
numbers are the same and model code that calls it runs unchanged.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["checkpoint", "checkpoint_sequential"]

_TORCH_ONLY = ("use_reentrant", "preserve_rng_state", "context_fn", "determinism_check", "debug",
               "early_stop")


def checkpoint(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``; torch's checkpoint options are accepted and unused.

    Note: no rematerialization happens here; wrap the loss in ``jax.checkpoint`` for that.

    >>> checkpoint(lambda a, b: a * b, 3, 4, use_reentrant=False)
    12
    """
    for k in _TORCH_ONLY:
        kwargs.pop(k, None)
    return function(*args, **kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Any, use_reentrant: Any = None,
                          **kwargs: Any) -> Any:
    """Run the modules of ``functions`` (a Sequential or a list) one after the other on ``input``.

    >>> checkpoint_sequential([lambda x: x + 1, lambda x: x * 2], 2, 3)
    8
    """
    for f in (functions.children() if hasattr(functions, "children") else functions):
        input = f(input)
    return input
