"""Next lines proposed again for the saved lines of a run, with what the shorter second try of a
question cut short and the notes asked past the first ASKED add.

    .venv/bin/python benchmarks/next_lines_bench.py RUN [--ids q001 q027 ...] [--limit N]

For each line of RUN (an ``inquirer eval`` or ``inquirer batch`` folder: its ``agent/lines`` or
``lines``), the line's read notes and sources are rebuilt from the index and its next lines
proposed again by ``next_lines.propose`` on the settings' model (the found-but-unread notes of
the run are not saved, so the pool may differ a little from the line's own). The first try of
each note is greedy, so the next lines kept without the second try are those kept now less the
ones a second try gave (exact while a line keeps fewer than 5), and those kept from the first
``next_lines.ASKED`` notes are what a line kept before more notes were asked (exact: the first
notes are asked alike). Prints each line's next lines and what was set aside, then the lines
with fewer than 3 without the second try, from the first ASKED notes, and with both.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inquirer import next_lines, saved
from inquirer.config import load_settings
from inquirer.llm import LLM
from inquirer.services import build_llm, build_retriever
from inquirer.types import Step


class Recording:
    """The model, with the questions its sampled calls (second tries) gave and the note each
    question was asked of (its greedy first call starts a note)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.retried: list[str] = []
        self.note: dict[str, int] = {}
        self.notes = 0

    def clear(self) -> None:
        self.retried.clear()
        self.note.clear()
        self.notes = 0

    def structured(self, messages: Sequence[Any], schema: Any, **kwargs: Any) -> Any:
        if not kwargs.get("sample"):
            self.notes += 1
        out, completion = self.llm.structured(messages, schema, **kwargs)
        question = " ".join(out.question.split())
        self.note[question] = self.notes - 1
        if kwargs.get("sample"):
            self.retried.append(question)
        return out, completion


def lines_of(run: Path) -> list[Path]:
    folder = run / "agent" / "lines" if (run / "agent" / "lines").is_dir() else run / "lines"
    return sorted(folder.glob("*.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--ids", nargs="*", default=[])
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()

    settings = load_settings().settings
    retriever = build_retriever(settings)
    model = Recording(build_llm(settings))
    paths = [p for p in lines_of(args.run) if not args.ids or p.stem in args.ids]
    paths = paths[: args.limit or None]
    before: list[int] = []
    first: list[int] = []
    after: list[int] = []
    seconds: list[float] = []
    for path in paths:
        data = saved.load(path)
        ids = [r.id for r in data.read] + [s.id for s in data.sources]
        notes = {i: n for i in dict.fromkeys(ids) if (n := retriever.read(i)) is not None}
        line = saved.rebuild(data, notes)
        steps: list[Step] = []
        model.clear()
        start = time.perf_counter()
        kept = next_lines.propose(
            model,  # type: ignore[arg-type]
            retriever,
            line.question,
            line.evidence,
            line.sources,
            steps,
        )
        seconds.append(time.perf_counter() - start)
        gained = [q for q in kept if q in model.retried]
        later = [q for q in kept if model.note[q] >= next_lines.ASKED]
        before.append(len(kept) - len(gained))
        first.append(len(kept) - len(later))
        after.append(len(kept))
        print(
            f"{path.stem}: {len(kept)} kept ({len(gained)} from a second try, {len(later)} past "
            f"the first {next_lines.ASKED} notes; {model.notes} notes asked)"
        )
        for q in kept:
            print(f"  {'+' if q in gained else '>' if q in later else '-'} {q}")
        print(f"  {steps[-1].detail if steps else ''}", flush=True)
    print(
        f"\n{len(paths)} lines; fewer than 3 next lines: {sum(k < 3 for k in before)} without "
        f"the second try, {sum(k < 3 for k in first)} from the first {next_lines.ASKED} notes, "
        f"{sum(k < 3 for k in after)} with both; next lines kept: {sum(before)} / {sum(first)} "
        f"-> {sum(after)}; median {statistics.median(seconds) if seconds else 0.0:.1f} s a line"
    )


if __name__ == "__main__":
    main()
