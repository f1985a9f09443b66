"""The bars a batch line must clear to count as done (kept but rejected below one)."""

from __future__ import annotations

from dataclasses import dataclass

from .types import Line


@dataclass(frozen=True)
class Gates:
    """The bars a line must clear to count as done; below one it is kept but rejected."""

    min_citation_recall: float | None = None
    min_citation_precision: float | None = None
    min_supported: float | None = None  # share of body sentences fully supported
    min_sources: int | None = None
    require_passed: bool = False  # the verifier's verdict must be "passed"

    def check(self, line: Line) -> list[str]:
        """The gates ``line`` falls below, in words (empty: it clears them all)."""
        out: list[str] = []
        verdict = line.verdict
        ran = verdict is not None and verdict.status != "not run"
        if self.require_passed and (verdict is None or verdict.status != "passed"):
            out.append(f"verification {verdict.status if verdict else 'not run'}, not passed")
        measured = {
            "citation recall": (
                self.min_citation_recall,
                verdict.citation_recall if verdict else None,
            ),
            "citation precision": (
                self.min_citation_precision,
                verdict.citation_precision if verdict else None,
            ),
            "supported sentences": (
                self.min_supported,
                verdict.count("supported") / len(verdict.sentences)
                if verdict and verdict.sentences
                else None,
            ),
        }
        for name, (bar, value) in measured.items():
            if bar is None:
                continue
            if not ran or value is None:
                out.append(f"{name} unknown (verification not run), needs ≥ {bar:.2f}")
            elif value < bar:
                out.append(f"{name} {value:.2f} < {bar:.2f}")
        if self.min_sources is not None and len(line.sources) < self.min_sources:
            out.append(f"{len(line.sources)} sources < {self.min_sources}")
        return out
