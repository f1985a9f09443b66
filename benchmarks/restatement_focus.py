"""Whether restatements say the part of a long finding that bears on the question.

    python benchmarks/restatement_focus.py RUN [--restate] [--limit N]

RUN is an eval folder (evals/reports/<run>). For each body sentence of its agent lines that
restates one note whose finding (the summary without its answer words) has three sentences or
more, the script finds the later sentence nearest the line's question (the embedder's cosine,
as the composer now picks it) and counts the restatement as saying it when it holds half or more
of that sentence's content words. With ``--restate`` each such note is restated again by the
composer as it stands (the configured model, the embedded 1.5B by default; run it alone, since
it times its calls), in a line of the notes that line's agent judged relevant, and the same
count is made of the new sentences, with the median seconds a note took.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from inquirer import corpus as corpus_mod
from inquirer.composer import FOCUS_FROM, Composer, Draft, nearest_later
from inquirer.config import load_settings
from inquirer.embeddings import Embedder
from inquirer.services import build_embedder, build_llm, build_retriever
from inquirer.types import Evidence, Note, ReadNote
from inquirer.wording import content, split_sentences, without_answer

SAYS = 0.5  # share of the nearest sentence's content words a restatement must hold


def cases(run: Path, notes: dict[str, Note]) -> Iterator[tuple[str, list[ReadNote], Note, str]]:
    """(question, the line's relevant notes, a restated note with a long finding, the line's
    sentence restating it) for each such sentence."""
    for path in sorted((run / "agent" / "lines").glob("*.json")):
        line = json.loads(path.read_text())
        used = [
            ReadNote(notes[r["id"]], True, r.get("reason", ""), i + 1)
            for i, r in enumerate(line["read"])
            if r["relevant"] and r["id"] in notes
        ]
        for paragraph in line["body"]:
            for sentence in paragraph["sentences"]:
                cites = sentence["cites"]
                if len(cites) != 1 or cites[0] not in notes:
                    continue
                note = notes[cites[0]]
                if len(split_sentences(without_answer(note.summary))) >= FOCUS_FROM:
                    yield line["question"], used, note, sentence["text"]


def nearest(embedder: Embedder, question: str, note: Note) -> str:
    """The later sentence of ``note``'s finding nearest ``question``, as the composer picks it."""
    return nearest_later(embedder, question, split_sentences(without_answer(note.summary)))


def says(text: str, sentence: str) -> bool:
    wanted = content(sentence)
    return bool(wanted) and len(wanted & content(text)) / len(wanted) >= SAYS


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--restate", action="store_true", help="restate each note again")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()

    settings = load_settings().settings
    notes = corpus_mod.load([Path("corpus")]).notes
    embedder = build_embedder(settings)
    found = list(cases(args.run, notes))[: args.limit or None]
    composer = (
        Composer(build_llm(settings), build_retriever(settings, embedder)) if args.restate else None
    )
    before = after = 0
    seconds: list[float] = []
    for question, used, note, text in found:
        target = nearest(embedder, question, note)
        before += says(text, target)
        line = f"  {note.id}: the line's {'says' if says(text, target) else 'misses'} it"
        if composer is not None:
            draft = Draft(composer, question, used, Evidence(question, tuple(used), ()))
            start = time.perf_counter()
            said = draft.restate(note, "", [])
            seconds.append(time.perf_counter() - start)
            new = said[0] if said else ""
            after += says(new, target)
            line += f"; again {'says' if says(new, target) else 'misses'} it: {new}"
        print(f"{line}\n    nearest: {target}", flush=True)
    print(f"{len(found)} restatements of findings of {FOCUS_FROM}+ sentences in {args.run}")
    print(f"the line's say the sentence nearest the question: {before} of {len(found)}")
    if composer is not None:
        median = statistics.median(seconds) if seconds else 0.0
        print(f"restated again: {after} of {len(found)}; median {median:.1f} s a note")


if __name__ == "__main__":
    main()
