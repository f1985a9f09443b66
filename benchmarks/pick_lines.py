"""Three lines of an eval run, one of each kind of question, picked by a stated seed rather than
by hand, printed whole as the run saved them (Markdown).

    .venv/bin/python benchmarks/pick_lines.py RUN [--seed 5] [--system agent]
        [--questions evals/retrieval.jsonl]

RUN is an ``inquirer eval`` folder. For each kind (single, multi_hop, unanswerable) in turn, the
seeded generator picks one of the questions of that kind whose line the run made, so anyone can
draw the same three again from the same folder.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

KINDS = ("single", "multi_hop", "unanswerable")


def pick(made: dict[str, str], kinds: dict[str, str], seed: int) -> list[str]:
    """One question id of each kind among ``made`` (ids whose line exists), drawn by ``seed``:
    the ids of a kind are sorted first, so the draw depends on the seed and the run alone."""
    chosen = random.Random(seed)
    picked = []
    for kind in KINDS:
        ids = sorted(q for q in made if kinds.get(q) == kind)
        if ids:
            picked.append(chosen.choice(ids))
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--system", default="agent")
    parser.add_argument("--questions", type=Path, default=Path("evals/retrieval.jsonl"))
    args = parser.parse_args()

    folder = args.run / args.system / "lines"
    if not folder.is_dir():
        parser.error(f"{folder} holds no lines: give an `inquirer eval` run folder")
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    kinds = {row["id"]: row["kind"] for row in rows}
    made = {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.md")}
    for qid in pick(made, kinds, args.seed):
        print(f"<!-- {qid} ({kinds[qid]}), seed {args.seed} -->\n")
        print(made[qid].rstrip() + "\n")


if __name__ == "__main__":
    main()
