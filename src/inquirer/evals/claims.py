"""Verifier quality on labelled claims, binary supported / not supported, scored as balanced
accuracy with precision and recall for "not supported". Three sets:

- ``claims``: evals/claims.jsonl, (claim, note) pairs written for this corpus;
- ``lines``: evals/line_claims.jsonl, sentences the composer wrote that relate findings
  (connective, comparative, insight), labelled by hand against the notes they cite;
- the external sets (external.py), (evidence, claim) pairs written by others.

Each is split once into a dev half (for choosing thresholds and rules) and a test half (for
reporting): the project's within each kind, in id order, alternately; the external by seed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InquirerError
from .external import load

LABELS = ("supported", "contradicted", "not_enough_info", "not_supported")


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    note_id: str  # the note it is checked against (an external pair: its own id)
    label: str  # supported, contradicted, not_enough_info, not_supported
    kind: str
    split: str  # dev or test
    set: str = "claims"
    cites: tuple[str, ...] = ()  # several notes together (a line's sentence), else note_id
    evidence: str = ""  # an external pair's evidence, which is no note of the corpus

    @property
    def supported(self) -> bool:
        return self.label == "supported"

    @property
    def notes(self) -> tuple[str, ...]:
        """The corpus notes the claim is checked against (none for an external pair)."""
        if self.evidence:
            return ()
        return self.cites or (self.note_id,)


@dataclass(frozen=True)
class Scores:
    """Binary scores with "not supported" as the positive class (what the verifier must catch)."""

    n: int
    tp: int  # not supported, flagged
    fn: int  # not supported, passed
    fp: int  # supported, flagged
    tn: int  # supported, passed

    @property
    def balanced_accuracy(self) -> float:
        return (self.recall + self.specificity) / 2

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "balanced_accuracy": round(self.balanced_accuracy, 3),
            "precision_unsupported": round(self.precision, 3),
            "recall_unsupported": round(self.recall, 3),
            "confusion": {"tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn},
        }


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON rows of a JSONL file with their line numbers, blank lines skipped."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.strip():
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                raise InquirerError(f"{path}:{number}: not JSON: {exc}") from None


def load_claims(path: Path) -> list[Claim]:
    rows = []
    for number, data in _rows(path):
        try:
            label = str(data["label"])
            if label not in LABELS:
                raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
            rows.append(
                (
                    str(data["id"]),
                    str(data["claim"]),
                    str(data["note_id"]),
                    label,
                    str(data.get("kind", "")),
                )
            )
        except (KeyError, ValueError) as exc:
            raise InquirerError(f"{path}:{number}: not a claim row: {exc}") from None
    by_kind: dict[str, int] = defaultdict(int)
    claims = []
    for row in sorted(rows, key=lambda r: r[0]):
        split = "dev" if by_kind[row[4]] % 2 == 0 else "test"
        by_kind[row[4]] += 1
        claims.append(Claim(*row, split=split))
    return claims


def load_line_claims(path: Path) -> list[Claim]:
    """evals/line_claims.jsonl: id, claim, note_ids, label (supported / not_supported), kind;
    split alternately within each kind, in file order."""
    claims = []
    by_kind: dict[str, int] = defaultdict(int)
    for number, data in _rows(path):
        try:
            label = str(data["label"])
            cites = tuple(str(n) for n in data["note_ids"])
            if label not in LABELS or not cites:
                raise ValueError(f"label {label!r} or note_ids {cites!r} is not usable")
            kind = str(data.get("kind", ""))
            split = "dev" if by_kind[kind] % 2 == 0 else "test"
            by_kind[kind] += 1
            claims.append(
                Claim(
                    str(data["id"]),
                    str(data["claim"]),
                    cites[0],
                    label,
                    kind,
                    split,
                    set="lines",
                    cites=cites,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InquirerError(f"{path}:{number}: not a line-claim row: {exc}") from None
    return claims


def external_claims(name: str, cache: Path, say: Callable[[str], None]) -> list[Claim]:
    """The dev and test pairs of external set ``name`` as claims (its train part is left)."""
    return [
        Claim(
            p.id,
            p.claim,
            p.id,
            "supported" if p.supported else "not_supported",
            p.kind or name,
            p.split,
            set=name,
            evidence=p.evidence,
        )
        for p in load(name, cache, say=say)
        if p.split != "train"
    ]


def score(claims: Sequence[Claim], flagged: Sequence[bool]) -> Scores:
    """``flagged[i]`` is True when the verifier called claim i not supported."""
    tp = fn = fp = tn = 0
    for claim, flag in zip(claims, flagged, strict=True):
        if not claim.supported:
            tp, fn = (tp + 1, fn) if flag else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if flag else (fp, tn + 1)
    return Scores(len(claims), tp, fn, fp, tn)


def best_threshold(claims: Sequence[Claim], support: Sequence[float]) -> float:
    """The threshold on support probability (flag when below it) with the best balanced
    accuracy on ``claims``; ties go to the middle of the best run of thresholds."""
    candidates = [*sorted(set(support)), 1.01]
    results = [(score(claims, [s < t for s in support]).balanced_accuracy, t) for t in candidates]
    best = max(r[0] for r in results)
    winners = [t for accuracy, t in results if accuracy == best]
    return winners[len(winners) // 2]


def auc(claims: Sequence[Claim], support: Sequence[float]) -> float:
    """Area under the ROC curve of ``support`` as a ranking of supported over not supported
    claims: the chance that a supported claim scores above an unsupported one (ties: half)."""
    good = [s for c, s in zip(claims, support, strict=True) if c.supported]
    bad = [s for c, s in zip(claims, support, strict=True) if not c.supported]
    if not good or not bad:
        return 0.5
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
    return wins / (len(good) * len(bad))
