"""The NLI cross-encoder backend, loaded by the real code from a tiny model the test builds:
no NLI model ships on these machines, so the test makes one from the bundled MiniLM with a
classifier head whose output it knows, and checks that the backend finds the entailment label
by name, applies the softmax (or the sigmoid of a one-label model) and reports bad models."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from inquirer.embeddings import NLIScorer, resolve_model_path
from inquirer.errors import EmbeddingError
from inquirer.judges import NLIJudge, Panel


def build(folder: Path, labels: dict[int, str], bias: list[float]) -> Path:
    """A CrossEncoder whose classifier ignores its input: weights 0, the given biases."""
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(
        resolve_model_path("all-MiniLM-L6-v2"),
        num_labels=len(labels),
        config_kwargs={"id2label": labels, "label2id": {v: k for k, v in labels.items()}},
    )
    head = model.model.classifier
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.tensor(bias))
    model.save(str(folder))
    return folder


def test_the_entailment_label_is_found_by_name(tmp_path: Path) -> None:
    path = build(tmp_path / "nli", {0: "contradiction", 1: "neutral", 2: "entailment"}, [0, 0, 2])
    judge = NLIJudge(NLIScorer(str(path)))
    p = judge.support("A document.", "A claim.")
    assert p == pytest.approx(math.exp(2) / (math.exp(2) + 2), abs=1e-4)
    assert judge.name == f"nli:{path}"
    assert Panel([judge]).support("A document.", "A claim.") == pytest.approx(p)


def test_a_one_label_model_gives_its_sigmoid(tmp_path: Path) -> None:
    path = build(tmp_path / "support", {0: "LABEL_0"}, [-1.0])
    (p,) = NLIScorer(str(path)).entailment([("A document.", "A claim.")])
    assert p == pytest.approx(1 / (1 + math.exp(1)), abs=1e-4)


def test_a_model_without_an_entailment_label_is_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "topics", {0: "sports", 1: "politics"}, [0, 0])
    with pytest.raises(EmbeddingError, match=r"no entailment label .*sports, politics"):
        NLIScorer(str(path)).entailment([("d", "c")])


def test_a_missing_model_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="cannot load NLI model") as info:
        NLIScorer(str(tmp_path / "nowhere")).entailment([("d", "c")])
    assert "nli_model" in (info.value.hint or "")
