"""Lookup functionals: ``embedding``, ``embedding_bag`` and ``one_hot``, with torch's signatures.

Differences from torch, all forced by JAX (no host reads of index values inside a forward):

* Index values are not checked. An index outside ``[0, num_embeddings)`` gives a row of NaN
  (torch raises ``IndexError``); ``embedding_bag``'s ``offsets`` values are not validated
  (torch checks ``offsets[0] == 0`` and ``offsets[-1] <= len(input)``).
* ``max_norm`` renormalizes the looked-up rows in the *output* only. torch rescales those rows
  of ``weight`` in place (under no_grad); the output and the gradients (taken as if the rows
  were not rescaled, as torch's in-place edit makes them) are the same, but the weight is not
  changed here, so a later lookup rescales again (to the same values).
* ``sparse=True`` is accepted; gradients are dense arrays.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from ... import _dtype
from ..._tensor import Size
from ._common import _v

__all__ = ['embedding', 'embedding_bag', 'one_hot']

_INDEX_DTYPES = ("int32", "int64")


def _check_indices(x: jax.Array, fn: str) -> None:
    if jnp.dtype(x.dtype).name not in _INDEX_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_dtype.typename(x.dtype)} instead (while checking arguments for {fn})")


def _lookup(weight: jax.Array, idx: jax.Array, padding_idx: int | None, max_norm: float | None,
            norm_type: float, scale_grad_by_freq: bool) -> jax.Array:
    """The rows ``weight[idx]`` with torch's gradient rules (padding row frozen, frequency scaling)
    and ``max_norm`` renormalization (forward only, identity gradient as torch's in-place renorm)."""
    n = weight.shape[0]
    if padding_idx is not None and 0 <= padding_idx < n:
        weight = weight.at[padding_idx].set(lax.stop_gradient(weight[padding_idx]))
    safe = jnp.where(idx < 0, n, idx)              # negative indices are out of range, not wrapped
    rows = jnp.take(weight, safe, axis=0, mode="fill")
    if max_norm is None and not scale_grad_by_freq:
        return rows
    fixed = lax.stop_gradient(rows)
    moving = rows - fixed                           # zero in value, identity in gradient
    if max_norm is not None:
        norms = jnp.linalg.norm(fixed, ord=norm_type, axis=-1, keepdims=True)
        fixed = jnp.where(norms > max_norm, fixed * (max_norm / (norms + 1e-7)), fixed)
    if scale_grad_by_freq:
        counts = jnp.zeros(n + 1, weight.dtype).at[jnp.clip(safe, 0, n).ravel()].add(1)
        moving = moving / counts[jnp.clip(safe, 0, n)][..., None]
    return fixed + moving


def embedding(input: Any, weight: Any, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> jax.Array:
    r"""Look up rows of ``weight`` ``(num_embeddings, embedding_dim)``: ``out[...] = weight[input[...]]``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows with a ``norm_type`` norm above
    it are scaled by ``max_norm / (norm + 1e-7)``. ``scale_grad_by_freq``: each row's gradient is
    divided by its count in ``input``.

    Note: see the module docstring (no index-value checks; ``max_norm`` does not edit ``weight``;
    ``sparse`` gives dense gradients).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> w = jnp.arange(6.0).reshape(3, 2)
    >>> out = tp.nn.functional.embedding(jnp.array([[2, 0]]), w)
    >>> out.shape, out.dtype, out.tolist()
    ((1, 2, 2), dtype('float32'), [[[4.0, 5.0], [0.0, 1.0]]])
    """
    x, w = jnp.asarray(_v(input)), jnp.asarray(_v(weight))
    n = w.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    _check_indices(x, "embedding")
    return _lookup(w, x, padding_idx, max_norm, norm_type, scale_grad_by_freq)


def embedding_bag(input: Any, weight: Any, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Any = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> jax.Array:
    r"""Sums, means or maxima of bags of embeddings, without the intermediate ``(L, D)`` rows kept.

    A 2D ``input`` ``(B, L)`` is ``B`` bags of length ``L`` (``offsets`` must be None). A 1D
    ``input`` is split into bags at ``offsets`` (bag ``b`` is ``input[offsets[b]:offsets[b+1]]``,
    the last one running to the end, or ending at ``offsets[-1]`` with ``include_last_offset``).
    Entries equal to ``padding_idx`` are left out (also from the mean's count); empty bags give
    zeros. ``per_sample_weights`` (mode 'sum' only) scales each entry.

    Note: see the module docstring (no index/offset value checks, ``max_norm`` in the output only).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> w = jnp.arange(8.0).reshape(4, 2)
    >>> out = tp.nn.functional.embedding_bag(jnp.array([0, 1, 3]), w, jnp.array([0, 2]), mode='sum')
    >>> out.shape, out.tolist()
    ((2, 2), [[2.0, 4.0], [6.0, 7.0]])
    """
    x, w = jnp.asarray(_v(input)), jnp.asarray(_v(weight))
    off = None if offsets is None else jnp.asarray(_v(offsets))
    psw = None if per_sample_weights is None else jnp.asarray(_v(per_sample_weights))
    if psw is not None and x.shape != psw.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({Size(psw.shape)}) is not None, "
                         f"then it must have the same shape as the input ({Size(x.shape)})")
    if w.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {w.ndim}")
    if x.ndim == 2:
        if off is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        num_bags, length = x.shape
        bag = jnp.repeat(jnp.arange(num_bags), length)
        x = x.reshape(-1)
        psw = None if psw is None else psw.reshape(-1)
    elif x.ndim == 1:
        if off is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if off.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        num_bags = off.shape[0] - 1 if include_last_offset else off.shape[0]
        num_bags = max(num_bags, 0)
        bag = None
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {x.ndim}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub.")
    _check_indices(x, "embedding_bag")
    if off is not None:
        _check_indices(off, "embedding_bag")
    n = w.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, "
                               f"but got {padding_idx}")
        padding_idx = padding_idx % n
    if bag is None:                                 # position i belongs to the last bag starting at or before i
        bag = jnp.searchsorted(off, jnp.arange(x.shape[0], dtype=off.dtype), side="right") - 1
    valid = (bag >= 0) & (bag < num_bags)
    if padding_idx is not None:
        valid = valid & (x != padding_idx)
    seg = jnp.where(valid, bag, num_bags)           # ids == num_bags are dropped by the segment ops
    rows = _lookup(w, x, padding_idx, max_norm, norm_type, scale_grad_by_freq)
    if mode == "max":
        big = jnp.where(valid[:, None], rows, -jnp.inf)
        out = jax.ops.segment_max(big, seg, num_segments=num_bags)
        return jnp.where(jnp.isneginf(out), jnp.zeros((), w.dtype), out).astype(w.dtype)
    if psw is not None:
        rows = rows * psw[:, None].astype(w.dtype)
    out = jax.ops.segment_sum(jnp.where(valid[:, None], rows, 0), seg, num_segments=num_bags)
    if mode == "mean":
        count = jax.ops.segment_sum(valid.astype(w.dtype), seg, num_segments=num_bags)
        out = out / jnp.maximum(count, 1)[:, None]
    return out.astype(w.dtype)


def one_hot(tensor: Any, num_classes: int = -1) -> jax.Array:
    r"""``out[..., c] = 1`` where ``tensor[...] == c``, else 0; shape ``tensor.shape + (num_classes,)``.

    ``num_classes=-1`` infers ``max(tensor) + 1``, which needs concrete values: under
    ``jax.jit`` pass ``num_classes`` explicitly.

    Note: the result has the canonical integer dtype (torch: int64; int32 unless
    ``jax_enable_x64``). Integer inputs of any width are accepted (torch: int64 only). With an
    explicit ``num_classes`` values are not checked: an out-of-range value gives a row of zeros
    (torch raises).

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.functional.one_hot(jnp.array([0, 2])).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    x = jnp.asarray(_v(tensor))
    if not jnp.issubdtype(x.dtype, jnp.integer):
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    out_dtype = _dtype.canonical(_dtype.int64)
    if x.size == 0 and num_classes <= 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if num_classes == -1:
        if isinstance(x, jax.core.Tracer):
            raise RuntimeError("one_hot with num_classes=-1 infers the number of classes from the values, which "
                               "are not known while JAX traces; pass num_classes explicitly under jax.jit")
        if int(x.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        num_classes = int(x.max()) + 1
    elif num_classes <= 0:           # no value can be smaller (torch checks against the maximum)
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (x[..., None] == jnp.arange(num_classes, dtype=x.dtype)).astype(out_dtype)
