"""Retrieval quality of each mode on evals/retrieval.jsonl, side by side.

    .venv/bin/python benchmarks/retrieval_eval.py [--home DIR]

Indexes the bundled corpus (incrementally, into --home or a temporary folder), then prints
recall@5, recall@10, nDCG@10 and MRR for dense, BM25 and hybrid retrieval.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from inquirer.config import load_settings
from inquirer.evals.retrieval import evaluate, load_questions, table
from inquirer.indexer import Indexer
from inquirer.lexical import LexicalIndex
from inquirer.retrieval import Retriever
from inquirer.services import build_embedder, lexical_path
from inquirer.store import Store

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="state folder to index into (default: temp)")
    parser.add_argument("--questions", type=Path, default=REPO / "evals" / "retrieval.jsonl")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="inquirer-reval-"))
    settings = load_settings(home=home).settings
    embedder = build_embedder(settings)
    store = Store.open(settings)
    lexical = LexicalIndex(lexical_path(settings))
    Indexer(
        store,
        embedder,
        chunk_words=settings.chunk_words,
        max_bytes=settings.max_note_bytes,
        lexical=lexical,
    ).run([REPO / "corpus"])
    retriever = Retriever(store, embedder, chunk_words=settings.chunk_words, lexical=lexical)
    questions = load_questions(args.questions)
    results = []
    for mode in ("dense", "bm25", "hybrid"):
        results.append(
            evaluate(
                mode,
                lambda q, k, m=mode: [h.note_id for h in retriever.search(q, k, mode=m)],
                questions,
            )
        )
    print(table(results))


if __name__ == "__main__":
    main()
