"""Batch throughput at several concurrencies, on the local model.

    .venv/bin/python benchmarks/batch_bench.py [--home DIR] [--questions 20] [--levels 1 2 4]
        [--model local/qwen2.5-coder-0.5b] [--verify]

Indexes the bundled corpus (incrementally, into --home), takes the first N answerable questions
of evals/retrieval.jsonl, and runs `inquirer batch` on them once per concurrency level, each in
a fresh process (so the local server starts with that many parallel slots). Prints lines per
minute, mean and p95 seconds per line, and the speed-up over concurrency 1; the figures go to
benchmarks/results/batch.json. A level whose batch already finished in --work is not run again.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/var/tmp/inquirer-bench-home"))
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "out" / "batch")
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--model", default="local/qwen2.5-coder-0.5b")
    parser.add_argument("--verify", action="store_true", help="run the verifier on each line")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/batch.json")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    env["INQUIRER_HOME"] = str(args.home)
    inquirer = [sys.executable, "-m", "inquirer"]
    subprocess.run([*inquirer, "index", str(REPO / "corpus")], env=env, check=True)

    rows = [json.loads(x) for x in (REPO / "evals/retrieval.jsonl").read_text().splitlines() if x]
    chosen = [r for r in rows if r["relevant"]][: args.questions]
    args.work.mkdir(parents=True, exist_ok=True)
    qfile = args.work / "questions.jsonl"
    qfile.write_text(
        "".join(json.dumps({"id": r["id"], "question": r["question"]}) + "\n" for r in chosen),
        encoding="utf-8",
    )
    results: list[dict[str, Any]] = []
    for level in args.levels:
        out = args.work / f"c{level}"
        summary_file = out / "summary.json"
        finished = summary_file.exists() and _summary(summary_file)["done"] == len(chosen)
        if not finished:
            if out.exists():
                subprocess.run(["rm", "-rf", str(out)], check=True)
            command = [*inquirer, "batch", str(qfile), "--out", str(out), "-c", str(level)]
            command += ["--model", args.model] + ([] if args.verify else ["--no-verify"])
            print(f"concurrency {level}: {' '.join(command[2:])}", file=sys.stderr, flush=True)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=False)
            print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        summary = _summary(summary_file)
        run = summary["run"]
        results.append(
            {
                "concurrency": level,
                "lines": run["lines"],
                "failed": summary["failed"],
                "seconds": run["seconds"],
                "lines_per_minute": run["lines_per_minute"],
                "mean_s": run["mean_s"],
                "p95_s": run["p95_s"],
                "completion_tokens": run["completion_tokens"],
                "prompt_tokens": run["prompt_tokens"],
            }
        )
    base = next((r for r in results if r["concurrency"] == 1), None)
    for row in results:
        row["speedup"] = (
            round(row["lines_per_minute"] / base["lines_per_minute"], 3)
            if base and base["lines_per_minute"]
            else None
        )
    header = ["concurrency", "lines", "failed", "wall s", "lines/min", "mean s/line", "p95 s/line"]
    print("| " + " | ".join([*header, "speed-up"]) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['concurrency']} | {r['lines']} | {r['failed']} | {r['seconds']:.0f} | "
            f"{r['lines_per_minute']:.2f} | {r['mean_s']:.1f} | {r['p95_s']:.1f} | "
            f"{r['speedup'] if r['speedup'] is not None else '—'} |"
        )
    payload = {
        "model": args.model,
        "verify": args.verify,
        "questions": len(chosen),
        "cores": os.cpu_count(),
        "levels": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _summary(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


if __name__ == "__main__":
    main()
