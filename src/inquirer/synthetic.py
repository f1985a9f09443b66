"""Reproducible synthetic corpora for benchmarks and scale tests.

Notes are made from a fixed vocabulary by a seeded generator, so the same (count, seed) always
gives the same files. They follow the note format (front matter, links) but are shorter than
real notes (bodies of 60-100 words), so that corpora of 10,000 and 100,000 notes can be embedded
on a CPU in benchmark time.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TOPICS = (
    "reward models",
    "preference data",
    "chain of thought",
    "retrieval",
    "calibration",
    "sparse autoencoders",
    "scaling laws",
    "jailbreaks",
    "instruction tuning",
    "distillation",
    "long context",
    "self-correction",
    "verifiers",
    "tool use",
    "agents",
    "benchmarks",
    "memorization",
    "hallucination",
    "steering vectors",
    "fine-tuning",
    "evaluation",
    "red teaming",
    "oversight",
    "decoding",
    "tokenization",
    "mixture of experts",
)
NOUNS = (
    "model",
    "policy",
    "dataset",
    "benchmark",
    "probe",
    "reward",
    "gradient",
    "prompt",
    "annotator",
    "feature",
    "layer",
    "judge",
    "verifier",
    "context",
    "sample",
    "baseline",
)
VERBS = (
    "improves",
    "degrades",
    "predicts",
    "explains",
    "limits",
    "amplifies",
    "reduces",
    "stabilises",
    "hides",
    "reveals",
    "matches",
    "outperforms",
)
QUALIFIERS = (
    "at small scale",
    "under distribution shift",
    "after post-training",
    "in most settings",
    "only for larger models",
    "when data is scarce",
    "with enough compute",
    "on held-out tasks",
)


def _sentence(rng: random.Random, topic: str) -> str:
    return (
        f"The {rng.choice(NOUNS)} {rng.choice(VERBS)} {topic} "
        f"{rng.choice(QUALIFIERS)} by {rng.randint(1, 99)}.{rng.randint(0, 9)}%."
    )


def note(index: int, count: int, rng: random.Random) -> str:
    topic = TOPICS[index % len(TOPICS)]
    note_id = f"synthetic-{index:06d}"
    related = sorted({f"synthetic-{rng.randrange(count):06d}" for _ in range(3)} - {note_id})
    if not related:
        related = [f"synthetic-{(index + 1) % count:06d}"]
    paragraphs = []
    words = 0
    target = rng.randint(60, 100)
    while words < target:
        para = " ".join(_sentence(rng, topic) for _ in range(rng.randint(2, 4)))
        paragraphs.append(para)
        words += len(para.split())
    paragraphs.append(f"See also [[{related[0]}]].")
    summary = _sentence(rng, topic)
    return (
        "---\n"
        f"id: {note_id}\n"
        f"title: {json.dumps(f'How does {topic} behave in study {index}?')}\n"
        f"summary: {json.dumps(summary)}\n"
        f"tags: [{topic.replace(' ', '-')}, synthetic]\n"
        "source:\n"
        f"  title: {json.dumps(f'A study of {topic}, number {index}')}\n"
        "  authors: Synthetic Author\n"
        f"  year: {2015 + index % 11}\n"
        f"  url: https://example.org/synthetic/{index}\n"
        f"related: [{', '.join(related)}]\n"
        "---\n" + "\n\n".join(paragraphs) + "\n"
    )


def write_corpus(root: Path, count: int, *, seed: int = 0) -> Path:
    """Write ``count`` notes under ``root`` (files it already holds are overwritten)."""
    rng = random.Random(seed)
    folder = root / "notes"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"synthetic-{index:06d}.md").write_text(note(index, count, rng), "utf-8")
    return root
