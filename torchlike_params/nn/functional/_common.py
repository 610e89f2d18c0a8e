"""Shared helpers of ``nn.functional``: unwrapping boxes and torch's argument parsing."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor


def _v(x: Any) -> Any:
    """The ``jax.Array`` behind a box, or ``x`` itself."""
    return x.value if isinstance(x, Tensor) else x


def _tuple(x: Any, n: int) -> tuple[int, ...]:
    """torch's ``_ntuple``: an int repeated ``n`` times, or the given sequence as a tuple."""
    return tuple(x) if isinstance(x, (tuple, list)) else (x,) * n
