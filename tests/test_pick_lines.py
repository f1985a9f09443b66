"""benchmarks/pick_lines.py: the README's lines are drawn by a stated seed, one of each kind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "pick_lines.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_one_line_of_each_kind_is_drawn_whole_and_the_same_seed_draws_the_same(
    tmp_path: Path,
) -> None:
    kinds = {f"q{i:03d}": ("single", "multi_hop", "unanswerable")[i % 3] for i in range(12)}
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"id": q, "kind": k}) + "\n" for q, k in kinds.items()))
    lines = tmp_path / "run" / "agent" / "lines"
    lines.mkdir(parents=True)
    made = [q for q in kinds if q != "q011"]  # a line the run has not made is never drawn
    for q in made:
        (lines / f"{q}.md").write_text(f"# INQUIRING LINE\n\nthe line of {q}\n\nits end\n")

    first = run(str(tmp_path / "run"), "--seed", "7", "--questions", str(questions))
    assert first.returncode == 0, first.stderr
    drawn = [part.split(" ")[1] for part in first.stdout.split("<!--")[1:]]
    assert [kinds[q] for q in drawn] == ["single", "multi_hop", "unanswerable"]
    assert all(f"the line of {q}\n\nits end" in first.stdout for q in drawn)  # whole
    again = run(str(tmp_path / "run"), "--seed", "7", "--questions", str(questions))
    assert again.stdout == first.stdout
    draws = {
        run(str(tmp_path / "run"), "--seed", str(s), "--questions", str(questions)).stdout
        for s in range(6)
    }
    assert len(draws) > 1  # the seed decides the draw


def test_a_folder_without_lines_is_named(tmp_path: Path) -> None:
    out = run(str(tmp_path))
    assert out.returncode != 0 and "holds no lines" in out.stderr
