"""The reading figures of saved lines, for chosen questions of one or more eval run folders, so
that two runs can be compared on the same questions with today's reading pass.

    .venv/bin/python benchmarks/reading_figures.py RUN [RUN ...] [--suite evals/dev.toml]
        [--system agent]

For each RUN (an ``inquirer eval`` folder) it reads the lines of the suite's questions (its
``ids``, or all of its questions) with the reading pass, as ``inquirer eval --report-only``
does, and prints one Markdown table with a column per run. The index of the settings' home is
used for the notes, titles and embeddings, so index the bundled corpus first.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inquirer.config import load_settings
from inquirer.evals import readability
from inquirer.evals.suite import load_suite, make_plan, score_lines
from inquirer.services import build_retriever, relatedness, titles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--suite", type=Path, default=Path("evals/dev.toml"))
    parser.add_argument("--system", default="agent")
    args = parser.parse_args()

    settings = load_settings().settings
    retriever = build_retriever(settings)
    every_title = titles(retriever)
    plan = make_plan(
        load_suite(args.suite),
        limit=None,
        baseline=False,
        model="any",
        judge="any",
        budget={"searches": settings.agent_searches, "reads": settings.agent_reads},
    )
    columns = {}
    for run in args.runs:
        scored = score_lines(
            run / args.system,
            plan.questions,
            retriever.read,
            lambda q, texts: relatedness(retriever, q, texts),
            every_title,
        )
        rows = [s.reading for s in scored.scores if s.reading is not None]
        name = f"{run.name} ({len(rows)} lines)"
        columns[name] = {"summary": readability.summarize(rows)}
    print("\n".join(readability.table(columns)))


if __name__ == "__main__":
    main()
