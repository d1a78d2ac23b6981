"""Timing and statistics: one clock, one percentile method, and the rotation that alternates systems
so machine drift (a noisy 2-core VM shared with other work) hits each of them alike."""

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def timed_ms(run: Callable[[], object]) -> float:
    """Wall time of one call in milliseconds (perf_counter: monotonic, sub-microsecond)."""
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def percentile(samples: Sequence[float], q: int) -> float:
    """The q-th percentile, interpolated between samples (so p99 of 60 samples is not just the max)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def rotated(items: Sequence[T], turn: int) -> list[T]:
    """`items` started at position `turn`: over rounds every item runs first, second, ... equally often."""
    if not items:
        return []
    k = turn % len(items)
    return [*items[k:], *items[:k]]


@dataclass
class Stats:
    """Samples (ms, or jobs/s for throughput) of one system on one measurement, with their summary."""

    samples: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    def summary(self) -> dict[str, float | int]:
        return (
            {"n": self.n, "p50": self.p50, "p95": self.p95, "p99": self.p99, "min": min(self.samples)}
            if self.samples
            else {"n": 0}
        )
