"""Helpers shared by the benchmark scripts: medians and the closing ratio line."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name_a: str, value_a: float, name_b: str, value_b: float, unit: str, what: str) -> None:
    """Print both figures and their ratio (a / b) last, as every benchmark does."""
    print(f"{name_a}: {value_a:.3f} {unit}")
    print(f"{name_b}: {value_b:.3f} {unit}")
    print(f"ratio ({what}): {value_a / value_b:.3f}")
