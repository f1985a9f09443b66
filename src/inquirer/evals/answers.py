"""Answer metrics for one inquiring line against a graded question (evals/retrieval.jsonl).

They read the line's JSON form (render.to_json), so that lines made now, lines saved by batch
and the naive-RAG baseline's lines are all scored the same way:
- source recall and precision: the cited notes against the question's gold relevant notes;
- ALCE citation recall (the share of body sentences fully supported by their citations) and
  precision, and the share supported at least in part (not flagged), from the verifier;
- format compliance: every part of FORMAT.md present and in form;
- next lines: the share the verifier found answerable, and novel;
- abstention: a question with no gold notes should be declared unanswered (abstention
  accuracy), any other answered (answer rate);
- time and tokens;
- the funnel of the gold notes (funnel.py): found, read, kept by the judge, cited;
- how the line reads (readability.py): the reading pass's findings, as rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..framing import FRAMING_LEAD
from ..insight import INSIGHT_LEAD
from . import readability
from .funnel import Funnel, cited_ids, funnel


@dataclass(frozen=True)
class AnswerScore:
    question_id: str
    kind: str
    answerable: bool  # the gold set has relevant notes
    answered: bool  # the line says the corpus answers it
    source_recall: float | None  # None for unanswerable questions
    source_precision: float | None  # None when nothing is cited
    citation_recall: float | None  # None when verification did not run
    citation_precision: float | None
    supported: float | None  # share of body sentences supported fully or in part
    format_problems: tuple[str, ...]
    next_answerable: float | None  # None when there are no next lines or no checks
    next_novel: float | None
    seconds: float
    tokens: int
    funnel: Funnel | None = None  # None for unanswerable questions
    reading: dict[str, Any] | None = None  # readability.read_json's row; None: not read

    @property
    def format_ok(self) -> bool:
        return not self.format_problems

    @property
    def abstained_right(self) -> bool:
        return self.answered == self.answerable


def format_problems(line: Mapping[str, Any]) -> list[str]:
    """What keeps the line from FORMAT.md's shape, in words (empty: it has every part)."""
    out: list[str] = []
    if not str(line.get("question", "")).strip():
        out.append("no question")
    if not str(line.get("framing", "")).startswith(FRAMING_LEAD):
        out.append(f"framing does not open with '{FRAMING_LEAD}'")
    body = line.get("body") or []
    if not 3 <= len(body) <= 5:
        out.append(f"{len(body)} body paragraphs, not 3-5")
    uncited = sum(1 for p in body for s in p.get("sentences", []) if not s.get("cites"))
    if uncited:
        out.append(f"{uncited} body sentences without a citation")
    insight = str(line.get("insight", ""))
    if not insight.startswith(INSIGHT_LEAD) or len(insight) <= len(INSIGHT_LEAD) + 3:
        out.append(f"insight does not begin '{INSIGHT_LEAD}' and go on")
    cited = list(dict.fromkeys(c for p in body for s in p.get("sentences", []) for c in s["cites"]))
    sources = [s["id"] for s in line.get("sources") or []]
    if not sources:
        out.append("no sources")
    elif sources != cited:
        out.append("sources are not the cited notes in order of first citation")
    next_lines = line.get("next_lines") or []
    if not 3 <= len(next_lines) <= 5:
        out.append(f"{len(next_lines)} next lines, not 3-5")
    return out


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def score(
    question_id: str,
    kind: str,
    relevant: Mapping[str, int],
    line: Mapping[str, Any],
    reading: dict[str, Any] | None = None,
) -> AnswerScore:
    """The metrics of one line for a question whose gold relevant notes are ``relevant``;
    ``reading`` is its reading row (readability.read_json), where it was read."""
    cited = cited_ids(line)
    gold = set(relevant)
    verification = line.get("verification") or {}
    ran = verification.get("status") not in (None, "not run")
    sentences = verification.get("sentences") or []
    checks = verification.get("next_lines") or []
    usage = line.get("usage") or {}
    return AnswerScore(
        question_id=question_id,
        kind=kind,
        answerable=bool(gold),
        answered=bool(line.get("answered", True)),
        source_recall=len(cited & gold) / len(gold) if gold else None,
        source_precision=len(cited & gold) / len(cited) if cited and gold else None,
        citation_recall=verification.get("citation_recall") if ran else None,
        citation_precision=verification.get("citation_precision") if ran else None,
        supported=_share([s["label"] in ("supported", "partial") for s in sentences])
        if ran
        else None,
        format_problems=tuple(format_problems(line)),
        next_answerable=_share([c["answerable"] for c in checks]) if ran else None,
        next_novel=_share([c["novel"] for c in checks]) if ran else None,
        seconds=float((line.get("timings") or {}).get("total_s", 0.0)),
        tokens=int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0)),
        funnel=funnel(line, gold),
        reading=reading,
    )


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the values that are known (None where none is)."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def summarize(scores: Sequence[AnswerScore]) -> dict[str, float | None]:
    """One figure per metric over a set of lines (means over the lines it applies to)."""
    answerable = [s for s in scores if s.answerable]
    return {
        "lines": float(len(scores)),
        "source_recall": mean([s.source_recall for s in answerable]),
        "source_precision": mean([s.source_precision for s in answerable]),
        "citation_recall": mean([s.citation_recall for s in scores]),
        "citation_precision": mean([s.citation_precision for s in scores]),
        "supported": mean([s.supported for s in scores]),
        "format_ok": _share([s.format_ok for s in scores]),
        "next_answerable": mean([s.next_answerable for s in scores]),
        "next_novel": mean([s.next_novel for s in scores]),
        # declined where the corpus holds no answer; and answered where it does
        "abstention_accuracy": _share([not s.answered for s in scores if not s.answerable]),
        "answer_rate": _share([s.answered for s in answerable]),
        "median_seconds": _median([s.seconds for s in scores]),
        "mean_tokens": mean([float(s.tokens) for s in scores]),
        **readability.summarize([s.reading for s in scores if s.reading is not None]),
    }


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
