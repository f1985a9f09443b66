"""Next inquiring lines, checked: each must be novel (not a paraphrase of the question or of an
earlier next line) and answerable (the corpus holds enough notes close to it). The composer
keeps only the candidates that pass; the verifier reports on every next line of a line."""

from __future__ import annotations

from collections.abc import Sequence

from .retrieval import Retriever
from .types import NextCheck

NOVELTY = 0.88  # cosine above which two questions count as paraphrases
ANSWERABLE = 0.45  # cosine of the second-nearest note needed to call a question answerable


def assess(retriever: Retriever, question: str, candidates: Sequence[str]) -> list[NextCheck]:
    """One check per candidate, in order. A candidate is compared for novelty with the
    question and with the earlier candidates that passed both checks."""
    if not candidates:
        return []
    vectors = retriever.embedder.embed([question, *candidates])
    kept: list[int] = []
    out: list[NextCheck] = []
    for i in range(1, len(vectors)):
        novel = float(vectors[i] @ vectors[0]) < NOVELTY and all(
            float(vectors[i] @ vectors[j]) < NOVELTY for j in kept
        )
        nearest = retriever.store.query(vectors[i].tolist(), 2)
        answerable = len(nearest) >= 2 and nearest[1][1] >= ANSWERABLE
        if novel and answerable:
            kept.append(i)
        out.append(NextCheck(candidates[i - 1], answerable, novel))
    return out


def closeness(retriever: Retriever, question: str, texts: Sequence[str]) -> list[float]:
    """The cosine of each of ``texts`` to ``question`` (which notes a next line opens from,
    and the reading pass's off-question check)."""
    if not texts:
        return []
    vectors = retriever.embedder.embed([question, *texts])
    return [float(v @ vectors[0]) for v in vectors[1:]]
