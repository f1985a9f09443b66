"""Compare an eval run's summary with a previous one and flag what got worse.

A quality metric (a share or a mean in 0..1) regresses when it drops by more than ``tolerance``;
a cost (seconds, tokens) when it grows by more than ``cost_tolerance`` of the previous figure.
Metrics missing from either run are listed as not comparable, never as regressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

COSTS = ("median_seconds", "mean_tokens")
SKIPPED = ("lines",)


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
        if metric in SKIPPED:
            continue
        then = before.get(metric)
        if then is None or now is None:
            out.append(Change(metric, then, now, regressed=False, improved=False))
            continue
        if metric in COSTS:
            allowed = abs(then) * cost_tolerance
            regressed, improved = now > then + allowed, now < then - allowed
        else:
            regressed, improved = now < then - tolerance, now > then + tolerance
        out.append(Change(metric, then, now, regressed=regressed, improved=improved))
    return out


def regressions(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.regressed]
