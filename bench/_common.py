"""Tiny timing helpers shared by the benchmarks in ``bench/``."""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def time_steady(fn: Callable[[], Any], *, reps: int, warmup: int = 1, budget_s: float = 30.0,
                min_reps: int = 2, prepare: Callable[[], Any] | None = None,
                on_warm: Callable[[], Any] | None = None) -> dict:
    """Median wall time of ``fn()`` (which must block until its result is ready).

    Runs ``warmup`` untimed calls (compiles, caches), then up to ``reps`` timed calls. If the
    timed calls would overrun ``budget_s``, stops early but never below ``min_reps``; the
    returned dict says how many reps ran and whether the count was reduced. ``prepare()``
    (e.g. an ahead-of-time compile) runs before the warm-up and is timed with it;
    ``on_warm()`` is called right before the timed calls.
    """
    t0 = time.perf_counter()
    if prepare is not None:
        prepare()
    for _ in range(warmup):
        fn()
    warm_s = time.perf_counter() - t0
    if on_warm is not None:
        on_warm()
    times: list[float] = []
    start = time.perf_counter()
    for i in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
        if len(times) >= min_reps and elapsed + statistics.median(times) > budget_s:
            break
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "reps": len(times),
        "reps_requested": reps,
        "reduced": len(times) < reps,
        "warmup_s": warm_s,
    }


def fmt_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain fixed-width text table (right-aligned except the first column)."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    def line(r):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])
