"""Verifier quality on evals/claims.jsonl, per judge and for the combination the verifier uses.

    .venv/bin/python benchmarks/verifier_eval.py [--models local/qwen2.5-coder-1.5b ...]
        [--nli-model PATH] [--limit N]

Each (claim, note) pair is judged by every backend available here: the number and name checks
(no model), each local model as an LLM judge (its verdict, and a threshold on its probability of
"true"), an NLI cross-encoder when one is given. Model answers are cached in
benchmarks/results/claims-<model>.jsonl (delete to re-run). Thresholds are chosen on the dev
half and reported on the test half (evals/claims.py). Figures go to
benchmarks/results/verifier.json and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inquirer.config import load_settings
from inquirer.embeddings import NLIScorer
from inquirer.evals.claims import Claim, Scores, auc, best_threshold, load_claims, score
from inquirer.facts import missing_entities, missing_numbers
from inquirer.judges import CALIBRATED, LLMJudge, NLIJudge
from inquirer.local_model import MODELS
from inquirer.notes import read_note
from inquirer.services import build_llm
from inquirer.types import Note
from inquirer.verifier import note_document

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def collect(
    name: str,
    claims: Sequence[Claim],
    notes: dict[str, Note],
    judge: Callable[[str, str], Any],
    full: bool,
) -> dict[str, dict[str, Any]]:
    """Every claim's answer from one backend, cached on disk row by row (resumable)."""
    form = "full" if full else "excerpt"
    path = RESULTS / f"claims-{name.replace('/', '_').replace(':', '_')}-{form}.jsonl"
    cached: dict[str, dict[str, Any]] = {}
    if path.exists():
        for text in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(text)
            cached[row["id"]] = row
    todo = [c for c in sorted(claims, key=lambda c: (c.note_id, c.id)) if c.id not in cached]
    with path.open("a", encoding="utf-8") as out:
        for number, claim in enumerate(todo, start=1):
            start = time.perf_counter()
            note = notes[claim.note_id]
            answer = judge(note_document(note, None if full else claim.claim), claim.claim)
            row = {"id": claim.id, "answer": answer, "seconds": time.perf_counter() - start}
            out.write(json.dumps(row) + "\n")
            out.flush()
            cached[claim.id] = row
            print(f"  {name}: {number}/{len(todo)} {row['seconds']:.1f} s", flush=True)
    return cached


def table_row(
    name: str, claims: Sequence[Claim], flags: Sequence[bool], **extra: Any
) -> dict[str, Any]:
    by_split: dict[str, Any] = {}
    for split in ("dev", "test"):
        chosen = [(c, f) for c, f in zip(claims, flags, strict=True) if c.split == split]
        s: Scores = score([c for c, _ in chosen], [f for _, f in chosen])
        by_split[split] = s.as_dict()
    missed: dict[str, int] = {}
    for claim, flag in zip(claims, flags, strict=True):
        if claim.split == "test" and flag == claim.supported:
            missed[claim.kind] = missed.get(claim.kind, 0) + 1
    return {"backend": name, **by_split, "test_errors_by_kind": missed, **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    installed = [f"local/{m.name}" for m in MODELS.values() if m.installed()]
    parser.add_argument("--models", nargs="*", default=installed)
    parser.add_argument("--nli-model", help="an NLI cross-encoder folder or id")
    parser.add_argument("--limit", type=int, help="first N claims only (a smoke run)")
    parser.add_argument(
        "--full-document", action="store_true", help="judges read whole notes, not excerpts"
    )
    args = parser.parse_args()
    settings = load_settings().settings
    claims = load_claims(REPO / "evals" / "claims.jsonl")[: args.limit]
    notes = {c.note_id: read_note(REPO / "corpus" / "notes" / f"{c.note_id}.md") for c in claims}
    docs = {c.id: note_document(notes[c.note_id]) for c in claims}
    number_flags = [bool(missing_numbers(c.claim, [docs[c.id]])) for c in claims]
    name_flags = [bool(missing_entities(c.claim, [docs[c.id]])) for c in claims]
    hard = [n or e for n, e in zip(number_flags, name_flags, strict=True)]
    rows = [
        table_row("numbers", claims, number_flags),
        table_row("names", claims, name_flags),
        table_row("numbers + names", claims, hard),
    ]
    dev = [c for c in claims if c.split == "dev"]
    for model in args.models:
        judge = LLMJudge(build_llm(settings, model))
        answers = collect(model, claims, notes, judge.verdict, args.full_document)
        verdicts = [not answers[c.id]["answer"][0] for c in claims]
        support = [answers[c.id]["answer"][1] for c in claims]
        support = [
            p if p is not None else float(not v) for p, v in zip(support, verdicts, strict=True)
        ]
        seconds = statistics.median(answers[c.id]["seconds"] for c in claims)
        short = model.removeprefix("local/")
        rows.append(table_row(f"{short} verdict", claims, verdicts, median_s=round(seconds, 2)))
        t = best_threshold(dev, [support[i] for i, c in enumerate(claims) if c.split == "dev"])
        flags = [p < t for p in support]
        areas = {
            split: round(auc(part, [support[claims.index(c)] for c in part]), 3)
            for split, part in (("dev", dev), ("test", [c for c in claims if c.split == "test"]))
        }
        rows.append(table_row(f"{short} P(true) < {t:.3f}", claims, flags, threshold=t, auc=areas))
        combined_dev = [
            (support[i] if not hard[i] else -1.0) for i, c in enumerate(claims) if c.split == "dev"
        ]
        tc = best_threshold(dev, combined_dev)
        both = [h or p < tc for h, p in zip(hard, support, strict=True)]
        rows.append(
            table_row(f"numbers + names + {short} P < {tc:.3f}", claims, both, threshold=tc)
        )
        calibrated = CALIBRATED.get(judge.name)
        if calibrated is not None:  # the threshold the verifier uses for this judge by default
            flags = [h or p < calibrated for h, p in zip(hard, support, strict=True)]
            name = f"default: numbers + names + {short} P < {calibrated}"
            rows.append(table_row(name, claims, flags))
    if args.nli_model:
        nli = NLIJudge(NLIScorer(args.nli_model))
        answers = collect(
            f"nli-{Path(args.nli_model).name}", claims, notes, nli.support, args.full_document
        )
        support = [answers[c.id]["answer"] for c in claims]
        t = best_threshold(dev, [support[i] for i, c in enumerate(claims) if c.split == "dev"])
        rows.append(table_row(f"NLI P < {t:.3f}", claims, [p < t for p in support], threshold=t))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "verifier.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print("| backend | test bal. acc. | P(unsup.) | R(unsup.) | tp fn fp tn | dev bal. acc. |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        if "auc" in row:
            print(
                f"<!-- {row['backend']}: AUC dev {row['auc']['dev']}, test {row['auc']['test']} -->"
            )
    for row in rows:
        t, d = row["test"], row["dev"]
        m = t["confusion"]
        print(
            f"| {row['backend']} | {t['balanced_accuracy']:.3f} | {t['precision_unsupported']:.3f}"
            f" | {t['recall_unsupported']:.3f} | {m['tp']} {m['fn']} {m['fp']} {m['tn']}"
            f" | {d['balanced_accuracy']:.3f} |"
        )


if __name__ == "__main__":
    main()
