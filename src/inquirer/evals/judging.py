"""The claims phase of an eval run: the verifier's label for each labelled claim, judged as a
line's sentence is, appended to the run's claims.jsonl as it comes so that a run resumes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..retrieval import Retriever
from ..types import Note, Sentence
from ..verifier import Verifier
from .claims import Claim


def read_claims(path: Path) -> dict[str, dict[str, Any]]:
    """The claims judged so far, by id (a line a kill cut short is skipped: judged again)."""
    known: dict[str, dict[str, Any]] = {}
    if path.is_file():
        for text in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(text)
                known[row["id"]] = row
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return known


def evidence_notes(claim: Claim, retriever: Retriever) -> dict[str, Note]:
    """What ``claim`` is checked against, as notes: the corpus notes it names, or its external
    evidence as a note of its own (the evidence is the note's claim, so a judge reads it whole)."""
    if claim.evidence:
        return {claim.id: Note(claim.id, "", claim.evidence, "", "", "")}
    found = {n: retriever.read(n) for n in claim.notes}
    return {n: note for n, note in found.items() if note is not None}


def judge_claims(
    verifier: Verifier,
    retriever: Retriever,
    claims: Sequence[Claim],
    path: Path,
    on_progress: Callable[[int, int], None],
) -> dict[str, dict[str, Any]]:
    """The verifier's label for each claim against its note, as a line's sentence is judged.
    Each answer is appended to ``path`` as it comes (one write, then fsync); a rerun judges
    only the claims not there."""
    known = read_claims(path)
    todo = [c for c in claims if c.id not in known]
    done = len(claims) - len(todo)
    on_progress(done, len(claims))
    with path.open("a", encoding="utf-8") as out:
        if out.tell() and not path.read_bytes().endswith(b"\n"):
            out.write("\n")  # close a line a kill cut short, so the next one stands alone
        for claim in todo:
            notes = evidence_notes(claim, retriever)
            start = time.perf_counter()
            check = verifier.check(Sentence(claim.claim, claim.notes or (claim.id,)), notes)
            row = {
                "id": claim.id,
                "label": check.label,
                "support": check.support,
                "seconds": round(time.perf_counter() - start, 3),
            }
            out.write(json.dumps(row) + "\n")
            out.flush()
            os.fsync(out.fileno())
            known[claim.id] = row
            done += 1
            on_progress(done, len(claims))
    return known
