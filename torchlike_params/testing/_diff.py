"""How far apart two arrays are: the numbers every table and assertion of this package prints."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class Diff:
    """The element-wise comparison of ``actual`` against ``expected`` (the reference).

    ``max_abs`` is ``max |actual - expected|``; ``max_rel`` is ``max |actual - expected| / |expected|``
    (``inf`` where ``expected`` is 0 and ``actual`` is not); an element is *mismatched* when
    ``|actual - expected| > atol + rtol * |expected|``, as in ``torch.testing.assert_close``.
    NaNs at the same places count as equal; a NaN against a number is an infinite difference.

    >>> d = diff(np.array([1.0, 2.0]), np.array([1.0, 2.5]), atol=1e-5, rtol=1e-5)
    >>> d.max_abs, d.max_rel, d.mismatched, d.worst_index, d.close
    (0.5, 0.2, 1, (1,), False)
    """

    max_abs: float
    max_rel: float
    mismatched: int
    numel: int
    worst_index: tuple[int, ...] | None
    worst_actual: Any = None       # the elements at worst_index, as NumPy scalars of their dtypes
    worst_expected: Any = None

    @property
    def close(self) -> bool:
        """No element is mismatched."""
        return self.mismatched == 0


def _as_float(a: np.ndarray) -> np.ndarray:
    if np.iscomplexobj(a):
        return a.astype(np.complex128)
    return a.astype(np.float64)


def diff(actual: Any, expected: Any, *, atol: float, rtol: float) -> Diff:
    """Compare two arrays of the same shape (NumPy, or anything ``np.asarray`` takes).

    >>> diff(np.zeros((2, 2)), np.zeros((2, 2)), atol=0.0, rtol=0.0).close
    True
    """
    a = _as_float(np.asarray(actual))
    b = _as_float(np.asarray(expected))
    if a.shape != b.shape:
        raise ValueError(f"Expected `actual` and `expected` to have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return Diff(0.0, 0.0, 0, 0, None)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        d = np.where(same, 0.0, np.abs(a - b))
        d = np.where(np.isnan(d), np.inf, d)
        mag = np.abs(b)
        rel = np.where(d == 0, 0.0, d / np.where(mag == 0, 0.0, mag))
        rel = np.where(np.isnan(rel), np.inf, rel)
        bad = d > atol + rtol * np.where(np.isfinite(mag), mag, 0.0)
    flat = int(np.argmax(d))
    worst = tuple(int(i) for i in np.unravel_index(flat, a.shape))
    return Diff(float(d.max()), float(rel.max()), int(bad.sum()), int(a.size), worst,
                np.asarray(actual)[worst], np.asarray(expected)[worst])
