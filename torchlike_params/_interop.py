"""Where torch-style values meet JAX values: one rule, "like in, like out".

Model code written for torch calls tensor methods on the values that flow through
``forward`` (``x.view(B, T, C)``, ``x.size(0)``). JAX code wants ``jax.Array`` values
(``jax.grad`` needs an array loss). So:

- Inside a ``forward`` written by the user, every array argument is a :class:`Tensor`.
- A call (a module, ``nn.functional``, a top-level function) returns ``jax.Array`` values when
  it is given ``jax.Array``/NumPy arrays and no plain ``Tensor``; otherwise it returns ``Tensor``
  values. ``Parameter``/``Buffer`` arguments (a module's state) do not decide: ``F.linear(jnp_x,
  model.weight)`` is a ``jax.Array`` (so ``jax.grad`` of it works), ``torch.tanh(self.weight)``
  a ``Tensor``. ``model(jnp_x)`` therefore gives a ``jax.Array`` and ``model(tp.tensor(x))`` a
  ``Tensor``.
- A ``Tensor`` is a JAX pytree with one leaf, so ``jax.jit`` takes and returns it; ``.value`` or
  ``jnp.asarray(t)`` gives the array.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import jax
import numpy as np

from ._parameter import Buffer, Parameter
from ._tensor import Tensor, _out

_ARRAY_TYPES = (jax.Array, np.ndarray)


_STATE_BOXES = (Parameter, Buffer)


def _unwrap_tree(x: Any) -> tuple[Any, bool, bool]:
    """``x`` with boxes replaced by arrays; whether it held a plain Tensor; whether it held a raw array."""
    if isinstance(x, Tensor):
        return x.value, not isinstance(x, _STATE_BOXES), False
    if isinstance(x, _ARRAY_TYPES):
        return x, False, True
    t = type(x)
    if t is list or t is tuple:
        items = [_unwrap_tree(i) for i in x]
        return t(i[0] for i in items), any(i[1] for i in items), any(i[2] for i in items)
    if t is dict:
        items = {k: _unwrap_tree(v) for k, v in x.items()}
        return ({k: v[0] for k, v in items.items()}, any(v[1] for v in items.values()),
                any(v[2] for v in items.values()))
    return x, False, False


def to_tensors(x: Any) -> Any:
    """``x`` with every ``jax.Array``/NumPy array (in lists, tuples, dicts) wrapped as a ``Tensor``.

    >>> import jax.numpy as jnp
    >>> type(to_tensors((jnp.ones(2), 3))[0]).__name__
    'Tensor'
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(x, jax.Array):
        return _out(x)
    if isinstance(x, np.ndarray):
        return _out(jax.numpy.asarray(x)) if x.dtype != object else x
    t = type(x)
    if t is list or t is tuple:
        return t(to_tensors(i) for i in x)
    if t is dict:
        return {k: to_tensors(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):          # namedtuples (torch.return_types)
        return t(*(to_tensors(i) for i in x))
    return x


def to_arrays(x: Any) -> Any:
    """``x`` with every ``Tensor`` (in lists, tuples, dicts, namedtuples) replaced by its ``jax.Array``.

    >>> type(to_arrays([tp.ones(2)])[0]).__name__
    'ArrayImpl'
    """
    if isinstance(x, Tensor):
        return x.value
    t = type(x)
    if t is list or t is tuple:
        return t(to_arrays(i) for i in x)
    if t is dict:
        return {k: to_arrays(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return t(*(to_arrays(i) for i in x))
    return x


def unwrap_args(args: tuple, kwargs: dict) -> tuple[tuple, dict, bool, bool]:
    """Arguments with boxes unwrapped, plus (a plain Tensor given, a raw array given).

    The result of a call is made of ``Tensor`` values unless the second is true and the first false.
    """
    has_t = has_raw = False
    new_args = []
    for a in args:
        if isinstance(a, Tensor):
            new_args.append(a.value)
            has_t |= not isinstance(a, _STATE_BOXES)
        elif isinstance(a, _ARRAY_TYPES):
            new_args.append(a)
            has_raw = True
        elif type(a) in (list, tuple, dict):
            v, t, r = _unwrap_tree(a)
            new_args.append(v)
            has_t |= t
            has_raw |= r
        else:
            new_args.append(a)
    if kwargs:
        new_kwargs = {}
        for k, a in kwargs.items():
            v, t, r = _unwrap_tree(a)
            new_kwargs[k] = v
            has_t |= t
            has_raw |= r
        kwargs = new_kwargs
    return tuple(new_args), kwargs, has_t, has_raw


def like_inputs(fn: Callable) -> Callable:
    """Decorate a function of arrays so that it speaks torch: boxes in, boxes out.

    The wrapped function sees only arrays. Its result (arrays in any nesting of tuples, lists,
    dicts) comes back as it is when the arguments held ``jax.Array``/NumPy arrays and no plain
    ``Tensor`` (``Parameter``/``Buffer`` do not count), as ``Tensor`` values otherwise.

    >>> import jax.numpy as jnp
    >>> double = like_inputs(lambda x: x * 2)
    >>> type(double(tp.ones(2))).__name__, type(double(jnp.ones(2))).__name__
    ('Tensor', 'ArrayImpl')
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        args, kwargs, has_t, has_raw = unwrap_args(args, kwargs)
        out = fn(*args, **kwargs)
        return to_tensors(out) if has_t or not has_raw else out

    wrapper.__wrapped_like_inputs__ = True
    return wrapper
