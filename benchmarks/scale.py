"""Retrieval at scale: index build time, peak memory and query latency on synthetic corpora.

    .venv/bin/python benchmarks/scale.py build --notes 10000 --dir /var/tmp/inquirer-10k
    .venv/bin/python benchmarks/scale.py query --dir /var/tmp/inquirer-10k [--queries 200]

``build`` writes a reproducible synthetic corpus (inquirer.synthetic, seed 7) and indexes it
with the real model and store, recording the wall time and the process's peak resident memory.
``query`` runs in a fresh process (so its peak memory is the searcher's alone) and times every
search end to end — query embedding, Chroma, BM25, fusion and the optional stages — for each
pipeline, after a warm-up. Figures go to benchmarks/results/scale-<notes>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from inquirer.config import load_settings
from inquirer.console import progress_bar
from inquirer.retrieval import SearchOptions
from inquirer.services import build_indexer, build_retriever
from inquirer.synthetic import NOUNS, QUALIFIERS, TOPICS, VERBS, write_corpus

REPO = Path(__file__).resolve().parents[1]
SEED = 7
PIPELINES = {
    "dense": SearchOptions(mode="dense"),
    "bm25": SearchOptions(mode="bm25"),
    "hybrid": SearchOptions(mode="hybrid"),
    "hybrid + links (default)": SearchOptions(mode="hybrid", links=True),
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def results_path(notes: int) -> Path:
    return REPO / "benchmarks" / "results" / f"scale-{notes}.json"


def update_results(notes: int, section: str, figures: dict[str, Any]) -> None:
    path = results_path(notes)
    data = json.loads(path.read_text()) if path.exists() else {"notes": notes}
    data[section] = figures
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def build(notes: int, folder: Path) -> None:
    corpus = folder / "corpus"
    if not (corpus / "notes" / f"synthetic-{notes - 1:06d}.md").exists():
        print(f"writing {notes} synthetic notes to {corpus}", file=sys.stderr)
        write_corpus(corpus, notes, seed=SEED)
    settings = load_settings(home=folder / "home").settings
    indexer = build_indexer(settings)
    start = time.perf_counter()
    with progress_bar("embedding notes") as on_progress:
        report = indexer.run([corpus], on_progress=on_progress)
    seconds = time.perf_counter() - start
    figures = {
        "indexed_notes": report.added + report.updated,
        "unchanged": report.unchanged,
        "build_s": round(seconds, 1),
        "notes_per_s": round((report.added + report.updated) / seconds, 2) if seconds else None,
        "peak_rss_mb": round(peak_rss_mb()),
        "index_disk_mb": round(disk_mb(settings.index_dir)),
        "chunks": indexer.store.count(),
    }
    print(json.dumps(figures, indent=2))
    update_results(notes, "build", figures)


def queries(count: int) -> list[str]:
    """Questions in the corpus's own vocabulary, so every one has matching notes."""
    rng = random.Random(SEED + 1)
    return [
        f"does the {rng.choice(NOUNS)} {rng.choice(VERBS)} {rng.choice(TOPICS)} "
        f"{rng.choice(QUALIFIERS)}?"
        for _ in range(count)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def query(folder: Path, count: int, k: int) -> None:
    settings = load_settings(home=folder / "home").settings
    retriever = build_retriever(settings)
    notes = len(list((folder / "corpus" / "notes").glob("*.md")))
    asked = queries(count)
    figures: dict[str, Any] = {"queries": count, "k": k}
    for name, options in PIPELINES.items():
        for q in asked[:10]:  # warm-up: model, caches, SQLite pages
            retriever.search(q, k, options)
        times = []
        for q in asked:
            start = time.perf_counter()
            retriever.search(q, k, options)
            times.append((time.perf_counter() - start) * 1000)
        figures[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
        }
        print(name, figures[name], file=sys.stderr)
    figures["peak_rss_mb"] = round(peak_rss_mb())
    print(json.dumps(figures, indent=2))
    update_results(notes, "query", figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the corpus and index it")
    b.add_argument("--notes", type=int, required=True)
    b.add_argument("--dir", type=Path, required=True)
    q = sub.add_parser("query", help="time searches against a built index")
    q.add_argument("--dir", type=Path, required=True)
    q.add_argument("--queries", type=int, default=200)
    q.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    if args.command == "build":
        build(args.notes, args.dir)
    else:
        query(args.dir, args.queries, args.k)


if __name__ == "__main__":
    main()
