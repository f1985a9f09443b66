"""The external labelled pairs (evals/external.py): parsed from the wheels that carry them,
split once into dev, test and train with pairs of one evidence kept together; and, with the real
wheels from the package index, the sets the verifier is measured on."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from inquirer.errors import InquirerError
from inquirer.evals import external
from inquirer.evals.external import SOURCES, TRAIN_ONLY, load


def fake_wheel(cache: Path, source: external.Source, rows: list[dict[str, str]]) -> None:
    name, version = source.package.split("==")
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(source.member, "\n".join(json.dumps(r) for r in rows) + "\n")


def qa_rows(n: int) -> list[dict[str, str]]:
    return [
        {
            "knowledge": f"Town {i} lies on river {i}.It was founded in {1800 + i}.",
            "question": f"On which river does Town {i} lie?",
            "right_answer": f"river {i}",
            "hallucinated_answer": f"Town {i} lies on the lake {i}.",
        }
        for i in range(n)
    ]


def test_halueval_pairs_are_question_and_answer_with_the_answer_as_focus(tmp_path: Path) -> None:
    fake_wheel(tmp_path, SOURCES["halueval-qa"], qa_rows(30))
    pairs = load("halueval-qa", tmp_path, per_split=10, say=lambda _: None)
    right = next(p for p in pairs if p.supported and p.id.endswith("-0"))
    assert re.fullmatch(r"On which river does Town (\d+) lie\? river \1\.", right.claim)
    assert ". It was founded" in right.evidence  # sentences the source ran together are split
    assert right.evidence.endswith("\n\nQuestion: " + right.claim.split("? ")[0] + "?")
    by_split = {s: [p for p in pairs if p.split == s] for s in ("dev", "test", "train")}
    assert len(by_split["dev"]) == 10 and len(by_split["test"]) == 10
    assert len(by_split["train"]) == 40  # a trainable set keeps the rest for training
    for part in by_split.values():  # both answers of a question stay in one part, so balanced
        assert sum(p.supported for p in part) * 2 == len(part)
    evidence = {s: {p.evidence for p in part} for s, part in by_split.items()}
    assert not evidence["dev"] & evidence["test"] and not evidence["test"] & evidence["train"]
    again = load("halueval-qa", tmp_path, per_split=10, say=lambda _: None)
    assert [(p.id, p.split) for p in again] == [(p.id, p.split) for p in pairs]  # fixed seed


def test_falke_drops_a_sentence_labelled_both_ways_and_keeps_no_train_part(
    tmp_path: Path,
) -> None:
    rows = [
        {
            "article_sent": f"' the mayor opened bridge {i}.",
            "correct_sent": f"the mayor opened bridge {i}.",
            "incorrect_sent": f"the mayor closed bridge {i}.",
        }
        for i in range(20)
    ]
    rows.append(
        {
            "article_sent": "' the mayor opened bridge 0.",
            "correct_sent": "the mayor closed bridge 0.",
            "incorrect_sent": "the mayor sold bridge 0.",
        }
    )
    fake_wheel(tmp_path, SOURCES["falke"], rows)
    pairs = load("falke", tmp_path, per_split=6, say=lambda _: None)
    assert {p.split for p in pairs} == {"dev", "test"}
    assert all(p.evidence.startswith("the mayor") for p in pairs)
    bridge0 = [p for p in pairs if p.evidence.endswith("bridge 0.")]
    assert all(p.claim != "the mayor closed bridge 0." for p in bridge0)  # labelled both ways


def test_summaries_only_train_each_against_one_excerpt_of_its_article(tmp_path: Path) -> None:
    filler = " ".join(f"The weather on day {d} was mild and nobody minded it." for d in range(40))
    rows = [
        {
            "document": f"{filler} The council of town {i} approved a new bridge over the river. "
            f"Work starts in {2000 + i} and costs {i} million pounds. {filler}",
            "right_summary": f"Town {i} approved a bridge costing {i} million pounds.",
            "hallucinated_summary": f"Town {i} rejected a tunnel costing {i + 7} billion pounds.",
        }
        for i in range(6)
    ]
    fake_wheel(tmp_path, TRAIN_ONLY["halueval-summarization"], rows)
    pairs = load("halueval-summarization", tmp_path, say=lambda _: None)
    assert {p.split for p in pairs} == {"train"} and len(pairs) == 12  # never scored
    for first, second in zip(pairs[::2], pairs[1::2], strict=True):
        assert first.evidence == second.evidence  # one excerpt: it cannot give the label away
        assert {first.supported, second.supported} == {True, False}
        assert "approved a new bridge" in first.evidence and "million pounds" in first.evidence
        assert (
            len(first.evidence.split()) <= external.EXCERPT_WORDS < len(rows[0]["document"].split())
        )
    assert "halueval-summarization" not in SOURCES  # the verifier is never scored on it


def test_an_unknown_set_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InquirerError) as caught:
        load("fever", tmp_path)
    assert "falke" in (caught.value.hint or "") and "halueval-qa" in (caught.value.hint or "")


@pytest.mark.slow
def test_the_real_sets_come_from_the_package_index(tmp_path: Path) -> None:
    said: list[str] = []
    for name in SOURCES:
        pairs = load(name, tmp_path, say=said.append)
        for split in ("dev", "test"):
            part = [p for p in pairs if p.split == split]
            assert 100 <= len(part) <= 110, (name, split)
            supported = sum(p.supported for p in part)
            assert 0.35 <= supported / len(part) <= 0.65, (name, split)
    assert len(said) == 2 and all("fetching" in s for s in said)
    assert load("falke", tmp_path, say=said.append) and len(said) == 2  # cached: no download
