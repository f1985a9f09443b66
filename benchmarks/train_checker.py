"""Train the grounding checker (src/inquirer/evals/checker.py) on the train parts of the
external sets: HaluEval's question answering and its summaries, never a dev or test pair.

    .venv/bin/python benchmarks/train_checker.py [--out benchmarks/out/checker] [--each 6000]

With the defaults it reads 12,000 pairs once, about 50 minutes on 2 cores. Measure the result
with ``benchmarks/verifier_eval.py --checker benchmarks/out/checker``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from inquirer.config import load_settings
from inquirer.evals.checker import SEED, Recipe, TrainingPair, train
from inquirer.evals.external import load

REPO = Path(__file__).resolve().parents[1]
SETS = ("halueval-qa", "halueval-summarization")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "checker")
    parser.add_argument("--each", type=int, default=6000, help="train pairs from each set")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    cache = load_settings().settings.home_dir / "external"
    rng = random.Random(SEED)
    pairs: list[TrainingPair] = []
    for name in SETS:
        part = [p for p in load(name, cache) if p.split == "train"]
        rng.shuffle(part)
        pairs += [TrainingPair(p.evidence, p.claim, p.supported) for p in part[: args.each]]
    print(f"{len(pairs)} train pairs: {args.each} from each of {', '.join(SETS)}")
    columns = (TextColumn("training"), BarColumn(), TextColumn("{task.fields[loss]}"))
    with Progress(*columns, TimeRemainingColumn()) as progress:
        task = progress.add_task("train", total=None, loss="")
        losses: list[float] = []

        def on_progress(step: int, steps: int, loss: float) -> None:
            losses.append(loss)
            recent = losses[-20:]
            mean = f"loss {sum(recent) / len(recent):.3f}"
            progress.update(task, completed=step, total=steps, loss=mean)

        out = train(pairs, args.out, Recipe(epochs=args.epochs), on_progress=on_progress)
    print(f"checker written to {out}")


if __name__ == "__main__":
    main()
