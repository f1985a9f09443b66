"""The grounding checker (src/inquirer/evals/checker.py): the packaged MiniLM fine-tuned on labelled
pairs, written whole to its folder, loaded back, and scoring pairs as probabilities."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquirer.errors import EmbeddingError
from inquirer.evals.checker import ABOUT, Checker, Recipe, TrainingPair, train

COLOURS = ["red", "blue", "green", "yellow", "black", "white", "purple", "orange"]
THINGS = ["car", "door", "kite", "boat", "coat", "cup", "lamp", "bench"]


def toy_pairs() -> list[TrainingPair]:
    """The claim repeats the evidence's colour (supported) or names another (not)."""
    pairs = []
    for i, thing in enumerate(THINGS):
        for j, colour in enumerate(COLOURS):
            other = COLOURS[(j + 1 + i) % len(COLOURS)]
            evidence = f"The {thing} in the yard is {colour}."
            pairs.append(TrainingPair(evidence, f"The {thing} is {colour}.", True))
            pairs.append(TrainingPair(evidence, f"The {thing} is {other}.", False))
    return pairs


def test_a_trained_checker_is_written_whole_and_learns_what_it_was_shown(tmp_path: Path) -> None:
    pairs = toy_pairs()
    seen: list[tuple[int, int]] = []
    out = train(
        pairs,
        tmp_path / "checker",
        Recipe(epochs=4, batch_size=16, max_length=32),
        on_progress=lambda step, steps, loss: seen.append((step, steps)),
    )
    assert seen[-1] == (32, 32) and len(seen) == 32  # 128 pairs, 16 a step, four times
    assert (out / ABOUT).is_file() and not (tmp_path / "checker.partial").exists()
    checker = Checker(out)
    assert checker.about["pairs"] == len(pairs) and checker.about["recipe"]["epochs"] == 4
    right = checker.supports([p for p in pairs if p.supported])
    wrong = checker.supports([p for p in pairs if not p.supported])
    assert all(0.0 < p < 1.0 for p in right + wrong)
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1
    ordered = sum(r > w for r, w in zip(right, wrong, strict=True))  # one evidence, both claims
    assert ordered >= 0.75 * len(right)
    assert checker.support("The cup in the yard is red.", "The cup is red.") == pytest.approx(
        checker.supports([TrainingPair("The cup in the yard is red.", "The cup is red.", False)])[0]
    )  # the label a pair carries is never read when scoring


def test_a_folder_without_a_checker_is_named_with_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError) as caught:
        Checker(tmp_path)
    assert str(tmp_path) in caught.value.message and "train_checker" in (caught.value.hint or "")


def test_no_pairs_is_an_error_not_an_empty_model(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError):
        train([], tmp_path / "checker")
    assert not (tmp_path / "checker").exists()
