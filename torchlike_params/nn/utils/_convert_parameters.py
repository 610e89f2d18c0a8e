"""``parameters_to_vector`` / ``vector_to_parameters``: all parameters as one flat vector and back."""

from __future__ import annotations

from typing import Any, Iterable

import jax.numpy as jnp

from ..._tensor import Tensor, _out


def _params(parameters: Any, fn: str) -> list:
    if isinstance(parameters, Tensor):
        raise TypeError(f"Expected `parameters` to be an iterable of Tensors, got {type(parameters).__name__}")
    return list(parameters)


def parameters_to_vector(parameters: Iterable[Any]) -> Tensor:
    """The parameters flattened and concatenated, in iteration order, as one 1-D Tensor.

    >>> m = tp.nn.Linear(3, 2)
    >>> tp.nn.utils.parameters_to_vector(m.parameters()).shape
    torch.Size([8])
    """
    ps = _params(parameters, "parameters_to_vector")
    for p in ps:
        if not isinstance(p, Tensor) and not hasattr(p, "shape"):
            raise TypeError(f"expected torch.Tensor, but got: {type(p).__name__}")
    return _out(jnp.concatenate([jnp.ravel(p.value if isinstance(p, Tensor) else p) for p in ps]))


def vector_to_parameters(vec: Any, parameters: Iterable[Any]) -> None:
    """Write consecutive slices of the 1-D ``vec`` into the parameters, in place (torch's semantics).

    >>> m = tp.nn.Linear(3, 2)
    >>> tp.nn.utils.vector_to_parameters(tp.zeros(8), m.parameters())
    >>> float(m.weight.abs().sum())
    0.0
    """
    v = vec.value if isinstance(vec, Tensor) else vec
    if not hasattr(v, "ndim"):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    if v.ndim != 1:
        raise RuntimeError(f"Expected `vec` to be a 1-D tensor, got {v.ndim} dimensions")
    ps = _params(parameters, "vector_to_parameters")
    total = sum(int(jnp.size(p.value)) for p in ps)
    if total != v.shape[0]:
        raise RuntimeError(f"shape '[{total}]' is invalid for input of size {v.shape[0]}")
    new, i = [], 0
    for p in ps:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected torch.Tensor, but got: {type(p).__name__}")
        n = int(jnp.size(p.value))
        new.append(v[i:i + n].reshape(tuple(p.shape)).astype(p.dtype))
        i += n
    for p, value in zip(ps, new):                # every check passed: now write
        p.data = value
