"""The agent's reading replayed on an eval run's saved plans with other budgets: how many relevant
notes a line would hold, how many of the question's gold notes among them, and what it would
decline. No model runs: each line's planned queries are taken from its trace, and reading judges
relevance by cosine (the default ``agent_judge``), so the replay is what the agent would read.

    .venv/bin/python benchmarks/reading_budget.py RUN [--enough 7 9 12] [--reads 12]

RUN is an ``inquirer eval`` folder whose agent lines keep their traces. The index of the
settings' home gives the notes, so index the bundled corpus first. For each ``enough`` (the
relevant notes at which reading stops) it prints the mean share of gold notes read and found
relevant (the ceiling on source recall: a line cites only those), the mean share of relevant
notes that are gold, the mean count of relevant notes, and how many answerable questions are
answered and unanswerable ones declined.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inquirer.agent import Agent, Budget, Plan
from inquirer.config import load_settings
from inquirer.evals.retrieval import load_questions
from inquirer.services import build_retriever

REPO = Path(__file__).resolve().parents[1]
AS_ASKED = "search the question as asked"  # the plan step of a line that planned no query


class SavedPlan:
    """The model's place in the agent: it gives back the queries a line's trace planned."""

    def __init__(self, queries: Sequence[str]) -> None:
        self.queries = list(queries)

    def structured(self, messages: Any, schema: Any, **kwargs: Any) -> tuple[Plan, None]:
        return Plan(queries=self.queries), None


def planned(line: dict[str, Any]) -> list[str]:
    """The queries a line's agent planned beyond the question, from its trace."""
    plan = next((s["detail"] for s in line.get("trace", []) if s["kind"] == "plan"), AS_ASKED)
    if plan.startswith(AS_ASKED):
        return []
    return [q.strip() for q in plan.split(";") if len(q.strip()) >= 3][:3]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--enough", type=int, nargs="+", default=[7, 9, 12])
    parser.add_argument("--reads", type=int, default=Budget().reads)
    parser.add_argument("--questions", type=Path, default=REPO / "evals" / "retrieval.jsonl")
    args = parser.parse_args()

    questions = {q.id: q for q in load_questions(args.questions)}
    retriever = build_retriever(load_settings().settings)
    lines = sorted((args.run / "agent" / "lines").glob("*.json"))
    cases = [
        (questions[p.stem], planned(json.loads(p.read_text())))
        for p in lines
        if p.stem in questions
    ]
    print(f"{len(cases)} lines of {args.run.name}, at most {args.reads} notes read each\n")
    print("| enough | gold read, relevant | relevant, gold | relevant | answered | declined |")
    print("| --- | --- | --- | --- | --- | --- |")
    for enough in args.enough:
        budget = Budget(enough=enough, reads=max(args.reads, enough))
        recall: list[float] = []
        precision: list[float] = []
        held: list[int] = []
        answered = declined = answerable = 0
        for question, plan in cases:
            agent = Agent(SavedPlan(plan), retriever, budget=budget)  # type: ignore[arg-type]
            evidence = agent.run(question.question)
            relevant = {r.note.id for r in evidence.read if r.relevant}
            answers = len(relevant) >= 2 and not evidence.outside
            if question.relevant:
                answerable += 1
                answered += answers
                gold = set(question.relevant)
                recall.append(len(relevant & gold) / len(gold))
                precision.append(len(relevant & gold) / len(relevant) if relevant else 0.0)
                held.append(len(relevant))
            else:
                declined += not answers
        print(
            f"| {enough} | {statistics.mean(recall):.3f} | {statistics.mean(precision):.3f} | "
            f"{statistics.mean(held):.2f} | {answered} of {answerable} | "
            f"{declined} of {len(cases) - answerable} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
