"""Retrieval quality on a graded question set: recall@5, recall@10, nDCG@10 and MRR per mode."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InquirerError
from .metrics import ndcg_at, recall_at, reciprocal_rank

Search = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    relevant: dict[str, int]


@dataclass(frozen=True)
class ModeResult:
    mode: str
    questions: int
    recall_5: float
    recall_10: float
    ndcg_10: float
    mrr: float
    median_ms: float
    recall_10_by_kind: dict[str, float]


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                Question(row["id"], row["question"], row["kind"], dict(row["relevant"]))
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InquirerError(f"{path}:{number}: not a retrieval question: {exc}") from None
    return questions


def evaluate(mode: str, search: Search, questions: Sequence[Question]) -> ModeResult:
    """Score one search function on the answerable questions."""
    answerable = [q for q in questions if q.relevant]
    r5, r10, ndcg, mrr, times = [], [], [], [], []
    by_kind: dict[str, list[float]] = {}
    for q in answerable:
        start = time.perf_counter()
        ranked = search(q.question, 10)
        times.append((time.perf_counter() - start) * 1000)
        r5.append(recall_at(ranked, q.relevant, 5))
        r10.append(recall_at(ranked, q.relevant, 10))
        by_kind.setdefault(q.kind, []).append(r10[-1])
        ndcg.append(ndcg_at(ranked, q.relevant, 10))
        mrr.append(reciprocal_rank(ranked, q.relevant))
    return ModeResult(
        mode=mode,
        questions=len(answerable),
        recall_5=statistics.mean(r5),
        recall_10=statistics.mean(r10),
        ndcg_10=statistics.mean(ndcg),
        mrr=statistics.mean(mrr),
        median_ms=statistics.median(times),
        recall_10_by_kind={kind: statistics.mean(v) for kind, v in sorted(by_kind.items())},
    )


def table(results: Sequence[ModeResult]) -> str:
    """A Markdown table of the results, one row per mode."""
    kinds = sorted({kind for r in results for kind in r.recall_10_by_kind})
    lines = [
        "| mode | questions | recall@5 | recall@10 | nDCG@10 | MRR | median ms | "
        + " | ".join(f"recall@10 {kind}" for kind in kinds)
        + " |",
        "| --- " * (7 + len(kinds)) + "|",
    ]
    for r in results:
        per_kind = " | ".join(f"{r.recall_10_by_kind.get(kind, 0.0):.3f}" for kind in kinds)
        lines.append(
            f"| {r.mode} | {r.questions} | {r.recall_5:.3f} | {r.recall_10:.3f} | "
            f"{r.ndcg_10:.3f} | {r.mrr:.3f} | {r.median_ms:.1f} | {per_kind} |"
        )
    return "\n".join(lines)
