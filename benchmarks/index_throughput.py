"""Indexer throughput against raw embedding throughput, and the no-change re-index time.

    .venv/bin/python benchmarks/index_throughput.py [--synthetic 10000] [--repeats 3]

For each corpus (the bundled one and a synthetic one) it measures, in one run and with one loaded
model: the raw embedding throughput (the model encoding every chunk text of the corpus in one
call), a full index into a fresh store, and a no-change re-index. Figures are medians over
the repeats, with raw and full-index runs interleaved so that machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from inquirer.chunking import chunk_note, note_version
from inquirer.config import load_settings
from inquirer.corpus import load
from inquirer.embeddings import SentenceTransformerEmbedder
from inquirer.services import build_indexer
from inquirer.synthetic import write_corpus

REPO = Path(__file__).resolve().parents[1]


def chunk_texts(root: Path, chunk_words: int) -> tuple[int, list[str]]:
    corpus = load([root])
    texts: list[str] = []
    for note in corpus.notes.values():
        version = note_version(note.path, Path(note.path).read_bytes())
        texts.extend(c.text for c in chunk_note(note, version, chunk_words))
    return len(corpus.notes), texts


def cli_noop_seconds(home: Path, root: Path) -> float:
    """Wall time of the command a user runs, start-up and imports included."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    env["INQUIRER_HOME"] = str(home)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "inquirer", "index", str(root)],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def measure(
    name: str, root: Path, embedder: SentenceTransformerEmbedder, repeats: int
) -> dict[str, Any]:
    settings0 = load_settings().settings
    notes, texts = chunk_texts(root, settings0.chunk_words)
    raw_times, index_times, noop_times, cli_times = [], [], [], []
    for r in range(repeats):
        start = time.perf_counter()
        embedder.embed(texts)
        raw_times.append(time.perf_counter() - start)
        print(f"  [{name}] run {r + 1}: raw embedding {raw_times[-1]:.1f}s", file=sys.stderr)

        home = Path(tempfile.mkdtemp(prefix="inquirer-bench-"))
        settings = load_settings(home=home).settings
        report = build_indexer(settings, embedder).run([root])
        assert report.added == notes and report.errors == 0, report
        index_times.append(report.seconds)
        print(f"  [{name}] run {r + 1}: full index {report.seconds:.1f}s", file=sys.stderr)

        # a new process opens the store anew: do the same
        report = build_indexer(settings, embedder).run([root])
        assert report.unchanged == notes and report.added == 0, report
        noop_times.append(report.seconds)
        print(f"  [{name}] run {r + 1}: no-change re-index {report.seconds:.2f}s", file=sys.stderr)
        cli_times.append(cli_noop_seconds(home, root))
        print(
            f"  [{name}] run {r + 1}: `inquirer index` wall {cli_times[-1]:.2f}s", file=sys.stderr
        )
        shutil.rmtree(home, ignore_errors=True)
    raw, full, noop = (statistics.median(t) for t in (raw_times, index_times, noop_times))
    return {
        "corpus": name,
        "notes": notes,
        "chunks": len(texts),
        "raw_embed_notes_per_s": notes / raw,
        "index_notes_per_s": notes / full,
        "ratio": raw / full,
        "no_change_reindex_s": noop,
        "no_change_cli_wall_s": statistics.median(cli_times),
        "raw_s": raw_times,
        "index_s": index_times,
        "no_change_s": noop_times,
        "no_change_cli_s": cli_times,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=10_000, help="synthetic corpus size")
    parser.add_argument("--repeats", type=int, default=3, help="runs on the bundled corpus")
    parser.add_argument(
        "--synthetic-repeats", type=int, default=1, help="runs on the synthetic corpus"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "index.json")
    args = parser.parse_args()

    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    embedder.embed(["warm up"])
    results = [measure("bundled", REPO / "corpus", embedder, args.repeats)]
    if args.synthetic:
        with tempfile.TemporaryDirectory(prefix="inquirer-synth-") as tmp:
            root = write_corpus(Path(tmp), args.synthetic, seed=0)
            name = f"synthetic-{args.synthetic}"
            results.append(measure(name, root, embedder, args.synthetic_repeats))

    print(
        f"{'corpus':<18}{'notes':>7}{'chunks':>8}{'raw notes/s':>13}{'index notes/s':>15}"
        f"{'ratio':>7}{'no-change re-index':>20}{'(CLI wall)':>12}"
    )
    for r in results:
        print(
            f"{r['corpus']:<18}{r['notes']:>7}{r['chunks']:>8}{r['raw_embed_notes_per_s']:>13.1f}"
            f"{r['index_notes_per_s']:>15.1f}{r['ratio']:>7.2f}{r['no_change_reindex_s']:>19.2f}s"
            f"{r['no_change_cli_wall_s']:>11.2f}s"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"(medians of {args.repeats} runs on the bundled corpus and {args.synthetic_repeats} on"
        f" the synthetic one; every run in {args.out})"
    )


if __name__ == "__main__":
    main()
