"""How well three signals tell the notes a question needs from the rest, on the notes an eval
run's agent read: the answering model's relevance verdict, the cosine between the question asked
and the question each note answers (its title), and the cosine to its title and summary (what the
agent uses).

    .venv/bin/python benchmarks/relevance.py evals/reports/2026-12-01-suite-local-qwen2.5-coder-1.5b

For every read note of every agent line in the run, "gold" is whether the eval question lists it
as relevant. It prints each signal's AUC; the title-cosine threshold chosen on the odd-numbered
questions (the highest that keeps as many gold notes there as the verdicts did), with what it
keeps on the even-numbered ones beside what the verdicts kept; the title-and-summary threshold
chosen there the same way against the title cosine at 0.30, with what both keep on the even
ones; and, per threshold, how many questions would be left with fewer than two relevant notes
(declined), by kind.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from inquirer.corpus import load
from inquirer.embeddings import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[1]
TITLE = 0.30  # the title-cosine threshold the agent used before the summary joined it


@dataclass(frozen=True)
class Read:
    question_id: str
    question: str
    title: str
    summary: str
    verdict: bool  # the model found it relevant
    gold: bool


def reads(
    run: Path, questions: dict[str, dict[str, object]], summaries: dict[str, str]
) -> list[Read]:
    out = []
    for path in sorted((run / "agent" / "lines").glob("*.json")):
        line = json.loads(path.read_text())
        qid = path.stem
        gold = questions[qid]["relevant"]
        assert isinstance(gold, dict)
        for note in line["read"]:
            out.append(
                Read(
                    qid,
                    line["question"],
                    note["title"],
                    summaries.get(note["id"], ""),
                    note["relevant"],
                    note["id"] in gold,
                )
            )
    return out


def auc(scores: npt.NDArray[np.float64], positive: npt.NDArray[np.bool_]) -> float:
    """The chance that a random positive scores above a random negative (ties count half)."""
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an eval run folder with agent/lines/*.json")
    parser.add_argument("--questions", type=Path, default=REPO / "evals" / "retrieval.jsonl")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = parser.parse_args()
    questions = {q["id"]: q for q in map(json.loads, args.questions.read_text().splitlines()) if q}
    corpus = load([args.corpus])
    rows = reads(args.run, questions, {i: n.summary for i, n in corpus.notes.items()})
    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    asked = sorted({r.question for r in rows})
    vectors = dict(zip(asked, embedder.embed(asked), strict=True))
    titles = embedder.embed([r.title for r in rows])
    cosine = np.array([float(titles[i] @ vectors[r.question]) for i, r in enumerate(rows)])
    claims = embedder.embed([f"{r.title} {r.summary}" for r in rows])
    both = np.array([float(claims[i] @ vectors[r.question]) for i, r in enumerate(rows)])
    gold = np.array([r.gold for r in rows])
    verdict = np.array([r.verdict for r in rows])
    odd = np.array([int(r.question_id[1:]) % 2 == 1 for r in rows])
    asked_count = len({r.question_id for r in rows})
    print(f"{len(rows)} notes read for {asked_count} questions, {gold.sum()} gold")
    print(
        f"AUC: title cosine {auc(cosine, gold):.3f}, title and summary cosine "
        f"{auc(both, gold):.3f}, model verdict {auc(verdict * 1.0, gold):.3f}"
    )
    target = verdict[odd & gold].mean()
    chosen = max(
        t for t in np.arange(0.20, 0.70, 0.01) if (cosine[odd & gold] >= t).mean() >= target
    )
    keep = cosine >= chosen
    print(
        f"threshold chosen on odd questions: {chosen:.2f} (keeps {keep[odd & gold].mean():.2f} "
        f"of gold there; the verdicts kept {target:.2f})"
    )
    print(
        f"even questions: title cosine keeps gold {keep[~odd & gold].mean():.2f}, other "
        f"{keep[~odd & ~gold].mean():.2f}; the verdicts kept gold "
        f"{verdict[~odd & gold].mean():.2f}, other {verdict[~odd & ~gold].mean():.2f}"
    )
    title_kept = (cosine[odd & gold] >= TITLE).mean()
    claim_at = max(
        t for t in np.arange(0.20, 0.70, 0.01) if (both[odd & gold] >= t).mean() >= title_kept
    )
    print(
        f"title and summary threshold chosen on odd questions: {claim_at:.2f} (keeps as much "
        f"gold there as the title cosine at {TITLE:.2f}: {title_kept:.2f}); even questions: it "
        f"keeps gold {(both >= claim_at)[~odd & gold].mean():.2f}, other "
        f"{(both >= claim_at)[~odd & ~gold].mean():.2f}; the title cosine at {TITLE:.2f} "
        f"{(cosine >= TITLE)[~odd & gold].mean():.2f} and "
        f"{(cosine >= TITLE)[~odd & ~gold].mean():.2f}"
    )
    kinds = {r.question_id: str(questions[r.question_id]["kind"]) for r in rows}
    for label, kept in (
        [("model verdicts", verdict)]
        + [(f"title cosine >= {t:.2f}", cosine >= t) for t in sorted({0.25, chosen, 0.35, 0.40})]
        + [(f"title and summary cosine >= {t:.2f}", both >= t) for t in sorted({claim_at, 0.37})]
    ):
        relevant: dict[str, int] = defaultdict(int)
        for r, k in zip(rows, kept, strict=True):
            relevant[r.question_id] += int(k)
        unanswerable = [q for q, kind in kinds.items() if kind == "unanswerable"]
        answerable = [q for q, kind in kinds.items() if kind != "unanswerable"]
        print(
            f"{label}: fewer than 2 relevant for {sum(relevant[q] < 2 for q in unanswerable)}"
            f"/{len(unanswerable)} unanswerable, {sum(relevant[q] < 2 for q in answerable)}"
            f"/{len(answerable)} answerable"
        )


if __name__ == "__main__":
    main()
