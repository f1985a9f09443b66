"""How the composer's restatements fare on the notes a run kept in their own words.

    python benchmarks/restatements.py RUN [--dry] [--limit N]

RUN is an eval folder (evals/reports/<run>); its agent lines' traces name each note the composer
"kept in the note's own words" after every try copied it. Each such note is restated again by
the composer as it stands, in a line made of the notes that line's agent judged relevant, and
the script prints each sentence with the share of its words copied in runs of 8+ (and of 5+),
then how many restatements passed every check, how many were kept as copies or left out, the
median copied shares of those shown, and the median seconds a note took. With ``--dry`` every
call runs under llama.cpp's DRY sampler (DRY below), which penalises a token that would extend a
run already in the prompt: how far a sampler can keep the model from copying, and what it costs.
The model is the configured one (the embedded 1.5B by default); run it alone, since it times its
calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inquirer import corpus as corpus_mod
from inquirer.composer import Composer, Draft
from inquirer.config import load_settings
from inquirer.reading import CLOSE_RUN
from inquirer.restatement import copied_share
from inquirer.services import build_llm, build_retriever
from inquirer.types import Evidence, Note, ReadNote

# llama.cpp's DRY sampler: a token extending a run of the context longer than
# dry_allowed_length tokens is penalised by multiplier * base ** (run - allowed)
DRY = {
    "dry_multiplier": 0.8,
    "dry_base": 1.75,
    "dry_allowed_length": 7,
    "dry_penalty_last_n": 4096,  # the whole context (the server takes no -1)
}


def cases(run: Path, notes: dict[str, Note]) -> Iterator[tuple[str, list[ReadNote], Note]]:
    """(question, the line's relevant notes, a note kept in its own words) for each such note."""
    for path in sorted((run / "agent" / "lines").glob("*.json")):
        line = json.loads(path.read_text())
        used = [
            ReadNote(notes[r["id"]], True, r.get("reason", ""), i + 1)
            for i, r in enumerate(line["read"])
            if r["relevant"] and r["id"] in notes
        ]
        for step in line["trace"]:
            if step.get("detail") == "kept in the note's own words" and step["note_id"] in notes:
                yield line["question"], used, notes[step["note_id"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--dry", action="store_true", help="every call under the DRY sampler")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()

    settings = load_settings().settings
    notes = corpus_mod.load([Path("corpus")]).notes
    llm = build_llm(settings)
    if args.dry:
        call = llm._call

        def dry(**kwargs: Any) -> Any:
            return call(**kwargs, extra_body=DRY)

        llm._call = dry  # type: ignore[method-assign]
    composer = Composer(llm, build_retriever(settings))
    found = list(cases(args.run, notes))[: args.limit or None]
    print(f"{len(found)} notes kept in their own words in {args.run}")
    outcomes = {"passed": 0, "copy": 0, "left out": 0}
    shares: list[float] = []
    close: list[float] = []
    seconds: list[float] = []
    for question, used, note in found:
        draft = Draft(composer, question, used, Evidence(question, tuple(used), ()))
        start = time.perf_counter()
        said = draft.restate(note, "", [])
        seconds.append(time.perf_counter() - start)
        text = said[0] if said else ""
        share = copied_share(text, note) if said else 0.0
        outcome = "left out" if not said else "copy" if text in draft.verbatim else "passed"
        outcomes[outcome] += 1
        near = copied_share(text, note, CLOSE_RUN) if said else 0.0
        if said:
            shares.append(share)
            close.append(near)
        print(f"  {note.id} ({outcome}, {share:.2f} / {near:.2f} copied): {text}", flush=True)
    print(
        f"{'dry' if args.dry else 'as composed'}: passed {outcomes['passed']}, kept as copies "
        f"{outcomes['copy']}, left out {outcomes['left out']} of {len(found)}; median share "
        f"copied in runs of 8+ {statistics.median(shares) if shares else 0.0:.2f}, of 5+ "
        f"{statistics.median(close) if close else 0.0:.2f}; median "
        f"{statistics.median(seconds) if seconds else 0.0:.1f} s a note"
    )


if __name__ == "__main__":
    main()
