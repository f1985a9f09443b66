"""Compare an eval run's summary with a previous one and flag what got worse.

A quality metric (a share or a mean in 0..1) regresses when it drops by more than ``tolerance``;
a cost (seconds, tokens) when it grows by more than ``cost_tolerance`` of the previous figure.
Metrics missing from either run are listed as not comparable, never as regressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .readability import LOWER_IS_BETTER

# a cost regresses when it grows by more than its share *and* by more than its floor, so that the
# noise of a shared machine on a fast figure is not called a regression
COSTS = {"median_seconds": 1.0, "mean_tokens": 50.0, "median_ms": 5.0}
SKIPPED = ("lines", "paragraph_words")  # names may be dotted ("agent.lines"): the last part counts


@dataclass(frozen=True)
class Change:
    metric: str
    before: float | None
    after: float | None
    regressed: bool
    improved: bool

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare(
    before: Mapping[str, float | None],
    after: Mapping[str, float | None],
    *,
    tolerance: float = 0.02,
    cost_tolerance: float = 0.10,
) -> list[Change]:
    """One Change per metric of ``after`` (in its order)."""
    out: list[Change] = []
    for metric, now in after.items():
        kind = metric.rsplit(".", 1)[-1]
        if kind in SKIPPED:
            continue
        then = before.get(metric)
        if then is None or now is None:
            out.append(Change(metric, then, now, regressed=False, improved=False))
            continue
        if kind in COSTS:
            allowed = max(abs(then) * cost_tolerance, COSTS[kind])
            regressed, improved = now > then + allowed, now < then - allowed
        elif kind in LOWER_IS_BETTER:  # reading failures (readability.py)
            regressed, improved = now > then + tolerance, now < then - tolerance
        else:
            regressed, improved = now < then - tolerance, now > then + tolerance
        out.append(Change(metric, then, now, regressed=regressed, improved=improved))
    return out


def regressions(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.regressed]
