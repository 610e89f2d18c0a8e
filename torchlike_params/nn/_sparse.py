"""Lookup-table layers: ``Embedding`` and ``EmbeddingBag``, with torch's constructors and default init.

Default init (torch's): ``init.normal_(weight)`` (N(0, 1) over all rows, so the padding row
consumes its draws too), then the ``padding_idx`` row is zeroed. Passing ``_weight`` draws
nothing.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from ._module import Module
from .functional._common import _v

__all__ = ['Embedding', 'EmbeddingBag']


def _padding_index(padding_idx: int | None, num_embeddings: int, name: str) -> int | None:
    """torch's padding_idx check (AssertionError) and normalisation of a negative index."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num_embeddings:
                raise AssertionError(f"{name} must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num_embeddings:
                raise AssertionError(f"{name} must be within num_embeddings")
            padding_idx = num_embeddings + padding_idx
    return padding_idx


def _weight_param(num_embeddings: int, embedding_dim: int, _weight: Any, device: Any, dtype: Any,
                  requires_grad: bool) -> tuple[Parameter, bool]:
    """The weight Parameter, and whether it still needs the default init (``empty`` checks the sizes
    and ``device`` with torch's errors)."""
    if _weight is None:
        weight = empty((num_embeddings, embedding_dim), device=device, dtype=dtype)
        return Parameter(weight, requires_grad=requires_grad), True
    if list(jnp.shape(_v(_weight))) != [num_embeddings, embedding_dim]:
        raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
    return Parameter(_weight, requires_grad=requires_grad), False


class Embedding(Module):
    r"""A lookup table: ``out[...] = weight[input[...]]`` with ``weight (num_embeddings, embedding_dim)``.

    Args:
        num_embeddings: size of the dictionary.
        embedding_dim: size of each vector.
        padding_idx: that row starts at zeros and gets no gradient; negative values count from
            the end (stored as ``num_embeddings + padding_idx``).
        max_norm: looked-up rows with a ``norm_type`` norm above it are rescaled to ``max_norm``.
        norm_type: the p of the norm (2.0).
        scale_grad_by_freq: divide each row's gradient by its count in the mini-batch.
        sparse: accepted; gradients are dense.
        _weight, _freeze: an initial weight (nothing is drawn) and whether it is frozen.

    Shape: integer ``(*)`` input, output ``(*, embedding_dim)``.

    Attributes:
        weight: (num_embeddings, embedding_dim), N(0, 1) with the padding_idx row (if any) zeroed;
            ``_weight`` as given (nothing drawn) when passed.

    Note: with ``max_norm`` torch rescales the rows of ``weight`` in place during the forward;
    here the forward is pure: the output (and the gradient) are torch's, but ``weight`` is not
    modified. Out-of-range indices give NaN rows instead of an IndexError (values are not read
    on the host). ``sparse=True`` gives dense gradients.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.Embedding(10, 3, padding_idx=0)
    >>> out = m(jnp.array([[0, 4]]))
    >>> m, out.shape, out.dtype, out[0, 0].tolist()
    (Embedding(10, 3, padding_idx=0), (1, 2, 3), dtype('float32'), [0.0, 0.0, 0.0])
    """

    __constants__ = ["num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                     "scale_grad_by_freq", "sparse"]

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "Padding_idx")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.weight, fresh = _weight_param(num_embeddings, embedding_dim, _weight, device, dtype, not _freeze)
        if fresh:
            self.reset_parameters()
        self.sparse = sparse

    def reset_parameters(self) -> None:
        """``init.normal_(weight)`` then zero the padding row.

        >>> import torchlike_params as tp
        >>> tp.nn.Embedding(4, 2).reset_parameters()
        """
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            self.weight[self.padding_idx] = 0

    def forward(self, input: Any) -> jax.Array:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding holding ``embeddings`` (2D); ``freeze`` sets ``requires_grad=False``.

        >>> import jax.numpy as jnp, torchlike_params as tp
        >>> m = tp.nn.Embedding.from_pretrained(jnp.ones((4, 2)))
        >>> m, m.weight.requires_grad
        (Embedding(4, 2), False)
        """
        if jnp.ndim(_v(embeddings)) != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = jnp.shape(_v(embeddings))
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(Module):
    r"""Sums, means or maxima of bags of embeddings, computed without the per-entry rows kept.

    ``out[b] = reduce_{i in bag b, input[i] != padding_idx} w_i * weight[input[i]]`` with
    ``reduce`` one of ``sum`` (``w_i`` = ``per_sample_weights`` or 1), ``mean``, ``max``.

    Args:
        num_embeddings, embedding_dim, max_norm, norm_type, scale_grad_by_freq, sparse: as Embedding.
        mode: ``'sum'``, ``'mean'`` (default) or ``'max'``.
        _weight: an initial weight (nothing is drawn).
        include_last_offset: ``offsets`` has ``B + 1`` entries, the last one ending the last bag.
        padding_idx: entries equal to it are skipped (and not counted in the mean); the row starts at zeros.

    Shape: ``input`` ``(B, L)`` (with ``offsets=None``) or 1D ``(N,)`` with 1D ``offsets``;
    output ``(B, embedding_dim)``. Empty bags give zeros.

    Attributes:
        weight: (num_embeddings, embedding_dim), N(0, 1) with the padding_idx row (if any) zeroed;
            ``_weight`` as given (nothing drawn) when passed.

    Note: as ``Embedding``: ``max_norm`` does not modify ``weight``, index and offset values
    are not checked, gradients are dense.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> m = tp.nn.EmbeddingBag(10, 3, mode='sum')
    >>> out = m(jnp.array([1, 2, 4, 5]), jnp.array([0, 2]))
    >>> m, out.shape, out.dtype
    (EmbeddingBag(10, 3, mode='sum'), (2, 3), dtype('float32'))
    """

    __constants__ = ["num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq", "mode",
                     "sparse", "include_last_offset", "padding_idx"]

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Any = None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "padding_idx")
        self.weight, fresh = _weight_param(num_embeddings, embedding_dim, _weight, device, dtype, True)
        if fresh:
            self.reset_parameters()
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self) -> None:
        """``init.normal_(weight)`` then zero the padding row.

        >>> import torchlike_params as tp
        >>> tp.nn.EmbeddingBag(4, 2).reset_parameters()
        """
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            self.weight[self.padding_idx] = 0

    def forward(self, input: Any, offsets: Any = None, per_sample_weights: Any = None) -> jax.Array:
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        """An EmbeddingBag holding ``embeddings`` (2D); ``freeze`` sets ``requires_grad=False``.

        >>> import jax.numpy as jnp, torchlike_params as tp
        >>> tp.nn.EmbeddingBag.from_pretrained(jnp.ones((4, 2)), mode='max')
        EmbeddingBag(4, 2, mode='max')
        """
        if jnp.ndim(_v(embeddings)) != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = jnp.shape(_v(embeddings))
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, max_norm=max_norm,
                  norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
