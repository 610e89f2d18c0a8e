"""Specs of Embedding and EmbeddingBag: integer inputs (no input gradients), weights from torch."""

import numpy as np

from ._spec import Spec


def ints(high, shape):
    """One integer input array in [0, high)."""
    return lambda rng: (rng.integers(0, high, size=shape),)


_IDX = np.array([[0, 2, 4, 0], [1, 9, 0, 3]])          # has padding (0), repeats and the last row
_BAG = np.array([1, 2, 4, 4, 3, 0, 7, 9])
_OFFSETS = np.array([0, 2, 2, 5])                       # one empty bag


SPECS = [
    Spec("Embedding", (10, 3), inputs=ints(10, (2, 4)), grad_inputs=()),
    Spec("Embedding", (10, 3), {"padding_idx": 0}, inputs=lambda rng: (_IDX,), grad_inputs=()),
    Spec("Embedding", (10, 3), {"padding_idx": -1}, inputs=lambda rng: (_IDX,), grad_inputs=()),
    Spec("Embedding", (10, 4), {"max_norm": 1.0}, inputs=lambda rng: (_IDX,), grad_inputs=()),
    Spec("Embedding", (10, 4), {"max_norm": 1.5, "norm_type": 1.0}, inputs=ints(10, (5,)), grad_inputs=()),
    Spec("Embedding", (10, 3), {"scale_grad_by_freq": True, "padding_idx": 2}, inputs=lambda rng: (_IDX,),
         grad_inputs=()),
    Spec("Embedding", (6, 2), inputs=ints(6, (3, 2, 2)), grad_inputs=(), id="Embedding(6, 2)-3d-input"),
    Spec("EmbeddingBag", (10, 3), inputs=ints(10, (4, 3)), grad_inputs=()),
    Spec("EmbeddingBag", (10, 3), {"mode": "sum"}, inputs=lambda rng: (_BAG, _OFFSETS), grad_inputs=()),
    Spec("EmbeddingBag", (10, 3), {"mode": "max"}, inputs=lambda rng: (_BAG, _OFFSETS), grad_inputs=()),
    Spec("EmbeddingBag", (10, 3), {"mode": "mean", "padding_idx": 4}, inputs=lambda rng: (_BAG, _OFFSETS),
         grad_inputs=()),
    # include_last_offset: the last offset is len(input); torch 2.13's CPU backward reads garbage for
    # indices after the last offset, so none are given here (test_sparse.py covers the forward).
    Spec("EmbeddingBag", (10, 3), {"mode": "sum", "include_last_offset": True},
         inputs=lambda rng: (_BAG, np.array([0, 2, 2, 5, 8])), grad_inputs=()),
    Spec("EmbeddingBag", (10, 3), {"mode": "max", "padding_idx": 0}, inputs=lambda rng: (_IDX,), grad_inputs=()),
    Spec("EmbeddingBag", (10, 3), {"mode": "sum"},
         inputs=lambda rng: (_BAG, _OFFSETS, rng.standard_normal(8).astype(np.float32)), grad_inputs=(2,),
         id="EmbeddingBag(10, 3, mode='sum')-per_sample_weights"),
    # torch 2.13's CPU embedding_bag divides some rows' gradients by another index's count when counts
    # differ (pytorch#190063); with equal counts (each index twice here) its gradients are the documented ones.
    Spec("EmbeddingBag", (10, 3), {"mode": "mean", "max_norm": 1.0, "scale_grad_by_freq": True},
         inputs=lambda rng: (np.array([[1, 5, 1, 5], [7, 7, 2, 2]]),), grad_inputs=()),
]
