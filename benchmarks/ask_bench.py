"""Lines from the local model on questions of evals/retrieval.jsonl: time and source recall.

    .venv/bin/python benchmarks/ask_bench.py [--model local/qwen2.5-coder-0.5b] [-n 10]

Indexes the bundled corpus (incrementally, into --home or a temporary folder), then asks the
first N answerable questions (every fifth, so that themes vary) in one process, and reports per
line: wall time, time to the first streamed text, tokens generated, time inside the model and
the ratio of wall time to it (target <= 1.15), recall of the gold relevant notes among the
line's sources and among the notes the agent read, and the verifier's verdict, its time and its
share of the line's time. Figures go to
benchmarks/results/ask-<model>-verified.json (ask-<model>.json with --no-verify).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from inquirer.config import load_settings
from inquirer.evals.retrieval import load_questions
from inquirer.pipeline import Pipeline
from inquirer.revise import Reviser
from inquirer.services import build_indexer, build_llm, build_retriever, build_verifier

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="state folder (default: temporary)")
    parser.add_argument("--model", default="local/qwen2.5-coder-0.5b")
    parser.add_argument("-n", type=int, default=10, help="how many questions")
    parser.add_argument("--verify-model", help="the judge (default: the verify_model setting)")
    parser.add_argument("--no-verify", action="store_true", help="skip the verifier pass")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="inquirer-ask-"))
    settings = load_settings(
        home=home, verify=not args.no_verify, verify_model=args.verify_model
    ).settings
    indexer = build_indexer(settings)
    indexer.run([REPO / "corpus"])
    llm = build_llm(settings, args.model)
    retriever = build_retriever(settings, indexer.embedder)
    verifier = build_verifier(settings, llm, retriever)
    pipeline = Pipeline(
        llm,
        retriever,
        settings,
        verifier=verifier,
        reviser=Reviser(llm) if verifier is not None else None,
    )
    answerable = [q for q in load_questions(REPO / "evals" / "retrieval.jsonl") if q.relevant]
    rows: list[dict[str, Any]] = []
    for q in answerable[::5][: args.n]:
        line = pipeline.ask(q.question)
        gold = set(q.relevant)
        cited = {s.note_id for s in line.sources}
        read = {r.note.id for r in line.evidence.read}
        row = {
            "id": q.id,
            "question": q.question,
            "wall_s": line.timings["total_s"],
            "first_text_s": line.timings["first_text_s"],
            "llm_s": line.timings["llm_s"],
            "wall_over_llm": round(line.timings["total_s"] / line.timings["llm_s"], 3),
            "completion_tokens": line.usage["completion_tokens"],
            "prompt_tokens": line.usage["prompt_tokens"],
            "calls": line.usage["calls"],
            "source_recall": round(len(cited & gold) / len(gold), 3),
            "read_recall": round(len(read & gold) / len(gold), 3),
            "answered": line.answered,
            "paragraphs": len(line.body),
            "next_lines": len(line.next_lines),
            "verify_s": line.timings["verify_s"],
            "verify_share": round(line.timings["verify_s"] / line.timings["total_s"], 3),
        }
        if line.verdict is not None and line.verdict.status != "not run":
            v = line.verdict
            row |= {
                "verdict": v.status,
                "sentences": len(v.sentences),
                "supported": v.count("supported"),
                "partial": v.count("partial"),
                "unsupported": v.count("unsupported"),
                "citation_recall": v.citation_recall,
                "citation_precision": v.citation_precision,
                "revised": len(v.changes),
                "failures": [f.kind for f in v.failures],
            }
        rows.append(row)
        print(json.dumps(row), flush=True)
    summary = {
        key: round(statistics.median(r[key] for r in rows), 3)
        for key in (
            "wall_s",
            "first_text_s",
            "llm_s",
            "wall_over_llm",
            "completion_tokens",
            "source_recall",
            "read_recall",
            "verify_s",
            "verify_share",
        )
    }
    if verifier is not None and rows and "verdict" in rows[0]:
        summary["passed"] = sum(r["verdict"] == "passed" for r in rows)
        for key in ("citation_recall", "citation_precision"):
            values = [r[key] for r in rows if r.get(key) is not None]
            summary[key] = round(statistics.median(values), 3) if values else None
        summary["judges"] = list(verifier.panel.names) if verifier.panel else []
    summary["questions"] = len(rows)
    summary["model"] = args.model
    print(json.dumps({"median": summary}, indent=2))
    suffix = "-verified" if verifier is not None else ""
    out = REPO / "benchmarks" / "results" / f"ask-{args.model.replace('/', '-')}{suffix}.json"
    out.write_text(json.dumps({"median": summary, "lines": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
