"""The ranking stages of a search, as pure functions over Hits: each records itself on every
hit it ranks (a Stage), which is what ``search --explain`` shows.

- ``rrf``: reciprocal-rank fusion of rankings (Cormack et al., 2009, k = 60);
- ``expand_links``: notes linked from the top hits join or rise at a decayed score;
- ``mmr``: maximal marginal relevance (Carbonell & Goldstein, 1998) for diversity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from .types import Card, Filters, Hit, Stage

RRF_K = 60


def staged(hit: Hit, stage: Stage, *, score: float | None = None) -> Hit:
    return replace(hit, score=stage.score if score is None else score, stages=(*hit.stages, stage))


def ranked(hits: Sequence[Hit], name: str) -> list[Hit]:
    """Record each hit's rank and score under stage ``name``."""
    return [staged(h, Stage(name, rank, h.score)) for rank, h in enumerate(hits, start=1)]


def rrf(rankings: Sequence[Sequence[Hit]], k: int, *, constant: int = RRF_K) -> list[Hit]:
    """Fuse rankings: each note scores the sum of 1 / (constant + rank) over the rankings.

    A note keeps the stages it had in every ranking it appeared in.
    """
    scores: dict[str, float] = {}
    merged: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.note_id] = scores.get(hit.note_id, 0.0) + 1.0 / (constant + rank)
            if hit.note_id in merged:
                first = merged[hit.note_id]
                keep = first if first.title or not hit.title else hit
                merged[hit.note_id] = replace(keep, stages=(*first.stages, *hit.stages))
            else:
                merged[hit.note_id] = hit
    ordered = sorted(scores, key=lambda note_id: -scores[note_id])[:k]
    return [
        staged(merged[note_id], Stage("fused", rank, scores[note_id]))
        for rank, note_id in enumerate(ordered, start=1)
    ]


def expand_links(
    hits: Sequence[Hit],
    cards: dict[str, Card],
    *,
    parents: int,
    decay: float,
    filters: Filters | None,
) -> list[Hit]:
    """Each of the first ``parents`` hits lends ``decay`` x its score to every note it links
    to, whether already a candidate or not; a linked note never rises above its linker, so
    the strongest direct hits keep their places."""
    score = {h.note_id: h.score for h in hits}
    base = {h.note_id: h for h in hits}
    lent: dict[str, list[str]] = {}
    for parent in hits[:parents]:
        card = cards.get(parent.note_id)
        for target in card.links if card else ():
            target_card = cards.get(target)
            if target not in base and (target_card is None or not _passes(target_card, filters)):
                continue  # a link to a missing note, or to one the filters exclude
            current = score.get(target, 0.0)
            raised = min(current + decay * parent.score, parent.score * (1 - 1e-9))
            if raised > current:
                score[target] = raised
                lent.setdefault(target, []).append(parent.note_id)
                if target not in base and target_card is not None:
                    base[target] = target_card.hit
    ordered = sorted(score, key=lambda note_id: -score[note_id])
    return [
        staged(
            base[note_id],
            Stage("links", rank, score[note_id], "from " + ", ".join(lent[note_id])),
        )
        if note_id in lent
        else base[note_id]
        for rank, note_id in enumerate(ordered, start=1)
    ]


def _passes(card: Card, filters: Filters | None) -> bool:
    if not filters:
        return True
    if any(tag not in card.hit.tags for tag in filters.tags):
        return False
    if filters.folder is not None and not card.hit.path.startswith(
        filters.folder.rstrip("/") + "/"
    ):
        return False
    if filters.year_from is not None and (card.year is None or card.year < filters.year_from):
        return False
    return not (filters.year_to is not None and (card.year is None or card.year > filters.year_to))


def mmr(
    hits: Sequence[Hit], vectors: Mapping[str, Sequence[float]], *, k: int, lam: float
) -> list[Hit]:
    """Maximal marginal relevance: pick, one at a time, the hit with the best
    ``lam`` * relevance - (1 - ``lam``) * (highest cosine to a hit already picked).

    Relevance is the hit's score scaled to [0, 1] over the pool; vectors are the notes' claim
    (chunk 0) vectors, which are unit length. Hits without a vector keep relevance only.
    """
    import numpy as np

    pool = list(hits)
    if not pool:
        return []
    top, low = max(h.score for h in pool), min(h.score for h in pool)
    span = (top - low) or 1.0
    relevance = {h.note_id: (h.score - low) / span for h in pool}
    arrays = {
        h.note_id: np.asarray(vectors[h.note_id], dtype=np.float32)
        for h in pool
        if vectors.get(h.note_id)
    }
    chosen: list[Hit] = []
    while pool and len(chosen) < k:
        best_value, best_i, best_sim, best_near = -np.inf, 0, 0.0, ""
        for i, hit in enumerate(pool):
            sim, near = 0.0, ""
            vector = arrays.get(hit.note_id)
            if vector is not None:
                for other in chosen:
                    other_vector = arrays.get(other.note_id)
                    if other_vector is not None:
                        s = float(vector @ other_vector)
                        if s > sim:
                            sim, near = s, other.note_id
            value = lam * relevance[hit.note_id] - (1.0 - lam) * sim
            if value > best_value:
                best_value, best_i, best_sim, best_near = value, i, sim, near
        hit = pool.pop(best_i)
        detail = f"closest pick {best_near} (cos {best_sim:.2f})" if best_near else ""
        chosen.append(
            staged(
                hit, Stage("diversity", len(chosen) + 1, float(best_value), detail), score=hit.score
            )
        )
    return chosen
