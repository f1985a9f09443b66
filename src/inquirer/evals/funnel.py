"""Where a line loses the gold notes: the stages between the question and the citations.

For an answerable question the gold notes (evals/retrieval.jsonl) pass four stages on their way
into a line: the searches and followed links turn them up (*found*), the agent reads some of
them (*read*), its judge keeps some of those (*kept*), and the composer cites some of those
(*cited*, the source recall). Counting the gold notes at each stage shows which stage loses
them, and the judge's keep rate on gold notes beside its keep rate on the other notes it read
shows how well it tells them apart. Everything is read from a line's JSON form: the trace names
what each search and follow turned up (agent.py writes "query -> id, id" and "id, id"); a line
whose trace names no notes (the baseline's "-> 5 notes") found what it read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STAGES = ("found", "read", "kept", "cited")
_NOTE_ID = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class Funnel:
    """Counts of one line's gold notes at each stage, and of the other notes it read."""

    gold: int
    found: int
    read: int
    kept: int
    cited: int
    other_read: int  # notes read that are not gold
    other_kept: int  # of those, kept by the judge


def cited_ids(line: Mapping[str, Any]) -> set[str]:
    """The notes a line's body cites."""
    return {c for p in line.get("body") or [] for s in p.get("sentences", []) for c in s["cites"]}


def found_ids(line: Mapping[str, Any]) -> set[str]:
    """The notes a line's searches and followed links turned up, and every note it read."""
    out = {str(r["id"]) for r in line.get("read") or []}
    for step in line.get("trace") or []:
        detail = str(step.get("detail", ""))
        if step.get("kind") == "search" and " -> " in detail:
            named = detail.rsplit(" -> ", 1)[1]
        elif step.get("kind") == "follow":
            named = detail
        else:
            continue
        ids = [part.strip() for part in named.split(",")]
        if all(_NOTE_ID.fullmatch(i) for i in ids):  # "5 notes" names none
            out.update(ids)
    return out


def funnel(line: Mapping[str, Any], relevant: Iterable[str]) -> Funnel | None:
    """The line's funnel for a question with gold notes ``relevant`` (None when it has none)."""
    gold = set(relevant)
    if not gold:
        return None
    read = {str(r["id"]): bool(r.get("relevant", True)) for r in line.get("read") or []}
    kept = {note for note, judged in read.items() if judged}
    cited = cited_ids(line)
    others = set(read) - gold
    return Funnel(
        gold=len(gold),
        found=len(found_ids(line) & gold),
        read=len(set(read) & gold),
        kept=len(kept & gold),
        cited=len(cited & gold),
        other_read=len(others),
        other_kept=len(others & kept),
    )


def pooled(funnels: Sequence[Funnel]) -> dict[str, float | None]:
    """The share of all gold notes that reached each stage (pooled over lines, so a question
    with many gold notes weighs more), and the judge's keep rates."""

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    gold = sum(f.gold for f in funnels)
    out: dict[str, float | None] = {"gold": float(gold)}
    for stage in STAGES:
        out[stage] = share(sum(getattr(f, stage) for f in funnels), gold)
    out["kept_of_gold_read"] = share(sum(f.kept for f in funnels), sum(f.read for f in funnels))
    out["kept_of_other_read"] = share(
        sum(f.other_kept for f in funnels), sum(f.other_read for f in funnels)
    )
    return out
