"""benchmarks/line_targets.py: the figures lines are held to, before and after, with whether
the after run meets each target."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from inquirer.evals.answers import AnswerScore

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "line_targets.py"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("line_targets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["line_targets"] = module
    spec.loader.exec_module(module)
    return module


def line(qid: str, *, answerable: bool, answered: bool, seconds: float) -> AnswerScore:
    return AnswerScore(
        question_id=qid,
        kind="single" if answerable else "unanswerable",
        answerable=answerable,
        answered=answered,
        source_recall=0.6 if answerable else None,
        source_precision=None,
        citation_recall=None,
        citation_precision=None,
        supported=None,
        format_problems=(),
        next_answerable=None,
        next_novel=None,
        seconds=seconds,
        tokens=0,
    )


def test_each_target_is_judged_on_the_after_run_and_unread_figures_show_as_unknown() -> None:
    targets = script()
    before = [
        line("q1", answerable=True, answered=True, seconds=100),
        line("q2", answerable=False, answered=True, seconds=100),
    ]
    after = [
        line("q1", answerable=True, answered=True, seconds=120),
        line("q2", answerable=False, answered=False, seconds=120),
    ]
    rows = {r.split(" | ")[0].lstrip("| "): r for r in targets.table(before, after)[2:]}
    assert rows["unanswerable questions declined"].endswith("| 0.000 | 1.000 | ≥ 13 of 16 | yes |")
    assert rows["source recall"].endswith("| 0.600 | 0.600 | ≥ 0.55 | yes |")
    # slower than before: the speed target is missed however good the rest is
    assert rows["median seconds per line"].endswith("| 100 | 120 | no slower | no |")
    # lines not read by the reading pass have no reading figures: unknown, never "met"
    assert rows["fragment sentences, of body sentences"].endswith("| — | — | ≤ 0.02 | — |")
    assert rows["lines whose answer contradicts their notes (code)"].endswith("| 0 | — |")
