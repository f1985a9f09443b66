"""The figures the agent's lines are held to, for two eval runs on the questions both made:
each figure before and after, its target, and whether the after run meets it.

    .venv/bin/python benchmarks/line_targets.py BEFORE AFTER [--suite evals/suite.toml]

BEFORE and AFTER are ``inquirer eval`` folders. Both runs' lines are read again with today's
reading pass (as ``inquirer eval --report-only`` does), so a check added since the before run
counts against it too; the other figures (source recall, abstention, seconds) come from the
saved lines and do not depend on the reading pass. The index of the settings' home gives the
notes, titles and embeddings, so index the bundled corpus first.

Whether answers or connectives contradict their notes is also read by hand on the dev suite;
the row here is the reading pass's code check alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from inquirer.config import load_settings
from inquirer.evals.answers import AnswerScore, summarize
from inquirer.evals.suite import load_suite, make_plan, score_lines
from inquirer.services import build_retriever, relatedness, titles


@dataclass(frozen=True)
class Target:
    label: str
    value: Callable[[Sequence[AnswerScore]], float | None]
    met: Callable[[float, float | None], bool]  # (after, before) -> met
    goal: str
    form: str = "{:.3f}"


Value = Callable[[Sequence[AnswerScore]], float | None]


def figure(name: str) -> Value:
    """One figure of the eval's summary (answers.summarize)."""
    return lambda scores: summarize(scores).get(name)


def share(answerable: bool, answered: bool) -> Value:
    """The share of one kind of question (answerable or not) answered (or declined)."""

    def value(scores: Sequence[AnswerScore]) -> float | None:
        kind = [s.answered == answered for s in scores if s.answerable == answerable]
        return sum(kind) / len(kind) if kind else None

    return value


def at_least(label: str, value: Value, bound: float, goal: str = "", form: str = "") -> Target:
    return Target(label, value, lambda a, _: a >= bound, goal or f"≥ {bound:g}", form or "{:.3f}")


def at_most(label: str, value: Value, bound: float, goal: str = "") -> Target:
    return Target(label, value, lambda a, _: a <= bound, goal or (f"≤ {bound:g}" if bound else "0"))


TARGETS = (
    at_least("lines with no reading failure", figure("reading_clean"), 0.80),
    at_most("fragment sentences, of body sentences", figure("fragments"), 0.02),
    at_most("insights restating the body or a note", figure("insight_copy"), 0.05),
    at_most("lines without an insight", figure("no_insight"), 0.0, "0 (FORMAT.md)"),
    at_most("body words copied in runs of 8+", figure("copied"), 0.25),
    at_most("next lines generic, meta, a note's title or the question", figure("next_bad"), 0.10),
    at_most("lines with fewer than 3 next lines", figure("few_next"), 0.0, "0 (FORMAT.md)"),
    at_least("body paragraphs citing 2+ notes", figure("multi_note_paragraphs"), 0.50),
    at_least("words per body paragraph", figure("paragraph_words"), 70, form="{:.0f}"),
    at_most("lines whose answer contradicts their notes (code)", figure("contradiction"), 0.0),
    at_most(
        "lines with a sentence turning which way its notes go (code)", figure("misstated"), 0.0
    ),
    at_most("lines with a connective no cited note states", figure("connective"), 0.0),
    at_least("unanswerable questions declined", share(False, False), 13 / 16, "≥ 13 of 16"),
    at_least("answerable questions answered", share(True, True), 72 / 76, "≥ 72 of 76"),
    at_least("source recall", figure("source_recall"), 0.55),
    Target(
        "median seconds per line",
        figure("median_seconds"),
        lambda a, b: b is None or a <= b,
        "no slower",
        "{:.0f}",
    ),
)


def table(before: Sequence[AnswerScore], after: Sequence[AnswerScore]) -> list[str]:
    """TARGETS as a Markdown table: each figure before and after, its goal, and whether the
    after run meets it ("—" where a run has no value for it)."""
    out = ["| figure | before | after | target | met |", "| --- | --- | --- | --- | --- |"]
    for t in TARGETS:
        was, now = t.value(before), t.value(after)
        shown = [("—" if v is None else t.form.format(v)) for v in (was, now)]
        met = "—" if now is None else ("yes" if t.met(now, was) else "no")
        out.append(f"| {t.label} | {shown[0]} | {shown[1]} | {t.goal} | {met} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--suite", type=Path, default=Path("evals/suite.toml"))
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
    runs = [
        score_lines(
            run / args.system,
            plan.questions,
            retriever.read,
            lambda q, texts: relatedness(retriever, q, texts),
            every_title,
        ).scores
        for run in (args.before, args.after)
    ]
    both = {s.question_id for s in runs[0]} & {s.question_id for s in runs[1]}
    before, after = ([s for s in scores if s.question_id in both] for scores in runs)
    unanswerable = sum(not s.answerable for s in after)
    print(
        f"{len(both)} questions made by both runs ({unanswerable} unanswerable); "
        f"before: {args.before.name}, after: {args.after.name}\n"
    )
    for name, scores in (("before", before), ("after", after)):
        declined = sum(not s.answered for s in scores if not s.answerable)
        answered = sum(s.answered for s in scores if s.answerable)
        print(
            f"{name}: {declined} of {unanswerable} unanswerable declined, "
            f"{answered} of {len(scores) - unanswerable} answerable answered"
        )
    print()
    print("\n".join(table(before, after)))


if __name__ == "__main__":
    main()
