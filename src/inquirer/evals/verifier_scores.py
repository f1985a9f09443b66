"""The verifier's figures on labelled claims: balanced accuracy, the confusion table and the
kinds of error, for each set (the project's claims, the line sentences, and the sets written by
others), and the report's section that shows them."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from .claims import Claim, score


def verifier_results(
    claims: Sequence[Claim], rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Binary scores of the verifier on the claims ("unsupported" flags; partial passes, as it
    does in a line)."""
    judged = [c for c in claims if c.id in rows]
    flags = [rows[c.id]["label"] == "unsupported" for c in judged]
    scores = score(judged, flags).as_dict()
    if not any(c.supported for c in judged) or all(c.supported for c in judged):
        # balanced accuracy needs claims of both classes: with one, it would say 0.5 or 0
        scores |= {"balanced_accuracy": None}
    errors: dict[str, int] = {}
    kinds: dict[str, dict[str, int]] = {"flagged supported": {}, "passed unsupported": {}}
    for claim, flag in zip(judged, flags, strict=True):
        if flag == claim.supported:
            errors[claim.kind] = errors.get(claim.kind, 0) + 1
            side = kinds["flagged supported" if claim.supported else "passed unsupported"]
            side[claim.kind] = side.get(claim.kind, 0) + 1
    seconds = [float(rows[c.id].get("seconds", 0.0)) for c in judged]
    return {
        **scores,
        "errors_by_kind": dict(sorted(errors.items())),
        "errors": {k: dict(sorted(v.items())) for k, v in kinds.items()},
        "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
    }


def verifier_sets(
    claims: Sequence[Claim], rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``verifier_results`` for each set of claims: the project's claims, the line sentences,
    and each external set."""
    names = list(dict.fromkeys(c.set for c in claims))
    return {n: verifier_results([c for c in claims if c.set == n], rows) for n in names}


VERIFIER_SETS = {
    "claims": "the project's claims (evals/claims.jsonl)",
    "lines": "sentences of real lines that relate findings (evals/line_claims.jsonl)",
    "halueval-qa": "HaluEval question answering, written by others",
    "falke": "Falke et al. summary sentences, written by others",
}


def verifier_section(sets: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One row per set (a claim is flagged when the verifier labels it unsupported; partial
    passes, as it does in a line), then the kinds of error of each set."""
    out = [
        "A claim counts as flagged when the verifier labels it unsupported (partial passes, as "
        "it does in a line).",
        "",
        "| set | claims | balanced accuracy | supported flagged | unsupported caught "
        "| tp fn fp tn | median s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, v in sets.items():
        m = v["confusion"]
        out.append(
            f"| {VERIFIER_SETS.get(name, name)} | {v['n']} | {_fmt(v.get('balanced_accuracy'))} "
            f"| {m['fp']} of {m['fp'] + m['tn']} | {m['tp']} of {m['tp'] + m['fn']} "
            f"| {m['tp']} {m['fn']} {m['fp']} {m['tn']} | {_fmt(v.get('median_seconds'))} |"
        )
    out.append("")
    for name, v in sets.items():
        kinds = v.get("errors") or {"errors": v.get("errors_by_kind", {})}
        parts = [
            f"{side}: " + ", ".join(f"{k} {n}" for k, n in by_kind.items())
            for side, by_kind in kinds.items()
            if by_kind
        ]
        out.append(f"- Errors on {name}: {'; '.join(parts) or 'none'}.")
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
